//! Semver over a repository's tags: which tags are versions, the highest one a set of requirements
//! allows, the newest release, and the caret requirement `add` writes for it.

use crate::names::Commit;
use crate::source::git::Refs;

/// A tag's version: `v1.2.3` and `1.2.3` alike; `None` for tags that are not semver.
pub fn tag_version(tag: &str) -> Option<semver::Version> {
    semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

/// The highest tag whose version satisfies every requirement (semver rules: pre-releases only when a
/// requirement names one).
pub fn best_tag<'r>(
    refs: &'r Refs,
    reqs: &[&semver::VersionReq],
) -> Option<(&'r String, Commit, semver::Version)> {
    refs.tags
        .iter()
        .filter_map(|(tag, commit)| {
            let version = tag_version(tag)?;
            reqs.iter()
                .all(|req| req.matches(&version))
                .then_some((tag, *commit, version))
        })
        .max_by(|a, b| a.2.cmp(&b.2))
}

/// The highest semver tag that is not a pre-release.
pub fn newest_stable(refs: &Refs) -> Option<(&String, Commit)> {
    refs.tags
        .iter()
        .filter_map(|(tag, commit)| {
            let v = tag_version(tag)?;
            v.pre.is_empty().then_some((v, tag, *commit))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, tag, commit)| (tag, commit))
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

/// For a `version` source pinned at the tag `pinned`: the newest stable tag of the repository when `req`
/// excludes it and it is newer than the pin (a new major version the user must opt into).
pub(super) fn newer_incompatible(
    refs: &Refs,
    req: &semver::VersionReq,
    pinned: Option<&str>,
) -> Option<String> {
    let (tag, _) = newest_stable(refs)?;
    let newest = tag_version(tag)?;
    let newer = pinned.and_then(tag_version).is_none_or(|p| newest > p);
    (!req.matches(&newest) && newer).then(|| tag.clone())
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Refs holding `tags`, the n-th at commit `00..0n`.
    pub(in crate::resolve) fn refs(tags: &[&str]) -> Refs {
        let mut refs = Refs::default();
        for (i, tag) in tags.iter().enumerate() {
            refs.tags.insert(tag.to_string(), commit(i + 1));
        }
        refs
    }

    /// The commit whose id is `n` in hex, zero-padded.
    pub(in crate::resolve) fn commit(n: usize) -> Commit {
        Commit::parse(&format!("{n:040x}")).expect("40 hex digits")
    }

    #[test]
    fn caret_requirements_match_their_release() {
        for tag in ["1.2.3", "v0.1.0-beta.2", "2.0.0+build.7"] {
            let version = tag_version(tag).unwrap();
            let req = crate::names::parse_version_req(&caret(&version)).unwrap();
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
        assert_eq!(best_tag(&refs, &[&caret]).unwrap().1, commit(2));
        let pre = semver::VersionReq::parse("^1.3.0-beta.0").unwrap();
        assert_eq!(best_tag(&refs, &[&pre]).unwrap().0, "v1.3.0-beta.1");
        let narrow = semver::VersionReq::parse("<1.2").unwrap();
        assert_eq!(best_tag(&refs, &[&caret, &narrow]).unwrap().0, "v1.0.0");
        let two = semver::VersionReq::parse("^2").unwrap();
        assert!(best_tag(&refs, &[&caret, &two]).is_none());
        assert_eq!(newest_versions(&refs, 2), ["v2.0.0", "v1.3.0-beta.1"]);
        assert_eq!(
            newest_stable(&refs),
            Some((&"v2.0.0".to_string(), commit(4)))
        );
    }

    #[test]
    fn a_newer_major_version_is_noted_only_when_the_requirement_excludes_it() {
        let refs = refs(&["v1.0.0", "v1.2.0", "v2.0.0", "v3.0.0-beta.1"]);
        let one = semver::VersionReq::parse("^1").unwrap();
        assert_eq!(
            newer_incompatible(&refs, &one, Some("v1.2.0")).as_deref(),
            Some("v2.0.0")
        );
        assert_eq!(
            newer_incompatible(&refs, &one, None).as_deref(),
            Some("v2.0.0")
        );
        let two = semver::VersionReq::parse("^2").unwrap();
        assert_eq!(newer_incompatible(&refs, &two, Some("v2.0.0")), None);
        // Pinned (through --precise) at or past the newest stable tag: nothing newer to note.
        assert_eq!(newer_incompatible(&refs, &one, Some("v3.0.0-beta.1")), None);
    }
}
