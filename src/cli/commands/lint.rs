//! `agentpack lint`: findings on stdout (they are the command's output), a summary on stderr.

use crate::diag::plural;
use crate::error::{Error, ExitStatus, Result};
use crate::ops::lint::{lint, missing_paths};
use crate::reporter::Reporter;

use super::super::args::LintArgs;
use super::super::format::{chosen, print_findings};
use super::super::printer::Printer;

pub fn exec(args: &LintArgs, printer: &Printer) -> Result<ExitStatus> {
    if let Some(missing) = missing_paths(&args.paths).first() {
        return Err(Error::Usage {
            message: format!("`{}` does not exist", missing.display()),
            hint: None,
        });
    }
    let report = lint(&args.paths, args.strict)?;
    let warnings = report.diagnostics.len() - report.errors();
    print_findings(
        chosen(args.json, args.format),
        &report.diagnostics,
        printer.quiet(),
        |diagnostics| {
            serde_json::json!({
                "files": report.files,
                "agents": report.agents,
                "errors": report.errors(),
                "warnings": warnings,
                "diagnostics": diagnostics,
            })
        },
    );
    for (file, reason) in &report.passed_over {
        printer.status(
            crate::reporter::Status::Skipped,
            &format!("{file}: {reason}"),
        );
    }
    printer.note(&format!(
        "checked {}: {}, {}, {}",
        plural(report.files, "file"),
        plural(report.agents, "agent"),
        plural(report.errors(), "error"),
        plural(warnings, "warning")
    ));
    Ok(if report.errors() > 0 {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Ok
    })
}
