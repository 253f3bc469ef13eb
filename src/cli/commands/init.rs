//! `agentpack init`.

use crate::error::{Error, ExitStatus, Result};

use super::super::printer::Printer;

pub fn exec(printer: &Printer) -> Result<ExitStatus> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
    let path = crate::ops::init::init(&cwd)?;
    printer.note(&format!(
        "Created `{}`; name your sources in it, then run `agentpack install`",
        path.display()
    ));
    Ok(ExitStatus::Ok)
}
