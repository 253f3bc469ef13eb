//! Claude Code's lenient retry: when front matter is not valid YAML, Claude Code rewrites simple
//! `key: value` lines whose value would confuse a YAML parser into double-quoted strings and parses once
//! more. agentpack must load exactly what Claude Code loads, so this is a line-for-line copy of that rule
//! (see CLAUDE_CODE_FORMAT.md), not a general YAML repair.

/// Characters that make Claude Code quote a value; `: ` (two characters) is checked separately.
const SPECIAL: &[char] = &[
    '{', '}', '[', ']', '*', '&', '#', '!', '|', '>', '%', '@', '`',
];

/// Rewrite `yaml` the way Claude Code's retry does. The line count never changes, so a position in the
/// rewritten text is on the same line as in the original.
pub(crate) fn rewrite(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + 64);
    for (i, raw) in yaml.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // CRLF files: the `\r` is kept as the line ending, not treated as part of the value. (A regex
        // with `.+$` would refuse CRLF lines entirely; quoting them the same as LF lines keeps a file's
        // meaning independent of its line endings.)
        let (line, cr) = match raw.strip_suffix('\r') {
            Some(l) => (l, "\r"),
            None => (raw, ""),
        };
        match rewrite_line(line) {
            Some(new) => out.push_str(&new),
            None => out.push_str(line),
        }
        out.push_str(cr);
    }
    out
}

/// True when the retry rewrites `line` (a line of the front matter, with or without its `\r`).
pub(crate) fn rewrites(line: &str) -> bool {
    rewrite_line(line.strip_suffix('\r').unwrap_or(line)).is_some()
}

/// The quoted form of one line, or None when the rule leaves it alone.
fn rewrite_line(line: &str) -> Option<String> {
    // `^([a-zA-Z_-]+):\s+(.+)$`: a key of ASCII letters, `_` and `-` at column 0 (so list items, indented
    // lines and comments never match), a colon, at least one space, and a non-empty rest of line.
    let key_len = line
        .bytes()
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'-')
        .count();
    if key_len == 0 {
        return None;
    }
    let (key, rest) = line.split_at(key_len);
    let rest = rest.strip_prefix(':')?;
    let value = rest.trim_start_matches(char::is_whitespace);
    if value.len() == rest.len() || value.is_empty() {
        // No whitespace after the colon, or nothing after it (a value of only spaces has nothing to quote).
        return None;
    }
    // `.` does not match line terminators, so such a line is not of the `key: value` form.
    if value.contains(['\r', '\u{2028}', '\u{2029}']) {
        return None;
    }
    let wrapped = |q: char| value.starts_with(q) && value.ends_with(q);
    if wrapped('"') || wrapped('\'') {
        return None;
    }
    if !value.contains(SPECIAL) && !value.contains(": ") {
        return None;
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!("{key}: \"{escaped}\""))
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
    fn reports_which_lines_it_rewrites() {
        assert!(rewrites("description: a: b\r"));
        assert!(!rewrites("description: a b\r"));
    }

    #[test]
    fn keeps_crlf_and_line_count() {
        let yaml = "name: a\r\ndescription: x: y\r\ncolor: red\r\n";
        let out = rewrite(yaml);
        assert_eq!(out, "name: a\r\ndescription: \"x: y\"\r\ncolor: red\r\n");
        assert_eq!(out.lines().count(), yaml.lines().count());
    }
}
