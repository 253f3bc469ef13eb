//! The cache's records (`git/checkouts/`) attacked as bad local state would: a record or a commit's
//! folder moved, copied or linked to another commit, a repository that no longer holds a commit its
//! records vouch for, what a killed run leaves, a records folder that cannot be written, two runs at
//! once, and a damaged record's reason holding terminal escapes. Also: the hash the lock records for
//! every kind of changed bytes (`prefix`, `rename`, patches, skills, commands) is the same whether the
//! source was read from git or from records.

use std::path::{Path, PathBuf};

use crate::hostile::cache_repo;
use crate::records::{commit_tree, damage_repository};
use crate::support::*;

/// The records folder of the sandbox's one cache repository.
fn records_dir(sb: &Sandbox) -> PathBuf {
    let repo = cache_repo(sb);
    sb.cache()
        .join("git/checkouts")
        .join(repo.file_name().unwrap())
}

/// The folder of the records of `commit`.
fn commit_dir(sb: &Sandbox, commit: &str) -> PathBuf {
    records_dir(sb).join(commit)
}

/// The files in `dir` whose name starts with `prefix`, sorted.
fn named(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// The one snapshot record of `commit`.
fn snapshot_record(sb: &Sandbox, commit: &str) -> PathBuf {
    match &named(&commit_dir(sb, commit), "snapshot-")[..] {
        [record] => record.clone(),
        found => panic!("one snapshot record of {commit}: {found:?}"),
    }
}

/// One agent at two tags, its description differing.
fn two_versions() -> GitRepo {
    let repo = GitRepo::new("kit");
    repo.file("agents/helper.md", agent("helper", "Version one"));
    repo.commit("one");
    repo.tag("v1");
    repo.file("agents/helper.md", agent("helper", "Version two"));
    repo.commit("two");
    repo.tag("v2");
    repo
}

fn at(repo: &GitRepo, tag: &str) -> Manifest {
    Manifest::new().source(Source::git("kit", repo.url()).tag(tag))
}

/// A project that installed `v1` and then `v2`, so both commits have records; it is at `v2`.
fn both_recorded(repo: &GitRepo) -> Sandbox {
    let sb = project(&at(repo, "v1"));
    sb.run(["install"]).success();
    sb.manifest(&at(repo, "v2"));
    sb.run(["install"]).success();
    sb
}

/// The warning a damaged record of `commit` gets.
fn damaged(repo: &GitRepo, commit: &str, why: &str) -> String {
    format!(
        "warning[cache-damaged]: a cached record of commit {} of `{}` is damaged ({why}); reading the commit from the repository again\n",
        &commit[..7],
        repo.url()
    )
}

/// A snapshot record copied into another commit's folder (same subdir, so same file name) is not taken
/// for that commit's answer: the install is the other commit's, and the record is written again.
#[test]
fn a_record_copied_to_another_commit_is_not_its_answer() {
    let repo = two_versions();
    let (one, two) = (repo.rev_parse("v1"), repo.rev_parse("v2"));
    let sb = both_recorded(&repo);
    let (v1, v2) = (snapshot_record(&sb, &one), snapshot_record(&sb, &two));
    let good = std::fs::read(&v2).unwrap();
    std::fs::copy(&v1, &v2).unwrap();

    sb.remove(".claude");
    let out = sb.run(["install", "--frozen"]).success();
    assert!(
        out.stderr()
            .starts_with(&damaged(&repo, &two, "it is a record of another commit")),
        "{out}"
    );
    assert!(
        sb.read(".claude/agents/helper.md").contains("Version two"),
        "{}",
        sb.read(".claude/agents/helper.md")
    );
    assert_eq!(std::fs::read(&v2).unwrap(), good, "written again");
}

/// A commit's records folder that is a symlink to another commit's is never read or written through:
/// it is replaced by a folder of its own, and the other commit's records are left as they were.
#[cfg(unix)]
#[test]
fn a_commit_folder_linked_to_another_commit_is_replaced() {
    let repo = two_versions();
    let (one, two) = (repo.rev_parse("v1"), repo.rev_parse("v2"));
    let sb = both_recorded(&repo);
    let (dir_one, dir_two) = (commit_dir(&sb, &one), commit_dir(&sb, &two));
    let before_one = snapshot_dir(&dir_one);
    let before_two = snapshot_dir(&dir_two);
    std::fs::remove_dir_all(&dir_two).unwrap();
    std::os::unix::fs::symlink(&dir_one, &dir_two).unwrap();

    sb.remove(".claude");
    sb.run(["install", "--frozen"]).success();
    assert!(sb.read(".claude/agents/helper.md").contains("Version two"));
    assert!(
        std::fs::symlink_metadata(&dir_two).unwrap().is_dir(),
        "a folder of its own"
    );
    assert_eq!(snapshot_dir(&dir_one), before_one, "v1's records untouched");
    assert_eq!(snapshot_dir(&dir_two), before_two, "v2's records rebuilt");

    // And v1 is still answered by its own records, without a warning.
    sb.manifest(&at(&repo, "v1"));
    sb.remove(".claude");
    sb.run(["install"]).success().stderr_lacks("cache-damaged");
    assert!(sb.read(".claude/agents/helper.md").contains("Version one"));
}

/// The cache repository replaced by one that lacks a commit whose records remain (as another version of
/// agentpack sharing the cache does when it fetches a damaged repository again, or a hand-made clone):
/// a question the records do not answer fails, saying to run again, and the next run fetches the
/// commit and succeeds instead of failing the same way for ever.
#[test]
fn a_commit_git_lacks_but_its_records_vouch_for_is_fetched_by_the_next_run() {
    let repo = two_versions();
    let sb = project(&at(&repo, "v1"));
    sb.run(["install"]).success();
    let expected = sb.snapshot(".");
    let db = cache_repo(&sb);
    std::fs::remove_dir_all(&db).unwrap();
    git2::Repository::init_bare(&db).unwrap();
    // The pack manifest's record: the one question of the next install left to git.
    for record in named(&commit_dir(&sb, &repo.rev_parse("v1")), "file-") {
        std::fs::remove_file(record).unwrap();
    }

    sb.remove(".claude");
    let out = sb.run(["install"]).failure(2);
    assert!(
        redact(out.stderr()).contains("error: failed to read a pinned commit (run the command again to fetch it) from the cache repository of `file://[REPO]/kit`\n"),
        "{out}"
    );
    assert!(!sb.exists(".claude"));
    sb.run(["install"]).success().stderr_has("Fetching kit");
    assert_tree_eq(&expected, &sb.snapshot("."));
}

/// What a run killed while writing a record leaves (a `.record-*` temporary file beside the records) is
/// removed by the next run that writes a record there.
#[test]
fn a_killed_runs_temporary_record_is_removed() {
    let repo = two_versions();
    let sb = project(&at(&repo, "v1"));
    sb.run(["install"]).success();
    let dir = commit_dir(&sb, &repo.rev_parse("v1"));
    let before = snapshot_dir(&dir);
    let record = snapshot_record(&sb, &repo.rev_parse("v1"));
    // Killed after writing part of the temporary file, before renaming it into place.
    let bytes = std::fs::read(&record).unwrap();
    std::fs::write(dir.join(".record-k1ll3d"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::remove_file(&record).unwrap();

    sb.remove(".claude");
    sb.run(["install", "--frozen"]).success();
    assert_eq!(snapshot_dir(&dir), before);
}

/// A records folder that cannot be written (here a file in its place: the tests run as root, for whom
/// permissions do not stop a write) leaves every install to git, quietly: nothing is recorded and
/// nothing fails.
#[test]
fn records_that_cannot_be_written_leave_installs_to_git() {
    let repo = two_versions();
    let sb = project(&at(&repo, "v1"));
    let expected = sb.run(["install"]).success();
    let installed = sb.snapshot(".claude");
    std::fs::remove_dir_all(sb.cache()).unwrap();
    std::fs::create_dir_all(sb.cache().join("git")).unwrap();
    std::fs::write(sb.cache().join("git/checkouts"), "not a folder").unwrap();

    sb.remove(".claude");
    sb.run(["install"]).success().stderr_is(expected.stderr());
    assert_eq!(sb.snapshot(".claude"), installed);
    sb.remove(".claude");
    sb.run(["install", "--frozen"])
        .success()
        .stderr_lacks("warning");
    assert_eq!(sb.snapshot(".claude"), installed);
    let file = std::fs::read_to_string(sb.cache().join("git/checkouts")).unwrap();
    assert_eq!(file, "not a folder");
}

/// The reason a damaged record is given reaches the terminal escaped, whatever bytes the record holds.
#[test]
fn a_damaged_records_reason_is_escaped() {
    let repo = two_versions();
    let sb = project(&at(&repo, "v1"));
    sb.run(["install"]).success();
    let commit = repo.rev_parse("v1");
    let record = snapshot_record(&sb, &commit);
    // JSON's escapes: the header parses to a question named with the raw control characters.
    let header = r#"{"question":{"\u001b]0;pwned\u0007\u001b[2J":{}}}"#;
    let bytes = format!(
        "agentpack-record {}\n{}\n{header}",
        env!("CARGO_PKG_VERSION"),
        header.len()
    );
    std::fs::write(&record, bytes).unwrap();

    sb.remove(".claude");
    let out = sb.run(["install", "--frozen"]).success();
    assert!(!out.stderr().contains('\u{1b}'), "{out:?}");
    assert!(
        out.stderr().starts_with(&damaged(
            &repo,
            &commit,
            r"its header does not parse: unknown variant `\u001b]0;pwned\u0007\u001b[2J`, expected one of `snapshot`, `file`, `entry` at line 1 column 44"
        )),
        "{}",
        out.stderr()
    );
}

/// Every way an install changes a source's bytes (`prefix` and `rename` rewrite an agent's `name:`, a
/// patch edits it) or keeps them (skills, commands, renamed or not): the lock records the same hashes
/// whether the source was read from git or from its records, and `verify` finds every file as locked.
#[test]
fn the_lock_hashes_the_same_bytes_from_records_as_from_git() {
    let repo = toolkit();
    repo.tag("v1");
    let sb = project(
        &Manifest::new().source(
            Source::git("kit", repo.url())
                .tag("v1")
                .agents(["*"])
                .skills(["*"])
                .commands(["*"])
                .prefix("my-")
                .rename([("skill:pdf", "pdf-forms"), ("command:review", "check")]),
        ),
    );
    sb.run(["install"]).success();
    let agent = sb.read(".claude/agents/my-reviewer.md");
    sb.write(
        ".claude/agents/my-reviewer.md",
        format!("{agent}Be brief.\n"),
    );
    sb.run(["patch", "my-reviewer"]).success();
    sb.run(["verify"]).success();
    let expected = sb.snapshot(".");

    // From records: the repository can no longer be read at all.
    damage_repository(&sb);
    sb.remove(".claude");
    sb.run(["install", "--frozen"])
        .success()
        .stderr_lacks("cache-damaged");
    assert_tree_eq(&expected, &sb.snapshot("."));
    sb.run(["verify"]).success();
}

/// Two runs installing the same commit into two projects at once, with nothing recorded yet: both
/// succeed, and the records they leave answer a third run whole (the repository is damaged first, so
/// only the records can).
#[test]
fn two_runs_at_once_leave_whole_records() {
    let repo = toolkit();
    repo.tag("v1");
    let manifest = Manifest::new().source(
        Source::git("kit", repo.url())
            .tag("v1")
            .agents(["*"])
            .skills(["*"])
            .commands(["*"]),
    );
    let sb = project(&manifest);
    let other = sb.root().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("agentpack.toml"), manifest.render()).unwrap();
    let runs: Vec<_> = [sb.project(), other.as_path()]
        .into_iter()
        .map(|dir| {
            crate::crash::spawnable(&sb, &["install"])
                .current_dir(dir)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().unwrap().success());
    }
    let expected = sb.snapshot(".claude");
    assert_eq!(
        snapshot_dir(&other.join(".claude")),
        expected,
        "the same install"
    );

    damage_repository(&sb);
    sb.remove(".claude");
    sb.run(["install", "--frozen"])
        .success()
        .stderr_lacks("cache-damaged");
    assert_eq!(sb.snapshot(".claude"), expected);
}

/// A commit naming one blob under many paths (git stores it once) is recorded with that blob once: a
/// few KiB of git objects never make the cache hold the blob again for every path that names it.
#[test]
fn a_blob_named_many_times_is_recorded_once() {
    isolate_git2();
    let repo = GitRepo::new("copies");
    repo.file("agents/helper.md", agent("helper", "Helps"));
    repo.commit("helper");
    let git = git2::Repository::open(repo.path()).unwrap();
    let doc = format!("# Notes\n{}", "n".repeat(512 * 1024));
    let blob = git.blob(doc.as_bytes()).unwrap();
    let mut docs = git.treebuilder(None).unwrap();
    for n in 0..32 {
        docs.insert(format!("doc-{n:02}.md"), blob, 0o100644)
            .unwrap();
    }
    let head = git.head().unwrap().peel_to_tree().unwrap();
    let mut root = git.treebuilder(Some(&head)).unwrap();
    root.insert("docs", docs.write().unwrap(), 0o040000)
        .unwrap();
    let commit = commit_tree(&repo, root.write().unwrap(), "copies");
    repo.tag_at("v1", &commit);
    let sb = project(&at(&repo, "v1"));
    sb.run(["install"]).success();
    let expected = sb.snapshot(".");
    let size = std::fs::metadata(snapshot_record(&sb, &commit))
        .unwrap()
        .len();
    assert!(
        size < doc.len() as u64 + 16 * 1024,
        "the record holds the blob once: {size} bytes"
    );
    damage_repository(&sb);
    sb.remove(".claude");
    sb.run(["install", "--frozen"])
        .success()
        .stderr_lacks("cache-damaged");
    assert_tree_eq(&expected, &sb.snapshot("."));
}
