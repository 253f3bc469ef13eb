//! `agentpack add`.

use crate::error::{Error, ExitStatus, Result};
use crate::names::GitRef;
use crate::ops::add::{AddOptions, add};

use super::super::args::AddArgs;
use super::super::printer::Printer;
use super::super::settings::Settings;

pub fn exec(args: &AddArgs, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    // `add -g` creates the global manifest when there is none (`npm i -g` needs no set-up either).
    let (manifest, create) = if settings.global() {
        let location = settings.global_manifest()?;
        let create = (!location.is_file()).then(crate::ops::init::global_template);
        (location, create)
    } else {
        (settings.manifest()?, None)
    };
    let cwd = settings.cwd()?;
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
    let local = crate::fsutil::normalize(&cwd.join(&args.source));
    let source = if settings.global()
        && std::path::Path::new(&args.source).is_relative()
        && local.is_dir()
    {
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
        skills: args.skills.clone(),
        commands: args.commands.clone(),
        rename_as: args.rename_as.clone(),
        plugins: args.plugins.clone(),
        install: super::super::settings::forced(args.force),
        create: create.clone(),
    };
    let added = add(&manifest, cwd, &options, &settings.cache()?, printer)?;
    let what = match added.source.reference.as_ref().map(GitRef::kind_and_value) {
        Some((kind, Some(value))) => format!(" ({kind} {value})"),
        _ => String::new(),
    };
    let (verb, preposition) = if added.changed {
        ("Changed", "in")
    } else {
        ("Added", "to")
    };
    let shown = (manifest.home.as_deref())
        .and_then(|home| crate::scope::tilde(&manifest, home))
        .unwrap_or_else(|| manifest.display().to_string());
    let source = format!("[sources.{}]{what}", added.source.name);
    printer.note(&match create {
        Some(_) => format!("Created `{shown}` with {source}"),
        None => format!("{verb} {source} {preposition} `{shown}`"),
    });
    super::finished(printer, &added.summary);
    Ok(ExitStatus::Ok)
}
