//! Structured inputs made from the fuzzer's bytes with `arbitrary::Unstructured`.

use arbitrary::{Result, Unstructured};
use chrono::{DateTime, Utc};

use crate::checks::filter::{Model, Value};
use crate::checks::properties::{INDENTS, LINE_ENDINGS, Layout, SEPARATORS};

/// Characters that matter to the formats under test, picked often; any character otherwise.
const SPECIAL: &[char] = &[
    '\\', '=', ':', '#', '!', ' ', '\t', '\n', '\r', '\x0c', '\u{b}', '\0', '"', '\'', '(', ')',
    'u', '0', 'D', '8', 'a', 'o', 'r', 'n', 'd', '\u{a0}', '\u{85}', '\u{2028}', '\u{3000}',
    '\u{feff}', 'ä', '😀',
];

/// A string of up to `max` characters, biased towards [`SPECIAL`].
pub fn string(u: &mut Unstructured<'_>, max: usize) -> Result<String> {
    let len = u.int_in_range(0..=max)?;
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        if u.is_empty() {
            break;
        }
        let c = if u.ratio(3, 4)? {
            *u.choose(SPECIAL)?
        } else {
            u.arbitrary::<char>()?
        };
        s.push(c);
    }
    Ok(s)
}

/// Up to 8 entries, keys often repeated.
pub fn entries(u: &mut Unstructured<'_>) -> Result<Vec<(String, String)>> {
    let n = u.int_in_range(0..=8)?;
    let mut out: Vec<(String, String)> = Vec::with_capacity(n);
    for _ in 0..n {
        let key = if !out.is_empty() && u.ratio(1, 4)? {
            u.choose(&out)?.0.clone()
        } else {
            string(u, 16)?
        };
        out.push((key, string(u, 24)?));
    }
    Ok(out)
}

/// A layout for `n` entries.
pub fn layout(u: &mut Unstructured<'_>, n: usize) -> Result<Layout> {
    let mut comments = Vec::with_capacity(n);
    let mut breaks = Vec::with_capacity(n);
    for _ in 0..n {
        comments.push(if u.ratio(1, 4)? {
            Some(string(u, 12)?)
        } else {
            None
        });
        breaks.push(if u.ratio(1, 3)? {
            Some(u.arbitrary::<usize>()?)
        } else {
            None
        });
    }
    Ok(Layout {
        separator: u.choose_index(SEPARATORS.len())?,
        line_ending: u.choose_index(LINE_ENDINGS.len())?,
        indent: u.choose_index(INDENTS.len())?,
        comments,
        breaks,
        bom: u.arbitrary()?,
    })
}

/// An attribute name: mostly well-formed, sometimes anything.
pub fn attribute(u: &mut Unstructured<'_>) -> Result<String> {
    const FIRST: &[u8] = b"abcxyzABCZ_$";
    const REST: &[u8] = b"abcxyzABCZ09_$.:-";
    match u.int_in_range(0..=9)? {
        0 => string(u, 8),
        1 => Ok((*u.choose(&[
            "and", "OR", "Not", "pr", "eq", "true", "a..b", "a.", ".a", "1a",
        ])?)
        .to_owned()),
        _ => {
            let mut s = String::new();
            s.push(char::from(*u.choose(FIRST)?));
            for _ in 0..u.int_in_range(0..=10)? {
                s.push(char::from(*u.choose(REST)?));
            }
            Ok(s)
        }
    }
}

/// Any comparison value, non-finite floats included.
pub fn value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=6)? {
        0 | 1 => Value::Str(string(u, 32)?),
        2 => Value::Bool(u.arbitrary()?),
        3 => Value::Int(u.arbitrary()?),
        4 => Value::UInt(u.arbitrary()?),
        5 => Value::Float(f64::from_bits(u.arbitrary()?)),
        _ => {
            let millis = u.int_in_range(-62_000_000_000_000i64..=250_000_000_000_000)?;
            let nanos = u.int_in_range(0i64..=999_999)?;
            let dt = DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default();
            Value::DateTime(dt + chrono::Duration::nanoseconds(nanos))
        }
    })
}

/// A filter tree at most `depth` levels deep.
pub fn model(u: &mut Unstructured<'_>, depth: usize) -> Result<Model> {
    let choice = if depth == 0 || u.is_empty() {
        u.int_in_range(0..=1)?
    } else {
        u.int_in_range(0..=4)?
    };
    Ok(match choice {
        0 => Model::Cmp(attribute(u)?, u.int_in_range(0..=8)?, value(u)?),
        1 => Model::Pr(attribute(u)?),
        2 | 3 => {
            let n = u.int_in_range(0..=4)?;
            let mut children = Vec::with_capacity(n);
            for _ in 0..n {
                children.push(model(u, depth - 1)?);
            }
            if choice == 2 {
                Model::And(children, u.arbitrary()?)
            } else {
                Model::Or(children, u.arbitrary()?)
            }
        }
        _ => Model::Not(Box::new(model(u, depth - 1)?)),
    })
}
