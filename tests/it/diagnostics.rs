//! The exact text of every front-matter error and warning class, with its location, as a user sees it.
//! Each fixture in `fixtures/agents/` reproduces one published shape or one problem; `lint` runs the same
//! checks as `install`.

use crate::support::*;

/// (fixture under fixtures/agents, the diagnostic's first line, its location).
const CASES: &[(&str, &str, &str)] = &[
    (
        "edge/unterminated.md",
        "error[frontmatter-unterminated]: front matter opened by `---` on line 1 is never closed, so Claude Code does not load this file",
        "edge/unterminated.md:1:1",
    ),
    (
        "edge/unparsable.md",
        "error[frontmatter-invalid]: front matter is not valid YAML, even after Claude Code's lenient retry (while parsing a block mapping, did not find expected key), so Claude Code skips this file",
        "edge/unparsable.md:6:3",
    ),
    (
        "edge/invalid-utf8.md",
        "error[invalid-utf8]: file is not valid UTF-8 (byte 0xE9), so agentpack cannot read it",
        "edge/invalid-utf8.md:3:17",
    ),
    (
        "edge/missing-description.md",
        "error[description-missing]: no `description`, so Claude Code skips this agent",
        "edge/missing-description.md:2:1",
    ),
    (
        "edge/list-description.md",
        "error[description-not-string]: `description` is a list, not text, so Claude Code skips this agent",
        "edge/list-description.md:4:3",
    ),
    (
        "edge/colon-name.md",
        "error[name-invalid]: `name` `plugin:helper` contains `:`, which Claude Code reserves for plugin agents, so it skips the agent",
        "edge/colon-name.md:2:7",
    ),
    (
        "edge/slash-name.md",
        "error[name-invalid]: `name` `team/linter` contains `/`, which would place the agent's file in another folder",
        "edge/slash-name.md:2:7",
    ),
    (
        "edge/readme.md",
        "error[not-an-agent]: `edge/readme.md` is not an agent: no front matter",
        "edge/readme.md",
    ),
    (
        "edge/cut-name.md",
        "error[frontmatter-cut]: `---` here ends the front matter for Claude Code even inside a line, so the rest of this line and everything below it are body, not front matter",
        "edge/cut-name.md:2:20",
    ),
    (
        "edge/anchor.md",
        "error[yaml-anchor]: front matter holds a YAML anchor (`&`); Claude Code refuses anchors in files it does not trust",
        "edge/anchor.md:3:14",
    ),
    (
        "edge/tagged-hooks.md",
        "error[untrusted-hooks]: `hooks` would run this command: `echo hi`; refused unless the source is trusted with it",
        "edge/tagged-hooks.md:4:1",
    ),
    (
        "seed-shapes/one-line-examples.md",
        "warning[lenient-yaml]: front matter is not valid YAML (mapping values are not allowed in this context); Claude Code only loads it through its lenient retry",
        "seed-shapes/one-line-examples.md:3:71",
    ),
    (
        "seed-shapes/tools-map-with-skills.md",
        "warning[tools-not-list]: `tools` is a map; Claude Code cannot read it as a list of tools",
        "seed-shapes/tools-map-with-skills.md:6:3",
    ),
    (
        "seed-shapes/tools-map-with-skills.md",
        "warning[mojibake]: `ðŸ§\u{a0}` looks like mis-encoded text, probably `🧠` (and 1 more place); Claude Code shows it as is",
        "seed-shapes/tools-map-with-skills.md:17:4",
    ),
    (
        "edge/tools-unknown.md",
        "warning[unknown-tool]: `tools` lists `Docker`, `database`, `redis`, which are not Claude Code tools; Claude Code ignores unknown names",
        "edge/tools-unknown.md:4:14",
    ),
    (
        "edge/tools-empty.md",
        "warning[tools-empty]: `tools` is empty, so the agent gets no tools at all",
        "edge/tools-empty.md:4:8",
    ),
    (
        "edge/bad-model.md",
        "warning[model-invalid]: `model` is `Claude Sonnet 4.5 (copilot)`, which Claude Code ignores (the agent inherits the main model)",
        "edge/bad-model.md:4:8",
    ),
    (
        "edge/bad-color.md",
        "warning[color-invalid]: `color` is `magenta`, which Claude Code ignores",
        "edge/bad-color.md:4:8",
    ),
    (
        "edge/hex-color.md",
        "warning[color-invalid]: `color` is empty (YAML reads `#10B981` as a comment), which Claude Code ignores",
        "edge/hex-color.md:4:8",
    ),
    (
        "edge/invalid-values.md",
        "warning[permission-mode-invalid]: `permissionMode` is `yolo`, which Claude Code ignores",
        "edge/invalid-values.md:4:17",
    ),
    (
        "edge/unknown-fields.md",
        "warning[unknown-field]: `version` is not an agent field; Claude Code ignores it",
        "edge/unknown-fields.md:4:1",
    ),
    (
        "edge/mojibake-description.md",
        "warning[mojibake]: `â€™` looks like mis-encoded text, probably `’` (and 1 more place); Claude Code shows it as is",
        "edge/mojibake-description.md:3:30",
    ),
    (
        "edge/capital-name.md",
        "warning[name-convention]: `name` `Code Reviewer` breaks Claude Code's naming convention",
        "edge/capital-name.md:2:7",
    ),
    (
        "edge/dotted-name.md",
        "warning[name-convention]: `name` `dotnet-framework-4.8-expert` breaks Claude Code's naming convention",
        "edge/dotted-name.md:2:7",
    ),
];

#[test]
fn every_class_has_its_exact_message_and_location() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/agents");
    let sb = Sandbox::new();
    for (fixture, first_line, location) in CASES {
        let mut cmd = sb.cmd(["lint", fixture]);
        cmd.current_dir(&fixtures);
        let out = Outcome::of(cmd);
        let expected_code = if first_line.starts_with("error") {
            1
        } else {
            0
        };
        assert_eq!(out.code(), Some(expected_code), "{fixture}: {out}");
        let lines: Vec<&str> = out.stdout().lines().collect();
        let at = lines
            .iter()
            .position(|l| l == first_line)
            .unwrap_or_else(|| panic!("{fixture}: no line `{first_line}` in\n{out}"));
        assert_eq!(
            lines[at + 1].trim_start(),
            format!("--> {location}"),
            "{fixture}: {out}"
        );
    }
}

#[test]
fn name_and_size_errors_have_their_exact_messages() {
    let sb = Sandbox::new();
    sb.write("empty-name.md", "---\nname: \"\"\ndescription: x\n---\n");
    sb.run(["lint", "empty-name.md"])
        .failure(1)
        .stdout_snapshot();
    // An agent (front matter with a `name`) over the limit; documentation that large is passed over.
    sb.write(
        "big.md",
        format!("---\nname: big\n---\n{}", "a".repeat(1_099_982)),
    );
    sb.run(["lint", "big.md"]).failure(1).stdout_snapshot();
}

#[test]
fn install_reports_the_same_messages_with_the_source_and_path() {
    let repo = GitRepo::new("shapes");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/agents");
    repo.file(
        "agents/model.md",
        std::fs::read(fixtures.join("edge/bad-model.md")).unwrap(),
    );
    repo.commit("one agent");
    let sb = project(&Manifest::new().source(Source::git("shapes", repo.url())));
    // `-v`: without it, warnings about a git source's files are summed up (tests/it/day_one.rs).
    sb.run(["install", "-v"]).success().stderr_snapshot();
}
