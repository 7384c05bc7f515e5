//! Batches against fake-gcs-server: a mixed batch, the same calls sent one by one, 1000 calls
//! in one HTTP request and 2500 split into three.

use std::collections::BTreeMap;
use std::sync::Mutex;

use discogen_runtime::multipart::{decode_request, decoded_request_id};
use discogen_runtime::{Error, MAX_CALLS_PER_REQUEST};

use crate::peer::{
    create_bucket, list_names, put_object, storage, storage_at, string_map, unique_bucket,
};
use crate::plan::{self, Answer, MIXED, PATCH_METADATA, PATCHED, new_bucket};
use crate::proxy::Proxy;
use crate::storage_v1::{Object, Storage};

#[tokio::test]
async fn a_mixed_batch_succeeds_call_by_call_and_a_missing_object_is_a_404() {
    let storage = storage();
    let bucket = unique_bucket("mixed");
    plan::seed(&storage, &bucket).await;

    let (summary, outcomes) = plan::run_batch(&storage, &bucket, MIXED).await;
    assert_eq!(
        (summary.succeeded, summary.failed, summary.http_requests),
        (5, 1, 1),
        "{summary:?}"
    );
    assert!(summary.unmatched_parts.is_empty(), "{summary:?}");
    assert_eq!(outcomes.len(), MIXED.len());

    match &outcomes["new-bucket"] {
        Ok((_, Answer::Bucket(created))) => {
            assert_eq!(created.name.as_deref(), Some(new_bucket(&bucket).as_str()));
            assert_eq!(created.kind.as_deref(), Some("storage#bucket"));
        }
        other => panic!("bucket insert: {other:?}"),
    }
    match &outcomes["get"] {
        Ok((200, Answer::Object(object))) => {
            assert_eq!(object.name.as_deref(), Some("keep.txt"));
            assert_eq!(object.bucket.as_deref(), Some(bucket.as_str()));
            assert_eq!(object.size, Some(5));
            assert_eq!(object.content_type.as_deref(), Some("text/plain"));
            assert_eq!(object.metadata, Some(string_map(&[("color", "red")])));
        }
        other => panic!("object get: {other:?}"),
    }
    match &outcomes["patch"] {
        Ok((200, Answer::Object(object))) => {
            assert_eq!(object.name.as_deref(), Some(PATCHED));
            assert_eq!(object.metadata, Some(string_map(PATCH_METADATA)));
        }
        other => panic!("object patch: {other:?}"),
    }
    match &outcomes["list"] {
        Ok((200, Answer::Objects(list))) => {
            let names: Vec<_> = list
                .items
                .iter()
                .flatten()
                .map(|o| o.name.as_deref())
                .collect();
            assert_eq!(names, [Some("listed/1.txt"), Some("listed/2.txt")]);
            assert_eq!(list.kind.as_deref(), Some("storage#objects"));
        }
        other => panic!("object list: {other:?}"),
    }
    assert!(
        matches!(outcomes["delete"], Ok((200, Answer::Deleted))),
        "object delete: {:?}",
        outcomes["delete"]
    );
    match &outcomes["missing"] {
        Err(Error::Api(error)) => {
            assert_eq!(error.status, 404);
            assert_eq!(error.error.as_ref().map(|e| e.code), Some(404));
        }
        other => panic!("get of a missing object: expected a 404, got {other:?}"),
    }

    // The batch did the work on the server.
    let objects = storage.objects();
    let gone = objects.get(&bucket, "delete-me.txt").send().await;
    assert_eq!(
        gone.err().and_then(|e| e.status()).map(|s| s.as_u16()),
        Some(404)
    );
    let patched = objects.get(&bucket, PATCHED).send().await.unwrap().body;
    assert_eq!(patched.metadata, Some(string_map(PATCH_METADATA)));
    let created = storage
        .buckets()
        .get(&new_bucket(&bucket))
        .send()
        .await
        .unwrap()
        .body;
    assert_eq!(created.name, Some(new_bucket(&bucket)));
}

#[tokio::test]
async fn the_same_calls_sent_one_by_one_give_the_same_results_as_in_a_batch() {
    let storage = storage();
    let batched = unique_bucket("batched");
    let single = unique_bucket("single");
    plan::seed(&storage, &batched).await;
    plan::seed(&storage, &single).await;

    let (_, in_batch) = plan::run_batch(&storage, &batched, MIXED).await;
    let one_by_one = plan::run_singly(&storage, &single, MIXED).await;
    assert_eq!(
        plan::comparable_all(&in_batch, &batched),
        plan::comparable_all(&one_by_one, &single)
    );
    // And they leave the buckets alike.
    let batched_names = list_names(&storage, &batched, "").await;
    assert_eq!(batched_names, list_names(&storage, &single, "").await);
    assert!(!batched_names.iter().any(|name| name == "delete-me.txt"));
}

/// Copies of one object (`objects.copy`, each with its own metadata) into `bucket`, `count`
/// calls in one batch sent through `proxy`; checks every callback's answer and returns the
/// batch requests seen on the wire as (part count, request ids).
async fn batch_of_copies(
    storage: &Storage,
    proxy: &Proxy,
    bucket: &str,
    count: usize,
) -> (discogen_runtime::BatchSummary, Vec<Vec<String>>) {
    let answered = Mutex::new(BTreeMap::<String, usize>::new());
    let mut batch = storage.new_batch();
    for i in 0..count {
        let name = copy_name(i);
        let metadata = Object {
            metadata: Some(string_map(&[("index", &i.to_string())])),
            ..Object::default()
        };
        let answered = &answered;
        storage
            .objects()
            .copy(bucket, "source.txt", bucket, &name, metadata)
            .queue(&mut batch, move |id, result| {
                *answered.lock().unwrap().entry(id.to_owned()).or_default() += 1;
                let copy = result.unwrap_or_else(|e| panic!("copy {i}: {e}")).body;
                assert_eq!(copy.name.as_deref(), Some(name.as_str()));
                assert_eq!(copy.size, Some(7));
                assert_eq!(
                    copy.metadata,
                    Some(string_map(&[("index", &i.to_string())]))
                );
            })
            .unwrap();
    }
    let summary = batch.execute().await;
    let answered = answered.into_inner().unwrap();
    assert_eq!(answered.len(), count, "every call has a callback");
    assert!(
        answered.values().all(|&n| n == 1),
        "every callback runs once"
    );

    let on_the_wire = proxy
        .exchanges()
        .into_iter()
        .filter(|exchange| exchange.path() == "/batch/storage/v1")
        .map(|exchange| {
            let content_type = exchange.header("content-type").expect("a content type");
            let parts = decode_request(content_type, exchange.body.clone())
                .unwrap_or_else(|e| panic!("our own batch request does not decode: {e}"));
            parts
                .iter()
                .map(|part| {
                    assert!(part.path_and_query.starts_with("/storage/v1/b/"));
                    decoded_request_id(part.content_id.as_deref().expect("a Content-ID"))
                        .expect("a request id in the Content-ID")
                })
                .collect()
        })
        .collect();
    (summary, on_the_wire)
}

fn copy_name(i: usize) -> String {
    format!("copies/{i:04}")
}

async fn seed_source(storage: &Storage, bucket: &str) {
    create_bucket(storage, bucket).await;
    put_object(storage, bucket, "source.txt", "text/plain", "source\n", &[]).await;
}

#[tokio::test]
async fn a_thousand_calls_go_in_one_http_request() {
    let bucket = unique_bucket("thousand");
    seed_source(&storage(), &bucket).await;
    let proxy = Proxy::start(&crate::peer::peer().url).await;
    let storage = storage_at(&proxy.url());

    let (summary, on_the_wire) = batch_of_copies(&storage, &proxy, &bucket, 1000).await;
    assert_eq!(
        (summary.succeeded, summary.failed),
        (1000, 0),
        "{summary:?}"
    );
    assert_eq!(summary.http_requests, 1);
    assert_eq!(on_the_wire.len(), 1, "one HTTP request");
    assert_eq!(on_the_wire[0].len(), 1000);

    let names = list_names(&storage, &bucket, "copies/").await;
    assert_eq!(names, (0..1000).map(copy_name).collect::<Vec<_>>());
}

#[tokio::test]
async fn twenty_five_hundred_calls_are_split_into_three_http_requests() {
    let bucket = unique_bucket("split");
    seed_source(&storage(), &bucket).await;
    let proxy = Proxy::start(&crate::peer::peer().url).await;
    let storage = storage_at(&proxy.url());

    let (summary, on_the_wire) = batch_of_copies(&storage, &proxy, &bucket, 2500).await;
    assert_eq!(
        (summary.succeeded, summary.failed),
        (2500, 0),
        "{summary:?}"
    );
    assert_eq!(summary.http_requests, 3);
    let mut sizes: Vec<usize> = on_the_wire.iter().map(Vec::len).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [500, MAX_CALLS_PER_REQUEST, MAX_CALLS_PER_REQUEST]);
    let mut ids: Vec<String> = on_the_wire.into_iter().flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2500, "each call went in exactly one request");

    // Read back in one batch too: each copy has its own metadata.
    let metadata = Mutex::new(BTreeMap::new());
    let mut batch = storage.new_batch();
    for i in 0..2500 {
        let metadata = &metadata;
        storage
            .objects()
            .get(&bucket, &copy_name(i))
            .queue(&mut batch, move |_, result| {
                let object = result.unwrap_or_else(|e| panic!("get {i}: {e}")).body;
                metadata.lock().unwrap().insert(i, object.metadata);
            })
            .unwrap();
    }
    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.http_requests), (2500, 3));
    let metadata = metadata.into_inner().unwrap();
    assert_eq!(metadata.len(), 2500);
    for (i, metadata) in metadata {
        assert_eq!(metadata, Some(string_map(&[("index", &i.to_string())])));
    }
}
