//! The write-ahead journal of an install: its whole intent, written before the first change, and the
//! file-system operations that carry it out, commit it or roll it back.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil;
use crate::in_order::on_every_core;
use crate::lockfile;
use crate::names::{is_sha256, sha256_hex};

use super::{Action, Places};

/// The write-ahead journal of an install in progress, in the manifest's directory. It exists only while
/// an install is writing, or after one was killed; the next install finishes or undoes that one first.
pub const JOURNAL_NAME: &str = ".agentpack-journal";

/// The journal format version.
pub(super) const JOURNAL_VERSION: u32 = 1;

/// The whole intent of an install: every file it will write, move aside or remove, under names fixed in
/// advance, and the sha256 each final file will have. Steps run in this order: create directories,
/// stage every new file, move aside every file replaced or removed, rename the staged files into place,
/// and rename the staged lock last.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Journal {
    pub(super) version: u32,
    /// Directories the install creates, outermost first.
    pub(super) created_dirs: Vec<PathBuf>,
    /// Set when the target directory is new or empty and every step creates a file: all of them are
    /// staged in one directory beside the target, which then becomes the target in a single rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) staged_tree: Option<StagedTree>,
    pub(super) steps: Vec<Step>,
    pub(super) lock: Option<Step>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct StagedTree {
    /// `.agentpack-<id>.tree` beside the target; the staged files are in it under their final names.
    dir: PathBuf,
    target: PathBuf,
}

/// A target directory that does not exist yet or is empty (and not a symlink) can be replaced whole.
fn new_or_empty(target: &Path) -> bool {
    match std::fs::symlink_metadata(target) {
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        Ok(meta) => {
            meta.is_dir() && std::fs::read_dir(target).is_ok_and(|mut e| e.next().is_none())
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Step {
    pub(super) file: PathBuf,
    /// Where the new content is written before it is renamed into place (none for a removal).
    pub(super) staged: Option<PathBuf>,
    /// Where the file's previous content is moved (for a replacement or a removal).
    pub(super) backup: Option<PathBuf>,
    /// sha256 of the new content; none for a removal.
    pub(super) sha256: Option<String>,
    /// The new content is written with mode 0o755 (a skill's script).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) executable: bool,
}

impl Journal {
    pub(super) fn plan(
        places: &Places,
        changes: &[(&Action, Option<&[u8]>)],
        lock: Option<(&Path, &[u8])>,
    ) -> Self {
        let target = places.agents.as_path();
        let id = transaction_id();
        let beside = |file: &Path, n: usize, ext: &str| {
            file.with_file_name(format!(".agentpack-{id}-{n}.{ext}"))
        };
        // One rename for the whole tree only when every step creates an agent file in the target.
        let only_creates = !changes.is_empty()
            && changes.iter().all(|(action, _)| {
                matches!(action, Action::Create { .. }) && action.file().parent() == Some(target)
            });
        let staged_tree = (only_creates && new_or_empty(target)).then(|| StagedTree {
            dir: target.with_file_name(format!(".agentpack-{id}.tree")),
            target: target.to_path_buf(),
        });
        let staged_at = |file: &Path, n: usize| match &staged_tree {
            Some(tree) => tree
                .dir
                .join(file.file_name().expect("agent files have a name")),
            None => beside(file, n, "tmp"),
        };
        let steps = changes
            .iter()
            .enumerate()
            .map(|(n, (action, bytes))| Step {
                file: action.file().to_path_buf(),
                staged: bytes.map(|_| staged_at(action.file(), n)),
                backup: matches!(action, Action::Replace { .. } | Action::Remove { .. })
                    .then(|| beside(action.file(), n, "bak")),
                sha256: action.sha256().map(ToString::to_string),
                executable: matches!(
                    action,
                    Action::Create {
                        executable: true,
                        ..
                    } | Action::Replace {
                        executable: true,
                        ..
                    }
                ),
            })
            .collect();
        // Every missing folder on the way to a written file, outermost first. Files share folders: each
        // is looked up once, not once per file.
        let folders: std::collections::HashSet<&Path> = changes
            .iter()
            .filter(|(_, bytes)| bytes.is_some())
            .filter_map(|(action, _)| action.file().parent())
            .collect();
        let mut created_dirs: Vec<PathBuf> = folders
            .into_iter()
            .flat_map(|dir| dir.ancestors().take_while(|d| !d.exists()))
            .map(Path::to_path_buf)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        created_dirs.sort_by_key(|d| d.components().count());
        Journal {
            version: JOURNAL_VERSION,
            created_dirs,
            staged_tree,
            steps,
            lock: lock.map(|(path, bytes)| Step {
                file: path.to_path_buf(),
                staged: Some(beside(path, changes.len(), "tmp")),
                backup: None,
                sha256: Some(sha256_hex(bytes)),
                executable: false,
            }),
        }
    }

    pub(super) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("the journal serializes")
    }

    /// The journal is a file in the user's project: refuse one that names anything but agentpack's own
    /// files in the project or the target directory.
    pub(super) fn check(&self, places: &Places) -> std::result::Result<(), String> {
        let (root, target) = (places.root.as_path(), places.agents.as_path());
        if self.version != JOURNAL_VERSION {
            return Err(format!(
                "has version {}, but this agentpack reads version {JOURNAL_VERSION}",
                self.version
            ));
        }
        let normal = |p: &Path| p.is_absolute() && crate::fsutil::normalize(p) == p;
        let own_name = |p: &Path| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".agentpack-"))
        };
        if let Some(tree) = &self.staged_tree
            && !(normal(&tree.dir)
                && tree.target == target
                && tree.dir.parent() == target.parent()
                && own_name(&tree.dir))
        {
            return Err(format!(
                "names a staging directory it may not use: `{}`",
                tree.dir.display()
            ));
        }
        // Staged and moved-aside files are agentpack's own names, beside the file they stand for (or, for
        // a staged tree, the file's own name in the staging directory).
        let own_beside = |p: Option<&Path>, file: &Path| {
            p.is_none_or(|p| {
                let in_tree = self.staged_tree.as_ref().is_some_and(|tree| {
                    p.parent() == Some(tree.dir.as_path()) && p.file_name() == file.file_name()
                });
                normal(p) && (in_tree || (p.parent() == file.parent() && own_name(p)))
            })
        };
        let valid = |step: &Step, file_ok: bool| {
            let sha_ok = step.sha256.as_deref().is_none_or(is_sha256);
            file_ok
                && normal(&step.file)
                && own_beside(step.staged.as_deref(), &step.file)
                && own_beside(step.backup.as_deref(), &step.file)
                && sha_ok
                && step.staged.is_some() == step.sha256.is_some()
        };
        for dir in &self.created_dirs {
            // A kind's directory, its missing ancestors or folders inside it; never the project directory
            // or anything above it.
            let near_a_place =
                (places.dirs().iter()).any(|d| d.starts_with(dir) || dir.starts_with(d));
            if !normal(dir) || !near_a_place || root.starts_with(dir) {
                return Err(format!(
                    "names a directory it may not create: `{}`",
                    dir.display()
                ));
            }
        }
        for step in &self.steps {
            // Only files in their kind's place: a journal committed to a repository must not be able to
            // write `.git/hooks/...` or `agentpack.toml`.
            if !valid(step, places.may_hold(&step.file)) {
                return Err(format!("has an invalid step for `{}`", step.file.display()));
            }
        }
        if let Some(lock) = &self.lock
            && !valid(
                lock,
                lock.file == root.join(lockfile::LOCK_NAME) && lock.backup.is_none(),
            )
        {
            return Err(format!(
                "has an invalid lock step for `{}`",
                lock.file.display()
            ));
        }
        Ok(())
    }

    pub(super) fn run(
        &self,
        changes: &[(&Action, Option<&[u8]>)],
        lock: Option<&[u8]>,
    ) -> Result<()> {
        // Staging new files is most of an install into an empty target, and most of that is the kernel
        // creating them: two threads creating files in one folder overlap each other's writes (about a
        // third less time than one on corpus R). Every other step keeps its order.
        let ops = self.ops(changes, lock);
        let both_staged = |a: &Op<'_>, b: &Op<'_>| matches!((a, b), (Op::Stage(..), Op::Stage(..)));
        for run in ops.chunk_by(both_staged) {
            if matches!(run[0], Op::Stage(..)) {
                on_every_core(run, Op::run)
                    .into_iter()
                    .collect::<Result<()>>()?;
            } else {
                run.iter().try_for_each(Op::run)?;
            }
        }
        Ok(())
    }

    /// The file-system operations of the install, in order: create directories, stage every new file,
    /// move aside every file replaced or removed, rename the staged files into place, the lock last.
    pub(super) fn ops<'a>(
        &'a self,
        changes: &[(&Action, Option<&'a [u8]>)],
        lock: Option<&'a [u8]>,
    ) -> Vec<Op<'a>> {
        // With a staged tree the target itself is made by the rename of the staging directory.
        let tree = self.staged_tree.as_ref();
        let mut ops: Vec<Op<'a>> = self
            .created_dirs
            .iter()
            .filter(|d| tree.is_none_or(|t| **d != t.target))
            .chain(tree.map(|t| &t.dir))
            .map(|d| Op::CreateDir(d))
            .collect();
        for (step, (_, bytes)) in self.steps.iter().zip(changes) {
            if let (Some(staged), Some(bytes)) = (&step.staged, bytes) {
                ops.push(Op::Stage(staged, bytes, step.executable));
            }
        }
        if let (
            Some(Step {
                staged: Some(staged),
                ..
            }),
            Some(bytes),
        ) = (&self.lock, lock)
        {
            ops.push(Op::Stage(staged, bytes, false));
        }
        for step in &self.steps {
            if let Some(backup) = &step.backup {
                ops.push(Op::MoveAside(&step.file, backup));
            }
        }
        if let Some(tree) = tree {
            ops.push(Op::PlaceTree(&tree.dir, &tree.target));
        }
        let placed_one_by_one = if tree.is_some() {
            &[][..]
        } else {
            &self.steps[..]
        };
        for step in placed_one_by_one.iter().chain(&self.lock) {
            if let Some(staged) = &step.staged {
                ops.push(Op::Place(staged, &step.file));
            }
        }
        ops
    }

    /// Has every step reached its final state? Nothing before the last rename looks like this: every
    /// file changes (an unchanged one is not journaled) and the lock is renamed last.
    pub(super) fn reached_new_state(&self) -> bool {
        self.steps
            .iter()
            .chain(&self.lock)
            .all(|step| match &step.sha256 {
                Some(sha) => holds(&step.file, sha),
                None => std::fs::symlink_metadata(&step.file).is_err(),
            })
    }

    /// Remove the backups (and any leftover staged file). True when nothing is left.
    pub(super) fn commit(&self) -> bool {
        // A staged tree renamed onto the target took its staged files with it: one look at the staging
        // directory instead of one per file.
        let tree_gone = self.staged_tree.as_ref().filter(|tree| {
            std::fs::symlink_metadata(&tree.dir)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        });
        let in_gone_tree =
            |staged: &&PathBuf| tree_gone.is_some_and(|t| staged.parent() == Some(t.dir.as_path()));
        let mut clean = true;
        for step in self.steps.iter().chain(&self.lock) {
            let staged = step.staged.iter().filter(|s| !in_gone_tree(s));
            for leftover in staged.chain(&step.backup) {
                clean &= remove_if_exists(leftover);
            }
        }
        clean
    }

    /// Undo every step, newest first. Idempotent: each undo is a rename or a removal checked against the
    /// disk, so a rollback that is itself killed can run again. True when everything was undone.
    pub(super) fn roll_back(&self) -> bool {
        let mut clean = true;
        if let Some(staged) = self.lock.as_ref().and_then(|l| l.staged.as_ref()) {
            clean &= remove_if_exists(staged);
        }
        for step in self.steps.iter().rev() {
            if let Some(staged) = &step.staged {
                clean &= remove_if_exists(staged);
            }
            match (&step.backup, &step.sha256) {
                (Some(backup), _) => {
                    if std::fs::symlink_metadata(backup).is_ok() {
                        clean &= std::fs::rename(backup, &step.file).is_ok();
                    }
                }
                // A created file is removed only while it still holds what this install wrote.
                (None, Some(sha)) => {
                    if holds(&step.file, sha) {
                        clean &= remove_if_exists(&step.file);
                    }
                }
                (None, None) => {}
            }
        }
        if let Some(tree) = &self.staged_tree {
            // Its staged files are gone by now; it was agentpack's own, so it must go too.
            clean &= match std::fs::remove_dir(&tree.dir) {
                Ok(()) => true,
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            };
        }
        for dir in self.created_dirs.iter().rev() {
            // Only while empty: whatever someone else put there stays.
            let _ = std::fs::remove_dir(dir);
        }
        clean
    }
}

/// One file-system operation of an install. Each is a single system call except staging, whose partial
/// result (a `.agentpack-*.tmp` file) is discarded whatever the recovery decides.
pub(super) enum Op<'a> {
    CreateDir(&'a Path),
    /// (staged, bytes, executable)
    Stage(&'a Path, &'a [u8], bool),
    /// (file, backup)
    MoveAside(&'a Path, &'a Path),
    /// (staged, file)
    Place(&'a Path, &'a Path),
    /// (staging directory, target): one rename for every file, onto a target that is absent or empty.
    PlaceTree(&'a Path, &'a Path),
}

impl Op<'_> {
    pub(super) fn run(&self) -> Result<()> {
        match *self {
            Op::CreateDir(dir) => {
                std::fs::create_dir(dir).map_err(|e| Error::io("create directory", dir, e))
            }
            Op::Stage(path, bytes, executable) => stage(path, bytes, executable),
            Op::MoveAside(file, backup) => {
                std::fs::rename(file, backup).map_err(|e| Error::io("move aside", file, e))
            }
            Op::Place(staged, file) => {
                std::fs::rename(staged, file).map_err(|e| Error::io("install", file, e))
            }
            Op::PlaceTree(dir, target) => {
                // An empty target that exists is replaced: it keeps its permissions. A target that is
                // no longer empty makes the rename fail (ENOTEMPTY), and the install rolls back.
                if let Ok(meta) = std::fs::symlink_metadata(target) {
                    std::fs::set_permissions(dir, meta.permissions())
                        .map_err(|e| Error::io("set the permissions of", dir, e))?;
                }
                std::fs::rename(dir, target).map_err(|e| Error::io("install", target, e))
            }
        }
    }
}

/// Whether `path` is a regular file whose sha256 is `sha`.
fn holds(path: &Path, sha: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == sha)
}

fn remove_if_exists(path: &Path) -> bool {
    // Checked first: on a read-only file system, removing a missing file fails with EROFS, not ENOENT.
    if std::fs::symlink_metadata(path).is_err() {
        return true;
    }
    match std::fs::remove_file(path) {
        Ok(()) => true,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Write `bytes` to a new file at `path`. No fsync: the journal and the renames make a killed install
/// recoverable, and like cargo, npm and uv, agentpack does not promise durability across a power loss
/// (fsyncing every file made installs of a few hundred agents seconds slower).
fn stage(path: &Path, bytes: &[u8], executable: bool) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mode = fsutil::file_permissions().mode();
        options.mode(if executable { mode | 0o111 } else { mode });
    }
    #[cfg(not(unix))]
    let _ = executable;
    let mut file = options
        .open(path)
        .map_err(|e| Error::io("create", path, e))?;
    file.write_all(bytes)
        .map_err(|e| Error::io("write", path, e))
}

/// A name no other install picks: the process id, the time, and a per-process counter, hashed.
fn transaction_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = format!(
        "{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    sha256_hex(seed.as_bytes())[..12].to_string()
}
