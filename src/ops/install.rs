//! `agentpack install`: resolve, fetch, check, install, lock — every check before the first write.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::install::{self, Action, Placed, Recovery};
use crate::lockfile::{self, LockedAgent, Lockfile};
use crate::manifest::{Manifest, SourceKind};
use crate::reporter::{Reporter, Status};
use crate::resolve::{self, ResolveOptions};
use crate::select;
use crate::source::git::Cache;

#[derive(Debug, Clone, Copy, Default)]
pub struct InstallOptions {
    /// Fail if the lockfile is missing or would change.
    pub locked: bool,
    /// Use only the cache.
    pub offline: bool,
    /// Replace or delete files agentpack would otherwise protect.
    pub force: bool,
    /// Warnings are errors (also `[install] strict = true`).
    pub strict: bool,
}

/// What an install did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct InstallSummary {
    pub installed: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub warnings: usize,
    pub lock_written: bool,
}

pub fn install(
    manifest_path: &Path,
    options: InstallOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<InstallSummary> {
    let manifest = Manifest::load(manifest_path)?;
    // Locks first, project then cache repositories (always in this order: no deadlock), held to the end.
    let _project = install::lock_project(&manifest.root, reporter)?;
    if let Some(recovery) = install::recover(&manifest.root, &manifest.target)? {
        reporter.diagnostic(&recovered(recovery));
    }
    let _repos = cache.lock_repos(
        manifest.sources.iter().filter_map(|s| match &s.kind {
            SourceKind::Git { url, .. } => Some(url.fetch.as_str()),
            SourceKind::Path { .. } => None,
        }),
        reporter,
    )?;
    let lock_path = manifest.root.join(lockfile::LOCK_NAME);
    let previous = Lockfile::load(&lock_path)?;
    if options.locked && previous.is_none() {
        return Err(Error::LockOutdated {
            message: "`agentpack.lock` is missing and `--locked` was passed".into(),
            hint: "run `agentpack install` without `--locked` and commit the lockfile".into(),
        });
    }
    let strict = options.strict || manifest.strict;

    let resolved = resolve::resolve_all(
        &manifest.sources,
        previous.as_ref(),
        cache,
        ResolveOptions {
            offline: options.offline,
        },
        reporter,
    )?;

    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut placed = Vec::new();
    for source in &resolved {
        let selection = select::select(source, strict);
        for (file, reason) in &selection.passed_over {
            reporter.status(Status::Skipped, &format!("{file}: {reason}"));
        }
        diagnostics.extend(selection.diagnostics);
        placed.extend(
            selection
                .agents
                .into_iter()
                .map(|a| Placed::new(a, &manifest.target)),
        );
    }
    diagnostics.extend(install::collisions(&placed));
    placed.sort_by(|a, b| a.file.cmp(&b.file));

    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics.into_iter().partition(|d| d.is_error());
    for warning in &warnings {
        reporter.diagnostic(warning);
    }
    if !errors.is_empty() {
        return Err(Error::CheckFailed {
            diagnostics: errors,
        });
    }

    let lock = Lockfile::new(
        resolved.iter().map(|r| r.locked()).collect(),
        placed
            .iter()
            .map(|p| LockedAgent {
                name: p.agent.installed_name.clone(),
                original_name: (p.agent.installed_name != p.agent.original_name)
                    .then(|| p.agent.original_name.clone()),
                source: p.agent.source.clone(),
                path: p.agent.repo_path.clone(),
                file: lockfile::file_label(&manifest.root, &p.file),
                sha256: p.sha256.clone(),
            })
            .collect(),
    );
    let lock_changes = previous.as_ref() != Some(&lock);
    if options.locked && lock_changes {
        return Err(Error::LockOutdated {
            message: "`agentpack.lock` needs to be updated, but `--locked` was passed".into(),
            hint: "run `agentpack install` without `--locked` and commit the updated lockfile"
                .into(),
        });
    }

    let actions = install::plan(
        &placed,
        previous.as_ref(),
        &manifest.root,
        &manifest.target,
        options.force,
    )?;
    install::apply(
        &manifest.root,
        &manifest.target,
        &actions,
        lock_changes.then_some((lock_path.as_path(), &lock)),
    )?;

    let mut summary = InstallSummary {
        warnings: warnings.len(),
        lock_written: lock_changes,
        ..InstallSummary::default()
    };
    for action in &actions {
        let shown = lockfile::file_label(&manifest.root, action.file());
        let origin = placed
            .iter()
            .find(|p| p.file == action.file())
            .map(|p| format!(" from {}:{}", p.agent.source, p.agent.repo_path))
            .unwrap_or_default();
        let (status, counter) = match action {
            Action::Create { .. } => (Status::Installed, &mut summary.installed),
            Action::Replace { .. } => (Status::Updated, &mut summary.updated),
            Action::Remove { .. } => (Status::Removed, &mut summary.removed),
            Action::Unchanged { .. } => (Status::Unchanged, &mut summary.unchanged),
        };
        *counter += 1;
        reporter.status(status, &format!("{shown}{origin}"));
    }
    Ok(summary)
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
