//! Small filesystem and path helpers shared by every layer (the manifest, the lockfile, the cache, the
//! installer).

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::reporter::{Reporter, Status};

/// Replace `path` with `bytes` atomically: write a temporary file in the same directory and rename it over
/// `path`. Readers, and a process killed at any instant, see the old file or the new one, never a partial
/// one. There is deliberately no fsync: on ext4 it commits the journal and so flushes every file an
/// install just wrote, which made installs of a few hundred agents seconds slower; like cargo, npm and uv,
/// agentpack does not promise durability across a power loss.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".agentpack-")
        .suffix(".tmp")
        .permissions(crate::fsutil::file_permissions())
        .tempfile_in(dir)
        .map_err(|e| Error::io("create a temporary file in", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("write", tmp.path().to_path_buf(), e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("replace", path, e.error))?;
    Ok(())
}

/// Read a file, or `None` when it does not exist.
pub fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// Regular files agentpack writes are readable by everyone, like files `git checkout` writes (the umask
/// still applies); temporary files would otherwise be private (0600).
pub fn file_permissions() -> std::fs::Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o644)
    }
    #[cfg(not(unix))]
    {
        tempfile::NamedTempFile::new()
            .and_then(|f| f.as_file().metadata())
            .map(|m| m.permissions())
            .expect("temporary files can be created")
    }
}

/// Take an exclusive advisory lock on `file` (released when it is closed, also when the process dies, so a
/// crashed agentpack never leaves a stale lock). When another process holds it, say so and wait.
pub fn lock_exclusive(
    file: &std::fs::File,
    path: &Path,
    what: &str,
    reporter: &dyn Reporter,
) -> Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => {
            reporter.status(
                Status::Blocking,
                &format!("waiting for another agentpack process to release the lock on {what}"),
            );
            file.lock().map_err(|e| Error::io("lock", path, e))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io("lock", path, e)),
    }
}
/// Drop `.` and `..` components lexically (the path may not exist yet, and a symlink in it is not
/// followed). Only the CLI reads the current directory: it makes every path it hands down absolute, so
/// a relative path here stays relative (keeping the `..` it cannot resolve).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // `/..` is `/`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A key whose byte order is the order of paths (`Path`'s `Ord`, component by component) for paths
/// without `.` components, empty components or a trailing separator, as every path agentpack builds
/// is (targets are [`normalize`]d, and names and skill file paths refuse empty, `.` and `..` components):
/// each separator becomes a byte lower than any other, so `a/b` sorts before `a-b` as `Path` sorts them.
/// Comparing keys is a `memcmp`, where `Path` splits both into components.
pub fn path_order_key(path: &Path) -> Vec<u8> {
    path.as_os_str()
        .as_encoded_bytes()
        .iter()
        .map(|&b| {
            if std::path::is_separator(b as char) {
                0
            } else {
                b
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical_and_never_reads_the_current_directory() {
        for (path, expected) in [
            ("/p/./a/../b", "/p/b"),
            ("/p/../../..", "/"),
            ("/p/a/", "/p/a"),
            ("a/../../b", "../b"),
            ("./a/./b", "a/b"),
            ("", ""),
        ] {
            assert_eq!(
                normalize(Path::new(path)),
                PathBuf::from(expected),
                "{path}"
            );
        }
    }

    proptest::proptest! {
        /// Keys sort as `Path` sorts, component by component, for the paths agentpack builds: separators
        /// before every character, even those below `/` in bytes (`-`, `.`, `!`, a space).
        #[test]
        fn path_order_keys_sort_as_paths_sort(
            paths in proptest::collection::vec(
                proptest::collection::vec("[-. !a-c/é]{1,3}", 1..4),
                2..8,
            ),
        ) {
            let paths: Vec<PathBuf> = paths
                .into_iter()
                .map(|parts| {
                    let parts: Vec<String> = parts
                        .into_iter()
                        .flat_map(|p| p.split('/').map(str::to_string).collect::<Vec<_>>())
                        .filter(|p| !p.is_empty() && p != "." && p != "..")
                        .collect();
                    Path::new("/p").join(parts.join("/"))
                })
                .collect();
            let mut by_path = paths.clone();
            by_path.sort();
            let mut by_key = paths;
            by_key.sort_by_cached_key(|p| path_order_key(p));
            proptest::prop_assert_eq!(by_path, by_key);
        }
    }
}
