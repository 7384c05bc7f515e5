//! The `discogen` command: Discovery documents in, Rust modules out.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::Parser;
use discogen::{Error, Generated, Options, generate_file, write_if_changed};

/// Generates typed Rust clients, with batch support, from Google API Discovery documents.
///
/// With one document, prints the module (or writes it with -o, or compares it with --check).
/// With --out-dir, generates every document given into DIR/<name>_<version>.rs in parallel and
/// reports how many succeeded, which failed and how long it took.
///
/// Exit status: 0 on success, 1 when --check finds a difference, 2 on any error.
#[derive(Debug, Parser)]
#[command(name = "discogen", version)]
struct Cli {
    /// Discovery documents (JSON files, e.g. discovery-docs/farm.json).
    #[arg(required = true, value_name = "DOCUMENT")]
    documents: Vec<PathBuf>,

    /// Write the module to FILE instead of standard output (one document only).
    #[arg(short = 'o', long = "output", value_name = "FILE", conflicts_with_all = ["check", "out_dir"])]
    output: Option<PathBuf>,

    /// Compare FILE with what would be generated, for CI drift checks: exit 1 when they differ
    /// (one document only). Writes nothing.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    check: Option<PathBuf>,

    /// Generate each document into DIR/<name>_<version>.rs (files are only rewritten when
    /// their content changes), in parallel, and print a summary with the time taken.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Generate only these methods: method ids (farm.animals.get) or prefixes of ids ending at
    /// a dot (farm.animals). Repeat the flag or separate with commas. Only the schemas the
    /// chosen methods reach are generated.
    #[arg(long, value_name = "SELECTOR", value_delimiter = ',')]
    only: Vec<String>,

    /// Threads for --out-dir (default: the available cores).
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let options = Options::default().only(cli.only.iter().cloned());
    if let Some(dir) = &cli.out_dir {
        return generate_all(&cli.documents, dir, &options, cli.jobs);
    }
    let [document] = cli.documents.as_slice() else {
        eprintln!("error: several documents need --out-dir DIR (one file per document)");
        return ExitCode::from(2);
    };
    let module = match generate_file(document, &options) {
        Ok(module) => module,
        Err(error) => return fail(&error),
    };
    if let Some(file) = &cli.check {
        return check(file, document, &module.code);
    }
    match &cli.output {
        Some(file) => match write_if_changed(file, &module.code) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(&error),
        },
        None => {
            print!("{}", module.code);
            ExitCode::SUCCESS
        }
    }
}

fn fail(error: &Error) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(2)
}

/// `--check`: 0 when `file` holds exactly `code`, 1 when it differs, 2 when it cannot be read.
fn check(file: &Path, document: &Path, code: &str) -> ExitCode {
    let current = match std::fs::read_to_string(file) {
        Ok(current) => current,
        Err(source) => {
            return fail(&Error::Io {
                path: file.to_owned(),
                source,
            });
        }
    };
    if current == code {
        return ExitCode::SUCCESS;
    }
    let line = current
        .lines()
        .zip(code.lines())
        .position(|(old, new)| old != new)
        .map_or_else(
            || current.lines().count().min(code.lines().count()) + 1,
            |index| index + 1,
        );
    eprintln!(
        "{} is out of date (first difference at line {line}); regenerate it with `discogen {} -o {}`",
        file.display(),
        document.display(),
        file.display()
    );
    ExitCode::from(1)
}

/// `--out-dir`: every document, in parallel, then a summary.
fn generate_all(
    documents: &[PathBuf],
    dir: &Path,
    options: &Options,
    jobs: Option<usize>,
) -> ExitCode {
    let started = Instant::now();
    if let Err(source) = std::fs::create_dir_all(dir) {
        return fail(&Error::Io {
            path: dir.to_owned(),
            source,
        });
    }
    let threads = jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, documents.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Generated, Error>)>> =
        Mutex::new(Vec::with_capacity(documents.len()));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            // Deeply nested documents need more stack than a spawned thread's default 2 MiB.
            let worker = std::thread::Builder::new()
                .stack_size(16 << 20)
                .spawn_scoped(scope, || {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(document) = documents.get(index) else {
                            break;
                        };
                        let result = generate_file(document, options);
                        results
                            .lock()
                            .unwrap_or_else(|poisoned| poisoned.into_inner())
                            .push((index, result));
                    }
                });
            if let Err(error) = worker {
                eprintln!("error: cannot start a thread: {error}");
                break;
            }
        }
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    results.sort_by_key(|(index, _)| *index);
    let mut written: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut generated = 0;
    for (index, result) in results {
        let outcome = result.and_then(|module| {
            let stem = module.file_stem();
            if let Some(&first) = written.get(&stem) {
                return Err(Error::Options {
                    document: documents[index].display().to_string(),
                    message: format!(
                        "{stem}.rs is also generated from {}",
                        documents[first].display()
                    ),
                });
            }
            written.insert(stem.clone(), index);
            write_if_changed(&dir.join(format!("{stem}.rs")), &module.code)
        });
        match outcome {
            Ok(()) => generated += 1,
            Err(error) => failures.push(error.to_string()),
        }
    }
    for failure in &failures {
        eprintln!("error: {failure}");
    }
    println!(
        "generated {} of {} documents into {} in {:.2} s ({} failed, {} threads)",
        generated,
        documents.len(),
        dir.display(),
        started.elapsed().as_secs_f64(),
        failures.len(),
        threads,
    );
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
