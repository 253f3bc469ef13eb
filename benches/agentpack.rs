//! `cargo bench`: agentpack's speed against the limits of the machine, measured side by side.
//!
//! Builds its own corpora in a temporary directory (real git repositories written with `git fast-import`,
//! served on loopback by `git daemon`), then times, with medians of `AGENTPACK_BENCH_RUNS` runs (default 5):
//!
//! - agentpack: cold install (empty cache, empty project), warm-cache install into an empty project (its
//!   manifest and lock checked out, no agents yet; and once more without a lock, which lists every
//!   remote's refs again), no-op install, `install --frozen` into an empty target with a warm cache,
//!   `list`, `verify` and `update` of one source (each only when this build has the command);
//! - baselines on the same repositories: `git clone --depth 1` of each repository one after another (the
//!   transfer limit), `cp -r`, `ls -l` and `sha256sum` of the installed files (the disk limit);
//! - on corpus R, AGPM side by side (see [`peer_rows`]), skipped with the reason printed when it is not
//!   installed.
//!
//! The installs into an empty project or target (warm cache, with a lock; `--frozen`) are compared with a
//! `cp -r` of the same files into the same layout, run right before and right after each of them: the
//! ratio of each run is to the mean of its two copies, and the median of those per-run ratios is reported
//! (with the median of all the copies): how long creating files takes drifts with the file system's state
//! (on a file system without a journal, ext4 skips inodes freed in the last seconds, so creating files
//! can cost several times more right after many were deleted), and a baseline timed minutes apart would
//! compare different states.
//!
//! Peak RSS is the largest `ru_maxrss` of any agentpack run. The table is printed and written to
//! `BENCHMARKS.md`, followed by `benches/NOTES.md` (the targets and what the run shows about them, kept
//! there so that a run does not erase them; set `AGENTPACK_BENCH_NO_WRITE=1` to skip writing).
//! `AGENTPACK_BENCH_CORPUS=R` or `S` runs one corpus only.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const AGENTPACK: &str = env!("CARGO_BIN_EXE_agentpack");

/// One repository of a corpus: how many agent files, how many commits of history, file sizes.
struct RepoShape {
    agents: usize,
    commits: usize,
    min_kb: usize,
    max_kb: usize,
}

struct Corpus {
    name: &'static str,
    description: &'static str,
    /// Whether to run the side-by-side with AGPM on it.
    side_by_side: bool,
    repos: Vec<RepoShape>,
}

fn corpora() -> Vec<Corpus> {
    let r = [(600, 500), (480, 300), (420, 150), (100, 50), (400, 400)]
        .into_iter()
        .map(|(agents, commits)| RepoShape {
            agents,
            commits,
            min_kb: 1,
            max_kb: 20,
        })
        .collect();
    let s = (0..100)
        .map(|_| RepoShape {
            agents: 100,
            commits: 5,
            min_kb: 1,
            max_kb: 8,
        })
        .collect();
    vec![
        Corpus {
            name: "R",
            side_by_side: true,
            description: "5 repositories shaped like real collections: 600, 480, 420, 100 and 400 agents (2,000) of 1-20 KB in nested folders under `agents/`, beside `skills/` (a SKILL.md, a script and a reference per skill, one skill per 10 agents) and `docs/`, with READMEs and non-agent files, 500/300/150/50/400 commits",
            repos: r,
        },
        Corpus {
            name: "S",
            side_by_side: false,
            description: "100 repositories of 100 agents (10,000 agents) of 1-8 KB, 5 commits each",
            repos: s,
        },
    ]
}

/// A deterministic generator (xorshift), so every run builds the same corpora.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// `agent-<repo>-<n>` spelled in letters, so names follow Claude Code's lowercase-and-hyphens convention.
fn agent_name(repo: usize, n: usize) -> String {
    let letters = |mut v: usize| {
        let mut out = String::new();
        loop {
            out.insert(0, (b'a' + (v % 26) as u8) as char);
            v /= 26;
            if v == 0 {
                return out;
            }
        }
    };
    format!("agent-{}-{}", letters(repo), letters(n))
}

fn agent_file(rng: &mut Rng, name: &str, kb: usize, revision: usize) -> Vec<u8> {
    let mut text = format!(
        "---\nname: {name}\ndescription: Use this agent for {name} work (revision {revision}). Examples:\\n<example>user: help</example>\ntools: Read, Grep, Glob, Bash\nmodel: sonnet\ncolor: blue\n---\n\n# {name}\n\n"
    );
    const WORDS: [&str; 12] = [
        "design", "review", "service", "schema", "latency", "agent", "deploy", "contract", "cache",
        "queue", "test", "metric",
    ];
    while text.len() < kb * 1024 {
        text.push_str(WORDS[rng.below(WORDS.len())]);
        text.push(if rng.below(12) == 0 { '\n' } else { ' ' });
    }
    text.into_bytes()
}

/// What published collections keep beside their agents: skills (each a folder with a `SKILL.md`, whose
/// front matter has a `name` too, a script and a reference) and documentation.
fn skills_and_docs(rng: &mut Rng, index: usize, agents: usize) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for i in 0..agents / 10 {
        let name = format!("skill-{}", agent_name(index, i));
        files.push((
            format!("skills/{name}/SKILL.md"),
            agent_file(rng, &name, 2, 0),
        ));
        files.push((
            format!("skills/{name}/scripts/run.py"),
            b"#!/usr/bin/env python3\nprint('skill')\n".to_vec(),
        ));
        files.push((
            format!("skills/{name}/reference.md"),
            agent_file(rng, &name, 4, 0)
                .into_iter()
                .skip_while(|&b| b != b'#')
                .collect(),
        ));
    }
    for i in 0..agents / 20 {
        let mut guide = format!("# Guide {i}\n\n").into_bytes();
        guide.extend(
            agent_file(rng, "guide", 3, 0)
                .into_iter()
                .skip_while(|&b| b != b'#'),
        );
        files.push((format!("docs/guide-{i}.md"), guide));
    }
    files
}

/// Write one repository with `git fast-import`: the first commit adds everything, later commits edit a
/// few agents each; `v1.0.0` tags the last commit.
fn build_repo(dir: &Path, index: usize, shape: &RepoShape) {
    std::fs::create_dir_all(dir).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1));
    let paths: Vec<String> = (0..shape.agents)
        .map(|i| {
            let depth = i % 3;
            let folder = ["engineering", "design", "ops/oncall", "marketing/social"][i % 4];
            let nested = if depth == 2 { "/extra" } else { "" };
            format!("agents/{folder}{nested}/{}.md", agent_name(index, i))
        })
        .collect();
    let sizes: Vec<usize> = (0..shape.agents)
        .map(|_| shape.min_kb + rng.below(shape.max_kb - shape.min_kb + 1))
        .collect();

    let mut stream = Vec::new();
    let mut mark = 0usize;
    for commit in 0..shape.commits {
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        if commit == 0 {
            for (i, path) in paths.iter().enumerate() {
                let name = agent_name(index, i);
                files.push((path.clone(), agent_file(&mut rng, &name, sizes[i], 0)));
            }
            files.push((
                "README.md".into(),
                b"# A collection of agents\n\nSee the folders.\n".to_vec(),
            ));
            files.push((
                "agents/engineering/README.md".into(),
                b"Engineering agents.\n".to_vec(),
            ));
            files.extend(skills_and_docs(&mut rng, index, shape.agents));
            files.push((
                "scripts/install.sh".into(),
                b"#!/bin/sh\necho install\n".to_vec(),
            ));
            files.push(("catalog.json".into(), b"{\"agents\": []}\n".to_vec()));
        } else {
            for _ in 0..2 {
                let i = rng.below(shape.agents);
                let name = agent_name(index, i);
                files.push((
                    paths[i].clone(),
                    agent_file(&mut rng, &name, sizes[i], commit),
                ));
            }
        }
        writeln!(stream, "commit refs/heads/main").unwrap();
        mark += 1;
        writeln!(stream, "mark :{mark}").unwrap();
        writeln!(
            stream,
            "committer Bench <bench@example.com> {} +0000",
            1_700_000_000 + commit * 60
        )
        .unwrap();
        let message = format!("commit {commit}");
        writeln!(stream, "data {}\n{message}", message.len()).unwrap();
        for (path, bytes) in files {
            writeln!(stream, "M 100644 inline {path}\ndata {}", bytes.len()).unwrap();
            stream.extend_from_slice(&bytes);
            stream.push(b'\n');
        }
        stream.push(b'\n');
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stream).unwrap();
    assert!(child.wait().unwrap().success(), "git fast-import failed");
    git(dir, &["tag", "v1.0.0", "main"]);
    git(dir, &["repack", "-adq"]);
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?} failed");
}

/// What `git daemon --verbose` logs once it has bound its port (git's own `t/lib-git-daemon.sh` waits for
/// it). Something accepting connections on the port proves nothing: another process may have taken the
/// port between our picking it and the daemon binding it, and the daemon then exits.
const DAEMON_READY: &str = "Ready to rumble";

/// `git daemon` serving the corpus on loopback, so agentpack and `git clone` both go through a real
/// transport (libgit2's local transport cannot fetch shallow, and `file://` is not what users fetch over).
struct GitDaemon {
    child: std::process::Child,
    port: u16,
}

impl GitDaemon {
    /// Starts the daemon on a free port and waits until it has bound it, trying another port if the
    /// daemon exits first (the port was taken).
    fn start(root: &Path) -> GitDaemon {
        let exec_path = Command::new("git")
            .arg("--exec-path")
            .output()
            .unwrap()
            .stdout;
        let daemon = PathBuf::from(String::from_utf8(exec_path).unwrap().trim()).join("git-daemon");
        let mut log = String::new();
        for _ in 0..10 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let log_file = tempfile::NamedTempFile::new().unwrap();
            let mut child = Command::new(&daemon)
                .args([
                    "--reuseaddr",
                    "--export-all",
                    "--verbose",
                    "--listen=127.0.0.1",
                ])
                .arg(format!("--port={port}"))
                .arg(format!("--base-path={}", root.display()))
                .arg(root)
                .stdout(Stdio::null())
                .stderr(log_file.reopen().unwrap())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start git daemon: {e}"));
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                log = std::fs::read_to_string(log_file.path()).unwrap_or_default();
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                if log.contains(DAEMON_READY) {
                    return GitDaemon { child, port };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("git daemon did not start on port {port}\n{log}");
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        panic!("could not start git daemon\n{log}");
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the bench looks for AGPM: `AGENTPACK_BENCH_AGPM`, else what
/// `cargo install agpm-cli --root target/bench-tools` installs.
fn agpm_binary() -> PathBuf {
    std::env::var_os("AGENTPACK_BENCH_AGPM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-tools/bin/agpm")
        })
}

/// The median of `runs` runs of the command `make(n)` builds.
fn time_runs(label: &str, runs: usize, mut make: impl FnMut(usize) -> Command) -> Row {
    let samples: Vec<Duration> = (0..runs).map(|n| run(&mut make(n)).0).collect();
    let m = median(samples);
    eprintln!("  {label}: {:.1} ms", ms(m));
    Row {
        what: label.to_string(),
        median: Some(m),
        note: String::new(),
        beside_copy: None,
    }
}

/// agentpack and AGPM side by side: a cold install of every agent of the corpus from the same repositories
/// over `file://`, one remote at a time for both (AGPM gives every non-GitHub host one cache name, so it
/// runs with `--max-parallel 1`; agentpack with `--jobs 1`). Not over `git daemon` like the other rows:
/// AGPM refuses `git://` URLs (it takes `http(s)://`, `file://` and `git@`), and behind the one simple
/// smart-HTTP server at hand (Python's CGI server, HTTP/1.0 responses ended by closing the connection)
/// libgit2 fails to read the ref advertisement ("could not read refs from remote repository", EOF).
fn peer_rows(corpus: &Corpus, runs: usize, work: &Path, repos_dir: &Path) -> Vec<Row> {
    let url = |repo: &str| format!("file://{}", repos_dir.join(repo).display());
    let names: Vec<String> = (0..corpus.repos.len())
        .map(|i| format!("repo{i}"))
        .collect();
    let fresh = |tag: &str, n: usize, file: &str, text: &str| -> PathBuf {
        let dir = work.join(format!("{}-{tag}-{n}", corpus.name));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(file), text).unwrap();
        dir
    };
    let mut ours = String::new();
    for name in &names {
        let url = url(name);
        writeln!(
            ours,
            "[sources.{name}]\ngit = \"{url}\"\ntag = \"v1.0.0\"\nsubdir = \"agents\"\n"
        )
        .unwrap();
    }
    let mut rows = vec![time_runs(
        "side by side: agentpack cold install over file://, --jobs 1",
        runs,
        |n| {
            let cache = work.join(format!("{}-cache-file-{n}", corpus.name));
            let _ = std::fs::remove_dir_all(&cache);
            agentpack(
                &fresh("file", n, "agentpack.toml", &ours),
                &cache,
                &["install", "--jobs", "1"],
            )
        },
    )];
    let label = "side by side: AGPM cold install over file://, --max-parallel 1";
    let agpm = agpm_binary();
    if !agpm.is_file() {
        eprintln!("  {label}: skipped, {} is not installed", agpm.display());
        rows.push(Row {
            what: label.into(),
            median: None,
            beside_copy: None,
            note: format!(
                "skipped: no AGPM at `{}` (`cargo install agpm-cli --root target/bench-tools`)",
                agpm.display()
            ),
        });
        return rows;
    }
    let mut theirs = String::from("[sources]\n");
    for name in &names {
        writeln!(theirs, "{name} = \"{}\"", url(name)).unwrap();
    }
    theirs.push_str("\n[agents]\n");
    // Every repository has `agents/engineering/README.md`: with `agents/**/*.md` AGPM refuses the
    // install (they would all land on `.claude/agents/agpm/README.md`), so it is given the agents' names.
    for name in &names {
        writeln!(
            theirs,
            "{name} = {{ source = \"{name}\", path = \"agents/**/agent-*.md\", version = \"v1.0.0\" }}"
        )
        .unwrap();
    }
    let agpm_install = |n: usize| {
        let dir = fresh("agpm", n, "agpm.toml", &theirs);
        let cache = work.join(format!("{}-cache-agpm-{n}", corpus.name));
        let _ = std::fs::remove_dir_all(&cache);
        let mut cmd = Command::new(&agpm);
        cmd.args(["install", "--max-parallel", "1"])
            .current_dir(dir)
            .env("AGPM_CACHE_DIR", &cache)
            .env("HOME", work)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        cmd
    };
    // One untimed try first: an AGPM that fails on this corpus gets a row saying so, not a dead bench.
    let tried = agpm_install(0).stderr(Stdio::piped()).output().unwrap();
    if !tried.status.success() {
        let why = String::from_utf8_lossy(&tried.stderr)
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("no error line")
            .to_string();
        eprintln!("  {label}: AGPM failed: {why}");
        rows.push(Row {
            what: label.into(),
            median: None,
            beside_copy: None,
            note: format!("AGPM failed: {why}"),
        });
        return rows;
    }
    let mut row = time_runs(label, runs, agpm_install);
    let agents_dir = work.join(format!("{}-agpm-0/.claude/agents", corpus.name));
    row.note = match walk_md(&agents_dir) {
        Ok(installed) => format!("{installed} agents installed by AGPM"),
        Err(e) => format!("no agents installed ({e})"),
    };
    rows.push(row);
    rows
}

/// How many `.md` files are under `dir`, recursively.
fn walk_md(dir: &Path) -> std::io::Result<usize> {
    let mut count = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            count += walk_md(&entry.path())?;
        } else if entry.path().extension().is_some_and(|e| e == "md") {
            count += 1;
        }
    }
    Ok(count)
}

/// Wall time and peak RSS (KiB) of one command.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped with wait4, which also gives its rusage"
)]
fn run(cmd: &mut Command) -> (Duration, i64) {
    // Into a file, not a pipe: a command that says a lot (AGPM warns once per file it cannot parse) would
    // block on a full pipe that is read only after it exits.
    let mut stderr = tempfile::tempfile().unwrap();
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(stderr.try_clone().unwrap())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    #[expect(unsafe_code, reason = "the child's rusage comes only from wait4")]
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, waited for exactly once here (the Child handle is not waited on).
    #[expect(unsafe_code, reason = "the child's rusage comes only from wait4")]
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(waited, pid);
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        let mut err = String::new();
        use std::io::{Read, Seek};
        let _ = stderr.rewind();
        let _ = stderr.read_to_string(&mut err);
        panic!("{cmd:?} failed:\n{err}");
    }
    (elapsed, usage.ru_maxrss)
}

fn agentpack(project: &Path, cache: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(AGENTPACK);
    cmd.args(args)
        .arg("-q")
        .current_dir(project)
        .env("AGENTPACK_CACHE_DIR", cache)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("CI", "true");
    cmd
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn supports(command: &str) -> bool {
    Command::new(AGENTPACK)
        .args([command, "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Row {
    what: String,
    median: Option<Duration>,
    note: String,
    /// For rows timed beside `cp -r` (see `bench_corpus`).
    beside_copy: Option<Beside>,
}

/// A row timed beside `cp -r`: the median, lowest and highest of the per-run ratios, and the median
/// of the `cp -r` runs.
struct Beside {
    ratio: f64,
    lowest: f64,
    highest: f64,
    copy: Duration,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn bench_corpus(corpus: &Corpus, runs: usize, work: &Path) -> (Vec<Row>, i64, usize) {
    let repos_dir = work.join(format!("{}-repos", corpus.name));
    let started = Instant::now();
    for (i, shape) in corpus.repos.iter().enumerate() {
        build_repo(&repos_dir.join(format!("repo{i}")), i, shape);
    }
    let daemon = GitDaemon::start(&repos_dir);
    let urls: Vec<String> = (0..corpus.repos.len())
        .map(|i| format!("git://127.0.0.1:{}/repo{i}", daemon.port))
        .collect();
    eprintln!(
        "corpus {}: built {} repositories in {:.1}s",
        corpus.name,
        urls.len(),
        started.elapsed().as_secs_f64()
    );
    let agents: usize = corpus.repos.iter().map(|r| r.agents).sum();
    let mut manifest = String::new();
    for (i, url) in urls.iter().enumerate() {
        writeln!(
            manifest,
            "[sources.repo{i}]\ngit = \"{url}\"\ntag = \"v1.0.0\"\nsubdir = \"agents\"\n"
        )
        .unwrap();
    }

    let fresh = |tag: &str, n: usize| -> PathBuf {
        let dir = work.join(format!("{}-{tag}-{n}", corpus.name));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("agentpack.toml"), &manifest).unwrap();
        dir
    };
    let peak = std::cell::Cell::new(0);
    let timed_with = |label: &str,
                      mut make: Box<dyn FnMut(usize) -> Command + '_>,
                      note: &str,
                      copy_beside: Option<&Path>|
     -> Row {
        let mut samples = Vec::new();
        let mut copies = Vec::new();
        let mut ratios = Vec::new();
        for n in 0..runs {
            // `cp -r` of the same files into the same layout (a new project's `.claude/agents`), run
            // right before and right after it, so that they meet the file system in the same state:
            // creating files on it can cost several times more a few seconds after many were deleted.
            // The install is compared with the mean of the two, which varies less than either.
            let copy = |n: usize| {
                copy_beside.map(|installed| {
                    let dest = work.join(format!(
                        "{}-beside-{}-{n}",
                        corpus.name,
                        label.split(' ').next().unwrap_or("row")
                    ));
                    let _ = std::fs::remove_dir_all(&dest);
                    std::fs::create_dir_all(dest.join(".claude")).unwrap();
                    let mut cmd = Command::new("cp");
                    cmd.arg("-r")
                        .arg(installed)
                        .arg(dest.join(".claude/agents"));
                    run(&mut cmd).0
                })
            };
            let before = copy(2 * n);
            let mut cmd = make(n);
            let (t, rss) = run(&mut cmd);
            if cmd.get_program() == AGENTPACK {
                peak.set(peak.get().max(rss));
            }
            if let (Some(b), Some(a)) = (before, copy(2 * n + 1)) {
                copies.extend([b, a]);
                ratios.push(t.as_secs_f64() / ((b + a) / 2).as_secs_f64());
            }
            samples.push(t);
        }
        let m = median(samples);
        eprintln!("  {label}: {:.1} ms", ms(m));
        ratios.sort_by(f64::total_cmp);
        Row {
            what: label.to_string(),
            median: Some(m),
            note: note.to_string(),
            beside_copy: (!copies.is_empty()).then(|| Beside {
                ratio: ratios[ratios.len() / 2],
                lowest: ratios[0],
                highest: ratios[ratios.len() - 1],
                copy: median(copies),
            }),
        }
    };
    let timed = |label: &str, make: Box<dyn FnMut(usize) -> Command + '_>, note: &str| {
        timed_with(label, make, note, None)
    };

    let mut rows = Vec::new();
    let cache_of = |tag: &str, n: usize| work.join(format!("{}-cache-{tag}-{n}", corpus.name));
    rows.push(timed(
        "cold install (empty cache, empty project)",
        Box::new(|n| {
            let cache = cache_of("cold", n);
            let _ = std::fs::remove_dir_all(&cache);
            agentpack(&fresh("cold", n), &cache, &["install"])
        }),
        "",
    ));
    // The warm project every later scenario starts from.
    let warm_cache = cache_of("cold", 0);
    let project = fresh("main", 0);
    run(&mut agentpack(&project, &warm_cache, &["install"]));
    let lock = std::fs::read(project.join("agentpack.lock")).unwrap();
    let installed = project.join(".claude/agents");
    rows.push(timed_with(
        "warm-cache install into an empty project (manifest and lock checked out)",
        Box::new(|n| {
            let dir = fresh("warm", n);
            std::fs::write(dir.join("agentpack.lock"), &lock).unwrap();
            agentpack(&dir, &warm_cache, &["install"])
        }),
        "",
        Some(&installed),
    ));
    rows.push(timed(
        "warm-cache install, no lock (every remote's refs listed again)",
        Box::new(|n| agentpack(&fresh("nolock", n), &warm_cache, &["install"])),
        "",
    ));
    rows.push(timed(
        "no-op install (everything up to date)",
        Box::new(|_| agentpack(&project, &warm_cache, &["install"])),
        "",
    ));
    rows.push(timed_with(
        "install --frozen into an empty target (lock, warm cache)",
        Box::new(|n| {
            let dir = fresh("frozen", n);
            std::fs::write(dir.join("agentpack.lock"), &lock).unwrap();
            agentpack(&dir, &warm_cache, &["install", "--frozen"])
        }),
        "",
        Some(&installed),
    ));
    for (command, args, label) in [
        ("list", vec!["list"], "list"),
        ("verify", vec!["verify"], "verify"),
        ("update", vec!["update", "repo0"], "update of one source"),
    ] {
        if supports(command) {
            rows.push(timed(
                label,
                Box::new(|_| agentpack(&project, &warm_cache, &args)),
                "",
            ));
        } else {
            rows.push(Row {
                what: label.to_string(),
                median: None,
                beside_copy: None,
                note: format!("`agentpack {command}` is not in this build"),
            });
        }
    }
    rows.push(timed(
        "baseline: git clone --depth 1 of each repo, one after another",
        Box::new(|n| {
            let dest = work.join(format!("{}-clones-{n}", corpus.name));
            let _ = std::fs::remove_dir_all(&dest);
            std::fs::create_dir_all(&dest).unwrap();
            let mut script = String::from("set -e\n");
            for (i, url) in urls.iter().enumerate() {
                writeln!(
                    script,
                    "git clone -q --depth 1 {url} {}/r{i}",
                    dest.display()
                )
                .unwrap();
            }
            let mut cmd = Command::new("sh");
            cmd.args(["-c", &script]).env("GIT_CONFIG_NOSYSTEM", "1");
            cmd
        }),
        "",
    ));
    rows.push(timed(
        "baseline: cp -r of the installed files",
        Box::new(|n| {
            let dest = work.join(format!("{}-copy-{n}", corpus.name));
            let _ = std::fs::remove_dir_all(&dest);
            let mut cmd = Command::new("cp");
            cmd.arg("-r").arg(&installed).arg(&dest);
            cmd
        }),
        "",
    ));
    rows.push(timed(
        "baseline: ls -l of the installed files",
        Box::new(|_| {
            let mut cmd = Command::new("ls");
            cmd.arg("-l").arg(&installed);
            cmd
        }),
        "",
    ));
    rows.push(timed(
        "baseline: sha256sum of the installed files",
        Box::new(|_| {
            let mut cmd = Command::new("sh");
            cmd.args(["-c", "sha256sum ./*.md > /dev/null"])
                .current_dir(&installed);
            cmd
        }),
        "",
    ));
    drop(daemon);
    if corpus.side_by_side {
        rows.extend(peer_rows(corpus, runs, work, &repos_dir));
    }
    (rows, peak.get(), agents)
}

/// The file system `dir` is on, from `/proc/self/mounts` (the longest mount point above it): creating
/// files, most of an install into an empty target and all of `cp -r`, costs very differently on each.
fn file_system(dir: &Path) -> String {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            let (device, point, kind) = (fields.first()?, fields.get(1)?, fields.get(2)?);
            dir.starts_with(point).then(|| {
                (
                    point.len(),
                    format!("{kind} on `{device}`, mounted at `{point}`"),
                )
            })
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(
            || format!("`{}`", dir.display()),
            |(_, described)| format!("`{}`, {described}", dir.display()),
        )
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map(|kb| format!("{} GiB", kb / 1024 / 1024))
        .unwrap_or_default();
    let git = Command::new("git")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {memory}; {git}")
}

/// The machine is shared: how busy it was is part of every number.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Removes the work directory at the end (unless `AGENTPACK_BENCH_KEEP` is set).
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let runs: usize = std::env::var("AGENTPACK_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let only = std::env::var("AGENTPACK_BENCH_CORPUS").ok();
    let work = tempfile::Builder::new()
        .prefix("agentpack-bench-")
        .tempdir()
        .unwrap()
        .keep();
    let keep = std::env::var_os("AGENTPACK_BENCH_KEEP").is_some();
    if keep {
        eprintln!("keeping the corpora and projects in {}", work.display());
    }
    let _cleanup = (!keep).then(|| Cleanup(work.clone()));

    let mut report = String::new();
    writeln!(
        report,
        "# Benchmarks\n\nGenerated by `cargo bench` (see `benches/agentpack.rs`); medians of {runs} runs, ratios computed in the same run.\n\nMachine: {}\n\nWork directory (corpora, caches, projects): {}\n\nLoad average (1, 5, 15 min) when the run started: {}\n",
        machine(),
        file_system(&work),
        load_average()
    )
    .unwrap();
    for corpus in corpora() {
        if only.as_deref().is_some_and(|o| o != corpus.name) {
            continue;
        }
        eprintln!("corpus {}: {}", corpus.name, corpus.description);
        let (rows, peak, agents) = bench_corpus(&corpus, runs, &work);
        let find = |prefix: &str| {
            rows.iter()
                .find(|r| r.what.starts_with(prefix))
                .and_then(|r| r.median)
        };
        let clone = find("baseline: git clone");
        let copy = find("baseline: cp -r");
        let ls = find("baseline: ls -l");
        let ours_side = find("side by side: agentpack");
        writeln!(
            report,
            "## Corpus {}: {}\n",
            corpus.name, corpus.description
        )
        .unwrap();
        writeln!(
            report,
            "| scenario | median | vs. baseline |\n|---|---:|---|"
        )
        .unwrap();
        for row in &rows {
            let ratio = match (row.median, row.what.as_str()) {
                (Some(m), w) if w.starts_with("cold install") => clone.map(|c| {
                    format!(
                        "{:.2}x sequential `git clone --depth 1`",
                        m.as_secs_f64() / c.as_secs_f64()
                    )
                }),
                (Some(_), _) if row.beside_copy.is_some() => row.beside_copy.as_ref().map(|b| {
                    format!(
                        "{:.2}x `cp -r` run before and after it (median of the runs' ratios to the mean of the two, runs {:.2}x to {:.2}x; `cp -r` {:.1} ms)",
                        b.ratio,
                        b.lowest,
                        b.highest,
                        ms(b.copy)
                    )
                }),
                (Some(m), w) if w.starts_with("warm-cache") => {
                    copy.map(|c| format!("{:.1}x `cp -r`", m.as_secs_f64() / c.as_secs_f64()))
                }
                (Some(m), w) if w.starts_with("side by side: AGPM") => ours_side
                    .map(|o| format!("{:.1}x agentpack's", m.as_secs_f64() / o.as_secs_f64())),
                (Some(m), w) if w.starts_with("no-op") || w == "list" || w == "verify" => {
                    ls.map(|l| {
                        format!(
                            "{:.1}x `ls -l`; {:.1} µs per agent",
                            m.as_secs_f64() / l.as_secs_f64(),
                            m.as_secs_f64() * 1e6 / agents as f64
                        )
                    })
                }
                _ => None,
            };
            let time = row
                .median
                .map(|m| format!("{:.1} ms", ms(m)))
                .unwrap_or_else(|| "n/a".into());
            let extra = [ratio.unwrap_or_default(), row.note.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            writeln!(report, "| {} | {time} | {extra} |", row.what).unwrap();
        }
        writeln!(
            report,
            "\nPeak RSS of any agentpack run: {:.1} MB\n",
            peak as f64 / 1024.0
        )
        .unwrap();
    }
    writeln!(
        report,
        "Load average when the run ended: {}\n",
        load_average()
    )
    .unwrap();
    print!("{report}");
    if std::env::var_os("AGENTPACK_BENCH_NO_WRITE").is_none() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
        let mut text = report;
        if let Ok(notes) =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/NOTES.md"))
        {
            text.push_str(&notes);
        }
        std::fs::write(&path, text).unwrap();
        eprintln!("wrote {}", path.display());
    }
}
