//! Turning the raw serde model into the checked [`Manifest`]: one [`Diagnostic`] per problem, every
//! problem of a file collected before failing.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use toml::Spanned;

use super::{
    GitRef, GitUrl, Manifest, ManifestPath, PatchSpec, Pattern, Selection, SourceKind, SourceSpec,
    raw,
};
use crate::diag::{Diagnostic, line_col};
use crate::error::{Error, Result};
use crate::escape::redact;
use crate::fsutil::normalize;
use crate::names::TrustKind;
use crate::names::{AgentName, SourceName, is_scp_like};

impl Manifest {
    /// [`Manifest::parse`]; a pack's manifest (`pack`) has its `[install]` table ignored.
    pub(super) fn parse_as(location: &ManifestPath, text: &str, pack: bool) -> Result<Manifest> {
        let path = location.path.as_path();
        let label = path.display().to_string();
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let invalid = |diagnostics| Error::InvalidInput {
            file: path.to_path_buf(),
            diagnostics,
        };
        let mut raw: raw::Manifest =
            toml::from_str(text).map_err(|e| invalid(vec![toml_error(&label, text, &e)]))?;
        let at = |span: std::ops::Range<usize>| SpanAt {
            label: &label,
            text,
            span,
        };
        let mut keys: Vec<(usize, String)> = raw
            .sources
            .keys()
            .map(|k| (k.span().start, k.get_ref().clone()))
            .collect();
        keys.sort();
        let sources = collect(
            std::mem::take(&mut raw.sources)
                .into_iter()
                .map(|(key, source)| check_source(&root, &key, source, &at)),
        )
        .map_err(invalid)?;
        if pack {
            raw.install = raw::Install::default();
        }
        let (target, vendor) =
            check_install(location, &root, &raw.install, &at).map_err(invalid)?;
        let patches = collect(raw.patches.into_iter().map(|(agent, file)| {
            check_patch(&root, agent, file.get_ref().clone(), &at(file.span()))
        }))
        .map_err(invalid)?;
        Ok(Manifest {
            path: path.to_path_buf(),
            home: location.home.clone(),
            claude: location
                .user_agents
                .as_deref()
                .and_then(Path::parent)
                .map_or_else(|| normalize(&root.join(".claude")), Path::to_path_buf),
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
}

/// Every checked value, or every problem of every value.
fn collect<T>(
    checked: impl Iterator<Item = std::result::Result<T, Vec<Diagnostic>>>,
) -> std::result::Result<Vec<T>, Vec<Diagnostic>> {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for result in checked {
        match result {
            Ok(value) => values.push(value),
            Err(mut d) => problems.append(&mut d),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems)
    }
}

/// `[install] target` and `vendor`, made absolute: where agents go (by default `.claude/agents` next to
/// the manifest, or the user's own directory for the global manifest) and the vendor directory.
fn check_install(
    location: &ManifestPath,
    root: &Path,
    install: &raw::Install,
    at: At<'_, '_>,
) -> std::result::Result<(PathBuf, Option<PathBuf>), Vec<Diagnostic>> {
    let target = match &install.target {
        Some(target) => project_target(location, root, target).map_err(|message| {
            vec![at(target.span()).error("manifest-invalid", message).with_hint(
                "a project installs its agents inside itself (the default is `.claude/agents`); `agentpack --global` installs into your own `~/.claude/agents`",
            )]
        })?,
        None => location
            .user_agents
            .clone()
            .unwrap_or_else(|| normalize(&root.join(super::DEFAULT_TARGET))),
    };
    let vendor = match &install.vendor {
        Some(dir) if dir.get_ref().trim().is_empty() => {
            return Err(vec![
                at(dir.span())
                    .error("manifest-invalid", "`vendor` is empty")
                    .with_hint("name the vendor directory, e.g. `vendor = \"agentpack-vendor\"`"),
            ]);
        }
        Some(dir) => Some(normalize(&root.join(dir.get_ref()))),
        None => None,
    };
    Ok((target, vendor))
}

/// `[install] target` made absolute. A project's target must lie inside the project: a manifest checked out
/// from elsewhere must not install into `../elsewhere` or `/etc`. Only the global manifest (`--global`)
/// installs outside its directory, into the user's own.
fn project_target(
    location: &ManifestPath,
    root: &Path,
    target: &Spanned<String>,
) -> std::result::Result<PathBuf, String> {
    let absolute = normalize(&root.join(target.get_ref()));
    let project = normalize(root);
    if absolute.starts_with(&project) || location.user_agents.is_some() {
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
    if let Err(problem) = AgentName::parse(&agent) {
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

/// At most one problem per value, all of them collected; `at` points a diagnostic at a span of the file.
type At<'a, 'b> = &'b dyn Fn(std::ops::Range<usize>) -> SpanAt<'a>;

fn check_source(
    root: &Path,
    key: &Spanned<String>,
    source: Spanned<raw::Source>,
    at: At<'_, '_>,
) -> std::result::Result<SourceSpec, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let name = SourceName::parse(key.get_ref())
        .map_err(|m| problems.push(at(key.span()).error("manifest-invalid", m)));
    let source_span = source.span();
    let source = source.into_inner();
    let key = key.get_ref().as_str();
    let refs = check_refs(key, &source, at, &mut problems);
    let kind = check_kind(root, key, &source, source_span, &refs, at, &mut problems);
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
    let plugins = patterns(&source.plugins);
    let skills = source.skills.as_ref().map(|_| patterns(&source.skills));
    let commands = source.commands.as_ref().map(|_| patterns(&source.commands));

    let rename = check_rename(source.rename.unwrap_or_default(), at, &mut problems);
    let prefix = source
        .prefix
        .map(|prefix| check_prefix(key, prefix, at, &mut problems));
    let trust = check_trust(key, source.trust.iter().flatten(), at, &mut problems);
    match (name, kind) {
        (Ok(name), Some(kind)) if problems.is_empty() => Ok(SourceSpec {
            name,
            kind,
            subdir,
            selection: Selection {
                agents,
                skills,
                commands,
                exclude,
                rename,
                prefix,
                plugins,
            },
            trust,
            allow_unicode: source.allow_unicode.unwrap_or(false),
        }),
        _ => Err(problems),
    }
}

/// `branch`, `tag`, `rev`, `version`, in the order the file writes them; more than one is a problem.
fn check_refs<'s>(
    key: &str,
    source: &'s raw::Source,
    at: At<'_, '_>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(&'static str, &'s Spanned<String>)> {
    let mut refs: Vec<(&'static str, &Spanned<String>)> = [
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
                        "source `{key}` sets {}; at most one of branch, tag, rev, version is allowed",
                        kinds.join(" and ")
                    ),
                )
                .with_hint("keep the one you mean and delete the others"),
        );
    }
    refs
}

/// `git` or `path`, with the reference of a git source.
fn check_kind(
    root: &Path,
    key: &str,
    source: &raw::Source,
    source_span: std::ops::Range<usize>,
    refs: &[(&'static str, &Spanned<String>)],
    at: At<'_, '_>,
    problems: &mut Vec<Diagnostic>,
) -> Option<SourceKind> {
    match (&source.git, &source.path) {
        (Some(_), Some(path)) => {
            problems.push(at(path.span()).error(
                "manifest-invalid",
                format!("source `{key}` sets both `git` and `path`"),
            ));
            None
        }
        (None, None) => {
            problems.push(
                at(source_span.clone())
                    .error(
                        "manifest-invalid",
                        format!("source `{key}` needs `git` or `path`"),
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
                        "source `{key}` is a `path` source; `{kind}` only applies to `git` sources"
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
            let reference = check_ref(refs)
                .map_err(|(span, m)| problems.push(at(span).error("manifest-invalid", m)));
            match (url, reference) {
                (Ok(url), Ok(reference)) => Some(SourceKind::Git { url, reference }),
                _ => None,
            }
        }
    }
}

/// `rename`: every new name must be a safe name of its kind: an agent's for an unqualified key, a
/// skill's (`a-z0-9-`, no leading, trailing or doubled `-`) for `skill:NAME`, and for `command:NAME`
/// agent-safe names joined by `/` (the command's sub-folders).
fn check_rename(
    written: BTreeMap<String, Spanned<String>>,
    at: At<'_, '_>,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut rename = BTreeMap::new();
    for (from, to) in written {
        let new = to.get_ref();
        let problem = if from.starts_with(super::SKILL_KEY) {
            crate::names::kebab_name_problem(new)
        } else if from.starts_with(super::COMMAND_KEY) {
            new.split('/').find_map(|part| AgentName::parse(part).err())
        } else {
            AgentName::parse(new).err()
        };
        if let Some(problem) = problem {
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
    rename
}

/// `prefix`: with any name after it, it must make a safe agent name.
fn check_prefix(
    key: &str,
    prefix: Spanned<String>,
    at: At<'_, '_>,
    problems: &mut Vec<Diagnostic>,
) -> String {
    let problem = match prefix.get_ref().as_str() {
        "" => Some("it is empty".to_string()),
        p => AgentName::parse(&format!("{p}x")).err(),
    };
    if let Some(problem) = problem {
        problems.push(
            at(prefix.span())
                .error(
                    "rename-invalid",
                    format!(
                        "`prefix` `{}` of source `{}` cannot start an agent name: {problem}",
                        prefix.get_ref(),
                        key
                    ),
                )
                .with_hint("use lowercase letters, digits and hyphens, e.g. `prefix = \"volt-\"`"),
        );
    }
    prefix.into_inner()
}

/// `trust`: each entry one of the [`TrustKind`]s; sorted, without duplicates.
fn check_trust<'s>(
    key: &str,
    entries: impl Iterator<Item = &'s Spanned<String>>,
    at: At<'_, '_>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<TrustKind> {
    let mut trust = Vec::new();
    for entry in entries {
        match TrustKind::parse(entry.get_ref()) {
            Some(kind) => trust.push(kind),
            None => problems.push(
                at(entry.span())
                    .error(
                        "manifest-invalid",
                        format!(
                            "`trust` entry `{}` of source `{}` is not one of {}",
                            entry.get_ref(),
                            key,
                            TrustKind::ALL.map(|k| format!("`{}`", k.as_str())).join(", ")
                        ),
                    )
                    .with_hint("`hooks` allows `hooks`, `mcp-servers` allows `mcpServers`, `permissions` allows a `permissionMode` that skips prompts"),
            ),
        }
    }
    trust.sort();
    trust.dedup();
    trust
}

fn check_ref(
    refs: &[(&str, &Spanned<String>)],
) -> std::result::Result<GitRef, (std::ops::Range<usize>, String)> {
    match refs.first() {
        None => Ok(GitRef::DefaultBranch),
        Some((kind, value)) => {
            GitRef::parse(kind, Some(value.get_ref())).map_err(|m| (value.span(), m))
        }
    }
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
