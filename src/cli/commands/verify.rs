//! `agentpack verify`: problems on stdout (human, JSON or GitHub annotations), a summary on stderr.

use crate::diag::plural;
use crate::error::{ExitStatus, Result};
use crate::ops::verify::{VerifyOptions, verify};

use super::super::args::VerifyArgs;
use super::super::format::{chosen, print_findings};
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &VerifyArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let manifest = settings.manifest()?;
    let report = verify(
        &manifest,
        VerifyOptions {
            strict: args.strict,
        },
    )?;
    print_findings(
        chosen(args.json, args.format),
        &report.problems,
        printer.quiet(),
        |problems| {
            serde_json::json!({
                "ok": report.errors() == 0,
                "agents": report.agents,
                "errors": report.errors(),
                "warnings": report.warnings(),
                "problems": problems,
            })
        },
    );
    printer.note(&format!(
        "verified {}: {}, {}",
        plural(report.agents, "installed agent"),
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning")
    ));
    Ok(if report.errors() > 0 {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Ok
    })
}
