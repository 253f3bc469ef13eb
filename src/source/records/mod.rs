//! Records: what git answered about a commit, kept as plain files beside the bare repository, so the
//! same question about the same commit is answered again without libgit2 (`reading.rs` holds
//! [`LockedRepo`](super::cache::LockedRepo)'s reading of a commit: from its record when there is one,
//! else from git, `tree.rs`, and then recorded).
//!
//! libgit2's global initialisation also sets up OpenSSL (it reads `openssl.cnf` and parses the whole CA
//! bundle), and inflating packed blobs is much of an install's time; an install whose every answer is
//! recorded never initialises libgit2 at all. The records of a repository live under
//! `git/checkouts/<the repository's name>/<40-hex commit>/` (see the cache layout in [`super::git`]), one
//! file per question:
//!
//! - `snapshot-<hash of the subdir>`: a [`Snapshot`] (every file with its path, executable bit, and
//!   its bytes or, for a file over the size limit, its size and first bytes, the same bytes recorded
//!   once however many files hold them; the symlinks passed over),
//!   and what reading it charged to the [`ReadBudget`](super::budget::ReadBudget), charged again
//!   whenever the record serves it;
//! - `file-<hash of the path>`: what `LockedRepo::read_file` answered (nothing, not a regular file,
//!   too large, or the bytes);
//! - `entry-<hash of the path>`: whether the path is absent, a folder, or something else (what
//!   `has_path` and `is_dir` ask).
//!
//! Files are named by the commit and a hash of the question, never by a name from the repository, so a
//! hostile path never becomes a file name in the cache. A record is `agentpack-record <version>\n` (the
//! version of agentpack that wrote it: another version's records are written again), the length of a
//! JSON header and a newline, the header (the question, the commit, the answer, and the length and
//! sha256 of each blob), then the blobs back to back (`file.rs` reads one: the header with one buffered
//! stream; the blobs, once their lengths add up to the file's and stay within the read budget's limit,
//! each at its offset and hashed, on every core).
//!
//! Records are written only while holding the repository's cache lock (every `LockedRepo` holds it),
//! into a temporary file in the same folder renamed into place, and best effort: a record that cannot be
//! written is simply asked of git again next time. Reading one checks everything: a record that is
//! missing a part, does not parse, answers another question, or holds a blob whose sha256 differs is
//! damaged; it is reported (`cache-damaged`), ignored and written again from git. Deleting records is
//! always safe; they are discarded with their repository when it is damaged or gone.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::budget::Charge;
use super::tree::{EntryKind, refused_name};
use super::{Content, Skipped, Snapshot, SourceFile, Unreadable};
use crate::error::Result;
use crate::limits::{HEAD_SIZE, MAX_FILE_SIZE, MAX_INSPECTED_SIZE};
use crate::names::{Commit, Sha256, sha256_hex};
use file::read;

/// What every record starts with.
const KIND: &str = "agentpack-record ";

/// How the temporary file a record is written to is named, in its commit's folder.
const TEMPORARY: &str = ".record-";

/// The first line of every record: [`KIND`] and the version of agentpack that wrote it. What a snapshot
/// holds follows agentpack's reading rules (which files, what limits), so a record written by another
/// version is not used: it is simply written again (it is not damaged).
const MAGIC: &[u8] = concat!("agentpack-record ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

/// Largest header read. A snapshot's header holds a path and a digest per file, so this is far above
/// any real collection; a snapshot whose header would be larger is simply not recorded.
const MAX_HEADER: u64 = 64 * 1024 * 1024;

/// Each blob of a record, with its sha256 (checked when read).
type Blobs = Vec<(Vec<u8>, Sha256)>;

/// The answer to [`LockedRepo::read_file`](super::cache::LockedRepo::read_file).
pub(super) type FileAnswer = std::result::Result<Option<Vec<u8>>, Unreadable>;

/// The records of one cache repository.
#[derive(Debug)]
pub(super) struct Records {
    /// `git/checkouts/<repository name>`.
    dir: PathBuf,
    /// The commits whose folder this run has made ready for writing (see [`Records::ready`]): once is
    /// enough.
    ready: RefCell<BTreeSet<Commit>>,
}

/// What reading a record found.
pub(super) enum Found<T> {
    /// No record of this question.
    Missing,
    /// A record that cannot be trusted, and why.
    Damaged(String),
    Answer(T),
}

impl<T> Found<T> {
    /// The answer made into another, or damaged when `f` finds it does not fit its question.
    fn and_then<U>(self, f: impl FnOnce(T) -> std::result::Result<U, String>) -> Found<U> {
        match self {
            Found::Answer(answer) => f(answer).map_or_else(Found::Damaged, Found::Answer),
            Found::Missing => Found::Missing,
            Found::Damaged(why) => Found::Damaged(why),
        }
    }
}

/// Why a record whose answer is not the kind its question asks for is damaged.
const MISFIT: &str = "its answer does not fit its question";

/// The question a record answers (stored in it, and checked when it is read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Question {
    Snapshot { subdir: String },
    File { path: String },
    Entry { path: String },
}

impl Question {
    /// The record's file name: its kind and a hash of the question.
    fn file_name(&self) -> String {
        let (kind, key) = match self {
            Question::Snapshot { subdir } => ("snapshot", subdir),
            Question::File { path } => ("file", path),
            Question::Entry { path } => ("entry", path),
        };
        format!("{kind}-{}", &sha256_hex(key.as_bytes())[..32])
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    question: Question,
    /// The commit asked about (its folder says so too, but a folder can be copied or linked).
    commit: String,
    answer: Answer,
    /// Each blob that follows the header, in order.
    blobs: Vec<Blob>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Blob {
    len: u64,
    sha256: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Answer {
    /// One blob per file, in order.
    Snapshot {
        charge: Charge,
        files: Vec<RecordedFile>,
        skipped: Vec<(String, String)>,
    },
    /// The bytes are the one blob.
    FileBytes,
    FileAbsent,
    FileNotAFile,
    FileTooLarge(u64),
    Entry(EntryKind),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedFile {
    /// Relative to the searched directory.
    path: String,
    executable: bool,
    /// Set for a file over the size limit: its size (its blob is its head).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    too_large: Option<u64>,
    /// Which of the record's blobs holds its bytes: files with the same bytes share one, as git stores a
    /// blob once however many paths name it (so a crafted tree cannot make the record far larger than
    /// the repository).
    blob: usize,
}

impl Records {
    pub(super) fn new(dir: PathBuf) -> Records {
        Records {
            dir,
            ready: RefCell::default(),
        }
    }

    /// The folder of `commit`'s records (named in the warning about a damaged one).
    pub(super) fn commit_dir(&self, commit: Commit) -> PathBuf {
        self.dir.join(commit.to_string())
    }

    fn path(&self, commit: Commit, question: &Question) -> PathBuf {
        self.commit_dir(commit).join(question.file_name())
    }

    /// The size of the record of `subdir`'s snapshot at `commit`, when there is one: reading it allocates
    /// no more than that for its blobs (a record's blobs must add up to its size), though the snapshot
    /// made of them holds more when files share a blob (each gets a copy; its charge counts them all).
    pub(super) fn snapshot_size(&self, commit: Commit, subdir: &str) -> Option<u64> {
        let question = Question::Snapshot {
            subdir: subdir.to_string(),
        };
        (std::fs::symlink_metadata(self.path(commit, &question)).ok())
            .filter(|meta| meta.is_file())
            .map(|meta| meta.len())
    }

    /// Was anything recorded about `commit` (so git held it when it was)?
    pub(super) fn has_commit(&self, commit: Commit) -> bool {
        std::fs::symlink_metadata(self.commit_dir(commit)).is_ok_and(|m| m.is_dir())
    }

    /// Delete the records of `commit`, best effort: git no longer holds it, so they must not say it
    /// is cached.
    pub(super) fn forget(&self, commit: Commit) {
        let _ = std::fs::remove_dir_all(self.commit_dir(commit));
        self.ready.borrow_mut().remove(&commit);
    }

    /// The answer the record of `question` about `commit` holds, and its blobs (checked).
    fn read(&self, commit: Commit, question: &Question) -> Found<(Answer, Blobs)> {
        // A folder linked elsewhere is never read through (nor written through: see [`Records::ready`]).
        match std::fs::symlink_metadata(self.commit_dir(commit)) {
            Ok(meta) if meta.is_dir() => read(&self.path(commit, question), commit, question),
            Ok(_) => Found::Damaged("its commit's folder is a symlink or a file".into()),
            Err(e) if absent(&e) => Found::Missing,
            Err(e) => Found::Damaged(format!("it cannot be read: {e}")),
        }
    }

    /// The snapshot of `subdir` at `commit`, and what reading it from git charged.
    pub(super) fn snapshot(&self, commit: Commit, subdir: &str) -> Found<(Snapshot, Charge)> {
        let question = Question::Snapshot {
            subdir: subdir.to_string(),
        };
        self.read(commit, &question)
            .and_then(|(answer, blobs)| snapshot_of(answer, blobs, subdir))
    }

    pub(super) fn write_snapshot(
        &self,
        commit: Commit,
        subdir: &str,
        snapshot: &Snapshot,
        charge: Charge,
    ) {
        let mut blobs = Vec::new();
        let mut by_sha256 = HashMap::new();
        let files = (snapshot.files.iter())
            .map(|file| {
                let (bytes, sha256, too_large) = match &file.content {
                    Content::Bytes { bytes, sha256 } => (bytes, sha256.to_string(), None),
                    Content::TooLarge { size, head } => (head, sha256_hex(head), Some(*size)),
                };
                let blob = *by_sha256.entry(sha256.clone()).or_insert_with(|| {
                    blobs.push((bytes.as_slice(), sha256));
                    blobs.len() - 1
                });
                RecordedFile {
                    path: file.path.clone(),
                    executable: file.executable,
                    too_large,
                    blob,
                }
            })
            .collect();
        let skipped = (snapshot.skipped.iter())
            .map(|s| (s.repo_path.clone(), s.reason.clone()))
            .collect();
        let question = Question::Snapshot {
            subdir: subdir.to_string(),
        };
        let answer = Answer::Snapshot {
            charge,
            files,
            skipped,
        };
        self.write(commit, question, answer, &blobs);
    }

    /// What `read_file(commit, path)` answered.
    pub(super) fn file(&self, commit: Commit, path: &str) -> Found<FileAnswer> {
        let question = Question::File {
            path: path.to_string(),
        };
        self.read(commit, &question)
            .and_then(|(answer, mut blobs)| match (answer, blobs.len()) {
                (Answer::FileBytes, 1) => Ok(Ok(blobs.pop().map(|(bytes, _)| bytes))),
                (Answer::FileAbsent, 0) => Ok(Ok(None)),
                (Answer::FileNotAFile, 0) => Ok(Err(Unreadable::NotAFile)),
                (Answer::FileTooLarge(size), 0) if size > MAX_FILE_SIZE as u64 => {
                    Ok(Err(Unreadable::TooLarge(size)))
                }
                _ => Err(MISFIT.into()),
            })
    }

    pub(super) fn write_file(&self, commit: Commit, path: &str, answer: &FileAnswer) {
        let (answer, blobs) = match answer {
            Ok(Some(bytes)) => (
                Answer::FileBytes,
                vec![(bytes.as_slice(), sha256_hex(bytes))],
            ),
            Ok(None) => (Answer::FileAbsent, Vec::new()),
            Err(Unreadable::NotAFile) => (Answer::FileNotAFile, Vec::new()),
            Err(Unreadable::TooLarge(size)) => (Answer::FileTooLarge(*size), Vec::new()),
        };
        let question = Question::File {
            path: path.to_string(),
        };
        self.write(commit, question, answer, &blobs);
    }

    /// What is at `path` in `commit`'s tree.
    pub(super) fn entry(&self, commit: Commit, path: &str) -> Found<EntryKind> {
        let question = Question::Entry {
            path: path.to_string(),
        };
        self.read(commit, &question).and_then(|found| match found {
            (Answer::Entry(kind), blobs) if blobs.is_empty() => Ok(kind),
            _ => Err(MISFIT.into()),
        })
    }

    pub(super) fn write_entry(&self, commit: Commit, path: &str, kind: EntryKind) {
        let question = Question::Entry {
            path: path.to_string(),
        };
        self.write(commit, question, Answer::Entry(kind), &[]);
    }

    /// Write a record, best effort (see the module doc): any failure leaves the question to git.
    fn write(&self, commit: Commit, question: Question, answer: Answer, blobs: &[(&[u8], String)]) {
        let path = self.path(commit, &question);
        let header = Header {
            question,
            commit: commit.to_string(),
            answer,
            blobs: (blobs.iter())
                .map(|(bytes, sha256)| Blob {
                    len: bytes.len() as u64,
                    sha256: sha256.clone(),
                })
                .collect(),
        };
        let _ = self
            .ready(commit)
            .and_then(|()| write(&path, &header, blobs.iter().map(|(bytes, _)| *bytes)));
    }

    /// Make the folder of `commit` ready for a record, once per run: a folder of its own (a symlink or
    /// file a damaged cache left in its place is replaced), without the temporary files of killed runs
    /// (holding the repository's lock, every `.record-*` in it is one).
    fn ready(&self, commit: Commit) -> std::io::Result<()> {
        if self.ready.borrow().contains(&commit) {
            return Ok(());
        }
        let dir = self.commit_dir(commit);
        if std::fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
            std::fs::remove_file(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        for entry in std::fs::read_dir(&dir)?.flatten() {
            if entry
                .file_name()
                .as_encoded_bytes()
                .starts_with(TEMPORARY.as_bytes())
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        self.ready.borrow_mut().insert(commit);
        Ok(())
    }
}

/// Is `e` the error of a path that is not there (or under something that is not a folder)?
fn absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

fn write<'b>(
    path: &Path,
    header: &Header,
    blobs: impl Iterator<Item = &'b [u8]>,
) -> std::io::Result<()> {
    let header = serde_json::to_vec(header)?;
    if header.len() as u64 > MAX_HEADER {
        return Ok(());
    }
    let dir = path.parent().expect("a record is in its commit's folder");
    let tmp = tempfile::Builder::new()
        .prefix(TEMPORARY)
        .tempfile_in(dir)?;
    let mut out = BufWriter::with_capacity(256 * 1024, tmp);
    out.write_all(MAGIC)?;
    writeln!(out, "{}", header.len())?;
    out.write_all(&header)?;
    for blob in blobs {
        out.write_all(blob)?;
    }
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    // What a damaged cache left in the record's place (a folder, a symlink) is replaced too.
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && meta.is_dir()
    {
        std::fs::remove_dir_all(path)?;
    }
    tmp.persist(path)?;
    Ok(())
}

/// The snapshot a record's answer and blobs hold, checked for being one the reader could have made.
fn snapshot_of(
    answer: Answer,
    mut blobs: Blobs,
    subdir: &str,
) -> Result<(Snapshot, Charge), String> {
    let Answer::Snapshot {
        charge,
        files,
        skipped,
    } = answer
    else {
        return Err(MISFIT.into());
    };
    if blobs.len() > files.len() || files.len() > charge.entries {
        return Err("its files do not match its blobs".into());
    }
    let subdir = (!subdir.is_empty()).then_some(subdir);
    let mut snapshot = Snapshot {
        files: Vec::with_capacity(files.len()),
        skipped: (skipped.into_iter())
            .map(|(repo_path, reason)| Skipped { repo_path, reason })
            .collect(),
    };
    let mut charged = 0u64;
    // A blob several files share is copied for all but the last of them; the last one takes it.
    let mut uses = vec![0usize; blobs.len()];
    for file in &files {
        if let Some(n) = uses.get_mut(file.blob) {
            *n += 1;
        }
    }
    for file in files {
        let Some(blob) = blobs.get_mut(file.blob) else {
            return Err("its files do not match its blobs".into());
        };
        uses[file.blob] -= 1;
        let (bytes, sha256) = if uses[file.blob] == 0 {
            (std::mem::take(&mut blob.0), blob.1.clone())
        } else {
            blob.clone()
        };
        let ordered = (snapshot.files.last()).is_none_or(|last: &SourceFile| last.path < file.path);
        if !ordered || file.path.split('/').any(refused_name) {
            return Err(format!("it holds a file at `{}`", file.path.escape_debug()));
        }
        let content = match file.too_large {
            None => Content::Bytes { bytes, sha256 },
            Some(size) if size > MAX_FILE_SIZE as u64 => {
                let head_len = if size <= MAX_INSPECTED_SIZE {
                    HEAD_SIZE
                } else {
                    0
                };
                if bytes.len() != head_len {
                    return Err("a large file's head has the wrong length".into());
                }
                Content::TooLarge { size, head: bytes }
            }
            Some(_) => return Err("a file is marked too large but is not".into()),
        };
        charged += match &content {
            Content::Bytes { bytes, .. } => bytes.len() as u64,
            Content::TooLarge { size, .. } if *size <= MAX_INSPECTED_SIZE => *size,
            Content::TooLarge { .. } => 0,
        };
        snapshot.files.push(SourceFile {
            repo_path: super::join(subdir, &file.path),
            path: file.path,
            content,
            executable: file.executable,
        });
    }
    if charged > charge.bytes {
        return Err("it charges less than its files hold".into());
    }
    Ok((snapshot, charge))
}

mod file;
mod reading;
#[cfg(test)]
mod tests;
