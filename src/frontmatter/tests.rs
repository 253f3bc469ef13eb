//! Tests of `parse` on whole files.
use super::*;
