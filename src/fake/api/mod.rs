//! The fake's Management API: requests are matched against the spec's operation table (the
//! same `OPERATIONS` the client uses), so the fake answers exactly the paths the spec has: an
//! unknown path is a 404 and a known path with another method a 405.

#[cfg(feature = "extension")]
mod extension;
mod groups;
mod namespaces;
mod services;
mod user_extras;
mod users;

use std::collections::HashMap;

use serde_json::{Value, json};

use super::filter::Filter;
use super::http::{Handled, Reply, bad_request};
use super::state::State;
use crate::generated::operations::{OPERATIONS, Operation};

/// The largest page the fake serves (as the real service documents).
const MAX_COUNT: usize = 500;
/// The page size when `count` is not given.
const DEFAULT_COUNT: usize = 100;

/// One request to a Management API operation.
pub(crate) struct Ctx<'a> {
    /// The operation id.
    pub(crate) op: &'static str,
    params: HashMap<&'static str, String>,
    query: Vec<(String, String)>,
    /// The raw request body.
    pub(crate) body: &'a [u8],
    /// The server's base URL (for `meta.location`).
    pub(crate) base: &'a str,
}

impl Ctx<'_> {
    /// A path parameter, percent-decoded.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A non-negative integer query parameter; anything else is a 400.
    pub(crate) fn query_usize(&self, name: &str) -> Result<Option<usize>, Reply> {
        self.query(name)
            .map(|v| {
                v.parse::<usize>()
                    .map_err(|_| bad_request(format!("Invalid value for {name}: {v}")))
            })
            .transpose()
    }

    /// A boolean query parameter (`true`/`false`, any case, as Java parses them).
    pub(crate) fn query_bool(&self, name: &str) -> Result<Option<bool>, Reply> {
        self.query(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(bad_request(format!("Invalid value for {name}: {v}"))),
            })
            .transpose()
    }

    /// `meta` for a new or changed object.
    pub(crate) fn meta(&self, kind: &str, id: &str, created: Option<&Value>) -> Value {
        let now = super::state::now();
        json!({
            "created": created.cloned().unwrap_or_else(|| Value::String(now.clone())),
            "lastModified": now,
            "location": format!("{}/api/rest/v1/{kind}/{id}", self.base),
        })
    }
}

/// The operation and path parameters of a request, or the reply for an unknown path or method.
fn route(
    method: &str,
    path: &str,
) -> Result<(&'static Operation, HashMap<&'static str, String>), Reply> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut path_known = false;
    for op in OPERATIONS {
        let template: Vec<&'static str> = op.path.trim_start_matches('/').split('/').collect();
        if template.len() != segments.len() {
            continue;
        }
        let mut params = HashMap::new();
        let matched = template.iter().zip(&segments).all(|(t, s)| {
            match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                Some(name) => {
                    let decoded = percent_decode(s);
                    let ok = !decoded.is_empty();
                    params.insert(name, decoded);
                    ok
                }
                None => t == s,
            }
        });
        if !matched {
            continue;
        }
        // A literal segment beats a parameter (`/mydata/user` vs `/mydata/{dataId}`).
        if op.method == method {
            let literal_conflict = OPERATIONS.iter().any(|other| {
                other.method == method
                    && other.id != op.id
                    && other.path.matches('{').count() < op.path.matches('{').count()
                    && other.path.trim_start_matches('/').split('/').count() == segments.len()
                    && other
                        .path
                        .trim_start_matches('/')
                        .split('/')
                        .zip(&segments)
                        .all(|(t, s)| t.starts_with('{') || t == *s)
            });
            if !literal_conflict {
                return Ok((op, params));
            }
        }
        path_known = true;
    }
    if path_known {
        Err(Reply::error(
            405,
            format!("Method {method} is not allowed for {path}"),
        ))
    } else {
        Err(Reply::error(404, format!("No such resource: {path}")))
    }
}

fn percent_decode(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", segment.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Handles one Management API request (already authenticated).
pub(crate) fn handle(
    state: &mut State,
    method: &str,
    path: &str,
    query: Vec<(String, String)>,
    body: &[u8],
    base: &str,
) -> Reply {
    let (op, params) = match route(method, path) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    let ctx = Ctx {
        op: op.id,
        params,
        query,
        body,
        base,
    };
    let handled = users::handle(state, &ctx)
        .or_else(|| groups::handle(state, &ctx))
        .or_else(|| namespaces::handle(state, &ctx))
        .or_else(|| user_extras::handle(state, &ctx))
        .or_else(|| services::handle(state, &ctx));
    #[cfg(feature = "extension")]
    let handled = handled.or_else(|| extension::handle(state, &ctx));
    let reply = match handled {
        Some(Ok(reply)) | Some(Err(reply)) => reply,
        None => Reply::error(501, format!("{} is not implemented by the fake", op.id)),
    };
    match super::conformance::check(op, &reply) {
        Ok(()) => reply,
        Err(mismatch) => Reply::error(500, format!("the fake's reply breaks the spec: {mismatch}")),
    }
}

/// One page of `items` after `filter_param`'s filter, `startIndex` and `count`.
pub(crate) fn list<'v>(
    ctx: &Ctx<'_>,
    items: impl Iterator<Item = &'v Value>,
    filter_param: &str,
) -> Handled {
    let filter = ctx
        .query(filter_param)
        .filter(|f| !f.trim().is_empty())
        .map(Filter::parse)
        .transpose()
        .map_err(|e| bad_request(format!("Invalid filter: {e}")))?;
    let start = ctx.query_usize("startIndex")?.unwrap_or(0);
    let count = ctx
        .query_usize("count")?
        .unwrap_or(DEFAULT_COUNT)
        .min(MAX_COUNT);
    let matching: Vec<&Value> = items
        .filter(|item| filter.as_ref().is_none_or(|f| f.matches(item)))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(count)
        .map(|v| (*v).clone())
        .collect();
    Ok(Reply::ok(json!({
        "totalResults": matching.len(),
        "startIndex": start,
        "itemsPerPage": page.len(),
        "resources": page,
    })))
}

/// Parses a body as the spec's type `T` and gives it back as a JSON object without unknown
/// fields (the real service ignores them).
pub(crate) fn typed_body<T: serde::de::DeserializeOwned + serde::Serialize>(
    ctx: &Ctx<'_>,
) -> Result<serde_json::Map<String, Value>, Reply> {
    let typed: T = super::http::parse_body(ctx.body)?;
    match super::http::to_value(&typed) {
        Value::Object(map) => Ok(map),
        _ => Err(bad_request("The request body must be a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_the_spec() {
        let (op, params) = route("GET", "/api/rest/v1/user/abc").unwrap();
        assert_eq!(op.id, "user_get");
        assert_eq!(params["userId"], "abc");
        let (op, _) = route("GET", "/api/rest/v1/user/abc/mydata/user").unwrap();
        assert_eq!(op.id, "mydata_user_get");
        let (op, params) = route("GET", "/api/rest/v1/user/abc/mydata/d1").unwrap();
        assert_eq!(op.id, "mydata_data_get");
        assert_eq!(params["dataId"], "d1");
        let (_, params) = route("GET", "/api/rest/v1/datastorage/d/data/a%2Fb%20c").unwrap();
        assert_eq!(params["key"], "a/b c");
        assert_eq!(
            route("PATCH", "/api/rest/v1/user/abc").unwrap_err().status,
            405
        );
        assert_eq!(
            route("GET", "/api/rest/v1/nothing").unwrap_err().status,
            404
        );
        assert_eq!(
            route("GET", "/api/rest/v1/user//legal").unwrap_err().status,
            404
        );
    }
}
