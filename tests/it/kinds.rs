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
