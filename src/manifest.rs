//! `agentpack.toml`: finding it, parsing it, and turning it into checked [`SourceSpec`]s.
//!
//! The raw serde types ([`raw`]) stay inside this module; everything else in the crate sees only the checked
//! [`Manifest`]. Every problem is a [`Diagnostic`] pointing at `agentpack.toml:line:col`, and all of them are
//! collected before failing, so one run shows every mistake.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobMatcher};
use toml::Spanned;

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::frontmatter::trust::TrustKind;
use crate::names::SourceName;

pub const MANIFEST_NAME: &str = "agentpack.toml";
pub const DEFAULT_TARGET: &str = ".claude/agents";

/// The commented manifest `agentpack init` writes (also shipped as `agentpack.toml.example`).
pub const EXAMPLE: &str = include_str!("../agentpack.toml.example");

/// A checked manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file itself.
    pub path: PathBuf,
    /// The directory holding the manifest; relative paths in it are relative to this.
    pub root: PathBuf,
    /// Where agents are installed (absolute).
    pub target: PathBuf,
    /// `[install] strict = true`: warnings fail the install.
    pub strict: bool,
    /// Sources, sorted by name.
    pub sources: Vec<SourceSpec>,
    /// `[install] vendor = "DIR"` (absolute): git sources are read from this directory, never from the
    /// network or the cache (see [`crate::source::vendor`]).
    pub vendor: Option<PathBuf>,
    /// `[patches]`: the user's local patches, by installed agent name (see [`crate::patches`]).
    pub patches: Vec<PatchSpec>,
    /// `[install] on-collision`: what two sources providing one agent name lead to.
    pub on_collision: OnCollision,
    /// The names of `sources`, in the order the file lists them (for `on-collision = "first"`).
    pub source_order: Vec<SourceName>,
}

/// `[install] on-collision`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnCollision {
    /// Two agents landing on one name are a `name-collision` error (the default).
    #[default]
    Error,
    /// The source listed first in agentpack.toml wins; the others' agents of that name are skipped.
    First,
}

/// One `[patches]` entry: `NAME = "FILE"`, a unified diff applied to the installed agent NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchSpec {
    /// The installed agent's name.
    pub agent: String,
    /// The patch file as written: relative to the manifest's directory, `/`-separated, no `..`. The lock
    /// records it so.
    pub written: String,
    /// The patch file (absolute).
    pub file: PathBuf,
}

/// One `[sources.NAME]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpec {
    pub name: SourceName,
    pub kind: SourceKind,
    /// Only look under this directory of the source (`/`-separated, no `..`).
    pub subdir: Option<String>,
    pub selection: Selection,
    /// `trust = [...]`: the risky front-matter fields this source may bring in (sorted, no duplicates).
    pub trust: Vec<TrustKind>,
    /// `allow-unicode = true`: hidden Unicode characters are warnings instead of errors.
    pub allow_unicode: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    Git {
        url: GitUrl,
        reference: GitRef,
    },
    /// A plain local directory, no git.
    Path {
        written: String,
        dir: PathBuf,
    },
}

/// A git remote as the manifest wrote it and as git should be asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// Exactly as written in the manifest (recorded in the lockfile, so it stays portable).
    pub written: String,
    /// What to hand to git: the same URL, or an absolute path for a local repository path.
    pub fetch: String,
}

/// Which commit of a git source to take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitRef {
    /// The remote's default branch (`HEAD`).
    DefaultBranch,
    Branch(String),
    Tag(String),
    /// A commit id, full or abbreviated (at least 7 hex digits).
    Rev(String),
    /// A semver requirement over the repository's tags.
    Version {
        req: semver::VersionReq,
        written: String,
    },
}

impl GitRef {
    /// The `(kind, value)` pair recorded in the lockfile.
    pub fn kind_and_value(&self) -> (&'static str, Option<&str>) {
        match self {
            GitRef::DefaultBranch => ("default-branch", None),
            GitRef::Branch(b) => ("branch", Some(b)),
            GitRef::Tag(t) => ("tag", Some(t)),
            GitRef::Rev(r) => ("rev", Some(r)),
            GitRef::Version { written, .. } => ("version", Some(written)),
        }
    }
}

impl std::fmt::Display for GitRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind_and_value() {
            (kind, Some(value)) => write!(f, "{kind} `{value}`"),
            (kind, None) => f.write_str(kind),
        }
    }
}

/// Which agents of a source to install, and under which names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Empty means "all agents".
    pub agents: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    /// Keyed by front-matter name or by path (same rule as patterns); value is the installed name.
    pub rename: BTreeMap<String, String>,
    /// `prefix = "volt-"`: every agent of the source that `rename` does not name is installed as
    /// `<prefix><name>`, its `name:` line rewritten as `rename` does.
    pub prefix: Option<String>,
}

impl Selection {
    /// The name an agent of this source is installed under, when `rename` names none for it.
    pub fn prefixed(&self, name: &str) -> Option<String> {
        self.prefix.as_ref().map(|prefix| format!("{prefix}{name}"))
    }
}

/// One entry of `agents`/`exclude`: a front-matter name (or glob over names), or a path (or glob over paths)
/// relative to the searched directory when it contains `/` or ends with `.md`.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub written: String,
    pub by_path: bool,
    matcher: GlobMatcher,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.written == other.written
    }
}

impl Pattern {
    pub fn parse(written: &str) -> std::result::Result<Self, String> {
        let by_path = is_path_like(written);
        let text = written.trim_start_matches("./");
        let glob = if by_path {
            GlobBuilder::new(text).literal_separator(true).build()
        } else {
            Glob::new(text)
        }
        .map_err(|e| format!("`{written}` is not a valid glob: {}", e.kind()))?;
        Ok(Pattern {
            written: written.to_string(),
            by_path,
            matcher: glob.compile_matcher(),
        })
    }

    /// Does this pattern pick the agent named `name` found at `path` (relative to the searched directory)?
    pub fn matches(&self, name: &str, path: &str) -> bool {
        if self.by_path {
            self.matcher.is_match(path)
        } else {
            self.matcher.is_match(name)
        }
    }
}

/// Entries containing `/` or ending in `.md` name paths; all others name agents.
pub fn is_path_like(entry: &str) -> bool {
    entry.contains('/') || entry.ends_with(".md")
}

/// Find `agentpack.toml` in `start` or the nearest parent, like cargo does for `Cargo.toml`.
pub fn find(start: &Path) -> Result<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(MANIFEST_NAME))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| Error::ManifestNotFound {
            searched_from: start.to_path_buf(),
        })
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Manifest::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Manifest> {
        Manifest::parse_as(path, text, false)
    }

    /// [`Manifest::parse`]; a pack's manifest (`pack`) has its `[install]` table ignored.
    fn parse_as(path: &Path, text: &str, pack: bool) -> Result<Manifest> {
        let label = path.display().to_string();
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut raw: raw::Manifest = toml::from_str(text).map_err(|e| Error::InvalidInput {
            file: path.to_path_buf(),
            diagnostics: vec![toml_error(&label, text, &e)],
        })?;
        let mut problems = Vec::new();
        let mut sources = Vec::new();
        let mut keys: Vec<(usize, String)> = raw
            .sources
            .keys()
            .map(|k| (k.span().start, k.get_ref().clone()))
            .collect();
        keys.sort();
        for (key, source) in raw.sources {
            let at = |span: std::ops::Range<usize>| SpanAt {
                label: &label,
                text,
                span,
            };
            match check_source(&root, &key, source, &at) {
                Ok(spec) => sources.push(spec),
                Err(mut d) => problems.append(&mut d),
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidInput {
                file: path.to_path_buf(),
                diagnostics: problems,
            });
        }
        if pack {
            raw.install = raw::Install::default();
        }
        let target = match raw.install.target {
            Some(target) => project_target(&root, &target).map_err(|message| {
                let at = SpanAt {
                    label: &label,
                    text,
                    span: target.span(),
                };
                Error::InvalidInput {
                    file: path.to_path_buf(),
                    diagnostics: vec![at.error("manifest-invalid", message).with_hint(
                        "a project installs its agents inside itself (the default is `.claude/agents`); `agentpack --global` installs into your own `~/.claude/agents`",
                    )],
                }
            })?,
            None => crate::scope::default_target(&root),
        };
        let vendor = match raw.install.vendor {
            Some(dir) if dir.get_ref().trim().is_empty() => {
                let at = SpanAt {
                    label: &label,
                    text,
                    span: dir.span(),
                };
                return Err(Error::InvalidInput {
                    file: path.to_path_buf(),
                    diagnostics: vec![at.error("manifest-invalid", "`vendor` is empty").with_hint(
                        "name the vendor directory, e.g. `vendor = \"agentpack-vendor\"`",
                    )],
                });
            }
            Some(dir) => Some(normalize(&root.join(dir.get_ref()))),
            None => None,
        };
        let mut patches = Vec::new();
        for (agent, file) in raw.patches {
            let at = SpanAt {
                label: &label,
                text,
                span: file.span(),
            };
            match check_patch(&root, agent, file.into_inner(), &at) {
                Ok(patch) => patches.push(patch),
                Err(mut d) => problems.append(&mut d),
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidInput {
                file: path.to_path_buf(),
                diagnostics: problems,
            });
        }
        Ok(Manifest {
            path: path.to_path_buf(),
            target,
            root,
            strict: raw.install.strict.unwrap_or(false),
            on_collision: raw.install.on_collision.unwrap_or_default(),
            source_order: keys
                .iter()
                .filter_map(|(_, k)| SourceName::parse(k).ok())
                .collect(),
            sources,
            vendor,
            patches,
        })
    }

    /// The `[patches]` entry for the installed agent `name`.
    pub fn patch(&self, name: &str) -> Option<&PatchSpec> {
        self.patches.iter().find(|p| p.agent == name)
    }

    /// The URLs of the git sources, as git is asked for them (the cache repositories they use).
    pub fn git_urls(&self) -> impl Iterator<Item = &str> {
        self.sources.iter().filter_map(|s| match &s.kind {
            SourceKind::Git { url, .. } => Some(url.fetch.as_str()),
            SourceKind::Path { .. } => None,
        })
    }

    pub fn source(&self, name: &str) -> Option<&SourceSpec> {
        self.sources.iter().find(|s| s.name.as_str() == name)
    }

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
        let manifest = Manifest::parse_as(&path, text, true).map_err(|e| match e {
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

impl GitUrl {
    /// Does git reach this URL over the network (https, http, ssh, git, scp-like `host:path`), rather
    /// than on the local disk (`file://`, a path)?
    pub fn is_network(&self) -> bool {
        match self.written.split_once("://") {
            Some((scheme, _)) => scheme != "file",
            None => is_scp_like(&self.written),
        }
    }
}

/// scp-like `user@host:path`: a colon before the first slash, and not a Windows drive letter.
fn is_scp_like(url: &str) -> bool {
    url.find(':')
        .is_some_and(|colon| !url[..colon].contains('/') && colon > 1)
}

/// Where a pack's `agentpack.toml` was read from; decides what its sources may point at.
#[derive(Debug, Clone, Copy)]
pub enum PackHome<'a> {
    /// A commit of a git repository.
    Git,
    /// A local directory (normalized, absolute).
    Dir(&'a Path),
}

/// `[install] target` made absolute. A project's target must lie inside the project: a manifest checked out
/// from elsewhere must not install into `../elsewhere` or `/etc`. Only the global manifest (`--global`)
/// installs outside its directory, into the user's own.
fn project_target(root: &Path, target: &Spanned<String>) -> std::result::Result<PathBuf, String> {
    let absolute = normalize(&root.join(target.get_ref()));
    let project = normalize(root);
    if absolute.starts_with(&project) || crate::scope::is_global_dir(root) {
        Ok(absolute)
    } else {
        Err(format!(
            "`target` `{}` is outside the project (`{}`)",
            target.get_ref(),
            project.display()
        ))
    }
}

/// Builds diagnostics pointing at a byte span of the manifest.
struct SpanAt<'a> {
    label: &'a str,
    text: &'a str,
    span: std::ops::Range<usize>,
}

impl SpanAt<'_> {
    fn error(&self, code: &'static str, message: impl Into<String>) -> Diagnostic {
        let (line, col) = line_col(self.text, self.span.start);
        Diagnostic::error(code, message).at_line(self.label, self.text, line, col)
    }
}

/// A `[patches]` entry: the key must be a safe agent name, the file a relative path inside the project
/// (the patch is the user's own file, committed beside the manifest, so it never lies elsewhere).
fn check_patch(
    root: &Path,
    agent: String,
    written: String,
    at: &SpanAt<'_>,
) -> std::result::Result<PatchSpec, Vec<Diagnostic>> {
    if let Some(problem) = crate::frontmatter::name_problem(&agent) {
        return Err(vec![at.error(
            "manifest-invalid",
            format!("`[patches]` key `{agent}` is not an agent name: {problem}"),
        )]);
    }
    let relative = Path::new(&written);
    let inside = !written.is_empty()
        && relative.components().all(|c| {
            matches!(
                c,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
    if !inside {
        return Err(vec![at
            .error(
                "manifest-invalid",
                format!("patch file `{written}` of `{agent}` is not a relative path inside the project"),
            )
            .with_hint(format!(
                "write it relative to agentpack.toml, e.g. `{agent} = \"agentpack-patches/{agent}.patch\"`"
            ))]);
    }
    Ok(PatchSpec {
        file: normalize(&root.join(relative)),
        agent,
        written,
    })
}

/// 1-based line and character column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

fn toml_error(label: &str, text: &str, e: &toml::de::Error) -> Diagnostic {
    let d = Diagnostic::error("manifest-invalid", e.message().trim_end().to_string());
    let d = match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            d.at_line(label, text, line, col)
        }
        None => d.at(crate::diag::Location::file(label)),
    };
    if e.message().starts_with("unknown field") {
        d.with_hint(
            "the keys accepted here are listed above; `agentpack init` (in an empty directory) writes a manifest explaining each",
        )
    } else {
        d
    }
}

fn check_source<'a>(
    root: &Path,
    key: &Spanned<String>,
    source: Spanned<raw::Source>,
    at: &dyn Fn(std::ops::Range<usize>) -> SpanAt<'a>,
) -> std::result::Result<SourceSpec, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let name = SourceName::parse(key.get_ref())
        .map_err(|m| problems.push(at(key.span()).error("manifest-invalid", m)));
    let source_span = source.span();
    let source = source.into_inner();

    let mut refs: Vec<(&str, &Spanned<String>)> = [
        ("branch", &source.branch),
        ("tag", &source.tag),
        ("rev", &source.rev),
        ("version", &source.version),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    refs.sort_by_key(|(_, v)| v.span().start);
    if refs.len() > 1 {
        let kinds: Vec<&str> = refs.iter().map(|(k, _)| *k).collect();
        problems.push(
            at(refs[1].1.span())
                .error(
                    "manifest-invalid",
                    format!(
                        "source `{}` sets {}; at most one of branch, tag, rev, version is allowed",
                        key.get_ref(),
                        kinds.join(" and ")
                    ),
                )
                .with_hint("keep the one you mean and delete the others"),
        );
    }

    let kind = match (&source.git, &source.path) {
        (Some(_), Some(path)) => {
            problems.push(at(path.span()).error(
                "manifest-invalid",
                format!("source `{}` sets both `git` and `path`", key.get_ref()),
            ));
            None
        }
        (None, None) => {
            problems.push(
                at(source_span.clone())
                    .error(
                        "manifest-invalid",
                        format!("source `{}` needs `git` or `path`", key.get_ref()),
                    )
                    .with_hint("add `git = \"https://...\"` or `path = \"../dir\"`"),
            );
            None
        }
        (None, Some(path)) => {
            if let Some((kind, value)) = refs.first() {
                problems.push(at(value.span()).error(
                    "manifest-invalid",
                    format!(
                        "source `{}` is a `path` source; `{kind}` only applies to `git` sources",
                        key.get_ref()
                    ),
                ));
            }
            Some(SourceKind::Path {
                written: path.get_ref().clone(),
                dir: normalize(&root.join(path.get_ref())),
            })
        }
        (Some(git), None) => {
            let url = check_git_url(root, git.get_ref()).map_err(|m| {
                let mut problem = at(git.span()).error("manifest-invalid", m);
                // The snippet quotes the line: never echo a password back.
                if let Some(line) = &mut problem.snippet {
                    *line = line.replace(git.get_ref().as_str(), &redact(git.get_ref()));
                }
                problems.push(problem)
            });
            let reference = check_ref(&refs)
                .map_err(|(span, m)| problems.push(at(span).error("manifest-invalid", m)));
            match (url, reference) {
                (Ok(url), Ok(reference)) => Some(SourceKind::Git { url, reference }),
                _ => None,
            }
        }
    };

    let subdir = source.subdir.as_ref().and_then(|s| {
        check_subdir(s.get_ref())
            .map_err(|m| problems.push(at(s.span()).error("manifest-invalid", m)))
            .ok()
    });

    let mut patterns = |list: &Option<Vec<Spanned<String>>>| -> Vec<Pattern> {
        list.iter()
            .flatten()
            .filter_map(|entry| {
                Pattern::parse(entry.get_ref())
                    .map_err(|m| problems.push(at(entry.span()).error("manifest-invalid", m)))
                    .ok()
            })
            .collect()
    };
    let agents = patterns(&source.agents);
    let exclude = patterns(&source.exclude);

    let mut rename = BTreeMap::new();
    for (from, to) in source.rename.unwrap_or_default() {
        if let Some(problem) = crate::frontmatter::name_problem(to.get_ref()) {
            problems.push(
                at(to.span())
                    .error(
                        "rename-invalid",
                        format!("cannot rename `{from}` to `{}`: {problem}", to.get_ref()),
                    )
                    .with_hint("pick a name of lowercase letters, digits and hyphens"),
            );
        }
        rename.insert(from, to.into_inner());
    }

    let prefix = source.prefix.map(|prefix| {
        let problem = match prefix.get_ref().as_str() {
            "" => Some("it is empty".to_string()),
            p => crate::frontmatter::name_problem(&format!("{p}x")),
        };
        if let Some(problem) = problem {
            problems.push(
                at(prefix.span())
                    .error(
                        "rename-invalid",
                        format!(
                            "`prefix` `{}` of source `{}` cannot start an agent name: {problem}",
                            prefix.get_ref(),
                            key.get_ref()
                        ),
                    )
                    .with_hint(
                        "use lowercase letters, digits and hyphens, e.g. `prefix = \"volt-\"`",
                    ),
            );
        }
        prefix.into_inner()
    });

    let mut trust = Vec::new();
    for entry in source.trust.iter().flatten() {
        match TrustKind::parse(entry.get_ref()) {
            Some(kind) => trust.push(kind),
            None => problems.push(
                at(entry.span())
                    .error(
                        "manifest-invalid",
                        format!(
                            "`trust` entry `{}` of source `{}` is not one of {}",
                            entry.get_ref(),
                            key.get_ref(),
                            TrustKind::ALL.map(|k| format!("`{}`", k.as_str())).join(", ")
                        ),
                    )
                    .with_hint("`hooks` allows `hooks`, `mcp-servers` allows `mcpServers`, `permissions` allows a `permissionMode` that skips prompts"),
            ),
        }
    }
    trust.sort();
    trust.dedup();

    match (name, kind) {
        (Ok(name), Some(kind)) if problems.is_empty() => Ok(SourceSpec {
            name,
            kind,
            subdir,
            selection: Selection {
                agents,
                exclude,
                rename,
                prefix,
            },
            trust,
            allow_unicode: source.allow_unicode.unwrap_or(false),
        }),
        _ => Err(problems),
    }
}

fn check_ref(
    refs: &[(&str, &Spanned<String>)],
) -> std::result::Result<GitRef, (std::ops::Range<usize>, String)> {
    let Some((kind, value)) = refs.first() else {
        return Ok(GitRef::DefaultBranch);
    };
    let text = value.get_ref().trim();
    let err = |m: String| (value.span(), m);
    if text.is_empty() || text.starts_with('-') || text.chars().any(char::is_control) {
        return Err(err(format!(
            "`{kind}` value `{text}` is not a valid git ref"
        )));
    }
    // Branch and tag names go into refspecs: they must be names git itself accepts (no `*`, `..`, `~`...).
    let valid_name = |prefix: &str| crate::names::is_valid_ref_name(&format!("{prefix}{text}"));
    match *kind {
        "branch" if valid_name("refs/heads/") => Ok(GitRef::Branch(text.to_string())),
        "tag" if valid_name("refs/tags/") => Ok(GitRef::Tag(text.to_string())),
        "branch" | "tag" => Err(err(format!(
            "`{kind}` value `{text}` is not a valid git {kind} name"
        ))),
        "rev" => {
            if text.len() >= 7 && text.len() <= 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(GitRef::Rev(text.to_ascii_lowercase()))
            } else {
                Err(err(format!(
                    "`rev` must be a commit id of 7 to 40 hex digits, not `{text}`"
                )))
            }
        }
        _ => parse_version_req(text)
            .map(|req| GitRef::Version {
                req,
                written: text.to_string(),
            })
            .map_err(err),
    }
}

/// A `version` value as the manifest (and the lock's `ref`) writes it.
pub fn parse_version_req(text: &str) -> std::result::Result<semver::VersionReq, String> {
    semver::VersionReq::parse(&strip_v_prefix(text))
        .map_err(|e| format!("`version` `{text}` is not a semver requirement: {e}"))
}

/// `"v1.2.3"` means the same requirement as `"1.2.3"`; so do `"^v1.2"` and `"^1.2"`.
fn strip_v_prefix(text: &str) -> String {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            let op_len = part
                .find(|c: char| !matches!(c, '^' | '~' | '=' | '<' | '>' | ' '))
                .unwrap_or(part.len());
            let (op, rest) = part.split_at(op_len);
            format!("{op}{}", rest.strip_prefix('v').unwrap_or(rest))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Check a `git` value and work out what to hand to git.
pub fn check_git_url(root: &Path, url: &str) -> std::result::Result<GitUrl, String> {
    let bad = |why: &str| Err(format!("`{}` is not a usable git URL: {why}", redact(url)));
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return bad("it is empty or contains spaces or control characters");
    }
    if url.starts_with('-') {
        return bad("it starts with `-`");
    }
    let written = url.to_string();
    if let Some((scheme, rest)) = url.split_once("://") {
        match scheme {
            "https" | "http" | "ssh" | "git" | "git+ssh" | "ssh+git" => {}
            "file" => {
                return Ok(GitUrl {
                    written,
                    fetch: url.to_string(),
                });
            }
            _ => return bad(&format!("the `{scheme}://` transport is not supported")),
        }
        let authority = rest.split('/').next().unwrap_or("");
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && (userinfo.contains(':') || scheme.starts_with("http"))
        {
            return Err(format!(
                "`{}` has credentials in it; they would end up in `agentpack.lock`. Remove them and set `AGENTPACK_GIT_TOKEN` or use a git credential helper",
                redact(url)
            ));
        }
        if authority.is_empty() {
            return bad("it has no host");
        }
        return Ok(GitUrl {
            written,
            fetch: url.to_string(),
        });
    }
    if let Some(pos) = url.find("::").filter(|&pos| !url[..pos].contains('/')) {
        return bad(&format!(
            "the `{}::` remote helper transport is not allowed",
            &url[..pos]
        ));
    }
    if is_scp_like(url) {
        return Ok(GitUrl {
            written,
            fetch: url.to_string(),
        });
    }
    // Otherwise a local repository path, relative to the manifest's directory.
    Ok(GitUrl {
        written,
        fetch: normalize(&root.join(url)).display().to_string(),
    })
}

/// Hide the password part of a URL.
pub fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://***@{host}{path}"),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

fn check_subdir(subdir: &str) -> std::result::Result<String, String> {
    let trimmed = subdir.trim_matches('/');
    let path = Path::new(trimmed);
    let safe = !subdir.starts_with('/')
        && !subdir.contains('\\')
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !safe || trimmed.chars().any(char::is_control) {
        return Err(format!(
            "`subdir` `{subdir}` must be a relative path inside the repository (no `..`, no leading `/`)"
        ));
    }
    Ok(path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/"))
}

/// Make a path absolute and drop `.`/`..` lexically (the directory may not exist yet).
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The serde shapes of the file; only [`Manifest::parse`] sees them.
mod raw {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use toml::Spanned;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Manifest {
        #[serde(default)]
        pub install: Install,
        #[serde(default)]
        pub sources: BTreeMap<Spanned<String>, Spanned<Source>>,
        #[serde(default)]
        pub patches: BTreeMap<String, Spanned<String>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub struct Install {
        pub target: Option<Spanned<String>>,
        pub strict: Option<bool>,
        pub vendor: Option<Spanned<String>>,
        #[serde(rename = "on-collision")]
        pub on_collision: Option<super::OnCollision>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Source {
        pub git: Option<Spanned<String>>,
        pub path: Option<Spanned<String>>,
        pub branch: Option<Spanned<String>>,
        pub tag: Option<Spanned<String>>,
        pub rev: Option<Spanned<String>>,
        pub version: Option<Spanned<String>>,
        pub subdir: Option<Spanned<String>>,
        pub agents: Option<Vec<Spanned<String>>>,
        pub exclude: Option<Vec<Spanned<String>>>,
        pub rename: Option<BTreeMap<String, Spanned<String>>>,
        pub prefix: Option<Spanned<String>>,
        pub trust: Option<Vec<Spanned<String>>>,
        #[serde(rename = "allow-unicode")]
        pub allow_unicode: Option<bool>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(Path::new("/p/agentpack.toml"), text)
    }

    fn first_problem(text: &str) -> Diagnostic {
        match parse(text) {
            Err(Error::InvalidInput { diagnostics, .. }) => diagnostics[0].clone(),
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn the_shipped_example_parses() {
        let m = parse(EXAMPLE).unwrap();
        assert_eq!(m.target, PathBuf::from("/p/.claude/agents"));
        assert!(!m.sources.is_empty());
    }

    #[test]
    fn reads_every_ref_kind() {
        let m = parse(
            r#"
[sources.a]
git = "https://example.com/a.git"
[sources.b]
git = "../b"
tag = "v1"
[sources.c]
git = "git@example.com:c/c.git"
version = "^v1.2"
[sources.d]
path = "./local"
"#,
        )
        .unwrap();
        let kinds: Vec<_> = m.sources.iter().map(|s| s.kind.clone()).collect();
        assert!(matches!(
            &kinds[0],
            SourceKind::Git {
                reference: GitRef::DefaultBranch,
                ..
            }
        ));
        match &kinds[1] {
            SourceKind::Git { url, reference } => {
                assert_eq!(url.fetch, "/b");
                assert_eq!(reference, &GitRef::Tag("v1".into()));
            }
            other => panic!("{other:?}"),
        }
        match &kinds[2] {
            SourceKind::Git {
                reference: GitRef::Version { req, .. },
                ..
            } => assert!(req.matches(&semver::Version::parse("1.3.0").unwrap())),
            other => panic!("{other:?}"),
        }
        assert!(matches!(&kinds[3], SourceKind::Path { dir, .. } if dir == Path::new("/p/local")));
    }

    #[test]
    fn unknown_keys_point_at_line_and_column() {
        let d = first_problem("[sources.a]\ngit = \"x/y\"\nbrnch = \"main\"\n");
        assert_eq!(d.location.unwrap().to_string(), "/p/agentpack.toml:3:1");
        assert!(d.message.contains("unknown field `brnch`"), "{}", d.message);
    }

    #[test]
    fn two_ref_kinds_are_an_error() {
        let d = first_problem("[sources.a]\ngit = \"x/y\"\ntag = \"v1\"\nbranch = \"main\"\n");
        assert!(d.message.contains("sets tag and branch"), "{}", d.message);
        assert_eq!(d.location.unwrap().line, Some(4));
    }

    #[test]
    fn refuses_bad_urls_names_and_subdirs() {
        for (text, needle) in [
            ("[sources.Bad]\ngit = \"x/y\"", "source name `Bad`"),
            (
                "[sources.a]\ngit = \"ext::sh -c touch% /tmp/x\"",
                "not a usable git URL",
            ),
            ("[sources.a]\ngit = \"ext::sh\"", "`ext::` remote helper"),
            ("[sources.a]\ngit = \"https://u:p@h/r\"", "credentials"),
            ("[sources.a]\ngit = \"gopher://h/r\"", "`gopher://`"),
            ("[sources.a]\ngit = \"x\"\nsubdir = \"../..\"", "`subdir`"),
            ("[sources.a]\ngit = \"x\"\nrev = \"xyz\"", "`rev` must be"),
            (
                "[sources.a]\ngit = \"x\"\ntag = \"*\"",
                "not a valid git tag name",
            ),
            (
                "[sources.a]\ngit = \"x\"\nbranch = \"a..b\"",
                "not a valid git branch name",
            ),
            (
                "[sources.a]\ngit = \"x\"\nversion = \"one\"",
                "not a semver",
            ),
            (
                "[sources.a]\ngit = \"x\"\nrename = { a = \"../x\" }",
                "cannot rename",
            ),
            (
                "[sources.a]\ngit = \"x\"\ntrust = [\"hooks\", \"shell\"]",
                "`trust` entry `shell` of source `a` is not one of `hooks`, `mcp-servers`, `permissions`",
            ),
            (
                "[sources.a]\ngit = \"x\"\nallow-unicode = \"yes\"",
                "invalid type: string \"yes\", expected a boolean",
            ),
            ("[install]\nvendor = \"\"", "`vendor` is empty"),
            ("[sources.a]\nbranch = \"x\"", "needs `git` or `path`"),
            (
                "[patches]\nx = \"../elsewhere/x.patch\"",
                "patch file `../elsewhere/x.patch` of `x` is not a relative path inside the project",
            ),
            (
                "[patches]\nx = \"/etc/x.patch\"",
                "is not a relative path inside the project",
            ),
            ("[patches]\n\"a/b\" = \"p.patch\"", "`[patches]` key `a/b`"),
        ] {
            let d = first_problem(text);
            assert!(d.message.contains(needle), "{text}: {}", d.message);
            assert!(!d.message.contains("u:p@"), "secret leaked: {}", d.message);
        }
    }

    #[test]
    fn reads_trust_allow_unicode_and_vendor() {
        let m = parse(
            "[install]\nvendor = \"agentpack-vendor\"\n[sources.a]\ngit = \"x\"\ntrust = [\"permissions\", \"hooks\", \"hooks\"]\nallow-unicode = true\n",
        )
        .unwrap();
        assert_eq!(m.vendor, Some(PathBuf::from("/p/agentpack-vendor")));
        assert_eq!(
            m.sources[0].trust,
            [TrustKind::Hooks, TrustKind::Permissions]
        );
        assert!(m.sources[0].allow_unicode);
        let d = first_problem("[sources.a]\ngit = \"x\"\ntrust = [\"hooks\", \"all\"]\n");
        assert_eq!(d.location.unwrap().to_string(), "/p/agentpack.toml:3:19");
    }

    #[test]
    fn patterns_pick_by_name_or_path() {
        let by_name = Pattern::parse("*-prototyper").unwrap();
        assert!(by_name.matches("rapid-prototyper", "eng/x.md"));
        assert!(!by_name.matches("backend", "eng/rapid-prototyper.md"));
        let by_path = Pattern::parse("eng/*.md").unwrap();
        assert!(by_path.matches("x", "eng/a.md"));
        assert!(!by_path.matches("x", "eng/deep/a.md"));
        assert!(
            Pattern::parse("eng/**/*.md")
                .unwrap()
                .matches("x", "eng/deep/a.md")
        );
    }

    #[test]
    fn packs_stay_inside_themselves() {
        let pack = SourceName::parse("top")
            .unwrap()
            .child(&SourceName::parse("p").unwrap());
        let text = "[install]\ntarget = \"/elsewhere\"\n[sources.up]\ngit = \"https://example.com/up.git\"\n[sources.scp]\ngit = \"git@example.com:o/r.git\"\n";
        let specs = Manifest::parse_pack(&pack, "p:agentpack.toml", PackHome::Git, text).unwrap();
        assert_eq!(specs[0].name.as_str(), "scp");
        assert_eq!(specs[1].name.as_str(), "up");
        let local = "names a local repository; a pack may only name network URLs";
        for (home, text, needle) in [
            (
                PackHome::Git,
                "[sources.x]\npath = \"sub\"\n",
                "pack source `top/p/x` (`top` -> `top/p` -> `top/p/x`) is a `path` source; a pack fetched from git cannot use local directories",
            ),
            (PackHome::Git, "[sources.x]\ngit = \"../other\"\n", local),
            (
                PackHome::Git,
                "[sources.x]\ngit = \"/srv/private.git\"\n",
                local,
            ),
            (
                PackHome::Git,
                "[sources.x]\ngit = \"file:///srv/private.git\"\n",
                local,
            ),
            (
                PackHome::Dir(Path::new("/packs/p")),
                "[sources.x]\ngit = \"inner-repo\"\n",
                local,
            ),
            (
                PackHome::Dir(Path::new("/packs/p")),
                "[sources.x]\npath = \"../q\"\n",
                "outside the pack's directory",
            ),
        ] {
            match Manifest::parse_pack(&pack, "p:agentpack.toml", home, text) {
                Err(Error::InvalidInput { diagnostics, .. }) => {
                    assert!(
                        diagnostics[0].message.contains(needle),
                        "{}",
                        diagnostics[0].message
                    );
                    assert_eq!(diagnostics[0].code, "pack-invalid");
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(
            Manifest::parse_pack(
                &pack,
                "p",
                PackHome::Dir(Path::new("/packs/p")),
                "[sources.x]\npath = \"inner\"\n"
            )
            .is_ok()
        );
    }

    #[test]
    fn v_prefixed_requirements() {
        assert_eq!(strip_v_prefix("^v1.2"), "^1.2");
        assert_eq!(strip_v_prefix(">=v1, <v2"), ">=1, <2");
        assert_eq!(strip_v_prefix("v1.2.3"), "1.2.3");
    }
}
