//! Sharing the cache between processes, and repairing it.
//!
//! Each bare repository `git/db/<repo>` has a lock file beside it, `git/db/<repo>.lock`. Every command that
//! reads sources from the cache (`install`, `add`, `update`, `remove`, `vendor`, `outdated`) first takes
//! the locks of the repositories its manifest (or lock) names, in sorted order, so two runs never wait on
//! each other; the operating system releases them when a process dies. A repository first met during
//! resolution (a pack's source) is locked then: blocking when its URL sorts after every lock held (the
//! order every run follows), otherwise waiting at most [`OUT_OF_ORDER_WAIT`], so that two runs meeting the
//! same repositories in opposite orders cannot wait on each other forever.
//!
//! [`LockedCache`] is the only way to get a [`LockedRepo`], and [`super::git::Remote`] — every fetch and
//! every listing of a remote's refs — is made from one ([`LockedRepo::remote`]): nothing can write to a
//! cache repository, or to its records ([`super::records`]), without its lock. A `LockedRepo` does not
//! hand out its `git2::Repository`: callers outside `source` read and remember refs through its methods,
//! so git2 stays in this module.
//!
//! A `LockedRepo` opens its git repository only when it needs it: when a question about a commit has no
//! record yet, or to fetch, list or remember refs. An install answered entirely by records never
//! initialises libgit2, so never loads OpenSSL's configuration or CA bundle. Holding the repository's
//! lock, agentpack is the only writer of it, so it checks it when it first opens it:
//!
//! - git `*.lock` files (`packed-refs.lock`, `refs/.../main.lock`, `config.lock`) were left by a process
//!   killed in the middle of a write. Git writes to `X.lock` and renames it over `X`, so that write simply
//!   never happened: the lock files are removed, with a warning, and the repository is used as it is.
//! - A repository that libgit2 cannot open, whose pack files are truncated (a pack's trailing checksum
//!   differs from the one its index records), or whose refs point at missing or unreadable objects is
//!   damaged: it is moved aside (`git/db/.damaged-*`, then deleted) with a warning, and fetched again.
//!   Its records go with it (as they do when the repository is gone), so that no commit is taken for
//!   cached that the new repository lacks.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use git2::Repository;

use super::Snapshot;
use super::budget::{Charge, MAX_READ_BYTES, ReadBudget};
use super::git::{Cache, Tracked};
use super::records::{Found, Records};
use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::in_order::on_every_core;
use crate::names::Commit;
use crate::reporter::{Reporter, Status};

/// How long a run waits for a repository lock it takes out of order before giving up.
pub const OUT_OF_ORDER_WAIT: Duration = Duration::from_secs(60);

/// The lock on one cache repository, released on drop.
#[derive(Debug)]
struct RepoLock {
    _file: File,
}

/// The cache with the repositories of one run locked (see the module doc); released on drop.
pub struct LockedCache<'c> {
    cache: &'c Cache,
    reporter: &'c dyn Reporter,
    /// By the URL git is asked for.
    held: Mutex<BTreeMap<String, RepoLock>>,
    /// The URLs whose repository this run has checked (see the module doc): once is enough.
    checked: Mutex<BTreeSet<String>>,
    /// Snapshots read ahead (see [`LockedCache::read_snapshots_ahead`]), by the name of the source they
    /// were read for, until that source's [`LockedRepo::snapshot`] takes them.
    ahead: Mutex<HashMap<String, Ahead>>,
}

/// A snapshot read ahead: the URL git is asked for, the commit, the subdir (`""` for the root).
type AheadKey = (String, Commit, String);

/// What was read ahead for a source: which snapshot, and what reading its record found.
type Ahead = (AheadKey, Found<(Snapshot, Charge)>);

/// A snapshot to read ahead: for the source named first, of the URL, commit and subdir.
pub type Wanted<'w> = (&'w str, &'w str, Commit, Option<&'w str>);

/// A cache repository whose lock this run holds: what fetching needs, and the only handle on a cache
/// repository outside this module and [`super::git`], whose methods are all that can be done with it.
pub struct LockedRepo<'l> {
    locked: &'l LockedCache<'l>,
    /// What git is asked for.
    url: String,
    /// Opened (checked, created when missing) on first use: see [`LockedRepo::git`].
    git: OnceCell<Repository>,
    /// Refs to remember once the repository is open (see [`LockedRepo::remember`]).
    pending: RefCell<Vec<(Tracked, crate::names::Commit)>>,
    pub(super) records: Records,
}

impl<'c> LockedCache<'c> {
    /// Lock the repositories of `urls` (what git is asked for) in sorted order, checking each one and
    /// moving damaged ones aside. Waits, and says so, while another process holds a lock.
    pub fn lock<'a>(
        cache: &'c Cache,
        urls: impl IntoIterator<Item = &'a str>,
        reporter: &'c dyn Reporter,
    ) -> Result<LockedCache<'c>> {
        let mut urls: Vec<&str> = urls.into_iter().collect();
        urls.sort_unstable();
        urls.dedup();
        let mut held = BTreeMap::new();
        for url in urls {
            held.insert(url.to_string(), cache.lock_repo(url, reporter, None)?);
        }
        Ok(LockedCache {
            cache,
            reporter,
            held: Mutex::new(held),
            checked: Mutex::new(BTreeSet::new()),
            ahead: Mutex::new(HashMap::new()),
        })
    }

    pub fn cache(&self) -> &Cache {
        self.cache
    }

    /// The repository of `url`, created (when first used) if the cache has none yet; locked first if it
    /// is not yet.
    pub fn repo(&self, url: &str) -> Result<LockedRepo<'_>> {
        self.hold(url)?;
        Ok(LockedRepo {
            locked: self,
            url: url.to_string(),
            git: OnceCell::new(),
            pending: RefCell::new(Vec::new()),
            records: Records::new(self.cache.records_path(url)),
        })
    }

    /// Read, on every core, the recorded snapshots a resolution is about to read one source after
    /// another, so that [`LockedRepo::snapshot`] takes each from here instead of reading it then.
    ///
    /// Which: each snapshot `(url, commit, subdir)` wanted for a source, of a repository this run holds,
    /// that has a record, in order, while the records' sizes add up to at most the read budget's limit
    /// (what is read from disk); of those read, a snapshot is kept while the charges add up to at most
    /// that limit too (what is held in memory, bounded as the resolution's reads are). What is not kept is
    /// read by the walk itself, as before. (With fewer than [`on_every_core`] spreads, the snapshots are
    /// read one after another, each reading its blobs on every core.)
    ///
    /// Each is kept for the source it was read for and taken when that source's snapshot is read,
    /// whatever it then reads: one it does not ask for (its source pinned another commit after all) is
    /// dropped then (until that source's turn it still waits here). Nothing is reported here: a damaged
    /// record is kept as such and reported when the walk takes it, so messages and charges come in
    /// manifest order, unchanged.
    pub fn read_snapshots_ahead(&self, wanted: &[Wanted<'_>]) {
        let mut room = MAX_READ_BYTES;
        let mut chosen: Vec<(PathBuf, &str, AheadKey)> = Vec::new();
        let held = self.held.lock().expect("cache locks");
        for &(source, url, commit, subdir) in wanted.iter().filter(|w| held.contains_key(w.1)) {
            let subdir = subdir.unwrap_or("");
            let dir = self.cache.records_path(url);
            let Some(size) = Records::new(dir.clone()).snapshot_size(commit, subdir) else {
                continue;
            };
            let Some(left) = room.checked_sub(size) else {
                break;
            };
            room = left;
            chosen.push((dir, source, (url.to_string(), commit, subdir.to_string())));
        }
        drop(held);
        // A record holds a blob once however many files hold it, and reading copies it for each: what a
        // snapshot holds is its charge (up to the whole budget for a small record), so what is kept is
        // bounded by the charges, as the resolution's reads are.
        let kept = Mutex::new(ReadBudget::default());
        let found = on_every_core(&chosen, |(path, _, (_, commit, subdir))| {
            let found = Records::new(path.clone()).snapshot(*commit, subdir);
            let fits = match &found {
                Found::Answer((_, charge)) => kept.lock().expect("read ahead budget").take(*charge),
                Found::Missing | Found::Damaged(_) => true,
            };
            fits.then_some(found)
        });
        let mut ahead = self.ahead.lock().expect("cache read ahead");
        ahead.extend(
            (chosen.into_iter().zip(found))
                .filter_map(|((_, source, key), found)| Some((source.to_string(), (key, found?)))),
        );
    }

    /// The snapshot read ahead for `source` when it is of `url`, `commit` and `subdir`; taken either
    /// way (it is read once, by the one source it was read for).
    fn take_ahead(
        &self,
        source: &str,
        url: &str,
        commit: Commit,
        subdir: &str,
    ) -> Option<Found<(Snapshot, Charge)>> {
        let (key, found) = self
            .ahead
            .lock()
            .expect("cache read ahead")
            .remove(source)?;
        (key == (url.to_string(), commit, subdir.to_string())).then_some(found)
    }

    /// The repository of `url` when it was fetched before (`--offline`); locked first if it is not yet.
    /// Whether it was is seen on disk, without opening it.
    pub fn existing(&self, url: &str) -> Result<Option<LockedRepo<'_>>> {
        if !self.cache.db_path(url).is_dir() {
            return Ok(None);
        }
        self.repo(url).map(Some)
    }

    fn hold(&self, url: &str) -> Result<()> {
        let mut held = self.held.lock().expect("cache locks");
        if held.contains_key(url) {
            return Ok(());
        }
        let in_order = held
            .keys()
            .next_back()
            .is_none_or(|last| last.as_str() < url);
        let limit = (!in_order).then_some(OUT_OF_ORDER_WAIT);
        let lock = self.cache.lock_repo(url, self.reporter, limit)?;
        held.insert(url.to_string(), lock);
        Ok(())
    }
}

impl LockedRepo<'_> {
    /// The snapshot of `subdir` (`""` for the root) at `commit` if it was read ahead for `source` (see
    /// [`LockedCache::read_snapshots_ahead`]), taken.
    pub(super) fn take_read_ahead(
        &self,
        source: &str,
        commit: Commit,
        subdir: &str,
    ) -> Option<Found<(Snapshot, Charge)>> {
        self.locked.take_ahead(source, &self.url, commit, subdir)
    }

    /// The git repository, opened on first use: checked first (once per run, see the module doc), and
    /// created when the cache has none. Refs remembered before are written then.
    pub(super) fn git(&self) -> Result<&Repository> {
        if let Some(repo) = self.git.get() {
            return Ok(repo);
        }
        let first = (self.locked.checked.lock().expect("checked lock")).insert(self.url.clone());
        let cache = self.locked.cache;
        let repo = match first {
            true => cache.open_checked(&self.url, self.locked.reporter)?,
            false => cache.open_or_init(&self.url)?,
        };
        let repo = self.git.get_or_init(|| repo);
        for (tracked, commit) in self.pending.take() {
            super::git::remember(repo, &tracked, commit);
        }
        Ok(repo)
    }

    /// The repository when it is open already.
    pub(super) fn opened(&self) -> Option<&Repository> {
        self.git.get()
    }

    /// Remember `tracked` → `commit` when the repository is next opened (it is not opened for that alone).
    pub(super) fn remember_later(&self, tracked: &Tracked, commit: crate::names::Commit) {
        self.pending.borrow_mut().push((tracked.clone(), commit));
    }

    pub(super) fn url(&self) -> &str {
        &self.url
    }

    /// Is the repository's folder there (it is not opened)?
    pub(super) fn db_exists(&self) -> bool {
        self.git.get().is_some() || self.locked.cache.db_path(&self.url).is_dir()
    }

    pub(super) fn reporter(&self) -> &dyn Reporter {
        self.locked.reporter
    }
}

impl Cache {
    /// Open the repository of `url` after checking it (see the module doc), creating it when it is
    /// missing or was damaged. The records of a repository that is gone or damaged are discarded.
    fn open_checked(&self, url: &str, reporter: &dyn Reporter) -> Result<Repository> {
        let db = self.db_path(url);
        // Holding the lock, agentpack is the only writer: git lock files are from a dead process. Git
        // writes a ref or config file to `X.lock` and renames it over `X`, so the interrupted write simply
        // never happened and the repository is intact once the lock file is gone.
        for stale in stale_git_locks(&db) {
            if std::fs::remove_file(&stale).is_ok() {
                reporter.diagnostic(&Diagnostic::warning(
                    "cache-stale-lock",
                    format!(
                        "removed `{}` from the cached repository of `{}`: it was left by a process that died while writing",
                        stale.strip_prefix(&db).unwrap_or(&stale).display(),
                        crate::escape::redact(url)
                    ),
                ));
            }
        }
        match checked(&db) {
            Some(Ok(repo)) => return Ok(repo),
            Some(Err(damage)) => {
                reporter.diagnostic(
                    &Diagnostic::warning(
                        "cache-damaged",
                        format!(
                            "the cached repository of `{}` is damaged ({damage}); moved it aside, fetching it again",
                            crate::escape::redact(url)
                        ),
                    )
                    .with_hint(format!("cache repository: `{}`", db.display())),
                );
                discard(&db)?;
            }
            None => {}
        }
        let records = self.records_path(url);
        if records.exists() {
            discard(&records)?;
        }
        self.open_or_init(url)
    }

    /// Lock the repository of `url` (waiting at most `limit` when given). It is checked when first opened.
    fn lock_repo(
        &self,
        url: &str,
        reporter: &dyn Reporter,
        limit: Option<Duration>,
    ) -> Result<RepoLock> {
        let db = self.db_path(url);
        let parent = db.parent().expect("db path has a parent");
        std::fs::create_dir_all(parent)
            .map_err(|e| Error::io("create the cache directory", parent, e))?;
        let path = lock_path(&db);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io("open", &path, e))?;
        let what = format!("the cache repository of `{}`", crate::escape::redact(url));
        match limit {
            None => fsutil::lock_exclusive(&file, &path, &what, reporter)?,
            Some(limit) => lock_within(&file, &path, &what, limit, reporter)?,
        }
        Ok(RepoLock { _file: file })
    }
}

/// Try to lock `file` until `limit` has passed, saying so when it has to wait.
fn lock_within(
    file: &File,
    path: &Path,
    what: &str,
    limit: Duration,
    reporter: &dyn Reporter,
) -> Result<()> {
    let deadline = Instant::now() + limit;
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                if !said {
                    said = true;
                    reporter.status(
                        Status::Blocking,
                        &format!(
                            "waiting (at most {} s) for another agentpack process to release the lock on {what}",
                            limit.as_secs()
                        ),
                    );
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::Usage {
                    message: format!(
                        "another agentpack process held the lock on {what} for {} s; gave up, so that two runs waiting on each other cannot hang",
                        limit.as_secs()
                    ),
                    hint: Some("run the command again".into()),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("lock", path, e)),
        }
    }
}

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.file_name().expect("db path has a name").to_os_string();
    name.push(".lock");
    db.with_file_name(name)
}

/// The repository at `db` opened, or what is wrong with it; `None` when there is none.
fn checked(db: &Path) -> Option<std::result::Result<Repository, String>> {
    if !db.exists() {
        return None;
    }
    Some(open_intact(db))
}

/// The repository at `db` opened, or what is wrong with it.
fn open_intact(db: &Path) -> std::result::Result<Repository, String> {
    if let Some(stale) = stale_git_locks(db).first() {
        return Err(format!(
            "`{}` was left by a process that died while writing it, and cannot be removed",
            stale.strip_prefix(db).unwrap_or(stale).display()
        ));
    }
    let repo =
        super::git::open_bare(db).map_err(|e| format!("it cannot be opened: {}", e.message()))?;
    if let Some(pack) = truncated_pack(db) {
        return Err(format!(
            "pack `{pack}` is truncated or does not match its index"
        ));
    }
    match missing_object(&repo) {
        Some(missing) => Err(missing),
        None => Ok(repo),
    }
}

/// Git lock files (`packed-refs.lock`, `refs/.../main.lock`, `config.lock`...) anywhere but the objects.
fn stale_git_locks(db: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![db.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() && entry.file_name() != "objects" {
                dirs.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "lock") {
                found.push(path);
            }
        }
    }
    found
}

/// A pack whose last 20 bytes (its checksum) differ from the pack checksum its `.idx` records.
fn truncated_pack(db: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let tail = |path: &Path, from_end: i64| -> Option<[u8; 20]> {
        let mut file = File::open(path).ok()?;
        file.seek(SeekFrom::End(-from_end)).ok()?;
        let mut sum = [0u8; 20];
        file.read_exact(&mut sum).ok()?;
        Some(sum)
    };
    let packs = std::fs::read_dir(db.join("objects").join("pack")).ok()?;
    for entry in packs.flatten() {
        let idx = entry.path();
        if idx.extension().is_none_or(|e| e != "idx") {
            continue;
        }
        // An index ends with the pack's checksum, then its own.
        let recorded = tail(&idx, 40);
        let actual = tail(&idx.with_extension("pack"), 20);
        if recorded.is_none() || recorded != actual {
            return Some(entry.file_name().to_string_lossy().replace(".idx", ".pack"));
        }
    }
    None
}

/// A ref whose object is missing or unreadable, or whose commit's tree is.
fn missing_object(repo: &Repository) -> Option<String> {
    let references = match repo.references() {
        Ok(references) => references,
        Err(e) => return Some(format!("its refs cannot be read: {}", e.message())),
    };
    for reference in references.flatten() {
        // Symbolic refs (origin/HEAD) may name a branch that was never fetched.
        let Some(oid) = reference.target() else {
            continue;
        };
        let name = reference.name().unwrap_or("a ref").to_string();
        let object = match repo.find_object(oid, None) {
            Ok(object) => object,
            Err(_) => return Some(format!("`{name}` points at missing object {oid}")),
        };
        if let Ok(commit) = object.peel_to_commit()
            && commit.tree().is_err()
        {
            return Some(format!("the tree of `{name}` ({oid}) is missing"));
        }
    }
    None
}

/// Move the repository (or its records) out of the way at once (so nothing reads it again), then
/// delete it.
fn discard(db: &Path) -> Result<()> {
    let name = db
        .file_name()
        .expect("db path has a name")
        .to_string_lossy();
    let aside = tempfile::Builder::new()
        .prefix(&format!(".damaged-{name}-"))
        .tempdir_in(db.parent().expect("db path has a parent"))
        .map_err(|e| Error::io("create a directory in", db, e))?
        .keep();
    let aside = aside.join("repo");
    std::fs::rename(db, &aside).map_err(|e| Error::io("move aside", db, e))?;
    let _ = std::fs::remove_dir_all(aside.parent().expect("has a parent"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporter::Silent;
    use crate::source::Content;

    /// A record's blobs are stored once however many files hold them, and copied for each when read:
    /// what a snapshot read ahead holds is its charge, which can be far more than its record's size.
    #[test]
    fn snapshots_read_ahead_hold_no_more_than_the_read_budget() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path().to_path_buf());
        let url = "file:///nowhere/kit";
        let locked = LockedCache::lock(&cache, [url], &Silent).unwrap();
        let records = Records::new(cache.records_path(url));
        let commit = Commit::parse(&"ab".repeat(20)).unwrap();
        let snapshot = Snapshot {
            files: vec![crate::source::SourceFile {
                path: "a.md".into(),
                repo_path: "a.md".into(),
                content: Content::bytes(b"---\nname: a\n---\n".to_vec()),
                executable: false,
            }],
            skipped: Vec::new(),
        };
        let charge = Charge {
            entries: 1,
            bytes: MAX_READ_BYTES / 3 + 1,
        };
        let subdirs = ["d0", "d1", "d2", "d3"];
        for subdir in subdirs {
            records.write_snapshot(commit, subdir, &snapshot, charge);
        }
        // One source per folder, named after it.
        let wanted: Vec<_> = (subdirs.iter())
            .map(|s| (*s, url, commit, Some(*s)))
            .collect();
        locked.read_snapshots_ahead(&wanted);
        let ahead = locked.ahead.lock().unwrap();
        let held: u64 = (ahead.values())
            .map(|(_, found)| match found {
                Found::Answer((_, charge)) => charge.bytes,
                _ => panic!("every record is whole"),
            })
            .sum();
        assert_eq!(ahead.len(), 2);
        assert!(held <= MAX_READ_BYTES, "{held}");
    }
}
