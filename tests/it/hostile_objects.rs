//! Hostile repository shapes beyond the catalog in `hostile.rs`: git objects no honest repository holds
//! (a tree entry named `..`, a tree 30,000 levels deep, a symlink whose target is megabytes, one directory
//! or file named billions or thousands of times over), built with
//! libgit2 in a real repository; large documentation beside agents; and a directory where an agent's file
//! goes, under `install --force`.

use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use crate::support::*;

/// A tree object written byte for byte, so names libgit2's tree builder refuses can be stored.
fn raw_tree(repo: &Repository, entries: &[(&str, &str, Oid)]) -> Oid {
    let mut bytes = Vec::new();
    for (mode, name, id) in entries {
        bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
        bytes.extend_from_slice(id.as_bytes());
    }
    repo.odb().unwrap().write(ObjectType::Tree, &bytes).unwrap()
}

/// Commit `tree` on top of `main` and tag it `tag`.
fn commit_tree(repo: &GitRepo, tree: Oid, tag: &str) -> String {
    let commit = repo.git(["commit-tree", &tree.to_string(), "-p", "HEAD", "-m", tag]);
    repo.git(["update-ref", "refs/heads/main", &commit]);
    repo.tag_at(tag, &commit);
    commit
}

/// A repository with a good agent tagged `v1`, a project that installed it, and libgit2 on the repository.
fn installed() -> (GitRepo, Sandbox, Repository) {
    isolate_git2();
    let repo = GitRepo::new("crafted");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.commit("good");
    repo.tag("v1");
    let sb = Sandbox::new();
    manifest(&sb, &repo, "v1");
    sb.run(["install"]).success();
    let git = Repository::open(repo.path()).unwrap();
    (repo, sb, git)
}

fn manifest(sb: &Sandbox, repo: &GitRepo, tag: &str) {
    sb.manifest(&Manifest::new().source(Source::git("s", repo.url()).tag(tag)));
}

/// The tree of `agents/` at `main`, for building on.
fn agents_tree(git: &Repository) -> Oid {
    let head = git.head().unwrap().peel_to_tree().unwrap();
    head.get_path(Path::new("agents")).unwrap().id()
}

/// Run `args`, expecting a clean refusal (exit 2) whose stderr has `needle`, and nothing changed.
#[track_caller]
fn refused(sb: &Sandbox, args: &[&str], needle: &str) {
    let before = sb.snapshot(".");
    let out = sb.run(args).failure(2);
    assert!(out.stderr().contains(needle), "{out}");
    assert!(!out.stderr().contains("panicked"), "{out}");
    assert_tree_eq(&before, &sb.snapshot("."));
}

#[test]
fn a_tree_entry_named_dot_dot_is_refused_by_install_and_vendor() {
    let (repo, sb, git) = installed();
    let v1 = repo.rev_parse("v1");
    let evil = git.blob(agent("evil", "escapes").as_bytes()).unwrap();
    let up = raw_tree(&git, &[("100644", "evil.md", evil)]);
    let root = raw_tree(
        &git,
        &[("40000", "..", up), ("40000", "agents", agents_tree(&git))],
    );
    let v2 = commit_tree(&repo, root, "v2");
    manifest(&sb, &repo, "v2");
    let message = format!(
        "source `s`: commit {} holds a tree entry named `..` (at `..`), which git itself refuses",
        &v2[..7]
    );
    refused(&sb, &["install"], &message);
    // A lock pinning that commit (as one written before this check would): `vendor` refuses it too.
    let lock = sb
        .read("agentpack.lock")
        .replace(&v1, &v2)
        // Quoted: the tag's `ref` and `tag` values, not the `v1` a random temporary path may hold.
        .replace("\"v1\"", "\"v2\"");
    sb.write("agentpack.lock", lock);
    refused(&sb, &["vendor"], &message);
    assert!(!sb.exists("agentpack-vendor"));
}

/// Served by `git daemon`: git itself refuses to pack trees deeper than `core.maxTreeDepth`, raised here
/// so that the tree reaches agentpack.
#[test]
fn a_tree_thousands_of_levels_deep_is_refused() {
    let (repo, sb, git) = installed();
    let blob = git.blob(agent("deep", "at the bottom").as_bytes()).unwrap();
    let mut tree = raw_tree(&git, &[("100644", "deep.md", blob)]);
    for _ in 0..1_000 {
        tree = raw_tree(&git, &[("40000", "d", tree)]);
    }
    let root = raw_tree(
        &git,
        &[("40000", "agents", agents_tree(&git)), ("40000", "d", tree)],
    );
    commit_tree(&repo, root, "v2");
    repo.git(["config", "core.maxTreeDepth", "100000"]);
    let served = tempfile::tempdir().unwrap();
    let bare = served.path().join("crafted.git");
    std::fs::create_dir(&bare).unwrap();
    crate::support::git(&bare, ["init", "-q", "--bare", "--template=", "."]);
    crate::support::git(&bare, ["config", "core.maxTreeDepth", "100000"]);
    repo.push_to(&bare);
    let daemon = GitDaemon::start(served.path());
    sb.manifest(&Manifest::new().source(Source::git("s", daemon.url("crafted")).tag("v2")));
    refused(
        &sb,
        &["install"],
        "nests directories more than 256 levels deep (at `d/d/d/",
    );
}

#[test]
fn a_symlink_with_a_huge_target_is_never_read() {
    let (repo, sb, git) = installed();
    // 2 MiB of path: over the 1 MiB file limit, which symlinks used to skip.
    let target = "a/".repeat(1024 * 1024);
    let link = git.blob(target.as_bytes()).unwrap();
    let mut agents = git
        .treebuilder(Some(&git.find_tree(agents_tree(&git)).unwrap()))
        .unwrap();
    agents.insert("link.md", link, 0o120000).unwrap();
    let agents = agents.write().unwrap();
    let root = raw_tree(&git, &[("40000", "agents", agents)]);
    commit_tree(&repo, root, "v2");
    manifest(&sb, &repo, "v2");
    refused(
        &sb,
        &["install"],
        "source `s`: symlink `agents/link.md` holds a 2097152-byte target; symlink targets are at most 4096 bytes",
    );
}

/// Over the 1 MiB agent limit.
fn large(front_matter: &str) -> String {
    format!(
        "{front_matter}# Reference\n{}",
        "All of it. ".repeat(200_000)
    )
}

#[test]
fn large_documentation_is_passed_over_and_large_agents_are_refused() {
    let repo = GitRepo::new("docs");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.file("llms-full.md", large(""));
    repo.file("docs/notes.md", large("---\ntitle: notes\n---\n"));
    repo.commit("docs");
    let sb = project(&Manifest::new().source(Source::git("s", repo.url())));
    let out = sb.run(["install", "-v"]).success();
    assert!(
        out.stderr().contains(
            "Skipped s:llms-full.md: it is 2200012 bytes, with no front matter naming an agent"
        ),
        "{out}"
    );
    assert_eq!(
        sb.snapshot(".claude/agents").keys().collect::<Vec<_>>(),
        ["good.md"]
    );
    // The same files read from a local directory, and by `lint`.
    sb.manifest(&Manifest::new().source(Source::path("s", repo.path().display())));
    sb.run(["install"]).success();
    sb.run(["lint", &repo.path().display().to_string()])
        .success();

    // An agent over the limit is still refused, naming it.
    repo.file(
        "agents/huge.md",
        large("---\nname: huge\ndescription: d\n---\n"),
    );
    repo.commit("huge agent");
    let out = sb.run(["install"]).failure(1);
    assert!(
        out.stderr()
            .contains("error[file-too-large]: file is 2200046 bytes; agent files over 1048576 bytes are refused"),
        "{out}"
    );
    assert!(out.stderr().contains("--> s:agents/huge.md"), "{out}");
    let out = sb
        .run(["lint", &repo.path().display().to_string()])
        .failure(1);
    assert!(out.stdout().contains("agents/huge.md"), "{out}");
}

#[test]
fn install_force_refuses_to_replace_or_delete_a_directory() {
    // A path source: what is in the directory is installed at once.
    let source = tempfile::tempdir().unwrap();
    let put = |name: &str| {
        std::fs::write(
            source.path().join(format!("{name}.md")),
            agent(name, "an agent"),
        )
        .unwrap()
    };
    put("good");
    let sb = project(&Manifest::new().source(Source::path("s", source.path().display())));
    sb.run(["install"]).success();

    // An incoming agent whose file is a directory of the user's.
    put("new");
    sb.write(".claude/agents/new.md/inner.txt", "mine");
    let before = sb.snapshot(".");
    let out = sb.run(["install", "--force"]).failure(1);
    assert!(
        out.stderr().contains(
            "error[unmanaged-file]: `.claude/agents/new.md` is a directory; agentpack replaces only files, even with `--force`"
        ),
        "{out}"
    );
    assert_tree_eq(&before, &sb.snapshot("."));
    assert!(!sb.exists(".agentpack-journal"));

    // An installed file that became a directory, and is no longer wanted.
    sb.remove(".claude/agents/new.md");
    std::fs::remove_file(source.path().join("good.md")).unwrap();
    sb.remove(".claude/agents/good.md");
    sb.write(".claude/agents/good.md/inner.txt", "mine too");
    let before = sb.snapshot(".");
    let out = sb.run(["install", "--force"]).failure(1);
    assert!(
        out.stderr()
            .contains("`.claude/agents/good.md` is a directory"),
        "{out}"
    );
    assert_tree_eq(&before, &sb.snapshot("."));

    // Once the directory is moved away, installs work again and leave nothing behind.
    sb.remove(".claude/agents/good.md");
    sb.run(["install"]).success();
    let left: Vec<String> = sb.snapshot(".").into_keys().collect();
    assert!(left.iter().all(|p| !p.contains(".agentpack-")), "{left:?}");
    assert_eq!(
        sb.snapshot(".claude/agents").keys().collect::<Vec<_>>(),
        ["new.md"]
    );
}

#[test]
fn a_path_with_a_backslash_installs_but_is_not_vendored() {
    // A backslash is an ordinary character in a git path, and a separator on Windows.
    let repo = GitRepo::new("slashes");
    repo.file("agents/a\\b.md", agent("backslash", "an odd path"));
    repo.commit("backslash");
    let sb = project(&Manifest::new().source(Source::git("s", repo.url())));
    sb.run(["install"]).success();
    refused(
        &sb,
        &["vendor"],
        "error: source `s`: `agents/a\\b.md` is not a plain relative path, so it cannot be vendored",
    );
    assert!(!sb.exists("agentpack-vendor"));
}

/// A tree of `levels` directories that each hold the next one twice (`a/` and `b/`), over a bottom
/// directory holding `leaf`: 2^`levels` paths to one object, in `levels + 1` tree objects.
fn repeated_tree(git: &Repository, leaf: Oid, levels: usize) -> Oid {
    let mut tree = raw_tree(git, &[("100644", "leaf.md", leaf)]);
    for _ in 0..levels {
        tree = raw_tree(git, &[("40000", "a", tree), ("40000", "b", tree)]);
    }
    raw_tree(
        git,
        &[("40000", "agents", agents_tree(git)), ("40000", "x", tree)],
    )
}

#[test]
fn a_tree_holding_one_directory_a_billion_times_over_stops_after_bounded_work() {
    let (repo, sb, git) = installed();
    let leaf = git.blob(agent("leaf", "everywhere").as_bytes()).unwrap();
    // 2^30 paths in 31 tree objects: walking them all took hours and gigabytes.
    commit_tree(&repo, repeated_tree(&git, leaf, 30), "v2");
    manifest(&sb, &repo, "v2");
    refused(
        &sb,
        &["install"],
        "error: source `s`: reading stopped: the sources hold more than 1000000 files and directories in all (a tree that holds the same directory many times over is a crafted repository)",
    );
}

#[test]
fn one_large_file_named_thousands_of_times_stops_with_bounded_memory() {
    let (repo, sb, git) = installed();
    // Just under the 1 MiB agent limit, in 4,096 places: 4 GiB to load from a repository of kilobytes.
    let big = format!(
        "---\nname: leaf\ndescription: big\n---\n{}",
        "x".repeat(1024 * 1024 - 64)
    );
    let leaf = git.blob(big.as_bytes()).unwrap();
    commit_tree(&repo, repeated_tree(&git, leaf, 12), "v2");
    manifest(&sb, &repo, "v2");
    let before = sb.snapshot(".");
    crate::hostile_reach::install_with_bounded_memory(&sb)
        .failure(2)
        .stderr_snapshot();
    assert_tree_eq(&before, &sb.snapshot("."));
}
