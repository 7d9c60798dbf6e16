//! The hooks progenitor's generated client calls around every request: path ids are checked,
//! credentials applied, and responses annotated so that no error loses its status, operation or
//! body (see `annotate.rs`).

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument as _;

use crate::annotate;
use crate::client::Inner;
use crate::error::SdkError;
use crate::generated::Client;
use crate::generated::operations::{OPERATIONS, Operation};
use crate::retry;

/// A path parameter as one URL path segment: progenitor-client's encoding (which covers `/`,
/// `?`, `#`, `%` and more) plus `\`, which URL parsers otherwise read as `/`. The generated code
/// calls this (see `build.rs`).
pub fn encode_path_segment(segment: &str) -> String {
    let encoded = progenitor_client::encode_path(segment);
    if encoded.contains('\\') {
        encoded.replace('\\', "%5C")
    } else {
        encoded
    }
}

fn operation(id: &str) -> Option<&'static Operation> {
    OPERATIONS
        .binary_search_by(|op| op.id.cmp(id))
        .ok()
        .map(|i| &OPERATIONS[i])
}

/// True when the request path is exactly the base path followed by the operation's template
/// with every parameter a non-empty segment. An id of `.` or `..` is removed or climbs a level
/// when the URL is normalised, an empty id leaves an empty segment: all three fail here.
fn path_matches(inner: &Inner, op: &Operation, url: &reqwest::Url) -> bool {
    url.path()
        .strip_prefix(inner.base_path.as_str())
        .is_some_and(|rest| matches_template(op.path, rest))
}

/// `path` against a template like `/user/{userId}/paycard`: literal text must be equal, each
/// `{param}` stands for one or more characters other than `/`.
fn matches_template(template: &str, path: &str) -> bool {
    let (template, path) = (template.as_bytes(), path.as_bytes());
    let (mut t, mut p) = (0, 0);
    while t < template.len() {
        if template[t] == b'{' {
            let Some(close) = template[t..].iter().position(|&b| b == b'}') else {
                return false;
            };
            t += close + 1;
            let start = p;
            while p < path.len() && path[p] != b'/' {
                p += 1;
            }
            if p == start {
                return false;
            }
        } else {
            if path.get(p) != Some(&template[t]) {
                return false;
            }
            t += 1;
            p += 1;
        }
    }
    p == path.len()
}

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let Some(op) = operation(info.operation_id)
            && !path_matches(self.inner(), op, request.url())
        {
            let params: Vec<&str> = op
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let error = SdkError::InvalidId {
                operation: op.id,
                params: params.join(", "),
            };
            return Err(progenitor_client::Error::Custom(annotate::stash(
                error.into(),
            )));
        }
        self.inner()
            .auth
            .apply(request)
            .await
            .map_err(|e| progenitor_client::Error::Custom(annotate::stash(e)))
    }

    /// A request that got no response (timeout, refused or dropped connection) still names its
    /// operation in the error.
    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                let error =
                    crate::error::ApiError::from_reqwest_ref(e).with_operation(info.operation_id);
                Err(progenitor_client::Error::Custom(annotate::stash(
                    error.into(),
                )))
            }
        }
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "trivoreid.request",
            operation = info.operation_id,
            method = %request.method(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        Box::pin(self.send_with_retries(request, info).instrument(span)).await
    }
}

impl Client {
    /// Sends a request, retrying transient failures by the client's [`RetryPolicy`] and once
    /// after a 401 with a fresh token, then annotates the response (see `annotate.rs`).
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let started = Instant::now();
        let policy = self.inner().retry;
        let unauthorized = self.inner().auth.retry_after_unauthorized(&request);
        let mut request = request;
        let mut attempt = 1;
        let outcome = loop {
            let spare = (attempt < policy.max_attempts)
                .then(|| request.try_clone())
                .flatten();
            let method = request.method().clone();
            let outcome = self.client().execute(request).await;
            let (again, retry_after) = match &outcome {
                Ok(response) => (
                    retry::retryable(&method, Ok(response.status())),
                    retry::retry_after(response.headers()),
                ),
                Err(e) => (retry::retryable(&method, Err(e)), None),
            };
            let Some(next) = spare.filter(|_| again) else {
                break outcome;
            };
            let delay = policy.delay(attempt, retry_after);
            if started.elapsed() + delay > policy.budget {
                break outcome;
            }
            tracing::debug!(
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                "transient failure; retrying"
            );
            tokio::time::sleep(delay).await;
            request = next;
            attempt += 1;
        };
        let span = tracing::Span::current();
        span.record("attempts", attempt);
        let mut response = match outcome {
            Ok(response) => response,
            Err(e) => {
                span.record("duration_ms", started.elapsed().as_millis() as u64);
                tracing::debug!(error = %e, "request failed");
                return Err(e);
            }
        };
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Some(retry) = unauthorized
            && let Some(request) = retry.prepare().await
        {
            tracing::debug!("401 with a token: retrying once with a fresh one");
            response = self.client().execute(request).await?;
        }
        span.record("status", response.status().as_u16());
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        let Some(op) = operation(info.operation_id) else {
            return Ok(response);
        };
        if response.status().as_u16() == op.success {
            if op.json_response {
                return Ok(annotate::with_trailer(response, op.id).await);
            }
            return Ok(response);
        }
        annotate::buffered(response, op.id).await
    }
}

#[cfg(test)]
mod tests {
    use super::matches_template;

    #[test]
    fn paths_match_their_template_with_non_empty_parameters() {
        let template = "/api/rest/v1/user/{userId}/paycard/{cardId}";
        assert!(matches_template(
            template,
            "/api/rest/v1/user/u1/paycard/c%2F2"
        ));
        assert!(matches_template("/api/rest/v1/user", "/api/rest/v1/user"));
        for path in [
            "/api/rest/v1/user//paycard/c",
            "/api/rest/v1/user/u1/paycard/",
            "/api/rest/v1/user/u1/paycard",
            "/api/rest/v1/user/u1/paycard/c/extra",
            "/api/rest/v1/user/u1/paycards/c",
            "/api/rest/v1/paycard/c",
            "",
        ] {
            assert!(!matches_template(template, path), "{path}");
        }
        assert!(!matches_template("/api/rest/v1/user", "/api/rest/v1/user/"));
        assert!(!matches_template(
            "/api/rest/v1/user/{broken",
            "/api/rest/v1/user/x"
        ));
    }
}
