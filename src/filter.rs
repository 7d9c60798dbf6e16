//! A safe builder for the Management API's filter expressions.
//!
//! The list operations of the Management API take a `filter` query parameter (data storages:
//! `dsfilter` and `datafilter`) written in a language similar to SCIM filtering
//! ([RFC 7644 §3.4.2.2](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.2.2)):
//! `attr op value` comparisons (`eq ne co sw ew gt ge lt le`), `attr pr` (the attribute is
//! present), `and`, `or`, `not (...)` and `( ... )` grouping.
//!
//! [`Filter`] builds such an expression as a tree and renders it with
//! [`Filter::to_query`]. Rendering is injection-proof: string values are always quoted and
//! escaped with JSON rules and attribute names are checked, so no value or attribute can change
//! the structure of the expression.
//!
//! ```
//! use trivoreid::filter::Filter;
//!
//! let filter = Filter::eq("name.givenName", "John")
//!     .and(Filter::pr("emails"))
//!     .and(Filter::eq("locked", true).or(!Filter::eq("status", "active")));
//! assert_eq!(
//!     filter.to_query()?,
//!     r#"name.givenName eq "John" and emails pr and (locked eq true or not (status eq "active"))"#,
//! );
//!
//! // Values cannot break out of their literal.
//! let nasty = Filter::eq("username", r#"a" or "1" eq "1"#);
//! assert_eq!(nasty.to_query()?, r#"username eq "a\" or \"1\" eq \"1""#);
//!
//! // Date-times are sent as quoted ISO-8601 instants with milliseconds.
//! let created = chrono::DateTime::parse_from_rfc3339("2017-10-20T07:17:17.606Z")
//!     .unwrap()
//!     .to_utc();
//! assert_eq!(
//!     Filter::gt("meta.created", created).to_query()?,
//!     r#"meta.created gt "2017-10-20T07:17:17.606Z""#,
//! );
//! # Ok::<(), trivoreid::filter::FilterError>(())
//! ```
//!
//! A filter (or a reference to one) can be given directly to the `filter` setter of a request
//! builder: [`Filter`] implements `TryFrom<Filter> for String` and `TryFrom<&Filter> for
//! String`, so an invalid filter makes the request fail with an error when it is sent, before
//! anything goes out. A [`FilterError`] converts into
//! [`SdkError::InvalidArgument`](crate::error::SdkError::InvalidArgument) named `filter`.
//!
//! # Rendering rules
//!
//! * A comparison is `attr op value` with single spaces (`count gt 5`); presence is `attr pr`.
//! * Strings are JSON string literals (`"say \"hi\"\n"`); integers and booleans are bare;
//!   floats use Rust's shortest round-trip form (`1.5`, `1.0`, `1e300`); date-times are quoted
//!   UTC instants with milliseconds (`"2017-10-20T07:17:17.606Z"`, sub-millisecond digits are
//!   dropped).
//! * `not` is always `not (expr)`.
//! * Operands of `and` / `or` are written bare when they are a comparison, a `pr` or a `not
//!   (...)`, which are self-contained; an operand that is itself an `and` / `or` of the other
//!   kind is wrapped in parentheses, and a [raw](Filter::raw) operand is always wrapped in
//!   parentheses. Nested expressions of the same operator are flattened
//!   (`a and b and c`), so the meaning never depends on the server's precedence rules.
//! * An `all` / `any` of a single filter renders as that filter.
//! * Words are separated by exactly one space; there is no leading or trailing space (except
//!   what a raw filter contains itself).

use std::fmt;
use std::ops::{BitAnd, BitOr, Not};

use chrono::{DateTime, SecondsFormat, Utc};

/// How deeply a filter may nest (`not`, groups and nested compositions) before rendering
/// refuses it. Keeps rendering from exhausting the stack.
const MAX_DEPTH: usize = 256;

/// A filter expression for the Management API's list operations.
///
/// Build one with the comparison constructors ([`Filter::eq`], [`Filter::gt`], ...),
/// [`Filter::pr`] and [`Filter::raw`], combine them with [`and`](Filter::and) (`&`),
/// [`or`](Filter::or) (`|`), [`not`](Filter::not) (`!`), [`Filter::all`] and [`Filter::any`],
/// and render with [`to_query`](Filter::to_query). See the [module documentation](self) for
/// the exact output.
///
/// Constructors never fail; problems (a malformed attribute name, an unbalanced raw filter, an
/// empty `all`, a NaN) are reported by [`to_query`](Filter::to_query) as a [`FilterError`].
///
/// ```
/// use trivoreid::filter::Filter;
///
/// let f = (Filter::eq("a", 1) | Filter::eq("b", 2)) & !Filter::co("c", "x");
/// assert_eq!(f.to_query()?, r#"(a eq 1 or b eq 2) and not (c co "x")"#);
/// # Ok::<(), trivoreid::filter::FilterError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    node: Node,
}

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Compare {
        attr: String,
        op: CompareOp,
        value: FilterValue,
    },
    Present {
        attr: String,
    },
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Raw(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

/// The value side of a comparison.
///
/// Usually created implicitly through `From`: `Filter::eq("name", "john")`,
/// `Filter::gt("count", 5)`, `Filter::eq("locked", true)`, `Filter::lt("meta.created", now)`.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterValue {
    /// A string, rendered as a JSON string literal (`"john"`).
    String(String),
    /// A boolean, rendered `true` / `false`.
    Bool(bool),
    /// A signed integer, rendered bare (`-5`).
    Int(i64),
    /// An unsigned integer, rendered bare (`18446744073709551615`).
    UInt(u64),
    /// A float, rendered bare in Rust's shortest round-trip form (`1.5`, `1.0`, `1e300`).
    /// NaN and infinities cannot be rendered.
    Float(f64),
    /// An instant, rendered as a quoted ISO-8601 UTC instant with milliseconds
    /// (`"2017-10-20T07:17:17.606Z"`); sub-millisecond precision is dropped.
    DateTime(DateTime<Utc>),
}

impl FilterValue {
    /// The value as it appears in the expression.
    fn render(&self, attr: &str, out: &mut String) -> Result<(), FilterError> {
        match self {
            FilterValue::String(s) => out.push_str(&json_string(s)),
            FilterValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            FilterValue::Int(i) => out.push_str(&i.to_string()),
            FilterValue::UInt(u) => out.push_str(&u.to_string()),
            FilterValue::Float(f) => {
                if !f.is_finite() {
                    return Err(FilterError::new(
                        FilterErrorKind::NonFiniteNumber,
                        format!(
                            "the value compared with attribute {attr:?} is not a finite number ({f})"
                        ),
                    ));
                }
                // `{:?}` is the shortest representation that reads back to the same f64, and
                // is always a valid JSON number for finite values (`1.0`, `1e300`, `-0.0`).
                out.push_str(&format!("{f:?}"));
            }
            FilterValue::DateTime(dt) => {
                out.push_str(&json_string(
                    &dt.to_rfc3339_opts(SecondsFormat::Millis, true),
                ));
            }
        }
        Ok(())
    }
}

/// A JSON string literal for `s` (quotes, backslashes and control characters escaped).
fn json_string(s: &str) -> String {
    // Serializing a `str` cannot fail; the fallback only keeps this free of panics.
    serde_json::to_string(s).unwrap_or_else(|_| {
        let mut lit = String::with_capacity(s.len() + 2);
        lit.push('"');
        for c in s.chars() {
            match c {
                '"' => lit.push_str("\\\""),
                '\\' => lit.push_str("\\\\"),
                c if (c as u32) < 0x20 => lit.push_str(&format!("\\u{:04x}", c as u32)),
                c => lit.push(c),
            }
        }
        lit.push('"');
        lit
    })
}

impl From<&str> for FilterValue {
    fn from(v: &str) -> Self {
        FilterValue::String(v.to_owned())
    }
}

impl From<String> for FilterValue {
    fn from(v: String) -> Self {
        FilterValue::String(v)
    }
}

impl From<&String> for FilterValue {
    fn from(v: &String) -> Self {
        FilterValue::String(v.clone())
    }
}

impl From<bool> for FilterValue {
    fn from(v: bool) -> Self {
        FilterValue::Bool(v)
    }
}

impl From<i32> for FilterValue {
    fn from(v: i32) -> Self {
        FilterValue::Int(v.into())
    }
}

impl From<i64> for FilterValue {
    fn from(v: i64) -> Self {
        FilterValue::Int(v)
    }
}

impl From<u32> for FilterValue {
    fn from(v: u32) -> Self {
        FilterValue::UInt(v.into())
    }
}

impl From<u64> for FilterValue {
    fn from(v: u64) -> Self {
        FilterValue::UInt(v)
    }
}

impl From<usize> for FilterValue {
    fn from(v: usize) -> Self {
        // `usize` is at most 64 bits on every supported target.
        FilterValue::UInt(v as u64)
    }
}

impl From<f64> for FilterValue {
    fn from(v: f64) -> Self {
        FilterValue::Float(v)
    }
}

impl From<DateTime<Utc>> for FilterValue {
    fn from(v: DateTime<Utc>) -> Self {
        FilterValue::DateTime(v)
    }
}

/// What kind of problem a [`FilterError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterErrorKind {
    /// An attribute name is empty, has a character outside `[A-Za-z0-9_$.:-]` (or does not start
    /// with a letter, `_` or `$`), has an empty dotted segment (`a..b`, `a.`), or is one of the
    /// words `and`, `or`, `not`.
    InvalidAttribute,
    /// A raw filter is empty or only whitespace.
    EmptyRaw,
    /// A raw filter's parentheses (outside string literals) do not balance.
    UnbalancedParentheses,
    /// A raw filter has a double-quoted string that is never closed.
    UnterminatedString,
    /// [`Filter::all`] or [`Filter::any`] was given no filters.
    EmptyComposition,
    /// A float value is NaN or infinite.
    NonFiniteNumber,
    /// The filter nests deeper than the renderer allows (256 levels).
    TooDeep,
}

/// Why a [`Filter`] cannot be rendered. Returned by [`Filter::to_query`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    kind: FilterErrorKind,
    message: String,
}

impl FilterError {
    fn new(kind: FilterErrorKind, message: impl Into<String>) -> Self {
        FilterError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> FilterErrorKind {
        self.kind
    }
}

impl From<FilterError> for crate::error::SdkError {
    /// An invalid filter is an invalid argument named `filter`.
    fn from(e: FilterError) -> Self {
        crate::error::SdkError::InvalidArgument {
            name: "filter",
            reason: e.to_string(),
        }
    }
}

impl Filter {
    fn compare(attr: impl Into<String>, op: CompareOp, value: impl Into<FilterValue>) -> Self {
        Filter {
            node: Node::Compare {
                attr: attr.into(),
                op,
                value: value.into(),
            },
        }
    }

    /// `attr eq value`: the attribute equals the value.
    pub fn eq(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Eq, value)
    }

    /// `attr ne value`: the attribute does not equal the value.
    pub fn ne(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Ne, value)
    }

    /// `attr co value`: the attribute contains the value.
    pub fn co(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Co, value)
    }

    /// `attr sw value`: the attribute starts with the value.
    pub fn sw(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Sw, value)
    }

    /// `attr ew value`: the attribute ends with the value.
    pub fn ew(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Ew, value)
    }

    /// `attr gt value`: the attribute is greater than the value.
    pub fn gt(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Gt, value)
    }

    /// `attr ge value`: the attribute is greater than or equal to the value.
    pub fn ge(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Ge, value)
    }

    /// `attr lt value`: the attribute is less than the value.
    pub fn lt(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Lt, value)
    }

    /// `attr le value`: the attribute is less than or equal to the value.
    pub fn le(attr: impl Into<String>, value: impl Into<FilterValue>) -> Self {
        Self::compare(attr, CompareOp::Le, value)
    }

    /// `attr pr`: the attribute is present (has a non-empty value).
    pub fn pr(attr: impl Into<String>) -> Self {
        Filter {
            node: Node::Present { attr: attr.into() },
        }
    }

    /// A raw expression, sent as written, for anything the builder lacks.
    ///
    /// It is checked only for being non-empty, for balanced parentheses and for closed string
    /// literals (honouring backslash escapes), so that wrapping it in parentheses — which is
    /// always done when it is an operand of `and` / `or` — keeps it self-contained. Its
    /// contents are otherwise the caller's responsibility: never build one from untrusted
    /// input.
    ///
    /// ```
    /// use trivoreid::filter::Filter;
    ///
    /// let f = Filter::raw(r#"emails[type eq "work"]"#).or(Filter::pr("mobiles"));
    /// assert_eq!(f.to_query()?, r#"(emails[type eq "work"]) or mobiles pr"#);
    /// # Ok::<(), trivoreid::filter::FilterError>(())
    /// ```
    pub fn raw(expression: impl Into<String>) -> Self {
        Filter {
            node: Node::Raw(expression.into()),
        }
    }

    /// Both this filter and `other` hold (`self and other`). Same as `self & other`.
    #[must_use]
    pub fn and(self, other: Filter) -> Self {
        Filter {
            node: Node::And(join(self, other, true)),
        }
    }

    /// This filter or `other` holds (`self or other`). Same as `self | other`.
    #[must_use]
    pub fn or(self, other: Filter) -> Self {
        Filter {
            node: Node::Or(join(self, other, false)),
        }
    }

    /// This filter does not hold (`not (self)`). Same as `!self`.
    #[allow(
        clippy::should_implement_trait,
        reason = "`Not` is implemented too; the method reads better in chains"
    )]
    #[must_use]
    pub fn not(self) -> Self {
        Filter {
            node: Node::Not(Box::new(self)),
        }
    }

    /// All of the filters hold (`a and b and ...`). A single filter renders as itself; no
    /// filters at all is an error when rendered.
    pub fn all(filters: impl IntoIterator<Item = Filter>) -> Self {
        Filter {
            node: Node::And(filters.into_iter().collect()),
        }
    }

    /// Any of the filters holds (`a or b or ...`). A single filter renders as itself; no filters
    /// at all is an error when rendered.
    pub fn any(filters: impl IntoIterator<Item = Filter>) -> Self {
        Filter {
            node: Node::Or(filters.into_iter().collect()),
        }
    }

    /// Checks the filter without keeping the rendered text.
    pub fn validate(&self) -> Result<(), FilterError> {
        self.to_query().map(drop)
    }

    /// Renders the filter as the value of the `filter` query parameter, checking it.
    ///
    /// This is the checked path; [`Display`](fmt::Display) shows invalid filters as
    /// `<invalid filter: REASON>` instead of failing.
    ///
    /// # Errors
    ///
    /// A [`FilterError`] when an attribute name is malformed, a raw filter is empty or
    /// unbalanced, an [`all`](Filter::all) / [`any`](Filter::any) is empty, a float is not
    /// finite, or the filter nests too deeply.
    pub fn to_query(&self) -> Result<String, FilterError> {
        let mut out = String::new();
        render(self, &mut out, 0)?;
        Ok(out)
    }
}

/// The operands of `a and b` (`is_and`) or `a or b`, splicing in either side when it already
/// is a non-empty composition of the same operator (an empty one is kept so that it is still
/// reported when rendered).
fn join(a: Filter, b: Filter, is_and: bool) -> Vec<Filter> {
    let mut operands = Vec::new();
    for f in [a, b] {
        match f.node {
            Node::And(v) if is_and && !v.is_empty() => operands.extend(v),
            Node::Or(v) if !is_and && !v.is_empty() => operands.extend(v),
            node => operands.push(Filter { node }),
        }
    }
    operands
}

/// Follows single-operand `all` / `any` down to the filter they stand for.
fn collapse(mut f: &Filter) -> Result<&Filter, FilterError> {
    loop {
        match &f.node {
            Node::And(v) | Node::Or(v) if v.len() == 1 => f = &v[0],
            Node::And(v) if v.is_empty() => {
                return Err(FilterError::new(
                    FilterErrorKind::EmptyComposition,
                    "`Filter::all` (and) was given no filters",
                ));
            }
            Node::Or(v) if v.is_empty() => {
                return Err(FilterError::new(
                    FilterErrorKind::EmptyComposition,
                    "`Filter::any` (or) was given no filters",
                ));
            }
            _ => return Ok(f),
        }
    }
}

fn too_deep() -> FilterError {
    FilterError::new(
        FilterErrorKind::TooDeep,
        format!("the filter nests more than {MAX_DEPTH} levels deep"),
    )
}

/// Renders `f` at top level (no surrounding parentheses).
fn render(f: &Filter, out: &mut String, depth: usize) -> Result<(), FilterError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let f = collapse(f)?;
    match &f.node {
        Node::Compare { attr, op, value } => {
            check_attribute(attr)?;
            out.push_str(attr);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            value.render(attr, out)?;
        }
        Node::Present { attr } => {
            check_attribute(attr)?;
            out.push_str(attr);
            out.push_str(" pr");
        }
        Node::Raw(raw) => {
            check_raw(raw)?;
            out.push_str(raw);
        }
        Node::Not(inner) => {
            out.push_str("not (");
            render(inner, out, depth + 1)?;
            out.push(')');
        }
        Node::And(v) | Node::Or(v) => {
            let is_and = matches!(f.node, Node::And(_));
            let mut operands = Vec::new();
            flatten(v, is_and, &mut operands, depth + 1)?;
            let sep = if is_and { " and " } else { " or " };
            for (i, operand) in operands.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(sep);
                }
                match &operand.node {
                    Node::Compare { .. } | Node::Present { .. } | Node::Not(_) => {
                        render(operand, out, depth + 1)?;
                    }
                    Node::Raw(_) | Node::And(_) | Node::Or(_) => {
                        out.push('(');
                        render(operand, out, depth + 1)?;
                        out.push(')');
                    }
                }
            }
        }
    }
    Ok(())
}

/// Collects the operands of an `and` (`is_and`) or `or`, looking through single-operand
/// compositions and splicing in nested compositions of the same operator.
fn flatten<'a>(
    children: &'a [Filter],
    is_and: bool,
    out: &mut Vec<&'a Filter>,
    depth: usize,
) -> Result<(), FilterError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    for child in children {
        let child = collapse(child)?;
        match &child.node {
            Node::And(v) if is_and => flatten(v, is_and, out, depth + 1)?,
            Node::Or(v) if !is_and => flatten(v, is_and, out, depth + 1)?,
            _ => out.push(child),
        }
    }
    Ok(())
}

/// Checks an attribute name: `[A-Za-z_$][A-Za-z0-9_$.:-]*`, no empty dotted segment, not a
/// keyword of the filter language.
fn check_attribute(attr: &str) -> Result<(), FilterError> {
    let invalid = |why: String| {
        Err(FilterError::new(
            FilterErrorKind::InvalidAttribute,
            format!("invalid attribute name {attr:?}: {why}"),
        ))
    };
    if attr.is_empty() {
        return invalid("it is empty".into());
    }
    for (i, c) in attr.chars().enumerate() {
        let ok = if i == 0 {
            c.is_ascii_alphabetic() || c == '_' || c == '$'
        } else {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | ':' | '-')
        };
        if !ok {
            return invalid(format!(
                "character {c:?} at position {i} is not allowed (attribute names must match \
                 [A-Za-z_$][A-Za-z0-9_$.:-]*)"
            ));
        }
    }
    if attr.split('.').any(str::is_empty) {
        return invalid("it has an empty dotted segment".into());
    }
    if ["and", "or", "not"]
        .iter()
        .any(|k| attr.eq_ignore_ascii_case(k))
    {
        return invalid("it is a keyword of the filter language".into());
    }
    Ok(())
}

/// Checks a raw filter: not blank, balanced parentheses outside string literals, every string
/// literal closed (a backslash escapes the next character inside one).
fn check_raw(raw: &str) -> Result<(), FilterError> {
    if raw.trim().is_empty() {
        return Err(FilterError::new(
            FilterErrorKind::EmptyRaw,
            "the raw filter is empty",
        ));
    }
    let mut depth = 0usize;
    let mut string_start = None;
    let mut escaped = false;
    for (i, c) in raw.chars().enumerate() {
        if string_start.is_some() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                string_start = None;
            }
            continue;
        }
        match c {
            '"' => string_start = Some(i),
            '(' => depth += 1,
            ')' => {
                if depth == 0 {
                    return Err(FilterError::new(
                        FilterErrorKind::UnbalancedParentheses,
                        format!(
                            "the raw filter has unbalanced parentheses: ')' at position {i} \
                             closes nothing"
                        ),
                    ));
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    if let Some(start) = string_start {
        return Err(FilterError::new(
            FilterErrorKind::UnterminatedString,
            format!("the raw filter has a string literal at position {start} that is never closed"),
        ));
    }
    if depth > 0 {
        return Err(FilterError::new(
            FilterErrorKind::UnbalancedParentheses,
            format!("the raw filter has unbalanced parentheses: {depth} '(' never closed"),
        ));
    }
    Ok(())
}

impl fmt::Display for Filter {
    /// Writes the rendered query, or `<invalid filter: REASON>` when the filter is invalid.
    /// Use [`Filter::to_query`] to be told about invalid filters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_query() {
            Ok(q) => f.write_str(&q),
            Err(e) => write!(f, "<invalid filter: {e}>"),
        }
    }
}

impl TryFrom<Filter> for String {
    type Error = FilterError;

    /// Renders the filter ([`Filter::to_query`]).
    fn try_from(filter: Filter) -> Result<Self, Self::Error> {
        filter.to_query()
    }
}

impl TryFrom<&Filter> for String {
    type Error = FilterError;

    /// Renders the filter ([`Filter::to_query`]).
    fn try_from(filter: &Filter) -> Result<Self, Self::Error> {
        filter.to_query()
    }
}

impl Not for Filter {
    type Output = Filter;

    /// `not (self)`.
    fn not(self) -> Filter {
        Filter::not(self)
    }
}

impl BitAnd for Filter {
    type Output = Filter;

    /// `self and rhs`.
    fn bitand(self, rhs: Filter) -> Filter {
        self.and(rhs)
    }
}

impl BitOr for Filter {
    type Output = Filter;

    /// `self or rhs`.
    fn bitor(self, rhs: Filter) -> Filter {
        self.or(rhs)
    }
}
