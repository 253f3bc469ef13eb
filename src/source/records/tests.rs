//! Unit tests of the records' format: what is written is read back whole, and names stay hashes.

use super::file::{open, read_checked};
use super::*;
use crate::source::budget::MAX_READ_BYTES;

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
    let count = (MAX_READ_BYTES / MAX_FILE_SIZE as u64) as usize + 1;
    let charge = Charge {
        entries: count,
        bytes: MAX_READ_BYTES,
    };
    let files = (0..count)
        .map(|n| RecordedFile {
            path: format!("{n:04}.md"),
            executable: false,
            too_large: None,
            blob: n,
        })
        .collect();
    let blobs = (0..count)
        .map(|_| Blob {
            len: MAX_FILE_SIZE as u64,
            sha256: "0".repeat(64),
        })
        .collect();
    // The file is as long as the header says, so only the budget refuses it.
    let tail = count as u64 * MAX_FILE_SIZE as u64;
    assert!(matches!(
        hostile_snapshot_record(&records, charge, files, blobs, tail),
        Found::Damaged(why) if why == "it is truncated or longer than its header says"
    ));
}

/// Write a record of `header` followed by `tail` bytes (a sparse run of zeros: nothing is written), as
/// no agentpack would: its blobs need not be there.
fn write_hostile(records: &Records, header: &Header, tail: u64) {
    records.ready(commit()).unwrap();
    let record = records.path(commit(), &header.question);
    write(&record, header, std::iter::empty()).unwrap();
    let file = std::fs::File::options().write(true).open(&record).unwrap();
    file.set_len(file.metadata().unwrap().len() + tail).unwrap();
}

/// A `file-` record of `path` whose header lists blobs of `lens` (with wrong digests), followed by `tail`
/// bytes (a sparse run of zeros), and what reading it finds.
fn hostile_file_record(
    records: &Records,
    path: &str,
    lens: &[u64],
    tail: u64,
) -> Found<FileAnswer> {
    let header = Header {
        question: Question::File { path: path.into() },
        commit: commit().to_string(),
        answer: Answer::FileBytes,
        blobs: (lens.iter())
            .map(|&len| Blob {
                len,
                sha256: "0".repeat(64),
            })
            .collect(),
    };
    write_hostile(records, &header, tail);
    records.file(commit(), path)
}

/// A snapshot record of `team` answering `charge` and `files`, whose header lists `blobs`, followed by
/// `tail` bytes (a sparse run of zeros), and what reading it finds.
fn hostile_snapshot_record(
    records: &Records,
    charge: Charge,
    files: Vec<RecordedFile>,
    blobs: Vec<Blob>,
    tail: u64,
) -> Found<(Snapshot, Charge)> {
    let header = Header {
        question: Question::Snapshot {
            subdir: "team".into(),
        },
        commit: commit().to_string(),
        answer: Answer::Snapshot {
            charge,
            files,
            skipped: Vec::new(),
        },
        blobs,
    };
    write_hostile(records, &header, tail);
    records.snapshot(commit(), "team")
}

#[test]
fn blob_lengths_that_overflow_or_do_not_add_up_to_the_file_are_damaged_before_any_read() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    let max = MAX_FILE_SIZE as u64;
    for (lens, tail) in [
        // Their sum overflows, to the file's size or not.
        (vec![u64::MAX, 2], 1),
        (vec![u64::MAX, u64::MAX], u64::MAX - 1),
        (vec![u64::MAX], 0),
        // Past the end, short of it, or nothing where the file holds bytes.
        (vec![5], 3),
        (vec![3], 5),
        (vec![], 4),
        (vec![0, 0], 1),
        // Adding up, but a blob over the size limit.
        (vec![max + 1], max + 1),
        (vec![max + 1, 0], max + 1),
    ] {
        let found = hostile_file_record(&records, "x", &lens, tail.min(2 * max + 2));
        assert!(
            matches!(&found, Found::Damaged(why) if why == "it is truncated or longer than its header says"),
            "{lens:?} + {tail}"
        );
    }
    // Lengths that add up are read, and their digests checked.
    assert!(matches!(
        hostile_file_record(&records, "x", &[2, 0, 3], 5),
        Found::Damaged(why) if why == "a file's bytes do not match their sha256"
    ));
}

/// Zero-length blobs cost no read and no allocation; however many a header lists (bounded by the header's
/// size), a record whose answer has fewer files than blobs is damaged.
#[test]
fn a_record_of_many_empty_blobs_is_read_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    let empty = sha256_hex(b"");
    let charge = Charge {
        entries: 0,
        bytes: 0,
    };
    let blobs = (0..100_000)
        .map(|_| Blob {
            len: 0,
            sha256: empty.clone(),
        })
        .collect();
    assert!(matches!(
        hostile_snapshot_record(&records, charge, Vec::new(), blobs, 0),
        Found::Damaged(why) if why == "its files do not match its blobs"
    ));
}

/// The record's size is taken when it is opened: a record cut short after that (in place, by another
/// process) is damaged, not a panic or a short read taken for the blob; one replaced by a rename is read
/// whole from the file that was opened.
#[test]
fn a_record_cut_or_replaced_after_it_was_opened() {
    let dir = tempfile::tempdir().unwrap();
    let records = Records::new(dir.path().join("repo-0123"));
    let question = Question::File { path: "a".into() };
    let path = records.path(commit(), &question);
    records.write_file(commit(), "a", &Ok(Some(b"first bytes".to_vec())));
    let (file, size) = open(&path).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(size - 4)
        .unwrap();
    assert_eq!(
        read_checked(file, size, commit(), &question)
            .err()
            .as_deref(),
        Some("it cannot be read: failed to fill whole buffer")
    );

    records.write_file(commit(), "a", &Ok(Some(b"first bytes".to_vec())));
    let (file, size) = open(&path).unwrap();
    records.write_file(commit(), "a", &Ok(Some(b"other".to_vec())));
    let Ok(Some((Answer::FileBytes, blobs))) = read_checked(file, size, commit(), &question) else {
        panic!("the opened record is read whole");
    };
    assert_eq!(blobs[0].0, b"first bytes");
    assert!(matches!(
        records.file(commit(), "a"),
        Found::Answer(Ok(Some(bytes))) if bytes == b"other"
    ));
}

/// What is put in a record's place after its path was looked at is opened without following a symlink
/// or waiting on a FIFO, and refused.
#[cfg(unix)]
#[test]
fn a_fifo_or_symlink_swapped_in_for_a_record_is_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let name = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    #[expect(
        unsafe_code,
        reason = "mkfifo has no safe API; the name is a valid C string"
    )]
    // SAFETY: `name` is a NUL-terminated path that outlives the call.
    let made = unsafe { libc::mkfifo(name.as_ptr(), 0o600) };
    assert_eq!(made, 0);
    let link = dir.path().join("link");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let (done, opened) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send((open(&fifo).err(), open(&link).err()));
    });
    let (fifo, link) = opened
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("opening a FIFO does not wait for a writer");
    assert_eq!(fifo.as_deref(), Some("it is not a regular file"));
    assert!(link.is_some_and(|why| why.starts_with("it cannot be read: ")));
}
