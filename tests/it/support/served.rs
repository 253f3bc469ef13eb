//! [`ServedRepos`]: repositories published as bare copies and served by a loopback `git daemon`, for
//! manifests that must name network URLs (a pack's sources).

use super::GitDaemon;

/// Bare copies of repositories served over `git://127.0.0.1`, for packs to name.
pub struct ServedRepos {
    root: tempfile::TempDir,
    daemon: GitDaemon,
}

impl ServedRepos {
    pub fn start() -> ServedRepos {
        let root = tempfile::tempdir().unwrap();
        let daemon = GitDaemon::start(root.path());
        ServedRepos { root, daemon }
    }

    /// The URL `<name>.git` is (or will be) served at.
    pub fn url(&self, name: &str) -> String {
        self.daemon.url(name)
    }

    /// Where `<name>.git` lives on disk.
    pub fn bare(&self, name: &str) -> std::path::PathBuf {
        self.root.path().join(format!("{name}.git"))
    }

    /// Publish (or re-publish) `repo` as `<name>.git`; returns its `git://` URL.
    pub fn publish(&self, repo: &super::GitRepo, name: &str) -> String {
        repo.bare_copy_into(self.root.path(), name);
        self.daemon.url(name)
    }
}
