//! `agentpack.toml`: finding it, parsing it, and turning it into checked [`SourceSpec`]s.
//!
//! The raw serde types ([`raw`]) stay inside this module; everything else in the crate sees only the checked
//! [`Manifest`]. Every problem is a [`Diagnostic`](crate::diag::Diagnostic) pointing at `agentpack.toml:line:col`, and all of them are
//! collected before failing, so one run shows every mistake.
//!
//! This file holds the checked model; `checks` turns the raw model into it, `pack` reads the manifests
//! sources carry.

mod checks;
mod pack;
mod raw;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

use crate::error::{Error, Result};
use crate::names::SourceName;
use crate::names::TrustKind;

use crate::names::{GitRef, GitUrl, is_path_like};
pub use checks::check_git_url;
pub use pack::PackHome;

pub const MANIFEST_NAME: &str = "agentpack.toml";
pub const DEFAULT_TARGET: &str = ".claude/agents";

/// The commented manifest `agentpack init` writes (also shipped as `agentpack.toml.example`).
pub const EXAMPLE: &str = include_str!("../../agentpack.toml.example");

/// A checked manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file itself.
    pub path: PathBuf,
    /// The directory holding the manifest; relative paths in it are relative to this.
    pub root: PathBuf,
    /// Where agents are installed (absolute).
    pub target: PathBuf,
    /// The install root (absolute): `.claude` next to the manifest, `~/.claude` for the global manifest.
    /// Skills go to its `skills/`, commands to its `commands/`.
    pub claude: PathBuf,
    /// `[install] strict = true`: warnings fail the install.
    pub strict: bool,
    /// Sources, sorted by name.
    pub sources: Vec<SourceSpec>,
    /// `[install] vendor = "DIR"` (absolute): git sources are read from this directory, never from the
    /// network or the cache (see [`crate::source::vendor`]).
    pub vendor: Option<PathBuf>,
    /// `[patches]`: the user's local patches, by installed agent name (see [`crate::patches`]).
    pub patches: Vec<PatchSpec>,
    /// `[install] on-collision`: what two sources providing one agent name lead to.
    pub on_collision: OnCollision,
    /// The names of `sources`, in the order the file lists them (for `on-collision = "first"`).
    pub source_order: Vec<SourceName>,
    /// The user's home directory, from [`ManifestPath::home`].
    pub home: Option<PathBuf>,
}

/// `[install] on-collision`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnCollision {
    /// Two agents landing on one name are a `name-collision` error (the default).
    #[default]
    Error,
    /// The source listed first in agentpack.toml wins; the others' agents of that name are skipped.
    First,
}

/// One `[patches]` entry: `NAME = "FILE"`, a unified diff applied to the installed agent NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchSpec {
    /// The installed agent's name.
    pub agent: String,
    /// The patch file as written: relative to the manifest's directory, `/`-separated, no `..`. The lock
    /// records it so.
    pub written: String,
    /// The patch file (absolute).
    pub file: PathBuf,
}

/// One `[sources.NAME]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: SourceName,
    pub kind: SourceKind,
    /// Only look under this directory of the source (`/`-separated, no `..`).
    pub subdir: Option<String>,
    pub selection: Selection,
    /// `trust = [...]`: the risky front-matter fields this source may bring in (sorted, no duplicates).
    pub trust: Vec<TrustKind>,
    /// `allow-unicode = true`: hidden Unicode characters are warnings instead of errors.
    pub allow_unicode: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    Git {
        url: GitUrl,
        reference: GitRef,
    },
    /// A plain local directory, no git.
    Path {
        written: String,
        dir: PathBuf,
    },
}

/// Which agents of a source to install, and under which names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Empty means "all agents", unless another kind's key is set ([`Selection::takes_agents`]).
    pub agents: Vec<Pattern>,
    /// `skills = [...]`: the skills to install (names or globs over names); absent, none.
    pub skills: Option<Vec<Pattern>>,
    /// `commands = [...]`: the commands to install (`git/commit`, `git/*`); absent, none.
    pub commands: Option<Vec<Pattern>>,
    pub exclude: Vec<Pattern>,
    /// Keyed by front-matter name or by path (same rule as patterns); value is the installed name.
    pub rename: BTreeMap<String, String>,
    /// `prefix = "volt-"`: every agent of the source that `rename` does not name is installed as
    /// `<prefix><name>`, its `name:` line rewritten as `rename` does.
    pub prefix: Option<String>,
    /// `plugins = [...]`: names or globs over the plugins of the source's
    /// `.claude-plugin/marketplace.json` (see [`crate::resolve::plugins`]); empty means none.
    pub plugins: Vec<Pattern>,
}

/// The prefix of a `rename` key naming a skill (`"skill:pdf" = "my-pdf"`).
pub const SKILL_KEY: &str = "skill:";
/// The prefix of a `rename` key naming a command (`"command:git/commit" = "git/ci"`).
pub const COMMAND_KEY: &str = "command:";

impl Selection {
    /// Does the source install agents of its own (outside its plugins)? Always when it names some; with
    /// no `agents` key, only when no other kind's key is set (a source with only `skills = [...]` or
    /// `plugins = [...]` installs no other agent).
    pub fn takes_agents(&self) -> bool {
        !self.agents.is_empty()
            || (self.skills.is_none() && self.commands.is_none() && self.plugins.is_empty())
    }

    /// Is a `rename` key one for an agent (not `skill:` or `command:`)?
    pub fn is_agent_key(key: &str) -> bool {
        !key.starts_with(SKILL_KEY) && !key.starts_with(COMMAND_KEY)
    }
    /// The name an agent of this source is installed under, when `rename` names none for it.
    pub fn prefixed(&self, name: &str) -> Option<String> {
        self.prefix.as_ref().map(|prefix| format!("{prefix}{name}"))
    }
}

/// One entry of `agents`/`exclude`: a front-matter name (or glob over names), or a path (or glob over paths)
/// relative to the searched directory when it contains `/` or ends with `.md`.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub written: String,
    pub by_path: bool,
    matcher: GlobMatcher,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written
    }
}

impl Pattern {
    pub fn parse(written: &str) -> std::result::Result<Self, String> {
        let by_path = is_path_like(written);
        let text = written.trim_start_matches("./");
        let glob = if by_path {
            GlobBuilder::new(text).literal_separator(true).build()
        } else {
            Glob::new(text)
        }
        .map_err(|e| format!("`{written}` is not a valid glob: {}", e.kind()))?;
        Ok(Pattern {
            written: written.to_string(),
            by_path,
            matcher: glob.compile_matcher(),
        })
    }

    /// Does this pattern pick the agent named `name` found at `path` (relative to the searched directory)?
    pub fn matches(&self, name: &str, path: &str) -> bool {
        if self.by_path {
            self.matcher.is_match(path)
        } else {
            self.matcher.is_match(name)
        }
    }
}

/// Find `agentpack.toml` in `start` or the nearest parent, like cargo does for `Cargo.toml`.
pub fn find(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(MANIFEST_NAME))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| Error::ManifestNotFound {
            searched_from: start.to_path_buf(),
        })
}

/// Which manifest a command works on, and whose it is. The CLI finds it (it alone reads the current
/// directory and `HOME`), so parsing reads no process state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestPath {
    /// The manifest file (absolute).
    pub path: PathBuf,
    /// The user's own agents directory (`~/.claude/agents`) when this is the user's global manifest: its
    /// agents go there unless `target` says otherwise, and its `target` may lie outside its directory.
    pub user_agents: Option<PathBuf>,
    /// The user's home directory (absolute), where files outside the manifest's directory are shown as
    /// `~/...` ([`crate::scope::shown`]).
    pub home: Option<PathBuf>,
}

impl ManifestPath {
    /// A project's manifest, with no home directory known.
    pub fn project(path: impl Into<PathBuf>) -> ManifestPath {
        ManifestPath {
            path: path.into(),
            user_agents: None,
            home: None,
        }
    }
}

/// Every command reads, writes and names the manifest file itself through its location.
impl std::ops::Deref for ManifestPath {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ManifestPath {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Manifest {
    pub fn load(location: &ManifestPath) -> Result<Manifest> {
        let text = std::fs::read_to_string(&location.path)
            .map_err(|e| Error::io("read", &location.path, e))?;
        Manifest::parse(location, &text)
    }

    pub fn parse(location: &ManifestPath, text: &str) -> Result<Manifest> {
        Manifest::parse_as(location, text, false)
    }

    /// The `[patches]` entry for the installed agent `name`.
    pub fn patch(&self, name: &str) -> Option<&PatchSpec> {
        self.patches.iter().find(|p| p.agent == name)
    }

    /// The URLs of the git sources, as git is asked for them (the cache repositories they use).
    pub fn git_urls(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter_map(|s| match &s.kind {
            SourceKind::Git { url, .. } => Some(url.fetch.as_str()),
            SourceKind::Path { .. } => None,
        })
    }

    pub fn source(&self, name: &str) -> Option<&SourceSpec> {
        self.sources.iter().find(|s| s.name.as_str() == name)
    }
}
