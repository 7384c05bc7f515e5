//! What must not compile: queuing a media upload or download into a batch (Google's batch
//! endpoint takes neither). The cases are `tests/ui/*.rs`, each with the compiler's expected
//! error in the `.stderr` beside it; `TRYBUILD=overwrite cargo test -p discogen-tests --test
//! compile_fail` rewrites those after an intended change (review the diff).

#[test]
fn media_cannot_be_queued_into_a_batch() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
