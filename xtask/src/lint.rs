//! `cargo xtask lint`: checks the spec before progenitor sees it.
//!
//! The structural checks run on the raw YAML tree, so every finding names a JSON path (such as
//! `paths./api/rest/v1/user.get.responses.default`) and says how to fix it. The last check runs
//! progenitor itself, and build.rs's own generators, and reports an error or a panic as a finding.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use crate::codegen;
use crate::doc::{self, Value, join};
use crate::naming;

/// One problem in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where: a JSON path into the document, `$` for the document as a whole.
    pub path: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl Finding {
    fn new(path: impl Into<String>, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Finding {
            path: path.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}\n    fix: {}", self.path, self.problem, self.fix)
    }
}

const ERROR_REF: &str = "'#/components/responses/Error'";

/// Lints spec text: parses it, runs the structural checks and then the generator.
pub fn lint_text(text: &str) -> Vec<Finding> {
    match doc::parse(text) {
        Ok(doc) => lint(&doc),
        Err(e) => vec![Finding::new(
            "$",
            format!("the document cannot be read: {e}"),
            "fix the syntax (`python3 -m openapi_spec_validator` points at the line)",
        )],
    }
}

/// Every finding for `doc`: the structural checks, then progenitor and build.rs.
pub fn lint(doc: &Value) -> Vec<Finding> {
    let mut findings = structural(doc);
    findings.extend(generator(doc));
    findings
}

/// The structural checks, on the raw tree.
pub fn structural(doc: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    check_version(doc, &mut out);
    check_operations(doc, &mut out);
    check_refs(doc, "", doc, &mut out);
    check_unused_schemas(doc, &mut out);
    out
}

fn check_version(doc: &Value, out: &mut Vec<Finding>) {
    if let Some(v) = doc.get("swagger") {
        out.push(Finding::new(
            "swagger",
            format!(
                "this is a Swagger {} document; progenitor takes only OpenAPI 3.0.x",
                short(v)
            ),
            "convert it with `cargo xtask import FILE --write`",
        ));
        return;
    }
    match doc.get("openapi") {
        None => out.push(Finding::new(
            "openapi",
            "the document has no `openapi` version",
            "start the document with `openapi: 3.0.3`",
        )),
        Some(Value::String(v)) if v.starts_with("3.0.") => {}
        Some(Value::String(v)) => out.push(Finding::new(
            "openapi",
            format!("OpenAPI version `{v}`: progenitor takes only 3.0.x"),
            "write `openapi: 3.0.3` and use 3.0 schema forms (`nullable: true`, not `type: [T, 'null']`); \
             `cargo xtask import FILE` converts a 3.1 document",
        )),
        Some(v) => out.push(Finding::new(
            "openapi",
            format!("the version `{}` is not a string", short(v)),
            "quote it: `openapi: 3.0.3` as a string, e.g. `openapi: '3.0.3'`",
        )),
    }
}

/// A short one-line rendering of a value, for messages.
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => doc::canonical(other),
    }
}

fn declared_tags(doc: &Value) -> Vec<String> {
    doc.get("tags")
        .and_then(Value::as_sequence)
        .map(|tags| {
            tags.iter()
                .filter_map(|t| doc::str_at(t, "name").map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn check_operations(doc: &Value, out: &mut Vec<Finding>) {
    let tags = declared_tags(doc);
    let mut ids: HashMap<String, String> = HashMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_mapping) {
        for (path, item) in paths {
            let path = path.as_str().unwrap_or_default();
            let item_path = join("paths", path);
            if item.get("$ref").is_some() {
                out.push(Finding::new(
                    join(&item_path, "$ref"),
                    "the path item is a reference; build.rs reads path items inline",
                    "write the operations under the path itself",
                ));
            }
            if let Some(params) = item.get("parameters").and_then(Value::as_sequence) {
                for (i, p) in params.iter().enumerate() {
                    check_parameter(doc, &doc::index(&join(&item_path, "parameters"), i), p, out);
                }
            }
        }
    }
    for op in doc::operations(doc) {
        let at = op.json_path();
        check_operation_id(&op, &at, &mut ids, out);
        check_tags(&op, &at, &tags, out);
        if let Some(params) = op.op.get("parameters").and_then(Value::as_sequence) {
            for (i, p) in params.iter().enumerate() {
                check_parameter(doc, &doc::index(&join(&at, "parameters"), i), p, out);
            }
        }
        if let Some(body) = op.op.get("requestBody") {
            check_request_body(doc, &join(&at, "requestBody"), body, out);
        }
        check_responses(doc, &at, op.op, out);
    }
}

fn check_operation_id(
    op: &doc::Op<'_>,
    at: &str,
    ids: &mut HashMap<String, String>,
    out: &mut Vec<Finding>,
) {
    let suggested = naming::id_from_path(op.method, op.path);
    let Some(id) = op.id() else {
        out.push(Finding::new(
            join(at, "operationId"),
            "the operation has no operationId",
            format!(
                "add `operationId: {suggested}` (the form is `<resource>_<action>`, snake_case)"
            ),
        ));
        return;
    };
    if !naming::is_operation_id(id) {
        out.push(Finding::new(
            join(at, "operationId"),
            format!("operationId `{id}` is not of the form `<resource>_<action>` (snake_case)"),
            format!("rename it, e.g. to `{suggested}`"),
        ));
    }
    if let Some(first) = ids.get(id) {
        out.push(Finding::new(
            join(at, "operationId"),
            format!("operationId `{id}` is already used by {first}"),
            "give every operation its own operationId; progenitor names a method after it",
        ));
    } else {
        ids.insert(id.to_string(), at.to_string());
    }
}

fn check_tags(op: &doc::Op<'_>, at: &str, declared: &[String], out: &mut Vec<Finding>) {
    let choices = if declared.is_empty() {
        "one of the top-level `tags`".to_string()
    } else {
        declared.join(", ")
    };
    let tags: Vec<&Value> = op
        .op
        .get("tags")
        .and_then(Value::as_sequence)
        .map(|t| t.iter().collect())
        .unwrap_or_default();
    match tags.len() {
        0 => out.push(Finding::new(
            join(at, "tags"),
            "the operation has no tag",
            format!("add `tags: [<tag>]` with one of: {choices}"),
        )),
        1 => {
            let tag = tags[0].as_str().unwrap_or_default();
            if !declared.iter().any(|d| d == tag) {
                out.push(Finding::new(
                    doc::index(&join(at, "tags"), 0),
                    format!("tag `{tag}` is not declared in the top-level `tags`"),
                    format!(
                        "declare it (`- name: {tag}` with a description) or use one of: {choices}"
                    ),
                ));
            }
        }
        n => out.push(Finding::new(
            join(at, "tags"),
            format!(
                "the operation has {n} tags; with TagStyle::Separate each tag gets its own trait"
            ),
            "keep exactly one tag",
        )),
    }
}

fn check_parameter(doc: &Value, at: &str, param: &Value, out: &mut Vec<Finding>) {
    let p = doc::deref(doc, param);
    let via = doc::ref_of(param)
        .map(|r| format!(" (through {r})"))
        .unwrap_or_default();
    let name = doc::str_at(p, "name").unwrap_or("?");
    let location = doc::str_at(p, "in").unwrap_or("?");
    let style = doc::str_at(p, "style");
    if location == "cookie" {
        out.push(Finding::new(
            at,
            format!(
                "cookie parameter `{name}`{via}: progenitor does not support cookie parameters"
            ),
            "leave the parameter out (send the cookie by hand), or leave the operation out",
        ));
    }
    if style == Some("deepObject") {
        out.push(Finding::new(
            at,
            format!(
                "parameter `{name}`{via} has style deepObject, which progenitor does not support"
            ),
            "use plain query parameters (e.g. one filter string) or leave the operation out",
        ));
    } else if location == "query" && style.is_some_and(|s| s != "form") {
        out.push(Finding::new(
            at,
            format!(
                "query parameter `{name}`{via} has style {}; progenitor takes only `form`",
                style.unwrap_or_default()
            ),
            "drop the `style` (form is the default)",
        ));
    }
    if location == "path" {
        if style.is_some_and(|s| s != "simple") {
            out.push(Finding::new(
                at,
                format!(
                    "path parameter `{name}`{via} has style {}; progenitor takes only `simple`",
                    style.unwrap_or_default()
                ),
                "drop the `style` (simple is the default)",
            ));
        }
        if p.get("required").and_then(Value::as_bool) != Some(true) {
            out.push(Finding::new(
                at,
                format!(
                    "path parameter `{name}`{via} is not `required: true` (progenitor asserts it)"
                ),
                "add `required: true`",
            ));
        }
    }
}

fn check_request_body(doc: &Value, at: &str, body: &Value, out: &mut Vec<Finding>) {
    let body = doc::deref(doc, body);
    let Some(content) = body.get("content").and_then(Value::as_mapping) else {
        return;
    };
    let content_at = join(at, "content");
    let types: Vec<&str> = content.keys().filter_map(Value::as_str).collect();
    for t in &types {
        if t.starts_with("multipart/") {
            out.push(Finding::new(
                join(&content_at, t),
                format!("{t} request body: progenitor cannot send multipart bodies"),
                "leave the operation out of the spec and call it by hand \
                 (or use application/x-www-form-urlencoded if the server takes it)",
            ));
        }
    }
    if types.len() > 1 {
        out.push(Finding::new(
            content_at,
            format!(
                "{} request media types ({}); progenitor panics on more than one",
                types.len(),
                types.join(", ")
            ),
            "keep one media type, normally `application/json`",
        ));
    }
}

fn is_success(code: &str) -> bool {
    code == "2XX" || code.parse::<u16>().is_ok_and(|c| (200..300).contains(&c))
}

fn is_error(code: &str) -> bool {
    matches!(code, "4XX" | "5XX") || code.parse::<u16>().is_ok_and(|c| (400..600).contains(&c))
}

/// A comparable signature of a response body, and a human description of it.
fn body_of(doc: &Value, response: &Value) -> (String, String) {
    let response = doc::deref(doc, response);
    let Some(content) = response
        .get("content")
        .and_then(Value::as_mapping)
        .filter(|c| !c.is_empty())
    else {
        return (String::new(), "no body".into());
    };
    let mut sig = String::new();
    let mut human = Vec::new();
    for (media, mt) in content {
        let media = media.as_str().unwrap_or_default();
        let schema = mt.get("schema");
        sig.push_str(media);
        sig.push('=');
        sig.push_str(&schema.map(doc::canonical).unwrap_or_default());
        sig.push(';');
        human.push(match schema.and_then(doc::ref_of) {
            Some(r) => format!("{media} `{r}`"),
            None if schema.is_some() => format!("{media} inline schema"),
            None => format!("{media} without schema"),
        });
    }
    (sig, human.join(" + "))
}

fn check_responses(doc: &Value, at: &str, op: &Value, out: &mut Vec<Finding>) {
    let responses_at = join(at, "responses");
    let Some(responses) = op.get("responses").and_then(Value::as_mapping) else {
        out.push(Finding::new(
            responses_at,
            "the operation has no responses",
            "document the success status and `4XX`/`5XX` responses `$ref: '#/components/responses/Error'`",
        ));
        return;
    };
    let codes: Vec<(&str, &Value)> = responses
        .iter()
        .filter_map(|(k, v)| k.as_str().map(|k| (k, v)))
        .collect();
    let typed_success: Vec<&str> = codes
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| *c != "2XX" && is_success(c))
        .collect();
    if codes.iter().any(|(c, _)| *c == "default") && !typed_success.is_empty() {
        out.push(Finding::new(
            join(&responses_at, "default"),
            format!(
                "`default` response beside the typed success response {}; progenitor counts \
                 `default` as a second success type and panics",
                typed_success[0]
            ),
            format!("replace `default` with `4XX` and `5XX` responses `$ref: {ERROR_REF}`"),
        ));
    }
    let success: Vec<(&str, &Value)> = codes
        .iter()
        .copied()
        .filter(|(c, _)| is_success(c))
        .collect();
    match success.as_slice() {
        [] => out.push(Finding::new(
            responses_at.clone(),
            "no success (2xx) response; build.rs needs one success status",
            "document it, e.g. `'200'` with the response schema, or `'204'` without a body",
        )),
        [_] => {}
        [(first, first_resp), rest @ ..] => {
            let (first_sig, first_human) = body_of(doc, first_resp);
            for (code, resp) in rest {
                let (sig, human) = body_of(doc, resp);
                let problem = if sig == first_sig {
                    format!(
                        "a second success status ({first} and {code}, same body); build.rs takes one"
                    )
                } else {
                    format!(
                        "a second success response with another body ({first}: {first_human}; \
                         {code}: {human}); progenitor takes one success schema and panics"
                    )
                };
                out.push(Finding::new(
                    join(&responses_at, code),
                    problem,
                    format!("keep only the {first} response (one success status and schema)"),
                ));
            }
        }
    }
    let errors: Vec<(&str, &Value)> = codes.iter().copied().filter(|(c, _)| is_error(c)).collect();
    if let Some(((first, first_resp), rest)) = errors.split_first() {
        let (first_sig, first_human) = body_of(doc, first_resp);
        for (code, resp) in rest {
            let (sig, human) = body_of(doc, resp);
            if sig != first_sig {
                out.push(Finding::new(
                    join(&responses_at, code),
                    format!(
                        "error response {code} has {human}, but {first} has {first_human}; \
                         progenitor takes one error schema per operation and panics"
                    ),
                    format!("use `$ref: {ERROR_REF}` for every error response (`4XX`, `5XX`)"),
                ));
            }
        }
    }
    for (code, resp) in &codes {
        let resp = doc::deref(doc, resp);
        let Some(content) = resp.get("content").and_then(Value::as_mapping) else {
            continue;
        };
        for (media, mt) in content {
            let media = media.as_str().unwrap_or_default();
            if (media == "application/json" || media.starts_with("application/json;"))
                && mt.get("schema").is_none()
            {
                out.push(Finding::new(
                    join(&join(&join(&responses_at, code), "content"), media),
                    "a JSON response without a schema; progenitor panics (`todo!`)",
                    "add a `schema` (`schema: {}` for any JSON)",
                ));
            }
        }
    }
}

fn check_refs(doc: &Value, at: &str, node: &Value, out: &mut Vec<Finding>) {
    match node {
        Value::Mapping(map) => {
            for (k, v) in map {
                let key = k.as_str().map(str::to_string).unwrap_or_else(|| short(k));
                let here = join(at, &key);
                if key == "$ref" {
                    match v.as_str() {
                        Some(r) if !r.starts_with('#') => out.push(Finding::new(
                            here,
                            format!("`{r}` is an external reference; the spec must be one file"),
                            "copy the target under `components` and refer to it with `#/components/...`",
                        )),
                        Some(r) if doc::resolve(doc, r).is_none() => {
                            let target = r.trim_start_matches("#/").replace('/', ".");
                            out.push(Finding::new(
                                here,
                                format!("`{r}` does not resolve"),
                                format!("define `{target}`, or point the reference at an existing one"),
                            ));
                        }
                        Some(_) => {}
                        None => out.push(Finding::new(
                            here,
                            "`$ref` is not a string",
                            "write the reference as a string, e.g. `'#/components/schemas/User'`",
                        )),
                    }
                } else {
                    check_refs(doc, &here, v, out);
                }
            }
        }
        Value::Sequence(seq) => {
            for (i, v) in seq.iter().enumerate() {
                check_refs(doc, &doc::index(at, i), v, out);
            }
        }
        _ => {}
    }
}

/// Collects the names of the schemas `node` refers to.
pub fn schema_refs(node: &Value, into: &mut BTreeSet<String>) {
    match node {
        Value::Mapping(map) => {
            for (k, v) in map {
                if k.as_str() == Some("$ref") {
                    if let Some(name) = v.as_str().and_then(doc::schema_ref_name) {
                        into.insert(name.to_string());
                    }
                } else {
                    schema_refs(v, into);
                }
            }
        }
        Value::Sequence(seq) => seq.iter().for_each(|v| schema_refs(v, into)),
        _ => {}
    }
}

/// The schemas reachable from everything in `doc` except the schema definitions themselves.
pub fn used_schemas(doc: &Value) -> BTreeSet<String> {
    let schemas = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping);
    let mut seeds = BTreeSet::new();
    if let Some(map) = doc.as_mapping() {
        for (k, v) in map {
            if k.as_str() == Some("components") {
                if let Some(components) = v.as_mapping() {
                    for (ck, cv) in components {
                        if ck.as_str() != Some("schemas") {
                            schema_refs(cv, &mut seeds);
                        }
                    }
                }
            } else {
                schema_refs(v, &mut seeds);
            }
        }
    }
    let mut used = BTreeSet::new();
    let mut todo: Vec<String> = seeds.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !used.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = schemas.and_then(|s| s.get(name.as_str())) {
            let mut next = BTreeSet::new();
            schema_refs(schema, &mut next);
            todo.extend(next.into_iter().filter(|n| !used.contains(n)));
        }
    }
    used
}

fn check_unused_schemas(doc: &Value, out: &mut Vec<Finding>) {
    let Some(schemas) = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
    else {
        return;
    };
    let used = used_schemas(doc);
    for name in schemas.keys().filter_map(Value::as_str) {
        if !used.contains(name) {
            out.push(Finding::new(
                join("components.schemas", name),
                format!("schema `{name}` is not used by any operation"),
                "remove it, or refer to it from an operation (progenitor would generate a type nobody uses)",
            ));
        }
    }
}

/// The last check: progenitor and build.rs's generators run on the document; an error or a panic
/// is a finding.
pub fn generator(doc: &Value) -> Vec<Finding> {
    let text = match serde_yaml_ng::to_string(doc) {
        Ok(t) => t,
        Err(e) => return vec![Finding::new("$", format!("cannot serialize: {e}"), "-")],
    };
    let spec = match codegen::parse_spec(&text) {
        Ok(spec) => spec,
        Err(e) => {
            return vec![Finding::new(
                "$",
                format!("openapiv3 (what build.rs reads the spec with) cannot read it: {e}"),
                "make the document valid OpenAPI 3.0 (`python3 -m openapi_spec_validator --schema 3.0 FILE`)",
            )];
        }
    };
    let mut out = Vec::new();
    if let Err(e) = codegen::client(&spec) {
        out.push(Finding::new(
            "$",
            e,
            "fix the findings above; otherwise find the operation named in the message and make \
             it fit progenitor (one success and one error schema, one request media type)",
        ));
    }
    if let Err(e) = codegen::support(&spec) {
        out.push(Finding::new(
            "$",
            e,
            "give every operation one success status; a list (startIndex and count) answers \
             200 with a `$ref` to an `<Item>Page` schema {totalResults, startIndex, itemsPerPage, resources}",
        ));
    }
    out
}
