//! Name collisions: two agents may not land on one installed name, compared as the file systems of macOS
//! and Windows compare names: ignoring case and Unicode normalisation ([`file_name_key`]).

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::names::file_name_key;

use super::{Item, ItemKind};

/// Two agents that would be installed under the same name: an error naming both, one line each, and after
/// the last one a single manifest snippet that resolves every collision (143 collisions between two
/// collections are 143 lines and one snippet, not 143 hints).
///
/// Only items of one kind can collide: each kind installs in its own place.
pub fn collisions(placed: &[Item]) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<(ItemKind, String), Vec<&Item>> = BTreeMap::new();
    for p in placed {
        let group = by_name
            .entry((p.kind, file_name_key(&p.installed_name)))
            .or_default();
        // A skill is many items (one per file), all of one folder: it counts once.
        if !group.iter().any(|o| o.unit_label() == p.unit_label()) {
            group.push(p);
        }
    }
    let groups: Vec<&Vec<&Item>> = by_name.values().filter(|g| g.len() > 1).collect();
    let shadowed = shadowed_commands(&by_name);
    let mut out: Vec<Diagnostic> = groups
        .iter()
        .map(|group| {
            let places: Vec<String> = (group.iter())
                .map(|p| format!("`{}`", p.unit_label()))
                .collect();
            Diagnostic::error(
                "name-collision",
                format!(
                    "{} {}s would be installed as `{}`: {}",
                    group.len(),
                    group[0].kind.noun(),
                    group[0].installed_name,
                    places.join(", ")
                ),
            )
        })
        .collect();
    if let Some(last) = out.pop() {
        out.push(last.with_hint(collision_fix(&groups)));
    }
    out.extend(shadowed);
    out
}

/// A command and a skill of one name: Claude Code lets the skill shadow the command, so a warning.
fn shadowed_commands(by_name: &BTreeMap<(ItemKind, String), Vec<&Item>>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ((kind, key), commands) in by_name {
        if *kind != ItemKind::Command {
            continue;
        }
        let Some(skills) = by_name.get(&(ItemKind::Skill, key.clone())) else {
            continue;
        };
        out.push(
            Diagnostic::warning(
                "name-collision",
                format!(
                    "command `{}` (`{}`) has the name of skill `{}` (`{}`): Claude Code runs the skill",
                    commands[0].installed_name,
                    commands[0].unit_label(),
                    skills[0].installed_name,
                    skills[0].unit_label()
                ),
            )
            .with_hint(format!(
                "install one of them under another name: `rename = {{ \"command:{}\" = \"NEW-NAME\" }}`",
                commands[0].original_name
            )),
        );
    }
    out
}

/// The manifest snippet that renames all but the first agent of every colliding group: `<source>-<name>`
/// in the top-level source it came through (where a `rename` of a pack's agent belongs), or, for
/// agents of one source sharing a name, by path to `<name>-2`, `<name>-3`...
fn collision_fix(groups: &[&Vec<&Item>]) -> String {
    let mut renames: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for group in groups {
        for (i, p) in group.iter().enumerate().skip(1) {
            let root = crate::names::root_source(&p.source);
            let same_source = group
                .iter()
                .filter(|o| crate::names::root_source(&o.source) == root)
                .count()
                > 1;
            let name = &p.original_name;
            let (key, new) = match p.kind {
                ItemKind::Agent if same_source => {
                    (p.repo_path.clone(), format!("{name}-{}", i + 1))
                }
                ItemKind::Agent => (name.clone(), format!("{root}-{name}")),
                ItemKind::Skill => (format!("skill:{name}"), format!("{root}-{name}")),
                // A command goes into a folder named after its source: `/root:name` in Claude Code.
                ItemKind::Command => (format!("command:{name}"), format!("{root}/{name}")),
            };
            renames.entry(root).or_default().push((key, new));
        }
    }
    let agents_only = groups.iter().all(|g| g[0].kind == ItemKind::Agent);
    let mut text = String::from(if agents_only {
        "install them under different names (`rename`, or `prefix = \"NAME-\"` for every agent of a source), `exclude` all but one, or let the source listed first win (`[install] on-collision = \"first\"`); this in agentpack.toml resolves every collision above (merge it into a `rename` the source already has):"
    } else {
        "install them under different names (`rename`, with `\"skill:NAME\"` and `\"command:NAME\"` keys for skills and commands), or select only one of them (`agents`, `skills`, `commands`); this in agentpack.toml resolves every collision above (merge it into a `rename` the source already has):"
    });
    for (source, entries) in renames {
        text.push_str(&format!("\n[sources.{source}.rename]"));
        for (key, new) in entries {
            text.push_str(&format!(
                "\n{} = {}",
                toml::Value::String(key),
                toml::Value::String(new)
            ));
        }
    }
    text
}
