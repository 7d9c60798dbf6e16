//! When and how long to wait before sending a request again.
//!
//! Transient failures are retried with exponential backoff, full jitter and a cap: connection
//! failures, and the statuses 429, 502, 503 and 504. `Retry-After` (seconds or an HTTP-date) is
//! honoured. GET, HEAD, PUT and DELETE are retried by default; POST (and PATCH) only when the
//! request never reached the server (the connection could not be made), since Trivore ID has no
//! idempotency keys and a POST that arrived may have taken effect.

use std::time::{Duration, SystemTime};

use rand::Rng as _;
use reqwest::{Method, StatusCode};

/// The retry policy of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (default 3; 1 means no retries).
    pub max_attempts: u32,
    /// The first backoff (default 200 ms); doubles with each attempt, before jitter.
    pub initial_backoff: Duration,
    /// The longest single wait, also for `Retry-After` (default 10 s).
    pub max_backoff: Duration,
    /// Time allowed for all attempts and waits of one call together (default 60 s); no retry
    /// starts after it.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1): the server's
    /// `Retry-After` when given (capped), else exponential backoff with full jitter.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff);
        let millis = u64::try_from(exp.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }
}

/// Whether a request with `method` may be sent again after this outcome.
pub(crate) fn retryable(method: &Method, outcome: Result<StatusCode, &reqwest::Error>) -> bool {
    let idempotent = matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    );
    match outcome {
        Ok(status) => {
            idempotent
                && matches!(
                    status,
                    StatusCode::TOO_MANY_REQUESTS
                        | StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                )
        }
        // The connection was never made: the server cannot have seen the request.
        Err(e) if e.is_connect() => true,
        Err(e) => idempotent && (e.is_timeout() || e.is_request() || e.is_body()),
    }
}

/// A `Retry-After` header: delay-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // IMF-fixdate, and the obsolete RFC 850 and asctime forms (RFC 9110 §5.6.7).
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let policy = RetryPolicy::default();
        for attempt in 1..20 {
            let cap = policy
                .initial_backoff
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(policy.max_backoff);
            for _ in 0..20 {
                assert!(policy.delay(attempt, None) <= cap);
            }
        }
        let waits: std::collections::HashSet<_> = (0..50).map(|_| policy.delay(3, None)).collect();
        assert!(waits.len() > 1, "jitter");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(3600))),
            policy.max_backoff
        );
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            "retry-after",
            "Sun, 06 Nov 1994 08:49:37 GMT".parse().unwrap(),
        );
        assert_eq!(
            retry_after(&headers),
            Some(Duration::ZERO),
            "a date in the past: now"
        );
        let soon = chrono::Utc::now() + chrono::Duration::seconds(30);
        headers.insert(
            "retry-after",
            soon.format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string()
                .parse()
                .unwrap(),
        );
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        for format in ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"] {
            let value = soon.format(format).to_string();
            headers.insert("retry-after", value.parse().unwrap());
            let wait = retry_after(&headers).unwrap_or_else(|| panic!("{value}"));
            assert!(wait > Duration::from_secs(25), "{value}: {wait:?}");
        }
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_safe_requests_are_retried_after_a_response() {
        for status in [429, 502, 503, 504] {
            let status = StatusCode::from_u16(status).unwrap();
            assert!(retryable(&Method::GET, Ok(status)));
            assert!(retryable(&Method::PUT, Ok(status)));
            assert!(retryable(&Method::DELETE, Ok(status)));
            assert!(
                !retryable(&Method::POST, Ok(status)),
                "a POST that reached the server"
            );
        }
        for status in [400, 401, 404, 409, 500, 501] {
            assert!(!retryable(
                &Method::GET,
                Ok(StatusCode::from_u16(status).unwrap())
            ));
        }
    }
}
