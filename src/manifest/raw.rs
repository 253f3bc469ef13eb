//! The serde shapes of `agentpack.toml`; only [`Manifest::parse`](super::Manifest::parse) sees them.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    #[serde(default)]
    pub install: Install,
    #[serde(default)]
    pub sources: BTreeMap<Spanned<String>, Spanned<Source>>,
    #[serde(default)]
    pub patches: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Install {
    pub target: Option<Spanned<String>>,
    pub strict: Option<bool>,
    pub vendor: Option<Spanned<String>>,
    #[serde(rename = "on-collision")]
    pub on_collision: Option<super::OnCollision>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub git: Option<Spanned<String>>,
    pub path: Option<Spanned<String>>,
    pub branch: Option<Spanned<String>>,
    pub tag: Option<Spanned<String>>,
    pub rev: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub subdir: Option<Spanned<String>>,
    pub agents: Option<Vec<Spanned<String>>>,
    pub skills: Option<Vec<Spanned<String>>>,
    pub commands: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
    pub plugins: Option<Vec<Spanned<String>>>,
    pub rename: Option<BTreeMap<String, Spanned<String>>>,
    pub prefix: Option<Spanned<String>>,
    pub trust: Option<Vec<Spanned<String>>>,
    #[serde(rename = "allow-unicode")]
    pub allow_unicode: Option<bool>,
}
