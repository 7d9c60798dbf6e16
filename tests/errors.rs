//! Every way a call can fail maps to a typed error that keeps what the user needs: the status
//! whenever there was a response, the server's message, the raw body and the operation.
mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::*;
use trivoreid::prelude::*;
use trivoreid::{ApiErrorKind, Error, SdkError, TrivoreId};
use wiremock::ResponseTemplate;

/// A one-shot raw HTTP server on loopback that answers the first request with `response`.
fn raw_server(response: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(response);
            let _ = stream.flush();
            // Dropping the stream closes the connection, cutting any promised body short.
        }
    });
    format!("http://{addr}")
}

fn client(server: &str) -> TrivoreId {
    TrivoreId::builder()
        .server(server)
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_body_that_breaks_off_keeps_status_and_operation() {
    let server = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{\"id\": \"g1\", \"na",
    );
    let err: Error = client(&server)
        .group_get()
        .group_id("g1")
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.as_api().expect("ApiError");
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200), "{err:?}");
    assert_eq!(api.operation(), Some("group_get"));
    assert_eq!(api.kind(), ApiErrorKind::Transport);
}

#[tokio::test]
async fn an_html_error_page_keeps_status_and_body() {
    let h = harness().await;
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    mock("GET", "/user/u1")
        .respond_with(ResponseTemplate::new(502).set_body_raw(page, "text/html"))
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .user_get()
        .user_id("u1")
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.as_api().unwrap();
    assert_eq!(api.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(api.kind(), ApiErrorKind::Status);
    assert_eq!(api.message(), None);
    assert_eq!(api.body(), Some(page.as_bytes()));
    assert_eq!(api.operation(), Some("user_get"));
    assert!(api.is_retryable());
    assert!(err.to_string().contains("502"), "{err}");
    assert!(err.to_string().contains("Bad Gateway"), "{err}");
}

#[tokio::test]
async fn an_empty_error_body_keeps_the_status() {
    let h = harness().await;
    mock("DELETE", "/group/g1")
        .respond_with(ResponseTemplate::new(403))
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .group_delete()
        .group_id("g1")
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(err.as_api().unwrap().operation(), Some("group_delete"));
    assert!(!err.as_api().unwrap().is_retryable());
}

#[tokio::test]
async fn a_huge_error_body_is_kept_whole_but_truncated_in_display() {
    let h = harness().await;
    let message = "x".repeat(10_000);
    mock("GET", "/user/u1")
        .respond_with(error_response(400, &message))
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .user_get()
        .user_id("u1")
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.as_api().unwrap();
    assert_eq!(api.message(), Some(message.as_str()));
    assert!(api.body().unwrap().len() > 10_000);
    // Display shows the message (the server's words) but not the body again.
    let shown = err.to_string();
    assert!(shown.contains("HTTP 400"), "{shown}");
    let debug = format!("{err:?}");
    assert!(
        debug.len() < 12_000,
        "Debug truncates the body: {} bytes",
        debug.len()
    );
}

#[tokio::test]
async fn an_error_body_without_error_message_shows_a_truncated_body() {
    let h = harness().await;
    let body = format!("{{\"detail\": \"{}\"}}", "y".repeat(5_000));
    mock("GET", "/user/u1")
        .respond_with(ResponseTemplate::new(500).set_body_raw(body.clone(), "application/json"))
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .user_get()
        .user_id("u1")
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.as_api().unwrap().message(), None);
    assert_eq!(err.as_api().unwrap().body(), Some(body.as_bytes()));
    let shown = err.to_string();
    assert!(shown.contains("detail"), "{shown}");
    assert!(
        shown.len() < 1_000,
        "Display truncates: {} bytes",
        shown.len()
    );
    assert!(shown.contains("bytes in all"), "{shown}");
}

#[tokio::test]
async fn invalid_json_in_a_success_keeps_status_operation_and_body() {
    let h = harness().await;
    mock("POST", "/group")
        .respond_with(ResponseTemplate::new(201).set_body_raw("{not json", "application/json"))
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .group_create()
        .body(trivoreid::types::Group::default())
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.as_api().unwrap();
    assert_eq!(api.kind(), ApiErrorKind::Decode);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(201));
    assert_eq!(api.operation(), Some("group_create"));
    assert_eq!(api.body(), Some(&b"{not json"[..]));
    assert!(
        std::error::Error::source(api).is_some(),
        "the serde error is the source"
    );
}

#[tokio::test]
async fn an_undocumented_success_status_is_a_protocol_error_with_its_status() {
    let h = harness().await;
    mock("DELETE", "/group/g1")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"deleted": true})),
        )
        .mount(&h.server)
        .await;
    let err: Error = h
        .api
        .group_delete()
        .group_id("g1")
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.as_api().unwrap();
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(api.kind(), ApiErrorKind::Protocol);
    assert_eq!(api.operation(), Some("group_delete"));
    assert_eq!(api.body(), Some(&br#"{"deleted":true}"#[..]));
}

#[tokio::test]
async fn a_missing_required_builder_value_is_an_sdk_error() {
    let h = harness().await;
    let err: Error = h.api.user_get().send().await.unwrap_err().into();
    match &err {
        Error::Sdk(SdkError::InvalidRequest(message)) => {
            assert!(message.contains("user_id"), "{message}")
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    // A body whose schema has a required field (`value`) that was never set.
    let err: Error = h
        .api
        .datastorage_value_update()
        .ds_id("d")
        .key("k")
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(
        matches!(err, Error::Sdk(SdkError::InvalidRequest(_))),
        "{err:?}"
    );
    assert!(h.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn dot_ids_never_reach_another_path() {
    let h = harness().await;
    for id in ["", ".", ".."] {
        let err: Error = h
            .api
            .datastorage_value_get()
            .ds_id(id)
            .key("k")
            .send()
            .await
            .unwrap_err()
            .into();
        match &err {
            Error::Sdk(SdkError::InvalidId { operation, params }) => {
                assert_eq!(*operation, "datastorage_value_get");
                assert_eq!(params, "dsId, key");
            }
            other => panic!("id {id:?}: expected InvalidId, got {other:?}"),
        }
        let err: Error = h
            .api
            .datastorage_value_get()
            .ds_id("d")
            .key(id)
            .send()
            .await
            .unwrap_err()
            .into();
        assert!(
            matches!(err, Error::Sdk(SdkError::InvalidId { .. })),
            "key {id:?}: {err:?}"
        );
    }
    assert!(h.server.received_requests().await.unwrap().is_empty());
    // Ids that merely contain dots are fine, and encoded as one segment.
    mock("GET", "/datastorage/a..b/data/..%2F..")
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"value": 1})))
        .expect(1)
        .mount(&h.server)
        .await;
    let value = h
        .api
        .datastorage_value_get()
        .ds_id("a..b")
        .key("../..")
        .send()
        .await
        .unwrap();
    assert_eq!(value.value, serde_json::json!(1));
}
