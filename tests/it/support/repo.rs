//! Real git repositories for the tests, built with the `git` command line.
//!
//! A [`GitRepo`] is a non-bare repository in its own temporary directory. Commits and annotated
//! tags have a fixed author/committer ([`super::git::AUTHOR_NAME`]) and dates that start at
//! [`super::git::EPOCH`] and advance one minute per commit or annotated tag, so the same sequence
//! of calls always produces the same commit ids.
//!
//! ```ignore
//! let repo = GitRepo::new("studio");
//! let c1 = repo.file("engineering/backend-architect.md", "---\nname: x\n---\n").commit("first");
//! repo.tag("v1.0.0");
//! let root = tempfile::tempdir().unwrap();
//! let bare = repo.bare_copy_into(root.path(), "studio"); // root/studio.git, served by GitDaemon/HttpGitServer
//! repo.file("b.md", "b").commit("second");
//! repo.push_to(&bare); // publish the new commit
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tempfile::TempDir;

use super::git::{EPOCH, git, git_command, try_git};

/// A non-bare git repository in a temporary directory (deleted on drop).
pub struct GitRepo {
    _tmp: TempDir,
    path: PathBuf,
    /// Minutes after [`EPOCH`] of the next commit or annotated tag.
    clock: AtomicU64,
}

impl GitRepo {
    /// An empty repository at `<tempdir>/<name>` whose initial branch is `main`.
    pub fn new(name: &str) -> GitRepo {
        GitRepo::with_branch(name, "main")
    }

    /// An empty repository at `<tempdir>/<name>` whose initial branch is `branch`.
    pub fn with_branch(name: &str, branch: &str) -> GitRepo {
        let tmp = tempfile::Builder::new()
            .prefix("agentpack-repo-")
            .tempdir()
            .expect("create a temp dir for a git repo");
        let path = tmp.path().join(name);
        std::fs::create_dir_all(&path).expect("create the repo dir");
        git(&path, ["init", "-q", "--template=", "-b", branch, "."]);
        GitRepo {
            _tmp: tmp,
            path,
            clock: AtomicU64::new(0),
        }
    }

    /// The working tree directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `file://` URL of the repository.
    pub fn url(&self) -> String {
        file_url(&self.path)
    }

    /// Writes a file (relative to the working tree), creating parent directories.
    pub fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &GitRepo {
        let path = self.path.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Makes a file executable (or not). Unix only.
    #[cfg(unix)]
    pub fn executable(&self, rel: &str, executable: bool) -> &GitRepo {
        use std::os::unix::fs::PermissionsExt;
        let path = self.path.join(rel);
        let mode = if executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    /// Removes a file, symlink or directory (recursively) from the working tree.
    pub fn remove(&self, rel: &str) -> &GitRepo {
        let path = self.path.join(rel);
        let meta = std::fs::symlink_metadata(&path)
            .unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        if meta.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        self
    }

    /// Creates a symbolic link at `rel` pointing to `target` (stored verbatim, may dangle or
    /// point outside the repository).
    #[cfg(unix)]
    pub fn symlink(&self, rel: &str, target: &str) -> &GitRepo {
        let path = self.path.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::os::unix::fs::symlink(target, &path)
            .unwrap_or_else(|e| panic!("symlink {}: {e}", path.display()));
        self
    }

    /// Reads a file of the working tree.
    pub fn read(&self, rel: &str) -> String {
        let path = self.path.join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Stages everything (`git add -A`) and commits (allowing an empty commit); returns the
    /// 40-hex commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(["add", "-A"]);
        let date = self.next_date();
        let mut cmd = git_command(&self.path);
        cmd.args([
            "commit",
            "-q",
            "--allow-empty",
            "--no-verify",
            "-m",
            message,
        ])
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date);
        run(cmd);
        self.head()
    }

    /// The commit id HEAD points at.
    pub fn head(&self) -> String {
        self.rev_parse("HEAD")
    }

    /// The commit id a revision (branch, tag, `HEAD~1`...) resolves to.
    pub fn rev_parse(&self, rev: &str) -> String {
        self.git(["rev-parse", "--verify", &format!("{rev}^{{commit}}")])
    }

    /// The current branch name (panics on a detached HEAD).
    pub fn current_branch(&self) -> String {
        self.git(["symbolic-ref", "--short", "HEAD"])
    }

    /// Creates a lightweight tag at HEAD.
    pub fn tag(&self, name: &str) -> &GitRepo {
        self.git(["tag", name]);
        self
    }

    /// Creates a lightweight tag at `rev`.
    pub fn tag_at(&self, name: &str, rev: &str) -> &GitRepo {
        self.git(["tag", name, rev]);
        self
    }

    /// Creates an annotated tag at HEAD.
    pub fn annotated_tag(&self, name: &str, message: &str) -> &GitRepo {
        let date = self.next_date();
        let mut cmd = git_command(&self.path);
        cmd.args(["tag", "-a", name, "-m", message])
            .env("GIT_COMMITTER_DATE", &date);
        run(cmd);
        self
    }

    /// Force-moves a tag (as a lightweight tag) to `rev`.
    pub fn move_tag(&self, name: &str, rev: &str) -> &GitRepo {
        self.git(["tag", "-f", name, rev]);
        self
    }

    /// Deletes a tag.
    pub fn delete_tag(&self, name: &str) -> &GitRepo {
        self.git(["tag", "-d", name]);
        self
    }

    /// Creates a branch at HEAD without switching to it.
    pub fn branch(&self, name: &str) -> &GitRepo {
        self.git(["branch", name]);
        self
    }

    /// Creates (or force-moves) a branch at `rev` without switching to it.
    pub fn branch_at(&self, name: &str, rev: &str) -> &GitRepo {
        self.git(["branch", "-f", name, rev]);
        self
    }

    /// Deletes a branch (which must not be checked out).
    pub fn delete_branch(&self, name: &str) -> &GitRepo {
        self.git(["branch", "-D", name]);
        self
    }

    /// Switches the working tree to a branch (or detaches at a tag/commit); the working tree
    /// then holds the files committed there.
    pub fn checkout(&self, rev: &str) -> &GitRepo {
        self.git(["checkout", "-q", rev]);
        self
    }

    /// Runs any git command in the repository and returns its trimmed stdout.
    pub fn git<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        git(&self.path, args)
    }

    /// Publishes the repository as the bare repository `root/<name>.git` (created if needed,
    /// with HEAD naming the currently checked-out branch) and pushes all refs to it; returns its
    /// path. `root` is what [`super::GitDaemon::start`] and [`super::HttpGitServer`] serve.
    pub fn bare_copy_into(&self, root: &Path, name: &str) -> PathBuf {
        let bare = root.join(format!("{name}.git"));
        if !bare.exists() {
            std::fs::create_dir_all(&bare).unwrap();
            // The checked-out branch, or `main` on a detached HEAD.
            let out = try_git(&self.path, ["symbolic-ref", "--short", "-q", "HEAD"]);
            let branch = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let branch = if branch.is_empty() {
                "main".to_owned()
            } else {
                branch
            };
            git(
                &bare,
                ["init", "-q", "--bare", "--template=", "-b", &branch, "."],
            );
        }
        self.push_to(&bare);
        bare
    }

    /// Makes the bare repository at `bare` mirror this repository's branches and tags: new and
    /// moved refs are force-pushed, refs deleted here are deleted there (`git push --mirror`).
    pub fn push_to(&self, bare: &Path) {
        let target = bare.to_str().expect("UTF-8 path");
        self.git(["push", "-q", "--mirror", "--force", target]);
    }

    fn next_date(&self) -> String {
        let minute = self.clock.fetch_add(1, Ordering::SeqCst);
        format!("{} +0000", EPOCH + 60 * minute)
    }
}

/// The `file://` URL of a local path.
pub fn file_url(path: &Path) -> String {
    let path = path.to_str().expect("UTF-8 path");
    assert!(
        !path.contains([' ', '%', '#', '?']),
        "path needs URL escaping: {path}"
    );
    format!("file://{path}")
}

fn run(mut cmd: std::process::Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
}
