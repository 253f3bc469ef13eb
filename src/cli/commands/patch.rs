//! `agentpack patch`: what was recorded (or dropped) on stderr, then the install's summary.

use crate::error::{ExitStatus, Result};
use crate::ops::install::InstallOptions;
use crate::ops::patch;
use crate::source::git::Cache;

use super::super::args::{GlobalArgs, PatchArgs};
use super::super::printer::Printer;

pub fn exec(args: &PatchArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let manifest = super::super::manifest_path(global)?;
    let options = InstallOptions {
        force: args.force,
        ..InstallOptions::default()
    };
    let cache = Cache::locate()?;
    if args.remove {
        let done = patch::remove(&manifest, &args.name, options, &cache, printer)?;
        printer.note(&dropped(&args.name, &done.file));
        super::finished(printer, &done.summary);
    } else {
        let done = patch::record(&manifest, &args.name, options, &cache, printer)?;
        printer.note(&format!(
            "Recorded the edit of `{}` in {} (+{} -{} lines), listed under [patches] in agentpack.toml",
            args.name, done.file, done.added, done.removed
        ));
        super::finished(printer, &done.summary);
    }
    Ok(ExitStatus::Ok)
}

/// What `patch --remove` (and `remove` of a patched agent) says it did.
pub fn dropped(agent: &str, file: &str) -> String {
    format!("Dropped the patch of `{agent}` ({file} deleted, [patches] entry removed)")
}
