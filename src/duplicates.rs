//! Agent files in the target directory that agentpack did not install but that declare the `name` of an
//! agent it manages: Claude Code would load only one of the two. `verify` reports them for the installed
//! agents; `install` refuses to install next to them (both as `unmanaged-duplicate` errors), so the two
//! commands agree. The target is searched recursively, as Claude Code searches it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::error::Result;
use crate::frontmatter;
use crate::lockfile;
use crate::source;

/// A managed agent, as messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub name: &'a str,
    /// The installed file, relative to the manifest's directory.
    pub file: &'a str,
    pub source: &'a str,
}

/// Every file under `target` that is not in `managed` (absolute paths) and declares an owner's name.
pub fn find(
    root: &Path,
    target: &Path,
    managed: &BTreeSet<PathBuf>,
    owners: &[Owner<'_>],
) -> Result<Vec<Diagnostic>> {
    if !target.is_dir() {
        return Ok(Vec::new());
    }
    let by_name: BTreeMap<&str, &Owner> = owners.iter().map(|o| (o.name, o)).collect();
    let snapshot = source::path::snapshot("target", target, None, None)?;
    let mut out = Vec::new();
    for file in &snapshot.files {
        let path = target.join(&file.path);
        if managed.contains(&path) {
            continue;
        }
        let source::Content::Bytes(bytes) = &file.content else {
            continue;
        };
        let label = lockfile::file_label(root, &path);
        if let Some(name) = frontmatter::parse(&label, bytes).name()
            && let Some(owner) = by_name.get(name)
        {
            out.push(
                Diagnostic::error(
                    "unmanaged-duplicate",
                    format!(
                        "`{label}` was not installed by agentpack but declares `name: {name}`, like `{}` from `{}`; Claude Code loads only one of them",
                        owner.file, owner.source
                    ),
                )
                .at(Location::file(&label))
                .with_hint(format!("delete `{label}`, or give it another `name`")),
            );
        }
    }
    Ok(out)
}

/// How many `.md` entries `dir` holds, searched recursively without following directory symlinks: what
/// the no-op install compares with the files it wrote, so that a file added since sends it the long way
/// (which looks for duplicates).
pub fn count_md_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => count_md_files(&entry.path()),
            Ok(_) => usize::from(entry.file_name().to_string_lossy().ends_with(".md")),
            Err(_) => 0,
        })
        .sum()
}
