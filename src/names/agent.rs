//! [`AgentName`]: a name an agent can be installed under (it becomes a file name on every OS), and
//! [`Sha256`]: the lowercase-hex digest the lock records for every installed file and patch.

use std::fmt;

/// A name an agent can be installed under (not empty, no path separators, nothing Claude Code skips or
/// Windows refuses): the one rule for front-matter names, `rename` targets and the lock's agents.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentName(String);

impl AgentName {
    /// The name, or why it cannot be installed. The reason reads after the name, e.g. "`a:b` contains
    /// `:`, which Claude Code reserves for plugin agents, so it skips the agent".
    pub fn parse(name: &str) -> Result<Self, String> {
        match problem(name) {
            Some(problem) => Err(problem),
            None => Ok(AgentName(name.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The installed file's name: `<name>.md`.
    pub fn file_name(&self) -> String {
        format!("{}.md", self.0)
    }
}

impl fmt::Display for AgentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for AgentName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for AgentName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for AgentName {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// Longest name agentpack accepts, in bytes: file systems cap a file name at 255 bytes, and names far
/// shorter than that are already unusable in Claude Code's agent picker.
pub const MAX_NAME_LEN: usize = 128;

/// Device names Windows reserves in every directory, with or without an extension ("Naming Files, Paths,
/// and Namespaces" in Microsoft's documentation, which lists the superscript digits too), and the console
/// names `CONIN$` and `CONOUT$`.
const WINDOWS_RESERVED: &[&str] = &[
    "CON",
    "PRN",
    "AUX",
    "NUL",
    "CONIN$",
    "CONOUT$",
    "COM0",
    "COM1",
    "COM2",
    "COM3",
    "COM4",
    "COM5",
    "COM6",
    "COM7",
    "COM8",
    "COM9",
    "COM\u{B9}",
    "COM\u{B2}",
    "COM\u{B3}",
    "LPT0",
    "LPT1",
    "LPT2",
    "LPT3",
    "LPT4",
    "LPT5",
    "LPT6",
    "LPT7",
    "LPT8",
    "LPT9",
    "LPT\u{B9}",
    "LPT\u{B2}",
    "LPT\u{B3}",
];

/// Why a name cannot be used as an installed agent name / file name; `None` when it is safe.
fn problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > MAX_NAME_LEN {
        return Some(format!(
            "is {} bytes long; agentpack allows at most {MAX_NAME_LEN}",
            name.len()
        ));
    }
    if name.starts_with('-') {
        return Some("starts with `-`, so Claude Code skips the agent".into());
    }
    if name.contains(':') {
        return Some(
            "contains `:`, which Claude Code reserves for plugin agents, so it skips the agent"
                .into(),
        );
    }
    if name.contains("---") {
        return Some(
            "contains `---`, where Claude Code ends the front matter, so it would read another name"
                .into(),
        );
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!(
            "contains the control character U+{:04X}, which cannot be part of a file name",
            c as u32
        ));
    }
    if let Some(c) = crate::hidden::first_hidden(name) {
        return Some(format!(
            "contains the invisible character U+{:04X}, so two different files would show the same name",
            c as u32
        ));
    }
    for sep in ['/', '\\'] {
        if name.contains(sep) {
            return Some(format!(
                "contains `{sep}`, which would place the agent's file in another folder"
            ));
        }
    }
    if name.contains("..") {
        return Some("contains `..`, which is not allowed in an installed file name".into());
    }
    if let Some(c) = name.chars().find(|c| "<>\"|?*".contains(*c)) {
        return Some(format!(
            "contains `{c}`, which Windows does not allow in file names"
        ));
    }
    if name.starts_with(char::is_whitespace) {
        return Some("starts with a space, which makes an easily mistaken file name".into());
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some("ends with a dot or space, which Windows drops from file names".into());
    }
    // Windows reserves the device name before any extension, ignoring case and trailing spaces.
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    if WINDOWS_RESERVED
        .iter()
        .any(|r| r.eq_ignore_ascii_case(stem))
    {
        return Some(format!(
            "is the Windows device name `{stem}`, which cannot be used as a file name"
        ));
    }
    None
}

/// A SHA-256 digest as 64 lowercase hex digits, the only form agentpack writes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sha256(String);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Sha256(super::sha256_hex(bytes))
    }

    /// A written digest: exactly 64 lowercase hex digits (the form the lock and the journal write).
    pub fn parse(text: &str) -> Option<Self> {
        is_sha256(text).then(|| Sha256(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Is `text` a digest as agentpack writes one: exactly 64 lowercase hex digits?
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl fmt::Display for Sha256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<String> for Sha256 {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl PartialEq<Sha256> for String {
    fn eq(&self, other: &Sha256) -> bool {
        self == &other.0
    }
}

impl PartialEq<str> for Sha256 {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        for name in [
            "backend-architect",
            "dotnet-framework-4.8-expert",
            "Code Reviewer",
            "under_score",
            "café-helper",
            "a",
            "conference",
            "com10",
            "x.y",
            &"a".repeat(MAX_NAME_LEN),
        ] {
            assert!(AgentName::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn unsafe_names() {
        let cases = [
            ("", "is empty"),
            ("-lead", "starts with `-`"),
            ("plugin:agent", "contains `:`"),
            ("code-reviewer---x", "contains `---`"),
            ("a/b", "contains `/`"),
            ("a\\b", "contains `\\`"),
            ("a..b", "contains `..`"),
            ("a\0b", "U+0000"),
            ("a\tb", "U+0009"),
            ("a\nb", "U+000A"),
            ("a<b", "contains `<`"),
            ("a>b", "contains `>`"),
            ("a\"b", "contains `\"`"),
            ("a|b", "contains `|`"),
            ("a?b", "contains `?`"),
            ("a*b", "contains `*`"),
            ("trailing.", "ends with a dot or space"),
            ("trailing ", "ends with a dot or space"),
            (" leading", "starts with a space"),
            ("CON", "device name `CON`"),
            ("nul", "device name `nul`"),
            ("Com1.md", "device name `Com1`"),
            ("lpt9.tar.gz", "device name `lpt9`"),
            ("aux .txt", "device name `aux`"),
            ("prn", "device name `prn`"),
        ];
        for (name, expected) in cases {
            let problem = AgentName::parse(name).expect_err(name);
            assert!(problem.contains(expected), "{name:?}: {problem}");
        }
        let long = "a".repeat(MAX_NAME_LEN + 1);
        assert!(AgentName::parse(&long).unwrap_err().contains("129 bytes"));
    }

    #[test]
    fn agent_names_parse_or_say_why_not() {
        let name = AgentName::parse("code-reviewer").unwrap();
        assert_eq!(name.as_str(), "code-reviewer");
        assert_eq!(name.file_name(), "code-reviewer.md");
        assert_eq!(AgentName::parse("").unwrap_err(), "is empty");
        assert_eq!(
            AgentName::parse("a/b").unwrap_err(),
            "contains `/`, which would place the agent's file in another folder"
        );
        assert!(AgentName::parse("a:b").is_err());
        assert!(AgentName::parse("nul").is_err());
    }

    #[test]
    fn sha256_is_exact_lowercase_hex() {
        let digest = Sha256::of(b"abc");
        assert_eq!(
            digest.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Sha256::parse(digest.as_str()), Some(digest.clone()));
        assert_eq!(Sha256::parse(&digest.as_str().to_uppercase()), None);
        assert_eq!(Sha256::parse(&digest.as_str()[1..]), None);
        assert_eq!(Sha256::parse(&format!("{digest}0")), None);
        assert_eq!(Sha256::parse(&"g".repeat(64)), None);
    }
}
