//! Loading front-matter YAML the way Claude Code does: its parser first, then its lenient retry,
//! behind the guards of Claude Code's own mode for untrusted text.
//!
//! The events come from saphyr-parser (a YAML 1.2 parser), or, for front matter made only of
//! `key: value` lines, the same scalars from [`super::flat`] without it; what they mean is decided by
//! [`super::bun`], which applies the rules of Bun's parser (tags, merge keys, repeated keys, scalars).
//! Every agent file agentpack reads comes from someone else, so the guards of Claude Code's guarded
//! mode always apply, before anything is built ([`Guard`]):
//!
//! - front matter over [`MAX_FRONT_MATTER`] bytes is refused without parsing it;
//! - nesting deeper than [`MAX_DEPTH`] stops the parse at the first collection past the limit;
//! - an anchor (`&a`) refuses the front matter. Aliases are never expanded, so an alias bomb (a few
//!   hundred bytes expanding to millions of values) costs no more than reading its text.
//!
//! Three more refusals are agentpack's own, where it cannot tell what Claude Code reads and says so:
//!
//! - a U+FEFF (byte-order mark) inside the front matter: Bun's parser reads it as text in one place
//!   and as the start of another document in another, and saphyr-parser rejects it;
//! - a quoted value running over a CRLF line break: Bun's parser counts that `\r\n` as two line
//!   breaks at the first fold of the value (`"a\r\n  b"` is `a\nb` where YAML says `a b`), and the
//!   folded text from saphyr-parser no longer shows where the folds were;
//! - YAML that Bun's parser may reject where saphyr-parser accepts it ([`super::divergence`]), when
//!   Claude Code's lenient retry would then read it differently.

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, Tag};
use serde_yaml_ng::Value;

use super::bun::{Builder, ScalarTag};
use super::divergence::{self, Source};
use super::{flat, lenient};

/// Claude Code's guarded mode refuses front matter larger than this.
pub(crate) const MAX_FRONT_MATTER: usize = 64 * 1024;

/// Claude Code's guarded mode refuses collections nested deeper than this.
pub(crate) const MAX_DEPTH: usize = 256;

/// A YAML failure, at a file position.
#[derive(Debug)]
pub(crate) struct Failure {
    pub problem: String,
    pub line: usize,
    pub col: usize,
}

/// What the guards refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Guard {
    TooLarge,
    TooDeep,
    Anchor,
    QuotedCrlf,
    InnerBom,
    Ambiguous,
}

impl Guard {
    /// The diagnostic code.
    pub fn code(self) -> &'static str {
        match self {
            Guard::TooLarge => "frontmatter-too-large",
            Guard::TooDeep => "frontmatter-too-deep",
            Guard::Anchor => "yaml-anchor",
            Guard::QuotedCrlf => "quoted-crlf",
            Guard::InnerBom => "yaml-bom",
            Guard::Ambiguous => "yaml-ambiguous",
        }
    }
}

pub(crate) enum Loaded {
    Strict(Value),
    /// Loaded by the lenient retry; the failure is the strict parse's.
    Lenient(Value, Failure),
    /// Both attempts failed; the failure is the strict parse's, which is where the author's mistake is.
    Failed(Failure),
    /// A guard refused the front matter.
    Refused(Guard, Failure),
}

/// Load `yaml`, whose first line is line `first_line` of the file.
pub(crate) fn load(yaml: &str, first_line: usize) -> Loaded {
    if yaml.len() > MAX_FRONT_MATTER {
        let problem = format!(
            "front matter is {} bytes; Claude Code reads at most {MAX_FRONT_MATTER} bytes (64 KiB) of front matter from a file it does not trust",
            yaml.len()
        );
        return Loaded::Refused(
            Guard::TooLarge,
            Failure {
                problem,
                line: first_line,
                col: 1,
            },
        );
    }
    if let Some(offset) = yaml.find('\u{feff}') {
        let before = &yaml[..offset];
        let line = first_line + before.matches('\n').count();
        let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let problem = "front matter holds U+FEFF (a byte-order mark) after its start, which Claude Code's parser reads differently from YAML; agentpack cannot tell what Claude Code would see".to_string();
        return Loaded::Refused(Guard::InnerBom, Failure { problem, line, col });
    }
    let strict = match parse(yaml, first_line) {
        Ok(Parse {
            refused: Some((guard, at)),
            ..
        }) => return Loaded::Refused(guard, at),
        Ok(Parse { value, unusual, .. }) => {
            return match ambiguous(yaml, first_line, &value, unusual) {
                Some(at) => Loaded::Refused(Guard::Ambiguous, at),
                None => Loaded::Strict(value),
            };
        }
        Err(Error::Guard(guard, at)) => return Loaded::Refused(guard, at),
        Err(Error::Syntax(failure, _)) => failure,
    };
    match parse(&lenient::rewrite(yaml), first_line) {
        Ok(Parse {
            refused: Some((guard, at)),
            ..
        }) => Loaded::Refused(guard, at),
        Ok(Parse { value, .. }) => Loaded::Lenient(value, strict),
        Err(Error::Guard(guard, at)) => Loaded::Refused(guard, at),
        Err(Error::Syntax(..)) => Loaded::Failed(strict),
    }
}

/// Where front matter that parsed, into `strict`, may be rejected by Bun's parser (an unusual tag,
/// or a line [`divergence::risky_line`] finds) while Claude Code's lenient retry reads it otherwise:
/// then agentpack cannot tell which reading Claude Code loads. A retry that does not parse is not a
/// reading Claude Code could load, except that after a line starting with a tab, where Bun's parser
/// most often throws, agentpack cannot tell whether Claude Code loads the file at all.
fn ambiguous(
    yaml: &str,
    first_line: usize,
    strict: &Value,
    unusual: Option<Failure>,
) -> Option<Failure> {
    let (at, leading_tab) = match unusual {
        Some(at) => (at, false),
        None => divergence::risky_line(yaml, first_line).map(|r| (r.at, r.leading_tab))?,
    };
    let differs = match parse(&lenient::rewrite(yaml), first_line) {
        Ok(Parse {
            value: retried,
            refused: None,
            ..
        }) => match divergence::first_difference(strict, &retried)? {
            key if key == "the front matter" => format!("reads {key} differently"),
            key => format!("reads `{key}` differently"),
        },
        _ if leading_tab => "cannot read it either".to_string(),
        _ => return None,
    };
    let problem = format!(
        "{} may make Claude Code's YAML parser reject this front matter, which agentpack's parser accepts, and then Claude Code's lenient retry {differs}; agentpack cannot tell what Claude Code loads",
        at.problem
    );
    Some(Failure { problem, ..at })
}

/// Whether `text` alone parses as a list (the lenient retry leaves such `[...]` values alone).
pub(crate) fn is_list(text: &str) -> bool {
    matches!(
        parse(text, 1),
        Ok(Parse {
            value: Value::Sequence(_),
            ..
        })
    )
}

struct Parse {
    value: Value,
    /// The first tag written in a way Bun's parser may reject ([`divergence::is_plain_tag`]).
    unusual: Option<Failure>,
    /// The first anchor or CRLF-folded quoted value, if any: refused only once the text parses, since
    /// otherwise the lenient retry decides.
    refused: Option<(Guard, Failure)>,
}

enum Error {
    /// The parser's error, and the character index it points at.
    Syntax(Failure, usize),
    Guard(Guard, Failure),
}

/// How many repairs (see [`parse_events`]) one parse makes before it gives up and reports the error.
const MAX_REPAIRS: usize = 256;

/// Parse `text`: front matter of `key: value` lines through [`flat::read`] (most agents' front
/// matter, and every text the lenient retry writes from it), anything else through [`parse_events`].
fn parse(text: &str, first_line: usize) -> Result<Parse, Error> {
    if let Some(value) = flat::read(text) {
        return Ok(Parse {
            value,
            unusual: None,
            refused: None,
        });
    }
    parse_events(text, first_line)
}

/// Parse `text` with saphyr-parser, where it refuses two things YAML or Bun's parser allow, by
/// repairing exactly the place the scanner reports and parsing again (the positions do not move):
///
/// - a tab right after a mapping's `:` (`name:\tx`), which YAML 1.2 and Bun allow: the tab is read
///   as the space it stands for. Only tabs the scanner itself took for separators are touched (never
///   one inside a quoted or block value);
/// - a block scalar header with white space between its indicators (`| +1`, `> -`, `|\t2`), which
///   Bun reads as the header without it (`|+1`): were it refused, Claude Code would read the value
///   and agentpack its lenient retry, which reads other lines differently (`!!str dontAsk` is the
///   mode `dontAsk` to the one, text to the other).
fn parse_events(text: &str, first_line: usize) -> Result<Parse, Error> {
    let mut repaired: Option<String> = None;
    for _ in 0..MAX_REPAIRS {
        let current = repaired.as_deref().unwrap_or(text);
        match parse_once(current, first_line) {
            Err(Error::Syntax(failure, index)) => {
                let Some(fixed) = repair(current, &failure.problem, index) else {
                    return Err(Error::Syntax(failure, index));
                };
                repaired = Some(fixed);
            }
            other => return other,
        }
    }
    parse_once(repaired.as_deref().unwrap_or(text), first_line)
}

/// What saphyr-parser's path reads `text` to, when it reads a value with nothing for the guards or the
/// divergence checks to refuse (for [`flat`]'s tests, which compare the short-cut with it).
#[cfg(test)]
pub(super) fn read_by_events(text: &str) -> Result<Value, String> {
    match parse_events(text, 2) {
        Ok(Parse {
            value,
            unusual: None,
            refused: None,
        }) => Ok(value),
        Ok(Parse { value, .. }) => Err(format!(
            "{value:?}, refused by a guard or a divergence check"
        )),
        Err(_) => Err("an error".into()),
    }
}

/// `text` repaired where the scanner reported `problem` at character `index` (see [`parse_events`]).
fn repair(text: &str, problem: &str, index: usize) -> Option<String> {
    let mut fixed = text.to_string();
    if let Some(tab) = tab_after_colon(text, index) {
        fixed.replace_range(tab..tab + 1, " ");
        return Some(fixed);
    }
    if problem != "while scanning a block scalar, did not find expected comment or line break" {
        return None;
    }
    let (at, _) = text.char_indices().nth(index)?;
    let header_len = text[at + 1..]
        .find(|c: char| !matches!(c, ' ' | '\t' | '+' | '-' | '0'..='9'))
        .unwrap_or(text.len() - at - 1);
    let header = &text[at + 1..at + 1 + header_len];
    // Keep white space before a comment; the indicators move left and spaces fill in after them.
    let kept = header.trim_end_matches([' ', '\t']);
    let indicators: String = kept.chars().filter(|c| !matches!(c, ' ' | '\t')).collect();
    if !text[at..].starts_with(['|', '>']) || indicators.len() == kept.len() {
        return None;
    }
    let padded = format!("{indicators}{}", " ".repeat(kept.len() - indicators.len()));
    fixed.replace_range(at + 1..at + 1 + kept.len(), &padded);
    Some(fixed)
}

/// Byte offset of the tab just before character `index` when it follows a `:`.
fn tab_after_colon(text: &str, index: usize) -> Option<usize> {
    let before = index.checked_sub(2)?;
    let mut chars = text.char_indices().skip(before);
    let (_, colon) = chars.next()?;
    let (tab_at, tab) = chars.next()?;
    (colon == ':' && tab == '\t').then_some(tab_at)
}

fn parse_once(text: &str, first_line: usize) -> Result<Parse, Error> {
    let at = At { text, first_line };
    let mut parser = Parser::new_from_str(text);
    let mut builder = Builder::default();
    if starts_with_document_end(text) {
        builder.empty_document();
    }
    let mut refused = None;
    let mut source = Source::new(text);
    let mut unusual = None;
    let cr_lines = cr_lines(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_error(&at, &e))?;
        if refused.is_none() {
            refused = guard_refusal(&at, &event, &span, &cr_lines);
        }
        let written =
            event_tag(&event).map(|t| source.tag_at(span.start.index(), || t.to_string()));
        bun_rejects(&at, &event, &span, written.as_deref(), &mut source)?;
        if let Some(w) = &written
            && unusual.is_none()
            && !divergence::is_plain_tag(w)
        {
            unusual = Some(at.failure(&span.start, format!("the tag `{w}`")));
        }
        build(&at, &mut builder, event, &span, written)?;
    }
    Ok(Parse {
        value: builder.finish(),
        unusual,
        refused,
    })
}

/// Turns a parser position in the front matter into a file position.
struct At<'a> {
    text: &'a str,
    first_line: usize,
}

impl At<'_> {
    /// `problem` at `mark`; a mark past the closing `---` (the end of input) is put on that line.
    fn failure(&self, mark: &Marker, problem: String) -> Failure {
        Failure {
            problem,
            line: (mark.line() + self.first_line - 1).min(last_line(self.text, self.first_line)),
            col: mark.col() + 1,
        }
    }
}

/// Lines ending in `\r`, by 1-based line number (empty for a file without one, which is never looked at).
fn cr_lines(text: &str) -> Vec<bool> {
    if text.contains('\r') {
        std::iter::once(false)
            .chain(text.split('\n').map(|l| l.ends_with('\r')))
            .collect()
    } else {
        Vec::new()
    }
}

fn scan_error(at: &At<'_>, e: &ScanError) -> Error {
    // The scanner stops at 256 levels of `[`/`{` before the parser sees any of them.
    if e.info() == "recursion limit exceeded" {
        Error::Guard(Guard::TooDeep, at.failure(e.marker(), too_deep()))
    } else {
        Error::Syntax(
            at.failure(e.marker(), e.info().to_string()),
            e.marker().index(),
        )
    }
}

/// What the guards refuse at `event`, before its value is built: an anchor, or a quoted value over a
/// CRLF line break. The parse goes on, so a syntax error later in the text still wins.
fn guard_refusal(
    at: &At<'_>,
    event: &Event<'_>,
    span: &Span,
    cr_lines: &[bool],
) -> Option<(Guard, Failure)> {
    let anchor_id = match event {
        Event::Scalar(_, _, id, _) | Event::SequenceStart(id, _) | Event::MappingStart(id, _) => {
            *id
        }
        _ => 0,
    };
    if anchor_id != 0 {
        let problem = "front matter holds a YAML anchor (`&`); Claude Code refuses anchors in files it does not trust";
        return Some((Guard::Anchor, at.failure(&span.start, problem.into())));
    }
    if let Event::Scalar(_, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, ..) = event
        && (span.start.line()..span.end.line()).any(|l| cr_lines.get(l) == Some(&true))
    {
        let problem = "this quoted value continues over a CRLF line break, which Claude Code's parser reads as a newline where YAML reads a space; agentpack cannot tell what Claude Code would show";
        return Some((Guard::QuotedCrlf, at.failure(&span.start, problem.into())));
    }
    None
}

/// The tag of a node event, as the parser resolved it.
fn event_tag<'e>(event: &'e Event<'_>) -> Option<&'e Tag> {
    match event {
        Event::Scalar(_, _, _, tag)
        | Event::SequenceStart(_, tag)
        | Event::MappingStart(_, tag) => tag.as_deref(),
        _ => None,
    }
}

/// What Claude Code's parser throws on and saphyr-parser accepts: a syntax error, so that the lenient
/// retry decides, as it does in Claude Code. `written` is the tag as written in the text.
fn bun_rejects(
    at: &At<'_>,
    event: &Event<'_>,
    span: &Span,
    written: Option<&str>,
    source: &mut Source<'_>,
) -> Result<(), Error> {
    if let Some(w) = written.filter(|w| !divergence::bun_accepts_tag(w)) {
        let problem = format!("Claude Code's YAML parser rejects the tag `{w}`");
        return Err(Error::Syntax(
            at.failure(&span.start, problem),
            span.start.index(),
        ));
    }
    if let Event::Scalar(_, ScalarStyle::Plain, ..) = event
        && source.block_indicator_at(span.start.index())
    {
        let problem = "Claude Code's YAML parser rejects `|` or `>` at the start of a plain value"
            .to_string();
        return Err(Error::Syntax(
            at.failure(&span.start, problem),
            span.start.index(),
        ));
    }
    Ok(())
}

/// Feeds one event to `builder`, refusing a collection past [`MAX_DEPTH`].
fn build(
    at: &At<'_>,
    builder: &mut Builder,
    event: Event<'_>,
    span: &Span,
    written: Option<String>,
) -> Result<(), Error> {
    match event {
        Event::Scalar(value, style, ..) => {
            let tag = written.map_or(ScalarTag::Untagged, |w| ScalarTag::written(&w));
            builder.scalar(&value, style == ScalarStyle::Plain, tag);
        }
        Event::SequenceStart(..) | Event::MappingStart(..) => {
            if builder.depth() == MAX_DEPTH {
                return Err(Error::Guard(
                    Guard::TooDeep,
                    at.failure(&span.start, too_deep()),
                ));
            }
            if matches!(event, Event::SequenceStart(..)) {
                builder.start_seq();
            } else {
                builder.start_map();
            }
        }
        Event::SequenceEnd | Event::MappingEnd => builder.end(),
        Event::Alias(_) => builder.alias(),
        _ => {}
    }
    Ok(())
}

fn too_deep() -> String {
    format!(
        "front matter nests collections more than {MAX_DEPTH} levels deep; Claude Code refuses that in files it does not trust"
    )
}

/// Whether the first line with content is a document end marker (`...`).
fn starts_with_document_end(text: &str) -> bool {
    // Blank lines and comments come before a document; the marker itself is at column 0.
    let first = text.lines().find(|l| {
        let l = l.trim_start_matches([' ', '\t']);
        !l.is_empty() && !l.starts_with('#')
    });
    first.is_some_and(|l| {
        l.strip_prefix("...")
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '#']))
    })
}

/// The file line just after the front matter (the closing `---`): errors at the end of input point
/// there rather than past it.
fn last_line(text: &str, first_line: usize) -> usize {
    first_line + text.lines().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(loaded: Loaded) -> (Guard, Failure) {
        match loaded {
            Loaded::Refused(guard, f) => (guard, f),
            Loaded::Strict(v) | Loaded::Lenient(v, _) => panic!("loaded {v:?}"),
            Loaded::Failed(f) => panic!("failed {f:?}"),
        }
    }

    #[test]
    fn positions_are_file_positions() {
        match load("a: b\n  c: d\n", 2) {
            Loaded::Failed(f) => assert_eq!((f.line, f.col), (3, 4)),
            _ => panic!("expected a failure"),
        }
        // An unterminated quote: where it opens.
        match load("a: b\nc: \"open\n", 5) {
            Loaded::Failed(f) => assert_eq!(f.line, 6),
            _ => panic!("expected a failure"),
        }
    }

    /// The tag as written is read at the parser's character position whether the front matter is ASCII
    /// (a character index is a byte offset), has CRLF line ends, or holds multi-byte characters before
    /// or after the tag.
    #[test]
    fn tags_are_read_where_the_parser_says_in_any_text() {
        for (yaml, line, tag) in [
            ("a: !x.y 1\n", 2, "!x.y"),
            ("a: !x.y 1\r\n", 2, "!x.y"),
            ("a: 1\r\nb: !x.y é\r\n", 3, "!x.y"),
            ("é: 1\nb: !x.y 1\n", 3, "!x.y"),
            ("b: !x.y 1 # 😀\n", 2, "!x.y"),
            ("a: [1, 2]\r\nb: !x.y [é]\r\n", 3, "!x.y"),
        ] {
            let Ok(Parse {
                unusual: Some(f), ..
            }) = parse(yaml, 2)
            else {
                panic!("{yaml:?}: the tag is unusual");
            };
            assert_eq!(
                (f.problem.as_str(), f.line, f.col),
                (format!("the tag `{tag}`").as_str(), line, 4),
                "{yaml:?}"
            );
        }
    }

    #[test]
    fn anchors_are_refused_before_anything_is_expanded() {
        // A billion-laughs document of a few hundred bytes.
        let mut yaml = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let mut prev = 'a';
        for l in 'b'..='j' {
            yaml.push_str(&format!(
                "{l}: &{l} [{}]\n",
                vec![format!("*{prev}"); 9].join(", ")
            ));
            prev = l;
        }
        let (guard, f) = refused(load(&yaml, 2));
        assert_eq!(guard, Guard::Anchor);
        assert_eq!((f.line, f.col), (2, 4));
        // An anchor the lenient retry keeps is refused too; one it quotes away is text.
        let (guard, _) = refused(load("a: b: c\nx:\n  - &y z\n", 2));
        assert_eq!(guard, Guard::Anchor);
        assert!(matches!(
            load("a: b: c\nx: &y z: w\n", 2),
            Loaded::Lenient(..)
        ));
    }

    #[test]
    fn depth_and_size_are_bounded() {
        // Block nesting, counted by the parser.
        let deep = |n: usize| {
            (0..n)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>()
        };
        assert!(matches!(load(&deep(MAX_DEPTH), 2), Loaded::Strict(_)));
        let (guard, f) = refused(load(&deep(MAX_DEPTH + 1), 2));
        assert_eq!(guard, Guard::TooDeep);
        assert_eq!((f.line, f.col), (2 + MAX_DEPTH, MAX_DEPTH + 1));
        // Flow nesting, which the scanner stops at 256 brackets (the top-level mapping makes 257).
        let deep = |n: usize| format!("x: {}1{}\n", "[".repeat(n), "]".repeat(n));
        assert!(matches!(load(&deep(MAX_DEPTH - 1), 2), Loaded::Strict(_)));
        let (guard, _) = refused(load(&deep(MAX_DEPTH), 2));
        assert_eq!(guard, Guard::TooDeep);
        let (guard, _) = refused(load(&deep(30_000), 2));
        assert_eq!(guard, Guard::TooDeep);
        let (guard, f) = refused(load(&"k: v\n".repeat(14_000), 7));
        assert_eq!(guard, Guard::TooLarge);
        assert_eq!((f.line, f.col), (7, 1));
        assert!(f.problem.contains("70000 bytes"), "{}", f.problem);
    }

    #[test]
    fn a_tab_after_a_colon_separates_as_in_yaml() {
        match load("name:\tx\ndescription: \"a:\tb\"\ntools:\t[Read]\n", 2) {
            Loaded::Strict(v) => {
                assert_eq!(v["name"].as_str(), Some("x"));
                assert_eq!(v["description"].as_str(), Some("a:\tb"));
                assert_eq!(v["tools"][0].as_str(), Some("Read"));
            }
            _ => panic!("expected a strict load"),
        }
        // The repairs are bounded: past them, the parser's error stands.
        let many = "k:\tv\n".repeat(MAX_REPAIRS + 1);
        assert!(matches!(load(&many, 2), Loaded::Failed(_)));
        let some = "k:\tv\n".repeat(MAX_REPAIRS - 1);
        assert!(matches!(load(&some, 2), Loaded::Strict(_)));
    }

    #[test]
    fn block_scalar_headers_read_as_bun_reads_them() {
        // Bun reads `| +1` as `|+1`; were it refused, the retry would make `!!str dontAsk` text.
        match load("mode: !!str dontAsk\nk: | +1\n  x\nf: >\t- # c\n  y\n", 2) {
            Loaded::Strict(v) => {
                assert_eq!(v["mode"].as_str(), Some("dontAsk"));
                assert_eq!(v["k"].as_str(), Some(" x\n"));
                assert_eq!(v["f"].as_str(), Some("y"));
            }
            _ => panic!("expected a strict load"),
        }
        // Headers that stay wrong once compacted are the parser's error.
        match parse("k: | ++\n", 2) {
            Err(Error::Syntax(f, _)) => assert_eq!((f.line, f.col), (2, 4)),
            _ => panic!("expected a failure"),
        }
    }

    #[test]
    fn a_byte_order_mark_inside_is_refused_where_it_is() {
        let (guard, f) = refused(load("name: a\nx: b\u{feff}c\n", 2));
        assert_eq!(guard, Guard::InnerBom);
        assert_eq!((f.line, f.col), (3, 5));
    }

    #[test]
    fn lists_for_the_retry() {
        assert!(is_list("[Read, Grep]"));
        assert!(is_list("[]"));
        assert!(!is_list("[a: b"));
        assert!(!is_list("{a: b}"));
    }
}
