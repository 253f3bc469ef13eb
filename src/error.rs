//! The library's error type and the process exit codes it maps to.
//!
//! Callers branch on [`Error`] variants (the CLI picks the exit code from them); every variant carries the
//! context a user needs (which source, which file, which URL) and most carry a `hint:`.

use std::path::PathBuf;

use crate::diag::Diagnostic;
use crate::names::SourceName;

/// Exit codes, documented in the README. Kept in one place so commands cannot drift apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything went fine.
    Ok = 0,
    /// A check failed (front matter, a protected file, a collision) or `--locked` found the lock would change.
    CheckFailed = 1,
    /// Usage error, unusable input (manifest, lockfile), or an environment failure (git, network, disk).
    InputError = 2,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in the user's input files (manifest, lockfile), each with file:line:col.
    #[error("{} in `{}`", crate::diag::plural(.diagnostics.len(), "problem"), .file.display())]
    InvalidInput {
        file: PathBuf,
        diagnostics: Vec<Diagnostic>,
    },

    /// Checks on what would be installed failed (front matter, name collisions, protected files).
    #[error("{}", check_summary(.diagnostics))]
    CheckFailed { diagnostics: Vec<Diagnostic> },

    /// `--locked` / `--frozen` and the lockfile is missing or would change.
    #[error("{message}")]
    LockOutdated { message: String, hint: String },

    #[error("could not find `agentpack.toml` in `{}` or any parent directory", .searched_from.display())]
    ManifestNotFound { searched_from: PathBuf },

    /// A git operation on a source failed.
    #[error("{action} `{source_name}` from `{url}`")]
    Git {
        action: &'static str,
        source_name: String,
        url: String,
        #[source]
        cause: git2::Error,
        hint: Option<String>,
        /// The command takes `--offline`: the hint says so (see [`Error::suggest_offline`]).
        offline_tip: bool,
    },

    /// A remote could not be used, for a reason the user can act on (see [`NetProblem`]). Messages name
    /// the source and the URL as written in the manifest, never a credential.
    #[error("source `{source_name}`: {message}")]
    Network {
        problem: NetProblem,
        source_name: String,
        message: String,
        #[source]
        cause: git2::Error,
        hint: String,
        /// The command takes `--offline`: the hint says so, unless `--offline` would not help.
        offline_tip: bool,
    },

    /// What a source asks for cannot be found (a ref, a commit, a sub-directory, an agent).
    #[error("{message}")]
    NotFound {
        message: String,
        hint: Option<String>,
    },

    /// A cache repository could not be created or opened (not a source's fault: the cache's).
    #[error("{action} `{}`", crate::escape::redact(.url))]
    Cache {
        action: &'static str,
        /// What git is asked for.
        url: String,
        #[source]
        cause: git2::Error,
    },

    /// A commit holds git objects no honest repository has (entry names git refuses, absurd nesting, a
    /// symlink target of megabytes): refused before anything is read from it.
    #[error("source `{source_name}`: {message}")]
    InvalidRepository {
        source_name: String,
        message: String,
    },

    /// Packs that bring each other in: `chain` runs from the first pack met twice to the source that
    /// points back at it, whose repository (or directory) is `again`.
    #[error(
        "packs form a cycle: {} (`{again}` again)",
        .chain.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" -> ")
    )]
    PackCycle {
        chain: Vec<SourceName>,
        again: String,
    },

    /// A source nested more than `max` packs deep.
    #[error("source `{source_name}` is nested more than {max} packs deep: {}", .source_name.chain())]
    PackDepth { source_name: SourceName, max: usize },

    /// The manifest and its packs bring in more than `max` sources; `source_name` is where it stopped.
    #[error(
        "the sources of agentpack.toml and their packs number more than {max}; stopped at `{source_name}`: {}",
        .source_name.chain()
    )]
    PackCount { source_name: SourceName, max: usize },

    /// No tag of `url` satisfies every `version` requirement on it: `required` holds each requirement
    /// and who asked (`` `a` (in agentpack.toml) ``), `available` the newest semver tags.
    #[error(
        "no tag of `{url}` satisfies every requirement on it:{}",
        .required.iter().map(|(req, who)| format!("\n  version `{req}` required by {who}")).collect::<String>()
    )]
    VersionConflict {
        url: String,
        required: Vec<(String, String)>,
        available: Vec<String>,
    },

    /// Requirements found late kept changing the unified tags, round after round.
    #[error("the version requirements of the packs did not settle")]
    Unsettled,

    /// `--offline` and the cache does not hold what is needed.
    #[error("{message}")]
    Offline { message: String },

    #[error("failed to {action} `{}`", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        cause: std::io::Error,
    },

    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
}

/// Why a remote could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetProblem {
    /// The host name does not resolve, or there is no route to it.
    Unreachable,
    /// Nothing listens on the host's port.
    Refused,
    /// The server did not answer within `AGENTPACK_NET_TIMEOUT`.
    Timeout,
    /// The server answered that there is no such repository.
    RepositoryNotFound,
    /// The server wants credentials, and none of those offered were accepted.
    AuthFailed,
}

/// What [`Error::suggest_offline`] adds to a network failure's hint.
const OFFLINE_TIP: &str = "`--offline` installs from the cache";

fn check_summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    format!(
        "{} found; nothing was installed",
        crate::diag::plural(errors.max(1), "error")
    )
}

impl Error {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, cause: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            cause,
        }
    }

    /// For the commands that take `--offline` (`install`, `vendor`): a network failure's hint also
    /// points at it. Other commands never suggest a flag they would reject.
    pub fn suggest_offline(mut self) -> Self {
        if let Error::Network { offline_tip, .. } | Error::Git { offline_tip, .. } = &mut self {
            *offline_tip = true;
        }
        self
    }

    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::CheckFailed { .. } | Error::LockOutdated { .. } => ExitStatus::CheckFailed,
            _ => ExitStatus::InputError,
        }
    }

    /// Diagnostics to print before the error line.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::InvalidInput { diagnostics, .. } | Error::CheckFailed { diagnostics } => {
                diagnostics
            }
            _ => &[],
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::LockOutdated { hint, .. } => Some(hint.clone()),
            Error::ManifestNotFound { .. } => Some(
                "run `agentpack init` to create one, or pass `--manifest-path PATH`".to_string(),
            ),
            Error::Git {
                hint: Some(hint),
                offline_tip: true,
                ..
            } => Some(format!("{hint}; {OFFLINE_TIP}")),
            Error::Network {
                hint,
                problem,
                offline_tip: true,
                ..
            } if !matches!(
                problem,
                NetProblem::RepositoryNotFound | NetProblem::AuthFailed
            ) =>
            {
                Some(format!("{hint}; {OFFLINE_TIP}"))
            }
            Error::Git { hint, .. } | Error::NotFound { hint, .. } | Error::Usage { hint, .. } => {
                hint.clone()
            }
            Error::Network { hint, .. } => Some(hint.clone()),
            Error::PackCycle { chain, .. } => Some(format!(
                "remove the source that points back from the `agentpack.toml` of `{}`",
                chain.iter().rev().nth(1).map(|n| n.as_str()).unwrap_or_default()
            )),
            Error::PackDepth { source_name, .. } | Error::PackCount { source_name, .. } => {
                Some(format!(
                    "a pack graph this large is a mistake or an attack; remove `{}` from agentpack.toml",
                    source_name.root()
                ))
            }
            Error::VersionConflict { available, .. } => Some(format!(
                "{}relax one of the requirements (or, for a pack's source, ask its author to)",
                if available.is_empty() {
                    String::new()
                } else {
                    format!("available versions: {}; ", available.join(", "))
                }
            )),
            Error::Unsettled => {
                Some("pin the shared sources with `tag` or `rev` in agentpack.toml".to_string())
            }
            Error::InvalidRepository { .. } => Some(
                "the repository was crafted or is damaged; ask its maintainers, or remove the source from agentpack.toml".to_string(),
            ),
            Error::Offline { .. } => {
                // `--frozen` is `--offline` too: removing `--offline` from `install --frozen` is nothing.
                Some("fill the cache by running the command once with the network: without `--offline` (for `install --frozen`: `agentpack install --locked`), or install from a vendor directory (`agentpack vendor`)".to_string())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> SourceName {
        match n.split_once('/') {
            Some((pack, rest)) => name(pack).child(&name(rest)),
            None => SourceName::parse(n).unwrap(),
        }
    }

    /// Message and hint, as the CLI prints them.
    fn shown(e: Error) -> (String, Option<String>) {
        (e.to_string(), e.hint())
    }

    #[test]
    fn pack_graph_errors_carry_their_data_and_render_here() {
        let cycle = Error::PackCycle {
            chain: vec![name("x"), name("x/y"), name("x/y/x")],
            again: "https://example.com/x.git".into(),
        };
        assert_eq!(
            shown(cycle),
            (
                "packs form a cycle: `x` -> `x/y` -> `x/y/x` (`https://example.com/x.git` again)"
                    .into(),
                Some(
                    "remove the source that points back from the `agentpack.toml` of `x/y`".into()
                )
            )
        );
        let graph_hint = Some(
            "a pack graph this large is a mistake or an attack; remove `top` from agentpack.toml"
                .to_string(),
        );
        let deep = Error::PackDepth {
            source_name: name("top/a/b"),
            max: 10,
        };
        assert_eq!(
            shown(deep),
            (
                format!(
                    "source `top/a/b` is nested more than 10 packs deep: {}",
                    name("top/a/b").chain()
                ),
                graph_hint.clone()
            )
        );
        let wide = Error::PackCount {
            source_name: name("top/s"),
            max: 512,
        };
        assert_eq!(
            shown(wide),
            (
                format!(
                    "the sources of agentpack.toml and their packs number more than 512; stopped at `top/s`: {}",
                    name("top/s").chain()
                ),
                graph_hint
            )
        );
        let unsettled = Error::Unsettled;
        assert_eq!(unsettled.exit_status(), ExitStatus::InputError);
        assert_eq!(
            shown(unsettled),
            (
                "the version requirements of the packs did not settle".into(),
                Some("pin the shared sources with `tag` or `rev` in agentpack.toml".into())
            )
        );
    }

    #[test]
    fn version_conflicts_and_invalid_repositories_name_who_and_what() {
        let conflict = Error::VersionConflict {
            url: "https://example.com/a.git".into(),
            required: vec![("^1".into(), "`a` (in agentpack.toml)".into())],
            available: vec![],
        };
        assert_eq!(
            shown(conflict),
            (
                "no tag of `https://example.com/a.git` satisfies every requirement on it:\n  version `^1` required by `a` (in agentpack.toml)".into(),
                Some("relax one of the requirements (or, for a pack's source, ask its author to)".into())
            )
        );
        let invalid = Error::InvalidRepository {
            source_name: "studio".into(),
            message: "commit abc1234 holds a tree entry named `..`".into(),
        };
        assert_eq!(
            invalid.to_string(),
            "source `studio`: commit abc1234 holds a tree entry named `..`"
        );
    }

    #[test]
    fn only_commands_that_take_offline_suggest_it_and_only_where_it_helps() {
        let network = |problem| Error::Network {
            problem,
            source_name: "s".into(),
            message: "cannot reach the host".into(),
            cause: git2::Error::from_str("down"),
            hint: "check your network".into(),
            offline_tip: false,
        };
        let refused = network(NetProblem::Refused);
        assert_eq!(refused.hint().as_deref(), Some("check your network"));
        assert_eq!(
            refused.suggest_offline().hint().as_deref(),
            Some("check your network; `--offline` installs from the cache")
        );
        let missing = network(NetProblem::RepositoryNotFound).suggest_offline();
        assert_eq!(missing.hint().as_deref(), Some("check your network"));
        let git = |hint: Option<&str>| Error::Git {
            action: "failed to fetch",
            source_name: "s".into(),
            url: "https://example.com/s.git".into(),
            cause: git2::Error::from_str("reset"),
            hint: hint.map(str::to_string),
            offline_tip: false,
        };
        assert_eq!(
            git(Some("check the URL and your network"))
                .suggest_offline()
                .hint()
                .as_deref(),
            Some("check the URL and your network; `--offline` installs from the cache")
        );
        assert_eq!(git(None).suggest_offline().hint(), None);
    }
}
