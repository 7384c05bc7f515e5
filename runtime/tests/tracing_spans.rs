//! Spans (feature `tracing`): one per single call, per batch and per HTTP batch request, per
//! upload and download, with the API, method, request ids, status and attempt; never a
//! secret. A hand-written subscriber records them.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use common::*;
use discogen_runtime::testing::{Misbehavior, PartFailure, TestResponse, TestServer};
use discogen_runtime::{Auth, Media, StaticToken};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Clone, Debug)]
struct RecordedSpan {
    name: &'static str,
    fields: BTreeMap<String, String>,
    parent: Option<u64>,
}

impl RecordedSpan {
    fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("<missing>", String::as_str)
    }
}

/// Records every span with its fields; tracks the entered spans to know each one's parent
/// (the tests run on one thread).
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<Vec<RecordedSpan>>>,
    entered: Arc<Mutex<Vec<u64>>>,
}

impl Recorder {
    fn install() -> (Recorder, tracing::subscriber::DefaultGuard) {
        let recorder = Recorder::default();
        let guard = tracing::subscriber::set_default(recorder.clone());
        (recorder, guard)
    }

    /// The recorded spans named `discogen.*`, with their ids (from 1).
    fn discogen_spans(&self) -> Vec<(u64, RecordedSpan)> {
        self.spans
            .lock()
            .unwrap()
            .iter()
            .enumerate()
            .filter(|(_, span)| span.name.starts_with("discogen."))
            .map(|(index, span)| (index as u64 + 1, span.clone()))
            .collect()
    }

    fn named(&self, name: &str) -> Vec<(u64, RecordedSpan)> {
        let mut spans = self.discogen_spans();
        spans.retain(|(_, span)| span.name == name);
        spans
    }
}

struct Fields<'f>(&'f mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = BTreeMap::new();
        attributes.record(&mut Fields(&mut fields));
        let parent = match attributes.parent() {
            Some(parent) => Some(parent.into_u64()),
            None if attributes.is_contextual() => self.entered.lock().unwrap().last().copied(),
            None => None,
        };
        let mut spans = self.spans.lock().unwrap();
        spans.push(RecordedSpan {
            name: attributes.metadata().name(),
            fields,
            parent,
        });
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let span = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Fields(&mut span.fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(position) = entered.iter().rposition(|&id| id == span.into_u64()) {
            entered.remove(position);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_single_call_has_a_span_with_its_attempts_and_status() {
    let (recorder, _guard) = Recorder::install();
    let failures = Arc::new(Mutex::new(1));
    let left = failures.clone();
    let server = TestServer::start(move |_| {
        let mut left = left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return TestResponse::google_error(503, "busy");
        }
        TestResponse::json(200, &json!({"animalName": "pony"}))
    })
    .await;
    let client = farm_client(&server.url(), Auth::api_key("secret-key"));
    get_animal(&client, "pony").send().await.unwrap();
    let calls = recorder.named("discogen.call");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0].1;
    assert_eq!(call.field("api"), "farm");
    assert_eq!(call.field("api.version"), "v1");
    assert_eq!(call.field("method"), "farm.animals.get");
    assert_eq!(call.field("http.method"), "GET");
    assert_eq!(call.field("attempt"), "2");
    assert_eq!(call.field("status"), "200");
    assert_no_secret(&recorder, &["secret-key"]);
}

#[tokio::test(flavor = "current_thread")]
async fn a_batch_has_a_span_and_each_http_request_a_child_span_with_its_ids() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::builder()
        .batch_path("batch")
        .misbehavior(Misbehavior {
            fail_parts: vec![
                PartFailure::request_id("b", 503)
                    .for_batches(1)
                    .retry_after("0"),
            ],
            ..Misbehavior::default()
        })
        .start(|_| TestResponse::json(200, &json!({})))
        .await;
    let client = farm_client(&server.url(), StaticToken::bearer("secret-token"));
    let mut batch = client.new_batch();
    batch.max_calls_per_request(2);
    for id in ["a", "b", "c"] {
        get_animal(&client, id)
            .queue_with_id(&mut batch, id, |_, result| assert!(result.is_ok()))
            .unwrap();
    }
    let summary = batch.execute().await;
    assert_eq!(summary.http_requests, 3);

    let batches = recorder.named("discogen.batch");
    assert_eq!(batches.len(), 1);
    let (batch_id, batch_span) = &batches[0];
    assert_eq!(batch_span.field("api"), "farm");
    assert_eq!(batch_span.field("calls"), "3");
    assert_eq!(batch_span.field("http_requests"), "3");
    assert_eq!(batch_span.field("succeeded"), "3");
    assert_eq!(batch_span.field("failed"), "0");
    let requests: Vec<(String, String, String, String)> = recorder
        .named("discogen.batch_request")
        .into_iter()
        .map(|(_, span)| {
            assert_eq!(span.parent, Some(*batch_id), "a child of the batch span");
            (
                span.field("request_ids").to_owned(),
                span.field("calls").to_owned(),
                span.field("attempt").to_owned(),
                span.field("status").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("a,b", "2", "1", "200"),
        ("c", "1", "1", "200"),
        ("b", "1", "2", "200"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(requests, expected);
    assert_no_secret(&recorder, &["secret-token"]);
}

#[tokio::test(flavor = "current_thread")]
async fn long_id_lists_are_cut_and_say_how_many_more() {
    let (recorder, _guard) = Recorder::install();
    let server = TestServer::builder()
        .batch_path("batch")
        .start(|_| TestResponse::json(200, &json!({})))
        .await;
    let client = farm_client(&server.url(), Auth::None);
    let mut batch = client.new_batch();
    for n in 0..25 {
        get_animal(&client, "pony")
            .queue_with_id(&mut batch, format!("id{n}"), |_, _| {})
            .unwrap();
    }
    batch.execute().await;
    let requests = recorder.named("discogen.batch_request");
    let ids = requests[0].1.field("request_ids");
    let listed: Vec<String> = (0..20).map(|n| format!("id{n}")).collect();
    assert_eq!(ids, format!("{},… (5 more)", listed.join(",")));
    assert_eq!(requests[0].1.field("calls"), "25");
}

#[tokio::test(flavor = "current_thread")]
async fn uploads_and_downloads_have_spans() {
    let (recorder, _guard) = Recorder::install();
    let store = common::media::UploadStore::with_faults(Vec::new());
    let server = store.start_server().await;
    let client = farm_client(&server.url(), Auth::None);
    common::media::insert_photo(&client, &[], None)
        .upload(Media::new("image/png", common::media::media_bytes(300_000)))
        .chunk_size(256 * 1024)
        .send()
        .await
        .unwrap();
    let uploads = recorder.named("discogen.upload");
    assert_eq!(uploads.len(), 1);
    let upload = &uploads[0].1;
    assert_eq!(upload.field("method"), "farm.photos.insert");
    assert_eq!(upload.field("protocol"), "resumable");
    assert_eq!(upload.field("bytes_sent"), "300000");
    assert_eq!(upload.field("status"), "200");
    // The session's start is a call inside the upload's span.
    let starts = recorder.named("discogen.call");
    assert_eq!(starts[0].1.parent, Some(uploads[0].0));

    let server = TestServer::start(|_| TestResponse::status(200).with_body("media")).await;
    let client = farm_client(&server.url(), Auth::None);
    let mut stream = get_animal(&client, "pony")
        .download(false)
        .stream()
        .await
        .unwrap();
    while stream.body.next_chunk().await.is_some() {}
    get_animal(&client, "pony")
        .download(true)
        .send()
        .await
        .unwrap();
    let download_spans = recorder.named("discogen.download");
    // The streamed download's attempts are recorded on its own span.
    assert_eq!(download_spans[0].1.field("attempt"), "1");
    assert_eq!(download_spans[0].1.field("status"), "200");
    let downloads: Vec<(String, String)> = download_spans
        .into_iter()
        .map(|(_, span)| {
            (
                span.field("method").to_owned(),
                span.field("streamed").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        downloads,
        [
            ("farm.animals.get".to_owned(), "true".to_owned()),
            ("farm.animals.get".to_owned(), "false".to_owned())
        ]
    );
}

fn assert_no_secret(recorder: &Recorder, secrets: &[&str]) {
    for (_, span) in recorder.discogen_spans() {
        for value in span.fields.values() {
            for secret in secrets {
                assert!(!value.contains(secret), "{secret} in span {span:?}");
            }
        }
    }
}
