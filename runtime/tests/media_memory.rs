//! Streaming keeps memory bounded: a 24 MiB download through `Download::stream` and a 24 MiB
//! resumable upload from a reader never hold more than a few MiB on the client.
//!
//! An allocator wrapper counts the bytes allocated (net) by the client's thread; the server
//! runs on a thread of its own, so what it holds is not counted.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::pin::Pin;
use std::sync::mpsc;
use std::task::{Context, Poll};

use common::*;
use discogen_runtime::bytes::Bytes;
use discogen_runtime::testing::{TestResponse, TestServer};
use discogen_runtime::{Auth, Media};
use tokio::io::{AsyncRead, ReadBuf};

struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    // `try_with`: allocations can happen while the thread's locals are being destroyed.
    let counting = COUNTING.try_with(Cell::get).unwrap_or(false);
    if counting {
        let _ = CURRENT.try_with(|current| {
            let now = current.get() + delta;
            current.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }
}

// SAFETY: every call is forwarded to the system allocator unchanged; only sizes are counted.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `work` with this thread's allocations counted; returns the peak of the net bytes
/// allocated above what was allocated at the start.
async fn peak_while<F: std::future::Future<Output = ()>>(work: F) -> isize {
    CURRENT.with(|c| c.set(0));
    PEAK.with(|p| p.set(0));
    COUNTING.with(|c| c.set(true));
    work.await;
    COUNTING.with(|c| c.set(false));
    PEAK.with(Cell::get)
}

/// A server on its own thread and runtime; the handler gets every request.
fn server_thread(
    handler: impl Fn(&discogen_runtime::testing::TestRequest) -> TestResponse + Send + Sync + 'static,
) -> (String, mpsc::Sender<()>) {
    let (url_sender, url) = mpsc::channel();
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let server = TestServer::start(handler).await;
            url_sender.send(server.url()).unwrap();
            // Serve until the test says stop (or is gone).
            tokio::task::spawn_blocking(move || stopped.recv())
                .await
                .unwrap()
                .ok();
            server.shutdown().await;
        });
    });
    (url.recv().unwrap(), stop)
}

/// `len` bytes made up as they are read, without holding them.
struct GeneratedMedia {
    left: usize,
}

impl AsyncRead for GeneratedMedia {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = buf.remaining().min(self.left).min(64 * 1024);
        buf.put_slice(&vec![0x5a; n]);
        self.left -= n;
        Poll::Ready(Ok(()))
    }
}

const MIB: usize = 1024 * 1024;

#[tokio::test(flavor = "current_thread")]
async fn streamed_transfers_hold_a_few_mib_not_the_whole_media() {
    let media = Bytes::from(common::media::media_bytes(24 * MIB));
    let served = media.clone();
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = received.clone();
    let (url, stop) = server_thread(move |request| {
        if request.method == discogen_runtime::http::Method::GET {
            return TestResponse::status(200).with_body(served.clone());
        }
        if request.method == discogen_runtime::http::Method::POST {
            let location = format!(
                "http://{}/session?upload_id=1",
                request.header("host").unwrap()
            );
            return TestResponse::status(200).header("location", location);
        }
        let total = counted.fetch_add(request.body.len(), std::sync::atomic::Ordering::SeqCst)
            + request.body.len();
        // Until the client names the total, there is more to come.
        if request.header("content-range").unwrap().ends_with("/*") {
            TestResponse::status(308).header("range", format!("bytes=0-{}", total - 1))
        } else {
            TestResponse::json(200, &serde_json::json!({"animalName": "big"}))
        }
    });
    let client = farm_client(&url, Auth::None);

    let download_peak = peak_while(async {
        let mut response = get_animal(&client, "pony")
            .download(false)
            .stream()
            .await
            .unwrap();
        let mut offset = 0;
        while let Some(chunk) = response.body.next_chunk().await {
            let chunk = chunk.unwrap();
            assert!(chunk == media.slice(offset..offset + chunk.len()));
            offset += chunk.len();
        }
        assert_eq!(offset, media.len());
    })
    .await;
    assert!(
        download_peak < 4 * MIB as isize,
        "download peak {download_peak} bytes"
    );

    let upload_peak = peak_while(async {
        let reader = GeneratedMedia { left: 24 * MIB };
        let response = common::media::insert_photo(&client, &[], None)
            .upload(Media::from_reader("application/octet-stream", reader, None))
            .chunk_size(MIB)
            .send()
            .await
            .unwrap();
        assert_eq!(response.body.animal_name.as_deref(), Some("big"));
    })
    .await;
    assert_eq!(received.load(std::sync::atomic::Ordering::SeqCst), 24 * MIB);
    // One chunk held, plus the HTTP machinery.
    assert!(
        upload_peak < 4 * MIB as isize,
        "upload peak {upload_peak} bytes"
    );
    stop.send(()).unwrap();
}
