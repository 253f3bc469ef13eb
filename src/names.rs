//! Checked names and ids, parsed once and passed around typed: [`SourceName`] (the key of
//! `[sources.NAME]`), [`AgentName`] (every name that becomes a file in the target directory: front-matter
//! names, `rename` targets, the lock's agents), [`Commit`], [`Sha256`], and what a git source asks for
//! ([`GitUrl`], [`GitRef`]). One predicate per rule lives here too: commit ids ([`is_commit_prefix`]),
//! digests ([`is_sha256`]), git ref names, and which agent a `rename` key names ([`rename_key_matches`]).

use std::fmt;

mod agent;
mod git;
mod trust;

pub use agent::{AgentName, Sha256, is_sha256};
pub use git::{GitRef, GitUrl, REF_KINDS, is_commit_prefix, is_scp_like, parse_version_req};
pub use trust::TrustKind;

/// A source's name: lowercase ASCII letters, digits and hyphens, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceName(String);

impl SourceName {
    pub fn parse(name: &str) -> Result<Self, String> {
        let valid_chars = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if name.is_empty() || name.len() > 64 || !valid_chars || name.starts_with('-') {
            return Err(format!(
                "source name `{name}` must be 1-64 lowercase letters, digits or hyphens, not starting with a hyphen"
            ));
        }
        Ok(SourceName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name of source `child` of the pack `self` brought in: `studio/helpers`. The `/` cannot occur
    /// in a name written in a manifest, so a transitive source never clashes with a top-level one.
    pub fn child(&self, child: &SourceName) -> SourceName {
        SourceName(format!("{}/{}", self.0, child.0))
    }

    /// The top-level source this one was reached through (itself for a top-level source).
    pub fn root(&self) -> &str {
        root_source(&self.0)
    }

    /// The chain of packs from the top-level source down to this one, for messages:
    /// `` `a` -> `a/b` -> `a/b/c` `` (just `` `a` `` for a top-level source).
    pub fn chain(&self) -> String {
        let mut links = Vec::new();
        let mut end = 0;
        for part in self.0.split('/') {
            end += part.len();
            links.push(format!("`{}`", &self.0[..end]));
            end += 1;
        }
        links.join(" -> ")
    }

    /// The source whose pack brought this one in, `None` for a top-level source.
    pub fn parent(&self) -> Option<SourceName> {
        self.0
            .rsplit_once('/')
            .map(|(p, _)| SourceName(p.to_string()))
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A commit id: 40 lowercase hex digits.
///
/// Held as plain bytes, not a `git2::Oid`: making an `Oid` initialises libgit2, and with it OpenSSL and
/// the system's CA bundle, which commands that only read the lock (`list`, `verify`, a no-op install)
/// must not pay for. The `Oid` is made only on the way into git ([`Commit::oid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Commit([u8; 20]);

impl Commit {
    /// A full commit id (40 hex digits, either case; held and shown lowercase).
    pub fn parse(s: &str) -> Option<Self> {
        let digits = s.as_bytes();
        if digits.len() != 40 {
            return None;
        }
        let mut bytes = [0u8; 20];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            let hex = std::str::from_utf8(pair).ok()?;
            // `from_str_radix` accepts a leading `+`; only hex digits are a commit id.
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            *byte = u8::from_str_radix(hex, 16).ok()?;
        }
        Some(Commit(bytes))
    }

    pub fn oid(self) -> git2::Oid {
        git2::Oid::from_bytes(&self.0).expect("a commit id is 20 bytes")
    }

    pub fn short(self) -> String {
        let mut short = hex(&self.0[..4]);
        short.truncate(7);
        short
    }
}

/// The full 40-hex id, as the lock writes it (machine output never abbreviates).
impl serde::Serialize for Commit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<git2::Oid> for Commit {
    fn from(oid: git2::Oid) -> Self {
        Commit(
            oid.as_bytes()
                .try_into()
                .expect("agentpack's repositories use SHA-1 ids"),
        )
    }
}

impl fmt::Display for Commit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

/// The name two installed files share on some file system when their names differ only there: case-folded
/// (the file systems of macOS and Windows ignore case, and APFS compares by Unicode case folding, which
/// also makes `ſ` an `s`, `ß` an `ss` and final `ς` a `σ`, where lowercasing leaves them apart) and in
/// Unicode normalisation form C (macOS treats `café` composed and decomposed as one name): Unicode's
/// canonical caseless match. Two agents whose keys are equal collide.
pub fn file_name_key(name: &str) -> String {
    use icu_casemap::CaseMapper;
    use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
    let nfd = DecomposingNormalizerBorrowed::new_nfd();
    let folded = CaseMapper::new()
        .fold_string(&nfd.normalize(name))
        .into_owned();
    ComposingNormalizerBorrowed::new_nfc()
        .normalize(&folded)
        .into_owned()
}

/// Whether git accepts `name` (e.g. `refs/tags/v1.0`) as a reference name: libgit2's rules
/// (`git_reference_name_is_valid`), written out so that checking a manifest does not initialise libgit2
/// (see [`Commit`]). Also refuses a component that is just `@`, as `git check-ref-format` does.
pub fn is_valid_ref_name(name: &str) -> bool {
    let component_ok = |c: &str| {
        !c.is_empty()
            && c != "@"
            && !c.starts_with('.')
            && !c.ends_with(".lock")
            && !c.contains("..")
            && !c.contains("@{")
            && !c.bytes().any(|b| {
                b <= b' '
                    || b == 0x7f
                    || matches!(b, b'~' | b'^' | b':' | b'\\' | b'?' | b'[' | b'*')
            })
    };
    !name.ends_with('.') && name.split('/').all(component_ok)
}

/// Lowercase hex of a SHA-256 digest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`, written digit by digit in one allocation: a `format!` per byte showed in the
/// profile of installing 2,000 files (each is hashed, and every lock entry names a commit).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xF)]));
    }
    out
}

/// Entries (of `agents`, `exclude`, `rename`) containing `/` or ending in `.md` name paths; all others
/// name agents.
pub fn is_path_like(entry: &str) -> bool {
    entry.contains('/') || entry.ends_with(".md")
}

/// Does the `rename` key `key` name this agent? A path-like key names its file, relative to `subdir`
/// (`path`, a leading `./` allowed) or to the repository (`repo_path`); any other key names it by its
/// front-matter name (`name`).
pub fn rename_key_matches(key: &str, name: &str, path: &str, repo_path: &str) -> bool {
    if is_path_like(key) {
        key.trim_start_matches("./") == path || key == repo_path
    } else {
        key == name
    }
}

/// The top-level source a source name (`studio/helpers`, as the lock and diagnostics write it) was reached
/// through: the part before the first `/`, itself for a top-level source.
pub fn root_source(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

/// Longest name of a marketplace, plugin or skill (the Agent Skills rule).
pub const MAX_KEBAB_NAME_LEN: usize = 64;

/// Why `name` is not a valid plugin, marketplace or skill name, or None: 1–64 characters of `a-z`, `0-9` and
/// `-`, without a leading, trailing or doubled hyphen (kebab-case, the Agent Skills rule, which keeps
/// every such name a safe file name and free of Claude Code's `:` separator).
pub fn kebab_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.chars().count() > MAX_KEBAB_NAME_LEN {
        return Some(format!("is longer than {MAX_KEBAB_NAME_LEN} characters"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "contains `{}`; only lowercase letters, digits and `-` are allowed",
            c.escape_default()
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("starts or ends with `-`".into());
    }
    if name.contains("--") {
        return Some("contains `--`".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names() {
        assert!(SourceName::parse("studio-2").is_ok());
        for bad in ["", "Studio", "-x", "a_b", "a/b", &"x".repeat(65)] {
            assert!(SourceName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_name_keys_ignore_case_and_normalisation() {
        let composed = "Caf\u{e9}";
        let decomposed = "cafe\u{301}";
        assert_ne!(composed, decomposed);
        assert_eq!(file_name_key(composed), file_name_key(decomposed));
        assert_eq!(file_name_key(composed), "caf\u{e9}");
        assert_ne!(file_name_key("cafe"), file_name_key(composed));
        // Lowercasing leaves these apart; case folding (as APFS compares) does not.
        for (a, b) in [
            ("\u{17F}-agent", "S-agent"),
            ("stra\u{DF}e", "STRASSE"),
            ("\u{3C3}\u{3C2}", "\u{3A3}\u{3A3}"),
            ("\u{212A}elvin", "kelvin"),
            ("\u{130}", "i\u{307}"),
        ] {
            assert_eq!(file_name_key(a), file_name_key(b), "{a} {b}");
        }
        assert_ne!(file_name_key("\u{131}"), file_name_key("i"));
    }

    #[test]
    fn ref_names() {
        for good in [
            "refs/tags/v1.0.0",
            "refs/heads/feature/x-y",
            "refs/tags/é",
            "refs/heads/a.b",
        ] {
            assert!(is_valid_ref_name(good), "{good}");
        }
        for bad in [
            "refs/heads/",
            "refs/heads//x",
            "/refs/heads/x",
            "refs/heads/.x",
            "refs/heads/x.",
            "refs/heads/x.lock",
            "refs/heads/a..b",
            "refs/heads/a@{1}",
            "refs/heads/@",
            "refs/heads/a b",
            "refs/heads/a*",
            "refs/heads/a~1",
            "refs/heads/a^",
            "refs/heads/a:b",
            "refs/heads/a?",
            "refs/heads/a[",
            "refs/heads/a\\b",
            "refs/heads/a\u{7f}",
        ] {
            assert!(!is_valid_ref_name(bad), "{bad}");
        }
    }

    proptest::proptest! {
        /// Never more lenient than libgit2, and as lenient except for the lone `@` git itself refuses.
        #[test]
        fn ref_names_agree_with_libgit2(tail in "[a-z@{}.~^:?*\\[\\\\/ \u{7f}é-]{0,12}") {
            let name = format!("refs/heads/{tail}");
            let lone_at = name.split('/').any(|c| c == "@");
            proptest::prop_assert_eq!(
                is_valid_ref_name(&name),
                git2::Reference::is_valid_name(&name) && !lone_at,
                "{}", name
            );
        }
    }

    #[test]
    fn rename_keys_name_an_agent_by_name_or_by_path() {
        let matches = |key| rename_key_matches(key, "rev", "eng/rev.md", "agents/eng/rev.md");
        for key in ["rev", "eng/rev.md", "./eng/rev.md", "agents/eng/rev.md"] {
            assert!(matches(key), "{key}");
        }
        // `rev.md` is a path (relative to `subdir`), never the name `rev.md`.
        for key in ["rev.md", "other", "eng/other.md", "rev/"] {
            assert!(!matches(key), "{key}");
        }
    }

    #[test]
    fn commits_and_hashes() {
        let c = Commit::parse("0123456789abcdef0123456789abcdef01234567").unwrap();
        assert_eq!(c.short(), "0123456");
        assert!(Commit::parse("0123456").is_none());
        assert!(Commit::parse("g123456789abcdef0123456789abcdef01234567").is_none());
        assert!(Commit::parse("+123456789abcdef0123456789abcdef01234567").is_none());
        let upper = Commit::parse("0123456789ABCDEF0123456789ABCDEF01234567").unwrap();
        assert_eq!(
            upper.to_string(),
            "0123456789abcdef0123456789abcdef01234567"
        );
        assert_eq!(Commit::from(c.oid()), c);
        assert_eq!(c.oid().to_string(), c.to_string());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn kebab_names() {
        for ok in ["a", "code-review", "x2-y", &"a".repeat(64)] {
            assert_eq!(kebab_name_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("", "is empty"),
            ("-a", "starts or ends with `-`"),
            ("a-", "starts or ends with `-`"),
            ("a--b", "contains `--`"),
            (
                "A",
                "contains `A`; only lowercase letters, digits and `-` are allowed",
            ),
            (
                "a:b",
                "contains `:`; only lowercase letters, digits and `-` are allowed",
            ),
            (
                "a\u{1b}",
                "contains `\\u{1b}`; only lowercase letters, digits and `-` are allowed",
            ),
        ] {
            assert_eq!(kebab_name_problem(bad).as_deref(), Some(why), "{bad:?}");
        }
        assert_eq!(
            kebab_name_problem(&"a".repeat(65)).as_deref(),
            Some("is longer than 64 characters")
        );
    }
}
