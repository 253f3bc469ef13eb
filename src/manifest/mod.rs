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
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};

use crate::error::{Error, Result};
use crate::frontmatter::trust::TrustKind;
use crate::names::SourceName;

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
    /// Empty means "all agents".
    pub agents: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    /// Keyed by front-matter name or by path (same rule as patterns); value is the installed name.
    pub rename: BTreeMap<String, String>,
    /// `prefix = "volt-"`: every agent of the source that `rename` does not name is installed as
    /// `<prefix><name>`, its `name:` line rewritten as `rename` does.
    pub prefix: Option<String>,
}

impl Selection {
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

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Manifest::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
        Manifest::parse_as(path, text, false)
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

/// Hide the password part of a URL.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{path}"),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

/// Make a path absolute and drop `.`/`..` lexically (the directory may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
