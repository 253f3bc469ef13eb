//! `agentpack add SOURCE`: add a `[sources.NAME]` table to agentpack.toml, then install.
//!
//! SOURCE is read, in this order, as: a URL (`https://`, `ssh://`, `git://`, `file://`, or scp-like
//! `git@host:path`); an existing local directory (a git repository becomes `git = "<path>"`, any other
//! directory `path = "<path>"`, relative to the manifest); or GitHub shorthand `owner/repo[@ref]`
//! (`https://github.com/owner/repo`). The name defaults to the repository's (or directory's) name.
//!
//! The manifest is edited with toml_edit and written only after the install succeeded, so a failed
//! install leaves it exactly as it was.
//!
//! Like `cargo add`: without a ref, a repository with semver tags gets `version = "^X.Y.Z"` of its newest
//! release (stable; a pre-release only when there is nothing else), one without semver tags follows its
//! default branch. `add` of a source already in the manifest (same name and location) changes its ref,
//! `subdir`, `agents` or `rename` to what was given (keeping the rest; `--skill` and `--command` add their
//! names to the `skills` and `commands` lists, and give a source that took every agent, and
//! installed some, `agents = ["*"]`, so that it keeps them) and installs, as `cargo add foo@2`
//! does; without a ref, it keeps the one written.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::edit::{ManifestEdit, NewSource, Origin};
use crate::error::{Error, Result};
use crate::lockfile;
use crate::manifest::{self, Manifest, ManifestPath};
use crate::names::{GitRef, SourceName, is_commit_prefix};
use crate::ops::install::{InstallOptions, InstallSummary, install_manifest};
use crate::reporter::Reporter;
use crate::resolve;
use crate::source::cache::LockedCache;
use crate::source::git::Cache;

#[derive(Debug, Clone, Default)]
pub struct AddOptions {
    /// What the user typed: URL, directory or `owner/repo[@ref]`.
    pub source: String,
    pub name: Option<String>,
    /// From `--tag`, `--branch`, `--rev` or `--version`.
    pub reference: Option<GitRef>,
    pub subdir: Option<String>,
    pub agents: Vec<String>,
    /// `--skill NAME`, `--command NAME`: added to the source's `skills` and `commands` lists.
    pub skills: Vec<String>,
    pub commands: Vec<String>,
    /// Install the single `--agent` under this name.
    pub rename_as: Option<String>,
    /// `--plugin`: plugins of the source's marketplace, added to its `plugins` list.
    pub plugins: Vec<String>,
    pub install: InstallOptions,
    /// When the manifest does not exist: the text to start from (`add --global` creates the global
    /// manifest, as `npm i -g` needs no set-up). `None`: a missing manifest is an error.
    pub create: Option<String>,
}

#[derive(Debug)]
pub struct Added {
    /// What was written (with the requirement `add` chose when none was given).
    pub source: NewSource,
    /// The source already existed and was changed rather than added.
    pub changed: bool,
    pub summary: InstallSummary,
}

pub fn add(
    manifest_path: &ManifestPath,
    cwd: &Path,
    options: &AddOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Added> {
    let root = manifest_path.parent().unwrap_or(Path::new("."));
    let mut source = new_source(options, cwd, root)?;
    let name = source.name.clone();

    let text = match std::fs::read_to_string(manifest_path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && options.create.is_some() => {
            options.create.clone().unwrap_or_default()
        }
        read => read.map_err(|e| Error::io("read", &manifest_path.path, e))?,
    };
    let mut edit = ManifestEdit::parse(manifest_path, &text)?;
    let changed = match edit.origin(&name) {
        Some(existing) if same_origin(&existing, &source.origin) => {
            // A source that installed agents keeps them when `--skill`/`--command`/`--plugin` gives it
            // its first key of another kind (which alone would take no agent).
            if source.agents.is_empty()
                && (!source.skills.is_empty()
                    || !source.commands.is_empty()
                    || !source.plugins.is_empty())
                && installed_agents(root, &name)?
            {
                edit.keep_every_agent(&name);
            }
            edit.change_source(&source);
            true
        }
        Some(existing) => {
            let (key, value) = match &existing {
                Origin::Git(v) => ("git", v),
                Origin::Path(v) => ("path", v),
            };
            return Err(Error::Usage {
                // Quoted as TOML, so a control character in the manifest is escaped, not printed.
                message: format!(
                    "agentpack.toml already has a source named `{name}`, with {key} = {}",
                    toml::Value::String(value.clone())
                ),
                hint: Some("pick another name with --name".into()),
            });
        }
        None => {
            if source.reference.is_none()
                && !options.install.fetch.offline
                && let Origin::Git(url) = &source.origin
            {
                source.reference = latest_release(root, &name, url, cache, reporter)?;
            }
            edit.add_source(&source);
            false
        }
    };
    let new_text = edit.to_string();
    let manifest = Manifest::parse(manifest_path, &new_text)?;
    if options.create.is_some() {
        std::fs::create_dir_all(root).map_err(|e| Error::io("create directory", root, e))?;
    }
    let resolve = options.install.fetch.resolve();
    let done = match install_manifest(&manifest, options.install, resolve, false, cache, reporter) {
        Err(Error::CheckFailed { mut diagnostics }) if !changed => {
            explain_collisions(&mut diagnostics, manifest_path, &source)?;
            return Err(Error::CheckFailed { diagnostics });
        }
        done => done?,
    };
    crate::fsutil::write_atomic(manifest_path, new_text.as_bytes())?;
    Ok(Added {
        source,
        changed,
        summary: done.summary,
    })
}

/// A new source whose agents collide: the hint's `rename` snippet is for a `[sources.NAME]` table that
/// agentpack.toml does not have (`add` wrote nothing), so the hint also gives that table.
fn explain_collisions(
    diagnostics: &mut [Diagnostic],
    manifest_path: &Path,
    source: &NewSource,
) -> Result<()> {
    let Some(last) = diagnostics
        .iter_mut()
        .rev()
        .find(|d| d.code == "name-collision")
    else {
        return Ok(());
    };
    let mut table = ManifestEdit::parse(manifest_path, "")?;
    table.add_source(source);
    let hint = last.hint.get_or_insert_with(String::new);
    hint.push_str(&format!(
        "\nagentpack.toml was left as it was, so it has no [sources.{}] yet: to take the source with such renames (or a `prefix`), write its table first, then run `agentpack install`:\n{}",
        source.name,
        table.to_string().trim_end()
    ));
    Ok(())
}

/// Whether the lock records an agent of source `name` (or of a source its pack pulled in).
fn installed_agents(root: &Path, name: &str) -> Result<bool> {
    let lock = lockfile::Lockfile::load(&root.join(lockfile::LOCK_NAME))?;
    Ok(lock
        .is_some_and(|l| (l.agents.iter()).any(|a| crate::names::root_source(&a.source) == name)))
}

/// The table the command line asks for: SOURCE read (see [`parse_source`]), its ref from `@` or a flag,
/// its name, and the `--as` rename.
fn new_source(options: &AddOptions, cwd: &Path, root: &Path) -> Result<NewSource> {
    let ParsedSource {
        origin,
        reference: shorthand_ref,
        name: derived,
    } = parse_source(&options.source, cwd, root)?;
    let reference = match (shorthand_ref, &options.reference) {
        (Some(_), Some(_)) => {
            return Err(usage(
                "give the ref either after `@` or with --tag/--branch/--rev/--version, not both",
            ));
        }
        (Some(r), None) => Some(r),
        (None, r) => r.clone(),
    };
    if matches!(origin, Origin::Path(_)) && reference.is_some() {
        return Err(usage(
            "a plain directory has no refs; --tag/--branch/--rev/--version apply to git sources",
        ));
    }
    let name = match &options.name {
        Some(name) => name.clone(),
        None => derived.ok_or_else(|| {
            usage(format!(
                "cannot derive a source name from `{}`; pass --name",
                options.source
            ))
        })?,
    };
    SourceName::parse(&name).map_err(|m| Error::Usage {
        message: m,
        hint: Some("pass a valid name with --name".into()),
    })?;
    // `--as` renames the one item named, of whichever kind: an agent's key is its name, a skill's or a
    // command's carries its kind (`skill:pdf`), as in the manifest's `rename`.
    let named: Vec<String> = (options.agents.iter().cloned())
        .chain(options.skills.iter().map(|s| format!("skill:{s}")))
        .chain(options.commands.iter().map(|c| format!("command:{c}")))
        .collect();
    let rename = match (&options.rename_as, named.as_slice()) {
        (None, _) => None,
        (Some(new), [key]) => Some((key.clone(), new.clone())),
        (Some(_), _) => {
            return Err(usage(
                "--as renames one item: give exactly one --agent, --skill or --command with it",
            ));
        }
    };
    Ok(NewSource {
        name,
        origin,
        reference,
        subdir: options.subdir.clone(),
        agents: options.agents.clone(),
        skills: options.skills.clone(),
        commands: options.commands.clone(),
        rename,
        plugins: options.plugins.clone(),
    })
}

/// `version = "^X.Y.Z"` of the repository's newest release (see [`resolve::newest_release`]), like
/// `cargo add` records the newest version; `None` for a repository without semver tags (it then follows
/// the default branch).
fn latest_release(
    root: &Path,
    name: &str,
    url: &str,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Option<GitRef>> {
    let url = manifest::check_git_url(root, url).map_err(usage)?;
    let locked = LockedCache::lock(cache, [url.fetch.as_str()], reporter)?;
    let repo = locked.repo(&url.fetch)?;
    let refs = repo.remote(name, &url, reporter)?.list_refs()?;
    resolve::newest_release(&refs)
        .map(|version| GitRef::parse("version", Some(&resolve::caret(&version))).map_err(usage))
        .transpose()
}

/// The same place, as written in the manifest and on the command line (`x.git` and `x/` alike).
fn same_origin(a: &Origin, b: &Origin) -> bool {
    let trim = |s: &str| s.trim_end_matches('/').trim_end_matches(".git").to_string();
    match (a, b) {
        (Origin::Git(a), Origin::Git(b)) | (Origin::Path(a), Origin::Path(b)) => trim(a) == trim(b),
        _ => false,
    }
}

fn usage(message: impl Into<String>) -> Error {
    Error::Usage {
        message: message.into(),
        hint: None,
    }
}

/// What a SOURCE argument means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSource {
    pub origin: Origin,
    /// The ref written after `@` in shorthand.
    pub reference: Option<GitRef>,
    /// The source name it suggests.
    pub name: Option<String>,
}

pub fn parse_source(input: &str, cwd: &Path, root: &Path) -> Result<ParsedSource> {
    let is_url = input.contains("://")
        || input
            .split_once(':')
            .is_some_and(|(before, _)| before.contains('@') && !before.contains('/'));
    if is_url {
        manifest::check_git_url(root, input).map_err(usage)?;
        return Ok(ParsedSource {
            origin: Origin::Git(input.to_string()),
            reference: None,
            name: derive_name(input),
        });
    }
    let as_written = Path::new(input);
    let local = crate::fsutil::normalize(&cwd.join(input));
    if local.is_dir() {
        return Ok(local_source(as_written, &local, root));
    }
    let (repo, at) = match input.split_once('@') {
        Some((repo, at)) => (repo, Some(at)),
        None => (input, None),
    };
    // `repos/studio-agnets` where `repos/` exists is a typo in a local path, not a GitHub repository
    // of a user named `repos`.
    let first = repo.split(['/', '\\']).next().unwrap_or("");
    let shadowed = repo.contains(['/', '\\']) && !first.is_empty() && cwd.join(first).exists();
    if as_written.is_absolute() || input.starts_with('.') || input.contains('\\') || shadowed {
        return Err(Error::Usage {
            message: format!(
                "no such directory: `{input}` (resolved to `{}`)",
                local.display()
            ),
            hint: Some(if let Some(at) = at.filter(|_| cwd.join(repo).is_dir()) {
                // `owner/repo@ref` works for shorthand; a directory takes its ref from a flag.
                format!(
                    "`{repo}` exists; `@` is for GitHub shorthand only: for a directory, `agentpack add {repo} --{} {at}`",
                    ref_kind(at)
                )
            } else if shadowed && !as_written.is_absolute() && !input.starts_with('.') {
                format!(
                    "check the path; `{first}` exists here, so this is not read as GitHub shorthand (write `https://github.com/{repo}` for that)"
                )
            } else {
                "check the path".to_string()
            }),
        });
    }
    let shorthand = repo.split('/').count() == 2
        && repo.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if !shorthand || at.is_some_and(str::is_empty) {
        return Err(Error::Usage {
            message: format!(
                "`{input}` is not a git URL, an existing directory, or GitHub shorthand `owner/repo`"
            ),
            hint: Some(
                "e.g. `agentpack add https://github.com/owner/repo`, `agentpack add ../my-agents` or `agentpack add owner/repo@v1.2.0`".into(),
            ),
        });
    }
    let reference = at
        .map(|at| GitRef::parse(ref_kind(at), Some(at)).map_err(usage))
        .transpose()?;
    Ok(ParsedSource {
        origin: Origin::Git(format!("https://github.com/{repo}")),
        reference,
        name: derive_name(repo),
    })
}

/// An existing local directory: a git repository becomes `git`, any other directory `path`.
fn local_source(as_written: &Path, local: &Path, root: &Path) -> ParsedSource {
    // An absolute path stays absolute (the user chose it); a relative one is written relative to
    // the manifest, which is what it is read against.
    let written = if as_written.is_absolute() {
        local.display().to_string()
    } else {
        match lockfile::file_label(root, local) {
            relative if relative.is_empty() => ".".to_string(),
            relative => relative,
        }
    };
    let name = derive_name(&local.display().to_string());
    let is_repo = local.join(".git").exists()
        || (local.join("HEAD").is_file() && local.join("objects").is_dir());
    let origin = if is_repo {
        Origin::Git(written)
    } else {
        Origin::Path(written)
    };
    ParsedSource {
        origin,
        reference: None,
        name,
    }
}

/// What `@ref` in shorthand means: a requirement (`^1.2`, `~1`, `>=1`, or a partial version `2` / `1.2`
/// as in `cargo add foo@2`), a commit id (7-40 hex digits), a semver tag (`v1.2.0`), or else a branch.
fn ref_kind(at: &str) -> &'static str {
    let partial_version = at.split('.').count() <= 2
        && at
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    if at.starts_with(['^', '~', '=', '<', '>', '*']) {
        "version"
    } else if is_commit_prefix(at) {
        "rev"
    } else if partial_version {
        "version"
    } else if resolve::tag_version(at).is_some() {
        "tag"
    } else {
        "branch"
    }
}

/// The last path segment, without `.git`, made into a valid source name.
fn derive_name(location: &str) -> Option<String> {
    let last = location
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplit(['/', ':', '\\'])
        .next()?;
    let mut name = String::new();
    for c in last.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-').chars().take(64).collect::<String>();
    SourceName::parse(&name).ok().map(|_| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_source_form() {
        let here = Path::new("/nonexistent/project");
        let parse = |s: &str| parse_source(s, here, here).unwrap();
        assert_eq!(
            parse("https://github.com/Contains-Studio/Agents.git"),
            ParsedSource {
                origin: Origin::Git("https://github.com/Contains-Studio/Agents.git".into()),
                reference: None,
                name: Some("agents".into())
            }
        );
        assert_eq!(
            parse("git@github.com:o/my_pack.git").name.as_deref(),
            Some("my-pack")
        );
        assert_eq!(
            parse("owner/studio"),
            ParsedSource {
                origin: Origin::Git("https://github.com/owner/studio".into()),
                reference: None,
                name: Some("studio".into())
            }
        );
        let at = |s: &str| {
            let reference = parse(s).reference.unwrap();
            let (kind, value) = reference.kind_and_value();
            (kind, value.unwrap().to_string())
        };
        assert_eq!(at("o/r@v1.2.0"), ("tag", "v1.2.0".into()));
        assert_eq!(at("o/r@^1.2"), ("version", "^1.2".into()));
        assert_eq!(at("o/r@4f2a9c1"), ("rev", "4f2a9c1".into()));
        assert_eq!(at("o/r@main"), ("branch", "main".into()));
        assert_eq!(at("o/r@2"), ("version", "2".into()));
        assert_eq!(at("o/r@1.2"), ("version", "1.2".into()));
        assert_eq!(at("o/r@1.2.3"), ("tag", "1.2.3".into()));
        assert_eq!(at("o/r@1234567"), ("rev", "1234567".into()));
        // A ref git would refuse is refused here, not written into agentpack.toml.
        assert_eq!(
            parse_source("o/r@a..b", here, here)
                .unwrap_err()
                .to_string(),
            "`branch` value `a..b` is not a valid git branch name"
        );
        assert!(parse_source("not a thing", here, here).is_err());
        assert!(parse_source("a/b/c", here, here).is_err());
        assert!(parse_source("ext::sh -c x", here, here).is_err());
    }
}
