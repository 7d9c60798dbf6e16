//! OpenID Connect: discovery, the password, client credentials, authorization code (PKCE) and
//! refresh grants, ID token verification, tokens that refresh themselves, and the signed-in
//! user's claims ([`OidcUser`]).
//!
//! ```no_run
//! use trivoreid::oidc::OidcClient;
//! use trivoreid::{Config, TrivoreId};
//!
//! # async fn run() -> Result<(), trivoreid::Error> {
//! // oidc.client.id, oidc.client.secret, password.grant.username/password, service.address
//! let config = Config::from_default_properties()?;
//! let oidc = OidcClient::discover(&config).await?;
//! let tokens = oidc.password_grant(None).await?;
//! let api = TrivoreId::with_tokens(config, oidc.token_source(tokens)).await?;
//! println!("signed in as {:?}", api.oidc_user().and_then(|u| u.preferred_username.clone()));
//! # Ok(()) }
//! ```

mod http;
mod tokens;
mod user;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreIdTokenClaims,
    CoreJsonWebKeySet, CoreTokenResponse,
};
use openidconnect::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    JsonWebKeySetUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, ResourceOwnerPassword, ResourceOwnerUsername,
    Scope, StandardErrorResponse, TokenUrl,
};
use reqwest::StatusCode;
use serde::Deserialize;

pub(crate) use self::http::OidcHttp;
pub use self::tokens::{DEFAULT_LEEWAY, TokenSource, Tokens};
pub use self::user::{OidcAddress, OidcUser};
use crate::config::Config;
use crate::error::{ApiError, ApiErrorKind, Error, SdkError};
use crate::secret::Secret;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// HTTP Basic with the client id and secret (`client_secret_basic`, the default).
    #[default]
    Basic,
    /// The client id and secret in the form body (`client_secret_post`).
    Post,
}

/// The provider's endpoints: from discovery, or set by hand.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// The issuer, exactly as in the provider's ID tokens.
    pub issuer: String,
    /// The authorization endpoint (needed for the authorization code flow).
    pub authorization: Option<String>,
    /// The token endpoint.
    pub token: String,
    /// The userinfo endpoint.
    pub userinfo: Option<String>,
    /// The JWKS endpoint (needed to verify ID tokens).
    pub jwks: Option<String>,
    /// The scopes the provider supports.
    pub scopes_supported: Vec<String>,
}

impl Endpoints {
    /// Trivore ID's endpoints under a server address: `/openid/auth`, `/openid/token`,
    /// `/openid/userinfo`, `/openid/jwks.json`; the issuer is the address without a trailing slash.
    pub fn trivore(server: &str) -> Self {
        let base = server.trim_end_matches('/');
        Endpoints {
            issuer: base.to_owned(),
            authorization: Some(format!("{base}/openid/auth")),
            token: format!("{base}/openid/token"),
            userinfo: Some(format!("{base}/openid/userinfo")),
            jwks: Some(format!("{base}/openid/jwks.json")),
            scopes_supported: vec!["openid".into()],
        }
    }
}

/// The part of the discovery document we read.
#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    jwks_uri: Option<String>,
    #[serde(default)]
    scopes_supported: Vec<String>,
}

/// How a [`TokenSource`] gets new tokens when there is no (valid) refresh token.
#[derive(Clone)]
pub(crate) enum Grant {
    /// Nothing but the refresh token.
    None,
    /// The password grant again.
    Password {
        username: String,
        password: Secret,
        scopes: Option<Vec<String>>,
    },
    /// The client credentials grant again.
    ClientCredentials { scopes: Vec<String> },
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::None => f.write_str("None"),
            Grant::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .finish_non_exhaustive(),
            Grant::ClientCredentials { scopes } => f
                .debug_struct("ClientCredentials")
                .field("scopes", scopes)
                .finish(),
        }
    }
}

/// A pending authorization code sign-in: send the user to [`url`](Self::url), then pass the URL
/// they come back to to [`OidcClient::exchange_redirect`]. Keep it secret: it holds the PKCE
/// verifier (Debug does not show it).
pub struct AuthorizationRequest {
    url: url::Url,
    state: CsrfToken,
    nonce: Nonce,
    pkce_verifier: PkceCodeVerifier,
}

impl AuthorizationRequest {
    /// Where to send the user.
    pub fn url(&self) -> &url::Url {
        &self.url
    }

    /// The `state` sent along, which the redirect must carry back.
    pub fn state(&self) -> &str {
        self.state.secret()
    }
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// An OpenID Connect client of Trivore ID.
#[derive(Clone)]
pub struct OidcClient {
    http: reqwest::Client,
    client_id: String,
    client_secret: Option<Secret>,
    redirect_uri: Option<String>,
    password_grant: Option<(String, Secret)>,
    client_auth: ClientAuth,
    endpoints: Endpoints,
    jwks: CoreJsonWebKeySet,
}

impl fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("client_auth", &self.client_auth)
            .field("endpoints", &self.endpoints)
            .finish_non_exhaustive()
    }
}

/// The HTTP client for OIDC: no redirects, the crate's User-Agent and the config's timeouts.
fn http_client(config: &Config) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(crate::client::USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(config.connect_timeout())
        .timeout(config.timeout())
        .build()
        .map_err(|e| SdkError::HttpClient(e).into())
}

fn invalid_url(key: &'static str, e: impl fmt::Display) -> Error {
    SdkError::InvalidConfig {
        key,
        reason: format!("not a valid URL: {e}"),
    }
    .into()
}

impl OidcClient {
    /// A client configured from `oidc.client.id`, `oidc.client.secret`,
    /// `oidc.client.redirect.uri`, `password.grant.username`/`password` and `service.address`,
    /// with endpoints found by discovery at `<server>/.well-known/openid-configuration`.
    pub async fn discover(config: &Config) -> Result<Self, Error> {
        let http = http_client(config)?;
        let server = config.server().as_str().trim_end_matches('/').to_owned();
        let url = format!("{server}/.well-known/openid-configuration");
        let doc: Discovery = get_json(&http, &url, None, "oidc_discovery").await?;
        if doc.issuer.trim_end_matches('/') != server {
            return Err(ApiError::new(ApiErrorKind::Protocol)
                .with_operation("oidc_discovery")
                .with_message(format!(
                    "the discovery document names issuer {} but the server is {server}",
                    doc.issuer
                ))
                .into());
        }
        let missing = |what: &str| {
            Error::from(
                ApiError::new(ApiErrorKind::Protocol)
                    .with_operation("oidc_discovery")
                    .with_message(format!("the discovery document has no {what}")),
            )
        };
        let endpoints = Endpoints {
            token: doc
                .token_endpoint
                .ok_or_else(|| missing("token_endpoint"))?,
            issuer: doc.issuer,
            authorization: doc.authorization_endpoint,
            userinfo: doc.userinfo_endpoint,
            jwks: doc.jwks_uri,
            scopes_supported: doc.scopes_supported,
        };
        Self::build(config, http, endpoints).await
    }

    /// A client with endpoints set by hand (see [`Endpoints::trivore`]). The JWKS is fetched when
    /// `endpoints.jwks` is set.
    pub async fn with_endpoints(config: &Config, endpoints: Endpoints) -> Result<Self, Error> {
        let http = http_client(config)?;
        Self::build(config, http, endpoints).await
    }

    async fn build(
        config: &Config,
        http: reqwest::Client,
        endpoints: Endpoints,
    ) -> Result<Self, Error> {
        let client_id = config
            .oidc_client_id()
            .ok_or(SdkError::MissingConfig {
                key: "oidc.client.id",
            })?
            .to_owned();
        IssuerUrl::new(endpoints.issuer.clone()).map_err(|e| invalid_url("issuer", e))?;
        let token =
            TokenUrl::new(endpoints.token.clone()).map_err(|e| invalid_url("token_endpoint", e))?;
        if token.url().scheme() == "http"
            && !crate::config::is_loopback(token.url())
            && !config.allow_insecure_http()
        {
            return Err(SdkError::InvalidConfig {
                key: "token_endpoint",
                reason:
                    "client credentials and passwords would travel unencrypted over http:// to a \
                         host that is not loopback; use https://, or allow_insecure_http(true)"
                        .into(),
            }
            .into());
        }
        let jwks = match &endpoints.jwks {
            Some(url) => {
                JsonWebKeySetUrl::new(url.clone()).map_err(|e| invalid_url("jwks_uri", e))?;
                get_json(&http, url, None, "oidc_jwks").await?
            }
            None => CoreJsonWebKeySet::new(Vec::new()),
        };
        Ok(OidcClient {
            http,
            client_id,
            client_secret: config.oidc_client_secret().cloned(),
            redirect_uri: config.oidc_redirect_uri().map(|u| u.to_string()),
            password_grant: config
                .password_grant()
                .map(|(user, password)| (user.to_owned(), password.clone())),
            client_auth: ClientAuth::Basic,
            endpoints,
            jwks,
        })
    }

    /// How the client authenticates at the token endpoint (default HTTP Basic).
    pub fn with_client_auth(mut self, client_auth: ClientAuth) -> Self {
        self.client_auth = client_auth;
        self
    }

    /// The endpoints in use.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    fn core(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointSet,
        >,
        Error,
    > {
        let issuer =
            IssuerUrl::new(self.endpoints.issuer.clone()).map_err(|e| invalid_url("issuer", e))?;
        let token = TokenUrl::new(self.endpoints.token.clone())
            .map_err(|e| invalid_url("token_endpoint", e))?;
        let mut client = CoreClient::new(
            ClientId::new(self.client_id.clone()),
            issuer,
            self.jwks.clone(),
        )
        .set_token_uri(token)
        .set_auth_type(match self.client_auth {
            ClientAuth::Basic => AuthType::BasicAuth,
            ClientAuth::Post => AuthType::RequestBody,
        });
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        Ok(client)
    }

    /// The scopes to ask for: the given ones, or all the provider supports; `openid` always.
    fn scopes(&self, given: Option<&[&str]>) -> Vec<String> {
        let mut scopes: Vec<String> = match given {
            Some(given) => given.iter().map(|s| (*s).to_owned()).collect(),
            None => self.endpoints.scopes_supported.clone(),
        };
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        scopes
    }

    /// The password grant with `password.grant.username`/`password` from the config. The
    /// credentials go in the form body, never in a URL. `scopes`: `None` asks for every scope the
    /// provider supports (as the reference SDK does); `openid` is always included.
    pub async fn password_grant(&self, scopes: Option<&[&str]>) -> Result<Tokens, Error> {
        let (username, password) = self.password_grant.clone().ok_or(SdkError::MissingConfig {
            key: "password.grant.username",
        })?;
        self.password_grant_with(&username, &password, scopes).await
    }

    /// The password grant with the given credentials.
    pub async fn password_grant_with(
        &self,
        username: &str,
        password: &Secret,
        scopes: Option<&[&str]>,
    ) -> Result<Tokens, Error> {
        let scopes = self.scopes(scopes);
        self.password(username, password, &scopes).await
    }

    async fn password(
        &self,
        username: &str,
        password: &Secret,
        scopes: &[String],
    ) -> Result<Tokens, Error> {
        let client = self.core()?;
        let username = ResourceOwnerUsername::new(username.to_owned());
        let password = ResourceOwnerPassword::new(password.expose().to_owned());
        let http = OidcHttp::new(&self.http);
        let response = client
            .exchange_password(&username, &password)
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .request_async(&http)
            .await;
        self.tokens("oidc_token_password", &http, response, None, None)
    }

    /// The client credentials grant (no user): for a service acting as itself.
    pub async fn client_credentials(&self, scopes: &[&str]) -> Result<Tokens, Error> {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        self.client_credentials_owned(&scopes).await
    }

    async fn client_credentials_owned(&self, scopes: &[String]) -> Result<Tokens, Error> {
        let client = self.core()?;
        let http = OidcHttp::new(&self.http);
        let response = client
            .exchange_client_credentials()
            .add_scopes(scopes.iter().cloned().map(Scope::new))
            .request_async(&http)
            .await;
        self.tokens("oidc_token_client_credentials", &http, response, None, None)
    }

    /// Starts an authorization code sign-in with PKCE (S256), `state` and `nonce`. Needs the
    /// authorization endpoint and `oidc.client.redirect.uri`.
    pub fn authorize_url(&self, scopes: Option<&[&str]>) -> Result<AuthorizationRequest, Error> {
        let auth = self
            .endpoints
            .authorization
            .clone()
            .ok_or(SdkError::MissingConfig {
                key: "authorization_endpoint",
            })?;
        let redirect = self.redirect_uri.clone().ok_or(SdkError::MissingConfig {
            key: "oidc.client.redirect.uri",
        })?;
        let client = self
            .core()?
            .set_auth_uri(AuthUrl::new(auth).map_err(|e| invalid_url("authorization_endpoint", e))?)
            .set_redirect_uri(
                RedirectUrl::new(redirect)
                    .map_err(|e| invalid_url("oidc.client.redirect.uri", e))?,
            );
        let (challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in self.scopes(scopes) {
            if scope != "openid" {
                request = request.add_scope(Scope::new(scope));
            }
        }
        let (url, state, nonce) = request.url();
        Ok(AuthorizationRequest {
            url,
            state,
            nonce,
            pkce_verifier,
        })
    }

    /// Finishes an authorization code sign-in from the full URL the user was redirected to:
    /// checks `state`, exchanges the code with the PKCE verifier, verifies the ID token's nonce.
    pub async fn exchange_redirect(
        &self,
        request: AuthorizationRequest,
        redirect_url: &str,
    ) -> Result<Tokens, Error> {
        let url = url::Url::parse(redirect_url).map_err(|e| SdkError::InvalidArgument {
            name: "redirect_url",
            reason: format!("not a URL: {e}"),
        })?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let state_ok = param("state")
            .is_some_and(|s| constant_time_eq(s.as_bytes(), request.state.secret().as_bytes()));
        if !state_ok {
            return Err(SdkError::InvalidArgument {
                name: "redirect_url",
                reason: "the `state` does not match the sign-in that was started (possible CSRF)"
                    .into(),
            }
            .into());
        }
        if let Some(error) = param("error") {
            let mut e = ApiError::new(ApiErrorKind::Status)
                .with_operation("oidc_authorize")
                .with_oauth_error(error);
            if let Some(description) = param("error_description") {
                e = e.with_message(description);
            }
            return Err(e.into());
        }
        let code = param("code").ok_or_else(|| SdkError::InvalidArgument {
            name: "redirect_url",
            reason: "the redirect carries no `code`".into(),
        })?;
        let redirect = self.redirect_uri.clone().ok_or(SdkError::MissingConfig {
            key: "oidc.client.redirect.uri",
        })?;
        let client = self.core()?.set_redirect_uri(
            RedirectUrl::new(redirect).map_err(|e| invalid_url("oidc.client.redirect.uri", e))?,
        );
        let http = OidcHttp::new(&self.http);
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(request.pkce_verifier)
            .request_async(&http)
            .await;
        self.tokens(
            "oidc_token_authorization_code",
            &http,
            response,
            Some(&request.nonce),
            None,
        )
    }

    /// New tokens from a refresh token. A refresh response without a new refresh token keeps
    /// the old one.
    pub async fn refresh(&self, tokens: &Tokens) -> Result<Tokens, Error> {
        let refresh = tokens.refresh_token().ok_or(SdkError::InvalidArgument {
            name: "tokens",
            reason: "there is no refresh token".into(),
        })?;
        let client = self.core()?;
        let refresh_token = RefreshToken::new(refresh.expose().to_owned());
        let http = OidcHttp::new(&self.http);
        let response = client
            .exchange_refresh_token(&refresh_token)
            .request_async(&http)
            .await;
        self.tokens("oidc_token_refresh", &http, response, None, Some(tokens))
    }

    /// New tokens by repeating `grant`; a password grant without scopes of its own asks for
    /// `current_scopes` (the scopes granted before), or else every supported scope.
    pub(crate) async fn grant(
        &self,
        grant: &Grant,
        current_scopes: &[String],
    ) -> Result<Tokens, Error> {
        match grant {
            Grant::None => Err(SdkError::InvalidArgument {
                name: "tokens",
                reason: "no grant to renew the tokens with".into(),
            }
            .into()),
            Grant::Password {
                username,
                password,
                scopes,
            } => {
                let scopes = scopes.clone().unwrap_or_else(|| {
                    if current_scopes.is_empty() {
                        self.scopes(None)
                    } else {
                        current_scopes.to_vec()
                    }
                });
                self.password(username, password, &scopes).await
            }
            Grant::ClientCredentials { scopes } => self.client_credentials_owned(scopes).await,
        }
    }

    /// A [`TokenSource`] that keeps `tokens` fresh: with their refresh token, or when there is
    /// none, by repeating the password grant when the config has its credentials.
    pub fn token_source(&self, tokens: Tokens) -> Arc<TokenSource> {
        let grant = match &self.password_grant {
            Some((username, password)) => Grant::Password {
                username: username.clone(),
                password: password.clone(),
                scopes: None,
            },
            None => Grant::None,
        };
        TokenSource::new(self.clone(), grant, tokens)
    }

    /// A [`TokenSource`] with a refresh leeway other than [`DEFAULT_LEEWAY`].
    pub fn token_source_with_leeway(&self, tokens: Tokens, leeway: Duration) -> Arc<TokenSource> {
        self.token_source(tokens).with_leeway(leeway)
    }

    /// A [`TokenSource`] that renews with the client credentials grant.
    pub async fn client_credentials_source(
        &self,
        scopes: &[&str],
    ) -> Result<Arc<TokenSource>, Error> {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        let tokens = self.client_credentials_owned(&scopes).await?;
        Ok(TokenSource::new(
            self.clone(),
            Grant::ClientCredentials { scopes },
            tokens,
        ))
    }

    /// The signed-in user's claims from the userinfo endpoint.
    pub async fn userinfo(&self, access_token: &Secret) -> Result<OidcUser, Error> {
        let url = self
            .endpoints
            .userinfo
            .clone()
            .ok_or(SdkError::MissingConfig {
                key: "userinfo_endpoint",
            })?;
        let header = crate::auth::bearer_value(access_token)?;
        userinfo_with_header(&self.http, &url, header).await
    }

    /// Token response -> [`Tokens`], verifying the ID token.
    fn tokens(
        &self,
        operation: &'static str,
        http: &OidcHttp,
        response: Result<CoreTokenResponse, TokenError>,
        nonce: Option<&Nonce>,
        previous: Option<&Tokens>,
    ) -> Result<Tokens, Error> {
        let response = response.map_err(|e| token_error(operation, http.last_status(), e))?;
        let (id_token, id_claims) = match response.extra_fields().id_token() {
            Some(id_token) => {
                let core = self.core()?;
                let verifier = core.id_token_verifier();
                let claims: Result<CoreIdTokenClaims, _> = match nonce {
                    Some(nonce) => id_token.clone().into_claims(&verifier, nonce),
                    None => id_token
                        .clone()
                        .into_claims(&verifier, |_: Option<&Nonce>| Ok(())),
                };
                let claims = claims.map_err(|e| {
                    Error::from(
                        ApiError::new(ApiErrorKind::Protocol)
                            .with_operation(operation)
                            .with_message(format!("the ID token failed verification: {e}")),
                    )
                })?;
                if let Some(before) = previous.and_then(|p| p.id_claims.as_ref())
                    && (before.subject() != claims.subject() || before.issuer() != claims.issuer())
                {
                    return Err(ApiError::new(ApiErrorKind::Protocol)
                        .with_operation(operation)
                        .with_message(
                            "the refreshed ID token names another subject or issuer than the sign-in",
                        )
                        .into());
                }
                (Some(Secret::new(id_token.to_string())), Some(claims))
            }
            None => (None, previous.and_then(|p| p.id_claims.clone())),
        };
        Ok(Tokens {
            access_token: Secret::new(response.access_token().secret().to_owned()),
            refresh_token: response
                .refresh_token()
                .map(|t| Secret::new(t.secret().to_owned()))
                .or_else(|| previous.and_then(|p| p.refresh_token.clone())),
            id_token,
            id_claims,
            expires_at: response.expires_in().map(|d| Instant::now() + d),
            scopes: response
                .scopes()
                .map(|s| s.iter().map(|s| s.to_string()).collect())
                .or_else(|| previous.map(|p| p.scopes.clone()))
                .unwrap_or_default(),
        })
    }
}

type TokenError = RequestTokenError<
    openidconnect::HttpClientError<reqwest::Error>,
    StandardErrorResponse<CoreErrorResponseType>,
>;

/// An OAuth token endpoint failure as an [`Error`]: the status, `error` and `error_description`.
fn token_error(operation: &'static str, status: Option<StatusCode>, e: TokenError) -> Error {
    let mut error = match e {
        RequestTokenError::ServerResponse(response) => {
            let mut error = ApiError::new(ApiErrorKind::Status)
                .with_oauth_error(response.error().as_ref().to_owned());
            if let Some(description) = response.error_description() {
                error = error.with_message(description.clone());
            }
            error
        }
        // The body is left out: a token response carries tokens, and errors get logged.
        RequestTokenError::Parse(source, _body) => ApiError::new(ApiErrorKind::Decode)
            .with_message(format!(
                "cannot decode the token response at `{}` (body withheld: it may hold tokens)",
                source.path()
            )),
        RequestTokenError::Request(openidconnect::HttpClientError::Reqwest(e)) => {
            return ApiError::from_reqwest(*e).with_operation(operation).into();
        }
        RequestTokenError::Request(other) => {
            ApiError::new(ApiErrorKind::Transport).with_message(other.to_string())
        }
        RequestTokenError::Other(message) => {
            ApiError::new(ApiErrorKind::Protocol).with_message(message)
        }
    }
    .with_operation(operation);
    if let Some(status) = status {
        error = error.with_status(status);
    }
    error.into()
}

/// The OAuth error fields of a failed OIDC call.
#[derive(Deserialize)]
struct OauthErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

/// The userinfo claims, with an `Authorization` header already made.
pub(crate) async fn userinfo_with_header(
    http: &reqwest::Client,
    url: &str,
    authorization: reqwest::header::HeaderValue,
) -> Result<OidcUser, Error> {
    get_json(http, url, Some(authorization), "oidc_userinfo").await
}

/// GET a JSON document (with an `Authorization` header when given).
async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    authorization: Option<reqwest::header::HeaderValue>,
    operation: &'static str,
) -> Result<T, Error> {
    let mut request = http
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json");
    if let Some(value) = authorization {
        request = request.header(reqwest::header::AUTHORIZATION, value);
    }
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::from_reqwest(e).with_operation(operation))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| {
        ApiError::from_reqwest(e)
            .with_operation(operation)
            .with_status(status)
    })?;
    if !status.is_success() {
        let mut error = ApiError::new(ApiErrorKind::Status)
            .with_operation(operation)
            .with_status(status)
            .with_body(body.clone());
        let object = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .filter(serde_json::Value::is_object);
        if let Some(oauth) = object.and_then(|v| serde_json::from_value::<OauthErrorBody>(v).ok()) {
            if let Some(code) = oauth.error {
                error = error.with_oauth_error(code);
            }
            if let Some(description) = oauth.error_description {
                error = error.with_message(description);
            }
        }
        return Err(error.into());
    }
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(ApiErrorKind::Decode)
            .with_operation(operation)
            .with_status(status)
            .with_message(format!("cannot decode the response: {e}"))
            .with_body(body)
            .with_source(e)
            .into()
    })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
