//! The short-cut for the front matter most agents have: `key: value` lines and nothing else. Such text
//! is read here, line by line, into the same scalars saphyr-parser's events give, and its value is
//! built from them with the same [`super::bun::Builder`]; [`super::yaml`] leaves anything else to
//! saphyr-parser. Every file the lenient retry reads goes through here twice over, as the
//! retry writes the values it quotes in the one form this reads (`key: "…"`).
//!
//! What is read here (all of it, or the text is not read at all):
//!
//! - lines separated by `\n`, each empty or `key: value` starting at column 0;
//! - a key of at most 128 ASCII letters, digits, `_` and `-`, starting with a letter; then `:` and one
//!   or more spaces;
//! - a plain value on its one line: it starts with neither white space nor a YAML indicator, holds no
//!   `: `, no `#`, no `[`, `]`, `{`, `}`, no tab, and does not end with `:` or a space;
//! - or a double-quoted value that ends its line, whose only escapes are `\\` and `\"`;
//! - every character of a value printable as YAML has it (no control characters, no U+FEFF, none of
//!   U+0085, U+2028, U+2029, which some parsers take for line breaks).
//!
//! None of what the guards or the divergences look for (anchors, tags, aliases, block scalars, CR,
//! tabs, indentation, flow collections, comments, document markers) can be in such text, so the caller
//! applies the same checks after it as after saphyr-parser. The property test below checks that
//! saphyr-parser's path gives the same value for every text read here.

use serde_yaml_ng::Value;

use super::bun::{Builder, ScalarTag};

/// One scalar of a line: the key's text, or the value's text (quotes and escapes resolved).
struct Scalar<'a> {
    text: std::borrow::Cow<'a, str>,
    /// A plain scalar (its text resolves to null, a boolean or a number by Bun's rules).
    plain: bool,
}

/// The value of `text` (one mapping, built as from saphyr-parser's events), when all of it is in the form
/// above; None otherwise (including text with no key at all).
pub(super) fn read(text: &str) -> Option<Value> {
    let pairs = scalars(text)?;
    let mut builder = Builder::default();
    builder.start_map();
    for (key, value) in pairs {
        builder.scalar(&key.text, key.plain, ScalarTag::Untagged);
        builder.scalar(&value.text, value.plain, ScalarTag::Untagged);
    }
    builder.end();
    Some(builder.finish())
}

/// The keys and values of `text`, in order (see [`read`]).
fn scalars(text: &str) -> Option<Vec<(Scalar<'_>, Scalar<'_>)>> {
    let mut pairs = Vec::new();
    for line in text.split('\n') {
        if line.is_empty() {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        let value = rest.trim_start_matches(' ');
        if value.len() == rest.len() || !is_key(key) {
            return None;
        }
        let key = Scalar {
            text: key.into(),
            plain: true,
        };
        pairs.push((key, plain(value).or_else(|| double_quoted(value))?));
    }
    (!pairs.is_empty()).then_some(pairs)
}

/// Keys longer than this are left to saphyr-parser (YAML bounds a key on one line at 1024 characters).
const MAX_KEY: usize = 128;

fn is_key(key: &str) -> bool {
    key.len() <= MAX_KEY
        && key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Characters a value may hold here (see the module docs): YAML's printable ones, less a few.
fn printable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

fn plain(value: &str) -> Option<Scalar<'_>> {
    let first = value.chars().next()?;
    // The other indicators (`#`, `[`, `]`, `{`, `}`) are refused anywhere in the value, and white
    // space was trimmed off by the caller.
    let starts_well = !matches!(
        first,
        '-' | '?' | ':' | ',' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`'
    );
    let holds_well = value
        .chars()
        .all(|c| printable(c) && !matches!(c, '#' | '[' | ']' | '{' | '}'));
    (starts_well && holds_well && !value.contains(": ") && !value.ends_with([':', ' '])).then(
        || Scalar {
            text: value.into(),
            plain: true,
        },
    )
}

fn double_quoted(value: &str) -> Option<Scalar<'_>> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains(['\\', '"']) {
        return inner.chars().all(printable).then(|| Scalar {
            text: inner.into(),
            plain: false,
        });
    }
    let mut text = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                escaped @ ('\\' | '"') => text.push(escaped),
                _ => return None,
            },
            '"' => return None,
            c if printable(c) => text.push(c),
            _ => return None,
        }
    }
    Some(Scalar {
        text: text.into(),
        plain: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontmatter::{lenient, yaml};

    /// What [`read`] reads, saphyr-parser reads the same: the same value, and nothing the guards
    /// or the divergence checks would refuse.
    fn same_as_saphyr(text: &str) -> Result<(), String> {
        let Some(fast) = read(text) else {
            return Ok(());
        };
        match yaml::read_by_events(text) {
            Ok(value) if value == fast => Ok(()),
            Ok(value) => Err(format!("{text:?}: {fast:?} against {value:?}")),
            Err(e) => Err(format!(
                "{text:?}: {fast:?}, where saphyr-parser's path gives {e}"
            )),
        }
    }

    /// Lines close to the `key: value` form, on both sides of every rule of this module: mostly in the form,
    /// with one part out of it now and then.
    fn near_flat_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let pieces = |many: &[&str], chars: &str| -> Vec<String> {
            (many.iter().map(|s| s.to_string()))
                .chain(chars.chars().map(String::from))
                .collect()
        };
        let key = prop_oneof![
            6 => select(pieces(&["name", "description", "a-b", "a_1", "true", "null", "y"], "aZ")),
            1 => select(pieces(&["1", "<<", "a b", "", "-a", "a.b"], "-_. \t")),
        ];
        let separator = prop_oneof![
            6 => Just(": ".to_string()),
            1 => select(pieces(&[":  ", ":", ":\t", " : ", ": \t"], "")),
        ];
        let safe = pieces(
            &[
                "Use it",
                "null",
                "~",
                "true",
                "0x1F",
                "1e3",
                ".inf",
                "-1",
                "<example>",
                "a:b",
                "é",
            ],
            "a ,:'\\-?!&*|>%@`~\u{1F600}\u{a0}",
        );
        let edge = pieces(
            &[
                ": ",
                "::",
                " #",
                "\\\\n",
                "\\\"",
                "- a",
                "? a",
                "---",
                "...",
                "[a, b]",
                "{a: b}",
                // An escape next to a character the form refuses, which only the quoted form's
                // slow path (the one with escapes) sees.
                "\\\\\r",
                "\\\"\u{1}",
                "\\\\\u{85}",
            ],
            "#\"[]{}\t\r\u{1}\u{7f}\u{85}\u{2028}\u{feff}\u{fffe}",
        );
        let value = prop_oneof![
            12 => select(safe),
            1 => Just(": ".to_string()),
            2 => select(edge),
        ];
        let quotes = prop_oneof![
            3 => Just(("", "")),
            2 => Just(("\"", "\"")),
            1 => select(vec![("'", "'"), ("\"", ""), ("", "\""), (" ", "")]),
        ];
        (
            key,
            separator,
            quotes,
            proptest::collection::vec(value, 0..5),
        )
            .prop_map(|(key, separator, (open, close), value)| {
                format!("{key}{separator}{open}{}{close}", value.concat())
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn flat_front_matter_reads_as_saphyr_parser_reads_it(
            lines in proptest::collection::vec(
                proptest::prop_oneof![8 => near_flat_line(), 1 => proptest::strategy::Just(String::new())],
                1..5,
            ),
            end in proptest::prop_oneof![proptest::strategy::Just(""), proptest::strategy::Just("\n")],
        ) {
            let text = format!("{}{end}", lines.join("\n"));
            if let Err(e) = same_as_saphyr(&text) {
                proptest::prop_assert!(false, "{}", e);
            }
        }
    }

    /// The short-cut takes the front matter published agents have, and what the lenient retry makes of
    /// it, with the value saphyr-parser gives; it leaves alone anything past its form.
    #[test]
    fn flat_front_matter_is_read_without_saphyr_parser() {
        let published = "name: api-designer\ndescription: Designs APIs. Examples:\\n<example>user: \"an API\"</example>\ntools: Read, Grep, Bash(git log:*)\nmodel: sonnet\ncolor: blue\n";
        let retried = lenient::rewrite(published);
        let simple = "name: x\ndescription: \"Say \\\"hi\\\" \\\\ bye\"\n\nmodel: 1e3\nenabled: true\nlabel: ~\n";
        for text in [retried.as_str(), simple, "a: b"] {
            assert!(read(text).is_some(), "{text:?}");
            assert_eq!(same_as_saphyr(text), Ok(()));
        }
        let Some(Value::Mapping(map)) = read(simple) else {
            panic!("a mapping");
        };
        assert_eq!(map["description"].as_str(), Some("Say \"hi\" \\ bye"));
        assert_eq!(map["model"].as_f64(), Some(1000.0));
        assert_eq!(map["enabled"].as_bool(), Some(true));
        assert!(map["label"].is_null());
        for text in [
            published,
            "",
            "\n",
            "a: b # c",
            "a: \"b\" # c",
            "a: \"b\\nc\"",
            "a: &x b",
            "a: !!str 1",
            "a: |\n  b",
            "a:\n  - b",
            "  a: b",
            "a: b\r",
            "a:\tb",
            "a:",
            "- a",
            "a: [b]",
            "a: b:",
            "a: b\u{85}c",
            "a: \"\\\\\r\"",
            "a: \"\\\"\u{1}\"",
            &format!("{}: b", "k".repeat(129)),
            // Left to the parser though it reads them the same today: YAML's printable characters
            // leave out DEL and U+FFFE, JavaScript breaks lines at U+2028, a `:` starts a plain
            // value only before a safe character, and a key is a name, not a number or a path.
            "a: b\u{7f}",
            "a: b\u{fffe}",
            "a: b\u{2028}c",
            "a: :x",
            "1: x",
            "a.b: x",
        ] {
            assert!(read(text).is_none(), "{text:?}");
        }
    }
}
