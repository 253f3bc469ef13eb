//! Reading the front matter of a skill's `SKILL.md` or of a command with Claude Code's reader
//! ([`crate::frontmatter::read`]): what holds for every kind of Markdown file Claude Code loads (a file it
//! cannot read, a cut front matter, lenient YAML, mis-encoded or hidden text, and `hooks` for the trust
//! gate) comes from the reader; each kind checks its own fields on [`Front::fields`], the mapping Claude
//! Code sees (through its lenient retry, tags dropped, merge keys applied).
//!
//! `mcpServers` and `permissionMode` are agent fields: in a skill or command they do nothing, so their
//! trust findings are dropped here and each kind reports them as unknown fields.

use std::collections::HashMap;

use serde_yaml_ng::{Mapping, Value};

use crate::diag::{Diagnostic, Location, line_col};
use crate::frontmatter::checks::kind as shape;
use crate::frontmatter::{self, Unread};
use crate::limits::MAX_FILE_SIZE;

/// Trust findings about fields that mean nothing outside an agent.
const AGENT_ONLY_CODES: &[&str] = &["untrusted-mcp-servers", "untrusted-permissions"];

/// A skill's or command's front matter as Claude Code reads it.
#[derive(Debug, Default)]
pub(crate) struct Front {
    /// The reader's findings, at their place in the file.
    pub diagnostics: Vec<Diagnostic>,
    /// True when Claude Code cannot read the file at all.
    pub broken: bool,
    /// The top-level fields; None without front matter (or when it is empty or not a mapping).
    pub fields: Option<Mapping>,
    /// Line and column of each top-level key in the file.
    positions: HashMap<String, (usize, usize)>,
}

impl Front {
    /// The text of field `key` when it is a scalar (Claude Code coerces numbers and booleans).
    pub fn text(&self, key: &str) -> Option<String> {
        self.fields.as_ref()?.get(key).and_then(scalar_text)
    }

    /// Where `key` is written, or line 1.
    pub fn key_pos(&self, key: &str) -> (usize, usize) {
        self.positions.get(key).copied().unwrap_or((1, 1))
    }
}

/// Read `bytes`, the file labelled `label`.
pub(crate) fn read(label: &str, bytes: &[u8]) -> Front {
    // The reader leaves the size to its caller; a skill or command is a prompt, bounded as an agent is.
    if bytes.len() > MAX_FILE_SIZE {
        let d = Diagnostic::error(
            "file-too-large",
            format!(
                "file is {} bytes; agentpack installs no prompt over {MAX_FILE_SIZE} bytes",
                bytes.len()
            ),
        )
        .at(Location::file(label))
        .with_hint("a prompt file this large is likely not one; ask its author");
        return Front {
            diagnostics: vec![d],
            broken: true,
            ..Front::default()
        };
    }
    match frontmatter::read(label, bytes) {
        Err(Unread::Broken { diagnostics, .. }) => Front {
            diagnostics,
            broken: true,
            ..Front::default()
        },
        Err(Unread::Document { .. }) => Front {
            diagnostics: hidden(label, &String::from_utf8_lossy(bytes)),
            ..Front::default()
        },
        Ok(file) => {
            let mut diagnostics = file.diagnostics.clone();
            diagnostics.extend(
                file.file_findings()
                    .into_iter()
                    .filter(|d| !AGENT_ONLY_CODES.contains(&d.code)),
            );
            let positions = file
                .map
                .keys()
                .filter_map(|k| {
                    let key = scalar_text(k)?;
                    let pos = file.lines.key_pos(&key)?;
                    Some((key, (pos.line, pos.col)))
                })
                .collect();
            Front {
                diagnostics,
                broken: false,
                fields: Some(file.map),
                positions,
            }
        }
    }
}

/// The first hidden character of `text`, as an error: for a file without front matter, whose text
/// Claude still reads, and for a skill's other Markdown files.
pub(crate) fn hidden(label: &str, text: &str) -> Vec<Diagnostic> {
    let Some(c) = crate::hidden::first_hidden(text) else {
        return Vec::new();
    };
    let (line, col) = line_col(text, text.find(c).unwrap_or(0));
    vec![
        Diagnostic::error(
            frontmatter::trust::HIDDEN_UNICODE,
            format!("the file holds the invisible character U+{:04X}", c as u32),
        )
        .at_line(label, text, line, col)
        .with_hint("remove it; if the source needs it, set `allow-unicode = true` on that source in agentpack.toml (it is then a warning)"),
    ]
}

/// Text of a scalar as Claude Code coerces it.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Is `v` text, or a list of texts?
pub(crate) fn is_text_or_list(v: &Value) -> bool {
    match v {
        Value::String(_) => true,
        Value::Sequence(items) => items.iter().all(Value::is_string),
        _ => false,
    }
}

/// `field-invalid` warnings for the fields whose value is not what `wanted` (given a key and its value)
/// says it should be, and `unknown-field` warnings for the keys not in `known`.
pub(crate) fn field_warnings(
    label: &str,
    text: &str,
    front: &Front,
    kind: &str,
    known: &[&str],
    wanted: impl Fn(&str, &Value) -> Option<&'static str>,
) -> Vec<Diagnostic> {
    let Some(map) = &front.fields else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in map {
        let Some(key) = key.as_str() else { continue };
        let Some(wanted) = wanted(key, value) else {
            continue;
        };
        let (line, col) = front.key_pos(key);
        out.push(
            Diagnostic::warning(
                "field-invalid",
                format!(
                    "`{key}` is {}, not {wanted}; Claude Code ignores it",
                    shape(value)
                ),
            )
            .at_line(label, text, line, col)
            .with_hint(format!("write `{key}` as {wanted}")),
        );
    }
    out.extend(unknown_fields(label, text, front, kind, known));
    out
}

/// `unknown-field` warnings for the fields that `kind` does not read.
fn unknown_fields(
    label: &str,
    text: &str,
    front: &Front,
    kind: &str,
    known: &[&str],
) -> Vec<Diagnostic> {
    let Some(map) = &front.fields else {
        return Vec::new();
    };
    let unknown: Vec<String> = map
        .keys()
        .map(|k| scalar_text(k).unwrap_or_else(|| shape(k).to_string()))
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    let mut out: Vec<Diagnostic> = unknown
        .iter()
        .take(MAX_UNKNOWN)
        .map(|key| {
            let (line, col) = front.key_pos(key);
            Diagnostic::warning(
                "unknown-field",
                format!("`{key}` is not a {kind} field; Claude Code ignores it"),
            )
            .at_line(label, text, line, col)
            .with_hint(format!(
                "remove it if nothing else reads it; Claude Code reads {}",
                known.join(", ")
            ))
        })
        .collect();
    if unknown.len() > MAX_UNKNOWN {
        out.push(Diagnostic::warning(
            "unknown-field",
            format!(
                "{} more keys are not {kind} fields",
                unknown.len() - MAX_UNKNOWN
            ),
        ));
    }
    out
}

/// Unknown keys reported one by one; the rest share one warning.
const MAX_UNKNOWN: usize = 20;
