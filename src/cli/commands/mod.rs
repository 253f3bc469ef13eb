//! One module per subcommand: turn parsed arguments into an operation's options, call it, print.

pub mod add;
pub mod completions;
pub mod init;
pub mod install;
pub mod lint;
pub mod list;
pub mod outdated;
pub mod patch;
pub mod remove;
pub mod tree;
pub mod update;
pub mod vendor;
pub mod verify;

use crate::ops::install::InstallSummary;
use crate::reporter::{Reporter, Status};

use super::printer::Printer;

/// `Finished 3 installed, 1 updated, 2 warnings`: the last line of every command that installs.
pub fn finished(printer: &Printer, summary: &InstallSummary) {
    let mut parts = vec![format!("{} installed", summary.installed)];
    for (n, what) in [
        (summary.updated, "updated"),
        (summary.removed, "removed"),
        (summary.unchanged, "unchanged"),
        (
            summary.warnings,
            if summary.warnings == 1 {
                "warning"
            } else {
                "warnings"
            },
        ),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    printer.status(Status::Finished, &parts.join(", "));
}
