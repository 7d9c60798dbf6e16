//! A fake OpenID Connect provider on a wiremock server, behaving like Trivore ID: discovery,
//! JWKS, an authorization endpoint that redirects back with a code, and a token endpoint that
//! checks client and user credentials, PKCE and refresh tokens, and signs a fresh ID token for
//! every answer. Tests can rewrite any answer of the token endpoint with [`Provider::on_token`].
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, EmptyAdditionalClaims, IssuerUrl, JsonWebKeyId, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const CLIENT_ID: &str = "client-1";
pub const CLIENT_SECRET: &str = "client-secret-MARKER";
pub const USERNAME: &str = "alice@acme";
pub const PASSWORD: &str = "alice-password-MARKER";
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
/// The `sub` of every ID token.
pub const SUBJECT: &str = "5b9f0e1c-alice";
pub const GROUPS_SCOPE: &str = "https://oneportal.trivore.com/scope/groups.readonly";
pub const SCOPES_SUPPORTED: [&str; 4] = ["openid", "profile", "email", GROUPS_SCOPE];
/// Token lifetime unless a test says otherwise.
pub const EXPIRES_IN: u64 = 3600;

const PROVIDER_KEY: &str = include_str!("../fixtures/oidc-test-key.pem");
const ATTACKER_KEY: &str = include_str!("../fixtures/oidc-other-key.pem");

/// `Basic base64(client-1:client-secret-MARKER)`, as the client must send it.
pub fn basic_credentials() -> String {
    format!(
        "Basic {}",
        BASE64.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    )
}

/// The S256 PKCE challenge of a verifier (base64url without padding of its SHA-256).
pub fn s256(verifier: &str) -> String {
    PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()))
        .as_str()
        .to_owned()
}

/// One request the token endpoint received.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// 1-based number of the call to the token endpoint.
    pub call: usize,
    /// The form body, in order.
    pub form: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The query string of the request URL, if any.
    pub query: Option<String>,
}

impl TokenRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn grant_type(&self) -> &str {
        self.param("grant_type").unwrap_or_default()
    }

    /// The names of the form fields, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.form.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        names
    }
}

/// What the token endpoint answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Tokens(Issue),
    /// Any JSON answer: an OAuth error, or a malformed token response.
    Json {
        status: u16,
        body: Value,
    },
}

impl Reply {
    pub fn oauth_error(status: u16, error: &str, description: &str) -> Self {
        Reply::Json {
            status,
            body: json!({"error": error, "error_description": description}),
        }
    }

    /// The tokens, for hooks that change them (panics on an error reply).
    pub fn tokens(&mut self) -> &mut Issue {
        match self {
            Reply::Tokens(issue) => issue,
            Reply::Json { .. } => panic!("the reply is not a token response"),
        }
    }

    /// The ID token's claims, for hooks that change them.
    pub fn id_claims(&mut self) -> &mut IdClaims {
        match &mut self.tokens().id_token {
            Some(IdToken::Signed(claims)) => claims,
            _ => panic!("the reply has no signed ID token"),
        }
    }
}

/// A successful token response.
#[derive(Debug, Clone)]
pub struct Issue {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: Option<u64>,
    pub scope: Option<String>,
    pub id_token: Option<IdToken>,
}

#[derive(Debug, Clone)]
pub enum IdToken {
    /// Signed when the response is sent.
    Signed(IdClaims),
    /// Sent as is.
    Raw(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    Provider,
    /// Another key under the provider's key id.
    Attacker,
}

#[derive(Debug, Clone)]
pub struct IdClaims {
    pub issuer: String,
    pub audience: String,
    pub subject: String,
    pub expires_at: DateTime<Utc>,
    pub nonce: Option<String>,
    pub signer: Signer,
    /// Change the payload after signing (the signature no longer matches).
    pub tamper: bool,
}

type Hook = Box<dyn Fn(&TokenRequest, &mut Reply) + Send + Sync>;

struct PendingCode {
    nonce: String,
    challenge: String,
    challenge_method: String,
    redirect_uri: String,
    scope: String,
}

struct State {
    issuer: String,
    key: CoreRsaPrivateSigningKey,
    attacker: CoreRsaPrivateSigningKey,
    requests: Mutex<Vec<TokenRequest>>,
    codes: Mutex<HashMap<String, PendingCode>>,
    refresh_tokens: Mutex<HashSet<String>>,
    authorize_calls: Mutex<usize>,
    hook: Mutex<Option<Hook>>,
}

/// The provider: a wiremock server with its endpoints mounted.
pub struct Provider {
    pub server: MockServer,
    state: Arc<State>,
}

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).expect("key")
}

impl Provider {
    /// A provider with discovery, JWKS, authorization and token endpoints (userinfo is left to
    /// each test).
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let provider = Self::on(server, None).await;
        Mock::given(method("GET"))
            .and(path("/.well-known/openid-configuration"))
            .respond_with(ResponseTemplate::new(200).set_body_json(provider.discovery()))
            .mount(&provider.server)
            .await;
        provider
    }

    /// A provider without a discovery document (tests mount their own), with ID tokens issued
    /// by `issuer` (default: the server's URI).
    pub async fn without_discovery(issuer: Option<String>) -> Self {
        Self::on(MockServer::start().await, issuer).await
    }

    async fn on(server: MockServer, issuer: Option<String>) -> Self {
        let state = Arc::new(State {
            issuer: issuer.unwrap_or_else(|| server.uri()),
            key: key(PROVIDER_KEY),
            attacker: key(ATTACKER_KEY),
            requests: Mutex::new(Vec::new()),
            codes: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashSet::new()),
            authorize_calls: Mutex::new(0),
            hook: Mutex::new(None),
        });
        let jwks = CoreJsonWebKeySet::new(vec![state.key.as_verification_key()]);
        Mock::given(method("GET"))
            .and(path("/openid/jwks.json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&jwks))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/openid/token"))
            .respond_with(TokenEndpoint(state.clone()))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/openid/auth"))
            .respond_with(AuthorizationEndpoint(state.clone()))
            .mount(&server)
            .await;
        Provider { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The discovery document Trivore ID publishes.
    pub fn discovery(&self) -> Value {
        let uri = self.uri();
        json!({
            "issuer": uri,
            "authorization_endpoint": format!("{uri}/openid/auth"),
            "token_endpoint": format!("{uri}/openid/token"),
            "userinfo_endpoint": format!("{uri}/openid/userinfo"),
            "jwks_uri": format!("{uri}/openid/jwks.json"),
            "scopes_supported": SCOPES_SUPPORTED,
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })
    }

    /// The SDK config of the test client: OIDC client, password grant and redirect URI.
    pub fn config(&self) -> trivoreid::Config {
        trivoreid::Config::builder()
            .server(self.uri())
            .oidc_client(CLIENT_ID, CLIENT_SECRET)
            .password_grant(USERNAME, PASSWORD)
            .oidc_redirect_uri(REDIRECT_URI)
            .build()
            .expect("config")
    }

    /// Lets a test rewrite the token endpoint's answers (replaces an earlier hook).
    pub fn on_token(&self, hook: impl Fn(&TokenRequest, &mut Reply) + Send + Sync + 'static) {
        *self.state.hook.lock().unwrap() = Some(Box::new(hook));
    }

    /// Every request the token endpoint received, in order.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn token_calls(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// The grant types of the token requests, in order.
    pub fn grants(&self) -> Vec<String> {
        self.token_requests()
            .iter()
            .map(|r| r.grant_type().to_owned())
            .collect()
    }

    /// How many times `grant_type=refresh_token` was asked for.
    pub fn refreshes(&self) -> usize {
        self.grants()
            .iter()
            .filter(|g| *g == "refresh_token")
            .count()
    }

    pub fn authorize_calls(&self) -> usize {
        *self.state.authorize_calls.lock().unwrap()
    }

    /// The user signs in: GET the authorization URL and return where the provider redirects.
    pub async fn sign_in(&self, authorize_url: &url::Url) -> String {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = http.get(authorize_url.clone()).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 302, "the sign-in was refused");
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// The requests the server received at `path`.
    pub async fn requests_to(&self, wanted: &str) -> Vec<Request> {
        self.server
            .received_requests()
            .await
            .expect("recording")
            .into_iter()
            .filter(|r| r.url.path() == wanted)
            .collect()
    }

    /// ID token claims as the provider issues them for this client.
    pub fn claims(&self, nonce: Option<String>) -> IdClaims {
        self.state.claims(nonce)
    }
}

// ---------------------------------------------------------------------------------------------
// The token endpoint
// ---------------------------------------------------------------------------------------------

struct TokenEndpoint(Arc<State>);

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let token_request = {
            let mut requests = state.requests.lock().unwrap();
            let token_request = TokenRequest {
                call: requests.len() + 1,
                form: url::form_urlencoded::parse(&request.body)
                    .into_owned()
                    .collect(),
                authorization: header("authorization"),
                content_type: header("content-type"),
                query: request.url.query().map(str::to_owned),
            };
            requests.push(token_request.clone());
            token_request
        };
        let mut reply = state.answer(&token_request);
        if let Some(hook) = state.hook.lock().unwrap().as_ref() {
            hook(&token_request, &mut reply);
        }
        state.render(reply)
    }
}

impl State {
    fn claims(&self, nonce: Option<String>) -> IdClaims {
        IdClaims {
            issuer: self.issuer.clone(),
            audience: CLIENT_ID.into(),
            subject: SUBJECT.into(),
            expires_at: Utc::now() + chrono::Duration::seconds(600),
            nonce,
            signer: Signer::Provider,
            tamper: false,
        }
    }

    /// What a well-behaved provider answers.
    fn answer(&self, request: &TokenRequest) -> Reply {
        let client_ok = match (&request.authorization, request.param("client_id")) {
            (Some(auth), None) => *auth == basic_credentials(),
            (None, Some(id)) => {
                id == CLIENT_ID && request.param("client_secret") == Some(CLIENT_SECRET)
            }
            _ => false,
        };
        if !client_ok {
            return Reply::oauth_error(401, "invalid_client", "Client authentication failed");
        }
        let n = request.call;
        let issue = |scope: Option<String>, id_token: Option<IdToken>, refresh: bool| {
            let refresh_token = refresh.then(|| format!("refresh-{n}-MARKER"));
            if let Some(token) = &refresh_token {
                self.refresh_tokens.lock().unwrap().insert(token.clone());
            }
            Reply::Tokens(Issue {
                access_token: format!("access-{n}-MARKER"),
                refresh_token,
                expires_in: Some(EXPIRES_IN),
                scope,
                id_token,
            })
        };
        let scope = request.param("scope").map(str::to_owned);
        match request.grant_type() {
            "password" => {
                if request.param("username") != Some(USERNAME)
                    || request.param("password") != Some(PASSWORD)
                {
                    return Reply::oauth_error(400, "invalid_grant", "Bad credentials");
                }
                let id_token = IdToken::Signed(self.claims(None));
                issue(scope, Some(id_token), true)
            }
            "client_credentials" => issue(scope, None, false),
            "refresh_token" => {
                let known = request
                    .param("refresh_token")
                    .is_some_and(|t| self.refresh_tokens.lock().unwrap().contains(t));
                if !known {
                    return Reply::oauth_error(400, "invalid_grant", "Unknown refresh token");
                }
                issue(None, Some(IdToken::Signed(self.claims(None))), true)
            }
            "authorization_code" => {
                let pending = request
                    .param("code")
                    .and_then(|code| self.codes.lock().unwrap().remove(code));
                let Some(pending) = pending else {
                    return Reply::oauth_error(400, "invalid_grant", "Unknown code");
                };
                let pkce_ok = pending.challenge_method == "S256"
                    && request
                        .param("code_verifier")
                        .is_some_and(|v| s256(v) == pending.challenge);
                if !pkce_ok {
                    return Reply::oauth_error(400, "invalid_grant", "PKCE verification failed");
                }
                if request.param("redirect_uri") != Some(pending.redirect_uri.as_str()) {
                    return Reply::oauth_error(400, "invalid_grant", "redirect_uri mismatch");
                }
                let id_token = IdToken::Signed(self.claims(Some(pending.nonce)));
                issue(Some(pending.scope), Some(id_token), true)
            }
            _ => Reply::oauth_error(400, "unsupported_grant_type", "Unsupported grant type"),
        }
    }

    fn render(&self, reply: Reply) -> ResponseTemplate {
        let issue = match reply {
            Reply::Json { status, body } => {
                return ResponseTemplate::new(status).set_body_json(body);
            }
            Reply::Tokens(issue) => issue,
        };
        let mut body = json!({
            "access_token": issue.access_token,
            "token_type": "Bearer",
        });
        if let Some(refresh) = issue.refresh_token {
            body["refresh_token"] = json!(refresh);
        }
        if let Some(expires_in) = issue.expires_in {
            body["expires_in"] = json!(expires_in);
        }
        if let Some(scope) = issue.scope {
            body["scope"] = json!(scope);
        }
        match issue.id_token {
            Some(IdToken::Raw(raw)) => body["id_token"] = json!(raw),
            Some(IdToken::Signed(claims)) => body["id_token"] = json!(self.sign(&claims)),
            None => {}
        }
        ResponseTemplate::new(200)
            .insert_header("cache-control", "no-store")
            .set_body_json(body)
    }

    fn sign(&self, claims: &IdClaims) -> String {
        let core = CoreIdTokenClaims::new(
            IssuerUrl::new(claims.issuer.clone()).expect("issuer URL"),
            vec![Audience::new(claims.audience.clone())],
            claims.expires_at,
            Utc::now(),
            StandardClaims::new(SubjectIdentifier::new(claims.subject.clone())),
            EmptyAdditionalClaims {},
        )
        .set_nonce(claims.nonce.clone().map(Nonce::new));
        let key = match claims.signer {
            Signer::Provider => &self.key,
            Signer::Attacker => &self.attacker,
        };
        let token = CoreIdToken::new(
            core,
            key,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            None,
            None,
        )
        .expect("signing")
        .to_string();
        if !claims.tamper {
            return token;
        }
        // Swap the subject in the payload and keep the signature.
        let parts: Vec<&str> = token.split('.').collect();
        let mut payload: Value =
            serde_json::from_slice(&BASE64URL.decode(parts[1]).unwrap()).unwrap();
        payload["sub"] = json!("someone-else");
        let payload = BASE64URL.encode(serde_json::to_vec(&payload).unwrap());
        format!("{}.{payload}.{}", parts[0], parts[2])
    }
}

// ---------------------------------------------------------------------------------------------
// The authorization endpoint
// ---------------------------------------------------------------------------------------------

struct AuthorizationEndpoint(Arc<State>);

impl Respond for AuthorizationEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        let n = {
            let mut calls = state.authorize_calls.lock().unwrap();
            *calls += 1;
            *calls
        };
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let get = |name: &str| query.get(name).cloned().unwrap_or_default();
        if get("client_id") != CLIENT_ID
            || get("response_type") != "code"
            || get("redirect_uri") != REDIRECT_URI
        {
            return ResponseTemplate::new(400).set_body_string("invalid authorization request");
        }
        let code = format!("code-{n}");
        state.codes.lock().unwrap().insert(
            code.clone(),
            PendingCode {
                nonce: get("nonce"),
                challenge: get("code_challenge"),
                challenge_method: get("code_challenge_method"),
                redirect_uri: get("redirect_uri"),
                scope: get("scope"),
            },
        );
        let mut location = url::Url::parse(&get("redirect_uri")).unwrap();
        location
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &get("state"));
        ResponseTemplate::new(302).insert_header("location", location.as_str())
    }
}
