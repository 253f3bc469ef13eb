//! Path sources: a plain local directory (`path = "../my-agents"`), read as it is on disk.
//!
//! The directory is walked recursively (`.git` is skipped). Symlinks are followed only when they resolve to
//! a file inside the searched directory; symlinked directories are not entered, so a loop cannot hang us.

use std::io::Read;
use std::path::Path;

use super::{Content, Skipped, Snapshot, SourceFile};
use crate::error::{Error, Result};
use crate::limits::{HEAD_SIZE, MAX_FILE_SIZE};
use crate::names::sha256_hex;

/// Read the `.md` files and the skill folders' files ([`super::Wanted`]) under `dir` (joined with `subdir`), never entering `skip` (the install target: a
/// path source that contains the project would otherwise read agentpack's own output back).
pub fn snapshot(
    source_name: &str,
    dir: &Path,
    subdir: Option<&str>,
    skip: Option<&Path>,
) -> Result<Snapshot> {
    let searched = match subdir {
        Some(sub) => dir.join(sub),
        None => dir.to_path_buf(),
    };
    if !searched.is_dir() {
        return Err(Error::NotFound {
            message: format!(
                "directory `{}` of source `{source_name}` does not exist",
                searched.display()
            ),
            hint: Some("check `path` and `subdir` in agentpack.toml".into()),
        });
    }
    let canonical_root = searched
        .canonicalize()
        .map_err(|e| Error::io("read", &searched, e))?;
    let skip = skip.and_then(|s| s.canonicalize().ok());
    let mut snapshot = Snapshot::default();
    let walker = Walker {
        root: &canonical_root,
        subdir,
        skip: skip.as_deref(),
    };
    let mut found = Vec::new();
    walker.walk(&canonical_root, "", &mut found)?;
    let wanted = super::Wanted::of(found.iter().map(|(path, _)| path.as_str()));
    for (path, entry) in found.into_iter().filter(|(path, _)| wanted.reads(path)) {
        walker.read(path, &entry, &mut snapshot)?;
    }
    snapshot.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(snapshot)
}

/// The fixed parts of one directory walk.
struct Walker<'a> {
    root: &'a Path,
    subdir: Option<&'a str>,
    skip: Option<&'a Path>,
}

impl Walker<'_> {
    /// Every file below `dir` (a directory not entered when it is `.git` or the skipped one): its path
    /// relative to the searched directory, and its directory entry.
    fn walk(
        &self,
        dir: &Path,
        prefix: &str,
        out: &mut Vec<(String, std::fs::DirEntry)>,
    ) -> Result<()> {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read directory", dir, e))?;
        let mut entries: Vec<_> = entries
            .collect::<std::io::Result<_>>()
            .map_err(|e| Error::io("read directory", dir, e))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}{name}");
            let file_type = entry
                .file_type()
                .map_err(|e| Error::io("read", entry.path(), e))?;
            if file_type.is_dir() {
                if name != ".git" && Some(entry.path().as_path()) != self.skip {
                    self.walk(&entry.path(), &format!("{path}/"), out)?;
                }
            } else {
                out.push((path, entry));
            }
        }
        Ok(())
    }

    /// Read the file at `path`, following a symlink only to a file inside the searched directory.
    fn read(&self, path: String, entry: &std::fs::DirEntry, out: &mut Snapshot) -> Result<()> {
        let repo_path = super::join(self.subdir, &path);
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        let real = if is_link {
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(self.root) && target.is_file() => target,
                _ => {
                    out.skipped.push(Skipped {
                        repo_path,
                        reason: "symlink points outside the searched directory (or is dangling); not followed".into(),
                    });
                    return Ok(());
                }
            }
        } else {
            entry.path()
        };
        out.files.push(SourceFile {
            path,
            repo_path,
            executable: is_executable(&real),
            content: read(&real)?,
        });
        Ok(())
    }
}

/// Is the file at `path` executable by its owner (never on systems without the bit)?
fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o100 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// The content of the file at `path`: its bytes, or only its head when it is over the size limit.
pub fn read(path: &Path) -> Result<Content> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if size <= MAX_FILE_SIZE as u64 {
        return Ok(Content::bytes(
            std::fs::read(path).map_err(|e| Error::io("read", path, e))?,
        ));
    }
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(HEAD_SIZE as u64).read_to_end(&mut head))
        .map_err(|e| Error::io("read", path, e))?;
    Ok(Content::TooLarge { size, head })
}

/// `sha256:` over every file's path and content hash: changes when any `.md` file changes.
pub fn content_hash(snapshot: &Snapshot) -> String {
    let mut listing = String::new();
    for file in &snapshot.files {
        let hash = match &file.content {
            Content::Bytes { sha256, .. } => sha256.to_string(),
            Content::TooLarge { size, .. } => format!("too-large-{size}"),
        };
        listing.push_str(&format!("{}\0{hash}\n", file.repo_path));
    }
    format!("sha256:{}", sha256_hex(listing.as_bytes()))
}
