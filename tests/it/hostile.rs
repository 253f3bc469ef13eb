//! The hostile-input catalog: names, paths, symlinks, sizes, encodings, YAML, manifests, lockfiles, refs,
//! repository shapes and target directories that try to make agentpack write outside the project, lose a
//! user's file, hang or crash. Each case asserts a clear error (exit code, code in stderr) or the
//! documented safe behaviour, and that nothing outside the target directory changed and nothing inside it
//! was lost (see [`run_case`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::*;

/// The manifest every case starts from (`{url}` is the source repository).
const MANIFEST: &str = "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\n";

struct Case {
    name: &'static str,
    /// Writes hostile content into the source repository (committed and tagged `v2` afterwards).
    repo: fn(&GitRepo),
    /// The manifest of the run (`{url}` is replaced).
    manifest: &'static str,
    /// Changes the project (lock, target directory) just before the run.
    project: fn(&Sandbox, &GitRepo),
    args: &'static [&'static str],
    /// The exit code, and what stderr must contain.
    code: i32,
    stderr: &'static [&'static str],
    /// For a successful run: files that must be in `.claude/agents` afterwards.
    installed: &'static [&'static str],
}

/// [`MANIFEST`] for `repo`, at tag `v1`. The tag is replaced before the URL is put in: the URL's
/// temporary directory has a random name, which may contain `v2` too.
fn manifest_at_v1(repo: &GitRepo) -> String {
    MANIFEST.replace("v2", "v1").replace("{url}", &repo.url())
}

const NO_REPO: fn(&GitRepo) = |_| {};
const NO_PROJECT: fn(&Sandbox, &GitRepo) = |_, _| {};

const BASE: Case = Case {
    name: "",
    repo: NO_REPO,
    manifest: MANIFEST,
    project: NO_PROJECT,
    args: &["install"],
    code: 1,
    stderr: &[],
    installed: &[],
};

fn hostile_agent(repo: &GitRepo, file: &str, front_matter: &str) {
    repo.file(file, format!("---\n{front_matter}\n---\nbody\n"));
}

fn edit_lock(sb: &Sandbox, from: &str, to: &str) {
    let lock = sb.read("agentpack.lock");
    assert!(lock.contains(from), "{from} not in\n{lock}");
    sb.write("agentpack.lock", lock.replacen(from, to, 1));
}

fn cases() -> Vec<Case> {
    [
        name_cases(),
        rename_cases(),
        path_cases(),
        size_cases(),
        yaml_cases(),
        lenient_yaml_cases(),
        hidden_field_cases(),
        yaml_shape_cases(),
        manifest_cases(),
        lockfile_cases(),
        moved_ref_cases(),
        repo_shape_cases(),
        target_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Cases: names from the network.
fn name_cases() -> Vec<Case> {
    vec![
        Case {
            name: "name with ../",
            repo: |r| hostile_agent(r, "agents/x.md", "name: ../../outside/evil\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name with /",
            repo: |r| hostile_agent(r, "agents/x.md", "name: sub/evil\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "absolute name",
            repo: |r| hostile_agent(r, "agents/x.md", "name: /etc/evil\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name with backslash",
            repo: |r| hostile_agent(r, "agents/x.md", "name: '..\\evil'\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name with NUL",
            repo: |r| hostile_agent(r, "agents/x.md", "name: \"evil\\0.md\"\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name with an escape sequence",
            repo: |r| hostile_agent(r, "agents/x.md", "name: \"evil\\e[31m\"\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name with a newline",
            repo: |r| hostile_agent(r, "agents/x.md", "name: \"evil\\nname\"\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "Windows device name",
            repo: |r| hostile_agent(r, "agents/x.md", "name: con\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "Windows device name with extension",
            repo: |r| hostile_agent(r, "agents/x.md", "name: LPT1.txt\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name ending with a dot",
            repo: |r| hostile_agent(r, "agents/x.md", "name: evil.\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "very long name",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/x.md",
                    &format!("name: {}\ndescription: d", "a".repeat(300)),
                )
            },
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name that is a number",
            repo: |r| hostile_agent(r, "agents/x.md", "name: 12\ndescription: d"),
            stderr: &["name-invalid"],
            ..BASE
        },
        Case {
            name: "name differing only in case from another",
            repo: |r| hostile_agent(r, "agents/x.md", "name: Good\ndescription: d"),
            stderr: &["name-collision"],
            ..BASE
        },
    ]
}

/// Cases: renames to unsafe names.
fn rename_cases() -> Vec<Case> {
    vec![
        Case {
            name: "rename to ../",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nrename = { good = \"../evil\" }\n",
            code: 2,
            stderr: &["rename"],
            ..BASE
        },
        Case {
            name: "rename to an absolute path",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nrename = { good = \"/tmp/evil\" }\n",
            code: 2,
            stderr: &["rename"],
            ..BASE
        },
        Case {
            name: "rename to a device name",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nrename = { good = \"nul\" }\n",
            code: 2,
            stderr: &["rename"],
            ..BASE
        },
        Case {
            name: "rename to an empty name",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nrename = { good = \"\" }\n",
            code: 2,
            stderr: &["rename"],
            ..BASE
        },
    ]
}

/// Cases: symlinks and paths in the repository.
fn path_cases() -> Vec<Case> {
    vec![
        Case {
            name: "symlink leaving the repository (skipped)",
            repo: |r| {
                r.symlink("agents/link.md", "../../outside/keep.md");
            },
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "absolute symlink (skipped)",
            repo: |r| {
                r.symlink("agents/abs.md", "/etc/passwd");
            },
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "symlink leaving subdir (skipped)",
            repo: |r| {
                write(r, "secret.md", agent("secret", "not in agents/"));
                r.symlink("agents/up.md", "../secret.md");
            },
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nsubdir = \"agents\"\n",
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "symlink asked for by path",
            repo: |r| {
                r.symlink("agents/link.md", "/etc/passwd");
            },
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nagents = [\"agents/link.md\"]\n",
            stderr: &["symlink-outside"],
            ..BASE
        },
        Case {
            name: "symlink loop (skipped)",
            repo: |r| {
                r.symlink("agents/a.md", "b.md");
                r.symlink("agents/b.md", "a.md");
            },
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "subdir ../..",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nsubdir = \"../..\"\n",
            code: 2,
            stderr: &["manifest-invalid", "subdir"],
            ..BASE
        },
        Case {
            name: "absolute subdir",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nsubdir = \"/etc\"\n",
            code: 2,
            stderr: &["manifest-invalid", "subdir"],
            ..BASE
        },
        Case {
            name: "agents path with ..",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nagents = [\"../outside/keep.md\"]\n",
            stderr: &["agent-not-found"],
            ..BASE
        },
    ]
}

/// Cases: sizes and encodings.
fn size_cases() -> Vec<Case> {
    vec![
        Case {
            name: "file over the size limit",
            repo: |r| {
                write(
                    r,
                    "agents/big.md",
                    format!(
                        "---\nname: big\ndescription: d\n---\n{}",
                        "x".repeat(1024 * 1024 + 1)
                    ),
                )
            },
            stderr: &["file-too-large"],
            ..BASE
        },
        Case {
            name: "binary file named .md",
            repo: |r| {
                write(
                    r,
                    "agents/image.md",
                    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe".as_slice(),
                )
            },
            stderr: &["invalid-utf8"],
            ..BASE
        },
        Case {
            name: "invalid UTF-8 in front matter",
            repo: |r| {
                write(
                    r,
                    "agents/x.md",
                    b"---\nname: x\ndescription: caf\xe9\n---\n".as_slice(),
                )
            },
            stderr: &["invalid-utf8"],
            ..BASE
        },
    ]
}

/// Cases: YAML.
fn yaml_cases() -> Vec<Case> {
    vec![
        Case {
            name: "YAML alias bomb",
            repo: |r| write(r, "agents/bomb.md", alias_bomb()),
            // Refused at its first anchor, as Claude Code's guarded mode does, before any alias is
            // expanded.
            stderr: &["yaml-anchor", "bomb.md:4:4"],
            ..BASE
        },
        Case {
            name: "deeply nested flow YAML",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/deep.md",
                    &format!(
                        "name: deep\ndescription: d\nx:\n  {}1{}",
                        "[".repeat(5000),
                        "]".repeat(5000)
                    ),
                )
            },
            stderr: &["frontmatter-too-deep", "more than 256 levels"],
            ..BASE
        },
        Case {
            name: "deeply nested flow mappings",
            repo: |r| {
                let deep = format!("{}1{}", "{a: ".repeat(10_000), "}".repeat(10_000));
                hostile_agent(
                    r,
                    "agents/deep.md",
                    &format!("name: deep\ndescription: d\nx:\n  {deep}"),
                );
            },
            stderr: &["frontmatter-too-deep", "more than 256 levels"],
            ..BASE
        },
        Case {
            name: "deeply nested block YAML",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/deep.md",
                    &format!(
                        "name: deep\ndescription: d\nx:\n{}",
                        (1..300)
                            .map(|i| format!("{}k:\n", " ".repeat(i)))
                            .collect::<String>()
                    ),
                )
            },
            stderr: &["frontmatter-too-deep"],
            ..BASE
        },
    ]
}

/// Cases: front matter that loads in Claude Code.
///
/// Repeated keys, tabs and `[...]` lists load in Claude Code: installed under its name for them.
fn lenient_yaml_cases() -> Vec<Case> {
    vec![
        Case {
            name: "repeated keys (the last wins)",
            repo: |r| hostile_agent(r, "agents/dup.md", "name: dup\nname: other\ndescription: d"),
            code: 0,
            installed: &["good.md", "other.md"],
            ..BASE
        },
        Case {
            name: "tabs for indentation",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/tab.md",
                    "name: tab\ndescription: d\ntools:\n\t- Read",
                )
            },
            code: 0,
            stderr: &["lenient-yaml"],
            installed: &["good.md", "tab.md"],
            ..BASE
        },
        Case {
            name: "[...] list value kept by the lenient retry",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/list.md",
                    "name: listed\ndescription: Use it when: x\ntools: [Read, Grep]",
                )
            },
            code: 0,
            stderr: &["lenient-yaml"],
            installed: &["good.md", "listed.md"],
            ..BASE
        },
    ]
}

/// Cases: front matter hiding risky fields or a name.
///
/// The four ways front matter hid risky fields or a name from agentpack (issue 10).
fn hidden_field_cases() -> Vec<Case> {
    vec![
        Case {
            name: "tagged risky keys",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/tag.md",
                    "name: tag\ndescription: d\n!x hooks: {Stop: [{hooks: [{type: command, command: x}]}]}\n!x mcpServers: {s: {command: npx}}\n!x permissionMode: bypassPermissions",
                )
            },
            stderr: &[
                "untrusted-hooks",
                "untrusted-mcp-servers",
                "untrusted-permissions",
                "tag.md:6:1",
            ],
            ..BASE
        },
        Case {
            name: "merge key bringing risky fields",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/merge.md",
                    "name: merge\ndescription: d\n<<: {hooks: {Stop: [{hooks: [{type: command, command: x}]}]}, permissionMode: dontAsk}",
                )
            },
            stderr: &["untrusted-hooks", "untrusted-permissions", "merge.md:4:1"],
            ..BASE
        },
        Case {
            name: "--- inside a quoted description hiding risky fields",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/cut.md",
                    "name: cut\ndescription: \"Reviews: code.\nhooks: {Stop: [{hooks: [{type: command, command: x}]}]}\npermissionMode: bypassPermissions\nx-end: ---\"",
                )
            },
            stderr: &[
                "frontmatter-cut",
                "cut.md:6:8",
                "untrusted-hooks",
                "untrusted-permissions",
            ],
            ..BASE
        },
        Case {
            name: "--- inside the name",
            repo: |r| hostile_agent(r, "agents/x.md", "name: good---x\ndescription: d"),
            stderr: &["frontmatter-cut", "x.md:2:11"],
            ..BASE
        },
        Case {
            name: "rename containing ---",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nrename = { good = \"good---x\" }\n",
            code: 2,
            stderr: &["rename", "contains `---`"],
            ..BASE
        },
    ]
}

/// Cases: line endings, marks and YAML shapes.
fn yaml_shape_cases() -> Vec<Case> {
    vec![
        Case {
            name: "CRLF line endings (loads)",
            repo: |r| {
                write(
                    r,
                    "agents/crlf.md",
                    "---\r\nname: crlf\r\ndescription: d\r\n---\r\nbody\r\n",
                )
            },
            code: 0,
            installed: &["good.md", "crlf.md"],
            ..BASE
        },
        Case {
            name: "byte-order mark (dropped, as Claude Code does)",
            repo: |r| {
                write(
                    r,
                    "agents/bom.md",
                    "\u{feff}---\nname: bom\ndescription: d\n---\n",
                )
            },
            code: 0,
            installed: &["good.md", "bom.md"],
            ..BASE
        },
        Case {
            name: "no closing ---",
            repo: |r| {
                write(
                    r,
                    "agents/open.md",
                    "---\nname: open\ndescription: d\nbody\n",
                )
            },
            stderr: &["frontmatter-unterminated"],
            ..BASE
        },
        Case {
            name: "front matter is a list",
            repo: |r| write(r, "agents/list.md", "---\n- name: list\n---\n"),
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "YAML tags",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/tag.md",
                    "name: !!binary ZXZpbA==\ndescription: !x d",
                )
            },
            // Tags are dropped: the name is the text.
            code: 0,
            stderr: &["name-convention"],
            installed: &["good.md", "ZXZpbA==.md"],
            ..BASE
        },
        Case {
            name: "YAML anchors",
            repo: |r| {
                hostile_agent(
                    r,
                    "agents/anchor.md",
                    "name: anchor\ndescription: &d d\ntools: *d",
                )
            },
            stderr: &["yaml-anchor", "anchor.md:3:14"],
            ..BASE
        },
        Case {
            name: "front matter with 50,000 keys",
            repo: |r| {
                let keys: String = (0..50_000).map(|i| format!("k{i}: v\n")).collect();
                hostile_agent(
                    r,
                    "agents/keys.md",
                    &format!("name: keys\ndescription: d\n{keys}"),
                );
            },
            stderr: &["frontmatter-too-large", "keys.md:2:1"],
            ..BASE
        },
        Case {
            name: "front matter with 5,000 keys",
            repo: |r| {
                let keys: String = (0..5_000).map(|i| format!("k{i}: v\n")).collect();
                hostile_agent(
                    r,
                    "agents/keys.md",
                    &format!("name: keys\ndescription: d\n{keys}"),
                );
            },
            // `-v`: warnings about a git source's files are otherwise summed up per source.
            args: &["install", "-v"],
            code: 0,
            stderr: &["more keys are not agent fields"],
            installed: &["good.md", "keys.md"],
            ..BASE
        },
    ]
}

/// Cases: manifests.
fn manifest_cases() -> Vec<Case> {
    vec![
        Case {
            name: "manifest with an unknown key",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nbranchh = \"main\"\n",
            code: 2,
            stderr: &["manifest-invalid", "branchh"],
            ..BASE
        },
        Case {
            name: "manifest with two refs",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\nbranch = \"main\"\n",
            code: 2,
            stderr: &["manifest-invalid"],
            ..BASE
        },
        Case {
            name: "malformed URL",
            manifest: "[sources.s]\ngit = \"ht!tp://::/x\"\n",
            code: 2,
            stderr: &["manifest-invalid"],
            ..BASE
        },
        Case {
            name: "ext:: transport",
            manifest: "[sources.s]\ngit = \"ext::sh -c touch% /tmp/agentpack-pwned\"\n",
            code: 2,
            stderr: &["manifest-invalid", "ext::"],
            ..BASE
        },
        Case {
            name: "fd:: transport",
            manifest: "[sources.s]\ngit = \"fd::3\"\n",
            code: 2,
            stderr: &["manifest-invalid"],
            ..BASE
        },
        Case {
            name: "credentials in the URL",
            manifest: "[sources.s]\ngit = \"https://user:secret@example.invalid/x.git\"\n",
            code: 2,
            stderr: &["manifest-invalid"],
            ..BASE
        },
        Case {
            name: "source name with ../",
            manifest: "[sources.\"../x\"]\ngit = \"{url}\"\n",
            code: 2,
            stderr: &["manifest-invalid"],
            ..BASE
        },
        Case {
            name: "manifest that is not UTF-8",
            project: |sb, _| {
                sb.write("agentpack.toml", b"[sources.s]\ngit = \"\xff\xfe\"\n");
            },
            code: 2,
            stderr: &["agentpack.toml"],
            ..BASE
        },
        Case {
            name: "option-like ref",
            manifest: "[sources.s]\ngit = \"{url}\"\nbranch = \"--upload-pack=touch /tmp/agentpack-pwned\"\n",
            code: 2,
            stderr: &["branch"],
            ..BASE
        },
    ]
}

/// Cases: lockfiles edited by hand.
fn lockfile_cases() -> Vec<Case> {
    vec![
        Case {
            name: "lock with a bad hash",
            project: |sb, _| edit_lock(sb, "sha256 = \"", "sha256 = \"zz"),
            code: 2,
            stderr: &["lock-invalid"],
            ..BASE
        },
        Case {
            name: "lock with a bad commit",
            project: |sb, _| edit_lock(sb, "commit = \"", "commit = \"xyz"),
            code: 2,
            stderr: &["lock-invalid"],
            ..BASE
        },
        Case {
            name: "lock with an unknown version",
            project: |sb, _| edit_lock(sb, "version = 1", "version = 99"),
            code: 2,
            stderr: &["lock-invalid"],
            ..BASE
        },
        Case {
            name: "lock pointing outside the project",
            project: |sb, _| {
                edit_lock(
                    sb,
                    "file = \".claude/agents/good.md\"",
                    "file = \"../outside/keep.md\"",
                )
            },
            code: 2,
            stderr: &["lock-invalid"],
            ..BASE
        },
        Case {
            name: "lock with a commit that does not exist",
            project: |sb, _| edit_lock_commit(sb, "0123456789012345678901234567890123456789"),
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v1\"\n",
            code: 2,
            stderr: &["0123456", "no longer reachable"],
            ..BASE
        },
        Case {
            name: "lock with a wrong hash (identical bytes are adopted)",
            project: |sb, _| edit_lock_sha(sb, &"0".repeat(64)),
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v1\"\n",
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "lock naming a source twice (a merge that kept both sides)",
            project: |sb, _| {
                edit_lock(
                    sb,
                    "[[agent]]",
                    "[[source]]\nname = \"s\"\npath = \"../elsewhere\"\ncontent-hash = \"x\"\n\n[[agent]]",
                )
            },
            code: 2,
            stderr: &["lock-invalid", "more than one `[[source]]` of this name"],
            ..BASE
        },
        Case {
            name: "lock that is not TOML",
            project: |sb, _| {
                sb.write("agentpack.lock", "\0\0garbage [[[");
            },
            code: 2,
            stderr: &["agentpack.lock"],
            ..BASE
        },
    ]
}

/// Cases: refs moved under the lock.
fn moved_ref_cases() -> Vec<Case> {
    vec![
        Case {
            name: "moved tag (the lock wins)",
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v1\"\n",
            project: |_, r| {
                r.move_tag("v1", "v2");
            },
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "force-pushed branch, empty cache",
            manifest: "[sources.s]\ngit = \"{url}\"\nbranch = \"main\"\n",
            project: force_push_and_forget,
            code: 2,
            stderr: &["no longer reachable"],
            ..BASE
        },
    ]
}

/// Cases: repository shapes.
fn repo_shape_cases() -> Vec<Case> {
    vec![
        Case {
            name: "submodule (ignored)",
            repo: add_submodule,
            code: 0,
            installed: &["good.md"],
            ..BASE
        },
        Case {
            name: "repository with 10,000 files",
            repo: ten_thousand_files,
            code: 0,
            installed: &["good.md", "last.md"],
            ..BASE
        },
    ]
}

/// Cases: target directories.
fn target_cases() -> Vec<Case> {
    vec![
        Case {
            name: "target is a file",
            project: |sb, _| {
                sb.remove(".claude/agents");
                sb.write(".claude/agents", "a file");
            },
            code: 2,
            stderr: &["not a directory"],
            ..BASE
        },
        Case {
            name: "target's parent is a file",
            project: |sb, _| {
                sb.remove(".claude");
                sb.write(".claude", "a file");
            },
            code: 2,
            stderr: &[".claude"],
            ..BASE
        },
        Case {
            name: "target is a symlink",
            project: |sb, _| {
                sb.remove(".claude/agents");
                sb.symlink(".claude/agents", "../../outside");
            },
            code: 2,
            stderr: &["symlink"],
            ..BASE
        },
        Case {
            name: "target's parent is a symlink",
            project: |sb, _| {
                sb.remove(".claude");
                sb.symlink(".claude", "../outside");
            },
            code: 2,
            stderr: &["symlink"],
            ..BASE
        },
        Case {
            name: "installed file replaced by a symlink",
            project: |sb, _| {
                sb.remove(".claude/agents/good.md");
                sb.symlink(".claude/agents/good.md", "../../../outside/keep.md");
            },
            manifest: "[sources.s]\ngit = \"{url}\"\ntag = \"v2\"\n",
            code: 1,
            stderr: &["unmanaged-file"],
            ..BASE
        },
        Case {
            name: "installed file replaced by a directory",
            project: |sb, _| {
                sb.remove(".claude/agents/good.md");
                sb.write(".claude/agents/good.md/inner.txt", "mine");
            },
            code: 1,
            stderr: &["unmanaged-file"],
            ..BASE
        },
        Case {
            name: "journal pointing outside the project",
            project: |sb, _| {
                sb.write(".agentpack-journal", "{\"version\":1,\"created-dirs\":[],\"steps\":[{\"file\":\"/etc/passwd\",\"staged\":null,\"backup\":null,\"sha256\":null}],\"lock\":null}");
            },
            code: 2,
            stderr: &["journal-invalid"],
            ..BASE
        },
    ]
}

/// Writes a file into the source repository (a statement, for `fn(&GitRepo)` case bodies).
fn write(repo: &GitRepo, rel: &str, contents: impl AsRef<[u8]>) {
    repo.file(rel, contents);
}

fn alias_bomb() -> String {
    let mut yaml = String::from(
        "---\nname: bomb\ndescription: d\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let letters = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for l in letters {
        yaml.push_str(&format!(
            "{l}: &{l} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
        prev = l;
    }
    yaml.push_str("---\nbody\n");
    yaml
}

fn edit_lock_commit(sb: &Sandbox, commit: &str) {
    let lock = sb.read("agentpack.lock");
    let start = lock.find("commit = \"").unwrap() + "commit = \"".len();
    sb.write(
        "agentpack.lock",
        format!("{}{commit}{}", &lock[..start], &lock[start + 40..]),
    );
    // The cache must not rescue it.
    std::fs::remove_dir_all(sb.cache()).unwrap();
    std::fs::create_dir(sb.cache()).unwrap();
}

fn edit_lock_sha(sb: &Sandbox, sha: &str) {
    let lock = sb.read("agentpack.lock");
    let start = lock.find("sha256 = \"").unwrap() + "sha256 = \"".len();
    sb.write(
        "agentpack.lock",
        format!("{}{sha}{}", &lock[..start], &lock[start + 64..]),
    );
}

fn force_push_and_forget(sb: &Sandbox, repo: &GitRepo) {
    // Lock `main`, then rewrite it so the locked commit is unreachable.
    sb.run(["install"]).success();
    repo.git(["checkout", "-q", "--orphan", "rewritten"]);
    repo.file("agents/good.md", agent("good", "rewritten history"));
    repo.commit("rewritten");
    repo.git(["branch", "-M", "rewritten", "main"]);
    repo.delete_tag("v1").delete_tag("v2");
    repo.git(["reflog", "expire", "--expire=now", "--all"]);
    repo.git(["gc", "-q", "--prune=now"]);
    std::fs::remove_dir_all(sb.cache()).unwrap();
    std::fs::create_dir(sb.cache()).unwrap();
}

fn add_submodule(repo: &GitRepo) {
    let other = repo.head();
    repo.file(
        ".gitmodules",
        "[submodule \"sub\"]\n\tpath = agents/sub.md\n\turl = ../../outside\n",
    );
    repo.git([
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{other},agents/sub.md"),
    ]);
}

fn ten_thousand_files(repo: &GitRepo) {
    for i in 0..10_000 {
        let path = repo.path().join(format!("docs/d{}/f{i}.md", i % 100));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "# Documentation\n").unwrap();
    }
    repo.file("agents/last.md", agent("last", "after many files"));
}

/// Everything the run must leave alone: the sandbox minus the project's target directory, the lock and
/// the cache; and the source repository's working tree.
fn outside(sb: &Sandbox) -> BTreeMap<String, Vec<u8>> {
    let mut out = snapshot_dir(sb.root());
    out.retain(|path, _| {
        !path.starts_with("cache/")
            && !path.starts_with("project/.claude/agents/")
            && path != "project/agentpack.lock"
    });
    out
}

/// A project with an installed agent (`good`, tag v1), a user's own file in the target directory, a
/// file outside the project that traversals would aim at, and a precious file in HOME.
fn installed_project() -> (GitRepo, Sandbox) {
    let repo = GitRepo::new("src");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.commit("v1");
    repo.tag("v1");
    let sb = Sandbox::new();
    std::fs::create_dir(sb.root().join("outside")).unwrap();
    std::fs::write(sb.root().join("outside/keep.md"), agent("keep", "outside")).unwrap();
    std::fs::write(sb.home().join("precious"), "do not touch").unwrap();
    sb.write(".claude/agents/user-notes.md", "the user's own file\n");
    sb.write("agentpack.toml", manifest_at_v1(&repo));
    sb.run(["install"]).success();
    (repo, sb)
}

fn run_case(case: &Case) {
    let (repo, sb) = installed_project();
    (case.repo)(&repo);
    repo.commit("hostile");
    repo.tag("v2");
    sb.write(
        "agentpack.toml",
        case.manifest.replace("{url}", &repo.url()),
    );
    (case.project)(&sb, &repo);

    let before_project = sb.snapshot(".");
    let before_outside = outside(&sb);
    let before_target = sb.snapshot(".claude/agents");
    let repo_tree =
        (case.name != "repository with 10,000 files").then(|| snapshot_dir(repo.path()));

    let out = sb.run(case.args);
    let context = format!("case `{}`:\n{out}", case.name);
    assert_eq!(out.code(), Some(case.code), "{context}");
    for needle in case.stderr {
        assert!(
            out.stderr().contains(needle),
            "stderr lacks {needle:?}; {context}"
        );
    }
    assert!(!out.stderr().contains("panicked"), "{context}");
    if case.code != 0 {
        assert_tree_eq(&before_project, &sb.snapshot("."));
    }
    assert_tree_eq(&before_outside, &outside(&sb));
    if let Some(tree) = repo_tree {
        assert_tree_eq(&tree, &snapshot_dir(repo.path()));
    }
    assert!(!Path::new("/tmp/agentpack-pwned").exists(), "{context}");
    // Nothing in the target directory was lost: the user's files are there, byte for byte.
    let after_target = sb.snapshot(".claude/agents");
    for (path, bytes) in &before_target {
        if !path.ends_with(".md") || path == "user-notes.md" || case.code != 0 {
            assert_eq!(
                after_target.get(path),
                Some(bytes),
                "{path} lost; {context}"
            );
        }
    }
    for file in case.installed {
        assert!(
            after_target.contains_key(*file),
            "{file} not installed; {context}"
        );
    }
    if case.code == 0 {
        let installed: Vec<&String> = after_target
            .keys()
            .filter(|k| *k != "user-notes.md")
            .collect();
        assert_eq!(
            installed.len(),
            case.installed.len(),
            "{installed:?}; {context}"
        );
        assert!(
            after_target.keys().all(|k| !k.contains(".agentpack-")),
            "leftovers; {context}"
        );
    }
}

#[test]
fn the_catalog_has_at_least_forty_cases() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names are unique");
}

/// Cases run on a few threads: each has its own repository, sandbox and cache.
#[test]
fn hostile_inputs_fail_clearly_and_touch_nothing_else() {
    let cases = cases();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<_> = cases.chunks(cases.len().div_ceil(4)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|case| {
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                run_case(case)
                            }))
                            .err()
                            .map(|e| {
                                e.downcast_ref::<String>()
                                    .cloned()
                                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                    .unwrap_or_default()
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Where a real file system can be mounted (root on Linux), a tiny tmpfs as the target: a full disk, and
/// a read-only target, each in the middle of writing. Elsewhere, a read-only directory (non-root) or a
/// target whose parent is a file (root without mount rights) exercise the same rollback path; the
/// message says which one ran.
#[test]
fn a_full_or_read_only_target_rolls_back() {
    let repo = GitRepo::new("src");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.commit("v1");
    repo.tag("v1");
    for i in 0..40 {
        let letter = char::from(b'a' + (i % 26) as u8);
        let second = char::from(b'a' + (i / 26) as u8);
        repo.file(
            &format!("agents/big-{letter}{second}.md"),
            format!(
                "{}{}",
                agent(&format!("big-{letter}{second}"), "big"),
                "x".repeat(8 * 1024)
            ),
        );
    }
    repo.commit("v2");
    repo.tag("v2");

    for mode in ["full", "read-only"] {
        let sb = Sandbox::new();
        sb.write("agentpack.toml", manifest_at_v1(&repo));
        sb.run(["install"]).success();
        sb.write(".claude/agents/user-notes.md", "mine\n");
        let target = sb.path(".claude/agents");
        let saved = sb.snapshot(".claude/agents");
        let mount = Mount::tmpfs(
            &target,
            if mode == "full" {
                "size=64k"
            } else {
                "size=1m"
            },
        );
        let how = match &mount {
            Some(_) => {
                for (rel, bytes) in &saved {
                    std::fs::write(target.join(rel), bytes).unwrap();
                }
                if mode == "read-only" {
                    Mount::remount_read_only(&target);
                }
                format!("tmpfs ({mode})")
            }
            None if !is_root() => {
                set_mode(&target, 0o555);
                "read-only directory".to_string()
            }
            None => {
                sb.remove(".claude");
                sb.write(".claude", "a file");
                "target's parent is a file".to_string()
            }
        };
        sb.write("agentpack.toml", MANIFEST.replace("{url}", &repo.url()));
        let before = sb.snapshot(".");
        let out = sb.run(["install"]).failure(2);
        assert!(out.stderr().contains("error: failed to"), "{how}:\n{out}");
        assert_tree_eq(&before, &sb.snapshot("."));
        assert!(!sb.exists(".agentpack-journal"), "{how}");
        if mount.is_none() && !is_root() {
            set_mode(&target, 0o755);
        }
        drop(mount);
        eprintln!("full/read-only target exercised through: {how}");
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A tmpfs mounted for the duration of a test (unmounted on drop).
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(dir: &Path, options: &str) -> Option<Mount> {
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(dir.to_path_buf()))
    }

    fn remount_read_only(dir: &Path) {
        let status = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

// ---- a damaged cache ------------------------------------------------------------------------------

/// The one cache repository of a sandbox.
pub(crate) fn cache_repo(sb: &Sandbox) -> PathBuf {
    std::fs::read_dir(sb.cache().join("git/db"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("a cache repository")
}

pub(crate) fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// Damage the cache after an install, then install into a fresh project: the damage is reported (what
/// it is, in the snapshot of each test), the
/// repository fetched again, the install correct, and the next run quiet.
fn recovers_from(damage: fn(&Path)) {
    let repo = GitRepo::new("src");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.commit("v1");
    repo.tag("v1");
    let manifest = manifest_at_v1(&repo);
    let sb = Sandbox::new();
    sb.write("agentpack.toml", &manifest);
    sb.run(["install"]).success();
    let expected = sb.snapshot(".");
    damage(&cache_repo(&sb));

    sb.remove(".claude").remove("agentpack.lock");
    sb.run(["install"]).success().stderr_snapshot();
    assert_tree_eq(&expected, &sb.snapshot("."));
    let db: Vec<_> = std::fs::read_dir(sb.cache().join("git/db"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(db.iter().all(|n| !n.starts_with(".damaged-")), "{db:?}");
    sb.remove(".claude");
    sb.run(["install", "--offline"])
        .success()
        .stderr_lacks("cache-damaged");
}

#[test]
fn a_truncated_pack_is_moved_aside_and_fetched_again() {
    recovers_from(|db| {
        for pack in files_in(&db.join("objects/pack"), "pack") {
            let len = std::fs::metadata(&pack).unwrap().len();
            let file = std::fs::OpenOptions::new().write(true).open(&pack).unwrap();
            file.set_len(len / 2).unwrap();
        }
    });
}

#[test]
fn missing_objects_are_detected_and_fetched_again() {
    recovers_from(|db| {
        for file in files_in(&db.join("objects/pack"), "pack")
            .into_iter()
            .chain(files_in(&db.join("objects/pack"), "idx"))
        {
            std::fs::remove_file(file).unwrap();
        }
    });
}

/// A git lock file left by a killed process: the interrupted write never happened, so the lock file is
/// removed and the repository used as it is (no fetch: `--offline` works).
#[test]
fn a_lock_left_by_a_dead_process_is_removed() {
    let repo = GitRepo::new("src");
    repo.file("agents/good.md", agent("good", "a good agent"));
    repo.commit("v1");
    repo.tag("v1");
    let sb = Sandbox::new();
    sb.write("agentpack.toml", manifest_at_v1(&repo));
    sb.run(["install"]).success();
    let expected = sb.snapshot(".");
    let db = cache_repo(&sb);
    std::fs::write(db.join("packed-refs.lock"), "").unwrap();
    std::fs::write(db.join("refs/tags/v1.lock"), "half a ref").unwrap();

    sb.remove(".claude").remove("agentpack.lock");
    sb.run(["install", "--offline"])
        .success()
        .stderr_snapshot()
        .stderr_lacks("cache-damaged")
        .stderr_lacks("Fetching");
    assert_tree_eq(&expected, &sb.snapshot("."));
    assert!(!db.join("packed-refs.lock").exists());
    sb.run(["install", "--offline"])
        .success()
        .stderr_lacks("cache-stale-lock");
}

#[test]
fn a_cache_repository_that_is_not_a_repository_is_replaced() {
    recovers_from(|db| {
        std::fs::remove_file(db.join("HEAD")).unwrap();
    });
}
