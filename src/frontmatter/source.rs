//! Where the front matter is in a file's text, and where a top-level key or value sits in it: the YAML
//! parser gives values without positions, so diagnostics find their line and column here, from the text.
//!
//! Claude Code finds front matter with the JavaScript expression `^---\s*\n([\s\S]*?)---\s*\n?`
//! after dropping a byte-order mark. [`split`] does exactly that: the blank lines after the opening
//! `---` are swallowed, and the front matter ends at the first `---` anywhere after it, even in the
//! middle of a line (then [`FrontMatter::cut`] says where).

use std::collections::HashMap;

use crate::diag::line_col;

pub(crate) enum Split<'a> {
    /// Not front matter as Claude Code sees it; the reason is shown to the user.
    Missing {
        reason: &'static str,
    },
    /// The opening `---` has no closing `---`.
    Unterminated,
    Found(FrontMatter<'a>),
}

pub(crate) struct FrontMatter<'a> {
    /// The YAML between the fences, line endings included.
    pub yaml: &'a str,
    /// Byte offset of `yaml` in the file.
    pub start: usize,
    /// File line (1-based) of the first line of `yaml`.
    pub first_line: usize,
    /// Where the closing `---` is when it is not at the start of a line: Claude Code ends the front
    /// matter there anyway, and what follows it is body.
    pub cut: Option<Pos>,
}

/// A fence is `---` plus optional spaces; a `\r` left by CRLF line endings is not part of the line.
pub(crate) fn is_fence(line: &str) -> bool {
    let line = line.strip_suffix('\r').unwrap_or(line);
    line.strip_prefix("---")
        .is_some_and(|rest| rest.bytes().all(|b| b == b' '))
}

/// JavaScript's `\s`: what Claude Code's expressions count as white space.
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

pub(crate) fn split(text: &str) -> Split<'_> {
    // Claude Code drops a byte-order mark first.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(after_open) = body.strip_prefix("---") else {
        return Split::Missing {
            reason: "no front matter",
        };
    };
    // `---\s*\n`: the white space after the opening `---` runs up to its last newline.
    let space = after_open.len() - after_open.trim_start_matches(is_js_space).len();
    let Some(newline) = after_open[..space].rfind('\n') else {
        return Split::Missing {
            reason: "no front matter",
        };
    };
    let start = text.len() - after_open.len() + newline + 1;
    // `([\s\S]*?)---`: the first `---` after that, wherever it is.
    let Some(len) = text[start..].find("---") else {
        return Split::Unterminated;
    };
    let (line, col) = line_col(text, start + len);
    Split::Found(FrontMatter {
        yaml: &text[start..start + len],
        start,
        first_line: text[..start].matches('\n').count() + 1,
        cut: (col != 1).then_some(Pos { line, col }),
    })
}

/// A 1-based file line and 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub line: usize,
    pub col: usize,
}

/// If `line` is a top-level mapping entry (`key: ...` at column 0), its key and the byte offset just
/// after the `:`. Quoted keys (`"key": ...`) count too.
pub(crate) fn top_level_key(line: &str) -> Option<(String, usize)> {
    // A tag (`!x key:`) or an anchor (`&a key:`) before the key does not change which key it is.
    let mut rest = line;
    while rest.starts_with(['!', '&']) {
        let end = rest.find([' ', '\t'])?;
        rest = rest[end..].trim_start_matches([' ', '\t']);
    }
    let skipped = line.len() - rest.len();
    untagged_key(rest).map(|(key, after)| (key, after + skipped))
}

fn untagged_key(line: &str) -> Option<(String, usize)> {
    let first = line.chars().next()?;
    match first {
        '"' | '\'' => {
            let close = line[1..].find(first)? + 1;
            let after = line[close + 1..].trim_start_matches([' ', '\t']);
            let colon = line.len() - after.len();
            after.strip_prefix(':').and_then(|rest| {
                (rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
                    .then(|| (line[1..close].to_string(), colon + 1))
            })
        }
        ' ' | '\t' | '#' | '\r' | '[' | '{' | '?' | ':' | '&' | '*' | '!' | '|' | '>' | '%'
        | '@' | '`' => None,
        '-' if line[1..].is_empty() || line[1..].starts_with([' ', '\t', '\r']) => None,
        _ => {
            let bytes = line.as_bytes();
            let colon = (0..bytes.len()).find(|&i| {
                bytes[i] == b':'
                    && bytes
                        .get(i + 1)
                        .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r'))
            })?;
            let key = line[..colon].trim_end_matches([' ', '\t']);
            // ` #` starts a comment, so a `:` after it is not a key separator.
            if key.contains(" #") || key.contains("\t#") {
                return None;
            }
            Some((key.to_string(), colon + 1))
        }
    }
}

/// The front matter split into lines, for locating keys and values.
pub(crate) struct Lines<'a> {
    /// Lines without their `\n` / `\r\n`.
    lines: Vec<&'a str>,
    /// Indexes of the lines that start a top-level entry, ascending.
    key_lines: Vec<usize>,
    /// Line index of each top-level key, its last occurrence when repeated (the one Claude Code
    /// reads): front matter can hold thousands of keys, and each diagnostic looks one up.
    last: HashMap<String, usize>,
    /// File line of the first line.
    first_line: usize,
}

fn col_of(line: &str, byte: usize) -> usize {
    line[..byte].chars().count() + 1
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    t.is_empty() || t == "\r" || t.starts_with('#')
}

impl<'a> Lines<'a> {
    pub fn new(yaml: &'a str, first_line: usize) -> Self {
        let mut lines: Vec<&str> = yaml
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        // `split` yields an empty piece after the final newline; it is not a line of the front matter.
        if yaml.ends_with('\n') {
            lines.pop();
        }
        let mut key_lines = Vec::new();
        let mut last = HashMap::new();
        for (i, line) in lines.iter().enumerate() {
            if let Some((key, _)) = top_level_key(line) {
                key_lines.push(i);
                last.insert(key, i);
            }
        }
        Lines {
            lines,
            key_lines,
            last,
            first_line,
        }
    }

    fn file_line(&self, index: usize) -> usize {
        index + self.first_line
    }

    /// File line of the first front-matter line.
    pub fn first_line(&self) -> usize {
        self.first_line
    }

    fn key_index(&self, key: &str) -> Option<usize> {
        self.last.get(key).copied()
    }

    /// Index one past the last line belonging to the entry at `index`: up to the next top-level key.
    fn region_end(&self, index: usize) -> usize {
        let next = self.key_lines.partition_point(|&k| k <= index);
        self.key_lines
            .get(next)
            .copied()
            .unwrap_or(self.lines.len())
    }

    /// Where the key itself is (column 1 of its line); for a key that is not written out, where a
    /// merge key (`<<`) that may have brought it in is.
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.key_index(key)
            .or_else(|| self.key_index("<<"))
            .map(|i| Pos {
                line: self.file_line(i),
                col: 1,
            })
    }

    /// Where the key's value starts: on the key's line, or on the first line of a block value below it.
    /// Falls back to the key when the value is empty.
    pub fn value_pos(&self, key: &str) -> Option<Pos> {
        let i = self.key_index(key)?;
        let line = self.lines[i];
        let (_, after) = top_level_key(line)?;
        let rest = &line[after..];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if !trimmed.is_empty() && !trimmed.starts_with('#') {
            return Some(Pos {
                line: self.file_line(i),
                col: col_of(line, line.len() - trimmed.len()),
            });
        }
        for j in i + 1..self.region_end(i) {
            let l = self.lines[j];
            if !is_blank_or_comment(l) {
                let content = l.trim_start_matches([' ', '\t']);
                return Some(Pos {
                    line: self.file_line(j),
                    col: col_of(l, l.len() - content.len()),
                });
            }
        }
        Some(Pos {
            line: self.file_line(i),
            col: 1,
        })
    }

    /// The comment right after `key:` when the key has no value on its line (`color: #10B981` is a key
    /// with an empty value and a comment), and where it starts.
    pub fn comment_after(&self, key: &str) -> Option<(Pos, &'a str)> {
        let i = self.key_index(key)?;
        let line = self.lines[i];
        let (_, after) = top_level_key(line)?;
        let rest = &line[after..];
        let comment = rest.trim_start_matches([' ', '\t']);
        comment.starts_with('#').then(|| {
            let pos = Pos {
                line: self.file_line(i),
                col: col_of(line, line.len() - comment.len()),
            };
            (pos, comment.trim_end_matches([' ', '\t']))
        })
    }

    /// First occurrence of `needle` as a whole word inside the entry of `key` (its line and the indented
    /// lines below it).
    pub fn find_in_entry(&self, key: &str, needle: &str) -> Option<Pos> {
        if needle.is_empty() {
            return None;
        }
        let i = self.key_index(key)?;
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        for j in i..self.region_end(i) {
            let line = self.lines[j];
            // Skip the key itself so `tools: tools` points at the value.
            let from = if j == i {
                top_level_key(line).map_or(0, |(_, after)| after)
            } else {
                0
            };
            let mut search = from;
            while let Some(off) = line[search..].find(needle) {
                let at = search + off;
                let before_ok = !line[..at].chars().next_back().is_some_and(is_word);
                let after_ok = !line[at + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(is_word);
                if before_ok && after_ok {
                    return Some(Pos {
                        line: self.file_line(j),
                        col: col_of(line, at),
                    });
                }
                search = at + needle.len();
            }
        }
        None
    }
}

/// Best-effort `name` from raw front-matter lines, for files whose YAML could not be read: the value of
/// the first top-level `name:` line, unquoted, without a trailing comment.
pub(crate) fn name_hint<'a>(lines: impl Iterator<Item = &'a str>) -> Option<String> {
    for raw in lines {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if is_fence(line) {
            break;
        }
        let Some((key, after)) = top_level_key(line) else {
            continue;
        };
        if key != "name" {
            continue;
        }
        let value = line[after..].trim_matches([' ', '\t']);
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => match value[1..].find(q) {
                Some(end) => &value[1..end + 1],
                None => &value[1..],
            },
            _ => {
                let cut = [" #", "\t#"]
                    .iter()
                    .filter_map(|c| value.find(c))
                    .min()
                    .unwrap_or(value.len());
                if value.starts_with('#') {
                    ""
                } else {
                    value[..cut].trim_end_matches([' ', '\t'])
                }
            }
        };
        return (!value.is_empty()).then(|| value.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> &str {
        match split(text) {
            Split::Found(fm) => fm.yaml,
            Split::Missing { reason } => panic!("missing: {reason}"),
            Split::Unterminated => panic!("unterminated"),
        }
    }

    #[test]
    fn splits_front_matter_from_body() {
        assert_eq!(found("---\nname: a\n---\nbody\n---\n"), "name: a\n");
        assert_eq!(found("--- \r\nname: a\r\n---  \r\nbody"), "name: a\r\n");
        assert_eq!(found("---\n---\n"), "");
        // A byte-order mark is dropped.
        assert_eq!(found("\u{feff}---\nname: a\n---\n"), "name: a\n");
    }

    #[test]
    fn blank_lines_after_the_opening_fence_are_swallowed() {
        let Split::Found(fm) = split("---\n\n \t\n  name: a\n---\n") else {
            panic!("no front matter");
        };
        assert_eq!((fm.yaml, fm.first_line, fm.start), ("  name: a\n", 4, 8));
        assert_eq!(found("---\u{a0}\n\u{feff}\nname: a\n---"), "name: a\n");
    }

    #[test]
    fn the_first_dashes_anywhere_close_the_front_matter() {
        let Split::Found(fm) = split("---\nname: code-reviewer---x\ndescription: d\n---\n") else {
            panic!("no front matter");
        };
        assert_eq!(fm.yaml, "name: code-reviewer");
        assert_eq!(fm.cut, Some(Pos { line: 2, col: 20 }));
        let Split::Found(fm) = split("---\nname: a\n--- x\n") else {
            panic!("no front matter");
        };
        assert_eq!((fm.yaml, fm.cut), ("name: a\n", None));
    }

    #[test]
    fn not_front_matter() {
        for text in [
            "# Title\n",
            "    ---\n    name: a\n    ---\n",
            "---",
            "--- x\nname: a\n---\n",
            "----\nname: a\n----\n",
            "\u{feff}\u{feff}---\nname: a\n---\n",
            "",
        ] {
            assert!(
                matches!(split(text), Split::Missing { .. }),
                "{text:?} should have no front matter"
            );
        }
        assert!(matches!(split("---\nname: a\n"), Split::Unterminated));
    }

    #[test]
    fn finds_top_level_keys() {
        assert_eq!(top_level_key("name: x"), Some(("name".into(), 5)));
        assert_eq!(top_level_key("name:"), Some(("name".into(), 5)));
        assert_eq!(top_level_key("name :x y"), None);
        assert_eq!(top_level_key("name : x"), Some(("name".into(), 6)));
        assert_eq!(top_level_key("\"name\": x"), Some(("name".into(), 7)));
        assert_eq!(top_level_key("  name: x"), None);
        assert_eq!(top_level_key("- name: x"), None);
        assert_eq!(top_level_key("# name: x"), None);
        assert_eq!(top_level_key("url:http://x"), None);
        assert_eq!(top_level_key("!x hooks: {}"), Some(("hooks".into(), 9)));
        assert_eq!(
            top_level_key("&a !!str 'name': x"),
            Some(("name".into(), 16))
        );
        assert_eq!(top_level_key("!x"), None);
    }

    #[test]
    fn locates_values() {
        let lines = Lines::new(
            "name: a\ncolor:   red # c\ntools:\n\n  - Read\n  - Bash\nmodel:\n",
            2,
        );
        assert_eq!(lines.key_pos("color"), Some(Pos { line: 3, col: 1 }));
        assert_eq!(lines.value_pos("color"), Some(Pos { line: 3, col: 10 }));
        assert_eq!(lines.value_pos("tools"), Some(Pos { line: 6, col: 3 }));
        assert_eq!(lines.value_pos("model"), Some(Pos { line: 8, col: 1 }));
        assert_eq!(
            lines.find_in_entry("tools", "Bash"),
            Some(Pos { line: 7, col: 5 })
        );
        assert_eq!(lines.find_in_entry("tools", "Bas"), None);
        assert_eq!(lines.value_pos("missing"), None);
        let lines = Lines::new("color: #10B981  \nmodel: x # y\n", 2);
        assert_eq!(
            lines.comment_after("color"),
            Some((Pos { line: 2, col: 8 }, "#10B981"))
        );
        assert_eq!(lines.comment_after("model"), None);
    }

    #[test]
    fn recovers_name_hints() {
        let hint = |s: &str| name_hint(s.lines());
        assert_eq!(hint("a: b\nname: x-y # c\n"), Some("x-y".into()));
        assert_eq!(hint("name: \"q: r\"\n"), Some("q: r".into()));
        assert_eq!(hint("  name: nested\n"), None);
        assert_eq!(hint("name:\n"), None);
        assert_eq!(hint("a: b\n---\nname: body\n"), None);
    }
}
