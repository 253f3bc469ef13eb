//! Installing: from the selected agents to files in the target directory, without ever losing a user's file.
//!
//! 1. [`collisions`]: two agents may not land on one installed name (compared case-insensitively, since
//!    macOS and Windows file systems are).
//! 2. [`plan`]: compare what should be installed with the disk and the previous lock. A file agentpack did
//!    not install, or one edited since (its sha256 differs from the lock), is never replaced or removed
//!    without `--force`; identical bytes are adopted as they are.
//! 3. [`apply`]: a small transaction. New contents are staged as temporary files beside their targets
//!    (named `.agentpack-*.tmp`, which Claude Code does not load); files to replace or remove are moved to
//!    `.agentpack-*.bak`; staged files are renamed into place; the lock is written atomically last. Any
//!    failure rolls every step back, so the target directory and the lock stay exactly as they were.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::lockfile::{self, Lockfile};
use crate::names::sha256_hex;
use crate::select::SelectedAgent;

/// An agent with the file it goes to.
#[derive(Debug, Clone)]
pub struct Placed {
    pub agent: SelectedAgent,
    /// Absolute path of the installed file.
    pub file: PathBuf,
    pub sha256: String,
}

impl Placed {
    pub fn new(agent: SelectedAgent, target: &Path) -> Self {
        let file = target.join(format!("{}.md", agent.installed_name));
        let sha256 = sha256_hex(&agent.bytes);
        Placed {
            agent,
            file,
            sha256,
        }
    }
}

/// Two agents that would be installed under the same name: an error naming both, suggesting `rename`.
pub fn collisions(placed: &[Placed]) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<String, Vec<&Placed>> = BTreeMap::new();
    for p in placed {
        by_name
            .entry(p.agent.installed_name.to_lowercase())
            .or_default()
            .push(p);
    }
    by_name
        .values()
        .filter(|group| group.len() > 1)
        .map(|group| {
            let places: Vec<String> = group
                .iter()
                .map(|p| format!("`{}:{}`", p.agent.source, p.agent.repo_path))
                .collect();
            let second = group[1];
            Diagnostic::error(
                "name-collision",
                format!(
                    "{} agents would be installed as `{}`: {}",
                    group.len(),
                    group[0].agent.installed_name,
                    places.join(", ")
                ),
            )
            .with_hint(format!(
                "install them under different names, e.g. in [sources.{}]: rename = {{ \"{}\" = \"{}-2\" }}, or exclude all but one",
                second.agent.source,
                second.agent.repo_path,
                second.agent.original_name
            ))
        })
        .collect()
}

/// One step of an install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create { file: PathBuf, bytes: Vec<u8> },
    Replace { file: PathBuf, bytes: Vec<u8> },
    Remove { file: PathBuf },
    Unchanged { file: PathBuf },
}

impl Action {
    pub fn file(&self) -> &Path {
        match self {
            Action::Create { file, .. }
            | Action::Replace { file, .. }
            | Action::Remove { file }
            | Action::Unchanged { file } => file,
        }
    }
}

/// Decide what to do with every file, refusing (unless `force`) to touch files the user owns.
pub fn plan(
    placed: &[Placed],
    previous: Option<&Lockfile>,
    root: &Path,
    target: &Path,
    force: bool,
) -> Result<Vec<Action>> {
    if target.exists() && !target.is_dir() {
        return Err(Error::Usage {
            message: format!(
                "target `{}` exists and is not a directory",
                target.display()
            ),
            hint: Some("move it away, or set another `[install] target` in agentpack.toml".into()),
        });
    }
    let managed = managed_files(previous, root, target);
    let mut problems = Vec::new();
    let mut actions = Vec::new();
    let show = |file: &Path| lockfile::file_label(root, file);

    for p in placed {
        let on_disk = read_regular(&p.file)?;
        let action = match on_disk {
            None => Action::Create {
                file: p.file.clone(),
                bytes: p.agent.bytes.clone(),
            },
            Some(OnDisk::File(bytes)) if bytes == p.agent.bytes => Action::Unchanged {
                file: p.file.clone(),
            },
            Some(on_disk) => {
                let protected = match (&on_disk, managed.get(&p.file)) {
                    (OnDisk::File(bytes), Some(locked)) if &sha256_hex(bytes) == locked => None,
                    (OnDisk::File(_), Some(_)) => {
                        Some(("modified-file", "was edited since agentpack installed it"))
                    }
                    (OnDisk::File(_), None) => {
                        Some(("unmanaged-file", "was not installed by agentpack"))
                    }
                    (OnDisk::Other, _) => Some(("unmanaged-file", "is not a regular file")),
                };
                if let (Some((code, why)), false) = (protected, force) {
                    problems.push(
                        Diagnostic::error(
                            code,
                            format!(
                                "`{}` {why}; agentpack will not overwrite it",
                                show(&p.file)
                            ),
                        )
                        .at(Location::file(show(&p.file)))
                        .with_hint(format!(
                            "move it away, rename the incoming agent with `rename`, or run with `--force` to replace it with `{}:{}`",
                            p.agent.source, p.agent.repo_path
                        )),
                    );
                }
                Action::Replace {
                    file: p.file.clone(),
                    bytes: p.agent.bytes.clone(),
                }
            }
        };
        actions.push(action);
    }

    let wanted: BTreeSet<&PathBuf> = placed.iter().map(|p| &p.file).collect();
    for (file, locked_hash) in &managed {
        if wanted.contains(file) {
            continue;
        }
        match read_regular(file)? {
            None => {}
            Some(OnDisk::File(bytes)) if &sha256_hex(&bytes) == locked_hash || force => {
                actions.push(Action::Remove { file: file.clone() })
            }
            Some(_) if force => actions.push(Action::Remove { file: file.clone() }),
            Some(_) => problems.push(
                Diagnostic::error(
                    "modified-file",
                    format!(
                        "`{}` is no longer in the manifest, but it was edited since agentpack installed it; agentpack will not delete it",
                        show(file)
                    ),
                )
                .at(Location::file(show(file)))
                .with_hint("move it out of the target directory to keep it, or run with `--force` to delete it"),
            ),
        }
    }

    if problems.is_empty() {
        Ok(actions)
    } else {
        Err(Error::CheckFailed {
            diagnostics: problems,
        })
    }
}

/// Files the previous lock says agentpack installed, with their locked sha256. Only entries for a file
/// directly in the target directory count: a lock edited by hand (or by someone else) must not make
/// agentpack replace or delete any other file of the project. Entries elsewhere (e.g. from before
/// `target` changed) are left alone, and `agentpack verify` reports them.
fn managed_files(
    previous: Option<&Lockfile>,
    root: &Path,
    target: &Path,
) -> BTreeMap<PathBuf, String> {
    previous
        .map(|l| l.agents.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|agent| (crate::manifest::normalize(&root.join(&agent.file)), agent))
        .filter(|(file, _)| file.parent() == Some(target))
        .map(|(file, agent)| (file, agent.sha256.clone()))
        .collect()
}

enum OnDisk {
    File(Vec<u8>),
    /// A directory, symlink or other non-regular entry.
    Other,
}

fn read_regular(path: &Path) -> Result<Option<OnDisk>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
        Ok(meta) if meta.is_file() => Ok(fsutil::read_if_exists(path)?.map(OnDisk::File)),
        Ok(_) => Ok(Some(OnDisk::Other)),
    }
}

/// Carry out `actions`, then write `lock` to `lock_path` (when given). All or nothing.
pub fn apply(target: &Path, actions: &[Action], lock: Option<(&Path, &Lockfile)>) -> Result<()> {
    let mut tx = Transaction::default();
    match tx.run(target, actions, lock) {
        Ok(()) => {
            tx.commit();
            Ok(())
        }
        Err(e) => {
            tx.rollback();
            Err(e)
        }
    }
}

/// The undo log of an install in progress.
#[derive(Default)]
struct Transaction {
    /// Directories created, outermost first.
    created_dirs: Vec<PathBuf>,
    /// Staged new contents: (temporary file, final path).
    staged: Vec<(tempfile::TempPath, PathBuf)>,
    /// Originals moved aside: (backup, original path).
    backups: Vec<(PathBuf, PathBuf)>,
    /// Final paths that now hold new content.
    placed: Vec<PathBuf>,
}

impl Transaction {
    fn run(
        &mut self,
        target: &Path,
        actions: &[Action],
        lock: Option<(&Path, &Lockfile)>,
    ) -> Result<()> {
        let writes = actions
            .iter()
            .any(|a| matches!(a, Action::Create { .. } | Action::Replace { .. }));
        if writes {
            self.create_dir_all(target)?;
        }
        for action in actions {
            if let Action::Create { file, bytes } | Action::Replace { file, bytes } = action {
                self.stage(file, bytes)?;
            }
        }
        for action in actions {
            if let Action::Replace { file, .. } | Action::Remove { file } = action {
                self.move_aside(file)?;
            }
        }
        for (tmp, file) in std::mem::take(&mut self.staged) {
            tmp.persist(&file)
                .map_err(|e| Error::io("install", file.clone(), e.error))?;
            self.placed.push(file);
        }
        if let Some((path, lock)) = lock {
            lock.write(path)?;
        }
        Ok(())
    }

    fn create_dir_all(&mut self, dir: &Path) -> Result<()> {
        let missing: Vec<&Path> = dir.ancestors().take_while(|d| !d.exists()).collect();
        for d in missing.into_iter().rev() {
            std::fs::create_dir(d).map_err(|e| Error::io("create directory", d, e))?;
            self.created_dirs.push(d.to_path_buf());
        }
        Ok(())
    }

    fn stage(&mut self, file: &Path, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let dir = file
            .parent()
            .expect("installed files live in the target directory");
        let mut tmp = tempfile::Builder::new()
            .prefix(".agentpack-")
            .suffix(".tmp")
            .permissions(crate::fsutil::file_permissions())
            .tempfile_in(dir)
            .map_err(|e| Error::io("create a temporary file in", dir, e))?;
        // No fsync (see `fsutil::write_atomic` for why): the renames keep a killed install atomic.
        tmp.write_all(bytes)
            .map_err(|e| Error::io("write", tmp.path().to_path_buf(), e))?;
        self.staged.push((tmp.into_temp_path(), file.to_path_buf()));
        Ok(())
    }

    fn move_aside(&mut self, file: &Path) -> Result<()> {
        let dir = file.parent().expect("installed files live in a directory");
        let backup = tempfile::Builder::new()
            .prefix(".agentpack-")
            .suffix(".bak")
            .tempfile_in(dir)
            .map_err(|e| Error::io("create a backup file in", dir, e))?
            .into_temp_path()
            .keep()
            .map_err(|e| Error::io("create a backup file in", dir, e.error))?;
        std::fs::rename(file, &backup).map_err(|e| {
            let _ = std::fs::remove_file(&backup);
            Error::io("move aside", file, e)
        })?;
        self.backups.push((backup, file.to_path_buf()));
        Ok(())
    }

    fn commit(self) {
        for (backup, _) in self.backups {
            let _ = std::fs::remove_file(backup);
        }
    }

    /// Undo in reverse order. Best effort: each step is a rename within one directory.
    fn rollback(self) {
        for file in self.placed.iter().rev() {
            let _ = std::fs::remove_file(file);
        }
        for (backup, original) in self.backups.iter().rev() {
            let _ = std::fs::rename(backup, original);
        }
        drop(self.staged); // TempPath deletes the staged files.
        for dir in self.created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
