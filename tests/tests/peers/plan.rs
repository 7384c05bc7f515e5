//! The mixed batch of the interop tests, as data: the same steps are queued into a batch,
//! sent one by one, and handed to Google's Python client, against buckets seeded alike; their
//! outcomes are compared in a normalized form.

use std::collections::BTreeMap;
use std::sync::Mutex;

use discogen_runtime::{BatchSummary, Error, Response};
use serde_json::{Value, json};

use crate::peer::{PROJECT, create_bucket, put_object, string_map};
use crate::storage_v1::{Bucket, Object, Objects, Storage};

/// The object a step patches: a `/`, spaces and non-ASCII in one path segment.
pub const PATCHED: &str = "dir/patch me ✓.txt";
/// The metadata the patch step sets.
pub const PATCH_METADATA: &[(&str, &str)] = &[("state", "patched"), ("by", "batch")];

/// One call of the plan.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `buckets.insert` of the bucket [`new_bucket`] names.
    InsertBucket,
    /// `objects.get` (metadata) of an object.
    Get(&'static str),
    /// `objects.patch` of an object's metadata.
    Patch(&'static str, &'static [(&'static str, &'static str)]),
    /// `objects.list` with a prefix.
    List(&'static str),
    /// `objects.delete`.
    Delete(&'static str),
}

/// A call and its request id.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    pub id: &'static str,
    pub op: Op,
}

/// Bucket insert, metadata get, patch with a body, list, delete, and a get of a missing object.
pub const MIXED: &[Step] = &[
    Step {
        id: "new-bucket",
        op: Op::InsertBucket,
    },
    Step {
        id: "get",
        op: Op::Get("keep.txt"),
    },
    Step {
        id: "patch",
        op: Op::Patch(PATCHED, PATCH_METADATA),
    },
    Step {
        id: "list",
        op: Op::List("listed/"),
    },
    Step {
        id: "delete",
        op: Op::Delete("delete-me.txt"),
    },
    Step {
        id: "missing",
        op: Op::Get("missing.txt"),
    },
];

/// The bucket that the plan's bucket insert creates, for a plan run against `bucket`.
pub fn new_bucket(bucket: &str) -> String {
    format!("{bucket}-new")
}

/// Creates `bucket` with the objects the plan works on.
pub async fn seed(storage: &Storage, bucket: &str) {
    create_bucket(storage, bucket).await;
    let text = "text/plain";
    put_object(
        storage,
        bucket,
        "keep.txt",
        text,
        "kept\n",
        &[("color", "red")],
    )
    .await;
    put_object(
        storage,
        bucket,
        PATCHED,
        text,
        "patch\n",
        &[("state", "new")],
    )
    .await;
    put_object(storage, bucket, "delete-me.txt", text, "delete\n", &[]).await;
    put_object(storage, bucket, "listed/1.txt", text, "one\n", &[]).await;
    put_object(storage, bucket, "listed/2.txt", text, "two\n", &[]).await;
}

/// What a call of the plan answered, decoded into the generated types.
#[derive(Debug)]
pub enum Answer {
    Bucket(Box<Bucket>),
    Object(Box<Object>),
    Objects(Objects),
    Deleted,
}

fn bucket_answer(bucket: Bucket) -> Answer {
    Answer::Bucket(Box::new(bucket))
}

fn object_answer(object: Object) -> Answer {
    Answer::Object(Box::new(object))
}

/// A call's outcome: the status and the decoded answer, or the error.
pub type Outcome = Result<(u16, Answer), Error>;

fn outcome<T>(result: Result<Response<T>, Error>, answer: fn(T) -> Answer) -> Outcome {
    result.map(|response| (response.status.as_u16(), answer(response.body)))
}

/// Queues the plan into one batch against `bucket` and executes it.
pub async fn run_batch(
    storage: &Storage,
    bucket: &str,
    steps: &[Step],
) -> (BatchSummary, BTreeMap<String, Outcome>) {
    let outcomes = Mutex::new(BTreeMap::new());
    let mut batch = storage.new_batch();
    for step in steps {
        let id = step.id;
        let outcomes = &outcomes;
        let store = move |outcome: Outcome| {
            let earlier = outcomes.lock().unwrap().insert(id.to_owned(), outcome);
            assert!(earlier.is_none(), "the callback of {id} ran twice");
        };
        let objects = storage.objects();
        let queued =
            match step.op {
                Op::InsertBucket => storage
                    .buckets()
                    .insert(PROJECT, bucket_named(&new_bucket(bucket)))
                    .queue_with_id(&mut batch, id, move |_, r| store(outcome(r, bucket_answer))),
                Op::Get(name) => {
                    objects
                        .get(bucket, name)
                        .queue_with_id(&mut batch, id, move |_, r| store(outcome(r, object_answer)))
                }
                Op::Patch(name, metadata) => objects
                    .patch(bucket, name, metadata_patch(metadata))
                    .queue_with_id(&mut batch, id, move |_, r| store(outcome(r, object_answer))),
                Op::List(prefix) => objects.list(bucket).prefix(prefix).queue_with_id(
                    &mut batch,
                    id,
                    move |_, r| store(outcome(r, Answer::Objects)),
                ),
                Op::Delete(name) => {
                    objects
                        .delete(bucket, name)
                        .queue_with_id(&mut batch, id, move |_, r| {
                            store(outcome(r, |()| Answer::Deleted))
                        })
                }
            };
        queued.unwrap_or_else(|e| panic!("queuing {id}: {e}"));
    }
    let summary = batch.execute().await;
    (summary, outcomes.into_inner().unwrap())
}

/// Sends the plan's calls one by one, in order, against `bucket`.
pub async fn run_singly(
    storage: &Storage,
    bucket: &str,
    steps: &[Step],
) -> BTreeMap<String, Outcome> {
    let mut outcomes = BTreeMap::new();
    for step in steps {
        let objects = storage.objects();
        let outcome = match step.op {
            Op::InsertBucket => outcome(
                storage
                    .buckets()
                    .insert(PROJECT, bucket_named(&new_bucket(bucket)))
                    .send()
                    .await,
                bucket_answer,
            ),
            Op::Get(name) => outcome(objects.get(bucket, name).send().await, object_answer),
            Op::Patch(name, metadata) => outcome(
                objects
                    .patch(bucket, name, metadata_patch(metadata))
                    .send()
                    .await,
                object_answer,
            ),
            Op::List(prefix) => outcome(
                objects.list(bucket).prefix(prefix).send().await,
                Answer::Objects,
            ),
            Op::Delete(name) => outcome(objects.delete(bucket, name).send().await, |()| {
                Answer::Deleted
            }),
        };
        outcomes.insert(step.id.to_owned(), outcome);
    }
    outcomes
}

/// The plan as `python_batch.py` reads it: the same calls with the Python client's parameter
/// names.
pub fn python_plan(bucket: &str, steps: &[Step]) -> Value {
    let calls = steps.iter().map(|step| {
        let id = step.id;
        match step.op {
            Op::InsertBucket => json!({
                "id": id, "method": "buckets.insert",
                "params": {"project": PROJECT}, "body": {"name": new_bucket(bucket)},
            }),
            Op::Get(name) => json!({
                "id": id, "method": "objects.get", "params": {"bucket": bucket, "object": name},
            }),
            Op::Patch(name, metadata) => json!({
                "id": id, "method": "objects.patch",
                "params": {"bucket": bucket, "object": name},
                "body": {"metadata": string_map(metadata)},
            }),
            Op::List(prefix) => json!({
                "id": id, "method": "objects.list", "params": {"bucket": bucket, "prefix": prefix},
            }),
            Op::Delete(name) => json!({
                "id": id, "method": "objects.delete", "params": {"bucket": bucket, "object": name},
            }),
        }
    });
    Value::Array(calls.collect())
}

fn bucket_named(name: &str) -> Bucket {
    Bucket {
        name: Some(name.to_owned()),
        ..Bucket::default()
    }
}

fn metadata_patch(metadata: &[(&str, &str)]) -> Object {
    Object {
        metadata: Some(string_map(metadata)),
        ..Object::default()
    }
}

/// Fields compared between clients: what the calls are about, not what differs from one run to
/// the next (generations, timestamps, etags, links that hold the host).
const COMPARED_FIELDS: &[&str] = &[
    "kind",
    "name",
    "bucket",
    "size",
    "contentType",
    "metadata",
    "md5Hash",
    "crc32c",
    "items",
    "prefixes",
];

/// `value` with only the compared fields, and the run's bucket names replaced by placeholders.
pub fn normalize(value: &Value, bucket: &str) -> Value {
    let new = new_bucket(bucket);
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| COMPARED_FIELDS.contains(&key.as_str()))
                .map(|(key, value)| match key.as_str() {
                    // The user's own keys: all of them are compared.
                    "metadata" => (key.clone(), value.clone()),
                    _ => (key.clone(), normalize(value, bucket)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| normalize(v, bucket)).collect()),
        Value::String(text) if *text == new => Value::String("{new-bucket}".into()),
        Value::String(text) if text == bucket => Value::String("{bucket}".into()),
        other => other.clone(),
    }
}

/// An outcome in the form every client's outcomes are compared in:
/// `{"status": 200, "body": <normalized>}`, with a `null` body for errors.
pub fn comparable(outcome: &Outcome, bucket: &str) -> Value {
    match outcome {
        Ok((status, answer)) => {
            let body = match answer {
                Answer::Bucket(bucket) => serde_json::to_value(bucket),
                Answer::Object(object) => serde_json::to_value(object),
                Answer::Objects(objects) => serde_json::to_value(objects),
                Answer::Deleted => Ok(Value::Null),
            }
            .expect("generated types serialize");
            json!({"status": status, "body": normalize(&body, bucket)})
        }
        Err(error) => match error.status() {
            Some(status) => json!({"status": status.as_u16(), "body": null}),
            None => json!({"error": error.to_string()}),
        },
    }
}

/// Every outcome of a run in comparable form, by request id.
pub fn comparable_all(
    outcomes: &BTreeMap<String, Outcome>,
    bucket: &str,
) -> BTreeMap<String, Value> {
    outcomes
        .iter()
        .map(|(id, outcome)| (id.clone(), comparable(outcome, bucket)))
        .collect()
}
