//! Unit tests of the records' format: what is written is read back whole, and names stay hashes.

use super::*;

fn commit() -> Commit {
    Commit::parse(&"ab".repeat(20)).unwrap()
}

fn file(path: &str, content: Content) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        repo_path: crate::source::join(Some("team"), path),
        content,
        executable: path.ends_with(".sh"),
    }
}

#[test]
fn a_snapshot_record_holds_everything_the_snapshot_does() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    let snapshot = Snapshot {
        files: vec![
            file("a.md", Content::bytes(b"---\nname: a\n---\n".to_vec())),
            file(
                "big.md",
                Content::TooLarge {
                    size: MAX_FILE_SIZE as u64 + 1,
                    head: vec![b'x'; HEAD_SIZE],
                },
            ),
            file("run.sh", Content::bytes(b"#!/bin/sh\n".to_vec())),
        ],
        skipped: vec![Skipped {
            repo_path: "team/out.md".into(),
            reason: "symlink to `../x` points outside the searched directory; not followed".into(),
        }],
    };
    let charge = Charge {
        entries: 4,
        bytes: 2 * 1024 * 1024,
    };
    assert!(matches!(records.snapshot(commit(), "team"), Found::Missing));
    records.write_snapshot(commit(), "team", &snapshot, charge);
    assert!(records.has_commit(commit()));
    let Found::Answer((read, read_charge)) = records.snapshot(commit(), "team") else {
        panic!("the record is read back")
    };
    assert_eq!(read_charge, charge);
    assert_eq!(format!("{read:?}"), format!("{snapshot:?}"));
    assert!(matches!(
        records.snapshot(commit(), "other"),
        Found::Missing
    ));
}

#[test]
fn records_are_named_by_a_hash_of_the_question_never_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    let hostile = "../../../../etc/passwd\u{202e}.md";
    records.write_file(commit(), hostile, &Ok(Some(b"bytes".to_vec())));
    records.write_entry(commit(), hostile, EntryKind::Dir);
    let mut names: Vec<String> = std::fs::read_dir(records.commit_dir(commit()))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2);
    for name in &names {
        let (kind, hash) = name.split_once('-').unwrap();
        assert!(["entry", "file"].contains(&kind), "{name}");
        assert!(hash.len() == 32 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    assert!(matches!(
        records.file(commit(), hostile),
        Found::Answer(Ok(Some(bytes))) if bytes == b"bytes"
    ));
    assert!(matches!(
        records.entry(commit(), hostile),
        Found::Answer(EntryKind::Dir)
    ));
    // The same file name asked for another path would be another question.
    std::fs::rename(
        records.path(
            commit(),
            &Question::File {
                path: hostile.into(),
            },
        ),
        records.path(commit(), &Question::File { path: "x".into() }),
    )
    .unwrap();
    assert!(matches!(
        records.file(commit(), "x"),
        Found::Damaged(why) if why == "it answers another question"
    ));
}

#[test]
fn a_record_of_another_version_is_not_used_but_is_not_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    records.write_entry(commit(), "plugins/x", EntryKind::Dir);
    let path = records.path(
        commit(),
        &Question::Entry {
            path: "plugins/x".into(),
        },
    );
    let text = std::fs::read(&path).unwrap();
    let older = [b"agentpack-record 0.0.1\n".as_slice(), &text[MAGIC.len()..]].concat();
    std::fs::write(&path, older).unwrap();
    assert!(matches!(
        records.entry(commit(), "plugins/x"),
        Found::Missing
    ));
    std::fs::write(&path, b"something else entirely").unwrap();
    assert!(matches!(
        records.entry(commit(), "plugins/x"),
        Found::Damaged(why) if why == "it does not start as a record does"
    ));
}

#[test]
fn a_record_claiming_more_than_the_read_budget_is_damaged_before_its_blobs_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    let question = Question::Snapshot {
        subdir: "team".into(),
    };
    let count = (MAX_READ_BYTES / MAX_FILE_SIZE as u64) as usize + 1;
    let header = Header {
        question: question.clone(),
        commit: commit().to_string(),
        answer: Answer::Snapshot {
            charge: Charge {
                entries: count,
                bytes: MAX_READ_BYTES,
            },
            files: (0..count)
                .map(|n| RecordedFile {
                    path: format!("{n:04}.md"),
                    executable: false,
                    too_large: None,
                    blob: n,
                })
                .collect(),
            skipped: Vec::new(),
        },
        blobs: (0..count)
            .map(|_| Blob {
                len: MAX_FILE_SIZE as u64,
                sha256: "0".repeat(64),
            })
            .collect(),
    };
    records.ready(commit()).unwrap();
    let path = records.path(commit(), &question);
    write(&path, &header, std::iter::empty()).unwrap();
    // The file is as long as the header says (sparse: nothing is written), so only the budget refuses it.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    let len = file.metadata().unwrap().len();
    file.set_len(len + count as u64 * MAX_FILE_SIZE as u64)
        .unwrap();
    assert!(matches!(
        records.snapshot(commit(), "team"),
        Found::Damaged(why) if why == "it is truncated or longer than its header says"
    ));
}
