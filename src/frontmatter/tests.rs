//! Tests of [`parse`] on whole files: inline texts for each rule, and every fixture under
//! `fixtures/agents/`.

use super::*;
use crate::diag::Severity;

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!("../../fixtures/agents/", $path)).as_slice()
    };
}

fn parse_str(text: &str) -> Parsed {
    parse("t.md", text.as_bytes())
}

fn agent_of(parsed: Parsed) -> AgentFile {
    match parsed {
        Parsed::Agent(agent) => agent,
        other => panic!("expected an agent, got {other:?}"),
    }
}

fn agent(text: &str) -> AgentFile {
    agent_of(parse_str(text))
}

/// (code, severity, line, column) of a diagnostic.
type Found = (&'static str, Severity, usize, usize);

fn found(diagnostics: &[Diagnostic]) -> Vec<Found> {
    diagnostics
        .iter()
        .map(|d| {
            let loc = d
                .location
                .as_ref()
                .expect("every diagnostic has a location");
            (
                d.code,
                d.severity,
                loc.line.unwrap_or(0),
                loc.column.unwrap_or(0),
            )
        })
        .collect()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn only(diagnostics: &[Diagnostic], code: &str) -> Diagnostic {
    let hits: Vec<_> = diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(hits.len(), 1, "expected one {code}: {diagnostics:#?}");
    hits[0].clone()
}

fn document_reason(parsed: Parsed) -> String {
    match parsed {
        Parsed::Document { reason } => reason,
        other => panic!("expected a document, got {other:?}"),
    }
}

fn broken(parsed: Parsed) -> (Option<String>, Vec<Diagnostic>) {
    match parsed {
        Parsed::Broken {
            name_hint,
            diagnostics,
        } => (name_hint, diagnostics),
        other => panic!("expected a broken file, got {other:?}"),
    }
}

use Severity::{Error as E, Warning as W};

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

// ---- name --------------------------------------------------------------------------------------

#[test]
fn missing_and_non_text_names() {
    for (text, code, col) in [
        ("---\nname:\ndescription: d\n---\n", "name-missing", 1),
        ("---\nname: \"\"\ndescription: d\n---\n", "name-missing", 7),
        ("---\nname: 2024\ndescription: d\n---\n", "name-invalid", 7),
        ("---\nname: true\ndescription: d\n---\n", "name-invalid", 7),
        (
            "---\nname: [a, b]\ndescription: d\n---\n",
            "name-invalid",
            7,
        ),
    ] {
        let a = agent(text);
        assert_eq!(found(&a.diagnostics), [(code, E, 2, col)], "{text}");
        assert!(a.has_errors());
    }
    assert_eq!(agent("---\nname: 2024\ndescription: d\n---\n").name, "2024");
}

#[test]
fn names_claude_code_or_agentpack_reject() {
    for (name, expected) in [
        ("-leading", "starts with `-`"),
        ("\"plugin:agent\"", "contains `:`"),
        ("team/linter", "contains `/`"),
        ("a..b", "contains `..`"),
        ("CON", "device name"),
        ("lpt1.md", "device name"),
        ("\"a*b\"", "contains `*`"),
        ("\"trailing.\"", "ends with a dot"),
    ] {
        let a = agent(&format!("---\nname: {name}\ndescription: d\n---\n"));
        assert_eq!(found(&a.diagnostics), [("name-invalid", E, 2, 7)], "{name}");
        assert!(
            a.diagnostics[0].message.contains(expected),
            "{name}: {}",
            a.diagnostics[0].message
        );
    }
    let long = "a".repeat(129);
    let a = agent(&format!("---\nname: {long}\ndescription: d\n---\n"));
    assert_eq!(codes(&a.diagnostics), ["name-invalid"]);
}

#[test]
fn names_that_load_but_break_the_convention() {
    for name in [
        "Backend",
        "v2-agent",
        "dotnet-4.8",
        "two words",
        "snake_case",
    ] {
        let a = agent(&format!("---\nname: {name}\ndescription: d\n---\n"));
        assert_eq!(
            found(&a.diagnostics),
            [("name-convention", W, 2, 7)],
            "{name}"
        );
        assert!(!a.has_errors());
        assert_eq!(a.name, name);
    }
}

// ---- description -------------------------------------------------------------------------------

#[test]
fn description_rules() {
    let a = agent("---\ntools: Read\nname: no-desc\n---\n");
    assert_eq!(found(&a.diagnostics), [("description-missing", E, 3, 1)]);
    assert_eq!(a.description, None);
    for text in [
        "---\nname: x\ndescription:\n---\n",
        "---\nname: x\ndescription: \"\"\n---\n",
        "---\nname: x\ndescription: \"   \"\n---\n",
    ] {
        assert_eq!(
            found(&agent(text).diagnostics),
            [("description-missing", E, 3, 1)],
            "{text}"
        );
    }
    let a = agent("---\nname: x\ndescription: {a: b}\n---\n");
    assert_eq!(
        found(&a.diagnostics),
        [("description-not-string", E, 3, 14)]
    );
    let a = agent("---\nname: x\ndescription: 42\n---\n");
    assert_eq!(a.description.as_deref(), Some("42"));
    assert!(a.diagnostics.is_empty());
    let a = agent("---\nname: x\ndescription: false\n---\n");
    assert_eq!(a.description.as_deref(), Some("false"));
}

// ---- tools, disallowedTools, skills ------------------------------------------------------------

#[test]
fn tool_lists_in_every_accepted_form() {
    for tools in [
        "tools: Read, Grep, Glob",
        "tools: Read Grep",
        "tools: [Read, Bash]",
        "tools:\n  - Read\n  - mcp__github__create_issue",
        "tools: \"*\"",
        "tools: Agent(worker, reviewer), Task(x), mcp__db",
        "disallowedTools: Bash, Write",
        "disallowedTools: []",
        "disallowedTools:",
        "skills: [a, b]",
        "skills: a, b",
        "skills:",
    ] {
        let a = agent(&format!("---\nname: t\ndescription: d\n{tools}\n---\n"));
        assert!(a.diagnostics.is_empty(), "{tools}: {:#?}", a.diagnostics);
    }
}

#[test]
fn empty_tools_mean_no_tools() {
    for (tools, col) in [
        ("tools: []", 8),
        ("tools: \"\"", 8),
        ("tools:", 1),
        ("tools: ~", 1),
    ] {
        let a = agent(&format!("---\nname: t\ndescription: d\n{tools}\n---\n"));
        assert_eq!(
            found(&a.diagnostics),
            [("tools-empty", W, 4, col)],
            "{tools}"
        );
    }
}

#[test]
fn tool_fields_of_the_wrong_shape() {
    for (field, code, line, col) in [
        ("tools:\n  core: [Read]", "tools-not-list", 5, 3),
        ("tools: [Read, 3]", "tools-not-list", 4, 8),
        ("tools: true", "tools-not-list", 4, 8),
        (
            "disallowedTools: {a: b}",
            "disallowed-tools-not-list",
            4,
            18,
        ),
        ("skills: 5", "skills-not-list", 4, 9),
        ("skills:\n  a: b", "skills-not-list", 5, 3),
    ] {
        let a = agent(&format!("---\nname: t\ndescription: d\n{field}\n---\n"));
        assert_eq!(found(&a.diagnostics), [(code, W, line, col)], "{field}");
    }
}

#[test]
fn unknown_tools_are_listed_once_per_field() {
    let a = agent(
        "---\nname: t\ndescription: d\ntools: Read, Docker, read, Docker\ndisallowedTools:\n  - Bash\n  - Shell\n---\n",
    );
    assert_eq!(
        found(&a.diagnostics),
        [("unknown-tool", W, 4, 14), ("unknown-tool", W, 7, 5)]
    );
    let tools = &a.diagnostics[0];
    assert!(tools.message.contains("`Docker`, `read`,") && tools.message.starts_with("`tools`"));
    assert_eq!(tools.message.matches("Docker").count(), 1);
    assert!(tools.hint.as_deref().unwrap().contains("`read` → `Read`"));
    assert!(
        a.diagnostics[1]
            .message
            .starts_with("`disallowedTools` lists `Shell`,")
    );
}

// ---- enumerated and typed fields ---------------------------------------------------------------

#[test]
fn models() {
    for model in [
        "sonnet",
        "Opus",
        "HAIKU",
        "fable",
        "inherit",
        "claude-opus-5",
        "claude-3-5-sonnet-20241022",
        "claude-sonnet-4.5@20250929",
    ] {
        let a = agent(&format!(
            "---\nname: m\ndescription: d\nmodel: {model}\n---\n"
        ));
        assert!(a.diagnostics.is_empty(), "{model}");
    }
    for model in [
        "Claude Sonnet 4.5 (copilot)",
        "gpt-4o",
        "4",
        "claude-",
        "Claude-opus-5",
    ] {
        let a = agent(&format!(
            "---\nname: m\ndescription: d\nmodel: {model}\n---\n"
        ));
        assert_eq!(
            found(&a.diagnostics),
            [("model-invalid", W, 4, 8)],
            "{model}"
        );
    }
}

#[test]
fn color_invalid_message_and_hint() {
    let a = agent("---\nname: c\ndescription: d\ncolor: magenta\n---\n");
    assert_eq!(found(&a.diagnostics), [("color-invalid", W, 4, 8)]);
    assert_eq!(
        a.diagnostics[0].render(),
        "warning[color-invalid]: `color` is `magenta`, which Claude Code ignores\n --> t.md:4:8\n  |\n4 | color: magenta\n  |        ^\n  = hint: use one of red, blue, green, yellow, purple, orange, pink, cyan"
    );
    for ok in [
        "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
    ] {
        assert!(
            agent(&format!("---\nname: c\ndescription: d\ncolor: {ok}\n---\n"))
                .diagnostics
                .is_empty()
        );
    }
    // Colors are matched exactly.
    assert_eq!(
        codes(&agent("---\nname: c\ndescription: d\ncolor: Red\n---\n").diagnostics),
        ["color-invalid"]
    );
}

#[test]
fn enum_fields() {
    for (field, code) in [
        ("permissionMode: yolo", "permission-mode-invalid"),
        ("effort: extreme", "effort-invalid"),
        ("memory: global", "memory-invalid"),
        ("isolation: container", "isolation-invalid"),
        ("maxTurns: 0", "max-turns-invalid"),
        ("maxTurns: -3", "max-turns-invalid"),
        ("maxTurns: 2.5", "max-turns-invalid"),
        ("maxTurns: \"10\"", "max-turns-invalid"),
        ("background: \"true\"", "background-invalid"),
        ("background: 1", "background-invalid"),
    ] {
        let a = agent(&format!("---\nname: e\ndescription: d\n{field}\n---\n"));
        let col = field.find(' ').unwrap() + 2;
        assert_eq!(found(&a.diagnostics), [(code, W, 4, col)], "{field}");
    }
    // Valid, but modes that skip permission prompts are for the trust checks to refuse.
    for field in [
        "permissionMode: acceptEdits",
        "permissionMode: bypassPermissions",
    ] {
        let a = agent(&format!("---\nname: e\ndescription: d\n{field}\n---\n"));
        assert_eq!(codes(&a.diagnostics), ["untrusted-permissions"], "{field}");
    }
    for field in [
        "permissionMode: plan",
        "effort: xhigh",
        "memory: local",
        "isolation: worktree",
        "maxTurns: 1",
        "background: true",
    ] {
        let a = agent(&format!("---\nname: e\ndescription: d\n{field}\n---\n"));
        assert!(a.diagnostics.is_empty(), "{field}");
    }
}

#[test]
fn a_comment_where_a_value_should_be() {
    let a = agent("---\nname: h\ndescription: d\ncolor: #10B981\n---\n");
    assert_eq!(found(&a.diagnostics), [("color-invalid", W, 4, 8)]);
    assert!(
        a.diagnostics[0]
            .message
            .contains("reads `#10B981` as a comment")
    );
}

#[test]
fn unknown_fields_one_warning_each() {
    let a = agent(
        "---\nname: u\nversion: 1.0\ndescription: d\nauthor: me\nallowed_tools: Read\n1: x\n---\n",
    );
    assert_eq!(
        found(&a.diagnostics),
        [
            ("unknown-field", W, 3, 1),
            ("unknown-field", W, 5, 1),
            ("unknown-field", W, 6, 1),
            ("unknown-field", W, 7, 1),
        ]
    );
    assert!(
        a.diagnostics[0]
            .message
            .starts_with("`version` is not an agent field")
    );
    assert_eq!(
        a.diagnostics[3].message,
        "`1` is not an agent field; Claude Code ignores it"
    );
    let snake = agent("---\nname: u\ndescription: d\ndisallowed_tools: Bash\n---\n");
    assert_eq!(
        snake.diagnostics[0].hint.as_deref(),
        Some("did you mean `disallowedTools`?")
    );
}

#[test]
fn thousands_of_keys_are_summarised() {
    let mut text = String::from("---\nname: many\ndescription: d\n");
    for i in 0..5_000 {
        text.push_str(&format!("k{i}: v\n"));
    }
    text.push_str("---\n");
    let a = agent(&text);
    assert_eq!(a.diagnostics.len(), 21);
    assert!(a.diagnostics.iter().all(|d| d.code == "unknown-field"));
    let last = &a.diagnostics[20];
    assert_eq!(
        found(std::slice::from_ref(last)),
        [("unknown-field", W, 24, 1)]
    );
    assert_eq!(
        last.message,
        "`k20` and 4979 more keys are not agent fields; Claude Code ignores them"
    );
}

#[test]
fn flow_mapping_front_matter_points_at_the_first_line() {
    let a = agent("---\n{name: flow, description: d, color: bad}\n---\n");
    assert_eq!(a.name, "flow");
    assert_eq!(a.name_line, 2);
    assert_eq!(found(&a.diagnostics), [("color-invalid", W, 2, 1)]);
}

#[test]
fn diagnostics_are_in_file_order() {
    let a =
        agent("---\nname: Order\ncolor: bad\ndescription: d\nmodel: nope\nextra: 1\n---\nâ€™\n");
    assert_eq!(
        codes(&a.diagnostics),
        [
            "name-convention",
            "color-invalid",
            "model-invalid",
            "unknown-field",
            "mojibake"
        ]
    );
}

#[test]
fn parsed_accessors() {
    let p = parse_str("---\nname: acc\ncolor: x\n---\n");
    assert_eq!(p.name(), Some("acc"));
    assert_eq!(
        codes(p.diagnostics()),
        ["description-missing", "color-invalid"]
    );
    let p = parse_str("---\nname: acc\n");
    assert_eq!(p.name(), Some("acc"));
    assert_eq!(parse_str("# doc").diagnostics(), &[]);
}

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

#[test]
fn edge_fixtures_that_are_agents() {
    let cases: &[(&[u8], &str, &[Found])] = &[
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
    ];
    for (bytes, name, expected) in cases {
        let a = agent_of(parse("f", bytes));
        assert_eq!(&a.name, name);
        assert_eq!(found(&a.diagnostics), *expected, "{name}");
    }
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
