//! Selection: which agent files of a resolved source get installed, under which names, and what the
//! front-matter checks say about them.
//!
//! Every `.md` file under the searched directory is parsed. A file with a `name` is an agent; files
//! without front matter or without a `name` are documentation and are skipped (shown with `-v`). Broken
//! files (unparsable front matter, invalid UTF-8, too large) are errors when they are in scope: when the
//! source takes every agent, or when an `agents` entry matches their path or the name they seem to have.
//! Warnings are reported only for agents that are selected.
//!
//! The trust gate ([`gate`]) is applied here because only here is the source known: the front-matter
//! checks report hidden Unicode and risky fields as errors, and a source's `allow-unicode = true` turns the
//! first into warnings (kept as warnings under `--strict`: the source opted in), its `trust = [...]` lets
//! the listed fields through.

pub mod items;

use crate::diag::{Diagnostic, Location, Severity};
use crate::frontmatter::trust::HIDDEN_UNICODE;
use crate::frontmatter::{self, Parsed};
use crate::in_order::on_every_core;
use crate::manifest::{Pattern, Selection, SourceSpec};
use crate::names::rename_key_matches;
use crate::names::{Sha256, TrustKind};
use crate::resolve::Resolved;
use crate::source::{Content, SourceFile};

/// An agent that will be installed.
#[derive(Debug, Clone)]
pub struct SelectedAgent {
    pub source: String,
    /// Path in the repository (what the lock records).
    pub repo_path: String,
    /// The front-matter name in the source.
    pub original_name: String,
    /// The name it is installed under (differs when renamed).
    pub installed_name: String,
    /// The exact bytes to install.
    pub bytes: Vec<u8>,
    /// Their sha256 (the source's own when they are the upstream bytes, hashed again when renamed).
    pub sha256: Sha256,
    /// The plugin of a marketplace it belongs to, if any.
    pub plugin: Option<String>,
}

impl SelectedAgent {
    /// Replace the bytes to install (renamed again), keeping the hash in step.
    pub fn set_bytes(&mut self, bytes: Vec<u8>) {
        self.sha256 = Sha256::of(&bytes);
        self.bytes = bytes;
    }
}

/// What selection found in one source.
#[derive(Debug, Default)]
pub struct SourceSelection {
    pub agents: Vec<SelectedAgent>,
    /// Errors and warnings (warnings already promoted under `strict`).
    pub diagnostics: Vec<Diagnostic>,
    /// Files passed over as documentation or skipped, with the reason (for `-v`).
    pub passed_over: Vec<(String, String)>,
}

struct Candidate<'a> {
    /// Its index in the snapshot's files.
    index: usize,
    path: &'a str,
    repo_path: &'a str,
    bytes: &'a [u8],
    sha256: &'a Sha256,
    agent: frontmatter::AgentFile,
}

/// Select the agents of one resolved source: parse every file, keep those its `agents`/`exclude` pick,
/// rename them, and check them (the trust gate included).
///
/// The bytes of each agent installed as it is are moved out of `resolved`'s snapshot, not copied (an
/// install holds every file once; its peak memory is the sources' files): the snapshot's paths stay,
/// but those files' contents are spent.
pub fn select(resolved: &mut Resolved, strict: bool) -> SourceSelection {
    let parsed = (parse_agent_files([&*resolved]).pop()).expect("one ParsedFiles for one source");
    select_parsed(resolved, strict, parsed)
}

/// The front matter of every agent file of one source ([`crate::kinds::agent_files`]), in order, each
/// with the file's index in the source's snapshot.
pub struct ParsedFiles {
    /// The source they were parsed for.
    source: String,
    files: Vec<(usize, Parsed)>,
}

/// Parse the agent files of every source of `sources` in one batch on every core (one batch for all the
/// sources, so that no core waits at the end of each source's): one [`ParsedFiles`] per source, in order.
pub fn parse_agent_files<'r>(sources: impl IntoIterator<Item = &'r Resolved>) -> Vec<ParsedFiles> {
    let sources: Vec<&Resolved> = sources.into_iter().collect();
    let files: Vec<(usize, usize, &SourceFile)> = (sources.iter().enumerate())
        .flat_map(|(i, r)| {
            let files = crate::kinds::agent_files(&r.snapshot);
            files.into_iter().map(move |(index, file)| (i, index, file))
        })
        .collect();
    let parse = |&(i, _, file): &(usize, usize, &SourceFile)| {
        let label = label(sources[i].spec.name.as_str(), &file.repo_path);
        match &file.content {
            Content::TooLarge { size, head } => frontmatter::parse_too_large(&label, *size, head),
            Content::Bytes { bytes, .. } => frontmatter::parse(&label, bytes),
        }
    };
    let mut out: Vec<ParsedFiles> = (sources.iter())
        .map(|r| ParsedFiles {
            source: r.spec.name.to_string(),
            files: Vec::new(),
        })
        .collect();
    for (&(i, index, _), parsed) in files.iter().zip(on_every_core(&files, parse)) {
        out[i].files.push((index, parsed));
    }
    out
}

/// Where a diagnostic about a file of source `source` points: `source:repo/path.md`.
fn label(source: &str, repo_path: &str) -> String {
    format!("{source}:{repo_path}")
}

/// [`select`], with the source's agent files already parsed by [`parse_agent_files`].
pub fn select_parsed(
    resolved: &mut Resolved,
    strict: bool,
    parsed: ParsedFiles,
) -> SourceSelection {
    let mut selector = Selector {
        resolved,
        strict,
        out: SourceSelection::default(),
        seen: Vec::new(),
        unchanged: Vec::new(),
    };
    selector.pass_over_skipped();
    let candidates = selector.classify_files(parsed);
    selector.report_unmatched_entries(&candidates);
    let chosen: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| selector.takes(&c.agent.name, c.path))
        .collect();
    let new_names = selector.new_names(&chosen);
    for (candidate, new_name) in chosen.into_iter().zip(new_names) {
        selector.finish(candidate, new_name);
    }
    let Selector {
        mut out, unchanged, ..
    } = selector;
    for (agent, file) in unchanged {
        if let Content::Bytes { bytes, .. } = &mut resolved.snapshot.files[file].content {
            out.agents[agent].bytes = std::mem::take(bytes);
        }
    }
    out
}

/// The state of [`select`] over one source.
struct Selector<'a> {
    resolved: &'a Resolved,
    strict: bool,
    out: SourceSelection,
    /// Every (name, path) an `agents` entry could have matched, to report entries that match nothing.
    seen: Vec<(String, String)>,
    /// Agents installed as they are: (index in `out.agents`, index of the file in the snapshot), whose
    /// bytes [`select`] moves out of the snapshot once the selector is done with it.
    unchanged: Vec<(usize, usize)>,
}

impl<'a> Selector<'a> {
    fn source(&self) -> &'a str {
        self.resolved.spec.name.as_str()
    }

    fn selection(&self) -> &'a Selection {
        &self.resolved.spec.selection
    }

    fn label(&self, repo_path: &str) -> String {
        label(self.source(), repo_path)
    }

    /// No `agents` list: every agent of the source is taken.
    fn take_all(&self) -> bool {
        self.selection().agents.is_empty()
    }

    /// Is an agent (or a broken file seeming to be one) in scope: picked by `agents`, not excluded?
    fn takes(&self, name: &str, path: &str) -> bool {
        let selection = self.selection();
        if !selection.takes_agents() {
            return false;
        }
        let picked = self.take_all() || selection.agents.iter().any(|p| p.matches(name, path));
        picked && !selection.exclude.iter().any(|p| p.matches(name, path))
    }

    /// Does an `agents` entry name exactly this path, so that it not being an agent is an error?
    fn named_by_path(&self, path: &str) -> bool {
        !self.take_all() && explicitly_named(&self.selection().agents, path)
    }

    /// Files the snapshot skipped (symlinks leading out): an error when `agents` names one by path.
    fn pass_over_skipped(&mut self) {
        for skipped in &self.resolved.snapshot.skipped {
            let path = strip_subdir(self.resolved, &skipped.repo_path);
            self.seen.push((String::new(), path.to_string()));
            if self.named_by_path(path) {
                self.out.diagnostics.push(
                    Diagnostic::error(
                        "symlink-outside",
                        format!("{}: {}", skipped.repo_path, skipped.reason),
                    )
                    .at(Location::file(self.label(&skipped.repo_path))),
                );
            } else {
                (self.out.passed_over)
                    .push((self.label(&skipped.repo_path), skipped.reason.clone()));
            }
        }
    }

    /// Classify the parsed files (`parsed`: [`parse_agent_files`] of this very source): agents become
    /// candidates; documents and broken files are passed over, or reported when in scope.
    fn classify_files(&mut self, parsed: ParsedFiles) -> Vec<Candidate<'a>> {
        // Checked in release builds too: paired with another source's snapshot, an agent parsed from one
        // file would be installed with another file's path and bytes.
        assert_eq!(
            parsed.source,
            self.source(),
            "parsed with another source's files"
        );
        let snapshot = &self.resolved.snapshot;
        let mut candidates = Vec::new();
        for (index, parsed) in parsed.files {
            let file = &snapshot.files[index];
            match parsed {
                Parsed::Agent(agent) => {
                    self.seen.push((agent.name.clone(), file.path.clone()));
                    let Content::Bytes { bytes, sha256 } = &file.content else {
                        unreachable!("only loaded files parse as agents")
                    };
                    candidates.push(Candidate {
                        index,
                        path: &file.path,
                        repo_path: &file.repo_path,
                        bytes,
                        sha256,
                        agent,
                    });
                }
                Parsed::Document { reason } => self.document(file, reason),
                Parsed::Broken {
                    name_hint,
                    diagnostics,
                } => self.broken(file, name_hint.unwrap_or_default(), diagnostics),
            }
        }
        candidates
    }

    /// A file without front matter or without a `name`: documentation, unless `agents` names its path.
    fn document(&mut self, file: &SourceFile, reason: String) {
        self.seen.push((String::new(), file.path.clone()));
        if self.named_by_path(&file.path) {
            self.out.diagnostics.push(
                Diagnostic::error("not-an-agent", format!("`{}` is not an agent: {reason}", file.path))
                    .at(Location::file(self.label(&file.repo_path)))
                    .with_hint("an agent file starts with `---`, then front matter with `name` and `description`"),
            );
        } else {
            self.out
                .passed_over
                .push((self.label(&file.repo_path), reason));
        }
    }

    /// A file whose front matter does not parse: its errors count when it is in scope.
    fn broken(&mut self, file: &SourceFile, name: String, diagnostics: Vec<Diagnostic>) {
        let in_scope = self.takes(&name, &file.path);
        self.seen.push((name, file.path.clone()));
        if in_scope {
            self.out.diagnostics.extend(diagnostics);
        } else {
            self.out.passed_over.push((
                self.label(&file.repo_path),
                "front matter does not parse; not selected".into(),
            ));
        }
    }

    /// `agents` entries that match no file of the source, with the agents it has.
    fn report_unmatched_entries(&mut self, candidates: &[Candidate]) {
        let source = self.source();
        for pattern in &self.selection().agents {
            if self
                .seen
                .iter()
                .any(|(name, path)| pattern.matches(name, path))
            {
                continue;
            }
            let mut names: Vec<&str> = candidates.iter().map(|c| c.agent.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            let shown = names
                .iter()
                .take(12)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            self.out.diagnostics.push(
                Diagnostic::error(
                    "agent-not-found",
                    format!(
                        "source `{source}` has no agent matching `{}`",
                        pattern.written
                    ),
                )
                .with_hint(if names.is_empty() {
                    "the source has no agents under its searched directory".to_string()
                } else {
                    format!(
                        "agents in `{source}`: {shown}{}",
                        if names.len() > 12 { ", ..." } else { "" }
                    )
                }),
            );
        }
    }

    /// The name each chosen agent is installed under when it differs from its own: `rename`, else
    /// `prefix`. A `rename` key that matches no chosen agent is an error.
    fn new_names(&mut self, chosen: &[Candidate]) -> Vec<Option<String>> {
        let selection = self.selection();
        let mut renamed_to: Vec<Option<String>> = chosen
            .iter()
            .map(|c| selection.prefixed(&c.agent.name))
            .collect();
        for (key, new_name) in (selection.rename.iter()).filter(|(k, _)| Selection::is_agent_key(k))
        {
            let mut hit = false;
            for (i, c) in chosen.iter().enumerate() {
                if rename_key_matches(key, &c.agent.name, c.path, c.repo_path) {
                    renamed_to[i] = Some(new_name.clone());
                    hit = true;
                }
            }
            if !hit {
                self.out.diagnostics.push(
                    Diagnostic::error(
                        "rename-not-found",
                        format!(
                            "`rename` key `{key}` of source `{}` matches no selected agent",
                            self.source()
                        ),
                    )
                    .with_hint("a key is a front-matter name, or a path relative to `subdir`"),
                );
            }
        }
        renamed_to
    }

    /// A chosen agent: its checks through the trust gate, its `name:` rewritten when renamed.
    fn finish(&mut self, candidate: Candidate, new_name: Option<String>) {
        let Candidate {
            index,
            repo_path,
            bytes,
            sha256,
            agent,
            ..
        } = candidate;
        let strict = self.strict;
        let checked = (agent.diagnostics.into_iter()).map(|d| if strict { d.promote() } else { d });
        (self.out.diagnostics).extend(gate(checked, &self.resolved.spec));
        let (installed_name, bytes, sha256) = match new_name {
            None => {
                self.unchanged.push((self.out.agents.len(), index));
                (agent.name.clone(), Vec::new(), sha256.clone())
            }
            Some(new_name) => match frontmatter::rename(bytes, &new_name) {
                Ok(bytes) => {
                    let sha256 = Sha256::of(&bytes);
                    (new_name, bytes, sha256)
                }
                Err(reason) => {
                    self.out.diagnostics.push(
                        Diagnostic::error(
                            "rename-failed",
                            format!("cannot rename `{}`: {reason}", agent.name),
                        )
                        .at(Location::at(
                            self.label(repo_path),
                            agent.name_line,
                            1,
                        )),
                    );
                    return;
                }
            },
        };
        self.out.agents.push(SelectedAgent {
            source: self.source().to_string(),
            repo_path: repo_path.to_string(),
            original_name: agent.name,
            installed_name,
            bytes,
            sha256,
            plugin: None,
        });
    }
}

/// The checks of an agent file as it will be (or is) installed, `label` naming it: not an agent at all
/// is an error; warnings are promoted under `strict`; the source's trust gate applies when the source is
/// known. `install` (for patched files) and `verify` (for every installed file) share it.
pub fn check_installed(
    label: &str,
    bytes: &[u8],
    spec: Option<&SourceSpec>,
    strict: bool,
) -> Vec<Diagnostic> {
    let diagnostics = match frontmatter::parse(label, bytes) {
        Parsed::Document { reason } => vec![
            Diagnostic::error(
                "not-an-agent",
                format!("`{label}` is not an agent: {reason}"),
            )
            .at(Location::file(label))
            .with_hint("restore it with `agentpack install --force`"),
        ],
        parsed => parsed
            .diagnostics()
            .iter()
            .cloned()
            .map(|d| if strict { d.promote() } else { d })
            .collect(),
    };
    match spec {
        Some(spec) => gate(diagnostics, spec),
        None => diagnostics,
    }
}

/// Apply a source's `trust` and `allow-unicode` to the diagnostics of one of its agents: trusted risky
/// fields are dropped, allowed hidden Unicode becomes a warning, and what stays refused gets a hint with
/// the exact line to add to the source's table.
pub fn gate(
    diagnostics: impl IntoIterator<Item = Diagnostic>,
    spec: &SourceSpec,
) -> Vec<Diagnostic> {
    // A pack's sources are trusted as the top-level source that brought them in: that is where to grant.
    let table = format!("[sources.{}]", spec.name.root());
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            if d.code == HIDDEN_UNICODE {
                if spec.allow_unicode {
                    d.severity = Severity::Warning;
                    d.hint = Some(format!("allowed by `allow-unicode = true` in {table}"));
                } else {
                    d.hint = Some(format!(
                        "remove it; if you trust source `{}`, add this line to {table} in agentpack.toml (it is then a warning): allow-unicode = true",
                        spec.name.root()
                    ));
                }
            } else if let Some(kind) = TrustKind::of_code(d.code) {
                if spec.trust.contains(&kind) {
                    return None;
                }
                let mut wanted = spec.trust.clone();
                wanted.push(kind);
                wanted.sort();
                let list: Vec<String> = wanted.iter().map(|k| format!("\"{}\"", k.as_str())).collect();
                d.hint = Some(format!(
                    "read it first; to allow it, {} this line in {table} in agentpack.toml: trust = [{}]",
                    if spec.trust.is_empty() { "add" } else { "use" },
                    list.join(", ")
                ));
            }
            Some(d)
        })
        .collect()
}

/// The path of `repo_path` relative to the source's searched directory.
fn strip_subdir<'a>(resolved: &Resolved, repo_path: &'a str) -> &'a str {
    match &resolved.spec.subdir {
        Some(dir) => repo_path
            .strip_prefix(dir.as_str())
            .map(|p| p.trim_start_matches('/'))
            .unwrap_or(repo_path),
        None => repo_path,
    }
}

/// Does an `agents` entry name exactly this path (not through a glob)?
fn explicitly_named(patterns: &[Pattern], path: &str) -> bool {
    patterns
        .iter()
        .any(|p| p.by_path && p.written.trim_start_matches("./") == path)
}
