//! Several paginated lists walked together, one batch per round of pages.
//!
//! `pages()` and `items()` walk one list with one request per page. To walk several lists at
//! once, queue the first page of each into one batch; each page's callback builds the call for
//! that list's next page and hands it to the next batch; run batches until no list has a page
//! left. Three lists of three sizes take three batches, each smaller than the one before.
//!
//! A callback cannot queue into the batch that is running it (`execute` owns that batch), so
//! it hands the next call over through a `Mutex<Vec<…>>` that outlives the batch.
//!
//! The example starts an in-memory Farm API on 127.0.0.1 with animals tagged `north`, `south`
//! and `meadow`, lists each tag two animals per page, and exits non-zero if any list, or the
//! number of batches and calls, is not what the farm holds.
//!
//! Run it with `cargo run -p generated-example --example paginate_in_batches`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Mutex;

use discogen_runtime::Error;
use generated_example::farm_v1::Farm;
use generated_example::farm_v1::animals::ListCall;
use generated_example::in_memory_farm::InMemoryFarm;

/// Each tag's animals, as the farm is seeded with them.
const HERDS: [(&str, &[&str]); 3] = [
    (
        "north",
        &["bramble", "clover", "dandelion", "fern", "heather"],
    ),
    ("south", &["juniper", "laurel", "myrtle"]),
    ("meadow", &["sorrel"]),
];
const PAGE_SIZE: i32 = 2;

/// The call for one page of one tag's list (`token`: the page's token, none for the first).
fn page_call(farm: &Farm, tag: &str, token: Option<&str>) -> ListCall {
    let call = farm.animals().list().tag([tag]).page_size(PAGE_SIZE);
    match token {
        Some(token) => call.page_token(token),
        None => call,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<ExitCode, Error> {
    let mut farm_state = InMemoryFarm::seeded();
    for (tag, names) in HERDS {
        for (age, name) in (1..).zip(names) {
            farm_state = farm_state.with_animal(name, age, &[tag]);
        }
    }
    let server = farm_state.start().await;
    let farm = Farm::builder().root_url(server.url()).build()?;

    let listed: Mutex<BTreeMap<&str, Vec<String>>> = Mutex::new(BTreeMap::new());
    let failures = Mutex::new(Vec::new());
    // The first page of every list goes into the first batch.
    let mut to_queue: Vec<(&str, ListCall)> = HERDS
        .iter()
        .map(|(tag, _)| (*tag, page_call(&farm, tag, None)))
        .collect();
    let mut calls_per_batch = Vec::new();
    while !to_queue.is_empty() {
        // What this batch's callbacks hand to the next one.
        let next_pages: Mutex<Vec<(&str, ListCall)>> = Mutex::new(Vec::new());
        let mut batch = farm.new_batch();
        for (tag, call) in to_queue.drain(..) {
            let (listed, failures, next_pages, farm) = (&listed, &failures, &next_pages, &farm);
            call.queue(&mut batch, move |_id, result| match result {
                Ok(response) => {
                    let page = response.body;
                    let names = page.items.unwrap_or_default().into_iter();
                    lock(listed)
                        .entry(tag)
                        .or_default()
                        .extend(names.filter_map(|animal| animal.animal_name));
                    // The last page has no token (or an empty one).
                    if let Some(token) = page.next_page_token.filter(|token| !token.is_empty()) {
                        lock(next_pages).push((tag, page_call(farm, tag, Some(&token))));
                    }
                }
                Err(error) => lock(failures).push(format!("{tag}: {error}")),
            })?;
        }
        let calls = batch.len();
        let summary = batch.execute().await;
        println!(
            "batch {}: {calls} page(s) in {} HTTP request(s), {} failed",
            calls_per_batch.len() + 1,
            summary.http_requests,
            summary.failed
        );
        calls_per_batch.push(calls);
        to_queue = next_pages.into_inner().unwrap_or_else(|e| e.into_inner());
        // Keep the order of HERDS in each batch, whatever order the callbacks ran in.
        to_queue.sort_by_key(|(tag, _)| HERDS.iter().position(|(herd, _)| herd == tag));
    }

    let listed = listed.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut mismatches = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    for (tag, names) in HERDS {
        let got = listed.get(tag).cloned().unwrap_or_default();
        println!("{tag}: {}", got.join(", "));
        if got != names {
            mismatches.push(format!("{tag}: listed {got:?}, the farm has {names:?}"));
        }
    }
    // Five, three and one animals at two a page: 3 + 2 + 1 pages, in batches of 3, 2 and 1.
    if calls_per_batch != [3, 2, 1] {
        mismatches.push(format!(
            "calls per batch {calls_per_batch:?}, expected [3, 2, 1]"
        ));
    }
    if server.batches_received() != 3 || server.single_calls_received() != 0 {
        mismatches.push(format!(
            "{} batch requests and {} single calls, expected 3 and 0",
            server.batches_received(),
            server.single_calls_received()
        ));
    }
    if mismatches.is_empty() {
        println!("every list walked to its last page");
        Ok(ExitCode::SUCCESS)
    } else {
        for mismatch in &mismatches {
            eprintln!("mismatch: {mismatch}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// Locks a mutex, also after a panicking callback poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
