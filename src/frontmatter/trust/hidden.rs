//! Hidden Unicode: invisible characters anywhere in a file, or decoded from YAML escapes in its front
//! matter, reported as `hidden-unicode` errors ([`super::HIDDEN_UNICODE`]).
//!
//! Which characters are hidden, and which context exempts, is [`crate::hidden`]'s rule.

use std::collections::HashSet;

use serde_yaml_ng::{Mapping, Value};

use super::HIDDEN_UNICODE;
use crate::diag::{Diagnostic, line_col};
use crate::frontmatter::source::Lines;
use crate::hidden::{hidden_runs, is_hidden, is_stray_control};

/// Hidden-character runs reported one by one per file; the rest share one diagnostic.
pub(super) const MAX_HIDDEN_REPORTS: usize = 10;

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

pub(super) fn hidden_unicode(label: &str, text: &str) -> Vec<Diagnostic> {
    // Most files are ruled out by their bytes, before any decoding ([`hidden_runs`]' fast path).
    let runs = hidden_runs(text);
    if runs.is_empty() {
        return Vec::new();
    }
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
