//! Skills and commands beside agents: a source with no selection keys installs agents only and never
//! takes a `SKILL.md`, a file of a skill folder or a command for an agent; the `skills` and `commands`
//! keys install whole skill folders (modes kept) and commands (sub-folders kept), and lock them.

use crate::support::*;

#[test]
fn a_source_with_no_selection_keys_installs_no_skill_or_command_as_an_agent() {
    // Before the kinds, every `SKILL.md`, a skill's `references/*.md` and every command with a `name`
    // were installed into `.claude/agents/` (a marketplace's 181 skills became agents).
    let toolkit = toolkit();
    let sb = project(&Manifest::new().source(Source::git("toolkit", toolkit.url())));
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["reviewer.md"]);
    assert!(!sb.path(".claude/skills").exists());
    assert!(!sb.path(".claude/commands").exists());
    let lock = lock(&sb);
    let agents = lock["agent"].as_array().unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0]["path"].as_str(), Some("agents/reviewer.md"));
}

#[test]
fn agents_star_does_not_reach_into_skills_or_commands() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new().source(Source::git("toolkit", toolkit.url()).agents(["*"])));
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["reviewer.md"]);
    // Naming a skill's file by path is an error: it is not an agent.
    sb.manifest(
        &Manifest::new().source(
            Source::git("toolkit", toolkit.url()).agents(["skills/pdf/references/guide.md"]),
        ),
    );
    sb.run(["install"])
        .failure(1)
        .stderr_has("source `toolkit` has no agent matching `skills/pdf/references/guide.md`");
    assert_eq!(installed(&sb), ["reviewer.md"]);
}

#[test]
fn a_path_source_installs_no_skill_as_an_agent_either() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new().source(Source::path("toolkit", toolkit.path().display())));
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["reviewer.md"]);
}

/// The manifest of a project taking `pdf` and the `git` commands (and `review`) from `toolkit`.
fn skills_and_commands(toolkit: &GitRepo) -> Manifest {
    Manifest::new().source(
        Source::git("toolkit", toolkit.url())
            .skills(["pdf"])
            .commands(["git/*", "review"]),
    )
}

#[cfg(unix)]
fn mode(sb: &Sandbox, rel: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(sb.path(rel))
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn skills_and_commands_keys_install_whole_skill_folders_and_commands_and_lock_them() {
    let toolkit = toolkit();
    let sb = project(&skills_and_commands(&toolkit));
    sb.run(["install"]).success();
    // Only what the keys pick: no agent (no `agents` key), not the `xlsx` skill.
    assert!(!sb.path(".claude/agents").exists());
    let skill: Vec<String> = sb.snapshot(".claude/skills").into_keys().collect();
    assert_eq!(
        skill,
        [
            "pdf/SKILL.md",
            "pdf/assets/logo.png",
            "pdf/references/guide.md",
            "pdf/scripts/fill.py"
        ]
    );
    // Byte for byte, the executable bit kept.
    assert_eq!(
        std::fs::read(sb.path(".claude/skills/pdf/assets/logo.png")).unwrap(),
        [0x89u8, b'P', b'N', b'G', 0, 1, 2, 0xff]
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&sb, ".claude/skills/pdf/scripts/fill.py"), 0o755);
        assert_eq!(mode(&sb, ".claude/skills/pdf/SKILL.md"), 0o644);
    }
    let commands: Vec<String> = sb.snapshot(".claude/commands").into_keys().collect();
    assert_eq!(commands, ["git/commit.md", "review.md"]);
    assert_eq!(
        sb.read(".claude/commands/review.md"),
        command_md("Review the diff")
    );

    let lock = lock(&sb);
    assert!(lock.get("agent").is_none());
    let skills = lock["skill"].as_array().unwrap();
    assert_eq!(skills.len(), 1);
    assert_eq!(skills[0]["name"].as_str(), Some("pdf"));
    assert_eq!(skills[0]["source"].as_str(), Some("toolkit"));
    assert_eq!(skills[0]["path"].as_str(), Some("skills/pdf"));
    assert_eq!(skills[0]["dir"].as_str(), Some(".claude/skills/pdf"));
    let files = skills[0]["files"].as_array().unwrap();
    let listed: Vec<(&str, &str, bool)> = files
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["sha256"].as_str().unwrap(),
                f.get("executable")
                    .is_some_and(|e| e.as_bool() == Some(true)),
            )
        })
        .collect();
    let sha = |rel: &str| sha256(std::fs::read(sb.path(rel)).unwrap());
    assert_eq!(
        listed,
        [
            (
                "SKILL.md",
                sha(".claude/skills/pdf/SKILL.md").as_str(),
                false
            ),
            (
                "assets/logo.png",
                sha(".claude/skills/pdf/assets/logo.png").as_str(),
                false
            ),
            (
                "references/guide.md",
                sha(".claude/skills/pdf/references/guide.md").as_str(),
                false
            ),
            (
                "scripts/fill.py",
                sha(".claude/skills/pdf/scripts/fill.py").as_str(),
                true
            ),
        ]
    );
    let commands = lock["command"].as_array().unwrap();
    let listed: Vec<(&str, &str, &str)> = commands
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["path"].as_str().unwrap(),
                c["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "git/commit",
                "commands/git/commit.md",
                ".claude/commands/git/commit.md"
            ),
            ("review", "commands/review.md", ".claude/commands/review.md"),
        ]
    );
    assert_eq!(
        commands[0]["sha256"].as_str().unwrap(),
        sha(".claude/commands/git/commit.md")
    );

    // Nothing changes on the next install, with or without `--locked`; `--frozen` reads the cache only.
    let lock_text = sb.read("agentpack.lock");
    sb.run(["install", "--locked"]).success();
    sb.run(["install", "--frozen"]).success();
    // Offline, from the cache, after the installed files are gone: all back, the lock unchanged.
    sb.remove(".claude");
    sb.run(["install", "--offline"]).success();
    assert!(sb.exists(".claude/skills/pdf/scripts/fill.py"));
    assert!(sb.exists(".claude/commands/git/commit.md"));
    assert_eq!(sb.read("agentpack.lock"), lock_text);
}

#[test]
fn a_skill_or_command_key_that_picks_nothing_is_an_error_naming_the_key() {
    let toolkit = toolkit();
    let sb = project(
        &Manifest::new().source(
            Source::git("toolkit", toolkit.url())
                .skills(["pdf", "docx"])
                .commands(["deploy/*"]),
        ),
    );
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!sb.path(".claude").exists());
    assert!(!sb.path("agentpack.lock").exists());
}

#[test]
fn adding_a_skills_key_to_an_agents_source_replaces_its_agents_by_the_skill() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new().source(Source::git("toolkit", toolkit.url())));
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["reviewer.md"]);
    sb.manifest(&Manifest::new().source(Source::git("toolkit", toolkit.url()).skills(["pdf"])));
    sb.run(["verify"]).failure(1).stdout_has(
        "error[lock-outdated]: source `toolkit` has locked agents, but with `skills` or `commands` and no `agents` it installs none",
    );
    sb.run(["install"]).success();
    assert!(!sb.exists(".claude/agents/reviewer.md"));
    assert!(sb.exists(".claude/skills/pdf/SKILL.md"));
    sb.run(["verify"]).success();
}

#[test]
fn warnings_of_an_unchanged_command_or_skill_are_not_repeated() {
    // `commands/git/commit.md` has a `name`, which Claude Code does not read in a command.
    let toolkit = toolkit();
    let sb = project(&skills_and_commands(&toolkit));
    sb.run(["install"]).success().stderr_has(
        "warning[source-warnings]: `toolkit`: 1 warning in its agent files (1 unknown-field)",
    );
    // The long way (not the no-op short-cut): the command is as locked, its warning was shown.
    sb.run(["install", "--force"])
        .success()
        .stderr_lacks("source-warnings");
    sb.run(["install", "--force", "-v"])
        .success()
        .stderr_has("warning[unknown-field]: `name` is not a command field");
}

#[test]
fn a_rename_target_must_be_a_valid_name_of_its_kind() {
    let toolkit = toolkit();
    let sb = project(
        &Manifest::new().source(
            Source::git("toolkit", toolkit.url())
                .skills(["pdf"])
                .commands(["review"])
                .rename([("skill:pdf", "PDF_Tools"), ("command:review", "ok/../up")]),
        ),
    );
    sb.run(["install"])
        .failure(2)
        .stderr_has("error[rename-invalid]: cannot rename `skill:pdf` to `PDF_Tools`")
        .stderr_has("error[rename-invalid]: cannot rename `command:review` to `ok/../up`");
    assert!(!sb.exists(".claude"));
}

#[test]
fn a_command_with_a_skills_name_is_a_warning() {
    let repo = GitRepo::new("both");
    repo.file("skills/review/SKILL.md", skill_md("review", "Reviews"))
        .file("commands/review.md", command_md("Review the diff"))
        .commit("both");
    let sb = project(
        &Manifest::new().source(
            Source::git("both", repo.url())
                .skills(["review"])
                .commands(["review"]),
        ),
    );
    sb.run(["install"]).success().stderr_has(
        "warning[name-collision]: command `review` (`both:commands/review.md`) has the name of skill `review` (`both:skills/review`): Claude Code runs the skill",
    );
    assert!(sb.exists(".claude/skills/review/SKILL.md"));
    assert!(sb.exists(".claude/commands/review.md"));
}
