//! The first day with agentpack: `add` recording the newest release and changing an existing source,
//! `update --breaking`, where `add` puts new tables, local paths versus GitHub shorthand, hints that
//! name only what exists, `--global` without set-up, and how much install-like commands print.

use crate::support::*;

#[test]
fn add_records_the_newest_release_as_a_caret_requirement() {
    let releases = released(
        "releases",
        "a",
        &["v1.0.0", "v1.2.0", "v2.1.0-beta.1", "nightly-2024"],
    );
    let untagged = GitRepo::new("untagged");
    untagged.file("u.md", agent("u", "no tags")).commit("u");
    let previews = released("previews", "a", &["v0.1.0-alpha.1", "v0.1.0-beta.2"]);
    let sb = Sandbox::new();
    sb.write("agentpack.toml", "");

    let manifest = sb.path("agentpack.toml");
    sb.run(["add", &releases.url()])
        .success()
        .stderr_is(&format!(
            "    Fetching releases ({url})\n   Installed .claude/agents/a.md from releases:a.md\n\
         Added [sources.releases] (version ^1.2.0) to `{}`\n    Finished 1 installed\n",
            manifest.display(),
            url = releases.url()
        ));
    // No semver tag: the default branch, as before. Only pre-releases: the newest of them.
    sb.run(["add", &untagged.url()]).success();
    sb.run([
        "add",
        &previews.url(),
        "--name",
        "pre",
        "--agent",
        "a",
        "--as",
        "pre-a",
    ])
    .success()
    .stderr_snapshot();
    assert_eq!(
        sb.read("agentpack.toml"),
        Manifest::new()
            .source(Source::git("releases", releases.url()).version("^1.2.0"))
            .source(Source::git("untagged", untagged.url()))
            .source(
                Source::git("pre", previews.url())
                    .version("^0.1.0-beta.2")
                    .agents(["a"])
                    .rename([("a", "pre-a")])
            )
            .render()
    );
    let lock = lock(&sb);
    assert_eq!(
        locked_source(&lock, "releases")["tag"].as_str(),
        Some("v1.2.0")
    );
    assert_eq!(
        locked_source(&lock, "untagged")["ref-kind"].as_str(),
        Some("default-branch")
    );
    assert_eq!(
        locked_source(&lock, "pre")["tag"].as_str(),
        Some("v0.1.0-beta.2")
    );
}

#[test]
fn add_on_an_existing_source_changes_its_ref_and_installs() {
    let releases = released("releases", "a", &["v1.0.0", "v1.2.0", "v2.0.0"]);
    let sb = Sandbox::new();
    let original = format!(
        "# ours\n[sources.releases]\ngit = \"{}\"\nbranch = \"main\"   # for now\nagents = [\"a\"]\n",
        releases.url()
    );
    sb.write("agentpack.toml", &original);
    sb.run(["install"]).success();

    let manifest = sb.path("agentpack.toml");
    sb.run(["add", &releases.url(), "--version", "^1"])
        .success()
        .stderr_is(&format!(
            "     Updated .claude/agents/a.md from releases:a.md\n\
             Changed [sources.releases] (version ^1) in `{}`\n    Finished 0 installed, 1 updated\n",
            manifest.display()
        ));
    assert_eq!(
        sb.read("agentpack.toml"),
        original.replace("branch = \"main\"", "version = \"^1\"")
    );
    assert_eq!(
        locked_source(&lock(&sb), "releases")["tag"].as_str(),
        Some("v1.2.0")
    );

    // Shorthand-like `@`: a tag this time; the same kind of key is changed in place, comment kept.
    sb.write(
        "agentpack.toml",
        original.replace(
            "branch = \"main\"   # for now",
            "tag = \"v1.0.0\"   # pinned",
        ),
    );
    sb.run(["add", &releases.url(), "--tag", "v2.0.0"])
        .success();
    assert!(
        sb.read("agentpack.toml")
            .contains("tag = \"v2.0.0\"   # pinned\n"),
        "{}",
        sb.read("agentpack.toml")
    );
    assert!(sb.read(".claude/agents/a.md").contains("release v2.0.0"));

    // Without a ref, an existing source keeps its ref (like `cargo add foo` of a dependency it has).
    let before = sb.read("agentpack.toml");
    sb.run(["add", &releases.url()]).success();
    assert_eq!(sb.read("agentpack.toml"), before);

    // Another location under the same name is still refused, and nothing changes.
    let other = released("other", "a", &["v1.0.0"]);
    let snapshot = sb.snapshot(".");
    sb.run(["add", &other.url(), "--name", "releases"])
        .failure(2)
        .stderr_is(&format!(
            "error: agentpack.toml already has a source named `releases`, with git = \"{}\"\nhint: pick another name with --name\n",
            releases.url()
        ));
    assert_tree_eq(&snapshot, &sb.snapshot("."));
}

#[test]
fn update_breaking_moves_requirements_to_the_newest_major() {
    let releases = released("releases", "a", &["v1.0.0", "v1.2.0"]);
    let steady = released("steady", "a", &["v3.0.0", "v3.1.0"]);
    let sb = Sandbox::new();
    let original = format!(
        "[sources.releases]\ngit = \"{}\"\nversion = \"^1.0\"   # reviewed in March\n\n[sources.steady]\ngit = \"{}\"\nversion = \"3\"\nrename = {{ a = \"s\" }}\n",
        releases.url(),
        steady.url()
    );
    sb.write("agentpack.toml", &original);
    sb.run(["install"]).success();
    let v1 = releases.head();
    for tag in ["v2.0.0", "v2.1.0", "v3.0.0-rc.1"] {
        releases.file("a.md", agent("a", tag));
        releases.commit(tag);
        releases.tag(tag);
    }
    let v210 = releases.rev_parse("v2.1.0");

    // A plain update stays within ^1.0.
    sb.run(["update"]).success().stdout_is("").stderr_snapshot();

    // --dry-run says what it would change and writes nothing.
    let before = sb.snapshot(".");
    sb.run(["update", "--breaking", "--dry-run"])
        .success()
        .stdout_is(&format!(
            "releases  v1.2.0 ({}) -> v2.1.0 ({})\n",
            &v1[..7],
            &v210[..7]
        ))
        .stderr_is(&format!(
            "    Fetching releases ({})\nWould change [sources.releases] version \"^1.0\" -> \"^2.1.0\" in agentpack.toml\nDry run: nothing was written\n",
            releases.url()
        ));
    assert_tree_eq(&before, &sb.snapshot("."));

    sb.run(["update", "--breaking"])
        .success()
        .stdout_is(&format!(
            "releases  v1.2.0 ({}) -> v2.1.0 ({})\n",
            &v1[..7],
            &v210[..7]
        ))
        .stderr_is(
            "     Updated .claude/agents/a.md from releases:a.md\nChanged [sources.releases] version \"^1.0\" -> \"^2.1.0\" in agentpack.toml\n    Finished 0 installed, 1 updated, 1 unchanged\n",
        );
    assert_eq!(
        sb.read("agentpack.toml"),
        original.replace("\"^1.0\"   # reviewed", "\"^2.1.0\"   # reviewed")
    );
    assert!(
        sb.read(".claude/agents/a.md")
            .contains("description: v2.1.0")
    );

    // Named: only that source; a source already on its newest major is left alone.
    sb.run(["update", "--breaking", "steady"])
        .success()
        .stdout_is("");
    assert_eq!(
        sb.read("agentpack.toml"),
        original.replace("\"^1.0\"   # reviewed", "\"^2.1.0\"   # reviewed")
    );
}

#[test]
fn only_the_top_level_has_a_version_flag() {
    let sb = Sandbox::new();
    sb.write("agentpack.toml", "");
    sb.run(["--version"])
        .success()
        .stdout_is(&format!("agentpack {}\n", env!("CARGO_PKG_VERSION")));
    sb.run(["-V"]).success().stdout_snapshot();
    for args in [
        &["update", "x", "--version", "^2"][..],
        &["install", "--version"],
        &["list", "-V"],
    ] {
        let out = sb.run(args).failure(2);
        assert!(
            out.stderr().starts_with("error: unexpected argument '-"),
            "{out}"
        );
        assert!(!out.stdout().contains("agentpack "), "{out}");
    }
    // The tip says where `--version` belongs, not clap's similar-looking `--verbose`.
    sb.run(["update", "x", "--version", "^2"]).failure(2).stderr_is(
        "error: unexpected argument '--version' found\n\n  tip: only `agentpack --version`, before any subcommand, prints the version; to change a source's version requirement, run `agentpack add SOURCE --version REQ` or `agentpack update --breaking SOURCE`\n\nFor more information, try '--help'.\n",
    );
    sb.run(["install", "-j", "0"]).failure(2).stderr_is(
        "error: invalid value '0' for '--jobs <N>': at least one job is needed\n\nFor more information, try '--help'.\n",
    );
    sb.run(["install", "--jobs", "many"])
        .failure(2)
        .stderr_snapshot();
}

#[test]
fn add_appends_after_the_sources_not_above_trailing_comments() {
    let repo = released("one", "a", &["v1.0.0"]);
    let two = released("two", "a", &["v1.0.0"]);
    let sb = Sandbox::new();
    sb.run(["init"]).success();
    let template = sb.read("agentpack.toml");
    sb.run(["add", &repo.url(), "--agent", "a", "--as", "one-a"])
        .success();
    let text = sb.read("agentpack.toml");
    assert_eq!(
        text,
        format!(
            "{template}\n[sources.one]\ngit = \"{}\"\nversion = \"^1.0.0\"\nagents = [\"a\"]\nrename = {{ a = \"one-a\" }}\n",
            repo.url()
        )
    );
    // Uncommenting `# vendor` as the template says keeps it in [install].
    let uncommented = text.replace(
        "# vendor = \"agentpack-vendor\"",
        "vendor = \"agentpack-vendor\"",
    );
    let parsed: toml::Value = toml::from_str(&uncommented).unwrap();
    assert_eq!(
        parsed["install"]["vendor"].as_str(),
        Some("agentpack-vendor")
    );
    assert!(parsed["sources"]["one"].get("vendor").is_none());

    // With sources followed by another table, the new one goes after the last source.
    sb.write(
        "agentpack.toml",
        format!(
            "[sources.one]\ngit = \"{}\"\n\n[install]\nstrict = false\n# trailing note\n",
            repo.url()
        ),
    );
    sb.run(["add", &two.url()]).success();
    assert_eq!(
        sb.read("agentpack.toml"),
        format!(
            "[sources.one]\ngit = \"{}\"\n\n[sources.two]\ngit = \"{}\"\nversion = \"^1.0.0\"\n\n[install]\nstrict = false\n# trailing note\n",
            repo.url(),
            two.url()
        )
    );
}

#[test]
fn a_missing_local_path_is_not_taken_for_github_shorthand() {
    let sb = Sandbox::new();
    sb.write("agentpack.toml", "");
    sb.mkdir("repos/studio-agents");
    let project = sb.project().display().to_string();
    sb.run(["add", "repos/studio-agnets"]).failure(2).stderr_is(&format!(
        "error: no such directory: `repos/studio-agnets` (resolved to `{project}/repos/studio-agnets`)\n\
         hint: check the path; `repos` exists here, so this is not read as GitHub shorthand (write `https://github.com/repos/studio-agnets` for that)\n"
    ));
    sb.run(["add", "../elsewhere/agents"]).failure(2).stderr_is(&format!(
        "error: no such directory: `../elsewhere/agents` (resolved to `{}/elsewhere/agents`)\nhint: check the path\n",
        sb.root().display()
    ));
    // `@REF` is shorthand's: a directory takes its ref from a flag, which the hint gives.
    sb.run(["add", "repos/studio-agents@^1"]).failure(2).stderr_is(&format!(
        "error: no such directory: `repos/studio-agents@^1` (resolved to `{project}/repos/studio-agents@^1`)\n\
         hint: `repos/studio-agents` exists; `@` is for GitHub shorthand only: for a directory, `agentpack add repos/studio-agents --version ^1`\n"
    ));
    sb.run(["add", "./repos/studio-agents@v1.0.0"])
        .failure(2)
        .stderr_snapshot();
    assert_eq!(sb.read("agentpack.toml"), "");

    // In the manifest: a local repository path that names nothing.
    sb.manifest(&Manifest::new().source(Source::git("typo", "../repos/typo")));
    sb.run(["install"]).failure(2).stderr_is(&format!(
        "error: source `typo`: no such directory: `../repos/typo` (resolved to `{}/repos/typo`)\n\
         hint: check the `git` path in agentpack.toml; a relative path is relative to the manifest's directory\n",
        sb.root().display()
    ));
}

#[test]
fn hints_name_only_flags_and_files_that_exist() {
    let port = closed_port();
    let url = format!("git://127.0.0.1:{port}/gone.git");
    let sb = Sandbox::new();
    sb.write("agentpack.toml", "");
    // `add` takes no --offline: its hint does not suggest it; `install` does.
    // libgit2's `; class=Net (12)` is not in the cause either.
    sb.run(["add", &url, "--tag", "v1"]).failure(2).stderr_is(&format!(
        "error: source `gone`: connection to `{url}` was refused\n  Caused by: failed to connect to 127.0.0.1: Connection refused\nhint: check the host and port, and that the server is running\n"
    ));
    sb.manifest(&Manifest::new().source(Source::git("gone", &url).tag("v1")));
    let install = sb.run(["install"]).failure(2).stderr_snapshot();
    assert!(!install.stderr().contains("class="), "{install}");
    // `outdated` takes no --offline either: installed from a server that has stopped since.
    let served = tempfile::tempdir().unwrap();
    let repo = GitRepo::new("served");
    repo.file("s.md", agent("s", "served")).commit("s");
    repo.bare_copy_into(served.path(), "served");
    let daemon = GitDaemon::start(served.path());
    let served_url = daemon.url("served");
    sb.manifest(&Manifest::new().source(Source::git("served", &served_url)));
    sb.run(["install"]).success();
    drop(daemon);
    sb.run(["outdated"]).failure(2).stderr_is(&format!(
        "error: source `served`: connection to `{served_url}` was refused\n  Caused by: failed to connect to 127.0.0.1: Connection refused\nhint: check the host and port, and that the server is running\n"
    ));

    sb.write("agentpack.toml", "[install]\ntargett = \"x\"\n");
    let out = sb.run(["install"]).failure(2);
    assert!(!out.stderr().contains("agentpack.toml.example"), "{out}");
    assert!(
        out.stderr()
            .contains("hint: the keys accepted here are listed above"),
        "{out}"
    );
}

#[test]
fn add_global_creates_the_manifest_and_shows_home_paths() {
    let repo = released("mine", "a", &["v1.0.0"]);
    let sb = Sandbox::new();
    let manifest = sb.config().join("agentpack/agentpack.toml");
    // An absolute path stays absolute in the manifest.
    let absolute = repo.path().display().to_string();
    sb.run(["add", "-g", &absolute])
        .success()
        .stderr_is(&format!(
            "    Fetching mine ({absolute})\n   Installed ~/.claude/agents/a.md from mine:a.md\n\
             Created `{}` with [sources.mine] (version ^1.0.0)\n    Finished 1 installed\n",
            manifest.display()
        ));
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.starts_with("# The global agentpack.toml"), "{text}");
    assert!(!text.contains("project"), "{text}");
    assert!(
        text.ends_with(&format!(
            "\n[sources.mine]\ngit = \"{absolute}\"\nversion = \"^1.0.0\"\n"
        )),
        "{text}"
    );
    assert!(sb.home().join(".claude/agents/a.md").is_file());
    // So does a relative one: the global manifest is not beside the directory it names.
    sb.write("mine-agents/b.md", agent("b", "Mine too"));
    sb.run(["add", "-g", "mine-agents"]).success();
    let text = std::fs::read_to_string(&manifest).unwrap();
    let written = sb.project().join("mine-agents").display().to_string();
    assert!(
        text.ends_with(&format!("\n[sources.mine-agents]\npath = \"{written}\"\n")),
        "{text}"
    );
    sb.run(["remove", "-g", "mine-agents"]).success();
    std::fs::write(sb.home().join(".claude/agents/a.md"), "edited").unwrap();
    sb.run(["install", "-g"]).success().stderr_snapshot();
    sb.run(["verify", "-g"]).failure(1).stdout_snapshot();
}

/// A collection with warnings in its files: `color-invalid` twice, `unknown-field` once.
fn noisy(name: &str) -> GitRepo {
    let repo = GitRepo::new(name);
    repo.file(
        "one.md",
        "---\nname: one\ndescription: x\ncolor: magenta\n---\n",
    )
    .file(
        "two.md",
        "---\nname: two\ndescription: x\ncolor: teal\nauthor: me\n---\n",
    )
    .commit("noisy");
    repo
}

#[test]
fn third_party_warnings_are_summed_up_per_source_and_not_repeated() {
    let repo = noisy("noisy");
    let sb = Sandbox::new();
    sb.write(
        "mine/own.md",
        "---\nname: own\ndescription: x\ncolor: teal\n---\n",
    );
    sb.manifest(
        &Manifest::new()
            .source(Source::git("noisy", repo.url()))
            .source(Source::path("mine", "mine")),
    );
    sb.run(["install"]).success().stderr_is(&format!(
        "    Fetching noisy ({})\n\
         warning[color-invalid]: `color` is `teal`, which Claude Code ignores\n --> mine:own.md:4:8\n  |\n4 | color: teal\n  |        ^\n  = hint: use one of red, blue, green, yellow, purple, orange, pink, cyan\n\
         warning[source-warnings]: `noisy`: 3 warnings in its agent files (2 color-invalid, 1 unknown-field); `-v` shows them, so does `agentpack verify` for installed files\n\
         \x20  Installed .claude/agents/one.md from noisy:one.md\n\
         \x20  Installed .claude/agents/own.md from mine:own.md\n\
         \x20  Installed .claude/agents/two.md from noisy:two.md\n\
         \x20   Finished 3 installed, 4 warnings\n",
        repo.url()
    ));
    // -v shows every warning in full.
    sb.run(["install", "-v", "--force"])
        .success()
        .stderr_snapshot();
    // An unchanged agent's warnings are not repeated (the path source makes this a full install, not
    // the no-op short-cut, so the policy is what keeps it quiet).
    sb.run(["install"])
        .success()
        .stderr_is("    Finished 0 installed, 3 unchanged\n");
    // A changed one's are.
    repo.file(
        "two.md",
        "---\nname: two\ndescription: y\ncolor: teal\nauthor: me\n---\n",
    )
    .commit("two changes");
    sb.run(["update"]).success().stderr_is(&format!(
        "    Fetching noisy ({})\n\
         warning[source-warnings]: `noisy`: 2 warnings in its agent files (1 color-invalid, 1 unknown-field); `-v` shows them, so does `agentpack verify` for installed files\n\
         \x20    Updated .claude/agents/two.md from noisy:two.md\n\
         \x20   Finished 0 installed, 1 updated, 2 unchanged, 2 warnings\n",
        repo.url()
    ));
    // lint and verify show everything; -q shows errors only, for every command.
    sb.run(["verify"]).success().stdout_snapshot();
    sb.run(["-q", "verify"])
        .success()
        .stdout_is("")
        .stderr_is("");
    sb.run(["-q", "lint", ".claude/agents"])
        .success()
        .stdout_is("")
        .stderr_is("");
    sb.run(["-q", "install", "--force"])
        .success()
        .stdout_is("")
        .stderr_is("");
}

#[test]
fn many_collisions_are_one_line_each_and_one_snippet() {
    let a = GitRepo::new("alpha");
    let b = GitRepo::new("beta");
    for name in ["x", "y", "z"] {
        a.file(&format!("{name}.md"), agent(name, "alpha's"));
        b.file(&format!("{name}.md"), agent(name, "beta's"));
    }
    a.commit("a");
    b.commit("b");
    let sb = project(
        &Manifest::new()
            .source(Source::git("alpha", a.url()))
            .source(Source::git("beta", b.url())),
    );
    let out = sb.run(["-q", "install"]).failure(1);
    assert_eq!(
        out.stderr(),
        "error[name-collision]: 2 agents would be installed as `x`: `alpha:x.md`, `beta:x.md`\n\
         error[name-collision]: 2 agents would be installed as `y`: `alpha:y.md`, `beta:y.md`\n\
         error[name-collision]: 2 agents would be installed as `z`: `alpha:z.md`, `beta:z.md`\n\
         \x20 = hint: install them under different names (`rename`, or `prefix = \"NAME-\"` for every agent of a source), `exclude` all but one, or let the source listed first win (`[install] on-collision = \"first\"`); this in agentpack.toml resolves every collision above (merge it into a `rename` the source already has):\n\
         [sources.beta.rename]\n\"x\" = \"beta-x\"\n\"y\" = \"beta-y\"\n\"z\" = \"beta-z\"\n\
         error: 3 errors found; nothing was installed\n"
    );
    // The snippet does what it says.
    let manifest = sb.read("agentpack.toml");
    sb.write(
        "agentpack.toml",
        format!("{manifest}\n[sources.beta.rename]\n\"x\" = \"beta-x\"\n\"y\" = \"beta-y\"\n\"z\" = \"beta-z\"\n"),
    );
    sb.run(["install"]).success().stderr_snapshot();
}

#[test]
fn errors_of_one_kind_with_one_hint_print_it_once() {
    let repo = studio();
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).tag("v1.0.0")));
    sb.run(["install"]).success();
    sb.write(".claude/agents/ui-designer.md", "edited\n");
    sb.write(".claude/agents/rapid-prototyper.md", "edited\n");
    sb.manifest(
        &Manifest::new().source(
            Source::git("studio", repo.url())
                .tag("v1.0.0")
                .agents(["backend-architect"]),
        ),
    );
    sb.run(["-q", "install"]).failure(1).stderr_is(
        "error[modified-file]: `.claude/agents/rapid-prototyper.md` is no longer in the manifest, but it was edited since agentpack installed it; agentpack will not delete it\n \
         --> .claude/agents/rapid-prototyper.md\n\
         error[modified-file]: `.claude/agents/ui-designer.md` is no longer in the manifest, but it was edited since agentpack installed it; agentpack will not delete it\n \
         --> .claude/agents/ui-designer.md\n  \
         = hint: move it out of the target directory to keep it, or run with `--force` to delete it\n\
         error: 2 errors found; nothing was installed\n",
    );
}

#[test]
fn add_owner_repo_at_a_major_changes_an_existing_requirement() {
    let releases = released("releases", "a", &["v1.0.0", "v2.0.0"]);
    let sb = Sandbox::new();
    // GitHub shorthand through a git `insteadOf`, so no network is needed.
    let gh = tempfile::tempdir().unwrap();
    releases.bare_copy_into(&gh.path().join("someone"), "releases");
    std::fs::write(
        sb.home().join(".gitconfig"),
        format!(
            "[url \"file://{}/\"]\n\tinsteadOf = https://github.com/\n",
            gh.path().display()
        ),
    )
    .unwrap();
    let original = "[sources.releases]\ngit = \"https://github.com/someone/releases.git\"\nversion = \"^1\"  # for now\n";
    sb.write("agentpack.toml", original);
    sb.run(["install"]).success();
    sb.run(["add", "someone/releases.git@2"])
        .success()
        .stderr_snapshot();
    assert_eq!(
        sb.read("agentpack.toml"),
        original.replace("\"^1\"", "\"2\"")
    );
    assert_eq!(
        locked_source(&lock(&sb), "releases")["tag"].as_str(),
        Some("v2.0.0")
    );
}

#[test]
fn add_of_a_colliding_source_gives_the_table_the_snippet_belongs_to() {
    let a = GitRepo::new("alpha");
    let b = GitRepo::new("beta");
    a.file("x.md", agent("x", "alpha's")).commit("a");
    b.file("x.md", agent("x", "beta's")).commit("b");
    let sb = project(&Manifest::new().source(Source::git("alpha", a.url())));
    sb.run(["install"]).success();
    let before = sb.read("agentpack.toml");
    let out = sb.run(["-q", "add", &b.url()]).failure(1);
    assert_eq!(
        out.stderr(),
        format!(
            "error[name-collision]: 2 agents would be installed as `x`: `alpha:x.md`, `beta:x.md`\n\
             \x20 = hint: install them under different names (`rename`, or `prefix = \"NAME-\"` for every agent of a source), `exclude` all but one, or let the source listed first win (`[install] on-collision = \"first\"`); this in agentpack.toml resolves every collision above (merge it into a `rename` the source already has):\n\
             [sources.beta.rename]\n\"x\" = \"beta-x\"\n\
             agentpack.toml was left as it was, so it has no [sources.beta] yet: to take the source with such renames (or a `prefix`), write its table first, then run `agentpack install`:\n\
             [sources.beta]\ngit = \"{}\"\n\
             error: 1 error found; nothing was installed\n",
            b.url()
        )
    );
    assert_eq!(sb.read("agentpack.toml"), before);
    // The table and the snippet do what they say.
    sb.write(
        "agentpack.toml",
        format!(
            "{before}\n[sources.beta]\ngit = \"{}\"\n\n[sources.beta.rename]\n\"x\" = \"beta-x\"\n",
            b.url()
        ),
    );
    sb.run(["install"]).success().stderr_snapshot();
}
