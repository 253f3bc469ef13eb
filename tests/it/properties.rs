//! Property tests of the parsers that read untrusted text: front matter (from any repository), the
//! manifest and the lockfile. Whatever the input, they return a value or diagnostics, never panic, and
//! never blow up on nesting or aliases.
//!
//! CI runs [`DEFAULT_CASES`] cases per property; `PROPTEST_CASES=100000 cargo test --test it properties`
//! runs a long campaign. The coverage-guided fuzz targets in `fuzz/` (cargo-fuzz, nightly) go further.

use std::path::Path;

use agentpack::frontmatter;
use agentpack::lockfile::Lockfile;
use agentpack::manifest::{Manifest, ManifestPath};
use proptest::prelude::*;

const DEFAULT_CASES: u32 = 64;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Lines that look like front matter: keys agentpack reads, YAML punctuation, anchors, aliases, tags,
/// tabs, CRLF, quotes and the occasional non-ASCII character.
fn yamlish_line() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "name",
        "description",
        "tools",
        "model",
        "color",
        "x",
        "- ",
        "  ",
        "\t",
        "? ",
    ]);
    let value = "[a-z:\\[\\]{}&*!|>'\"#,\\-\\\\ \t\r\u{e9}\u{feff}]{0,24}";
    (key, value).prop_map(|(k, v)| format!("{k}: {v}"))
}

fn front_matter() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(yamlish_line(), 0..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, closed, crlf)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("---{eol}{}", lines.join(eol));
            if closed {
                text.push_str(&format!("{eol}---{eol}body{eol}"));
            }
            text.into_bytes()
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn front_matter_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = frontmatter::parse("fuzz.md", &bytes);
    }

    #[test]
    fn front_matter_never_panics_on_yamlish_text(bytes in front_matter()) {
        let parsed = frontmatter::parse("fuzz.md", &bytes);
        // Whatever is an agent has a safe installed name.
        if let Some(name) = parsed.name()
            && !parsed.diagnostics().iter().any(|d| d.is_error())
        {
            prop_assert!(agentpack::names::AgentName::parse(name).is_ok(), "{name:?}");
        }
    }

    #[test]
    fn manifests_never_panic(text in "(\\[sources\\.[a-z]{1,3}\\]\n|(git|path|tag|branch|rev|version|subdir|agents|rename|target) = (\"[a-z:/.\\-]{0,12}\"|\\[\"[a-z*/.]{0,6}\"\\]|\\{ [a-z]{1,3} = \"[a-z./]{0,5}\" \\}|[0-9]{1,3})\n|\\[install\\]\n){0,8}") {
        let _ = Manifest::parse(&ManifestPath::project("/project/agentpack.toml"), &text);
    }

    #[test]
    fn lockfiles_never_panic(text in "(version = [0-9]{1,2}\n|\\[\\[(source|agent)\\]\\]\n|(name|git|commit|sha256|file|path|ref-kind|ref|tag) = \"[a-f0-9./]{0,64}\"\n){0,10}") {
        let _ = Lockfile::parse(Path::new("/project/agentpack.lock"), &text);
    }
}

/// Specific shapes known to be expensive for YAML parsers, each parsed at once (no timing assertion:
/// the suite's timeout is the bound).
#[test]
fn yaml_bombs_and_deep_nesting_are_parsed() {
    let laughs = {
        let mut yaml =
            String::from("---\nname: bomb\ndescription: d\na0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..10 {
            yaml.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{}", i - 1); 10].join(",")
            ));
        }
        yaml + "---\n"
    };
    let deep_flow = format!(
        "---\nname: d\ndescription: d\nx: {}\n---\n",
        "{a: ".repeat(500) + &"}".repeat(500)
    );
    let deep_block = format!(
        "---\nname: d\ndescription: d\n{}---\n",
        (0..200)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect::<String>()
    );
    let many_keys = format!(
        "---\nname: k\ndescription: d\n{}---\n",
        (0..50_000)
            .map(|i| format!("k{i}: v\n"))
            .collect::<String>()
    );
    for text in [laughs, deep_flow, deep_block, many_keys] {
        let parsed = frontmatter::parse("bomb.md", text.as_bytes());
        assert!(!parsed.diagnostics().is_empty() || parsed.name().is_some());
    }
}
