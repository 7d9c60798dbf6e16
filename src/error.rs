//! Errors: [`Error`] is either [`ApiError`] (the service or the network failed) or [`SdkError`]
//! (the SDK was used wrongly, caught before any request went out).
//!
//! These match the reference SDK's `TrivoreIDException` and `TrivoreIDSDKException`.

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;
use reqwest::StatusCode;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure of the SDK.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error, sent something we could not read, or could not be reached.
    /// (Boxed: it carries the raw body and more, and `Result`s stay small.)
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The SDK was used wrongly; no request was sent.
    #[error(transparent)]
    Sdk(#[from] SdkError),
}

impl Error {
    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => e.status(),
            Error::Sdk(_) => None,
        }
    }

    /// The API error, if this is one.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e.as_ref()),
            Error::Sdk(_) => None,
        }
    }

    /// The SDK error, if this is one.
    pub fn as_sdk(&self) -> Option<&SdkError> {
        match self {
            Error::Sdk(e) => Some(e),
            Error::Api(_) => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// Misuse of the SDK, detected before any request was sent
/// (the reference SDK's `TrivoreIDSDKException`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SdkError {
    /// A required configuration value was not given by the builder, the environment or the
    /// properties file.
    #[error("missing configuration value `{key}`")]
    MissingConfig {
        /// The properties key (for example `service.address`).
        key: &'static str,
    },
    /// A configuration value is present but unusable (for example a malformed URL).
    #[error("invalid configuration value `{key}`: {reason}")]
    InvalidConfig {
        /// The properties key.
        key: &'static str,
        /// What is wrong with it (never contains the value of a secret).
        reason: String,
    },
    /// Only one half of a credential pair was given.
    #[error("incomplete credentials: `{present}` is set but `{missing}` is not")]
    IncompleteCredentials {
        /// The key that is set.
        present: &'static str,
        /// The key that is missing.
        missing: &'static str,
    },
    /// The properties file could not be read.
    #[error("cannot read properties file {}: {source}", path.display())]
    PropertiesFile {
        /// The file's path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A path parameter (an id) is empty, `.` or `..`, which would make the request reach another path.
    #[error(
        "{operation}: invalid id for path parameter {params}: ids must not be empty, `.` or `..`"
    )]
    InvalidId {
        /// The operation the id was given to.
        operation: &'static str,
        /// The path parameters of that operation.
        params: String,
    },
    /// An argument is invalid (for example a page size above 500).
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A request builder was sent without a required value (for example a missing id or body).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The HTTP client could not be built (for example TLS initialisation failed).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// What kind of failure an [`ApiError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// The server answered with an error status (4xx/5xx).
    Status,
    /// The server answered, but the body could not be decoded into the documented type.
    Decode,
    /// The request or response timed out.
    Timeout,
    /// The server could not be reached (connection refused, DNS failure, TLS failure).
    Connect,
    /// Another transport failure (connection reset, body interrupted, ...).
    Transport,
    /// The server's answers break the API's contract: a success or redirect status the operation
    /// does not document (e.g. 200 where 201 is documented, or a 302), or paging that ignores
    /// `startIndex`.
    Protocol,
}

/// Maximum number of bytes of the raw body shown by `Display`.
const DISPLAY_BODY_LIMIT: usize = 256;

/// The service or the network failed (the reference SDK's `TrivoreIDException`).
///
/// Carries the HTTP status when there was a response, the server's `errorMessage`, the raw body
/// (kept whole, truncated in `Display`) and the operation that failed.
pub struct ApiError {
    pub(crate) kind: ApiErrorKind,
    pub(crate) status: Option<StatusCode>,
    pub(crate) message: Option<String>,
    pub(crate) body: Option<Bytes>,
    pub(crate) operation: Option<String>,
    pub(crate) oauth_error: Option<String>,
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl ApiError {
    pub(crate) fn new(kind: ApiErrorKind) -> Self {
        ApiError {
            kind,
            status: None,
            message: None,
            body: None,
            operation: None,
            oauth_error: None,
            source: None,
        }
    }

    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    pub(crate) fn with_body(mut self, body: Bytes) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn with_operation(mut self, operation: impl Into<String>) -> Self {
        self.operation = Some(operation.into());
        self
    }

    pub(crate) fn with_oauth_error(mut self, code: impl Into<String>) -> Self {
        self.oauth_error = Some(code.into());
        self
    }

    pub(crate) fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The server's `errorMessage`, or a description of the failure when there is none.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The raw response body, when there was one.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// The operation (the spec's operationId, e.g. `user_get`), when known.
    pub fn operation(&self) -> Option<&str> {
        self.operation.as_deref()
    }

    /// The OAuth `error` code of a failed OIDC call (`invalid_grant`, `invalid_client`, ...); its
    /// `error_description` is the [`message`](Self::message).
    pub fn oauth_error(&self) -> Option<&str> {
        self.oauth_error.as_deref()
    }

    /// True for a timeout.
    pub fn is_timeout(&self) -> bool {
        self.kind == ApiErrorKind::Timeout
    }

    /// True when the same request may succeed if sent again: timeouts, connection failures,
    /// 408, 429, 502, 503 and 504.
    pub fn is_retryable(&self) -> bool {
        match self.kind {
            ApiErrorKind::Timeout | ApiErrorKind::Connect | ApiErrorKind::Transport => true,
            ApiErrorKind::Decode | ApiErrorKind::Protocol => false,
            ApiErrorKind::Status => matches!(
                self.status.map(|s| s.as_u16()),
                Some(408 | 429 | 502 | 503 | 504)
            ),
        }
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("message", &self.message)
            .field(
                "body",
                &self.body.as_ref().map(|b| truncated(b, DISPLAY_BODY_LIMIT)),
            )
            .field("operation", &self.operation)
            .field("oauth_error", &self.oauth_error)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = &self.operation {
            write!(f, "{op}: ")?;
        }
        match self.kind {
            ApiErrorKind::Status => f.write_str("the server returned an error")?,
            ApiErrorKind::Decode => f.write_str("cannot decode the server's response")?,
            ApiErrorKind::Timeout => f.write_str("the request timed out")?,
            ApiErrorKind::Connect => f.write_str("cannot connect to the server")?,
            ApiErrorKind::Transport => f.write_str("the request failed")?,
            ApiErrorKind::Protocol => f.write_str("the server broke the API contract")?,
        }
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(code) = &self.oauth_error {
            write!(f, ": {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(body) = &self.body
            && !body.is_empty()
            && self.message.as_deref() != Some(String::from_utf8_lossy(body).trim())
        {
            write!(f, "; body: {}", truncated(body, DISPLAY_BODY_LIMIT))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The body as text, cut to at most `limit` bytes (on a character boundary) with a note of what
/// was cut.
pub(crate) fn truncated(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    if text.len() <= limit {
        return text.into_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], body.len())
}

/// The error body the Management API sends: `{"errorMessage": "...", "statusCode": n}`.
#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
}

/// The server's `errorMessage` in a raw body, if it is a Trivore error object (a JSON object:
/// a derived `Deserialize` alone would also take `["text"]`).
fn error_message(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !value.is_object() {
        return None;
    }
    serde_json::from_value::<ErrorBody>(value)
        .ok()?
        .error_message
        .filter(|m| !m.is_empty())
}

impl ApiError {
    /// An error response: status, operation and raw body from the response the transport hook
    /// rewrote (see `annotate.rs`).
    fn from_error_response(status: StatusCode, headers: &reqwest::header::HeaderMap) -> Self {
        let (operation, body) = crate::annotate::read_headers(headers);
        let mut error = ApiError::new(ApiErrorKind::Status).with_status(status);
        if let Some(message) = body.as_deref().and_then(error_message) {
            error = error.with_message(message);
        }
        if let Some(body) = body {
            error = error.with_body(body);
        }
        if let Some(operation) = operation {
            error = error.with_operation(operation);
        }
        error
    }

    /// A transport failure seen by reference (the `post` hook): kind, status and message.
    pub(crate) fn from_reqwest_ref(e: &reqwest::Error) -> Self {
        let mut error = ApiError::new(reqwest_kind(e)).with_message(error_chain(e));
        if let Some(status) = e.status() {
            error = error.with_status(status);
        }
        error
    }

    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if let Some(interrupted) = find_source::<crate::annotate::BodyInterrupted>(&e) {
            let kind = if interrupted.source.is_timeout() {
                ApiErrorKind::Timeout
            } else {
                ApiErrorKind::Transport
            };
            return ApiError::new(kind)
                .with_status(interrupted.status)
                .with_operation(interrupted.operation)
                .with_message("the response body broke off")
                .with_source(e);
        }
        let mut error = ApiError::new(reqwest_kind(&e));
        if let Some(status) = e.status() {
            error = error.with_status(status);
        }
        // reqwest's Display names the URL (ids, never credentials) and the cause.
        error.with_message(e.to_string()).with_source(e)
    }
}

/// The kind of a transport failure.
fn reqwest_kind(e: &reqwest::Error) -> ApiErrorKind {
    if e.is_timeout() {
        ApiErrorKind::Timeout
    } else if e.is_connect() {
        ApiErrorKind::Connect
    } else if e.is_decode() {
        ApiErrorKind::Decode
    } else {
        ApiErrorKind::Transport
    }
}

/// progenitor's message for a setter value that failed to convert names a Rust type path;
/// say which parameter instead, and where a filter's reason can be found.
fn readable(message: String) -> String {
    let Some(param) = message
        .strip_prefix("conversion to `")
        .and_then(|rest| rest.split_once("` for "))
        .and_then(|(_, rest)| rest.strip_suffix(" failed"))
    else {
        return message;
    };
    if param.contains("filter") {
        format!("invalid value for `{param}` (`Filter::to_query` tells why)")
    } else {
        format!("invalid value for `{param}`")
    }
}

/// An error and its causes, `a: b: c` (reqwest's own Display names only the outermost).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn find_source<'a, T: std::error::Error + 'static>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = err.source();
    }
    None
}

impl From<progenitor_client::Error<crate::generated::types::Error>> for Error {
    fn from(e: progenitor_client::Error<crate::generated::types::Error>) -> Self {
        use progenitor_client::Error as P;
        match e {
            P::InvalidRequest(message) => SdkError::InvalidRequest(readable(message)).into(),
            P::Custom(message) => crate::annotate::unstash(&message)
                .unwrap_or_else(|| SdkError::InvalidRequest(message).into()),
            P::ErrorResponse(response) => {
                ApiError::from_error_response(response.status(), response.headers()).into()
            }
            P::UnexpectedResponse(response) => {
                let status = response.status();
                let mut error = ApiError::from_error_response(status, response.headers());
                if error.message.is_none() {
                    error = error.with_message(format!("undocumented status {status}"));
                }
                if status.is_success() || status.is_redirection() {
                    error.kind = ApiErrorKind::Protocol;
                }
                error.into()
            }
            P::InvalidResponsePayload(bytes, source) => {
                let (body, annotation) = crate::annotate::split_trailer(&bytes);
                let mut error = ApiError::new(ApiErrorKind::Decode)
                    .with_message(format!("the response is not the documented JSON: {source}"))
                    .with_body(Bytes::copy_from_slice(body))
                    .with_source(source);
                if let Some((status, operation)) = annotation {
                    error = error.with_status(status).with_operation(operation);
                }
                error.into()
            }
            P::CommunicationError(e) | P::ResponseBodyError(e) | P::InvalidUpgrade(e) => {
                ApiError::from_reqwest(e).into()
            }
        }
    }
}
