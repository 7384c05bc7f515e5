//! A recording, fault-injecting HTTP proxy on 127.0.0.1 in front of the peer: tests see what
//! went over the wire (to compare two clients' requests, or check an upload's protocol) and
//! can cut a connection where they choose (to interrupt a resumable upload).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, HOST, LOCATION, TRANSFER_ENCODING};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// One request that came through the proxy.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: Method,
    /// Path and query, as sent.
    pub target: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The peer's answer; `None` when the proxy cut the connection instead.
    pub status: Option<StatusCode>,
}

impl Exchange {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The first value of query parameter `name`, as sent (not decoded).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type CutPredicate = dyn Fn(&Exchange) -> bool + Send + Sync;

struct State {
    /// The peer's root without the trailing `/`: `http://127.0.0.1:PORT`.
    upstream: String,
    /// The proxy's own root without the trailing `/`.
    own: String,
    http: reqwest::Client,
    exchanges: Mutex<Vec<Exchange>>,
    cut_once: Option<Box<CutPredicate>>,
    cut_done: AtomicBool,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// A proxy that forwards everything to `upstream` (a root URL) and records it.
    pub async fn start(upstream: &str) -> Proxy {
        Self::start_with(upstream, None).await
    }

    /// A proxy that, the first time `predicate` holds for a request (received whole), closes
    /// the client's connection without forwarding the request or answering it, as when a
    /// network fails mid-exchange. Every other request is forwarded.
    pub async fn cutting_once<P>(upstream: &str, predicate: P) -> Proxy
    where
        P: Fn(&Exchange) -> bool + Send + Sync + 'static,
    {
        Self::start_with(upstream, Some(Box::new(predicate))).await
    }

    async fn start_with(upstream: &str, cut_once: Option<Box<CutPredicate>>) -> Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("a free port on 127.0.0.1 for the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let http = reqwest::Client::builder()
            // Answers go back to the client as they are, redirects included.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the proxy's HTTP client");
        let state = Arc::new(State {
            upstream: upstream.trim_end_matches('/').to_owned(),
            own: format!("http://{addr}"),
            http,
            exchanges: Mutex::new(Vec::new()),
            cut_once,
            cut_done: AtomicBool::new(false),
        });
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Proxy { addr, state, task }
    }

    /// The proxy's root URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Every request so far, in the order they were completed (or cut).
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.state
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every connection.
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        while connections.try_join_next().is_some() {}
        let state = Arc::clone(&state);
        connections.spawn(async move {
            let service = service_fn(move |request| forward(Arc::clone(&state), request));
            // A cut connection ends with an error on purpose.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Headers that belong to one connection, not to the message.
fn is_hop_by_hop(name: &http::HeaderName) -> bool {
    [CONNECTION, TRANSFER_ENCODING, HOST, CONTENT_LENGTH].contains(name)
        || name.as_str() == "keep-alive"
}

async fn forward(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, io::Error> {
    let (head, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| io::Error::other(format!("reading the request body: {e}")))?
        .to_bytes();
    let mut exchange = Exchange {
        method: head.method.clone(),
        target: head
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), ToString::to_string),
        headers: head.headers.clone(),
        body: body.clone(),
        status: None,
    };
    let record = |exchange: Exchange| {
        state
            .exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(exchange);
    };
    if let Some(cut) = &state.cut_once
        && !state.cut_done.load(Ordering::SeqCst)
        && cut(&exchange)
    {
        state.cut_done.store(true, Ordering::SeqCst);
        record(exchange);
        // An error from the service makes hyper close the connection without an answer.
        return Err(io::Error::other("connection cut by the test proxy"));
    }
    let mut upstream_request = state
        .http
        .request(
            head.method,
            format!("{}{}", state.upstream, exchange.target),
        )
        .body(body);
    for (name, value) in &head.headers {
        if !is_hop_by_hop(name) {
            upstream_request = upstream_request.header(name, value);
        }
    }
    let answer = upstream_request
        .send()
        .await
        .map_err(|e| io::Error::other(format!("forwarding to the peer: {e}")))?;
    let status = answer.status();
    let answer_headers = answer.headers().clone();
    let answer_body = answer
        .bytes()
        .await
        .map_err(|e| io::Error::other(format!("reading the peer's answer: {e}")))?;
    exchange.status = Some(status);
    record(exchange);
    let mut response = Response::new(Full::new(answer_body));
    *response.status_mut() = status;
    for (name, value) in &answer_headers {
        if is_hop_by_hop(name) {
            continue;
        }
        // A session URI (resumable upload) must lead back through the proxy, as a reverse
        // proxy rewrites redirects to its upstream.
        let value = match value.to_str() {
            Ok(text) if name == LOCATION && text.starts_with(&state.upstream) => {
                HeaderValue::from_str(&text.replacen(&state.upstream, &state.own, 1))
                    .expect("a URL that was a header value")
            }
            _ => value.clone(),
        };
        response.headers_mut().append(name, value);
    }
    Ok(response)
}
