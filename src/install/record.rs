//! What the lock records of the items an install placed: an `[[agent]]` per agent, a `[[skill]]` per
//! skill folder (its files gathered from the per-file items, each with its sha256, executable bit and
//! whether it was adopted), a `[[command]]` per command.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Result;
use crate::lockfile::{self, LockedAgent, LockedCommand, LockedFile, LockedSkill};

use super::{Item, ItemKind};

/// The lock's entries for `placed`, installed in the project at `root`; `adopted` says whether the plan
/// adopted a file ([`super::Action::Adopt`]).
pub fn locked_items(
    placed: &[Item],
    root: &Path,
    adopted: impl Fn(&Path) -> bool,
) -> Result<(Vec<LockedAgent>, Vec<LockedSkill>, Vec<LockedCommand>)> {
    let mut agents = Vec::new();
    let mut skills: BTreeMap<String, LockedSkill> = BTreeMap::new();
    let mut commands = Vec::new();
    let original =
        |p: &Item| (p.installed_name != p.original_name).then(|| p.original_name.clone());
    for p in placed {
        let was_adopted = adopted(&p.file);
        match p.kind {
            ItemKind::Agent => agents.push(p.locked(root, was_adopted)?),
            ItemKind::Skill => {
                let part = p.part.clone().unwrap_or_default();
                let file = lockfile::file_label(root, &p.file);
                let dir = file
                    .strip_suffix(&part)
                    .map_or(file.as_str(), |d| d.trim_end_matches('/'))
                    .to_string();
                let skill = skills.entry(dir.clone()).or_insert_with(|| LockedSkill {
                    name: p.installed_name.clone(),
                    original_name: original(p),
                    source: p.source.clone(),
                    plugin: p.plugin.clone(),
                    path: p.unit_path().to_string(),
                    dir,
                    files: Vec::new(),
                });
                skill.files.push(LockedFile {
                    path: part,
                    sha256: p.sha256.clone(),
                    executable: p.executable,
                    adopted: was_adopted,
                });
            }
            ItemKind::Command => commands.push(LockedCommand {
                name: p.installed_name.clone(),
                original_name: original(p),
                source: p.source.clone(),
                plugin: p.plugin.clone(),
                path: p.repo_path.clone(),
                file: lockfile::file_label(root, &p.file),
                sha256: p.sha256.clone(),
                adopted: was_adopted,
            }),
        }
    }
    let mut skills: Vec<LockedSkill> = skills.into_values().collect();
    for skill in &mut skills {
        skill.files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok((agents, skills, commands))
}
