//! Every command-line argument, as clap derive structs, in one place.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A package manager for Claude Code agents, skills and commands: install them from git repositories into
/// `.claude/`, pinned in a lockfile, with their front matter checked.
#[derive(Debug, Parser)]
// `version` is top-level only (`agentpack -V`): propagated, `agentpack update x --version ^2` would
// print the program version and exit 0 instead of saying that `update` takes no `--version`.
#[command(name = "agentpack", version)]
#[command(
    after_help = "Examples:\n  agentpack init\n  agentpack install\n  agentpack install --locked\n  agentpack list --json\n  agentpack lint .claude/agents\n  agentpack completions bash"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Path to agentpack.toml (default: in the current directory or the nearest parent)
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Work on the user's agents, skills and commands (~/.claude), with agentpack.toml and agentpack.lock in the user's config directory
    #[arg(short = 'g', long, global = true, conflicts_with = "manifest_path")]
    pub global: bool,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print unchanged files, skipped documentation and resolved versions
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// When to use colors (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented agentpack.toml in the current directory
    #[command(after_help = "Example:\n  agentpack init && $EDITOR agentpack.toml")]
    Init,
    /// Resolve sources, check agents, skills and commands, install them and write agentpack.lock
    #[command(
        after_help = "Examples:\n  agentpack install\n  agentpack install --locked     # CI: fail if agentpack.lock would change\n  agentpack install --frozen     # --locked + --offline\n  agentpack install --jobs 2     # at most two fetches at once\n\nEnvironment:\n  AGENTPACK_GIT_TOKEN    token sent as HTTP basic auth (GITHUB_TOKEN: github.com only)\n  AGENTPACK_NET_TIMEOUT  seconds to wait for a server (default 60)"
    )]
    Install(InstallArgs),
    /// List installed agents, skills and commands with their source, version and state on disk
    #[command(
        after_help = "Examples:\n  agentpack list\n  agentpack list --json | jq '.[] | select(.status != \"ok\")'"
    )]
    List(ListArgs),
    /// Check agent files or directories without installing anything
    #[command(
        after_help = "Examples:\n  agentpack lint .claude/agents\n  agentpack lint --strict agents/reviewer.md"
    )]
    Lint(LintArgs),
    /// Check, without network and without writing, that the installed agents, skills and commands match the lock and the manifest
    #[command(
        after_help = "Examples:\n  agentpack verify\n  agentpack verify --json\n  agentpack verify --format github   # annotations in GitHub Actions"
    )]
    Verify(VerifyArgs),
    /// Copy the locked source files into a directory so installs need no network and no cache
    #[command(after_help = "Examples:\n  agentpack vendor\n  agentpack vendor third-party/agents")]
    Vendor(VendorArgs),
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  agentpack completions bash > ~/.local/share/bash-completion/completions/agentpack\n  agentpack completions zsh > \"${fpath[1]}/_agentpack\"\n  agentpack completions fish > ~/.config/fish/completions/agentpack.fish"
    )]
    Completions(CompletionsArgs),
    /// Add a source to agentpack.toml, then install
    #[command(
        after_help = "Examples:\n  agentpack add contains-studio/agents@v1.2.0 --agent backend-architect\n  agentpack add https://github.com/o/pack --version ^1.2 --name pack\n  agentpack add ../my-agents"
    )]
    Add(Box<AddArgs>),
    /// Remove a source, or a single installed agent, from agentpack.toml, then uninstall what it dropped
    #[command(after_help = "Examples:\n  agentpack remove studio\n  agentpack remove ui-designer")]
    Remove(RemoveArgs),
    /// Re-resolve sources within their requirements, install the result and show what moved
    #[command(
        after_help = "Examples:\n  agentpack update\n  agentpack update studio --dry-run\n  agentpack update studio --precise v1.2.0\n  agentpack update --breaking studio   # ^1.2 -> ^2.0.0 in agentpack.toml"
    )]
    Update(UpdateArgs),
    /// Keep your edit of an installed agent as a patch that every install re-applies
    #[command(
        after_help = "Examples:\n  $EDITOR .claude/agents/reviewer.md && agentpack patch reviewer\n  agentpack patch --remove reviewer"
    )]
    Patch(PatchArgs),
    /// Per source: the locked version, the newest allowed and the newest available
    #[command(after_help = "Examples:\n  agentpack outdated\n  agentpack outdated --json")]
    Outdated(OutdatedArgs),
    /// Sources, their agents, skills and commands, and which pack pulled in which source
    #[command(after_help = "Examples:\n  agentpack tree\n  agentpack tree --json")]
    Tree(TreeArgs),
}

/// How `lint` and `verify` print their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Diagnostics with snippets, for people
    Human,
    /// One JSON document
    Json,
    /// GitHub Actions annotations (`::error file=...,line=...,col=...::message`)
    Github,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Fail (exit 1) if agentpack.lock is missing or would change
    #[arg(long)]
    pub locked: bool,
    /// Use only the local cache; never touch the network
    #[arg(long)]
    pub offline: bool,
    /// Same as --locked --offline
    #[arg(long)]
    pub frozen: bool,
    /// Overwrite or delete files in the target directory that agentpack did not install or that were edited
    #[arg(long)]
    pub force: bool,
    /// Treat front-matter warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Ignore `[install] vendor`: resolve from the cache and the network (to update the lock, then re-vendor)
    #[arg(long)]
    pub no_vendor: bool,
    /// Resolve and fetch up to N sources at once
    #[arg(short, long, value_name = "N", value_parser = jobs, default_value_t = crate::resolve::DEFAULT_JOBS)]
    pub jobs: NonZeroUsize,
}

/// `--jobs N`: a whole number of at least 1 (clap's own message for `0` would be Rust's "number would
/// be zero for non-zero type").
fn jobs(text: &str) -> Result<NonZeroUsize, String> {
    match text.parse::<usize>() {
        Ok(n) => NonZeroUsize::new(n).ok_or_else(|| "at least one job is needed".to_string()),
        Err(_) => Err(format!("`{text}` is not a whole number")),
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Agent files or directories (searched recursively for .md files)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Print the findings as JSON (same as --format json)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// How to print the findings
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, value_name = "FORMAT")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Treat front-matter warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Print the report as JSON (same as --format json)
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// How to print the problems
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, value_name = "FORMAT")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct VendorArgs {
    /// Directory to write, relative to the manifest's directory (default: `[install] vendor`, else
    /// `agentpack-vendor`)
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Use only the cache; never touch the network
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A git URL, a local directory, or GitHub shorthand owner/repo (optionally owner/repo@ref)
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// The source's name in agentpack.toml (default: the repository's name)
    #[arg(long)]
    pub name: Option<String>,
    /// Take this tag
    #[arg(long, group = "ref", value_name = "TAG")]
    pub tag: Option<String>,
    /// Follow this branch
    #[arg(long, group = "ref", value_name = "BRANCH")]
    pub branch: Option<String>,
    /// Take this commit
    #[arg(long, group = "ref", value_name = "REV")]
    pub rev: Option<String>,
    /// Take the highest tag matching this semver requirement
    #[arg(long, group = "ref", value_name = "REQ")]
    pub version: Option<String>,
    /// Only look for agents, skills and commands under this directory of the source
    #[arg(long, value_name = "DIR")]
    pub subdir: Option<String>,
    /// Install only this agent (repeatable; default: every agent, or none for a new source given --skill or --command)
    #[arg(long = "agent", value_name = "NAME")]
    pub agents: Vec<String>,
    /// Install this skill (a name or glob; repeatable): added to the source's `skills` list
    #[arg(long = "skill", value_name = "NAME")]
    pub skills: Vec<String>,
    /// Install this command (`git/commit`, or a glob like `git/*`; repeatable): added to `commands`
    #[arg(long = "command", value_name = "NAME")]
    pub commands: Vec<String>,
    /// Install the single --agent, --skill or --command under this name (a `rename` entry)
    #[arg(long = "as", value_name = "NEW_NAME")]
    pub rename_as: Option<String>,
    /// Install this plugin of the source's marketplace (repeatable; added to its `plugins` list)
    #[arg(long = "plugin", value_name = "NAME")]
    pub plugins: Vec<String>,
    /// Replace or delete files agentpack would otherwise protect
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// A source of agentpack.toml, or an installed agent
    #[arg(value_name = "SOURCE-or-AGENT")]
    pub name: String,
    /// Delete dropped agent files even when they were edited since install
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PatchArgs {
    /// The installed agent whose edit to record (or, with --remove, whose patch to drop)
    #[arg(value_name = "AGENT")]
    pub name: String,
    /// Drop the agent's patch and install the source's file again
    #[arg(long)]
    pub remove: bool,
    /// Replace or delete files agentpack would otherwise protect (as `install --force`)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Sources to update (default: all); a pack's sources are named like `studio/helpers`
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Pin the one named source to this tag or commit, without editing agentpack.toml
    #[arg(long, value_name = "REV", conflicts_with = "breaking")]
    pub precise: Option<String>,
    /// Move `version` requirements to the newest major release, editing agentpack.toml
    #[arg(long)]
    pub breaking: bool,
    /// Show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Replace or delete files agentpack would otherwise protect
    #[arg(long)]
    pub force: bool,
    /// Use only the local cache; never touch the network (update within what was fetched before)
    #[arg(long)]
    pub offline: bool,
    /// Resolve and fetch up to N sources at once
    #[arg(short, long, value_name = "N", value_parser = jobs, default_value_t = crate::resolve::DEFAULT_JOBS)]
    pub jobs: NonZeroUsize,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// Print JSON instead of a tree
    #[arg(long)]
    pub json: bool,
}
