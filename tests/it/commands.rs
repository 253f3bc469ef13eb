//! `init`, `list`, `lint`, manifest discovery and errors, and the global flags.

use crate::support::*;

#[test]
fn init_writes_a_commented_manifest_once() {
    let sb = Sandbox::new();
    sb.run(["init"]).success().stderr_snapshot();
    let text = sb.read("agentpack.toml");
    assert!(text.contains("# [sources.studio]"), "{text}");
    assert!(text.contains("target = \".claude/agents\""));
    // The written manifest is valid and installs nothing yet.
    sb.run(["install"]).success().stderr_snapshot();
    sb.run(["init"]).failure(2).stderr_snapshot();
}

#[test]
fn finds_the_manifest_in_a_parent_or_by_path() {
    let repo = studio();
    let sb =
        project(&Manifest::new().source(Source::git("studio", repo.url()).agents(["ui-designer"])));
    sb.mkdir("deep/er");
    let mut cmd = sb.cmd(["install"]);
    cmd.current_dir(sb.path("deep/er"));
    Outcome::of(cmd).success();
    assert!(sb.exists(".claude/agents/ui-designer.md"));

    let other = Sandbox::new();
    other.run(["list"]).failure(2).stderr_snapshot();
    let manifest = sb.path("agentpack.toml");
    other
        .run(["--manifest-path", manifest.to_str().unwrap(), "list"])
        .success()
        .stdout_snapshot();
}

#[test]
fn manifest_errors_point_at_line_and_column() {
    let sb = Sandbox::new();
    sb.write(
        "agentpack.toml",
        "[sources.studio]\ngit = \"https://example.com/a.git\"\nbranch = \"main\"\ntag = \"v1\"\ncolour = \"red\"\n",
    );
    sb.run(["install"]).failure(2).stderr_snapshot();
    sb.write(
        "agentpack.toml",
        "[sources.studio]\ngit = \"https://example.com/a.git\"\nbranch = \"main\"\ntag = \"v1\"\n",
    );
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn list_shows_each_agent_and_its_state() {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success();
    sb.write(".claude/agents/ui-designer.md", "edited\n");
    sb.remove(".claude/agents/rapid-prototyper.md");
    let short = &repo.head()[..7];
    sb.run(["list"]).success().stdout_is(&format!(
        "NAME               SOURCE  REF         COMMIT   STATUS\n\
         backend-architect  studio  tag v1.0.0  {short}  ok\n\
         rapid-prototyper   studio  tag v1.0.0  {short}  missing\n\
         ui-designer        studio  tag v1.0.0  {short}  modified\n"
    ));
    let json = sb.run(["list", "--json"]).success().stdout_json();
    assert_eq!(json[2]["name"], "ui-designer");
    assert_eq!(json[2]["status"], "modified");
    assert_eq!(json[2]["source"], "studio");
    assert_eq!(
        json[2]["ref"],
        serde_json::json!({"kind": "tag", "requirement": "v1.0.0", "resolved": "v1.0.0"})
    );
    assert_eq!(json[2]["commit"], repo.head());
    assert_eq!(json[2]["file"], ".claude/agents/ui-designer.md");
}

#[test]
fn list_trusts_only_unchanged_time_stamps() {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success();
    // Files older than the install's clock tick get their time stamps recorded by the next no-op install.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for name in ["backend-architect", "rapid-prototyper", "ui-designer"] {
        std::fs::File::options()
            .write(true)
            .open(sb.path(&format!(".claude/agents/{name}.md")))
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    sb.run(["install"]).success().stderr_snapshot();
    // Same size, new time stamp: read, and seen.
    let original = sb.read(".claude/agents/ui-designer.md");
    sb.write(
        ".claude/agents/ui-designer.md",
        original.replace("Designs UIs", "Designs APIs"),
    );
    sb.remove(".claude/agents/rapid-prototyper.md");
    let short = &repo.head()[..7];
    sb.run(["list"]).success().stdout_is(&format!(
        "NAME               SOURCE  REF         COMMIT   STATUS\n\
         backend-architect  studio  tag v1.0.0  {short}  ok\n\
         rapid-prototyper   studio  tag v1.0.0  {short}  missing\n\
         ui-designer        studio  tag v1.0.0  {short}  modified\n"
    ));
}

#[test]
fn lint_checks_files_and_directories() {
    let sb = Sandbox::new();
    sb.write("agents/good.md", agent("good", "fine"));
    sb.write("agents/README.md", "# docs\n");
    sb.write(
        "agents/colored.md",
        "---\nname: colored\ndescription: x\ncolor: magenta\n---\n",
    );
    sb.run(["lint", "agents"])
        .success()
        .stdout_snapshot()
        .stderr_snapshot();
    sb.run(["lint", "--strict", "agents"])
        .failure(1)
        .stdout_snapshot();
    sb.run(["lint", "agents/README.md"])
        .failure(1)
        .stdout_snapshot();
    sb.write("agents/dup.md", agent("good", "same name"));
    sb.run(["lint", "agents"]).success().stdout_snapshot();
    sb.run(["lint", "missing.md"]).failure(2).stderr_snapshot();
}

#[test]
fn lint_reports_every_fixture_problem() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/agents/edge");
    let sb = Sandbox::new();
    let out = sb.run(["lint", fixtures.to_str().unwrap()]).failure(1);
    for code in [
        "frontmatter-unterminated",
        "frontmatter-invalid",
        "description-missing",
        "invalid-utf8",
        "color-invalid",
        "model-invalid",
        "unknown-field",
        "mojibake",
        "tools-empty",
        "unknown-tool",
        "name-convention",
    ] {
        assert!(
            out.stdout().contains(&format!("[{code}]")),
            "missing {code}:\n{out}"
        );
    }
}

#[test]
fn quiet_hides_status_and_warnings_but_not_errors() {
    let repo = studio();
    repo.file(
        "design/loud.md",
        "---\nname: loud\ndescription: x\ncolor: teal\n---\n",
    );
    repo.commit("loud");
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url())));
    sb.run(["install", "-q"]).success().stderr_is("");
    sb.remove("agentpack.lock");
    sb.remove(".claude");
    sb.run(["install", "--strict", "--quiet"])
        .failure(1)
        .stderr_snapshot();
    sb.run(["install", "--color", "always", "-v"])
        .success()
        .stderr_snapshot();
}

#[test]
fn strict_in_the_manifest_turns_warnings_into_errors() {
    let repo = studio();
    repo.file(
        "design/loud.md",
        "---\nname: loud\ndescription: x\nmodel: gpt-4\n---\n",
    );
    repo.commit("loud");
    let sb = project(
        &Manifest::new()
            .install(Install::new().strict(true))
            .source(Source::git("studio", repo.url())),
    );
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!sb.exists(".claude"));
}
