//! Property tests of the three input-facing parts of the SDK, with the same oracles as the
//! cargo-fuzz targets (`fuzz/src/checks.rs`, included below; see FUZZING.md):
//!
//! - the `.properties` parser never panics on any text, agrees with itself across line endings
//!   and a byte order mark, and reads back generated keys and values rendered with escapes,
//!   comments, continuations and every separator;
//! - a filter built from any tree renders to text that an independent parser reads back as the
//!   same tree (or fails exactly when the tree is invalid), and any string value stays one
//!   literal: quotes, backslashes, parentheses, ` or `, unicode and control characters;
//! - any bytes decoded as every paged, list and single-object response type, and every
//!   progenitor error variant turned into a `trivoreid::Error`, never panic and keep the status,
//!   the operation and the raw body; also end to end over HTTP for a sample.
//!
//! Case counts stay modest (256, 64 over HTTP) so the suite stays fast; the fuzz targets run
//! the same checks for as long as you like.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use checks::filter::{Model, Value};
use checks::properties::Layout;
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};

const CASES: u32 = 256;

/// `CASES` cases (or `$PROPTEST_CASES` for a longer run), and no regression files written into
/// the tree (a failure prints its minimal input; add it to the examples below instead).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies

/// Characters that matter to the properties format, filters and JSON, mixed with any character.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            '\\', '=', ':', '#', '!', ' ', '\t', '\n', '\r', '\x0c', '\u{b}', '\0', '\u{1f}',
            '\u{7f}', '"', '\'', '(', ')', 'u', 'U', '0', 'D', '8', 'a', 'f', 'o', 'r', 'n', 'd',
            '\u{a0}', '\u{85}', '\u{2028}', '\u{2029}', '\u{3000}', '\u{feff}', 'ä', '日', '😀',
        ]),
        1 => any::<char>(),
    ]
}

fn nasty_string(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(nasty_char(), 0..max).prop_map(|v| v.into_iter().collect()),
        1 => prop::sample::select(vec![
            r#"a" or "1" eq "1"#, r#"x") or (a pr"#, r#"\""#, r#"\\"#, ")", "((", " or ",
            " and ", "not (", "a pr", "\\u0022", "\\uD83D\\uDE00", "\\uD83D", "\\u12", "k=v\\",
            "", " ", "==", "c2VjcmV0==",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// Text that looks like a properties file: lines of separators, escapes, comments and
/// continuations.
fn properties_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::collection::vec(
            prop_oneof![
                4 => nasty_char().prop_map(String::from),
                1 => prop::sample::select(vec![
                    "\\\n", "\\\r\n", "\\\\\n", "\\u00e4", "\\uD83D\\uDE00", "\\uDE00", "key",
                    " = ", "\n#", "\n!", "\n  ", "\r\n", "\\", "mgmtapi.secret=", "\u{feff}",
                ])
                .prop_map(str::to_owned),
            ],
            0..64,
        )
        .prop_map(|parts| parts.concat()),
        1 => any::<String>(),
    ]
}

fn layout(entries: usize) -> impl Strategy<Value = Layout> {
    (
        0..checks::properties::SEPARATORS.len(),
        0..checks::properties::LINE_ENDINGS.len(),
        0..checks::properties::INDENTS.len(),
        prop::collection::vec(prop::option::of(nasty_string(12)), entries),
        prop::collection::vec(prop::option::weighted(0.3, any::<usize>()), entries),
        any::<bool>(),
    )
        .prop_map(
            |(separator, line_ending, indent, comments, breaks, bom)| Layout {
                separator,
                line_ending,
                indent,
                comments,
                breaks,
                bom,
            },
        )
}

fn entries() -> impl Strategy<Value = Vec<(String, String)>> {
    // Keys from a small pool too, so that repeated keys (last one wins) are common.
    let key = prop_oneof![
        1 => prop::sample::select(vec!["a", "mgmtapi.secret", "", "k k", "k=v"]).prop_map(str::to_owned),
        2 => nasty_string(16),
    ];
    prop::collection::vec((key, nasty_string(24)), 0..8)
}

fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[A-Za-z_$][A-Za-z0-9_$:-]{0,8}(\\.[A-Za-z0-9_$:-]{1,6}){0,2}",
        1 => prop::sample::select(vec![
            "and", "OR", "Not", "pr", "eq", "true", "a..b", "a.", ".a", "1a", "-a", "a b",
            "a\"", "a(", "ä", "",
        ])
        .prop_map(str::to_owned),
        1 => nasty_string(8),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => nasty_string(24).prop_map(Value::Str),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::Int),
        1 => any::<u64>().prop_map(Value::UInt),
        1 => any::<f64>().prop_map(Value::Float),
        1 => prop::sample::select(vec![
            f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, f64::MAX, f64::MIN_POSITIVE,
            5e-324, 1e300, 0.1,
        ])
        .prop_map(Value::Float),
        1 => (-62_000_000_000_000i64..250_000_000_000_000, 0u32..1_000_000_000).prop_map(
            |(millis, nanos)| {
                let dt = DateTime::<Utc>::from_timestamp_millis(millis).expect("in range");
                Value::DateTime(dt + chrono::Duration::nanoseconds(i64::from(nanos % 1_000_000)))
            }
        ),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    tree(attribute().boxed(), value().boxed(), 0)
}

/// Trees with valid attributes and finite values only, so that most of them render (the
/// `all` / `any` of nothing is the only error left).
fn valid_model() -> impl Strategy<Value = Model> {
    let attr = "[A-Za-z_$][A-Za-z0-9_$:-]{0,8}(\\.[A-Za-z0-9_$:-]{1,6}){0,2}"
        .prop_filter("not a keyword", |a| checks::filter::valid_attribute(a));
    let value = value()
        .prop_filter(
            "finite",
            |v| !matches!(v, Value::Float(f) if !f.is_finite()),
        )
        .boxed();
    tree(attr.boxed(), value, 1)
}

/// Trees of comparisons and `pr` under `all` / `any` (of at least `min` operands, built either
/// way) and `not`.
fn tree(
    attr: BoxedStrategy<String>,
    value: BoxedStrategy<Value>,
    min: usize,
) -> impl Strategy<Value = Model> {
    let leaf = prop_oneof![
        4 => (attr.clone(), 0..9usize, value).prop_map(|(a, op, v)| Model::Cmp(a, op, v)),
        1 => attr.prop_map(Model::Pr),
    ];
    leaf.prop_recursive(6, 48, 5, move |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), min..5), any::<bool>())
                .prop_map(|(c, chained)| Model::And(c, chained)),
            (prop::collection::vec(inner.clone(), min..5), any::<bool>())
                .prop_map(|(c, chained)| Model::Or(c, chained)),
            inner.prop_map(|m| Model::Not(Box::new(m))),
        ]
    })
}

/// JSON that looks like the API's objects and pages (so that decoding sometimes succeeds and
/// sometimes fails on a type), as bytes.
fn json_bytes() -> impl Strategy<Value = Vec<u8>> {
    let key = prop::sample::select(vec![
        "id",
        "username",
        "nsCode",
        "name",
        "emails",
        "address",
        "resources",
        "totalResults",
        "startIndex",
        "itemsPerPage",
        "errorMessage",
        "statusCode",
        "memberOf",
        "locked",
        "meta",
        "sub",
        "email_verified",
        "givenName",
        "verified",
        "tags",
        "x",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        nasty_string(8).prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6).prop_map(|m| {
                serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    });
    (value, any::<u8>()).prop_map(|(v, cut)| {
        let mut bytes = serde_json::to_vec(&v).expect("JSON");
        // Sometimes cut short, so that the decoder fails in the middle.
        if cut % 4 == 0 && !bytes.is_empty() {
            bytes.truncate(usize::from(cut) % bytes.len());
        }
        bytes
    })
}

fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => json_bytes(),
        1 => prop::collection::vec(any::<u8>(), 0..300),
        1 => nasty_string(40).prop_map(String::into_bytes),
    ]
}

/// An operation id as the trailer carries it: `[a-z0-9_]+`.
fn operation_id() -> impl Strategy<Value = String> {
    "[a-z0-9_]{1,24}"
}

// ---------------------------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn properties_parse_never_panics_and_is_consistent(text in properties_text()) {
        checks::properties::check_parse(&text);
    }

    #[test]
    fn properties_parse_never_panics_on_lossy_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        checks::properties::check_parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn properties_round_trip_rendered_entries(
        (entries, layout) in entries().prop_flat_map(|e| {
            let n = e.len();
            (Just(e), layout(n))
        })
    ) {
        checks::properties::check_round_trip(&entries, &layout);
    }
}

/// Found by `properties_parse_never_panics_and_is_consistent`: the documented rule "lines may
/// end in `\n`, `\r\n` or `\r`" does not hold for a continuation that ends the input on an empty
/// logical line: `\` + `\n` (or `\r`) gives the empty key, `\` + `\r\n` gives nothing.
#[test]
fn a_final_continuation_does_not_depend_on_the_line_ending() {
    use trivoreid::config::Properties;
    for text in ["\\\n", "a=1\n\\\n", "  \\\n", "a=1\n\\\n\\\n"] {
        let lf = checks::properties::entries(&Properties::parse(text));
        for eol in ["\r\n", "\r"] {
            let other = text.replace('\n', eol);
            assert_eq!(
                checks::properties::entries(&Properties::parse(&other)),
                lf,
                "{other:?} and {text:?} parse differently"
            );
        }
    }
}

/// Cases found while writing the oracles, kept as plain examples.
#[test]
fn properties_round_trip_examples() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("", "v"),
        ("k", ""),
        ("#k", "!v"),
        (" k ", " v "),
        ("k", "v\u{a0}"),
        ("k", "\u{feff}v"),
        ("\u{feff}k", "v"),
        ("k\\", "v\\"),
        ("k", "\\uD83D"),
        ("a:b=c", "=d:e"),
        ("k", "line1\nline2\r\n"),
    ];
    for separator in 0..checks::properties::SEPARATORS.len() {
        for (key, value) in cases {
            let entries = vec![((*key).to_owned(), (*value).to_owned())];
            let layout = Layout {
                separator,
                breaks: vec![Some(1)],
                ..Layout::default()
            };
            checks::properties::check_round_trip(&entries, &layout);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Filters

proptest! {
    #![proptest_config(config())]

    #[test]
    fn filters_round_trip_through_an_independent_parser(model in model()) {
        checks::filter::check_model(&model);
    }

    #[test]
    fn valid_filters_render_and_round_trip(model in valid_model()) {
        prop_assert_eq!(model.problems(), vec![]);
        checks::filter::check_model(&model);
        prop_assert!(model.to_filter().to_query().is_ok());
    }

    #[test]
    fn a_string_value_is_always_one_literal(attr in attribute(), value in nasty_string(48)) {
        checks::filter::check_value_literal(&attr, &value);
    }

    #[test]
    fn any_string_value_is_one_literal(value in any::<String>()) {
        checks::filter::check_value_literal("a", &value);
    }
}

// ---------------------------------------------------------------------------------------------
// Responses and error bodies

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_body_decodes_or_is_a_decode_error_that_keeps_it(bytes in body_bytes()) {
        checks::responses::check_body(&bytes);
    }

    #[test]
    fn the_trailer_is_insignificant_and_recovered(
        body in body_bytes(),
        status in any::<u16>(),
        operation in operation_id(),
    ) {
        checks::responses::check_trailer(&body, status, &operation);
    }

    #[test]
    fn error_bodies_keep_status_operation_and_bytes(
        status in any::<u16>(),
        body in body_bytes(),
        operation in any::<usize>(),
    ) {
        checks::responses::check_error_body(status, &body, operation);
    }

    #[test]
    fn an_error_message_is_taken_from_the_error_object(
        status in any::<u16>(),
        message in nasty_string(64),
        operation in any::<usize>(),
    ) {
        checks::responses::check_error_message(status, &message, operation);
    }

    #[test]
    fn text_only_errors_never_panic(text in nasty_string(64)) {
        checks::responses::check_text_errors(&text);
        checks::responses::check_text_errors(&format!("trivoreid:error:{}", text));
    }
}

/// The same properties end to end: a mock server answers `user_get` with the bytes, as a
/// success (200) or with an error status, and the SDK's error keeps what the server sent.
#[test]
fn over_http_any_body_is_decoded_or_kept_whole() {
    use trivoreid::ApiErrorKind;
    use trivoreid::prelude::*;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let server = runtime.block_on(MockServer::start());
    let api = trivoreid::TrivoreId::builder()
        .server(server.uri())
        .management_api("id", "secret")
        .retry(trivoreid::RetryPolicy::none())
        .build()
        .expect("client");

    let mut runner = TestRunner::new(RunnerConfig {
        cases: 64,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let statuses = prop_oneof![
        2 => Just(200u16),
        1 => prop::sample::select(vec![400u16, 401, 403, 404, 409, 422, 429, 500, 502, 503]),
    ];
    runner
        .run(&(statuses, body_bytes()), |(status, bytes)| {
            runtime.block_on(async {
                server.reset().await;
                Mock::given(method("GET"))
                    .and(path("/api/rest/v1/user/u1"))
                    .respond_with(
                        ResponseTemplate::new(status)
                            .insert_header("content-type", "application/json")
                            .set_body_bytes(bytes.clone()),
                    )
                    .mount(&server)
                    .await;
                let result = api.user_get().user_id("u1").send().await;
                let decodes = serde_json::from_slice::<trivoreid::types::User>(&bytes).is_ok();
                match result {
                    Ok(user) => {
                        prop_assert_eq!(status, 200);
                        prop_assert!(decodes, "decoded {:?} that serde_json refuses", bytes);
                        let _ = format!("{user:?}");
                    }
                    Err(e) => {
                        let err = trivoreid::Error::from(e);
                        let _ = checks::responses::format_all(&err);
                        let api_error = err.as_api().expect("ApiError");
                        prop_assert_eq!(api_error.status().map(|s| s.as_u16()), Some(status));
                        prop_assert_eq!(api_error.operation(), Some("user_get"));
                        prop_assert_eq!(api_error.body(), Some(&bytes[..]));
                        if status == 200 {
                            prop_assert!(!decodes);
                            prop_assert_eq!(api_error.kind(), ApiErrorKind::Decode);
                        } else {
                            prop_assert_eq!(api_error.kind(), ApiErrorKind::Status);
                        }
                    }
                }
                Ok(())
            })
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Found by `error_bodies_keep_status_operation_and_bytes` (and the `responses` fuzz target):
/// an error body that is a JSON array is not an error object, yet its first element becomes the
/// message (`message()`, `oauth_error()`), because the error bodies are read with a derived
/// `Deserialize`, which also accepts a sequence of the fields in order.
#[test]
fn an_error_body_that_is_a_json_array_has_no_message() {
    use trivoreid::prelude::*;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/api/rest/v1/user/u1"))
            .respond_with(ResponseTemplate::new(404).set_body_string(r#"["not an error object"]"#))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/openid/userinfo"))
            .respond_with(
                ResponseTemplate::new(401).set_body_string(r#"["invalid_token", "a description"]"#),
            )
            .mount(&server)
            .await;

        let api = trivoreid::TrivoreId::builder()
            .server(server.uri())
            .management_api("id", "secret")
            .retry(trivoreid::RetryPolicy::none())
            .build()
            .expect("client");
        let mut wrong = Vec::new();
        let err = trivoreid::Error::from(api.user_get().user_id("u1").send().await.unwrap_err());
        let api_error = err.as_api().expect("ApiError");
        assert_eq!(api_error.status().map(|s| s.as_u16()), Some(404));
        if api_error.message().is_some() {
            wrong.push(format!("Management API: {err}"));
        }

        let config = trivoreid::Config::builder()
            .server(server.uri())
            .build()
            .expect("config");
        let bearer = trivoreid::TrivoreId::with_access_token(config, "token")
            .await
            .expect("client");
        let err = bearer.fetch_oidc_user().await.unwrap_err();
        let api_error = err.as_api().expect("ApiError");
        assert_eq!(api_error.status().map(|s| s.as_u16()), Some(401));
        if api_error.oauth_error().is_some() || api_error.message().is_some() {
            wrong.push(format!("OIDC userinfo: {err}"));
        }
        assert!(
            wrong.is_empty(),
            "a JSON array was read as an error object: {wrong:#?}"
        );
    });
}
