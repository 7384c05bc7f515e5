//! Replays the committed inputs of the runtime's fuzz targets through their invariants on
//! every `cargo test`: `decode_response` (fuzz/checks/decode_response.rs) and
//! `batch_response` (fuzz/checks/batch_response.rs), each with its seeds in
//! fuzz/corpus-seeds/TARGET/ (the real vectors) and any input a fuzzing run found, once
//! copied to fuzz/regressions/TARGET/.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../../fuzz/checks/decode_response.rs"]
mod checks;

#[path = "../../fuzz/checks/batch_response.rs"]
mod batch_checks;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn decode_response_fuzz_inputs_keep_the_invariants() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let seeds = inputs(&fuzz.join("corpus-seeds/decode_response"));
    // The Farm example, fake-gcs-server's shape, our encoder's, and their variants.
    assert!(seeds.len() >= 16, "only {} seeds", seeds.len());
    let regressions = inputs(&fuzz.join("regressions/decode_response"));
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| checks::check_decoders(&data));
        assert!(outcome.is_ok(), "{} breaks an invariant", path.display());
    }
}

#[test]
fn batch_response_fuzz_inputs_keep_the_invariants() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let seeds = inputs(&fuzz.join("corpus-seeds/batch_response"));
    // The decode_response seeds as answers, and answers to the target's own calls.
    assert!(seeds.len() >= 30, "only {} seeds", seeds.len());
    let regressions = inputs(&fuzz.join("regressions/batch_response"));
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| batch_checks::check_batch_response(&data));
        assert!(outcome.is_ok(), "{} breaks an invariant", path.display());
    }
}
