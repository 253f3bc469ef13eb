//! Building the value Claude Code's YAML parser (Bun's `Bun.YAML.parse`) gives for a YAML event
//! stream, with its rules rather than a YAML library's: the differential tests against Bun
//! (`differential.rs`) are what keeps these honest.
//!
//! - Plain scalars resolve by the YAML 1.2 core schema as Bun implements it: `~`, `null`, `Null`,
//!   `NULL` and the empty scalar are null; `true`/`True`/`TRUE` (and the same for false) are booleans;
//!   `017` is 17, `0o17` is 15, `0x1F` is 31 (signs allowed), `1.`, `.5`, `1e3`, `.inf`, `.nan` are
//!   numbers; `yes`, `on`, `0b1`, `1_000`, `0O17` are strings. Every number is a JavaScript number.
//! - Tags do not change collections or quoted scalars. On a plain scalar, Bun goes by how the tag is
//!   written ([`ScalarTag`]): `!!str`, `!str` and `!` alone make text (`""` when empty); `!!int`,
//!   `!!float` (or `!int`, `!float`) keep a number and make anything else text, `!!bool`/`!bool` keep
//!   a boolean, `!!null`/`!null` keep a null; any other tag (`!x`, `!<...>`, `!e!str`) makes text. An
//!   empty scalar is null under every tag but the text ones.
//! - A repeated key is accepted and the last one wins; every key becomes text the way JavaScript turns
//!   a value into a property name (`1.50` → `1.5`, `[a, b]` → `a,b`, a map → `[object Object]`).
//! - A `<<` key (quoted or not) whose value is a map, or a list of maps, merges them: a merged key is
//!   set only when the mapping does not have it yet, earlier maps first; explicit keys always win. Any
//!   other `<<` value is an ordinary key.
//! - Several documents (after `...`) make a list of documents; none makes null. A `...` before the
//!   first document ends an empty one, so what follows is a second document.
//!
//! Anchors and aliases are not expanded here: the caller refuses front matter holding an anchor
//! (Claude Code's guarded mode does), so an alias value is only a placeholder that is never used.

use serde_yaml_ng::{Mapping, Number, Value};

/// The largest integer a JavaScript number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A plain scalar's tag as Bun's parser reads it: by the letters written, whatever `%TAG` or
/// percent-escapes would make of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScalarTag {
    Untagged,
    /// `!!str`, `!str`, or the non-specific `!`.
    Text,
    /// `!!int`, `!!float`, `!int`, `!float`.
    Number,
    Bool,
    Null,
    Other,
}

impl ScalarTag {
    /// The tag as written in the text: `!`, `!!int`, `!int`, `!<tag:yaml.org,2002:int>`, `!e!x`, ...
    pub fn written(tag: &str) -> Self {
        if tag == "!" {
            return ScalarTag::Text;
        }
        let name = tag.strip_prefix("!!").or_else(|| tag.strip_prefix('!'));
        match name {
            Some("str") => ScalarTag::Text,
            Some("int" | "float") => ScalarTag::Number,
            Some("bool") => ScalarTag::Bool,
            Some("null") => ScalarTag::Null,
            _ => ScalarTag::Other,
        }
    }
}

/// A collection being built.
enum Frame {
    Seq(Vec<Value>),
    Map {
        map: Mapping,
        /// The key waiting for its value.
        key: Option<String>,
    },
}

/// Collects finished nodes into collections and documents.
#[derive(Default)]
pub(crate) struct Builder {
    stack: Vec<Frame>,
    docs: Vec<Value>,
}

impl Builder {
    /// Nesting depth of the collection being built (0 at document level).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    pub fn start_seq(&mut self) {
        self.stack.push(Frame::Seq(Vec::new()));
    }

    pub fn start_map(&mut self) {
        self.stack.push(Frame::Map {
            map: Mapping::new(),
            key: None,
        });
    }

    /// Ends the innermost collection.
    pub fn end(&mut self) {
        let value = match self.stack.pop() {
            Some(Frame::Seq(items)) => Value::Sequence(items),
            Some(Frame::Map { map, .. }) => Value::Mapping(map),
            None => return,
        };
        self.node(value);
    }

    /// A scalar node: `text` as written (escapes resolved), whether it was plain, and its tag.
    pub fn scalar(&mut self, text: &str, plain: bool, tag: ScalarTag) {
        let value = if !plain {
            Value::String(text.to_string())
        } else {
            tagged_plain(text, tag)
        };
        self.node(value);
    }

    /// An empty document (a `...` before any content).
    pub fn empty_document(&mut self) {
        self.docs.push(Value::Null);
    }

    /// An alias; see the module docs for why it is only a placeholder.
    pub fn alias(&mut self) {
        self.node(Value::Null);
    }

    fn node(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.docs.push(value),
            Some(Frame::Seq(items)) => items.push(value),
            Some(Frame::Map { map, key }) => match key.take() {
                None => *key = Some(js_string(&value)),
                Some(k) => insert(map, k, value),
            },
        }
    }

    /// The parsed stream: one document's value, a list of several, or null for none.
    pub fn finish(mut self) -> Value {
        match self.docs.len() {
            0 => Value::Null,
            1 => self.docs.pop().unwrap_or(Value::Null),
            _ => Value::Sequence(self.docs),
        }
    }
}

fn insert(map: &mut Mapping, key: String, value: Value) {
    if key == "<<" {
        match value {
            Value::Mapping(merged) => return merge(map, merged),
            Value::Sequence(items) => {
                for item in items {
                    if let Value::Mapping(merged) = item {
                        merge(map, merged);
                    }
                }
                return;
            }
            other => {
                map.insert(Value::String(key), other);
                return;
            }
        }
    }
    map.insert(Value::String(key), value);
}

fn merge(map: &mut Mapping, merged: Mapping) {
    for (k, v) in merged {
        if !map.contains_key(&k) {
            map.insert(k, v);
        }
    }
}

/// What a plain scalar under `tag` means (see the module docs).
fn tagged_plain(text: &str, tag: ScalarTag) -> Value {
    let text_value = || Value::String(text.to_string());
    if tag == ScalarTag::Text {
        return text_value();
    }
    if text.is_empty() {
        return Value::Null;
    }
    let value = resolve_plain(text);
    let kept = match tag {
        ScalarTag::Untagged => true,
        ScalarTag::Number => value.is_number(),
        ScalarTag::Bool => value.is_bool(),
        ScalarTag::Null => value.is_null(),
        ScalarTag::Text | ScalarTag::Other => false,
    };
    if kept { value } else { text_value() }
}

/// What an untagged plain scalar means (see the module docs).
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    match number(text) {
        Some(n) => js_number(n),
        None => Value::String(text.to_string()),
    }
}

fn number(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = if negative { -1.0 } else { 1.0 };
    let radix = |digits: &str, radix: u32| {
        // Past 64 bits Bun keeps the text.
        (!digits.is_empty())
            .then(|| u64::from_str_radix(digits, radix).ok())
            .flatten()
            .map(|n| sign * n as f64)
    };
    if let Some(hex) = body.strip_prefix("0x") {
        return radix(hex, 16).filter(|_| hex.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    if let Some(oct) = body.strip_prefix("0o") {
        return radix(oct, 8).filter(|_| oct.bytes().all(|b| (b'0'..=b'7').contains(&b)));
    }
    match body {
        ".inf" | ".Inf" | ".INF" => return Some(sign * f64::INFINITY),
        ".nan" | ".NaN" | ".NAN" if text == body => return Some(f64::NAN),
        _ => {}
    }
    is_decimal(body)
        .then(|| body.parse::<f64>().ok())
        .flatten()
        .map(|n| sign * n)
}

/// `[0-9]+(\.[0-9]*)?` or `\.[0-9]+`, then an optional exponent `[eE][-+]?[0-9]+`.
fn is_decimal(s: &str) -> bool {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let int = digits(s);
    let mut rest = &s[int..];
    if let Some(r) = rest.strip_prefix('.') {
        let frac = digits(r);
        rest = &r[frac..];
        if int == 0 && frac == 0 {
            return false;
        }
    } else if int == 0 {
        return false;
    }
    match rest.strip_prefix(['e', 'E']) {
        None => rest.is_empty(),
        Some(exp) => {
            let exp = exp.strip_prefix(['-', '+']).unwrap_or(exp);
            !exp.is_empty() && digits(exp) == exp.len()
        }
    }
}

/// A JavaScript number as a YAML value: an integer when it is one JavaScript holds exactly (so
/// `maxTurns: 1.0` is the whole number 1, as Claude Code sees it), a float otherwise.
fn js_number(n: f64) -> Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        Value::Number(Number::from(n as i64))
    } else {
        Value::Number(Number::from(n))
    }
}

/// `String(n)` in JavaScript: `1000`, `0.5`, `1e+21`, `1e-7`, `Infinity`, `NaN`.
pub(crate) fn js_number_text(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    if (1e-6..1e21).contains(&n.abs()) {
        // Rust and JavaScript both print the shortest digits that read back as `n`.
        return n.to_string();
    }
    let exp = format!("{n:e}");
    match exp.split_once('e') {
        Some((mantissa, e)) if !e.starts_with('-') => format!("{mantissa}e+{e}"),
        _ => exp,
    }
}

/// `String(value)` in JavaScript, which is how a key becomes a property name.
pub(crate) fn js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_f64().map(js_number_text).unwrap_or_default(),
        Value::String(s) => s.clone(),
        // `Array.prototype.join`: null items are empty.
        Value::Sequence(items) => items
            .iter()
            .map(|i| match i {
                Value::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Mapping(_) => "[object Object]".into(),
        Value::Tagged(t) => js_string(&t.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        match resolve_plain(text) {
            Value::String(s) => format!("text {s}"),
            other => js_string(&other),
        }
    }

    #[test]
    fn plain_scalars_resolve_as_bun_does() {
        let cases = [
            ("~", "null"),
            ("NULL", "null"),
            ("nULL", "text nULL"),
            ("True", "true"),
            ("tRUE", "text tRUE"),
            ("yes", "text yes"),
            ("on", "text on"),
            ("017", "17"),
            ("-017", "-17"),
            ("0o17", "15"),
            ("-0o17", "-15"),
            ("0O17", "text 0O17"),
            ("0x1F", "31"),
            ("0X1F", "text 0X1F"),
            ("0xff_ff", "text 0xff_ff"),
            ("0xFFFFFFFFFFFFFFFFFF", "text 0xFFFFFFFFFFFFFFFFFF"),
            ("1_000", "text 1_000"),
            ("0b1", "text 0b1"),
            ("1.", "1"),
            ("+.5", "0.5"),
            ("1e3", "1000"),
            ("1.5e-3", "0.0015"),
            ("1e", "text 1e"),
            (".", "text ."),
            ("+", "text +"),
            (".Inf", "Infinity"),
            ("-.inf", "-Infinity"),
            (".NaN", "NaN"),
            ("-.nan", "text -.nan"),
            ("inf", "text inf"),
            ("-0", "0"),
            ("1e400", "Infinity"),
            ("12345678901234567890", "12345678901234567000"),
            ("1e21", "1e+21"),
            ("1e-7", "1e-7"),
            ("12:30", "text 12:30"),
        ];
        for (text, want) in cases {
            assert_eq!(plain(text), want, "{text}");
        }
    }

    #[test]
    fn keys_become_javascript_property_names() {
        let seq = Value::Sequence(vec![
            Value::String("a".into()),
            Value::Null,
            Value::Sequence(vec![Value::String("b".into()), js_number(1.5)]),
        ]);
        assert_eq!(js_string(&seq), "a,,b,1.5");
        assert_eq!(
            js_string(&Value::Mapping(Mapping::new())),
            "[object Object]"
        );
    }

    #[test]
    fn tags_go_by_how_they_are_written() {
        let read = |text: &str, tag: &str| match tagged_plain(text, ScalarTag::written(tag)) {
            Value::String(s) => format!("text {s}"),
            other => js_string(&other),
        };
        let cases = [
            ("", "!", "text "),
            ("", "!str", "text "),
            ("", "!!str", "text "),
            ("", "!!int", "null"),
            ("", "!x", "null"),
            ("", "!<!>", "null"),
            ("true", "!", "text true"),
            ("12", "!int", "12"),
            ("0x1F", "!!float", "31"),
            ("true", "!!int", "text true"),
            ("null", "!!int", "text null"),
            ("12", "!!bool", "text 12"),
            ("True", "!bool", "true"),
            ("12", "!!null", "text 12"),
            ("~", "!null", "null"),
            ("12", "!<tag:yaml.org,2002:int>", "text 12"),
            ("12", "!e!int", "text 12"),
            ("12", "!!%69nt", "text 12"),
        ];
        for (text, tag, want) in cases {
            assert_eq!(read(text, tag), want, "{tag} {text}");
        }
    }

    #[test]
    fn merges_fill_only_missing_keys() {
        const U: ScalarTag = ScalarTag::Untagged;
        let mut b = Builder::default();
        b.start_map();
        b.scalar("a", true, U);
        b.scalar("1", true, U);
        b.scalar("<<", false, U);
        b.start_seq();
        for (k, v) in [("a", "2"), ("b", "3")] {
            b.start_map();
            b.scalar(k, true, U);
            b.scalar(v, true, U);
            b.end();
        }
        b.start_map();
        b.scalar("b", true, U);
        b.scalar("4", true, U);
        b.end();
        b.end();
        b.scalar("a", true, U);
        b.scalar("5", true, U);
        b.end();
        let v = b.finish();
        assert_eq!(v["a"].as_i64(), Some(5));
        assert_eq!(v["b"].as_i64(), Some(3));
        assert_eq!(v.as_mapping().map(Mapping::len), Some(2));
    }
}
