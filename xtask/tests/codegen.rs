//! `cargo xtask codegen`: the generator settings are build.rs's, and the output is what build.rs
//! generates, formatted.

use xtask::codegen;

fn read(rel: &str) -> String {
    std::fs::read_to_string(xtask::workspace_root().join(rel))
        .unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// Every `.with_xxx(...)` call of a Rust source, whitespace removed, in order.
fn with_calls(source: &str) -> Vec<String> {
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut calls = Vec::new();
    let mut rest = code.as_str();
    while let Some(start) = rest.find(".with_") {
        let call = &rest[start..];
        let open = call.find('(').expect("a call has arguments");
        let mut depth = 0;
        let mut end = open;
        for (i, c) in call[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        calls.push(call[..end].to_string());
        rest = &call[end..];
    }
    calls
}

#[test]
fn build_rs_uses_the_same_settings() {
    let build = read("build.rs");
    let ours = read("xtask/src/settings.rs");
    if build.contains("xtask/src/settings.rs") && build.contains("generation_settings()") {
        // build.rs includes the shared settings itself: nothing can drift.
        return;
    }
    let expected = with_calls(&ours);
    assert_eq!(
        expected,
        [
            ".with_interface(InterfaceStyle::Builder)",
            ".with_tag(TagStyle::Separate)",
            ".with_hooks(HooksMode::Expected)",
            ".with_inner_type(quote::quote!(crate::client::Inner))",
            ".with_derive(\"PartialEq\")",
        ]
    );
    assert_eq!(
        with_calls(&build),
        expected,
        "build.rs and xtask/src/settings.rs configure progenitor differently; change both"
    );
}

#[test]
fn generates_the_client_operation_table_and_paging_glue() {
    let files = codegen::generate(&read("openapi/trivoreid.yaml")).expect("generates");
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["client.rs", "operations.rs", "paging.rs"]);
    for (name, text) in &files {
        assert!(text.starts_with(codegen::HEADER), "{name}");
        syn::parse_file(text).unwrap_or_else(|e| panic!("{name} is not Rust: {e}"));
    }
    let client = &files[0].1;
    // TagStyle::Separate: one extension trait per tag; HooksMode::Expected; the inner type.
    assert!(client.contains("pub trait ClientUsersExt"));
    assert!(client.contains("pub trait ClientSmsExt"));
    assert!(client.contains("crate::client::Inner"));
    assert!(client.contains("PartialEq"));
    let operations = &files[1].1;
    assert!(operations.contains("\"user_get\""));
    assert!(operations.contains("\"/api/rest/v1/user/{userId}\""));
    let rows = operations.matches("json_response: true").count()
        + operations.matches("json_response: false").count();
    // The whole spec: the 68 core and the 147 extension operations (codegen does not prune).
    assert_eq!(rows, 215);
    let paging = &files[2].1;
    assert!(paging.contains("crate::generated::builder::UserList<'a>"));
}

#[test]
fn check_finds_differences() {
    let dir = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
    let files = vec![
        ("a.rs", "fn a() {}\n".to_string()),
        ("b.rs", "fn b() {}\n".to_string()),
    ];
    codegen::write(&dir, &files).unwrap();
    assert!(codegen::check(&dir, &files).is_empty());
    std::fs::write(dir.join("b.rs"), "fn b() {}\nfn c() {}\n").unwrap();
    std::fs::remove_file(dir.join("a.rs")).unwrap();
    let differences = codegen::check(&dir, &files);
    assert_eq!(differences.len(), 2, "{differences:#?}");
    assert!(differences[0].contains("a.rs: cannot read"));
    assert!(differences[1].contains("b.rs: differs"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_spec_progenitor_rejects_is_an_error_not_a_panic() {
    let spec = read("openapi/trivoreid.yaml").replace(
        "        4XX:\n          $ref: '#/components/responses/Error'\n",
        "        default:\n          $ref: '#/components/responses/Error'\n        4XX:\n          $ref: '#/components/responses/Error'\n",
    );
    let err = codegen::generate(&spec).unwrap_err();
    assert!(err.contains("progenitor panicked"), "{err}");
}
