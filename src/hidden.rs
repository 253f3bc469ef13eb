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

/// Runs of adjacent hidden characters in `text` that no exemption covers: (byte offset of the first,
/// the characters).
pub fn hidden_runs(text: &str) -> Vec<(usize, Vec<char>)> {
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
