//! End-to-end: the SDK against the embedded fake Trivore ID. Auto-paging over thousands of
//! users, the fake's answers to bad input (400/404/405 with the real error body, nothing stored
//! or lost), and the fake as a standalone properties-file server.
#![cfg(feature = "fake")]
mod common;

use std::time::Duration;

use common::fake_request as raw;
use serde_json::json;
use trivoreid::fake::{FakeTrivoreId, NAMESPACE};
use trivoreid::prelude::*;
use trivoreid::{ApiErrorKind, Error, Filter, types};

#[tokio::test(flavor = "multi_thread")]
async fn streams_thousands_of_users_across_pages() {
    let fake = FakeTrivoreId::start().await;
    fake.seed_users(3_000);
    let api = fake.client();
    let mut stream = api.user_list().paginate().page_size(500).pages();
    let mut pages = 0;
    let mut ids = std::collections::HashSet::new();
    while let Some(page) = stream.try_next().await.unwrap() {
        pages += 1;
        assert_eq!(page.total_results, Some(3_001));
        for user in page.resources {
            assert!(ids.insert(user.id.unwrap()), "no user is seen twice");
        }
    }
    assert_eq!(ids.len(), 3_001, "the seeded user and the 3000 more");
    assert_eq!(pages, 7);

    // Filtering happens on the server, and paging over the filtered set too.
    let filter = Filter::sw("username", "user-01").and(Filter::pr("emails"));
    let matched: Vec<_> = api
        .user_list()
        .filter(&filter)
        .paginate()
        .page_size(30)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(matched.len(), 1_000, "user-01000 .. user-01999");
    assert!(
        matched
            .iter()
            .all(|u| u.username.as_deref().unwrap().starts_with("user-01"))
    );
}

#[tokio::test]
async fn filters_are_evaluated_by_the_fake() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    for (name, locked) in [("anna", true), ("bert", false), ("a\"quote", false)] {
        let user = types::User {
            username: Some(name.into()),
            locked: Some(locked),
            ..Default::default()
        };
        api.user_create().body(user).send().await.unwrap();
    }
    let names = |users: Vec<types::User>| {
        let mut names: Vec<String> = users.into_iter().filter_map(|u| u.username).collect();
        names.sort();
        names
    };
    let locked = api
        .user_list()
        .filter(Filter::eq("locked", true))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(locked), ["anna"]);
    let quoted = api
        .user_list()
        .filter(Filter::eq("username", "a\"quote"))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(quoted), ["a\"quote"]);
    // The injection attempt stays one string literal: it matches nothing.
    let injected = api
        .user_list()
        .filter(Filter::eq("username", "x\" or \"1\" eq \"1"))
        .items()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(injected.is_empty());
    let either = api
        .user_list()
        .filter(Filter::eq("username", "anna").or(Filter::eq("username", "bert")))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names(either), ["anna", "bert"]);
    // A malformed raw filter is the fake's 400 with the real error body.
    let err: Error = api
        .user_list()
        .filter(Filter::raw("username eq"))
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(
        err.as_api().unwrap().message().unwrap().contains("filter"),
        "{err}"
    );
}

#[tokio::test]
async fn bad_input_gets_400_and_changes_nothing() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let user_id = fake.user_id().to_owned();
    let before = api
        .user_get()
        .user_id(&user_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let count = || async { api.user_list().send().await.unwrap().total_results };
    let users_before = count().await;

    for (method, path, body) in [
        ("POST", "/api/rest/v1/user", "{not json"),
        ("POST", "/api/rest/v1/user", r#"{"username": 5}"#),
        ("POST", "/api/rest/v1/user", r#"["an", "array"]"#),
        ("POST", "/api/rest/v1/user", ""),
        (
            "PUT",
            &format!("/api/rest/v1/user/{user_id}"),
            r#"{"locked": "yes"}"#,
        ),
        ("PUT", &format!("/api/rest/v1/user/{user_id}"), "{truncated"),
        (
            "POST",
            "/api/rest/v1/group",
            r#"{"description": "no name"}"#,
        ),
        (
            "POST",
            "/api/rest/v1/invite/user",
            r#"{"emails": ["a@example.com"]}"#,
        ),
        ("PUT", "/api/rest/v1/datastorage/none/data", "[1, 2]"),
    ] {
        let (status, body_json) = raw(&fake, method, path, Some(body)).await;
        assert!(
            status == 400 || status == 404,
            "{method} {path} {body:?}: {status}"
        );
        assert_eq!(
            body_json["statusCode"],
            json!(status),
            "{method} {path}: {body_json}"
        );
        assert!(
            body_json["errorMessage"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{body_json}"
        );
    }
    assert_eq!(
        count().await,
        users_before,
        "no user was created by bad input"
    );
    let after = api
        .user_get()
        .user_id(&user_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(after, before, "the user is unchanged");
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let fake = FakeTrivoreId::start().await;
    let (status, body) = raw(&fake, "GET", "/api/rest/v1/nothing/here", None).await;
    assert_eq!((status, body["statusCode"].clone()), (404, json!(404)));
    let (status, body) = raw(
        &fake,
        "PATCH",
        &format!("/api/rest/v1/user/{}", fake.user_id()),
        Some("{}"),
    )
    .await;
    assert_eq!((status, body["statusCode"].clone()), (405, json!(405)));
    let (status, _) = raw(&fake, "GET", "/somewhere/else", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn wrong_credentials_get_401_with_the_real_error_body() {
    let fake = FakeTrivoreId::start().await;
    let api = trivoreid::TrivoreId::builder()
        .server(fake.uri())
        .management_api(fake.management_api().0, "wrong-secret")
        .build()
        .unwrap();
    let err: Error = api.user_list().send().await.unwrap_err().into();
    let api_err = err.as_api().unwrap();
    assert_eq!(api_err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(api_err.kind(), ApiErrorKind::Status);
    assert!(api_err.message().is_some());
}

#[tokio::test]
async fn crud_round_trip_with_statuses_of_the_real_service() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let group = api
        .group_create()
        .body(types::Group {
            name: Some("staff".into()),
            ns_code: Some(NAMESPACE.into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(group.status().as_u16(), 201);
    let id = group.id.clone().unwrap();
    let nested = api
        .group_create()
        .body(types::Group {
            name: Some("staff-nested".into()),
            member_of: Some(vec![id.clone()]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let children = api.group_nested_list().group_id(&id).send().await.unwrap();
    assert_eq!(
        children.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        vec![nested.id.clone()]
    );
    let deleted = api.group_delete().group_id(&id).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err: Error = api
        .group_get()
        .group_id(&id)
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    // Email and SMS land in the outbox.
    let email = types::Email {
        to: Some(vec![types::EmailAddress {
            address: Some("x@example.com".into()),
            ..Default::default()
        }]),
        subject: Some("Hi".into()),
        text: Some("Hello".into()),
        ..Default::default()
    };
    api.email_send().body(email).send().await.unwrap();
    let sms = types::SmsMessage::builder()
        .to("+358401234567")
        .text(Some("Hello".to_owned()));
    api.sms_send().body(sms).send().await.unwrap();
    let outbox = fake.outbox();
    assert_eq!(outbox.emails.len(), 1);
    assert_eq!(outbox.emails[0].recipients, ["x@example.com"]);
    assert_eq!(outbox.sms.len(), 1);
}

#[tokio::test]
async fn a_user_created_with_a_generated_password_can_sign_in() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let user = types::User {
        username: Some("carol".into()),
        ns_code: Some(NAMESPACE.into()),
        ..Default::default()
    };
    let created = api.create_user(user, Default::default()).await.unwrap();
    let config = fake.config();
    let oidc = trivoreid::oidc::OidcClient::discover(&config)
        .await
        .unwrap();
    let tokens = oidc
        .password_grant_with("carol", &created.password, None)
        .await
        .unwrap();
    let claims = tokens.id_token_claims().expect("an ID token");
    assert_eq!(Some(claims.subject().as_str()), created.user.id.as_deref());
}

#[tokio::test]
async fn expired_tokens_are_refreshed_once_and_the_call_succeeds() {
    let fake = FakeTrivoreId::builder()
        .token_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let config = fake.config();
    let oidc = trivoreid::oidc::OidcClient::discover(&config)
        .await
        .unwrap();
    let source = oidc.token_source(oidc.password_grant(None).await.unwrap());
    let api = trivoreid::TrivoreId::with_tokens(config, source.clone())
        .await
        .unwrap();
    api.user_get().user_id(fake.user_id()).send().await.unwrap();
    assert_eq!(source.refresh_count(), 0);
    fake.expire_access_tokens();
    let calls = (0..10).map(|_| api.user_get().user_id(fake.user_id()).send());
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(
        source.refresh_count(),
        1,
        "one refresh for ten requests that met the expired token"
    );
}

#[test]
fn fake_server_example_writes_a_usable_properties_file() {
    // The properties text any Trivore client reads.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let fake = FakeTrivoreId::start().await;
        let text = fake.properties();
        let props = trivoreid::config::Properties::parse(&text);
        for key in [
            "service.address",
            "mgmtapi.id",
            "mgmtapi.secret",
            "oidc.client.id",
            "oidc.client.secret",
            "password.grant.username",
            "password.grant.password",
        ] {
            assert!(props.get(key).is_some_and(|v| !v.is_empty()), "{key}");
        }
        let path =
            std::env::temp_dir().join(format!("trivoreid-fake-{}.properties", std::process::id()));
        std::fs::write(&path, &text).unwrap();
        let api = trivoreid::TrivoreId::from_properties_file(&path).unwrap();
        let me = api.user_get().user_id(fake.user_id()).send().await.unwrap();
        assert_eq!(me.username.as_deref(), Some("alice"));
        std::fs::remove_file(path).ok();
    });
}
