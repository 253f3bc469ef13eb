//! `agentpack install` end to end: every ref kind, selection, renames, collisions, the lockfile, the
//! protections of the user's files, `--locked` and `--offline`, over file://, git:// and smart HTTP.

use crate::support::*;

#[test]
fn installs_from_a_tag_and_writes_the_lock() {
    let repo = studio();
    let v1 = repo.head();
    repo.file(
        "engineering/backend-architect.md",
        agent("backend-architect", "Designs backends, v2"),
    );
    repo.commit("second");
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(
        installed(&sb),
        [
            "backend-architect.md",
            "rapid-prototyper.md",
            "ui-designer.md"
        ]
    );
    assert_eq!(
        sb.read(".claude/agents/backend-architect.md"),
        agent("backend-architect", "Designs backends")
    );
    let lock = lock(&sb);
    let source = &lock["source"][0];
    assert_eq!(source["name"].as_str(), Some("studio"));
    assert_eq!(source["ref-kind"].as_str(), Some("tag"));
    assert_eq!(source["ref"].as_str(), Some("v1.0.0"));
    assert_eq!(source["commit"].as_str(), Some(v1.as_str()));
    assert_eq!(source["tag"].as_str(), Some("v1.0.0"));
    let agent0 = &lock["agent"][0];
    assert_eq!(agent0["name"].as_str(), Some("backend-architect"));
    assert_eq!(
        agent0["path"].as_str(),
        Some("engineering/backend-architect.md")
    );
    assert_eq!(
        agent0["file"].as_str(),
        Some(".claude/agents/backend-architect.md")
    );
    assert_eq!(
        agent0["sha256"].as_str().unwrap(),
        sha256(sb.read_bytes(".claude/agents/backend-architect.md"))
    );
    assert_eq!(lock["version"].as_integer(), Some(1));
}

#[test]
fn installs_from_a_branch_a_rev_and_the_default_branch() {
    let repo = studio();
    let first = repo.head();
    repo.branch("dev").checkout("dev");
    repo.file("engineering/dev-only.md", agent("dev-only", "Only on dev"));
    let dev = repo.commit("dev work");
    repo.checkout("main");

    let sb = Sandbox::new();
    let url = repo.url();
    sb.manifest(
        &Manifest::new()
            .source(Source::git("dev", &url).branch("dev").agents(["dev-only"]))
            .source(
                Source::git("pinned", &url)
                    .rev(&first[..8])
                    .agents(["ui-designer"]),
            )
            .source(Source::git("head", &url).agents(["rapid-prototyper"])),
    );
    sb.run(["install"]).success();
    assert_eq!(
        installed(&sb),
        ["dev-only.md", "rapid-prototyper.md", "ui-designer.md"]
    );
    let lock = lock(&sb);
    let by_name = |n: &str| {
        lock["source"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"].as_str() == Some(n))
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("dev")["commit"].as_str(), Some(dev.as_str()));
    assert_eq!(by_name("dev")["ref-kind"].as_str(), Some("branch"));
    assert_eq!(by_name("pinned")["commit"].as_str(), Some(first.as_str()));
    assert_eq!(by_name("head")["commit"].as_str(), Some(first.as_str()));
    assert_eq!(by_name("head")["ref-kind"].as_str(), Some("default-branch"));
    assert!(by_name("head").get("ref").is_none());
}

#[test]
fn a_version_requirement_picks_the_highest_matching_tag() {
    let repo = GitRepo::new("versions");
    let mut commits = std::collections::BTreeMap::new();
    for tag in [
        "v1.0.0",
        "v1.2.0",
        "1.3.0",
        "v1.4.0-beta.1",
        "v2.0.0",
        "latest",
    ] {
        repo.file("a.md", agent("a", &format!("release {tag}")));
        commits.insert(tag, repo.commit(tag));
        repo.tag(tag);
    }
    let sb = project(&Manifest::new().source(Source::git("v", repo.url()).version("^v1.1")));
    sb.run(["install"]).success();
    let lock = lock(&sb);
    assert_eq!(lock["source"][0]["tag"].as_str(), Some("1.3.0"));
    assert_eq!(
        lock["source"][0]["commit"].as_str(),
        Some(commits["1.3.0"].as_str())
    );
    assert!(sb.read(".claude/agents/a.md").contains("release 1.3.0"));

    sb.manifest(&Manifest::new().source(Source::git("v", repo.url()).version("^3")));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn subdir_and_path_sources() {
    let repo = studio();
    let local = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(local.path().join("mine/nested")).unwrap();
    std::fs::write(
        local.path().join("mine/nested/reviewer.md"),
        agent("reviewer", "Reviews code"),
    )
    .unwrap();
    std::fs::write(local.path().join("mine/notes.md"), "just notes\n").unwrap();
    let sb = project(
        &Manifest::new()
            .source(Source::git("studio", repo.url()).subdir("design"))
            .source(Source::path("mine", local.path().join("mine").display())),
    );
    sb.run(["install", "-v"]).success().stderr_snapshot();
    assert_eq!(installed(&sb), ["reviewer.md", "ui-designer.md"]);
    let lock = lock(&sb);
    let mine = &lock["source"][0];
    assert_eq!(mine["name"].as_str(), Some("mine"));
    assert!(
        mine["content-hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(mine.get("commit").is_none());
    assert_eq!(lock["source"][1]["subdir"].as_str(), Some("design"));
    assert_eq!(
        lock["agent"][1]["path"].as_str(),
        Some("design/ui-designer.md")
    );
}

#[test]
fn selects_by_name_glob_and_path_and_excludes() {
    let repo = studio();
    repo.file(
        "engineering/frontend-prototyper.md",
        agent("frontend-prototyper", "x"),
    )
    .file("engineering/joker.md", agent("joker", "jokes"));
    repo.commit("more");
    let sb = project(
        &Manifest::new().source(
            Source::git("studio", repo.url())
                .agents(["backend-architect", "*-prototyper", "design/*.md"])
                .exclude(["frontend-prototyper"]),
        ),
    );
    sb.run(["install"]).success();
    assert_eq!(
        installed(&sb),
        [
            "backend-architect.md",
            "rapid-prototyper.md",
            "ui-designer.md"
        ]
    );

    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url()).agents(["nope-*"])));
    let before = sb.snapshot(".");
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
}

#[test]
fn rename_changes_only_the_name_line() {
    let repo = studio();
    let sb = project(
        &Manifest::new().source(
            Source::git("studio", repo.url())
                .agents(["backend-architect"])
                .rename([("backend-architect", "studio-backend")]),
        ),
    );
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["studio-backend.md"]);
    let original = agent("backend-architect", "Designs backends");
    let renamed = sb.read(".claude/agents/studio-backend.md");
    assert_eq!(
        renamed,
        original.replace("name: backend-architect", "name: studio-backend")
    );
    let lock = lock(&sb);
    assert_eq!(lock["agent"][0]["name"].as_str(), Some("studio-backend"));
    assert_eq!(
        lock["agent"][0]["original-name"].as_str(),
        Some("backend-architect")
    );
}

fn seeds_repo() -> GitRepo {
    let repo = GitRepo::new("seeds");
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/agents/seed-shapes");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let entry = entry.unwrap();
        repo.file(
            &format!("agents/{}", entry.file_name().to_string_lossy()),
            std::fs::read(entry.path()).unwrap(),
        );
    }
    repo.commit("five shapes of backend-architect");
    repo
}

#[test]
fn the_five_seed_shapes_collide_until_renamed() {
    let repo = seeds_repo();
    let sb = project(&Manifest::new().source(Source::git("seeds", repo.url())));
    let out = sb.run(["install"]).failure(1).stderr_snapshot();
    // One snippet renaming all but the first, by path since they share a name within one source.
    assert!(
        out.stderr()
            .contains("[sources.seeds.rename]\n\"agents/no-tools.md\" = \"backend-architect-2\"\n"),
        "{out}"
    );
    assert!(
        !sb.exists(".claude/agents"),
        "nothing may be written: {out}"
    );
    assert!(!sb.exists("agentpack.lock"));

    let mut files: Vec<String> = std::fs::read_dir(repo.path().join("agents"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let renames: Vec<(String, String)> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (format!("agents/{f}"), format!("backend-architect-{i}")))
        .collect();
    sb.manifest(
        &Manifest::new().source(
            Source::git("seeds", repo.url()).rename(
                renames
                    .iter()
                    .map(|(from, to)| (from.as_str(), to.as_str())),
            ),
        ),
    );
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(installed(&sb).len(), 5);
    for i in 0..5 {
        let text = sb.read(&format!(".claude/agents/backend-architect-{i}.md"));
        assert!(
            text.contains(&format!("name: backend-architect-{i}")),
            "{text}"
        );
    }
}

#[test]
fn locked_fails_when_the_lock_is_missing_or_would_change() {
    let repo = studio();
    let sb =
        project(&Manifest::new().source(Source::git("studio", repo.url()).agents(["ui-designer"])));
    sb.run(["install", "--locked"]).failure(1).stderr_snapshot();
    sb.run(["install"]).success();
    sb.run(["install", "--locked"]).success();

    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url())));
    let before = sb.snapshot(".");
    sb.run(["install", "--locked"]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
}

#[test]
fn an_unchanged_manifest_keeps_the_locked_commit_even_when_the_branch_moves() {
    let repo = studio();
    let locked = repo.head();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).branch("main")));
    sb.run(["install"]).success();
    repo.file(
        "design/ui-designer.md",
        agent("ui-designer", "changed upstream"),
    );
    repo.commit("upstream change");
    sb.run(["install", "--locked"]).success();
    assert_eq!(
        lock(&sb)["source"][0]["commit"].as_str(),
        Some(locked.as_str())
    );
    assert_eq!(
        sb.read(".claude/agents/ui-designer.md"),
        agent("ui-designer", "Designs UIs")
    );
}

#[test]
fn offline_uses_the_cache_and_names_what_is_missing() {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install", "--offline"])
        .failure(2)
        .stderr_snapshot();
    assert!(!sb.exists(".claude"));

    sb.run(["install"]).success();
    // `--frozen` is `--offline` and `--locked`: the hint says what to run instead of it.
    std::fs::remove_dir_all(sb.cache()).unwrap();
    sb.run(["install", "--frozen"]).failure(2).stderr_snapshot();
    sb.run(["install", "--locked"]).success();
    // Make the remote unreachable: the cache alone must do.
    let moved = repo.path().with_extension("gone");
    std::fs::rename(repo.path(), &moved).unwrap();
    sb.remove(".claude/agents");
    sb.run(["install", "--frozen"]).success().stderr_snapshot();
    sb.remove("agentpack.lock");
    sb.remove(".claude/agents");
    sb.run(["install", "--offline"]).success();
    assert_eq!(installed(&sb).len(), 3);
    std::fs::rename(&moved, repo.path()).unwrap();
}

#[test]
fn user_edited_files_are_protected_until_forced() {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).branch("main")));
    sb.run(["install"]).success();
    sb.write(".claude/agents/ui-designer.md", "my own edits\n");
    repo.file("design/ui-designer.md", agent("ui-designer", "v2"));
    repo.commit("v2");
    // Re-resolve: change the requested ref so the lock no longer matches.
    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url())));
    let before = sb.snapshot(".");
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
    sb.run(["install", "--force"]).success().stderr_snapshot();
    assert_eq!(
        sb.read(".claude/agents/ui-designer.md"),
        agent("ui-designer", "v2")
    );
}

#[test]
fn unmanaged_files_are_protected_and_identical_ones_adopted() {
    let repo = studio();
    let sb = Sandbox::new();
    sb.write(".claude/agents/ui-designer.md", "a file I wrote myself\n");
    sb.write(
        ".claude/agents/rapid-prototyper.md",
        agent("rapid-prototyper", "Builds prototypes"),
    );
    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url())));
    let before = sb.snapshot(".");
    sb.run(["install"])
        .failure(1)
        .stderr_snapshot()
        .stderr_lacks("rapid-prototyper.md` was not installed");
    assert_tree_eq(&before, &sb.snapshot("."));
    sb.manifest(
        &Manifest::new().source(Source::git("studio", repo.url()).exclude(["ui-designer"])),
    );
    sb.run(["install"]).success();
    assert_eq!(
        sb.read(".claude/agents/ui-designer.md"),
        "a file I wrote myself\n"
    );
    assert!(sb.read("agentpack.lock").contains("rapid-prototyper"));
}

#[test]
fn an_adopted_file_is_never_deleted_nor_silently_replaced() {
    let repo = GitRepo::new("up");
    repo.file("mine.md", agent("mine", "v1"))
        .file("other.md", agent("other", "v1"));
    repo.commit("v1");
    let sb = Sandbox::new();
    // The user's own copy, byte for byte what upstream ships: agentpack adopts it, and says so in the lock.
    sb.write(".claude/agents/mine.md", agent("mine", "v1"));
    sb.manifest(&Manifest::new().source(Source::git("up", repo.url()).branch("main")));
    sb.run(["install"])
        .success()
        .stderr_snapshot()
        .stderr_lacks("Installed .claude/agents/mine.md");
    let lock = lock(&sb);
    let flags: Vec<(String, bool)> = lock["agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a.get("adopted").and_then(|v| v.as_bool()).unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [("mine".to_string(), true), ("other".to_string(), false)]
    );
    sb.run(["install", "--locked"]).success();

    // Upstream changes it: agentpack did not write the file, so it is not replaced without --force.
    repo.file("mine.md", agent("mine", "v2"));
    repo.commit("v2");
    sb.run(["update"]).failure(1).stderr_snapshot();
    assert_eq!(sb.read(".claude/agents/mine.md"), agent("mine", "v1"));

    // Upstream drops it: the update keeps the user's file and stops tracking it, even with --force.
    repo.remove("mine.md");
    repo.commit("v3");
    sb.run(["update", "--force"]).success().stderr_snapshot();
    assert_eq!(sb.read(".claude/agents/mine.md"), agent("mine", "v1"));
    assert!(!sb.read("agentpack.lock").contains("mine"));
    assert_eq!(installed(&sb), ["mine.md", "other.md"]);
}

#[test]
fn dropped_agents_are_removed_but_not_edited_or_unmanaged_ones() {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url())));
    sb.run(["install"]).success();
    sb.write(".claude/agents/mine.md", agent("mine", "user's own"));
    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url()).agents(["ui-designer"])));
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(installed(&sb), ["mine.md", "ui-designer.md"]);

    sb.write(".claude/agents/ui-designer.md", "edited\n");
    sb.write("agentpack.toml", "");
    sb.run(["install"]).failure(1).stderr_snapshot();
    sb.run(["install", "--force"]).success();
    assert_eq!(installed(&sb), ["mine.md"]);
}

#[test]
fn a_failed_install_changes_nothing() {
    let repo = studio();
    let sb = project(
        &Manifest::new().source(
            Source::git("studio", repo.url())
                .tag("v1.0.0")
                .agents(["ui-designer"]),
        ),
    );
    sb.run(["install"]).success();
    repo.file(
        "engineering/broken.md",
        "---\nname: broken\ndescription: \"unclosed quote\n---\n",
    );
    repo.commit("broken agent");
    // A new ref, so the source is resolved again and reaches the broken agent.
    sb.manifest(&Manifest::new().source(Source::git("studio", repo.url()).branch("main")));
    let before = sb.snapshot(".");
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
}

#[test]
fn the_lockfile_is_stable_across_runs() {
    let repo = studio();
    let sb = project(
        &Manifest::new()
            .source(Source::git("b", repo.url()).agents(["ui-designer"]))
            .source(Source::git("a", repo.url()).agents(["backend-architect"])),
    );
    sb.run(["install"]).success();
    let first = sb.read("agentpack.lock");
    assert!(first.starts_with("# This file is generated by agentpack."));
    assert!(first.find("name = \"a\"").unwrap() < first.find("name = \"b\"").unwrap());
    sb.remove("agentpack.lock");
    sb.remove(".claude");
    sb.run(["install"]).success();
    assert_eq!(sb.read("agentpack.lock"), first);
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(sb.read("agentpack.lock"), first);
}

#[test]
fn installs_over_git_daemon_and_smart_http() {
    let (_repo, served) = served_studio();
    let daemon = GitDaemon::start(served.path());
    let http = HttpGitServer::builder(served.path()).start();
    let sb = project(
        &Manifest::new()
            .source(
                Source::git("over-git", daemon.url("studio"))
                    .tag("v1.0.0")
                    .agents(["ui-designer"]),
            )
            .source(
                Source::git("over-http", http.url("studio"))
                    .version("1")
                    .agents(["backend-architect"]),
            ),
    );
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["backend-architect.md", "ui-designer.md"]);
    let lock = lock(&sb);
    // Sources are sorted by name: `over-git` before `over-http`.
    assert_eq!(
        lock["source"][0]["git"].as_str(),
        Some(daemon.url("studio").as_str())
    );
    assert_eq!(
        lock["source"][1]["git"].as_str(),
        Some(http.url("studio").as_str())
    );
    assert_eq!(lock["source"][0]["commit"], lock["source"][1]["commit"]);
}

#[test]
fn symlinks_leaving_the_searched_directory_are_not_followed() {
    let repo = studio();
    repo.file("secret.md", agent("secret", "outside subdir"))
        .symlink("design/escape.md", "../secret.md")
        .symlink("design/absolute.md", "/etc/passwd")
        .symlink("design/inside.md", "ui-designer.md");
    repo.commit("links");
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).subdir("design")));
    // `inside.md` resolves to the same agent as `ui-designer.md`: a collision proves it was followed.
    sb.run(["install", "-v"]).failure(1).stderr_snapshot();
    sb.manifest(
        &Manifest::new().source(
            Source::git("studio", repo.url())
                .subdir("design")
                .agents(["escape.md"]),
        ),
    );
    sb.run(["install"]).failure(1).stderr_snapshot();
    assert!(!sb.exists(".claude"));
}

#[test]
fn shallow_fetches_over_git_daemon_still_reach_locked_commits_behind_the_tip() {
    let repo = studio();
    let served = tempfile::tempdir().unwrap();
    let bare = repo.bare_copy_into(served.path(), "studio");
    let daemon = GitDaemon::start(served.path());
    let sb = project(
        &Manifest::new().source(
            Source::git("studio", daemon.url("studio"))
                .branch("main")
                .agents(["ui-designer"]),
        ),
    );
    sb.run(["install"]).success();
    let locked = repo.head();
    let shallow_marker = || {
        std::fs::read_dir(sb.cache().join("git/db"))
            .unwrap()
            .any(|db| db.unwrap().path().join("shallow").exists())
    };
    assert!(
        shallow_marker(),
        "a branch install over git:// fetches only the tip"
    );
    // Upstream moves on; a fresh machine (empty cache) must still install the locked commit.
    repo.file("design/ui-designer.md", agent("ui-designer", "newer"));
    repo.commit("newer");
    repo.push_to(&bare);
    std::fs::remove_dir_all(sb.cache()).unwrap();
    sb.remove(".claude");
    sb.run(["install", "--locked"]).success();
    assert_eq!(
        lock(&sb)["source"][0]["commit"].as_str(),
        Some(locked.as_str())
    );
    assert_eq!(
        sb.read(".claude/agents/ui-designer.md"),
        agent("ui-designer", "Designs UIs")
    );

    // A `rev` that is no branch tip is found after completing the shallow history.
    sb.manifest(
        &Manifest::new().source(
            Source::git("studio", daemon.url("studio"))
                .rev(&locked[..10])
                .agents(["ui-designer"]),
        ),
    );
    sb.run(["install"]).success();
    assert_eq!(
        lock(&sb)["source"][0]["commit"].as_str(),
        Some(locked.as_str())
    );
}

#[test]
fn a_lock_entry_outside_the_target_never_deletes_a_project_file() {
    let repo = studio();
    let sb =
        project(&Manifest::new().source(Source::git("studio", repo.url()).agents(["ui-designer"])));
    sb.run(["install"]).success();
    sb.write("CLAUDE.md", "# project notes\n");
    // A hand-edited (or malicious) lock claims the project's own file, with its exact hash.
    let mut lock = sb.read("agentpack.lock");
    lock.push_str(&format!(
        "\n[[agent]]\nname = \"CLAUDE\"\nsource = \"studio\"\npath = \"CLAUDE.md\"\nfile = \"CLAUDE.md\"\nsha256 = \"{}\"\n",
        sha256(b"# project notes\n".to_vec())
    ));
    sb.write("agentpack.lock", lock);
    sb.run(["install"]).success();
    sb.run(["install", "--force"]).success();
    assert_eq!(sb.read("CLAUDE.md"), "# project notes\n");
}

#[test]
fn a_short_rev_is_a_commit_even_when_a_tag_has_the_same_name() {
    let repo = studio();
    let good = repo.head();
    let prefix = &good[..7];
    repo.branch("evil").checkout("evil");
    repo.file("design/ui-designer.md", agent("ui-designer", "EVIL"));
    repo.commit("evil");
    repo.tag(prefix);
    repo.checkout("main");
    let sb = project(
        &Manifest::new().source(
            Source::git("studio", repo.url())
                .rev(prefix)
                .agents(["ui-designer"]),
        ),
    );
    sb.run(["install"]).success();
    assert_eq!(
        lock(&sb)["source"][0]["commit"].as_str(),
        Some(good.as_str())
    );
    assert_eq!(
        sb.read(".claude/agents/ui-designer.md"),
        agent("ui-designer", "Designs UIs")
    );
}

#[test]
fn locked_reports_a_new_source_before_touching_the_network() {
    let repo = studio();
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .source(Source::git("studio", repo.url()).agents(["ui-designer"]))
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    // A new source whose host cannot even be resolved: --locked/--frozen must say the lock is stale.
    sb.write(
        "agentpack.toml",
        format!("{manifest}\n[sources.new]\ngit = \"https://example.invalid/new.git\"\n"),
    );
    for flag in ["--locked", "--frozen"] {
        sb.run(["install", flag])
            .failure(1)
            .stderr_snapshot()
            .stderr_lacks("example.invalid");
    }
}

#[test]
fn a_manifest_that_is_not_utf8_is_refused_by_every_command() {
    let sb = Sandbox::new();
    sb.write("agentpack.toml", b"# caf\xe9\n");
    for command in ["install", "list"] {
        sb.run([command]).failure(2).stderr_snapshot();
    }
}

#[test]
fn a_path_source_containing_the_target_does_not_read_its_own_output() {
    let sb = Sandbox::new();
    sb.write("agents/helper.md", agent("helper", "Helps"));
    sb.manifest(
        &Manifest::new()
            .install(Install::new().target("agents/installed"))
            .source(Source::path("team", "agents")),
    );
    sb.run(["install"]).success();
    assert_eq!(
        sb.read("agents/installed/helper.md"),
        agent("helper", "Helps")
    );
    // The installed copy is not a second `helper` agent of the source.
    sb.run(["install"]).success();
    sb.run(["install", "--locked"]).success();
    sb.run(["verify"]).success();
}
