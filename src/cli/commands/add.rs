//! `agentpack add`.

use crate::error::{Error, ExitStatus, Result};
use crate::ops::add::{AddOptions, add};
use crate::ops::install::InstallOptions;
use crate::source::git::Cache;

use super::super::args::{AddArgs, GlobalArgs};
use super::super::printer::Printer;

pub fn exec(args: &AddArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    let manifest = super::super::manifest_path(global)?;
    let cwd = std::env::current_dir().map_err(|e| Error::io("read", ".", e))?;
    let reference = [
        ("tag", &args.tag),
        ("branch", &args.branch),
        ("rev", &args.rev),
        ("version", &args.version),
    ]
    .into_iter()
    .find_map(|(kind, value)| value.clone().map(|v| (kind, v)));
    let options = AddOptions {
        source: args.source.clone(),
        name: args.name.clone(),
        reference,
        subdir: args.subdir.clone(),
        agents: args.agents.clone(),
        rename_as: args.rename_as.clone(),
        install: InstallOptions {
            force: args.force,
            ..InstallOptions::default()
        },
    };
    let added = add(&manifest, &cwd, &options, &Cache::locate()?, printer)?;
    printer.note(&format!(
        "Added [sources.{}] to `{}`",
        added.source.name,
        manifest.display()
    ));
    super::finished(printer, &added.summary);
    Ok(ExitStatus::Ok)
}
