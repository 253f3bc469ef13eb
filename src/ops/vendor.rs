//! `agentpack vendor [DIR]`: copy, for each git source's locked commit, exactly the files the project
//! installs (plus the pack's own `agentpack.toml` at the searched directory, if it has one) into DIR, with a
//! checksum file per source ([`crate::source::vendor`]).
//!
//! Sources are resolved as `install` resolves them (the lock's commits, the cache, the network when the
//! cache lacks a commit, never the vendor directory itself), and the lock must already describe the
//! manifest: vendoring never changes what is installed, so it refuses a stale lock instead of writing one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::catalog::marketplace::MARKETPLACE_JSON;
use crate::error::{Error, Result};
use crate::fsutil::normalize;
use crate::lockfile::{self, Lockfile};
use crate::manifest::{Manifest, ManifestPath, SourceKind};
use crate::ops::FetchOptions;
use crate::reporter::Reporter;
use crate::resolve::{self, Pin, Resolved};
use crate::source::cache::LockedCache;
use crate::source::git::Cache;
use crate::source::vendor::{PACK_MANIFEST, VendoredSource};
use crate::source::{self, Content};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorSummary {
    /// The directory written (absolute).
    pub dir: PathBuf,
    pub sources: usize,
    pub files: usize,
    /// Whether `[install] vendor` already names this directory.
    pub configured: bool,
}

/// Where `agentpack vendor` writes when neither the command line nor `[install] vendor` names a directory.
pub const DEFAULT_VENDOR_DIR: &str = "agentpack-vendor";

/// Vendor into `dir` (relative to the manifest's directory); without one, into the directory
/// `[install] vendor` names (that is where installs will read it), else [`DEFAULT_VENDOR_DIR`].
pub fn vendor(
    manifest_path: &ManifestPath,
    dir: Option<&Path>,
    fetch: FetchOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<VendorSummary> {
    let manifest = Manifest::load(manifest_path)?;
    let dir = match (dir, &manifest.vendor) {
        (Some(dir), _) => normalize(&manifest.root.join(dir)),
        (None, Some(configured)) => configured.clone(),
        (None, None) => manifest.root.join(DEFAULT_VENDOR_DIR),
    };
    let Some(lock) = Lockfile::load(&manifest.root.join(lockfile::LOCK_NAME))? else {
        return Err(stale(
            "`agentpack.lock` is missing; vendoring copies the locked commits".into(),
        ));
    };
    let locked = LockedCache::lock(cache, manifest.git_urls(), reporter)?;
    let resolved = resolve::resolve_all(
        &manifest.sources,
        Some(&lock),
        &locked,
        fetch.resolve(),
        reporter,
    )?;
    let mut sources = Vec::new();
    for source in &resolved {
        sources.extend(vendored(source, &lock, &locked)?);
    }
    crate::source::vendor::write(&dir, &sources)?;
    Ok(VendorSummary {
        configured: manifest.vendor.as_deref() == Some(dir.as_path()),
        dir,
        files: sources.iter().map(|s| s.files.len()).sum(),
        sources: sources.len(),
    })
}

/// The lock does not describe what is to be vendored.
fn stale(message: String) -> Error {
    Error::LockOutdated {
        message,
        hint: "run `agentpack install` (with `--no-vendor` when `[install] vendor` is set), then `agentpack vendor` again".into(),
    }
}

/// What is vendored of one resolved source: the files of its locked agents, commands and skills at its
/// commit, and its pack manifest. `None` for a `path` source (local already).
fn vendored(
    source: &Resolved,
    lock: &Lockfile,
    cache: &LockedCache,
) -> Result<Option<VendoredSource>> {
    let name = source.spec.name.as_str();
    if lock.source(name) != Some(&source.locked()) {
        return Err(stale(format!(
            "`agentpack.lock` is out of date for source `{name}`"
        )));
    }
    let (SourceKind::Git { url, .. }, Pin::Git { commit, .. }) = (&source.spec.kind, &source.pin)
    else {
        return Ok(None);
    };
    // Every locked agent and command file, and every file of every locked skill's folder.
    let singles = (lock
        .agents
        .iter()
        .filter(|a| a.source == name)
        .map(|a| &a.path))
    .chain(
        lock.commands
            .iter()
            .filter(|c| c.source == name)
            .map(|c| &c.path),
    );
    let skill_files = (lock.skills.iter().filter(|s| s.source == name)).flat_map(|skill| {
        skill
            .files
            .iter()
            .map(|f| source::join(Some(&skill.path), &f.path))
    });
    let mut files = BTreeMap::new();
    for path in singles.cloned().chain(skill_files) {
        let found = source.snapshot.files.iter().find(|f| f.repo_path == path);
        let Some((Content::Bytes { bytes, .. }, executable)) =
            found.map(|f| (&f.content, f.executable))
        else {
            return Err(stale(format!(
                "`{path}` of source `{name}` is in agentpack.lock but not at commit {}",
                commit.short()
            )));
        };
        files.insert(path, (bytes.clone(), executable));
    }
    // What resolution reads besides the installed files: the pack's manifest, the marketplace's, and
    // each plugin's `plugin.json`.
    let mut manifests = vec![PACK_MANIFEST.to_string()];
    if !source.spec.selection.plugins.is_empty() {
        manifests.push(MARKETPLACE_JSON.to_string());
    }
    manifests.extend(
        (source.plugins.iter())
            .filter_map(|p| p.manifest.as_ref())
            .map(|m| m.as_str().to_string()),
    );
    let repo = cache.existing(&url.fetch)?;
    for manifest in manifests {
        let path = source::join(source.spec.subdir.as_deref(), &manifest);
        let found = match &repo {
            Some(repo) => repo.read_file(*commit, &path)?.ok().flatten(),
            None => None,
        };
        if let Some(bytes) = found {
            files.insert(path, (bytes, false));
        }
    }
    Ok(Some(VendoredSource::new(
        name,
        &url.written,
        *commit,
        files,
    )))
}
