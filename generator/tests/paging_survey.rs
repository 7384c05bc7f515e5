//! Which methods of the real corpus get `pages()` and `items()`, and which list becomes the
//! items: the rule of `resolve::paging` checked against the 607 documents in
//! `../shared/discovery-docs` (or `$DISCOVERY_DOCS`), with the cases that shaped it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use discogen::Options;
use discogen::resolve::{Method, Paging, Resource, Scalar, Type, resolve};

/// Every method of every document: `method id` → its paging (ids are unique per document; the
/// key holds the document too, `drive.v3 drive.files.list`).
fn survey() -> BTreeMap<String, Option<Paging>> {
    let dir = std::env::var_os("DISCOVERY_DOCS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/discovery-docs"),
        PathBuf::from,
    );
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|error| {
        panic!(
            "the corpus is read from {} (set DISCOVERY_DOCS to move it): {error}",
            dir.display()
        )
    });
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    let documents = paths.len();
    // Parsing 110 MB of JSON in a debug build: one share of the documents per core.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shares: Vec<&[PathBuf]> = paths.chunks(documents.div_ceil(workers).max(1)).collect();
    let methods = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    share
                        .iter()
                        .flat_map(|path| methods_of(path))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect::<BTreeMap<_, _>>()
    });
    assert_eq!(documents, 607, "documents in {}", dir.display());
    methods
}

/// The methods of one document, keyed as [`survey`] says.
fn methods_of(path: &std::path::Path) -> Vec<(String, Option<Paging>)> {
    let json = std::fs::read_to_string(path).unwrap();
    let document =
        discogen::parse::parse(&json).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let api = resolve(&document, &Options::default())
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let label = path.file_stem().unwrap().to_string_lossy().into_owned();
    let mut methods = Vec::new();
    let mut add = |method: &Method| {
        methods.push((format!("{label} {}", method.id), method.paging.clone()));
    };
    api.methods.iter().for_each(&mut add);
    let mut stack: Vec<&Resource> = api.resources.iter().collect();
    while let Some(resource) = stack.pop() {
        resource.methods.iter().for_each(&mut add);
        stack.extend(&resource.resources);
    }
    methods
}

fn paging<'a>(methods: &'a BTreeMap<String, Option<Paging>>, key: &str) -> Option<&'a Paging> {
    methods
        .get(key)
        .unwrap_or_else(|| panic!("no method {key}"))
        .as_ref()
}

/// The wire name of the items list of `key`; panics when the method does not page.
fn items_of<'a>(methods: &'a BTreeMap<String, Option<Paging>>, key: &str) -> Option<&'a str> {
    let paging = paging(methods, key).unwrap_or_else(|| panic!("{key} does not page"));
    assert_eq!(paging.token_field, "next_page_token", "{key}");
    paging.items.as_ref().map(|items| items.wire.as_str())
}

#[test]
fn the_corpus_pages_as_the_rule_says() {
    let methods = survey();

    // The usual names and the unusual ones.
    let expected_items = [
        ("storage.v1 storage.buckets.list", "items"),
        ("drive.v3 drive.files.list", "files"),
        ("gmail.v1 gmail.users.messages.list", "messages"),
        ("gmail.v1 gmail.users.history.list", "history"),
        ("compute.v1 compute.instances.list", "items"),
        ("bigquery.v2 bigquery.jobs.list", "jobs"),
        (
            "run.v2 run.projects.locations.operations.list",
            "operations",
        ),
        ("youtube.v3 youtube.playlistItems.list", "items"),
        // A required pageToken (a constructor argument) still pages.
        ("drive.v3 drive.changes.list", "changes"),
        // Beside a list of strings that is not what is listed: the one list of objects.
        ("storage.v1 storage.objects.list", "items"),
        (
            "bigtableadmin.v2 bigtableadmin.projects.instances.list",
            "instances",
        ),
        (
            "dataplex.v1 dataplex.projects.locations.lakes.list",
            "lakes",
        ),
        // Lists of strings, when they are the only list (unreachable… aside).
        ("logging.v2 logging.projects.logs.list", "logNames"),
        (
            "pubsub.v1 pubsub.projects.topics.subscriptions.list",
            "subscriptions",
        ),
        (
            "eventarc.v1 eventarc.projects.locations.messageBuses.listEnrollments",
            "enrollments",
        ),
    ];
    for (key, wire) in expected_items {
        assert_eq!(items_of(&methods, key), Some(wire), "{key}");
    }
    let logs = paging(&methods, "logging.v2 logging.projects.logs.list").unwrap();
    assert_eq!(
        logs.items.as_ref().unwrap().item,
        Type::Scalar(Scalar::String)
    );

    // Pages without items: two lists of objects, or no list but `unreachables` (compute's
    // aggregated lists, whose `items` is a map).
    for key in [
        "calendar.v3 calendar.events.list",
        "sqladmin.v1 sql.instances.list",
        "compute.v1 compute.subnetworks.listUsable",
        "compute.v1 compute.instances.aggregatedList",
        "monitoring.v3 monitoring.projects.timeSeries.list",
        "tagmanager.v2 tagmanager.accounts.containers.workspaces.folders.entities",
    ] {
        assert_eq!(items_of(&methods, key), None, "{key}");
    }

    // No pages: the response has no `nextPageToken` (BigQuery's tabledata.list answers
    // `pageToken`), the method takes no `pageToken` (searches with the token in the body), or
    // the token is bytes.
    for key in [
        "bigquery.v2 bigquery.tabledata.list",
        "bigquery.v2 bigquery.jobs.getQueryResults",
        "drive.v3 drive.files.get",
        "aiplatform.v1 aiplatform.projects.locations.migratableResources.search",
        "businessprofileperformance.v1 businessprofileperformance.locations.searchkeywords.impressions.monthly.list",
    ] {
        assert!(paging(&methods, key).is_none(), "{key} should not page");
    }

    // The whole corpus, counted independently (a Python walk over the JSON with the same
    // rule): 5,027 methods page, 4,765 of them with items.
    let paged: Vec<&Paging> = methods.values().flatten().collect();
    let with_items = paged.iter().filter(|paging| paging.items.is_some()).count();
    assert_eq!((paged.len(), with_items), (5027, 4765));
}
