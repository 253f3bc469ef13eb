//! `agentpack outdated`: for every locked git source (a pack's sources included), the locked version, the
//! newest its requirement allows, and the newest semver tag overall; for branches, how many commits the
//! locked one is behind the branch's head. Asks each remote for its refs (fetching a branch only to count
//! commits); changes nothing. Path sources have no versions and are not listed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::lockfile::{LOCK_NAME, LockedSource, Lockfile};
use crate::manifest::{self, Manifest};
use crate::names::Commit;
use crate::reporter::{Reporter, Status};
use crate::resolve;
use crate::source::cache::LockedCache;
use crate::source::git::{self, Cache, Depth, Refs};

/// A version: a tag (when there is one) and an abbreviated commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct At {
    pub tag: Option<String>,
    pub commit: String,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.tag {
            Some(tag) => write!(f, "{tag} ({})", self.commit),
            None => f.write_str(&self.commit),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct OutdatedSource {
    pub name: String,
    /// `version ^1.2`, `tag v1.0.0`, `branch main`, `rev 4f2a9c1`, `default-branch`.
    pub requirement: String,
    pub locked: At,
    /// The newest version the requirement allows (`None` when nothing matches any more).
    pub allowed: Option<At>,
    /// The newest stable semver tag of the repository.
    pub latest: Option<At>,
    /// Branch sources: how many commits the branch's head has that the locked commit lacks.
    pub behind: Option<usize>,
    /// The source whose pack asked for this one.
    pub required_by: Option<String>,
}

pub fn outdated(
    manifest_path: &Path,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Vec<OutdatedSource>> {
    let manifest = Manifest::load(manifest_path)?;
    let lock = Lockfile::load(&manifest.root.join(LOCK_NAME))?.ok_or_else(|| Error::Usage {
        message: "there is no `agentpack.lock` yet".into(),
        hint: Some("run `agentpack install` first".into()),
    })?;
    let mut sources = Vec::new();
    for source in &lock.sources {
        let (Some(written), Some(commit)) = (&source.git, source.commit()) else {
            continue;
        };
        let url = manifest::check_git_url(&manifest.root, written).map_err(|m| Error::Usage {
            message: format!("source `{}`: {m}", source.name),
            hint: None,
        })?;
        sources.push((source, written, commit, url));
    }
    let cache = LockedCache::lock(
        cache,
        sources.iter().map(|(.., url)| url.fetch.as_str()),
        reporter,
    )?;
    let mut refs_by_url: BTreeMap<String, Refs> = BTreeMap::new();
    let mut out = Vec::new();
    for (source, written, commit, url) in sources {
        let repo = cache.repo(&url.fetch)?;
        let name = source.name.as_str();
        if !refs_by_url.contains_key(&url.fetch) {
            let refs = resolve::remote(&repo, name, &url, reporter).list_refs()?;
            refs_by_url.insert(url.fetch.clone(), refs);
        }
        let refs = &refs_by_url[&url.fetch];
        let at = |oid: &git2::Oid, tag: Option<&String>| At {
            tag: tag.cloned(),
            commit: Commit::from(*oid).short(),
        };
        let kind = source.ref_kind.as_deref().unwrap_or("default-branch");
        let value = source.reference.clone().unwrap_or_default();
        let branch = match kind {
            "branch" => Some(value.clone()),
            "default-branch" => refs.head.clone(),
            _ => None,
        };
        let allowed = match kind {
            "version" => {
                let req = manifest::parse_version_req(&value).map_err(|m| Error::Usage {
                    message: format!("source `{}` in the lock: {m}", source.name),
                    hint: None,
                })?;
                resolve::best_tag(refs, &[&req]).map(|(tag, oid, _)| at(oid, Some(tag)))
            }
            "tag" => refs.tags.get(&value).map(|oid| at(oid, Some(&value))),
            "rev" => Some(At {
                tag: None,
                commit: commit.short(),
            }),
            _ => branch
                .as_ref()
                .and_then(|b| refs.branches.get(b))
                .map(|oid| at(oid, None)),
        };
        let behind = match branch
            .as_ref()
            .and_then(|b| refs.branches.get(b).map(|o| (b, o)))
        {
            Some((branch, head)) if Commit::from(*head) != commit => {
                let head = Commit::from(*head);
                if git::find_commit(&repo, head.oid()).is_none() {
                    reporter.status(Status::Fetching, &format!("{name} ({written})"));
                    resolve::remote(&repo, name, &url, reporter)
                        .fetch(&[git::branch_refspec(branch)], Depth::Full)?;
                }
                git::commits_behind(&repo, commit, head)
            }
            Some(_) => Some(0),
            None => None,
        };
        let latest = newest_stable(refs).map(|(tag, oid)| at(oid, Some(tag)));
        out.push(OutdatedSource {
            name: source.name.clone(),
            requirement: requirement(source),
            locked: At {
                tag: source.tag.clone(),
                commit: commit.short(),
            },
            allowed,
            latest,
            behind,
            required_by: source.required_by.clone(),
        });
    }
    Ok(out)
}

fn requirement(source: &LockedSource) -> String {
    match (&source.ref_kind, &source.reference) {
        (Some(kind), Some(value)) => format!("{kind} {value}"),
        (Some(kind), None) => kind.clone(),
        _ => String::new(),
    }
}

/// The highest semver tag that is not a pre-release.
fn newest_stable(refs: &Refs) -> Option<(&String, &git2::Oid)> {
    refs.tags
        .iter()
        .filter_map(|(tag, oid)| {
            let v = resolve::tag_version(tag)?;
            v.pre.is_empty().then_some((v, tag, oid))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, tag, oid)| (tag, oid))
}
