//! `agentpack remove NAME`: take a source, or a single agent, out of agentpack.toml, then install, which
//! uninstalls what was dropped (only files agentpack installed and that are unmodified, as always).
//!
//! NAME is looked up first among the manifest's sources (the whole `[sources.NAME]` table goes), then
//! among the installed agents (by installed name, through the lock). For an agent, the edit is the one a
//! reader of the manifest expects: if the source's `agents` list names it, that entry is removed (and the
//! whole source when it was the last entry, since an empty list would mean "every agent"); otherwise its
//! name is added to the source's `exclude`. A `rename` to it is dropped too. An agent a pack pulled in is
//! excluded in the top-level source the pack was reached through; agents of that name that
//! `on-collision = "first"` skipped are excluded from their sources too. The `[patches]` entries (and
//! patch files) of the agents that go are removed with them.
//!
//! As with `add`, the manifest is written only after the install succeeded.

use crate::edit::ManifestEdit;
use crate::error::{Error, Result};
use crate::lockfile::{self, Lockfile};
use crate::manifest::{Manifest, ManifestPath, PatchSpec};
use crate::ops::install::{InstallOptions, InstallSummary, install_manifest};
use crate::reporter::Reporter;
use crate::source::git::Cache;

/// Take the agent installed as `installed` (`original` in its source, at `path`) out of top-level
/// `source`: its `agents` entry goes (the whole source, when it was the only one), else it is excluded.
fn drop_agent(
    edit: &mut ManifestEdit,
    source: &str,
    installed: &str,
    original: &str,
    path: &str,
) -> Removal {
    edit.drop_rename_to(source, installed);
    let listed = edit.agents(source);
    let entry = listed
        .iter()
        .find(|e| **e == original || **e == installed || **e == path)
        .cloned();
    let (agent, source) = (installed.to_string(), source.to_string());
    match entry {
        Some(_) if listed.len() == 1 => {
            edit.remove_source(&source);
            Removal::LastAgent { agent, source }
        }
        Some(entry) => {
            edit.drop_agent_entry(&source, &entry);
            Removal::AgentEntry { agent, source }
        }
        None => {
            edit.exclude(&source, original);
            Removal::Excluded {
                agent: original.to_string(),
                source,
            }
        }
    }
}

/// What the edit was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removal {
    /// `[sources.NAME]` was deleted.
    Source(String),
    /// The agent's entry was removed from the source's `agents`.
    AgentEntry { agent: String, source: String },
    /// The agent's name in its source was added to the source's `exclude`.
    Excluded { agent: String, source: String },
    /// The agent was the last entry of the source's `agents`: the source was deleted.
    LastAgent { agent: String, source: String },
}

#[derive(Debug)]
pub struct Removed {
    pub removal: Removal,
    /// Agents of that name `on-collision = "first"` had skipped, dropped from their sources too.
    pub also: Vec<Removal>,
    /// `(agent, patch file)` of the `[patches]` of the agents that went, deleted with their entries.
    pub patches: Vec<(String, String)>,
    pub summary: InstallSummary,
}

/// Take `name` (a source, else an installed agent) out of agentpack.toml and install; the manifest is
/// written, and the dropped patches deleted, only once the install succeeded.
pub fn remove(
    manifest_path: &ManifestPath,
    name: &str,
    options: InstallOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Removed> {
    let current = Manifest::load(manifest_path)?;
    let text = std::fs::read_to_string(manifest_path)
        .map_err(|e| Error::io("read", &manifest_path.path, e))?;
    let mut edit = ManifestEdit::parse(manifest_path, &text)?;
    let lock = Lockfile::load(&current.root.join(lockfile::LOCK_NAME))?;

    let (removal, also) = if current.source(name).is_some() {
        edit.remove_source(name);
        (Removal::Source(name.to_string()), Vec::new())
    } else {
        remove_agent(&mut edit, &current, lock.as_ref(), name)?
    };
    // The local patches of what goes: their entries now, their files once the install succeeded.
    let dropped_patches = patches_of(&current, lock.as_ref(), &removal, name);
    for patch in &dropped_patches {
        edit.remove_patch(&patch.agent);
    }
    let new_text = edit.to_string();
    let manifest = Manifest::parse(manifest_path, &new_text)?;
    let resolve = options.fetch.resolve();
    let done = install_manifest(&manifest, options, resolve, false, cache, reporter)?;
    crate::fsutil::write_atomic(manifest_path, new_text.as_bytes())?;
    for patch in &dropped_patches {
        let _ = std::fs::remove_file(&patch.file);
    }
    Ok(Removed {
        removal,
        also,
        patches: dropped_patches
            .iter()
            .map(|p| (p.agent.clone(), p.written.clone()))
            .collect(),
        summary: done.summary,
    })
}

/// The edit that takes the installed agent `name` out, and those of the agents of that name that
/// `on-collision = "first"` skipped (which would otherwise take its place).
fn remove_agent(
    edit: &mut ManifestEdit,
    current: &Manifest,
    lock: Option<&Lockfile>,
    name: &str,
) -> Result<(Removal, Vec<Removal>)> {
    let agent = lock.and_then(|l| l.agents.iter().find(|a| a.name == name));
    if let (None, Some(error)) = (agent, lock.and_then(|l| not_an_agent(l, name))) {
        return Err(error);
    }
    let agent = agent.ok_or_else(|| Error::Usage {
        message: format!("`{name}` is neither a source in agentpack.toml nor an installed agent"),
        hint: Some(format!(
            "sources: {}; `agentpack list` shows the installed agents",
            current
                .sources
                .iter()
                .map(|s| s.name.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    })?;
    let source = crate::names::root_source(&agent.source);
    let original = agent
        .original_name
        .as_deref()
        .unwrap_or(agent.name.as_str());
    let removal = drop_agent(edit, source, name, original, &agent.path);
    // With `on-collision = "first"`, a later source's agent of that name was skipped and would take the
    // removed one's place: it goes too (by its path, relative to `subdir`).
    let mut also = Vec::new();
    for skipped in lock.iter().flat_map(|l| &l.skipped) {
        if skipped.name != name || skipped.source.contains('/') {
            continue;
        }
        let subdir = current
            .source(&skipped.source)
            .and_then(|s| s.subdir.as_deref());
        let path = subdir
            .and_then(|d| skipped.path.strip_prefix(d)?.strip_prefix('/'))
            .unwrap_or(&skipped.path);
        also.push(drop_agent(edit, &skipped.source, name, path, path));
    }
    Ok((removal, also))
}

/// The `[patches]` entries of the agents `removal` takes out (`name` as the user named it).
fn patches_of<'m>(
    current: &'m Manifest,
    lock: Option<&Lockfile>,
    removal: &Removal,
    name: &str,
) -> Vec<&'m PatchSpec> {
    let root_of = |agent: &str| {
        lock.and_then(|l| l.agents.iter().find(|a| a.name == agent))
            .map(|a| crate::names::root_source(&a.source))
    };
    (current.patches.iter())
        .filter(|p| match removal {
            Removal::Source(source) | Removal::LastAgent { source, .. } => {
                root_of(&p.agent) == Some(source.as_str())
            }
            Removal::AgentEntry { agent, .. } | Removal::Excluded { agent, .. } => {
                p.agent == *agent || p.agent == name
            }
        })
        .collect()
}

/// The error for a NAME that is an installed skill or command (as `list` shows it, `skill:pdf`, or bare):
/// `remove` takes sources and agents, so it says which list entry to take out instead. Removing the
/// entry itself is left to the user: the last one gone, the source would fall back to installing agents.
fn not_an_agent(lock: &Lockfile, name: &str) -> Option<Error> {
    if let Some(error) = a_plugin(lock, name) {
        return Some(error);
    }
    let (wanted, bare) = match name.split_once(':') {
        Some((kind @ ("skill" | "command"), bare)) => (Some(kind), bare),
        _ => (None, name),
    };
    let skills = (lock.skills.iter()).map(|s| ("skill", &s.name, &s.original_name, &s.source));
    let commands =
        (lock.commands.iter()).map(|c| ("command", &c.name, &c.original_name, &c.source));
    let (kind, _, original, source) = skills
        .chain(commands)
        .find(|(kind, installed, ..)| *installed == bare && wanted.is_none_or(|w| w == *kind))?;
    let original = original.as_deref().unwrap_or(bare);
    let top = crate::names::root_source(source);
    Some(Error::Usage {
        message: format!(
            "`{name}` is a {kind} (`{original}` of source `{source}`); `agentpack remove` takes a source or an agent"
        ),
        hint: Some(if top == source {
            format!(
                "to stop installing it, take `{original}` out of the `{kind}s` list of [sources.{top}] in agentpack.toml and run `agentpack install`; `agentpack remove {top}` removes the whole source"
            )
        } else {
            format!(
                "the pack of [sources.{top}] selects it; `agentpack remove {top}` removes that source"
            )
        }),
    })
}

/// `name` is a plugin some marketplace source installs: `remove` takes sources and agents, so say which
/// `plugins` list to take it out of.
fn a_plugin(lock: &Lockfile, name: &str) -> Option<Error> {
    let from_items = (lock.agents.iter().map(|a| (&a.plugin, &a.source)))
        .chain(lock.skills.iter().map(|s| (&s.plugin, &s.source)))
        .chain(lock.commands.iter().map(|c| (&c.plugin, &c.source)));
    let from_sources = lock.sources.iter().map(|s| (&s.plugin, &s.name));
    let source = from_items
        .chain(from_sources)
        .find_map(|(plugin, source)| (plugin.as_deref() == Some(name)).then_some(source))?;
    let top = crate::names::root_source(source);
    Some(Error::Usage {
        message: format!(
            "`{name}` is a plugin of source `{top}`; `agentpack remove` takes a source or an agent"
        ),
        hint: Some(format!(
            "to stop installing it, take `{name}` out of the `plugins` list of [sources.{top}] in agentpack.toml and run `agentpack install`; `agentpack remove {top}` removes the whole source"
        )),
    })
}
