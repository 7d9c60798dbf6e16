//! Credentials and how they reach a request: Management API id/secret as HTTP Basic, or an OIDC
//! access token as Bearer, static or from a [`TokenSource`] that keeps it fresh (and is asked for
//! a new one once when the server answers 401). Header values are marked sensitive, so reqwest
//! keeps them out of its own Debug output; our Debug prints only the scheme.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{AUTHORIZATION, HeaderValue};

use crate::error::{Error, SdkError};
use crate::oidc::TokenSource;
use crate::secret::Secret;

/// How the client authenticates.
#[derive(Clone)]
pub(crate) enum Auth {
    /// HTTP Basic with Management API client credentials.
    Basic(HeaderValue),
    /// A static OIDC access token.
    Bearer(HeaderValue),
    /// OIDC tokens that refresh themselves.
    Tokens(Arc<TokenSource>),
}

impl Auth {
    /// HTTP Basic from a Management API client id and secret.
    pub(crate) fn basic(id: &str, secret: &Secret) -> Self {
        let encoded = BASE64.encode(format!("{id}:{}", secret.expose()));
        Auth::Basic(sensitive(&format!("Basic {encoded}")).expect("base64 is a valid header value"))
    }

    /// Bearer from an access token. A token with characters that cannot be in a header is an
    /// error that does not show the token.
    pub(crate) fn bearer(token: &Secret) -> Result<Self, SdkError> {
        bearer_value(token).map(Auth::Bearer)
    }

    /// Sets the `Authorization` header of a request (refreshing tokens that are about to expire).
    pub(crate) async fn apply(&self, request: &mut reqwest::Request) -> Result<(), Error> {
        let value = match self {
            Auth::Basic(v) | Auth::Bearer(v) => v.clone(),
            Auth::Tokens(source) => bearer_value(&source.access_token().await?)?,
        };
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }

    /// For refreshing tokens: what is needed to send `request` again after a 401.
    pub(crate) fn retry_after_unauthorized(&self, request: &reqwest::Request) -> Option<Retry> {
        let Auth::Tokens(source) = self else {
            return None;
        };
        let used = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
        Some(Retry {
            source: source.clone(),
            rejected: used.strip_prefix("Bearer ")?.to_owned(),
            request: request.try_clone()?,
        })
    }
}

/// A request to send once more with a fresh token.
pub(crate) struct Retry {
    source: Arc<TokenSource>,
    rejected: String,
    request: reqwest::Request,
}

impl Retry {
    /// The request with a new token, unless no new token can be had.
    pub(crate) async fn prepare(mut self) -> Option<reqwest::Request> {
        let fresh = self
            .source
            .refresh_after_rejection(&self.rejected)
            .await
            .ok()?;
        if fresh.expose() == self.rejected {
            return None;
        }
        let value = bearer_value(&fresh).ok()?;
        self.request.headers_mut().insert(AUTHORIZATION, value);
        Some(self.request)
    }
}

/// `Bearer <token>` as a sensitive header value; a token that cannot be a header is an error that
/// does not show it.
pub(crate) fn bearer_value(token: &Secret) -> Result<HeaderValue, SdkError> {
    sensitive(&format!("Bearer {}", token.expose())).ok_or_else(|| SdkError::InvalidConfig {
        key: "access_token",
        reason: "the token contains characters not allowed in an HTTP header".into(),
    })
}

fn sensitive(text: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic(_) => f.write_str("Basic([redacted])"),
            Auth::Bearer(_) => f.write_str("Bearer([redacted])"),
            Auth::Tokens(source) => f.debug_tuple("Tokens").field(source).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_is_rfc7617_and_sensitive() {
        let auth = Auth::basic("client", &Secret::new("s3cr3t=="));
        let Auth::Basic(value) = &auth else {
            panic!("basic")
        };
        assert_eq!(value.to_str().unwrap(), "Basic Y2xpZW50OnMzY3IzdD09");
        assert!(value.is_sensitive());
        assert_eq!(format!("{auth:?}"), "Basic([redacted])");
    }

    #[test]
    fn bearer_rejects_header_breaking_tokens_without_echoing_them() {
        let err = Auth::bearer(&Secret::new("tok\nen-MARKER")).unwrap_err();
        assert!(!err.to_string().contains("MARKER"));
        let ok = Auth::bearer(&Secret::new("abc.def")).unwrap();
        assert_eq!(format!("{ok:?}"), "Bearer([redacted])");
    }
}
