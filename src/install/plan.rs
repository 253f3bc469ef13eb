//! The plan of an install: compare what should be installed with the disk and the previous lock. A file
//! agentpack did not install, or one edited since (its sha256 differs from the lock), is never replaced or
//! removed without `--force`; identical bytes are adopted as they are, and the lock records that agentpack
//! did not write them: an adopted file is never replaced without `--force`, and never deleted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::lockfile::Lockfile;
use crate::names::{Sha256, sha256_hex};

use super::disk::{Disk, Entry, OnDisk};
use super::{Item, ItemKind, Places};

/// One step of an install. The bytes to write are the item's own (an install's files are held once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    Create {
        file: PathBuf,
        bytes: &'a [u8],
        /// Of `bytes` (the item's: see [`Item::sha256`]); the journal records it.
        sha256: Sha256,
        /// Written with mode 0o755 (a skill's script).
        executable: bool,
    },
    Replace {
        file: PathBuf,
        bytes: &'a [u8],
        sha256: Sha256,
        executable: bool,
    },
    Remove {
        file: PathBuf,
    },
    Unchanged {
        file: PathBuf,
    },
    /// An installed file the user edited, which the install would leave as the lock has it: it is not
    /// touched (the edit stays), and reported; `agentpack verify` still fails on it.
    Edited {
        file: PathBuf,
    },
    /// The file already holds exactly the bytes to install, but agentpack did not write them (now or in
    /// an earlier install): it is left as it is and recorded as adopted, so it is never deleted.
    Adopt {
        file: PathBuf,
    },
    /// An adopted file the manifest no longer selects: left in place, and no longer in the lock.
    Keep {
        file: PathBuf,
    },
}

impl<'a> Action<'a> {
    pub fn file(&self) -> &Path {
        match self {
            Action::Create { file, .. }
            | Action::Replace { file, .. }
            | Action::Remove { file }
            | Action::Unchanged { file }
            | Action::Edited { file }
            | Action::Adopt { file }
            | Action::Keep { file } => file,
        }
    }

    /// The sha256 of what a write puts in place.
    pub(super) fn sha256(&self) -> Option<&Sha256> {
        match self {
            Action::Create { sha256, .. } | Action::Replace { sha256, .. } => Some(sha256),
            _ => None,
        }
    }

    /// Only writes and removals change the disk.
    pub(super) fn change(&self) -> Option<(&Self, Option<&'a [u8]>)> {
        match *self {
            Action::Create { bytes, .. } | Action::Replace { bytes, .. } => {
                Some((self, Some(bytes)))
            }
            Action::Remove { .. } => Some((self, None)),
            Action::Unchanged { .. }
            | Action::Edited { .. }
            | Action::Adopt { .. }
            | Action::Keep { .. } => None,
        }
    }
}

/// Decide what to do with every file, refusing (unless `force`) to touch files the user owns. An edited
/// file whose locked content the install would not change is kept as the user has it ([`Action::Edited`]):
/// only a file the install needs to replace or remove is in the way.
pub fn plan<'a>(
    placed: &'a [Item],
    previous: Option<&Lockfile>,
    places: &Places,
    force: bool,
) -> Result<Vec<Action<'a>>> {
    let root = places.root.as_path();
    let disk = Disk::default();
    for dir in places.dirs() {
        check_target(&disk, root, dir)?;
    }
    // Selection checked every name and path; this is the last line: nothing is written elsewhere.
    if let Some(stray) = placed.iter().find(|p| !places.may_hold(&p.file)) {
        return Err(Error::Usage {
            message: format!(
                "`{}` from `{}` would be installed outside the directories of its kind",
                places.show(&stray.file),
                stray.label()
            ),
            hint: Some("this is a bug in agentpack: please report it".into()),
        });
    }
    check_folders(&disk, placed, places)?;
    let planner = Planner {
        managed: managed_files(previous, places),
        disk,
        root,
        home: places.home.as_deref(),
        force,
    };
    let mut problems = Vec::new();
    let mut actions = Vec::new();
    // Hashed, not ordered, by path: a lock of 2,000 files is compared path by path otherwise. What the
    // lock has and this install no longer places is then taken in path order.
    let wanted: HashSet<&Path> = placed.iter().map(|p| p.file.as_path()).collect();
    let mut dropped: Vec<_> = (planner.managed.iter())
        .filter(|(file, _)| !wanted.contains(file.as_path()))
        .collect();
    dropped.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for planned in (placed.iter().map(|p| planner.place(p))).chain(
        dropped
            .into_iter()
            .map(|(file, locked)| planner.dropped(file, locked)),
    ) {
        let (action, problem) = planned?;
        actions.extend(action);
        problems.extend(problem);
    }
    if problems.is_empty() {
        Ok(actions)
    } else {
        Err(Error::CheckFailed {
            diagnostics: problems,
        })
    }
}

/// A folder on the way to a file (a skill's, or a command's namespace) must be a real directory too, at
/// every level: a user's file where a skill needs a folder stops the install before anything is
/// written, naming both. Files share folders: each folder is checked once, for its first file.
fn check_folders(disk: &Disk, placed: &[Item], places: &Places) -> Result<()> {
    let mut folders: HashSet<&Path> = HashSet::new();
    for item in placed {
        let Some(parent) = item.file.parent() else {
            continue;
        };
        if !folders.insert(parent) {
            continue;
        }
        let base = places.dir(item.kind);
        let blocker = (parent.ancestors())
            .take_while(|dir| dir.starts_with(base) && *dir != base)
            .find(|dir| matches!(disk.entry(dir), Entry::Symlink | Entry::Other));
        if let Some(blocker) = blocker {
            return Err(Error::Usage {
                message: format!(
                    "`{}` is a file, but {} `{}` needs a folder there for `{}`",
                    places.show(blocker),
                    item.kind.noun(),
                    item.installed_name,
                    places.show(&item.file)
                ),
                hint: Some("move the file away, then run the command again".into()),
            });
        }
        check_target(disk, &places.root, parent)?;
    }
    Ok(())
}

/// The target must be a real directory of the project (or not exist yet).
fn check_target(disk: &Disk, root: &Path, target: &Path) -> Result<()> {
    if let (true, false) = disk.exists_as_dir(target) {
        return Err(Error::Usage {
            message: format!(
                "target `{}` exists and is not a directory",
                target.display()
            ),
            hint: Some("move it away, or set another `[install] target` in agentpack.toml".into()),
        });
    }
    if let Some(link) = disk.symlink_on_the_way(root, target) {
        return Err(Error::Usage {
            message: format!(
                "target `{}` goes through the symlink `{}`; agentpack installs only into a real directory of the project",
                target.display(),
                link.display()
            ),
            hint: Some(
                "replace the symlink by a directory, or set `[install] target` to the directory it points at".into(),
            ),
        });
    }
    Ok(())
}

/// What [`plan`] compares each file with: the previous lock's files, and whether `--force` was given.
struct Planner<'a> {
    managed: HashMap<PathBuf, Managed>,
    disk: Disk,
    root: &'a Path,
    home: Option<&'a Path>,
    force: bool,
}

/// The decision for one file: what to do with it, and the problem that refuses it (unless `--force`).
type Planned<'a> = (Option<Action<'a>>, Option<Diagnostic>);

impl Planner<'_> {
    fn show(&self, file: &Path) -> String {
        crate::scope::shown(self.root, file, self.home)
    }

    /// The action for an item to install: create, keep, adopt, or replace (a protected file's
    /// replacement comes with the problem that refuses it, unless `--force`).
    fn place<'i>(&self, p: &'i Item) -> Result<Planned<'i>> {
        let file = p.file.clone();
        let owned = self.managed.get(&p.file).filter(|m| !m.adopted);
        let (action, problem) = match self.disk.read_regular(&p.file)? {
            None => (
                Action::Create {
                    file,
                    bytes: &p.bytes,
                    sha256: p.sha256.clone(),
                    executable: p.executable,
                },
                None,
            ),
            Some(OnDisk::File(bytes)) if bytes == p.bytes && owned.is_some() => {
                (Action::Unchanged { file }, None)
            }
            Some(OnDisk::File(bytes)) if bytes == p.bytes => (Action::Adopt { file }, None),
            Some(OnDisk::Dir) => return Ok((None, Some(is_a_directory(&self.show(&p.file))))),
            Some(OnDisk::File(_)) if !self.force && owned.map(|m| &m.sha256) == Some(&p.sha256) => {
                (Action::Edited { file }, None)
            }
            Some(on_disk) => {
                let problem = protection(&on_disk, self.managed.get(&p.file))
                    .filter(|_| !self.force)
                    .map(|(code, why)| self.refuse_to_replace(p, code, why));
                let replace = Action::Replace {
                    file,
                    bytes: &p.bytes,
                    sha256: p.sha256.clone(),
                    executable: p.executable,
                };
                (replace, problem)
            }
        };
        Ok((Some(action), problem))
    }

    fn refuse_to_replace(&self, p: &Item, code: &'static str, why: &str) -> Diagnostic {
        let shown = self.show(&p.file);
        Diagnostic::error(
            code,
            format!("`{shown}` {why}; agentpack will not overwrite it"),
        )
        .at(Location::file(&shown))
        .with_hint(if code == "modified-file" && p.kind == ItemKind::Agent {
            format!(
                "keep your edit with `agentpack patch {}` (it is then re-applied to the new version), or run with `--force` to replace it with `{}`",
                p.installed_name,
                p.label()
            )
        } else if code == "modified-file" {
            // Local patches are for agents: a skill's or command's edit is kept by moving it away.
            format!(
                "copy your edit elsewhere, or run with `--force` to replace it with `{}`",
                p.label()
            )
        } else {
            format!(
                "move it away, rename the incoming {} with `rename`, or run with `--force` to replace it with `{}`",
                p.kind.noun(),
                p.label()
            )
        })
    }

    /// The action for a file the previous lock names and this install no longer places.
    fn dropped<'i>(&self, file: &Path, locked: &Managed) -> Result<Planned<'i>> {
        let file_owned = || file.to_path_buf();
        Ok(match self.disk.read_regular(file)? {
            None => (None, None),
            Some(OnDisk::Dir) => (None, Some(is_a_directory(&self.show(file)))),
            // Not agentpack's to delete, even with `--force`: it only stops tracking it.
            Some(_) if locked.adopted => (Some(Action::Keep { file: file_owned() }), None),
            Some(OnDisk::File(bytes)) if sha256_hex(&bytes) == locked.sha256 || self.force => {
                (Some(Action::Remove { file: file_owned() }), None)
            }
            Some(_) if self.force => (Some(Action::Remove { file: file_owned() }), None),
            Some(_) => {
                let shown = self.show(file);
                let problem = Diagnostic::error(
                    "modified-file",
                    format!(
                        "`{shown}` is no longer in the manifest, but it was edited since agentpack installed it; agentpack will not delete it",
                    ),
                )
                .at(Location::file(&shown))
                .with_hint("move it out of the target directory to keep it, or run with `--force` to delete it");
                (None, Some(problem))
            }
        })
    }
}

/// Why a file in the way of an install may not be replaced without `--force`: a code and the reason; none
/// when it is agentpack's own, unedited.
fn protection(on_disk: &OnDisk, managed: Option<&Managed>) -> Option<(&'static str, &'static str)> {
    match (on_disk, managed) {
        (OnDisk::File(_), Some(m)) if m.adopted => Some((
            "unmanaged-file",
            "was not written by agentpack (it was adopted because it held the same bytes)",
        )),
        (OnDisk::File(bytes), Some(m)) if sha256_hex(bytes) == m.sha256 => None,
        (OnDisk::File(_), Some(_)) => {
            Some(("modified-file", "was edited since agentpack installed it"))
        }
        (OnDisk::File(_), None) => Some(("unmanaged-file", "was not installed by agentpack")),
        _ => Some(("unmanaged-file", "is not a regular file")),
    }
}

/// A directory where an agent's file goes. Even `--force` does not replace or delete it: agentpack only
/// ever moves single files, and a directory may hold anything of the user's.
fn is_a_directory(shown: &str) -> Diagnostic {
    Diagnostic::error(
        "unmanaged-file",
        format!("`{shown}` is a directory; agentpack replaces only files, even with `--force`"),
    )
    .at(Location::file(shown))
    .with_hint("move the directory out of the target directory, then install again")
}

/// The first symlink among the target and its ancestors inside the project: [`Disk::symlink_on_the_way`]
/// for one question, with nothing looked up yet.
pub fn symlink_on_the_way(root: &Path, target: &Path) -> Option<PathBuf> {
    Disk::default().symlink_on_the_way(root, target)
}

/// A file the previous lock says agentpack installed.
#[derive(Debug)]
struct Managed {
    sha256: Sha256,
    adopted: bool,
}

/// Files the previous lock says agentpack installed, with their locked sha256. Only entries for a file
/// in its own kind's place count ([`Places::may_hold_as`]): a lock edited by hand (or by someone else)
/// must not make agentpack replace or delete any other file of the project. Entries elsewhere (e.g. from before
/// `target` changed) are left alone, and `agentpack verify` reports them.
fn managed_files(previous: Option<&Lockfile>, places: &Places) -> HashMap<PathBuf, Managed> {
    let Some(lock) = previous else {
        return HashMap::new();
    };
    (lock.installed_files().into_iter())
        .filter_map(|f| {
            let file = crate::fsutil::normalize(&places.root.join(&f.file));
            let managed = Managed {
                sha256: f.sha256.clone(),
                adopted: f.adopted,
            };
            let folder = f
                .folder
                .map(|d| crate::fsutil::normalize(&places.root.join(d)));
            let kind = ItemKind::from(f.table);
            (places.may_hold_as(kind, &file, folder.as_deref())).then_some((file, managed))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::select::SelectedAgent;

    #[test]
    fn adopted_files_are_never_deleted_and_replaced_only_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let target = root.join(".claude").join("agents");
        std::fs::create_dir_all(&target).unwrap();
        for (name, bytes) in [("a", "v1"), ("gone", "mine"), ("owned", "o"), ("new", "n")] {
            std::fs::write(target.join(format!("{name}.md")), bytes).unwrap();
        }
        let locked = |name: &str, bytes: &str, adopted: bool| crate::lockfile::LockedAgent {
            name: crate::names::AgentName::parse(name).unwrap(),
            original_name: None,
            source: "s".into(),
            plugin: None,
            path: format!("{name}.md"),
            file: format!(".claude/agents/{name}.md"),
            sha256: crate::names::Sha256::of(bytes.as_bytes()),
            patch: None,
            adopted,
        };
        let lock = Lockfile::new(
            vec![],
            vec![
                locked("a", "v1", true),
                locked("gone", "mine", true),
                locked("owned", "o", false),
            ],
        );
        let placed = |name: &str, bytes: &str| {
            let agent = SelectedAgent {
                source: "s".into(),
                repo_path: format!("{name}.md"),
                original_name: name.into(),
                installed_name: name.into(),
                bytes: bytes.as_bytes().to_vec(),
                sha256: Sha256::of(bytes.as_bytes()),
                plugin: None,
            };
            Item::agent(agent, &target)
        };
        let file = |name: &str| target.join(format!("{name}.md"));
        let places = Places::in_project(&root);

        // Same bytes: still adopted, owned stays owned, an unknown identical file is adopted.
        let same = [placed("a", "v1"), placed("new", "n"), placed("owned", "o")];
        let actions = plan(&same, Some(&lock), &places, false).unwrap();
        assert_eq!(
            actions,
            [
                Action::Adopt { file: file("a") },
                Action::Adopt { file: file("new") },
                Action::Unchanged {
                    file: file("owned")
                },
                Action::Keep { file: file("gone") },
            ]
        );
        // New bytes upstream: an adopted file is protected, unless `--force`; a dropped one is kept even then.
        let changed = [placed("a", "v2")];
        match plan(&changed, Some(&lock), &places, false) {
            Err(Error::CheckFailed { diagnostics }) => {
                assert_eq!(diagnostics.len(), 1);
                assert_eq!(diagnostics[0].code, "unmanaged-file");
            }
            other => panic!("{other:?}"),
        }
        let actions = plan(&changed, Some(&lock), &places, true).unwrap();
        assert_eq!(
            actions,
            [
                Action::Replace {
                    file: file("a"),
                    bytes: b"v2",
                    sha256: Sha256::of(b"v2"),
                    executable: false,
                },
                Action::Keep { file: file("gone") },
                Action::Remove {
                    file: file("owned")
                },
            ]
        );
    }
}
