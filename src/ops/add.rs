//! `agentpack add SOURCE`: add a `[sources.NAME]` table to agentpack.toml, then install.
//!
//! SOURCE is read, in this order, as: a URL (`https://`, `ssh://`, `git://`, `file://`, or scp-like
//! `git@host:path`); an existing local directory (a git repository becomes `git = "<path>"`, any other
//! directory `path = "<path>"`, relative to the manifest); or GitHub shorthand `owner/repo[@ref]`
//! (`https://github.com/owner/repo`). The name defaults to the repository's (or directory's) name.
//!
//! The manifest is edited with toml_edit and written only after the install succeeded, so a failed
//! install leaves it exactly as it was. Without a ref the source follows the default branch.

use std::path::Path;

use crate::edit::{ManifestEdit, NewSource, Origin};
use crate::error::{Error, Result};
use crate::lockfile;
use crate::manifest::{self, Manifest};
use crate::names::SourceName;
use crate::ops::install::{InstallOptions, InstallSummary, install_manifest};
use crate::reporter::Reporter;
use crate::resolve::{self, ResolveOptions};
use crate::source::git::Cache;

#[derive(Debug, Clone, Default)]
pub struct AddOptions {
    /// What the user typed: URL, directory or `owner/repo[@ref]`.
    pub source: String,
    pub name: Option<String>,
    /// `("branch" | "tag" | "rev" | "version", value)`.
    pub reference: Option<(&'static str, String)>,
    pub subdir: Option<String>,
    pub agents: Vec<String>,
    /// Install the single `--agent` under this name.
    pub rename_as: Option<String>,
    pub install: InstallOptions,
}

#[derive(Debug)]
pub struct Added {
    pub source: NewSource,
    pub summary: InstallSummary,
}

pub fn add(
    manifest_path: &Path,
    cwd: &Path,
    options: &AddOptions,
    cache: &Cache,
    reporter: &dyn Reporter,
) -> Result<Added> {
    let root = manifest_path.parent().unwrap_or(Path::new("."));
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
    let rename = match (&options.rename_as, options.agents.as_slice()) {
        (None, _) => None,
        (Some(new), [agent]) => Some((agent.clone(), new.clone())),
        (Some(_), _) => return Err(usage("--as needs exactly one --agent")),
    };
    let source = NewSource {
        name: name.clone(),
        origin,
        reference,
        subdir: options.subdir.clone(),
        agents: options.agents.clone(),
        rename,
    };

    let text =
        std::fs::read_to_string(manifest_path).map_err(|e| Error::io("read", manifest_path, e))?;
    let mut edit = ManifestEdit::parse(manifest_path, &text)?;
    if edit.has_source(&name) {
        return Err(Error::Usage {
            message: format!("agentpack.toml already has a source named `{name}`"),
            hint: Some("pick another name with --name, or edit that source".into()),
        });
    }
    edit.add_source(&source);
    let new_text = edit.to_string();
    let manifest = Manifest::parse(manifest_path, &new_text)?;
    let resolve = ResolveOptions {
        offline: options.install.offline,
        ..ResolveOptions::default()
    };
    let done = install_manifest(&manifest, options.install, resolve, false, cache, reporter)?;
    crate::fsutil::write_atomic(manifest_path, new_text.as_bytes())?;
    Ok(Added {
        source,
        summary: done.summary,
    })
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
    pub reference: Option<(&'static str, String)>,
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
    let local = manifest::normalize(&cwd.join(input));
    if local.is_dir() {
        let relative = lockfile::file_label(root, &local);
        let written = if relative.is_empty() {
            ".".to_string()
        } else {
            relative
        };
        let name = derive_name(&local.display().to_string());
        let is_repo = local.join(".git").exists()
            || (local.join("HEAD").is_file() && local.join("objects").is_dir());
        let origin = if is_repo {
            Origin::Git(written)
        } else {
            Origin::Path(written)
        };
        return Ok(ParsedSource {
            origin,
            reference: None,
            name,
        });
    }
    let (repo, at) = match input.split_once('@') {
        Some((repo, at)) => (repo, Some(at)),
        None => (input, None),
    };
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
    Ok(ParsedSource {
        origin: Origin::Git(format!("https://github.com/{repo}")),
        reference: at.map(classify_ref),
        name: derive_name(repo),
    })
}

/// What `@ref` in shorthand means: a requirement (`^1.2`, `~1`, `>=1`), a commit id (7-40 hex digits),
/// a semver tag (`v1.2.0`), or else a branch.
fn classify_ref(at: &str) -> (&'static str, String) {
    let kind = if at.starts_with(['^', '~', '=', '<', '>', '*']) {
        "version"
    } else if at.len() >= 7 && at.len() <= 40 && at.bytes().all(|b| b.is_ascii_hexdigit()) {
        "rev"
    } else if resolve::tag_version(at).is_some() {
        "tag"
    } else {
        "branch"
    };
    (kind, at.to_string())
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
        let at = |s: &str| parse(s).reference;
        assert_eq!(at("o/r@v1.2.0"), Some(("tag", "v1.2.0".into())));
        assert_eq!(at("o/r@^1.2"), Some(("version", "^1.2".into())));
        assert_eq!(at("o/r@4f2a9c1"), Some(("rev", "4f2a9c1".into())));
        assert_eq!(at("o/r@main"), Some(("branch", "main".into())));
        assert!(parse_source("not a thing", here, here).is_err());
        assert!(parse_source("a/b/c", here, here).is_err());
        assert!(parse_source("ext::sh -c x", here, here).is_err());
    }
}
