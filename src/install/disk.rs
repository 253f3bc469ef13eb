//! What the plan of an install finds on disk on the way to its files: each directory (a kind's place, a
//! skill's folder, their ancestors inside the project) is looked up once per plan, however many files go
//! into it, and a file whose directory is missing is known to be missing without asking the file system.
//! (A plan of 2,000 agents used to `stat` `.claude/agents` and its ancestors again for every file.)
//!
//! Only what a `stat` of the directory itself says is remembered: a symlinked target directory, a user's
//! file where a folder is needed, a target that is not a directory are found exactly as before.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The entry at a path, as `lstat` (not following a symlink) sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// Nothing there (`ENOENT`): nothing below it exists either.
    Missing,
    Dir,
    Symlink,
    /// A regular file, or anything else that is neither a directory nor a symlink.
    Other,
    /// `lstat` failed otherwise (permissions, a file on the way): nothing is concluded from it.
    Unknown,
}

/// The directories one plan has looked up, by path.
#[derive(Debug, Default)]
pub(super) struct Disk {
    seen: RefCell<HashMap<PathBuf, Entry>>,
}

impl Disk {
    /// The entry at `dir`, looked up the first time it is asked for.
    pub(super) fn entry(&self, dir: &Path) -> Entry {
        if let Some(entry) = self.seen.borrow().get(dir) {
            return *entry;
        }
        let entry = match std::fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => Entry::Symlink,
            Ok(meta) if meta.is_dir() => Entry::Dir,
            Ok(_) => Entry::Other,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Entry::Missing,
            Err(_) => Entry::Unknown,
        };
        self.seen.borrow_mut().insert(dir.to_path_buf(), entry);
        entry
    }

    /// Does `path` exist and is it a directory, following a symlink as `Path::exists`/`is_dir` do? A
    /// directory or a missing entry answers from what `lstat` said; only a symlink or an unreadable entry
    /// is asked again.
    pub(super) fn exists_as_dir(&self, path: &Path) -> (bool, bool) {
        match self.entry(path) {
            Entry::Missing => (false, false),
            Entry::Dir => (true, true),
            Entry::Symlink | Entry::Other | Entry::Unknown => match std::fs::metadata(path) {
                Ok(meta) => (true, meta.is_dir()),
                Err(_) => (false, false),
            },
        }
    }

    /// The first symlink among `target` and its ancestors inside the project `root`: a project checked
    /// out from an untrusted place must not redirect installs elsewhere (`.claude -> ~/.ssh`).
    pub(super) fn symlink_on_the_way(&self, root: &Path, target: &Path) -> Option<PathBuf> {
        target
            .ancestors()
            .take_while(|dir| *dir == target || (dir.starts_with(root) && *dir != root))
            .find(|dir| self.entry(dir) == Entry::Symlink)
            .map(Path::to_path_buf)
    }

    /// What `path` is, read when it is a regular file; `None` when nothing is there. A file in a directory
    /// already found missing is missing without a system call.
    pub(super) fn read_regular(&self, path: &Path) -> Result<Option<OnDisk>> {
        let parent_missing = path
            .parent()
            .is_some_and(|dir| self.seen.borrow().get(dir) == Some(&Entry::Missing));
        if parent_missing {
            return Ok(None);
        }
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("read", path, e)),
            Ok(meta) if meta.is_file() => {
                Ok(crate::fsutil::read_if_exists(path)?.map(OnDisk::File))
            }
            Ok(meta) if meta.is_dir() => Ok(Some(OnDisk::Dir)),
            Ok(_) => Ok(Some(OnDisk::Other)),
        }
    }
}

/// What is at the path of a file to install or remove.
pub(super) enum OnDisk {
    File(Vec<u8>),
    Dir,
    /// A symlink or another entry that is neither a regular file nor a directory.
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn each_entry_is_looked_up_once_and_answers_as_the_file_system_does() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("real/agents")).unwrap();
        std::fs::write(root.join("file"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).unwrap();
        std::os::unix::fs::symlink(root.join("file"), root.join("to-file")).unwrap();
        let disk = Disk::default();
        for (path, entry, exists_as_dir) in [
            ("real/agents", Entry::Dir, (true, true)),
            ("missing", Entry::Missing, (false, false)),
            ("file", Entry::Other, (true, false)),
            ("link", Entry::Symlink, (true, true)),
            ("to-file", Entry::Symlink, (true, false)),
            ("file/below", Entry::Unknown, (false, false)),
        ] {
            let path = root.join(path);
            assert_eq!(disk.entry(&path), entry, "{path:?}");
            assert_eq!(disk.exists_as_dir(&path), exists_as_dir, "{path:?}");
            assert_eq!(
                disk.exists_as_dir(&path),
                (path.exists(), path.is_dir()),
                "{path:?}"
            );
        }
        // Remembered: a directory removed since is still what the plan saw.
        std::fs::remove_dir(root.join("real/agents")).unwrap();
        assert_eq!(disk.entry(&root.join("real/agents")), Entry::Dir);
        assert_eq!(
            disk.symlink_on_the_way(root, &root.join("link/agents")),
            Some(root.join("link"))
        );
        assert_eq!(
            disk.symlink_on_the_way(root, &root.join("real/agents")),
            None
        );
        // A file in a directory seen missing is missing; one in an unreadable path is an error, as before.
        std::fs::create_dir(root.join("missing")).unwrap();
        std::fs::write(root.join("missing/a.md"), "a").unwrap();
        assert!(
            disk.read_regular(&root.join("missing/a.md"))
                .unwrap()
                .is_none()
        );
        assert!(disk.read_regular(&root.join("file/below/a.md")).is_err());
        assert!(matches!(
            disk.read_regular(&root.join("file")).unwrap(),
            Some(OnDisk::File(bytes)) if bytes == b"x"
        ));
    }
}
