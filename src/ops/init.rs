//! `agentpack init`: write a commented `agentpack.toml`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::manifest::{EXAMPLE, MANIFEST_NAME};

/// The manifest `init` writes: the shipped example with its sources commented out, so it is valid and
/// installs nothing until the user names sources.
pub fn template() -> String {
    let mut out = String::new();
    let mut in_sources = false;
    for line in EXAMPLE.lines() {
        if line.starts_with("# Each [sources.NAME]") {
            in_sources = true;
            out.push_str("# Each [sources.NAME] table is one source (remove the leading `# ` to use these).\n");
            continue;
        }
        if in_sources && !line.starts_with('#') && !line.is_empty() {
            out.push_str("# ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Create `agentpack.toml` in `dir`; refuses to overwrite an existing one.
pub fn init(dir: &Path) -> Result<PathBuf> {
    write_new(dir, &template())
}

/// Create the global manifest (`--global`) in `dir`, creating the directory. Its `target` is left to the
/// default, `~/.claude/agents`: a relative target would land inside the config directory.
pub fn init_global(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
    write_new(dir, &global_template())
}

/// The global manifest's template: about the user's own agents, not a project's, and with no `target`.
pub fn global_template() -> String {
    // Without `-g`, every command the comments name would work on a project instead.
    template()
        .replace("`agentpack ", "`agentpack -g ")
        .replace(
            "# agentpack.toml: which Claude Code agents, skills and commands this project installs, and from where.",
            "# The global agentpack.toml (`agentpack --global`): your own Claude Code agents, skills and\n# commands, which it loads from ~/.claude wherever you work, and where they come from.",
        )
        .replace(
            "# Where agents are installed, relative to this file and inside its directory (only `--global` installs\n# elsewhere). Claude Code loads project agents from .claude/agents.\n",
            "# Where agents are installed (a relative path is relative to this file). Claude Code loads your own\n# agents from ~/.claude/agents.\n",
        )
        .replace(
            "target = \".claude/agents\"",
            "# target = \"/path/to/agents\"   # default for the global manifest: ~/.claude/agents",
        )
}

fn write_new(dir: &Path, text: &str) -> Result<PathBuf> {
    let path = dir.join(MANIFEST_NAME);
    if path.exists() {
        return Err(Error::Usage {
            message: format!("`{}` already exists", path.display()),
            hint: Some("edit it, or delete it first to start over".into()),
        });
    }
    crate::fsutil::write_atomic(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_a_valid_manifest_with_no_sources() {
        let m = crate::manifest::Manifest::parse(
            &crate::manifest::ManifestPath::project("/p/agentpack.toml"),
            &template(),
        )
        .unwrap();
        assert!(m.sources.is_empty());
        assert!(template().contains("# [sources.studio]"));
        assert!(template().contains("# git = \"https://github.com/contains-studio/agents\""));
    }

    #[test]
    fn global_template_is_about_the_user_not_a_project() {
        let text = global_template();
        assert!(!text.contains("project"), "{text}");
        assert!(!text.contains("\ntarget = "), "{text}");
        assert!(
            text.contains("# `agentpack -g install` reads this file"),
            "{text}"
        );
        let commands = text.matches("`agentpack ").count();
        let global =
            text.matches("`agentpack -g ").count() + text.matches("`agentpack --global`").count();
        assert_eq!(commands, global, "{text}");
        let m = crate::manifest::Manifest::parse(
            &crate::manifest::ManifestPath::project("/p/agentpack.toml"),
            &text,
        )
        .unwrap();
        assert!(m.sources.is_empty());
    }
}
