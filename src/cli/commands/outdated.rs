//! `agentpack outdated`: a table (or JSON) on stdout; exit 0 whatever it finds.

use crate::error::{ExitStatus, Result};
use crate::ops::outdated::outdated;
use crate::source::git::Cache;

use super::super::args::{GlobalArgs, OutdatedArgs};
use super::super::format::print_table;
use super::super::printer::Printer;

pub fn exec(args: &OutdatedArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let sources = outdated(
        &super::super::manifest_path(global)?,
        &Cache::locate()?,
        printer,
    )?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&sources).expect("serializable")
        );
        return Ok(ExitStatus::Ok);
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
    Ok(ExitStatus::Ok)
}
