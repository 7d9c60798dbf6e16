//! An embedded fake Trivore ID: a stateful, in-memory server on loopback for trying the SDK and
//! testing code against, without a real Trivore ID (feature `fake`).
//!
//! It serves the Management API of the spec (users, namespaces, groups, data storages and
//! their data, My Data, profiles, email and SMS sending into an [`Outbox`], email templates,
//! invitations) over HTTP Basic with seeded credentials, and an OpenID Connect provider
//! (discovery, JWKS, the token endpoint for the password, client credentials, authorization
//! code with PKCE and refresh grants, userinfo with Trivore's claims, RS256-signed ID tokens,
//! tokens that really expire). Statuses and error bodies are those of the real service.
//!
//! ```no_run
//! use trivoreid::fake::FakeTrivoreId;
//! use trivoreid::prelude::*;
//!
//! # async fn run() -> Result<(), trivoreid::Error> {
//! let fake = FakeTrivoreId::start().await;
//! let api = fake.client();
//! let users = api.user_list().send().await?;
//! assert_eq!(users.total_results, Some(1)); // the seeded user
//! # Ok(()) }
//! ```
//!
//! The signing key of the fake's ID tokens is public (it is in this crate's source): never trust
//! the fake's tokens anywhere else.

mod api;
mod conformance;
mod filter;
mod http;
mod oidc;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use self::http::{Body, Reply};
use self::state::{OidcClientRegistration, State};
pub use self::state::{Outbox, SentMessage};
use crate::config::Config;
use crate::{TrivoreId, types};

/// The seeded namespace's code.
pub const NAMESPACE: &str = "fake";
/// The seeded user's username.
pub const USERNAME: &str = "alice";
/// The redirect URI registered for the seeded OIDC client.
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// How the fake is set up.
#[derive(Debug, Clone)]
pub struct FakeBuilder {
    listen: Option<SocketAddr>,
    token_lifetime: Duration,
}

impl Default for FakeBuilder {
    fn default() -> Self {
        FakeBuilder {
            listen: None,
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

impl FakeBuilder {
    /// Listen on this address (default: 127.0.0.1 on a random port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = Some(addr);
        self
    }

    /// Lifetime of the access tokens the fake issues (default one hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Starts the fake. Fails only when the address cannot be bound.
    pub async fn start(self) -> std::io::Result<FakeTrivoreId> {
        let listener = std::net::TcpListener::bind(
            self.listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        )?;
        let server = MockServer::builder()
            .listener(listener)
            .disable_request_recording()
            .start()
            .await;
        let base = server.uri();
        let mut state = State::default();
        let api_client = ("fake-management-client".to_owned(), state.new_secret());
        let oidc_client = ("fake-oidc-client".to_owned(), state.new_secret());
        let password = format!("Pw-{}", &state.new_secret()[..16]);
        state
            .api_clients
            .insert(api_client.0.clone(), api_client.1.clone());
        state.oidc_clients.push(OidcClientRegistration {
            id: oidc_client.0.clone(),
            secret: oidc_client.1.clone(),
            redirect_uris: vec![REDIRECT_URI.to_owned()],
        });
        state.token_lifetime = self.token_lifetime;
        let state = Arc::new(Mutex::new(state));
        let fake = FakeTrivoreId {
            server,
            state: state.clone(),
            api_client,
            oidc_client,
            user: (USERNAME.to_owned(), password.clone()),
            user_id: String::new(),
        };
        Mock::given(wiremock::matchers::any())
            .respond_with(Handler {
                state,
                base,
                signer: Arc::new(oidc::Signer::new()),
            })
            .mount(&fake.server)
            .await;
        Ok(fake.seed())
    }
}

/// A running fake Trivore ID. Stops when dropped.
pub struct FakeTrivoreId {
    server: MockServer,
    state: Arc<Mutex<State>>,
    api_client: (String, String),
    oidc_client: (String, String),
    user: (String, String),
    user_id: String,
}

impl std::fmt::Debug for FakeTrivoreId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeTrivoreId")
            .field("uri", &self.uri())
            .finish_non_exhaustive()
    }
}

impl FakeTrivoreId {
    /// Starts a fake on a random loopback port.
    pub async fn start() -> FakeTrivoreId {
        FakeBuilder::default()
            .start()
            .await
            .expect("binding 127.0.0.1:0 does not fail")
    }

    /// Options: the address, token lifetime.
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    fn seed(mut self) -> Self {
        let mut state = self.lock();
        let ns_id = state.new_id();
        let now = state::now();
        state.namespaces.put(
            &ns_id,
            json!({"id": ns_id, "code": NAMESPACE, "name": "Fake namespace", "usernamePolicy": "EMAIL",
                   "meta": {"created": now, "lastModified": now}}),
        );
        drop(state);
        let user = self.seed_user(
            types::User {
                username: Some(USERNAME.into()),
                ns_code: Some(NAMESPACE.into()),
                name: Some(types::Names {
                    given_name: Some("Alice".into()),
                    family_name: Some("Example".into()),
                    ..Default::default()
                }),
                emails: Some(vec![types::EmailAddress {
                    address: Some("alice@example.com".into()),
                    verified: Some(true),
                    ..Default::default()
                }]),
                locale: Some("en".into()),
                ..Default::default()
            },
            Some(&self.user.1.clone()),
        );
        self.user_id = user.id.unwrap_or_default();
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The base URL (`http://127.0.0.1:PORT`).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The address the fake listens on.
    pub fn address(&self) -> SocketAddr {
        *self.server.address()
    }

    /// The seeded Management API client: (id, secret).
    pub fn management_api(&self) -> (&str, &str) {
        (&self.api_client.0, &self.api_client.1)
    }

    /// The seeded OIDC client: (id, secret). Its redirect URI is [`REDIRECT_URI`].
    pub fn oidc_client(&self) -> (&str, &str) {
        (&self.oidc_client.0, &self.oidc_client.1)
    }

    /// The seeded user (in namespace [`NAMESPACE`]): (username, password).
    pub fn user(&self) -> (&str, &str) {
        (&self.user.0, &self.user.1)
    }

    /// The seeded user's id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// A [`Config`] with everything: server, Management API and OIDC clients, the seeded user
    /// as password grant credentials.
    pub fn config(&self) -> Config {
        Config::builder()
            .server(self.uri())
            .management_api(self.api_client.0.clone(), self.api_client.1.as_str())
            .oidc_client(self.oidc_client.0.clone(), self.oidc_client.1.as_str())
            .oidc_redirect_uri(REDIRECT_URI)
            .password_grant(self.user.0.clone(), self.user.1.as_str())
            .build()
            .expect("the fake's own config is valid")
    }

    /// A Management API client of this fake.
    pub fn client(&self) -> TrivoreId {
        TrivoreId::new(self.config()).expect("the fake's own config is valid")
    }

    /// A properties file (Trivore's `client_sdk.properties` format) for this fake, for any
    /// Trivore client: `service.address`, `mgmtapi.id`, `mgmtapi.secret`, `oidc.client.id`,
    /// `oidc.client.secret`, `oidc.client.redirect.uri`, `password.grant.username`,
    /// `password.grant.password`.
    pub fn properties(&self) -> String {
        format!(
            "# A fake Trivore ID (trivoreid::fake); its secrets are for this process only.\n\
             service.address={}\nmgmtapi.id={}\nmgmtapi.secret={}\noidc.client.id={}\n\
             oidc.client.secret={}\noidc.client.redirect.uri={REDIRECT_URI}\n\
             password.grant.username={}\npassword.grant.password={}\n",
            self.uri(),
            self.api_client.0,
            self.api_client.1,
            self.oidc_client.0,
            self.oidc_client.1,
            self.user.0,
            self.user.1
        )
    }

    /// What the fake has "sent" so far.
    pub fn outbox(&self) -> Outbox {
        self.lock().outbox.clone()
    }

    /// Adds a user directly (no request); a password makes it able to sign in. Returns the
    /// stored user with its id.
    pub fn seed_user(&self, user: types::User, password: Option<&str>) -> types::User {
        let mut state = self.lock();
        let id = state.new_id();
        let mut value = match serde_json::to_value(&user) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        value.remove("password");
        value.insert("id".into(), json!(id));
        value.entry("nsCode").or_insert_with(|| json!(NAMESPACE));
        value
            .entry("username")
            .or_insert_with(|| json!(format!("user-{id}")));
        let now = state::now();
        value.insert(
            "meta".into(),
            json!({"created": now, "lastModified": now,
                   "location": format!("{}/api/rest/v1/user/{id}", self.uri())}),
        );
        let value = Value::Object(value);
        state.users.put(&id, value.clone());
        if let Some(p) = password {
            state.passwords.insert(id, p.to_owned());
        }
        serde_json::from_value(value).unwrap_or(user)
    }

    /// Adds `count` users named `user-00000`, `user-00001`, ... in namespace [`NAMESPACE`].
    pub fn seed_users(&self, count: usize) {
        for i in 0..count {
            self.seed_user(
                types::User {
                    username: Some(format!("user-{i:05}")),
                    emails: Some(vec![types::EmailAddress {
                        address: Some(format!("user-{i:05}@example.com")),
                        ..Default::default()
                    }]),
                    ..Default::default()
                },
                None,
            );
        }
    }

    /// Makes every access token the fake has issued expire now.
    pub fn expire_access_tokens(&self) {
        let now = std::time::Instant::now();
        for token in self.lock().access_tokens.values_mut() {
            token.expires_at = now;
        }
    }
}

/// Answers every request of the fake.
struct Handler {
    state: Arc<Mutex<State>>,
    base: String,
    signer: Arc<oidc::Signer>,
}

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.reply(request)))
            .unwrap_or_else(|_| Reply::error(500, "Internal error"));
        let mut template = ResponseTemplate::new(reply.status);
        for (name, value) in reply.headers {
            template = template.insert_header(name, value.as_str());
        }
        match reply.body {
            Body::Empty => template,
            Body::Json(value) => template.set_body_raw(
                serde_json::to_vec(&value).unwrap_or_default(),
                "application/json",
            ),
            Body::Raw(bytes, content_type) => template.set_body_raw(bytes, content_type),
        }
    }
}

impl Handler {
    fn reply(&self, request: &Request) -> Reply {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let path = request.url.path();
        let query: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let method = request.method.as_str();
        if let Some(reply) = oidc::handle(&mut state, &self.signer, &self.base, request) {
            return reply;
        }
        if !path.starts_with("/api/rest/v1/") {
            return Reply::error(404, format!("No such resource: {path}"));
        }
        if let Err(reply) = authenticate(&state, request) {
            return reply;
        }
        api::handle(&mut state, method, path, query, &request.body, &self.base)
    }
}

/// Management API authentication: HTTP Basic with a seeded client, or a Bearer access token the
/// fake issued and that has not expired.
fn authenticate(state: &State, request: &Request) -> Result<(), Reply> {
    let header = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let unauthorized = || {
        Reply::error(401, "Unauthorized")
            .with_header("www-authenticate", "Basic realm=\"Trivore ID\"")
    };
    if let Some(encoded) = header.strip_prefix("Basic ") {
        let decoded = BASE64
            .decode(encoded.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .ok_or_else(unauthorized)?;
        let (id, secret) = decoded.split_once(':').ok_or_else(unauthorized)?;
        return match state.api_clients.get(id) {
            Some(expected) if expected == secret => Ok(()),
            _ => Err(unauthorized()),
        };
    }
    if let Some(token) = header.strip_prefix("Bearer ") {
        return match state.access_tokens.get(token.trim()) {
            Some(t) if t.expires_at > std::time::Instant::now() => Ok(()),
            Some(_) => Err(Reply::error(401, "The access token has expired")),
            None => Err(unauthorized()),
        };
    }
    Err(unauthorized())
}
