//! Object names that need percent-encoding in a path segment (`/`, spaces, non-ASCII, and
//! characters that mean something in a URL) round-trip through the generated client: the
//! server stores the name we meant, and gets, patches and deletes by name reach that object,
//! alone and in batches.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::peer::{
    create_bucket, download, list_names, put_object, storage, string_map, unique_bucket,
};

const NAMES: &[&str] = &[
    "dir/sub/file.txt",
    "with space.txt",
    "ünïcödé/日本語 ✓.txt",
    "plus+sign.txt",
    "percent%20literal.txt",
    "query?and#fragment.txt",
    "semi;colon,comma=equals&amp.txt",
];

#[tokio::test]
async fn names_round_trip_in_single_calls() {
    let storage = storage();
    let bucket = unique_bucket("names-single");
    create_bucket(&storage, &bucket).await;
    let objects = storage.objects();
    for (i, &name) in NAMES.iter().enumerate() {
        let content = format!("content {i}\n");
        let created = put_object(&storage, &bucket, name, "text/plain", content.clone(), &[]).await;
        assert_eq!(created.name.as_deref(), Some(name));

        let fetched = objects.get(&bucket, name).send().await;
        let fetched = fetched.unwrap_or_else(|e| panic!("get {name:?}: {e}")).body;
        assert_eq!(fetched.name.as_deref(), Some(name));
        assert_eq!(
            &download(&storage, &bucket, name).await[..],
            content.as_bytes()
        );

        let patch = crate::storage_v1::Object {
            metadata: Some(string_map(&[("n", &i.to_string())])),
            ..Default::default()
        };
        let patched = objects.patch(&bucket, name, patch).send().await;
        let patched = patched
            .unwrap_or_else(|e| panic!("patch {name:?}: {e}"))
            .body;
        assert_eq!(patched.name.as_deref(), Some(name));
        assert_eq!(patched.metadata, Some(string_map(&[("n", &i.to_string())])));
    }
    let mut expected: Vec<String> = NAMES.iter().map(|&n| n.to_owned()).collect();
    expected.sort();
    assert_eq!(list_names(&storage, &bucket, "").await, expected);

    for &name in NAMES {
        objects
            .delete(&bucket, name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("delete {name:?}: {e}"));
        let gone = objects.get(&bucket, name).send().await;
        assert_eq!(
            gone.err().and_then(|e| e.status()).map(|s| s.as_u16()),
            Some(404),
            "{name:?}"
        );
    }
    assert!(list_names(&storage, &bucket, "").await.is_empty());
}

#[tokio::test]
async fn names_round_trip_in_batches() {
    let storage = storage();
    let bucket = unique_bucket("names-batch");
    create_bucket(&storage, &bucket).await;
    for &name in NAMES {
        put_object(&storage, &bucket, name, "text/plain", name.to_owned(), &[]).await;
    }
    let objects = storage.objects();

    // Get and patch every object in one batch.
    let answers = Mutex::new(BTreeMap::new());
    let mut batch = storage.new_batch();
    for (i, &name) in NAMES.iter().enumerate() {
        let answers = &answers;
        objects
            .get(&bucket, name)
            .queue(&mut batch, move |_, result| {
                let object = result.unwrap_or_else(|e| panic!("get {name:?}: {e}")).body;
                answers
                    .lock()
                    .unwrap()
                    .insert(format!("get {name}"), object.name);
            })
            .unwrap();
        let patch = crate::storage_v1::Object {
            metadata: Some(string_map(&[("n", &i.to_string())])),
            ..Default::default()
        };
        objects
            .patch(&bucket, name, patch)
            .queue(&mut batch, move |_, result| {
                let object = result
                    .unwrap_or_else(|e| panic!("patch {name:?}: {e}"))
                    .body;
                assert_eq!(object.metadata, Some(string_map(&[("n", &i.to_string())])));
                answers
                    .lock()
                    .unwrap()
                    .insert(format!("patch {name}"), object.name);
            })
            .unwrap();
    }
    let summary = batch.execute().await;
    assert_eq!(
        (summary.succeeded, summary.failed),
        (2 * NAMES.len(), 0),
        "{summary:?}"
    );
    let answers = answers.into_inner().unwrap();
    assert_eq!(answers.len(), 2 * NAMES.len());
    for (call, name) in &answers {
        let (_, asked) = call.split_once(' ').unwrap();
        assert_eq!(name.as_deref(), Some(asked), "{call}");
    }
    for (i, &name) in NAMES.iter().enumerate() {
        let object = objects.get(&bucket, name).send().await.unwrap().body;
        assert_eq!(object.metadata, Some(string_map(&[("n", &i.to_string())])));
        assert_eq!(
            &download(&storage, &bucket, name).await[..],
            name.as_bytes()
        );
    }

    // Delete them all in one batch, then every get is a 404 (in a batch too).
    let mut batch = storage.new_batch();
    for &name in NAMES {
        objects
            .delete(&bucket, name)
            .queue(&mut batch, move |_, result| {
                result.unwrap_or_else(|e| panic!("delete {name:?}: {e}"));
            })
            .unwrap();
    }
    assert_eq!(batch.execute().await.succeeded, NAMES.len());
    let statuses = Mutex::new(Vec::new());
    let mut batch = storage.new_batch();
    for &name in NAMES {
        let statuses = &statuses;
        objects
            .get(&bucket, name)
            .queue(&mut batch, move |_, result| {
                let status = result.err().and_then(|e| e.status()).map(|s| s.as_u16());
                statuses.lock().unwrap().push((name, status));
            })
            .unwrap();
    }
    batch.execute().await;
    for (name, status) in statuses.into_inner().unwrap() {
        assert_eq!(status, Some(404), "{name:?} after its delete");
    }
    assert!(list_names(&storage, &bucket, "").await.is_empty());
}
