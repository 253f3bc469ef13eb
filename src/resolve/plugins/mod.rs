//! Plugins of marketplaces, during resolution: a source whose `plugins` key selects plugins has its
//! `.claude-plugin/marketplace.json` read at its resolved commit (at the root of its searched directory),
//! and each selected plugin becomes something to install from:
//!
//! - a **relative** plugin (`"source": "./plugins/x"`) is a folder of the marketplace's own commit: a
//!   [`PluginPart`] of the marketplace's [`Resolved`];
//! - a plugin **pinned elsewhere** (`github`, `url`, `git-subdir`) is a child source named
//!   `<marketplace>/<plugin>`, resolved like a pack's source: `sha` pins it (a `rev`; it moves only when
//!   the marketplace's commit names another `sha`), else `ref` follows a branch or tag, else the default
//!   branch. Its lock entry keeps it where it is until `update`, like any source. The child is not a
//!   pack: its `agentpack.toml`, if any, is not read.
//!
//! Either way the plugin's own manifest (`plugin.json`, unless the entry says `strict: false`) gives its
//! agent, command and skill folders ([`catalog::plugin`]); what it ships that agentpack does not install
//! (hooks, MCP and LSP servers, monitors, output styles) is reported as a `plugin-not-installed` warning.
//!
//! Trust: a marketplace never widens it. A child source gets exactly the `trust` and `allow-unicode` of
//! the marketplace source (so of the user's own manifest entry), and a marketplace fetched over the
//! network may not name a plugin on the local disk (a path, `file://`): only a local marketplace may.
//! An entry agentpack cannot fetch (`npm`, archives) is an error when the user names it, a warning
//! when a glob selects it (so `["*"]` over a catalogue with one npm plugin installs the others), and
//! nothing when it is not selected.

use crate::catalog::marketplace::{self, MARKETPLACE_JSON, Marketplace, PluginEntry};
use crate::catalog::plugin::{self, PLUGIN_JSON, ShippedKind};
use crate::catalog::source::{GitPlugin, PluginSource};
use crate::catalog::{CatalogError, ErrorKind, RepoPath};
use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::lockfile::LockedOrigin;
use crate::manifest::{Pattern, Selection, SourceKind, SourceSpec};
use crate::names::{GitRef, GitUrl, SourceName};

use super::Resolved;
use super::session::Session;
use crate::source::budget::ReadBudget;

/// One selected plugin whose files are in a resolved source: the folders (relative to the source's
/// searched directory) that hold its agents, commands and skills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginPart {
    /// The plugin's name in the marketplace.
    pub name: String,
    /// The plugin's folder.
    pub root: RepoPath,
    /// Its manifest, `.claude-plugin/plugin.json` in `root`, when it has one and it was read.
    pub manifest: Option<RepoPath>,
    pub agents: Vec<RepoPath>,
    pub commands: Vec<RepoPath>,
    pub skills: Vec<RepoPath>,
}

impl PluginPart {
    /// Is the file at `path` (relative to the searched directory) one of the plugin's agent files: a
    /// listed file, or a `.md` file in a listed folder?
    pub fn has_agent(&self, path: &str) -> bool {
        self.agents.iter().any(|p| p.contains(path))
    }

    /// Is the file at `path` in one of the plugin's skill or command folders (or one it lists)?
    pub fn has_skill_or_command(&self, path: &str) -> bool {
        (self.skills.iter().chain(&self.commands)).any(|p| p.contains(path))
    }
}

/// The marketplace entries `patterns` select, in the marketplace's order; a pattern that selects no
/// plugin is an error listing the plugins there are.
pub(super) fn select<'m>(
    market: &'m Marketplace,
    patterns: &[Pattern],
    source: &SourceName,
) -> Result<Vec<&'m PluginEntry>> {
    let unmatched: Vec<&Pattern> = patterns
        .iter()
        .filter(|p| !market.plugins.iter().any(|e| p.matches(&e.name, "")))
        .collect();
    if let Some(first) = unmatched.first() {
        let names: Vec<&str> = market.plugins.iter().map(|e| e.name.as_str()).collect();
        return Err(Error::NotFound {
            message: format!(
                "source `{source}`: `plugins` entry `{}` matches no plugin of marketplace `{}`",
                first.written, market.name
            ),
            hint: Some(format!(
                "the marketplace lists: {}",
                if names.is_empty() {
                    "no plugins".to_string()
                } else {
                    names.join(", ")
                }
            )),
        });
    }
    Ok(market
        .plugins
        .iter()
        .filter(|e| patterns.iter().any(|p| p.matches(&e.name, "")))
        .collect())
}

/// Read the marketplace file's bytes (None when the source has none) into a [`Marketplace`].
pub(super) fn marketplace(
    source: &SourceName,
    label: &str,
    bytes: Option<Vec<u8>>,
) -> Result<Marketplace> {
    let Some(bytes) = bytes else {
        return Err(Error::NotFound {
            message: format!(
                "source `{source}` selects `plugins`, but it has no `{MARKETPLACE_JSON}`"
            ),
            hint: Some(
                "a plugin marketplace holds `.claude-plugin/marketplace.json` at the root of the searched directory; check `subdir`, or remove `plugins`".into(),
            ),
        });
    };
    marketplace::parse(label, &bytes).map_err(|e| catalog_error(label, e))
}

/// A catalogue problem as the error of the file `label`.
pub(super) fn catalog_error(label: &str, error: CatalogError) -> Error {
    Error::InvalidInput {
        file: label.into(),
        diagnostics: vec![*error.diagnostic],
    }
}

/// Is the marketplace `spec` on the local disk (a `path` source, or a git repository by path or
/// `file://`)? Only such a marketplace may name plugins on the local disk.
pub(super) fn is_local(spec: &SourceSpec) -> bool {
    match &spec.kind {
        SourceKind::Path { .. } => true,
        SourceKind::Git { url, .. } => !url.is_network(),
    }
}

/// The child source of the plugin `entry`, pinned in the repository `git`, for the marketplace `market`,
/// following the default branch until [`Session::plugin_reference`] says how it is followed.
pub(super) fn child(
    market: &SourceSpec,
    entry: &PluginEntry,
    git: &GitPlugin,
) -> Result<SourceSpec> {
    let refuse = |why: String| {
        Error::InvalidInput {
        file: entry.label.clone().into(),
        diagnostics: vec![
            Diagnostic::error(
                "plugin-source-refused",
                format!("plugin `{}` of `{}`: {why}", entry.name, market.name),
            )
            .at(Location::file(entry.label.clone()))
            .with_hint(
                "a marketplace fetched over the network names plugins by network URL only; choose another plugin, or add its repository as a source of your own",
            ),
        ],
    }
    };
    if !git.is_network() && !is_local(market) {
        return Err(refuse(format!(
            "`{}` is on the local disk, and the marketplace is not",
            git.url
        )));
    }
    if !git.is_network() && !git.url.starts_with("file://") && !git.url.starts_with('/') {
        return Err(refuse(format!(
            "`{}` is a relative path; write a `file://` URL or an absolute path",
            git.url
        )));
    }
    let url: GitUrl =
        crate::manifest::check_git_url(std::path::Path::new("/"), &git.url).map_err(refuse)?;
    let name = SourceName::parse(&entry.name).map_err(refuse)?;
    Ok(SourceSpec {
        name: market.name.child(&name),
        kind: SourceKind::Git {
            url,
            reference: GitRef::DefaultBranch,
        },
        subdir: (!git.subdir.is_root()).then(|| git.subdir.as_str().to_string()),
        selection: Selection::default(),
        trust: market.trust.clone(),
        allow_unicode: market.allow_unicode,
    })
}

/// How a plugin pinned elsewhere is followed: its `sha` (a `rev`), else its `ref` as a tag when `is_tag`
/// says the repository has such a tag and as a branch otherwise, else the default branch.
pub(super) fn reference(git: &GitPlugin, is_tag: impl FnOnce(&str) -> bool) -> GitRef {
    match (&git.sha, &git.git_ref) {
        (Some(sha), _) => GitRef::Rev(sha.to_string()),
        (None, Some(r)) if is_tag(r) => GitRef::Tag(r.clone()),
        (None, Some(r)) => GitRef::Branch(r.clone()),
        (None, None) => GitRef::DefaultBranch,
    }
}

/// What is needed of a plugin's folder to read it: its `plugin.json` (label and bytes) and which of the
/// places where a plugin keeps what agentpack does not install exist in it.
pub(super) struct PluginFiles {
    pub plugin_json: Option<(String, Vec<u8>)>,
    pub present: Vec<&'static str>,
}

/// The places [`PluginFiles::present`] looks at, relative to the plugin's root.
pub(super) fn shipped_places() -> impl Iterator<Item = &'static str> {
    [
        ShippedKind::Hooks,
        ShippedKind::McpServers,
        ShippedKind::LspServers,
        ShippedKind::Monitors,
        ShippedKind::OutputStyles,
    ]
    .into_iter()
    .map(ShippedKind::default_path)
}

/// Where `plugin.json` is for a plugin at `root`.
pub(super) fn plugin_json_path(root: &RepoPath) -> String {
    root.join(&RepoPath::parse(PLUGIN_JSON).expect("a valid path"))
        .as_str()
        .to_string()
}

/// Read the plugin of `entry`, whose folder is `root` (relative to the searched directory): its part,
/// and the warnings for what it ships that is not installed.
pub(super) fn part(
    entry: &PluginEntry,
    root: &RepoPath,
    files: &PluginFiles,
) -> Result<(PluginPart, Vec<Diagnostic>)> {
    let json = files
        .plugin_json
        .as_ref()
        .map(|(label, bytes)| (label.as_str(), bytes.as_slice()));
    let label = json.map_or(entry.label.as_str(), |(label, _)| label);
    let plugin = plugin::read(entry, json, &files.present).map_err(|e| catalog_error(label, e))?;
    let warnings = plugin
        .shipped
        .iter()
        .map(|s| s.warning(&entry.name))
        .collect();
    let under = |paths: Vec<RepoPath>| paths.iter().map(|p| root.join(p)).collect();
    Ok((
        PluginPart {
            name: plugin.name,
            root: root.clone(),
            manifest: json.map(|_| RepoPath::parse(&plugin_json_path(root)).expect("valid")),
            agents: under(plugin.agents),
            commands: under(plugin.commands),
            skills: under(plugin.skills),
        },
        warnings,
    ))
}

/// The source of `entry`, or the error that makes it unusable (an `npm` source, a bad entry).
pub(super) fn source_of(entry: &PluginEntry) -> Result<&PluginSource> {
    entry
        .detail()
        .map(|d| &d.source)
        .map_err(|e| catalog_error(&entry.label, e.clone()))
}

impl Session<'_> {
    /// The plugins `resolved`'s `plugins` key selects: relative ones become its parts, the others child
    /// sources (returned, to be resolved next). `pack_children` are the sources its pack brought in,
    /// whose names a plugin's child source must not take.
    pub(super) fn marketplace_plugins(
        &mut self,
        resolved: &mut Resolved,
        pack_children: &[SourceSpec],
        budget: &mut ReadBudget,
    ) -> Result<Vec<SourceSpec>> {
        let patterns = resolved.spec.selection.plugins.clone();
        if patterns.is_empty() {
            return Ok(Vec::new());
        }
        let (bytes, label) = self.read_file(resolved, MARKETPLACE_JSON)?;
        charge(budget, &resolved.spec.name, &label, bytes.as_deref())?;
        let market = marketplace(&resolved.spec.name, &label, bytes)?;
        let mut children = Vec::new();
        for entry in select(&market, &patterns, &resolved.spec.name)? {
            let Some(source) = self.usable_source(&resolved.spec.name, entry, &patterns)? else {
                continue;
            };
            match source {
                PluginSource::Relative(root) => {
                    let root = root.clone();
                    self.read_plugin(resolved, entry, &root, budget)?;
                }
                PluginSource::Git(git) => {
                    let mut child = child(&resolved.spec, entry, git)?;
                    let followed = self.plugin_reference(&child, git)?;
                    if let SourceKind::Git { reference, .. } = &mut child.kind {
                        *reference = followed;
                    }
                    if pack_children.iter().any(|c| c.name == child.name) {
                        return Err(Error::NotFound {
                            message: format!(
                                "source `{}`: plugin `{}` and a source of its pack are both named `{}`",
                                resolved.spec.name, entry.name, child.name
                            ),
                            hint: Some("select the plugin from another source, or ask the author to rename one".into()),
                        });
                    }
                    self.plugin_children
                        .insert(child.name.to_string(), entry.clone());
                    children.push(child);
                }
            }
        }
        Ok(children)
    }

    /// Where `entry`'s plugin comes from. A glob (`["*"]`) passes over a plugin agentpack cannot fetch
    /// (`None`, with a warning, once per run); a plugin named exactly is an error, as is a bad entry.
    fn usable_source<'e>(
        &mut self,
        market: &SourceName,
        entry: &'e PluginEntry,
        patterns: &[Pattern],
    ) -> Result<Option<&'e PluginSource>> {
        let named = patterns.iter().any(|p| p.written == entry.name);
        match (source_of(entry), entry.detail()) {
            (Ok(source), _) => Ok(Some(source)),
            (Err(_), Err(e)) if !named && matches!(e.kind, ErrorKind::UnsupportedSource { .. }) => {
                let mut warning = (*e.diagnostic).clone();
                warning.severity = crate::diag::Severity::Warning;
                warning.hint = Some(
                    "selected by a glob only, it is passed over (named exactly, it is an error); add its repository as a source of its own to install it".into(),
                );
                if self
                    .warned_plugins
                    .insert(format!("{market}\0{}", entry.name))
                {
                    self.reporter.diagnostic(&warning);
                }
                Ok(None)
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Read the plugin of `entry` in `resolved` at `root` (relative to its searched directory) and add
    /// its part; warn (once per run) about what it ships that is not installed.
    pub(super) fn read_plugin(
        &mut self,
        resolved: &mut Resolved,
        entry: &PluginEntry,
        root: &RepoPath,
        budget: &mut ReadBudget,
    ) -> Result<()> {
        let plugin_json = if entry.strict {
            match self.read_file(resolved, &plugin_json_path(root))? {
                (Some(bytes), label) => {
                    charge(budget, &resolved.spec.name, &label, Some(&bytes))?;
                    Some((label, bytes))
                }
                (None, _) => None,
            }
        } else {
            None
        };
        let mut present = Vec::new();
        for place in shipped_places() {
            if self.has_path(
                resolved,
                root.join(&RepoPath::parse(place).expect("valid")).as_str(),
            )? {
                present.push(place);
            }
        }
        let files = PluginFiles {
            plugin_json,
            present,
        };
        let (part, warnings) = part(entry, root, &files)?;
        if self
            .warned_plugins
            .insert(format!("{}\0{}", resolved.spec.name, entry.name))
        {
            for warning in &warnings {
                self.reporter.diagnostic(warning);
            }
        }
        resolved.plugins.push(part);
        Ok(())
    }

    /// How the plugin pinned in `git`, whose child source is `child`, is followed ([`reference`]).
    /// Whether a `ref` is a tag is what the lock recorded while the child's entry still names that URL
    /// and ref (and it is not being updated), else what the remote's refs (the cache's, offline) say.
    fn plugin_reference(&mut self, child: &SourceSpec, git: &GitPlugin) -> Result<GitRef> {
        let (Some(written), None, SourceKind::Git { url, .. }) =
            (&git.git_ref, &git.sha, &child.kind)
        else {
            return Ok(reference(git, |_| false));
        };
        // The lock's reading of this `ref` (a tag or a branch), while it names the same URL and ref.
        let locked_kind = (self.lock)
            .and_then(|l| l.source(child.name.as_str()))
            .and_then(|l| match &l.origin {
                LockedOrigin::Git {
                    url: locked_url,
                    reference: locked @ (GitRef::Tag(r) | GitRef::Branch(r)),
                    ..
                } if locked_url.written == url.written && r == written => Some(locked.clone()),
                _ => None,
            });
        let vendored = self.options.vendor.is_some();
        match locked_kind {
            Some(locked) if vendored || !self.options.update.covers(child.name.as_str()) => {
                Ok(locked)
            }
            // A vendored install reads only what the lock names; the missing entry is reported there.
            _ if vendored => Ok(reference(git, |_| false)),
            _ => {
                let url = url.clone();
                let refs = self.refs(&child.name, &url)?;
                Ok(reference(git, |r| refs.tags.contains_key(r)))
            }
        }
    }
}

/// Count a catalogue file read against the resolution's budget: a marketplace may list thousands of
/// plugins whose `plugin.json` is one large blob, read once per plugin.
fn charge(
    budget: &mut ReadBudget,
    source: &SourceName,
    label: &str,
    bytes: Option<&[u8]>,
) -> Result<()> {
    let size = bytes.map_or(0, |b| b.len() as u64);
    budget
        .bytes(size, label)
        .map_err(|over| Error::InvalidRepository {
            source_name: source.to_string(),
            message: over.to_string(),
        })
}

#[cfg(test)]
mod tests;
