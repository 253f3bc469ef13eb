//! A plugin's manifest: `.claude-plugin/plugin.json` merged with its marketplace entry, giving the folders
//! (or files) that hold its agents, commands and skills, and what else it ships that agentpack does not
//! install (hooks, MCP and LSP servers, monitors, output styles), so each can be reported by name.
//!
//! - `strict` (the default): `plugin.json` must exist; each component list is `plugin.json`'s paths
//!   followed by the entry's (both "add" and "replace" readings of Claude Code's documentation take the
//!   listed paths), and the default folder (`agents/`, `commands/`, `skills/`) when neither lists any.
//! - `strict: false`: the entry is the whole manifest; a `plugin.json` is not read.
//! - `version` in `plugin.json` wins over the entry's.
//!
//! Paths are relative to the plugin's root and never leave it ([`RepoPath`]).

use serde::Deserialize;
use serde_json::{Map, Value};

use super::marketplace::PluginEntry;
use super::{CatalogError, ErrorKind, JsonFile, MAX_COMPONENT_PATHS, RepoPath};
use crate::diag::{Diagnostic, Location};

/// Where a plugin's manifest is, inside the plugin.
pub const PLUGIN_JSON: &str = ".claude-plugin/plugin.json";

/// The agent, command and skill paths one manifest (a `plugin.json` or an entry) lists, and the kinds
/// of component it declares that agentpack does not install.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentFields {
    pub agents: Option<Vec<RepoPath>>,
    pub commands: Option<Vec<RepoPath>>,
    pub skills: Option<Vec<RepoPath>>,
    pub shipped: Vec<ShippedKind>,
}

/// What a plugin may ship that agentpack does not install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ShippedKind {
    Hooks,
    McpServers,
    LspServers,
    Monitors,
    OutputStyles,
}

impl ShippedKind {
    const ALL: [ShippedKind; 5] = [
        ShippedKind::Hooks,
        ShippedKind::McpServers,
        ShippedKind::LspServers,
        ShippedKind::Monitors,
        ShippedKind::OutputStyles,
    ];

    /// The manifest field that declares it.
    pub fn field(self) -> &'static str {
        match self {
            ShippedKind::Hooks => "hooks",
            ShippedKind::McpServers => "mcpServers",
            ShippedKind::LspServers => "lspServers",
            ShippedKind::Monitors => "monitors",
            ShippedKind::OutputStyles => "outputStyles",
        }
    }

    /// Where it is by default in a plugin: a file, or a folder (ending in `/`).
    pub fn default_path(self) -> &'static str {
        match self {
            ShippedKind::Hooks => "hooks/hooks.json",
            ShippedKind::McpServers => ".mcp.json",
            ShippedKind::LspServers => ".lsp.json",
            ShippedKind::Monitors => "monitors/",
            ShippedKind::OutputStyles => "output-styles/",
        }
    }

    /// The words in a warning.
    pub fn noun(self) -> &'static str {
        match self {
            ShippedKind::Hooks => "hooks",
            ShippedKind::McpServers => "MCP servers",
            ShippedKind::LspServers => "LSP servers",
            ShippedKind::Monitors => "monitors",
            ShippedKind::OutputStyles => "output styles",
        }
    }
}

/// One thing a plugin ships that is not installed, and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    pub kind: ShippedKind,
    /// `hooks/hooks.json`, or `the `hooks` field of plugin.json`.
    pub via: String,
}

impl Shipped {
    /// The warning reported for plugin `plugin`.
    pub fn warning(&self, plugin: &str) -> Diagnostic {
        Diagnostic::warning(
            "plugin-not-installed",
            format!(
                "plugin `{plugin}` ships {} ({}): not installed",
                self.kind.noun(),
                self.via
            ),
        )
        .with_hint("agentpack installs a plugin's agents, commands and skills only; install the plugin with Claude Code's `/plugin` to use the rest")
    }
}

/// A plugin ready to be read: its folders relative to the plugin's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    pub name: String,
    pub version: Option<String>,
    pub agents: Vec<RepoPath>,
    pub commands: Vec<RepoPath>,
    pub skills: Vec<RepoPath>,
    pub shipped: Vec<Shipped>,
}

#[derive(Deserialize)]
struct RawPluginJson {
    name: String,
    #[serde(default)]
    version: Option<Value>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// The plugin of `entry`, from its `plugin.json` (label and bytes, None when the plugin has none) and
/// `files`, every file path in the plugin relative to its root (to find hooks and the like at their
/// default places).
pub fn read(
    entry: &PluginEntry,
    plugin_json: Option<(&str, &[u8])>,
    files: &[&str],
) -> Result<Plugin, CatalogError> {
    let detail = entry.detail().map_err(Clone::clone)?;
    let mut manifests = Vec::new();
    let mut version = None;
    if entry.strict {
        let Some((label, bytes)) = plugin_json else {
            return Err(CatalogError {
                kind: ErrorKind::PluginJsonMissing {
                    plugin: entry.name.clone(),
                },
                diagnostic: Box::new(Diagnostic::error(
                    "plugin-json-missing",
                    format!("plugin `{}` has no `{PLUGIN_JSON}`", entry.name),
                )
                .at(Location::file(entry.label.clone()))
                .with_hint("a marketplace entry without a plugin.json must say `\"strict\": false`; ask the marketplace's author to fix it")),
            });
        };
        let file = JsonFile::new(label, bytes)?;
        let raw: RawPluginJson =
            file.parse("fix `plugin.json`; it must be a JSON object with a `name`")?;
        if let Some(problem) = super::kebab_name_problem(&raw.name) {
            return Err(file.error(
                &format!("plugin `{}`: `name` `{}` in plugin.json {problem}", entry.name, raw.name),
                None,
                "a plugin name is kebab-case, like `code-review`; ask the plugin's author to fix it",
            ));
        }
        version = text(raw.version.as_ref());
        let fields = component_fields(&raw.rest)
            .map_err(|m| file.error(&format!("plugin `{}`: {m}", entry.name), None, PATH_HINT))?;
        manifests.push((fields, format!("of {PLUGIN_JSON}")));
    }
    manifests.push((
        detail.fields.clone(),
        "of its marketplace entry".to_string(),
    ));
    Ok(Plugin {
        name: entry.name.clone(),
        version: version.or_else(|| entry.version.clone()),
        agents: merged(&manifests, |f| &f.agents, "agents"),
        commands: merged(&manifests, |f| &f.commands, "commands"),
        skills: merged(&manifests, |f| &f.skills, "skills"),
        shipped: shipped(&manifests, files),
    })
}

const PATH_HINT: &str = "component paths are relative to the plugin, like `./agents` or `[\"./skills/pdf\"]`; ask the author to fix them";

/// The text of an optional scalar field that should be text (a number is kept as written).
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The listed paths of one component across the manifests, in order and without repeats, or the default
/// folder when none lists any.
fn merged(
    manifests: &[(ComponentFields, String)],
    field: impl Fn(&ComponentFields) -> &Option<Vec<RepoPath>>,
    default: &str,
) -> Vec<RepoPath> {
    let mut out: Vec<RepoPath> = Vec::new();
    let mut listed = false;
    for (fields, _) in manifests {
        if let Some(paths) = field(fields) {
            listed = true;
            for p in paths {
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
        }
    }
    if !listed {
        out.push(RepoPath::parse(default).expect("a default folder is a valid path"));
    }
    out
}

/// What the manifests declare and what sits at the default places, one entry per kind and place.
fn shipped(manifests: &[(ComponentFields, String)], files: &[&str]) -> Vec<Shipped> {
    let mut out = Vec::new();
    for kind in ShippedKind::ALL {
        for (fields, manifest) in manifests {
            if fields.shipped.contains(&kind) {
                out.push(Shipped {
                    kind,
                    via: format!("the `{}` field {manifest}", kind.field()),
                });
            }
        }
        let place = kind.default_path();
        let present = match place.strip_suffix('/') {
            Some(_) => files.iter().any(|f| f.starts_with(place)),
            None => files.contains(&place),
        };
        if present {
            out.push(Shipped {
                kind,
                via: format!("`{place}`"),
            });
        }
    }
    out
}

/// The component fields of a manifest object. An error message names the field and the path.
pub(crate) fn component_fields(map: &Map<String, Value>) -> Result<ComponentFields, String> {
    let paths = |key: &str| -> Result<Option<Vec<RepoPath>>, String> {
        let written: Vec<&str> = match map.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str())
                .collect::<Option<_>>()
                .ok_or_else(|| format!("`{key}` must be a path or a list of paths"))?,
            Some(_) => return Err(format!("`{key}` must be a path or a list of paths")),
        };
        if written.len() > MAX_COMPONENT_PATHS {
            return Err(format!(
                "`{key}` lists more than {MAX_COMPONENT_PATHS} paths"
            ));
        }
        written
            .into_iter()
            .map(|w| RepoPath::parse(w).map_err(|why| format!("`{key}` path `{w}` {why}")))
            .collect::<Result<_, _>>()
            .map(Some)
    };
    Ok(ComponentFields {
        agents: paths("agents")?,
        commands: paths("commands")?,
        skills: paths("skills")?,
        shipped: ShippedKind::ALL
            .into_iter()
            .filter(|k| map.get(k.field()).is_some_and(|v| !v.is_null()))
            .collect(),
    })
}
