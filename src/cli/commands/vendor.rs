//! `agentpack vendor`: a summary on stderr, the manifest snippet that turns vendoring on on stdout.

use crate::error::{Error, ExitStatus, Result};
use crate::ops::vendor::{VendorOptions, vendor};
use crate::reporter::{Reporter, Status};
use crate::source::git::Cache;

use super::super::args::{GlobalArgs, VendorArgs};
use super::super::printer::Printer;

pub fn exec(args: &VendorArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let manifest = super::super::manifest_path(global)?;
    let summary = vendor(
        &manifest,
        &args.dir,
        VendorOptions {
            offline: args.offline,
        },
        &Cache::locate()?,
        printer,
    )
    .map_err(Error::suggest_offline)?;
    printer.status(
        Status::Finished,
        &format!(
            "vendored {} files of {} sources into {}",
            summary.files,
            summary.sources,
            summary.dir.display()
        ),
    );
    if summary.configured {
        printer.note("agentpack.toml already installs from this directory");
    } else {
        printer.note(
            "To install from it, with no network and no cache, set in agentpack.toml (merge into an existing [install] table):",
        );
        let shown = args.dir.display().to_string().replace('\\', "/");
        println!("[install]\nvendor = {}", toml::Value::String(shown));
    }
    Ok(ExitStatus::Ok)
}
