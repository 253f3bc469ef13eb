//! `agentpack install`: resolve, fetch, check, install, lock — every check before the first write.
//! [`install_manifest`] is the same pipeline for the commands that change what is installed (`update`,
//! `add`, `remove`), with the resolution options and the dry run they need.
//!
//! Writing waits for the front-matter checks on purpose, even into a new target: which files are
//! written, under which names and with which bytes (renames, collisions, patches, a check that fails
//! the install) is known only once every file is checked. The checks themselves run on every core
//! ([`crate::select`]).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::duplicates::{self, Owner};
use crate::error::{Error, Result};
use crate::install::{self, Action, Item, Recovery};
use crate::lockfile::{self, Lockfile};
use crate::manifest::{Manifest, ManifestPath, OnCollision, SourceKind};
use crate::names::Sha256;
use crate::ops::FetchOptions;
use crate::packs;
use crate::patches;
use crate::reporter::{Reporter, Status};
use crate::resolve::{self, ResolveOptions};
use crate::source::cache::LockedCache;
use crate::source::git::Cache;
use crate::state::{self, InstallState, Seen};

#[derive(Debug, Clone, Copy, Default)]
pub struct InstallOptions {
    /// `--offline`, `--locked`, `--jobs`.
    pub fetch: FetchOptions,
    /// Replace or delete files agentpack would otherwise protect.
    pub force: bool,
    /// Warnings are errors (also `[install] strict = true`).
    pub strict: bool,
    /// Ignore `[install] vendor`: resolve from the cache and the network.
    pub no_vendor: bool,
}

/// What an install did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InstallSummary {
    pub installed: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub warnings: usize,
}

pub fn install(
    manifest_path: &ManifestPath,
    options: InstallOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<InstallSummary> {
    let manifest_bytes =
        std::fs::read(manifest_path).map_err(|e| Error::io("read", &manifest_path.path, e))?;
    let text = std::str::from_utf8(&manifest_bytes).map_err(|e| {
        Error::io(
            "read",
            &manifest_path.path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        )
    })?;
    let manifest = Manifest::parse(manifest_path, text)?;
    // Locks first, project then cache repositories (always in this order: no deadlock), held to the end.
    let _project = lock_and_recover(&manifest, reporter)?;
    let lock_path = manifest.root.join(lockfile::LOCK_NAME);
    let strict = options.strict || manifest.strict;
    let vendor = manifest.vendor.as_deref().filter(|_| !options.no_vendor);
    // The no-op state lives in the cache, which an install from a vendor directory never touches.
    let state_path = vendor
        .is_none()
        .then(|| state::location(cache.root(), &manifest.path));
    if let Some(unchanged) = state_path.as_deref().and_then(|state_path| {
        fresh(
            &manifest,
            &manifest_bytes,
            &lock_path,
            state_path,
            options,
            strict,
        )
    }) {
        return Ok(InstallSummary {
            unchanged,
            ..InstallSummary::default()
        });
    }
    let resolve = ResolveOptions {
        vendor,
        ..options.fetch.resolve()
    };
    let installation = install_locked(&manifest, options, resolve, false, cache, reporter)?;
    if let (Some(state_path), Ok(lock_bytes)) = (&state_path, std::fs::read(&lock_path)) {
        let files: Vec<_> = (installation.lock.installed_files().into_iter())
            .map(|f| (manifest.root.join(&f.file), f.sha256.to_string()))
            .collect();
        let seen = &installation.seen;
        InstallState::capture(&manifest_bytes, &lock_bytes, strict, &files, seen).save(state_path);
    }
    Ok(installation.summary)
}

/// What an install decided (and, unless it was a dry run, did).
#[derive(Debug)]
pub struct Installation {
    pub summary: InstallSummary,
    /// The lock before the run.
    pub previous: Option<Lockfile>,
    /// The lock after the run (written unless it was a dry run or it did not change).
    pub lock: Lockfile,
    /// Every agent installed, with its bytes (after `rename` and its local patch).
    pub placed: Vec<Item>,
    /// The files this run created or replaced, with their sizes, and those it found edited and left (none
    /// for a dry run): the no-op state records them without a `stat` (see [`InstallState::capture`]).
    pub seen: HashMap<PathBuf, Seen>,
    /// `version` sources whose repository has a newer release than their requirement allows (known when
    /// the remote was asked, as `update` does).
    pub newer_incompatible: Vec<NewerVersion>,
}

/// A release a source's `version` requirement excludes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewerVersion {
    pub source: String,
    /// The requirement as agentpack.toml writes it.
    pub requirement: String,
    pub tag: String,
}

/// Install `manifest` (which `add`/`remove` may not have written to disk yet). With `dry_run`, every step
/// and check runs but nothing is written and no file action is reported.
pub fn install_manifest(
    manifest: &Manifest,
    options: InstallOptions,
    resolve: ResolveOptions<'_>,
    dry_run: bool,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Installation> {
    let _project = lock_and_recover(manifest, reporter)?;
    install_locked(manifest, options, resolve, dry_run, cache, reporter)
}

/// Take the project lock and finish or undo an install a dead process left half-done (see
/// [`install::recover`]). Held until the returned guard drops.
fn lock_and_recover(manifest: &Manifest, reporter: &dyn Reporter) -> Result<install::ProjectLock> {
    let project = install::lock_project(&manifest.root, reporter)?;
    if let Some(recovery) = install::recover(&install::Places::of(manifest))? {
        reporter.diagnostic(&recovered(recovery));
    }
    Ok(project)
}

/// [`install_manifest`] under the project lock: locks the cache repositories the manifest names (not when
/// installing from a vendor directory, which never touches the cache), then does the work.
fn install_locked(
    manifest: &Manifest,
    options: InstallOptions,
    resolve: ResolveOptions<'_>,
    dry_run: bool,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Installation> {
    let cache = match resolve.vendor {
        Some(_) => LockedCache::lock(cache, [], reporter)?,
        None => LockedCache::lock(cache, manifest.git_urls(), reporter)?,
    };
    let lock_path = manifest.root.join(lockfile::LOCK_NAME);
    let strict = options.strict || manifest.strict;
    let resolve = ResolveOptions {
        target: Some(&manifest.target),
        ..resolve
    };
    let previous = Lockfile::load(&lock_path)?;
    if options.fetch.locked {
        check_lock_describes(manifest, previous.as_ref())?;
    }
    let resolved = resolve::resolve_all(
        &manifest.sources,
        previous.as_ref(),
        &cache,
        resolve,
        reporter,
    )?;
    let checked = gather_and_check(manifest, resolved, previous.as_ref(), strict, reporter)?;
    let places = install::Places::of(manifest);
    let actions = install::plan(&checked.placed, previous.as_ref(), &places, options.force)?;
    let lock = new_lock(manifest, &checked, &actions)?;
    let lock_changes = previous.as_ref() != Some(&lock);
    if options.fetch.locked && lock_changes {
        return Err(Error::LockOutdated {
            message: "`agentpack.lock` needs to be updated, but `--locked` was passed".into(),
            hint: UPDATE_THE_LOCK.into(),
        });
    }
    if !dry_run {
        install::apply(
            &places,
            &actions,
            lock_changes.then_some((lock_path.as_path(), &lock)),
        )?;
    }
    let summary = report_actions(manifest, &actions, &checked, dry_run, reporter);
    // A dry run wrote nothing and saves no state.
    let seen_on_disk = |action: &Action| {
        let seen = match action {
            Action::Create { bytes, .. } | Action::Replace { bytes, .. } => {
                Seen::Written(bytes.len() as u64)
            }
            Action::Edited { .. } => Seen::Edited,
            _ => return None,
        };
        Some((manifest.root.join(action.file()), seen))
    };
    let seen = match dry_run {
        true => HashMap::new(),
        false => actions.iter().filter_map(seen_on_disk).collect(),
    };
    Ok(Installation {
        summary,
        previous,
        lock,
        placed: checked.placed,
        seen,
        newer_incompatible: checked.newer_incompatible,
    })
}

/// With `--locked`, known before any network: a source the lock does not describe (or no lock at all)
/// means the lock must change.
fn check_lock_describes(manifest: &Manifest, previous: Option<&Lockfile>) -> Result<()> {
    let Some(lock) = previous else {
        return Err(Error::LockOutdated {
            message: "`agentpack.lock` is missing and `--locked` was passed".into(),
            hint: "run `agentpack install` without `--locked` and commit the lockfile".into(),
        });
    };
    if let Some(spec) = manifest
        .sources
        .iter()
        .find(|s| !lock.source(s.name.as_str()).is_some_and(|l| l.describes(s)))
    {
        return Err(Error::LockOutdated {
            message: format!(
                "source `{}` is new or changed since `agentpack.lock` was written, but `--locked` was passed",
                spec.name
            ),
            hint: UPDATE_THE_LOCK.into(),
        });
    }
    Ok(())
}

/// The items to install, checked: every error found before anything is written.
struct Checked {
    /// The resolved sources, as the lock records them.
    sources: Vec<lockfile::LockedSource>,
    newer_incompatible: Vec<NewerVersion>,
    placed: Vec<Item>,
    /// What `on-collision = "first"` skipped, for the lock.
    skipped: Vec<lockfile::SkippedAgent>,
    /// How many warnings were reported.
    warnings: usize,
}

/// Select the items of every source, settle collisions by `on-collision`, apply the local patches, and
/// check the result (collisions, hand-written duplicates). Warnings are reported; any error fails.
fn gather_and_check(
    manifest: &Manifest,
    resolved: Vec<resolve::Resolved>,
    previous: Option<&Lockfile>,
    strict: bool,
    reporter: &dyn Reporter,
) -> Result<Checked> {
    let sources: Vec<_> = resolved.iter().map(|r| r.locked()).collect();
    let newer_incompatible: Vec<NewerVersion> = resolved.iter().filter_map(newer).collect();
    let specs: Vec<_> = resolved.iter().map(|r| r.spec.clone()).collect();
    let gathered = packs::gather(resolved, &install::Places::of(manifest), strict);
    for (file, reason) in &gathered.passed_over {
        reporter.status(Status::Skipped, &format!("{file}: {reason}"));
    }
    let mut placed = gathered.placed;
    let mut diagnostics: Vec<Diagnostic> = gathered.diagnostics;
    let skipped = match manifest.on_collision {
        OnCollision::Error => Vec::new(),
        OnCollision::First => packs::first_wins(&mut placed, &manifest.source_order),
    };
    let skip_warnings = report_skipped(&skipped, previous, &mut diagnostics, reporter);
    patches::apply(
        &mut placed,
        &manifest.patches,
        &specs,
        strict,
        &mut diagnostics,
    );
    diagnostics.extend(install::collisions(&placed));
    diagnostics.extend(unmanaged_duplicates(manifest, previous, &placed)?);

    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(|d| d.is_error());
    let warnings = super::warnings::report(&warnings, &sources, &placed, previous, reporter);
    if !errors.is_empty() {
        return Err(Error::CheckFailed {
            diagnostics: errors,
        });
    }
    Ok(Checked {
        sources,
        newer_incompatible,
        placed,
        skipped,
        warnings: warnings + skip_warnings,
    })
}

/// Report what `on-collision = "first"` skipped (unless the lock records the same skips, as an unchanged
/// agent's warnings are not repeated), and drop the diagnostics about the skipped files. Returns how many
/// warnings were reported.
fn report_skipped(
    skipped: &[lockfile::SkippedAgent],
    previous: Option<&Lockfile>,
    diagnostics: &mut Vec<Diagnostic>,
    reporter: &dyn Reporter,
) -> usize {
    if skipped.is_empty() {
        return 0;
    }
    let known = previous.is_some_and(|lock| {
        lock.skipped.len() == skipped.len() && skipped.iter().all(|s| lock.skipped.contains(s))
    });
    let skip_warnings = usize::from(!known || reporter.detailed());
    if skip_warnings > 0 {
        reporter.diagnostic(&skipped_summary(skipped));
    }
    // A skipped agent is not installed: like `verify`, say nothing about its file.
    let files: HashSet<String> = skipped
        .iter()
        .map(|s| format!("{}:{}", s.source, s.path))
        .collect();
    diagnostics.retain(|d| d.location.as_ref().is_none_or(|l| !files.contains(&l.file)));
    skip_warnings
}

/// The lock this install writes: the resolved sources, an entry per item (recording which files the plan
/// adopted: agentpack did not write them), and what `on-collision = "first"` skipped.
fn new_lock(manifest: &Manifest, checked: &Checked, actions: &[Action]) -> Result<Lockfile> {
    let adopted: HashSet<&Path> = actions
        .iter()
        .filter(|a| matches!(a, Action::Adopt { .. }))
        .map(Action::file)
        .collect();
    let (agents, skills, commands) =
        install::locked_items(&checked.placed, &manifest.root, |f| adopted.contains(f))?;
    Ok(Lockfile::new(checked.sources.clone(), agents)
        .with_items(skills, commands)
        .with_skipped(checked.skipped.clone()))
}

/// The summary of an install: every action counted and reported (file actions only when they were
/// carried out; an edited file left alone always, as a warning), with the warnings of the checks.
fn report_actions(
    manifest: &Manifest,
    actions: &[Action],
    checked: &Checked,
    dry_run: bool,
    reporter: &dyn Reporter,
) -> InstallSummary {
    let mut summary = InstallSummary {
        warnings: checked.warnings,
        ..InstallSummary::default()
    };
    // Made only when a line or a warning names an item's origin (not for a quiet install).
    let origins: std::cell::OnceCell<HashMap<&Path, &Item>> = std::cell::OnceCell::new();
    let origin = |file: &Path| -> Option<&Item> {
        let origins = origins.get_or_init(|| {
            (checked.placed.iter())
                .map(|p| (p.file.as_path(), p))
                .collect()
        });
        origins.get(file).copied()
    };
    let shown = |file: &Path| crate::scope::shown(&manifest.root, file, manifest.home.as_deref());
    for action in actions {
        let (status, counter) = match action {
            Action::Create { .. } => (Status::Installed, &mut summary.installed),
            Action::Replace { .. } => (Status::Updated, &mut summary.updated),
            Action::Remove { .. } => (Status::Removed, &mut summary.removed),
            Action::Unchanged { .. } | Action::Adopt { .. } => {
                (Status::Unchanged, &mut summary.unchanged)
            }
            Action::Keep { .. } => (Status::Kept, &mut summary.unchanged),
            Action::Edited { .. } => {
                reporter.diagnostic(&kept(&shown(action.file()), origin(action.file())));
                summary.warnings += 1;
                continue;
            }
        };
        *counter += 1;
        // One line per file: made only when it is shown (not with `-q`).
        if !dry_run && reporter.shows(status) {
            let from = origin(action.file())
                .map(|p| format!(" from {}", p.label()))
                .unwrap_or_default();
            reporter.status(status, &format!("{}{from}", shown(action.file())));
        }
    }
    summary
}

/// The hint of every `--locked` refusal of a lock that must change.
const UPDATE_THE_LOCK: &str =
    "run `agentpack install` without `--locked` and commit the updated lockfile";

/// The newer release a `version` source's requirement excludes, if resolution saw one.
fn newer(resolved: &resolve::Resolved) -> Option<NewerVersion> {
    let tag = resolved.newer_incompatible.clone()?;
    let SourceKind::Git {
        reference: crate::names::GitRef::Version { written, .. },
        ..
    } = &resolved.spec.kind
    else {
        return None;
    };
    Some(NewerVersion {
        source: resolved.spec.name.to_string(),
        requirement: written.clone(),
        tag,
    })
}

/// Hand-written files in the target that declare the name of an agent this install places, as `verify`
/// reports them ([`duplicates`]). Files the previous lock names are agentpack's (replaced or removed by
/// this install), not duplicates.
fn unmanaged_duplicates(
    manifest: &Manifest,
    previous: Option<&Lockfile>,
    placed: &[Item],
) -> Result<Vec<Diagnostic>> {
    let Some(candidates) = duplicates::Candidates::in_target(&manifest.target) else {
        return Ok(Vec::new());
    };
    let locked = previous.map(|l| l.agents.as_slice()).unwrap_or_default();
    let managed: HashSet<PathBuf> = placed
        .iter()
        .map(|p| p.file.clone())
        .chain(
            locked
                .iter()
                .map(|a| crate::fsutil::normalize(&manifest.root.join(&a.file))),
        )
        .collect();
    let labels: Vec<String> = placed
        .iter()
        .map(|p| lockfile::file_label(&manifest.root, &p.file))
        .collect();
    let owners: Vec<Owner> = placed
        .iter()
        .zip(&labels)
        .filter(|(p, _)| p.kind == install::ItemKind::Agent)
        .map(|(p, label)| Owner {
            name: &p.installed_name,
            file: label,
            source: &p.source,
        })
        .collect();
    candidates.find(&manifest.root, manifest.home.as_deref(), &managed, &owners)
}

/// The no-op short-cut (see [`crate::state`]): `Some(files)` when the last install of exactly these inputs
/// left every file as it is now and every local patch is the one the lock records. Never taken with
/// `--force`, a `path` source, or `--locked` online (which asks the remote whether locked tags moved).
fn fresh(
    manifest: &Manifest,
    manifest_bytes: &[u8],
    lock_path: &Path,
    state_path: &Path,
    options: InstallOptions,
    strict: bool,
) -> Option<usize> {
    if options.force
        || (options.fetch.locked && !options.fetch.offline)
        || manifest
            .sources
            .iter()
            .any(|s| matches!(s.kind, SourceKind::Path { .. }))
    {
        return None;
    }
    let lock_bytes = std::fs::read(lock_path).ok()?;
    if !manifest.patches.is_empty() && !patches_as_locked(manifest, lock_path) {
        return None;
    }
    let state = InstallState::load(state_path)?;
    let files = state.unchanged(manifest_bytes, &lock_bytes, strict)?;
    // A file added to the target since may duplicate an agent's name: the long way checks that.
    let agent_files = (state.files().iter())
        .filter(|(path, _)| path.parent() == Some(manifest.target.as_path()))
        .count();
    if duplicates::md_file_count(&manifest.target) != agent_files {
        return None;
    }
    if state.missing_stamps() {
        let files = state.files();
        InstallState::capture(manifest_bytes, &lock_bytes, strict, &files, &HashMap::new())
            .save(state_path);
    }
    Some(files)
}

/// Does every `[patches]` file still have the hash the lock recorded? (A patch edited since the last
/// install changes what must be installed, though the manifest and the lock did not change.)
fn patches_as_locked(manifest: &Manifest, lock_path: &Path) -> bool {
    let Ok(Some(lock)) = Lockfile::load(lock_path) else {
        return false;
    };
    manifest.patches.iter().all(|patch| {
        let locked = lock
            .agents
            .iter()
            .find(|a| a.name == patch.agent)
            .and_then(|a| a.patch.as_ref());
        std::fs::read(&patch.file)
            .is_ok_and(|bytes| locked.is_some_and(|p| p.sha256 == Sha256::of(&bytes)))
    })
}

/// The one line listing what `on-collision = "first"` skipped (shown when it differs from the lock, or with
/// `-v`).
fn skipped_summary(skipped: &[lockfile::SkippedAgent]) -> Diagnostic {
    let list: Vec<String> = skipped
        .iter()
        .map(|s| format!("{} ({}, kept from {})", s.name, s.source, s.installed_from))
        .collect();
    Diagnostic::warning(
        "name-collision",
        format!(
            "skipped {} whose names an earlier source in agentpack.toml installs (`on-collision = \"first\"`): {}",
            crate::diag::plural(skipped.len(), "agent"),
            list.join(", ")
        ),
    )
}

/// The warning for an edited installed file that the install left alone ([`Action::Edited`]).
fn kept(shown: &str, origin: Option<&Item>) -> Diagnostic {
    // Local patches are for agents (as in the plan's refusal): a skill's or command's file has no
    // `agentpack patch` to record its edit.
    let hint = match origin {
        Some(item) if item.kind != install::ItemKind::Agent => {
            "undo the edit with `agentpack install --force` (copy it elsewhere first to keep it)"
                .to_string()
        }
        _ => {
            let name = origin.map_or("NAME", |p| p.installed_name.as_str());
            format!(
                "keep the edit with `agentpack patch {name}`, or undo it with `agentpack install --force`"
            )
        }
    };
    Diagnostic::warning(
        "modified-file",
        format!("`{shown}` was edited since install; it is left as you have it, and `agentpack verify` fails until you record or undo the edit"),
    )
    .at(crate::diag::Location::file(shown))
    .with_hint(hint)
}

fn recovered(recovery: Recovery) -> Diagnostic {
    let what = match recovery {
        Recovery::Completed => {
            "finished the cleanup of an install that was interrupted after it had written everything"
        }
        Recovery::RolledBack => {
            "rolled back an install that was interrupted; the project is as it was before it"
        }
    };
    Diagnostic::warning("install-recovered", what.to_string()).with_hint(format!(
        "agentpack found `{}` left by a process that died while installing",
        install::JOURNAL_NAME
    ))
}
