//! Replies of the fake: a status and a JSON (or raw) body, and the real service's error body.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// What a handler answers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Body,
    /// Extra response headers.
    pub(crate) headers: Vec<(&'static str, String)>,
}

/// A reply body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// No body.
    Empty,
    /// A JSON document.
    Json(Value),
    /// Raw bytes with a content type.
    Raw(Vec<u8>, &'static str),
}

/// The result of a handler: a reply, or an error reply.
pub(crate) type Handled = Result<Reply, Reply>;

impl Reply {
    /// `status` with a JSON body.
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Body::Json(body),
            headers: Vec::new(),
        }
    }

    /// 200 with a JSON body.
    pub(crate) fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    /// 201 with a JSON body.
    pub(crate) fn created(body: Value) -> Reply {
        Reply::json(201, body)
    }

    /// `status` without a body (200 or 204).
    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: Body::Empty,
            headers: Vec::new(),
        }
    }

    /// The Management API's error body: `{"errorMessage": ..., "statusCode": ...}`.
    pub(crate) fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(
            status,
            json!({"errorMessage": message.into(), "statusCode": status}),
        )
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

/// 400 with a message.
pub(crate) fn bad_request(message: impl Into<String>) -> Reply {
    Reply::error(400, message)
}

/// 404 naming what was not found.
pub(crate) fn not_found(what: &str, id: &str) -> Reply {
    Reply::error(404, format!("{what} not found: {id}"))
}

/// A JSON request body as `T` (unknown fields ignored, as the real service does); malformed
/// JSON, wrong types or missing required fields are a 400.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad_request("The request body is missing"));
    }
    serde_json::from_slice(body).map_err(|e| bad_request(format!("Invalid request body: {e}")))
}

/// A typed value as a JSON object (what is stored and sent back).
pub(crate) fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
