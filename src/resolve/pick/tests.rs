//! [`pick`] over hand-made refs, lock entries and commands: every ref kind, the lock, updates,
//! `--precise` and `--offline`.

use super::*;
use crate::resolve::tags::tests::commit;

fn url() -> GitUrl {
    GitUrl {
        written: "https://example.com/agents.git".into(),
        fetch: "https://example.com/agents.git".into(),
    }
}

/// `pack/source` names a source a pack brought in.
fn name(n: &str) -> SourceName {
    match n.split_once('/') {
        Some((pack, source)) => name(pack).child(&name(source)),
        None => SourceName::parse(n).unwrap(),
    }
}

/// `main` (the default branch) at 1, `dev` at 2; tags `v1.0.0` at 3, `v1.1.0` at 4, `v2.0.0` at 5.
fn refs() -> Refs {
    let mut refs = Refs {
        head: Some("main".into()),
        ..Refs::default()
    };
    refs.branches.insert("main".into(), commit(1));
    refs.branches.insert("dev".into(), commit(2));
    for (i, tag) in ["v1.0.0", "v1.1.0", "v2.0.0"].iter().enumerate() {
        refs.tags.insert(tag.to_string(), commit(3 + i));
    }
    refs
}

fn pin(n: usize, tag: Option<&str>) -> GitPin {
    GitPin {
        commit: commit(n),
        tag: tag.map(str::to_string),
    }
}

fn version(written: &str) -> GitRef {
    GitRef::Version {
        req: semver::VersionReq::parse(written).unwrap(),
        written: written.into(),
    }
}

fn member(source: &str, written: &str, standing: Standing) -> Member {
    let GitRef::Version { req, written } = version(written) else {
        unreachable!()
    };
    Member {
        req: Requirement {
            source: name(source),
            url: url(),
            req,
            written,
        },
        standing,
    }
}

/// Pick one source on its own, the refs at hand.
fn exact(reference: &GitRef, standing: &Standing, offline: bool) -> Result<Picked> {
    let source = name("s");
    let ask = Ask::Exact {
        source: &source,
        reference,
        standing,
    };
    let refs = refs();
    pick(&ask, &url(), offline, || Ok(&refs))
}

/// Pick where the refs must not be needed: asking for them fails the test.
fn without_refs(ask: &Ask<'_>) -> Picked {
    pick(ask, &url(), false, || panic!("the refs were asked for")).unwrap()
}

fn message(result: Result<Picked>) -> (String, Option<String>) {
    let e = result.unwrap_err();
    (e.to_string(), e.hint())
}

#[test]
fn every_ref_kind_picks_its_commit_from_the_refs() {
    let none = Standing::default();
    let cases = [
        (GitRef::Branch("dev".into()), pin(2, None)),
        (GitRef::Tag("v1.0.0".into()), pin(3, Some("v1.0.0"))),
        (GitRef::DefaultBranch, pin(1, None)),
        (version("^1"), pin(4, Some("v1.1.0"))),
    ];
    for (reference, expected) in cases {
        assert_eq!(
            exact(&reference, &none, false).unwrap(),
            Picked::Chosen(expected),
            "{reference}"
        );
    }
    // A commit id is looked up in the cache, not among the refs.
    let source = name("s");
    let rev = GitRef::Rev("abcdef1".into());
    let ask = Ask::Exact {
        source: &source,
        reference: &rev,
        standing: &none,
    };
    assert_eq!(without_refs(&ask), Picked::Rev("abcdef1".into()));
}

#[test]
fn a_missing_ref_is_not_found_online_and_missing_from_the_cache_offline() {
    let none = Standing::default();
    let branch = GitRef::Branch("devel".into());
    assert_eq!(
        message(exact(&branch, &none, false)),
        (
            "source `s`: branch `devel` not found in `https://example.com/agents.git`".into(),
            Some("did you mean: dev".into())
        )
    );
    let e = exact(&branch, &none, true).unwrap_err();
    assert!(matches!(e, Error::Offline { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "source `s`: branch `devel` not found in `https://example.com/agents.git` (in the cache)"
    );
    assert_eq!(
        message(exact(&GitRef::Tag("v3".into()), &none, false)).0,
        "source `s`: tag `v3` not found in `https://example.com/agents.git`"
    );
    assert_eq!(
        message(exact(&version("^3"), &none, false)),
        (
            "source `s`: no tag of `https://example.com/agents.git` matches version `^3`".into(),
            Some("available versions: v2.0.0, v1.1.0, v1.0.0".into())
        )
    );
    let source = name("s");
    let headless = Refs {
        head: None,
        ..refs()
    };
    let ask = Ask::Exact {
        source: &source,
        reference: &GitRef::DefaultBranch,
        standing: &none,
    };
    assert_eq!(
        message(pick(&ask, &url(), false, || Ok(&headless))),
        (
            "source `s`: `https://example.com/agents.git` does not advertise a default branch"
                .into(),
            Some("set `branch`, `tag`, `rev` or `version` in agentpack.toml".into())
        )
    );
}

#[test]
fn a_matching_lock_entry_wins_without_the_refs_unless_the_source_is_updated() {
    let locked = Standing {
        locked: Some(pin(9, Some("v1.0.0"))),
        ..Standing::default()
    };
    let source = name("s");
    let tag = GitRef::Tag("v1.0.0".into());
    let ask = Ask::Exact {
        source: &source,
        reference: &tag,
        standing: &locked,
    };
    assert_eq!(without_refs(&ask), Picked::Locked(pin(9, Some("v1.0.0"))));
    // Even a commit id: the lock already says which commit it named.
    let rev = GitRef::Rev("abcdef1".into());
    let ask = Ask::Exact {
        source: &source,
        reference: &rev,
        standing: &locked,
    };
    assert_eq!(without_refs(&ask), Picked::Locked(pin(9, Some("v1.0.0"))));
    let updating = Standing {
        updating: true,
        ..locked
    };
    assert_eq!(
        exact(&tag, &updating, false).unwrap(),
        Picked::Chosen(pin(3, Some("v1.0.0")))
    );
    assert_eq!(
        exact(&GitRef::Branch("main".into()), &updating, false).unwrap(),
        Picked::Chosen(pin(1, None))
    );
}

#[test]
fn precise_pins_a_tag_or_a_commit_id_before_the_lock() {
    let precise = |rev: &str| Standing {
        locked: Some(pin(9, None)),
        updating: true,
        precise: Some(rev.into()),
    };
    let main = GitRef::Branch("main".into());
    assert_eq!(
        exact(&main, &precise("v2.0.0"), false).unwrap(),
        Picked::Chosen(pin(5, Some("v2.0.0")))
    );
    assert_eq!(
        exact(&main, &precise("ABCDEF12"), false).unwrap(),
        Picked::Rev("abcdef12".into())
    );
    assert_eq!(
        message(exact(&main, &precise("v9"), false)),
        (
            "`--precise v9`: `https://example.com/agents.git` has no such tag, and it is not a commit id"
                .into(),
            Some("available: v1.0.0, v1.1.0, v2.0.0".into())
        )
    );
    // A tag outside the source's `version` is refused.
    let members = [member("s", "^1", precise("v2.0.0"))];
    let refs = refs();
    let e = pick(&Ask::Versions(&members), &url(), false, || Ok(&refs)).unwrap_err();
    assert!(matches!(e, Error::Usage { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "tag `v2.0.0` does not satisfy the requirement `^1` of `s`"
    );
}

#[test]
fn a_version_group_shares_the_highest_tag_that_satisfies_everyone() {
    let none = Standing::default;
    let members = [member("a", "^1", none()), member("b/c", "<1.1", none())];
    let refs = refs();
    let ask = Ask::Versions(&members);
    assert_eq!(
        pick(&ask, &url(), false, || Ok(&refs)).unwrap(),
        Picked::Chosen(pin(3, Some("v1.0.0")))
    );
    let members = [member("a", "^1", none()), member("b/c", "^2", none())];
    assert_eq!(
        message(pick(&Ask::Versions(&members), &url(), false, || Ok(&refs))),
        (
            "no tag of `https://example.com/agents.git` satisfies every requirement on it:\n  version `^1` required by `a` (in agentpack.toml)\n  version `^2` required by `b/c` (in the pack of `b`)"
                .into(),
            Some("available versions: v2.0.0, v1.1.0, v1.0.0; relax one of the requirements (or, for a pack's source, ask its author to)".into())
        )
    );
    // Alone, a requirement nothing satisfies is reported as the source's, and offline as the cache's.
    let members = [member("a", "^3", none())];
    let e = pick(&Ask::Versions(&members), &url(), true, || Ok(&refs)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "source `a`: no tag of `https://example.com/agents.git` matches version `^3` (in the cache)"
    );
}

#[test]
fn a_version_group_keeps_a_locked_tag_only_while_it_suits_everyone_and_nobody_updates() {
    let locked = || Standing {
        locked: Some(pin(3, Some("v1.0.0"))),
        ..Standing::default()
    };
    let newcomer = |written: &str| member("b", written, Standing::default());
    let members = [member("a", "^1", locked()), newcomer("^1.0")];
    assert_eq!(
        without_refs(&Ask::Versions(&members)),
        Picked::Locked(pin(3, Some("v1.0.0")))
    );
    let refs = refs();
    // The newcomer needs more than the locked tag: the group moves on, to the highest tag for both.
    let members = [member("a", "^1", locked()), newcomer(">=1.1")];
    assert_eq!(
        pick(&Ask::Versions(&members), &url(), false, || Ok(&refs)).unwrap(),
        Picked::Chosen(pin(4, Some("v1.1.0")))
    );
    // Anyone in the group being updated sets the lock aside for all of them.
    let updating = Standing {
        updating: true,
        ..Standing::default()
    };
    let members = [member("a", "^1", locked()), member("b", "^1", updating)];
    assert_eq!(
        pick(&Ask::Versions(&members), &url(), false, || Ok(&refs)).unwrap(),
        Picked::Chosen(pin(4, Some("v1.1.0")))
    );
}

#[test]
fn a_precise_commit_for_one_member_must_suit_the_others() {
    let precise = Standing {
        updating: true,
        precise: Some("0000000000000000000000000000000000000007".into()),
        ..Standing::default()
    };
    let members = [
        member("a", "^1", precise),
        member(
            "b",
            "^1",
            Standing {
                locked: Some(pin(7, Some("v1.0.0"))),
                ..Standing::default()
            },
        ),
        member("c", "^1", Standing::default()),
    ];
    let refs = refs();
    let ask = Ask::Versions(&members);
    assert!(ask.is_precise());
    assert_eq!(
        pick(&ask, &url(), false, || Ok(&refs)).unwrap(),
        Picked::Rev("0000000000000000000000000000000000000007".into())
    );
    // `b`'s lock is at that commit, but `c` has only its requirement, which a bare commit cannot meet.
    let e = check_members(&pin(7, None), &members, &url(), &refs).unwrap_err();
    assert!(e.to_string().starts_with("no tag of"), "{e}");
    assert!(check_members(&pin(7, None), &members[..2], &url(), &refs).is_ok());
    assert!(satisfies_all(&pin(4, Some("v1.1.0")), &members[2..]));
    assert!(!satisfies_all(&pin(5, Some("v2.0.0")), &members[2..]));
}

#[test]
fn a_pin_is_fetched_and_remembered_through_its_tag_else_its_branch() {
    let tag = |t: &str| Some(Tracked::Tag(t.into()));
    let branch = |b: &str| Some(Tracked::Branch(b.into()));
    let dev = GitRef::Branch("dev".into());
    assert_eq!(tracked(&dev, None, Some("main")), branch("dev"));
    assert_eq!(tracked(&dev, Some("v1"), Some("main")), tag("v1"));
    assert_eq!(
        tracked(&GitRef::DefaultBranch, None, Some("main")),
        branch("main")
    );
    assert_eq!(tracked(&GitRef::DefaultBranch, None, None), None);
    assert_eq!(tracked(&version("^1"), Some("v1.1.0"), None), tag("v1.1.0"));
    assert_eq!(
        tracked(&GitRef::Rev("abcdef1".into()), None, Some("main")),
        None
    );
    assert_eq!(
        Tracked::Tag("v1".into()).refspec(),
        "+refs/tags/v1:refs/tags/v1"
    );
    assert_eq!(
        Tracked::Branch("main".into()).refspec(),
        "+refs/heads/main:refs/remotes/origin/main"
    );
}
