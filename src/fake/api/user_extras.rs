//! The sub-resources of a user, and invitations.
//!
//! Every operation first checks that the user exists (404 otherwise). The data lives in the
//! user's extras (`State::extras`) under these keys: `legal`, `enterprise`, `customfields`,
//! `strongIdentification`, `strongIdentificationHistory`, `permissions.custom`, `roles.builtin`,
//! `roles.custom`, `studentState` and `pendingMobile` (the number a verification code was sent
//! to); passwords are in `State::passwords` and verification codes in `State::sms_codes`.
//!
//! Effective permissions are the custom permissions plus those of the built-in roles in
//! [`ROLE_PERMISSIONS`] (other roles grant none in the fake).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::services::{check_keys, emails_of, mobiles_of, push_email, push_sms, sorted};
use super::{Ctx, list, namespaces, typed_body, users};
use crate::fake::http::{Handled, Reply, bad_request, not_found, parse_body};
use crate::fake::state::{self, State};
use crate::types;

/// The shortest password the fake accepts (as `user_password_requirements_get` says).
const MIN_PASSWORD: usize = 8;
/// The longest password the fake accepts.
const MAX_PASSWORD: usize = 128;

/// The permissions each built-in role grants in the fake (for `user_permissions_effective_get`).
pub(crate) const ROLE_PERMISSIONS: &[(&str, &[&str])] = &[
    (
        "ADMIN",
        &[
            "ACCOUNT_MODIFY",
            "ACCOUNT_VIEW",
            "ACCOUNT_VIEW_PERSONAL_ID",
            "DATA_STORAGE_CREATE",
        ],
    ),
    ("USER_ADMIN", &["ACCOUNT_MODIFY", "ACCOUNT_VIEW"]),
    ("VIEWER", &["ACCOUNT_VIEW"]),
];

/// The user fields `keepProfile: false` drops in a namespace migration.
const PROFILE_FIELDS: &[&str] = &[
    "name",
    "nickName",
    "addresses",
    "dateOfBirth",
    "minor",
    "customerGroupInfo",
    "place_of_birth",
    "gender",
    "sex",
    "nationality",
    "salutation",
    "title",
    "birthFirstName",
    "birthMiddleName",
    "birthLastName",
    "domicileCode",
    "domicileClasses",
];

/// Handles these operations; `None` for other operations.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Option<Handled> {
    Some(match ctx.op {
        "user_legal_get" => stored(state, ctx, "legal", json!({})),
        "user_email_verify" => email_verify(state, ctx),
        "user_sms_verify_send" => sms_verify_send(state, ctx),
        "user_sms_verify_check" => sms_verify_check(state, ctx),
        "user_sms_verify_link_send" => sms_verify_link_send(state, ctx),
        "user_enterprise_get" => stored(state, ctx, "enterprise", json!({})),
        "user_enterprise_update" => enterprise_update(state, ctx),
        "user_customfields_get" => stored(state, ctx, "customfields", json!({})),
        "user_customfields_update" => customfields_update(state, ctx),
        "user_customfields_delete" => customfields_delete(state, ctx),
        "user_password_requirements_get" => {
            user_id(state, ctx).map(|_| Reply::ok(password_requirements()))
        }
        "user_password_change" => password_change(state, ctx),
        "user_strongidentification_get" => stored(
            state,
            ctx,
            "strongIdentification",
            json!({"identified": false}),
        ),
        "user_strongidentification_report" => strong_identification_report(state, ctx),
        "user_strongidentification_history_list" => history_list(state, ctx),
        "user_strongidentification_history_get" => history_get(state, ctx),
        "user_permissions_custom_get" => stored(state, ctx, "permissions.custom", json!([])),
        "user_permissions_custom_update" => id_list_update(state, ctx, "permissions.custom"),
        "user_permissions_effective_get" => effective_permissions(state, ctx),
        "user_roles_builtin_get" => stored(state, ctx, "roles.builtin", json!([])),
        "user_roles_builtin_update" => id_list_update(state, ctx, "roles.builtin"),
        "user_roles_custom_get" => stored(state, ctx, "roles.custom", json!([])),
        "user_roles_custom_update" => id_list_update(state, ctx, "roles.custom"),
        "user_namespace_migrate" => namespace_migrate(state, ctx),
        "user_student_state_get" => stored(state, ctx, "studentState", json!({"state": "UNKNOWN"})),
        "user_student_state_update" => student_state_update(state, ctx),
        "invite_send" => invite_send(state, ctx),
        _ => return None,
    })
}

/// The `userId` of the request, after checking that the user exists (404 otherwise).
fn user_id<'c>(state: &State, ctx: &'c Ctx<'_>) -> Result<&'c str, Reply> {
    let id = ctx.param("userId");
    users::get(state, id)?;
    Ok(id)
}

/// The user's extra `key`, if stored (reading never creates the user's extras).
pub(crate) fn extra<'s>(state: &'s State, id: &str, key: &str) -> Option<&'s Value> {
    state.user_extras.get(id)?.get(key)
}

/// The user's extra `key`, or `default` when not stored.
fn stored(state: &State, ctx: &Ctx<'_>, key: &str, default: Value) -> Handled {
    let id = user_id(state, ctx)?;
    let value = extra(state, id, key).cloned().unwrap_or(default);
    Ok(Reply::ok(value))
}

// ---------------------------------------------------------------------------------------------
// Verification

/// The contact to verify: `given` (which must be one of `known`) or the first of `known`.
fn contact_to_verify(given: Option<&str>, known: &[String], what: &str) -> Result<String, Reply> {
    match given.filter(|g| !g.is_empty()) {
        Some(value) if known.iter().any(|k| k == value) => Ok(value.to_owned()),
        Some(value) => Err(bad_request(format!("The user has no {what} {value}"))),
        None => known
            .first()
            .cloned()
            .ok_or_else(|| bad_request(format!("The user has no {what}"))),
    }
}

/// `user_email_verify`: emails a verification link to the given or primary address (204).
fn email_verify(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let user = users::get(state, id)?;
    let mut body = typed_body::<types::EmailVerification>(ctx)?;
    let given = body.get("value").and_then(Value::as_str);
    let address = contact_to_verify(given, &emails_of(&user), "email address")?;
    let token = state.new_secret();
    body.insert(
        "link".into(),
        json!(format!("{}/verify/email?token={token}", ctx.base)),
    );
    push_email(
        state,
        "user_email_verify",
        vec![address],
        Value::Object(body),
    );
    Ok(Reply::empty(204))
}

/// `user_sms_verify_send`: texts a 6-digit code to the `mobile` query parameter (one of the
/// user's numbers) or the primary number (204). A new code replaces the previous one.
fn sms_verify_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    use rand::Rng as _;
    let id = user_id(state, ctx)?;
    let user = users::get(state, id)?;
    let mobile = contact_to_verify(ctx.query("mobile"), &mobiles_of(&user), "mobile number")?;
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    state.sms_codes.insert(id.to_owned(), code.clone());
    state
        .extras(id)
        .insert("pendingMobile".into(), json!(mobile));
    push_sms(
        state,
        "user_sms_verify_send",
        vec![mobile.clone()],
        json!({"to": mobile, "text": format!("Your verification code is {code}")}),
    );
    Ok(Reply::empty(204))
}

/// `user_sms_verify_check`: 200 (no body) when the code is the one sent, which is then used up
/// and the number marked verified; 404 otherwise.
fn sms_verify_check(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    if state.sms_codes.get(id).map(String::as_str) != Some(ctx.param("code")) {
        return Err(Reply::error(404, "Invalid verification code"));
    }
    state.sms_codes.remove(id);
    let pending = state.extras(id).remove("pendingMobile");
    if let Some(number) = pending.as_ref().and_then(Value::as_str)
        && let Some(mobiles) = state
            .users
            .get_mut(id)
            .and_then(|u| u.get_mut("mobiles"))
            .and_then(Value::as_array_mut)
    {
        for mobile in mobiles {
            if mobile.get("number").and_then(Value::as_str) == Some(number) {
                mobile["verified"] = json!(true);
            }
        }
    }
    Ok(Reply::empty(200))
}

/// `user_sms_verify_link_send`: texts a verification link to the given or primary number (204).
fn sms_verify_link_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let user = users::get(state, id)?;
    let mut body = typed_body::<types::MobileVerification>(ctx)?;
    let given = body.get("value").and_then(Value::as_str);
    let mobile = contact_to_verify(given, &mobiles_of(&user), "mobile number")?;
    let token = state.new_secret();
    let link = format!("{}/verify/mobile?token={token}", ctx.base);
    body.insert("to".into(), json!(mobile));
    body.insert(
        "text".into(),
        json!(format!("Verify your mobile number: {link}")),
    );
    push_sms(
        state,
        "user_sms_verify_link_send",
        vec![mobile],
        Value::Object(body),
    );
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------------------------------------
// Enterprise, custom fields, student state

/// `user_enterprise_update`: stores the enterprise information with a fresh `meta`.
fn enterprise_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let mut enterprise = typed_body::<types::Enterprise>(ctx)?;
    let extras = state.extras(id);
    let created = extras
        .get("enterprise")
        .and_then(|e| e.pointer("/meta/created"))
        .cloned();
    enterprise.insert(
        "meta".into(),
        ctx.meta("user", &format!("{id}/enterprise"), created.as_ref()),
    );
    let enterprise = Value::Object(enterprise);
    extras.insert("enterprise".into(), enterprise.clone());
    Ok(Reply::ok(enterprise))
}

/// `user_customfields_update`: merges the body's fields into the stored ones (200, no body).
/// Field names must not contain `.` nor start with `$`.
fn customfields_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let fields = typed_body::<types::JsonObject>(ctx)?;
    check_keys(&fields)?;
    let extras = state.extras(id);
    let stored = extras.entry("customfields").or_insert_with(|| json!({}));
    if let Some(stored) = stored.as_object_mut() {
        stored.extend(fields);
    }
    Ok(Reply::empty(200))
}

/// `user_customfields_delete`: removes every custom field (204).
fn customfields_delete(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    state.extras(id).remove("customfields");
    Ok(Reply::empty(204))
}

/// `user_student_state_update`: stores the state, `updated` set to now.
fn student_state_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let mut student = typed_body::<types::StudentState>(ctx)?;
    student.insert("updated".into(), json!(state::now()));
    let student = Value::Object(student);
    state
        .extras(id)
        .insert("studentState".into(), student.clone());
    Ok(Reply::ok(student))
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// The password rules the fake enforces: 8 to 128 characters, nothing else.
fn password_requirements() -> Value {
    json!({
        "minLength": MIN_PASSWORD,
        "maxLength": MAX_PASSWORD,
        "numberOfCharacteristics": 0,
        "alphabeticalSequenceMaxLength": 0,
        "numericalSequenceMaxLength": 0,
        "qwertySequenceMaxLength": 0,
        "historyLength": 0,
        "repeatCharacterLength": 0,
        "usernameForbidden": false,
        "dictionaryCheck": false,
    })
}

/// The rules a password breaks, as `ValidationError`s.
fn password_errors(password: &str) -> Vec<Value> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        vec![json!({"code": "TOO_SHORT",
                    "message": format!("Password must be at least {MIN_PASSWORD} characters long")})]
    } else if length > MAX_PASSWORD {
        vec![json!({"code": "TOO_LONG",
                    "message": format!("Password must be at most {MAX_PASSWORD} characters long")})]
    } else {
        Vec::new()
    }
}

/// `user_password_change`: a `PasswordUpdateResult`; a password breaking the rules is reported
/// there (still 200) and not stored.
fn password_change(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let change: types::PasswordChange = parse_body(ctx.body)?;
    let errors = password_errors(&change.new_password);
    let success = errors.is_empty();
    if success {
        state.passwords.insert(id.to_owned(), change.new_password);
    }
    Ok(Reply::ok(
        json!({"success": success, "validationErrors": errors}),
    ))
}

// ---------------------------------------------------------------------------------------------
// Strong identification

/// `user_strongidentification_report`: the user is now strongly identified (method
/// `USER_API`); the new state is stored (also as the user's `strongIdentification`), appended to
/// the history, and returned.
fn strong_identification_report(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let report = typed_body::<types::StrongIdentificationReport>(ctx)?;
    if report
        .get("personalId")
        .and_then(Value::as_str)
        .is_none_or(|p| p.trim().is_empty())
    {
        return Err(bad_request("personalId must not be empty"));
    }
    let now = state::now();
    let entry_id = state.new_id();
    let extras = state.extras(id);
    let previous = extras.get("strongIdentification");
    let count = previous
        .and_then(|p| p.get("count"))
        .and_then(Value::as_i64)
        .unwrap_or(0)
        + 1;
    let first_time = previous
        .and_then(|p| p.get("firstTime"))
        .cloned()
        .unwrap_or_else(|| json!(now));
    let mut identification = json!({
        "identified": true,
        "method": "USER_API",
        "personalId": report.get("personalId"),
        "time": now,
        "firstTime": first_time,
        "count": count,
    });
    if let Some(remarks) = report.get("remarks").filter(|r| !r.is_null()) {
        identification["remarks"] = remarks.clone();
    }
    let mut entry = identification.clone();
    entry["id"] = json!(entry_id);
    extras.insert("strongIdentification".into(), identification.clone());
    let history = extras
        .entry("strongIdentificationHistory")
        .or_insert_with(|| json!([]));
    if let Some(history) = history.as_array_mut() {
        history.push(entry);
    }
    if let Some(user) = state.users.get_mut(id) {
        user["strongIdentification"] = identification.clone();
        user["meta"]["lastModified"] = json!(now);
    }
    Ok(Reply::ok(identification))
}

/// The user's strong identification history (oldest first).
fn history(state: &State, id: &str) -> Vec<Value> {
    extra(state, id, "strongIdentificationHistory")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// `user_strongidentification_history_list`: filtered, sorted and paged history entries.
fn history_list(state: &State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let entries = sorted(ctx, history(state, id))?;
    list(ctx, entries.iter(), "filter")
}

/// `user_strongidentification_history_get`: one history entry by id (404 otherwise).
fn history_get(state: &State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let entry_id = ctx.param("entryId");
    history(state, id)
        .into_iter()
        .find(|e| e.get("id").and_then(Value::as_str) == Some(entry_id))
        .map(Reply::ok)
        .ok_or_else(|| not_found("Strong identification history entry", entry_id))
}

// ---------------------------------------------------------------------------------------------
// Permissions and roles

/// The ids of an `IdChanges` list (absent or null: none); each must be a non-empty string.
fn ids(changes: &Map<String, Value>, field: &str) -> Result<Vec<String>, Reply> {
    match changes.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| bad_request(format!("Invalid id in {field}: {item}")))
            })
            .collect(),
        Some(other) => Err(bad_request(format!(
            "Invalid request body: {field} must be an array of ids, not {other}"
        ))),
    }
}

/// The stored id list `key` of a user, as a set.
fn id_set(state: &State, id: &str, key: &str) -> BTreeSet<String> {
    extra(state, id, key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Applies `IdChanges` (`add`, then `remove`; both may be absent or null, as the reference SDK
/// sends them) to the id list `key`; gives the resulting list, sorted.
fn id_list_update(state: &mut State, ctx: &Ctx<'_>, key: &str) -> Handled {
    let id = user_id(state, ctx)?;
    let changes = match parse_body::<Value>(ctx.body)? {
        Value::Object(map) => map,
        _ => return Err(bad_request("The request body must be a JSON object")),
    };
    let (add, remove) = (ids(&changes, "add")?, ids(&changes, "remove")?);
    let mut set = id_set(state, id, key);
    set.extend(add);
    for r in &remove {
        set.remove(r);
    }
    let result = json!(set);
    state.extras(id).insert(key.to_owned(), result.clone());
    Ok(Reply::ok(result))
}

/// `user_permissions_effective_get`: the custom permissions and those of the user's built-in
/// roles ([`ROLE_PERMISSIONS`]), sorted.
fn effective_permissions(state: &State, ctx: &Ctx<'_>) -> Handled {
    let id = user_id(state, ctx)?;
    let mut permissions = id_set(state, id, "permissions.custom");
    for role in id_set(state, id, "roles.builtin") {
        if let Some((_, granted)) = ROLE_PERMISSIONS.iter().find(|(r, _)| *r == role) {
            permissions.extend(granted.iter().map(|p| (*p).to_owned()));
        }
    }
    Ok(Reply::ok(json!(permissions)))
}

// ---------------------------------------------------------------------------------------------
// Namespace migration

/// A `keep*` option of a migration, with its default.
fn keep(options: &Map<String, Value>, name: &str, default: bool) -> bool {
    options
        .get(name)
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

/// `user_namespace_migrate`: moves the user to `targetNsCode` (which must exist and differ from
/// the current one; 400 otherwise) and gives the migrated user. `keepUserId` (default true)
/// keeps the id, else the user gets a new one (and its tokens are revoked); `keepProfile`,
/// `keepEmails`, `keepMobiles`, `keepConsents`, `keepCustomFields` and `keepPassword` (default
/// true) and `keepGroups` (default false: `memberOf` is cleared) choose what moves along;
/// `username` (unique, else 409) or a generated one; `userPassword` sets a new password.
fn namespace_migrate(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let old_id = user_id(state, ctx)?.to_owned();
    let mut user = users::get(state, &old_id)?;
    let options = typed_body::<types::NamespaceMigrationOptions>(ctx)?;
    let Some(target) = options.get("targetNsCode").and_then(Value::as_str) else {
        return Err(bad_request("targetNsCode is required"));
    };
    let target = namespaces::find(state, target)
        .map_err(|_| bad_request(format!("Namespace not found: {target}")))?
        .1["code"]
        .clone();
    if user.get("nsCode") == Some(&target) {
        return Err(bad_request(format!(
            "The user is already in namespace {}",
            target.as_str().unwrap_or_default()
        )));
    }
    let new_password = options.get("userPassword").and_then(Value::as_str);
    if let Some(error) = new_password.and_then(|p| password_errors(p).into_iter().next()) {
        return Err(bad_request(
            error["message"].as_str().unwrap_or("Invalid password"),
        ));
    }
    let new_id = if keep(&options, "keepUserId", true) {
        old_id.clone()
    } else {
        state.new_id()
    };
    let username = match options.get("username").and_then(Value::as_str) {
        Some(name) if !name.trim().is_empty() => name.to_owned(),
        _ => format!("u{}", &new_id[new_id.len().saturating_sub(8)..]),
    };
    if state.users.iter().any(|u| {
        u.get("username").and_then(Value::as_str) == Some(&username)
            && u.get("id").and_then(Value::as_str) != Some(&old_id)
    }) {
        return Err(Reply::error(
            409,
            format!("Username already in use: {username}"),
        ));
    }

    // Validated: migrate.
    let created = user.pointer("/meta/created").cloned();
    let Some(fields) = user.as_object_mut() else {
        return Err(Reply::error(500, "Stored user is not an object"));
    };
    if !keep(&options, "keepProfile", true) {
        for field in PROFILE_FIELDS {
            fields.remove(*field);
        }
    }
    for (option, field) in [
        ("keepEmails", "emails"),
        ("keepMobiles", "mobiles"),
        ("keepConsents", "consents"),
    ] {
        if !keep(&options, option, true) {
            fields.remove(field);
        }
    }
    if !keep(&options, "keepGroups", false) {
        fields.remove("memberOf");
    }
    fields.insert("id".into(), json!(new_id));
    fields.insert("nsCode".into(), target);
    fields.insert("username".into(), json!(username));
    fields.insert("meta".into(), ctx.meta("user", &new_id, created.as_ref()));
    let mut extras = state.user_extras.remove(&old_id).unwrap_or_default();
    if !keep(&options, "keepProfile", true) {
        extras.remove("legal");
        extras.remove("studentState");
    }
    if !keep(&options, "keepCustomFields", true) {
        extras.remove("customfields");
    }
    let old_password = state.passwords.remove(&old_id);
    let password = match new_password {
        Some(p) => Some(p.to_owned()),
        None if keep(&options, "keepPassword", true) => old_password,
        None => None,
    };
    if let Some(p) = password {
        state.passwords.insert(new_id.clone(), p);
    }
    if let Some(code) = state.sms_codes.remove(&old_id) {
        state.sms_codes.insert(new_id.clone(), code);
    }
    if new_id != old_id {
        state.users.remove(&old_id);
        state
            .access_tokens
            .retain(|_, t| t.user_id.as_deref() != Some(old_id.as_str()));
        state
            .refresh_tokens
            .retain(|_, t| t.user_id.as_deref() != Some(old_id.as_str()));
    }
    if !extras.is_empty() {
        state.user_extras.insert(new_id.clone(), extras);
    }
    state.users.put(&new_id, user.clone());
    Ok(Reply::ok(user))
}

// ---------------------------------------------------------------------------------------------
// Invitations

/// `invite_send`: one invitation email per address (200, no body). `emails` (non-empty, each an
/// address) and `nsCode` (an existing namespace) are required.
fn invite_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let invite = typed_body::<types::Invite>(ctx)?;
    let emails: Vec<String> = invite
        .get("emails")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            e.as_str()
                .filter(|s| s.contains('@'))
                .map(str::to_owned)
                .ok_or_else(|| bad_request(format!("Invalid email address: {e}")))
        })
        .collect::<Result<_, _>>()?;
    if emails.is_empty() {
        return Err(bad_request("At least one email address is required"));
    }
    let ns = invite
        .get("nsCode")
        .and_then(Value::as_str)
        .unwrap_or_default();
    namespaces::find(state, ns).map_err(|_| bad_request(format!("Namespace not found: {ns}")))?;
    let body = Value::Object(invite);
    for address in emails {
        push_email(state, "invite_send", vec![address], body.clone());
    }
    Ok(Reply::empty(200))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::ROLE_PERMISSIONS;
    use crate::fake::api::services::tests::{
        add_bare_user, call, expect, expect_error, rejected, setup,
    };
    use crate::fake::http::Reply;

    #[test]
    fn unknown_user_is_404_everywhere() {
        let (mut state, _) = setup();
        let requests: &[(&str, &str, &str)] = &[
            ("GET", "legal", ""),
            ("POST", "email/verify", "{}"),
            ("POST", "sms/verify/send", ""),
            ("POST", "sms/verify/check/123456", ""),
            ("POST", "sms/verify/sendLink", "{}"),
            ("GET", "enterprise", ""),
            ("PUT", "enterprise", "{}"),
            ("GET", "customfields", ""),
            ("POST", "customfields", "{}"),
            ("DELETE", "customfields", ""),
            ("GET", "password/requirements", ""),
            ("PUT", "password", r#"{"newPassword": "long enough"}"#),
            ("GET", "strongidentification", ""),
            (
                "POST",
                "strongidentification",
                r#"{"personalId": "010101-123N"}"#,
            ),
            ("GET", "strongidentification/history", ""),
            ("GET", "strongidentification/history/e1", ""),
            ("GET", "permissions/custom", ""),
            ("PUT", "permissions/custom", "{}"),
            ("GET", "permissions/effective", ""),
            ("GET", "roles/builtin", ""),
            ("PUT", "roles/builtin", "{}"),
            ("GET", "roles/custom", ""),
            ("PUT", "roles/custom", "{}"),
            ("POST", "migratenamespace", r#"{"targetNsCode": "other"}"#),
            ("GET", "student/state", ""),
            ("POST", "student/state", "{}"),
        ];
        for (method, path, body) in requests {
            rejected(
                &mut state,
                method,
                &format!("user/nope/{path}"),
                &[],
                body,
                404,
            );
        }
        assert!(state.user_extras.is_empty());
    }

    #[test]
    fn legal_and_enterprise() {
        let (mut state, alice) = setup();
        assert_eq!(
            expect(
                call(&mut state, "GET", &format!("user/{alice}/legal"), &[], ""),
                200
            ),
            json!({})
        );
        state.extras(&alice).insert(
            "legal".into(),
            json!({"firstNames": "Alice", "domicile": {"code": "091"}}),
        );
        let legal = expect(
            call(&mut state, "GET", &format!("user/{alice}/legal"), &[], ""),
            200,
        );
        assert_eq!(legal["firstNames"], "Alice");
        let profile = expect(
            call(&mut state, "GET", &format!("user/{alice}/profile"), &[], ""),
            200,
        );
        assert_eq!(profile["legalDomicileCode"], "091");

        let path = format!("user/{alice}/enterprise");
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({})
        );
        let stored = expect(
            call(
                &mut state,
                "PUT",
                &path,
                &[],
                r#"{"businessId": "1234567-8", "general": {"phone": "+3589"}, "x": 1}"#,
            ),
            200,
        );
        assert_eq!(stored["businessId"], "1234567-8");
        assert_eq!(stored["general"]["phone"], "+3589");
        assert!(stored["meta"]["created"].is_string());
        assert!(stored.get("x").is_none());
        assert_eq!(expect(call(&mut state, "GET", &path, &[], ""), 200), stored);
        rejected(&mut state, "PUT", &path, &[], r#"{"businessId": 5}"#, 400);
        rejected(&mut state, "PUT", &path, &[], "", 400);
    }

    #[test]
    fn email_verification() {
        let (mut state, alice) = setup();
        let path = format!("user/{alice}/email/verify");
        assert_eq!(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"returnURL": "https://app/"}"#
            ),
            Reply::empty(204)
        );
        let sent = &state.outbox.emails[0];
        assert_eq!(sent.operation, "user_email_verify");
        assert_eq!(sent.recipients, ["alice@example.com"]);
        assert_eq!(sent.body["returnURL"], "https://app/");
        assert!(
            sent.body["link"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:1/")
        );
        expect(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"value": "alice@example.com"}"#,
            ),
            204,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"value": "eve@example.com"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"expirationDays": "soon"}"#,
            400,
        );
        rejected(&mut state, "POST", &path, &[], "", 400);
        let bare = add_bare_user(&mut state, "bob");
        rejected(
            &mut state,
            "POST",
            &format!("user/{bare}/email/verify"),
            &[],
            "{}",
            400,
        );
    }

    #[test]
    fn sms_verification() {
        let (mut state, alice) = setup();
        let send = format!("user/{alice}/sms/verify/send");
        assert_eq!(call(&mut state, "POST", &send, &[], ""), Reply::empty(204));
        let code = state.sms_codes[&alice].clone();
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        let sent = &state.outbox.sms[0];
        assert_eq!(sent.operation, "user_sms_verify_send");
        assert_eq!(sent.recipients, ["+358401234567"]);
        assert!(sent.body["text"].as_str().unwrap().contains(&code));
        rejected(
            &mut state,
            "POST",
            &send,
            &[("mobile", "+358409999999")],
            "",
            400,
        );
        let bare = add_bare_user(&mut state, "bob");
        rejected(
            &mut state,
            "POST",
            &format!("user/{bare}/sms/verify/send"),
            &[],
            "",
            400,
        );

        let wrong = if code == "000000" { "111111" } else { "000000" };
        rejected(
            &mut state,
            "POST",
            &format!("user/{alice}/sms/verify/check/{wrong}"),
            &[],
            "",
            404,
        );
        let check = format!("user/{alice}/sms/verify/check/{code}");
        assert_eq!(call(&mut state, "POST", &check, &[], ""), Reply::empty(200));
        assert!(state.sms_codes.is_empty());
        assert_eq!(
            state.users.get(&alice).unwrap()["mobiles"][0]["verified"],
            true
        );
        // Used up.
        rejected(&mut state, "POST", &check, &[], "", 404);
        // Never sent.
        expect_error(
            call(
                &mut state,
                "POST",
                &format!("user/{bare}/sms/verify/check/1"),
                &[],
                "",
            ),
            404,
        );

        expect(
            call(
                &mut state,
                "POST",
                &send,
                &[("mobile", "+358401234567")],
                "",
            ),
            204,
        );
        assert_eq!(state.outbox.sms.len(), 2);

        let link = format!("user/{alice}/sms/verify/sendLink");
        assert_eq!(
            call(
                &mut state,
                "POST",
                &link,
                &[],
                r#"{"returnURL": "https://app/"}"#
            ),
            Reply::empty(204)
        );
        let sent = state.outbox.sms.last().unwrap();
        assert_eq!(sent.operation, "user_sms_verify_link_send");
        assert_eq!(sent.recipients, ["+358401234567"]);
        rejected(&mut state, "POST", &link, &[], r#"{"value": "+1555"}"#, 400);
        rejected(&mut state, "POST", &link, &[], r#"{"value": 5}"#, 400);
        rejected(
            &mut state,
            "POST",
            &format!("user/{bare}/sms/verify/sendLink"),
            &[],
            "{}",
            400,
        );
    }

    #[test]
    fn custom_fields() {
        let (mut state, alice) = setup();
        let path = format!("user/{alice}/customfields");
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({})
        );
        assert_eq!(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"a": 1, "b": {"c": true}}"#
            ),
            Reply::empty(200)
        );
        expect(
            call(&mut state, "POST", &path, &[], r#"{"a": 2, "d": "x"}"#),
            200,
        );
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({"a": 2, "b": {"c": true}, "d": "x"})
        );
        rejected(&mut state, "POST", &path, &[], r#"{"a.b": 1}"#, 400);
        rejected(&mut state, "POST", &path, &[], r#"{"$set": 1}"#, 400);
        rejected(&mut state, "POST", &path, &[], "[1]", 400);
        rejected(&mut state, "POST", &path, &[], "{", 400);
        assert_eq!(
            call(&mut state, "DELETE", &path, &[], ""),
            Reply::empty(204)
        );
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({})
        );
    }

    #[test]
    fn passwords() {
        let (mut state, alice) = setup();
        let requirements = expect(
            call(
                &mut state,
                "GET",
                &format!("user/{alice}/password/requirements"),
                &[],
                "",
            ),
            200,
        );
        assert_eq!(requirements["minLength"], 8);
        assert_eq!(requirements["maxLength"], 128);
        let path = format!("user/{alice}/password");
        let short = expect(
            call(&mut state, "PUT", &path, &[], r#"{"newPassword": "short"}"#),
            200,
        );
        assert_eq!(short["success"], false);
        assert_eq!(short["validationErrors"][0]["code"], "TOO_SHORT");
        assert!(short["validationErrors"][0]["message"].is_string());
        assert_eq!(state.passwords[&alice], "alice-password");
        let long = json!({"newPassword": "x".repeat(129)}).to_string();
        let long = expect(call(&mut state, "PUT", &path, &[], &long), 200);
        assert_eq!(long["validationErrors"][0]["code"], "TOO_LONG");
        assert_eq!(state.passwords[&alice], "alice-password");
        let ok = expect(
            call(
                &mut state,
                "PUT",
                &path,
                &[],
                r#"{"newPassword": "a new password", "x": 1}"#,
            ),
            200,
        );
        assert_eq!(ok, json!({"success": true, "validationErrors": []}));
        assert_eq!(state.passwords[&alice], "a new password");
        rejected(&mut state, "PUT", &path, &[], "{}", 400);
        rejected(
            &mut state,
            "PUT",
            &path,
            &[],
            r#"{"newPassword": 12345678}"#,
            400,
        );
    }

    #[test]
    fn strong_identification() {
        let (mut state, alice) = setup();
        let path = format!("user/{alice}/strongidentification");
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({"identified": false})
        );
        let first = expect(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"personalId": "010101-123N", "remarks": null}"#,
            ),
            200,
        );
        assert_eq!(first["identified"], true);
        assert_eq!(first["personalId"], "010101-123N");
        assert_eq!(first["count"], 1);
        assert!(first["time"].is_string());
        let second = expect(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"personalId": "010101-123N", "remarks": "again"}"#,
            ),
            200,
        );
        assert_eq!(second["count"], 2);
        assert_eq!(second["firstTime"], first["firstTime"]);
        assert_eq!(expect(call(&mut state, "GET", &path, &[], ""), 200), second);
        assert_eq!(
            state.users.get(&alice).unwrap()["strongIdentification"],
            second
        );
        rejected(&mut state, "POST", &path, &[], r#"{"remarks": "x"}"#, 400);
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"personalId": " "}"#,
            400,
        );

        let history = expect(
            call(&mut state, "GET", &format!("{path}/history"), &[], ""),
            200,
        );
        assert_eq!(history["totalResults"], 2);
        let entry = history["resources"][1].clone();
        assert_eq!(entry["remarks"], "again");
        let newest_first = expect(
            call(
                &mut state,
                "GET",
                &format!("{path}/history"),
                &[
                    ("sortBy", "count"),
                    ("ascending", "descending"),
                    ("count", "1"),
                ],
                "",
            ),
            200,
        );
        assert_eq!(newest_first["resources"], json!([entry]));
        rejected(
            &mut state,
            "GET",
            &format!("{path}/history"),
            &[("startIndex", "-1")],
            "",
            400,
        );
        let id = entry["id"].as_str().unwrap();
        assert_eq!(
            expect(
                call(&mut state, "GET", &format!("{path}/history/{id}"), &[], ""),
                200
            ),
            entry
        );
        rejected(
            &mut state,
            "GET",
            &format!("{path}/history/nope"),
            &[],
            "",
            404,
        );
    }

    #[test]
    fn permissions_and_roles() {
        let (mut state, alice) = setup();
        for kind in ["permissions/custom", "roles/builtin", "roles/custom"] {
            let path = format!("user/{alice}/{kind}");
            assert_eq!(
                expect(call(&mut state, "GET", &path, &[], ""), 200),
                json!([])
            );
            let added = expect(
                call(
                    &mut state,
                    "PUT",
                    &path,
                    &[],
                    r#"{"add": ["B", "A", "C"], "remove": null}"#,
                ),
                200,
            );
            assert_eq!(added, json!(["A", "B", "C"]));
            let changed = expect(
                call(
                    &mut state,
                    "PUT",
                    &path,
                    &[],
                    r#"{"add": null, "remove": ["B", "Z"]}"#,
                ),
                200,
            );
            assert_eq!(changed, json!(["A", "C"]));
            assert_eq!(
                expect(call(&mut state, "GET", &path, &[], ""), 200),
                changed
            );
            rejected(&mut state, "PUT", &path, &[], r#"{"add": "A"}"#, 400);
            rejected(&mut state, "PUT", &path, &[], r#"{"add": ["D", 1]}"#, 400);
            rejected(&mut state, "PUT", &path, &[], r#"{"add": [""]}"#, 400);
            rejected(&mut state, "PUT", &path, &[], "[]", 400);
            rejected(&mut state, "PUT", &path, &[], "", 400);
        }
        let effective = format!("user/{alice}/permissions/effective");
        assert_eq!(
            expect(call(&mut state, "GET", &effective, &[], ""), 200),
            json!(["A", "C"])
        );
        expect(
            call(
                &mut state,
                "PUT",
                &format!("user/{alice}/roles/builtin"),
                &[],
                r#"{"add": ["ADMIN"]}"#,
            ),
            200,
        );
        let permissions = expect(call(&mut state, "GET", &effective, &[], ""), 200);
        let admin = ROLE_PERMISSIONS
            .iter()
            .find(|(r, _)| *r == "ADMIN")
            .unwrap()
            .1;
        for p in admin.iter().chain(&["A", "C"]) {
            assert!(permissions.as_array().unwrap().contains(&json!(p)), "{p}");
        }
        let mut sorted = permissions.as_array().unwrap().clone();
        sorted.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        assert_eq!(json!(sorted), permissions);
    }

    #[test]
    fn namespace_migration_keeping_the_id() {
        let (mut state, alice) = setup();
        state
            .extras(&alice)
            .insert("customfields".into(), json!({"a": 1}));
        let path = format!("user/{alice}/migratenamespace");
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"targetNsCode": "nowhere"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"targetNsCode": "fake"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"keepUserId": true}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"targetNsCode": "other", "keepEmails": "no"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"targetNsCode": "other", "userPassword": "short"}"#,
            400,
        );
        add_bare_user(&mut state, "taken");
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"targetNsCode": "other", "username": "taken"}"#,
            409,
        );

        let user = expect(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"targetNsCode": "other", "username": "alice2", "keepMobiles": false,
                    "keepCustomFields": false}"#,
            ),
            200,
        );
        assert_eq!(user["id"], json!(alice));
        assert_eq!(user["nsCode"], "other");
        assert_eq!(user["username"], "alice2");
        assert_eq!(user["emails"][0]["address"], "alice@example.com");
        assert!(user.get("mobiles").is_none());
        assert_eq!(user["meta"]["created"], "2024-01-01T00:00:00.000Z");
        assert_eq!(state.users.get(&alice).unwrap(), &user);
        assert_eq!(state.passwords[&alice], "alice-password");
        assert_eq!(
            expect(
                call(
                    &mut state,
                    "GET",
                    &format!("user/{alice}/customfields"),
                    &[],
                    ""
                ),
                200
            ),
            json!({})
        );
    }

    #[test]
    fn namespace_migration_with_a_new_id() {
        let (mut state, alice) = setup();
        state
            .extras(&alice)
            .insert("customfields".into(), json!({"a": 1}));
        state.users.get_mut(&alice).unwrap()["memberOf"] = json!(["g"]);
        let user = expect(
            call(
                &mut state,
                "POST",
                &format!("user/{alice}/migratenamespace"),
                &[],
                r#"{"targetNsCode": "other", "keepUserId": false, "keepProfile": false,
                    "userPassword": "brand new password"}"#,
            ),
            200,
        );
        let new_id = user["id"].as_str().unwrap().to_owned();
        assert_ne!(new_id, alice);
        assert!(state.users.get(&alice).is_none());
        assert!(!state.passwords.contains_key(&alice));
        assert_eq!(state.passwords[&new_id], "brand new password");
        assert!(user.get("name").is_none());
        assert!(user.get("memberOf").is_none());
        assert_ne!(user["username"], "alice");
        assert_eq!(user["nsCode"], "other");
        assert!(
            user["meta"]["location"]
                .as_str()
                .unwrap()
                .ends_with(&new_id)
        );
        assert_eq!(
            expect(
                call(
                    &mut state,
                    "GET",
                    &format!("user/{new_id}/customfields"),
                    &[],
                    ""
                ),
                200
            ),
            json!({"a": 1})
        );
        expect_error(
            call(&mut state, "GET", &format!("user/{alice}"), &[], ""),
            404,
        );
    }

    #[test]
    fn student_state() {
        let (mut state, alice) = setup();
        let path = format!("user/{alice}/student/state");
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({"state": "UNKNOWN"})
        );
        let stored = expect(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"state": "FULL_TIME", "studentFrom": "2024-09-01", "x": 1}"#,
            ),
            200,
        );
        assert_eq!(stored["state"], "FULL_TIME");
        assert_eq!(stored["studentFrom"], "2024-09-01");
        assert!(stored["updated"].is_string());
        assert!(stored.get("x").is_none());
        assert_eq!(expect(call(&mut state, "GET", &path, &[], ""), 200), stored);
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"studentFrom": "September"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"lastQuerySuccess": "yes"}"#,
            400,
        );
    }

    #[test]
    fn invitations() {
        let (mut state, _) = setup();
        let invite = r#"{"emails": ["a@example.com", "b@example.com"], "nsCode": "fake",
                         "locale": "fi", "x": 1}"#;
        assert_eq!(
            call(&mut state, "POST", "invite/user", &[], invite),
            Reply::empty(200)
        );
        let sent = &state.outbox.emails;
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].operation, "invite_send");
        assert_eq!(sent[0].recipients, ["a@example.com"]);
        assert_eq!(sent[1].recipients, ["b@example.com"]);
        assert_eq!(sent[0].body["nsCode"], "fake");
        assert!(sent[0].body.get("x").is_none());
        for bad in [
            r#"{"emails": ["a@example.com"], "nsCode": "nowhere"}"#,
            r#"{"emails": ["a@example.com"]}"#,
            r#"{"nsCode": "fake"}"#,
            r#"{"emails": null, "nsCode": "fake"}"#,
            r#"{"emails": [], "nsCode": "fake"}"#,
            r#"{"emails": ["not an address"], "nsCode": "fake"}"#,
            r#"{"emails": "a@example.com", "nsCode": "fake"}"#,
            "{",
        ] {
            rejected(&mut state, "POST", "invite/user", &[], bad, 400);
        }
    }
}
