//! `agentpack list`: the installed agents as the lockfile records them, with each file's state on disk.
//! Reads only the manifest, the lock, the install state and the installed files: no git, no network.

use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::lockfile::{LOCK_NAME, Lockfile, RefJson};
use crate::manifest::{Manifest, ManifestPath};
use crate::names::{Commit, sha256_hex};
use crate::state::{self, InstallState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// The file's sha256 equals the lock's.
    Ok,
    /// The file was edited since install.
    Modified,
    /// The file is gone.
    Missing,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedAgent {
    pub name: String,
    pub source: String,
    #[serde(rename = "ref")]
    pub reference: RefJson,
    /// The full commit id, for git sources.
    pub commit: Option<Commit>,
    pub file: String,
    pub status: FileStatus,
    /// The local patch applied to it (`[patches]`), if any.
    pub patch: Option<String>,
}

/// The agents the lock records, with their state on disk. With `cache_root`, files that still have the
/// size and time stamp the last install recorded ([`crate::state`]) are taken as that install left them,
/// one `stat` each; the others are read and hashed.
pub fn list(manifest_path: &ManifestPath, cache_root: Option<&Path>) -> Result<Vec<ListedAgent>> {
    let manifest = Manifest::load(manifest_path)?;
    let Some(lock) = Lockfile::load(&manifest.root.join(LOCK_NAME))? else {
        return Ok(Vec::new());
    };
    let state =
        cache_root.and_then(|root| InstallState::load(&state::location(root, &manifest.path)));
    let unchanged = state
        .as_ref()
        .map(InstallState::unchanged_files)
        .unwrap_or_default();
    let mut out = Vec::new();
    for agent in &lock.agents {
        let Some(source) = lock.source(&agent.source) else {
            continue; // the lock was checked: every agent's source is in it
        };
        let path = manifest.root.join(&agent.file);
        let status = if unchanged.get(path.as_path()) == Some(&agent.sha256.as_str()) {
            FileStatus::Ok
        } else {
            match std::fs::read(&path) {
                Ok(bytes) if sha256_hex(&bytes) == agent.sha256 => FileStatus::Ok,
                Ok(_) => FileStatus::Modified,
                Err(_) => FileStatus::Missing,
            }
        };
        out.push(ListedAgent {
            name: agent.name.to_string(),
            source: agent.source.clone(),
            reference: source.ref_json(),
            commit: source.commit(),
            file: agent.file.clone(),
            status,
            patch: agent.patch.as_ref().map(|p| p.file.clone()),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}
