//! Picking among a remote's refs: semver over tags, the ref a branch, tag or default branch names, and
//! the errors (with near matches and available versions) when nothing fits.

use crate::error::{Error, Result};
use crate::manifest::{GitRef, GitUrl};
use crate::names::Commit;
use crate::source::git::Refs;

use super::{Pin, Requirement};

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

/// Pick the commit a branch, tag or the default branch names among `refs`.
pub(super) fn choose(name: &str, url: &GitUrl, reference: &GitRef, refs: &Refs) -> Result<Pin> {
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
pub(super) fn newest_versions(refs: &Refs, n: usize) -> Vec<&str> {
    let mut versions: Vec<(semver::Version, &str)> = refs
        .tags
        .keys()
        .filter_map(|t| tag_version(t).map(|v| (v, t.as_str())))
        .collect();
    versions.sort();
    versions.into_iter().rev().take(n).map(|(_, t)| t).collect()
}

pub(super) fn no_matching_version(name: &str, url: &GitUrl, written: &str, refs: &Refs) -> Error {
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
pub(super) fn conflict(url: &GitUrl, reqs: &[Requirement], refs: &Refs) -> Error {
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
pub(super) fn near_matches(wanted: &str, candidates: Vec<&String>) -> Option<String> {
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
}
