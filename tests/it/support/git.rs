//! Running the `git` command-line tool from tests, isolated from the developer's machine.
//!
//! Every command built here starts from an empty environment: `PATH` is kept, `HOME` and
//! `XDG_CONFIG_HOME` point at an empty directory, `GIT_CONFIG_NOSYSTEM=1` and
//! `GIT_CONFIG_GLOBAL=/dev/null` hide system and global configuration, terminal prompts are off
//! (`GIT_TERMINAL_PROMPT=0`, so a failed HTTP authentication fails instead of hanging), and the
//! author/committer identity and dates are fixed. Tests may shell out to git; the product may not.
//!
//! [`isolate_git2`] does the same for the libgit2 linked into the test process.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The fixed author and committer name of every commit and annotated tag made by the tests.
pub const AUTHOR_NAME: &str = "Agentpack Test";
/// The fixed author and committer e-mail.
pub const AUTHOR_EMAIL: &str = "test@agentpack.invalid";
/// The date (seconds since the epoch, UTC) of the first commit of a [`super::GitRepo`];
/// later commits and tags are one minute apart.
pub const EPOCH: u64 = 1_700_000_000;

/// An empty directory used as `HOME` (and `XDG_CONFIG_HOME`) for git processes started by the
/// tests, so that `~/.gitconfig` and friends of the developer are never read.
pub fn isolated_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("agentpack-it-empty-home");
        std::fs::create_dir_all(&dir).expect("create the isolated HOME for git");
        dir
    })
}

/// `git --exec-path`: where `git-daemon`, `git-http-backend` and the other helpers live.
pub fn exec_path() -> &'static Path {
    static EXEC_PATH: OnceLock<PathBuf> = OnceLock::new();
    EXEC_PATH.get_or_init(|| {
        let out = Command::new("git")
            .arg("--exec-path")
            .stdin(Stdio::null())
            .output()
            .expect("run `git --exec-path` (is git installed?)");
        assert!(out.status.success(), "`git --exec-path` failed: {out:?}");
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
}

/// The path of a git helper program such as `git-daemon` or `git-http-backend`, run directly
/// (not through the `git` wrapper, so that killing the child really stops the helper).
pub fn helper(name: &str) -> PathBuf {
    let path = exec_path().join(name);
    assert!(path.exists(), "git helper {} not found", path.display());
    path
}

/// Applies the isolated environment described in the module documentation to a command.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", isolated_home())
        .env("XDG_CONFIG_HOME", isolated_home())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
        .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
        .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
        .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL)
        .env("GIT_AUTHOR_DATE", format!("{EPOCH} +0000"))
        .env("GIT_COMMITTER_DATE", format!("{EPOCH} +0000"))
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
}

/// A `git` command running in `cwd` with the isolated environment.
pub fn git_command(cwd: &Path) -> Command {
    let mut cmd = Command::new("git");
    isolate(&mut cmd).current_dir(cwd);
    cmd
}

/// Runs `git ARGS` in `cwd` and returns its output whatever the exit status.
pub fn try_git<I, S>(cwd: &Path, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = git_command(cwd);
    cmd.args(args);
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Runs `git ARGS` in `cwd`, panics (showing stdout and stderr) unless it succeeds, and returns
/// its stdout with surrounding whitespace trimmed.
#[track_caller]
pub fn git<I, S>(cwd: &Path, args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<_> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    let out = try_git(cwd, &args);
    if !out.status.success() {
        panic!(
            "git {args:?} failed in {} ({})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            cwd.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
    }
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Points libgit2's global/XDG/system configuration search paths (of this test process) at an
/// empty directory, so git2 calls made by the tests themselves ignore the developer's config.
/// Idempotent; call it before using git2 in a test. (The product binary is isolated separately,
/// through the environment set by [`super::Sandbox`].)
pub fn isolate_git2() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let empty = isolated_home()
            .to_str()
            .expect("UTF-8 temp path")
            .to_owned();
        for level in [
            git2::ConfigLevel::System,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::Global,
            git2::ConfigLevel::ProgramData,
        ] {
            // SAFETY: libgit2 options are process-global. This runs once, inside a `OnceLock`,
            // before the calling test uses git2; other tests that use git2 call this first too.
            #[expect(
                unsafe_code,
                reason = "libgit2's config search path has no safe setter"
            )]
            unsafe { git2::opts::set_search_path(level, empty.as_str()) }
                .expect("set libgit2 config search path");
        }
    });
}
