//! Google's Python client (google-api-python-client) and ours, side by side against the same
//! peer: the same batch, run against two buckets seeded alike, gets the same outcomes call by
//! call; and the batch request we send reads, through Python's `email` parser as that client
//! uses it, as the same calls the Python client sends.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::peer::{PROJECT, peer, run_python, storage, storage_at, unique_bucket};
use crate::plan::{self, MIXED, Op, normalize, python_plan};
use crate::proxy::{Exchange, Proxy};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn googles_python_client_and_ours_agree_on_the_same_batch() {
    let python_bucket = unique_bucket("python");
    let rust_bucket = unique_bucket("rust");
    plan::seed(&storage(), &python_bucket).await;
    plan::seed(&storage(), &rust_bucket).await;
    let proxy = Proxy::start(&peer().url).await;

    let plan_json = serde_json::to_vec(&python_plan(&python_bucket, MIXED)).unwrap();
    let output = run_python("python_batch.py", vec![proxy.url()], plan_json).await;
    let output: Value = serde_json::from_slice(&output).expect("python_batch.py prints JSON");
    let python_outcomes: BTreeMap<String, Value> = output["outcomes"]
        .as_object()
        .expect("outcomes by request id")
        .iter()
        .map(|(id, outcome)| {
            let comparable = match outcome["status"].as_u64() {
                Some(status) => json!({
                    "status": status,
                    "body": normalize(&outcome["body"], &python_bucket),
                }),
                None => json!({"error": outcome["error"]}),
            };
            (id.clone(), comparable)
        })
        .collect();

    let (summary, rust_outcomes) =
        plan::run_batch(&storage_at(&proxy.url()), &rust_bucket, MIXED).await;
    assert_eq!(summary.http_requests, 1);
    let rust_outcomes = plan::comparable_all(&rust_outcomes, &rust_bucket);
    assert_eq!(rust_outcomes, python_outcomes);
    // Both agree on what the plan is meant to give, not on some common failure.
    assert_eq!(rust_outcomes["missing"]["status"], 404);
    assert_eq!(rust_outcomes["get"]["body"]["name"], "keep.txt");
    assert_eq!(
        rust_outcomes["patch"]["body"]["metadata"]["state"],
        "patched"
    );
    assert_eq!(
        rust_outcomes["list"]["body"]["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert_eq!(rust_outcomes["new-bucket"]["body"]["name"], "{new-bucket}");

    // On the wire: Python's batch request first, ours second.
    let batches: Vec<Exchange> = proxy
        .exchanges()
        .into_iter()
        .filter(|exchange| exchange.path() == "/batch/storage/v1")
        .collect();
    assert_eq!(batches.len(), 2, "one batch request from each client");
    let theirs = parse_with_python(&batches[0]).await;
    let ours = parse_with_python(&batches[1]).await;
    check_parts_are_the_plan(&ours, &rust_bucket);
    check_parts_are_the_plan(&theirs, &python_bucket);
    for ((our_part, their_part), step) in ours.iter().zip(&theirs).zip(MIXED) {
        assert_eq!(
            comparable_part(our_part, &rust_bucket),
            comparable_part(their_part, &python_bucket),
            "part {}: ours against Google's client's",
            step.id
        );
    }
}

/// The batch body as `parse_request.py` (Python's `email` FeedParser) reads it.
async fn parse_with_python(exchange: &Exchange) -> Vec<Value> {
    let content_type = exchange.header("content-type").expect("a Content-Type");
    assert!(
        content_type.starts_with("multipart/mixed; boundary="),
        "{content_type}"
    );
    let output = run_python(
        "parse_request.py",
        vec![content_type.to_owned()],
        exchange.body.to_vec(),
    )
    .await;
    let parsed: Value = serde_json::from_slice(&output).expect("parse_request.py prints JSON");
    parsed.as_array().expect("a list of parts").clone()
}

/// Checks that the parsed parts are the plan's calls, in order, with path-only targets.
fn check_parts_are_the_plan(parts: &[Value], bucket: &str) {
    assert_eq!(parts.len(), MIXED.len(), "{parts:#?}");
    for (part, step) in parts.iter().zip(MIXED) {
        assert_eq!(part["content_type"], "application/http", "{part:#}");
        assert_eq!(part["request_id"], step.id, "{part:#}");
        let target = part["target"].as_str().expect("a request target");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let object_path = |name: &str| format!("/storage/v1/b/{bucket}/o/{}", encode_segment(name));
        let (method, expected_path) = match step.op {
            Op::InsertBucket => ("POST", "/storage/v1/b".to_owned()),
            Op::Get(name) => ("GET", object_path(name)),
            Op::Patch(name, _) => ("PATCH", object_path(name)),
            Op::List(_) => ("GET", format!("/storage/v1/b/{bucket}/o")),
            Op::Delete(name) => ("DELETE", object_path(name)),
        };
        assert_eq!(part["method"], method, "{part:#}");
        assert_eq!(path, expected_path, "a path-only target: {part:#}");
        let query = query_without_alt(query);
        match step.op {
            Op::InsertBucket => assert_eq!(query, [("project".into(), PROJECT.into())]),
            Op::List(prefix) => assert_eq!(query, [("prefix".into(), prefix.into())]),
            _ => assert_eq!(query, Vec::<(String, String)>::new(), "{part:#}"),
        }
        let body = json_body(part);
        match step.op {
            Op::InsertBucket => assert_eq!(body, json!({"name": plan::new_bucket(bucket)})),
            Op::Patch(_, metadata) => {
                assert_eq!(body, json!({"metadata": crate::peer::string_map(metadata)}));
            }
            _ => assert_eq!(body, Value::Null, "no body: {part:#}"),
        }
    }
}

/// A part's method, target (bucket names replaced, Python's `alt=json` left out) and body, to
/// compare two clients' requests.
fn comparable_part(part: &Value, bucket: &str) -> Value {
    let target = part["target"].as_str().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let body = json_body(part);
    // Google's client labels even an empty body; only a body's type matters.
    let content_type = match body {
        Value::Null => None,
        _ => part["headers"]["content-type"]
            .as_str()
            .and_then(|t| t.split(';').next()),
    };
    json!({
        "content_type": content_type,
        "method": part["method"],
        "path": path.replace(bucket, "{bucket}"),
        "query": query_without_alt(query),
        "body": normalize(&body, bucket),
    })
}

/// The query's pairs, decoded, without `alt=json` (which Google's client adds to every call
/// and which is the default).
fn query_without_alt(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty() && *pair != "alt=json")
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_query_component(name), decode_query_component(value))
        })
        .collect()
}

/// `a+b%2Fc` → `a b/c`.
fn decode_query_component(text: &str) -> String {
    let text = text.replace('+', " ");
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        let hex = tail.get(..2).and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) if byte == b'%' => {
                bytes.push(decoded);
                rest = &tail[2..];
            }
            _ => {
                bytes.push(byte);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("a query that is not UTF-8: {e}"))
}

/// A part's body parsed as JSON; `null` when it has none.
fn json_body(part: &Value) -> Value {
    let body = part["body"].as_str().unwrap_or_default();
    if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {part:#}"))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as Google's client
/// expands `{object}` (RFC 6570 simple expansion).
fn encode_segment(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}
