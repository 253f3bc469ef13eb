//! How core code tells the user what is happening, without knowing about terminals.
//!
//! Operations take a `&dyn Reporter`; the CLI implements it (cargo-style status lines on stderr, indicatif
//! bars on a terminal, silence under `--quiet`). Tests and library users can pass [`Silent`].

use crate::diag::Diagnostic;

/// A cargo-style status verb, right-aligned in the output (`   Fetching studio`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Resolving,
    Fetching,
    Retrying,
    Installed,
    Updated,
    Removed,
    Unchanged,
    Skipped,
    /// A file agentpack adopted and no longer installs, left in place.
    Kept,
    Finished,
    /// Waiting for another agentpack process to release a lock.
    Blocking,
}

impl Status {
    pub fn verb(self) -> &'static str {
        match self {
            Status::Resolving => "Resolving",
            Status::Fetching => "Fetching",
            Status::Retrying => "Retrying",
            Status::Installed => "Installed",
            Status::Updated => "Updated",
            Status::Removed => "Removed",
            Status::Unchanged => "Unchanged",
            Status::Skipped => "Skipped",
            Status::Kept => "Kept",
            Status::Finished => "Finished",
            Status::Blocking => "Blocking",
        }
    }

    /// Shown only with `--verbose`.
    pub fn is_detail(self) -> bool {
        matches!(
            self,
            Status::Unchanged | Status::Skipped | Status::Resolving
        )
    }
}

/// Progress of one fetch, as git reports it.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchProgress {
    pub received_objects: usize,
    pub total_objects: usize,
    pub received_bytes: usize,
}

pub trait Reporter: Sync {
    fn status(&self, status: Status, message: &str);
    /// Would a `status` line be shown (`-q` shows none, and details only come with `-v`)? A caller that
    /// makes many lines (an install's one per file) skips making those no one sees.
    fn shows(&self, status: Status) -> bool {
        let _ = status;
        true
    }
    /// A warning (or, for `lint`, any finding) to show now.
    fn diagnostic(&self, diagnostic: &Diagnostic);
    /// A fetch of `source` started (`Some`) or made progress; `None` when it ended.
    fn fetch_progress(&self, source: &str, progress: Option<FetchProgress>);
    /// Did the user ask for every detail (`-v`)? Then every warning is shown in full rather than summed
    /// up per source (see [`crate::ops::warnings`]).
    fn detailed(&self) -> bool {
        false
    }
    /// `done` of `total` sources are resolved (called with `done == 0` first, `done == total` last).
    fn resolve_progress(&self, _done: usize, _total: usize) {}
}

/// Reports nothing.
pub struct Silent;

impl Reporter for Silent {
    fn status(&self, _: Status, _: &str) {}
    fn shows(&self, _: Status) -> bool {
        false
    }
    fn diagnostic(&self, _: &Diagnostic) {}
    fn fetch_progress(&self, _: &str, _: Option<FetchProgress>) {}
}
