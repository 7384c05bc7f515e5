//! Fuzzes the generator (parse, resolve, emit, format) with a Discovery document, checking the
//! invariants in `checks/generate_document.rs`: code that parses as Rust, or an error.

#![no_main]

#[path = "../checks/generate_document.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::check_generate(data));
