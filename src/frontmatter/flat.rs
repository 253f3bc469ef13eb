//! The short-cut for the front matter most agents have: `key: value` lines and nothing else. Such text
//! is read here, line by line, into the same scalars saphyr-parser's events give, and
//! [`super::yaml`] builds its value from them with the same [`super::bun::Builder`]; anything else
//! is left to saphyr-parser. Every file the lenient retry reads goes through here twice over, as the
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
//! applies the same checks after it as after saphyr-parser. A property test (in [`super::yaml`]'s
//! tests, beside saphyr-parser's path) checks that saphyr-parser gives the same value for every text
//! read here.

/// One scalar of a line: the key's text, or the value's text (quotes and escapes resolved).
pub(super) struct Scalar<'a> {
    pub text: std::borrow::Cow<'a, str>,
    /// A plain scalar (its text resolves to null, a boolean or a number by Bun's rules).
    pub plain: bool,
}

/// The keys and values of `text`, in order, when all of it is in the form above; None otherwise
/// (including text with no key at all).
pub(super) fn read(text: &str) -> Option<Vec<(Scalar<'_>, Scalar<'_>)>> {
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

/// Characters a value never holds here (see the module docs).
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
