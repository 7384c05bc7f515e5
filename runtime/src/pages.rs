//! Pagination: the pages of a list call, and the items on them, as streams.
//!
//! Generated builders of list methods (a `pageToken` parameter and a `nextPageToken` in the
//! response) return [`Pages`] from `pages()` and, when the page has one list of items,
//! [`Items`] from `items()`. Both are plain [`Stream`]s: `Send`, `Unpin`, lazy (the next page is
//! requested only when the stream is polled past the current one) and ended by the last page
//! or the first error.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use futures_util::stream::FusedStream;
use serde::de::DeserializeOwned;

use crate::{Call, Error, Response};

/// The query parameter that asks for a page.
const PAGE_TOKEN: &str = "pageToken";

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Response<T>, Error>> + Send>>;

/// Every page of a list call, one request per page, as a [`Stream`] of `Result<T, Error>`.
///
/// The first page is the call as built (with the `pageToken` it was given, if any); each
/// later page is the same call with `pageToken` set to the previous page's
/// `nextPageToken`. The stream ends after a page without a token or with an empty one, and
/// after the first error, which it yields. A page whose `nextPageToken` is the token that
/// fetched it is yielded and followed by [`Error::Pagination`], rather than by the same page
/// forever.
///
/// A `fields` selection must include `nextPageToken`, or the stream stops after one page.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    /// The call of the first page; each page is sent as a copy of it.
    call: Call<T>,
    next_token: fn(&T) -> Option<&str>,
    state: State<T>,
}

enum State<T> {
    /// The next poll sends the call with this page token (`None`: the call as built).
    Ready(Option<String>),
    /// A page is on its way; `sent_token` is the `pageToken` it was asked with.
    InFlight {
        page: PageFuture<T>,
        sent_token: Option<String>,
    },
    /// The next poll yields this error, then the stream ends.
    Failed(Error),
    /// The last page or an error was yielded.
    Done,
}

// No bounds here: generated code calls `new` and `items` in every list method, and bounds on
// them would make rustc prove `T: Send` for each page type when checking the generated crate
// (seconds for compute.v1). The bounds sit on the `Stream` impls, where the streams are used.
impl<T> Pages<T> {
    /// The pages of `call`, a call of a list method; `next_token` reads a page's
    /// `nextPageToken` (generated code passes `|page| page.next_page_token.as_deref()`).
    pub fn new(call: Call<T>, next_token: fn(&T) -> Option<&str>) -> Self {
        Pages {
            call,
            next_token,
            state: State::Ready(None),
        }
    }

    /// The items of every page, in order: `items_of` takes a page's list of items out of it
    /// (generated code passes `|page| page.items.unwrap_or_default()`). Empty pages are
    /// skipped; an error ends the stream as it ends the pages.
    pub fn items<I>(self, items_of: fn(T) -> Vec<I>) -> Items<T, I> {
        Items {
            pages: self,
            items_of,
            buffered: Vec::new().into_iter(),
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Pages<T> {
    fn send(&mut self, token: Option<String>) {
        let mut call = self.call.duplicate();
        if let Some(token) = &token {
            call.set_query(PAGE_TOKEN, token.as_str());
        }
        let sent_token = token.or_else(|| call.request.query_value(PAGE_TOKEN).map(str::to_owned));
        self.state = State::InFlight {
            page: Box::pin(call.send()),
            sent_token,
        };
    }

    /// What follows a page that arrived: the next page's token, or the end.
    fn after(&self, page: &T, sent_token: Option<String>) -> State<T> {
        match (self.next_token)(page) {
            None => State::Done,
            Some("") => State::Done,
            Some(token) if Some(token) == sent_token.as_deref() => {
                State::Failed(Error::Pagination(format!(
                    "{} answered with a nextPageToken equal to the pageToken it was sent: \
                     the next page would be this page again",
                    self.call.request.method_id
                )))
            }
            Some(token) => State::Ready(Some(token.to_owned())),
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for Pages<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            // Taken out and put back: `Done` stays when a page ends the stream.
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Failed(error) => return Poll::Ready(Some(Err(error))),
                State::Ready(token) => this.send(token),
                State::InFlight {
                    mut page,
                    sent_token,
                } => {
                    return match page.as_mut().poll(cx) {
                        Poll::Pending => {
                            this.state = State::InFlight { page, sent_token };
                            Poll::Pending
                        }
                        Poll::Ready(Err(error)) => Poll::Ready(Some(Err(error))),
                        Poll::Ready(Ok(response)) => {
                            this.state = this.after(&response.body, sent_token);
                            Poll::Ready(Some(Ok(response.body)))
                        }
                    };
                }
            }
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> FusedStream for Pages<T> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

// No field is ever pinned in place: the in-flight future is boxed.
impl<T> Unpin for Pages<T> {}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(None) => "not started",
            State::Ready(Some(_)) => "between pages",
            State::InFlight { .. } => "fetching a page",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        f.debug_struct("Pages")
            .field("call", &self.call)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

/// The items of every page of a list call, as a [`Stream`] of `Result<I, Error>`; made by
/// [`Pages::items`].
///
/// Pages are fetched one at a time as the items of the previous one run out; the stream ends
/// after the last page's items, or with the first error.
#[must_use = "streams do nothing unless polled"]
pub struct Items<T, I> {
    pages: Pages<T>,
    items_of: fn(T) -> Vec<I>,
    /// What is left of the current page.
    buffered: std::vec::IntoIter<I>,
}

impl<T: DeserializeOwned + Send + 'static, I> Stream for Items<T, I> {
    type Item = Result<I, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffered.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffered = (this.items_of)(page).into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let known = self.buffered.len();
        if self.pages.is_terminated() {
            (known, Some(known))
        } else {
            (known, None)
        }
    }
}

impl<T: DeserializeOwned + Send + 'static, I> FusedStream for Items<T, I> {
    fn is_terminated(&self) -> bool {
        self.buffered.len() == 0 && self.pages.is_terminated()
    }
}

// No field is ever pinned in place (see `Pages`).
impl<T, I> Unpin for Items<T, I> {}

impl<T, I> fmt::Debug for Items<T, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffered.len())
            .finish_non_exhaustive()
    }
}
