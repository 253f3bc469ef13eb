//! The sequential walk of resolution: one round over the manifest's sources and, breadth first, the
//! sources of the packs they carry, with cycle and size bounds, trust inheritance and reading of files.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::catalog::RepoPath;
use crate::catalog::marketplace::PluginEntry;
use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::lockfile::Lockfile;
use crate::manifest::{MANIFEST_NAME, Manifest, PackHome, SourceKind, SourceSpec};
use crate::names::SourceName;
use crate::names::{GitRef, GitUrl};
use crate::reporter::Reporter;
use crate::source;
use crate::source::Unreadable;
use crate::source::budget::ReadBudget;
use crate::source::cache::{LockedCache, LockedRepo};
use crate::source::git::{Origin, Refs};

use super::pick::{Ask, GitPin, Member, Standing};
use super::tags::newer_incompatible;
use super::{
    MAX_DEPTH, MAX_SOURCES, Pin, Requirement, ResolveOptions, Resolved, requirement, standing,
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
    /// The child sources of plugins pinned in other repositories, by name, with their marketplace entry.
    pub(super) plugin_children: BTreeMap<String, PluginEntry>,
    /// Plugins already warned about for what they ship (resolution may take several rounds).
    pub(super) warned_plugins: BTreeSet<String>,
}

impl<'a> Session<'a> {
    /// Resolve the whole graph once, choosing each unified group's tag from `known` plus what the round
    /// meets first. Returns the resolved sources and the pin used for each group.
    pub(super) fn round(
        &mut self,
        sources: &[SourceSpec],
        known: &BTreeMap<String, Vec<Requirement>>,
    ) -> Result<(Vec<Resolved>, BTreeMap<String, GitPin>)> {
        let mut pins: BTreeMap<String, GitPin> = BTreeMap::new();
        let mut out = Vec::new();
        // A round keeps what it reads until it returns: the budget bounds all of it together.
        let mut budget = ReadBudget::default();
        // Each queued source carries the identities of the packs it was reached through.
        let mut queue: VecDeque<(SourceSpec, Vec<(String, SourceName)>)> =
            sources.iter().map(|s| (s.clone(), Vec::new())).collect();
        while let Some((spec, mut path)) = queue.pop_front() {
            let identity = identity(&spec);
            check_nesting(&spec, &identity, &path)?;
            let mut resolved = self.resolve_one(&spec, known, &mut pins, &mut budget)?;
            path.push((identity, spec.name.clone()));
            let children = match self.plugin_children.get(spec.name.as_str()).cloned() {
                // A plugin pinned elsewhere is read as a plugin, never as a pack.
                Some(entry) => {
                    self.read_plugin(&mut resolved, &entry, &RepoPath::root(), &mut budget)?;
                    resolved.plugin = Some(entry.name.clone());
                    Vec::new()
                }
                None => {
                    let mut children = self.pack_sources(&resolved)?;
                    children.extend(self.marketplace_plugins(
                        &mut resolved,
                        &children,
                        &mut budget,
                    )?);
                    children
                }
            };
            for child in children {
                // Counted before anything of the child is read, so a fan-out stops with bounded memory.
                if out.len() + 1 + queue.len() >= MAX_SOURCES {
                    return Err(Error::PackCount {
                        source_name: child.name,
                        max: MAX_SOURCES,
                    });
                }
                queue.push_back((child, path.clone()));
            }
            out.push(resolved);
        }
        Ok((out, pins))
    }

    /// Pin one source and read its files. A `version` source takes its group's pin when the round has
    /// chosen one, else chooses it (with the requirements in `known`) and records it in `pins`.
    fn resolve_one(
        &mut self,
        spec: &SourceSpec,
        known: &BTreeMap<String, Vec<Requirement>>,
        pins: &mut BTreeMap<String, GitPin>,
        budget: &mut ReadBudget,
    ) -> Result<Resolved> {
        let (url, reference) = match &spec.kind {
            SourceKind::Path { dir, .. } => {
                let snapshot = source::path::snapshot(
                    spec.name.as_str(),
                    dir,
                    spec.subdir.as_deref(),
                    self.options.target,
                )?;
                let content_hash = source::path::content_hash(&snapshot);
                return Ok(Resolved {
                    spec: spec.clone(),
                    pin: Pin::Path { content_hash },
                    snapshot,
                    newer_incompatible: None,
                    plugins: Vec::new(),
                    plugin: None,
                });
            }
            SourceKind::Git { url, reference } => (url, reference),
        };
        if let Some(dir) = self.options.vendor {
            let locked = self.lock.and_then(|l| l.source(spec.name.as_str()));
            let (commit, tag, snapshot) = super::read_vendored(dir, spec, locked)?;
            return Ok(Resolved {
                spec: spec.clone(),
                pin: Pin::Git { commit, tag },
                snapshot,
                newer_incompatible: None,
                plugins: Vec::new(),
                plugin: None,
            });
        }
        let pin = match requirement(spec) {
            Some((key, req)) => match pins.get(&key) {
                Some(pin) => pin.clone(),
                None => {
                    let mut reqs = known.get(&key).cloned().unwrap_or_default();
                    if !reqs.iter().any(|r| r.source == req.source) {
                        reqs.insert(0, req);
                    }
                    let members = self.members(&reqs);
                    let pin = self.pin(spec, url, reference, Ask::Versions(&members))?;
                    pins.insert(key, pin.clone());
                    pin
                }
            },
            None => {
                let standing = self.standing(&spec.name, url, reference);
                let ask = Ask::Exact {
                    source: &spec.name,
                    reference,
                    standing: &standing,
                };
                self.pin(spec, url, reference, ask)?
            }
        };
        self.read_git(spec.clone(), url, pin, budget)
    }

    /// What the lock and the command say about source `name`.
    pub(super) fn standing(&self, name: &SourceName, url: &GitUrl, reference: &GitRef) -> Standing {
        standing(self.lock, &self.options, name, url, reference)
    }

    /// The members of a unified group, with their standings.
    pub(super) fn members(&self, reqs: &[Requirement]) -> Vec<Member> {
        reqs.iter()
            .map(|r| Member {
                req: r.clone(),
                standing: self.standing(&r.source, &r.url, &r.reference()),
            })
            .collect()
    }

    /// Read the files of a pinned git source.
    fn read_git(
        &mut self,
        spec: SourceSpec,
        url: &GitUrl,
        pin: GitPin,
        budget: &mut ReadBudget,
    ) -> Result<Resolved> {
        let origin = Origin {
            source_name: spec.name.as_str(),
            url: &url.written,
        };
        let repo = self.repo(&spec.name, url)?;
        let snapshot = repo.snapshot(origin, pin.commit, spec.subdir.as_deref(), budget)?;
        let newer_incompatible = match (&spec.kind, self.refs.get(&url.fetch)) {
            (
                SourceKind::Git {
                    reference: GitRef::Version { req, .. },
                    ..
                },
                Some(refs),
            ) => newer_incompatible(refs, req, pin.tag.as_deref()),
            _ => None,
        };
        Ok(Resolved {
            spec,
            pin: pin.into(),
            snapshot,
            newer_incompatible,
            plugins: Vec::new(),
            plugin: None,
        })
    }

    /// The sources of the pack `resolved` carries, named `<pack>/<source>`; none when it carries no
    /// `agentpack.toml` at the root of its searched directory.
    fn pack_sources(&mut self, resolved: &Resolved) -> Result<Vec<SourceSpec>> {
        let spec = &resolved.spec;
        let (bytes, label) = self.read_file(resolved, MANIFEST_NAME)?;
        let specs_home_dir = match &spec.kind {
            SourceKind::Path { dir, .. } => Some(match &spec.subdir {
                Some(sub) => dir.join(sub),
                None => dir.clone(),
            }),
            SourceKind::Git { .. } => None,
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
    fn inherit_trust(&mut self, pack: &SourceSpec, child: &mut SourceSpec, label: &str) {
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

    /// The bytes of the file at `path` (relative to the searched directory) of `resolved` at its pin, and
    /// its label for messages; `None` when there is nothing at `path`, an error (`source-file-unreadable`) when
    /// what is there is not a regular file of at most 1 MiB (a symlink, a folder, a huge blob). A vendored git
    /// source is read from the vendor directory (`agentpack vendor` copies such files, checksummed).
    pub(super) fn read_file(
        &mut self,
        resolved: &Resolved,
        path: &str,
    ) -> Result<(Option<Vec<u8>>, String)> {
        let spec = &resolved.spec;
        let file = source::join(spec.subdir.as_deref(), path);
        let local = |path: std::path::PathBuf| {
            let bytes = match std::fs::metadata(&path) {
                Err(_) => Ok(None),
                Ok(meta) if !meta.is_file() => Err(Unreadable::NotAFile),
                Ok(meta) if meta.len() > crate::limits::MAX_FILE_SIZE as u64 => {
                    Err(Unreadable::TooLarge(meta.len()))
                }
                Ok(_) => Ok(Some(
                    std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?,
                )),
            };
            Ok((bytes, path.display().to_string()))
        };
        let (bytes, label) = match (&spec.kind, &resolved.pin) {
            (SourceKind::Git { .. }, Pin::Git { .. }) if self.options.vendor.is_some() => {
                let vendor = self.options.vendor.expect("checked");
                local(source::vendor::source_dir(vendor, spec.name.as_str()).join(&file))?
            }
            (SourceKind::Git { url, .. }, Pin::Git { commit, .. }) => {
                let repo = self.repo(&spec.name, url)?;
                (
                    repo.read_file(*commit, &file)?,
                    format!("{}:{file}", spec.name),
                )
            }
            (SourceKind::Path { dir, .. }, _) => local(dir.join(&file))?,
            _ => unreachable!("pin kind follows source kind"),
        };
        match bytes {
            Ok(bytes) => Ok((bytes, label)),
            Err(why) => Err(Error::InvalidInput {
                file: label.clone().into(),
                diagnostics: vec![
                    Diagnostic::error("source-file-unreadable", why.describe(&label))
                        .at(Location::file(label))
                        .with_hint(
                            "ask the repository's author to commit it as a regular file of at most 1 MiB",
                        ),
                ],
            }),
        }
    }

    /// Is there anything at `path` (relative to the searched directory) of `resolved`? Always false for
    /// a vendored source, which holds only what is installed.
    pub(super) fn has_path(&mut self, resolved: &Resolved, path: &str) -> Result<bool> {
        let spec = &resolved.spec;
        let file = source::join(spec.subdir.as_deref(), path.trim_end_matches('/'));
        Ok(match (&spec.kind, &resolved.pin) {
            _ if self.options.vendor.is_some() => false,
            (SourceKind::Git { url, .. }, Pin::Git { commit, .. }) => {
                self.repo(&spec.name, url)?.has_path(*commit, &file)?
            }
            (SourceKind::Path { dir, .. }, _) => std::fs::symlink_metadata(dir.join(&file)).is_ok(),
            _ => unreachable!("pin kind follows source kind"),
        })
    }

    /// Is `path` (relative to the searched directory) of `resolved` a folder? In git, a symlink is not
    /// one; a path source is the user's own disk, whose symlinks are followed; a vendored source holds
    /// only what is installed, so it is taken as one.
    pub(super) fn is_dir(&mut self, resolved: &Resolved, path: &str) -> Result<bool> {
        let spec = &resolved.spec;
        let dir = source::join(spec.subdir.as_deref(), path.trim_end_matches('/'));
        Ok(match (&spec.kind, &resolved.pin) {
            _ if self.options.vendor.is_some() => true,
            (SourceKind::Git { url, .. }, Pin::Git { commit, .. }) => {
                self.repo(&spec.name, url)?.is_dir(*commit, &dir)?
            }
            (SourceKind::Path { dir: home, .. }, _) => home.join(&dir).is_dir(),
            _ => unreachable!("pin kind follows source kind"),
        })
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
                repo.cached_refs()
            } else {
                repo.remote(name.as_str(), url, reporter)?.list_refs()?
            };
            self.refs.insert(url.fetch.clone(), refs);
        }
        Ok(&self.refs[&url.fetch])
    }
}

/// A pack graph that loops back on itself, or nests too deep, is refused before `spec` is read.
fn check_nesting(
    spec: &SourceSpec,
    identity: &str,
    ancestors: &[(String, SourceName)],
) -> Result<()> {
    if let Some(start) = ancestors.iter().position(|(id, _)| id == identity) {
        let mut chain: Vec<SourceName> = ancestors[start..]
            .iter()
            .map(|(_, name)| name.clone())
            .collect();
        chain.push(spec.name.clone());
        let again = match &spec.kind {
            SourceKind::Git { url, .. } => url.written.clone(),
            SourceKind::Path { dir, .. } => dir.display().to_string(),
        };
        return Err(Error::PackCycle { chain, again });
    }
    if ancestors.len() > MAX_DEPTH {
        return Err(Error::PackDepth {
            source_name: spec.name.clone(),
            max: MAX_DEPTH,
        });
    }
    Ok(())
}

/// What makes two sources the same thing to fetch, for cycle detection.
fn identity(spec: &SourceSpec) -> String {
    let subdir = spec.subdir.as_deref().unwrap_or("");
    match &spec.kind {
        SourceKind::Git { url, .. } => format!("git:{}#{subdir}", url.fetch),
        SourceKind::Path { dir, .. } => format!("path:{}#{subdir}", dir.display()),
    }
}
