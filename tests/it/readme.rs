//! Every `agentpack` command the README shows (in ```sh blocks and as `$ agentpack ...` in output
//! examples) is run here, against real local repositories standing in for GitHub (a git `insteadOf`
//! rewrite of `https://github.com/` to a local directory), and so are the README's main manifest
//! example and the `add` result it prints. `every_readme_command_is_run_by_a_test` fails when the README
//! gains a command that no test here runs. The last test holds the README's word on `BENCHMARKS.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::*;

static README: &str = include_str!("../../README.md");

/// The code blocks of the README with their language: `(lang, body)`.
fn blocks() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut rest = README;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let lang_end = after.find('\n').unwrap();
        let lang = after[..lang_end].trim();
        let body_start = lang_end + 1;
        let body_len = after[body_start..].find("```").unwrap();
        out.push((lang, &after[body_start..body_start + body_len]));
        rest = &after[body_start + body_len + 3..];
    }
    out
}

/// A README command as it is compared: without `$ `, a trailing `# comment` or a `> redirect`.
fn normalize(line: &str) -> String {
    let line = line.trim().trim_start_matches("$ ");
    let line = line.split(" #").next().unwrap();
    let line = line.split(" >").next().unwrap();
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `agentpack` command in the README.
fn readme_commands() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (lang, body) in blocks() {
        for line in body.lines() {
            let line = line.trim();
            if line.starts_with("$ agentpack") || (lang == "sh" && line.starts_with("agentpack")) {
                out.insert(normalize(line));
            }
        }
    }
    out
}

/// The README block that contains or follows `marker`.
fn block_after(marker: &str) -> &'static str {
    let at = README
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in README"));
    let (_, body) = blocks()
        .into_iter()
        .find(|(_, body)| {
            let offset = body.as_ptr() as usize - README.as_ptr() as usize;
            offset + body.len() > at
        })
        .unwrap();
    body
}

/// Runs a README command line (split on spaces, without its comment or redirection).
///
/// The checks on these runs are substrings: the subject is that the README's commands work and
/// print what the README says about them; each command's full output is compared exactly in its
/// own tests.
fn run_readme(sb: &Sandbox, line: &str) -> Outcome {
    let line = normalize(line);
    sb.run(line.split(' ').skip(1))
}

/// Publishes `repo` as `<gh>/<owner>/<name>` (bare, no `.git` suffix: the README's URLs have none).
fn publish(repo: &GitRepo, gh: &Path, owner: &str, name: &str) -> PathBuf {
    let bare = repo.bare_copy_into(&gh.join(owner), name);
    let plain = gh.join(owner).join(name);
    std::fs::rename(&bare, &plain).unwrap();
    plain
}

/// `https://github.com/` served from `gh` for every command of `sb`.
fn fake_github(sb: &Sandbox, gh: &Path) {
    std::fs::write(
        sb.home().join(".gitconfig"),
        format!(
            "[url \"file://{}/\"]\n\tinsteadOf = https://github.com/\n",
            gh.display()
        ),
    )
    .unwrap();
}

/// contains-studio/agents as the README's examples use it: `engineering/` with a backend architect, a
/// prototyper, a joker and `design/` agents; tags v1.0.0 and v1.2.0 on `main`.
fn studio_repo() -> GitRepo {
    let repo = GitRepo::new("agents");
    repo.file(
        "engineering/backend-architect.md",
        agent("backend-architect", "Designs backends"),
    )
    .file(
        "engineering/rapid-prototyper.md",
        agent("rapid-prototyper", "Builds prototypes"),
    )
    .file("engineering/joker.md", agent("joker", "Jokes"))
    .file(
        "engineering/design/ui-designer.md",
        agent("ui-designer", "Designs UIs"),
    );
    repo.commit("v1.0.0");
    repo.tag("v1.0.0");
    repo.file(
        "engineering/backend-architect.md",
        agent("backend-architect", "Designs backends, 1.2"),
    );
    repo.commit("v1.2.0");
    repo.tag("v1.2.0");
    repo
}

/// What the README's `add` examples name: `contains-studio/agents` and `acme/agents` on the fake
/// GitHub, `../my-agents` (a directory) and `../agents-repo` (a repository tagged v1.0.0, v2.0.0).
fn readme_sources(sb: &Sandbox) {
    let gh = sb.root().join("gh");
    fake_github(sb, &gh);
    publish(&studio_repo(), &gh, "contains-studio", "agents");
    let acme = GitRepo::new("acme");
    acme.file("engineering/acme-helper.md", agent("acme-helper", "Helps"))
        .commit("acme");
    acme.tag("v1.2.3");
    publish(&acme, &gh, "acme", "agents");
    let mine = sb.root().join("my-agents");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("my-own.md"), agent("my-own", "Mine")).unwrap();
    let repo = GitRepo::new("agents-repo");
    for tag in ["v1.0.0", "v2.0.0"] {
        repo.file("repo-agent.md", agent("repo-agent", tag));
        repo.commit(tag);
        repo.tag(tag);
    }
    std::fs::rename(
        repo.bare_copy_into(sb.root(), "agents-repo"),
        sb.root().join("agents-repo"),
    )
    .unwrap();
}

#[test]
fn readme_add_install_list_lint_verify_and_vendor_examples_run() {
    let sb = Sandbox::new();
    readme_sources(&sb);
    run_readme(&sb, "agentpack init").success();
    let template = sb.read("agentpack.toml");
    // `add`: the table the README shows for its first example, exactly.
    run_readme(
        &sb,
        "agentpack add contains-studio/agents@v1.2.0 --agent backend-architect --as studio-backend",
    )
    .success();
    let appended = block_after("# appended by the first command above")
        .replace("# appended by the first command above\n", "");
    assert_eq!(sb.read("agentpack.toml"), format!("{template}\n{appended}"));
    run_readme(
        &sb,
        "agentpack add https://github.com/acme/agents --version ^1.2 --subdir engineering --name acme",
    )
    .success();
    run_readme(&sb, "agentpack add ../my-agents").success();
    assert!(
        sb.read("agentpack.toml")
            .contains("\npath = \"../my-agents\"\n")
    );
    run_readme(&sb, "agentpack add ../agents-repo").success();
    assert!(
        sb.read("agentpack.toml")
            .ends_with("[sources.agents-repo]\ngit = \"../agents-repo\"\nversion = \"^2.0.0\"\n")
    );
    run_readme(&sb, "agentpack add ../agents-repo --version ^2").success();
    assert!(
        sb.read("agentpack.toml")
            .ends_with("[sources.agents-repo]\ngit = \"../agents-repo\"\nversion = \"^2\"\n")
    );
    for line in [
        "agentpack install",
        "agentpack install --locked",
        "agentpack install --offline",
        "agentpack install --frozen",
        "agentpack install --strict",
        "agentpack install --force",
        "agentpack install --jobs 2",
    ] {
        run_readme(&sb, line).success();
    }
    let list = run_readme(&sb, "$ agentpack list").success();
    assert!(list.stdout().starts_with("NAME "), "{list}");
    let json = run_readme(&sb, "$ agentpack list --json")
        .success()
        .stdout_json();
    assert_eq!(json.as_array().unwrap().len(), 4);

    sb.write("agents/reviewer.md", agent("reviewer", "Reviews"));
    for line in [
        "agentpack lint .claude/agents",
        "agentpack lint --strict agents/reviewer.md",
        "agentpack lint --json agents/",
        "agentpack lint --format github agents/",
        "agentpack verify",
        "agentpack verify --strict",
        "agentpack verify --json",
        "agentpack verify --format github",
    ] {
        run_readme(&sb, line).success();
    }
    run_readme(&sb, "$ agentpack vendor")
        .success()
        .stdout_is("[install]\nvendor = \"agentpack-vendor\"\n");
}

#[test]
fn readme_manifest_example_and_update_remove_outdated_tree_examples_run() {
    let sb = Sandbox::new();
    let gh = sb.root().join("gh");
    fake_github(&sb, &gh);
    let studio = studio_repo();
    let bare = publish(&studio, &gh, "contains-studio", "agents");
    let mine = sb.root().join("my-agents");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("my-own.md"), agent("my-own", "Mine")).unwrap();

    // The manifest of "The manifest" section, as it is.
    let manifest =
        block_after("`agentpack.toml.example` is the same file with every key commented");
    sb.write("agentpack.toml", manifest);
    sb.run(["install"]).success();
    let mut names: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "my-own.md",
            "rapid-prototyper.md",
            "studio-backend-architect.md",
            "ui-designer.md"
        ]
    );

    studio.file(
        "engineering/rapid-prototyper.md",
        agent("rapid-prototyper", "Builds prototypes faster"),
    );
    studio.commit("faster");
    studio.push_to(&bare);
    run_readme(&sb, "$ agentpack update")
        .success()
        .stdout_has("studio  main (");
    run_readme(&sb, "$ agentpack update --breaking studio").success();
    run_readme(&sb, "$ agentpack outdated")
        .success()
        .stdout_has("studio  branch main");
    run_readme(&sb, "$ agentpack outdated --json").success();
    run_readme(&sb, "$ agentpack tree")
        .success()
        .stdout_has("├── agent rapid-prototyper");
    run_readme(&sb, "agentpack remove ui-designer").success();
    run_readme(&sb, "agentpack remove studio").success();
    assert!(!sb.read("agentpack.toml").contains("[sources.studio]"));

    // The trust example is a valid source too.
    let trust = block_after("allowed by (on the source)");
    sb.write(
        "agentpack.toml",
        trust.replace(" # only what is listed", "\n# only"),
    );
    sb.run(["install"]).success();
}

#[test]
fn readme_global_and_completions_examples_run() {
    let sb = Sandbox::new();
    let repo = GitRepo::new("mine");
    repo.file("a.md", agent("a", "mine")).commit("a");
    run_readme(&sb, "agentpack init --global").success();
    let manifest = sb.config().join("agentpack/agentpack.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}\n[sources.mine]\ngit = \"{}\"\n", repo.url()),
    )
    .unwrap();
    run_readme(&sb, "agentpack install -g").success();
    run_readme(&sb, "agentpack list -g")
        .success()
        .stdout_has("a ");
    run_readme(&sb, "agentpack verify -g").success();
    for (line, needle) in [
        (
            "agentpack completions bash > ~/.local/share/bash-completion/completions/agentpack",
            "_agentpack()",
        ),
        (
            "agentpack completions zsh > \"${fpath[1]}/_agentpack\"",
            "#compdef agentpack",
        ),
        (
            "agentpack completions fish > ~/.config/fish/completions/agentpack.fish",
            "complete -c agentpack",
        ),
    ] {
        run_readme(&sb, line).success().stdout_has(needle);
    }
}

#[test]
fn readme_patch_example_runs() {
    let sb = Sandbox::new();
    let team = GitRepo::new("team");
    team.file("agents/reviewer.md", agent("reviewer", "Reviews"));
    team.commit("reviewer");
    sb.manifest(&Manifest::new().source(Source::git("team", team.url())));
    sb.run(["install"]).success();
    let edited = agent("reviewer", "Reviews, our way");
    sb.write(".claude/agents/reviewer.md", &edited);
    run_readme(&sb, "agentpack patch reviewer").success();
    assert!(sb.exists("agentpack-patches/reviewer.patch"));
    assert!(
        sb.read("agentpack.toml")
            .contains("[patches]\nreviewer = \"agentpack-patches/reviewer.patch\"")
    );
    sb.run(["verify"]).success();
    run_readme(&sb, "agentpack patch --remove reviewer").success();
    assert!(!sb.exists("agentpack-patches/reviewer.patch"));
    assert!(!sb.read("agentpack.toml").contains("[patches]"));
    assert_eq!(
        sb.read(".claude/agents/reviewer.md"),
        agent("reviewer", "Reviews")
    );
}

#[test]
fn readme_skills_and_commands_examples_run() {
    let sb = Sandbox::new();
    let gh = sb.root().join("gh");
    fake_github(&sb, &gh);
    publish(&toolkit(), &gh, "acme", "skills");
    sb.manifest(&Manifest::new());
    run_readme(&sb, "agentpack add acme/skills --skill pdf").success();
    assert!(sb.exists(".claude/skills/pdf/scripts/fill.py"));
    run_readme(&sb, "agentpack add acme/skills --command review").success();
    assert!(sb.exists(".claude/commands/review.md"));
    let text = sb.read("agentpack.toml");
    assert!(
        text.contains("skills = [\"pdf\"]\ncommands = [\"review\"]"),
        "{text}"
    );
    // The README's manifest examples of both sections, as written.
    for marker in [
        "skills = [\"pdf\", \"form-*\"]",
        "commands = [\"review\", \"git/*\"]",
    ] {
        let example = block_after(marker).replace(
            "https://github.com/acme/skills",
            &file_url(&gh.join("acme/skills")),
        );
        let example = example.replace("\"form-*\"", "\"xlsx\"");
        sb.write("agentpack.toml", &example);
        sb.run(["install"]).success();
    }
    assert!(sb.exists(".claude/commands/git/ci.md"));
    sb.run(["verify"]).success();
}

/// Every README command is run by one of the tests above: each appears there as a string literal
/// handed to [`run_readme`].
#[test]
fn every_readme_command_is_run_by_a_test() {
    let source = include_str!("readme.rs");
    let mut covered = BTreeSet::new();
    for start in ["\"agentpack ", "\"$ agentpack "] {
        for (at, _) in source.match_indices(start) {
            let literal = &source[at + 1..];
            let end = literal
                .char_indices()
                .find(|&(i, c)| c == '"' && !literal[..i].ends_with('\\'))
                .map(|(i, _)| i)
                .unwrap();
            covered.insert(normalize(&literal[..end]));
        }
    }
    let commands = readme_commands();
    // The extraction finds the README's commands (about forty), so an empty list cannot pass.
    assert!(commands.len() > 30, "{commands:#?}");
    let missing: Vec<String> = commands
        .into_iter()
        .filter(|command| !covered.contains(command))
        .collect();
    assert!(
        missing.is_empty(),
        "README commands no test runs: {missing:#?}"
    );
}

/// Copies the directory `from` (recursively) to `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Quick start: `cargo run --release -- --manifest-path fixtures/example/agentpack.toml install`
/// installs six agents. Run with the test binary on a git repository laid out like this one (the
/// example reads `../..` through git), so the worktree itself is never written; and run in the README's
/// order, the quick start first and then the tests in the same checkout, whose `fixtures/example` then
/// holds the lock and agents of that first run.
#[test]
fn readme_quick_start_example_installs_six_agents() {
    assert!(README.contains("The example installs six agents"));
    let checkout = example_repo(Path::new(env!("CARGO_MANIFEST_DIR")));
    install_the_example(&checkout);
    install_the_example(&example_repo(checkout.path()));
}

/// The bundled example's manifest, as the quick start names it.
const EXAMPLE: &str = "fixtures/example/agentpack.toml";

/// A git repository holding what the bundled example reads, copied from the checkout at `root`: its
/// manifest and the two folders of agents. Not the rest of `fixtures/example`: running the example
/// writes its agents and lock there (ignored by git), and that lock pins a commit of the checkout.
fn example_repo(root: &Path) -> GitRepo {
    let repo = GitRepo::new("agentpack");
    for dir in [
        "fixtures/agents/seed-shapes",
        "fixtures/agents/example-pack",
    ] {
        copy_dir(&root.join(dir), &repo.path().join(dir));
    }
    repo.file(EXAMPLE, std::fs::read(root.join(EXAMPLE)).unwrap());
    repo.commit("the bundled example");
    repo
}

/// The quick start's install, in `repo`: six agents installed.
fn install_the_example(repo: &GitRepo) {
    let sb = Sandbox::new();
    let manifest = repo.path().join(EXAMPLE);
    sb.run(["--manifest-path", manifest.to_str().unwrap(), "install"])
        .success()
        .stderr_has("Finished 6 installed");
    let installed = std::fs::read_dir(repo.path().join("fixtures/example/.claude/agents"))
        .unwrap()
        .count();
    assert_eq!(installed, 6);
}

/// The pack example of "Packs: sources with sources", as the README writes it, at the root of
/// `acme/review-pack`: its source is installed, its `[install]` ignored.
#[test]
fn readme_pack_example_runs() {
    let sb = Sandbox::new();
    let gh = sb.root().join("gh");
    fake_github(&sb, &gh);
    let style = GitRepo::new("style-agents");
    style
        .file("style-guide.md", agent("style-guide", "Style"))
        .file("other.md", agent("other", "Not style"))
        .commit("style");
    style.tag("v1.1.0");
    publish(&style, &gh, "acme", "style-agents");
    let pack = GitRepo::new("review-pack");
    let manifest =
        block_after("# agentpack.toml at the root of https://github.com/acme/review-pack");
    pack.file("agentpack.toml", manifest)
        .file("reviewer.md", agent("reviewer", "Reviews"))
        .commit("pack");
    publish(&pack, &gh, "acme", "review-pack");
    sb.manifest(
        &Manifest::new().source(Source::git("review", "https://github.com/acme/review-pack")),
    );
    sb.run(["install"]).success();
    let mut names: Vec<String> = sb.snapshot(".claude/agents").into_keys().collect();
    names.sort();
    assert_eq!(names, ["reviewer.md", "style-guide.md"]);
    assert!(!sb.exists("elsewhere"));
    sb.run(["tree"]).success().stdout_has("review/style v1.1.0");
}

/// As the README's "Benchmarks" says, `BENCHMARKS.md` ends with the notes of `benches/NOTES.md`, which
/// `cargo bench` appends to the tables it writes: notes edited in `BENCHMARKS.md` alone would be lost
/// by the next run, and notes edited in `benches/NOTES.md` alone would not describe the committed one.
#[test]
fn benchmarks_md_ends_with_the_bench_notes() {
    assert!(README.contains("`BENCHMARKS.md` holds the notes of `benches/NOTES.md`"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let notes = std::fs::read_to_string(root.join("benches/NOTES.md")).unwrap();
    let benchmarks = std::fs::read_to_string(root.join("BENCHMARKS.md")).unwrap();
    assert!(notes.starts_with("## Targets"), "{notes:.80}");
    let tables = benchmarks
        .strip_suffix(notes.as_str())
        .expect("BENCHMARKS.md ends with benches/NOTES.md");
    assert!(tables.contains("## Corpus R"), "{tables:.200}");
}
