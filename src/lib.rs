//! agentpack: a package manager for Claude Code agents, skills and commands.
//!
//! # File overview
//!
//! The flow of `agentpack install`, and the module that owns each step:
//!
//! ```text
//! agentpack.toml ──manifest──▶ SourceSpec ──resolve──▶ Resolved (commit + Snapshot of .md files)
//!                                              │            ▲
//!                                              │      source::git (bare repo per URL in the cache)
//!                                              │      source::path (a local directory)
//!                                              ▼
//!                              select (agents/skills/commands keys, rename + checks)
//!                                              ▼
//!                              install (collisions, plan vs. disk and old lock, atomic apply)
//!                                              ▼
//!        .claude/agents/*.md, .claude/skills/<name>/, .claude/commands/**/*.md + agentpack.lock (lockfile)
//! ```
//!
//! - [`manifest`]: `agentpack.toml`, parsed once into checked types; [`manifest::ManifestPath`] says
//!   which manifest and whose, as the CLI found it.
//! - [`lockfile`]: `agentpack.lock`, deterministic TOML, read into a checked model.
//! - [`names`]: checked names and ids (sources, agents, commits, digests, git URLs and refs, trust kinds),
//!   parsed once, and one predicate per naming rule.
//! - [`hidden`]: which Unicode characters are hidden from a reader (agent names, `hidden-unicode`).
//! - [`source`]: reading agent files from git commits ([`source::git`], which also owns the cache layout)
//!   and local directories ([`source::path`]); [`source::cache`] locks cache repositories and repairs
//!   damaged ones, and its locked handle is the only way to fetch (all git2 use stays in `source`).
//! - [`resolve`]: which exact commit each source (and each source a pack pulls in) means, honouring the
//!   lock, `--offline` and `update`: a parallel prefetch, then a walk that pins each source with a pure
//!   `pick` over the refs, the lock entry and the command; [`resolve::plugins`] reads a marketplace's
//!   selected plugins at its commit (relative ones as its parts, others as child sources).
//! - [`in_order`]: passing on what concurrently resolved sources report, in manifest order.
//! - [`frontmatter`]: Claude Code's parsing rules and the checks, as [`diag::Diagnostic`]s.
//! - [`kinds`]: skills and commands beside agents: where each is found in a repository, how it is checked.
//! - [`catalog`]: plugin catalogues (`marketplace.json`, `plugin.json`) read from untrusted bytes.
//! - [`select`]: which agents, skills and commands of a source are taken, renamed, and what their
//!   checks say.
//! - [`packs`]: gathering the items of every source, including those packs and plugins brought in (and
//!   `on-collision = "first"`).
//! - [`patches`]: the user's local patches to installed agents, created with `agentpack patch` and
//!   applied and checked by every install.
//! - [`duplicates`]: hand-written files in the target that declare an installed agent's name.
//! - [`install`]: collision checks, protection of the user's files, the install transaction (journaled,
//!   so a killed install is finished or undone by the next), the project lock.
//! - [`state`]: what the last install wrote, so a no-op install can stop early.
//! - [`scope`]: how files of the project scope, or the user's (`--global`), are shown (`~/...`).
//! - [`edit`]: editing `agentpack.toml` in place (`add`, `remove`, `patch`), preserving its formatting.
//! - [`ops`]: one function per command, composing the above.
//! - [`reporter`]: how core code reports progress; [`cli`] implements it for the terminal.
//! - [`cli`]: arguments, the settings merged once from flags and the environment ([`cli::settings`],
//!   the only reader of process state), printing.
//! - [`error`]: the error type and the exit codes.
//! - [`diag`]: diagnostics with file, line, column, snippet and hint (what every check reports).
//! - [`fsutil`]: atomic writes, file locks, lexical path normalization.
//! - [`escape`]: making names and values from sources safe to print on a terminal.
//! - [`limits`]: how much of a file from a source is read (the size limits every layer shares).

// Only `cli::out` writes to stdout and stderr, through locked handles, escaped.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod catalog;
pub mod cli;
pub mod diag;
pub mod duplicates;
pub mod edit;
pub mod error;
pub mod escape;
pub mod frontmatter;
pub mod fsutil;
pub mod hidden;
pub mod in_order;
pub mod install;
pub mod kinds;
pub mod limits;
pub mod lockfile;
pub mod manifest;
pub mod names;
pub mod ops;
pub mod packs;
pub mod patches;
pub mod reporter;
pub mod resolve;
pub mod scope;
pub mod select;
pub mod source;
pub mod state;

/// Run the command line and return the process exit code.
pub fn run() -> std::process::ExitCode {
    cli::main()
}
