//! How much of a file from a source agentpack reads: the size limits that keep memory bounded whatever a
//! repository holds. They are a base module of their own, not part of `frontmatter` (the reader only
//! applies [`MAX_FILE_SIZE`] to agent files) or `fsutil` (a git blob is no file on disk), because the
//! layers that fetch files (`source`), check them (`frontmatter`) and install or compare them (`patches`,
//! `duplicates`, `vendor`) all bound their reads by the same numbers, and a lower layer may not import
//! a higher one.

/// Files up to this size are read whole; an agent file over it is refused (`file-too-large`).
pub const MAX_FILE_SIZE: usize = 1024 * 1024; // 1 MiB

/// How much of a file over [`MAX_FILE_SIZE`] is read to tell an agent (front matter with a `name`) from
/// documentation: only agents are refused for their size.
pub const HEAD_SIZE: usize = 64 * 1024;

/// Files up to this size are looked into (a git blob over it is never inflated, so memory stays bounded);
/// larger ones are passed over as documentation unless an `agents` entry names them.
pub const MAX_INSPECTED_SIZE: u64 = 16 * 1024 * 1024;
