//! The reader every kind of file starts from: a file's bytes to its front-matter mapping, the way Claude
//! Code reads front matter (UTF-8, the `---` fences, the YAML with its lenient retry and the guards), with
//! no rule of any one kind. [`read`] gives a [`FrontMatterFile`], or [`Unread`] when there is no mapping
//! to check; [`FrontMatterFile::file_findings`] are the findings about the whole file whatever its kind
//! (mis-encoded text, the trust checks). A kind's own field checks (the agent's are in `checks`) run on
//! [`FrontMatterFile::map`] between the two.

use serde_yaml_ng::{Mapping, Value};

use super::source::{self, Lines, Split};
use super::{Parsed, mojibake, trust, yaml};
use crate::diag::{Diagnostic, line_col};

/// A file whose front matter is a YAML mapping.
pub struct FrontMatterFile<'a> {
    /// What diagnostics show as the file.
    pub label: &'a str,
    /// The whole file.
    pub text: &'a str,
    /// The front matter as Claude Code reads it (through the lenient retry when only that reads it).
    pub map: Mapping,
    /// The front matter's lines, to find where a key or value is.
    pub(crate) lines: Lines<'a>,
    /// What the reader found (`frontmatter-cut`, `lenient-yaml`), in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

/// A file the reader could not take to a mapping.
#[derive(Debug, Clone, PartialEq)]
pub enum Unread {
    /// No front matter Claude Code reads, or front matter that is empty or not a mapping.
    Document { reason: String },
    /// Not readable: invalid UTF-8, front matter never closed, YAML that fails even the lenient retry or
    /// that a guard refuses. `name_hint` is the raw `name: x` line's value, best effort.
    Broken {
        name_hint: Option<String>,
        diagnostics: Vec<Diagnostic>,
    },
}

impl From<Unread> for Parsed {
    fn from(unread: Unread) -> Parsed {
        match unread {
            Unread::Document { reason } => Parsed::Document { reason },
            Unread::Broken {
                name_hint,
                diagnostics,
            } => Parsed::Broken {
                name_hint,
                diagnostics,
            },
        }
    }
}

/// Read `bytes` up to the front-matter mapping. The size is the caller's to bound (an agent file is
/// refused over [`crate::limits::MAX_FILE_SIZE`]); the front matter itself is bounded by the guards.
pub fn read<'a>(label: &'a str, bytes: &'a [u8]) -> Result<FrontMatterFile<'a>, Unread> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => return Err(invalid_utf8(label, bytes, err.valid_up_to())),
    };
    let fm = match source::split(text) {
        Split::Missing { reason } => {
            return Err(Unread::Document {
                reason: reason.into(),
            });
        }
        Split::Unterminated => return Err(unterminated(label, text)),
        Split::Found(fm) => fm,
    };
    let mut diagnostics: Vec<Diagnostic> =
        fm.cut.map(|at| cut(label, text, at)).into_iter().collect();
    let reason = match load(label, text, &fm, &mut diagnostics)? {
        Value::Mapping(map) => {
            return Ok(FrontMatterFile {
                label,
                text,
                map,
                lines: Lines::new(fm.yaml, fm.first_line),
                diagnostics,
            });
        }
        Value::Null => "front matter is empty",
        _ => "front matter is not a mapping",
    };
    Err(Unread::Document {
        reason: reason.into(),
    })
}

impl FrontMatterFile<'_> {
    /// The findings about the whole file, whatever its kind: mis-encoded text anywhere, then the trust
    /// checks (hidden Unicode anywhere, and the risky fields `hooks`, `mcpServers`, `permissionMode` of
    /// the mapping).
    pub fn file_findings(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = mojibake_warning(self.label, self.text)
            .into_iter()
            .collect();
        out.extend(trust::check(self.label, self.text, &self.lines, &self.map));
        out
    }
}

/// The `mojibake` warning, at the first mis-encoded place of `text`, if there is one.
fn mojibake_warning(label: &str, text: &str) -> Option<Diagnostic> {
    let found = mojibake::find(text)?;
    let (line, col) = line_col(text, found.offset);
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
        .at_line(label, text, line, col)
        .with_hint("the file's UTF-8 was once read as Windows-1252; restore the original characters"),
    )
}

/// `---` on line 1 is never closed.
fn unterminated(label: &str, text: &str) -> Unread {
    Unread::Broken {
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
    fm: &super::source::FrontMatter<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Value, Unread> {
    let broken = |mut diagnostics: Vec<Diagnostic>, d: Diagnostic| {
        diagnostics.insert(0, d);
        Unread::Broken {
            name_hint: super::source::name_hint(fm.yaml.lines()),
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

/// `name` from the raw lines after an opening `---`, for files that could not be parsed.
pub(super) fn raw_name_hint(text: &str) -> Option<String> {
    let mut lines = text.lines();
    if !lines.next().is_some_and(super::source::is_fence) {
        return None;
    }
    super::source::name_hint(lines)
}

/// The closing `---` of `text` is inside a line, at `at`.
fn cut(label: &str, text: &str, at: super::source::Pos) -> Diagnostic {
    Diagnostic::error(
        "frontmatter-cut",
        "`---` here ends the front matter for Claude Code even inside a line, so the rest of this line and everything below it are body, not front matter",
    )
    .at_line(label, text, at.line, at.col)
    .with_hint("remove the `---` from the front matter, and close it with a line of its own: `---`")
}

fn invalid_utf8(label: &str, bytes: &[u8], valid_up_to: usize) -> Unread {
    let lossy = String::from_utf8_lossy(bytes);
    // Up to the bad byte the lossy text is byte-identical, so the offset still lands on it.
    let (line, col) = line_col(&lossy, valid_up_to);
    Unread::Broken {
        name_hint: raw_name_hint(&lossy),
        diagnostics: vec![
            Diagnostic::error(
                "invalid-utf8",
                format!(
                    "file is not valid UTF-8 (byte 0x{:02X}), so agentpack cannot read it",
                    bytes[valid_up_to]
                ),
            )
            .at_line(label, &lossy, line, col)
            .with_hint("re-save the file as UTF-8"),
        ],
    }
}
