//! `agentpack update [SOURCE...] [--precise REV] [--dry-run]`: re-resolve sources within their
//! requirements (all, or the named ones and what their packs pull in), install the result, and report what
//! moved. The other sources keep their locked commits exactly. Like `cargo update`, the manifest is not
//! edited, except by `--breaking`: that moves each `version` requirement whose newest release it does not
//! allow to `^X.Y.Z` of that release (like `cargo upgrade --incompatible`), in place with toml_edit,
//! and writes the manifest only once the install succeeded. Unlike `cargo update`, the installed files
//! follow the lock, since the lock records their hashes.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::edit::ManifestEdit;
use crate::error::{Error, Result};
use crate::lockfile::{LockedOrigin, LockedSource, Lockfile};
use crate::manifest::{Manifest, ManifestPath, SourceKind};
use crate::names::GitRef;
use crate::ops::install::{InstallOptions, InstallSummary, NewerVersion, install_manifest};
use crate::reporter::Reporter;
use crate::resolve::{self, ResolveOptions, Update};
use crate::source::cache::LockedCache;
use crate::source::git::Cache;

#[derive(Debug, Clone, Default)]
pub struct UpdateOptions {
    /// Sources to update; empty means all.
    pub sources: Vec<String>,
    /// Pin the single named source to this tag or commit.
    pub precise: Option<String>,
    /// Work everything out, write nothing.
    pub dry_run: bool,
    /// `--force`, `--offline`, `--jobs`.
    pub install: InstallOptions,
    /// Move `version` requirements to the newest major release, editing the manifest.
    pub breaking: bool,
}

/// A requirement `--breaking` changed in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub source: String,
    pub before: String,
    pub after: String,
}

/// What changed for one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceChange {
    pub source: String,
    /// `v1.2.0 (abc1234)`; `None` for a source new in this lock.
    pub before: Option<String>,
    /// `None` for a source no longer in the lock.
    pub after: Option<String>,
    /// Installed names of agents this source now brings that it did not.
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug)]
pub struct UpdateReport {
    /// Requirements `--breaking` changed in the manifest.
    pub requirements: Vec<Requirement>,
    pub changes: Vec<SourceChange>,
    pub summary: InstallSummary,
    /// Newer releases the requirements exclude, which `update` does not take.
    pub newer_incompatible: Vec<NewerVersion>,
}

pub fn update(
    manifest_path: &ManifestPath,
    options: &UpdateOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<UpdateReport> {
    let mut manifest = Manifest::load(manifest_path)?;
    let previous = Lockfile::load(&manifest.root.join(crate::lockfile::LOCK_NAME))?;
    check_names(&manifest, previous.as_ref(), options)?;
    let (requirements, new_text) = if options.breaking {
        breaking(&manifest, options, cache, reporter)?
    } else {
        (Vec::new(), None)
    };
    if let Some(text) = &new_text {
        manifest = Manifest::parse(manifest_path, text)?;
    }
    let update = if options.sources.is_empty() {
        Update::All
    } else {
        Update::Only(&options.sources)
    };
    let resolve = ResolveOptions {
        update,
        precise: options.precise.as_deref(),
        ..options.install.fetch.resolve()
    };
    let done = install_manifest(
        &manifest,
        options.install,
        resolve,
        options.dry_run,
        cache,
        reporter,
    )?;
    if let (Some(text), false) = (&new_text, options.dry_run) {
        crate::fsutil::write_atomic(manifest_path, text.as_bytes())?;
    }
    Ok(UpdateReport {
        requirements,
        changes: changes(done.previous.as_ref(), &done.lock),
        summary: done.summary,
        newer_incompatible: done.newer_incompatible,
    })
}

/// `--breaking`: for every `version` source of the manifest (or the named ones), the newest release of
/// its repository; a requirement that does not allow it becomes `^X.Y.Z` of it. Returns the changes and
/// the edited manifest text (`None` when nothing changed). A pack's sources are not the user's to edit
/// and keep their requirements.
fn breaking(
    manifest: &Manifest,
    options: &UpdateOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<(Vec<Requirement>, Option<String>)> {
    let mut found = Vec::new();
    for spec in &manifest.sources {
        let name = spec.name.as_str();
        if !options.sources.is_empty() && !options.sources.iter().any(|s| s == name) {
            continue;
        }
        let SourceKind::Git {
            url,
            reference: GitRef::Version { req, written },
        } = &spec.kind
        else {
            continue;
        };
        let locked = LockedCache::lock(cache, [url.fetch.as_str()], reporter)?;
        let repo = locked.repo(&url.fetch)?;
        let refs = repo.remote(name, url, reporter)?.list_refs()?;
        if let Some(newest) = resolve::newest_release(&refs).filter(|v| !req.matches(v)) {
            found.push(Requirement {
                source: name.to_string(),
                before: written.clone(),
                after: resolve::caret(&newest),
            });
        }
    }
    if found.is_empty() {
        return Ok((found, None));
    }
    let text = std::fs::read_to_string(&manifest.path)
        .map_err(|e| Error::io("read", &manifest.path, e))?;
    let mut edit = ManifestEdit::parse(&manifest.path, &text)?;
    for change in &found {
        edit.set_reference(&change.source, "version", &change.after);
    }
    Ok((found, Some(edit.to_string())))
}

/// Every named source must exist (in the manifest, or in the lock for a pack's source), and `--precise`
/// needs exactly one.
fn check_names(
    manifest: &Manifest,
    lock: Option<&Lockfile>,
    options: &UpdateOptions,
) -> Result<()> {
    let mut known: BTreeSet<String> = manifest
        .sources
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    known.extend(
        lock.iter()
            .flat_map(|l| l.sources.iter().map(|s| s.name.clone())),
    );
    for name in &options.sources {
        if !known.contains(name) {
            return Err(Error::Usage {
                message: format!("there is no source named `{name}`"),
                hint: Some(format!(
                    "sources: {}",
                    known.into_iter().collect::<Vec<_>>().join(", ")
                )),
            });
        }
    }
    if options.precise.is_some() {
        let [name] = options.sources.as_slice() else {
            return Err(Error::Usage {
                message: "`--precise` needs exactly one source".into(),
                hint: Some("e.g. `agentpack update studio --precise v1.2.0`".into()),
            });
        };
        let is_path = manifest
            .source(name)
            .map(|s| matches!(s.kind, SourceKind::Path { .. }))
            .or_else(|| lock?.source(name).map(|s| s.path().is_some()))
            .unwrap_or(false);
        if is_path {
            return Err(Error::Usage {
                message: format!("`{name}` is a path source; `--precise` pins git sources"),
                hint: None,
            });
        }
    }
    Ok(())
}

/// `v1.2.0 (abc1234)`, `main (abc1234)`, `default-branch (abc1234)` (as `list` says),
/// `path ../x (sha256:9b0c1d2)`.
pub fn label(source: &LockedSource) -> String {
    match &source.origin {
        LockedOrigin::Path { path, content_hash } => {
            let short = content_hash.get(..14).unwrap_or(content_hash);
            format!("path {path} ({short})")
        }
        LockedOrigin::Git {
            reference,
            commit,
            tag,
            ..
        } => {
            let version = tag
                .as_deref()
                .or(reference.kind_and_value().1)
                .unwrap_or("default-branch");
            format!("{version} ({})", commit.short())
        }
    }
}

/// Sources whose pin changed, appeared or disappeared, with the agents, skills and commands each gained
/// or lost.
pub fn changes(previous: Option<&Lockfile>, lock: &Lockfile) -> Vec<SourceChange> {
    let empty = Lockfile::new(Vec::new(), Vec::new());
    let previous = previous.unwrap_or(&empty);
    let agents = |lock: &Lockfile| {
        let mut by_source: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for a in &lock.agents {
            by_source
                .entry(a.source.clone())
                .or_default()
                .insert(a.name.to_string());
        }
        // Skills and commands as their `rename` keys name them.
        let items = (lock
            .skills
            .iter()
            .map(|k| (&k.source, format!("skill:{}", k.name))))
        .chain(
            lock.commands
                .iter()
                .map(|c| (&c.source, format!("command:{}", c.name))),
        );
        for (source, name) in items {
            by_source.entry(source.clone()).or_default().insert(name);
        }
        by_source
    };
    let (before_agents, after_agents) = (agents(previous), agents(lock));
    let names: BTreeSet<&String> = previous
        .sources
        .iter()
        .chain(&lock.sources)
        .map(|s| &s.name)
        .collect();
    let none = BTreeSet::new();
    names
        .into_iter()
        .filter_map(|name| {
            let before = previous.source(name);
            let after = lock.source(name);
            let (b, a) = (
                before_agents.get(name).unwrap_or(&none),
                after_agents.get(name).unwrap_or(&none),
            );
            let moved = match (before, after) {
                (Some(b), Some(a)) => {
                    b.commit() != a.commit()
                        || b.content_hash() != a.content_hash()
                        || b.tag() != a.tag()
                }
                _ => true,
            };
            (moved || a != b).then(|| SourceChange {
                source: name.clone(),
                before: before.map(label),
                after: after.map(label),
                added: a.difference(b).cloned().collect(),
                removed: b.difference(a).cloned().collect(),
            })
        })
        .collect()
}
