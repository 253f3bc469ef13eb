//! `agentpack lint`: findings on stdout (they are the command's output), a summary on stderr.

use crate::error::{Error, ExitStatus, Result};
use crate::ops::lint::{lint, missing_paths};
use crate::reporter::Reporter;

use super::super::args::LintArgs;
use super::super::printer::Printer;

pub fn exec(args: &LintArgs, printer: &Printer) -> Result<ExitStatus> {
    if let Some(missing) = missing_paths(&args.paths).first() {
        return Err(Error::Usage {
            message: format!("`{}` does not exist", missing.display()),
            hint: None,
        });
    }
    let report = lint(&args.paths, args.strict)?;
    for d in &report.diagnostics {
        println!("{}\n", d.render());
    }
    for (file, reason) in &report.passed_over {
        printer.status(
            crate::reporter::Status::Skipped,
            &format!("{file}: {reason}"),
        );
    }
    let warnings = report.diagnostics.len() - report.errors();
    printer.note(&format!(
        "checked {} files: {} agents, {} errors, {} warnings",
        report.files,
        report.agents,
        report.errors(),
        warnings
    ));
    Ok(if report.errors() > 0 {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Ok
    })
}
