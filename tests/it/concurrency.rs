//! Several `agentpack` processes at once: on one project (the project lock serializes them) and on one
//! cache (per-repository locks), with the "Blocking" message when one waits for another.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::crash::{large_change, manifest, spawnable};
use crate::support::*;

const PROCESSES: usize = 8;

fn finish(child: Child) -> (bool, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn eight_installs_on_one_project_with_an_empty_cache() {
    let repo = large_change(40);
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest(&repo, "v2"));
    let children: Vec<Child> = (0..PROCESSES)
        .map(|_| {
            spawnable(&sb, &["install"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let (ok, stderr) = finish(child);
        assert!(ok, "{stderr}");
        assert!(
            !stderr.contains("modified-file") && !stderr.contains("unmanaged-file"),
            "{stderr}"
        );
    }
    let after = sb.snapshot(".");
    assert_eq!(
        after
            .keys()
            .filter(|k| k.starts_with(".claude/agents/"))
            .count(),
        40
    );
    assert!(
        after.keys().all(|k| !k.contains(".agentpack-")),
        "{:?}",
        after.keys()
    );
    // The result is what one install alone gives.
    let alone = Sandbox::new();
    alone.write("agentpack.toml", manifest(&repo, "v2"));
    alone.run(["install"]).success();
    assert_tree_eq(&alone.snapshot("."), &after);
    sb.run(["install", "--locked", "--offline"])
        .success()
        .stderr_snapshot();
}

#[test]
fn eight_projects_share_one_cache() {
    let repo = large_change(40);
    let projects: Vec<Sandbox> = (0..PROCESSES).map(|_| Sandbox::new()).collect();
    let cache = projects[0].cache().to_path_buf();
    let children: Vec<Child> = projects
        .iter()
        .enumerate()
        .map(|(i, sb)| {
            sb.write(
                "agentpack.toml",
                manifest(&repo, if i % 2 == 0 { "v1" } else { "v2" }),
            );
            spawnable(sb, &["install"])
                .env("AGENTPACK_CACHE_DIR", &cache)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let (ok, stderr) = finish(child);
        assert!(ok, "{stderr}");
    }
    let reference = |tag: &str| {
        let alone = Sandbox::new();
        alone.write("agentpack.toml", manifest(&repo, tag));
        alone.run(["install"]).success();
        alone.snapshot(".claude/agents")
    };
    let (v1, v2) = (reference("v1"), reference("v2"));
    for (i, sb) in projects.iter().enumerate() {
        assert_tree_eq(
            if i % 2 == 0 { &v1 } else { &v2 },
            &sb.snapshot(".claude/agents"),
        );
        // The shared cache holds both versions, intact.
        let mut cmd = sb.cmd(["install", "--locked", "--offline"]);
        cmd.env("AGENTPACK_CACHE_DIR", &cache);
        Outcome::of(cmd).success().stderr_lacks("cache-damaged");
    }
    let repos: Vec<_> = std::fs::read_dir(cache.join("git/db"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(repos.len(), 1, "one repository per URL: {repos:?}");
}

/// Start `agentpack install` while `held` is locked, wait until it says it is blocking, release the lock,
/// and return its outcome.
fn blocked_install(sb: &Sandbox, held: std::fs::File) -> String {
    assert!(!sb.exists(".claude") && !sb.exists("agentpack.lock"));
    blocked(sb, &["install"], held)
}

/// Start `agentpack ARGS` while `held` is locked, wait until it says it is blocking, check that it changed
/// nothing in the project so far, release the lock, and return its outcome (which must be a success).
fn blocked(sb: &Sandbox, args: &[&str], held: std::fs::File) -> String {
    let before = sb.snapshot(".");
    let mut child = spawnable(sb, args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "exited without blocking:\n{seen}"
        );
        seen.push_str(&line);
        if line.contains("Blocking") {
            break;
        }
    }
    // While it waits, nothing was written.
    assert_tree_eq(&before, &sb.snapshot("."));
    drop(held);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{seen}{rest}");
    seen + &rest
}

#[test]
fn an_install_waits_for_the_project_lock_and_says_so() {
    let repo = large_change(4);
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest(&repo, "v1"));
    let held = std::fs::File::open(sb.project()).unwrap();
    held.lock().unwrap();
    let stderr = blocked_install(&sb, held);
    assert!(
        stderr.contains("waiting for another agentpack process to release the lock on the project"),
        "{stderr}"
    );
    assert!(stderr.contains("Finished 4 installed"), "{stderr}");
}

#[test]
fn an_install_waits_for_a_cache_repository_lock_and_says_so() {
    let repo = large_change(4);
    let warm = Sandbox::new();
    warm.write("agentpack.toml", manifest(&repo, "v1"));
    warm.run(["install"]).success();
    let held = hold_repository_lock(&warm);

    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest(&repo, "v1"));
    // Same cache as `warm`.
    std::fs::remove_dir(sb.cache()).unwrap();
    std::os::unix::fs::symlink(warm.cache(), sb.cache()).unwrap();
    let stderr = blocked_install(&sb, held);
    assert!(
        stderr.contains("release the lock on the cache repository of `file://"),
        "{stderr}"
    );
}

/// Lock the (only) cache repository of `sb`'s cache, as another agentpack process would.
fn hold_repository_lock(sb: &Sandbox) -> std::fs::File {
    let lock = std::fs::read_dir(sb.cache().join("git/db"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "lock"))
        .expect("a repository lock file beside the repository");
    let held = std::fs::File::open(&lock).unwrap();
    held.lock().unwrap();
    held
}

#[test]
fn every_command_that_fetches_waits_for_the_repository_lock() {
    let repo = large_change(4);
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest(&repo, "v1"));
    sb.run(["install"]).success();
    let url = repo.url();
    for args in [
        vec!["outdated"],
        vec!["vendor"],
        vec!["update"],
        vec![
            "add",
            url.as_str(),
            "--tag",
            "v1",
            "--name",
            "again",
            "--agent",
            "agent-aaa",
            "--as",
            "again-aaa",
        ],
        vec!["remove", "again"],
    ] {
        let stderr = blocked(&sb, &args, hold_repository_lock(&sb));
        assert!(
            stderr.contains("release the lock on the cache repository of `file://"),
            "{args:?}: {stderr}"
        );
    }
    assert!(sb.exists("agentpack-vendor/large/.agentpack-checksum.json"));
    Outcome::of(sb.cmd(["install", "--locked", "--offline"])).success();
}

#[test]
fn install_outdated_vendor_and_update_share_one_cache() {
    let repo = large_change(20);
    let commands: [&[&str]; 4] = [&["install"], &["outdated"], &["vendor"], &["update"]];
    let projects: Vec<Sandbox> = commands.iter().map(|_| Sandbox::new()).collect();
    let cache = projects[0].cache().to_path_buf();
    let run = |sb: &Sandbox, args: &[&str]| {
        spawnable(sb, args)
            .env("AGENTPACK_CACHE_DIR", &cache)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    for sb in &projects {
        sb.write("agentpack.toml", manifest(&repo, "v2"));
        let (ok, stderr) = finish(run(sb, &["install"]));
        assert!(ok, "{stderr}");
    }
    for round in 0..3 {
        // Every command starts with an empty cache, so all of them fetch into it at once.
        std::fs::remove_dir_all(&cache).unwrap();
        let children: Vec<Child> = projects
            .iter()
            .zip(commands)
            .map(|(sb, args)| run(sb, args))
            .collect();
        for (child, args) in children.into_iter().zip(commands) {
            let (ok, stderr) = finish(child);
            assert!(ok, "round {round}, {args:?}: {stderr}");
            for warning in ["cache-damaged", "cache-stale-lock"] {
                assert!(
                    !stderr.contains(warning),
                    "round {round}, {args:?}: {stderr}"
                );
            }
        }
        for sb in &projects {
            let (ok, stderr) = finish(run(sb, &["install", "--locked", "--offline"]));
            assert!(ok, "round {round}: {stderr}");
        }
    }
}
