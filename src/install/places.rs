//! Where each kind of item installs, and the one rule for which files an install may write or remove:
//! agents directly in the agents' target (`[install] target`, `.claude/agents` by default), skills as
//! folders in `<install root>/skills/`, commands (sub-folders kept) in `<install root>/commands/`. The
//! install root is `.claude/` beside the manifest, `~/.claude/` with `--global`.
//!
//! A lock or a journal is a file of the user's project and may have been edited by anyone: only a file
//! [`Places::may_hold`] accepts is ever replaced or deleted on its word.

use std::path::{Component, Path, PathBuf};

use super::ItemKind;
use crate::manifest::Manifest;

/// The directories an install writes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    /// The manifest's directory (the project).
    pub root: PathBuf,
    /// Where agents go (`[install] target`).
    pub agents: PathBuf,
    /// Where skill folders go (`.claude/skills`).
    pub skills: PathBuf,
    /// Where commands go (`.claude/commands`).
    pub commands: PathBuf,
    /// The user's home directory, where files are shown as `~/...`.
    pub home: Option<PathBuf>,
}

impl Places {
    /// The places of `manifest`.
    pub fn of(manifest: &Manifest) -> Places {
        Places {
            root: manifest.root.clone(),
            agents: manifest.target.clone(),
            skills: manifest.claude.join("skills"),
            commands: manifest.claude.join("commands"),
            home: manifest.home.clone(),
        }
    }

    /// The default places of a project in `root` (`.claude/agents`, `.claude/skills`, `.claude/commands`).
    #[cfg(test)]
    pub(super) fn in_project(root: &Path) -> Places {
        let claude = root.join(".claude");
        Places {
            root: root.to_path_buf(),
            agents: claude.join("agents"),
            skills: claude.join("skills"),
            commands: claude.join("commands"),
            home: None,
        }
    }

    /// `file` as shown to the user ([`crate::scope::shown`]).
    pub fn show(&self, file: &Path) -> String {
        crate::scope::shown(&self.root, file, self.home.as_deref())
    }

    /// The directory of `kind`.
    pub fn dir(&self, kind: ItemKind) -> &Path {
        match kind {
            ItemKind::Agent => &self.agents,
            ItemKind::Skill => &self.skills,
            ItemKind::Command => &self.commands,
        }
    }

    /// Every directory an install writes into.
    pub fn dirs(&self) -> [&Path; 3] {
        [&self.agents, &self.skills, &self.commands]
    }

    /// May an install write or remove `file` (absolute, normalized)? An agent file directly in the
    /// agents' directory, a file inside a skill's folder, or a `.md` file below the commands' directory.
    pub fn may_hold(&self, file: &Path) -> bool {
        let md = file.extension().is_some_and(|e| e == "md");
        let below = |dir: &Path| {
            file.strip_prefix(dir)
                .ok()
                .filter(|rest| rest.components().all(|c| matches!(c, Component::Normal(_))))
        };
        (md && file.parent() == Some(self.agents.as_path()))
            || below(&self.skills).is_some_and(|rest| rest.components().count() >= 2)
            || (md && below(&self.commands).is_some_and(|rest| rest.components().count() >= 1))
    }

    /// May an install write or remove `file` as an item of `kind`? Only in that kind's own place, and a
    /// skill's file only inside `folder` (the skill's folder, absolute, normalized), itself directly in
    /// the skills' place: a lock edited by hand must not make a skill's entry reach a command's, an
    /// agent's or another skill's file.
    pub fn may_hold_as(&self, kind: ItemKind, file: &Path, folder: Option<&Path>) -> bool {
        let in_folder = match (kind, folder) {
            (ItemKind::Skill, Some(dir)) => {
                dir.parent() == Some(self.skills.as_path()) && file.starts_with(dir)
            }
            (ItemKind::Skill, None) => false,
            _ => true,
        };
        in_folder && self.kind_of(file) == Some(kind)
    }

    /// The kind whose directory holds `file`, for a file [`Places::may_hold`] accepts.
    pub fn kind_of(&self, file: &Path) -> Option<ItemKind> {
        if !self.may_hold(file) {
            return None;
        }
        [ItemKind::Agent, ItemKind::Skill, ItemKind::Command]
            .into_iter()
            .find(|kind| file.starts_with(self.dir(*kind)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_install_may_hold_only_files_in_its_kinds_places() {
        let places = Places::in_project(Path::new("/p"));
        let may = |f: &str| places.may_hold(Path::new(f));
        assert!(may("/p/.claude/agents/a.md"));
        assert!(!may("/p/.claude/agents/sub/a.md"));
        assert!(!may("/p/.claude/agents/a.sh"));
        assert!(may("/p/.claude/skills/pdf/SKILL.md"));
        assert!(may("/p/.claude/skills/pdf/scripts/fill.py"));
        assert!(!may("/p/.claude/skills/loose.md"));
        assert!(!may("/p/.claude/skills/pdf/../../../.git/hooks/x"));
        assert!(may("/p/.claude/commands/git/commit.md"));
        assert!(!may("/p/.claude/commands/run.sh"));
        assert!(!may("/p/agentpack.toml"));
        assert_eq!(
            places.kind_of(Path::new("/p/.claude/skills/pdf/SKILL.md")),
            Some(ItemKind::Skill)
        );
        // On a lock's word: only in the kind's own place, a skill's file only in its own folder.
        let pdf = Some(Path::new("/p/.claude/skills/pdf"));
        let may_as = |kind, f: &str, folder| places.may_hold_as(kind, Path::new(f), folder);
        assert!(may_as(ItemKind::Skill, "/p/.claude/skills/pdf/a.md", pdf));
        assert!(!may_as(ItemKind::Skill, "/p/.claude/skills/xlsx/a.md", pdf));
        assert!(!may_as(
            ItemKind::Skill,
            "/p/.claude/commands/pdf/a.md",
            Some(Path::new("/p/.claude/commands/pdf"))
        ));
        assert!(!may_as(
            ItemKind::Skill,
            "/p/.claude/skills/mine/pdf/a.md",
            Some(Path::new("/p/.claude/skills/mine/pdf"))
        ));
        assert!(!may_as(
            ItemKind::Command,
            "/p/.claude/skills/pdf/a.md",
            None
        ));
        assert!(may_as(
            ItemKind::Command,
            "/p/.claude/commands/git/c.md",
            None
        ));
    }
}
