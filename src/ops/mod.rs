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
mod verify_items;
pub mod warnings;

use std::num::NonZeroUsize;

use crate::resolve::{DEFAULT_JOBS, ResolveOptions};

/// How a command may fetch (`--offline`, `--locked`, `--jobs`): the one place these live. Every command
/// that resolves derives its [`ResolveOptions`] from them with [`FetchOptions::resolve`], so none can
/// forget one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    /// Use only the cache; never touch the network.
    pub offline: bool,
    /// Fail if the lockfile is missing or would change; ask remotes whether locked tags moved.
    pub locked: bool,
    /// How many remotes to fetch at once.
    pub jobs: NonZeroUsize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            offline: false,
            locked: false,
            jobs: DEFAULT_JOBS,
        }
    }
}

impl FetchOptions {
    /// The resolver's options: these, and otherwise its defaults (the lock wins, no vendor directory).
    pub fn resolve<'a>(self) -> ResolveOptions<'a> {
        ResolveOptions {
            offline: self.offline,
            locked: self.locked,
            jobs: self.jobs,
            ..ResolveOptions::default()
        }
    }
}
