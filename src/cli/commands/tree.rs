//! `agentpack tree`: the tree (or JSON) on stdout.

use crate::error::{ExitStatus, Result};
use crate::ops::tree::{render, tree};

use super::super::args::{GlobalArgs, TreeArgs};
use super::super::out;

pub fn exec(args: &TreeArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let sources = tree(&super::super::manifest_path(global)?)?;
    if args.json {
        out::json(&sources);
    } else {
        out::print(&render(&sources));
    }
    Ok(ExitStatus::Ok)
}
