//! The invariants of the batch decoders, shared by the `decode_response` fuzz target and the
//! runtime test that replays its seeds and regression inputs (runtime/tests/fuzz_replay.rs).
//!
//! An input is a content type and a body: its first line (up to the first LF) is the outer
//! Content-Type, the rest is the body. Beyond "no panic", for each decoder (responses, strict
//! and lenient; requests, strict and lenient):
//! - no more than `MAX_PARTS` parts;
//! - every decoded body is a slice of the input, and the bodies of successive parts neither
//!   overlap nor go backwards (one call's bytes never reach another's answer);
//! - the strict decoder succeeds exactly when the lenient one finds no problem, and then
//!   both return the same parts; otherwise the strict error is the lenient one's first;
//! - error offsets lie within the body and name a part that exists;
//! - what decodes, encoded again with a safe boundary, decodes to the same parts.

use bytes::Bytes;
use discogen_runtime::http::HeaderMap;
use discogen_runtime::http::header::CONTENT_LENGTH;
use discogen_runtime::multipart::{
    self, DecodeError, DecodedParts, DecodedRequestPart, MAX_PARTS, RequestPart, ResponsePart,
};

/// Decodes `data` (Content-Type line, LF, body) with every decoder and checks the invariants
/// above; panics on the first one broken.
pub fn check_decoders(data: &[u8]) {
    let (content_type, body) = match first_lf(data) {
        Some(lf) => (&data[..lf], &data[lf + 1..]),
        None => (data, &data[data.len()..]),
    };
    let content_type = String::from_utf8_lossy(content_type);
    // A buffer of its own, so that "a slice of the input" means a slice of exactly this.
    let body = Bytes::copy_from_slice(body);

    let strict = multipart::decode_response_bytes(&content_type, body.clone());
    let lenient = multipart::decode_response_lenient(&content_type, body.clone());
    check_parts(&body, &lenient, |p| &p.body);
    check_agreement(&body, &strict, &lenient);
    if let Ok(parts) = strict {
        check_response_round_trip(&parts);
    }

    let strict = multipart::decode_request(&content_type, body.clone());
    let lenient = multipart::decode_request_lenient(&content_type, body.clone());
    check_parts(&body, &lenient, |p| &p.body);
    check_agreement(&body, &strict, &lenient);
    if let Ok(parts) = strict {
        check_request_round_trip(&parts);
    }
}

fn first_lf(data: &[u8]) -> Option<usize> {
    data.iter().position(|&b| b == b'\n')
}

/// Part count, error positions, and bodies as ordered, disjoint slices of `input`.
fn check_parts<T>(input: &Bytes, decoded: &DecodedParts<T>, body_of: fn(&T) -> &Bytes) {
    assert!(
        decoded.parts.len() <= MAX_PARTS,
        "{} parts",
        decoded.parts.len()
    );
    if let Some(error) = &decoded.error {
        check_error(input, error, decoded.parts.len());
    }
    let base = input.as_ptr() as usize;
    let mut previous_end = 0;
    for (index, part) in decoded.parts.iter().enumerate() {
        let part = match part {
            Ok(part) => part,
            Err(part_error) => {
                assert_eq!(part_error.error.part, Some(index), "{part_error}");
                check_error(input, &part_error.error, decoded.parts.len());
                continue;
            }
        };
        let body = body_of(part);
        if body.is_empty() {
            continue;
        }
        let start = (body.as_ptr() as usize).wrapping_sub(base);
        assert!(
            start <= input.len() && body.len() <= input.len() - start,
            "part {index}: its body is not a slice of the input"
        );
        assert!(
            start >= previous_end,
            "part {index}: its body starts at byte {start}, inside the previous part's body \
             (which ends at {previous_end})"
        );
        previous_end = start + body.len();
    }
}

fn check_error(input: &Bytes, error: &DecodeError, parts: usize) {
    assert!(error.offset <= input.len(), "offset past the end: {error}");
    if let Some(part) = error.part {
        assert!(part < parts, "names part {part} of {parts}: {error}");
    }
    assert!(!error.to_string().is_empty());
}

/// The strict decoder is the lenient one's `into_result`: same parts, or its first error.
fn check_agreement<T: PartialEq + std::fmt::Debug>(
    input: &Bytes,
    strict: &Result<Vec<T>, DecodeError>,
    lenient: &DecodedParts<T>,
) {
    let lenient_clean = lenient.error.is_none() && lenient.parts.iter().all(Result::is_ok);
    match strict {
        Ok(parts) => {
            assert!(
                lenient_clean,
                "strict decoded, lenient found a problem: {lenient:?}"
            );
            assert_eq!(parts.len(), lenient.parts.len());
            for (strict_part, lenient_part) in parts.iter().zip(&lenient.parts) {
                assert_eq!(Some(strict_part), lenient_part.as_ref().ok());
            }
        }
        Err(error) => {
            assert!(
                !lenient_clean,
                "strict failed ({error}), lenient found no problem"
            );
            let first = lenient
                .parts
                .iter()
                .find_map(|p| p.as_ref().err().map(|e| &e.error))
                .or(lenient.error.as_ref());
            assert_eq!(Some(error), first);
            check_error(input, error, lenient.parts.len());
        }
    }
}

/// A boundary that occurs nowhere in the parts, picked deterministically so that a crash
/// reproduces.
fn boundary(is_safe: impl Fn(&str) -> bool) -> String {
    (0..)
        .map(|n| format!("fuzz_boundary_{n}"))
        .find(|b| is_safe(b))
        .expect("some boundary is safe")
}

/// What the encoders normalise: they write the real Content-Length (none for an empty body)
/// and no Content-ID header for an empty one.
fn without_content_length(headers: &HeaderMap) -> HeaderMap {
    let mut headers = headers.clone();
    headers.remove(CONTENT_LENGTH);
    headers
}

fn normal_content_id(id: Option<&str>) -> Option<&str> {
    id.filter(|id| !id.is_empty())
}

fn check_response_round_trip(parts: &[ResponsePart]) {
    let boundary = boundary(|b| multipart::response_boundary_is_safe(b, parts));
    let encoded = Bytes::from(multipart::encode_response(&boundary, parts));
    let content_type = format!("multipart/mixed; boundary={boundary}");
    let again = multipart::decode_response_bytes(&content_type, encoded)
        .unwrap_or_else(|e| panic!("re-encoded response does not decode: {e}"));
    assert_eq!(again.len(), parts.len());
    for (index, (got, sent)) in again.iter().zip(parts).enumerate() {
        assert_eq!(got.status, sent.status, "part {index}");
        assert_eq!(got.body, sent.body, "part {index}");
        assert_eq!(
            normal_content_id(got.content_id.as_deref()),
            normal_content_id(sent.content_id.as_deref()),
            "part {index}"
        );
        assert_eq!(
            without_content_length(&got.headers),
            without_content_length(&sent.headers),
            "part {index}"
        );
    }
}

fn check_request_round_trip(parts: &[DecodedRequestPart]) {
    let parts: Vec<RequestPart> = parts
        .iter()
        .map(|p| RequestPart {
            content_id: p.content_id.clone().unwrap_or_default(),
            method: p.method.clone(),
            path_and_query: p.path_and_query.clone(),
            headers: p.headers.clone(),
            body: p.body.clone(),
        })
        .collect();
    let boundary = boundary(|b| multipart::boundary_is_safe(b, &parts));
    let encoded = Bytes::from(multipart::encode_request(&boundary, &parts));
    let content_type = format!("multipart/mixed; boundary={boundary}");
    let again = multipart::decode_request(&content_type, encoded)
        .unwrap_or_else(|e| panic!("re-encoded request does not decode: {e}"));
    assert_eq!(again.len(), parts.len());
    for (index, (got, sent)) in again.iter().zip(&parts).enumerate() {
        assert_eq!(got.method, sent.method, "part {index}");
        assert_eq!(got.path_and_query, sent.path_and_query, "part {index}");
        assert_eq!(got.body, sent.body, "part {index}");
        assert_eq!(
            normal_content_id(got.content_id.as_deref()),
            normal_content_id(Some(&sent.content_id)),
            "part {index}"
        );
        assert_eq!(
            without_content_length(&got.headers),
            without_content_length(&sent.headers),
            "part {index}"
        );
    }
}
