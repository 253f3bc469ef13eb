//! What agentpack writes to the terminal when sources are hostile: no control character from a source
//! reaches stdout or stderr, whatever the command and format; and a closed stdout pipe
//! (`agentpack list | head -1`) ends a command quietly instead of a panic.

use std::process::Stdio;

use crate::crash::spawnable;
use crate::support::*;

/// A file name that, printed raw, writes the clipboard (OSC 52), erases the line and returns the cursor.
const EVIL_FILE: &str = "x\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2K\rok.md";
/// A `color` value that, printed raw, sets the terminal's title.
const EVIL_COLOR: &str = "\\e]0;pwned\\a";

fn hostile_repo() -> GitRepo {
    let repo = GitRepo::new("evil");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.file(
        &format!("agents/{EVIL_FILE}"),
        format!("---\nname: evil\ndescription: d\ncolor: \"{EVIL_COLOR}\"\n---\nbody\n"),
    );
    // Not an agent (no `name`), passed over with its file name shown.
    repo.file(&format!("docs/{EVIL_FILE}"), "# notes\n");
    repo.commit("hostile names");
    repo.tag("v1");
    repo
}

#[track_caller]
fn assert_no_controls(what: &str, out: &Outcome) {
    for (stream, text) in [("stdout", out.stdout()), ("stderr", out.stderr())] {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| c != '\n' && (c.is_control() || c == '\u{202e}'))
            .collect();
        assert!(bad.is_empty(), "{what}: {stream} holds {bad:?}\n{out}");
    }
}

#[test]
fn control_characters_from_a_source_never_reach_the_terminal() {
    let repo = hostile_repo();
    let sb = Sandbox::new();
    // `ESC` in a value is `hidden-unicode`: allowed here, so that the agent installs and every command
    // below has the value to show.
    sb.manifest(
        &Manifest::new().source(
            Source::git("evil", repo.url())
                .tag("v1")
                .allow_unicode(true),
        ),
    );
    let install = sb.run(["install", "-v"]).success();
    assert_no_controls("install", &install);
    // The warning shows the escaped value in its message and snippet, and the escaped file name.
    let escaped_file = "x\\u001b]52;c;cm0gLXJmIH4=\\u0007\\u001b[2K\\u000dok.md";
    assert!(
        install
            .stderr()
            .contains(&format!("--> evil:agents/{escaped_file}:4:8")),
        "{install}"
    );
    assert!(
        install
            .stderr()
            .contains("`color` is `\\u001b]0;pwned\\u0007`"),
        "{install}"
    );
    assert!(sb.exists(".claude/agents/evil.md"));

    let lint_dir = repo.path().display().to_string();
    for args in [
        vec!["list"],
        vec!["list", "--json"],
        vec!["tree"],
        vec!["outdated"],
        vec!["update", "--dry-run"],
        vec!["verify"],
        vec!["verify", "--json"],
        vec!["verify", "--format", "github"],
        vec!["lint", &lint_dir],
        vec!["lint", "--json", &lint_dir],
        vec!["lint", "--format", "github", &lint_dir],
        vec!["install", "--locked", "-v"],
    ] {
        let out = sb.run(&args);
        assert!(matches!(out.code(), Some(0 | 1)), "{args:?}: {out}");
        assert_no_controls(&args.join(" "), &out);
        if args.contains(&"--json") && args[0] != "list" {
            // Still valid JSON, holding the original characters.
            let json = out.stdout_json().to_string();
            assert!(json.contains("\\u001b]0;pwned\\u0007"), "{json}");
        }
    }
    // An error naming the file (here: its name collides with the good agent's) is escaped too.
    repo.file(
        &format!("agents/{EVIL_FILE}"),
        "---\nname: good\ndescription: d\n---\nbody\n",
    );
    repo.commit("collide");
    repo.tag("v2");
    sb.manifest(
        &Manifest::new().source(
            Source::git("evil", repo.url())
                .tag("v2")
                .allow_unicode(true),
        ),
    );
    let failed = sb.run(["install"]).failure(1);
    assert!(failed.stderr().contains(escaped_file), "{failed}");
    assert_no_controls("failed install", &failed);
}

/// Run `agentpack ARGS` with stdout a pipe whose reading end is already closed, as `| head -1` leaves it.
fn run_into_closed_pipe(sb: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = spawnable(sb, args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_pipe_ends_every_command_quietly() {
    let repo = GitRepo::new("studio");
    for i in 0..20 {
        // A warning each, so `lint` and `verify` have findings to print.
        repo.file(
            &format!("agents/a{i}.md"),
            format!("---\nname: a{i}\ndescription: d\ncolor: magenta\n---\nbody\n"),
        );
    }
    repo.commit("agents");
    repo.tag("v1.0.0");
    let sb = project(&Manifest::new().source(Source::git("studio", repo.url()).version("^1")));
    sb.run(["install"]).success();
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["tree"],
        &["tree", "--json"],
        &["outdated"],
        &["outdated", "--json"],
        &["lint", ".claude/agents"],
        &["lint", "--json", ".claude/agents"],
        &["verify"],
        &["verify", "--json"],
        &["completions", "bash"],
        &["completions", "zsh"],
        &["vendor", "vendored"],
    ] {
        let (code, stderr) = run_into_closed_pipe(&sb, args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("error"),
            "{args:?}: {stderr}"
        );
    }
}
