//! The parallel first step of resolution: list the manifest's remotes and fetch the commits their
//! sources will most likely pin, several remotes at once, reporting in manifest order.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};
use crate::in_order::InOrder;
use crate::lockfile::{LockedSource, Lockfile};
use crate::manifest::{GitRef, GitUrl, SourceKind, SourceSpec};
use crate::names::Commit;
use crate::reporter::{Reporter, Status};
use crate::source::cache::LockedCache;
use crate::source::git::{self, Depth, Refs};

use super::pin::remember_ref;
use super::{DEFAULT_JOBS, ResolveOptions, best_tag, remote};

/// Stack of a fetch thread. libgit2's local transport (`file://`) packs trees recursively, so a crafted
/// repository thousands of directories deep would overflow the 2 MiB default; the memory is only reserved,
/// and touched only by such a tree. (Reading a commit's tree never recurses: see [`git::snapshot`].)
const FETCH_STACK_SIZE: usize = 64 * 1024 * 1024;

/// The parallel first step of [`resolve_all`]: for each remote of the manifest's own git sources (grouped
/// by URL, so one cache repository is never fetched into twice at once; `options.jobs` remotes at a time),
/// list its refs and fetch the commit each of its sources will most likely pin — the locked commit when
/// the lock still matches, else what the ref names. Remotes whose sources all have their locked commits
/// in the cache are not contacted. Returns the refs listed, by fetch URL, for the walk to reuse. Refs that
/// do not exist are left for the walk to report; the first network error in manifest order is returned.
pub(super) fn prefetch(
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
