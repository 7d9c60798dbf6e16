//! The fake's OpenID Connect provider.

use wiremock::Request;

use super::http::Reply;
use super::state::State;

/// Signs the fake's ID tokens.
pub(crate) struct Signer;

impl Signer {
    /// The signer with the fake's (public) key.
    pub(crate) fn new() -> Self {
        Signer
    }
}

/// Answers an OIDC request (`/.well-known/openid-configuration`, `/openid/...`); `None` for
/// other paths.
pub(crate) fn handle(
    _state: &mut State,
    _signer: &Signer,
    _base: &str,
    _request: &Request,
) -> Option<Reply> {
    None
}
