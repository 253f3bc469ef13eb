//! The library's error type and the process exit codes it maps to.
//!
//! Callers branch on [`Error`] variants (the CLI picks the exit code from them); every variant carries the
//! context a user needs (which source, which file, which URL) and most carry a `hint:`.

use std::path::PathBuf;

use crate::diag::Diagnostic;

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
    },

    /// What a source asks for cannot be found (a ref, a commit, a sub-directory, an agent).
    #[error("{message}")]
    NotFound {
        message: String,
        hint: Option<String>,
    },

    /// A commit holds git objects no honest repository has (entry names git refuses, absurd nesting, a
    /// symlink target of megabytes): refused before anything is read from it.
    #[error("{message}")]
    InvalidRepository { message: String },

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
    pub fn suggest_offline(self) -> Self {
        const OFFLINE: &str = "`--offline` installs from the cache";
        match self {
            Error::Network {
                problem,
                source_name,
                message,
                cause,
                hint,
            } => Error::Network {
                problem,
                source_name,
                message,
                cause,
                hint: match problem {
                    NetProblem::RepositoryNotFound | NetProblem::AuthFailed => hint,
                    _ => format!("{hint}; {OFFLINE}"),
                },
            },
            Error::Git {
                action,
                source_name,
                url,
                cause,
                hint: Some(hint),
            } => Error::Git {
                action,
                source_name,
                url,
                cause,
                hint: Some(format!("{hint}; {OFFLINE}")),
            },
            other => other,
        }
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
            Error::Git { hint, .. } | Error::NotFound { hint, .. } | Error::Usage { hint, .. } => {
                hint.clone()
            }
            Error::Network { hint, .. } => Some(hint.clone()),
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
