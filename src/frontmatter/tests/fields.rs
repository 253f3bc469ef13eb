//! The per-field checks: name, description, tool lists and the enumerated and typed fields.

use super::*;

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
