//! One module per subcommand: turn parsed arguments into an operation's options, call it, print.

pub mod completions;
pub mod init;
pub mod install;
pub mod lint;
pub mod list;
pub mod vendor;
pub mod verify;
