//! Our naming conventions: operationIds `<resource>_<action>` in snake_case, tags in snake_case,
//! schema names in PascalCase.

/// The prefix every path of the Management API keeps.
pub const API_PREFIX: &str = "/api/rest/v1";

/// Whether `id` has the form `<resource>_<action>`: snake_case, starting with a letter, at least two
/// words.
pub fn is_operation_id(id: &str) -> bool {
    let mut words = id.split('_');
    let first_ok = words
        .next()
        .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_lowercase()) && is_word(w));
    let mut rest = 0;
    for w in words {
        if !is_word(w) {
            return false;
        }
        rest += 1;
    }
    first_ok && rest > 0
}

fn is_word(w: &str) -> bool {
    !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// `getUserById` → `get_user_by_id`, `SMS Service` → `sms_service`, `user-controller` →
/// `user_controller`.
pub fn snake_case(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && i > 0 {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower)
                {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push('_');
        }
    }
    collapse(&out)
}

fn collapse(text: &str) -> String {
    text.split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// `Page«User»` → `PageUser`, `user_info` → `UserInfo`: a schema name progenitor and Rust accept.
pub fn pascal_case(text: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

/// An operationId from a server's own: Springfox's `UsingGET_1` suffix dropped, camelCase to
/// snake_case. `None` when the result is not of our form.
pub fn id_from_server(server_id: &str) -> Option<String> {
    let mut base = server_id;
    if let Some(pos) = base.rfind("Using") {
        let suffix = &base[pos + "Using".len()..];
        let verb = suffix.split('_').next().unwrap_or("");
        let numbered = suffix[verb.len()..]
            .strip_prefix('_')
            .is_none_or(|n| n.chars().all(|c| c.is_ascii_digit()));
        if !verb.is_empty() && verb.chars().all(|c| c.is_ascii_uppercase()) && numbered {
            base = &base[..pos];
        }
    }
    let id = snake_case(base);
    is_operation_id(&id).then_some(id)
}

/// An operationId from the method and path: the static path segments after `/api/rest/v1`, then
/// the action (`list` or `get` for GET, `create` for POST, `update` for PUT, `delete`, `patch`).
pub fn id_from_path(method: &str, path: &str) -> String {
    let rest = path.strip_prefix(API_PREFIX).unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let statics: Vec<String> = segments
        .iter()
        .filter(|s| !s.starts_with('{'))
        .map(|s| snake_case(s))
        .filter(|s| !s.is_empty())
        .collect();
    let ends_with_param = segments.last().is_some_and(|s| s.starts_with('{'));
    let method = method.to_ascii_lowercase();
    let action = match method.as_str() {
        "get" if ends_with_param || statics.len() > 1 => "get",
        "get" => "list",
        "post" => "create",
        "put" => "update",
        other => other,
    };
    let resource = if statics.is_empty() {
        "root".to_string()
    } else {
        statics.join("_")
    };
    let id = collapse(&format!("{resource}_{action}"));
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("op_{id}")
    } else {
        id
    }
}

/// A tag from a server's tag: snake_case, without a `_controller`, `_resource` or `_endpoint`
/// suffix.
pub fn tag_from_server(tag: &str) -> String {
    let mut t = snake_case(tag);
    for suffix in ["_controller", "_resource", "_endpoint"] {
        if let Some(stripped) = t.strip_suffix(suffix) {
            t = stripped.to_string();
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_id_form() {
        assert!(is_operation_id("user_get"));
        assert!(is_operation_id("user_strongidentification_history_list"));
        assert!(is_operation_id("sms_region_list"));
        assert!(!is_operation_id("userGet"));
        assert!(!is_operation_id("get"));
        assert!(!is_operation_id("user__get"));
        assert!(!is_operation_id("_user_get"));
        assert!(!is_operation_id("1user_get"));
    }

    #[test]
    fn snake_cases() {
        assert_eq!(snake_case("getUserById"), "get_user_by_id");
        assert_eq!(snake_case("getSMSRegions"), "get_sms_regions");
        assert_eq!(snake_case("user-controller"), "user_controller");
        assert_eq!(snake_case("Email Templates"), "email_templates");
        assert_eq!(snake_case("sendLink"), "send_link");
    }

    #[test]
    fn server_ids() {
        assert_eq!(
            id_from_server("getUserUsingGET_1").as_deref(),
            Some("get_user")
        );
        assert_eq!(
            id_from_server("listContracts").as_deref(),
            Some("list_contracts")
        );
        assert_eq!(id_from_server("list"), None);
    }

    #[test]
    fn path_ids() {
        assert_eq!(id_from_path("GET", "/api/rest/v1/user"), "user_list");
        assert_eq!(
            id_from_path("GET", "/api/rest/v1/user/{userId}"),
            "user_get"
        );
        assert_eq!(
            id_from_path("get", "/api/rest/v1/user/{userId}/legal"),
            "user_legal_get"
        );
        assert_eq!(
            id_from_path("post", "/api/rest/v1/contract"),
            "contract_create"
        );
        assert_eq!(
            id_from_path("put", "/api/rest/v1/user/{id}/sms/verify/sendLink"),
            "user_sms_verify_send_link_update"
        );
    }

    #[test]
    fn names() {
        assert_eq!(pascal_case("Page«User»"), "PageUser");
        assert_eq!(pascal_case("Map«string,object»"), "MapStringObject");
        assert_eq!(tag_from_server("user-controller"), "user");
        assert_eq!(tag_from_server("Email Templates"), "email_templates");
    }
}
