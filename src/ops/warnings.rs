//! The diagnostics policy of the commands that install (`install`, `add`, `update`, `remove`): which
//! front-matter warnings are shown in full, which are summed up, and which are not repeated.
//!
//! - Warnings about files of a git source (a third party's files, which the user does not edit) are
//!   summed up in one line per source: the count by code and how to see them (`-v`, or
//!   `agentpack verify` for the installed files).
//! - Warnings about an agent this run leaves as it was (same source, path and bytes as the lock
//!   records) were shown when it was installed and are not repeated.
//! - Everything else is shown in full: warnings about the user's own files (`path` sources), warnings
//!   not about an agent file (`tag-moved`, `cache-damaged`, ...), `hidden-unicode` (a trust finding
//!   that `allow-unicode` made a warning), and every error.
//! - `-v` (the reporter's [`Reporter::detailed`]) shows every warning in full; `lint` and `verify`
//!   always show everything.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diag::Diagnostic;
use crate::install::Item;
use crate::lockfile::{LockedSource, Lockfile};
use crate::reporter::Reporter;

/// Report `warnings` by the policy above; returns how many were reported (in full or summed up).
pub fn report(
    warnings: &[Diagnostic],
    sources: &[LockedSource],
    placed: &[Item],
    previous: Option<&Lockfile>,
    reporter: &dyn Reporter,
) -> usize {
    if reporter.detailed() {
        warnings.iter().for_each(|w| reporter.diagnostic(w));
        return warnings.len();
    }
    let git_sources: BTreeSet<&str> = sources
        .iter()
        .filter(|s| s.git().is_some())
        .map(|s| s.name.as_str())
        .collect();
    let unchanged = unchanged_files(placed, previous);

    let mut reported = 0;
    let mut by_source: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for warning in warnings {
        let file = warning.location.as_ref().map(|l| l.file.as_str());
        if file.is_some_and(|f| unchanged.contains(f)) {
            continue;
        }
        reported += 1;
        // `hidden-unicode` is a trust finding the user allowed with `allow-unicode`: always in full.
        let source = file
            .and_then(|f| f.split_once(':'))
            .map(|(source, _)| source)
            .filter(|source| git_sources.contains(source) && warning.code != "hidden-unicode");
        match source {
            Some(source) => {
                *by_source
                    .entry(source)
                    .or_default()
                    .entry(warning.code)
                    .or_default() += 1;
            }
            None => reporter.diagnostic(warning),
        }
    }
    for (source, codes) in by_source {
        let total: usize = codes.values().sum();
        let counts: Vec<String> = codes
            .iter()
            .map(|(code, n)| format!("{n} {code}"))
            .collect();
        reporter.diagnostic(&Diagnostic::warning(
            "source-warnings",
            format!(
                "`{source}`: {} in its agent files ({}); `-v` shows them, so does `agentpack verify` for installed files",
                crate::diag::plural(total, "warning"),
                counts.join(", ")
            ),
        ));
    }
    reported
}

/// The files (as diagnostics label them) of the agents, commands and skills this run leaves as the lock
/// records them: same source, path and bytes. A patched agent's checks are labelled with its patch, as `patches::apply` does.
fn unchanged_files(placed: &[Item], previous: Option<&Lockfile>) -> BTreeSet<String> {
    let Some(lock) = previous else {
        return BTreeSet::new();
    };
    let placed_sha: HashMap<(&str, &str), &str> = placed
        .iter()
        .map(|p| ((p.source.as_str(), p.repo_path.as_str()), p.sha256.as_str()))
        .collect();
    let same =
        |source: &str, path: &str, sha256: &str| placed_sha.get(&(source, path)) == Some(&sha256);
    let agents = (lock.agents.iter())
        .filter(|a| same(&a.source, &a.path, a.sha256.as_str()))
        .map(|a| match &a.patch {
            Some(patch) => format!("{}:{} + {}", a.source, a.path, patch.file),
            None => format!("{}:{}", a.source, a.path),
        });
    let commands = (lock.commands.iter())
        .filter(|c| same(&c.source, &c.path, c.sha256.as_str()))
        .map(|c| format!("{}:{}", c.source, c.path));
    // A skill whose every file is as locked: its checks label the folder and each of its files.
    let skills = (lock.skills.iter())
        .filter(|k| {
            (k.files.iter()).all(|f| {
                let path = crate::source::join(Some(&k.path), &f.path);
                same(&k.source, &path, f.sha256.as_str())
            })
        })
        .flat_map(|k| {
            let folder = format!("{}:{}", k.source, k.path);
            let files =
                (k.files.iter()).map(move |f| format!("{}:{}/{}", k.source, k.path, f.path));
            std::iter::once(folder).chain(files)
        });
    agents.chain(commands).chain(skills).collect()
}
