//! The sequential walk of resolution: one round over the manifest's sources and, breadth first, the
//! sources of the packs they carry, with cycle and size bounds, trust inheritance and reading of files.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::lockfile::Lockfile;
use crate::manifest::{GitRef, GitUrl, MANIFEST_NAME, Manifest, PackHome, SourceKind, SourceSpec};
use crate::names::SourceName;
use crate::reporter::Reporter;
use crate::source;
use crate::source::budget::ReadBudget;
use crate::source::cache::{LockedCache, LockedRepo};
use crate::source::git::{self, Refs};

use super::{
    MAX_DEPTH, MAX_SOURCES, Pin, Requirement, ResolveOptions, Resolved, newest_stable, remote,
    requirement, tag_version,
};

pub(super) struct Session<'a> {
    pub(super) lock: Option<&'a Lockfile>,
    pub(super) cache: &'a LockedCache<'a>,
    pub(super) options: ResolveOptions<'a>,
    pub(super) reporter: &'a dyn Reporter,
    /// Cache repositories opened so far, by fetch URL.
    pub(super) repos: BTreeMap<String, LockedRepo<'a>>,
    /// Refs listed so far, by fetch URL: each remote is asked at most once.
    pub(super) refs: BTreeMap<String, Refs>,
    /// Locked tags already checked for moves (`source`, `tag`), so a warning is printed once.
    pub(super) checked_tags: Vec<(String, String)>,
    /// Pack sources already warned about for setting `trust` (resolution may take several rounds).
    pub(super) warned_trust: BTreeSet<String>,
}

impl<'a> Session<'a> {
    /// Resolve the whole graph once, choosing each unified group's tag from `known` plus what the round
    /// meets first. Returns the resolved sources and the pin used for each group.
    pub(super) fn round(
        &mut self,
        sources: &[SourceSpec],
        known: &BTreeMap<String, Vec<Requirement>>,
    ) -> Result<(Vec<Resolved>, BTreeMap<String, Pin>)> {
        let mut pins: BTreeMap<String, Pin> = BTreeMap::new();
        let mut out = Vec::new();
        // A round keeps what it reads until it returns: the budget bounds all of it together.
        let mut budget = ReadBudget::default();
        // Each queued source carries the identities of the packs it was reached through.
        let mut queue: VecDeque<(SourceSpec, Vec<(String, SourceName)>)> =
            sources.iter().map(|s| (s.clone(), Vec::new())).collect();
        while let Some((spec, ancestors)) = queue.pop_front() {
            let identity = identity(&spec);
            if let Some(start) = ancestors.iter().position(|(id, _)| *id == identity) {
                let mut chain: Vec<String> = ancestors[start..]
                    .iter()
                    .map(|(_, name)| format!("`{name}`"))
                    .collect();
                chain.push(format!("`{}`", spec.name));
                return Err(Error::NotFound {
                    message: format!(
                        "packs form a cycle: {} ({} again)",
                        chain.join(" -> "),
                        display_identity(&spec)
                    ),
                    hint: Some(format!(
                        "remove the source that points back from the `agentpack.toml` of `{}`",
                        ancestors
                            .last()
                            .map(|(_, n)| n.to_string())
                            .unwrap_or_default()
                    )),
                });
            }
            if ancestors.len() > MAX_DEPTH {
                return Err(too_large(
                    format!(
                        "source `{}` is nested more than {MAX_DEPTH} packs deep",
                        spec.name
                    ),
                    &spec.name,
                ));
            }
            let resolved = match &spec.kind {
                SourceKind::Path { dir, .. } => {
                    let snapshot = source::path::snapshot(
                        spec.name.as_str(),
                        dir,
                        spec.subdir.as_deref(),
                        self.options.target,
                    )?;
                    let content_hash = source::path::content_hash(&snapshot);
                    Resolved {
                        spec: spec.clone(),
                        pin: Pin::Path { content_hash },
                        snapshot,
                        newer_incompatible: None,
                    }
                }
                SourceKind::Git { .. } if self.options.vendor.is_some() => {
                    let dir = self.options.vendor.expect("checked");
                    let locked = self.lock.and_then(|l| l.source(spec.name.as_str()));
                    let (commit, tag, snapshot) = source::vendor::read(dir, &spec, locked)?;
                    Resolved {
                        spec: spec.clone(),
                        pin: Pin::Git { commit, tag },
                        snapshot,
                        newer_incompatible: None,
                    }
                }
                SourceKind::Git { url, reference } => {
                    let pin = match requirement(&spec) {
                        Some((key, req)) => match pins.get(&key) {
                            Some(pin) => pin.clone(),
                            None => {
                                let mut reqs = known.get(&key).cloned().unwrap_or_default();
                                if !reqs.iter().any(|r| r.source == req.source) {
                                    reqs.insert(0, req);
                                }
                                let pin = self.pin_group(&spec, &reqs)?;
                                pins.insert(key, pin.clone());
                                pin
                            }
                        },
                        None => self.pin_exact(&spec, url, reference)?,
                    };
                    self.read_git(spec.clone(), url, pin, &mut budget)?
                }
            };
            let mut path = ancestors.clone();
            path.push((identity, spec.name.clone()));
            for child in self.pack_sources(&resolved)? {
                // Counted before anything of the child is read, so a fan-out stops with bounded memory.
                if out.len() + 1 + queue.len() >= MAX_SOURCES {
                    return Err(too_large(
                        format!(
                            "the sources of agentpack.toml and their packs number more than {MAX_SOURCES}; stopped at `{}`",
                            child.name
                        ),
                        &child.name,
                    ));
                }
                queue.push_back((child, path.clone()));
            }
            out.push(resolved);
        }
        Ok((out, pins))
    }

    pub(super) fn read_git(
        &mut self,
        spec: SourceSpec,
        url: &GitUrl,
        pin: Pin,
        budget: &mut ReadBudget,
    ) -> Result<Resolved> {
        let Pin::Git { commit, .. } = &pin else {
            unreachable!("git sources have git pins")
        };
        let repo = self.repo(&spec.name, url)?;
        let snapshot = git::snapshot(repo, *commit, spec.subdir.as_deref(), budget)
            .map_err(|e| with_source_context(e, &spec))?;
        let newer_incompatible = match &spec.kind {
            SourceKind::Git {
                reference: GitRef::Version { req, .. },
                ..
            } => self
                .refs
                .get(&url.fetch)
                .and_then(newest_stable)
                .filter(|(tag, _)| tag_version(tag).is_some_and(|v| !req.matches(&v)))
                .filter(|(tag, _)| {
                    let pinned = match &pin {
                        Pin::Git { tag: Some(t), .. } => tag_version(t),
                        _ => None,
                    };
                    pinned.is_none_or(|p| tag_version(tag).is_some_and(|v| v > p))
                })
                .map(|(tag, _)| tag.clone()),
            _ => None,
        };
        Ok(Resolved {
            spec,
            pin,
            snapshot,
            newer_incompatible,
        })
    }

    /// The sources of the pack `resolved` carries, named `<pack>/<source>`; none when it carries no
    /// `agentpack.toml` at the root of its searched directory.
    pub(super) fn pack_sources(&mut self, resolved: &Resolved) -> Result<Vec<SourceSpec>> {
        let spec = &resolved.spec;
        let file = source::join(spec.subdir.as_deref(), MANIFEST_NAME);
        let (bytes, label, specs_home_dir) = match (&spec.kind, &resolved.pin) {
            (SourceKind::Git { .. }, Pin::Git { .. }) if self.options.vendor.is_some() => {
                // `agentpack vendor` copies a pack's manifest beside its agents, checksummed.
                let vendor = self.options.vendor.expect("checked");
                let path = source::vendor::source_dir(vendor, spec.name.as_str()).join(&file);
                let bytes = match std::fs::metadata(&path) {
                    Ok(meta) if meta.is_file() => {
                        Some(std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?)
                    }
                    _ => None,
                };
                (bytes, path.display().to_string(), None)
            }
            (SourceKind::Git { url, .. }, Pin::Git { commit, .. }) => {
                let repo = self.repo(&spec.name, url)?;
                (
                    git::read_file(repo, *commit, &file),
                    format!("{}:{file}", spec.name),
                    None,
                )
            }
            (SourceKind::Path { dir, .. }, _) => {
                let pack_dir = match &spec.subdir {
                    Some(sub) => dir.join(sub),
                    None => dir.clone(),
                };
                let path = pack_dir.join(MANIFEST_NAME);
                let bytes = match std::fs::metadata(&path) {
                    Ok(meta)
                        if meta.is_file() && meta.len() <= crate::limits::MAX_FILE_SIZE as u64 =>
                    {
                        Some(std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?)
                    }
                    _ => None,
                };
                (bytes, path.display().to_string(), Some(pack_dir))
            }
            _ => unreachable!("pin kind follows source kind"),
        };
        let Some(bytes) = bytes else {
            return Ok(Vec::new());
        };
        let text = String::from_utf8(bytes).map_err(|_| Error::InvalidInput {
            file: label.clone().into(),
            diagnostics: vec![
                Diagnostic::error("pack-invalid", "the pack's agentpack.toml is not UTF-8")
                    .at(Location::file(&label)),
            ],
        })?;
        let home = match &specs_home_dir {
            Some(dir) => PackHome::Dir(dir),
            None => PackHome::Git,
        };
        let children = Manifest::parse_pack(&spec.name, &label, home, &text)?;
        Ok(children
            .into_iter()
            .map(|mut child| {
                child.name = spec.name.child(&child.name);
                self.inherit_trust(spec, &mut child, &label);
                child
            })
            .collect())
    }

    /// Only the user's manifest grants trust: a pack's source gets exactly the `trust` and
    /// `allow-unicode` of the source that brought the pack in (so, of the top-level source), whatever the
    /// pack's manifest says. A pack that tries to grant them is warned about once.
    pub(super) fn inherit_trust(&mut self, pack: &SourceSpec, child: &mut SourceSpec, label: &str) {
        if (!child.trust.is_empty() || child.allow_unicode)
            && self.warned_trust.insert(child.name.to_string())
        {
            self.reporter.diagnostic(
                &Diagnostic::warning(
                    "pack-trust-ignored",
                    format!(
                        "pack source `{}` ({}) sets `trust` or `allow-unicode`; ignored: only your own agentpack.toml grants trust",
                        child.name,
                        child.name.chain()
                    ),
                )
                .at(Location::file(label))
                .with_hint(format!(
                    "what `{}` brings in is trusted exactly as [sources.{}] in agentpack.toml says",
                    pack.name.root(),
                    pack.name.root()
                )),
            );
        }
        child.trust = pack.trust.clone();
        child.allow_unicode = pack.allow_unicode;
    }

    pub(super) fn repo(&mut self, name: &SourceName, url: &GitUrl) -> Result<&LockedRepo<'a>> {
        if !self.repos.contains_key(&url.fetch) {
            let repo = if self.options.offline {
                self.cache.existing(&url.fetch)?.ok_or_else(|| Error::Offline {
                    message: format!(
                        "source `{name}`: `{}` has never been fetched, so it is not in the cache",
                        url.written
                    ),
                })?
            } else {
                self.cache.repo(&url.fetch)?
            };
            self.repos.insert(url.fetch.clone(), repo);
        }
        Ok(&self.repos[&url.fetch])
    }

    /// The remote's refs (the cache's with `--offline`), listed once per URL.
    pub(super) fn refs(&mut self, name: &SourceName, url: &GitUrl) -> Result<&Refs> {
        if !self.refs.contains_key(&url.fetch) {
            let offline = self.options.offline;
            let reporter = self.reporter;
            let repo = self.repo(name, url)?;
            let refs = if offline {
                git::cached_refs(repo)
            } else {
                remote(repo, name.as_str(), url, reporter).list_refs()?
            };
            self.refs.insert(url.fetch.clone(), refs);
        }
        Ok(&self.refs[&url.fetch])
    }
}

/// A pack graph too deep or too wide: `message`, then the chain of packs that led to `name`.
pub(super) fn too_large(message: String, name: &SourceName) -> Error {
    Error::NotFound {
        message: format!("{message}: {}", name.chain()),
        hint: Some(format!(
            "a pack graph this large is a mistake or an attack; remove `{}` from agentpack.toml",
            name.root()
        )),
    }
}

/// What makes two sources the same thing to fetch, for cycle detection.
pub(super) fn identity(spec: &SourceSpec) -> String {
    let subdir = spec.subdir.as_deref().unwrap_or("");
    match &spec.kind {
        SourceKind::Git { url, .. } => format!("git:{}#{subdir}", url.fetch),
        SourceKind::Path { dir, .. } => format!("path:{}#{subdir}", dir.display()),
    }
}

pub(super) fn display_identity(spec: &SourceSpec) -> String {
    match &spec.kind {
        SourceKind::Git { url, .. } => format!("`{}`", url.written),
        SourceKind::Path { dir, .. } => format!("`{}`", dir.display()),
    }
}

pub(super) fn with_source_context(e: Error, spec: &SourceSpec) -> Error {
    match e {
        Error::NotFound { message, hint } => Error::NotFound {
            message: format!("source `{}`: {message}", spec.name),
            hint,
        },
        Error::InvalidRepository { message } => Error::InvalidRepository {
            message: format!("source `{}`: {message}", spec.name),
        },
        other => other,
    }
}
