//! Editing `agentpack.toml` in place for `add`, `remove` and `patch`, with toml_edit: comments, key order,
//! quoting and blank lines of everything not edited survive byte for byte.
//!
//! This module only edits text; the caller re-parses the result with [`crate::manifest::Manifest::parse`]
//! (so an edit can never produce a manifest agentpack would refuse) and writes it only once the install
//! that follows has succeeded.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, Table, TableLike, Value};

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::names::{GitRef, REF_KINDS};

/// Where a new source's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `git = "..."`: a URL or a local repository path.
    Git(String),
    /// `path = "..."`: a plain directory.
    Path(String),
}

/// A `[sources.NAME]` table to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    pub name: String,
    pub origin: Origin,
    /// The ref key to write (`tag = "v1.2.0"`); none for the default branch.
    pub reference: Option<GitRef>,
    pub subdir: Option<String>,
    pub agents: Vec<String>,
    /// Names added to the source's `skills` and `commands` lists (`add --skill`, `--command`).
    pub skills: Vec<String>,
    pub commands: Vec<String>,
    /// `(agent, installed name)`.
    pub rename: Option<(String, String)>,
    /// Plugins of the source's marketplace to add to its `plugins` list.
    pub plugins: Vec<String>,
}

/// A manifest being edited.
pub struct ManifestEdit {
    doc: DocumentMut,
}

impl ManifestEdit {
    pub fn parse(path: &Path, text: &str) -> Result<ManifestEdit> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| Error::InvalidInput {
                file: path.to_path_buf(),
                diagnostics: vec![
                    Diagnostic::error("manifest-invalid", e.message().trim_end().to_string())
                        .at(Location::file(path.display().to_string())),
                ],
            })?;
        Ok(ManifestEdit { doc })
    }

    fn sources(&self) -> Option<&dyn TableLike> {
        self.doc.get("sources").and_then(Item::as_table_like)
    }

    fn source_mut(&mut self, name: &str) -> Option<&mut dyn TableLike> {
        self.doc
            .get_mut("sources")
            .and_then(Item::as_table_like_mut)?
            .get_mut(name)
            .and_then(Item::as_table_like_mut)
    }

    /// Append `[sources.NAME]` at the end of the file.
    pub fn add_source(&mut self, source: &NewSource) {
        let mut table = Table::new();
        match &source.origin {
            Origin::Git(url) => table.insert("git", toml_edit::value(url.as_str())),
            Origin::Path(path) => table.insert("path", toml_edit::value(path.as_str())),
        };
        if let Some((kind, Some(value))) = source.reference.as_ref().map(GitRef::kind_and_value) {
            table.insert(kind, toml_edit::value(value));
        }
        if let Some(subdir) = &source.subdir {
            table.insert("subdir", toml_edit::value(subdir.as_str()));
        }
        if !source.agents.is_empty() {
            table.insert("agents", toml_edit::value(string_array(&source.agents)));
        }
        add_items(&mut table, source);
        if let Some((from, to)) = &source.rename {
            let mut inline = toml_edit::InlineTable::new();
            inline.insert(from, Value::from(to.as_str()));
            table.insert("rename", toml_edit::value(inline));
        }
        if !self.doc.as_table().is_empty() {
            table.decor_mut().set_prefix("\n");
        }
        // Comments after the last table (the template's `# vendor = ...` line, commented-out examples)
        // are the document's trailing text, printed after every table. A table appended at the end would
        // land above them, and uncommenting `# vendor` would then put it inside the new source: move
        // them above the new table instead, where they stay attached to what they follow.
        if self.appends_last() {
            let trailing = self.doc.trailing().as_str().unwrap_or("").to_string();
            if !trailing.trim().is_empty() {
                let separator = if trailing.ends_with("\n\n") { "" } else { "\n" };
                table
                    .decor_mut()
                    .set_prefix(format!("{trailing}{separator}"));
                self.doc.set_trailing("");
            }
        }
        let sources = self
            .doc
            .entry("sources")
            .or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            })
            .as_table_like_mut()
            .expect("`sources` is a table (the manifest parsed)");
        sources.insert(&source.name, Item::Table(table));
    }

    /// Does a table appended to `[sources]` come out last? It is printed right after the last source table
    /// (toml_edit places a table without a position after the one visited before it), so it is last
    /// unless some other table comes after the sources.
    fn appends_last(&self) -> bool {
        let mut positions = Vec::new();
        collect_positions(self.doc.as_table(), false, &mut positions);
        let last_source = positions.iter().filter(|(s, _)| *s).map(|(_, p)| *p).max();
        let last_other = positions.iter().filter(|(s, _)| !*s).map(|(_, p)| *p).max();
        match (last_source, last_other) {
            (Some(source), Some(other)) => source >= other,
            _ => true,
        }
    }

    /// The `git` or `path` of an existing source, as written.
    pub fn origin(&self, name: &str) -> Option<Origin> {
        let table = self.sources()?.get(name)?.as_table_like()?;
        let text = |key: &str| table.get(key)?.as_str().map(str::to_string);
        text("git")
            .map(Origin::Git)
            .or_else(|| text("path").map(Origin::Path))
    }

    /// Change what an existing source takes: its ref (replacing any other ref key, in place when the
    /// same kind was written), and, when given, `subdir`, `agents` and one `rename` entry. Comments and
    /// every other key stay.
    pub fn change_source(&mut self, source: &NewSource) {
        if let Some((kind, Some(value))) = source.reference.as_ref().map(GitRef::kind_and_value) {
            self.set_reference(&source.name, kind, value);
        }
        let Some(table) = self.source_mut(&source.name) else {
            return;
        };
        if let Some(subdir) = &source.subdir {
            set_str(table, "subdir", subdir);
        }
        if !source.agents.is_empty() {
            table.insert("agents", toml_edit::value(string_array(&source.agents)));
        }
        add_items(table, source);
        if let Some((from, to)) = &source.rename {
            match table.get_mut("rename") {
                Some(Item::Value(Value::InlineTable(inline))) => {
                    // The last value of `{ a = "x" }` carries the space before `}`: it moves to the
                    // new last entry rather than staying before its comma (`{ a = "x" , b = "y" }`).
                    let mut value = Value::from(to.as_str());
                    if let Some(old) = inline.get(from) {
                        *value.decor_mut() = old.decor().clone();
                    } else if let Some((_, last)) = inline.iter_mut().last() {
                        value
                            .decor_mut()
                            .set_suffix(last.decor().suffix().cloned().unwrap_or_default());
                        last.decor_mut().set_suffix("");
                    }
                    inline.insert(from, value);
                }
                Some(item) if item.is_table_like() => {
                    if let Some(rename) = item.as_table_like_mut() {
                        rename.insert(from, toml_edit::value(to.as_str()));
                    }
                }
                _ => {
                    let mut inline = toml_edit::InlineTable::new();
                    inline.insert(from, Value::from(to.as_str()));
                    table.insert("rename", toml_edit::value(inline));
                }
            }
        }
    }

    /// Write `agents = ["*"]` into source `name` when it has none of the `agents`, `skills`, `commands`
    /// and `plugins` keys (it takes every agent): a first key of another kind would make it take none.
    pub fn keep_every_agent(&mut self, name: &str) {
        let Some(table) = self.source_mut(name) else {
            return;
        };
        if !["agents", "skills", "commands", "plugins"]
            .iter()
            .any(|k| table.contains_key(k))
        {
            table.insert("agents", toml_edit::value(string_array(&["*".to_string()])));
        }
    }

    /// Make an existing source take `kind = "value"` (`version = "^2.0.0"`), replacing any other ref key;
    /// a key of the same kind is changed in place, keeping its comment.
    pub fn set_reference(&mut self, name: &str, kind: &str, value: &str) {
        let Some(table) = self.source_mut(name) else {
            return;
        };
        let replaced = REF_KINDS
            .iter()
            .find(|k| **k != kind && table.contains_key(k));
        let Some(replaced) = replaced else {
            set_str(table, kind, value);
            return;
        };
        // Another kind of ref: the new key takes its place (and its comment), the order of the rest stays.
        let entries: Vec<(toml_edit::Key, Item)> = table
            .iter()
            .filter_map(|(k, _)| table.get_key_value(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        table.clear();
        for (key, item) in entries {
            if key.get() == *replaced {
                let mut new = Value::from(value);
                if let Some(old) = item.as_value() {
                    *new.decor_mut() = old.decor().clone();
                }
                let new_key = toml_edit::Key::new(kind).with_leaf_decor(key.leaf_decor().clone());
                table.entry_format(&new_key).or_insert(Item::Value(new));
            } else if !REF_KINDS.contains(&key.get()) || key.get() == kind {
                table.entry_format(&key).or_insert(item);
            }
        }
    }

    /// Delete `[sources.NAME]` (with the comments right above it). `false` when there is none.
    pub fn remove_source(&mut self, name: &str) -> bool {
        self.doc
            .get_mut("sources")
            .and_then(Item::as_table_like_mut)
            .and_then(|s| s.remove(name))
            .is_some()
    }

    /// The entries of the source's `agents` list, as written.
    pub fn agents(&self, source: &str) -> Vec<String> {
        self.sources()
            .and_then(|s| s.get(source))
            .and_then(|t| t.as_table_like()?.get("agents")?.as_array().cloned())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Remove `entry` from the source's `agents` list; `false` when it is not written there.
    pub fn drop_agent_entry(&mut self, source: &str, entry: &str) -> bool {
        let Some(agents) = self
            .source_mut(source)
            .and_then(|t| t.get_mut("agents"))
            .and_then(Item::as_array_mut)
        else {
            return false;
        };
        let Some(index) = agents.iter().position(|v| v.as_str() == Some(entry)) else {
            return false;
        };
        let removed = agents.remove(index);
        // The last element carries the spacing before `]`; hand it to the new last one.
        if index == agents.len()
            && let (Some(last), Some(suffix)) = (
                agents.get_mut(index.wrapping_sub(1)),
                removed.decor().suffix().cloned(),
            )
        {
            last.decor_mut().set_suffix(suffix);
        }
        true
    }

    /// Add `entry` to the source's `exclude` list (created when missing).
    pub fn exclude(&mut self, source: &str, entry: &str) {
        let Some(table) = self.source_mut(source) else {
            return;
        };
        match table.get_mut("exclude").and_then(Item::as_array_mut) {
            Some(list) => {
                if !list.iter().any(|v| v.as_str() == Some(entry)) {
                    list.push(entry);
                }
            }
            None => {
                table.insert(
                    "exclude",
                    toml_edit::value(string_array(&[entry.to_string()])),
                );
            }
        }
    }

    /// Remove `rename` entries whose new name is `installed` (dropping an empty `rename`).
    pub fn drop_rename_to(&mut self, source: &str, installed: &str) {
        let Some(table) = self.source_mut(source) else {
            return;
        };
        let Some(rename) = table.get_mut("rename").and_then(Item::as_table_like_mut) else {
            return;
        };
        let keys: Vec<String> = rename
            .iter()
            .filter(|(_, v)| v.as_str() == Some(installed))
            .map(|(k, _)| k.to_string())
            .collect();
        for key in &keys {
            rename.remove(key);
        }
        if rename.is_empty() && !keys.is_empty() {
            table.remove("rename");
        }
    }

    /// Set `[patches] AGENT = "FILE"`, creating the table at the end of the file when there is none.
    pub fn set_patch(&mut self, agent: &str, file: &str) {
        let blank_line = !self.doc.as_table().is_empty();
        let patches = self.doc.entry("patches").or_insert_with(|| {
            let mut table = Table::new();
            if blank_line {
                table.decor_mut().set_prefix("\n");
            }
            Item::Table(table)
        });
        if let Some(patches) = patches.as_table_like_mut() {
            patches.insert(agent, toml_edit::value(file));
        }
    }

    /// Remove `[patches] AGENT`, and the table when it was the last entry. `false` when there is none.
    pub fn remove_patch(&mut self, agent: &str) -> bool {
        let Some(patches) = self
            .doc
            .get_mut("patches")
            .and_then(Item::as_table_like_mut)
        else {
            return false;
        };
        let removed = patches.remove(agent).is_some();
        if patches.is_empty() {
            self.doc.remove("patches");
        }
        removed
    }
}

impl std::fmt::Display for ManifestEdit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.doc)
    }
}

/// Set `key` to `value`, keeping the decoration (a trailing comment) of a value already there.
fn set_str(table: &mut dyn TableLike, key: &str, value: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(existing) => {
            let decor = existing.decor().clone();
            *existing = Value::from(value);
            *existing.decor_mut() = decor;
        }
        None => {
            table.insert(key, toml_edit::value(value));
        }
    }
}

/// `(is under [sources], position)` of every table with a position.
fn collect_positions(table: &Table, in_sources: bool, out: &mut Vec<(bool, isize)>) {
    for (key, item) in table.iter() {
        let under = in_sources || key == "sources";
        match item {
            Item::Table(t) => {
                if let Some(p) = t.position() {
                    out.push((under, p));
                }
                collect_positions(t, under, out);
            }
            Item::ArrayOfTables(array) => {
                for t in array.iter() {
                    if let Some(p) = t.position() {
                        out.push((under, p));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Add `source`'s skills, commands and plugins to the table's `skills`, `commands` and `plugins` lists
/// (creating them), each name once; the names already written stay.
fn add_items(table: &mut (impl toml_edit::TableLike + ?Sized), source: &NewSource) {
    for (key, names) in [
        ("skills", &source.skills),
        ("commands", &source.commands),
        ("plugins", &source.plugins),
    ] {
        if names.is_empty() {
            continue;
        }
        match table.get_mut(key).and_then(Item::as_array_mut) {
            Some(list) => {
                for name in names {
                    if !list.iter().any(|v| v.as_str() == Some(name)) {
                        list.push(name.as_str());
                    }
                }
            }
            None => {
                table.insert(key, toml_edit::value(string_array(names)));
            }
        }
    }
}

fn string_array(items: &[String]) -> Array {
    items.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests;
