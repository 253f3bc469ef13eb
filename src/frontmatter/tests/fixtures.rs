//! Every fixture under `fixtures/agents/`, and rename on real files.

use super::*;

// ---- fixtures ----------------------------------------------------------------------------------

#[test]
fn seed_shapes_all_share_one_name() {
    for (file, bytes) in [
        (
            "one-line-examples",
            fixture!("seed-shapes/one-line-examples.md"),
        ),
        ("tools-string", fixture!("seed-shapes/tools-string.md")),
        (
            "tools-map-with-skills",
            fixture!("seed-shapes/tools-map-with-skills.md"),
        ),
        ("model-color", fixture!("seed-shapes/model-color.md")),
        ("no-tools", fixture!("seed-shapes/no-tools.md")),
    ] {
        let a = agent_of(parse(file, bytes));
        assert_eq!(a.name, "backend-architect", "{file}");
        assert!(!a.has_errors(), "{file}: {:#?}", a.diagnostics);
    }
}

#[test]
fn seed_shape_one_line_examples_needs_the_retry() {
    let bytes = fixture!("seed-shapes/one-line-examples.md");
    let text = std::str::from_utf8(bytes).unwrap();
    let line3 = text.lines().nth(2).unwrap();
    assert!(
        line3.chars().count() > 2000 && line3.contains("<example>") && line3.contains("Examples:")
    );
    let a = agent_of(parse("f", bytes));
    assert_eq!(found(&a.diagnostics), [("lenient-yaml", W, 3, 71)]);
    let description = a.description.unwrap();
    assert!(description.starts_with("Use this agent when a backend needs"));
    assert!(description.ends_with("</example>"));
}

#[test]
fn seed_shape_fixtures() {
    let check = |bytes: &[u8], expected: &[Found]| {
        let a = agent_of(parse("f", bytes));
        assert_eq!(found(&a.diagnostics), expected);
    };
    check(
        fixture!("seed-shapes/tools-string.md"),
        &[("lenient-yaml", W, 3, 89)],
    );
    check(
        fixture!("seed-shapes/tools-map-with-skills.md"),
        &[("tools-not-list", W, 6, 3), ("mojibake", W, 17, 4)],
    );
    check(fixture!("seed-shapes/model-color.md"), &[]);
    check(fixture!("seed-shapes/no-tools.md"), &[]);
    let moji = agent_of(parse("f", fixture!("seed-shapes/tools-map-with-skills.md")));
    assert!(
        moji.diagnostics[1]
            .message
            .contains("probably `🧠` (and 1 more place)")
    );
}

#[test]
fn edge_fixtures_that_are_documents() {
    assert_eq!(
        document_reason(parse("f", fixture!("edge/readme.md"))),
        "no front matter"
    );
    assert_eq!(
        document_reason(parse("f", fixture!("edge/indented-frontmatter.md"))),
        "no front matter"
    );
    assert_eq!(
        document_reason(parse("f", fixture!("edge/no-name.md"))),
        "front matter has no `name`"
    );
    assert_eq!(
        document_reason(parse("f", fixture!("edge/not-mapping.md"))),
        "front matter is not a mapping"
    );
}

#[test]
fn edge_fixtures_that_are_broken() {
    let (hint, diags) = broken(parse("f", fixture!("edge/unterminated.md")));
    assert_eq!(hint.as_deref(), Some("unterminated-agent"));
    assert_eq!(found(&diags), [("frontmatter-unterminated", E, 1, 1)]);
    let (hint, diags) = broken(parse("f", fixture!("edge/unparsable.md")));
    assert_eq!(hint.as_deref(), Some("unparsable-agent"));
    assert_eq!(found(&diags), [("frontmatter-invalid", E, 6, 3)]);
    let (hint, diags) = broken(parse("f", fixture!("edge/anchor.md")));
    assert_eq!(hint.as_deref(), Some("anchored"));
    assert_eq!(found(&diags), [("yaml-anchor", E, 3, 14)]);
    let (hint, diags) = broken(parse("f", fixture!("edge/invalid-utf8.md")));
    assert_eq!(hint.as_deref(), Some("latin1-agent"));
    assert_eq!(found(&diags), [("invalid-utf8", E, 3, 17)]);
}

/// Each fixture parses as an agent of this name with exactly these diagnostics.
fn check_edge_agents(cases: &[(&[u8], &str, &[Found])]) {
    for (bytes, name, expected) in cases {
        let a = agent_of(parse("f", bytes));
        assert_eq!(&a.name, name);
        assert_eq!(found(&a.diagnostics), *expected, "{name}");
    }
}

#[test]
fn edge_fixtures_that_are_agents() {
    check_edge_agents(&[
        // Accepted by Claude Code; the risky fields are refused by the trust checks until a source trusts them.
        (
            fixture!("edge/all-fields.md"),
            "all-fields",
            &[
                ("untrusted-permissions", E, 8, 1),
                ("untrusted-mcp-servers", E, 11, 1),
                ("untrusted-hooks", E, 13, 1),
            ],
        ),
        (
            fixture!("edge/block-description.md"),
            "block-description",
            &[],
        ),
        (
            fixture!("edge/blank-after-fence.md"),
            "blank-after-fence",
            &[],
        ),
        (fixture!("edge/crlf.md"), "crlf-agent", &[]),
        // Shapes Claude Code loads under this name: a byte-order mark, repeated keys (the last wins), tab
        // indentation and a `[...]` list kept by the lenient retry.
        (fixture!("edge/bom.md"), "bom-agent", &[]),
        (
            fixture!("edge/repeated-keys.md"),
            "repeated-keys",
            &[("unknown-field", W, 6, 1), ("unknown-field", W, 7, 1)],
        ),
        (
            fixture!("edge/tab-indented.md"),
            "tab-indented",
            &[("lenient-yaml", W, 5, 2)],
        ),
        (
            fixture!("edge/list-value.md"),
            "list-value",
            &[("lenient-yaml", W, 3, 25)],
        ),
        // What the attacks of issue 10 look like to agentpack.
        (
            fixture!("edge/tagged-hooks.md"),
            "tagged-hooks",
            &[("untrusted-hooks", E, 4, 1)],
        ),
        (
            fixture!("edge/cut-name.md"),
            "code-reviewer",
            &[
                ("description-missing", E, 2, 1),
                ("frontmatter-cut", E, 2, 20),
            ],
        ),
        (fixture!("edge/tools-mcp.md"), "tools-mcp", &[]),
    ]);
    let block = agent_of(parse("f", fixture!("edge/block-description.md")));
    assert_eq!(
        block.description.as_deref(),
        Some(
            "Reviews pull requests for correctness and style. Use it after every change to shared code.\n"
        )
    );
    assert_eq!(
        agent_of(parse("f", fixture!("edge/blank-after-fence.md"))).name_line,
        3
    );
}

#[test]
fn edge_fixtures_with_wrong_values_or_names() {
    check_edge_agents(&[
        (
            fixture!("edge/bad-color.md"),
            "bad-color",
            &[("color-invalid", W, 4, 8)],
        ),
        (
            fixture!("edge/hex-color.md"),
            "hex-color",
            &[("color-invalid", W, 4, 8)],
        ),
        (
            fixture!("edge/bad-model.md"),
            "bad-model",
            &[("model-invalid", W, 4, 8)],
        ),
        (
            fixture!("edge/dotted-name.md"),
            "dotnet-framework-4.8-expert",
            &[("name-convention", W, 2, 7)],
        ),
        (
            fixture!("edge/capital-name.md"),
            "Code Reviewer",
            &[("name-convention", W, 2, 7)],
        ),
        (
            fixture!("edge/slash-name.md"),
            "team/linter",
            &[("name-invalid", E, 2, 7)],
        ),
        (
            fixture!("edge/colon-name.md"),
            "plugin:helper",
            &[("name-invalid", E, 2, 7)],
        ),
    ]);
}

#[test]
fn edge_fixtures_with_wrong_fields() {
    check_edge_agents(&[
        (
            fixture!("edge/unknown-fields.md"),
            "unknown-fields",
            &[
                ("unknown-field", W, 4, 1),
                ("unknown-field", W, 5, 1),
                ("unknown-field", W, 6, 1),
                ("unknown-field", W, 7, 1),
            ],
        ),
        (
            fixture!("edge/missing-description.md"),
            "missing-description",
            &[("description-missing", E, 2, 1)],
        ),
        (
            fixture!("edge/list-description.md"),
            "list-description",
            &[("description-not-string", E, 4, 3)],
        ),
        (
            fixture!("edge/tools-empty.md"),
            "tools-empty",
            &[("tools-empty", W, 4, 8)],
        ),
        (
            fixture!("edge/tools-unknown.md"),
            "tools-unknown",
            &[("unknown-tool", W, 4, 14)],
        ),
        (
            fixture!("edge/invalid-values.md"),
            "invalid-values",
            &[
                ("permission-mode-invalid", W, 4, 17),
                ("effort-invalid", W, 5, 9),
                ("memory-invalid", W, 6, 9),
                ("isolation-invalid", W, 7, 12),
                ("max-turns-invalid", W, 8, 11),
                ("background-invalid", W, 9, 13),
                ("skills-not-list", W, 10, 9),
                ("disallowed-tools-not-list", W, 11, 18),
            ],
        ),
        (
            fixture!("edge/mojibake-description.md"),
            "mojibake-description",
            &[("mojibake", W, 3, 30)],
        ),
    ]);
}
#[test]
fn crlf_fixture_really_is_crlf() {
    let bytes = fixture!("edge/crlf.md");
    assert!(bytes.windows(2).filter(|w| w == b"\r\n").count() >= 7);
    assert!(
        !bytes
            .iter()
            .enumerate()
            .any(|(i, b)| *b == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))
    );
    let a = agent_of(parse("f", bytes));
    assert_eq!(
        a.description.as_deref(),
        Some("Written on Windows with CRLF line endings.")
    );
}

// ---- rename on real files ----------------------------------------------------------------------

/// Lines of `a` and `b` that differ, by 1-based number.
fn changed_lines(a: &[u8], b: &[u8]) -> Vec<usize> {
    let a: Vec<&[u8]> = a.split(|c| *c == b'\n').collect();
    let b: Vec<&[u8]> = b.split(|c| *c == b'\n').collect();
    assert_eq!(a.len(), b.len());
    (0..a.len())
        .filter(|&i| a[i] != b[i])
        .map(|i| i + 1)
        .collect()
}

#[test]
fn rename_fixtures_changes_only_the_name_line() {
    for bytes in [
        fixture!("seed-shapes/one-line-examples.md"),
        fixture!("seed-shapes/tools-map-with-skills.md"),
        fixture!("edge/crlf.md"),
        fixture!("edge/blank-after-fence.md"),
        fixture!("edge/slash-name.md"),
    ] {
        let out = rename(bytes, "renamed-agent").unwrap();
        let name_line = agent_of(parse("f", bytes)).name_line;
        assert_eq!(changed_lines(bytes, &out), [name_line]);
        let renamed = agent_of(parse("f", &out));
        assert_eq!(renamed.name, "renamed-agent");
        assert_eq!(renamed.name_line, name_line);
    }
    let crlf = rename(fixture!("edge/crlf.md"), "x-y").unwrap();
    assert!(crlf.starts_with(b"---\r\nname: x-y\r\ndescription:"));
}
