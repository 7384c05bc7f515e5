//! The Farm API's photo upload method, and a resumable-upload server that behaves like
//! Google's (sessions, `Content-Range`, `308` with `Range`) and fails on request: a chunk
//! answered with an error or its connection dropped after the server kept part of it.

use std::sync::{Arc, Mutex};

use discogen_runtime::http::Method;
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use discogen_runtime::{Call, Client, MediaUpload};
use serde_json::json;

use super::{Animal, SCOPE};

/// The simple (and multipart) upload path of `farm.photos.insert`, from rootUrl.
pub const SIMPLE_PATH: &str = "upload/farm/v1/animals/pony/photos";
/// Its resumable upload path.
pub const RESUMABLE_PATH: &str = "resumable/upload/farm/v1/animals/pony/photos";

/// `farm.photos.insert`: media upload with `accept` and `max_size`.
pub fn insert_photo(
    client: &Client,
    accept: &'static [&'static str],
    max_size: Option<u64>,
) -> Call<Animal> {
    let mut call = Call::new(
        client,
        Method::POST,
        "farm.photos.insert",
        "animals/pony/photos".into(),
        &[SCOPE],
    );
    call.set_media_upload(MediaUpload {
        simple_path: Some(SIMPLE_PATH.into()),
        resumable_path: Some(RESUMABLE_PATH.into()),
        accept,
        max_size,
    });
    call
}

/// Media of `len` bytes that differ from their neighbours (a misplaced byte shows).
pub fn media_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// What goes wrong with a chunk `PUT`.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Keep the first `keep` bytes of the chunk, then answer `status`.
    Status { status: u16, keep: usize },
    /// Keep the first `keep` bytes of the chunk, then drop the connection unanswered.
    Drop { keep: usize },
}

/// One upload session as the server holds it.
#[derive(Clone, Debug, Default)]
pub struct Session {
    pub metadata: Option<serde_json::Value>,
    pub upload_content_type: Option<String>,
    pub upload_content_length: Option<String>,
    pub data: Vec<u8>,
    pub complete: bool,
}

#[derive(Default)]
struct StoreState {
    sessions: Vec<Session>,
    /// Chunk `PUT`s (with a body) received so far.
    chunk_puts: usize,
    /// Faults by chunk `PUT` number (1 for the first).
    faults: Vec<(usize, Fault)>,
    /// Answer the start without a Location header.
    no_location: bool,
    /// Answer the start with a relative Location.
    relative_location: bool,
    /// The answer the handler is to send for the request just judged.
    next_answer: Option<TestResponse>,
}

/// The upload sessions of a [`TestServer`] started with [`UploadStore::start_server`].
#[derive(Default)]
pub struct UploadStore {
    state: Mutex<StoreState>,
}

impl UploadStore {
    /// A store that fails the chunk `PUT`s listed (by number, from 1).
    pub fn with_faults(faults: Vec<(usize, Fault)>) -> Arc<UploadStore> {
        let store = UploadStore::default();
        store.state.lock().unwrap().faults = faults;
        Arc::new(store)
    }

    pub fn set_no_location(&self) {
        self.state.lock().unwrap().no_location = true;
    }

    pub fn set_relative_location(&self) {
        self.state.lock().unwrap().relative_location = true;
    }

    /// The sessions started so far.
    pub fn sessions(&self) -> Vec<Session> {
        self.state.lock().unwrap().sessions.clone()
    }

    /// A server whose every request goes through this store (simple uploads included: they
    /// are answered with the media's size).
    pub async fn start_server(self: &Arc<Self>) -> TestServer {
        let judge = Arc::clone(self);
        let answer = Arc::clone(self);
        TestServer::builder()
            .drop_connection_when(move |request| judge.judge(request))
            .start(move |_| {
                answer
                    .state
                    .lock()
                    .unwrap()
                    .next_answer
                    .take()
                    .unwrap_or_else(|| TestResponse::google_error(500, "no answer prepared"))
            })
            .await
    }

    /// Decides the answer to `request`; true to drop the connection instead.
    fn judge(&self, request: &TestRequest) -> bool {
        let mut state = self.state.lock().unwrap();
        let answer = state.answer(request);
        let drop = answer.is_none();
        state.next_answer = answer;
        drop
    }
}

impl StoreState {
    /// The answer to `request`, `None` to drop the connection.
    fn answer(&mut self, request: &TestRequest) -> Option<TestResponse> {
        if let Some(id) = request.query_param("upload_id") {
            let Ok(id) = id.parse::<usize>() else {
                return Some(TestResponse::google_error(404, "no such session"));
            };
            if id >= self.sessions.len() {
                return Some(TestResponse::google_error(404, "no such session"));
            }
            return self.put(id, request);
        }
        if request.query_param("uploadType") != Some("resumable") {
            let size = request.body.len();
            return Some(TestResponse::json(
                200,
                &json!({"animalName": "photo", "etag": size.to_string()}),
            ));
        }
        let session = Session {
            metadata: (!request.body.is_empty()).then(|| request.json().unwrap()),
            upload_content_type: request.header("x-upload-content-type").map(str::to_owned),
            upload_content_length: request.header("x-upload-content-length").map(str::to_owned),
            ..Session::default()
        };
        self.sessions.push(session);
        let id = self.sessions.len() - 1;
        let path =
            format!("/upload/farm/v1/animals/pony/photos?uploadType=resumable&upload_id={id}");
        let location = if self.relative_location {
            path
        } else {
            format!("http://{}{path}", request.header("host").unwrap())
        };
        let mut answer = TestResponse::status(200);
        if !self.no_location {
            answer = answer.header("location", location);
        }
        Some(answer)
    }

    /// A chunk or a status query to session `id`.
    fn put(&mut self, id: usize, request: &TestRequest) -> Option<TestResponse> {
        let Some(range) = request.header("content-range").map(str::to_owned) else {
            return Some(TestResponse::google_error(400, "no Content-Range"));
        };
        let Some((span, total)) = range.strip_prefix("bytes ").and_then(|r| r.split_once('/'))
        else {
            return Some(TestResponse::google_error(400, "bad Content-Range"));
        };
        let total: Option<usize> = (total != "*").then(|| total.parse().unwrap());
        let fault = if request.body.is_empty() {
            None
        } else {
            self.chunk_puts += 1;
            let number = self.chunk_puts;
            self.faults
                .iter()
                .find(|(n, _)| *n == number)
                .map(|(_, fault)| *fault)
        };
        let session = &mut self.sessions[id];
        if session.complete {
            return Some(TestResponse::google_error(400, "the upload is complete"));
        }
        if span != "*" {
            let (first, last) = span.split_once('-').unwrap();
            let (first, last): (usize, usize) = (first.parse().unwrap(), last.parse().unwrap());
            assert_eq!(
                last + 1 - first,
                request.body.len(),
                "Content-Range {range} and body length"
            );
            // Google's rule: every chunk but the last is a multiple of 256 KiB.
            if total != Some(last + 1) && request.body.len() % (256 * 1024) != 0 {
                return Some(TestResponse::google_error(
                    400,
                    "chunk size not a multiple of 256 KiB",
                ));
            }
            if first > session.data.len() {
                return Some(TestResponse::google_error(400, "a gap before the chunk"));
            }
            // Bytes already held are skipped (the client may send them again).
            let skip = (session.data.len() - first).min(request.body.len());
            let new = &request.body[skip..];
            let keep = match fault {
                Some(Fault::Status { keep, .. } | Fault::Drop { keep }) => keep.min(new.len()),
                None => new.len(),
            };
            session.data.extend_from_slice(&new[..keep]);
        }
        match fault {
            Some(Fault::Status { status, .. }) => {
                return Some(TestResponse::google_error(
                    status,
                    "chunk failed on purpose",
                ));
            }
            Some(Fault::Drop { .. }) => return None,
            None => {}
        }
        if total == Some(session.data.len()) {
            session.complete = true;
            return Some(TestResponse::json(
                200,
                &json!({"animalName": "photo", "etag": session.data.len().to_string()}),
            ));
        }
        let mut answer = TestResponse::status(308);
        if !session.data.is_empty() {
            answer = answer.header("range", format!("bytes=0-{}", session.data.len() - 1));
        }
        Some(answer)
    }
}
