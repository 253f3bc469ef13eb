//! Operations: one module per command, each turning options into work on the domain modules. The CLI only
//! parses arguments and prints; everything a command does lives here.

pub mod add;
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
pub mod warnings;
