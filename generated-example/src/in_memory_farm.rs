//! An in-memory Farm API behind the runtime's test server, for the examples and tests.
//!
//! It starts with the animals of the seeds' batch example (`pony`, `sheep`) and answers the
//! way the seeds show: `ETag` headers, `If-Match` (412 on a stale tag), `If-None-Match`
//! (304 while current), Google error objects, media upload of photos (one request, or
//! resumable in chunks) and their download (whole or a byte range).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use discogen_runtime::http::Method;
use discogen_runtime::serde_json::{Map, Value, json};
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};

mod resumable;

const PREFIX: &str = "/farm/v1/";
const UPLOAD_PREFIX: &str = "/upload/farm/v1/";

/// The farm's state; clone it to look at what a test did.
#[derive(Clone, Debug)]
pub struct InMemoryFarm {
    state: Arc<Mutex<FarmState>>,
}

#[derive(Debug, Default)]
struct FarmState {
    animals: BTreeMap<String, Value>,
    farmers: BTreeMap<String, Value>,
    photos: BTreeMap<String, Vec<Photo>>,
    /// Resumable upload sessions, by `upload_id`.
    uploads: Vec<resumable::Session>,
    /// Bumped on every change, so the list ETag stays `etag/animals` until something changes.
    generation: u64,
}

#[derive(Debug, Clone)]
struct Photo {
    metadata: Value,
    content_type: String,
    data: Vec<u8>,
}

impl Default for InMemoryFarm {
    fn default() -> Self {
        Self::seeded()
    }
}

impl InMemoryFarm {
    /// The farm of the seeds: `pony` (34, white) and `sheep` (5, green), farmer `alice`.
    pub fn seeded() -> Self {
        let mut state = FarmState::default();
        for (name, age, color) in [("pony", 34, "white"), ("sheep", 5, "green")] {
            let mut animal = animal_json(name, age);
            animal["peltColor"] = color.into();
            state.animals.insert(name.to_owned(), animal);
        }
        state.farmers.insert(
            "alice".to_owned(),
            json!({
                "kind": "farm#farmer",
                "etag": "etag/alice",
                "selfLink": "/farm/v1/farmers/alice",
                "farmerName": "alice",
                "displayName": "Alice Appleseed",
                "animalNames": ["pony", "sheep"],
                "yearsOfService": 12,
            }),
        );
        InMemoryFarm {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// The farm with one more animal, `tags` and all, as `animals.insert` would add it but
    /// without changing the list's ETag: a herd of them makes `animals.list` answer in several
    /// pages.
    pub fn with_animal(self, name: &str, age: i64, tags: &[&str]) -> Self {
        let mut animal = animal_json(name, age);
        animal["tags"] = json!(tags);
        self.lock().animals.insert(name.to_owned(), animal);
        self
    }

    /// Starts a test server on 127.0.0.1 that serves this farm; its batch path is `/batch`.
    pub async fn start(&self) -> TestServer {
        let farm = self.clone();
        TestServer::builder()
            .batch_path("batch")
            .start(move |request| farm.handle(request))
            .await
    }

    /// The stored animal called `name`, as JSON.
    pub fn animal(&self, name: &str) -> Option<Value> {
        self.lock().animals.get(name).cloned()
    }

    /// The names of every animal on the farm.
    pub fn animal_names(&self) -> Vec<String> {
        self.lock().animals.keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FarmState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Answers one call (the test server hands batch parts over one by one).
    pub fn handle(&self, request: &TestRequest) -> TestResponse {
        let mut state = self.lock();
        if let Some(rest) = request.path.strip_prefix(UPLOAD_PREFIX) {
            return state.upload_photo(rest, request);
        }
        let Some(rest) = request.path.strip_prefix(PREFIX) else {
            return TestResponse::google_error(404, "not a Farm API path");
        };
        let segments: Vec<String> = rest.split('/').map(percent_decode).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match (&request.method, segments.as_slice()) {
            (&Method::GET, ["animals"]) => state.list_animals(request),
            (&Method::POST, ["animals"]) => state.insert_animal(request),
            (&Method::GET, ["animals", name]) => state.get_animal(name, request),
            (&Method::PUT, ["animals", name]) => state.update_animal(name, request, false),
            (&Method::PATCH, ["animals", name]) => state.update_animal(name, request, true),
            (&Method::DELETE, ["animals", name]) => state.delete_animal(name),
            (&Method::GET, ["animals", animal, "photos"]) => state.list_photos(animal),
            (&Method::GET, ["animals", animal, "photos", id]) => {
                state.get_photo(animal, id, request)
            }
            (&Method::GET, ["farmers"]) => state.list_farmers(),
            (&Method::GET, ["farmers", name]) => match state.farmers.get(*name) {
                Some(farmer) => with_etag(farmer),
                None => TestResponse::google_error(404, &format!("no farmer called {name:?}")),
            },
            _ => TestResponse::google_error(
                404,
                &format!("no route for {} {}", request.method, request.path),
            ),
        }
    }
}

impl FarmState {
    fn list_etag(&self) -> String {
        match self.generation {
            0 => "etag/animals".to_owned(),
            generation => format!("etag/animals/{generation}"),
        }
    }

    fn list_animals(&self, request: &TestRequest) -> TestResponse {
        let etag = self.list_etag();
        if if_none_match(request, &etag) {
            return TestResponse::status(304).header("ETag", quoted(&etag));
        }
        let tags: Vec<&str> = request
            .query
            .iter()
            .filter(|(k, _)| k == "tag")
            .map(|(_, v)| v.as_str())
            .collect();
        let page_size = request
            .query_param("pageSize")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(50)
            .max(1);
        let start = request
            .query_param("pageToken")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        let matching: Vec<&Value> = self
            .animals
            .values()
            .filter(|animal| {
                tags.iter().all(|tag| {
                    animal["tags"]
                        .as_array()
                        .is_some_and(|have| have.iter().any(|t| t == tag))
                })
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(start)
            .take(page_size)
            .map(|a| (*a).clone())
            .collect();
        let mut list = json!({ "kind": "farm#animalList", "etag": etag, "items": page });
        if start + page_size < matching.len() {
            list["nextPageToken"] = Value::String((start + page_size).to_string());
        }
        TestResponse::json(200, &list).header("ETag", quoted(&etag))
    }

    fn get_animal(&self, name: &str, request: &TestRequest) -> TestResponse {
        let Some(animal) = self.animals.get(name) else {
            return TestResponse::google_error(404, &format!("no animal called {name:?}"));
        };
        let etag = animal["etag"].as_str().unwrap_or_default();
        if if_none_match(request, etag) {
            return TestResponse::status(304).header("ETag", quoted(etag));
        }
        with_etag(animal)
    }

    fn insert_animal(&mut self, request: &TestRequest) -> TestResponse {
        let Ok(Value::Object(mut fields)) = request.json() else {
            return TestResponse::google_error(400, "the body must be an Animal object");
        };
        normalize_int64(&mut fields);
        let Some(name) = fields
            .get("animalName")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return TestResponse::google_error(400, "animalName is required");
        };
        if self.animals.contains_key(&name) {
            return TestResponse::google_error(
                409,
                &format!("an animal called {name:?} already exists"),
            );
        }
        fields.insert("kind".into(), "farm#animal".into());
        fields.insert("etag".into(), format!("etag/{name}").into());
        fields.insert("selfLink".into(), format!("/farm/v1/animals/{name}").into());
        let animal = Value::Object(fields);
        self.animals.insert(name, animal.clone());
        self.generation += 1;
        with_etag(&animal)
    }

    fn update_animal(&mut self, name: &str, request: &TestRequest, merge: bool) -> TestResponse {
        let Some(stored) = self.animals.get(name) else {
            return TestResponse::google_error(404, &format!("no animal called {name:?}"));
        };
        let etag = stored["etag"].as_str().unwrap_or_default().to_owned();
        if let Some(expected) = request.header("if-match") {
            if unquote(expected) != etag && expected != "*" {
                return TestResponse::google_error(
                    412,
                    "the animal has changed since you read it (If-Match)",
                );
            }
        }
        let Ok(Value::Object(mut fields)) = request.json() else {
            return TestResponse::google_error(400, "the body must be an Animal object");
        };
        normalize_int64(&mut fields);
        let mut updated: Map<String, Value> = if merge {
            stored.as_object().cloned().unwrap_or_default()
        } else {
            Map::new()
        };
        updated.extend(fields);
        updated.insert("kind".into(), "farm#animal".into());
        updated.insert("animalName".into(), name.into());
        updated.insert("selfLink".into(), format!("/farm/v1/animals/{name}").into());
        updated.insert("etag".into(), etag.clone().into());
        let mut updated = Value::Object(updated);
        if &updated != stored {
            // A real change gets a new entity tag; rewriting the same content keeps the old one.
            self.generation += 1;
            updated["etag"] = format!("etag/{name}/{}", self.generation).into();
        }
        self.animals.insert(name.to_owned(), updated.clone());
        with_etag(&updated)
    }

    fn delete_animal(&mut self, name: &str) -> TestResponse {
        match self.animals.remove(name) {
            Some(_) => {
                self.generation += 1;
                self.photos.remove(name);
                TestResponse::status(204)
            }
            None => TestResponse::google_error(404, &format!("no animal called {name:?}")),
        }
    }

    fn list_farmers(&self) -> TestResponse {
        let items: Vec<&Value> = self.farmers.values().collect();
        TestResponse::json(
            200,
            &json!({ "kind": "farm#farmerList", "etag": "etag/farmers", "items": items }),
        )
    }

    fn upload_photo(&mut self, rest: &str, request: &TestRequest) -> TestResponse {
        let segments: Vec<String> = rest.split('/').map(percent_decode).collect();
        let ["animals", animal, "photos"] =
            segments.iter().map(String::as_str).collect::<Vec<_>>()[..]
        else {
            return TestResponse::google_error(404, "no upload route");
        };
        if request.query_param("uploadType") == Some("resumable") {
            return self.resumable_upload(animal, request);
        }
        if request.method != Method::POST {
            return TestResponse::google_error(405, "uploads are POST");
        }
        let content_type = request
            .header("content-type")
            .unwrap_or_default()
            .to_owned();
        let (metadata, content_type, data) = match request.query_param("uploadType") {
            Some("media") => (Map::new(), content_type, request.body.to_vec()),
            Some("multipart") => match split_related(&content_type, &request.body) {
                Some(parts) => parts,
                None => {
                    return TestResponse::google_error(
                        400,
                        "cannot parse the multipart/related body",
                    );
                }
            },
            other => {
                return TestResponse::google_error(
                    400,
                    &format!("unsupported uploadType {other:?}"),
                );
            }
        };
        match self.store_photo(animal, metadata, content_type, data) {
            Ok(photo) => with_etag(&photo),
            Err(refused) => *refused,
        }
    }

    /// Checks an uploaded photo and stores it; its metadata, or the answer refusing it.
    fn store_photo(
        &mut self,
        animal: &str,
        metadata: Map<String, Value>,
        content_type: String,
        data: Vec<u8>,
    ) -> Result<Value, Box<TestResponse>> {
        if !self.animals.contains_key(animal) {
            return Err(Box::new(TestResponse::google_error(
                404,
                &format!("no animal called {animal:?}"),
            )));
        }
        if !content_type.starts_with("image/") {
            return Err(Box::new(TestResponse::google_error(
                400,
                "photos must be images",
            )));
        }
        let photos = self.photos.entry(animal.to_owned()).or_default();
        let id = (photos.len() + 1).to_string();
        let mut fields = metadata;
        fields.insert("kind".into(), "farm#photo".into());
        fields.insert("name".into(), id.clone().into());
        fields.insert("animalName".into(), animal.into());
        fields.insert("contentType".into(), content_type.clone().into());
        fields.insert("sizeBytes".into(), data.len().to_string().into());
        fields.insert("etag".into(), format!("etag/{animal}/photos/{id}").into());
        fields.insert(
            "selfLink".into(),
            format!("/farm/v1/animals/{animal}/photos/{id}").into(),
        );
        let metadata = Value::Object(fields);
        photos.push(Photo {
            metadata: metadata.clone(),
            content_type,
            data,
        });
        Ok(metadata)
    }

    fn list_photos(&self, animal: &str) -> TestResponse {
        let items: Vec<&Value> = self
            .photos
            .get(animal)
            .into_iter()
            .flatten()
            .map(|p| &p.metadata)
            .collect();
        TestResponse::json(200, &json!({ "kind": "farm#photoList", "items": items }))
    }

    fn get_photo(&self, animal: &str, id: &str, request: &TestRequest) -> TestResponse {
        let photo = self
            .photos
            .get(animal)
            .and_then(|photos| photos.iter().find(|p| p.metadata["name"] == id));
        let Some(photo) = photo else {
            return TestResponse::google_error(404, &format!("no photo {id:?} of {animal:?}"));
        };
        if request.query_param("alt") == Some("media") {
            return media_answer(photo, request.header("range"));
        }
        with_etag(&photo.metadata)
    }
}

/// A photo's bytes: whole, or the one range of `Range: bytes=a-b` / `bytes=a-` (`206` with
/// `Content-Range`; `416` for a range that starts past the end).
fn media_answer(photo: &Photo, range: Option<&str>) -> TestResponse {
    let len = photo.data.len();
    let whole = || {
        TestResponse::status(200)
            .header("Content-Type", photo.content_type.as_str())
            .with_body(photo.data.clone())
    };
    let Some((first, last)) = range
        .and_then(|range| range.strip_prefix("bytes="))
        .and_then(|range| range.split_once('-'))
    else {
        return whole();
    };
    let Ok(first) = first.parse::<usize>() else {
        return whole();
    };
    if first >= len {
        return TestResponse::google_error(416, "the range starts past the end of the photo")
            .header("Content-Range", format!("bytes */{len}"));
    }
    let last = last
        .parse::<usize>()
        .map_or(len - 1, |last| last.min(len - 1));
    if last < first {
        return whole();
    }
    TestResponse::status(206)
        .header("Content-Type", photo.content_type.as_str())
        .header("Content-Range", format!("bytes {first}-{last}/{len}"))
        .with_body(photo.data[first..=last].to_vec())
}

/// Stores `animalAge` as a number whether it came as `"5"` (how int64 travels) or `5`, so
/// rewriting the same animal is recognised as no change.
fn normalize_int64(fields: &mut Map<String, Value>) {
    if let Some(age) = fields
        .get("animalAge")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<i64>().ok())
    {
        fields.insert("animalAge".into(), age.into());
    }
}

/// A 200 JSON answer carrying the resource's `etag` as its `ETag` header too.
fn with_etag(resource: &Value) -> TestResponse {
    let response = TestResponse::json(200, resource);
    match resource["etag"].as_str() {
        Some(etag) => response.header("ETag", quoted(etag)),
        None => response,
    }
}

fn if_none_match(request: &TestRequest, etag: &str) -> bool {
    request
        .header("if-none-match")
        .is_some_and(|v| unquote(v) == etag || v == "*")
}

fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

fn unquote(value: &str) -> &str {
    let value = value.trim();
    value.strip_prefix("W/").unwrap_or(value).trim_matches('"')
}

fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// An animal as the farm stores it: name and age, with the kind, ETag and self link derived
/// from the name.
fn animal_json(name: &str, age: i64) -> Value {
    json!({
        "kind": "farm#animal",
        "etag": format!("etag/{name}"),
        "selfLink": format!("/farm/v1/animals/{name}"),
        "animalName": name,
        "animalAge": age,
    })
}

/// Splits a `multipart/related` upload into its JSON metadata and its media.
fn split_related(content_type: &str, body: &[u8]) -> Option<(Map<String, Value>, String, Vec<u8>)> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, delimiter.as_bytes())?;
        parts.push(&rest[..end]);
    }
    let [metadata, media] = parts[..] else {
        return None;
    };
    let (_, meta_body) = split_headers(metadata)?;
    let metadata: Map<String, Value> =
        discogen_runtime::serde_json::from_slice(trim_crlf(meta_body)).ok()?;
    let (media_headers, media_body) = split_headers(media)?;
    let media_type = media_headers
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-type")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    Some((metadata, media_type, trim_crlf(media_body).to_vec()))
}

fn split_headers(part: &[u8]) -> Option<(String, &[u8])> {
    let part = part.strip_prefix(b"\r\n").unwrap_or(part);
    let end = find(part, b"\r\n\r\n")?;
    Some((
        String::from_utf8_lossy(&part[..end]).into_owned(),
        &part[end + 4..],
    ))
}

fn trim_crlf(body: &[u8]) -> &[u8] {
    body.strip_suffix(b"\r\n").unwrap_or(body)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}
