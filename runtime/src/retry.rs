//! When a failed call is sent again, and how long to wait before it.

use std::time::Duration;

use http::{HeaderMap, StatusCode};

use crate::{Auth, RetryPolicy};

/// What an answer allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// The outcome is final.
    No,
    /// 401: ask the token source for a fresh token, then send again (once).
    AfterRefresh,
    /// 429 or 5xx: send again after a backoff, at least the server's `Retry-After` if any.
    AfterBackoff(Option<Duration>),
}

impl Retry {
    /// What an answer with `status` and `headers` allows.
    pub(crate) fn for_status(status: StatusCode, headers: &HeaderMap) -> Retry {
        if status == StatusCode::UNAUTHORIZED {
            Retry::AfterRefresh
        } else if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            Retry::AfterBackoff(retry_after(headers))
        } else {
            Retry::No
        }
    }
}

/// `Retry-After` as a number of seconds. The HTTP-date form is not understood (Google sends
/// seconds); such a value is ignored and the plain backoff applies.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What to do with a call after an answer: single calls and batches decide alike.
pub(crate) enum Plan {
    Finish,
    Refresh,
    Backoff(Duration),
}

/// The plan for a call whose answer allows `retry`, after `attempts` attempts, when its token
/// was already refreshed once (`auth_retried`) or not.
pub(crate) fn plan(
    retry: Retry,
    attempts: u32,
    auth_retried: bool,
    auth: &Auth,
    policy: &RetryPolicy,
) -> Plan {
    if attempts >= policy.max_attempts {
        return Plan::Finish;
    }
    match retry {
        Retry::No => Plan::Finish,
        Retry::AfterRefresh if auth_retried || !matches!(auth, Auth::Token(_)) => Plan::Finish,
        Retry::AfterRefresh => Plan::Refresh,
        Retry::AfterBackoff(retry_after) => Plan::Backoff(policy.backoff(attempts, retry_after)),
    }
}

impl RetryPolicy {
    /// How long to wait before retry number `retry` (1 for the first retry).
    ///
    /// Exponential backoff (`initial_backoff × 2^(retry-1)`) with "equal jitter" (a random
    /// point in the upper half, so that many clients do not retry in lockstep), raised to the
    /// server's `Retry-After` when that is longer, and capped at `max_backoff`.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let base = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        let half = base / 2;
        let jitter = half.mul_f64(fastrand::f64());
        let delay = (half + jitter).max(retry_after.unwrap_or_default());
        delay.min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_bounds() {
        let policy = policy();
        for retry in 1..=4u32 {
            let base = Duration::from_millis(100 * (1 << (retry - 1)));
            for _ in 0..50 {
                let delay = policy.backoff(retry, None);
                assert!(
                    delay >= base / 2 && delay <= base,
                    "retry {retry}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn backoff_is_capped() {
        let policy = policy();
        assert!(policy.backoff(30, None) <= Duration::from_secs(10));
        assert!(policy.backoff(u32::MAX, None) <= Duration::from_secs(10));
        assert_eq!(
            policy.backoff(1, Some(Duration::from_secs(3600))),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn retry_after_raises_the_backoff() {
        let policy = policy();
        assert_eq!(
            policy.backoff(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn retry_after_seconds_are_parsed_and_dates_ignored() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            http::header::RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn statuses_are_classified() {
        let headers = HeaderMap::new();
        assert_eq!(
            Retry::for_status(StatusCode::UNAUTHORIZED, &headers),
            Retry::AfterRefresh
        );
        assert_eq!(
            Retry::for_status(StatusCode::TOO_MANY_REQUESTS, &headers),
            Retry::AfterBackoff(None)
        );
        assert_eq!(
            Retry::for_status(StatusCode::SERVICE_UNAVAILABLE, &headers),
            Retry::AfterBackoff(None)
        );
        assert_eq!(
            Retry::for_status(StatusCode::NOT_FOUND, &headers),
            Retry::No
        );
        assert_eq!(
            Retry::for_status(StatusCode::FORBIDDEN, &headers),
            Retry::No
        );
    }
}
