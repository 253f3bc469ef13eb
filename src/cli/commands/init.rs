//! `agentpack init` (`--global`: the user's manifest in the config directory).

use crate::error::{Error, ExitStatus, Result};

use super::super::args::GlobalArgs;
use super::super::printer::Printer;

pub fn exec(global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let path = if global.global {
        crate::ops::init::init_global(&crate::scope::global_dir()?)?
    } else {
        let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
        crate::ops::init::init(&cwd)?
    };
    let install = if global.global {
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
