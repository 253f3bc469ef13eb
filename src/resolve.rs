//! Resolution: turning each source of the manifest into an exact, readable version — a commit for git
//! sources, a content hash for path sources — and reading its files.
//!
//! A source whose lock entry still matches the manifest (same URL, same requested ref) keeps its locked
//! commit: no ref is resolved, and no network is used when the cache holds that commit. Anything else is
//! resolved afresh: from the remote's ref list online, from the cache's refs with `--offline`.

use git2::Repository;

use crate::error::{Error, Result};
use crate::lockfile::{LockedSource, Lockfile};
use crate::manifest::{GitRef, GitUrl, SourceKind, SourceSpec};
use crate::names::Commit;
use crate::reporter::{Reporter, Status};
use crate::source::git::{self, Cache, Refs, Remote};
use crate::source::{self, Snapshot};

/// How resolution may behave.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions {
    /// Never touch the network; use only the cache.
    pub offline: bool,
}

/// A source pinned to an exact version, with its files.
#[derive(Debug)]
pub struct Resolved {
    pub spec: SourceSpec,
    pub pin: Pin,
    pub snapshot: Snapshot,
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

/// Resolve every source of the manifest, in manifest order.
pub fn resolve_all(
    sources: &[SourceSpec],
    lock: Option<&Lockfile>,
    cache: &Cache,
    options: ResolveOptions,
    reporter: &dyn Reporter,
) -> Result<Vec<Resolved>> {
    sources
        .iter()
        .map(|spec| {
            resolve_one(
                spec,
                lock.and_then(|l| l.source(spec.name.as_str())),
                cache,
                options,
                reporter,
            )
        })
        .collect()
}

fn resolve_one(
    spec: &SourceSpec,
    locked: Option<&LockedSource>,
    cache: &Cache,
    options: ResolveOptions,
    reporter: &dyn Reporter,
) -> Result<Resolved> {
    match &spec.kind {
        SourceKind::Path { dir, .. } => {
            let snapshot = source::path::snapshot(spec.name.as_str(), dir, spec.subdir.as_deref())?;
            let content_hash = source::path::content_hash(&snapshot);
            Ok(Resolved {
                spec: spec.clone(),
                pin: Pin::Path { content_hash },
                snapshot,
            })
        }
        SourceKind::Git { url, reference } => {
            let still_locked = locked.filter(|l| lock_matches(l, url, reference));
            let (repo, pin) =
                match still_locked.and_then(|l| l.commit().map(|c| (c, l.tag.clone()))) {
                    Some((commit, tag)) => {
                        let repo =
                            ensure_commit(spec, url, reference, commit, cache, options, reporter)?;
                        (repo, Pin::Git { commit, tag })
                    }
                    None => resolve_fresh(spec, url, reference, cache, options, reporter)?,
                };
            let Pin::Git { commit, .. } = &pin else {
                unreachable!()
            };
            reporter.status(
                Status::Resolving,
                &format!("{} {}", spec.name, describe(spec, &pin)),
            );
            let snapshot = git::snapshot(&repo, *commit, spec.subdir.as_deref())
                .map_err(|e| with_source_context(e, spec))?;
            Ok(Resolved {
                spec: spec.clone(),
                pin,
                snapshot,
            })
        }
    }
}

fn with_source_context(e: Error, spec: &SourceSpec) -> Error {
    match e {
        Error::NotFound { message, hint } => Error::NotFound {
            message: format!("source `{}`: {message}", spec.name),
            hint,
        },
        other => other,
    }
}

/// Does the lock entry still describe what the manifest asks for?
fn lock_matches(locked: &LockedSource, url: &GitUrl, reference: &GitRef) -> bool {
    let (kind, value) = reference.kind_and_value();
    locked.git.as_deref() == Some(url.written.as_str())
        && locked.ref_kind.as_deref() == Some(kind)
        && locked.reference.as_deref() == value
}

/// Make sure the cache holds `commit` (a locked one), fetching only when it does not.
fn ensure_commit(
    spec: &SourceSpec,
    url: &GitUrl,
    reference: &GitRef,
    commit: Commit,
    cache: &Cache,
    options: ResolveOptions,
    reporter: &dyn Reporter,
) -> Result<Repository> {
    if let Some(repo) = cache.open(&url.fetch)
        && git::find_commit(&repo, commit.oid()).is_some()
    {
        return Ok(repo);
    }
    if options.offline {
        return Err(Error::Offline {
            message: format!(
                "source `{}`: locked commit {} of `{}` is not in the cache",
                spec.name,
                commit.short(),
                url.written
            ),
        });
    }
    let repo = cache.open_or_init(&url.fetch)?;
    let remote = remote(&repo, spec, url, reporter);
    reporter.status(
        Status::Fetching,
        &format!("{} ({})", spec.name, url.written),
    );
    let narrow = match reference {
        GitRef::Branch(b) => Some(git::branch_refspec(b)),
        GitRef::Tag(t) => Some(git::tag_refspec(t)),
        _ => None,
    };
    if let Some(refspec) = narrow {
        remote.fetch(&[refspec])?;
    }
    if git::find_commit(&repo, commit.oid()).is_none() {
        remote.fetch(&git::all_refspecs())?;
    }
    if git::find_commit(&repo, commit.oid()).is_none() {
        return Err(Error::NotFound {
            message: format!(
                "source `{}`: locked commit {} is no longer reachable from any branch or tag of `{}`",
                spec.name,
                commit.short(),
                url.written
            ),
            hint: Some(format!(
                "remove the `{}` entry from agentpack.lock and run `agentpack install` to re-resolve it",
                spec.name
            )),
        });
    }
    Ok(repo)
}

fn remote<'a>(
    repo: &'a Repository,
    spec: &'a SourceSpec,
    url: &'a GitUrl,
    reporter: &'a dyn Reporter,
) -> Remote<'a> {
    Remote {
        repo,
        source_name: spec.name.as_str(),
        url: &url.fetch,
        display_url: &url.written,
        reporter,
    }
}

/// Resolve the requested ref to a commit and make sure the cache holds it.
fn resolve_fresh(
    spec: &SourceSpec,
    url: &GitUrl,
    reference: &GitRef,
    cache: &Cache,
    options: ResolveOptions,
    reporter: &dyn Reporter,
) -> Result<(Repository, Pin)> {
    if options.offline {
        let Some(repo) = cache.open(&url.fetch) else {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: `{}` has never been fetched, so it is not in the cache",
                    spec.name, url.written
                ),
            });
        };
        let pin = match reference {
            GitRef::Rev(prefix) => rev_in_cache(&repo, spec, prefix)?,
            _ => choose(spec, url, reference, &git::cached_refs(&repo)).map_err(|e| match e {
                Error::NotFound { message, .. } => Error::Offline {
                    message: format!("{message} (in the cache)"),
                },
                other => other,
            })?,
        }
        .ok_or_else(|| Error::Offline {
            message: format!(
                "source `{}`: {reference} of `{}` is not in the cache",
                spec.name, url.written
            ),
        })?;
        return Ok((repo, pin));
    }

    let repo = cache.open_or_init(&url.fetch)?;
    let remote = remote(&repo, spec, url, reporter);
    if let GitRef::Rev(prefix) = reference {
        if let Some(pin) = rev_in_cache(&repo, spec, prefix)? {
            return Ok((repo, pin));
        }
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        remote.fetch(&git::all_refspecs())?;
        let pin = rev_in_cache(&repo, spec, prefix)?.ok_or_else(|| Error::NotFound {
            message: format!(
                "source `{}`: commit `{prefix}` is not on any branch or tag of `{}`",
                spec.name, url.written
            ),
            hint: Some("check `rev` in agentpack.toml".into()),
        })?;
        return Ok((repo, pin));
    }

    let refs = remote.list_refs()?;
    let pin = choose(spec, url, reference, &refs)?.expect("choose finds or fails");
    let Pin::Git { commit, tag } = &pin else {
        unreachable!()
    };
    if git::find_commit(&repo, commit.oid()).is_none() {
        let refspec = match (reference, tag) {
            (_, Some(tag)) => git::tag_refspec(tag),
            (GitRef::Branch(b), None) => git::branch_refspec(b),
            _ => git::branch_refspec(refs.head.as_deref().unwrap_or("HEAD")),
        };
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        remote.fetch(&[refspec])?;
        if git::find_commit(&repo, commit.oid()).is_none() {
            remote.fetch(&git::all_refspecs())?;
        }
    }
    // The commit may have come with another ref's fetch: record this ref too, so `--offline` finds it.
    let tracking = match (reference, tag, &refs.head) {
        (_, Some(tag), _) => Some(format!("refs/tags/{tag}")),
        (GitRef::Branch(branch), None, _) | (_, None, Some(branch)) => {
            Some(format!("refs/remotes/origin/{branch}"))
        }
        _ => None,
    };
    if let Some(tracking) = tracking {
        let _ = repo.reference(&tracking, commit.oid(), true, "agentpack: resolve");
    }
    Ok((repo, pin))
}

fn rev_in_cache(repo: &Repository, spec: &SourceSpec, prefix: &str) -> Result<Option<Pin>> {
    let found = git::find_commit_by_prefix(repo, prefix).map_err(|message| Error::NotFound {
        message: format!("source `{}`: {message}", spec.name),
        hint: Some("give more hex digits in `rev`".into()),
    })?;
    Ok(found.map(|commit| Pin::Git { commit, tag: None }))
}

/// Pick the commit `reference` names among `refs`.
fn choose(spec: &SourceSpec, url: &GitUrl, reference: &GitRef, refs: &Refs) -> Result<Option<Pin>> {
    let not_found = |what: String, candidates: Vec<&String>| Error::NotFound {
        message: format!(
            "source `{}`: {what} not found in `{}`",
            spec.name, url.written
        ),
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
            .map(|oid| Some(pin(oid, None)))
            .ok_or_else(|| not_found(format!("branch `{branch}`"), refs.branches.keys().collect())),
        GitRef::Tag(tag) => refs
            .tags
            .get(tag)
            .map(|oid| Some(pin(oid, Some(tag))))
            .ok_or_else(|| not_found(format!("tag `{tag}`"), refs.tags.keys().collect())),
        GitRef::DefaultBranch => {
            let head = refs.head.as_ref().ok_or_else(|| Error::NotFound {
                message: format!(
                    "source `{}`: `{}` does not advertise a default branch",
                    spec.name, url.written
                ),
                hint: Some("set `branch`, `tag`, `rev` or `version` in agentpack.toml".into()),
            })?;
            refs.branches
                .get(head)
                .map(|oid| Some(pin(oid, None)))
                .ok_or_else(|| not_found(format!("default branch `{head}`"), vec![]))
        }
        GitRef::Version { req, written } => {
            let best = refs
                .tags
                .iter()
                .filter_map(|(tag, oid)| {
                    let version =
                        semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()?;
                    req.matches(&version).then_some((version, tag, oid))
                })
                .max_by(|a, b| a.0.cmp(&b.0));
            match best {
                Some((_, tag, oid)) => Ok(Some(pin(oid, Some(tag)))),
                None => {
                    let mut versions: Vec<&String> = refs
                        .tags
                        .keys()
                        .filter(|t| {
                            semver::Version::parse(t.strip_prefix('v').unwrap_or(t)).is_ok()
                        })
                        .collect();
                    versions.sort();
                    Err(Error::NotFound {
                        message: format!(
                            "source `{}`: no tag of `{}` matches version `{written}`",
                            spec.name, url.written
                        ),
                        hint: Some(if versions.is_empty() {
                            "the repository has no semver tags; use `branch`, `tag` or `rev`".into()
                        } else {
                            format!(
                                "available versions: {}",
                                versions
                                    .iter()
                                    .rev()
                                    .take(10)
                                    .map(|s| s.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }),
                    })
                }
            }
        }
        GitRef::Rev(_) => unreachable!("revs are looked up by prefix"),
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
