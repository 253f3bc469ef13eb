//! Mis-encoded text ("mojibake"): UTF-8 that was once decoded as Windows-1252 or Latin-1 and saved again,
//! so `🧠` shows as `ðŸ§ ` and `’` as `â€™`. Claude Code shows such text as is, so the agent's prompt
//! and headings carry garbage.
//!
//! A hit is a lead character U+00C2..U+00F4 (the Latin-1 reading of a UTF-8 lead byte) followed by the
//! right number of characters whose Windows-1252 bytes are UTF-8 continuation bytes (0x80..0xBF), where
//! the bytes together are valid UTF-8.

/// Windows-1252 characters at 0x80..0x9F; the bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
/// come through decoders as the C1 controls of the same value and are handled with Latin-1 below.
const CP1252_SPECIALS: &[(char, u8)] = &[
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// The byte a character came from, if it is the Windows-1252/Latin-1 reading of a continuation byte.
fn continuation_byte(c: char) -> Option<u8> {
    match c as u32 {
        n @ 0x80..=0xBF => Some(n as u8),
        _ => CP1252_SPECIALS
            .iter()
            .find(|(special, _)| *special == c)
            .map(|(_, b)| *b),
    }
}

/// How many continuation bytes follow a lead character, if `c` reads as a UTF-8 lead byte.
fn continuation_count(c: char) -> Option<usize> {
    match c as u32 {
        0xC2..=0xDF => Some(1),
        0xE0..=0xEF => Some(2),
        0xF0..=0xF4 => Some(3),
        _ => None,
    }
}

/// One mis-encoded character at `chars[i]`: how many characters it spans and what it was.
fn decode_at(chars: &[(usize, char)], i: usize) -> Option<(usize, char)> {
    let (_, lead) = chars[i];
    let n = continuation_count(lead)?;
    let mut bytes = vec![lead as u32 as u8];
    for k in 1..=n {
        bytes.push(continuation_byte(chars.get(i + k)?.1)?);
    }
    let decoded = std::str::from_utf8(&bytes).ok()?.chars().next()?;
    Some((n + 1, decoded))
}

/// A run of adjacent mis-encoded characters starting at `chars[i]`, if it is convincing: two-character
/// pairs like `Ö»` occur in real text, so a lone pair only counts for `Â`/`Ã` (the leads of Latin-1
/// punctuation and accented letters, by far the most common mojibake); longer sequences always count.
fn run_at(chars: &[(usize, char)], i: usize) -> Option<(usize, String)> {
    let mut j = i;
    let mut meant = String::new();
    let mut convincing = false;
    while let Some((len, decoded)) = (j < chars.len()).then(|| decode_at(chars, j)).flatten() {
        convincing |= len > 2 || matches!(chars[j].1, 'Â' | 'Ã') || j > i;
        meant.push(decoded);
        j += len;
    }
    (convincing && j > i).then_some((j - i, meant))
}

/// The first mis-encoded run in `text`, and how many runs there are.
pub(crate) struct Found {
    /// Byte offset of the first run.
    pub offset: usize,
    /// The first run as it appears in the file.
    pub seen: String,
    /// What the first run most likely was (decoded repeatedly, for text mis-encoded twice).
    pub meant: String,
    pub count: usize,
}

/// Replace every convincing run by its decoding; None when there is none.
fn fix(text: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::new();
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if let Some((len, meant)) = run_at(&chars, i) {
            out.push_str(&meant);
            changed = true;
            i += len;
        } else {
            out.push(chars[i].1);
            i += 1;
        }
    }
    changed.then_some(out)
}

pub(crate) fn find(text: &str) -> Option<Found> {
    // Cheap pre-checks: every lead character is in U+00C2..U+00F4, which UTF-8 encodes as 0xC3 and one more
    // byte, so most files are ruled out by a byte scan without decoding.
    if !text.as_bytes().contains(&0xC3) || !text.chars().any(|c| continuation_count(c).is_some()) {
        return None;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut first: Option<(usize, String, String)> = None;
    let mut count = 0;
    let mut i = 0;
    while i < chars.len() {
        match run_at(&chars, i) {
            Some((len, meant)) => {
                if first.is_none() {
                    let start = chars[i].0;
                    let end = chars.get(i + len).map_or(text.len(), |c| c.0);
                    first = Some((start, text[start..end].to_string(), meant));
                }
                count += 1;
                i += len;
            }
            None => i += 1,
        }
    }
    let (offset, seen, mut meant) = first?;
    // Text that went through the bad conversion twice decodes to more mojibake.
    for _ in 0..3 {
        match fix(&meant) {
            Some(again) => meant = again,
            None => break,
        }
    }
    Some(Found {
        offset,
        seen,
        meant,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meant(text: &str) -> Option<String> {
        find(text).map(|f| f.meant)
    }

    #[test]
    fn decodes_common_mojibake() {
        assert_eq!(
            meant("## \u{f0}\u{178}\u{a7}\u{a0} Identity"),
            Some("🧠".into())
        );
        assert_eq!(meant("it\u{e2}\u{20ac}\u{2122}s"), Some("’".into()));
        assert_eq!(meant("caf\u{c3}\u{a9}"), Some("é".into()));
        assert_eq!(meant("\u{c2}\u{a0}"), Some("\u{a0}".into()));
        assert_eq!(meant("ðŸŽ¯ Mission"), Some("🎯".into()));
        assert_eq!(meant("â€” dash"), Some("—".into()));
    }

    #[test]
    fn reports_the_first_run_and_counts_all() {
        let text = "ok\nthe â€œquoteâ€\u{9d} here";
        let found = find(text).unwrap();
        assert_eq!(found.offset, text.find('â').unwrap());
        assert_eq!(found.seen, "â€œ");
        assert_eq!(found.meant, "“");
        assert_eq!(found.count, 2);
    }

    #[test]
    fn adjacent_runs_decode_together() {
        // "Привет" read as Windows-1252: two-character pairs that only count because they are adjacent.
        assert_eq!(meant("ÐŸÑ€Ð¸Ð²ÐµÑ‚"), Some("Привет".into()));
    }

    #[test]
    fn decodes_text_that_was_mis_encoded_twice() {
        // `’` → `â€™` → each of those characters mis-encoded once more.
        let once = "â€™";
        let twice: String = once
            .bytes()
            .map(
                |b| match CP1252_SPECIALS.iter().find(|(_, byte)| *byte == b) {
                    Some((c, _)) => *c,
                    None => b as char,
                },
            )
            .collect();
        assert_eq!(meant(&twice), Some("’".into()));
    }

    #[test]
    fn normal_text_is_not_mojibake() {
        for text in [
            "café, naïve, résumé, Ålborg, Ærø, São Paulo, Ørsted",
            "Düsseldorf »Zitat« Öl» « ±5 °C, HALLÖ» ñ¿qué?",
            "em — dash, ‘quotes’ and “more” … €5",
            "emoji 🧠 🎯 stay emoji",
            "Ã alone, Â alone, ð alone",
            "",
        ] {
            assert!(find(text).is_none(), "{text}");
        }
    }
}
