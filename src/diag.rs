//! Diagnostics: problems found in user input (manifest, lockfile, agent files), with a location, a stable
//! code, and a hint, rendered the way cargo and rustc render theirs.
//!
//! A [`Diagnostic`] is data; [`Diagnostic::render`] turns it into text:
//!
//! ```text
//! warning[color-invalid]: `color` is `magenta`, which Claude Code ignores
//!   --> studio:engineering/backend-architect.md:5:8
//!    |
//!  5 | color: magenta
//!    |        ^
//!    = hint: use one of red, blue, green, yellow, purple, orange, pink, cyan
//! ```

use std::fmt;

use crate::escape::{escape, escape_lines};

/// How bad a finding is. Errors stop an install; warnings are reported (and become errors under `--strict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a finding points: a file label (a filesystem path, or `source:path` for files read from git),
/// and a 1-based line and column when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            line: None,
            column: None,
        }
    }

    pub fn at(file: impl Into<String>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

/// One finding about user input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case identifier (`tools-not-list`), documented in the README.
    pub code: &'static str,
    pub message: String,
    pub location: Option<Location>,
    /// The text of the line the location points at, shown with a caret under the column.
    pub snippet: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: None,
            snippet: None,
            hint: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    /// Point at `line`/`column` (1-based) of `text`, the whole file, and keep that line as the snippet.
    pub fn at_line(mut self, file: &str, text: &str, line: usize, column: usize) -> Self {
        self.snippet = text
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').to_string());
        self.location = Some(Location::at(file, line, column));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Under `--strict`, warnings count as errors.
    pub fn promote(mut self) -> Self {
        self.severity = Severity::Error;
        self
    }

    /// Render as multi-line text (no trailing newline). Long snippet lines are cut around the column so a
    /// 2,000-character description does not flood the terminal. Every part that can hold text from a
    /// source is [`escape`]d, the snippet before the caret is placed, so the caret stays under its
    /// character.
    pub fn render(&self) -> String {
        let mut out = format!(
            "{}[{}]: {}",
            self.severity,
            self.code,
            escape(&self.message)
        );
        if let Some(loc) = &self.location {
            let gutter = loc.line.map(|l| l.to_string().len()).unwrap_or(1);
            let pad = " ".repeat(gutter);
            out.push_str(&format!("\n{pad}--> {}", escape(&loc.to_string())));
            if let (Some(line), Some(snippet)) = (loc.line, &self.snippet) {
                let col = loc.column.unwrap_or(1).max(1);
                let before: String = snippet.chars().take(col - 1).collect();
                let col = escape(&before).chars().count() + 1;
                let (shown, caret_at) = clip(&escape(snippet), col);
                out.push_str(&format!("\n{pad} |\n{line} | {shown}"));
                out.push_str(&format!("\n{pad} | {}^", " ".repeat(caret_at)));
            }
        }
        if let Some(hint) = &self.hint {
            // A hint may be laid out in lines by agentpack (a manifest snippet); each line is escaped.
            out.push_str(&format!("\n  = hint: {}", escape_lines(hint)));
        }
        out
    }
}

/// `1 warning`, `2 warnings`, `0 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Cut `line` to a window of at most 100 characters around 1-based `col`; returns the text shown and the
/// 0-based character offset of the caret inside it.
fn clip(line: &str, col: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = line.chars().collect();
    let col = (col - 1).min(chars.len());
    if chars.len() <= WIDTH {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(WIDTH / 4);
    let end = (start + WIDTH).min(chars.len());
    let mut shown = String::new();
    let mut caret = col - start;
    if start > 0 {
        shown.push_str("...");
        caret += 3;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push_str("...");
    }
    (shown, caret)
}

/// 1-based line and character column of byte `offset` in `text` (an offset past the end is the end):
/// where a diagnostic points when a parser gives a byte offset (the manifest's and the lock's TOML, a
/// front matter's text). Here, beside [`Diagnostic::at_line`], so that every format counts columns the
/// same way, in characters, as the rendered caret does.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_line_and_char_column() {
        let text = "ab\ncé€x\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, text.find('x').unwrap()), (2, 4));
        assert_eq!(line_col(text, text.len()), (3, 1));
        assert_eq!(line_col(text, text.len() + 5), (3, 1));
    }

    #[test]
    fn renders_location_snippet_caret_and_hint() {
        let text = "---\nname: x\ncolor: magenta\n---\n";
        let d = Diagnostic::warning("color-invalid", "bad color")
            .at_line("a.md", text, 3, 8)
            .with_hint("use blue");
        assert_eq!(
            d.render(),
            "warning[color-invalid]: bad color\n --> a.md:3:8\n  |\n3 | color: magenta\n  |        ^\n  = hint: use blue"
        );
    }

    #[test]
    fn source_text_is_escaped_and_the_caret_stays_under_its_character() {
        let text = "---\ncolor: \"\x1b]0;x\x07\" # \u{202e}\n---\n";
        let d = Diagnostic::warning("color-invalid", "`color` is `\x1b]0;x\x07`")
            .at_line("a\x1b[2K.md", text, 2, 17)
            .with_hint("not \r this");
        assert_eq!(
            d.render(),
            "warning[color-invalid]: `color` is `\\u001b]0;x\\u0007`\n --> a\\u001b[2K.md:2:17\n  |\n2 | color: \"\\u001b]0;x\\u0007\" # \\u202e\n  |                           ^\n  = hint: not \\u000d this"
        );
    }

    #[test]
    fn clips_long_lines_around_the_column() {
        let line = "x".repeat(500);
        let (shown, caret) = clip(&line, 300);
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        assert_eq!(caret, 3 + 25);
    }
}
