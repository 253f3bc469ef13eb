//! `agentpack outdated`: a table (or JSON) on stdout; exit 0 whatever it finds, 2 (after every row) when a
//! source's remote could not be asked.

use crate::error::{ExitStatus, Result};
use crate::ops::outdated::outdated;

use super::super::args::OutdatedArgs;
use super::super::format::print_table;
use super::super::out;
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &OutdatedArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let (sources, failures) = outdated(&settings.manifest()?, &settings.cache()?, printer)?;
    if args.json {
        out::json(&sources);
        return Ok(finish(printer, &failures));
    }
    let show = |at: &Option<crate::ops::outdated::At>| {
        at.as_ref()
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".into())
    };
    let rows: Vec<[String; 5]> = sources
        .iter()
        .map(|s| {
            let allowed = match s.behind {
                _ if s.error.is_some() => "unreachable (see below)".to_string(),
                Some(n) if n > 0 => format!("{} ({n} commits ahead)", show(&s.allowed)),
                _ => show(&s.allowed),
            };
            [
                s.name.clone(),
                s.requirement.clone(),
                s.locked.to_string(),
                allowed,
                show(&s.latest),
            ]
        })
        .collect();
    print_table(
        ["SOURCE", "REQUIREMENT", "LOCKED", "ALLOWED", "LATEST"],
        &rows,
    );
    Ok(finish(printer, &failures))
}

/// Each unreachable source's error, after every row was printed; exit 2 when there was one.
fn finish(printer: &Printer, failures: &[crate::error::Error]) -> ExitStatus {
    for e in failures {
        super::super::report(printer, e);
    }
    if failures.is_empty() {
        ExitStatus::Ok
    } else {
        ExitStatus::InputError
    }
}
