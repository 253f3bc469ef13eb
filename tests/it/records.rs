//! The cache's records (`git/checkouts/`): what git answered about a commit, answered again without git.
//! Served from records, an install is byte for byte the install from git (files, modes, lock, `list`,
//! messages) for every kind of file a snapshot holds (agents, skills with an executable script, a file
//! over the size limit, a symlink passed over); a damaged record is reported, ignored and rebuilt; a
//! record answers only its own question; and the read budget holds the same either way.
//!
//! That an install was served by records is shown by damaging the git repository first: reading it would
//! report `cache-damaged` and `--frozen` could not fetch it again.

use std::path::{Path, PathBuf};

use crate::hostile::{cache_repo, files_in};
use crate::support::*;

/// Every record file under the sandbox's cache, sorted.
fn records(sb: &Sandbox) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![sb.cache().join("git/checkouts")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                dirs.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The record files whose name starts with `kind` (`snapshot`, `file`, `entry`).
fn records_of(sb: &Sandbox, kind: &str) -> Vec<PathBuf> {
    records(sb)
        .into_iter()
        .filter(|p| file_name(p).starts_with(&format!("{kind}-")))
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// Truncate every pack of the cache repository: whatever reads it from now on finds it damaged.
pub(crate) fn damage_repository(sb: &Sandbox) {
    for pack in files_in(&cache_repo(sb).join("objects/pack"), "pack") {
        let len = std::fs::metadata(&pack).unwrap().len();
        let file = std::fs::OpenOptions::new().write(true).open(&pack).unwrap();
        file.set_len(len / 2).unwrap();
    }
}

/// A source with every kind of file a snapshot holds: agents, a skill with an executable script and a
/// binary asset, commands, documentation over the 1 MiB limit, and a symlink leading out of the
/// repository.
fn everything() -> GitRepo {
    let repo = toolkit();
    repo.file(
        "agents/huge-notes.md",
        format!("# Notes\n{}", "n".repeat(1024 * 1024 + 10)),
    )
    .symlink("agents/escape.md", "../../outside.md")
    .file("agents/helper.md", agent("helper", "Helps"));
    repo.commit("more");
    repo.tag("v1");
    repo
}

fn everything_manifest(repo: &GitRepo) -> Manifest {
    Manifest::new().source(
        Source::git("kit", repo.url())
            .tag("v1")
            .agents(["*"])
            .skills(["*"])
            .commands(["*"]),
    )
}

/// What an install leaves that must not depend on how the source was read.
#[derive(Debug, PartialEq)]
struct Installed {
    files: std::collections::BTreeMap<String, Vec<u8>>,
    modes: Vec<(String, u32)>,
    stderr: String,
    list: String,
}

fn install_frozen(sb: &Sandbox) -> Installed {
    sb.remove(".claude");
    let out = sb.run(["install", "--frozen", "-v"]).success();
    let list = sb.run(["list"]).success();
    let files = sb.snapshot(".");
    let mut modes = Vec::new();
    #[cfg(unix)]
    for rel in files.keys().filter(|k| k.starts_with(".claude/")) {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sb.path(rel))
            .unwrap()
            .permissions()
            .mode();
        modes.push((rel.clone(), mode & 0o777));
    }
    Installed {
        files,
        modes,
        stderr: out.stderr().to_string(),
        list: list.stdout().to_string(),
    }
}

#[test]
fn an_install_from_records_is_the_install_from_git() {
    let repo = everything();
    let sb = project(&everything_manifest(&repo));
    sb.run(["install"]).success();
    // From git: the records are gone, the repository is intact (`--frozen` cannot fetch).
    std::fs::remove_dir_all(sb.cache().join("git/checkouts")).unwrap();
    let from_git = install_frozen(&sb);
    assert!(
        from_git.stderr.contains("huge-notes.md") && from_git.stderr.contains("escape.md"),
        "the large file and the link are reported: {}",
        from_git.stderr
    );
    assert!(
        (from_git.modes.iter()).any(|(rel, mode)| rel.ends_with("fill.py") && *mode == 0o755),
        "{:?}",
        from_git.modes
    );
    assert_eq!(records_of(&sb, "snapshot").len(), 1);
    // From records: the repository can no longer be read at all.
    damage_repository(&sb);
    let from_records = install_frozen(&sb);
    assert_eq!(from_git, from_records);
    assert!(!from_records.stderr.contains("cache-damaged"));
}

/// Install `--frozen` after `damage` to the snapshot record: the damage is reported once, the install is
/// the same, and the record is written again.
fn rebuilt_after(damage: impl Fn(&Path), reason: &str) {
    let repo = everything();
    let sb = project(&everything_manifest(&repo));
    sb.run(["install"]).success();
    let expected = install_frozen(&sb);
    sb.remove(".claude");
    let quiet = sb.run(["install", "--frozen"]).success();
    let [record] = &records_of(&sb, "snapshot")[..] else {
        panic!("one snapshot record: {:?}", records(&sb))
    };
    let good = std::fs::read(record).unwrap();
    damage(record);

    sb.remove(".claude");
    let commit = repo.rev_parse("v1^{commit}");
    sb.run(["install", "--frozen"]).success().stderr_is(&format!(
        "warning[cache-damaged]: a cached record of commit {} of `{}` is damaged ({reason}); reading the commit from the repository again\n  = hint: cache records of that commit: `{}`\n{}",
        &commit[..7],
        repo.url(),
        record.parent().unwrap().display(),
        quiet.stderr()
    ));
    assert_eq!(std::fs::read(record).unwrap(), good, "rebuilt as it was");
    let again = install_frozen(&sb);
    assert_eq!(expected, again);
}

/// Cut the last `by` bytes off `record`.
fn truncate(record: &Path, by: u64) {
    let len = std::fs::metadata(record).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(record)
        .unwrap();
    file.set_len(len - by).unwrap();
}

/// Flip a bit of the last byte of `record` (a byte of its last blob).
fn flip_last_byte(record: &Path) {
    let mut bytes = std::fs::read(record).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(record, bytes).unwrap();
}

#[test]
fn a_truncated_record_is_rebuilt() {
    rebuilt_after(
        |record| truncate(record, 100),
        "it is truncated or longer than its header says",
    );
}

#[test]
fn a_record_with_a_flipped_byte_is_rebuilt() {
    rebuilt_after(flip_last_byte, "a file's bytes do not match their sha256");
}

#[test]
fn a_record_whose_header_does_not_parse_is_rebuilt() {
    rebuilt_after(
        |record| {
            let mut bytes = std::fs::read(record).unwrap();
            let brace = bytes.iter().position(|b| *b == b'{').unwrap();
            bytes[brace] = b'[';
            std::fs::write(record, bytes).unwrap();
        },
        "its header does not parse: unknown variant `question`, expected one of `snapshot`, `file`, `entry` at line 1 column 11",
    );
}

#[test]
fn a_folder_in_place_of_a_record_is_replaced() {
    rebuilt_after(
        |record| {
            std::fs::remove_file(record).unwrap();
            std::fs::create_dir_all(record.join("inside")).unwrap();
        },
        "it is not a regular file",
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_in_place_of_a_record_is_replaced() {
    rebuilt_after(
        |record| {
            let elsewhere = record.with_file_name("elsewhere");
            std::fs::rename(record, &elsewhere).unwrap();
            std::os::unix::fs::symlink(&elsewhere, record).unwrap();
        },
        "it is not a regular file",
    );
}

/// Two sources on one repository and commit, each searching its own folder: one snapshot record each,
/// and one put in the place of the other is taken for damaged, never for the other's answer.
#[test]
fn a_record_answers_only_its_own_question() {
    let repo = GitRepo::new("teams");
    repo.file("team-a/alpha.md", agent("alpha", "Team A"))
        .file("team-b/beta.md", agent("beta", "Team B"));
    repo.commit("teams");
    repo.tag("v1");
    let sb = project(
        &Manifest::new()
            .source(Source::git("a", repo.url()).tag("v1").subdir("team-a"))
            .source(Source::git("b", repo.url()).tag("v1").subdir("team-b")),
    );
    sb.run(["install"]).success();
    let expected = install_frozen(&sb);
    assert_eq!(
        expected.list,
        sb.run(["list"]).success().stdout(),
        "(list is stable)"
    );
    let snapshots = records_of(&sb, "snapshot");
    assert_eq!(snapshots.len(), 2, "{snapshots:?}");
    std::fs::copy(&snapshots[0], &snapshots[1]).unwrap();

    sb.remove(".claude");
    let out = sb.run(["install", "--frozen"]).success();
    assert_eq!(
        out.stderr()
            .matches("(it answers another question)")
            .count(),
        1,
        "{out}"
    );
    assert_eq!(installed(&sb), ["alpha.md", "beta.md"]);
    assert_eq!(expected, install_frozen(&sb));
}

/// `levels` of folders each holding the next twice, over a file that is not read (`leaf.txt`): about
/// 3 × 2^`levels` tree entries to walk, in a few objects.
fn repeated(git: &git2::Repository, levels: usize) -> git2::Oid {
    let leaf = git.blob(b"not markdown").unwrap();
    let mut builder = git.treebuilder(None).unwrap();
    builder.insert("leaf.txt", leaf, 0o100644).unwrap();
    let mut tree = builder.write().unwrap();
    for _ in 0..levels {
        let mut builder = git.treebuilder(None).unwrap();
        builder.insert("a", tree, 0o040000).unwrap();
        builder.insert("b", tree, 0o040000).unwrap();
        tree = builder.write().unwrap();
    }
    tree
}

/// A commit of `tree` on top of `repo`'s HEAD; its id.
pub(crate) fn commit_tree(repo: &GitRepo, tree: git2::Oid, message: &str) -> String {
    repo.git([
        "commit-tree",
        &tree.to_string(),
        "-p",
        "HEAD",
        "-m",
        message,
    ])
}

/// Two folders of one commit, each within the read budget alone and over it together: the error is
/// the same whether the first folder's snapshot was recorded or not (a record that does not fit what is
/// left of the budget is read from git again, which says where reading stops).
#[test]
fn the_read_budget_holds_the_same_for_records() {
    isolate_git2();
    let repo = GitRepo::new("wide");
    repo.file("one/agent-one.md", agent("agent-one", "One"))
        .file("two/agent-two.md", agent("agent-two", "Two"));
    repo.commit("wide");
    let git = git2::Repository::open(repo.path()).unwrap();
    // 3 × 2^18 = 786,432 entries under each folder: one fits in the 1,000,000, two do not.
    let wide = repeated(&git, 18);
    let head = git.head().unwrap().peel_to_tree().unwrap();
    let mut root = git.treebuilder(Some(&head)).unwrap();
    for folder in ["one", "two"] {
        let tree = git.find_tree(head.get_name(folder).unwrap().id()).unwrap();
        let mut builder = git.treebuilder(Some(&tree)).unwrap();
        builder.insert("wide", wide, 0o040000).unwrap();
        root.insert(folder, builder.write().unwrap(), 0o040000)
            .unwrap();
    }
    let commit = commit_tree(&repo, root.write().unwrap(), "wide");
    repo.tag_at("v1", &commit);
    let source = |name: &str| Source::git(name, repo.url()).tag("v1").subdir(name);
    let both = Manifest::new().source(source("one")).source(source("two"));

    let from_git = project(&both);
    let expected = from_git.run(["install"]).failure(2);
    assert!(
        expected.stderr().contains(
            "reading stopped: the sources hold more than 1000000 files and directories in all"
        ),
        "{expected}"
    );

    let sb = project(&Manifest::new().source(source("one")));
    sb.run(["install"]).success();
    sb.manifest(&Manifest::new().source(source("two")));
    sb.run(["install"]).success();
    assert_eq!(records_of(&sb, "snapshot").len(), 2);
    sb.manifest(&both);
    let before = sb.snapshot(".");
    let out = sb.run(["install", "--offline"]).failure(2);
    let without_fetches = |stderr: &str| {
        (stderr.lines())
            .filter(|l| !l.trim_start().starts_with("Fetching"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        without_fetches(out.stderr()),
        without_fetches(expected.stderr())
    );
    assert_tree_eq(&before, &sb.snapshot("."));
}

/// A repository found damaged after records said its commit was cached: the question its records do not
/// answer fails, saying to run again (the repository and its records are gone), and the next run fetches.
#[test]
fn a_repository_found_damaged_after_its_records_answered_is_fetched_by_the_next_run() {
    let repo = everything();
    let sb = project(&everything_manifest(&repo));
    sb.run(["install"]).success();
    let expected = sb.snapshot(".");
    damage_repository(&sb);
    // The pack manifest's record: the one question of the next install left to git.
    for record in records_of(&sb, "file") {
        std::fs::remove_file(record).unwrap();
    }
    sb.remove(".claude");
    let out = sb.run(["install"]).failure(2);
    let stderr = redact(out.stderr());
    assert!(
        stderr.starts_with("warning[cache-damaged]: the cached repository of `file://[REPO]/toolkit` is damaged (pack `pack-[HASH].pack` is truncated or does not match its index); moved it aside, fetching it again\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: failed to read a pinned commit (run the command again to fetch it) from the cache repository of `file://[REPO]/toolkit`\n"),
        "{stderr}"
    );
    assert!(records(&sb).is_empty(), "{:?}", records(&sb));
    assert_tree_eq(
        &expected
            .into_iter()
            .filter(|(k, _)| !k.starts_with(".claude/"))
            .collect(),
        &sb.snapshot("."),
    );
    sb.run(["install"]).success().stderr_has("Fetching kit");
    assert!(sb.exists(".claude/agents/helper.md"));
}

/// Seventy sources in folders of one repository, a snapshot record each: enough for an install with the
/// lock to read them ahead on every core. Two records damaged in different ways are reported in the
/// manifest's order, each source read from git again, and the install is the one the first run made.
#[test]
fn snapshots_read_ahead_report_damaged_records_in_manifest_order() {
    let repo = GitRepo::new("kit");
    for i in 0..70 {
        repo.file(
            &format!("d{i:02}/a{i:02}.md"),
            agent(&format!("a{i:02}"), &format!("Agent {i}")),
        );
    }
    repo.commit("seventy folders");
    repo.tag("v1");
    let manifest = (0..70).fold(Manifest::new(), |m, i| {
        m.source(
            Source::git(&format!("s{i:02}"), repo.url())
                .tag("v1")
                .subdir(&format!("d{i:02}")),
        )
    });
    let sb = project(&manifest);
    sb.run(["install"]).success();
    let installed = |sb: &Sandbox| -> Vec<String> {
        (0..70)
            .map(|i| sb.read(&format!(".claude/agents/a{i:02}.md")))
            .chain([sb.read("agentpack.lock")])
            .collect()
    };
    let before = installed(&sb);
    let record_of = |dir: &str| {
        let question = format!("\"subdir\":\"{dir}\"");
        let found: Vec<PathBuf> = (records_of(&sb, "snapshot").into_iter())
            .filter(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).contains(&question))
            .collect();
        assert_eq!(found.len(), 1, "{dir}: {found:?}");
        found[0].clone()
    };
    let (early, late) = (record_of("d05"), record_of("d60"));
    truncate(&early, 10);
    flip_last_byte(&late);

    sb.remove(".claude");
    let out = sb.run(["install", "--frozen"]).success();
    let stderr = out.stderr();
    let truncated = stderr.find("(it is truncated or longer than its header says)");
    let flipped = stderr.find("(a file's bytes do not match their sha256)");
    assert_eq!(
        stderr.matches("warning[cache-damaged]").count(),
        2,
        "{stderr}"
    );
    assert!(truncated.unwrap() < flipped.unwrap(), "{stderr}");
    assert_eq!(installed(&sb), before);
}

/// Sources sharing one repository, read ahead from their records: two folders at one tag, one folder at
/// two tags (other agents at each). Each source gets its own snapshot: with the repository unreadable,
/// `install --frozen` is the install from git.
#[test]
fn snapshots_read_ahead_go_to_the_sources_they_were_read_for() {
    let repo = GitRepo::new("kit");
    repo.file("one/first.md", agent("first", "First, at v1."));
    repo.file("two/second.md", agent("second", "Second, at v1."));
    repo.commit("v1");
    repo.tag("v1");
    repo.remove("one/first.md");
    repo.file("one/third.md", agent("third", "Third, at v2."));
    repo.file("two/second.md", agent("second", "Second, at v2."));
    repo.commit("v2");
    repo.tag("v2");
    let manifest = Manifest::new()
        .source(Source::git("one-v1", repo.url()).tag("v1").subdir("one"))
        .source(Source::git("two-v1", repo.url()).tag("v1").subdir("two"))
        .source(Source::git("one-v2", repo.url()).tag("v2").subdir("one"));
    let sb = project(&manifest);
    sb.run(["install"]).success();
    let from_git = install_frozen(&sb);
    let agents: Vec<String> = (from_git.files.iter())
        .filter(|(k, _)| k.starts_with(".claude/agents/"))
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        agents,
        [
            ".claude/agents/first.md",
            ".claude/agents/second.md",
            ".claude/agents/third.md"
        ]
    );
    assert!(
        sb.read(".claude/agents/second.md")
            .contains("Second, at v1.")
    );
    damage_repository(&sb);
    let from_records = install_frozen(&sb);
    assert_eq!(from_git, from_records);
    assert!(
        !from_records.stderr.contains("cache-damaged"),
        "{}",
        from_records.stderr
    );
}
