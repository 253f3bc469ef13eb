//! `agentpack verify`: problems on stdout (human, JSON or GitHub annotations), a summary on stderr.

use crate::error::{ExitStatus, Result};
use crate::ops::verify::{VerifyOptions, verify};

use super::super::args::{GlobalArgs, OutputFormat, VerifyArgs};
use super::super::format::{diagnostic_json, github_annotation};
use super::super::printer::Printer;

pub fn exec(args: &VerifyArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let manifest = super::super::manifest_path(global)?;
    let report = verify(
        &manifest,
        VerifyOptions {
            strict: args.strict,
        },
    )?;
    let format = if args.json {
        OutputFormat::Json
    } else {
        args.format
    };
    match format {
        OutputFormat::Human => {
            for d in &report.problems {
                println!("{}\n", d.render());
            }
        }
        OutputFormat::Github => {
            for d in &report.problems {
                println!("{}", github_annotation(d));
            }
        }
        OutputFormat::Json => {
            let json = serde_json::json!({
                "ok": report.errors() == 0,
                "agents": report.agents,
                "errors": report.errors(),
                "warnings": report.warnings(),
                "problems": report.problems.iter().map(diagnostic_json).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).expect("serializable")
            );
        }
    }
    printer.note(&format!(
        "verified {} installed agents: {} errors, {} warnings",
        report.agents,
        report.errors(),
        report.warnings()
    ));
    Ok(if report.errors() > 0 {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Ok
    })
}
