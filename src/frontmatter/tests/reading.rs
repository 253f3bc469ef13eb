//! Where the front matter is, its YAML (errors and Claude Code's lenient retry), encoding and size.

use super::*;

// ---- front matter boundaries -------------------------------------------------------------------

#[test]
fn clean_agent() {
    let a = agent("---\nname: code-reviewer\ndescription: Reviews code.\n---\n# Body\n");
    assert_eq!(a.name, "code-reviewer");
    assert_eq!(a.description.as_deref(), Some("Reviews code."));
    assert_eq!(a.name_line, 2);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    assert!(!a.has_errors());
}

#[test]
fn documents_are_skipped_with_a_reason() {
    assert_eq!(document_reason(parse_str("# Title\n")), "no front matter");
    assert_eq!(document_reason(parse_str("")), "no front matter");
    assert_eq!(document_reason(parse_str("---")), "no front matter");
    assert_eq!(
        document_reason(parse_str("---\n---\nbody\n")),
        "front matter is empty"
    );
    assert_eq!(
        document_reason(parse_str("---\njust text\n---\n")),
        "front matter is not a mapping"
    );
    assert_eq!(
        document_reason(parse_str("---\ndescription: d\n---\n")),
        "front matter has no `name`"
    );
}

#[test]
fn closing_fence_may_have_spaces_or_end_the_file() {
    let a = agent("---   \nname: a\ndescription: d\n---   \nbody");
    assert_eq!(a.name, "a");
    let a = agent("---\nname: at-eof\ndescription: d\n---");
    assert_eq!(a.name, "at-eof");
    assert!(a.diagnostics.is_empty());
}

#[test]
fn body_is_never_parsed() {
    let text = "---\nname: body-test\ndescription: d\n---\nname: [unclosed\n---\ncolor: magenta\ntools: {\n";
    let a = agent(text);
    assert_eq!(a.name, "body-test");
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    // A body that looks like front matter does not make a document an agent.
    assert_eq!(
        document_reason(parse_str("# Guide\n---\nname: x\ndescription: d\n---\n")),
        "no front matter"
    );
}

#[test]
fn unterminated_front_matter_is_broken() {
    let (hint, diags) = broken(parse_str("---\nname: open-ended\ndescription: d\n\nBody\n"));
    assert_eq!(hint.as_deref(), Some("open-ended"));
    assert_eq!(found(&diags), [("frontmatter-unterminated", E, 1, 1)]);
}

#[test]
fn crlf_positions_and_values_have_no_carriage_returns() {
    let a = agent("---\r\nname: crlf\r\ndescription: d\r\ncolor: magenta\r\n---\r\nbody\r\n");
    assert_eq!(a.description.as_deref(), Some("d"));
    let d = only(&a.diagnostics, "color-invalid");
    assert_eq!(
        found(std::slice::from_ref(&d)),
        [("color-invalid", W, 4, 8)]
    );
    assert_eq!(d.snippet.as_deref(), Some("color: magenta"));
}

// ---- YAML errors and Claude Code's lenient retry -----------------------------------------------

#[test]
fn lenient_retry_loads_colon_space_and_examples() {
    let text = "---\nname: helper\ndescription: Use it when: the user asks. Examples:\\n<example>hi</example>\n---\n";
    let a = agent(text);
    assert_eq!(
        a.description.as_deref(),
        Some("Use it when: the user asks. Examples:\\n<example>hi</example>")
    );
    assert_eq!(
        a.shown_description().as_deref(),
        Some("Use it when: the user asks. Examples:\n<example>hi</example>")
    );
    // The parser stops at the `:` of `when: `, column 25 of file line 3.
    assert_eq!(found(&a.diagnostics), [("lenient-yaml", W, 3, 25)]);
    let d = &a.diagnostics[0];
    assert!(d.message.contains("lenient retry"), "{}", d.message);
    assert!(!d.message.contains("at line"), "{}", d.message);
    assert!(d.hint.as_deref().unwrap().contains("quote"));
}

#[test]
fn lenient_retry_quotes_every_matching_line_including_hashes() {
    // The `[` line makes strict YAML fail; the retry then also quotes the description, so its ` #dotnet`
    // is text instead of a comment.
    let text =
        "---\nname: hash-agent\ndescription: Handles C# and F# #dotnet\ncolor: [unclosed\n---\n";
    let a = agent(text);
    assert_eq!(a.description.as_deref(), Some("Handles C# and F# #dotnet"));
    assert_eq!(
        codes(&a.diagnostics),
        ["color-invalid", "lenient-yaml"],
        "{:#?}",
        a.diagnostics
    );
    assert!(
        only(&a.diagnostics, "color-invalid")
            .message
            .contains("`[unclosed`")
    );
}

#[test]
fn lenient_retry_leaves_quoted_values_and_list_items_alone() {
    let text = "---\nname: quoted\ndescription: \"a: b\"\ntools: [Read\n---\n";
    let a = agent(text);
    assert_eq!(a.description.as_deref(), Some("a: b"));
    let text = "---\nname: listed\ndescription: x: y\nskills:\n- a: b\n---\n";
    let a = agent(text);
    // `- a: b` is still a map inside the list, so `skills` is not a list of names.
    assert_eq!(
        found(&a.diagnostics),
        [("lenient-yaml", W, 3, 15), ("skills-not-list", W, 5, 1)]
    );
}

#[test]
fn yaml_that_fails_the_retry_is_broken_at_the_file_position() {
    // Blank line after the fence: YAML line 4 is file line 5.
    let text = "---\n\nname: broken-yaml\ndescription: d\n  bad: indent\n---\n";
    let (hint, diags) = broken(parse_str(text));
    assert_eq!(hint.as_deref(), Some("broken-yaml"));
    assert_eq!(found(&diags), [("frontmatter-invalid", E, 5, 6)]);
    assert!(diags[0].message.contains("lenient retry"));
    assert_eq!(diags[0].snippet.as_deref(), Some("  bad: indent"));
}

#[test]
fn repeated_keys_load_with_the_last_value_as_in_claude_code() {
    let a = agent("---\nname: a\nname: b\ndescription: d\n---\n");
    assert_eq!(a.name, "b");
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused_before_expansion() {
    // Block-style billion laughs: refused at its first anchor, nothing expanded.
    let mut bomb = String::from("---\nname: bomb\ndescription: d\na0: &a0\n  - lol\n  - lol\n");
    for i in 1..10 {
        bomb.push_str(&format!("a{i}: &a{i}\n"));
        for _ in 0..9 {
            bomb.push_str(&format!("  - *a{}\n", i - 1));
        }
    }
    bomb.push_str("---\n");
    let (hint, diags) = broken(parse_str(&bomb));
    assert_eq!(hint.as_deref(), Some("bomb"));
    assert_eq!(found(&diags), [("yaml-anchor", E, 4, 5)]);
    assert!(
        diags[0].message.contains("YAML anchor"),
        "{}",
        diags[0].message
    );
    // Flow style, and one line long.
    let flow = "---\nname: b\ndescription: d\na: &a [lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n---\n";
    assert_eq!(
        found(&broken(parse_str(flow)).1),
        [("yaml-anchor", E, 4, 4)]
    );

    // Deep flow nesting is refused as soon as the scanner reaches 256 levels.
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        let deep = format!(
            "---\nname: deep\ndescription: d\nx:\n  {}1{}\n---\n",
            open.repeat(10_000),
            close.repeat(10_000)
        );
        let (_, diags) = broken(parse_str(&deep));
        assert_eq!(
            found(&diags),
            [("frontmatter-too-deep", E, 5, 3 + 255 * open.len())]
        );
        assert!(diags[0].message.contains("more than 256 levels"));
    }
}

#[test]
fn front_matter_over_64_kib_is_refused() {
    let text = format!(
        "---\nname: big\ndescription: d\nx: {}\n---\n",
        "a".repeat(70_000)
    );
    let (hint, diags) = broken(parse_str(&text));
    assert_eq!(hint.as_deref(), Some("big"));
    assert_eq!(found(&diags), [("frontmatter-too-large", E, 2, 1)]);
    // The body does not count.
    let text = format!(
        "---\nname: big\ndescription: d\n---\n{}",
        "a".repeat(70_000)
    );
    assert!(agent(&text).diagnostics.is_empty());
}

// ---- encoding and size -------------------------------------------------------------------------

#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let (hint, diags) = broken(parse(
        "x.md",
        b"---\nname: bad-bytes\ndescription: na\xefve \xff\n---\n",
    ));
    assert_eq!(hint.as_deref(), Some("bad-bytes"));
    assert_eq!(found(&diags), [("invalid-utf8", E, 3, 16)]);
    assert!(diags[0].message.contains("0xEF"));
}

#[test]
fn oversized_files_are_broken() {
    let mut big = b"---\nname: huge\ndescription: d\n---\n".to_vec();
    big.resize(MAX_FILE_SIZE + 1, b'x');
    let (hint, diags) = broken(parse("big.md", &big));
    assert_eq!(hint.as_deref(), Some("huge"));
    assert_eq!(codes(&diags), ["file-too-large"]);
    assert_eq!(diags[0].location.as_ref().unwrap().file, "big.md");
    // Exactly the limit is fine.
    big.truncate(MAX_FILE_SIZE);
    assert_eq!(agent_of(parse("big.md", &big)).name, "huge");
}

#[test]
fn mojibake_anywhere_is_reported_once_at_the_first_place() {
    let text = "---\nname: moji\ndescription: d\n---\n\nplain line\n## \u{f0}\u{178}\u{8e}\u{af} Goal and caf\u{c3}\u{a9}\n";
    let a = agent(text);
    assert_eq!(found(&a.diagnostics), [("mojibake", W, 7, 4)]);
    let msg = &a.diagnostics[0].message;
    assert!(
        msg.contains("`🎯`") && msg.contains("1 more place"),
        "{msg}"
    );
}

#[test]
fn accented_text_is_not_mojibake() {
    let a = agent(
        "---\nname: accents\ndescription: Café, naïve, Ærø, São Paulo — “quoted” 🧠\n---\nÀ la carte.\n",
    );
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
}
