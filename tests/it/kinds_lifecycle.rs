//! Skills and commands through every command: update over a loopback server (stale files of a skill
//! removed), verify of every file, vendor and `install --frozen` from the vendor directory, list, tree,
//! remove, `--global`, `add --skill/--command`, renames, collisions and protected files.

use crate::support::*;

/// Every kind of `toolkit`: all skills, all commands, and its agent.
fn everything(url: &str) -> Manifest {
    Manifest::new().source(
        Source::git("toolkit", url)
            .agents(["*"])
            .skills(["*"])
            .commands(["*"]),
    )
}

fn files(sb: &Sandbox, dir: &str) -> Vec<String> {
    sb.snapshot(dir).into_keys().collect()
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn update_over_smart_http_moves_skills_and_commands_and_removes_what_a_skill_dropped() {
    let toolkit = toolkit();
    let served = tempfile::tempdir().unwrap();
    let bare = toolkit.bare_copy_into(served.path(), "toolkit");
    let http = HttpGitServer::start(served.path());
    let sb = project(&everything(&http.url("toolkit")));
    sb.run(["install"]).success();
    assert_eq!(
        files(&sb, ".claude/skills"),
        [
            "pdf/SKILL.md",
            "pdf/assets/logo.png",
            "pdf/references/guide.md",
            "pdf/scripts/fill.py",
            "xlsx/SKILL.md"
        ]
    );
    // `commands/git/commit.md` has a `name`, which Claude Code does not read in a command.
    sb.run(["verify"])
        .success()
        .stderr_has("verified 1 installed agent, 2 skills, 2 commands: 0 errors, 1 warning")
        .stdout_has("warning[unknown-field]: `name` is not a command field");

    // Upstream: pdf drops its references and gains a script, xlsx is edited, a command is removed.
    toolkit
        .remove("skills/pdf/references")
        .file("skills/pdf/scripts/run.sh", "#!/bin/sh\necho run\n")
        .executable("skills/pdf/scripts/run.sh", true)
        .file(
            "skills/xlsx/SKILL.md",
            skill_md("xlsx", "Edits spreadsheets, v2"),
        )
        .remove("commands/review.md");
    toolkit.commit("v2");
    toolkit.push_to(&bare);

    // The lock keeps the old commit until `update`; `outdated` sees the new one.
    sb.run(["install"]).success();
    let outdated = sb.run(["outdated", "--json"]).success().stdout_json();
    assert_eq!(outdated[0]["name"], "toolkit");
    assert_eq!(outdated[0]["allowed"]["commit"], toolkit.head().as_str());
    assert!(sb.exists(".claude/skills/pdf/references/guide.md"));
    sb.run(["update"]).success();
    assert_eq!(
        files(&sb, ".claude/skills"),
        [
            "pdf/SKILL.md",
            "pdf/assets/logo.png",
            "pdf/scripts/fill.py",
            "pdf/scripts/run.sh",
            "xlsx/SKILL.md"
        ]
    );
    // The folder the dropped file left empty is gone.
    assert!(!sb.exists(".claude/skills/pdf/references"));
    #[cfg(unix)]
    assert_eq!(mode(&sb.path(".claude/skills/pdf/scripts/run.sh")), 0o755);
    assert_eq!(
        sb.read(".claude/skills/xlsx/SKILL.md"),
        skill_md("xlsx", "Edits spreadsheets, v2")
    );
    assert_eq!(files(&sb, ".claude/commands"), ["git/commit.md"]);
    assert_eq!(
        lock(&sb)["source"][0]["commit"].as_str(),
        Some(toolkit.head().as_str())
    );
    sb.run(["verify"]).success();
    sb.run(["install", "--locked"]).success();
}

#[test]
fn verify_checks_every_file_of_every_skill_and_command() {
    let toolkit = toolkit();
    let sb = project(&everything(&toolkit.url()));
    sb.run(["install"]).success();
    sb.run(["verify"]).success();
    sb.write(".claude/skills/pdf/scripts/fill.py", "print('edited')\n");
    sb.remove(".claude/skills/pdf/assets/logo.png");
    sb.write(".claude/commands/git/commit.md", "edited\n");
    sb.run(["verify"]).failure(1).stdout_snapshot();
    // The edited files are protected: an install that would replace them refuses; --force restores.
    sb.run(["install", "--force"]).success();
    sb.run(["verify"]).success();
    assert_eq!(
        sb.read(".claude/skills/pdf/scripts/fill.py"),
        toolkit.read("skills/pdf/scripts/fill.py")
    );
}

#[test]
fn a_skill_and_command_key_change_is_a_verify_lock_outdated() {
    let toolkit = toolkit();
    let sb = project(&everything(&toolkit.url()));
    sb.run(["install"]).success();
    sb.manifest(
        &Manifest::new().source(
            Source::git("toolkit", toolkit.url())
                .agents(["*"])
                .skills(["pdf"])
                .commands(["*"])
                .rename([("command:review", "check")]),
        ),
    );
    sb.run(["verify"]).failure(1).stdout_snapshot();
    sb.run(["install"]).success();
    assert!(!sb.exists(".claude/skills/xlsx"));
    assert_eq!(
        files(&sb, ".claude/commands"),
        ["check.md", "git/commit.md"]
    );
    sb.run(["verify"]).success();
}

#[test]
fn vendored_skills_and_commands_install_frozen_from_the_vendor_directory() {
    let toolkit = toolkit();
    let sb = project(&everything(&toolkit.url()));
    sb.run(["install"]).success();
    sb.run(["vendor"]).success();
    assert!(sb.exists("agentpack-vendor/toolkit/skills/pdf/scripts/fill.py"));
    assert!(sb.exists("agentpack-vendor/toolkit/commands/git/commit.md"));
    // A fresh checkout: the vendor directory and the lock, no cache, no network.
    let lock_text = sb.read("agentpack.lock");
    sb.manifest(&everything(&toolkit.url()).install(Install::new().vendor("agentpack-vendor")));
    sb.remove(".claude");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    std::fs::remove_dir_all(toolkit.path()).unwrap();
    sb.run(["install", "--frozen"]).success();
    assert_eq!(sb.read("agentpack.lock"), lock_text);
    assert_eq!(
        files(&sb, ".claude/skills"),
        [
            "pdf/SKILL.md",
            "pdf/assets/logo.png",
            "pdf/references/guide.md",
            "pdf/scripts/fill.py",
            "xlsx/SKILL.md"
        ]
    );
    #[cfg(unix)]
    assert_eq!(mode(&sb.path(".claude/skills/pdf/scripts/fill.py")), 0o755);
    assert_eq!(
        files(&sb, ".claude/commands"),
        ["git/commit.md", "review.md"]
    );
    sb.run(["verify"]).success();
    // A vendored skill file that was changed is refused.
    sb.write(
        "agentpack-vendor/toolkit/skills/pdf/scripts/fill.py",
        "evil\n",
    );
    sb.remove(".claude");
    sb.run(["install", "--frozen"])
        .failure(2)
        .stderr_has("error[vendor-checksum]: vendored file");
}

#[test]
fn list_and_tree_show_skills_and_commands() {
    let toolkit = toolkit();
    let sb = project(&everything(&toolkit.url()));
    sb.run(["install"]).success();
    sb.run(["list"]).success().stdout_snapshot();
    let json = sb.run(["list", "--json"]).success().stdout_json();
    let kinds: Vec<(&str, &str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap(),
                i["name"].as_str().unwrap(),
                i["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("agent", "reviewer", "ok"),
            ("skill", "pdf", "ok"),
            ("skill", "xlsx", "ok"),
            ("command", "git/commit", "ok"),
            ("command", "review", "ok"),
        ]
    );
    sb.write(".claude/skills/xlsx/SKILL.md", "edited\n");
    sb.remove(".claude/skills/pdf/scripts/fill.py");
    let json = sb.run(["list", "--json"]).success().stdout_json();
    assert_eq!(json[1]["status"], "missing");
    assert_eq!(json[2]["status"], "modified");
    sb.run(["tree"]).success().stdout_snapshot();
}

#[test]
fn removing_the_source_removes_its_skill_folders_and_commands() {
    let toolkit = toolkit();
    let other = GitRepo::new("other");
    other.file("a.md", agent("a", "A")).commit("a");
    let sb = project(&everything(&toolkit.url()).source(Source::git("other", other.url())));
    sb.run(["install"]).success();
    sb.run(["remove", "toolkit"]).success();
    assert!(!sb.exists(".claude/skills/pdf"));
    assert!(!sb.exists(".claude/skills/xlsx"));
    assert!(!sb.exists(".claude/commands/git"));
    assert!(!sb.exists(".claude/commands/review.md"));
    assert_eq!(installed(&sb), ["a.md"]);
    let lock = lock(&sb);
    assert!(lock.get("skill").is_none() && lock.get("command").is_none());
}

#[test]
fn a_users_file_in_a_skill_folder_is_never_overwritten_without_force() {
    let toolkit = toolkit();
    let sb = project(&everything(&toolkit.url()));
    sb.write(".claude/skills/pdf/scripts/fill.py", "mine\n");
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert_eq!(sb.read(".claude/skills/pdf/scripts/fill.py"), "mine\n");
    assert!(!sb.exists(".claude/skills/pdf/SKILL.md"));
    assert!(!sb.exists("agentpack.lock"));
    sb.run(["install", "--force"]).success();
    assert_eq!(
        sb.read(".claude/skills/pdf/scripts/fill.py"),
        toolkit.read("skills/pdf/scripts/fill.py")
    );
}

#[test]
fn two_skills_of_one_name_collide_and_a_rename_settles_it() {
    let toolkit = toolkit();
    let fork = GitRepo::new("fork");
    fork.file("skills/pdf/SKILL.md", skill_md("pdf", "Another PDF skill"))
        .commit("fork");
    let both = |rename: bool| {
        let fork_source = Source::git("fork", fork.url()).skills(["pdf"]);
        let fork_source = if rename {
            fork_source.rename([("skill:pdf", "fork-pdf")])
        } else {
            fork_source
        };
        Manifest::new()
            .source(Source::git("toolkit", toolkit.url()).skills(["pdf"]))
            .source(fork_source)
    };
    let sb = project(&both(false));
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!sb.exists(".claude"));
    sb.manifest(&both(true));
    sb.run(["install"]).success();
    assert_eq!(
        files(&sb, ".claude/skills"),
        [
            "fork-pdf/SKILL.md",
            "pdf/SKILL.md",
            "pdf/assets/logo.png",
            "pdf/references/guide.md",
            "pdf/scripts/fill.py"
        ]
    );
    assert_eq!(
        sb.read(".claude/skills/fork-pdf/SKILL.md"),
        skill_md("pdf", "Another PDF skill")
    );
    let lock = lock(&sb);
    let skills = lock["skill"].as_array().unwrap();
    assert_eq!(skills[0]["name"].as_str(), Some("fork-pdf"));
    assert_eq!(skills[0]["original-name"].as_str(), Some("pdf"));
    sb.run(["verify"]).success();
}

#[test]
fn global_scope_installs_skills_and_commands_into_the_home_claude_directory() {
    let toolkit = toolkit();
    let sb = Sandbox::new();
    sb.run(["init", "-g"]).success();
    let manifest = sb.config().join("agentpack/agentpack.toml");
    let template = std::fs::read_to_string(&manifest).unwrap();
    // `init`'s template explains both keys.
    assert!(
        template.contains("\n#   skills = [\"pdf\", \"form-*\"]\n"),
        "{template}"
    );
    assert!(
        template.contains("\n#   commands = [\"review\", \"git/*\"]\n"),
        "{template}"
    );
    std::fs::write(
        &manifest,
        format!(
            "{template}\n[sources.toolkit]\ngit = \"{}\"\nskills = [\"xlsx\"]\ncommands = [\"review\"]\n",
            toolkit.url()
        ),
    )
    .unwrap();
    sb.run(["install", "-g"]).success();
    assert!(sb.home().join(".claude/skills/xlsx/SKILL.md").is_file());
    assert!(sb.home().join(".claude/commands/review.md").is_file());
    assert!(!sb.home().join(".claude/agents").exists());
    assert!(!sb.exists(".claude"));
    sb.run(["verify", "-g"]).success();
    sb.run(["list", "-g"])
        .success()
        .stdout_has("skill:xlsx")
        .stdout_has("command:review");
}

#[test]
fn add_skill_and_command_add_the_names_to_the_source_keys() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new());
    let url = toolkit.url();
    sb.run([
        "add",
        &url,
        "--name",
        "toolkit",
        "--skill",
        "pdf",
        "--command",
        "git/*",
    ])
    .success();
    let text = sb.read("agentpack.toml");
    assert!(text.contains("skills = [\"pdf\"]"), "{text}");
    assert!(text.contains("commands = [\"git/*\"]"), "{text}");
    assert!(sb.exists(".claude/skills/pdf/SKILL.md"));
    assert!(sb.exists(".claude/commands/git/commit.md"));
    assert!(!sb.exists(".claude/agents"));
    // Again, with another skill: added to the list, the first one kept.
    sb.run(["add", &url, "--name", "toolkit", "--skill", "xlsx"])
        .success();
    let text = sb.read("agentpack.toml");
    assert!(text.contains("skills = [\"pdf\", \"xlsx\"]"), "{text}");
    assert!(sb.exists(".claude/skills/xlsx/SKILL.md"));
    sb.run(["verify"]).success();
}

#[test]
fn a_packs_own_source_takes_skills_and_commands_with_its_keys() {
    // The pack's manifest names `toolkit` over git:// (a pack names network URLs only) with its keys.
    let served = ServedRepos::start();
    let toolkit_url = served.publish(&toolkit(), "toolkit");
    let pack = GitRepo::new("pack");
    pack.file(
        "agentpack.toml",
        format!(
            "[sources.tools]\ngit = \"{toolkit_url}\"\nskills = [\"xlsx\"]\ncommands = [\"git/*\"]\n"
        ),
    )
    .file("lead.md", agent("lead", "Leads"))
    .commit("pack");
    let sb = project(&Manifest::new().source(Source::git("pack", pack.url())));
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["lead.md"]);
    assert_eq!(files(&sb, ".claude/skills"), ["xlsx/SKILL.md"]);
    assert_eq!(files(&sb, ".claude/commands"), ["git/commit.md"]);
    let lock = lock(&sb);
    assert_eq!(lock["skill"][0]["source"].as_str(), Some("pack/tools"));
    sb.run(["tree"]).success().stdout_has("skill xlsx");
    sb.run(["verify"]).success();
}
