//! How a file of the project scope or of the user scope is shown: relative to the manifest's directory, or
//! `~/...` in the home directory. Which scope a manifest is in, where the global manifest lives and
//! where home is, is the CLI's business ([`crate::cli::settings`]); a manifest carries them
//! ([`crate::manifest::ManifestPath`]).

use std::path::Path;

use crate::fsutil::normalize;

/// A file as shown to the user: relative to the manifest's directory (what the lock records), except
/// that a file outside it in the home directory is `~/...` (with `--global`, `~/.claude/agents/x.md`
/// rather than `../../.claude/agents/x.md`).
pub fn shown(root: &Path, file: &Path, home: Option<&Path>) -> String {
    let label = crate::lockfile::file_label(root, file);
    if !label.starts_with("../") {
        return label;
    }
    home.and_then(|home| tilde(file, home)).unwrap_or(label)
}

/// `~/rest` for a path inside the home directory `home` (absolute, normalized).
pub fn tilde(path: &Path, home: &Path) -> Option<String> {
    let rest = normalize(path);
    let rest = rest.strip_prefix(home).ok()?;
    let rest = crate::lockfile::file_label(Path::new(""), rest);
    Some(if rest.is_empty() {
        "~".to_string()
    } else {
        format!("~/{rest}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_outside_the_manifests_directory_are_shown_from_home() {
        let root = Path::new("/home/u/.config/agentpack");
        let home = Some(Path::new("/home/u"));
        let user_agent = Path::new("/home/u/.claude/agents/x.md");
        assert_eq!(shown(root, user_agent, home), "~/.claude/agents/x.md");
        assert_eq!(shown(root, user_agent, None), "../../.claude/agents/x.md");
        assert_eq!(shown(root, &root.join("a.md"), home), "a.md");
        assert_eq!(
            tilde(Path::new("/home/u"), Path::new("/home/u")).as_deref(),
            Some("~")
        );
        assert_eq!(tilde(Path::new("/srv/x"), Path::new("/home/u")), None);
    }
}
