//! How commands print their data on stdout: findings of `lint` and `verify` for people, as stable JSON, or
//! as GitHub Actions workflow commands (`::error file=F,line=L,col=C,title=T::message`, which GitHub shows
//! as annotations on the pull request's files); and the aligned tables of `list` and `outdated`.

use serde_json::{Value, json};

use super::args::OutputFormat;
use super::out;
use crate::diag::Diagnostic;
use crate::escape::escape;

/// The format `--json` or `--format` asks for (`--json` wins).
pub fn chosen(json: bool, format: OutputFormat) -> OutputFormat {
    if json { OutputFormat::Json } else { format }
}

/// Print findings in `format`. For JSON, `document` builds the whole document around the findings' JSON.
/// `errors_only` (`-q`) leaves the warnings out of the human format; JSON and annotations, read by
/// programs, stay complete.
pub fn print_findings(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    errors_only: bool,
    document: impl FnOnce(Vec<Value>) -> Value,
) {
    match format {
        OutputFormat::Human => {
            for d in diagnostics.iter().filter(|d| d.is_error() || !errors_only) {
                out::println(&format!("{}\n", d.render()));
            }
        }
        OutputFormat::Github => {
            for d in diagnostics {
                out::println(&github_annotation(d));
            }
        }
        OutputFormat::Json => {
            out::json(&document(diagnostics.iter().map(diagnostic_json).collect()));
        }
    }
}

/// Print `rows` under `header` in left-aligned columns two spaces apart. Cells are escaped before they
/// are measured, so a control character in a name can neither act nor shift the columns.
pub fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let header = header.map(String::from);
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|row| row.clone().map(|cell| escape(&cell).into_owned()))
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out::println(line.join("  ").trim_end());
    }
}

/// `{"severity", "code", "message", "file", "line", "column", "hint"}`; absent parts are `null`.
pub fn diagnostic_json(d: &Diagnostic) -> Value {
    let location = d.location.as_ref();
    json!({
        "severity": d.severity.to_string(),
        "code": d.code,
        "message": d.message,
        "file": location.map(|l| l.file.clone()),
        "line": location.and_then(|l| l.line),
        "column": location.and_then(|l| l.column),
        "hint": d.hint,
    })
}

/// One GitHub Actions annotation line. The hint goes on a second line of the message.
pub fn github_annotation(d: &Diagnostic) -> String {
    let mut properties = Vec::new();
    if let Some(location) = &d.location {
        properties.push(format!("file={}", escape_property(&location.file)));
        if let Some(line) = location.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = location.column {
            properties.push(format!("col={column}"));
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!("agentpack {}", d.code))
    ));
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str(&format!("\nhint: {hint}"));
    }
    format!(
        "::{} {}::{}",
        d.severity,
        properties.join(","),
        escape_data(&message)
    )
}

/// GitHub's escaping of a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;

    #[test]
    fn annotations_escape_properties_and_data() {
        let d = Diagnostic::error("hidden-unicode", "100% hidden\nreally")
            .at(Location::at("a,b:c.md", 3, 7))
            .with_hint("remove it");
        assert_eq!(
            github_annotation(&d),
            "::error file=a%2Cb%3Ac.md,line=3,col=7,title=agentpack hidden-unicode::100%25 hidden%0Areally%0Ahint: remove it"
        );
        let d = Diagnostic::warning("duplicate-name", "twice");
        assert_eq!(
            github_annotation(&d),
            "::warning title=agentpack duplicate-name::twice"
        );
    }
}
