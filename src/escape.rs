//! Making text from a source safe to show on a terminal, and URLs safe to show at all ([`redact`]).
//!
//! Names, paths and values come from repositories anyone can publish. Printed raw, a control character
//! is a command to the terminal: `ESC ] 52` writes the clipboard, `ESC [ 2K` and `CR` erase what was
//! just printed, bidirectional controls reorder it. [`escape`] turns every such character into the
//! visible `\u001b` form (which is also a JSON string escape, so `--json` output stays valid JSON); the
//! CLI's output layer passes every byte it writes through it.

use std::borrow::Cow;

/// Does the terminal act on `c` instead of drawing it? Control characters (C0, DEL, C1), the Unicode
/// line and paragraph separators, and the bidirectional controls.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x2028..=0x202E | 0x2066..=0x2069)
}

/// `text` with every character [`is_terminal_control`] names written as `\uXXXX`; borrowed when there
/// is none (the common case).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_terminal_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_terminal_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`escape`] on each line of `text`, keeping its line breaks: for text laid out in lines by agentpack
/// itself, whose single-line parts were escaped where they were put together.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_terminal_control(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(escape).collect::<Vec<_>>().join("\n"))
}

/// Hide the password part of a URL (`https://***@host/path`), so that a URL is safe to print or to record.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{path}"),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_text_stays() {
        assert!(matches!(escape("café"), Cow::Borrowed("café")));
        assert_eq!(
            escape("x\x1b]52;c;aGk=\x07\x1b[2K\rok\u{9b}\u{202e}\n"),
            "x\\u001b]52;c;aGk=\\u0007\\u001b[2K\\u000dok\\u009b\\u202e\\u000a"
        );
        assert_eq!(escape_lines("a\x1b\nb\tc\n"), "a\\u001b\nb\\u0009c\n");
    }

    #[test]
    fn escaped_json_is_still_the_same_json() {
        let value = serde_json::json!({ "name": "a\u{85}\u{1b}\u{2066}b\u{7f}" });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let escaped = escape_lines(&text);
        assert!(!escaped.chars().any(|c| c != '\n' && is_terminal_control(c)));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&escaped).unwrap(),
            value
        );
    }

    #[test]
    fn redact_hides_only_the_userinfo_of_a_url() {
        assert_eq!(redact("https://u:p@h.com/o/r"), "https://***@h.com/o/r");
        assert_eq!(
            redact("ssh://git@h.com:22/o/r@v1"),
            "ssh://***@h.com:22/o/r@v1"
        );
        assert_eq!(redact("https://h.com/o/r@v1"), "https://h.com/o/r@v1");
        assert_eq!(redact("git@h.com:o/r"), "git@h.com:o/r");
    }
}
