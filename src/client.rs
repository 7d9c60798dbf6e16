//! [`TrivoreId`]: the one entry point. Config in, an authenticated Management API client out.

use std::fmt;
use std::ops::Deref;
use std::path::Path;
use std::time::Duration;

use crate::auth::Auth;
use crate::config::{Config, ConfigBuilder};
use crate::error::{Error, SdkError};
use crate::generated::Client;
use crate::oidc::{Endpoints, OidcUser, TokenSource};
use crate::secret::Secret;

/// The `User-Agent` of every request: the crate and its version.
pub const USER_AGENT: &str = concat!("trivoreid-rust/", env!("CARGO_PKG_VERSION"));

/// Per-client state the request hooks read (see `transport.rs`).
#[derive(Debug, Clone)]
pub struct Inner {
    pub(crate) auth: Auth,
    pub(crate) retry: crate::retry::RetryPolicy,
    /// The path of the service address without a final `/` (`https://h/idp/` -> `/idp`), which
    /// every request path starts with.
    pub(crate) base_path: String,
}

/// A Trivore ID Management API client.
///
/// It dereferences to the generated [`Client`], so every operation of the spec is a method:
/// bring the extension traits into scope with `use trivoreid::prelude::*;`.
///
/// ```no_run
/// use trivoreid::prelude::*;
/// use trivoreid::{Filter, TrivoreId};
///
/// # async fn run() -> Result<(), trivoreid::Error> {
/// let api = TrivoreId::builder()
///     .server("https://id.example.com")
///     .management_api("client-id", "client-secret")
///     .build()?;
/// let page = api.user_list().filter(Filter::eq("nsCode", "acme")).count(50).send().await?;
/// for user in &page.resources {
///     println!("{:?}", user.username);
/// }
/// # Ok(()) }
/// ```
pub struct TrivoreId {
    client: Client,
    config: Config,
    oidc_user: Option<OidcUser>,
}

impl TrivoreId {
    /// A builder: server, credentials, timeouts, an optional properties file.
    pub fn builder() -> TrivoreIdBuilder {
        TrivoreIdBuilder::default()
    }

    /// A client from a finished [`Config`]. An access token in the config is used as Bearer;
    /// otherwise the Management API credentials as HTTP Basic.
    pub fn new(config: Config) -> Result<Self, Error> {
        let auth = if let Some(token) = config.access_token() {
            Auth::bearer(token)?
        } else if let Some((id, secret)) = config.management_api() {
            Auth::basic(id, secret)
        } else {
            return Err(SdkError::MissingConfig { key: "mgmtapi.id" }.into());
        };
        Self::with_auth(config, auth)
    }

    /// A client that calls the API with OIDC tokens kept fresh by `source` (see
    /// [`OidcClient::token_source`](crate::oidc::OidcClient::token_source)); the signed-in user's
    /// claims are fetched once and kept ([`oidc_user`](Self::oidc_user)).
    pub async fn with_tokens(
        config: Config,
        source: std::sync::Arc<TokenSource>,
    ) -> Result<Self, Error> {
        let mut api = Self::with_auth(config, Auth::Tokens(source))?;
        api.oidc_user = api.fetch_oidc_user().await.ok();
        Ok(api)
    }

    /// A client that calls the API with a static OIDC access token (no refresh); the signed-in
    /// user's claims are fetched once from `<server>/openid/userinfo` and kept, as the reference
    /// SDK does (a failure leaves [`oidc_user`](Self::oidc_user) `None`; call
    /// [`fetch_oidc_user`](Self::fetch_oidc_user) for the error).
    pub async fn with_access_token(
        config: Config,
        token: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let mut api = Self::with_auth(config, Auth::bearer(&token.into())?)?;
        api.oidc_user = api.fetch_oidc_user().await.ok();
        Ok(api)
    }

    /// The signed-in user's claims, as fetched when this client was built from OIDC tokens.
    pub fn oidc_user(&self) -> Option<&OidcUser> {
        self.oidc_user.as_ref()
    }

    /// Fetches the signed-in user's claims from the userinfo endpoint now. Needs a client built
    /// from an access token or tokens.
    pub async fn fetch_oidc_user(&self) -> Result<OidcUser, Error> {
        match &self.client.inner.auth {
            Auth::Tokens(source) => {
                let token = source.access_token().await?;
                source.oidc().userinfo(&token).await
            }
            Auth::Bearer(value) => {
                let url = Endpoints::trivore(self.config.server().as_str())
                    .userinfo
                    .unwrap_or_default();
                crate::oidc::userinfo_with_header(&self.client.client, &url, value.clone()).await
            }
            Auth::Basic(_) => Err(SdkError::InvalidArgument {
                name: "auth",
                reason: "the Management API credentials sign in no user; build the client from OIDC tokens".into(),
            }
            .into()),
        }
    }

    fn with_auth(config: Config, auth: Auth) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(config.connect_timeout())
            .timeout(config.timeout())
            // A redirect is answered as an error with its status: credentials are never carried
            // to wherever a response points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(SdkError::HttpClient)?;
        Ok(Self::with_http_client(config, http, auth))
    }

    fn with_http_client(config: Config, http: reqwest::Client, auth: Auth) -> Self {
        let server = config.server().as_str().trim_end_matches('/').to_owned();
        let base_path = config.server().path().trim_end_matches('/').to_owned();
        let inner = Inner {
            auth,
            retry: config.retry(),
            base_path,
        };
        TrivoreId {
            client: Client::new_with_client(&server, http, inner),
            config,
            oidc_user: None,
        }
    }

    /// A client from the properties file at `$TRIVOREID_PROPERTIES`, or else
    /// `/etc/trivoreid/client_sdk.properties`.
    pub fn from_default_properties() -> Result<Self, Error> {
        Self::new(Config::from_default_properties()?)
    }

    /// A client from a properties file.
    pub fn from_properties_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::new(Config::from_properties_file(path.as_ref())?)
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The generated client (the same as what `*self` dereferences to).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Deref for TrivoreId {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.client
    }
}

impl fmt::Debug for TrivoreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrivoreId")
            .field("server", &self.config.server().as_str())
            .field("auth", &self.client.inner.auth)
            .finish_non_exhaustive()
    }
}

/// Builds a [`TrivoreId`]. Values set here override those of a properties file.
#[derive(Debug, Default, Clone)]
pub struct TrivoreIdBuilder {
    config: ConfigBuilder,
}

impl TrivoreIdBuilder {
    /// The service address, e.g. `https://id.example.com` (a trailing slash or a path prefix is fine).
    pub fn server(mut self, server: impl AsRef<str>) -> Self {
        self.config = self.config.server(server);
        self
    }

    /// Management API client credentials, sent as HTTP Basic.
    pub fn management_api(mut self, id: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.config = self.config.management_api(id, secret);
        self
    }

    /// An OIDC access token, sent as Bearer (it takes precedence over Management API credentials).
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.config = self.config.access_token(token);
        self
    }

    /// Read values not set here from this properties file (it must exist).
    pub fn properties_file(mut self, path: impl AsRef<Path>) -> Self {
        self.config = self.config.properties_file(path.as_ref());
        self
    }

    /// Read values not set here from `$TRIVOREID_PROPERTIES` or the default properties file, if
    /// it exists.
    pub fn default_properties(mut self) -> Self {
        self.config = self.config.default_properties();
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config = self.config.connect_timeout(timeout);
        self
    }

    /// Time allowed for a whole request, from sending to the last byte of the response (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config = self.config.timeout(timeout);
        self
    }

    /// The retry policy (default [`RetryPolicy::default`](crate::RetryPolicy); off:
    /// [`RetryPolicy::none`](crate::RetryPolicy::none)).
    pub fn retry(mut self, policy: crate::RetryPolicy) -> Self {
        self.config = self.config.retry(policy);
        self
    }

    /// Allows credentials over plain `http://` to a host that is not loopback (refused by
    /// default).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config = self.config.allow_insecure_http(allow);
        self
    }

    /// The client.
    pub fn build(self) -> Result<TrivoreId, Error> {
        TrivoreId::new(self.config.build()?)
    }
}
