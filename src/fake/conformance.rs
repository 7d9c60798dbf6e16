//! The fake checks every Management API reply against the spec before sending it: a reply that
//! does not match the operation's documented status and schema becomes a 500 naming the
//! mismatch, so any test that meets one fails. (The schema subset the spec uses: `$ref`, `type`,
//! `properties`, `required`, `nullable`, `enum`, `items`, `additionalProperties`, formats
//! `date-time` and `date`.)

use std::sync::OnceLock;

use serde_json::Value;

use super::http::{Body, Reply};
use crate::generated::operations::Operation;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/spec.json")))
            .unwrap_or(Value::Null)
    })
}

/// `Ok` when `reply` is what the spec documents for `op`; else what is wrong.
pub(crate) fn check(op: &Operation, reply: &Reply) -> Result<(), String> {
    let responses = spec()
        .pointer(&format!(
            "/paths/{}/{}/responses",
            op.path.replace('~', "~0").replace('/', "~1"),
            op.method.to_ascii_lowercase()
        ))
        .ok_or_else(|| format!("{} has no responses in the spec", op.id))?;
    let status = reply.status.to_string();
    let range = format!("{}XX", &status[..1]);
    let documented = responses
        .get(&status)
        .or_else(|| responses.get(&range))
        .ok_or_else(|| format!("{}: status {status} is not documented", op.id))?;
    let documented = resolve(documented);
    let schema = documented.pointer("/content/application~1json/schema");
    match (&reply.body, schema) {
        (Body::Json(value), Some(schema)) => validate(schema, value, "$"),
        (Body::Empty, None) => Ok(()),
        (Body::Raw(..), None) if documented.get("content").is_some() => Ok(()),
        (Body::Json(_), None) => Err(format!("{}: status {status} documents no JSON body", op.id)),
        (_, Some(_)) => Err(format!("{}: status {status} documents a JSON body", op.id)),
        (Body::Raw(..), None) => Err(format!("{}: status {status} documents no body", op.id)),
    }
}

/// Follows a local `$ref`.
fn resolve(value: &Value) -> &Value {
    let mut current = value;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.trim_start_matches('#');
                match spec().pointer(pointer) {
                    Some(target) => current = target,
                    None => return current,
                }
            }
            None => return current,
        }
    }
    current
}

/// Checks `value` against `schema`; the error names the JSON path.
pub(crate) fn validate(schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    let schema = resolve(schema);
    if value.is_null() {
        let any = schema.as_object().is_some_and(|o| !o.contains_key("type"));
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        return if any || nullable {
            Ok(())
        } else {
            Err(format!("{path}: null is not allowed"))
        };
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{path}: {value} is not one of {allowed:?}"));
    }
    let Some(kind) = schema.get("type").and_then(Value::as_str) else {
        return Ok(());
    };
    match kind {
        "object" => {
            let Some(object) = value.as_object() else {
                return Err(format!("{path}: expected an object, got {value}"));
            };
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let key = required.as_str().unwrap_or_default();
                if !object.contains_key(key) {
                    return Err(format!("{path}: required property `{key}` is missing"));
                }
            }
            for (key, item) in object {
                let item_path = format!("{path}.{key}");
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => validate(property, item, &item_path)?,
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            return Err(format!("{item_path}: property not in the schema"));
                        }
                        Some(extra @ Value::Object(_)) => validate(extra, item, &item_path)?,
                        _ => {}
                    },
                }
            }
            Ok(())
        }
        "array" => {
            let Some(items) = value.as_array() else {
                return Err(format!("{path}: expected an array, got {value}"));
            };
            let item_schema = schema
                .get("items")
                .cloned()
                .unwrap_or(Value::Object(Default::default()));
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| validate(&item_schema, item, &format!("{path}[{i}]")))
        }
        "string" => {
            let Some(text) = value.as_str() else {
                return Err(format!("{path}: expected a string, got {value}"));
            };
            match schema.get("format").and_then(Value::as_str) {
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
                    Err(format!("{path}: `{text}` is not an RFC 3339 date-time"))
                }
                Some("date") if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err() => {
                    Err(format!("{path}: `{text}` is not a date"))
                }
                _ => Ok(()),
            }
        }
        "integer" if value.is_i64() || value.is_u64() => Ok(()),
        "number" if value.is_number() => Ok(()),
        "boolean" if value.is_boolean() => Ok(()),
        other => Err(format!("{path}: expected {other}, got {value}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::generated::operations::OPERATIONS;

    fn op(id: &str) -> &'static Operation {
        OPERATIONS.iter().find(|o| o.id == id).unwrap()
    }

    #[test]
    fn conforming_replies_pass() {
        let user = json!({"id": "u1", "username": "a", "emails": [{"address": "a@b", "verified": true}],
                          "meta": {"created": "2017-03-20T11:04:21.534Z"}});
        assert_eq!(check(op("user_get"), &Reply::ok(user.clone())), Ok(()));
        assert_eq!(check(op("user_create"), &Reply::created(user)), Ok(()));
        assert_eq!(check(op("user_delete"), &Reply::empty(204)), Ok(()));
        assert_eq!(check(op("user_get"), &Reply::error(404, "nope")), Ok(()));
        let page = json!({"totalResults": 0, "startIndex": 0, "itemsPerPage": 0, "resources": []});
        assert_eq!(check(op("user_list"), &Reply::ok(page)), Ok(()));
    }

    #[test]
    fn mismatches_are_named() {
        let wrong_type = check(op("user_get"), &Reply::ok(json!({"id": 5}))).unwrap_err();
        assert!(wrong_type.contains("$.id"), "{wrong_type}");
        let bad_date = check(
            op("user_get"),
            &Reply::ok(json!({"meta": {"created": "yesterday"}})),
        )
        .unwrap_err();
        assert!(bad_date.contains("$.meta.created"), "{bad_date}");
        let null = check(op("user_get"), &Reply::ok(json!({"username": null}))).unwrap_err();
        assert!(null.contains("null"), "{null}");
        let status = check(op("user_create"), &Reply::ok(json!({}))).unwrap_err();
        assert!(status.contains("200"), "{status}");
        let error_body =
            check(op("user_get"), &Reply::json(404, json!({"message": "x"}))).unwrap_err();
        assert!(error_body.contains("errorMessage"), "{error_body}");
        let body_on_204 = check(op("user_delete"), &Reply::json(204, json!({}))).unwrap_err();
        assert!(body_on_204.contains("no JSON body"), "{body_on_204}");
    }
}
