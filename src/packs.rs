//! Agents of packs: gathering the agents of every resolved source — the manifest's own and those that packs
//! pulled in — into one list to install.
//!
//! Each source first selects its agents with its own `agents`/`exclude`/`rename` (a pack's sources with the
//! pack's manifest). Then the top-level source a pack was reached through has the last word over everything
//! the pack brought in: its `exclude` entries (names) drop nested agents too, and a `rename` key naming a
//! nested agent renames it. Its `agents` list picks only among its own files. The same file reached
//! through two packs (a diamond) is installed once; anything else that lands on one name is a collision,
//! exactly as between top-level sources, unless `[install] on-collision = "first"` lets the source listed
//! first win ([`first_wins`]).
//!
//! Plugins ([`crate::resolve::plugins`]) are installed whole: every agent, skill and command of each
//! selected plugin's folders, marked with the plugin. A marketplace's relative plugins are parts of its
//! own commit and a plugin pinned elsewhere is a child source whose only files are its plugin's; either
//! way a plugin's agents are brought in like a pack's, so the marketplace's `exclude` and `rename` reach
//! them, while its own `agents`/`skills`/`commands` keys pick only outside its plugins.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Location};
use crate::frontmatter;
use crate::install::{Item, Places};
use crate::kinds::Layout;
use crate::lockfile::SkippedAgent;
use crate::manifest::Pattern;
use crate::names::{SourceName, is_path_like};
use crate::resolve::Resolved;
use crate::select::items::{Picked, SelectedCommand, SelectedSkill, pick};
use crate::select::{self, SelectedAgent};
use crate::source::Snapshot;

/// What selection found across all sources.
#[derive(Debug, Default)]
pub struct Gathered {
    /// Sorted by installed file.
    pub placed: Vec<Item>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files passed over as documentation or skipped, with the reason (for `-v`).
    pub passed_over: Vec<(String, String)>,
}

pub fn gather(resolved: Vec<Resolved>, places: &Places, strict: bool) -> Gathered {
    let mut out = Gathered::default();
    // Skills and commands: each source's own keys pick them (a pack's sources with the pack's manifest),
    // and each selected plugin brings all of its own.
    let mut skills: Vec<(SelectedSkill, Option<String>)> = Vec::new();
    let mut commands: Vec<(SelectedCommand, Option<String>)> = Vec::new();
    for r in &resolved {
        let selection = &r.spec.selection;
        let own = pick(
            &r.snapshot,
            &r.spec,
            selection.skills.as_deref(),
            selection.commands.as_deref(),
            strict,
        );
        out.diagnostics.extend(own.diagnostics);
        skills.extend(own.skills.into_iter().map(|s| (s, None)));
        commands.extend(own.commands.into_iter().map(|c| (c, None)));
        for (picked, plugin) in plugin_skills_and_commands(r, strict, &mut out) {
            let of = || Some(plugin.clone());
            skills.extend(picked.skills.into_iter().map(|s| (s, of())));
            commands.extend(picked.commands.into_iter().map(|c| (c, of())));
        }
    }
    let (mut nested, top): (Vec<Resolved>, Vec<Resolved>) = resolved
        .into_iter()
        .partition(|r| r.spec.name.parent().is_some());

    let mut by_root: BTreeMap<String, Vec<SelectedAgent>> = BTreeMap::new();
    for r in &mut nested {
        let mut agents = plugin_agents(r, strict, &mut out);
        if takes_own_agents(r) {
            agents.extend(out.take(select::select(r, strict)));
        }
        by_root
            .entry(r.spec.name.root().to_string())
            .or_default()
            .extend(agents);
    }

    let mut agents = Vec::new();
    // Every file of every top-level source is parsed in one batch, not one source after another. One
    // `ParsedFiles` per source, zipped with it: a source cannot be handed another's. (A plugin's child
    // source, which takes no agents of its own, is never top-level: its name has a parent.)
    let parsed = select::parse_agent_files(&top);
    for (mut r, parsed) in top.into_iter().zip(parsed) {
        // A marketplace's relative plugins are brought in like a pack's agents: the source's `exclude`
        // names and `rename` keys reach them, its `agents` list does not.
        let mut nested = by_root.remove(r.spec.name.as_str()).unwrap_or_default();
        nested.extend(plugin_agents(&r, strict, &mut out));
        agents.extend(overrule_nested(&mut r, nested, &mut out.diagnostics));
        if takes_own_agents(&r) {
            let selection = select::select_parsed(&mut r, strict, parsed);
            let failed = selection.diagnostics.iter().any(Diagnostic::is_error);
            let own = out.take(selection);
            if own.is_empty() && !failed {
                out.diagnostics.extend(only_other_kinds(&r));
            }
            agents.extend(own);
        }
    }
    let items = (agents.into_iter())
        .map(|a| Item::agent(a, &places.agents))
        .chain((skills.into_iter()).flat_map(|(s, plugin)| Item::skill(s, &places.skills, plugin)))
        .chain(
            (commands.into_iter()).map(|(c, plugin)| Item::command(c, &places.commands, plugin)),
        );
    out.placed = place(items);
    out
}

/// A source with no `agents`, `skills` or `commands` key takes agents only: when it has none, but has
/// skills or commands, a newcomer who ran `agentpack add SOURCE` would otherwise see `0 installed` and no
/// reason. The warning names what the source has and the key (or `add` flag) that takes it.
fn only_other_kinds(r: &Resolved) -> Option<Diagnostic> {
    let selection = &r.spec.selection;
    if !selection.agents.is_empty()
        || !selection.exclude.is_empty()
        || selection.skills.is_some()
        || selection.commands.is_some()
        || !selection.plugins.is_empty()
        || !r.plugins.is_empty()
    {
        return None;
    }
    let layout = crate::kinds::Layout::of(r.snapshot.files.iter().map(|f| f.path.as_str()));
    let skills = layout.skills.len();
    let commands = layout.commands.len();
    let has = match (skills, commands) {
        (0, 0) => return None,
        (n, 0) => crate::diag::plural(n, "skill"),
        (0, n) => crate::diag::plural(n, "command"),
        (s, c) => format!(
            "{} and {}",
            crate::diag::plural(s, "skill"),
            crate::diag::plural(c, "command")
        ),
    };
    let name = &r.spec.name;
    // The snapshot holds no `marketplace.json` (only what may be installed): the hint names the
    // `plugins` key too, for a marketplace's skills and commands.
    Some(
        Diagnostic::warning(
            "no-agents",
            format!("source `{name}` has no agents, only {has}, and installs skills and commands only when its `skills` or `commands` key names them"),
        )
        .with_hint(format!("add `skills = [\"*\"]` or `commands = [\"*\"]` (or names) to [sources.{name}] in agentpack.toml, or run `agentpack add SOURCE --skill NAME` / `--command NAME`; for a plugin marketplace, `plugins = [\"*\"]` or `--plugin NAME`"))
    )
}

impl Gathered {
    /// Keep what a selection reports; return its agents.
    fn take(&mut self, selection: select::SourceSelection) -> Vec<SelectedAgent> {
        self.passed_over.extend(selection.passed_over);
        self.diagnostics.extend(selection.diagnostics);
        selection.agents
    }
}

/// Does `r` install agents of its own? Not the child source of a plugin: only the plugin's folders
/// are (a source's keys, [`Selection::takes_agents`](crate::manifest::Selection::takes_agents), decide
/// for the others).
fn takes_own_agents(r: &Resolved) -> bool {
    r.plugin.is_none()
}

/// Every agent of the plugins whose files are in `r`: all the agent files of each plugin's agent
/// folders, checked as any agent of `r` is (its trust gate included), and marked with the plugin.
fn plugin_agents(r: &Resolved, strict: bool, out: &mut Gathered) -> Vec<SelectedAgent> {
    let mut agents = Vec::new();
    for part in &r.plugins {
        let mut view = part_view(r, |path| part.has_agent(path));
        for mut agent in out.take(select::select(&mut view, strict)) {
            agent.plugin = Some(part.name.clone());
            agents.push(agent);
        }
    }
    agents
}

/// Every skill and command of the plugins whose files are in `r` (all of each plugin's skill and
/// command folders, checked through `r`'s trust gate), with the plugin each belongs to.
fn plugin_skills_and_commands(
    r: &Resolved,
    strict: bool,
    out: &mut Gathered,
) -> Vec<(Picked, String)> {
    let all = [Pattern::parse("*").expect("a valid glob")];
    let mut picked = Vec::new();
    for part in &r.plugins {
        let view = part_view(r, |path| part.has_skill_or_command(path));
        let layout = Layout::of(view.snapshot.files.iter().map(|f| f.path.as_str()));
        // `["*"]` over a kind the plugin does not have would be an entry that picks nothing.
        let some = |any: bool| any.then_some(&all[..]);
        let mut found = pick(
            &view.snapshot,
            &view.spec,
            some(!layout.skills.is_empty()),
            some(!layout.commands.is_empty()),
            strict,
        );
        out.diagnostics.append(&mut found.diagnostics);
        picked.push((found, part.name.clone()));
    }
    picked
}

/// `r` narrowed to its files whose path (relative to the searched directory) `keep` accepts, with
/// no selection keys of its own: what one plugin of `r` holds.
fn part_view(r: &Resolved, keep: impl Fn(&str) -> bool) -> Resolved {
    Resolved {
        spec: crate::manifest::SourceSpec {
            selection: crate::manifest::Selection::default(),
            ..r.spec.clone()
        },
        pin: r.pin.clone(),
        snapshot: Snapshot {
            files: (r.snapshot.files.iter())
                .filter(|f| keep(&f.path))
                .cloned()
                .collect(),
            skipped: Vec::new(),
        },
        newer_incompatible: None,
        plugins: Vec::new(),
        plugin: None,
    }
}

/// The top-level source `top` has the last word over the agents its packs brought in (`nested`): its
/// `exclude` names drop them, its `rename` keys naming them rename them (and are taken out of `top`'s
/// own selection, which would look for them among its files). Returns the nested agents kept.
fn overrule_nested(
    top: &mut Resolved,
    nested: Vec<SelectedAgent>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<SelectedAgent> {
    let names_nested = |key: &str| {
        !is_path_like(key)
            && nested
                .iter()
                .any(|a| a.installed_name == key || a.original_name == key)
    };
    let for_nested: BTreeMap<String, String> = top
        .spec
        .selection
        .rename
        .iter()
        .filter(|(key, _)| names_nested(key))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    top.spec
        .selection
        .rename
        .retain(|key, _| !for_nested.contains_key(key));
    let exclude = &top.spec.selection.exclude;
    let mut kept = Vec::new();
    for mut agent in nested {
        let dropped = exclude.iter().any(|p| {
            !p.by_path
                && (p.matches(&agent.installed_name, "") || p.matches(&agent.original_name, ""))
        });
        if dropped {
            continue;
        }
        let new_name = for_nested
            .get(&agent.installed_name)
            .or_else(|| for_nested.get(&agent.original_name));
        if let Some(new_name) = new_name {
            match frontmatter::rename(&agent.bytes, new_name) {
                Ok(bytes) => {
                    agent.set_bytes(bytes);
                    agent.installed_name = new_name.clone();
                }
                Err(reason) => {
                    diagnostics.push(
                        Diagnostic::error(
                            "rename-failed",
                            format!("cannot rename `{}`: {reason}", agent.installed_name),
                        )
                        .at(Location::file(format!(
                            "{}:{}",
                            agent.source, agent.repo_path
                        ))),
                    );
                    continue;
                }
            }
        }
        kept.push(agent);
    }
    kept
}

/// The items to install, sorted by file. A diamond reaches one file twice: same name, same bytes,
/// same path; it is installed once.
fn place(items: impl Iterator<Item = Item>) -> Vec<Item> {
    let mut sorted: Vec<Item> = items.collect();
    // Stable: of the copies of one file, the first reached stays first.
    sorted.sort_by_cached_key(|item| crate::fsutil::path_order_key(&item.file));
    let mut placed: Vec<Item> = Vec::with_capacity(sorted.len());
    for item in sorted {
        // Copies have one file, so they are side by side now: compared without copying a key.
        let copy = (placed.iter().rev())
            .take_while(|p| p.file == item.file)
            .any(|p| {
                (p.kind, &p.installed_name, &p.repo_path, &p.sha256)
                    == (
                        item.kind,
                        &item.installed_name,
                        &item.repo_path,
                        &item.sha256,
                    )
            });
        if !copy {
            placed.push(item);
        }
    }
    placed
}

/// `[install] on-collision = "first"`: of agents landing on one name (compared ignoring case and Unicode
/// normalisation, as [`crate::install::collisions`] does), keep the one whose top-level source `order` lists first (a
/// source's own agents before those its pack pulled in) and drop the others, returned for the lock.
/// A tie (two files of one source) is left in place, for `collisions` to report.
pub fn first_wins(placed: &mut Vec<Item>, order: &[SourceName]) -> Vec<SkippedAgent> {
    let rank = |source: &str| {
        let root = crate::names::root_source(source);
        let position = order
            .iter()
            .position(|s| s.as_str() == root)
            .unwrap_or(usize::MAX);
        (position, source.matches('/').count())
    };
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // Only agents: two skills or commands of one name stay a collision.
    let agents = placed.iter().enumerate();
    for (i, p) in agents.filter(|(_, p)| p.kind == crate::install::ItemKind::Agent) {
        groups
            .entry(crate::names::file_name_key(&p.installed_name))
            .or_default()
            .push(i);
    }
    let mut dropped = BTreeSet::new();
    let mut skipped = Vec::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let best = members
            .iter()
            .map(|&i| rank(&placed[i].source))
            .min()
            .expect("a group has members");
        let winners: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| rank(&placed[i].source) == best)
            .collect();
        let [winner] = winners[..] else {
            continue;
        };
        for &i in members.iter().filter(|&&i| i != winner) {
            dropped.insert(i);
            skipped.push(SkippedAgent {
                name: placed[i].installed_name.clone(),
                source: placed[i].source.clone(),
                path: placed[i].repo_path.clone(),
                installed_from: placed[winner].source.clone(),
            });
        }
    }
    let mut i = 0;
    placed.retain(|_| {
        i += 1;
        !dropped.contains(&(i - 1))
    });
    skipped
}
