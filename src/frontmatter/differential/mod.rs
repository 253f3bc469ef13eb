//! Differential tests: agentpack's front-matter reader against Claude Code's rules run on Bun's own YAML
//! parser (`tests/bun/reader.js`), over every fixture, the shapes of CLAUDE_CODE_FORMAT.md, the known
//! attacks and thousands of generated documents. Each batch is one `bun` process.
//!
//! Both readers report what Claude Code would see: whether the agent loads, its name, description,
//! tools, model, and whether hooks, mcpServers and permissionMode are there. A difference is only
//! allowed when agentpack refuses a file Claude Code loads, for one of the reasons in [`KNOWN`] (the
//! README's table of known differences, which this test checks against the README too). Everything
//! else fails the test, with the documents and both readings.
//!
//! `bun` is found through `AGENTPACK_BUN`, or in `.ci/tools` (installed there from npm, pinned, on first
//! use); without it the tests fail, they never skip.

mod generate;
mod shapes;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_yaml_ng::Value;

use super::source::{self, Split};
use super::{Parsed, bun, flat, yaml};

/// The bun version `.ci/run` installs.
const BUN_VERSION: &str = "1.4.5";

/// Why agentpack may refuse a file Claude Code loads: the diagnostic code, and the reason (the README's
/// "Known differences" table holds the same rows).
const KNOWN: &[(&str, &str)] = &[
    (
        "yaml-anchor",
        "Claude Code's guarded mode refuses anchors in untrusted text",
    ),
    (
        "frontmatter-too-deep",
        "Claude Code's guarded mode refuses nesting over 256 levels",
    ),
    (
        "frontmatter-too-large",
        "Claude Code's guarded mode refuses front matter over 64 KiB",
    ),
    (
        "quoted-crlf",
        "Bun folds a quoted value's CRLF line break into a newline, not a space",
    ),
    (
        "yaml-bom",
        "Bun reads a U+FEFF inside front matter as text or as a document boundary",
    ),
    (
        "yaml-ambiguous",
        "Bun's parser may reject YAML agentpack's accepts, and its lenient retry reads it otherwise",
    ),
    (
        "frontmatter-cut",
        "the front matter reads differently to every other reader",
    ),
    ("name-invalid", "the name is not a safe file name"),
    (
        "frontmatter-invalid",
        "Bun reads a plain line before an explicit `? key` line as a key",
    ),
];

/// Whether `known` explains a difference on `doc`: the parser difference of `frontmatter-invalid` needs
/// an explicit key (`? key`) line.
fn explains(known: &str, doc: &str) -> bool {
    known != "frontmatter-invalid" || doc.lines().any(|l| l.starts_with("? "))
}

/// One reader's view of a document (the JSON `reader.js` prints).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct View {
    loads: bool,
    /// The front matter is a mapping.
    mapping: bool,
    name: Option<String>,
    description: Option<String>,
    tools: Option<String>,
    model: Option<String>,
    hooks: bool,
    mcp_servers: bool,
    permission_mode: Option<String>,
}

/// agentpack's view, and the error that refused the file if it is one of [`KNOWN`].
fn agentpack_view(text: &str) -> (View, Option<&'static str>) {
    let parsed = super::parse("doc.md", text.as_bytes());
    let map = match source::split(text) {
        Split::Found(fm) => match yaml::load(fm.yaml, fm.first_line) {
            yaml::Loaded::Strict(Value::Mapping(m))
            | yaml::Loaded::Lenient(Value::Mapping(m), _) => Some(m),
            _ => None,
        },
        _ => None,
    };
    let mapping = map.is_some();
    let map = map.unwrap_or_default();
    let errors: Vec<&'static str> = parsed
        .diagnostics()
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    // Errors that are decided per source (trust), not by the reader.
    let gate = |c: &str| {
        c == super::trust::HIDDEN_UNICODE || crate::names::TrustKind::of_code(c).is_some()
    };
    let known = errors
        .iter()
        .copied()
        .find(|c| KNOWN.iter().any(|(k, _)| k == c));
    let description = match &parsed {
        Parsed::Agent(a) => a.description.clone(),
        _ => None,
    };
    let get = |k: &str| map.get(k).map(show);
    let view = View {
        loads: matches!(parsed, Parsed::Agent(_)) && errors.iter().all(|c| gate(c)),
        mapping,
        name: map.get("name").and_then(Value::as_str).map(String::from),
        description,
        tools: get("tools"),
        model: get("model"),
        hooks: map.contains_key("hooks"),
        mcp_servers: map.contains_key("mcpServers"),
        permission_mode: get("permissionMode"),
    };
    (view, known)
}

/// `show` of reader.js.
fn show(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::String(s) => format!("s:{s}"),
        Value::Number(n) => format!(
            "n:{}",
            n.as_f64().map(bun::js_number_text).unwrap_or_default()
        ),
        Value::Bool(b) => format!("b:{b}"),
        Value::Sequence(items) => {
            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(","))
        }
        Value::Mapping(m) => {
            let mut entries: Vec<(String, &Value)> =
                m.iter().map(|(k, v)| (bun::js_string(k), v)).collect();
            // JavaScript compares strings by UTF-16 code units.
            entries.sort_by_cached_key(|(k, _)| k.encode_utf16().collect::<Vec<u16>>());
            let shown: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        serde_json::to_string(k).unwrap_or_default(),
                        show(v)
                    )
                })
                .collect();
            format!("{{{}}}", shown.join(","))
        }
        Value::Tagged(t) => show(&t.value),
    }
}

/// The bun binary: `AGENTPACK_BUN`, or the pinned version in `.ci/tools`, installed there from the npm
/// registry on first use (once per test run), so a plain `cargo test` needs no set-up step. Offline, an
/// install that `.ci/run` (or an earlier `cargo test`) made is used as it is.
fn bun_path() -> PathBuf {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    if let Some(path) = std::env::var_os("AGENTPACK_BUN") {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "AGENTPACK_BUN names {}, which does not exist: the differential tests need bun",
            path.display()
        );
        return path;
    }
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/tools");
    let path = tools.join("node_modules/.bin/bun");
    INSTALL.call_once(|| {
        if !path.exists() {
            let status = Command::new("npm")
                .args(["install", "--no-save", "--no-audit", "--no-fund", "--prefix"])
                .arg(&tools)
                .arg(format!("bun@{BUN_VERSION}"))
                .status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "installing bun {BUN_VERSION} from npm into {} failed: the differential tests need it \
                 (install it by hand with `npm install --prefix .ci/tools bun@{BUN_VERSION}`, or set \
                 AGENTPACK_BUN to a bun binary)",
                tools.display()
            );
        }
    });
    assert!(
        path.exists(),
        "bun not found at {}: the differential tests need it. Install it as .ci/run does \
         (`npm install --prefix .ci/tools bun@{BUN_VERSION}`) or set AGENTPACK_BUN to a bun binary",
        path.display()
    );
    path
}

/// Claude Code's view of every document, from one bun process.
fn claude_views(docs: &[String]) -> Vec<View> {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("docs.json");
    std::fs::write(&input, serde_json::to_vec(docs).expect("json")).expect("write docs");
    let reader = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bun/reader.js");
    let out = Command::new(bun_path())
        .arg(&reader)
        .arg(&input)
        .output()
        .expect("run bun");
    assert!(
        out.status.success(),
        "bun failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let views: Vec<View> = serde_json::from_slice(&out.stdout).expect("reader.js output");
    assert_eq!(views.len(), docs.len());
    views
}

/// Compare both readers on every document; returns how many differences each known reason explains.
fn compare(docs: &[String]) -> Vec<(&'static str, usize)> {
    let claude = claude_views(docs);
    let mut explained: Vec<(&'static str, usize)> = KNOWN.iter().map(|(k, _)| (*k, 0)).collect();
    let mut unexplained = Vec::new();
    for (doc, claude) in docs.iter().zip(claude) {
        let (ours, known) = agentpack_view(doc);
        // What both read from the mapping; the description only counts for an agent that loads.
        let fields_match = View {
            loads: claude.loads,
            description: claude.description.clone(),
            ..ours.clone()
        } == claude;
        let is_known = claude.loads && !ours.loads && known.is_some_and(|k| explains(k, doc));
        let same = if known.is_some() && !ours.mapping {
            // Refused before a mapping was built (a guard): only a file Claude Code skips, or a known
            // reason, may be refused.
            is_known || !claude.loads
        } else if is_known {
            // Refused for a known reason: the mapping agentpack read must still be Claude's.
            fields_match
        } else {
            claude.loads == ours.loads
                && claude.mapping == ours.mapping
                && (!ours.mapping || fields_match)
                && (!claude.loads || claude.description == ours.description)
        };
        match (same, known) {
            (true, Some(code)) if claude.loads && !ours.loads => {
                if let Some(e) = explained.iter_mut().find(|(k, _)| *k == code) {
                    e.1 += 1;
                }
            }
            (true, _) => {}
            (false, _) => unexplained.push(format!(
                "document {doc:?}\n  Claude Code: {claude:?}\n  agentpack:   {ours:?}"
            )),
        }
    }
    assert!(
        unexplained.is_empty(),
        "{} of {} documents read differently:\n\n{}",
        unexplained.len(),
        docs.len(),
        unexplained
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    explained
}

/// How many of `docs` have front matter [`flat`] reads (without the parser): the comparisons must
/// cover that path as well as the parser's.
fn read_flat(docs: &[String]) -> usize {
    let flat = |doc: &String| match source::split(doc) {
        Split::Found(fm) => flat::read(fm.yaml).is_some(),
        _ => false,
    };
    docs.iter().filter(|doc| flat(doc)).count()
}

fn fixtures(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            // Fixtures that are not UTF-8 are about encodings, which reader.js does not see.
            if let Ok(text) = String::from_utf8(std::fs::read(&path).expect("read")) {
                out.push(text);
            }
        }
    }
}

#[test]
fn fixtures_and_documented_shapes_read_as_in_claude_code() {
    let mut docs = Vec::new();
    fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut docs,
    );
    assert!(docs.len() > 30, "{} fixtures", docs.len());
    docs.extend(shapes::documented().into_iter().map(String::from));
    // The shapes of `key: value` lines only (and many fixtures) are read without the parser.
    assert!(read_flat(&docs) >= 40, "{} read flat", read_flat(&docs));
    compare(&docs);
}

#[test]
fn attacks_read_as_in_claude_code() {
    let docs: Vec<String> = shapes::attacks().into_iter().map(String::from).collect();
    let explained = compare(&docs);
    // The cut-off `---` attacks are refused for that reason, not silently read.
    assert!(
        explained
            .iter()
            .any(|(k, n)| *k == "frontmatter-cut" && *n >= 2),
        "{explained:?}"
    );
    // And the risky keys hidden by tags, merges, the cut and a lone `\r` are seen (NEL and U+2028
    // are not line breaks in YAML 1.2, nor is a `\r` inside quotes: there `hooks` is part of the
    // description for both readers).
    for doc in shapes::attacks().iter().filter(|d| {
        d.contains("hooks") && !d.contains(['\u{85}', '\u{2028}']) && !d.contains("cr-quoted")
    }) {
        let (ours, _) = agentpack_view(doc);
        assert!(ours.hooks, "hooks not seen in {doc:?}");
    }
}

#[test]
fn generated_documents_read_as_in_claude_code() {
    let seed = std::env::var("AGENTPACK_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_a6e7);
    let docs = generate::documents(seed, 5_000);
    let flat = read_flat(&docs);
    assert!(flat > docs.len() / 50, "seed {seed}: {flat} read flat");
    let explained = compare(&docs);
    let total: usize = explained.iter().map(|(_, n)| n).sum();
    // Most documents must be compared field by field, not explained away.
    assert!(total < docs.len() / 2, "seed {seed}: {explained:?}");
}

#[test]
fn the_readme_lists_exactly_the_known_differences() {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("### Known differences from Claude Code")
        .nth(1)
        .expect("README has a `### Known differences from Claude Code` section");
    let rows: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .filter_map(|l| l.split('`').nth(1))
        .collect();
    let known: Vec<&str> = KNOWN.iter().map(|(k, _)| *k).collect();
    assert_eq!(rows, known);
}
