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
//!   will pin, several remotes at once (`--jobs`), reporting in manifest order ([`InOrder`](crate::in_order::InOrder)). Sources whose
//!   locked commit the cache already holds are left alone.
//! - **Vendoring.** With `[install] vendor`, git sources are read from the vendor directory at their
//!   locked commits ([`source::vendor`]): no network, no cache.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroUsize;
use std::path::Path;

use crate::error::{Error, Result};
use crate::lockfile::{LockedOrigin, LockedSource, Lockfile};
use crate::manifest::{SourceKind, SourceSpec};
use crate::names::{Commit, SourceName};
use crate::names::{GitRef, GitUrl};
use crate::reporter::{Reporter, Status};
use crate::source::cache::LockedCache;
use crate::source::{self, Snapshot};

mod pick;
mod pin;
pub mod plugins;
mod prefetch;
mod session;
mod tags;

pub use plugins::PluginPart;
pub use tags::{best_tag, caret, newest_release, newest_stable, tag_version};

use pick::{GitPin, Standing};
use prefetch::{prefetch, read_ahead};
use session::Session;

/// How deep packs may nest; deeper is almost certainly a loop through ever-changing names, or an attack.
pub(super) const MAX_DEPTH: usize = 10;
/// How many sources a manifest and its packs may bring in all together. Packs fan out: ten sources per
/// pack, ten levels deep, would be ten billion; this stops such a graph after a few hundred reads.
pub(super) const MAX_SOURCES: usize = 512;
/// How many times requirements discovered late may send resolution round again before giving up.
const MAX_ROUNDS: usize = 8;
/// How many remotes are fetched at once unless `--jobs` says otherwise.
pub const DEFAULT_JOBS: NonZeroUsize = NonZeroUsize::new(8).expect("not zero");

/// How resolution may behave.
#[derive(Debug, Clone, Copy)]
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
    /// How many remotes to fetch at once.
    pub jobs: NonZeroUsize,
    /// The install target, which `path` sources never read (it holds agentpack's own output).
    pub target: Option<&'a Path>,
}

impl Default for ResolveOptions<'_> {
    fn default() -> Self {
        ResolveOptions {
            offline: false,
            locked: false,
            update: Update::Nothing,
            precise: None,
            vendor: None,
            jobs: DEFAULT_JOBS,
            target: None,
        }
    }
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
    /// The selected plugins whose files are in this source: a marketplace's relative plugins, or, for a
    /// plugin pinned in another repository, that plugin ([`plugins`]).
    pub plugins: Vec<PluginPart>,
    /// For the child source of a plugin pinned in another repository: the plugin's name.
    pub plugin: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pin {
    Git { commit: Commit, tag: Option<String> },
    Path { content_hash: String },
}

impl Resolved {
    /// The lockfile entry for this source.
    pub fn locked(&self) -> LockedSource {
        let origin = match (&self.spec.kind, &self.pin) {
            (SourceKind::Git { url, reference }, Pin::Git { commit, tag }) => LockedOrigin::Git {
                url: url.clone(),
                reference: reference.clone(),
                commit: *commit,
                tag: tag.clone(),
            },
            (SourceKind::Path { written, .. }, Pin::Path { content_hash }) => LockedOrigin::Path {
                path: written.clone(),
                content_hash: content_hash.clone(),
            },
            _ => unreachable!("pin kind follows source kind"),
        };
        LockedSource {
            name: self.spec.name.to_string(),
            origin,
            subdir: self.spec.subdir.clone(),
            required_by: self.spec.name.parent().map(|p| p.to_string()),
            plugin: self.plugin.clone(),
        }
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
    if options.vendor.is_none() {
        read_ahead(sources, lock, cache, &options);
    }
    let mut session = Session {
        lock,
        cache,
        options,
        reporter,
        repos: BTreeMap::new(),
        refs,
        checked_tags: Vec::new(),
        warned_trust: BTreeSet::new(),
        plugin_children: BTreeMap::new(),
        warned_plugins: BTreeSet::new(),
    };
    resolve_rounds(&mut session, sources)
}

/// Resolve the graph round after round until every unified group's tag satisfies every requirement
/// found on it (at most [`MAX_ROUNDS`] times).
fn resolve_rounds(session: &mut Session<'_>, sources: &[SourceSpec]) -> Result<Vec<Resolved>> {
    let (options, reporter) = (session.options, session.reporter);
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
                    .is_some_and(|pin| pick::satisfies_all(pin, &session.members(reqs)))
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
    Err(Error::Unsettled)
}

/// What the lock and the command say about source `name`, whose manifest entry asks for `url` and
/// `reference`: its lock entry's pin when the entry still describes that, whether it is being updated,
/// and the `update --precise` revision meant for it.
fn standing(
    lock: Option<&Lockfile>,
    options: &ResolveOptions<'_>,
    name: &SourceName,
    url: &GitUrl,
    reference: &GitRef,
) -> Standing {
    let locked = lock
        .and_then(|l| l.source(name.as_str()))
        .filter(|locked| locked.pins(url, reference))
        .and_then(|locked| {
            Some(GitPin {
                commit: locked.commit()?,
                tag: locked.tag().map(str::to_string),
            })
        });
    let precise = match (options.update, options.precise) {
        (Update::Only(names), Some(precise)) if names.iter().any(|n| n == name.as_str()) => {
            Some(precise.to_string())
        }
        _ => None,
    };
    Standing {
        locked,
        updating: options.update.covers(name.as_str()),
        precise,
    }
}

impl From<GitPin> for Pin {
    fn from(pin: GitPin) -> Pin {
        Pin::Git {
            commit: pin.commit,
            tag: pin.tag,
        }
    }
}

/// The vendored copy of git source `spec` in `dir` (`[install] vendor`), at the commit and tag of its lock
/// entry `locked` when that still describes the source ([`source::vendor::read`]).
pub fn read_vendored(
    dir: &Path,
    spec: &SourceSpec,
    locked: Option<&LockedSource>,
) -> Result<(Commit, Option<String>, Snapshot)> {
    let SourceKind::Git { url, .. } = &spec.kind else {
        unreachable!("only git sources are vendored")
    };
    let pinned = locked
        .filter(|l| l.describes(spec))
        .and_then(|l| l.commit().map(|c| (c, l.tag().map(str::to_string))));
    source::vendor::read(
        dir,
        spec.name.as_str(),
        &url.written,
        spec.subdir.as_deref(),
        pinned,
    )
}

/// One `version` requirement on a git URL, and who asked for it.
#[derive(Debug, Clone)]
pub(super) struct Requirement {
    pub(super) source: SourceName,
    pub(super) url: GitUrl,
    pub(super) req: semver::VersionReq,
    pub(super) written: String,
}

impl Requirement {
    /// The manifest's `version` entry this requirement was read from.
    pub(super) fn reference(&self) -> GitRef {
        GitRef::Version {
            req: self.req.clone(),
            written: self.written.clone(),
        }
    }

    pub(super) fn who(&self) -> String {
        match self.source.parent() {
            Some(parent) => format!("`{}` (in the pack of `{parent}`)", self.source),
            None => format!("`{}` (in agentpack.toml)", self.source),
        }
    }
}

/// The unified group of a `version` source, keyed by the URL git is asked for.
pub(super) fn requirement(spec: &SourceSpec) -> Option<(String, Requirement)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
