//! Tests of [`parse`] on whole files: inline texts for each rule (`reading`: where the front matter is,
//! its YAML, encoding and size; `fields`: the per-field checks), and every fixture under
//! `fixtures/agents/` (`fixtures`). This file holds the helpers they share.

use super::*;
use crate::diag::Severity;

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/agents/",
            $path
        ))
        .as_slice()
    };
}

fn parse_str(text: &str) -> Parsed {
    parse("t.md", text.as_bytes())
}

fn agent_of(parsed: Parsed) -> AgentFile {
    match parsed {
        Parsed::Agent(agent) => agent,
        other => panic!("expected an agent, got {other:?}"),
    }
}

fn agent(text: &str) -> AgentFile {
    agent_of(parse_str(text))
}

/// (code, severity, line, column) of a diagnostic.
type Found = (&'static str, Severity, usize, usize);

fn found(diagnostics: &[Diagnostic]) -> Vec<Found> {
    diagnostics
        .iter()
        .map(|d| {
            let loc = d
                .location
                .as_ref()
                .expect("every diagnostic has a location");
            (
                d.code,
                d.severity,
                loc.line.unwrap_or(0),
                loc.column.unwrap_or(0),
            )
        })
        .collect()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

fn only(diagnostics: &[Diagnostic], code: &str) -> Diagnostic {
    let hits: Vec<_> = diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(hits.len(), 1, "expected one {code}: {diagnostics:#?}");
    hits[0].clone()
}

fn document_reason(parsed: Parsed) -> String {
    match parsed {
        Parsed::Document { reason } => reason,
        other => panic!("expected a document, got {other:?}"),
    }
}

fn broken(parsed: Parsed) -> (Option<String>, Vec<Diagnostic>) {
    match parsed {
        Parsed::Broken {
            name_hint,
            diagnostics,
        } => (name_hint, diagnostics),
        other => panic!("expected a broken file, got {other:?}"),
    }
}

use Severity::{Error as E, Warning as W};

mod fields;
mod fixtures;
mod other_kinds;
mod reading;
