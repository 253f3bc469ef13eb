//! Where Bun's parser may reject front matter that agentpack's parser (saphyr-parser) accepts.
//!
//! Claude Code reads front matter through its lenient retry only when Bun's parser throws, and the
//! retry reads some values differently (`tools: Read # Bash` is `Read` to YAML and `Read # Bash` to
//! the retry). saphyr-parser is more permissive than Bun's parser in three places, found by the
//! differential tests: tags written in unusual ways (`!x.y`, `!<...>`; a tag Bun's parser always
//! rejects, such as `!%41` or `!:`, makes agentpack's strict parse fail too), tabs in the
//! indentation of a line (` \tkey: x`, a tab-indented line inside a flow collection, even a line of
//! only a tab or a comment after a line ending in a comment), and explicit
//! or empty keys (`? x`, `- : x`). Where front matter has one of these and the retry would read it
//! differently, agentpack cannot tell which reading Claude Code loads, and the caller refuses it.

use serde_yaml_ng::Value;

use super::yaml::Failure;

/// The front matter's text at the parser's positions, which count characters.
pub(crate) struct Source<'a> {
    text: &'a str,
    /// Whether every character is one byte (most front matter): a character index is then a byte offset.
    ascii: bool,
    /// Byte offset of each character, built when first needed (for text that is not ASCII).
    offsets: Option<Vec<usize>>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Self {
        Source {
            text,
            ascii: text.is_ascii(),
            offsets: None,
        }
    }

    /// The text from character `index` on.
    fn rest(&mut self, index: usize) -> &'a str {
        let text = self.text;
        if self.ascii {
            return text.get(index..).unwrap_or("");
        }
        let offsets = self
            .offsets
            .get_or_insert_with(|| text.char_indices().map(|(i, _)| i).collect());
        offsets.get(index).map_or("", |&at| &text[at..])
    }

    /// The tag as written at character `index` (where the parser says the tagged node starts), or
    /// `fallback` when the node does not start with it (an anchor before the tag). A bare `!` comes
    /// with the flow indicator right after it, if any (`!]`), which Bun's parser rejects.
    pub fn tag_at(&mut self, index: usize, fallback: impl FnOnce() -> String) -> String {
        let rest = self.rest(index);
        if !rest.starts_with('!') {
            return fallback();
        }
        let end = if rest.starts_with("!<") {
            rest.find('>').map_or(rest.len(), |i| i + 1)
        } else {
            match rest.find(|c: char| c.is_whitespace() || ",[]{}".contains(c)) {
                Some(1) if !rest[1..].starts_with(char::is_whitespace) => 2,
                Some(end) => end,
                None => rest.len(),
            }
        };
        rest[..end].to_string()
    }

    /// Whether the plain scalar at character `index` starts with `|` or `>`, which Bun's parser
    /// rejects in a flow collection (`[a, |]`) where YAML reads text.
    pub fn block_indicator_at(&mut self, index: usize) -> bool {
        self.rest(index).starts_with(['|', '>'])
    }
}

/// Whether Bun's parser reads the tag `written` the way YAML does: `!` or `!!` followed by letters,
/// digits and `-` only.
pub(crate) fn is_plain_tag(written: &str) -> bool {
    if written == "!" {
        return true;
    }
    let name = written
        .strip_prefix("!!")
        .or_else(|| written.strip_prefix('!'))
        .unwrap_or_default();
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether Bun's parser accepts the tag `written` at all: it throws on a tag whose name starts with
/// anything but a letter, a digit or `-` (`!%41`, `!:`, `!é`), or holds a `%` not followed by two hex
/// digits. A verbatim tag (`!<...>`) and the non-specific `!` are accepted.
pub(crate) fn bun_accepts_tag(written: &str) -> bool {
    if written == "!" || written.starts_with("!<") {
        return true;
    }
    let name = written
        .strip_prefix("!!")
        .or_else(|| written.strip_prefix('!'))
        .unwrap_or_default();
    let bytes = name.as_bytes();
    let escapes_ok = (0..bytes.len()).filter(|&i| bytes[i] == b'%').all(|i| {
        bytes
            .get(i + 1..i + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    bytes
        .first()
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && escapes_ok
}

/// A line Bun's parser may reject, where, and whether any line starts with a tab: Bun's parser
/// throws on such a line in more places than not, so when the lenient retry cannot read the front
/// matter either, Claude Code most likely skips the file.
pub(crate) struct RiskyLine {
    pub at: Failure,
    pub leading_tab: bool,
}

/// The first line whose indentation holds a tab, or that starts with an explicit or
/// empty key (`? x`, `: x`, after any `- `). A lone `\r` breaks lines too, as in YAML; positions
/// count lines by `\n`, as every diagnostic does.
pub(crate) fn risky_line(yaml: &str, first_line: usize) -> Option<RiskyLine> {
    let yaml_lines = || yaml.split('\n').flat_map(|l| l.split('\r'));
    let leading_tab = yaml_lines().any(|l| l.starts_with('\t'));
    for (i, line) in yaml.split('\n').enumerate() {
        let mut start = 0;
        for piece in line.split('\r') {
            let found = risky_piece(piece).map(|(offset, problem)| RiskyLine {
                at: Failure {
                    problem: problem.to_string(),
                    line: first_line + i,
                    col: line[..start + offset].chars().count() + 1,
                },
                leading_tab,
            });
            if found.is_some() {
                return found;
            }
            start += piece.len() + 1;
        }
    }
    None
}

/// Byte offset and description of what [`risky_line`] looks for in one line.
fn risky_piece(line: &str) -> Option<(usize, &'static str)> {
    let content = line.trim_start_matches([' ', '\t']);
    let indent = &line[..line.len() - content.len()];
    // Even before a comment or nothing: Bun's parser throws on `\t#c` after a line that ends in a
    // comment.
    if let Some(tab) = indent.find('\t') {
        return Some((tab, "a tab in the indentation of this line"));
    }
    let mut item = content;
    while let Some(rest) = item
        .strip_prefix('-')
        .filter(|r| r.starts_with([' ', '\t']))
    {
        item = rest.trim_start_matches([' ', '\t']);
    }
    let key_indicator = item.starts_with(['?', ':'])
        && item[1..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t');
    key_indicator.then_some((line.len() - item.len(), "an explicit or empty key here"))
}

/// The first top-level key whose value differs between `strict` and `retried` (a key only one of
/// them has counts), or `None` when they are the same.
pub(crate) fn first_difference(strict: &Value, retried: &Value) -> Option<String> {
    match (strict, retried) {
        (Value::Mapping(a), Value::Mapping(b)) => a
            .iter()
            .find(|(k, v)| b.get(*k).is_none_or(|w| !same(v, w)))
            .or_else(|| b.iter().find(|(k, _)| !a.contains_key(*k)))
            .map(|(k, _)| super::bun::js_string(k)),
        _ => (!same(strict, retried)).then(|| "the front matter".to_string()),
    }
}

/// Equality with NaN equal to itself (`.nan` is NaN in both readings).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_nan() && y.is_nan() => true,
            _ => x == y,
        },
        (Value::Sequence(x), Value::Sequence(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Mapping(x), Value::Mapping(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_tags() {
        for tag in ["!", "!!str", "!int", "!x-1"] {
            assert!(is_plain_tag(tag), "{tag}");
        }
        for tag in ["!!", "!%41", "!!%69nt", "!<!>", "!e!x", "!x.y", "!é"] {
            assert!(!is_plain_tag(tag), "{tag}");
        }
    }

    #[test]
    fn tags_bun_rejects() {
        for tag in ["!", "!x", "!!str", "!<%>", "!a%20b", "!x.y", "!-"] {
            assert!(bun_accepts_tag(tag), "{tag}");
        }
        for tag in [
            "!%41", "!!%69nt", "!:", "!é", "!int%", "!a%2", "!x%zz", "!!",
        ] {
            assert!(!bun_accepts_tag(tag), "{tag}");
        }
    }

    #[test]
    fn tag_text_is_read_where_the_node_starts() {
        let text = "é: !int 1\nb: !<x y> 2\nc: [!a,b]\nd: [!]\ne: [! ]\n";
        let mut source = Source::new(text);
        assert_eq!(source.tag_at(3, String::new), "!int");
        assert_eq!(source.tag_at(13, String::new), "!<x y>");
        assert_eq!(source.tag_at(26, String::new), "!a");
        assert_eq!(source.tag_at(36, String::new), "!]");
        assert_eq!(source.tag_at(43, String::new), "!");
        assert_eq!(source.tag_at(0, || "fallback".into()), "fallback");
        let mut source = Source::new("a: [b, |]\n");
        assert!(source.block_indicator_at(7));
        assert!(!source.block_indicator_at(4));
        assert!(!source.block_indicator_at(99));
        // ASCII text, where a character index is a byte offset.
        let mut source = Source::new("e: !int 1\n");
        assert_eq!(source.tag_at(3, String::new), "!int");
        assert_eq!(source.tag_at(99, || "fallback".into()), "fallback");
    }

    proptest::proptest! {
        /// For every text and index (ASCII or not, CRLF, past the end), the short-cut for ASCII text
        /// reads what the character offsets read.
        #[test]
        fn ascii_text_is_read_as_the_character_offsets_read(
            text in "[a-z!<>|, \t\r\n\\[\\]é\u{FEFF}\u{1F600}]{0,40}",
            index in 0usize..50,
        ) {
            let mut by_offsets = Source { text: &text, ascii: false, offsets: None };
            let mut source = Source::new(&text);
            proptest::prop_assert_eq!(source.rest(index), by_offsets.rest(index));
            proptest::prop_assert_eq!(
                source.tag_at(index, || "-".into()),
                by_offsets.tag_at(index, || "-".into())
            );
        }
    }

    #[test]
    fn risky_lines() {
        let at = |yaml: &str| risky_line(yaml, 2).map(|r| (r.at.line, r.at.col));
        assert!(risky_line("a: 1\n\t# c\n", 2).is_some_and(|r| r.leading_tab));
        assert!(risky_line("a: 1\n \t# c\n", 2).is_some_and(|r| !r.leading_tab));
        assert!(risky_line("? a\n: b\n\t\n", 2).is_some_and(|r| r.leading_tab));
        // A lone `\r` breaks lines.
        assert_eq!(at("a: 1 # c\r\t#x\n"), Some((2, 10)));
        assert_eq!(at("a: 1\r\n\tb\n"), Some((3, 1)));
        assert_eq!(at("a: 1\n \tb: 2\n"), Some((3, 2)));
        assert_eq!(at("a: [1,\n\t2]\n"), Some((3, 1)));
        assert_eq!(at("a: 1\n\t# c\n"), Some((3, 1)));
        assert_eq!(at("a: 1\n \t\r\n"), Some((3, 2)));
        assert_eq!(at("a: b\t c\n"), None);
        assert_eq!(at("? a\n: b\n"), Some((2, 1)));
        assert_eq!(at("x:\n  - - : y\n"), Some((3, 7)));
        assert_eq!(at("a: ?b\nc: what?\n-x: :y\n"), None);
    }

    #[test]
    fn differences_name_the_key() {
        let parse = |s: &str| serde_yaml_ng::from_str::<Value>(s).unwrap();
        let a = parse("name: a\ntools: Read\nx: .nan\n");
        assert_eq!(first_difference(&a, &a.clone()), None);
        let b = parse("name: a\ntools: 'Read # Bash'\nx: .nan\n");
        assert_eq!(first_difference(&a, &b).as_deref(), Some("tools"));
        let c = parse("name: a\ntools: Read\nx: .nan\nhooks: x\n");
        assert_eq!(first_difference(&a, &c).as_deref(), Some("hooks"));
        assert_eq!(
            first_difference(&parse("[a]"), &parse("[b]")).as_deref(),
            Some("the front matter")
        );
    }
}
