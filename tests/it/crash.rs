//! Killing `agentpack install` (SIGKILL) at random moments of a large change: after every kill the
//! project is in the old state, the new state, or a state the next run completes or rolls back by itself,
//! and the next run succeeds without calling agentpack's own files user-modified.
//!
//! CI runs [`CI_ITERATIONS`] kills. `AGENTPACK_STRESS=1 cargo test --test it crash` runs
//! [`STRESS_ITERATIONS`]; `AGENTPACK_CRASH_ITERATIONS=N` runs N; `AGENTPACK_CRASH_SEED=S` replays the
//! kill moments of a failed run (its seed is in the failure message).

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

pub const CI_ITERATIONS: usize = 12;
pub const STRESS_ITERATIONS: usize = 200;

/// A std `Command` running `agentpack` with the sandbox's environment (spawnable, unlike `Sandbox::cmd`).
pub fn spawnable(sb: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("agentpack"));
    cmd.args(args)
        .current_dir(sb.project())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sb.home())
        .env("XDG_CACHE_HOME", sb.xdg_cache())
        .env("XDG_CONFIG_HOME", sb.config())
        .env("AGENTPACK_CACHE_DIR", sb.cache())
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// A small deterministic generator (xorshift64*), so a failing run can be replayed from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn from_env(var: &str) -> (Rng, u64) {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
            | 1;
        (Rng(seed), seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// A repository whose tag `v1` has `n` agents and `v2` changes half of them, removes a quarter and adds a
/// quarter: an install from v1 to v2 creates, replaces and removes many files.
pub fn large_change(n: usize) -> GitRepo {
    let repo = GitRepo::new("large");
    let body = "Follow the instructions carefully. ".repeat(60);
    for i in 0..n {
        repo.file(
            &format!("agents/{}.md", agent_name(i)),
            format!("{}{body}\n", agent(&agent_name(i), "v1")),
        );
    }
    repo.commit("v1");
    repo.tag("v1");
    for i in 0..n {
        let path = format!("agents/{}.md", agent_name(i));
        match i % 4 {
            0 | 1 => {
                repo.file(&path, format!("{}{body}\n", agent(&agent_name(i), "v2")));
            }
            2 => {
                repo.remove(&path);
            }
            _ => {}
        }
    }
    for i in n..n + n / 4 {
        repo.file(
            &format!("agents/{}.md", agent_name(i)),
            format!("{}{body}\n", agent(&agent_name(i), "new in v2")),
        );
    }
    repo.commit("v2");
    repo.tag("v2");
    repo
}

/// `agent-aaa`, `agent-aab`...: names that follow Claude Code's convention (no warnings).
pub fn agent_name(i: usize) -> String {
    let letter = |k: usize| char::from(b'a' + (k % 26) as u8);
    format!("agent-{}{}{}", letter(i / 676), letter(i / 26), letter(i))
}

pub fn manifest(repo: &GitRepo, tag: &str) -> String {
    Manifest::new()
        .source(Source::git("large", repo.url()).tag(tag))
        .render()
}

/// Put the project back to `state` (a snapshot of it).
pub fn restore(sb: &Sandbox, state: &BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(sb.project()).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
    }
    for (rel, bytes) in state {
        match rel.strip_suffix('/') {
            Some(dir) => {
                sb.mkdir(dir);
            }
            None => {
                sb.write(rel, bytes);
            }
        }
    }
}

fn iterations() -> usize {
    if let Some(n) = std::env::var("AGENTPACK_CRASH_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        return n;
    }
    match std::env::var("AGENTPACK_STRESS").as_deref() {
        Ok("1") => STRESS_ITERATIONS,
        _ => CI_ITERATIONS,
    }
}

#[test]
fn killed_installs_are_completed_or_rolled_back_by_the_next_run() {
    let repo = large_change(160);
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest(&repo, "v1"));
    sb.run(["install"]).success();
    sb.write("agentpack.toml", manifest(&repo, "v2"));
    let old = sb.snapshot(".");

    let started = Instant::now();
    // A substring: the summary is the subject; the 160 lines above it are one per file.
    sb.run(["install"])
        .success()
        .stderr_has("40 installed, 80 updated, 40 removed");
    let full = started.elapsed();
    let new = sb.snapshot(".");

    let (mut rng, seed) = Rng::from_env("AGENTPACK_CRASH_SEED");
    let (mut journaled, mut rolled_back) = (0, 0);
    for i in 0..iterations() {
        restore(&sb, &old);
        let context = format!("iteration {i}, AGENTPACK_CRASH_SEED={seed}");
        let mut child = spawnable(&sb, &["install"]).spawn().unwrap();
        // Kill anywhere from the start to a little after a full run would have finished.
        let delay = rng.below(full.as_micros() as u64 * 11 / 10);
        std::thread::sleep(Duration::from_micros(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();

        let journal = sb.exists(".agentpack-journal");
        journaled += usize::from(journal);
        if !journal {
            // Before the journal, nothing was written but perhaps the journal's own temporary file
            // (removed by the next run); after the journal is gone, everything was.
            let mut now = sb.snapshot(".");
            now.retain(|path, _| !(path.starts_with(".agentpack-") && path.ends_with(".tmp")));
            assert!(
                now == old || now == new,
                "{context}: no journal, but the project is neither old nor new (status {status}): {:?}",
                now.keys()
                    .filter(|k| old.get(*k) != now.get(*k))
                    .collect::<Vec<_>>()
            );
        }
        // `--locked` recovers first, then succeeds only if the project is in the new state.
        let check = sb.run(["install", "--locked", "--offline"]);
        let after_recovery = sb.snapshot(".");
        match check.code() {
            Some(0) => assert_tree_eq(&new, &after_recovery),
            Some(1) => {
                rolled_back += 1;
                assert!(check.stderr().contains("--locked"), "{context}\n{check}");
                assert_tree_eq(&old, &after_recovery);
            }
            _ => panic!("{context}: recovery failed\n{check}"),
        }
        let check = check
            .stderr_lacks("modified-file")
            .stderr_lacks("unmanaged-file");
        if journal {
            // A substring: what else a recovered run prints depends on where it was killed.
            check.stderr_has("install-recovered");
        }
        sb.run(["install", "--offline"])
            .success()
            .stderr_lacks("modified-file")
            .stderr_lacks("unmanaged-file");
        assert_tree_eq(&new, &sb.snapshot("."));
    }
    eprintln!(
        "crash harness: {} kills, {journaled} mid-transaction, {rolled_back} left in the old state (seed {seed})",
        iterations()
    );
}
