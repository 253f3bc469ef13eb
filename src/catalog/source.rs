//! Where a marketplace's plugin comes from: its `source` value, typed.
//!
//! | written | typed |
//! |---|---|
//! | `"./plugins/x"` (with `metadata.pluginRoot` prefixed) | [`PluginSource::Relative`] |
//! | `{"source": "github", "repo": "owner/name", "ref"?, "sha"?}` | [`PluginSource::Git`], `https://github.com/owner/name.git` |
//! | `{"source": "url", "url", "ref"?, "sha"?}` | [`PluginSource::Git`] |
//! | `{"source": "git-subdir", "url", "path", "ref"?, "sha"?}` | [`PluginSource::Git`] with a `subdir` |
//! | `npm`, `pip`, archives, anything else | [`ErrorKind::UnsupportedSource`] |
//!
//! A plugin pinned elsewhere is fetched by the caller; a marketplace read from the network must not make
//! it read the installing machine's disk, so [`GitPlugin::is_network`] says whether its URL does.

use serde_json::Value;

use super::{ErrorKind, RepoPath};
use crate::names::Commit;

/// Where a plugin's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginSource {
    /// A folder of the marketplace's own repository, at the marketplace's commit.
    Relative(RepoPath),
    /// Another git repository.
    Git(GitPlugin),
}

/// How a [`GitPlugin`] was written, for messages and the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitForm {
    Github,
    Url,
    GitSubdir,
}

impl GitForm {
    pub fn as_str(self) -> &'static str {
        match self {
            GitForm::Github => "github",
            GitForm::Url => "url",
            GitForm::GitSubdir => "git-subdir",
        }
    }
}

/// A plugin in a git repository of its own (or a folder of one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitPlugin {
    pub form: GitForm,
    /// The URL to fetch, as written (a `github` repo becomes `https://github.com/owner/name.git`).
    pub url: String,
    /// The plugin's folder in that repository (the root unless `git-subdir`).
    pub subdir: RepoPath,
    /// `ref`: a branch or tag to follow.
    pub git_ref: Option<String>,
    /// `sha`: the commit the plugin is pinned to; it wins over `ref`.
    pub sha: Option<Commit>,
}

impl GitPlugin {
    /// Does git reach the URL over the network (https, http, ssh, git, scp-like `host:path`), rather
    /// than on the local disk (`file://`, a path)? A caller refuses a local one from a remote marketplace.
    pub fn is_network(&self) -> bool {
        crate::names::GitUrl {
            written: self.url.clone(),
            fetch: self.url.clone(),
        }
        .is_network()
    }
}

/// Longest URL accepted.
const MAX_URL_LEN: usize = 2048;

/// Why a source cannot be used: an unsupported kind, or a message for an invalid one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceProblem {
    Unsupported(String),
    Invalid(String),
}

/// Type `value`, the `source` of a plugin entry; `root` is `metadata.pluginRoot` (the root if unset).
pub(crate) fn parse(value: &Value, root: &RepoPath) -> Result<PluginSource, SourceProblem> {
    let invalid = |m: String| SourceProblem::Invalid(m);
    let map = match value {
        Value::String(path) => {
            let path =
                RepoPath::parse(path).map_err(|why| invalid(format!("`source` `{path}` {why}")))?;
            return Ok(PluginSource::Relative(root.join(&path)));
        }
        Value::Object(map) => map,
        _ => {
            return Err(invalid(
                "`source` must be a relative path or an object with a `source` kind".into(),
            ));
        }
    };
    let kind = match map.get("source") {
        Some(Value::String(kind)) => kind.as_str(),
        _ => return Err(invalid("`source` object has no `source` kind".into())),
    };
    let form = match kind {
        "github" => GitForm::Github,
        "url" => GitForm::Url,
        "git-subdir" => GitForm::GitSubdir,
        other => return Err(SourceProblem::Unsupported(other.chars().take(64).collect())),
    };
    let text = |key: &str| -> Result<Option<&str>, SourceProblem> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(invalid(format!(
                "`{key}` of a `{kind}` source must be text"
            ))),
        }
    };
    let required =
        |key: &str| text(key)?.ok_or_else(|| invalid(format!("a `{kind}` source needs `{key}`")));
    let url = match form {
        GitForm::Github => github_url(required("repo")?)?,
        GitForm::Url | GitForm::GitSubdir => url(required("url")?)?,
    };
    let subdir = match form {
        GitForm::GitSubdir => {
            let path = required("path")?;
            RepoPath::parse(path).map_err(|why| invalid(format!("`path` `{path}` {why}")))?
        }
        _ => RepoPath::root(),
    };
    Ok(PluginSource::Git(GitPlugin {
        form,
        url,
        subdir,
        git_ref: text("ref")?.map(git_ref).transpose()?,
        sha: text("sha")?.map(sha).transpose()?,
    }))
}

/// `owner/name` (GitHub's characters; `.git` allowed at the end) as an https URL.
fn github_url(repo: &str) -> Result<String, SourceProblem> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.len() <= 100
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match repo.split_once('/') {
        Some((owner, name)) if part_ok(owner) && part_ok(name) => {
            let name = name.strip_suffix(".git").unwrap_or(name);
            Ok(format!("https://github.com/{owner}/{name}.git"))
        }
        _ => Err(SourceProblem::Invalid(format!(
            "`repo` `{repo}` is not a GitHub repository written `owner/name`"
        ))),
    }
}

/// A URL handed to git: bounded, no white space or control characters, not an option (`-x`). An
/// `owner/name` shorthand (which Claude Code accepts for `git-subdir`) means GitHub.
fn url(url: &str) -> Result<String, SourceProblem> {
    let bad = |why: &str| Err(SourceProblem::Invalid(format!("`url` `{url}` {why}")));
    if url.is_empty() {
        return bad("is empty");
    }
    if url.len() > MAX_URL_LEN {
        return bad("is too long");
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains white space or a control character");
    }
    if url.starts_with('-') {
        return bad("starts with `-`");
    }
    let shorthand = !url.contains(':')
        && url.matches('/').count() == 1
        && !url.starts_with('.')
        && !url.starts_with('/');
    if shorthand {
        return github_url(url);
    }
    Ok(url.to_string())
}

fn git_ref(written: &str) -> Result<String, SourceProblem> {
    if written.starts_with('-') || written.len() > 255 || !crate::names::is_valid_ref_name(written)
    {
        return Err(SourceProblem::Invalid(format!(
            "`ref` `{written}` is not a valid git branch or tag name"
        )));
    }
    Ok(written.to_string())
}

fn sha(written: &str) -> Result<Commit, SourceProblem> {
    Commit::parse(written).ok_or_else(|| {
        SourceProblem::Invalid(format!(
            "`sha` `{written}` is not a full commit id (40 hexadecimal digits)"
        ))
    })
}

impl SourceProblem {
    /// The error kind and message for plugin `plugin`.
    pub(crate) fn describe(self, plugin: &str) -> (ErrorKind, String, &'static str) {
        match self {
            SourceProblem::Unsupported(kind) => (
                ErrorKind::UnsupportedSource {
                    plugin: plugin.to_string(),
                    kind: kind.clone(),
                },
                format!(
                    "plugin `{plugin}` has a `{kind}` source, which agentpack does not support; it installs plugins from git only (a relative path, `github`, `url`, `git-subdir`)"
                ),
                "choose another plugin, or add the plugin's git repository as a source of its own",
            ),
            SourceProblem::Invalid(message) => (
                ErrorKind::Invalid,
                format!("plugin `{plugin}`: {message}"),
                "ask the marketplace's author to fix the entry",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(json: &str) -> Value {
        let value: Value = serde_json::from_str(json).unwrap();
        assert!(value.is_object());
        value
    }

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn git(json: &str) -> GitPlugin {
        match parse(&object(json), &RepoPath::root()).unwrap() {
            PluginSource::Git(g) => g,
            other => panic!("{other:?}"),
        }
    }

    fn problem(value: Value) -> SourceProblem {
        parse(&value, &RepoPath::root()).unwrap_err()
    }

    #[test]
    fn relative_sources_join_the_plugin_root() {
        let root = RepoPath::parse("./plugins").unwrap();
        assert_eq!(
            parse(&Value::from("./x"), &root).unwrap(),
            PluginSource::Relative(RepoPath::parse("plugins/x").unwrap())
        );
        assert_eq!(
            parse(&Value::from("./"), &RepoPath::root()).unwrap(),
            PluginSource::Relative(RepoPath::root())
        );
        assert_eq!(
            problem(Value::from("../elsewhere")),
            SourceProblem::Invalid(
                "`source` `../elsewhere` contains `..`; it must stay inside the repository".into()
            )
        );
        assert!(matches!(
            problem(Value::from("/etc")),
            SourceProblem::Invalid(_)
        ));
        assert!(matches!(problem(Value::from(3)), SourceProblem::Invalid(_)));
    }

    #[test]
    fn github_url_and_git_subdir_sources() {
        let g = git(&format!(
            r#"{{"source":"github","repo":"acme/tools","ref":"v1","sha":"{}","extra":1}}"#,
            SHA.to_uppercase()
        ));
        assert_eq!(g.form, GitForm::Github);
        assert_eq!(g.url, "https://github.com/acme/tools.git");
        assert_eq!(g.git_ref.as_deref(), Some("v1"));
        assert_eq!(g.sha.unwrap().to_string(), SHA);
        assert!(g.subdir.is_root() && g.is_network());

        let g = git(r#"{"source":"url","url":"https://example.com/x.git"}"#);
        assert_eq!(
            (g.form, g.url.as_str(), g.sha),
            (GitForm::Url, "https://example.com/x.git", None)
        );

        let g = git(r#"{"source":"git-subdir","url":"acme/mono","path":"./plugins/y/"}"#);
        assert_eq!(g.url, "https://github.com/acme/mono.git");
        assert_eq!(g.subdir.as_str(), "plugins/y");
    }

    #[test]
    fn local_urls_are_typed_as_local() {
        for local in ["file:///srv/p.git", "/srv/p.git", "./p.git", "../p"] {
            let g = git(&format!(r#"{{"source":"url","url":"{local}"}}"#));
            assert!(!g.is_network(), "{local}");
        }
        let g = git(r#"{"source":"url","url":"git@example.com:o/r.git"}"#);
        assert!(g.is_network());
    }

    #[test]
    fn unsupported_and_invalid_sources() {
        assert_eq!(
            problem(object(r#"{"source":"npm","package":"x"}"#)),
            SourceProblem::Unsupported("npm".into())
        );
        for (json, message) in [
            (r#"{"source":"url"}"#, "a `url` source needs `url`"),
            (
                r#"{"source":"github","repo":"a/b/c"}"#,
                "`repo` `a/b/c` is not a GitHub repository written `owner/name`",
            ),
            (
                r#"{"source":"github","repo":"../b"}"#,
                "`repo` `../b` is not a GitHub repository written `owner/name`",
            ),
            (
                r#"{"source":"url","url":"--upload-pack=x"}"#,
                "`url` `--upload-pack=x` starts with `-`",
            ),
            (
                r#"{"source":"url","url":"https://x y"}"#,
                "`url` `https://x y` contains white space or a control character",
            ),
            (
                r#"{"source":"url","url":"https://x","sha":"abc"}"#,
                "`sha` `abc` is not a full commit id (40 hexadecimal digits)",
            ),
            (
                r#"{"source":"url","url":"https://x","ref":"-x"}"#,
                "`ref` `-x` is not a valid git branch or tag name",
            ),
            (
                r#"{"source":"url","url":"https://x","ref":"a..b"}"#,
                "`ref` `a..b` is not a valid git branch or tag name",
            ),
            (
                r#"{"source":"url","url":"https://x","ref":3}"#,
                "`ref` of a `url` source must be text",
            ),
            (
                r#"{"source":"git-subdir","url":"https://x","path":"../y"}"#,
                "`path` `../y` contains `..`; it must stay inside the repository",
            ),
            (r#"{"source":7}"#, "`source` object has no `source` kind"),
        ] {
            assert_eq!(
                problem(object(json)),
                SourceProblem::Invalid(message.into()),
                "{json}"
            );
        }
    }

    #[test]
    fn unsupported_source_message_names_the_plugin() {
        let (kind, message, _) = SourceProblem::Unsupported("npm".into()).describe("fmt");
        assert_eq!(
            kind,
            ErrorKind::UnsupportedSource {
                plugin: "fmt".into(),
                kind: "npm".into()
            }
        );
        assert_eq!(
            message,
            "plugin `fmt` has a `npm` source, which agentpack does not support; it installs plugins from git only (a relative path, `github`, `url`, `git-subdir`)"
        );
    }
}
