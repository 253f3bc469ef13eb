//! Running an install's transaction ([`apply`]) and finishing or undoing one that was killed
//! ([`recover`]).

use std::path::Path;

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::lockfile::Lockfile;

use super::journal::{JOURNAL_NAME, Journal};
use super::{Action, ItemKind, Places};

/// What the next run did with an install that was killed half-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Every file and the lock had reached the new state: only the cleanup was left, and it was done.
    Completed,
    /// The project was put back exactly as it was before the interrupted install.
    RolledBack,
}

/// Carry out `actions`, then write `lock` (when given), as one transaction journaled in the project.
///
/// All or nothing: on an error every step is undone before returning; if the process dies instead,
/// [`recover`] (called by the next install) finishes or undoes it from the journal. After it, a skill's
/// or a command's folder that its removed files left empty is removed (not journaled: an empty folder
/// left by a killed install is harmless).
pub fn apply(places: &Places, actions: &[Action], lock: Option<(&Path, &Lockfile)>) -> Result<()> {
    let root = places.root.as_path();
    let lock_bytes = lock.map(|(path, lock)| (path, lock.to_toml().into_bytes()));
    let changes: Vec<(&Action, Option<&[u8]>)> =
        actions.iter().filter_map(Action::change).collect();
    if changes.is_empty() && lock_bytes.is_none() {
        return Ok(());
    }
    let journal_path = root.join(JOURNAL_NAME);
    let journal = Journal::plan(
        places,
        &changes,
        lock_bytes.as_ref().map(|(p, b)| (*p, &b[..])),
    );
    // The intent is on disk before the first file is created: whatever the next run finds, the journal
    // names it.
    fsutil::write_atomic(&journal_path, &journal.to_json())?;

    let result = journal.run(&changes, lock_bytes.as_ref().map(|(_, b)| b.as_slice()));
    let finished = match &result {
        Ok(()) => journal.commit(),
        Err(_) => journal.roll_back(),
    };
    // A journal whose cleanup failed stays, so the next run retries it.
    if finished {
        let _ = std::fs::remove_file(&journal_path);
    }
    if result.is_ok() {
        remove_emptied_folders(places, actions);
    }
    result
}

/// Remove the folders of skills and commands that removed files left empty, up to the kind's directory.
fn remove_emptied_folders(places: &Places, actions: &[Action]) {
    for action in actions {
        let Action::Remove { file } = action else {
            continue;
        };
        let Some(kind @ (ItemKind::Skill | ItemKind::Command)) = places.kind_of(file) else {
            continue;
        };
        let top = places.dir(kind);
        for dir in file.ancestors().skip(1).take_while(|d| *d != top) {
            // Fails, and stops, at the first folder that still holds something.
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Finish or undo an install that was killed half-way, if `root` holds its journal. The caller must hold
/// the project lock.
pub fn recover(places: &Places) -> Result<Option<Recovery>> {
    let root = places.root.as_path();
    let journal_path = root.join(JOURNAL_NAME);
    let Some(text) = fsutil::read_if_exists(&journal_path)? else {
        remove_debris(root);
        return Ok(None);
    };
    let invalid = |why: String| journal_invalid(&journal_path, why);
    let journal: Journal =
        serde_json::from_slice(&text).map_err(|e| invalid(format!("cannot be read: {e}")))?;
    journal.check(places).map_err(invalid)?;
    let (recovery, clean) = if journal.reached_new_state() {
        (Recovery::Completed, journal.commit())
    } else {
        (Recovery::RolledBack, journal.roll_back())
    };
    if !clean {
        // The journal stays, so the next run tries again.
        return Err(Error::Usage {
            message: format!(
                "could not finish or undo the interrupted install recorded in `{}`",
                journal_path.display()
            ),
            hint: Some(
                "check that the project and the target directory are writable, then run `agentpack install` again"
                    .into(),
            ),
        });
    }
    std::fs::remove_file(&journal_path).map_err(|e| Error::io("remove", &journal_path, e))?;
    remove_debris(root);
    Ok(Some(recovery))
}

fn journal_invalid(journal_path: &Path, why: String) -> Error {
    Error::InvalidInput {
        file: journal_path.to_path_buf(),
        diagnostics: vec![
            Diagnostic::error("journal-invalid", format!("the install journal {why}"))
                .at(Location::file(JOURNAL_NAME))
                .with_hint(format!(
                    "agentpack writes `{JOURNAL_NAME}` while installing; if you did not edit it, report \
                     a bug. Delete it, check the `.agentpack-*` files in the target directory, and run \
                     `agentpack install` again"
                )),
        ],
    }
}

/// Remove `.agentpack-*.tmp` files from `root`: a process killed while writing the journal (or, before
/// journals, the lock) leaves one behind. Safe under the project lock: no other install is writing.
fn remove_debris(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(".agentpack-")
            && name.ends_with(".tmp")
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::super::journal::{JOURNAL_VERSION, Op, Step};
    use super::*;
    use crate::lockfile;
    use crate::names::Sha256;

    /// Every regular file under `dir`, by relative path.
    fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                if entry.file_type().unwrap().is_dir() {
                    dirs.push(entry.path());
                } else {
                    let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
                    out.insert(rel, std::fs::read(entry.path()).unwrap());
                }
            }
        }
        out
    }

    struct Project {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        target: PathBuf,
        places: Places,
        actions: Vec<Action<'static>>,
        lock: Lockfile,
    }

    /// A project with a user's file, a file to replace, one to remove and one to create, in a target
    /// directory that exists (or, with `fresh_target`, in one the install creates, with only creations).
    fn project(fresh_target: bool) -> Project {
        project_with(fresh_target, false)
    }

    /// As [`project`]; with `empty_target`, the fresh project's target directory exists, empty.
    fn project_with(fresh_target: bool, empty_target: bool) -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("p");
        let target = root.join(".claude").join("agents");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join(lockfile::LOCK_NAME), "old lock\n").unwrap();
        if empty_target {
            std::fs::create_dir_all(&target).unwrap();
        }
        let actions = if fresh_target {
            vec![
                Action::Create {
                    file: target.join("a.md"),
                    bytes: b"new a",
                    sha256: Sha256::of(b"new a"),
                    executable: false,
                },
                Action::Create {
                    file: target.join("b.md"),
                    bytes: b"new b",
                    sha256: Sha256::of(b"new b"),
                    executable: false,
                },
            ]
        } else {
            std::fs::create_dir_all(&target).unwrap();
            for (name, bytes) in [
                ("user.md", "mine"),
                ("r.md", "old r"),
                ("gone.md", "old gone"),
                ("same.md", "same"),
            ] {
                std::fs::write(target.join(name), bytes).unwrap();
            }
            vec![
                Action::Create {
                    file: target.join("c.md"),
                    bytes: b"new c",
                    sha256: Sha256::of(b"new c"),
                    executable: false,
                },
                Action::Remove {
                    file: target.join("gone.md"),
                },
                Action::Replace {
                    file: target.join("r.md"),
                    bytes: b"new r",
                    sha256: Sha256::of(b"new r"),
                    executable: false,
                },
                Action::Unchanged {
                    file: target.join("same.md"),
                },
                // A skill's script, in folders the install creates (and a rollback removes).
                Action::Create {
                    file: root.join(".claude/skills/pdf/scripts/run.sh"),
                    bytes: b"#!/bin/sh\n",
                    sha256: Sha256::of(b"#!/bin/sh\n"),
                    executable: true,
                },
            ]
        };
        let places = Places::in_project(&root);
        Project {
            _tmp: tmp,
            root,
            target,
            places,
            actions,
            lock: Lockfile::new(vec![], vec![]),
        }
    }

    #[test]
    fn a_kill_after_any_operation_is_completed_or_rolled_back() {
        for (fresh, empty) in [(false, false), (true, false), (true, true)] {
            let project = |fresh| project_with(fresh, empty);
            let before = {
                let p = project(fresh);
                tree(&p.root)
            };
            let after = {
                let p = project(fresh);
                apply(
                    &p.places,
                    &p.actions,
                    Some((&p.root.join(lockfile::LOCK_NAME), &p.lock)),
                )
                .unwrap();
                tree(&p.root)
            };
            assert_ne!(before, after);
            let mut outcomes = Vec::new();
            for killed_after in 0.. {
                let p = project(fresh);
                let lock_bytes = p.lock.to_toml().into_bytes();
                let lock_path = p.root.join(lockfile::LOCK_NAME);
                let changes: Vec<(&Action, Option<&[u8]>)> =
                    p.actions.iter().filter_map(Action::change).collect();
                let journal = Journal::plan(&p.places, &changes, Some((&lock_path, &lock_bytes)));
                // Only creations into a new or empty target: one staged tree, renamed once.
                assert_eq!(journal.staged_tree.is_some(), fresh);
                fsutil::write_atomic(&p.root.join(JOURNAL_NAME), &journal.to_json()).unwrap();
                let ops = journal.ops(&changes, Some(&lock_bytes));
                if killed_after > ops.len() {
                    break;
                }
                for op in &ops[..killed_after] {
                    op.run().unwrap();
                }
                let recovery = recover(&p.places).unwrap();
                let state = tree(&p.root);
                match recovery {
                    Some(Recovery::Completed) => {
                        assert_eq!(state, after, "killed after {killed_after} ops")
                    }
                    Some(Recovery::RolledBack) => {
                        assert_eq!(state, before, "killed after {killed_after} ops")
                    }
                    None => panic!("the journal was not found"),
                }
                if !fresh || empty {
                    assert!(p.target.is_dir());
                } else if recovery == Some(Recovery::RolledBack) {
                    assert!(
                        !p.root.join(".claude").exists(),
                        "created directories are removed"
                    );
                }
                assert_eq!(recover(&p.places).unwrap(), None, "recovery is done once");
                outcomes.push(recovery.unwrap());
            }
            assert_eq!(outcomes.first(), Some(&Recovery::RolledBack));
            assert_eq!(outcomes.last(), Some(&Recovery::Completed));
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_empty_target_replaced_by_the_staged_tree_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let p = project_with(true, true);
        std::fs::set_permissions(&p.target, std::fs::Permissions::from_mode(0o700)).unwrap();
        apply(&p.places, &p.actions, None).unwrap();
        let mode = std::fs::metadata(&p.target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(std::fs::read(p.target.join("a.md")).unwrap(), b"new a");
        // Nothing of the staging is left beside the target.
        let siblings: Vec<_> = std::fs::read_dir(p.target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(siblings, ["agents"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_skill_script_is_installed_executable_and_an_emptied_skill_folder_is_removed() {
        use std::os::unix::fs::PermissionsExt;
        let p = project(false);
        apply(&p.places, &p.actions, None).unwrap();
        let script = p.root.join(".claude/skills/pdf/scripts/run.sh");
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{mode:o}");
        assert_eq!(
            std::fs::metadata(p.target.join("c.md"))
                .unwrap()
                .permissions()
                .mode()
                & 0o111,
            0
        );
        apply(&p.places, &[Action::Remove { file: script }], None).unwrap();
        assert!(!p.root.join(".claude/skills/pdf").exists());
        assert!(p.root.join(".claude/skills").is_dir());
    }

    #[test]
    fn a_failed_install_rolls_back_and_leaves_no_journal() {
        let p = project(false);
        let before = tree(&p.root);
        // The lock's path is a directory: the last rename fails after every file was placed.
        let lock_path = p.root.join("lock-is-a-dir");
        std::fs::create_dir_all(lock_path.join("x")).unwrap();
        let err = apply(&p.places, &p.actions, Some((&lock_path, &p.lock))).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Io {
                    action: "install",
                    ..
                }
            ),
            "{err:?}"
        );
        let mut after = tree(&p.root);
        after.retain(|k, _| !k.starts_with("lock-is-a-dir"));
        assert_eq!(after, before);
        assert!(!p.root.join(JOURNAL_NAME).exists());
    }

    #[test]
    fn a_file_that_cannot_be_staged_among_many_rolls_back_every_other() {
        // Enough files that they are staged on every core; one name the file system refuses (over 255
        // bytes) in the middle, so the other thread has staged files before and after it.
        let p = project_with(true, false);
        let before = tree(&p.root);
        let names: Vec<String> = (0..300)
            .map(|i| match i {
                150 => format!("{}.md", "x".repeat(300)),
                _ => format!("agent-{i}.md"),
            })
            .collect();
        let actions: Vec<Action<'_>> = names
            .iter()
            .map(|name| Action::Create {
                file: p.target.join(name),
                bytes: b"new",
                sha256: Sha256::of(b"new"),
                executable: false,
            })
            .collect();
        let err = apply(
            &p.places,
            &actions,
            Some((&p.root.join(lockfile::LOCK_NAME), &p.lock)),
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Io {
                    action: "create",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(tree(&p.root), before);
        // Nothing is left beside the lock: no `.claude`, no staging directory, no journal.
        let left: Vec<_> = std::fs::read_dir(&p.root)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from(lockfile::LOCK_NAME)]);
    }

    #[test]
    fn a_journal_naming_files_outside_the_project_is_refused() {
        let p = project(false);
        let outside = p.root.parent().unwrap().join("victim.md");
        std::fs::write(&outside, "precious").unwrap();
        assert_refused(&p, &one_step(&outside, None));
        assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
        // Inside the project, but not an agent file: a journal committed to a repository must not be
        // able to plant a git hook.
        let hook = p.root.join(".git/hooks/pre-commit");
        let planted = p.root.join(".git/hooks/.agentpack-x-0.bak");
        std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
        std::fs::write(&planted, "#!/bin/sh\nevil\n").unwrap();
        assert_refused(&p, &one_step(&hook, Some(planted)));
        assert!(!hook.exists());
        std::fs::write(p.root.join(JOURNAL_NAME), "{ not json").unwrap();
        assert_eq!(
            recover(&p.places).unwrap_err().diagnostics()[0].code,
            "journal-invalid"
        );
    }

    /// A journal of one step on `file`, restoring it from `backup`.
    fn one_step(file: &Path, backup: Option<PathBuf>) -> Journal {
        Journal {
            version: JOURNAL_VERSION,
            created_dirs: vec![],
            staged_tree: None,
            steps: vec![Step {
                file: file.to_path_buf(),
                staged: None,
                backup,
                sha256: None,
                executable: false,
            }],
            lock: None,
        }
    }

    /// Recovery from `journal`, written into `p`, refuses it as invalid.
    fn assert_refused(p: &Project, journal: &Journal) {
        std::fs::write(p.root.join(JOURNAL_NAME), journal.to_json()).unwrap();
        let err = recover(&p.places).unwrap_err();
        assert_eq!(err.diagnostics()[0].code, "journal-invalid");
    }

    #[test]
    fn a_created_file_edited_before_recovery_is_kept() {
        let p = project(true);
        let lock_path = p.root.join(lockfile::LOCK_NAME);
        let lock_bytes = p.lock.to_toml().into_bytes();
        let changes: Vec<(&Action, Option<&[u8]>)> = p
            .actions
            .iter()
            .map(|a| match a {
                Action::Create { bytes, .. } => (a, Some(*bytes)),
                _ => unreachable!(),
            })
            .collect();
        let journal = Journal::plan(&p.places, &changes, Some((&lock_path, &lock_bytes)));
        fsutil::write_atomic(&p.root.join(JOURNAL_NAME), &journal.to_json()).unwrap();
        let ops = journal.ops(&changes, Some(&lock_bytes));
        // Killed after placing a.md (with the new target, the whole staged tree); then the user edits it
        // before the next run.
        let placed = ops
            .iter()
            .position(|op| matches!(op, Op::Place(..) | Op::PlaceTree(..)))
            .unwrap();
        for op in &ops[..=placed] {
            op.run().unwrap();
        }
        std::fs::write(p.target.join("a.md"), "edited by the user").unwrap();
        assert_eq!(recover(&p.places).unwrap(), Some(Recovery::RolledBack));
        assert_eq!(
            std::fs::read(p.target.join("a.md")).unwrap(),
            b"edited by the user"
        );
        assert!(!p.target.join("b.md").exists());
        assert_eq!(std::fs::read(&lock_path).unwrap(), b"old lock\n");
    }
}
