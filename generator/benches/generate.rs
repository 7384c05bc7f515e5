//! Generator speed (issue 6, target 4) on single documents: the whole pipeline (parse,
//! resolve, emit, format) next to plain `serde_json` parsing of the same text, the floor any
//! generator pays. The whole corpus is timed by `tests/bench/generator` (it runs the
//! `corpus_times` example and the CLI).
//!
//! Run with `cargo bench -p discogen --bench generate`. Documents come from
//! `../shared/discovery-docs` (the corpus beside the checkout) when it is there, else from
//! `discovery-docs/`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use discogen::{Options, generate_module};

fn document(name: &str) -> Option<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let candidates: [PathBuf; 2] = [
        root.join("../shared/discovery-docs").join(name),
        root.join("discovery-docs").join(name),
    ];
    let path = candidates.iter().find(|path| path.exists())?;
    let text = std::fs::read_to_string(path).ok()?;
    Some((name.trim_end_matches(".json").to_owned(), text))
}

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for name in ["storage.v1.json", "compute.alpha.json"] {
        let Some((label, json)) = document(name) else {
            eprintln!("{name}: not found, skipped");
            continue;
        };
        group.throughput(Throughput::Bytes(json.len() as u64));
        group.bench_function(format!("{label}/serde_json_value"), |b| {
            b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&json)).expect("JSON"))
        });
        group.bench_function(format!("{label}/generate_module"), |b| {
            b.iter(|| generate_module(black_box(&json), &Options::default()).expect("generates"))
        });
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
