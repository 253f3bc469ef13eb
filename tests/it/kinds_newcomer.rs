//! Skills and commands as a newcomer meets them through the CLI: `add --as` renames the one skill or
//! command named, `remove` of a skill or command says which list entry to take out, an edited skill
//! file is not pointed at `agentpack patch` (which is for agents), `verify` counts only the kinds present,
//! a source of skills added without keys says what it has, `lint` never calls a SKILL.md an agent,
//! and under `--global` the commands hints name carry `-g`.

use crate::support::*;

#[test]
fn add_as_renames_the_one_skill_or_command_named() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new());
    let url = toolkit.url();
    sb.run([
        "add", &url, "--name", "tools", "--skill", "pdf", "--as", "acme-pdf",
    ])
    .success();
    sb.run([
        "add",
        &url,
        "--name",
        "tools",
        "--command",
        "review",
        "--as",
        "code-review",
    ])
    .success();
    let text = sb.read("agentpack.toml");
    assert!(
        text.ends_with(
            "skills = [\"pdf\"]\nrename = { \"skill:pdf\" = \"acme-pdf\", \"command:review\" = \"code-review\" }\ncommands = [\"review\"]\n"
        ),
        "{text}"
    );
    assert!(sb.exists(".claude/skills/acme-pdf/scripts/fill.py"));
    assert!(!sb.exists(".claude/skills/pdf"));
    assert!(sb.exists(".claude/commands/code-review.md"));
    // `--as` with two items (of any kinds) names no single one: a usage error, nothing written.
    sb.run([
        "add",
        &url,
        "--name",
        "tools",
        "--skill",
        "xlsx",
        "--command",
        "git/commit",
        "--as",
        "x",
    ])
    .failure(2)
    .stderr_is(
        "error: --as renames one item: give exactly one --agent, --skill or --command with it\n",
    );
    assert_eq!(sb.read("agentpack.toml"), text);
    assert!(!sb.exists(".claude/skills/xlsx"));
    // The renamed folder is the user's choice, not the source's `skill-name-mismatch`.
    sb.run(["verify"])
        .success()
        .stdout_is("")
        .stderr_is("verified 1 installed skill, 1 command: 0 errors, 0 warnings\n");
}

#[test]
fn remove_of_a_skill_or_command_names_the_list_entry_to_take_out() {
    let toolkit = toolkit();
    let sb = project(
        &Manifest::new().source(
            Source::git("tools", toolkit.url())
                .skills(["pdf"])
                .commands(["*"])
                .rename([("skill:pdf", "acme-pdf")]),
        ),
    );
    sb.run(["install"]).success();
    let text = sb.read("agentpack.toml");
    sb.run(["remove", "skill:acme-pdf"]).failure(2).stderr_is(
        "error: `skill:acme-pdf` is a skill (`pdf` of source `tools`); `agentpack remove` takes a source or an agent\n\
         hint: to stop installing it, take `pdf` out of the `skills` list of [sources.tools] in agentpack.toml and run `agentpack install`; `agentpack remove tools` removes the whole source\n",
    );
    sb.run(["remove", "git/commit"]).failure(2).stderr_is(
        "error: `git/commit` is a command (`git/commit` of source `tools`); `agentpack remove` takes a source or an agent\n\
         hint: to stop installing it, take `git/commit` out of the `commands` list of [sources.tools] in agentpack.toml and run `agentpack install`; `agentpack remove tools` removes the whole source\n",
    );
    // The kind prefix must match: no command is called `acme-pdf`.
    sb.run(["remove", "command:acme-pdf"])
        .failure(2)
        .stderr_has("error: `command:acme-pdf` is neither a source in agentpack.toml nor an installed agent");
    assert_eq!(sb.read("agentpack.toml"), text);
    assert!(sb.exists(".claude/skills/acme-pdf/SKILL.md"));
}

#[test]
fn an_edited_skill_file_kept_by_install_is_not_pointed_at_patch() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new().source(Source::git("tools", toolkit.url()).skills(["pdf"])));
    sb.run(["install"]).success();
    sb.write(".claude/skills/pdf/scripts/fill.py", "print('mine')\n");
    sb.run(["install"]).success().stderr_is(
        "warning[modified-file]: `.claude/skills/pdf/scripts/fill.py` was edited since install; it is left as you have it, and `agentpack verify` fails until you record or undo the edit\n \
         --> .claude/skills/pdf/scripts/fill.py\n  \
         = hint: undo the edit with `agentpack install --force` (copy it elsewhere first to keep it)\n    \
         Finished 0 installed, 3 unchanged, 1 warning\n",
    );
    assert_eq!(
        sb.read(".claude/skills/pdf/scripts/fill.py"),
        "print('mine')\n"
    );
}

#[test]
fn a_source_of_only_skills_and_commands_added_without_keys_says_what_it_has() {
    let repo = GitRepo::new("skills");
    repo.file("pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"))
        .file("xlsx/SKILL.md", skill_md("xlsx", "Edits spreadsheets"))
        .file("commands/review.md", command_md("Review the diff"))
        .commit("skills");
    let sb = project(&Manifest::new());
    let out = sb.run(["add", &repo.url(), "--name", "skills"]).success();
    let readme = include_str!("../../README.md");
    let warning = out.stderr().lines().nth(1).unwrap().to_string();
    let hint = out.stderr().lines().nth(2).unwrap().to_string();
    assert_eq!(
        warning,
        "warning[no-agents]: source `skills` has no agents, only 2 skills and 1 command, and installs skills and commands only when its `skills` or `commands` key names them"
    );
    assert_eq!(
        hint,
        "  = hint: add `skills = [\"*\"]` or `commands = [\"*\"]` (or names) to [sources.skills] in agentpack.toml, or run `agentpack add SOURCE --skill NAME` / `--command NAME`; for a plugin marketplace, `plugins = [\"*\"]` or `--plugin NAME`"
    );
    // The README shows these two lines as they are printed.
    assert!(readme.contains(&format!("  {warning}\n  {hint}\n")));
    assert!(
        out.stderr()
            .ends_with("    Finished 0 installed, 1 warning\n"),
        "{out}"
    );
    assert!(!sb.exists(".claude"));
    // With the key, the skills install and the warning is gone.
    sb.run(["add", &repo.url(), "--name", "skills", "--skill", "*"])
        .success()
        .stderr_lacks("no-agents");
    assert!(sb.exists(".claude/skills/xlsx/SKILL.md"));
}

#[test]
fn lint_of_a_skill_md_says_it_is_no_agent() {
    let sb = project(&Manifest::new());
    sb.write("skills/pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"));
    sb.run(["lint", "skills/pdf/SKILL.md"]).failure(1).stdout_is(
        "error[not-an-agent]: `skills/pdf/SKILL.md` is not an agent: it is a skill's SKILL.md, and `lint` checks agents only\n \
         --> skills/pdf/SKILL.md\n  \
         = hint: `agentpack verify` checks installed skills (every file, as Claude Code reads them), and `agentpack install` the skills a source's `skills` key picks\n\n",
    )
    .stderr_is("checked 1 file: 0 agents, 1 error, 0 warnings\n");
    // In a directory, a skill's files are left out, as an install leaves them out.
    sb.run(["lint", "skills"])
        .success()
        .stderr_is("checked 0 files: 0 agents, 0 errors, 0 warnings\n");
}

#[test]
fn global_hints_name_commands_with_g() {
    let toolkit = toolkit();
    let sb = Sandbox::new();
    sb.run([
        "add",
        "-g",
        &toolkit.url(),
        "--name",
        "tools",
        "--command",
        "review",
    ])
    .success();
    std::fs::write(sb.home().join(".claude/commands/review.md"), "mine\n").unwrap();
    sb.run(["verify", "-g"])
        .failure(1)
        .stdout_has("  = hint: restore the file with `agentpack -g install --force`\n");
    sb.run(["install", "-g"])
        .success()
        .stderr_has("  = hint: undo the edit with `agentpack -g install --force` (copy it elsewhere first to keep it)\n");
    sb.run(["remove", "-g", "nope"])
        .failure(2)
        .stderr_has("hint: sources: tools; `agentpack -g list` shows the installed agents\n");
}

#[test]
fn adding_a_skill_to_a_source_of_every_agent_keeps_its_agents() {
    let toolkit = toolkit();
    let sb = project(&Manifest::new().source(Source::git("tools", toolkit.url())));
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["reviewer.md"]);
    let before = sb.read("agentpack.toml");
    sb.run(["add", &toolkit.url(), "--name", "tools", "--skill", "pdf"])
        .success()
        .stderr_lacks("Removed");
    assert_eq!(
        sb.read("agentpack.toml"),
        format!("{before}agents = [\"*\"]\nskills = [\"pdf\"]\n")
    );
    assert_eq!(installed(&sb), ["reviewer.md"]);
    assert!(sb.exists(".claude/skills/pdf/SKILL.md"));
}

#[test]
fn a_marketplace_added_without_keys_is_pointed_at_plugins_too() {
    let repo = GitRepo::new("market");
    repo.file(
        ".claude-plugin/marketplace.json",
        r#"{"name": "m", "owner": {"name": "o"}, "plugins": [{"name": "kit", "source": "./plugins/kit", "strict": false}]}"#,
    )
    .file("plugins/kit/skills/pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"))
    .commit("market");
    let sb = project(&Manifest::new());
    sb.run(["add", &repo.url(), "--name", "market"])
        .success()
        .stderr_has("; for a plugin marketplace, `plugins = [\"*\"]` or `--plugin NAME`\n");
    sb.run(["add", &repo.url(), "--name", "market", "--plugin", "kit"])
        .success()
        .stderr_lacks("no-agents");
    assert!(sb.exists(".claude/skills/pdf/SKILL.md"));
}
