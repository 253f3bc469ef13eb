//! Vendored sources: a directory in the project (`[install] vendor = "agentpack-vendor"`) holding, for each
//! git source, exactly the files installed from its locked commit, so that `install` needs neither the
//! network nor the cache. `agentpack vendor` writes it ([`write`]); resolution reads it ([`read`]).
//!
//! # Layout
//!
//! ```text
//! agentpack-vendor/
//! └── <source-name>/
//!     ├── .agentpack-checksum.json   {"source", "git", "commit", "files": {"<repo path>": "<sha256>"}}
//!     ├── engineering/backend-architect.md   (paths as in the repository)
//!     └── engineering/agentpack.toml         (the pack's manifest at the searched directory, if any)
//! ```
//!
//! Every listed file is checked against its sha256 when read, and a file in a source's directory that is
//! not listed is refused too: a vendored file that does not match is an error naming it. Symlinks are
//! never followed. Path sources are not vendored: they are already local.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Content, Snapshot, SourceFile};
use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::limits::MAX_FILE_SIZE;
use crate::names::{Commit, sha256_hex};

pub const CHECKSUM_FILE: &str = ".agentpack-checksum.json";

/// A pack's own manifest, vendored beside its agents for transitive resolution.
pub const PACK_MANIFEST: &str = "agentpack.toml";

/// The checksum file of one vendored source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checksums {
    pub source: String,
    pub git: String,
    pub commit: String,
    /// Repository path → sha256 of its bytes.
    pub files: BTreeMap<String, String>,
    /// The repository paths of the files stored executable (a skill's scripts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub executable: Vec<String>,
}

/// One source to vendor: its checksum record and the bytes of every file it lists.
#[derive(Debug)]
pub struct VendoredSource {
    pub checksums: Checksums,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl VendoredSource {
    /// `files` maps each repository path to its bytes and whether it is executable.
    pub fn new(
        source: &str,
        git: &str,
        commit: Commit,
        files: BTreeMap<String, (Vec<u8>, bool)>,
    ) -> Self {
        VendoredSource {
            checksums: Checksums {
                source: source.to_string(),
                git: git.to_string(),
                commit: commit.to_string(),
                files: files
                    .iter()
                    .map(|(path, (bytes, _))| (path.clone(), sha256_hex(bytes)))
                    .collect(),
                executable: (files.iter())
                    .filter(|(_, (_, executable))| *executable)
                    .map(|(path, _)| path.clone())
                    .collect(),
            },
            files: files
                .into_iter()
                .map(|(path, (bytes, _))| (path, bytes))
                .collect(),
        }
    }
}

fn refresh_hint() -> Option<String> {
    Some("run `agentpack vendor` to refresh the vendor directory (after `agentpack install --no-vendor` if agentpack.toml changed)".into())
}

/// The vendored files of git source `name` (its URL as written `git`, searched directory `subdir`) at
/// `pinned`, the commit (and tag) the lock holds for it, checked against the checksums; `None` when the
/// lock has no entry that still describes the source. Only the lock's commit is ever used: a vendored
/// install never resolves a ref.
pub fn read(
    dir: &Path,
    name: &str,
    git: &str,
    subdir: Option<&str>,
    pinned: Option<(Commit, Option<String>)>,
) -> Result<(Commit, Option<String>, Snapshot)> {
    let Some((commit, tag)) = pinned else {
        return Err(Error::NotFound {
            message: format!(
                "source `{name}` has no matching entry in agentpack.lock, and a vendored install only reads locked commits"
            ),
            hint: refresh_hint(),
        });
    };
    let source_dir = source_dir(dir, name);
    let vendored = Vendored {
        name,
        checksum_path: source_dir.join(CHECKSUM_FILE),
        source_dir,
    };
    let checksums = vendored.checksums(dir)?;
    if checksums.commit != commit.to_string() || checksums.git != git {
        return Err(Error::NotFound {
            message: format!(
                "the vendored copy of `{name}` is of commit {} of `{}`, but agentpack.lock pins {} of `{}`",
                &checksums.commit[..checksums.commit.len().min(7)],
                checksums.git,
                commit.short(),
                git
            ),
            hint: refresh_hint(),
        });
    }
    let mut snapshot = Snapshot::default();
    // A pack manifest is vendored for resolution; it is neither an agent nor a skill's file.
    let wanted = super::Wanted::of(checksums.files.keys().map(String::as_str));
    for (repo_path, expected) in &checksums.files {
        let content = vendored.file(repo_path, expected)?;
        if !wanted.reads(repo_path) || repo_path.rsplit('/').next() == Some(PACK_MANIFEST) {
            continue;
        }
        let relative = match subdir {
            Some(sub) => match repo_path.strip_prefix(&format!("{sub}/")) {
                Some(rest) => rest.to_string(),
                None => continue,
            },
            None => repo_path.clone(),
        };
        snapshot.files.push(SourceFile {
            path: relative,
            repo_path: repo_path.clone(),
            content,
            executable: checksums.executable.contains(repo_path),
        });
    }
    if let Some(extra) = unlisted(&vendored.source_dir, "", &checksums.files)? {
        let shown = vendored.source_dir.join(&extra).display().to_string();
        return Err(vendored.tampered(
            shown.clone(),
            format!("`{shown}` is in the vendor directory but not in `{CHECKSUM_FILE}`"),
        ));
    }
    snapshot.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((commit, tag, snapshot))
}

/// One vendored source's directory, being read.
struct Vendored<'a> {
    name: &'a str,
    source_dir: PathBuf,
    checksum_path: PathBuf,
}

impl Vendored<'_> {
    /// A vendored file (or the checksum file) that is not what `agentpack vendor` wrote.
    fn tampered(&self, file: String, message: String) -> Error {
        Error::InvalidInput {
            file: self.checksum_path.clone(),
            diagnostics: vec![
                Diagnostic::error("vendor-checksum", message)
                    .at(Location::file(file))
                    .with_hint("restore the vendor directory from version control, or run `agentpack vendor` again"),
            ],
        }
    }

    /// The source's checksum file; `dir` is the vendor directory, for the error when there is none.
    fn checksums(&self, dir: &Path) -> Result<Checksums> {
        let name = self.name;
        let text = match std::fs::read_to_string(&self.checksum_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotFound {
                    message: format!("source `{name}` is not vendored in `{}`", dir.display()),
                    hint: refresh_hint(),
                });
            }
            Err(e) => return Err(Error::io("read", &self.checksum_path, e)),
        };
        serde_json::from_str(&text).map_err(|e| {
            self.tampered(
                self.checksum_path.display().to_string(),
                format!("the checksum file of vendored source `{name}` is unreadable: {e}"),
            )
        })
    }

    /// The content of the file vendored for `repo_path`, checked against its sha256 `expected` (the
    /// hash computed for that is the content's).
    fn file(&self, repo_path: &str, expected: &str) -> Result<Content> {
        let path = safe_join(&self.source_dir, repo_path).ok_or_else(|| {
            self.tampered(
                self.checksum_path.display().to_string(),
                format!(
                    "vendored path `{repo_path}` of `{}` leaves the vendor directory",
                    self.name
                ),
            )
        })?;
        let shown = path.display().to_string();
        let bytes = match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() <= MAX_FILE_SIZE as u64 => {
                std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?
            }
            Ok(_) => {
                return Err(self.tampered(
                    shown.clone(),
                    format!("vendored file `{shown}` is not a regular file of at most 1 MiB"),
                ));
            }
            Err(_) => {
                return Err(
                    self.tampered(shown.clone(), format!("vendored file `{shown}` is missing"))
                );
            }
        };
        let content = Content::bytes(bytes);
        if !matches!(&content, Content::Bytes { sha256, .. } if sha256 == expected) {
            return Err(self.tampered(
                shown.clone(),
                format!(
                    "vendored file `{shown}` does not match its checksum in `{CHECKSUM_FILE}`: it was changed after `agentpack vendor`"
                ),
            ));
        }
        Ok(content)
    }
}

/// `base/rel` when `rel` is a plain relative path (no `..`, not absolute).
fn safe_join(base: &Path, rel: &str) -> Option<PathBuf> {
    let path = Path::new(rel);
    let plain = !rel.is_empty()
        && !rel.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| base.join(path))
}

/// The first file under `dir` (other than the checksum file) that the checksums do not list.
fn unlisted(dir: &Path, prefix: &str, listed: &BTreeMap<String, String>) -> Result<Option<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))?;
    let mut names: Vec<_> = entries
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| Error::io("read directory", dir, e))?;
    names.sort_by_key(|e| e.file_name());
    for entry in names {
        let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let is_dir = entry
            .file_type()
            .map_err(|e| Error::io("read", entry.path(), e))?
            .is_dir();
        if is_dir {
            if let Some(found) = unlisted(&entry.path(), &format!("{rel}/"), listed)? {
                return Ok(Some(found));
            }
        } else if rel != CHECKSUM_FILE && !listed.contains_key(&rel) {
            return Ok(Some(rel));
        }
    }
    Ok(None)
}

/// The directory of source `name` inside the vendor directory `dir`. A source a pack pulled in is named
/// `pack/source`; it gets its own directory `pack+source`, beside its pack's rather than inside it.
pub fn source_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join(name.replace('/', "+"))
}

/// Replace `dir` with the given sources, all or nothing: the new tree is built beside it and renamed into
/// place. An existing `dir` is replaced only when everything in it was vendored by agentpack.
pub fn write(dir: &Path, sources: &[VendoredSource]) -> Result<()> {
    if dir.exists() {
        check_replaceable(dir)?;
    }
    let parent = dir.parent().expect("the vendor directory has a parent");
    std::fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".agentpack-vendor-")
        .tempdir_in(parent)
        .map_err(|e| Error::io("create a directory in", parent, e))?;
    for source in sources {
        let base = source_dir(staging.path(), &source.checksums.source);
        for (repo_path, bytes) in &source.files {
            // Reading a commit refuses `..` and `.git` entries; a backslash is a plain character in git
            // but a separator on Windows, so such a path is refused here rather than written.
            let path = safe_join(&base, repo_path).ok_or_else(|| Error::InvalidRepository {
                source_name: source.checksums.source.clone(),
                message: format!(
                    "`{repo_path}` is not a plain relative path, so it cannot be vendored"
                ),
            })?;
            let dir = path.parent().expect("a file has a parent");
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
            std::fs::write(&path, bytes).map_err(|e| Error::io("write", &path, e))?;
        }
        std::fs::create_dir_all(&base).map_err(|e| Error::io("create directory", &base, e))?;
        let json = serde_json::to_string_pretty(&source.checksums).expect("serializable") + "\n";
        let checksum = base.join(CHECKSUM_FILE);
        std::fs::write(&checksum, json).map_err(|e| Error::io("write", &checksum, e))?;
    }
    let old = if dir.exists() {
        let aside = parent.join(format!(
            ".agentpack-vendor-old-{}",
            staging
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        std::fs::rename(dir, &aside).map_err(|e| Error::io("move aside", dir, e))?;
        Some(aside)
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, dir) {
        if let Some(old) = &old {
            let _ = std::fs::rename(old, dir);
        }
        let _ = std::fs::remove_dir_all(&staged);
        return Err(Error::io("replace", dir, e));
    }
    if let Some(old) = old {
        let _ = std::fs::remove_dir_all(old);
    }
    Ok(())
}

/// An existing vendor directory may be replaced only if every entry in it is a vendored source.
fn check_replaceable(dir: &Path) -> Result<()> {
    let foreign = |what: String| Error::Usage {
        message: format!(
            "`{}` exists and holds {what}, which agentpack did not vendor; it will not replace it",
            dir.display()
        ),
        hint: Some("pick another directory: `agentpack vendor DIR`".into()),
    };
    if !dir.is_dir() {
        return Err(foreign("a file".into()));
    }
    // Every entry must be a vendored source: a directory whose checksum file parses and lists every file
    // in it. Anything else (notes, a stray file, a directory with a fake checksum file) is the user's.
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))? {
        let entry = entry.map_err(|e| Error::io("read directory", dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let checksums = std::fs::read_to_string(path.join(CHECKSUM_FILE))
            .ok()
            .and_then(|text| serde_json::from_str::<Checksums>(&text).ok());
        let Some(checksums) = checksums.filter(|_| path.is_dir()) else {
            return Err(foreign(format!("`{name}`")));
        };
        if let Some(extra) = unlisted(&path, "", &checksums.files)? {
            return Err(foreign(format!("`{name}/{extra}`")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_paths_cannot_leave_the_source_directory() {
        let base = Path::new("/v/studio");
        assert_eq!(
            safe_join(base, "eng/a.md"),
            Some(PathBuf::from("/v/studio/eng/a.md"))
        );
        for bad in [
            "",
            "../x.md",
            "eng/../../x.md",
            "/etc/passwd",
            "a\\b.md",
            "./a.md",
        ] {
            assert_eq!(safe_join(base, bad), None, "{bad}");
        }
    }
}
