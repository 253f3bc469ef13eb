//! Which skills and commands of a resolved source its `skills` and `commands` keys pick, under which
//! names, checked through the source's trust gate.
//!
//! - A key that is absent picks nothing of its kind; `["*"]` picks all. Entries are names or globs over
//!   names: a skill's name is its folder's name (the front matter's `name` for a repository that is one
//!   skill), a command's is its path below `commands/` without `.md` (`git/commit`; `git/*` picks the
//!   `git` folder's commands, not deeper ones). An entry that picks nothing is an error naming the key.
//! - `rename` keys `skill:NAME` and `command:NAME` install the item under another name (the manifest
//!   checks the new names); a qualified key that names no picked item is an error.
//! - A skill is installed whole: every file of its folder, byte for byte, executable bits kept.

use super::gate;
use crate::diag::{Diagnostic, Location};
use crate::manifest::{COMMAND_KEY, Pattern, SKILL_KEY, SourceSpec};
use crate::names::Sha256;
use crate::source::{Content, Snapshot};

use crate::kinds::{Layout, command, inside, skill};

/// A skill that will be installed.
#[derive(Debug, Clone)]
pub struct SelectedSkill {
    pub source: String,
    /// The skill's folder in the repository (`skills/pdf`).
    pub repo_path: String,
    /// The skill's name in the source (its folder's name).
    pub original_name: String,
    /// The folder it is installed as.
    pub installed_name: String,
    /// Every file of the folder, sorted by path.
    pub files: Vec<SkillPart>,
}

/// One file of a skill.
#[derive(Debug, Clone)]
pub struct SkillPart {
    /// Inside the skill's folder (`scripts/fill.py`).
    pub path: String,
    pub bytes: Vec<u8>,
    /// The sha256 of `bytes`, as the source computed it.
    pub sha256: Sha256,
    pub executable: bool,
}

/// A command that will be installed.
#[derive(Debug, Clone)]
pub struct SelectedCommand {
    pub source: String,
    pub repo_path: String,
    /// `git/commit`.
    pub original_name: String,
    pub installed_name: String,
    pub bytes: Vec<u8>,
    /// The sha256 of `bytes`, as the source computed it.
    pub sha256: Sha256,
}

/// What the `skills` and `commands` keys of one source picked.
#[derive(Debug, Default)]
pub struct Picked {
    pub skills: Vec<SelectedSkill>,
    pub commands: Vec<SelectedCommand>,
    /// Errors and warnings (warnings promoted under `strict`), through the trust gate.
    pub diagnostics: Vec<Diagnostic>,
}

/// Pick the skills and commands of `snapshot` (the files of the source `spec`) that `skills` and
/// `commands` select.
pub fn pick(
    snapshot: &Snapshot,
    spec: &SourceSpec,
    skills: Option<&[Pattern]>,
    commands: Option<&[Pattern]>,
    strict: bool,
) -> Picked {
    let layout = Layout::of(snapshot.files.iter().map(|f| f.path.as_str()));
    let mut picker = Picker {
        snapshot,
        spec,
        strict,
        out: Picked::default(),
    };
    if let Some(patterns) = skills {
        picker.skills(&layout, patterns);
    }
    if let Some(patterns) = commands {
        picker.commands(&layout, patterns);
    }
    picker.unused_renames();
    picker.out
}

/// The state of [`pick`] over one source.
struct Picker<'a> {
    snapshot: &'a Snapshot,
    spec: &'a SourceSpec,
    strict: bool,
    out: Picked,
}

impl Picker<'_> {
    fn source(&self) -> &str {
        self.spec.name.as_str()
    }

    fn repo_path(&self, path: &str) -> String {
        crate::source::join(self.spec.subdir.as_deref(), path)
    }

    fn label(&self, path: &str) -> String {
        format!("{}:{}", self.source(), self.repo_path(path))
    }

    /// The diagnostics of a picked item: promoted under `strict`, then through the trust gate.
    fn checked(&mut self, diagnostics: Vec<Diagnostic>) {
        let strict = self.strict;
        let promoted = diagnostics
            .into_iter()
            .map(|d| if strict { d.promote() } else { d });
        self.out.diagnostics.extend(gate(promoted, self.spec));
    }

    fn renamed(&self, prefix: &str, name: &str) -> Option<String> {
        self.spec
            .selection
            .rename
            .get(&format!("{prefix}{name}"))
            .cloned()
    }

    fn skills(&mut self, layout: &Layout, patterns: &[Pattern]) {
        let mut names = Vec::new();
        for folder in &layout.skills {
            let files: Vec<_> = (self.snapshot.files.iter())
                .filter(|f| inside(&f.path, folder))
                .collect();
            let part = |path: &str| -> String {
                match folder.is_empty() {
                    true => path.to_string(),
                    false => path[folder.len() + 1..].to_string(),
                }
            };
            let name = match folder.rsplit('/').next().filter(|n| !n.is_empty()) {
                Some(name) => name.to_string(),
                // A repository that is one skill: its name is the front matter's.
                None => skill_md_name(&files).unwrap_or_default(),
            };
            names.push(name.clone());
            if !patterns.iter().any(|p| p.matches(&name, &name)) {
                continue;
            }
            let label = self.label(folder);
            let mut parts = Vec::new();
            for file in &files {
                match &file.content {
                    Content::Bytes { bytes, sha256 } => parts.push(SkillPart {
                        path: part(&file.path),
                        bytes: bytes.clone(),
                        sha256: sha256.clone(),
                        executable: file.executable,
                    }),
                    Content::TooLarge { size, .. } => self.out.diagnostics.push(
                        Diagnostic::error(
                            "skill-too-large",
                            format!(
                                "file `{}` is {size} bytes; agentpack installs files of at most {} bytes",
                                file.path,
                                crate::limits::MAX_FILE_SIZE
                            ),
                        )
                        .at(Location::file(&label)),
                    ),
                }
            }
            let views: Vec<skill::SkillFile> = (parts.iter())
                .map(|p| skill::SkillFile {
                    path: &p.path,
                    bytes: &p.bytes,
                    executable: p.executable,
                })
                .collect();
            let checked = skill::check(&label, folder, &views);
            self.checked(checked.diagnostics);
            let installed_name = self.renamed(SKILL_KEY, &name).unwrap_or(name.clone());
            // The installed folder is the skill's name in the lock and in Claude Code: a kebab name, like
            // the front matter's (a rename target is checked by the manifest already).
            if let Some(problem) = crate::names::kebab_name_problem(&installed_name) {
                self.out.diagnostics.push(
                    Diagnostic::error(
                        "name-invalid",
                        format!("skill folder `{installed_name}`: the name {problem}, so agentpack cannot install it"),
                    )
                    .at(Location::file(&label))
                    .with_hint(format!(
                        "install it under another name: add `rename = {{ \"skill:{installed_name}\" = \"<a-kebab-name>\" }}` to the source in agentpack.toml"
                    )),
                );
            }
            self.out.skills.push(SelectedSkill {
                source: self.source().to_string(),
                repo_path: self.repo_path(folder),
                original_name: name,
                installed_name,
                files: parts,
            });
        }
        self.unmatched("skills", "skill", patterns, &names);
    }

    fn commands(&mut self, layout: &Layout, patterns: &[Pattern]) {
        let names: Vec<String> = layout.commands.iter().map(|c| c.name.clone()).collect();
        for command in &layout.commands {
            let name = &command.name;
            if !patterns.iter().any(|p| p.matches(name, name)) {
                continue;
            }
            let label = self.label(&command.path);
            let file = self.snapshot.files.iter().find(|f| f.path == command.path);
            let Some(Content::Bytes { bytes, sha256 }) = file.map(|f| &f.content) else {
                self.out.diagnostics.push(
                    Diagnostic::error(
                        "too-large",
                        format!(
                            "command `{name}` is over {} bytes",
                            crate::limits::MAX_FILE_SIZE
                        ),
                    )
                    .at(Location::file(&label)),
                );
                continue;
            };
            let checked = command::check(&label, name, bytes);
            self.checked(checked.diagnostics);
            let installed_name = self.renamed(COMMAND_KEY, name).unwrap_or(name.clone());
            self.out.commands.push(SelectedCommand {
                source: self.source().to_string(),
                repo_path: self.repo_path(&command.path),
                original_name: name.clone(),
                installed_name,
                bytes: bytes.clone(),
                sha256: sha256.clone(),
            });
        }
        self.unmatched("commands", "command", patterns, &names);
    }

    /// Entries of `key` that pick nothing: an error listing what the source has.
    fn unmatched(&mut self, key: &str, noun: &str, patterns: &[Pattern], names: &[String]) {
        for pattern in patterns {
            if names.iter().any(|n| pattern.matches(n, n)) {
                continue;
            }
            let shown: Vec<&str> = names.iter().take(12).map(String::as_str).collect();
            self.out.diagnostics.push(
                Diagnostic::error(
                    "item-not-found",
                    format!(
                        "`{key}` of source `{}` has no {noun} matching `{}`",
                        self.source(),
                        pattern.written
                    ),
                )
                .with_hint(if names.is_empty() {
                    format!("the source has no {noun}s under its searched directory")
                } else {
                    format!(
                        "{noun}s in `{}`: {}{}",
                        self.source(),
                        shown.join(", "),
                        if names.len() > 12 { ", ..." } else { "" }
                    )
                }),
            );
        }
    }

    /// `skill:`/`command:` rename keys that name no picked item.
    fn unused_renames(&mut self) {
        let skills: Vec<&str> = self
            .out
            .skills
            .iter()
            .map(|s| s.original_name.as_str())
            .collect();
        let commands: Vec<&str> = (self.out.commands.iter())
            .map(|c| c.original_name.as_str())
            .collect();
        for key in self.spec.selection.rename.keys() {
            let hit = match (key.strip_prefix(SKILL_KEY), key.strip_prefix(COMMAND_KEY)) {
                (Some(name), _) => skills.contains(&name),
                (_, Some(name)) => commands.contains(&name),
                _ => continue,
            };
            if !hit {
                self.out.diagnostics.push(
                    Diagnostic::error(
                        "rename-not-found",
                        format!(
                            "`rename` key `{key}` of source `{}` matches no selected {}",
                            self.source(),
                            if key.starts_with(SKILL_KEY) {
                                "skill"
                            } else {
                                "command"
                            }
                        ),
                    )
                    .with_hint("select it with the source's `skills` or `commands` key"),
                );
            }
        }
    }
}

/// The `name` of the `SKILL.md` among `files` (for a repository that is one skill).
fn skill_md_name(files: &[&crate::source::SourceFile]) -> Option<String> {
    let file = files.iter().find(|f| f.path == skill::SKILL_MD)?;
    let Content::Bytes { bytes, .. } = &file.content else {
        return None;
    };
    skill::declared_name(bytes)
}
