//! `agentpack tree`: the tree (or JSON) on stdout.

use crate::error::{ExitStatus, Result};
use crate::ops::tree::{render, tree};

use super::super::args::TreeArgs;
use super::super::out;
use super::super::settings::Settings;

pub fn exec(args: &TreeArgs, settings: &Settings) -> Result<ExitStatus> {
    let sources = tree(&settings.manifest()?)?;
    if args.json {
        out::json(&sources);
    } else {
        out::print(&render(&sources));
    }
    Ok(ExitStatus::Ok)
}
