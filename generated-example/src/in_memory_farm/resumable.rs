//! Resumable photo uploads (`uploadType=resumable`), as Google runs them: a `POST` with the
//! metadata starts a session whose URI comes back in `Location`; `PUT`s to it carry the media
//! in chunks (`Content-Range: bytes a-b/total`, the total `*` until known) and are answered
//! `308` with `Range: bytes=0-N` until the last one, which is answered with the photo; an
//! empty `PUT` (`bytes */total`) asks how far the upload got.

use discogen_runtime::http::Method;
use discogen_runtime::serde_json::{Map, Value};
use discogen_runtime::testing::{TestRequest, TestResponse};

use super::{FarmState, with_etag};

/// One upload session.
#[derive(Debug)]
pub(super) struct Session {
    animal: String,
    metadata: Map<String, Value>,
    content_type: String,
    data: Vec<u8>,
    /// The stored photo, once the last byte arrived.
    photo: Option<Value>,
}

impl FarmState {
    /// Starts a session (`POST`) or takes a chunk or a status query (`PUT …&upload_id=N`).
    pub(super) fn resumable_upload(&mut self, animal: &str, request: &TestRequest) -> TestResponse {
        match (&request.method, request.query_param("upload_id")) {
            (&Method::POST, None) => self.start_session(animal, request),
            (&Method::PUT, Some(id)) => match id.parse::<usize>() {
                Ok(id) if id < self.uploads.len() => self.put_chunk(id, request),
                _ => TestResponse::google_error(404, &format!("no upload session {id:?}")),
            },
            _ => TestResponse::google_error(400, "a session starts with POST and goes on with PUT"),
        }
    }

    fn start_session(&mut self, animal: &str, request: &TestRequest) -> TestResponse {
        if !self.animals.contains_key(animal) {
            return TestResponse::google_error(404, &format!("no animal called {animal:?}"));
        }
        let metadata = if request.body.is_empty() {
            Map::new()
        } else {
            match request.json() {
                Ok(Value::Object(metadata)) => metadata,
                _ => return TestResponse::google_error(400, "the metadata must be a Photo object"),
            }
        };
        let content_type = request.header("x-upload-content-type").unwrap_or_default();
        if !content_type.starts_with("image/") {
            return TestResponse::google_error(400, "photos must be images");
        }
        self.uploads.push(Session {
            animal: animal.to_owned(),
            metadata,
            content_type: content_type.to_owned(),
            data: Vec::new(),
            photo: None,
        });
        // Relative to the request, as a client resolves it.
        let session = format!(
            "{}?uploadType=resumable&upload_id={}",
            request.path,
            self.uploads.len() - 1
        );
        TestResponse::status(200).header("Location", session)
    }

    fn put_chunk(&mut self, id: usize, request: &TestRequest) -> TestResponse {
        let Some((range, total)) = request
            .header("content-range")
            .and_then(|value| value.strip_prefix("bytes "))
            .and_then(|value| value.split_once('/'))
        else {
            return TestResponse::google_error(400, "a PUT to a session needs Content-Range");
        };
        let total = match total {
            "*" => None,
            total => match total.parse::<usize>() {
                Ok(total) => Some(total),
                Err(_) => return TestResponse::google_error(400, "bad total in Content-Range"),
            },
        };
        let session = &mut self.uploads[id];
        if let Some(photo) = &session.photo {
            return with_etag(photo);
        }
        if range != "*" {
            let first = range
                .split_once('-')
                .and_then(|(first, _)| first.parse().ok());
            if first != Some(session.data.len()) {
                return TestResponse::google_error(
                    400,
                    &format!(
                        "the chunk {range} does not start at byte {}",
                        session.data.len()
                    ),
                );
            }
            session.data.extend_from_slice(&request.body);
        }
        if total.is_some_and(|total| total == session.data.len()) {
            let metadata = std::mem::take(&mut session.metadata);
            let content_type = session.content_type.clone();
            let data = std::mem::take(&mut session.data);
            let animal = session.animal.clone();
            return match self.store_photo(&animal, metadata, content_type, data) {
                Ok(photo) => {
                    self.uploads[id].photo = Some(photo.clone());
                    with_etag(&photo)
                }
                Err(refused) => *refused,
            };
        }
        let answer = TestResponse::status(308);
        match session.data.len() {
            0 => answer,
            held => answer.header("Range", format!("bytes=0-{}", held - 1)),
        }
    }
}
