//! The only way bytes reach stdout and stderr. Everything written is escaped ([`crate::escape`]) except
//! the few styles agentpack adds itself, and a closed pipe ends the process quietly.
//!
//! Rust ignores `SIGPIPE`, so `agentpack list | head -1` sees `EPIPE` on its next write; `println!`
//! would panic on it. As ripgrep does, the process then exits with 0 and prints nothing: the reader has
//! all it wanted. A failed write to stderr is ignored (there is nowhere left to report it).

use std::io::{ErrorKind, Write};

use crate::escape::escape_lines;

/// Write `text` and a newline to stdout, escaped.
pub fn println(text: &str) {
    print(&format!("{text}\n"));
}

/// Write `text` to stdout, escaped.
pub fn print(text: &str) {
    raw(escape_lines(text).as_bytes());
}

/// `value` as pretty JSON on stdout.
pub fn json(value: &impl serde::Serialize) {
    println(&serde_json::to_string_pretty(value).expect("serializable"));
}

/// Write bytes agentpack generated itself (a completion script) to stdout, unescaped.
pub fn raw(bytes: &[u8]) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        // Any other failure (a full disk behind a redirect) is reported once, like cargo does.
        let _ = writeln!(std::io::stderr(), "error: failed to write to stdout: {e}");
        std::process::exit(crate::error::ExitStatus::InputError as i32);
    }
}

/// Write one line to stderr: `styled`, agentpack's own prefix with its terminal styles, is written as it
/// is; `text` is escaped.
pub fn eprintln(styled: &str, text: &str) {
    let _ = writeln!(std::io::stderr(), "{styled}{}", escape_lines(text));
}
