//! The `agentpack` binary: everything is in the library (`agentpack::run`, see `src/lib.rs`).

/// mimalloc, not the system allocator: an install holds the bytes of every agent it reads and makes many
/// small values; see "Dependencies" in the README for what it saves and costs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    agentpack::run()
}
