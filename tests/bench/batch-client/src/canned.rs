//! The canned batch answer of target 1: `count` parts, each a 200 with the metadata of one
//! object, as Cloud Storage answers `objects.get`. Written exactly as
//! `tests/bench/python_client_batch.py` writes it (Python's `json.dumps` spacing, Google's
//! `<response-BASE + ID>` Content-IDs), so both contenders decode the same bytes.

use discogen_runtime::bytes::Bytes;

/// The boundary of the canned answer.
pub const BOUNDARY: &str = "batch_canned_boundary";

/// The Content-Type of the canned answer.
pub const CONTENT_TYPE: &str = "multipart/mixed; boundary=batch_canned_boundary";

/// The metadata of object `index` of bucket `bucket`, as `json.dumps` writes it.
pub fn object_json(index: usize) -> String {
    let name = crate::object_name(index);
    let escaped = name.replace('/', "%2F");
    format!(
        concat!(
            r#"{{"kind": "storage#object", "name": "{name}", "id": "bucket/{name}/1796002490608866", "#,
            r#""bucket": "bucket", "size": "5", "contentType": "text/plain", "crc32c": "mnG7TA==", "#,
            r#""md5Hash": "XUFAKrxLKna5cZ2REBfFkg==", "etag": "XUFAKrxLKna5cZ2REBfFkg==", "#,
            r#""storageClass": "STANDARD", "timeCreated": "2026-11-30T01:34:50.608849Z", "#,
            r#""timeStorageClassUpdated": "2026-11-30T01:34:50.608853Z", "#,
            r#""updated": "2026-11-30T01:34:50.608853Z", "generation": "1796002490608866", "#,
            r#""metageneration": "1", "#,
            r#""selfLink": "https://www.googleapis.com/storage/v1/b/bucket/o/{escaped}", "#,
            r#""mediaLink": "https://storage.googleapis.com/download/storage/v1/b/bucket/o/{escaped}?generation=1796002490608866&alt=media"}}"#
        ),
        name = name,
        escaped = escaped
    )
}

/// The whole answer to a batch of `count` `objects.get` calls with generated request ids
/// (`1`, `2`, …).
pub fn response_body(count: usize) -> Bytes {
    let mut body = String::with_capacity(count * 900);
    for index in 0..count {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Type: application/http\r\nContent-ID: <response-base + {id}>\r\n\r\n\
             HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nETag: \"x\"\r\n\r\n{json}\r\n",
            id = index + 1,
            json = object_json(index),
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    Bytes::from(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_decode_and_hold_their_object() {
        let body = response_body(3);
        let parts = discogen_runtime::multipart::decode_response(CONTENT_TYPE, &body).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2].content_id.as_deref(), Some("<response-base + 3>"));
        let object: serde_json::Value = serde_json::from_slice(&parts[2].body).unwrap();
        assert_eq!(object["name"], "dir/object-0002.txt");
        assert_eq!(
            object["selfLink"],
            "https://www.googleapis.com/storage/v1/b/bucket/o/dir%2Fobject-0002.txt"
        );
    }
}
