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
    let problems: Vec<_> = report.problems.iter().map(|d| printer.scope(d)).collect();
    print_findings(
        chosen(args.json, args.format),
        &problems,
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
    // Each kind is named only when the lock has some (`1 installed skill, 2 commands`, not `0 installed
    // agents, ...`), so an agents-only summary reads as before and an empty lock says `0 installed agents`.
    let kinds = [
        (report.agents, "agent"),
        (report.skills, "skill"),
        (report.commands, "command"),
    ];
    let counts: Vec<String> = (kinds.iter())
        .filter(|(count, _)| *count > 0)
        .enumerate()
        .map(|(i, (count, noun))| match i {
            0 => plural(*count, &format!("installed {noun}")),
            _ => plural(*count, noun),
        })
        .collect();
    let installed = match counts.as_slice() {
        [] => plural(0, "installed agent"),
        counts => counts.join(", "),
    };
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
