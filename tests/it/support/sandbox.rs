//! A sandbox for running the `agentpack` binary: a temporary directory with `home/`, `cache/`,
//! `config/` and `project/`, a command builder whose environment cannot leak the developer's
//! setup, fluent assertions on the result, and whole-tree snapshots.
//!
//! ```ignore
//! let sb = Sandbox::new();
//! sb.write("agentpack.toml", "[sources]\n...");
//! sb.run(["install"]).success().stderr_has("Installed");
//! let before = sb.snapshot(".");
//! sb.run(["install", "--locked"]).failure(1).stderr_has("lockfile");
//! assert_tree_eq(&before, &sb.snapshot("."));
//! ```
//!
//! The environment of [`Sandbox::cmd`] starts empty (`env_clear`), keeps `PATH`, and sets:
//!
//! | variable              | value                |
//! |-----------------------|----------------------|
//! | `HOME`                | `<root>/home`        |
//! | `XDG_CACHE_HOME`      | `<root>/home/.cache` |
//! | `XDG_CONFIG_HOME`     | `<root>/config`      |
//! | `AGENTPACK_CACHE_DIR` | `<root>/cache`       |
//! | `NO_COLOR`            | `1`                  |
//! | `GIT_CONFIG_NOSYSTEM` | `1`                  |
//! | `GIT_TERMINAL_PROMPT` | `0`                  |
//!
//! so `CI`, `GIT_DIR`, `AGENTPACK_GIT_TOKEN`, `GITHUB_TOKEN`... are never inherited; a test adds
//! what it needs with `.env(..)` / removes with `.env_remove(..)` on the returned command. Stdin is
//! empty (EOF) and a run is killed after [`DEFAULT_TIMEOUT`].

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::Predicate;
use tempfile::TempDir;

/// How long a command started by a [`Sandbox`] may run before it is killed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A temporary directory laid out as `home/`, `cache/`, `config/` and `project/`.
pub struct Sandbox {
    root: TempDir,
    home: PathBuf,
    cache: PathBuf,
    config: PathBuf,
    project: PathBuf,
    xdg_cache: PathBuf,
}

impl Default for Sandbox {
    fn default() -> Self {
        Sandbox::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let root = tempfile::Builder::new()
            .prefix("agentpack-sandbox-")
            .tempdir()
            .expect("create the sandbox temp dir");
        let dir = |name: &str| {
            let path = root.path().join(name);
            std::fs::create_dir(&path).unwrap();
            path
        };
        let (home, cache, config, project) =
            (dir("home"), dir("cache"), dir("config"), dir("project"));
        let xdg_cache = home.join(".cache");
        Sandbox {
            root,
            home,
            cache,
            config,
            project,
            xdg_cache,
        }
    }

    /// The sandbox root (parent of `home/`, `cache/`, `config/`, `project/`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The project directory: the working directory of commands, base of relative paths.
    pub fn project(&self) -> &Path {
        &self.project
    }

    /// `HOME` of commands.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// `AGENTPACK_CACHE_DIR` of commands.
    pub fn cache(&self) -> &Path {
        &self.cache
    }

    /// `XDG_CONFIG_HOME` of commands.
    pub fn config(&self) -> &Path {
        &self.config
    }

    /// `XDG_CACHE_HOME` of commands (`home/.cache`, not created in advance).
    pub fn xdg_cache(&self) -> &Path {
        &self.xdg_cache
    }

    /// `project/<rel>`.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.project().join(rel)
    }

    /// Writes `project/<rel>`, creating parent directories.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Sandbox {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Writes `project/agentpack.toml` from a [`super::Manifest`].
    pub fn manifest(&self, manifest: &super::Manifest) -> &Sandbox {
        self.write("agentpack.toml", manifest.render())
    }

    /// Creates the directory `project/<rel>` (and its parents).
    pub fn mkdir(&self, rel: &str) -> &Sandbox {
        std::fs::create_dir_all(self.path(rel)).unwrap();
        self
    }

    /// Creates a symlink `project/<rel>` -> `target` (stored verbatim).
    #[cfg(unix)]
    pub fn symlink(&self, rel: &str, target: &str) -> &Sandbox {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::os::unix::fs::symlink(target, &path).unwrap();
        self
    }

    /// Removes `project/<rel>` (a file, symlink or directory tree).
    pub fn remove(&self, rel: &str) -> &Sandbox {
        let path = self.path(rel);
        let meta = std::fs::symlink_metadata(&path)
            .unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        if meta.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        self
    }

    /// Reads `project/<rel>` as UTF-8 (panics if missing).
    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Reads `project/<rel>` as bytes (panics if missing).
    #[track_caller]
    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        let path = self.path(rel);
        std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    /// Whether `project/<rel>` exists (a dangling symlink counts as existing).
    pub fn exists(&self, rel: &str) -> bool {
        std::fs::symlink_metadata(self.path(rel)).is_ok()
    }

    /// Every entry under `project/<rel>` (`"."` for the whole project), recursively, keyed by
    /// `/`-separated path relative to that directory: regular files map to their bytes, symlinks
    /// to `-> <target>`, and *empty* directories appear as `"<dir>/"` with no bytes (non-empty
    /// ones are implied by their entries). A missing directory gives an empty map.
    pub fn snapshot(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        snapshot_dir(&self.path(rel))
    }

    /// The `agentpack` command, ready to run in `project/` with the sandboxed environment.
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(assert_cmd::cargo::cargo_bin!("agentpack"), args)
    }

    /// Any program, run like [`Sandbox::cmd`] runs `agentpack` (same directory, environment,
    /// stdin and timeout).
    pub fn command<I, S>(&self, program: impl AsRef<OsStr>, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .current_dir(self.project())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home())
            .env("XDG_CACHE_HOME", self.xdg_cache())
            .env("XDG_CONFIG_HOME", self.config())
            .env("AGENTPACK_CACHE_DIR", self.cache())
            .env("NO_COLOR", "1")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .write_stdin(Vec::<u8>::new())
            .timeout(DEFAULT_TIMEOUT);
        // Coverage tools (cargo-llvm-cov) need this to collect profiles from the binary.
        if let Some(profile) = std::env::var_os("LLVM_PROFILE_FILE") {
            cmd.env("LLVM_PROFILE_FILE", profile);
        }
        cmd
    }

    /// Runs `agentpack ARGS` and returns the outcome for fluent assertions.
    pub fn run<I, S>(&self, args: I) -> Outcome
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Outcome::of(self.cmd(args))
    }
}

/// The finished run of a command: exit status and captured output, with chainable assertions
/// that print the command, exit status, full stdout and full stderr when they fail.
pub struct Outcome {
    command: String,
    code: Option<i32>,
    status: String,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// Runs a prepared command (e.g. `sb.cmd([..]).env("CI", "1")`) to completion.
    pub fn of(mut cmd: impl std::borrow::BorrowMut<Command>) -> Outcome {
        let cmd = cmd.borrow_mut();
        let command = describe(cmd);
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {command}: {e}"));
        let status = match out.status.code() {
            Some(code) => format!("exit code {code}"),
            None => format!(
                "{} (killed: signal or {DEFAULT_TIMEOUT:?} timeout?)",
                out.status
            ),
        };
        Outcome {
            command,
            code: out.status.code(),
            status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The exit code (`None` if killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.code
    }

    pub fn stdout(&self) -> &str {
        &self.stdout
    }

    pub fn stderr(&self) -> &str {
        &self.stderr
    }

    /// Stdout parsed as JSON.
    #[track_caller]
    pub fn stdout_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| self.fail(&format!("stdout is not JSON: {e}")))
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn success(self) -> Outcome {
        if self.code != Some(0) {
            self.fail("expected success (exit code 0)");
        }
        self
    }

    /// Asserts the given non-zero exit code.
    #[track_caller]
    pub fn failure(self, code: i32) -> Outcome {
        if self.code != Some(code) {
            self.fail(&format!("expected exit code {code}"));
        }
        self
    }

    #[track_caller]
    pub fn stdout_is(self, expected: &str) -> Outcome {
        if self.stdout != expected {
            self.fail(&format!("stdout differs; expected:\n{expected}<EOF>"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_is(self, expected: &str) -> Outcome {
        if self.stderr != expected {
            self.fail(&format!("stderr differs; expected:\n{expected}<EOF>"));
        }
        self
    }

    /// Asserts stdout, redacted ([`super::redact`]), equals the test's next snapshot
    /// ([`super::snapshot::assert_snapshot`]).
    #[track_caller]
    pub fn stdout_snapshot(self) -> Outcome {
        super::snapshot::assert_snapshot(&self.command, "stdout", &self.stdout);
        self
    }

    /// Asserts stderr, redacted ([`super::redact`]), equals the test's next snapshot
    /// ([`super::snapshot::assert_snapshot`]).
    #[track_caller]
    pub fn stderr_snapshot(self) -> Outcome {
        super::snapshot::assert_snapshot(&self.command, "stderr", &self.stderr);
        self
    }

    /// Substring checks: for output whose other lines are not the subject of the test (or
    /// vary), where a snapshot would pin unrelated text.
    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Outcome {
        if !self.stdout.contains(needle) {
            self.fail(&format!("stdout does not contain {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Outcome {
        if !self.stderr.contains(needle) {
            self.fail(&format!("stderr does not contain {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stdout_lacks(self, needle: &str) -> Outcome {
        if self.stdout.contains(needle) {
            self.fail(&format!("stdout unexpectedly contains {needle:?}"));
        }
        self
    }

    #[track_caller]
    pub fn stderr_lacks(self, needle: &str) -> Outcome {
        if self.stderr.contains(needle) {
            self.fail(&format!("stderr unexpectedly contains {needle:?}"));
        }
        self
    }

    /// Asserts stdout satisfies a `predicates` predicate (e.g. `predicates::str::is_match(..)`).
    #[track_caller]
    pub fn stdout_matches(self, pred: impl Predicate<str>) -> Outcome {
        if !pred.eval(&self.stdout) {
            self.fail("stdout does not satisfy the predicate");
        }
        self
    }

    /// Asserts stderr satisfies a `predicates` predicate.
    #[track_caller]
    pub fn stderr_matches(self, pred: impl Predicate<str>) -> Outcome {
        if !pred.eval(&self.stderr) {
            self.fail("stderr does not satisfy the predicate");
        }
        self
    }

    #[track_caller]
    fn fail(&self, what: &str) -> ! {
        panic!("{what}\n{self}")
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "command: {}", self.command)?;
        writeln!(f, "status:  {}", self.status)?;
        writeln!(f, "--- stdout ---\n{}<EOF>", self.stdout)?;
        write!(f, "--- stderr ---\n{}<EOF>", self.stderr)
    }
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn describe(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program());
    let name = program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy();
    let mut s = name.into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        let arg = arg.to_string_lossy();
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"') {
            s.push_str(&format!("{arg:?}"));
        } else {
            s.push_str(&arg);
        }
    }
    s
}

/// See [`Sandbox::snapshot`]; works on any directory.
pub fn snapshot_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read dir {}: {e}", dir.display()))
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(name, format!("-> {}", target.display()).into_bytes());
            } else if meta.is_dir() {
                let before = out.len();
                walk(&path, &format!("{name}/"), out);
                if out.len() == before {
                    out.insert(format!("{name}/"), Vec::new());
                }
            } else {
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.is_dir() {
        walk(dir, "", &mut out);
    }
    out
}

/// Asserts two snapshots are equal, listing added, removed and changed paths (with contents)
/// when they are not.
#[track_caller]
pub fn assert_tree_eq(expected: &BTreeMap<String, Vec<u8>>, actual: &BTreeMap<String, Vec<u8>>) {
    if expected == actual {
        return;
    }
    let mut report = String::from("directory trees differ:\n");
    for (path, bytes) in actual {
        match expected.get(path) {
            None => report.push_str(&format!(
                "+ {path}\n{}\n",
                indent(&String::from_utf8_lossy(bytes))
            )),
            Some(old) if old != bytes => report.push_str(&format!(
                "~ {path}\n  before:\n{}\n  after:\n{}\n",
                indent(&String::from_utf8_lossy(old)),
                indent(&String::from_utf8_lossy(bytes))
            )),
            Some(_) => {}
        }
    }
    for path in expected.keys().filter(|p| !actual.contains_key(*p)) {
        report.push_str(&format!("- {path}\n"));
    }
    panic!("{report}");
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    | {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
