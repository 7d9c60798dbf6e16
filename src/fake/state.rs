//! The fake's in-memory data.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde_json::{Map, Value};

/// Objects of one kind by id, in creation order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Collection {
    items: BTreeMap<String, Value>,
    order: Vec<String>,
}

impl Collection {
    /// The object with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Value> {
        self.items.get(id)
    }

    /// The object with this id, to change.
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.items.get_mut(id)
    }

    /// Stores an object (replacing one with the same id).
    pub(crate) fn put(&mut self, id: &str, value: Value) {
        if self.items.insert(id.to_owned(), value).is_none() {
            self.order.push(id.to_owned());
        }
    }

    /// Removes an object.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Value> {
        let removed = self.items.remove(id)?;
        self.order.retain(|i| i != id);
        Some(removed)
    }

    /// All objects in creation order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Value> {
        self.order.iter().filter_map(|id| self.items.get(id))
    }

    /// Number of objects.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }
}

/// An email or SMS message the fake "sent".
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    /// The operation that sent it (`email_send`, `user_sms_send`, ...).
    pub operation: String,
    /// Who it went to: addresses, numbers, or a user or group id.
    pub recipients: Vec<String>,
    /// The request body as sent.
    pub body: Value,
}

/// What the fake sent: emails and SMS messages, in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    /// Emails (from `email_send`, `user_email_send`, `group_email_send`, `emailtemplate_send`,
    /// verification links and invitations).
    pub emails: Vec<SentMessage>,
    /// SMS messages (from `sms_send`, `user_sms_send` and mobile verification).
    pub sms: Vec<SentMessage>,
}

/// An access or refresh token the fake's OIDC provider issued.
#[derive(Debug, Clone)]
pub(crate) struct IssuedToken {
    /// The user it was issued for (None for the client credentials grant).
    pub(crate) user_id: Option<String>,
    /// The OIDC client.
    pub(crate) client_id: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Instant,
}

/// An authorization code waiting for its exchange.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub(crate) user_id: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) code_challenge: Option<String>,
    pub(crate) expires_at: Instant,
}

/// An OIDC client registered with the fake.
#[derive(Debug, Clone)]
pub(crate) struct OidcClientRegistration {
    pub(crate) id: String,
    pub(crate) secret: String,
    pub(crate) redirect_uris: Vec<String>,
}

/// Everything the fake holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Management API clients: id -> secret.
    pub(crate) api_clients: HashMap<String, String>,
    pub(crate) oidc_clients: Vec<OidcClientRegistration>,
    pub(crate) namespaces: Collection,
    pub(crate) users: Collection,
    /// User passwords by user id (never sent back).
    pub(crate) passwords: HashMap<String, String>,
    pub(crate) groups: Collection,
    pub(crate) datastorages: Collection,
    /// Data storage data by storage id.
    pub(crate) datastorage_data: HashMap<String, Map<String, Value>>,
    /// Per-user sub-resources by user id: `customfields`, `enterprise`, `studentState`,
    /// `strongIdentification`, `permissions.custom`, `roles.builtin`, `roles.custom`, `mydata`,
    /// `profile`, ...
    pub(crate) user_extras: HashMap<String, Map<String, Value>>,
    pub(crate) email_templates: Collection,
    pub(crate) outbox: Outbox,
    pub(crate) access_tokens: HashMap<String, IssuedToken>,
    pub(crate) refresh_tokens: HashMap<String, IssuedToken>,
    pub(crate) codes: HashMap<String, PendingCode>,
    /// Pending mobile verification codes by user id.
    pub(crate) sms_codes: HashMap<String, String>,
    /// Lifetime of the access tokens the OIDC provider issues.
    pub(crate) token_lifetime: std::time::Duration,
    /// Extension resources (feature `extension`) by collection path: `/contract`,
    /// `/contract/{id}/party`, `/user/{id}/paycard`, ...
    #[cfg(feature = "extension")]
    pub(crate) ext_collections: HashMap<String, Collection>,
    /// Extension single objects by path: `/contract/{id}/body`, `/contact/{id}/enterpriseinfo`.
    #[cfg(feature = "extension")]
    pub(crate) ext_objects: HashMap<String, Value>,
    /// Uploaded extension files by the path of the object they belong to
    /// (`/contract/{id}/body`, `/contract/{id}/appendix/{id}`).
    #[cfg(feature = "extension")]
    pub(crate) ext_files: HashMap<String, Vec<u8>>,
    counter: u64,
}

impl State {
    /// A new id: 24 lower-case hex digits, sortable by creation, like the real service's.
    pub(crate) fn new_id(&mut self) -> String {
        self.counter += 1;
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        format!("{:08x}{:016x}", seconds & 0xffff_ffff, self.counter)
    }

    /// A random token (hex).
    pub(crate) fn new_secret(&mut self) -> String {
        use rand::Rng as _;
        let mut rng = rand::rng();
        (0..32)
            .map(|_| format!("{:02x}", rng.random::<u8>()))
            .collect()
    }

    /// The per-user extras of a user.
    pub(crate) fn extras(&mut self, user_id: &str) -> &mut Map<String, Value> {
        self.user_extras.entry(user_id.to_owned()).or_default()
    }
}

/// The current time as the service writes it: ISO-8601 UTC with milliseconds.
pub(crate) fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}
