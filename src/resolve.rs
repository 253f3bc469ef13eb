//! Resolution: turning each source of the manifest — and, recursively, the sources of the packs they
//! carry — into an exact, readable version (a commit for git sources, a content hash for path sources),
//! and reading its files.
//!
//! - **The lock wins.** A source whose lock entry still matches the manifest (same URL, same requested
//!   ref) keeps its locked commit: no ref is resolved, and no network is used when the cache holds that
//!   commit. Anything else is resolved afresh: from the remote's ref list online, from the cache's refs
//!   with `--offline`. [`Update`] names sources whose lock entries are set aside (`agentpack update`).
//! - **Moved tags.** Whenever the remote's refs are at hand (a fetch, `--locked`, an update), a locked tag
//!   that now points elsewhere is reported: an error under `--locked`, a warning otherwise.
//! - **Packs.** A source whose searched directory holds an `agentpack.toml` is a pack: its `[sources]`
//!   are resolved too, named `<pack>/<source>`, breadth first, with cycles reported. A pack's sources are
//!   trusted as the source that brought the pack in (a pack's own `trust` is ignored, with a warning),
//!   and the graph is bounded: at most `MAX_SOURCES` (512) sources, nested at most `MAX_DEPTH` (10)
//!   packs deep.
//! - **Unification.** Sources of one git URL that ask for a `version` share one tag: the highest that
//!   satisfies every one of those requirements (the error lists each requirement and who asked). Sources
//!   that pin a branch, tag or commit get exactly that. Each URL's refs are listed at most once per run.
//! - **Parallel fetches.** Before the walk (which is sequential: unification and packs depend on what came
//!   before), [`prefetch`] lists the refs of the manifest's remotes and fetches the commits their sources
//!   will pin, several remotes at once (`--jobs`), reporting in manifest order ([`InOrder`]). Sources whose
//!   locked commit the cache already holds are left alone.
//! - **Vendoring.** With `[install] vendor`, git sources are read from the vendor directory at their
//!   locked commits ([`source::vendor`]): no network, no cache.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use git2::Repository;

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::in_order::InOrder;
use crate::lockfile::{LockedSource, Lockfile};
use crate::manifest::{GitRef, GitUrl, MANIFEST_NAME, Manifest, PackHome, SourceKind, SourceSpec};
use crate::names::{Commit, SourceName};
use crate::reporter::{Reporter, Status};
use crate::source::budget::ReadBudget;
use crate::source::cache::{LockedCache, LockedRepo};
use crate::source::git::{self, Depth, Refs, Remote};
use crate::source::{self, Snapshot};

/// How deep packs may nest; deeper is almost certainly a loop through ever-changing names, or an attack.
const MAX_DEPTH: usize = 10;
/// How many sources a manifest and its packs may bring in all together. Packs fan out: ten sources per
/// pack, ten levels deep, would be ten billion; this stops such a graph after a few hundred reads.
const MAX_SOURCES: usize = 512;
/// How many times requirements discovered late may send resolution round again before giving up.
const MAX_ROUNDS: usize = 8;
/// How many remotes are fetched at once unless `--jobs` says otherwise.
pub const DEFAULT_JOBS: usize = 8;

/// Stack of a fetch thread. libgit2's local transport (`file://`) packs trees recursively, so a crafted
/// repository thousands of directories deep would overflow the 2 MiB default; the memory is only reserved,
/// and touched only by such a tree. (Reading a commit's tree never recurses: see [`git::snapshot`].)
const FETCH_STACK_SIZE: usize = 64 * 1024 * 1024;

/// How resolution may behave.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions<'a> {
    /// Never touch the network; use only the cache.
    pub offline: bool,
    /// `--locked`: check locked tags against the remote, and make a moved tag an error.
    pub locked: bool,
    /// Sources resolved afresh, ignoring their lock entries.
    pub update: Update<'a>,
    /// `update --precise`: the tag or commit the one source named in [`Update::Only`] is pinned to.
    pub precise: Option<&'a str>,
    /// Read git sources' locked commits from this vendor directory: no network, no cache.
    pub vendor: Option<&'a Path>,
    /// How many remotes to fetch at once; 0 means [`DEFAULT_JOBS`].
    pub jobs: usize,
    /// The install target, which `path` sources never read (it holds agentpack's own output).
    pub target: Option<&'a Path>,
}

/// Which sources set their lock entries aside.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Update<'a> {
    /// None: the lock wins wherever it still matches the manifest (`install`).
    #[default]
    Nothing,
    /// Every source (`update`).
    All,
    /// These sources and the sources their packs pull in (`update studio`).
    Only(&'a [String]),
}

impl Update<'_> {
    pub fn covers(&self, name: &str) -> bool {
        match self {
            Update::Nothing => false,
            Update::All => true,
            Update::Only(names) => names
                .iter()
                .any(|n| name == n || name.starts_with(&format!("{n}/"))),
        }
    }
}

/// A source pinned to an exact version, with its files.
#[derive(Debug)]
pub struct Resolved {
    /// For a source a pack pulled in, the name is `<pack>/<source>`.
    pub spec: SourceSpec,
    pub pin: Pin,
    pub snapshot: Snapshot,
    /// For a `version` source whose remote was asked this run: the newest stable tag of the repository
    /// when the requirement excludes it (a new major version the user must opt into).
    pub newer_incompatible: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    Git { commit: Commit, tag: Option<String> },
    Path { content_hash: String },
}

impl Resolved {
    /// The lockfile entry for this source.
    pub fn locked(&self) -> LockedSource {
        let mut locked = LockedSource {
            name: self.spec.name.to_string(),
            git: None,
            path: None,
            ref_kind: None,
            reference: None,
            subdir: self.spec.subdir.clone(),
            commit: None,
            tag: None,
            content_hash: None,
            required_by: self.spec.name.parent().map(|p| p.to_string()),
        };
        match (&self.spec.kind, &self.pin) {
            (SourceKind::Git { url, reference }, Pin::Git { commit, tag }) => {
                let (kind, value) = reference.kind_and_value();
                locked.git = Some(url.written.clone());
                locked.ref_kind = Some(kind.to_string());
                locked.reference = value.map(str::to_string);
                locked.commit = Some(commit.to_string());
                locked.tag = tag.clone();
            }
            (SourceKind::Path { written, .. }, Pin::Path { content_hash }) => {
                locked.path = Some(written.clone());
                locked.content_hash = Some(content_hash.clone());
            }
            _ => unreachable!("pin kind follows source kind"),
        }
        locked
    }

    /// `tag v1.2.0 (abc1234)`, `branch main (abc1234)`, `path ../x`: for messages and `list`.
    pub fn describe(&self) -> String {
        describe(&self.spec, &self.pin)
    }
}

pub fn describe(spec: &SourceSpec, pin: &Pin) -> String {
    match (&spec.kind, pin) {
        (SourceKind::Git { reference, .. }, Pin::Git { commit, tag }) => match (reference, tag) {
            (GitRef::Version { .. }, Some(tag)) => format!("{tag} ({})", commit.short()),
            _ => format!("{reference} ({})", commit.short()),
        },
        (SourceKind::Path { written, .. }, _) => format!("path `{written}`"),
        _ => String::new(),
    }
}

/// A tag's version: `v1.2.3` and `1.2.3` alike; `None` for tags that are not semver.
pub fn tag_version(tag: &str) -> Option<semver::Version> {
    semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

/// The highest tag whose version satisfies every requirement (semver rules: pre-releases only when a
/// requirement names one).
pub fn best_tag<'r>(
    refs: &'r Refs,
    reqs: &[&semver::VersionReq],
) -> Option<(&'r String, &'r git2::Oid, semver::Version)> {
    refs.tags
        .iter()
        .filter_map(|(tag, oid)| {
            let version = tag_version(tag)?;
            reqs.iter()
                .all(|req| req.matches(&version))
                .then_some((tag, oid, version))
        })
        .max_by(|a, b| a.2.cmp(&b.2))
}

/// The highest semver tag that is not a pre-release.
pub fn newest_stable(refs: &Refs) -> Option<(&String, &git2::Oid)> {
    refs.tags
        .iter()
        .filter_map(|(tag, oid)| {
            let v = tag_version(tag)?;
            v.pre.is_empty().then_some((v, tag, oid))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, tag, oid)| (tag, oid))
}

/// The newest release among the semver tags: the highest stable version, or, when every semver tag is a
/// pre-release, the highest pre-release (so `add` of a project that has only published `v0.1.0-beta.2`
/// still records a version). `None` without semver tags.
pub fn newest_release(refs: &Refs) -> Option<semver::Version> {
    let versions: Vec<semver::Version> = refs.tags.keys().filter_map(|t| tag_version(t)).collect();
    let stable = versions.iter().filter(|v| v.pre.is_empty()).max();
    stable.or_else(|| versions.iter().max()).cloned()
}

/// `^X.Y.Z` (with its pre-release, without build metadata, which requirements cannot name): the
/// requirement `add` and `update --breaking` write for a release.
pub fn caret(version: &semver::Version) -> String {
    let mut plain = version.clone();
    plain.build = semver::BuildMetadata::EMPTY;
    format!("^{plain}")
}

/// Resolve every source of the manifest and of the packs they carry: the manifest's own sources first,
/// in manifest order, then the packs' sources breadth first.
pub fn resolve_all(
    sources: &[SourceSpec],
    lock: Option<&Lockfile>,
    cache: &LockedCache<'_>,
    options: ResolveOptions<'_>,
    reporter: &dyn Reporter,
) -> Result<Vec<Resolved>> {
    let online = !options.offline && options.vendor.is_none();
    if online {
        source::net::configure_network()?;
    }
    let refs = if online {
        prefetch(sources, lock, cache, options, reporter)?
    } else {
        BTreeMap::new()
    };
    let mut session = Session {
        lock,
        cache,
        options,
        reporter,
        repos: BTreeMap::new(),
        refs,
        checked_tags: Vec::new(),
        warned_trust: BTreeSet::new(),
    };
    // Requirements of each unified group found in the previous round; a group's tag is chosen with all
    // of them in view, so late-found requirements settle in a few rounds.
    let mut known: BTreeMap<String, Vec<Requirement>> = BTreeMap::new();
    for _ in 0..MAX_ROUNDS {
        let (resolved, pins) = session.round(sources, &known)?;
        let mut found: BTreeMap<String, Vec<Requirement>> = BTreeMap::new();
        for r in &resolved {
            if let Some((key, req)) = requirement(&r.spec) {
                found.entry(key).or_default().push(req);
            }
        }
        // A vendored install chooses nothing: every source is read at the commit the lock pins, and
        // the lock was settled when it was written.
        let settled = options.vendor.is_some()
            || found.iter().all(|(key, reqs)| {
                pins.get(key)
                    .is_some_and(|pin| session.satisfies_all(pin, reqs))
            });
        if settled {
            for r in &resolved {
                reporter.status(
                    Status::Resolving,
                    &format!("{} {}", r.spec.name, r.describe()),
                );
            }
            return Ok(resolved);
        }
        known = found;
    }
    Err(Error::NotFound {
        message: "the version requirements of the packs did not settle".into(),
        hint: Some("pin the shared sources with `tag` or `rev` in agentpack.toml".into()),
    })
}

/// The parallel first step of [`resolve_all`]: for each remote of the manifest's own git sources (grouped
/// by URL, so one cache repository is never fetched into twice at once; `options.jobs` remotes at a time),
/// list its refs and fetch the commit each of its sources will most likely pin — the locked commit when
/// the lock still matches, else what the ref names. Remotes whose sources all have their locked commits
/// in the cache are not contacted. Returns the refs listed, by fetch URL, for the walk to reuse. Refs that
/// do not exist are left for the walk to report; the first network error in manifest order is returned.
fn prefetch(
    sources: &[SourceSpec],
    lock: Option<&Lockfile>,
    cache: &LockedCache<'_>,
    options: ResolveOptions<'_>,
    reporter: &dyn Reporter,
) -> Result<BTreeMap<String, Refs>> {
    let locked_commit = |spec: &SourceSpec, url: &GitUrl, reference: &GitRef| {
        if options.update.covers(spec.name.as_str()) {
            return None;
        }
        let locked = lock?.source(spec.name.as_str())?;
        locked.pins(url, reference).then(|| locked.commit())?
    };
    let mut groups: Vec<(&GitUrl, Vec<usize>)> = Vec::new();
    for (i, spec) in sources.iter().enumerate() {
        let SourceKind::Git { url, reference } = &spec.kind else {
            continue;
        };
        let cached = locked_commit(spec, url, reference).is_some_and(|commit| {
            cache
                .cache()
                .open(&url.fetch)
                .is_some_and(|repo| git::find_commit(&repo, commit.oid()).is_some())
        });
        if cached && !options.locked {
            continue;
        }
        match groups.iter_mut().find(|(u, _)| u.fetch == url.fetch) {
            Some((_, members)) => members.push(i),
            None => groups.push((url, vec![i])),
        }
    }
    if groups.is_empty() {
        return Ok(BTreeMap::new());
    }
    let order: Vec<usize> = groups.iter().flat_map(|(_, m)| m.iter().copied()).collect();
    let position = |i: usize| order.iter().position(|&o| o == i).expect("grouped");
    let ordered = InOrder::new(reporter, order.len());
    let listed: Mutex<BTreeMap<String, Refs>> = Mutex::new(BTreeMap::new());
    let failures: Mutex<Vec<(usize, Error)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    let jobs = if options.jobs == 0 {
        DEFAULT_JOBS
    } else {
        options.jobs
    };
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(groups.len()) {
            let fetcher = std::thread::Builder::new().stack_size(FETCH_STACK_SIZE);
            fetcher
                .spawn_scoped(scope, || {
                    while let Some((url, members)) = groups.get(next.fetch_add(1, Ordering::SeqCst))
                    {
                        let result = (|| -> std::result::Result<(), (usize, Error)> {
                            let first = members[0];
                            let fail = |i: usize| move |e: Error| (i, e);
                            let repo = cache.repo(&url.fetch).map_err(fail(first))?;
                            let first_reporter = ordered.source(position(first));
                            let refs =
                                remote(&repo, sources[first].name.as_str(), url, &first_reporter)
                                    .list_refs()
                                    .map_err(fail(first))?;
                            for &i in members {
                                let spec = &sources[i];
                                let SourceKind::Git { reference, .. } = &spec.kind else {
                                    unreachable!("only git sources are grouped")
                                };
                                let (commit, refspec) = match prefetch_target(
                                    reference,
                                    locked_commit(spec, url, reference),
                                    lock.and_then(|l| l.source(spec.name.as_str())),
                                    &refs,
                                ) {
                                    Some(target) => target,
                                    None => continue,
                                };
                                if git::find_commit(&repo, commit.oid()).is_some() {
                                    let tag = refspec
                                        .strip_prefix("+refs/tags/")
                                        .and_then(|r| r.split(':').next());
                                    remember_ref(
                                        &repo,
                                        reference,
                                        tag,
                                        refs.head.as_deref(),
                                        commit,
                                    );
                                    continue;
                                }
                                let source_reporter = ordered.source(position(i));
                                source_reporter.status(
                                    Status::Fetching,
                                    &format!("{} ({})", spec.name, url.written),
                                );
                                remote(&repo, spec.name.as_str(), url, &source_reporter)
                                    .fetch(&[refspec], Depth::Tip)
                                    .map_err(fail(i))?;
                            }
                            listed
                                .lock()
                                .expect("refs lock")
                                .insert(url.fetch.clone(), refs);
                            Ok(())
                        })();
                        for &i in members {
                            ordered.done(position(i));
                        }
                        if let Err(failure) = result {
                            failures.lock().expect("failures lock").push(failure);
                        }
                    }
                })
                .expect("spawn a fetch thread");
        }
    });
    ordered.flush_rest();
    let mut failures = failures.into_inner().expect("failures lock");
    failures.sort_by_key(|(i, _)| *i);
    match failures.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(listed.into_inner().expect("refs lock")),
    }
}

/// The commit a source will most likely pin, and the refspec that brings it: its locked commit when the
/// lock still matches (through the locked tag, or its branch), else what its ref names among `refs`.
fn prefetch_target(
    reference: &GitRef,
    locked: Option<Commit>,
    locked_source: Option<&LockedSource>,
    refs: &Refs,
) -> Option<(Commit, String)> {
    let by_kind = |tag: Option<&str>| match (reference, tag) {
        (_, Some(tag)) => Some(git::tag_refspec(tag)),
        (GitRef::Branch(b), None) => Some(git::branch_refspec(b)),
        (GitRef::DefaultBranch, None) => refs.head.as_deref().map(git::branch_refspec),
        _ => None,
    };
    if let Some(commit) = locked {
        let tag = locked_source.and_then(|l| l.tag.as_deref());
        return by_kind(tag).map(|refspec| (commit, refspec));
    }
    let (oid, refspec) = match reference {
        GitRef::Tag(t) => (*refs.tags.get(t)?, git::tag_refspec(t)),
        GitRef::Branch(b) => (*refs.branches.get(b)?, git::branch_refspec(b)),
        GitRef::DefaultBranch => {
            let head = refs.head.as_deref()?;
            (*refs.branches.get(head)?, git::branch_refspec(head))
        }
        GitRef::Version { req, .. } => {
            let (tag, oid, _) = best_tag(refs, &[req])?;
            (*oid, git::tag_refspec(tag))
        }
        GitRef::Rev(_) => return None,
    };
    Some((Commit::from(oid), refspec))
}

/// One `version` requirement on a git URL, and who asked for it.
#[derive(Debug, Clone)]
struct Requirement {
    source: SourceName,
    url: GitUrl,
    req: semver::VersionReq,
    written: String,
}

impl Requirement {
    fn who(&self) -> String {
        match self.source.parent() {
            Some(parent) => format!("`{}` (in the pack of `{parent}`)", self.source),
            None => format!("`{}` (in agentpack.toml)", self.source),
        }
    }
}

/// The unified group of a `version` source, keyed by the URL git is asked for.
fn requirement(spec: &SourceSpec) -> Option<(String, Requirement)> {
    match &spec.kind {
        SourceKind::Git {
            url,
            reference: GitRef::Version { req, written },
        } => Some((
            url.fetch.clone(),
            Requirement {
                source: spec.name.clone(),
                url: url.clone(),
                req: req.clone(),
                written: written.clone(),
            },
        )),
        _ => None,
    }
}

struct Session<'a> {
    lock: Option<&'a Lockfile>,
    cache: &'a LockedCache<'a>,
    options: ResolveOptions<'a>,
    reporter: &'a dyn Reporter,
    /// Cache repositories opened so far, by fetch URL.
    repos: BTreeMap<String, LockedRepo<'a>>,
    /// Refs listed so far, by fetch URL: each remote is asked at most once.
    refs: BTreeMap<String, Refs>,
    /// Locked tags already checked for moves (`source`, `tag`), so a warning is printed once.
    checked_tags: Vec<(String, String)>,
    /// Pack sources already warned about for setting `trust` (resolution may take several rounds).
    warned_trust: BTreeSet<String>,
}

impl<'a> Session<'a> {
    /// Resolve the whole graph once, choosing each unified group's tag from `known` plus what the round
    /// meets first. Returns the resolved sources and the pin used for each group.
    fn round(
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

    fn read_git(
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
    fn pack_sources(&mut self, resolved: &Resolved) -> Result<Vec<SourceSpec>> {
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
                        if meta.is_file()
                            && meta.len() <= crate::frontmatter::MAX_FILE_SIZE as u64 =>
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

    fn repo(&mut self, name: &SourceName, url: &GitUrl) -> Result<&LockedRepo<'a>> {
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
    fn refs(&mut self, name: &SourceName, url: &GitUrl) -> Result<&Refs> {
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

    /// The lock entry of `name`, when it still describes what `url`/`reference` ask for and the source is
    /// not being updated.
    fn locked_pin(&self, name: &SourceName, url: &GitUrl, reference: &GitRef) -> Option<Pin> {
        if self.options.update.covers(name.as_str()) {
            return None;
        }
        let locked = self.lock?.source(name.as_str())?;
        if !locked.pins(url, reference) {
            return None;
        }
        Some(Pin::Git {
            commit: locked.commit()?,
            tag: locked.tag.clone(),
        })
    }

    /// Is `precise` meant for this source?
    fn precise_for(&self, name: &SourceName) -> Option<String> {
        match (self.options.update, self.options.precise) {
            (Update::Only(names), Some(precise)) if names.iter().any(|n| n == name.as_str()) => {
                Some(precise.to_string())
            }
            _ => None,
        }
    }

    /// Pin a source that asks for a branch, a tag, a commit or the default branch.
    fn pin_exact(&mut self, spec: &SourceSpec, url: &GitUrl, reference: &GitRef) -> Result<Pin> {
        if let Some(precise) = self.precise_for(&spec.name) {
            return self.pin_precise(spec, url, &precise, None);
        }
        if let Some(pin) = self.locked_pin(&spec.name, url, reference) {
            self.ensure_locked(spec, url, reference, &pin)?;
            return Ok(pin);
        }
        let pin = if let GitRef::Rev(prefix) = reference {
            self.rev(spec, url, prefix)?
        } else {
            let offline = self.options.offline;
            let refs = self.refs(&spec.name, url)?;
            choose(spec.name.as_str(), url, reference, refs).map_err(|e| in_cache(e, offline))?
        };
        self.note_moved_tag_on_update(spec, &pin);
        self.ensure_fetched(spec, url, reference, &pin)?;
        Ok(pin)
    }

    /// Pin a group of `version` sources of one URL to one tag; `spec` is the one being resolved now.
    fn pin_group(&mut self, spec: &SourceSpec, reqs: &[Requirement]) -> Result<Pin> {
        let SourceKind::Git { url, reference } = &spec.kind else {
            unreachable!("only git sources have version requirements")
        };
        if let Some((req, precise)) = reqs
            .iter()
            .find_map(|r| self.precise_for(&r.source).map(|p| (r, p)))
        {
            let pin = self.pin_precise(spec, url, &precise, Some(req))?;
            let others: Vec<Requirement> = reqs
                .iter()
                .filter(|r| r.source != req.source)
                .cloned()
                .collect();
            if !others.is_empty() && !self.satisfies_all(&pin, &others) {
                let refs = self.refs(&spec.name, url)?;
                return Err(conflict(url, reqs, refs));
            }
            return Ok(pin);
        }
        // Keep a locked tag when it still satisfies everyone and nobody in the group is being updated.
        let anyone_updated = reqs
            .iter()
            .any(|r| self.options.update.covers(r.source.as_str()));
        if !anyone_updated {
            let candidates: Vec<Pin> = reqs
                .iter()
                .filter_map(|r| {
                    let reference = GitRef::Version {
                        req: r.req.clone(),
                        written: r.written.clone(),
                    };
                    self.locked_pin(&r.source, &r.url, &reference)
                })
                .collect();
            if let Some(pin) = candidates.into_iter().find(|p| self.satisfies_all(p, reqs)) {
                self.ensure_locked(spec, url, reference, &pin)?;
                return Ok(pin);
            }
        }
        let refs = self.refs(&spec.name, url)?;
        let all: Vec<&semver::VersionReq> = reqs.iter().map(|r| &r.req).collect();
        let pin = match best_tag(refs, &all) {
            Some((tag, oid, _)) => Pin::Git {
                commit: Commit::from(*oid),
                tag: Some(tag.clone()),
            },
            None if reqs.len() == 1 => {
                return Err(in_cache(
                    no_matching_version(spec.name.as_str(), url, &reqs[0].written, refs),
                    self.options.offline,
                ));
            }
            None => return Err(conflict(url, reqs, refs)),
        };
        self.note_moved_tag_on_update(spec, &pin);
        self.ensure_fetched(spec, url, reference, &pin)?;
        Ok(pin)
    }

    /// Does `pin` satisfy every requirement: through the lock (the entry still matches and has this
    /// commit), or through its tag's version?
    fn satisfies_all(&self, pin: &Pin, reqs: &[Requirement]) -> bool {
        let Pin::Git { commit, tag } = pin else {
            return false;
        };
        reqs.iter().all(|r| {
            let reference = GitRef::Version {
                req: r.req.clone(),
                written: r.written.clone(),
            };
            let by_lock = matches!(
                self.locked_pin(&r.source, &r.url, &reference),
                Some(Pin::Git { commit: c, .. }) if c == *commit
            );
            let by_tag = tag
                .as_deref()
                .and_then(tag_version)
                .is_some_and(|v| r.req.matches(&v));
            let by_precise = self.precise_for(&r.source).is_some();
            by_lock || by_tag || by_precise
        })
    }

    /// `--precise REV`: a tag of the remote, or a commit id. A tag must satisfy the source's `version`.
    fn pin_precise(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        precise: &str,
        req: Option<&Requirement>,
    ) -> Result<Pin> {
        let refs = self.refs(&spec.name, url)?;
        let pin = if let Some(oid) = refs.tags.get(precise) {
            if let Some(req) = req
                && !tag_version(precise).is_some_and(|v| req.req.matches(&v))
            {
                return Err(Error::Usage {
                    message: format!(
                        "tag `{precise}` does not satisfy the requirement `{}` of `{}`",
                        req.written, spec.name
                    ),
                    hint: Some(
                        "pick a tag within the requirement, or change `version` in agentpack.toml"
                            .into(),
                    ),
                });
            }
            Pin::Git {
                commit: Commit::from(*oid),
                tag: Some(precise.to_string()),
            }
        } else if precise.len() >= 7
            && precise.len() <= 40
            && precise.bytes().all(|b| b.is_ascii_hexdigit())
        {
            self.rev(spec, url, &precise.to_ascii_lowercase())?
        } else {
            let candidates: Vec<&String> = refs.tags.keys().collect();
            return Err(Error::NotFound {
                message: format!(
                    "`--precise {precise}`: `{}` has no such tag, and it is not a commit id",
                    url.written
                ),
                hint: near_matches(&format!("`{precise}`"), candidates),
            });
        };
        let reference = match &spec.kind {
            SourceKind::Git { reference, .. } => reference.clone(),
            SourceKind::Path { .. } => unreachable!("precise applies to git sources"),
        };
        self.ensure_fetched(spec, url, &reference, &pin)?;
        Ok(pin)
    }

    /// A commit named by (a prefix of) its id: from the cache, else after fetching every branch and tag.
    fn rev(&mut self, spec: &SourceSpec, url: &GitUrl, prefix: &str) -> Result<Pin> {
        let offline = self.options.offline;
        let reporter = self.reporter;
        let repo = self.repo(&spec.name, url)?;
        if let Some(pin) = rev_in_cache(repo, spec, prefix)? {
            return Ok(pin);
        }
        if offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: commit `{prefix}` of `{}` is not in the cache",
                    spec.name, url.written
                ),
            });
        }
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        remote(repo, spec.name.as_str(), url, reporter).fetch(&git::all_refspecs(), Depth::Full)?;
        rev_in_cache(repo, spec, prefix)?.ok_or_else(|| Error::NotFound {
            message: format!(
                "source `{}`: commit `{prefix}` is not on any branch or tag of `{}`",
                spec.name, url.written
            ),
            hint: Some("check `rev` in agentpack.toml".into()),
        })
    }

    /// Make sure the cache holds a freshly chosen commit, fetching only the ref that leads to it.
    fn ensure_fetched(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        pin: &Pin,
    ) -> Result<()> {
        let Pin::Git { commit, tag } = pin else {
            return Ok(());
        };
        let offline = self.options.offline;
        let reporter = self.reporter;
        let head = self.refs.get(&url.fetch).and_then(|r| r.head.clone());
        let repo = self.repo(&spec.name, url)?;
        if git::find_commit(repo, commit.oid()).is_some() {
            remember_ref(repo, reference, tag.as_deref(), head.as_deref(), *commit);
            return Ok(());
        }
        if offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: commit {} of `{}` is not in the cache",
                    spec.name,
                    commit.short(),
                    url.written
                ),
            });
        }
        let refspec = match (reference, tag) {
            (_, Some(tag)) => Some(git::tag_refspec(tag)),
            (GitRef::Branch(b), None) => Some(git::branch_refspec(b)),
            (GitRef::DefaultBranch, None) => head.as_deref().map(git::branch_refspec),
            _ => None,
        };
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        let remote = remote(repo, spec.name.as_str(), url, reporter);
        if let Some(refspec) = refspec {
            remote.fetch(&[refspec], Depth::Tip)?;
        }
        if git::find_commit(repo, commit.oid()).is_none() {
            remote.fetch(&git::all_refspecs(), Depth::Full)?;
        }
        if git::find_commit(repo, commit.oid()).is_none() {
            return Err(Error::NotFound {
                message: format!(
                    "source `{}`: commit {} is not on any branch or tag of `{}`",
                    spec.name,
                    commit.short(),
                    url.written
                ),
                hint: None,
            });
        }
        Ok(())
    }

    /// A locked commit: fetch it only when the cache lacks it, and check whether its tag moved whenever
    /// the remote is asked anyway (or `--locked` wants to know).
    fn ensure_locked(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        pin: &Pin,
    ) -> Result<()> {
        let Pin::Git { commit, tag } = pin else {
            return Ok(());
        };
        let in_cache = self
            .repo(&spec.name, url)
            .ok()
            .is_some_and(|repo| git::find_commit(repo, commit.oid()).is_some());
        // The remote's refs are at hand when this run had to ask it anyway (a cache miss now, or earlier in
        // the parallel prefetch), or `--locked` wants to know.
        let refs_at_hand = self.refs.contains_key(&url.fetch);
        if let Some(tag) = tag
            && !self.options.offline
            && (self.options.locked || !in_cache || refs_at_hand)
        {
            self.check_tag(spec, url, tag, *commit)?;
        }
        if in_cache {
            return Ok(());
        }
        if self.options.offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: locked commit {} of `{}` is not in the cache",
                    spec.name,
                    commit.short(),
                    url.written
                ),
            });
        }
        self.ensure_fetched(spec, url, reference, pin).map_err(|e| match e {
            Error::NotFound { .. } => Error::NotFound {
                message: format!(
                    "source `{}`: locked commit {} is no longer reachable from any branch or tag of `{}`",
                    spec.name,
                    commit.short(),
                    url.written
                ),
                hint: Some(format!(
                    "run `agentpack update {}` to re-resolve it",
                    spec.name
                )),
            },
            other => other,
        })
    }

    /// Compare a locked tag with where the remote's tag points now.
    fn check_tag(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        tag: &str,
        locked: Commit,
    ) -> Result<()> {
        let key = (spec.name.to_string(), tag.to_string());
        if self.checked_tags.contains(&key) {
            return Ok(());
        }
        self.checked_tags.push(key);
        let now = self.refs(&spec.name, url)?.tags.get(tag).copied();
        let Some(now) = now.map(Commit::from).filter(|now| *now != locked) else {
            return Ok(());
        };
        let message = format!(
            "tag {tag} of `{}` moved from {} to {}",
            spec.name,
            locked.short(),
            now.short()
        );
        if self.options.locked {
            return Err(Error::LockOutdated {
                message,
                hint: format!(
                    "check why the tag moved upstream; `agentpack update {}` takes the new commit",
                    spec.name
                ),
            });
        }
        self.reporter.diagnostic(
            &Diagnostic::warning("tag-moved", format!("{message}; keeping the locked commit"))
                .with_hint(format!(
                    "`agentpack update {}` takes the new commit",
                    spec.name
                )),
        );
        Ok(())
    }

    /// While updating, say so when the tag the lock recorded now names another commit.
    fn note_moved_tag_on_update(&self, spec: &SourceSpec, pin: &Pin) {
        let Pin::Git {
            commit,
            tag: Some(tag),
        } = pin
        else {
            return;
        };
        let Some(old) = self.lock.and_then(|l| l.source(spec.name.as_str())) else {
            return;
        };
        if old.tag.as_deref() == Some(tag.as_str())
            && let Some(before) = old.commit().filter(|c| c != commit)
        {
            self.reporter.diagnostic(&Diagnostic::warning(
                "tag-moved",
                format!(
                    "tag {tag} of `{}` moved from {} to {}",
                    spec.name,
                    before.short(),
                    commit.short()
                ),
            ));
        }
    }
}

/// Remember in the cache which ref leads to `commit`, so a later `--offline` run finds it even when the
/// commit arrived with another ref's fetch (or a fetch killed before it updated its refs). Best effort.
fn remember_ref(
    repo: &Repository,
    reference: &GitRef,
    tag: Option<&str>,
    head: Option<&str>,
    commit: Commit,
) {
    let name = match (reference, tag, head) {
        (_, Some(tag), _) => format!("refs/tags/{tag}"),
        (GitRef::Branch(branch), None, _) => format!("refs/remotes/origin/{branch}"),
        (GitRef::DefaultBranch, None, Some(head)) => format!("refs/remotes/origin/{head}"),
        _ => return,
    };
    let _ = repo.reference(&name, commit.oid(), true, "agentpack: resolve");
}

/// A pack graph too deep or too wide: `message`, then the chain of packs that led to `name`.
fn too_large(message: String, name: &SourceName) -> Error {
    Error::NotFound {
        message: format!("{message}: {}", name.chain()),
        hint: Some(format!(
            "a pack graph this large is a mistake or an attack; remove `{}` from agentpack.toml",
            name.root()
        )),
    }
}

/// What makes two sources the same thing to fetch, for cycle detection.
fn identity(spec: &SourceSpec) -> String {
    let subdir = spec.subdir.as_deref().unwrap_or("");
    match &spec.kind {
        SourceKind::Git { url, .. } => format!("git:{}#{subdir}", url.fetch),
        SourceKind::Path { dir, .. } => format!("path:{}#{subdir}", dir.display()),
    }
}

fn display_identity(spec: &SourceSpec) -> String {
    match &spec.kind {
        SourceKind::Git { url, .. } => format!("`{}`", url.written),
        SourceKind::Path { dir, .. } => format!("`{}`", dir.display()),
    }
}

/// With `--offline`, a ref that is not found was looked for in the cache only: say so.
fn in_cache(e: Error, offline: bool) -> Error {
    match e {
        Error::NotFound { message, .. } if offline => Error::Offline {
            message: format!("{message} (in the cache)"),
        },
        other => other,
    }
}

fn with_source_context(e: Error, spec: &SourceSpec) -> Error {
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

/// Does the lock entry still describe what the manifest asks for?
pub fn remote<'a>(
    repo: &'a LockedRepo<'a>,
    source_name: &'a str,
    url: &'a GitUrl,
    reporter: &'a dyn Reporter,
) -> Remote<'a> {
    Remote {
        repo,
        source_name,
        url: &url.fetch,
        display_url: &url.written,
        reporter,
    }
}

fn rev_in_cache(repo: &Repository, spec: &SourceSpec, prefix: &str) -> Result<Option<Pin>> {
    let found = git::find_commit_by_prefix(repo, prefix).map_err(|message| Error::NotFound {
        message: format!("source `{}`: {message}", spec.name),
        hint: Some("give more hex digits in `rev`".into()),
    })?;
    Ok(found.map(|commit| Pin::Git { commit, tag: None }))
}

/// Pick the commit a branch, tag or the default branch names among `refs`.
fn choose(name: &str, url: &GitUrl, reference: &GitRef, refs: &Refs) -> Result<Pin> {
    let not_found = |what: String, candidates: Vec<&String>| Error::NotFound {
        message: format!("source `{name}`: {what} not found in `{}`", url.written),
        hint: near_matches(&what, candidates),
    };
    let pin = |oid: &git2::Oid, tag: Option<&String>| Pin::Git {
        commit: Commit::from(*oid),
        tag: tag.cloned(),
    };
    match reference {
        GitRef::Branch(branch) => refs
            .branches
            .get(branch)
            .map(|oid| pin(oid, None))
            .ok_or_else(|| not_found(format!("branch `{branch}`"), refs.branches.keys().collect())),
        GitRef::Tag(tag) => refs
            .tags
            .get(tag)
            .map(|oid| pin(oid, Some(tag)))
            .ok_or_else(|| not_found(format!("tag `{tag}`"), refs.tags.keys().collect())),
        GitRef::DefaultBranch => {
            let head = refs.head.as_ref().ok_or_else(|| Error::NotFound {
                message: format!(
                    "source `{name}`: `{}` does not advertise a default branch",
                    url.written
                ),
                hint: Some("set `branch`, `tag`, `rev` or `version` in agentpack.toml".into()),
            })?;
            refs.branches
                .get(head)
                .map(|oid| pin(oid, None))
                .ok_or_else(|| not_found(format!("default branch `{head}`"), vec![]))
        }
        GitRef::Version { req, written } => match best_tag(refs, &[req]) {
            Some((tag, oid, _)) => Ok(pin(oid, Some(tag))),
            None => Err(no_matching_version(name, url, written, refs)),
        },
        GitRef::Rev(_) => unreachable!("revs are looked up by prefix"),
    }
}

/// The semver tags of `refs`, newest first, at most `n`.
fn newest_versions(refs: &Refs, n: usize) -> Vec<&str> {
    let mut versions: Vec<(semver::Version, &str)> = refs
        .tags
        .keys()
        .filter_map(|t| tag_version(t).map(|v| (v, t.as_str())))
        .collect();
    versions.sort();
    versions.into_iter().rev().take(n).map(|(_, t)| t).collect()
}

fn no_matching_version(name: &str, url: &GitUrl, written: &str, refs: &Refs) -> Error {
    let versions = newest_versions(refs, 10);
    Error::NotFound {
        message: format!(
            "source `{name}`: no tag of `{}` matches version `{written}`",
            url.written
        ),
        hint: Some(if versions.is_empty() {
            "the repository has no semver tags; use `branch`, `tag` or `rev`".into()
        } else {
            format!("available versions: {}", versions.join(", "))
        }),
    }
}

/// No tag satisfies every `version` requirement on one URL: list each and who asked.
fn conflict(url: &GitUrl, reqs: &[Requirement], refs: &Refs) -> Error {
    let lines: Vec<String> = reqs
        .iter()
        .map(|r| format!("\n  version `{}` required by {}", r.written, r.who()))
        .collect();
    let versions = newest_versions(refs, 10);
    Error::NotFound {
        message: format!(
            "no tag of `{}` satisfies every requirement on it:{}",
            url.written,
            lines.concat()
        ),
        hint: Some(format!(
            "{}relax one of the requirements (or, for a pack's source, ask its author to)",
            if versions.is_empty() {
                String::new()
            } else {
                format!("available versions: {}; ", versions.join(", "))
            }
        )),
    }
}

/// A hint listing the candidates that look like `wanted` (shared prefix or substring).
fn near_matches(wanted: &str, candidates: Vec<&String>) -> Option<String> {
    let needle = wanted
        .split('`')
        .nth(1)
        .unwrap_or(wanted)
        .trim_start_matches('v')
        .to_lowercase();
    let prefix: String = needle.chars().take(3).collect();
    let mut near: Vec<&str> = candidates
        .iter()
        .filter(|c| {
            let c = c.trim_start_matches('v').to_lowercase();
            c.contains(&needle)
                || needle.contains(&c)
                || (!prefix.is_empty() && c.starts_with(&prefix))
        })
        .map(|c| c.as_str())
        .collect();
    near.truncate(8);
    if near.is_empty() {
        (!candidates.is_empty() && candidates.len() <= 8).then(|| {
            format!(
                "available: {}",
                candidates
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    } else {
        Some(format!("did you mean: {}", near.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(tags: &[&str]) -> Refs {
        let mut refs = Refs::default();
        for (i, tag) in tags.iter().enumerate() {
            let oid = git2::Oid::from_str(&format!("{:040x}", i + 1)).unwrap();
            refs.tags.insert(tag.to_string(), oid);
        }
        refs
    }

    #[test]
    fn caret_requirements_match_their_release() {
        for tag in ["1.2.3", "v0.1.0-beta.2", "2.0.0+build.7"] {
            let version = tag_version(tag).unwrap();
            let req = crate::manifest::parse_version_req(&caret(&version)).unwrap();
            assert!(req.matches(&version), "{tag}");
        }
        assert_eq!(caret(&tag_version("2.0.0+build.7").unwrap()), "^2.0.0");
    }

    #[test]
    fn best_tag_follows_semver_rules() {
        let refs = refs(&[
            "v1.0.0",
            "1.2.0",
            "v1.3.0-beta.1",
            "v2.0.0",
            "latest",
            "v1.x",
        ]);
        let caret = semver::VersionReq::parse("^1.0").unwrap();
        assert_eq!(best_tag(&refs, &[&caret]).unwrap().0, "1.2.0");
        let pre = semver::VersionReq::parse("^1.3.0-beta.0").unwrap();
        assert_eq!(best_tag(&refs, &[&pre]).unwrap().0, "v1.3.0-beta.1");
        let narrow = semver::VersionReq::parse("<1.2").unwrap();
        assert_eq!(best_tag(&refs, &[&caret, &narrow]).unwrap().0, "v1.0.0");
        let two = semver::VersionReq::parse("^2").unwrap();
        assert!(best_tag(&refs, &[&caret, &two]).is_none());
        assert_eq!(newest_versions(&refs, 2), ["v2.0.0", "v1.3.0-beta.1"]);
    }

    #[test]
    fn update_covers_named_sources_and_their_packs() {
        let names = ["studio".to_string()];
        let only = Update::Only(&names);
        assert!(only.covers("studio"));
        assert!(only.covers("studio/helpers"));
        assert!(!only.covers("studio-2"));
        assert!(Update::All.covers("x"));
        assert!(!Update::Nothing.covers("x"));
    }
}
