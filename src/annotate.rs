//! How the transport hook carries the HTTP status, the operation and the raw body past the
//! generated code to the error mapping.
//!
//! progenitor's error variants drop facts a user needs: `ErrorResponse` keeps only the decoded
//! `{errorMessage, statusCode}` (not the raw body, nor a non-JSON body at all), and
//! `InvalidResponsePayload` / `ResponseBodyError` keep no status. The transport hook (see
//! `transport.rs`) therefore rewrites each response before progenitor reads it:
//!
//! - **Error statuses** (and any status the operation does not document): the body is read
//!   whole; the raw body and the operation travel in two private headers; a 4xx/5xx body is
//!   replaced by a well-formed error object, so progenitor never fails to decode it and never
//!   drops the status.
//! - **The documented success status of an operation that returns JSON**: the body is read
//!   whole (as the generated code would) and followed, in the same buffer, by a trailer of
//!   JSON-insignificant whitespace that encodes the status and the operation. A decoder ignores
//!   it; when decoding fails, `InvalidResponsePayload` holds the bytes and so the trailer. A body
//!   that breaks off yields a [`BodyInterrupted`] error with the status, found again through the
//!   `source()` chain of progenitor's `ResponseBodyError`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Private header: the operation that produced an error response.
pub(crate) const OPERATION_HEADER: HeaderName = HeaderName::from_static("x-trivoreid-operation");
/// Private header: the raw error body, base64.
pub(crate) const RAW_BODY_HEADER: HeaderName = HeaderName::from_static("x-trivoreid-raw-body");

/// Whitespace alphabet of the trailer: two bits per symbol.
const SYMBOLS: [u8; 4] = [b' ', b'\t', b'\n', b'\r'];
/// Marks the start of a trailer. No text a server sends ends with this by accident and a
/// trailer after it, since the trailer must decode to `"<status> <operation>"`.
const SENTINEL: &[u8] = b"\r\r\t\t\n\n  \r\t\n ";

/// Appends the trailer of a JSON success body to `out`.
pub(crate) fn push_trailer(out: &mut Vec<u8>, status: StatusCode, operation: &str) {
    out.reserve(trailer_len(status, operation));
    out.extend_from_slice(SENTINEL);
    let mut push = |byte: u8| {
        for shift in [6, 4, 2, 0] {
            out.push(SYMBOLS[usize::from((byte >> shift) & 3)]);
        }
    };
    status.as_str().bytes().for_each(&mut push);
    push(b' ');
    operation.bytes().for_each(push);
}

/// The length of the trailer [`push_trailer`] appends.
fn trailer_len(status: StatusCode, operation: &str) -> usize {
    SENTINEL.len() + 4 * (status.as_str().len() + 1 + operation.len())
}

/// Splits a body that may end in a trailer into (body, status, operation).
pub(crate) fn split_trailer(bytes: &[u8]) -> (&[u8], Option<(StatusCode, String)>) {
    let Some(at) = bytes.windows(SENTINEL.len()).rposition(|w| w == SENTINEL) else {
        return (bytes, None);
    };
    let encoded = &bytes[at + SENTINEL.len()..];
    if encoded.is_empty() || !encoded.len().is_multiple_of(4) {
        return (bytes, None);
    }
    let mut payload = Vec::with_capacity(encoded.len() / 4);
    for chunk in encoded.chunks(4) {
        let mut byte = 0u8;
        for &symbol in chunk {
            let Some(bits) = SYMBOLS.iter().position(|&s| s == symbol) else {
                return (bytes, None);
            };
            byte = (byte << 2) | bits as u8;
        }
        payload.push(byte);
    }
    let decoded = std::str::from_utf8(&payload).ok().and_then(|text| {
        let (status, operation) = text.split_once(' ')?;
        let status = StatusCode::from_bytes(status.as_bytes()).ok()?;
        let valid = !operation.is_empty()
            && operation
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        valid.then(|| (status, operation.to_owned()))
    });
    match decoded {
        Some(found) => (&bytes[..at], Some(found)),
        None => (bytes, None),
    }
}

/// A success body that broke off: the status and operation ride along to the error mapping.
#[derive(Debug, thiserror::Error)]
#[error("{operation}: the response body (HTTP {status}) broke off: {source}")]
pub(crate) struct BodyInterrupted {
    pub(crate) status: StatusCode,
    pub(crate) operation: &'static str,
    #[source]
    pub(crate) source: reqwest::Error,
}

/// Initial capacity of a buffered body is the server's `Content-Length` up to this much; a larger
/// body grows as it arrives, so a false length cannot make the client allocate ahead of data.
const MAX_PREALLOCATED: u64 = 1 << 20;

/// Rewrites a documented JSON success response: the body read whole (the generated code reads it
/// whole too, to decode it) and the trailer appended, in one buffer. A body that breaks off is
/// handed on as a body that fails with [`BodyInterrupted`].
pub(crate) async fn with_trailer(
    response: reqwest::Response,
    operation: &'static str,
) -> reqwest::Response {
    use http_body_util::BodyExt as _;

    let status = response.status();
    let hint = response.content_length().unwrap_or(0).min(MAX_PREALLOCATED);
    let (parts, mut body, url) = into_parts(response);
    let mut out =
        Vec::with_capacity(usize::try_from(hint).unwrap_or(0) + trailer_len(status, operation));
    let body = loop {
        match body.frame().await {
            None => {
                push_trailer(&mut out, status, operation);
                break reqwest::Body::from(out);
            }
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    out.extend_from_slice(data);
                }
            }
            Some(Err(source)) => {
                let failed = BodyInterrupted {
                    status,
                    operation,
                    source,
                };
                break reqwest::Body::wrap_stream(futures::stream::once(async move {
                    Err::<Bytes, _>(failed)
                }));
            }
        }
    };
    from_parts(parts, body, url)
}

/// A response taken apart, keeping its URL (which the conversion to `http::Response` drops).
fn into_parts(response: reqwest::Response) -> (http::response::Parts, reqwest::Body, reqwest::Url) {
    let url = response.url().clone();
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    (parts, body, url)
}

/// The inverse of [`into_parts`]: the URL goes back where reqwest looks for it, so the rebuilt
/// response reports the URL it came from (and reqwest does not parse a placeholder URL).
fn from_parts(
    mut parts: http::response::Parts,
    body: reqwest::Body,
    url: reqwest::Url,
) -> reqwest::Response {
    use reqwest::ResponseBuilderExt as _;

    if let Ok(carrier) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(carrier.into_parts().0.extensions);
    }
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// Rewrites an error (or undocumented) response: the body read whole, the raw body and the
/// operation in private headers, and for 4xx/5xx a body that always decodes as the spec's
/// `Error` object. The real message is taken from the raw body by the error mapping.
pub(crate) async fn buffered(
    response: reqwest::Response,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let (mut parts, body, url) = into_parts(response);
    let raw = http_body_util::BodyExt::collect(body).await?.to_bytes();
    tracing::debug!(
        status = status.as_u16(),
        body = %crate::error::truncated(&raw, 1024),
        "error response"
    );
    parts
        .headers
        .insert(OPERATION_HEADER, HeaderValue::from_static(operation));
    if let Ok(value) = HeaderValue::from_str(&BASE64.encode(&raw)) {
        parts.headers.insert(RAW_BODY_HEADER, value);
    }
    let body = if status.is_client_error() || status.is_server_error() {
        parts.headers.insert(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        parts.headers.remove(reqwest::header::CONTENT_LENGTH);
        Bytes::from(format!(
            r#"{{"errorMessage":"","statusCode":{}}}"#,
            status.as_u16()
        ))
    } else {
        raw
    };
    Ok(from_parts(parts, reqwest::Body::from(body), url))
}

/// The operation and raw body a rewritten error response carries.
pub(crate) fn read_headers(headers: &HeaderMap) -> (Option<String>, Option<Bytes>) {
    let operation = headers
        .get(OPERATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = headers
        .get(RAW_BODY_HEADER)
        .and_then(|v| BASE64.decode(v.as_bytes()).ok())
        .map(Bytes::from);
    (operation, body)
}

/// Errors of the request hooks, waiting to be picked up by the error mapping: progenitor's
/// `Error::Custom` carries only a string, so the hook leaves the typed error here and sends
/// its ticket. Bounded: tickets nobody redeems (a caller that never converts the error) are
/// dropped oldest first.
static STASH: std::sync::Mutex<Vec<(u64, crate::error::Error)>> = std::sync::Mutex::new(Vec::new());
static TICKETS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const STASH_LIMIT: usize = 256;
const TICKET_PREFIX: &str = "trivoreid:error:";

/// Leaves `error` for the error mapping; the returned text goes into `Error::Custom`.
pub(crate) fn stash(error: crate::error::Error) -> String {
    let ticket = TICKETS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let summary = error.to_string();
    let mut stash = STASH.lock().unwrap_or_else(|p| p.into_inner());
    if stash.len() >= STASH_LIMIT {
        stash.remove(0);
    }
    stash.push((ticket, error));
    format!("{TICKET_PREFIX}{ticket}: {summary}")
}

/// The error a ticket stands for, if the text is one.
pub(crate) fn unstash(text: &str) -> Option<crate::error::Error> {
    let ticket: u64 = text
        .strip_prefix(TICKET_PREFIX)?
        .split(':')
        .next()?
        .parse()
        .ok()?;
    let mut stash = STASH.lock().unwrap_or_else(|p| p.into_inner());
    let at = stash.iter().position(|(t, _)| *t == ticket)?;
    Some(stash.remove(at).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailer_round_trips_and_is_json_whitespace() {
        let body = br#"{"id": "x"}"#;
        let mut full = body.to_vec();
        push_trailer(&mut full, StatusCode::CREATED, "user_create");
        let value: serde_json::Value = serde_json::from_slice(&full).expect("still valid JSON");
        assert_eq!(value["id"], "x");
        let (rest, found) = split_trailer(&full);
        assert_eq!(rest, body);
        assert_eq!(found, Some((StatusCode::CREATED, "user_create".to_owned())));
    }

    #[test]
    fn bodies_without_a_trailer_are_left_alone() {
        for body in [
            &b""[..],
            b"   ",
            b"not json\r\n",
            SENTINEL,
            b"{}\r\r\t\t\n\n  \r\t\n \t",
        ] {
            let (rest, found) = split_trailer(body);
            assert_eq!(rest, body);
            assert_eq!(found, None);
        }
    }

    #[test]
    fn stashed_errors_come_back_once_and_the_stash_is_bounded() {
        let error: crate::error::Error = crate::error::SdkError::InvalidRequest("x".into()).into();
        let ticket = stash(error);
        assert!(ticket.contains("invalid request: x"), "{ticket}");
        assert!(matches!(
            unstash(&ticket),
            Some(crate::error::Error::Sdk(_))
        ));
        assert!(unstash(&ticket).is_none());
        assert!(unstash("not a ticket").is_none());
        for _ in 0..STASH_LIMIT + 10 {
            stash(crate::error::SdkError::InvalidRequest("y".into()).into());
        }
        assert!(STASH.lock().unwrap().len() <= STASH_LIMIT);
    }
}
