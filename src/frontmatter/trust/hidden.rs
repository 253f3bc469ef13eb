//! Hidden Unicode: invisible characters anywhere in a file, or decoded from YAML escapes in its front
//! matter, reported as `hidden-unicode` errors ([`super::HIDDEN_UNICODE`]).
//!
//! # Which characters are hidden
//!
//! Every character with the Unicode property Default_Ignorable_Code_Point (read from ICU's data through
//! `icu_properties`) is drawn as nothing, yet the model reads it: bidirectional controls reorder what a
//! reviewer sees; zero-width characters, variation selectors (U+FE00–FE0F, U+E0100–E01EF), Hangul fillers,
//! U+034F COMBINING GRAPHEME JOINER and tag characters (U+E0000–E007F, which spell ASCII invisibly) carry
//! text no one sees. So do the other format characters of category Cf that are not drawn (U+FFF9–FFFB,
//! U+13430–1343F) and U+2800 BRAILLE PATTERN BLANK, which looks like a space; and ASCII control characters
//! other than tab and line ends (`ESC`, `BEL`, `DEL`), invisible in editors and commands to the terminal of
//! whoever prints the file. All of them are flagged except:
//!
//! - U+00AD SOFT HYPHEN: common in text pasted from word processors and web pages, rendered as a hyphen at a
//!   line break, and unable to hide or reorder content;
//! - U+FEFF as the very first character (a byte-order mark, which Claude Code drops before reading);
//! - a single variation selector that selects how the visible character before it is drawn: U+FE0E/FE0F
//!   (text or emoji style, as in `⚠️`), U+E0100–E01EF after a CJK ideograph, U+180B–180D/180F after a
//!   Mongolian letter. A second selector in a row is flagged, since it can only carry data;
//! - U+200D ZERO WIDTH JOINER between two emoji (a family or profession emoji is drawn as one picture), and
//!   the tag characters of the three subdivision flags Unicode recommends for general interchange
//!   (England, Scotland, Wales: `RGI_Emoji_Tag_Sequence` in Unicode's emoji-sequences.txt). Other tag
//!   sequences after U+1F3F4 are drawn as a plain black flag, their tags invisible, so they are flagged.

use std::collections::HashSet;

use serde_yaml_ng::{Mapping, Value};

use super::HIDDEN_UNICODE;
use crate::diag::{Diagnostic, line_col};
use crate::frontmatter::source::Lines;

/// Hidden-character runs reported one by one per file; the rest share one diagnostic.
pub(super) const MAX_HIDDEN_REPORTS: usize = 10;

/// Is `c` an invisible character agentpack refuses (see the module docs for the exact set)? Context can
/// still exempt it ([`exempt`]).
pub fn is_hidden(c: char) -> bool {
    use icu_properties::{CodePointSetData, props::DefaultIgnorableCodePoint};
    const IGNORABLE: icu_properties::CodePointSetDataBorrowed<'static> =
        CodePointSetData::new::<DefaultIgnorableCodePoint>();
    c != '\u{AD}' && IGNORABLE.contains(c)
        || matches!(c as u32, 0x2800 | 0xFFF9..=0xFFFB | 0x13430..=0x1343F)
        || is_stray_control(c)
}

/// A C0 control character other than tab and line ends, or DEL: editors show it as nothing or as a box,
/// and a terminal that prints the file (`cat`, a pager, a diff) acts on it instead (`ESC`). C1 controls
/// (U+0080–009F) are left to the `mojibake` warning: they are what UTF-8 read as Latin-1 turns into, and
/// UTF-8 terminals do not act on them.
fn is_stray_control(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f') && !matches!(c, '\t' | '\n' | '\r')
}

/// A readable name for a hidden character.
fn char_name(c: char) -> &'static str {
    match c as u32 {
        0x1B => "ESCAPE",
        0x00..=0x1F | 0x7F => "CONTROL CHARACTER",
        0x034F => "COMBINING GRAPHEME JOINER",
        0x061C => "ARABIC LETTER MARK",
        0x115F => "HANGUL CHOSEONG FILLER",
        0x1160 => "HANGUL JUNGSEONG FILLER",
        0x17B4 | 0x17B5 => "KHMER VOWEL INHERENT",
        0x180B..=0x180D | 0x180F => "MONGOLIAN FREE VARIATION SELECTOR",
        0x180E => "MONGOLIAN VOWEL SEPARATOR",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x2060 => "WORD JOINER",
        0x2061..=0x2064 => "INVISIBLE MATHEMATICAL OPERATOR",
        0x2066 => "LEFT-TO-RIGHT ISOLATE",
        0x2067 => "RIGHT-TO-LEFT ISOLATE",
        0x2068 => "FIRST STRONG ISOLATE",
        0x2069 => "POP DIRECTIONAL ISOLATE",
        0x206A..=0x206F => "DEPRECATED FORMAT CHARACTER",
        0x2800 => "BRAILLE PATTERN BLANK",
        0x3164 => "HANGUL FILLER",
        0xFE00..=0xFE0F | 0xE0100..=0xE01EF => "VARIATION SELECTOR",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE",
        0xFFA0 => "HALFWIDTH HANGUL FILLER",
        0xFFF9..=0xFFFB => "INTERLINEAR ANNOTATION CHARACTER",
        0xE0001 | 0xE0020..=0xE007F => "TAG CHARACTER",
        0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A => "FORMAT CONTROL",
        _ => "RESERVED DEFAULT-IGNORABLE CODE POINT",
    }
}

fn is_bidi(c: char) -> bool {
    matches!(c as u32, 0x061C | 0x200E | 0x200F | 0x202A..=0x202E | 0x2066..=0x2069)
}

fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x2600..=0x27BF | 0x1F000..=0x1FAFF | 0xFE0F)
}

/// The subdivision flags Unicode recommends (`RGI_Emoji_Tag_Sequence`, emoji-sequences.txt), as the
/// letters their tag characters spell.
const RGI_SUBDIVISION_FLAGS: &[&str] = &["gbeng", "gbsct", "gbwls"];

/// Can variation selector `selector` follow `base` as part of how `base` is drawn (see the module docs)?
fn selects_variant(base: char, selector: char) -> bool {
    let base_visible = !is_hidden(base) && !base.is_whitespace() && !base.is_control();
    match selector as u32 {
        0xFE0E | 0xFE0F => base_visible,
        0xE0100..=0xE01EF => matches!(base as u32,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF),
        0x180B..=0x180D | 0x180F => matches!(base as u32, 0x1820..=0x18AA),
        _ => false,
    }
}

/// Byte ranges of hidden characters that are part of how a visible character is encoded: an emoji's
/// joiners and flag tags, and variation selectors (see the module docs): their byte offsets, looked up
/// once per hidden character, so a file of a million emoji stays linear.
fn exempt(text: &str) -> HashSet<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = HashSet::new();
    for (i, &(offset, c)) in chars.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| chars[p].1);
        if c == '\u{200D}'
            && previous.is_some_and(is_emoji)
            && chars.get(i + 1).is_some_and(|&(_, n)| is_emoji(n))
        {
            out.insert(offset);
        }
        if previous.is_some_and(|p| selects_variant(p, c)) {
            out.insert(offset);
        }
        if c == '\u{1F3F4}' {
            let start = offset + c.len_utf8();
            // Tag characters are 4 bytes each; a recommended flag has five, then U+E007F.
            let tags: String = chars[i + 1..]
                .iter()
                .take(6)
                .map_while(|&(_, t)| match t as u32 {
                    t @ (0xE0030..=0xE0039 | 0xE0061..=0xE007A) => char::from_u32(t - 0xE0000),
                    _ => None,
                })
                .collect();
            let cancel = chars.get(i + 1 + tags.len()).map(|&(_, t)| t);
            if RGI_SUBDIVISION_FLAGS.contains(&tags.as_str()) && cancel == Some('\u{E007F}') {
                out.extend((0..=tags.len()).map(|k| start + 4 * k));
            }
        }
    }
    out
}

/// The first hidden character of `text` that no exemption covers, if any.
pub fn first_hidden(text: &str) -> Option<char> {
    hidden_runs(text).first().map(|(_, chars)| chars[0])
}

/// Runs of adjacent hidden characters in `text` that no exemption covers: (byte offset of the first,
/// the characters).
fn hidden_runs(text: &str) -> Vec<(usize, Vec<char>)> {
    if !text.chars().any(is_hidden) {
        return Vec::new();
    }
    let exempt = exempt(text);
    // Runs of adjacent hidden characters: (byte offset of the first, the characters).
    let mut runs: Vec<(usize, Vec<char>)> = Vec::new();
    let mut run_end = usize::MAX;
    for (offset, c) in text.char_indices() {
        if !is_hidden(c) || (offset == 0 && c == '\u{FEFF}') || exempt.contains(&offset) {
            continue;
        }
        match runs.last_mut() {
            Some((_, chars)) if run_end == offset => chars.push(c),
            _ => runs.push((offset, vec![c])),
        }
        run_end = offset + c.len_utf8();
    }
    runs
}

pub(super) fn hidden_unicode(label: &str, text: &str) -> Vec<Diagnostic> {
    // Every hidden character is an ASCII control character or U+034F or above, whose UTF-8 starts with
    // a byte of 0xCD or more: a byte scan rules out most files (plain ASCII text, Latin accented text)
    // before any decoding.
    if !text
        .bytes()
        .any(|b| b >= 0xCD || b == 0x7F || (b < 0x20 && !b"\t\n\r".contains(&b)))
    {
        return Vec::new();
    }
    let runs = hidden_runs(text);
    let mut out = Vec::new();
    for (offset, chars) in runs.iter().take(MAX_HIDDEN_REPORTS) {
        let (line, col) = line_col(text, *offset);
        out.push(
            Diagnostic::error(HIDDEN_UNICODE, describe_run(chars))
                .at_line(label, text, line, col)
                .with_hint(
                    "remove it; if the source needs it, set `allow-unicode = true` on that source in agentpack.toml (it is then a warning)",
                ),
        );
    }
    if let Some((offset, _)) = runs.get(MAX_HIDDEN_REPORTS) {
        let (line, col) = line_col(text, *offset);
        let more = runs.len() - MAX_HIDDEN_REPORTS;
        out.push(
            Diagnostic::error(
                HIDDEN_UNICODE,
                format!("{more} more places hold hidden Unicode characters"),
            )
            .at_line(label, text, line, col),
        );
    }
    out
}

/// Hidden characters a YAML escape sequence put into a value (`"\u200B"`, `"\U000E0041"`): the file's
/// bytes hold only ASCII there, so [`hidden_unicode`] cannot see them, but Claude Code reads the decoded
/// value. One finding per top-level key, at that key; characters also written literally somewhere in the
/// file are left to [`hidden_unicode`].
pub(super) fn escaped_hidden_unicode(
    label: &str,
    text: &str,
    lines: &Lines<'_>,
    map: &Mapping,
) -> Vec<Diagnostic> {
    // Only a double-quoted scalar decodes escapes.
    if !text.contains('\\') {
        return Vec::new();
    }
    let mut literal: Option<HashSet<char>> = None;
    let mut out = Vec::new();
    for (key, value) in map {
        let mut strings = Vec::new();
        collect_strings(key, &mut strings);
        collect_strings(value, &mut strings);
        let hidden: Vec<char> = strings
            .iter()
            .flat_map(|s| hidden_runs(s))
            .flat_map(|(_, chars)| chars)
            .collect();
        if hidden.is_empty() {
            continue;
        }
        let literal =
            literal.get_or_insert_with(|| text.chars().filter(|&c| is_hidden(c)).collect());
        let hidden: Vec<char> = hidden
            .into_iter()
            .filter(|c| !literal.contains(c))
            .collect();
        if hidden.is_empty() {
            continue;
        }
        let name = key.as_str().map(|k| k.chars().take(80).collect::<String>());
        let d = Diagnostic::error(
            HIDDEN_UNICODE,
            format!(
                "`{}` is written with escape sequences that decode to {}",
                name.as_deref().unwrap_or("a key"),
                describe_run(&hidden)
            ),
        )
        .with_hint(
            "remove the escape sequences; if the source needs them, set `allow-unicode = true` on that source in agentpack.toml (it is then a warning)",
        );
        out.push(match name.as_deref().and_then(|k| lines.key_pos(k)) {
            Some(pos) => d.at_line(label, text, pos.line, pos.col),
            None => d.at(crate::diag::Location::file(label)),
        });
    }
    out
}

/// Every string in `value`: scalars, the keys and values of maps, and list items, at any depth.
fn collect_strings<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Sequence(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Mapping(map) => map.iter().for_each(|(k, v)| {
            collect_strings(k, out);
            collect_strings(v, out);
        }),
        Value::Tagged(t) => collect_strings(&t.value, out),
        _ => {}
    }
}

fn describe_run(chars: &[char]) -> String {
    let first = chars[0];
    let what = format!("U+{:04X} {}", first as u32, char_name(first));
    let effect = if is_bidi(first) {
        "it reorders how the text around it is displayed"
    } else if is_stray_control(first) {
        "it is invisible in editors and acts on the terminal of whoever prints the file"
    } else {
        "it is invisible in editors and reviews"
    };
    let spelled: String = chars
        .iter()
        .filter_map(|&c| match c as u32 {
            t @ 0xE0020..=0xE007E => char::from_u32(t - 0xE0000),
            _ => None,
        })
        .collect();
    let spelled = if spelled.is_empty() {
        String::new()
    } else {
        let shown: String = spelled.chars().take(80).collect();
        let cut = if spelled.chars().count() > 80 {
            "..."
        } else {
            ""
        };
        format!("; the tag characters spell `{shown}{cut}`")
    };
    if chars.len() == 1 {
        format!("hidden Unicode character {what}: {effect}, but the model reads it")
    } else {
        format!(
            "{} hidden Unicode characters, starting with {what}: {effect}, but the model reads it{spelled}",
            chars.len()
        )
    }
}
