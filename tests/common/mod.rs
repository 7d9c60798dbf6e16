//! Shared test harness: a wiremock server and a client pointed at it.
#![allow(dead_code)]

use trivoreid::TrivoreId;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const CLIENT_ID: &str = "test-client";
pub const CLIENT_SECRET: &str = "test-secret-MARKER-4f1c";
/// `Basic base64("test-client:test-secret-MARKER-4f1c")`
pub const BASIC: &str = "Basic dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQtTUFSS0VSLTRmMWM=";

pub struct Harness {
    pub server: MockServer,
    pub api: TrivoreId,
}

/// A mock server and a client with Management API credentials. Retries are off: a contract
/// test checks one exchange (retries have tests of their own).
pub async fn harness() -> Harness {
    let server = MockServer::start().await;
    let api = TrivoreId::builder()
        .server(server.uri())
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .retry(trivoreid::RetryPolicy::none())
        .build()
        .expect("client");
    Harness { server, api }
}

/// A mock that matches method, full path (with `/api/rest/v1`) and the Basic auth header.
pub fn mock(http_method: &str, api_path: &str) -> wiremock::MockBuilder {
    Mock::given(method(http_method))
        .and(path(format!("/api/rest/v1{api_path}")))
        .and(header("authorization", BASIC))
}

/// A Trivore error response.
pub fn error_response(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({
        "errorMessage": message,
        "statusCode": status,
    }))
}

/// Asserts an error is the Trivore error `status`/`message` for `operation`.
pub fn assert_api_error(err: trivoreid::Error, status: u16, message: &str, operation: &str) {
    let api = err
        .as_api()
        .unwrap_or_else(|| panic!("expected an ApiError, got {err:?}"));
    assert_eq!(api.status().map(|s| s.as_u16()), Some(status), "{err}");
    assert_eq!(api.message(), Some(message), "{err}");
    assert_eq!(api.operation(), Some(operation), "{err}");
    assert_eq!(api.kind(), trivoreid::ApiErrorKind::Status);
}

/// The JSON body of the only request the server received.
pub async fn only_request_json(server: &MockServer) -> serde_json::Value {
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    serde_json::from_slice(&requests[0].body).expect("JSON body")
}

/// A realistic user object as the server sends it.
pub fn user_json(id: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "username": format!("user-{id}"),
        "nsCode": "acme",
        "userAccountType": "PERSON",
        "memberOf": ["g1"],
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"address": "ada@example.com", "verified": true, "tags": []}],
        "mobiles": [{"number": "+358401234567", "verified": false}],
        "locked": false,
        "meta": {"created": "2017-03-20T11:04:21.534Z", "lastModified": "2018-09-21T06:29:05.708Z",
                 "location": format!("https://id.example.com/api/rest/v1/user/{id}")},
        "unknownFieldTheServerAdded": {"x": 1}
    })
}
