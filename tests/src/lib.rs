//! Workspace-level end-to-end tests: generator and runtime together (`tests/tests/`), and the
//! README's code snippets, compiled and run as doc-tests so that they cannot rot.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The generator's hostile document (`generator/tests/fixtures/hostile.json`: descriptions
/// full of comment ends, attributes, code fences and doc-tests), as its checked-in snapshot.
/// Here it goes through rustdoc: `cargo doc` (warnings denied in CI) renders it, and
/// `cargo test` runs its doc-tests, of which there must be none.
pub mod hostile_v1 {
    include!("../../generator/tests/snapshots/hostile_v1.rs");
}

/// The generator's naming-traps document (`generator/tests/fixtures/traps.json`), through
/// rustdoc like [`hostile_v1`].
pub mod traps_v1_2_beta {
    include!("../../generator/tests/snapshots/traps_v1_2_beta.rs");
}
