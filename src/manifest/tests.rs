//! Unit tests of the manifest parser and its checks.

use super::*;
use crate::diag::Diagnostic;

fn parse(text: &str) -> Result<Manifest> {
    Manifest::parse(&ManifestPath::project("/p/agentpack.toml"), text)
}

fn first_problem(text: &str) -> Diagnostic {
    match parse(text) {
        Err(Error::InvalidInput { diagnostics, .. }) => diagnostics[0].clone(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn the_shipped_example_parses() {
    let m = parse(EXAMPLE).unwrap();
    assert_eq!(m.target, PathBuf::from("/p/.claude/agents"));
    assert!(!m.sources.is_empty());
}

#[test]
fn reads_every_ref_kind() {
    let m = parse(
        r#"
[sources.a]
git = "https://example.com/a.git"
[sources.b]
git = "../b"
tag = "v1"
[sources.c]
git = "git@example.com:c/c.git"
version = "^v1.2"
[sources.d]
path = "./local"
"#,
    )
    .unwrap();
    let kinds: Vec<_> = m.sources.iter().map(|s| s.kind.clone()).collect();
    assert!(matches!(
        &kinds[0],
        SourceKind::Git {
            reference: GitRef::DefaultBranch,
            ..
        }
    ));
    match &kinds[1] {
        SourceKind::Git { url, reference } => {
            assert_eq!(url.fetch, "/b");
            assert_eq!(reference, &GitRef::Tag("v1".into()));
        }
        other => panic!("{other:?}"),
    }
    match &kinds[2] {
        SourceKind::Git {
            reference: GitRef::Version { req, .. },
            ..
        } => assert!(req.matches(&semver::Version::parse("1.3.0").unwrap())),
        other => panic!("{other:?}"),
    }
    assert!(matches!(&kinds[3], SourceKind::Path { dir, .. } if dir == Path::new("/p/local")));
}

#[test]
fn unknown_keys_point_at_line_and_column() {
    let d = first_problem("[sources.a]\ngit = \"x/y\"\nbrnch = \"main\"\n");
    assert_eq!(d.location.unwrap().to_string(), "/p/agentpack.toml:3:1");
    assert!(d.message.contains("unknown field `brnch`"), "{}", d.message);
}

#[test]
fn two_ref_kinds_are_an_error() {
    let d = first_problem("[sources.a]\ngit = \"x/y\"\ntag = \"v1\"\nbranch = \"main\"\n");
    assert!(d.message.contains("sets tag and branch"), "{}", d.message);
    assert_eq!(d.location.unwrap().line, Some(4));
}

#[test]
fn refuses_bad_urls_names_and_subdirs() {
    for (text, needle) in [
        ("[sources.Bad]\ngit = \"x/y\"", "source name `Bad`"),
        (
            "[sources.a]\ngit = \"ext::sh -c touch% /tmp/x\"",
            "not a usable git URL",
        ),
        ("[sources.a]\ngit = \"ext::sh\"", "`ext::` remote helper"),
        ("[sources.a]\ngit = \"https://u:p@h/r\"", "credentials"),
        ("[sources.a]\ngit = \"gopher://h/r\"", "`gopher://`"),
        ("[sources.a]\ngit = \"x\"\nsubdir = \"../..\"", "`subdir`"),
        ("[sources.a]\ngit = \"x\"\nrev = \"xyz\"", "`rev` must be"),
        (
            "[sources.a]\ngit = \"x\"\ntag = \"*\"",
            "not a valid git tag name",
        ),
        (
            "[sources.a]\ngit = \"x\"\nbranch = \"a..b\"",
            "not a valid git branch name",
        ),
        (
            "[sources.a]\ngit = \"x\"\nversion = \"one\"",
            "not a semver",
        ),
        (
            "[sources.a]\ngit = \"x\"\nrename = { a = \"../x\" }",
            "cannot rename",
        ),
        (
            "[sources.a]\ngit = \"x\"\ntrust = [\"hooks\", \"shell\"]",
            "`trust` entry `shell` of source `a` is not one of `hooks`, `mcp-servers`, `permissions`",
        ),
        (
            "[sources.a]\ngit = \"x\"\nallow-unicode = \"yes\"",
            "invalid type: string \"yes\", expected a boolean",
        ),
        ("[install]\nvendor = \"\"", "`vendor` is empty"),
        ("[sources.a]\nbranch = \"x\"", "needs `git` or `path`"),
        (
            "[patches]\nx = \"../elsewhere/x.patch\"",
            "patch file `../elsewhere/x.patch` of `x` is not a relative path inside the project",
        ),
        (
            "[patches]\nx = \"/etc/x.patch\"",
            "is not a relative path inside the project",
        ),
        ("[patches]\n\"a/b\" = \"p.patch\"", "`[patches]` key `a/b`"),
    ] {
        let d = first_problem(text);
        assert!(d.message.contains(needle), "{text}: {}", d.message);
        assert!(!d.message.contains("u:p@"), "secret leaked: {}", d.message);
    }
}

#[test]
fn reads_trust_allow_unicode_and_vendor() {
    let m = parse(
        "[install]\nvendor = \"agentpack-vendor\"\n[sources.a]\ngit = \"x\"\ntrust = [\"permissions\", \"hooks\", \"hooks\"]\nallow-unicode = true\n",
    )
    .unwrap();
    assert_eq!(m.vendor, Some(PathBuf::from("/p/agentpack-vendor")));
    assert_eq!(
        m.sources[0].trust,
        [TrustKind::Hooks, TrustKind::Permissions]
    );
    assert!(m.sources[0].allow_unicode);
    let d = first_problem("[sources.a]\ngit = \"x\"\ntrust = [\"hooks\", \"all\"]\n");
    assert_eq!(d.location.unwrap().to_string(), "/p/agentpack.toml:3:19");
}

#[test]
fn patterns_pick_by_name_or_path() {
    let by_name = Pattern::parse("*-prototyper").unwrap();
    assert!(by_name.matches("rapid-prototyper", "eng/x.md"));
    assert!(!by_name.matches("backend", "eng/rapid-prototyper.md"));
    let by_path = Pattern::parse("eng/*.md").unwrap();
    assert!(by_path.matches("x", "eng/a.md"));
    assert!(!by_path.matches("x", "eng/deep/a.md"));
    assert!(
        Pattern::parse("eng/**/*.md")
            .unwrap()
            .matches("x", "eng/deep/a.md")
    );
}

#[test]
fn packs_stay_inside_themselves() {
    let pack = SourceName::parse("top")
        .unwrap()
        .child(&SourceName::parse("p").unwrap());
    let text = "[install]\ntarget = \"/elsewhere\"\n[sources.up]\ngit = \"https://example.com/up.git\"\n[sources.scp]\ngit = \"git@example.com:o/r.git\"\n";
    let specs = Manifest::parse_pack(&pack, "p:agentpack.toml", PackHome::Git, text).unwrap();
    assert_eq!(specs[0].name.as_str(), "scp");
    assert_eq!(specs[1].name.as_str(), "up");
    let local = "names a local repository; a pack may only name network URLs";
    for (home, text, needle) in [
        (
            PackHome::Git,
            "[sources.x]\npath = \"sub\"\n",
            "pack source `top/p/x` (`top` -> `top/p` -> `top/p/x`) is a `path` source; a pack fetched from git cannot use local directories",
        ),
        (PackHome::Git, "[sources.x]\ngit = \"../other\"\n", local),
        (
            PackHome::Git,
            "[sources.x]\ngit = \"/srv/private.git\"\n",
            local,
        ),
        (
            PackHome::Git,
            "[sources.x]\ngit = \"file:///srv/private.git\"\n",
            local,
        ),
        (
            PackHome::Dir(Path::new("/packs/p")),
            "[sources.x]\ngit = \"inner-repo\"\n",
            local,
        ),
        (
            PackHome::Dir(Path::new("/packs/p")),
            "[sources.x]\npath = \"../q\"\n",
            "outside the pack's directory",
        ),
    ] {
        match Manifest::parse_pack(&pack, "p:agentpack.toml", home, text) {
            Err(Error::InvalidInput { diagnostics, .. }) => {
                assert!(
                    diagnostics[0].message.contains(needle),
                    "{}",
                    diagnostics[0].message
                );
                assert_eq!(diagnostics[0].code, "pack-invalid");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        Manifest::parse_pack(
            &pack,
            "p",
            PackHome::Dir(Path::new("/packs/p")),
            "[sources.x]\npath = \"inner\"\n"
        )
        .is_ok()
    );
}
#[test]
fn the_users_manifest_installs_into_their_own_directory() {
    let user = ManifestPath {
        path: PathBuf::from("/home/u/.config/agentpack/agentpack.toml"),
        user_agents: Some(PathBuf::from("/home/u/.claude/agents")),
        home: Some(PathBuf::from("/home/u")),
    };
    let m = Manifest::parse(&user, "").unwrap();
    assert_eq!(m.target, PathBuf::from("/home/u/.claude/agents"));
    let elsewhere = "[install]\ntarget = \"../../agents\"\n";
    let m = Manifest::parse(&user, elsewhere).unwrap();
    assert_eq!(m.target, PathBuf::from("/home/u/agents"));
    let d = first_problem(elsewhere);
    assert_eq!(
        d.message,
        "`target` `../../agents` is outside the project (`/p`)"
    );
}
