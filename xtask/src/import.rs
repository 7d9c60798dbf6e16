//! `cargo xtask import`: a server's API document, converted to OpenAPI 3.0.3 and normalized to our
//! conventions, merged with our spec so that the result differs from it only where the API does.
//!
//! Normalization:
//! - paths carry the full `/api/rest/v1` prefix (a server or `basePath` prefix is moved into them);
//!   paths outside it are left out;
//! - an operation that matches one of ours by method and path keeps our operationId, tag, summary
//!   and description; a new one gets its operationId from the server's (camelCase → snake_case,
//!   Springfox's `UsingGET` suffix dropped) or from the method and path, and a tag from our tag of
//!   the nearest path, the server's tag, or the first path segment;
//! - error responses (`4xx`, `5xx`, `default` beside a success) become `4XX`/`5XX`
//!   `$ref: '#/components/responses/Error'`; a `default` that is the only success becomes `200`;
//! - one success status and schema, one request media type (JSON preferred), JSON responses;
//! - schema names become PascalCase, and paged-list envelopes `<Item>Page`;
//! - what progenitor cannot take (multipart bodies, several request media types without JSON,
//!   several success schemas, required cookie or deepObject parameters) is left out and reported;
//!   optional cookie and deepObject parameters are dropped and reported.
//!
//! Merging keeps our version of every operation, parameter and schema the server did not change
//! (our descriptions and hardening, e.g. `nullable` and open enums, survive an import).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::convert;
use crate::diff;
use crate::doc::{self, Mapping, Value, s};
use crate::lint;
use crate::naming::{self, API_PREFIX};

/// An operation the import left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// `METHOD path`.
    pub operation: String,
    /// The operationId it would have had.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The new spec: ours, updated to the server's document.
    pub doc: Value,
    /// The source document's version.
    pub source_version: String,
    /// Operations left out, with the reason.
    pub left_out: Vec<LeftOut>,
    /// What the conversion and normalization changed or dropped.
    pub notes: Vec<String>,
}

/// The error response every operation documents.
pub const ERROR_RESPONSE: &str = "#/components/responses/Error";

fn error_ref() -> Value {
    let mut m = Mapping::new();
    m.insert(s("$ref"), s(ERROR_RESPONSE));
    Value::Mapping(m)
}

fn error_schema() -> Value {
    doc::parse(
        "type: object\n\
         description: The error body of every failed Management API call.\n\
         required: [errorMessage, statusCode]\n\
         properties:\n  errorMessage: {type: string}\n  statusCode: {type: integer, format: int32}\n",
    )
    .expect("the Error schema is valid YAML")
}

fn error_response() -> Value {
    doc::parse(
        "description: Error\n\
         content:\n  application/json:\n    schema:\n      $ref: '#/components/schemas/Error'\n",
    )
    .expect("the Error response is valid YAML")
}

/// Imports `source` (Swagger 2.0 or OpenAPI 3.x) against `ours` (our current spec; an empty
/// mapping when there is none).
pub fn import(source: &Value, ours: &Value) -> Result<Imported, String> {
    let converted = convert::to_openapi30(source)?;
    let mut notes = converted.notes;
    let mut theirs = converted.doc;
    let renames = rename_schemas(&mut theirs);
    if !renames.is_empty() {
        let list: Vec<String> = renames.iter().map(|(a, b)| format!("{a} → {b}")).collect();
        notes.push(format!("schemas renamed: {}", list.join(", ")));
    }
    let prefix = server_prefix(&theirs);
    let mut left_out = Vec::new();

    let our_ops: HashMap<String, doc::Op<'_>> = doc::operations(ours)
        .into_iter()
        .map(|op| (doc::op_key(op.method, op.path), op))
        .collect();
    let mut used_ids: HashSet<String> = our_ops
        .values()
        .filter_map(|op| op.id().map(str::to_string))
        .collect();
    let our_tag_by_path: Vec<(String, String)> = doc::operations(ours)
        .iter()
        .filter_map(|op| {
            let tag = op.op.get("tags")?.as_sequence()?.first()?.as_str()?;
            Some((doc::path_shape(op.path), tag.to_string()))
        })
        .collect();

    // The imported operations: key → (path, method, operation).
    let mut imported: Vec<(String, String, &'static str, Value)> = Vec::new();
    for op in doc::operations(&theirs) {
        let path = match &prefix {
            Some(p) if !op.path.starts_with(API_PREFIX) => format!("{p}{}", op.path),
            _ => op.path.to_string(),
        };
        let key = doc::op_key(op.method, &path);
        let method: &'static str = doc::METHODS
            .iter()
            .find(|m| **m == op.method)
            .copied()
            .unwrap_or("get");
        let ours_op = our_ops.get(&key);
        let id = match ours_op.and_then(|o| o.id()) {
            Some(id) => id.to_string(),
            None => new_id(&op, &path, &mut used_ids),
        };
        if path != API_PREFIX && !path.starts_with(&format!("{API_PREFIX}/")) {
            left_out.push(LeftOut {
                operation: format!("{} {path}", op.method_upper()),
                id,
                reason: format!("outside {API_PREFIX}"),
            });
            continue;
        }
        let our_success = ours_op
            .and_then(|o| diff::success(ours, o.op))
            .map(|(code, r)| {
                let has_body = r
                    .get("content")
                    .and_then(Value::as_mapping)
                    .is_some_and(|c| !c.is_empty());
                (code, has_body)
            });
        match normalize_operation(&theirs, &op, our_success, &mut notes) {
            Ok(mut new_op) => {
                let tag = match ours_op.and_then(|o| o.op.get("tags")) {
                    Some(tags) => tags.clone(),
                    None => Value::Sequence(vec![s(&new_tag(&op, &path, &our_tag_by_path))]),
                };
                let (summary, description) = match ours_op {
                    Some(o) => (o.op.get("summary"), o.op.get("description")),
                    None => (op.op.get("summary"), op.op.get("description")),
                };
                let mut head = Mapping::new();
                head.insert(s("operationId"), s(&id));
                head.insert(s("tags"), tag);
                if let Some(v) = summary {
                    head.insert(s("summary"), v.clone());
                }
                if let Some(v) = description {
                    head.insert(s("description"), v.clone());
                }
                let body = new_op.as_mapping_mut().expect("an operation is a mapping");
                for (k, v) in std::mem::take(body) {
                    head.insert(k, v);
                }
                new_op = Value::Mapping(head);
                let path = match ours_op {
                    Some(o) => {
                        rename_path_params(&mut new_op, &path, o.path);
                        o.path.to_string()
                    }
                    None => path,
                };
                imported.push((key, path, method, new_op));
            }
            Err(reason) => left_out.push(LeftOut {
                operation: format!("{} {path}", op.method_upper()),
                id,
                reason,
            }),
        }
    }

    let doc = merge(ours, &theirs, imported, &mut notes);
    Ok(Imported {
        doc,
        source_version: converted.source_version,
        left_out,
        notes,
    })
}

fn path_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name))
        .collect()
}

/// Renames the path parameters of an operation at `from` to the names our path `to` uses.
fn rename_path_params(op: &mut Value, from: &str, to: &str) {
    let renames: HashMap<&str, &str> = path_params(from)
        .into_iter()
        .zip(path_params(to))
        .filter(|(a, b)| a != b)
        .collect();
    if renames.is_empty() {
        return;
    }
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_sequence_mut) {
        for p in params.iter_mut() {
            if doc::str_at(p, "in") != Some("path") {
                continue;
            }
            let Some(new) = doc::str_at(p, "name").and_then(|n| renames.get(n)) else {
                continue;
            };
            let new = s(new);
            if let Some(m) = p.as_mapping_mut() {
                m.insert(s("name"), new);
            }
        }
    }
}

/// The path of the document's first server URL, when it is more than `/`.
fn server_prefix(doc: &Value) -> Option<String> {
    let url = doc
        .get("servers")?
        .as_sequence()?
        .first()
        .and_then(|srv| doc::str_at(srv, "url"))?;
    let path = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            rest.find('/').map(|j| &rest[j..]).unwrap_or("")
        }
        None => url,
    };
    let path = path.trim_end_matches('/');
    (!path.is_empty()).then(|| path.to_string())
}

fn new_id(op: &doc::Op<'_>, path: &str, used: &mut HashSet<String>) -> String {
    let candidates = [
        op.id().and_then(naming::id_from_server),
        Some(naming::id_from_path(op.method, path)),
    ];
    for c in candidates.into_iter().flatten() {
        if used.insert(c.clone()) {
            return c;
        }
    }
    let base = naming::id_from_path(op.method, path);
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|c| used.insert(c.clone()))
        .expect("some numbered id is free")
}

fn new_tag(op: &doc::Op<'_>, path: &str, ours: &[(String, String)]) -> String {
    // Our tag of the longest of our paths this one extends (`/user/{}/mydata/x` → my_data), when
    // that path is more than the bare resource.
    let shape = doc::path_shape(path);
    let best = ours
        .iter()
        .filter(|(p, _)| shape == *p || shape.starts_with(&format!("{p}/")))
        .max_by_key(|(p, _)| p.len());
    if let Some((p, tag)) = best
        && p.matches('/').count() > API_PREFIX.matches('/').count() + 1
    {
        return tag.clone();
    }
    if let Some(tag) = op
        .op
        .get("tags")
        .and_then(Value::as_sequence)
        .and_then(|t| t.first())
        .and_then(Value::as_str)
    {
        let t = naming::tag_from_server(tag);
        if !t.is_empty() {
            return t;
        }
    }
    if let Some((_, tag)) = best {
        return tag.clone();
    }
    let rest = path.strip_prefix(API_PREFIX).unwrap_or(path);
    rest.split('/')
        .find(|seg| !seg.is_empty() && !seg.starts_with('{'))
        .map(naming::snake_case)
        .unwrap_or_else(|| "default".into())
}

fn is_json(media: &str) -> bool {
    media == "application/json"
        || media.starts_with("application/json;")
        || (media.starts_with("application/") && media.ends_with("+json"))
}

/// One media type for a response's content: JSON when there is JSON (or `*/*`).
fn one_response_media(content: &Mapping, notes: &mut Vec<String>) -> Mapping {
    let mut out = Mapping::new();
    let mut entries: Vec<(String, Value)> = content
        .iter()
        .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v.clone())))
        .collect();
    for (k, _) in entries.iter_mut() {
        if k == "*/*" {
            *k = "application/json".into();
        }
    }
    let pick = entries
        .iter()
        .position(|(k, _)| is_json(k))
        .unwrap_or_default();
    if entries.len() > 1 {
        note(
            notes,
            "response media types reduced to one (JSON where offered)",
        );
    }
    if let Some((k, mut v)) = entries.into_iter().nth(pick) {
        let key = if is_json(&k) {
            "application/json".to_string()
        } else {
            k
        };
        if let Some(m) = v.as_mapping_mut() {
            m.shift_remove("examples");
            m.shift_remove("example");
        }
        out.insert(s(&key), v);
    }
    out
}

fn note(notes: &mut Vec<String>, text: &str) {
    if !notes.iter().any(|n| n == text) {
        notes.push(text.to_string());
    }
}

/// The operation in our form (parameters, requestBody, responses; no id or tag yet), or why it
/// cannot be taken.
fn normalize_operation(
    doc: &Value,
    op: &doc::Op<'_>,
    our_success: Option<(&str, bool)>,
    notes: &mut Vec<String>,
) -> Result<Value, String> {
    let mut out = Mapping::new();
    if op.op.get("deprecated").and_then(Value::as_bool) == Some(true) {
        out.insert(s("deprecated"), Value::Bool(true));
    }
    // Parameters.
    let mut params = Vec::new();
    for p in diff::parameters(doc, op) {
        let name = doc::str_at(p, "name").unwrap_or("?");
        let location = doc::str_at(p, "in").unwrap_or("?");
        let style = doc::str_at(p, "style");
        let required = p.get("required").and_then(Value::as_bool) == Some(true);
        let unsupported = if location == "cookie" {
            Some("cookie parameter")
        } else if location == "query" && style.is_some_and(|st| st != "form") {
            Some(if style == Some("deepObject") {
                "deepObject parameter"
            } else {
                "query parameter style"
            })
        } else {
            None
        };
        if let Some(what) = unsupported {
            if required {
                return Err(format!(
                    "required {what} `{name}` (progenitor cannot send it)"
                ));
            }
            notes.push(format!(
                "{} {}: optional {what} `{name}` dropped (progenitor cannot send it)",
                op.method_upper(),
                op.path
            ));
            continue;
        }
        let mut p = p.clone();
        if let Some(m) = p.as_mapping_mut() {
            if location == "path" {
                m.insert(s("required"), Value::Bool(true));
                m.shift_remove("style");
            }
            m.shift_remove("example");
            m.shift_remove("examples");
        }
        params.push(p);
    }
    if !params.is_empty() {
        out.insert(s("parameters"), Value::Sequence(params));
    }
    // Request body.
    if let Some(body) = op.op.get("requestBody") {
        let body = doc::deref(doc, body);
        let content = body
            .get("content")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        let media: Vec<String> = content
            .keys()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect();
        let chosen = if media.len() <= 1 {
            media.first().cloned()
        } else {
            media.iter().find(|m| is_json(m)).cloned()
        };
        let Some(chosen) = chosen else {
            return Err(format!(
                "several request media types ({}) and none is JSON",
                media.join(", ")
            ));
        };
        if chosen.starts_with("multipart/") {
            return Err(format!(
                "{chosen} request body (progenitor cannot send multipart)"
            ));
        }
        if media.len() > 1 {
            note(
                notes,
                "request media types reduced to application/json where several were offered",
            );
        }
        let mut mt = content.get(chosen.as_str()).cloned().unwrap_or_default();
        if let Some(m) = mt.as_mapping_mut() {
            m.shift_remove("examples");
            m.shift_remove("example");
        }
        let key = if chosen == "*/*" || is_json(&chosen) {
            "application/json".to_string()
        } else {
            chosen
        };
        let mut c = Mapping::new();
        c.insert(s(&key), mt);
        let mut rb = Mapping::new();
        if let Some(d) = body.get("description") {
            rb.insert(s("description"), d.clone());
        }
        if let Some(r) = body.get("required") {
            rb.insert(s("required"), r.clone());
        }
        rb.insert(s("content"), Value::Mapping(c));
        out.insert(s("requestBody"), Value::Mapping(rb));
    }
    // Responses.
    let responses: Vec<(String, &Value)> = op
        .op
        .get("responses")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), doc::deref(doc, v))))
                .collect()
        })
        .unwrap_or_default();
    let mut success: Vec<(String, Mapping)> = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .map(|(code, r)| {
            let content = r
                .get("content")
                .and_then(Value::as_mapping)
                .map(|c| one_response_media(c, notes))
                .unwrap_or_default();
            (code.clone(), content)
        })
        .collect();
    if success.is_empty() {
        if let Some((_, r)) = responses.iter().find(|(c, _)| c == "default") {
            let content = r
                .get("content")
                .and_then(Value::as_mapping)
                .map(|c| one_response_media(c, notes))
                .unwrap_or_default();
            let code = if content.is_empty() { "204" } else { "200" };
            notes.push(format!(
                "{} {}: the only success response was `default`; it became {code}",
                op.method_upper(),
                op.path
            ));
            success.push((code.to_string(), content));
        } else {
            return Err("no success response".into());
        }
    }
    let bodies: Vec<String> = success
        .iter()
        .filter(|(_, c)| !c.is_empty())
        .map(|(_, c)| doc::canonical(&Value::Mapping(c.clone())))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if bodies.len() > 1 {
        let codes: Vec<&str> = success.iter().map(|(c, _)| c.as_str()).collect();
        return Err(format!(
            "several success schemas ({}); progenitor takes one",
            codes.join(", ")
        ));
    }
    let body = success
        .iter()
        .find(|(_, c)| !c.is_empty())
        .map(|(_, c)| c.clone());
    let ours_here = our_success.filter(|(code, _)| success.iter().any(|(c, _)| c == code));
    // Our status when the server documents it too (Springfox lists 200 with the body and 201
    // without, for a call that answers 201); else the one with the body; else the lowest.
    let chosen: (String, Mapping) = match (ours_here, &body) {
        (Some((code, our_body)), Some(b)) if our_body => (code.to_string(), b.clone()),
        (Some((code, _)), _) => {
            let content = success
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, c)| c.clone())
                .unwrap_or_default();
            if content.is_empty() && body.is_some() {
                success
                    .iter()
                    .find(|(_, c)| !c.is_empty())
                    .cloned()
                    .expect("a success response has a body")
            } else {
                (code.to_string(), content)
            }
        }
        (None, Some(_)) => success
            .iter()
            .find(|(_, c)| !c.is_empty())
            .cloned()
            .expect("a success response has a body"),
        (None, None) => success
            .iter()
            .min_by_key(|(c, _)| c.clone())
            .cloned()
            .expect("there is a success response"),
    };
    if success.len() > 1 {
        note(
            notes,
            "extra success statuses without a body dropped (one success status per operation)",
        );
    }
    let mut responses_out = Mapping::new();
    let mut ok = Mapping::new();
    ok.insert(s("description"), s("Success"));
    if !chosen.1.is_empty() {
        ok.insert(s("content"), Value::Mapping(chosen.1));
    }
    responses_out.insert(s(&chosen.0), Value::Mapping(ok));
    responses_out.insert(s("4XX"), error_ref());
    responses_out.insert(s("5XX"), error_ref());
    out.insert(s("responses"), Value::Mapping(responses_out));
    Ok(Value::Mapping(out))
}

/// Schema names in PascalCase; paged-list envelopes named `<Item>Page`. Returns the renames.
fn rename_schemas(doc: &mut Value) -> Vec<(String, String)> {
    let Some(schemas) = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .cloned()
    else {
        return Vec::new();
    };
    let names: Vec<String> = schemas
        .keys()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    let clean = |n: &str| {
        if n.chars().all(|c| c.is_ascii_alphanumeric())
            && n.starts_with(|c: char| c.is_ascii_uppercase())
        {
            n.to_string()
        } else {
            naming::pascal_case(n)
        }
    };
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    // Plain names first, so that envelopes cannot take them.
    for n in &names {
        let c = clean(n);
        if taken.insert(c.clone()) {
            renames.insert(n.clone(), c);
        } else {
            renames.insert(n.clone(), n.clone());
        }
    }
    for n in &names {
        let Some(item) = page_item(&schemas[n.as_str()]) else {
            continue;
        };
        let item = renames.get(item).cloned().unwrap_or_else(|| clean(item));
        let want = format!("{item}Page");
        if renames[n] != want && taken.insert(want.clone()) {
            taken.remove(&renames[n]);
            renames.insert(n.clone(), want);
        }
    }
    renames.retain(|a, b| a != b);
    if renames.is_empty() {
        return Vec::new();
    }
    let mut new_schemas = Mapping::new();
    for (k, v) in schemas {
        let name = k.as_str().unwrap_or_default();
        let new = renames.get(name).map(String::as_str).unwrap_or(name);
        new_schemas.insert(s(new), v);
    }
    if let Some(c) = doc.get_mut("components").and_then(Value::as_mapping_mut) {
        c.insert(s("schemas"), Value::Mapping(new_schemas));
    }
    retarget_refs(doc, &renames);
    renames.into_iter().collect()
}

/// The item schema name of a paged-list envelope `{totalResults, startIndex, itemsPerPage,
/// resources: [$ref]}`.
fn page_item(schema: &Value) -> Option<&str> {
    let props = schema.get("properties")?.as_mapping()?;
    for key in ["totalResults", "startIndex", "itemsPerPage"] {
        props.get(key)?;
    }
    let items = props.get("resources")?.get("items")?;
    doc::ref_of(items).and_then(doc::schema_ref_name)
}

fn retarget_refs(node: &mut Value, renames: &BTreeMap<String, String>) {
    match node {
        Value::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                if k.as_str() == Some("$ref") {
                    let target = v
                        .as_str()
                        .and_then(doc::schema_ref_name)
                        .map(|n| n.replace("~1", "/").replace("~0", "~"))
                        .and_then(|n| renames.get(&n));
                    if let Some(new) = target {
                        *v = s(&format!("#/components/schemas/{new}"));
                    }
                } else {
                    retarget_refs(v, renames);
                }
            }
        }
        Value::Sequence(seq) => seq.iter_mut().for_each(|v| retarget_refs(v, renames)),
        _ => {}
    }
}

/// A schema comparable regardless of documentation keys, refs by name.
fn schema_shape(v: &Value) -> serde_json::Value {
    let empty = Value::Null;
    diff::expand(&empty, v, &mut Vec::new())
}

fn shapes_equal(a: &Value, b: &Value) -> bool {
    let mut details = Vec::new();
    diff::compare("", &schema_shape(a), &schema_shape(b), &mut details);
    details.is_empty()
}

/// Our schema where the server's has the same shape; otherwise the server's, with our version of
/// each property that did not change.
fn merge_schema(ours: &Value, theirs: &Value) -> Value {
    if shapes_equal(ours, theirs) {
        return ours.clone();
    }
    let mut out = theirs.clone();
    if let (Some(our_props), Some(props)) = (
        ours.get("properties").and_then(Value::as_mapping),
        out.get_mut("properties").and_then(Value::as_mapping_mut),
    ) {
        for (name, p) in props.iter_mut() {
            if let Some(op) = our_props.get(name) {
                *p = merge_schema(op, p);
            }
        }
    }
    if let (Some(our_items), Some(items)) = (ours.get("items"), out.get_mut("items")) {
        *items = merge_schema(our_items, items);
    }
    if let (Some(m), Some(o)) = (out.as_mapping_mut(), ours.as_mapping()) {
        // Our description and hardening win.
        for key in ["description", "nullable"] {
            if let Some(v) = o.get(key) {
                m.insert(s(key), v.clone());
            }
        }
        reorder_like(m, o);
        if let (Some(props), Some(our_props)) = (
            m.get_mut("properties").and_then(Value::as_mapping_mut),
            o.get("properties").and_then(Value::as_mapping),
        ) {
            reorder_like(props, our_props);
        }
    }
    out
}

/// Puts the keys `model` has first, in its order, then the others in theirs.
fn reorder_like(map: &mut Mapping, model: &Mapping) {
    let mut sorted = Mapping::new();
    for k in model.keys() {
        if let Some(v) = map.get(k) {
            sorted.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in map.iter() {
        if !sorted.contains_key(k) {
            sorted.insert(k.clone(), v.clone());
        }
    }
    *map = sorted;
}

fn param_ref_for(ours_params: Option<&Mapping>, p: &Value) -> Option<Value> {
    let (name, location) = (doc::str_at(p, "name")?, doc::str_at(p, "in")?);
    for (key, shared) in ours_params? {
        if doc::str_at(shared, "name") == Some(name)
            && doc::str_at(shared, "in") == Some(location)
            && shared
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                == p.get("required").and_then(Value::as_bool).unwrap_or(false)
        {
            let (a, b) = (shared.get("schema")?, p.get("schema")?);
            if doc::str_at(a, "type") == doc::str_at(b, "type")
                && doc::str_at(a, "format") == doc::str_at(b, "format")
                && doc::ref_of(a) == doc::ref_of(b)
            {
                let mut m = Mapping::new();
                m.insert(
                    s("$ref"),
                    s(&format!("#/components/parameters/{}", key.as_str()?)),
                );
                return Some(Value::Mapping(m));
            }
        }
    }
    None
}

/// Builds the new spec: ours with its operations, tags and schemas replaced by the imported ones,
/// keeping ours wherever the server's has the same shape.
fn merge(
    ours: &Value,
    theirs: &Value,
    imported: Vec<(String, String, &'static str, Value)>,
    notes: &mut Vec<String>,
) -> Value {
    let mut out = match ours {
        Value::Mapping(m) if !m.is_empty() => ours.clone(),
        _ => skeleton(theirs),
    };
    let ours_params = ours
        .get("components")
        .and_then(|c| c.get("parameters"))
        .and_then(Value::as_mapping);

    // Schemas first (operations are compared on the merged schemas).
    let our_schemas = ours
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let their_schemas = theirs
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    let mut schemas = Mapping::new();
    for (name, ov) in &our_schemas {
        let v = match their_schemas.get(name) {
            Some(tv) if name.as_str() != Some("Error") => merge_schema(ov, tv),
            _ => ov.clone(),
        };
        schemas.insert(name.clone(), v);
    }
    for (name, tv) in &their_schemas {
        if !schemas.contains_key(name) {
            schemas.insert(name.clone(), tv.clone());
        }
    }
    if !schemas.contains_key("Error") {
        schemas.insert(s("Error"), error_schema());
    }

    // Operations, in our order of paths and methods, then the new ones.
    let mut ops_by_key: BTreeMap<String, (String, &'static str, Value)> = BTreeMap::new();
    let mut new_order: Vec<String> = Vec::new();
    for (key, path, method, op) in imported {
        new_order.push(key.clone());
        ops_by_key.insert(key, (path, method, op));
    }
    let mut scratch = out.clone();
    set_schemas(&mut scratch, schemas.clone());
    let our_ops: Vec<doc::Op<'_>> = doc::operations(ours);
    let mut paths = Mapping::new();
    let mut placed: HashSet<String> = HashSet::new();
    let place = |paths: &mut Mapping, path: &str, method: &str, op: Value| {
        let item = paths
            .entry(s(path))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Some(m) = item.as_mapping_mut() {
            m.insert(s(method), op);
        }
    };
    for our in &our_ops {
        let key = doc::op_key(our.method, our.path);
        let Some((path, method, op)) = ops_by_key.get(&key) else {
            continue;
        };
        placed.insert(key.clone());
        let chosen = choose_operation(ours, our, &scratch, path, method, op, ours_params);
        place(&mut paths, path, method, chosen);
    }
    for key in &new_order {
        if placed.contains(key) {
            continue;
        }
        let (path, method, op) = &ops_by_key[key];
        let mut op = op.clone();
        share_parameters(&mut op, ours_params);
        place(&mut paths, path, method, op);
    }
    // Keep methods within a path item in our usual order.
    for (_, item) in paths.iter_mut() {
        if let Some(m) = item.as_mapping_mut() {
            let mut sorted = Mapping::new();
            for method in doc::METHODS {
                if let Some(v) = m.get(method) {
                    sorted.insert(s(method), v.clone());
                }
            }
            *m = sorted;
        }
    }
    if let Some(m) = out.as_mapping_mut() {
        m.insert(s("openapi"), s("3.0.3"));
        m.insert(s("paths"), Value::Mapping(paths));
    }

    // Tags: ours, then the new ones.
    let mut tags: Vec<Value> = ours
        .get("tags")
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    let mut declared: HashSet<String> = tags
        .iter()
        .filter_map(|t| doc::str_at(t, "name").map(str::to_string))
        .collect();
    for op in doc::operations(&out) {
        for tag in op
            .op
            .get("tags")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if declared.insert(tag.to_string()) {
                let description = their_tag_description(theirs, tag)
                    .unwrap_or_else(|| format!("{} (imported)", tag.replace('_', " ")));
                let mut t = Mapping::new();
                t.insert(s("name"), s(tag));
                t.insert(s("description"), s(&description));
                tags.push(Value::Mapping(t));
            }
        }
    }
    if let Some(m) = out.as_mapping_mut() {
        m.insert(s("tags"), Value::Sequence(tags));
    }
    ensure_error_components(&mut out);
    set_schemas(&mut out, schemas);

    // Schemas nothing uses any more.
    let used = lint::used_schemas(&out);
    let mut dropped_ours = Vec::new();
    let mut dropped_theirs = 0;
    if let Some(schemas) = out
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_mapping_mut)
    {
        schemas.retain(|name, _| {
            let name = name.as_str().unwrap_or_default();
            let keep = used.contains(name);
            if !keep {
                if our_schemas.contains_key(name) {
                    dropped_ours.push(name.to_string());
                } else {
                    dropped_theirs += 1;
                }
            }
            keep
        });
    }
    if !dropped_ours.is_empty() {
        notes.push(format!(
            "schemas no operation uses any more, removed: {}",
            dropped_ours.join(", ")
        ));
    }
    if dropped_theirs > 0 {
        notes.push(format!(
            "{dropped_theirs} schemas of the server's document no imported operation uses were left out"
        ));
    }
    out
}

fn skeleton(theirs: &Value) -> Value {
    let mut m = Mapping::new();
    m.insert(s("openapi"), s("3.0.3"));
    m.insert(
        s("info"),
        theirs.get("info").cloned().unwrap_or_else(|| {
            doc::parse("title: Trivore ID Management API\nversion: '1'\n").expect("valid")
        }),
    );
    let mut server = Mapping::new();
    server.insert(s("url"), s("/"));
    m.insert(s("servers"), Value::Sequence(vec![Value::Mapping(server)]));
    m.insert(s("tags"), Value::Sequence(Vec::new()));
    if let Some(sec) = theirs.get("security") {
        m.insert(s("security"), sec.clone());
    }
    m.insert(s("paths"), Value::Mapping(Mapping::new()));
    let mut components = Mapping::new();
    if let Some(schemes) = theirs
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
    {
        components.insert(s("securitySchemes"), schemes.clone());
    }
    m.insert(s("components"), Value::Mapping(components));
    Value::Mapping(m)
}

fn components_mut(doc: &mut Value) -> Option<&mut Mapping> {
    let m = doc.as_mapping_mut()?;
    if !m.contains_key("components") {
        m.insert(s("components"), Value::Mapping(Mapping::new()));
    }
    m.get_mut("components")?.as_mapping_mut()
}

fn set_schemas(doc: &mut Value, schemas: Mapping) {
    if let Some(c) = components_mut(doc) {
        c.insert(s("schemas"), Value::Mapping(schemas));
    }
}

fn ensure_error_components(doc: &mut Value) {
    if let Some(c) = components_mut(doc) {
        let responses = c
            .entry(s("responses"))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Some(r) = responses.as_mapping_mut()
            && !r.contains_key("Error")
        {
            r.insert(s("Error"), error_response());
        }
    }
}

fn their_tag_description(theirs: &Value, tag: &str) -> Option<String> {
    theirs
        .get("tags")?
        .as_sequence()?
        .iter()
        .find(|t| doc::str_at(t, "name").is_some_and(|n| naming::tag_from_server(n) == tag))
        .and_then(|t| doc::str_at(t, "description"))
        .map(str::to_string)
}

fn share_parameters(op: &mut Value, ours_params: Option<&Mapping>) {
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_sequence_mut) {
        for p in params.iter_mut() {
            if let Some(r) = param_ref_for(ours_params, p) {
                *p = r;
            }
        }
    }
}

/// Our operation when the imported one has the same signature; otherwise the imported one with
/// our version of every parameter that did not change.
fn choose_operation(
    ours: &Value,
    our: &doc::Op<'_>,
    merged: &Value,
    path: &str,
    method: &str,
    imported: &Value,
    ours_params: Option<&Mapping>,
) -> Value {
    let mut imported = imported.clone();
    share_parameters(&mut imported, ours_params);
    let item = {
        let mut m = Mapping::new();
        m.insert(s(method), imported.clone());
        Value::Mapping(m)
    };
    let no_item = Value::Null;
    let new_op = doc::Op {
        path,
        method,
        op: &item[method],
        item: &no_item,
    };
    let old_sig = diff::signature(ours, our);
    let new_sig = diff::signature(merged, &new_op);
    if diff::compare_signatures(&old_sig, &new_sig).0.is_empty() {
        return our.op.clone();
    }
    let mut op = imported;
    let our_params: Vec<(&Value, &Value)> = our
        .op
        .get("parameters")
        .and_then(Value::as_sequence)
        .map(|ps| ps.iter().map(|p| (p, doc::deref(ours, p))).collect())
        .unwrap_or_default();
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_sequence_mut) {
        for p in params.iter_mut() {
            let resolved = doc::deref(merged, p).clone();
            let same = our_params.iter().find(|(_, q)| {
                doc::str_at(q, "name") == doc::str_at(&resolved, "name")
                    && doc::str_at(q, "in") == doc::str_at(&resolved, "in")
            });
            if let Some((raw, q)) = same {
                let a = diff::expand(ours, q, &mut Vec::new());
                let b = diff::expand(merged, &resolved, &mut Vec::new());
                let mut d = Vec::new();
                diff::compare("", &a, &b, &mut d);
                if d.is_empty() {
                    *p = (*raw).clone();
                }
            }
        }
    }
    op
}
