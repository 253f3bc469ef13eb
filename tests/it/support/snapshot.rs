//! Exact-text checks of user-facing output with `insta` snapshots (committed under
//! `tests/it/snapshots/`; a mismatch or a missing snapshot fails the test, and CI never writes
//! one: `.ci/run` sets `INSTA_UPDATE=no`). [`redact`] replaces only what truly varies between
//! runs, so everything else is compared byte for byte. [`super::Outcome::stderr_snapshot`] and
//! [`super::Outcome::stdout_snapshot`] take them:
//!
//! | varies                                   | becomes            |
//! |------------------------------------------|--------------------|
//! | a [`super::Sandbox`] root                | `[SANDBOX]`        |
//! | a [`super::GitRepo`]'s temporary parent  | `[REPO]`           |
//! | any other `tempfile` directory           | `[TMP]`            |
//! | a loopback port (`127.0.0.1:41234`)      | `127.0.0.1:[PORT]` |
//! | a retry's random delay (`in 0.7 s`)      | `in [DELAY] s`     |
//! | a cache directory's URL hash (`db/x-<16 hex>`) | `db/x-[HASH]`  |
//! | a pack file's checksum (`pack-<40 hex>`) | `pack-[HASH]`      |
//!
//! (The cache hash is of a URL holding a temporary path; a pack's checksum depends on how the
//! server ordered and compressed it.) Commit ids are not redacted: test repositories have fixed
//! authors and dates, so their commits are the same on every run.
//!
//! To accept new or changed snapshots: `INSTA_UPDATE=always cargo test --test it FILTER`, then
//! read the `.snap` diff before committing it.

thread_local! {
    /// How many snapshots the running test has taken: the suffix of the next one's name.
    static TAKEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Asserts `text`, redacted, equals the running test's next snapshot,
/// `tests/it/snapshots/<module>__<test>[-N].snap` (`N` counting from 2 within the test), whose
/// header records `command` and which stream it holds.
///
/// The name comes from the test thread's name (libtest names it after the test), so a snapshot
/// taken from a thread the test spawned panics instead of guessing.
#[track_caller]
pub fn assert_snapshot(command: &str, stream: &str, text: &str) {
    let thread = std::thread::current();
    let test = thread
        .name()
        .filter(|name| *name != "main")
        .expect("snapshots are taken on the test's own thread");
    let taken = TAKEN.with(|taken| {
        taken.set(taken.get() + 1);
        taken.get()
    });
    let name = match taken {
        1 => test.replace("::", "__"),
        n => format!("{}-{n}", test.replace("::", "__")),
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let command = redact(command).replace(env!("CARGO_MANIFEST_DIR"), "[CRATE]");
    settings.set_description(format!("{stream} of `{command}`"));
    settings.bind(|| insta::assert_snapshot!(name, redact(text)));
}

/// `text` with the run-dependent parts in the table above replaced by placeholders.
pub fn redact(text: &str) -> String {
    let tmp = std::env::temp_dir();
    let tmp = tmp.to_str().expect("UTF-8 temp dir").trim_end_matches('/');
    let mut out = text.to_owned();
    for (prefix, placeholder) in [
        ("agentpack-sandbox-", "[SANDBOX]"),
        ("agentpack-repo-", "[REPO]"),
        (".tmp", "[TMP]"),
    ] {
        out = replace_random_dirs(&out, &format!("{tmp}/{prefix}"), placeholder);
    }
    out = replace_digits_after(&out, "127.0.0.1:", "[PORT]", false);
    out = replace_digits_after(&out, " in ", "[DELAY]", true);
    out = replace_hex_after(&out, "/cache/git/db/", Some('-'), 16);
    replace_hex_after(&out, "pack-", None, 40)
}

/// Replaces by `[HASH]` the `len` hex digits that follow `start`, or with `sep`, that follow the
/// last `sep` of the path component after `start`: `/cache/git/db/<name>-<hash>`, `pack-<hash>`.
fn replace_hex_after(text: &str, start: &str, sep: Option<char>, len: usize) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        let from = at + start.len();
        let component = rest[from..]
            .find(|c: char| c == '/' || c == '`' || c.is_whitespace())
            .map_or(rest.len(), |end| from + end);
        let hash = match sep {
            Some(sep) => rest[from..component]
                .rfind(sep)
                .map(|at| from + at + sep.len_utf8()),
            None => Some(from),
        }
        .filter(|h| {
            rest[*h..].len() >= len
                && rest.as_bytes()[*h..*h + len]
                    .iter()
                    .all(u8::is_ascii_hexdigit)
        });
        match hash {
            Some(h) => {
                out.push_str(&rest[..h]);
                out.push_str("[HASH]");
                rest = &rest[h + len..];
            }
            None => {
                out.push_str(&rest[..from]);
                rest = &rest[from..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces `<start><6 random characters>` (a `tempfile` name) by `placeholder`.
fn replace_random_dirs(text: &str, start: &str, placeholder: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at]);
        let after = &rest[at + start.len()..];
        let random = after
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_alphanumeric())
            .count();
        if random == 6 {
            out.push_str(placeholder);
            rest = &after[6..];
        } else {
            out.push_str(start);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Replaces the number after `start` by `placeholder`: digits (a port), or, with `decimal`, a
/// `<digits>.<digit> s` delay.
fn replace_digits_after(text: &str, start: &str, placeholder: &str, decimal: bool) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at + start.len()]);
        let after = &rest[at + start.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let len = if decimal {
            let frac = after[digits..]
                .strip_prefix('.')
                .map_or(0, |f| f.bytes().take_while(u8::is_ascii_digit).count());
            let whole = digits + 1 + frac;
            let is_delay = digits > 0 && frac > 0 && after[whole..].starts_with(" s");
            if is_delay { whole } else { 0 }
        } else {
            digits
        };
        if len > 0 {
            out.push_str(placeholder);
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}
