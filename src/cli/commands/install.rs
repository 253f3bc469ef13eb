//! `agentpack install`.

use crate::error::{Error, ExitStatus, Result};
use crate::ops::install::{InstallOptions, install};
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
    let summary =
        install(&manifest, options, &Cache::locate()?, printer).map_err(Error::suggest_offline)?;
    super::finished(printer, &summary);
    Ok(ExitStatus::Ok)
}
