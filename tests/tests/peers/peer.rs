//! Where the peers are (environment variables set by `tests/peers/run`) and helpers to set
//! up state on the server through the generated client.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use discogen_runtime::bytes::Bytes;
use discogen_runtime::{Media, RetryPolicy, UploadProtocol};

use crate::storage_v1::{Bucket, Object, Storage};

/// The running fake-gcs-server's root URL, e.g. `http://127.0.0.1:4443/`.
pub const GCS_URL_VAR: &str = "DISCOGEN_PEER_GCS_URL";
/// The Python interpreter of the virtualenv that has google-api-python-client.
pub const PYTHON_VAR: &str = "DISCOGEN_PEER_PYTHON";
/// The directory of the helper scripts (`python_batch.py`, `parse_request.py`).
pub const SCRIPTS_VAR: &str = "DISCOGEN_PEER_SCRIPTS";

/// The project that bucket inserts name (fake-gcs-server accepts any).
pub const PROJECT: &str = "discogen-peers";

/// The peers, as `tests/peers/run` describes them.
#[derive(Debug)]
pub struct Peer {
    /// fake-gcs-server's root URL, ending in `/`.
    pub url: String,
    /// The virtualenv's `python`.
    pub python: PathBuf,
    /// `tests/peers/`.
    pub scripts: PathBuf,
}

/// The peers; panics (failing the test) with what to do when the script did not set them up.
pub fn peer() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        let var = |name: &str| {
            std::env::var(name).unwrap_or_else(|_| {
                panic!(
                    "{name} is not set: these tests need fake-gcs-server and \
                     google-api-python-client; run them with tests/peers/run"
                )
            })
        };
        let mut url = var(GCS_URL_VAR);
        if !url.ends_with('/') {
            url.push('/');
        }
        Peer {
            url,
            python: var(PYTHON_VAR).into(),
            scripts: var(SCRIPTS_VAR).into(),
        }
    })
}

/// Retries that do not slow the tests down: the interrupted upload waits milliseconds.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
    }
}

/// The generated client pointed at `root_url` (the peer, or a proxy in front of it).
pub fn storage_at(root_url: &str) -> Storage {
    Storage::builder()
        .root_url(root_url)
        .retry(fast_retries())
        // A peer that hangs fails the test instead of stalling it.
        .timeout(Duration::from_secs(60))
        .build()
        .expect("a client for the peer")
}

/// The generated client pointed at the peer itself.
pub fn storage() -> Storage {
    storage_at(&peer().url)
}

/// A bucket name no other test (or earlier run against the same server) uses.
pub fn unique_bucket(label: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{label}-{}-{nanos:x}-{n}", std::process::id())
}

/// Creates a bucket with a single call.
pub async fn create_bucket(storage: &Storage, name: &str) {
    let bucket = Bucket {
        name: Some(name.to_owned()),
        ..Bucket::default()
    };
    let created = storage
        .buckets()
        .insert(PROJECT, bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating bucket {name} on the peer: {e}"));
    assert_eq!(created.body.name.as_deref(), Some(name));
}

/// Uploads an object in one request (multipart: the metadata names it).
pub async fn put_object(
    storage: &Storage,
    bucket: &str,
    name: &str,
    content_type: &str,
    data: impl Into<Bytes>,
    metadata: &[(&str, &str)],
) -> Object {
    let object = Object {
        name: Some(name.to_owned()),
        metadata: (!metadata.is_empty()).then(|| string_map(metadata)),
        ..Object::default()
    };
    storage
        .objects()
        .insert(bucket, object)
        .upload(Media::new(content_type, data.into()))
        .protocol(UploadProtocol::SingleRequest)
        .send()
        .await
        .unwrap_or_else(|e| panic!("uploading {name:?} to {bucket}: {e}"))
        .body
}

/// Downloads an object's bytes (`alt=media`).
pub async fn download(storage: &Storage, bucket: &str, name: &str) -> Bytes {
    storage
        .objects()
        .get(bucket, name)
        .download()
        .send()
        .await
        .unwrap_or_else(|e| panic!("downloading {name:?} from {bucket}: {e}"))
        .body
}

/// `[("a", "1")]` → `{"a": "1"}`.
pub fn string_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Runs a helper script with the virtualenv's Python, `stdin` as its input; returns its
/// standard output, failing the test with its standard error when it fails.
pub async fn run_python(script: &str, args: Vec<String>, stdin: Vec<u8>) -> Vec<u8> {
    let peer = peer();
    let path = peer.scripts.join(script);
    let python = peer.python.clone();
    // The child runs on a blocking thread so that the proxy it talks to keeps being served.
    let output = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        use std::process::{Command, Stdio};
        let mut child = Command::new(&python)
            .arg(&path)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} {}: {e}", python.display(), path.display()));
        let mut input = child.stdin.take().expect("piped stdin");
        // A script that fails before reading its input is reported below, with its stderr.
        let _ = input.write_all(&stdin);
        drop(input);
        let output = child.wait_with_output().expect("waiting for the script");
        (path, output)
    })
    .await
    .expect("the script's thread");
    let (path, output) = output;
    assert!(
        output.status.success(),
        "{} failed ({}):\n{}",
        path.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The names of the objects in `bucket` under `prefix`, every page of the listing.
pub async fn list_names(storage: &Storage, bucket: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut list = storage.objects().list(bucket).prefix(prefix);
        if let Some(token) = &page_token {
            list = list.page_token(token);
        }
        let page = list
            .send()
            .await
            .unwrap_or_else(|e| panic!("listing {bucket}/{prefix}: {e}"))
            .body;
        names.extend(
            page.items
                .unwrap_or_default()
                .into_iter()
                .filter_map(|o| o.name),
        );
        match page.next_page_token.filter(|token| !token.is_empty()) {
            Some(token) => page_token = Some(token),
            None => return names,
        }
    }
}
