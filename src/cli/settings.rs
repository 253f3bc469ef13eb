//! The settings of one run, merged once before any command runs (as uv's `settings.rs`): the global flags,
//! the process state (the current directory, `HOME` and the platform directories, `AGENTPACK_CACHE_DIR`,
//! the network's `AGENTPACK_NET_TIMEOUT`, `AGENTPACK_GIT_TOKEN` and `GITHUB_TOKEN`)
//! and, per command, its flags turned into the options the operations take. Besides
//! [`super::printer`] (the terminal, `NO_COLOR`, `CI`), this is the only module that reads process
//! state: everything below the CLI receives values. Something missing (no home, an unreadable current
//! directory) is an error only for the command that needs it.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fsutil::normalize;
use crate::manifest::{self, DEFAULT_TARGET, MANIFEST_NAME, ManifestPath};
use crate::ops::FetchOptions;
use crate::ops::install::InstallOptions;
use crate::ops::update::UpdateOptions;
use crate::source::git::Cache;
use crate::source::net::{NetworkEnv, TIMEOUT_VAR};

use super::args::{GlobalArgs, InstallArgs, UpdateArgs};

/// The global flags and the process state, read once.
#[derive(Debug)]
pub struct Settings {
    /// `--manifest-path`.
    manifest_path: Option<PathBuf>,
    /// `--global`.
    global: bool,
    cwd: std::io::Result<PathBuf>,
    /// The user's home directory (absolute).
    home: Option<PathBuf>,
    /// The directory of the global manifest and lock (`~/.config/agentpack` on Linux).
    config_dir: Option<PathBuf>,
    /// `AGENTPACK_CACHE_DIR`, else the platform's cache directory for agentpack.
    cache_dir: Option<PathBuf>,
}

impl Settings {
    /// Read the process state. Directories come from `directories`, which honours `HOME` and, on Linux,
    /// `XDG_CONFIG_HOME` and `XDG_CACHE_HOME`.
    pub fn read(global: &GlobalArgs) -> Settings {
        let project = directories::ProjectDirs::from("", "", "agentpack");
        let cache_dir = std::env::var_os("AGENTPACK_CACHE_DIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| project.as_ref().map(|d| d.cache_dir().to_path_buf()));
        Settings {
            manifest_path: global.manifest_path.clone(),
            global: global.global,
            cwd: std::env::current_dir(),
            home: directories::BaseDirs::new().map(|d| normalize(d.home_dir())),
            config_dir: project.map(|d| normalize(d.config_dir())),
            cache_dir,
        }
    }

    /// What the network policy takes from the environment (tokens, the timeout, `~/.ssh`).
    pub fn network(&self) -> NetworkEnv {
        let var = |name| std::env::var(name).ok();
        NetworkEnv {
            timeout: var(TIMEOUT_VAR),
            git_token: var("AGENTPACK_GIT_TOKEN"),
            github_token: var("GITHUB_TOKEN"),
            home: self.home.clone(),
        }
    }

    /// The current directory.
    pub fn cwd(&self) -> Result<&Path> {
        self.cwd
            .as_deref()
            .map_err(|e| Error::io("read", ".", std::io::Error::new(e.kind(), e.to_string())))
    }

    /// `--manifest-path`, the user's manifest with `--global`, or `agentpack.toml` in the current
    /// directory or its nearest parent.
    pub fn manifest(&self) -> Result<ManifestPath> {
        if self.global {
            let location = self.global_manifest()?;
            if !location.is_file() {
                return Err(Error::Usage {
                    message: format!("there is no global manifest at `{}`", location.display()),
                    hint: Some("run `agentpack init --global` to create it".into()),
                });
            }
            return Ok(location);
        }
        let cwd = self.cwd()?;
        let path = match &self.manifest_path {
            Some(path) if path.is_file() => normalize(&cwd.join(path)),
            Some(path) => {
                return Err(Error::Usage {
                    message: if path.is_dir() {
                        format!(
                            "`{}` is a directory; `--manifest-path` takes the agentpack.toml file",
                            path.display()
                        )
                    } else {
                        format!("manifest `{}` does not exist", path.display())
                    },
                    hint: None,
                });
            }
            None => manifest::find(cwd)?,
        };
        Ok(self.locate(path))
    }

    /// `--global`: with the global manifest (which may not exist yet).
    pub fn global(&self) -> bool {
        self.global
    }

    /// The directory holding the global manifest and lock.
    pub fn global_dir(&self) -> Result<&Path> {
        self.config_dir
            .as_deref()
            .ok_or_else(|| no_home("a config directory"))
    }

    /// The global manifest (it may not exist yet).
    pub fn global_manifest(&self) -> Result<ManifestPath> {
        Ok(self.locate(self.global_dir()?.join(MANIFEST_NAME)))
    }

    /// The manifest at `path` (absolute), with whose it is: the manifest in the global directory, however
    /// it was named, is the user's, installing into `~/.claude/agents`.
    fn locate(&self, path: PathBuf) -> ManifestPath {
        let global = path.parent().map(normalize) == self.config_dir;
        ManifestPath {
            user_agents: self
                .home
                .as_ref()
                .filter(|_| global)
                .map(|home| normalize(&home.join(DEFAULT_TARGET))),
            home: self.home.clone(),
            path,
        }
    }

    /// The shared cache of git repositories.
    pub fn cache(&self) -> Result<Cache> {
        self.cache_dir
            .clone()
            .map(Cache::new)
            .ok_or_else(|| Error::Usage {
                message: "cannot find a cache directory (no home directory)".into(),
                hint: Some("set `AGENTPACK_CACHE_DIR`".into()),
            })
    }
}

fn no_home(what: &str) -> Error {
    Error::Usage {
        message: format!("cannot find {what} for `--global` (no home directory)"),
        hint: Some("set `HOME`".into()),
    }
}

/// `--offline`, `--locked` and `--jobs` as every command that resolves takes them.
pub fn fetch(offline: bool, locked: bool, jobs: std::num::NonZeroUsize) -> FetchOptions {
    FetchOptions {
        offline,
        locked,
        jobs,
    }
}

/// `install`'s flags (`--frozen` is `--locked --offline`).
pub fn install(args: &InstallArgs) -> InstallOptions {
    InstallOptions {
        fetch: fetch(
            args.offline || args.frozen,
            args.locked || args.frozen,
            args.jobs,
        ),
        force: args.force,
        strict: args.strict,
        no_vendor: args.no_vendor,
    }
}

/// `update`'s flags.
pub fn update(args: &UpdateArgs) -> UpdateOptions {
    UpdateOptions {
        sources: args.sources.clone(),
        precise: args.precise.clone(),
        dry_run: args.dry_run,
        breaking: args.breaking,
        install: InstallOptions {
            fetch: fetch(args.offline, false, args.jobs),
            force: args.force,
            ..InstallOptions::default()
        },
    }
}

/// `--force` alone, for `add`, `remove` and `patch` (which fetch as `install` does by default).
pub fn forced(force: bool) -> InstallOptions {
    InstallOptions {
        force,
        ..InstallOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use clap::Parser;

    use super::*;
    use crate::cli::args::{Cli, Command};

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("agentpack").chain(args.iter().copied()))
            .unwrap()
            .command
    }

    #[test]
    fn every_fetch_flag_reaches_the_resolver() {
        let jobs = NonZeroUsize::new(3).unwrap();
        let Command::Update(args) = parse(&["update", "--offline", "-j", "3", "--force", "s"])
        else {
            panic!("not update");
        };
        let options = update(&args);
        assert_eq!(options.install.fetch, fetch(true, false, jobs));
        assert!(options.install.force);
        assert_eq!(options.sources, ["s"]);
        let Command::Install(args) = parse(&["install", "--frozen", "--jobs", "3"]) else {
            panic!("not install");
        };
        let resolve = install(&args).fetch.resolve();
        assert!(resolve.offline && resolve.locked);
        assert_eq!(resolve.jobs, jobs);
        let Command::Install(args) = parse(&["install"]) else {
            panic!("not install");
        };
        assert_eq!(install(&args).fetch, FetchOptions::default());
    }

    #[test]
    fn the_manifest_in_the_global_directory_is_the_users() {
        let settings = Settings {
            manifest_path: None,
            global: false,
            cwd: Ok(PathBuf::from("/work")),
            home: Some(PathBuf::from("/home/u")),
            config_dir: Some(PathBuf::from("/home/u/.config/agentpack")),
            cache_dir: None,
        };
        let global = settings.locate(PathBuf::from("/home/u/.config/agentpack/./agentpack.toml"));
        assert_eq!(
            global.user_agents,
            Some(PathBuf::from("/home/u/.claude/agents"))
        );
        assert_eq!(
            settings.global_manifest().unwrap().user_agents,
            global.user_agents
        );
        assert_eq!(
            settings
                .locate(PathBuf::from("/work/agentpack.toml"))
                .user_agents,
            None
        );
        assert!(matches!(settings.cache(), Err(Error::Usage { .. })));
    }
}
