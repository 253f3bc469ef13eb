//! What a source may be trusted with: the risky fields of an agent that `trust = [...]` in the manifest
//! lets a source bring in. It lives in `names` because the manifest parses it and the front-matter checks
//! report it, and the manifest knows no front-matter (see ARCHITECTURE.md).

/// What a source must list in `trust = [...]` to bring in a risky field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TrustKind {
    Hooks,
    McpServers,
    Permissions,
}

impl TrustKind {
    pub const ALL: [TrustKind; 3] = [
        TrustKind::Hooks,
        TrustKind::McpServers,
        TrustKind::Permissions,
    ];

    /// The value written in `trust = [...]`.
    pub fn as_str(self) -> &'static str {
        match self {
            TrustKind::Hooks => "hooks",
            TrustKind::McpServers => "mcp-servers",
            TrustKind::Permissions => "permissions",
        }
    }

    pub fn parse(text: &str) -> Option<TrustKind> {
        TrustKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The diagnostic code of an untrusted finding of this kind.
    pub fn code(self) -> &'static str {
        match self {
            TrustKind::Hooks => "untrusted-hooks",
            TrustKind::McpServers => "untrusted-mcp-servers",
            TrustKind::Permissions => "untrusted-permissions",
        }
    }

    /// The kind an `untrusted-*` code stands for.
    pub fn of_code(code: &str) -> Option<TrustKind> {
        TrustKind::ALL.into_iter().find(|k| k.code() == code)
    }
}
