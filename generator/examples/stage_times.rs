//! Prints how long each pipeline stage takes, per document and in total (a profiling aid,
//! single-threaded): `cargo run --release -p discogen --example stage_times -- DOCS.json…`.
//! The first column is plain `serde_json::Value` parsing of the same text, for scale.

use std::time::{Duration, Instant};

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: stage_times DOCUMENT.json…");
        std::process::exit(2);
    }
    let mut totals = [Duration::ZERO; 6];
    for path in &paths {
        let json = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path}: {error}"));
        let mut times = [Duration::ZERO; 6];
        let mut lap = |index: usize, start: Instant| times[index] = start.elapsed();
        let start = Instant::now();
        drop(serde_json::from_str::<serde_json::Value>(&json).expect("JSON"));
        lap(0, start);
        let start = Instant::now();
        let document = discogen::parse::parse(&json).expect("parse");
        lap(1, start);
        let start = Instant::now();
        let api =
            discogen::resolve::resolve(&document, &discogen::Options::default()).expect("resolve");
        lap(2, start);
        let start = Instant::now();
        let chunks: Vec<_> = discogen::emit::emit_chunks(&api).collect();
        lap(3, start);
        let start = Instant::now();
        let files: Vec<syn::File> = chunks
            .into_iter()
            .map(|tokens| syn::parse2(tokens).expect("syn"))
            .collect();
        lap(4, start);
        let start = Instant::now();
        let code: usize = files
            .iter()
            .map(|file| prettyplease::unparse(file).len())
            .sum();
        lap(5, start);
        if paths.len() == 1 {
            println!("{path}: {code} bytes of code");
        }
        for (total, time) in totals.iter_mut().zip(times) {
            *total += time;
        }
    }
    let [plain, parse, resolve, emit, syn, print] = totals;
    let pipeline = parse + resolve + emit + syn + print;
    println!(
        "{} documents: serde_json::Value {plain:.2?}; parse {parse:.2?}, resolve {resolve:.2?}, \
         emit {emit:.2?}, syn {syn:.2?}, prettyplease {print:.2?}; pipeline {pipeline:.2?} \
         ({:.0}x plain parsing)",
        paths.len(),
        pipeline.as_secs_f64() / plain.as_secs_f64()
    );
}
