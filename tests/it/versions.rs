//! Versions over time: `update` (all, named, `--precise`, `--dry-run`), moved tags, `outdated`, `tree`,
//! `add` and `remove` editing a commented manifest, and transitive packs (diamond, conflict, cycle,
//! top-level overrides), against real repositories with many tags.

use crate::support::*;

/// A repository with a history of releases: semver tags with and without `v`, a pre-release, tags that
/// are not semver, and an agent that appears in 1.2.0.
struct Releases {
    repo: GitRepo,
    commits: std::collections::BTreeMap<&'static str, String>,
}

impl Releases {
    fn new() -> Releases {
        let repo = GitRepo::new("releases");
        let mut commits = std::collections::BTreeMap::new();
        for tag in ["v1.0.0", "v1.1.0", "latest"] {
            repo.file("a.md", agent("a", &format!("release {tag}")));
            commits.insert(tag, repo.commit(tag));
            repo.tag(tag);
        }
        Releases { repo, commits }
    }

    /// Publish 1.2.0 (adds agent `b`), a 1.3.0 pre-release, 2.0.0 and a non-semver tag.
    fn publish_more(&mut self) {
        for tag in ["1.2.0", "v1.3.0-beta.1", "v2.0.0", "nightly-2024"] {
            self.repo
                .file("a.md", agent("a", &format!("release {tag}")));
            self.repo.file("b.md", agent("b", "Arrived in 1.2.0"));
            self.commits.insert(tag, self.repo.commit(tag));
            self.repo.tag(tag);
        }
    }

    fn url(&self) -> String {
        self.repo.url()
    }
}

/// `path` relative to `base`, `/`-separated, as `add` writes local paths into the manifest.
fn relative_to(base: &std::path::Path, path: &std::path::Path) -> String {
    let base: Vec<_> = base.components().collect();
    let path: Vec<_> = path.components().collect();
    let common = base.iter().zip(&path).take_while(|(a, b)| a == b).count();
    let mut parts = vec![".."; base.len() - common];
    parts.extend(
        path[common..]
            .iter()
            .map(|c| c.as_os_str().to_str().unwrap()),
    );
    parts.join("/")
}

fn short(commit: &str) -> &str {
    &commit[..7]
}

#[test]
fn update_moves_within_the_requirement_and_dry_run_changes_nothing() {
    let mut rel = Releases::new();
    let sb = project(&Manifest::new().source(Source::git("rel", rel.url()).version("^1.0")));
    sb.run(["install"]).success();
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("v1.1.0")
    );
    rel.publish_more();

    // A plain install keeps the lock.
    sb.run(["install"]).success();
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("v1.1.0")
    );

    let before = sb.snapshot(".");
    let expected = format!(
        "rel  v1.1.0 ({}) -> 1.2.0 ({})\n  + b\n",
        short(&rel.commits["v1.1.0"]),
        short(&rel.commits["1.2.0"])
    );
    sb.run(["update", "--dry-run"])
        .success()
        .stdout_is(&expected)
        .stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));

    // Pre-releases and 2.0.0 are outside `^1.0`; `nightly-2024` is not semver.
    sb.run(["update"])
        .success()
        .stdout_is(&expected)
        .stderr_snapshot();
    let locked = lock(&sb);
    assert_eq!(locked_source(&locked, "rel")["tag"].as_str(), Some("1.2.0"));
    assert_eq!(
        locked_source(&locked, "rel")["commit"].as_str(),
        Some(rel.commits["1.2.0"].as_str())
    );
    assert!(sb.read(".claude/agents/a.md").contains("release 1.2.0"));
    sb.run(["install", "--locked"]).success();
    sb.run(["update"]).success().stdout_is("").stderr_snapshot();

    // A requirement naming a pre-release may pick one.
    sb.manifest(
        &Manifest::new().source(Source::git("rel", rel.url()).version(">=1.3.0-beta.0, <2")),
    );
    sb.run(["install"]).success();
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("v1.3.0-beta.1")
    );
}

#[test]
fn update_offline_stays_within_the_cache_and_jobs_must_be_at_least_one() {
    let mut rel = Releases::new();
    let sb = Sandbox::new();
    sb.write(
        "agentpack.toml",
        format!(
            "[sources.rel]\ngit = \"{}\"\nversion = \"^1.0\"\n",
            rel.url()
        ),
    );
    sb.run(["install"]).success();
    rel.publish_more();

    // 1.2.0 is published but never fetched: offline, the cache's newest allowed release is the locked one.
    let before = sb.snapshot(".");
    sb.run(["update", "--offline"])
        .success()
        .stdout_is("")
        .stderr_has("Everything is up to date within its requirements");
    assert_tree_eq(&before, &sb.snapshot("."));
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("v1.1.0")
    );

    sb.run(["update", "--jobs", "0"])
        .failure(2)
        .stderr_has("at least one job is needed");
    sb.run(["update", "--jobs", "1"])
        .success()
        .stdout_is(&format!(
            "rel  v1.1.0 ({}) -> 1.2.0 ({})\n  + b\n",
            short(&rel.commits["v1.1.0"]),
            short(&rel.commits["1.2.0"])
        ));
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("1.2.0")
    );
}

#[test]
fn updating_one_source_keeps_the_others_exactly() {
    let mut rel = Releases::new();
    let feed = GitRepo::new("feed");
    feed.file("f.md", agent("f", "first"));
    let first = feed.commit("first");
    let sb = project(
        &Manifest::new()
            .source(Source::git("rel", rel.url()).version("1"))
            .source(Source::git("feed", feed.url()).branch("main")),
    );
    sb.run(["install"]).success();
    rel.publish_more();
    feed.file("f.md", agent("f", "second"));
    let second = feed.commit("second");

    sb.run(["update", "rel"])
        .success()
        .stdout_snapshot()
        .stdout_lacks("feed");
    let lock1 = lock(&sb);
    assert_eq!(locked_source(&lock1, "rel")["tag"].as_str(), Some("1.2.0"));
    assert_eq!(
        locked_source(&lock1, "feed")["commit"].as_str(),
        Some(first.as_str())
    );

    // A branch source moves to the branch's new head.
    sb.run(["update", "feed"]).success().stdout_is(&format!(
        "feed  main ({}) -> main ({})\n",
        short(&first),
        short(&second)
    ));
    assert_eq!(
        locked_source(&lock(&sb), "feed")["commit"].as_str(),
        Some(second.as_str())
    );
    assert!(sb.read(".claude/agents/f.md").contains("second"));

    sb.run(["update", "nope"]).failure(2).stderr_snapshot();
}

#[test]
fn precise_pins_a_tag_or_a_commit_without_editing_the_manifest() {
    let mut rel = Releases::new();
    rel.publish_more();
    let sb = Sandbox::new();
    let manifest = Manifest::new()
        .source(Source::git("rel", rel.url()).version("^1"))
        .render();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("1.2.0")
    );

    sb.run(["update", "rel", "--precise", "v1.0.0"])
        .success()
        .stdout_snapshot();
    assert_eq!(
        locked_source(&lock(&sb), "rel")["tag"].as_str(),
        Some("v1.0.0")
    );
    assert_eq!(sb.read("agentpack.toml"), manifest);
    // The pin is kept by later installs, like any lock entry.
    sb.run(["install", "--locked"]).success();

    sb.run(["update", "rel", "--precise", short(&rel.commits["v1.1.0"])])
        .success();
    let lock = lock(&sb);
    assert_eq!(
        locked_source(&lock, "rel")["commit"].as_str(),
        Some(rel.commits["v1.1.0"].as_str())
    );

    let before = sb.snapshot(".");
    sb.run(["update", "rel", "--precise", "v2.0.0"])
        .failure(2)
        .stderr_snapshot();
    sb.run(["update", "rel", "--precise", "v9"])
        .failure(2)
        .stderr_snapshot();
    sb.run(["update", "--precise", "v1.0.0"])
        .failure(2)
        .stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
}

#[test]
fn a_moved_tag_is_an_error_under_locked_and_a_warning_otherwise() {
    let repo = GitRepo::new("moving");
    repo.file("m.md", agent("m", "original"));
    let original = repo.commit("original");
    repo.tag("v1.0.0");
    let sb = project(&Manifest::new().source(Source::git("m", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success();

    repo.file("m.md", agent("m", "moved"));
    let moved = repo.commit("moved");
    repo.move_tag("v1.0.0", &moved);

    let before = sb.snapshot(".");
    sb.run(["install", "--locked"]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));

    // Without --locked, a fresh cache has to ask the remote: it warns and keeps the locked commit.
    std::fs::remove_dir_all(sb.cache()).unwrap();
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(
        locked_source(&lock(&sb), "m")["commit"].as_str(),
        Some(original.as_str())
    );
    assert!(sb.read(".claude/agents/m.md").contains("original"));

    // `update` takes the new commit, and says the tag moved.
    sb.run(["update", "m"])
        .success()
        .stderr_snapshot()
        .stdout_snapshot();
    assert!(sb.read(".claude/agents/m.md").contains("moved"));
}

#[test]
fn outdated_reports_locked_allowed_and_latest() {
    let mut rel = Releases::new();
    let feed = GitRepo::new("feed");
    feed.file("f.md", agent("f", "first"));
    let first = feed.commit("first");
    let sb = project(
        &Manifest::new()
            .source(Source::git("rel", rel.url()).version("~1.1"))
            .source(Source::git("feed", feed.url())),
    );
    sb.run(["install"]).success();
    rel.publish_more();
    feed.file("f.md", agent("f", "second"));
    feed.commit("second");
    feed.file("f.md", agent("f", "third"));
    let third = feed.commit("third");

    let before = sb.snapshot(".");
    let json = sb.run(["outdated", "--json"]).success().stdout_json();
    let rows = json.as_array().unwrap();
    let rel_row = rows.iter().find(|r| r["name"] == "rel").unwrap();
    assert_eq!(
        rel_row["ref"],
        serde_json::json!({"kind": "version", "requirement": "~1.1", "resolved": "v1.1.0"})
    );
    assert!(rel_row.get("requirement").is_none());
    assert_eq!(rel_row["locked"]["tag"], "v1.1.0");
    assert_eq!(rel_row["locked"]["commit"], rel.commits["v1.1.0"].as_str());
    // `~1.1` allows no newer release; the newest stable tag is 2.0.0 (not the 1.3.0 pre-release).
    assert_eq!(rel_row["allowed"]["tag"], "v1.1.0");
    assert_eq!(rel_row["latest"]["tag"], "v2.0.0");
    assert_eq!(rel_row["latest"]["commit"], rel.commits["v2.0.0"].as_str());
    let feed_row = rows.iter().find(|r| r["name"] == "feed").unwrap();
    assert_eq!(
        feed_row["ref"],
        serde_json::json!({"kind": "default-branch", "requirement": null, "resolved": null})
    );
    assert_eq!(feed_row["locked"]["commit"], first.as_str());
    assert_eq!(feed_row["allowed"]["commit"], third.as_str());
    assert_eq!(feed_row["behind"], 2);
    assert!(feed_row["latest"].is_null());

    let text = sb.run(["outdated"]).success();
    let rows: Vec<Vec<String>> = text
        .stdout()
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            vec!["SOURCE", "REQUIREMENT", "LOCKED", "ALLOWED", "LATEST"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            vec![
                "feed".into(),
                "default-branch".into(),
                short(&first).into(),
                format!("{} (2 commits ahead)", short(&third)),
                "-".into()
            ],
            vec![
                "rel".into(),
                "version ~1.1".into(),
                format!("v1.1.0 ({})", short(&rel.commits["v1.1.0"])),
                format!("v1.1.0 ({})", short(&rel.commits["v1.1.0"])),
                format!("v2.0.0 ({})", short(&rel.commits["v2.0.0"])),
            ],
        ]
    );
    // `outdated` changes nothing on disk (the cache aside).
    assert_tree_eq(&before, &sb.snapshot("."));
}

const COMMENTED: &str = "# Our agents. Keep this file tidy!\n[install]\ntarget = \".claude/agents\"   # Claude Code's place\n\n# The studio collection, pinned.\n[sources.studio]\ngit = 'STUDIO'      # single quotes stay single\ntag = \"v1.0.0\"\nagents = [ \"backend-architect\",\n           \"ui-designer\" ]  # two of them\n";

fn commented(studio: &GitRepo) -> String {
    COMMENTED.replace("STUDIO", &studio.url())
}

#[test]
fn add_each_source_form_preserving_the_manifest() {
    let studio = studio();
    let rel = Releases::new();
    let sb = Sandbox::new();
    let original = commented(&studio);
    sb.write("agentpack.toml", &original);
    sb.run(["install"]).success();

    // A URL, with a tag, one agent and a new name.
    sb.run([
        "add",
        &rel.url(),
        "--tag",
        "v1.0.0",
        "--agent",
        "a",
        "--as",
        "rel-a",
    ])
    .success()
    .stderr_snapshot();
    let with_url = format!(
        "{original}\n[sources.releases]\ngit = \"{}\"\ntag = \"v1.0.0\"\nagents = [\"a\"]\nrename = {{ a = \"rel-a\" }}\n",
        rel.url()
    );
    assert_eq!(sb.read("agentpack.toml"), with_url);
    assert!(sb.read(".claude/agents/rel-a.md").contains("name: rel-a"));

    // A local git repository (relative path) and a plain directory.
    let local = tempfile::tempdir().unwrap();
    let plain = local.path().join("My Pack");
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::write(plain.join("p.md"), agent("p", "plain")).unwrap();
    let feed = GitRepo::new("feed");
    feed.file("f.md", agent("f", "feed")).commit("feed");
    let feed_rel = relative_to(sb.project(), feed.path());
    sb.run(["add", &feed_rel, "--branch", "main"]).success();
    sb.run(["add", plain.to_str().unwrap()]).success();
    let text = sb.read("agentpack.toml");
    assert!(text.starts_with(&with_url), "{text}");
    let rest = &text[with_url.len()..];
    // A relative path is written relative to the manifest; an absolute one stays absolute.
    assert_eq!(
        rest,
        format!(
            "\n[sources.feed]\ngit = \"{feed_rel}\"\nbranch = \"main\"\n\n[sources.my-pack]\npath = \"{}\"\n",
            plain.display()
        )
    );
    assert!(sb.exists(".claude/agents/f.md") && sb.exists(".claude/agents/p.md"));

    // GitHub shorthand, through a git `insteadOf` so no network is needed.
    let gh = tempfile::tempdir().unwrap();
    rel.repo
        .bare_copy_into(&gh.path().join("someone"), "releases");
    std::fs::write(
        sb.home().join(".gitconfig"),
        format!(
            "[url \"file://{}/\"]\n\tinsteadOf = https://github.com/\n",
            gh.path().display()
        ),
    )
    .unwrap();
    sb.run(["add", "someone/releases.git@v1.1.0", "--name", "gh"])
        .success();
    let text = sb.read("agentpack.toml");
    assert!(
        text.ends_with(
            "\n[sources.gh]\ngit = \"https://github.com/someone/releases.git\"\ntag = \"v1.1.0\"\n"
        ),
        "{text}"
    );
    assert_eq!(
        locked_source(&lock(&sb), "gh")["commit"].as_str(),
        Some(rel.commits["v1.1.0"].as_str())
    );
}

#[test]
fn a_failed_install_after_add_leaves_everything_as_it_was() {
    let studio = studio();
    let clash = GitRepo::new("clash");
    clash
        .file("ui.md", agent("ui-designer", "Another UI designer"))
        .commit("clash");
    let sb = Sandbox::new();
    sb.write("agentpack.toml", commented(&studio));
    sb.run(["install"]).success();
    let before = sb.snapshot(".");
    sb.run(["add", &clash.url()]).failure(1).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
    sb.run(["add", &clash.url(), "--name", "studio"])
        .failure(2)
        .stderr_snapshot();
    sb.run(["add", "not/a/thing"]).failure(2).stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
}

#[test]
fn remove_a_source_or_a_single_agent() {
    let studio = studio();
    let rel = Releases::new();
    let sb = Sandbox::new();
    let original = commented(&studio);
    let with_rel = format!(
        "{original}\n# releases, all of them\n[sources.rel]\ngit = \"{}\"\n",
        rel.url()
    );
    sb.write("agentpack.toml", &with_rel);
    sb.run(["install"]).success();
    assert!(sb.exists(".claude/agents/a.md"));

    // One agent named in `agents`: its entry goes.
    sb.run(["remove", "ui-designer"])
        .success()
        .stderr_snapshot();
    assert_eq!(
        sb.read("agentpack.toml"),
        with_rel.replace(",\n           \"ui-designer\" ]", " ]")
    );
    assert!(!sb.exists(".claude/agents/ui-designer.md"));

    // One agent of a source that takes them all: it is excluded.
    sb.run(["remove", "a"]).success().stderr_snapshot();
    assert!(
        sb.read("agentpack.toml").ends_with(
            &Manifest::new()
                .source(Source::git("rel", rel.url()).exclude(["a"]))
                .render()
        )
    );
    assert!(!sb.exists(".claude/agents/a.md"));

    // A whole source, with the comment above it.
    sb.run(["remove", "rel"]).success();
    assert_eq!(
        sb.read("agentpack.toml"),
        original.replace(",\n           \"ui-designer\" ]", " ]")
    );
    assert!(lock(&sb)["source"].as_array().unwrap().len() == 1);
    sb.run(["remove", "nobody"]).failure(2).stderr_snapshot();
}

/// A pack: a repository whose root holds agents and an `agentpack.toml` of its own.
fn pack(name: &str, agents: &[&str], manifest: &str) -> GitRepo {
    let repo = GitRepo::new(name);
    for a in agents {
        repo.file(&format!("{a}.md"), agent(a, &format!("from {name}")));
    }
    repo.file("agentpack.toml", manifest);
    repo.commit(name);
    repo.tag("v1.0.0");
    repo
}

/// `c` with releases 1.0.0, 1.1.0, 1.2.0 and 2.0.0 of its agent `c-agent`.
fn shared() -> (GitRepo, std::collections::BTreeMap<&'static str, String>) {
    let c = GitRepo::new("c");
    let mut commits = std::collections::BTreeMap::new();
    for tag in ["v1.0.0", "v1.1.0", "v1.2.0", "v2.0.0"] {
        c.file("c-agent.md", agent("c-agent", &format!("c {tag}")));
        commits.insert(tag, c.commit(tag));
        c.tag(tag);
    }
    (c, commits)
}

/// Packs `a` and `b` (tagged `v1.0.0`) both asking for `c` (`^1.0` and `~1.1`), served, and a
/// project taking both; returns the project, `a`, `b`, the commits of `c`'s tags and the server.
fn diamond() -> (
    Sandbox,
    GitRepo,
    GitRepo,
    std::collections::BTreeMap<&'static str, String>,
    ServedRepos,
) {
    let (c, commits) = shared();
    let served = ServedRepos::start();
    let c_url = served.publish(&c, "c");
    let a = pack(
        "a",
        &["a-agent"],
        &Manifest::new()
            .source(Source::git("c", &c_url).version("^1.0"))
            .render(),
    );
    let b = pack(
        "b",
        &["b-agent"],
        &Manifest::new()
            .install(Install::new().target("/tmp/ignored"))
            .source(Source::git("c", &c_url).version("~1.1"))
            .render(),
    );
    let sb = project(
        &Manifest::new()
            .source(Source::git("a", a.url()).tag("v1.0.0"))
            .source(Source::git("b", b.url()).tag("v1.0.0")),
    );
    (sb, a, b, commits, served)
}

#[test]
fn a_diamond_of_packs_unifies_on_one_version() {
    let (sb, a, b, commits, _served) = diamond();
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(installed(&sb), ["a-agent.md", "b-agent.md", "c-agent.md"]);
    // `^1.0` and `~1.1` meet at 1.1.0, the highest both allow.
    assert!(sb.read(".claude/agents/c-agent.md").contains("c v1.1.0"));
    let lock = lock(&sb);
    for (name, parent) in [("a/c", "a"), ("b/c", "b")] {
        let s = locked_source(&lock, name);
        assert_eq!(s["commit"].as_str(), Some(commits["v1.1.0"].as_str()));
        assert_eq!(s["required-by"].as_str(), Some(parent));
        assert_eq!(
            s["ref"].as_str(),
            Some(if parent == "a" { "^1.0" } else { "~1.1" })
        );
    }
    assert!(locked_source(&lock, "a").get("required-by").is_none());
    sb.run(["install", "--locked"]).success();

    sb.run(["tree"]).success().stdout_is(&format!(
        "a v1.0.0 ({a})\n├── agent a-agent\n└── a/c v1.1.0 ({c})\n    └── agent c-agent\nb v1.0.0 ({b})\n├── agent b-agent\n└── b/c v1.1.0 ({c})\n",
        a = short(&a.head()),
        b = short(&b.head()),
        c = short(&commits["v1.1.0"]),
    ));
    let json = sb.run(["tree", "--json"]).success().stdout_json();
    assert_eq!(json[0]["name"], "a");
    assert_eq!(json[0]["sources"][0]["name"], "a/c");
    assert_eq!(json[0]["sources"][0]["agents"][0]["name"], "c-agent");
    assert_eq!(
        json[0]["sources"][0]["ref"],
        serde_json::json!({"kind": "version", "requirement": "^1.0", "resolved": "v1.1.0"})
    );
    assert_eq!(json[0]["sources"][0]["commit"], commits["v1.1.0"].as_str());
    assert_eq!(json[0]["commit"], a.head());
    assert!(json[0].get("version").is_none());
}

#[test]
fn the_top_level_source_renames_and_excludes_what_its_pack_brings() {
    let (sb, a, b, _, _served) = diamond();
    sb.run(["install"]).success();
    sb.manifest(
        &Manifest::new()
            .source(
                Source::git("a", a.url())
                    .tag("v1.0.0")
                    .rename([("c-agent", "shared-c")]),
            )
            .source(Source::git("b", b.url()).tag("v1.0.0").exclude(["c-agent"])),
    );
    sb.run(["install"]).success();
    assert_eq!(installed(&sb), ["a-agent.md", "b-agent.md", "shared-c.md"]);
    assert!(
        sb.read(".claude/agents/shared-c.md")
            .contains("name: shared-c")
    );

    // Removing an agent a pack brought excludes it in the top-level source it came through.
    sb.run(["remove", "shared-c"]).success().stderr_snapshot();
    let text = sb.read("agentpack.toml");
    assert!(
        text.contains("tag = \"v1.0.0\"\nexclude = [\"c-agent\"]\n\n[sources.b]"),
        "{text}"
    );
    assert!(!text.contains("rename"), "{text}");
}

#[test]
fn updating_a_pack_moves_what_it_pulled_in() {
    let (c, commits) = shared();
    let served = ServedRepos::start();
    let c_url = served.publish(&c, "c");
    let a = pack(
        "a",
        &["a-agent"],
        &Manifest::new()
            .source(Source::git("c", &c_url).version("^1.0"))
            .render(),
    );
    let sb = project(&Manifest::new().source(Source::git("a", a.url())));
    sb.run(["install"]).success();
    assert_eq!(
        locked_source(&lock(&sb), "a/c")["commit"].as_str(),
        Some(commits["v1.2.0"].as_str())
    );
    sb.run(["update", "a/c", "--precise", "v1.0.0"])
        .success()
        .stdout_is(&format!(
            "a/c  v1.2.0 ({}) -> v1.0.0 ({})\n",
            short(&commits["v1.2.0"]),
            short(&commits["v1.0.0"])
        ));
    assert!(sb.read(".claude/agents/c-agent.md").contains("c v1.0.0"));
    // Updating the pack covers the sources it pulled in.
    sb.run(["update", "a"]).success().stdout_snapshot();
    assert!(sb.read(".claude/agents/c-agent.md").contains("c v1.2.0"));
}

#[test]
fn a_pack_in_a_local_directory_may_use_paths_inside_itself() {
    let dir = tempfile::tempdir().unwrap();
    let packdir = dir.path().join("team");
    std::fs::create_dir_all(packdir.join("inner")).unwrap();
    std::fs::write(packdir.join("lead.md"), agent("lead", "Leads")).unwrap();
    std::fs::write(packdir.join("inner/helper.md"), agent("helper", "Helps")).unwrap();
    std::fs::write(
        packdir.join("agentpack.toml"),
        Manifest::new()
            .source(Source::path("inner", "inner"))
            .render(),
    )
    .unwrap();
    let sb = Sandbox::new();
    // `helper` is both a file of the team directory (inner/helper.md) and the inner pack's agent; the
    // top-level `exclude` drops it from both.
    sb.manifest(
        &Manifest::new().source(Source::path("team", packdir.display()).exclude(["helper"])),
    );
    sb.run(["install"]).success();
    let files: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    assert_eq!(files, ["lead.md"]);
    // `agents` picks among the source's own files only; the inner pack still brings `helper`.
    sb.manifest(&Manifest::new().source(Source::path("team", packdir.display()).agents(["lead"])));
    sb.run(["install"]).success();
    let files: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    assert_eq!(files, ["helper.md", "lead.md"]);
    let lock = lock(&sb);
    assert_eq!(
        locked_source(&lock, "team/inner")["required-by"].as_str(),
        Some("team")
    );
    assert_eq!(
        locked_source(&lock, "team/inner")["path"].as_str(),
        Some("inner")
    );
    let helper = lock["agent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"].as_str() == Some("helper"))
        .unwrap();
    assert_eq!(helper["source"].as_str(), Some("team/inner"));

    std::fs::write(
        packdir.join("agentpack.toml"),
        Manifest::new()
            .source(Source::path("outside", ".."))
            .render(),
    )
    .unwrap();
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn packs_that_disagree_get_an_explained_error() {
    let (c, _) = shared();
    let served = ServedRepos::start();
    let c_url = served.publish(&c, "c");
    let a = pack(
        "a",
        &["a-agent"],
        &Manifest::new()
            .source(Source::git("c", &c_url).version("^1.0"))
            .render(),
    );
    let b = pack(
        "b",
        &["b-agent"],
        &Manifest::new()
            .source(Source::git("c", &c_url).version("^2"))
            .render(),
    );
    let sb = project(
        &Manifest::new()
            .source(Source::git("a", a.url()))
            .source(Source::git("b", b.url())),
    );
    sb.run(["install"]).failure(2).stderr_snapshot();
    assert!(!sb.exists(".claude"));
    assert!(!sb.exists("agentpack.lock"));
}

#[test]
fn a_cycle_of_packs_is_reported() {
    // `x` needs `y` and `y` needs `x`: publish both, then point each at the other.
    let served = ServedRepos::start();
    let x = GitRepo::new("x");
    let y = GitRepo::new("y");
    x.file("x.md", agent("x", "x")).file(
        "agentpack.toml",
        Manifest::new()
            .source(Source::git("y", served.url("y")))
            .render(),
    );
    x.commit("x");
    y.file("y.md", agent("y", "y")).file(
        "agentpack.toml",
        Manifest::new()
            .source(Source::git("x", served.url("x")))
            .render(),
    );
    y.commit("y");
    let x_url = served.publish(&x, "x");
    served.publish(&y, "y");
    let sb = project(&Manifest::new().source(Source::git("x", &x_url)));
    sb.run(["install"]).failure(2).stderr_snapshot();
    assert!(!sb.exists(".claude"));
}

#[test]
fn a_pack_from_git_cannot_reach_the_local_disk() {
    let p = pack(
        "p",
        &["p"],
        &Manifest::new()
            .source(Source::path("mine", "../../home"))
            .render(),
    );
    let sb = project(&Manifest::new().source(Source::git("p", p.url())));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn add_with_a_version_a_rev_and_a_subdir() {
    let mut rel = Releases::new();
    rel.publish_more();
    let studio = studio();
    let sb = Sandbox::new();
    sb.write("agentpack.toml", "");
    sb.run(["add", &rel.url(), "--version", "^1.1", "--name", "rel"])
        .success();
    sb.run([
        "add",
        &studio.url(),
        "--rev",
        short(&studio.head()),
        "--subdir",
        "design",
    ])
    .success();
    assert_eq!(
        sb.read("agentpack.toml"),
        Manifest::new()
            .source(Source::git("rel", rel.url()).version("^1.1"))
            .source(
                Source::git("studio", studio.url())
                    .rev(short(&studio.head()))
                    .subdir("design")
            )
            .render()
    );
    let lock = lock(&sb);
    assert_eq!(locked_source(&lock, "rel")["tag"].as_str(), Some("1.2.0"));
    assert_eq!(
        locked_source(&lock, "studio")["commit"].as_str(),
        Some(studio.head().as_str())
    );
    let mut files: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    files.sort();
    assert_eq!(files, ["a.md", "b.md", "ui-designer.md"]);
    sb.run(["add", &rel.url(), "--tag", "v1.0.0", "--name", "Bad Name"])
        .failure(2)
        .stderr_snapshot();
    sb.run(["add", "o/r@v1", "--tag", "v1"])
        .failure(2)
        .stderr_snapshot();
}

#[test]
fn a_default_branch_source_is_shown_as_list_shows_it() {
    let feed = GitRepo::new("feed");
    feed.file("f.md", agent("f", "first"));
    let first = feed.commit("first");
    let sb = project(&Manifest::new().source(Source::git("feed", feed.url())));
    sb.run(["install"]).success();
    feed.file("f.md", agent("f", "second"));
    let second = feed.commit("second");
    sb.run(["update"]).success().stdout_is(&format!(
        "feed  default-branch ({}) -> default-branch ({})\n",
        short(&first),
        short(&second)
    ));
    sb.run(["tree"]).success().stdout_is(&format!(
        "feed default-branch ({})\n└── agent f\n",
        short(&second)
    ));
    sb.run(["list"]).success().stdout_snapshot();
}
