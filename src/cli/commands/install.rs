//! `agentpack install`.

use crate::error::{Error, ExitStatus, Result};
use crate::ops::install::install;

use super::super::args::InstallArgs;
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &InstallArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let manifest = settings.manifest()?;
    let options = super::super::settings::install(args);
    let summary =
        install(&manifest, options, &settings.cache()?, printer).map_err(Error::suggest_offline)?;
    super::finished(printer, &summary);
    Ok(ExitStatus::Ok)
}
