//! Reading a commit's tree: the `.md` files under a searched directory, walked without recursion and
//! within a [`ReadBudget`], with symlinks followed only inside it; and single files (a pack's manifest).

use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::budget::{OverBudget, ReadBudget};
use super::records::FileAnswer;
use super::{Content, Skipped, Snapshot, SourceFile};
use crate::error::{Error, Result};
use crate::limits::{HEAD_SIZE, MAX_FILE_SIZE, MAX_INSPECTED_SIZE};
use crate::names::Commit;

/// Which source a tree is read for: every error names it, and git errors its URL too.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub source_name: &'a str,
    /// The URL as written in the manifest.
    pub url: &'a str,
}

impl Origin<'_> {
    /// Turns a libgit2 failure to read the source's objects into our error.
    fn git(self, action: &'static str) -> impl Fn(git2::Error) -> Error + Copy {
        move |cause| Error::Git {
            action,
            source_name: self.source_name.to_string(),
            url: self.url.to_string(),
            cause,
            hint: None,
            offline_tip: false,
        }
    }

    fn invalid(self, message: String) -> Error {
        Error::InvalidRepository {
            source_name: self.source_name.to_string(),
            message,
        }
    }

    fn over(self) -> impl Fn(OverBudget) -> Error + Copy {
        move |over| self.invalid(over.to_string())
    }
}

/// Read the `.md` files under `subdir` of `commit`'s tree, within what is left of `budget`.
pub(super) fn snapshot(
    repo: &Repository,
    origin: Origin<'_>,
    commit: Commit,
    subdir: Option<&str>,
    budget: &mut ReadBudget,
) -> Result<Snapshot> {
    let git_err = origin.git(READ_COMMIT);
    let root = repo
        .find_commit(commit.oid())
        .and_then(|c| c.tree())
        .map_err(git_err)?;
    let base = subdir.unwrap_or("");
    let searched = if base.is_empty() {
        root.clone()
    } else {
        let entry = root.get_path(Path::new(base)).ok();
        match entry.and_then(|e| e.to_object(repo).ok()?.into_tree().ok()) {
            Some(tree) => tree,
            None => {
                return Err(Error::NotFound {
                    message: format!(
                        "source `{}`: directory `{base}` does not exist at commit {}",
                        origin.source_name,
                        commit.short()
                    ),
                    hint: Some("check `subdir` in agentpack.toml".into()),
                });
            }
        }
    };

    let mut snapshot = Snapshot::default();
    let odb = repo.odb().map_err(git_err)?;
    let entries = file_entries(repo, origin, &searched, commit, base, budget)?;
    let wanted = super::Wanted::of(entries.iter().map(|(path, ..)| path.as_str()));
    for (path, id, mode) in entries {
        if !wanted.reads(&path) {
            continue;
        }
        budget
            .bytes(path.len() as u64, &path)
            .map_err(origin.over())?;
        let repo_path = super::join(subdir, &path);
        let blob = if mode == 0o120000 {
            match follow_link(repo, origin, &root, base, &repo_path, id, budget)? {
                Ok(blob) => blob,
                Err(reason) => {
                    snapshot.skipped.push(Skipped { repo_path, reason });
                    continue;
                }
            }
        } else if mode == 0o160000 {
            continue; // a submodule: never followed
        } else {
            id
        };
        let content = content(repo, &odb, origin, blob, &repo_path, budget)?;
        snapshot.files.push(SourceFile {
            path,
            repo_path,
            content,
            executable: mode == 0o100755,
        });
    }
    snapshot.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(snapshot)
}

/// What a blob holds, within `budget`: its bytes, or for a large file its size and first bytes.
fn content(
    repo: &Repository,
    odb: &git2::Odb<'_>,
    origin: Origin<'_>,
    blob: Oid,
    repo_path: &str,
    budget: &mut ReadBudget,
) -> Result<Content> {
    let git_err = origin.git(READ_COMMIT);
    // The size comes from the object header, so a blob over the inspection limit is never inflated;
    // an object whose header cannot be read is an error rather than a reason to skip the limit.
    // libgit2 cannot stream a packed object, so the head of a large one costs inflating it once.
    let (size, _) = odb.read_header(blob).map_err(git_err)?;
    if size as u64 <= MAX_INSPECTED_SIZE {
        budget
            .bytes(size as u64, repo_path)
            .map_err(origin.over())?;
    }
    Ok(if size <= MAX_FILE_SIZE {
        Content::bytes(repo.find_blob(blob).map_err(git_err)?.content().to_vec())
    } else if size as u64 <= MAX_INSPECTED_SIZE {
        let blob = repo.find_blob(blob).map_err(git_err)?;
        Content::TooLarge {
            size: size as u64,
            head: blob.content()[..HEAD_SIZE].to_vec(),
        }
    } else {
        Content::TooLarge {
            size: size as u64,
            head: Vec::new(),
        }
    })
}

/// Deepest nesting of directories read from a commit. Real repositories stay far below it; a crafted tree
/// thousands of levels deep is refused instead of being walked.
pub const MAX_TREE_DEPTH: usize = 256;

/// Longest symlink target followed, in bytes (`PATH_MAX` on Linux).
const MAX_LINK_TARGET: usize = 4096;

/// What failed when the objects of a source's pinned commit cannot be read (a damaged cache).
const READ_COMMIT: &str = "failed to read the pinned commit of";

/// Every file entry under `tree` (not a directory): its path relative to `tree`, object id and mode,
/// sorted by path. The walk keeps its own stack, so no tree shape can exhaust the call stack, and refuses
/// trees nested deeper than [`MAX_TREE_DEPTH`] and entry names git itself refuses (`git fsck`): empty,
/// `.`, `..`, `.git` in any case, or holding `/`. Names that are not UTF-8 are passed over. Every entry
/// looked at, and every path kept, is counted against `budget`: a tree can hold the same subtree many
/// times over.
fn file_entries(
    repo: &Repository,
    origin: Origin<'_>,
    tree: &git2::Tree<'_>,
    commit: Commit,
    base: &str,
    budget: &mut ReadBudget,
) -> Result<Vec<(String, Oid, i32)>> {
    let mut entries = Vec::new();
    let mut pending = vec![(String::new(), tree.id(), 0)];
    while let Some((dir, id, depth)) = pending.pop() {
        let tree = repo.find_tree(id).map_err(origin.git(READ_COMMIT))?;
        for entry in tree.iter() {
            budget.entry().map_err(origin.over())?;
            let Ok(name) = entry.name() else { continue };
            let path = format!("{dir}{name}");
            if refused_name(name) {
                return Err(origin.invalid(format!(
                    "commit {} holds a tree entry named `{name}` (at `{}`), which git itself refuses; agentpack does not read it",
                    commit.short(),
                    super::join(Some(base), &path)
                )));
            }
            if entry.kind() == Some(ObjectType::Tree) {
                if depth == MAX_TREE_DEPTH {
                    return Err(origin.invalid(format!(
                        "commit {} nests directories more than {MAX_TREE_DEPTH} levels deep (at `{}/...`); agentpack does not read it",
                        commit.short(),
                        super::join(Some(base), &path.chars().take(200).collect::<String>())
                    )));
                }
                budget
                    .bytes(path.len() as u64, &path)
                    .map_err(origin.over())?;
                pending.push((format!("{path}/"), entry.id(), depth + 1));
            } else {
                entries.push((path, entry.id(), entry.filemode()));
            }
        }
    }
    entries.sort();
    Ok(entries)
}

/// Is `name` one git itself refuses as a tree entry (`git fsck`): empty, `.`, `..`, `.git` in any case, or
/// holding `/`?
pub(super) fn refused_name(name: &str) -> bool {
    name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains('/')
}

/// Follow a symlink stored in the tree (up to 8 hops) to a blob inside the searched directory. `Ok(Err)`
/// is a link passed over (with the reason); `Err` a link target larger than any real path, which is
/// never read, or one past `budget`.
fn follow_link(
    repo: &Repository,
    origin: Origin<'_>,
    root: &git2::Tree<'_>,
    base: &str,
    repo_path: &str,
    mut id: Oid,
    budget: &mut ReadBudget,
) -> Result<std::result::Result<Oid, String>> {
    let git_err = origin.git("failed to read a symlink of");
    let odb = repo.odb().map_err(git_err)?;
    let mut current = repo_path.to_string();
    for _ in 0..8 {
        let (size, _) = odb.read_header(id).map_err(git_err)?;
        if size > MAX_LINK_TARGET {
            return Err(origin.invalid(format!(
                "symlink `{current}` holds a {size}-byte target; symlink targets are at most {MAX_LINK_TARGET} bytes, so agentpack does not read it"
            )));
        }
        budget.bytes(size as u64, &current).map_err(origin.over())?;
        let target =
            String::from_utf8_lossy(repo.find_blob(id).map_err(git_err)?.content()).into_owned();
        let dir = current.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let Some(resolved) = super::resolve_link(base, dir, &target) else {
            return Ok(Err(format!(
                "symlink to `{target}` points outside the searched directory; not followed"
            )));
        };
        let Ok(entry) = root.get_path(Path::new(&resolved)) else {
            return Ok(Err(format!("symlink to `{target}` is dangling")));
        };
        match entry.filemode() {
            0o120000 => {
                id = entry.id();
                current = resolved;
            }
            0o100644 | 0o100755 => return Ok(Ok(entry.id())),
            _ => {
                return Ok(Err(format!(
                    "symlink to `{target}` does not point at a file"
                )));
            }
        }
    }
    Ok(Err("too many levels of symlinks".to_string()))
}

/// Why a path that is in a tree is not read as a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// A symlink, a folder or a submodule: a catalogue or manifest is read only as a regular file.
    NotAFile,
    /// A regular file over [`MAX_FILE_SIZE`] (its size).
    TooLarge(u64),
}

impl Unreadable {
    /// Says what `label` is instead of a readable file.
    pub fn describe(self, label: &str) -> String {
        match self {
            Unreadable::NotAFile => format!(
                "`{label}` is not a regular file (a symlink, a folder or a submodule); agentpack reads it only as a file"
            ),
            Unreadable::TooLarge(size) => format!(
                "`{label}` is {size} bytes; agentpack reads at most {MAX_FILE_SIZE} bytes of it"
            ),
        }
    }
}

/// The bytes of the regular file at `path` (repository-relative, `/`-separated) in `commit`'s tree;
/// `Ok(None)` when there is nothing at `path`, an [`Unreadable`] when there is something that is not a
/// regular file of at most [`MAX_FILE_SIZE`] (so a caller does not mistake it for a missing file). `Err`
/// when the commit or the file's object cannot be read.
pub(super) fn read_file(
    repo: &Repository,
    commit: Commit,
    path: &str,
) -> std::result::Result<FileAnswer, git2::Error> {
    let tree = repo.find_commit(commit.oid())?.tree()?;
    let Ok(entry) = tree.get_path(Path::new(path)) else {
        return Ok(Ok(None));
    };
    if !matches!(entry.filemode(), 0o100644 | 0o100755) {
        return Ok(Err(Unreadable::NotAFile));
    }
    let (size, _) = repo.odb()?.read_header(entry.id())?;
    if size > MAX_FILE_SIZE {
        return Ok(Err(Unreadable::TooLarge(size as u64)));
    }
    Ok(Ok(Some(repo.find_blob(entry.id())?.content().to_vec())))
}

/// What is at a path of a commit's tree, as far as `has_path` and `is_dir` ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum EntryKind {
    Absent,
    /// A folder (a symlink to one is [`EntryKind::Other`]).
    Dir,
    /// A file, a symlink or a submodule.
    Other,
}

/// What is at `path` in `commit`'s tree; `Err` when the commit cannot be read. Nothing is read from it.
pub(super) fn entry_kind(
    repo: &Repository,
    commit: Commit,
    path: &str,
) -> std::result::Result<EntryKind, git2::Error> {
    let tree = repo.find_commit(commit.oid())?.tree()?;
    Ok(match tree.get_path(Path::new(path)) {
        Err(_) => EntryKind::Absent,
        Ok(entry) if entry.kind() == Some(ObjectType::Tree) => EntryKind::Dir,
        Ok(_) => EntryKind::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A commit whose tree nests `d/` `levels` times above `deep.md`, in a repository held in memory.
    fn deep_commit(levels: usize) -> (Repository, Commit) {
        let odb = git2::Odb::new().unwrap();
        odb.add_new_mempack_backend(1).unwrap();
        // Written as raw objects: libgit2's tree builder looks up every entry it is given.
        let one = |entry: &str, id: Oid| {
            let mut bytes = format!("{entry}\0").into_bytes();
            bytes.extend_from_slice(id.as_bytes());
            odb.write(ObjectType::Tree, &bytes).unwrap()
        };
        let blob = odb
            .write(ObjectType::Blob, b"---\nname: deep\n---\n")
            .unwrap();
        let mut tree = one("100644 deep.md", blob);
        for _ in 0..levels {
            tree = one("40000 d", tree);
        }
        let commit =
            format!("tree {tree}\nauthor t <t@t> 0 +0000\ncommitter t <t@t> 0 +0000\n\ndeep\n");
        let commit = odb.write(ObjectType::Commit, commit.as_bytes()).unwrap();
        (Repository::from_odb(odb).unwrap(), Commit::from(commit))
    }

    const ORIGIN: Origin<'static> = Origin {
        source_name: "studio",
        url: "https://example.com/studio.git",
    };

    #[test]
    fn trees_are_walked_without_recursion_and_their_depth_is_capped() {
        // 30,000 levels overflowed the 2 MiB stack of a test thread with libgit2's recursive walk.
        let (repo, commit) = deep_commit(30_000);
        match snapshot(&repo, ORIGIN, commit, None, &mut ReadBudget::default()) {
            Err(e @ Error::InvalidRepository { .. }) => {
                let message = e.to_string();
                assert!(message.starts_with("source `studio`: commit "), "{message}");
                assert!(message.contains("more than 256 levels deep"), "{message}")
            }
            other => panic!("{other:?}"),
        }
        let (repo, commit) = deep_commit(MAX_TREE_DEPTH - 1);
        let found = snapshot(&repo, ORIGIN, commit, None, &mut ReadBudget::default()).unwrap();
        assert_eq!(found.files.len(), 1);
        assert_eq!(
            found.files[0].path.matches("d/").count(),
            MAX_TREE_DEPTH - 1
        );
    }

    #[test]
    fn a_commit_whose_objects_are_missing_names_its_source_and_url() {
        let odb = git2::Odb::new().unwrap();
        odb.add_new_mempack_backend(1).unwrap();
        let absent_tree = "1".repeat(40);
        let commit = format!(
            "tree {absent_tree}\nauthor t <t@t> 0 +0000\ncommitter t <t@t> 0 +0000\n\nno tree\n"
        );
        let commit = Commit::from(odb.write(ObjectType::Commit, commit.as_bytes()).unwrap());
        let repo = Repository::from_odb(odb).unwrap();
        let e = snapshot(&repo, ORIGIN, commit, None, &mut ReadBudget::default()).unwrap_err();
        assert!(matches!(e, Error::Git { .. }), "{e:?}");
        // It once read "failed to read commit `` from `<commit id>`".
        assert_eq!(
            e.to_string(),
            "failed to read the pinned commit of `studio` from `https://example.com/studio.git`"
        );
    }
}
