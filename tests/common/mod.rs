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

// ---------------------------------------------------------------------------------------------
// Request and error checks shared by the contract tests

/// Every request the server received, in order.
pub async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording")
}

/// Asserts the query string of `request` is exactly `expected` (in any order, nothing more).
pub fn assert_query(request: &wiremock::Request, expected: &[(&str, &str)]) {
    let mut actual: Vec<(String, String)> = request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    actual.sort();
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    expected.sort();
    assert_eq!(actual, expected, "query of {}", request.url);
}

/// A request header as text (empty when missing or not text).
pub fn header_of<'r>(request: &'r wiremock::Request, name: &str) -> &'r str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The only request the server received, after checking its query string is exactly `query`
/// and that it asks for JSON.
pub async fn only_request(server: &MockServer, query: &[(&str, &str)]) -> wiremock::Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
    let request = all.remove(0);
    assert_query(&request, query);
    let accept = header_of(&request, "accept");
    assert!(
        accept.contains("application/json"),
        "accept of {} {} is {accept:?}",
        request.method,
        request.url
    );
    request
}

/// The JSON body of a request, which must be declared as JSON.
pub fn json_of(request: &wiremock::Request) -> serde_json::Value {
    let content_type = header_of(request, "content-type");
    assert!(
        content_type.starts_with("application/json"),
        "content-type of {} is {content_type:?}",
        request.url
    );
    serde_json::from_slice(&request.body).expect("JSON body")
}

/// Asserts a request carries no body.
pub fn assert_no_body(request: &wiremock::Request) {
    assert!(
        request.body.is_empty(),
        "{} {} sent a body: {:?}",
        request.method,
        request.url,
        String::from_utf8_lossy(&request.body)
    );
}

/// Checks the mocks mounted so far got their expected calls, then forgets mocks and requests.
pub async fn next_phase(server: &MockServer) {
    server.verify().await;
    server.reset().await;
}

/// Asserts neither `Display` nor `Debug` of the error shows the client secret or the Basic
/// credentials.
pub fn assert_no_secret(err: &trivoreid::Error) {
    let basic = BASIC.trim_start_matches("Basic ");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(CLIENT_SECRET), "secret leaked: {text}");
        assert!(!text.contains(basic), "Basic credentials leaked: {text}");
    }
}

/// [`assert_api_error`], after [`assert_no_secret`].
pub fn assert_error(err: trivoreid::Error, status: u16, message: &str, operation: &str) {
    assert_no_secret(&err);
    assert_api_error(err, status, message, operation);
}

/// The `meta` object the server sends with a resource at `location` (under `/api/rest/v1/`).
pub fn meta_json(location: &str) -> serde_json::Value {
    serde_json::json!({
        "created": "2017-03-20T11:04:21.534Z",
        "lastModified": "2018-09-21T06:29:05.708Z",
        "location": format!("https://id.example.com/api/rest/v1/{location}"),
    })
}

/// Sends a raw request to the fake with its Management API credentials: the status and the
/// JSON body (`null` when there is none). `path` is the full path (`/api/rest/v1/...`).
#[cfg(feature = "fake")]
pub async fn fake_request(
    fake: &trivoreid::fake::FakeTrivoreId,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let (id, secret) = fake.management_api();
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", fake.uri()))
        .basic_auth(id, Some(secret));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}
