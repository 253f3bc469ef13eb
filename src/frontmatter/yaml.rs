//! Loading front-matter YAML: strict first, then Claude Code's lenient retry, with errors translated to
//! file positions and a guard against input that would make the parser slow.
//!
//! serde_yaml_ng already stops alias bombs (repetition limit) and deep recursion (depth 128) without
//! panicking, but libyaml's scanner spends time proportional to flow nesting depth for every token, so a
//! 1 MiB file of `[[[[…` takes minutes before the recursion limit is ever checked. Flow nesting is
//! therefore measured first and refused past [`MAX_FLOW_DEPTH`].
//!
//! The repetition limit counts alias jumps, not the values they copy: a 500 KB file whose 1,000 aliases
//! each point at a 60,000-item list builds 60 million values (gigabytes) before any limit trips. So
//! front matter that can hold aliases is first walked by a visitor that only counts values, and is
//! refused past [`MAX_VALUES`], before anything is built.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_yaml_ng::Value;

use super::lenient;
use super::source::FIRST_LINE;

/// Deeper than serde_yaml_ng's recursion limit (128), so no YAML that could load is refused, and low
/// enough that libyaml stays fast on a 1 MiB file.
pub(crate) const MAX_FLOW_DEPTH: usize = 200;

/// More values than a 1 MiB file can hold without aliases (a flow list of one-character items has about
/// 500,000), so only alias expansion reaches it; the values it allows fit in well under 100 MB.
pub(crate) const MAX_VALUES: usize = 600_000;

/// A YAML failure, at a file position.
#[derive(Debug)]
pub(crate) struct Failure {
    pub problem: String,
    pub line: usize,
    pub col: usize,
}

pub(crate) enum Loaded {
    Strict(Value),
    /// Loaded by the lenient retry; the failure is the strict parse's.
    Lenient(Value, Failure),
    /// Both attempts failed; the failure is the strict parse's, which is where the author's mistake is.
    Failed(Failure),
}

pub(crate) fn load(yaml: &str) -> Loaded {
    let strict = match parse(yaml, |_| false) {
        Ok(value) => return Loaded::Strict(value),
        Err(failure) => failure,
    };
    // Lines the retry quotes no longer hold flow collections, so they do not count toward the depth.
    let quoted: Vec<bool> = yaml.split('\n').map(lenient::rewrites).collect();
    match parse(&lenient::rewrite(yaml), |i| quoted[i]) {
        Ok(value) => Loaded::Lenient(value, strict),
        Err(_) => Loaded::Failed(strict),
    }
}

/// Parse `text` after checking its flow depth, ignoring the lines for which `skip(index)` holds.
fn parse(text: &str, skip: impl Fn(usize) -> bool) -> Result<Value, Failure> {
    if let Some((line, col)) = too_deep(text, &skip) {
        return Err(Failure {
            problem: format!("brackets nested more than {MAX_FLOW_DEPTH} levels deep"),
            line: line + FIRST_LINE,
            col,
        });
    }
    // Without `*` there are no aliases, so the value count is bounded by the text's size.
    let counted = if text.contains('*') {
        count_values(text)
    } else {
        Ok(())
    };
    counted
        .and_then(|()| serde_yaml_ng::from_str::<Value>(text))
        .map_err(|err| {
            let (line, col) = error_pos(&err, text);
            Failure {
                problem: error_text(&err),
                line,
                col,
            }
        })
}

/// Walk the YAML as the Value deserializer would, aliases expanded, counting values without building
/// them; fails once there are more than [`MAX_VALUES`].
fn count_values(text: &str) -> Result<(), serde_yaml_ng::Error> {
    let count = Cell::new(0);
    Counter(&count).deserialize(serde_yaml_ng::Deserializer::from_str(text))
}

#[derive(Clone, Copy)]
struct Counter<'a>(&'a Cell<usize>);

impl Counter<'_> {
    fn tick<E: de::Error>(self) -> Result<(), E> {
        self.0.set(self.0.get() + 1);
        if self.0.get() > MAX_VALUES {
            return Err(E::custom(format!(
                "aliases expand to more than {MAX_VALUES} values"
            )));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.tick()
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.tick()
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.tick()
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.tick()
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.tick()
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.tick()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.tick()?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.tick()?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }

    /// A tagged value (`!tag value`) arrives as an enum: the tag, then the value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let ((), contents) = data.variant_seed(self)?;
        contents.newtype_variant_seed(self)
    }
}

/// Where (0-based line, 1-based column) the nesting of `[`/`{` first exceeds [`MAX_FLOW_DEPTH`].
/// Brackets are counted everywhere, quoted or not: an over-count only matters for text with hundreds
/// of unbalanced brackets, and a scanner that guessed at quoting could be fooled into under-counting.
fn too_deep(text: &str, skip: &impl Fn(usize) -> bool) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    for (i, line) in text.split('\n').enumerate() {
        if skip(i) {
            continue;
        }
        for (col, c) in line.chars().enumerate() {
            match c {
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((i, col + 1));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

/// File line and column of a YAML error in `yaml` (which starts on file line 2). An error without a
/// position (e.g. the alias repetition limit) points at the first front-matter line.
fn error_pos(err: &serde_yaml_ng::Error, yaml: &str) -> (usize, usize) {
    let Some(loc) = err.location() else {
        return (FIRST_LINE, 1);
    };
    // Errors at the end of input point one line past the last; keep them on the closing `---`.
    let last = yaml.lines().count() + 1;
    if loc.line() > last {
        return (last + FIRST_LINE - 1, 1);
    }
    (loc.line() + FIRST_LINE - 1, loc.column())
}

/// The parser's message without its " at line N column M" parts, which count YAML lines, not file
/// lines.
fn error_text(err: &serde_yaml_ng::Error) -> String {
    let text = err.to_string();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(" at ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + " at ".len()..];
        match position_len(after) {
            Some(n) => rest = &after[n..],
            None => {
                out.push_str(" at ");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Length of a leading "line N column M" or "position N", if `s` starts with one.
fn position_len(s: &str) -> Option<usize> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    if let Some(r) = s.strip_prefix("line ") {
        let n = digits(r);
        let r2 = r[n..].strip_prefix(" column ")?;
        let m = digits(r2);
        (n > 0 && m > 0).then(|| s.len() - r2.len() + m)
    } else if let Some(r) = s.strip_prefix("position ") {
        let n = digits(r);
        (n > 0).then(|| "position ".len() + n)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn failure(loaded: Loaded) -> Failure {
        match loaded {
            Loaded::Failed(f) => f,
            Loaded::Strict(_) => panic!("loaded strictly"),
            Loaded::Lenient(_, f) => panic!("loaded leniently after {f:?}"),
        }
    }

    #[test]
    fn error_text_drops_yaml_positions_only() {
        let err = serde_yaml_ng::from_str::<Value>("a: b\n  c: d\n").unwrap_err();
        let text = error_text(&err);
        assert!(!text.contains("line") && !text.is_empty(), "{text}");
        assert_eq!(position_len("line 12 column 3, more"), Some(16));
        assert_eq!(position_len("position 7"), Some(10));
        assert_eq!(position_len("the end"), None);
    }

    #[test]
    fn positions_are_file_positions() {
        let f = failure(load("a: b\n  c: d\n"));
        assert_eq!((f.line, f.col), (3, 4));
        // End of input: on the closing fence's line.
        let f = failure(load("a: \"open\n"));
        assert_eq!((f.line, f.col), (3, 1));
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let deep = format!("x:\n  {}1{}\n", "[".repeat(300_000), "]".repeat(300_000));
        let start = Instant::now();
        let f = failure(load(&deep));
        assert!(f.problem.contains("nested more than 200"), "{}", f.problem);
        assert_eq!((f.line, f.col), (3, 3 + MAX_FLOW_DEPTH));
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_deep_line_the_retry_quotes_still_loads() {
        let yaml = format!("description: {}\n", "[".repeat(MAX_FLOW_DEPTH + 1));
        match load(&yaml) {
            Loaded::Lenient(value, strict) => {
                assert!(strict.problem.contains("nested"));
                assert_eq!(
                    value.get("description").and_then(Value::as_str),
                    Some("[".repeat(MAX_FLOW_DEPTH + 1).as_str())
                );
            }
            _ => panic!("expected the retry to load it"),
        }
    }

    /// `x0` anchors a list of `items` values; `x1` lists `refs` aliases to it.
    fn alias_fan_out(items: usize, refs: usize) -> String {
        let mut yaml = String::from("x0: &a\n");
        yaml.push_str(&"  - lol\n".repeat(items));
        yaml.push_str("x1:\n");
        yaml.push_str(&"  - *a\n".repeat(refs));
        yaml
    }

    #[test]
    fn alias_expansion_is_counted_before_anything_is_built() {
        // 60 million values if expanded; refused after counting 600,000 of them.
        let start = Instant::now();
        let f = failure(load(&alias_fan_out(60_000, 1_000)));
        assert!(
            f.problem
                .contains("aliases expand to more than 600000 values"),
            "{}",
            f.problem
        );
        assert!(start.elapsed() < Duration::from_secs(5));
        // A few aliases load as usual, tags included.
        match load(&format!("{}t: !custom [1, *a]\n", alias_fan_out(3, 2))) {
            Loaded::Strict(value) => {
                assert_eq!(value["x1"][1][2].as_str(), Some("lol"));
                assert!(matches!(value["t"], Value::Tagged(_)));
            }
            _ => panic!("expected a strict load"),
        }
    }

    #[test]
    fn nesting_up_to_the_limit_reaches_the_parser() {
        // Indented, so the retry does not quote the line.
        let yaml = format!("x:\n  {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(matches!(load(&yaml), Loaded::Strict(_)));
        let yaml = format!("x:\n  {}1{}\n", "[".repeat(150), "]".repeat(150));
        let f = failure(load(&yaml));
        assert!(f.problem.contains("recursion limit"), "{}", f.problem);
    }
}
