//! Skills and commands from a hostile repository author and a hostile hand-editor of the lock or the
//! vendor directory: folder and file names, symlinks, modes, sizes, nesting, hooks in every YAML shape,
//! other kinds' and the user's files, and an install failing midway.

use crate::support::*;

/// A repository with the skill `pdf` (its `SKILL.md` plus `files`) and nothing else.
fn skill_repo(files: &[(&str, &str)]) -> GitRepo {
    let repo = GitRepo::new("hostile");
    repo.file("skills/pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"));
    for (path, text) in files {
        repo.file(path, text);
    }
    repo.commit("hostile");
    repo
}

fn taking_pdf(repo: &GitRepo) -> Sandbox {
    project(&Manifest::new().source(Source::git("hostile", repo.url()).skills(["pdf"])))
}

#[cfg(unix)]
fn mode(sb: &Sandbox, rel: &str) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(sb.path(rel))
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn a_skill_folder_whose_name_is_not_a_skill_name_is_refused_before_anything_is_written() {
    // It used to install, writing a lock that agentpack itself then refused to read.
    let repo = GitRepo::new("hostile");
    repo.file(
        "skills/My_Skill/SKILL.md",
        skill_md("my-skill", "Odd folder"),
    )
    .commit("odd");
    let sb = project(&Manifest::new().source(Source::git("hostile", repo.url()).skills(["*"])));
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!sb.exists(".claude"));
    assert!(!sb.exists("agentpack.lock"));
    // The hint's way out works, and the lock it writes reads back.
    sb.manifest(
        &Manifest::new().source(
            Source::git("hostile", repo.url())
                .skills(["*"])
                .rename([("skill:My_Skill", "my-skill")]),
        ),
    );
    sb.run(["install"]).success();
    assert!(sb.exists(".claude/skills/my-skill/SKILL.md"));
    sb.run(["verify"]).success();
}

#[test]
fn skill_file_names_that_are_not_one_safe_file_everywhere_are_refused() {
    let repo = skill_repo(&[
        ("skills/pdf/ref.md", "lower"),
        ("skills/pdf/REF.md", "upper"),
        ("skills/pdf/assets/CON", "device"),
        ("skills/pdf/assets/nul.txt", "device"),
        ("skills/pdf/esc\u{1b}[31m.txt", "escape"),
        ("skills/pdf/back\\slash.txt", "backslash"),
    ]);
    let sb = taking_pdf(&repo);
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!sb.exists(".claude"));
    assert!(!sb.exists("agentpack.lock"));
}

#[test]
fn a_command_name_with_a_terminal_escape_is_refused_and_printed_escaped() {
    let repo = GitRepo::new("hostile");
    repo.file("commands/ok\u{1b}]0;owned\u{7}/run.md", command_md("Run"))
        .file("commands/CON.md", command_md("Device"))
        .commit("escape");
    let sb = project(&Manifest::new().source(Source::git("hostile", repo.url()).commands(["*"])));
    let out = sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!out.stderr().contains('\u{1b}'));
    assert!(!sb.exists(".claude"));
}

#[test]
fn symlinks_in_a_skill_are_followed_only_to_files_inside_the_repository() {
    let repo = GitRepo::new("hostile");
    repo.file("skills/pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"))
        .file("docs/shared.md", "shared text")
        .symlink("skills/pdf/passwd", "../../../../../../etc/passwd")
        .symlink("skills/pdf/shared.md", "../../docs/shared.md")
        .symlink("skills/pdf/docs", "../../docs")
        .symlink("skills/pdf/loop", ".")
        .commit("links");
    let sb = taking_pdf(&repo);
    sb.run(["install"]).success();
    let files: Vec<String> = sb.snapshot(".claude").into_keys().collect();
    assert_eq!(files, ["skills/pdf/SKILL.md", "skills/pdf/shared.md"]);
    // The link inside the repository becomes a plain file holding the target's bytes.
    let meta = std::fs::symlink_metadata(sb.path(".claude/skills/pdf/shared.md")).unwrap();
    assert!(meta.file_type().is_file());
    assert_eq!(sb.read(".claude/skills/pdf/shared.md"), "shared text");
    sb.run(["verify"]).success();
}

#[cfg(unix)]
#[test]
fn only_a_skill_files_git_executable_bit_reaches_the_disk() {
    let repo = skill_repo(&[
        ("skills/pdf/scripts/run.sh", "#!/bin/sh\necho hi\n"),
        ("skills/pdf/notes.md", "notes"),
    ]);
    repo.executable("skills/pdf/scripts/run.sh", true)
        .commit("a script");
    let sb = taking_pdf(&repo);
    // The user's umask does not make a skill's files group- or world-writable either.
    sb.run(["install"]).success();
    assert_eq!(mode(&sb, ".claude/skills/pdf/scripts/run.sh"), 0o755);
    assert_eq!(mode(&sb, ".claude/skills/pdf/notes.md"), 0o644);
    assert_eq!(mode(&sb, ".claude/skills/pdf/SKILL.md"), 0o644);

    // A hand-edited vendor directory cannot add a mode: the lock says which files are executable.
    sb.manifest(
        &Manifest::new()
            .source(Source::git("hostile", repo.url()).skills(["pdf"]))
            .install(Install::new().vendor("agentpack-vendor")),
    );
    sb.run(["vendor"]).success();
    let checksum = "agentpack-vendor/hostile/.agentpack-checksum.json";
    let honest = sb.read(checksum);
    let tampered = honest.replace(
        "\"skills/pdf/scripts/run.sh\"\n",
        "\"skills/pdf/scripts/run.sh\",\n    \"skills/pdf/notes.md\"\n",
    );
    assert_ne!(
        tampered,
        sb.read(checksum),
        "the executable list is where the test expects"
    );
    sb.write(checksum, tampered);
    {
        use std::os::unix::fs::PermissionsExt;
        let setuid = std::fs::Permissions::from_mode(0o4755);
        std::fs::set_permissions(
            sb.path("agentpack-vendor/hostile/skills/pdf/SKILL.md"),
            setuid,
        )
        .unwrap();
    }
    sb.remove(".claude");
    let lock = sb.read("agentpack.lock");
    sb.run(["install", "--frozen"])
        .failure(1)
        .stderr_has("error: `agentpack.lock` needs to be updated, but `--locked` was passed");
    assert!(!sb.exists(".claude"));
    assert_eq!(sb.read("agentpack.lock"), lock);
    // Without the tampered list, the setuid bit on the vendored file is not copied.
    sb.write(checksum, &honest);
    sb.run(["install", "--frozen"]).success();
    assert_eq!(mode(&sb, ".claude/skills/pdf/SKILL.md"), 0o644);
    assert_eq!(mode(&sb, ".claude/skills/pdf/notes.md"), 0o644);
    assert_eq!(mode(&sb, ".claude/skills/pdf/scripts/run.sh"), 0o755);
}

#[test]
fn a_skill_of_more_files_than_the_limit_is_refused() {
    let repo = GitRepo::new("hostile");
    repo.file("skills/pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"));
    for i in 0..1000 {
        repo.file(&format!("skills/pdf/parts/{i}.txt"), "x");
    }
    repo.commit("huge");
    let sb = taking_pdf(&repo);
    sb.run(["install"]).failure(1).stderr_has(
        "error[skill-too-large]: the skill holds 1001 files of 1067 bytes; agentpack installs at most 1000 files and 33554432 bytes per skill",
    );
    assert!(!sb.exists(".claude"));
}

#[test]
fn a_skill_inside_a_skill_and_commands_inside_a_skill_are_the_outer_skills_files() {
    let repo = skill_repo(&[
        ("skills/pdf/inner/SKILL.md", &skill_md("inner", "Nested")),
        ("skills/pdf/commands/run.md", &command_md("Run")),
        ("skills/pdf/agent.md", &agent("sneaky", "Not an agent")),
    ]);
    let sb = project(
        &Manifest::new().source(
            Source::git("hostile", repo.url())
                .skills(["*"])
                .commands(["*"])
                .agents(["*"]),
        ),
    );
    sb.run(["install"]).failure(1).stderr_has(
        "error[item-not-found]: `commands` of source `hostile` has no command matching `*`",
    );
    sb.manifest(&Manifest::new().source(Source::git("hostile", repo.url()).skills(["*"])));
    sb.run(["install"]).success();
    let files: Vec<String> = sb.snapshot(".claude").into_keys().collect();
    assert_eq!(
        files,
        [
            "skills/pdf/SKILL.md",
            "skills/pdf/agent.md",
            "skills/pdf/commands/run.md",
            "skills/pdf/inner/SKILL.md"
        ]
    );
    assert_eq!(lock(&sb)["skill"].as_array().unwrap().len(), 1);
}

#[test]
fn a_hand_edited_lock_cannot_aim_a_skill_at_a_command_an_agent_or_a_file_outside() {
    let repo = skill_repo(&[("skills/pdf/notes.md", "notes")]);
    let sb = taking_pdf(&repo);
    sb.run(["install"]).success();
    let original = sb.read("agentpack.lock");
    // The user's files, with exactly the bytes the lock records for the skill's files.
    let users = [
        ".claude/commands/pdf/notes.md",
        ".claude/agents/pdf/notes.md",
        ".claude/skills/mine/pdf/notes.md",
        "outside/pdf/notes.md",
    ];
    for file in users {
        sb.write(file, "notes");
    }
    for dir in [
        ".claude/commands/pdf",
        ".claude/agents/pdf",
        ".claude/skills/mine/pdf",
        "outside/pdf",
    ] {
        sb.write(
            "agentpack.lock",
            original.replace("dir = \".claude/skills/pdf\"", &format!("dir = \"{dir}\"")),
        );
        sb.run(["verify"]).failure(1).stdout_has(&format!(
            "error[lock-outdated]: `{dir}/notes.md` (skill `pdf` from `hostile`) is locked outside the directory agentpack installs skills into"
        ));
        // An install that drops the skill removes only what is in the skills' place.
        sb.manifest(&Manifest::new().source(Source::git("hostile", repo.url())));
        sb.run(["install"]).success();
        for file in users {
            assert_eq!(sb.read(file), "notes", "{file} after a lock aimed at {dir}");
        }
        sb.manifest(&Manifest::new().source(Source::git("hostile", repo.url()).skills(["pdf"])));
        sb.write("agentpack.lock", &original);
    }
}

#[test]
fn a_users_files_in_a_skill_folder_survive_install_update_and_remove() {
    let repo = skill_repo(&[("skills/pdf/notes.md", "notes v1")]);
    let sb = taking_pdf(&repo);
    sb.write(".claude/skills/pdf/mine.txt", "the user's");
    sb.run(["install"]).success();
    // The user edits an installed file; the source then changes it and drops another.
    sb.write(".claude/skills/pdf/SKILL.md", "edited by the user");
    repo.file("skills/pdf/notes.md", "notes v2")
        .file(
            "skills/pdf/SKILL.md",
            skill_md("pdf", "Fills PDF forms better"),
        )
        .commit("v2");
    sb.run(["update"])
        .failure(1)
        .stderr_has(".claude/skills/pdf/SKILL.md");
    assert_eq!(sb.read(".claude/skills/pdf/SKILL.md"), "edited by the user");
    assert_eq!(sb.read(".claude/skills/pdf/notes.md"), "notes v1");
    // Removing the source keeps the edited file and the user's own, and so the folder.
    let before = sb.snapshot(".claude");
    sb.run(["remove", "hostile"]).failure(1).stderr_has(
        "error[modified-file]: `.claude/skills/pdf/SKILL.md` is no longer in the manifest, but it was edited since agentpack installed it; agentpack will not delete it",
    );
    assert_tree_eq(&before, &sb.snapshot(".claude"));
    // Once the user puts the installed text back, the skill's files go and the user's own stays.
    sb.write(
        ".claude/skills/pdf/SKILL.md",
        skill_md("pdf", "Fills PDF forms"),
    );
    sb.run(["remove", "hostile"]).success();
    let left: Vec<String> = sb.snapshot(".claude/skills").into_keys().collect();
    assert_eq!(left, ["pdf/mine.txt"]);
}

#[test]
fn a_users_file_where_a_skill_needs_a_folder_stops_the_install_before_anything_is_written() {
    let repo = skill_repo(&[("skills/pdf/a.md", "a")]);
    let sb = taking_pdf(&repo);
    sb.run(["install"]).success();
    // v2 changes `a.md` and adds `z/deep.md`, where the user has a file named `z`.
    repo.file("skills/pdf/a.md", "a v2")
        .file("skills/pdf/z/deep.md", "deep")
        .commit("v2");
    sb.write(
        ".claude/skills/pdf/z",
        "the user's file where v2 needs a folder",
    );
    let before = sb.snapshot(".claude");
    let lock = sb.read("agentpack.lock");
    sb.run(["update"]).failure(2).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot(".claude"));
    assert_eq!(sb.read("agentpack.lock"), lock);
}

#[test]
fn hooks_in_skill_and_command_front_matter_reach_the_trust_gate_in_every_yaml_shape() {
    let shapes = [
        "hooks:\n  PreToolUse: [{matcher: x}]\n",
        "\"hooks\": {PreToolUse: [{matcher: x}]}\n",
        "'hooks': {PreToolUse: [{matcher: x}]}\n",
        "? hooks\n: {PreToolUse: [{matcher: x}]}\n",
        "hooks: !!map {PreToolUse: [{matcher: x}]}\n",
        "\"ho\\x6fks\": {PreToolUse: [{matcher: x}]}\n",
        "hooks: >-\n  PreToolUse\n",
    ];
    for shape in shapes {
        let repo = GitRepo::new("hostile");
        repo.file(
            "skills/pdf/SKILL.md",
            format!("---\nname: pdf\ndescription: d\n{shape}---\nbody\n"),
        )
        .file(
            "commands/c.md",
            format!("---\ndescription: d\n{shape}---\nbody\n"),
        )
        .commit("hooks");
        let source = Source::git("hostile", repo.url())
            .skills(["pdf"])
            .commands(["c"]);
        let sb = project(&Manifest::new().source(source.clone()));
        let out = sb.run(["install"]).failure(1);
        for file in ["skills/pdf/SKILL.md", "commands/c.md"] {
            assert!(
                out.stderr().contains(&format!("--> hostile:{file}")),
                "{shape:?}: {}",
                out.stderr()
            );
        }
        assert_eq!(
            out.stderr().matches("error[untrusted-hooks]").count(),
            2,
            "{shape:?}"
        );
        assert!(!sb.exists(".claude"));
        // The user's trust lets them in, and `verify` agrees.
        sb.manifest(&Manifest::new().source(source.trust(["hooks"])));
        sb.run(["install"]).success();
        sb.run(["verify"]).success();
    }
}

#[test]
fn a_skill_failing_midway_leaves_claude_and_the_lock_as_they_were() {
    // The first skill is written, the second cannot be: a directory of the user's stands where one of
    // its files goes. Everything written before is rolled back.
    let repo = GitRepo::new("hostile");
    repo.file("skills/aaa/SKILL.md", skill_md("aaa", "First"))
        .file("skills/zzz/SKILL.md", skill_md("zzz", "Second"))
        .file("skills/zzz/data.txt", "data")
        .commit("two");
    let sb = project(&Manifest::new().source(Source::git("hostile", repo.url()).skills(["aaa"])));
    sb.run(["install"]).success();
    repo.file("skills/aaa/SKILL.md", skill_md("aaa", "First, v2"))
        .commit("v2");
    sb.mkdir(".claude/skills/zzz/data.txt/the-users");
    sb.write(".claude/skills/zzz/data.txt/the-users/file", "mine");
    sb.manifest(&Manifest::new().source(Source::git("hostile", repo.url()).skills(["aaa", "zzz"])));
    let before = sb.snapshot(".claude");
    let lock = sb.read("agentpack.lock");
    let out = sb.run(["update"]);
    assert_ne!(out.code(), Some(0), "{}", out.stderr());
    assert_tree_eq(&before, &sb.snapshot(".claude"));
    assert_eq!(sb.read("agentpack.lock"), lock);
    out.stderr_snapshot();
}

#[test]
fn commands_equal_but_for_case_collide_as_one_file_on_macos_and_windows() {
    let repo = GitRepo::new("hostile");
    repo.file("commands/git/commit.md", command_md("Lower"))
        .file("commands/Git/Commit.md", command_md("Upper"))
        .commit("case");
    let sb = project(&Manifest::new().source(Source::git("hostile", repo.url()).commands(["*"])));
    sb.run(["install"]).failure(1).stderr_has(
        "error[name-collision]: 2 commands would be installed as `Git/Commit`: `hostile:commands/Git/Commit.md`, `hostile:commands/git/commit.md`",
    );
    assert!(!sb.exists(".claude"));
}
