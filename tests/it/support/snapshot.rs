//! Exact-text checks of user-facing output with `insta` snapshots (committed under
//! `tests/it/snapshots/`; a mismatch or a missing snapshot fails the test, and CI never writes
//! one: `.ci/run` sets `INSTA_UPDATE=no`). [`redact`] replaces only what truly varies between
//! runs, so everything else is compared byte for byte:
//!
//! | varies                                   | becomes            |
//! |------------------------------------------|--------------------|
//! | a [`super::Sandbox`] root                | `[SANDBOX]`        |
//! | a [`super::GitRepo`]'s temporary parent  | `[REPO]`           |
//! | any other `tempfile` directory           | `[TMP]`            |
//! | a loopback port (`127.0.0.1:41234`)      | `127.0.0.1:[PORT]` |
//! | a retry's random delay (`in 0.7 s`)      | `in [DELAY] s`     |
//!
//! Commit ids are not redacted: test repositories have fixed authors and dates, so their commits
//! are the same on every run.
//!
//! To accept new or changed snapshots: `INSTA_UPDATE=always cargo test --test it FILTER`, then
//! read the `.snap` diff before committing it.

/// `agentpack`'s stderr of `$outcome` ([`super::Outcome`]), redacted, against the test's next
/// snapshot; evaluates to the outcome for further assertions.
#[macro_export]
macro_rules! assert_stderr_snapshot {
    ($outcome:expr) => {{
        let outcome = $outcome;
        insta::assert_snapshot!($crate::support::redact(outcome.stderr()));
        outcome
    }};
}

/// Like [`assert_stderr_snapshot`], for stdout.
#[macro_export]
macro_rules! assert_stdout_snapshot {
    ($outcome:expr) => {{
        let outcome = $outcome;
        insta::assert_snapshot!($crate::support::redact(outcome.stdout()));
        outcome
    }};
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
    replace_digits_after(&out, " in ", "[DELAY]", true)
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
