//! The fake's OpenID Connect provider, at Trivore ID's paths:
//!
//! - `GET /.well-known/openid-configuration`: the discovery document (the issuer is the fake's
//!   base URL, without a trailing slash).
//! - `GET /openid/jwks.json`: the public key of the ID tokens (RS256, key id `fake-1`).
//! - `GET|POST /openid/auth`: the authorization endpoint. It is **non-interactive**: nobody
//!   types a password. It checks the client, the redirect URI (registered, exact match), the
//!   response type (`code`), the scopes (`openid` required) and PKCE (`S256` only; a request
//!   without PKCE is accepted, as every client of the fake is confidential), then "signs in" the
//!   user named by the `login_hint` parameter (a username, or `username@nsCode`) or, without
//!   one, the seeded user ([`USERNAME`](super::USERNAME) in [`NAMESPACE`](super::NAMESPACE), or
//!   else the first user), and redirects (302) to `{redirect_uri}?code=...&state=...`. An
//!   unknown client or redirect URI is a 400 page (never a redirect); any other error is a
//!   redirect with `error`, `error_description` and `state`.
//! - `POST /openid/token`: the token endpoint, with the `password`, `client_credentials`,
//!   `authorization_code` and `refresh_token` grants. The parameters are read from the form body
//!   and, as the reference Python SDK sends them there, from the URL query string (the body wins
//!   when both have one). The client authenticates with HTTP Basic (`client_secret_basic`) or
//!   `client_id` + `client_secret` in the form (`client_secret_post`).
//! - `GET|POST /openid/userinfo`: the signed-in user's claims, with Trivore's own
//!   (`https://oneportal.trivore.com/claims/...`).
//! - `GET|POST /openid/logout`: RP-initiated sign-out. The fake keeps no browser sessions, so it
//!   only redirects to a registered `post_logout_redirect_uri` (with `state`), or shows a page.
//!
//! Scopes: those of [`SCOPES_SUPPORTED`]; others asked for are left out of the grant (the
//! token response's `scope` says what was granted). Claims follow the scopes as OpenID Connect
//! says (`profile`: names, username, locale, ...; `email`; `phone`; `address`), Trivore's
//! groups claim needs the `groups.readonly` scope and the consents claim `consent.readonly`; the
//! namespace claim is always there.
//!
//! Lifetimes: access tokens live `token_lifetime` (the fake's setting), refresh tokens 30 days
//! (rotated at each use), authorization codes 60 seconds (single use), ID tokens as long as the
//! access token but at least 5 minutes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::Method;
use openidconnect::core::{
    CoreIdToken, CoreIdTokenClaims, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AccessToken, Audience, ClientId, EmptyAdditionalClaims, EndUserEmail, EndUserFamilyName,
    EndUserGivenName, EndUserName, EndUserUsername, IssuerUrl, JsonWebKeyId, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PrivateSigningKey as _, StandardClaims, SubjectIdentifier,
};
use serde_json::{Map, Value, json};
use wiremock::Request;

use super::http::{Body, Handled, Reply, to_value};
use super::state::{IssuedToken, OidcClientRegistration, PendingCode, State};

/// The key id of the fake's signing key.
const KEY_ID: &str = "fake-1";
/// Trivore's scope for the groups claim.
const GROUPS_SCOPE: &str = "https://oneportal.trivore.com/scope/groups.readonly";
/// Trivore's scope for the consents claim.
const CONSENT_SCOPE: &str = "https://oneportal.trivore.com/scope/consent.readonly";
/// The scopes the fake grants.
pub(crate) const SCOPES_SUPPORTED: [&str; 8] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    GROUPS_SCOPE,
    CONSENT_SCOPE,
    "offline_access",
];
/// The prefix of Trivore's claim names.
const CLAIMS: &str = "https://oneportal.trivore.com/claims/";
/// How long an authorization code waits for its exchange.
const CODE_LIFETIME: Duration = Duration::from_secs(60);
/// How long a refresh token lives.
const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);
/// The shortest lifetime of an ID token (it is otherwise the access token's).
const ID_TOKEN_MIN_LIFETIME: Duration = Duration::from_secs(300);
/// The longest lifetime of anything the fake issues.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
/// The realm of the `WWW-Authenticate` headers.
const REALM: &str = "Trivore ID";

/// Signs the fake's ID tokens with its RSA key, and publishes the public half.
pub(crate) struct Signer {
    key: CoreRsaPrivateSigningKey,
    jwks: Value,
}

impl Signer {
    /// The signer with the fake's key (`signing-key.pem`, which is public: it is in this crate's
    /// source).
    pub(crate) fn new() -> Signer {
        let key = CoreRsaPrivateSigningKey::from_pem(
            include_str!("signing-key.pem"),
            Some(JsonWebKeyId::new(KEY_ID.into())),
        )
        .expect("the fake's signing key is a compile-time constant and a valid RSA key");
        let jwks = to_value(&CoreJsonWebKeySet::new(vec![key.as_verification_key()]));
        Signer { key, jwks }
    }

    /// Signs ID token claims with RS256; `at_hash` is computed from `access_token`.
    fn sign(&self, claims: CoreIdTokenClaims, access_token: &str) -> Result<String, Reply> {
        CoreIdToken::new(
            claims,
            &self.key,
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            Some(&AccessToken::new(access_token.to_owned())),
            None,
        )
        .map(|token| token.to_string())
        .map_err(|e| {
            oauth_error(
                500,
                "server_error",
                format!("Cannot sign the ID token: {e}"),
            )
        })
    }
}

/// Answers an OIDC request (`/.well-known/openid-configuration`, `/openid/...`); `None` for
/// other paths. `base` is the fake's URL (the issuer).
pub(crate) fn handle(
    state: &mut State,
    signer: &Signer,
    base: &str,
    request: &Request,
) -> Option<Reply> {
    let base = base.trim_end_matches('/');
    let path = request.url.path();
    let read_only = matches!(request.method, Method::GET | Method::HEAD);
    Some(match path {
        "/.well-known/openid-configuration" if read_only => Reply::ok(discovery(base)),
        "/openid/jwks.json" if read_only => Reply::ok(signer.jwks.clone()),
        "/.well-known/openid-configuration" | "/openid/jwks.json" => {
            method_not_allowed("GET, HEAD")
        }
        "/openid/auth" => authorize(state, request),
        "/openid/token" => token(state, signer, base, request),
        "/openid/userinfo" => userinfo(state, request),
        "/openid/logout" => logout(state, request),
        _ if path == "/openid" || path.starts_with("/openid/") => oauth_error(
            404,
            "not_found",
            format!("The fake has no OpenID Connect endpoint {path}"),
        ),
        _ => return None,
    })
}

/// The discovery document.
fn discovery(base: &str) -> Value {
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/openid/auth"),
        "token_endpoint": format!("{base}/openid/token"),
        "userinfo_endpoint": format!("{base}/openid/userinfo"),
        "jwks_uri": format!("{base}/openid/jwks.json"),
        "end_session_endpoint": format!("{base}/openid/logout"),
        "scopes_supported": SCOPES_SUPPORTED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "password", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "subject_types_supported": ["public"],
        "code_challenge_methods_supported": ["S256"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nonce", "azp", "at_hash",
            "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
            "locale", "zoneinfo", "birthdate", "website",
            "email", "email_verified", "phone_number", "phone_number_verified", "address",
            format!("{CLAIMS}namespace"), format!("{CLAIMS}groups"),
            format!("{CLAIMS}minor"), format!("{CLAIMS}consents"),
        ],
    })
}

// ---------------------------------------------------------------------------------------------
// Replies and parameters
// ---------------------------------------------------------------------------------------------

/// An OAuth error body: `{"error": ..., "error_description": ...}`.
fn oauth_error(status: u16, error: &str, description: impl Into<String>) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description.into()}),
    )
}

/// 400 `invalid_request`.
fn invalid_request(description: impl Into<String>) -> Reply {
    oauth_error(400, "invalid_request", description)
}

/// 400 `invalid_grant`.
fn invalid_grant(description: impl Into<String>) -> Reply {
    oauth_error(400, "invalid_grant", description)
}

/// 405 naming the allowed methods.
fn method_not_allowed(allow: &'static str) -> Reply {
    oauth_error(
        405,
        "invalid_request",
        format!("This endpoint takes {allow}"),
    )
    .with_header("allow", allow)
}

/// A plain text page (what a browser sees).
fn page(status: u16, text: impl Into<String>) -> Reply {
    Reply {
        status,
        body: Body::Raw(text.into().into_bytes(), "text/plain; charset=utf-8"),
        headers: vec![("cache-control", "no-store".to_owned())],
    }
}

/// A 302 to `location`.
fn redirect(location: &url::Url) -> Reply {
    Reply::empty(302)
        .with_header("location", location.as_str())
        .with_header("cache-control", "no-store")
}

/// Request parameters by name.
type Params = HashMap<String, String>;

/// A parameter; an empty value counts as absent (RFC 6749 §3.1).
fn param<'p>(params: &'p Params, name: &str) -> Option<&'p str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// Name-value pairs as [`Params`]; a name given twice is an error (RFC 6749 §3.1).
fn unique<'a>(pairs: impl Iterator<Item = (Cow<'a, str>, Cow<'a, str>)>) -> Result<Params, String> {
    let mut params = Params::new();
    for (name, value) in pairs {
        if params
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(format!("The parameter {name} is given more than once"));
        }
    }
    Ok(params)
}

/// The form body's parameters (an empty body has none); a body of another content type is an
/// error.
fn form_params(request: &Request) -> Result<Params, String> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Params::new());
    }
    let content_type = header(request, "content-type").unwrap_or_default();
    if !content_type.is_empty()
        && !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    {
        return Err("The body must be application/x-www-form-urlencoded".into());
    }
    unique(url::form_urlencoded::parse(&request.body))
}

/// The query string's parameters.
fn query_params(request: &Request) -> Result<Params, String> {
    unique(request.url.query_pairs())
}

/// A request header as text.
fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Decodes one `application/x-www-form-urlencoded` value (RFC 6749 §2.3.1 encodes the client id
/// and secret so before putting them in the Basic header).
fn form_decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `now + lifetime`, capped.
fn later(lifetime: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(lifetime.min(MAX_LIFETIME)).unwrap_or(now)
}

/// Forgets expired codes and refresh tokens.
fn sweep(state: &mut State) {
    let now = Instant::now();
    state.codes.retain(|_, c| c.expires_at > now);
    state.refresh_tokens.retain(|_, t| t.expires_at > now);
}

/// The supported scopes among the requested ones (space separated), each once, in order;
/// `default` when none were requested.
fn granted_scopes(requested: Option<&str>, default: &[&str]) -> Vec<String> {
    let requested: Vec<&str> = match requested {
        Some(r) => r.split_ascii_whitespace().collect(),
        None => default.to_vec(),
    };
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested {
        if SCOPES_SUPPORTED.contains(&scope) && !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

fn has_scope(scopes: &[String], scope: &str) -> bool {
    scopes.iter().any(|s| s == scope)
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

/// A string field of a user (by JSON pointer), when not empty.
fn text(user: &Value, pointer: &str) -> Option<String> {
    user.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The user who signs in as `login`: a username, or `username@nsCode` (Trivore's way of naming
/// a user of a given namespace). A username alone that is in several namespaces is refused.
fn find_user(state: &State, login: &str) -> Result<Value, String> {
    let by_name: Vec<&Value> = state
        .users
        .iter()
        .filter(|u| u.get("username").and_then(Value::as_str) == Some(login))
        .collect();
    if let [user] = by_name.as_slice() {
        return Ok((*user).clone());
    }
    if let Some((name, ns)) = login.rsplit_once('@') {
        let qualified = state.users.iter().find(|u| {
            u.get("username").and_then(Value::as_str) == Some(name)
                && u.get("nsCode").and_then(Value::as_str) == Some(ns)
        });
        if let Some(user) = qualified {
            return Ok(user.clone());
        }
    }
    if by_name.len() > 1 {
        return Err(format!(
            "The username {login} is in several namespaces: sign in as {login}@<nsCode>"
        ));
    }
    Err("Bad credentials".into())
}

/// Refuses a locked user.
fn check_not_locked(user: &Value) -> Result<(), String> {
    if user.get("locked").and_then(Value::as_bool) == Some(true) {
        return Err("The account is locked".into());
    }
    Ok(())
}

/// The names of the groups the user is a member of (`memberOf` holds group ids, or names).
fn group_names(state: &State, user: &Value) -> Vec<Value> {
    let mut names: Vec<Value> = Vec::new();
    let member_of = user.get("memberOf").and_then(Value::as_array);
    for entry in member_of.into_iter().flatten().filter_map(Value::as_str) {
        let group = state.groups.get(entry).or_else(|| {
            state
                .groups
                .iter()
                .find(|g| g.get("name").and_then(Value::as_str) == Some(entry))
        });
        if let Some(name) = group.and_then(|g| g.get("name")).filter(|n| n.is_string())
            && !names.contains(name)
        {
            names.push(name.clone());
        }
    }
    names
}

/// The user's claims for these scopes: `sub` and Trivore's namespace always; `profile`,
/// `email`, `phone`, `address`, groups (`groups.readonly`) and consents (`consent.readonly`)
/// when granted.
fn user_claims(state: &State, user: &Value, scopes: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            claims.insert(name.to_owned(), value);
        }
    };
    put("sub", user.get("id").cloned());
    put(
        &format!("{CLAIMS}namespace"),
        text(user, "/nsCode").map(Value::from),
    );
    if has_scope(scopes, "profile") {
        let given = text(user, "/name/givenName");
        let middle = text(user, "/name/middleName");
        let family = text(user, "/name/familyName");
        let full: Vec<&str> = [&given, &middle, &family]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        put(
            "preferred_username",
            text(user, "/username").map(Value::from),
        );
        put(
            "name",
            (!full.is_empty()).then(|| Value::from(full.join(" "))),
        );
        put("given_name", given.map(Value::from));
        put("middle_name", middle.map(Value::from));
        put("family_name", family.map(Value::from));
        put("nickname", text(user, "/nickName").map(Value::from));
        put("locale", text(user, "/locale").map(Value::from));
        put("zoneinfo", text(user, "/timeZone").map(Value::from));
        put("birthdate", text(user, "/dateOfBirth").map(Value::from));
        put("website", text(user, "/websiteMain").map(Value::from));
        put(
            &format!("{CLAIMS}minor"),
            Some(Value::Bool(
                user.get("minor").and_then(Value::as_bool).unwrap_or(false),
            )),
        );
    }
    if has_scope(scopes, "email")
        && let Some(email) = text(user, "/emails/0/address")
    {
        put("email", Some(Value::from(email)));
        let verified = user.pointer("/emails/0/verified").and_then(Value::as_bool);
        put(
            "email_verified",
            Some(Value::Bool(verified.unwrap_or(false))),
        );
    }
    if has_scope(scopes, "phone")
        && let Some(number) = text(user, "/mobiles/0/number")
    {
        put("phone_number", Some(Value::from(number)));
        let verified = user.pointer("/mobiles/0/verified").and_then(Value::as_bool);
        put(
            "phone_number_verified",
            Some(Value::Bool(verified.unwrap_or(false))),
        );
    }
    if has_scope(scopes, "address") {
        let mut address = Map::new();
        for (claim, field) in [
            ("street_address", "streetAddress"),
            ("locality", "locality"),
            ("region", "region"),
            ("postal_code", "postalCode"),
            ("country", "country"),
        ] {
            if let Some(value) = text(user, &format!("/addresses/0/{field}")) {
                address.insert(claim.into(), Value::from(value));
            }
        }
        put(
            "address",
            (!address.is_empty()).then_some(Value::Object(address)),
        );
    }
    if has_scope(scopes, GROUPS_SCOPE) {
        put(
            &format!("{CLAIMS}groups"),
            Some(Value::Array(group_names(state, user))),
        );
    }
    if has_scope(scopes, CONSENT_SCOPE) {
        let mut consents: Map<String, Value> = [
            "profiling",
            "locationing",
            "marketingOther",
            "marketingEmail",
            "marketingMobileMessage",
            "marketingPhone",
            "marketingPost",
            "marketingPushNotification",
        ]
        .into_iter()
        .map(|name| (name.to_owned(), Value::Bool(false)))
        .collect();
        if let Some(stored) = user.get("consents").and_then(Value::as_object) {
            consents.extend(stored.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        put(&format!("{CLAIMS}consents"), Some(Value::Object(consents)));
    }
    claims
}

// ---------------------------------------------------------------------------------------------
// The authorization endpoint
// ---------------------------------------------------------------------------------------------

/// `/openid/auth`: checks the request, signs in the `login_hint` user (or the seeded one) and
/// redirects back with a code.
fn authorize(state: &mut State, request: &Request) -> Reply {
    let params = match request.method {
        Method::GET => query_params(request),
        Method::POST => form_params(request),
        _ => return method_not_allowed("GET, POST"),
    };
    let params = match params {
        Ok(params) => params,
        Err(e) => return page(400, format!("Invalid authorization request: {e}")),
    };
    let Some(client_id) = param(&params, "client_id") else {
        return page(400, "Invalid authorization request: client_id is missing");
    };
    let Some(client) = state.oidc_clients.iter().find(|c| c.id == client_id) else {
        return page(
            400,
            format!("Invalid authorization request: unknown client {client_id}"),
        );
    };
    let Some(redirect_uri) = param(&params, "redirect_uri") else {
        return page(
            400,
            "Invalid authorization request: redirect_uri is missing",
        );
    };
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return page(
            400,
            format!(
                "Invalid authorization request: {redirect_uri} is not a registered redirect URI of client {client_id}"
            ),
        );
    }
    let Ok(location) = url::Url::parse(redirect_uri) else {
        return page(
            400,
            "Invalid authorization request: the redirect URI is not a URL",
        );
    };
    let client_id = client_id.to_owned();
    let csrf = param(&params, "state");
    let back = |pairs: &[(&str, &str)]| {
        let mut location = location.clone();
        {
            let mut query = location.query_pairs_mut();
            for (name, value) in pairs {
                query.append_pair(name, value);
            }
            if let Some(csrf) = csrf {
                query.append_pair("state", csrf);
            }
        }
        redirect(&location)
    };
    let fail = |error: &str, description: &str| {
        back(&[("error", error), ("error_description", description)])
    };
    match param(&params, "response_type") {
        None => return fail("invalid_request", "response_type is missing"),
        Some("code") => {}
        Some(other) => {
            return fail(
                "unsupported_response_type",
                &format!("Unsupported response type {other}: only code is supported"),
            );
        }
    }
    let scopes = granted_scopes(Some(param(&params, "scope").unwrap_or_default()), &[]);
    if !has_scope(&scopes, "openid") {
        return fail("invalid_scope", "The scope must include openid");
    }
    let challenge = param(&params, "code_challenge");
    match (challenge, param(&params, "code_challenge_method")) {
        (None, None) => {}
        (Some(_), Some("S256")) => {}
        (Some(_), None | Some("plain")) => {
            return fail(
                "invalid_request",
                "Only the S256 code_challenge_method is supported",
            );
        }
        (Some(_), Some(other)) => {
            return fail(
                "invalid_request",
                &format!("Unknown code_challenge_method {other}"),
            );
        }
        (None, Some(_)) => {
            return fail(
                "invalid_request",
                "code_challenge_method without code_challenge",
            );
        }
    }
    if let Some(challenge) = challenge {
        let well_formed = challenge.len() == 43
            && challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return fail(
                "invalid_request",
                "code_challenge is not a base64url SHA-256 (43 characters)",
            );
        }
    }
    let user = match param(&params, "login_hint") {
        Some(login) => find_user(state, login)
            .map_err(|_| format!("No user {login} to sign in"))
            .and_then(|u| check_not_locked(&u).map(|()| u)),
        None => seeded_user(state)
            .ok_or_else(|| "The fake has no user to sign in".to_owned())
            .and_then(|u| check_not_locked(&u).map(|()| u)),
    };
    let user = match user {
        Ok(user) => user,
        Err(e) => return fail("access_denied", &e),
    };
    sweep(state);
    let code = state.new_secret();
    state.codes.insert(
        code.clone(),
        PendingCode {
            user_id: text(&user, "/id").unwrap_or_default(),
            client_id,
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            nonce: param(&params, "nonce").map(str::to_owned),
            code_challenge: challenge.map(str::to_owned),
            expires_at: later(CODE_LIFETIME),
        },
    );
    back(&[("code", &code)])
}

/// The user the authorization endpoint signs in without a `login_hint`: the seeded one, or else
/// the first user.
fn seeded_user(state: &State) -> Option<Value> {
    state
        .users
        .iter()
        .find(|u| {
            u.get("username").and_then(Value::as_str) == Some(super::USERNAME)
                && u.get("nsCode").and_then(Value::as_str) == Some(super::NAMESPACE)
        })
        .or_else(|| state.users.iter().next())
        .cloned()
}

// ---------------------------------------------------------------------------------------------
// The token endpoint
// ---------------------------------------------------------------------------------------------

/// `/openid/token`. Every answer has `Cache-Control: no-store`.
fn token(state: &mut State, signer: &Signer, base: &str, request: &Request) -> Reply {
    let (Ok(reply) | Err(reply)) = token_answer(state, signer, base, request);
    reply
        .with_header("cache-control", "no-store")
        .with_header("pragma", "no-cache")
}

fn token_answer(state: &mut State, signer: &Signer, base: &str, request: &Request) -> Handled {
    if request.method != Method::POST {
        return Err(method_not_allowed("POST"));
    }
    // The query string too, for the reference Python SDK; the body wins.
    let mut params = query_params(request).map_err(invalid_request)?;
    params.extend(form_params(request).map_err(invalid_request)?);
    let client = authenticate_client(state, request, &params)?;
    sweep(state);
    match param(&params, "grant_type") {
        None => Err(invalid_request("grant_type is missing")),
        Some("password") => password_grant(state, signer, base, &client, &params),
        Some("client_credentials") => {
            let scopes = granted_scopes(param(&params, "scope"), &[]);
            issue(state, signer, base, &client.id, None, scopes, None)
        }
        Some("authorization_code") => code_grant(state, signer, base, &client, &params),
        Some("refresh_token") => refresh_grant(state, signer, base, &client, &params),
        Some(other) => Err(oauth_error(
            400,
            "unsupported_grant_type",
            format!("Unsupported grant type {other}"),
        )),
    }
}

/// The client of a token request: HTTP Basic, or `client_id` + `client_secret` in the form.
fn authenticate_client(
    state: &State,
    request: &Request,
    params: &Params,
) -> Result<OidcClientRegistration, Reply> {
    let fail = |description: &str| {
        oauth_error(401, "invalid_client", description)
            .with_header("www-authenticate", format!("Basic realm=\"{REALM}\""))
    };
    let (id, secret) = match header(request, "authorization") {
        Some(value) => {
            let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("basic") {
                return Err(fail("The client must authenticate with HTTP Basic"));
            }
            let decoded = BASE64
                .decode(credentials.trim())
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .ok_or_else(|| fail("Malformed Basic credentials"))?;
            let (id, secret) = decoded
                .split_once(':')
                .ok_or_else(|| fail("Malformed Basic credentials"))?;
            let (id, secret) = (form_decode(id), form_decode(secret));
            if param(params, "client_id").is_some_and(|form_id| form_id != id) {
                return Err(fail("client_id does not match the Basic credentials"));
            }
            if params.contains_key("client_secret") {
                return Err(fail("Use one client authentication method, not two"));
            }
            (id, Some(secret))
        }
        None => {
            let id = param(params, "client_id")
                .ok_or_else(|| fail("Client authentication is missing"))?;
            (
                id.to_owned(),
                param(params, "client_secret").map(str::to_owned),
            )
        }
    };
    let client = state.oidc_clients.iter().find(|c| c.id == id);
    match (client, secret) {
        (Some(client), Some(secret)) if same_secret(&secret, &client.secret) => Ok(client.clone()),
        (Some(_), None) => Err(fail("The client is confidential: it must authenticate")),
        _ => Err(fail("Client authentication failed")),
    }
}

/// `grant_type=password`: `username` (or `username@nsCode`) and `password`.
fn password_grant(
    state: &mut State,
    signer: &Signer,
    base: &str,
    client: &OidcClientRegistration,
    params: &Params,
) -> Handled {
    let (Some(username), Some(password)) = (param(params, "username"), param(params, "password"))
    else {
        return Err(invalid_request("username and password are required"));
    };
    let user = find_user(state, username).map_err(invalid_grant)?;
    let user_id = text(&user, "/id").unwrap_or_default();
    let known = state
        .passwords
        .get(&user_id)
        .is_some_and(|p| same_secret(p, password));
    if !known {
        return Err(invalid_grant("Bad credentials"));
    }
    check_not_locked(&user).map_err(invalid_grant)?;
    let scopes = granted_scopes(param(params, "scope"), &["openid"]);
    issue(state, signer, base, &client.id, Some(user_id), scopes, None)
}

/// `grant_type=authorization_code`: the code (single use, unexpired, of this client), the same
/// `redirect_uri`, and the PKCE `code_verifier` when the authorization request had a challenge.
fn code_grant(
    state: &mut State,
    signer: &Signer,
    base: &str,
    client: &OidcClientRegistration,
    params: &Params,
) -> Handled {
    let code = param(params, "code").ok_or_else(|| invalid_request("code is missing"))?;
    // Consumed by the first attempt, good or bad: a code cannot be tried twice.
    let pending = state
        .codes
        .remove(code)
        .ok_or_else(|| invalid_grant("The code is unknown, expired or already used"))?;
    if pending.client_id != client.id {
        return Err(invalid_grant("The code was issued to another client"));
    }
    if pending.expires_at <= Instant::now() {
        return Err(invalid_grant("The code has expired"));
    }
    if param(params, "redirect_uri") != Some(pending.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    match (&pending.code_challenge, param(params, "code_verifier")) {
        (None, None) => {}
        (Some(_), None) => return Err(invalid_grant("code_verifier is missing")),
        (None, Some(_)) => {
            return Err(invalid_grant(
                "code_verifier given but the authorization request had no code_challenge",
            ));
        }
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !well_formed {
                return Err(invalid_grant(
                    "code_verifier must be 43 to 128 unreserved characters",
                ));
            }
            let computed = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
                verifier.to_owned(),
            ));
            if !same_secret(computed.as_str(), challenge) {
                return Err(invalid_grant("PKCE verification failed"));
            }
        }
    }
    if state.users.get(&pending.user_id).is_none() {
        return Err(invalid_grant("The user no longer exists"));
    }
    issue(
        state,
        signer,
        base,
        &client.id,
        Some(pending.user_id),
        pending.scopes,
        pending.nonce,
    )
}

/// `grant_type=refresh_token`: rotates the refresh token (the old one is spent); `scope` may
/// narrow the original scopes.
fn refresh_grant(
    state: &mut State,
    signer: &Signer,
    base: &str,
    client: &OidcClientRegistration,
    params: &Params,
) -> Handled {
    let refresh = param(params, "refresh_token")
        .ok_or_else(|| invalid_request("refresh_token is missing"))?;
    let old = state
        .refresh_tokens
        .get(refresh)
        .ok_or_else(|| invalid_grant("The refresh token is unknown, expired or already used"))?;
    if old.client_id != client.id {
        return Err(invalid_grant(
            "The refresh token was issued to another client",
        ));
    }
    let mut scopes = old.scopes.clone();
    if let Some(requested) = param(params, "scope") {
        let requested: Vec<&str> = requested.split_ascii_whitespace().collect();
        if let Some(extra) = requested.iter().find(|s| !has_scope(&scopes, s)) {
            return Err(oauth_error(
                400,
                "invalid_scope",
                format!("The scope {extra} was not granted originally"),
            ));
        }
        scopes.retain(|s| requested.contains(&s.as_str()));
    }
    let user_id = old.user_id.clone();
    state.refresh_tokens.remove(refresh);
    if user_id
        .as_deref()
        .is_none_or(|id| state.users.get(id).is_none())
    {
        return Err(invalid_grant("The user no longer exists"));
    }
    issue(state, signer, base, &client.id, user_id, scopes, None)
}

/// Issues the tokens of a grant: an access token, a refresh token (when there is a user) and an
/// ID token (when there is a user and `openid` is among the scopes).
fn issue(
    state: &mut State,
    signer: &Signer,
    base: &str,
    client_id: &str,
    user_id: Option<String>,
    scopes: Vec<String>,
    nonce: Option<String>,
) -> Handled {
    let lifetime = state.token_lifetime.min(MAX_LIFETIME);
    let access = state.new_secret();
    let mut body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "scope": scopes.join(" "),
    });
    if let Some(user_id) = &user_id {
        let user = state
            .users
            .get(user_id)
            .cloned()
            .ok_or_else(|| invalid_grant("The user no longer exists"))?;
        if has_scope(&scopes, "openid") {
            let claims = user_claims(state, &user, &scopes);
            let id_token = id_token(signer, base, client_id, &claims, lifetime, nonce, &access)?;
            body["id_token"] = json!(id_token);
        }
        let refresh = state.new_secret();
        state.refresh_tokens.insert(
            refresh.clone(),
            IssuedToken {
                user_id: Some(user_id.clone()),
                client_id: client_id.to_owned(),
                scopes: scopes.clone(),
                expires_at: later(REFRESH_LIFETIME),
            },
        );
        body["refresh_token"] = json!(refresh);
    }
    state.access_tokens.insert(
        access,
        IssuedToken {
            user_id,
            client_id: client_id.to_owned(),
            scopes,
            expires_at: later(lifetime),
        },
    );
    Ok(Reply::ok(body))
}

/// A signed ID token with the user's `sub` and, as the scopes allow, `preferred_username`, the
/// names and the email address.
fn id_token(
    signer: &Signer,
    base: &str,
    client_id: &str,
    claims: &Map<String, Value>,
    lifetime: Duration,
    nonce: Option<String>,
    access_token: &str,
) -> Result<String, Reply> {
    let claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut standard =
        StandardClaims::new(SubjectIdentifier::new(claim("sub").unwrap_or_default()))
            .set_preferred_username(claim("preferred_username").map(EndUserUsername::new))
            .set_name(claim("name").map(|v| EndUserName::new(v).into()))
            .set_given_name(claim("given_name").map(|v| EndUserGivenName::new(v).into()))
            .set_family_name(claim("family_name").map(|v| EndUserFamilyName::new(v).into()))
            .set_email(claim("email").map(EndUserEmail::new));
    if let Some(verified) = claims.get("email_verified").and_then(Value::as_bool) {
        standard = standard.set_email_verified(Some(verified));
    }
    let issuer = IssuerUrl::new(base.to_owned())
        .map_err(|e| oauth_error(500, "server_error", format!("Bad issuer URL: {e}")))?;
    let now = chrono::Utc::now();
    let lifetime = chrono::TimeDelta::from_std(lifetime.max(ID_TOKEN_MIN_LIFETIME))
        .unwrap_or(chrono::TimeDelta::MAX);
    let expires = now.checked_add_signed(lifetime).unwrap_or(now);
    let claims = CoreIdTokenClaims::new(
        issuer,
        vec![Audience::new(client_id.to_owned())],
        expires,
        now,
        standard,
        EmptyAdditionalClaims {},
    )
    .set_authorized_party(Some(ClientId::new(client_id.to_owned())))
    .set_nonce(nonce.map(Nonce::new));
    signer.sign(claims, access_token)
}

// ---------------------------------------------------------------------------------------------
// Userinfo and logout
// ---------------------------------------------------------------------------------------------

/// `/openid/userinfo`: the claims of the user of a valid Bearer access token.
fn userinfo(state: &State, request: &Request) -> Reply {
    if !matches!(request.method, Method::GET | Method::POST) {
        return method_not_allowed("GET, POST");
    }
    let bearer = header(request, "authorization").and_then(|value| {
        let (scheme, token) = value.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
    });
    let Some(bearer) = bearer else {
        return oauth_error(
            401,
            "invalid_request",
            "The request has no Bearer access token",
        )
        .with_header("www-authenticate", format!("Bearer realm=\"{REALM}\""));
    };
    let invalid = |description: &str| {
        oauth_error(401, "invalid_token", description).with_header(
            "www-authenticate",
            format!("Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{description}\""),
        )
    };
    let insufficient = |description: &str| {
        oauth_error(403, "insufficient_scope", description).with_header(
            "www-authenticate",
            format!("Bearer realm=\"{REALM}\", error=\"insufficient_scope\", error_description=\"{description}\""),
        )
    };
    let Some(token) = state.access_tokens.get(bearer) else {
        return invalid("The access token is unknown");
    };
    if token.expires_at <= Instant::now() {
        return invalid("The access token has expired");
    }
    let Some(user_id) = &token.user_id else {
        return insufficient("The access token has no user (client credentials)");
    };
    if !has_scope(&token.scopes, "openid") {
        return insufficient("The access token lacks the openid scope");
    }
    let Some(user) = state.users.get(user_id) else {
        return invalid("The user of the access token no longer exists");
    };
    Reply::ok(Value::Object(user_claims(state, user, &token.scopes)))
        .with_header("cache-control", "no-store")
}

/// `/openid/logout`: redirects to `post_logout_redirect_uri` (a registered redirect URI of
/// `client_id`'s, or of any client's without one) with `state`, or shows a page.
fn logout(state: &State, request: &Request) -> Reply {
    let params = match request.method {
        Method::GET => query_params(request),
        Method::POST => form_params(request),
        _ => return method_not_allowed("GET, POST"),
    };
    let params = match params {
        Ok(params) => params,
        Err(e) => return page(400, format!("Invalid sign-out request: {e}")),
    };
    let Some(target) = param(&params, "post_logout_redirect_uri") else {
        return page(200, "You are signed out.");
    };
    let client_id = param(&params, "client_id");
    let registered = state
        .oidc_clients
        .iter()
        .filter(|c| client_id.is_none_or(|id| c.id == id))
        .any(|c| c.redirect_uris.iter().any(|u| u == target));
    let location = url::Url::parse(target).ok().filter(|_| registered);
    let Some(mut location) = location else {
        return page(
            400,
            format!("Invalid sign-out request: {target} is not a registered redirect URI"),
        );
    };
    if let Some(csrf) = param(&params, "state") {
        location.query_pairs_mut().append_pair("state", csrf);
    }
    redirect(&location)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;

    use http::{HeaderMap, HeaderName, HeaderValue};
    use openidconnect::core::CoreIdTokenVerifier;
    use openidconnect::{ClientSecret, Nonce};

    use super::*;

    const BASE: &str = "http://127.0.0.1:4444";
    const CLIENT: &str = "client-1";
    const SECRET: &str = "secret-1";
    const OTHER_CLIENT: &str = "client-2";
    const OTHER_SECRET: &str = "secret-2";
    const REDIRECT: &str = "http://127.0.0.1:8765/callback";
    const ALICE: &str = "u-alice";
    const BOB: &str = "u-bob";
    const VERIFIER: &str = "a-pkce-verifier-of-at-least-43-characters-0123456789";

    /// A state with two clients, a group and users: alice (fake), bob (other), carol in both.
    fn setup() -> (State, Signer) {
        let mut state = State::default();
        state.token_lifetime = Duration::from_secs(3600);
        for (id, secret) in [(CLIENT, SECRET), (OTHER_CLIENT, OTHER_SECRET)] {
            state.oidc_clients.push(OidcClientRegistration {
                id: id.into(),
                secret: secret.into(),
                redirect_uris: vec![REDIRECT.into()],
            });
        }
        state
            .groups
            .put("g-1", json!({"id": "g-1", "name": "Admins"}));
        state
            .groups
            .put("g-2", json!({"id": "g-2", "name": "Staff"}));
        state.users.put(
            ALICE,
            json!({
                "id": ALICE, "username": "alice", "nsCode": "fake",
                "name": {"givenName": "Alice", "familyName": "Example"},
                "emails": [{"address": "alice@example.com", "verified": true}],
                "mobiles": [{"number": "+358401234567", "verified": false}],
                "addresses": [{"streetAddress": "Katu 1", "locality": "Helsinki",
                               "postalCode": "00100", "country": "FI", "region": "Uusimaa"}],
                "memberOf": ["g-1", "Staff", "g-missing"],
                "consents": {"marketingEmail": true},
                "locale": "en", "timeZone": "Europe/Helsinki", "nickName": "Al", "minor": false,
            }),
        );
        state.users.put(
            BOB,
            json!({"id": BOB, "username": "bob", "nsCode": "other"}),
        );
        state.users.put(
            "u-carol-1",
            json!({"id": "u-carol-1", "username": "carol", "nsCode": "fake"}),
        );
        state.users.put(
            "u-carol-2",
            json!({"id": "u-carol-2", "username": "carol", "nsCode": "other"}),
        );
        state.users.put(
            "u-locked",
            json!({"id": "u-locked", "username": "locked", "nsCode": "fake", "locked": true}),
        );
        for (id, password) in [
            (ALICE, "pw-alice"),
            (BOB, "pw-bob"),
            ("u-carol-1", "pw-carol"),
            ("u-carol-2", "pw-carol"),
            ("u-locked", "pw-locked"),
        ] {
            state.passwords.insert(id.into(), password.into());
        }
        (state, Signer::new())
    }

    fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Request {
            url: url::Url::parse(&format!("{BASE}{path}")).unwrap(),
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    fn basic(id: &str, secret: &str) -> String {
        format!("Basic {}", BASE64.encode(format!("{id}:{secret}")))
    }

    fn form(pairs: &[(&str, &str)]) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }

    fn call(state: &mut State, signer: &Signer, request: &Request) -> Reply {
        handle(state, signer, BASE, request).expect("an OIDC path")
    }

    /// POST /openid/token with the client's Basic credentials and a form body.
    fn token_request(state: &mut State, signer: &Signer, pairs: &[(&str, &str)]) -> Reply {
        let auth = basic(CLIENT, SECRET);
        let request = request(
            "POST",
            "/openid/token",
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            &form(pairs),
        );
        call(state, signer, &request)
    }

    fn password(state: &mut State, signer: &Signer, scope: &str) -> Value {
        let reply = token_request(
            state,
            signer,
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "pw-alice"),
                ("scope", scope),
            ],
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        json_of(&reply).clone()
    }

    fn json_of(reply: &Reply) -> &Value {
        match &reply.body {
            Body::Json(value) => value,
            other => panic!("not JSON: {other:?}"),
        }
    }

    fn header_of<'r>(reply: &'r Reply, name: &str) -> Option<&'r str> {
        reply
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn assert_oauth_error(reply: &Reply, status: u16, error: &str) {
        assert_eq!(reply.status, status, "{reply:?}");
        assert_eq!(json_of(reply)["error"], error, "{reply:?}");
    }

    /// The claims of an ID token, verified with the JWKS the fake publishes.
    fn verify(signer: &Signer, id_token: &str, nonce: Option<&str>) -> CoreIdTokenClaims {
        let jwks: CoreJsonWebKeySet = serde_json::from_value(signer.jwks.clone()).unwrap();
        let verifier = CoreIdTokenVerifier::new_confidential_client(
            ClientId::new(CLIENT.into()),
            ClientSecret::new(SECRET.into()),
            IssuerUrl::new(BASE.into()).unwrap(),
            jwks,
        );
        let token = CoreIdToken::from_str(id_token).unwrap();
        match nonce {
            Some(n) => token.into_claims(&verifier, &Nonce::new(n.into())).unwrap(),
            None => token
                .into_claims(&verifier, |_: Option<&Nonce>| Ok(()))
                .unwrap(),
        }
    }

    fn userinfo_with(state: &mut State, signer: &Signer, method: &str, token: &str) -> Reply {
        let auth = format!("Bearer {token}");
        call(
            state,
            signer,
            &request(method, "/openid/userinfo", &[("authorization", &auth)], ""),
        )
    }

    /// GET /openid/auth with these parameters.
    fn authorize_with(state: &mut State, signer: &Signer, pairs: &[(&str, &str)]) -> Reply {
        call(
            state,
            signer,
            &request("GET", &format!("/openid/auth?{}", form(pairs)), &[], ""),
        )
    }

    fn location_params(reply: &Reply) -> HashMap<String, String> {
        assert_eq!(reply.status, 302, "{reply:?}");
        let location = url::Url::parse(header_of(reply, "location").unwrap()).unwrap();
        assert!(location.as_str().starts_with(REDIRECT), "{location}");
        location.query_pairs().into_owned().collect()
    }

    fn challenge(verifier: &str) -> String {
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.into()))
            .as_str()
            .to_owned()
    }

    /// A code from the authorization endpoint (PKCE S256 with [`VERIFIER`], nonce `n-1`).
    fn code(state: &mut State, signer: &Signer, extra: &[(&str, &str)]) -> String {
        let challenge = challenge(VERIFIER);
        let mut pairs = vec![
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid profile email"),
            ("state", "s-1"),
            ("nonce", "n-1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        pairs.extend_from_slice(extra);
        let params = location_params(&authorize_with(state, signer, &pairs));
        assert_eq!(params["state"], "s-1");
        params["code"].clone()
    }

    fn exchange(state: &mut State, signer: &Signer, code: &str, verifier: &str) -> Reply {
        token_request(
            state,
            signer,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ],
        )
    }

    #[test]
    fn the_signing_key_loads_and_is_published() {
        let signer = Signer::new();
        let keys = signer.jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0]["kty"], "RSA");
        assert_eq!(keys[0]["kid"], KEY_ID);
        assert!(
            keys[0].get("d").is_none(),
            "the private part is not published"
        );
    }

    #[test]
    fn discovery_names_trivores_endpoints() {
        let (mut state, signer) = setup();
        let reply = handle(
            &mut state,
            &signer,
            &format!("{BASE}/"),
            &request("GET", "/.well-known/openid-configuration", &[], ""),
        )
        .unwrap();
        assert_eq!(reply.status, 200);
        let doc = json_of(&reply);
        assert_eq!(doc["issuer"], BASE);
        assert_eq!(doc["authorization_endpoint"], format!("{BASE}/openid/auth"));
        assert_eq!(doc["token_endpoint"], format!("{BASE}/openid/token"));
        assert_eq!(doc["userinfo_endpoint"], format!("{BASE}/openid/userinfo"));
        assert_eq!(doc["jwks_uri"], format!("{BASE}/openid/jwks.json"));
        assert_eq!(doc["end_session_endpoint"], format!("{BASE}/openid/logout"));
        assert_eq!(doc["scopes_supported"], json!(SCOPES_SUPPORTED));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(
            doc["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
        assert_eq!(
            doc["grant_types_supported"],
            json!([
                "authorization_code",
                "refresh_token",
                "password",
                "client_credentials"
            ])
        );
        let claims = doc["claims_supported"].as_array().unwrap();
        assert!(claims.contains(&json!(format!("{CLAIMS}groups"))));
        let post = request("POST", "/.well-known/openid-configuration", &[], "");
        assert_eq!(call(&mut state, &signer, &post).status, 405);
    }

    #[test]
    fn jwks_is_served() {
        let (mut state, signer) = setup();
        let reply = call(
            &mut state,
            &signer,
            &request("GET", "/openid/jwks.json", &[], ""),
        );
        assert_eq!(reply.status, 200);
        let jwks: CoreJsonWebKeySet = serde_json::from_value(json_of(&reply).clone()).unwrap();
        assert_eq!(jwks.keys().len(), 1);
    }

    #[test]
    fn other_paths_are_not_oidc_and_unknown_oidc_paths_are_404() {
        let (mut state, signer) = setup();
        let api = request("GET", "/api/rest/v1/user", &[], "");
        assert!(handle(&mut state, &signer, BASE, &api).is_none());
        let unrelated = request("GET", "/openidish", &[], "");
        assert!(handle(&mut state, &signer, BASE, &unrelated).is_none());
        let reply = call(
            &mut state,
            &signer,
            &request("GET", "/openid/register", &[], ""),
        );
        assert_oauth_error(&reply, 404, "not_found");
    }

    #[test]
    fn password_grant_issues_verifiable_tokens() {
        let (mut state, signer) = setup();
        let reply = token_request(
            &mut state,
            &signer,
            &[
                ("grant_type", "password"),
                ("username", "alice"),
                ("password", "pw-alice"),
                ("scope", "openid profile email unknown-scope"),
            ],
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(header_of(&reply, "cache-control"), Some("no-store"));
        let body = json_of(&reply);
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        assert_eq!(body["scope"], "openid profile email");
        let access = body["access_token"].as_str().unwrap();
        let refresh = body["refresh_token"].as_str().unwrap();
        let issued = &state.access_tokens[access];
        assert_eq!(issued.user_id.as_deref(), Some(ALICE));
        assert_eq!(issued.client_id, CLIENT);
        assert!(issued.expires_at > Instant::now() + Duration::from_secs(3500));
        assert!(
            state.refresh_tokens[refresh].expires_at
                > Instant::now() + Duration::from_secs(29 * 86400)
        );
        let claims = verify(&signer, body["id_token"].as_str().unwrap(), None);
        assert_eq!(claims.subject().as_str(), ALICE);
        assert_eq!(claims.issuer().as_str(), BASE);
        assert_eq!(claims.preferred_username().unwrap().as_str(), "alice");
        assert_eq!(claims.email().unwrap().as_str(), "alice@example.com");
        assert_eq!(claims.email_verified(), Some(true));
        assert!(claims.access_token_hash().is_some());
    }

    #[test]
    fn password_grant_reads_the_query_string_as_the_python_sdk_sends_it() {
        let (mut state, signer) = setup();
        let auth = basic(CLIENT, SECRET);
        let query = form(&[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "pw-alice"),
            ("scope", "openid profile"),
        ]);
        let reply = call(
            &mut state,
            &signer,
            &request(
                "POST",
                &format!("/openid/token?{query}"),
                &[
                    ("authorization", &auth),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                "",
            ),
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(json_of(&reply)["scope"], "openid profile");
    }

    #[test]
    fn the_body_wins_over_the_query_string() {
        let (mut state, signer) = setup();
        let auth = basic(CLIENT, SECRET);
        let body = form(&[("password", "pw-alice")]);
        let reply = call(
            &mut state,
            &signer,
            &request(
                "POST",
                "/openid/token?grant_type=password&username=alice&password=wrong",
                &[("authorization", &auth)],
                &body,
            ),
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        // No scope asked for: openid.
        assert_eq!(json_of(&reply)["scope"], "openid");
    }

    #[test]
    fn password_grant_refuses_bad_credentials() {
        let (mut state, signer) = setup();
        for (username, password) in [
            ("alice", "wrong"),
            ("nobody", "pw-alice"),
            ("locked", "pw-locked"),
            ("carol", "pw-carol"),
            ("bob@fake", "pw-bob"),
        ] {
            let reply = token_request(
                &mut state,
                &signer,
                &[
                    ("grant_type", "password"),
                    ("username", username),
                    ("password", password),
                ],
            );
            assert_oauth_error(&reply, 400, "invalid_grant");
            assert!(json_of(&reply)["error_description"].is_string());
        }
        let reply = token_request(&mut state, &signer, &[("grant_type", "password")]);
        assert_oauth_error(&reply, 400, "invalid_request");
        assert!(state.access_tokens.is_empty());
    }

    #[test]
    fn password_grant_takes_username_at_namespace() {
        let (mut state, signer) = setup();
        for (login, id) in [
            ("bob@other", BOB),
            ("carol@other", "u-carol-2"),
            ("carol@fake", "u-carol-1"),
        ] {
            let pw = if id == BOB { "pw-bob" } else { "pw-carol" };
            let reply = token_request(
                &mut state,
                &signer,
                &[
                    ("grant_type", "password"),
                    ("username", login),
                    ("password", pw),
                ],
            );
            assert_eq!(reply.status, 200, "{login}: {reply:?}");
            let access = json_of(&reply)["access_token"].as_str().unwrap();
            assert_eq!(state.access_tokens[access].user_id.as_deref(), Some(id));
        }
    }

    #[test]
    fn client_authentication_basic_post_and_failures() {
        let (mut state, signer) = setup();
        let grant = [
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "pw-alice"),
        ];
        // client_secret_post
        let mut pairs = grant.to_vec();
        pairs.extend([("client_id", CLIENT), ("client_secret", SECRET)]);
        let post = request("POST", "/openid/token", &[], &form(&pairs));
        assert_eq!(call(&mut state, &signer, &post).status, 200);
        // Wrong secret, Basic and post.
        let wrong = basic(CLIENT, "nope");
        let reply = call(
            &mut state,
            &signer,
            &request(
                "POST",
                "/openid/token",
                &[("authorization", &wrong)],
                &form(&grant),
            ),
        );
        assert_oauth_error(&reply, 401, "invalid_client");
        assert!(
            header_of(&reply, "www-authenticate")
                .unwrap()
                .starts_with("Basic")
        );
        let mut pairs = grant.to_vec();
        pairs.extend([("client_id", CLIENT), ("client_secret", "nope")]);
        let reply = call(
            &mut state,
            &signer,
            &request("POST", "/openid/token", &[], &form(&pairs)),
        );
        assert_oauth_error(&reply, 401, "invalid_client");
        // No secret, no client, unknown client.
        let mut pairs = grant.to_vec();
        pairs.push(("client_id", CLIENT));
        let reply = call(
            &mut state,
            &signer,
            &request("POST", "/openid/token", &[], &form(&pairs)),
        );
        assert_oauth_error(&reply, 401, "invalid_client");
        let reply = call(
            &mut state,
            &signer,
            &request("POST", "/openid/token", &[], &form(&grant)),
        );
        assert_oauth_error(&reply, 401, "invalid_client");
        let unknown = basic("nobody", SECRET);
        let reply = call(
            &mut state,
            &signer,
            &request(
                "POST",
                "/openid/token",
                &[("authorization", &unknown)],
                &form(&grant),
            ),
        );
        assert_oauth_error(&reply, 401, "invalid_client");
        assert_eq!(state.access_tokens.len(), 1);
    }

    #[test]
    fn token_endpoint_request_errors() {
        let (mut state, signer) = setup();
        let reply = call(
            &mut state,
            &signer,
            &request("GET", "/openid/token", &[], ""),
        );
        assert_eq!(reply.status, 405);
        let reply = token_request(&mut state, &signer, &[("grant_type", "implicit")]);
        assert_oauth_error(&reply, 400, "unsupported_grant_type");
        let reply = token_request(&mut state, &signer, &[]);
        assert_oauth_error(&reply, 400, "invalid_request");
        let reply = token_request(
            &mut state,
            &signer,
            &[("grant_type", "password"), ("grant_type", "password")],
        );
        assert_oauth_error(&reply, 400, "invalid_request");
        let auth = basic(CLIENT, SECRET);
        let json_body = request(
            "POST",
            "/openid/token",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            r#"{"grant_type":"password"}"#,
        );
        assert_oauth_error(
            &call(&mut state, &signer, &json_body),
            400,
            "invalid_request",
        );
    }

    #[test]
    fn client_credentials_grant_has_no_user() {
        let (mut state, signer) = setup();
        let reply = token_request(
            &mut state,
            &signer,
            &[("grant_type", "client_credentials"), ("scope", "openid")],
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        let body = json_of(&reply);
        assert!(body.get("refresh_token").is_none());
        assert!(body.get("id_token").is_none());
        let access = body["access_token"].as_str().unwrap().to_owned();
        assert_eq!(state.access_tokens[&access].user_id, None);
        let reply = userinfo_with(&mut state, &signer, "GET", &access);
        assert_oauth_error(&reply, 403, "insufficient_scope");
    }

    #[test]
    fn authorization_code_grant_with_pkce() {
        let (mut state, signer) = setup();
        let code = code(&mut state, &signer, &[]);
        let reply = exchange(&mut state, &signer, &code, VERIFIER);
        assert_eq!(reply.status, 200, "{reply:?}");
        let body = json_of(&reply);
        assert_eq!(body["scope"], "openid profile email");
        assert!(body["refresh_token"].is_string());
        let claims = verify(&signer, body["id_token"].as_str().unwrap(), Some("n-1"));
        assert_eq!(claims.subject().as_str(), ALICE);
        // Single use.
        let reply = exchange(&mut state, &signer, &code, VERIFIER);
        assert_oauth_error(&reply, 400, "invalid_grant");
    }

    #[test]
    fn authorization_code_refusals() {
        let (mut state, signer) = setup();
        // Wrong verifier; the code is spent by the failed attempt.
        let spent = code(&mut state, &signer, &[]);
        let wrong = "another-pkce-verifier-of-at-least-43-characters-0123";
        assert_oauth_error(
            &exchange(&mut state, &signer, &spent, wrong),
            400,
            "invalid_grant",
        );
        assert_oauth_error(
            &exchange(&mut state, &signer, &spent, VERIFIER),
            400,
            "invalid_grant",
        );
        // Missing verifier.
        let c = code(&mut state, &signer, &[]);
        let reply = token_request(
            &mut state,
            &signer,
            &[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", REDIRECT),
            ],
        );
        assert_oauth_error(&reply, 400, "invalid_grant");
        // Wrong redirect_uri.
        let c = code(&mut state, &signer, &[]);
        let reply = token_request(
            &mut state,
            &signer,
            &[
                ("grant_type", "authorization_code"),
                ("code", &c),
                ("redirect_uri", "http://127.0.0.1:8765/other"),
                ("code_verifier", VERIFIER),
            ],
        );
        assert_oauth_error(&reply, 400, "invalid_grant");
        // Expired.
        let c = code(&mut state, &signer, &[]);
        state.codes.get_mut(&c).unwrap().expires_at = Instant::now();
        assert_oauth_error(
            &exchange(&mut state, &signer, &c, VERIFIER),
            400,
            "invalid_grant",
        );
        // Another client's code.
        let c = code(&mut state, &signer, &[]);
        state.codes.get_mut(&c).unwrap().client_id = OTHER_CLIENT.into();
        assert_oauth_error(
            &exchange(&mut state, &signer, &c, VERIFIER),
            400,
            "invalid_grant",
        );
        assert!(state.access_tokens.is_empty());
    }

    #[test]
    fn authorization_without_pkce_is_allowed_for_confidential_clients() {
        let (mut state, signer) = setup();
        let reply = authorize_with(
            &mut state,
            &signer,
            &[
                ("client_id", CLIENT),
                ("redirect_uri", REDIRECT),
                ("response_type", "code"),
                ("scope", "openid"),
            ],
        );
        let params = location_params(&reply);
        assert!(!params.contains_key("state"));
        let code = params["code"].clone();
        let mut pending = state.codes[&code].clone();
        // A verifier for a code without a challenge is refused.
        assert_oauth_error(
            &exchange(&mut state, &signer, &code, VERIFIER),
            400,
            "invalid_grant",
        );
        pending.expires_at = later(CODE_LIFETIME);
        state.codes.insert(code.clone(), pending);
        let reply = token_request(
            &mut state,
            &signer,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
            ],
        );
        assert_eq!(reply.status, 200, "{reply:?}");
    }

    #[test]
    fn authorization_signs_in_the_login_hint_user() {
        let (mut state, signer) = setup();
        for (hint, id) in [("bob", BOB), ("carol@other", "u-carol-2")] {
            let c = code(&mut state, &signer, &[("login_hint", hint)]);
            assert_eq!(state.codes[&c].user_id, id);
        }
        let c = code(&mut state, &signer, &[]);
        assert_eq!(state.codes[&c].user_id, ALICE);
        let pending = &state.codes[&c];
        assert_eq!(pending.nonce.as_deref(), Some("n-1"));
        assert_eq!(
            pending.code_challenge.as_deref(),
            Some(challenge(VERIFIER).as_str())
        );
        assert_eq!(pending.scopes, ["openid", "profile", "email"]);
    }

    #[test]
    fn authorization_errors_go_back_to_a_registered_redirect_uri_only() {
        let (mut state, signer) = setup();
        let good = [
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "s-9"),
        ];
        let with = |changes: &[(&'static str, &'static str)]| {
            let mut pairs: Vec<(&str, &str)> = good
                .iter()
                .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
                .copied()
                .collect();
            pairs.extend(changes.iter().filter(|(_, v)| !v.is_empty()));
            pairs
        };
        // Unknown client, unregistered or missing redirect URI: a page, never a redirect.
        for changes in [
            &[("client_id", "nobody")][..],
            &[("client_id", "")][..],
            &[("redirect_uri", "https://evil.example/callback")][..],
            &[("redirect_uri", "http://127.0.0.1:8765/callback/")][..],
            &[("redirect_uri", "")][..],
        ] {
            let reply = authorize_with(&mut state, &signer, &with(changes));
            assert_eq!(reply.status, 400, "{changes:?}");
            assert!(header_of(&reply, "location").is_none());
        }
        for (changes, error) in [
            (
                &[("response_type", "token")][..],
                "unsupported_response_type",
            ),
            (&[("response_type", "")][..], "invalid_request"),
            (&[("scope", "profile email")][..], "invalid_scope"),
            (
                &[
                    ("code_challenge", "abc"),
                    ("code_challenge_method", "plain"),
                ][..],
                "invalid_request",
            ),
            (
                &[(
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                )][..],
                "invalid_request",
            ),
            (&[("code_challenge_method", "S256")][..], "invalid_request"),
            (
                &[
                    ("code_challenge", "too-short"),
                    ("code_challenge_method", "S256"),
                ][..],
                "invalid_request",
            ),
            (&[("login_hint", "nobody")][..], "access_denied"),
            (&[("login_hint", "locked")][..], "access_denied"),
        ] {
            let params = location_params(&authorize_with(&mut state, &signer, &with(changes)));
            assert_eq!(params["error"], error, "{changes:?}");
            assert_eq!(params["state"], "s-9");
            assert!(params.contains_key("error_description"));
            assert!(!params.contains_key("code"));
        }
        assert!(state.codes.is_empty());
        let put = request("PUT", "/openid/auth", &[], "");
        assert_eq!(call(&mut state, &signer, &put).status, 405);
    }

    #[test]
    fn authorization_by_post() {
        let (mut state, signer) = setup();
        let body = form(&[
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
        ]);
        let reply = call(
            &mut state,
            &signer,
            &request(
                "POST",
                "/openid/auth",
                &[("content-type", "application/x-www-form-urlencoded")],
                &body,
            ),
        );
        assert!(location_params(&reply).contains_key("code"));
    }

    #[test]
    fn refresh_rotates_the_refresh_token() {
        let (mut state, signer) = setup();
        let first = password(&mut state, &signer, "openid profile email");
        let old = first["refresh_token"].as_str().unwrap();
        let reply = token_request(
            &mut state,
            &signer,
            &[("grant_type", "refresh_token"), ("refresh_token", old)],
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        let second = json_of(&reply).clone();
        let new = second["refresh_token"].as_str().unwrap();
        assert_ne!(new, old);
        assert_ne!(second["access_token"], first["access_token"]);
        assert_eq!(second["scope"], "openid profile email");
        let claims = verify(&signer, second["id_token"].as_str().unwrap(), None);
        assert_eq!(claims.subject().as_str(), ALICE);
        // The old one is spent.
        let reply = token_request(
            &mut state,
            &signer,
            &[("grant_type", "refresh_token"), ("refresh_token", old)],
        );
        assert_oauth_error(&reply, 400, "invalid_grant");
        // Narrower scopes are fine, wider are not.
        let reply = token_request(
            &mut state,
            &signer,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", new),
                ("scope", "openid phone"),
            ],
        );
        assert_oauth_error(&reply, 400, "invalid_scope");
        let reply = token_request(
            &mut state,
            &signer,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", new),
                ("scope", "openid"),
            ],
        );
        assert_eq!(reply.status, 200, "{reply:?}");
        assert_eq!(json_of(&reply)["scope"], "openid");
    }

    #[test]
    fn refresh_refusals() {
        let (mut state, signer) = setup();
        let tokens = password(&mut state, &signer, "openid");
        let refresh = tokens["refresh_token"].as_str().unwrap();
        // Another client cannot use it (and does not spend it).
        let other = basic(OTHER_CLIENT, OTHER_SECRET);
        let body = form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]);
        let reply = call(
            &mut state,
            &signer,
            &request("POST", "/openid/token", &[("authorization", &other)], &body),
        );
        assert_oauth_error(&reply, 400, "invalid_grant");
        assert!(state.refresh_tokens.contains_key(refresh));
        // Expired.
        state.refresh_tokens.get_mut(refresh).unwrap().expires_at = Instant::now();
        let reply = token_request(
            &mut state,
            &signer,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        );
        assert_oauth_error(&reply, 400, "invalid_grant");
        assert!(state.refresh_tokens.is_empty());
    }

    #[test]
    fn userinfo_has_trivores_claims() {
        let (mut state, signer) = setup();
        let all = SCOPES_SUPPORTED.join(" ");
        let tokens = password(&mut state, &signer, &all);
        let access = tokens["access_token"].as_str().unwrap();
        for method in ["GET", "POST"] {
            let reply = userinfo_with(&mut state, &signer, method, access);
            assert_eq!(reply.status, 200, "{reply:?}");
            let claims = json_of(&reply);
            assert_eq!(
                *claims,
                json!({
                    "sub": ALICE,
                    "preferred_username": "alice",
                    "name": "Alice Example",
                    "given_name": "Alice",
                    "family_name": "Example",
                    "nickname": "Al",
                    "locale": "en",
                    "zoneinfo": "Europe/Helsinki",
                    "email": "alice@example.com",
                    "email_verified": true,
                    "phone_number": "+358401234567",
                    "phone_number_verified": false,
                    "address": {"street_address": "Katu 1", "locality": "Helsinki",
                                "region": "Uusimaa", "postal_code": "00100", "country": "FI"},
                    "https://oneportal.trivore.com/claims/namespace": "fake",
                    "https://oneportal.trivore.com/claims/minor": false,
                    "https://oneportal.trivore.com/claims/groups": ["Admins", "Staff"],
                    "https://oneportal.trivore.com/claims/consents": {
                        "profiling": false, "locationing": false, "marketingOther": false,
                        "marketingEmail": true, "marketingMobileMessage": false,
                        "marketingPhone": false, "marketingPost": false,
                        "marketingPushNotification": false,
                    },
                })
            );
            // What the SDK makes of it.
            let user: crate::oidc::OidcUser = serde_json::from_value(claims.clone()).unwrap();
            assert_eq!(user.ns_code.as_deref(), Some("fake"));
            assert_eq!(user.groups, Some(vec!["Admins".into(), "Staff".into()]));
            assert_eq!(user.address.unwrap().postal_code.as_deref(), Some("00100"));
        }
    }

    #[test]
    fn userinfo_claims_follow_the_scopes() {
        let (mut state, signer) = setup();
        let tokens = password(&mut state, &signer, "openid");
        let access = tokens["access_token"].as_str().unwrap();
        let reply = userinfo_with(&mut state, &signer, "GET", access);
        assert_eq!(
            *json_of(&reply),
            json!({"sub": ALICE, "https://oneportal.trivore.com/claims/namespace": "fake"})
        );
        let tokens = password(&mut state, &signer, "profile");
        let access = tokens["access_token"].as_str().unwrap();
        assert!(tokens.get("id_token").is_none());
        let reply = userinfo_with(&mut state, &signer, "GET", access);
        assert_oauth_error(&reply, 403, "insufficient_scope");
    }

    #[test]
    fn userinfo_refuses_expired_unknown_and_missing_tokens() {
        let (mut state, signer) = setup();
        let tokens = password(&mut state, &signer, "openid");
        let access = tokens["access_token"].as_str().unwrap();
        state.access_tokens.get_mut(access).unwrap().expires_at = Instant::now();
        for token in [access, "unknown"] {
            let reply = userinfo_with(&mut state, &signer, "GET", token);
            assert_oauth_error(&reply, 401, "invalid_token");
            assert!(
                header_of(&reply, "www-authenticate")
                    .unwrap()
                    .contains("error=\"invalid_token\"")
            );
        }
        let reply = call(
            &mut state,
            &signer,
            &request("GET", "/openid/userinfo", &[], ""),
        );
        assert_eq!(reply.status, 401);
        assert!(
            header_of(&reply, "www-authenticate")
                .unwrap()
                .starts_with("Bearer")
        );
        let reply = call(
            &mut state,
            &signer,
            &request("DELETE", "/openid/userinfo", &[], ""),
        );
        assert_eq!(reply.status, 405);
    }

    #[test]
    fn token_lifetime_is_the_fakes_setting() {
        let (mut state, signer) = setup();
        state.token_lifetime = Duration::from_secs(2);
        let tokens = password(&mut state, &signer, "openid");
        assert_eq!(tokens["expires_in"], 2);
        // The ID token outlives a very short access token.
        let claims = verify(&signer, tokens["id_token"].as_str().unwrap(), None);
        assert!(claims.expiration() > chrono::Utc::now() + chrono::TimeDelta::seconds(250));
    }

    #[test]
    fn logout_redirects_to_registered_uris_only() {
        let (mut state, signer) = setup();
        let query = form(&[("post_logout_redirect_uri", REDIRECT), ("state", "s-2")]);
        let reply = call(
            &mut state,
            &signer,
            &request("GET", &format!("/openid/logout?{query}"), &[], ""),
        );
        assert_eq!(location_params(&reply)["state"], "s-2");
        let query = form(&[("post_logout_redirect_uri", "https://evil.example/")]);
        let reply = call(
            &mut state,
            &signer,
            &request("GET", &format!("/openid/logout?{query}"), &[], ""),
        );
        assert_eq!(reply.status, 400);
        assert!(header_of(&reply, "location").is_none());
        let reply = call(
            &mut state,
            &signer,
            &request("GET", "/openid/logout", &[], ""),
        );
        assert_eq!(reply.status, 200);
    }
}
