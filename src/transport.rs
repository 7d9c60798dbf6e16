//! The hooks progenitor's generated client calls around every request: path ids are checked,
//! credentials applied, and responses annotated so that no error loses its status, operation or
//! body (see `annotate.rs`).

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::annotate;
use crate::client::Inner;
use crate::error::SdkError;
use crate::generated::Client;
use crate::generated::operations::{OPERATIONS, Operation};

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
    let Some(segments) = url.path_segments() else {
        return false;
    };
    let mut segments = segments;
    for base in &inner.base_segments {
        if segments.next() != Some(base.as_str()) {
            return false;
        }
    }
    for expected in op.path.trim_start_matches('/').split('/') {
        let Some(actual) = segments.next() else {
            return false;
        };
        let is_param = expected.starts_with('{');
        if (is_param && actual.is_empty()) || (!is_param && actual != expected) {
            return false;
        }
    }
    segments.next().is_none()
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

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let retry = self.inner().auth.retry_after_unauthorized(&request);
        let mut response = self.client().execute(request).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Some(retry) = retry
            && let Some(request) = retry.prepare().await
        {
            response = self.client().execute(request).await?;
        }
        let Some(op) = operation(info.operation_id) else {
            return Ok(response);
        };
        if response.status().as_u16() == op.success {
            if op.json_response {
                return Ok(annotate::with_trailer(response, op.id));
            }
            return Ok(response);
        }
        annotate::buffered(response, op.id).await
    }
}
