//! `agentpack list`: the installed agents, skills and commands as the lockfile records them, with each
//! one's state on disk (a skill is `modified` when any of its files is, `missing` when any is gone).
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
    /// `agent`, `skill` or `command`.
    pub kind: &'static str,
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
    let status_of = |file: &str, sha256: &str| {
        let path = manifest.root.join(file);
        if unchanged.get(path.as_path()) == Some(&sha256) {
            FileStatus::Ok
        } else {
            match std::fs::read(&path) {
                Ok(bytes) if sha256_hex(&bytes) == sha256 => FileStatus::Ok,
                Ok(_) => FileStatus::Modified,
                Err(_) => FileStatus::Missing,
            }
        }
    };
    let agents = lock.agents.iter().map(|agent| Entry {
        kind: "agent",
        name: agent.name.to_string(),
        source: &agent.source,
        file: agent.file.clone(),
        status: status_of(&agent.file, agent.sha256.as_str()),
        patch: agent.patch.as_ref().map(|p| p.file.clone()),
    });
    let skills = lock.skills.iter().map(|skill| Entry {
        kind: "skill",
        name: skill.name.clone(),
        source: &skill.source,
        file: skill.dir.clone(),
        // The worst state of any file: missing, then modified.
        status: (skill.files.iter())
            .map(|f| status_of(&skill.file_of(f), f.sha256.as_str()))
            .max_by_key(|s| match s {
                FileStatus::Ok => 0,
                FileStatus::Modified => 1,
                FileStatus::Missing => 2,
            })
            .unwrap_or(FileStatus::Ok),
        patch: None,
    });
    let commands = lock.commands.iter().map(|command| Entry {
        kind: "command",
        name: command.name.clone(),
        source: &command.source,
        file: command.file.clone(),
        status: status_of(&command.file, command.sha256.as_str()),
        patch: None,
    });
    let mut out: Vec<ListedAgent> = (agents.chain(skills).chain(commands))
        .filter_map(|entry| entry.listed(&lock))
        .collect();
    // Agents, then skills, then commands, each by name.
    let rank = |kind: &str| {
        ["agent", "skill", "command"]
            .iter()
            .position(|k| *k == kind)
    };
    out.sort_by(|a, b| (rank(a.kind), &a.name).cmp(&(rank(b.kind), &b.name)));
    Ok(out)
}

/// One locked item of any kind, before its source's ref and commit are looked up.
struct Entry<'l> {
    kind: &'static str,
    name: String,
    source: &'l str,
    file: String,
    status: FileStatus,
    patch: Option<String>,
}

impl Entry<'_> {
    /// The listed item; `None` only for an item whose source the lock lacks, which reading the lock
    /// refuses, so it does not happen.
    fn listed(self, lock: &Lockfile) -> Option<ListedAgent> {
        let source = lock.source(self.source)?;
        Some(ListedAgent {
            kind: self.kind,
            name: self.name,
            source: self.source.to_string(),
            reference: source.ref_json(),
            commit: source.commit(),
            file: self.file,
            status: self.status,
            patch: self.patch,
        })
    }
}
