//! The kinds of item a repository holds beside agents: skills ([`skill`]) and commands ([`command`]):
//! where each is found in a repository's file list ([`Layout`]), and how each is checked.
//!
//! Discovery rules (over `/`-separated paths relative to the searched folder):
//! - a **skill** is a folder holding `SKILL.md`; every file below it belongs to it. A `SKILL.md` below
//!   another skill's folder is one of that skill's files, not a skill of its own;
//! - a **command** is a `.md` file below a folder named `commands` (the first such folder on its path),
//!   outside every skill; its name is the path below that folder, without `.md`;
//! - a file is **never an agent** when it is a `SKILL.md`, inside a skill's folder, or below a `commands`
//!   folder ([`Layout::may_be_agent`]), so a source with no selection keys installs no skill or command
//!   as an agent.

pub mod command;
mod fields;
pub mod skill;

use crate::source::{Snapshot, SourceFile, is_markdown};

/// The files of `snapshot` that may be agents: its `.md` files outside skill folders and `commands`
/// folders ([`Layout::may_be_agent`]), in the snapshot's order, each with its index in `snapshot.files`.
pub fn agent_files(snapshot: &Snapshot) -> Vec<(usize, &SourceFile)> {
    let layout = Layout::of(snapshot.files.iter().map(|f| f.path.as_str()));
    (snapshot.files.iter().enumerate())
        .filter(|(_, f)| is_markdown(&f.path) && layout.may_be_agent(&f.path))
        .collect()
}

/// Where a repository's skills and commands are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// Skill folders (`skills/pdf`; empty when the whole tree is one skill), sorted.
    pub skills: Vec<String>,
    /// Commands, sorted by path.
    pub commands: Vec<CommandPath>,
}

/// A command file and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandPath {
    /// `plugins/x/commands/git/commit.md`.
    pub path: String,
    /// `git/commit`.
    pub name: String,
}

impl Layout {
    /// Sort `paths` (every file of a tree) into skills and commands.
    pub fn of<'a>(paths: impl IntoIterator<Item = &'a str>) -> Layout {
        let paths: Vec<&str> = paths.into_iter().collect();
        let mut dirs: Vec<&str> = paths
            .iter()
            .filter_map(|p| match p.rsplit_once('/') {
                Some((dir, skill::SKILL_MD)) => Some(dir),
                None if *p == skill::SKILL_MD => Some(""),
                _ => None,
            })
            .collect();
        // Shortest first, so an outer skill is known before the folders inside it.
        dirs.sort_by_key(|d| (d.len(), *d));
        let mut skills: Vec<String> = Vec::new();
        for dir in dirs {
            if !skills.iter().any(|s| inside(dir, s)) {
                skills.push(dir.to_string());
            }
        }
        skills.sort();
        let mut layout = Layout {
            skills,
            commands: Vec::new(),
        };
        let mut commands: Vec<CommandPath> = paths
            .iter()
            .filter(|p| !layout.in_skill(p))
            .filter_map(|p| {
                command_name(p).map(|name| CommandPath {
                    path: p.to_string(),
                    name,
                })
            })
            .collect();
        commands.sort_by(|a, b| a.path.cmp(&b.path));
        layout.commands = commands;
        layout
    }

    /// May the file at `path` be an agent? Not when it is a `SKILL.md`, in a skill's folder, or below a
    /// `commands` folder.
    pub fn may_be_agent(&self, path: &str) -> bool {
        let file = path.rsplit('/').next().unwrap_or(path);
        file != skill::SKILL_MD && !self.in_skill(path) && commands_dir(path).is_none()
    }

    /// Is `path` inside a skill's folder? Looks up each ancestor folder in the sorted list, so it costs
    /// the path's depth times a binary search.
    fn in_skill(&self, path: &str) -> bool {
        let known = |dir: &str| {
            self.skills
                .binary_search_by(|s| s.as_str().cmp(dir))
                .is_ok()
        };
        let mut at = path;
        while let Some((dir, _)) = at.rsplit_once('/') {
            if known(dir) {
                return true;
            }
            at = dir;
        }
        known("")
    }
}

/// Is `path` in folder `dir` (the empty folder holds everything)?
pub fn inside(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Byte offset just past the first `commands/` folder on `path`.
fn commands_dir(path: &str) -> Option<usize> {
    let mut offset = 0;
    let parts: Vec<&str> = path.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        offset += part.len() + 1;
        if *part == "commands" {
            return Some(offset);
        }
    }
    None
}

/// The command name of `path`, when it is a `.md` file below a `commands` folder.
fn command_name(path: &str) -> Option<String> {
    let below = &path[commands_dir(path)?..];
    below
        .strip_suffix(".md")
        .filter(|n| !n.is_empty())
        .map(String::from)
}

#[cfg(test)]
mod tests;
