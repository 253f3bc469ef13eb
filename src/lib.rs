//! agentpack: a package manager for Claude Code agent packs.

pub mod diag;
pub mod frontmatter;
