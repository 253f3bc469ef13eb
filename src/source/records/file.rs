//! A record file read from disk: opened (its size and kind those of what was opened), its header parsed
//! and checked against the question, then its blobs, once their lengths add up to the file's and stay
//! within the read budget's limit, each read at its offset and hashed, on every core.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::{Answer, Blobs, Found, Header, KIND, MAGIC, MAX_HEADER, Question, absent};
use crate::in_order::on_every_core;
use crate::limits::MAX_FILE_SIZE;
use crate::names::{Commit, Sha256};
use crate::source::budget::MAX_READ_BYTES;

/// The answer a record holds for `question` about `commit`, and its blobs, each with its sha256
/// (checked).
pub(super) fn read(path: &Path, commit: Commit, question: &Question) -> Found<(Answer, Blobs)> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if absent(&e) => return Found::Missing,
        Err(e) => return Found::Damaged(format!("it cannot be read: {e}")),
    };
    if !meta.is_file() {
        return Found::Damaged("it is not a regular file".into());
    }
    match open(path).and_then(|(file, size)| read_checked(file, size, commit, question)) {
        Ok(Some(found)) => Found::Answer(found),
        Ok(None) => Found::Missing,
        Err(why) => Found::Damaged(why),
    }
}

/// The record at `path`, opened, and its size. The size and kind are those of what was opened, not of
/// what the path named a moment before: a record replaced in between (written again: a new file renamed
/// into place) is read whole as it was, and something else put there (a FIFO, a device, a folder) is
/// refused, without waiting on it (unix: opened non-blocking, not through a symlink).
pub(super) fn open(path: &Path) -> Result<(File, u64), String> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut options,
        libc::O_NONBLOCK | libc::O_NOFOLLOW,
    );
    let file = options
        .open(path)
        .map_err(|e| format!("it cannot be read: {e}"))?;
    let meta = (file.metadata()).map_err(|e| format!("it cannot be read: {e}"))?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    Ok((file, meta.len()))
}

/// The record opened as `file`, of `size` bytes (at the time it was opened: blobs it no longer holds
/// make it damaged). `None` for a record written by another version of agentpack.
pub(super) fn read_checked(
    file: File,
    size: u64,
    commit: Commit,
    question: &Question,
) -> Result<Option<(Answer, Blobs)>, String> {
    let mut input = BufReader::with_capacity(256 * 1024, file);
    let mut magic = [0u8; MAGIC.len()];
    let read = input.read_exact(&mut magic).is_ok();
    if !(read && magic == MAGIC) {
        return match magic.starts_with(KIND.as_bytes()) {
            true => Ok(None),
            false => Err("it does not start as a record does".into()),
        };
    }
    let mut len = Vec::new();
    (&mut input)
        .take(21)
        .read_until(b'\n', &mut len)
        .map_err(|e| format!("it cannot be read: {e}"))?;
    let header_len: u64 = std::str::from_utf8(&len)
        .ok()
        .and_then(|l| l.strip_suffix('\n')?.parse().ok())
        .filter(|l| *l <= MAX_HEADER)
        .ok_or("its header length is unreadable")?;
    let mut header = Vec::new();
    (&mut input)
        .take(header_len)
        .read_to_end(&mut header)
        .map_err(|e| format!("it cannot be read: {e}"))?;
    let header: Header =
        serde_json::from_slice(&header).map_err(|e| format!("its header does not parse: {e}"))?;
    if header.commit != commit.to_string() {
        return Err("it is a record of another commit".into());
    }
    if header.question != *question {
        return Err("it answers another question".into());
    }
    // Every length is checked against the file's, and the whole against the read budget's limit, before
    // anything is allocated for the blobs.
    let lengths = (header.blobs.iter())
        .map(|b| b.len)
        .try_fold(0u64, u64::checked_add)
        .filter(|l| *l <= MAX_READ_BYTES);
    let expected = (MAGIC.len() + len.len()) as u64 + header_len;
    let each_fits = (header.blobs.iter()).all(|b| b.len <= MAX_FILE_SIZE as u64);
    let Some(total) = lengths.filter(|l| each_fits && l.checked_add(expected) == Some(size)) else {
        return Err("it is truncated or longer than its header says".into());
    };
    // Each blob is read straight into its own buffer and hashed, on every core: copying the bytes in
    // (and the memory they land in) and hashing them are most of reading a record.
    let mut offset = size - total;
    let places: Vec<(u64, usize)> = (header.blobs.iter())
        .map(|blob| {
            let at = offset;
            offset += blob.len;
            (at, blob.len as usize)
        })
        .collect();
    let file = input.into_inner();
    let blobs = on_every_core(&places, |&(at, len)| {
        let mut bytes = vec![0; len];
        read_at(&file, &mut bytes, at).map(|()| {
            let sum = Sha256::of(&bytes);
            (bytes, sum)
        })
    });
    let blobs: Blobs = (blobs.into_iter())
        .collect::<std::io::Result<_>>()
        .map_err(|e| format!("it cannot be read: {e}"))?;
    if (blobs.iter().zip(&header.blobs)).any(|((_, sum), blob)| *sum != *blob.sha256) {
        return Err("a file's bytes do not match their sha256".into());
    }
    Ok(Some((header.answer, blobs)))
}

/// Fill `buf` from `file` at `offset`, from any thread.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}
