//! How the walk pins one source: [`pick`] decides, over the refs this session lists; then the commit
//! is made sure of in the cache (fetched by the one ref that leads to it, else with every branch and
//! tag), and a locked tag is checked for having moved upstream.

use crate::diag::Diagnostic;
use crate::error::{Error, Result};
use crate::manifest::SourceSpec;
use crate::names::{Commit, GitRef, GitUrl};
use crate::reporter::Status;
use crate::source::git::{self, Depth};

use super::pick::{self, Ask, GitPin, Picked};
use super::session::Session;

impl Session<'_> {
    /// Pin `spec` (whose URL and ref are `url` and `reference`) as [`pick`] decides for `ask`, and make
    /// sure the cache holds the commit.
    pub(super) fn pin(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        ask: Ask<'_>,
    ) -> Result<GitPin> {
        let offline = self.options.offline;
        let this = &mut *self;
        let picked = pick::pick(&ask, url, offline, move || {
            Session::refs(this, &spec.name, url)
        })?;
        let pin = match picked {
            Picked::Locked(pin) => {
                self.ensure_locked(spec, url, reference, &pin)?;
                return Ok(pin);
            }
            Picked::Chosen(pin) => {
                if !ask.is_precise() {
                    self.note_moved_tag_on_update(spec, &pin);
                }
                pin
            }
            Picked::Rev(prefix) => {
                let pin = self.rev(spec, url, &prefix)?;
                if let Ask::Versions(members) = ask {
                    let refs = self.refs(&spec.name, url)?;
                    pick::check_members(&pin, members, url, refs)?;
                }
                pin
            }
        };
        if !self.fetch_pin(spec, url, reference, &pin)? {
            return Err(Error::NotFound {
                message: format!(
                    "source `{}`: commit {} is not on any branch or tag of `{}`",
                    spec.name,
                    pin.commit.short(),
                    url.written
                ),
                hint: None,
            });
        }
        Ok(pin)
    }

    /// A commit named by (a prefix of) its id: from the cache, else after fetching every branch and tag.
    fn rev(&mut self, spec: &SourceSpec, url: &GitUrl, prefix: &str) -> Result<GitPin> {
        let offline = self.options.offline;
        let reporter = self.reporter;
        let repo = self.repo(&spec.name, url)?;
        let in_cache = |repo: &crate::source::cache::LockedRepo<'_>| {
            repo.find_commit_by_prefix(prefix)
                .map_err(|message| Error::NotFound {
                    message: format!("source `{}`: {message}", spec.name),
                    hint: Some("give more hex digits in `rev`".into()),
                })
        };
        if let Some(commit) = in_cache(repo)? {
            return Ok(GitPin { commit, tag: None });
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
        repo.remote(spec.name.as_str(), url, reporter)?
            .fetch(&git::all_refspecs(), Depth::Full)?;
        match in_cache(repo)? {
            Some(commit) => Ok(GitPin { commit, tag: None }),
            None => Err(Error::NotFound {
                message: format!(
                    "source `{}`: commit `{prefix}` is not on any branch or tag of `{}`",
                    spec.name, url.written
                ),
                hint: Some("check `rev` in agentpack.toml".into()),
            }),
        }
    }

    /// Make sure the cache holds `pin`'s commit, fetching only the ref that leads to it, then, if that
    /// did not bring it, every branch and tag. `false` when the commit is on none of them.
    fn fetch_pin(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        pin: &GitPin,
    ) -> Result<bool> {
        let offline = self.options.offline;
        let reporter = self.reporter;
        let head = self.refs.get(&url.fetch).and_then(|r| r.head.clone());
        let tracked = pick::tracked(reference, pin.tag.as_deref(), head.as_deref());
        let repo = self.repo(&spec.name, url)?;
        if repo.has_commit(pin.commit) {
            if let Some(tracked) = &tracked {
                repo.remember(tracked, pin.commit);
            }
            return Ok(true);
        }
        if offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: commit {} of `{}` is not in the cache",
                    spec.name,
                    pin.commit.short(),
                    url.written
                ),
            });
        }
        reporter.status(
            Status::Fetching,
            &format!("{} ({})", spec.name, url.written),
        );
        let remote = repo.remote(spec.name.as_str(), url, reporter)?;
        if let Some(tracked) = &tracked {
            remote.fetch(&[tracked.refspec()], Depth::Tip)?;
        }
        if !repo.has_commit(pin.commit) {
            remote.fetch(&git::all_refspecs(), Depth::Full)?;
        }
        Ok(repo.has_commit(pin.commit))
    }

    /// A locked commit: fetch it only when the cache lacks it, and check whether its tag moved whenever
    /// the remote is asked anyway (or `--locked` wants to know).
    fn ensure_locked(
        &mut self,
        spec: &SourceSpec,
        url: &GitUrl,
        reference: &GitRef,
        pin: &GitPin,
    ) -> Result<()> {
        let in_cache = self
            .repo(&spec.name, url)
            .ok()
            .is_some_and(|repo| repo.has_commit(pin.commit));
        // The remote's refs are at hand when this run had to ask it anyway (a cache miss now, or earlier in
        // the parallel prefetch), or `--locked` wants to know.
        let refs_at_hand = self.refs.contains_key(&url.fetch);
        if let Some(tag) = &pin.tag
            && !self.options.offline
            && (self.options.locked || !in_cache || refs_at_hand)
        {
            self.check_tag(spec, url, tag, pin.commit)?;
        }
        if in_cache {
            return Ok(());
        }
        if self.options.offline {
            return Err(Error::Offline {
                message: format!(
                    "source `{}`: locked commit {} of `{}` is not in the cache",
                    spec.name,
                    pin.commit.short(),
                    url.written
                ),
            });
        }
        if self.fetch_pin(spec, url, reference, pin)? {
            return Ok(());
        }
        Err(Error::NotFound {
            message: format!(
                "source `{}`: locked commit {} is no longer reachable from any branch or tag of `{}`",
                spec.name,
                pin.commit.short(),
                url.written
            ),
            hint: Some(format!(
                "run `agentpack update {}` to re-resolve it",
                spec.name
            )),
        })
    }

    /// Compare a locked tag with where the remote's tag points now.
    fn check_tag(
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
        let Some(now) = now.filter(|now| *now != locked) else {
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
    fn note_moved_tag_on_update(&self, spec: &SourceSpec, pin: &GitPin) {
        let GitPin {
            commit,
            tag: Some(tag),
        } = pin
        else {
            return;
        };
        let Some(old) = self.lock.and_then(|l| l.source(spec.name.as_str())) else {
            return;
        };
        if old.tag() == Some(tag.as_str())
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
