//! The `filter` query parameter of the fake Management API's list operations.
//!
//! Trivore ID's list operations (`GET /api/rest/v1/user?filter=...` and the like) take a
//! SCIM-like filter (RFC 7644, section 3.4.2.2). [`Filter::parse`] turns the text into a tree
//! and [`Filter::matches`] evaluates that tree against one stored resource, a
//! [`serde_json::Value`].
//!
//! # Language
//!
//! ```text
//! filter     = or
//! or         = and *("or" and)
//! and        = unary *("and" unary)
//! unary      = "not" unary / "(" or ")" / comparison
//! comparison = attrPath "pr" / attrPath op value
//! op         = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "ge" / "lt" / "le"
//! attrPath   = [A-Za-z_$] *[A-Za-z0-9_$.:-]      ; dotted for nested fields
//! value      = JSON string / JSON number / "true" / "false" / "null"
//! ```
//!
//! - Keywords (`and`, `or`, `not`, the operators and the literals `true`, `false`, `null`) are
//!   case-insensitive; attribute paths are case-sensitive. `and`, `or` and `not` are reserved
//!   and cannot name an attribute.
//! - Precedence: `not` binds tighter than `and`, which binds tighter than `or`; parentheses
//!   group. `not` takes one operand: a parenthesised expression, a comparison or another `not`.
//! - Tokens are separated by any amount of whitespace (none is needed around parentheses and
//!   strings).
//! - Strings use JSON's escapes (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`, `\uXXXX` with
//!   surrogate pairs); unlike JSON, raw control characters inside quotes are accepted as they
//!   are. Numbers follow JSON's grammar (`-1`, `2.5`, `1e3`).
//! - Parentheses and `not`s may nest at most [`MAX_DEPTH`] levels, which bounds every
//!   recursion of the parser and of the evaluation; `and`/`or` chains are stored flat, so a
//!   long chain costs no depth.
//!
//! # Semantics
//!
//! - A path is resolved step by step through objects; a step that meets an array applies the
//!   rest of the path to every element, and an array at the end of the path stands for its
//!   elements. A comparison matches if *any* resolved value satisfies it
//!   (`emails.address eq "x"`, `memberOf eq "g1"`).
//! - `eq`: strings exactly (case-sensitive), numbers numerically (`1` equals `1.0`), booleans;
//!   `null` equals a missing or null attribute. Values of different JSON types are not equal.
//!   `ne` is the negation of `eq`, so a missing attribute is `ne "x"`.
//! - `co`, `sw`, `ew`: contains, starts with, ends with, case-sensitive, on strings only.
//! - `gt`, `ge`, `lt`, `le`: numbers numerically; strings as instants when both are RFC 3339
//!   date-times, otherwise lexicographically (by code point); any other pair is false.
//! - `pr`: some resolved value is neither null, nor an empty string, nor an empty array, nor
//!   an empty object.
//!
//! Errors are messages fit for a 400 response's `errorMessage`, meant to follow a prefix such
//! as `Invalid filter: ` (they start in lower case, e.g. `unknown operator 'eqq' at position
//! 3`); positions in them count characters from 1.

use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset};
use serde_json::{Number, Value};

/// How deeply parentheses and `not`s may nest (each `(` and each `not` is one level).
pub(crate) const MAX_DEPTH: usize = 64;

/// A parsed filter expression, ready to be evaluated against resources.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Filter {
    /// The root of the expression tree.
    root: Node,
}

impl Filter {
    /// Parses a filter; the error is a message fit for the 400 response's errorMessage.
    pub(crate) fn parse(text: &str) -> Result<Filter, String> {
        let tokens = lex(text)?;
        if tokens.is_empty() {
            return Err("the filter is empty".to_owned());
        }
        let mut parser = Parser {
            tokens,
            next: 0,
            depth: 0,
        };
        let root = parser.parse_or()?;
        if let Some(token) = parser.peek() {
            return Err(match token.tok {
                Tok::RParen => format!(
                    "unbalanced parentheses: unexpected ')' at position {}",
                    token.pos
                ),
                _ => format!(
                    "unexpected {} at position {}, expected 'and', 'or' or the end of the filter",
                    describe(&token.tok),
                    token.pos
                ),
            });
        }
        Ok(Filter { root })
    }

    /// Tells whether `resource` satisfies the filter.
    pub(crate) fn matches(&self, resource: &Value) -> bool {
        self.root.matches(resource)
    }
}

// ---------------------------------------------------------------------------------------------
// Expression tree
// ---------------------------------------------------------------------------------------------

/// A node of the expression tree.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// True if any operand is (at least two operands).
    Or(Vec<Node>),
    /// True if every operand is (at least two operands).
    And(Vec<Node>),
    /// The negation of its operand.
    Not(Box<Node>),
    /// `attrPath pr`.
    Present(Path),
    /// `attrPath op value`.
    Compare {
        /// The attribute compared.
        path: Path,
        /// The comparison.
        op: Op,
        /// The value it is compared with.
        value: Literal,
    },
}

/// An attribute path split at its dots (never empty, no empty step).
type Path = Vec<String>;

/// A comparison operator (every one but `pr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains.
    Co,
    /// Starts with.
    Sw,
    /// Ends with.
    Ew,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
}

impl Op {
    /// The operator named `word` (case-insensitive), if any.
    fn from_word(word: &str) -> Option<Op> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "co" => Op::Co,
            "sw" => Op::Sw,
            "ew" => Op::Ew,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            _ => return None,
        })
    }
}

/// A value written in a filter.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    /// A quoted string, unescaped.
    String(String),
    /// A number.
    Number(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl Node {
    /// Evaluates this node against `resource`.
    ///
    /// Recursion is bounded by the tree's depth, which the parser keeps below about three
    /// times [`MAX_DEPTH`].
    fn matches(&self, resource: &Value) -> bool {
        match self {
            Node::Or(operands) => operands.iter().any(|node| node.matches(resource)),
            Node::And(operands) => operands.iter().all(|node| node.matches(resource)),
            Node::Not(operand) => !operand.matches(resource),
            Node::Present(path) => resolve(resource, path).into_iter().any(is_present),
            Node::Compare { path, op, value } => {
                let values = resolve(resource, path);
                match op {
                    Op::Eq => any_equal(&values, value),
                    Op::Ne => !any_equal(&values, value),
                    Op::Co | Op::Sw | Op::Ew => {
                        let Literal::String(wanted) = value else {
                            return false;
                        };
                        values.into_iter().any(|actual| match actual {
                            Value::String(actual) => match op {
                                Op::Co => actual.contains(wanted.as_str()),
                                Op::Sw => actual.starts_with(wanted.as_str()),
                                _ => actual.ends_with(wanted.as_str()),
                            },
                            _ => false,
                        })
                    }
                    Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                        values.into_iter().any(|actual| match order(actual, value) {
                            Some(ordering) => match op {
                                Op::Gt => ordering == Ordering::Greater,
                                Op::Ge => ordering != Ordering::Less,
                                Op::Lt => ordering == Ordering::Less,
                                _ => ordering != Ordering::Greater,
                            },
                            None => false,
                        })
                    }
                }
            }
        }
    }
}

/// The values `path` leads to in `resource`: arrays met on the way, or at its end, stand for
/// their elements (recursively). Missing steps and steps into scalars lead nowhere.
fn resolve<'a>(resource: &'a Value, path: &[String]) -> Vec<&'a Value> {
    let mut found = Vec::new();
    // An explicit stack, so that deeply nested arrays cannot overflow the call stack.
    let mut pending = vec![(resource, 0)];
    while let Some((value, step)) = pending.pop() {
        match value {
            Value::Array(elements) => {
                pending.extend(elements.iter().rev().map(|element| (element, step)));
            }
            _ if step == path.len() => found.push(value),
            Value::Object(fields) => {
                if let Some(child) = fields.get(&path[step]) {
                    pending.push((child, step + 1));
                }
            }
            _ => {}
        }
    }
    found
}

/// `pr` of one resolved value.
fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !text.is_empty(),
        Value::Array(elements) => !elements.is_empty(),
        Value::Object(fields) => !fields.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// `eq`: whether any of the resolved `values` equals `wanted`; `null` also equals nothing.
fn any_equal(values: &[&Value], wanted: &Literal) -> bool {
    match wanted {
        Literal::Null => values.is_empty() || values.iter().any(|value| value.is_null()),
        Literal::String(wanted) => values
            .iter()
            .any(|value| value.as_str() == Some(wanted.as_str())),
        Literal::Number(wanted) => values.iter().any(|value| match value {
            Value::Number(actual) => compare_numbers(actual, wanted) == Some(Ordering::Equal),
            _ => false,
        }),
        Literal::Bool(wanted) => values.iter().any(|value| value.as_bool() == Some(*wanted)),
    }
}

/// How `actual` orders against `wanted` for `gt`, `ge`, `lt` and `le`: numbers numerically,
/// strings as instants when both are RFC 3339 date-times and lexicographically otherwise;
/// `None` for any other pair.
fn order(actual: &Value, wanted: &Literal) -> Option<Ordering> {
    match (actual, wanted) {
        (Value::Number(actual), Literal::Number(wanted)) => compare_numbers(actual, wanted),
        (Value::String(actual), Literal::String(wanted)) => {
            match (date_time(actual), date_time(wanted)) {
                (Some(actual), Some(wanted)) => Some(actual.cmp(&wanted)),
                _ => Some(actual.as_str().cmp(wanted.as_str())),
            }
        }
        _ => None,
    }
}

/// `text` as an RFC 3339 date-time, if it is one.
fn date_time(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

/// Compares two JSON numbers: exactly when both are integers, as `f64` otherwise.
fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    fn integer(n: &Number) -> Option<i128> {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    }
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

/// A token of the filter language.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// An unquoted word: an attribute path, a keyword or an operator.
    Word(String),
    /// A quoted string, unescaped.
    Str(String),
    /// A number.
    Num(Number),
}

/// A token and where it starts.
#[derive(Debug, Clone)]
struct Token {
    /// The token.
    tok: Tok,
    /// The position of its first character, counted in characters from 1.
    pos: usize,
}

/// Whether `c` may start an attribute path (or a keyword).
fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

/// Whether `c` may continue an attribute path (or a keyword).
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | ':' | '-')
}

/// Splits `text` into tokens.
fn lex(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let pos = i + 1;
        let tok = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                Tok::LParen
            }
            ')' => {
                i += 1;
                Tok::RParen
            }
            '"' => {
                let (text, next) = lex_string(&chars, i)?;
                i = next;
                Tok::Str(text)
            }
            '-' | '0'..='9' => {
                let start = i;
                while chars.get(i).is_some_and(|&c| {
                    c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')
                }) {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let number = serde_json::from_str::<Number>(&text)
                    .map_err(|_| format!("invalid number '{text}' at position {pos}"))?;
                Tok::Num(number)
            }
            c if is_word_start(c) => {
                let start = i;
                while chars.get(i).copied().is_some_and(is_word_char) {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
            other => {
                return Err(format!("unexpected character {other:?} at position {pos}"));
            }
        };
        tokens.push(Token { tok, pos });
    }
    Ok(tokens)
}

/// Reads the string whose opening quote is at index `start` of `chars`; returns it unescaped
/// and the index just past its closing quote.
fn lex_string(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let unterminated = || format!("unterminated string starting at position {}", start + 1);
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        let &c = chars.get(i).ok_or_else(unterminated)?;
        let pos = i + 1;
        i += 1;
        match c {
            '"' => return Ok((text, i)),
            '\\' => {
                let &escape = chars.get(i).ok_or_else(unterminated)?;
                i += 1;
                let unescaped = match escape {
                    '"' => '"',
                    '\\' => '\\',
                    '/' => '/',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let invalid = || format!("invalid unicode escape at position {pos}");
                        let unit = hex4(chars, i).ok_or_else(invalid)?;
                        i += 4;
                        let code = if (0xD800..0xDC00).contains(&unit) {
                            // A high surrogate must be followed by an escaped low one.
                            let low = match (chars.get(i), chars.get(i + 1)) {
                                (Some('\\'), Some('u')) => hex4(chars, i + 2),
                                _ => None,
                            }
                            .filter(|low| (0xDC00..0xE000).contains(low))
                            .ok_or_else(invalid)?;
                            i += 6;
                            0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            unit
                        };
                        // Rejects a lone low surrogate.
                        char::from_u32(code).ok_or_else(invalid)?
                    }
                    other => {
                        return Err(format!(
                            "invalid escape '\\{}' in string at position {pos}",
                            other.escape_debug()
                        ));
                    }
                };
                text.push(unescaped);
            }
            c => text.push(c),
        }
    }
}

/// The four hexadecimal digits at index `at` of `chars`, as a number.
fn hex4(chars: &[char], at: usize) -> Option<u32> {
    chars
        .get(at..at.checked_add(4)?)?
        .iter()
        .try_fold(0, |acc, c| Some(acc * 16 + c.to_digit(16)?))
}

/// How a token is named in error messages.
fn describe(tok: &Tok) -> String {
    match tok {
        Tok::LParen => "'('".to_owned(),
        Tok::RParen => "')'".to_owned(),
        Tok::Word(word) => format!("'{word}'"),
        Tok::Str(text) if text.chars().count() > 30 => {
            format!("string {:?}...", text.chars().take(30).collect::<String>())
        }
        Tok::Str(text) => format!("string {text:?}"),
        Tok::Num(number) => format!("number {number}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// A recursive-descent parser over the tokens of one filter.
struct Parser {
    /// The filter's tokens.
    tokens: Vec<Token>,
    /// The index of the next token to read.
    next: usize,
    /// How many parentheses and `not`s enclose the current position.
    depth: usize,
}

impl Parser {
    /// The next token, if any, without consuming it.
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    /// Whether the next token is the keyword `keyword` (lowercase; matched case-insensitively).
    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Word(word), .. }) if word.eq_ignore_ascii_case(keyword))
    }

    /// The token before the next one (for error messages after the end of the input).
    fn previous(&self) -> Option<&Token> {
        self.next
            .checked_sub(1)
            .and_then(|index| self.tokens.get(index))
    }

    /// Describes where the filter ended, after the previous token.
    fn at_end(&self) -> String {
        match self.previous() {
            Some(token) => format!(
                "the end of the filter after {} at position {}",
                describe(&token.tok),
                token.pos
            ),
            None => "the end of the filter".to_owned(),
        }
    }

    /// Enters one level of nesting at `pos`, failing past [`MAX_DEPTH`].
    fn enter(&mut self, pos: usize) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "the filter nests too deeply at position {pos} (at most {MAX_DEPTH} levels of parentheses and 'not')"
            ));
        }
        Ok(())
    }

    /// `or = and *("or" and)`.
    fn parse_or(&mut self) -> Result<Node, String> {
        let mut operands = vec![self.parse_and()?];
        while self.peek_keyword("or") {
            self.next += 1;
            operands.push(self.parse_and()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Node::Or(operands)
        })
    }

    /// `and = unary *("and" unary)`.
    fn parse_and(&mut self) -> Result<Node, String> {
        let mut operands = vec![self.parse_unary()?];
        while self.peek_keyword("and") {
            self.next += 1;
            operands.push(self.parse_unary()?);
        }
        Ok(if operands.len() == 1 {
            operands.remove(0)
        } else {
            Node::And(operands)
        })
    }

    /// `unary = "not" unary / "(" or ")" / comparison`.
    fn parse_unary(&mut self) -> Result<Node, String> {
        let Some(token) = self.peek().cloned() else {
            return Err(format!(
                "expected an attribute path, 'not' or '(' but found {}",
                self.at_end()
            ));
        };
        match &token.tok {
            Tok::LParen => {
                self.enter(token.pos)?;
                self.next += 1;
                if let Some(Token {
                    tok: Tok::RParen,
                    pos,
                }) = self.peek()
                {
                    return Err(format!("empty parentheses at position {pos}"));
                }
                let inner = self.parse_or()?;
                match self.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => self.next += 1,
                    Some(other) => {
                        return Err(format!(
                            "unexpected {} at position {}, expected 'and', 'or' or ')'",
                            describe(&other.tok),
                            other.pos
                        ));
                    }
                    None => {
                        return Err(format!(
                            "unbalanced parentheses: '(' at position {} is never closed",
                            token.pos
                        ));
                    }
                }
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Word(word) if word.eq_ignore_ascii_case("not") => {
                self.enter(token.pos)?;
                self.next += 1;
                let inner = self.parse_unary()?;
                self.depth -= 1;
                Ok(Node::Not(Box::new(inner)))
            }
            Tok::Word(word)
                if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") =>
            {
                Err(format!(
                    "expected an attribute path, 'not' or '(' at position {} but found '{word}'",
                    token.pos
                ))
            }
            Tok::Word(word) => {
                self.next += 1;
                self.parse_comparison(word, token.pos)
            }
            Tok::RParen => Err(format!(
                "unbalanced parentheses: unexpected ')' at position {}",
                token.pos
            )),
            other => Err(format!(
                "expected an attribute path, 'not' or '(' at position {} but found {}",
                token.pos,
                describe(other)
            )),
        }
    }

    /// `comparison = attrPath "pr" / attrPath op value`, the path (`word` at `pos`) read.
    fn parse_comparison(&mut self, word: &str, pos: usize) -> Result<Node, String> {
        let path: Path = word.split('.').map(str::to_owned).collect();
        if path.iter().any(String::is_empty) {
            return Err(format!("invalid attribute path '{word}' at position {pos}"));
        }
        let (op, op_word, op_pos) = match self.peek().cloned() {
            Some(Token {
                tok: Tok::Word(op), ..
            }) if op.eq_ignore_ascii_case("pr") => {
                self.next += 1;
                return Ok(Node::Present(path));
            }
            Some(Token {
                tok: Tok::Word(op),
                pos,
            }) => match Op::from_word(&op) {
                Some(found) => (found, op, pos),
                None => {
                    return Err(format!(
                        "unknown operator '{op}' at position {pos} (expected eq, ne, co, sw, ew, gt, ge, lt, le or pr)"
                    ));
                }
            },
            Some(other) => {
                return Err(format!(
                    "expected an operator after '{word}' at position {} but found {}",
                    other.pos,
                    describe(&other.tok)
                ));
            }
            None => {
                return Err(format!("missing operator after '{word}' at position {pos}"));
            }
        };
        self.next += 1;
        let value = match self.peek() {
            None => {
                return Err(format!(
                    "missing value after '{op_word}' at position {op_pos}"
                ));
            }
            Some(token) => match &token.tok {
                Tok::Str(text) => Literal::String(text.clone()),
                Tok::Num(number) => Literal::Number(number.clone()),
                Tok::Word(word) if word.eq_ignore_ascii_case("true") => Literal::Bool(true),
                Tok::Word(word) if word.eq_ignore_ascii_case("false") => Literal::Bool(false),
                Tok::Word(word) if word.eq_ignore_ascii_case("null") => Literal::Null,
                Tok::Word(word) => {
                    return Err(format!(
                        "invalid value '{word}' at position {} (strings must be in double quotes)",
                        token.pos
                    ));
                }
                other => {
                    return Err(format!(
                        "missing value after '{op_word}' at position {op_pos} (found {})",
                        describe(other)
                    ));
                }
            },
        };
        self.next += 1;
        Ok(Node::Compare { path, op, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parses `filter`, panicking with the error if it is invalid.
    fn parse(filter: &str) -> Filter {
        Filter::parse(filter).unwrap_or_else(|e| panic!("{filter:?} should parse: {e}"))
    }

    /// Whether `filter` matches `resource`.
    fn m(filter: &str, resource: &Value) -> bool {
        parse(filter).matches(resource)
    }

    /// The error of an invalid `filter`.
    fn err(filter: &str) -> String {
        match Filter::parse(filter) {
            Ok(parsed) => panic!("{filter:?} should not parse, got {parsed:?}"),
            Err(message) => message,
        }
    }

    /// Asserts that `filter` fails with a message containing every one of `parts`.
    fn assert_err(filter: &str, parts: &[&str]) {
        let message = err(filter);
        assert!(
            message.starts_with(|c: char| c.is_ascii_lowercase()),
            "{message}"
        );
        for part in parts {
            assert!(
                message.contains(part),
                "error for {filter:?} is {message:?}, expected it to contain {part:?}"
            );
        }
    }

    /// The comparison `path op value`.
    fn cmp(path: &str, op: Op, value: Literal) -> Node {
        Node::Compare {
            path: path.split('.').map(str::to_owned).collect(),
            op,
            value,
        }
    }

    /// The string literal `text`.
    fn s(text: &str) -> Literal {
        Literal::String(text.to_owned())
    }

    /// `path pr`.
    fn pr(path: &str) -> Node {
        Node::Present(path.split('.').map(str::to_owned).collect())
    }

    /// A user-like resource.
    fn user() -> Value {
        json!({
            "id": "u1",
            "nsCode": "acme",
            "username": "Alice",
            "count": 7,
            "score": 2.5,
            "enabled": true,
            "locked": false,
            "nickName": null,
            "blank": "",
            "noItems": [],
            "noFields": {},
            "name": { "givenName": "Alice", "familyName": "Smith" },
            "emails": [
                { "address": "alice@example.com", "verified": true },
                { "address": "a.smith@example.org", "verified": false }
            ],
            "memberOf": ["g1", "g2"],
            "meta": { "created": "2017-10-20T07:17:17.606Z", "location": "/user/u1" },
            "customFields": { "color": "blue", "size": 42 },
            "matrix": [[{ "v": 1 }], [{ "v": 2 }, { "v": 3 }]]
        })
    }

    // --- parsing -----------------------------------------------------------------------------

    #[test]
    fn parses_sdk_forms() {
        assert_eq!(
            parse(r#"nsCode eq "acme""#).root,
            cmp("nsCode", Op::Eq, s("acme"))
        );
        assert_eq!(
            parse(r#"(a eq "1" or b eq "2") and not (c pr)"#).root,
            Node::And(vec![
                Node::Or(vec![cmp("a", Op::Eq, s("1")), cmp("b", Op::Eq, s("2"))]),
                Node::Not(Box::new(pr("c"))),
            ])
        );
        assert_eq!(
            parse("count gt 5").root,
            cmp("count", Op::Gt, Literal::Number(5.into()))
        );
        assert_eq!(
            parse(r#"meta.created gt "2017-10-20T07:17:17.606Z""#).root,
            cmp("meta.created", Op::Gt, s("2017-10-20T07:17:17.606Z"))
        );
        assert_eq!(parse("emails pr").root, pr("emails"));
    }

    #[test]
    fn parses_python_sdk_spacing() {
        assert_eq!(
            parse(r#"(a eq "1")  and  (b ne "2")"#).root,
            Node::And(vec![cmp("a", Op::Eq, s("1")), cmp("b", Op::Ne, s("2"))])
        );
        assert_eq!(parse("emails pr ").root, pr("emails"));
        assert_eq!(
            parse("  \t( ( a pr )\n)\r\n  or\tb   pr  ").root,
            Node::Or(vec![pr("a"), pr("b")])
        );
        // No whitespace is needed around parentheses and strings.
        assert_eq!(
            parse(r#"(a eq"x")and(b pr)"#).root,
            Node::And(vec![cmp("a", Op::Eq, s("x")), pr("b")])
        );
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(parse(r#"a Eq "x""#).root, cmp("a", Op::Eq, s("x")));
        assert_eq!(parse(r#"a EQ "x""#).root, cmp("a", Op::Eq, s("x")));
        assert_eq!(
            parse("a PR AND NOT b Pr Or c pR").root,
            Node::Or(vec![
                Node::And(vec![pr("a"), Node::Not(Box::new(pr("b")))]),
                pr("c"),
            ])
        );
        assert_eq!(
            parse("a eq TRUE").root,
            cmp("a", Op::Eq, Literal::Bool(true))
        );
        assert_eq!(parse("a eq Null").root, cmp("a", Op::Eq, Literal::Null));
    }

    #[test]
    fn parses_every_operator() {
        for (word, op) in [
            ("eq", Op::Eq),
            ("ne", Op::Ne),
            ("co", Op::Co),
            ("sw", Op::Sw),
            ("ew", Op::Ew),
            ("gt", Op::Gt),
            ("ge", Op::Ge),
            ("lt", Op::Lt),
            ("le", Op::Le),
        ] {
            assert_eq!(
                parse(&format!(r#"x {word} "v""#)).root,
                cmp("x", op, s("v"))
            );
        }
    }

    #[test]
    fn parses_values() {
        let value = |text: &str| match parse(&format!("a eq {text}")).root {
            Node::Compare { value, .. } => value,
            other => panic!("{other:?}"),
        };
        assert_eq!(value(r#""a\"b""#), s("a\"b"));
        assert_eq!(value(r#""\u00e9""#), s("é"));
        assert_eq!(value(r#""\u00E9t\u00e9""#), s("été"));
        assert_eq!(value(r#""\ud83d\ude00""#), s("😀"));
        assert_eq!(value(r#""\\ \/ \b\f\n\r\t""#), s("\\ / \u{8}\u{c}\n\r\t"));
        assert_eq!(value(r#""""#), s(""));
        assert_eq!(value(r#""a and b or (c)""#), s("a and b or (c)"));
        assert_eq!(value("\"raw\ttab é\""), s("raw\ttab é"));
        assert_eq!(value("0"), Literal::Number(0.into()));
        assert_eq!(value("42"), Literal::Number(42.into()));
        assert_eq!(value("-17"), Literal::Number((-17).into()));
        assert_eq!(
            value("2.5"),
            Literal::Number(Number::from_f64(2.5).unwrap())
        );
        assert_eq!(
            value("-2.5E-1"),
            Literal::Number(Number::from_f64(-0.25).unwrap())
        );
        assert_eq!(
            value("1e3"),
            Literal::Number(Number::from_f64(1000.0).unwrap())
        );
        assert_eq!(value("true"), Literal::Bool(true));
        assert_eq!(value("false"), Literal::Bool(false));
        assert_eq!(value("null"), Literal::Null);
    }

    #[test]
    fn parses_attribute_paths() {
        assert_eq!(parse("name.givenName pr").root, pr("name.givenName"));
        assert_eq!(parse("$ref pr").root, pr("$ref"));
        assert_eq!(parse("_x-y:z.w2 pr").root, pr("_x-y:z.w2"));
        assert_eq!(
            parse("customFields.color pr").root,
            pr("customFields.color")
        );
    }

    #[test]
    fn parses_not_without_parentheses() {
        assert_eq!(
            parse(r#"not a eq "x""#).root,
            Node::Not(Box::new(cmp("a", Op::Eq, s("x"))))
        );
        assert_eq!(
            parse("not not a pr").root,
            Node::Not(Box::new(Node::Not(Box::new(pr("a")))))
        );
        assert_eq!(parse("not(a pr)").root, Node::Not(Box::new(pr("a"))));
    }

    #[test]
    fn precedence() {
        // not > and > or.
        assert_eq!(
            parse("a pr or b pr and c pr").root,
            Node::Or(vec![pr("a"), Node::And(vec![pr("b"), pr("c")])])
        );
        assert_eq!(
            parse("a pr and b pr or c pr").root,
            Node::Or(vec![Node::And(vec![pr("a"), pr("b")]), pr("c")])
        );
        assert_eq!(
            parse("not a pr and b pr").root,
            Node::And(vec![Node::Not(Box::new(pr("a"))), pr("b")])
        );
        assert_eq!(
            parse("(a pr or b pr) and c pr").root,
            Node::And(vec![Node::Or(vec![pr("a"), pr("b")]), pr("c")])
        );
        assert_eq!(
            parse("a pr or b pr or c pr and d pr and e pr").root,
            Node::Or(vec![
                pr("a"),
                pr("b"),
                Node::And(vec![pr("c"), pr("d"), pr("e")])
            ])
        );

        let r = json!({ "a": "x" });
        // true or (false and false) = true; (true or false) and false = false.
        assert!(m("a pr or b pr and c pr", &r));
        assert!(!m("(a pr or b pr) and c pr", &r));
        // (not false) and false = false; not (false and false) = true.
        assert!(!m("not b pr and c pr", &r));
        assert!(m("not (b pr and c pr)", &r));
    }

    // --- semantics ---------------------------------------------------------------------------

    #[test]
    fn eq_and_ne_on_strings() {
        let u = user();
        assert!(m(r#"nsCode eq "acme""#, &u));
        assert!(!m(r#"nsCode eq "ACME""#, &u));
        assert!(!m(r#"nsCode eq "acm""#, &u));
        assert!(m(r#"nsCode ne "ACME""#, &u));
        assert!(!m(r#"nsCode ne "acme""#, &u));
        // A missing attribute is not equal to anything but null.
        assert!(!m(r#"missing eq "x""#, &u));
        assert!(m(r#"missing ne "x""#, &u));
        // Different types are never equal.
        assert!(!m(r#"count eq "7""#, &u));
        assert!(m(r#"count ne "7""#, &u));
        assert!(!m(r#"enabled eq "true""#, &u));
    }

    #[test]
    fn eq_and_ne_on_numbers_and_booleans() {
        let u = user();
        assert!(m("count eq 7", &u));
        assert!(m("count eq 7.0", &u));
        assert!(m("count eq 7e0", &u));
        assert!(m("score eq 2.5", &u));
        assert!(m("score eq 25e-1", &u));
        assert!(!m("count eq 8", &u));
        assert!(m("count ne 8", &u));
        assert!(m("enabled eq true", &u));
        assert!(!m("enabled eq false", &u));
        assert!(m("locked eq false", &u));
        assert!(m("locked ne true", &u));
        assert!(!m("count eq true", &u));
        // Large integers are compared exactly.
        let big = json!({ "n": 9_007_199_254_740_993_u64, "m": u64::MAX, "k": -1 });
        assert!(m("n eq 9007199254740993", &big));
        assert!(!m("n eq 9007199254740992", &big));
        assert!(m("m eq 18446744073709551615", &big));
        assert!(m("m gt -1", &big));
        assert!(m("k lt 18446744073709551615", &big));
    }

    #[test]
    fn eq_null_matches_missing_and_null() {
        let u = user();
        assert!(m("nickName eq null", &u));
        assert!(m("missing eq null", &u));
        assert!(m("name.middleName eq null", &u));
        assert!(!m("nsCode eq null", &u));
        assert!(m("nsCode ne null", &u));
        assert!(!m("nickName ne null", &u));
        assert!(!m("missing ne null", &u));
        // An empty array has no values, like a missing attribute.
        assert!(m("noItems eq null", &u));
        assert!(!m("memberOf eq null", &u));
    }

    #[test]
    fn co_sw_ew() {
        let u = user();
        assert!(m(r#"username co "lic""#, &u));
        assert!(m(r#"username co "Alice""#, &u));
        assert!(m(r#"username co """#, &u));
        assert!(!m(r#"username co "LIC""#, &u));
        assert!(m(r#"username sw "Al""#, &u));
        assert!(!m(r#"username sw "al""#, &u));
        assert!(!m(r#"username sw "ce""#, &u));
        assert!(m(r#"username ew "ice""#, &u));
        assert!(!m(r#"username ew "ICE""#, &u));
        assert!(!m(r#"username ew "Al""#, &u));
        // Non-strings never match.
        assert!(!m(r#"count co "7""#, &u));
        assert!(!m("count co 7", &u));
        assert!(!m("count sw 7", &u));
        assert!(!m("enabled ew true", &u));
        assert!(!m(r#"missing co "x""#, &u));
        assert!(!m(r#"nickName sw "x""#, &u));
        assert!(!m(r#"name co "Alice""#, &u));
        // Arrays: any element.
        assert!(m(r#"emails.address ew "@example.org""#, &u));
        assert!(m(r#"memberOf sw "g""#, &u));
        assert!(!m(r#"memberOf co "3""#, &u));
    }

    #[test]
    fn ordering_on_numbers() {
        let u = user();
        assert!(m("count gt 5", &u));
        assert!(!m("count gt 7", &u));
        assert!(m("count ge 7", &u));
        assert!(m("count ge 6.5", &u));
        assert!(!m("count ge 7.5", &u));
        assert!(m("count lt 7.5", &u));
        assert!(!m("count lt 7", &u));
        assert!(m("count le 7", &u));
        assert!(!m("count le 6", &u));
        assert!(m("score gt -1", &u));
        assert!(m("score lt 3", &u));
        assert!(m("score le 2.5", &u));
        assert!(m("customFields.size ge 42", &u));
        // Mixed types and missing attributes never compare.
        assert!(!m(r#"count gt "5""#, &u));
        assert!(!m(r#"count lt "9""#, &u));
        assert!(!m("username gt 5", &u));
        assert!(!m("enabled gt false", &u));
        assert!(!m("missing gt 0", &u));
        assert!(!m("missing lt 0", &u));
        assert!(!m("nickName le null", &u));
        assert!(!m("count ge null", &u));
    }

    #[test]
    fn ordering_on_strings() {
        let u = user();
        assert!(m(r#"username gt "Aa""#, &u));
        assert!(m(r#"username lt "Alicf""#, &u));
        assert!(m(r#"username ge "Alice""#, &u));
        assert!(m(r#"username le "Alice""#, &u));
        assert!(!m(r#"username gt "Alice""#, &u));
        // Lexicographic by code point: upper case before lower case.
        assert!(m(r#"username lt "alice""#, &u));
        assert!(m(r#"memberOf gt "g1""#, &u));
        assert!(!m(r#"memberOf gt "g2""#, &u));
    }

    #[test]
    fn ordering_on_date_times() {
        let u = user();
        assert!(m(r#"meta.created gt "2017-10-20T07:17:17.605Z""#, &u));
        assert!(!m(r#"meta.created gt "2017-10-20T07:17:17.606Z""#, &u));
        assert!(m(r#"meta.created ge "2017-10-20T07:17:17.606Z""#, &u));
        assert!(m(r#"meta.created lt "2018-01-01T00:00:00Z""#, &u));
        assert!(m(r#"meta.created le "2017-10-20T07:17:17.606Z""#, &u));
        // Compared as instants, not as text: 09:17:17+02:00 is 07:17:17Z, which sorts
        // before .606Z, although "09" > "07" lexicographically.
        assert!(m(r#"meta.created gt "2017-10-20T09:17:17+02:00""#, &u));
        assert!(!m(r#"meta.created lt "2017-10-20T09:17:17+02:00""#, &u));
        // Same instant, different text: ge and le hold, eq compares the text.
        assert!(m(r#"meta.created ge "2017-10-20T09:17:17.606+02:00""#, &u));
        assert!(m(r#"meta.created le "2017-10-20T09:17:17.606+02:00""#, &u));
        assert!(!m(r#"meta.created eq "2017-10-20T09:17:17.606+02:00""#, &u));
        // Lowercase 't'/'z' and offsets in the resource too.
        let r = json!({ "at": "2020-01-01t12:00:00-05:00" });
        assert!(m(r#"at gt "2020-01-01T16:59:59Z""#, &r));
        assert!(m(r#"at lt "2020-01-01T17:00:01z""#, &r));
        // A date-time against a plain string falls back to text.
        assert!(m(r#"meta.created gt "2017""#, &u));
        assert!(m(r#"meta.created lt "2017-10-21""#, &u));
    }

    #[test]
    fn present() {
        let u = user();
        for path in [
            "nsCode",
            "count",
            "locked",
            "name",
            "name.givenName",
            "emails",
            "emails.address",
            "emails.verified",
            "memberOf",
            "meta.created",
            "customFields.color",
            "matrix.v",
        ] {
            assert!(m(&format!("{path} pr"), &u), "{path} should be present");
        }
        for path in [
            "missing",
            "nickName",
            "blank",
            "noItems",
            "noFields",
            "name.middleName",
            "nsCode.x",
            "emails.phone",
            "customFields.shape",
        ] {
            assert!(
                !m(&format!("{path} pr"), &u),
                "{path} should not be present"
            );
        }
        let r = json!({ "nulls": [null, null], "empties": ["", {}, []], "mixed": [null, 0] });
        assert!(!m("nulls pr", &r));
        assert!(!m("empties pr", &r));
        assert!(m("mixed pr", &r));
        assert!(m("not nulls pr", &r));
    }

    #[test]
    fn arrays_and_nested_paths() {
        let u = user();
        assert!(m(r#"name.givenName eq "Alice""#, &u));
        assert!(m(r#"name.familyName eq "Smith""#, &u));
        assert!(!m(r#"name.familyName eq "Alice""#, &u));
        assert!(m(r#"emails.address eq "alice@example.com""#, &u));
        assert!(m(r#"emails.address eq "a.smith@example.org""#, &u));
        assert!(!m(r#"emails.address eq "bob@example.com""#, &u));
        assert!(m("emails.verified eq false", &u));
        assert!(m("emails.verified eq true", &u));
        assert!(m(r#"memberOf eq "g1""#, &u));
        assert!(m(r#"memberOf eq "g2""#, &u));
        assert!(!m(r#"memberOf eq "g3""#, &u));
        assert!(m(r#"memberOf ne "g3""#, &u));
        assert!(!m(r#"memberOf ne "g1""#, &u));
        // Arrays inside arrays.
        assert!(m("matrix.v eq 3", &u));
        assert!(m("matrix.v gt 2", &u));
        assert!(!m("matrix.v gt 3", &u));
        // Paths are case-sensitive; stepping into a scalar finds nothing.
        assert!(!m(r#"name.givenname eq "Alice""#, &u));
        assert!(!m(r#"NsCode eq "acme""#, &u));
        assert!(!m("count.x pr", &u));
        assert!(m("count.x eq null", &u));
        // Arrays at the root and of scalars.
        let r = json!({ "tags": [["a", "b"], "c"], "ids": [1, 2.0, 3] });
        assert!(m(r#"tags eq "b""#, &r));
        assert!(m(r#"tags eq "c""#, &r));
        assert!(m("ids eq 2", &r));
        assert!(m("ids ge 3", &r));
        assert!(!m("ids gt 3", &r));
        assert!(m(r#"x eq "y""#, &json!([{ "x": "z" }, { "x": "y" }])));
    }

    #[test]
    fn logical_operators() {
        let u = user();
        assert!(m(r#"nsCode eq "acme" and count gt 5"#, &u));
        assert!(!m(r#"nsCode eq "acme" and count gt 7"#, &u));
        assert!(m(r#"nsCode eq "other" or count gt 5"#, &u));
        assert!(!m(r#"nsCode eq "other" or count gt 7"#, &u));
        assert!(m(r#"not (nsCode eq "other")"#, &u));
        assert!(!m(r#"not nsCode eq "acme""#, &u));
        assert!(m(
            r#"(memberOf eq "g3" or memberOf eq "g2") and not (nickName pr)"#,
            &u
        ));
        assert!(m(r#"(nsCode eq "acme")  and  (username ne "Bob")"#, &u));
        assert!(m("not not count pr", &u));
    }

    // --- errors ------------------------------------------------------------------------------

    #[test]
    fn empty_filter() {
        assert_err("", &["empty"]);
        assert_err("   \t\n ", &["empty"]);
    }

    #[test]
    fn unknown_or_missing_operator() {
        assert_err(r#"a foo "x""#, &["unknown operator 'foo'", "position 3"]);
        assert_err(r#"a equals "x""#, &["unknown operator 'equals'"]);
        assert_err(r#"a = "x""#, &["unexpected character '='", "position 3"]);
        assert_err("a", &["missing operator after 'a'"]);
        assert_err(
            r#"a "x""#,
            &["expected an operator after 'a'", "found string \"x\""],
        );
        assert_err("a (", &["expected an operator after 'a'"]);
    }

    #[test]
    fn missing_or_invalid_value() {
        assert_err("a eq", &["missing value after 'eq'", "position 3"]);
        assert_err("a eq ", &["missing value after 'eq'"]);
        assert_err("(a eq)", &["missing value after 'eq'"]);
        assert_err("a eq (", &["missing value after 'eq'"]);
        assert_err("a eq x", &["invalid value 'x'", "double quotes"]);
        assert_err("a eq 1x", &["unexpected 'x'"]);
        assert_err("a eq -", &["invalid number '-'"]);
        assert_err("a eq 1e", &["invalid number '1e'"]);
        assert_err("a eq 1.2.3", &["invalid number '1.2.3'"]);
        assert_err("a eq 01", &["invalid number '01'"]);
        assert_err("a eq .5", &["unexpected character '.'"]);
    }

    #[test]
    fn string_errors() {
        assert_err(r#"a eq "abc"#, &["unterminated string", "position 6"]);
        assert_err(r#"a eq "abc\""#, &["unterminated string"]);
        assert_err(r#"a eq "abc\"#, &["unterminated string"]);
        assert_err(r#"a eq "a\qb""#, &["invalid escape '\\q'", "position 8"]);
        assert_err(r#"a eq "\u12""#, &["invalid unicode escape"]);
        assert_err(r#"a eq "\u12g4""#, &["invalid unicode escape"]);
        assert_err(r#"a eq "\ud83d""#, &["invalid unicode escape"]);
        assert_err(r#"a eq "\ud83dx""#, &["invalid unicode escape"]);
        assert_err(r#"a eq "\ud83d\u0041""#, &["invalid unicode escape"]);
        assert_err(r#"a eq "\ude00""#, &["invalid unicode escape"]);
        assert_err(r#"a eq "\u"#, &["invalid unicode escape"]);
    }

    #[test]
    fn unbalanced_parentheses() {
        assert_err(
            "(a pr",
            &["unbalanced parentheses", "position 1", "never closed"],
        );
        assert_err("((a pr)", &["unbalanced parentheses", "position 1"]);
        assert_err(
            "a pr)",
            &["unbalanced parentheses", "unexpected ')'", "position 5"],
        );
        assert_err("(a pr))", &["unbalanced parentheses", "position 7"]);
        assert_err(")", &["unbalanced parentheses"]);
        assert_err("()", &["empty parentheses"]);
        assert_err("not ()", &["empty parentheses"]);
        assert_err(
            "(a pr b pr)",
            &["unexpected 'b'", "expected 'and', 'or' or ')'"],
        );
    }

    #[test]
    fn trailing_garbage_and_misplaced_keywords() {
        assert_err("a pr b", &["unexpected 'b'", "position 6"]);
        assert_err(
            r#"a eq "x" "y""#,
            &["unexpected string \"y\"", "position 10"],
        );
        assert_err("a pr 5", &["unexpected number 5"]);
        assert_err(
            &format!("a pr \"{}\"", "x".repeat(100)),
            &[&format!("unexpected string \"{}\"...", "x".repeat(30))],
        );
        assert_err("a pr (b pr)", &["unexpected '('"]);
        assert_err("a pr and", &["end of the filter", "'and'"]);
        assert_err("a pr or", &["end of the filter"]);
        assert_err("not", &["end of the filter"]);
        assert_err("and a pr", &["found 'and'"]);
        assert_err("a pr and or b pr", &["found 'or'"]);
        assert_err(
            r#""x" eq a"#,
            &["expected an attribute path", "string \"x\""],
        );
        assert_err("5 eq 5", &["expected an attribute path"]);
        assert_err("a..b pr", &["invalid attribute path 'a..b'"]);
        assert_err("a. pr", &["invalid attribute path 'a.'"]);
        assert_err("emails[type eq \"work\"] pr", &["unexpected character '['"]);
        assert_err("é pr", &["unexpected character 'é'", "position 1"]);
        assert_err("a pr and é pr", &["position 10"]);
        assert_err("a\u{0}pr", &["unexpected character '\\0'"]);
    }

    #[test]
    fn nesting_limit() {
        let nested = |levels: usize| format!("{}a pr{}", "(".repeat(levels), ")".repeat(levels));
        assert_eq!(parse(&nested(MAX_DEPTH)).root, pr("a"));
        assert_err(&nested(MAX_DEPTH + 1), &["nests too deeply", "64"]);
        let nots = |levels: usize| format!("{}a pr", "not ".repeat(levels));
        // An even number of negations cancels out.
        assert!(!m(&nots(MAX_DEPTH), &json!({})));
        assert!(m(&nots(MAX_DEPTH - 1), &json!({})));
        assert_err(&nots(MAX_DEPTH + 1), &["nests too deeply"]);
        let mixed = |levels: usize| format!("{}a pr{}", "not (".repeat(levels), ")".repeat(levels));
        assert!(!m(&mixed(MAX_DEPTH / 2), &json!({})));
        assert_err(&mixed(MAX_DEPTH / 2 + 1), &["nests too deeply"]);
        // Far past the limit: an error, not a stack overflow.
        assert_err(&"(".repeat(200_000), &["nests too deeply"]);
        assert_err(&"not ".repeat(200_000), &["nests too deeply"]);
        assert_err(&nested(200_000), &["nests too deeply"]);
        // Sequential groups don't add up.
        let groups = vec![nested(MAX_DEPTH); 3].join(" and ");
        assert!(m(&groups, &json!({ "a": 1 })));
    }

    #[test]
    fn long_chains_cost_no_depth() {
        let chain = vec!["a pr"; 100_000].join(" and ");
        let filter = parse(&chain);
        assert!(filter.matches(&json!({ "a": 1 })));
        assert!(!filter.matches(&json!({})));
        let chain = vec![r#"a eq "x" and b pr"#; 50_000].join(" or ");
        let filter = parse(&chain);
        assert!(filter.matches(&json!({ "a": "x", "b": 1 })));
        assert!(!filter.matches(&json!({ "a": "x" })));
    }

    #[test]
    fn deep_resources_do_not_overflow() {
        let mut deep = json!("x");
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        // Not `json!`: it would serialize `deep` recursively.
        let resource = Value::Object(std::iter::once(("a".to_owned(), deep)).collect());
        assert!(m(r#"a eq "x""#, &resource));
        // serde_json's recursive Drop would overflow on this value; unwrap it iteratively.
        let mut value = resource;
        loop {
            value = match value {
                Value::Object(mut fields) => match fields.remove("a") {
                    Some(inner) => inner,
                    None => break,
                },
                Value::Array(mut elements) => match elements.pop() {
                    Some(inner) => inner,
                    None => break,
                },
                _ => break,
            };
        }
    }

    #[test]
    fn random_input_never_panics() {
        // A simple LCG (Knuth's MMIX constants), so the run is reproducible.
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        const PIECES: &[&str] = &[
            "(", ")", "\"", "\\", "\\u", "d83d", "00e9", " ", "  ", "a", "b.c", "emails", "$x",
            " eq ", " ne ", " co ", " sw ", " ew ", " gt ", " ge ", " lt ", " le ", " pr", " and ",
            " or ", "not ", "1", "-", ".", "e", "+", "0", "true", "null", "false", "\"x\"", "é",
            "\u{0}", "\t", "[", "]", ":", "_",
        ];
        let resource = user();
        let mut parsed = 0;
        for iteration in 0..20_000 {
            let len = next() % 40;
            let text = if iteration % 2 == 0 {
                // Raw bytes, made text lossily.
                let bytes: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                // Pieces of the language, to get past the lexer.
                (0..len).map(|_| PIECES[next() % PIECES.len()]).collect()
            };
            match Filter::parse(&text) {
                Ok(filter) => {
                    parsed += 1;
                    filter.matches(&resource);
                }
                Err(message) => assert!(!message.is_empty()),
            }
        }
        assert!(parsed > 0, "the fuzzer should produce some valid filters");
    }
}
