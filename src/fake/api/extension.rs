//! The extension operations (cargo feature `extension`): access control, permissions and roles,
//! authorisations, contacts, contracts, location sites, paycards, products and sales,
//! subscriptions, targets and wallets, served from the spec rather than by one handler each.
//!
//! # Store
//!
//! Resources live in `State::ext_collections`, keyed by their *collection path*: the operation's
//! path (below `/api/rest/v1`) up to its last parameter, with the parent ids filled in
//! (`/contract`, `/contract/{id}/party`, `/user/{id}/paycard`). Single objects (a contract's
//! `body`, a contact's `enterpriseinfo`) live in `State::ext_objects` by their path, uploaded
//! files in `State::ext_files` by the path of the object they belong to.
//!
//! # Generic operations
//!
//! What an operation does follows from its method, the shape of its path and its schemas
//! ([`Shape`]):
//! - `GET` on a collection is a list: a page (`filter`, `startIndex`, `count`) or, where the spec
//!   answers a bare array, every item; sorted by `sortBy` in the direction of `ascending` or
//!   `sortOrder` when given.
//! - `POST` on a collection creates: the body must match the spec's request schema (else 400,
//!   nothing stored); read-only and unknown properties are dropped; the server sets `id` (24 hex
//!   digits), `meta`, the parent ids the schema has a property for (`userId`, `paycardId`),
//!   `nsCode`, `created`/`createdAt`, and `false` for read-only flags. Children given inline
//!   (a contract's `parties` and `body`, a subscription's `periods`) are created with it.
//! - `GET`/`PUT`/`DELETE` on `{collection}/{id}` read, replace (keeping the id, `meta.created`
//!   and the read-only properties) and delete (with everything below it); an unknown id is a 404.
//! - Every parent in the path must exist (404 otherwise); paycards need the user.
//! - Children are shown inside their parent where the schema has a property for them
//!   ([`EMBEDDED`]: a contract's `parties`, `appendices` and `body`, a party's `signers` and
//!   `contacts`, a subscription's `periods`).
//! - `.../file` stores, serves (`application/octet-stream`) and deletes bytes; the owner's
//!   `hasInternalFile` follows.
//!
//! # Special operations
//!
//! - Revoking an authorisation or a grant right sets `revoked` and `revokedAt`.
//! - Contracts move `DRAFT` -> (finalise) `SIGNABLE` -> (sign) `SIGNED` -> (terminate)
//!   `UNDER_NOTICE` when `termOfNoticeDays` is positive, else `TERMINATED`; each change is
//!   appended to `stateEvents`. Only a draft can be changed (it and its parties, signers,
//!   contacts, appendices, body and files); a contract can be deleted until it is signed.
//!   `contract_actions_get` tells which actions the state allows.
//! - Wallets keep `balance` (an exact decimal string) and `events`; deposits, withdrawals and
//!   transfers need a positive `amount` in the wallet's currency, and funds.
//! - Subscriptions are terminated at `WHEN` (default now) and are `active` until then.
//! - Permissions and built-in roles are a fixed set; custom roles may only name those
//!   permissions.
//! - The priced offers (`sales_products_*`) are derived from the stored product catalogs,
//!   products and pricing plans at `atTime` (default now), for `currency`, `locale`, `volume` and
//!   the code, customer segment and payment method discounts.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike as _, Utc};
use serde_json::{Map, Value, json};

use super::{Ctx, list};
use crate::fake::NAMESPACE;
use crate::fake::conformance::validate;
use crate::fake::http::{Body, Handled, Reply, bad_request, not_found, parse_body};
use crate::fake::state::{Collection, State, now};
use crate::generated::operations::{OPERATIONS, Operation};

/// The Management API's path prefix.
const PREFIX: &str = "/api/rest/v1";

/// `null`, as a schema that allows anything.
static NULL: Value = Value::Null;

/// Child collections (and single objects) shown in a property of their parent:
/// (path segment, property).
const EMBEDDED: &[(&str, &str)] = &[
    ("party", "parties"),
    ("signer", "signers"),
    ("contact", "contacts"),
    ("appendix", "appendices"),
    ("period", "periods"),
    ("body", "body"),
];

/// Path parameters whose value the resource keeps under another name.
const PARAM_PROPERTIES: &[(&str, &str)] = &[("cardId", "paycardId")];

/// The operations with a handler of their own (no [`Shape`] applies to them).
const SPECIAL: &[&str] = &[
    "authorisation_revoke",
    "authorisation_grant_right_revoke",
    "contract_actions_get",
    "contract_finalise",
    "contract_sign",
    "contract_terminate",
    "contract_appendix_order_update",
    "wallet_deposit",
    "wallet_withdraw",
    "wallet_transfer",
    "subscription_terminate",
    "sales_products_get",
    "sales_products_catalog_get",
    "sales_products_item_get",
];

/// The fixed permissions: (id, name, group, dependencies).
const PERMISSIONS: &[(&str, &str, &str, &[&str])] = &[
    ("ACCOUNT_LIST", "List user accounts", "ACCOUNTS", &[]),
    (
        "ACCOUNT_VIEW",
        "View user accounts",
        "ACCOUNTS",
        &["ACCOUNT_LIST"],
    ),
    (
        "ACCOUNT_MODIFY",
        "Modify user accounts",
        "ACCOUNTS",
        &["ACCOUNT_VIEW"],
    ),
    ("GROUP_VIEW", "View groups", "GROUPS", &[]),
    ("GROUP_MODIFY", "Modify groups", "GROUPS", &["GROUP_VIEW"]),
    ("CONTRACT_VIEW", "View contracts", "CONTRACTS", &[]),
    (
        "CONTRACT_MODIFY",
        "Modify contracts",
        "CONTRACTS",
        &["CONTRACT_VIEW"],
    ),
    ("PAYCARD_VIEW", "View paycards", "PAYCARDS", &[]),
    (
        "PAYCARD_MODIFY",
        "Modify paycards",
        "PAYCARDS",
        &["PAYCARD_VIEW"],
    ),
    (
        "PAYCARD_NUMBER_VIEW",
        "View paycard numbers",
        "PAYCARDS",
        &["PAYCARD_VIEW"],
    ),
    (
        "PAYCARD_NUMBER_MODIFY",
        "Modify paycard numbers",
        "PAYCARDS",
        &["PAYCARD_NUMBER_VIEW", "PAYCARD_MODIFY"],
    ),
    ("WALLET_VIEW", "View wallets", "WALLETS", &[]),
    (
        "WALLET_MODIFY",
        "Modify wallets",
        "WALLETS",
        &["WALLET_VIEW"],
    ),
];

/// The fixed built-in roles: (id, name, whether only the `_VIEW`/`_LIST` permissions).
const BUILTIN_ROLES: &[(&str, &str, bool)] = &[
    ("NS_ADMIN", "Namespace administrator", false),
    ("NS_SUPERVISOR", "Namespace supervisor", true),
];

/// What a generic operation does, from its method, the shape of its path and its schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `GET` a collection: a page or a bare array.
    List,
    /// `POST` to a collection.
    Create,
    /// `GET` `{collection}/{id}`.
    Get,
    /// `PUT` `{collection}/{id}`.
    Update,
    /// `DELETE` `{collection}/{id}`.
    Delete,
    /// `GET` a single object (`/contract/{id}/body`).
    ObjectGet,
    /// `PUT` a single object.
    ObjectUpdate,
    /// `GET` `.../file`.
    FileGet,
    /// `PUT` `.../file`.
    FileUpload,
    /// `DELETE` `.../file`.
    FileDelete,
}

/// One extension operation, as the spec describes it.
struct OpInfo {
    op: &'static Operation,
    /// The path below `/api/rest/v1`, by segment (`contract`, `{contractId}`, `party`).
    segments: Vec<&'static str>,
    /// The JSON request body schema.
    request: Option<&'static Value>,
    /// The JSON success response schema.
    response: Option<&'static Value>,
    /// `None` for the operations in [`SPECIAL`] (and any the fake cannot serve).
    shape: Option<Shape>,
}

/// The extension part of the spec, indexed.
struct Spec {
    ops: HashMap<&'static str, OpInfo>,
    /// The resources of each collection template (`/contract/{contractId}/party`): the schema
    /// name and the schema.
    resources: HashMap<String, (&'static str, &'static Value)>,
}

/// The spec as built (with the extension operations).
fn spec_json() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/spec.json")))
            .unwrap_or(Value::Null)
    })
}

/// Follows local `$ref`s.
fn resolve(value: &'static Value) -> &'static Value {
    let mut current = value;
    for _ in 0..16 {
        match current
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| spec_json().pointer(r.trim_start_matches('#')))
        {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

/// The indexed extension operations.
fn spec() -> &'static Spec {
    static INDEX: OnceLock<Spec> = OnceLock::new();
    INDEX.get_or_init(|| {
        let json = spec_json();
        let extension_tags: Vec<&str> = json["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["x-trivoreid-feature"] == "extension")
            .filter_map(|t| t["name"].as_str())
            .collect();
        let mut ops = HashMap::new();
        let mut resources = HashMap::new();
        for op in OPERATIONS {
            let Some(item) = json.pointer(&format!(
                "/paths/{}/{}",
                op.path.replace('~', "~0").replace('/', "~1"),
                op.method.to_ascii_lowercase()
            )) else {
                continue;
            };
            let extension = item["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| extension_tags.iter().any(|e| t == e)));
            let Some(rest) = op.path.strip_prefix(PREFIX) else {
                continue;
            };
            if !extension {
                continue;
            }
            let segments: Vec<&'static str> = rest.trim_start_matches('/').split('/').collect();
            let request = item
                .pointer("/requestBody/content/application~1json/schema")
                .map(resolve);
            let response_ref = item
                .get("responses")
                .and_then(|r| r.get(op.success.to_string()))
                .map(resolve)
                .and_then(|r| r.pointer("/content/application~1json/schema"));
            let response = response_ref.map(resolve);
            let shape = if SPECIAL.contains(&op.id) {
                None
            } else {
                shape_of(op.method, &segments, request, response)
            };
            if shape == Some(Shape::Get)
                && let (Some(reference), Some(schema)) = (response_ref, response)
            {
                let name = reference["$ref"]
                    .as_str()
                    .and_then(|r| r.rsplit('/').next())
                    .unwrap_or("Resource");
                resources.insert(template(&segments[..segments.len() - 1]), (name, schema));
            }
            ops.insert(
                op.id,
                OpInfo {
                    op,
                    segments,
                    request,
                    response,
                    shape,
                },
            );
        }
        Spec { ops, resources }
    })
}

/// The [`Shape`] of a generic operation.
fn shape_of(
    method: &str,
    segments: &[&str],
    request: Option<&Value>,
    response: Option<&Value>,
) -> Option<Shape> {
    let last = segments.last()?;
    let is_page = |schema: &Value| {
        schema.get("type") == Some(&json!("array"))
            || schema.pointer("/properties/resources").is_some()
    };
    let is_object = |schema: &Value| schema.get("type") == Some(&json!("object"));
    if param_name(last).is_some() {
        return match method {
            "GET" => Some(Shape::Get),
            "PUT" => Some(Shape::Update),
            "DELETE" => Some(Shape::Delete),
            _ => None,
        };
    }
    if *last == "file" {
        return match method {
            "GET" => Some(Shape::FileGet),
            "PUT" => Some(Shape::FileUpload),
            "DELETE" => Some(Shape::FileDelete),
            _ => None,
        };
    }
    match (method, response) {
        ("GET", Some(schema)) if is_page(schema) => Some(Shape::List),
        ("GET", Some(schema)) if is_object(schema) => Some(Shape::ObjectGet),
        ("POST", Some(schema))
            if request.is_some_and(is_object) && schema.pointer("/properties/id").is_some() =>
        {
            Some(Shape::Create)
        }
        ("PUT", Some(schema)) if request.is_some_and(is_object) && is_object(schema) => {
            Some(Shape::ObjectUpdate)
        }
        _ => None,
    }
}

/// Handles the extension operations; `None` for other operations.
pub(crate) fn handle(state: &mut State, ctx: &Ctx<'_>) -> Option<Handled> {
    let info = spec().ops.get(ctx.op)?;
    seed(state);
    Some(match ctx.op {
        "authorisation_revoke" | "authorisation_grant_right_revoke" => revoke(state, ctx, info),
        "contract_actions_get" => contract_actions(state, ctx),
        "contract_finalise" | "contract_sign" | "contract_terminate" => {
            contract_action(state, ctx, info)
        }
        "contract_appendix_order_update" => appendix_order(state, ctx, info),
        "wallet_deposit" | "wallet_withdraw" | "wallet_transfer" => wallet_move(state, ctx, info),
        "subscription_terminate" => subscription_terminate(state, ctx, info),
        "sales_products_get" | "sales_products_catalog_get" | "sales_products_item_get" => {
            priced(state, ctx)
        }
        _ => match info.shape? {
            Shape::List => list_items(state, ctx, info),
            Shape::Create => create(state, ctx, info),
            Shape::Get => get(state, ctx, info),
            Shape::Update => update(state, ctx, info),
            Shape::Delete => delete(state, ctx, info),
            Shape::ObjectGet => object_get(state, ctx, info),
            Shape::ObjectUpdate => object_update(state, ctx, info),
            Shape::FileGet => file_get(state, ctx, info),
            Shape::FileUpload => file_upload(state, ctx, info),
            Shape::FileDelete => file_delete(state, ctx, info),
        },
    })
}

/// Adds the fixed permissions and built-in roles, once.
fn seed(state: &mut State) {
    if state.ext_collections.contains_key("/permission") {
        return;
    }
    let mut permissions = Collection::default();
    for (id, name, group, dependencies) in PERMISSIONS {
        permissions.put(
            id,
            json!({"id": id, "name": name, "groupId": group, "dependencies": dependencies}),
        );
    }
    let mut roles = Collection::default();
    for (id, name, view_only) in BUILTIN_ROLES {
        let granted: Vec<&str> = PERMISSIONS
            .iter()
            .map(|p| p.0)
            .filter(|p| !view_only || p.ends_with("_VIEW") || p.ends_with("_LIST"))
            .collect();
        roles.put(id, json!({"id": id, "name": name, "permissions": granted}));
    }
    state
        .ext_collections
        .insert("/permission".to_owned(), permissions);
    state
        .ext_collections
        .insert("/role/builtin".to_owned(), roles);
}

// ---------------------------------------------------------------------------------------------
// Paths and lookups

/// The name of a `{param}` segment.
fn param_name(segment: &str) -> Option<&str> {
    segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
}

/// The template of a path (`/contract/{contractId}/party`).
fn template(segments: &[&str]) -> String {
    format!("/{}", segments.join("/"))
}

/// An id as one segment of a store key.
fn encode(id: &str) -> String {
    id.replace('%', "%25").replace('/', "%2F")
}

/// The store key of a path: the template with the request's ids filled in.
fn fill(ctx: &Ctx<'_>, segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| match param_name(s) {
            Some(name) => format!("/{}", encode(ctx.param(name))),
            None => format!("/{s}"),
        })
        .collect()
}

/// The collection key and the id of an operation on `{collection}/{id}`.
fn item_of(ctx: &Ctx<'_>, segments: &[&str]) -> (String, String) {
    let last = segments.len().saturating_sub(1);
    let id = segments
        .get(last)
        .and_then(|s| param_name(s))
        .map(|name| ctx.param(name).to_owned())
        .unwrap_or_default();
    (fill(ctx, &segments[..last]), id)
}

/// The resource name and schema of a collection template.
fn resource(template: &str) -> Option<(&'static str, &'static Value)> {
    spec().resources.get(template).copied()
}

/// The name of the resources at `segments` (`Contract`), for messages.
fn resource_name(segments: &[&str]) -> String {
    match resource(&template(segments)) {
        Some((name, _)) => name.to_owned(),
        None => {
            let last = segments.last().copied().unwrap_or("resource");
            let mut chars = last.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    }
}

/// The stored resource `id` of collection `key`.
fn stored<'s>(state: &'s State, key: &str, id: &str) -> Option<&'s Value> {
    state.ext_collections.get(key).and_then(|c| c.get(id))
}

/// The stored resource `id` of collection `key`, to change.
fn stored_mut<'s>(state: &'s mut State, key: &str, id: &str) -> Option<&'s mut Value> {
    state
        .ext_collections
        .get_mut(key)
        .and_then(|c| c.get_mut(id))
}

/// 404 unless every resource the path names by id exists (the users of `/user/{userId}` are the
/// core API's).
fn check_parents(state: &State, ctx: &Ctx<'_>, segments: &[&str]) -> Result<(), Reply> {
    for (i, segment) in segments.iter().enumerate() {
        let Some(name) = param_name(segment) else {
            continue;
        };
        let id = ctx.param(name);
        let key = fill(ctx, &segments[..i]);
        let found = if key == "/user" {
            state.users.get(id).is_some()
        } else {
            stored(state, &key, id).is_some()
        };
        if !found {
            return Err(not_found(&resource_name(&segments[..i]), id));
        }
    }
    Ok(())
}

/// The state of a stored contract (`DRAFT` when unset).
fn contract_state(state: &State, id: &str) -> Option<String> {
    stored(state, "/contract", id).map(|c| {
        c.get("currentState")
            .and_then(Value::as_str)
            .unwrap_or("DRAFT")
            .to_owned()
    })
}

/// Contracts change only as drafts (the contract itself and everything below it); a contract
/// can be deleted until it is signed. Other paths pass.
fn guard(state: &State, ctx: &Ctx<'_>, info: &OpInfo) -> Result<(), Reply> {
    if info.segments.first() != Some(&"contract")
        || info.segments.len() < 2
        || info.op.method == "GET"
    {
        return Ok(());
    }
    let id = ctx.param("contractId");
    let Some(current) = contract_state(state, id) else {
        return Err(not_found("Contract", id));
    };
    let deleting = info.segments.len() == 2 && info.op.method == "DELETE";
    let allowed = current == "DRAFT" || (deleting && current == "SIGNABLE");
    if allowed {
        Ok(())
    } else if deleting {
        Err(bad_request(format!(
            "Contract {id} is {current}: only a contract that is not signed yet can be deleted"
        )))
    } else {
        Err(bad_request(format!(
            "Contract {id} is {current}: only a DRAFT contract can be changed"
        )))
    }
}

// ---------------------------------------------------------------------------------------------
// Schemas

/// The properties of an object schema.
fn properties(schema: &'static Value) -> Option<&'static Map<String, Value>> {
    resolve(schema).get("properties").and_then(Value::as_object)
}

/// The schema of property `name`, resolved.
fn property(schema: &'static Value, name: &str) -> Option<&'static Value> {
    properties(schema).and_then(|p| p.get(name)).map(resolve)
}

/// Is this property read-only (`readOnly`, or "Readonly" in its description as the spec says it
/// for some)?
fn read_only(schema: &Value) -> bool {
    schema.get("readOnly") == Some(&Value::Bool(true))
        || schema
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| {
                ["Readonly", "ReadOnly"]
                    .iter()
                    .any(|r| d.starts_with(r) || d.ends_with(&format!("{r}.")))
            })
}

/// Is this property a `Meta`?
fn is_meta(schema: &Value) -> bool {
    schema.get("$ref").and_then(Value::as_str) == Some("#/components/schemas/Meta")
}

/// The item schema of an array schema.
fn items_of(schema: &'static Value) -> &'static Value {
    resolve(schema).get("items").map(resolve).unwrap_or(&NULL)
}

/// The resource schema of a list's response (a page's `resources` or an array's items).
fn listed(schema: &'static Value) -> &'static Value {
    match property(schema, "resources") {
        Some(resources) => items_of(resources),
        None => items_of(schema),
    }
}

/// Drops read-only and unknown properties (at any depth), as the service ignores them.
fn clean(schema: &'static Value, value: &mut Value) {
    let schema = resolve(schema);
    match value {
        Value::Object(map) => {
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            let extra = schema.get("additionalProperties");
            let open = extra.is_some_and(|a| a != &Value::Bool(false));
            map.retain(|k, _| props.get(k).map_or(open, |p| !read_only(p)));
            for (k, v) in map.iter_mut() {
                match props.get(k) {
                    Some(p) => clean(p, v),
                    None => {
                        if let Some(extra @ Value::Object(_)) = extra {
                            clean(extra, v);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for v in items {
                    clean(item, v);
                }
            }
        }
        _ => {}
    }
}

/// The request body as a JSON value matching `schema` (400 otherwise), cleaned.
fn parse_value(ctx: &Ctx<'_>, schema: Option<&'static Value>) -> Result<Value, Reply> {
    let mut value: Value = parse_body(ctx.body)?;
    if let Some(schema) = schema {
        validate(schema, &value, "$")
            .map_err(|e| bad_request(format!("Invalid request body: {e}")))?;
        clean(schema, &mut value);
    }
    Ok(value)
}

/// The request body as a JSON object matching `schema` (400 otherwise), cleaned.
fn parse_object(
    ctx: &Ctx<'_>,
    schema: Option<&'static Value>,
) -> Result<Map<String, Value>, Reply> {
    match parse_value(ctx, schema)? {
        Value::Object(map) => Ok(map),
        _ => Err(bad_request("The request body must be a JSON object")),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// A stored resource at `path` as the service shows it: with its children ([`EMBEDDED`]) and its
/// computed properties (a subscription's `active`).
fn render(state: &State, path: &str, value: &Value, schema: &'static Value) -> Value {
    let mut out = value.clone();
    let Some(object) = out.as_object_mut() else {
        return out;
    };
    for (segment, name) in EMBEDDED {
        let Some(prop) = property(schema, name) else {
            continue;
        };
        let child_key = format!("{path}/{segment}");
        if prop.get("type") == Some(&json!("array")) {
            if let Some(children) = state.ext_collections.get(&child_key) {
                let item_schema = items_of(prop);
                let rendered = children
                    .iter()
                    .map(|child| {
                        let id = child.get("id").and_then(Value::as_str).unwrap_or_default();
                        render(
                            state,
                            &format!("{child_key}/{}", encode(id)),
                            child,
                            item_schema,
                        )
                    })
                    .collect();
                object.insert((*name).to_owned(), Value::Array(rendered));
            }
        } else if let Some(child) = state.ext_objects.get(&child_key) {
            object.insert((*name).to_owned(), child.clone());
        }
    }
    if property(schema, "active").is_some() && property(schema, "terminated").is_some() {
        let ended = object
            .get("terminated")
            .and_then(Value::as_str)
            .and_then(parse_time)
            .is_some_and(|t| t <= Utc::now());
        object.insert("active".into(), json!(!ended));
    }
    out
}

/// The collection `key` rendered, in order.
fn rendered_items(state: &State, key: &str, schema: &'static Value) -> Vec<Value> {
    state
        .ext_collections
        .get(key)
        .map(|c| {
            c.iter()
                .map(|item| {
                    let id = item.get("id").and_then(Value::as_str).unwrap_or_default();
                    render(state, &format!("{key}/{}", encode(id)), item, schema)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Parses an RFC 3339 date-time.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A date-time as the service writes it.
fn format_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `items` sorted by `sortBy` (a dotted path) in the direction of `ascending` or `sortOrder`
/// (`ascending`, the default, or `descending`); without `sortBy`, in creation order (reversed
/// when descending). Missing values sort last in ascending order.
fn sorted(ctx: &Ctx<'_>, items: Vec<Value>) -> Result<Vec<Value>, Reply> {
    let mut descending = false;
    for name in ["ascending", "sortOrder"] {
        match ctx.query(name) {
            None | Some("ascending") => {}
            Some("descending") => descending = true,
            Some(other) => {
                return Err(bad_request(format!(
                    "Invalid value for {name}: {other} (ascending or descending)"
                )));
            }
        }
    }
    Ok(super::services::sort_by_attribute(ctx, items, descending))
}

// ---------------------------------------------------------------------------------------------
// Generic operations

/// `<x>_list`.
fn list_items(state: &State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    let Some(response) = info.response else {
        return Err(Reply::error(500, "The list has no schema"));
    };
    let schema = listed(response);
    let key = fill(ctx, &info.segments);
    if info.op.id == "locationsite_list" {
        ctx.query_bool("flat")?;
    }
    let mut items = rendered_items(state, &key, schema);
    if ctx.query_bool("mergeProductDetails")? == Some(true)
        && let Some(product_key) = products_of(&key)
    {
        let item_schema = property(schema, "products").map(items_of);
        for catalog in &mut items {
            merge_product_details(state, product_key, catalog, item_schema);
        }
    }
    let items = sorted(ctx, items)?;
    if response.get("type") == Some(&json!("array")) {
        Ok(Reply::json(info.op.success, Value::Array(items)))
    } else {
        list(ctx, items.iter(), "filter")
    }
}

/// The product collection the items of catalog collection `key` refer to.
fn products_of(key: &str) -> Option<&'static str> {
    match key {
        "/products/catalog" => Some("/products/product"),
        "/sales/catalog" => Some("/sales/product"),
        _ => None,
    }
}

/// Catalog item properties filled from the product (item property, product property).
const PRODUCT_DETAILS: &[(&str, &str)] = &[
    ("productSku", "sku"),
    ("translations", "translations"),
    ("descriptions", "descriptions"),
    ("sellable", "sellable"),
    ("usable", "usable"),
    ("validityLength", "validityLength"),
    ("validityStartFrom", "validityStartFrom"),
    ("pricingPlans", "pricingPlans"),
    ("provider", "provider"),
];

/// Is this value missing in the sense of "empty or null" (null, `""`, `[]`, `{}`)?
fn blank(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        Some(_) => false,
    }
}

/// Fills a catalog's items' empty fields from their products (`mergeProductDetails=true`).
fn merge_product_details(
    state: &State,
    product_key: &str,
    catalog: &mut Value,
    item_schema: Option<&'static Value>,
) {
    let Some(items) = catalog.get_mut("products").and_then(Value::as_array_mut) else {
        return;
    };
    for item in items {
        let Some(product) = item
            .get("productId")
            .and_then(Value::as_str)
            .and_then(|id| stored(state, product_key, id))
        else {
            continue;
        };
        let Some(object) = item.as_object_mut() else {
            continue;
        };
        for (own, theirs) in PRODUCT_DETAILS {
            let known = item_schema.is_some_and(|s| property(s, own).is_some());
            if known && blank(object.get(*own)) && !blank(product.get(*theirs)) {
                object.insert((*own).to_owned(), product[*theirs].clone());
            }
        }
    }
}

/// Checks a new or changed resource of collection `key` against the rest of the state (400
/// otherwise), and fills what the server derives (catalog item ids and SKUs).
fn check_body(state: &mut State, key: &str, object: &mut Map<String, Value>) -> Result<(), Reply> {
    match key {
        "/authorisation" => {
            for (field, types) in [
                ("authType", "/authorisation_type"),
                ("authSource", "/authorisation_source"),
            ] {
                let Some(code) = object.get(field).and_then(Value::as_str) else {
                    continue;
                };
                let known = state
                    .ext_collections
                    .get(types)
                    .is_some_and(|c| c.iter().any(|t| t["code"] == code));
                if !known {
                    return Err(bad_request(format!(
                        "{field} {code} is not one of the namespace's {}s",
                        types.trim_start_matches('/')
                    )));
                }
            }
        }
        "/role/custom" => {
            let permissions = object.get("permissions").and_then(Value::as_array);
            for permission in permissions.into_iter().flatten() {
                let id = permission.as_str().unwrap_or_default();
                if stored(state, "/permission", id).is_none() {
                    return Err(bad_request(format!("Unknown permission: {id}")));
                }
            }
        }
        "/products/catalog" | "/sales/catalog" => {
            let product_key = products_of(key).unwrap_or_default();
            let mut new_ids = Vec::new();
            let items = object.get("products").and_then(Value::as_array);
            for item in items.into_iter().flatten() {
                let id = item
                    .get("productId")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if stored(state, product_key, id).is_none() {
                    return Err(bad_request(format!(
                        "A catalog item names an unknown product: {id:?}"
                    )));
                }
                if key == "/products/catalog" && blank(item.get("id")) {
                    new_ids.push(state.new_id());
                }
            }
            let items = object.get_mut("products").and_then(Value::as_array_mut);
            let mut new_ids = new_ids.into_iter();
            for item in items.into_iter().flatten() {
                let sku = item
                    .get("productId")
                    .and_then(Value::as_str)
                    .and_then(|id| stored(state, product_key, id))
                    .and_then(|p| p.get("sku"))
                    .cloned();
                let Some(item) = item.as_object_mut() else {
                    continue;
                };
                if let Some(sku) = sku {
                    item.insert("productSku".into(), sku);
                }
                if key == "/products/catalog" && blank(item.get("id")) {
                    item.insert("id".into(), json!(new_ids.next()));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// Sets what the server sets on a new resource `id` of collection `key`.
fn on_create(
    ctx: &Ctx<'_>,
    key: &str,
    id: &str,
    object: &mut Map<String, Value>,
    schema: &'static Value,
    params: &[(&str, String)],
) {
    let now = now();
    object.insert("id".into(), json!(id));
    for (name, prop) in properties(schema).into_iter().flatten() {
        let missing = blank(object.get(name));
        if is_meta(prop) {
            object.insert(
                name.clone(),
                ctx.meta(key.trim_start_matches('/'), id, None),
            );
        } else if read_only(prop) && prop.get("type") == Some(&json!("boolean")) {
            object.entry(name.as_str()).or_insert(json!(false));
        } else if missing
            && (name == "created" || name == "createdAt")
            && prop.get("format") == Some(&json!("date-time"))
        {
            object.insert(name.clone(), json!(now));
        } else if missing && name == "nsCode" {
            object.insert(name.clone(), json!(NAMESPACE));
        }
    }
    set_params(object, schema, params);
    match key {
        "/contract" => {
            object.insert("currentState".into(), json!("DRAFT"));
            object.insert("currentStateChanged".into(), json!(now));
            object.insert(
                "stateEvents".into(),
                json!([{"state": "DRAFT", "time": now}]),
            );
        }
        "/wallet" => {
            object.insert("balance".into(), json!("0"));
            object.insert("events".into(), json!([]));
        }
        "/authorisation_grant_right" => {
            let in_a_year = format_time(Utc::now() + chrono::Duration::days(365));
            object.entry("validFrom").or_insert(json!(now));
            object.entry("validTo").or_insert(json!(in_a_year));
            object.insert(
                "authorisationGrant".into(),
                json!({"createdAt": now, "revoked": false}),
            );
        }
        _ => {}
    }
}

/// Sets the parent ids the schema has a property for (`userId`, `paycardId`).
fn set_params(object: &mut Map<String, Value>, schema: &'static Value, params: &[(&str, String)]) {
    for (param, value) in params {
        let name = PARAM_PROPERTIES
            .iter()
            .find(|(p, _)| p == param)
            .map_or(*param, |(_, n)| *n);
        if property(schema, name).is_some() {
            object.insert(name.to_owned(), json!(value));
        }
    }
}

/// The path parameters of `segments` with the request's values.
fn params_of(ctx: &Ctx<'_>, segments: &[&'static str]) -> Vec<(&'static str, String)> {
    segments
        .iter()
        .filter_map(|s| param_name(s))
        .map(|name| (name, ctx.param(name).to_owned()))
        .collect()
}

/// Stores a new resource in collection `key` with its inline children; gives its path.
fn insert(
    state: &mut State,
    ctx: &Ctx<'_>,
    key: &str,
    mut object: Map<String, Value>,
    schema: &'static Value,
    params: &[(&str, String)],
) -> String {
    let mut children = Vec::new();
    for (segment, name) in EMBEDDED {
        if let (Some(prop), Some(value)) = (property(schema, name), object.remove(*name)) {
            children.push((*segment, prop, value));
        }
    }
    let id = state.new_id();
    on_create(ctx, key, &id, &mut object, schema, params);
    state
        .ext_collections
        .entry(key.to_owned())
        .or_default()
        .put(&id, Value::Object(object));
    let path = format!("{key}/{id}");
    for (segment, prop, value) in children {
        let child_key = format!("{path}/{segment}");
        match value {
            Value::Array(items) => {
                let item_schema = items_of(prop);
                for item in items {
                    if let Value::Object(child) = item {
                        insert(state, ctx, &child_key, child, item_schema, &[]);
                    }
                }
            }
            Value::Object(mut child) => {
                defaults(&mut child, prop);
                state.ext_objects.insert(child_key, Value::Object(child));
            }
            _ => {}
        }
    }
    path
}

/// `false` for the read-only flags of a single object (`hasInternalFile`).
fn defaults(object: &mut Map<String, Value>, schema: &'static Value) {
    for (name, prop) in properties(schema).into_iter().flatten() {
        if read_only(prop) && prop.get("type") == Some(&json!("boolean")) {
            object.entry(name.as_str()).or_insert(json!(false));
        }
    }
}

/// `<x>_create`.
fn create(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    let (Some(request), Some(response)) = (info.request, info.response) else {
        return Err(Reply::error(500, "The operation has no schema"));
    };
    let mut object = parse_object(ctx, Some(request))?;
    let key = fill(ctx, &info.segments);
    check_body(state, &key, &mut object)?;
    let params = params_of(ctx, &info.segments);
    let path = insert(state, ctx, &key, object, request, &params);
    let id = path.rsplit('/').next().unwrap_or_default();
    let value = stored(state, &key, id).cloned().unwrap_or_default();
    Ok(Reply::json(
        info.op.success,
        render(state, &path, &value, response),
    ))
}

/// `<x>_get`.
fn get(state: &State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    let (key, id) = item_of(ctx, &info.segments);
    let value = stored(state, &key, &id).cloned().unwrap_or_default();
    let schema = info.response.unwrap_or(&NULL);
    let path = format!("{key}/{}", encode(&id));
    Ok(Reply::json(
        info.op.success,
        render(state, &path, &value, schema),
    ))
}

/// Properties that keep their stored value on update, by collection.
fn kept_on_update(key: &str) -> &'static [&'static str] {
    match key {
        "/wallet" => &["balance", "events", "currency"],
        "/subscription" => &["subscriberId", "terminated"],
        "/authorisation" => &["revokedAt"],
        _ => &[],
    }
}

/// `<x>_update`: replaces the resource, keeping its id, `meta.created`, read-only properties
/// and children.
fn update(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    let (Some(request), Some(response)) = (info.request, info.response) else {
        return Err(Reply::error(500, "The operation has no schema"));
    };
    let mut object = parse_object(ctx, Some(request))?;
    let (key, id) = item_of(ctx, &info.segments);
    for (_, name) in EMBEDDED {
        if property(request, name).is_some() {
            object.remove(*name);
        }
    }
    check_body(state, &key, &mut object)?;
    let old = stored(state, &key, &id).cloned().unwrap_or_default();
    for (name, prop) in properties(request).into_iter().flatten() {
        let keep = read_only(prop) || kept_on_update(&key).contains(&name.as_str());
        if is_meta(prop) {
            let created = old.get(name).and_then(|m| m.get("created"));
            object.insert(
                name.clone(),
                ctx.meta(key.trim_start_matches('/'), &id, created),
            );
        } else if keep {
            match old.get(name) {
                Some(value) => object.insert(name.clone(), value.clone()),
                None => object.remove(name),
            };
        } else if name == "nsCode" && blank(object.get(name)) {
            object.insert(
                name.clone(),
                old.get(name).cloned().unwrap_or(json!(NAMESPACE)),
            );
        } else if (name == "created" || name == "createdAt")
            && blank(object.get(name))
            && let Some(created) = old.get(name)
        {
            object.insert(name.clone(), created.clone());
        }
    }
    object.insert("id".into(), json!(id));
    let params = params_of(ctx, &info.segments[..info.segments.len() - 1]);
    set_params(&mut object, request, &params);
    let value = Value::Object(object);
    state
        .ext_collections
        .entry(key.clone())
        .or_default()
        .put(&id, value.clone());
    let path = format!("{key}/{}", encode(&id));
    Ok(Reply::json(
        info.op.success,
        render(state, &path, &value, response),
    ))
}

/// Removes the extension resources of a deleted user (`/user/{id}/paycard`, ...).
pub(super) fn remove_user(state: &mut State, user_id: &str) {
    remove_under(state, &format!("/user/{}", encode(user_id)));
}

/// Removes everything stored below `path` (children, single objects and files) and its file.
fn remove_under(state: &mut State, path: &str) {
    let prefix = format!("{path}/");
    state.ext_collections.retain(|k, _| !k.starts_with(&prefix));
    state.ext_objects.retain(|k, _| !k.starts_with(&prefix));
    state
        .ext_files
        .retain(|k, _| k != path && !k.starts_with(&prefix));
}

/// `<x>_delete`: removes the resource and everything below it.
fn delete(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    let (key, id) = item_of(ctx, &info.segments);
    if let Some(collection) = state.ext_collections.get_mut(&key) {
        collection.remove(&id);
    }
    remove_under(state, &format!("{key}/{}", encode(&id)));
    Ok(Reply::empty(info.op.success))
}

/// A single object (`/contract/{id}/body`): what is stored, or an empty one.
fn object_get(state: &State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    let path = fill(ctx, &info.segments);
    let value = match state.ext_objects.get(&path) {
        Some(value) => value.clone(),
        None => {
            let mut object = Map::new();
            if let Some(schema) = info.response {
                defaults(&mut object, schema);
            }
            Value::Object(object)
        }
    };
    Ok(Reply::json(info.op.success, value))
}

/// Replaces a single object, keeping its read-only properties and `meta.created`.
fn object_update(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    let Some(request) = info.request else {
        return Err(Reply::error(500, "The operation has no schema"));
    };
    let mut object = parse_object(ctx, Some(request))?;
    let path = fill(ctx, &info.segments);
    let old = state.ext_objects.get(&path).cloned().unwrap_or_default();
    let (kind, name) = path.rsplit_once('/').unwrap_or_default();
    for (prop_name, prop) in properties(request).into_iter().flatten() {
        if is_meta(prop) {
            let created = old.get(prop_name).and_then(|m| m.get("created"));
            object.insert(
                prop_name.clone(),
                ctx.meta(kind.trim_start_matches('/'), name, created),
            );
        } else if read_only(prop)
            && let Some(value) = old.get(prop_name)
        {
            object.insert(prop_name.clone(), value.clone());
        }
    }
    defaults(&mut object, request);
    let value = Value::Object(object);
    state.ext_objects.insert(path, value.clone());
    Ok(Reply::json(info.op.success, value))
}

/// The path of the object a `.../file` belongs to.
fn file_owner(ctx: &Ctx<'_>, info: &OpInfo) -> String {
    fill(ctx, &info.segments[..info.segments.len() - 1])
}

/// Sets the owner's `hasInternalFile` and `internalFileType` after an upload (`Some`) or a
/// delete (`None`).
fn mark_file(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo, file_type: Option<&str>) {
    let owner_segments = &info.segments[..info.segments.len() - 1];
    let update = |object: &mut Map<String, Value>| {
        object.insert("hasInternalFile".into(), json!(file_type.is_some()));
        match file_type {
            Some(t) => object.insert("internalFileType".into(), json!(t)),
            None => object.remove("internalFileType"),
        };
    };
    if owner_segments.last().and_then(|s| param_name(s)).is_some() {
        let (key, id) = item_of(ctx, owner_segments);
        if let Some(Value::Object(object)) = stored_mut(state, &key, &id) {
            update(object);
        }
    } else {
        let path = fill(ctx, owner_segments);
        let object = state.ext_objects.entry(path).or_insert_with(|| json!({}));
        if let Value::Object(object) = object {
            update(object);
        }
    }
}

/// `GET .../file`: the stored bytes, or 404.
fn file_get(state: &State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    let owner = file_owner(ctx, info);
    let bytes = state
        .ext_files
        .get(&owner)
        .ok_or_else(|| Reply::error(404, format!("No file has been uploaded to {owner}")))?;
    Ok(Reply {
        status: info.op.success,
        body: Body::Raw(bytes.clone(), "application/octet-stream"),
        headers: Vec::new(),
    })
}

/// `PUT .../file`: stores the bytes (an empty file is a 400).
fn file_upload(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    if ctx.body.is_empty() {
        return Err(bad_request("The file is empty"));
    }
    let file_type = if ctx.body.starts_with(b"%PDF") {
        "application/pdf"
    } else {
        "application/octet-stream"
    };
    state
        .ext_files
        .insert(file_owner(ctx, info), ctx.body.to_vec());
    mark_file(state, ctx, info, Some(file_type));
    Ok(Reply::empty(info.op.success))
}

/// `DELETE .../file`: 404 when there is none.
fn file_delete(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    let owner = file_owner(ctx, info);
    if state.ext_files.remove(&owner).is_none() {
        return Err(Reply::error(
            404,
            format!("No file has been uploaded to {owner}"),
        ));
    }
    mark_file(state, ctx, info, None);
    Ok(Reply::empty(info.op.success))
}

// ---------------------------------------------------------------------------------------------
// Special operations

/// `authorisation_revoke`, `authorisation_grant_right_revoke`: `revoked` and `revokedAt` (an
/// authorisation's own, a grant right's in its `authorisationGrant`).
fn revoke(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    let owner = &info.segments[..info.segments.len() - 1];
    let (key, id) = item_of(ctx, owner);
    let schema = resource(&template(&owner[..owner.len() - 1])).map(|(_, s)| s);
    let now = now();
    let direct = schema.is_some_and(|s| property(s, "revoked").is_some());
    let nested = schema
        .and_then(|s| property(s, "authorisationGrant"))
        .is_some_and(|g| property(g, "revoked").is_some());
    if let Some(Value::Object(object)) = stored_mut(state, &key, &id) {
        let target = if direct {
            Some(object)
        } else if nested {
            let grant = object
                .entry("authorisationGrant")
                .or_insert_with(|| json!({}));
            grant.as_object_mut()
        } else {
            None
        };
        if let Some(target) = target {
            target.insert("revoked".into(), json!(true));
            target.insert("revokedAt".into(), json!(now));
        }
    }
    Ok(Reply::empty(info.op.success))
}

/// `contract_actions_get`: which actions the contract's state allows.
fn contract_actions(state: &State, ctx: &Ctx<'_>) -> Handled {
    let id = ctx.param("contractId");
    let current = contract_state(state, id).ok_or_else(|| not_found("Contract", id))?;
    let draft = current == "DRAFT";
    Ok(Reply::ok(json!({
        "edit": draft,
        "finalise": draft,
        "sign": current == "SIGNABLE",
        "terminate": current == "SIGNED",
        "delete": draft || current == "SIGNABLE",
    })))
}

/// `contract_finalise` (DRAFT -> SIGNABLE), `contract_sign` (SIGNABLE -> SIGNED),
/// `contract_terminate` (SIGNED -> UNDER_NOTICE or TERMINATED, with the `reason`).
fn contract_action(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    let id = ctx.param("contractId");
    let current = contract_state(state, id).ok_or_else(|| not_found("Contract", id))?;
    let contract = stored(state, "/contract", id).cloned().unwrap_or_default();
    let notice_days = contract
        .get("termOfNoticeDays")
        .and_then(Value::as_i64)
        .unwrap_or(0)
        .max(0);
    let (from, next, done) = match ctx.op {
        "contract_finalise" => ("DRAFT", "SIGNABLE", "finalised"),
        "contract_sign" => ("SIGNABLE", "SIGNED", "signed"),
        _ if notice_days > 0 => ("SIGNED", "UNDER_NOTICE", "terminated"),
        _ => ("SIGNED", "TERMINATED", "terminated"),
    };
    if current != from {
        return Err(bad_request(format!(
            "Contract {id} is {current}: only a {from} contract can be {done}"
        )));
    }
    let now = now();
    let mut event = json!({"state": next, "time": now});
    let mut termination = None;
    if ctx.op == "contract_terminate" {
        let reason = ctx.query("reason").unwrap_or_default();
        let effective = format_time(Utc::now() + chrono::Duration::days(notice_days));
        event["reason"] = json!(reason);
        termination = Some(json!({"reason": reason, "time": now, "effective": effective}));
    }
    let schema = resource("/contract").map_or(&NULL, |(_, s)| s);
    if let Some(Value::Object(object)) = stored_mut(state, "/contract", id) {
        object.insert("currentState".into(), json!(next));
        object.insert("currentStateChanged".into(), json!(now));
        let events = object.entry("stateEvents").or_insert_with(|| json!([]));
        if let Some(events) = events.as_array_mut() {
            events.push(event);
        }
        if let Some(termination) = termination
            && property(schema, "termination").is_some()
        {
            object.insert("termination".into(), termination);
        }
    }
    let contract = stored(state, "/contract", id).cloned().unwrap_or_default();
    let response = info.response.unwrap_or(schema);
    let path = format!("/contract/{}", encode(id));
    Ok(Reply::json(
        info.op.success,
        render(state, &path, &contract, response),
    ))
}

/// `contract_appendix_order_update`: reorders the appendices by the given ids, which must name
/// every appendix once.
fn appendix_order(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    check_parents(state, ctx, &info.segments)?;
    guard(state, ctx, info)?;
    let wanted: Vec<String> = match parse_value(ctx, info.request)? {
        Value::Array(ids) => ids
            .iter()
            .map(|id| id.as_str().unwrap_or_default().to_owned())
            .collect(),
        _ => return Err(bad_request("The request body must be a JSON array of ids")),
    };
    let key = fill(ctx, &info.segments[..info.segments.len() - 1]);
    let collection = state.ext_collections.entry(key.clone()).or_default();
    let mut existing: Vec<String> = collection
        .iter()
        .filter_map(|a| a.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let mut given = wanted.clone();
    existing.sort();
    given.sort();
    if existing != given {
        return Err(bad_request(
            "The order must list every appendix of the contract exactly once",
        ));
    }
    for id in &wanted {
        if let Some(appendix) = collection.remove(id) {
            collection.put(id, appendix);
        }
    }
    let schema = info.response.map_or(&NULL, items_of);
    Ok(Reply::json(
        info.op.success,
        Value::Array(rendered_items(state, &key, schema)),
    ))
}

/// An exact decimal amount: `units` × 10^-`scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Amount {
    units: i128,
    scale: u32,
}

impl Amount {
    /// Zero.
    const ZERO: Amount = Amount { units: 0, scale: 0 };

    /// Parses `12`, `-3.50`, `+0.1` (at most 18 integer and 9 fraction digits).
    fn parse(text: &str) -> Option<Amount> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !all_digits(whole)
            || !all_digits(fraction)
            || whole.len() > 18
            || fraction.len() > 9
        {
            return None;
        }
        let units: i128 = format!("0{whole}{fraction}").parse().ok()?;
        Some(Amount {
            units: if negative { -units } else { units },
            scale: u32::try_from(fraction.len()).ok()?,
        })
    }

    /// The units at a larger `scale`.
    fn at(self, scale: u32) -> i128 {
        self.units * 10_i128.pow(scale - self.scale)
    }

    /// The sum (at the larger scale).
    fn plus(self, other: Amount) -> Amount {
        let scale = self.scale.max(other.scale);
        Amount {
            units: self.at(scale) + other.at(scale),
            scale,
        }
    }

    /// The negation.
    fn negated(self) -> Amount {
        Amount {
            units: -self.units,
            scale: self.scale,
        }
    }

    /// The amount as a float (for a `WalletEvent`'s `balanceChange`).
    fn to_f64(self) -> f64 {
        self.units as f64 / 10_f64.powi(i32::try_from(self.scale).unwrap_or(0))
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = format!(
            "{:0>width$}",
            self.units.unsigned_abs(),
            width = self.scale as usize + 1
        );
        let (whole, fraction) = digits.split_at(digits.len() - self.scale as usize);
        if fraction.is_empty() {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{fraction}")
        }
    }
}

/// A stored wallet's balance.
fn balance_of(wallet: &Map<String, Value>) -> Amount {
    wallet
        .get("balance")
        .and_then(Value::as_str)
        .and_then(Amount::parse)
        .unwrap_or(Amount::ZERO)
}

/// Changes a wallet's balance by `change` and records the event.
fn book(
    state: &mut State,
    id: &str,
    change: Amount,
    message: Option<&Value>,
    counterpart: Option<(&str, &str)>,
) {
    let event_id = state.new_id();
    let schema = resource("/wallet").map_or(&NULL, |(_, s)| s);
    let Some(Value::Object(wallet)) = stored_mut(state, "/wallet", id) else {
        return;
    };
    if property(schema, "balance").is_some() {
        let balance = balance_of(wallet).plus(change);
        wallet.insert("balance".into(), json!(balance.to_string()));
    }
    if property(schema, "events").is_some() {
        let mut event = json!({"id": event_id, "balanceChange": change.to_f64(), "time": now()});
        if let Some(message) = message {
            event["message"] = message.clone();
        }
        if let Some((field, other)) = counterpart {
            event[field] = json!(other);
        }
        let events = wallet.entry("events").or_insert_with(|| json!([]));
        if let Some(events) = events.as_array_mut() {
            events.push(event);
        }
    }
}

/// `wallet_deposit`, `wallet_withdraw`, `wallet_transfer`: a positive `amount` in the wallet's
/// currency; withdrawals and transfers need the funds, transfers a `transferTo` wallet in the
/// same currency.
fn wallet_move(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    let id = ctx.param("walletId");
    let wallet = match stored(state, "/wallet", id) {
        Some(Value::Object(wallet)) => wallet.clone(),
        _ => return Err(not_found("Wallet", id)),
    };
    let transaction = parse_object(ctx, info.request)?;
    let amount = transaction
        .get("amount")
        .and_then(Value::as_str)
        .and_then(Amount::parse)
        .filter(|a| a.units > 0)
        .ok_or_else(|| bad_request("amount must be a positive decimal number"))?;
    let currency = wallet.get("currency").and_then(Value::as_str);
    if let (Some(given), Some(currency)) = (
        transaction.get("currency").and_then(Value::as_str),
        currency,
    ) && given != currency
    {
        return Err(bad_request(format!(
            "Currency {given} is not the wallet's currency {currency}"
        )));
    }
    let message = transaction.get("message");
    if ctx.op == "wallet_deposit" {
        book(state, id, amount, message, None);
        return Ok(Reply::empty(info.op.success));
    }
    let target = if ctx.op == "wallet_transfer" {
        let target = transaction
            .get("transferTo")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad_request("A transfer needs transferTo"))?;
        if target == id {
            return Err(bad_request("A wallet cannot transfer to itself"));
        }
        let other = stored(state, "/wallet", target).ok_or_else(|| not_found("Wallet", target))?;
        let other_currency = other.get("currency").and_then(Value::as_str);
        if other_currency != currency {
            return Err(bad_request(format!(
                "Wallet {target} has a different currency ({}) than wallet {id} ({})",
                other_currency.unwrap_or("none"),
                currency.unwrap_or("none")
            )));
        }
        Some(target.to_owned())
    } else {
        None
    };
    if balance_of(&wallet).plus(amount.negated()).units < 0 {
        return Err(bad_request(format!(
            "Insufficient funds: wallet {id} has {}",
            balance_of(&wallet)
        )));
    }
    match target {
        Some(target) => {
            book(
                state,
                id,
                amount.negated(),
                message,
                Some(("transferTo", &target)),
            );
            book(state, &target, amount, message, Some(("transferFrom", id)));
        }
        None => book(state, id, amount.negated(), message, None),
    }
    Ok(Reply::empty(info.op.success))
}

/// `subscription_terminate`: `terminated` at `WHEN` (default now).
fn subscription_terminate(state: &mut State, ctx: &Ctx<'_>, info: &OpInfo) -> Handled {
    let id = ctx.param("subscriptionId");
    let when = match ctx.query("WHEN").filter(|w| !w.trim().is_empty()) {
        Some(text) => format_time(
            parse_time(text.trim())
                .ok_or_else(|| bad_request(format!("Invalid value for WHEN: {text}")))?,
        ),
        None => now(),
    };
    let Some(Value::Object(subscription)) = stored_mut(state, "/subscription", id) else {
        return Err(not_found("Subscription", id));
    };
    subscription.insert("terminated".into(), json!(when));
    if let Some(Value::Object(meta)) = subscription.get_mut("meta") {
        meta.insert("lastModified".into(), json!(now()));
    }
    let subscription = Value::Object(subscription.clone());
    let schema = info.response.unwrap_or(&NULL);
    let path = format!("/subscription/{}", encode(id));
    Ok(Reply::json(
        info.op.success,
        render(state, &path, &subscription, schema),
    ))
}

// ---------------------------------------------------------------------------------------------
// Priced offers (sales_products_*)

/// The query of a priced-offer request.
struct Offer {
    at: DateTime<Utc>,
    volume: u32,
    locale: Option<String>,
    currency: Option<String>,
    code: Option<String>,
    payment_method: Option<String>,
    segments: Vec<String>,
}

/// `sales_products_get`, `sales_products_catalog_get`, `sales_products_item_get`: the product
/// catalogs with their currently sellable items and prices.
fn priced(state: &mut State, ctx: &Ctx<'_>) -> Handled {
    let at = match ctx.query("atTime") {
        Some(text) => parse_time(text)
            .ok_or_else(|| bad_request(format!("Invalid value for atTime: {text}")))?,
        None => Utc::now(),
    };
    let volume = ctx.query_usize("volume")?.unwrap_or(1);
    let volume = u32::try_from(volume)
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| bad_request(format!("Invalid value for volume: {volume}")))?;
    let owned = |name: &str| ctx.query(name).map(str::to_owned);
    let offer = Offer {
        at,
        volume,
        locale: owned("locale"),
        currency: owned("currency"),
        code: owned("code"),
        payment_method: owned("paymentMethod"),
        segments: ctx
            .query
            .iter()
            .filter(|(k, _)| k == "customerSegment")
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
    };
    if ctx.op == "sales_products_get" {
        let catalogs: Vec<Value> = state
            .ext_collections
            .get("/products/catalog")
            .map(|c| c.iter().cloned().collect())
            .unwrap_or_default();
        let details: Vec<Value> = catalogs
            .iter()
            .map(|c| catalog_details(state, c, &offer))
            .collect();
        return Ok(Reply::ok(json!({ "catalogs": details })));
    }
    let catalog_id = ctx.param("catalogId");
    let catalog = stored(state, "/products/catalog", catalog_id)
        .cloned()
        .ok_or_else(|| not_found("Catalog", catalog_id))?;
    if ctx.op == "sales_products_catalog_get" {
        return Ok(Reply::ok(catalog_details(state, &catalog, &offer)));
    }
    let item_id = ctx.param("itemId");
    let item = catalog
        .get("products")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|i| i["id"] == item_id || i["productId"] == item_id)
        .ok_or_else(|| not_found("Catalog item", item_id))?;
    product_details(state, &catalog, item, &offer)
        .map(Reply::ok)
        .ok_or_else(|| {
            Reply::error(
                404,
                format!(
                    "Catalog item {item_id} is not sellable at {}",
                    format_time(at)
                ),
            )
        })
}

/// A catalog with its sellable items.
fn catalog_details(state: &mut State, catalog: &Value, offer: &Offer) -> Value {
    let items: Vec<Value> = catalog
        .get("products")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let products: Vec<Value> = items
        .iter()
        .filter_map(|item| product_details(state, catalog, item, offer))
        .collect();
    let mut details = json!({"catalogId": catalog["id"], "products": products});
    for field in ["name", "customFields"] {
        if let Some(value) = catalog.get(field).filter(|v| !v.is_null()) {
            details[field] = value.clone();
        }
    }
    details
}

/// Is `at` inside a `Validity`?
fn valid_at(validity: &Value, at: DateTime<Utc>) -> bool {
    let bound = |name: &str| {
        validity
            .get(name)
            .and_then(Value::as_str)
            .and_then(parse_time)
    };
    let day = at.weekday().to_string().to_ascii_uppercase();
    let days_ok = match validity.get("daysOfWeek").and_then(Value::as_array) {
        Some(days) if !days.is_empty() => days.iter().any(|d| {
            d.as_str().is_some_and(|d| {
                d.get(..3)
                    .is_some_and(|p| p.eq_ignore_ascii_case(&day[..3]))
            })
        }),
        _ => true,
    };
    bound("validFrom").is_none_or(|from| from <= at)
        && bound("validUntil").is_none_or(|until| at < until)
        && days_ok
}

/// A catalog item as offered: `None` when its product is unknown or it is not sellable.
fn product_details(
    state: &mut State,
    catalog: &Value,
    item: &Value,
    offer: &Offer,
) -> Option<Value> {
    let product_id = item.get("productId").and_then(Value::as_str)?;
    let product = stored(state, "/products/product", product_id)?.clone();
    let inherited = item
        .get("productValuesInherited")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let field = |own: &str, theirs: &str| -> Option<Value> {
        if !blank(item.get(own)) {
            item.get(own).cloned()
        } else if inherited && !blank(product.get(theirs)) {
            product.get(theirs).cloned()
        } else {
            None
        }
    };
    if let Some(Value::Array(sellable)) = field("sellable", "sellable")
        && !sellable.iter().any(|v| valid_at(v, offer.at))
    {
        return None;
    }
    let mut details = Map::new();
    details.insert("catalogId".into(), catalog["id"].clone());
    details.insert("productId".into(), json!(product_id));
    for (name, own, theirs) in [
        ("productSku", "productSku", "sku"),
        ("usable", "usable", "usable"),
        ("validityLength", "validityLength", "validityLength"),
        (
            "validityStartFrom",
            "validityStartFrom",
            "validityStartFrom",
        ),
        ("customFields", "customFields", "customFields"),
        ("translations", "translations", "translations"),
    ] {
        if let Some(value) = field(own, theirs) {
            details.insert(name.into(), value);
        }
    }
    let texts = localised(
        details.get("translations"),
        &product,
        offer.locale.as_deref(),
    );
    for name in ["name", "description", "shortName"] {
        if let Some(text) = texts.get(name).and_then(Value::as_str) {
            details.insert(name.into(), json!(text));
        }
    }
    let plans: Vec<String> = field("pricingPlans", "pricingPlans")
        .and_then(|p| p.as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let best = plans
        .iter()
        .filter_map(|plan_id| stored(state, "/products/pricingplan", plan_id))
        .filter(|plan| plan_available(plan, offer.at))
        .flat_map(|plan| {
            let pricings = plan.get("pricings").and_then(Value::as_array);
            pricings
                .into_iter()
                .flatten()
                .filter_map(|pricing| evaluate(pricing, offer))
                .map(|price| (plan["id"].clone(), price))
                .collect::<Vec<_>>()
        })
        .min_by(|(_, a), (_, b)| {
            super::services::compare(a.get("totalPriceWithVat"), b.get("totalPriceWithVat"))
        });
    if let Some((plan_id, price)) = best {
        details.insert("pricingPlanId".into(), plan_id);
        details.insert("price".into(), price);
        details.insert("priceToken".into(), json!(state.new_secret()));
        details.insert(
            "priceTokenExpires".into(),
            json!(format_time(Utc::now() + chrono::Duration::minutes(15))),
        );
    }
    Some(Value::Object(details))
}

/// The name, description and short name in `locale` (exactly, by language, or the first): from
/// the translations, else from the product's `descriptions` map.
fn localised(translations: Option<&Value>, product: &Value, locale: Option<&str>) -> Value {
    let language = |l: &str| l.split(['_', '-']).next().unwrap_or_default().to_owned();
    let pick = |candidates: Vec<(String, Value)>| -> Option<Value> {
        let exact = locale.and_then(|l| candidates.iter().find(|(c, _)| c == l));
        let by_language =
            locale.and_then(|l| candidates.iter().find(|(c, _)| language(c) == language(l)));
        exact
            .or(by_language)
            .or(candidates.first())
            .map(|(_, v)| v.clone())
    };
    let from_translations = translations
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .map(|v| {
                    let locale = v.get("locale").and_then(Value::as_str).unwrap_or_default();
                    (locale.to_owned(), v.clone())
                })
                .collect::<Vec<_>>()
        })
        .and_then(pick);
    from_translations
        .or_else(|| {
            let descriptions = product.get("descriptions").and_then(Value::as_object)?;
            pick(
                descriptions
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        })
        .unwrap_or(Value::Null)
}

/// Is a pricing plan enabled, published and available at `at`?
fn plan_available(plan: &Value, at: DateTime<Utc>) -> bool {
    let time = |name: &str| plan.get(name).and_then(Value::as_str).and_then(parse_time);
    let availability = plan.get("availability").and_then(Value::as_array);
    plan.get("enabled").and_then(Value::as_bool) != Some(false)
        && time("publishDate").is_none_or(|t| t <= at)
        && time("unpublishDate").is_none_or(|t| at < t)
        && availability.is_none_or(|a| a.is_empty() || a.iter().any(|v| valid_at(v, at)))
}

/// Rounds to cents.
fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// A `PriceEvaluation` of one pricing for the offer: `None` when it is disabled, in another
/// currency or without a price. Discounts (volume, code, customer segment, payment method) are
/// applied per kind: every matching one when the kind stacks, else the first.
fn evaluate(pricing: &Value, offer: &Offer) -> Option<Value> {
    if pricing.get("enabled").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let currency = pricing.get("currency").and_then(Value::as_str);
    if offer
        .currency
        .as_deref()
        .is_some_and(|wanted| Some(wanted) != currency)
    {
        return None;
    }
    let price = pricing.get("price").and_then(Value::as_f64)?;
    let vat = pricing
        .get("vatPercent")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    if !price.is_finite() || !vat.is_finite() || vat <= -100.0 {
        return None;
    }
    let factor = 1.0 + vat / 100.0;
    let vat_included = pricing
        .get("vatIncluded")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let gross = |amount: f64| {
        if vat_included {
            amount
        } else {
            amount * factor
        }
    };
    let base = gross(price);
    let volume = f64::from(offer.volume);
    let matches = |kind: &str, discount: &Value| -> bool {
        let text = |name: &str| discount.get(name).and_then(Value::as_str);
        match kind {
            "volumeDiscounts" => {
                let bound = |name: &str| discount.get(name).and_then(Value::as_i64);
                let v = i64::from(offer.volume);
                bound("rangeStart").is_none_or(|s| s <= v)
                    && bound("rangeEnd").is_none_or(|e| v <= e)
            }
            "codeDiscounts" => text("code").is_some() && text("code") == offer.code.as_deref(),
            "customerSegmentDiscounts" => {
                text("customerSegment").is_some_and(|s| offer.segments.iter().any(|o| o == s))
            }
            _ => {
                text("paymentMethod").is_some()
                    && text("paymentMethod") == offer.payment_method.as_deref()
            }
        }
    };
    let mut per_unit_off = 0.0;
    let mut total_off = 0.0;
    let mut discounts = Vec::new();
    for (kind, stacking) in [
        ("volumeDiscounts", "volumeDiscountStacking"),
        ("codeDiscounts", "codeDiscountStacking"),
        (
            "customerSegmentDiscounts",
            "customerSegmentDiscountStacking",
        ),
        ("paymentMethodDiscounts", "paymentMethodDiscountStacking"),
    ] {
        let stacks = pricing.get(stacking).and_then(Value::as_bool) == Some(true);
        let matching = pricing
            .get(kind)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|d| matches(kind, d))
            .take(if stacks { usize::MAX } else { 1 });
        for discount in matching {
            let number = |name: &str| discount.get(name).and_then(Value::as_f64).unwrap_or(0.0);
            let per_unit = base * number("discountPercentage") / 100.0
                + gross(number("discountAmountPerItem"));
            let total = gross(number("discountAmount"));
            per_unit_off += per_unit;
            total_off += total;
            let mut info = json!({"amount": cents(per_unit * volume + total), "vatIncluded": true});
            if let Some(title) = discount.get("title").and_then(Value::as_str) {
                info["title"] = json!(title);
            }
            discounts.push(info);
        }
    }
    let unit = (base - per_unit_off).max(0.0);
    let total = (unit * volume - total_off).max(0.0);
    let mut evaluation = json!({
        "basePriceWithVat": cents(base),
        "basePriceWithoutVat": cents(base / factor),
        "baseVatAmount": cents(base - base / factor),
        "pricePerUnitWithVat": cents(unit),
        "pricePerUnitWithoutVat": cents(unit / factor),
        "pricePerUnitVatAmount": cents(unit - unit / factor),
        "totalPriceWithVat": cents(total),
        "totalPriceWithoutVat": cents(total / factor),
        "totalVatAmount": cents(total - total / factor),
        "vatPercent": vat,
        "discounts": discounts,
    });
    if let Some(currency) = currency {
        evaluation["currency"] = json!(currency);
    }
    Some(evaluation)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls the fake's Management API directly.
    fn call(state: &mut State, method: &str, path: &str, body: &str) -> Reply {
        super::super::handle(
            state,
            method,
            &format!("{PREFIX}{path}"),
            Vec::new(),
            body.as_bytes(),
            "http://fake",
        )
    }

    /// The JSON body of a reply.
    fn json_of(reply: &Reply) -> Value {
        match &reply.body {
            Body::Json(v) => v.clone(),
            other => panic!("not JSON: {other:?}"),
        }
    }

    #[test]
    fn deleting_a_user_deletes_its_paycards_and_their_tokens() {
        let mut state = State::default();
        let user = json_of(&call(&mut state, "POST", "/user", r#"{"username":"u"}"#));
        let user = user["id"].as_str().unwrap().to_owned();
        let card = call(&mut state, "POST", &format!("/user/{user}/paycard"), "{}");
        assert_eq!(card.status, 201);
        let card = json_of(&card)["id"].as_str().unwrap().to_owned();
        let token = format!("/user/{user}/paycard/{card}/pantoken");
        assert_eq!(call(&mut state, "POST", &token, "{}").status, 201);
        assert!(state.ext_collections.keys().any(|k| k.contains(&user)));
        assert_eq!(
            call(&mut state, "DELETE", &format!("/user/{user}"), "").status,
            204
        );
        let left: Vec<_> = state
            .ext_collections
            .keys()
            .chain(state.ext_objects.keys())
            .filter(|k| k.contains(&user))
            .collect();
        assert!(left.is_empty(), "left behind: {left:?}");
    }

    #[test]
    fn every_extension_operation_is_served() {
        let ops = &spec().ops;
        assert!(
            ops.len() >= 147,
            "the spec's extension operations: {}",
            ops.len()
        );
        for (id, info) in ops {
            assert!(
                SPECIAL.contains(id) || info.shape.is_some(),
                "{id} has no handler"
            );
        }
        for id in SPECIAL {
            assert!(ops.contains_key(id), "{id} is not in the spec");
        }
    }

    #[test]
    fn unknown_ids_are_404_everywhere() {
        let mut state = State::default();
        for info in spec().ops.values() {
            let path: String = info
                .segments
                .iter()
                .map(|s| {
                    if param_name(s).is_some() {
                        "/000000000000000000000000".to_owned()
                    } else {
                        format!("/{s}")
                    }
                })
                .collect();
            if !path.contains("/000000000000000000000000") {
                continue;
            }
            let body = if info.op.id.ends_with("order_update") {
                "[]"
            } else {
                "{}"
            };
            let reply = call(&mut state, info.op.method, &path, body);
            assert_eq!(reply.status, 404, "{} {path}: {reply:?}", info.op.id);
        }
    }

    #[test]
    fn the_contract_states_are_the_specs() {
        let (_, contract) = resource("/contract").unwrap();
        let described = property(contract, "currentState").unwrap()["description"]
            .as_str()
            .unwrap();
        for state in ["DRAFT", "SIGNABLE", "SIGNED", "UNDER_NOTICE", "TERMINATED"] {
            assert!(described.contains(&format!("`{state}`")), "{state}");
        }
    }

    #[test]
    fn amounts_are_exact() {
        let a = Amount::parse("10.05").unwrap();
        let b = Amount::parse("0.1").unwrap();
        assert_eq!(a.plus(b).to_string(), "10.15");
        assert_eq!(a.plus(b.negated()).to_string(), "9.95");
        assert_eq!(
            Amount::ZERO
                .plus(Amount::parse("20.00").unwrap())
                .to_string(),
            "20.00"
        );
        assert_eq!(
            b.negated().plus(Amount::parse("0.05").unwrap()).to_string(),
            "-0.05"
        );
        assert_eq!(Amount::parse("-3").unwrap().to_string(), "-3");
        assert_eq!(Amount::parse(".5").unwrap().to_string(), "0.5");
        assert!((Amount::parse("2.5").unwrap().to_f64() - 2.5).abs() < f64::EPSILON);
        for bad in ["", ".", "1.2.3", "abc", "1e3", "--1", "1234567890123456789"] {
            assert_eq!(Amount::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn contracts_follow_their_states() {
        let mut state = State::default();
        let created = call(&mut state, "POST", "/contract", r#"{"title": "T"}"#);
        assert_eq!(created.status, 201, "{created:?}");
        let id = json_of(&created)["id"].as_str().unwrap().to_owned();
        assert_eq!(json_of(&created)["currentState"], "DRAFT");
        let sign = call(
            &mut state,
            "POST",
            &format!("/contract/{id}/actions/sign"),
            "",
        );
        assert_eq!(sign.status, 400, "a draft cannot be signed");
        for (action, expected) in [
            ("finalise", "SIGNABLE"),
            ("sign", "SIGNED"),
            ("terminate", "TERMINATED"),
        ] {
            let reply = call(
                &mut state,
                "POST",
                &format!("/contract/{id}/actions/{action}"),
                "",
            );
            assert_eq!(reply.status, 200, "{reply:?}");
            assert_eq!(json_of(&reply)["currentState"], expected);
        }
        let update = call(
            &mut state,
            "PUT",
            &format!("/contract/{id}"),
            r#"{"title": "U"}"#,
        );
        assert_eq!(update.status, 400, "only drafts change");
        assert_eq!(
            json_of(&call(&mut state, "GET", &format!("/contract/{id}"), ""))["stateEvents"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
    }

    #[test]
    fn deleting_removes_the_children() {
        let mut state = State::default();
        let created = call(
            &mut state,
            "POST",
            "/contract",
            r#"{"title": "T", "parties": [{"name": "A"}], "body": {"text": "x"}}"#,
        );
        let contract = json_of(&created);
        assert_eq!(contract["parties"][0]["name"], "A");
        assert_eq!(contract["body"]["text"], "x");
        let id = contract["id"].as_str().unwrap();
        let party = contract["parties"][0]["id"].as_str().unwrap();
        let signer = call(
            &mut state,
            "POST",
            &format!("/contract/{id}/party/{party}/signer"),
            r#"{"name": "S"}"#,
        );
        assert_eq!(signer.status, 200, "{signer:?}");
        assert_eq!(
            call(&mut state, "DELETE", &format!("/contract/{id}"), "").status,
            204
        );
        assert!(
            state
                .ext_collections
                .keys()
                .all(|k| !k.starts_with("/contract/")),
            "{:?}",
            state.ext_collections.keys()
        );
        assert!(state.ext_objects.is_empty());
    }
}
