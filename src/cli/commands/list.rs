//! `agentpack list`: a table (or JSON) on stdout.

use crate::error::{ExitStatus, Result};
use crate::ops::list::list;

use super::super::args::{GlobalArgs, ListArgs};

pub fn exec(args: &ListArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let agents = list(&super::super::manifest_path(global)?)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&agents).expect("serializable")
        );
        return Ok(ExitStatus::Ok);
    }
    let rows: Vec<[String; 5]> = agents
        .iter()
        .map(|a| {
            [
                a.name.clone(),
                a.source.clone(),
                a.reference.clone(),
                a.commit.clone().unwrap_or_else(|| "-".into()),
                serde_json::to_value(a.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let header = ["NAME", "SOURCE", "REF", "COMMIT", "STATUS"].map(String::from);
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
