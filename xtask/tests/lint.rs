//! `cargo xtask lint`: our spec passes; a copy broken in each way the lint checks fails with a
//! finding that names the JSON path and says how to fix it.

use xtask::doc::{self, Value};
use xtask::lint::{self, Finding};

fn spec() -> Value {
    doc::read(&xtask::workspace_root().join("openapi/trivoreid.yaml")).expect("the spec reads")
}

/// The node at `keys` (mapping keys, or sequence indices written as numbers).
fn at<'a>(v: &'a mut Value, keys: &[&str]) -> &'a mut Value {
    let mut node = v;
    for k in keys {
        node = match node {
            Value::Sequence(seq) => &mut seq[k.parse::<usize>().expect("an index")],
            Value::Mapping(m) => m
                .get_mut(*k)
                .unwrap_or_else(|| panic!("no key `{k}` in the spec")),
            _ => panic!("cannot descend into `{k}`"),
        };
    }
    node
}

fn map(v: &mut Value) -> &mut doc::Mapping {
    v.as_mapping_mut().expect("a mapping")
}

fn yaml(text: &str) -> Value {
    doc::parse(text).expect("test YAML parses")
}

const USER: &str = "/api/rest/v1/user";
const USER_ID: &str = "/api/rest/v1/user/{userId}";

/// Lints a mutated copy of the spec and returns the finding at `path`, failing with every finding
/// when there is none there.
fn finding(mutate: impl FnOnce(&mut Value), path: &str) -> (Finding, Vec<Finding>) {
    let mut doc = spec();
    mutate(&mut doc);
    let findings = lint::lint(&doc);
    let f = findings
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no finding at {path}; got:\n{findings:#?}"))
        .clone();
    (f, findings)
}

#[test]
fn our_spec_passes() {
    let findings = lint::lint(&spec());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn openapi_3_1_fails() {
    let (f, _) = finding(|d| *at(d, &["openapi"]) = doc::s("3.1.0"), "openapi");
    assert!(f.problem.contains("3.1.0"), "{f}");
    assert!(f.fix.contains("openapi: 3.0.3"), "{f}");
}

#[test]
fn swagger_2_fails() {
    let (f, _) = finding(
        |d| {
            let m = map(d);
            m.shift_remove("openapi");
            m.insert(doc::s("swagger"), doc::s("2.0"));
        },
        "swagger",
    );
    assert!(f.problem.contains("Swagger 2.0"), "{f}");
    assert!(f.fix.contains("cargo xtask import"), "{f}");
}

#[test]
fn missing_operation_id_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "get"])).shift_remove("operationId");
        },
        "paths./api/rest/v1/user/{userId}.get.operationId",
    );
    assert!(f.problem.contains("no operationId"), "{f}");
    assert!(f.fix.contains("operationId: user_get"), "{f}");
}

#[test]
fn operation_id_not_resource_action_fails() {
    let (f, _) = finding(
        |d| *at(d, &["paths", USER_ID, "get", "operationId"]) = doc::s("getUser"),
        "paths./api/rest/v1/user/{userId}.get.operationId",
    );
    assert!(f.problem.contains("`getUser` is not of the form"), "{f}");
    assert!(f.fix.contains("`user_get`"), "{f}");
}

#[test]
fn duplicate_operation_id_fails() {
    let (f, _) = finding(
        |d| *at(d, &["paths", USER_ID, "put", "operationId"]) = doc::s("user_get"),
        "paths./api/rest/v1/user/{userId}.put.operationId",
    );
    assert!(
        f.problem
            .contains("already used by paths./api/rest/v1/user/{userId}.get"),
        "{f}"
    );
    assert!(f.fix.contains("its own operationId"), "{f}");
}

#[test]
fn missing_tag_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "get"])).shift_remove("tags");
        },
        "paths./api/rest/v1/user/{userId}.get.tags",
    );
    assert!(f.problem.contains("no tag"), "{f}");
    assert!(f.fix.contains("users, invites"), "{f}");
}

#[test]
fn undeclared_or_several_tags_fail() {
    let (f, _) = finding(
        |d| *at(d, &["paths", USER_ID, "get", "tags", "0"]) = doc::s("people"),
        "paths./api/rest/v1/user/{userId}.get.tags[0]",
    );
    assert!(f.problem.contains("`people` is not declared"), "{f}");
    assert!(f.fix.contains("- name: people"), "{f}");
    let (f, _) = finding(
        |d| *at(d, &["paths", USER_ID, "get", "tags"]) = yaml("[users, groups]"),
        "paths./api/rest/v1/user/{userId}.get.tags",
    );
    assert!(f.problem.contains("2 tags"), "{f}");
    assert_eq!(f.fix, "keep exactly one tag");
}

#[test]
fn default_beside_typed_success_fails_and_progenitor_panics() {
    let (f, all) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "get", "responses"])).insert(
                doc::s("default"),
                yaml("$ref: '#/components/responses/Error'"),
            );
        },
        "paths./api/rest/v1/user/{userId}.get.responses.default",
    );
    assert!(
        f.problem.contains("beside the typed success response 200"),
        "{f}"
    );
    assert!(
        f.fix
            .contains("replace `default` with `4XX` and `5XX` responses"),
        "{f}"
    );
    // The last check, progenitor itself, panics on it; the lint reports the panic.
    let panic = all
        .iter()
        .find(|f| f.path == "$")
        .unwrap_or_else(|| panic!("no generator finding: {all:#?}"));
    assert!(panic.problem.contains("progenitor panicked"), "{panic}");
}

#[test]
fn second_success_schema_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "get", "responses"]))
                .insert(doc::s("204"), yaml("description: Nothing"));
        },
        "paths./api/rest/v1/user/{userId}.get.responses.204",
    );
    assert!(f.problem.contains("another body"), "{f}");
    assert!(f.problem.contains("204: no body"), "{f}");
    assert!(f.fix.contains("keep only the 200 response"), "{f}");
}

#[test]
fn no_success_response_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "delete", "responses"])).shift_remove("204");
        },
        "paths./api/rest/v1/user/{userId}.delete.responses",
    );
    assert!(f.problem.contains("no success (2xx) response"), "{f}");
    assert!(f.fix.contains("'204'"), "{f}");
}

#[test]
fn second_error_schema_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "get", "responses"])).insert(
                doc::s("404"),
                yaml(
                    "description: Not found\ncontent:\n  application/json:\n    schema:\n      $ref: '#/components/schemas/ObjectId'\n",
                ),
            );
        },
        "paths./api/rest/v1/user/{userId}.get.responses.404",
    );
    assert!(f.problem.contains("error response 404 has"), "{f}");
    assert!(f.problem.contains("one error schema"), "{f}");
    assert!(
        f.fix.contains("$ref: '#/components/responses/Error'"),
        "{f}"
    );
}

#[test]
fn several_request_media_types_fail() {
    let (f, _) = finding(
        |d| {
            let content = map(at(d, &["paths", USER, "post", "requestBody", "content"]));
            let json = content["application/json"].clone();
            content.insert(doc::s("application/xml"), json);
        },
        "paths./api/rest/v1/user.post.requestBody.content",
    );
    assert!(
        f.problem
            .contains("2 request media types (application/json, application/xml)"),
        "{f}"
    );
    assert!(f.fix.contains("keep one media type"), "{f}");
}

#[test]
fn multipart_request_fails() {
    let (f, _) = finding(
        |d| {
            *at(d, &["paths", USER, "post", "requestBody", "content"]) =
                yaml("multipart/form-data:\n  schema:\n    $ref: '#/components/schemas/User'\n");
        },
        "paths./api/rest/v1/user.post.requestBody.content.multipart/form-data",
    );
    assert!(f.problem.contains("cannot send multipart"), "{f}");
    assert!(f.fix.contains("leave the operation out"), "{f}");
}

#[test]
fn cookie_parameter_fails() {
    let (f, _) = finding(
        |d| {
            at(d, &["paths", USER_ID, "get", "parameters"])
                .as_sequence_mut()
                .unwrap()
                .push(yaml("{name: session, in: cookie, schema: {type: string}}"));
        },
        "paths./api/rest/v1/user/{userId}.get.parameters[1]",
    );
    assert!(f.problem.contains("cookie parameter `session`"), "{f}");
    assert!(f.fix.contains("leave the parameter out"), "{f}");
}

#[test]
fn deep_object_parameter_fails() {
    let (f, _) = finding(
        |d| {
            at(d, &["paths", USER, "get", "parameters"])
                .as_sequence_mut()
                .unwrap()
                .push(yaml(
                    "{name: sort, in: query, style: deepObject, schema: {type: object}}",
                ));
        },
        "paths./api/rest/v1/user.get.parameters[3]",
    );
    assert!(f.problem.contains("deepObject"), "{f}");
    assert!(f.fix.contains("plain query parameters"), "{f}");
}

#[test]
fn shared_deep_object_parameter_is_reported_where_used() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["components", "parameters", "filter"]))
                .insert(doc::s("style"), doc::s("deepObject"));
        },
        "paths./api/rest/v1/user.get.parameters[0]",
    );
    assert!(
        f.problem
            .contains("(through #/components/parameters/filter)"),
        "{f}"
    );
}

#[test]
fn optional_path_parameter_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["paths", USER_ID, "get", "parameters", "0"])).shift_remove("required");
        },
        "paths./api/rest/v1/user/{userId}.get.parameters[0]",
    );
    assert!(f.problem.contains("not `required: true`"), "{f}");
    assert_eq!(f.fix, "add `required: true`");
}

#[test]
fn json_response_without_schema_fails() {
    let (f, _) = finding(
        |d| {
            map(at(
                d,
                &[
                    "paths",
                    USER_ID,
                    "get",
                    "responses",
                    "200",
                    "content",
                    "application/json",
                ],
            ))
            .shift_remove("schema");
        },
        "paths./api/rest/v1/user/{userId}.get.responses.200.content.application/json",
    );
    assert!(f.problem.contains("without a schema"), "{f}");
    assert!(f.fix.contains("schema: {}"), "{f}");
}

#[test]
fn unresolved_ref_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["components", "schemas", "Group", "properties"]))
                .insert(doc::s("extra"), yaml("$ref: '#/components/schemas/Nope'"));
        },
        "components.schemas.Group.properties.extra.$ref",
    );
    assert!(
        f.problem
            .contains("`#/components/schemas/Nope` does not resolve"),
        "{f}"
    );
    assert!(f.fix.contains("define `components.schemas.Nope`"), "{f}");
}

#[test]
fn external_ref_fails() {
    let (f, _) = finding(
        |d| {
            *at(d, &["paths", USER_ID, "get", "responses", "5XX", "$ref"]) =
                doc::s("errors.yaml#/Error");
        },
        "paths./api/rest/v1/user/{userId}.get.responses.5XX.$ref",
    );
    assert!(f.problem.contains("external reference"), "{f}");
}

#[test]
fn unused_schema_fails() {
    let (f, _) = finding(
        |d| {
            map(at(d, &["components", "schemas"])).insert(doc::s("Orphan"), yaml("{type: object}"));
        },
        "components.schemas.Orphan",
    );
    assert!(f.problem.contains("`Orphan` is not used"), "{f}");
    assert!(f.fix.starts_with("remove it"), "{f}");
}

#[test]
fn list_without_page_envelope_fails_in_build_rs() {
    // Nothing structural: only build.rs's paging glue (run by the last check) rejects it.
    let (f, all) = finding(
        |d| {
            *at(
                d,
                &[
                    "paths",
                    USER,
                    "get",
                    "responses",
                    "200",
                    "content",
                    "application/json",
                    "schema",
                    "$ref",
                ],
            ) = doc::s("#/components/schemas/User");
            // UserPage is now unused; drop it so that only the generator check remains.
            map(at(d, &["components", "schemas"])).shift_remove("UserPage");
        },
        "$",
    );
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(f.problem.contains("build.rs panicked"), "{f}");
    assert!(f.problem.contains("user_list"), "{f}");
    assert!(f.fix.contains("<Item>Page"), "{f}");
}

#[test]
fn unreadable_text_is_one_finding() {
    let findings = lint::lint_text("openapi: [unclosed");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].path, "$");
    assert!(findings[0].problem.contains("cannot be read"));
}

#[test]
fn findings_print_path_problem_and_fix() {
    let f = Finding {
        path: "paths./x.get".into(),
        problem: "bad".into(),
        fix: "do better".into(),
    };
    assert_eq!(f.to_string(), "paths./x.get: bad\n    fix: do better");
}
