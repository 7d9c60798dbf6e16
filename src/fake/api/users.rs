//! Users: create, read, update, delete, list (with filter and paging).

use serde_json::{Value, json};

use super::{Ctx, list, typed_body};
use crate::fake::http::{Handled, Reply, bad_request, not_found};
use crate::fake::state::State;
use crate::types;

/// Handles the user CRUD operations; `None` for other operations.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Option<Handled> {
    Some(match ctx.op {
        "user_list" => list(ctx, state.users.iter(), "filter"),
        "user_create" => create(state, ctx),
        "user_get" => get(state, ctx.param("userId")).map(Reply::ok),
        "user_update" => update(state, ctx),
        "user_delete" => delete(state, ctx),
        _ => return None,
    })
}

/// The stored user with this id, or a 404.
pub(crate) fn get(state: &State, id: &str) -> Result<Value, Reply> {
    state
        .users
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("User", id))
}

fn check_namespace(state: &State, user: &serde_json::Map<String, Value>) -> Result<(), Reply> {
    if let Some(ns) = user.get("nsCode").and_then(Value::as_str)
        && !state
            .namespaces
            .iter()
            .any(|n| n.get("code").and_then(Value::as_str) == Some(ns))
    {
        return Err(bad_request(format!("Namespace not found: {ns}")));
    }
    Ok(())
}

fn username_taken(state: &State, username: &str, except: Option<&str>) -> bool {
    state.users.iter().any(|u| {
        u.get("username").and_then(Value::as_str) == Some(username)
            && u.get("id").and_then(Value::as_str) != except
    })
}

fn create(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let mut user = typed_body::<types::User>(ctx)?;
    check_namespace(state, &user)?;
    let password = match user.remove("password") {
        Some(Value::String(p)) => Some(p),
        _ => None,
    };
    if let Some(p) = &password
        && p.chars().count() < 8
    {
        return Err(bad_request(
            "Password is too short: at least 8 characters are required",
        ));
    }
    let id = state.new_id();
    let username = match user.get("username").and_then(Value::as_str) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => format!("u{}", &id[16..]),
    };
    if username_taken(state, &username, None) {
        return Err(Reply::error(
            409,
            format!("Username already in use: {username}"),
        ));
    }
    user.insert("id".into(), json!(id));
    user.insert("username".into(), json!(username));
    user.insert("meta".into(), ctx.meta("user", &id, None));
    let user = Value::Object(user);
    state.users.put(&id, user.clone());
    if let Some(p) = password {
        state.passwords.insert(id, p);
    }
    Ok(Reply::created(user))
}

fn update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    let old = get(state, id)?;
    let mut user = typed_body::<types::User>(ctx)?;
    check_namespace(state, &user)?;
    // The password changes only through user_password_change.
    user.remove("password");
    if let Some(name) = user.get("username").and_then(Value::as_str)
        && username_taken(state, name, Some(id))
    {
        return Err(Reply::error(
            409,
            format!("Username already in use: {name}"),
        ));
    }
    user.entry("username")
        .or_insert_with(|| old["username"].clone());
    user.insert("id".into(), json!(id));
    user.insert(
        "meta".into(),
        ctx.meta("user", id, old.pointer("/meta/created")),
    );
    let user = Value::Object(user);
    state.users.put(id, user.clone());
    Ok(Reply::ok(user))
}

fn delete(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("userId");
    state
        .users
        .remove(id)
        .ok_or_else(|| not_found("User", id))?;
    state.passwords.remove(id);
    state.user_extras.remove(id);
    #[cfg(feature = "extension")]
    super::extension::remove_user(state, id);
    state
        .access_tokens
        .retain(|_, t| t.user_id.as_deref() != Some(id));
    state
        .refresh_tokens
        .retain(|_, t| t.user_id.as_deref() != Some(id));
    Ok(Reply::empty(204))
}
