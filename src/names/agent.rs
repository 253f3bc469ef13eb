//! [`AgentName`]: a name an agent can be installed under (it becomes a file name on every OS), and
//! [`Sha256`]: the lowercase-hex digest the lock records for every installed file and patch.

use std::fmt;

/// A name an agent can be installed under: the rules of [`crate::frontmatter::name_problem`] (not empty,
/// no path separators, nothing Claude Code skips or Windows refuses).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AgentName(String);

impl AgentName {
    /// The name, or why it cannot be installed; the reason reads after the name ("`a:b` contains `:`...").
    pub fn parse(name: &str) -> Result<Self, String> {
        match crate::frontmatter::name_problem(name) {
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
