//! The client: authentication, User-Agent, base URLs, config precedence, and secrets that never
//! show in Debug or Display.
mod common;

use common::*;
use trivoreid::prelude::*;
use trivoreid::{Error, SdkError, TrivoreId};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("trivoreid-client-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn every_request_carries_basic_auth_user_agent_and_accept() {
    let h = harness().await;
    mock("GET", "/group/g1")
        .and(header("user-agent", trivoreid::client::USER_AGENT))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "g1"})))
        .expect(1)
        .mount(&h.server)
        .await;
    h.api.group_get().group_id("g1").send().await.unwrap();
    assert!(trivoreid::client::USER_AGENT.starts_with("trivoreid-rust/"));
    assert!(trivoreid::client::USER_AGENT.ends_with(env!("CARGO_PKG_VERSION")));
}

#[tokio::test]
async fn an_access_token_is_sent_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/rest/v1/group/g1"))
        .and(header("authorization", "Bearer access-MARKER"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "g1"})))
        .expect(1)
        .mount(&server)
        .await;
    let api = TrivoreId::builder()
        .server(server.uri())
        .access_token("access-MARKER")
        .build()
        .unwrap();
    api.group_get().group_id("g1").send().await.unwrap();
    assert!(!format!("{api:?}").contains("MARKER"));
}

#[tokio::test]
async fn server_urls_with_and_without_trailing_slash_or_with_a_prefix_all_work() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/rest/v1/group/g1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "g1"})))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/idp/api/rest/v1/group/g1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "g1"})))
        .expect(2)
        .mount(&server)
        .await;
    for base in [
        server.uri(),
        format!("{}/", server.uri()),
        format!("{}/idp", server.uri()),
        format!("{}/idp/", server.uri()),
    ] {
        let api = TrivoreId::builder()
            .server(&base)
            .management_api("id", "secret")
            .build()
            .unwrap();
        let group = api
            .group_get()
            .group_id("g1")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{base}: {e}"));
        assert_eq!(group.id.as_deref(), Some("g1"));
    }
}

/// A server that answers `GET /group/g1` once, if it carries the harness's Basic credentials.
async fn group_server_expecting_basic_auth() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/rest/v1/group/g1"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "g1"})))
        .expect(1)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn builder_values_override_the_properties_file() {
    let server = group_server_expecting_basic_auth().await;
    // The file has a wrong server and other credentials; the builder's win.
    let file = temp_file(
        "override.properties",
        "service.address = http://127.0.0.1:9\nmgmtapi.id = file-id\nmgmtapi.secret = file-secret==\n",
    );
    let api = TrivoreId::builder()
        .properties_file(&file)
        .server(server.uri())
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    api.group_get().group_id("g1").send().await.unwrap();
    std::fs::remove_file(file).ok();
}

#[tokio::test]
async fn a_properties_file_alone_configures_the_client() {
    let server = group_server_expecting_basic_auth().await;
    let file = temp_file(
        "alone.properties",
        &format!(
            "# Trivore ID\nservice.address={}/\nmgmtapi.id={CLIENT_ID}\nmgmtapi.secret={CLIENT_SECRET}\n",
            server.uri()
        ),
    );
    let api = TrivoreId::from_properties_file(&file).unwrap();
    api.group_get().group_id("g1").send().await.unwrap();
    std::fs::remove_file(file).ok();
}

#[test]
fn missing_credentials_and_missing_server_are_sdk_errors() {
    match TrivoreId::builder()
        .server("https://id.example.com")
        .build()
    {
        Err(Error::Sdk(SdkError::MissingConfig { key })) => assert_eq!(key, "mgmtapi.id"),
        other => panic!("expected MissingConfig, got {other:?}"),
    }
    match TrivoreId::builder().management_api("id", "secret").build() {
        Err(Error::Sdk(SdkError::MissingConfig { key })) => assert_eq!(key, "service.address"),
        other => panic!("expected MissingConfig, got {other:?}"),
    }
    let missing = TrivoreId::from_properties_file("/nonexistent/trivoreid.properties").unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("/nonexistent/trivoreid.properties"),
        "{missing}"
    );
}

#[test]
fn a_token_that_cannot_be_a_header_is_an_error_that_hides_it() {
    let err = TrivoreId::builder()
        .server("https://id.example.com")
        .access_token("bad\ntoken-MARKER")
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Sdk(SdkError::InvalidConfig { .. })),
        "{err:?}"
    );
    assert!(!err.to_string().contains("MARKER"));
    assert!(!format!("{err:?}").contains("MARKER"));
}

#[tokio::test]
async fn secrets_never_reach_debug_or_display() {
    let h = harness().await;
    mock("GET", "/group/g1")
        .respond_with(error_response(401, "Unauthorized"))
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .group_get()
        .group_id("g1")
        .send()
        .await
        .unwrap_err()
        .into();
    let config = h.api.config().clone();
    for text in [
        format!("{:?}", h.api),
        format!("{:#?}", h.api),
        format!("{config:?}"),
        format!("{err}"),
        format!("{err:?}"),
        format!(
            "{:?}",
            TrivoreId::builder().management_api(CLIENT_ID, CLIENT_SECRET)
        ),
    ] {
        assert!(!text.contains("MARKER"), "secret in {text}");
        assert!(
            !text.contains("dGVzdC1jbGllbnQ6"),
            "encoded credentials in {text}"
        );
    }
    assert!(format!("{:?}", h.api).contains(&h.server.uri()));
}

#[tokio::test]
async fn invalid_filters_fail_before_any_request() {
    let h = harness().await;
    let err: Error = h
        .api
        .user_list()
        .filter(trivoreid::Filter::eq("bad attr\" or 1", "x"))
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(
        matches!(err, Error::Sdk(SdkError::InvalidRequest(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("filter"), "{err}");
    assert!(h.server.received_requests().await.unwrap().is_empty());
}
