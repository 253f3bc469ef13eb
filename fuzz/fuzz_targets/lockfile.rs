//! `agentpack.lock` parsing of any text: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = agentpack::lockfile::Lockfile::parse(std::path::Path::new("/project/agentpack.lock"), text);
});
