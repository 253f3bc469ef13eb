//! Choosing the commit a git source pins: a pure function of plain data — what is asked ([`Ask`]), what
//! the lock and the command say about each source ([`Standing`]) and the remote's refs (the cache's with
//! `--offline`). Nothing here touches git, the cache or the network: the walk ([`super::session`]) lists
//! the refs (only when [`pick`] asks for them), fetches what is picked and looks commit ids up.
//!
//! The rules, in order:
//!
//! 1. `update --precise REV` decides: a tag of the remote (which must satisfy the source's `version`),
//!    else a commit id of 7 to 40 hex digits.
//! 2. The lock, when its entry still describes what the manifest asks for and the source is not being
//!    updated; for a unified `version` group, when nobody in the group is being updated and the locked
//!    pin satisfies every requirement in it. The refs are not asked for.
//! 3. The ref: a branch's tip, a tag, the tip of the remote's default branch, the highest tag satisfying
//!    every `version` requirement of the group, or a commit named by (a prefix of) its id.

use crate::error::{Error, Result};
use crate::names::{Commit, GitRef, GitUrl, SourceName, is_commit_prefix};
use crate::source::git::{Refs, Tracked};

use super::Requirement;
use super::tags::{best_tag, newest_versions, tag_version};

/// A git source's pin: the commit, and the tag that named it (`tag` and `version` sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct GitPin {
    pub(super) commit: Commit,
    pub(super) tag: Option<String>,
}

/// What the lock and the command say about one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Standing {
    /// The lock entry's pin, when the entry still describes what the manifest asks for.
    pub(super) locked: Option<GitPin>,
    /// The source is being updated (`agentpack update`): its lock entry is set aside.
    pub(super) updating: bool,
    /// `update --precise`: the tag or commit id this source is to be pinned to.
    pub(super) precise: Option<String>,
}

impl Standing {
    /// The locked pin, unless the source is being updated.
    pub(super) fn kept(&self) -> Option<&GitPin> {
        self.locked.as_ref().filter(|_| !self.updating)
    }
}

/// One source of a unified `version` group, with its standing.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) req: Requirement,
    pub(super) standing: Standing,
}

/// What is to be pinned.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ask<'a> {
    /// One source on its own: a branch, a tag, a commit, the default branch (or, for the prefetch's
    /// guess, a `version` source without the rest of its group).
    Exact {
        source: &'a SourceName,
        reference: &'a GitRef,
        standing: &'a Standing,
    },
    /// The `version` sources of one URL, which share one tag.
    Versions(&'a [Member]),
}

impl Ask<'_> {
    /// Does `update --precise` decide this pin?
    pub(super) fn is_precise(&self) -> bool {
        match self {
            Ask::Exact { standing, .. } => standing.precise.is_some(),
            Ask::Versions(members) => precise_member(members).is_some(),
        }
    }
}

/// What [`pick`] chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Picked {
    /// The lock's pin still applies: keep it.
    Locked(GitPin),
    /// Chosen among the refs (or named by `--precise`).
    Chosen(GitPin),
    /// A commit named by (a prefix of) its id, lowercase: to look up in the cache, fetching everything
    /// when it is not there.
    Rev(String),
}

/// Pick the commit for `ask` (see the module doc for the rules). `refs` is called only when the refs are
/// needed, at most once; `offline` says they came from the cache, which a missing ref's error then says.
pub(super) fn pick<'r>(
    ask: &Ask<'_>,
    url: &GitUrl,
    offline: bool,
    refs: impl FnOnce() -> Result<&'r Refs>,
) -> Result<Picked> {
    match *ask {
        Ask::Exact {
            source,
            reference,
            standing,
        } => {
            if let Some(precise) = &standing.precise {
                return precise_pick(source, precise, None, url, refs()?);
            }
            if let Some(pin) = standing.kept() {
                return Ok(Picked::Locked(pin.clone()));
            }
            match reference {
                GitRef::Rev(prefix) => Ok(Picked::Rev(prefix.clone())),
                _ => choose(source, url, reference, refs()?, offline).map(Picked::Chosen),
            }
        }
        Ask::Versions(members) => versions(members, url, offline, refs),
    }
}

fn versions<'r>(
    members: &[Member],
    url: &GitUrl,
    offline: bool,
    refs: impl FnOnce() -> Result<&'r Refs>,
) -> Result<Picked> {
    if let Some((member, precise)) = precise_member(members) {
        let refs = refs()?;
        let picked = precise_pick(&member.req.source, precise, Some(&member.req), url, refs)?;
        if let Picked::Chosen(pin) = &picked {
            check_members(pin, members, url, refs)?;
        }
        return Ok(picked);
    }
    if !members.iter().any(|m| m.standing.updating)
        && let Some(pin) = members
            .iter()
            .filter_map(|m| m.standing.kept())
            .find(|pin| satisfies_all(pin, members))
    {
        return Ok(Picked::Locked(pin.clone()));
    }
    let refs = refs()?;
    let reqs: Vec<&semver::VersionReq> = members.iter().map(|m| &m.req.req).collect();
    match (best_tag(refs, &reqs), members) {
        (Some((tag, commit, _)), _) => Ok(Picked::Chosen(GitPin {
            commit,
            tag: Some(tag.clone()),
        })),
        (None, [only]) => Err(no_matching_version(
            &only.req.source,
            url,
            &only.req.written,
            refs,
            offline,
        )),
        (None, _) => Err(conflict(url, members, refs)),
    }
}

/// The member of a group that `update --precise` names, and the revision.
fn precise_member(members: &[Member]) -> Option<(&Member, &str)> {
    members
        .iter()
        .find_map(|m| m.standing.precise.as_deref().map(|p| (m, p)))
}

/// After `--precise` pinned one member of a group, the others must accept the pin too.
pub(super) fn check_members(
    pin: &GitPin,
    members: &[Member],
    url: &GitUrl,
    refs: &Refs,
) -> Result<()> {
    let Some((precise, _)) = precise_member(members) else {
        return Ok(());
    };
    let others_accept = members
        .iter()
        .filter(|m| m.req.source != precise.req.source)
        .all(|m| satisfies(pin, m));
    if others_accept {
        Ok(())
    } else {
        Err(conflict(url, members, refs))
    }
}

/// Does `pin` satisfy every member: through its lock entry (kept, at this commit), through the version
/// of its tag, or because `--precise` names the member?
pub(super) fn satisfies_all(pin: &GitPin, members: &[Member]) -> bool {
    members.iter().all(|m| satisfies(pin, m))
}

fn satisfies(pin: &GitPin, member: &Member) -> bool {
    let by_lock = member
        .standing
        .kept()
        .is_some_and(|locked| locked.commit == pin.commit);
    let by_tag = pin
        .tag
        .as_deref()
        .and_then(tag_version)
        .is_some_and(|v| member.req.req.matches(&v));
    by_lock || by_tag || member.standing.precise.is_some()
}

/// The remote ref that leads to a pin of `reference`: its tag when it has one, else the branch it follows
/// (for the default branch, the one the remote's HEAD names, when known). `None` for a bare commit.
pub(super) fn tracked(
    reference: &GitRef,
    tag: Option<&str>,
    head: Option<&str>,
) -> Option<Tracked> {
    match (reference, tag) {
        (_, Some(tag)) => Some(Tracked::Tag(tag.to_string())),
        (GitRef::Branch(branch), None) => Some(Tracked::Branch(branch.clone())),
        (GitRef::DefaultBranch, None) => head.map(|head| Tracked::Branch(head.to_string())),
        _ => None,
    }
}

/// `--precise REV`: a tag of the remote, or a commit id. A tag must satisfy `req`, the `version` of the
/// source it is meant for.
fn precise_pick(
    source: &SourceName,
    precise: &str,
    req: Option<&Requirement>,
    url: &GitUrl,
    refs: &Refs,
) -> Result<Picked> {
    if let Some(commit) = refs.tags.get(precise) {
        if let Some(req) = req
            && !tag_version(precise).is_some_and(|v| req.req.matches(&v))
        {
            return Err(Error::Usage {
                message: format!(
                    "tag `{precise}` does not satisfy the requirement `{}` of `{source}`",
                    req.written
                ),
                hint: Some(
                    "pick a tag within the requirement, or change `version` in agentpack.toml"
                        .into(),
                ),
            });
        }
        return Ok(Picked::Chosen(GitPin {
            commit: *commit,
            tag: Some(precise.to_string()),
        }));
    }
    if is_commit_prefix(precise) {
        return Ok(Picked::Rev(precise.to_ascii_lowercase()));
    }
    Err(Error::NotFound {
        message: format!(
            "`--precise {precise}`: `{}` has no such tag, and it is not a commit id",
            url.written
        ),
        hint: near_matches(&format!("`{precise}`"), refs.tags.keys().collect()),
    })
}

/// The commit a branch, a tag, the default branch or a lone `version` names among `refs`.
fn choose(
    source: &SourceName,
    url: &GitUrl,
    reference: &GitRef,
    refs: &Refs,
    offline: bool,
) -> Result<GitPin> {
    let not_found = |what: String, candidates: Vec<&String>| {
        let hint = near_matches(&what, candidates);
        missing(
            offline,
            format!("source `{source}`: {what} not found in `{}`", url.written),
            hint,
        )
    };
    let pin = |commit: &Commit, tag: Option<&String>| GitPin {
        commit: *commit,
        tag: tag.cloned(),
    };
    match reference {
        GitRef::Branch(branch) => refs
            .branches
            .get(branch)
            .map(|commit| pin(commit, None))
            .ok_or_else(|| not_found(format!("branch `{branch}`"), refs.branches.keys().collect())),
        GitRef::Tag(tag) => refs
            .tags
            .get(tag)
            .map(|commit| pin(commit, Some(tag)))
            .ok_or_else(|| not_found(format!("tag `{tag}`"), refs.tags.keys().collect())),
        GitRef::DefaultBranch => {
            let head = refs.head.as_ref().ok_or_else(|| {
                missing(
                    offline,
                    format!(
                        "source `{source}`: `{}` does not advertise a default branch",
                        url.written
                    ),
                    Some("set `branch`, `tag`, `rev` or `version` in agentpack.toml".into()),
                )
            })?;
            refs.branches
                .get(head)
                .map(|commit| pin(commit, None))
                .ok_or_else(|| not_found(format!("default branch `{head}`"), vec![]))
        }
        GitRef::Version { req, written } => match best_tag(refs, &[req]) {
            Some((tag, commit, _)) => Ok(pin(&commit, Some(tag))),
            None => Err(no_matching_version(source, url, written, refs, offline)),
        },
        GitRef::Rev(_) => unreachable!("revs are looked up by prefix"),
    }
}

/// A ref that is not there. With `--offline` it was looked for in the cache only: the error says so.
fn missing(offline: bool, message: String, hint: Option<String>) -> Error {
    if offline {
        Error::Offline {
            message: format!("{message} (in the cache)"),
        }
    } else {
        Error::NotFound { message, hint }
    }
}

fn no_matching_version(
    source: &SourceName,
    url: &GitUrl,
    written: &str,
    refs: &Refs,
    offline: bool,
) -> Error {
    let versions = newest_versions(refs, 10);
    missing(
        offline,
        format!(
            "source `{source}`: no tag of `{}` matches version `{written}`",
            url.written
        ),
        Some(if versions.is_empty() {
            "the repository has no semver tags; use `branch`, `tag` or `rev`".into()
        } else {
            format!("available versions: {}", versions.join(", "))
        }),
    )
}

/// No tag satisfies every `version` requirement on one URL.
fn conflict(url: &GitUrl, members: &[Member], refs: &Refs) -> Error {
    Error::VersionConflict {
        url: url.written.clone(),
        required: members
            .iter()
            .map(|m| (m.req.written.clone(), m.req.who()))
            .collect(),
        available: newest_versions(refs, 10)
            .into_iter()
            .map(str::to_string)
            .collect(),
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
mod tests;
