//! Groups: CRUD, list, and nested groups (groups whose `memberOf` names this group).

use serde_json::{Value, json};

use super::{Ctx, list, typed_body};
use crate::fake::http::{Handled, Reply, bad_request, not_found};
use crate::fake::state::State;
use crate::types;

/// Handles the group operations; `None` for other operations.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Option<Handled> {
    Some(match ctx.op {
        "group_list" => list(ctx, state.groups.iter(), "filter"),
        "group_create" => create(state, ctx),
        "group_get" => get(state, ctx.param("groupId")).map(Reply::ok),
        "group_update" => update(state, ctx),
        "group_delete" => delete(state, ctx),
        "group_nested_list" => nested(state, ctx),
        _ => return None,
    })
}

/// The stored group with this id, or a 404.
pub(crate) fn get(state: &State, id: &str) -> Result<Value, Reply> {
    state
        .groups
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("Group", id))
}

fn create(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let mut group = typed_body::<types::Group>(ctx)?;
    if group
        .get("name")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(bad_request("A group needs a name"));
    }
    let id = state.new_id();
    group.insert("id".into(), json!(id));
    group.insert("meta".into(), ctx.meta("group", &id, None));
    let group = Value::Object(group);
    state.groups.put(&id, group.clone());
    Ok(Reply::created(group))
}

fn update(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("groupId");
    let old = get(state, id)?;
    let mut group = typed_body::<types::Group>(ctx)?;
    group.entry("name").or_insert_with(|| old["name"].clone());
    group.insert("id".into(), json!(id));
    group.insert(
        "meta".into(),
        ctx.meta("group", id, old.pointer("/meta/created")),
    );
    let group = Value::Object(group);
    state.groups.put(id, group.clone());
    Ok(Reply::ok(group))
}

fn delete(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("groupId");
    state
        .groups
        .remove(id)
        .ok_or_else(|| not_found("Group", id))?;
    Ok(Reply::empty(204))
}

/// Is `value` (a group or user) a member of group `group` (by id or name)?
fn member_of(value: &Value, group: &Value) -> bool {
    let keys = [group.get("id"), group.get("name")];
    value
        .get("memberOf")
        .and_then(Value::as_array)
        .is_some_and(|m| m.iter().any(|g| keys.contains(&Some(g))))
}

fn nested(state: &State, ctx: &Ctx<'_>) -> Handled {
    let group = get(state, ctx.param("groupId"))?;
    // Every group below this one, breadth first, each once.
    let mut found: Vec<Value> = Vec::new();
    let mut frontier = vec![group];
    while let Some(parent) = frontier.pop() {
        for child in state.groups.iter() {
            if member_of(child, &parent) && !found.iter().any(|f| f["id"] == child["id"]) {
                found.push(child.clone());
                frontier.push(child.clone());
            }
        }
    }
    Ok(Reply::ok(Value::Array(found)))
}
