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
                "skills": report.skills,
                "commands": report.commands,
                "errors": report.errors(),
                "warnings": report.warnings(),
                "problems": problems,
            })
        },
    );
    // Skills and commands are named only when the lock has some, so an agents-only summary reads as before.
    let mut installed = plural(report.agents, "installed agent");
    for (count, noun) in [(report.skills, "skill"), (report.commands, "command")] {
        if count > 0 {
            installed.push_str(&format!(", {}", plural(count, noun)));
        }
    }
    printer.note(&format!(
        "verified {installed}: {}, {}",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning")
    ));
    Ok(if report.errors() > 0 {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Ok
    })
}
