//! Workspace-level end-to-end tests: generator and runtime together (`tests/tests/`), and the
//! README's code snippets, compiled and run as doc-tests so that they cannot rot.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
