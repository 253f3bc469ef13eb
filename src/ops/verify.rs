//! `agentpack verify`: the CI check. Reads the manifest, the lock and the target directory — no network, no
//! cache, no writes — and reports every way the installed agents differ from what the lock and the manifest
//! say, each problem with the file and the command that fixes it.
//!
//! | code | problem |
//! |---|---|
//! | `lock-missing` | the manifest has sources but there is no `agentpack.lock` |
//! | `lock-outdated` | the lock does not match the manifest: a source added, removed or changed (URL, ref, `subdir`, a path source's files), an `agents`/`exclude`/`rename` entry the locked agents do not reflect (for agents a pack brought in, the top-level source's), another `target`, a `[patches]` entry added, removed or whose file changed; sources a pack pulled in are expected when their `required-by` chain leads to a manifest source |
//! | `file-missing` | an installed file is gone (of an agent, a command, or any file of a skill) |
//! | `modified-file` | an installed file's sha256 differs from the lock |
//! | `unmanaged-duplicate` | a file in the target directory that agentpack did not install declares the `name` of a managed agent |
//! | `vendor-checksum` | with `[install] vendor`: a vendored file was changed, removed or added |
//! | `vendor-outdated` | with `[install] vendor`: a git source is not vendored at its locked commit |
//! | front-matter codes | an installed file fails the checks (with its source's `trust` / `allow-unicode`) |

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::duplicates::{self, Owner};
use crate::error::Result;
use crate::fsutil::normalize;
use crate::lockfile::{self, LOCK_NAME, LockedAgent, LockedSource, Lockfile};
use crate::manifest::{Manifest, ManifestPath, SourceKind, SourceSpec};
use crate::names::{is_path_like, rename_key_matches, root_source, sha256_hex};
use crate::resolve;
use crate::source;

#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions {
    /// Front-matter warnings are errors (also `[install] strict = true`).
    pub strict: bool,
}

#[derive(Debug, Default)]
pub struct VerifyReport {
    /// Agents the lock records as installed (each checked, present or not).
    pub agents: usize,
    /// Skills and commands the lock records (each file checked).
    pub skills: usize,
    pub commands: usize,
    /// Every problem, errors and warnings, in a stable order.
    pub problems: Vec<Diagnostic>,
}

impl VerifyReport {
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }
}

const INSTALL: &str = "run `agentpack install` and commit agentpack.lock";

/// Verify the project of `manifest_path`. `Err` only for unusable input (manifest, lock, unreadable disk).
pub fn verify(manifest_path: &ManifestPath, options: VerifyOptions) -> Result<VerifyReport> {
    let manifest = Manifest::load(manifest_path)?;
    let lock_path = manifest.root.join(LOCK_NAME);
    let mut report = VerifyReport::default();
    let Some(lock) = Lockfile::load(&lock_path)? else {
        if !manifest.sources.is_empty() {
            report.problems.push(
                Diagnostic::error(
                    "lock-missing",
                    "`agentpack.lock` is missing, so nothing is known to be installed",
                )
                .at(Location::file(LOCK_NAME))
                .with_hint(INSTALL),
            );
        }
        return Ok(report);
    };
    lock_matches_manifest(&manifest, &lock, &mut report.problems);
    check_files(&manifest, &lock, options, &mut report)?;
    let strict = options.strict || manifest.strict;
    (report.skills, report.commands) =
        super::verify_items::check_files(&manifest, &lock, strict, &mut report.problems)?;
    unmanaged_duplicates(&manifest, &lock, &mut report.problems)?;
    if let Some(dir) = &manifest.vendor {
        vendored(&manifest, dir, &lock, &mut report.problems);
    }
    Ok(report)
}

fn outdated(message: String) -> Diagnostic {
    Diagnostic::error("lock-outdated", message)
        .at(Location::file(LOCK_NAME))
        .with_hint(INSTALL)
}

fn lock_matches_manifest(manifest: &Manifest, lock: &Lockfile, out: &mut Vec<Diagnostic>) {
    for spec in &manifest.sources {
        let name = spec.name.as_str();
        let Some(locked) = lock.source(name) else {
            out.push(outdated(format!(
                "source `{name}` is in agentpack.toml but not in agentpack.lock"
            )));
            continue;
        };
        if let Some(change) = source_change(spec, locked, &manifest.target) {
            out.push(outdated(format!(
                "source `{name}` changed since agentpack.lock was written: {change}"
            )));
            continue;
        }
        // A marketplace's relative plugins are checked as what a pack brings in, below.
        let agents: Vec<&LockedAgent> = (lock.agents.iter())
            .filter(|a| a.source == name && a.plugin.is_none())
            .collect();
        let skipped: Vec<(&str, &str)> = lock
            .skipped
            .iter()
            .filter(|s| s.source == name)
            .map(|s| (s.name.as_str(), s.path.as_str()))
            .collect();
        selection_changes(manifest, spec, &agents, &skipped, out);
    }
    super::verify_items::selection_changes(manifest, lock, outdated, out);
    patch_changes(manifest, lock, out);
    for locked in &lock.sources {
        if manifest.source(&locked.name).is_none() && !pulled_in(manifest, lock, locked) {
            out.push(outdated(format!(
                "source `{}` is in agentpack.lock but no longer in agentpack.toml",
                locked.name
            )));
        }
    }
    for agent in (lock.agents.iter()).filter(|a| a.source.contains('/') || a.plugin.is_some()) {
        if let Some(spec) = manifest.source(root_source(&agent.source)) {
            nested_selection_changes(manifest, spec, agent, out);
        }
    }
    plugin_selection(manifest, lock, out);
}

/// Is the plugin each locked item (agent, skill, command) came from still selected by the `plugins` key
/// of the manifest's marketplace it came through (when it came from a plugin of that source itself, not
/// of a pack's source)?
fn plugin_selection(manifest: &Manifest, lock: &Lockfile, out: &mut Vec<Diagnostic>) {
    let agents = (lock.agents.iter()).map(|a| ("agent", a.name.as_str(), &a.source, &a.plugin));
    let skills = (lock.skills.iter()).map(|s| ("skill", s.name.as_str(), &s.source, &s.plugin));
    let commands =
        (lock.commands.iter()).map(|c| ("command", c.name.as_str(), &c.source, &c.plugin));
    for (noun, name, source, plugin) in agents.chain(skills).chain(commands) {
        let (Some(plugin), Some(spec)) = (plugin, manifest.source(root_source(source))) else {
            continue;
        };
        let child_of_spec = lock.source(source).is_some_and(|s| {
            s.plugin.is_some() && s.required_by.as_deref() == Some(spec.name.as_str())
        });
        let of_spec = source == spec.name.as_str() || child_of_spec;
        if of_spec && !spec.selection.plugins.iter().any(|p| p.matches(plugin, "")) {
            out.push(outdated(format!(
                "{noun} `{name}` of plugin `{plugin}` is locked, but `plugins` of source `{}` no longer selects that plugin",
                spec.name
            )));
        }
    }
}

/// Is `locked` a source a pack pulled in, reached from a source of the manifest? Verify reads no pack
/// (no network, no cache), so it trusts the chain the lock records: `required-by` names a locked source,
/// the name is `<required-by>/<name>`, and its top-level source is in the manifest (whose own lock entry is
/// checked against the manifest).
fn pulled_in(manifest: &Manifest, lock: &Lockfile, locked: &LockedSource) -> bool {
    locked.required_by.as_deref().is_some_and(|parent| {
        locked
            .name
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|own| !own.is_empty() && !own.contains('/'))
            && lock.source(parent).is_some()
            && manifest.source(root_source(&locked.name)).is_some()
    })
}

/// What the manifest's top-level source says about an agent its pack brought in: its `exclude` names
/// drop it, and a `rename` key naming it renames it (see [`crate::packs`]).
fn nested_selection_changes(
    manifest: &Manifest,
    spec: &SourceSpec,
    agent: &LockedAgent,
    out: &mut Vec<Diagnostic>,
) {
    let original = agent
        .original_name
        .as_deref()
        .unwrap_or(agent.name.as_str());
    let selection = &spec.selection;
    let renamed = selection
        .rename
        .iter()
        .find(|(key, _)| !is_path_like(key) && key.as_str() == original);
    if let Some(pattern) = selection.exclude.iter().find(|p| {
        !p.by_path
            && (p.matches(original, "")
                || (renamed.is_none() && p.matches(agent.name.as_str(), "")))
    }) {
        out.push(outdated(format!(
            "agent `{}` that the pack of `{}` brought in is locked, but `exclude` entry `{}` leaves it out",
            agent.name, spec.name, pattern.written
        )));
    }
    if let Some((_, to)) = renamed
        && agent.name != *to
    {
        out.push(outdated(format!(
            "agent `{original}` that the pack of `{}` brought in is locked as `{}`, but agentpack.toml installs it as `{to}`",
            spec.name, agent.name
        )));
    }
    outside_target(manifest, agent, out);
}

/// `[patches]` against the lock: each patch recorded for its agent, with the patch file's hash, and no
/// locked patch the manifest no longer has.
fn patch_changes(manifest: &Manifest, lock: &Lockfile, out: &mut Vec<Diagnostic>) {
    for patch in &manifest.patches {
        let locked = lock.agents.iter().find(|a| a.name == patch.agent);
        let problem = match locked {
            None => Some("names no locked agent".to_string()),
            Some(LockedAgent { patch: None, .. }) => {
                Some("is not applied in agentpack.lock".to_string())
            }
            Some(LockedAgent {
                patch: Some(locked),
                ..
            }) if locked.file != patch.written => {
                Some("is not applied in agentpack.lock".to_string())
            }
            Some(LockedAgent {
                patch: Some(locked),
                ..
            }) => match std::fs::read(&patch.file) {
                Err(e) => Some(format!("cannot be read: {e}")),
                Ok(bytes) if locked.sha256 != sha256_hex(&bytes) => Some(
                    "changed since install: its sha256 differs from agentpack.lock".to_string(),
                ),
                Ok(_) => None,
            },
        };
        if let Some(problem) = problem {
            out.push(outdated(format!(
                "patch `{}` of `{}` {problem}",
                patch.written, patch.agent
            )));
        }
    }
    for agent in &lock.agents {
        if let Some(patch) = &agent.patch
            && manifest.patch(agent.name.as_str()).is_none()
        {
            out.push(outdated(format!(
                "agent `{}` is locked with the patch `{}`, which agentpack.toml no longer lists",
                agent.name, patch.file
            )));
        }
    }
}

/// What differs between a source in the manifest and its lock entry, if anything: what
/// [`LockedSource::change`] finds, and for a path source, its files since install.
fn source_change(spec: &SourceSpec, locked: &LockedSource, target: &Path) -> Option<String> {
    if let Some(change) = locked.change(spec) {
        return Some(change);
    }
    let SourceKind::Path { written, dir } = &spec.kind else {
        return None;
    };
    match source::path::snapshot(
        spec.name.as_str(),
        dir,
        spec.subdir.as_deref(),
        Some(target),
    ) {
        Ok(snapshot) if locked.content_hash() != Some(&source::path::content_hash(&snapshot)) => {
            Some(format!("the files in `{written}` changed since install"))
        }
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    }
}

/// `agents`, `exclude`, `rename` and `target` of the manifest against the agents the lock records.
fn selection_changes<'a>(
    manifest: &Manifest,
    spec: &SourceSpec,
    agents: &[&'a LockedAgent],
    skipped: &[(&'a str, &'a str)],
    out: &mut Vec<Diagnostic>,
) {
    let name = spec.name.as_str();
    let selection = &spec.selection;
    // The path relative to the searched directory.
    let strip = |path: &'a str| match &spec.subdir {
        Some(dir) => path
            .strip_prefix(dir.as_str())
            .map_or(path, |p| p.trim_start_matches('/')),
        None => path,
    };
    // (front-matter name in the source, path relative to the searched directory)
    let keys: Vec<(&str, &str)> = agents
        .iter()
        .map(|a| {
            (
                a.original_name.as_deref().unwrap_or(a.name.as_str()),
                strip(&a.path),
            )
        })
        .collect();
    for pattern in &selection.agents {
        // An agent `on-collision = "first"` skipped was selected all the same.
        if !keys.iter().any(|(n, p)| pattern.matches(n, p))
            && !skipped.iter().any(|&(n, p)| pattern.matches(n, strip(p)))
        {
            out.push(outdated(format!(
                "`agents` entry `{}` of source `{name}` matches no agent in the lock",
                pattern.written
            )));
        }
    }
    for (agent, (original, path)) in agents.iter().zip(&keys) {
        if let Some(pattern) = selection.exclude.iter().find(|p| p.matches(original, path)) {
            out.push(outdated(format!(
                "agent `{}` of source `{name}` is locked, but `exclude` entry `{}` leaves it out",
                agent.name, pattern.written
            )));
        }
        let renamed = selection.rename.iter().find_map(|(key, to)| {
            rename_key_matches(key, original, path, &agent.path).then_some(to.as_str())
        });
        let expected = renamed
            .map(str::to_string)
            .or_else(|| selection.prefixed(original))
            .unwrap_or_else(|| original.to_string());
        if agent.name != expected {
            out.push(outdated(format!(
                "agent `{original}` of source `{name}` is locked as `{}`, but agentpack.toml installs it as `{expected}`",
                agent.name
            )));
        }
        outside_target(manifest, agent, out);
    }
}

fn outside_target(manifest: &Manifest, agent: &LockedAgent, out: &mut Vec<Diagnostic>) {
    let file = normalize(&manifest.root.join(&agent.file));
    if file.parent() != Some(manifest.target.as_path()) {
        out.push(outdated(format!(
            "agent `{}` is locked at `{}`, outside the target directory `{}`",
            agent.name,
            agent.file,
            lockfile::file_label(&manifest.root, &manifest.target)
        )));
    }
}

/// Every installed file: present, unedited, and passing the checks of its source. The files are read,
/// hashed and checked on every core (as an install checks its sources); the problems keep the lock's
/// order.
fn check_files(
    manifest: &Manifest,
    lock: &Lockfile,
    options: VerifyOptions,
    report: &mut VerifyReport,
) -> Result<()> {
    let strict = options.strict || manifest.strict;
    report.agents = lock.agents.len();
    let checked =
        crate::in_order::on_every_core(&lock.agents, |agent| check_file(manifest, agent, strict));
    for problems in checked {
        report.problems.extend(problems?);
    }
    Ok(())
}

/// The problems of one installed agent file.
///
/// The file is read and hashed every time: `verify` does not take the no-op install's short-cut of a
/// recorded size and modification time ([`crate::state`]). That short-cut only saves an install work
/// it would redo identically; `verify` is the check that the file holds what the lock says, and a time
/// stamp proves nothing (an edit can keep the size, and `touch -r` puts the old time back). The file
/// must be read for its front-matter checks anyway, so hashing it adds little.
fn check_file(manifest: &Manifest, agent: &LockedAgent, strict: bool) -> Result<Vec<Diagnostic>> {
    let path = normalize(&manifest.root.join(&agent.file));
    // `~/.claude/agents/x.md` with `--global`, the lock's label otherwise.
    let shown = crate::scope::shown(&manifest.root, &path, manifest.home.as_deref());
    let from = format!("agent `{}` from `{}`", agent.name, agent.source);
    let Some(bytes) = crate::fsutil::read_if_exists(&path)? else {
        return Ok(vec![
            Diagnostic::error("file-missing", format!("`{}` ({from}) is missing", shown))
                .at(Location::file(&shown))
                .with_hint("run `agentpack install` to restore it"),
        ]);
    };
    let mut problems = Vec::new();
    if sha256_hex(&bytes) != agent.sha256 {
        problems.push(
            Diagnostic::error(
                "modified-file",
                format!(
                    "`{}` ({from}) was edited since install: its sha256 differs from agentpack.lock",
                    shown
                ),
            )
            .at(Location::file(&shown))
            .with_hint(format!("keep the edit with `agentpack patch {}`, or restore the file with `agentpack install --force`", agent.name)),
        );
    }
    // An agent a pack brought in is trusted as the top-level source it came through.
    problems.extend(crate::select::check_installed(
        &shown,
        &bytes,
        manifest.source(root_source(&agent.source)),
        strict,
    ));
    Ok(problems)
}

/// With a vendor directory, what `install` would read from it: every git source at its locked commit,
/// every file matching its checksum.
fn vendored(manifest: &Manifest, dir: &Path, lock: &Lockfile, out: &mut Vec<Diagnostic>) {
    let relative = |mut d: Diagnostic| {
        if let Some(location) = &mut d.location
            && let Ok(rest) = Path::new(&location.file).strip_prefix(&manifest.root)
        {
            location.file = rest.display().to_string();
        }
        d
    };
    for spec in &manifest.sources {
        if !matches!(spec.kind, SourceKind::Git { .. }) {
            continue;
        }
        match resolve::read_vendored(dir, spec, lock.source(spec.name.as_str())) {
            Ok(_) => {}
            Err(crate::error::Error::InvalidInput { diagnostics, .. }) => {
                out.extend(diagnostics.into_iter().map(relative));
            }
            Err(e) => out.push(
                Diagnostic::error("vendor-outdated", e.to_string())
                    .at(Location::file(lockfile::file_label(&manifest.root, dir)))
                    .with_hint(e.hint().unwrap_or_default()),
            ),
        }
    }
}

/// Agent files in the target directory that agentpack did not install but that claim a managed agent's
/// `name` ([`crate::duplicates`]).
fn unmanaged_duplicates(
    manifest: &Manifest,
    lock: &Lockfile,
    out: &mut Vec<Diagnostic>,
) -> Result<()> {
    let Some(candidates) = duplicates::Candidates::in_target(&manifest.target) else {
        return Ok(());
    };
    let managed: HashSet<PathBuf> = lock
        .agents
        .iter()
        .map(|a| normalize(&manifest.root.join(&a.file)))
        .collect();
    let owners: Vec<Owner> = lock
        .agents
        .iter()
        .map(|a| Owner {
            name: a.name.as_str(),
            file: &a.file,
            source: &a.source,
        })
        .collect();
    out.extend(candidates.find(&manifest.root, manifest.home.as_deref(), &managed, &owners)?);
    Ok(())
}
