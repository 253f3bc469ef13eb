//! Git sources and the shared cache, all through git2 (libgit2); the product never runs `git`.
//!
//! # Cache layout
//!
//! ```text
//! $AGENTPACK_CACHE_DIR            (default: the platform cache dir from `directories`,
//! │                                e.g. ~/.cache/agentpack on Linux)
//! └── git/
//!     ├── db/
//!     │   ├── <repo-name>-<hash>/  one bare repository per remote URL; <hash> is 16 hex digits of the
//!     │   │   ├── refs/remotes/origin/<branch>   sha256 of the URL git is asked for
//!     │   │   ├── refs/remotes/origin/HEAD -> the remote's default branch, as last seen
//!     │   │   └── refs/tags/<tag>
//!     │   └── <repo-name>-<hash>.lock   held by the run using the repository (see `cache`)
//!     └── checkouts/
//!         └── <repo-name>-<hash>/  the records of that repository (see `records`)
//!             └── <40-hex commit>/
//!                 ├── snapshot-<hash of the subdir>   the files a source reads at that commit
//!                 ├── file-<hash of the path>         one file asked for (a pack's agentpack.toml)
//!                 └── entry-<hash of the path>        whether a path is a folder, another entry, or absent
//! ```
//!
//! No working tree is ever checked out: agent files are read straight from a commit's tree, and what was read is
//! recorded under `checkouts/`, whose records answer the same question next time without libgit2
//! (verified by the sha256 of every file they hold; deleting them is always safe). A fetch only asks for
//! the ref a source needs (its branch or tag); `rev` sources and locked commits that are gone from their ref
//! fetch every branch and tag. Fetches write into the bare repository through libgit2, which updates refs
//! atomically; a fetch that dies half-way leaves only unreferenced objects behind.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{AutotagOption, Direction, FetchOptions, Oid, Repository};

use super::cache::LockedRepo;
use super::net::{
    Auth, Failure, MAX_TRIES, TIMEOUT_VAR, backoff, callbacks, classify, net_timeout,
};
use crate::error::{Error, NetProblem, Result};
use crate::names::GitUrl;
use crate::names::{Commit, sha256_hex};
use crate::reporter::{FetchProgress, Reporter, Status};

pub use super::tree::{MAX_TREE_DEPTH, Origin};

/// Open a bare repository of the cache; the only way in, so libgit2 is set up on first use.
///
/// Nothing before this touches libgit2: its global initialisation also sets up OpenSSL, which reads
/// `openssl.cnf` and parses the system's whole CA bundle (most of the time of a no-op install, before).
/// Commands that never open a repository (`list`, `verify`, `lint`, `tree`, a no-op install, an install
/// from a vendor directory) therefore never load them.
pub(super) fn open_bare(path: &Path) -> std::result::Result<Repository, git2::Error> {
    // libgit2 re-hashes every object it reads (SHA-1DC), which was the largest cost of a no-op
    // install. `git` itself does not verify on read either; objects are verified when fetched.
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| git2::opts::strict_hash_verification(false));
    Repository::open_bare(path)
}

/// The shared cache of bare repositories.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The cache in `root` (the CLI finds it: `AGENTPACK_CACHE_DIR`, else the user's cache directory).
    pub fn new(root: PathBuf) -> Self {
        Cache { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bare repository for `url` (what git is asked for, see [`crate::names::GitUrl::fetch`]).
    pub fn db_path(&self, url: &str) -> PathBuf {
        self.root.join("git").join("db").join(repo_name(url))
    }

    /// The records of the repository for `url` (see [`super::records`]).
    pub(super) fn records_path(&self, url: &str) -> PathBuf {
        self.root.join("git").join("checkouts").join(repo_name(url))
    }

    /// Only through [`super::cache::LockedCache`]: creating or writing a repository needs its lock.
    pub(super) fn open_or_init(&self, url: &str) -> Result<Repository> {
        let path = self.db_path(url);
        if let Ok(repo) = open_bare(&path) {
            return Ok(repo);
        }
        std::fs::create_dir_all(path.parent().expect("db path has a parent"))
            .map_err(|e| Error::io("create the cache directory", self.root.clone(), e))?;
        // Initialise in a temporary sibling and rename, so a half-made repository is never seen.
        let tmp = tempfile::Builder::new()
            .prefix(".init-")
            .tempdir_in(path.parent().expect("db path has a parent"))
            .map_err(|e| Error::io("create a directory in", self.root.clone(), e))?;
        Repository::init_bare(tmp.path()).map_err(|cause| Error::Cache {
            action: "failed to create a cache repository for",
            url: url.to_string(),
            cause,
        })?;
        match std::fs::rename(tmp.path(), &path) {
            Ok(()) => {}
            // Another process won the race: use its repository.
            Err(_) if path.is_dir() => {}
            Err(e) => return Err(Error::io("create", path, e)),
        }
        // On success the temporary path is gone and dropping `tmp` removes nothing; when another process
        // won the race, dropping it removes our unused copy.
        drop(tmp);
        open_bare(&path).map_err(|cause| Error::Cache {
            action: "failed to open the cache repository for",
            url: url.to_string(),
            cause,
        })
    }
}

/// The name of the cache's folders for `url` (its repository and its records): the URL's last part,
/// readable, and 16 hex digits of its sha256.
fn repo_name(url: &str) -> String {
    let tail = url
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplit(['/', ':', '\\'])
        .next()
        .unwrap_or("repo");
    let readable: String = tail
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(40)
        .collect();
    let readable = readable.trim_start_matches('.');
    let hash = &sha256_hex(url.as_bytes())[..16];
    format!(
        "{}-{hash}",
        if readable.is_empty() {
            "repo"
        } else {
            readable
        }
    )
}

/// The refs a remote advertises (or the cache remembers), peeled to commits.
#[derive(Debug, Default, Clone)]
pub struct Refs {
    /// The default branch's name.
    pub head: Option<String>,
    pub branches: BTreeMap<String, Commit>,
    pub tags: BTreeMap<String, Commit>,
}

/// Talks to one remote for one source, with the names needed for good errors.
///
/// Every operation is bounded by the timeout [`super::net::configure_network`] reads (applied by
/// [`super::net::apply_timeout`] before the first connection), retried on transient
/// failures and timeouts ([`MAX_TRIES`] tries, exponential backoff with jitter), and authenticates as
/// [`super::net::callbacks`] describes.
pub struct Remote<'a> {
    /// Fetching writes to the repository: it must be locked.
    repo: &'a Repository,
    source_name: &'a str,
    /// What git is asked for.
    url: &'a str,
    /// What the user wrote (shown in messages).
    display_url: &'a str,
    reporter: &'a dyn Reporter,
}

impl Remote<'_> {
    /// List the remote's branches and tags without fetching objects, and remember its default branch.
    pub fn list_refs(&self) -> Result<Refs> {
        let refs = self.retrying("failed to list refs of", |auth| {
            let mut remote = self.repo.remote_anonymous(self.url)?;
            let connection =
                remote.connect_auth(Direction::Fetch, Some(callbacks(auth, None)), None)?;
            let mut refs = Refs::default();
            let mut peeled = BTreeMap::new();
            for head in connection.list()? {
                let name = head.name();
                if let Some(branch) = name.strip_prefix("refs/heads/") {
                    refs.branches
                        .insert(branch.to_string(), Commit::from(head.oid()));
                } else if let Some(tag) = name.strip_prefix("refs/tags/") {
                    let commit = Commit::from(head.oid());
                    match tag.strip_suffix("^{}") {
                        Some(tag) => peeled.insert(tag.to_string(), commit),
                        None => refs.tags.insert(tag.to_string(), commit),
                    };
                }
            }
            refs.tags.extend(peeled);
            refs.head = connection
                .default_branch()
                .ok()
                .and_then(|b| b.as_str().ok().map(str::to_string))
                .and_then(|b| b.strip_prefix("refs/heads/").map(str::to_string));
            Ok(refs)
        })?;
        if let Some(head) = &refs.head {
            // Best effort: lets `--offline` find the default branch later.
            let _ = self.repo.reference_symbolic(
                "refs/remotes/origin/HEAD",
                &format!("refs/remotes/origin/{head}"),
                true,
                "agentpack: remember default branch",
            );
        }
        Ok(refs)
    }

    /// Fetch `refspecs` into the cache repository, only their tip commits with [`Depth::Tip`].
    pub fn fetch(&self, refspecs: &[String], depth: Depth) -> Result<()> {
        self.reporter
            .fetch_progress(self.source_name, Some(FetchProgress::default()));
        let result = self.retrying("failed to fetch", |auth| {
            let mut remote = self.repo.remote_anonymous(self.url)?;
            let mut options = FetchOptions::new();
            options
                .download_tags(AutotagOption::None)
                .remote_callbacks(callbacks(auth, Some((self.reporter, self.source_name))));
            // Decide on the URL libgit2 will use, after the user's `url.<base>.insteadOf` rewrites.
            let effective = remote.url().ok().unwrap_or(self.url).to_string();
            match depth {
                Depth::Tip if supports_shallow(&effective) => {
                    options.depth(1);
                }
                Depth::Full if self.repo.is_shallow() => {
                    options.depth(UNSHALLOW);
                }
                _ => {}
            }
            remote.fetch(refspecs, Some(&mut options), Some("agentpack: fetch"))
        });
        self.reporter.fetch_progress(self.source_name, None);
        result
    }

    /// Run `op` up to [`MAX_TRIES`] times while it fails transiently, then turn its error into ours.
    /// Each try gets fresh credential state: within one try every method is offered at most once.
    fn retrying<T>(
        &self,
        action: &'static str,
        mut op: impl FnMut(&RefCell<Auth>) -> std::result::Result<T, git2::Error>,
    ) -> Result<T> {
        if let Some(resolved) = missing_local_path(self.url) {
            return Err(Error::NotFound {
                message: format!(
                    "source `{}`: no such directory: `{}` (resolved to `{}`)",
                    self.source_name, self.display_url, resolved
                ),
                hint: Some(
                    "check the `git` path in agentpack.toml; a relative path is relative to the manifest's directory"
                        .into(),
                ),
            });
        }
        super::net::apply_timeout();
        let mut tries = 0;
        loop {
            tries += 1;
            let auth = RefCell::new(Auth::new(self.url));
            let cause = match op(&auth) {
                Ok(value) => {
                    auth.into_inner().remember_success(self.url);
                    return Ok(value);
                }
                Err(cause) => cause,
            };
            let failure = classify(&cause, &auth.borrow());
            if !matches!(failure, Failure::Transient | Failure::Timeout) || tries >= MAX_TRIES {
                return Err(self.error(action, failure, cause, &auth.borrow()));
            }
            let delay = backoff(tries);
            self.reporter.status(
                Status::Retrying,
                &format!(
                    "{} in {:.1} s ({}; {} of {MAX_TRIES} tries left)",
                    self.source_name,
                    delay.as_secs_f64(),
                    cause.message(),
                    MAX_TRIES - tries
                ),
            );
            std::thread::sleep(delay);
        }
    }

    fn error(
        &self,
        action: &'static str,
        failure: Failure,
        cause: git2::Error,
        auth: &Auth,
    ) -> Error {
        let url = self.display_url;
        let (problem, message, hint) = match failure {
            Failure::Unreachable => (
                NetProblem::Unreachable,
                format!("cannot reach the host of `{url}`"),
                "check the host name, your network, proxy or VPN".to_string(),
            ),
            Failure::Refused => (
                NetProblem::Refused,
                format!("connection to `{url}` was refused"),
                "check the host and port, and that the server is running".to_string(),
            ),
            Failure::Timeout => (
                NetProblem::Timeout,
                format!(
                    "`{url}` did not answer within {} s (tried {MAX_TRIES} times)",
                    net_timeout().as_secs_f64()
                ),
                format!(
                    "check your network, proxy or VPN; set `{TIMEOUT_VAR}` (seconds) to wait longer"
                ),
            ),
            Failure::RepositoryNotFound => (
                NetProblem::RepositoryNotFound,
                format!("repository `{url}` not found"),
                "check the URL; some hosts also answer \"not found\" when your credentials cannot read a private repository"
                    .to_string(),
            ),
            Failure::Auth => (
                NetProblem::AuthFailed,
                auth.failure(url),
                auth.hint(),
            ),
            Failure::Transient | Failure::Other => {
                let network = failure == Failure::Transient
                    || matches!(cause.class(), git2::ErrorClass::Net | git2::ErrorClass::Os);
                return Error::Git {
                    action,
                    source_name: self.source_name.to_string(),
                    url: url.to_string(),
                    cause,
                    hint: network.then(|| "check the URL and your network".to_string()),
                    offline_tip: false,
                };
            }
        };
        Error::Network {
            problem,
            source_name: self.source_name.to_string(),
            message,
            cause,
            hint,
            offline_tip: false,
        }
    }
}

/// A local repository path (or `file://` URL) naming no directory: libgit2 would call that an
/// "unsupported URL protocol", which sends users looking at their network.
fn missing_local_path(url: &str) -> Option<&str> {
    let path = url.strip_prefix("file://").unwrap_or(url);
    (Path::new(path).is_absolute() && !Path::new(path).is_dir()).then_some(path)
}

/// How much history a fetch brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Only the commits the refspecs point at (a shallow fetch), where the transport allows it: agent files
    /// are read from one commit, so history is never needed to install.
    Tip,
    /// Everything reachable, completing a shallow repository (to find a commit that is not a tip).
    Full,
}

/// libgit2's `GIT_FETCH_DEPTH_UNSHALLOW`.
const UNSHALLOW: i32 = i32::MAX;

/// libgit2's local transport (file:// URLs and plain paths) cannot fetch shallow; the smart transports
/// (https, ssh, git://) can.
fn supports_shallow(url: &str) -> bool {
    !(url.starts_with("file://") || url.starts_with('/') || url.starts_with('.'))
}

/// A ref of the remote that leads to a pinned commit: what is fetched to get it, and the ref the cache
/// keeps for it (so `--offline` finds it later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tracked {
    Tag(String),
    Branch(String),
}

impl Tracked {
    /// The refspec that fetches this ref into the cache.
    pub fn refspec(&self) -> String {
        format!("+{}:{}", self.remote_name(), self.local_name())
    }

    /// The ref's name on the remote.
    fn remote_name(&self) -> String {
        match self {
            Tracked::Tag(tag) => format!("refs/tags/{tag}"),
            Tracked::Branch(branch) => format!("refs/heads/{branch}"),
        }
    }

    /// The ref's name in the cache repository: tags as they are, branches as remote-tracking refs.
    fn local_name(&self) -> String {
        match self {
            Tracked::Tag(tag) => format!("refs/tags/{tag}"),
            Tracked::Branch(branch) => format!("refs/remotes/origin/{branch}"),
        }
    }
}

/// Refspecs that fetch every branch and tag.
pub fn all_refspecs() -> Vec<String> {
    vec![
        "+refs/heads/*:refs/remotes/origin/*".to_string(),
        "+refs/tags/*:refs/tags/*".to_string(),
    ]
}

impl LockedRepo<'_> {
    /// Talk to the remote `url` for `source_name` (for messages), fetching into this repository (opened
    /// now if it is not yet).
    pub fn remote<'a>(
        &'a self,
        source_name: &'a str,
        url: &'a GitUrl,
        reporter: &'a dyn Reporter,
    ) -> Result<Remote<'a>> {
        Ok(Remote {
            repo: self.git()?,
            source_name,
            url: &url.fetch,
            display_url: &url.written,
            reporter,
        })
    }

    /// What the cache repository knows about the remote's refs (for `--offline`).
    pub fn cached_refs(&self) -> Refs {
        self.git().map(cached_refs).unwrap_or_default()
    }

    /// Does the cache hold `commit` (or a tag object peeling to a commit of that id)? A commit with
    /// records is held without asking git, while its repository is there (records go with a repository
    /// that is gone: see [`super::cache`]).
    pub fn has_commit(&self, commit: Commit) -> bool {
        (self.records.has_commit(commit) && self.db_exists())
            || self
                .git()
                .is_ok_and(|repo| find_commit(repo, commit.oid()).is_some())
    }

    /// The commit an abbreviated id names in the cache; `Err` with a message when it is ambiguous.
    pub fn find_commit_by_prefix(
        &self,
        prefix: &str,
    ) -> std::result::Result<Option<Commit>, String> {
        // A repository that cannot be opened holds nothing; fetching into it says why.
        match self.git() {
            Ok(repo) => find_commit_by_prefix(repo, prefix),
            Err(_) => Ok(None),
        }
    }

    /// Remember in the cache that `tracked` leads to `commit`, so a later `--offline` run finds it even
    /// when the commit arrived with another ref's fetch (or a fetch killed before it updated its refs).
    /// Best effort. The repository is not opened for it: a commit answered by records was remembered
    /// when they were written, and anything else is written when (if) the repository is opened.
    pub fn remember(&self, tracked: &Tracked, commit: Commit) {
        match self.opened() {
            Some(repo) => remember(repo, tracked, commit),
            None => self.remember_later(tracked, commit),
        }
    }

    /// How many commits `head` has that `base` lacks (`None` when either is missing from the cache).
    pub fn commits_behind(&self, base: Commit, head: Commit) -> Option<usize> {
        self.git()
            .ok()?
            .graph_ahead_behind(head.oid(), base.oid())
            .ok()
            .map(|(ahead, _)| ahead)
    }
}

/// Remember in `repo` that `tracked` leads to `commit` (see [`LockedRepo::remember`]).
pub(super) fn remember(repo: &Repository, tracked: &Tracked, commit: Commit) {
    let _ = repo.reference(
        &tracked.local_name(),
        commit.oid(),
        true,
        "agentpack: resolve",
    );
}

/// What the cache repository knows about the remote's refs (for `--offline`).
fn cached_refs(repo: &Repository) -> Refs {
    let mut refs = Refs::default();
    if let Ok(iter) = repo.references() {
        for reference in iter.flatten() {
            let Ok(name) = reference.name() else {
                continue;
            };
            let Ok(commit) = reference.peel_to_commit() else {
                continue;
            };
            if let Some(branch) = name.strip_prefix("refs/remotes/origin/") {
                if branch != "HEAD" {
                    refs.branches
                        .insert(branch.to_string(), Commit::from(commit.id()));
                }
            } else if let Some(tag) = name.strip_prefix("refs/tags/") {
                refs.tags.insert(tag.to_string(), Commit::from(commit.id()));
            }
        }
    }
    refs.head = repo
        .find_reference("refs/remotes/origin/HEAD")
        .ok()
        .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
        .and_then(|t| t.strip_prefix("refs/remotes/origin/").map(str::to_string));
    refs
}

/// The commit `oid` names (peeling annotated tags), if the cache holds it.
fn find_commit(repo: &Repository, oid: Oid) -> Option<Commit> {
    repo.find_object(oid, None)
        .ok()?
        .peel_to_commit()
        .ok()
        .map(|c| Commit::from(c.id()))
}

/// The commit an abbreviated id names in the cache; `Err` with a message when it is ambiguous.
fn find_commit_by_prefix(
    repo: &Repository,
    prefix: &str,
) -> std::result::Result<Option<Commit>, String> {
    // Looked up as an object id only: `revparse` would prefer a tag or branch named like the prefix,
    // which anyone who can push a tag could use to swap the pinned commit.
    let Ok(short) = Oid::from_str(prefix) else {
        return Ok(None);
    };
    let odb = repo.odb().map_err(|e| e.message().to_string())?;
    match odb.exists_prefix(short, prefix.len()) {
        Ok(oid) => Ok(find_commit(repo, oid)),
        Err(e) if e.code() == git2::ErrorCode::Ambiguous => {
            Err(format!("commit prefix `{prefix}` is ambiguous"))
        }
        Err(_) => Ok(None),
    }
}
