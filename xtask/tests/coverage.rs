//! `cargo xtask coverage`: the spec's operations against the reference operations, by package.

use xtask::coverage::{self, RefOp};
use xtask::doc;

fn fixture() -> Vec<RefOp> {
    let text = std::fs::read_to_string(
        xtask::workspace_root().join("xtask/fixtures/reference-operations.tsv"),
    )
    .unwrap();
    coverage::from_tsv(&text).expect("the fixture reads")
}

#[test]
fn core_and_extension_are_complete() {
    let spec = doc::read(&xtask::workspace_root().join("openapi/trivoreid.yaml")).unwrap();
    let cov = coverage::coverage(&spec, &fixture());
    let core = cov.package("core").unwrap();
    assert_eq!((core.covered(), core.total), (68, 68));
    let extension = cov.package("extension").unwrap();
    assert_eq!((extension.covered(), extension.total), (147, 147));
    assert!(cov.extra.is_empty(), "{:?}", cov.extra);
    let text = cov.render(None);
    assert!(text.contains("core: covered 68/68\n"));
    assert!(text.contains("extension: covered 147/147\n"));
    assert!(!text.contains("missing"), "{text}");
    assert!(!cov.render(Some("core")).contains("extension"));
}

#[test]
fn a_missing_operation_is_listed_with_its_reference_method() {
    let mut spec = doc::read(&xtask::workspace_root().join("openapi/trivoreid.yaml")).unwrap();
    spec["paths"]
        .as_mapping_mut()
        .unwrap()
        .shift_remove("/api/rest/v1/sms/regions");
    let cov = coverage::coverage(&spec, &fixture());
    let core = cov.package("core").unwrap();
    assert_eq!(core.covered(), 67);
    assert_eq!(core.missing.len(), 1);
    assert_eq!(
        (
            core.missing[0].service.as_str(),
            core.missing[0].sdk_method.as_str()
        ),
        ("SMSService", "get_supported_regions")
    );
}

#[test]
fn path_parameter_names_do_not_matter() {
    let spec = doc::parse(
        "openapi: 3.0.3\npaths:\n  /api/rest/v1/user/{id}:\n    get: {operationId: user_get}\n",
    )
    .unwrap();
    let reference = vec![RefOp {
        package: "core".into(),
        service: "UserService".into(),
        sdk_method: "get".into(),
        method: "GET".into(),
        path: "/api/rest/v1/user/{userId}".into(),
    }];
    let cov = coverage::coverage(&spec, &reference);
    assert_eq!(cov.package("core").unwrap().covered(), 1);
}

#[test]
fn tsv_round_trips() {
    let ops = fixture();
    assert_eq!(coverage::from_tsv(&coverage::to_tsv(&ops)).unwrap(), ops);
    assert!(coverage::from_tsv("wrong header\n").is_err());
    assert!(coverage::from_tsv(&format!("{}\na\tb\n", coverage::TSV_HEADER)).is_err());
}

/// The committed fixture is the catalog's REST operations, when the catalog is here to compare.
#[test]
fn fixture_matches_the_catalog_when_present() {
    let catalog = xtask::workspace_root().join(xtask::cli::CATALOG);
    let Ok(text) = std::fs::read_to_string(&catalog) else {
        eprintln!("no catalog at {}: skipped", catalog.display());
        return;
    };
    let from_catalog = coverage::from_catalog(&text).unwrap();
    assert_eq!(
        from_catalog,
        fixture(),
        "run `cargo xtask coverage --update-fixture`"
    );
}

#[test]
fn catalog_entries_outside_rest_are_skipped() {
    let text = r#"[
      {"package": "core", "service": "UserService", "sdk_method": "get", "http_method": "GET",
       "path": "/api/rest/v1/user/{userId}"},
      {"package": "core", "service": "OidcClient", "sdk_method": "token", "http_method": "POST",
       "path": "/openid/token"},
      {"package": "core", "service": "X", "sdk_method": "y", "http_method": "COMPOSITE",
       "path": "(GET /api/rest/v1/user, POST /api/rest/v1/group)"}
    ]"#;
    let ops = coverage::from_catalog(text).unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].path, "/api/rest/v1/user/{userId}");
}
