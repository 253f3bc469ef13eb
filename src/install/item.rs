//! The item of an install: one thing the manifest selects, with where it goes and what it is. Every step
//! after selection works on items: [`collisions`](super::collisions) compares their installed names,
//! [`plan`](super::plan) compares their files with the disk and the previous lock, the journal carries
//! out the plan's per-file actions, and [`Item::locked`] is the lock's entry for one.
//!
//! An item is one installed FILE: an agent (one Markdown file in the target directory), a command (one
//! Markdown file below the commands' directory, sub-folders kept), or one file of a skill (a skill
//! folder is as many items as it has files, all with the skill's name, so every per-file guarantee of
//! the plan and the journal holds for each of them). Each `match` on the kind (where it installs, what
//! collides with what, how the lock records it) is where a kind says how it differs.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::lockfile::{self, LockedAgent, LockedPatch};
use crate::names::{AgentName, Sha256};
use crate::select::SelectedAgent;
use crate::select::items::{SelectedCommand, SelectedSkill};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    /// A Markdown file with a `name` in its front matter, installed as `<target>/<name>.md`.
    Agent,
    /// One file of a skill folder, installed as `<skills>/<name>/<path in the folder>`.
    Skill,
    /// A Markdown file below a `commands` folder, installed as `<commands>/<name>.md` (`git/commit`).
    Command,
}

impl From<lockfile::Table> for ItemKind {
    fn from(table: lockfile::Table) -> ItemKind {
        match table {
            lockfile::Table::Agent => ItemKind::Agent,
            lockfile::Table::Skill => ItemKind::Skill,
            lockfile::Table::Command => ItemKind::Command,
        }
    }
}

impl ItemKind {
    /// The kind as messages name it ("2 agents would be installed as ...").
    pub fn noun(self) -> &'static str {
        match self {
            ItemKind::Agent => "agent",
            ItemKind::Skill => "skill",
            ItemKind::Command => "command",
        }
    }
}

/// One selected item with the file it goes to.
#[derive(Debug, Clone)]
pub struct Item {
    pub kind: ItemKind,
    /// The top-level or pack source it comes from (`tools` or `tools/pack`).
    pub source: String,
    /// Path in the repository (what the lock records).
    pub repo_path: String,
    /// The front-matter name in the source.
    pub original_name: String,
    /// The name it is installed under (differs when renamed).
    pub installed_name: String,
    /// The exact bytes to install (after `rename` and the local patch).
    pub bytes: Vec<u8>,
    /// Absolute path of the installed file.
    pub file: PathBuf,
    /// sha256 of [`Item::bytes`].
    pub sha256: Sha256,
    /// The local patch applied to the source's bytes, if any ([`crate::patches`]).
    pub patch: Option<LockedPatch>,
    /// The plugin of a marketplace it came from, if any.
    pub plugin: Option<String>,
    /// Installed with mode 0o755 (a skill's script stored executable).
    pub executable: bool,
    /// For a skill's file: its path inside the skill folder (`scripts/fill.py`).
    pub part: Option<String>,
}

impl Item {
    /// A selected agent, installed in `target`.
    pub fn agent(agent: SelectedAgent, target: &Path) -> Self {
        let SelectedAgent {
            source,
            repo_path,
            original_name,
            installed_name,
            bytes,
            sha256,
            plugin,
        } = agent;
        in_step(&bytes, &sha256);
        Item {
            kind: ItemKind::Agent,
            file: target.join(format!("{installed_name}.md")),
            sha256,
            source,
            repo_path,
            original_name,
            installed_name,
            bytes,
            patch: None,
            plugin,
            executable: false,
            part: None,
        }
    }

    /// Every file of a selected skill, installed in the folder `<skills>/<installed name>/`; `plugin`
    /// is the marketplace plugin it came from, if any.
    pub fn skill(skill: SelectedSkill, skills: &Path, plugin: Option<String>) -> Vec<Self> {
        let folder = skills.join(&skill.installed_name);
        (skill.files.into_iter())
            .inspect(|f| in_step(&f.bytes, &f.sha256))
            .map(|f| Item {
                kind: ItemKind::Skill,
                source: skill.source.clone(),
                repo_path: crate::source::join(Some(&skill.repo_path), &f.path),
                original_name: skill.original_name.clone(),
                installed_name: skill.installed_name.clone(),
                file: under(&folder, &f.path),
                sha256: f.sha256,
                bytes: f.bytes,
                patch: None,
                executable: f.executable,
                part: Some(f.path),
                plugin: plugin.clone(),
            })
            .collect()
    }

    /// A selected command, installed as `<commands>/<installed name>.md` (its sub-folders kept);
    /// `plugin` is the marketplace plugin it came from, if any.
    pub fn command(command: SelectedCommand, commands: &Path, plugin: Option<String>) -> Self {
        let SelectedCommand {
            source,
            repo_path,
            original_name,
            installed_name,
            bytes,
            sha256,
        } = command;
        in_step(&bytes, &sha256);
        Item {
            kind: ItemKind::Command,
            file: under(commands, &format!("{installed_name}.md")),
            sha256,
            source,
            repo_path,
            original_name,
            installed_name,
            bytes,
            patch: None,
            executable: false,
            part: None,
            plugin,
        }
    }

    /// The repository folder of a skill's file (`skills/pdf`); the file's own path for other kinds.
    pub fn unit_path(&self) -> &str {
        match &self.part {
            Some(part) => self
                .repo_path
                .strip_suffix(part.as_str())
                .map_or(&self.repo_path, |p| p.trim_end_matches('/')),
            None => &self.repo_path,
        }
    }

    /// Replace the bytes to install (a local patch's result), keeping the hash in step.
    pub fn set_bytes(&mut self, bytes: Vec<u8>) {
        self.sha256 = Sha256::of(&bytes);
        self.bytes = bytes;
    }

    /// `source:repo_path`, as diagnostics about the source's file name it.
    pub fn label(&self) -> String {
        format!("{}:{}", self.source, self.repo_path)
    }

    /// `source:path` of the whole item: a skill's folder, or the file of an agent or command.
    pub fn unit_label(&self) -> String {
        format!("{}:{}", self.source, self.unit_path())
    }

    /// The lock's entry for this item, installed in the project at `root`; `adopted` when the plan found
    /// its exact bytes already in place ([`super::Action::Adopt`]). Every installed name was checked
    /// before (`name-invalid`, `rename-failed`); one that still could not be installed is refused here,
    /// never written to the lock.
    pub fn locked(&self, root: &Path, adopted: bool) -> Result<LockedAgent> {
        let name =
            AgentName::parse(&self.installed_name).map_err(|problem| Error::CheckFailed {
                diagnostics: vec![Diagnostic::error(
                    "name-invalid",
                    format!("`name` `{}` {problem}", self.installed_name),
                )],
            })?;
        Ok(match self.kind {
            ItemKind::Agent => LockedAgent {
                name,
                original_name: (self.installed_name != self.original_name)
                    .then(|| self.original_name.clone()),
                source: self.source.clone(),
                plugin: self.plugin.clone(),
                path: self.repo_path.clone(),
                file: lockfile::file_label(root, &self.file),
                sha256: self.sha256.clone(),
                patch: self.patch.clone(),
                adopted,
            },
            // Locked by their own tables ([`super::record`]): never asked here.
            ItemKind::Skill | ItemKind::Command => {
                return Err(Error::CheckFailed {
                    diagnostics: vec![Diagnostic::error(
                        "lock-invalid",
                        format!("`{}` is not an agent", self.label()),
                    )],
                });
            }
        })
    }
}

/// `base` joined with a `/`-separated relative path, one component at a time (so the result uses the
/// platform's separator).
fn under(base: &Path, rel: &str) -> PathBuf {
    rel.split('/')
        .fold(base.to_path_buf(), |path, part| path.join(part))
}

/// The hash an item is built with is its source's (or its renamer's), never computed here again: the
/// test builds check that whoever changed the bytes kept it in step.
fn in_step(bytes: &[u8], sha256: &Sha256) {
    debug_assert!(
        Sha256::of(bytes) == *sha256,
        "an item's sha256 is out of step with its bytes"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_entry_names_the_original_only_when_renamed_and_records_the_patch() {
        let root = Path::new("/p");
        let selected = |installed: &str| SelectedAgent {
            source: "tools/pack".into(),
            repo_path: "agents/rev.md".into(),
            original_name: "rev".into(),
            installed_name: installed.into(),
            bytes: b"v1".to_vec(),
            sha256: Sha256::of(b"v1"),
            plugin: None,
        };
        let mut item = Item::agent(selected("rev"), &root.join(".claude/agents"));
        assert_eq!(item.file, Path::new("/p/.claude/agents/rev.md"));
        assert_eq!(item.label(), "tools/pack:agents/rev.md");
        let entry = item.locked(root, false).unwrap();
        assert_eq!(
            (
                entry.name.as_str(),
                entry.original_name,
                entry.file.as_str()
            ),
            ("rev", None, ".claude/agents/rev.md")
        );
        assert_eq!(entry.sha256, Sha256::of(b"v1"));

        item = Item::agent(selected("tools-rev"), &root.join(".claude/agents"));
        item.set_bytes(b"v2".to_vec());
        item.patch = Some(LockedPatch {
            file: "agentpack-patches/tools-rev.patch".into(),
            sha256: Sha256::of(b"patch"),
        });
        let entry = item.locked(root, true).unwrap();
        assert_eq!(entry.original_name.as_deref(), Some("rev"));
        assert_eq!(entry.file, ".claude/agents/tools-rev.md");
        assert_eq!(entry.sha256, Sha256::of(b"v2"));
        assert_eq!(
            entry.patch,
            Some(LockedPatch {
                file: "agentpack-patches/tools-rev.patch".into(),
                sha256: Sha256::of(b"patch"),
            })
        );
        assert!(entry.adopted);
    }
}
