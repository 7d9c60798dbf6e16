//! OpenID Connect against a fake Trivore ID provider (see `oidc_provider`): discovery, the
//! password, client credentials, authorization code (PKCE) and refresh grants, ID token
//! verification, tokens that refresh themselves under a `TrivoreId`, the userinfo claims, OAuth
//! errors, and secrets that never show in Debug or Display.
mod oidc_provider;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use oidc_provider::*;
use serde_json::json;
use trivoreid::oidc::{ClientAuth, Endpoints, OidcClient, Tokens};
use trivoreid::prelude::*;
use trivoreid::{ApiError, ApiErrorKind, Config, Error, SdkError, Secret, TrivoreId};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const GROUP_PATH: &str = "/api/rest/v1/group/g1";

/// Asserts that `text` shows none of the test secrets: nothing marked MARKER (client secret,
/// password, access and refresh tokens) and not the Basic credentials.
fn assert_no_secrets(text: &str) {
    assert!(!text.contains("MARKER"), "a secret leaked: {text}");
    let credentials = basic_credentials();
    let encoded = credentials.trim_start_matches("Basic ");
    assert!(
        !text.contains(encoded),
        "the client credentials leaked: {text}"
    );
}

/// Checks that the error's Display and Debug show no secret, and hands it back.
fn checked(err: Error) -> Error {
    assert_no_secrets(&err.to_string());
    assert_no_secrets(&format!("{err:?}"));
    assert_no_secrets(&format!("{err:#?}"));
    err
}

fn api_error(err: &Error) -> &ApiError {
    err.as_api()
        .unwrap_or_else(|| panic!("expected an ApiError, got {err:?}"))
}

/// Asserts an ID token verification failure of `operation` whose message names `reason`.
fn assert_rejected_id_token(err: Error, operation: &str, case: &str, reason: &str) {
    let err = checked(err);
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Protocol, "{case}: {err}");
    assert_eq!(api.operation(), Some(operation), "{case}: {err}");
    assert!(
        api.message()
            .is_some_and(|m| m.contains("verification") && m.contains(reason)),
        "{case}: expected {reason:?} in {err}"
    );
}

async fn discover(provider: &Provider) -> OidcClient {
    OidcClient::discover(&provider.config())
        .await
        .expect("discovery")
}

/// A discovered client and the tokens of a password grant (token request 1).
async fn signed_in(provider: &Provider) -> (OidcClient, Tokens) {
    let oidc = discover(provider).await;
    let tokens = oidc.password_grant(None).await.expect("password grant");
    (oidc, tokens)
}

/// Makes the password grant's access token expire in `seconds`.
fn password_tokens_expire_in(provider: &Provider, seconds: u64) {
    provider.on_token(move |request, reply| {
        if request.grant_type() == "password" {
            reply.tokens().expires_in = Some(seconds);
        }
    });
}

fn bearer(n: usize) -> String {
    format!("Bearer access-{n}-MARKER")
}

/// `GET /group/g1` answers 200 to `token` (`expect` times when given).
async fn mount_group(provider: &Provider, token: &str, expect: Option<u64>) {
    let mock = Mock::given(method("GET"))
        .and(path(GROUP_PATH))
        .and(header("authorization", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "g1"})));
    let mock = match expect {
        Some(n) => mock.expect(n),
        None => mock,
    };
    mock.mount(&provider.server).await;
}

/// `GET /group/g1` answers 401 to `token`.
async fn reject_at_group(provider: &Provider, token: &str) {
    Mock::given(method("GET"))
        .and(path(GROUP_PATH))
        .and(header("authorization", token))
        .respond_with(unauthorized())
        .mount(&provider.server)
        .await;
}

fn unauthorized() -> ResponseTemplate {
    ResponseTemplate::new(401).set_body_json(json!({
        "errorMessage": "Invalid or expired token",
        "statusCode": 401,
    }))
}

/// The `Authorization` headers of the requests the server received at `path`.
async fn authorizations(provider: &Provider, wanted: &str) -> Vec<String> {
    provider
        .requests_to(wanted)
        .await
        .iter()
        .map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        })
        .collect()
}

fn query(url: &url::Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// Waits (at most 10 s) until the source's token expires within `leeway`.
async fn wait_until_expiring(source: &trivoreid::oidc::TokenSource, leeway: Duration) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !source.tokens().await.expires_within(leeway) {
        assert!(
            Instant::now() < deadline,
            "the token never came near expiry"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn userinfo_json() -> serde_json::Value {
    json!({
        "sub": SUBJECT,
        "email": "alice@acme.example",
        "email_verified": true,
        "phone_number": "+358401234567",
        "phone_number_verified": false,
        "preferred_username": "alice",
        "https://oneportal.trivore.com/claims/groups": ["admins", "staff"],
        "https://oneportal.trivore.com/claims/namespace": "acme",
        "https://oneportal.trivore.com/claims/minor": false,
        "https://oneportal.trivore.com/claims/consents": {
            "marketingEmail": true,
            "marketingPhone": false,
            "profiling": true
        },
        "locale": "fi-FI",
        "nickname": "Al",
        "zoneinfo": "Europe/Helsinki",
        "address": {
            "country": "FI",
            "locality": "Helsinki",
            "region": "Uusimaa",
            "postal_code": "00100",
            "street_address": "Mannerheimintie 1"
        },
        "https://oneportal.trivore.com/claims/tags": ["vip", "beta"],
        "custom_x": {"nested": 1}
    })
}

/// `GET /openid/userinfo` answers the claims to `token`, exactly `expect` times.
async fn mount_userinfo(provider: &Provider, token: &str, expect: u64) {
    Mock::given(method("GET"))
        .and(path("/openid/userinfo"))
        .and(header("authorization", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(userinfo_json()))
        .expect(expect)
        .mount(&provider.server)
        .await;
}

// ---------------------------------------------------------------------------------------------
// 1. Discovery and endpoints
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn discovery_works_with_and_without_a_trailing_slash() {
    let provider = Provider::start().await;
    let uri = provider.uri();
    for server in [uri.clone(), format!("{uri}/")] {
        let config = Config::builder()
            .server(&server)
            .oidc_client(CLIENT_ID, CLIENT_SECRET)
            .password_grant(USERNAME, PASSWORD)
            .build()
            .unwrap();
        let oidc = OidcClient::discover(&config).await.expect(&server);
        let endpoints = oidc.endpoints();
        assert_eq!(endpoints.issuer, uri);
        assert_eq!(
            endpoints.authorization.as_deref(),
            Some(format!("{uri}/openid/auth").as_str())
        );
        assert_eq!(endpoints.token, format!("{uri}/openid/token"));
        assert_eq!(
            endpoints.userinfo.as_deref(),
            Some(format!("{uri}/openid/userinfo").as_str())
        );
        assert_eq!(
            endpoints.jwks.as_deref(),
            Some(format!("{uri}/openid/jwks.json").as_str())
        );
        assert_eq!(endpoints.scopes_supported, SCOPES_SUPPORTED);
        // The JWKS was loaded: a signed ID token verifies.
        let tokens = oidc.password_grant(None).await.expect(&server);
        assert!(tokens.id_token_claims().is_some());
    }
    let discovery = provider
        .requests_to("/.well-known/openid-configuration")
        .await;
    assert_eq!(discovery.len(), 2);
}

#[tokio::test]
async fn endpoints_trivore_derives_the_standard_paths() {
    for server in ["https://id.example.com", "https://id.example.com/"] {
        let endpoints = Endpoints::trivore(server);
        assert_eq!(endpoints.issuer, "https://id.example.com");
        assert_eq!(
            endpoints.authorization.as_deref(),
            Some("https://id.example.com/openid/auth")
        );
        assert_eq!(endpoints.token, "https://id.example.com/openid/token");
        assert_eq!(
            endpoints.userinfo.as_deref(),
            Some("https://id.example.com/openid/userinfo")
        );
        assert_eq!(
            endpoints.jwks.as_deref(),
            Some("https://id.example.com/openid/jwks.json")
        );
    }
}

#[tokio::test]
async fn endpoints_set_by_hand_need_no_discovery() {
    let provider = Provider::start().await;
    let uri = provider.uri();

    let oidc = OidcClient::with_endpoints(&provider.config(), Endpoints::trivore(&uri))
        .await
        .unwrap();
    let tokens = oidc.password_grant(None).await.unwrap();
    assert_eq!(
        tokens.id_token_claims().unwrap().subject().as_str(),
        SUBJECT
    );
    // Endpoints::trivore knows of no scope but openid.
    assert_eq!(provider.token_requests()[0].param("scope"), Some("openid"));

    let by_hand = Endpoints {
        issuer: uri.clone(),
        authorization: None,
        token: format!("{uri}/openid/token"),
        userinfo: None,
        jwks: Some(format!("{uri}/openid/jwks.json")),
        scopes_supported: vec!["openid".into(), "email".into()],
    };
    let oidc = OidcClient::with_endpoints(&provider.config(), by_hand)
        .await
        .unwrap();
    let tokens = oidc.password_grant(None).await.unwrap();
    assert!(tokens.id_token_claims().is_some());
    assert_eq!(
        provider.token_requests()[1].param("scope"),
        Some("openid email")
    );
    // Without an authorization endpoint there is no authorization code flow.
    let err = checked(oidc.authorize_url(None).unwrap_err());
    assert!(
        matches!(err, Error::Sdk(SdkError::MissingConfig { .. })),
        "{err:?}"
    );

    assert!(
        provider
            .requests_to("/.well-known/openid-configuration")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_discovery_document_naming_another_issuer_is_rejected() {
    let provider = Provider::without_discovery(None).await;
    let mut discovery = provider.discovery();
    discovery["issuer"] = json!("https://evil.example.com");
    Mock::given(method("GET"))
        .and(path("/.well-known/openid-configuration"))
        .respond_with(ResponseTemplate::new(200).set_body_json(discovery))
        .mount(&provider.server)
        .await;

    let err = checked(OidcClient::discover(&provider.config()).await.unwrap_err());
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Protocol, "{err}");
    assert_eq!(api.operation(), Some("oidc_discovery"));
    assert!(api.message().unwrap().contains("evil.example.com"), "{err}");
    assert_eq!(provider.token_calls(), 0);
}

#[tokio::test]
async fn a_missing_client_id_is_a_config_error() {
    let provider = Provider::start().await;
    let config = Config::builder()
        .server(provider.uri())
        .password_grant(USERNAME, PASSWORD)
        .build()
        .unwrap();

    let err = checked(OidcClient::discover(&config).await.unwrap_err());
    assert!(
        matches!(
            err,
            Error::Sdk(SdkError::MissingConfig {
                key: "oidc.client.id"
            })
        ),
        "{err:?}"
    );
    let err = checked(
        OidcClient::with_endpoints(&config, Endpoints::trivore(&provider.uri()))
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            Error::Sdk(SdkError::MissingConfig {
                key: "oidc.client.id"
            })
        ),
        "{err:?}"
    );
    assert_eq!(provider.token_calls(), 0);
}

// ---------------------------------------------------------------------------------------------
// 2. Password grant
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_password_grant_posts_a_basic_authenticated_form_and_returns_verified_tokens() {
    let provider = Provider::start().await;
    let (_, tokens) = signed_in(&provider).await;

    let requests = provider.token_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.names(),
        ["grant_type", "password", "scope", "username"]
    );
    assert_eq!(request.param("grant_type"), Some("password"));
    assert_eq!(request.param("username"), Some(USERNAME));
    assert_eq!(request.param("password"), Some(PASSWORD));
    assert_eq!(
        request.param("scope"),
        Some(SCOPES_SUPPORTED.join(" ").as_str())
    );
    assert_eq!(
        request.authorization.as_deref(),
        Some(basic_credentials().as_str())
    );
    assert!(
        request
            .content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")),
        "{:?}",
        request.content_type
    );
    // The password is never in a URL.
    assert_eq!(request.query, None);
    for received in provider.server.received_requests().await.unwrap() {
        assert!(
            !received.url.as_str().contains("MARKER"),
            "{}",
            received.url
        );
    }

    assert_eq!(tokens.access_token().expose(), "access-1-MARKER");
    assert_eq!(
        tokens.refresh_token().map(Secret::expose),
        Some("refresh-1-MARKER")
    );
    assert!(tokens.id_token().is_some());
    assert_eq!(
        tokens.id_token_claims().unwrap().subject().as_str(),
        SUBJECT
    );
    let left = tokens.expires_in().unwrap();
    assert!(
        left <= Duration::from_secs(EXPIRES_IN) && left > Duration::from_secs(EXPIRES_IN - 30),
        "{left:?}"
    );
    assert!(!tokens.expires_within(Duration::from_secs(60)));
    assert_eq!(tokens.scopes(), SCOPES_SUPPORTED);
}

#[tokio::test]
async fn given_scopes_always_include_openid_once() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    oidc.password_grant(Some(&["profile"])).await.unwrap();
    oidc.password_grant(Some(&["openid", "email"]))
        .await
        .unwrap();
    let scopes: Vec<String> = provider
        .token_requests()
        .iter()
        .map(|r| r.param("scope").unwrap().to_owned())
        .collect();
    assert_eq!(scopes, ["openid profile", "openid email"]);
}

#[tokio::test]
async fn client_secret_post_puts_the_client_credentials_in_the_form() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await.with_client_auth(ClientAuth::Post);
    let tokens = oidc.password_grant(None).await.unwrap();
    assert_eq!(tokens.access_token().expose(), "access-1-MARKER");

    let request = &provider.token_requests()[0];
    assert_eq!(
        request.names(),
        [
            "client_id",
            "client_secret",
            "grant_type",
            "password",
            "scope",
            "username"
        ]
    );
    assert_eq!(request.param("client_id"), Some(CLIENT_ID));
    assert_eq!(request.param("client_secret"), Some(CLIENT_SECRET));
    assert_eq!(request.authorization, None);
    assert_eq!(request.query, None);
}

#[tokio::test]
async fn password_grant_with_other_credentials() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    oidc.password_grant_with(USERNAME, &Secret::new(PASSWORD), Some(&["email"]))
        .await
        .unwrap();
    let request = &provider.token_requests()[0];
    assert_eq!(request.param("username"), Some(USERNAME));
    assert_eq!(request.param("scope"), Some("openid email"));
}

// ---------------------------------------------------------------------------------------------
// 3. Client credentials
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn client_credentials_sends_the_given_scopes_with_basic_auth() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let tokens = oidc.client_credentials(&[GROUPS_SCOPE]).await.unwrap();

    let request = &provider.token_requests()[0];
    assert_eq!(request.names(), ["grant_type", "scope"]);
    assert_eq!(request.param("grant_type"), Some("client_credentials"));
    assert_eq!(request.param("scope"), Some(GROUPS_SCOPE));
    assert_eq!(
        request.authorization.as_deref(),
        Some(basic_credentials().as_str())
    );
    assert_eq!(request.query, None);

    assert_eq!(tokens.access_token().expose(), "access-1-MARKER");
    assert!(tokens.refresh_token().is_none());
    assert!(tokens.id_token().is_none());
}

#[tokio::test]
async fn a_client_credentials_source_renews_with_the_same_grant() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let source = oidc.client_credentials_source(&["api"]).await.unwrap();
    let renewed = source.refresh().await.unwrap();
    assert_eq!(renewed.access_token().expose(), "access-2-MARKER");
    assert_eq!(
        provider.grants(),
        ["client_credentials", "client_credentials"]
    );
    assert_eq!(provider.token_requests()[1].param("scope"), Some("api"));
    assert_eq!(source.refresh_count(), 1);
}

// ---------------------------------------------------------------------------------------------
// 4. Authorization code with PKCE
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_authorize_url_asks_for_a_code_with_pkce_state_and_nonce() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let request = oidc.authorize_url(Some(&["profile"])).unwrap();
    let url = request.url();
    assert_eq!(
        url.as_str().split('?').next(),
        Some(format!("{}/openid/auth", provider.uri()).as_str())
    );
    let params = query(url);
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["client_id"], CLIENT_ID);
    assert_eq!(params["redirect_uri"], REDIRECT_URI);
    let scopes: Vec<&str> = params["scope"].split(' ').collect();
    assert!(
        scopes.contains(&"openid") && scopes.contains(&"profile"),
        "{scopes:?}"
    );
    assert_eq!(params["state"], request.state());
    assert!(request.state().len() >= 16, "{}", request.state());
    assert!(params["nonce"].len() >= 16, "{}", params["nonce"]);
    assert!(
        params["code_challenge"].len() >= 43,
        "{}",
        params["code_challenge"]
    );
    assert_eq!(params["code_challenge_method"], "S256");
    // Nothing secret in the URL.
    assert!(!params.contains_key("client_secret"));
    assert_no_secrets(url.as_str());

    // Every sign-in gets its own state, nonce and challenge.
    let other = oidc.authorize_url(Some(&["profile"])).unwrap();
    let other_params = query(other.url());
    for name in ["state", "nonce", "code_challenge"] {
        assert_ne!(params[name], other_params[name], "{name}");
    }
}

#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_refused_before_any_token_request() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    for redirect in [
        format!("{REDIRECT_URI}?code=abc&state=not-the-state"),
        format!("{REDIRECT_URI}?code=abc"),
    ] {
        let request = oidc.authorize_url(None).unwrap();
        let err = checked(
            oidc.exchange_redirect(request, &redirect)
                .await
                .unwrap_err(),
        );
        assert!(
            matches!(err, Error::Sdk(SdkError::InvalidArgument { .. })),
            "{err:?}"
        );
    }
    assert_eq!(provider.token_calls(), 0);
}

#[tokio::test]
async fn the_code_is_exchanged_with_the_pkce_verifier_and_the_nonce_is_checked() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let request = oidc.authorize_url(Some(&["profile"])).unwrap();
    let params = query(request.url());
    let shown = format!("{request:?} {request:#?}");

    let redirect = provider.sign_in(request.url()).await;
    let code = query(&url::Url::parse(&redirect).unwrap())["code"].clone();
    let tokens = oidc.exchange_redirect(request, &redirect).await.unwrap();

    let token_request = &provider.token_requests()[0];
    assert_eq!(
        token_request.names(),
        ["code", "code_verifier", "grant_type", "redirect_uri"]
    );
    assert_eq!(
        token_request.param("grant_type"),
        Some("authorization_code")
    );
    assert_eq!(token_request.param("code"), Some(code.as_str()));
    assert_eq!(token_request.param("redirect_uri"), Some(REDIRECT_URI));
    assert_eq!(
        token_request.authorization.as_deref(),
        Some(basic_credentials().as_str())
    );
    let verifier = token_request.param("code_verifier").unwrap();
    assert!(verifier.len() >= 43, "{verifier}");
    assert_eq!(s256(verifier), params["code_challenge"]);
    // The AuthorizationRequest never showed its verifier.
    assert!(!shown.contains(verifier), "{shown}");

    let claims = tokens.id_token_claims().unwrap();
    assert_eq!(claims.subject().as_str(), SUBJECT);
    assert_eq!(
        claims.nonce().map(|n| n.secret().as_str()),
        Some(params["nonce"].as_str())
    );
    assert_eq!(tokens.access_token().expose(), "access-1-MARKER");
}

#[tokio::test]
async fn the_example_redirect_with_code_abc_is_exchanged() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let request = oidc.authorize_url(None).unwrap();
    let nonce = query(request.url())["nonce"].clone();
    // The provider knows nothing of code "abc": answer with an ID token for this sign-in.
    let claims = provider.claims(Some(nonce));
    provider.on_token(move |request, reply| {
        if request.param("code") == Some("abc") {
            *reply = Reply::Tokens(Issue {
                access_token: "access-abc-MARKER".into(),
                refresh_token: None,
                expires_in: Some(600),
                scope: None,
                id_token: Some(IdToken::Signed(claims.clone())),
            });
        }
    });
    let redirect = format!("{REDIRECT_URI}?code=abc&state={}", request.state());
    let tokens = oidc.exchange_redirect(request, &redirect).await.unwrap();
    assert_eq!(tokens.access_token().expose(), "access-abc-MARKER");
    let token_request = &provider.token_requests()[0];
    assert_eq!(token_request.param("code"), Some("abc"));
    assert_eq!(
        token_request.param("grant_type"),
        Some("authorization_code")
    );
}

#[tokio::test]
async fn an_id_token_without_the_sign_in_nonce_is_rejected() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    for (case, nonce) in [("another nonce", Some("another-nonce")), ("no nonce", None)] {
        provider.on_token(move |request, reply| {
            if request.grant_type() == "authorization_code" {
                reply.id_claims().nonce = nonce.map(str::to_owned);
            }
        });
        let request = oidc.authorize_url(None).unwrap();
        let redirect = provider.sign_in(request.url()).await;
        let err = oidc
            .exchange_redirect(request, &redirect)
            .await
            .unwrap_err();
        assert_rejected_id_token(err, "oidc_token_authorization_code", case, "nonce");
    }
    assert_eq!(provider.token_calls(), 2);
}

#[tokio::test]
async fn an_error_redirect_is_an_oauth_error() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let request = oidc.authorize_url(None).unwrap();
    let redirect = format!(
        "{REDIRECT_URI}?error=access_denied&error_description=The+user+said+no&state={}",
        request.state()
    );
    let err = checked(
        oidc.exchange_redirect(request, &redirect)
            .await
            .unwrap_err(),
    );
    let api = api_error(&err);
    assert_eq!(api.oauth_error(), Some("access_denied"));
    assert_eq!(api.message(), Some("The user said no"));
    assert_eq!(api.operation(), Some("oidc_authorize"));
    assert_eq!(provider.token_calls(), 0);
}

#[tokio::test]
async fn the_authorization_code_flow_needs_a_redirect_uri() {
    let provider = Provider::start().await;
    let config = Config::builder()
        .server(provider.uri())
        .oidc_client(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let oidc = OidcClient::discover(&config).await.unwrap();
    let err = checked(oidc.authorize_url(None).unwrap_err());
    assert!(
        matches!(
            err,
            Error::Sdk(SdkError::MissingConfig {
                key: "oidc.client.redirect.uri"
            })
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. ID token verification
// ---------------------------------------------------------------------------------------------

/// An unsigned (`alg: none`) ID token with otherwise valid claims.
fn unsigned_id_token(issuer: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = BASE64URL.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = BASE64URL.encode(
        json!({"iss": issuer, "aud": [CLIENT_ID], "sub": SUBJECT, "exp": now + 600, "iat": now})
            .to_string(),
    );
    format!("{header}.{payload}.")
}

#[tokio::test]
async fn id_tokens_that_fail_verification_are_rejected() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let unsigned = unsigned_id_token(&provider.uri());
    type Tamper = Box<dyn Fn(&mut Reply) + Send + Sync>;
    let cases: Vec<(&str, &str, Tamper)> = vec![
        (
            "expired",
            "expired",
            Box::new(|reply| {
                reply.id_claims().expires_at = chrono::Utc::now() - chrono::Duration::hours(1);
            }),
        ),
        (
            "signed by another key",
            "Signature",
            Box::new(|reply| reply.id_claims().signer = Signer::Attacker),
        ),
        (
            "payload changed after signing",
            "Signature",
            Box::new(|reply| reply.id_claims().tamper = true),
        ),
        (
            "for another client",
            "audience",
            Box::new(|reply| reply.id_claims().audience = "client-2".into()),
        ),
        (
            "from another issuer",
            "issuer",
            Box::new(|reply| reply.id_claims().issuer = "https://evil.example.com".into()),
        ),
        (
            "unsigned",
            "Signature",
            Box::new(move |reply| reply.tokens().id_token = Some(IdToken::Raw(unsigned.clone()))),
        ),
    ];
    for (case, reason, tamper) in cases {
        provider.on_token(move |_, reply| tamper(reply));
        let err = oidc.password_grant(None).await.unwrap_err();
        assert_rejected_id_token(err, "oidc_token_password", case, reason);
    }
    // The same provider's honest tokens still pass.
    provider.on_token(|_, _| {});
    oidc.password_grant(None).await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// 6. Refresh
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_sends_the_refresh_token_and_keeps_it_when_none_comes_back() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;

    let refreshed = oidc.refresh(&tokens).await.unwrap();
    let request = &provider.token_requests()[1];
    assert_eq!(request.names(), ["grant_type", "refresh_token"]);
    assert_eq!(request.param("grant_type"), Some("refresh_token"));
    assert_eq!(request.param("refresh_token"), Some("refresh-1-MARKER"));
    assert_eq!(
        request.authorization.as_deref(),
        Some(basic_credentials().as_str())
    );
    assert_eq!(request.query, None);
    assert_eq!(refreshed.access_token().expose(), "access-2-MARKER");
    assert_eq!(
        refreshed.refresh_token().map(Secret::expose),
        Some("refresh-2-MARKER")
    );
    assert!(refreshed.id_token_claims().is_some());

    // No refresh token in the response: the old one stays.
    provider.on_token(|request, reply| {
        if request.grant_type() == "refresh_token" {
            reply.tokens().refresh_token = None;
        }
    });
    let again = oidc.refresh(&refreshed).await.unwrap();
    assert_eq!(again.access_token().expose(), "access-3-MARKER");
    assert_eq!(
        again.refresh_token().map(Secret::expose),
        Some("refresh-2-MARKER")
    );
    assert_eq!(
        provider.token_requests()[2].param("refresh_token"),
        Some("refresh-2-MARKER")
    );
}

/// OpenID Connect Core 12.2: a refreshed ID token must name the same subject (and issuer) as
/// the one of the sign-in.
#[tokio::test]
async fn a_refreshed_id_token_for_another_subject_is_rejected() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    provider.on_token(|request, reply| {
        if request.grant_type() == "refresh_token" {
            reply.id_claims().subject = "someone-else".into();
        }
    });
    let err = oidc.refresh(&tokens).await.unwrap_err();
    let err = checked(err);
    assert_eq!(api_error(&err).kind(), ApiErrorKind::Protocol, "{err}");
    assert_eq!(api_error(&err).operation(), Some("oidc_token_refresh"));
}

#[tokio::test]
async fn refreshing_without_a_refresh_token_is_an_sdk_error() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let err = checked(
        oidc.refresh(&Tokens::from_access_token("bare-MARKER"))
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(err, Error::Sdk(SdkError::InvalidArgument { .. })),
        "{err:?}"
    );
    assert_eq!(provider.token_calls(), 0);
}

// ---------------------------------------------------------------------------------------------
// 7. Token source under TrivoreId: refresh before expiry
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_expiring_token_is_refreshed_once_before_it_is_used() {
    let provider = Provider::start().await;
    password_tokens_expire_in(&provider, 30);
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source_with_leeway(tokens, Duration::from_secs(60));
    assert_eq!(source.leeway(), Duration::from_secs(60));
    assert_eq!(source.refresh_count(), 0);
    mount_userinfo(&provider, &bearer(2), 1).await;
    mount_group(&provider, &bearer(2), Some(2)).await;

    let api = TrivoreId::with_tokens(provider.config(), source.clone())
        .await
        .unwrap();
    api.group_get().group_id("g1").send().await.unwrap();
    api.group_get().group_id("g1").send().await.unwrap();

    assert_eq!(provider.grants(), ["password", "refresh_token"]);
    assert_eq!(source.refresh_count(), 1);
    assert_eq!(
        source.tokens().await.access_token().expose(),
        "access-2-MARKER"
    );
    // The old token was never sent anywhere: the refresh came first.
    assert_eq!(
        authorizations(&provider, GROUP_PATH).await,
        [bearer(2), bearer(2)]
    );
    assert_eq!(
        authorizations(&provider, "/openid/userinfo").await,
        [bearer(2)]
    );
    assert_eq!(api.oidc_user().and_then(|u| u.id.as_deref()), Some(SUBJECT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_with_an_expiring_token_share_one_refresh() {
    let provider = Provider::start().await;
    // Not within the leeway when the client is built, within it a couple of seconds later.
    password_tokens_expire_in(&provider, 62);
    let leeway = Duration::from_secs(60);
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source_with_leeway(tokens, leeway);
    let api = TrivoreId::with_tokens(provider.config(), source.clone())
        .await
        .unwrap();
    assert_eq!(source.refresh_count(), 0);
    mount_group(&provider, &bearer(2), Some(20)).await;

    wait_until_expiring(&source, leeway).await;
    let calls = (0..20).map(|_| api.group_get().group_id("g1").send());
    let results = futures::future::join_all(calls).await;

    for result in results {
        assert_eq!(result.unwrap().id.as_deref(), Some("g1"));
    }
    assert_eq!(provider.refreshes(), 1);
    assert_eq!(provider.grants(), ["password", "refresh_token"]);
    assert_eq!(source.refresh_count(), 1);
}

#[tokio::test]
async fn tokens_far_from_expiry_are_not_refreshed() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source(tokens);
    assert_eq!(source.leeway(), trivoreid::oidc::DEFAULT_LEEWAY);
    mount_group(&provider, &bearer(1), Some(5)).await;
    let api = TrivoreId::with_tokens(provider.config(), source.clone())
        .await
        .unwrap();
    for _ in 0..5 {
        api.group_get().group_id("g1").send().await.unwrap();
    }
    assert_eq!(provider.grants(), ["password"]);
    assert_eq!(source.refresh_count(), 0);
}

// ---------------------------------------------------------------------------------------------
// 8. 401: one forced refresh, one retry
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_401_forces_one_refresh_and_one_retry() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source(tokens);
    reject_at_group(&provider, &bearer(1)).await;
    mount_group(&provider, &bearer(2), Some(1)).await;
    let api = TrivoreId::with_tokens(provider.config(), source.clone())
        .await
        .unwrap();

    let group = api.group_get().group_id("g1").send().await.unwrap();
    assert_eq!(group.id.as_deref(), Some("g1"));
    assert_eq!(provider.grants(), ["password", "refresh_token"]);
    assert_eq!(source.refresh_count(), 1);
    assert_eq!(
        authorizations(&provider, GROUP_PATH).await,
        [bearer(1), bearer(2)]
    );
}

#[tokio::test]
async fn a_401_to_every_token_fails_after_exactly_one_retry() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source(tokens);
    Mock::given(method("GET"))
        .and(path(GROUP_PATH))
        .respond_with(unauthorized())
        .mount(&provider.server)
        .await;
    let api = TrivoreId::with_tokens(provider.config(), source.clone())
        .await
        .unwrap();

    let err = checked(
        api.group_get()
            .group_id("g1")
            .send()
            .await
            .unwrap_err()
            .into(),
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
    let api_err = api_error(&err);
    assert_eq!(api_err.operation(), Some("group_get"));
    assert_eq!(api_err.message(), Some("Invalid or expired token"));
    assert_eq!(
        authorizations(&provider, GROUP_PATH).await,
        [bearer(1), bearer(2)]
    );
    assert_eq!(provider.refreshes(), 1);
    assert_eq!(source.refresh_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_share_one_refresh() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source(tokens);
    // The 401s come late, so that all 20 calls have sent the old token before the first
    // rejection (otherwise a call that starts after the refresh rightly sends the new one).
    Mock::given(method("GET"))
        .and(path(GROUP_PATH))
        .and(header("authorization", bearer(1)))
        .respond_with(unauthorized().set_delay(Duration::from_millis(300)))
        .mount(&provider.server)
        .await;
    mount_group(&provider, &bearer(2), None).await;
    let api = TrivoreId::with_tokens(provider.config(), source.clone())
        .await
        .unwrap();

    let calls = (0..20).map(|_| api.group_get().group_id("g1").send());
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().id.as_deref(), Some("g1"));
    }
    assert_eq!(provider.refreshes(), 1);
    assert_eq!(source.refresh_count(), 1);
    let sent = authorizations(&provider, GROUP_PATH).await;
    assert_eq!(sent.iter().filter(|a| **a == bearer(1)).count(), 20);
    assert_eq!(sent.iter().filter(|a| **a == bearer(2)).count(), 20);
}

#[tokio::test]
async fn a_rejected_post_is_retried_with_the_same_body() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    let api = TrivoreId::with_tokens(provider.config(), oidc.token_source(tokens))
        .await
        .unwrap();
    let body = json!({"name": "admins", "nsCode": "acme"});
    Mock::given(method("POST"))
        .and(path("/api/rest/v1/group"))
        .and(header("authorization", bearer(1)))
        .respond_with(unauthorized())
        .mount(&provider.server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/rest/v1/group"))
        .and(header("authorization", bearer(2)))
        .and(body_json(&body))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "g1", "name": "admins", "nsCode": "acme"})),
        )
        .expect(1)
        .mount(&provider.server)
        .await;

    let group = trivoreid::types::Group {
        name: Some("admins".into()),
        ns_code: Some("acme".into()),
        ..Default::default()
    };
    let created = api.group_create().body(group).send().await.unwrap();
    assert_eq!(created.id.as_deref(), Some("g1"));

    let sent = provider.requests_to("/api/rest/v1/group").await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&sent[1].body).unwrap(),
        body
    );
    assert_eq!(provider.refreshes(), 1);
}

// ---------------------------------------------------------------------------------------------
// 9. A rejected refresh token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_rejected_refresh_token_falls_back_to_the_password_grant() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    provider.on_token(|request, reply| {
        if request.grant_type() == "refresh_token" {
            *reply = Reply::oauth_error(400, "invalid_grant", "Token is not active");
        }
    });
    let source = oidc.token_source(tokens);

    let renewed = source.refresh().await.unwrap();
    assert_eq!(renewed.access_token().expose(), "access-3-MARKER");
    assert_eq!(provider.grants(), ["password", "refresh_token", "password"]);
    let again = &provider.token_requests()[2];
    assert_eq!(again.param("username"), Some(USERNAME));
    assert_eq!(again.param("password"), Some(PASSWORD));
    assert_eq!(
        again.param("scope"),
        Some(SCOPES_SUPPORTED.join(" ").as_str())
    );
    assert_eq!(source.refresh_count(), 1);
}

#[tokio::test]
async fn without_password_credentials_a_rejected_refresh_token_is_the_error() {
    let provider = Provider::start().await;
    let (_, tokens) = signed_in(&provider).await;
    provider.on_token(|request, reply| {
        if request.grant_type() == "refresh_token" {
            *reply = Reply::oauth_error(400, "invalid_grant", "Token is not active");
        }
    });
    let config = Config::builder()
        .server(provider.uri())
        .oidc_client(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let oidc = OidcClient::discover(&config).await.unwrap();
    let source = oidc.token_source(tokens);

    let err = checked(source.refresh().await.unwrap_err());
    let api = api_error(&err);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(api.oauth_error(), Some("invalid_grant"));
    assert_eq!(api.operation(), Some("oidc_token_refresh"));
    assert_eq!(provider.grants(), ["password", "refresh_token"]);
    assert_eq!(source.refresh_count(), 0);
}

// ---------------------------------------------------------------------------------------------
// 10. OAuth errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_refused_password_is_an_invalid_grant_error() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    let err = checked(
        oidc.password_grant_with(USERNAME, &Secret::new("wrong-password-MARKER"), None)
            .await
            .unwrap_err(),
    );
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Status);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(api.oauth_error(), Some("invalid_grant"));
    assert_eq!(api.message(), Some("Bad credentials"));
    assert_eq!(api.operation(), Some("oidc_token_password"));
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn a_refused_client_is_an_invalid_client_error() {
    let provider = Provider::start().await;
    let config = Config::builder()
        .server(provider.uri())
        .oidc_client(CLIENT_ID, "wrong-secret-MARKER")
        .password_grant(USERNAME, PASSWORD)
        .build()
        .unwrap();
    let oidc = OidcClient::discover(&config).await.unwrap();
    let err = checked(oidc.password_grant(None).await.unwrap_err());
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Status);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(api.oauth_error(), Some("invalid_client"));
    assert_eq!(api.message(), Some("Client authentication failed"));
    assert_eq!(api.operation(), Some("oidc_token_password"));

    let err = checked(oidc.client_credentials(&["api"]).await.unwrap_err());
    let api = api_error(&err);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(api.oauth_error(), Some("invalid_client"));
    assert_eq!(api.operation(), Some("oidc_token_client_credentials"));
}

#[tokio::test]
async fn an_undecodable_token_response_does_not_echo_its_tokens() {
    let provider = Provider::start().await;
    let oidc = discover(&provider).await;
    // No token_type: the response cannot be decoded, but it carries tokens.
    provider.on_token(|_, reply| {
        *reply = Reply::Json {
            status: 200,
            body: json!({
                "access_token": "undecodable-access-MARKER",
                "refresh_token": "undecodable-refresh-MARKER",
                "expires_in": 3600
            }),
        };
    });
    let err = checked(oidc.password_grant(None).await.unwrap_err());
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Decode, "{err}");
    assert_eq!(api.operation(), Some("oidc_token_password"));
}

// ---------------------------------------------------------------------------------------------
// 11. The signed-in user
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn userinfo_claims_are_mapped_to_the_oidc_user() {
    let provider = Provider::start().await;
    let (oidc, tokens) = signed_in(&provider).await;
    mount_userinfo(&provider, &bearer(1), 1).await;
    let api = TrivoreId::with_tokens(provider.config(), oidc.token_source(tokens))
        .await
        .unwrap();
    let user = api.oidc_user().expect("the user was fetched");

    assert_eq!(user.id.as_deref(), Some(SUBJECT));
    assert_eq!(user.email.as_deref(), Some("alice@acme.example"));
    assert_eq!(user.email_verified, Some(true));
    assert_eq!(user.phone.as_deref(), Some("+358401234567"));
    assert_eq!(user.phone_number_verified, Some(false));
    assert_eq!(user.preferred_username.as_deref(), Some("alice"));
    assert_eq!(
        user.groups.as_deref(),
        Some(&["admins".to_owned(), "staff".to_owned()][..])
    );
    assert_eq!(user.ns_code.as_deref(), Some("acme"));
    assert_eq!(user.minor, Some(false));
    let consents = user.consents.as_ref().expect("consents");
    assert_eq!(consents.marketing_email, Some(true));
    assert_eq!(consents.marketing_phone, Some(false));
    assert_eq!(consents.profiling, Some(true));
    assert_eq!(consents.marketing_post, None);
    assert_eq!(user.locale.as_deref(), Some("fi-FI"));
    assert_eq!(user.nickname.as_deref(), Some("Al"));
    assert_eq!(user.zoneinfo.as_deref(), Some("Europe/Helsinki"));
    let address = user.address.as_ref().expect("address");
    assert_eq!(address.country.as_deref(), Some("FI"));
    assert_eq!(address.locality.as_deref(), Some("Helsinki"));
    assert_eq!(address.region.as_deref(), Some("Uusimaa"));
    assert_eq!(address.postal_code.as_deref(), Some("00100"));
    assert_eq!(address.street_address.as_deref(), Some("Mannerheimintie 1"));
    assert_eq!(address.formatted, None);

    // Only the unknown claims are left over, kept as sent.
    let other: Vec<&str> = user.other.keys().map(String::as_str).collect();
    assert_eq!(
        other,
        ["custom_x", "https://oneportal.trivore.com/claims/tags"]
    );
    assert_eq!(user.other["custom_x"], json!({"nested": 1}));
    assert_eq!(user.trivore_claim("tags"), Some(&json!(["vip", "beta"])));
    assert_eq!(user.trivore_claim("groups"), None);
}

#[tokio::test]
async fn with_access_token_fetches_the_user_once_with_the_bearer_token() {
    let provider = Provider::start().await;
    mount_userinfo(&provider, "Bearer static-token-MARKER", 1).await;
    let api = TrivoreId::with_access_token(provider.config(), "static-token-MARKER")
        .await
        .unwrap();
    let user = api.oidc_user().expect("the user was fetched");
    assert_eq!(user.id.as_deref(), Some(SUBJECT));
    assert_eq!(user.ns_code.as_deref(), Some("acme"));
    assert_eq!(provider.token_calls(), 0);
}

#[tokio::test]
async fn fetch_oidc_user_asks_again_on_demand() {
    let provider = Provider::start().await;
    mount_userinfo(&provider, "Bearer static-token-MARKER", 2).await;
    let api = TrivoreId::with_access_token(provider.config(), "static-token-MARKER")
        .await
        .unwrap();
    let fetched = api.fetch_oidc_user().await.unwrap();
    assert_eq!(Some(&fetched), api.oidc_user());

    let (oidc, tokens) = signed_in(&provider).await;
    mount_userinfo(&provider, &bearer(1), 2).await;
    let api = TrivoreId::with_tokens(provider.config(), oidc.token_source(tokens))
        .await
        .unwrap();
    let fetched = api.fetch_oidc_user().await.unwrap();
    assert_eq!(fetched.preferred_username.as_deref(), Some("alice"));
}

#[tokio::test]
async fn a_failing_userinfo_leaves_no_user_and_fetch_reports_why() {
    let provider = Provider::start().await;
    Mock::given(method("GET"))
        .and(path("/openid/userinfo"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_token",
            "error_description": "The access token expired"
        })))
        .mount(&provider.server)
        .await;
    let api = TrivoreId::with_access_token(provider.config(), "stale-token-MARKER")
        .await
        .unwrap();
    assert!(api.oidc_user().is_none());
    let err = checked(api.fetch_oidc_user().await.unwrap_err());
    let api_err = api_error(&err);
    assert_eq!(api_err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(api_err.operation(), Some("oidc_userinfo"));
    assert_eq!(api_err.oauth_error(), Some("invalid_token"));
    assert_eq!(api_err.message(), Some("The access token expired"));
}

#[tokio::test]
async fn a_management_api_client_has_no_oidc_user() {
    let provider = Provider::start().await;
    let api = TrivoreId::builder()
        .server(provider.uri())
        .management_api("mgmt-client", "mgmt-secret-MARKER")
        .build()
        .unwrap();
    assert!(api.oidc_user().is_none());
    let err = checked(api.fetch_oidc_user().await.unwrap_err());
    assert!(matches!(err, Error::Sdk(_)), "{err:?}");
    assert!(provider.requests_to("/openid/userinfo").await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// 12. Redaction
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn debug_output_never_shows_secrets() {
    let provider = Provider::start().await;
    let config = provider.config();
    let (oidc, tokens) = signed_in(&provider).await;
    let source = oidc.token_source(tokens.clone());
    let request = oidc.authorize_url(None).unwrap();
    let request_shown = format!("{request:?} {request:#?}");
    let redirect = provider.sign_in(request.url()).await;
    let code_tokens = oidc.exchange_redirect(request, &redirect).await.unwrap();
    let verifier = provider.token_requests()[1]
        .param("code_verifier")
        .unwrap()
        .to_owned();
    let api = TrivoreId::with_tokens(config.clone(), source.clone())
        .await
        .unwrap();
    let static_api = TrivoreId::with_access_token(config.clone(), "static-token-MARKER")
        .await
        .unwrap();
    let post_client = oidc.clone().with_client_auth(ClientAuth::Post);

    let shown = [
        format!("{oidc:?}"),
        format!("{oidc:#?}"),
        format!("{post_client:?}"),
        format!("{tokens:?}"),
        format!("{tokens:#?}"),
        format!("{code_tokens:?}"),
        format!("{source:?}"),
        format!("{source:#?}"),
        request_shown,
        format!("{api:?}"),
        format!("{api:#?}"),
        format!("{static_api:?}"),
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{:?}", oidc.endpoints()),
    ];
    let id_token = tokens.id_token().unwrap().expose().to_owned();
    for text in &shown {
        assert_no_secrets(text);
        assert!(
            !text.contains(&verifier),
            "the PKCE verifier leaked: {text}"
        );
        assert!(!text.contains(&id_token), "the ID token leaked: {text}");
    }
    // The subject and the client id are fine to show.
    assert!(shown[3].contains(SUBJECT), "{}", shown[3]);
    assert!(shown[0].contains(CLIENT_ID), "{}", shown[0]);
}
