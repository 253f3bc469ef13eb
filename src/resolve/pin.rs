//! How the walk pins one source: the lock when it still matches, `--precise`, a unified `version`
//! group's tag, a branch, tag, commit or default branch; fetching what is chosen and checking moved tags.

use git2::Repository;

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::manifest::{GitRef, GitUrl, SourceKind, SourceSpec};
use crate::names::{Commit, SourceName};
use crate::reporter::Status;
use crate::source::git::{self, Depth};

use super::pick::{choose, conflict, near_matches, no_matching_version};
use super::session::Session;
use super::{Pin, Requirement, Update, best_tag, remote, tag_version};

impl Session<'_> {
    /// The lock entry of `name`, when it still describes what `url`/`reference` ask for and the source is
    /// not being updated.
    pub(super) fn locked_pin(
        &self,
        name: &SourceName,
        url: &GitUrl,
        reference: &GitRef,
    ) -> Option<Pin> {
        if self.options.update.covers(name.as_str()) {
            return None;
        }
        let locked = self.lock?.source(name.as_str())?;
        if !locked.pins(url, reference) {
            return None;
        }
        Some(Pin::Git {
            commit: locked.commit()?,
            tag: locked.tag.clone(),
        })
    }

    /// Is `precise` meant for this source?
    pub(super) fn precise_for(&self, name: &SourceName) -> Option<String> {
        match (self.options.update, self.options.precise) {
            (Update::Only(names), Some(precise)) if names.iter().any(|n| n == name.as_str()) => {
                Some(precise.to_string())
            }
            _ => None,
        }
    }

    /// Pin a source that asks for a branch, a tag, a commit or the default branch.
    pub(super) fn pin_exact(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
    ) -> Result<Pin> {
        if let Some(precise) = self.precise_for(&spec.name) {
            return self.pin_precise(spec, url, &precise, None);
        }
        if let Some(pin) = self.locked_pin(&spec.name, url, reference) {
            self.ensure_locked(spec, url, reference, &pin)?;
            return Ok(pin);
        }
        let pin = if let GitRef::Rev(prefix) = reference {
            self.rev(spec, url, prefix)?
        } else {
            let offline = self.options.offline;
            let refs = self.refs(&spec.name, url)?;
            choose(spec.name.as_str(), url, reference, refs).map_err(|e| in_cache(e, offline))?
        };
        self.note_moved_tag_on_update(spec, &pin);
        self.ensure_fetched(spec, url, reference, &pin)?;
        Ok(pin)
    }

    /// Pin a group of `version` sources of one URL to one tag; `spec` is the one being resolved now.
    pub(super) fn pin_group(&mut self, spec: &SourceSpec, reqs: &[Requirement]) -> Result<Pin> {
        let SourceKind::Git { url, reference } = &spec.kind else {
            unreachable!("only git sources have version requirements")
        };
        if let Some((req, precise)) = reqs
            .iter()
            .find_map(|r| self.precise_for(&r.source).map(|p| (r, p)))
        {
            let pin = self.pin_precise(spec, url, &precise, Some(req))?;
            let others: Vec<Requirement> = reqs
                .iter()
                .filter(|r| r.source != req.source)
                .cloned()
                .collect();
            if !others.is_empty() && !self.satisfies_all(&pin, &others) {
                let refs = self.refs(&spec.name, url)?;
                return Err(conflict(url, reqs, refs));
            }
            return Ok(pin);
        }
        // Keep a locked tag when it still satisfies everyone and nobody in the group is being updated.
        let anyone_updated = reqs
            .iter()
            .any(|r| self.options.update.covers(r.source.as_str()));
        if !anyone_updated {
            let candidates: Vec<Pin> = reqs
                .iter()
                .filter_map(|r| {
                    let reference = GitRef::Version {
                        req: r.req.clone(),
                        written: r.written.clone(),
                    };
                    self.locked_pin(&r.source, &r.url, &reference)
                })
                .collect();
            if let Some(pin) = candidates.into_iter().find(|p| self.satisfies_all(p, reqs)) {
                self.ensure_locked(spec, url, reference, &pin)?;
                return Ok(pin);
            }
        }
        let refs = self.refs(&spec.name, url)?;
        let all: Vec<&semver::VersionReq> = reqs.iter().map(|r| &r.req).collect();
        let pin = match best_tag(refs, &all) {
            Some((tag, oid, _)) => Pin::Git {
                commit: Commit::from(*oid),
                tag: Some(tag.clone()),
            },
            None if reqs.len() == 1 => {
                return Err(in_cache(
                    no_matching_version(spec.name.as_str(), url, &reqs[0].written, refs),
                    self.options.offline,
                ));
            }
            None => return Err(conflict(url, reqs, refs)),
        };
        self.note_moved_tag_on_update(spec, &pin);
        self.ensure_fetched(spec, url, reference, &pin)?;
        Ok(pin)
    }

    /// Does `pin` satisfy every requirement: through the lock (the entry still matches and has this
    /// commit), or through its tag's version?
    pub(super) fn satisfies_all(&self, pin: &Pin, reqs: &[Requirement]) -> bool {
        let Pin::Git { commit, tag } = pin else {
            return false;
        };
        reqs.iter().all(|r| {
            let reference = GitRef::Version {
                req: r.req.clone(),
                written: r.written.clone(),
            };
            let by_lock = matches!(
                self.locked_pin(&r.source, &r.url, &reference),
                Some(Pin::Git { commit: c, .. }) if c == *commit
            );
            let by_tag = tag
                .as_deref()
                .and_then(tag_version)
                .is_some_and(|v| r.req.matches(&v));
            let by_precise = self.precise_for(&r.source).is_some();
            by_lock || by_tag || by_precise
        })
    }

    /// `--precise REV`: a tag of the remote, or a commit id. A tag must satisfy the source's `version`.
    pub(super) fn pin_precise(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        precise: &str,
        req: Option<&Requirement>,
    ) -> Result<Pin> {
        let refs = self.refs(&spec.name, url)?;
        let pin = if let Some(oid) = refs.tags.get(precise) {
            if let Some(req) = req
                && !tag_version(precise).is_some_and(|v| req.req.matches(&v))
            {
                return Err(Error::Usage {
                    message: format!(
                        "tag `{precise}` does not satisfy the requirement `{}` of `{}`",
                        req.written, spec.name
                    ),
                    hint: Some(
                        "pick a tag within the requirement, or change `version` in agentpack.toml"
                            .into(),
                    ),
                });
            }
            Pin::Git {
                commit: Commit::from(*oid),
                tag: Some(precise.to_string()),
            }
        } else if precise.len() >= 7
            && precise.len() <= 40
            && precise.bytes().all(|b| b.is_ascii_hexdigit())
        {
            self.rev(spec, url, &precise.to_ascii_lowercase())?
        } else {
            let candidates: Vec<&String> = refs.tags.keys().collect();
            return Err(Error::NotFound {
                message: format!(
                    "`--precise {precise}`: `{}` has no such tag, and it is not a commit id",
                    url.written
                ),
                hint: near_matches(&format!("`{precise}`"), candidates),
            });
        };
        let reference = match &spec.kind {
            SourceKind::Git { reference, .. } => reference.clone(),
            SourceKind::Path { .. } => unreachable!("precise applies to git sources"),
        };
        self.ensure_fetched(spec, url, &reference, &pin)?;
        Ok(pin)
    }

    /// A commit named by (a prefix of) its id: from the cache, else after fetching every branch and tag.
    pub(super) fn rev(&mut self, spec: &SourceSpec, url: &GitUrl, prefix: &str) -> Result<Pin> {
        let offline = self.options.offline;
        let reporter = self.reporter;
        let repo = self.repo(&spec.name, url)?;
        if let Some(pin) = rev_in_cache(repo, spec, prefix)? {
            return Ok(pin);
        }
        if offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: commit `{prefix}` of `{}` is not in the cache",
                    spec.name, url.written
                ),
            });
        }
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        remote(repo, spec.name.as_str(), url, reporter).fetch(&git::all_refspecs(), Depth::Full)?;
        rev_in_cache(repo, spec, prefix)?.ok_or_else(|| Error::NotFound {
            message: format!(
                "source `{}`: commit `{prefix}` is not on any branch or tag of `{}`",
                spec.name, url.written
            ),
            hint: Some("check `rev` in agentpack.toml".into()),
        })
    }

    /// Make sure the cache holds a freshly chosen commit, fetching only the ref that leads to it.
    pub(super) fn ensure_fetched(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        pin: &Pin,
    ) -> Result<()> {
        let Pin::Git { commit, tag } = pin else {
            return Ok(());
        };
        let offline = self.options.offline;
        let reporter = self.reporter;
        let head = self.refs.get(&url.fetch).and_then(|r| r.head.clone());
        let repo = self.repo(&spec.name, url)?;
        if git::find_commit(repo, commit.oid()).is_some() {
            remember_ref(repo, reference, tag.as_deref(), head.as_deref(), *commit);
            return Ok(());
        }
        if offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: commit {} of `{}` is not in the cache",
                    spec.name,
                    commit.short(),
                    url.written
                ),
            });
        }
        let refspec = match (reference, tag) {
            (_, Some(tag)) => Some(git::tag_refspec(tag)),
            (GitRef::Branch(b), None) => Some(git::branch_refspec(b)),
            (GitRef::DefaultBranch, None) => head.as_deref().map(git::branch_refspec),
            _ => None,
        };
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        let remote = remote(repo, spec.name.as_str(), url, reporter);
        if let Some(refspec) = refspec {
            remote.fetch(&[refspec], Depth::Tip)?;
        }
        if git::find_commit(repo, commit.oid()).is_none() {
            remote.fetch(&git::all_refspecs(), Depth::Full)?;
        }
        if git::find_commit(repo, commit.oid()).is_none() {
            return Err(Error::NotFound {
                message: format!(
                    "source `{}`: commit {} is not on any branch or tag of `{}`",
                    spec.name,
                    commit.short(),
                    url.written
                ),
                hint: None,
            });
        }
        Ok(())
    }

    /// A locked commit: fetch it only when the cache lacks it, and check whether its tag moved whenever
    /// the remote is asked anyway (or `--locked` wants to know).
    pub(super) fn ensure_locked(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        pin: &Pin,
    ) -> Result<()> {
        let Pin::Git { commit, tag } = pin else {
            return Ok(());
        };
        let in_cache = self
            .repo(&spec.name, url)
            .ok()
            .is_some_and(|repo| git::find_commit(repo, commit.oid()).is_some());
        // The remote's refs are at hand when this run had to ask it anyway (a cache miss now, or earlier in
        // the parallel prefetch), or `--locked` wants to know.
        let refs_at_hand = self.refs.contains_key(&url.fetch);
        if let Some(tag) = tag
            && !self.options.offline
            && (self.options.locked || !in_cache || refs_at_hand)
        {
            self.check_tag(spec, url, tag, *commit)?;
        }
        if in_cache {
            return Ok(());
        }
        if self.options.offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: locked commit {} of `{}` is not in the cache",
                    spec.name,
                    commit.short(),
                    url.written
                ),
            });
        }
        self.ensure_fetched(spec, url, reference, pin).map_err(|e| match e {
            Error::NotFound { .. } => Error::NotFound {
                message: format!(
                    "source `{}`: locked commit {} is no longer reachable from any branch or tag of `{}`",
                    spec.name,
                    commit.short(),
                    url.written
                ),
                hint: Some(format!(
                    "run `agentpack update {}` to re-resolve it",
                    spec.name
                )),
            },
            other => other,
        })
    }

    /// Compare a locked tag with where the remote's tag points now.
    pub(super) fn check_tag(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        tag: &str,
        locked: Commit,
    ) -> Result<()> {
        let key = (spec.name.to_string(), tag.to_string());
        if self.checked_tags.contains(&key) {
            return Ok(());
        }
        self.checked_tags.push(key);
        let now = self.refs(&spec.name, url)?.tags.get(tag).copied();
        let Some(now) = now.map(Commit::from).filter(|now| *now != locked) else {
            return Ok(());
        };
        let message = format!(
            "tag {tag} of `{}` moved from {} to {}",
            spec.name,
            locked.short(),
            now.short()
        );
        if self.options.locked {
            return Err(Error::LockOutdated {
                message,
                hint: format!(
                    "check why the tag moved upstream; `agentpack update {}` takes the new commit",
                    spec.name
                ),
            });
        }
        self.reporter.diagnostic(
            &Diagnostic::warning("tag-moved", format!("{message}; keeping the locked commit"))
                .with_hint(format!(
                    "`agentpack update {}` takes the new commit",
                    spec.name
                )),
        );
        Ok(())
    }

    /// While updating, say so when the tag the lock recorded now names another commit.
    pub(super) fn note_moved_tag_on_update(&self, spec: &SourceSpec, pin: &Pin) {
        let Pin::Git {
            commit,
            tag: Some(tag),
        } = pin
        else {
            return;
        };
        let Some(old) = self.lock.and_then(|l| l.source(spec.name.as_str())) else {
            return;
        };
        if old.tag.as_deref() == Some(tag.as_str())
            && let Some(before) = old.commit().filter(|c| c != commit)
        {
            self.reporter.diagnostic(&Diagnostic::warning(
                "tag-moved",
                format!(
                    "tag {tag} of `{}` moved from {} to {}",
                    spec.name,
                    before.short(),
                    commit.short()
                ),
            ));
        }
    }
}

/// Remember in the cache which ref leads to `commit`, so a later `--offline` run finds it even when the
/// commit arrived with another ref's fetch (or a fetch killed before it updated its refs). Best effort.
pub(super) fn remember_ref(
    repo: &Repository,
    reference: &GitRef,
    tag: Option<&str>,
    head: Option<&str>,
    commit: Commit,
) {
    let name = match (reference, tag, head) {
        (_, Some(tag), _) => format!("refs/tags/{tag}"),
        (GitRef::Branch(branch), None, _) => format!("refs/remotes/origin/{branch}"),
        (GitRef::DefaultBranch, None, Some(head)) => format!("refs/remotes/origin/{head}"),
        _ => return,
    };
    let _ = repo.reference(&name, commit.oid(), true, "agentpack: resolve");
}

/// With `--offline`, a ref that is not found was looked for in the cache only: say so.
pub(super) fn in_cache(e: Error, offline: bool) -> Error {
    match e {
        Error::NotFound { message, .. } if offline => Error::Offline {
            message: format!("{message} (in the cache)"),
        },
        other => other,
    }
}

pub(super) fn rev_in_cache(
    repo: &Repository,
    spec: &SourceSpec,
    prefix: &str,
) -> Result<Option<Pin>> {
    let found = git::find_commit_by_prefix(repo, prefix).map_err(|message| Error::NotFound {
        message: format!("source `{}`: {message}", spec.name),
        hint: Some("give more hex digits in `rev`".into()),
    })?;
    Ok(found.map(|commit| Pin::Git { commit, tag: None }))
}
