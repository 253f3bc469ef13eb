//! Tests of reading a marketplace and its plugins' manifests together.

use super::marketplace::{self, Marketplace};
use super::plugin::{self, Plugin, Shipped, ShippedKind};
use super::source::{GitForm, PluginSource};
use super::{ErrorKind, RepoPath};

const LABEL: &str = "mkt:.claude-plugin/marketplace.json";

fn market(json: &str) -> Marketplace {
    marketplace::parse(LABEL, json.as_bytes()).unwrap()
}

fn paths(list: &[&str]) -> Vec<RepoPath> {
    list.iter().map(|p| RepoPath::parse(p).unwrap()).collect()
}

const MARKET: &str = r#"{
  "name": "acme-tools",
  "owner": {"name": "Acme"},
  "metadata": {"pluginRoot": "./plugins"},
  "plugins": [
    {"name": "review", "source": "./review", "version": "1.2.0"},
    {"name": "docs", "source": "./", "strict": false, "skills": ["./skills/pdf", "./skills/xlsx"], "hooks": {"x": 1}},
    {"name": "external", "source": {"source": "git-subdir", "url": "https://example.com/mono.git", "path": "plugins/ext", "sha": "89abcdef0123456789abcdef0123456789abcdef"}},
    {"name": "fmt", "source": {"source": "npm", "package": "@acme/fmt"}},
    {"name": "Bad Name", "source": "./x"},
    {"name": "review", "source": "./again"},
    {"name": "escape", "source": "./../../etc", "description": "tries to leave"}
  ]
}"#;

#[test]
fn marketplace_lists_typed_plugins() {
    let m = market(MARKET);
    assert_eq!(m.name, "acme-tools");
    let review = m.plugin("review").unwrap();
    assert_eq!(
        (review.strict, review.version.as_deref()),
        (true, Some("1.2.0"))
    );
    assert_eq!(
        review.detail().unwrap().source,
        PluginSource::Relative(RepoPath::parse("plugins/review").unwrap())
    );
    let docs = m.plugin("docs").unwrap();
    assert!(!docs.strict);
    assert_eq!(
        docs.detail().unwrap().source,
        PluginSource::Relative(RepoPath::parse("plugins").unwrap())
    );
    let PluginSource::Git(ext) = &m.plugin("external").unwrap().detail().unwrap().source else {
        panic!("external is a git plugin");
    };
    assert_eq!(ext.form, GitForm::GitSubdir);
    assert_eq!(ext.subdir.as_str(), "plugins/ext");
    assert_eq!(
        ext.sha.unwrap().to_string(),
        "89abcdef0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn a_bad_entry_is_an_error_of_that_plugin_only_with_its_line() {
    let m = market(MARKET);
    let err = m.plugin("fmt").unwrap().detail().unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::UnsupportedSource {
            plugin: "fmt".into(),
            kind: "npm".into()
        }
    );
    assert_eq!(
        err.diagnostic.render(),
        "error[plugin-source-unsupported]: plugin `fmt` has a `npm` source, which agentpack does not support; it installs plugins from git only (a relative path, `github`, `url`, `git-subdir`)\n --> mkt:.claude-plugin/marketplace.json:9:14\n  |\n9 |     {\"name\": \"fmt\", \"source\": {\"source\": \"npm\", \"package\": \"@acme/fmt\"}},\n  |              ^\n  = hint: choose another plugin, or add the plugin's git repository as a source of its own"
    );
    let bad = m.plugin("Bad Name").unwrap().detail().unwrap_err();
    assert_eq!(
        bad.diagnostic.message,
        "plugin name `Bad Name` contains `B`; only lowercase letters, digits and `-` are allowed"
    );
    // The second `review` is the error; the first stays usable.
    let second = &m.plugins[5];
    assert_eq!(
        second.detail().unwrap_err().diagnostic.message,
        "plugin `review` is listed more than once, so agentpack cannot tell which is meant"
    );
    let escape = m.plugin("escape").unwrap().detail().unwrap_err();
    assert_eq!(
        escape.diagnostic.message,
        "plugin `escape`: `source` `./../../etc` contains `..`; it must stay inside the repository"
    );
    assert_eq!(escape.diagnostic.location.as_ref().unwrap().line, Some(12));
}

#[test]
fn a_broken_marketplace_is_refused_with_file_and_line() {
    let err = marketplace::parse(
        LABEL,
        b"{\"name\": \"a\",\n \"plugins\": [\n  {\"source\": \"./x\"}\n ]}",
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert_eq!(err.diagnostic.message, "missing field `name`");
    assert_eq!(err.diagnostic.location.unwrap().line, Some(3));
    let err = marketplace::parse(LABEL, br#"{"name": "Acme Tools", "plugins": []}"#).unwrap_err();
    assert_eq!(
        err.diagnostic.render(),
        "error[catalog-invalid]: marketplace name `Acme Tools` contains `A`; only lowercase letters, digits and `-` are allowed\n --> mkt:.claude-plugin/marketplace.json:1:10\n  |\n1 | {\"name\": \"Acme Tools\", \"plugins\": []}\n  |          ^\n  = hint: a marketplace name is kebab-case, like `acme-tools`; ask its author to fix it"
    );
    let err = marketplace::parse(LABEL, br#"{"name": "a", "plugins": {}}"#).unwrap_err();
    assert_eq!(
        err.diagnostic.message,
        "invalid type: map, expected a sequence"
    );
    let err = marketplace::parse(
        LABEL,
        br#"{"name": "a", "metadata": {"pluginRoot": "/srv"}, "plugins": []}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.diagnostic.message,
        "`metadata.pluginRoot` `/srv` is absolute; it must be relative to the repository, like `./plugins/x`"
    );
}

#[test]
fn plugin_lines_are_found_for_escaped_names_and_many_entries() {
    // An escaped name is still found; a name only in a description is not mistaken for it.
    let json = "{\"name\": \"m\", \"plugins\": [\n {\"description\": \"x\", \"name\": \"\\u0078y\", \"source\": {\"source\": \"npm\"}}\n]}";
    let m = market(json);
    let err = m.plugin("xy").unwrap().detail().unwrap_err();
    assert_eq!(
        err.diagnostic.location,
        Some(crate::diag::Location::at(LABEL, 2, 31))
    );
    // Thousands of entries whose names are never written plainly stay fast (one pass over the text).
    let entries = (0..super::MAX_PLUGINS)
        .map(|i| format!(r#"{{"name":"p\u002d{i}","source":{{"source":"npm"}}}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let m = market(&format!(r#"{{"name":"big","plugins":[{entries}]}}"#));
    assert_eq!(m.plugins.len(), super::MAX_PLUGINS);
    // The file is one long line: errors point at it without copying it.
    let last = m.plugins[super::MAX_PLUGINS - 1].detail().unwrap_err();
    assert_eq!(last.diagnostic.snippet, None);
    assert_eq!(last.diagnostic.location.as_ref().unwrap().line, Some(1));
}

#[test]
fn the_plugin_count_is_bounded() {
    let entries = vec![r#"{"name":"p","source":"./p"}"#; super::MAX_PLUGINS + 1].join(",");
    let json = format!(r#"{{"name":"big","plugins":[{entries}]}}"#);
    let err = marketplace::parse(LABEL, json.as_bytes()).unwrap_err();
    assert_eq!(
        err.diagnostic.message,
        "the marketplace lists 5001 plugins; agentpack reads at most 5000"
    );
}

fn read(
    m: &Marketplace,
    name: &str,
    json: Option<&str>,
    files: &[&str],
) -> Result<Plugin, super::CatalogError> {
    plugin::read(
        m.plugin(name).unwrap(),
        json.map(|j| {
            (
                "mkt:plugins/review/.claude-plugin/plugin.json",
                j.as_bytes(),
            )
        }),
        files,
    )
}

#[test]
fn strict_plugins_merge_plugin_json_with_defaults() {
    let m = market(MARKET);
    let json = r#"{"name": "review", "version": "2.0.0", "agents": ["./custom/agents", "./extra/a.md"], "mcpServers": "./mcp.json"}"#;
    let files = [
        "agents/a.md",
        "hooks/hooks.json",
        ".mcp.json",
        "output-styles/terse.md",
    ];
    let p = read(&m, "review", Some(json), &files).unwrap();
    assert_eq!(p.version.as_deref(), Some("2.0.0"));
    assert_eq!(p.agents, paths(&["custom/agents", "extra/a.md"]));
    assert_eq!(p.commands, paths(&["commands"]));
    assert_eq!(p.skills, paths(&["skills"]));
    let warnings: Vec<String> = p
        .shipped
        .iter()
        .map(|s| s.warning("review").message)
        .collect();
    assert_eq!(
        warnings,
        [
            "plugin `review` ships hooks (`hooks/hooks.json`): not installed",
            "plugin `review` ships MCP servers (the `mcpServers` field of .claude-plugin/plugin.json): not installed",
            "plugin `review` ships MCP servers (`.mcp.json`): not installed",
            "plugin `review` ships output styles (`output-styles/`): not installed",
        ]
    );
}

#[test]
fn version_falls_back_to_the_entry() {
    let m = market(MARKET);
    let p = read(&m, "review", Some(r#"{"name": "review"}"#), &[]).unwrap();
    assert_eq!(p.version.as_deref(), Some("1.2.0"));
    assert!(p.shipped.is_empty());
}

#[test]
fn a_strict_plugin_needs_plugin_json() {
    let m = market(MARKET);
    let err = read(&m, "review", None, &[]).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::PluginJsonMissing {
            plugin: "review".into()
        }
    );
    assert_eq!(
        err.diagnostic.render(),
        "error[plugin-json-missing]: plugin `review` has no `.claude-plugin/plugin.json`\n --> mkt:.claude-plugin/marketplace.json\n  = hint: a marketplace entry without a plugin.json must say `\"strict\": false`; ask the marketplace's author to fix it"
    );
}

#[test]
fn a_non_strict_entry_is_its_own_manifest() {
    let m = market(MARKET);
    // A plugin.json next to a `strict: false` entry is not read, even when broken.
    let p = read(&m, "docs", Some("not json"), &[]).unwrap();
    assert_eq!(p.skills, paths(&["skills/pdf", "skills/xlsx"]));
    assert_eq!(p.agents, paths(&["agents"]));
    assert_eq!(
        p.shipped,
        [Shipped {
            kind: ShippedKind::Hooks,
            via: "the `hooks` field of its marketplace entry".into()
        }]
    );
}

#[test]
fn plugin_json_paths_stay_inside_the_plugin() {
    let m = market(MARKET);
    for (json, message) in [
        (
            r#"{"name": "review", "skills": "../../other"}"#,
            "plugin `review`: `skills` path `../../other` contains `..`; it must stay inside the repository",
        ),
        (
            r#"{"name": "review", "agents": [1]}"#,
            "plugin `review`: `agents` must be a path or a list of paths",
        ),
        (
            r#"{"name": "review", "commands": "/etc"}"#,
            "plugin `review`: `commands` path `/etc` is absolute; it must be relative to the repository, like `./plugins/x`",
        ),
    ] {
        let err = read(&m, "review", Some(json), &[]).unwrap_err();
        assert_eq!(err.diagnostic.message, message, "{json}");
        assert_eq!(err.kind, ErrorKind::Invalid);
    }
    let err = read(&m, "review", Some(r#"{"name": "Review Kit"}"#), &[]).unwrap_err();
    assert_eq!(
        err.diagnostic.message,
        "plugin `review`: `name` `Review Kit` in plugin.json contains `R`; only lowercase letters, digits and `-` are allowed"
    );
    let err = read(&m, "review", Some("{\n\"version\": 1}"), &[]).unwrap_err();
    assert_eq!(err.diagnostic.message, "missing field `name`");
    assert_eq!(err.diagnostic.location.unwrap().line, Some(2));
    let many = vec!["\"./a\""; super::MAX_COMPONENT_PATHS + 1].join(",");
    let err = read(
        &m,
        "review",
        Some(&format!(r#"{{"name":"review","agents":[{many}]}}"#)),
        &[],
    )
    .unwrap_err();
    assert_eq!(
        err.diagnostic.message,
        "plugin `review`: `agents` lists more than 256 paths"
    );
}

#[test]
fn reading_an_unusable_entry_gives_its_error() {
    let m = market(MARKET);
    let err = read(&m, "fmt", None, &[]).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::UnsupportedSource { .. }));
}

/// The fixture marketplace (`fixtures/marketplace/`), read as the integration tests will read it.
mod fixture {
    use std::path::{Path, PathBuf};

    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/marketplace")
    }

    /// Every file below `dir`, relative and `/`-separated.
    fn files(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(at) = stack.pop() {
            for entry in std::fs::read_dir(&at).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let rel = path.strip_prefix(dir).unwrap().to_str().unwrap();
                    out.push(rel.replace('\\', "/"));
                }
            }
        }
        out.sort();
        out
    }

    fn plugin_in(repo: &Path, entry: &marketplace::PluginEntry, dir: &str) -> Plugin {
        let dir = repo.join(dir);
        let json = std::fs::read(dir.join(plugin::PLUGIN_JSON)).ok();
        let files = files(&dir);
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        plugin::read(entry, json.as_deref().map(|j| ("plugin.json", j)), &files).unwrap()
    }

    #[test]
    fn fixture_marketplace_reads() {
        let text = std::fs::read_to_string(root().join("market/.claude-plugin/marketplace.json"))
            .unwrap()
            .replace("{{EXTERNAL_URL}}", "https://example.com/external.git")
            .replace("{{EXTERNAL_SHA}}", SHA);
        let m = marketplace::parse("market", text.as_bytes()).unwrap();
        let names: Vec<&str> = m.plugins.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "review-kit",
                "ops-guard",
                "doc-skills",
                "style-guide",
                "lint-helper",
                "npm-only"
            ]
        );
        let market = root().join("market");
        let review = plugin_in(
            &market,
            m.plugin("review-kit").unwrap(),
            "plugins/review-kit",
        );
        assert_eq!(review.version.as_deref(), Some("0.3.1"));
        assert_eq!(
            (review.agents, review.commands, review.skills),
            (paths(&["agents"]), paths(&["commands"]), paths(&["skills"]))
        );
        let ops = plugin_in(&market, m.plugin("ops-guard").unwrap(), "plugins/ops-guard");
        let warnings: Vec<String> = ops
            .shipped
            .iter()
            .map(|s| s.warning("ops-guard").message)
            .collect();
        assert_eq!(
            warnings,
            [
                "plugin `ops-guard` ships hooks (`hooks/hooks.json`): not installed",
                "plugin `ops-guard` ships MCP servers (`.mcp.json`): not installed",
            ]
        );
        let docs = plugin_in(&market, m.plugin("doc-skills").unwrap(), "");
        assert_eq!(
            docs.skills,
            paths(&["skills/sheet-tools", "skills/form-filler"])
        );
        let PluginSource::Git(lint) = &m.plugin("lint-helper").unwrap().detail().unwrap().source
        else {
            panic!("lint-helper is pinned elsewhere");
        };
        assert_eq!(
            (lint.form, lint.subdir.as_str()),
            (GitForm::GitSubdir, "plugins/lint-helper")
        );
        assert_eq!(lint.sha.unwrap().to_string(), SHA);
        let external = root().join("external");
        let lint = plugin_in(
            &external,
            m.plugin("lint-helper").unwrap(),
            "plugins/lint-helper",
        );
        assert_eq!(
            (lint.version.as_deref(), lint.commands),
            (Some("2.1.0"), paths(&["commands"]))
        );
        let style = plugin_in(&external, m.plugin("style-guide").unwrap(), "");
        assert_eq!(style.agents, paths(&["agents"]));
        assert!(matches!(
            m.plugin("npm-only").unwrap().detail().unwrap_err().kind,
            ErrorKind::UnsupportedSource { .. }
        ));
    }

    #[test]
    fn fixture_skills_and_commands_check_clean() {
        use crate::kinds::{Layout, command, skill};
        let market = root().join("market");
        let all = files(&market);
        let layout = Layout::of(all.iter().map(String::as_str));
        assert_eq!(
            layout.skills,
            [
                "plugins/review-kit/skills/changelog-writer",
                "skills/form-filler",
                "skills/sheet-tools"
            ]
        );
        let commands: Vec<&str> = layout.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(commands, ["git/commit", "review"]);
        let agents: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|p| p.ends_with(".md") && layout.may_be_agent(p))
            .collect();
        assert_eq!(
            agents,
            [
                "plugins/ops-guard/agents/incident-scribe.md",
                "plugins/review-kit/agents/diff-reviewer.md"
            ]
        );
        for agent in agents {
            let parsed =
                crate::frontmatter::parse(agent, &std::fs::read(market.join(agent)).unwrap());
            assert!(
                matches!(&parsed, crate::frontmatter::Parsed::Agent(a) if a.diagnostics.is_empty()),
                "{agent}: {parsed:?}"
            );
        }
        for dir in &layout.skills {
            let names = files(&market.join(dir));
            let contents: Vec<Vec<u8>> = names
                .iter()
                .map(|n| std::fs::read(market.join(dir).join(n)).unwrap())
                .collect();
            let skill_files: Vec<skill::SkillFile<'_>> = names
                .iter()
                .zip(&contents)
                .map(|(path, bytes)| skill::SkillFile {
                    path,
                    bytes,
                    executable: false,
                })
                .collect();
            let s = skill::check(dir, dir, &skill_files);
            assert_eq!(s.diagnostics, [], "{dir}");
            assert_eq!(Some(s.name.as_str()), dir.rsplit('/').next());
        }
        for c in &layout.commands {
            let checked = command::check(
                &c.path,
                &c.name,
                &std::fs::read(market.join(&c.path)).unwrap(),
            );
            assert_eq!(checked.diagnostics, [], "{}", c.path);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = market.join("skills/form-filler/scripts/fill_form.py");
            assert_ne!(
                std::fs::metadata(script).unwrap().permissions().mode() & 0o111,
                0
            );
        }
    }
}
