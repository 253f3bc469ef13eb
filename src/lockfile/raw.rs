//! The lock's TOML as serde reads and writes it, private to [`crate::lockfile`]: every field optional or
//! plain text, in the order the file lists them. [`Lockfile::from_raw`](super::Lockfile) turns it into the
//! typed model (collecting every problem a hand edit can cause); [`RawLock::from`] writes it back.
//! [`parse`] reads a large lock in pieces, on every core.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{LockedAgent, LockedOrigin, LockedPatch, LockedSource, Lockfile, SkippedAgent};
use crate::in_order::on_every_core;
use crate::names::{AgentName, Commit, GitRef, Sha256};

/// How many pieces a large lock is cut into (enough for [`on_every_core`] to spread them).
const PIECES: usize = 64;

/// A lock under this size is parsed whole: cutting it would save less than it costs.
const PIECES_FROM: usize = 64 * 1024;

/// Every top-level array of tables a lock has: a piece may start at a line that is only the header of
/// one (`[[agent]]`).
const ARRAYS: [&str; 5] = ["source", "agent", "skill", "command", "skipped"];

/// Parse the lock's TOML. A large lock (a 10,000-agent lock is 2 MB, which `toml` reads in about 40 ms on
/// one core) is cut into pieces, each starting at a line that is only a top-level header such as
/// `[[agent]]`, parsed on every core, and their entries joined in order; when any piece does not parse,
/// the whole text is parsed as one, so a broken lock is reported exactly as before.
///
/// Why the pieces give what the whole would: such a line can only be a header (`[[agent]]` is not a
/// value: `agent` is no literal), unless it is inside a multi-line string (a text holding `"""` or `'''`
/// is never cut; a piece that began inside one would not parse either), so each piece starts where the
/// parser starts a new element of a top-level array, and every key and table up to the next cut belongs
/// to that element. What a piece cannot see is the tables of the pieces before it: a header that refers
/// back to the last entry of an earlier piece (`[[skill.files]]` for a skill of the piece before) makes
/// a table of that name in the piece, which `RawLock` refuses, so the whole text is parsed instead and
/// decides. A top-level key cannot follow a header, so `version` is only in the first piece; the others
/// are read with a `version` line put in front, which is dropped. The first piece ends at the first
/// cut, so it holds only the top-level keys; any key there but `version` (an array written inline,
/// `agent = [..]`, which TOML forbids a later `[[agent]]` to extend, unseen by the later piece) has the
/// whole text parsed instead.
pub(super) fn parse(text: &str) -> Result<RawLock, toml::de::Error> {
    match in_pieces(text) {
        Some(lock) => Ok(lock),
        None => toml::from_str(text),
    }
}

/// [`parse`]'s pieces, or `None` for a text to parse whole (small, holding a multi-line string, with no
/// line to cut at, with a top-level key other than `version`, or with a piece that does not parse).
pub(super) fn in_pieces(text: &str) -> Option<RawLock> {
    if text.len() < PIECES_FROM || text.contains("\"\"\"") || text.contains("'''") {
        return None;
    }
    let starts = text
        .match_indices("\n[[")
        .map(|(at, _)| at + 1)
        .filter(|&at| {
            let line = text[at..].split('\n').next().unwrap_or("");
            let line = line.strip_suffix('\r').unwrap_or(line);
            (line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")))
                .is_some_and(|key| ARRAYS.contains(&key))
        });
    // The first start, then the first start at or after each of PIECES - 1 evenly spaced offsets.
    let mut cuts = vec![0];
    for at in starts {
        if cuts.len() == 1 || at >= cuts.len() * text.len() / PIECES {
            cuts.push(at);
        }
    }
    if cuts.len() == 1 {
        return None;
    }
    cuts.push(text.len());
    // The first piece holds the top-level keys: any but `version` (such as an array written inline,
    // `agent = [..]`, which no later `[[agent]]` may extend) is left to the whole text.
    let top: toml::Table = toml::from_str(&text[..cuts[1]]).ok()?;
    if top.keys().map(String::as_str).ne(["version"]) {
        return None;
    }
    let pieces: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let parsed = on_every_core(&pieces, |&(start, end)| match start {
        0 => toml::from_str::<RawLock>(&text[..end]).ok(),
        _ => toml::from_str::<RawLock>(&format!("version = 0\n{}", &text[start..end])).ok(),
    });
    let mut parsed = parsed.into_iter();
    let mut lock = parsed.next()??;
    for piece in parsed {
        let piece = piece?;
        lock.sources.extend(piece.sources);
        lock.agents.extend(piece.agents);
        lock.skills.extend(piece.skills);
        lock.commands.extend(piece.commands);
        lock.skipped.extend(piece.skipped);
    }
    Some(lock)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLock {
    pub version: u32,
    #[serde(default, rename = "source", skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<RawSource>,
    #[serde(default, rename = "agent", skip_serializing_if = "Vec::is_empty")]
    pub agents: Vec<RawAgent>,
    #[serde(default, rename = "skill", skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<super::items::RawSkill>,
    #[serde(default, rename = "command", skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<super::items::RawCommand>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedAgent>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSource {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    git: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ref_kind: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subdir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugin: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawAgent {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_name: Option<String>,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plugin: Option<String>,
    path: String,
    file: String,
    sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    adopted: bool,
}

impl From<&Lockfile> for RawLock {
    fn from(lock: &Lockfile) -> Self {
        RawLock {
            version: super::FORMAT_VERSION,
            sources: lock.sources.iter().map(RawSource::from).collect(),
            agents: lock.agents.iter().map(RawAgent::from).collect(),
            skills: lock.skills.iter().map(Into::into).collect(),
            commands: lock.commands.iter().map(Into::into).collect(),
            skipped: lock.skipped.clone(),
        }
    }
}

impl From<&LockedSource> for RawSource {
    fn from(s: &LockedSource) -> Self {
        let mut raw = RawSource {
            name: s.name.clone(),
            subdir: s.subdir.clone(),
            required_by: s.required_by.clone(),
            plugin: s.plugin.clone(),
            ..RawSource::default()
        };
        match &s.origin {
            LockedOrigin::Git {
                url,
                reference,
                commit,
                tag,
            } => {
                let (kind, value) = reference.kind_and_value();
                raw.git = Some(url.written.clone());
                raw.ref_kind = Some(kind.to_string());
                raw.reference = value.map(str::to_string);
                raw.commit = Some(commit.to_string());
                raw.tag = tag.clone();
            }
            LockedOrigin::Path { path, content_hash } => {
                raw.path = Some(path.clone());
                raw.content_hash = Some(content_hash.clone());
            }
        }
        raw
    }
}

impl From<&LockedAgent> for RawAgent {
    fn from(a: &LockedAgent) -> Self {
        RawAgent {
            name: a.name.to_string(),
            original_name: a.original_name.clone(),
            source: a.source.clone(),
            plugin: a.plugin.clone(),
            path: a.path.clone(),
            file: a.file.clone(),
            sha256: a.sha256.to_string(),
            patch: a.patch.as_ref().map(|p| p.file.clone()),
            patch_sha256: a.patch.as_ref().map(|p| p.sha256.to_string()),
            adopted: a.adopted,
        }
    }
}

impl RawSource {
    /// The typed entry; `root` is the lock's directory (a local repository path is relative to it).
    pub(super) fn typed(self, root: &Path) -> Result<LockedSource, Vec<String>> {
        let name = self.name;
        let mut problems = Vec::new();
        let mut problem = |m: String| problems.push(format!("source `{name}`: {m}"));
        let origin = match (self.git, self.path) {
            (Some(git), None) => {
                if self.content_hash.is_some() {
                    problem("a `git` source has no `content-hash`".into());
                }
                let url = crate::manifest::check_git_url(root, &git).map_err(&mut problem);
                let kind = self.ref_kind.as_deref().unwrap_or("default-branch");
                let reference =
                    GitRef::parse(kind, self.reference.as_deref()).map_err(&mut problem);
                let commit = match self.commit.as_deref().map(|c| (c, Commit::parse(c))) {
                    Some((_, Some(commit))) => Some(commit),
                    Some((c, None)) => {
                        problem(format!("`commit` `{c}` is not a 40-hex commit id"));
                        None
                    }
                    None => {
                        problem("a `git` source needs its `commit`".into());
                        None
                    }
                };
                if self.ref_kind.is_none() {
                    problem("a `git` source needs its `ref-kind`".into());
                }
                match (url, reference, commit) {
                    (Ok(url), Ok(reference), Some(commit)) => Some(LockedOrigin::Git {
                        url,
                        reference,
                        commit,
                        tag: self.tag,
                    }),
                    _ => None,
                }
            }
            (None, Some(path)) => {
                let git_only = [&self.ref_kind, &self.reference, &self.commit, &self.tag];
                if git_only.iter().any(|field| field.is_some()) {
                    problem("a `path` source has no `ref-kind`, `ref`, `commit` or `tag`".into());
                }
                match self.content_hash {
                    Some(content_hash) => Some(LockedOrigin::Path { path, content_hash }),
                    None => {
                        problem("a `path` source needs its `content-hash`".into());
                        None
                    }
                }
            }
            _ => {
                problem("needs exactly one of `git` and `path`".into());
                None
            }
        };
        match origin {
            Some(origin) if problems.is_empty() => Ok(LockedSource {
                name,
                origin,
                subdir: self.subdir,
                required_by: self.required_by,
                plugin: self.plugin,
            }),
            _ => Err(problems),
        }
    }
}

impl RawAgent {
    pub(super) fn typed(self) -> Result<LockedAgent, Vec<String>> {
        let label = self.name.clone();
        let mut problems = Vec::new();
        let name = AgentName::parse(&self.name)
            .map_err(|problem| problems.push(format!("agent `{label}`: {problem}")));
        let sha256 = Sha256::parse(&self.sha256).ok_or_else(|| {
            problems.push(format!("agent `{label}`: `sha256` is not 64 hex digits"));
        });
        let patch = match (self.patch, self.patch_sha256.as_deref().map(Sha256::parse)) {
            (None, None) => Ok(None),
            (Some(file), Some(Some(sha256))) => Ok(Some(LockedPatch { file, sha256 })),
            _ => {
                problems.push(format!(
                    "agent `{label}`: `patch` needs `patch-sha256`, 64 hex digits"
                ));
                Err(())
            }
        };
        let expected_file_name = format!("{label}.md");
        let safe_dir = Path::new(&self.file)
            .parent()
            .is_some_and(|dir| !dir.is_absolute());
        if !self.file.ends_with(&format!("/{expected_file_name}"))
            && self.file != expected_file_name
            || !safe_dir
        {
            problems.push(format!(
                "agent `{label}`: `file` `{}` does not name `{expected_file_name}` in a relative directory",
                self.file
            ));
        }
        match (name, sha256, patch) {
            (Ok(name), Ok(sha256), Ok(patch)) if problems.is_empty() => Ok(LockedAgent {
                name,
                original_name: self.original_name,
                source: self.source,
                plugin: self.plugin,
                path: self.path,
                file: self.file,
                sha256,
                patch,
                adopted: self.adopted,
            }),
            _ => Err(problems),
        }
    }
}

impl RawSource {
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn required_by(&self) -> Option<&str> {
        self.required_by.as_deref()
    }
}

impl RawAgent {
    pub(super) fn name(&self) -> &str {
        &self.name
    }

    pub(super) fn source(&self) -> &str {
        &self.source
    }
}
