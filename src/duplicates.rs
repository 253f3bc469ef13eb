//! Agent files in the target directory that agentpack did not install but that declare the `name` of an
//! agent it manages: Claude Code would load only one of the two. `verify` reports them for the installed
//! agents; `install` refuses to install next to them (both as `unmanaged-duplicate` errors), so the two
//! commands agree. The target is searched recursively, as Claude Code searches it.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::error::{Error, Result};
use crate::frontmatter;

/// A managed agent, as messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub name: &'a str,
    /// The installed file, relative to the manifest's directory.
    pub file: &'a str,
    pub source: &'a str,
}

/// The target's `.md` files ([`md_files`]), listed before anything else is built: a target without any
/// (a first install) needs no lookups of managed files or owners.
pub struct Candidates<'a> {
    target: &'a Path,
    files: Vec<PathBuf>,
}

impl<'a> Candidates<'a> {
    /// The `.md` files under `target`, or None when it holds none.
    pub fn in_target(target: &'a Path) -> Option<Self> {
        let files = md_files(target);
        (!files.is_empty()).then_some(Candidates { target, files })
    }

    /// Every candidate that is not in `managed` (absolute paths) and declares an owner's name. Only those
    /// files are read (each at most [`crate::limits::MAX_FILE_SIZE`]), so the files agentpack installed
    /// cost a directory listing, not a read.
    pub fn find(
        self,
        root: &Path,
        home: Option<&Path>,
        managed: &HashSet<PathBuf>,
        owners: &[Owner<'_>],
    ) -> Result<Vec<Diagnostic>> {
        let Candidates { target, files } = self;
        let by_name: BTreeMap<&str, &Owner> = owners.iter().map(|o| (o.name, o)).collect();
        let inside = target.canonicalize().ok();
        let mut out = Vec::new();
        for path in files {
            if managed.contains(&path) {
                continue;
            }
            // As for path sources, nothing outside the target is read: a symlink counts while it stays inside.
            let escapes = path
                .canonicalize()
                .ok()
                .zip(inside.as_ref())
                .is_none_or(|(real, inside)| !real.starts_with(inside));
            if escapes {
                continue;
            }
            let small = std::fs::metadata(&path)
                .is_ok_and(|m| m.is_file() && m.len() <= crate::limits::MAX_FILE_SIZE as u64);
            if !small {
                continue;
            }
            let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
            let label = crate::scope::shown(root, &path, home);
            if let Some(name) = frontmatter::parse(&label, &bytes).name()
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
}

/// The `.md` entries under `dir`, searched recursively without entering symlinked directories, sorted.
/// The no-op install compares their number with the files it wrote, so that a file added since sends it
/// the long way (which looks for duplicates).
fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut |entry| out.push(entry.path()));
    out.sort();
    out
}

/// How many entries [`md_files`] lists, without building or sorting the list: all the no-op install
/// needs.
pub fn md_file_count(dir: &Path) -> usize {
    let mut count = 0;
    walk(dir, &mut |_| count += 1);
    count
}

fn walk(dir: &Path, found: &mut impl FnMut(&std::fs::DirEntry)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&entry.path(), found),
            Ok(_) if entry.file_name().to_string_lossy().ends_with(".md") => found(&entry),
            _ => {}
        }
    }
}
