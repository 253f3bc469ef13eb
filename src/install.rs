//! Installing: from the selected agents to files in the target directory, without ever losing a user's file.
//!
//! 1. [`collisions`]: two agents may not land on one installed name, compared as the file systems of macOS
//!    and Windows compare names: ignoring case and Unicode normalisation ([`file_name_key`]).
//! 2. [`plan`]: compare what should be installed with the disk and the previous lock. A file agentpack did
//!    not install, or one edited since (its sha256 differs from the lock), is never replaced or removed
//!    without `--force`; identical bytes are adopted as they are, and the lock records that agentpack did not
//!    write them: an adopted file is never replaced without `--force`, and never deleted.
//! 3. [`apply`]: a journaled transaction. Before its first write it records its whole intent in
//!    [`JOURNAL_NAME`] in the manifest's directory: every file to create, replace or remove, the fixed
//!    names of the staged (`.agentpack-<id>-<n>.tmp`) and moved-aside (`.agentpack-<id>-<n>.bak`) files
//!    (Claude Code loads neither), and the sha256 each file and the lock will end with. Then it creates
//!    directories, stages every new file, moves aside what it replaces or removes, renames the
//!    staged files into place, renames the staged lock last, deletes the backups and the journal. A
//!    failure undoes every step before returning. When the target directory is new or empty and the
//!    install only creates files (a fresh checkout, `install --frozen` in CI), the journal names one
//!    staging directory instead (`.agentpack-<id>.tree`, beside the target): every file is written into
//!    it under its final name and the directory is renamed onto the target, one rename for the whole
//!    tree; recovery treats it like the per-file staged names (its files are deleted, then it).
//! 4. [`recover`]: what the next install does with a journal left by a process that was killed. If every
//!    file and the lock already hold their new hashes, only the cleanup was missing: it is done. Otherwise
//!    every step is undone: backups are renamed back, staged files deleted, created files deleted only
//!    while they still hold what the install wrote (so an edit made since is kept), created directories
//!    removed while empty. Each undo is a rename or removal checked against the disk, so recovery can be
//!    killed and run again. The project ends in its old or its new state, never flagging agentpack's own
//!    half-written files as the user's.
//!
//! [`lock_project`] keeps two installs from running on one project at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::lockfile::{self, LockedAgent, Lockfile};
use crate::names::{file_name_key, sha256_hex};
use crate::select::SelectedAgent;

/// An agent with the file it goes to.
#[derive(Debug, Clone)]
pub struct Placed {
    pub agent: SelectedAgent,
    /// Absolute path of the installed file.
    pub file: PathBuf,
    pub sha256: String,
    /// The local patch applied to the source's bytes, if any ([`crate::patches`]).
    pub patch: Option<crate::patches::Applied>,
}

impl Placed {
    pub fn new(agent: SelectedAgent, target: &Path) -> Self {
        let file = target.join(format!("{}.md", agent.installed_name));
        let sha256 = sha256_hex(&agent.bytes);
        Placed {
            agent,
            file,
            sha256,
            patch: None,
        }
    }
}

/// Two agents that would be installed under the same name: an error naming both, one line each, and after
/// the last one a single manifest snippet that resolves every collision (143 collisions between two
/// collections are 143 lines and one snippet, not 143 hints).
pub fn collisions(placed: &[Placed]) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<String, Vec<&Placed>> = BTreeMap::new();
    for p in placed {
        by_name
            .entry(file_name_key(&p.agent.installed_name))
            .or_default()
            .push(p);
    }
    let groups: Vec<&Vec<&Placed>> = by_name.values().filter(|g| g.len() > 1).collect();
    let mut out: Vec<Diagnostic> = groups
        .iter()
        .map(|group| {
            let places: Vec<String> = group
                .iter()
                .map(|p| format!("`{}:{}`", p.agent.source, p.agent.repo_path))
                .collect();
            Diagnostic::error(
                "name-collision",
                format!(
                    "{} agents would be installed as `{}`: {}",
                    group.len(),
                    group[0].agent.installed_name,
                    places.join(", ")
                ),
            )
        })
        .collect();
    if let Some(last) = out.pop() {
        out.push(last.with_hint(collision_fix(&groups)));
    }
    out
}

/// The manifest snippet that renames all but the first agent of every colliding group: `<source>-<name>`
/// in the top-level source it came through (where a `rename` of a pack's agent belongs), or, for
/// agents of one source sharing a name, by path to `<name>-2`, `<name>-3`...
fn collision_fix(groups: &[&Vec<&Placed>]) -> String {
    let mut renames: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for group in groups {
        for (i, p) in group.iter().enumerate().skip(1) {
            let root = crate::names::root_source(&p.agent.source);
            let same_source = group
                .iter()
                .filter(|o| crate::names::root_source(&o.agent.source) == root)
                .count()
                > 1;
            let (key, new) = if same_source {
                let key = p.agent.repo_path.clone();
                (key, format!("{}-{}", p.agent.original_name, i + 1))
            } else {
                let key = p.agent.original_name.clone();
                (key, format!("{root}-{}", p.agent.original_name))
            };
            renames.entry(root).or_default().push((key, new));
        }
    }
    let mut text = String::from(
        "install them under different names (`rename`, or `prefix = \"NAME-\"` for every agent of a source), `exclude` all but one, or let the source listed first win (`[install] on-collision = \"first\"`); this in agentpack.toml resolves every collision above (merge it into a `rename` the source already has):",
    );
    for (source, entries) in renames {
        text.push_str(&format!("\n[sources.{source}.rename]"));
        for (key, new) in entries {
            text.push_str(&format!(
                "\n{} = {}",
                toml::Value::String(key),
                toml::Value::String(new)
            ));
        }
    }
    text
}

/// One step of an install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create {
        file: PathBuf,
        bytes: Vec<u8>,
    },
    Replace {
        file: PathBuf,
        bytes: Vec<u8>,
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

impl Action {
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

    /// Only writes and removals change the disk.
    fn change(&self) -> Option<(&Action, Option<&[u8]>)> {
        match self {
            Action::Create { bytes, .. } | Action::Replace { bytes, .. } => {
                Some((self, Some(bytes.as_slice())))
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
    if let Some(link) = symlink_on_the_way(root, target) {
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
    let managed = managed_files(previous, root, target);
    let mut problems = Vec::new();
    let mut actions = Vec::new();
    let show = |file: &Path| crate::scope::shown(root, file);

    for p in placed {
        let on_disk = read_regular(&p.file)?;
        let owned = managed.get(&p.file).filter(|m| !m.adopted);
        let action = match on_disk {
            None => Action::Create {
                file: p.file.clone(),
                bytes: p.agent.bytes.clone(),
            },
            Some(OnDisk::File(bytes)) if bytes == p.agent.bytes && owned.is_some() => {
                Action::Unchanged {
                    file: p.file.clone(),
                }
            }
            Some(OnDisk::File(bytes)) if bytes == p.agent.bytes => Action::Adopt {
                file: p.file.clone(),
            },
            Some(OnDisk::Dir) => {
                problems.push(is_a_directory(&show(&p.file)));
                continue;
            }
            Some(OnDisk::File(_)) if !force && owned.map(|m| &m.sha256) == Some(&p.sha256) => {
                Action::Edited {
                    file: p.file.clone(),
                }
            }
            Some(on_disk) => {
                let protected = match (&on_disk, managed.get(&p.file)) {
                    (OnDisk::File(_), Some(m)) if m.adopted => Some((
                        "unmanaged-file",
                        "was not written by agentpack (it was adopted because it held the same bytes)",
                    )),
                    (OnDisk::File(bytes), Some(m)) if sha256_hex(bytes) == m.sha256 => None,
                    (OnDisk::File(_), Some(_)) => {
                        Some(("modified-file", "was edited since agentpack installed it"))
                    }
                    (OnDisk::File(_), None) => {
                        Some(("unmanaged-file", "was not installed by agentpack"))
                    }
                    _ => Some(("unmanaged-file", "is not a regular file")),
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
                        .with_hint(if code == "modified-file" {
                            format!(
                                "keep your edit with `agentpack patch {}` (it is then re-applied to the new version), or run with `--force` to replace it with `{}:{}`",
                                p.agent.installed_name, p.agent.source, p.agent.repo_path
                            )
                        } else {
                            format!(
                                "move it away, rename the incoming agent with `rename`, or run with `--force` to replace it with `{}:{}`",
                                p.agent.source, p.agent.repo_path
                            )
                        }),
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
    for (file, locked) in &managed {
        if wanted.contains(file) {
            continue;
        }
        match read_regular(file)? {
            None => {}
            Some(OnDisk::Dir) => problems.push(is_a_directory(&show(file))),
            // Not agentpack's to delete, even with `--force`: it only stops tracking it.
            Some(_) if locked.adopted => actions.push(Action::Keep { file: file.clone() }),
            Some(OnDisk::File(bytes)) if sha256_hex(&bytes) == locked.sha256 || force => {
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

/// The first symlink among the target and its ancestors inside the project: a project checked out from an
/// untrusted place must not redirect installs elsewhere (`.claude -> ~/.ssh`).
pub fn symlink_on_the_way(root: &Path, target: &Path) -> Option<PathBuf> {
    target
        .ancestors()
        .take_while(|dir| *dir == target || (dir.starts_with(root) && *dir != root))
        .find(|dir| std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()))
        .map(Path::to_path_buf)
}

/// Files the previous lock says agentpack installed, with their locked sha256. Only entries for a file
/// directly in the target directory count: a lock edited by hand (or by someone else) must not make
/// agentpack replace or delete any other file of the project. Entries elsewhere (e.g. from before
/// `target` changed) are left alone, and `agentpack verify` reports them.
fn managed_files<'l>(
    previous: Option<&'l Lockfile>,
    root: &Path,
    target: &Path,
) -> BTreeMap<PathBuf, &'l LockedAgent> {
    previous
        .map(|l| l.agents.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|agent| (crate::manifest::normalize(&root.join(&agent.file)), agent))
        .filter(|(file, _)| file.parent() == Some(target))
        .collect()
}

enum OnDisk {
    File(Vec<u8>),
    Dir,
    /// A symlink or another entry that is neither a regular file nor a directory.
    Other,
}

fn read_regular(path: &Path) -> Result<Option<OnDisk>> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
        Ok(meta) if meta.is_file() => Ok(fsutil::read_if_exists(path)?.map(OnDisk::File)),
        Ok(meta) if meta.is_dir() => Ok(Some(OnDisk::Dir)),
        Ok(_) => Ok(Some(OnDisk::Other)),
    }
}

/// The write-ahead journal of an install in progress, in the manifest's directory. It exists only while
/// an install is writing, or after one was killed; the next install finishes or undoes that one first.
pub const JOURNAL_NAME: &str = ".agentpack-journal";

/// What the next run did with an install that was killed half-way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Every file and the lock had reached the new state: only the cleanup was left, and it was done.
    Completed,
    /// The project was put back exactly as it was before the interrupted install.
    RolledBack,
}

/// Carry out `actions`, then write `lock` (when given), as one transaction journaled in `root`.
///
/// All or nothing: on an error every step is undone before returning; if the process dies instead,
/// [`recover`] (called by the next install) finishes or undoes it from the journal.
pub fn apply(
    root: &Path,
    target: &Path,
    actions: &[Action],
    lock: Option<(&Path, &Lockfile)>,
) -> Result<()> {
    let lock_bytes = lock.map(|(path, lock)| (path, lock.to_toml().into_bytes()));
    let changes: Vec<(&Action, Option<&[u8]>)> =
        actions.iter().filter_map(Action::change).collect();
    if changes.is_empty() && lock_bytes.is_none() {
        return Ok(());
    }
    let journal_path = root.join(JOURNAL_NAME);
    let journal = Journal::plan(
        target,
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
    result
}

/// Finish or undo an install that was killed half-way, if `root` holds its journal. The caller must hold
/// the project lock.
pub fn recover(root: &Path, target: &Path) -> Result<Option<Recovery>> {
    let journal_path = root.join(JOURNAL_NAME);
    let Some(text) = fsutil::read_if_exists(&journal_path)? else {
        remove_debris(root);
        return Ok(None);
    };
    let invalid = |why: String| journal_invalid(&journal_path, why);
    let journal: Journal =
        serde_json::from_slice(&text).map_err(|e| invalid(format!("cannot be read: {e}")))?;
    journal.check(root, target).map_err(invalid)?;
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

/// The journal format version.
const JOURNAL_VERSION: u32 = 1;

/// The whole intent of an install: every file it will write, move aside or remove, under names fixed in
/// advance, and the sha256 each final file will have. Steps run in this order: create directories,
/// stage every new file, move aside every file replaced or removed, rename the staged files into place,
/// and rename the staged lock last.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Journal {
    version: u32,
    /// Directories the install creates, outermost first.
    created_dirs: Vec<PathBuf>,
    /// Set when the target directory is new or empty and every step creates a file: all of them are
    /// staged in one directory beside the target, which then becomes the target in a single rename.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    staged_tree: Option<StagedTree>,
    steps: Vec<Step>,
    lock: Option<Step>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct StagedTree {
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
struct Step {
    file: PathBuf,
    /// Where the new content is written before it is renamed into place (none for a removal).
    staged: Option<PathBuf>,
    /// Where the file's previous content is moved (for a replacement or a removal).
    backup: Option<PathBuf>,
    /// sha256 of the new content; none for a removal.
    sha256: Option<String>,
}

impl Journal {
    fn plan(
        target: &Path,
        changes: &[(&Action, Option<&[u8]>)],
        lock: Option<(&Path, &[u8])>,
    ) -> Self {
        let id = transaction_id();
        let beside = |file: &Path, n: usize, ext: &str| {
            file.with_file_name(format!(".agentpack-{id}-{n}.{ext}"))
        };
        let only_creates = !changes.is_empty()
            && changes
                .iter()
                .all(|(action, _)| matches!(action, Action::Create { .. }));
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
                sha256: bytes.map(sha256_hex),
            })
            .collect();
        let writes = changes.iter().any(|(_, bytes)| bytes.is_some());
        let mut created_dirs: Vec<PathBuf> = if writes {
            target
                .ancestors()
                .take_while(|d| !d.exists())
                .map(Path::to_path_buf)
                .collect()
        } else {
            Vec::new()
        };
        created_dirs.reverse();
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
            }),
        }
    }

    fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("the journal serializes")
    }

    /// The journal is a file in the user's project: refuse one that names anything but agentpack's own
    /// files in the project or the target directory.
    fn check(&self, root: &Path, target: &Path) -> std::result::Result<(), String> {
        if self.version != JOURNAL_VERSION {
            return Err(format!(
                "has version {}, but this agentpack reads version {JOURNAL_VERSION}",
                self.version
            ));
        }
        let normal = |p: &Path| p.is_absolute() && crate::manifest::normalize(p) == p;
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
            let sha_ok = step
                .sha256
                .as_deref()
                .is_none_or(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
            file_ok
                && normal(&step.file)
                && own_beside(step.staged.as_deref(), &step.file)
                && own_beside(step.backup.as_deref(), &step.file)
                && sha_ok
                && step.staged.is_some() == step.sha256.is_some()
        };
        for dir in &self.created_dirs {
            // The target and its missing ancestors, never the project directory or anything above it.
            if !normal(dir) || !target.starts_with(dir) || root.starts_with(dir) {
                return Err(format!(
                    "names a directory it may not create: `{}`",
                    dir.display()
                ));
            }
        }
        for step in &self.steps {
            // Only agent files directly in the target directory: a journal committed to a repository
            // must not be able to write `.git/hooks/...` or `agentpack.toml`.
            let agent_file = step.file.parent() == Some(target)
                && step.file.extension().is_some_and(|e| e == "md");
            if !valid(step, agent_file) {
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

    fn run(&self, changes: &[(&Action, Option<&[u8]>)], lock: Option<&[u8]>) -> Result<()> {
        for op in self.ops(changes, lock) {
            op.run()?;
        }
        Ok(())
    }

    /// The file-system operations of the install, in order: create directories, stage every new file,
    /// move aside every file replaced or removed, rename the staged files into place, the lock last.
    fn ops<'a>(
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
                ops.push(Op::Stage(staged, bytes));
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
            ops.push(Op::Stage(staged, bytes));
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
    fn reached_new_state(&self) -> bool {
        self.steps
            .iter()
            .chain(&self.lock)
            .all(|step| match &step.sha256 {
                Some(sha) => holds(&step.file, sha),
                None => std::fs::symlink_metadata(&step.file).is_err(),
            })
    }

    /// Remove the backups (and any leftover staged file). True when nothing is left.
    fn commit(&self) -> bool {
        let mut clean = true;
        for step in self.steps.iter().chain(&self.lock) {
            for leftover in step.staged.iter().chain(&step.backup) {
                clean &= remove_if_exists(leftover);
            }
        }
        clean
    }

    /// Undo every step, newest first. Idempotent: each undo is a rename or a removal checked against the
    /// disk, so a rollback that is itself killed can run again. True when everything was undone.
    fn roll_back(&self) -> bool {
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
enum Op<'a> {
    CreateDir(&'a Path),
    Stage(&'a Path, &'a [u8]),
    /// (file, backup)
    MoveAside(&'a Path, &'a Path),
    /// (staged, file)
    Place(&'a Path, &'a Path),
    /// (staging directory, target): one rename for every file, onto a target that is absent or empty.
    PlaceTree(&'a Path, &'a Path),
}

impl Op<'_> {
    fn run(&self) -> Result<()> {
        match *self {
            Op::CreateDir(dir) => {
                std::fs::create_dir(dir).map_err(|e| Error::io("create directory", dir, e))
            }
            Op::Stage(path, bytes) => stage(path, bytes),
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
fn stage(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(fsutil::file_permissions().mode());
    }
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

/// Held for the whole of an install so that two agentpack processes never write one project at once.
#[derive(Debug)]
pub struct ProjectLock {
    _file: std::fs::File,
}

/// Lock the project whose manifest is in `root`, waiting (and saying so) while another process holds it.
///
/// On Unix the lock is taken on the project directory itself, so no file is ever added to the project;
/// elsewhere, where a directory cannot be opened as a file, on `.agentpack-install.lock` in it.
pub fn lock_project(root: &Path, reporter: &dyn crate::reporter::Reporter) -> Result<ProjectLock> {
    #[cfg(unix)]
    let (path, file) = (root.to_path_buf(), std::fs::File::open(root));
    #[cfg(not(unix))]
    let (path, file) = {
        let path = root.join(".agentpack-install.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path);
        (path, file)
    };
    let file = file.map_err(|e| Error::io("open", &path, e))?;
    fsutil::lock_exclusive(
        &file,
        &path,
        &format!("the project `{}`", root.display()),
        reporter,
    )?;
    Ok(ProjectLock { _file: file })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

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
        actions: Vec<Action>,
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
                    bytes: b"new a".to_vec(),
                },
                Action::Create {
                    file: target.join("b.md"),
                    bytes: b"new b".to_vec(),
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
                    bytes: b"new c".to_vec(),
                },
                Action::Remove {
                    file: target.join("gone.md"),
                },
                Action::Replace {
                    file: target.join("r.md"),
                    bytes: b"new r".to_vec(),
                },
                Action::Unchanged {
                    file: target.join("same.md"),
                },
            ]
        };
        Project {
            _tmp: tmp,
            root,
            target,
            actions,
            lock: Lockfile::new(vec![], vec![]),
        }
    }

    #[test]
    fn adopted_files_are_never_deleted_and_replaced_only_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let target = root.join(".claude").join("agents");
        std::fs::create_dir_all(&target).unwrap();
        for (name, bytes) in [("a", "v1"), ("gone", "mine"), ("owned", "o"), ("new", "n")] {
            std::fs::write(target.join(format!("{name}.md")), bytes).unwrap();
        }
        let locked = |name: &str, bytes: &str, adopted: bool| LockedAgent {
            name: name.into(),
            original_name: None,
            source: "s".into(),
            path: format!("{name}.md"),
            file: format!(".claude/agents/{name}.md"),
            sha256: sha256_hex(bytes.as_bytes()),
            patch: None,
            patch_sha256: None,
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
            };
            Placed::new(agent, &target)
        };
        let file = |name: &str| target.join(format!("{name}.md"));

        // Same bytes: still adopted, owned stays owned, an unknown identical file is adopted.
        let same = [placed("a", "v1"), placed("new", "n"), placed("owned", "o")];
        let actions = plan(&same, Some(&lock), &root, &target, false).unwrap();
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
        match plan(&changed, Some(&lock), &root, &target, false) {
            Err(Error::CheckFailed { diagnostics }) => {
                assert_eq!(diagnostics.len(), 1);
                assert_eq!(diagnostics[0].code, "unmanaged-file");
            }
            other => panic!("{other:?}"),
        }
        let actions = plan(&changed, Some(&lock), &root, &target, true).unwrap();
        assert_eq!(
            actions,
            [
                Action::Replace {
                    file: file("a"),
                    bytes: b"v2".to_vec(),
                },
                Action::Keep { file: file("gone") },
                Action::Remove {
                    file: file("owned")
                },
            ]
        );
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
                    &p.root,
                    &p.target,
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
                let journal = Journal::plan(&p.target, &changes, Some((&lock_path, &lock_bytes)));
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
                let recovery = recover(&p.root, &p.target).unwrap();
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
                assert_eq!(
                    recover(&p.root, &p.target).unwrap(),
                    None,
                    "recovery is done once"
                );
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
        apply(&p.root, &p.target, &p.actions, None).unwrap();
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

    #[test]
    fn a_failed_install_rolls_back_and_leaves_no_journal() {
        let p = project(false);
        let before = tree(&p.root);
        // The lock's path is a directory: the last rename fails after every file was placed.
        let lock_path = p.root.join("lock-is-a-dir");
        std::fs::create_dir_all(lock_path.join("x")).unwrap();
        let err = apply(&p.root, &p.target, &p.actions, Some((&lock_path, &p.lock))).unwrap_err();
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
    fn a_journal_naming_files_outside_the_project_is_refused() {
        let p = project(false);
        let outside = p.root.parent().unwrap().join("victim.md");
        std::fs::write(&outside, "precious").unwrap();
        let journal = Journal {
            version: JOURNAL_VERSION,
            created_dirs: vec![],
            staged_tree: None,
            steps: vec![Step {
                file: outside.clone(),
                staged: None,
                backup: None,
                sha256: None,
            }],
            lock: None,
        };
        std::fs::write(p.root.join(JOURNAL_NAME), journal.to_json()).unwrap();
        let err = recover(&p.root, &p.target).unwrap_err();
        assert_eq!(err.diagnostics()[0].code, "journal-invalid");
        assert_eq!(std::fs::read(&outside).unwrap(), b"precious");
        // Inside the project, but not an agent file: a journal committed to a repository must not be
        // able to plant a git hook.
        let hook = p.root.join(".git/hooks/pre-commit");
        let planted = p.root.join(".git/hooks/.agentpack-x-0.bak");
        std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
        std::fs::write(&planted, "#!/bin/sh\nevil\n").unwrap();
        let journal = Journal {
            version: JOURNAL_VERSION,
            created_dirs: vec![],
            staged_tree: None,
            steps: vec![Step {
                file: hook.clone(),
                staged: None,
                backup: Some(planted),
                sha256: None,
            }],
            lock: None,
        };
        std::fs::write(p.root.join(JOURNAL_NAME), journal.to_json()).unwrap();
        let err = recover(&p.root, &p.target).unwrap_err();
        assert_eq!(err.diagnostics()[0].code, "journal-invalid");
        assert!(!hook.exists());
        std::fs::write(p.root.join(JOURNAL_NAME), "{ not json").unwrap();
        assert_eq!(
            recover(&p.root, &p.target).unwrap_err().diagnostics()[0].code,
            "journal-invalid"
        );
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
                Action::Create { bytes, .. } => (a, Some(bytes.as_slice())),
                _ => unreachable!(),
            })
            .collect();
        let journal = Journal::plan(&p.target, &changes, Some((&lock_path, &lock_bytes)));
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
        assert_eq!(
            recover(&p.root, &p.target).unwrap(),
            Some(Recovery::RolledBack)
        );
        assert_eq!(
            std::fs::read(p.target.join("a.md")).unwrap(),
            b"edited by the user"
        );
        assert!(!p.target.join("b.md").exists());
        assert_eq!(std::fs::read(&lock_path).unwrap(), b"old lock\n");
    }
}
