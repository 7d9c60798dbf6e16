//! No secret leaks: every secret of a full run gets a unique marker (the Management API secret,
//! the OIDC client secret, the password grant's password, the access, refresh and ID tokens the
//! provider issues, the PKCE verifier, the passwords of created users), the whole flow runs
//! with tracing captured at TRACE level (the SDK's events and spans, and `log` records of the
//! HTTP stack through `tracing-log`), and then no marker, nor the Basic credentials
//! (`base64(id:secret)`), may appear in the captured trace, in the Display and Debug of any
//! error produced, or in the Debug of any public type that holds a secret.
//!
//! The flow: properties file → Config; Management API calls with Basic (200, 401, 404, a decode
//! error, `create_user` with a generated and with a given password); OIDC discovery, password
//! grant, a token source refreshing an expiring token, a forced refresh, a 401 answered by one
//! refresh and retry, a refresh token refused (falling back to the password grant), the
//! authorization code flow with PKCE, a static bearer token; errors: `invalid_grant` (400),
//! `invalid_client` (401), 401 and 404 from the API, an undecodable token response, a wrong
//! `state`, and configuration errors.
mod oidc_provider;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use oidc_provider::{
    CLIENT_ID, CLIENT_SECRET, EXPIRES_IN, PASSWORD, Provider, REDIRECT_URI, Reply, USERNAME,
};
use serde_json::json;
use trivoreid::config::{Config, Properties};
use trivoreid::oidc::{OidcClient, Tokens};
use trivoreid::prelude::*;
use trivoreid::{Error, Secret, TrivoreId, types};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

const MGMT_ID: &str = "mgmt-client-id";
const MGMT_SECRET: &str = "mgmt-secret-MARKER-5e0a";
const WRONG_MGMT_SECRET: &str = "wrong-mgmt-secret-MARKER";
const WRONG_CLIENT_SECRET: &str = "wrong-client-secret-MARKER";
const WRONG_PASSWORD: &str = "wrong-password-MARKER";
const STATIC_BEARER: &str = "static-bearer-MARKER";
const GIVEN_USER_PASSWORD: &str = "Given-user-password-MARKER-1!";
const BAD_HEADER_TOKEN: &str = "bad\ntoken-MARKER";
/// The marker in every secret the test chooses or the provider issues.
const MARKER: &str = "MARKER";

// ---------------------------------------------------------------------------------------------
// Capturing the trace

/// Everything the subscriber wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A TRACE-level `fmt` subscriber writing into a shared buffer, the default for every thread of
/// this test binary (the HTTP stack runs on the runtime's worker threads), with `log` records
/// (reqwest, hyper-util) forwarded to it. Only the mock server's own log lines (`wiremock`,
/// which prints the requests it receives, credentials and all, as any server's access log
/// would) are left out: they are the server's, not the SDK's.
fn capture() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            use tracing_subscriber::filter::{LevelFilter, Targets};
            use tracing_subscriber::layer::SubscriberExt as _;

            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(move || writer.clone())
                .finish()
                .with(
                    Targets::new()
                        .with_default(LevelFilter::TRACE)
                        .with_target("wiremock", LevelFilter::OFF),
                );
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            tracing_log::LogTracer::init().expect("the only logger");
            captured
        })
        .clone()
}

// ---------------------------------------------------------------------------------------------
// What was shown, and the secrets it must not contain

#[derive(Default)]
struct Shown {
    /// (what, text)
    texts: Vec<(String, String)>,
    /// (what, secret)
    secrets: Vec<(String, String)>,
}

impl Shown {
    fn secret(&mut self, what: &str, value: &str) {
        assert!(!value.is_empty(), "{what} is empty");
        self.secrets.push((what.to_owned(), value.to_owned()));
    }

    /// Debug (plain and pretty) of a value.
    fn debug(&mut self, what: &str, value: &dyn std::fmt::Debug) {
        self.texts
            .push((format!("{what} {{:?}}"), format!("{value:?}")));
        self.texts
            .push((format!("{what} {{:#?}}"), format!("{value:#?}")));
    }

    /// Display and Debug of an error and of its whole source chain; hands it back.
    fn error(&mut self, what: &str, err: Error) -> Error {
        self.texts
            .push((format!("{what} Display"), err.to_string()));
        self.debug(what, &err);
        let mut source = std::error::Error::source(&err);
        let mut depth = 0;
        while let Some(s) = source {
            depth += 1;
            self.texts
                .push((format!("{what} source {depth}"), format!("{s}\n{s:?}")));
            source = s.source();
        }
        err
    }

    fn expect_err<T: std::fmt::Debug>(&mut self, what: &str, result: Result<T, Error>) -> Error {
        match result {
            Ok(value) => panic!("{what}: expected an error, got {value:?}"),
            Err(e) => self.error(what, e),
        }
    }

    /// Asserts that no secret (nor the marker) appears in anything shown or in `trace`.
    fn assert_clean(&self, trace: &str) {
        let mut needles: Vec<(String, String)> = self.secrets.clone();
        needles.push(("the marker".into(), MARKER.into()));
        let mut leaks = Vec::new();
        let haystacks = self
            .texts
            .iter()
            .map(|(what, text)| (what.as_str(), text.as_str()))
            .chain([("the captured trace", trace)]);
        for (what, text) in haystacks {
            for (secret_name, secret) in &needles {
                if let Some(at) = text.find(secret.as_str()) {
                    let from = text[..at]
                        .char_indices()
                        .rev()
                        .nth(80)
                        .map_or(0, |(i, _)| i);
                    let to = (at + secret.len() + 80).min(text.len());
                    let to = (to..=text.len())
                        .find(|&i| text.is_char_boundary(i))
                        .unwrap_or(text.len());
                    leaks.push(format!(
                        "{secret_name} in {what}: ...{}...",
                        &text[from..to]
                    ));
                }
            }
        }
        assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    }
}

fn basic(id: &str, secret: &str) -> String {
    BASE64.encode(format!("{id}:{secret}"))
}

// ---------------------------------------------------------------------------------------------
// Mocks of the Management API on the provider's server

const GROUP: &str = "/api/rest/v1/group/g1";

fn group_json() -> serde_json::Value {
    json!({"id": "g1", "name": "admins", "nsCode": "acme"})
}

fn error_json(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"errorMessage": message, "statusCode": status}))
}

async fn mount_management_api(provider: &Provider) {
    let server = &provider.server;
    // The group answers the right Basic credentials and the provider's access tokens (but one
    // the flow revokes); anything else is a 401.
    Mock::given(method("GET"))
        .and(path(GROUP))
        .and(header(
            "authorization",
            format!("Basic {}", basic(MGMT_ID, MGMT_SECRET)),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json()))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(GROUP))
        .and(wiremock::matchers::header_regex(
            "authorization",
            "^Bearer access-[0-9]+-MARKER$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json()))
        .with_priority(2)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(GROUP))
        .respond_with(error_json(401, "Unauthorized"))
        .with_priority(10)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/rest/v1/user/missing"))
        .respond_with(error_json(404, "User not found"))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/rest/v1/group/broken"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": \"broken\", not json"))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/rest/v1/user"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "u1", "username": "new-user", "nsCode": "acme",
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/openid/userinfo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "sub": oidc_provider::SUBJECT,
            "preferred_username": USERNAME,
            "email": "alice@example.com",
        })))
        .mount(server)
        .await;
}

/// The properties file of the test client, every secret in it.
fn properties_text(server: &str) -> String {
    format!(
        "# the test client\n\
         service.address = {server}\n\
         mgmtapi.id = {MGMT_ID}\n\
         mgmtapi.secret = {MGMT_SECRET}\n\
         oidc.client.id = {CLIENT_ID}\n\
         oidc.client.secret: {CLIENT_SECRET}\n\
         oidc.client.redirect.uri = {REDIRECT_URI}\n\
         password.grant.username = {USERNAME}\n\
         password.grant.password = {PASSWORD}\n\
         custom.api.token = {STATIC_BEARER}\n"
    )
}

fn id_token_of(tokens: &Tokens) -> String {
    tokens.id_token().expect("an ID token").expose().to_owned()
}

// ---------------------------------------------------------------------------------------------
// The flow

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_trace_errors_or_debug_output() {
    let captured = capture();
    let provider = Provider::start().await;
    mount_management_api(&provider).await;
    let uri = provider.uri();
    let mut shown = Shown::default();
    for (what, secret) in [
        ("the Management API secret", MGMT_SECRET),
        ("a wrong Management API secret", WRONG_MGMT_SECRET),
        ("the OIDC client secret", CLIENT_SECRET),
        ("a wrong OIDC client secret", WRONG_CLIENT_SECRET),
        ("the password grant's password", PASSWORD),
        ("a wrong password", WRONG_PASSWORD),
        ("a static bearer token", STATIC_BEARER),
        ("a given user password", GIVEN_USER_PASSWORD),
        ("a token that is no header value", BAD_HEADER_TOKEN),
    ] {
        shown.secret(what, secret);
    }
    shown.secret(
        "Basic credentials of the Management API",
        &basic(MGMT_ID, MGMT_SECRET),
    );
    shown.secret(
        "Basic credentials of the Management API (wrong secret)",
        &basic(MGMT_ID, WRONG_MGMT_SECRET),
    );
    shown.secret(
        "Basic credentials of the OIDC client",
        &basic(CLIENT_ID, CLIENT_SECRET),
    );
    shown.secret(
        "Basic credentials of the OIDC client (wrong secret)",
        &basic(CLIENT_ID, WRONG_CLIENT_SECRET),
    );

    // --- Configuration: a properties file (world-readable, so the SDK warns), builders.
    let dir = std::env::temp_dir().join(format!("trivoreid-leaks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("client_sdk.properties");
    std::fs::write(&file, properties_text(&uri)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let properties = Properties::load(&file).expect("properties");
    assert_eq!(properties.get("mgmtapi.secret"), Some(MGMT_SECRET));
    shown.debug("Properties", &properties);
    let config = Config::from_properties_file(&file).expect("config");
    assert_eq!(
        config.oidc_client_secret().map(Secret::expose),
        Some(CLIENT_SECRET)
    );
    shown.debug("Config (from the file)", &config);
    let builder = Config::builder()
        .server(format!(
            "http://user:{MGMT_SECRET}@127.0.0.1:1/?token={STATIC_BEARER}#x"
        ))
        .management_api(MGMT_ID, MGMT_SECRET)
        .access_token(STATIC_BEARER)
        .oidc_client(CLIENT_ID, CLIENT_SECRET)
        .oidc_redirect_uri(format!("{REDIRECT_URI}?secret={PASSWORD}"))
        .password_grant(USERNAME, PASSWORD)
        .properties(properties.clone());
    shown.debug("ConfigBuilder", &builder);
    shown.expect_err(
        "credentials in the service address",
        builder.build().map_err(Error::from),
    );
    let id_builder = TrivoreId::builder()
        .server(&uri)
        .management_api(MGMT_ID, MGMT_SECRET)
        .access_token(STATIC_BEARER)
        .properties_file(&file);
    shown.debug("TrivoreIdBuilder", &id_builder);
    shown.debug("Secret", &Secret::new(MGMT_SECRET));
    shown.texts.push((
        "Secret Display".into(),
        Secret::new(MGMT_SECRET).to_string(),
    ));

    // Configuration errors.
    shown.expect_err(
        "a secret without its id",
        Config::builder()
            .server(&uri)
            .management_api("", MGMT_SECRET)
            .build()
            .map_err(Error::from),
    );
    shown.expect_err(
        "a password without its username",
        Config::builder()
            .server(&uri)
            .password_grant(" ", PASSWORD)
            .build()
            .map_err(Error::from),
    );
    shown.expect_err(
        "a client secret without its id",
        Config::builder()
            .server(&uri)
            .oidc_client("", CLIENT_SECRET)
            .build()
            .map_err(Error::from),
    );
    shown.expect_err(
        "credentials over plain http",
        Config::builder()
            .server("http://id.example.com")
            .management_api(MGMT_ID, MGMT_SECRET)
            .build()
            .map_err(Error::from),
    );
    shown.expect_err(
        "a token that cannot be a header",
        TrivoreId::builder()
            .server(&uri)
            .access_token(BAD_HEADER_TOKEN)
            .build(),
    );

    // --- Management API with Basic.
    let api = TrivoreId::builder()
        .properties_file(&file)
        .retry(trivoreid::RetryPolicy::none())
        .build()
        .expect("client");
    shown.debug("TrivoreId (Basic)", &api);
    let group = api.group_get().group_id("g1").send().await.expect("group");
    shown.debug("a group", &group.into_inner());
    let err = shown.expect_err(
        "404",
        api.user_get()
            .user_id("missing")
            .send()
            .await
            .map_err(Error::from),
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let err = shown.expect_err(
        "decode error",
        api.group_get()
            .group_id("broken")
            .send()
            .await
            .map_err(Error::from),
    );
    assert_eq!(
        err.as_api().map(|e| e.kind()),
        Some(trivoreid::ApiErrorKind::Decode)
    );
    let generated = api
        .create_user(
            types::User {
                ns_code: Some("acme".into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .expect("create_user");
    shown.secret("a generated password", generated.password.expose());
    shown.debug("CreatedUser (generated password)", &generated);
    let given = api
        .create_user(
            types::User {
                ns_code: Some("acme".into()),
                password: Some(GIVEN_USER_PASSWORD.into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .expect("create_user");
    assert_eq!(given.password.expose(), GIVEN_USER_PASSWORD);
    shown.debug("CreatedUser (given password)", &given);
    let wrong = TrivoreId::builder()
        .server(&uri)
        .management_api(MGMT_ID, WRONG_MGMT_SECRET)
        .retry(trivoreid::RetryPolicy::none())
        .build()
        .expect("client");
    shown.debug("TrivoreId (wrong Basic)", &wrong);
    let err = shown.expect_err(
        "401 to Basic",
        wrong
            .group_get()
            .group_id("g1")
            .send()
            .await
            .map_err(Error::from),
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));

    // --- OIDC: discovery and the password grant.
    let oidc = OidcClient::discover(&config).await.expect("discovery");
    shown.debug("OidcClient", &oidc);
    shown.debug("Endpoints", oidc.endpoints());
    let tokens = oidc.password_grant(None).await.expect("password grant");
    shown.secret("the first ID token", &id_token_of(&tokens));
    shown.debug("Tokens (password grant)", &tokens);
    let err = shown.expect_err(
        "invalid_grant",
        oidc.password_grant_with(USERNAME, &Secret::new(WRONG_PASSWORD), None)
            .await,
    );
    assert_eq!(
        err.as_api().and_then(|e| e.oauth_error()),
        Some("invalid_grant")
    );
    let wrong_client = OidcClient::discover(
        &Config::builder()
            .server(&uri)
            .oidc_client(CLIENT_ID, WRONG_CLIENT_SECRET)
            .password_grant(USERNAME, PASSWORD)
            .build()
            .expect("config"),
    )
    .await
    .expect("discovery");
    shown.debug("OidcClient (wrong secret)", &wrong_client);
    let err = shown.expect_err("invalid_client", wrong_client.password_grant(None).await);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    let err = shown.expect_err(
        "no refresh token",
        oidc.refresh(&Tokens::from_access_token(STATIC_BEARER))
            .await,
    );
    assert!(err.as_sdk().is_some());

    // --- A token source under a client: the user's claims, an expiring token refreshed before
    // use, a forced refresh, a 401 answered by one refresh and one retry.
    let source = oidc.token_source_with_leeway(tokens, Duration::from_secs(EXPIRES_IN + 60));
    let bearer_api = TrivoreId::with_tokens(config.clone(), source.clone())
        .await
        .expect("client");
    shown.debug("TrivoreId (tokens)", &bearer_api);
    shown.debug("OidcUser", &bearer_api.oidc_user().expect("claims"));
    shown.debug("TokenSource", &source);
    // Every access token expires within the leeway: each use refreshes first.
    let before = provider.refreshes();
    let group = bearer_api.group_get().group_id("g1").send().await;
    shown.debug("group (tokens)", &group.expect("group").into_inner());
    assert!(
        provider.refreshes() > before,
        "the expiring token was not refreshed"
    );
    let refreshed = source.refresh().await.expect("refresh");
    shown.secret("a refreshed ID token", &id_token_of(&refreshed));
    shown.debug("Tokens (refreshed)", &refreshed);
    // The API revokes the refreshed access token: the client refreshes once and retries.
    Mock::given(method("GET"))
        .and(path(GROUP))
        .and(header(
            "authorization",
            format!("Bearer {}", refreshed.access_token().expose()),
        ))
        .respond_with(error_json(401, "Invalid or expired token"))
        .with_priority(1)
        .mount(&provider.server)
        .await;
    let short = oidc.token_source(refreshed);
    let retrying = TrivoreId::with_tokens(config.clone(), short.clone())
        .await
        .expect("client");
    let before = provider.refreshes();
    let group = retrying.group_get().group_id("g1").send().await;
    shown.debug(
        "group after a 401",
        &group.expect("group after a retry").into_inner(),
    );
    let rejected = provider.refreshes() == before + 1;
    shown.debug("TokenSource (after a 401)", &short);
    shown.debug("Tokens (after a 401)", &short.tokens().await);

    // The provider refuses the refresh token: the source signs in again with the password.
    provider.on_token(|request, reply| {
        if request.grant_type() == "refresh_token" {
            *reply = Reply::oauth_error(400, "invalid_grant", "Token revoked");
        }
    });
    let err = shown.expect_err(
        "refresh token refused",
        oidc.refresh(&short.tokens().await).await,
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let fresh = short.refresh().await.expect("a new sign-in");
    shown.secret("a re-signed-in ID token", &id_token_of(&fresh));
    shown.debug("Tokens (signed in again)", &fresh);

    // An undecodable token response (the body holds a token).
    provider.on_token(|request, reply| {
        if request.grant_type() == "password" {
            *reply = Reply::Json {
                status: 200,
                body: json!({"access_token": "undecodable-MARKER", "token_type": 42}),
            };
        }
    });
    shown.expect_err(
        "undecodable token response",
        oidc.password_grant(None).await,
    );
    provider.on_token(|_, _| {});

    // --- The authorization code flow with PKCE.
    let request = oidc
        .authorize_url(Some(&["profile"]))
        .expect("authorize URL");
    shown.debug("AuthorizationRequest", &request);
    let redirect = provider.sign_in(request.url()).await;
    let tokens = oidc
        .exchange_redirect(request, &redirect)
        .await
        .expect("code exchange");
    shown.secret(
        "the authorization code flow's ID token",
        &id_token_of(&tokens),
    );
    shown.debug("Tokens (authorization code)", &tokens);
    let verifier = provider
        .token_requests()
        .iter()
        .rev()
        .find(|r| r.grant_type() == "authorization_code")
        .and_then(|r| r.param("code_verifier").map(str::to_owned))
        .expect("the token request carried the PKCE verifier");
    shown.secret("the PKCE verifier", &verifier);
    // The verifier went to the token endpoint only, never into the authorization URL.
    for request in provider.requests_to("/openid/auth").await {
        assert!(!request.url.as_str().contains(&verifier));
    }
    let other = oidc.authorize_url(None).expect("authorize URL");
    shown.debug("AuthorizationRequest (second)", &other);
    shown.expect_err(
        "wrong state",
        oidc.exchange_redirect(other, &format!("{REDIRECT_URI}?code=c&state=forged"))
            .await,
    );

    // --- A static bearer token that the API refuses.
    let static_api = TrivoreId::with_access_token(config.clone(), STATIC_BEARER)
        .await
        .expect("client");
    shown.debug("TrivoreId (static bearer)", &static_api);
    shown.expect_err(
        "401 to a static bearer token",
        static_api
            .group_get()
            .group_id("g1")
            .send()
            .await
            .map_err(Error::from),
    );

    // Every token the provider issued is a secret too.
    for request in provider.token_requests() {
        for name in [
            "refresh_token",
            "code_verifier",
            "password",
            "client_secret",
        ] {
            if let Some(value) = request.param(name) {
                shown.secret(
                    &format!("the {name} of token request {}", request.call),
                    value,
                );
            }
        }
    }
    for n in 1..=provider.token_calls() {
        shown.secret(&format!("access token {n}"), &format!("access-{n}-MARKER"));
        shown.secret(
            &format!("refresh token {n}"),
            &format!("refresh-{n}-MARKER"),
        );
    }

    // The flow did what it should, and the trace saw it.
    assert!(rejected, "the 401 was not answered with a refresh");
    assert!(provider.refreshes() >= 2, "{:?}", provider.grants());
    let trace = captured.text();
    for expected in [
        "trivoreid.request",
        "error response",
        "readable by group or others",
    ] {
        assert!(
            trace.contains(expected),
            "the trace misses {expected:?}:\n{trace}"
        );
    }
    assert!(
        trace.lines().any(|l| l.contains("TRACE")),
        "nothing at TRACE level was captured"
    );
    if let Some(dump) = std::env::var_os("TRIVOREID_LEAKS_TRACE") {
        std::fs::write(dump, &trace).expect("writing the trace");
    }
    shown.assert_clean(&trace);
    std::fs::remove_dir_all(&dir).ok();
}

/// The same against the embedded fake (feature `fake`), whose secrets are random: its
/// Management API secret, OIDC client secret, the seeded user's password, every token it
/// issues and the passwords of the users created through it.
#[cfg(feature = "fake")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_of_the_fake_flow_leaks() {
    use trivoreid::fake::FakeTrivoreId;

    let captured = capture();
    let fake = FakeTrivoreId::start().await;
    let mut shown = Shown::default();
    let (mgmt_id, mgmt_secret) = fake.management_api();
    let (client_id, client_secret) = fake.oidc_client();
    let (_, password) = fake.user();
    shown.secret("the fake's Management API secret", mgmt_secret);
    shown.secret("the fake's OIDC client secret", client_secret);
    shown.secret("the fake user's password", password);
    shown.secret("the fake's Basic credentials", &basic(mgmt_id, mgmt_secret));
    shown.secret(
        "the fake's OIDC Basic credentials",
        &basic(client_id, client_secret),
    );
    shown.debug("FakeTrivoreId", &fake);
    let config = fake.config();
    shown.debug("Config (fake)", &config);
    let properties = Properties::parse(&fake.properties());
    shown.debug("Properties (fake)", &properties);

    // Management API with Basic.
    let api = fake.client();
    shown.debug("TrivoreId (fake)", &api);
    let users = api.user_list().send().await.expect("users").into_inner();
    shown.debug("a user page", &users);
    shown.expect_err(
        "404 from the fake",
        api.user_get()
            .user_id("no-such-user")
            .send()
            .await
            .map_err(Error::from),
    );
    let created = api
        .create_user(
            types::User {
                ns_code: Some(trivoreid::fake::NAMESPACE.into()),
                username: Some("leak-test-user".into()),
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .expect("create_user");
    shown.secret(
        "the fake's created user's password",
        created.password.expose(),
    );
    shown.debug("CreatedUser (fake)", &created);
    let fetched = api
        .user_get()
        .user_id(created.user.id.as_deref().expect("an id"))
        .send()
        .await
        .expect("the created user")
        .into_inner();
    shown.debug("the created user, fetched", &fetched);
    let wrong = TrivoreId::builder()
        .server(fake.uri())
        .management_api(mgmt_id, WRONG_MGMT_SECRET)
        .build()
        .expect("client");
    shown.expect_err(
        "401 from the fake",
        wrong.user_list().send().await.map_err(Error::from),
    );

    // OIDC: password grant, a token source under a client, expired tokens (401 → refresh).
    let oidc = OidcClient::discover(&config).await.expect("discovery");
    shown.debug("OidcClient (fake)", &oidc);
    let tokens = oidc.password_grant(None).await.expect("password grant");
    let mut issued = vec![tokens.clone()];
    shown.debug("Tokens (fake)", &tokens);
    shown.expect_err(
        "invalid_grant from the fake",
        oidc.password_grant_with("alice", &Secret::new(WRONG_PASSWORD), None)
            .await,
    );
    let source = oidc.token_source(tokens);
    let bearer = TrivoreId::with_tokens(config.clone(), source.clone())
        .await
        .expect("client");
    shown.debug("TrivoreId (fake tokens)", &bearer);
    shown.debug("OidcUser (fake)", &bearer.oidc_user());
    let page = bearer.user_list().send().await.expect("list with tokens");
    shown.debug("a user page (tokens)", &page.into_inner());
    fake.expire_access_tokens();
    let page = bearer
        .user_list()
        .send()
        .await
        .expect("list after a 401 and a refresh");
    shown.debug("a user page (after a 401)", &page.into_inner());
    assert!(
        source.refresh_count() >= 1,
        "the expired token was not refreshed"
    );
    issued.push(source.tokens().await);
    issued.push(source.refresh().await.expect("refresh"));
    shown.debug("TokenSource (fake)", &source);
    for (n, tokens) in issued.iter().enumerate() {
        shown.secret(
            &format!("fake access token {n}"),
            tokens.access_token().expose(),
        );
        if let Some(t) = tokens.refresh_token() {
            shown.secret(&format!("fake refresh token {n}"), t.expose());
        }
        if let Some(t) = tokens.id_token() {
            shown.secret(&format!("fake ID token {n}"), t.expose());
        }
    }
    shown.assert_clean(&captured.text());
}
