//! The string-or-list fields: `tools` and `disallowedTools` (tool names Claude Code knows) and `skills`.

use serde_yaml_ng::Value;

use super::{Ctx, kind};
use crate::frontmatter::source::Pos;

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

pub(super) fn check_tool_list(ctx: &mut Ctx<'_>, key: &str, value: &Value, is_tools: bool) {
    if matches!(value, Value::Null) {
        if is_tools {
            let pos = ctx.key_pos(key);
            tools_empty(ctx, pos);
        }
        return;
    }
    let Some(items) = list_items(value) else {
        not_a_list(ctx, key, value, is_tools);
        return;
    };
    if items.is_empty() {
        if is_tools {
            let pos = ctx.value_pos(key);
            tools_empty(ctx, pos);
        }
        return;
    }
    let mut unknown: Vec<&str> = Vec::new();
    for item in &items {
        if !is_known_tool(item) && !unknown.contains(&item.as_str()) {
            unknown.push(item);
        }
    }
    if !unknown.is_empty() {
        unknown_tools(ctx, key, &unknown);
    }
}

fn tools_empty(ctx: &mut Ctx<'_>, pos: Pos) {
    ctx.warn(
        "tools-empty",
        "`tools` is empty, so the agent gets no tools at all".into(),
        pos,
        "remove `tools` to give the agent every tool, or list the tools it needs",
    );
}

/// `key` holds neither a string nor a list of strings.
fn not_a_list(ctx: &mut Ctx<'_>, key: &str, value: &Value, is_tools: bool) {
    let (code, what) = if is_tools {
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
    ctx.warn(code, msg, pos, hint);
}

/// One warning for every name in `key` that is not a tool, at the first of them.
fn unknown_tools(ctx: &mut Ctx<'_>, key: &str, unknown: &[&str]) {
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
    ctx.warn(
        "unknown-tool",
        format!(
            "`{key}` lists {listed}, which {verb} not {noun}; Claude Code ignores unknown names"
        ),
        pos,
        unknown_tools_hint(unknown),
    );
}

/// The case fixes for names that differ from a tool only in case, then the names Claude Code knows.
fn unknown_tools_hint(unknown: &[&str]) -> String {
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
    hint
}

pub(super) fn check_skills(ctx: &mut Ctx<'_>, value: &Value) {
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
}
