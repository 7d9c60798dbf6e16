//! Generates the typed Management API client from `openapi/trivoreid.yaml` with progenitor, into
//! `OUT_DIR`. Besides progenitor's client it emits, derived from the same spec:
//! - `OPERATIONS`: every operation's id, method and path template (used to check path ids before a
//!   request goes out, and by the tests);
//! - the paging glue: an `impl PagedRequest` for every list operation (one that takes `startIndex`
//!   and `count` and answers with a `{totalResults, startIndex, itemsPerPage, resources}` page).

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Schema, SchemaKind, Type};
use progenitor::Generator;

#[path = "xtask/src/settings.rs"]
mod settings;

const SPEC: &str = "openapi/trivoreid.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=xtask/src/settings.rs");
    let text = fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("cannot read {SPEC}: {e}"));
    let mut json: serde_json::Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{SPEC} is not valid YAML: {e}"));
    let features: Vec<String> = env::vars()
        .filter_map(|(k, _)| {
            k.strip_prefix("CARGO_FEATURE_")
                .map(|f| f.to_ascii_lowercase())
        })
        .collect();
    prune(&mut json, &features);
    let spec: OpenAPI = serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{SPEC} is not valid OpenAPI: {e}"));

    let settings = settings::generation_settings();
    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .unwrap_or_else(|e| panic!("progenitor cannot generate a client from {SPEC}: {e}"));
    let file: syn::File = syn::parse2(tokens).expect("progenitor emitted invalid Rust");
    let out = env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    fs::write(
        Path::new(&out).join("client.rs"),
        encode_paths_safely(&prettyplease::unparse(&file)),
    )
    .expect("cannot write the generated client");
    fs::write(Path::new(&out).join("operations.rs"), operations(&spec))
        .expect("cannot write the operation table");
    fs::write(Path::new(&out).join("paging.rs"), paging(&spec))
        .expect("cannot write the paging glue");
    // The spec as built (pruned) as JSON, for the fake's response conformance checks.
    fs::write(Path::new(&out).join("spec.json"), json.to_string())
        .expect("cannot write the spec as JSON");
}

/// progenitor-client's `encode_path` leaves `\` as it is, and the URL parser reads `\` in an
/// http(s) path as `/`: an id like `x\..\other` would reach another resource. The generated
/// calls go through `crate::transport::encode_path_segment` instead, which also encodes `\`.
fn encode_paths_safely(code: &str) -> String {
    let calls = code.matches("encode_path(").count();
    let replaced = code
        .replace("encode_path(", "crate::transport::encode_path_segment(")
        .replace(
            "use progenitor_client::{encode_path, ",
            "use progenitor_client::{",
        )
        .replace("        encode_path, ByteStream,", "        ByteStream,");
    let imports_left = replaced.matches("encode_path,").count();
    // A progenitor that names it differently must not slip through unnoticed.
    assert!(
        calls > 0 || !code.contains("{}/"),
        "progenitor no longer calls encode_path"
    );
    assert_eq!(imports_left, 0, "an `encode_path` import was not rewritten");
    replaced
}

/// Leaves out the operations of tags marked `x-trivoreid-feature: NAME` unless cargo feature NAME
/// is on, then every schema and parameter nothing refers to any more: without the feature nothing
/// of it is generated or compiled.
fn prune(spec: &mut serde_json::Value, features: &[String]) {
    let gated: Vec<String> = spec["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t.get("x-trivoreid-feature")
                .and_then(|f| f.as_str())
                .is_some_and(|f| !features.iter().any(|on| on == f))
        })
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    if gated.is_empty() {
        return;
    }
    if let Some(tags) = spec["tags"].as_array_mut() {
        tags.retain(|t| {
            !t["name"]
                .as_str()
                .is_some_and(|n| gated.iter().any(|g| g == n))
        });
    }
    if let Some(paths) = spec["paths"].as_object_mut() {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                item.retain(|_, op| {
                    !op["tags"].as_array().is_some_and(|t| {
                        t.iter()
                            .any(|t| gated.iter().any(|g| Some(g.as_str()) == t.as_str()))
                    })
                });
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|o| !o.is_empty()));
    }
    // Keep what the remaining paths refer to, transitively.
    let mut keep = std::collections::BTreeSet::new();
    let mut todo = vec![spec["paths"].clone()];
    while let Some(value) = todo.pop() {
        match value {
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    if key == "$ref"
                        && let Some(r) = item.as_str()
                        && keep.insert(r.to_owned())
                        && let Some(target) = spec.pointer(r.trim_start_matches('#'))
                    {
                        todo.push(target.clone());
                    } else {
                        todo.push(item);
                    }
                }
            }
            serde_json::Value::Array(items) => todo.extend(items),
            _ => {}
        }
    }
    for section in ["schemas", "parameters", "responses"] {
        if let Some(map) = spec["components"][section].as_object_mut() {
            map.retain(|name, _| keep.contains(&format!("#/components/{section}/{name}")));
        }
    }
}

fn each_operation(spec: &OpenAPI) -> impl Iterator<Item = (&str, &'static str, &Operation)> {
    spec.paths.paths.iter().flat_map(|(path, item)| {
        let item = item.as_item().expect("path items are inline");
        [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ]
        .into_iter()
        .filter_map(move |(m, op)| op.as_ref().map(|op| (path.as_str(), m, op)))
    })
}

fn op_id(op: &Operation) -> &str {
    op.operation_id
        .as_deref()
        .expect("every operation has an operationId")
}

/// `user_list` -> `UserList`, as progenitor names builders.
fn camel(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn operations(spec: &OpenAPI) -> String {
    let mut rows: Vec<String> = each_operation(spec)
        .map(|(path, method, op)| {
            let (success, json) = success_response(op);
            format!(
                "    Operation {{ id: {:?}, method: {method:?}, path: {path:?}, success: {success}, json_response: {json} }},\n",
                op_id(op)
            )
        })
        .collect();
    rows.sort();
    let mut s = String::from(
        "/// One operation of the spec.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
         pub struct Operation {\n\
         \x20   /// The operationId, e.g. `user_get`.\n    pub id: &'static str,\n\
         \x20   /// The HTTP method.\n    pub method: &'static str,\n\
         \x20   /// The path template, e.g. `/api/rest/v1/user/{userId}`.\n    pub path: &'static str,\n\
         \x20   /// The documented success status.\n    pub success: u16,\n\
         \x20   /// Whether the success response is a JSON body.\n    pub json_response: bool,\n\
         }\n\n\
         /// Every operation of the spec, sorted by id.\n\
         pub const OPERATIONS: &[Operation] = &[\n",
    );
    s.extend(rows);
    s.push_str("];\n");
    s
}

/// The one documented 2xx status of an operation, and whether it has a JSON body.
fn success_response(op: &Operation) -> (u16, bool) {
    let mut found = op
        .responses
        .responses
        .iter()
        .filter_map(|(code, resp)| match code {
            openapiv3::StatusCode::Code(c) if (200..300).contains(c) => Some((*c, resp)),
            _ => None,
        });
    let (code, resp) = found
        .next()
        .unwrap_or_else(|| panic!("{} documents no success status", op_id(op)));
    assert!(
        found.next().is_none(),
        "{} documents two success statuses",
        op_id(op)
    );
    let json = resp
        .as_item()
        .is_some_and(|r| r.content.contains_key("application/json"));
    (code, json)
}

fn schema_ref_name(r: &ReferenceOr<Schema>) -> Option<&str> {
    match r {
        ReferenceOr::Reference { reference } => reference.strip_prefix("#/components/schemas/"),
        ReferenceOr::Item(_) => None,
    }
}

fn param_name<'a>(spec: &'a OpenAPI, p: &'a ReferenceOr<Parameter>) -> &'a str {
    let p = match p {
        ReferenceOr::Item(p) => p,
        ReferenceOr::Reference { reference } => {
            let name = reference.trim_start_matches("#/components/parameters/");
            spec.components
                .as_ref()
                .expect("components")
                .parameters
                .get(name)
                .and_then(|p| p.as_item())
                .unwrap_or_else(|| panic!("unresolved parameter {reference}"))
        }
    };
    &p.parameter_data_ref().name
}

/// The item schema name of a page envelope schema, if `name` is one.
fn page_item<'a>(spec: &'a OpenAPI, name: &str) -> Option<&'a str> {
    let schema = spec.components.as_ref()?.schemas.get(name)?.as_item()?;
    let SchemaKind::Type(Type::Object(obj)) = &schema.schema_kind else {
        return None;
    };
    for key in ["totalResults", "startIndex", "itemsPerPage"] {
        obj.properties.get(key)?;
    }
    let resources = obj.properties.get("resources")?.as_item()?;
    let SchemaKind::Type(Type::Array(arr)) = &resources.schema_kind else {
        return None;
    };
    match arr.items.as_ref()? {
        ReferenceOr::Reference { reference } => reference.strip_prefix("#/components/schemas/"),
        ReferenceOr::Item(_) => None,
    }
}

fn paging(spec: &OpenAPI) -> String {
    let mut s = String::new();
    for (_, _, op) in each_operation(spec) {
        let names: Vec<&str> = op.parameters.iter().map(|p| param_name(spec, p)).collect();
        if !(names.contains(&"startIndex") && names.contains(&"count")) {
            continue;
        }
        let Some(ReferenceOr::Item(ok)) = op
            .responses
            .responses
            .get(&openapiv3::StatusCode::Code(200))
        else {
            panic!("list operation {} has no 200 response", op_id(op));
        };
        let schema = ok
            .content
            .get("application/json")
            .and_then(|c| c.schema.as_ref())
            .and_then(schema_ref_name)
            .unwrap_or_else(|| panic!("list operation {} has no JSON page schema", op_id(op)));
        let item = page_item(spec, schema).unwrap_or_else(|| {
            panic!(
                "list operation {}: {schema} is not a page envelope",
                op_id(op)
            )
        });
        writeln!(
            s,
            "impl<'a> crate::paging::PagedRequest for crate::generated::builder::{builder}<'a> {{\n\
             \x20   type Item = crate::generated::types::{item};\n\
             \x20   type Page = crate::generated::types::{schema};\n\
             \x20   const OPERATION: &'static str = {id:?};\n\
             \x20   fn range(self, start_index: i64, count: i64) -> Self {{\n\
             \x20       self.start_index(start_index).count(count)\n\
             \x20   }}\n\
             \x20   async fn fetch(self) -> Result<Self::Page, crate::Error> {{\n\
             \x20       Ok(self.send().await?.into_inner())\n\
             \x20   }}\n\
             \x20   fn into_page(page: Self::Page) -> crate::paging::Page<Self::Item> {{\n\
             \x20       crate::paging::Page {{ total_results: page.total_results, start_index: page.start_index, items_per_page: page.items_per_page, resources: page.resources }}\n\
             \x20   }}\n\
             }}",
            builder = camel(op_id(op)),
            id = op_id(op),
        )
        .unwrap();
    }
    s
}
