//! Skills: a folder holding `SKILL.md` and any supporting files (`scripts/`, `references/`, `assets/`),
//! installed whole to `.claude/skills/<name>/`. [`check`] checks one skill the way Claude Code and the
//! Agent Skills specification read it, from the folder's files as the source gives them.
//!
//! | code | severity | meaning |
//! |---|---|---|
//! | `skill-md-missing` | error | the folder has no `SKILL.md` |
//! | `skill-too-large` | error | more than [`MAX_SKILL_FILES`] files or [`MAX_SKILL_BYTES`] bytes |
//! | `skill-file-name` | error | a file's path is not safe to install (see [`path_problem`]) |
//! | `name-missing` | error | `SKILL.md` has no front matter with a `name` |
//! | `name-invalid` | error | `name` is not 1–64 characters of `a-z0-9-` without leading, trailing or doubled `-` |
//! | `skill-name-mismatch` | warning | `name` is not the folder's name |
//! | `description-missing` | error | no `description` text |
//! | `description-too-long` | warning | `description` over 1,024 characters (Claude Code lists at most 1,536) |
//! | `field-invalid` | warning | an optional field of the wrong shape |
//! | `unknown-field` | warning | a key Claude Code does not read in a skill |
//!
//! Plus what Claude Code's reader finds in any Markdown file ([`super::fields`]): `untrusted-hooks` (the
//! trust gate, as for agents), `hidden-unicode` (also in every other `.md` file of the skill, since Claude
//! reads the references too), `mojibake`, and the codes of a file it cannot read.

use serde_yaml_ng::Value;

use super::fields::{self, Front, is_text_or_list};
use crate::diag::{Diagnostic, Location};
use crate::names::kebab_name_problem;

/// The file that makes a folder a skill.
pub use crate::source::SKILL_MD;

/// Most files one skill may hold, and most bytes in all.
pub const MAX_SKILL_FILES: usize = 1_000;
pub const MAX_SKILL_BYTES: usize = 32 * 1024 * 1024;

/// Longest description the Agent Skills specification allows.
pub const MAX_DESCRIPTION: usize = 1024;

/// Every front-matter field Claude Code reads in a skill.
pub const KNOWN_FIELDS: &[&str] = &[
    "name",
    "description",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
    "argument-hint",
    "disable-model-invocation",
    "user-invocable",
    "model",
    "context",
    "agent",
    "effort",
    "paths",
    "hooks",
];

/// One regular file of a skill folder, as the source read it.
#[derive(Debug, Clone, Copy)]
pub struct SkillFile<'a> {
    /// Relative to the skill's folder, `/`-separated (`scripts/fill.py`).
    pub path: &'a str,
    pub bytes: &'a [u8],
    /// Installed with its executable bit (scripts must keep it).
    pub executable: bool,
}

/// What the checks found out about a skill.
#[derive(Debug, Clone, PartialEq)]
pub struct Skill {
    /// The front matter's `name` (empty when missing), the name it installs under.
    pub name: String,
    pub description: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Skill {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Check the skill in folder `folder` (its last component is the folder's name; empty for a repository
/// that is one skill), whose files are `files`; `label` prefixes file names in messages
/// (`studio:skills/pdf`).
pub fn check(label: &str, folder: &str, files: &[SkillFile<'_>]) -> Skill {
    let mut diagnostics = folder_problems(label, files);
    let Some(skill_md) = files.iter().find(|f| f.path == SKILL_MD) else {
        diagnostics.push(
            Diagnostic::error("skill-md-missing", format!("`{label}` has no `{SKILL_MD}`"))
                .at(Location::file(label))
                .with_hint("a skill is a folder with a SKILL.md; name another folder"),
        );
        return Skill {
            name: String::new(),
            description: None,
            diagnostics,
        };
    };
    let md_label = format!("{label}/{SKILL_MD}");
    let text = String::from_utf8_lossy(skill_md.bytes);
    let mut front = fields::read(&md_label, skill_md.bytes);
    diagnostics.append(&mut front.diagnostics);
    if front.broken {
        return Skill {
            name: String::new(),
            description: None,
            diagnostics,
        };
    }
    let name = front.text("name").unwrap_or_default();
    let description = front.text("description");
    diagnostics.extend(name_checks(&md_label, &text, &front, &name, folder));
    diagnostics.extend(description_checks(
        &md_label,
        &text,
        &front,
        description.as_deref(),
    ));
    diagnostics.extend(fields::field_warnings(
        &md_label,
        &text,
        &front,
        "skill",
        KNOWN_FIELDS,
        wanted,
    ));
    Skill {
        name,
        description,
        diagnostics,
    }
}

/// The `name` a `SKILL.md` declares, read as Claude Code reads it (`None` when it has none).
pub fn declared_name(skill_md: &[u8]) -> Option<String> {
    fields::read(SKILL_MD, skill_md).text("name")
}

/// Bounds on the folder, unsafe file paths, hidden characters in supporting Markdown.
fn folder_problems(label: &str, files: &[SkillFile<'_>]) -> Vec<Diagnostic> {
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    if files.len() > MAX_SKILL_FILES || total > MAX_SKILL_BYTES {
        return vec![
            Diagnostic::error(
                "skill-too-large",
                format!(
                    "the skill holds {} files of {total} bytes; agentpack installs at most {MAX_SKILL_FILES} files and {MAX_SKILL_BYTES} bytes per skill",
                    files.len()
                ),
            )
            .at(Location::file(label))
            .with_hint("a skill this large is likely a whole repository; select the skills you need"),
        ];
    }
    let mut out = Vec::new();
    // Two paths equal but for case are one file on macOS's and Windows' file systems: the second would
    // overwrite the first, and the lock would record both.
    let mut folded: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    for file in files {
        if let Some(first) = folded.insert(file.path.to_lowercase(), file.path) {
            out.push(
                Diagnostic::error(
                    "skill-file-name",
                    format!(
                        "files `{first}` and `{}` differ only in case, so they are one file on macOS and Windows",
                        file.path
                    ),
                )
                .at(Location::file(label))
                .with_hint("ask the skill's author to rename one of them"),
            );
        }
    }
    for file in files {
        if let Some(problem) = path_problem(file.path) {
            out.push(
                Diagnostic::error(
                    "skill-file-name",
                    format!(
                        "file `{}` {problem}, so agentpack cannot install it",
                        file.path
                    ),
                )
                .at(Location::file(label))
                .with_hint("ask the skill's author to rename the file"),
            );
        } else if file.path != SKILL_MD && file.path.ends_with(".md") {
            let text = String::from_utf8_lossy(file.bytes);
            out.extend(fields::hidden(&format!("{label}/{}", file.path), &text));
        }
    }
    out
}

/// Names Windows reserves for devices, with any extension (`CON`, `nul.txt`).
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Longest file or folder name most file systems allow, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Why a file path inside a skill cannot be installed on every system, or None: each component must be
/// free of control and invisible characters, of characters Windows forbids (`<>:"|?*\`), must not be
/// `.`, `..` or empty, must not end in a dot or space, must not be a Windows device name (`CON`,
/// `nul.txt`) and must fit in 255 bytes.
pub fn path_problem(path: &str) -> Option<String> {
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." {
            return Some("has an empty, `.` or `..` component".into());
        }
        if let Some(c) = part
            .chars()
            .find(|c| c.is_control() || "<>:\"|?*\\".contains(*c))
        {
            return Some(format!("contains `{}`", c.escape_default()));
        }
        if let Some(c) = crate::hidden::first_hidden(part) {
            return Some(format!(
                "contains the invisible character U+{:04X}",
                c as u32
            ));
        }
        if part.ends_with('.') || part.ends_with(' ') {
            return Some("has a component ending in a dot or space".into());
        }
        let stem = part.split('.').next().unwrap_or(part).to_ascii_uppercase();
        if RESERVED.contains(&stem.as_str()) {
            return Some(format!(
                "has the component `{part}`, a device name on Windows"
            ));
        }
        if part.len() > MAX_NAME_BYTES {
            return Some(format!(
                "has a component of {} bytes; file systems allow {MAX_NAME_BYTES}",
                part.len()
            ));
        }
    }
    None
}

fn name_checks(
    label: &str,
    text: &str,
    front: &Front,
    name: &str,
    folder: &str,
) -> Vec<Diagnostic> {
    let (line, col) = front.key_pos("name");
    if name.is_empty() {
        return vec![
            Diagnostic::error(
                "name-missing",
                "SKILL.md has no `name` in its front matter, so agentpack cannot tell which skill it is",
            )
            .at_line(label, text, line, col)
            .with_hint("start SKILL.md with `---`, `name: <the folder's name>`, `description: ...`, `---`"),
        ];
    }
    if let Some(problem) = kebab_name_problem(name) {
        return vec![
            Diagnostic::error("name-invalid", format!("skill name `{name}` {problem}"))
                .at_line(label, text, line, col)
                .with_hint("a skill name is 1–64 characters of a-z, 0-9 and `-`, like `pdf-forms`"),
        ];
    }
    let folder_name = folder.rsplit('/').next().unwrap_or("");
    if !folder_name.is_empty() && folder_name != name {
        return vec![
            Diagnostic::warning(
                "skill-name-mismatch",
                format!("skill name `{name}` is not its folder's name `{folder_name}`"),
            )
            .at_line(label, text, line, col)
            .with_hint(format!("it installs as `skills/{name}/`; the Agent Skills specification wants the two equal")),
        ];
    }
    Vec::new()
}

fn description_checks(
    label: &str,
    text: &str,
    front: &Front,
    description: Option<&str>,
) -> Vec<Diagnostic> {
    let (line, col) = front.key_pos("description");
    match description {
        Some(d) if !d.trim().is_empty() => {
            let length = d.chars().count();
            if length <= MAX_DESCRIPTION {
                return Vec::new();
            }
            vec![
                Diagnostic::warning(
                    "description-too-long",
                    format!("`description` is {length} characters; the Agent Skills specification allows {MAX_DESCRIPTION}"),
                )
                .at_line(label, text, line, col)
                .with_hint("Claude Code lists at most 1,536 characters of it; move detail into the body"),
            ]
        }
        _ => vec![
            Diagnostic::error(
                "description-missing",
                "`description` is missing, empty or not text, so Claude cannot tell when to use the skill",
            )
            .at_line(label, text, line, col)
            .with_hint("add `description:` saying what the skill does and when to use it"),
        ],
    }
}

/// What an optional field's value should be, when it is not.
fn wanted(key: &str, value: &Value) -> Option<&'static str> {
    match key {
        "license" | "argument-hint" | "context" | "agent" | "model" if !value.is_string() => {
            Some("text")
        }
        "allowed-tools" | "paths" if !is_text_or_list(value) => Some("text or a list of texts"),
        "disable-model-invocation" | "user-invocable" if !value.is_bool() => Some("true or false"),
        "metadata" if !is_string_map(value) => Some("a map of texts"),
        "effort" if !value.as_str().is_some_and(|e| EFFORTS.contains(&e)) => {
            Some("one of low, medium, high, xhigh, max")
        }
        "compatibility" => match value.as_str() {
            Some(c) if c.chars().count() <= MAX_COMPATIBILITY => None,
            Some(_) => Some("text of at most 500 characters"),
            None => Some("text"),
        },
        _ => None,
    }
}

/// The `effort` levels Claude Code accepts.
const EFFORTS: &[&str] = &["low", "medium", "high", "xhigh", "max"];

/// Longest `compatibility` the Agent Skills specification allows.
const MAX_COMPATIBILITY: usize = 500;

fn is_string_map(v: &Value) -> bool {
    v.as_mapping()
        .is_some_and(|m| m.iter().all(|(k, v)| k.is_string() && v.is_string()))
}
