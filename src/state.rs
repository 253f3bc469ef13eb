//! The install state: what the last successful install of a project saw and wrote, so that an install with
//! nothing to do can say so without opening git or parsing a single agent.
//!
//! After every successful install agentpack records, in the cache directory
//! (`<cache>/state/<sha256 of the manifest path>.json`): the sha256 of `agentpack.toml` and of
//! `agentpack.lock` as they were, the agentpack version, and the size, modification time and sha256 of
//! every installed file. The next install is a no-op, and stops there, when all of these hold:
//!
//! - the manifest and lock bytes hash the same, and the same agentpack version runs (a new version may check
//!   differently);
//! - there is no `path` source (a local directory can change without the manifest changing);
//! - every installed file is still there with the recorded size and modification time — or, when those
//!   differ, with the recorded sha256 (the hash is the authority; size and time are only a short-cut).
//!
//! `list` takes the same short-cut per file ([`InstallState::unchanged_files`]).
//!
//! Files modified within two seconds of being recorded get no time stamp, so an edit in the same clock tick
//! as the install cannot hide behind an unchanged mtime ("racy git"). Nor do the files the install just
//! wrote (too recent by definition), nor an edited file the install left as the user has it: its bytes are
//! not the sha256 recorded, so every later check hashes it and finds it edited (the install warns again,
//! `list` says `modified`). Losing or corrupting the state only costs speed: anything unexpected means
//! "do the full install".

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::names::sha256_hex;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct InstallState {
    version: String,
    /// Whether the install ran with `--strict` (warnings as errors): a strict run may fail where this
    /// one passed.
    strict: bool,
    manifest_sha256: String,
    lock_sha256: String,
    files: Vec<FileState>,
}

/// What an install knows of a file it records without a `stat` (see [`InstallState::capture`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// It created or replaced the file with this many bytes.
    Written(u64),
    /// It found the file edited and left it as the user has it.
    Edited,
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct FileState {
    path: PathBuf,
    /// Only compared along with `mtime_ns` (0 for an edited file, which has no stamp).
    size: u64,
    /// Nanoseconds since the epoch; `None` when too recent to trust.
    mtime_ns: Option<u128>,
    sha256: String,
}

/// Where the state of the project whose manifest is `manifest` lives.
pub fn location(cache_root: &Path, manifest: &Path) -> PathBuf {
    let key = sha256_hex(manifest.to_string_lossy().as_bytes());
    cache_root
        .join("state")
        .join(format!("{}.json", &key[..32]))
}

fn mtime_ns(meta: &std::fs::Metadata) -> Option<u128> {
    meta.modified()
        .ok()?
        .duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|d| d.as_nanos())
}

impl InstallState {
    /// Describe a finished install: `files` are the installed files with their sha256, `seen` what the
    /// install knows of some of them. A file just written is too recent for a time stamp by definition,
    /// and its size is known; an edited file does not hold the bytes of its sha256, so a stamp would vouch
    /// for bytes it does not hold: both are recorded without a `stat` or a stamp.
    pub fn capture(
        manifest: &[u8],
        lock: &[u8],
        strict: bool,
        files: &[(PathBuf, String)],
        seen: &HashMap<PathBuf, Seen>,
    ) -> InstallState {
        let now = SystemTime::now();
        let files = files
            .iter()
            .filter_map(|(path, sha256)| {
                if let Some(seen) = seen.get(path) {
                    return Some(FileState {
                        path: path.clone(),
                        size: match *seen {
                            Seen::Written(size) => size,
                            Seen::Edited => 0,
                        },
                        mtime_ns: None,
                        sha256: sha256.clone(),
                    });
                }
                let meta = std::fs::metadata(path).ok()?;
                let recent = meta
                    .modified()
                    .ok()
                    .and_then(|m| now.duration_since(m).ok())
                    .is_none_or(|age| age < Duration::from_secs(2));
                Some(FileState {
                    path: path.clone(),
                    size: meta.len(),
                    mtime_ns: if recent { None } else { mtime_ns(&meta) },
                    sha256: sha256.clone(),
                })
            })
            .collect();
        InstallState {
            version: env!("CARGO_PKG_VERSION").to_string(),
            strict,
            manifest_sha256: sha256_hex(manifest),
            lock_sha256: sha256_hex(lock),
            files,
        }
    }

    pub fn load(path: &Path) -> Option<InstallState> {
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Best effort: a state that cannot be written only costs the next install some time.
    pub fn save(&self, path: &Path) {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(json) = serde_json::to_vec(self) {
            let _ = crate::fsutil::write_atomic(path, &json);
        }
    }

    /// Files recorded without a time stamp: the next check hashes them, so re-capturing the state once they
    /// are old enough makes later checks stat-only.
    pub fn missing_stamps(&self) -> bool {
        self.files.iter().any(|f| f.mtime_ns.is_none())
    }

    /// The recorded files with their sha256, to capture the state again.
    pub fn files(&self) -> Vec<(PathBuf, String)> {
        self.files
            .iter()
            .map(|f| (f.path.clone(), f.sha256.clone()))
            .collect()
    }

    /// Is an install of this manifest and lock certain to change nothing? Returns the number of files.
    pub fn unchanged(&self, manifest: &[u8], lock: &[u8], strict: bool) -> Option<usize> {
        let same_inputs = self.version == env!("CARGO_PKG_VERSION")
            && (self.strict || !strict)
            && self.manifest_sha256 == sha256_hex(manifest)
            && self.lock_sha256 == sha256_hex(lock);
        if !same_inputs {
            return None;
        }
        for file in &self.files {
            let meta = std::fs::symlink_metadata(&file.path).ok()?;
            if !meta.is_file() {
                return None;
            }
            if !file.stamp_matches(&meta)
                && sha256_hex(&std::fs::read(&file.path).ok()?) != file.sha256
            {
                return None;
            }
        }
        Some(self.files.len())
    }

    /// The recorded sha256 of each installed file that still has its recorded size and time stamp — the
    /// same short-cut as [`InstallState::unchanged`], one `stat` per file, for `list`. Files missing from
    /// the map must be read to know their state.
    pub fn unchanged_files(&self) -> HashMap<&Path, &str> {
        self.files
            .iter()
            .filter(|f| {
                std::fs::symlink_metadata(&f.path)
                    .is_ok_and(|meta| meta.is_file() && f.stamp_matches(&meta))
            })
            .map(|f| (f.path.as_path(), f.sha256.as_str()))
            .collect()
    }
}

impl FileState {
    fn stamp_matches(&self, meta: &std::fs::Metadata) -> bool {
        self.mtime_ns.is_some() && meta.len() == self.size && mtime_ns(meta) == self.mtime_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_edits_even_with_the_same_size_and_a_fresh_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.md");
        std::fs::write(&file, "one").unwrap();
        let state = InstallState::capture(
            b"m",
            b"l",
            false,
            &[(file.clone(), sha256_hex(b"one"))],
            &HashMap::new(),
        );
        assert_eq!(state.unchanged(b"m", b"l", false), Some(1));
        assert_eq!(
            state.unchanged(b"m", b"l", true),
            None,
            "a strict run must check"
        );
        assert_eq!(state.unchanged(b"m2", b"l", false), None);
        assert_eq!(state.unchanged(b"m", b"l2", false), None);
        // Just written, so no stamp was recorded: the content is hashed and the edit is seen.
        std::fs::write(&file, "two").unwrap();
        assert_eq!(state.unchanged(b"m", b"l", false), None);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(state.unchanged(b"m", b"l", false), None);
    }

    #[test]
    fn unchanged_files_are_those_with_their_recorded_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let [old, new, gone] = ["old.md", "new.md", "gone.md"].map(|n| dir.path().join(n));
        for file in [&old, &new, &gone] {
            std::fs::write(file, "x").unwrap();
        }
        age(&old);
        let files = [&old, &new, &gone].map(|f| (f.clone(), sha256_hex(b"x")));
        let state = InstallState::capture(b"m", b"l", false, &files, &HashMap::new());
        std::fs::remove_file(&gone).unwrap();
        let unchanged = state.unchanged_files();
        // `new` is too recent to trust its stamp; `gone` is gone.
        assert_eq!(
            unchanged.into_iter().collect::<Vec<_>>(),
            [(old.as_path(), sha256_hex(b"x").as_str())]
        );
        // An edit moves the time stamp.
        std::fs::write(&old, "y").unwrap();
        assert!(state.unchanged_files().is_empty());
    }

    #[test]
    fn files_just_written_are_recorded_without_a_stat_or_a_stamp() {
        let dir = tempfile::tempdir().unwrap();
        // Not on disk: a `stat` would drop it, so being recorded shows none was made.
        let file = dir.path().join("written.md");
        let written = HashMap::from([(file.clone(), Seen::Written(3))]);
        let state = InstallState::capture(
            b"m",
            b"l",
            false,
            &[(file.clone(), sha256_hex(b"one"))],
            &written,
        );
        assert!(state.missing_stamps());
        assert_eq!(state.files(), [(file.clone(), sha256_hex(b"one"))]);
        // Without a stamp the content is the authority.
        std::fs::write(&file, "one").unwrap();
        assert_eq!(state.unchanged(b"m", b"l", false), Some(1));
        // Even an edit of the same size whose time stamp is old.
        std::fs::write(&file, "two").unwrap();
        age(&file);
        assert_eq!(state.unchanged(b"m", b"l", false), None);
        assert!(state.unchanged_files().is_empty());
    }

    #[test]
    fn an_edited_file_left_as_it_is_is_recorded_without_a_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("edited.md");
        // Edited long ago: a `stat` would find an old stamp and vouch for bytes the file does not hold.
        std::fs::write(&file, "edit").unwrap();
        age(&file);
        let seen = HashMap::from([(file.clone(), Seen::Edited)]);
        let files = [(file.clone(), sha256_hex(b"locked"))];
        let state = InstallState::capture(b"m", b"l", false, &files, &seen);
        assert!(state.missing_stamps());
        assert_eq!(state.unchanged(b"m", b"l", false), None);
        assert!(state.unchanged_files().is_empty());
        // Once the edit is undone, the file is the one the lock records.
        std::fs::write(&file, "locked").unwrap();
        assert_eq!(state.unchanged(b"m", b"l", false), Some(1));
    }

    fn age(file: &Path) {
        std::fs::File::options()
            .write(true)
            .open(file)
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(3600))
            .unwrap();
    }

    #[test]
    fn round_trips_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = location(dir.path(), Path::new("/p/agentpack.toml"));
        let state = InstallState::capture(b"m", b"l", true, &[], &HashMap::new());
        state.save(&path);
        assert_eq!(InstallState::load(&path), Some(state));
    }
}
