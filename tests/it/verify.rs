//! `agentpack verify`: drift between the manifest, the lock and the installed files, reported without
//! network and without writing, with exit codes 0/1/2 and stable JSON.

use crate::support::*;

/// A project with the studio collection installed at v1.0.0.
fn installed() -> (GitRepo, Sandbox) {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success();
    (repo, sb)
}

/// Runs `verify --json` expecting `code`, returns the problems as (code, file).
fn problems(sb: &Sandbox, code: i32) -> Vec<(String, String)> {
    let out = sb.run(["verify", "--json"]).failure_or_success(code);
    let json = out.stdout_json();
    assert_eq!(json["ok"], code == 0);
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_string(),
                p["file"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

trait ExitCode {
    fn failure_or_success(self, code: i32) -> Outcome;
}

impl ExitCode for Outcome {
    #[track_caller]
    fn failure_or_success(self, code: i32) -> Outcome {
        if code == 0 {
            self.success()
        } else {
            self.failure(code)
        }
    }
}

#[test]
fn a_clean_tree_verifies_without_network_or_writes() {
    let (repo, sb) = installed();
    // The remote is gone and the cache is emptied: verify reads only the project.
    std::fs::remove_dir_all(repo.path()).unwrap();
    std::fs::remove_dir_all(sb.cache()).unwrap();
    let before = sb.snapshot(".");
    sb.run(["verify"]).success().stdout_is("").stderr_snapshot();
    let json = sb.run(["verify", "--json"]).success().stdout_json();
    assert_eq!(
        json,
        serde_json::json!({"ok": true, "agents": 3, "skills": 0, "commands": 0, "errors": 0, "warnings": 0, "problems": []})
    );
    assert_tree_eq(&before, &sb.snapshot("."));
    assert!(!sb.cache().exists());
}

#[test]
fn an_edited_file_is_drift_with_a_fix() {
    let (_repo, sb) = installed();
    sb.write(
        ".claude/agents/ui-designer.md",
        agent("ui-designer", "Mine now"),
    );
    sb.run(["verify"])
        .failure(1)
        .stdout_snapshot()
        .stderr_snapshot();
    assert_eq!(
        problems(&sb, 1),
        [(
            "modified-file".to_string(),
            ".claude/agents/ui-designer.md".to_string()
        )]
    );
    sb.run(["install", "--force"]).success();
    sb.run(["verify"]).success();
}

#[test]
fn a_deleted_file_is_drift_with_a_fix() {
    let (_repo, sb) = installed();
    sb.remove(".claude/agents/backend-architect.md");
    sb.run(["verify"])
        .failure(1)
        .stdout_snapshot()
        .stderr_snapshot();
    // Three agents are locked, one of them missing: the count is of the locked agents.
    let json = sb.run(["verify", "--json"]).failure(1).stdout_json();
    assert_eq!(json["agents"], 3);
    assert_eq!(json["errors"], 1);
    assert_eq!(json["ok"], false);
    assert_eq!(
        problems(&sb, 1),
        [(
            "file-missing".to_string(),
            ".claude/agents/backend-architect.md".to_string()
        )]
    );
}

#[test]
fn a_stray_unmanaged_duplicate_is_reported() {
    let (_repo, sb) = installed();
    sb.write(
        ".claude/agents/old/backend.md",
        agent("backend-architect", "An old hand-copied version"),
    );
    // Not a duplicate: another name.
    sb.write(".claude/agents/mine.md", agent("mine", "My own agent"));
    sb.run(["verify"]).failure(1).stdout_snapshot();
    assert_eq!(
        problems(&sb, 1),
        [(
            "unmanaged-duplicate".to_string(),
            ".claude/agents/old/backend.md".to_string()
        )]
    );
}

#[test]
fn install_refuses_an_unmanaged_duplicate_as_verify_does() {
    let (_repo, sb) = installed();
    sb.write(
        ".claude/agents/old/backend.md",
        agent("backend-architect", "An old hand-copied version"),
    );
    let before = sb.snapshot(".");
    // The manifest and lock are unchanged: the no-op short-cut must not hide the new file.
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
    // A fresh install (no lock, no agents yet) is refused the same way.
    sb.remove("agentpack.lock");
    sb.remove(".claude/agents/backend-architect.md");
    sb.run(["install"]).failure(1).stderr_snapshot();
    sb.remove(".claude/agents/old");
    sb.run(["install"]).success();
    sb.run(["verify"]).success();
}

#[test]
fn a_lock_out_of_date_is_drift() {
    let (repo, sb) = installed();
    let manifest = sb.read("agentpack.toml");

    sb.write("agentpack.toml", manifest.replace("v1.0.0", "v2.0.0"));
    sb.run(["verify"]).failure(1).stdout_snapshot();

    sb.write(
        "agentpack.toml",
        format!("{manifest}agents = [\"backend-architect\", \"missing-one\"]\nrename = {{ ui-designer = \"designer\" }}\n"),
    );
    let out = sb.run(["verify"]).failure(1);
    for needle in [
        "`agents` entry `missing-one` of source `studio` matches no agent in the lock",
        "agent `ui-designer` of source `studio` is locked as `ui-designer`, but agentpack.toml installs it as `designer`",
    ] {
        assert!(out.stdout().contains(needle), "{needle}\n{}", out.stdout());
    }

    sb.write(
        "agentpack.toml",
        format!("{manifest}\n[sources.more]\ngit = \"{}\"\n", repo.url()),
    );
    assert_eq!(
        problems(&sb, 1),
        [("lock-outdated".to_string(), "agentpack.lock".to_string())]
    );
    sb.run(["verify"]).failure(1).stdout_snapshot();

    sb.write("agentpack.toml", "");
    sb.run(["verify"]).failure(1).stdout_snapshot();

    sb.write("agentpack.toml", &manifest);
    sb.remove("agentpack.lock");
    assert_eq!(
        problems(&sb, 1),
        [("lock-missing".to_string(), "agentpack.lock".to_string())]
    );
}

#[test]
fn installed_agents_pass_the_checks_with_their_sources_trust() {
    let repo = GitRepo::new("hooks");
    repo.file(
        "hooked.md",
        "---\nname: hooked\ndescription: d\ncolor: teal\nhooks:\n  Stop:\n    - hooks:\n        - type: command\n          command: ./notify.sh\n---\n",
    );
    repo.commit("one");
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .source(Source::git("h", repo.url()).trust(["hooks"]))
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    // Trusted hooks pass; the warning is shown but does not fail...
    sb.run(["verify", "--format", "github"])
        .success()
        .stdout_is("::warning file=.claude/agents/hooked.md,line=4,col=8,title=agentpack color-invalid::`color` is `teal`, which Claude Code ignores%0Ahint: use one of red, blue, green, yellow, purple, orange, pink, cyan\n");
    // ...unless --strict.
    sb.run(["verify", "--strict"]).failure(1).stdout_snapshot();
    // Without the trust, the installed file is refused by verify too.
    sb.write(
        "agentpack.toml",
        manifest.replace("trust = [\"hooks\"]\n", ""),
    );
    let out = sb.run(["verify", "--format", "github"]).failure(1);
    assert!(
        out.stdout().contains("::error file=.claude/agents/hooked.md,line=5,col=1,title=agentpack untrusted-hooks::`hooks` would run this command: `./notify.sh`"),
        "{}",
        out.stdout()
    );
}

#[test]
fn unusable_input_is_exit_2() {
    let (_repo, sb) = installed();
    sb.write("agentpack.lock", "version = 7\n");
    sb.run(["verify"]).failure(2).stderr_snapshot();
    sb.write("agentpack.toml", "[sources.x]\n");
    sb.run(["verify", "--json"]).failure(2).stderr_snapshot();
}

#[test]
fn verify_accepts_what_packs_pulled_in_and_checks_the_top_level_say() {
    let served = ServedRepos::start();
    let dep = GitRepo::new("dep");
    dep.file(
        "hooked.md",
        "---\nname: hooked\ndescription: Hooked\nhooks:\n  Stop:\n    - hooks:\n        - type: command\n          command: echo done\n---\nbody\n",
    );
    dep.commit("dep");
    let dep_url = served.publish(&dep, "dep");
    let inner = GitRepo::new("inner");
    inner
        .file("inner-agent.md", agent("inner-agent", "Inner"))
        .file(
            "agentpack.toml",
            Manifest::new()
                .source(Source::git("dep", &dep_url))
                .render(),
        );
    inner.commit("inner");
    let inner_url = served.publish(&inner, "inner");
    let pack = GitRepo::new("pack");
    pack.file("lead.md", agent("lead", "Leads")).file(
        "agentpack.toml",
        Manifest::new()
            .source(Source::git("inner", &inner_url))
            .render(),
    );
    pack.commit("pack");
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .source(
            Source::git("p", pack.url())
                .trust(["hooks"])
                .rename([("inner-agent", "renamed")]),
        )
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success().stderr_snapshot();
    // Two levels of packs, a rename of a pulled-in agent, and trust granted by the top-level source.
    sb.run(["verify"])
        .success()
        .stdout_is("")
        .stderr_is("verified 3 installed agents: 0 errors, 0 warnings\n");

    // What the top-level source says about the pulled-in agents is still checked.
    sb.manifest(
        &Manifest::new().source(
            Source::git("p", pack.url())
                .trust(["hooks"])
                .exclude(["hooked"])
                .rename([("inner-agent", "other")]),
        ),
    );
    let problems: Vec<String> = sb.run(["verify", "--json"]).failure(1).stdout_json()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}: {}",
                p["code"].as_str().unwrap(),
                p["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            "lock-outdated: agent `hooked` that the pack of `p` brought in is locked, but `exclude` entry `hooked` leaves it out",
            "lock-outdated: agent `inner-agent` that the pack of `p` brought in is locked as `renamed`, but agentpack.toml installs it as `other`",
        ]
    );
    // Without the top-level trust, the pulled-in agent's hooks are refused.
    sb.write(
        "agentpack.toml",
        manifest.replace("trust = [\"hooks\"]\n", ""),
    );
    sb.run(["verify"]).failure(1).stdout_snapshot();
}
