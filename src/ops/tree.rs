//! `agentpack tree`: the locked sources, the agents, skills and commands each installed, and which pack pulled in which source.
//! Reads only the manifest and the lock.

use serde::Serialize;

use crate::error::Result;
use crate::lockfile::{LOCK_NAME, Lockfile, RefJson};
use crate::manifest::{Manifest, ManifestPath};
use crate::names::Commit;
use crate::ops::update::label;

#[derive(Debug, Clone, Serialize)]
pub struct TreeSource {
    /// `studio`, or `studio/helpers` for a source the pack of `studio` pulled in.
    pub name: String,
    /// `v1.2.0 (abc1234)`, `main (abc1234)`, `path ../x (sha256:…)`: for the text tree.
    #[serde(skip)]
    pub version: String,
    #[serde(rename = "ref")]
    pub reference: RefJson,
    /// The full commit id, for git sources.
    pub commit: Option<Commit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub agents: Vec<TreeAgent>,
    /// Skills (`file` is the installed folder) and commands; absent from JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<TreeAgent>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<TreeAgent>,
    /// Sources this one's pack pulled in.
    pub sources: Vec<TreeSource>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TreeAgent {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_name: Option<String>,
    pub file: String,
}

pub fn tree(manifest_path: &ManifestPath) -> Result<Vec<TreeSource>> {
    let manifest = Manifest::load(manifest_path)?;
    let Some(lock) = Lockfile::load(&manifest.root.join(LOCK_NAME))? else {
        return Ok(Vec::new());
    };
    Ok(children(&lock, None))
}

fn children(lock: &Lockfile, parent: Option<&str>) -> Vec<TreeSource> {
    lock.sources
        .iter()
        .filter(|s| s.required_by.as_deref() == parent)
        .map(|s| TreeSource {
            name: s.name.clone(),
            version: label(s),
            reference: s.ref_json(),
            commit: s.commit(),
            git: s.git().map(|url| url.written.clone()),
            path: s.path().map(str::to_string),
            agents: lock
                .agents
                .iter()
                .filter(|a| a.source == s.name)
                .map(|a| TreeAgent {
                    name: a.name.to_string(),
                    original_name: a.original_name.clone(),
                    file: a.file.clone(),
                })
                .collect(),
            skills: (lock.skills.iter().filter(|k| k.source == s.name))
                .map(|k| TreeAgent {
                    name: k.name.clone(),
                    original_name: k.original_name.clone(),
                    file: k.dir.clone(),
                })
                .collect(),
            commands: (lock.commands.iter().filter(|c| c.source == s.name))
                .map(|c| TreeAgent {
                    name: c.name.clone(),
                    original_name: c.original_name.clone(),
                    file: c.file.clone(),
                })
                .collect(),
            sources: children(lock, Some(&s.name)),
        })
        .collect()
}

/// The tree as text, one line per source and agent, drawn like `cargo tree`.
pub fn render(sources: &[TreeSource]) -> String {
    let mut out = String::new();
    for source in sources {
        out.push_str(&format!("{} {}\n", source.name, source.version));
        render_children(source, "", &mut out);
    }
    out
}

fn render_children(source: &TreeSource, indent: &str, out: &mut String) {
    let kinds = [
        ("agent", &source.agents),
        ("skill", &source.skills),
        ("command", &source.commands),
    ];
    let lines: Vec<(String, Option<&TreeSource>)> = (kinds.iter())
        .flat_map(|(kind, items)| items.iter().map(move |a| (kind, a)))
        .map(|(kind, a)| {
            let renamed = a
                .original_name
                .as_ref()
                .map(|o| format!(" (renamed from {o})"))
                .unwrap_or_default();
            (format!("{kind} {}{renamed}", a.name), None)
        })
        .chain(
            source
                .sources
                .iter()
                .map(|s| (format!("{} {}", s.name, s.version), Some(s))),
        )
        .collect();
    for (i, (line, child)) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        out.push_str(&format!(
            "{indent}{}{line}\n",
            if last { "└── " } else { "├── " }
        ));
        if let Some(child) = child {
            let deeper = format!("{indent}{}", if last { "    " } else { "│   " });
            render_children(child, &deeper, out);
        }
    }
}
