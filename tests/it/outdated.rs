//! `outdated` with an unreachable remote, and `update` naming releases its requirements exclude.

use crate::support::*;

#[test]
fn outdated_reports_an_unreachable_source_in_its_row_and_exits_2_after_the_rest() {
    let up = released("up", "up-a", &["v1.0.0"]);
    let gone = released("gone", "gone-a", &["v1.0.0"]);
    let sb = project(
        &Manifest::new()
            .source(Source::git("up", up.url()).version("^1"))
            .source(Source::git("gone", gone.url()).version("^1")),
    );
    sb.run(["install"]).success();
    up.file("a.md", agent("up-a", "release v1.1.0"));
    up.commit("v1.1.0");
    up.tag("v1.1.0");
    let moved = gone.path().with_extension("moved");
    std::fs::rename(gone.path(), &moved).unwrap();

    let out = sb.run(["outdated"]).failure(2);
    let short = |rev: &str| up.rev_parse(rev)[..7].to_string();
    let gone_short = &gone_head(&moved)[..7];
    let rows: Vec<Vec<&str>> = out
        .stdout()
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            vec!["SOURCE", "REQUIREMENT", "LOCKED", "ALLOWED", "LATEST"],
            vec![
                "gone",
                "version ^1",
                &format!("v1.0.0 ({gone_short})"),
                "unreachable (see below)",
                "-"
            ],
            vec![
                "up",
                "version ^1",
                &format!("v1.0.0 ({})", short("v1.0.0")),
                &format!("v1.1.0 ({})", short("v1.1.0")),
                &format!("v1.1.0 ({})", short("v1.1.0")),
            ],
        ]
    );
    out.stderr_snapshot();

    let json = sb.run(["outdated", "--json"]).failure(2).stdout_json();
    let gone_row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "gone")
        .unwrap();
    assert!(
        gone_row["error"]
            .as_str()
            .unwrap()
            .starts_with("source `gone`: no such directory: `file://")
    );
    assert!(gone_row["allowed"].is_null());
    let up_row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "up")
        .unwrap();
    assert!(up_row["error"].is_null());
    assert_eq!(up_row["allowed"]["commit"], up.rev_parse("v1.1.0"));
    std::fs::rename(&moved, gone.path()).unwrap();
}

fn gone_head(moved: &std::path::Path) -> String {
    git(moved, ["rev-parse", "HEAD"]).trim().to_string()
}

#[test]
fn update_names_a_newer_release_its_requirement_excludes() {
    let repo = released("rel", "rel-a", &["v1.0.0"]);
    let sb = project(&Manifest::new().source(Source::git("rel", repo.url()).version("^1")));
    sb.run(["install"]).success();
    for tag in ["v1.1.0", "v2.0.0", "v3.0.0-beta.1"] {
        repo.file("a.md", agent("rel-a", &format!("release {tag}")));
        repo.commit(tag);
        repo.tag(tag);
    }
    sb.run(["update"])
        .success()
        .stdout_snapshot()
        .stderr_snapshot();
    assert!(
        sb.read(".claude/agents/rel-a.md")
            .contains("release v1.1.0")
    );
    // Within the newest major, nothing is said.
    sb.manifest(&Manifest::new().source(Source::git("rel", repo.url()).version("^2")));
    sb.run(["update"]).success().stderr_lacks("is available");
}
