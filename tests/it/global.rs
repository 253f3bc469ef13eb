//! `--global`: the user's agents in `~/.claude/agents`, manifest and lock in the user's config directory
//! (HOME and XDG_CONFIG_HOME point into the sandbox).

use crate::support::*;

#[test]
fn global_scope_installs_into_the_home_directory() {
    let repo = studio();
    let sb = Sandbox::new();
    let config = sb.config().join("agentpack");
    let agents = sb.home().join(".claude/agents");

    sb.run(["install", "--global"]).failure(2).stderr_snapshot();

    sb.run(["init", "-g"]).success().stderr_snapshot();
    let manifest = config.join("agentpack.toml");
    let template = std::fs::read_to_string(&manifest).unwrap();
    assert!(!template.contains("\ntarget = "), "{template}");
    std::fs::write(
        &manifest,
        format!(
            "{template}\n[sources.studio]\ngit = \"{}\"\ntag = \"v1.0.0\"\nagents = [\"ui-designer\"]\n",
            repo.url()
        ),
    )
    .unwrap();

    // From a project directory that has its own (unrelated) manifest: -g ignores it.
    sb.manifest(&Manifest::new().source(Source::path("other", "nowhere")));
    sb.run(["install", "-g"]).success().stderr_snapshot();
    assert_eq!(
        std::fs::read_dir(&agents).unwrap().count(),
        1,
        "only the selected agent"
    );
    assert!(agents.join("ui-designer.md").is_file());
    let lock = std::fs::read_to_string(config.join("agentpack.lock")).unwrap();
    assert!(
        lock.contains("file = \"../../home/.claude/agents/ui-designer.md\""),
        "{lock}"
    );
    assert!(!sb.exists(".claude") && !sb.exists("agentpack.lock"));

    let list = sb
        .run(["list", "--global", "--json"])
        .success()
        .stdout_json();
    assert_eq!(list[0]["name"], "ui-designer");
    assert_eq!(list[0]["status"], "ok");
    sb.run(["verify", "-g"]).success();
    std::fs::write(agents.join("ui-designer.md"), "edited").unwrap();
    sb.run(["verify", "-g"]).failure(1).stdout_snapshot();
    // Nothing needs to change the edited file: it stays, reported.
    sb.run(["install", "-g"]).success().stderr_snapshot();
    assert_eq!(
        std::fs::read_to_string(agents.join("ui-designer.md")).unwrap(),
        "edited"
    );

    sb.run(["install", "-g", "--manifest-path", "agentpack.toml"])
        .failure(2)
        .stderr_snapshot();
}
