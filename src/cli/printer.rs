//! The terminal side of [`Reporter`]: cargo-style status lines and diagnostics on stderr, colors only when
//! wanted, indicatif bars only on an interactive terminal outside CI and `--quiet`: an overall bar
//! (sources resolved) with one line per active fetch (objects and bytes received) under it.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{HumanBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::diag::{Diagnostic, Severity};
use crate::escape::{escape, escape_lines};
use crate::reporter::{FetchProgress, Reporter, Status};

use super::args::{ColorChoice, GlobalArgs};
use super::out;

pub struct Printer {
    quiet: bool,
    /// `--global`: the commands messages name get `-g` ([`scoped`]).
    global: bool,
    verbose: bool,
    color: bool,
    bars: Option<Bars>,
}

struct Bars {
    multi: MultiProgress,
    overall: Mutex<Option<ProgressBar>>,
    active: Mutex<HashMap<String, ProgressBar>>,
}

const GREEN: &str = "\x1b[1;32m";
const YELLOW: &str = "\x1b[1;33m";
const RED: &str = "\x1b[1;31m";
const CYAN: &str = "\x1b[1;36m";
const RESET: &str = "\x1b[0m";

impl Printer {
    pub fn new(args: &GlobalArgs) -> Printer {
        let stderr_tty = std::io::stderr().is_terminal();
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stderr_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        let bars = (stderr_tty && !args.quiet && !in_ci).then(|| Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            overall: Mutex::new(None),
            active: Mutex::new(HashMap::new()),
        });
        Printer {
            quiet: args.quiet,
            global: args.global,
            verbose: args.verbose,
            color,
            bars,
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// One line on stderr: `styled` is agentpack's own (painted) prefix, `text` is escaped, since it
    /// carries names and values from sources.
    fn line(&self, styled: &str, text: &str) {
        match &self.bars {
            Some(bars) => {
                let _ = bars
                    .multi
                    .println(format!("{styled}{}", escape_lines(text)));
            }
            None => out::eprintln(styled, text),
        }
    }

    /// `error: ...` and its causes, each a single line, so a line break in a value is escaped too; then a
    /// hint, which agentpack may lay out in lines (a manifest snippet), each line escaped.
    pub fn error(&self, message: &str, causes: &[String], hint: Option<&str>) {
        let message = scoped(message, self.global);
        let hint = hint.map(|h| scoped(h, self.global));
        let hint = hint.as_deref();
        self.line(
            &self.paint(RED, "error"),
            &format!(": {}", escape(&message)),
        );
        for cause in causes {
            self.line("  Caused by: ", &escape(cause));
        }
        if let Some(hint) = hint {
            self.line(
                &self.paint(CYAN, "hint"),
                &format!(": {}", escape_lines(hint)),
            );
        }
    }

    /// A diagnostic, printed even under `--quiet` when it is an error.
    pub fn print_diagnostic(&self, d: &Diagnostic) {
        if self.quiet && !d.is_error() {
            return;
        }
        let rendered = self.scope(d).render();
        let head = d.severity.to_string();
        let painted = match d.severity {
            Severity::Error => self.paint(RED, &head),
            Severity::Warning => self.paint(YELLOW, &head),
        };
        self.line(&painted, &rendered[head.len()..]);
    }

    /// `d` with the commands its message and hint name scoped as the run is ([`scoped`]).
    pub fn scope(&self, d: &Diagnostic) -> Diagnostic {
        Diagnostic {
            message: scoped(&d.message, self.global).into_owned(),
            hint: d
                .hint
                .as_deref()
                .map(|h| scoped(h, self.global).into_owned()),
            ..d.clone()
        }
    }

    /// `-q`: only errors are printed.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Plain information on stderr (not a status verb); hidden by `--quiet`.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.line("", text);
        }
    }
}

impl Reporter for Printer {
    fn status(&self, status: Status, message: &str) {
        if !self.shows(status) {
            return;
        }
        let verb = format!("{:>12}", status.verb());
        self.line(&self.paint(GREEN, &verb), &format!(" {}", escape(message)));
    }

    fn shows(&self, status: Status) -> bool {
        !(self.quiet || (status.is_detail() && !self.verbose))
    }

    fn diagnostic(&self, diagnostic: &Diagnostic) {
        self.print_diagnostic(diagnostic);
    }

    fn detailed(&self) -> bool {
        self.verbose
    }

    fn fetch_progress(&self, source: &str, progress: Option<FetchProgress>) {
        let Some(bars) = &self.bars else { return };
        let mut active = bars.active.lock().expect("progress lock");
        match progress {
            None => {
                if let Some(bar) = active.remove(source) {
                    bar.finish_and_clear();
                }
            }
            Some(p) => {
                let bar = active.entry(source.to_string()).or_insert_with(|| {
                    // Added last, so below the overall bar.
                    let bar = bars.multi.add(ProgressBar::new_spinner());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} {prefix:>12} {msg}")
                            .expect("valid template"),
                    );
                    bar.set_prefix(escape(source).into_owned());
                    bar.enable_steady_tick(std::time::Duration::from_millis(120));
                    bar
                });
                bar.set_message(format!(
                    "{}/{} objects, {}",
                    p.received_objects,
                    p.total_objects,
                    HumanBytes(p.received_bytes as u64)
                ));
            }
        }
    }

    fn resolve_progress(&self, done: usize, total: usize) {
        let Some(bars) = &self.bars else { return };
        let mut overall = bars.overall.lock().expect("progress lock");
        if done >= total {
            if let Some(bar) = overall.take() {
                bar.finish_and_clear();
            }
            return;
        }
        let bar = overall.get_or_insert_with(|| {
            let bar = bars.multi.insert(0, ProgressBar::new(total as u64));
            bar.set_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} sources")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_prefix("Resolving");
            bar
        });
        bar.set_position(done as u64);
    }
}

/// Under `--global`, a command a message names (`` `agentpack install --force` ``) would act on the
/// project, not on the user's files: each `` `agentpack ...` `` without `-g`/`--global` gets `-g`.
/// Library code names commands for the project scope; the run's scope is the CLI's to apply.
pub fn scoped(text: &str, global: bool) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = "`agentpack ";
    if !global || !text.contains(OPEN) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        let (before, command) = rest.split_at(at + OPEN.len());
        out.push_str(before);
        let end = command.find('`').unwrap_or(command.len());
        let scoped_already =
            (command[..end].split_whitespace()).any(|w| w == "-g" || w == "--global");
        if !scoped_already {
            out.push_str("-g ");
        }
        rest = command;
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::scoped;

    #[test]
    fn global_runs_name_commands_with_g() {
        let hint =
            "keep it with `agentpack patch x`, or `agentpack install --force`; see agentpack.toml";
        assert_eq!(scoped(hint, false), hint);
        assert_eq!(
            scoped(hint, true),
            "keep it with `agentpack -g patch x`, or `agentpack -g install --force`; see agentpack.toml"
        );
        // Already scoped commands, and `agentpack.toml`, stay as they are.
        let scoped_already =
            "run `agentpack init --global`, then `agentpack -g list`; `agentpack.toml`";
        assert_eq!(scoped(scoped_already, true), scoped_already);
        // An unclosed backtick is not a command to complete, but still gets its flag.
        assert_eq!(scoped("`agentpack list", true), "`agentpack -g list");
    }
}
