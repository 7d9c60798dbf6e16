//! Helpers made of several calls, or of client-side work before a call: the reference SDK's
//! composite methods, done right.
//!
//! - [`TrivoreId::create_user`]: generates a password when none is given and hands it back.
//! - [`TrivoreId::create_datastorage_with_data`] / [`TrivoreId::update_datastorage_with_data`]:
//!   the storage and its data in one call; a failed data write after a create removes the new
//!   storage again instead of leaving it half made.
//! - [`TrivoreId::check_sms_verification_code`]: `true`/`false` instead of a 404 error.

use serde_json::{Map, Value};

use crate::client::TrivoreId;
use crate::error::{ApiError, Error, SdkError};
use crate::generated::prelude::*;
use crate::generated::types::{DataStorage, User};
use crate::password::PasswordPolicy;
use crate::secret::Secret;

/// A user created by [`TrivoreId::create_user`], with the password it was created with.
#[derive(Debug, Clone)]
pub struct CreatedUser {
    /// The user as the server returned it.
    pub user: User,
    /// The password the user was created with: the one given, or the generated one.
    pub password: Secret,
}

impl TrivoreId {
    /// Creates a user. When `user.password` is not set, a password is generated with `policy`
    /// (see [`PasswordPolicy`]) and sent; either way the password comes back in
    /// [`CreatedUser::password`] so the caller can hand it to the user.
    pub async fn create_user(
        &self,
        mut user: User,
        policy: PasswordPolicy,
    ) -> Result<CreatedUser, Error> {
        let password = match user.password.take().filter(|p| !p.is_empty()) {
            Some(given) => Secret::new(given),
            None => policy.generate()?,
        };
        user.password = Some(password.expose().to_owned());
        let created = self.user_create().body(user).send().await?.into_inner();
        Ok(CreatedUser {
            user: created,
            password,
        })
    }

    /// Creates a data storage and, when `data` is given, writes its data. The storage must
    /// have a name. If writing the data fails, the new storage is deleted again and the data
    /// error is returned (its message says whether the deletion worked).
    pub async fn create_datastorage_with_data(
        &self,
        storage: DataStorage,
        data: Option<Map<String, Value>>,
    ) -> Result<DataStorage, Error> {
        if storage.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(SdkError::InvalidArgument {
                name: "storage.name",
                reason: "a data storage needs a name".into(),
            }
            .into());
        }
        let created = self
            .datastorage_create()
            .body(storage)
            .send()
            .await?
            .into_inner();
        let Some(data) = data else {
            return Ok(created);
        };
        let Some(id) = created.id.clone() else {
            return Err(missing_id());
        };
        if let Err(e) = self
            .datastorage_data_update()
            .ds_id(&id)
            .body(data)
            .send()
            .await
        {
            let rollback = self.datastorage_delete().ds_id(&id).send().await;
            let note = match rollback {
                Ok(_) => format!("data storage {id} was created, then deleted again"),
                Err(_) => format!("data storage {id} was created and could not be deleted"),
            };
            return Err(with_note(e.into(), &note));
        }
        Ok(created)
    }

    /// Updates a data storage and, when `data` is given, replaces its data. `storage.id` names
    /// the storage.
    pub async fn update_datastorage_with_data(
        &self,
        storage: DataStorage,
        data: Option<Map<String, Value>>,
    ) -> Result<DataStorage, Error> {
        let Some(id) = storage.id.clone().filter(|id| !id.is_empty()) else {
            return Err(SdkError::InvalidArgument {
                name: "storage.id",
                reason: "the data storage to update needs an id".into(),
            }
            .into());
        };
        let updated = self
            .datastorage_update()
            .ds_id(&id)
            .body(storage)
            .send()
            .await?
            .into_inner();
        if let Some(data) = data
            && let Err(e) = self
                .datastorage_data_update()
                .ds_id(&id)
                .body(data)
                .send()
                .await
        {
            let note = format!("data storage {id} was updated but its data was not");
            return Err(with_note(e.into(), &note));
        }
        Ok(updated)
    }

    /// Checks a mobile verification code sent with `user_sms_verify_send`: `Ok(true)` when it
    /// is right, `Ok(false)` when the server answers 404 (a wrong or expired code).
    pub async fn check_sms_verification_code(
        &self,
        user_id: &str,
        code: &str,
    ) -> Result<bool, Error> {
        match self
            .user_sms_verify_check()
            .user_id(user_id)
            .code(code)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) => {
                let e = Error::from(e);
                if e.status() == Some(reqwest::StatusCode::NOT_FOUND) {
                    Ok(false)
                } else {
                    Err(e)
                }
            }
        }
    }
}

fn missing_id() -> Error {
    ApiError::new(crate::error::ApiErrorKind::Protocol)
        .with_operation("datastorage_create")
        .with_message("the created data storage has no id")
        .into()
}

fn with_note(error: Error, note: &str) -> Error {
    match error {
        Error::Api(mut api) => {
            let message = match api.message.take() {
                Some(m) => format!("{m} ({note})"),
                None => note.to_owned(),
            };
            (*api).with_message(message).into()
        }
        other => other,
    }
}
