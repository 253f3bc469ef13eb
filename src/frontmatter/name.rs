//! Agent names: which names can be installed (they become file names on every OS), which follow Claude
//! Code's convention, and rewriting the `name:` line of a file for `rename`.

use super::source::{self, Split};
use crate::names::AgentName;

/// True when `name` follows Claude Code's convention: lowercase ASCII letters and hyphens only, not
/// starting/ending with `-`.
pub fn follows_name_convention(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// A name in lowercase letters, digits and hyphens derived from `name`, for hints; None when nothing
/// usable is left.
pub(crate) fn suggest_name(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    (!out.is_empty() && AgentName::parse(out).is_ok()).then(|| out.to_string())
}

/// Words YAML 1.1 parsers read as booleans or null: Claude Code's parser does not, but other tools
/// reading the file may, so a new name that is one of them is quoted.
const YAML_WORDS: &[&str] = &[
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// True when `value` can be written unquoted after `name: ` and reads back as the same string in strict
/// YAML, in YAML 1.1 parsers and through Claude Code's lenient retry.
fn is_plain_scalar(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    let safe_chars = value
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '));
    if !(first.is_alphanumeric() || first == '_') || !safe_chars || value.ends_with(' ') {
        return false;
    }
    if YAML_WORDS.iter().any(|w| w.eq_ignore_ascii_case(value)) {
        return false;
    }
    // Numbers (`123`, `1.5`, `1e3`, `.inf`): let Claude Code's reading decide what is not a string.
    matches!(
        super::yaml::load(&format!("name: {value}"), 1),
        super::yaml::Loaded::Strict(serde_yaml_ng::Value::Mapping(m))
            if m.get("name").and_then(|v| v.as_str()) == Some(value)
    )
}

/// `value` as a YAML scalar: plain when that is safe, double-quoted otherwise.
fn yaml_scalar(value: &str) -> String {
    if is_plain_scalar(value) {
        value.to_string()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Byte range of the value on a `name:` line (`after` is just past the colon), or why it cannot be
/// replaced in place.
fn value_span(line: &str, after: usize) -> Result<(usize, usize), String> {
    let rest = &line[after..];
    let start = after + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let value = &line[start..];
    let end = match value.chars().next() {
        None | Some('#') => return Err("`name` has no value on its own line".into()),
        Some('|' | '>') => return Err("`name` is a block scalar spanning several lines".into()),
        Some(c @ ('[' | '{' | '&' | '*' | '!')) => {
            return Err(format!(
                "`name` starts with `{c}`, so it is not a simple value"
            ));
        }
        Some('"') => {
            let mut escaped = false;
            let close = value[1..].char_indices().find_map(|(i, c)| {
                let hit = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                hit.then_some(i + 1)
            });
            match close {
                Some(i) => start + i + 1,
                None => return Err("`name` is a quoted value spanning several lines".into()),
            }
        }
        Some('\'') => {
            // In single quotes `''` is an escaped quote, not the end.
            let b = value.as_bytes();
            let mut i = 1;
            loop {
                match b.get(i) {
                    None => return Err("`name` is a quoted value spanning several lines".into()),
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => break start + i + 1,
                    Some(_) => i += 1,
                }
            }
        }
        Some(_) => {
            let cut = [" #", "\t#"]
                .iter()
                .filter_map(|c| value.find(c))
                .min()
                .unwrap_or(value.len());
            start + value[..cut].trim_end_matches([' ', '\t']).len()
        }
    };
    let tail = line[end..].trim_start_matches([' ', '\t']);
    if !tail.is_empty() && !tail.starts_with('#') {
        return Err("`name` has text after its quoted value".into());
    }
    Ok((start, end))
}

/// Return the file's bytes with only the value on the top-level `name:` line of the front matter
/// replaced by `new_name` (everything else byte-identical, including the line ending and CRLF files).
/// The new value is double-quoted only if it would not be a plain YAML scalar. Errors (with a reason) if
/// the name is not a single-line `name: value` entry, or if the result would not read back as an agent
/// named `new_name`.
pub fn rename(bytes: &[u8], new_name: &str) -> Result<Vec<u8>, String> {
    if let Err(problem) = AgentName::parse(new_name) {
        return Err(format!("`{new_name}` {problem}"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "file is not valid UTF-8".to_string())?;
    let fm = match source::split(text) {
        Split::Found(fm) => fm,
        Split::Missing { reason } => return Err(format!("file has no front matter ({reason})")),
        Split::Unterminated => return Err("front matter is never closed with `---`".into()),
    };
    let mut offset = fm.start;
    let mut lines = fm.yaml.split_inclusive('\n');
    let (line_start, line, after) = loop {
        let Some(raw) = lines.next() else {
            return Err("front matter has no top-level `name:` line".into());
        };
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        if let Some((key, after)) = source::top_level_key(line)
            && key == "name"
        {
            if line.starts_with(['"', '\'']) {
                return Err("`name` is written as a quoted key".into());
            }
            break (offset, line, after);
        }
        offset += raw.len();
    };
    let (start, end) = value_span(line, after)?;
    let plain = !line[start..].starts_with(['"', '\'']);
    if plain {
        // An unquoted value continues on following lines that are indented.
        let next = lines.find(|l| {
            let t = l
                .trim_start_matches([' ', '\t'])
                .trim_end_matches(['\n', '\r']);
            !t.is_empty() && !t.starts_with('#')
        });
        if next.is_some_and(|l| l.starts_with([' ', '\t'])) {
            return Err("`name` continues on the next line".into());
        }
    }
    let mut out = Vec::with_capacity(bytes.len() + new_name.len());
    out.extend_from_slice(&bytes[..line_start + start]);
    out.extend_from_slice(yaml_scalar(new_name).as_bytes());
    out.extend_from_slice(&bytes[line_start + end..]);
    // The line scan cannot see everything YAML allows (a duplicate key, an anchor elsewhere, a value the
    // lenient retry would rewrite); reading the result back is the real test.
    match super::parse("rename", &out) {
        super::Parsed::Agent(agent) if agent.name == new_name => Ok(out),
        super::Parsed::Agent(agent) => Err(format!(
            "the renamed file reads as `{}`, not `{new_name}`",
            agent.name
        )),
        super::Parsed::Document { reason } => {
            Err(format!("the renamed file is not an agent ({reason})"))
        }
        super::Parsed::Broken { diagnostics, .. } => Err(match diagnostics.first() {
            Some(d) => format!("the file's front matter cannot be read: {}", d.message),
            None => "the file's front matter cannot be read".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_convention() {
        for good in ["backend-architect", "a", "a--b"] {
            assert!(follows_name_convention(good), "{good}");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "Backend",
            "v2-agent",
            "dotnet-4.8",
            "two words",
            "snake_case",
            "é",
        ] {
            assert!(!follows_name_convention(bad), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest_name("Code Reviewer").as_deref(),
            Some("code-reviewer")
        );
        assert_eq!(suggest_name("--a/b..c--").as_deref(), Some("a-b-c"));
        assert_eq!(suggest_name("!!!"), None);
    }

    #[test]
    fn plain_or_quoted() {
        assert_eq!(yaml_scalar("new-name"), "new-name");
        assert_eq!(yaml_scalar("Code Reviewer"), "Code Reviewer");
        assert_eq!(yaml_scalar("v1.2"), "v1.2");
        assert_eq!(yaml_scalar("123"), "\"123\"");
        assert_eq!(yaml_scalar("1.5"), "\"1.5\"");
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("Null"), "\"Null\"");
        assert_eq!(yaml_scalar("it's"), "\"it's\"");
        assert_eq!(yaml_scalar("a#b"), "\"a#b\"");
        assert_eq!(yaml_scalar("_x"), "_x");
    }

    fn renamed(text: &str, name: &str) -> String {
        String::from_utf8(rename(text.as_bytes(), name).unwrap()).unwrap()
    }

    #[test]
    fn rename_changes_only_the_name_value() {
        let text = "---\nname: old-name # keep me\ndescription: Reviews code.\ntools: Read\n---\nname: body stays\n";
        assert_eq!(
            renamed(text, "new-name"),
            "---\nname: new-name # keep me\ndescription: Reviews code.\ntools: Read\n---\nname: body stays\n"
        );
    }

    #[test]
    fn rename_keeps_crlf() {
        let text = "---\r\nname: old\r\ndescription: d\r\n---\r\nbody\r\n";
        assert_eq!(
            renamed(text, "new-one"),
            "---\r\nname: new-one\r\ndescription: d\r\n---\r\nbody\r\n"
        );
    }

    #[test]
    fn rename_replaces_quoted_names() {
        let text = "---\nname: \"Old \\\"Agent\\\"\"  \ndescription: d\n---\n";
        assert_eq!(
            renamed(text, "fresh"),
            "---\nname: fresh  \ndescription: d\n---\n"
        );
        let text = "---\nname: 'it''s'\ndescription: d\n---\n";
        assert_eq!(
            renamed(text, "its"),
            "---\nname: its\ndescription: d\n---\n"
        );
        assert_eq!(
            renamed("---\nname: a\ndescription: d\n---\n", "2024"),
            "---\nname: \"2024\"\ndescription: d\n---\n"
        );
    }

    #[test]
    fn rename_ignores_nested_and_body_names() {
        let text = "---\nmcpServers:\n  - name: srv\ndescription: d\nname: top\n---\nname: body\n";
        assert_eq!(
            renamed(text, "other"),
            "---\nmcpServers:\n  - name: srv\ndescription: d\nname: other\n---\nname: body\n"
        );
    }

    #[test]
    fn rename_works_on_files_needing_the_lenient_retry() {
        let text = "---\nname: old\ndescription: Use it when: reviewing <example>\n---\n";
        assert_eq!(
            renamed(text, "new"),
            "---\nname: new\ndescription: Use it when: reviewing <example>\n---\n"
        );
    }

    #[test]
    fn rename_refuses_what_it_cannot_rewrite_in_place() {
        let cases = [
            (
                "---\nname: >\n  folded\ndescription: d\n---\n",
                "block scalar",
            ),
            ("---\nname: |\n  lit\ndescription: d\n---\n", "block scalar"),
            ("---\nname:\n  below\ndescription: d\n---\n", "no value"),
            (
                "---\nname: first\n  second\ndescription: d\n---\n",
                "continues",
            ),
            (
                "---\nname: \"open\n  close\"\ndescription: d\n---\n",
                "spanning several lines",
            ),
            ("---\nname: &a x\ndescription: d\n---\n", "starts with `&`"),
            ("---\n\"name\": x\ndescription: d\n---\n", "quoted key"),
            (
                "---\ndescription: d\n---\nname: x\n",
                "no top-level `name:`",
            ),
            ("# readme\nname: x\n", "no front matter"),
            ("---\nname: x\n", "never closed"),
            (
                "---\nname: x\nname: y\ndescription: d\n---\n",
                "reads as `y`",
            ),
            (
                "---\nname: x\ndescription: d\n---\n",
                "`a---b` contains `---`",
            ),
            ("---\nname: x\ndescription: d\n---\n", "`a/b` contains `/`"),
        ];
        for (text, expected) in cases {
            let new = ["a/b", "a---b"]
                .into_iter()
                .find(|n| expected.contains(n))
                .unwrap_or("fine");
            let err = rename(text.as_bytes(), new).expect_err(text);
            assert!(err.contains(expected), "{text:?}: {err}");
        }
        assert!(
            rename(b"---\nname: \xff\n---\n", "x")
                .unwrap_err()
                .contains("UTF-8")
        );
    }
}
