//! The oracles shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the property tests
//! (`tests/properties_prop.rs`, which includes this file with `#[path]`). Each `check_*`
//! function takes an input, runs it through the SDK and panics when a property fails; the fuzz
//! targets and the property tests differ only in how they make inputs.
//!
//! - [`properties`]: `Properties::parse` never panics, agrees with itself across line endings and
//!   a byte order mark, and `parse(render(p)) == p` for a renderer that escapes everything.
//! - [`filter`]: a filter built from a model tree renders to text that an independent parser
//!   reads back as the same (normalised) tree, or fails exactly when the model is invalid; a
//!   string value is always one literal.
//! - [`responses`]: arbitrary bytes decoded as the generated response types, and turned into
//!   `trivoreid::Error` through every progenitor error variant, never panic, and keep the status,
//!   the operation and the raw body.
#![allow(dead_code)]

/// `.properties` parsing.
pub mod properties {
    use trivoreid::config::Properties;

    /// The entries of `p`, in order.
    pub fn entries(p: &Properties) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    /// `s` escaped so that it reads back as itself in a key or a value: backslashes, line
    /// breaks, separators, comment starts and every whitespace character (raw whitespace would be
    /// a separator, skipped at the start, or trimmed at the end of a value).
    pub fn escape(s: &str) -> Vec<String> {
        s.chars()
            .map(|c| match c {
                '\\' => "\\\\".to_owned(),
                '\n' => "\\n".to_owned(),
                '\r' => "\\r".to_owned(),
                '\t' => "\\t".to_owned(),
                '\x0c' => "\\f".to_owned(),
                '=' | ':' | '#' | '!' | ' ' => format!("\\{c}"),
                c if c.is_whitespace() || c == '\u{feff}' => format!("\\u{:04X}", c as u32),
                c => c.to_string(),
            })
            .collect()
    }

    /// How [`render`] lays out the text.
    #[derive(Clone, Debug, Default)]
    pub struct Layout {
        /// Separator between key and value, by index into [`SEPARATORS`].
        pub separator: usize,
        /// Line ending, by index into [`LINE_ENDINGS`].
        pub line_ending: usize,
        /// Indentation before each key, by index into [`INDENTS`].
        pub indent: usize,
        /// Before each entry: a comment line (`Some(text)`), from the caller's list.
        pub comments: Vec<Option<String>>,
        /// Continuation points: for entry i, break the line after this many escaped tokens.
        pub breaks: Vec<Option<usize>>,
        /// Start with a byte order mark.
        pub bom: bool,
    }

    pub const SEPARATORS: [&str; 7] = ["=", ":", " = ", " ", "\t", " : ", "\x0c="];
    pub const LINE_ENDINGS: [&str; 3] = ["\n", "\r\n", "\r"];
    pub const INDENTS: [&str; 3] = ["", "  ", "\t \x0c"];

    /// The text of a properties file holding `entries` (escaped), laid out by `layout`.
    pub fn render(entries: &[(String, String)], layout: &Layout) -> String {
        let eol = LINE_ENDINGS[layout.line_ending % LINE_ENDINGS.len()];
        let indent = INDENTS[layout.indent % INDENTS.len()];
        let mut out = String::new();
        if layout.bom {
            out.push('\u{feff}');
        }
        for (i, (key, value)) in entries.iter().enumerate() {
            if let Some(Some(comment)) = layout.comments.get(i) {
                let comment: String = comment
                    .chars()
                    .filter(|c| *c != '\n' && *c != '\r')
                    .collect();
                let start = if i % 2 == 0 { '#' } else { '!' };
                out.push_str(&format!("{indent}{start}{comment}{eol}"));
                if i % 3 == 0 {
                    out.push_str(eol);
                }
            }
            let mut separator = SEPARATORS[layout.separator % SEPARATORS.len()];
            if key.is_empty() && !separator.contains(['=', ':']) {
                // An empty key needs a real separator: the whitespace would just be skipped.
                separator = "=";
            }
            let mut tokens = escape(key);
            tokens.push(separator.to_owned());
            tokens.extend(escape(value));
            if let Some(Some(at)) = layout.breaks.get(i) {
                // A continuation: `\` at the end of the line, the rest indented on the next.
                // Never inside a whitespace separator (that whitespace would be skipped).
                let at = at % (tokens.len() + 1);
                let whitespace_separator = separator.trim_matches([' ', '\t', '\x0c']).is_empty();
                if !(at == key_len(key) && whitespace_separator) {
                    tokens.insert(at, format!("\\{eol}  \t"));
                }
            }
            out.push_str(indent);
            out.push_str(&tokens.concat());
            out.push_str(eol);
        }
        out
    }

    fn key_len(key: &str) -> usize {
        key.chars().count()
    }

    /// What `parse` gives for `entries`: the last value of each key, in first-appearance order.
    pub fn expected(entries: &[(String, String)]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in entries {
            match out.iter_mut().find(|(key, _)| key == k) {
                Some(entry) => entry.1 = v.clone(),
                None => out.push((k.clone(), v.clone())),
            }
        }
        out
    }

    /// `render` then `parse` gives back the entries (last value of a repeated key wins).
    pub fn check_round_trip(given: &[(String, String)], layout: &Layout) {
        let text = render(given, layout);
        let parsed = Properties::parse(&text);
        assert_eq!(
            entries(&parsed),
            expected(given),
            "the rendered text did not read back:\n{text:?}"
        );
        for (k, v) in expected(given) {
            assert_eq!(parsed.get(&k), Some(v.as_str()), "get({k:?}) in {text:?}");
        }
    }

    /// Any text: parsing never panics, the accessors agree, a byte order mark and the kind of
    /// line ending change nothing, and the parsed entries survive a render/parse round trip.
    pub fn check_parse(text: &str) {
        let parsed = Properties::parse(text);
        let list = entries(&parsed);
        assert_eq!(parsed.len(), list.len());
        assert_eq!(parsed.is_empty(), list.is_empty());
        for (i, (k, v)) in list.iter().enumerate() {
            assert_eq!(parsed.get(k), Some(v.as_str()), "get({k:?})");
            assert!(
                list[..i].iter().all(|(other, _)| other != k),
                "key {k:?} listed twice"
            );
        }
        let _ = format!("{parsed:?}");
        let _ = format!("{parsed:#?}");

        // A byte order mark at the start is ignored (one: a second one is part of the text).
        if !text.starts_with('\u{feff}') {
            let with_bom = format!("\u{feff}{text}");
            assert_eq!(
                entries(&Properties::parse(&with_bom)),
                list,
                "a BOM changed the result of {text:?}"
            );
        }
        // `\n`, `\r\n` and `\r` end lines alike (this found that a final backslash-CRLF
        // did not end the input as a final backslash-LF did; see
        // `a_final_continuation_does_not_depend_on_the_line_ending` in `tests/properties_prop.rs`).
        if !text.contains('\r') {
            for eol in ["\r\n", "\r"] {
                let other = text.replace('\n', eol);
                assert_eq!(
                    entries(&Properties::parse(&other)),
                    list,
                    "line endings {eol:?} changed the result of {text:?}"
                );
            }
        }
        // What was parsed can be written out and read back.
        let again = render(&list, &Layout::default());
        assert_eq!(
            entries(&Properties::parse(&again)),
            list,
            "the parsed entries of {text:?} did not survive a round trip through {again:?}"
        );
    }
}

/// Filter rendering against an independent parser.
pub mod filter {
    use chrono::{DateTime, SecondsFormat, Utc};
    use trivoreid::filter::{Filter, FilterErrorKind};

    /// The comparison operators, in the order of [`Op`].
    pub const OPS: [&str; 9] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];

    /// A comparison value.
    #[derive(Clone, Debug)]
    pub enum Value {
        Str(String),
        Bool(bool),
        Int(i64),
        UInt(u64),
        Float(f64),
        DateTime(DateTime<Utc>),
    }

    impl PartialEq for Value {
        /// Floats compare by bits (so `-0.0 != 0.0`, as the text keeps the sign).
        fn eq(&self, other: &Value) -> bool {
            match (self, other) {
                (Value::Str(a), Value::Str(b)) => a == b,
                (Value::Bool(a), Value::Bool(b)) => a == b,
                (Value::Int(a), Value::Int(b)) => a == b,
                (Value::UInt(a), Value::UInt(b)) => a == b,
                (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
                (Value::DateTime(a), Value::DateTime(b)) => a == b,
                _ => false,
            }
        }
    }

    impl Value {
        /// The value as the text represents it: instants are quoted strings, unsigned integers
        /// that fit in an `i64` are plain integers.
        fn normalized(&self) -> Value {
            match self {
                Value::UInt(u) if i64::try_from(*u).is_ok() => Value::Int(*u as i64),
                Value::DateTime(dt) => Value::Str(dt.to_rfc3339_opts(SecondsFormat::Millis, true)),
                other => other.clone(),
            }
        }

        fn into_filter_value(self) -> trivoreid::filter::FilterValue {
            use trivoreid::filter::FilterValue as V;
            match self {
                Value::Str(s) => V::from(s),
                Value::Bool(b) => V::from(b),
                Value::Int(i) => V::from(i),
                Value::UInt(u) => V::from(u),
                Value::Float(f) => V::from(f),
                Value::DateTime(dt) => V::from(dt),
            }
        }
    }

    /// A filter tree, built independently of `trivoreid::filter`.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Model {
        /// `attr op value`; `op` indexes [`OPS`].
        Cmp(String, usize, Value),
        Pr(String),
        /// `all` of the operands; with `true`, built with `.and()` / `&` instead.
        And(Vec<Model>, bool),
        /// `any` of the operands; with `true`, built with `.or()` / `|` instead.
        Or(Vec<Model>, bool),
        Not(Box<Model>),
    }

    impl Model {
        /// The same tree as a [`Filter`].
        pub fn to_filter(&self) -> Filter {
            match self {
                Model::Cmp(attr, op, value) => {
                    let v = value.clone().into_filter_value();
                    let attr = attr.clone();
                    match op % OPS.len() {
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
                Model::Pr(attr) => Filter::pr(attr.clone()),
                Model::And(children, chained) => {
                    let filters = children.iter().map(Model::to_filter);
                    if *chained && !children.is_empty() {
                        filters.reduce(|a, b| a & b).expect("non-empty")
                    } else {
                        Filter::all(filters)
                    }
                }
                Model::Or(children, chained) => {
                    let filters = children.iter().map(Model::to_filter);
                    if *chained && !children.is_empty() {
                        filters.reduce(|a, b| a | b).expect("non-empty")
                    } else {
                        Filter::any(filters)
                    }
                }
                Model::Not(inner) => !inner.to_filter(),
            }
        }

        /// The tree the rendered text stands for: single-operand compositions are their
        /// operand, nested compositions of the same kind are flattened, values normalised.
        pub fn normalized(&self) -> Model {
            match self {
                Model::Cmp(attr, op, value) => {
                    Model::Cmp(attr.clone(), op % OPS.len(), value.normalized())
                }
                Model::Pr(attr) => Model::Pr(attr.clone()),
                Model::Not(inner) => Model::Not(Box::new(inner.normalized())),
                Model::And(children, _) | Model::Or(children, _) => {
                    let is_and = matches!(self, Model::And(..));
                    let mut flat = Vec::new();
                    for child in children {
                        match child.normalized() {
                            Model::And(grand, _) if is_and => flat.extend(grand),
                            Model::Or(grand, _) if !is_and => flat.extend(grand),
                            other => flat.push(other),
                        }
                    }
                    if flat.len() == 1 {
                        flat.remove(0)
                    } else if is_and {
                        Model::And(flat, false)
                    } else {
                        Model::Or(flat, false)
                    }
                }
            }
        }

        /// Why the tree cannot be rendered, as every error kind it should produce (empty when
        /// it is valid).
        pub fn problems(&self) -> Vec<FilterErrorKind> {
            let mut out = Vec::new();
            self.collect_problems(&mut out);
            out
        }

        fn collect_problems(&self, out: &mut Vec<FilterErrorKind>) {
            match self {
                Model::Cmp(attr, _, value) => {
                    if !valid_attribute(attr) {
                        out.push(FilterErrorKind::InvalidAttribute);
                    }
                    if matches!(value, Value::Float(f) if !f.is_finite()) {
                        out.push(FilterErrorKind::NonFiniteNumber);
                    }
                }
                Model::Pr(attr) => {
                    if !valid_attribute(attr) {
                        out.push(FilterErrorKind::InvalidAttribute);
                    }
                }
                Model::And(children, _) | Model::Or(children, _) => {
                    if children.is_empty() {
                        out.push(FilterErrorKind::EmptyComposition);
                    }
                    for child in children {
                        child.collect_problems(out);
                    }
                }
                Model::Not(inner) => inner.collect_problems(out),
            }
        }

        /// How deep the tree nests.
        pub fn depth(&self) -> usize {
            match self {
                Model::Cmp(..) | Model::Pr(_) => 1,
                Model::And(c, _) | Model::Or(c, _) => {
                    1 + c.iter().map(Model::depth).max().unwrap_or(0)
                }
                Model::Not(inner) => 1 + inner.depth(),
            }
        }
    }

    /// The documented attribute rule: `[A-Za-z_$][A-Za-z0-9_$.:-]*`, no empty dotted segment,
    /// not `and` / `or` / `not` in any case.
    pub fn valid_attribute(attr: &str) -> bool {
        let mut chars = attr.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        (first.is_ascii_alphabetic() || first == '_' || first == '$')
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | ':' | '-'))
            && !attr.split('.').any(str::is_empty)
            && !["and", "or", "not"]
                .iter()
                .any(|k| attr.eq_ignore_ascii_case(k))
    }

    /// A token of the filter language.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Tok {
        Open,
        Close,
        Str(String),
        Word(String),
    }

    /// Splits rendered text into tokens; string literals are decoded as JSON.
    pub fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
        let chars: Vec<char> = s.chars().collect();
        let mut toks = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' {
                i += 1;
            } else if c == '(' {
                toks.push(Tok::Open);
                i += 1;
            } else if c == ')' {
                toks.push(Tok::Close);
                i += 1;
            } else if c == '"' {
                let start = i;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(format!("unterminated string at {start}")),
                        Some('\\') => i += 2,
                        Some('"') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                let literal: String = chars[start..i].iter().collect();
                let value: String = serde_json::from_str(&literal)
                    .map_err(|e| format!("bad string literal {literal:?}: {e}"))?;
                toks.push(Tok::Str(value));
            } else if c.is_whitespace() || c.is_control() {
                return Err(format!("unexpected character {c:?} at {i}"));
            } else {
                let start = i;
                while i < chars.len() && !matches!(chars[i], ' ' | '(' | ')' | '"') {
                    if chars[i].is_whitespace() || chars[i].is_control() {
                        return Err(format!("unexpected character {:?} at {i}", chars[i]));
                    }
                    i += 1;
                }
                toks.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
        Ok(toks)
    }

    /// The grammar (`and` binds tighter than `or`, as in RFC 7644):
    ///
    /// ```text
    /// filter  = andExpr *("or" andExpr)
    /// andExpr = unary *("and" unary)
    /// unary   = "not" "(" filter ")" / "(" filter ")" / attr "pr" / attr op value
    /// value   = JSON string / true / false / number
    /// ```
    struct Parser {
        toks: Vec<Tok>,
        pos: usize,
    }

    impl Parser {
        fn next(&mut self) -> Result<Tok, String> {
            let t = self
                .toks
                .get(self.pos)
                .cloned()
                .ok_or("unexpected end of input")?;
            self.pos += 1;
            Ok(t)
        }

        fn expect(&mut self, want: Tok) -> Result<(), String> {
            let got = self.next()?;
            if got == want {
                Ok(())
            } else {
                Err(format!("expected {want:?}, got {got:?}"))
            }
        }

        fn is_word(&self, w: &str) -> bool {
            matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x == w)
        }

        fn filter(&mut self) -> Result<Model, String> {
            let mut operands = vec![self.and_expr()?];
            while self.is_word("or") {
                self.pos += 1;
                operands.push(self.and_expr()?);
            }
            Ok(if operands.len() == 1 {
                operands.remove(0)
            } else {
                Model::Or(operands, false)
            })
        }

        fn and_expr(&mut self) -> Result<Model, String> {
            let mut operands = vec![self.unary()?];
            while self.is_word("and") {
                self.pos += 1;
                operands.push(self.unary()?);
            }
            Ok(if operands.len() == 1 {
                operands.remove(0)
            } else {
                Model::And(operands, false)
            })
        }

        fn unary(&mut self) -> Result<Model, String> {
            match self.next()? {
                Tok::Open => {
                    let f = self.filter()?;
                    self.expect(Tok::Close)?;
                    Ok(f)
                }
                Tok::Word(w) if w == "not" => {
                    self.expect(Tok::Open)?;
                    let f = self.filter()?;
                    self.expect(Tok::Close)?;
                    Ok(Model::Not(Box::new(f)))
                }
                Tok::Word(attr) => {
                    if matches!(attr.as_str(), "and" | "or") {
                        return Err(format!("keyword {attr:?} where an attribute was expected"));
                    }
                    let op = match self.next()? {
                        Tok::Word(op) => op,
                        t => return Err(format!("expected an operator, got {t:?}")),
                    };
                    if op == "pr" {
                        return Ok(Model::Pr(attr));
                    }
                    let op = OPS
                        .iter()
                        .position(|o| *o == op)
                        .ok_or_else(|| format!("unknown operator {op:?}"))?;
                    Ok(Model::Cmp(attr, op, self.value()?))
                }
                t => Err(format!("unexpected token {t:?}")),
            }
        }

        fn value(&mut self) -> Result<Value, String> {
            match self.next()? {
                Tok::Str(s) => Ok(Value::Str(s)),
                Tok::Word(w) if w == "true" => Ok(Value::Bool(true)),
                Tok::Word(w) if w == "false" => Ok(Value::Bool(false)),
                Tok::Word(w) => {
                    let first = w.chars().next().unwrap_or(' ');
                    if !(first.is_ascii_digit() || first == '-') {
                        return Err(format!("bad value {w:?}"));
                    }
                    if w.contains(['.', 'e', 'E']) {
                        w.parse::<f64>()
                            .map(Value::Float)
                            .map_err(|e| format!("bad number {w:?}: {e}"))
                    } else if let Ok(i) = w.parse::<i64>() {
                        Ok(Value::Int(i))
                    } else {
                        w.parse::<u64>()
                            .map(Value::UInt)
                            .map_err(|e| format!("bad number {w:?}: {e}"))
                    }
                }
                t => Err(format!("expected a value, got {t:?}")),
            }
        }
    }

    /// Parses a whole rendered filter.
    pub fn parse(s: &str) -> Result<Model, String> {
        let mut p = Parser {
            toks: tokenize(s)?,
            pos: 0,
        };
        let f = p.filter()?;
        if p.pos != p.toks.len() {
            return Err(format!("trailing tokens from {:?}", p.toks[p.pos]));
        }
        Ok(f)
    }

    /// Renders the model's filter and checks: it fails exactly when the model is invalid (with
    /// one of the model's problems as its kind); otherwise the text is canonically spaced and
    /// parses back as the normalised model. Display and Debug never panic.
    pub fn check_model(model: &Model) {
        let filter = model.to_filter();
        let _ = format!("{filter}");
        let _ = format!("{filter:?}");
        let problems = model.problems();
        match filter.to_query() {
            Ok(text) => {
                assert!(
                    problems.is_empty(),
                    "{model:?} has problems {problems:?} but rendered as {text:?}"
                );
                assert_eq!(filter.validate(), Ok(()));
                assert_eq!(String::try_from(&filter).as_deref(), Ok(text.as_str()));
                assert_eq!(filter.to_string(), text);
                check_spacing(&text);
                let back = parse(&text).unwrap_or_else(|e| panic!("cannot parse {text:?}: {e}"));
                assert_eq!(
                    back,
                    model.normalized(),
                    "{text:?} parsed back as another tree"
                );
            }
            Err(e) => {
                assert!(
                    problems.contains(&e.kind()),
                    "{model:?} (problems {problems:?}) failed with {:?}: {e}",
                    e.kind()
                );
                assert!(filter.validate().is_err());
                assert!(filter.to_string().starts_with("<invalid filter: "));
            }
        }
    }

    /// Any string compared with any valid attribute is exactly three tokens: the attribute,
    /// the operator and one string literal holding the string.
    pub fn check_value_literal(attr: &str, value: &str) {
        let attr = if valid_attribute(attr) { attr } else { "a" };
        for (i, op) in OPS.iter().enumerate() {
            let model = Model::Cmp(attr.to_owned(), i, Value::Str(value.to_owned()));
            let text = model
                .to_filter()
                .to_query()
                .unwrap_or_else(|e| panic!("{model:?} failed: {e}"));
            assert_eq!(
                tokenize(&text),
                Ok(vec![
                    Tok::Word(attr.to_owned()),
                    Tok::Word((*op).to_owned()),
                    Tok::Str(value.to_owned()),
                ]),
                "{text:?}"
            );
            // The value is also exactly the JSON string literal of the input.
            let literal = text.strip_prefix(&format!("{attr} {op} ")).expect("prefix");
            assert_eq!(
                serde_json::from_str::<String>(literal).ok().as_deref(),
                Some(value)
            );
        }
    }

    /// Outside string literals: no double spaces, no leading or trailing space, no space just
    /// inside parentheses.
    pub fn check_spacing(s: &str) {
        let mut outside = String::new();
        let mut in_str = false;
        let mut escaped = false;
        for c in s.chars() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_str = false;
                    outside.push('S');
                }
            } else if c == '"' {
                in_str = true;
            } else {
                outside.push(c);
            }
        }
        assert!(!outside.contains("  "), "double space in {s:?}");
        assert!(
            !outside.starts_with(' ') && !outside.ends_with(' '),
            "{s:?}"
        );
        assert!(!outside.contains("( ") && !outside.contains(" )"), "{s:?}");
    }
}

/// Decoding response bodies and error bodies.
pub mod responses {
    use std::fmt::Debug;

    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;
    use bytes::Bytes;
    use progenitor_client::Error as P;
    use reqwest::StatusCode;
    use reqwest::header::{HeaderMap, HeaderValue};
    use serde::de::DeserializeOwned;
    use trivoreid::paging::PagedRequest;
    use trivoreid::{ApiErrorKind, Error, types};

    /// Operation ids used as the failing operation.
    pub const OPERATIONS: [&str; 6] = [
        "user_get",
        "user_list",
        "group_create",
        "namespace_list",
        "datastorage_data_get",
        "emailtemplate_list",
    ];

    /// Formats the error every way and walks its source chain.
    pub fn format_all(err: &Error) -> String {
        let mut all = format!("{err}\n{err:?}\n{err:#?}\n");
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            all.push_str(&format!("{s}\n{s:?}\n"));
            source = s.source();
        }
        all
    }

    /// The decode error for `bytes` received as `T`, as the SDK reports it.
    fn check_invalid_payload(bytes: &[u8], e: serde_json::Error) {
        let err = Error::from(P::<types::Error>::InvalidResponsePayload(
            Bytes::copy_from_slice(bytes),
            e,
        ));
        let shown = format_all(&err);
        let api = err.as_api().expect("a decode failure is an ApiError");
        assert_eq!(api.kind(), ApiErrorKind::Decode);
        assert!(!api.is_retryable());
        assert!(
            shown.contains("cannot decode the server's response"),
            "{shown}"
        );
        match api.status() {
            // No trailer: the body is kept whole.
            None => {
                assert_eq!(api.body(), Some(bytes));
                assert_eq!(api.operation(), None);
            }
            // The bytes ended in a trailer (status and operation): the body is what came before.
            Some(_) => {
                let body = api.body().expect("body");
                assert!(bytes.starts_with(body) && body.len() < bytes.len());
                assert!(api.operation().is_some());
            }
        }
    }

    /// Decodes `bytes` as `T`; a failure goes through the SDK's error conversion.
    fn decode<T: DeserializeOwned + Debug>(bytes: &[u8]) -> Option<T> {
        match serde_json::from_slice::<T>(bytes) {
            Ok(value) => {
                let _ = format!("{value:?}");
                Some(value)
            }
            Err(e) => {
                check_invalid_payload(bytes, e);
                None
            }
        }
    }

    /// A page decodes and converts to a [`trivoreid::Page`] with the same items.
    fn decode_page<R: PagedRequest>(bytes: &[u8], count: impl Fn(&R::Page) -> usize)
    where
        R::Page: DeserializeOwned + Debug,
        R::Item: Debug,
    {
        if let Some(page) = decode::<R::Page>(bytes) {
            let n = count(&page);
            let page = R::into_page(page);
            assert_eq!(page.resources.len(), n);
            let _ = format!("{page:?}");
        }
    }

    /// `bytes` as the body of every kind of response the core API decodes: never panics; a
    /// failure is a decode error that keeps the bytes.
    pub fn check_body(bytes: &[u8]) {
        use trivoreid::generated::builder as b;
        decode_page::<b::UserList<'static>>(bytes, |p| p.resources.len());
        decode_page::<b::GroupList<'static>>(bytes, |p| p.resources.len());
        decode_page::<b::NamespaceList<'static>>(bytes, |p| p.resources.len());
        decode_page::<b::DatastorageList<'static>>(bytes, |p| p.resources.len());
        decode_page::<b::EmailtemplateList<'static>>(bytes, |p| p.resources.len());
        decode_page::<b::UserStrongidentificationHistoryList<'static>>(bytes, |p| {
            p.resources.len()
        });
        decode::<types::User>(bytes);
        decode::<types::Group>(bytes);
        decode::<Vec<types::Group>>(bytes);
        decode::<types::Namespace>(bytes);
        decode::<types::DataStorage>(bytes);
        decode::<types::DataStorageValue>(bytes);
        decode::<types::IdList>(bytes);
        decode::<types::Profile>(bytes);
        decode::<types::JsonObject>(bytes);
        decode::<types::SmsSendResult>(bytes);
        decode::<types::PasswordUpdateResult>(bytes);
        decode::<types::PasswordRequirements>(bytes);
        decode::<types::MyDataPackage>(bytes);
        decode::<types::StrongIdentification>(bytes);
        decode::<types::Enterprise>(bytes);
        decode::<types::LegalInfo>(bytes);
        decode::<types::EmailTemplate>(bytes);
        decode::<types::StudentState>(bytes);
        decode::<types::Error>(bytes);
        decode::<trivoreid::oidc::OidcUser>(bytes);
    }

    /// The whitespace trailer the transport appends to a JSON success body (see
    /// `src/annotate.rs`): a sentinel, then `"<status> <operation>"` two bits per symbol.
    pub fn trailer(status: u16, operation: &str) -> Vec<u8> {
        const SYMBOLS: [u8; 4] = [b' ', b'\t', b'\n', b'\r'];
        let mut out = b"\r\r\t\t\n\n  \r\t\n ".to_vec();
        for byte in format!("{status} {operation}").bytes() {
            for shift in [6, 4, 2, 0] {
                out.push(SYMBOLS[usize::from((byte >> shift) & 3)]);
            }
        }
        out
    }

    /// A body followed by the transport's trailer: the trailer is JSON-insignificant, and a
    /// decode failure reports the status and operation it encodes and exactly the body.
    pub fn check_trailer(body: &[u8], status: u16, operation: &str) {
        let status = 100 + status % 900;
        let mut bytes = body.to_vec();
        bytes.extend(trailer(status, operation));
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
            serde_json::from_slice::<serde_json::Value>(body).is_ok(),
            "the trailer changed whether {body:?} is JSON"
        );
        let Err(e) = serde_json::from_slice::<types::User>(&bytes) else {
            return;
        };
        let err = Error::from(P::<types::Error>::InvalidResponsePayload(
            Bytes::from(bytes),
            e,
        ));
        let _ = format_all(&err);
        let api = err.as_api().expect("ApiError");
        assert_eq!(api.kind(), ApiErrorKind::Decode);
        assert_eq!(api.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(api.operation(), Some(operation));
        assert_eq!(api.body(), Some(body));
    }

    /// The headers the transport puts on an error response it has read (see `src/annotate.rs`).
    fn annotated(body: &[u8], operation: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-trivoreid-operation", HeaderValue::from_static(operation));
        headers.insert(
            "x-trivoreid-raw-body",
            HeaderValue::from_str(&BASE64.encode(body)).expect("base64 is a header value"),
        );
        headers
    }

    /// If the SDK took a message from `body`, it is the non-empty `errorMessage` of a JSON
    /// object (this found that a JSON array `["text"]` gave the message `text`; see
    /// `an_error_body_that_is_a_json_array_has_no_message` in `tests/properties_prop.rs`).
    fn check_message(message: Option<&str>, body: &[u8]) {
        if let Some(message) = message {
            assert!(!message.is_empty());
            let value: serde_json::Value =
                serde_json::from_slice(body).expect("a message came from a JSON body");
            assert!(value.is_object(), "message {message:?} from {value}");
            assert_eq!(
                value["errorMessage"].as_str(),
                Some(message),
                "message {message:?} from {value}"
            );
        }
    }

    /// An error status with `body`, through both progenitor variants that carry one: the status,
    /// the operation and the raw body are kept; Display and Debug never panic.
    pub fn check_error_body(status: u16, body: &[u8], operation: usize) {
        let operation = OPERATIONS[operation % OPERATIONS.len()];
        let status = StatusCode::from_u16(100 + status % 900).expect("100..=999");

        // A documented error status: progenitor decoded the placeholder `Error` object.
        let placeholder = types::Error {
            error_message: String::new(),
            status_code: i32::from(status.as_u16()),
        };
        let response =
            progenitor_client::ResponseValue::new(placeholder, status, annotated(body, operation));
        let err = Error::from(P::ErrorResponse(response));
        let shown = format_all(&err);
        let api = err.as_api().expect("ApiError");
        assert_eq!(api.kind(), ApiErrorKind::Status);
        assert_eq!(api.status(), Some(status));
        assert_eq!(api.operation(), Some(operation));
        assert_eq!(api.body(), Some(body));
        assert!(shown.contains(&status.as_u16().to_string()), "{shown}");
        check_message(api.message(), body);

        // An undocumented status: progenitor hands over the response.
        let mut response = http::Response::builder().status(status);
        for (name, value) in &annotated(body, operation) {
            response = response.header(name, value);
        }
        let response = response.body(body.to_vec()).expect("response");
        let err = Error::from(P::<types::Error>::UnexpectedResponse(
            reqwest::Response::from(response),
        ));
        let _ = format_all(&err);
        let api = err.as_api().expect("ApiError");
        let expected_kind = if status.is_success() || status.is_redirection() {
            ApiErrorKind::Protocol
        } else {
            ApiErrorKind::Status
        };
        assert_eq!(api.kind(), expected_kind);
        assert_eq!(api.status(), Some(status));
        assert_eq!(api.operation(), Some(operation));
        assert_eq!(api.body(), Some(body));
        let message = api.message().expect("always a message");
        if !message.starts_with("undocumented status") {
            check_message(Some(message), body);
        }
    }

    /// An error object as the Management API sends it: its `errorMessage` becomes the message.
    pub fn check_error_message(status: u16, message: &str, operation: usize) {
        let body = serde_json::to_vec(&serde_json::json!({
            "errorMessage": message,
            "statusCode": status,
        }))
        .expect("JSON");
        let operation_name = OPERATIONS[operation % OPERATIONS.len()];
        let status_code = StatusCode::from_u16(400 + status % 200).expect("4xx/5xx");
        let response = progenitor_client::ResponseValue::new(
            types::Error {
                error_message: String::new(),
                status_code: i32::from(status_code.as_u16()),
            },
            status_code,
            annotated(&body, operation_name),
        );
        let err = Error::from(P::ErrorResponse(response));
        let api = err.as_api().expect("ApiError");
        let expected = (!message.is_empty()).then_some(message);
        assert_eq!(api.message(), expected);
        assert_eq!(api.body(), Some(&body[..]));
        let display = err.to_string();
        assert!(
            display.starts_with(&format!("{operation_name}: ")),
            "{display}"
        );
        if !message.is_empty() {
            assert!(display.contains(message), "{display}");
        }
    }

    /// Error variants that carry only text: never panic.
    pub fn check_text_errors(text: &str) {
        for err in [
            Error::from(P::<types::Error>::InvalidRequest(text.to_owned())),
            Error::from(P::<types::Error>::Custom(text.to_owned())),
        ] {
            let _ = format_all(&err);
        }
    }
}
