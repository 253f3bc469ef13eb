//! `agentpack update`: one line per source that moved on stdout (`studio  v1.2.0 (abc1234) -> v1.3.1
//! (def5678)`, then `+ agent` / `- agent`), status on stderr.

use crate::error::{ExitStatus, Result};
use crate::ops::update::update;

use super::super::args::UpdateArgs;
use super::super::out;
use super::super::printer::Printer;
use super::super::settings::Settings;
use crate::escape::escape;

pub fn exec(args: &UpdateArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let manifest = settings.manifest()?;
    let options = super::super::settings::update(args);
    let report = update(&manifest, &options, &settings.cache()?, printer)?;
    for r in &report.requirements {
        printer.note(&format!(
            "{} [sources.{}] version \"{}\" -> \"{}\" in agentpack.toml",
            if args.dry_run {
                "Would change"
            } else {
                "Changed"
            },
            r.source,
            r.before,
            r.after
        ));
    }
    let width = report
        .changes
        .iter()
        .map(|c| c.source.len())
        .max()
        .unwrap_or(0);
    for change in &report.changes {
        let before = change.before.as_deref().unwrap_or("(new)");
        let after = change.after.as_deref().unwrap_or("(removed)");
        out::println(&format!("{:<width$}  {before} -> {after}", change.source));
        for agent in &change.added {
            out::println(&format!("  + {}", escape(agent)));
        }
        for agent in &change.removed {
            out::println(&format!("  - {}", escape(agent)));
        }
    }
    if report.changes.is_empty() {
        printer.note("Everything is up to date within its requirements");
    }
    for newer in &report.newer_incompatible {
        // A pack's source is named `pack/source`, and `--breaking` leaves it to the pack's author.
        let how = match newer.source.split_once('/') {
            Some((pack, _)) => format!("the pack of `{pack}` would have to raise it"),
            None => format!(
                "`agentpack update --breaking {}` takes it (and raises `version` in agentpack.toml)",
                newer.source
            ),
        };
        printer.note(&format!(
            "`{}`: {} is available, outside its requirement `{}`; {how}",
            newer.source, newer.tag, newer.requirement
        ));
    }
    if args.dry_run {
        printer.note("Dry run: nothing was written");
    } else {
        super::finished(printer, &report.summary);
    }
    Ok(ExitStatus::Ok)
}
