//! `agentpack remove`.

use crate::error::{ExitStatus, Result};
use crate::ops::remove::{Removal, remove};

use super::super::args::RemoveArgs;
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &RemoveArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let manifest = settings.manifest()?;
    let options = super::super::settings::forced(args.force);
    let removed = remove(&manifest, &args.name, options, &settings.cache()?, printer)?;
    for removal in std::iter::once(&removed.removal).chain(&removed.also) {
        printer.note(&said(removal));
    }
    for (agent, file) in &removed.patches {
        printer.note(&super::patch::dropped(agent, file));
    }
    super::finished(printer, &removed.summary);
    Ok(ExitStatus::Ok)
}

fn said(removal: &Removal) -> String {
    match removal {
        Removal::Source(name) => format!("Removed [sources.{name}] from agentpack.toml"),
        Removal::AgentEntry { agent, source } => {
            format!("Removed `{agent}` from the `agents` of [sources.{source}]")
        }
        Removal::Excluded { agent, source } => {
            format!("Added `{agent}` to the `exclude` of [sources.{source}]")
        }
        Removal::LastAgent { agent, source } => {
            format!("`{agent}` was the only agent [sources.{source}] took; removed the source")
        }
    }
}
