#![cfg(feature = "extension")]
//! Contract tests for the access-related operations of the `extension` feature: every operation
//! tagged `authorisations` (authorisations, their types, sources and grant rights),
//! `access_rights` (permissions, built-in and custom roles), `access_control`, `contacts` (with
//! enterprise info), `targets` and `location_sites`.
//!
//! Each operation test checks the method and exact path (with the Basic header), the exact query
//! string, the exact JSON request body, the decoded response (from realistic JSON with a field
//! the SDK does not know) and its status, and the mapping of an error response to an `ApiError`.
//! Every list operation of these tags is also streamed across two pages.
mod common;

use common::*;
use serde_json::{Value, json};
use trivoreid::Filter;
use trivoreid::generated::operations::OPERATIONS;
use trivoreid::prelude::*;
use trivoreid::types;
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A JSON success response.
fn json_ok(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A page envelope as the server sends it (with a field the SDK does not know).
fn page_json(total: i64, start: i64, resources: Vec<Value>) -> Value {
    json!({
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "resources": resources,
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_meta(meta: Option<&types::Meta>, location: &str) {
    let meta = meta.expect("meta");
    assert_eq!(
        meta.created.unwrap().to_rfc3339(),
        "2017-03-20T11:04:21.534+00:00"
    );
    assert_eq!(
        meta.last_modified.unwrap().to_rfc3339(),
        "2018-09-21T06:29:05.708+00:00"
    );
    assert_eq!(
        meta.location.as_deref(),
        Some(format!("https://id.example.com/api/rest/v1/{location}").as_str())
    );
}

fn instant(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().expect("RFC 3339 instant")
}

/// Streams every item of `request` with a page size of 2 from two pages served at `api_path`
/// (items `p1`, `p2`, then `p3`), checking that each page request carries exactly `query` plus
/// its `startIndex`/`count`. Returns the items.
async fn stream_two_pages<R: Paginate>(
    h: &Harness,
    api_path: &str,
    request: R,
    query: &[(&str, &str)],
    item: fn(&str) -> Value,
) -> Vec<R::Item> {
    for (start, ids) in [(0, vec!["p1", "p2"]), (2, vec!["p3"])] {
        let mut page = mock("GET", api_path);
        for (key, value) in query {
            page = page.and(query_param(*key, *value));
        }
        page.and(query_param("startIndex", start.to_string()))
            .and(query_param("count", "2"))
            .respond_with(json_ok(
                200,
                page_json(3, start, ids.into_iter().map(item).collect()),
            ))
            .expect(1)
            .mount(&h.server)
            .await;
    }
    let items: Vec<R::Item> = request
        .paginate()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let sent = requests(&h.server).await;
    assert_eq!(sent.len(), 2, "expected two page requests, got {sent:#?}");
    for (request, start) in sent.iter().zip(["0", "2"]) {
        let mut expected = query.to_vec();
        expected.extend([("startIndex", start), ("count", "2")]);
        assert_query(request, &expected);
        assert_no_body(request);
    }
    h.server.verify().await;
    items
}

// ---------------------------------------------------------------------------------------------
// Fixtures: the models as the server sends them (nulls included, plus fields the SDK does not
// know), and checks of their decoded form.
// ---------------------------------------------------------------------------------------------

fn permission_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "View user accounts",
        "dependencies": ["ACCOUNT_LIST"],
        "groupId": "ACCOUNTS",
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn builtin_role_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Namespace administrator",
        "permissions": ["ACCOUNT_VIEW", "ACCOUNT_MODIFY", "GROUP_VIEW"],
        "unknownFieldTheServerAdded": true
    })
}

fn custom_role_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Helpdesk",
        "permissions": ["ACCOUNT_VIEW", "ACCOUNT_LOCK"],
        "nsCode": "acme",
        "memberOf": ["g-support"],
        "meta": meta_json(&format!("role/custom/{id}")),
        "unknownFieldTheServerAdded": [1, 2]
    })
}

fn assert_custom_role(role: &types::CustomRole, id: &str) {
    assert_eq!(role.id.as_deref(), Some(id));
    assert_eq!(role.name.as_deref(), Some("Helpdesk"));
    assert_eq!(
        role.permissions,
        Some(vec!["ACCOUNT_VIEW".to_owned(), "ACCOUNT_LOCK".to_owned()])
    );
    assert_eq!(role.ns_code.as_deref(), Some("acme"));
    assert_eq!(role.member_of, Some(vec!["g-support".to_owned()]));
    assert_meta(role.meta.as_ref(), &format!("role/custom/{id}"));
}

fn access_control_json(id: &str) -> Value {
    json!({
        "id": id,
        "title": "HR documents",
        "description": "Who may read and edit HR documents",
        "usage": ["DATA_STORAGE"],
        "userIdRead": ["u-auditor"],
        "userIdWrite": ["u-hr-lead"],
        "groupIdRead": ["g-staff"],
        "groupIdWrite": ["g-hr"],
        "apiClientIdRead": ["reporting-client"],
        "apiClientIdWrite": [],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_access_control(ac: &types::AccessControl, id: &str) {
    assert_eq!(ac.id.as_deref(), Some(id));
    assert_eq!(ac.title.as_deref(), Some("HR documents"));
    assert_eq!(
        ac.description.as_deref(),
        Some("Who may read and edit HR documents")
    );
    assert_eq!(ac.usage, Some(vec!["DATA_STORAGE".to_owned()]));
    assert_eq!(ac.user_id_read, Some(vec!["u-auditor".to_owned()]));
    assert_eq!(ac.user_id_write, Some(vec!["u-hr-lead".to_owned()]));
    assert_eq!(ac.group_id_read, Some(vec!["g-staff".to_owned()]));
    assert_eq!(ac.group_id_write, Some(vec!["g-hr".to_owned()]));
    assert_eq!(
        ac.api_client_id_read,
        Some(vec!["reporting-client".to_owned()])
    );
    assert_eq!(ac.api_client_id_write, Some(vec![]));
}

fn authorisation_json(id: &str) -> Value {
    json!({
        "id": id,
        "author": "hr-system",
        "nsCode": "acme",
        "authType": "GUARDIAN",
        "authSource": "DVV",
        "validFrom": "2024-01-01T00:00:00.000Z",
        "validTo": "2025-12-31T23:59:59.999Z",
        "creator": {"type": "API_CLIENT", "id": "test-client"},
        "createdAt": "2023-12-15T08:30:00.000Z",
        "revoked": false,
        "revokedAt": null,
        "meta": meta_json(&format!("authorisation/{id}")),
        "object": {"type": "User", "value": "u-child"},
        "subject": {"type": "User", "value": "u-parent"},
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_authorisation(auth: &types::Authorisation, id: &str) {
    assert_eq!(auth.id.as_deref(), Some(id));
    assert_eq!(auth.author.as_deref(), Some("hr-system"));
    assert_eq!(auth.ns_code.as_deref(), Some("acme"));
    assert_eq!(auth.auth_type.as_deref(), Some("GUARDIAN"));
    assert_eq!(auth.auth_source.as_deref(), Some("DVV"));
    assert_eq!(
        auth.valid_from.unwrap().to_rfc3339(),
        "2024-01-01T00:00:00+00:00"
    );
    assert_eq!(
        auth.valid_to.unwrap().to_rfc3339(),
        "2025-12-31T23:59:59.999+00:00"
    );
    assert_eq!(
        auth.creator,
        Some(json!({"type": "API_CLIENT", "id": "test-client"}))
    );
    assert_eq!(
        auth.created_at.unwrap().to_rfc3339(),
        "2023-12-15T08:30:00+00:00"
    );
    assert_eq!(auth.revoked, Some(false));
    assert_eq!(auth.revoked_at, None);
    assert_meta(auth.meta.as_ref(), &format!("authorisation/{id}"));
    let object = auth.object.as_ref().expect("object");
    assert_eq!(object.type_.as_deref(), Some("User"));
    assert_eq!(object.value.as_deref(), Some("u-child"));
    let subject = auth.subject.as_ref().expect("subject");
    assert_eq!(subject.type_.as_deref(), Some("User"));
    assert_eq!(subject.value.as_deref(), Some("u-parent"));
}

/// An authorisation type or source (both are the `AuthorisationType` model).
fn authorisation_type_json(id: &str, code: &str) -> Value {
    json!({
        "id": id,
        "nsCode": "acme",
        "code": code,
        "description": "Legal guardian of a minor",
        "names": [{"locale": "en", "value": "Guardian"}, {"locale": "fi", "value": "Huoltaja"}],
        "metadata": meta_json(&format!("authorisation_type/{id}")),
        "unknownFieldTheServerAdded": "x"
    })
}

fn guardian_type_json(id: &str) -> Value {
    authorisation_type_json(id, "GUARDIAN")
}

fn dvv_source_json(id: &str) -> Value {
    authorisation_type_json(id, "DVV")
}

fn assert_authorisation_type(t: &types::AuthorisationType, id: &str, code: &str) {
    assert_eq!(t.id.as_deref(), Some(id));
    assert_eq!(t.ns_code.as_deref(), Some("acme"));
    assert_eq!(t.code.as_deref(), Some(code));
    assert_eq!(t.description.as_deref(), Some("Legal guardian of a minor"));
    let names: Vec<_> = t
        .names
        .as_ref()
        .expect("names")
        .iter()
        .map(|n| (n.locale.as_deref(), n.value.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (Some("en"), Some("Guardian")),
            (Some("fi"), Some("Huoltaja"))
        ]
    );
    assert_meta(t.metadata.as_ref(), &format!("authorisation_type/{id}"));
}

fn grant_right_json(id: &str) -> Value {
    json!({
        "id": id,
        "authorisationTypes": ["GUARDIAN", "TRUSTEE"],
        "validFrom": "2024-02-01T12:00:00.000Z",
        "validTo": "2025-02-01T12:00:00.000Z",
        "object": {"type": "User", "value": "u-child"},
        "principal": {"type": "Group", "value": "g-caseworkers"},
        "authorisationGrant": {
            "createdAt": "2024-02-01T12:00:00.250Z",
            "createdByOauthClientId": "oauth-portal",
            "revokedByOauthClientId": null,
            "revoked": false,
            "revokedAt": null,
            "aGrantFieldAddedLater": 1
        },
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_grant_right(right: &types::AuthorisationGrantRight, id: &str) {
    assert_eq!(right.id.as_deref(), Some(id));
    assert_eq!(
        right.authorisation_types,
        Some(vec!["GUARDIAN".to_owned(), "TRUSTEE".to_owned()])
    );
    assert_eq!(
        right.valid_from.unwrap().to_rfc3339(),
        "2024-02-01T12:00:00+00:00"
    );
    assert_eq!(
        right.valid_to.unwrap().to_rfc3339(),
        "2025-02-01T12:00:00+00:00"
    );
    let object = right.object.as_ref().expect("object");
    assert_eq!(object.type_.as_deref(), Some("User"));
    assert_eq!(object.value.as_deref(), Some("u-child"));
    let principal = right.principal.as_ref().expect("principal");
    assert_eq!(principal.type_.as_deref(), Some("Group"));
    assert_eq!(principal.value.as_deref(), Some("g-caseworkers"));
    let grant = right.authorisation_grant.as_ref().expect("grant");
    assert_eq!(
        grant.created_at.unwrap().to_rfc3339(),
        "2024-02-01T12:00:00.250+00:00"
    );
    assert_eq!(
        grant.created_by_oauth_client_id.as_deref(),
        Some("oauth-portal")
    );
    assert_eq!(grant.revoked_by_oauth_client_id, None);
    assert_eq!(grant.revoked, Some(false));
    assert_eq!(grant.revoked_at, None);
}

fn contact_json(id: &str) -> Value {
    json!({
        "id": id,
        "firstName": "Grace",
        "middleName": "Brewster",
        "lastName": "Hopper",
        "nickName": "amazing",
        "organisation": "Acme Oy",
        "uniqueName": "grace.hopper",
        "nsCode": "acme",
        "email": "grace@example.com",
        "mobile": "+358401112223",
        "locationSite": "ls1",
        "dataStoreCountry": "FI",
        "timeZone": "Europe/Helsinki",
        "notes": "Prefers email",
        "recoveryEmail": "grace.recovery@example.com",
        "recoveryMobile": null,
        "locale": "en",
        "type": "PERSON",
        "memberOf": ["g-suppliers"],
        "addresses": [{
            "addressName": "Office",
            "name": "Grace Hopper",
            "streetAddress": "Mannerheimintie 1",
            "postalCode": "00100",
            "locality": "Helsinki",
            "region": "Uusimaa",
            "country": "FI",
            "type": "WORK",
            "verified": true,
            "anAddressFieldAddedLater": 1
        }],
        "meta": meta_json(&format!("contact/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_contact(contact: &types::Contact, id: &str) {
    assert_eq!(contact.id.as_deref(), Some(id));
    assert_eq!(contact.first_name.as_deref(), Some("Grace"));
    assert_eq!(contact.middle_name.as_deref(), Some("Brewster"));
    assert_eq!(contact.last_name.as_deref(), Some("Hopper"));
    assert_eq!(contact.nick_name.as_deref(), Some("amazing"));
    assert_eq!(contact.organisation.as_deref(), Some("Acme Oy"));
    assert_eq!(contact.unique_name.as_deref(), Some("grace.hopper"));
    assert_eq!(contact.ns_code.as_deref(), Some("acme"));
    assert_eq!(contact.email.as_deref(), Some("grace@example.com"));
    assert_eq!(contact.mobile.as_deref(), Some("+358401112223"));
    assert_eq!(contact.location_site.as_deref(), Some("ls1"));
    assert_eq!(contact.data_store_country.as_deref(), Some("FI"));
    assert_eq!(contact.time_zone.as_deref(), Some("Europe/Helsinki"));
    assert_eq!(contact.notes.as_deref(), Some("Prefers email"));
    assert_eq!(
        contact.recovery_email.as_deref(),
        Some("grace.recovery@example.com")
    );
    assert_eq!(contact.recovery_mobile, None);
    assert_eq!(contact.locale.as_deref(), Some("en"));
    assert_eq!(contact.type_.as_deref(), Some("PERSON"));
    assert_eq!(contact.member_of, Some(vec!["g-suppliers".to_owned()]));
    let addresses = contact.addresses.as_ref().expect("addresses");
    assert_eq!(addresses.len(), 1);
    assert_eq!(addresses[0].address_name.as_deref(), Some("Office"));
    assert_eq!(
        addresses[0].street_address.as_deref(),
        Some("Mannerheimintie 1")
    );
    assert_eq!(addresses[0].postal_code.as_deref(), Some("00100"));
    assert_eq!(addresses[0].locality.as_deref(), Some("Helsinki"));
    assert_eq!(addresses[0].type_.as_deref(), Some("WORK"));
    assert_eq!(addresses[0].verified, Some(true));
    assert_meta(contact.meta.as_ref(), &format!("contact/{id}"));
}

fn enterprise_json(contact_id: &str) -> Value {
    let info = |who: &str| {
        json!({
            "phone": "+35891234567",
            "email": format!("{who}@acme.example.com"),
            "website": "https://acme.example.com",
            "contacts": format!("{who} desk"),
            "anInfoFieldAddedLater": 1
        })
    };
    json!({
        "businessId": "1234567-8",
        "vatId": "FI12345678",
        "tradeName": "Acme Oy",
        "domicile": "Helsinki",
        "leiCode": "743700ABCDEF12345678",
        "parallelTradeNames": ["Acme Ab"],
        "auxiliaryTradeNames": ["Acme Tools", "Acme Rentals"],
        "tradeRegisterNumber": "123.456",
        "taxIdentificationNumber": "FI-1234567-8",
        "general": info("info"),
        "sales": info("sales"),
        "service": info("service"),
        "customerSupport": info("support"),
        "meta": meta_json(&format!("contact/{contact_id}/enterpriseinfo")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_enterprise(enterprise: &types::Enterprise, contact_id: &str) {
    assert_eq!(enterprise.business_id.as_deref(), Some("1234567-8"));
    assert_eq!(enterprise.vat_id.as_deref(), Some("FI12345678"));
    assert_eq!(enterprise.trade_name.as_deref(), Some("Acme Oy"));
    assert_eq!(enterprise.domicile.as_deref(), Some("Helsinki"));
    assert_eq!(enterprise.lei_code.as_deref(), Some("743700ABCDEF12345678"));
    assert_eq!(
        enterprise.parallel_trade_names,
        Some(vec!["Acme Ab".to_owned()])
    );
    assert_eq!(
        enterprise.auxiliary_trade_names,
        Some(vec!["Acme Tools".to_owned(), "Acme Rentals".to_owned()])
    );
    assert_eq!(enterprise.trade_register_number.as_deref(), Some("123.456"));
    assert_eq!(
        enterprise.tax_identification_number.as_deref(),
        Some("FI-1234567-8")
    );
    for (info, who) in [
        (&enterprise.general, "info"),
        (&enterprise.sales, "sales"),
        (&enterprise.service, "service"),
        (&enterprise.customer_support, "support"),
    ] {
        let info = info.as_ref().expect("contact info");
        assert_eq!(info.phone.as_deref(), Some("+35891234567"));
        assert_eq!(
            info.email.as_deref(),
            Some(format!("{who}@acme.example.com").as_str())
        );
        assert_eq!(info.website.as_deref(), Some("https://acme.example.com"));
        assert_eq!(
            info.contacts.as_deref(),
            Some(format!("{who} desk").as_str())
        );
    }
    assert_meta(
        enterprise.meta.as_ref(),
        &format!("contact/{contact_id}/enterpriseinfo"),
    );
}

fn location_site_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Head office",
        "description": "Acme head office, 3rd floor",
        "country": "FI",
        "state": "Uusimaa",
        "city": "Helsinki",
        "postal": "00100",
        "street": "Mannerheimintie 1",
        "building": "A",
        "room": "301",
        "uri": "https://acme.example.com/sites/hq",
        "phone": "+35891234567",
        "subnets": ["10.1.0.0/16", "192.168.10.0/24"],
        "parent": "ls-campus",
        "geoLatitude": "60.1699",
        "geoLongitude": "24.9384",
        "inRoomPosition": "by the window",
        "contact": "c1",
        "group": "g-facilities",
        "nsCode": "acme",
        "coordinates": [{"system": "building-grid", "x": 10, "y": -4, "z": 3}],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_location_site(site: &types::LocationSite, id: &str) {
    assert_eq!(site.id.as_deref(), Some(id));
    assert_eq!(site.name.as_deref(), Some("Head office"));
    assert_eq!(
        site.description.as_deref(),
        Some("Acme head office, 3rd floor")
    );
    assert_eq!(site.country.as_deref(), Some("FI"));
    assert_eq!(site.state.as_deref(), Some("Uusimaa"));
    assert_eq!(site.city.as_deref(), Some("Helsinki"));
    assert_eq!(site.postal.as_deref(), Some("00100"));
    assert_eq!(site.street.as_deref(), Some("Mannerheimintie 1"));
    assert_eq!(site.building.as_deref(), Some("A"));
    assert_eq!(site.room.as_deref(), Some("301"));
    assert_eq!(
        site.uri.as_deref(),
        Some("https://acme.example.com/sites/hq")
    );
    assert_eq!(site.phone.as_deref(), Some("+35891234567"));
    assert_eq!(
        site.subnets,
        Some(vec!["10.1.0.0/16".to_owned(), "192.168.10.0/24".to_owned()])
    );
    assert_eq!(site.parent.as_deref(), Some("ls-campus"));
    assert_eq!(site.geo_latitude.as_deref(), Some("60.1699"));
    assert_eq!(site.geo_longitude.as_deref(), Some("24.9384"));
    assert_eq!(site.in_room_position.as_deref(), Some("by the window"));
    assert_eq!(site.contact.as_deref(), Some("c1"));
    assert_eq!(site.group.as_deref(), Some("g-facilities"));
    assert_eq!(site.ns_code.as_deref(), Some("acme"));
    assert_eq!(
        site.coordinates,
        Some(vec![types::Coordinate {
            system: Some("building-grid".into()),
            x: Some(10),
            y: Some(-4),
            z: Some(3),
        }])
    );
}

fn target_json(id: &str) -> Value {
    json!({
        "id": id,
        "nsCode": "acme",
        "name": "Main elevator",
        "locationSite": "ls1",
        "targetClass": "ELEVATOR",
        "contact": "c1",
        "group": "g-facilities",
        "parent": "t-building-a",
        "alertOnMaintenanceGroups": ["g-maintenance"],
        "alertOnIncidentGroups": ["g-maintenance", "g-security"],
        "alertOnMajorIncidentGroups": ["g-management"],
        "alertOnDangerNoticeGroups": ["g-security"],
        "alertOnHaltNoticeGroups": [],
        "meta": meta_json(&format!("target/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_target(target: &types::Target, id: &str) {
    assert_eq!(target.id.as_deref(), Some(id));
    assert_eq!(target.ns_code.as_deref(), Some("acme"));
    assert_eq!(target.name.as_deref(), Some("Main elevator"));
    assert_eq!(target.location_site.as_deref(), Some("ls1"));
    assert_eq!(target.target_class.as_deref(), Some("ELEVATOR"));
    assert_eq!(target.contact.as_deref(), Some("c1"));
    assert_eq!(target.group.as_deref(), Some("g-facilities"));
    assert_eq!(target.parent.as_deref(), Some("t-building-a"));
    assert_eq!(
        target.alert_on_maintenance_groups,
        Some(vec!["g-maintenance".to_owned()])
    );
    assert_eq!(
        target.alert_on_incident_groups,
        Some(vec!["g-maintenance".to_owned(), "g-security".to_owned()])
    );
    assert_eq!(
        target.alert_on_major_incident_groups,
        Some(vec!["g-management".to_owned()])
    );
    assert_eq!(
        target.alert_on_danger_notice_groups,
        Some(vec!["g-security".to_owned()])
    );
    assert_eq!(target.alert_on_halt_notice_groups, Some(vec![]));
    assert_meta(target.meta.as_ref(), &format!("target/{id}"));
}

// ---------------------------------------------------------------------------------------------
// The operations of these tags, as the spec has them
// ---------------------------------------------------------------------------------------------

/// The 50 operations of the tags `authorisations`, `access_rights`, `access_control`,
/// `contacts`, `targets` and `location_sites`: method, path and documented success status, as
/// the reference catalog has them.
#[rustfmt::skip]
const OPERATIONS_OF_THESE_TAGS: &[(&str, &str, &str, u16)] = &[
    ("authorisation_list",               "GET",    "/authorisation", 200),
    ("authorisation_create",             "POST",   "/authorisation", 201),
    ("authorisation_get",                "GET",    "/authorisation/{authId}", 200),
    ("authorisation_update",             "PUT",    "/authorisation/{authId}", 200),
    ("authorisation_delete",             "DELETE", "/authorisation/{authId}", 204),
    ("authorisation_revoke",             "POST",   "/authorisation/{authId}/revoke", 200),
    ("authorisation_type_list",          "GET",    "/authorisation_type", 200),
    ("authorisation_type_create",        "POST",   "/authorisation_type", 201),
    ("authorisation_type_get",           "GET",    "/authorisation_type/{typeId}", 200),
    ("authorisation_type_update",        "PUT",    "/authorisation_type/{typeId}", 200),
    ("authorisation_type_delete",        "DELETE", "/authorisation_type/{typeId}", 204),
    ("authorisation_source_list",        "GET",    "/authorisation_source", 200),
    ("authorisation_source_create",      "POST",   "/authorisation_source", 201),
    ("authorisation_source_get",         "GET",    "/authorisation_source/{sourceId}", 200),
    ("authorisation_source_update",      "PUT",    "/authorisation_source/{sourceId}", 200),
    ("authorisation_source_delete",      "DELETE", "/authorisation_source/{sourceId}", 204),
    ("authorisation_grant_right_list",   "GET",    "/authorisation_grant_right", 200),
    ("authorisation_grant_right_create", "POST",   "/authorisation_grant_right", 201),
    ("authorisation_grant_right_get",    "GET",    "/authorisation_grant_right/{grantId}", 200),
    ("authorisation_grant_right_revoke", "POST",   "/authorisation_grant_right/{grantId}/revoke", 200),
    ("permission_list",                  "GET",    "/permission", 200),
    ("permission_get",                   "GET",    "/permission/{permissionId}", 200),
    ("role_builtin_list",                "GET",    "/role/builtin", 200),
    ("role_custom_list",                 "GET",    "/role/custom", 200),
    ("role_custom_create",               "POST",   "/role/custom", 201),
    ("role_custom_get",                  "GET",    "/role/custom/{roleId}", 200),
    ("role_custom_update",               "PUT",    "/role/custom/{roleId}", 200),
    ("role_custom_delete",               "DELETE", "/role/custom/{roleId}", 204),
    ("accesscontrol_list",               "GET",    "/accesscontrol", 200),
    ("accesscontrol_create",             "POST",   "/accesscontrol", 201),
    ("accesscontrol_get",                "GET",    "/accesscontrol/{accesscontrolId}", 200),
    ("accesscontrol_update",             "PUT",    "/accesscontrol/{accesscontrolId}", 200),
    ("accesscontrol_delete",             "DELETE", "/accesscontrol/{accesscontrolId}", 204),
    ("contact_list",                     "GET",    "/contact", 200),
    ("contact_create",                   "POST",   "/contact", 201),
    ("contact_get",                      "GET",    "/contact/{contactId}", 200),
    ("contact_update",                   "PUT",    "/contact/{contactId}", 200),
    ("contact_delete",                   "DELETE", "/contact/{contactId}", 204),
    ("contact_enterprise_get",           "GET",    "/contact/{contactId}/enterpriseinfo", 200),
    ("contact_enterprise_update",        "PUT",    "/contact/{contactId}/enterpriseinfo", 200),
    ("target_list",                      "GET",    "/target", 200),
    ("target_create",                    "POST",   "/target", 201),
    ("target_get",                       "GET",    "/target/{targetId}", 200),
    ("target_update",                    "PUT",    "/target/{targetId}", 200),
    ("target_delete",                    "DELETE", "/target/{targetId}", 204),
    ("locationsite_list",                "GET",    "/locationsite", 200),
    ("locationsite_create",              "POST",   "/locationsite", 201),
    ("locationsite_get",                 "GET",    "/locationsite/{locationsiteId}", 200),
    ("locationsite_update",              "PUT",    "/locationsite/{locationsiteId}", 200),
    ("locationsite_delete",              "DELETE", "/locationsite/{locationsiteId}", 204),
];

/// The spec (as built) has each of the 50 operations with the reference catalog's method, path
/// and success status; only create answers 201, only delete 204, and only the JSON ones have
/// a JSON body (the two revokes answer 200 without one).
#[test]
fn the_operations_of_these_tags_are_built_as_the_catalog_has_them() {
    assert_eq!(OPERATIONS_OF_THESE_TAGS.len(), 50);
    for &(id, method, path, success) in OPERATIONS_OF_THESE_TAGS {
        let op = OPERATIONS
            .iter()
            .find(|op| op.id == id)
            .unwrap_or_else(|| panic!("{id} is not built with --features extension"));
        assert_eq!(op.method, method, "{id}");
        assert_eq!(op.path, format!("/api/rest/v1{path}"), "{id}");
        assert_eq!(op.success, success, "{id}");
        let no_body = method == "DELETE" || id.ends_with("_revoke");
        assert_eq!(op.json_response, !no_body, "{id}");
    }
    // And the spec has no other operation on these resources.
    let resources = [
        "authorisation",
        "authorisation_type",
        "authorisation_source",
        "authorisation_grant_right",
        "permission",
        "role",
        "accesscontrol",
        "contact",
        "target",
        "locationsite",
    ];
    let on_these_resources: Vec<&str> = OPERATIONS
        .iter()
        .filter(|op| {
            let first = op
                .path
                .trim_start_matches("/api/rest/v1/")
                .split('/')
                .next();
            first.is_some_and(|first| resources.contains(&first))
        })
        .map(|op| op.id)
        .collect();
    let mut listed: Vec<&str> = OPERATIONS_OF_THESE_TAGS.iter().map(|row| row.0).collect();
    listed.sort_unstable();
    assert_eq!(on_these_resources, listed);
}

// ---------------------------------------------------------------------------------------------
// authorisations
// ---------------------------------------------------------------------------------------------

/// authorisation_list: GET /authorisation?filter&startIndex&count
#[tokio::test]
async fn authorisation_list() {
    let h = harness().await;
    let filter = r#"authType eq "GUARDIAN" and author co "hr \"north\"""#;
    mock("GET", "/authorisation")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "10"))
        .and(query_param("count", "5"))
        .respond_with(json_ok(
            200,
            page_json(
                12,
                10,
                vec![authorisation_json("a1"), authorisation_json("a2")],
            ),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .authorisation_list()
        .filter(Filter::eq("authType", "GUARDIAN").and(Filter::co("author", "hr \"north\"")))
        .start_index(10)
        .count(5)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[("filter", filter), ("startIndex", "10"), ("count", "5")],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(12));
    assert_eq!(page.start_index, Some(10));
    assert_eq!(page.items_per_page, Some(2));
    assert_eq!(page.resources.len(), 2);
    assert_authorisation(&page.resources[0], "a1");
    assert_authorisation(&page.resources[1], "a2");

    next_phase(&h.server).await;
    mock("GET", "/authorisation")
        .respond_with(error_response(
            403,
            "Client does not have required permission AUTHORISATION_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.authorisation_list().send().await.unwrap_err();
    // Without parameters nothing is added (not even `startIndex=0`).
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission AUTHORISATION_VIEW.",
        "authorisation_list",
    );
}

/// authorisation_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn authorisation_list_streams_two_pages() {
    let h = harness().await;
    let filter = r#"nsCode eq "acme""#;
    let items = stream_two_pages(
        &h,
        "/authorisation",
        h.api
            .authorisation_list()
            .filter(Filter::eq("nsCode", "acme")),
        &[("filter", filter)],
        authorisation_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|a| a.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_authorisation(&items[2], "p3");
}

/// authorisation_create: POST /authorisation -> 201
#[tokio::test]
async fn authorisation_create() {
    let h = harness().await;
    let expected_body = json!({
        "author": "hr-system",
        "nsCode": "acme",
        "authType": "GUARDIAN",
        "authSource": "DVV",
        "validFrom": "2024-01-01T00:00:00Z",
        "validTo": "2025-12-31T23:59:59.999Z",
        "object": {"type": "User", "value": "u-child"},
        "subject": {"type": "User", "value": "u-parent"}
    });
    mock("POST", "/authorisation")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, authorisation_json("a1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let authorisation = types::Authorisation {
        author: Some("hr-system".into()),
        ns_code: Some("acme".into()),
        auth_type: Some("GUARDIAN".into()),
        auth_source: Some("DVV".into()),
        valid_from: Some(instant("2024-01-01T00:00:00Z")),
        valid_to: Some(instant("2025-12-31T23:59:59.999Z")),
        object: Some(types::AuthorisationObject {
            type_: Some("User".into()),
            value: Some("u-child".into()),
        }),
        subject: Some(types::AuthorisationSubject {
            type_: Some("User".into()),
            value: Some("u-parent".into()),
        }),
        ..Default::default()
    };
    let created = h
        .api
        .authorisation_create()
        .body(authorisation.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_authorisation(&created, "a1");

    next_phase(&h.server).await;
    mock("POST", "/authorisation")
        .respond_with(error_response(
            400,
            "Authorisation type GUARDIAN does not exist in namespace acme",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_create()
        .body(authorisation)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Authorisation type GUARDIAN does not exist in namespace acme",
        "authorisation_create",
    );
}

/// authorisation_get: GET /authorisation/{authId}
#[tokio::test]
async fn authorisation_get() {
    let h = harness().await;
    mock("GET", "/authorisation/a1")
        .respond_with(json_ok(200, authorisation_json("a1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let auth = h
        .api
        .authorisation_get()
        .auth_id("a1")
        .send()
        .await
        .unwrap();
    assert_eq!(auth.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_authorisation(&auth, "a1");

    next_phase(&h.server).await;
    mock("GET", "/authorisation/missing")
        .respond_with(error_response(404, "Authorisation not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_get()
        .auth_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Authorisation not found",
        "authorisation_get",
    );
}

/// authorisation_update: PUT /authorisation/{authId}
#[tokio::test]
async fn authorisation_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "a1",
        "authType": "GUARDIAN",
        "validTo": "2026-06-30T21:00:00Z",
        "object": {"type": "User", "value": "u-child"},
        "subject": {"type": "Group", "value": "g-guardians"}
    });
    mock("PUT", "/authorisation/a1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, authorisation_json("a1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::Authorisation {
        id: Some("a1".into()),
        auth_type: Some("GUARDIAN".into()),
        valid_to: Some(instant("2026-06-30T21:00:00Z")),
        object: Some(types::AuthorisationObject {
            type_: Some("User".into()),
            value: Some("u-child".into()),
        }),
        subject: Some(types::AuthorisationSubject {
            type_: Some("Group".into()),
            value: Some("g-guardians".into()),
        }),
        ..Default::default()
    };
    let updated = h
        .api
        .authorisation_update()
        .auth_id("a1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_authorisation(&updated, "a1");

    next_phase(&h.server).await;
    mock("PUT", "/authorisation/a1")
        .respond_with(error_response(409, "Authorisation has been revoked"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_update()
        .auth_id("a1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Authorisation has been revoked",
        "authorisation_update",
    );
}

/// authorisation_delete: DELETE /authorisation/{authId} -> 204
#[tokio::test]
async fn authorisation_delete() {
    let h = harness().await;
    mock("DELETE", "/authorisation/a1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .authorisation_delete()
        .auth_id("a1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/authorisation/a1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_delete()
        .auth_id("a1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "authorisation_delete",
    );
}

/// authorisation_revoke: POST /authorisation/{authId}/revoke -> 200 without a body
#[tokio::test]
async fn authorisation_revoke() {
    let h = harness().await;
    mock("POST", "/authorisation/a1/revoke")
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let revoked = h
        .api
        .authorisation_revoke()
        .auth_id("a1")
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    // The request has no body either.
    assert_no_body(&only_request(&h.server, &[]).await);
    let () = revoked.into_inner();

    next_phase(&h.server).await;
    mock("POST", "/authorisation/a1/revoke")
        .respond_with(error_response(409, "Authorisation is already revoked"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_revoke()
        .auth_id("a1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Authorisation is already revoked",
        "authorisation_revoke",
    );
}

/// authorisation_type_list: GET /authorisation_type?filter&startIndex&count
#[tokio::test]
async fn authorisation_type_list() {
    let h = harness().await;
    let filter = r#"code sw "GUARD" or description co "50% \"legal\"""#;
    mock("GET", "/authorisation_type")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "500"))
        .respond_with(json_ok(
            200,
            page_json(1, 0, vec![guardian_type_json("at1")]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .authorisation_type_list()
        .filter(Filter::sw("code", "GUARD").or(Filter::co("description", "50% \"legal\"")))
        .start_index(0)
        .count(500)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[("filter", filter), ("startIndex", "0"), ("count", "500")],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.start_index, Some(0));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_authorisation_type(&page.resources[0], "at1", "GUARDIAN");

    next_phase(&h.server).await;
    mock("GET", "/authorisation_type")
        .respond_with(error_response(401, "Unauthorized"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.authorisation_type_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(err.into(), 401, "Unauthorized", "authorisation_type_list");
}

/// authorisation_type_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn authorisation_type_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/authorisation_type",
        h.api
            .authorisation_type_list()
            .filter(Filter::eq("nsCode", "acme")),
        &[("filter", r#"nsCode eq "acme""#)],
        guardian_type_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|t| t.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_authorisation_type(&items[1], "p2", "GUARDIAN");
}

/// authorisation_type_create: POST /authorisation_type -> 201
#[tokio::test]
async fn authorisation_type_create() {
    let h = harness().await;
    let expected_body = json!({
        "nsCode": "acme",
        "code": "GUARDIAN",
        "description": "Legal guardian of a minor",
        "names": [{"locale": "en", "value": "Guardian"}, {"locale": "fi", "value": "Huoltaja"}]
    });
    mock("POST", "/authorisation_type")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, guardian_type_json("at1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let auth_type = types::AuthorisationType {
        ns_code: Some("acme".into()),
        code: Some("GUARDIAN".into()),
        description: Some("Legal guardian of a minor".into()),
        names: Some(vec![
            types::LocalisedValue {
                locale: Some("en".into()),
                value: Some("Guardian".into()),
            },
            types::LocalisedValue {
                locale: Some("fi".into()),
                value: Some("Huoltaja".into()),
            },
        ]),
        ..Default::default()
    };
    let created = h
        .api
        .authorisation_type_create()
        .body(auth_type.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_authorisation_type(&created, "at1", "GUARDIAN");

    next_phase(&h.server).await;
    mock("POST", "/authorisation_type")
        .respond_with(error_response(
            409,
            "Authorisation type GUARDIAN already exists",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_type_create()
        .body(auth_type)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Authorisation type GUARDIAN already exists",
        "authorisation_type_create",
    );
}

/// authorisation_type_get: GET /authorisation_type/{typeId}
#[tokio::test]
async fn authorisation_type_get() {
    let h = harness().await;
    mock("GET", "/authorisation_type/at1")
        .respond_with(json_ok(200, guardian_type_json("at1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let auth_type = h
        .api
        .authorisation_type_get()
        .type_id("at1")
        .send()
        .await
        .unwrap();
    assert_eq!(auth_type.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_authorisation_type(&auth_type, "at1", "GUARDIAN");

    next_phase(&h.server).await;
    mock("GET", "/authorisation_type/gone")
        .respond_with(error_response(404, "Authorisation type not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_type_get()
        .type_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Authorisation type not found",
        "authorisation_type_get",
    );
}

/// authorisation_type_update: PUT /authorisation_type/{typeId}
#[tokio::test]
async fn authorisation_type_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "at1",
        "code": "GUARDIAN",
        "description": "Guardian (updated)",
        "names": [{"locale": "sv", "value": "Vårdnadshavare"}]
    });
    mock("PUT", "/authorisation_type/at1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, guardian_type_json("at1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::AuthorisationType {
        id: Some("at1".into()),
        code: Some("GUARDIAN".into()),
        description: Some("Guardian (updated)".into()),
        names: Some(vec![types::LocalisedValue {
            locale: Some("sv".into()),
            value: Some("Vårdnadshavare".into()),
        }]),
        ..Default::default()
    };
    let updated = h
        .api
        .authorisation_type_update()
        .type_id("at1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_authorisation_type(&updated, "at1", "GUARDIAN");

    next_phase(&h.server).await;
    mock("PUT", "/authorisation_type/at1")
        .respond_with(error_response(
            400,
            "Authorisation type code must not be empty",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_type_update()
        .type_id("at1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Authorisation type code must not be empty",
        "authorisation_type_update",
    );
}

/// authorisation_type_delete: DELETE /authorisation_type/{typeId} -> 204
#[tokio::test]
async fn authorisation_type_delete() {
    let h = harness().await;
    mock("DELETE", "/authorisation_type/at1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .authorisation_type_delete()
        .type_id("at1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/authorisation_type/at1")
        .respond_with(error_response(
            409,
            "Authorisation type is in use by 3 authorisations",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_type_delete()
        .type_id("at1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Authorisation type is in use by 3 authorisations",
        "authorisation_type_delete",
    );
}

/// authorisation_source_list: GET /authorisation_source?filter&startIndex&count
#[tokio::test]
async fn authorisation_source_list() {
    let h = harness().await;
    let filter = r#"code eq "DVV""#;
    mock("GET", "/authorisation_source")
        .and(query_param("filter", filter))
        .and(query_param("count", "20"))
        .respond_with(json_ok(200, page_json(1, 0, vec![dvv_source_json("as1")])))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .authorisation_source_list()
        .filter(Filter::eq("code", "DVV"))
        .count(20)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    // `startIndex` is not sent when not set.
    assert_no_body(&only_request(&h.server, &[("filter", filter), ("count", "20")]).await);
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_authorisation_type(&page.resources[0], "as1", "DVV");

    next_phase(&h.server).await;
    mock("GET", "/authorisation_source")
        .and(query_param("startIndex", "7"))
        .respond_with(error_response(
            403,
            "Client does not have required permission AUTHORISATION_SOURCE_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_source_list()
        .start_index(7)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("startIndex", "7")]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission AUTHORISATION_SOURCE_VIEW.",
        "authorisation_source_list",
    );
}

/// authorisation_source_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn authorisation_source_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/authorisation_source",
        h.api
            .authorisation_source_list()
            .filter(Filter::sw("code", "D")),
        &[("filter", r#"code sw "D""#)],
        dvv_source_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|s| s.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_authorisation_type(&items[0], "p1", "DVV");
}

/// authorisation_source_create: POST /authorisation_source -> 201
#[tokio::test]
async fn authorisation_source_create() {
    let h = harness().await;
    let expected_body = json!({
        "code": "DVV",
        "description": "Digital and Population Data Services Agency",
        "names": [{"locale": "fi", "value": "Digi- ja väestötietovirasto"}]
    });
    mock("POST", "/authorisation_source")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, dvv_source_json("as1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let source = types::AuthorisationType {
        code: Some("DVV".into()),
        description: Some("Digital and Population Data Services Agency".into()),
        names: Some(vec![types::LocalisedValue {
            locale: Some("fi".into()),
            value: Some("Digi- ja väestötietovirasto".into()),
        }]),
        ..Default::default()
    };
    let created = h
        .api
        .authorisation_source_create()
        .body(source.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_authorisation_type(&created, "as1", "DVV");

    next_phase(&h.server).await;
    mock("POST", "/authorisation_source")
        .respond_with(error_response(
            400,
            "Source code contains invalid characters",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_source_create()
        .body(source)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Source code contains invalid characters",
        "authorisation_source_create",
    );
}

/// authorisation_source_get: GET /authorisation_source/{sourceId}
#[tokio::test]
async fn authorisation_source_get() {
    let h = harness().await;
    mock("GET", "/authorisation_source/as1")
        .respond_with(json_ok(200, dvv_source_json("as1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let source = h
        .api
        .authorisation_source_get()
        .source_id("as1")
        .send()
        .await
        .unwrap();
    assert_eq!(source.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_authorisation_type(&source, "as1", "DVV");

    next_phase(&h.server).await;
    mock("GET", "/authorisation_source/as1")
        .respond_with(error_response(
            403,
            "Client does not have required permission AUTHORISATION_SOURCE_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_source_get()
        .source_id("as1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission AUTHORISATION_SOURCE_VIEW.",
        "authorisation_source_get",
    );
}

/// authorisation_source_update: PUT /authorisation_source/{sourceId}
#[tokio::test]
async fn authorisation_source_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "as1",
        "nsCode": "acme",
        "code": "DVV",
        "description": "Population register"
    });
    mock("PUT", "/authorisation_source/as1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, dvv_source_json("as1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::AuthorisationType {
        id: Some("as1".into()),
        ns_code: Some("acme".into()),
        code: Some("DVV".into()),
        description: Some("Population register".into()),
        ..Default::default()
    };
    let updated = h
        .api
        .authorisation_source_update()
        .source_id("as1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_authorisation_type(&updated, "as1", "DVV");

    next_phase(&h.server).await;
    mock("PUT", "/authorisation_source/as1")
        .respond_with(error_response(404, "Authorisation source not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_source_update()
        .source_id("as1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Authorisation source not found",
        "authorisation_source_update",
    );
}

/// authorisation_source_delete: DELETE /authorisation_source/{sourceId} -> 204
#[tokio::test]
async fn authorisation_source_delete() {
    let h = harness().await;
    mock("DELETE", "/authorisation_source/as1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .authorisation_source_delete()
        .source_id("as1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/authorisation_source/as1")
        .respond_with(error_response(401, "Unauthorized"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_source_delete()
        .source_id("as1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        401,
        "Unauthorized",
        "authorisation_source_delete",
    );
}

/// authorisation_grant_right_list: GET /authorisation_grant_right?filter&startIndex&count
#[tokio::test]
async fn authorisation_grant_right_list() {
    let h = harness().await;
    let filter =
        r#"principal.value eq "g-caseworkers" and not (authorisationGrant.revoked eq true)"#;
    mock("GET", "/authorisation_grant_right")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "100"))
        .respond_with(json_ok(200, page_json(1, 0, vec![grant_right_json("gr1")])))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .authorisation_grant_right_list()
        .filter(
            Filter::eq("principal.value", "g-caseworkers")
                .and(!Filter::eq("authorisationGrant.revoked", true)),
        )
        .start_index(0)
        .count(100)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[("filter", filter), ("startIndex", "0"), ("count", "100")],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.start_index, Some(0));
    assert_eq!(page.resources.len(), 1);
    assert_grant_right(&page.resources[0], "gr1");

    next_phase(&h.server).await;
    mock("GET", "/authorisation_grant_right")
        .respond_with(error_response(
            401,
            "Authorisation grant rights need an end-user access token",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_grant_right_list()
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        401,
        "Authorisation grant rights need an end-user access token",
        "authorisation_grant_right_list",
    );
}

/// authorisation_grant_right_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn authorisation_grant_right_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/authorisation_grant_right",
        h.api
            .authorisation_grant_right_list()
            .filter(Filter::pr("validTo")),
        &[("filter", "validTo pr")],
        grant_right_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|r| r.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_grant_right(&items[2], "p3");
}

/// authorisation_grant_right_create: POST /authorisation_grant_right -> 201
#[tokio::test]
async fn authorisation_grant_right_create() {
    let h = harness().await;
    let expected_body = json!({
        "authorisationTypes": ["GUARDIAN", "TRUSTEE"],
        "validFrom": "2024-02-01T12:00:00Z",
        "validTo": "2025-02-01T12:00:00Z",
        "principal": {"type": "Group", "value": "g-caseworkers"}
    });
    mock("POST", "/authorisation_grant_right")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, grant_right_json("gr1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let right = types::AuthorisationGrantRight {
        authorisation_types: Some(vec!["GUARDIAN".into(), "TRUSTEE".into()]),
        valid_from: Some(instant("2024-02-01T12:00:00Z")),
        valid_to: Some(instant("2025-02-01T12:00:00Z")),
        principal: Some(types::Principal {
            type_: Some("Group".into()),
            value: Some("g-caseworkers".into()),
        }),
        ..Default::default()
    };
    let created = h
        .api
        .authorisation_grant_right_create()
        .body(right.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_grant_right(&created, "gr1");

    next_phase(&h.server).await;
    mock("POST", "/authorisation_grant_right")
        .respond_with(error_response(400, "Unknown authorisation type TRUSTEE"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_grant_right_create()
        .body(right)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Unknown authorisation type TRUSTEE",
        "authorisation_grant_right_create",
    );
}

/// authorisation_grant_right_get: GET /authorisation_grant_right/{grantId}
#[tokio::test]
async fn authorisation_grant_right_get() {
    let h = harness().await;
    mock("GET", "/authorisation_grant_right/gr1")
        .respond_with(json_ok(200, grant_right_json("gr1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let right = h
        .api
        .authorisation_grant_right_get()
        .grant_id("gr1")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_grant_right(&right, "gr1");

    next_phase(&h.server).await;
    mock("GET", "/authorisation_grant_right/nope")
        .respond_with(error_response(404, "Authorisation grant right not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_grant_right_get()
        .grant_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Authorisation grant right not found",
        "authorisation_grant_right_get",
    );
}

/// authorisation_grant_right_revoke: POST /authorisation_grant_right/{grantId}/revoke -> 200
/// without a body
#[tokio::test]
async fn authorisation_grant_right_revoke() {
    let h = harness().await;
    mock("POST", "/authorisation_grant_right/gr1/revoke")
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let revoked = h
        .api
        .authorisation_grant_right_revoke()
        .grant_id("gr1")
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let () = revoked.into_inner();

    next_phase(&h.server).await;
    mock("POST", "/authorisation_grant_right/gr1/revoke")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .authorisation_grant_right_revoke()
        .grant_id("gr1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "authorisation_grant_right_revoke",
    );
}

// ---------------------------------------------------------------------------------------------
// access_rights
// ---------------------------------------------------------------------------------------------

/// permission_list: GET /permission (a bare JSON array)
#[tokio::test]
async fn permission_list() {
    let h = harness().await;
    mock("GET", "/permission")
        .respond_with(json_ok(
            200,
            json!([
                permission_json("ACCOUNT_VIEW"),
                {"id": "ACCOUNT_LIST", "name": "List user accounts", "dependencies": null,
                 "groupId": "ACCOUNTS", "unknownFieldTheServerAdded": 1}
            ]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let permissions = h.api.permission_list().send().await.unwrap();
    assert_eq!(permissions.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let permissions: Vec<types::Permission> = permissions.into_inner();
    assert_eq!(
        permissions,
        vec![
            types::Permission {
                id: Some("ACCOUNT_VIEW".into()),
                name: Some("View user accounts".into()),
                dependencies: Some(vec!["ACCOUNT_LIST".into()]),
                group_id: Some("ACCOUNTS".into()),
            },
            types::Permission {
                id: Some("ACCOUNT_LIST".into()),
                name: Some("List user accounts".into()),
                dependencies: None,
                group_id: Some("ACCOUNTS".into()),
            },
        ]
    );

    next_phase(&h.server).await;
    mock("GET", "/permission")
        .respond_with(error_response(
            403,
            "Client does not have required permission PERMISSION_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.permission_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission PERMISSION_VIEW.",
        "permission_list",
    );
}

/// permission_get: GET /permission/{permissionId}
#[tokio::test]
async fn permission_get() {
    let h = harness().await;
    mock("GET", "/permission/ACCOUNT_VIEW")
        .respond_with(json_ok(200, permission_json("ACCOUNT_VIEW")))
        .expect(1)
        .mount(&h.server)
        .await;
    let permission = h
        .api
        .permission_get()
        .permission_id("ACCOUNT_VIEW")
        .send()
        .await
        .unwrap();
    assert_eq!(permission.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(
        permission.into_inner(),
        types::Permission {
            id: Some("ACCOUNT_VIEW".into()),
            name: Some("View user accounts".into()),
            dependencies: Some(vec!["ACCOUNT_LIST".into()]),
            group_id: Some("ACCOUNTS".into()),
        }
    );

    next_phase(&h.server).await;
    mock("GET", "/permission/NO_SUCH_PERMISSION")
        .respond_with(error_response(404, "Permission not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .permission_get()
        .permission_id("NO_SUCH_PERMISSION")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Permission not found", "permission_get");
}

/// role_builtin_list: GET /role/builtin (a bare JSON array)
#[tokio::test]
async fn role_builtin_list() {
    let h = harness().await;
    mock("GET", "/role/builtin")
        .respond_with(json_ok(
            200,
            json!([
                builtin_role_json("NS_ADMIN"),
                builtin_role_json("NS_SUPERVISOR")
            ]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let roles = h.api.role_builtin_list().send().await.unwrap();
    assert_eq!(roles.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let roles: Vec<types::BuiltInRole> = roles.into_inner();
    let ids: Vec<_> = roles.iter().map(|r| r.id.as_deref()).collect();
    assert_eq!(ids, [Some("NS_ADMIN"), Some("NS_SUPERVISOR")]);
    assert_eq!(roles[0].name.as_deref(), Some("Namespace administrator"));
    assert_eq!(
        roles[1].permissions,
        Some(vec![
            "ACCOUNT_VIEW".to_owned(),
            "ACCOUNT_MODIFY".to_owned(),
            "GROUP_VIEW".to_owned()
        ])
    );

    next_phase(&h.server).await;
    mock("GET", "/role/builtin")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.role_builtin_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "role_builtin_list",
    );
}

/// role_custom_list: GET /role/custom?filter&startIndex&count
#[tokio::test]
async fn role_custom_list() {
    let h = harness().await;
    let filter = r#"nsCode eq "acme" and name ew "desk""#;
    mock("GET", "/role/custom")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "50"))
        .and(query_param("count", "25"))
        .respond_with(json_ok(
            200,
            page_json(51, 50, vec![custom_role_json("r1")]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .role_custom_list()
        .filter(Filter::all([
            Filter::eq("nsCode", "acme"),
            Filter::ew("name", "desk"),
        ]))
        .start_index(50)
        .count(25)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[("filter", filter), ("startIndex", "50"), ("count", "25")],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(51));
    assert_eq!(page.start_index, Some(50));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_custom_role(&page.resources[0], "r1");

    next_phase(&h.server).await;
    mock("GET", "/role/custom")
        .respond_with(error_response(401, "Unauthorized"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.role_custom_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(err.into(), 401, "Unauthorized", "role_custom_list");
}

/// role_custom_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn role_custom_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/role/custom",
        h.api
            .role_custom_list()
            .filter(Filter::eq("nsCode", "acme")),
        &[("filter", r#"nsCode eq "acme""#)],
        custom_role_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|r| r.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_custom_role(&items[1], "p2");
}

/// role_custom_create: POST /role/custom -> 201
#[tokio::test]
async fn role_custom_create() {
    let h = harness().await;
    let expected_body = json!({
        "name": "Helpdesk",
        "permissions": ["ACCOUNT_VIEW", "ACCOUNT_LOCK"],
        "nsCode": "acme",
        "memberOf": ["g-support"]
    });
    mock("POST", "/role/custom")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, custom_role_json("r1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let role = types::CustomRole {
        name: Some("Helpdesk".into()),
        permissions: Some(vec!["ACCOUNT_VIEW".into(), "ACCOUNT_LOCK".into()]),
        ns_code: Some("acme".into()),
        member_of: Some(vec!["g-support".into()]),
        ..Default::default()
    };
    let created = h
        .api
        .role_custom_create()
        .body(role.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_custom_role(&created, "r1");

    next_phase(&h.server).await;
    mock("POST", "/role/custom")
        .respond_with(error_response(409, "Role Helpdesk already exists"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .role_custom_create()
        .body(role)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Role Helpdesk already exists",
        "role_custom_create",
    );
}

/// role_custom_get: GET /role/custom/{roleId}
#[tokio::test]
async fn role_custom_get() {
    let h = harness().await;
    mock("GET", "/role/custom/r1")
        .respond_with(json_ok(200, custom_role_json("r1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let role = h.api.role_custom_get().role_id("r1").send().await.unwrap();
    assert_eq!(role.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_custom_role(&role, "r1");

    next_phase(&h.server).await;
    mock("GET", "/role/custom/missing")
        .respond_with(error_response(404, "Role not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .role_custom_get()
        .role_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Role not found", "role_custom_get");
}

/// role_custom_update: PUT /role/custom/{roleId}
#[tokio::test]
async fn role_custom_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "r1",
        "name": "Helpdesk",
        "permissions": [],
        "memberOf": ["g-support", "g-night-shift"]
    });
    mock("PUT", "/role/custom/r1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, custom_role_json("r1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::CustomRole {
        id: Some("r1".into()),
        name: Some("Helpdesk".into()),
        // An empty list is sent (it clears the permissions); an unset one is not.
        permissions: Some(vec![]),
        member_of: Some(vec!["g-support".into(), "g-night-shift".into()]),
        ..Default::default()
    };
    let updated = h
        .api
        .role_custom_update()
        .role_id("r1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_custom_role(&updated, "r1");

    next_phase(&h.server).await;
    mock("PUT", "/role/custom/r1")
        .respond_with(error_response(400, "Unknown permission ACCOUNT_FLY"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .role_custom_update()
        .role_id("r1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Unknown permission ACCOUNT_FLY",
        "role_custom_update",
    );
}

/// role_custom_delete: DELETE /role/custom/{roleId} -> 204
#[tokio::test]
async fn role_custom_delete() {
    let h = harness().await;
    mock("DELETE", "/role/custom/r1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .role_custom_delete()
        .role_id("r1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/role/custom/r1")
        .respond_with(error_response(
            403,
            "Client does not have required permission ROLE_DELETE.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .role_custom_delete()
        .role_id("r1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission ROLE_DELETE.",
        "role_custom_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// access_control
// ---------------------------------------------------------------------------------------------

/// accesscontrol_list: GET /accesscontrol?filter&startIndex&count&sortBy&ascending
#[tokio::test]
async fn accesscontrol_list() {
    let h = harness().await;
    let filter = r#"title co "HR & \"Payroll\"""#;
    mock("GET", "/accesscontrol")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "10"))
        .and(query_param("sortBy", "title"))
        .and(query_param("ascending", "descending"))
        .respond_with(json_ok(
            200,
            page_json(
                2,
                0,
                vec![access_control_json("ac1"), access_control_json("ac2")],
            ),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .accesscontrol_list()
        .filter(Filter::co("title", "HR & \"Payroll\""))
        .start_index(0)
        .count(10)
        .sort_by("title")
        .ascending(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[
                ("filter", filter),
                ("startIndex", "0"),
                ("count", "10"),
                ("sortBy", "title"),
                ("ascending", "descending"),
            ],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.start_index, Some(0));
    assert_eq!(page.items_per_page, Some(2));
    assert_access_control(&page.resources[0], "ac1");
    assert_access_control(&page.resources[1], "ac2");

    next_phase(&h.server).await;
    mock("GET", "/accesscontrol")
        .and(query_param("ascending", "ascending"))
        .respond_with(error_response(400, "Cannot sort by unknownField"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .accesscontrol_list()
        .sort_by("unknownField")
        .ascending(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap_err();
    only_request(
        &h.server,
        &[("sortBy", "unknownField"), ("ascending", "ascending")],
    )
    .await;
    assert_error(
        err.into(),
        400,
        "Cannot sort by unknownField",
        "accesscontrol_list",
    );
}

/// accesscontrol_list: every item through the paginator; filter and sort kept on every page.
#[tokio::test]
async fn accesscontrol_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/accesscontrol",
        h.api
            .accesscontrol_list()
            .filter(Filter::eq("usage", "DATA_STORAGE"))
            .sort_by("title")
            .ascending(types::SortDirection::Ascending),
        &[
            ("filter", r#"usage eq "DATA_STORAGE""#),
            ("sortBy", "title"),
            ("ascending", "ascending"),
        ],
        access_control_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|a| a.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_access_control(&items[2], "p3");
}

/// accesscontrol_create: POST /accesscontrol -> 201
#[tokio::test]
async fn accesscontrol_create() {
    let h = harness().await;
    let expected_body = json!({
        "title": "HR documents",
        "description": "Who may read and edit HR documents",
        "usage": ["DATA_STORAGE"],
        "userIdRead": ["u-auditor"],
        "userIdWrite": ["u-hr-lead"],
        "groupIdRead": ["g-staff"],
        "groupIdWrite": ["g-hr"],
        "apiClientIdRead": ["reporting-client"],
        "apiClientIdWrite": []
    });
    mock("POST", "/accesscontrol")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, access_control_json("ac1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let access_control = types::AccessControl {
        title: Some("HR documents".into()),
        description: Some("Who may read and edit HR documents".into()),
        usage: Some(vec!["DATA_STORAGE".into()]),
        user_id_read: Some(vec!["u-auditor".into()]),
        user_id_write: Some(vec!["u-hr-lead".into()]),
        group_id_read: Some(vec!["g-staff".into()]),
        group_id_write: Some(vec!["g-hr".into()]),
        api_client_id_read: Some(vec!["reporting-client".into()]),
        api_client_id_write: Some(vec![]),
        ..Default::default()
    };
    let created = h
        .api
        .accesscontrol_create()
        .body(access_control.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_access_control(&created, "ac1");

    next_phase(&h.server).await;
    mock("POST", "/accesscontrol")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCESS_CONTROL_CREATE.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .accesscontrol_create()
        .body(access_control)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission ACCESS_CONTROL_CREATE.",
        "accesscontrol_create",
    );
}

/// accesscontrol_get: GET /accesscontrol/{accesscontrolId}
#[tokio::test]
async fn accesscontrol_get() {
    let h = harness().await;
    mock("GET", "/accesscontrol/ac1")
        .respond_with(json_ok(200, access_control_json("ac1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let ac = h
        .api
        .accesscontrol_get()
        .accesscontrol_id("ac1")
        .send()
        .await
        .unwrap();
    assert_eq!(ac.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_access_control(&ac, "ac1");

    next_phase(&h.server).await;
    mock("GET", "/accesscontrol/missing")
        .respond_with(error_response(404, "Access control not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .accesscontrol_get()
        .accesscontrol_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Access control not found",
        "accesscontrol_get",
    );
}

/// accesscontrol_update: PUT /accesscontrol/{accesscontrolId}
#[tokio::test]
async fn accesscontrol_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "ac1",
        "title": "HR documents",
        "userIdRead": [],
        "groupIdRead": ["g-staff", "g-auditors"]
    });
    mock("PUT", "/accesscontrol/ac1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, access_control_json("ac1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::AccessControl {
        id: Some("ac1".into()),
        title: Some("HR documents".into()),
        user_id_read: Some(vec![]),
        group_id_read: Some(vec!["g-staff".into(), "g-auditors".into()]),
        ..Default::default()
    };
    let updated = h
        .api
        .accesscontrol_update()
        .accesscontrol_id("ac1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_access_control(&updated, "ac1");

    next_phase(&h.server).await;
    mock("PUT", "/accesscontrol/ac1")
        .respond_with(error_response(
            409,
            "Access control was modified concurrently",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .accesscontrol_update()
        .accesscontrol_id("ac1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Access control was modified concurrently",
        "accesscontrol_update",
    );
}

/// accesscontrol_delete: DELETE /accesscontrol/{accesscontrolId} -> 204
#[tokio::test]
async fn accesscontrol_delete() {
    let h = harness().await;
    mock("DELETE", "/accesscontrol/ac1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .accesscontrol_delete()
        .accesscontrol_id("ac1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/accesscontrol/ac1")
        .respond_with(error_response(404, "Access control not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .accesscontrol_delete()
        .accesscontrol_id("ac1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Access control not found",
        "accesscontrol_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// contacts
// ---------------------------------------------------------------------------------------------

/// contact_list: GET /contact?filter&startIndex&count
#[tokio::test]
async fn contact_list() {
    let h = harness().await;
    let filter =
        r#"(lastName eq "O'Brien" or email ew "@example.com") and memberOf eq "g-suppliers""#;
    mock("GET", "/contact")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "100"))
        .and(query_param("count", "50"))
        .respond_with(json_ok(200, page_json(101, 100, vec![contact_json("c1")])))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .contact_list()
        .filter(
            Filter::eq("lastName", "O'Brien")
                .or(Filter::ew("email", "@example.com"))
                .and(Filter::eq("memberOf", "g-suppliers")),
        )
        .start_index(100)
        .count(50)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[("filter", filter), ("startIndex", "100"), ("count", "50")],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(101));
    assert_eq!(page.start_index, Some(100));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_contact(&page.resources[0], "c1");

    next_phase(&h.server).await;
    mock("GET", "/contact")
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTACT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.contact_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTACT_VIEW.",
        "contact_list",
    );
}

/// contact_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn contact_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/contact",
        h.api.contact_list().filter(Filter::eq("type", "PERSON")),
        &[("filter", r#"type eq "PERSON""#)],
        contact_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|c| c.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_contact(&items[0], "p1");
}

/// contact_create: POST /contact -> 201
#[tokio::test]
async fn contact_create() {
    let h = harness().await;
    let expected_body = json!({
        "firstName": "Grace",
        "lastName": "Hopper",
        "organisation": "Acme Oy",
        "nsCode": "acme",
        "email": "grace@example.com",
        "mobile": "+358401112223",
        "locationSite": "ls1",
        "dataStoreCountry": "FI",
        "timeZone": "Europe/Helsinki",
        "locale": "en",
        "type": "PERSON",
        "memberOf": ["g-suppliers"],
        "addresses": [{
            "addressName": "Office",
            "streetAddress": "Mannerheimintie 1",
            "postalCode": "00100",
            "locality": "Helsinki",
            "country": "FI",
            "type": "WORK"
        }]
    });
    mock("POST", "/contact")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, contact_json("c1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let contact = types::Contact {
        first_name: Some("Grace".into()),
        last_name: Some("Hopper".into()),
        organisation: Some("Acme Oy".into()),
        ns_code: Some("acme".into()),
        email: Some("grace@example.com".into()),
        mobile: Some("+358401112223".into()),
        location_site: Some("ls1".into()),
        data_store_country: Some("FI".into()),
        time_zone: Some("Europe/Helsinki".into()),
        locale: Some("en".into()),
        type_: Some("PERSON".into()),
        member_of: Some(vec!["g-suppliers".into()]),
        addresses: Some(vec![types::Address {
            address_name: Some("Office".into()),
            street_address: Some("Mannerheimintie 1".into()),
            postal_code: Some("00100".into()),
            locality: Some("Helsinki".into()),
            country: Some("FI".into()),
            type_: Some("WORK".into()),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let created = h
        .api
        .contact_create()
        .body(contact.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_contact(&created, "c1");

    next_phase(&h.server).await;
    mock("POST", "/contact")
        .respond_with(error_response(400, "Invalid email address"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contact_create()
        .body(contact)
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 400, "Invalid email address", "contact_create");
}

/// contact_get: GET /contact/{contactId}
#[tokio::test]
async fn contact_get() {
    let h = harness().await;
    mock("GET", "/contact/c1")
        .respond_with(json_ok(200, contact_json("c1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let contact = h.api.contact_get().contact_id("c1").send().await.unwrap();
    assert_eq!(contact.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_contact(&contact, "c1");

    next_phase(&h.server).await;
    mock("GET", "/contact/gone")
        .respond_with(error_response(404, "Contact not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contact_get()
        .contact_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Contact not found", "contact_get");
}

/// contact_update: PUT /contact/{contactId}
#[tokio::test]
async fn contact_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "c1",
        "firstName": "Grace",
        "lastName": "Hopper",
        "nickName": "amazing",
        "notes": "Prefers email",
        "recoveryEmail": "grace.recovery@example.com",
        "addresses": []
    });
    mock("PUT", "/contact/c1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, contact_json("c1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::Contact {
        id: Some("c1".into()),
        first_name: Some("Grace".into()),
        last_name: Some("Hopper".into()),
        nick_name: Some("amazing".into()),
        notes: Some("Prefers email".into()),
        recovery_email: Some("grace.recovery@example.com".into()),
        addresses: Some(vec![]),
        ..Default::default()
    };
    let updated = h
        .api
        .contact_update()
        .contact_id("c1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_contact(&updated, "c1");

    next_phase(&h.server).await;
    mock("PUT", "/contact/c1")
        .respond_with(error_response(409, "Unique name grace.hopper is taken"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contact_update()
        .contact_id("c1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Unique name grace.hopper is taken",
        "contact_update",
    );
}

/// contact_delete: DELETE /contact/{contactId} -> 204
#[tokio::test]
async fn contact_delete() {
    let h = harness().await;
    mock("DELETE", "/contact/c1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contact_delete()
        .contact_id("c1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/contact/c1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contact_delete()
        .contact_id("c1")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 500, "Internal server error", "contact_delete");
}

/// contact_enterprise_get: GET /contact/{contactId}/enterpriseinfo
#[tokio::test]
async fn contact_enterprise_get() {
    let h = harness().await;
    mock("GET", "/contact/c1/enterpriseinfo")
        .respond_with(json_ok(200, enterprise_json("c1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let enterprise = h
        .api
        .contact_enterprise_get()
        .contact_id("c1")
        .send()
        .await
        .unwrap();
    assert_eq!(enterprise.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_enterprise(&enterprise, "c1");

    next_phase(&h.server).await;
    mock("GET", "/contact/c1/enterpriseinfo")
        .respond_with(error_response(401, "Unauthorized"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contact_enterprise_get()
        .contact_id("c1")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 401, "Unauthorized", "contact_enterprise_get");
}

/// contact_enterprise_update: PUT /contact/{contactId}/enterpriseinfo
#[tokio::test]
async fn contact_enterprise_update() {
    let h = harness().await;
    let expected_body = json!({
        "businessId": "1234567-8",
        "vatId": "FI12345678",
        "tradeName": "Acme Oy",
        "parallelTradeNames": ["Acme Ab"],
        "auxiliaryTradeNames": [],
        "general": {"phone": "+35891234567", "email": "info@acme.example.com"},
        "customerSupport": {"website": "https://acme.example.com/support", "contacts": "support desk"}
    });
    mock("PUT", "/contact/c1/enterpriseinfo")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, enterprise_json("c1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let enterprise = types::Enterprise {
        business_id: Some("1234567-8".into()),
        vat_id: Some("FI12345678".into()),
        trade_name: Some("Acme Oy".into()),
        parallel_trade_names: Some(vec!["Acme Ab".into()]),
        auxiliary_trade_names: Some(vec![]),
        general: Some(types::EnterpriseContactInfo {
            phone: Some("+35891234567".into()),
            email: Some("info@acme.example.com".into()),
            ..Default::default()
        }),
        customer_support: Some(types::EnterpriseContactInfo {
            website: Some("https://acme.example.com/support".into()),
            contacts: Some("support desk".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = h
        .api
        .contact_enterprise_update()
        .contact_id("c1")
        .body(enterprise.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_enterprise(&updated, "c1");

    next_phase(&h.server).await;
    mock("PUT", "/contact/c1/enterpriseinfo")
        .respond_with(error_response(400, "Invalid business ID 1234567-8"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contact_enterprise_update()
        .contact_id("c1")
        .body(enterprise)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Invalid business ID 1234567-8",
        "contact_enterprise_update",
    );
}

// ---------------------------------------------------------------------------------------------
// targets
// ---------------------------------------------------------------------------------------------

/// target_list: GET /target?filter&startIndex&count
#[tokio::test]
async fn target_list() {
    let h = harness().await;
    let filter = r#"targetClass eq "ELEVATOR" and locationSite eq "ls1""#;
    mock("GET", "/target")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "2"))
        .respond_with(json_ok(
            200,
            page_json(2, 0, vec![target_json("t1"), target_json("t2")]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .target_list()
        .filter(Filter::eq("targetClass", "ELEVATOR") & Filter::eq("locationSite", "ls1"))
        .start_index(0)
        .count(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[("filter", filter), ("startIndex", "0"), ("count", "2")],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.start_index, Some(0));
    assert_eq!(page.items_per_page, Some(2));
    assert_target(&page.resources[0], "t1");
    assert_target(&page.resources[1], "t2");

    next_phase(&h.server).await;
    mock("GET", "/target")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.target_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(err.into(), 500, "Internal server error", "target_list");
}

/// target_list: every item through the paginator, filter kept on every page.
#[tokio::test]
async fn target_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/target",
        h.api.target_list().filter(Filter::eq("nsCode", "acme")),
        &[("filter", r#"nsCode eq "acme""#)],
        target_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|t| t.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_target(&items[1], "p2");
}

/// target_create: POST /target -> 201
#[tokio::test]
async fn target_create() {
    let h = harness().await;
    let expected_body = json!({
        "nsCode": "acme",
        "name": "Main elevator",
        "locationSite": "ls1",
        "targetClass": "ELEVATOR",
        "contact": "c1",
        "group": "g-facilities",
        "parent": "t-building-a",
        "alertOnMaintenanceGroups": ["g-maintenance"],
        "alertOnIncidentGroups": ["g-maintenance", "g-security"],
        "alertOnMajorIncidentGroups": ["g-management"],
        "alertOnDangerNoticeGroups": ["g-security"],
        "alertOnHaltNoticeGroups": []
    });
    mock("POST", "/target")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, target_json("t1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let target = types::Target {
        ns_code: Some("acme".into()),
        name: Some("Main elevator".into()),
        location_site: Some("ls1".into()),
        target_class: Some("ELEVATOR".into()),
        contact: Some("c1".into()),
        group: Some("g-facilities".into()),
        parent: Some("t-building-a".into()),
        alert_on_maintenance_groups: Some(vec!["g-maintenance".into()]),
        alert_on_incident_groups: Some(vec!["g-maintenance".into(), "g-security".into()]),
        alert_on_major_incident_groups: Some(vec!["g-management".into()]),
        alert_on_danger_notice_groups: Some(vec!["g-security".into()]),
        alert_on_halt_notice_groups: Some(vec![]),
        ..Default::default()
    };
    let created = h
        .api
        .target_create()
        .body(target.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_target(&created, "t1");

    next_phase(&h.server).await;
    mock("POST", "/target")
        .respond_with(error_response(409, "Target Main elevator already exists"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.target_create().body(target).send().await.unwrap_err();
    assert_error(
        err.into(),
        409,
        "Target Main elevator already exists",
        "target_create",
    );
}

/// target_get: GET /target/{targetId}
#[tokio::test]
async fn target_get() {
    let h = harness().await;
    mock("GET", "/target/t1")
        .respond_with(json_ok(200, target_json("t1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let target = h.api.target_get().target_id("t1").send().await.unwrap();
    assert_eq!(target.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_target(&target, "t1");

    next_phase(&h.server).await;
    mock("GET", "/target/missing")
        .respond_with(error_response(404, "Target not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .target_get()
        .target_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Target not found", "target_get");
}

/// target_update: PUT /target/{targetId}
#[tokio::test]
async fn target_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "t1",
        "name": "Main elevator (north)",
        "targetClass": "ELEVATOR",
        "alertOnHaltNoticeGroups": ["g-management"]
    });
    mock("PUT", "/target/t1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, target_json("t1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::Target {
        id: Some("t1".into()),
        name: Some("Main elevator (north)".into()),
        target_class: Some("ELEVATOR".into()),
        alert_on_halt_notice_groups: Some(vec!["g-management".into()]),
        ..Default::default()
    };
    let updated = h
        .api
        .target_update()
        .target_id("t1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_target(&updated, "t1");

    next_phase(&h.server).await;
    mock("PUT", "/target/t1")
        .respond_with(error_response(400, "Parent target t1 would form a cycle"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .target_update()
        .target_id("t1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Parent target t1 would form a cycle",
        "target_update",
    );
}

/// target_delete: DELETE /target/{targetId} -> 204
#[tokio::test]
async fn target_delete() {
    let h = harness().await;
    mock("DELETE", "/target/t1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h.api.target_delete().target_id("t1").send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/target/t1")
        .respond_with(error_response(
            403,
            "Client does not have required permission TARGET_DELETE.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .target_delete()
        .target_id("t1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission TARGET_DELETE.",
        "target_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// location_sites
// ---------------------------------------------------------------------------------------------

/// locationsite_list: GET /locationsite?filter&startIndex&count&sortBy&ascending&flat
#[tokio::test]
async fn locationsite_list() {
    let h = harness().await;
    let filter = r#"city eq "Helsinki" and name sw "Head \\ office""#;
    mock("GET", "/locationsite")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "30"))
        .and(query_param("sortBy", "name"))
        .and(query_param("ascending", "ascending"))
        .and(query_param("flat", "true"))
        .respond_with(json_ok(
            200,
            page_json(1, 0, vec![location_site_json("ls1")]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .locationsite_list()
        .filter(Filter::eq("city", "Helsinki").and(Filter::sw("name", "Head \\ office")))
        .start_index(0)
        .count(30)
        .sort_by("name")
        .ascending(types::SortDirection::Ascending)
        .flat(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_no_body(
        &only_request(
            &h.server,
            &[
                ("filter", filter),
                ("startIndex", "0"),
                ("count", "30"),
                ("sortBy", "name"),
                ("ascending", "ascending"),
                ("flat", "true"),
            ],
        )
        .await,
    );
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.start_index, Some(0));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_location_site(&page.resources[0], "ls1");

    next_phase(&h.server).await;
    mock("GET", "/locationsite")
        .and(query_param("ascending", "descending"))
        .and(query_param("flat", "false"))
        .respond_with(error_response(
            403,
            "Client does not have required permission LOCATION_SITE_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .locationsite_list()
        .ascending(types::SortDirection::Descending)
        .flat(false)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("ascending", "descending"), ("flat", "false")]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission LOCATION_SITE_VIEW.",
        "locationsite_list",
    );
}

/// locationsite_list: every item through the paginator; filter, sort and `flat` kept on every
/// page.
#[tokio::test]
async fn locationsite_list_streams_two_pages() {
    let h = harness().await;
    let items = stream_two_pages(
        &h,
        "/locationsite",
        h.api
            .locationsite_list()
            .filter(Filter::eq("country", "FI"))
            .sort_by("city")
            .ascending(types::SortDirection::Descending)
            .flat(true),
        &[
            ("filter", r#"country eq "FI""#),
            ("sortBy", "city"),
            ("ascending", "descending"),
            ("flat", "true"),
        ],
        location_site_json,
    )
    .await;
    let ids: Vec<_> = items.iter().map(|s| s.id.as_deref()).collect();
    assert_eq!(ids, [Some("p1"), Some("p2"), Some("p3")]);
    assert_location_site(&items[2], "p3");
}

/// locationsite_create: POST /locationsite -> 201
#[tokio::test]
async fn locationsite_create() {
    let h = harness().await;
    let expected_body = json!({
        "name": "Head office",
        "description": "Acme head office, 3rd floor",
        "country": "FI",
        "city": "Helsinki",
        "postal": "00100",
        "street": "Mannerheimintie 1",
        "building": "A",
        "room": "301",
        "subnets": ["10.1.0.0/16"],
        "parent": "ls-campus",
        "geoLatitude": "60.1699",
        "geoLongitude": "24.9384",
        "nsCode": "acme",
        "coordinates": [{"system": "building-grid", "x": 10, "y": -4, "z": 3}]
    });
    mock("POST", "/locationsite")
        .and(body_json(&expected_body))
        .respond_with(json_ok(201, location_site_json("ls1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let site = types::LocationSite {
        name: Some("Head office".into()),
        description: Some("Acme head office, 3rd floor".into()),
        country: Some("FI".into()),
        city: Some("Helsinki".into()),
        postal: Some("00100".into()),
        street: Some("Mannerheimintie 1".into()),
        building: Some("A".into()),
        room: Some("301".into()),
        subnets: Some(vec!["10.1.0.0/16".into()]),
        parent: Some("ls-campus".into()),
        geo_latitude: Some("60.1699".into()),
        geo_longitude: Some("24.9384".into()),
        ns_code: Some("acme".into()),
        coordinates: Some(vec![types::Coordinate {
            system: Some("building-grid".into()),
            x: Some(10),
            y: Some(-4),
            z: Some(3),
        }]),
        ..Default::default()
    };
    let created = h
        .api
        .locationsite_create()
        .body(site.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_location_site(&created, "ls1");

    next_phase(&h.server).await;
    mock("POST", "/locationsite")
        .respond_with(error_response(400, "Invalid subnet 10.1.0.0/33"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .locationsite_create()
        .body(site)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Invalid subnet 10.1.0.0/33",
        "locationsite_create",
    );
}

/// locationsite_get: GET /locationsite/{locationsiteId}
#[tokio::test]
async fn locationsite_get() {
    let h = harness().await;
    mock("GET", "/locationsite/ls1")
        .respond_with(json_ok(200, location_site_json("ls1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let site = h
        .api
        .locationsite_get()
        .locationsite_id("ls1")
        .send()
        .await
        .unwrap();
    assert_eq!(site.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_location_site(&site, "ls1");

    next_phase(&h.server).await;
    mock("GET", "/locationsite/missing")
        .respond_with(error_response(404, "Location site not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .locationsite_get()
        .locationsite_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Location site not found",
        "locationsite_get",
    );
}

/// locationsite_update: PUT /locationsite/{locationsiteId}
#[tokio::test]
async fn locationsite_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "ls1",
        "name": "Head office",
        "room": "302",
        "inRoomPosition": "north wall",
        "contact": "c2",
        "group": "g-facilities",
        "uri": "https://acme.example.com/sites/hq",
        "phone": "+35891234568",
        "state": "Uusimaa",
        "subnets": []
    });
    mock("PUT", "/locationsite/ls1")
        .and(body_json(&expected_body))
        .respond_with(json_ok(200, location_site_json("ls1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::LocationSite {
        id: Some("ls1".into()),
        name: Some("Head office".into()),
        room: Some("302".into()),
        in_room_position: Some("north wall".into()),
        contact: Some("c2".into()),
        group: Some("g-facilities".into()),
        uri: Some("https://acme.example.com/sites/hq".into()),
        phone: Some("+35891234568".into()),
        state: Some("Uusimaa".into()),
        subnets: Some(vec![]),
        ..Default::default()
    };
    let updated = h
        .api
        .locationsite_update()
        .locationsite_id("ls1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_location_site(&updated, "ls1");

    next_phase(&h.server).await;
    mock("PUT", "/locationsite/ls1")
        .respond_with(error_response(
            409,
            "Location site was modified concurrently",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .locationsite_update()
        .locationsite_id("ls1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Location site was modified concurrently",
        "locationsite_update",
    );
}

/// locationsite_delete: DELETE /locationsite/{locationsiteId} -> 204
#[tokio::test]
async fn locationsite_delete() {
    let h = harness().await;
    mock("DELETE", "/locationsite/ls1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .locationsite_delete()
        .locationsite_id("ls1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/locationsite/ls1")
        .respond_with(error_response(409, "Location site has child sites"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .locationsite_delete()
        .locationsite_id("ls1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Location site has child sites",
        "locationsite_delete",
    );
}
