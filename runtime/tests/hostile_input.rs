//! Hostile input from the caller, at the runtime's level: a part that holds the very boundary
//! the encoder drew makes it draw another. (Through generated code and TCP, the same and the
//! other caller inputs are tested in tests/tests/hostile_input.rs.)

use discogen_runtime::bytes::Bytes;
use discogen_runtime::http::{HeaderMap, HeaderValue, Method};
use discogen_runtime::multipart::{self, RequestPart};

fn part_with(body: &str, header: &str, path: &str) -> RequestPart {
    let mut headers = HeaderMap::new();
    headers.insert("x-note", HeaderValue::from_str(header).unwrap());
    RequestPart {
        content_id: "<base+1>".into(),
        method: Method::POST,
        path_and_query: path.into(),
        headers,
        body: Bytes::from(body.to_owned()),
    }
}

/// The boundaries the encoder would draw after seeding its random source with `seed`.
fn draws(seed: u64, count: usize) -> Vec<String> {
    fastrand::seed(seed);
    (0..count).map(|_| multipart::random_boundary()).collect()
}

#[test]
fn a_part_holding_the_drawn_boundary_makes_the_encoder_draw_another() {
    let drawn = draws(7, 4);
    // The first three draws each occur somewhere in a part: in a body (as a delimiter line),
    // in a header value, in the path.
    let parts = [
        part_with(&format!("x\r\n--{}\r\ny", drawn[0]), "plain", "/a"),
        part_with("{}", &drawn[1], "/b"),
        part_with("{}", "plain", &format!("/c?q={}", drawn[2])),
    ];
    for (index, boundary) in drawn[..3].iter().enumerate() {
        assert!(
            !multipart::boundary_is_safe(boundary, &parts),
            "draw {index}"
        );
    }
    fastrand::seed(7);
    let chosen = multipart::safe_boundary(&parts);
    assert_eq!(chosen, drawn[3], "the fourth draw is the first safe one");

    // Encoded with it, every part decodes whole: nothing the caller wrote split a part.
    let body = Bytes::from(multipart::encode_request(&chosen, &parts));
    let content_type = format!("multipart/mixed; boundary={chosen}");
    let decoded = multipart::decode_request(&content_type, body).unwrap();
    assert_eq!(decoded.len(), 3);
    for (got, sent) in decoded.iter().zip(&parts) {
        assert_eq!(got.body, sent.body);
        assert_eq!(got.path_and_query, sent.path_and_query);
        assert_eq!(got.headers["x-note"], sent.headers["x-note"]);
    }
}

#[test]
fn boundaries_that_are_not_valid_are_never_safe() {
    let parts = [part_with("{}", "plain", "/a")];
    let too_long = "b".repeat(71);
    for boundary in [
        "",
        "has space",
        "semi;colon",
        "quote\"",
        "crlf\r\n",
        too_long.as_str(),
    ] {
        assert!(
            !multipart::boundary_is_safe(boundary, &parts),
            "{boundary:?}"
        );
    }
    assert!(multipart::boundary_is_safe(&"b".repeat(70), &parts));
}
