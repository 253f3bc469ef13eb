//! The module graph of `src/` keeps the layering of the architecture (issue 13): no import circle between
//! top-level modules, no arrow from a lower layer to a higher one, git2 only below `ops`, and process state
//! read only by `cli`. Read from the source text (`crate::` paths outside comments, strings and
//! `#[cfg(test)]` modules), so a new module or a new import is checked without a build step of its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top to bottom; a module may use its own layer and those below it. Every top-level module
/// of `src/` must be listed, so a new one is placed on purpose.
const LAYERS: &[(&str, &[&str])] = &[
    ("entry", &["main", "lib"]),
    ("cli", &["cli"]),
    ("ops", &["ops"]),
    (
        "domain",
        &[
            "resolve",
            "select",
            "packs",
            "install",
            "kinds",
            "patches",
            "duplicates",
            "state",
            "scope",
        ],
    ),
    (
        "formats",
        &["manifest", "edit", "lockfile", "frontmatter", "catalog"],
    ),
    ("sources", &["source"]),
    (
        "base",
        &[
            "names", "diag", "error", "fsutil", "reporter", "escape", "hidden", "limits",
            "in_order",
        ],
    ),
];

/// Arrows within a layer that ARCHITECTURE.md rules out: the manifest and the lock know no front matter
/// (a name rule they share lives in `names`).
const FORBIDDEN: &[(&str, &str)] = &[("manifest", "frontmatter"), ("lockfile", "frontmatter")];

/// Modules that may name `git2` besides `source`: a commit id converts to and from a `git2::Oid`, a git
/// error carries libgit2's cause, and the CLI renders that cause.
const GIT2_ALSO_IN: &[&str] = &["names", "error", "cli"];

/// Reads of process state that only `cli` may make.
const PROCESS_STATE: &[&str] = &[
    "env::var(",
    "env::var_os(",
    "env::vars(",
    "env::args",
    "env::current_dir",
    "env::home_dir",
    "env::set_current_dir",
];

#[test]
fn the_module_graph_has_no_circle() {
    let graph = graph();
    let mut cycles = Vec::new();
    for start in graph.keys() {
        if let Some(path) = path_back(&graph, start) {
            cycles.push(path.join(" -> "));
        }
    }
    assert!(cycles.is_empty(), "import circles:\n{}", cycles.join("\n"));
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let rank = ranks();
    let graph = graph();
    let mut unplaced: Vec<_> = graph
        .keys()
        .filter(|m| !rank.contains_key(m.as_str()))
        .collect();
    unplaced.sort();
    assert!(
        unplaced.is_empty(),
        "modules missing from LAYERS in tests/layers.rs (and from ARCHITECTURE.md): {unplaced:?}"
    );
    let mut upward = Vec::new();
    for (from, uses) in &graph {
        for (to, files) in uses {
            let ruled_out = FORBIDDEN.contains(&(from.as_str(), to.as_str()));
            if rank[to.as_str()] < rank[from.as_str()] || ruled_out {
                upward.push(format!("{from} -> {to} (in {})", files.join(", ")));
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn git2_and_process_state_stay_in_their_layers() {
    let mut found = Vec::new();
    for (module, file, text) in sources() {
        if text.contains("git2::") && module != "source" && !GIT2_ALSO_IN.contains(&module.as_str())
        {
            found.push(format!("{file} names git2"));
        }
        for read in PROCESS_STATE {
            if text.contains(read) && module != "cli" {
                found.push(format!("{file} reads process state (`{read}`)"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The checker itself: comments, strings and test modules are not imports; grouped imports are.
#[test]
fn the_reader_sees_only_real_imports() {
    let text = clean(
        "//! [`crate::a`]\nuse crate::{b::X, c};\nlet s = \"crate::d\"; let c = '{';\n\
         /* crate::e */ fn f() { crate::g::h(); }\n#[cfg(test)]\nmod tests {\n    use crate::i;\n}\n",
    );
    let (text, _) = without_test_modules(&text);
    assert_eq!(
        used_modules(&text),
        ["b", "c", "g"].map(String::from).into()
    );
}

/// Module → the modules it uses → the files that use them.
type Graph = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn ranks() -> BTreeMap<&'static str, usize> {
    let mut rank = BTreeMap::new();
    for (i, (_, modules)) in LAYERS.iter().enumerate() {
        for m in *modules {
            assert!(rank.insert(*m, i).is_none(), "`{m}` is in two layers");
        }
    }
    rank
}

fn graph() -> Graph {
    let sources = sources();
    let modules: BTreeSet<_> = sources.iter().map(|(m, _, _)| m.clone()).collect();
    let mut graph = Graph::new();
    for (module, file, text) in sources {
        let uses = graph.entry(module.clone()).or_default();
        for used in used_modules(&text) {
            if used != module && modules.contains(&used) {
                uses.entry(used).or_default().push(file.clone());
            }
        }
    }
    graph
}

/// A path from `start` back to itself, if there is one.
fn path_back(graph: &Graph, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in graph.get(last).into_iter().flat_map(|u| u.keys()) {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

/// Every non-test source file of `src/`: its top-level module, its path, and its code without comments,
/// strings or `#[cfg(test)]` modules.
fn sources() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files.sort();
    let mut test_only = BTreeSet::new();
    let mut out = Vec::new();
    for file in &files {
        let text = clean(&std::fs::read_to_string(file).unwrap());
        let (code, test_mods) = without_test_modules(&text);
        let children = children_dir(file);
        for name in test_mods {
            test_only.insert(children.join(format!("{name}.rs")));
            test_only.insert(children.join(&name));
        }
        out.push((file.clone(), code));
    }
    out.into_iter()
        .filter(|(file, _)| !test_only.iter().any(|t| file.starts_with(t)))
        .map(|(file, code)| {
            let relative = file.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap();
            let first = first.as_os_str().to_str().unwrap();
            let module = first.strip_suffix(".rs").unwrap_or(first).to_string();
            (module, format!("src/{}", relative.display()), code)
        })
        .collect()
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Where the files of `file`'s `mod name;` items live.
fn children_dir(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap();
    match file.file_stem().unwrap().to_str().unwrap() {
        "mod" | "lib" | "main" => dir.to_path_buf(),
        stem => dir.join(stem),
    }
}

/// `text` with comments, string literals and char literals blanked (lifetimes kept).
fn clean(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && matches!(next, Some('"' | '#')) && !ident_before(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            while i < chars.len()
                && !(chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&h| h == '#'))
            {
                i += 1;
            }
            i += 1 + hashes;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            i += 3; // past the escaped character, which may be `'`
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Is `chars[i]` inside an identifier (the `r` of `bar"` is not a raw string; that of `br"` is)?
fn ident_before(chars: &[char], i: usize) -> bool {
    let ident = |j: usize| chars[j].is_alphanumeric() || chars[j] == '_';
    i > 0 && ident(i - 1) && !(chars[i - 1] == 'b' && (i < 2 || !ident(i - 2)))
}

/// `code` without its `#[cfg(test)] mod name { ... }` items, and the names of its `#[cfg(test)] mod name;`.
fn without_test_modules(code: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut files = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let item = item.strip_prefix("pub(crate) ").unwrap_or(item);
        let Some(module) = item.strip_prefix("mod ") else {
            rest = after; // a test-only function or import: its `crate::` paths still count
            continue;
        };
        let name: String = module
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let body = module[name.len()..].trim_start();
        if let Some(after_semi) = body.strip_prefix(';') {
            files.push(name);
            rest = after_semi;
            continue;
        }
        assert!(
            body.starts_with('{'),
            "unexpected `#[cfg(test)] mod {name}`"
        );
        let mut depth = 0;
        let mut end = body.len();
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    (out, files)
}

/// The top-level modules `code` names as `crate::x` or inside `crate::{x, y::z}`.
fn used_modules(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut used = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` in a macro, or a longer path ending in `crate`
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        used.insert(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        used.insert(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(ident(rest));
        }
    }
    used.remove("");
    used
}

/// `lib.rs`'s module map and the README's file overview name every top-level module of `src/`, and only
/// those.
#[test]
fn the_module_map_and_the_file_overview_match_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let modules: BTreeSet<String> = sources().into_iter().map(|(m, _, _)| m).collect();
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let mapped: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//! - [`")?.split('`').next())
        .map(String::from)
        .collect();
    let declared: BTreeSet<String> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
        .map(String::from)
        .collect();
    let entry: BTreeSet<String> = ["lib", "main"].map(String::from).into();
    let library: BTreeSet<String> = modules.difference(&entry).cloned().collect();
    assert_eq!(declared, library, "`pub mod` lines of lib.rs against src/");
    assert_eq!(mapped, library, "the module map in lib.rs against src/");

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let overview = readme
        .split("## Development\n\n```text\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the file overview in README.md's Development section");
    let mut named = BTreeSet::new();
    for line in overview.lines() {
        let Some(path) = line.split_whitespace().next() else {
            continue;
        };
        for part in line.split("  ").next().unwrap().split(", ") {
            let part = part.trim();
            let full = if part.starts_with("src/") || !path.starts_with("src/") {
                part.to_string()
            } else {
                format!("src/{part}")
            };
            if let Some(rest) = full.strip_prefix("src/") {
                let first = rest.split('/').next().unwrap();
                named.insert(first.strip_suffix(".rs").unwrap_or(first).to_string());
            }
            if !full.is_empty() {
                assert!(
                    root.join(&full).exists(),
                    "README's file overview names `{full}`, which does not exist"
                );
            }
        }
    }
    assert_eq!(named, modules, "README's file overview against src/");
}
