//! `agentpack add`.

use crate::error::{Error, ExitStatus, Result};
use crate::ops::add::{AddOptions, add};
use crate::ops::install::InstallOptions;
use crate::source::git::Cache;

use super::super::args::{AddArgs, GlobalArgs};
use super::super::printer::Printer;

pub fn exec(args: &AddArgs, global: &GlobalArgs, printer: &Printer) -> Result<ExitStatus> {
    // `add -g` creates the global manifest when there is none (`npm i -g` needs no set-up either).
    let (manifest, create) = if global.global {
        let path = crate::scope::global_manifest()?;
        let create = (!path.is_file()).then(crate::ops::init::global_template);
        (path, create)
    } else {
        (super::super::manifest_path(global)?, None)
    };
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
        create: create.clone(),
    };
    let added = add(&manifest, &cwd, &options, &Cache::locate()?, printer)?;
    let what = match &added.source.reference {
        Some((kind, value)) => format!(" ({kind} {value})"),
        None => String::new(),
    };
    let (verb, preposition) = if added.changed {
        ("Changed", "in")
    } else {
        ("Added", "to")
    };
    let created = if create.is_some() { ", created" } else { "" };
    printer.note(&format!(
        "{verb} [sources.{}]{what} {preposition} `{}`{created}",
        added.source.name,
        crate::scope::tilde(&manifest).unwrap_or_else(|| manifest.display().to_string())
    ));
    super::finished(printer, &added.summary);
    Ok(ExitStatus::Ok)
}
