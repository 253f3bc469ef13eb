//! The command-line layer: parse arguments ([`args`]), pick the manifest, call the operation, print.
//! Nothing here decides what gets installed; that is [`crate::ops`].

pub mod args;
mod commands;
mod format;
mod out;
mod printer;
pub mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, ExitStatus, Result};
use args::{Cli, Command};
use clap::error::{ContextKind, ContextValue};
use printer::Printer;
use settings::Settings;

/// Parse `std::env::args`, run the command, and map the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if misplaced_version_flag(&e) => {
            // clap would suggest `--verbose`, which is not what the user meant.
            out::eprintln(
                "",
                &format!(
                    "error: unexpected argument '{}' found\n\n  tip: only `agentpack --version`, before any subcommand, prints the version; to change a source's version requirement, run `agentpack add SOURCE --version REQ` or `agentpack update --breaking SOURCE`\n\nFor more information, try '--help'.",
                    e.get(ContextKind::InvalidArg)
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
            return ExitCode::from(ExitStatus::InputError as u8);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                ExitStatus::InputError as u8
            } else {
                ExitStatus::Ok as u8
            });
        }
    };
    let printer = Printer::new(&cli.global);
    let settings = Settings::read(&cli.global);
    crate::source::net::use_environment(settings.network());
    let status = match dispatch(&cli.command, &settings, &printer) {
        Ok(status) => status,
        Err(e) => {
            report(&printer, &e);
            e.exit_status()
        }
    };
    ExitCode::from(status as u8)
}

/// `--version` or `-V` after a subcommand (`agentpack update x --version ^2`): only the top level has it.
fn misplaced_version_flag(e: &clap::Error) -> bool {
    e.kind() == clap::error::ErrorKind::UnknownArgument
        && matches!(
            e.get(ContextKind::InvalidArg),
            Some(ContextValue::String(arg)) if arg == "--version" || arg == "-V"
        )
}

fn dispatch(command: &Command, settings: &Settings, printer: &Printer) -> Result<ExitStatus> {
    match command {
        Command::Init => commands::init::exec(settings, printer),
        Command::Install(args) => commands::install::exec(args, settings, printer),
        Command::List(args) => commands::list::exec(args, settings),
        Command::Lint(args) => commands::lint::exec(args, printer),
        Command::Verify(args) => commands::verify::exec(args, settings, printer),
        Command::Vendor(args) => commands::vendor::exec(args, settings, printer),
        Command::Completions(args) => commands::completions::exec(args),
        Command::Add(args) => commands::add::exec(args, settings, printer),
        Command::Remove(args) => commands::remove::exec(args, settings, printer),
        Command::Patch(args) => commands::patch::exec(args, settings, printer),
        Command::Update(args) => commands::update::exec(args, settings, printer),
        Command::Outdated(args) => commands::outdated::exec(args, settings, printer),
        Command::Tree(args) => commands::tree::exec(args, settings),
    }
}

/// Diagnostics first, then `error: ...`, the chain of causes, and a hint.
fn report(printer: &Printer, e: &Error) {
    // Many errors of one kind with the same hint (50 unmanaged files in the way): the hint once, after
    // the last of them, rather than 50 times.
    let diagnostics = e.diagnostics();
    for (i, d) in diagnostics.iter().enumerate() {
        let repeated_later = d.hint.is_some()
            && diagnostics[i + 1..]
                .iter()
                .any(|later| later.code == d.code && later.hint == d.hint);
        if repeated_later {
            printer.print_diagnostic(&crate::diag::Diagnostic {
                hint: None,
                ..d.clone()
            });
        } else {
            printer.print_diagnostic(d);
        }
    }
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        // libgit2's Display appends `; class=Net (12); code=...`, which means nothing to a user.
        causes.push(match cause.downcast_ref::<git2::Error>() {
            Some(git) => git.message().to_string(),
            None => cause.to_string(),
        });
        source = cause.source();
    }
    printer.error(&e.to_string(), &causes, e.hint().as_deref());
}
