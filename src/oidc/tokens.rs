//! [`Tokens`] with their expiry, and [`TokenSource`]: tokens that refresh themselves.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use super::{Grant, OidcClient};
use crate::error::{Error, SdkError};
use crate::secret::Secret;

/// How long before expiry a [`TokenSource`] refreshes by default.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// The tokens of one sign-in. Debug shows none of them.
#[derive(Clone)]
pub struct Tokens {
    pub(crate) access_token: Secret,
    pub(crate) refresh_token: Option<Secret>,
    pub(crate) id_token: Option<Secret>,
    pub(crate) id_claims: Option<openidconnect::core::CoreIdTokenClaims>,
    pub(crate) expires_at: Option<Instant>,
    pub(crate) scopes: Vec<String>,
}

impl Tokens {
    /// A bare access token (no expiry known, no refresh).
    pub fn from_access_token(token: impl Into<Secret>) -> Self {
        Tokens {
            access_token: token.into(),
            refresh_token: None,
            id_token: None,
            id_claims: None,
            expires_at: None,
            scopes: Vec::new(),
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// The refresh token, if the provider gave one.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// The raw ID token, if the provider gave one. It was verified (signature, issuer, audience,
    /// expiry and, for the authorization code flow, nonce) before these tokens were returned.
    pub fn id_token(&self) -> Option<&Secret> {
        self.id_token.as_ref()
    }

    /// The verified claims of the ID token.
    pub fn id_token_claims(&self) -> Option<&openidconnect::core::CoreIdTokenClaims> {
        self.id_claims.as_ref()
    }

    /// The scopes granted, when the provider said.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// When the access token expires, if the provider said.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// Time left until the access token expires (zero once expired), if known.
    pub fn expires_in(&self) -> Option<Duration> {
        self.expires_at
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// True when the access token expires within `leeway` (false when the expiry is unknown).
    pub fn expires_within(&self, leeway: Duration) -> bool {
        self.expires_in().is_some_and(|left| left <= leeway)
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &self.access_token)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("id_token", &self.id_token.as_ref().map(|_| "[redacted]"))
            .field(
                "subject",
                &self.id_claims.as_ref().map(|c| c.subject().as_str()),
            )
            .field("expires_in", &self.expires_in())
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Tokens that stay fresh: the access token is refreshed `leeway` before it expires (with the
/// refresh token, or by repeating the grant that got it when there is none), once however many
/// requests need it at the same time.
///
/// A [`TrivoreId`](crate::TrivoreId) built from a token source also retries a request once after
/// a 401, with a forced refresh.
pub struct TokenSource {
    oidc: OidcClient,
    grant: Grant,
    leeway: Duration,
    tokens: Mutex<Tokens>,
    refreshes: std::sync::atomic::AtomicU64,
}

impl TokenSource {
    pub(crate) fn new(oidc: OidcClient, grant: Grant, tokens: Tokens) -> Arc<Self> {
        Arc::new(TokenSource {
            oidc,
            grant,
            leeway: DEFAULT_LEEWAY,
            tokens: Mutex::new(tokens),
            refreshes: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub(crate) fn with_leeway(self: Arc<Self>, leeway: Duration) -> Arc<Self> {
        match Arc::try_unwrap(self) {
            Ok(mut source) => {
                source.leeway = leeway;
                Arc::new(source)
            }
            Err(shared) => shared,
        }
    }

    /// The OIDC client that renews the tokens.
    pub fn oidc(&self) -> &OidcClient {
        &self.oidc
    }

    /// How long before expiry the token is refreshed.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// How many times the tokens were refreshed.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The current tokens (a copy).
    pub async fn tokens(&self) -> Tokens {
        self.tokens.lock().await.clone()
    }

    /// A valid access token: the current one, or a fresh one when it expires within the leeway.
    pub async fn access_token(&self) -> Result<Secret, Error> {
        let mut tokens = self.tokens.lock().await;
        if tokens.expires_within(self.leeway) {
            // Boxed: the renewal (an HTTP exchange) is rare, and would make every request's
            // future as large as itself.
            *tokens = Box::pin(self.renew(&tokens)).await?;
        }
        Ok(tokens.access_token.clone())
    }

    /// Refreshes after the server rejected `rejected`, unless another request already did.
    pub async fn refresh_after_rejection(&self, rejected: &str) -> Result<Secret, Error> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access_token.expose() == rejected {
            *tokens = Box::pin(self.renew(&tokens)).await?;
        }
        Ok(tokens.access_token.clone())
    }

    /// Refreshes now.
    pub async fn refresh(&self) -> Result<Tokens, Error> {
        let mut tokens = self.tokens.lock().await;
        *tokens = self.renew(&tokens).await?;
        Ok(tokens.clone())
    }

    async fn renew(&self, current: &Tokens) -> Result<Tokens, Error> {
        let renewed = match (&current.refresh_token, &self.grant) {
            (Some(_), Grant::None) => self.oidc.refresh(current).await,
            (Some(_), grant) => match self.oidc.refresh(current).await {
                Ok(tokens) => Ok(tokens),
                // The refresh token expired or was revoked: sign in again.
                Err(e)
                    if e.status()
                        .is_some_and(|s| s.as_u16() == 400 || s.as_u16() == 401) =>
                {
                    self.oidc.grant(grant, &current.scopes).await
                }
                Err(e) => Err(e),
            },
            (None, Grant::None) => Err(SdkError::InvalidArgument {
                name: "tokens",
                reason:
                    "the access token expired and there is no refresh token or grant to renew it"
                        .into(),
            }
            .into()),
            (None, grant) => self.oidc.grant(grant, &current.scopes).await,
        }?;
        self.refreshes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(renewed)
    }
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("grant", &self.grant)
            .field("leeway", &self.leeway)
            .field("refreshes", &self.refresh_count())
            .finish_non_exhaustive()
    }
}
