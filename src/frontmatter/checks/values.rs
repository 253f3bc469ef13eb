//! The single-value fields: `model`, the fields with a fixed set of values (`color`, `permissionMode`,
//! `effort`, `memory`, `isolation`), `maxTurns` and `background`. Each wrong value is a warning: Claude
//! Code ignores it.

use serde_yaml_ng::Value;

use super::{Ctx, shown};
use crate::frontmatter::source::Pos;

const MODEL_ALIASES: &[&str] = &["sonnet", "opus", "haiku", "fable", "inherit"];

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

pub(super) fn check_model(ctx: &mut Ctx<'_>, value: &Value) {
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

/// A `code` warning unless `key` holds one of the `allowed` texts: Claude Code ignores any other value.
pub(crate) fn check_enum(
    ctx: &mut Ctx<'_>,
    key: &str,
    value: &Value,
    allowed: &[&str],
    code: &'static str,
) {
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

pub(super) fn check_max_turns(ctx: &mut Ctx<'_>, value: &Value) {
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

pub(super) fn check_background(ctx: &mut Ctx<'_>, value: &Value) {
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
