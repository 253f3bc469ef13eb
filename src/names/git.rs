//! What a git source asks for: [`GitUrl`] (where) and [`GitRef`] (which commit). [`GitRef::parse`] is the
//! one reading of a `(kind, value)` pair, shared by the manifest (`tag = "v1"`), the lock (`ref-kind`,
//! `ref`), `agentpack add` (`--tag v1`, `owner/repo@v1`) and `outdated`.

use std::fmt;

/// A git remote as the manifest wrote it and as git should be asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// Exactly as written in the manifest (recorded in the lockfile, so it stays portable).
    pub written: String,
    /// What to hand to git: the same URL, or an absolute path for a local repository path.
    pub fetch: String,
}

impl GitUrl {
    /// Does git reach this URL over the network (https, http, ssh, git, scp-like `host:path`), rather
    /// than on the local disk (`file://`, a path)?
    pub fn is_network(&self) -> bool {
        match self.written.split_once("://") {
            Some((scheme, _)) => scheme != "file",
            None => is_scp_like(&self.written),
        }
    }
}

/// scp-like `user@host:path`: a colon before the first slash, and not a Windows drive letter.
pub fn is_scp_like(url: &str) -> bool {
    url.find(':')
        .is_some_and(|colon| !url[..colon].contains('/') && colon > 1)
}

/// Which commit of a git source to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRef {
    /// The remote's default branch (`HEAD`).
    DefaultBranch,
    Branch(String),
    Tag(String),
    /// A commit id, full or abbreviated (at least 7 hex digits), lowercase.
    Rev(String),
    /// A semver requirement over the repository's tags.
    Version {
        req: semver::VersionReq,
        written: String,
    },
}

/// The kinds a manifest or `agentpack add` may name (the default branch is asked for by naming none).
pub const REF_KINDS: [&str; 4] = ["branch", "tag", "rev", "version"];

impl GitRef {
    /// Read a `(kind, value)` pair: `("tag", Some("v1"))`, or `("default-branch", None)` as the lock
    /// writes it. The value is trimmed; branch and tag names must be names git accepts (they go into
    /// refspecs), a `rev` 7 to 40 hex digits, a `version` a semver requirement (`v`-prefixes allowed).
    /// The error reads on its own: "`tag` value `a b` is not a valid git tag name".
    pub fn parse(kind: &str, value: Option<&str>) -> Result<GitRef, String> {
        let Some(value) = value else {
            return match kind {
                "default-branch" => Ok(GitRef::DefaultBranch),
                _ => Err(format!("`{kind}` needs a value")),
            };
        };
        let text = value.trim();
        if !REF_KINDS.contains(&kind) {
            return Err(format!(
                "`{kind}` is not a kind of git ref (one of `branch`, `tag`, `rev`, `version`, or none for the default branch)"
            ));
        }
        if text.is_empty() || text.starts_with('-') || text.chars().any(char::is_control) {
            return Err(format!("`{kind}` value `{text}` is not a valid git ref"));
        }
        let valid_name = |prefix: &str| super::is_valid_ref_name(&format!("{prefix}{text}"));
        match kind {
            "branch" if valid_name("refs/heads/") => Ok(GitRef::Branch(text.to_string())),
            "tag" if valid_name("refs/tags/") => Ok(GitRef::Tag(text.to_string())),
            "branch" | "tag" => Err(format!(
                "`{kind}` value `{text}` is not a valid git {kind} name"
            )),
            "rev" if is_commit_prefix(text) => Ok(GitRef::Rev(text.to_ascii_lowercase())),
            "rev" => Err(format!(
                "`rev` must be a commit id of 7 to 40 hex digits, not `{text}`"
            )),
            _ => parse_version_req(text).map(|req| GitRef::Version {
                req,
                written: text.to_string(),
            }),
        }
    }

    /// The `(kind, value)` pair recorded in the lockfile.
    pub fn kind_and_value(&self) -> (&'static str, Option<&str>) {
        match self {
            GitRef::DefaultBranch => ("default-branch", None),
            GitRef::Branch(b) => ("branch", Some(b)),
            GitRef::Tag(t) => ("tag", Some(t)),
            GitRef::Rev(r) => ("rev", Some(r)),
            GitRef::Version { written, .. } => ("version", Some(written)),
        }
    }
}

impl fmt::Display for GitRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind_and_value() {
            (kind, Some(value)) => write!(f, "{kind} `{value}`"),
            (kind, None) => f.write_str(kind),
        }
    }
}

/// A full or abbreviated commit id as a user writes one: 7 to 40 hex digits, either case.
pub fn is_commit_prefix(text: &str) -> bool {
    (7..=40).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `version` value as the manifest (and the lock's `ref`) writes it.
pub fn parse_version_req(text: &str) -> Result<semver::VersionReq, String> {
    semver::VersionReq::parse(&strip_v_prefix(text))
        .map_err(|e| format!("`version` `{text}` is not a semver requirement: {e}"))
}

/// `"v1.2.3"` means the same requirement as `"1.2.3"`; so do `"^v1.2"` and `"^1.2"`.
fn strip_v_prefix(text: &str) -> String {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            let op_len = part
                .find(|c: char| !matches!(c, '^' | '~' | '=' | '<' | '>' | ' '))
                .unwrap_or(part.len());
            let (op, rest) = part.split_at(op_len);
            format!("{op}{}", rest.strip_prefix('v').unwrap_or(rest))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v_prefixed_requirements() {
        assert_eq!(strip_v_prefix("^v1.2"), "^1.2");
        assert_eq!(strip_v_prefix(">=v1, <v2"), ">=1, <2");
        assert_eq!(strip_v_prefix("v1.2.3"), "1.2.3");
    }

    #[test]
    fn git_refs_round_trip_through_kind_and_value() {
        for (kind, value) in [
            ("default-branch", None),
            ("branch", Some("feature/x")),
            ("tag", Some("v1.0.0")),
            ("rev", Some("0123abc")),
            ("version", Some("^v1.2")),
        ] {
            let parsed = GitRef::parse(kind, value).unwrap();
            assert_eq!(parsed.kind_and_value(), (kind, value), "{kind}");
            assert_eq!(
                GitRef::parse(parsed.kind_and_value().0, parsed.kind_and_value().1),
                Ok(parsed)
            );
        }
        assert_eq!(
            GitRef::parse("rev", Some(" ABCDEF0 ")),
            Ok(GitRef::Rev("abcdef0".into()))
        );
        assert_eq!(
            GitRef::parse("tag", Some(" v1 ")),
            Ok(GitRef::Tag("v1".into()))
        );
    }

    #[test]
    fn git_refs_refuse_what_git_or_semver_would() {
        for (kind, value, why) in [
            (
                "tag",
                Some("a b"),
                "`tag` value `a b` is not a valid git tag name",
            ),
            (
                "branch",
                Some("a..b"),
                "`branch` value `a..b` is not a valid git branch name",
            ),
            (
                "branch",
                Some("-x"),
                "`branch` value `-x` is not a valid git ref",
            ),
            ("tag", Some(""), "`tag` value `` is not a valid git ref"),
            (
                "rev",
                Some("abc"),
                "`rev` must be a commit id of 7 to 40 hex digits, not `abc`",
            ),
            (
                "rev",
                Some("xyzxyzx"),
                "`rev` must be a commit id of 7 to 40 hex digits, not `xyzxyzx`",
            ),
            ("branch", None, "`branch` needs a value"),
            (
                "default-branch",
                Some("main"),
                "`default-branch` is not a kind of git ref (one of `branch`, `tag`, `rev`, `version`, or none for the default branch)",
            ),
            (
                "commit",
                Some("v1"),
                "`commit` is not a kind of git ref (one of `branch`, `tag`, `rev`, `version`, or none for the default branch)",
            ),
        ] {
            assert_eq!(
                GitRef::parse(kind, value),
                Err(why.to_string()),
                "{kind} {value:?}"
            );
        }
        assert!(
            GitRef::parse("version", Some("^^1"))
                .unwrap_err()
                .starts_with("`version` `^^1` is not a semver requirement")
        );
    }

    #[test]
    fn network_urls() {
        let url = |written: &str| GitUrl {
            written: written.into(),
            fetch: written.into(),
        };
        assert!(url("https://example.com/a.git").is_network());
        assert!(url("git@example.com:a/b.git").is_network());
        assert!(!url("file:///tmp/a").is_network());
        assert!(!url("C:/repos/a").is_network());
        assert!(!url("../a").is_network());
    }
}
