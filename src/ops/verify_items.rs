//! `agentpack verify` for skills and commands: every file of every locked skill and every locked command
//! present, unedited (its sha256 is the lock's), in its kind's place, and passing its kind's checks
//! through its source's trust gate; and the manifest's `skills`/`commands` keys and qualified `rename`
//! keys reflected by the lock.

use crate::diag::{Diagnostic, Location};
use crate::error::Result;
use crate::fsutil::normalize;
use crate::install::{ItemKind, Places};
use crate::kinds::{command, skill};
use crate::lockfile::{LockedCommand, LockedSkill, Lockfile};
use crate::manifest::{COMMAND_KEY, Manifest, Pattern, SKILL_KEY};
use crate::names::{root_source, sha256_hex};

/// The `skills`/`commands` keys of every manifest source against the lock's skills and commands.
pub(super) fn selection_changes(
    manifest: &Manifest,
    lock: &Lockfile,
    outdated: impl Fn(String) -> Diagnostic,
    out: &mut Vec<Diagnostic>,
) {
    for spec in &manifest.sources {
        let name = spec.name.as_str();
        // A plugin's skills and commands are what `plugins` selects (see `verify::plugin_selection`).
        let skills: Vec<(&str, &str)> = (lock.skills.iter())
            .filter(|s| s.source == name && s.plugin.is_none())
            .map(|s| (original(&s.original_name, &s.name), s.name.as_str()))
            .collect();
        let commands: Vec<(&str, &str)> = (lock.commands.iter())
            .filter(|c| c.source == name && c.plugin.is_none())
            .map(|c| (original(&c.original_name, &c.name), c.name.as_str()))
            .collect();
        let selection = &spec.selection;
        // A source whose keys now take other kinds only: its locked agents (outside its plugins) are no
        // longer wanted.
        let own_agents = (lock.agents.iter()).any(|a| a.source == name && a.plugin.is_none());
        if !selection.takes_agents() && own_agents {
            out.push(outdated(format!(
                "source `{name}` has locked agents, but with `skills` or `commands` and no `agents` it installs none"
            )));
        }
        let kinds = [
            ("skills", "skill", SKILL_KEY, &selection.skills, &skills),
            (
                "commands",
                "command",
                COMMAND_KEY,
                &selection.commands,
                &commands,
            ),
        ];
        for (key, noun, prefix, patterns, locked) in kinds {
            let patterns: &[Pattern] = patterns.as_deref().unwrap_or_default();
            for pattern in patterns {
                if !locked.iter().any(|(n, _)| pattern.matches(n, n)) {
                    out.push(outdated(format!(
                        "`{key}` entry `{}` of source `{name}` matches no {noun} in the lock",
                        pattern.written
                    )));
                }
            }
            for (original, installed) in locked {
                if !patterns.iter().any(|p| p.matches(original, original)) {
                    out.push(outdated(format!(
                        "{noun} `{original}` of source `{name}` is locked, but `{key}` no longer selects it"
                    )));
                    continue;
                }
                let expected = (selection.rename.get(&format!("{prefix}{original}")))
                    .map_or(*original, String::as_str);
                if expected != *installed {
                    out.push(outdated(format!(
                        "{noun} `{original}` of source `{name}` is locked as `{installed}`, but agentpack.toml installs it as `{expected}`"
                    )));
                }
            }
        }
    }
}

fn original<'a>(original: &'a Option<String>, name: &'a str) -> &'a str {
    original.as_deref().unwrap_or(name)
}

/// What verifying one item found: its files' problems and the checks of its content.
struct Checker<'a> {
    manifest: &'a Manifest,
    places: Places,
    strict: bool,
    out: &'a mut Vec<Diagnostic>,
}

/// Every file of every locked skill and command. Returns how many skills and commands were checked.
pub(super) fn check_files(
    manifest: &Manifest,
    lock: &Lockfile,
    strict: bool,
    out: &mut Vec<Diagnostic>,
) -> Result<(usize, usize)> {
    let mut checker = Checker {
        manifest,
        places: Places::of(manifest),
        strict,
        out,
    };
    for skill in &lock.skills {
        checker.skill(skill)?;
    }
    for command in &lock.commands {
        checker.command(command)?;
    }
    Ok((lock.skills.len(), lock.commands.len()))
}

impl Checker<'_> {
    /// The bytes of the installed `file` (the lock's label) when it is where its kind goes, present and
    /// unedited; `None` after reporting why not.
    fn file(
        &mut self,
        kind: ItemKind,
        folder: Option<&str>,
        file: &str,
        sha256: &str,
        from: &str,
    ) -> Result<Option<Vec<u8>>> {
        let path = normalize(&self.manifest.root.join(file));
        let shown = self.places.show(&path);
        let folder = folder.map(|d| normalize(&self.manifest.root.join(d)));
        if !self.places.may_hold_as(kind, &path, folder.as_deref()) {
            self.out.push(
                Diagnostic::error(
                    "lock-outdated",
                    format!("`{file}` ({from}) is locked outside the directory agentpack installs {}s into", kind.noun()),
                )
                .at(Location::file(crate::lockfile::LOCK_NAME))
                .with_hint("run `agentpack install` and commit agentpack.lock"),
            );
            return Ok(None);
        }
        let Some(bytes) = crate::fsutil::read_if_exists(&path)? else {
            self.out.push(
                Diagnostic::error("file-missing", format!("`{shown}` ({from}) is missing"))
                    .at(Location::file(&shown))
                    .with_hint("run `agentpack install` to restore it"),
            );
            return Ok(None);
        };
        if sha256_hex(&bytes) != sha256 {
            self.out.push(
                Diagnostic::error(
                    "modified-file",
                    format!("`{shown}` ({from}) was edited since install: its sha256 differs from agentpack.lock"),
                )
                .at(Location::file(&shown))
                .with_hint("restore the file with `agentpack install --force`"),
            );
            return Ok(None);
        }
        Ok(Some(bytes))
    }

    /// The checks' diagnostics, promoted under `strict` and through the trust gate of the item's source.
    fn checked(&mut self, diagnostics: Vec<Diagnostic>, source: &str) {
        let strict = self.strict;
        let promoted = (diagnostics.into_iter()).map(|d| if strict { d.promote() } else { d });
        match self.manifest.source(root_source(source)) {
            Some(spec) => self.out.extend(crate::select::gate(promoted, spec)),
            None => self.out.extend(promoted),
        }
    }

    fn skill(&mut self, skill: &LockedSkill) -> Result<()> {
        let from = format!("skill `{}` from `{}`", skill.name, skill.source);
        let mut files = Vec::new();
        for file in &skill.files {
            let label = skill.file_of(file);
            if let Some(bytes) = self.file(
                ItemKind::Skill,
                Some(&skill.dir),
                &label,
                file.sha256.as_str(),
                &from,
            )? {
                files.push((file, bytes));
            }
        }
        if files.len() == skill.files.len() {
            let views: Vec<skill::SkillFile> = (files.iter())
                .map(|(f, bytes)| skill::SkillFile {
                    path: &f.path,
                    bytes,
                    executable: f.executable,
                })
                .collect();
            let dir = normalize(&self.manifest.root.join(&skill.dir));
            // Checked under the name it has in its source (its folder's), as `install` checked it: a
            // `rename` is the user's choice of folder, not a `skill-name-mismatch` of the source's.
            let name = skill.original_name.as_deref().unwrap_or(&skill.name);
            let checked = skill::check(&self.places.show(&dir), name, &views);
            self.checked(checked.diagnostics, &skill.source);
        }
        Ok(())
    }

    fn command(&mut self, command: &LockedCommand) -> Result<()> {
        let from = format!("command `{}` from `{}`", command.name, command.source);
        if let Some(bytes) = self.file(
            ItemKind::Command,
            None,
            &command.file,
            command.sha256.as_str(),
            &from,
        )? {
            let path = normalize(&self.manifest.root.join(&command.file));
            let checked = command::check(&self.places.show(&path), &command.name, &bytes);
            self.checked(checked.diagnostics, &command.source);
        }
        Ok(())
    }
}
