//! `agentpack vendor` and installs from a vendor directory: no network, no cache, checksums enforced.

use crate::support::*;

/// The studio collection plus a pack manifest (with no sources of its own) at the root, installed with a
/// rename and one exclude.
fn vendored_project() -> (GitRepo, Sandbox, Source) {
    let repo = studio();
    repo.file("agentpack.toml", "[sources]\n");
    repo.commit("a pack manifest");
    repo.move_tag("v1.0.0", "HEAD");
    let sb = project(&Manifest::new().source(studio_at(&repo, "v1.0.0")));
    sb.run(["install"]).success();
    let studio = studio_at(&repo, "v1.0.0");
    (repo, sb, studio)
}

/// The source [`vendored_project`] installs, at `tag`.
fn studio_at(repo: &GitRepo, tag: &str) -> Source {
    Source::git("studio", repo.url())
        .tag(tag)
        .exclude(["rapid-prototyper"])
        .rename([("ui-designer", "studio-ui")])
}

/// A manifest installing `source` from `agentpack-vendor/`.
fn from_vendor(source: Source) -> Manifest {
    Manifest::new()
        .install(Install::new().vendor("agentpack-vendor"))
        .source(source)
}

#[test]
fn vendor_copies_exactly_the_installed_files_and_prints_the_snippet() {
    let (repo, sb, _) = vendored_project();
    sb.run(["vendor"])
        .success()
        .stdout_is("[install]\nvendor = \"agentpack-vendor\"\n")
        .stderr_snapshot();
    let files: Vec<String> = sb.snapshot("agentpack-vendor").into_keys().collect();
    assert_eq!(
        files,
        [
            "studio/.agentpack-checksum.json",
            "studio/agentpack.toml",
            "studio/design/ui-designer.md",
            "studio/engineering/backend-architect.md",
        ]
    );
    // The source's bytes, not the renamed installed file.
    assert_eq!(
        sb.read("agentpack-vendor/studio/design/ui-designer.md"),
        agent("ui-designer", "Designs UIs")
    );
    let checksums: serde_json::Value =
        serde_json::from_str(&sb.read("agentpack-vendor/studio/.agentpack-checksum.json")).unwrap();
    assert_eq!(checksums["commit"], repo.rev_parse("v1.0.0").as_str());
    assert_eq!(checksums["source"], "studio");
    assert_eq!(checksums["files"].as_object().unwrap().len(), 3);
}

#[test]
fn frozen_install_from_the_vendor_dir_needs_no_cache_and_no_network() {
    let (repo, sb, studio) = vendored_project();
    sb.run(["vendor"]).success();
    sb.manifest(&from_vendor(studio));
    let installed = sb.snapshot(".claude/agents");
    let lock = sb.read("agentpack.lock");

    // A clean checkout on a machine with no cache and no way to reach the remote.
    sb.remove(".claude");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    let moved = repo.path().with_file_name("studio-gone");
    std::fs::rename(repo.path(), &moved).unwrap();
    let empty_cache = sb.root().join("empty-cache");
    std::fs::create_dir(&empty_cache).unwrap();

    Outcome::of(
        sb.cmd(["install", "--frozen"])
            .env("AGENTPACK_CACHE_DIR", &empty_cache),
    )
    .success()
    .stderr_snapshot();
    assert_tree_eq(&installed, &sb.snapshot(".claude/agents"));
    assert_eq!(sb.read("agentpack.lock"), lock);
    assert_eq!(std::fs::read_dir(&empty_cache).unwrap().count(), 0);
    assert!(!sb.cache().exists());
    Outcome::of(sb.cmd(["verify"])).success();
    std::fs::rename(&moved, repo.path()).unwrap();
}

#[test]
fn a_tampered_vendored_file_is_an_error_naming_it() {
    let (_repo, sb, studio) = vendored_project();
    sb.run(["vendor"]).success();
    sb.manifest(&from_vendor(studio));
    sb.write(
        "agentpack-vendor/studio/engineering/backend-architect.md",
        agent("backend-architect", "Now also exfiltrates secrets"),
    );
    sb.remove(".claude");
    let before = sb.snapshot(".");
    sb.run(["install", "--frozen"]).failure(2).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
    sb.run(["verify"]).failure(1).stdout_snapshot();

    // An added file is refused as well.
    sb.run(["vendor"]).success();
    sb.write(
        "agentpack-vendor/studio/design/extra.md",
        agent("extra", "x"),
    );
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn a_stale_vendor_dir_or_lock_is_refused_with_the_way_out() {
    let (repo, sb, studio) = vendored_project();
    sb.run(["vendor"]).success();
    sb.manifest(&from_vendor(studio));

    // A new ref: the vendor dir cannot serve it, and install says how to refresh.
    repo.file(
        "design/ui-designer.md",
        agent("ui-designer", "Designs UIs, v2"),
    );
    repo.commit("v2");
    repo.tag("v2.0.0");
    sb.manifest(&from_vendor(studio_at(&repo, "v2.0.0")));
    sb.run(["install"]).failure(2).stderr_snapshot();
    // vendor refuses a stale lock rather than writing one.
    sb.run(["vendor"]).failure(1).stderr_snapshot();
    sb.run(["install", "--no-vendor"]).success();
    sb.run(["vendor"]).success().stdout_is("").stderr_snapshot();
    assert_eq!(
        sb.read("agentpack-vendor/studio/design/ui-designer.md"),
        agent("ui-designer", "Designs UIs, v2")
    );
    sb.run(["install", "--frozen"]).success();
    sb.run(["verify"]).success();
}

#[test]
fn vendor_never_replaces_a_directory_it_did_not_write() {
    let (_repo, sb, _) = vendored_project();
    sb.write("third-party/notes.txt", "mine");
    sb.run(["vendor", "third-party"])
        .failure(2)
        .stderr_snapshot();
    assert_eq!(sb.read("third-party/notes.txt"), "mine");
    sb.run(["vendor", "vendored/agents"])
        .success()
        .stdout_is("[install]\nvendor = \"vendored/agents\"\n");
    assert!(sb.exists("vendored/agents/studio/.agentpack-checksum.json"));

    // Inside a vendored source, a file its checksums do not list is the user's too...
    sb.write("vendored/agents/studio/NOTES.txt", "mine");
    sb.run(["vendor", "vendored/agents"])
        .failure(2)
        .stderr_snapshot();
    assert_eq!(sb.read("vendored/agents/studio/NOTES.txt"), "mine");
    sb.remove("vendored/agents/studio/NOTES.txt");
    // ...and so is a directory that only pretends to be vendored.
    sb.write("vendored/agents/other/.agentpack-checksum.json", "x");
    sb.write("vendored/agents/other/precious.txt", "keep");
    sb.run(["vendor", "vendored/agents"])
        .failure(2)
        .stderr_snapshot();
    assert_eq!(sb.read("vendored/agents/other/precious.txt"), "keep");
}

#[test]
fn a_pack_and_the_sources_it_pulls_in_are_vendored_and_installed_offline() {
    let deps = GitRepo::new("deps");
    deps.file("helpers/dep-helper.md", agent("dep-helper", "Helps"));
    deps.commit("helper");
    deps.tag("v2.0.0");
    let served = ServedRepos::start();
    let deps_url = served.publish(&deps, "deps");
    let repo = studio();
    repo.file(
        "agentpack.toml",
        Manifest::new()
            .source(Source::git("deps", &deps_url).tag("v2.0.0"))
            .render(),
    );
    repo.commit("a pack with a source");
    repo.move_tag("v1.0.0", "HEAD");
    let sb = Sandbox::new();
    let studio = Source::git("studio", repo.url())
        .tag("v1.0.0")
        .agents(["ui-designer"]);
    sb.manifest(&Manifest::new().source(studio.clone()));
    sb.run(["install"]).success();
    assert!(sb.exists(".claude/agents/dep-helper.md"));
    sb.run(["vendor"]).success();
    assert_eq!(
        sb.read("agentpack-vendor/studio+deps/helpers/dep-helper.md"),
        agent("dep-helper", "Helps")
    );
    assert!(sb.exists("agentpack-vendor/studio/agentpack.toml"));

    sb.manifest(&from_vendor(studio));
    let lock = sb.read("agentpack.lock");
    sb.remove(".claude");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    // Both remotes unreachable: only the vendor directory can serve the install.
    for remote in [repo.path(), &served.bare("deps")] {
        std::fs::rename(remote, remote.with_extension("moved")).unwrap();
    }
    sb.run(["install", "--frozen"]).success();
    assert_eq!(
        sb.read(".claude/agents/dep-helper.md"),
        agent("dep-helper", "Helps")
    );
    assert_eq!(sb.read("agentpack.lock"), lock);
    assert!(!sb.cache().exists());
    for moved in [repo.path(), &served.bare("deps")] {
        std::fs::rename(moved.with_extension("moved"), moved).unwrap();
    }
}

#[test]
fn a_version_source_installs_from_the_vendor_dir_frozen_locked_and_offline() {
    let repo = studio();
    repo.file(
        "design/ui-designer.md",
        agent("ui-designer", "Designs UIs, v2"),
    );
    repo.commit("v2");
    repo.tag("v2.1.0");
    let sb = project(
        &Manifest::new()
            .install(Install::new().vendor("third_party/agents"))
            .source(Source::git("studio", repo.url()).version("^2")),
    );
    sb.run(["install", "--no-vendor"]).success();
    // No DIR: the directory `[install] vendor` names, where installs will read it.
    sb.run(["vendor"]).success().stdout_is("").stderr_snapshot();
    assert!(sb.exists("third_party/agents/studio/.agentpack-checksum.json"));
    assert!(!sb.exists("agentpack-vendor"));
    let lock = sb.read("agentpack.lock");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    std::fs::rename(repo.path(), repo.path().with_extension("moved")).unwrap();
    for flag in ["--frozen", "--locked", "--offline"] {
        sb.remove(".claude");
        sb.run(["install", flag]).success().stderr_snapshot();
        assert_eq!(
            sb.read(".claude/agents/ui-designer.md"),
            agent("ui-designer", "Designs UIs, v2")
        );
        assert_eq!(sb.read("agentpack.lock"), lock);
    }
    sb.run(["verify"]).success();
    std::fs::rename(repo.path().with_extension("moved"), repo.path()).unwrap();
}
