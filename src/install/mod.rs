//! Installing: from the selected agents to files in the target directory, without ever losing a user's file.
//!
//! 1. [`collisions()`]: two agents may not land on one installed name, compared as the file systems of macOS
//!    and Windows compare names: ignoring case and Unicode normalisation ([`crate::names::file_name_key`]).
//! 2. [`plan()`]: compare what should be installed with the disk and the previous lock. A file agentpack did
//!    not install, or one edited since (its sha256 differs from the lock), is never replaced or removed
//!    without `--force`; identical bytes are adopted as they are, and the lock records that agentpack did not
//!    write them: an adopted file is never replaced without `--force`, and never deleted.
//! 3. [`apply()`]: a journaled transaction. Before its first write it records its whole intent in
//!    [`JOURNAL_NAME`] in the manifest's directory: every file to create, replace or remove, the fixed
//!    names of the staged (`.agentpack-<id>-<n>.tmp`) and moved-aside (`.agentpack-<id>-<n>.bak`) files
//!    (Claude Code loads neither), and the sha256 each file and the lock will end with. Then it creates
//!    directories, stages every new file, moves aside what it replaces or removes, renames the
//!    staged files into place, renames the staged lock last, deletes the backups and the journal. A
//!    failure undoes every step before returning. When the target directory is new or empty and the
//!    install only creates files (a fresh checkout, `install --frozen` in CI), the journal names one
//!    staging directory instead (`.agentpack-<id>.tree`, beside the target): every file is written into
//!    it under its final name and the directory is renamed onto the target, one rename for the whole
//!    tree; recovery treats it like the per-file staged names (its files are deleted, then it).
//! 4. [`recover`]: what the next install does with a journal left by a process that was killed. If every
//!    file and the lock already hold their new hashes, only the cleanup was missing: it is done. Otherwise
//!    every step is undone: backups are renamed back, staged files deleted, created files deleted only
//!    while they still hold what the install wrote (so an edit made since is kept), created directories
//!    removed while empty. Each undo is a rename or removal checked against the disk, so recovery can be
//!    killed and run again. The project ends in its old or its new state, never flagging agentpack's own
//!    half-written files as the user's.
//!
//! [`lock_project`] keeps two installs from running on one project at once.
//!
//! Every step works on [`Item`]s, one type for every kind of thing installed (today agents; see
//! `item.rs`). The code is split by step: `collisions`, `plan` (with `disk`: what it finds on disk, each
//! directory looked up once), `journal` (the transaction's write-ahead journal and its file operations),
//! `apply` (running and recovering a transaction) and `lock` (the project lock).

mod apply;
mod collisions;
mod disk;
mod item;
mod journal;
mod lock;
mod places;
mod plan;
mod record;

pub use apply::{Recovery, apply, recover};
pub use collisions::collisions;
pub use item::{Item, ItemKind};
pub use journal::JOURNAL_NAME;
pub use lock::{ProjectLock, lock_project};
pub use places::Places;
pub use plan::{Action, plan, symlink_on_the_way};
pub use record::locked_items;
