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

    /// Claude Code's expression `^([a-zA-Z_-]+):\s+(.+)$` for the `regex` crate, with JavaScript's
    /// meanings: `\s` is tab, vertical tab, form feed, U+FEFF, the space separators (Zs) and the line
    /// terminators; `.` is anything but a line terminator (`\n`, `\r`, U+2028, U+2029).
    static CLAUDE_CODE_LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^([a-zA-Z_-]+):[\t\v\f\x{FEFF}\p{Zs}\n\r\x{2028}\x{2029}]+([^\n\r\x{2028}\x{2029}]+)$",
        )
        .unwrap()
    });

    /// A line made of what the rule turns on: tabs, key characters (and `0`, `.`), a colon, every
    /// JavaScript space and line terminator and spaces that are not JavaScript's (U+0085, U+180E,
    /// U+200B), then a value of quotes, brackets, a list, every special character, `: `, backslashes
    /// and multi-byte characters, sometimes wrapped in quotes or brackets, matching or not.
    fn line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pieces = |many: &[&str], chars: &str| -> Vec<String> {
            (many.iter().map(|s| s.to_string()))
                .chain(chars.chars().map(String::from))
                .collect()
        };
        let spaces = pieces(
            &[],
            " \t\u{a0}\u{1680}\u{2000}\u{200a}\u{202f}\u{205f}\u{3000}\u{feff}\u{b}\u{c}\r\u{2028}\u{2029}\
             \u{85}\u{180e}\u{200b}",
        );
        let value = pieces(
            &["b c", ": ", "a:b", "[a, b]"],
            "a:,'\"[]{}*&#!|>%@`\\é\u{1F600}\r\u{2028}\u{2029}\u{a0} \t\u{85}\u{feff}",
        );
        // Each an opening and a closing character, or neither.
        let ends = ["", "", "''", "\"\"", "[]", "\"'"];
        (
            prop_oneof![3 => Just(""), 1 => Just("\t")],
            "[aZ_-][aZ0._-]{0,2}|[0.]?",
            prop_oneof![1 => Just(""), 4 => Just(":")],
            proptest::collection::vec(proptest::sample::select(spaces), 0..3),
            proptest::sample::select(ends.map(|end| end.split_at(end.len() / 2)).to_vec()),
            proptest::collection::vec(proptest::sample::select(value), 0..6),
        )
            .prop_map(|(tab, key, colon, spaces, (open, close), value)| {
                format!(
                    "{tab}{key}{colon}{}{open}{}{close}",
                    spaces.concat(),
                    value.concat()
                )
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// A line is quoted only when Claude Code's expression matches it, with the key and value it
        /// captures, and the value needs quotes and is not wrapped in them; a line it matches is left
        /// alone only when the value needs no quotes or is wrapped in quotes or brackets.
        #[test]
        fn a_line_is_quoted_as_claude_codes_expression_captures_it(line in line()) {
            let captured = CLAUDE_CODE_LINE.captures(&line).map(|c| {
                let (_, [key, value]) = c.extract();
                (key, value)
            });
            let wrapped = |value: &str, open: char, close: char| {
                value.starts_with(open) && value.ends_with(close)
            };
            let in_quotes = |value: &str| wrapped(value, '"', '"') || wrapped(value, '\'', '\'');
            let special = |value: &str| value.contains(|c| "{}[]*&#!|>%@`".contains(c)) || value.contains(": ");
            match (quoted(&line), captured) {
                (Some(quoted), captured) => {
                    proptest::prop_assert_eq!(Some(quoted), captured);
                    proptest::prop_assert!(special(quoted.1) && !in_quotes(quoted.1));
                }
                (None, Some((_, value))) => proptest::prop_assert!(
                    !special(value) || in_quotes(value) || wrapped(value, '[', ']'),
                    "{line:?} is left alone"
                ),
                (None, None) => {}
            }
        }
    }

    #[test]
    fn list_values_that_parse_are_kept() {
        assert_eq!(rewrite("tools: [Read, Grep]"), "tools: [Read, Grep]");
        assert_eq!(rewrite("tools: [a: b"), "tools: \"[a: b\"");
        assert_eq!(rewrite("tools: [Read] x"), "tools: \"[Read] x\"");
    }
}
