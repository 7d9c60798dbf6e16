//! Data storages, My Data, profiles, email, email templates and SMS.
//!
//! - Data storages keep their metadata in `State::datastorages` and their data (one JSON object
//!   per storage) in `State::datastorage_data`. Keys are MongoDB keys on the real service: they
//!   must not contain `.` nor start with `$` (at any depth), and a storage holds at most 16 MB
//!   of data. `size` is the length of the serialized data (0 when there is none).
//! - My Data: `mydata_request` collects a package (status `READY` at once) with one entry, the
//!   user's information, whose `dataId` `mydata_data_get` serves as raw JSON bytes. (The dataId
//!   `user` itself is unreachable: `/mydata/user` is `mydata_user_get`.)
//! - Email templates are seeded lazily: the first request to an `emailtemplate_*` operation
//!   adds the templates of [`seed_templates`] (the API cannot create templates).
//! - Everything "sent" goes to `State::outbox`.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::user_extras::extra;
use super::{Ctx, groups, list, typed_body, users};
use crate::fake::filter::Filter;
use crate::fake::http::{Body, Handled, Reply, bad_request, not_found};
use crate::fake::state::{self, SentMessage, State};
use crate::types;

/// The most data one storage holds (MongoDB's document size limit, as the service documents).
const MAX_DATA_BYTES: usize = 16 * 1024 * 1024;

/// The regions `sms_region_list` answers.
const SMS_REGIONS: &[&str] = &[
    "AT", "BE", "CH", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "IE", "IS", "IT", "LT", "LV", "NL",
    "NO", "PL", "PT", "SE",
];

/// Handles these operations; `None` for other operations.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Option<Handled> {
    if ctx.op.starts_with("emailtemplate_") && state.email_templates.len() == 0 {
        seed_templates(state);
    }
    Some(match ctx.op {
        "datastorage_list" => ds_list(state, ctx),
        "datastorage_create" => ds_create(state, ctx),
        "datastorage_get" => ds_get(state, ctx.param("dsId")).map(Reply::ok),
        "datastorage_update" => ds_update(state, ctx),
        "datastorage_delete" => ds_delete(state, ctx),
        "datastorage_data_get" => ds_data_get(state, ctx),
        "datastorage_data_update" => ds_data_update(state, ctx),
        "datastorage_value_get" => ds_value_get(state, ctx),
        "datastorage_value_update" => ds_value_update(state, ctx),
        "datastorage_value_delete" => ds_value_delete(state, ctx),
        "mydata_get" => mydata_get(state, ctx),
        "mydata_request" => mydata_request(state, ctx),
        "mydata_user_get" => users::get(state, ctx.param("userId")).map(Reply::ok),
        "mydata_data_get" => mydata_data_get(state, ctx),
        "profile_get" => {
            users::get(state, ctx.param("userId")).map(|user| Reply::ok(profile_of(state, &user)))
        }
        "profile_update" => profile_update(state, ctx),
        "email_send" => email_send(state, ctx),
        "user_email_send" => user_email_send(state, ctx),
        "group_email_send" => group_email_send(state, ctx),
        "emailtemplate_list" => template_list(state, ctx),
        "emailtemplate_get" => template_get(state, ctx.param("emailTemplateId")).map(Reply::ok),
        "emailtemplate_send" => template_send(state, ctx),
        "sms_send" => sms_send(state, ctx),
        "user_sms_send" => user_sms_send(state, ctx),
        "sms_region_list" => Ok(Reply::ok(json!(SMS_REGIONS))),
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with user_extras.rs

/// Records an email in the outbox.
pub(crate) fn push_email(state: &mut State, operation: &str, recipients: Vec<String>, body: Value) {
    state.outbox.emails.push(SentMessage {
        operation: operation.to_owned(),
        recipients,
        body,
    });
}

/// Records an SMS message in the outbox.
pub(crate) fn push_sms(state: &mut State, operation: &str, recipients: Vec<String>, body: Value) {
    state.outbox.sms.push(SentMessage {
        operation: operation.to_owned(),
        recipients,
        body,
    });
}

/// The user's email addresses, the primary (first) one first.
pub(crate) fn emails_of(user: &Value) -> Vec<String> {
    strings_at(user, "emails", "address")
}

/// The user's mobile numbers, the primary (first) one first.
pub(crate) fn mobiles_of(user: &Value) -> Vec<String> {
    strings_at(user, "mobiles", "number")
}

/// The non-empty strings `field` of the objects in the array `list` of `value`.
fn strings_at(value: &Value, list: &str, field: &str) -> Vec<String> {
    value
        .get(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| item.get(field).and_then(Value::as_str))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Checks MongoDB's rules for keys (no `.`, no leading `$`, not empty) in `map`, at any depth.
pub(crate) fn check_keys(map: &Map<String, Value>) -> Result<(), Reply> {
    for (key, value) in map {
        check_key(key)?;
        check_nested_keys(value)?;
    }
    Ok(())
}

/// Checks the keys of the objects inside `value`.
fn check_nested_keys(value: &Value) -> Result<(), Reply> {
    match value {
        Value::Object(map) => check_keys(map),
        Value::Array(items) => items.iter().try_for_each(check_nested_keys),
        _ => Ok(()),
    }
}

/// Checks one key: not empty, no `.`, no leading `$`.
pub(crate) fn check_key(key: &str) -> Result<(), Reply> {
    if key.is_empty() {
        return Err(bad_request("Keys must not be empty"));
    }
    if key.contains('.') {
        return Err(bad_request(format!(
            "Invalid key '{key}': keys must not contain '.'"
        )));
    }
    if key.starts_with('$') {
        return Err(bad_request(format!(
            "Invalid key '{key}': keys must not start with '$'"
        )));
    }
    Ok(())
}

/// A filter query parameter, parsed (`None` when absent or blank).
fn filter_param(ctx: &Ctx<'_>, name: &str) -> Result<Option<Filter>, Reply> {
    ctx.query(name)
        .filter(|f| !f.trim().is_empty())
        .map(Filter::parse)
        .transpose()
        .map_err(|e| bad_request(format!("Invalid filter: {e}")))
}

/// `items` sorted by the `sortBy` attribute (a dotted path) in the `ascending` direction
/// (`ascending`, the default, or `descending`); without `sortBy`, in creation order (reversed
/// when descending). Missing values sort last in ascending order.
pub(crate) fn sorted(ctx: &Ctx<'_>, items: Vec<Value>) -> Result<Vec<Value>, Reply> {
    let descending = match ctx.query("ascending") {
        None | Some("ascending") => false,
        Some("descending") => true,
        Some(other) => {
            return Err(bad_request(format!(
                "Invalid value for ascending: {other} (ascending or descending)"
            )));
        }
    };
    Ok(sort_by_attribute(ctx, items, descending))
}

/// `items` sorted by the `sortBy` attribute (a dotted path), descending or not; without
/// `sortBy`, in creation order (reversed when descending). Missing values sort last in
/// ascending order.
pub(crate) fn sort_by_attribute(
    ctx: &Ctx<'_>,
    mut items: Vec<Value>,
    descending: bool,
) -> Vec<Value> {
    match ctx.query("sortBy").map(str::trim).filter(|s| !s.is_empty()) {
        Some(attribute) => {
            let pointer = format!("/{}", attribute.replace('.', "/"));
            items.sort_by(|a, b| {
                let order = compare(a.pointer(&pointer), b.pointer(&pointer));
                if descending { order.reverse() } else { order }
            });
        }
        None if descending => items.reverse(),
        None => {}
    }
    items
}

/// Orders two attribute values: numbers numerically, strings and booleans naturally, other
/// values by their JSON text; missing or null values last.
pub(crate) fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Data storages

/// The stored data storage with this id, or a 404.
fn ds_get(state: &State, id: &str) -> Result<Value, Reply> {
    state
        .datastorages
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("Data storage", id))
}

/// The serialized size of a storage's data (0 when it holds none).
fn data_size(data: &Map<String, Value>) -> usize {
    if data.is_empty() {
        0
    } else {
        serde_json::to_vec(data)
            .map(|v| v.len())
            .unwrap_or_default()
    }
}

/// Checks that `data` fits in a storage; gives its size.
fn check_size(data: &Map<String, Value>) -> Result<usize, Reply> {
    let size = data_size(data);
    if size > MAX_DATA_BYTES {
        return Err(bad_request(format!(
            "The data is too large: {size} bytes (at most {MAX_DATA_BYTES})"
        )));
    }
    Ok(size)
}

/// Replaces the data of storage `id` (already validated) and updates its `size`.
fn set_data(state: &mut State, id: &str, data: Map<String, Value>, size: usize) {
    if let Some(ds) = state.datastorages.get_mut(id) {
        ds["size"] = json!(size);
    }
    state.datastorage_data.insert(id.to_owned(), data);
}

/// The data of storage `id` (empty when none was stored).
fn data_of(state: &State, id: &str) -> Map<String, Value> {
    state.datastorage_data.get(id).cloned().unwrap_or_default()
}

/// `datastorage_list`: `dsfilter` over the storages, `datafilter` over their data.
fn ds_list(state: &State, ctx: &Ctx<'_>) -> Handled {
    let data_filter = filter_param(ctx, "datafilter")?;
    let matching: Vec<&Value> = state
        .datastorages
        .iter()
        .filter(|ds| {
            data_filter.as_ref().is_none_or(|f| {
                let id = ds.get("id").and_then(Value::as_str).unwrap_or_default();
                f.matches(&Value::Object(data_of(state, id)))
            })
        })
        .collect();
    list(ctx, matching.into_iter(), "dsfilter")
}

/// Checks a storage's name: present (when `required`) and not empty.
fn check_name(ds: &Map<String, Value>, required: bool) -> Result<(), Reply> {
    match ds.get("name").and_then(Value::as_str) {
        Some(name) if name.trim().is_empty() => Err(bad_request("A data storage needs a name")),
        None if required => Err(bad_request("A data storage needs a name")),
        _ => Ok(()),
    }
}

/// `datastorage_create`: a new, empty storage (201).
fn ds_create(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let mut ds = typed_body::<types::DataStorage>(ctx)?;
    check_name(&ds, true)?;
    let id = state.new_id();
    ds.insert("id".into(), json!(id));
    ds.insert("size".into(), json!(0));
    let ds = Value::Object(ds);
    state.datastorages.put(&id, ds.clone());
    state.datastorage_data.insert(id, Map::new());
    Ok(Reply::created(ds))
}

/// `datastorage_update`: replaces the storage's fields; keeps its id, owner, size and data.
fn ds_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("dsId");
    let old = ds_get(state, id)?;
    let mut ds = typed_body::<types::DataStorage>(ctx)?;
    check_name(&ds, false)?;
    ds.entry("name").or_insert_with(|| old["name"].clone());
    ds.insert("id".into(), json!(id));
    match old.get("ownerId") {
        Some(owner) => ds.insert("ownerId".into(), owner.clone()),
        None => ds.remove("ownerId"),
    };
    ds.insert("size".into(), old.get("size").cloned().unwrap_or(json!(0)));
    let ds = Value::Object(ds);
    state.datastorages.put(id, ds.clone());
    Ok(Reply::ok(ds))
}

/// `datastorage_delete`: the storage and its data (204).
fn ds_delete(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("dsId");
    state
        .datastorages
        .remove(id)
        .ok_or_else(|| not_found("Data storage", id))?;
    state.datastorage_data.remove(id);
    Ok(Reply::empty(204))
}

/// `datastorage_data_get`: all data (`{}` when none).
fn ds_data_get(state: &State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("dsId");
    ds_get(state, id)?;
    Ok(Reply::ok(Value::Object(data_of(state, id))))
}

/// `datastorage_data_update`: replaces all data with a JSON object (204).
fn ds_data_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("dsId");
    ds_get(state, id)?;
    let data = typed_body::<types::JsonObject>(ctx)?;
    check_keys(&data)?;
    let size = check_size(&data)?;
    set_data(state, id, data, size);
    Ok(Reply::empty(204))
}

/// `datastorage_value_get`: `{"value": ...}` of one key (404 when absent).
fn ds_value_get(state: &State, ctx: &Ctx<'_>) -> Handled {
    let (id, key) = (ctx.param("dsId"), ctx.param("key"));
    ds_get(state, id)?;
    check_key(key)?;
    state
        .datastorage_data
        .get(id)
        .and_then(|data| data.get(key))
        .map(|value| Reply::ok(json!({ "value": value })))
        .ok_or_else(|| not_found("Key", key))
}

/// `datastorage_value_update`: sets one key from a `DataStorageValue` (204).
fn ds_value_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let (id, key) = (ctx.param("dsId"), ctx.param("key"));
    ds_get(state, id)?;
    check_key(key)?;
    let mut body = typed_body::<types::DataStorageValue>(ctx)?;
    let value = body.remove("value").unwrap_or(Value::Null);
    check_nested_keys(&value)?;
    let mut data = data_of(state, id);
    data.insert(key.to_owned(), value);
    let size = check_size(&data)?;
    set_data(state, id, data, size);
    Ok(Reply::empty(204))
}

/// `datastorage_value_delete`: removes one key (204; 404 when absent).
fn ds_value_delete(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let (id, key) = (ctx.param("dsId"), ctx.param("key"));
    ds_get(state, id)?;
    check_key(key)?;
    let mut data = data_of(state, id);
    data.remove(key).ok_or_else(|| not_found("Key", key))?;
    let size = data_size(&data);
    set_data(state, id, data, size);
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------------------------------------
// My Data

/// `mydata_get`: the package `mydata_request` collected (404 before that).
fn mydata_get(state: &State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    users::get(state, id)?;
    extra(state, id, "mydata")
        .cloned()
        .map(Reply::ok)
        .ok_or_else(|| not_found("My Data package of user", id))
}

/// `mydata_request`: collects a new package of the user's data, ready at once.
fn mydata_request(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    let user = users::get(state, id)?;
    let package_id = state.new_id();
    let data_id = state.new_id();
    let now = state::now();
    let package = json!({
        "id": package_id,
        "userId": id,
        "status": "READY",
        "collectingStartedOn": now,
        "collectedOn": now,
        "dataEntries": [{
            "code": "USER",
            "status": "READY",
            "backendSystemName": "Trivore ID",
            "backendSystem": "TRIVORE_ID",
            "mimeType": "application/json",
            "account": id,
            "updatedOn": now,
            "dataId": data_id,
        }],
    });
    let extras = state.extras(id);
    extras.insert("mydata".into(), package.clone());
    extras.insert("mydataFiles".into(), json!({ data_id: user }));
    Ok(Reply::ok(package))
}

/// `mydata_data_get`: the raw bytes of one entry of the collected package.
fn mydata_data_get(state: &State, ctx: &Ctx<'_>) -> Handled {
    let (id, data_id) = (ctx.param("userId"), ctx.param("dataId"));
    users::get(state, id)?;
    let file = extra(state, id, "mydataFiles")
        .and_then(|files| files.get(data_id))
        .ok_or_else(|| not_found("My Data entry", data_id))?;
    let bytes = serde_json::to_vec(file).unwrap_or_default();
    Ok(Reply {
        status: 200,
        body: Body::Raw(bytes, "application/octet-stream"),
        headers: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------------
// Profiles

/// The user's fields a profile shows as they are.
const PROFILE_FIELDS: &[&str] = &[
    "name",
    "nickName",
    "addresses",
    "locale",
    "timeZone",
    "dateOfBirth",
    "minor",
    "consents",
    "domicileCode",
];

/// The profile of a user: its profile fields, emails and mobiles with their verification status,
/// and the legal addresses and domicile of its legal information.
fn profile_of(state: &State, user: &Value) -> Value {
    let mut profile = Map::new();
    for field in PROFILE_FIELDS {
        if let Some(value) = user.get(*field).filter(|v| !v.is_null()) {
            profile.insert((*field).to_owned(), value.clone());
        }
    }
    for (list, key) in [("emails", "address"), ("mobiles", "number")] {
        if let Some(items) = user.get(list).and_then(Value::as_array) {
            let items: Vec<Value> = items
                .iter()
                .map(|item| {
                    let verified = item.get("verified").and_then(Value::as_bool);
                    let mut entry = json!({ "verified": verified.unwrap_or(false) });
                    if let Some(value) = item.get(key).filter(|v| v.is_string()) {
                        entry[key] = value.clone();
                    }
                    entry
                })
                .collect();
            profile.insert(list.to_owned(), json!(items));
        }
    }
    if let Some(modified) = user.pointer("/meta/lastModified") {
        profile.insert("lastModified".into(), modified.clone());
    }
    let legal = user
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| extra(state, id, "legal"));
    if let Some(addresses) = legal
        .and_then(|l| l.get("addresses"))
        .filter(|a| a.is_array())
    {
        profile.insert("legalAddresses".into(), addresses.clone());
    }
    if let Some(code) = legal.and_then(|l| l.pointer("/domicile/code")) {
        profile.insert("legalDomicileCode".into(), code.clone());
    }
    Value::Object(profile)
}

/// Merges profile contacts (`emails`/`mobiles`) into the user's: a known address keeps its
/// stored entry (and verification), a new one is unverified.
fn merge_contacts(
    old: Option<&Value>,
    new: &[Value],
    key: &str,
    what: &str,
) -> Result<Value, Reply> {
    let old = old.and_then(Value::as_array).cloned().unwrap_or_default();
    let mut merged = Vec::new();
    for item in new {
        let Some(value) = item
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            return Err(bad_request(format!("Every {what} needs a {key}")));
        };
        let entry = old
            .iter()
            .find(|o| o.get(key).and_then(Value::as_str) == Some(value))
            .cloned()
            .unwrap_or_else(|| json!({ key: value, "verified": false }));
        merged.push(entry);
    }
    Ok(Value::Array(merged))
}

/// `profile_update`: writes the profile's fields back to the user (fields absent from the body
/// are unchanged; `lastModified`, `legalAddresses` and `legalDomicileCode` are read-only).
fn profile_update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    let mut user = users::get(state, id)?;
    let profile = typed_body::<types::Profile>(ctx)?;
    let emails = match profile.get("emails").and_then(Value::as_array) {
        Some(new) => Some(merge_contacts(user.get("emails"), new, "address", "email")?),
        None => None,
    };
    let mobiles = match profile.get("mobiles").and_then(Value::as_array) {
        Some(new) => Some(merge_contacts(
            user.get("mobiles"),
            new,
            "number",
            "mobile",
        )?),
        None => None,
    };
    for field in PROFILE_FIELDS {
        if let Some(value) = profile.get(*field) {
            user[*field] = value.clone();
        }
    }
    if let Some(emails) = emails {
        user["emails"] = emails;
    }
    if let Some(mobiles) = mobiles {
        user["mobiles"] = mobiles;
    }
    user["meta"] = ctx.meta("user", id, user.pointer("/meta/created"));
    state.users.put(id, user.clone());
    Ok(Reply::ok(profile_of(state, &user)))
}

// ---------------------------------------------------------------------------------------------
// Email

/// The addresses of a list of `EmailAddress`es (`field` of the email); each needs an address.
fn addresses(email: &Map<String, Value>, field: &str) -> Result<Vec<String>, Reply> {
    email
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|a| {
            a.get("address")
                .and_then(Value::as_str)
                .filter(|s| s.contains('@'))
                .map(str::to_owned)
                .ok_or_else(|| bad_request(format!("Invalid email address in {field}")))
        })
        .collect()
}

/// `email_send`: to every To, Cc and Bcc address; `to` must not be empty.
fn email_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let email = typed_body::<types::Email>(ctx)?;
    let to = addresses(&email, "to")?;
    if to.is_empty() {
        return Err(bad_request(
            "The email needs at least one recipient in 'to'",
        ));
    }
    let mut recipients = to;
    recipients.extend(addresses(&email, "cc")?);
    recipients.extend(addresses(&email, "bcc")?);
    push_email(state, "email_send", recipients, Value::Object(email));
    Ok(Reply::empty(200))
}

/// `user_email_send`: to the user's primary email address.
fn user_email_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    let user = users::get(state, id)?;
    let email = typed_body::<types::Email>(ctx)?;
    let Some(address) = emails_of(&user).into_iter().next() else {
        return Err(bad_request(format!("User {id} has no email address")));
    };
    push_email(
        state,
        "user_email_send",
        vec![address],
        Value::Object(email),
    );
    Ok(Reply::empty(200))
}

/// `group_email_send`: to the primary address of every user whose `memberOf` names the group
/// (by id or name); nothing is sent when no member has an address.
fn group_email_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let group = groups::get(state, ctx.param("groupId"))?;
    let email = typed_body::<types::Email>(ctx)?;
    let keys = [group.get("id"), group.get("name")];
    let recipients: Vec<String> = state
        .users
        .iter()
        .filter(|u| {
            u.get("memberOf")
                .and_then(Value::as_array)
                .is_some_and(|m| m.iter().any(|g| keys.contains(&Some(g))))
        })
        .filter_map(|u| emails_of(u).into_iter().next())
        .collect();
    if !recipients.is_empty() {
        push_email(state, "group_email_send", recipients, Value::Object(email));
    }
    Ok(Reply::empty(200))
}

// ---------------------------------------------------------------------------------------------
// Email templates

/// Adds the fake's email templates, `welcome` and `reset` (done lazily by the first request to
/// an `emailtemplate_*` operation when there are none).
pub(crate) fn seed_templates(state: &mut State) {
    let templates = [
        (
            "welcome",
            "Welcome message for new users",
            "Welcome, {{name}}",
            "Hello {{name}}, welcome to {{service}}.",
        ),
        (
            "reset",
            "Password reset instructions",
            "Reset your password",
            "Hello {{name}}, reset your password at {{link}}.",
        ),
    ];
    for (name, description, subject, text) in templates {
        let id = state.new_id();
        state.email_templates.put(
            &id,
            json!({
                "id": id,
                "name": name,
                "description": description,
                "templateEngine": "PEBBLE",
                "defaultLocale": "en",
                "defaultTimeZone": "Europe/Helsinki",
                "subjectTemplate": subject,
                "textTemplate": text,
                "htmlTemplate": format!("<p>{text}</p>"),
                "localeProperties": {"en": {"service": "Trivore ID"}},
                "namespaceIds": [],
            }),
        );
    }
}

/// The email template with this id, or a 404.
fn template_get(state: &State, id: &str) -> Result<Value, Reply> {
    state
        .email_templates
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("Email template", id))
}

/// `emailtemplate_list`: filtered, sorted (`sortBy`, `ascending`) and paged.
fn template_list(state: &State, ctx: &Ctx<'_>) -> Handled {
    let items = sorted(ctx, state.email_templates.iter().cloned().collect())?;
    list(ctx, items.iter(), "filter")
}

/// Replaces `{{key}}` (spaces allowed inside the braces) with the properties' values.
fn render(template: &str, properties: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let key = rest[start + 2..start + len].trim();
        match properties.get(key) {
            Some(Value::String(s)) => out.push_str(s),
            Some(other) => out.push_str(&other.to_string()),
            None => {}
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The properties object `field` of `value` (empty when absent); keys must not contain `.`.
fn properties(value: &Value, field: &str) -> Result<Map<String, Value>, Reply> {
    let properties = value
        .get(field)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(key) = properties.keys().find(|k| k.contains('.')) {
        return Err(bad_request(format!(
            "Invalid property '{key}': property names must not contain '.'"
        )));
    }
    Ok(properties)
}

/// `emailtemplate_send`: one email per recipient (its `emailAddress`, or the primary address of
/// its `userId`), rendered with the template's default-locale properties, the options'
/// properties and the recipient's (204).
fn template_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("emailTemplateId");
    let template = template_get(state, id)?;
    let options = Value::Object(typed_body::<types::SendMessageOptions>(ctx)?);
    let recipients = options
        .get("recipients")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| bad_request("At least one recipient is required"))?;
    let mut base = template
        .get("defaultLocale")
        .and_then(Value::as_str)
        .and_then(|locale| template.pointer(&format!("/localeProperties/{locale}")))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    base.extend(properties(&options, "properties")?);
    let mut messages = Vec::new();
    for recipient in recipients {
        let user = match recipient.get("userId").and_then(Value::as_str) {
            Some(user_id) => Some(
                users::get(state, user_id)
                    .map_err(|_| bad_request(format!("Recipient user not found: {user_id}")))?,
            ),
            None => None,
        };
        let address = recipient
            .get("emailAddress")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| user.as_ref().and_then(|u| emails_of(u).into_iter().next()))
            .ok_or_else(|| bad_request("A recipient needs an emailAddress or a user with one"))?;
        let mut props = base.clone();
        if let Some(user) = &user {
            let name = user
                .pointer("/name/givenName")
                .or_else(|| user.get("username"))
                .cloned()
                .unwrap_or(Value::Null);
            props.insert("name".into(), name);
        }
        props.extend(properties(recipient, "properties")?);
        let field = |name: &str| {
            render(
                template
                    .get(name)
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
                &props,
            )
        };
        let body = json!({
            "templateId": id,
            "templateName": template.get("name"),
            "recipient": recipient,
            "locale": recipient.get("preferredLocale").or(options.get("preferredLocale")),
            "subject": field("subjectTemplate"),
            "text": field("textTemplate"),
            "html": field("htmlTemplate"),
            "properties": props,
        });
        messages.push((address, body));
    }
    for (address, body) in messages {
        push_email(state, "emailtemplate_send", vec![address], body);
    }
    Ok(Reply::empty(204))
}

// ---------------------------------------------------------------------------------------------
// SMS

/// Checks an SMS message: a valid recipient number, sender (at most 11 characters when
/// alphanumeric, 16 digits when numeric), message class 0-3, hex `data`/`udh`, and some content.
/// Gives the recipient number without spaces and dashes.
fn check_sms(sms: &Map<String, Value>) -> Result<String, Reply> {
    let to: String = sms
        .get("to")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let digits = to.strip_prefix('+').unwrap_or(&to);
    if !(5..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad_request(format!(
            "Invalid phone number: {}",
            sms.get("to").and_then(Value::as_str).unwrap_or_default()
        )));
    }
    if let Some(from) = sms.get("from").and_then(Value::as_str) {
        let numeric = from.strip_prefix('+').unwrap_or(from);
        let ok = if numeric.chars().all(|c| c.is_ascii_digit()) {
            !numeric.is_empty() && numeric.len() <= 16
        } else {
            !from.is_empty() && from.chars().count() <= 11
        };
        if !ok {
            return Err(bad_request(format!("Invalid sender: {from}")));
        }
    }
    if let Some(class) = sms.get("messageClass").and_then(Value::as_i64)
        && !(0..=3).contains(&class)
    {
        return Err(bad_request("messageClass must be 0, 1, 2 or 3"));
    }
    for field in ["data", "udh"] {
        if let Some(hex) = sms.get(field).and_then(Value::as_str)
            && (hex.len() % 2 != 0 || !hex.chars().all(|c| c.is_ascii_hexdigit()))
        {
            return Err(bad_request(format!("{field} must be hex-encoded")));
        }
    }
    let has = |field: &str| {
        sms.get(field)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    if !has("text") && !has("data") {
        return Err(bad_request("The message needs text or data"));
    }
    Ok(to)
}

/// Records a checked SMS message and gives its `SmsSendResult`: status `OK`, a message id, and
/// the number of parts (160 characters in one, 153 per part when longer).
fn send_sms(state: &mut State, operation: &str, mut sms: Map<String, Value>, to: String) -> Reply {
    sms.insert("to".into(), json!(to));
    let length = sms
        .get("text")
        .and_then(Value::as_str)
        .map(|t| t.chars().count())
        .unwrap_or_default();
    let parts = if length <= 160 {
        1
    } else {
        length.div_ceil(153)
    };
    let mut result = json!({
        "status": "OK",
        "messageId": state.new_id(),
        "to": to,
        "messageCount": parts,
    });
    for field in ["toRegion", "clientRef", "billingRef", "carrierRef"] {
        if let Some(value) = sms.get(field) {
            result[field] = value.clone();
        }
    }
    push_sms(state, operation, vec![to], Value::Object(sms));
    Reply::ok(result)
}

/// `sms_send`: to the message's `to`.
fn sms_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let sms = typed_body::<types::SmsMessage>(ctx)?;
    let to = check_sms(&sms)?;
    Ok(send_sms(state, "sms_send", sms, to))
}

/// `user_sms_send`: to the user's primary mobile number (the body's `to` is replaced).
fn user_sms_send(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    let user = users::get(state, id)?;
    let mut sms = typed_body::<types::SmsMessage>(ctx)?;
    let Some(mobile) = mobiles_of(&user).into_iter().next() else {
        return Err(bad_request(format!("User {id} has no mobile number")));
    };
    sms.insert("to".into(), json!(mobile));
    let to = check_sms(&sms)?;
    Ok(send_sms(state, "user_sms_send", sms, to))
}

#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::fake::api::handle;

    /// A state with namespaces `fake` and `other`, and the user `alice` (email, mobile,
    /// password) in `fake`; gives the state and alice's id.
    pub(crate) fn setup() -> (State, String) {
        let mut state = State::default();
        for code in ["fake", "other"] {
            let id = state.new_id();
            state
                .namespaces
                .put(&id, json!({"id": id, "code": code, "name": code}));
        }
        let id = state.new_id();
        state.users.put(
            &id,
            json!({"id": id, "username": "alice", "nsCode": "fake",
                   "name": {"givenName": "Alice", "familyName": "Example"},
                   "emails": [{"address": "alice@example.com", "verified": true, "tags": ["work"]}],
                   "mobiles": [{"number": "+358401234567", "verified": false}],
                   "locale": "en",
                   "meta": {"created": "2024-01-01T00:00:00.000Z",
                            "lastModified": "2024-01-01T00:00:00.000Z"}}),
        );
        state.passwords.insert(id.clone(), "alice-password".into());
        (state, id)
    }

    /// Adds a user with only a username (no email, no mobile); gives its id.
    pub(crate) fn add_bare_user(state: &mut State, username: &str) -> String {
        let id = state.new_id();
        state.users.put(
            &id,
            json!({"id": id, "username": username, "nsCode": "fake"}),
        );
        id
    }

    /// Sends one request to the Management API of the fake.
    pub(crate) fn call(
        state: &mut State,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let query = query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        handle(
            state,
            method,
            &format!("/api/rest/v1/{path}"),
            query,
            body.as_bytes(),
            "http://127.0.0.1:1",
        )
    }

    /// Asserts a status and gives the JSON body (`Null` when there is none).
    pub(crate) fn expect(reply: Reply, status: u16) -> Value {
        assert_eq!(reply.status, status, "{:?}", reply.body);
        match reply.body {
            Body::Json(value) => value,
            _ => Value::Null,
        }
    }

    /// Asserts an error reply: its status and the service's error body.
    pub(crate) fn expect_error(reply: Reply, status: u16) {
        let value = expect(reply, status);
        assert_eq!(value["statusCode"], json!(status), "{value}");
        assert!(value["errorMessage"].is_string(), "{value}");
    }

    /// A map as JSON with its keys sorted.
    fn sorted_map<V: serde::Serialize>(
        map: &std::collections::HashMap<String, V>,
    ) -> std::collections::BTreeMap<String, Value> {
        map.iter()
            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap()))
            .collect()
    }

    /// Everything a request may change, for checking that rejected requests change nothing.
    pub(crate) fn snapshot(state: &State) -> Value {
        let messages = |m: &[SentMessage]| -> Vec<Value> {
            m.iter()
                .map(|m| json!([m.operation, m.recipients, m.body]))
                .collect()
        };
        json!({
            "users": state.users.iter().collect::<Vec<_>>(),
            "namespaces": state.namespaces.iter().collect::<Vec<_>>(),
            "groups": state.groups.iter().collect::<Vec<_>>(),
            "passwords": sorted_map(&state.passwords),
            "extras": sorted_map(&state.user_extras),
            "datastorages": state.datastorages.iter().collect::<Vec<_>>(),
            "data": sorted_map(&state.datastorage_data),
            "templates": state.email_templates.iter().collect::<Vec<_>>(),
            "emails": messages(&state.outbox.emails),
            "sms": messages(&state.outbox.sms),
            "codes": sorted_map(&state.sms_codes),
        })
    }

    /// Asserts that the request is rejected with `status` and changes nothing.
    pub(crate) fn rejected(
        state: &mut State,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        request: &str,
        status: u16,
    ) {
        let before = snapshot(state);
        expect_error(call(state, method, path, query, request), status);
        assert_eq!(
            snapshot(state),
            before,
            "{method} {path} {request} changed the state"
        );
    }

    /// Creates a data storage; gives its id.
    fn create_storage(state: &mut State, name: &str) -> String {
        let ds = expect(
            call(
                state,
                "POST",
                "datastorage",
                &[],
                &json!({"name": name}).to_string(),
            ),
            201,
        );
        ds["id"].as_str().unwrap().to_owned()
    }

    #[test]
    fn datastorage_crud() {
        let (mut state, _) = setup();
        let created = expect(
            call(
                &mut state,
                "POST",
                "datastorage",
                &[],
                r#"{"name": "prefs", "description": "d", "ownerId": "o1", "size": 99,
                    "readAccess": ["g1"], "bogus": 1}"#,
            ),
            201,
        );
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 24);
        assert_eq!(created["name"], "prefs");
        assert_eq!(created["ownerId"], "o1");
        assert_eq!(created["size"], 0);
        assert_eq!(created["readAccess"], json!(["g1"]));
        assert!(created.get("bogus").is_none());
        let got = expect(
            call(&mut state, "GET", &format!("datastorage/{id}"), &[], ""),
            200,
        );
        assert_eq!(got, created);

        rejected(
            &mut state,
            "POST",
            "datastorage",
            &[],
            r#"{"description": "x"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "datastorage",
            &[],
            r#"{"name": ""}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "datastorage",
            &[],
            r#"{"name": 5}"#,
            400,
        );
        rejected(&mut state, "POST", "datastorage", &[], "{", 400);
        rejected(&mut state, "GET", "datastorage/nope", &[], "", 404);

        let updated = expect(
            call(
                &mut state,
                "PUT",
                &format!("datastorage/{id}"),
                &[],
                r#"{"id": "other", "description": "new", "ownerId": "o2"}"#,
            ),
            200,
        );
        assert_eq!(updated["id"], json!(id));
        assert_eq!(updated["name"], "prefs");
        assert_eq!(updated["ownerId"], "o1");
        assert_eq!(updated["description"], "new");
        assert!(updated.get("readAccess").is_none());
        rejected(
            &mut state,
            "PUT",
            &format!("datastorage/{id}"),
            &[],
            r#"{"name": ""}"#,
            400,
        );
        rejected(
            &mut state,
            "PUT",
            &format!("datastorage/{id}"),
            &[],
            "[]",
            400,
        );
        rejected(
            &mut state,
            "PUT",
            "datastorage/nope",
            &[],
            r#"{"name": "x"}"#,
            404,
        );

        expect(
            call(&mut state, "DELETE", &format!("datastorage/{id}"), &[], ""),
            204,
        );
        assert!(state.datastorage_data.is_empty());
        rejected(
            &mut state,
            "GET",
            &format!("datastorage/{id}"),
            &[],
            "",
            404,
        );
        rejected(
            &mut state,
            "DELETE",
            &format!("datastorage/{id}"),
            &[],
            "",
            404,
        );
    }

    #[test]
    fn datastorage_data() {
        let (mut state, _) = setup();
        let id = create_storage(&mut state, "s");
        let path = format!("datastorage/{id}/data");
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({})
        );
        let data = json!({"a": 1, "b": {"c": [1, {"d": null}]}});
        assert_eq!(
            call(&mut state, "PUT", &path, &[], &data.to_string()),
            Reply::empty(204)
        );
        assert_eq!(expect(call(&mut state, "GET", &path, &[], ""), 200), data);
        let ds = expect(
            call(&mut state, "GET", &format!("datastorage/{id}"), &[], ""),
            200,
        );
        assert_eq!(ds["size"], json!(data.to_string().len()));

        rejected(&mut state, "PUT", &path, &[], "[1, 2]", 400);
        rejected(&mut state, "PUT", &path, &[], "\"text\"", 400);
        rejected(&mut state, "PUT", &path, &[], "", 400);
        rejected(&mut state, "PUT", &path, &[], r#"{"a.b": 1}"#, 400);
        rejected(&mut state, "PUT", &path, &[], r#"{"a": [{"$b": 1}]}"#, 400);
        rejected(&mut state, "PUT", "datastorage/nope/data", &[], "{}", 404);
        rejected(&mut state, "GET", "datastorage/nope/data", &[], "", 404);
        let big = format!(r#"{{"a": "{}"}}"#, "x".repeat(MAX_DATA_BYTES));
        rejected(&mut state, "PUT", &path, &[], &big, 400);

        // Replaces everything.
        expect(call(&mut state, "PUT", &path, &[], r#"{"z": true}"#), 204);
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            json!({"z": true})
        );
    }

    #[test]
    fn datastorage_values() {
        let (mut state, _) = setup();
        let id = create_storage(&mut state, "s");
        let key = |k: &str| format!("datastorage/{id}/data/{k}");
        rejected(&mut state, "GET", &key("a"), &[], "", 404);
        expect(
            call(
                &mut state,
                "PUT",
                &key("a"),
                &[],
                r#"{"value": {"x": [1]}, "extra": 1}"#,
            ),
            204,
        );
        expect(
            call(&mut state, "PUT", &key("n"), &[], r#"{"value": null}"#),
            204,
        );
        assert_eq!(
            expect(call(&mut state, "GET", &key("a"), &[], ""), 200),
            json!({"value": {"x": [1]}})
        );
        assert_eq!(
            expect(call(&mut state, "GET", &key("n"), &[], ""), 200),
            json!({"value": null})
        );
        // Percent-encoded keys are decoded.
        expect(
            call(&mut state, "PUT", &key("sp%20ace"), &[], r#"{"value": 2}"#),
            204,
        );
        assert_eq!(state.datastorage_data[&id]["sp ace"], json!(2));

        rejected(&mut state, "PUT", &key("a.b"), &[], r#"{"value": 1}"#, 400);
        rejected(&mut state, "GET", &key("a.b"), &[], "", 400);
        rejected(&mut state, "DELETE", &key("a.b"), &[], "", 400);
        rejected(&mut state, "PUT", &key("%24x"), &[], r#"{"value": 1}"#, 400);
        rejected(&mut state, "PUT", &key("b"), &[], r#"{"other": 1}"#, 400);
        rejected(
            &mut state,
            "PUT",
            &key("b"),
            &[],
            r#"{"value": {"c.d": 1}}"#,
            400,
        );
        rejected(&mut state, "PUT", &key("b"), &[], "nope", 400);
        rejected(
            &mut state,
            "PUT",
            "datastorage/nope/data/a",
            &[],
            r#"{"value": 1}"#,
            404,
        );
        rejected(&mut state, "GET", "datastorage/nope/data/a", &[], "", 404);
        rejected(
            &mut state,
            "DELETE",
            "datastorage/nope/data/a",
            &[],
            "",
            404,
        );
        let big = format!(r#"{{"value": "{}"}}"#, "x".repeat(MAX_DATA_BYTES));
        rejected(&mut state, "PUT", &key("big"), &[], &big, 400);

        expect(call(&mut state, "DELETE", &key("a"), &[], ""), 204);
        rejected(&mut state, "GET", &key("a"), &[], "", 404);
        rejected(&mut state, "DELETE", &key("a"), &[], "", 404);
        let data = expect(
            call(
                &mut state,
                "GET",
                &format!("datastorage/{id}/data"),
                &[],
                "",
            ),
            200,
        );
        assert_eq!(data, json!({"n": null, "sp ace": 2}));
    }

    #[test]
    fn datastorage_list_pages_and_filters() {
        let (mut state, _) = setup();
        for name in ["a", "b", "c"] {
            create_storage(&mut state, name);
        }
        let page = expect(
            call(
                &mut state,
                "GET",
                "datastorage",
                &[("startIndex", "1"), ("count", "1")],
                "",
            ),
            200,
        );
        assert_eq!(page["totalResults"], 3);
        assert_eq!(page["itemsPerPage"], 1);
        assert_eq!(page["resources"][0]["name"], "b");
        let all = expect(
            call(
                &mut state,
                "GET",
                "datastorage",
                &[("dsfilter", " "), ("datafilter", "")],
                "",
            ),
            200,
        );
        assert_eq!(all["totalResults"], 3);
        rejected(&mut state, "GET", "datastorage", &[("count", "x")], "", 400);
        rejected(
            &mut state,
            "GET",
            "datastorage",
            &[("datafilter", "((")],
            "",
            400,
        );

        let first = state.datastorages.iter().next().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        expect(
            call(
                &mut state,
                "PUT",
                &format!("datastorage/{first}/data"),
                &[],
                r#"{"color": "red"}"#,
            ),
            204,
        );
        let red = expect(
            call(
                &mut state,
                "GET",
                "datastorage",
                &[("datafilter", r#"color eq "red""#)],
                "",
            ),
            200,
        );
        assert_eq!(red["totalResults"], 1);
        assert_eq!(red["resources"][0]["id"], json!(first));
        let named = expect(
            call(
                &mut state,
                "GET",
                "datastorage",
                &[("dsfilter", r#"name eq "c""#)],
                "",
            ),
            200,
        );
        assert_eq!(named["totalResults"], 1);
        assert_eq!(named["resources"][0]["name"], "c");
    }

    #[test]
    fn mydata() {
        let (mut state, alice) = setup();
        let path = format!("user/{alice}/mydata");
        rejected(&mut state, "GET", &path, &[], "", 404);
        let package = expect(call(&mut state, "POST", &path, &[], ""), 200);
        assert_eq!(package["userId"], json!(alice));
        assert_eq!(package["status"], "READY");
        assert!(package["collectedOn"].is_string());
        let data_id = package["dataEntries"][0]["dataId"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            package
        );

        let user = expect(
            call(&mut state, "GET", &format!("{path}/user"), &[], ""),
            200,
        );
        assert_eq!(user["username"], "alice");
        let raw = call(&mut state, "GET", &format!("{path}/{data_id}"), &[], "");
        assert_eq!(raw.status, 200);
        let Body::Raw(bytes, content_type) = raw.body else {
            panic!("not raw: {:?}", raw.body)
        };
        assert_eq!(content_type, "application/octet-stream");
        assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), user);
        rejected(&mut state, "GET", &format!("{path}/nope"), &[], "", 404);

        for (method, path) in [
            ("GET", "user/nope/mydata"),
            ("POST", "user/nope/mydata"),
            ("GET", "user/nope/mydata/user"),
            ("GET", &format!("user/nope/mydata/{data_id}")),
        ] {
            rejected(&mut state, method, path, &[], "", 404);
        }
    }

    #[test]
    fn profile() {
        let (mut state, alice) = setup();
        let path = format!("user/{alice}/profile");
        let profile = expect(call(&mut state, "GET", &path, &[], ""), 200);
        assert_eq!(profile["name"]["givenName"], "Alice");
        assert_eq!(
            profile["emails"],
            json!([{"address": "alice@example.com", "verified": true}])
        );
        assert_eq!(
            profile["mobiles"],
            json!([{"number": "+358401234567", "verified": false}])
        );
        assert_eq!(profile["locale"], "en");
        assert_eq!(profile["lastModified"], "2024-01-01T00:00:00.000Z");

        let updated = expect(
            call(
                &mut state,
                "PUT",
                &path,
                &[],
                r#"{"nickName": "Ali", "timeZone": "Europe/Helsinki", "dateOfBirth": "1990-02-03",
                    "emails": [{"address": "new@example.com", "verified": true},
                               {"address": "alice@example.com"}],
                    "consents": {"marketingEmail": true}, "unknown": 1}"#,
            ),
            200,
        );
        assert_eq!(updated["nickName"], "Ali");
        assert_eq!(
            updated["emails"],
            json!([{"address": "new@example.com", "verified": false},
                   {"address": "alice@example.com", "verified": true}])
        );
        let user = state.users.get(&alice).unwrap();
        assert_eq!(user["timeZone"], "Europe/Helsinki");
        assert_eq!(user["dateOfBirth"], "1990-02-03");
        assert_eq!(user["emails"][1]["tags"], json!(["work"]));
        assert_eq!(user["mobiles"][0]["number"], "+358401234567");
        assert_eq!(user["name"]["givenName"], "Alice");
        assert_ne!(user["meta"]["lastModified"], "2024-01-01T00:00:00.000Z");
        assert_eq!(user["meta"]["created"], "2024-01-01T00:00:00.000Z");
        assert_eq!(
            expect(call(&mut state, "GET", &path, &[], ""), 200),
            updated
        );

        rejected(
            &mut state,
            "PUT",
            &path,
            &[],
            r#"{"emails": [{"verified": true}]}"#,
            400,
        );
        rejected(&mut state, "PUT", &path, &[], r#"{"nickName": 5}"#, 400);
        rejected(
            &mut state,
            "PUT",
            &path,
            &[],
            r#"{"dateOfBirth": "yesterday"}"#,
            400,
        );
        rejected(&mut state, "GET", "user/nope/profile", &[], "", 404);
        rejected(&mut state, "PUT", "user/nope/profile", &[], "{}", 404);
    }

    #[test]
    fn email() {
        let (mut state, alice) = setup();
        let email = r#"{"to": [{"address": "a@example.com"}], "cc": [{"address": "c@example.com"}],
                        "subject": "Hi", "text": "Hello", "x": 1}"#;
        assert_eq!(
            call(&mut state, "POST", "email/send", &[], email),
            Reply::empty(200)
        );
        let sent = &state.outbox.emails[0];
        assert_eq!(sent.operation, "email_send");
        assert_eq!(sent.recipients, ["a@example.com", "c@example.com"]);
        assert_eq!(sent.body["subject"], "Hi");
        assert!(sent.body.get("x").is_none());
        rejected(&mut state, "POST", "email/send", &[], r#"{"to": []}"#, 400);
        rejected(
            &mut state,
            "POST",
            "email/send",
            &[],
            r#"{"subject": "x"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "email/send",
            &[],
            r#"{"to": [{"name": "n"}]}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "email/send",
            &[],
            r#"{"to": "a@example.com"}"#,
            400,
        );

        let path = format!("user/{alice}/email/send");
        expect(
            call(&mut state, "POST", &path, &[], r#"{"subject": "S"}"#),
            200,
        );
        let sent = state.outbox.emails.last().unwrap();
        assert_eq!(sent.operation, "user_email_send");
        assert_eq!(sent.recipients, ["alice@example.com"]);
        rejected(&mut state, "POST", &path, &[], "{", 400);
        rejected(&mut state, "POST", "user/nope/email/send", &[], "{}", 404);
        let bare = add_bare_user(&mut state, "bob");
        rejected(
            &mut state,
            "POST",
            &format!("user/{bare}/email/send"),
            &[],
            "{}",
            400,
        );
    }

    #[test]
    fn group_email() {
        let (mut state, alice) = setup();
        let group = expect(
            call(&mut state, "POST", "group", &[], r#"{"name": "staff"}"#),
            201,
        );
        let gid = group["id"].as_str().unwrap().to_owned();
        let path = format!("group/{gid}/email/send");
        // No members yet: nothing is sent.
        expect(
            call(&mut state, "POST", &path, &[], r#"{"subject": "S"}"#),
            200,
        );
        assert!(state.outbox.emails.is_empty());
        state.users.get_mut(&alice).unwrap()["memberOf"] = json!([gid]);
        let carol = state.new_id();
        state.users.put(
            &carol,
            json!({"id": carol, "username": "carol", "memberOf": ["staff"],
                   "emails": [{"address": "carol@example.com"}]}),
        );
        add_bare_user(&mut state, "dave");
        expect(
            call(&mut state, "POST", &path, &[], r#"{"subject": "S"}"#),
            200,
        );
        let sent = &state.outbox.emails[0];
        assert_eq!(sent.operation, "group_email_send");
        assert_eq!(sent.recipients, ["alice@example.com", "carol@example.com"]);
        rejected(&mut state, "POST", "group/nope/email/send", &[], "{}", 404);
        rejected(&mut state, "POST", &path, &[], r#"{"subject": 1}"#, 400);
    }

    #[test]
    fn email_templates() {
        let (mut state, alice) = setup();
        let page = expect(call(&mut state, "GET", "emailtemplate", &[], ""), 200);
        assert_eq!(page["totalResults"], 2);
        let names = |page: &Value| -> Vec<String> {
            page["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(names(&page), ["welcome", "reset"]);
        let asc = expect(
            call(
                &mut state,
                "GET",
                "emailtemplate",
                &[("sortBy", "name")],
                "",
            ),
            200,
        );
        assert_eq!(names(&asc), ["reset", "welcome"]);
        let desc = expect(
            call(
                &mut state,
                "GET",
                "emailtemplate",
                &[
                    ("sortBy", "name"),
                    ("ascending", "descending"),
                    ("count", "1"),
                ],
                "",
            ),
            200,
        );
        assert_eq!(names(&desc), ["welcome"]);
        assert_eq!(desc["totalResults"], 2);
        rejected(
            &mut state,
            "GET",
            "emailtemplate",
            &[("ascending", "up")],
            "",
            400,
        );

        let welcome = page["resources"][0].clone();
        let id = welcome["id"].as_str().unwrap().to_owned();
        assert_eq!(
            expect(
                call(&mut state, "GET", &format!("emailtemplate/{id}"), &[], ""),
                200
            ),
            welcome
        );
        rejected(&mut state, "GET", "emailtemplate/nope", &[], "", 404);

        let path = format!("emailtemplate/{id}/send");
        let options = json!({"recipients": [
            {"emailAddress": "x@example.com", "properties": {"name": "Xavier"}},
            {"userId": alice}],
            "properties": {"service": "Test"}});
        assert_eq!(
            call(&mut state, "POST", &path, &[], &options.to_string()),
            Reply::empty(204)
        );
        let sent = &state.outbox.emails;
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].operation, "emailtemplate_send");
        assert_eq!(sent[0].recipients, ["x@example.com"]);
        assert_eq!(sent[0].body["templateId"], json!(id));
        assert_eq!(sent[0].body["subject"], "Welcome, Xavier");
        assert_eq!(sent[0].body["text"], "Hello Xavier, welcome to Test.");
        assert_eq!(sent[1].recipients, ["alice@example.com"]);
        assert_eq!(sent[1].body["subject"], "Welcome, Alice");

        rejected(&mut state, "POST", &path, &[], r#"{"recipients": []}"#, 400);
        rejected(&mut state, "POST", &path, &[], "{}", 400);
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"recipients": [{"userId": "nope"}]}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            &path,
            &[],
            r#"{"recipients": [{"preferredLocale": "fi"}]}"#,
            400,
        );
        let dotted =
            r#"{"recipients": [{"emailAddress": "x@example.com"}], "properties": {"a.b": 1}}"#;
        rejected(&mut state, "POST", &path, &[], dotted, 400);
        // A bad second recipient sends nothing to the first.
        let mixed = r#"{"recipients": [{"emailAddress": "x@example.com"}, {"userId": "nope"}]}"#;
        rejected(&mut state, "POST", &path, &[], mixed, 400);
        rejected(
            &mut state,
            "POST",
            "emailtemplate/nope/send",
            &[],
            r#"{"recipients": [{"emailAddress": "x@example.com"}]}"#,
            404,
        );
    }

    #[test]
    fn sms() {
        let (mut state, alice) = setup();
        let result = expect(
            call(
                &mut state,
                "POST",
                "sms/send",
                &[],
                r#"{"to": "+358 40 111 2222", "text": "Hi", "clientRef": "c1", "x": 1}"#,
            ),
            200,
        );
        assert_eq!(result["status"], "OK");
        assert_eq!(result["to"], "+358401112222");
        assert_eq!(result["messageCount"], 1);
        assert_eq!(result["clientRef"], "c1");
        assert!(result["messageId"].is_string());
        let sent = &state.outbox.sms[0];
        assert_eq!(sent.operation, "sms_send");
        assert_eq!(sent.recipients, ["+358401112222"]);
        assert_eq!(sent.body["text"], "Hi");
        let long = json!({"to": "0401112222", "text": "x".repeat(200)}).to_string();
        assert_eq!(
            expect(call(&mut state, "POST", "sms/send", &[], &long), 200)["messageCount"],
            2
        );

        rejected(
            &mut state,
            "POST",
            "sms/send",
            &[],
            r#"{"text": "Hi"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "sms/send",
            &[],
            r#"{"to": "call me", "text": "Hi"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "sms/send",
            &[],
            r#"{"to": "+358401112222"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "sms/send",
            &[],
            r#"{"to": "+358401112222", "text": "Hi", "from": "TwelveLetter"}"#,
            400,
        );
        rejected(
            &mut state,
            "POST",
            "sms/send",
            &[],
            r#"{"to": "+358401112222", "data": "xyz"}"#,
            400,
        );

        let path = format!("user/{alice}/sms/send");
        let result = expect(
            call(
                &mut state,
                "POST",
                &path,
                &[],
                r#"{"to": "+1", "text": "Hello"}"#,
            ),
            200,
        );
        assert_eq!(result["to"], "+358401234567");
        let sent = state.outbox.sms.last().unwrap();
        assert_eq!(sent.operation, "user_sms_send");
        assert_eq!(sent.recipients, ["+358401234567"]);
        rejected(&mut state, "POST", &path, &[], r#"{"text": "Hello"}"#, 400);
        rejected(
            &mut state,
            "POST",
            "user/nope/sms/send",
            &[],
            r#"{"to": "1", "text": "x"}"#,
            404,
        );
        let bare = add_bare_user(&mut state, "bob");
        rejected(
            &mut state,
            "POST",
            &format!("user/{bare}/sms/send"),
            &[],
            r#"{"to": "1", "text": "x"}"#,
            400,
        );

        let regions = expect(call(&mut state, "GET", "sms/regions", &[], ""), 200);
        assert!(regions.as_array().unwrap().contains(&json!("FI")));
    }

    #[test]
    fn sorting_and_rendering() {
        let ctx = |query: &[(&str, &str)]| Ctx {
            op: "emailtemplate_list",
            params: Default::default(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            body: b"",
            base: "",
        };
        let items = vec![
            json!({"n": 2, "s": "b"}),
            json!({"s": "a"}),
            json!({"n": 10, "s": "c", "o": {"k": "z"}}),
        ];
        let by = |q: &[(&str, &str)]| -> Vec<Value> { sorted(&ctx(q), items.clone()).unwrap() };
        assert_eq!(
            by(&[("sortBy", "n")]),
            [items[0].clone(), items[2].clone(), items[1].clone()]
        );
        assert_eq!(
            by(&[("sortBy", "n"), ("ascending", "descending")]),
            [items[1].clone(), items[2].clone(), items[0].clone()]
        );
        assert_eq!(by(&[("sortBy", "o.k")])[0], items[2]);
        assert_eq!(by(&[("ascending", "descending")])[0], items[2]);
        assert_eq!(by(&[]), items);
        assert_eq!(
            render(
                "{{a}}-{{ b }}-{{c}}",
                json!({"a": "x", "b": 1}).as_object().unwrap()
            ),
            "x-1-"
        );
    }
}
