//! [`Manifest`]: a typed builder that renders `agentpack.toml` text, so a test says which sources,
//! refs, selections and `[install]` settings it needs instead of hand-formatting TOML.
//!
//! ```ignore
//! let text = Manifest::new()
//!     .install(Install::new().strict(true))
//!     .source(Source::git("studio", repo.url()).tag("v1.0.0").agents(["ui-designer"]))
//!     .source(Source::path("mine", "mine"))
//!     .render();
//! // [install]\nstrict = true\n\n[sources.studio]\ngit = "file://..."\ntag = "v1.0.0"\n...
//! ```
//!
//! Tables are rendered in the order they are added, one blank line apart; keys in the order they
//! are set; strings as TOML basic strings. A test about the exact bytes of a manifest (a malformed
//! one, comment preservation) writes its text by hand instead.

use std::fmt;

/// The whole `agentpack.toml` (of a project or of a pack).
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    tables: Vec<Table>,
}

/// One `[table]` with its `key = value` lines, values already rendered as TOML.
#[derive(Clone, Debug)]
struct Table {
    header: String,
    keys: Vec<(String, String)>,
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest::default()
    }

    /// Adds a `[sources.<name>]` table.
    pub fn source(mut self, source: Source) -> Manifest {
        self.tables.push(source.table);
        self
    }

    /// Adds the `[install]` table.
    pub fn install(mut self, install: Install) -> Manifest {
        self.tables.push(install.table);
        self
    }

    /// Adds the `[patches]` table: `agent = "file"` per entry.
    pub fn patches<'a>(
        mut self,
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Manifest {
        let keys = entries
            .into_iter()
            .map(|(agent, file)| (key(agent), string(file)))
            .collect();
        self.tables.push(Table {
            header: "patches".to_owned(),
            keys,
        });
        self
    }

    /// The manifest's text.
    pub fn render(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Manifest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, table) in self.tables.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            writeln!(f, "[{}]", table.header)?;
            for (key, value) in &table.keys {
                writeln!(f, "{key} = {value}")?;
            }
        }
        Ok(())
    }
}

/// A `[sources.<name>]` table.
#[derive(Clone, Debug)]
pub struct Source {
    table: Table,
}

impl Source {
    /// A git source: `git = "<url>"` (any URL or local repository path; a `String`, `&str` or
    /// `Path::display()`).
    pub fn git(name: &str, url: impl fmt::Display) -> Source {
        Source::new(name).set("git", string(&url.to_string()))
    }

    /// A plain-directory source: `path = "<dir>"`.
    pub fn path(name: &str, dir: impl fmt::Display) -> Source {
        Source::new(name).set("path", string(&dir.to_string()))
    }

    fn new(name: &str) -> Source {
        Source {
            table: Table {
                header: format!("sources.{}", key(name)),
                keys: Vec::new(),
            },
        }
    }

    pub fn branch(self, branch: &str) -> Source {
        self.set("branch", string(branch))
    }

    pub fn tag(self, tag: &str) -> Source {
        self.set("tag", string(tag))
    }

    pub fn rev(self, rev: &str) -> Source {
        self.set("rev", string(rev))
    }

    /// `version = "<requirement>"`.
    pub fn version(self, requirement: &str) -> Source {
        self.set("version", string(requirement))
    }

    pub fn subdir(self, dir: &str) -> Source {
        self.set("subdir", string(dir))
    }

    /// `agents = [...]`: names, globs or paths.
    pub fn agents<'a>(self, entries: impl IntoIterator<Item = &'a str>) -> Source {
        self.set("agents", array(entries))
    }

    /// `plugins = [...]`: plugin names or globs of the source's marketplace.
    pub fn plugins<'a>(self, entries: impl IntoIterator<Item = &'a str>) -> Source {
        self.set("plugins", array(entries))
    }

    /// `skills = [...]`: skill names or globs (`["*"]` for all).
    pub fn skills<'a>(self, entries: impl IntoIterator<Item = &'a str>) -> Source {
        self.set("skills", array(entries))
    }

    /// `commands = [...]`: command names (`git/commit`) or globs (`git/*`).
    pub fn commands<'a>(self, entries: impl IntoIterator<Item = &'a str>) -> Source {
        self.set("commands", array(entries))
    }

    /// `exclude = [...]`.
    pub fn exclude<'a>(self, entries: impl IntoIterator<Item = &'a str>) -> Source {
        self.set("exclude", array(entries))
    }

    /// `rename = { from = "to", ... }`, in the order given.
    pub fn rename<'a>(self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Source {
        let pairs: Vec<String> = pairs
            .into_iter()
            .map(|(from, to)| format!("{} = {}", key(from), string(to)))
            .collect();
        self.set("rename", format!("{{ {} }}", pairs.join(", ")))
    }

    pub fn prefix(self, prefix: &str) -> Source {
        self.set("prefix", string(prefix))
    }

    /// `trust = [...]`: `hooks`, `permissions`, ...
    pub fn trust<'a>(self, grants: impl IntoIterator<Item = &'a str>) -> Source {
        self.set("trust", array(grants))
    }

    pub fn allow_unicode(self, allow: bool) -> Source {
        self.set("allow-unicode", allow.to_string())
    }

    fn set(mut self, key: &str, value: String) -> Source {
        self.table.keys.push((key.to_owned(), value));
        self
    }
}

/// The `[install]` table.
#[derive(Clone, Debug)]
pub struct Install {
    table: Table,
}

impl Default for Install {
    fn default() -> Self {
        Install::new()
    }
}

impl Install {
    pub fn new() -> Install {
        Install {
            table: Table {
                header: "install".to_owned(),
                keys: Vec::new(),
            },
        }
    }

    pub fn target(self, dir: &str) -> Install {
        self.set("target", string(dir))
    }

    pub fn strict(self, strict: bool) -> Install {
        self.set("strict", strict.to_string())
    }

    /// `on-collision = "error" | "first"`.
    pub fn on_collision(self, rule: &str) -> Install {
        self.set("on-collision", string(rule))
    }

    pub fn vendor(self, dir: &str) -> Install {
        self.set("vendor", string(dir))
    }

    fn set(mut self, key: &str, value: String) -> Install {
        self.table.keys.push((key.to_owned(), value));
        self
    }
}

/// A TOML basic string (escaping `"`, `\` and control characters).
fn string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML key: bare when it can be, quoted otherwise (paths, dots).
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { text.to_owned() } else { string(text) }
}

fn array<'a>(entries: impl IntoIterator<Item = &'a str>) -> String {
    let entries: Vec<String> = entries.into_iter().map(string).collect();
    format!("[{}]", entries.join(", "))
}
