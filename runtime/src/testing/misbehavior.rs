//! Switches that make the test server misbehave the ways real servers (and networks) do.

use std::time::Duration;

use http::StatusCode;

use super::exchange::{RawResponse, status_code};

/// How the server should misbehave. Every field's default is "behave"; set it with
/// [`TestServer::set_misbehavior`](super::TestServer::set_misbehavior) at any time (it applies
/// from the next request on).
///
/// The part-level switches (`order` … `unclosed_boundary`) change batch answers only. The
/// transport-level ones (`delay` … `raw_response`) change every answer, single calls
/// included.
#[derive(Clone, Debug, Default)]
pub struct Misbehavior {
    /// The order of the answer's parts.
    pub order: PartOrder,
    /// Leave the Content-ID out of every answer part (as the Admin SDK does).
    pub drop_content_ids: bool,
    /// Leave out the answers to these parts (indices into the batch request's parts).
    pub drop_parts: Vec<usize>,
    /// Answer these parts twice, the copy right after the original.
    pub duplicate_parts: Vec<usize>,
    /// Answer chosen parts with an error status (without calling the handler for them).
    pub fail_parts: Vec<PartFailure>,
    /// Answer whole batch requests with an error status (their parts are still recorded).
    pub fail_batch: Option<BatchFailure>,
    /// Answer batch requests `200 OK` with a JSON body instead of a multipart one.
    pub non_multipart: bool,
    /// Append this many empty parts (a delimiter line and nothing else) to each batch answer.
    pub empty_parts: usize,
    /// Add `X-Invalid-Utf8: \xff\xfe` (bytes that are not UTF-8) to every answer part.
    pub invalid_utf8_header: bool,
    /// Leave out the closing delimiter `--boundary--`: the last part never closes.
    pub unclosed_boundary: bool,
    /// Wait this long before sending any answer.
    pub delay: Option<Duration>,
    /// Send the first bytes of the answer body, then stall before the rest.
    pub stall: Option<Stall>,
    /// Send only this many bytes of the answer body (after declaring its full length), then
    /// drop the connection.
    pub cut_body_after: Option<usize>,
    /// Declare a `Content-Length` this many bytes off the real length. Shorter (negative): the
    /// client receives the truncated body as if it were whole. Longer: the connection closes
    /// before the declared length arrives.
    pub content_length_offset: Option<i64>,
    /// Answer every request with this, verbatim (requests are still recorded and batches
    /// unwrapped, but no handler runs).
    pub raw_response: Option<RawResponse>,
}

/// The order of a batch answer's parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PartOrder {
    /// The order of the request (what the documentation promises but does not guarantee).
    #[default]
    AsSent,
    /// Last part first.
    Reversed,
    /// A shuffle that the seed makes reproducible.
    Shuffled {
        /// Seed of the shuffle.
        seed: u64,
    },
}

/// Which part of a batch a [`PartFailure`] hits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartTarget {
    /// The part at this index in the batch request (counting from 0).
    Index(usize),
    /// The part whose Content-ID carries this request id (`<BASE+ID>`, decoded).
    RequestId(String),
    /// Every part.
    All,
}

/// Answer matching parts with `status` (a Google error body, and `Retry-After` when set) in
/// the next `batches` batch requests that contain one; `None` for every batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartFailure {
    /// Which parts.
    pub target: PartTarget,
    /// The status to answer with (401, 429, 503, …).
    pub status: StatusCode,
    /// In how many more batch requests to fail them; `None` for all. Counts down once per
    /// batch request in which the failure hit a part; at `Some(0)` it is spent.
    pub batches: Option<usize>,
    /// A `Retry-After` value to send along (seconds, or an HTTP date).
    pub retry_after: Option<String>,
}

impl PartFailure {
    /// Fails the part at `index` with `status` in every batch.
    ///
    /// # Panics
    /// When `status` is not a valid status code.
    pub fn index(index: usize, status: u16) -> Self {
        PartFailure::new(PartTarget::Index(index), status)
    }

    /// Fails the part whose request id is `request_id` with `status` in every batch.
    ///
    /// # Panics
    /// When `status` is not a valid status code.
    pub fn request_id(request_id: impl Into<String>, status: u16) -> Self {
        PartFailure::new(PartTarget::RequestId(request_id.into()), status)
    }

    /// Fails every part with `status`.
    ///
    /// # Panics
    /// When `status` is not a valid status code.
    pub fn all(status: u16) -> Self {
        PartFailure::new(PartTarget::All, status)
    }

    fn new(target: PartTarget, status: u16) -> Self {
        let status = status_code(status);
        PartFailure {
            target,
            status,
            batches: None,
            retry_after: None,
        }
    }

    /// Only in the next `batches` batch requests that contain such a part.
    pub fn for_batches(mut self, batches: usize) -> Self {
        self.batches = Some(batches);
        self
    }

    /// Sends `Retry-After: value` with the failure.
    pub fn retry_after(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(value.into());
        self
    }

    /// Whether it still applies, and to the part at `index` with `request_id`.
    pub(crate) fn hits(&self, index: usize, request_id: Option<&str>) -> bool {
        self.batches != Some(0)
            && match &self.target {
                PartTarget::Index(i) => *i == index,
                PartTarget::RequestId(id) => request_id == Some(id.as_str()),
                PartTarget::All => true,
            }
    }
}

/// Answer whole batch requests with `status` (a Google error body, and `Retry-After` when
/// set) for the next `batches` batch requests; `None` for all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchFailure {
    /// The status of the outer answer.
    pub status: StatusCode,
    /// In how many more batch requests; `None` for all.
    pub batches: Option<usize>,
    /// A `Retry-After` value to send along.
    pub retry_after: Option<String>,
}

impl BatchFailure {
    /// Fails every batch request with `status`.
    ///
    /// # Panics
    /// When `status` is not a valid status code.
    pub fn new(status: u16) -> Self {
        let status = status_code(status);
        BatchFailure {
            status,
            batches: None,
            retry_after: None,
        }
    }

    /// Only the next `batches` batch requests.
    pub fn for_batches(mut self, batches: usize) -> Self {
        self.batches = Some(batches);
        self
    }

    /// Sends `Retry-After: value` with the failure.
    pub fn retry_after(mut self, value: impl Into<String>) -> Self {
        self.retry_after = Some(value.into());
        self
    }
}

/// Send `after_bytes` of the body, wait `duration`, then send the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stall {
    /// Bytes sent before the stall.
    pub after_bytes: usize,
    /// How long the stall lasts (the connection closes earlier if the server stops).
    pub duration: Duration,
}

/// Puts `items` in `order`.
pub(crate) fn reorder<T>(items: &mut [T], order: PartOrder) {
    match order {
        PartOrder::AsSent => {}
        PartOrder::Reversed => items.reverse(),
        PartOrder::Shuffled { seed } => fastrand::Rng::with_seed(seed).shuffle(items),
    }
}

/// Applies `drop_parts` and `duplicate_parts` to answers tagged with their request index.
pub(crate) fn drop_and_duplicate<T: Clone>(
    answers: Vec<(usize, T)>,
    misbehavior: &Misbehavior,
) -> Vec<(usize, T)> {
    let mut out = Vec::with_capacity(answers.len());
    for (index, answer) in answers {
        if misbehavior.drop_parts.contains(&index) {
            continue;
        }
        if misbehavior.duplicate_parts.contains(&index) {
            out.push((index, answer.clone()));
        }
        out.push((index, answer));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_hit_their_targets_until_spent() {
        let by_index = PartFailure::index(2, 503);
        assert!(by_index.hits(2, Some("x")) && !by_index.hits(1, None));
        let by_id = PartFailure::request_id("pony", 429)
            .for_batches(1)
            .retry_after("3");
        assert!(
            by_id.hits(7, Some("pony")) && !by_id.hits(7, Some("sheep")) && !by_id.hits(7, None)
        );
        assert_eq!(by_id.retry_after.as_deref(), Some("3"));
        assert!(
            !PartFailure {
                batches: Some(0),
                ..by_id
            }
            .hits(7, Some("pony"))
        );
        assert!(PartFailure::all(401).hits(9, None));
    }

    #[test]
    fn reordering() {
        let mut items = [0, 1, 2, 3, 4, 5, 6, 7];
        reorder(&mut items, PartOrder::Reversed);
        assert_eq!(items, [7, 6, 5, 4, 3, 2, 1, 0]);
        let (mut a, mut b) = ([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7]);
        reorder(&mut a, PartOrder::Shuffled { seed: 9 });
        reorder(&mut b, PartOrder::Shuffled { seed: 9 });
        assert_eq!(a, b);
        a.sort();
        assert_eq!(a, [0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn dropping_and_duplicating() {
        let misbehavior = Misbehavior {
            drop_parts: vec![1],
            duplicate_parts: vec![2],
            ..Misbehavior::default()
        };
        let answers = drop_and_duplicate(vec![(0, 'a'), (1, 'b'), (2, 'c')], &misbehavior);
        assert_eq!(answers, [(0, 'a'), (2, 'c'), (2, 'c')]);
    }
}
