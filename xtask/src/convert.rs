//! A server's API document to OpenAPI 3.0: Swagger 2.0 is translated, OpenAPI 3.1 is brought down
//! to 3.0 forms, 3.0 is taken as it is. What has no 3.0 form is reported in the notes.

use std::collections::BTreeMap;

use crate::doc::{self, Mapping, Value, s};

/// The converted document and what the conversion changed or dropped.
#[derive(Debug, Clone)]
pub struct Converted {
    /// An OpenAPI 3.0.3 document.
    pub doc: Value,
    /// The source's version (`2.0`, `3.0.1`, `3.1.0`, ...).
    pub source_version: String,
    /// Human-readable notes.
    pub notes: Vec<String>,
}

/// Converts a Swagger 2.0 or OpenAPI 3.x document to OpenAPI 3.0.3.
pub fn to_openapi30(src: &Value) -> Result<Converted, String> {
    if let Some(v) = src.get("swagger") {
        let version = version_text(v);
        if !version.starts_with('2') {
            return Err(format!("unsupported Swagger version {version}"));
        }
        let mut notes = Notes::default();
        let doc = swagger2(src, &mut notes);
        return Ok(Converted {
            doc,
            source_version: version,
            notes: notes.into_vec(),
        });
    }
    let Some(v) = src.get("openapi") else {
        return Err("neither `swagger` nor `openapi` says which version the document is".into());
    };
    let version = version_text(v);
    let mut notes = Notes::default();
    let doc = if version.starts_with("3.0") {
        let mut doc = src.clone();
        set(&mut doc, "openapi", s("3.0.3"));
        doc
    } else if version.starts_with("3.1") {
        downgrade_31(src, &mut notes)
    } else {
        return Err(format!("unsupported OpenAPI version {version}"));
    };
    Ok(Converted {
        doc,
        source_version: version,
        notes: notes.into_vec(),
    })
}

fn version_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => doc::canonical(other),
    }
}

/// Notes counted by kind, so that a change made in 200 places is one line.
#[derive(Default)]
struct Notes(BTreeMap<String, usize>);

impl Notes {
    fn add(&mut self, note: impl Into<String>) {
        *self.0.entry(note.into()).or_insert(0) += 1;
    }

    fn into_vec(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(k, n)| if n > 1 { format!("{k} ({n}×)") } else { k })
            .collect()
    }
}

fn set(doc: &mut Value, key: &str, value: Value) {
    if let Some(map) = doc.as_mapping_mut() {
        map.insert(s(key), value);
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_sequence).map(|seq| {
        seq.iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect()
    })
}

/// Resolves a Swagger 2.0 `#/parameters/...` or `#/responses/...` reference.
fn deref2<'a>(src: &'a Value, v: &'a Value) -> &'a Value {
    doc::deref(src, v)
}

fn swagger2(src: &Value, notes: &mut Notes) -> Value {
    let mut out = Mapping::new();
    out.insert(s("openapi"), s("3.0.3"));
    if let Some(info) = src.get("info") {
        out.insert(s("info"), info.clone());
    }
    let base = doc::str_at(src, "basePath").unwrap_or("");
    let url = match doc::str_at(src, "host") {
        Some(host) => {
            let scheme = strings(src.get("schemes"))
                .and_then(|s| s.into_iter().next())
                .unwrap_or_else(|| "https".into());
            format!("{scheme}://{host}{base}")
        }
        None if base.is_empty() => "/".into(),
        None => base.to_string(),
    };
    let mut server = Mapping::new();
    server.insert(s("url"), s(&url));
    out.insert(s("servers"), Value::Sequence(vec![Value::Mapping(server)]));
    if let Some(tags) = src.get("tags") {
        out.insert(s("tags"), tags.clone());
    }
    if let Some(security) = src.get("security") {
        out.insert(s("security"), security.clone());
    }
    let consumes = strings(src.get("consumes")).unwrap_or_else(|| vec!["application/json".into()]);
    let produces = strings(src.get("produces")).unwrap_or_else(|| vec!["application/json".into()]);
    let mut paths = Mapping::new();
    if let Some(src_paths) = src.get("paths").and_then(Value::as_mapping) {
        for (path, item) in src_paths {
            let Some(path) = path.as_str() else { continue };
            if item.get("$ref").is_some() {
                notes.add(format!("path item {path} is a $ref: left out"));
                continue;
            }
            let path_params: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_sequence)
                .map(|p| p.iter().map(|p| deref2(src, p).clone()).collect())
                .unwrap_or_default();
            let mut new_item = Mapping::new();
            for method in doc::METHODS {
                if let Some(op) = item.get(method) {
                    let op = operation2(src, op, &path_params, &consumes, &produces, notes);
                    new_item.insert(s(method), op);
                }
            }
            paths.insert(s(path), Value::Mapping(new_item));
        }
    }
    out.insert(s("paths"), Value::Mapping(paths));
    let mut components = Mapping::new();
    if let Some(defs) = src.get("definitions") {
        components.insert(s("schemas"), defs.clone());
    }
    if let Some(defs) = src.get("securityDefinitions").and_then(Value::as_mapping) {
        let mut schemes = Mapping::new();
        for (name, def) in defs {
            schemes.insert(name.clone(), security_scheme2(def));
        }
        components.insert(s("securitySchemes"), Value::Mapping(schemes));
    }
    out.insert(s("components"), Value::Mapping(components));
    let mut doc = Value::Mapping(out);
    rewrite_refs(&mut doc);
    fix_schemas2(&mut doc, false, notes);
    doc
}

fn operation2(
    src: &Value,
    op: &Value,
    path_params: &[Value],
    consumes: &[String],
    produces: &[String],
    notes: &mut Notes,
) -> Value {
    let consumes = strings(op.get("consumes")).unwrap_or_else(|| consumes.to_vec());
    let produces = strings(op.get("produces")).unwrap_or_else(|| produces.to_vec());
    let mut params: Vec<Value> = path_params.to_vec();
    if let Some(own) = op.get("parameters").and_then(Value::as_sequence) {
        for p in own {
            let p = deref2(src, p).clone();
            let key = (doc::str_at(&p, "name"), doc::str_at(&p, "in"));
            params.retain(|q| (doc::str_at(q, "name"), doc::str_at(q, "in")) != key);
            params.push(p);
        }
    }
    let mut out = Mapping::new();
    for key in ["operationId", "tags", "summary", "description"] {
        if let Some(v) = op.get(key) {
            out.insert(s(key), v.clone());
        }
    }
    let mut new_params = Vec::new();
    let mut body = None;
    let mut form = Vec::new();
    for p in &params {
        match doc::str_at(p, "in") {
            Some("body") => {
                let mut rb = Mapping::new();
                if let Some(d) = p.get("description") {
                    rb.insert(s("description"), d.clone());
                }
                if let Some(r) = p.get("required") {
                    rb.insert(s("required"), r.clone());
                }
                let schema = p
                    .get("schema")
                    .cloned()
                    .unwrap_or(Value::Mapping(Mapping::new()));
                rb.insert(s("content"), content(&consumes, &schema));
                body = Some(Value::Mapping(rb));
            }
            Some("formData") => form.push(p),
            _ => new_params.push(parameter2(p)),
        }
    }
    if !form.is_empty() {
        let multipart = consumes.iter().any(|c| c.starts_with("multipart/"))
            || form.iter().any(|p| doc::str_at(p, "type") == Some("file"));
        let media = if multipart {
            "multipart/form-data"
        } else {
            "application/x-www-form-urlencoded"
        };
        let mut props = Mapping::new();
        let mut required = Vec::new();
        for p in &form {
            let name = doc::str_at(p, "name").unwrap_or("field");
            props.insert(s(name), schema_of_param2(p));
            if p.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(s(name));
            }
        }
        let mut schema = Mapping::new();
        schema.insert(s("type"), s("object"));
        schema.insert(s("properties"), Value::Mapping(props));
        if !required.is_empty() {
            schema.insert(s("required"), Value::Sequence(required.clone()));
        }
        let mut rb = Mapping::new();
        if !required.is_empty() {
            rb.insert(s("required"), Value::Bool(true));
        }
        rb.insert(
            s("content"),
            content(&[media.to_string()], &Value::Mapping(schema)),
        );
        body = Some(Value::Mapping(rb));
    }
    if !new_params.is_empty() {
        out.insert(s("parameters"), Value::Sequence(new_params));
    }
    if let Some(body) = body {
        out.insert(s("requestBody"), body);
    }
    let mut responses = Mapping::new();
    if let Some(src_responses) = op.get("responses").and_then(Value::as_mapping) {
        for (code, r) in src_responses {
            let r = deref2(src, r);
            let mut nr = Mapping::new();
            nr.insert(
                s("description"),
                r.get("description").cloned().unwrap_or_else(|| s("")),
            );
            if let Some(headers) = r.get("headers").and_then(Value::as_mapping) {
                let mut hs = Mapping::new();
                for (name, h) in headers {
                    let mut nh = Mapping::new();
                    if let Some(d) = h.get("description") {
                        nh.insert(s("description"), d.clone());
                    }
                    nh.insert(s("schema"), schema_of_param2(h));
                    hs.insert(name.clone(), Value::Mapping(nh));
                }
                nr.insert(s("headers"), Value::Mapping(hs));
            }
            if let Some(schema) = r.get("schema") {
                nr.insert(s("content"), content(&produces, schema));
            }
            if r.get("examples").is_some() {
                notes.add("response examples dropped");
            }
            responses.insert(code.clone(), Value::Mapping(nr));
        }
    }
    out.insert(s("responses"), Value::Mapping(responses));
    for key in ["deprecated", "security"] {
        if let Some(v) = op.get(key) {
            out.insert(s(key), v.clone());
        }
    }
    Value::Mapping(out)
}

fn content(media: &[String], schema: &Value) -> Value {
    let mut c = Mapping::new();
    for m in media {
        let mut mt = Mapping::new();
        mt.insert(s("schema"), schema.clone());
        c.insert(s(m), Value::Mapping(mt));
    }
    Value::Mapping(c)
}

const SCHEMA_KEYS: [&str; 17] = [
    "type",
    "format",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
    "description",
];

/// The schema of a Swagger 2.0 non-body parameter, header or `items`.
fn schema_of_param2(p: &Value) -> Value {
    let mut schema = Mapping::new();
    for key in SCHEMA_KEYS {
        if key == "description" {
            continue;
        }
        if let Some(v) = p.get(key) {
            schema.insert(s(key), v.clone());
        }
    }
    if let Some(items) = p.get("items") {
        schema.insert(s("items"), schema_of_param2(items));
    }
    Value::Mapping(schema)
}

fn parameter2(p: &Value) -> Value {
    let mut out = Mapping::new();
    for key in ["name", "in", "description", "required"] {
        if let Some(v) = p.get(key) {
            out.insert(s(key), v.clone());
        }
    }
    let location = doc::str_at(p, "in").unwrap_or("query");
    if location == "query" && p.get("allowEmptyValue").is_some() {
        out.insert(s("allowEmptyValue"), p["allowEmptyValue"].clone());
    }
    if doc::str_at(p, "type") == Some("array") {
        match (
            location,
            doc::str_at(p, "collectionFormat").unwrap_or("csv"),
        ) {
            ("query", "multi") => {}
            ("query", "ssv") => {
                out.insert(s("style"), s("spaceDelimited"));
            }
            ("query", "pipes") => {
                out.insert(s("style"), s("pipeDelimited"));
            }
            ("query", _) => {
                out.insert(s("style"), s("form"));
                out.insert(s("explode"), Value::Bool(false));
            }
            _ => {}
        }
    }
    out.insert(s("schema"), schema_of_param2(p));
    Value::Mapping(out)
}

fn security_scheme2(def: &Value) -> Value {
    let mut out = Mapping::new();
    match doc::str_at(def, "type") {
        Some("basic") => {
            out.insert(s("type"), s("http"));
            out.insert(s("scheme"), s("basic"));
        }
        Some("apiKey") => {
            out.insert(s("type"), s("apiKey"));
            for key in ["name", "in"] {
                if let Some(v) = def.get(key) {
                    out.insert(s(key), v.clone());
                }
            }
        }
        Some("oauth2") => {
            out.insert(s("type"), s("oauth2"));
            let flow = match doc::str_at(def, "flow") {
                Some("implicit") => "implicit",
                Some("password") => "password",
                Some("application") => "clientCredentials",
                _ => "authorizationCode",
            };
            let mut f = Mapping::new();
            for key in ["authorizationUrl", "tokenUrl"] {
                if let Some(v) = def.get(key) {
                    f.insert(s(key), v.clone());
                }
            }
            f.insert(
                s("scopes"),
                def.get("scopes")
                    .cloned()
                    .unwrap_or(Value::Mapping(Mapping::new())),
            );
            let mut flows = Mapping::new();
            flows.insert(s(flow), Value::Mapping(f));
            out.insert(s("flows"), Value::Mapping(flows));
        }
        _ => return def.clone(),
    }
    if let Some(d) = def.get("description") {
        out.insert(s("description"), d.clone());
    }
    Value::Mapping(out)
}

/// `#/definitions/X` → `#/components/schemas/X` everywhere.
fn rewrite_refs(node: &mut Value) {
    match node {
        Value::Mapping(map) => {
            for (k, v) in map.iter_mut() {
                if k.as_str() == Some("$ref") {
                    if let Some(r) = v.as_str().and_then(|r| r.strip_prefix("#/definitions/")) {
                        *v = s(&format!("#/components/schemas/{r}"));
                    }
                } else {
                    rewrite_refs(v);
                }
            }
        }
        Value::Sequence(seq) => seq.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// Keys whose values map names to schemas (so a property called `const` is not a keyword).
const NAME_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "schemas",
    "definitions",
    "$defs",
];

fn child_is_names(key: &Value) -> bool {
    key.as_str().is_some_and(|k| NAME_MAPS.contains(&k))
}

/// Swagger 2.0 schema forms to 3.0: `x-nullable` → `nullable`, `type: file` → binary string,
/// `discriminator: name` → `discriminator: {propertyName: name}`. `names` is set when `node` maps
/// names to schemas.
fn fix_schemas2(node: &mut Value, names: bool, notes: &mut Notes) {
    match node {
        Value::Mapping(map) => {
            if !names {
                if let Some(v) = map.shift_remove("x-nullable") {
                    map.insert(s("nullable"), v);
                }
                if map.get("type").and_then(Value::as_str) == Some("file") {
                    map.insert(s("type"), s("string"));
                    map.insert(s("format"), s("binary"));
                    notes.add("`type: file` became a binary string");
                }
                if let Some(name) = map.get("discriminator").and_then(Value::as_str) {
                    let mut d = Mapping::new();
                    d.insert(s("propertyName"), s(name));
                    map.insert(s("discriminator"), Value::Mapping(d));
                }
            }
            for (k, v) in map.iter_mut() {
                let child_names = !names && child_is_names(k);
                fix_schemas2(v, child_names, notes);
            }
        }
        Value::Sequence(seq) => seq.iter_mut().for_each(|v| fix_schemas2(v, false, notes)),
        _ => {}
    }
}

fn downgrade_31(src: &Value, notes: &mut Notes) -> Value {
    let mut doc = src.clone();
    set(&mut doc, "openapi", s("3.0.3"));
    if let Some(map) = doc.as_mapping_mut() {
        for key in ["webhooks", "jsonSchemaDialect"] {
            if map.shift_remove(key).is_some() {
                notes.add(format!("3.1 `{key}` left out"));
            }
        }
        if let Some(info) = map.get_mut("info").and_then(Value::as_mapping_mut) {
            info.shift_remove("summary");
            if let Some(license) = info.get_mut("license").and_then(Value::as_mapping_mut) {
                license.shift_remove("identifier");
            }
        }
        if let Some(components) = map.get_mut("components").and_then(Value::as_mapping_mut)
            && components.shift_remove("pathItems").is_some()
        {
            notes.add("3.1 `components.pathItems` left out");
        }
    }
    for section in ["paths", "components"] {
        if let Some(node) = doc.get_mut(section) {
            downgrade_schemas(node, false, notes);
        }
    }
    doc
}

fn is_null_schema(v: &Value) -> bool {
    doc::str_at(v, "type") == Some("null")
}

/// 3.1 (JSON Schema 2020-12) schema forms to 3.0 ones, wherever they appear.
fn downgrade_schemas(node: &mut Value, names: bool, notes: &mut Notes) {
    match node {
        Value::Mapping(map) if names => {
            for (_, v) in map.iter_mut() {
                downgrade_schemas(v, false, notes);
            }
        }
        Value::Mapping(map) => {
            if let Some(Value::Sequence(types)) = map.get("type").cloned() {
                let nullable = types.iter().any(|t| t.as_str() == Some("null"));
                let rest: Vec<Value> = types
                    .into_iter()
                    .filter(|t| t.as_str() != Some("null"))
                    .collect();
                match rest.as_slice() {
                    [one] => {
                        map.insert(s("type"), one.clone());
                    }
                    _ => {
                        map.shift_remove("type");
                        notes.add("a schema with several types lost its `type`");
                    }
                }
                if nullable {
                    map.insert(s("nullable"), Value::Bool(true));
                }
                notes.add("3.1 `type: [T, 'null']` became `nullable: true`");
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Sequence(alts)) = map.get(key).cloned()
                    && alts.iter().any(is_null_schema)
                {
                    let rest: Vec<Value> =
                        alts.into_iter().filter(|a| !is_null_schema(a)).collect();
                    map.insert(s("nullable"), Value::Bool(true));
                    if rest.len() == 1 && doc::ref_of(&rest[0]).is_some() {
                        map.shift_remove(key);
                        map.insert(s("allOf"), Value::Sequence(rest));
                    } else {
                        map.insert(s(key), Value::Sequence(rest));
                    }
                    notes.add(format!("3.1 `{key}` with `null` became `nullable: true`"));
                }
            }
            if let Some(c) = map.shift_remove("const") {
                map.insert(s("enum"), Value::Sequence(vec![c]));
                notes.add("3.1 `const` became a one-value `enum`");
            }
            if let Some(Value::Sequence(examples)) = map.get("examples").cloned() {
                map.shift_remove("examples");
                if let Some(first) = examples.into_iter().next() {
                    map.insert(s("example"), first);
                }
            }
            for (bound, exclusive) in [
                ("minimum", "exclusiveMinimum"),
                ("maximum", "exclusiveMaximum"),
            ] {
                if let Some(Value::Number(n)) = map.get(exclusive).cloned() {
                    map.insert(s(bound), Value::Number(n));
                    map.insert(s(exclusive), Value::Bool(true));
                }
            }
            for key in [
                "$schema",
                "$id",
                "$anchor",
                "$comment",
                "contentMediaType",
                "contentEncoding",
                "unevaluatedProperties",
            ] {
                if map.shift_remove(key).is_some() {
                    notes.add(format!("3.1 schema keyword `{key}` left out"));
                }
            }
            for (k, v) in map.iter_mut() {
                let child_names = child_is_names(k);
                downgrade_schemas(v, child_names, notes);
            }
        }
        Value::Sequence(seq) => seq
            .iter_mut()
            .for_each(|v| downgrade_schemas(v, false, notes)),
        _ => {}
    }
}
