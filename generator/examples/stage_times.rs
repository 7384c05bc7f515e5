//! Prints how long each pipeline stage takes for one document (a profiling aid):
//! `cargo run --release -p discogen --example stage_times -- DOCUMENT.json`.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: stage_times DOCUMENT.json");
        std::process::exit(2);
    };
    let json = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    let start = Instant::now();
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let plain = start.elapsed();
    drop(value);
    let start = Instant::now();
    let document = discogen::parse::parse(&json).expect("parse");
    let parsed = start.elapsed();
    let start = Instant::now();
    let api =
        discogen::resolve::resolve(&document, &discogen::Options::default()).expect("resolve");
    let resolved = start.elapsed();
    let start = Instant::now();
    let tokens = discogen::emit::emit(&api);
    let emitted = start.elapsed();
    let start = Instant::now();
    let file = syn::parse2::<syn::File>(tokens).expect("syn");
    let reparsed = start.elapsed();
    let start = Instant::now();
    let code = prettyplease::unparse(&file);
    let printed = start.elapsed();
    println!(
        "{path}: serde_json::Value {plain:?}; parse {parsed:?}, resolve {resolved:?}, emit {emitted:?}, \
         syn {reparsed:?}, prettyplease {printed:?}; {} bytes of code",
        code.len()
    );
}
