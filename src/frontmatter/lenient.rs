//! Claude Code's lenient retry: when front matter is not valid YAML, Claude Code rewrites simple
//! `key: value` lines whose value would confuse a YAML parser into double-quoted strings, turns leading
//! tabs into spaces, and parses once more. agentpack must load exactly what Claude Code loads, so this
//! is a line-for-line copy of that rule (see CLAUDE_CODE_FORMAT.md), not a general YAML repair: it
//! follows the JavaScript regular expression `^([a-zA-Z_-]+):\s+(.+)$` on each `\n`-separated line,
//! so a line ending in `\r` (CRLF files) is never quoted, exactly as in Claude Code.

use super::source::is_js_space;
use super::yaml;

/// Characters that make Claude Code quote a value; `: ` (two characters) is checked separately.
const SPECIAL: &[char] = &[
    '{', '}', '[', ']', '*', '&', '#', '!', '|', '>', '%', '@', '`',
];

/// Rewrite `yaml` the way Claude Code's retry does. The line count never changes, so a position in the
/// rewritten text is on the same line as in the original.
pub(crate) fn rewrite(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 64);
    for (i, line) in yaml.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        match quoted(line) {
            Some((key, value)) => {
                out.push_str(key);
                out.push_str(": \"");
                for c in value.chars() {
                    if matches!(c, '\\' | '"') {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
            None => {
                let tabs = line.len() - line.trim_start_matches('\t').len();
                (0..tabs).for_each(|_| out.push_str("  "));
                out.push_str(&line[tabs..]);
            }
        }
    }
    out
}

/// The key and the value of a line the rule quotes, or None when it leaves the line alone.
fn quoted(line: &str) -> Option<(&str, &str)> {
    // A key of ASCII letters, `_` and `-` at column 0 (so list items, indented lines and comments never
    // match), a colon, at least one whitespace character, and a rest of line that `.` matches.
    let key_len = line
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'-')
        .count();
    if key_len == 0 {
        return None;
    }
    let (key, rest) = line.split_at(key_len);
    let rest = rest.strip_prefix(':')?;
    let value = rest.trim_start_matches(is_js_space);
    if value.len() == rest.len() || value.is_empty() {
        // No whitespace after the colon, or nothing after it (a value of only spaces has nothing to quote).
        return None;
    }
    // `.` does not match line terminators, so such a line is not of the `key: value` form.
    if value.contains(['\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let wrapped = |open: char, close: char| value.starts_with(open) && value.ends_with(close);
    if wrapped('"', '"') || wrapped('\'', '\'') || (wrapped('[', ']') && yaml::is_list(value)) {
        return None;
    }
    if !value.contains(SPECIAL) && !value.contains(": ") {
        return None;
    }
    Some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_values_with_colon_space_and_examples() {
        assert_eq!(
            rewrite("description: Use it. Examples:\\n<example>user: \"hi\"</example>\n"),
            "description: \"Use it. Examples:\\\\n<example>user: \\\"hi\\\"</example>\"\n"
        );
    }

    #[test]
    fn quotes_values_with_special_characters() {
        assert_eq!(rewrite("color: #10B981"), "color: \"#10B981\"");
        assert_eq!(rewrite("a: b @c"), "a: \"b @c\"");
        assert_eq!(rewrite("a: use `x`"), "a: \"use `x`\"");
        assert_eq!(rewrite("a:\tx > y"), "a: \"x > y\"");
    }

    #[test]
    fn leaves_other_lines_alone() {
        for line in [
            "description: \"already: quoted\"",
            "description: 'already: quoted'",
            "- item: with # hash",
            "  nested: with # hash",
            "# comment: with # hash",
            "key2: has # digit in key",
            "plain: nothing special here",
            "colon:no-space # x",
            "tools:",
            "url: http://example.com",
        ] {
            assert_eq!(rewrite(line), line, "{line}");
        }
    }

    #[test]
    fn matching_quotes_only_count_when_both_ends_match() {
        assert_eq!(rewrite("a: \"x: y'"), "a: \"\\\"x: y'\"");
    }

    #[test]
    fn crlf_lines_are_left_alone_as_in_claude_code() {
        let yaml = "name: a\r\ndescription: x: y\r\ncolor: red\r\n";
        assert_eq!(rewrite(yaml), yaml);
    }

    #[test]
    fn leading_tabs_become_two_spaces_each() {
        assert_eq!(
            rewrite("tools:\n\t- Read\n\t\tx: \ty\n a\tb\n"),
            "tools:\n  - Read\n    x: \ty\n a\tb\n"
        );
    }

    #[test]
    fn list_values_that_parse_are_kept() {
        assert_eq!(rewrite("tools: [Read, Grep]"), "tools: [Read, Grep]");
        assert_eq!(rewrite("tools: [a: b"), "tools: \"[a: b\"");
        assert_eq!(rewrite("tools: [Read] x"), "tools: \"[Read] x\"");
    }
}
