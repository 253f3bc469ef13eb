//! Real remotes: installs over git:// and smart HTTP (anonymous, token, credential helper), the
//! distinct network errors, retries, parallel fetches with deterministic output, and no progress bars
//! without a terminal. Every server is started on 127.0.0.1 by the test itself.

use std::path::Path;

use crate::support::*;

const TOKEN: &str = "tok-5e3c7a9b1d";

fn manifest_for(url: &str) -> String {
    Manifest::new()
        .source(
            Source::git("studio", url)
                .tag("v1.0.0")
                .agents(["ui-designer"]),
        )
        .render()
}

/// Asserts `needle` appears in neither output nor any file of the project (lock included).
#[track_caller]
fn assert_nowhere(sb: &Sandbox, out: &Outcome, needle: &str) {
    assert!(!out.stdout().contains(needle), "secret on stdout\n{out}");
    assert!(!out.stderr().contains(needle), "secret on stderr\n{out}");
    for (path, bytes) in sb.snapshot(".") {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(needle),
            "secret in {path}"
        );
    }
}

#[test]
fn installs_over_git_daemon() {
    let (repo, served) = served_studio();
    let daemon = GitDaemon::start(served.path());
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&daemon.url("studio")));
    sb.run(["install"]).success().stderr_snapshot();
    assert_eq!(
        sb.read(".claude/agents/ui-designer.md"),
        repo.read("design/ui-designer.md")
    );
    assert_eq!(
        lock(&sb)["source"][0]["commit"].as_str(),
        Some(repo.rev_parse("v1.0.0").as_str())
    );
}

#[test]
fn installs_over_anonymous_smart_http_without_sending_credentials() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::start(served.path());
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    // A token in the environment is only sent when the server asks for one.
    Outcome::of(sb.cmd(["install"]).env("AGENTPACK_GIT_TOKEN", TOKEN)).success();
    assert!(sb.exists(".claude/agents/ui-designer.md"));
    let requests = http.requests();
    assert!(!requests.is_empty());
    assert!(requests.iter().all(|r| !r.had_auth()), "{requests:#?}");
}

#[test]
fn agentpack_git_token_is_sent_as_basic_auth() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("x-access-token", TOKEN)
        .start();
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    let out = Outcome::of(sb.cmd(["install"]).env("AGENTPACK_GIT_TOKEN", TOKEN)).success();
    assert!(sb.exists(".claude/agents/ui-designer.md"));
    assert!(
        http.requests().iter().any(|r| r.status == 200
            && r.basic_credentials() == Some(("x-access-token".into(), TOKEN.into()))),
        "{:#?}",
        http.requests()
    );
    assert_nowhere(&sb, &out, TOKEN);
}

#[test]
fn github_token_is_not_sent_to_other_hosts() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("x-access-token", TOKEN)
        .start();
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    let out = Outcome::of(sb.cmd(["install"]).env("GITHUB_TOKEN", TOKEN))
        .failure(2)
        .stderr_snapshot()
        .stderr_lacks("GITHUB_TOKEN`,");
    assert!(
        http.requests()
            .iter()
            .all(|r| r.basic_credentials().is_none_or(|(_, p)| p != TOKEN))
    );
    assert_nowhere(&sb, &out, TOKEN);
}

/// Writes an executable credential helper answering `username`/`password`, and points the sandbox
/// user's `~/.gitconfig` at it.
fn configure_helper(sb: &Sandbox, user: &str, password: &str) {
    let helper = sb.home().join("credential-test.sh");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\ntest \"$1\" = get || exit 0\ncat >/dev/null\necho username={user}\necho password={password}\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        sb.home().join(".gitconfig"),
        format!("[credential]\n\thelper = {}\n", helper.display()),
    )
    .unwrap();
}

#[test]
fn git_credential_helpers_from_the_users_config_are_used() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("alice", "helper-pass-81f2")
        .start();
    let sb = Sandbox::new();
    configure_helper(&sb, "alice", "helper-pass-81f2");
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    let out = sb.run(["install"]).success();
    assert!(sb.exists(".claude/agents/ui-designer.md"));
    assert!(http.requests().iter().any(|r| r.status == 200
        && r.basic_credentials() == Some(("alice".into(), "helper-pass-81f2".into()))));
    assert_nowhere(&sb, &out, "helper-pass-81f2");
}

#[test]
fn a_rejected_token_falls_back_to_the_credential_helper_once() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("alice", "helper-pass-81f2")
        .start();
    let sb = Sandbox::new();
    configure_helper(&sb, "alice", "helper-pass-81f2");
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    Outcome::of(sb.cmd(["install"]).env("AGENTPACK_GIT_TOKEN", TOKEN)).success();
    let offered: Vec<_> = http
        .requests()
        .iter()
        .filter_map(|r| r.basic_credentials())
        .map(|(_, p)| p)
        .collect();
    assert_eq!(
        offered.iter().filter(|p| *p == TOKEN).count(),
        1,
        "{offered:?}"
    );
}

#[test]
fn failed_authentication_names_what_was_tried_and_never_the_secret() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("x-access-token", "the-right-one")
        .start();
    let sb = Sandbox::new();
    configure_helper(&sb, "bob", "wrong-helper-pass-77");
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    let before = sb.snapshot(".");
    let out = Outcome::of(sb.cmd(["install"]).env("AGENTPACK_GIT_TOKEN", TOKEN))
        .failure(2)
        .stderr_snapshot();
    assert_nowhere(&sb, &out, TOKEN);
    assert_nowhere(&sb, &out, "wrong-helper-pass-77");
    assert_tree_eq(&before, &sb.snapshot("."));
    // Each method once: one request with the token, one with the helper's password, no loop.
    let offered: Vec<_> = http
        .requests()
        .iter()
        .filter_map(|r| r.basic_credentials())
        .collect();
    assert_eq!(offered.len(), 2, "{offered:?}");
}

#[test]
fn no_credentials_at_all_says_what_to_set() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("x-access-token", TOKEN)
        .start();
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn credentials_in_the_url_are_refused_without_echoing_them() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path())
        .basic_auth("alice", "url-secret-93")
        .start();
    let sb = Sandbox::new();
    sb.write(
        "agentpack.toml",
        manifest_for(&http.url_with_credentials("studio", "alice", "url-secret-93")),
    );
    let out = sb.run(["install"]).failure(2).stderr_snapshot();
    assert!(!out.stderr().contains("url-secret-93"), "{out}");
    assert!(http.requests().is_empty());
    assert!(!sb.exists("agentpack.lock"));
}

#[test]
fn connection_refused_is_reported_as_such() {
    let port = closed_port();
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{port}/studio.git");
    sb.write("agentpack.toml", manifest_for(&url));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn an_unknown_host_is_unreachable() {
    // `.invalid` never resolves (RFC 6761); without a network the lookup fails just the same.
    let url = "https://agentpack-test.invalid/studio.git";
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(url));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn a_silent_server_times_out() {
    let silent = SilentServer::start();
    let sb = Sandbox::new();
    for url in [silent.http_url("studio"), silent.git_url("studio")] {
        sb.write("agentpack.toml", manifest_for(&url));
        // Substrings: how many `Retrying` lines there are, and when, depends on the timer.
        Outcome::of(sb.cmd(["install"]).env("AGENTPACK_NET_TIMEOUT", "1"))
            .failure(2)
            .stderr_has(&format!(
                "error: source `studio`: `{url}` did not answer within 1 s (tried 3 times)"
            ))
            .stderr_has("`AGENTPACK_NET_TIMEOUT`")
            .stderr_has("Retrying studio");
    }
    assert!(silent.connections() >= 6);
}

#[test]
fn an_invalid_timeout_is_a_usage_error() {
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for("http://127.0.0.1:1/x.git"));
    Outcome::of(sb.cmd(["install"]).env("AGENTPACK_NET_TIMEOUT", "soon"))
        .failure(2)
        .stderr_snapshot();
}

#[test]
fn a_missing_repository_is_reported_as_such() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::start(served.path());
    let daemon = GitDaemon::start(served.path());
    let sb = Sandbox::new();
    for url in [http.url("nope"), daemon.url("nope")] {
        sb.write("agentpack.toml", manifest_for(&url));
        sb.run(["install"]).failure(2).stderr_snapshot();
    }
}

#[test]
fn the_first_failing_source_in_manifest_order_is_reported() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::start(served.path());
    let sb = project(
        &Manifest::new()
            .source(Source::git("a-missing", http.url("nope-a")))
            .source(Source::git("b-ok", http.url("studio")))
            .source(Source::git("c-missing", http.url("nope-c"))),
    );
    for run in 0..3 {
        // Substrings: parallel fetches finish in any order; which error is reported is the subject.
        let out = sb
            .run(["install", "-v"])
            .failure(2)
            .stderr_has("error: source `a-missing`: repository `")
            .stderr_lacks("source `c-missing`");
        if run == 0 {
            // The sources that worked still report before the error (resolved versions are reported only
            // once every source settled, so a failed run shows the fetch; later runs find it cached).
            out.stderr_has("Fetching b-ok");
        }
        assert!(!sb.exists("agentpack.lock"));
    }
}

#[test]
fn a_missing_ref_lists_near_matches() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::start(served.path());
    let sb =
        project(&Manifest::new().source(Source::git("studio", http.url("studio")).tag("v1.0")));
    sb.run(["install"]).failure(2).stderr_snapshot();
}

#[test]
fn a_failing_first_request_is_retried() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::builder(served.path()).fail_first(1).start();
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    sb.run(["install"]).success().stderr_snapshot();
    assert!(sb.exists(".claude/agents/ui-designer.md"));
    let statuses: Vec<u16> = http.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses[0], 503, "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.len() >= 3, "{statuses:?}");
}

/// Ten repositories, each with one agent, served over HTTP; two sources share one repository.
fn ten_sources(root: &Path, http: &HttpGitServer) -> String {
    let mut manifest = Manifest::new();
    for i in 0..10 {
        let repo = GitRepo::new(&format!("r{i}"));
        repo.file(
            &format!("a{i}.md"),
            agent(&format!("agent-{}", char::from(b'a' + i)), "one of ten"),
        );
        for j in 0..20 {
            repo.file(&format!("docs/{j}.txt"), format!("padding {i} {j}\n"));
        }
        repo.commit("agents");
        repo.tag("v1.0.0");
        repo.bare_copy_into(root, &format!("r{i}"));
        manifest =
            manifest.source(Source::git(&format!("s{i}"), http.url(&format!("r{i}"))).version("1"));
    }
    manifest
        .source(
            Source::git("s10", http.url("r3"))
                .branch("main")
                .rename([("agent-d", "agent-d-main")]),
        )
        .render()
}

#[test]
fn ten_sources_are_fetched_in_parallel_with_deterministic_output() {
    let served = tempfile::tempdir().unwrap();
    let http = HttpGitServer::start(served.path());
    let manifest = ten_sources(served.path(), &http);
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sb = Sandbox::new();
        sb.write("agentpack.toml", &manifest);
        let out = Outcome::of(sb.cmd(["install", "-v", "--jobs", "8"]).env("CI", "true")).success();
        runs.push((out.stderr().to_string(), sb.read("agentpack.lock")));
    }
    assert_eq!(runs[0], runs[1]);
    let stderr = &runs[0].0;
    // Messages come in manifest order (sources sorted by name) whichever fetch finished first;
    // s3 shares r3 with s10, which fetched it first.
    let fetching: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Fetching "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        fetching,
        ["s0", "s1", "s10", "s2", "s4", "s5", "s6", "s7", "s8", "s9"]
    );
    assert!(stderr.contains("Finished 11 installed"), "{stderr}");
}

#[test]
fn jobs_one_gives_the_same_result() {
    let served = tempfile::tempdir().unwrap();
    let http = HttpGitServer::start(served.path());
    let manifest = ten_sources(served.path(), &http);
    let run = |jobs: &str| {
        let sb = Sandbox::new();
        sb.write("agentpack.toml", &manifest);
        let out = sb.run(["install", "--jobs", jobs]).success();
        (out.stderr().to_string(), sb.read("agentpack.lock"))
    };
    assert_eq!(run("1"), run("8"));
    Sandbox::new()
        .run(["install", "--jobs", "0"])
        .failure(2)
        .stderr_snapshot();
}

#[test]
fn no_progress_bars_without_a_terminal() {
    let (_repo, served) = served_studio();
    let http = HttpGitServer::start(served.path());
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_for(&http.url("studio")));
    let out = sb.run(["install"]).success();
    for bad in ['\r', '\x1b'] {
        assert!(!out.stderr().contains(bad), "{bad:?} in\n{out}");
    }
    assert_eq!(
        out.stderr().lines().count(),
        3,
        "only a few plain lines:\n{out}"
    );
}

#[test]
fn completions_and_help_examples() {
    let sb = Sandbox::new();
    for (shell, marker) in [
        ("bash", "_agentpack()"),
        ("zsh", "#compdef agentpack"),
        ("fish", "complete -c agentpack"),
    ] {
        // Substrings: the scripts are clap_complete's text, not ours; that they are for this
        // program and shell is the subject.
        sb.run(["completions", shell])
            .success()
            .stdout_has(marker)
            .stdout_has("install");
    }
    sb.run(["completions", "tcsh"]).failure(2);
    for command in ["init", "install", "list", "lint", "completions"] {
        // `install --help`'s snapshot shows `--jobs <N>` and `AGENTPACK_NET_TIMEOUT` too.
        sb.run([command, "--help"]).success().stdout_snapshot();
    }
}
