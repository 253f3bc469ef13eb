//! Sources: where agent files come from. A source is read into a [`Snapshot`], the `.md` files under its
//! searched directory and every file of each skill folder (a folder holding `SKILL.md`, see [`Wanted`]),
//! whatever the source kind:
//!
//! - [`git`]: a bare repository per remote in the shared cache; files are read from a commit's tree
//!   (`tree.rs`), and each answer is recorded beside the repository as plain files (`records/`), so the
//!   next read of the same commit needs no libgit2;
//! - [`path`]: a plain local directory;
//! - [`vendor`]: a git source's locked files copied into the project (`[install] vendor`).
//! - [`net`]: how git remotes are talked to (credentials, timeouts, retries, failure kinds).
//!
//! [`cache`] locks cache repositories between processes and repairs damaged ones.
//!
//! Reading is where untrusted layout is tamed: symlinks that leave the searched directory are skipped,
//! files over [`crate::limits::MAX_FILE_SIZE`] are not loaded (only their first bytes, to tell an
//! agent from documentation), submodules are ignored, and [`budget`] bounds what one resolution reads from
//! git objects in all.

pub mod budget;
pub mod cache;
pub mod git;
pub mod net;
pub mod path;
mod records;
mod tree;
pub use tree::Unreadable;
pub mod vendor;

use crate::names::Sha256;

/// The `.md` files of a source under its searched directory, and every file of its skill folders.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// Sorted by path.
    pub files: Vec<SourceFile>,
    /// Entries passed over, with the reason (shown as warnings or with `-v`).
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the searched directory (`subdir`), `/`-separated: what `agents = ["x/*.md"]` matches.
    pub path: String,
    /// Relative to the repository root (or the path source's directory): what the lockfile records.
    pub repo_path: String,
    pub content: Content,
    /// Stored executable (git mode 100755, or an executable bit on disk): installed as 0o755.
    pub executable: bool,
}

#[derive(Debug, Clone)]
pub enum Content {
    /// The whole file, with its sha256: computed once, by the source layer, for every source kind, and
    /// used by the install, the lock and the install state whenever they hold the upstream bytes.
    Bytes { bytes: Vec<u8>, sha256: Sha256 },
    /// Over [`crate::limits::MAX_FILE_SIZE`]: not loaded. `head` holds its first
    /// [`crate::limits::HEAD_SIZE`] bytes, enough to tell an oversized agent from documentation;
    /// it is empty when the file is over [`crate::limits::MAX_INSPECTED_SIZE`].
    TooLarge { size: u64, head: Vec<u8> },
}

impl Content {
    /// The whole file, hashed here.
    pub fn bytes(bytes: Vec<u8>) -> Content {
        let sha256 = Sha256::of(&bytes);
        Content::Bytes { bytes, sha256 }
    }
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub repo_path: String,
    pub reason: String,
}

/// `a/b` joined under an optional sub-directory.
pub fn join(subdir: Option<&str>, path: &str) -> String {
    match subdir {
        Some(dir) if !dir.is_empty() => format!("{dir}/{path}"),
        _ => path.to_string(),
    }
}

/// Is this file name one agentpack considers (Claude Code loads `*.md`)?
pub fn is_markdown(name: &str) -> bool {
    name.ends_with(".md")
}

/// The file name of a skill's definition; the folder holding it is the skill.
pub const SKILL_MD: &str = "SKILL.md";

/// Which files a snapshot reads: the `.md` files, and every file below a folder that holds a `SKILL.md`
/// (a skill's scripts, references and assets). Which folder is which skill is decided later
/// (`kinds::Layout`); reading needs only this.
pub struct Wanted {
    skill_dirs: std::collections::BTreeSet<String>,
}

impl Wanted {
    /// Over `paths`: every file under the searched directory, `/`-separated.
    pub fn of<'a>(paths: impl IntoIterator<Item = &'a str>) -> Wanted {
        let skill_dirs = paths
            .into_iter()
            .filter_map(|p| match p.rsplit_once('/') {
                Some((dir, SKILL_MD)) => Some(dir.to_string()),
                None if p == SKILL_MD => Some(String::new()),
                _ => None,
            })
            .collect();
        Wanted { skill_dirs }
    }

    /// Is the file at `path` read?
    pub fn reads(&self, path: &str) -> bool {
        if is_markdown(path) || self.skill_dirs.contains("") {
            return true;
        }
        let mut at = path;
        while let Some((dir, _)) = at.rsplit_once('/') {
            if self.skill_dirs.contains(dir) {
                return true;
            }
            at = dir;
        }
        false
    }
}

/// Resolve a symlink's target lexically, relative to the link's directory, inside `base` (the searched
/// directory, `""` for the root). `None` when it is absolute or leaves `base`.
pub fn resolve_link(base: &str, link_dir: &str, target: &str) -> Option<String> {
    if target.starts_with('/') || target.contains('\\') || target.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = link_dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    let inside = base.is_empty() || joined == base || joined.starts_with(&format!("{base}/"));
    inside.then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_markdown_and_every_file_of_a_skill_folder() {
        let paths = [
            "README.md",
            "logo.png",
            "skills/pdf/SKILL.md",
            "skills/pdf/scripts/fill.py",
            "skills/pdf/references/deep/notes.txt",
            "skills/other.py",
            "skills/pdfx/run.sh",
        ];
        let wanted = Wanted::of(paths.iter().copied());
        let kept: Vec<&str> = paths.iter().copied().filter(|p| wanted.reads(p)).collect();
        assert_eq!(
            kept,
            [
                "README.md",
                "skills/pdf/SKILL.md",
                "skills/pdf/scripts/fill.py",
                "skills/pdf/references/deep/notes.txt"
            ]
        );
        let whole = Wanted::of(["SKILL.md", "run.sh"].iter().copied());
        assert!(whole.reads("run.sh"));
    }

    #[test]
    fn links_stay_inside_the_searched_directory() {
        assert_eq!(resolve_link("", "a", "b.md").as_deref(), Some("a/b.md"));
        assert_eq!(
            resolve_link("eng", "eng/x", "../y.md").as_deref(),
            Some("eng/y.md")
        );
        assert_eq!(resolve_link("eng", "eng", "../README.md"), None);
        assert_eq!(resolve_link("", "", "../../etc/passwd"), None);
        assert_eq!(resolve_link("", "a", "/etc/passwd"), None);
    }
}
