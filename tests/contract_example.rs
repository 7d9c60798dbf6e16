//! Example contract tests (the pattern every operation's test follows).
mod common;

use common::*;
use trivoreid::prelude::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

/// user_get: GET /user/{userId}
#[tokio::test]
async fn user_get() {
    let h = harness().await;
    mock("GET", "/user/u1")
        .respond_with(ResponseTemplate::new(200).set_body_json(user_json("u1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let user = h
        .api
        .user_get()
        .user_id("u1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(user.id.as_deref(), Some("u1"));
    assert_eq!(user.name.unwrap().given_name.as_deref(), Some("Ada"));
    assert_eq!(
        user.meta.unwrap().created.unwrap().to_rfc3339(),
        "2017-03-20T11:04:21.534+00:00"
    );

    mock("GET", "/user/missing")
        .respond_with(error_response(404, "User not found"))
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_get()
        .user_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_api_error(err.into(), 404, "User not found", "user_get");
}

/// user_list: GET /user?filter&startIndex&count
#[tokio::test]
async fn user_list() {
    let h = harness().await;
    mock("GET", "/user")
        .and(query_param("filter", r#"nsCode eq "acme""#))
        .and(query_param("startIndex", "10"))
        .and(query_param("count", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "totalResults": 11, "startIndex": 10, "itemsPerPage": 1, "resources": [user_json("u1")]
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .user_list()
        .filter(trivoreid::Filter::eq("nsCode", "acme"))
        .start_index(10)
        .count(5)
        .send()
        .await
        .unwrap();
    assert_eq!(page.total_results, Some(11));
    assert_eq!(page.resources.len(), 1);
}

/// group_create: POST /group -> 201
#[tokio::test]
async fn group_create() {
    let h = harness().await;
    mock("POST", "/group")
        .and(body_json(
            serde_json::json!({"name": "admins", "nsCode": "acme"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({
            "id": "g1", "name": "admins", "nsCode": "acme"
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let group = trivoreid::types::Group {
        name: Some("admins".into()),
        ns_code: Some("acme".into()),
        ..Default::default()
    };
    let created = h.api.group_create().body(group).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.id.as_deref(), Some("g1"));
}
