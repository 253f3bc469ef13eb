//! Collections side by side: a source-level `prefix`, and `[install] on-collision = "first"`.

use crate::support::*;

/// A collection with its own versions of two common agents, plus one of its own.
fn collection(name: &str, own: &str) -> GitRepo {
    let repo = GitRepo::new(name);
    repo.file(
        "engineering/backend-architect.md",
        agent(
            "backend-architect",
            &format!("Designs backends, {name} style"),
        ),
    )
    .file(
        "design/ui-designer.md",
        agent("ui-designer", &format!("Designs UIs, {name} style")),
    )
    .file(
        &format!("{own}.md"),
        agent(own, &format!("{own} of {name}")),
    );
    repo.commit("collection");
    repo
}

#[test]
fn a_source_prefix_renames_every_agent_it_brings() {
    let studio = collection("studio", "tester");
    let volt = collection("volt", "deployer");
    let sb = project(
        &Manifest::new()
            .source(Source::git("studio", studio.url()))
            .source(
                Source::git("volt", volt.url())
                    .prefix("volt-")
                    .rename([("deployer", "ship-it")]),
            ),
    );
    sb.run(["install"]).success();
    let files: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    assert_eq!(
        files,
        [
            "backend-architect.md",
            "ship-it.md",
            "tester.md",
            "ui-designer.md",
            "volt-backend-architect.md",
            "volt-ui-designer.md",
        ]
    );
    // Only the `name:` line changes, as with `rename`; an explicit `rename` wins over the prefix.
    assert_eq!(
        sb.read(".claude/agents/volt-ui-designer.md"),
        agent("ui-designer", "Designs UIs, volt style")
            .replace("name: ui-designer", "name: volt-ui-designer")
    );
    assert_eq!(
        sb.read(".claude/agents/ship-it.md"),
        agent("deployer", "deployer of volt").replace("name: deployer", "name: ship-it")
    );
    let lock = sb.read("agentpack.lock");
    assert!(
        lock.contains(
            "name = \"volt-ui-designer\"\noriginal-name = \"ui-designer\"\nsource = \"volt\"\n"
        ),
        "{lock}"
    );
    sb.run(["verify"]).success();

    // Changing the prefix is a change verify sees until the next install.
    let manifest = sb.read("agentpack.toml");
    sb.write("agentpack.toml", manifest.replace("volt-", "v-"));
    sb.run(["verify"]).failure(1).stdout_snapshot();
    sb.write("agentpack.toml", manifest.replace("volt-", "Volt:"));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn on_collision_first_lets_the_source_listed_first_win() {
    let zeta = collection("zeta", "tester");
    let alpha = collection("alpha", "deployer");
    let sb = Sandbox::new();
    // `zeta` is listed first, though `alpha` sorts first: the file's order decides.
    let (zeta, alpha) = (
        Source::git("zeta", zeta.url()),
        Source::git("alpha", alpha.url()),
    );
    let both = |install: Manifest| install.source(zeta.clone()).source(alpha.clone());
    let on_collision = |rule| Manifest::new().install(Install::new().on_collision(rule));
    sb.manifest(&both(Manifest::new()));
    sb.run(["install"]).failure(1).stderr_snapshot();

    sb.manifest(&both(on_collision("first")));
    let out = sb.run(["install"]).success();
    let summary: Vec<&str> = out
        .stderr()
        .lines()
        .filter(|l| l.contains("skipped"))
        .collect();
    assert_eq!(
        summary,
        [
            "warning[name-collision]: skipped 2 agents whose names an earlier source in agentpack.toml installs (`on-collision = \"first\"`): backend-architect (alpha, kept from zeta), ui-designer (alpha, kept from zeta)"
        ]
    );
    assert_eq!(
        sb.read(".claude/agents/backend-architect.md"),
        agent("backend-architect", "Designs backends, zeta style")
    );
    assert_eq!(
        sb.read(".claude/agents/deployer.md"),
        agent("deployer", "deployer of alpha")
    );
    let lock = sb.read("agentpack.lock");
    assert!(
        lock.contains("[[skipped]]\nname = \"backend-architect\"\nsource = \"alpha\"\npath = \"engineering/backend-architect.md\"\ninstalled-from = \"zeta\"\n"),
        "{lock}"
    );
    sb.run(["verify"]).success();
    sb.run(["install", "--locked"]).success();

    // An `agents` entry naming a skipped agent is still satisfied.
    sb.manifest(
        &on_collision("first")
            .source(zeta.clone())
            .source(alpha.clone().agents(["ui-designer", "deployer"])),
    );
    sb.run(["install"]).success();
    sb.run(["verify"]).success();

    sb.manifest(&both(on_collision("last")));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn a_skipped_agent_is_not_checked_as_if_installed() {
    let studio = collection("studio", "tester");
    let volt = collection("volt", "deployer");
    // Only volt's copy, which `on-collision = "first"` skips, has a warning.
    volt.file(
        "design/ui-designer.md",
        "---\nname: ui-designer\ndescription: Volt UIs\ncolor: teal\n---\n",
    );
    volt.commit("teal");
    let sb = project(
        &Manifest::new()
            .install(Install::new().on_collision("first"))
            .source(Source::git("studio", studio.url()))
            .source(Source::git("volt", volt.url()).agents(["ui-designer", "deployer"])),
    );
    // Not summed up, not counted, and not an error under --strict: `verify` does not see it either.
    let out = sb.run(["install", "--strict"]).success();
    let lines: Vec<&str> = out
        .stderr()
        .lines()
        .filter(|l| !l.starts_with("    Fetching") && !l.starts_with("   Installed"))
        .collect();
    assert_eq!(
        lines,
        [
            "warning[name-collision]: skipped 1 agent whose names an earlier source in agentpack.toml installs (`on-collision = \"first\"`): ui-designer (volt, kept from studio)",
            "    Finished 4 installed, 1 warning",
        ]
    );
    sb.run(["verify", "--strict"]).success();
    sb.run(["-v", "install", "--force"])
        .success()
        .stderr_snapshot()
        .stderr_lacks("color-invalid");
    // The same skips as the lock records are not repeated (`--force` makes this a full install).
    sb.run(["install", "--force"])
        .success()
        .stderr_is("    Finished 0 installed, 4 unchanged\n");
}

#[test]
fn removing_an_agent_another_source_also_has_removes_the_name() {
    let studio = collection("studio", "tester");
    let volt = collection("volt", "deployer");
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .install(Install::new().on_collision("first"))
        .source(Source::git("studio", studio.url()))
        .source(Source::git("volt", volt.url()).subdir("design"))
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    // volt's ui-designer was skipped; removing the installed one must not put volt's in its place.
    sb.run(["remove", "ui-designer"]).success().stderr_is(
        "     Removed .claude/agents/ui-designer.md\n\
         Added `ui-designer` to the `exclude` of [sources.studio]\n\
         Added `ui-designer.md` to the `exclude` of [sources.volt]\n\
         \x20   Finished 0 installed, 1 removed, 2 unchanged\n",
    );
    assert!(!sb.exists(".claude/agents/ui-designer.md"));
    assert_eq!(
        sb.read("agentpack.toml"),
        manifest
            .replace(
                "\n\n[sources.volt]",
                "\nexclude = [\"ui-designer\"]\n\n[sources.volt]"
            )
            .replace(
                "subdir = \"design\"\n",
                "subdir = \"design\"\nexclude = [\"ui-designer.md\"]\n"
            )
    );
    assert!(!sb.read("agentpack.lock").contains("[[skipped]]"));
    sb.run(["verify"]).success();
}
