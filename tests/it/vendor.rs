//! `agentpack vendor` and installs from a vendor directory: no network, no cache, checksums enforced.

use crate::support::*;

/// The studio collection plus a pack manifest (with no sources of its own) at the root, installed with a
/// rename and one exclude.
fn vendored_project() -> (GitRepo, Sandbox, String) {
    let repo = studio();
    repo.file("agentpack.toml", "[sources]\n");
    repo.commit("a pack manifest");
    repo.move_tag("v1.0.0", "HEAD");
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .source(
            Source::git("studio", repo.url())
                .tag("v1.0.0")
                .exclude(["rapid-prototyper"])
                .rename([("ui-designer", "studio-ui")]),
        )
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    (repo, sb, manifest)
}

#[test]
fn vendor_copies_exactly_the_installed_files_and_prints_the_snippet() {
    let (repo, sb, _) = vendored_project();
    sb.run(["vendor"])
        .success()
        .stdout_is("[install]\nvendor = \"agentpack-vendor\"\n")
        .stderr_has("vendored 3 files of 1 source into");
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
    let (repo, sb, manifest) = vendored_project();
    sb.run(["vendor"]).success();
    sb.write(
        "agentpack.toml",
        format!("[install]\nvendor = \"agentpack-vendor\"\n\n{manifest}"),
    );
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
    .stderr_has("2 installed");
    assert_tree_eq(&installed, &sb.snapshot(".claude/agents"));
    assert_eq!(sb.read("agentpack.lock"), lock);
    assert_eq!(std::fs::read_dir(&empty_cache).unwrap().count(), 0);
    assert!(!sb.cache().exists());
    Outcome::of(sb.cmd(["verify"])).success();
    std::fs::rename(&moved, repo.path()).unwrap();
}

#[test]
fn a_tampered_vendored_file_is_an_error_naming_it() {
    let (_repo, sb, manifest) = vendored_project();
    sb.run(["vendor"]).success();
    sb.write(
        "agentpack.toml",
        format!("[install]\nvendor = \"agentpack-vendor\"\n\n{manifest}"),
    );
    sb.write(
        "agentpack-vendor/studio/engineering/backend-architect.md",
        agent("backend-architect", "Now also exfiltrates secrets"),
    );
    sb.remove(".claude");
    let before = sb.snapshot(".");
    sb.run(["install", "--frozen"])
        .failure(2)
        .stderr_has("error[vendor-checksum]: vendored file `")
        .stderr_has(
            "agentpack-vendor/studio/engineering/backend-architect.md` does not match its checksum",
        );
    assert_tree_eq(&before, &sb.snapshot("."));
    sb.run(["verify"])
        .failure(1)
        .stdout_has("error[vendor-checksum]")
        .stdout_has("--> agentpack-vendor/studio/engineering/backend-architect.md");

    // An added file is refused as well.
    sb.run(["vendor"]).success();
    sb.write(
        "agentpack-vendor/studio/design/extra.md",
        agent("extra", "x"),
    );
    sb.run(["install"])
        .failure(2)
        .stderr_has("agentpack-vendor/studio/design/extra.md` is in the vendor directory but not in `.agentpack-checksum.json`");
}

#[test]
fn a_stale_vendor_dir_or_lock_is_refused_with_the_way_out() {
    let (repo, sb, manifest) = vendored_project();
    sb.run(["vendor"]).success();
    let with_vendor = format!("[install]\nvendor = \"agentpack-vendor\"\n\n{manifest}");
    sb.write("agentpack.toml", &with_vendor);

    // A new ref: the vendor dir cannot serve it, and install says how to refresh.
    repo.file(
        "design/ui-designer.md",
        agent("ui-designer", "Designs UIs, v2"),
    );
    repo.commit("v2");
    repo.tag("v2.0.0");
    sb.write("agentpack.toml", with_vendor.replace("v1.0.0", "v2.0.0"));
    sb.run(["install"])
        .failure(2)
        .stderr_has("source `studio` has no matching entry in agentpack.lock")
        .stderr_has("agentpack install --no-vendor");
    // vendor refuses a stale lock rather than writing one.
    sb.run(["vendor"])
        .failure(1)
        .stderr_has("`agentpack.lock` is out of date for source `studio`");
    sb.run(["install", "--no-vendor"]).success();
    sb.run(["vendor"])
        .success()
        .stdout_is("")
        .stderr_has("agentpack.toml already installs from this directory");
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
        .stderr_has("holds `notes.txt`, which agentpack did not vendor");
    assert_eq!(sb.read("third-party/notes.txt"), "mine");
    sb.run(["vendor", "vendored/agents"])
        .success()
        .stdout_is("[install]\nvendor = \"vendored/agents\"\n");
    assert!(sb.exists("vendored/agents/studio/.agentpack-checksum.json"));

    // Inside a vendored source, a file its checksums do not list is the user's too...
    sb.write("vendored/agents/studio/NOTES.txt", "mine");
    sb.run(["vendor", "vendored/agents"])
        .failure(2)
        .stderr_has("holds `studio/NOTES.txt`, which agentpack did not vendor");
    assert_eq!(sb.read("vendored/agents/studio/NOTES.txt"), "mine");
    sb.remove("vendored/agents/studio/NOTES.txt");
    // ...and so is a directory that only pretends to be vendored.
    sb.write("vendored/agents/other/.agentpack-checksum.json", "x");
    sb.write("vendored/agents/other/precious.txt", "keep");
    sb.run(["vendor", "vendored/agents"])
        .failure(2)
        .stderr_has("holds `other`, which agentpack did not vendor");
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
    let manifest = Manifest::new()
        .source(
            Source::git("studio", repo.url())
                .tag("v1.0.0")
                .agents(["ui-designer"]),
        )
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    assert!(sb.exists(".claude/agents/dep-helper.md"));
    sb.run(["vendor"]).success();
    assert_eq!(
        sb.read("agentpack-vendor/studio+deps/helpers/dep-helper.md"),
        agent("dep-helper", "Helps")
    );
    assert!(sb.exists("agentpack-vendor/studio/agentpack.toml"));

    sb.write(
        "agentpack.toml",
        format!("[install]\nvendor = \"agentpack-vendor\"\n\n{manifest}"),
    );
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
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .install(Install::new().vendor("third_party/agents"))
        .source(Source::git("studio", repo.url()).version("^2"))
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install", "--no-vendor"]).success();
    // No DIR: the directory `[install] vendor` names, where installs will read it.
    sb.run(["vendor"])
        .success()
        .stdout_is("")
        .stderr_has("into ")
        .stderr_has("third_party/agents\n")
        .stderr_has("agentpack.toml already installs from this directory");
    assert!(sb.exists("third_party/agents/studio/.agentpack-checksum.json"));
    assert!(!sb.exists("agentpack-vendor"));
    let lock = sb.read("agentpack.lock");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    std::fs::rename(repo.path(), repo.path().with_extension("moved")).unwrap();
    for flag in ["--frozen", "--locked", "--offline"] {
        sb.remove(".claude");
        sb.run(["install", flag])
            .success()
            .stderr_has("3 installed");
        assert_eq!(
            sb.read(".claude/agents/ui-designer.md"),
            agent("ui-designer", "Designs UIs, v2")
        );
        assert_eq!(sb.read("agentpack.lock"), lock);
    }
    sb.run(["verify"]).success();
    std::fs::rename(repo.path().with_extension("moved"), repo.path()).unwrap();
}
