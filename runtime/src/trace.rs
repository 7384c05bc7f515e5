//! Spans for single calls, batch requests and media transfers (feature `tracing`).
//!
//! Without the feature every type here is empty and every method does nothing, so the
//! executor calls them unconditionally and the compiler removes them: no tracing code (and
//! no `tracing` dependency) is built.
//!
//! Spans never carry URLs, query strings or headers: those hold API keys and tokens.

use std::future::Future;

use http::{Method, StatusCode};

use crate::ApiInfo;

/// How many request ids a batch request's span lists before it says how many more there are.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) const MAX_TRACED_IDS: usize = 20;

/// A span, or nothing without the `tracing` feature.
#[derive(Clone, Debug)]
pub(crate) struct Span {
    #[cfg(feature = "tracing")]
    inner: tracing::Span,
}

#[cfg(feature = "tracing")]
impl Span {
    /// `discogen.call`: one single call (all its attempts).
    pub(crate) fn call(api: &ApiInfo, method_id: &str, method: &Method) -> Span {
        Span {
            inner: tracing::debug_span!(
                "discogen.call",
                api = api.name,
                api.version = api.version,
                method = method_id,
                http.method = method.as_str(),
                attempt = tracing::field::Empty,
                status = tracing::field::Empty,
            ),
        }
    }

    /// `discogen.batch`: one `Batch::execute`, with its call count.
    pub(crate) fn batch(api: &ApiInfo, calls: usize) -> Span {
        Span {
            inner: tracing::debug_span!(
                "discogen.batch",
                api = api.name,
                api.version = api.version,
                calls,
                http_requests = tracing::field::Empty,
                succeeded = tracing::field::Empty,
                failed = tracing::field::Empty,
            ),
        }
    }

    /// `discogen.batch_request`: one HTTP batch request; `ids` are its calls' request ids,
    /// listed up to [`MAX_TRACED_IDS`].
    pub(crate) fn batch_request<'i>(
        api: &ApiInfo,
        attempt: u32,
        ids: impl ExactSizeIterator<Item = &'i str>,
    ) -> Span {
        let calls = ids.len();
        let mut listed = String::new();
        for (index, id) in ids.enumerate() {
            if index == MAX_TRACED_IDS {
                listed.push_str(&format!(",… ({} more)", calls - MAX_TRACED_IDS));
                break;
            }
            if index > 0 {
                listed.push(',');
            }
            listed.push_str(id);
        }
        Span {
            inner: tracing::debug_span!(
                "discogen.batch_request",
                api = api.name,
                api.version = api.version,
                calls,
                request_ids = listed.as_str(),
                attempt,
                status = tracing::field::Empty,
            ),
        }
    }

    /// `discogen.upload`: one media upload, whatever its protocol.
    pub(crate) fn upload(api: &ApiInfo, method_id: &str, protocol: &str) -> Span {
        Span {
            inner: tracing::debug_span!(
                "discogen.upload",
                api = api.name,
                api.version = api.version,
                method = method_id,
                protocol,
                bytes_sent = tracing::field::Empty,
                status = tracing::field::Empty,
            ),
        }
    }

    /// `discogen.download`: one media download (buffered or streamed).
    pub(crate) fn download(api: &ApiInfo, method_id: &str, streamed: bool) -> Span {
        Span {
            inner: tracing::debug_span!(
                "discogen.download",
                api = api.name,
                api.version = api.version,
                method = method_id,
                streamed,
                // A streamed download records its attempts here (a buffered one in its call).
                attempt = tracing::field::Empty,
                status = tracing::field::Empty,
            ),
        }
    }

    /// Records the attempt number (1 for the first).
    pub(crate) fn attempt(&self, attempt: u32) {
        self.inner.record("attempt", attempt);
    }

    /// Records the HTTP status of the latest answer.
    pub(crate) fn status(&self, status: StatusCode) {
        self.inner.record("status", status.as_u16());
    }

    /// Records a count (`bytes_sent`, `http_requests`, `succeeded`, `failed`).
    pub(crate) fn count(&self, field: &'static str, value: u64) {
        self.inner.record(field, value);
    }

    /// Runs `future` inside the span.
    pub(crate) fn instrument<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        tracing::Instrument::instrument(future, self.inner.clone())
    }
}

#[cfg(not(feature = "tracing"))]
impl Span {
    #[inline(always)]
    pub(crate) fn call(_: &ApiInfo, _: &str, _: &Method) -> Span {
        Span {}
    }
    #[inline(always)]
    pub(crate) fn batch(_: &ApiInfo, _: usize) -> Span {
        Span {}
    }
    #[inline(always)]
    pub(crate) fn batch_request<'i>(
        _: &ApiInfo,
        _: u32,
        _: impl ExactSizeIterator<Item = &'i str>,
    ) -> Span {
        Span {}
    }
    #[inline(always)]
    pub(crate) fn upload(_: &ApiInfo, _: &str, _: &str) -> Span {
        Span {}
    }
    #[inline(always)]
    pub(crate) fn download(_: &ApiInfo, _: &str, _: bool) -> Span {
        Span {}
    }
    #[inline(always)]
    pub(crate) fn attempt(&self, _: u32) {}
    #[inline(always)]
    pub(crate) fn status(&self, _: StatusCode) {}
    #[inline(always)]
    pub(crate) fn count(&self, _: &'static str, _: u64) {}
    #[inline(always)]
    pub(crate) fn instrument<F: Future>(&self, future: F) -> F {
        future
    }
}
