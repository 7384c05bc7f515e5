//! Running a batch: split into HTTP requests, send them with bounded concurrency, map the
//! answers back to calls, retry what may be retried, and run every callback exactly once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method};
use percent_encoding::{percent_decode_str, utf8_percent_encode};
use tokio::time::Instant;

use super::{
    Deadline, RawResponse, attempt_headers, merge_headers, send_once, status_error, within,
};
use crate::batch::{BatchSummary, PartHandler, QueuedCall, QueuedId};
use crate::call::{RawRequest, append_query};
use crate::client::ClientInner;
use crate::multipart::{self, DecodedParts, RequestPart, ResponsePart};
use crate::path::{ALL_BUT_UNRESERVED, is_unreserved};
use crate::retry::{Plan, Retry, plan};
use crate::trace::Span;
use crate::{ApiError, Batch, BatchCallback, BatchError, Error};

/// What one HTTP batch request said about one call.
#[derive(Debug)]
enum Answer {
    /// The call's part of the response.
    Part(ResponsePart),
    /// No usable part: the error, and whether sending the call again may help.
    Failed(Error, Retry),
}

impl Answer {
    fn retry(&self) -> Retry {
        match self {
            Answer::Part(part) => Retry::for_status(part.status, &part.headers),
            Answer::Failed(_, retry) => *retry,
        }
    }
}

/// The result of one HTTP batch request: an answer for each of its calls.
struct RequestOutcome {
    /// False when nothing went out (the token source failed first).
    sent: bool,
    answers: Vec<(usize, Answer)>,
    unmatched: Vec<String>,
}

/// What every HTTP request of one `execute` shares; borrowed by the in-flight requests.
struct Shared<'s> {
    client: &'s ClientInner,
    ids: &'s RequestIds,
    requests: &'s [RawRequest],
    /// `<BASE+`, the start every Content-ID shares: BASE is random per batch and alphanumeric
    /// (encoding leaves it as it is).
    content_id_prefix: String,
    deadline: Option<Deadline>,
}

/// Runs callbacks and keeps the counts; owns everything the callbacks need mutably.
struct Dispatcher<'s, 'a> {
    ids: &'s RequestIds,
    handlers: Vec<Option<PartHandler<'a>>>,
    on_response: Option<BatchCallback<'a>>,
    /// HTTP attempts per call so far.
    attempts: Vec<u32>,
    /// Calls already sent again after a 401.
    auth_retried: Vec<bool>,
    summary: BatchSummary,
}

impl<'s, 'a> Dispatcher<'s, 'a> {
    fn new(
        ids: &'s RequestIds,
        handlers: Vec<Option<PartHandler<'a>>>,
        on_response: Option<BatchCallback<'a>>,
    ) -> Self {
        Dispatcher {
            attempts: vec![0; ids.len()],
            auth_retried: vec![false; ids.len()],
            ids,
            handlers,
            on_response,
            summary: BatchSummary::default(),
        }
    }

    /// Gives call `index` its final outcome: its own callback, then the batch-wide one.
    fn finish(&mut self, index: usize, mut answer: Answer) {
        // `take` makes a second answer for the same call impossible to deliver.
        let Some(handler) = self.handlers[index].take() else {
            return;
        };
        let id = self.ids.get(index);
        let keep_part = self.on_response.is_some();
        let result = match &mut answer {
            Answer::Part(part) => match part_error(part) {
                None => handler(id, Ok(part), keep_part),
                Some(error) => handler(id, Err(error), keep_part),
            },
            Answer::Failed(error, _) => handler(id, Err(error.clone()), keep_part),
        };
        if let Some(on_response) = &mut self.on_response {
            match (&result, &answer) {
                (Ok(()), Answer::Part(part)) => on_response(id, Ok(part)),
                (Err(error), _) => on_response(id, Err(error)),
                // A handler only succeeds with a part.
                (Ok(()), Answer::Failed(error, _)) => on_response(id, Err(error)),
            }
        }
        match result {
            Ok(()) => self.summary.succeeded += 1,
            Err(_) => self.summary.failed += 1,
        }
        if self.attempts[index] > 1 {
            self.summary.retried += 1;
        }
    }
}

/// A part's status as an outcome: 2xx is no error, 304 and the rest are errors.
fn part_error(part: &ResponsePart) -> Option<Error> {
    (!part.status.is_success()).then(|| {
        status_error(RawResponse {
            status: part.status,
            headers: part.headers.clone(),
            body: part.body.clone(),
        })
    })
}

/// The request ids of a batch's calls, written one after another into one string.
struct RequestIds {
    text: String,
    /// Where each id ends in `text`.
    ends: Vec<usize>,
}

impl RequestIds {
    /// The id of call `index`.
    fn get(&self, index: usize) -> &str {
        let start = index
            .checked_sub(1)
            .map_or(0, |previous| self.ends[previous]);
        &self.text[start..self.ends[index]]
    }

    fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Splits a batch into its ids, requests and handlers.
fn take_calls(
    calls: Vec<QueuedCall<'_>>,
) -> (RequestIds, Vec<RawRequest>, Vec<Option<PartHandler<'_>>>) {
    let mut ids = RequestIds {
        text: String::with_capacity(calls.len() * 4),
        ends: Vec::with_capacity(calls.len()),
    };
    let mut requests = Vec::with_capacity(calls.len());
    let mut handlers = Vec::with_capacity(calls.len());
    for call in calls {
        match call.id {
            QueuedId::Generated(number) => {
                // Writing into a String cannot fail.
                let _ = write!(ids.text, "{number}");
            }
            QueuedId::Given(id) => ids.text.push_str(&id),
        }
        ids.ends.push(ids.text.len());
        requests.push(call.request);
        handlers.push(Some(call.handler));
    }
    (ids, requests, handlers)
}

/// Fails every call of `batch` without sending anything (when it cannot run at all).
#[cfg(feature = "blocking")]
pub(crate) fn fail_all(batch: Batch<'_>, message: String) -> BatchSummary {
    let (ids, _, handlers) = take_calls(batch.calls);
    let mut dispatcher = Dispatcher::new(&ids, handlers, batch.on_response);
    let error = Error::Batch(BatchError::Runtime { message });
    for index in 0..dispatcher.ids.len() {
        dispatcher.finish(index, Answer::Failed(error.clone(), Retry::No));
    }
    dispatcher.summary
}

/// [`Batch::execute`].
pub(crate) async fn execute(batch: Batch<'_>) -> BatchSummary {
    let span = Span::batch(batch.client.api(), batch.calls.len());
    let summary = span.instrument(execute_in_span(batch)).await;
    span.count("http_requests", summary.http_requests as u64);
    span.count("succeeded", summary.succeeded as u64);
    span.count("failed", summary.failed as u64);
    summary
}

async fn execute_in_span(batch: Batch<'_>) -> BatchSummary {
    let Batch {
        client,
        calls,
        on_response,
        max_calls_per_request,
        max_in_flight,
        timeout,
        ..
    } = batch;
    let (ids, requests, handlers) = take_calls(calls);
    let count = ids.len();
    let content_id_base: String = std::iter::repeat_with(fastrand::alphanumeric)
        .take(16)
        .collect();
    let shared = Shared {
        client: &client.inner,
        ids: &ids,
        requests: &requests,
        content_id_prefix: format!("<{content_id_base}+"),
        deadline: timeout.map(Deadline::after),
    };
    let mut dispatcher = Dispatcher::new(&ids, handlers, on_response);
    let policy = &client.inner.retry;
    let mut pending: Vec<usize> = (0..count).collect();
    let mut refreshed = false;
    let mut round = 0;
    while !pending.is_empty() {
        round += 1;
        if let Some(deadline) = shared.deadline.filter(|d| Instant::now() >= d.at) {
            for index in pending.drain(..) {
                dispatcher.finish(
                    index,
                    Answer::Failed(Error::Timeout(deadline.timeout), Retry::No),
                );
            }
            break;
        }
        for &index in &pending {
            dispatcher.attempts[index] += 1;
        }
        let mut to_refresh = Vec::new();
        let mut to_back_off = Vec::new();
        let mut wait = Duration::ZERO;
        // Owned groups: a stream over borrowed chunks makes rustc lose `Send` of `execute`'s
        // future (a higher-ranked lifetime it cannot prove general enough).
        let groups: Vec<Vec<usize>> = pending
            .chunks(max_calls_per_request)
            .map(<[usize]>::to_vec)
            .collect();
        let mut in_flight = stream::iter(groups)
            .map(|group| {
                let ids = group.iter().map(|&index| shared.ids.get(index));
                let span = Span::batch_request(client.api(), round, ids);
                let shared = &shared;
                async move { span.instrument(send_request(shared, &group, &span)).await }
            })
            .buffer_unordered(max_in_flight);
        while let Some(outcome) = in_flight.next().await {
            dispatcher.summary.http_requests += usize::from(outcome.sent);
            dispatcher.summary.unmatched_parts.extend(outcome.unmatched);
            for (index, answer) in outcome.answers {
                let attempts = dispatcher.attempts[index];
                let auth_retried = dispatcher.auth_retried[index];
                match plan(
                    answer.retry(),
                    attempts,
                    auth_retried,
                    &client.inner.auth,
                    policy,
                ) {
                    Plan::Finish => dispatcher.finish(index, answer),
                    Plan::Refresh => to_refresh.push(index),
                    Plan::Backoff(delay) => {
                        wait = wait.max(delay);
                        to_back_off.push(index);
                    }
                }
            }
        }
        drop(in_flight);
        let mut next = to_back_off;
        if !to_refresh.is_empty() {
            // One refresh per execute (a call answered 401 again keeps its 401); a call
            // whose 401 came from a request that used the old token is still sent again.
            let refresh_error = if refreshed {
                None
            } else {
                refreshed = true;
                let scopes = union_scopes(&requests, to_refresh.iter().copied());
                within(shared.deadline, client.inner.auth.refresh(&scopes))
                    .await
                    .err()
            };
            for index in to_refresh {
                match &refresh_error {
                    Some(error) => {
                        dispatcher.finish(index, Answer::Failed(error.clone(), Retry::No))
                    }
                    None => {
                        dispatcher.auth_retried[index] = true;
                        next.push(index);
                    }
                }
            }
        }
        if !wait.is_zero() && !next.is_empty() {
            let until = Instant::now() + wait;
            let until = shared
                .deadline
                .map_or(until, |deadline| until.min(deadline.at));
            tokio::time::sleep_until(until).await;
        }
        next.sort_unstable();
        pending = next;
    }
    dispatcher.summary
}

/// The union of the scopes of `calls`, sorted: what one outer `Authorization` must cover.
fn union_scopes(
    requests: &[RawRequest],
    calls: impl IntoIterator<Item = usize>,
) -> Vec<&'static str> {
    // Calls of one method share one static scope list: add each list once in a row.
    let mut scopes: Vec<&'static str> = Vec::new();
    let mut previous: Option<&'static [&'static str]> = None;
    for index in calls {
        let own = requests[index].scopes;
        if previous.is_some_and(|previous| std::ptr::eq(previous, own)) {
            continue;
        }
        previous = Some(own);
        scopes.extend_from_slice(own);
    }
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

/// Sends one HTTP batch request for `group` and maps its answer back to the calls.
async fn send_request(shared: &Shared<'_>, group: &[usize], span: &Span) -> RequestOutcome {
    let client = shared.client;
    let failed = |error: Error, retry: Retry, sent: bool| RequestOutcome {
        sent,
        answers: group
            .iter()
            .map(|&index| (index, Answer::Failed(error.clone(), retry)))
            .collect(),
        unmatched: Vec::new(),
    };
    let scopes = union_scopes(shared.requests, group.iter().copied());
    // The outer request carries what all parts share: the defaults and one Authorization.
    let mut headers = match within(
        shared.deadline,
        attempt_headers(client, &HeaderMap::new(), &scopes, None),
    )
    .await
    {
        Ok(headers) => headers,
        Err(error) => return failed(error, Retry::No, false),
    };
    let parts: Vec<RequestPart> = group
        .iter()
        .map(|&index| request_part(shared, index))
        .collect();
    let boundary = multipart::safe_boundary(&parts);
    let body = Bytes::from(multipart::encode_request(&boundary, &parts));
    drop(parts);

    let content_type = HeaderValue::from_str(&format!("multipart/mixed; boundary={boundary}"))
        .expect("boundaries are made of header-safe characters");
    headers.insert(CONTENT_TYPE, content_type);
    let mut url = client.batch_url.clone();
    append_query(&mut url, client.auth.key().map(|key| ("key", key)));

    let deadline = Deadline::earliest(client.timeout.map(Deadline::after), shared.deadline);
    let response = match send_once(client, Method::POST, &url, headers, Some(body), deadline).await
    {
        Ok(response) => response,
        Err(error) => return failed(error, Retry::No, true),
    };
    span.status(response.status);
    if !response.status.is_success() {
        let retry = Retry::for_status(response.status, &response.headers);
        let RawResponse {
            status,
            headers,
            body,
        } = response;
        let error = Box::new(ApiError::new(status, headers, body));
        return failed(
            Error::Batch(BatchError::OuterStatus { status, error }),
            retry,
            true,
        );
    }
    let content_type = response
        .headers
        .get(CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .unwrap_or_default();
    if !content_type
        .trim_start()
        .get(..10)
        .is_some_and(|start| start.eq_ignore_ascii_case("multipart/"))
    {
        let error = Error::Batch(BatchError::NotMultipart { content_type });
        return failed(error, Retry::No, true);
    }
    let RawResponse { body, .. } = response;
    let decoded = multipart::decode_response_lenient(&content_type, body);
    let (answers, unmatched) = match_parts(shared.ids, group, decoded);
    RequestOutcome {
        sent: true,
        answers,
        unmatched,
    }
}

/// The part for call `index`: its own headers (they override the outer ones on the server),
/// the path-only URL, and its JSON body.
fn request_part(shared: &Shared<'_>, index: usize) -> RequestPart {
    let request = &shared.requests[index];
    let base_path = &shared.client.base_path;
    let mut path_and_query = String::with_capacity(base_path.len() + request.path.len());
    path_and_query.push_str(base_path);
    path_and_query.push_str(&request.path);
    append_query(&mut path_and_query, request.query_with(&[]));
    let headers = if request.body.is_none() {
        request.headers.clone()
    } else {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        merge_headers(&mut headers, &request.headers);
        headers
    };
    RequestPart {
        content_id: content_id(&shared.content_id_prefix, shared.ids.get(index)),
        method: request.method.clone(),
        path_and_query,
        headers,
        body: request.body.clone().unwrap_or_default(),
    }
}

/// [`multipart::content_id`] of BASE and `request_id`, without encoding the base again (its
/// `<BASE+` is `prefix`).
fn content_id(prefix: &str, request_id: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + request_id.len() + 1);
    id.push_str(prefix);
    id.extend(utf8_percent_encode(request_id, ALL_BUT_UNRESERVED));
    id.push('>');
    id
}

/// True when `content_id` carries the request id `id` and `id` needs no percent-encoding: what
/// [`request_id`] would find, checked from the end without copying (`…+ID>`, spaces allowed
/// around `+` and before `>`). False means "look closer", not "another id".
fn names_plain_id(content_id: &str, id: &str) -> bool {
    if id.is_empty() || !id.bytes().all(is_unreserved) {
        return false;
    }
    let text = content_id.trim_end();
    let text = text.strip_suffix('>').unwrap_or(text).trim_end();
    text.strip_suffix(id)
        .is_some_and(|before| before.trim_end().ends_with('+'))
}

/// The request id in a Content-ID, percent-decoded (borrowed when nothing is encoded).
fn request_id(content_id: &str) -> Option<Cow<'_, str>> {
    let raw = multipart::request_id_from_content_id(content_id)?;
    percent_decode_str(raw).decode_utf8().ok()
}

/// Maps the parts of a decoded answer to the calls of `group`: by Content-ID, or by position
/// when no part has one. Every call gets exactly one answer; parts that answer no call, or a
/// call already answered (the first answer wins), are returned as unmatched.
fn match_parts(
    ids: &RequestIds,
    group: &[usize],
    decoded: DecodedParts<ResponsePart>,
) -> (Vec<(usize, Answer)>, Vec<String>) {
    let mut answers: Vec<Option<Answer>> = (0..group.len()).map(|_| None).collect();
    let mut unmatched = Vec::new();
    let mut unattributed_error = None;
    let by_position = decoded.parts.iter().all(|part| match part {
        Ok(part) => part.content_id.is_none(),
        Err(error) => error.content_id.is_none(),
    });
    // Servers answer in order as a rule: the part's own position is tried first, and the
    // map is built only for the first part found elsewhere.
    let mut position_of: Option<HashMap<&str, usize>> = None;
    for (number, part) in decoded.parts.into_iter().enumerate() {
        let content_id = match &part {
            Ok(part) => part.content_id.as_deref(),
            Err(error) => error.content_id.as_deref(),
        };
        let position = if by_position {
            Some(number).filter(|&number| number < group.len())
        } else {
            let expected = group.get(number).map(|&index| ids.get(index));
            if content_id
                .zip(expected)
                .is_some_and(|(c, e)| names_plain_id(c, e))
            {
                Some(number)
            } else {
                content_id.and_then(request_id).and_then(|id| {
                    if expected.is_some_and(|expected| expected == id) {
                        return Some(number);
                    }
                    position_of
                        .get_or_insert_with(|| {
                            group
                                .iter()
                                .enumerate()
                                .map(|(position, &index)| (ids.get(index), position))
                                .collect()
                        })
                        .get(&*id)
                        .copied()
                })
            }
        };
        let slot = position
            .and_then(|position| answers.get_mut(position))
            .filter(|slot| slot.is_none());
        match (slot, part) {
            (Some(slot), Ok(part)) => *slot = Some(Answer::Part(part)),
            (Some(slot), Err(error)) => {
                let error = Error::Batch(BatchError::UnparsablePart(error.error));
                *slot = Some(Answer::Failed(error, Retry::No));
            }
            (None, part) => {
                if let (Err(error), None) = (&part, &position) {
                    unattributed_error.get_or_insert_with(|| error.error.clone());
                }
                let content_id = match part {
                    Ok(part) => part.content_id,
                    Err(error) => error.content_id,
                };
                unmatched
                    .push(content_id.unwrap_or_else(|| format!("part {number} (no Content-ID)")));
            }
        }
    }
    // A call without a part: the body was cut or broken, a part could not be read, or the
    // server left the call out.
    let missing = match (decoded.error, unattributed_error) {
        (Some(error), _) => BatchError::Undecodable(error),
        (None, Some(error)) => BatchError::UnparsablePart(error),
        (None, None) => BatchError::MissingPart,
    };
    let answers = group
        .iter()
        .zip(answers)
        .map(|(&index, answer)| {
            (
                index,
                answer.unwrap_or_else(|| Answer::Failed(Error::Batch(missing.clone()), Retry::No)),
            )
        })
        .collect();
    (answers, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_id_is_recognised_only_where_the_codec_finds_it() {
        let cases = [
            ("<response-b1+17>", "17", true),
            ("<response-base + 17>", "17", true),
            ("  <response-b1+17 >  ", "17", true),
            ("<b1+17>", "17", true),
            ("<response-b1+117>", "17", false),
            ("<response-b1+17>", "1", false),
            ("<response-17>", "17", false),
            ("<response-b1+a%2Bb>", "a+b", false),
            ("<response-b1+a%20b>", "a%20b", false),
            ("<response-x+y+z>", "z", true),
            ("<response-b1+>", "", false),
        ];
        for (content_id, id, plain) in cases {
            assert_eq!(
                names_plain_id(content_id, id),
                plain,
                "{content_id:?} {id:?}"
            );
            if plain {
                assert_eq!(
                    request_id(content_id).as_deref(),
                    Some(id),
                    "{content_id:?}"
                );
            }
        }
    }

    #[test]
    fn content_ids_are_the_codecs() {
        let base = "Ab3xY9";
        let prefix = format!("<{base}+");
        for id in ["1", "1000", "a-b.c_d~e", "a+b", "x y", "é", "<id>", "%41"] {
            assert_eq!(
                content_id(&prefix, id),
                multipart::content_id(base, id),
                "{id:?}"
            );
        }
    }
}
