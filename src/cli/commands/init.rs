//! `agentpack init` (`--global`: the user's manifest in the config directory).

use crate::error::{ExitStatus, Result};

use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let path = if settings.global() {
        crate::ops::init::init_global(settings.global_dir()?)?
    } else {
        crate::ops::init::init(settings.cwd()?)?
    };
    let install = if settings.global() {
        "agentpack install --global"
    } else {
        "agentpack install"
    };
    printer.note(&format!(
        "Created `{}`; name your sources in it, then run `{install}`",
        path.display()
    ));
    Ok(ExitStatus::Ok)
}
