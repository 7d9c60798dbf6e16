//! Namespaces: CRUD by id or code, and list.

use serde_json::{Value, json};

use super::{Ctx, list, typed_body};
use crate::fake::http::{Handled, Reply, bad_request, not_found};
use crate::fake::state::State;
use crate::types;

/// Handles the namespace operations; `None` for other operations.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Option<Handled> {
    Some(match ctx.op {
        "namespace_list" => ctx
            .query_bool("all")
            .and_then(|_| list(ctx, state.namespaces.iter(), "filter")),
        "namespace_create" => create(state, ctx),
        "namespace_get" => find(state, ctx.param("idOrCode")).map(|(_, ns)| Reply::ok(ns)),
        "namespace_update" => update(state, ctx),
        "namespace_delete" => delete(state, ctx),
        _ => return None,
    })
}

/// The namespace with this id or code: (id, namespace), or a 404.
pub(crate) fn find(state: &State, id_or_code: &str) -> Result<(String, Value), Reply> {
    state
        .namespaces
        .iter()
        .find(|n| {
            n.get("id").and_then(Value::as_str) == Some(id_or_code)
                || n.get("code").and_then(Value::as_str) == Some(id_or_code)
        })
        .map(|n| (n["id"].as_str().unwrap_or_default().to_owned(), n.clone()))
        .ok_or_else(|| not_found("Namespace", id_or_code))
}

fn code_taken(state: &State, code: &str, except: Option<&str>) -> bool {
    state.namespaces.iter().any(|n| {
        n.get("code").and_then(Value::as_str) == Some(code)
            && n.get("id").and_then(Value::as_str) != except
    })
}

fn create(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let mut ns = typed_body::<types::Namespace>(ctx)?;
    let Some(code) = ns.get("code").and_then(Value::as_str).map(str::to_owned) else {
        return Err(bad_request("A namespace needs a code"));
    };
    if code.is_empty()
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(bad_request(format!("Invalid namespace code: {code}")));
    }
    if code_taken(state, &code, None) {
        return Err(Reply::error(
            409,
            format!("Namespace code already in use: {code}"),
        ));
    }
    let id = state.new_id();
    ns.insert("id".into(), json!(id));
    ns.entry("name").or_insert_with(|| json!(code));
    ns.entry("usernamePolicy")
        .or_insert_with(|| json!("EIGHT_NUMBERS"));
    ns.insert("meta".into(), ctx.meta("namespace", &id, None));
    let ns = Value::Object(ns);
    state.namespaces.put(&id, ns.clone());
    Ok(Reply::created(ns))
}

fn update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let (id, old) = find(state, ctx.param("idOrCode"))?;
    let mut ns = typed_body::<types::Namespace>(ctx)?;
    let code = ns
        .get("code")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| old["code"].as_str().unwrap_or_default().to_owned());
    if code_taken(state, &code, Some(&id)) {
        return Err(Reply::error(
            409,
            format!("Namespace code already in use: {code}"),
        ));
    }
    ns.insert("code".into(), json!(code));
    ns.insert("id".into(), json!(id));
    ns.insert(
        "meta".into(),
        ctx.meta("namespace", &id, old.pointer("/meta/created")),
    );
    let ns = Value::Object(ns);
    state.namespaces.put(&id, ns.clone());
    Ok(Reply::ok(ns))
}

fn delete(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let (id, ns) = find(state, ctx.param("idOrCode"))?;
    let code = ns["code"].clone();
    if state.users.iter().any(|u| u.get("nsCode") == Some(&code)) {
        return Err(Reply::error(409, "The namespace still has users"));
    }
    state.namespaces.remove(&id);
    Ok(Reply::empty(204))
}
