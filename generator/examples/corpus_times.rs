//! Times the whole generator pipeline over many documents next to plain `serde_json`
//! parsing of the same files, on N threads (issue 6, target 4):
//! `cargo run --release -p discogen --example corpus_times -- [-j N] DOCUMENT.json...`.
//!
//! Files are read into memory first, so neither figure includes disk reads; nothing is
//! written. Prints one JSON line: documents, bytes, threads, seconds for each, failures.
//! (`stage_times` splits the pipeline into its stages, on one thread.)

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Runs `work` over every text on `threads` threads; returns the seconds taken and the
/// labels of the texts it failed on.
fn timed<F>(texts: &[(String, String)], threads: usize, work: F) -> (f64, Vec<String>)
where
    F: Fn(&str) -> bool + Sync,
{
    let next = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            std::thread::Builder::new()
                // Deeply nested documents need more stack than the default 2 MiB.
                .stack_size(16 << 20)
                .spawn_scoped(scope, || {
                    while let Some((label, text)) = texts.get(next.fetch_add(1, Ordering::Relaxed))
                    {
                        if !work(text) {
                            failed.lock().expect("lock").push(label.clone());
                        }
                    }
                })
                .expect("a thread");
        }
    });
    (
        start.elapsed().as_secs_f64(),
        failed.into_inner().expect("lock"),
    )
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = std::thread::available_parallelism().map_or(1, usize::from);
    if args.first().map(String::as_str) == Some("-j") && args.len() > 1 {
        threads = args[1].parse().expect("-j N");
        args.drain(..2);
    }
    if args.is_empty() {
        eprintln!("usage: corpus_times [-j N] DOCUMENT.json...");
        std::process::exit(2);
    }
    let texts: Vec<(String, String)> = args
        .iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path}: {error}"));
            (path.clone(), text)
        })
        .collect();
    let bytes: usize = texts.iter().map(|(_, text)| text.len()).sum();
    // The better of two passes: the first one also pays for the allocator's first growth.
    let json_seconds = (0..2)
        .map(|_| {
            timed(&texts, threads, |text| {
                serde_json::from_str::<serde_json::Value>(text).is_ok()
            })
            .0
        })
        .fold(f64::INFINITY, f64::min);
    let options = discogen::Options::default();
    let (generate_seconds, failed) = timed(&texts, threads, |text| {
        discogen::generate_module(text, &options).is_ok()
    });
    println!(
        "{{\"documents\": {}, \"bytes\": {bytes}, \"threads\": {threads}, \
         \"serde_json_value_s\": {json_seconds:.3}, \"generate_s\": {generate_seconds:.3}, \
         \"ratio\": {:.1}, \"failed\": {failed:?}}}",
        texts.len(),
        generate_seconds / json_seconds
    );
}
