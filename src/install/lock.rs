//! The project lock: two installs never run on one project at once.

use std::path::Path;

use crate::error::{Error, Result};
use crate::fsutil;

/// Held for the whole of an install so that two agentpack processes never write one project at once.
#[derive(Debug)]
pub struct ProjectLock {
    _file: std::fs::File,
}

/// Lock the project whose manifest is in `root`, waiting (and saying so) while another process holds it.
///
/// On Unix the lock is taken on the project directory itself, so no file is ever added to the project;
/// elsewhere, where a directory cannot be opened as a file, on `.agentpack-install.lock` in it.
pub fn lock_project(root: &Path, reporter: &dyn crate::reporter::Reporter) -> Result<ProjectLock> {
    #[cfg(unix)]
    let (path, file) = (root.to_path_buf(), std::fs::File::open(root));
    #[cfg(not(unix))]
    let (path, file) = {
        let path = root.join(".agentpack-install.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path);
        (path, file)
    };
    let file = file.map_err(|e| Error::io("open", &path, e))?;
    fsutil::lock_exclusive(
        &file,
        &path,
        &format!("the project `{}`", root.display()),
        reporter,
    )?;
    Ok(ProjectLock { _file: file })
}
