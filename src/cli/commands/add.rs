//! `agentpack add`.

use crate::error::{Error, ExitStatus, Result};
use crate::names::GitRef;
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
    .find_map(|(kind, value)| value.as_deref().map(|v| GitRef::parse(kind, Some(v))))
    .transpose()
    .map_err(|message| Error::Usage {
        message,
        hint: None,
    })?;
    // The global manifest lives in the config directory, far from the directory named: written
    // relative to it (`../../../src/agents`), a path would only be harder to read, so it is absolute.
    let local = crate::manifest::normalize(&cwd.join(&args.source));
    let source =
        if global.global && std::path::Path::new(&args.source).is_relative() && local.is_dir() {
            local.display().to_string()
        } else {
            args.source.clone()
        };
    let options = AddOptions {
        source,
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
    let what = match added.source.reference.as_ref().map(GitRef::kind_and_value) {
        Some((kind, Some(value))) => format!(" ({kind} {value})"),
        _ => String::new(),
    };
    let (verb, preposition) = if added.changed {
        ("Changed", "in")
    } else {
        ("Added", "to")
    };
    let shown = crate::scope::tilde(&manifest).unwrap_or_else(|| manifest.display().to_string());
    let source = format!("[sources.{}]{what}", added.source.name);
    printer.note(&match create {
        Some(_) => format!("Created `{shown}` with {source}"),
        None => format!("{verb} {source} {preposition} `{shown}`"),
    });
    super::finished(printer, &added.summary);
    Ok(ExitStatus::Ok)
}
