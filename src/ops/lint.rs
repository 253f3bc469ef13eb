//! `agentpack lint PATH...`: run the front-matter checks on files and directories, installing nothing.
//!
//! A file named on the command line must be an agent (a `SKILL.md` never is); in a directory, the files
//! an install never takes for agents (a skill's files, files below a `commands/` folder) are left out,
//! and `.md` files without front matter or without `name` are documentation and are passed over. The
//! same `name` in two linted files is a warning: Claude Code loads only one of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Location};
use crate::error::Result;
use crate::frontmatter::{self, Parsed};
use crate::source::{self, Content};

#[derive(Debug, Default)]
pub struct LintReport {
    pub files: usize,
    pub agents: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Files passed over as documentation, with the reason.
    pub passed_over: Vec<(String, String)>,
}

impl LintReport {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

pub fn lint(paths: &[PathBuf], strict: bool) -> Result<LintReport> {
    let mut report = LintReport::default();
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in paths {
        if path.is_dir() {
            let snapshot = source::path::snapshot(&path.display().to_string(), path, None, None)?;
            for skipped in &snapshot.skipped {
                report.passed_over.push((
                    path.join(&skipped.repo_path).display().to_string(),
                    skipped.reason.clone(),
                ));
            }
            for (_, file) in crate::kinds::agent_files(&snapshot) {
                let label = path.join(&file.path).display().to_string();
                check_one(&label, &file.content, false, &mut report, &mut names);
            }
        } else if path.file_name().is_some_and(|n| n == "SKILL.md") {
            // Its front matter (`name`, `description`) would pass as an agent's, but no install ever takes
            // a SKILL.md for an agent: saying it is one would mislead.
            report.files += 1;
            let label = path.display().to_string();
            report.diagnostics.push(
                Diagnostic::error(
                    "not-an-agent",
                    format!("`{label}` is not an agent: it is a skill's SKILL.md, and `lint` checks agents only"),
                )
                .at(Location::file(&label))
                .with_hint("`agentpack verify` checks installed skills (every file, as Claude Code reads them), and `agentpack install` the skills a source's `skills` key picks"),
            );
        } else {
            let label = path.display().to_string();
            let content = source::path::read(path)?;
            check_one(&label, &content, true, &mut report, &mut names);
        }
    }
    for (name, files) in names.into_iter().filter(|(_, f)| f.len() > 1) {
        report.diagnostics.push(
            Diagnostic::warning(
                "duplicate-name",
                format!(
                    "{} files declare `name: {name}`: {}; Claude Code loads only one of them",
                    files.len(),
                    files.join(", ")
                ),
            )
            .with_hint("give each agent a distinct `name`"),
        );
    }
    if strict {
        report.diagnostics = report
            .diagnostics
            .into_iter()
            .map(Diagnostic::promote)
            .collect();
    }
    Ok(report)
}

fn check_one(
    label: &str,
    content: &Content,
    named: bool,
    report: &mut LintReport,
    names: &mut BTreeMap<String, Vec<String>>,
) {
    report.files += 1;
    let parsed = match content {
        Content::TooLarge { size, head } => frontmatter::parse_too_large(label, *size, head),
        Content::Bytes { bytes, .. } => frontmatter::parse(label, bytes),
    };
    match parsed {
        Parsed::Agent(agent) => {
            report.agents += 1;
            names
                .entry(agent.name.clone())
                .or_default()
                .push(label.to_string());
            report.diagnostics.extend(agent.diagnostics);
        }
        Parsed::Broken { diagnostics, .. } => report.diagnostics.extend(diagnostics),
        Parsed::Document { reason } if named => report.diagnostics.push(
            Diagnostic::error(
                "not-an-agent",
                format!("`{label}` is not an agent: {reason}"),
            )
            .at(Location::file(label))
            .with_hint(
                "an agent file starts with `---`, then front matter with `name` and `description`",
            ),
        ),
        Parsed::Document { reason } => report.passed_over.push((label.to_string(), reason)),
    }
}

/// Files named on the command line that do not exist are a usage error, reported before any check.
pub fn missing_paths(paths: &[PathBuf]) -> Vec<&Path> {
    paths
        .iter()
        .filter(|p| !p.exists())
        .map(PathBuf::as_path)
        .collect()
}
