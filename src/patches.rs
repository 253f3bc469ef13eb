//! Local patches: the user's own edits to an installed agent, kept as a unified diff beside the manifest.
//!
//! `agentpack patch NAME` writes `agentpack-patches/NAME.patch` (the difference between the file the
//! source gives, after `rename`, and the edited installed file) and a `[patches]` entry naming it. Every
//! install then applies each patch to the agent it names after fetching and selecting, so a fresh clone
//! and an `update` reproduce the edit. The patched bytes are what is installed, checked (front matter and
//! the source's trust gate, exactly as an unpatched agent) and hashed in the lock, with the patch file's
//! own hash beside them. A patch that no longer applies (the source changed the lines it touches) stops
//! the install before anything is written, naming the agent.
//!
//! Patches are the user's files, trusted like the manifest; they are still bounded in size, and the
//! result must keep the installed agent's `name`.

use std::collections::BTreeSet;

use crate::diag::{Diagnostic, Location};
use crate::install::Item;
use crate::lockfile::LockedPatch;
use crate::manifest::{PatchSpec, SourceSpec};
use crate::names::Sha256;

/// The folder `agentpack patch` writes patches into, beside `agentpack.toml`.
pub const PATCH_DIR: &str = "agentpack-patches";

/// Where `agentpack patch NAME` puts a new patch, relative to the manifest's directory.
pub fn default_file(agent: &str) -> String {
    format!("{PATCH_DIR}/{agent}.patch")
}

/// A new patch: the unified diff, and how many lines it adds and removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub diff: Vec<u8>,
    pub added: usize,
    pub removed: usize,
}

/// A unified diff turning `upstream` into `edited`, `None` when they are equal. Both sides are labelled
/// with the installed file, as `git diff` would.
pub fn create(file_label: &str, upstream: &[u8], edited: &[u8]) -> Option<Created> {
    if upstream == edited {
        return None;
    }
    let patch = diffy::DiffOptions::new()
        .set_original_filename(format!("a/{file_label}"))
        .set_modified_filename(format!("b/{file_label}"))
        .create_patch_bytes(upstream, edited);
    let lines = patch.hunks().iter().flat_map(|h| h.lines());
    let (added, removed) = lines.fold((0, 0), |(a, r), line| match line {
        diffy::Line::Insert(_) => (a + 1, r),
        diffy::Line::Delete(_) => (a, r + 1),
        diffy::Line::Context(_) => (a, r),
    });
    // As git and GNU diff write them: a blank context line keeps its leading space.
    let mut diff = Vec::new();
    diffy::PatchFormatter::new()
        .suppress_blank_empty(false)
        .write_patch_into(&patch, &mut diff)
        .expect("writing into memory cannot fail");
    Some(Created {
        diff,
        added,
        removed,
    })
}

/// Apply every `[patches]` entry to the agent it names (by installed name), in place. `diagnostics` are
/// the selection's: those of each patched file are replaced by the checks of the patched bytes, and a
/// patch that is missing, unreadable or no longer applies, or names no selected agent, adds an error.
pub fn apply(
    placed: &mut [Item],
    patches: &[PatchSpec],
    specs: &[SourceSpec],
    strict: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut replaced = BTreeSet::new();
    for patch in patches {
        let Some(p) = placed
            .iter_mut()
            .find(|p| p.kind == crate::install::ItemKind::Agent && p.installed_name == patch.agent)
        else {
            diagnostics.push(
                Diagnostic::error(
                    "patch-invalid",
                    format!(
                        "`[patches]` has a patch for `{}`, but no selected agent is installed under that name",
                        patch.agent
                    ),
                )
                .at(Location::file(&patch.written))
                .with_hint(format!(
                    "drop it with `agentpack patch --remove {}`, or fix the name in agentpack.toml",
                    patch.agent
                )),
            );
            continue;
        };
        let (bytes, text) = match patched(p, patch) {
            Ok(patched) => patched,
            Err(problem) => {
                diagnostics.push(*problem);
                continue;
            }
        };
        let spec = specs.iter().find(|s| s.name.as_str() == p.source);
        diagnostics.extend(check_patched(p, patch, &bytes, spec, strict));
        replaced.insert(p.label());
        p.set_bytes(bytes);
        p.patch = Some(LockedPatch {
            file: patch.written.clone(),
            sha256: Sha256::of(&text),
        });
    }
    diagnostics.retain(|d| {
        d.location
            .as_ref()
            .is_none_or(|l| !replaced.contains(&l.file))
    });
}

/// The bytes of `p` with `patch` applied, and the patch file's own bytes; else why it cannot be.
/// (The problem is boxed: a diagnostic is large and the patched bytes are the common case.)
fn patched(
    p: &Item,
    patch: &PatchSpec,
) -> std::result::Result<(Vec<u8>, Vec<u8>), Box<Diagnostic>> {
    let text = read(patch).map_err(|why| Box::new(unreadable(patch, &why)))?;
    let parsed = diffy::Patch::from_bytes(&text)
        .map_err(|e| Box::new(unreadable(patch, &format!("is not a unified diff ({e})"))))?;
    let bytes = diffy::apply_bytes(&p.bytes, &parsed).map_err(|e| {
        Box::new(conflict(
            patch,
            &format!(
                "no longer applies to `{}` ({e}): the source changed the lines it edits",
                p.label()
            ),
        ))
    })?;
    Ok((bytes, text))
}

/// The checks of the patched bytes of `p`, as of any agent of its source, and that the patch kept its
/// name (renaming is `rename`'s job).
fn check_patched(
    p: &Item,
    patch: &PatchSpec,
    bytes: &[u8],
    spec: Option<&SourceSpec>,
    strict: bool,
) -> Vec<Diagnostic> {
    let label = format!("{} + {}", p.label(), patch.written);
    let mut checks = crate::select::check_installed(&label, bytes, spec, strict);
    let name = crate::frontmatter::parse(&label, bytes)
        .name()
        .map(str::to_string);
    if name.as_deref() != Some(patch.agent.as_str()) {
        checks.push(
            Diagnostic::error(
                "patch-invalid",
                format!(
                    "the patched `{}` declares `name: {}`, not `{}`",
                    p.installed_name,
                    name.as_deref().unwrap_or(""),
                    patch.agent
                ),
            )
            .at(Location::file(&patch.written))
            .with_hint("rename agents with `rename` in agentpack.toml, not with a patch"),
        );
    }
    checks
}

/// The patch file's bytes, bounded like an agent file; else what is wrong with it.
fn read(patch: &PatchSpec) -> std::result::Result<Vec<u8>, String> {
    match std::fs::metadata(&patch.file) {
        Ok(meta) if !meta.is_file() => Err("is not a regular file".into()),
        Ok(meta) if meta.len() > crate::limits::MAX_FILE_SIZE as u64 => {
            Err(format!("is over {} bytes", crate::limits::MAX_FILE_SIZE))
        }
        Ok(_) => std::fs::read(&patch.file).map_err(|e| format!("cannot be read: {e}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err("is missing".into()),
        Err(e) => Err(format!("cannot be read: {e}")),
    }
}

fn unreadable(patch: &PatchSpec, why: &str) -> Diagnostic {
    Diagnostic::error(
        "patch-invalid",
        format!("patch `{}` of `{}` {why}", patch.written, patch.agent),
    )
    .at(Location::file(&patch.written))
    .with_hint(format!(
        "restore it from version control, or drop it with `agentpack patch --remove {}`",
        patch.agent
    ))
}

fn conflict(patch: &PatchSpec, why: &str) -> Diagnostic {
    Diagnostic::error(
        "patch-conflict",
        format!("patch `{}` of agent `{}` {why}", patch.written, patch.agent),
    )
    .at(Location::file(&patch.written))
    .with_hint(format!(
        "nothing was changed. To move on: `agentpack patch --remove {0}`, install or update, redo your edit in the installed file and run `agentpack patch {0}` (keep a copy of `{1}` to redo it from)",
        patch.agent, patch.written
    ))
}
