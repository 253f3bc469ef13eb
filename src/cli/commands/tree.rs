//! `agentpack tree`: the tree (or JSON) on stdout.

use crate::error::{ExitStatus, Result};
use crate::ops::tree::{render, tree};

use super::super::args::{GlobalArgs, TreeArgs};

pub fn exec(args: &TreeArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let sources = tree(&super::super::manifest_path(global)?)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&sources).expect("serializable")
        );
    } else {
        print!("{}", render(&sources));
    }
    Ok(ExitStatus::Ok)
}
