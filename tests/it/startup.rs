//! What commands load at start-up: only a command about to talk to a remote may initialise libgit2, whose
//! global set-up reads OpenSSL's configuration and parses the whole CA bundle.
//!
//! Observed with `strace` (installed by `.ci/run`, or from Debian's packages by the first run of these tests
//! when it is missing, so a plain `cargo test` needs no set-up; if it cannot be had, the tests fail): every
//! run points
//! `OPENSSL_CONF`, `SSL_CERT_FILE` and `SSL_CERT_DIR` at files of its sandbox, so that any read of them is
//! visible as an `open` of a known path, whatever the distribution's defaults are. A cold install is the
//! control that shows the probe sees them when they are read.
//!
//! Installs served from the cache read a commit's files from its records (`git/checkouts/`), never from
//! the repository through libgit2. The same probe, on `stat` calls, shows that an install records the
//! files it has just written without looking at each of them again.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::support::*;

/// Installs `strace` with apt-get when it is not on the PATH (once per test run); the tests then fail
/// clearly if it still is not there.
fn ensure_strace() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    let present = || {
        std::process::Command::new("strace")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    INSTALL.call_once(|| {
        if !present() {
            let apt = |args: &[&str]| {
                std::process::Command::new("apt-get")
                    .args(args)
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let _ = apt(&["install", "-y", "-qq", "strace"])
                || (apt(&["update", "-qq"]) && apt(&["install", "-y", "-qq", "strace"]));
        }
    });
    assert!(
        present(),
        "the start-up tests need strace, and installing it with apt-get failed: install it \
         (`apt-get install strace`) or run `.ci/run`"
    );
}

/// The sandbox's stand-ins for OpenSSL's configuration and certificates.
struct TlsFiles {
    conf: PathBuf,
    cert_file: PathBuf,
    cert_dir: PathBuf,
}

impl TlsFiles {
    fn new(sb: &Sandbox) -> TlsFiles {
        let dir = sb.root().join("tls");
        let files = TlsFiles {
            conf: dir.join("openssl.cnf"),
            cert_file: dir.join("ca-bundle.crt"),
            cert_dir: dir.join("certs"),
        };
        std::fs::create_dir_all(&files.cert_dir).unwrap();
        std::fs::write(&files.conf, "# empty OpenSSL configuration\n").unwrap();
        std::fs::write(&files.cert_file, "").unwrap();
        files
    }

    /// Runs `agentpack ARGS` under `strace` and returns which of the stand-ins it opened, and the outcome.
    fn trace(&self, sb: &Sandbox, args: &[&str]) -> (Vec<String>, Outcome) {
        let env = [
            ("OPENSSL_CONF", &self.conf),
            ("SSL_CERT_FILE", &self.cert_file),
            ("SSL_CERT_DIR", &self.cert_dir),
        ];
        let (trace, outcome) = strace(sb, "trace=open,openat,openat2", args, &env);
        let opened = [&self.conf, &self.cert_file, &self.cert_dir]
            .into_iter()
            .filter(|p| trace.contains(&format!("\"{}", p.display())))
            .map(|p| file_name(p))
            .collect();
        (opened, outcome)
    }
}

/// Runs `agentpack ARGS` under `strace -e FILTER` with `env` set, and returns the log and the outcome.
fn strace(
    sb: &Sandbox,
    filter: &str,
    args: &[&str],
    env: &[(&str, &PathBuf)],
) -> (String, Outcome) {
    ensure_strace();
    let log = sb.root().join("strace.log");
    let _ = std::fs::remove_file(&log);
    let agentpack = assert_cmd::cargo::cargo_bin!("agentpack");
    let mut strace_args: Vec<OsString> = ["-f", "-qq", "-e", filter, "-o"]
        .map(OsString::from)
        .to_vec();
    strace_args.extend([log.clone().into(), "--".into(), agentpack.into()]);
    strace_args.extend(args.iter().map(OsString::from));
    let mut cmd = sb.command("strace", strace_args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let outcome = Outcome::of(cmd);
    let trace = std::fs::read_to_string(&log)
        .unwrap_or_else(|e| panic!("strace wrote no log ({e}); is strace installed?"));
    (trace, outcome)
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn local_commands_never_initialise_tls() {
    let repo = studio();
    let sb = Sandbox::new();
    let tls = TlsFiles::new(&sb);
    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));

    // The control: an install that fetches initialises libgit2, and the probe sees OpenSSL read its
    // configuration and the CA bundle.
    let (opened, outcome) = tls.trace(&sb, &["install"]);
    outcome.success();
    // (Whether OpenSSL also opens the certificate directory at start-up is its own business.)
    assert_eq!(opened[..2], ["openssl.cnf", "ca-bundle.crt"]);

    let lint_dir = sb.root().join("lint-me");
    std::fs::create_dir(&lint_dir).unwrap();
    std::fs::write(
        lint_dir.join("reviewer.md"),
        agent("reviewer", "Reviews code"),
    )
    .unwrap();
    let lint_path = lint_dir.display().to_string();
    for args in [
        vec!["install"],
        vec!["list"],
        vec!["verify"],
        vec!["tree"],
        vec!["lint", &lint_path],
        vec!["completions", "bash"],
    ] {
        let (opened, outcome) = tls.trace(&sb, &args);
        outcome.success();
        assert!(opened.is_empty(), "`agentpack {args:?}` opened {opened:?}");
    }
    // An install whose target was deleted, served from a vendor directory.
    sb.run(["vendor"]).success();
    let manifest = sb.read("agentpack.toml");
    sb.write(
        "agentpack.toml",
        format!("[install]\nvendor = \"agentpack-vendor\"\n\n{manifest}"),
    );
    sb.remove(".claude");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    let (opened, outcome) = tls.trace(&sb, &["install", "--frozen"]);
    outcome.success().stderr_snapshot();
    assert!(opened.is_empty(), "a vendored install opened {opened:?}");

    let empty = Sandbox::new();
    let (opened, outcome) = tls.trace(&empty, &["init"]);
    outcome.success();
    assert!(opened.is_empty(), "`agentpack init` opened {opened:?}");
}

/// With a warm cache and a lock, every install that needs no remote is answered by the cache's records:
/// into an empty project, `--frozen`, `--offline`, and `--locked` (whose sources pin branches and
/// commits, so there is no locked tag to check upstream), for agents, skills, commands and plugins of a
/// marketplace, some pinned in another repository.
#[test]
fn installs_from_the_cache_never_initialise_tls() {
    let (served, market_url) = crate::plugins::served_market();
    let kit = toolkit();
    let sb = Sandbox::new();
    let tls = TlsFiles::new(&sb);
    sb.manifest(
        &Manifest::new()
            .source(
                // Commands come from the marketplace's `review-kit` (the same names).
                Source::git("kit", kit.url()).agents(["*"]).skills(["*"]),
            )
            .source(Source::git("market", &market_url).plugins(crate::plugins::PLUGINS)),
    );

    let (opened, outcome) = tls.trace(&sb, &["install"]);
    outcome.success();
    assert_eq!(opened[..2], ["openssl.cnf", "ca-bundle.crt"], "the control");
    let expected = sb.snapshot(".");
    assert!(expected.contains_key(".claude/skills/form-filler/scripts/fill_form.py"));
    assert!(expected.contains_key(".claude/agents/lint-fixer.md"));
    assert!(expected.contains_key(".claude/commands/review.md"));

    for args in [
        vec!["install"],
        vec!["install", "--frozen"],
        vec!["install", "--offline"],
        vec!["install", "--locked"],
    ] {
        sb.remove(".claude");
        let (opened, outcome) = tls.trace(&sb, &args);
        outcome.success().stderr_lacks("Fetching");
        assert!(opened.is_empty(), "`agentpack {args:?}` opened {opened:?}");
        assert_tree_eq(&expected, &sb.snapshot("."));
    }

    // A new project with the lock, on the same cache.
    let fresh = Sandbox::new();
    fresh.write("agentpack.toml", sb.read("agentpack.toml"));
    fresh.write("agentpack.lock", sb.read("agentpack.lock"));
    let mut cmd = fresh.cmd(["install", "--frozen"]);
    cmd.env("AGENTPACK_CACHE_DIR", sb.cache());
    Outcome::of(cmd).success();
    assert_tree_eq(&expected, &fresh.snapshot("."));
    drop(served);
}

/// An install records the no-op state of the files it has just written without a `stat` of each (it knows
/// their sizes, and they are too recent for a time stamp); the no-op install after it is the control that
/// shows the probe sees a `stat` of every installed file.
#[test]
fn an_install_takes_no_stat_of_the_files_it_just_wrote() {
    let repo = studio();
    let sb = Sandbox::new();
    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success();
    let installed: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    assert!(installed.len() >= 2, "{installed:?}");
    // A `stat` that finds the file (one that finds none is a look before anything is written).
    let stats_of = |trace: &str| -> Vec<String> {
        (installed.iter())
            .filter(|name| {
                let path = format!("/.claude/agents/{name}\"");
                trace
                    .lines()
                    .any(|l| l.contains(&path) && l.ends_with("= 0"))
            })
            .cloned()
            .collect()
    };
    let filter = "trace=%stat,%lstat,statx";

    sb.remove(".claude");
    let (trace, outcome) = strace(&sb, filter, &["install", "--frozen"], &[]);
    outcome.success();
    assert_eq!(sb.snapshot(".claude/agents").len(), installed.len());
    assert_eq!(stats_of(&trace), Vec::<String>::new());

    let (trace, outcome) = strace(&sb, filter, &["install"], &[]);
    outcome.success();
    assert_eq!(
        stats_of(&trace),
        installed,
        "the control: a no-op stats every file"
    );
}
