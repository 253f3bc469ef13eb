//! `agentpack list`: a table (or JSON) on stdout.

use crate::error::{ExitStatus, Result};
use crate::ops::list::list;

use super::super::args::ListArgs;
use super::super::format::print_table;
use super::super::out;
use super::super::settings::Settings;

pub fn exec(args: &ListArgs, settings: &Settings) -> Result<ExitStatus> {
    // Without a cache directory (no home) every file is hashed instead.
    let cache = settings.cache().ok();
    let agents = list(
        &settings.manifest()?,
        cache.as_ref().map(crate::source::git::Cache::root),
    )?;
    if args.json {
        out::json(&agents);
        return Ok(ExitStatus::Ok);
    }
    let rows: Vec<[String; 5]> = agents
        .iter()
        .map(|a| {
            [
                // Skills and commands as `rename` keys name them; agents as before.
                match a.kind {
                    "agent" => a.name.clone(),
                    kind => format!("{kind}:{}", a.name),
                },
                a.source.clone(),
                a.reference.to_string(),
                a.commit.map_or("-".to_string(), |c| c.short()),
                serde_json::to_value(a.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    print_table(["NAME", "SOURCE", "REF", "COMMIT", "STATUS"], &rows);
    Ok(ExitStatus::Ok)
}
