//! Shared fixtures of the integration tests: agent files, a published-looking collection
//! ([`studio`]), a project sandbox with a manifest ([`project`]), a collection published for the
//! loopback servers ([`served_studio`]) and readers of what an install left behind ([`lock`],
//! [`locked_source`], [`installed`], [`sha256`]), [`released`] repositories of tagged
//! versions, [`toolkit`], a repository holding agents, skills and commands, and the plugin
//! marketplace of `fixtures/marketplace` as repositories ([`marketplace_repo`]).

use super::{GitRepo, Manifest, Sandbox};

/// An agent file with front matter `name` and `description` and a one-line body.
pub fn agent(name: &str, description: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\n---\nYou are {name}.\n")
}

/// A repository shaped like a published collection: `engineering/backend-architect.md`,
/// `engineering/rapid-prototyper.md`, `design/ui-designer.md`, a README (not an agent), one
/// commit tagged `v1.0.0`.
pub fn studio() -> GitRepo {
    let repo = GitRepo::new("studio");
    repo.file(
        "engineering/backend-architect.md",
        agent("backend-architect", "Designs backends"),
    )
    .file(
        "engineering/rapid-prototyper.md",
        agent("rapid-prototyper", "Builds prototypes"),
    )
    .file("design/ui-designer.md", agent("ui-designer", "Designs UIs"))
    .file("README.md", "# Studio agents\n\nNot an agent.\n");
    repo.commit("first collection");
    repo.tag("v1.0.0");
    repo
}

/// [`studio`] published as the bare repository `<root>/studio.git`, for a [`super::GitDaemon`] or
/// [`super::HttpGitServer`] to serve `<root>`; returns the repository and `<root>` (deleted on
/// drop).
pub fn served_studio() -> (GitRepo, tempfile::TempDir) {
    let repo = studio();
    let served = tempfile::tempdir().unwrap();
    repo.bare_copy_into(served.path(), "studio");
    (repo, served)
}

/// A repository whose commits are tagged `tags`, in order, each writing `a.md`: agent
/// `agent_name` described as `release <tag>`.
pub fn released(name: &str, agent_name: &str, tags: &[&str]) -> GitRepo {
    let repo = GitRepo::new(name);
    for tag in tags {
        repo.file("a.md", agent(agent_name, &format!("release {tag}")));
        repo.commit(tag);
        repo.tag(tag);
    }
    repo
}

/// A fresh sandbox whose project holds `manifest` as `agentpack.toml`.
pub fn project(manifest: &Manifest) -> Sandbox {
    let sb = Sandbox::new();
    sb.manifest(manifest);
    sb
}

/// `agentpack.lock` of the project, parsed.
#[track_caller]
pub fn lock(sb: &Sandbox) -> toml::Value {
    toml::from_str(&sb.read("agentpack.lock")).expect("lock is TOML")
}

/// The `[[source]]` entry of the lock named `name`.
#[track_caller]
pub fn locked_source<'a>(lock: &'a toml::Value, name: &str) -> &'a toml::Value {
    lock["source"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no source `{name}` in the lock"))
}

/// A skill's `SKILL.md` (its front matter has a `name`, as an agent's has).
pub fn skill_md(name: &str, description: &str) -> String {
    format!("---\nname: {name}\ndescription: {description}\n---\nUse {name} when asked.\n")
}

/// A command file with a `description`.
pub fn command_md(description: &str) -> String {
    format!("---\ndescription: {description}\n---\nDo it: $ARGUMENTS\n")
}

/// A repository holding every kind: the agent `agents/reviewer.md`; the skills `skills/pdf` (an
/// executable `scripts/fill.py`, `references/guide.md` whose front matter has a `name`, a binary
/// `assets/logo.png`) and `skills/xlsx`; the commands `commands/review.md` and `commands/git/commit.md`
/// (its front matter has a `name` too). One commit.
pub fn toolkit() -> GitRepo {
    let repo = GitRepo::new("toolkit");
    repo.file("agents/reviewer.md", agent("reviewer", "Reviews code"))
        .file("skills/pdf/SKILL.md", skill_md("pdf", "Fills PDF forms"))
        .file(
            "skills/pdf/scripts/fill.py",
            "#!/usr/bin/env python3\nprint('filled')\n",
        )
        .executable("skills/pdf/scripts/fill.py", true)
        .file(
            "skills/pdf/references/guide.md",
            agent("pdf-guide", "Not an agent: a skill's file"),
        )
        .file(
            "skills/pdf/assets/logo.png",
            [0x89u8, b'P', b'N', b'G', 0, 1, 2, 0xff],
        )
        .file(
            "skills/xlsx/SKILL.md",
            skill_md("xlsx", "Edits spreadsheets"),
        )
        .file("commands/review.md", command_md("Review the diff"))
        .file(
            "commands/git/commit.md",
            agent("commit", "Writes a commit message"),
        );
    repo.commit("toolkit");
    repo
}

/// The files under `.claude/agents/` of the project, sorted.
pub fn installed(sb: &Sandbox) -> Vec<String> {
    sb.snapshot(".claude/agents").into_keys().collect()
}

/// The lowercase hex sha256 of `bytes`, as the lock records it.
pub fn sha256(bytes: Vec<u8>) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A repository holding the files of `fixtures/marketplace/<dir>` (`market` or `external`), executable
/// bits kept, with each `(placeholder, value)` of `fill` replaced in `.claude-plugin/marketplace.json`
/// (`{{EXTERNAL_URL}}`, `{{EXTERNAL_SHA}}`; see the fixture's README). Not committed yet.
pub fn marketplace_repo(dir: &str, fill: &[(&str, &str)]) -> GitRepo {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/marketplace")
        .join(dir);
    let repo = GitRepo::new(dir);
    let mut stack = vec![root.clone()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned();
            let mut text = std::fs::read_to_string(&path).unwrap();
            if rel == ".claude-plugin/marketplace.json" {
                for (placeholder, value) in fill {
                    text = text.replace(placeholder, value);
                }
            }
            repo.file(&rel, text);
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode();
                repo.executable(&rel, mode & 0o111 != 0);
            }
        }
    }
    repo
}
