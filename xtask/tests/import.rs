//! `cargo xtask import`: Swagger 2.0 and OpenAPI 3.1 fixture documents, converted, normalized to
//! our conventions and diffed against a small spec of ours; our own spec imports as no change.

use std::collections::BTreeMap;

use xtask::diff;
use xtask::doc::{self, Value};
use xtask::import::{self, Imported};
use xtask::lint;

fn fixture(name: &str) -> Value {
    doc::read(&xtask::workspace_root().join("xtask/fixtures").join(name)).expect("fixture reads")
}

fn ours_small() -> Value {
    fixture("ours-small.yaml")
}

/// operationId → (METHOD path, tag) of a spec.
fn operations(doc: &Value) -> BTreeMap<String, (String, String)> {
    doc::operations(doc)
        .iter()
        .map(|op| {
            let tag = op.op["tags"][0].as_str().unwrap_or_default().to_string();
            (
                op.id().unwrap_or_default().to_string(),
                (format!("{} {}", op.method_upper(), op.path), tag),
            )
        })
        .collect()
}

fn op<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

fn left_out(result: &Imported) -> Vec<(String, String)> {
    result
        .left_out
        .iter()
        .map(|l| (l.operation.clone(), l.reason.clone()))
        .collect()
}

#[test]
fn swagger2_is_converted_and_normalized() {
    let ours = ours_small();
    let result = import::import(&fixture("swagger2-server.json"), &ours).expect("imports");
    assert_eq!(result.source_version, "2.0");
    let new = &result.doc;
    assert_eq!(new["openapi"].as_str(), Some("3.0.3"));

    let ops = operations(new);
    let expected: BTreeMap<String, (String, String)> = [
        // Matched by method and path: our operationId and tag.
        ("user_list", "GET /api/rest/v1/user", "users"),
        ("user_create", "POST /api/rest/v1/user", "users"),
        // The server calls the parameter `id`; ours is `userId`, and our path wins.
        ("user_get", "GET /api/rest/v1/user/{userId}", "users"),
        ("user_delete", "DELETE /api/rest/v1/user/{userId}", "users"),
        ("sms_region_list", "GET /api/rest/v1/sms/regions", "sms"),
        // New: ids from the server's (Springfox suffix dropped) or from method and path; tags
        // from the server's (`-controller` dropped).
        ("list_contracts", "GET /api/rest/v1/contract", "contract"),
        ("contract_create", "POST /api/rest/v1/contract", "contract"),
        (
            "update_contract",
            "PUT /api/rest/v1/contract/{contractId}",
            "contract",
        ),
        (
            "get_namespace_settings",
            "GET /api/rest/v1/namespace/{nsCode}/settings",
            "namespace",
        ),
    ]
    .into_iter()
    .map(|(id, op, tag)| (id.to_string(), (op.to_string(), tag.to_string())))
    .collect();
    assert_eq!(ops, expected);

    // Multipart is left out, and says why.
    assert_eq!(
        left_out(&result),
        vec![(
            "POST /api/rest/v1/user/{userId}/avatar".to_string(),
            "multipart/form-data request body (progenitor cannot send multipart)".to_string()
        )]
    );

    // Errors: 401/403/404/default became 4XX/5XX Error; one success status, ours where the server
    // documents it (201 with the body the server put under 200).
    let create = op(new, "/api/rest/v1/user", "post");
    let codes: Vec<&str> = create["responses"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(codes, ["201", "4XX", "5XX"]);
    assert_eq!(
        create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].as_str(),
        Some("#/components/schemas/User")
    );
    assert_eq!(
        create["responses"]["4XX"]["$ref"].as_str(),
        Some("#/components/responses/Error")
    );
    let delete = op(new, "/api/rest/v1/user/{userId}", "delete");
    assert!(delete["responses"].get("204").is_some());
    assert!(delete["responses"].get("200").is_none());
    // A `default` that was the only success became 200.
    let contract_create = op(new, "/api/rest/v1/contract", "post");
    assert!(contract_create["responses"].get("200").is_some());
    assert!(contract_create["responses"].get("default").is_none());
    // Several request media types: JSON kept. `*/*` responses: JSON.
    let content = contract_create["requestBody"]["content"]
        .as_mapping()
        .unwrap();
    assert_eq!(content.len(), 1);
    assert!(content.contains_key("application/json"));
    assert!(
        op(new, "/api/rest/v1/user", "get")["responses"]["200"]["content"]
            .get("application/json")
            .is_some()
    );
    // Our shared parameters are referred to, not copied.
    assert_eq!(
        op(new, "/api/rest/v1/contract", "get")["parameters"][0]["$ref"].as_str(),
        Some("#/components/parameters/startIndex")
    );
    // collectionFormat multi: a plain exploded form parameter; header parameter kept.
    let update = op(new, "/api/rest/v1/contract/{contractId}", "put");
    let params = update["parameters"].as_sequence().unwrap();
    assert_eq!(params[0]["name"].as_str(), Some("contractId"));
    assert_eq!(params[1]["schema"]["type"].as_str(), Some("array"));
    assert!(params[1].get("style").is_none());
    assert_eq!(params[2]["in"].as_str(), Some("header"));

    // Schemas: definitions → components; paged envelopes → <Item>Page; odd names → PascalCase;
    // our Error; the server's error schema and unused ones left out.
    let schemas = new["components"]["schemas"].as_mapping().unwrap();
    for name in [
        "Error",
        "User",
        "UserPage",
        "Contract",
        "ContractPage",
        "MapStringObject",
    ] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    for name in ["ErrorResponse", "Unused", "Page«User»", "LegalInfo"] {
        assert!(!schemas.contains_key(name), "{name} should be gone");
    }
    // Our hardening survives: our description, the open enum, nullable; the new property arrives.
    let user = &schemas["User"];
    assert_eq!(
        user["description"].as_str(),
        Some("A user (our description).")
    );
    assert!(user["properties"]["status"].get("enum").is_none());
    assert_eq!(
        user["properties"]["emails"]["nullable"].as_bool(),
        Some(true)
    );
    assert_eq!(
        user["properties"]["nickName"]["nullable"].as_bool(),
        Some(true)
    );
    // New tags are declared.
    let tags: Vec<&str> = new["tags"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tags, ["users", "sms", "contract", "namespace"]);

    // The result is a spec the lint (and so progenitor) takes.
    let findings = lint::lint(new);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn swagger2_diff_is_by_operation() {
    let ours = ours_small();
    let result = import::import(&fixture("swagger2-server.json"), &ours).expect("imports");
    let report = diff::diff(&ours, &result.doc);
    let text = report.render(usize::MAX);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "+ list_contracts GET /api/rest/v1/contract",
            "+ contract_create POST /api/rest/v1/contract",
            "+ update_contract PUT /api/rest/v1/contract/{contractId}",
            "+ get_namespace_settings GET /api/rest/v1/namespace/{nsCode}/settings",
            "- user_legal_get GET /api/rest/v1/user/{userId}/legal",
            "~ user_list: response changed (response: +schema.properties.resources.items.properties.nickName)",
            "~ user_create: request, response changed (request: +schema.properties.nickName; response: +schema.properties.nickName)",
            "~ user_get: response changed (response: +schema.properties.nickName)",
            "~ sms_region_list: response changed (response: +schema.items; response: +schema.type)",
        ]
    );
    assert_eq!(
        report.summary(),
        "4 added, 1 removed, 4 changed, 1 unchanged"
    );
}

#[test]
fn openapi31_is_brought_down_to_30() {
    let ours = ours_small();
    let result = import::import(&fixture("openapi31-server.yaml"), &ours).expect("imports");
    assert_eq!(result.source_version, "3.1.0");
    let new = &result.doc;
    // The server URL's path is moved into the paths.
    assert!(
        new["paths"]
            .get("/api/rest/v1/group/{groupId}/members")
            .is_some()
    );
    assert!(new["paths"].get("/group/{groupId}/members").is_none());
    // What progenitor cannot take is left out, each with its reason.
    let out = left_out(&result);
    assert_eq!(
        out,
        [
            (
                "GET /api/rest/v1/user/{userId}".to_string(),
                "required cookie parameter `session` (progenitor cannot send it)".to_string()
            ),
            (
                "POST /api/rest/v1/group".to_string(),
                "multipart/form-data request body (progenitor cannot send multipart)".to_string()
            ),
            (
                "PUT /api/rest/v1/group/{groupId}".to_string(),
                "several success schemas (200, 202); progenitor takes one".to_string()
            ),
        ]
    );
    // An optional deepObject parameter is dropped, and said so.
    let list = op(new, "/api/rest/v1/user", "get");
    let names: Vec<String> = list["parameters"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| {
            p.get("$ref")
                .and_then(Value::as_str)
                .map(|r| r.rsplit('/').next().unwrap().to_string())
                .unwrap_or_else(|| p["name"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(names, ["filter", "startIndex", "count"]);
    assert!(
        result
            .notes
            .iter()
            .any(|n| n.contains("optional deepObject parameter `sort` dropped")),
        "{:#?}",
        result.notes
    );
    // 3.1 schema forms.
    let user = &new["components"]["schemas"]["User"]["properties"];
    assert_eq!(user["age"]["minimum"].as_i64(), Some(0));
    assert_eq!(user["age"]["exclusiveMinimum"].as_bool(), Some(true));
    assert_eq!(user["kind"]["enum"][0].as_str(), Some("person"));
    let members = &op(new, "/api/rest/v1/group/{groupId}/members", "get")["responses"]["200"]["content"]
        ["application/json"]["schema"];
    assert_eq!(members["type"].as_str(), Some("array"));
    assert_eq!(members["nullable"].as_bool(), Some(true));
    // Two response media types: JSON; `default` error beside 200: 4XX/5XX.
    let regions = op(new, "/api/rest/v1/sms/regions", "get");
    assert_eq!(regions["operationId"].as_str(), Some("sms_region_list"));
    let codes: Vec<&str> = regions["responses"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(codes, ["200", "4XX", "5XX"]);
    assert_eq!(
        regions["responses"]["200"]["content"]
            .as_mapping()
            .unwrap()
            .len(),
        1
    );
    // UserList is a page envelope: UserPage (ours, kept).
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].as_str(),
        Some("#/components/schemas/UserPage")
    );
    assert!(new["components"]["schemas"].get("UserList").is_none());
    assert!(new["components"]["schemas"].get("ApiError").is_none());
    // Tags: ours where the path matches; the server's (snake_case) for new ones; the first path
    // segment where the server has none.
    let ops = operations(new);
    assert_eq!(ops["list_group_members"].1, "groups");
    assert_eq!(ops["send_email"].1, "email");

    let report = diff::diff(&ours, new);
    let removed: Vec<&str> = report.removed.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        removed,
        ["user_create", "user_get", "user_delete", "user_legal_get"]
    );
    let added: Vec<&str> = report.added.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(added, ["list_group_members", "send_email"]);

    let findings = lint::lint(new);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn openapi30_json_with_a_base_path_server() {
    let source = doc::parse(
        r##"{
          "openapi": "3.0.1",
          "info": {"title": "t", "version": "1"},
          "servers": [{"url": "/api/rest/v1"}],
          "paths": {
            "/user/{userId}/legal": {
              "get": {
                "operationId": "getLegal",
                "parameters": [{"name": "userId", "in": "path", "required": true,
                                "schema": {"type": "string"}}],
                "responses": {
                  "200": {"description": "OK", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/LegalInfo"}}}},
                  "404": {"description": "Not found"}
                }
              }
            },
            "/openid/userinfo": {"get": {"responses": {"200": {"description": "OK"}}}}
          },
          "components": {"schemas": {"LegalInfo": {"type": "object",
            "properties": {"dateOfBirth": {"type": "string"}}}}}
        }"##,
    )
    .unwrap();
    let ours = ours_small();
    let result = import::import(&source, &ours).expect("imports");
    let legal = op(&result.doc, "/api/rest/v1/user/{userId}/legal", "get");
    // Matched: ours verbatim, since nothing changed.
    assert_eq!(
        *legal,
        ours["paths"]["/api/rest/v1/user/{userId}/legal"]["get"]
    );
    // The server prefix applies to every path; none is outside /api/rest/v1 here.
    assert!(result.left_out.is_empty(), "{:#?}", result.left_out);
    assert!(
        result.doc["paths"]
            .get("/api/rest/v1/openid/userinfo")
            .is_some()
    );
}

#[test]
fn our_spec_imports_as_no_change() {
    let path = xtask::workspace_root().join("openapi/trivoreid.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let ours = doc::parse(&text).unwrap();
    let result = import::import(&ours, &ours).expect("imports");
    assert!(result.left_out.is_empty(), "{:#?}", result.left_out);
    let report = diff::diff(&ours, &result.doc);
    assert!(report.is_empty(), "{}", report.render(usize::MAX));
    assert_eq!(report.unchanged, 215);
    // And `--write` would leave the file byte for byte as it is.
    assert_eq!(result.doc, ours);
    let written = doc::to_yaml(&result.doc, &doc::header_comments(&text)).unwrap();
    assert_eq!(written, text);
}

#[test]
fn import_is_idempotent() {
    let ours = ours_small();
    let source = fixture("swagger2-server.json");
    let first = import::import(&source, &ours).expect("imports");
    let second = import::import(&source, &first.doc).expect("imports again");
    assert_eq!(second.doc, first.doc);
    assert!(diff::diff(&first.doc, &second.doc).is_empty());
}

#[test]
fn an_empty_spec_takes_everything() {
    let empty = Value::Mapping(doc::Mapping::new());
    let result = import::import(&fixture("swagger2-server.json"), &empty).expect("imports");
    let ops = operations(&result.doc);
    assert!(ops.contains_key("get_all"), "{ops:#?}");
    assert_eq!(ops["get_all"].1, "user");
    let findings = lint::lint(&result.doc);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn unknown_versions_are_refused() {
    let err = import::import(&doc::parse("swagger: '1.2'").unwrap(), &ours_small()).unwrap_err();
    assert!(err.contains("unsupported Swagger version 1.2"), "{err}");
    let err = import::import(&doc::parse("info: {}").unwrap(), &ours_small()).unwrap_err();
    assert!(err.contains("neither `swagger` nor `openapi`"), "{err}");
}

#[test]
fn paths_outside_the_rest_api_are_left_out() {
    let source = doc::parse(
        "openapi: 3.0.3\n\
         info: {title: t, version: '1'}\n\
         paths:\n\
         \x20 /openid/userinfo:\n\
         \x20   get:\n\
         \x20     operationId: userInfo\n\
         \x20     responses: {'200': {description: OK}}\n\
         \x20 /api/rest/v1/sms/regions:\n\
         \x20   get:\n\
         \x20     responses:\n\
         \x20       '200': {description: OK, content: {application/json: {schema: {}}}}\n",
    )
    .unwrap();
    let result = import::import(&source, &ours_small()).expect("imports");
    assert_eq!(
        left_out(&result),
        [(
            "GET /openid/userinfo".to_string(),
            "outside /api/rest/v1".to_string()
        )]
    );
    assert_eq!(result.left_out[0].id, "user_info");
    // sms_region_list is unchanged: ours, verbatim.
    assert_eq!(
        *op(&result.doc, "/api/rest/v1/sms/regions", "get"),
        ours_small()["paths"]["/api/rest/v1/sms/regions"]["get"]
    );
}
