//! The lock's `[[skill]]` and `[[command]]` tables: an installed skill (a folder, with the sha256 of every
//! file) and an installed command. Both tables appear only when used, so a lock without them reads and
//! writes exactly as before (format version 1).

use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use crate::names::Sha256;

/// One `[[skill]]`: a skill folder installed whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedSkill {
    /// The installed name (the folder's name under `.claude/skills/`).
    pub name: String,
    /// The name in the source, when `rename` changed it.
    pub original_name: Option<String>,
    pub source: String,
    /// The plugin it came from, for a plugin's skill.
    pub plugin: Option<String>,
    /// The skill's folder in the repository (`skills/pdf`).
    pub path: String,
    /// The installed folder, relative to the manifest's directory, `/`-separated.
    pub dir: String,
    /// Every file of the folder, sorted by path.
    pub files: Vec<LockedFile>,
}

/// One file of a locked skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedFile {
    /// Inside the skill's folder, `/`-separated.
    pub path: String,
    pub sha256: Sha256,
    /// Installed with mode 0o755.
    pub executable: bool,
    /// agentpack did not write it: it held these bytes already (see `LockedAgent::adopted`).
    pub adopted: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawFile {
    path: String,
    sha256: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    executable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    adopted: bool,
}

/// One `[[command]]`: an installed command file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedCommand {
    /// The installed name (`git/commit`).
    pub name: String,
    pub original_name: Option<String>,
    pub source: String,
    pub plugin: Option<String>,
    /// Path of the command file in the repository.
    pub path: String,
    /// The installed file, relative to the manifest's directory, `/`-separated.
    pub file: String,
    pub sha256: Sha256,
    pub adopted: bool,
}

impl LockedSkill {
    /// The installed file of `file`, relative to the manifest's directory.
    pub fn file_of(&self, file: &LockedFile) -> String {
        format!("{}/{}", self.dir, file.path)
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSkill {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_name: Option<String>,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugin: Option<String>,
    path: String,
    dir: String,
    files: Vec<RawFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawCommand {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_name: Option<String>,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugin: Option<String>,
    path: String,
    file: String,
    sha256: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    adopted: bool,
}

/// Is `path` relative, `/`-separated, with only plain components (no `..`, no root)?
fn plain(path: &str) -> bool {
    relative(path)
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Is `path` relative to the manifest's directory (`..` allowed: the global manifest's files are in the
/// home directory)? Where it may point is [`crate::install::Places`]' rule, checked before any use.
fn relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::ParentDir))
}

impl RawSkill {
    pub(super) fn source(&self) -> &str {
        &self.source
    }

    pub(super) fn typed(self) -> Result<LockedSkill, Vec<String>> {
        let label = &self.name;
        let mut problems = Vec::new();
        if let Some(problem) = crate::names::kebab_name_problem(&self.name) {
            problems.push(format!("skill `{label}`: the name {problem}"));
        }
        if !relative(&self.dir) || !self.dir.ends_with(&format!("/{}", self.name)) {
            problems.push(format!(
                "skill `{label}`: `dir` `{}` is not a relative folder named `{label}`",
                self.dir
            ));
        }
        if self.files.is_empty() {
            problems.push(format!("skill `{label}`: `files` is empty"));
        }
        for file in self.files.iter().filter(|f| !plain(&f.path)) {
            problems.push(format!(
                "skill `{label}`: file `{}` is not a relative path inside the skill",
                file.path
            ));
        }
        let mut files = Vec::new();
        for file in self.files {
            match Sha256::parse(&file.sha256) {
                Some(sha256) => files.push(LockedFile {
                    path: file.path,
                    sha256,
                    executable: file.executable,
                    adopted: file.adopted,
                }),
                None => problems.push(format!(
                    "skill `{label}`: `sha256` of `{}` is not 64 hex digits",
                    file.path
                )),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(LockedSkill {
            name: self.name,
            original_name: self.original_name,
            source: self.source,
            plugin: self.plugin,
            path: self.path,
            dir: self.dir,
            files,
        })
    }
}

impl From<&LockedSkill> for RawSkill {
    fn from(s: &LockedSkill) -> Self {
        RawSkill {
            name: s.name.clone(),
            original_name: s.original_name.clone(),
            source: s.source.clone(),
            plugin: s.plugin.clone(),
            path: s.path.clone(),
            dir: s.dir.clone(),
            files: (s.files.iter())
                .map(|f| RawFile {
                    path: f.path.clone(),
                    sha256: f.sha256.to_string(),
                    executable: f.executable,
                    adopted: f.adopted,
                })
                .collect(),
        }
    }
}

impl RawCommand {
    pub(super) fn source(&self) -> &str {
        &self.source
    }

    pub(super) fn typed(self) -> Result<LockedCommand, Vec<String>> {
        let label = &self.name;
        let mut problems = Vec::new();
        if !plain(&self.name) {
            problems.push(format!(
                "command `{label}`: the name is not a relative path"
            ));
        }
        if !relative(&self.file) || !self.file.ends_with(&format!("/{}.md", self.name)) {
            problems.push(format!(
                "command `{label}`: `file` `{}` does not name `{label}.md` in a relative directory",
                self.file
            ));
        }
        let sha256 = Sha256::parse(&self.sha256);
        if sha256.is_none() {
            problems.push(format!("command `{label}`: `sha256` is not 64 hex digits"));
        }
        let Some(sha256) = sha256.filter(|_| problems.is_empty()) else {
            return Err(problems);
        };
        Ok(LockedCommand {
            name: self.name,
            original_name: self.original_name,
            source: self.source,
            plugin: self.plugin,
            path: self.path,
            file: self.file,
            sha256,
            adopted: self.adopted,
        })
    }
}

impl From<&LockedCommand> for RawCommand {
    fn from(c: &LockedCommand) -> Self {
        RawCommand {
            name: c.name.clone(),
            original_name: c.original_name.clone(),
            source: c.source.clone(),
            plugin: c.plugin.clone(),
            path: c.path.clone(),
            file: c.file.clone(),
            sha256: c.sha256.to_string(),
            adopted: c.adopted,
        }
    }
}
