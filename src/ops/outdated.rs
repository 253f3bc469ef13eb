//! `agentpack outdated`: for every locked git source (a pack's sources included), the locked version, the
//! newest its requirement allows, and the newest semver tag overall; for branches, how many commits the
//! locked one is behind the branch's head. Asks each remote for its refs (fetching a branch only to count
//! commits); changes nothing. Path sources have no versions and are not listed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::lockfile::{LOCK_NAME, LockedOrigin, LockedSource, Lockfile, RefJson};
use crate::manifest::{Manifest, ManifestPath};
use crate::names::{Commit, GitRef, GitUrl};
use crate::reporter::{Reporter, Status};
use crate::resolve;
use crate::source::cache::LockedCache;
use crate::source::git::{Cache, Depth, Refs, Tracked};

/// A version: a tag (when there is one) and a commit (full in JSON, abbreviated in tables).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct At {
    pub tag: Option<String>,
    pub commit: Commit,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.tag {
            Some(tag) => write!(f, "{tag} ({})", self.commit.short()),
            None => f.write_str(&self.commit.short()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OutdatedSource {
    pub name: String,
    /// `version ^1.2`, `tag v1.0.0`, `branch main`, `rev 4f2a9c1`, `default-branch`: for the table.
    #[serde(skip)]
    pub requirement: String,
    #[serde(rename = "ref")]
    pub reference: RefJson,
    pub locked: At,
    /// The newest version the requirement allows (`None` when nothing matches any more).
    pub allowed: Option<At>,
    /// The newest stable semver tag of the repository.
    pub latest: Option<At>,
    /// Branch sources: how many commits the branch's head has that the locked commit lacks.
    pub behind: Option<usize>,
    /// The source whose pack asked for this one.
    pub required_by: Option<String>,
    /// Why the remote could not be asked (then `allowed` and `latest` are unknown).
    pub error: Option<String>,
}

/// Every locked git source's row, in lock order, and the failures: a source whose remote cannot be
/// reached gets a row with `error` set and no `allowed`/`latest`, and its error is returned beside the
/// rows, so one unreachable remote never hides the others. (An unusable lock entry, such as a URL git
/// must not be handed, is refused when the lock is read.)
pub fn outdated(
    manifest_path: &ManifestPath,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<(Vec<OutdatedSource>, Vec<Error>)> {
    let manifest = Manifest::load(manifest_path)?;
    let lock = Lockfile::load(&manifest.root.join(LOCK_NAME))?.ok_or_else(|| Error::Usage {
        message: "there is no `agentpack.lock` yet".into(),
        hint: Some("run `agentpack install` first".into()),
    })?;
    // Every URL is locked up front, in one order, as install does.
    let sources: Vec<GitSource> = lock
        .sources
        .iter()
        .filter_map(|source| match &source.origin {
            LockedOrigin::Git {
                url,
                reference,
                commit,
                ..
            } => Some(GitSource {
                source,
                url,
                reference,
                commit: *commit,
            }),
            LockedOrigin::Path { .. } => None,
        })
        .collect();
    let cache = LockedCache::lock(
        cache,
        sources.iter().map(|s| s.url.fetch.as_str()),
        reporter,
    )?;
    let mut refs_by_url: BTreeMap<String, Refs> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for source in sources {
        match row(&source, &cache, &mut refs_by_url, reporter) {
            Ok(row) => rows.push(row),
            Err(e) => {
                rows.push(OutdatedSource {
                    error: Some(e.to_string()),
                    ..OutdatedSource::locked(source.source, source.commit)
                });
                failures.push(e);
            }
        }
    }
    Ok((rows, failures))
}

/// A locked git source, as the lock's typed model gives it.
struct GitSource<'l> {
    source: &'l LockedSource,
    url: &'l GitUrl,
    reference: &'l GitRef,
    commit: Commit,
}

/// The row of one locked git source, asking its remote (each URL once per run).
fn row(
    locked: &GitSource,
    cache: &LockedCache,
    refs_by_url: &mut BTreeMap<String, Refs>,
    reporter: &dyn Reporter,
) -> Result<OutdatedSource> {
    let GitSource {
        source,
        url,
        reference,
        commit,
    } = *locked;
    let repo = cache.repo(&url.fetch)?;
    let name = source.name.as_str();
    if !refs_by_url.contains_key(&url.fetch) {
        let refs = repo.remote(name, url, reporter)?.list_refs()?;
        refs_by_url.insert(url.fetch.clone(), refs);
    }
    let refs = &refs_by_url[&url.fetch];
    let at = |commit: Commit, tag: Option<&String>| At {
        tag: tag.cloned(),
        commit,
    };
    let branch = match reference {
        GitRef::Branch(branch) => Some(branch),
        GitRef::DefaultBranch => refs.head.as_ref(),
        _ => None,
    };
    let allowed = match reference {
        GitRef::Version { req, .. } => {
            resolve::best_tag(refs, &[req]).map(|(tag, commit, _)| at(commit, Some(tag)))
        }
        GitRef::Tag(tag) => refs.tags.get(tag).map(|commit| at(*commit, Some(tag))),
        GitRef::Rev(_) => Some(At { tag: None, commit }),
        GitRef::Branch(_) | GitRef::DefaultBranch => branch
            .and_then(|b| refs.branches.get(b))
            .map(|commit| at(*commit, None)),
    };
    let behind = match branch.and_then(|b| refs.branches.get(b).map(|o| (b, o))) {
        Some((branch, &head)) if head != commit => {
            if !repo.has_commit(head) {
                reporter.status(Status::Fetching, &format!("{name} ({})", url.written));
                repo.remote(name, url, reporter)?
                    .fetch(&[Tracked::Branch(branch.clone()).refspec()], Depth::Full)?;
            }
            repo.commits_behind(commit, head)
        }
        Some(_) => Some(0),
        None => None,
    };
    let latest = resolve::newest_stable(refs).map(|(tag, commit)| at(commit, Some(tag)));
    Ok(OutdatedSource {
        allowed,
        latest,
        behind,
        ..OutdatedSource::locked(source, commit)
    })
}

impl OutdatedSource {
    /// The row of `source` with only what the lock says (locked at `commit`).
    fn locked(source: &LockedSource, commit: Commit) -> OutdatedSource {
        OutdatedSource {
            name: source.name.clone(),
            requirement: requirement(&source.ref_json()),
            reference: source.ref_json(),
            locked: At {
                tag: source.tag().map(str::to_string),
                commit,
            },
            allowed: None,
            latest: None,
            behind: None,
            required_by: source.required_by.clone(),
            error: None,
        }
    }
}

/// `version ^1.2`, `branch main`, `default-branch`: what the lock asks for, for the table.
fn requirement(reference: &RefJson) -> String {
    match &reference.requirement {
        Some(value) => format!("{} {value}", reference.kind),
        None => reference.kind.clone(),
    }
}
