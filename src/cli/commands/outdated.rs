//! `agentpack outdated`: a table (or JSON) on stdout; exit 0 whatever it finds.

use crate::error::{ExitStatus, Result};
use crate::ops::outdated::outdated;
use crate::source::git::Cache;

use super::super::args::{GlobalArgs, OutdatedArgs};
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
    let header = ["SOURCE", "REQUIREMENT", "LOCKED", "ALLOWED", "LATEST"].map(String::from);
    let mut widths = header.clone().map(|h| h.len());
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
        println!("{}", line.join("  ").trim_end());
    }
    Ok(ExitStatus::Ok)
}
