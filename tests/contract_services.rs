//! Contract tests for every operation not tagged `users` or `invites`: namespaces, groups, data
//! storages, My Data, profiles, email, email templates and SMS; plus the data storage composite
//! helpers and the cross-cutting error, URL and path-encoding behaviour.
//!
//! Each operation test checks the method and exact path (with the Basic header), the exact query
//! string, the exact JSON body, the decoded response and status, and the mapping of an error
//! response to an `ApiError`.
mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use trivoreid::prelude::*;
use trivoreid::types;
use trivoreid::{ApiErrorKind, Filter, TrivoreId};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A namespace as the server sends it (nulls included, plus fields the SDK does not know).
fn namespace_json(id: &str) -> Value {
    json!({
        "id": id,
        "code": "acme",
        "name": "Acme Corporation",
        "shortName": "Acme",
        "usernamePolicy": "EMAIL",
        "commMethodMaxQty": 3,
        "duplicateNicknamesAllowed": false,
        "validFrom": "2019-01-01T00:00:00.000Z",
        "validTo": null,
        "authorisationRestrictedMode": false,
        "smsSettings": {"enabled": true, "customEnabled": false, "defaultOriginator": "Acme", "defaultRegion": "FI"},
        "defaultGroupPolicy": {
            "policyName": "Default policy",
            "minPwLength": 10,
            "preferredTimeFormat": "H_MM_SS_COLON_SEPARATOR",
            "deleteMode": "SOFT_DELETE",
            "twoFactorAuthOptions": "Allow TOTP 2FA only",
            "loginAllowedIpRules": [{"cidr": "10.0.0.0/8", "allowed": true}],
            "resetPasswordOptions": {"namespaceInfoHidden": true},
            "aPolicyFieldAddedLater": 7
        },
        "meta": meta_json(&format!("namespace/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn group_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "admins",
        "description": "Administrators",
        "nsCode": "acme",
        "disallowUsers": false,
        "disallowContacts": true,
        "disallowGroups": false,
        "memberOf": ["g0"],
        "meta": meta_json(&format!("group/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn datastorage_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "prefs",
        "description": "User preferences",
        "ownerId": "5b9f0a1c2d3e4f5a6b7c8d9e",
        "adminAccess": ["5b9f0a1c2d3e4f5a6b7c8d9e"],
        "readAccess": ["g-readers"],
        "writeAccess": [],
        "size": 2048,
        "unknownFieldTheServerAdded": true
    })
}

fn email_template_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "welcome",
        "description": "Welcome message",
        "templateEngine": "PEBBLE",
        "defaultLocale": "fi",
        "defaultTimeZone": "Europe/Helsinki",
        "subjectTemplate": "Welcome {{ user.name.givenName }}",
        "htmlTemplate": "<p>Hei {{ user.name.givenName }}</p>",
        "textTemplate": "Hei {{ user.name.givenName }}",
        "localeProperties": {"en": {"greeting": "Hello"}, "fi": {"greeting": "Hei", "count": 2}},
        "namespaceIds": ["ns1", "ns2"],
        "unknownFieldTheServerAdded": "x"
    })
}

fn mydata_package_json() -> Value {
    json!({
        "id": "pkg1",
        "userId": "u1",
        "status": "READY",
        "collectingStartedOn": "2020-05-01T10:00:00.000Z",
        "collectedOn": "2020-05-01T10:05:30.250Z",
        "dataEntries": [
            {
                "code": "ACCOUNT",
                "status": "OK",
                "document": {"username": "ada", "emails": ["ada@example.com"]},
                "backendSystemName": "Trivore ID",
                "mimeType": "application/json",
                "account": "ada",
                "updatedOn": "2020-05-01T10:05:00.000Z",
                "dataId": "d1",
                "backendSystem": "tis",
                "data": {"id": "d1", "data": "eyJ1c2VybmFtZSI6ImFkYSJ9"}
            },
            {
                "code": "FILE",
                "status": "OK",
                "dataId": "d2",
                "mimeType": "application/pdf",
                "dataIdAsObjectId": {"timestamp": 1588327500, "counter": 1234, "machineIdentifier": 5,
                                      "processIdentifier": 6, "date": 1588327500000_i64},
                "anEntryFieldAddedLater": 1
            }
        ],
        "unknownFieldTheServerAdded": [1, 2]
    })
}

fn profile_json() -> Value {
    json!({
        "mobiles": [{"number": "+358401234567", "verified": true}],
        "emails": [{"address": "ada@example.com", "verified": false}],
        "addresses": [{"addressName": "Home", "streetAddress": "Kotikatu 1", "postalCode": "00100",
                       "locality": "Helsinki", "country": "FI", "type": "PERMANENT"}],
        "legalAddresses": [{"streetAddress": "Virallinen 2", "locality": "Espoo", "country": "FI", "source": "VTJ"}],
        "nickName": "ada",
        "dateOfBirth": "1990-05-17",
        "locale": "fi",
        "minor": false,
        "timeZone": "Europe/Helsinki",
        "lastModified": "2018-09-21T06:29:05.708Z",
        "domicileCode": "091",
        "legalDomicileCode": "049",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "consents": {"marketingEmail": true, "profiling": false},
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn sms_result_json() -> Value {
    json!({
        "status": "OK",
        "description": "Message accepted for delivery",
        "action": "send",
        "messageId": "m-42",
        "to": "+358401234567",
        "toRegion": "FI",
        "clientRef": "client-ref-1",
        "billingRef": "billing-ref-1",
        "carrierRef": "carrier-ref-1",
        "messageCount": 2,
        "billingState": "BILLED",
        "totalPrice": 0.13,
        "remainingCredits": 99.87,
        "unknownFieldTheServerAdded": null
    })
}

fn sms_message() -> types::SmsMessage {
    types::SmsMessage {
        to: "+358401234567".into(),
        to_name: Some("Ada".into()),
        to_region: Some("FI".into()),
        from: Some("Acme".into()),
        from_required: Some(true),
        message_class: Some(1),
        text: Some("Your code is 123456".into()),
        data: None,
        udh: None,
        ttl: Some(60),
        carrier_ref: Some("carrier-ref-1".into()),
        billing_ref: Some("billing-ref-1".into()),
        callback: Some("https://example.com/sms/dlr".into()),
        client_ref: Some("client-ref-1".into()),
    }
}

fn sms_message_json() -> Value {
    json!({
        "to": "+358401234567",
        "toName": "Ada",
        "toRegion": "FI",
        "from": "Acme",
        "fromRequired": true,
        "messageClass": 1,
        "text": "Your code is 123456",
        "ttl": 60,
        "carrierRef": "carrier-ref-1",
        "billingRef": "billing-ref-1",
        "callback": "https://example.com/sms/dlr",
        "clientRef": "client-ref-1"
    })
}

fn address(address: &str) -> types::EmailAddress {
    types::EmailAddress {
        address: Some(address.into()),
        ..Default::default()
    }
}

fn named_address(address: &str, name: &str) -> types::EmailAddress {
    types::EmailAddress {
        address: Some(address.into()),
        name: Some(name.into()),
        ..Default::default()
    }
}

fn map(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn assert_sms_result(result: &types::SmsSendResult) {
    assert_eq!(result.status.as_deref(), Some("OK"));
    assert_eq!(result.message_id.as_deref(), Some("m-42"));
    assert_eq!(result.client_ref.as_deref(), Some("client-ref-1"));
    assert_eq!(result.carrier_ref.as_deref(), Some("carrier-ref-1"));
    assert_eq!(result.billing_ref.as_deref(), Some("billing-ref-1"));
    assert_eq!(result.message_count, Some(2));
    assert_eq!(result.total_price, Some(0.13));
    assert_eq!(result.remaining_credits, Some(99.87));
}

// ---------------------------------------------------------------------------------------------
// namespaces
// ---------------------------------------------------------------------------------------------

/// namespace_list: GET /namespace?filter&startIndex&count&all
#[tokio::test]
async fn namespace_list() {
    let h = harness().await;
    mock("GET", "/namespace")
        .and(query_param("filter", r#"code eq "ac\"me""#))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "50"))
        .and(query_param("all", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 1, "startIndex": 0, "itemsPerPage": 1,
            "resources": [namespace_json("ns1")],
            "unknownFieldTheServerAdded": 1
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .namespace_list()
        .filter(Filter::eq("code", "ac\"me"))
        .start_index(0)
        .count(50)
        .all(true)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", r#"code eq "ac\"me""#),
            ("startIndex", "0"),
            ("count", "50"),
            ("all", "true"),
        ],
    )
    .await;
    assert_no_body(&request);
    let page = page.into_inner();
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.start_index, Some(0));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    let ns = &page.resources[0];
    assert_eq!(ns.id.as_deref(), Some("ns1"));
    assert_eq!(ns.code.as_deref(), Some("acme"));
    assert_eq!(ns.comm_method_max_qty, Some(3));
    assert_eq!(ns.valid_to, None);
    assert_eq!(
        ns.valid_from.unwrap().to_rfc3339(),
        "2019-01-01T00:00:00+00:00"
    );
    let sms = ns.sms_settings.as_ref().unwrap();
    assert_eq!(sms.default_region.as_deref(), Some("FI"));
    assert_eq!(sms.enabled, Some(true));
    let policy = ns.default_group_policy.as_ref().unwrap();
    assert_eq!(policy.min_pw_length, Some(10));
    assert_eq!(policy.delete_mode.as_deref(), Some("SOFT_DELETE"));
    assert_eq!(
        policy.login_allowed_ip_rules.as_ref().unwrap()[0]
            .cidr
            .as_deref(),
        Some("10.0.0.0/8")
    );

    next_phase(&h.server).await;
    mock("GET", "/namespace")
        .and(query_param("all", "false"))
        .respond_with(error_response(
            403,
            "Client does not have required permission NAMESPACE_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.namespace_list().all(false).send().await.unwrap_err();
    only_request(&h.server, &[("all", "false")]).await;
    assert_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission NAMESPACE_VIEW.",
        "namespace_list",
    );
}

/// namespace_create: POST /namespace -> 201
#[tokio::test]
async fn namespace_create() {
    let h = harness().await;
    let expected_body = json!({
        "code": "acme",
        "name": "Acme Corporation",
        "shortName": "Acme",
        "usernamePolicy": "EMAIL",
        "commMethodMaxQty": 3,
        "duplicateNicknamesAllowed": false,
        "smsSettings": {"enabled": true, "defaultRegion": "FI"},
        "defaultGroupPolicy": {"policyName": "Default policy", "minPwLength": 10}
    });
    mock("POST", "/namespace")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(namespace_json("ns1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let namespace = types::Namespace {
        code: Some("acme".into()),
        name: Some("Acme Corporation".into()),
        short_name: Some("Acme".into()),
        username_policy: Some("EMAIL".into()),
        comm_method_max_qty: Some(3),
        duplicate_nicknames_allowed: Some(false),
        sms_settings: Some(types::SmsSettings {
            enabled: Some(true),
            default_region: Some("FI".into()),
            ..Default::default()
        }),
        default_group_policy: Some(types::DefaultGroupPolicy {
            policy_name: Some("Default policy".into()),
            min_pw_length: Some(10),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = h
        .api
        .namespace_create()
        .body(namespace.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(created.id.as_deref(), Some("ns1"));
    assert_eq!(created.short_name.as_deref(), Some("Acme"));
    assert_eq!(
        created.meta.as_ref().unwrap().location.as_deref(),
        Some("https://id.example.com/api/rest/v1/namespace/ns1")
    );

    next_phase(&h.server).await;
    mock("POST", "/namespace")
        .respond_with(error_response(409, "Namespace code acme is already in use"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .namespace_create()
        .body(namespace)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        409,
        "Namespace code acme is already in use",
        "namespace_create",
    );
}

/// namespace_get: GET /namespace/{idOrCode}
#[tokio::test]
async fn namespace_get() {
    let h = harness().await;
    mock("GET", "/namespace/acme")
        .respond_with(ResponseTemplate::new(200).set_body_json(namespace_json("ns1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let ns = h
        .api
        .namespace_get()
        .id_or_code("acme")
        .send()
        .await
        .unwrap();
    assert_eq!(ns.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(ns.id.as_deref(), Some("ns1"));
    assert_eq!(ns.name.as_deref(), Some("Acme Corporation"));
    assert_eq!(ns.username_policy.as_deref(), Some("EMAIL"));
    assert_eq!(ns.authorisation_restricted_mode, Some(false));
    assert_eq!(
        ns.meta.as_ref().unwrap().created.unwrap().to_rfc3339(),
        "2017-03-20T11:04:21.534+00:00"
    );

    next_phase(&h.server).await;
    mock("GET", "/namespace/nope")
        .respond_with(error_response(404, "Namespace not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .namespace_get()
        .id_or_code("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Namespace not found",
        "namespace_get",
    );
}

/// namespace_update: PUT /namespace/{idOrCode}
#[tokio::test]
async fn namespace_update() {
    let h = harness().await;
    // Unlike the reference SDK, defaultGroupPolicy is sent on update.
    let expected_body = json!({
        "id": "ns1",
        "code": "acme",
        "name": "Acme Oy",
        "validTo": "2030-12-31T23:59:59.999Z",
        "defaultGroupPolicy": {"policyName": "Strict", "minPwLength": 14, "deleteMode": "HARD_DELETE"}
    });
    mock("PUT", "/namespace/ns1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(namespace_json("ns1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::Namespace {
        id: Some("ns1".into()),
        code: Some("acme".into()),
        name: Some("Acme Oy".into()),
        valid_to: Some("2030-12-31T23:59:59.999Z".parse().unwrap()),
        default_group_policy: Some(types::DefaultGroupPolicy {
            policy_name: Some("Strict".into()),
            min_pw_length: Some(14),
            delete_mode: Some("HARD_DELETE".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = h
        .api
        .namespace_update()
        .id_or_code("ns1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.code.as_deref(), Some("acme"));
    assert_eq!(
        updated
            .default_group_policy
            .as_ref()
            .unwrap()
            .policy_name
            .as_deref(),
        Some("Default policy")
    );

    next_phase(&h.server).await;
    mock("PUT", "/namespace/ns1")
        .respond_with(error_response(400, "Invalid value for usernamePolicy"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .namespace_update()
        .id_or_code("ns1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Invalid value for usernamePolicy",
        "namespace_update",
    );
}

/// namespace_delete: DELETE /namespace/{idOrCode} -> 204
#[tokio::test]
async fn namespace_delete() {
    let h = harness().await;
    mock("DELETE", "/namespace/acme")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .namespace_delete()
        .id_or_code("acme")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/namespace/acme")
        .respond_with(error_response(
            403,
            "Client does not have required permission NAMESPACE_DELETE.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .namespace_delete()
        .id_or_code("acme")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission NAMESPACE_DELETE.",
        "namespace_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// groups
// ---------------------------------------------------------------------------------------------

/// group_list: GET /group?filter&startIndex&count
#[tokio::test]
async fn group_list() {
    let h = harness().await;
    let filter = r#"nsCode eq "acme" and name co "adm\"in""#;
    mock("GET", "/group")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "20"))
        .and(query_param("count", "10"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 21, "startIndex": 20, "itemsPerPage": 1,
            "resources": [group_json("g1")]
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .group_list()
        .filter(Filter::eq("nsCode", "acme").and(Filter::co("name", "adm\"in")))
        .start_index(20)
        .count(10)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[("filter", filter), ("startIndex", "20"), ("count", "10")],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(21));
    assert_eq!(page.start_index, Some(20));
    assert_eq!(page.resources.len(), 1);
    assert_eq!(page.resources[0].id.as_deref(), Some("g1"));
    assert_eq!(page.resources[0].disallow_contacts, Some(true));

    next_phase(&h.server).await;
    mock("GET", "/group")
        .respond_with(error_response(401, "Unauthorized"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.group_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        trivoreid::Error::from(err),
        401,
        "Unauthorized",
        "group_list",
    );
}

/// group_create: POST /group -> 201
#[tokio::test]
async fn group_create() {
    let h = harness().await;
    let expected_body = json!({
        "name": "admins",
        "description": "Administrators",
        "nsCode": "acme",
        "disallowContacts": true,
        "memberOf": ["g0"]
    });
    mock("POST", "/group")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(group_json("g1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let group = types::Group {
        name: Some("admins".into()),
        description: Some("Administrators".into()),
        ns_code: Some("acme".into()),
        disallow_contacts: Some(true),
        member_of: Some(vec!["g0".into()]),
        ..Default::default()
    };
    let created = h
        .api
        .group_create()
        .body(group.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_eq!(created.id.as_deref(), Some("g1"));
    assert_eq!(created.name.as_deref(), Some("admins"));
    assert_eq!(created.member_of, Some(vec!["g0".to_owned()]));
    assert_eq!(created.disallow_users, Some(false));

    next_phase(&h.server).await;
    mock("POST", "/group")
        .respond_with(error_response(409, "Group admins already exists"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.group_create().body(group).send().await.unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        409,
        "Group admins already exists",
        "group_create",
    );
}

/// group_get: GET /group/{groupId}
#[tokio::test]
async fn group_get() {
    let h = harness().await;
    mock("GET", "/group/g1")
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json("g1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let group = h.api.group_get().group_id("g1").send().await.unwrap();
    assert_eq!(group.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(group.id.as_deref(), Some("g1"));
    assert_eq!(group.ns_code.as_deref(), Some("acme"));
    assert_eq!(group.description.as_deref(), Some("Administrators"));
    assert_eq!(
        group
            .meta
            .as_ref()
            .unwrap()
            .last_modified
            .unwrap()
            .to_rfc3339(),
        "2018-09-21T06:29:05.708+00:00"
    );

    next_phase(&h.server).await;
    mock("GET", "/group/missing")
        .respond_with(error_response(404, "Group not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .group_get()
        .group_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Group not found",
        "group_get",
    );
}

/// group_update: PUT /group/{groupId}
#[tokio::test]
async fn group_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "g1",
        "name": "admins",
        "description": "Administrators of Acme",
        "disallowGroups": true,
        "memberOf": ["g0", "g2"]
    });
    mock("PUT", "/group/g1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json("g1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let group = types::Group {
        id: Some("g1".into()),
        name: Some("admins".into()),
        description: Some("Administrators of Acme".into()),
        disallow_groups: Some(true),
        member_of: Some(vec!["g0".into(), "g2".into()]),
        ..Default::default()
    };
    let updated = h
        .api
        .group_update()
        .group_id("g1")
        .body(group.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_eq!(updated.id.as_deref(), Some("g1"));
    assert_eq!(updated.name.as_deref(), Some("admins"));

    next_phase(&h.server).await;
    mock("PUT", "/group/g1")
        .respond_with(error_response(400, "Group name must not be empty"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .group_update()
        .group_id("g1")
        .body(group)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Group name must not be empty",
        "group_update",
    );
}

/// group_delete: DELETE /group/{groupId} -> 204
#[tokio::test]
async fn group_delete() {
    let h = harness().await;
    mock("DELETE", "/group/g1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h.api.group_delete().group_id("g1").send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/group/g1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .group_delete()
        .group_id("g1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        500,
        "Internal server error",
        "group_delete",
    );
}

/// group_nested_list: GET /group/{groupId}/nested (a bare JSON array)
#[tokio::test]
async fn group_nested_list() {
    let h = harness().await;
    mock("GET", "/group/g1/nested")
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([group_json("g2"), group_json("g3")])),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let nested = h
        .api
        .group_nested_list()
        .group_id("g1")
        .send()
        .await
        .unwrap();
    assert_eq!(nested.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let ids: Vec<_> = nested.iter().map(|g| g.id.as_deref()).collect();
    assert_eq!(ids, vec![Some("g2"), Some("g3")]);
    assert_eq!(nested[1].name.as_deref(), Some("admins"));

    next_phase(&h.server).await;
    mock("GET", "/group/gone/nested")
        .respond_with(error_response(404, "Group not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .group_nested_list()
        .group_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Group not found",
        "group_nested_list",
    );
}

// ---------------------------------------------------------------------------------------------
// data_storages
// ---------------------------------------------------------------------------------------------

/// datastorage_list: GET /datastorage?dsfilter&datafilter&startIndex&count
#[tokio::test]
async fn datastorage_list() {
    let h = harness().await;
    let dsfilter = r#"name eq "a\"b +&=#%""#;
    let datafilter = r#"theme eq "dark" or fontSize gt 12"#;
    mock("GET", "/datastorage")
        .and(query_param("dsfilter", dsfilter))
        .and(query_param("datafilter", datafilter))
        .and(query_param("startIndex", "5"))
        .and(query_param("count", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 6, "startIndex": 5, "itemsPerPage": 1,
            "resources": [datastorage_json("ds1")]
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .datastorage_list()
        .dsfilter(Filter::eq("name", "a\"b +&=#%"))
        .datafilter(Filter::eq("theme", "dark").or(Filter::gt("fontSize", 12)))
        .start_index(5)
        .count(100)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("dsfilter", dsfilter),
            ("datafilter", datafilter),
            ("startIndex", "5"),
            ("count", "100"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(6));
    let storage = &page.resources[0];
    assert_eq!(storage.id.as_deref(), Some("ds1"));
    assert_eq!(
        storage.owner_id.as_deref(),
        Some("5b9f0a1c2d3e4f5a6b7c8d9e")
    );
    assert_eq!(storage.size, Some(2048));
    assert_eq!(storage.read_access, Some(json!(["g-readers"])));

    next_phase(&h.server).await;
    mock("GET", "/datastorage")
        .respond_with(error_response(400, "Invalid filter"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_list()
        .dsfilter(Filter::pr("name"))
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("dsfilter", "name pr")]).await;
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Invalid filter",
        "datastorage_list",
    );
}

/// datastorage_create: POST /datastorage -> 201
#[tokio::test]
async fn datastorage_create() {
    let h = harness().await;
    let expected_body = json!({
        "name": "prefs",
        "description": "User preferences",
        "adminAccess": ["5b9f0a1c2d3e4f5a6b7c8d9e"],
        "readAccess": ["g-readers"],
        "writeAccess": ["g-writers"]
    });
    mock("POST", "/datastorage")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let storage = types::DataStorage {
        name: Some("prefs".into()),
        description: Some("User preferences".into()),
        admin_access: Some(json!(["5b9f0a1c2d3e4f5a6b7c8d9e"])),
        read_access: Some(json!(["g-readers"])),
        write_access: Some(json!(["g-writers"])),
        ..Default::default()
    };
    let created = h
        .api
        .datastorage_create()
        .body(storage.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_eq!(created.id.as_deref(), Some("ds1"));
    assert_eq!(
        created.owner_id.as_deref(),
        Some("5b9f0a1c2d3e4f5a6b7c8d9e")
    );
    assert_eq!(created.write_access, Some(json!([])));

    next_phase(&h.server).await;
    mock("POST", "/datastorage")
        .respond_with(error_response(
            403,
            "Client does not have required permission DATA_STORAGE_CREATE.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_create()
        .body(storage)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission DATA_STORAGE_CREATE.",
        "datastorage_create",
    );
}

/// datastorage_get: GET /datastorage/{dsId}
#[tokio::test]
async fn datastorage_get() {
    let h = harness().await;
    mock("GET", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(200).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let storage = h.api.datastorage_get().ds_id("ds1").send().await.unwrap();
    assert_eq!(storage.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(storage.id.as_deref(), Some("ds1"));
    assert_eq!(storage.name.as_deref(), Some("prefs"));
    assert_eq!(
        storage.owner_id.as_deref(),
        Some("5b9f0a1c2d3e4f5a6b7c8d9e")
    );
    assert_eq!(
        storage.admin_access,
        Some(json!(["5b9f0a1c2d3e4f5a6b7c8d9e"]))
    );
    assert_eq!(storage.size, Some(2048));

    next_phase(&h.server).await;
    mock("GET", "/datastorage/nope")
        .respond_with(error_response(404, "Data storage not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_get()
        .ds_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Data storage not found",
        "datastorage_get",
    );
}

/// datastorage_update: PUT /datastorage/{dsId}
#[tokio::test]
async fn datastorage_update() {
    let h = harness().await;
    let expected_body = json!({
        "id": "ds1",
        "name": "prefs-v2",
        "description": "User preferences v2",
        "readAccess": ["g-readers", "g-auditors"]
    });
    mock("PUT", "/datastorage/ds1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let storage = types::DataStorage {
        id: Some("ds1".into()),
        name: Some("prefs-v2".into()),
        description: Some("User preferences v2".into()),
        read_access: Some(json!(["g-readers", "g-auditors"])),
        ..Default::default()
    };
    let updated = h
        .api
        .datastorage_update()
        .ds_id("ds1")
        .body(storage)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_eq!(updated.id.as_deref(), Some("ds1"));
    assert_eq!(updated.size, Some(2048));

    // Read-modify-write of a storage as the server sent it: the owner is never sent under the
    // reference SDK's wrong key `owner_id`.
    next_phase(&h.server).await;
    mock("PUT", "/datastorage/ds1")
        .respond_with(error_response(
            409,
            "Data storage was modified concurrently",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut fetched: types::DataStorage = serde_json::from_value(datastorage_json("ds1")).unwrap();
    fetched.description = Some("changed".into());
    let err = h
        .api
        .datastorage_update()
        .ds_id("ds1")
        .body(fetched)
        .send()
        .await
        .unwrap_err();
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent["description"], "changed");
    assert!(sent.get("owner_id").is_none(), "owner_id sent: {sent}");
    if let Some(owner) = sent.get("ownerId") {
        assert_eq!(owner, "5b9f0a1c2d3e4f5a6b7c8d9e");
    }
    assert!(
        sent.get("unknownFieldTheServerAdded").is_none(),
        "an unknown field was echoed: {sent}"
    );
    assert_error(
        trivoreid::Error::from(err),
        409,
        "Data storage was modified concurrently",
        "datastorage_update",
    );
}

/// datastorage_delete: DELETE /datastorage/{dsId} -> 204
#[tokio::test]
async fn datastorage_delete() {
    let h = harness().await;
    mock("DELETE", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .datastorage_delete()
        .ds_id("ds1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/datastorage/ds1")
        .respond_with(error_response(503, "Service temporarily unavailable"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_delete()
        .ds_id("ds1")
        .send()
        .await
        .unwrap_err();
    let err = trivoreid::Error::from(err);
    assert!(err.as_api().unwrap().is_retryable());
    assert_error(
        err,
        503,
        "Service temporarily unavailable",
        "datastorage_delete",
    );
}

/// datastorage_data_get: GET /datastorage/{dsId}/data
#[tokio::test]
async fn datastorage_data_get() {
    let h = harness().await;
    let data = json!({"theme": "dark", "fontSize": 14, "recent": [1, 2, 3], "nested": {"a": null}});
    mock("GET", "/datastorage/ds1/data")
        .respond_with(ResponseTemplate::new(200).set_body_json(&data))
        .expect(1)
        .mount(&h.server)
        .await;
    let got = h
        .api
        .datastorage_data_get()
        .ds_id("ds1")
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let got: serde_json::Map<String, Value> = got.into_inner().into();
    assert_eq!(Value::Object(got.clone()), data);
    assert_eq!(got["fontSize"], 14);

    next_phase(&h.server).await;
    mock("GET", "/datastorage/ds1/data")
        .respond_with(error_response(403, "No read access to data storage"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_data_get()
        .ds_id("ds1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        403,
        "No read access to data storage",
        "datastorage_data_get",
    );
}

/// datastorage_data_update: PUT /datastorage/{dsId}/data -> 204
#[tokio::test]
async fn datastorage_data_update() {
    let h = harness().await;
    let data = json!({"theme": "light", "fontSize": 12, "tags": ["a", "b"], "cleared": null});
    mock("PUT", "/datastorage/ds1/data")
        .and(body_json(&data))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let done = h
        .api
        .datastorage_data_update()
        .ds_id("ds1")
        .body(map(data.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), data);

    next_phase(&h.server).await;
    mock("PUT", "/datastorage/ds1/data")
        .respond_with(error_response(400, "Data storage size limit exceeded"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_data_update()
        .ds_id("ds1")
        .body(map(data))
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Data storage size limit exceeded",
        "datastorage_data_update",
    );
}

/// datastorage_value_get: GET /datastorage/{dsId}/data/{key}
#[tokio::test]
async fn datastorage_value_get() {
    let h = harness().await;
    mock("GET", "/datastorage/ds1/data/theme")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "value": {"name": "dark", "contrast": 7},
            "unknownFieldTheServerAdded": 1
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let value = h
        .api
        .datastorage_value_get()
        .ds_id("ds1")
        .key("theme")
        .send()
        .await
        .unwrap();
    assert_eq!(value.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(value.value, json!({"name": "dark", "contrast": 7}));

    next_phase(&h.server).await;
    mock("GET", "/datastorage/ds1/data/missing")
        .respond_with(error_response(404, "Key not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_value_get()
        .ds_id("ds1")
        .key("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Key not found",
        "datastorage_value_get",
    );
}

/// datastorage_value_update: PUT /datastorage/{dsId}/data/{key} -> 204
#[tokio::test]
async fn datastorage_value_update() {
    let h = harness().await;
    let expected_body = json!({"value": ["x", 1, true, null]});
    mock("PUT", "/datastorage/ds1/data/recent")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let done = h
        .api
        .datastorage_value_update()
        .ds_id("ds1")
        .key("recent")
        .body(types::DataStorageValue {
            value: json!(["x", 1, true, null]),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("PUT", "/datastorage/ds1/data/recent")
        .respond_with(error_response(400, "Key must not contain '.'"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_value_update()
        .ds_id("ds1")
        .key("recent")
        .body(types::DataStorageValue { value: json!(5) })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        json!({"value": 5})
    );
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Key must not contain '.'",
        "datastorage_value_update",
    );
}

/// datastorage_value_delete: DELETE /datastorage/{dsId}/data/{key} -> 204
#[tokio::test]
async fn datastorage_value_delete() {
    let h = harness().await;
    mock("DELETE", "/datastorage/ds1/data/theme")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let done = h
        .api
        .datastorage_value_delete()
        .ds_id("ds1")
        .key("theme")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/datastorage/ds1/data/theme")
        .respond_with(error_response(404, "Key not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .datastorage_value_delete()
        .ds_id("ds1")
        .key("theme")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Key not found",
        "datastorage_value_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// my_data
// ---------------------------------------------------------------------------------------------

fn assert_mydata_package(package: &types::MyDataPackage) {
    assert_eq!(package.id.as_deref(), Some("pkg1"));
    assert_eq!(package.user_id.as_deref(), Some("u1"));
    assert_eq!(package.status.as_deref(), Some("READY"));
    assert_eq!(
        package.collected_on.unwrap().to_rfc3339(),
        "2020-05-01T10:05:30.250+00:00"
    );
    assert_eq!(
        package.collecting_started_on.unwrap().to_rfc3339(),
        "2020-05-01T10:00:00+00:00"
    );
    assert_eq!(package.data_entries.as_ref().unwrap().len(), 2);
    let first = &package.data_entries.as_ref().unwrap()[0];
    assert_eq!(first.code.as_deref(), Some("ACCOUNT"));
    assert_eq!(first.document.as_ref().unwrap()["username"], "ada");
    assert_eq!(first.data.as_ref().unwrap().id.as_deref(), Some("d1"));
    assert_eq!(first.data_id_as_object_id, None);
    let second = &package.data_entries.as_ref().unwrap()[1];
    assert_eq!(second.data_id.as_deref(), Some("d2"));
    assert_eq!(second.mime_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        second.data_id_as_object_id.as_ref().unwrap().timestamp,
        Some(1588327500)
    );
}

/// mydata_get: GET /user/{userId}/mydata
#[tokio::test]
async fn mydata_get() {
    let h = harness().await;
    mock("GET", "/user/u1/mydata")
        .respond_with(ResponseTemplate::new(200).set_body_json(mydata_package_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let package = h.api.mydata_get().user_id("u1").send().await.unwrap();
    assert_eq!(package.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_mydata_package(&package);

    next_phase(&h.server).await;
    mock("GET", "/user/u2/mydata")
        .respond_with(error_response(404, "No My Data package for user"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.mydata_get().user_id("u2").send().await.unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "No My Data package for user",
        "mydata_get",
    );
}

/// mydata_request: POST /user/{userId}/mydata (no body) -> 200
#[tokio::test]
async fn mydata_request() {
    let h = harness().await;
    mock("POST", "/user/u1/mydata")
        .respond_with(ResponseTemplate::new(200).set_body_json(mydata_package_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let package = h.api.mydata_request().user_id("u1").send().await.unwrap();
    assert_eq!(package.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_mydata_package(&package);

    next_phase(&h.server).await;
    mock("POST", "/user/u1/mydata")
        .respond_with(error_response(409, "A package is already being collected"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .mydata_request()
        .user_id("u1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        409,
        "A package is already being collected",
        "mydata_request",
    );
}

/// mydata_user_get: GET /user/{userId}/mydata/user
#[tokio::test]
async fn mydata_user_get() {
    let h = harness().await;
    let info = json!({"id": "u1", "username": "ada", "emails": [{"address": "ada@example.com"}], "locked": false});
    mock("GET", "/user/u1/mydata/user")
        .respond_with(ResponseTemplate::new(200).set_body_json(&info))
        .expect(1)
        .mount(&h.server)
        .await;
    let got = h.api.mydata_user_get().user_id("u1").send().await.unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(got["username"], "ada");
    let got: serde_json::Map<String, Value> = got.into_inner().into();
    assert_eq!(Value::Object(got), info);

    next_phase(&h.server).await;
    mock("GET", "/user/u1/mydata/user")
        .respond_with(error_response(401, "Authentication required"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .mydata_user_get()
        .user_id("u1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        401,
        "Authentication required",
        "mydata_user_get",
    );
}

/// mydata_data_get: GET /user/{userId}/mydata/{dataId} (raw bytes)
#[tokio::test]
async fn mydata_data_get() {
    let h = harness().await;
    // Binary, not UTF-8, and ending in JSON whitespace: must arrive byte for byte.
    let mut bytes = b"%PDF-1.4\n\x00\xff\xfe\x80binary".to_vec();
    bytes.extend_from_slice(b"\r\n \t");
    mock("GET", "/user/u1/mydata/d2")
        .respond_with(ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/pdf"))
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h
        .api
        .mydata_data_get()
        .user_id("u1")
        .data_id("d2")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let all = requests(&h.server).await;
    assert_eq!(all.len(), 1);
    assert_query(&all[0], &[]);
    assert_no_body(&all[0]);
    let mut stream = response.into_inner_stream();
    let mut got = Vec::new();
    while let Some(chunk) = stream.try_next().await.unwrap() {
        got.extend_from_slice(&chunk);
    }
    assert_eq!(got, bytes);

    next_phase(&h.server).await;
    mock("GET", "/user/u1/mydata/gone")
        .respond_with(error_response(404, "My Data entry not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let Err(err) = h
        .api
        .mydata_data_get()
        .user_id("u1")
        .data_id("gone")
        .send()
        .await
    else {
        panic!("expected an error for a 404");
    };
    assert_error(
        trivoreid::Error::from(err),
        404,
        "My Data entry not found",
        "mydata_data_get",
    );
}

// ---------------------------------------------------------------------------------------------
// profile
// ---------------------------------------------------------------------------------------------

/// profile_get: GET /user/{userId}/profile
#[tokio::test]
async fn profile_get() {
    let h = harness().await;
    mock("GET", "/user/u1/profile")
        .respond_with(ResponseTemplate::new(200).set_body_json(profile_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let profile = h.api.profile_get().user_id("u1").send().await.unwrap();
    assert_eq!(profile.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(profile.nick_name.as_deref(), Some("ada"));
    assert_eq!(profile.date_of_birth.unwrap().to_string(), "1990-05-17");
    assert_eq!(
        profile.mobiles.as_ref().unwrap()[0].number.as_deref(),
        Some("+358401234567")
    );
    assert_eq!(profile.mobiles.as_ref().unwrap()[0].verified, Some(true));
    assert_eq!(
        profile.emails.as_ref().unwrap()[0].address.as_deref(),
        Some("ada@example.com")
    );
    // Addresses and legal addresses are distinct lists (the reference SDK mixes them up).
    assert_eq!(
        profile.addresses.as_ref().unwrap()[0]
            .street_address
            .as_deref(),
        Some("Kotikatu 1")
    );
    assert_eq!(
        profile.addresses.as_ref().unwrap()[0].type_.as_deref(),
        Some("PERMANENT")
    );
    assert_eq!(profile.legal_addresses.as_ref().unwrap().len(), 1);
    assert_eq!(
        profile.legal_addresses.as_ref().unwrap()[0]
            .street_address
            .as_deref(),
        Some("Virallinen 2")
    );
    assert_eq!(profile.legal_domicile_code.as_deref(), Some("049"));
    assert_eq!(
        profile.consents.as_ref().unwrap().marketing_email,
        Some(true)
    );
    assert_eq!(
        profile.name.as_ref().unwrap().family_name.as_deref(),
        Some("Lovelace")
    );

    next_phase(&h.server).await;
    mock("GET", "/user/nobody/profile")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .profile_get()
        .user_id("nobody")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "profile_get",
    );
}

/// profile_update: PUT /user/{userId}/profile
#[tokio::test]
async fn profile_update() {
    let h = harness().await;
    let expected_body = json!({
        "nickName": "countess",
        "dateOfBirth": "1815-12-10",
        "mobiles": [{"number": "+358401234567"}],
        "addresses": [{"streetAddress": "Kotikatu 1", "locality": "Helsinki", "country": "FI"}],
        "legalAddresses": [{"streetAddress": "Virallinen 2", "country": "FI"}],
        "consents": {"marketingEmail": false},
        "name": {"givenName": "Augusta Ada", "familyName": "King"}
    });
    mock("PUT", "/user/u1/profile")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(profile_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let profile = types::Profile {
        nick_name: Some("countess".into()),
        date_of_birth: Some("1815-12-10".parse().unwrap()),
        mobiles: Some(vec![types::ProfileMobile {
            number: Some("+358401234567".into()),
            ..Default::default()
        }]),
        addresses: Some(vec![types::Address {
            street_address: Some("Kotikatu 1".into()),
            locality: Some("Helsinki".into()),
            country: Some("FI".into()),
            ..Default::default()
        }]),
        legal_addresses: Some(vec![types::Address {
            street_address: Some("Virallinen 2".into()),
            country: Some("FI".into()),
            ..Default::default()
        }]),
        consents: Some(types::Consents {
            marketing_email: Some(false),
            ..Default::default()
        }),
        name: Some(types::Names {
            given_name: Some("Augusta Ada".into()),
            family_name: Some("King".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let updated = h
        .api
        .profile_update()
        .user_id("u1")
        .body(profile.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_eq!(updated.nick_name.as_deref(), Some("ada"));
    assert_eq!(updated.time_zone.as_deref(), Some("Europe/Helsinki"));

    next_phase(&h.server).await;
    mock("PUT", "/user/u1/profile")
        .respond_with(error_response(400, "Invalid mobile number"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .profile_update()
        .user_id("u1")
        .body(profile)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Invalid mobile number",
        "profile_update",
    );
}

// ---------------------------------------------------------------------------------------------
// email
// ---------------------------------------------------------------------------------------------

/// email_send: POST /email/send -> 200 (no body)
#[tokio::test]
async fn email_send() {
    let h = harness().await;
    let expected_body = json!({
        "to": [{"address": "ada@example.com", "name": "Ada"}],
        "cc": [{"address": "cc@example.com"}],
        "bcc": [{"address": "bcc@example.com"}],
        "replyTo": [{"address": "support@example.com", "name": "Support"}],
        "from": {"address": "noreply@example.com", "name": "Acme"},
        "subject": "Hello",
        "text": "Hi Ada",
        "html": "<p>Hi Ada</p>",
        "attachments": [{"name": "hello.txt", "data": "aGVsbG8="}]
    });
    mock("POST", "/email/send")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let email = types::Email {
        to: Some(vec![named_address("ada@example.com", "Ada")]),
        cc: Some(vec![address("cc@example.com")]),
        bcc: Some(vec![address("bcc@example.com")]),
        reply_to: Some(vec![named_address("support@example.com", "Support")]),
        from: Some(named_address("noreply@example.com", "Acme")),
        subject: Some("Hello".into()),
        text: Some("Hi Ada".into()),
        html: Some("<p>Hi Ada</p>".into()),
        attachments: Some(vec![types::EmailAttachment {
            name: Some("hello.txt".into()),
            data: Some("aGVsbG8=".into()),
        }]),
    };
    let sent = h.api.email_send().body(email.clone()).send().await.unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("POST", "/email/send")
        .respond_with(error_response(400, "Recipient address is invalid"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.email_send().body(email).send().await.unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Recipient address is invalid",
        "email_send",
    );
}

/// user_email_send: POST /user/{userId}/email/send -> 200 (no body)
#[tokio::test]
async fn user_email_send() {
    let h = harness().await;
    // No recipients: the server uses the user's address. Empty lists are not sent.
    let expected_body = json!({
        "from": {"address": "noreply@example.com"},
        "subject": "Your account",
        "text": "Hello"
    });
    mock("POST", "/user/u1/email/send")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let email = types::Email {
        from: Some(address("noreply@example.com")),
        subject: Some("Your account".into()),
        text: Some("Hello".into()),
        ..Default::default()
    };
    let sent = h
        .api
        .user_email_send()
        .user_id("u1")
        .body(email.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("POST", "/user/ghost/email/send")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_email_send()
        .user_id("ghost")
        .body(email)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_email_send",
    );
}

/// group_email_send: POST /group/{groupId}/email/send -> 200 (no body)
#[tokio::test]
async fn group_email_send() {
    let h = harness().await;
    let expected_body = json!({
        "replyTo": [{"address": "hr@example.com"}],
        "subject": "Meeting",
        "html": "<b>At noon</b>"
    });
    mock("POST", "/group/g1/email/send")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let email = types::Email {
        reply_to: Some(vec![address("hr@example.com")]),
        subject: Some("Meeting".into()),
        html: Some("<b>At noon</b>".into()),
        ..Default::default()
    };
    let sent = h
        .api
        .group_email_send()
        .group_id("g1")
        .body(email.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("POST", "/group/g1/email/send")
        .respond_with(error_response(
            403,
            "Client does not have required permission EMAIL_SEND.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .group_email_send()
        .group_id("g1")
        .body(email)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission EMAIL_SEND.",
        "group_email_send",
    );
}

// ---------------------------------------------------------------------------------------------
// email_templates
// ---------------------------------------------------------------------------------------------

/// emailtemplate_list: GET /emailtemplate?filter&startIndex&count&sortBy&ascending
#[tokio::test]
async fn emailtemplate_list() {
    let h = harness().await;
    mock("GET", "/emailtemplate")
        .and(query_param("filter", r#"name sw "wel""#))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "25"))
        .and(query_param("sortBy", "name"))
        .and(query_param("ascending", "descending"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 1, "startIndex": 0, "itemsPerPage": 1,
            "resources": [email_template_json("t1")]
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .emailtemplate_list()
        .filter(Filter::sw("name", "wel"))
        .start_index(0)
        .count(25)
        .sort_by("name")
        .ascending(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", r#"name sw "wel""#),
            ("startIndex", "0"),
            ("count", "25"),
            ("sortBy", "name"),
            ("ascending", "descending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.resources[0].id.as_deref(), Some("t1"));
    assert_eq!(page.resources[0].template_engine.as_deref(), Some("PEBBLE"));

    next_phase(&h.server).await;
    mock("GET", "/emailtemplate")
        .and(query_param("ascending", "ascending"))
        .respond_with(error_response(401, "Unauthorized"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .emailtemplate_list()
        .ascending(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("ascending", "ascending")]).await;
    assert_error(
        trivoreid::Error::from(err),
        401,
        "Unauthorized",
        "emailtemplate_list",
    );
}

/// emailtemplate_get: GET /emailtemplate/{emailTemplateId}
#[tokio::test]
async fn emailtemplate_get() {
    let h = harness().await;
    mock("GET", "/emailtemplate/t1")
        .respond_with(ResponseTemplate::new(200).set_body_json(email_template_json("t1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let template = h
        .api
        .emailtemplate_get()
        .email_template_id("t1")
        .send()
        .await
        .unwrap();
    assert_eq!(template.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(template.name.as_deref(), Some("welcome"));
    assert_eq!(template.default_locale.as_deref(), Some("fi"));
    assert_eq!(
        template.subject_template.as_deref(),
        Some("Welcome {{ user.name.givenName }}")
    );
    assert_eq!(
        template.locale_properties.as_ref().unwrap()["fi"]["greeting"],
        "Hei"
    );
    assert_eq!(
        template.locale_properties.as_ref().unwrap()["en"]["greeting"],
        "Hello"
    );
    assert_eq!(
        template.namespace_ids,
        Some(vec!["ns1".to_owned(), "ns2".to_owned()])
    );

    next_phase(&h.server).await;
    mock("GET", "/emailtemplate/t9")
        .respond_with(error_response(404, "Email template not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .emailtemplate_get()
        .email_template_id("t9")
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "Email template not found",
        "emailtemplate_get",
    );
}

/// emailtemplate_send: POST /emailtemplate/{emailTemplateId}/send -> 204
#[tokio::test]
async fn emailtemplate_send() {
    let h = harness().await;
    let expected_body = json!({
        "recipients": [
            {"userId": "u1", "preferredLocale": "en", "properties": {"code": "1234"}},
            {"emailAddress": "guest@example.com", "preferredTimezone": "Europe/Helsinki"}
        ],
        "preferredLocale": "fi",
        "preferredTimezone": "Europe/Helsinki",
        "properties": {"company": "Acme", "count": 3}
    });
    mock("POST", "/emailtemplate/t1/send")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let options = types::SendMessageOptions {
        recipients: Some(vec![
            types::RecipientDetails {
                user_id: Some("u1".into()),
                preferred_locale: Some("en".into()),
                properties: Some(map(json!({"code": "1234"}))),
                ..Default::default()
            },
            types::RecipientDetails {
                email_address: Some("guest@example.com".into()),
                preferred_timezone: Some("Europe/Helsinki".into()),
                ..Default::default()
            },
        ]),
        preferred_locale: Some("fi".into()),
        preferred_timezone: Some("Europe/Helsinki".into()),
        properties: Some(map(json!({"company": "Acme", "count": 3}))),
    };
    let sent = h
        .api
        .emailtemplate_send()
        .email_template_id("t1")
        .body(options.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 204);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("POST", "/emailtemplate/t1/send")
        .respond_with(error_response(400, "Template rendering failed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .emailtemplate_send()
        .email_template_id("t1")
        .body(options)
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        400,
        "Template rendering failed",
        "emailtemplate_send",
    );
}

// ---------------------------------------------------------------------------------------------
// sms
// ---------------------------------------------------------------------------------------------

/// sms_send: POST /sms/send -> 200 with a send result
#[tokio::test]
async fn sms_send() {
    let h = harness().await;
    mock("POST", "/sms/send")
        .and(body_json(sms_message_json()))
        .respond_with(ResponseTemplate::new(200).set_body_json(sms_result_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let result = h.api.sms_send().body(sms_message()).send().await.unwrap();
    assert_eq!(result.status().as_u16(), 200);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, sms_message_json());
    assert_eq!(sent["clientRef"], "client-ref-1");
    assert_eq!(sent["carrierRef"], "carrier-ref-1");
    assert_sms_result(&result);

    next_phase(&h.server).await;
    mock("POST", "/sms/send")
        .respond_with(error_response(503, "SMS gateway unavailable"))
        .expect(1)
        .mount(&h.server)
        .await;
    let minimal = types::SmsMessage {
        to: "+358401234567".into(),
        text: Some("hi".into()),
        to_name: None,
        to_region: None,
        from: None,
        from_required: None,
        message_class: None,
        data: None,
        udh: None,
        ttl: None,
        carrier_ref: None,
        billing_ref: None,
        callback: None,
        client_ref: None,
    };
    let err = h.api.sms_send().body(minimal).send().await.unwrap_err();
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        json!({"to": "+358401234567", "text": "hi"})
    );
    assert_error(
        trivoreid::Error::from(err),
        503,
        "SMS gateway unavailable",
        "sms_send",
    );
}

/// user_sms_send: POST /user/{userId}/sms/send -> 200 with a send result
#[tokio::test]
async fn user_sms_send() {
    let h = harness().await;
    mock("POST", "/user/u1/sms/send")
        .and(body_json(sms_message_json()))
        .respond_with(ResponseTemplate::new(200).set_body_json(sms_result_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let result = h
        .api
        .user_sms_send()
        .user_id("u1")
        .body(sms_message())
        .send()
        .await
        .unwrap();
    assert_eq!(result.status().as_u16(), 200);
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        sms_message_json()
    );
    assert_sms_result(&result);
    assert_eq!(result.to_region.as_deref(), Some("FI"));
    assert_eq!(result.billing_state.as_deref(), Some("BILLED"));

    next_phase(&h.server).await;
    mock("POST", "/user/ghost/sms/send")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_sms_send()
        .user_id("ghost")
        .body(sms_message())
        .send()
        .await
        .unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_sms_send",
    );
}

/// sms_region_list: GET /sms/regions
#[tokio::test]
async fn sms_region_list() {
    let h = harness().await;
    let regions = json!(["FI", "SE", "NO", "EE"]);
    mock("GET", "/sms/regions")
        .respond_with(ResponseTemplate::new(200).set_body_json(&regions))
        .expect(1)
        .mount(&h.server)
        .await;
    let got = h.api.sms_region_list().send().await.unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(got.into_inner(), regions);

    next_phase(&h.server).await;
    mock("GET", "/sms/regions")
        .respond_with(error_response(500, "Region list unavailable"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.sms_region_list().send().await.unwrap_err();
    assert_error(
        trivoreid::Error::from(err),
        500,
        "Region list unavailable",
        "sms_region_list",
    );
}

// ---------------------------------------------------------------------------------------------
// Composite helpers: data storages with data
// ---------------------------------------------------------------------------------------------

fn new_storage() -> types::DataStorage {
    types::DataStorage {
        name: Some("prefs".into()),
        description: Some("User preferences".into()),
        ..Default::default()
    }
}

fn method_and_path(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

#[tokio::test]
async fn create_datastorage_with_data_posts_then_puts_the_data() {
    let h = harness().await;
    let data = json!({"theme": "dark", "fontSize": 14});
    mock("POST", "/datastorage")
        .and(body_json(
            json!({"name": "prefs", "description": "User preferences"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("PUT", "/datastorage/ds1/data")
        .and(body_json(&data))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("DELETE", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .create_datastorage_with_data(new_storage(), Some(map(data.clone())))
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("ds1"));
    assert_eq!(
        created.owner_id.as_deref(),
        Some("5b9f0a1c2d3e4f5a6b7c8d9e")
    );
    let all = requests(&h.server).await;
    assert_eq!(
        method_and_path(&all),
        vec![
            "POST /api/rest/v1/datastorage",
            "PUT /api/rest/v1/datastorage/ds1/data"
        ]
    );
    assert_eq!(json_of(&all[1]), data);
}

#[tokio::test]
async fn create_datastorage_without_data_only_posts() {
    let h = harness().await;
    mock("POST", "/datastorage")
        .respond_with(ResponseTemplate::new(201).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .create_datastorage_with_data(new_storage(), None)
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("ds1"));
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        json!({"name": "prefs", "description": "User preferences"})
    );
}

#[tokio::test]
async fn create_datastorage_with_data_deletes_the_storage_when_the_data_fails() {
    let h = harness().await;
    mock("POST", "/datastorage")
        .respond_with(ResponseTemplate::new(201).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("PUT", "/datastorage/ds1/data")
        .respond_with(error_response(400, "Data storage size limit exceeded"))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("DELETE", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .create_datastorage_with_data(new_storage(), Some(map(json!({"big": "x"}))))
        .await
        .unwrap_err();
    assert_eq!(
        method_and_path(&requests(&h.server).await),
        vec![
            "POST /api/rest/v1/datastorage",
            "PUT /api/rest/v1/datastorage/ds1/data",
            "DELETE /api/rest/v1/datastorage/ds1"
        ]
    );
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Status);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(api.operation(), Some("datastorage_data_update"));
    let message = api.message().unwrap();
    assert!(
        message.starts_with("Data storage size limit exceeded"),
        "{message}"
    );
    assert!(message.contains("ds1"), "{message}");
}

#[tokio::test]
async fn create_datastorage_with_data_returns_the_data_error_when_the_rollback_fails_too() {
    let h = harness().await;
    mock("POST", "/datastorage")
        .respond_with(ResponseTemplate::new(201).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("PUT", "/datastorage/ds1/data")
        .respond_with(error_response(400, "Data storage size limit exceeded"))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("DELETE", "/datastorage/ds1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .create_datastorage_with_data(new_storage(), Some(map(json!({"big": "x"}))))
        .await
        .unwrap_err();
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(api.operation(), Some("datastorage_data_update"));
    assert!(
        api.message()
            .unwrap()
            .starts_with("Data storage size limit exceeded")
    );
}

#[tokio::test]
async fn create_datastorage_with_data_needs_a_name_and_sends_nothing_without_one() {
    let h = harness().await;
    for name in [None, Some(String::new()), Some("   ".to_owned())] {
        let storage = types::DataStorage {
            name,
            description: Some("nameless".into()),
            ..Default::default()
        };
        let err = h
            .api
            .create_datastorage_with_data(storage, Some(map(json!({"a": 1}))))
            .await
            .unwrap_err();
        assert!(
            matches!(err, trivoreid::Error::Sdk(_)),
            "expected an SdkError, got {err:?}"
        );
        assert!(err.status().is_none());
        assert_no_secret(&err);
    }
    assert!(requests(&h.server).await.is_empty());
}

#[tokio::test]
async fn update_datastorage_with_data_puts_the_storage_then_the_data() {
    let h = harness().await;
    let data = json!({"theme": "light"});
    let storage = types::DataStorage {
        id: Some("ds1".into()),
        name: Some("prefs".into()),
        ..Default::default()
    };
    mock("PUT", "/datastorage/ds1")
        .and(body_json(json!({"id": "ds1", "name": "prefs"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("PUT", "/datastorage/ds1/data")
        .and(body_json(&data))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .update_datastorage_with_data(storage.clone(), Some(map(data)))
        .await
        .unwrap();
    assert_eq!(updated.id.as_deref(), Some("ds1"));
    assert_eq!(updated.size, Some(2048));
    assert_eq!(
        method_and_path(&requests(&h.server).await),
        vec![
            "PUT /api/rest/v1/datastorage/ds1",
            "PUT /api/rest/v1/datastorage/ds1/data"
        ]
    );

    // Without data only the storage is updated.
    next_phase(&h.server).await;
    mock("PUT", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(200).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    h.api
        .update_datastorage_with_data(storage, None)
        .await
        .unwrap();
    assert_eq!(
        method_and_path(&requests(&h.server).await),
        vec!["PUT /api/rest/v1/datastorage/ds1"]
    );
}

#[tokio::test]
async fn update_datastorage_with_data_reports_a_failed_data_write_and_deletes_nothing() {
    let h = harness().await;
    mock("PUT", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(200).set_body_json(datastorage_json("ds1")))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("PUT", "/datastorage/ds1/data")
        .respond_with(error_response(403, "No write access to data storage"))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("DELETE", "/datastorage/ds1")
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&h.server)
        .await;
    let storage = types::DataStorage {
        id: Some("ds1".into()),
        ..Default::default()
    };
    let err = h
        .api
        .update_datastorage_with_data(storage, Some(map(json!({"a": 1}))))
        .await
        .unwrap_err();
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(api.operation(), Some("datastorage_data_update"));
    assert!(
        api.message()
            .unwrap()
            .starts_with("No write access to data storage")
    );
}

#[tokio::test]
async fn update_datastorage_with_data_needs_an_id_and_sends_nothing_without_one() {
    let h = harness().await;
    for id in [None, Some(String::new())] {
        let storage = types::DataStorage {
            id,
            name: Some("prefs".into()),
            ..Default::default()
        };
        let err = h
            .api
            .update_datastorage_with_data(storage, Some(map(json!({"a": 1}))))
            .await
            .unwrap_err();
        assert!(
            matches!(err, trivoreid::Error::Sdk(_)),
            "expected an SdkError, got {err:?}"
        );
    }
    assert!(requests(&h.server).await.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Cross-cutting: decoding, undocumented statuses, transport failures
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn non_json_success_body_is_a_decode_error_with_status_and_raw_body() {
    let h = harness().await;
    let html = "<html><body>Please sign in</body></html>";
    mock("GET", "/group/g1")
        .respond_with(ResponseTemplate::new(200).set_body_raw(html, "text/html"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.group_get().group_id("g1").send().await.unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Decode);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(api.operation(), Some("group_get"));
    assert_eq!(api.body(), Some(html.as_bytes()));
    assert!(!api.is_retryable());
}

#[tokio::test]
async fn wrongly_shaped_json_success_is_a_decode_error_that_keeps_the_status() {
    let h = harness().await;
    let body = r#"{"name": 5}"#;
    mock("GET", "/group/g1")
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.group_get().group_id("g1").send().await.unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Decode);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(api.operation(), Some("group_get"));
    assert_eq!(api.body(), Some(body.as_bytes()));
}

#[tokio::test]
async fn undocumented_success_status_is_an_error_with_that_status() {
    let h = harness().await;
    // group_create documents 201; a 200 is not accepted silently.
    mock("POST", "/group")
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json("g1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let group = types::Group {
        name: Some("admins".into()),
        ..Default::default()
    };
    let err = h.api.group_create().body(group).send().await.unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(api.operation(), Some("group_create"));
    assert!(
        matches!(api.kind(), ApiErrorKind::Status | ApiErrorKind::Protocol),
        "{:?}",
        api.kind()
    );
    assert_eq!(
        serde_json::from_slice::<Value>(api.body().expect("raw body")).unwrap(),
        group_json("g1")
    );
}

#[tokio::test]
async fn redirect_status_is_an_error_with_that_status() {
    let h = harness().await;
    mock("GET", "/group/g1")
        .respond_with(ResponseTemplate::new(302))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.group_get().group_id("g1").send().await.unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(api.operation(), Some("group_get"));
    assert!(
        matches!(api.kind(), ApiErrorKind::Status | ApiErrorKind::Protocol),
        "{:?}",
        api.kind()
    );
}

#[tokio::test]
async fn error_without_a_trivore_body_keeps_status_operation_and_raw_body() {
    let h = harness().await;
    let body = "<html>502 Bad Gateway</html>";
    mock("DELETE", "/group/g1")
        .respond_with(ResponseTemplate::new(502).set_body_raw(body, "text/html"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .group_delete()
        .group_id("g1")
        .send()
        .await
        .unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Status);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(api.operation(), Some("group_delete"));
    assert_eq!(api.body(), Some(body.as_bytes()));
    assert!(api.is_retryable());
}

#[tokio::test]
async fn closed_port_is_a_connect_error_without_status() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = TrivoreId::builder()
        .server(format!("http://127.0.0.1:{port}"))
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let err = api.group_get().group_id("g1").send().await.unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api_err = err.as_api().expect("an ApiError");
    assert_eq!(api_err.kind(), ApiErrorKind::Connect);
    assert_eq!(api_err.status(), None);
    assert!(api_err.is_retryable());
}

#[tokio::test]
async fn slow_server_is_a_timeout() {
    let server = MockServer::start().await;
    mock("GET", "/group/g1")
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(group_json("g1"))
                .set_delay(Duration::from_secs(3)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let api = TrivoreId::builder()
        .server(server.uri())
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .timeout(Duration::from_millis(200))
        .retry(trivoreid::RetryPolicy::none())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = api.group_get().group_id("g1").send().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api_err = err.as_api().expect("an ApiError");
    assert_eq!(api_err.kind(), ApiErrorKind::Timeout);
    assert!(api_err.is_timeout());
    assert_eq!(api_err.status(), None);
}

// ---------------------------------------------------------------------------------------------
// Cross-cutting: paths and server URLs
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn datastorage_key_with_slash_is_one_encoded_segment() {
    let h = harness().await;
    mock("GET", "/datastorage/ds1/data/a%2Fb")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": 1})))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("DELETE", "/datastorage/ds1/data/..%2Fx%3Fy%23z%20w")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let value = h
        .api
        .datastorage_value_get()
        .ds_id("ds1")
        .key("a/b")
        .send()
        .await
        .unwrap();
    assert_eq!(value.value, json!(1));
    h.api
        .datastorage_value_delete()
        .ds_id("ds1")
        .key("../x?y#z w")
        .send()
        .await
        .unwrap();
    let all = requests(&h.server).await;
    assert_eq!(all.len(), 2);
    for request in &all {
        assert_query(request, &[]);
    }
}

#[tokio::test]
async fn dot_segment_ids_are_rejected_before_sending() {
    let h = harness().await;
    for key in ["..", ".", ""] {
        let err = h
            .api
            .datastorage_value_delete()
            .ds_id("ds1")
            .key(key)
            .send()
            .await
            .unwrap_err();
        let err = trivoreid::Error::from(err);
        assert!(
            matches!(err, trivoreid::Error::Sdk(_)),
            "key {key:?}: expected an SdkError, got {err:?}"
        );
    }
    assert!(requests(&h.server).await.is_empty());
}

#[tokio::test]
async fn server_url_with_trailing_slash_reaches_the_right_path() {
    let server = MockServer::start().await;
    mock("GET", "/group/g1")
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json("g1")))
        .expect(1)
        .mount(&server)
        .await;
    let api = TrivoreId::builder()
        .server(format!("{}/", server.uri()))
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let group = api.group_get().group_id("g1").send().await.unwrap();
    assert_eq!(group.id.as_deref(), Some("g1"));
    let request = only_request(&server, &[]).await;
    assert_eq!(request.url.path(), "/api/rest/v1/group/g1");
}

#[tokio::test]
async fn server_url_with_a_path_prefix_reaches_the_right_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/idp/api/rest/v1/group/g1"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(group_json("g1")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/idp/api/rest/v1/datastorage/ds1/data/a%2Fb"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let api = TrivoreId::builder()
        .server(format!("{}/idp/", server.uri()))
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let group = api.group_get().group_id("g1").send().await.unwrap();
    assert_eq!(group.id.as_deref(), Some("g1"));
    let deleted = api
        .datastorage_value_delete()
        .ds_id("ds1")
        .key("a/b")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_eq!(
        method_and_path(&requests(&server).await),
        vec![
            "GET /idp/api/rest/v1/group/g1",
            "DELETE /idp/api/rest/v1/datastorage/ds1/data/a%2Fb"
        ]
    );
}

#[tokio::test]
async fn invalid_filter_fails_before_sending() {
    let h = harness().await;
    let err = h
        .api
        .datastorage_list()
        .dsfilter(Filter::eq(r#"name") or (1"#, "x"))
        .send()
        .await
        .unwrap_err();
    let err = trivoreid::Error::from(err);
    assert!(
        matches!(err, trivoreid::Error::Sdk(_)),
        "expected an SdkError, got {err:?}"
    );
    assert!(err.to_string().contains("dsfilter"), "{err}");
    assert!(requests(&h.server).await.is_empty());
}
