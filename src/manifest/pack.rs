//! A pack's manifest: the `agentpack.toml` a source carries, and what its sources may point at.

use std::path::{Path, PathBuf};

use super::{MANIFEST_NAME, Manifest, ManifestPath, SourceKind, SourceSpec};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::names::SourceName;

impl Manifest {
    /// The sources of a pack: the `agentpack.toml` a source carries at the root of its searched directory.
    ///
    /// `[install]` is ignored (where agents go is the top-level manifest's business), and so are `trust`
    /// and `allow-unicode` (the caller replaces them: only the user's manifest grants trust). A pack must
    /// not reach outside itself: it names git repositories by network URL only (a local path or `file://`
    /// URL would read the installing machine's disk, and would mean something else to every reader of the
    /// lock); a pack read from git may not use `path` sources; a pack in a local directory may use them
    /// only inside that directory. `pack` is the source carrying the manifest, `label` names the file in
    /// messages (`studio:agentpack.toml`). The sources are returned with their own names, not `pack`'s.
    pub fn parse_pack(
        pack: &SourceName,
        label: &str,
        home: PackHome<'_>,
        text: &str,
    ) -> Result<Vec<SourceSpec>> {
        let path = match home {
            PackHome::Git => PathBuf::from(label),
            PackHome::Dir(dir) => dir.join(MANIFEST_NAME),
        };
        let manifest =
            Manifest::parse_as(&ManifestPath::project(path), text, true).map_err(|e| match e {
                Error::InvalidInput { diagnostics, .. } => Error::InvalidInput {
                    file: PathBuf::from(label),
                    diagnostics,
                },
                other => other,
            })?;
        let problems: Vec<Diagnostic> = manifest
            .sources
            .iter()
            .filter_map(|spec| {
                let why = match (&spec.kind, home) {
                    (SourceKind::Path { .. }, PackHome::Git) => {
                        "is a `path` source; a pack fetched from git cannot use local directories"
                    }
                    (SourceKind::Path { dir, .. }, PackHome::Dir(home))
                        if !stays_inside(dir, spec.subdir.as_deref(), home) =>
                    {
                        "is a `path` source outside the pack's directory"
                    }
                    (SourceKind::Git { url, .. }, _) if !url.is_network() => {
                        "names a local repository; a pack may only name network URLs (https, http, ssh, git)"
                    }
                    _ => return None,
                };
                let named = pack.child(&spec.name);
                Some(
                    Diagnostic::error(
                        "pack-invalid",
                        format!("pack source `{named}` ({}) {why}", named.chain()),
                    )
                    .at(crate::diag::Location::file(label))
                    .with_hint("a pack may only use `git` sources with network URLs, and, in a local directory, `path` sources inside it; ask the pack's author to fix it, or remove the pack from your agentpack.toml"),
                )
            })
            .collect();
        if problems.is_empty() {
            Ok(manifest.sources)
        } else {
            Err(Error::InvalidInput {
                file: PathBuf::from(label),
                diagnostics: problems,
            })
        }
    }
}

/// Does the directory a pack's `path` source searches (`dir`, joined with `subdir`) lie inside the pack's
/// directory `home`, also once symlinks are resolved? A pack checked out from elsewhere can hold a
/// symlink to any directory of the installing machine. A directory that does not exist is left for
/// reading to report.
fn stays_inside(dir: &Path, subdir: Option<&str>, home: &Path) -> bool {
    let searched = dir.join(subdir.unwrap_or(""));
    dir.starts_with(home)
        && match (searched.canonicalize(), home.canonicalize()) {
            (Ok(searched), Ok(home)) => searched.starts_with(home),
            _ => true,
        }
}

/// Where a pack's `agentpack.toml` was read from; decides what its sources may point at.
#[derive(Debug, Clone, Copy)]
pub enum PackHome<'a> {
    /// A commit of a git repository.
    Git,
    /// A local directory (normalized, absolute).
    Dir(&'a Path),
}
