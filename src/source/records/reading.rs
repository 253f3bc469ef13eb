//! [`LockedRepo`]'s reading of a commit (`snapshot`, `read_file`, `has_path`, `is_dir`): from the
//! commit's record when there is one (see [`super`]), else from git (`tree.rs`) and then recorded.

use super::{FileAnswer, Found};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::names::Commit;
use crate::source::Snapshot;
use crate::source::budget::ReadBudget;
use crate::source::cache::LockedRepo;
use crate::source::tree::{EntryKind, Origin};

impl LockedRepo<'_> {
    /// Read the `.md` files under `subdir` of `commit`'s tree, within what is left of `budget`; errors
    /// name `origin`. Answered by the commit's record when it has one that fits in `budget` (one that
    /// does not is read from git, so the error says where reading stops), else read from git and
    /// recorded.
    pub fn snapshot(
        &self,
        origin: Origin<'_>,
        commit: Commit,
        subdir: Option<&str>,
        budget: &mut ReadBudget,
    ) -> Result<Snapshot> {
        let key = subdir.unwrap_or("");
        let found = (self.take_read_ahead(origin.source_name, commit, key))
            .unwrap_or_else(|| self.records.snapshot(commit, key));
        if let Some((snapshot, charge)) = self.recorded(commit, found)
            && budget.take(charge)
        {
            return Ok(snapshot);
        }
        let before = budget.left();
        let snapshot =
            crate::source::tree::snapshot(self.git_for(commit)?, origin, commit, subdir, budget)?;
        (self.records).write_snapshot(commit, key, &snapshot, budget.spent_since(before));
        Ok(snapshot)
    }

    /// The bytes of the regular file at `path` in `commit`'s tree (see `tree::read_file`);
    /// from its record when there is one.
    pub fn read_file(&self, commit: Commit, path: &str) -> Result<FileAnswer> {
        if let Some(answer) = self.recorded(commit, self.records.file(commit, path)) {
            return Ok(answer);
        }
        let answer = crate::source::tree::read_file(self.git_for(commit)?, commit, path)
            .map_err(|e| self.unreadable(e))?;
        self.records.write_file(commit, path, &answer);
        Ok(answer)
    }

    /// Is there anything at `path` in `commit`'s tree (a plugin's `hooks/hooks.json`, `monitors/`)?
    pub fn has_path(&self, commit: Commit, path: &str) -> Result<bool> {
        Ok(self.entry_kind(commit, path)? != EntryKind::Absent)
    }

    /// Is there a folder (not a symlink) at `path` in `commit`'s tree (a relative plugin's root)?
    pub fn is_dir(&self, commit: Commit, path: &str) -> Result<bool> {
        Ok(self.entry_kind(commit, path)? == EntryKind::Dir)
    }

    fn entry_kind(&self, commit: Commit, path: &str) -> Result<EntryKind> {
        if let Some(kind) = self.recorded(commit, self.records.entry(commit, path)) {
            return Ok(kind);
        }
        let kind = crate::source::tree::entry_kind(self.git_for(commit)?, commit, path)
            .map_err(|e| self.unreadable(e))?;
        self.records.write_entry(commit, path, kind);
        Ok(kind)
    }

    /// The git repository, to answer a question about `commit` that its records do not. A commit its
    /// records say is cached but git lacks (the repository was replaced by one without it: by another
    /// version of agentpack sharing the cache, or by hand) has its records forgotten, so that the next
    /// run fetches it rather than failing the same way.
    fn git_for(&self, commit: Commit) -> Result<&git2::Repository> {
        let repo = self.git()?;
        if self.records.has_commit(commit)
            && let Err(cause) = repo.find_commit(commit.oid())
        {
            self.records.forget(commit);
            return Err(self.unreadable(cause));
        }
        Ok(repo)
    }

    /// A record's answer; a damaged record is reported, and then asked of git like a missing one.
    fn recorded<T>(&self, commit: Commit, found: Found<T>) -> Option<T> {
        match found {
            Found::Answer(answer) => Some(answer),
            Found::Missing => None,
            Found::Damaged(why) => {
                // Like a damaged repository's warning, it names where the damage is on disk.
                self.reporter().diagnostic(
                    &Diagnostic::warning(
                        "cache-damaged",
                        format!(
                            "a cached record of commit {} of `{}` is damaged ({why}); reading the commit from the repository again",
                            commit.short(),
                            crate::escape::redact(self.url())
                        ),
                    )
                    .with_hint(format!(
                        "cache records of that commit: `{}`",
                        self.records.commit_dir(commit).display()
                    )),
                );
                None
            }
        }
    }

    /// A commit this run took for cached that the cache repository cannot read: it was damaged (and
    /// fetched again) after the commit's records were found.
    fn unreadable(&self, cause: git2::Error) -> Error {
        Error::Cache {
            action: "failed to read a pinned commit (run the command again to fetch it) from the cache repository of",
            url: self.url().to_string(),
            cause,
        }
    }
}
