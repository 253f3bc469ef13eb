//! The checks of `name` and `description`, the two fields Claude Code requires: errors when it would skip
//! the agent (or agentpack cannot install it under that name), a warning when the name breaks the naming
//! convention.

use serde_yaml_ng::Value;

use super::{Ctx, kind, scalar_text};
use crate::frontmatter::name::{follows_name_convention, suggest_name};
use crate::names::AgentName;

pub(super) fn check_name(ctx: &mut Ctx<'_>, value: &Value) -> String {
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
                .map(crate::frontmatter::bun::js_number_text)
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
    if let Err(problem) = AgentName::parse(&name) {
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

pub(super) fn check_description(ctx: &mut Ctx<'_>, value: Option<&Value>) -> Option<String> {
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
            Some(text)
                if !text
                    .trim_matches(crate::frontmatter::source::is_js_space)
                    .is_empty() =>
            {
                Some(text)
            }
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
