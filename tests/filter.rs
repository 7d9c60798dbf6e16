//! Tests of the filter builder: rendering, escaping, composition, validation; rendered filters
//! read back as the same tree with an independent parser of the filter grammar (the one in
//! `fuzz/src/checks.rs`), so no value can change an expression's structure.

use chrono::{DateTime, TimeZone, Utc};
use trivoreid::filter::{Filter, FilterError, FilterErrorKind, FilterValue};

fn q(f: &Filter) -> String {
    f.to_query()
        .unwrap_or_else(|e| panic!("{f:?} did not render: {e}"))
}

fn err(f: &Filter) -> FilterError {
    match f.to_query() {
        Ok(s) => panic!("{f:?} rendered as {s:?}, expected an error"),
        Err(e) => e,
    }
}

#[path = "../fuzz/src/checks.rs"]
mod checks;

use checks::filter::{Model, Value};

/// Reads a rendered filter back as a tree, with the independent parser of the filter grammar
/// the property tests and fuzz targets use (`fuzz/src/checks.rs`). A quoted string that is an
/// RFC 3339 instant becomes a date-time value, as the server reads it.
fn parse(s: &str) -> Result<Filter, String> {
    checks::filter::parse(s).map(|model| read_dates(model).to_filter())
}

fn read_dates(model: Model) -> Model {
    match model {
        Model::Cmp(attr, op, Value::Str(s)) => match DateTime::parse_from_rfc3339(&s) {
            Ok(dt) => Model::Cmp(attr, op, Value::DateTime(dt.to_utc())),
            Err(_) => Model::Cmp(attr, op, Value::Str(s)),
        },
        Model::And(children, chained) => {
            Model::And(children.into_iter().map(read_dates).collect(), chained)
        }
        Model::Or(children, chained) => {
            Model::Or(children.into_iter().map(read_dates).collect(), chained)
        }
        Model::Not(inner) => Model::Not(Box::new(read_dates(*inner))),
        other => other,
    }
}

/// Renders `f`, checks the text is canonically spaced, parses it back and checks the tree.
fn assert_round_trip(f: &Filter) -> String {
    let s = q(f);
    checks::filter::check_spacing(&s);
    let back = parse(&s).unwrap_or_else(|e| panic!("cannot parse {s:?}: {e}"));
    assert_eq!(&back, f, "{s:?} parsed back as a different tree");
    s
}

const NASTY: &[&str] = &[
    r#"a" or "1" eq "1"#,
    r#"x") or (a pr"#,
    r#"""#,
    r#"\"#,
    r#"\""#,
    r#"\\"#,
    "\\\\\"",
    ")",
    "(",
    "((",
    "))",
    " or ",
    " and ",
    "not (",
    "a pr",
    "x eq 1",
    "\n",
    "line1\nline2\r\n",
    "\t\u{0}\u{1f}\u{7f}",
    "\u{2028}\u{2029}",
    "ä ö 日本 😀",
    "",
    " ",
    "\"\"\"",
    r#"\u0022"#,
    "'",
    "%22%20or%20",
    "&filter=x",
];

// ---------------------------------------------------------------------------------------------
// Operators and values

#[test]
fn every_comparison_operator() {
    type Make = fn(String, &'static str) -> Filter;
    let cases: [(Make, &str); 9] = [
        (|a, v| Filter::eq(a, v), "eq"),
        (|a, v| Filter::ne(a, v), "ne"),
        (|a, v| Filter::co(a, v), "co"),
        (|a, v| Filter::sw(a, v), "sw"),
        (|a, v| Filter::ew(a, v), "ew"),
        (|a, v| Filter::gt(a, v), "gt"),
        (|a, v| Filter::ge(a, v), "ge"),
        (|a, v| Filter::lt(a, v), "lt"),
        (|a, v| Filter::le(a, v), "le"),
    ];
    for (make, op) in cases {
        let f = make("name".to_owned(), "john");
        assert_eq!(q(&f), format!(r#"name {op} "john""#));
        assert_round_trip(&f);
    }
}

#[test]
fn numeric_comparisons() {
    assert_eq!(q(&Filter::gt("count", 5)), "count gt 5");
    assert_eq!(q(&Filter::ge("count", 0)), "count ge 0");
    assert_eq!(q(&Filter::lt("count", -5)), "count lt -5");
    assert_eq!(q(&Filter::le("score", 2.5)), "score le 2.5");
}

#[test]
fn present_has_no_value_and_no_trailing_space() {
    let f = Filter::pr("emails");
    assert_eq!(q(&f), "emails pr");
    assert_round_trip(&f);
    assert_eq!(q(&Filter::pr("name.givenName")), "name.givenName pr");
}

#[test]
fn string_values() {
    assert_eq!(q(&Filter::eq("name", "john")), r#"name eq "john""#);
    assert_eq!(
        q(&Filter::eq("name", String::from("jo hn"))),
        r#"name eq "jo hn""#
    );
    let owned = String::from("x");
    assert_eq!(q(&Filter::eq("name", &owned)), r#"name eq "x""#);
    assert_eq!(q(&Filter::eq("name", "")), r#"name eq """#);
    // A string that looks like a number or a keyword stays a string.
    assert_eq!(q(&Filter::eq("n", "5")), r#"n eq "5""#);
    assert_eq!(q(&Filter::eq("n", "true")), r#"n eq "true""#);
}

#[test]
fn bool_values() {
    assert_eq!(q(&Filter::eq("locked", true)), "locked eq true");
    assert_eq!(q(&Filter::ne("locked", false)), "locked ne false");
}

#[test]
fn integer_values() {
    assert_eq!(q(&Filter::eq("n", 42i32)), "n eq 42");
    assert_eq!(q(&Filter::eq("n", -42i32)), "n eq -42");
    assert_eq!(q(&Filter::eq("n", i32::MIN)), "n eq -2147483648");
    assert_eq!(q(&Filter::eq("n", i64::MAX)), "n eq 9223372036854775807");
    assert_eq!(q(&Filter::eq("n", i64::MIN)), "n eq -9223372036854775808");
    assert_eq!(q(&Filter::eq("n", 7u32)), "n eq 7");
    assert_eq!(q(&Filter::eq("n", u32::MAX)), "n eq 4294967295");
    assert_eq!(q(&Filter::eq("n", u64::MAX)), "n eq 18446744073709551615");
    assert_eq!(q(&Filter::eq("n", 3usize)), "n eq 3");
    assert_round_trip(&Filter::eq("n", i64::MIN));
    assert_round_trip(&Filter::eq("n", u64::MAX));
}

#[test]
fn float_values_use_shortest_round_trip_form() {
    let cases: &[(f64, &str)] = &[
        (1.5, "1.5"),
        (1.0, "1.0"),
        (-0.25, "-0.25"),
        (0.1, "0.1"),
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1e300, "1e300"),
        (1e-7, "1e-7"),
        (f64::MAX, "1.7976931348623157e308"),
        (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
    ];
    for &(v, text) in cases {
        let f = Filter::gt("score", v);
        assert_eq!(q(&f), format!("score gt {text}"));
        assert_eq!(text.parse::<f64>().unwrap().to_bits(), v.to_bits());
        // Also a valid JSON number.
        assert!(
            serde_json::from_str::<serde_json::Number>(text).is_ok(),
            "{text}"
        );
        assert_round_trip(&f);
    }
}

#[test]
fn non_finite_floats_are_errors() {
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let e = err(&Filter::eq("score", v));
        assert_eq!(e.kind(), FilterErrorKind::NonFiniteNumber);
        assert!(e.to_string().contains("score"), "{e}");
        assert!(e.to_string().contains("not a finite number"), "{e}");
    }
    // Found inside compositions too.
    let e = err(&Filter::pr("a").and(Filter::eq("b", 1).or(!Filter::lt("c", f64::NAN))));
    assert_eq!(e.kind(), FilterErrorKind::NonFiniteNumber);
}

#[test]
fn date_time_values_are_quoted_utc_instants_with_millis() {
    let dt = DateTime::parse_from_rfc3339("2017-10-20T07:17:17.606Z")
        .unwrap()
        .to_utc();
    let f = Filter::gt("meta.created", dt);
    assert_eq!(q(&f), r#"meta.created gt "2017-10-20T07:17:17.606Z""#);
    assert_round_trip(&f);

    // Whole seconds still get milliseconds.
    let whole = Utc.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).unwrap();
    assert_eq!(
        q(&Filter::lt("meta.created", whole)),
        r#"meta.created lt "2020-01-02T03:04:05.000Z""#
    );

    // Sub-millisecond digits are dropped.
    let nanos = DateTime::parse_from_rfc3339("2017-10-20T07:17:17.606999999Z")
        .unwrap()
        .to_utc();
    assert_eq!(
        q(&Filter::ge("meta.created", nanos)),
        r#"meta.created ge "2017-10-20T07:17:17.606Z""#
    );

    // An instant given with another offset is sent in UTC.
    let offset = DateTime::parse_from_rfc3339("2017-10-20T10:17:17.606+03:00")
        .unwrap()
        .to_utc();
    assert_eq!(
        q(&Filter::le("meta.lastModified", offset)),
        r#"meta.lastModified le "2017-10-20T07:17:17.606Z""#
    );
}

#[test]
fn from_conversions_pick_the_right_variant() {
    let s = String::from("s");
    assert_eq!(FilterValue::from("s"), FilterValue::String("s".into()));
    assert_eq!(
        FilterValue::from(s.clone()),
        FilterValue::String("s".into())
    );
    assert_eq!(FilterValue::from(&s), FilterValue::String("s".into()));
    assert_eq!(FilterValue::from(true), FilterValue::Bool(true));
    assert_eq!(FilterValue::from(-1i32), FilterValue::Int(-1));
    assert_eq!(FilterValue::from(-1i64), FilterValue::Int(-1));
    assert_eq!(FilterValue::from(1u32), FilterValue::UInt(1));
    assert_eq!(FilterValue::from(u64::MAX), FilterValue::UInt(u64::MAX));
    assert_eq!(FilterValue::from(9usize), FilterValue::UInt(9));
    assert_eq!(FilterValue::from(0.5f64), FilterValue::Float(0.5));
    let dt = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(FilterValue::from(dt), FilterValue::DateTime(dt));
    // Untyped literals: integers default to i32, floats to f64.
    assert_eq!(Filter::eq("n", 5), Filter::eq("n", FilterValue::Int(5)));
    assert_eq!(
        Filter::eq("n", 0.5),
        Filter::eq("n", FilterValue::Float(0.5))
    );
}

// ---------------------------------------------------------------------------------------------
// Escaping and injection

#[test]
fn quotes_and_backslashes_are_escaped() {
    assert_eq!(
        q(&Filter::eq("q", r#"he said "hi""#)),
        r#"q eq "he said \"hi\"""#
    );
    assert_eq!(q(&Filter::eq("path", r"C:\dir\")), r#"path eq "C:\\dir\\""#);
    assert_eq!(q(&Filter::eq("q", r#"\""#)), r#"q eq "\\\"""#);
}

#[test]
fn control_characters_are_escaped() {
    assert_eq!(q(&Filter::eq("q", "a\nb")), r#"q eq "a\nb""#);
    assert_eq!(q(&Filter::eq("q", "a\r\tb")), r#"q eq "a\r\tb""#);
    assert_eq!(
        q(&Filter::eq("q", "\u{0}\u{1}\u{1f}")),
        r#"q eq "\u0000\u0001\u001f""#
    );
    assert_eq!(q(&Filter::eq("q", "\u{8}\u{c}")), r#"q eq "\b\f""#);
    // No raw control character survives anywhere in the output.
    let s = q(&Filter::eq(
        "q",
        (0u8..0x20).map(char::from).collect::<String>(),
    ));
    assert!(!s.chars().any(|c| (c as u32) < 0x20), "{s:?}");
}

#[test]
fn unicode_passes_through_unescaped() {
    assert_eq!(
        q(&Filter::eq("name.familyName", "Äijälä 日本 😀")),
        r#"name.familyName eq "Äijälä 日本 😀""#
    );
    assert_round_trip(&Filter::co("x", "\u{2028}é\u{10FFFF}"));
}

#[test]
fn injection_value_stays_one_string_literal() {
    let value = r#"a" or "1" eq "1"#;
    let f = Filter::eq("username", value);
    let s = q(&f);
    assert_eq!(s, r#"username eq "a\" or \"1\" eq \"1""#);
    // It parses back as a single comparison with the exact value.
    assert_eq!(parse(&s).unwrap(), Filter::eq("username", value));
    assert_round_trip(&f);
    // Also when combined.
    let combined = f.clone().and(Filter::eq("enabled", true));
    assert_eq!(
        q(&combined),
        r#"username eq "a\" or \"1\" eq \"1" and enabled eq true"#
    );
    assert_round_trip(&combined);
}

#[test]
fn nasty_values_round_trip_in_every_position() {
    for &v in NASTY {
        let shapes = [
            Filter::eq("a", v),
            Filter::co("customFields.note", v),
            Filter::eq("a", v).and(Filter::ne("b", v)),
            Filter::eq("a", v)
                .or(Filter::sw("b", v))
                .and(Filter::pr("c")),
            Filter::eq("a", v).not(),
            (Filter::ew("a", v) | Filter::eq("b", v)).not() & Filter::eq("c", v),
            Filter::any([
                Filter::all([Filter::eq("a", v), Filter::eq("b", v)]),
                Filter::eq("c", v).not(),
            ]),
        ];
        for f in &shapes {
            assert_round_trip(f);
        }
    }
}

/// A tiny deterministic generator (no extra dependencies) for random trees.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_value(rng: &mut Lcg) -> FilterValue {
    match rng.below(7) {
        0 | 1 => FilterValue::String(NASTY[rng.below(NASTY.len())].to_owned()),
        2 => FilterValue::Bool(rng.below(2) == 0),
        3 => FilterValue::Int(rng.next() as i64 - (1 << 30)),
        4 => FilterValue::UInt(u64::MAX - rng.next()),
        5 => FilterValue::Float((rng.next() as f64 - 1e9) / 7.0),
        _ => FilterValue::DateTime(
            Utc.timestamp_millis_opt(rng.next() as i64 * 1000 + rng.below(1000) as i64)
                .unwrap(),
        ),
    }
}

fn random_filter(rng: &mut Lcg, depth: usize) -> Filter {
    const ATTRS: &[&str] = &[
        "a",
        "name.givenName",
        "customFields.x-y",
        "$ref",
        "_id",
        "u:v",
    ];
    let attr = ATTRS[rng.below(ATTRS.len())];
    let choice = if depth == 0 {
        rng.below(2)
    } else {
        rng.below(6)
    };
    match choice {
        0 => {
            let v = random_value(rng);
            match rng.below(9) {
                0 => Filter::eq(attr, v),
                1 => Filter::ne(attr, v),
                2 => Filter::co(attr, v),
                3 => Filter::sw(attr, v),
                4 => Filter::ew(attr, v),
                5 => Filter::gt(attr, v),
                6 => Filter::ge(attr, v),
                7 => Filter::lt(attr, v),
                _ => Filter::le(attr, v),
            }
        }
        1 => Filter::pr(attr),
        2 | 3 => random_filter(rng, depth - 1).and(random_filter(rng, depth - 1)),
        4 => random_filter(rng, depth - 1).or(random_filter(rng, depth - 1)),
        _ => !random_filter(rng, depth - 1),
    }
}

#[test]
fn random_trees_round_trip() {
    let mut rng = Lcg(0x5eed);
    for _ in 0..2000 {
        let f = random_filter(&mut rng, 5);
        assert_round_trip(&f);
    }
}

// ---------------------------------------------------------------------------------------------
// Composition

#[test]
fn and_or_not() {
    let a = Filter::eq("a", "1");
    let b = Filter::eq("b", "2");
    assert_eq!(q(&a.clone().and(b.clone())), r#"a eq "1" and b eq "2""#);
    assert_eq!(q(&a.clone().or(b.clone())), r#"a eq "1" or b eq "2""#);
    assert_eq!(q(&a.clone().not()), r#"not (a eq "1")"#);
    assert_eq!(q(&Filter::pr("a").not()), "not (a pr)");
}

#[test]
fn operators_match_methods() {
    let a = Filter::eq("a", 1);
    let b = Filter::pr("b");
    assert_eq!(a.clone() & b.clone(), a.clone().and(b.clone()));
    assert_eq!(a.clone() | b.clone(), a.clone().or(b.clone()));
    assert_eq!(!a.clone(), a.clone().not());
}

#[test]
fn mixed_nesting_is_parenthesised() {
    let a = Filter::eq("a", 1);
    let b = Filter::eq("b", 2);
    let c = Filter::eq("c", 3);
    let d = Filter::eq("d", 4);

    let f = (a.clone() | b.clone()) & !c.clone();
    assert_eq!(q(&f), "(a eq 1 or b eq 2) and not (c eq 3)");
    assert_round_trip(&f);

    let f = a.clone() | (b.clone() & c.clone());
    assert_eq!(q(&f), "a eq 1 or (b eq 2 and c eq 3)");
    assert_round_trip(&f);

    let f = (a.clone() & b.clone()) | (c.clone() & d.clone());
    assert_eq!(q(&f), "(a eq 1 and b eq 2) or (c eq 3 and d eq 4)");
    assert_round_trip(&f);

    let f = (a.clone() | b.clone()) & (c.clone() | d.clone());
    assert_eq!(q(&f), "(a eq 1 or b eq 2) and (c eq 3 or d eq 4)");
    assert_round_trip(&f);

    let f = !(a.clone() & (b.clone() | !c.clone()));
    assert_eq!(q(&f), "not (a eq 1 and (b eq 2 or not (c eq 3)))");
    assert_round_trip(&f);

    let f = !!a.clone();
    assert_eq!(q(&f), "not (not (a eq 1))");
    assert_round_trip(&f);

    // Three levels of alternation.
    let f = a.clone() & (b.clone() | (c.clone() & (d.clone() | Filter::pr("e"))));
    assert_eq!(
        q(&f),
        "a eq 1 and (b eq 2 or (c eq 3 and (d eq 4 or e pr)))"
    );
    assert_round_trip(&f);
}

#[test]
fn same_operator_chains_are_flattened() {
    let x = Filter::eq("x", "1");
    let y = Filter::eq("y", "2");
    let z = Filter::eq("z", "3");
    let expected_and = r#"x eq "1" and y eq "2" and z eq "3""#;
    let expected_or = r#"x eq "1" or y eq "2" or z eq "3""#;

    assert_eq!(q(&x.clone().and(y.clone()).and(z.clone())), expected_and);
    assert_eq!(q(&x.clone().and(y.clone().and(z.clone()))), expected_and);
    assert_eq!(q(&(x.clone() & y.clone() & z.clone())), expected_and);
    assert_eq!(q(&x.clone().or(y.clone()).or(z.clone())), expected_or);
    assert_eq!(q(&x.clone().or(y.clone().or(z.clone()))), expected_or);
    assert_eq!(q(&(x.clone() | y.clone() | z.clone())), expected_or);

    // Building with `and` flattens the tree itself ...
    assert_eq!(
        x.clone().and(y.clone()).and(z.clone()),
        Filter::all([x.clone(), y.clone(), z.clone()])
    );
    assert_eq!(
        x.clone().or(y.clone().or(z.clone())),
        Filter::any([x.clone(), y.clone(), z.clone()])
    );
    // ... and nested `all`/`any` are flattened when rendered.
    let nested = Filter::all([
        Filter::all([x.clone(), y.clone()]),
        Filter::all([z.clone()]),
    ]);
    assert_eq!(q(&nested), expected_and);
    let nested = Filter::any([
        x.clone(),
        Filter::any([y.clone(), Filter::any([z.clone()])]),
    ]);
    assert_eq!(q(&nested), expected_or);

    // `not` is a boundary: its content is not merged into the outer chain.
    let f = x.clone().and(!(y.clone() & z.clone()));
    assert_eq!(q(&f), r#"x eq "1" and not (y eq "2" and z eq "3")"#);
}

#[test]
fn all_and_any() {
    let fs = || vec![Filter::pr("a"), Filter::eq("b", 1), Filter::ne("c", "x")];
    assert_eq!(q(&Filter::all(fs())), r#"a pr and b eq 1 and c ne "x""#);
    assert_eq!(q(&Filter::any(fs())), r#"a pr or b eq 1 or c ne "x""#);
    // Works with any iterator.
    let ids = ["1", "2", "3"];
    let f = Filter::any(ids.iter().map(|id| Filter::eq("id", *id)));
    assert_eq!(q(&f), r#"id eq "1" or id eq "2" or id eq "3""#);
    // A single filter renders as itself, even inside another composition.
    assert_eq!(q(&Filter::all([Filter::pr("a")])), "a pr");
    assert_eq!(q(&Filter::any([Filter::pr("a")])), "a pr");
    let single_or = Filter::all([Filter::any([Filter::pr("a"), Filter::pr("b")])]);
    assert_eq!(q(&single_or), "a pr or b pr");
    assert_eq!(q(&(single_or & Filter::pr("c"))), "(a pr or b pr) and c pr");
    let single_and = Filter::any([Filter::all([Filter::pr("a"), Filter::pr("b")])]);
    assert_eq!(
        q(&(single_and | Filter::pr("c"))),
        "(a pr and b pr) or c pr"
    );
    // Mixed.
    let f = Filter::all([
        Filter::any([Filter::pr("a"), Filter::pr("b")]),
        Filter::any([Filter::pr("c")]),
        !Filter::all([Filter::pr("d"), Filter::pr("e")]),
    ]);
    assert_eq!(q(&f), "(a pr or b pr) and c pr and not (d pr and e pr)");
}

#[test]
fn raw_filters() {
    // Alone: as written.
    assert_eq!(
        q(&Filter::raw(r#"emails[type eq "work"]"#)),
        r#"emails[type eq "work"]"#
    );
    assert_eq!(q(&Filter::raw("a eq 1 or b eq 2")), "a eq 1 or b eq 2");
    // As operands: always parenthesised.
    let raw = Filter::raw("a eq 1 or b eq 2");
    assert_eq!(
        q(&raw.clone().and(Filter::pr("c"))),
        "(a eq 1 or b eq 2) and c pr"
    );
    assert_eq!(
        q(&Filter::pr("c").or(raw.clone())),
        "c pr or (a eq 1 or b eq 2)"
    );
    assert_eq!(
        q(&Filter::all([Filter::raw("x pr"), Filter::raw("y pr")])),
        "(x pr) and (y pr)"
    );
    // A single-element all of a raw is the raw itself.
    assert_eq!(q(&Filter::all([Filter::raw("x pr")])), "x pr");
    // Under `not`: the not's own parentheses enclose it.
    assert_eq!(q(&raw.clone().not()), "not (a eq 1 or b eq 2)");
    // With parentheses and quoted parentheses inside.
    let f = Filter::raw(r#"(a eq ")(" or b pr)"#).and(Filter::pr("c"));
    assert_eq!(q(&f), r#"((a eq ")(" or b pr)) and c pr"#);
    // A raw operand keeps its own meaning: parsing the result gives the raw's tree as one operand.
    let f = Filter::pr("c").and(raw.clone());
    assert_eq!(
        parse(&q(&f)).unwrap(),
        Filter::pr("c").and(Filter::eq("a", 1).or(Filter::eq("b", 2)))
    );
}

#[test]
fn clone_and_equality() {
    let f = (Filter::eq("a", 1) | Filter::raw("b pr")) & !Filter::pr("c");
    assert_eq!(f.clone(), f);
    assert_ne!(Filter::eq("a", 1), Filter::eq("a", 2));
    assert_ne!(Filter::eq("a", 1), Filter::ne("a", 1));
    assert_ne!(Filter::eq("a", 1), Filter::eq("a", 1u32));
    assert!(format!("{f:?}").contains("Raw"));
}

// ---------------------------------------------------------------------------------------------
// Validation

#[test]
fn valid_attribute_names() {
    for attr in [
        "a",
        "userName",
        "name.givenName",
        "customFields.color",
        "meta.created",
        "_id",
        "$ref",
        "a1",
        "a-b",
        "x_y.z-w.$v",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName",
        "andy",
        "order",
        "nothing",
    ] {
        assert_eq!(q(&Filter::pr(attr)), format!("{attr} pr"));
        assert_eq!(q(&Filter::eq(attr, 1)), format!("{attr} eq 1"));
    }
}

#[test]
fn invalid_attribute_names() {
    for attr in [
        "",
        r#"a eq "x" or b"#,
        "na me",
        "a..b",
        "a.",
        ".a",
        "1a",
        "-a",
        ":a",
        "a\"",
        "a(",
        "a)",
        "a[b]",
        "a\n",
        " a",
        "a ",
        "a\\b",
        "ä",
        "and",
        "or",
        "not",
        "NOT",
        "a/b",
        "a,b",
    ] {
        for f in [
            Filter::eq(attr, "x"),
            Filter::pr(attr),
            Filter::pr("ok").and(Filter::gt(attr, 1)),
            !Filter::pr("ok").or(Filter::le(attr, 1.5)),
        ] {
            let e = err(&f);
            assert_eq!(e.kind(), FilterErrorKind::InvalidAttribute, "{attr:?}");
            assert!(
                e.to_string().starts_with("invalid attribute name"),
                "{attr:?}: {e}"
            );
        }
    }
    assert!(err(&Filter::pr("")).to_string().contains("empty"));
    assert!(
        err(&Filter::pr("a..b"))
            .to_string()
            .contains("empty dotted segment")
    );
    assert!(err(&Filter::pr("na me")).to_string().contains("' '"));
    assert!(err(&Filter::pr("or")).to_string().contains("keyword"));
}

#[test]
fn empty_all_and_any_are_errors() {
    let e = err(&Filter::all(Vec::<Filter>::new()));
    assert_eq!(e.kind(), FilterErrorKind::EmptyComposition);
    assert!(e.to_string().contains("all"), "{e}");
    let e = err(&Filter::any(std::iter::empty()));
    assert_eq!(e.kind(), FilterErrorKind::EmptyComposition);
    assert!(e.to_string().contains("any"), "{e}");
    // Combining an empty one does not make the error disappear.
    let e = err(&Filter::all([]).and(Filter::pr("a")));
    assert_eq!(e.kind(), FilterErrorKind::EmptyComposition);
    let e = err(&Filter::pr("a").or(Filter::any([])));
    assert_eq!(e.kind(), FilterErrorKind::EmptyComposition);
    let e = err(&Filter::all([Filter::pr("a"), Filter::any([])]));
    assert_eq!(e.kind(), FilterErrorKind::EmptyComposition);
    let e = err(&!Filter::all([Filter::all([])]));
    assert_eq!(e.kind(), FilterErrorKind::EmptyComposition);
}

#[test]
fn raw_validation() {
    let cases: &[(&str, FilterErrorKind)] = &[
        ("", FilterErrorKind::EmptyRaw),
        ("   ", FilterErrorKind::EmptyRaw),
        ("\n\t", FilterErrorKind::EmptyRaw),
        ("(a pr", FilterErrorKind::UnbalancedParentheses),
        ("a pr)", FilterErrorKind::UnbalancedParentheses),
        ("a pr) or (b pr", FilterErrorKind::UnbalancedParentheses),
        (")(", FilterErrorKind::UnbalancedParentheses),
        ("((a pr)", FilterErrorKind::UnbalancedParentheses),
        (
            r#"a eq ")" or (b pr"#,
            FilterErrorKind::UnbalancedParentheses,
        ),
        (r#"a eq "x"#, FilterErrorKind::UnterminatedString),
        (r#"a eq "x\""#, FilterErrorKind::UnterminatedString),
        (r#"a eq "x\"#, FilterErrorKind::UnterminatedString),
        (
            r#"a eq "x" or b eq "y"#,
            FilterErrorKind::UnterminatedString,
        ),
        (r#"a eq "x") or ("#, FilterErrorKind::UnbalancedParentheses),
    ];
    for (raw, kind) in cases {
        for f in [
            Filter::raw(*raw),
            Filter::raw(*raw).and(Filter::pr("a")),
            !Filter::pr("a").or(Filter::raw(*raw)),
        ] {
            let e = err(&f);
            assert_eq!(e.kind(), *kind, "{raw:?}: {e}");
            assert!(e.to_string().contains("raw filter"), "{e}");
        }
    }
    // Accepted: parentheses and quotes inside strings, escaped quotes, escaped backslashes.
    for raw in [
        "a pr",
        "(a pr)",
        r#"a eq ")""#,
        r#"a eq "(""#,
        r#"a eq "\")(\"""#,
        r#"a eq "\\" and (b pr)"#,
        r#"emails[type eq "work" and value co "@"]"#,
    ] {
        assert_eq!(q(&Filter::raw(raw)), raw);
    }
}

#[test]
fn too_deep_nesting_is_an_error_not_a_crash() {
    let mut f = Filter::pr("a");
    for _ in 0..100 {
        f = !f;
    }
    assert!(f.to_query().is_ok());
    for _ in 0..1000 {
        f = !f;
    }
    assert_eq!(err(&f).kind(), FilterErrorKind::TooDeep);

    // Long same-operator chains are flat, not deep.
    let mut chain = Filter::pr("a0");
    for i in 1..5000 {
        chain = chain.and(Filter::pr(format!("a{i}")));
    }
    assert_eq!(q(&chain).matches(" and ").count(), 4999);
}

#[test]
fn first_error_is_reported() {
    let f = Filter::pr("").and(Filter::eq("x", f64::NAN));
    assert_eq!(err(&f).kind(), FilterErrorKind::InvalidAttribute);
    assert!(f.validate().is_err());
    assert!(Filter::pr("x").validate().is_ok());
}

// ---------------------------------------------------------------------------------------------
// Display and conversions

#[test]
fn display_of_valid_filter_is_the_query() {
    let f = Filter::eq("name", "john").and(Filter::pr("emails"));
    assert_eq!(f.to_string(), r#"name eq "john" and emails pr"#);
    assert_eq!(format!("{f}"), q(&f));
}

#[test]
fn display_of_invalid_filter_names_the_problem() {
    let f = Filter::eq("na me", "john");
    let shown = f.to_string();
    assert!(
        shown.starts_with("<invalid filter: invalid attribute name"),
        "{shown}"
    );
    assert!(shown.ends_with('>'), "{shown}");
    assert_eq!(
        Filter::all([]).to_string(),
        format!("<invalid filter: {}>", err(&Filter::all([])))
    );
}

#[test]
fn try_from_filter_for_string() {
    let f = Filter::eq("a", 1);
    assert_eq!(String::try_from(&f).unwrap(), "a eq 1");
    assert_eq!(String::try_from(f).unwrap(), "a eq 1");
    let bad = Filter::raw("(");
    assert_eq!(
        String::try_from(&bad).unwrap_err().kind(),
        FilterErrorKind::UnbalancedParentheses
    );
    assert_eq!(
        String::try_from(bad).unwrap_err().kind(),
        FilterErrorKind::UnbalancedParentheses
    );
}

/// What a generated request builder's query setter does with its argument.
fn builder_setter<V: TryInto<String>>(value: V) -> Result<String, String>
where
    V::Error: std::fmt::Display,
{
    value.try_into().map_err(|e| e.to_string())
}

#[test]
fn plugs_into_generated_builders() {
    let f = Filter::pr("emails");
    // By reference (the filter stays usable) and by value.
    assert_eq!(builder_setter(&f), Ok("emails pr".to_owned()));
    assert_eq!(builder_setter(f), Ok("emails pr".to_owned()));
    assert_eq!(
        builder_setter("plain string"),
        Ok("plain string".to_owned())
    );
    let e = builder_setter(Filter::any([])).unwrap_err();
    assert!(e.contains("no filters"), "{e}");
}

#[test]
fn filter_error_becomes_an_invalid_argument() {
    let e = err(&Filter::eq("a b", 1));
    let sdk: trivoreid::error::SdkError = e.clone().into();
    match &sdk {
        trivoreid::error::SdkError::InvalidArgument { name, reason } => {
            assert_eq!(*name, "filter");
            assert_eq!(reason, &e.to_string());
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        sdk.to_string()
            .starts_with("invalid argument `filter`: invalid attribute name")
    );
    // Usable as a std error.
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    assert!(boxed.to_string().contains("a b"));
}

#[test]
fn crate_root_reexport() {
    let f: trivoreid::Filter = trivoreid::filter::Filter::pr("a");
    assert_eq!(q(&f), "a pr");
}

// ---------------------------------------------------------------------------------------------
// The test parser itself

#[test]
fn test_parser_rejects_malformed_input() {
    for s in [
        "",
        "a",
        "a eq",
        "a zz 1",
        r#"a eq "x"#,
        "(a pr",
        "a pr)",
        "a pr and",
        "not a pr",
        "a pr b pr",
        "a eq nope",
    ] {
        assert!(parse(s).is_err(), "{s:?} parsed");
    }
    // `and` binds tighter than `or`.
    assert_eq!(
        parse("a pr or b pr and c pr").unwrap(),
        Filter::pr("a").or(Filter::pr("b").and(Filter::pr("c")))
    );
}
