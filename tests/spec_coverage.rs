//! The spec covers every core operation of the reference SDK, and every operation of the spec
//! is named in a contract test.

use std::collections::BTreeSet;

use trivoreid::generated::operations::OPERATIONS;

/// `/a/{x}/b` -> `/a/{}/b`: path parameter names do not matter.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The fixture's (method, path) rows the spec lacks, and how many rows it has.
fn missing_from_spec(fixture: &str) -> (Vec<&str>, usize) {
    let spec: BTreeSet<(&str, String)> = OPERATIONS
        .iter()
        .map(|op| (op.method, shape(op.path)))
        .collect();
    let rows: Vec<&str> = fixture
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let missing = rows
        .iter()
        .copied()
        .filter(|line| {
            let (method, path) = line.split_once(' ').expect("METHOD PATH");
            !spec.contains(&(method, shape(path)))
        })
        .collect();
    (missing, rows.len())
}

#[test]
fn spec_has_every_reference_core_operation() {
    let (missing, rows) = missing_from_spec(include_str!("fixtures/core_operations.txt"));
    assert_eq!(rows, 68, "the fixture lists the 68 core operations");
    assert!(missing.is_empty(), "the spec lacks: {missing:#?}");
}

#[cfg(feature = "extension")]
#[test]
fn spec_has_every_reference_extension_operation() {
    let (missing, rows) = missing_from_spec(include_str!("fixtures/extension_operations.txt"));
    assert_eq!(rows, 147, "the fixture lists the 147 extension operations");
    assert!(missing.is_empty(), "the spec lacks: {missing:#?}");
}

#[cfg(not(feature = "extension"))]
#[test]
fn without_the_extension_feature_no_extension_operation_is_built() {
    let (missing, rows) = missing_from_spec(include_str!("fixtures/extension_operations.txt"));
    assert_eq!(
        missing.len(),
        rows,
        "extension operations in a default build: {rows} rows, {} missing",
        missing.len()
    );
    assert_eq!(OPERATIONS.len(), 68);
}

#[test]
fn operation_ids_are_unique_and_resource_action_shaped() {
    let ids: BTreeSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    assert_eq!(ids.len(), OPERATIONS.len());
    for id in ids {
        assert!(id.contains('_'), "{id} is not <resource>_<action>");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{id} is not snake_case"
        );
    }
}

#[test]
fn every_operation_is_named_in_a_contract_test() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let mut sources = String::new();
    for entry in std::fs::read_dir(dir).expect("tests dir") {
        let path = entry.expect("entry").path();
        let is_contract = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("contract_") && n.ends_with(".rs"));
        if is_contract {
            sources.push_str(&std::fs::read_to_string(&path).expect("readable"));
        }
    }
    let untested: Vec<&str> = OPERATIONS
        .iter()
        .map(|op| op.id)
        .filter(|id| !sources.contains(&format!("async fn {id}()")))
        .collect();
    assert!(
        untested.is_empty(),
        "operations without a contract test: {untested:#?}"
    );
}

#[test]
fn success_statuses_follow_the_reference_catalog() {
    let status = |id: &str| OPERATIONS.iter().find(|op| op.id == id).unwrap().success;
    assert_eq!(status("user_create"), 201);
    assert_eq!(status("group_create"), 201);
    assert_eq!(status("namespace_create"), 201);
    assert_eq!(status("datastorage_create"), 201);
    assert_eq!(status("user_delete"), 204);
    assert_eq!(status("datastorage_data_update"), 204);
    assert_eq!(status("emailtemplate_send"), 204);
    assert_eq!(status("email_send"), 200);
    assert_eq!(status("user_customfields_update"), 200);
}
