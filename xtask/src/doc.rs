//! API documents as ordered YAML trees: reading (YAML or JSON), navigating (`$ref`s, JSON paths,
//! operations) and writing (in the style of `openapi/trivoreid.yaml`, so that rewrites give small
//! diffs).

use std::path::Path;

pub use serde_yaml_ng::{Mapping, Value};

/// The HTTP methods an OpenAPI path item can hold, in the order we write them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The column past which [`to_yaml`] folds long scalars (as the checked-in spec does).
pub const WIDTH: usize = 120;

/// Parses an API document, JSON or YAML. Mapping keys that are not strings (`200:` in YAML) become
/// strings, so that response codes can always be looked up as `"200"`.
pub fn parse(text: &str) -> Result<Value, String> {
    // JSON is read as JSON (exact, and faster); `{...}` that is not JSON may still be YAML.
    let json = if text.trim_start().starts_with('{') {
        Some(serde_json::from_str::<Value>(text))
    } else {
        None
    };
    let value = match json {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            serde_yaml_ng::from_str(text).map_err(|_| format!("not valid JSON: {e}"))?
        }
        None => serde_yaml_ng::from_str(text).map_err(|e| format!("not valid YAML: {e}"))?,
    };
    Ok(stringify_keys(value))
}

/// Reads and parses the API document at `path`.
pub fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn stringify_keys(value: Value) -> Value {
    match value {
        Value::Mapping(map) => Value::Mapping(
            map.into_iter()
                .map(|(k, v)| {
                    let k = match k {
                        Value::String(_) => k,
                        Value::Number(n) => Value::String(n.to_string()),
                        Value::Bool(b) => Value::String(b.to_string()),
                        Value::Null => Value::String("null".into()),
                        other => other,
                    };
                    (k, stringify_keys(v))
                })
                .collect(),
        ),
        Value::Sequence(seq) => Value::Sequence(seq.into_iter().map(stringify_keys).collect()),
        Value::Tagged(t) => stringify_keys(t.value),
        other => other,
    }
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

/// The string at `key` of a mapping value.
pub fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// Resolves a local reference such as `#/components/schemas/User` against `root`.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    let mut node = root;
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Mapping(m) => m.get(token.as_str())?,
            Value::Sequence(seq) => seq.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The `$ref` of a value, if it is a reference object.
pub fn ref_of(value: &Value) -> Option<&str> {
    str_at(value, "$ref")
}

/// Follows `$ref`s from `value` (at most 32 hops) and returns the object they lead to, or the last
/// value reached when a reference does not resolve.
pub fn deref<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match ref_of(value).and_then(|r| resolve(root, r)) {
            Some(next) => value = next,
            None => break,
        }
    }
    value
}

/// The name of a schema reference (`#/components/schemas/User` → `User`).
pub fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

/// Appends a key to a JSON path: `paths./api/rest/v1/user` + `get`.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Appends an index to a JSON path: `...parameters` + 2 → `...parameters[2]`.
pub fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// One operation of a document.
#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    /// The path template, e.g. `/api/rest/v1/user/{userId}`.
    pub path: &'a str,
    /// The lower-case method, e.g. `get`.
    pub method: &'a str,
    /// The operation object.
    pub op: &'a Value,
    /// The path item the operation belongs to.
    pub item: &'a Value,
}

impl Op<'_> {
    /// The JSON path of the operation, e.g. `paths./api/rest/v1/user.get`.
    pub fn json_path(&self) -> String {
        join(&join("paths", self.path), self.method)
    }

    /// The operationId, if any.
    pub fn id(&self) -> Option<&str> {
        str_at(self.op, "operationId")
    }

    /// The upper-case method.
    pub fn method_upper(&self) -> String {
        self.method.to_ascii_uppercase()
    }
}

/// Every operation of `doc`, in document order (path items that are `$ref`s are skipped).
pub fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut ops = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_mapping) else {
        return ops;
    };
    for (path, item) in paths {
        let Some(path) = path.as_str() else { continue };
        let Some(map) = item.as_mapping() else {
            continue;
        };
        for (method, op) in map {
            let Some(method) = method.as_str() else {
                continue;
            };
            if let Some(method) = METHODS.iter().find(|m| **m == method) {
                ops.push(Op {
                    path,
                    method,
                    op,
                    item,
                });
            }
        }
    }
    ops
}

/// A path template with its parameter names blanked (`/user/{userId}` → `/user/{}`), so that
/// operations can be matched across documents that name path parameters differently.
pub fn path_shape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.trim_end_matches('/').chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// The operation key used to match operations across documents: `GET /api/rest/v1/user/{}`.
pub fn op_key(method: &str, path: &str) -> String {
    format!("{} {}", method.to_ascii_uppercase(), path_shape(path))
}

/// A canonical, key-sorted JSON text of a value, for comparing trees regardless of key order.
pub fn canonical(value: &Value) -> String {
    serde_json::to_string(&to_json(value)).unwrap_or_default()
}

/// Converts a YAML tree into a (key-sorted) JSON value.
pub fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::to_value(n).unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Sequence(seq) => serde_json::Value::Array(seq.iter().map(to_json).collect()),
        Value::Mapping(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Value::String(s) => s.clone(),
                        other => canonical(other),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Value::Tagged(t) => to_json(&t.value),
    }
}

/// Writes a document as YAML in the style of the checked-in spec: block style, two-space
/// indentation, and long plain or single-quoted scalars folded past column [`WIDTH`].
/// `header` (comment lines, each starting with `#`) is written first.
pub fn to_yaml(value: &Value, header: &str) -> Result<String, String> {
    let raw = serde_yaml_ng::to_string(value).map_err(|e| format!("cannot write YAML: {e}"))?;
    let folded = fold(&raw);
    // Folding must not change the document; if it ever would, keep the long lines.
    let body = match serde_yaml_ng::from_str::<Value>(&folded) {
        Ok(v) if v == *value => folded,
        _ => raw,
    };
    let mut out = String::new();
    for line in header.lines() {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&body);
    Ok(out)
}

/// The leading comment lines of a YAML text.
pub fn header_comments(text: &str) -> String {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 50);
    for line in text.lines() {
        match fold_line(line) {
            Some(folded) => out.push_str(&folded),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Folds one `key: value` line the way PyYAML/libyaml fold at a best width: at a single space,
/// once the column is past the width, the line breaks and continues indented two more than the key.
fn fold_line(line: &str) -> Option<String> {
    if line.chars().count() <= WIDTH {
        return None;
    }
    let indent = line.len() - line.trim_start_matches(' ').len();
    let mut key_start = indent;
    while line[key_start..].starts_with("- ") {
        key_start += 2;
    }
    let rest = &line[key_start..];
    if rest.starts_with(['\'', '"', '?', '{', '[']) {
        return None;
    }
    let colon = rest.find(": ")?;
    let value_start = key_start + colon + 2;
    let value = &line[value_start..];
    let (content, quoted) = if let Some(inner) = value.strip_prefix('\'') {
        (inner.strip_suffix('\'')?, true)
    } else if value.starts_with(['"', '|', '>', '&', '*', '!', '{', '[', '#']) {
        return None;
    } else {
        (value, false)
    };
    let continuation = " ".repeat(key_start + 2);
    let mut out = String::from(&line[..value_start]);
    let mut column = line[..value_start].chars().count();
    if quoted {
        out.push('\'');
        column += 1;
    }
    let chars: Vec<char> = content.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' {
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let single = j == i + 1;
            let at_edge = i == 0 || j == chars.len();
            if single && !at_edge && column > WIDTH {
                out.push('\n');
                out.push_str(&continuation);
                column = continuation.len();
            } else {
                for _ in i..j {
                    out.push(' ');
                }
                column += j - i;
            }
            i = j;
        } else {
            out.push(chars[i]);
            column += 1;
            i += 1;
        }
    }
    if quoted {
        out.push('\'');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_escaped_pointers() {
        let doc = parse("paths:\n  /a/b:\n    get: {x: 1}\n").unwrap();
        let got = resolve(&doc, "#/paths/~1a~1b/get/x").unwrap();
        assert_eq!(got.as_u64(), Some(1));
        assert!(resolve(&doc, "#/paths/nope").is_none());
        assert!(resolve(&doc, "other.yaml#/x").is_none());
    }

    #[test]
    fn numeric_keys_become_strings() {
        let doc = parse("responses:\n  200: {description: ok}\n").unwrap();
        assert!(doc["responses"].get("200").is_some());
    }

    #[test]
    fn path_shapes_ignore_parameter_names() {
        assert_eq!(path_shape("/a/{x}/b/{y}/"), "/a/{}/b/{}");
        assert_eq!(op_key("get", "/a/{id}"), op_key("GET", "/a/{other}"));
    }

    #[test]
    fn folds_long_plain_and_quoted_scalars() {
        let long = "word ".repeat(40);
        let doc = parse(&format!("a:\n  description: {}\n", long.trim())).unwrap();
        let text = to_yaml(&doc, "# head\n").unwrap();
        assert!(text.starts_with("# head\n"));
        assert!(text.lines().count() > 3, "{text}");
        assert_eq!(parse(&text).unwrap(), doc);
    }
}
