//! Reading one agent file (Markdown with YAML front matter) the way Claude Code reads it, and reporting
//! everything that would make Claude Code skip it, or silently drop part of it, as [`Diagnostic`]s.
//!
//! [`parse`] sorts a file into one of three outcomes: a [`Parsed::Document`] (Claude Code treats it as
//! documentation and skips it silently), an [`Parsed::Agent`], or a [`Parsed::Broken`] file that cannot
//! be read as an agent at all. Only the front matter is parsed; the Markdown body is never interpreted
//! (it is only scanned for mis-encoded text).
//!
//! Module layout: `source` finds the front matter and positions in it; `yaml` loads it (strict, then
//! the retry, with the guards of Claude Code's guarded mode); `bun` gives the parsed events the meaning
//! Bun's parser gives them; `lenient` is Claude Code's lenient retry; `divergence` finds YAML Bun's parser may reject where agentpack's accepts; `checks` holds the per-field
//! rules; `mojibake` finds mis-encoded text; `name` owns name rules and [`rename`]; `differential`
//! (tests only) compares all of it with Claude Code's rules run on Bun.
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
//! | `name-invalid` | error | `name` is not text, or Claude Code skips it, or it is unsafe as a file name ([`name_problem`]) |
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
mod checks;
mod divergence;
mod lenient;
mod mojibake;
mod name;
mod source;
pub mod trust;
mod yaml;

pub use name::{MAX_NAME_LEN, follows_name_convention, name_problem, rename};

use serde_yaml_ng::{Mapping, Value};

use crate::diag::{Diagnostic, Location};
use source::{Lines, Split};

pub const MAX_FILE_SIZE: usize = 1024 * 1024; // 1 MiB

/// How much of a file over [`MAX_FILE_SIZE`] is read to tell an agent (front matter with a `name`) from
/// documentation: only agents are refused for their size.
pub const HEAD_SIZE: usize = 64 * 1024;

/// Files up to this size are looked into (a git blob over it is never inflated, so memory stays bounded);
/// larger ones are passed over as documentation unless an `agents` entry names them.
pub const MAX_INSPECTED_SIZE: u64 = 16 * 1024 * 1024;

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
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => return invalid_utf8(label, bytes, err.valid_up_to()),
    };
    let fm = match source::split(text) {
        Split::Missing { reason } => {
            return Parsed::Document {
                reason: reason.into(),
            };
        }
        Split::Unterminated => return unterminated(label, text),
        Split::Found(fm) => fm,
    };
    let lines = Lines::new(fm.yaml, fm.first_line);
    let mut diagnostics: Vec<Diagnostic> =
        fm.cut.map(|at| cut(label, text, at)).into_iter().collect();
    let value = match load(label, text, &fm, &mut diagnostics) {
        Ok(value) => value,
        Err(broken) => return broken,
    };
    let map = match agent_mapping(value) {
        Ok(map) => map,
        Err(document) => return document,
    };
    let mut ctx = checks::Ctx {
        label,
        text,
        lines: &lines,
        diagnostics,
    };
    let checked = checks::check(&mut ctx, &map);
    let mut diagnostics = ctx.diagnostics;
    diagnostics.extend(mojibake_warning(label, text));
    diagnostics.extend(trust::check(label, text, &lines, &map));
    sort_by_position(&mut diagnostics);
    Parsed::Agent(AgentFile {
        name: checked.name,
        description: checked.description,
        name_line: checked.name_line,
        diagnostics,
    })
}

/// The front matter's mapping when it has a `name` (an agent), or the document it makes otherwise.
fn agent_mapping(value: Value) -> Result<Mapping, Parsed> {
    let reason = match value {
        Value::Mapping(map) if map.contains_key("name") => return Ok(map),
        Value::Mapping(_) => "front matter has no `name`",
        Value::Null => "front matter is empty",
        _ => "front matter is not a mapping",
    };
    Err(Parsed::Document {
        reason: reason.into(),
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

/// The `mojibake` warning, at the first mis-encoded place of `text`, if there is one.
fn mojibake_warning(label: &str, text: &str) -> Option<Diagnostic> {
    let found = mojibake::find(text)?;
    let pos = source::pos_of_offset(text, found.offset);
    let meant = if found.meant == "\u{a0}" {
        "a non-breaking space".to_string()
    } else {
        format!("`{}`", found.meant)
    };
    let more = match found.count - 1 {
        0 => String::new(),
        1 => " (and 1 more place)".into(),
        n => format!(" (and {n} more places)"),
    };
    Some(
        Diagnostic::warning(
            "mojibake",
            format!(
                "`{}` looks like mis-encoded text, probably {meant}{more}; Claude Code shows it as is",
                found.seen
            ),
        )
        .at_line(label, text, pos.line, pos.col)
        .with_hint("the file's UTF-8 was once read as Windows-1252; restore the original characters"),
    )
}

/// `---` on line 1 is never closed.
fn unterminated(label: &str, text: &str) -> Parsed {
    Parsed::Broken {
        name_hint: raw_name_hint(text),
        diagnostics: vec![
            Diagnostic::error(
                "frontmatter-unterminated",
                "front matter opened by `---` on line 1 is never closed, so Claude Code does not load this file",
            )
            .at_line(label, text, 1, 1)
            .with_hint("add a line `---` after the last front-matter field"),
        ],
    }
}

/// The front matter's value (with a `lenient-yaml` warning added to `diagnostics` when only the retry
/// reads it), or the broken file it makes, `diagnostics` first.
fn load(
    label: &str,
    text: &str,
    fm: &source::FrontMatter<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Value, Parsed> {
    let broken = |mut diagnostics: Vec<Diagnostic>, d: Diagnostic| {
        diagnostics.insert(0, d);
        Parsed::Broken {
            name_hint: source::name_hint(fm.yaml.lines()),
            diagnostics,
        }
    };
    let value = match yaml::load(fm.yaml, fm.first_line) {
        yaml::Loaded::Strict(value) => value,
        yaml::Loaded::Lenient(value, strict) => {
            diagnostics.push(
                Diagnostic::warning(
                    "lenient-yaml",
                    format!(
                        "front matter is not valid YAML ({}); Claude Code only loads it through its lenient retry",
                        strict.problem
                    ),
                )
                .at_line(label, text, strict.line, strict.col)
                .with_hint(
                    "quote the value (`key: \"...\"`) or use a block scalar (`key: >`) so every YAML parser reads it",
                ),
            );
            value
        }
        yaml::Loaded::Failed(strict) => {
            let d = Diagnostic::error(
                "frontmatter-invalid",
                format!(
                    "front matter is not valid YAML, even after Claude Code's lenient retry ({}), so Claude Code skips this file",
                    strict.problem
                ),
            )
            .at_line(label, text, strict.line, strict.col)
            .with_hint("fix the YAML here; quoting the value usually helps");
            return Err(broken(std::mem::take(diagnostics), d));
        }
        yaml::Loaded::Refused(guard, at) => {
            let d = Diagnostic::error(guard.code(), at.problem)
                .at_line(label, text, at.line, at.col)
                .with_hint(match guard {
                    yaml::Guard::Anchor => "write the value out in full instead of using an anchor (`&`) and aliases (`*`)",
                    yaml::Guard::TooDeep => "flatten the front matter; agent fields need only a few levels",
                    yaml::Guard::TooLarge => "keep long text in the Markdown body, below the front matter",
                    yaml::Guard::QuotedCrlf => "keep the quoted value on one line, or save the file with LF line endings",
                    yaml::Guard::InnerBom => "remove the U+FEFF character; a byte-order mark belongs only at the very start of a file",
                    yaml::Guard::Ambiguous => "write plain YAML here (tags as `!!str`, spaces for indentation, no `?` keys), or quote the value the retry reads differently",
                });
            return Err(broken(std::mem::take(diagnostics), d));
        }
    };
    Ok(value)
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
    let Some(name) = raw_name_hint(&String::from_utf8_lossy(head)) else {
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

/// `name` from the raw lines after an opening `---`, for files that could not be parsed.
fn raw_name_hint(text: &str) -> Option<String> {
    let mut lines = text.lines();
    if !lines.next().is_some_and(source::is_fence) {
        return None;
    }
    source::name_hint(lines)
}

/// The closing `---` of `text` is inside a line, at `at`.
fn cut(label: &str, text: &str, at: source::Pos) -> Diagnostic {
    Diagnostic::error(
        "frontmatter-cut",
        "`---` here ends the front matter for Claude Code even inside a line, so the rest of this line and everything below it are body, not front matter",
    )
    .at_line(label, text, at.line, at.col)
    .with_hint("remove the `---` from the front matter, and close it with a line of its own: `---`")
}

fn invalid_utf8(label: &str, bytes: &[u8], valid_up_to: usize) -> Parsed {
    let lossy = String::from_utf8_lossy(bytes);
    // Up to the bad byte the lossy text is byte-identical, so the offset still lands on it.
    let pos = source::pos_of_offset(&lossy, valid_up_to);
    Parsed::Broken {
        name_hint: raw_name_hint(&lossy),
        diagnostics: vec![
            Diagnostic::error(
                "invalid-utf8",
                format!(
                    "file is not valid UTF-8 (byte 0x{:02X}), so agentpack cannot read it",
                    bytes[valid_up_to]
                ),
            )
            .at_line(label, &lossy, pos.line, pos.col)
            .with_hint("re-save the file as UTF-8"),
        ],
    }
}

#[cfg(test)]
mod differential;
#[cfg(test)]
mod tests;
