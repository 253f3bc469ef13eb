//! Plugin catalogues: a marketplace's `.claude-plugin/marketplace.json` ([`marketplace`]) and a plugin's
//! `.claude-plugin/plugin.json` ([`plugin`]), read from untrusted bytes into typed values. Nothing here
//! touches git or the disk: callers hand in the bytes (and a plugin's file list), and get back where each
//! plugin comes from ([`source::PluginSource`]) and which of its folders hold agents, commands and skills.
//!
//! Rules shared by both files:
//! - a file is at most [`MAX_JSON_SIZE`] bytes of UTF-8 JSON; serde_json's own recursion limit (128 levels)
//!   bounds nesting, and lists are counted ([`MAX_PLUGINS`], [`MAX_COMPONENT_PATHS`]);
//! - every path they name is relative to the repository (or plugin) root and stays inside it
//!   ([`RepoPath`]); a source that names the local disk is typed as such, so the caller can refuse it;
//! - unknown keys are ignored, as Claude Code ignores them;
//! - every error is a [`CatalogError`]: a [`Diagnostic`] pointing at `file:line:column` with a hint.
//!
//! Diagnostic codes:
//!
//! | code | meaning |
//! |---|---|
//! | `catalog-too-large` | the file is over [`MAX_JSON_SIZE`] |
//! | `catalog-invalid` | not UTF-8, not JSON, a wrong shape, a bad name, a path leaving the repository |
//! | `plugin-source-unsupported` | an `npm`, archive or unknown `source` kind |
//! | `plugin-json-missing` | a `strict` plugin without `.claude-plugin/plugin.json` |
//! | `plugin-not-installed` | (warning) hooks, MCP or LSP servers, monitors or output styles a plugin ships |

pub mod marketplace;
pub mod plugin;
pub mod source;

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Location};
use crate::names::{MAX_KEBAB_NAME_LEN, kebab_name_problem};

/// Largest `marketplace.json` or `plugin.json` read: the limit of every file agentpack reads from a source
/// ([`crate::limits::MAX_FILE_SIZE`]), so a catalogue is refused the same way whether it comes from git, a
/// directory or a vendor copy. A catalogue of 300 plugins is about 150 KiB.
pub const MAX_JSON_SIZE: usize = crate::limits::MAX_FILE_SIZE;

/// Most plugins one marketplace may list.
pub const MAX_PLUGINS: usize = 5_000;

/// Most paths one component field (`agents`, `commands`, `skills`) may list.
pub const MAX_COMPONENT_PATHS: usize = 256;

/// Why a catalogue cannot be used; callers branch on the kind, and show the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file itself: too large, not UTF-8, not JSON, a wrong shape or value.
    Invalid,
    /// A plugin's `source` is of a kind agentpack does not fetch (`npm`, archives, unknown kinds).
    UnsupportedSource { plugin: String, kind: String },
    /// A `strict` plugin has no `.claude-plugin/plugin.json`.
    PluginJsonMissing { plugin: String },
}

/// A problem in a catalogue file, with its location and a hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .diagnostic.message)]
pub struct CatalogError {
    pub kind: ErrorKind,
    /// Boxed: a diagnostic is large, and results travel through every caller.
    pub diagnostic: Box<Diagnostic>,
}

impl CatalogError {
    pub(crate) fn invalid(diagnostic: Diagnostic) -> Self {
        CatalogError {
            kind: ErrorKind::Invalid,
            diagnostic: Box::new(diagnostic),
        }
    }
}

/// A file being read: its label in messages (`studio:.claude-plugin/marketplace.json`) and its text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonFile<'a> {
    pub label: &'a str,
    pub text: &'a str,
}

impl<'a> JsonFile<'a> {
    /// Check the size and encoding of `bytes`.
    pub fn new(label: &'a str, bytes: &'a [u8]) -> Result<Self, CatalogError> {
        if bytes.len() > MAX_JSON_SIZE {
            return Err(CatalogError::invalid(
                Diagnostic::error(
                    "catalog-too-large",
                    format!(
                        "file is {} bytes; agentpack reads at most {MAX_JSON_SIZE} bytes of it",
                        bytes.len()
                    ),
                )
                .at(Location::file(label))
                .with_hint("ask the repository's author to split the catalogue"),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let lossy = String::from_utf8_lossy(bytes);
            let (line, column) = crate::diag::line_col(&lossy, e.valid_up_to());
            CatalogError::invalid(
                Diagnostic::error("catalog-invalid", "file is not valid UTF-8")
                    .at_line(label, &lossy, line, column)
                    .with_hint(
                        "JSON files must be UTF-8; ask the repository's author to re-save it",
                    ),
            )
        })?;
        Ok(JsonFile { label, text })
    }

    /// Deserialize the whole file; serde_json's message and position become the diagnostic.
    pub fn parse<T: DeserializeOwned>(&self, hint: &str) -> Result<T, CatalogError> {
        serde_json::from_str(self.text).map_err(|e| {
            let message = e.to_string();
            let message = match message.rfind(" at line ") {
                Some(at) => message[..at].to_string(),
                None => message,
            };
            CatalogError::invalid(
                Diagnostic::error("catalog-invalid", message)
                    .at_line(self.label, self.text, e.line(), e.column().max(1))
                    .with_hint(hint),
            )
        })
    }

    /// An `Invalid` error at `at` (only the file is named without it).
    pub fn error(&self, message: &str, at: Option<Pos>, hint: &str) -> CatalogError {
        CatalogError::invalid(self.diagnostic("catalog-invalid", message, at, hint))
    }

    /// A diagnostic at `at`, showing its line when that is short: a minified catalogue is one long line,
    /// and errors about many of its plugins must not each copy it.
    pub fn diagnostic(
        &self,
        code: &'static str,
        message: &str,
        at: Option<Pos>,
        hint: &str,
    ) -> Diagnostic {
        let mut d = Diagnostic::error(code, message).with_hint(hint);
        let Some(at) = at else {
            return d.at(Location::file(self.label));
        };
        let line = &self.text[at.line_start..];
        let window = &line.as_bytes()[..line.len().min(MAX_SNIPPET + 1)];
        d.snippet = match window.iter().position(|&b| b == b'\n') {
            Some(end) => Some(line[..end].trim_end_matches('\r').to_string()),
            None if window.len() == line.len() => Some(line.to_string()),
            None => None,
        };
        d.at(Location::at(self.label, at.line, at.column))
    }

    /// Where the values of `"name": "..."` entries after byte `from` are, by the name they hold (the
    /// first of each), for errors about the plugin of that name: serde_json keeps no positions in values.
    /// One pass over the text, so a catalogue of thousands of plugins stays linear.
    pub fn name_positions(&self, from: usize) -> HashMap<String, Pos> {
        let mut out = HashMap::new();
        let mut cursor = Pos {
            line: 1,
            column: 1,
            line_start: 0,
        };
        let mut cursor_at = 0;
        let from = from.min(self.text.len());
        for (at, key) in self.text[from..].match_indices("\"name\"") {
            let after = from + at + key.len();
            let rest = self.text[after..].trim_start();
            let Some(value) = rest.strip_prefix(':').map(str::trim_start) else {
                continue;
            };
            let Some(name) = json_string_at(value) else {
                continue;
            };
            let offset = self.text.len() - value.len();
            let gap = &self.text[cursor_at..offset];
            match gap.rfind('\n') {
                Some(nl) => {
                    cursor.line += gap.matches('\n').count();
                    cursor.line_start = cursor_at + nl + 1;
                    cursor.column = gap[nl + 1..].chars().count() + 1;
                }
                None => cursor.column += gap.chars().count(),
            }
            cursor_at = offset;
            out.entry(name).or_insert(cursor);
        }
        out
    }
}

/// Lines longer than this are not copied into a diagnostic.
const MAX_SNIPPET: usize = 1000;

/// A position in a file: 1-based line and character column, and the byte offset where the line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
    pub line_start: usize,
}

/// The JSON string that `text` starts with, decoded; only short strings are looked at (a name is short),
/// so text made of `"name":"` fragments costs no more than one pass.
fn json_string_at(text: &str) -> Option<String> {
    let body = text.strip_prefix('"')?;
    let mut escaped = false;
    let end = body
        .char_indices()
        .take(MAX_KEBAB_NAME_LEN * 6 + 16)
        .find_map(|(i, c)| {
            let end = !escaped && c == '"';
            escaped = !escaped && c == '\\';
            end.then_some(i)
        })?;
    serde_json::from_str(&text[..end + 2]).ok()
}

/// A path inside a repository or plugin, normalised: `/`-separated, no `.` or empty components, and no
/// `..`; the empty path is the root itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoPath(String);

/// Longest path accepted, in bytes, and most components.
const MAX_PATH_LEN: usize = 1024;
const MAX_PATH_DEPTH: usize = 32;

impl RepoPath {
    /// The root of the repository or plugin.
    pub fn root() -> Self {
        RepoPath(String::new())
    }

    /// Read a path written relative to a root (`./plugins/x`, `plugins/x`, `./`). Refused, with the
    /// reason: absolute paths (`/x`, `C:/x`, `//host`), backslashes, `..`, `.git`, control characters.
    pub fn parse(written: &str) -> Result<Self, String> {
        if written.len() > MAX_PATH_LEN {
            return Err(format!("is longer than {MAX_PATH_LEN} bytes"));
        }
        if written.contains('\\') {
            return Err("contains `\\`; write paths with `/`".into());
        }
        if written.chars().any(char::is_control) {
            return Err("contains a control character".into());
        }
        if written.starts_with('/') || written.starts_with('~') || written.get(1..2) == Some(":") {
            return Err(
                "is absolute; it must be relative to the repository, like `./plugins/x`".into(),
            );
        }
        let mut parts = Vec::new();
        for part in written.split('/') {
            match part {
                "" | "." => {}
                ".." => return Err("contains `..`; it must stay inside the repository".into()),
                p if p.eq_ignore_ascii_case(".git") => {
                    return Err("names `.git`, git's own folder".into());
                }
                p => parts.push(p),
            }
        }
        if parts.len() > MAX_PATH_DEPTH {
            return Err(format!("has more than {MAX_PATH_DEPTH} components"));
        }
        Ok(RepoPath(parts.join("/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// `self/other`.
    pub fn join(&self, other: &RepoPath) -> RepoPath {
        match (self.is_root(), other.is_root()) {
            (true, _) => other.clone(),
            (_, true) => self.clone(),
            _ => RepoPath(format!("{}/{}", self.0, other.0)),
        }
    }

    /// Is `path` (normalised, `/`-separated) this path or inside it?
    pub fn contains(&self, path: &str) -> bool {
        self.is_root()
            || path == self.0
            || path
                .strip_prefix(self.0.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

impl std::fmt::Display for RepoPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_root() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_paths_are_normalised_and_stay_inside() {
        for (written, expected) in [
            ("./plugins/x", "plugins/x"),
            ("plugins//x/./", "plugins/x"),
            ("./", ""),
            (".", ""),
            ("", ""),
        ] {
            assert_eq!(
                RepoPath::parse(written).unwrap().as_str(),
                expected,
                "{written}"
            );
        }
        for (written, why) in [
            ("../x", "contains `..`; it must stay inside the repository"),
            (
                "./a/../../x",
                "contains `..`; it must stay inside the repository",
            ),
            (
                "/etc",
                "is absolute; it must be relative to the repository, like `./plugins/x`",
            ),
            (
                "C:/x",
                "is absolute; it must be relative to the repository, like `./plugins/x`",
            ),
            (
                "~/x",
                "is absolute; it must be relative to the repository, like `./plugins/x`",
            ),
            ("a\\..\\b", "contains `\\`; write paths with `/`"),
            ("./.git/hooks", "names `.git`, git's own folder"),
            ("./a\nb", "contains a control character"),
        ] {
            assert_eq!(RepoPath::parse(written).unwrap_err(), why, "{written}");
        }
        assert!(RepoPath::parse(&"a/".repeat(33)).is_err());
    }

    #[test]
    fn repo_path_join_and_contains() {
        let plugins = RepoPath::parse("plugins").unwrap();
        let x = RepoPath::parse("x").unwrap();
        assert_eq!(plugins.join(&x).as_str(), "plugins/x");
        assert_eq!(RepoPath::root().join(&x), x);
        assert!(plugins.contains("plugins/x/a.md"));
        assert!(!plugins.contains("pluginsx/a.md"));
        assert!(RepoPath::root().contains("anything"));
        assert_eq!(RepoPath::root().to_string(), ".");
    }

    #[test]
    fn json_errors_carry_file_line_and_column() {
        let file = JsonFile::new("m.json", b"{\n  \"a\": ,\n}").unwrap();
        let err = file.parse::<serde_json::Value>("fix it").unwrap_err();
        assert_eq!(
            err.diagnostic.render(),
            "error[catalog-invalid]: expected value\n --> m.json:2:8\n  |\n2 |   \"a\": ,\n  |        ^\n  = hint: fix it"
        );
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let err = JsonFile::new("d.json", deep.as_bytes())
            .unwrap()
            .parse::<serde_json::Value>("h")
            .unwrap_err();
        assert_eq!(err.diagnostic.message, "recursion limit exceeded");
        let big = vec![b' '; MAX_JSON_SIZE + 1];
        let err = JsonFile::new("b.json", &big).unwrap_err();
        assert_eq!(err.diagnostic.code, "catalog-too-large");
        let err = JsonFile::new("u.json", b"{\"a\":\"\xff\"}").unwrap_err();
        assert_eq!(err.diagnostic.location, Some(Location::at("u.json", 1, 7)));
    }
}

#[cfg(test)]
mod catalog_tests;
