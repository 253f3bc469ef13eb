//! A marketplace: `.claude-plugin/marketplace.json` at the root of a repository, listing plugins by name.
//!
//! The file as a whole must be sound (JSON of the right shape, a kebab-case `name`, at most
//! [`MAX_PLUGINS`] plugins); a problem in one plugin's entry (its name, `source` or component paths,
//! or a name listed twice) is kept with that entry and reported only when the plugin is selected, so one
//! bad or unsupported entry in a catalogue of hundreds does not block the others.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::plugin::{ComponentFields, component_fields, text};
use super::source::{self, PluginSource};
use super::{CatalogError, ErrorKind, JsonFile, MAX_PLUGINS, RepoPath, kebab_name_problem};

/// Where a marketplace's manifest is, in its repository.
pub const MARKETPLACE_JSON: &str = ".claude-plugin/marketplace.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marketplace {
    pub name: String,
    pub plugins: Vec<PluginEntry>,
}

impl Marketplace {
    /// The entry named `name`.
    pub fn plugin(&self, name: &str) -> Option<&PluginEntry> {
        self.plugins.iter().find(|p| p.name == name)
    }
}

/// One plugin of a marketplace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginEntry {
    pub name: String,
    pub version: Option<String>,
    /// `strict` (default true): the plugin's own `plugin.json` is its manifest.
    pub strict: bool,
    /// The marketplace file's label, for messages about this entry.
    pub label: String,
    detail: Result<EntryDetail, CatalogError>,
}

/// Where an entry's plugin comes from and what its component fields list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDetail {
    pub source: PluginSource,
    pub fields: ComponentFields,
}

impl PluginEntry {
    /// The entry's source and fields, or the error that makes this plugin unusable (reported when the
    /// user selects it).
    pub fn detail(&self) -> Result<&EntryDetail, &CatalogError> {
        self.detail.as_ref()
    }
}

#[derive(Deserialize)]
struct RawMarketplace {
    name: String,
    plugins: Vec<RawEntry>,
    #[serde(default)]
    metadata: Option<RawMetadata>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(rename = "pluginRoot", default)]
    plugin_root: Option<String>,
}

#[derive(Deserialize)]
struct RawEntry {
    name: String,
    source: Value,
    #[serde(default)]
    strict: Option<bool>,
    #[serde(default)]
    version: Option<Value>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

const HINT: &str = "fix `marketplace.json`: an object with `name` and a `plugins` list of `{\"name\", \"source\"}` entries";

/// Read a marketplace from `bytes`, the file labelled `label` in messages.
pub fn parse(label: &str, bytes: &[u8]) -> Result<Marketplace, CatalogError> {
    let file = JsonFile::new(label, bytes)?;
    let raw: RawMarketplace = file.parse(HINT)?;
    if let Some(problem) = kebab_name_problem(&raw.name) {
        return Err(file.error(
            &format!("marketplace name `{}` {problem}", raw.name),
            file.name_positions(0).get(&raw.name).copied(),
            "a marketplace name is kebab-case, like `acme-tools`; ask its author to fix it",
        ));
    }
    if raw.plugins.len() > MAX_PLUGINS {
        return Err(file.error(
            &format!(
                "the marketplace lists {} plugins; agentpack reads at most {MAX_PLUGINS}",
                raw.plugins.len()
            ),
            None,
            "ask the marketplace's author to split it",
        ));
    }
    let root = match raw.metadata.and_then(|m| m.plugin_root) {
        Some(written) => RepoPath::parse(&written).map_err(|why| {
            file.error(
                &format!("`metadata.pluginRoot` `{written}` {why}"),
                None,
                HINT,
            )
        })?,
        None => RepoPath::root(),
    };
    // Plugin names are searched for after the `plugins` key, not in the marketplace's own `name`.
    let plugins_at = file.text.find("\"plugins\"").unwrap_or(0);
    let positions = file.name_positions(plugins_at);
    let mut plugins: Vec<PluginEntry> = Vec::with_capacity(raw.plugins.len());
    let mut seen = std::collections::HashSet::new();
    for raw_entry in raw.plugins {
        let at = positions.get(&raw_entry.name).copied();
        let duplicate = !seen.insert(raw_entry.name.clone());
        let detail = entry_detail(&raw_entry, &root, duplicate).map_err(|(kind, message, hint)| {
            let code = match kind {
                ErrorKind::UnsupportedSource { .. } => "plugin-source-unsupported",
                _ => "catalog-invalid",
            };
            CatalogError {
                kind,
                diagnostic: Box::new(file.diagnostic(code, &message, at, hint)),
            }
        });
        plugins.push(PluginEntry {
            name: raw_entry.name,
            version: text(raw_entry.version.as_ref()),
            strict: raw_entry.strict.unwrap_or(true),
            label: label.to_string(),
            detail,
        });
    }
    Ok(Marketplace {
        name: raw.name,
        plugins,
    })
}

type EntryProblem = (ErrorKind, String, &'static str);

fn entry_detail(
    raw: &RawEntry,
    root: &RepoPath,
    duplicate: bool,
) -> Result<EntryDetail, EntryProblem> {
    let invalid = |message: String| {
        (
            ErrorKind::Invalid,
            message,
            "ask the marketplace's author to fix the entry",
        )
    };
    if let Some(problem) = kebab_name_problem(&raw.name) {
        return Err(invalid(format!("plugin name `{}` {problem}", raw.name)));
    }
    if duplicate {
        return Err(invalid(format!(
            "plugin `{}` is listed more than once, so agentpack cannot tell which is meant",
            raw.name
        )));
    }
    let source = source::parse(&raw.source, root).map_err(|p| p.describe(&raw.name))?;
    let fields =
        component_fields(&raw.rest).map_err(|m| invalid(format!("plugin `{}`: {m}", raw.name)))?;
    Ok(EntryDetail { source, fields })
}
