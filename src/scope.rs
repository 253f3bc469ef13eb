//! Where agentpack works: the project scope (the nearest `agentpack.toml`, agents in `.claude/agents` next
//! to it) or the user scope of `--global` (`agentpack.toml` and `agentpack.lock` in the user's config
//! directory, agents in `~/.claude/agents`, where Claude Code loads the user's own agents).
//!
//! Directories come from `directories`, which honours `HOME` and, on Linux, `XDG_CONFIG_HOME`
//! (`~/.config/agentpack` by default; `~/Library/Application Support/agentpack` on macOS).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::{DEFAULT_TARGET, MANIFEST_NAME, normalize};

/// The directory holding the global manifest and lock.
pub fn global_dir() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "agentpack")
        .map(|dirs| normalize(dirs.config_dir()))
        .ok_or_else(|| no_home("a config directory"))
}

/// The global manifest (it may not exist yet).
pub fn global_manifest() -> Result<PathBuf> {
    Ok(global_dir()?.join(MANIFEST_NAME))
}

/// `~/.claude/agents`: where Claude Code loads the user's agents from.
pub fn user_agents_dir() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|dirs| normalize(&dirs.home_dir().join(DEFAULT_TARGET)))
        .ok_or_else(|| no_home("the home directory"))
}

/// Is `root` the directory of the global manifest (whose agents go to the user's own directory)?
pub fn is_global_dir(root: &Path) -> bool {
    global_dir().is_ok_and(|global| normalize(root) == global)
}

/// Where a manifest in `root` installs when it sets no `[install] target`: `~/.claude/agents` for the
/// global manifest, `.claude/agents` next to the manifest otherwise.
pub fn default_target(root: &Path) -> PathBuf {
    match user_agents_dir() {
        Ok(user) if is_global_dir(root) => user,
        _ => normalize(&root.join(DEFAULT_TARGET)),
    }
}

/// The install root of a manifest in `root`: `.claude` next to it, `~/.claude` for the global manifest.
/// Skills go to its `skills/`, commands to its `commands/` (agents to `[install] target`).
pub fn claude_dir(root: &Path) -> PathBuf {
    let agents = default_target(root);
    agents.parent().map_or(agents.clone(), Path::to_path_buf)
}

/// A file as shown to the user: relative to the manifest's directory (what the lock records), except
/// that a file outside it in the home directory is `~/...` (with `--global`, `~/.claude/agents/x.md`
/// rather than `../../.claude/agents/x.md`).
pub fn shown(root: &Path, file: &Path) -> String {
    let label = crate::lockfile::file_label(root, file);
    if !label.starts_with("../") {
        return label;
    }
    tilde(file).unwrap_or(label)
}

/// `~/rest` for a path inside the home directory.
pub fn tilde(path: &Path) -> Option<String> {
    let home = normalize(directories::BaseDirs::new()?.home_dir());
    let rest = path.strip_prefix(&home).ok()?;
    let rest = crate::lockfile::file_label(Path::new(""), rest);
    Some(if rest.is_empty() {
        "~".to_string()
    } else {
        format!("~/{rest}")
    })
}

fn no_home(what: &str) -> Error {
    Error::Usage {
        message: format!("cannot find {what} for `--global` (no home directory)"),
        hint: Some("set `HOME`".into()),
    }
}
