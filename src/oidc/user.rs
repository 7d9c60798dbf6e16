//! [`OidcUser`]: the signed-in user's claims from the userinfo endpoint.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The Trivore claim URI prefix.
const CLAIMS: &str = "https://oneportal.trivore.com/claims/";

/// The signed-in user, as the OIDC userinfo endpoint describes them. The fields of the reference
/// SDK's `OIDCUser`, with Trivore's claim URIs mapped to plain names; every other claim is kept
/// in [`OidcUser::other`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OidcUser {
    /// The user id (`sub`): the same id the Management API uses.
    #[serde(rename = "sub", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the email address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// Phone number (`phone_number`).
    #[serde(
        rename = "phone_number",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<String>,
    /// Whether the phone number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number_verified: Option<bool>,
    /// The preferred username.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    /// Groups (`https://oneportal.trivore.com/claims/groups`).
    #[serde(
        rename = "https://oneportal.trivore.com/claims/groups",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub groups: Option<Vec<String>>,
    /// Namespace code (`https://oneportal.trivore.com/claims/namespace`).
    #[serde(
        rename = "https://oneportal.trivore.com/claims/namespace",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub ns_code: Option<String>,
    /// Whether the user is a minor (`https://oneportal.trivore.com/claims/minor`).
    #[serde(
        rename = "https://oneportal.trivore.com/claims/minor",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub minor: Option<bool>,
    /// Consents (`https://oneportal.trivore.com/claims/consents`).
    #[serde(
        rename = "https://oneportal.trivore.com/claims/consents",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub consents: Option<crate::types::Consents>,
    /// Locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Nickname.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Time zone (IANA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoneinfo: Option<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<OidcAddress>,
    /// Every other claim, by its name.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl OidcUser {
    /// Another Trivore claim by its short name (`https://oneportal.trivore.com/claims/<name>`).
    pub fn trivore_claim(&self, name: &str) -> Option<&Value> {
        self.other.get(&format!("{CLAIMS}{name}"))
    }
}

/// The OIDC `address` claim.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OidcAddress {
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// City or locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Postal code (`postal_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Street address (`street_address`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// The full address as one text (`formatted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
}
