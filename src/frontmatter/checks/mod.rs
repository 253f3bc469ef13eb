//! The checks on a parsed front-matter mapping: what Claude Code requires (errors: it would skip the
//! agent, or agentpack cannot install it) and what it silently drops (warnings). Each finding points at
//! the key or value in the file and says what Claude Code does with it.
//!
//! Layout: this file walks an agent's mapping ([`check`]) and holds the shared [`Ctx`] and value
//! helpers; `identity` checks `name` and `description`; `tools` the string-or-list fields (`tools`,
//! `disallowedTools`, `skills`); `values` the single-value fields (`model`, the enums, `maxTurns`,
//! `background`).
//!
//! What another kind of file reuses: [`Ctx`] (built from any [`FrontMatterFile`]: positions of keys and
//! values, errors and warnings pointing at them), [`kind`], [`scalar_text`], [`shown`] and
//! [`check_enum`]. Everything else here holds Claude Code's rules for agents: the field list, the name
//! and description rules (and their wording), the tool names.

mod identity;
mod tools;
mod values;

use serde_yaml_ng::{Mapping, Value};

use super::FrontMatterFile;
use super::source::{Lines, Pos};
use crate::diag::Diagnostic;
use identity::{check_description, check_name};
use tools::{check_skills, check_tool_list};
pub(crate) use values::check_enum;
use values::{check_background, check_max_turns, check_model};

/// Every front-matter field Claude Code reads for an agent.
pub(crate) const KNOWN_FIELDS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "permissionMode",
    "maxTurns",
    "skills",
    "mcpServers",
    "hooks",
    "memory",
    "background",
    "effort",
    "isolation",
    "color",
    "initialPrompt",
];

const COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
];
const PERMISSION_MODES: &[&str] = &[
    "default",
    "acceptEdits",
    "auto",
    "dontAsk",
    "bypassPermissions",
    "plan",
    "manual",
];
const EFFORTS: &[&str] = &["low", "medium", "high", "xhigh", "max"];
const MEMORIES: &[&str] = &["user", "project", "local"];
const ISOLATIONS: &[&str] = &["worktree"];

/// What the checks found out about the agent.
pub(crate) struct Checked {
    pub name: String,
    pub description: Option<String>,
    pub name_line: usize,
}

/// Collects diagnostics pointing into one file.
pub(crate) struct Ctx<'a> {
    pub label: &'a str,
    pub text: &'a str,
    pub lines: &'a Lines<'a>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    /// Checks of `file`'s fields, adding to `diagnostics` (the reader's, usually).
    pub(crate) fn new(file: &'a FrontMatterFile<'a>, diagnostics: Vec<Diagnostic>) -> Self {
        Ctx {
            label: file.label,
            text: file.text,
            lines: &file.lines,
            diagnostics,
        }
    }

    fn push(&mut self, diagnostic: Diagnostic, pos: Pos, hint: impl Into<String>) {
        self.diagnostics.push(
            diagnostic
                .at_line(self.label, self.text, pos.line, pos.col)
                .with_hint(hint),
        );
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        msg: String,
        pos: Pos,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::error(code, msg), pos, hint);
    }

    pub(crate) fn warn(
        &mut self,
        code: &'static str,
        msg: String,
        pos: Pos,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(code, msg), pos, hint);
    }

    /// Position of `key`'s value, or of the front matter's first line if the key cannot be found in the
    /// text (a flow mapping such as `{name: x}` has no `key:` lines).
    pub(crate) fn value_pos(&self, key: &str) -> Pos {
        self.lines.value_pos(key).unwrap_or(self.fallback())
    }

    pub(crate) fn key_pos(&self, key: &str) -> Pos {
        self.lines.key_pos(key).unwrap_or(self.fallback())
    }

    fn fallback(&self) -> Pos {
        Pos {
            line: self.lines.first_line(),
            col: 1,
        }
    }
}

/// What kind of value `v` is, for messages ("is a map").
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        // The reader drops tags as Claude Code does (`bun.rs`); a tagged value is its value.
        Value::Tagged(t) => kind(&t.value),
    }
}

/// Text of a scalar the way Claude Code coerces it (numbers and booleans become text).
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(super::bun::js_number_text),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value quoted for a message: its text, or its kind for non-scalars.
pub(crate) fn shown(v: &Value) -> String {
    match scalar_text(v) {
        Some(s) => format!("`{s}`"),
        None => kind(v).to_string(),
    }
}

fn key_text(k: &Value) -> String {
    scalar_text(k).unwrap_or_else(|| kind(k).to_string())
}

/// Unknown keys reported one by one; past this many, the rest share one warning, so a file of thousands
/// of keys does not produce thousands of diagnostics.
pub(crate) const MAX_UNKNOWN_FIELD_WARNINGS: usize = 20;

pub(crate) fn check(ctx: &mut Ctx<'_>, map: &Mapping) -> Checked {
    let name_line = ctx.key_pos("name").line;
    let name = check_name(ctx, map.get("name").unwrap_or(&Value::Null));
    let description = check_description(ctx, map.get("description"));
    let mut unknown = Vec::new();
    for (key, value) in map {
        let Some(k) = key.as_str() else {
            unknown.push(key_text(key));
            continue;
        };
        match k {
            "name" | "description" | "mcpServers" | "hooks" | "initialPrompt" => {}
            "tools" => check_tool_list(ctx, k, value, true),
            "disallowedTools" => check_tool_list(ctx, k, value, false),
            "skills" => check_skills(ctx, value),
            "model" => check_model(ctx, value),
            "color" => check_enum(ctx, k, value, COLORS, "color-invalid"),
            "permissionMode" => {
                check_enum(ctx, k, value, PERMISSION_MODES, "permission-mode-invalid")
            }
            "effort" => check_enum(ctx, k, value, EFFORTS, "effort-invalid"),
            "memory" => check_enum(ctx, k, value, MEMORIES, "memory-invalid"),
            "isolation" => check_enum(ctx, k, value, ISOLATIONS, "isolation-invalid"),
            "maxTurns" => check_max_turns(ctx, value),
            "background" => check_background(ctx, value),
            other => unknown.push(other.to_string()),
        }
    }
    for key in unknown.iter().take(MAX_UNKNOWN_FIELD_WARNINGS) {
        unknown_field(ctx, key);
    }
    if let Some(next) = unknown.get(MAX_UNKNOWN_FIELD_WARNINGS) {
        let pos = ctx.key_pos(next);
        let more = unknown.len() - MAX_UNKNOWN_FIELD_WARNINGS - 1;
        ctx.warn(
            "unknown-field",
            format!("`{next}` and {more} more keys are not agent fields; Claude Code ignores them"),
            pos,
            "remove them if nothing else reads them",
        );
    }
    Checked {
        name,
        description,
        name_line,
    }
}

fn unknown_field(ctx: &mut Ctx<'_>, key: &str) {
    let pos = ctx.key_pos(key);
    let squash = |s: &str| s.replace(['_', '-'], "").to_ascii_lowercase();
    let hint = match KNOWN_FIELDS.iter().find(|f| squash(f) == squash(key)) {
        Some(field) => format!("did you mean `{field}`?"),
        None => "remove it if nothing else reads it; Claude Code reads name, description, tools, \
                 disallowedTools, model, permissionMode, maxTurns, skills, mcpServers, hooks, memory, \
                 background, effort, isolation, color and initialPrompt"
            .into(),
    };
    ctx.warn(
        "unknown-field",
        format!("`{key}` is not an agent field; Claude Code ignores it"),
        pos,
        hint,
    );
}
