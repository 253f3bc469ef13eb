//! The `agentpack` binary: everything is in the library (`agentpack::run`, see `src/lib.rs`).

fn main() -> std::process::ExitCode {
    agentpack::run()
}
