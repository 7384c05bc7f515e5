//! Fuzzes the batch executor's handling of a reply (status, content type and body) to a batch
//! of calls, through an in-process transport, checking the invariants in
//! `checks/batch_response.rs`: every callback runs exactly once, with its own call's answer.

#![no_main]

#[path = "../checks/batch_response.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_batch_response(data));
