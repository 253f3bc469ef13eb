//! `agentpack install`.

use crate::error::{ExitStatus, Result};
use crate::ops::install::{InstallOptions, install};
use crate::reporter::{Reporter, Status};
use crate::source::git::Cache;

use super::super::args::{GlobalArgs, InstallArgs};
use super::super::printer::Printer;

pub fn exec(args: &InstallArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let manifest = super::super::manifest_path(global)?;
    let options = InstallOptions {
        locked: args.locked || args.frozen,
        offline: args.offline || args.frozen,
        force: args.force,
        strict: args.strict,
        no_vendor: args.no_vendor,
        jobs: args.jobs.get(),
    };
    let summary = install(&manifest, options, &Cache::locate()?, printer)?;
    let mut parts = vec![format!("{} installed", summary.installed)];
    for (n, what) in [
        (summary.updated, "updated"),
        (summary.removed, "removed"),
        (summary.unchanged, "unchanged"),
        (summary.warnings, "warnings"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    printer.status(Status::Finished, &parts.join(", "));
    Ok(ExitStatus::Ok)
}
