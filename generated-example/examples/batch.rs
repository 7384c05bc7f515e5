//! The batch of Google's batching documentation, run against an in-memory Farm API.
//!
//! Starts the runtime's test server on 127.0.0.1 with the farm of the seeds (pony and sheep),
//! then sends two batches with the generated client:
//!
//! 1. the documentation's three calls — GET pony, PUT sheep with `If-Match`, GET the list with
//!    `If-None-Match` — each with its own callback; the list is answered `304 Not Modified`;
//! 2. the Python client page's pattern: one batch-wide callback and three inserts (sheep, pig,
//!    llama); sheep is already on the farm, so that call alone fails with 409.
//!
//! It prints the request that went over the wire and every callback's outcome, and exits
//! non-zero if any outcome is not the one the documentation shows.
//!
//! Run it with `cargo run -p generated-example --example batch`.

use std::process::ExitCode;
use std::sync::Mutex;

use discogen_runtime::Error;
use discogen_runtime::multipart::ResponsePart;
use generated_example::farm_v1::{Animal, AnimalPeltColor, Farm};
use generated_example::in_memory_farm::InMemoryFarm;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Error> {
    let server = InMemoryFarm::seeded().start().await;
    let farm = Farm::builder().root_url(server.url()).build()?;
    let mut unexpected = Vec::new();

    println!("== Batch 1: the documentation's example (a callback per call)\n");
    let outcomes = Mutex::new(Vec::new());
    let mut batch = farm.new_batch();
    farm.animals()
        .get("pony")
        .queue_with_id(&mut batch, "item1", |id, result| {
            outcomes.lock().unwrap().push(describe(id, result));
        })?;
    let sheep = Animal {
        animal_name: Some("sheep".into()),
        animal_age: Some(5),
        pelt_color: Some(AnimalPeltColor::Green),
        ..Animal::default()
    };
    farm.animals()
        .update("sheep", sheep)
        .if_match("\"etag/sheep\"")
        .queue_with_id(&mut batch, "item2", |id, result| {
            outcomes.lock().unwrap().push(describe(id, result));
        })?;
    farm.animals()
        .list()
        .if_none_match("\"etag/animals\"")
        .queue_with_id(&mut batch, "item3", |id, result| {
            let outcome = match result {
                Ok(response) => format!(
                    "{id}: {} with {} animals",
                    response.status,
                    count(&response.body.items)
                ),
                Err(error) => format!("{id}: {error}"),
            };
            outcomes.lock().unwrap().push(outcome);
        })?;
    let summary = batch.execute().await;

    if let Some(request) = server.requests().last() {
        println!("POST {} ({} bytes):\n", request.path, request.body.len());
        println!("{}", String::from_utf8_lossy(&request.body));
    }
    let mut outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
    outcomes.sort();
    for outcome in &outcomes {
        println!("callback {outcome}");
    }
    println!("{summary:?}\n");
    expect(
        &mut unexpected,
        &outcomes,
        &[
            "item1: 200 OK pony, age 34, white, etag etag/pony",
            "item2: 200 OK sheep, age 5, green, etag etag/sheep",
            "item3: not modified (HTTP 304)",
        ],
    );

    println!("== Batch 2: the Python page's pattern (one batch-wide callback, three inserts)\n");
    let seen = Mutex::new(Vec::new());
    let mut batch = farm.new_batch();
    batch.on_response(|id, outcome: Result<&ResponsePart, &Error>| {
        let line = match outcome {
            Ok(part) => format!("{id}: {}", part.status),
            Err(error) => match error.status() {
                Some(status) => format!("{id}: {status}"),
                None => format!("{id}: {error}"),
            },
        };
        seen.lock().unwrap().push(line);
    });
    for name in ["sheep", "pig", "llama"] {
        let animal = Animal {
            animal_name: Some(name.into()),
            ..Animal::default()
        };
        // The batch-wide callback sees every outcome; the per-call one has nothing to add.
        farm.animals()
            .insert(animal)
            .queue_with_id(&mut batch, name, |_, _| {})?;
    }
    let summary = batch.execute().await;
    let mut seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    seen.sort();
    for line in &seen {
        println!("batch-wide callback {line}");
    }
    println!("{summary:?}\n");
    expect(
        &mut unexpected,
        &seen,
        &["llama: 200 OK", "pig: 200 OK", "sheep: 409 Conflict"],
    );

    server.shutdown().await;
    if unexpected.is_empty() {
        println!("Every outcome is the one the documentation shows.");
        Ok(ExitCode::SUCCESS)
    } else {
        for line in &unexpected {
            eprintln!("unexpected: {line}");
        }
        Ok(ExitCode::FAILURE)
    }
}

fn describe(id: &str, result: Result<discogen_runtime::Response<Animal>, Error>) -> String {
    match result {
        Ok(response) => {
            let animal = response.body;
            format!(
                "{id}: {} {}, age {}, {}, etag {}",
                response.status,
                animal.animal_name.unwrap_or_default(),
                animal.animal_age.unwrap_or_default(),
                animal.pelt_color.map(|c| c.to_string()).unwrap_or_default(),
                animal.etag.unwrap_or_default(),
            )
        }
        Err(error) => format!("{id}: {error}"),
    }
}

fn count<T>(items: &Option<Vec<T>>) -> usize {
    items.as_ref().map_or(0, Vec::len)
}

fn expect(unexpected: &mut Vec<String>, got: &[String], want: &[&str]) {
    if got.len() != want.len() || got.iter().zip(want).any(|(g, w)| g != w) {
        unexpected.push(format!("got {got:?}, want {want:?}"));
    }
}
