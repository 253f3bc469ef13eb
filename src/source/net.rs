//! The network policy of git remotes: credentials (in git's order, each offered once), what kind of
//! failure a libgit2 error is, which failures are retried and how long to wait, and the timeout every
//! network operation is bounded by. [`super::git::Remote`] applies it.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use git2::RemoteCallbacks;

use crate::error::{Error, Result};
use crate::reporter::{FetchProgress, Reporter};

/// How many times a transiently failing network operation is tried in all.
pub const MAX_TRIES: u32 = 3;
/// The variable with the seconds every network operation may wait for the server (to connect, or for
/// any one read or write).
pub const TIMEOUT_VAR: &str = "AGENTPACK_NET_TIMEOUT";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
static TIMEOUT: OnceLock<Duration> = OnceLock::new();

/// What the network policy takes from the process environment. The CLI reads it
/// ([`crate::cli::settings`]) and hands it over once, before any command runs, with
/// [`use_environment`]: credentials are asked for inside libgit2's callbacks and the timeout is a
/// process-wide libgit2 option, so this is process-wide too. Without it, no token, no SSH key file and
/// the default timeout.
#[derive(Debug, Clone, Default)]
pub struct NetworkEnv {
    /// `AGENTPACK_NET_TIMEOUT`, as set (checked when the network is first used).
    pub timeout: Option<String>,
    /// `AGENTPACK_GIT_TOKEN`.
    pub git_token: Option<String>,
    /// `GITHUB_TOKEN` (sent to github.com only).
    pub github_token: Option<String>,
    /// The home directory, whose `.ssh` key files are offered.
    pub home: Option<PathBuf>,
}

static ENVIRONMENT: OnceLock<NetworkEnv> = OnceLock::new();

/// Hand the environment to the network policy (the first call wins).
pub fn use_environment(env: NetworkEnv) {
    let _ = ENVIRONMENT.set(env);
}

fn environment() -> &'static NetworkEnv {
    ENVIRONMENT.get_or_init(NetworkEnv::default)
}

/// Read `AGENTPACK_NET_TIMEOUT` (default 60 s), so that a bad value is an error before anything else
/// happens; [`apply_timeout`] hands it to libgit2 when a remote is first talked to. Later calls only
/// validate the variable.
pub fn configure_network() -> Result<()> {
    let timeout = match &environment().timeout {
        Some(value) if !value.trim().is_empty() => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.001 && *s <= 86_400.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| Error::Usage {
                message: format!("`{TIMEOUT_VAR}` is `{value}`, not a number of seconds"),
                hint: Some(format!(
                    "set it to e.g. `{TIMEOUT_VAR}=120`, or unset it for 60 s"
                )),
            })?,
        _ => DEFAULT_TIMEOUT,
    };
    TIMEOUT.get_or_init(|| timeout);
    Ok(())
}

/// Hand the timeout to libgit2 as its connect and read/write timeout, for SSH as well as HTTP and
/// git://. Called before every connection ([`super::git::Remote`]), not at start-up: setting a libgit2
/// option initialises libgit2, and with it OpenSSL, which a run served from the cache never needs.
pub(super) fn apply_timeout() {
    static APPLIED: std::sync::Once = std::sync::Once::new();
    APPLIED.call_once(|| {
        let ms = net_timeout().as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: runs once per process, and every connection waits for it (`Once`) before it starts,
        // so no libgit2 thread reads the values while they are written.
        #[expect(
            unsafe_code,
            reason = "libgit2's timeouts are process-wide options with no safe setter"
        )]
        unsafe {
            let _ = git2::opts::set_server_connect_timeout_in_milliseconds(ms);
            let _ = git2::opts::set_server_timeout_in_milliseconds(ms);
        }
    });
}

pub(super) fn net_timeout() -> Duration {
    TIMEOUT.get().copied().unwrap_or(DEFAULT_TIMEOUT)
}

/// 0.5 s, then 1 s, ..., each scaled by a random factor in [0.5, 1.5) so that parallel fetches that
/// failed together do not retry together.
pub(super) fn backoff(tries_so_far: u32) -> Duration {
    use std::hash::BuildHasher;
    let random = std::collections::hash_map::RandomState::new().hash_one(std::time::Instant::now());
    let jitter = 0.5 + (random % 1000) as f64 / 1000.0;
    Duration::from_millis(500 * 2u64.pow(tries_so_far - 1)).mul_f64(jitter)
}

/// What kind of failure a libgit2 error is, from its code and message (libgit2 has no finer codes for
/// network failures; the messages below are libgit2's, the servers' and the OS's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    Unreachable,
    Refused,
    Timeout,
    RepositoryNotFound,
    Auth,
    /// Worth another try: a 5xx/429 answer or a dropped connection.
    Transient,
    Other,
}

pub(super) fn classify(e: &git2::Error, auth: &Auth) -> Failure {
    let msg = e.message().to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| msg.contains(n));
    if e.code() == git2::ErrorCode::Timeout || has(&["timed out", "timeout"]) {
        Failure::Timeout
    } else if has(&["connection refused"]) {
        Failure::Refused
    } else if has(&[
        "failed to resolve address",
        "could not resolve",
        "name or service not known",
        "temporary failure in name resolution",
        "no address associated with hostname",
        "nodename nor servname",
        "no route to host",
        "network is unreachable",
        "host is unreachable",
    ]) {
        Failure::Unreachable
    } else if e.code() == git2::ErrorCode::Auth
        || has(&[
            "authentication",
            "failed to authenticate",
            "permission denied (publickey",
        ])
    {
        Failure::Auth
    } else if has(&[
        "status code: 404",
        "status code: 410",
        "repository not found",
        "no such repository",
        "not exported",
        "does not appear to be a git repository",
        "could not find repository",
    ]) {
        Failure::RepositoryNotFound
    } else if has(&["status code: 5", "status code: 429"])
        || has(&[
            "connection reset",
            "broken pipe",
            "unexpected eof",
            "early eof",
        ])
    {
        Failure::Transient
    } else if !auth.tried.is_empty() && has(&["status code: 401", "status code: 403"]) {
        Failure::Auth
    } else {
        Failure::Other
    }
}

/// One way of authenticating, named in messages (never with the secret itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// A token from this environment variable.
    Token(&'static str),
    CredentialHelper,
    SshAgent,
    SshKey(&'static str),
    /// The platform's single sign-on (Negotiate/NTLM).
    Default,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::Token(var) => write!(f, "`{var}`"),
            Method::CredentialHelper => f.write_str("git credential helpers"),
            Method::SshAgent => f.write_str("ssh-agent"),
            Method::SshKey(key) => write!(f, "~/.ssh/{key}"),
            Method::Default => f.write_str("single sign-on"),
        }
    }
}

/// The default SSH key files, in the order ssh tries them.
const SSH_KEYS: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// The method that last worked for each URL in this process: later operations on the same remote (the
/// fetch after the ref listing, other sources) offer it first instead of replaying rejected ones.
static ACCEPTED: Mutex<BTreeMap<String, Method>> = Mutex::new(BTreeMap::new());

/// The credential methods offered so far in one operation.
pub(super) struct Auth {
    ssh: bool,
    /// What worked last time for this URL.
    accepted: Option<Method>,
    tried: Vec<Method>,
}

impl Auth {
    pub(super) fn new(url: &str) -> Auth {
        Auth {
            ssh: !url.starts_with("http://") && !url.starts_with("https://"),
            accepted: ACCEPTED.lock().ok().and_then(|m| m.get(url).copied()),
            tried: Vec::new(),
        }
    }

    /// The operation succeeded: the last method offered (if any) was accepted.
    pub(super) fn remember_success(self, url: &str) {
        if let (Some(method), Ok(mut accepted)) = (self.tried.last(), ACCEPTED.lock()) {
            accepted.insert(url.to_string(), *method);
        }
    }

    /// Whether `method` may be offered now (never twice), recording that it was.
    fn offer(&mut self, method: Method) -> bool {
        let fresh = !self.tried.contains(&method);
        if fresh {
            self.tried.push(method);
        }
        fresh
    }

    /// What went wrong when the server refused us, naming the methods tried (never a secret).
    pub(super) fn failure(&self, url: &str) -> String {
        if self.tried.is_empty() {
            return format!("`{url}` requires authentication, and no credentials are available");
        }
        let tried: Vec<String> = self.tried.iter().map(ToString::to_string).collect();
        format!(
            "authentication to `{url}` failed; tried {}",
            tried.join(", ")
        )
    }

    pub(super) fn hint(&self) -> String {
        if self.ssh {
            "load your key into ssh-agent (`ssh-add`) or use ~/.ssh/id_ed25519, id_ecdsa or id_rsa, and check that it may read the repository".into()
        } else {
            "set `AGENTPACK_GIT_TOKEN` (or `GITHUB_TOKEN` for github.com) to a token that may read the repository, or configure a git credential helper (`git config --global credential.helper ...`)".into()
        }
    }
}

/// The token to send to `url`'s host as HTTP basic auth, and the variable it came from:
/// `AGENTPACK_GIT_TOKEN` for every host, else `GITHUB_TOKEN` for github.com only.
fn token_for(url: &str) -> Option<(&'static str, String)> {
    let env = environment();
    token_from(url, |name| match name {
        "AGENTPACK_GIT_TOKEN" => env.git_token.clone(),
        "GITHUB_TOKEN" => env.github_token.clone(),
        _ => None,
    })
}

/// [`token_for`], reading variables through `env`.
fn token_from(url: &str, env: impl Fn(&str) -> Option<String>) -> Option<(&'static str, String)> {
    let var = |name| env(name).filter(|t| !t.is_empty());
    if let Some(token) = var("AGENTPACK_GIT_TOKEN") {
        return Some(("AGENTPACK_GIT_TOKEN", token));
    }
    let authority = url.split_once("://")?.1.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next()?.to_ascii_lowercase();
    (host == "github.com" || host == "www.github.com")
        .then(|| var("GITHUB_TOKEN").map(|t| ("GITHUB_TOKEN", t)))
        .flatten()
}

/// What the user's git credential helpers (`credential.helper` in their git config) answer for `url`.
fn helper_credentials(
    url: &str,
    username: Option<&str>,
) -> std::result::Result<git2::Cred, git2::Error> {
    git2::Cred::credential_helper(&git2::Config::open_default()?, url, username)
}

/// Credentials for private remotes, in git's order, each method offered at most once per connection (a
/// rejected one moves on to the next, and when none is left the operation fails instead of looping):
///
/// - HTTP(S): a token ([`token_for`]) as basic auth with user `x-access-token` (GitHub's convention; other
///   hosts ignore the user name for tokens), then git's credential helpers from the user's git config;
/// - SSH: ssh-agent, then each of `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` that exists;
/// - Negotiate/NTLM when the server offers it.
///
/// Credentials in URLs never get here: the manifest refuses them.
pub(super) fn callbacks<'a>(
    auth: &'a RefCell<Auth>,
    progress: Option<(&'a dyn Reporter, &'a str)>,
) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |url, username, allowed| {
        credential(&mut auth.borrow_mut(), url, username, allowed)
    });
    if let Some((reporter, source)) = progress {
        callbacks.transfer_progress(move |p| {
            reporter.fetch_progress(
                source,
                Some(FetchProgress {
                    received_objects: p.received_objects(),
                    total_objects: p.total_objects(),
                    received_bytes: p.received_bytes(),
                }),
            );
            true
        });
    }
    callbacks
}

/// The next credential to offer `url` among those `allowed` (see [`callbacks`]).
fn credential(
    auth: &mut Auth,
    url: &str,
    username: Option<&str>,
    allowed: git2::CredentialType,
) -> std::result::Result<git2::Cred, git2::Error> {
    use git2::CredentialType as Kind;
    if allowed.contains(Kind::USERNAME) {
        return git2::Cred::username(username.unwrap_or("git"));
    }
    // What worked before for this URL goes first; a method is still never offered twice.
    match auth.accepted.take() {
        Some(Method::Token(_)) if allowed.contains(Kind::USER_PASS_PLAINTEXT) => {
            if let Some((var, token)) = token_for(url) {
                auth.offer(Method::Token(var));
                return git2::Cred::userpass_plaintext(
                    username.unwrap_or("x-access-token"),
                    &token,
                );
            }
        }
        Some(Method::CredentialHelper) if allowed.contains(Kind::USER_PASS_PLAINTEXT) => {
            auth.offer(Method::CredentialHelper);
            if let Ok(cred) = helper_credentials(url, username) {
                return Ok(cred);
            }
        }
        _ => {}
    }
    if allowed.contains(Kind::SSH_KEY) {
        let user = username.unwrap_or("git");
        if auth.offer(Method::SshAgent) {
            return git2::Cred::ssh_key_from_agent(user);
        }
        if let Some(home) = &environment().home {
            for key in SSH_KEYS {
                let path = home.join(".ssh").join(key);
                if path.is_file() && auth.offer(Method::SshKey(key)) {
                    return git2::Cred::ssh_key(user, None, &path, None);
                }
            }
        }
    }
    if allowed.contains(Kind::USER_PASS_PLAINTEXT) && !auth.ssh {
        if let Some((var, token)) = token_for(url)
            && auth.offer(Method::Token(var))
        {
            return git2::Cred::userpass_plaintext(username.unwrap_or("x-access-token"), &token);
        }
        if auth.offer(Method::CredentialHelper)
            && let Ok(cred) = helper_credentials(url, username)
        {
            return Ok(cred);
        }
    }
    if allowed.contains(Kind::DEFAULT) && auth.offer(Method::Default) {
        return git2::Cred::default();
    }
    Err(git2::Error::new(
        git2::ErrorCode::Auth,
        git2::ErrorClass::Callback,
        "the server refused every credential offered",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: git2::ErrorCode, class: git2::ErrorClass, message: &str) -> git2::Error {
        git2::Error::new(code, class, message)
    }

    fn net(message: &str) -> git2::Error {
        err(
            git2::ErrorCode::GenericError,
            git2::ErrorClass::Net,
            message,
        )
    }

    #[test]
    fn classifies_libgit2_failures() {
        use git2::{ErrorClass as C, ErrorCode as E};
        let none = Auth::new("https://example.com/r.git");
        let cases = [
            (
                net("could not read from socket: timed out"),
                Failure::Timeout,
            ),
            (err(E::Timeout, C::Net, "x"), Failure::Timeout),
            (
                net("failed to connect to 127.0.0.1: Operation timed out"),
                Failure::Timeout,
            ),
            (
                err(
                    E::GenericError,
                    C::Os,
                    "failed to connect to 127.0.0.1: Connection refused",
                ),
                Failure::Refused,
            ),
            (
                net("failed to resolve address for nope.invalid: Name or service not known"),
                Failure::Unreachable,
            ),
            (
                err(
                    E::GenericError,
                    C::Os,
                    "failed to connect to 10.0.0.1: No route to host",
                ),
                Failure::Unreachable,
            ),
            (
                err(E::Auth, C::Http, "unexpected authentication failure"),
                Failure::Auth,
            ),
            (
                err(
                    E::GenericError,
                    C::Ssh,
                    "Failed to authenticate SSH session: Unable to extract public key from private key file",
                ),
                Failure::Auth,
            ),
            (
                err(E::GenericError, C::Http, "unexpected http status code: 404"),
                Failure::RepositoryNotFound,
            ),
            (
                net("remote error: access denied or repository not exported: /nope.git"),
                Failure::RepositoryNotFound,
            ),
            (
                err(E::GenericError, C::Http, "unexpected http status code: 503"),
                Failure::Transient,
            ),
            (
                err(E::GenericError, C::Http, "unexpected http status code: 429"),
                Failure::Transient,
            ),
            (
                err(
                    E::GenericError,
                    C::Os,
                    "error receiving data from socket: Connection reset by peer",
                ),
                Failure::Transient,
            ),
            (
                err(E::GenericError, C::Http, "unexpected http status code: 401"),
                Failure::Other,
            ),
            (
                err(E::GenericError, C::Odb, "object not found"),
                Failure::Other,
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(classify(&error, &none), expected, "{}", error.message());
        }
        let mut tried = Auth::new("https://example.com/r.git");
        tried.offer(Method::CredentialHelper);
        let forbidden = err(E::GenericError, C::Http, "unexpected http status code: 403");
        assert_eq!(classify(&forbidden, &tried), Failure::Auth);
    }

    #[test]
    fn methods_are_offered_once_and_named_without_secrets() {
        let mut auth = Auth::new("https://example.com/r.git");
        assert!(!auth.ssh);
        assert_eq!(
            auth.failure("https://example.com/r.git"),
            "`https://example.com/r.git` requires authentication, and no credentials are available"
        );
        assert!(auth.offer(Method::Token("AGENTPACK_GIT_TOKEN")));
        assert!(!auth.offer(Method::Token("AGENTPACK_GIT_TOKEN")));
        assert!(auth.offer(Method::CredentialHelper));
        assert_eq!(
            auth.failure("u"),
            "authentication to `u` failed; tried `AGENTPACK_GIT_TOKEN`, git credential helpers"
        );
        assert!(auth.hint().contains("AGENTPACK_GIT_TOKEN"));

        let mut ssh = Auth::new("git@example.com:team/agents.git");
        assert!(ssh.ssh);
        ssh.offer(Method::SshAgent);
        ssh.offer(Method::SshKey("id_ed25519"));
        assert_eq!(
            ssh.failure("u"),
            "authentication to `u` failed; tried ssh-agent, ~/.ssh/id_ed25519"
        );
        assert!(ssh.hint().contains("ssh-add"));
    }

    #[test]
    fn github_token_goes_to_github_only_and_agentpack_token_everywhere() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let github = env(&[("GITHUB_TOKEN", "gh")]);
        assert_eq!(
            token_from("https://github.com/o/r", github),
            Some(("GITHUB_TOKEN", "gh".to_string()))
        );
        assert_eq!(
            token_from("https://GitHub.com:443/o/r", github),
            Some(("GITHUB_TOKEN", "gh".to_string()))
        );
        assert_eq!(token_from("https://gitlab.com/o/r", github), None);
        assert_eq!(
            token_from("https://github.com.evil.example/o/r", github),
            None
        );
        let both = env(&[("GITHUB_TOKEN", "gh"), ("AGENTPACK_GIT_TOKEN", "ap")]);
        assert_eq!(
            token_from("https://gitlab.com/o/r", both),
            Some(("AGENTPACK_GIT_TOKEN", "ap".to_string()))
        );
        assert_eq!(
            token_from("https://github.com/o/r", env(&[("GITHUB_TOKEN", "")])),
            None
        );
    }

    #[test]
    fn backoff_doubles_with_jitter() {
        for _ in 0..50 {
            let first = backoff(1);
            let second = backoff(2);
            assert!(first >= Duration::from_millis(250) && first < Duration::from_millis(750));
            assert!(second >= Duration::from_millis(500) && second < Duration::from_millis(1500));
        }
    }
}
