//! `agentpack completions SHELL`: the completion script on stdout, generated from the clap definitions.

use clap::CommandFactory;

use crate::error::{ExitStatus, Result};

use super::super::args::{Cli, CompletionsArgs};

pub fn exec(args: &CompletionsArgs) -> Result<ExitStatus> {
    // Generated into memory: clap_complete panics when its writer fails, as it does on a closed pipe.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "agentpack", &mut script);
    super::super::out::raw(&script);
    Ok(ExitStatus::Ok)
}
