//! Differences between two specs, by operation: added, removed, and changed parameters, request or
//! response. Schemas are compared with their `$ref`s expanded, so renaming a schema is no change;
//! documentation (descriptions, examples) and our local hardening (`nullable`, open enums kept as
//! strings) are not API changes and are ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::doc::{self, Value};

/// Keys that document a schema or only harden our decoding of it; they never count as a change.
const IGNORED: [&str; 11] = [
    "description",
    "summary",
    "title",
    "example",
    "examples",
    "externalDocs",
    "xml",
    "deprecated",
    "nullable",
    "readOnly",
    "writeOnly",
];

/// What an operation looks like from the outside, with every `$ref` expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    /// Parameters by `"<in> <name>"`.
    pub params: BTreeMap<String, Json>,
    /// The request body: `{media, required, schema}`.
    pub request: Option<Json>,
    /// The success response: `{status, media, schema}`.
    pub response: Json,
}

/// The parameters of an operation (path item's and its own, the latter winning), each resolved.
pub fn parameters<'a>(doc: &'a Value, op: &doc::Op<'a>) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = Vec::new();
    for list in [op.item.get("parameters"), op.op.get("parameters")] {
        for p in list.and_then(Value::as_sequence).into_iter().flatten() {
            let p = doc::deref(doc, p);
            let key = (doc::str_at(p, "in"), doc::str_at(p, "name"));
            out.retain(|q| (doc::str_at(q, "in"), doc::str_at(q, "name")) != key);
            out.push(p);
        }
    }
    out
}

/// The success status of an operation's responses (the first 2xx) and its response.
pub fn success<'a>(doc: &'a Value, op: &'a Value) -> Option<(&'a str, &'a Value)> {
    op.get("responses")?
        .as_mapping()?
        .iter()
        .filter_map(|(k, v)| k.as_str().map(|k| (k, v)))
        .find(|(k, _)| *k == "2XX" || k.parse::<u16>().is_ok_and(|c| (200..300).contains(&c)))
        .map(|(k, v)| (k, doc::deref(doc, v)))
}

fn media_and_schema(doc: &Value, holder: &Value) -> (Json, Json) {
    match holder
        .get("content")
        .and_then(Value::as_mapping)
        .and_then(|c| c.iter().next())
    {
        Some((media, mt)) => (
            Json::String(media.as_str().unwrap_or_default().to_string()),
            mt.get("schema")
                .map(|s| expand(doc, s, &mut Vec::new()))
                .unwrap_or(Json::Null),
        ),
        None => (Json::Null, Json::Null),
    }
}

/// The signature of one operation of `doc`.
pub fn signature(doc: &Value, op: &doc::Op<'_>) -> Signature {
    let mut params = BTreeMap::new();
    for p in parameters(doc, op) {
        let key = format!(
            "{} {}",
            doc::str_at(p, "in").unwrap_or("?"),
            doc::str_at(p, "name").unwrap_or("?")
        );
        let mut sig = serde_json::Map::new();
        sig.insert(
            "required".into(),
            Json::Bool(p.get("required").and_then(Value::as_bool).unwrap_or(false)),
        );
        for k in ["style", "explode"] {
            if let Some(v) = p.get(k) {
                sig.insert(k.into(), doc::to_json(v));
            }
        }
        sig.insert(
            "schema".into(),
            p.get("schema")
                .map(|s| expand(doc, s, &mut Vec::new()))
                .unwrap_or(Json::Null),
        );
        params.insert(key, Json::Object(sig));
    }
    let request = op.op.get("requestBody").map(|b| {
        let b = doc::deref(doc, b);
        let (media, schema) = media_and_schema(doc, b);
        serde_json::json!({
            "media": media,
            "required": b.get("required").and_then(Value::as_bool).unwrap_or(false),
            "schema": schema,
        })
    });
    let response = match success(doc, op.op) {
        Some((status, r)) => {
            let (media, schema) = media_and_schema(doc, r);
            serde_json::json!({"status": status, "media": media, "schema": schema})
        }
        None => serde_json::json!({"status": null, "media": null, "schema": null}),
    };
    Signature {
        params,
        request,
        response,
    }
}

/// A schema with its `$ref`s expanded (a schema met again inside itself becomes
/// `{"$recursive": name}`), documentation keys dropped and `required` sorted.
pub fn expand(doc: &Value, schema: &Value, stack: &mut Vec<String>) -> Json {
    if let Some(r) = doc::ref_of(schema) {
        let name = doc::schema_ref_name(r).unwrap_or(r).to_string();
        if stack.contains(&name) {
            return serde_json::json!({ "$recursive": name });
        }
        return match doc::resolve(doc, r) {
            Some(target) => {
                stack.push(name);
                let out = expand(doc, target, stack);
                stack.pop();
                out
            }
            None => serde_json::json!({ "$unresolved": r }),
        };
    }
    match schema {
        Value::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let Some(k) = k.as_str() else { continue };
                if IGNORED.contains(&k) || k.starts_with("x-") {
                    continue;
                }
                let v = match (k, v) {
                    ("properties", Value::Mapping(props)) => Json::Object(
                        props
                            .iter()
                            .map(|(name, s)| {
                                (
                                    name.as_str().unwrap_or_default().to_string(),
                                    expand(doc, s, stack),
                                )
                            })
                            .collect(),
                    ),
                    ("required", Value::Sequence(names)) => {
                        let mut names: Vec<Json> = names.iter().map(doc::to_json).collect();
                        names.sort_by_key(|n| n.to_string());
                        Json::Array(names)
                    }
                    ("enum", _) => doc::to_json(v),
                    _ => expand(doc, v, stack),
                };
                out.insert(k.to_string(), v);
            }
            Json::Object(out)
        }
        Value::Sequence(seq) => Json::Array(seq.iter().map(|v| expand(doc, v, stack)).collect()),
        other => doc::to_json(other),
    }
}

fn render(v: &Json) -> String {
    let text = match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// The differences between two expanded values, as `path: old → new`, `+path` and `-path`.
pub fn compare(at: &str, old: &Json, new: &Json, out: &mut Vec<String>) {
    match (old, new) {
        (Json::Object(a), Json::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let here = doc::join(at, k);
                match (a.get(k), b.get(k)) {
                    // One side keeps an enum open as a string (our hardening): no change.
                    (Some(_), None) | (None, Some(_)) if k == "enum" => {}
                    (Some(x), Some(y)) if k == "enum" || k == "required" => {
                        set_difference(&here, x, y, out)
                    }
                    (Some(x), Some(y)) => compare(&here, x, y, out),
                    (Some(_), None) => out.push(format!("-{here}")),
                    (None, Some(_)) => out.push(format!("+{here}")),
                    (None, None) => {}
                }
            }
        }
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&doc::index(at, i), x, y, out);
            }
        }
        _ if old == new => {}
        _ => out.push(format!(
            "{}: {} → {}",
            if at.is_empty() { "schema" } else { at },
            render(old),
            render(new)
        )),
    }
}

fn set_difference(at: &str, old: &Json, new: &Json, out: &mut Vec<String>) {
    let (Some(a), Some(b)) = (old.as_array(), new.as_array()) else {
        return compare(at, old, new, out);
    };
    let added: Vec<String> = b.iter().filter(|x| !a.contains(x)).map(render).collect();
    let removed: Vec<String> = a.iter().filter(|x| !b.contains(x)).map(render).collect();
    if added.is_empty() && removed.is_empty() {
        return;
    }
    let mut parts = Vec::new();
    if !added.is_empty() {
        parts.push(format!("+{}", added.join(", +")));
    }
    if !removed.is_empty() {
        parts.push(format!("-{}", removed.join(", -")));
    }
    out.push(format!("{at}: {}", parts.join(", ")));
}

/// How one operation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// The operationId (ours).
    pub id: String,
    /// `parameters`, `request`, `response`: what changed.
    pub aspects: Vec<&'static str>,
    /// The details, e.g. `+query sortBy`, `response: +properties.foo`.
    pub details: Vec<String>,
}

/// One operation on one side only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneSide {
    /// The operationId.
    pub id: String,
    /// The upper-case method.
    pub method: String,
    /// The path template.
    pub path: String,
}

/// The differences between two specs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Operations only in the new spec.
    pub added: Vec<OneSide>,
    /// Operations only in the old spec.
    pub removed: Vec<OneSide>,
    /// Operations in both that changed.
    pub changed: Vec<Changed>,
    /// How many operations are in both and did not change.
    pub unchanged: usize,
}

impl Report {
    /// Whether the two specs have the same operations with the same signatures.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// The report as text: one line per operation, then a summary line. `limit` caps the details
    /// shown per operation.
    pub fn render(&self, limit: usize) -> String {
        let mut out = String::new();
        for a in &self.added {
            let _ = writeln!(out, "+ {} {} {}", a.id, a.method, a.path);
        }
        for r in &self.removed {
            let _ = writeln!(out, "- {} {} {}", r.id, r.method, r.path);
        }
        for c in &self.changed {
            let shown: Vec<&str> = c.details.iter().take(limit).map(String::as_str).collect();
            let more = c.details.len().saturating_sub(limit);
            let mut details = shown.join("; ");
            if more > 0 {
                let _ = write!(details, "; ... and {more} more (--verbose shows all)");
            }
            let _ = writeln!(
                out,
                "~ {}: {} changed ({details})",
                c.id,
                c.aspects.join(", ")
            );
        }
        out
    }

    /// The summary line.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} removed, {} changed, {} unchanged",
            self.added.len(),
            self.removed.len(),
            self.changed.len(),
            self.unchanged
        )
    }
}

/// How two signatures differ: the aspects that changed and the details.
pub fn compare_signatures(old: &Signature, new: &Signature) -> (Vec<&'static str>, Vec<String>) {
    let mut aspects = Vec::new();
    let mut details = Vec::new();
    let before = details.len();
    let keys: BTreeSet<&String> = old.params.keys().chain(new.params.keys()).collect();
    for k in keys {
        match (old.params.get(k), new.params.get(k)) {
            (Some(_), None) => details.push(format!("-{k}")),
            (None, Some(_)) => details.push(format!("+{k}")),
            (Some(a), Some(b)) => {
                let mut d = Vec::new();
                compare("", a, b, &mut d);
                details.extend(d.into_iter().map(|d| format!("{k}: {d}")));
            }
            (None, None) => {}
        }
    }
    if details.len() > before {
        aspects.push("parameters");
    }
    let before = details.len();
    match (&old.request, &new.request) {
        (None, Some(_)) => details.push("+request body".into()),
        (Some(_), None) => details.push("-request body".into()),
        (Some(a), Some(b)) => {
            let mut d = Vec::new();
            compare("", a, b, &mut d);
            details.extend(d.into_iter().map(|d| format!("request: {d}")));
        }
        (None, None) => {}
    }
    if details.len() > before {
        aspects.push("request");
    }
    let before = details.len();
    let mut d = Vec::new();
    compare("", &old.response, &new.response, &mut d);
    details.extend(d.into_iter().map(|d| format!("response: {d}")));
    if details.len() > before {
        aspects.push("response");
    }
    (aspects, details)
}

/// Compares two specs by operation, matching operations by method and path (path parameter names
/// ignored).
pub fn diff(old: &Value, new: &Value) -> Report {
    let old_ops: BTreeMap<String, doc::Op<'_>> = doc::operations(old)
        .into_iter()
        .map(|op| (doc::op_key(op.method, op.path), op))
        .collect();
    let new_ops: BTreeMap<String, doc::Op<'_>> = doc::operations(new)
        .into_iter()
        .map(|op| (doc::op_key(op.method, op.path), op))
        .collect();
    let side = |op: &doc::Op<'_>| OneSide {
        id: op.id().unwrap_or("(no operationId)").to_string(),
        method: op.method_upper(),
        path: op.path.to_string(),
    };
    let mut report = Report::default();
    for op in doc::operations(new) {
        if !old_ops.contains_key(&doc::op_key(op.method, op.path)) {
            report.added.push(side(&op));
        }
    }
    for op in doc::operations(old) {
        let key = doc::op_key(op.method, op.path);
        let Some(new_op) = new_ops.get(&key) else {
            report.removed.push(side(&op));
            continue;
        };
        let (aspects, details) = compare_signatures(&signature(old, &op), &signature(new, new_op));
        if aspects.is_empty() {
            report.unchanged += 1;
        } else {
            report.changed.push(Changed {
                id: op.id().unwrap_or("(no operationId)").to_string(),
                aspects,
                details,
            });
        }
    }
    report
}
