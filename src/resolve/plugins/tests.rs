use super::*;
use crate::catalog::source::GitForm;
use crate::names::Commit;

fn market_json(plugins: &str) -> Marketplace {
    let text = format!(r#"{{"name":"m","owner":{{"name":"o"}},"plugins":[{plugins}]}}"#);
    marketplace::parse("m:.claude-plugin/marketplace.json", text.as_bytes()).unwrap()
}

fn spec(git: &str) -> SourceSpec {
    SourceSpec {
        name: SourceName::parse("m").unwrap(),
        kind: SourceKind::Git {
            url: GitUrl {
                written: git.into(),
                fetch: git.into(),
            },
            reference: GitRef::DefaultBranch,
        },
        subdir: None,
        selection: Selection::default(),
        trust: vec![crate::names::TrustKind::Hooks],
        allow_unicode: true,
    }
}

fn git(url: &str) -> GitPlugin {
    GitPlugin {
        form: GitForm::Url,
        url: url.into(),
        subdir: RepoPath::parse("plugins/x").unwrap(),
        git_ref: None,
        sha: None,
    }
}

#[test]
fn selects_by_name_and_glob_and_names_what_there_is() {
    let market = market_json(
        r#"{"name":"a-one","source":"./a"},{"name":"b-two","source":"./b"},{"name":"a-three","source":"./c"}"#,
    );
    let source = SourceName::parse("m").unwrap();
    let names = |patterns: &[&str]| {
        let patterns: Vec<Pattern> = patterns
            .iter()
            .map(|p| Pattern::parse(p).unwrap())
            .collect();
        select(&market, &patterns, &source)
            .map(|e| e.iter().map(|e| e.name.clone()).collect::<Vec<_>>())
    };
    assert_eq!(names(&["a-*"]).unwrap(), ["a-one", "a-three"]);
    assert_eq!(names(&["*"]).unwrap().len(), 3);
    let err = names(&["b-two", "zed"]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "source `m`: `plugins` entry `zed` matches no plugin of marketplace `m`"
    );
    let Error::NotFound { hint, .. } = err else {
        panic!()
    };
    assert_eq!(
        hint.unwrap(),
        "the marketplace lists: a-one, b-two, a-three"
    );
}

#[test]
fn a_child_inherits_trust_and_a_remote_marketplace_cannot_reach_the_disk() {
    let market = market_json(r#"{"name":"x","source":"./x"}"#);
    let entry = &market.plugins[0];
    let remote = spec("https://example.com/m.git");
    let child = child(&remote, entry, &git("https://example.com/p.git")).unwrap();
    assert_eq!(child.name.as_str(), "m/x");
    assert_eq!(child.subdir.as_deref(), Some("plugins/x"));
    assert_eq!(child.trust, remote.trust);
    assert!(child.allow_unicode);
    assert!(child.selection.plugins.is_empty());
    for local in ["file:///srv/p.git", "/srv/p.git"] {
        let err = super::child(&remote, entry, &git(local)).unwrap_err();
        let Error::InvalidInput { diagnostics, .. } = err else {
            panic!()
        };
        assert_eq!(
            diagnostics[0].message,
            format!(
                "plugin `x` of `m`: `{local}` is on the local disk, and the marketplace is not"
            )
        );
    }
    let local_market = spec("file:///srv/m.git");
    assert!(super::child(&local_market, entry, &git("file:///srv/p.git")).is_ok());
    let err = super::child(&local_market, entry, &git("../p")).unwrap_err();
    assert!(err.to_string().contains("problem"));
    let err = super::child(&remote, entry, &git("https://user:pw@example.com/p.git")).unwrap_err();
    let Error::InvalidInput { diagnostics, .. } = err else {
        panic!()
    };
    assert!(diagnostics[0].message.contains("has credentials in it"));
}

#[test]
fn sha_pins_ref_follows_a_tag_or_a_branch() {
    let sha = Commit::parse(&"ab".repeat(20)).unwrap();
    let mut g = git("https://example.com/p.git");
    assert_eq!(reference(&g, |_| true), GitRef::DefaultBranch);
    g.git_ref = Some("v1".into());
    assert_eq!(reference(&g, |t| t == "v1"), GitRef::Tag("v1".into()));
    assert_eq!(reference(&g, |_| false), GitRef::Branch("v1".into()));
    g.sha = Some(sha);
    assert_eq!(reference(&g, |_| true), GitRef::Rev("ab".repeat(20)));
}

#[test]
fn a_part_lists_folders_under_the_plugin_and_warns_about_hooks() {
    let market = market_json(r#"{"name":"ops","source":"./plugins/ops","hooks":{"x":1}}"#);
    let root = RepoPath::parse("plugins/ops").unwrap();
    let files = PluginFiles {
        plugin_json: Some((
            "m:plugins/ops/.claude-plugin/plugin.json".into(),
            br#"{"name":"ops","agents":"./custom"}"#.to_vec(),
        )),
        present: vec![".mcp.json"],
    };
    let (part, warnings) = part(&market.plugins[0], &root, &files).unwrap();
    assert_eq!(
        part.agents,
        [RepoPath::parse("plugins/ops/custom").unwrap()]
    );
    assert_eq!(
        part.commands,
        [RepoPath::parse("plugins/ops/commands").unwrap()]
    );
    assert!(part.has_agent("plugins/ops/custom/a.md"));
    assert!(!part.has_agent("plugins/ops/agents/a.md"));
    let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "plugin `ops` ships hooks (the `hooks` field of its marketplace entry): not installed",
            "plugin `ops` ships MCP servers (`.mcp.json`): not installed",
        ]
    );
    let missing = PluginFiles {
        plugin_json: None,
        present: vec![],
    };
    let err = super::part(&market.plugins[0], &root, &missing).unwrap_err();
    let Error::InvalidInput { diagnostics, .. } = err else {
        panic!()
    };
    assert_eq!(diagnostics[0].code, "plugin-json-missing");
}

#[test]
fn an_npm_source_is_an_error_naming_the_plugin() {
    let market = market_json(r#"{"name":"n","source":{"source":"npm","package":"x"}}"#);
    let err = source_of(&market.plugins[0]).unwrap_err();
    let Error::InvalidInput { diagnostics, .. } = err else {
        panic!()
    };
    assert_eq!(diagnostics[0].code, "plugin-source-unsupported");
    assert!(
        diagnostics[0]
            .message
            .starts_with("plugin `n` has a `npm` source")
    );
}
