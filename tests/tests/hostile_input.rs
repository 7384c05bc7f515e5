//! Hostile input from the caller, through generated code over TCP: path parameters that try to
//! leave their segment (`{name}`) or the path (`{+name}`), `.`/`..` segments, CR/LF in header
//! values and request ids, ids too long or not printable, and a body that carries a batch
//! delimiter and a whole forged part. Nothing leaves its place, and whatever is refused is
//! refused before anything is sent. (SECURITY.md lists every hostile input.)

use std::sync::{Arc, Mutex};

use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use discogen_runtime::{Error, MAX_REQUEST_ID_LEN};
use generated_example::farm_v1::{Animal, Farm};

/// The generator's fixture Farm (its `get` has `v1/{+name}`), as generated and checked in.
#[allow(dead_code)]
mod fixture_farm {
    include!("../../generator/tests/snapshots/farm_v1.rs");
}

/// Answers every request with an empty animal; the test looks at what was received.
async fn server() -> TestServer {
    TestServer::start(|_: &TestRequest| {
        TestResponse::json(200, &discogen_runtime::serde_json::json!({}))
    })
    .await
}

fn farm(server: &TestServer) -> Farm {
    Farm::builder().root_url(server.url()).build().unwrap()
}

/// Everything that reached a handler: single calls and batch parts, as raw paths.
fn paths_received(server: &TestServer) -> Vec<String> {
    let singles = server
        .requests()
        .into_iter()
        .filter(|r| r.batch.is_none() && !r.path.ends_with("/batch"));
    singles.chain(server.parts()).map(|r| r.path).collect()
}

/// Sends `name` alone and in a batch; returns the paths the server received.
async fn get_both_ways(farm: &Farm, server: &TestServer, name: &str) -> Vec<String> {
    farm.animals().get(name).send().await.unwrap();
    let mut batch = farm.new_batch();
    farm.animals()
        .get(name)
        .queue(&mut batch, |_, result| {
            result.unwrap();
        })
        .unwrap();
    assert_eq!(batch.execute().await.succeeded, 1);
    let paths = paths_received(server);
    server.clear_records();
    paths
}

const HOSTILE: &str = "a/b?c=d&e#f%20g h\r\nX-Injected: 1\u{0}é";
const HOSTILE_SEGMENT: &str = "a%2Fb%3Fc%3Dd%26e%23f%2520g%20h%0D%0AX-Injected%3A%201%00%C3%A9";

#[tokio::test]
async fn a_path_parameter_stays_inside_its_segment() {
    let server = server().await;
    let farm = farm(&server);
    let expected = format!("/farm/v1/animals/{HOSTILE_SEGMENT}");
    assert_eq!(
        get_both_ways(&farm, &server, HOSTILE).await,
        [expected.clone(), expected]
    );
    // `%2e%2e` typed by the caller is text, not a dot segment: its `%` is encoded.
    assert_eq!(
        get_both_ways(&farm, &server, "%2e%2e").await,
        ["/farm/v1/animals/%252e%252e", "/farm/v1/animals/%252e%252e"]
    );
}

#[tokio::test]
async fn a_reserved_path_parameter_keeps_slashes_and_encodes_the_rest() {
    let server = server().await;
    let hub = fixture_farm::Farm::builder()
        .root_url(server.url())
        .build()
        .unwrap();
    let name = format!("farms/1/animals/{HOSTILE}");
    hub.animals().get(&name).send().await.unwrap();
    let mut batch = hub.new_batch();
    hub.animals()
        .get(&name)
        .queue(&mut batch, |_, result| {
            result.unwrap();
        })
        .unwrap();
    batch.execute().await;
    // `{+name}` keeps `/` (and RFC 3986's path characters `=&`), encodes `?#%`, space, CR, LF.
    let expected =
        "/farm/v1/v1/farms/1/animals/a/b%3Fc=d&e%23f%2520g%20h%0D%0AX-Injected:%201%00%C3%A9";
    assert_eq!(paths_received(&server), [expected, expected]);
}

#[tokio::test]
async fn dot_segments_are_refused_before_anything_is_sent() {
    let server = server().await;
    let farm = farm(&server);
    for name in [".", ".."] {
        let error = farm.animals().get(name).send().await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidRequest(m) if m.contains("`..` segment")),
            "{name}: {error}"
        );
        let mut batch = farm.new_batch();
        let queued = farm.animals().delete(name).queue(&mut batch, |_, _| {});
        assert!(matches!(queued, Err(Error::InvalidRequest(_))), "{name}");
        assert!(batch.is_empty());
    }
    // Through `{+name}`, where `/` is kept: `..` could climb out of the collection.
    let hub = fixture_farm::Farm::builder()
        .root_url(server.url())
        .build()
        .unwrap();
    for name in ["farms/1/../../admin", "..", "farms/1/animals/.", "./farms"] {
        let error = hub.animals().get(name).send().await.unwrap_err();
        assert!(matches!(error, Error::InvalidRequest(_)), "{name}: {error}");
    }
    // Dots inside a segment, and a typed `%2e%2E` (its `%` is encoded), are ordinary text.
    hub.animals()
        .get("farms/1/animals/..pony")
        .send()
        .await
        .unwrap();
    hub.animals().get("farms/%2e%2E/x").send().await.unwrap();
    assert_eq!(
        paths_received(&server),
        [
            "/farm/v1/v1/farms/1/animals/..pony",
            "/farm/v1/v1/farms/%252e%252E/x"
        ],
        "only the last two calls went out"
    );
}

#[tokio::test]
async fn cr_or_lf_in_a_header_value_is_refused_before_anything_is_sent() {
    let server = server().await;
    let farm = farm(&server);
    for etag in [
        "\"x\"\r\nX-Injected: 1",
        "\"x\"\nX-Injected: 1",
        "\"x\"\r",
        "\u{0}",
    ] {
        let error = farm
            .animals()
            .get("pony")
            .if_none_match(etag)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidRequest(_)),
            "{etag:?}: {error}"
        );
        let mut batch = farm.new_batch();
        let queued = farm
            .animals()
            .update("pony", Animal::default())
            .if_match(etag)
            .queue(&mut batch, |_, _| {});
        assert!(matches!(queued, Err(Error::InvalidRequest(_))), "{etag:?}");
        // The rest of the batch is unaffected.
        farm.animals()
            .get("sheep")
            .queue(&mut batch, |_, result| {
                result.unwrap();
            })
            .unwrap();
        assert_eq!(batch.execute().await.succeeded, 1);
    }
    assert_eq!(server.single_calls_received(), 0);
    let parts = server.parts();
    assert_eq!(parts.len(), 4);
    for part in parts {
        assert_eq!(part.path, "/farm/v1/animals/sheep");
        assert!(part.headers.get("x-injected").is_none());
    }
}

#[tokio::test]
async fn bad_request_ids_are_refused_and_a_longest_one_round_trips() {
    let server = server().await;
    let farm = farm(&server);
    let mut batch = farm.new_batch();
    let too_long = "x".repeat(MAX_REQUEST_ID_LEN + 1);
    for id in [
        "a\r\nContent-ID: <forged+1>",
        "a\nb",
        "tab\there",
        "del\u{7f}",
        "caf\u{e9}",
        "",
        too_long.as_str(),
    ] {
        let queued = farm
            .animals()
            .get("pony")
            .queue_with_id(&mut batch, id, |_, _| {});
        match queued {
            Err(Error::InvalidRequest(message)) => assert!(!message.is_empty()),
            other => panic!("{id:?}: {other:?}"),
        }
    }
    assert!(batch.is_empty());
    // The longest id allowed, made of every printable character that needs escaping.
    let longest: String = " +%<>\"@"
        .chars()
        .cycle()
        .take(MAX_REQUEST_ID_LEN)
        .collect();
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    farm.animals()
        .get("pony")
        .queue_with_id(&mut batch, longest.clone(), move |id, result| {
            result.unwrap();
            seen.lock().unwrap().push(id.to_owned());
        })
        .unwrap();
    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.failed), (1, 0));
    assert_eq!(
        got.lock().unwrap().as_slice(),
        std::slice::from_ref(&longest)
    );
    assert_eq!(
        server.parts()[0].request_id().as_deref(),
        Some(longest.as_str())
    );
}

#[tokio::test]
async fn a_body_holding_a_delimiter_and_a_forged_part_stays_one_body() {
    let server = server().await;
    let farm = farm(&server);
    // What a caller would write to smuggle a second request into the batch, with the shape
    // of the runtime's own boundaries.
    let forged = "\r\n--batch_0123456789abcdefABCDEF0123456789\r\nContent-Type: application/http\r\n\
                  Content-ID: <forged+2>\r\n\r\nDELETE /farm/v1/animals/pony HTTP/1.1\r\n\r\n\r\n\
                  --batch_0123456789abcdefABCDEF0123456789--\r\n--\r\n--";
    let animal = Animal {
        animal_name: Some(forged.to_owned()),
        ..Animal::default()
    };
    let mut batch = farm.new_batch();
    farm.animals()
        .insert(animal.clone())
        .queue(&mut batch, |_, result| {
            result.unwrap();
        })
        .unwrap();
    assert_eq!(batch.execute().await.succeeded, 1);
    let parts = server.parts();
    assert_eq!(parts.len(), 1, "one part, no forged second one");
    assert_eq!(parts[0].method, "POST");
    let sent: discogen_runtime::serde_json::Value =
        discogen_runtime::serde_json::from_slice(&parts[0].body).unwrap();
    assert_eq!(sent["animalName"], forged);
}
