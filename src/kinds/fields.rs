//! Reading the front matter of a skill's `SKILL.md` or of a command with Claude Code's reader
//! ([`crate::frontmatter::parse`]), keeping what holds for every kind of Markdown file Claude Code loads
//! (a file it cannot read, a cut front matter, lenient YAML, mis-encoded or hidden text, `hooks` for the
//! trust gate) and leaving the per-field rules to each kind.
//!
//! The reader checks files as agents, and an agent needs a `name`; a command does not. So a command whose
//! front matter has no `name` is read once more with a `name` line put in front of its first key, and the
//! line numbers of what that finds are moved back: the trust checks then see exactly the keys Claude Code
//! sees (tags, merge keys), with no second reader to disagree with it. Front matter that does not take
//! that line (a flow mapping, a list) is refused as `frontmatter-unchecked`.
//!
//! The per-kind checks need the values of fields the agent reader does not report; they get them from
//! `serde_yaml_ng` ([`Front::fields`]), only after Claude Code's reader has accepted the front matter
//! (so within its guards: 64 KiB, no anchors, 256 levels) and only for warnings. Front matter that only
//! Claude Code's lenient retry reads has no `fields` (its `lenient-yaml` warning says why).

use serde_yaml_ng::{Mapping, Value};

use crate::diag::Diagnostic;
use crate::frontmatter::{self, Parsed};

/// Codes of the reader that hold for any kind (the rest are the agent's field rules).
const READER_CODES: &[&str] = &[
    "file-too-large",
    "invalid-utf8",
    "frontmatter-unterminated",
    "frontmatter-invalid",
    "frontmatter-too-large",
    "frontmatter-too-deep",
    "yaml-anchor",
    "quoted-crlf",
    "yaml-bom",
    "yaml-ambiguous",
    "frontmatter-cut",
    "lenient-yaml",
    "mojibake",
    "hidden-unicode",
    "untrusted-hooks",
];

/// A skill's or command's front matter as Claude Code reads it.
#[derive(Debug, Default)]
pub(crate) struct Front {
    /// The reader's findings that hold for this kind, at their place in the file.
    pub diagnostics: Vec<Diagnostic>,
    /// True when Claude Code cannot read the file at all.
    pub broken: bool,
    /// Is there a `name` key (a skill needs one), and its text as Claude Code reads it.
    pub name: Option<String>,
    pub description: Option<String>,
    /// The top-level fields; None without front matter or when only the lenient retry reads it.
    pub fields: Option<Mapping>,
}

/// Read `bytes` (the file labelled `label`); `also_keep` are agent-rule codes that hold for this kind too
/// (`model-invalid`); `needs_name` says a missing `name` is the kind's own error (then no second read).
pub(crate) fn read(label: &str, bytes: &[u8], also_keep: &[&str], needs_name: bool) -> Front {
    let keep = |d: &Diagnostic| READER_CODES.contains(&d.code) || also_keep.contains(&d.code);
    // The reader refuses only large files that name an agent; a skill or command is a prompt either way.
    if bytes.len() > frontmatter::MAX_FILE_SIZE {
        return Front {
            diagnostics: vec![
                Diagnostic::error(
                    "file-too-large",
                    format!(
                        "file is {} bytes; agentpack installs no prompt over {} bytes",
                        bytes.len(),
                        frontmatter::MAX_FILE_SIZE
                    ),
                )
                .at(crate::diag::Location::file(label))
                .with_hint("a prompt file this large is likely not one; ask its author"),
            ],
            broken: true,
            ..Front::default()
        };
    }
    let text = String::from_utf8_lossy(bytes);
    match frontmatter::parse(label, bytes) {
        Parsed::Broken { diagnostics, .. } => Front {
            diagnostics,
            broken: true,
            ..Front::default()
        },
        Parsed::Agent(agent) => Front {
            diagnostics: agent.diagnostics.into_iter().filter(keep).collect(),
            name: Some(agent.name),
            description: agent.description,
            fields: fields(&text),
            broken: false,
        },
        Parsed::Document { .. } => {
            let fields = fields(&text);
            let mut front = Front {
                fields,
                ..Front::default()
            };
            // Whether or not strict YAML reads it, Claude Code may: the reader must see its keys.
            if !needs_name && block(&text).is_some() {
                front.diagnostics = read_with_name(label, &text, keep);
            } else {
                front.diagnostics = hidden(label, &text);
            }
            if let Some(map) = &front.fields {
                front.description = map.get("description").and_then(scalar_text);
            }
            front
        }
    }
}

/// The reader's findings on `text` with a `name` line in front of its first front-matter key.
fn read_with_name(label: &str, text: &str, keep: impl Fn(&Diagnostic) -> bool) -> Vec<Diagnostic> {
    let Some(open) = text.find('\n') else {
        return hidden(label, text);
    };
    let after = &text[open + 1..];
    let first = after
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .unwrap_or("");
    let indent = &first[..first.len() - first.trim_start_matches([' ', '\t']).len()];
    // The opening `---` is line 1, so the inserted line is line 2.
    let inserted_line = 2;
    let named = format!("{}{indent}name: x\n{after}", &text[..open + 1]);
    match frontmatter::parse(label, named.as_bytes()) {
        Parsed::Agent(agent) => agent
            .diagnostics
            .into_iter()
            .filter(|d| keep(d))
            .map(|mut d| {
                if let Some(loc) = d.location.as_mut()
                    && let Some(line) = loc.line.filter(|&l| l > inserted_line)
                {
                    loc.line = Some(line - 1);
                }
                d
            })
            .collect(),
        // A flow mapping (`{description: x}`) or a list does not take a `name` line; rather than guess
        // whether Claude Code would find hooks in it, agentpack refuses it.
        _ => vec![
            Diagnostic::error(
                "frontmatter-unchecked",
                "agentpack cannot check this front matter the way Claude Code reads it, so it cannot tell whether it holds hooks",
            )
            .at_line(label, text, 1, 1)
            .with_hint("write the front matter as `key: value` lines"),
        ],
    }
}

/// The first hidden character of `text`, as an error: for a file the reader had no mapping to look into,
/// and for a skill's other Markdown files, which Claude reads too.
pub(crate) fn hidden(label: &str, text: &str) -> Vec<Diagnostic> {
    let Some(c) = frontmatter::trust::first_hidden(text) else {
        return Vec::new();
    };
    let offset = text.find(c).unwrap_or(0);
    let (line, col) = crate::manifest::line_col(text, offset);
    vec![
        Diagnostic::error(
            frontmatter::trust::HIDDEN_UNICODE,
            format!("the file holds the invisible character U+{:04X}", c as u32),
        )
        .at_line(label, text, line, col)
        .with_hint("remove it; if the source needs it, set `allow-unicode = true` on that source in agentpack.toml (it is then a warning)"),
    ]
}

/// The front matter's text: after an opening `---` line, up to the first `---`, wherever it is (as
/// Claude Code ends it).
fn block(text: &str) -> Option<&str> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = body.strip_prefix("---")?;
    let open = rest.find('\n')?;
    if !rest[..open].trim().is_empty() {
        return None;
    }
    let yaml = &rest[open + 1..];
    Some(&yaml[..yaml.find("---")?])
}

/// The front matter's top-level mapping, when strict YAML reads it as one.
fn fields(text: &str) -> Option<Mapping> {
    let yaml = block(text)?;
    let mut value: Value = serde_yaml_ng::from_str(yaml).ok()?;
    value.apply_merge().ok()?;
    match untag(value) {
        Value::Mapping(map) => Some(map),
        _ => None,
    }
}

/// `value` without its tags, as Bun's parser reads it (`!x hooks:` is the key `hooks`).
fn untag(value: Value) -> Value {
    match value {
        Value::Tagged(t) => untag(t.value),
        Value::Sequence(items) => Value::Sequence(items.into_iter().map(untag).collect()),
        Value::Mapping(map) => {
            Value::Mapping(map.into_iter().map(|(k, v)| (untag(k), untag(v))).collect())
        }
        other => other,
    }
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

/// Line and column of top-level `key` in `text`'s front matter, or of the first line.
pub(crate) fn key_pos(text: &str, key: &str) -> (usize, usize) {
    let quoted = format!("\"{key}\":");
    let plain = format!("{key}:");
    text.lines()
        .skip(1)
        .take_while(|l| !l.starts_with("---"))
        .position(|l| l.starts_with(&plain) || l.starts_with(&quoted))
        .map_or((1, 1), |i| (i + 2, 1))
}

/// The shape of a front-matter value, for messages.
pub(crate) fn shape(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
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

/// A warning that `key`, a field of `kind`, has a value Claude Code does not use.
pub(crate) fn field_warning(
    label: &str,
    text: &str,
    key: &str,
    message: String,
    hint: &str,
) -> Diagnostic {
    let (line, col) = key_pos(text, key);
    Diagnostic::warning("field-invalid", message)
        .at_line(label, text, line, col)
        .with_hint(hint)
}

/// `unknown-field` warnings for the keys of `map` that `kind` does not read.
pub(crate) fn unknown_fields(
    label: &str,
    text: &str,
    map: &Mapping,
    kind: &str,
    known: &[&str],
) -> Vec<Diagnostic> {
    let unknown: Vec<String> = map
        .keys()
        .map(|k| scalar_text(k).unwrap_or_else(|| shape(k).to_string()))
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    let mut out: Vec<Diagnostic> = unknown
        .iter()
        .take(MAX_UNKNOWN)
        .map(|key| {
            let (line, col) = key_pos(text, key);
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
