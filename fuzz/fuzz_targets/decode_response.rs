//! Fuzzes the batch decoders (`decode_response_bytes`, `decode_response_lenient`,
//! `decode_request`, `decode_request_lenient`) with a content type and a body, checking the
//! invariants in `checks/decode_response.rs`.

#![no_main]

#[path = "../checks/decode_response.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_decoders(data));
