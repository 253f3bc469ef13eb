//! Support code shared by the integration tests:
//!
//! - [`repo`]: [`GitRepo`], real git repositories with reproducible commits, publishable as bare
//!   repositories;
//! - [`sandbox`]: [`Sandbox`], an isolated home/cache/config/project for running `agentpack`, and
//!   [`Outcome`], fluent assertions on a finished run;
//! - [`server`]: [`GitDaemon`], [`HttpGitServer`], [`SilentServer`] and [`closed_port`], loopback
//!   servers stopped on drop; [`served`]: [`ServedRepos`], repositories served for packs to name;
//! - [`manifest`]: [`Manifest`], [`Source`], [`Install`], a typed builder of `agentpack.toml` text;
//! - [`fixture`]: agent files, the `studio` collection, a project with a manifest, a served
//!   remote, and readers of the lock and the installed files;
//! - [`snapshot`]: exact-text snapshots of output ([`Outcome::stderr_snapshot`]) and [`redact`];
//! - [`git`]: running the `git` CLI (and libgit2 in the test process) isolated from the
//!   developer's configuration.

// Not every test module uses every helper.
#![allow(dead_code, unused_imports)]

pub mod fixture;
pub mod git;
pub mod manifest;
pub mod repo;
pub mod sandbox;
pub mod served;
pub mod server;
pub mod snapshot;

pub use fixture::{
    agent, command_md, installed, lock, locked_source, marketplace_repo, project, released,
    served_studio, sha256, skill_md, studio, toolkit,
};
pub use git::{git, isolate_git2, try_git};
pub use manifest::{Install, Manifest, Source};
pub use repo::{GitRepo, file_url};
pub use sandbox::{Outcome, Sandbox, assert_tree_eq, snapshot_dir};
pub use served::ServedRepos;
pub use server::{
    GitDaemon, HttpGitServer, RecordedRequest, SilentServer, basic_auth_header, closed_port,
    is_listening, wait_until_closed,
};
pub use snapshot::redact;
