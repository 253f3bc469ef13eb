//! The parallel first steps of resolution: list the manifest's remotes and fetch the commits their
//! sources will most likely pin, several remotes at once, reporting in manifest order; then read the
//! cached snapshots of the commits the lock keeps, on every core.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::in_order::InOrder;
use crate::lockfile::Lockfile;
use crate::manifest::{SourceKind, SourceSpec};
use crate::names::GitUrl;
use crate::reporter::{Reporter, Status};
use crate::source::cache::LockedCache;
use crate::source::git::{Depth, Refs};

use super::pick::{self, Ask, Picked, Standing};
use super::{ResolveOptions, standing};

/// Stack of a fetch thread. libgit2's local transport (`file://`) packs trees recursively, so a crafted
/// repository thousands of directories deep would overflow the 2 MiB default; the memory is only reserved,
/// and touched only by such a tree. (Reading a commit's tree never recurses: see
/// [`crate::source::git::Origin`]'s reader.)
const FETCH_STACK_SIZE: usize = 64 * 1024 * 1024;

/// One remote to ask: its URL, and the manifest's sources on it (by index), with what the lock and the
/// command say about each.
struct Group<'s> {
    url: &'s GitUrl,
    members: Vec<(usize, Standing)>,
}

/// The parallel first step of [`super::resolve_all`]: for each remote of the manifest's own git sources
/// (grouped by URL, so one cache repository is never fetched into twice at once; `options.jobs` remotes
/// at a time), list its refs and fetch the commit each of its sources will most likely pin, as
/// [`pick::pick`] decides on its own (without the rest of a `version` group). Remotes whose sources all
/// have their locked commits in the cache are not contacted. Returns the refs listed, by fetch URL, for
/// the walk to reuse. Refs that do not exist are left for the walk to report; the first network error in
/// manifest order is returned.
pub(super) fn prefetch(
    sources: &[SourceSpec],
    lock: Option<&Lockfile>,
    cache: &LockedCache<'_>,
    options: ResolveOptions<'_>,
    reporter: &dyn Reporter,
) -> Result<BTreeMap<String, Refs>> {
    let groups = groups(sources, lock, cache, &options)?;
    if groups.is_empty() {
        return Ok(BTreeMap::new());
    }
    let order: Vec<usize> = groups
        .iter()
        .flat_map(|g| g.members.iter().map(|(i, _)| *i))
        .collect();
    let fetcher = Fetcher {
        sources,
        cache,
        ordered: InOrder::new(reporter, order.len()),
        order,
    };
    let listed: Mutex<BTreeMap<String, Refs>> = Mutex::new(BTreeMap::new());
    let failures: Mutex<Vec<(usize, Error)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.get().min(groups.len()) {
            let thread = std::thread::Builder::new().stack_size(FETCH_STACK_SIZE);
            thread
                .spawn_scoped(scope, || {
                    while let Some(group) = groups.get(next.fetch_add(1, Ordering::SeqCst)) {
                        let result = fetcher.group(group);
                        for (i, _) in &group.members {
                            fetcher.ordered.done(fetcher.position(*i));
                        }
                        match result {
                            Ok(refs) => {
                                let mut listed = listed.lock().expect("refs lock");
                                listed.insert(group.url.fetch.clone(), refs);
                            }
                            Err(failure) => failures.lock().expect("failures lock").push(*failure),
                        }
                    }
                })
                .expect("spawn a fetch thread");
        }
    });
    fetcher.ordered.flush_rest();
    let mut failures = failures.into_inner().expect("failures lock");
    failures.sort_by_key(|(i, _)| *i);
    match failures.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(listed.into_inner().expect("refs lock")),
    }
}

/// The manifest's git sources by remote, in manifest order, leaving out those whose locked commit the
/// cache holds (unless `--locked` wants the remote's refs to check a locked tag: a locked branch or
/// commit needs no network, and an install from the cache must not set up TLS for nothing).
fn groups<'s>(
    sources: &'s [SourceSpec],
    lock: Option<&Lockfile>,
    cache: &LockedCache<'_>,
    options: &ResolveOptions<'_>,
) -> Result<Vec<Group<'s>>> {
    let mut groups: Vec<Group<'s>> = Vec::new();
    for (i, spec) in sources.iter().enumerate() {
        let SourceKind::Git { url, reference } = &spec.kind else {
            continue;
        };
        let standing = standing(lock, options, &spec.name, url, reference);
        let cached = match standing.kept() {
            Some(pin) if !(options.locked && pin.tag.is_some()) => cache
                .existing(&url.fetch)?
                .is_some_and(|repo| repo.has_commit(pin.commit)),
            _ => false,
        };
        if cached {
            continue;
        }
        match groups.iter_mut().find(|g| g.url.fetch == url.fetch) {
            Some(group) => group.members.push((i, standing)),
            None => groups.push(Group {
                url,
                members: vec![(i, standing)],
            }),
        }
    }
    Ok(groups)
}

/// The second parallel step of [`super::resolve_all`]: read ahead, on every core, the cached snapshots
/// of the manifest's git sources whose locked commit is kept (see
/// [`LockedCache::read_snapshots_ahead`]); the walk then reads one source after another, most of them
/// from here. A source whose commit turns out otherwise reads its own, as before.
pub(super) fn read_ahead(
    sources: &[SourceSpec],
    lock: Option<&Lockfile>,
    cache: &LockedCache<'_>,
    options: &ResolveOptions<'_>,
) {
    let wanted: Vec<_> = (sources.iter())
        .filter_map(|spec| {
            let SourceKind::Git { url, reference } = &spec.kind else {
                return None;
            };
            let pin = standing(lock, options, &spec.name, url, reference)
                .kept()?
                .commit;
            Some((
                spec.name.as_str(),
                url.fetch.as_str(),
                pin,
                spec.subdir.as_deref(),
            ))
        })
        .collect();
    cache.read_snapshots_ahead(&wanted);
}

/// What the fetch threads share.
struct Fetcher<'a> {
    sources: &'a [SourceSpec],
    cache: &'a LockedCache<'a>,
    ordered: InOrder<'a>,
    /// The indexes of the grouped sources, in the order they report.
    order: Vec<usize>,
}

impl Fetcher<'_> {
    fn position(&self, i: usize) -> usize {
        self.order.iter().position(|&o| o == i).expect("grouped")
    }

    /// List one remote's refs and fetch what each of its sources will most likely pin. A failure comes
    /// with the index of the source it is reported for.
    fn group(&self, group: &Group<'_>) -> std::result::Result<Refs, Box<(usize, Error)>> {
        let first = group.members[0].0;
        let fail = |i: usize| move |e: Error| Box::new((i, e));
        let repo = self.cache.repo(&group.url.fetch).map_err(fail(first))?;
        let first_reporter = self.ordered.source(self.position(first));
        let refs = repo
            .remote(
                self.sources[first].name.as_str(),
                group.url,
                &first_reporter,
            )
            .and_then(|remote| remote.list_refs())
            .map_err(fail(first))?;
        for (i, standing) in &group.members {
            let spec = &self.sources[*i];
            let SourceKind::Git { reference, .. } = &spec.kind else {
                unreachable!("only git sources are grouped")
            };
            let ask = Ask::Exact {
                source: &spec.name,
                reference,
                standing,
            };
            let pin = match pick::pick(&ask, group.url, false, || Ok(&refs)) {
                Ok(Picked::Locked(pin) | Picked::Chosen(pin)) => pin,
                // A commit id is fetched by the walk; a missing ref is reported by it.
                Ok(Picked::Rev(_)) | Err(_) => continue,
            };
            let Some(tracked) = pick::tracked(reference, pin.tag.as_deref(), refs.head.as_deref())
            else {
                continue;
            };
            if repo.has_commit(pin.commit) {
                repo.remember(&tracked, pin.commit);
                continue;
            }
            let reporter = self.ordered.source(self.position(*i));
            reporter.status(
                Status::Fetching,
                &format!("{} ({})", spec.name, group.url.written),
            );
            repo.remote(spec.name.as_str(), group.url, &reporter)
                .and_then(|remote| remote.fetch(&[tracked.refspec()], Depth::Tip))
                .map_err(fail(*i))?;
        }
        Ok(refs)
    }
}
