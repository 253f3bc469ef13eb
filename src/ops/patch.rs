//! `agentpack patch NAME` and `agentpack patch --remove NAME`: keep (or drop) a local edit of an installed
//! agent as a patch file beside the manifest ([`crate::patches`]).
//!
//! Recording works out the file the source gives (the locked commit, after `rename`, without any current
//! patch) with a dry run, writes the unified diff from it to the edited installed file into
//! `agentpack-patches/NAME.patch` (or the file `[patches]` already names), sets `[patches] NAME`, and
//! installs, which applies the patch, checks the result and records both hashes in the lock. The
//! installed file does not change. Removing deletes the entry and the patch file and installs, which puts
//! back the source's file (an installed file edited since the patch was recorded is protected as usual).
//! As with `add`, the manifest (and the patch file) change only once the install succeeded.

use std::path::Path;

use crate::edit::ManifestEdit;
use crate::error::{Error, Result};
use crate::lockfile::{self, LockedAgent, Lockfile};
use crate::manifest::{Manifest, ManifestPath};
use crate::ops::install::{InstallOptions, InstallSummary, install_manifest};
use crate::patches;
use crate::reporter::{Reporter, Silent};
use crate::source::git::Cache;

/// What `agentpack patch` did.
#[derive(Debug)]
pub struct Patched {
    /// The patch file, relative to the manifest's directory.
    pub file: String,
    /// Lines the patch adds and removes (zero for a removal).
    pub added: usize,
    pub removed: usize,
    pub summary: InstallSummary,
}

/// Record the edit of the installed agent `name` as its patch.
pub fn record(
    manifest_path: &ManifestPath,
    name: &str,
    options: InstallOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Patched> {
    let current = Manifest::load(manifest_path)?;
    let lock = Lockfile::load(&current.root.join(lockfile::LOCK_NAME))?;
    let agent = lock
        .as_ref()
        .and_then(|l| l.agents.iter().find(|a| a.name == name))
        .ok_or_else(|| not_installed(name, lock.as_ref()))?;
    let edited = read_edited(&current, agent)?;

    let mut edit = ManifestEdit::parse(manifest_path, &read_text(manifest_path)?)?;
    edit.remove_patch(name);
    let upstream = upstream(manifest_path, &edit, name, options, cache)?
        .ok_or_else(|| not_installed(name, lock.as_ref()))?;
    let written = current
        .patch(name)
        .map(|p| p.written.clone())
        .unwrap_or_else(|| patches::default_file(name));
    let Some(created) = patches::create(&agent.file, &upstream, &edited) else {
        return Err(Error::Usage {
            message: format!(
                "`{}` is exactly what `{}` gives; there is no edit to record",
                agent.file, agent.source
            ),
            hint: current.patch(name).map(|_| {
                format!("to drop the patch `{written}`, run `agentpack patch --remove {name}`")
            }),
        });
    };
    edit.set_patch(name, &written);
    let new_text = edit.to_string();
    let manifest = Manifest::parse(manifest_path, &new_text)?;
    let patch_file = &manifest.patch(name).expect("the entry was just set").file;
    let undo = write_patch(&current.root, patch_file, &written, &created.diff)?;
    let done = install_manifest(
        &manifest,
        options,
        options.fetch.resolve(),
        false,
        cache,
        reporter,
    )
    .and_then(|done| {
        crate::fsutil::write_atomic(manifest_path, new_text.as_bytes())?;
        Ok(done)
    })
    // A failed run changes nothing: the patch file is put back as it was.
    .inspect_err(|_| undo.run())?;
    Ok(Patched {
        file: written,
        added: created.added,
        removed: created.removed,
        summary: done.summary,
    })
}

/// The installed file of `agent`, with the user's edit.
fn read_edited(current: &Manifest, agent: &LockedAgent) -> Result<Vec<u8>> {
    let installed = current.root.join(&agent.file);
    crate::fsutil::read_if_exists(&installed)?.ok_or_else(|| Error::Usage {
        message: format!("`{}` is missing, so there is no edit to record", agent.file),
        hint: Some(
            "run `agentpack install` to restore it, edit it, then `agentpack patch` again".into(),
        ),
    })
}

/// The source's file for `name`, as the manifest `unpatched` (which has no patch for it) installs it: a
/// dry run, forced so that the edited file is no obstacle. `None` when it installs no such agent.
fn upstream(
    manifest_path: &ManifestPath,
    unpatched: &ManifestEdit,
    name: &str,
    options: InstallOptions,
    cache: &Cache,
) -> Result<Option<Vec<u8>>> {
    let unpatched = Manifest::parse(manifest_path, &unpatched.to_string())?;
    let dry_run = InstallOptions {
        force: true,
        ..options
    };
    let installation = install_manifest(
        &unpatched,
        dry_run,
        options.fetch.resolve(),
        true,
        cache,
        &Silent,
    )?;
    let item = installation
        .placed
        .into_iter()
        .find(|p| p.installed_name == name);
    Ok(item.map(|p| p.bytes))
}

/// How to put the patch file (and its folder) back as they were before [`write_patch`].
struct UndoPatch<'a> {
    file: &'a Path,
    previous: Option<Vec<u8>>,
    new_dir: bool,
}

impl UndoPatch<'_> {
    /// Best effort: the install's own error is what the user needs to see.
    fn run(&self) {
        let _ = match &self.previous {
            Some(bytes) => crate::fsutil::write_atomic(self.file, bytes),
            None => std::fs::remove_file(self.file).map_err(|e| Error::io("remove", self.file, e)),
        };
        if self.new_dir {
            let _ = std::fs::remove_dir(self.file.parent().expect("a file in the project"));
        }
    }
}

/// Write `diff` to the patch file (`written` as `[patches]` names it), creating its folder; refused when
/// the path goes through a symlink.
fn write_patch<'a>(
    root: &Path,
    patch_file: &'a Path,
    written: &str,
    diff: &[u8],
) -> Result<UndoPatch<'a>> {
    let dir = patch_file.parent().expect("a file in the project");
    // A checked-out project must not redirect the write elsewhere (`agentpack-patches -> ~/.ssh`).
    if let Some(link) = crate::install::symlink_on_the_way(root, patch_file) {
        return Err(Error::Usage {
            message: format!(
                "the patch file `{written}` goes through the symlink `{}`; agentpack writes patches only into a real directory of the project",
                link.display()
            ),
            hint: Some(
                "replace the symlink by a directory, or name another file in [patches]".into(),
            ),
        });
    }
    let undo = UndoPatch {
        file: patch_file,
        previous: crate::fsutil::read_if_exists(patch_file)?,
        new_dir: !dir.exists(),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    crate::fsutil::write_atomic(patch_file, diff)?;
    Ok(undo)
}

/// Drop the patch of `name`: the manifest entry and the patch file, then install the source's file.
pub fn remove(
    manifest_path: &ManifestPath,
    name: &str,
    options: InstallOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Patched> {
    let current = Manifest::load(manifest_path)?;
    let Some(patch) = current.patch(name) else {
        return Err(Error::Usage {
            message: format!("agentpack.toml has no patch for `{name}`"),
            hint: Some(match current.patches.is_empty() {
                true => "`agentpack patch NAME` records one".to_string(),
                false => format!(
                    "patched agents: {}",
                    current
                        .patches
                        .iter()
                        .map(|p| p.agent.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        });
    };
    let mut edit = ManifestEdit::parse(manifest_path, &read_text(manifest_path)?)?;
    edit.remove_patch(name);
    let new_text = edit.to_string();
    let manifest = Manifest::parse(manifest_path, &new_text)?;
    let done = install_manifest(
        &manifest,
        options,
        options.fetch.resolve(),
        false,
        cache,
        reporter,
    )?;
    crate::fsutil::write_atomic(manifest_path, new_text.as_bytes())?;
    match std::fs::remove_file(&patch.file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(Error::io("remove", &patch.file, e));
        }
        _ => {}
    }
    Ok(Patched {
        file: patch.written.clone(),
        added: 0,
        removed: 0,
        summary: done.summary,
    })
}

fn read_text(manifest_path: &Path) -> Result<String> {
    std::fs::read_to_string(manifest_path).map_err(|e| Error::io("read", manifest_path, e))
}

fn not_installed(name: &str, lock: Option<&Lockfile>) -> Error {
    let names: Vec<&str> = lock
        .map(|l| l.agents.iter().map(|a| a.name.as_str()).collect())
        .unwrap_or_default();
    Error::Usage {
        message: format!("`{name}` is not an installed agent"),
        hint: Some(if names.is_empty() {
            "run `agentpack install` first; a patch records an edit of an installed agent".into()
        } else {
            format!("installed agents: {}", names.join(", "))
        }),
    }
}
