//! # trivoreid
//!
//! The Rust SDK for [Trivore ID](https://trivoreid.com): the Management API (users, namespaces,
//! groups, data storages, email, SMS, ...) as typed request builders generated from an OpenAPI
//! spec, with configuration from Trivore's properties file, authentication, typed errors, filters
//! and paging.
//!
//! ```no_run
//! use trivoreid::prelude::*;
//! use trivoreid::{Filter, TrivoreId};
//!
//! # async fn run() -> Result<(), trivoreid::Error> {
//! // Credentials from $TRIVOREID_PROPERTIES or /etc/trivoreid/client_sdk.properties
//! let api = TrivoreId::from_default_properties()?;
//! let user = api.user_get().user_id("5b9f...").send().await?;
//! let mut admins = api.user_list().filter(Filter::eq("memberOf", "admins")).items();
//! while let Some(user) = admins.try_next().await? {
//!     println!("{:?}", user.username);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`TrivoreId`]: the client; every operation of the spec is a method (see [`prelude`]).
//! - [`config`]: [`Config`] and the properties file.
//! - [`Error`]: [`ApiError`] (the service or network failed) or [`SdkError`] (misuse, caught
//!   before any request).
//! - [`Filter`]: typed, escaped filter expressions.
//! - [`paging`]: one page, or every item as a stream.
//! - [`composite`]: helpers made of several calls (user creation with a generated password, data
//!   storages with data).

#![warn(missing_docs)]

mod annotate;
mod auth;
pub mod client;
pub mod composite;
pub mod config;
pub mod error;
#[cfg(feature = "fake")]
pub mod fake;
pub mod filter;
pub mod generated;
pub mod oidc;
pub mod paging;
pub mod password;
pub mod retry;
pub mod secret;
mod transport;

pub use client::{TrivoreId, TrivoreIdBuilder};
pub use config::Config;
pub use error::{ApiError, ApiErrorKind, Error, Result, SdkError};
pub use filter::Filter;
pub use generated::types;
pub use paging::Page;
pub use retry::RetryPolicy;
pub use secret::Secret;

/// Everything needed to call operations: the per-service extension traits of the generated
/// client, paging, and `futures`' stream extension traits.
pub mod prelude {
    pub use crate::generated::prelude::*;
    pub use crate::paging::Paginate;
    pub use futures::{StreamExt as _, TryStreamExt as _};
}

/// The README's examples are compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
