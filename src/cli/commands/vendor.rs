//! `agentpack vendor`: a summary on stderr, the manifest snippet that turns vendoring on on stdout.

use std::path::Path;

use crate::error::{Error, ExitStatus, Result};
use crate::ops::vendor::{DEFAULT_VENDOR_DIR, vendor};
use crate::reporter::{Reporter, Status};

use super::super::args::VendorArgs;
use super::super::out;
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &VendorArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    let manifest = settings.manifest()?;
    let summary = vendor(
        &manifest,
        args.dir.as_deref(),
        super::super::settings::fetch(args.offline, false, crate::resolve::DEFAULT_JOBS),
        &settings.cache()?,
        printer,
    )
    .map_err(Error::suggest_offline)?;
    printer.status(
        Status::Finished,
        &format!(
            "vendored {} of {} into {}",
            crate::diag::plural(summary.files, "file"),
            crate::diag::plural(summary.sources, "source"),
            summary.dir.display()
        ),
    );
    if summary.configured {
        printer.note("agentpack.toml already installs from this directory");
    } else {
        printer.note(
            "To install from it, with no network and no cache, set in agentpack.toml (merge into an existing [install] table):",
        );
        let dir = args.dir.as_deref().unwrap_or(Path::new(DEFAULT_VENDOR_DIR));
        let shown = dir.display().to_string().replace('\\', "/");
        out::println(&format!(
            "[install]\nvendor = {}",
            toml::Value::String(shown)
        ));
    }
    Ok(ExitStatus::Ok)
}
