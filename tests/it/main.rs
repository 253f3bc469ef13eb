//! The integration tests of `agentpack`: one test binary (`cargo test --test it`) whose modules
//! share the support code in `support/` (git repositories, a sandbox for running the binary,
//! loopback git servers).

mod collections;
mod commands;
mod concurrency;
mod crash;
mod day_one;
mod diagnostics;
mod global;
mod hostile;
mod hostile_kinds;
mod hostile_objects;
mod hostile_plugins;
mod hostile_reach;
mod hostile_records;
mod hostile_state;
mod hostile_text;
mod install;
mod kinds;
mod kinds_lifecycle;
mod kinds_newcomer;
mod network;
mod outdated;
mod output;
mod parity;
mod patches;
mod plugins;
mod properties;
mod readme;
mod records;
mod startup;
mod support;
mod support_selftest;
mod trust;
mod vendor;
mod verify;
mod versions;
