//! Replays the `generate_document` fuzz target's committed inputs through its invariants
//! (fuzz/checks/generate_document.rs) on every `cargo test`: the seeds in
//! fuzz/corpus-seeds/generate_document/ (real documents and the fixtures) and any input a
//! fuzzing run found, once copied to fuzz/regressions/generate_document/.

use std::fs;
use std::path::{Path, PathBuf};

#[path = "../../fuzz/checks/generate_document.rs"]
mod checks;

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
fn generate_document_fuzz_inputs_keep_the_invariants() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let seeds = inputs(&fuzz.join("corpus-seeds/generate_document"));
    assert!(seeds.len() >= 19, "only {} seeds", seeds.len());
    let regressions = inputs(&fuzz.join("regressions/generate_document"));
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| checks::check_generate(&data));
        assert!(outcome.is_ok(), "{} breaks an invariant", path.display());
    }
}
