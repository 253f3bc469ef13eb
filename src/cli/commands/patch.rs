//! `agentpack patch`: what was recorded (or dropped) on stderr, then the install's summary.

use crate::error::{ExitStatus, Result};
use crate::ops::patch;

use super::super::args::PatchArgs;
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &PatchArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let manifest = settings.manifest()?;
    let options = super::super::settings::forced(args.force);
    let cache = settings.cache()?;
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
