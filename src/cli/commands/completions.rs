//! `agentpack completions SHELL`: the completion script on stdout, generated from the clap definitions.

use clap::CommandFactory;

use crate::error::{ExitStatus, Result};

use super::super::args::{Cli, CompletionsArgs};

pub fn exec(args: &CompletionsArgs) -> Result<ExitStatus> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "agentpack",
        &mut std::io::stdout(),
    );
    Ok(ExitStatus::Ok)
}
