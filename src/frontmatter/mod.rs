//! Reading one agent file (Markdown with YAML front matter) the way Claude Code reads it, and reporting
//! everything that would make Claude Code skip it, or silently drop part of it, as [`Diagnostic`]s.
//!
//! [`parse`] sorts a file into one of three outcomes: a [`Parsed::Document`] (Claude Code treats it as
//! documentation and skips it silently), an [`Parsed::Agent`], or a [`Parsed::Broken`] file that cannot
//! be read as an agent at all. Only the front matter is parsed; the Markdown body is never interpreted
//! (it is only scanned for mis-encoded text).
//!
//! Module layout: `reader` takes a file to its front-matter mapping ([`read`]); `source` finds the
//! front matter and positions in it; `yaml` loads it (strict, then the retry, with the guards of Claude
//! Code's guarded mode), reading plain `key: value` lines through `flat` without the parser; `bun`
//! gives the parsed events the meaning Bun's parser gives them; `lenient` is Claude Code's lenient
//! retry; `divergence` finds YAML Bun's parser may reject where agentpack's accepts; `checks` holds the
//! per-field rules; `mojibake` finds mis-encoded text; [`trust`] the trust checks; `name` owns name
//! rules and [`rename`]; `differential` (tests only) compares all of it with Claude Code's rules run on
//! Bun.
//!
//! # Other kinds of file
//!
//! [`parse`] is the agent's pipeline, in three steps any kind of Markdown file with front matter (a
//! skill's `SKILL.md`, a command) can run with its own rules in the middle:
//!
//! 1. [`read`]: bytes to a [`FrontMatterFile`] (the mapping, plus `frontmatter-cut`/`lenient-yaml`
//!    findings), or [`Unread`] (a document, or a broken file with its error). No kind's rule is in
//!    it: which keys make a file of the kind (`name` for an agent), the size limit and the fields are
//!    the caller's.
//! 2. the kind's field checks: a `checks::Ctx` built from the file finds keys and values and points
//!    diagnostics at them; the value helpers and `checks::check_enum` are shared, while
//!    `checks::check`, the name rules ([`crate::names::AgentName`]) and the messages speaking of agents are
//!    the agent's.
//! 3. [`FrontMatterFile::file_findings`]: mis-encoded text and the trust checks (hidden Unicode, and
//!    `hooks`/`mcpServers`/`permissionMode` wherever a mapping has them), whose codes
//!    `crate::select::gate` allows or refuses per source whatever the kind.
//!
//! Diagnostic codes:
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `file-too-large` | error (broken) | an agent file (front matter with a `name`) is over [`MAX_FILE_SIZE`] ([`parse_too_large`]) |
//! | `invalid-utf8` | error (broken) | the file is not UTF-8; points at the first bad byte |
//! | `frontmatter-unterminated` | error (broken) | `---` on line 1 is never closed |
//! | `frontmatter-invalid` | error (broken) | the YAML fails even after Claude Code's lenient retry |
//! | `frontmatter-too-large` | error (broken) | front matter over 64 KiB (Claude Code's guarded mode) |
//! | `frontmatter-too-deep` | error (broken) | collections nested more than 256 levels (guarded mode) |
//! | `yaml-anchor` | error (broken) | a YAML anchor (guarded mode; also stops alias bombs unexpanded) |
//! | `quoted-crlf` | error (broken) | a quoted value folded over a CRLF line break, which Bun reads differently |
//! | `yaml-bom` | error (broken) | a U+FEFF inside the front matter, which Bun reads differently |
//! | `yaml-ambiguous` | error (broken) | YAML Bun's parser may reject while its lenient retry reads it otherwise ([`divergence`]) |
//! | `frontmatter-cut` | error | a `---` inside the front matter, not on a line of its own: Claude Code ends it there |
//! | `name-missing` | error | `name` is present but null or empty |
//! | `name-invalid` | error | `name` is not text, or Claude Code skips it, or it is unsafe as a file name ([`crate::names::AgentName`]) |
//! | `description-missing` | error | no `description`, or it is null, empty or blank |
//! | `description-not-string` | error | `description` is a list or a map |
//! | `lenient-yaml` | warning | strict YAML fails; Claude Code loads it only through its lenient retry |
//! | `tools-not-list` | warning | `tools` is neither a string nor a list of strings |
//! | `disallowed-tools-not-list` | warning | the same for `disallowedTools` |
//! | `skills-not-list` | warning | the same for `skills` |
//! | `tools-empty` | warning | `tools` is `[]`, empty or null: the agent gets no tools |
//! | `unknown-tool` | warning | `tools`/`disallowedTools` names tools Claude Code does not know (one per field) |
//! | `model-invalid` | warning | `model` is not an alias or a `claude-…` model id |
//! | `color-invalid` | warning | `color` is not one of the eight colors |
//! | `permission-mode-invalid` | warning | `permissionMode` is not an accepted mode |
//! | `effort-invalid` | warning | `effort` is not low, medium, high, xhigh or max |
//! | `memory-invalid` | warning | `memory` is not user, project or local |
//! | `isolation-invalid` | warning | `isolation` is not `worktree` |
//! | `max-turns-invalid` | warning | `maxTurns` is not a positive integer |
//! | `background-invalid` | warning | `background` is not a boolean |
//! | `unknown-field` | warning | a key Claude Code does not read (one per key; past 20, one summary for the rest) |
//! | `mojibake` | warning | UTF-8 text that was decoded as Windows-1252 and saved again, anywhere in the file |
//! | `name-convention` | warning | `name` loads but is not lowercase letters and hyphens |
//! | `hidden-unicode` | error | an invisible format character anywhere in the file ([`trust`]) |
//! | `untrusted-hooks` | error | `hooks` would run shell commands ([`trust`]) |
//! | `untrusted-mcp-servers` | error | `mcpServers` brings MCP servers ([`trust`]) |
//! | `untrusted-permissions` | error | `permissionMode` skips permission prompts ([`trust`]) |
//!
//! Errors mean Claude Code would skip the agent (or agentpack cannot install it under that name);
//! warnings mean Claude Code loads the agent but ignores or mangles part of it.

mod bun;
pub(crate) mod checks;
mod divergence;
mod flat;
mod lenient;
mod mojibake;
mod name;
mod reader;
mod source;
pub mod trust;
mod yaml;

pub use name::{follows_name_convention, rename};
pub use reader::{FrontMatterFile, Unread, read};

use crate::diag::{Diagnostic, Location};
use crate::limits::{HEAD_SIZE, MAX_FILE_SIZE};

/// Result of reading one `.md` file.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// No front matter (first line isn't `---`), front matter that isn't a mapping, or a mapping without
    /// a `name` key: Claude Code treats the file as documentation and skips it silently.
    Document { reason: String },
    /// Has a `name`: an agent. `diagnostics` holds every error and warning of the checks.
    Agent(AgentFile),
    /// Could not be read as an agent at all: invalid UTF-8, over [`MAX_FILE_SIZE`], front matter opened
    /// but never closed, YAML that does not parse even after the lenient retry. `name_hint` is a
    /// best-effort name recovered from the raw `name: x` line, so callers can tell whether the broken
    /// file was one the user selected.
    Broken {
        name_hint: Option<String>,
        diagnostics: Vec<Diagnostic>,
    },
}

impl Parsed {
    /// Every diagnostic of the file (none for a document).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Parsed::Document { .. } => &[],
            Parsed::Agent(agent) => &agent.diagnostics,
            Parsed::Broken { diagnostics, .. } => diagnostics,
        }
    }

    /// The agent's name, or the best-effort name of a broken file.
    pub fn name(&self) -> Option<&str> {
        match self {
            Parsed::Document { .. } => None,
            Parsed::Agent(agent) => Some(&agent.name),
            Parsed::Broken { name_hint, .. } => name_hint.as_deref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgentFile {
    /// The `name` value as Claude Code sees it. Empty when `name` is null, empty or not a scalar; a
    /// number is kept as its text. Either way a `name-missing`/`name-invalid` error is in `diagnostics`.
    pub name: String,
    /// The description as written (numbers and booleans as text); None when missing or unusable.
    pub description: Option<String>,
    /// 1-based line of the top-level `name:` key in the file.
    pub name_line: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl AgentFile {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The description as Claude Code shows it: a literal `\n` (backslash, n) is a line break.
    pub fn shown_description(&self) -> Option<String> {
        self.description.as_ref().map(|d| d.replace("\\n", "\n"))
    }
}

/// Parse and check one file. `label` is what diagnostics show as the file (e.g. "studio:eng/x.md" or a
/// path).
pub fn parse(label: &str, bytes: &[u8]) -> Parsed {
    if bytes.len() > MAX_FILE_SIZE {
        return parse_too_large(label, bytes.len() as u64, &bytes[..HEAD_SIZE]);
    }
    let mut file = match read(label, bytes) {
        Ok(file) => file,
        Err(unread) => return unread.into(),
    };
    if !file.map.contains_key("name") {
        return Parsed::Document {
            reason: "front matter has no `name`".into(),
        };
    }
    let diagnostics = std::mem::take(&mut file.diagnostics);
    let mut ctx = checks::Ctx::new(&file, diagnostics);
    let checked = checks::check(&mut ctx, &file.map);
    let mut diagnostics = ctx.diagnostics;
    diagnostics.extend(file.file_findings());
    sort_by_position(&mut diagnostics);
    Parsed::Agent(AgentFile {
        name: checked.name,
        description: checked.description,
        name_line: checked.name_line,
        diagnostics,
    })
}

/// Diagnostics in file order (stable: findings at one place keep the order they were found in).
fn sort_by_position(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        let loc = d.location.as_ref();
        (
            loc.and_then(|l| l.line).unwrap_or(0),
            loc.and_then(|l| l.column).unwrap_or(0),
        )
    });
}

/// A file of `size` bytes, over [`MAX_FILE_SIZE`], of which `head` was read: an agent that is too large
/// when the head opens front matter with a `name` line, documentation otherwise (a reference such as
/// `llms-full.md` must not block its repository).
pub fn parse_too_large(label: &str, size: u64, head: &[u8]) -> Parsed {
    if head.is_empty() {
        return Parsed::Document {
            reason: format!("it is {size} bytes, too large to look into"),
        };
    }
    let Some(name) = reader::raw_name_hint(&String::from_utf8_lossy(head)) else {
        return Parsed::Document {
            reason: format!("it is {size} bytes, with no front matter naming an agent"),
        };
    };
    Parsed::Broken {
        name_hint: Some(name),
        diagnostics: vec![
            Diagnostic::error(
                "file-too-large",
                format!("file is {size} bytes; agent files over {MAX_FILE_SIZE} bytes are refused"),
            )
            .at(Location::file(label))
            .with_hint("an agent file is a prompt; keep it well under 1 MiB"),
        ],
    }
}

#[cfg(test)]
mod differential;
#[cfg(test)]
mod tests;
