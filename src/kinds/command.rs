//! Commands: Markdown files under a `commands/` folder, installed to `.claude/commands/` keeping their
//! sub-folders. The name is the path below `commands/` without `.md` (`commands/git/commit.md` is
//! `git/commit`: Claude Code shows it as `/commit` in the `git` namespace). Front matter is optional.
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `name-invalid` | error | a folder or file name of the command is not safe to install ([`super::skill::path_problem`]) |
//! | `field-invalid` | warning | `description` or `model` is not text, `allowed-tools` or `argument-hint` not text or a list |
//! | `unknown-field` | warning | a key Claude Code does not read in a command |
//!
//! Plus what Claude Code's reader finds in any Markdown file ([`super::fields`]), `untrusted-hooks` among
//! them.

use super::fields::{self, is_text_or_list};
use crate::diag::{Diagnostic, Location};

/// Every front-matter field Claude Code reads in a command. `hooks` is among them because Claude Code now
/// reads a command as a form of skill, whose hooks it runs; so they go through the trust gate.
pub const KNOWN_FIELDS: &[&str] = &[
    "description",
    "argument-hint",
    "allowed-tools",
    "model",
    "hooks",
];

/// What the checks found out about a command.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// `git/commit`.
    pub name: String,
    pub description: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Command {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Check the command `name` (from [`super::Layout`]), the file labelled `label`.
pub fn check(label: &str, name: &str, bytes: &[u8]) -> Command {
    let mut diagnostics = Vec::new();
    if let Some(problem) = super::skill::path_problem(name) {
        diagnostics.push(
            Diagnostic::error("name-invalid", format!("command name `{name}` {problem}"))
                .at(Location::file(label))
                .with_hint("ask the author to rename the file or folder"),
        );
    }
    let mut front = fields::read(label, bytes);
    diagnostics.append(&mut front.diagnostics);
    let text = String::from_utf8_lossy(bytes);
    diagnostics.extend(fields::field_warnings(
        label,
        &text,
        &front,
        "command",
        KNOWN_FIELDS,
        |key, value| match key {
            "description" | "model" if !value.is_string() => Some("text"),
            // `argument-hint: [message]` is a list in YAML, and the usual way to write it.
            "allowed-tools" | "argument-hint" if !is_text_or_list(value) => {
                Some("text or a list of texts")
            }
            _ => None,
        },
    ));
    Command {
        name: name.to_string(),
        description: front.text("description"),
        diagnostics,
    }
}
