//! The checks on a parsed front-matter mapping: what Claude Code requires (errors: it would skip the
//! agent, or agentpack cannot install it) and what it silently drops (warnings). Each finding points at
//! the key or value in the file and says what Claude Code does with it.

use serde_yaml_ng::{Mapping, Value};

use super::name::{follows_name_convention, name_problem, suggest_name};
use super::source::{Lines, Pos};
use crate::diag::Diagnostic;

/// Built-in tool names from CLAUDE_CODE_FORMAT.md.
pub(crate) const KNOWN_TOOLS: &[&str] = &[
    "Agent",
    "Task",
    "Bash",
    "BashOutput",
    "Edit",
    "ExitPlanMode",
    "Glob",
    "Grep",
    "KillShell",
    "LS",
    "MultiEdit",
    "NotebookEdit",
    "NotebookRead",
    "Read",
    "Skill",
    "SlashCommand",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "Write",
];

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

const MODEL_ALIASES: &[&str] = &["sonnet", "opus", "haiku", "fable", "inherit"];
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

impl Ctx<'_> {
    fn push(&mut self, diagnostic: Diagnostic, pos: Pos, hint: impl Into<String>) {
        self.diagnostics.push(
            diagnostic
                .at_line(self.label, self.text, pos.line, pos.col)
                .with_hint(hint),
        );
    }

    fn error(&mut self, code: &'static str, msg: String, pos: Pos, hint: impl Into<String>) {
        self.push(Diagnostic::error(code, msg), pos, hint);
    }

    fn warn(&mut self, code: &'static str, msg: String, pos: Pos, hint: impl Into<String>) {
        self.push(Diagnostic::warning(code, msg), pos, hint);
    }

    /// Position of `key`'s value, or of the front matter's first line if the key cannot be found in the
    /// text (a flow mapping such as `{name: x}` has no `key:` lines).
    fn value_pos(&self, key: &str) -> Pos {
        self.lines.value_pos(key).unwrap_or(self.fallback())
    }

    fn key_pos(&self, key: &str) -> Pos {
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
fn kind(v: &Value) -> &'static str {
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
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(super::bun::js_number_text),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A value quoted for a message: its text, or its kind for non-scalars.
fn shown(v: &Value) -> String {
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

fn check_name(ctx: &mut Ctx<'_>, value: &Value) -> String {
    const HINT: &str = "set `name` to the agent's name, e.g. `code-reviewer`";
    let pos = ctx.value_pos("name");
    let name = match value {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Null | Value::String(_) => {
            let msg = "`name` is empty, so Claude Code skips this file".into();
            ctx.error("name-missing", msg, pos, HINT);
            return String::new();
        }
        Value::Number(n) => {
            // `name: 2024` reads as a number; agentpack does not guess which text was meant.
            let text = n
                .as_f64()
                .map(super::bun::js_number_text)
                .unwrap_or_default();
            ctx.error(
                "name-invalid",
                "`name` is a number, not text".into(),
                pos,
                format!("quote it (`name: \"{text}\"`), or better, use letters and hyphens"),
            );
            return text;
        }
        _ => {
            let msg = format!(
                "`name` is {}, not text, so Claude Code cannot load the agent",
                kind(value)
            );
            ctx.error("name-invalid", msg, pos, HINT);
            return String::new();
        }
    };
    if let Some(problem) = name_problem(&name) {
        let hint = match suggest_name(&name) {
            Some(s) => format!("use lowercase letters and hyphens, e.g. `{s}`"),
            None => "use lowercase letters and hyphens, e.g. `code-reviewer`".into(),
        };
        ctx.error(
            "name-invalid",
            format!("`name` `{name}` {problem}"),
            pos,
            hint,
        );
    } else if !follows_name_convention(&name) {
        let hint = match suggest_name(&name).filter(|s| follows_name_convention(s)) {
            Some(s) => format!(
                "the agent still loads; by convention names use lowercase letters and hyphens, e.g. `{s}`"
            ),
            None => {
                "the agent still loads; by convention names use lowercase letters and hyphens only"
                    .into()
            }
        };
        ctx.warn(
            "name-convention",
            format!("`name` `{name}` breaks Claude Code's naming convention"),
            pos,
            hint,
        );
    }
    name
}

fn check_description(ctx: &mut Ctx<'_>, value: Option<&Value>) -> Option<String> {
    const HINT: &str = "add `description:` saying when Claude should delegate to this agent (use `description: >` for several lines)";
    let Some(value) = value else {
        let pos = ctx.key_pos("name");
        ctx.error(
            "description-missing",
            "no `description`, so Claude Code skips this agent".into(),
            pos,
            HINT,
        );
        return None;
    };
    let pos = ctx.value_pos("description");
    match value {
        Value::Sequence(_) | Value::Mapping(_) => {
            ctx.error(
                "description-not-string",
                format!(
                    "`description` is {}, not text, so Claude Code skips this agent",
                    kind(value)
                ),
                pos,
                "write the description as one text value (use `description: >` for several lines)",
            );
            None
        }
        _ => match scalar_text(value) {
            // A blank description leaves Claude nothing to decide delegation by: treated as missing.
            Some(text) if !text.trim_matches(super::source::is_js_space).is_empty() => Some(text),
            _ => {
                let pos = ctx.key_pos("description");
                ctx.error(
                    "description-missing",
                    "`description` is empty, so Claude Code skips this agent".into(),
                    pos,
                    HINT,
                );
                None
            }
        },
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

/// Split a tools string the way a list is written in one line: commas and spaces separate, except inside
/// parentheses (`Agent(a, b)` is one entry).
pub(crate) fn split_list(s: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' | ' ' | '\t' | '\n' | '\r' if depth == 0 => {
                if start < i {
                    items.push(&s[start..i]);
                }
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if start < s.len() {
        items.push(&s[start..]);
    }
    items
}

pub(crate) fn is_known_tool(tool: &str) -> bool {
    if tool == "*" || KNOWN_TOOLS.contains(&tool) {
        return true;
    }
    if let Some(rest) = tool.strip_prefix("mcp__") {
        return rest
            .split("__")
            .next()
            .is_some_and(|server| !server.is_empty());
    }
    ["Agent(", "Task("]
        .iter()
        .any(|p| tool.starts_with(p) && tool.ends_with(')'))
}

/// Items of a string-or-list field, or None when the value has another shape.
fn list_items(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(split_list(s).into_iter().map(String::from).collect()),
        Value::Sequence(seq) => seq
            .iter()
            .map(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn check_tool_list(ctx: &mut Ctx<'_>, key: &str, value: &Value, is_tools: bool) {
    let (not_list_code, what) = if is_tools {
        (
            "tools-not-list",
            "Claude Code cannot read it as a list of tools",
        )
    } else {
        (
            "disallowed-tools-not-list",
            "Claude Code cannot read it as a list of tools to remove",
        )
    };
    if matches!(value, Value::Null) {
        if is_tools {
            let pos = ctx.key_pos(key);
            ctx.warn(
                "tools-empty",
                "`tools` is empty, so the agent gets no tools at all".into(),
                pos,
                "remove `tools` to give the agent every tool, or list the tools it needs",
            );
        }
        return;
    }
    let Some(items) = list_items(value) else {
        let pos = ctx.value_pos(key);
        let hint = format!(
            "write `{key}` as a comma-separated string (`Read, Grep, Glob`) or a YAML list of tool names"
        );
        let msg = match value {
            Value::Sequence(_) => {
                format!("`{key}` is a list with entries that are not tool names; {what}")
            }
            _ => format!("`{key}` is {}; {what}", kind(value)),
        };
        ctx.warn(not_list_code, msg, pos, hint);
        return;
    };
    if items.is_empty() {
        if is_tools {
            let pos = ctx.value_pos(key);
            ctx.warn(
                "tools-empty",
                "`tools` is empty, so the agent gets no tools at all".into(),
                pos,
                "remove `tools` to give the agent every tool, or list the tools it needs",
            );
        }
        return;
    }
    let mut unknown: Vec<&str> = Vec::new();
    for item in &items {
        if !is_known_tool(item) && !unknown.contains(&item.as_str()) {
            unknown.push(item);
        }
    }
    if unknown.is_empty() {
        return;
    }
    let pos = ctx
        .lines
        .find_in_entry(key, unknown[0])
        .unwrap_or_else(|| ctx.value_pos(key));
    let listed = unknown
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (verb, noun) = if unknown.len() == 1 {
        ("is", "a Claude Code tool")
    } else {
        ("are", "Claude Code tools")
    };
    let case_fixes: Vec<String> = unknown
        .iter()
        .filter_map(|t| {
            KNOWN_TOOLS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(t))
                .map(|k| format!("`{t}` → `{k}`"))
        })
        .collect();
    let mut hint = String::new();
    if !case_fixes.is_empty() {
        hint.push_str(&format!(
            "tool names are case-sensitive: {}; ",
            case_fixes.join(", ")
        ));
    }
    hint.push_str(&format!(
        "known tools are {}, `*`, `mcp__server__tool`, `Agent(name)`",
        KNOWN_TOOLS.join(", ")
    ));
    ctx.warn(
        "unknown-tool",
        format!(
            "`{key}` lists {listed}, which {verb} not {noun}; Claude Code ignores unknown names"
        ),
        pos,
        hint,
    );
}

fn check_skills(ctx: &mut Ctx<'_>, value: &Value) {
    if matches!(value, Value::Null) || list_items(value).is_some() {
        return;
    }
    let pos = ctx.value_pos("skills");
    ctx.warn(
        "skills-not-list",
        format!(
            "`skills` is {}; Claude Code cannot read it as a list of skill names",
            kind(value)
        ),
        pos,
        "write `skills` as a YAML list of skill names or a comma-separated string",
    );
}

/// `claude-` then lowercase letters, digits, `-` and `.`, optionally `@` and a date (`@20241022`).
pub(crate) fn is_model_id(model: &str) -> bool {
    let Some(rest) = model.strip_prefix("claude-") else {
        return false;
    };
    let (id, date) = match rest.split_once('@') {
        Some((id, date)) => (id, Some(date)),
        None => (rest, None),
    };
    let id_ok = id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let date_ok = date.is_none_or(|d| d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()));
    id_ok && date_ok
}

fn check_model(ctx: &mut Ctx<'_>, value: &Value) {
    if let Value::String(model) = value
        && (MODEL_ALIASES.iter().any(|m| m.eq_ignore_ascii_case(model)) || is_model_id(model))
    {
        return;
    }
    let (msg, pos) = invalid_value(
        ctx,
        "model",
        value,
        "which Claude Code ignores (the agent inherits the main model)",
    );
    ctx.warn(
        "model-invalid",
        msg,
        pos,
        "use sonnet, opus, haiku, fable, inherit, or a full model id such as `claude-opus-5`",
    );
}

/// Message and position for an optional field whose value is wrong; an empty value followed by a
/// comment gets its own wording, because `color: #10B981` looks like a value to the author.
fn invalid_value(ctx: &Ctx<'_>, key: &str, value: &Value, consequence: &str) -> (String, Pos) {
    if matches!(value, Value::Null)
        && let Some((pos, comment)) = ctx.lines.comment_after(key)
    {
        return (
            format!("`{key}` is empty (YAML reads `{comment}` as a comment), {consequence}"),
            pos,
        );
    }
    (
        format!("`{key}` is {}, {consequence}", shown(value)),
        ctx.value_pos(key),
    )
}

fn code_list(values: &[&str]) -> String {
    match values {
        [only] => only.to_string(),
        [init @ .., last] => format!("{}, {last}", init.join(", ")),
        [] => String::new(),
    }
}

fn check_enum(ctx: &mut Ctx<'_>, key: &str, value: &Value, allowed: &[&str], code: &'static str) {
    if let Value::String(s) = value
        && allowed.contains(&s.as_str())
    {
        return;
    }
    let (msg, pos) = invalid_value(ctx, key, value, "which Claude Code ignores");
    let hint = if allowed.len() == 1 {
        format!("the only accepted value is `{}`", allowed[0])
    } else {
        format!("use one of {}", code_list(allowed))
    };
    ctx.warn(code, msg, pos, hint);
}

fn check_max_turns(ctx: &mut Ctx<'_>, value: &Value) {
    if let Value::Number(n) = value
        && n.as_u64().is_some_and(|n| n > 0)
    {
        return;
    }
    let (msg, pos) = invalid_value(
        ctx,
        "maxTurns",
        value,
        "not a positive whole number, so Claude Code ignores it",
    );
    ctx.warn(
        "max-turns-invalid",
        msg,
        pos,
        "use a whole number above 0, e.g. `maxTurns: 20`",
    );
}

fn check_background(ctx: &mut Ctx<'_>, value: &Value) {
    if matches!(value, Value::Bool(_)) {
        return;
    }
    let (msg, pos) = invalid_value(
        ctx,
        "background",
        value,
        "not true or false, so Claude Code ignores it",
    );
    ctx.warn(
        "background-invalid",
        msg,
        pos,
        "use `background: true` or `background: false`",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_tool_strings() {
        assert_eq!(
            split_list("Read, Grep,Glob  Bash"),
            ["Read", "Grep", "Glob", "Bash"]
        );
        assert_eq!(split_list("Agent(a, b), Read"), ["Agent(a, b)", "Read"]);
        assert!(split_list(" , ").is_empty());
    }

    #[test]
    fn known_tools() {
        for t in [
            "Read",
            "*",
            "mcp__github",
            "mcp__github__create_issue",
            "Agent(worker)",
            "Task(x)",
        ] {
            assert!(is_known_tool(t), "{t}");
        }
        for t in [
            "read",
            "Docker",
            "mcp__",
            "mcp____x",
            "Agent(x",
            "Bash(git *)",
            "Tasks",
        ] {
            assert!(!is_known_tool(t), "{t}");
        }
    }

    #[test]
    fn model_ids() {
        for m in [
            "claude-opus-5",
            "claude-3-5-sonnet-20241022",
            "claude-sonnet-4.5",
            "claude-3-5-sonnet-v2@20241022",
        ] {
            assert!(is_model_id(m), "{m}");
        }
        for m in [
            "claude-",
            "Claude-opus",
            "claude-Opus",
            "claude-opus@2024",
            "gpt-4o",
            "claude--x",
            "Claude Sonnet 4.5 (copilot)",
        ] {
            assert!(!is_model_id(m), "{m}");
        }
    }
}
