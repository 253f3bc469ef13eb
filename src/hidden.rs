//! Hidden Unicode: the characters agentpack refuses because a reader cannot see them, and the contexts
//! that exempt one. A base rule: installable agent names ([`crate::names::AgentName`]) and the
//! `hidden-unicode` check of files ([`crate::frontmatter::trust`]) both use it.
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
pub fn is_stray_control(c: char) -> bool {
    matches!(c, '\0'..='\x1f' | '\x7f') && !matches!(c, '\t' | '\n' | '\r')
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

/// Could a byte start a hidden character? Every hidden character is an ASCII control other than tab
/// and line ends, DEL, or U+034F and above (U+00AD, the one ignorable code point below, is exempt),
/// whose UTF-8 starts with a byte of 0xCD or more. (Exhaustively tested over every character.)
const fn may_start_hidden(b: u8) -> bool {
    b >= 0xCD || b == 0x7F || (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
}

/// Can `text` hold a hidden character at all? The fast path of every scan: plain ASCII prose and
/// Latin accented text are ruled out by their bytes, without decoding a character or looking one up
/// in ICU's tables. Blocks of bytes are tested without a branch inside a block, which the compiler
/// turns into vector instructions.
pub fn may_hold_hidden(text: &str) -> bool {
    text.as_bytes().chunks(64).any(|block| {
        block
            .iter()
            .fold(0u8, |any, &b| any | u8::from(may_start_hidden(b)))
            != 0
    })
}

/// Runs of adjacent hidden characters in `text` that no exemption covers: (byte offset of the first,
/// the characters).
pub fn hidden_runs(text: &str) -> Vec<(usize, Vec<char>)> {
    if !may_hold_hidden(text) {
        return Vec::new();
    }
    runs_by_characters(text)
}

/// [`hidden_runs`] without its fast path: every character decoded and looked up.
fn runs_by_characters(text: &str) -> Vec<(usize, Vec<char>)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hidden_character_starts_with_a_byte_the_fast_path_looks_for() {
        let mut hidden = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut utf8 = [0; 4];
            let first = c.encode_utf8(&mut utf8).as_bytes()[0];
            if is_hidden(c) {
                hidden += 1;
                assert!(may_start_hidden(first), "U+{:04X}", c as u32);
                assert!(
                    may_hold_hidden(c.encode_utf8(&mut utf8)),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
        // The rule is not vacuous: ICU's table was read.
        assert!(hidden > 4000, "{hidden}");
    }

    proptest::proptest! {
        /// Text from every part of the rule (plain and accented letters, the controls, tab and line
        /// ends, DEL, U+00AD, the first bytes around 0xCD, hidden characters, emoji, joiners, variation
        /// selectors, tags and CJK), long enough to span blocks of the fast path.
        #[test]
        fn the_fast_path_finds_exactly_what_the_character_scan_finds(
            text in "[a-zA-Z \t\n\r\x00-\x1f\x7fé\u{AD}\u{300}-\u{350}\u{61C}\u{200B}-\u{200F}\u{2066}\u{FE0F}\u{FEFF}\u{1F3F4}\u{1F600}\u{E0061}-\u{E007F}\u{4E00}\u{E0100}]{0,150}"
        ) {
            proptest::prop_assert_eq!(hidden_runs(&text), runs_by_characters(&text));
            proptest::prop_assert!(may_hold_hidden(&text) || runs_by_characters(&text).is_empty());
        }

        /// Long runs of ASCII with one character anywhere (the block edges of the fast path included).
        #[test]
        fn one_character_anywhere_in_ascii_is_seen(
            at in 0usize..200,
            c in proptest::char::any(),
        ) {
            let mut text = "a".repeat(200);
            text.insert(at, c);
            proptest::prop_assert_eq!(hidden_runs(&text), runs_by_characters(&text));
            proptest::prop_assert_eq!(may_hold_hidden(&text), may_start_hidden(text.as_bytes()[at]));
        }
    }
}
