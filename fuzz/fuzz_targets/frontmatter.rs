//! Front-matter parsing and checking of any bytes: never panics, and an agent without errors has a
//! name that is safe as a file name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = agentpack::frontmatter::parse("fuzz.md", data);
    if let Some(name) = parsed.name()
        && !parsed.diagnostics().iter().any(|d| d.is_error())
    {
        assert!(agentpack::names::AgentName::parse(name).is_ok(), "{name:?}");
    }
});
