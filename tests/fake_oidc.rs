//! The SDK's OpenID Connect client against the fake Trivore ID's provider, end to end over HTTP:
//! discovery, the password, authorization code (PKCE), client credentials and refresh grants,
//! ID token verification, userinfo, and Management API calls with the tokens.
#![cfg(feature = "fake")]

use std::time::Duration;

use trivoreid::fake::{FakeTrivoreId, NAMESPACE, REDIRECT_URI, USERNAME};
use trivoreid::oidc::{ClientAuth, OidcClient};
use trivoreid::prelude::*;
use trivoreid::{Config, Error, Secret, TrivoreId};

/// An HTTP client that does not follow redirects (the browser's part is done by hand).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn oauth_error(e: &Error) -> Option<&str> {
    e.as_api().and_then(|a| a.oauth_error())
}

#[tokio::test]
async fn password_grant_then_the_management_api_with_the_tokens() {
    let fake = FakeTrivoreId::start().await;
    let config = fake.config();
    let oidc = OidcClient::discover(&config).await.unwrap();
    assert_eq!(oidc.endpoints().issuer, fake.uri());
    assert_eq!(
        oidc.endpoints().token,
        format!("{}/openid/token", fake.uri())
    );
    assert!(
        oidc.endpoints()
            .scopes_supported
            .iter()
            .any(|s| s.ends_with("groups.readonly"))
    );

    let tokens = oidc.password_grant(None).await.unwrap();
    let claims = tokens.id_token_claims().expect("a verified ID token");
    assert_eq!(claims.subject().as_str(), fake.user_id());
    assert_eq!(
        claims.preferred_username().map(|u| u.as_str()),
        Some(USERNAME)
    );
    assert!(tokens.refresh_token().is_some());
    assert!(tokens.scopes().iter().any(|s| s == "openid"));
    assert!(tokens.expires_in().unwrap() > Duration::from_secs(3500));

    let source = oidc.token_source(tokens);
    let api = TrivoreId::with_tokens(config, source.clone())
        .await
        .unwrap();
    let user = api.oidc_user().expect("the userinfo claims");
    assert_eq!(user.id.as_deref(), Some(fake.user_id()));
    assert_eq!(user.preferred_username.as_deref(), Some(USERNAME));
    assert_eq!(user.ns_code.as_deref(), Some(NAMESPACE));
    assert_eq!(user.email.as_deref(), Some("alice@example.com"));
    assert_eq!(user.email_verified, Some(true));
    assert_eq!(user.groups, Some(Vec::new()));
    assert!(user.consents.is_some());

    // The access token works at the Management API.
    let users = api.user_list().send().await.unwrap();
    assert_eq!(users.total_results, Some(1));

    // Once the fake expires the token, the next call refreshes (after a 401) and succeeds.
    fake.expire_access_tokens();
    let users = api.user_list().send().await.unwrap();
    assert_eq!(users.total_results, Some(1));
    assert_eq!(source.refresh_count(), 1);
}

#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    let fake = FakeTrivoreId::start().await;
    let oidc = OidcClient::discover(&fake.config()).await.unwrap();
    let request = oidc.authorize_url(None).unwrap();
    let response = browser().get(request.url().clone()).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT_URI), "{location}");

    let tokens = oidc.exchange_redirect(request, &location).await.unwrap();
    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(claims.subject().as_str(), fake.user_id());
    assert!(claims.nonce().is_some());
    let user = oidc.userinfo(tokens.access_token()).await.unwrap();
    assert_eq!(user.preferred_username.as_deref(), Some(USERNAME));

    // Refresh rotates: the new tokens work, the old refresh token is spent.
    let refreshed = oidc.refresh(&tokens).await.unwrap();
    assert_ne!(
        refreshed.refresh_token().unwrap().expose(),
        tokens.refresh_token().unwrap().expose()
    );
    assert_eq!(
        refreshed.id_token_claims().unwrap().subject().as_str(),
        fake.user_id()
    );
    oidc.userinfo(refreshed.access_token()).await.unwrap();
    let err = oidc.refresh(&tokens).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(oauth_error(&err), Some("invalid_grant"));
}

#[tokio::test]
async fn a_code_cannot_be_exchanged_twice() {
    let fake = FakeTrivoreId::start().await;
    let oidc = OidcClient::discover(&fake.config()).await.unwrap();
    let request = oidc.authorize_url(Some(&["openid"])).unwrap();
    let url = request.url().clone();
    let location = browser().get(url.clone()).send().await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    // Exchange the code by hand once (without PKCE verifier: refused, and the code is spent)...
    let code = url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (id, secret) = fake.oidc_client();
    let response = browser()
        .post(format!("{}/openid/token", fake.uri()))
        .basic_auth(id, Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    // ... so the SDK's exchange with the right verifier fails too.
    let err = oidc
        .exchange_redirect(request, &location)
        .await
        .unwrap_err();
    assert_eq!(oauth_error(&err), Some("invalid_grant"), "{err:?}");
}

#[tokio::test]
async fn client_credentials_and_client_secret_post() {
    let fake = FakeTrivoreId::start().await;
    let oidc = OidcClient::discover(&fake.config())
        .await
        .unwrap()
        .with_client_auth(ClientAuth::Post);
    let tokens = oidc.client_credentials(&[]).await.unwrap();
    assert!(tokens.refresh_token().is_none());
    assert!(tokens.id_token().is_none());
    let err = oidc.userinfo(tokens.access_token()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(oauth_error(&err), Some("insufficient_scope"));
    // The password grant with client_secret_post too.
    oidc.password_grant(Some(&["openid", "profile"]))
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_credentials_are_oauth_errors() {
    let fake = FakeTrivoreId::start().await;
    let oidc = OidcClient::discover(&fake.config()).await.unwrap();
    let err = oidc
        .password_grant_with(USERNAME, &Secret::new("wrong".to_owned()), None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(oauth_error(&err), Some("invalid_grant"));
    // username@nsCode names the same user.
    let (_, password) = fake.user();
    let tokens = oidc
        .password_grant_with(
            &format!("{USERNAME}@{NAMESPACE}"),
            &Secret::new(password.to_owned()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        tokens.id_token_claims().unwrap().subject().as_str(),
        fake.user_id()
    );

    let (id, _) = fake.oidc_client();
    let (username, password) = fake.user();
    let bad_client = Config::builder()
        .server(fake.uri())
        .oidc_client(id.to_owned(), "not-the-secret")
        .password_grant(username.to_owned(), password)
        .build()
        .unwrap();
    let oidc = OidcClient::discover(&bad_client).await.unwrap();
    let err = oidc.password_grant(None).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(oauth_error(&err), Some("invalid_client"));
}

#[tokio::test]
async fn python_sdk_style_password_grant_in_the_query_string() {
    let fake = FakeTrivoreId::start().await;
    let (id, secret) = fake.oidc_client();
    let (username, password) = fake.user();
    let http = browser();
    let discovery: serde_json::Value = http
        .get(format!("{}/.well-known/openid-configuration", fake.uri()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for key in [
        "issuer",
        "authorization_endpoint",
        "jwks_uri",
        "token_endpoint",
        "userinfo_endpoint",
        "scopes_supported",
    ] {
        assert!(discovery.get(key).is_some(), "{key}");
    }
    let scope = discovery["scopes_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    let response = http
        .post(format!("{}/openid/token", fake.uri()))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .query(&[
            ("grant_type", "password"),
            ("username", username),
            ("password", password),
            ("scope", &scope),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: serde_json::Value = response.json().await.unwrap();
    let access = body["access_token"].as_str().unwrap();
    let api = TrivoreId::with_access_token(fake.config(), access.to_owned())
        .await
        .unwrap();
    assert_eq!(
        api.oidc_user()
            .and_then(|u| u.preferred_username.as_deref()),
        Some(USERNAME)
    );
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_use() {
    let fake = FakeTrivoreId::builder()
        .token_lifetime(Duration::from_secs(1))
        .start()
        .await
        .unwrap();
    let oidc = OidcClient::discover(&fake.config()).await.unwrap();
    let tokens = oidc.password_grant(None).await.unwrap();
    assert!(tokens.expires_in().unwrap() <= Duration::from_secs(1));
    let source = oidc.token_source(tokens);
    let first = source.access_token().await.unwrap();
    assert_eq!(source.refresh_count(), 1, "renewed within the leeway");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let err = oidc.userinfo(&first).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(oauth_error(&err), Some("invalid_token"));
}
