//! Git sources and the shared cache, all through git2 (libgit2); the product never runs `git`.
//!
//! # Cache layout
//!
//! ```text
//! $AGENTPACK_CACHE_DIR            (default: the platform cache dir from `directories`,
//! │                                e.g. ~/.cache/agentpack on Linux)
//! └── git/
//!     └── db/
//!         └── <repo-name>-<hash>/  one bare repository per remote URL; <hash> is 16 hex digits of the
//!             ├── refs/remotes/origin/<branch>   sha256 of the URL git is asked for
//!             ├── refs/remotes/origin/HEAD -> the remote's default branch, as last seen
//!             └── refs/tags/<tag>
//! ```
//!
//! Nothing is ever checked out: agent files are read straight from a commit's tree. A fetch only asks for
//! the ref a source needs (its branch or tag); `rev` sources and locked commits that are gone from their ref
//! fetch every branch and tag. Fetches write into the bare repository through libgit2, which updates refs
//! atomically; a fetch that dies half-way leaves only unreferenced objects behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{AutotagOption, Direction, FetchOptions, ObjectType, Oid, RemoteCallbacks, Repository};

use super::{Content, Skipped, Snapshot, SourceFile};
use crate::error::{Error, Result};
use crate::frontmatter::MAX_FILE_SIZE;
use crate::names::{Commit, sha256_hex};
use crate::reporter::{FetchProgress, Reporter};

/// The shared cache of bare repositories.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    pub fn new(root: PathBuf) -> Self {
        Cache { root }
    }

    /// `AGENTPACK_CACHE_DIR`, else the user's cache directory.
    pub fn locate() -> Result<Cache> {
        if let Some(dir) = std::env::var_os("AGENTPACK_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Ok(Cache::new(PathBuf::from(dir)));
        }
        directories::ProjectDirs::from("", "", "agentpack")
            .map(|dirs| Cache::new(dirs.cache_dir().to_path_buf()))
            .ok_or_else(|| Error::Usage {
                message: "cannot find a cache directory (no home directory)".into(),
                hint: Some("set `AGENTPACK_CACHE_DIR`".into()),
            })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bare repository for `url` (what git is asked for, see [`crate::manifest::GitUrl::fetch`]).
    pub fn db_path(&self, url: &str) -> PathBuf {
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
        self.root.join("git").join("db").join(format!(
            "{}-{hash}",
            if readable.is_empty() {
                "repo"
            } else {
                readable
            }
        ))
    }

    /// Open the repository for `url` if it was fetched before.
    pub fn open(&self, url: &str) -> Option<Repository> {
        Repository::open_bare(self.db_path(url)).ok()
    }

    pub fn open_or_init(&self, url: &str) -> Result<Repository> {
        let path = self.db_path(url);
        if let Ok(repo) = Repository::open_bare(&path) {
            return Ok(repo);
        }
        std::fs::create_dir_all(path.parent().expect("db path has a parent"))
            .map_err(|e| Error::io("create the cache directory", self.root.clone(), e))?;
        // Initialise in a temporary sibling and rename, so a half-made repository is never seen.
        let tmp = tempfile::Builder::new()
            .prefix(".init-")
            .tempdir_in(path.parent().expect("db path has a parent"))
            .map_err(|e| Error::io("create a directory in", self.root.clone(), e))?;
        Repository::init_bare(tmp.path()).map_err(|e| Error::Git {
            action: "failed to create a cache repository for",
            source_name: String::new(),
            url: url.to_string(),
            cause: e,
            hint: None,
        })?;
        match std::fs::rename(tmp.path(), &path) {
            Ok(()) => {}
            // Another process won the race: use its repository.
            Err(_) if path.is_dir() => {}
            Err(e) => return Err(Error::io("create", path, e)),
        }
        std::mem::forget(tmp);
        Repository::open_bare(&path).map_err(|e| Error::Git {
            action: "failed to open the cache repository for",
            source_name: String::new(),
            url: url.to_string(),
            cause: e,
            hint: None,
        })
    }
}

/// The refs a remote advertises (or the cache remembers), peeled to commits.
#[derive(Debug, Default, Clone)]
pub struct Refs {
    /// The default branch's name.
    pub head: Option<String>,
    pub branches: BTreeMap<String, Oid>,
    pub tags: BTreeMap<String, Oid>,
}

/// Talks to one remote for one source, with the names needed for good errors.
pub struct Remote<'a> {
    pub repo: &'a Repository,
    pub source_name: &'a str,
    /// What git is asked for.
    pub url: &'a str,
    /// What the user wrote (shown in messages).
    pub display_url: &'a str,
    pub reporter: &'a dyn Reporter,
}

impl Remote<'_> {
    fn git_error(&self, action: &'static str, cause: git2::Error) -> Error {
        let hint = match cause.class() {
            git2::ErrorClass::Net | git2::ErrorClass::Os => {
                Some("check the URL and your network; `--offline` uses only the cache".to_string())
            }
            git2::ErrorClass::Http | git2::ErrorClass::Ssh
                if cause.code() == git2::ErrorCode::Auth =>
            {
                Some("check your credentials (git credential helper, ssh-agent)".to_string())
            }
            _ => None,
        };
        Error::Git {
            action,
            source_name: self.source_name.to_string(),
            url: self.display_url.to_string(),
            cause,
            hint,
        }
    }

    /// List the remote's branches and tags without fetching objects, and remember its default branch.
    pub fn list_refs(&self) -> Result<Refs> {
        let mut remote = self
            .repo
            .remote_anonymous(self.url)
            .map_err(|e| self.git_error("failed to list refs of", e))?;
        let connection = remote
            .connect_auth(Direction::Fetch, Some(callbacks(None, None)), None)
            .map_err(|e| self.git_error("failed to connect to", e))?;
        let mut refs = Refs::default();
        let mut peeled = BTreeMap::new();
        for head in connection
            .list()
            .map_err(|e| self.git_error("failed to list refs of", e))?
        {
            let name = head.name();
            if let Some(branch) = name.strip_prefix("refs/heads/") {
                refs.branches.insert(branch.to_string(), head.oid());
            } else if let Some(tag) = name.strip_prefix("refs/tags/") {
                match tag.strip_suffix("^{}") {
                    Some(tag) => peeled.insert(tag.to_string(), head.oid()),
                    None => refs.tags.insert(tag.to_string(), head.oid()),
                };
            }
        }
        refs.tags.extend(peeled);
        refs.head = connection
            .default_branch()
            .ok()
            .and_then(|b| b.as_str().ok().map(str::to_string))
            .and_then(|b| b.strip_prefix("refs/heads/").map(str::to_string));
        drop(connection);
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

    /// Fetch `refspecs` into the cache repository.
    pub fn fetch(&self, refspecs: &[String]) -> Result<()> {
        let mut remote = self
            .repo
            .remote_anonymous(self.url)
            .map_err(|e| self.git_error("failed to fetch", e))?;
        let mut options = FetchOptions::new();
        options
            .download_tags(AutotagOption::None)
            .remote_callbacks(callbacks(Some(self.reporter), Some(self.source_name)));
        self.reporter
            .fetch_progress(self.source_name, Some(FetchProgress::default()));
        let result = remote.fetch(refspecs, Some(&mut options), Some("agentpack: fetch"));
        self.reporter.fetch_progress(self.source_name, None);
        result.map_err(|e| self.git_error("failed to fetch", e))
    }
}

/// Refspec that fetches one branch into its remote-tracking ref.
pub fn branch_refspec(branch: &str) -> String {
    format!("+refs/heads/{branch}:refs/remotes/origin/{branch}")
}

/// Refspec that fetches one tag.
pub fn tag_refspec(tag: &str) -> String {
    format!("+refs/tags/{tag}:refs/tags/{tag}")
}

/// Refspecs that fetch every branch and tag.
pub fn all_refspecs() -> Vec<String> {
    vec![
        "+refs/heads/*:refs/remotes/origin/*".to_string(),
        "+refs/tags/*:refs/tags/*".to_string(),
    ]
}

/// What the cache repository knows about the remote's refs (for `--offline`).
pub fn cached_refs(repo: &Repository) -> Refs {
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
                    refs.branches.insert(branch.to_string(), commit.id());
                }
            } else if let Some(tag) = name.strip_prefix("refs/tags/") {
                refs.tags.insert(tag.to_string(), commit.id());
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
pub fn find_commit(repo: &Repository, oid: Oid) -> Option<Commit> {
    repo.find_object(oid, None)
        .ok()?
        .peel_to_commit()
        .ok()
        .map(|c| Commit::from(c.id()))
}

/// The commit an abbreviated id names in the cache; `Err` with a message when it is ambiguous.
pub fn find_commit_by_prefix(
    repo: &Repository,
    prefix: &str,
) -> std::result::Result<Option<Commit>, String> {
    match repo.revparse_single(prefix) {
        Ok(object) => Ok(object.peel_to_commit().ok().map(|c| Commit::from(c.id()))),
        Err(e) if e.code() == git2::ErrorCode::Ambiguous => {
            Err(format!("commit prefix `{prefix}` is ambiguous"))
        }
        Err(_) => Ok(None),
    }
}

/// Read the `.md` files under `subdir` of `commit`'s tree.
pub fn snapshot(repo: &Repository, commit: Commit, subdir: Option<&str>) -> Result<Snapshot> {
    let git_err = |cause: git2::Error| Error::Git {
        action: "failed to read commit",
        source_name: String::new(),
        url: commit.to_string(),
        cause,
        hint: None,
    };
    let root = repo
        .find_commit(commit.oid())
        .and_then(|c| c.tree())
        .map_err(git_err)?;
    let base = subdir.unwrap_or("");
    let searched = if base.is_empty() {
        root.clone()
    } else {
        let entry = root.get_path(Path::new(base)).ok();
        match entry.and_then(|e| e.to_object(repo).ok()?.into_tree().ok()) {
            Some(tree) => tree,
            None => {
                return Err(Error::NotFound {
                    message: format!(
                        "directory `{base}` does not exist at commit {}",
                        commit.short()
                    ),
                    hint: Some("check `subdir` in agentpack.toml".into()),
                });
            }
        }
    };

    let mut snapshot = Snapshot::default();
    let odb = repo.odb().map_err(git_err)?;
    let mut entries = Vec::new();
    searched
        .walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if let Ok(name) = entry.name()
                && super::is_markdown(name)
                && entry.kind() != Some(ObjectType::Tree)
            {
                entries.push((format!("{dir}{name}"), entry.id(), entry.filemode()));
            }
            git2::TreeWalkResult::Ok
        })
        .map_err(git_err)?;

    for (path, id, mode) in entries {
        let repo_path = super::join(subdir, &path);
        let blob = if mode == 0o120000 {
            match follow_link(repo, &root, base, &repo_path, id) {
                Ok(blob) => blob,
                Err(reason) => {
                    snapshot.skipped.push(Skipped { repo_path, reason });
                    continue;
                }
            }
        } else if mode == 0o160000 {
            continue; // a submodule: never followed
        } else {
            id
        };
        let content = match odb.read_header(blob) {
            Ok((size, _)) if size > MAX_FILE_SIZE => Content::TooLarge(size as u64),
            _ => Content::Bytes(repo.find_blob(blob).map_err(git_err)?.content().to_vec()),
        };
        snapshot.files.push(SourceFile {
            path,
            repo_path,
            content,
        });
    }
    snapshot.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(snapshot)
}

/// Follow a symlink stored in the tree (up to 8 hops) to a blob inside the searched directory.
fn follow_link(
    repo: &Repository,
    root: &git2::Tree<'_>,
    base: &str,
    repo_path: &str,
    mut id: Oid,
) -> std::result::Result<Oid, String> {
    let mut current = repo_path.to_string();
    for _ in 0..8 {
        let target = repo
            .find_blob(id)
            .map(|b| String::from_utf8_lossy(b.content()).into_owned())
            .map_err(|e| e.message().to_string())?;
        let dir = current.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let Some(resolved) = super::resolve_link(base, dir, &target) else {
            return Err(format!(
                "symlink to `{target}` points outside the searched directory; not followed"
            ));
        };
        let entry = root
            .get_path(Path::new(&resolved))
            .map_err(|_| format!("symlink to `{target}` is dangling"))?;
        match entry.filemode() {
            0o120000 => {
                id = entry.id();
                current = resolved;
            }
            0o100644 | 0o100755 => return Ok(entry.id()),
            _ => return Err(format!("symlink to `{target}` does not point at a file")),
        }
    }
    Err("too many levels of symlinks".to_string())
}

/// Credentials for private remotes: git's credential helpers for HTTPS, ssh-agent then default keys for
/// SSH. Each method is tried once, so a wrong password fails instead of looping.
fn callbacks<'a>(
    reporter: Option<&'a dyn Reporter>,
    source: Option<&'a str>,
) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    let mut tried_helper = false;
    let mut tried_agent = false;
    let mut tried_keys = false;
    callbacks.credentials(move |url, username, allowed| {
        if allowed.contains(git2::CredentialType::SSH_KEY) {
            let user = username.unwrap_or("git");
            if !tried_agent {
                tried_agent = true;
                return git2::Cred::ssh_key_from_agent(user);
            }
            if !tried_keys {
                tried_keys = true;
                if let Some(home) = directories::BaseDirs::new() {
                    for key in ["id_ed25519", "id_ecdsa", "id_rsa"] {
                        let path = home.home_dir().join(".ssh").join(key);
                        if path.is_file() {
                            return git2::Cred::ssh_key(user, None, &path, None);
                        }
                    }
                }
            }
        }
        if allowed.contains(git2::CredentialType::USER_PASS_PLAINTEXT) && !tried_helper {
            tried_helper = true;
            if let Ok(config) = git2::Config::open_default() {
                return git2::Cred::credential_helper(&config, url, username);
            }
        }
        if allowed.contains(git2::CredentialType::DEFAULT) {
            return git2::Cred::default();
        }
        Err(git2::Error::new(
            git2::ErrorCode::Auth,
            git2::ErrorClass::Http,
            "authentication failed: tried git credential helpers, ssh-agent and ~/.ssh keys",
        ))
    });
    if let (Some(reporter), Some(source)) = (reporter, source) {
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

/// The bytes of the regular file at `path` (repository-relative, `/`-separated) in `commit`'s tree;
/// `None` when there is no such file (or it is a symlink, a directory or over the size limit).
pub fn read_file(repo: &Repository, commit: Commit, path: &str) -> Option<Vec<u8>> {
    let tree = repo.find_commit(commit.oid()).ok()?.tree().ok()?;
    let entry = tree.get_path(Path::new(path)).ok()?;
    if !matches!(entry.filemode(), 0o100644 | 0o100755) {
        return None;
    }
    let (size, _) = repo.odb().ok()?.read_header(entry.id()).ok()?;
    if size > MAX_FILE_SIZE {
        return None;
    }
    Some(repo.find_blob(entry.id()).ok()?.content().to_vec())
}

/// How many commits `head` has that `base` lacks (`None` when either is missing from the cache).
pub fn commits_behind(repo: &Repository, base: Commit, head: Commit) -> Option<usize> {
    repo.graph_ahead_behind(head.oid(), base.oid())
        .ok()
        .map(|(ahead, _)| ahead)
}
