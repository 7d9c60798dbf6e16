//! Contract tests for every operation tagged `users` or `invites`: method, exact path (with the
//! Basic auth header), query parameters (and nothing else), the exact JSON request body, the
//! decoded response with its documented success status, and the mapping of error responses.
//! Then the cross-cutting behaviour of these operations: path ids are encoded into one segment,
//! `""`/`.`/`..` ids are refused before sending, non-JSON error bodies are kept, and the
//! hand-written helpers (`check_sms_verification_code`, `create_user`).
mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::*;
use serde_json::{Value, json};
use trivoreid::prelude::*;
use trivoreid::types;
use wiremock::matchers::{body_json, header, query_param};
use wiremock::{MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The only request the server received.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    requests.remove(0)
}

/// Asserts the request has no query string and no body.
fn assert_bare(request: &Request) {
    assert_eq!(
        request.url.query(),
        None,
        "unexpected query in {}",
        request.url
    );
    assert!(
        request.body.is_empty(),
        "unexpected body: {}",
        String::from_utf8_lossy(&request.body)
    );
}

/// A JSON response.
fn json_response(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// An RFC 3339 instant.
fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .to_utc()
}

/// A calendar date.
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A strong identification as the server sends it.
fn strong_identification_json() -> Value {
    json!({
        "identified": true,
        "method": "SUOMI_FI",
        "time": "2020-01-15T08:30:00.000Z",
        "firstTime": "2019-06-01T12:00:00.000Z",
        "count": 2,
        "personalId": "010190-123A",
        "identifier": "management-client-7",
        "identificationDocuments": ["PASSPORT"],
        "otherExplanation": null,
        "remarks": null,
        "someFutureField": {"nested": true}
    })
}

/// Asserts `err` is `SdkError::InvalidId` for `operation` / `params`.
fn assert_invalid_id(err: trivoreid::Error, operation: &str, params: &str) {
    match err {
        trivoreid::Error::Sdk(trivoreid::SdkError::InvalidId {
            operation: op,
            params: p,
        }) => {
            assert_eq!(op, operation);
            assert_eq!(p, params);
        }
        other => panic!("expected SdkError::InvalidId, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// users: the user resource
// ---------------------------------------------------------------------------------------------

/// user_list: GET /user
#[tokio::test]
async fn user_list() {
    let h = harness().await;
    mock("GET", "/user")
        .and(query_param("filter", r#"nsCode eq "acme" and emails pr"#))
        .and(query_param("startIndex", "10"))
        .and(query_param("count", "5"))
        .respond_with(json_response(
            200,
            json!({
                "totalResults": 12,
                "startIndex": 10,
                "itemsPerPage": 2,
                "resources": [user_json("u1"), user_json("u2")],
                "schemas": ["urn:trivore:page"]
            }),
        ))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;

    let filter = trivoreid::Filter::eq("nsCode", "acme").and(trivoreid::Filter::pr("emails"));
    let page = h
        .api
        .user_list()
        .filter(filter)
        .start_index(10)
        .count(5)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(&h.server).await;
    assert_query(
        &request,
        &[
            ("filter", r#"nsCode eq "acme" and emails pr"#),
            ("startIndex", "10"),
            ("count", "5"),
        ],
    );
    assert!(request.body.is_empty());
    assert_eq!(page.total_results, Some(12));
    assert_eq!(page.start_index, Some(10));
    assert_eq!(page.items_per_page, Some(2));
    let ids: Vec<_> = page.resources.iter().map(|u| u.id.as_deref()).collect();
    assert_eq!(ids, [Some("u1"), Some("u2")]);
    assert_eq!(page.resources[1].username.as_deref(), Some("user-u2"));
    assert_eq!(page.resources[0].member_of, Some(vec!["g1".to_owned()]));

    mock("GET", "/user")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCOUNT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.user_list().send().await.unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission ACCOUNT_VIEW.",
        "user_list",
    );
    // Without parameters nothing is added (not even `startIndex=0`).
    let requests = h.server.received_requests().await.unwrap();
    assert_eq!(requests[1].url.query(), None);
}

/// user_list: every item through the paginator, page by page (`startIndex`/`count` advance).
#[tokio::test]
async fn user_list_items_streams_every_page() {
    let h = harness().await;
    mock("GET", "/user")
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "2"))
        .respond_with(json_response(
            200,
            json!({"totalResults": 3, "startIndex": 0, "itemsPerPage": 2,
                   "resources": [user_json("u1"), user_json("u2")]}),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("GET", "/user")
        .and(query_param("startIndex", "2"))
        .and(query_param("count", "2"))
        .respond_with(json_response(
            200,
            json!({"totalResults": 3, "startIndex": 2, "itemsPerPage": 1,
                   "resources": [user_json("u3")]}),
        ))
        .expect(1)
        .mount(&h.server)
        .await;

    let users: Vec<types::User> = h
        .api
        .user_list()
        .paginate()
        .page_size(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = users.iter().filter_map(|u| u.id.as_deref()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);
    let requests = h.server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_query(&requests[0], &[("startIndex", "0"), ("count", "2")]);
    assert_query(&requests[1], &[("startIndex", "2"), ("count", "2")]);
}

/// user_create: POST /user -> 201
#[tokio::test]
async fn user_create() {
    let h = harness().await;
    mock("POST", "/user")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(201, user_json("5e8c9a0b1c2d3e4f5a6b7c8d")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;

    let user = types::User {
        username: Some("ada".into()),
        ns_code: Some("acme".into()),
        user_account_type: Some("PERSON".into()),
        name: Some(types::Names {
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            ..Default::default()
        }),
        emails: Some(vec![types::EmailAddress {
            address: Some("ada@example.com".into()),
            ..Default::default()
        }]),
        mobiles: Some(vec![types::Mobile {
            number: Some("+358401234567".into()),
            ..Default::default()
        }]),
        member_of: Some(vec!["admins".into()]),
        date_of_birth: Some(date(1815, 12, 10)),
        place_of_birth: Some(types::PlaceOfBirth {
            country: Some("GB".into()),
            locality: Some("London".into()),
            ..Default::default()
        }),
        locked: Some(false),
        password: Some("Correct-Horse-42".into()),
        ..Default::default()
    };
    let created = h.api.user_create().body(user).send().await.unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "username": "ada",
            "nsCode": "acme",
            "userAccountType": "PERSON",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"address": "ada@example.com"}],
            "mobiles": [{"number": "+358401234567"}],
            "memberOf": ["admins"],
            "dateOfBirth": "1815-12-10",
            "place_of_birth": {"country": "GB", "locality": "London"},
            "locked": false,
            "password": "Correct-Horse-42"
        })
    );
    assert_eq!(created.id.as_deref(), Some("5e8c9a0b1c2d3e4f5a6b7c8d"));
    assert_eq!(created.ns_code.as_deref(), Some("acme"));
    assert_eq!(created.emails.as_ref().unwrap()[0].verified, Some(true));
    assert_eq!(created.mobiles.as_ref().unwrap()[0].verified, Some(false));
    assert_eq!(created.password, None);

    mock("POST", "/user")
        .respond_with(error_response(409, "Username ada is already in use"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_create()
        .body(types::User {
            username: Some("ada".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        409,
        "Username ada is already in use",
        "user_create",
    );
}

/// user_get: GET /user/{userId}
#[tokio::test]
async fn user_get() {
    let h = harness().await;
    mock("GET", "/user/5e8c9a0b1c2d3e4f5a6b7c8d")
        .respond_with(json_response(
            200,
            json!({
                "id": "5e8c9a0b1c2d3e4f5a6b7c8d",
                "username": "ada",
                "nsCode": "acme",
                "userAccountType": "PERSON",
                "memberOf": ["g1", "g2"],
                "name": {"givenName": "Ada", "middleName": null, "familyName": "Lovelace"},
                "nickName": "Countess",
                "emails": [{"address": "ada@example.com", "verified": true,
                            "verifiedBy": "email-link",
                            "verifiedDateTime": "2018-01-02T03:04:05.678Z", "tags": ["work"]}],
                "mobiles": [{"number": "+358401234567", "verified": false, "tags": []}],
                "addresses": [{"addressName": "home", "streetAddress": "Mannerheimintie 1",
                               "postalCode": "00100", "locality": "Helsinki", "country": "FI",
                               "type": "PERMANENT", "verified": false}],
                "consents": {"marketingEmail": true, "marketingPost": false, "profiling": false},
                "locale": "fi",
                "preferredLanguage": "fi",
                "timeZone": "Europe/Helsinki",
                "mfaMethod": "TOTP",
                "locked": false,
                "minor": false,
                "dateOfBirth": "1815-12-10",
                "place_of_birth": {"country": "GB", "locality": "London", "region": null},
                "strongIdentification": strong_identification_json(),
                "customerGroupInfo": {"student": true, "studentValidFrom": "2019-09-01",
                                      "studentValidTo": "2023-06-30"},
                "tags": ["vip"],
                "meta": {"created": "2017-03-20T11:04:21.534Z",
                         "lastModified": "2018-09-21T06:29:05.708Z",
                         "location": "https://id.example.com/api/rest/v1/user/5e8c9a0b1c2d3e4f5a6b7c8d"},
                "customFields": {"shoeSize": 42},
                "unknownFieldTheServerAdded": {"x": 1}
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;

    let user = h
        .api
        .user_get()
        .user_id("5e8c9a0b1c2d3e4f5a6b7c8d")
        .send()
        .await
        .unwrap();
    assert_eq!(user.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    let user = user.into_inner();
    assert_eq!(user.id.as_deref(), Some("5e8c9a0b1c2d3e4f5a6b7c8d"));
    assert_eq!(user.username.as_deref(), Some("ada"));
    assert_eq!(user.member_of, Some(vec!["g1".to_owned(), "g2".to_owned()]));
    let name = user.name.as_ref().unwrap();
    assert_eq!(name.given_name.as_deref(), Some("Ada"));
    assert_eq!(name.middle_name, None);
    assert_eq!(
        user.emails.as_ref().unwrap()[0].address.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        user.emails.as_ref().unwrap()[0].verified_by.as_deref(),
        Some("email-link")
    );
    assert_eq!(
        user.emails.as_ref().unwrap()[0].verified_date_time,
        Some(instant("2018-01-02T03:04:05.678Z"))
    );
    assert_eq!(user.mobiles.as_ref().unwrap()[0].verified, Some(false));
    assert_eq!(
        user.addresses.as_ref().unwrap()[0].type_.as_deref(),
        Some("PERMANENT")
    );
    assert_eq!(
        user.addresses.as_ref().unwrap()[0].postal_code.as_deref(),
        Some("00100")
    );
    assert_eq!(user.consents.as_ref().unwrap().marketing_email, Some(true));
    assert_eq!(user.mfa_method.as_deref(), Some("TOTP"));
    assert_eq!(user.date_of_birth, Some(date(1815, 12, 10)));
    let birth = user.place_of_birth.as_ref().unwrap();
    assert_eq!(birth.locality.as_deref(), Some("London"));
    assert_eq!(birth.region, None);
    let strong = user.strong_identification.as_ref().unwrap();
    assert_eq!(strong.identified, Some(true));
    assert_eq!(strong.time, Some(instant("2020-01-15T08:30:00Z")));
    let group = user.customer_group_info.as_ref().unwrap();
    assert_eq!(group.student_valid_to, Some(date(2023, 6, 30)));
    assert_eq!(
        user.meta.as_ref().unwrap().created,
        Some(instant("2017-03-20T11:04:21.534Z"))
    );
    assert_eq!(user.tags, Some(vec!["vip".to_owned()]));

    mock("GET", "/user/missing")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_get()
        .user_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_get",
    );
}

/// user_update: PUT /user/{userId}
#[tokio::test]
async fn user_update() {
    let h = harness().await;
    let mut updated = user_json("u1");
    updated["locale"] = json!("sv");
    updated["place_of_birth"] = json!({"country": "FI", "locality": "Turku"});
    mock("PUT", "/user/u1")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(200, updated))
        .expect(1)
        .mount(&h.server)
        .await;

    let user = types::User {
        id: Some("u1".into()),
        username: Some("user-u1".into()),
        ns_code: Some("acme".into()),
        emails: Some(vec![types::EmailAddress {
            address: Some("ada@example.com".into()),
            verified: Some(true),
            tags: Some(vec!["work".into()]),
            ..Default::default()
        }]),
        locale: Some("sv".into()),
        time_zone: Some("Europe/Helsinki".into()),
        nick_name: Some("Countess".into()),
        website_main: Some("https://ada.example.com".into()),
        consents: Some(types::Consents {
            marketing_email: Some(false),
            ..Default::default()
        }),
        place_of_birth: Some(types::PlaceOfBirth {
            country: Some("FI".into()),
            locality: Some("Turku".into()),
            ..Default::default()
        }),
        tags: Some(vec!["vip".into()]),
        ..Default::default()
    };
    let response = h
        .api
        .user_update()
        .user_id("u1")
        .body(user)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "id": "u1",
            "username": "user-u1",
            "nsCode": "acme",
            "emails": [{"address": "ada@example.com", "verified": true, "tags": ["work"]}],
            "locale": "sv",
            "timeZone": "Europe/Helsinki",
            "nickName": "Countess",
            "websiteMain": "https://ada.example.com",
            "consents": {"marketingEmail": false},
            "place_of_birth": {"country": "FI", "locality": "Turku"},
            "tags": ["vip"]
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(response.locale.as_deref(), Some("sv"));
    assert_eq!(
        response
            .place_of_birth
            .as_ref()
            .unwrap()
            .locality
            .as_deref(),
        Some("Turku")
    );
    assert_eq!(
        response.name.as_ref().unwrap().family_name.as_deref(),
        Some("Lovelace")
    );

    mock("PUT", "/user/u2")
        .respond_with(error_response(
            409,
            "Email address ada@example.com is already in use",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_update()
        .user_id("u2")
        .body(types::User::default())
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        409,
        "Email address ada@example.com is already in use",
        "user_update",
    );
}

/// user_delete: DELETE /user/{userId} -> 204
#[tokio::test]
async fn user_delete() {
    let h = harness().await;
    mock("DELETE", "/user/u1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h.api.user_delete().user_id("u1").send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_bare(&only_request(&h.server).await);

    mock("DELETE", "/user/u2")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.user_delete().user_id("u2").send().await.unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_delete",
    );
}

/// user_legal_get: GET /user/{userId}/legal
#[tokio::test]
async fn user_legal_get() {
    let h = harness().await;
    mock("GET", "/user/u1/legal")
        .respond_with(json_response(
            200,
            json!({
                "firstNames": "Ada Augusta",
                "lastName": "Lovelace",
                "callingName": "Ada",
                "email": null,
                "phone": null,
                "personalIdentityCode": "101215-999X",
                "protectionOrder": false,
                "dateOfBirth": "1815-12-10",
                "dateOfDeath": null,
                "lastUpdatedAt": "2019-05-02T10:11:12.345Z",
                "addresses": [{"streetAddress": "Mannerheimintie 1", "postalCode": "00100",
                               "locality": "Helsinki", "country": "FI", "type": "PERMANENT",
                               "source": "VTJ"}],
                "domicile": {"code": "091", "names": {"fi": "Helsinki", "sv": "Helsingfors"}},
                "studentInfo": {"state": "FULL_TIME", "studentValidFrom": "2019-09-01",
                                "studentValidTo": "2023-06-30",
                                "informationUpdated": "2020-02-03T04:05:06.789Z"},
                "populationRegisterSource": "VTJ"
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let legal = h.api.user_legal_get().user_id("u1").send().await.unwrap();
    assert_eq!(legal.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(legal.first_names.as_deref(), Some("Ada Augusta"));
    assert_eq!(legal.calling_name.as_deref(), Some("Ada"));
    assert_eq!(legal.email, None);
    assert_eq!(legal.protection_order, Some(false));
    assert_eq!(legal.date_of_birth, Some(date(1815, 12, 10)));
    assert_eq!(legal.date_of_death, None);
    assert_eq!(
        legal.last_updated_at,
        Some(instant("2019-05-02T10:11:12.345Z"))
    );
    assert_eq!(
        legal.addresses.as_ref().unwrap()[0].source.as_deref(),
        Some("VTJ")
    );
    let domicile = legal.domicile.as_ref().unwrap();
    assert_eq!(domicile.code.as_deref(), Some("091"));
    assert_eq!(
        domicile
            .names
            .as_ref()
            .unwrap()
            .get("sv")
            .map(String::as_str),
        Some("Helsingfors")
    );
    let student = legal.student_info.as_ref().unwrap();
    assert_eq!(student.state.as_deref(), Some("FULL_TIME"));
    assert_eq!(student.student_valid_from, Some(date(2019, 9, 1)));

    mock("GET", "/user/u2/legal")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCOUNT_VIEW_LEGAL_INFO.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_legal_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission ACCOUNT_VIEW_LEGAL_INFO.",
        "user_legal_get",
    );
}

// ---------------------------------------------------------------------------------------------
// users: email and mobile verification
// ---------------------------------------------------------------------------------------------

/// user_email_verify: POST /user/{userId}/email/verify -> 204
#[tokio::test]
async fn user_email_verify() {
    let h = harness().await;
    mock("POST", "/user/u1/email/verify")
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut properties = serde_json::Map::new();
    properties.insert("campaign".into(), json!("spring"));
    let options = types::EmailVerification {
        value: Some("ada@example.com".into()),
        return_url: Some("https://app.example.com/verified".into()),
        expiration_days: Some(3),
        email_template_properties: properties,
        ..Default::default()
    };
    let response = h
        .api
        .user_email_verify()
        .user_id("u1")
        .body(options)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "value": "ada@example.com",
            "returnURL": "https://app.example.com/verified",
            "expirationDays": 3,
            "emailTemplateProperties": {"campaign": "spring"}
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);

    mock("POST", "/user/u2/email/verify")
        .respond_with(error_response(400, "User has no email address"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_email_verify()
        .user_id("u2")
        .body(types::EmailVerification::default())
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "User has no email address",
        "user_email_verify",
    );
    // An empty options object is sent as `{}`, not with nulls.
    let requests = h.server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(sent, json!({}));
}

/// user_sms_verify_send: POST /user/{userId}/sms/verify/send?mobile -> 204
#[tokio::test]
async fn user_sms_verify_send() {
    let h = harness().await;
    mock("POST", "/user/u1/sms/verify/send")
        .and(query_param("mobile", "+358401234567"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h
        .api
        .user_sms_verify_send()
        .user_id("u1")
        .mobile("+358401234567")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    let request = only_request(&h.server).await;
    // `+` must be escaped, or the server reads a space.
    assert_eq!(request.url.query(), Some("mobile=%2B358401234567"));
    assert_query(&request, &[("mobile", "+358401234567")]);
    assert!(request.body.is_empty());

    mock("POST", "/user/u2/sms/verify/send")
        .respond_with(error_response(429, "Too many verification messages"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_sms_verify_send()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        429,
        "Too many verification messages",
        "user_sms_verify_send",
    );
    // Without `mobile` (the primary number) no query is sent.
    let requests = h.server.received_requests().await.unwrap();
    assert_bare(&requests[1]);
}

/// user_sms_verify_check: POST /user/{userId}/sms/verify/check/{code} -> 200
#[tokio::test]
async fn user_sms_verify_check() {
    let h = harness().await;
    mock("POST", "/user/u1/sms/verify/check/123456")
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h
        .api
        .user_sms_verify_check()
        .user_id("u1")
        .code("123456")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);

    mock("POST", "/user/u1/sms/verify/check/000000")
        .respond_with(error_response(404, "Invalid verification code"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_sms_verify_check()
        .user_id("u1")
        .code("000000")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "Invalid verification code",
        "user_sms_verify_check",
    );
}

/// user_sms_verify_link_send: POST /user/{userId}/sms/verify/sendLink -> 204
#[tokio::test]
async fn user_sms_verify_link_send() {
    let h = harness().await;
    mock("POST", "/user/u1/sms/verify/sendLink")
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let options = types::MobileVerification {
        value: Some("+358401234567".into()),
        return_url: Some("https://app.example.com/mobile-ok".into()),
        expiration_days: Some(7),
    };
    let response = h
        .api
        .user_sms_verify_link_send()
        .user_id("u1")
        .body(options)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "value": "+358401234567",
            "returnURL": "https://app.example.com/mobile-ok",
            "expirationDays": 7
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);

    mock("POST", "/user/u2/sms/verify/sendLink")
        .respond_with(error_response(500, "SMS gateway unavailable"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_sms_verify_link_send()
        .user_id("u2")
        .body(types::MobileVerification {
            expiration_days: Some(1),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        500,
        "SMS gateway unavailable",
        "user_sms_verify_link_send",
    );
    let requests = h.server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(sent, json!({"expirationDays": 1}));
}

// ---------------------------------------------------------------------------------------------
// users: enterprise, custom fields, password
// ---------------------------------------------------------------------------------------------

fn enterprise_json() -> Value {
    json!({
        "businessId": "1234567-8",
        "vatId": "FI12345678",
        "tradeName": "Acme Oy",
        "domicile": "Helsinki",
        "leiCode": null,
        "parallelTradeNames": ["Acme Ab"],
        "auxiliaryTradeNames": [],
        "tradeRegisterNumber": "123.456",
        "taxIdentificationNumber": null,
        "general": {"phone": "+35891234567", "email": "info@acme.fi",
                    "website": "https://acme.fi", "contacts": null},
        "sales": {"email": "sales@acme.fi"},
        "service": null,
        "customerSupport": {"phone": "+358800123456"},
        "meta": {"created": "2019-01-01T00:00:00.000Z",
                 "lastModified": "2020-01-01T00:00:00.000Z"},
        "registryStatus": "ACTIVE"
    })
}

/// user_enterprise_get: GET /user/{userId}/enterprise
#[tokio::test]
async fn user_enterprise_get() {
    let h = harness().await;
    mock("GET", "/user/u1/enterprise")
        .respond_with(json_response(200, enterprise_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let enterprise = h
        .api
        .user_enterprise_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(enterprise.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(enterprise.business_id.as_deref(), Some("1234567-8"));
    assert_eq!(enterprise.vat_id.as_deref(), Some("FI12345678"));
    assert_eq!(
        enterprise.parallel_trade_names,
        Some(vec!["Acme Ab".to_owned()])
    );
    assert_eq!(enterprise.auxiliary_trade_names, Some(vec![]));
    assert_eq!(enterprise.lei_code, None);
    assert_eq!(
        enterprise.general.as_ref().unwrap().website.as_deref(),
        Some("https://acme.fi")
    );
    assert_eq!(enterprise.service, None);
    assert_eq!(
        enterprise
            .customer_support
            .as_ref()
            .unwrap()
            .phone
            .as_deref(),
        Some("+358800123456")
    );
    assert_eq!(
        enterprise.meta.as_ref().unwrap().last_modified,
        Some(instant("2020-01-01T00:00:00Z"))
    );

    mock("GET", "/user/u2/enterprise")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_enterprise_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_enterprise_get",
    );
}

/// user_enterprise_update: PUT /user/{userId}/enterprise
#[tokio::test]
async fn user_enterprise_update() {
    let h = harness().await;
    mock("PUT", "/user/u1/enterprise")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(200, enterprise_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let enterprise = types::Enterprise {
        business_id: Some("1234567-8".into()),
        trade_name: Some("Acme Oy".into()),
        parallel_trade_names: Some(vec!["Acme Ab".into()]),
        tax_identification_number: Some("FI-TIN-1".into()),
        general: Some(types::EnterpriseContactInfo {
            email: Some("info@acme.fi".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let response = h
        .api
        .user_enterprise_update()
        .user_id("u1")
        .body(enterprise)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "businessId": "1234567-8",
            "tradeName": "Acme Oy",
            "parallelTradeNames": ["Acme Ab"],
            "taxIdentificationNumber": "FI-TIN-1",
            "general": {"email": "info@acme.fi"}
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(response.trade_name.as_deref(), Some("Acme Oy"));
    assert_eq!(response.trade_register_number.as_deref(), Some("123.456"));
    assert_eq!(
        response.sales.as_ref().unwrap().email.as_deref(),
        Some("sales@acme.fi")
    );

    mock("PUT", "/user/u2/enterprise")
        .respond_with(error_response(400, "Invalid business ID"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_enterprise_update()
        .user_id("u2")
        .body(types::Enterprise {
            business_id: Some("nope".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "Invalid business ID",
        "user_enterprise_update",
    );
}

/// user_customfields_get: GET /user/{userId}/customfields
#[tokio::test]
async fn user_customfields_get() {
    let h = harness().await;
    mock("GET", "/user/u1/customfields")
        .respond_with(json_response(
            200,
            json!({
                "favouriteColour": "blue",
                "shoeSize": 42,
                "loyalty": {"level": "gold", "since": "2019-01-01"},
                "nothing": null
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let fields = h
        .api
        .user_customfields_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(fields.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    // A free-form object: every field is kept as it came.
    assert_eq!(fields.len(), 4);
    assert_eq!(fields.get("favouriteColour"), Some(&json!("blue")));
    assert_eq!(fields.get("shoeSize"), Some(&json!(42)));
    assert_eq!(fields.get("loyalty").unwrap()["level"], "gold");
    assert_eq!(fields.get("nothing"), Some(&Value::Null));

    mock("GET", "/user/u2/customfields")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCOUNT_VIEW_CUSTOM_FIELDS.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_customfields_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission ACCOUNT_VIEW_CUSTOM_FIELDS.",
        "user_customfields_get",
    );
}

/// user_customfields_update: POST /user/{userId}/customfields -> 200
#[tokio::test]
async fn user_customfields_update() {
    let h = harness().await;
    mock("POST", "/user/u1/customfields")
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut fields = serde_json::Map::new();
    fields.insert("favouriteColour".into(), json!("green"));
    fields.insert("loyalty".into(), json!({"level": "platinum"}));
    fields.insert("newsletter".into(), json!(false));
    let response = h
        .api
        .user_customfields_update()
        .user_id("u1")
        .body(types::JsonObject(fields))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "favouriteColour": "green",
            "loyalty": {"level": "platinum"},
            "newsletter": false
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);

    mock("POST", "/user/u2/customfields")
        .respond_with(error_response(
            400,
            "Custom field names must not contain '.' or start with '$'",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut bad = serde_json::Map::new();
    bad.insert("$where".into(), json!(1));
    let err = h
        .api
        .user_customfields_update()
        .user_id("u2")
        .body(types::JsonObject(bad))
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "Custom field names must not contain '.' or start with '$'",
        "user_customfields_update",
    );
}

/// user_customfields_delete: DELETE /user/{userId}/customfields -> 204
#[tokio::test]
async fn user_customfields_delete() {
    let h = harness().await;
    mock("DELETE", "/user/u1/customfields")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h
        .api
        .user_customfields_delete()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert_bare(&only_request(&h.server).await);

    mock("DELETE", "/user/u2/customfields")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_customfields_delete()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_customfields_delete",
    );
}

/// user_password_requirements_get: GET /user/{userId}/password/requirements
#[tokio::test]
async fn user_password_requirements_get() {
    let h = harness().await;
    mock("GET", "/user/u1/password/requirements")
        .respond_with(json_response(
            200,
            json!({
                "minLength": 8,
                "maxLength": 128,
                "numberOfCharacteristics": 3,
                "alphabeticalSequenceMaxLength": 4,
                "numericalSequenceMaxLength": 5,
                "qwertySequenceMaxLength": 6,
                "historyLength": 10,
                "repeatCharacterLength": 3,
                "usernameForbidden": true,
                "dictionaryCheck": false,
                "policySource": "namespace"
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let requirements = h
        .api
        .user_password_requirements_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(requirements.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(requirements.min_length, Some(8));
    assert_eq!(requirements.max_length, Some(128));
    assert_eq!(requirements.number_of_characteristics, Some(3));
    assert_eq!(requirements.numerical_sequence_max_length, Some(5));
    assert_eq!(requirements.qwerty_sequence_max_length, Some(6));
    assert_eq!(requirements.history_length, Some(10));
    assert_eq!(requirements.username_forbidden, Some(true));
    assert_eq!(requirements.dictionary_check, Some(false));

    mock("GET", "/user/u2/password/requirements")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_password_requirements_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_password_requirements_get",
    );
}

/// user_password_change: PUT /user/{userId}/password
#[tokio::test]
async fn user_password_change() {
    let h = harness().await;
    mock("PUT", "/user/u1/password")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(
            200,
            json!({
                "success": false,
                "validationErrors": [
                    {"message": "Password is in the dictionary", "code": "DICTIONARY_WORD"},
                    {"message": "Password was used recently", "code": "HISTORY_VIOLATION"}
                ],
                "checkedAt": "2020-01-01T00:00:00Z"
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let result = h
        .api
        .user_password_change()
        .user_id("u1")
        .body(types::PasswordChange {
            new_password: "password123".into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(result.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({"newPassword": "password123"})
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    // A rejected password is a result, not an error.
    assert_eq!(result.success, Some(false));
    assert_eq!(result.validation_errors.as_ref().unwrap().len(), 2);
    assert_eq!(
        result.validation_errors.as_ref().unwrap()[1]
            .code
            .as_deref(),
        Some("HISTORY_VIOLATION")
    );
    assert_eq!(
        result.validation_errors.as_ref().unwrap()[0]
            .message
            .as_deref(),
        Some("Password is in the dictionary")
    );

    mock("PUT", "/user/u2/password")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCOUNT_MODIFY_PASSWORD.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_password_change()
        .user_id("u2")
        .body(types::PasswordChange {
            new_password: "x".into(),
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission ACCOUNT_MODIFY_PASSWORD.",
        "user_password_change",
    );
}

// ---------------------------------------------------------------------------------------------
// users: strong identification
// ---------------------------------------------------------------------------------------------

/// user_strongidentification_get: GET /user/{userId}/strongidentification
#[tokio::test]
async fn user_strongidentification_get() {
    let h = harness().await;
    mock("GET", "/user/u1/strongidentification")
        .respond_with(json_response(200, strong_identification_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let strong = h
        .api
        .user_strongidentification_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(strong.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(strong.identified, Some(true));
    assert_eq!(strong.method.as_deref(), Some("SUOMI_FI"));
    assert_eq!(strong.count, Some(2));
    assert_eq!(strong.time, Some(instant("2020-01-15T08:30:00Z")));
    assert_eq!(strong.first_time, Some(instant("2019-06-01T12:00:00Z")));
    assert_eq!(
        strong.identification_documents,
        Some(vec!["PASSPORT".to_owned()])
    );
    assert_eq!(strong.personal_id.as_deref(), Some("010190-123A"));
    assert_eq!(strong.remarks, None);

    mock("GET", "/user/u2/strongidentification")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_strongidentification_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_strongidentification_get",
    );
}

/// user_strongidentification_report: POST /user/{userId}/strongidentification
#[tokio::test]
async fn user_strongidentification_report() {
    let h = harness().await;
    let mut reported = strong_identification_json();
    reported["method"] = json!("USER_API");
    reported["remarks"] = json!("Passport checked at the front desk");
    mock("POST", "/user/u1/strongidentification")
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "personalId": "010190-123A",
            "remarks": "Passport checked at the front desk"
        })))
        .respond_with(json_response(200, reported))
        .expect(1)
        .mount(&h.server)
        .await;
    // Without remarks the key is left out (not sent as null).
    mock("POST", "/user/u1/strongidentification")
        .and(body_json(json!({"personalId": "020290-456B"})))
        .respond_with(json_response(200, strong_identification_json()))
        .expect(1)
        .mount(&h.server)
        .await;

    let strong = h
        .api
        .user_strongidentification_report()
        .user_id("u1")
        .body(types::StrongIdentificationReport {
            personal_id: "010190-123A".into(),
            remarks: Some("Passport checked at the front desk".into()),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(strong.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "personalId": "010190-123A",
            "remarks": "Passport checked at the front desk"
        })
    );
    assert_eq!(strong.method.as_deref(), Some("USER_API"));
    assert_eq!(
        strong.remarks.as_deref(),
        Some("Passport checked at the front desk")
    );
    assert_eq!(strong.identified, Some(true));

    let plain = h
        .api
        .user_strongidentification_report()
        .user_id("u1")
        .body(types::StrongIdentificationReport {
            personal_id: "020290-456B".into(),
            remarks: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status().as_u16(), 200);
    let requests = h.server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(sent, json!({"personalId": "020290-456B"}));

    mock("POST", "/user/u2/strongidentification")
        .respond_with(error_response(400, "Personal ID is not valid"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_strongidentification_report()
        .user_id("u2")
        .body(types::StrongIdentificationReport {
            personal_id: "bogus".into(),
            remarks: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "Personal ID is not valid",
        "user_strongidentification_report",
    );
}

/// user_strongidentification_history_list: GET /user/{userId}/strongidentification/history
#[tokio::test]
async fn user_strongidentification_history_list() {
    let h = harness().await;
    let mut older = strong_identification_json();
    older["time"] = json!("2019-06-01T12:00:00.000Z");
    older["method"] = json!("IN_PERSON");
    mock("GET", "/user/u1/strongidentification/history")
        .and(query_param("filter", r#"method eq "IN_PERSON""#))
        .and(query_param("startIndex", "0"))
        .and(query_param("count", "50"))
        .and(query_param("sortBy", "time"))
        .and(query_param("ascending", "descending"))
        .respond_with(json_response(
            200,
            json!({
                "totalResults": 2,
                "startIndex": 0,
                "itemsPerPage": 2,
                "resources": [strong_identification_json(), older],
                "nextCursor": null
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .user_strongidentification_history_list()
        .user_id("u1")
        .filter(trivoreid::Filter::eq("method", "IN_PERSON"))
        .start_index(0)
        .count(50)
        .sort_by("time")
        .ascending(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(&h.server).await;
    assert_query(
        &request,
        &[
            ("filter", r#"method eq "IN_PERSON""#),
            ("startIndex", "0"),
            ("count", "50"),
            ("sortBy", "time"),
            ("ascending", "descending"),
        ],
    );
    assert!(request.body.is_empty());
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.items_per_page, Some(2));
    assert_eq!(page.resources.len(), 2);
    assert_eq!(page.resources[1].method.as_deref(), Some("IN_PERSON"));
    assert_eq!(
        page.resources[1].time,
        Some(instant("2019-06-01T12:00:00Z"))
    );

    mock("GET", "/user/u2/strongidentification/history")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_strongidentification_history_list()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        500,
        "Internal server error",
        "user_strongidentification_history_list",
    );
    let requests = h.server.received_requests().await.unwrap();
    assert_bare(&requests[1]);
}

/// user_strongidentification_history_get: GET /user/{userId}/strongidentification/history/{entryId}
#[tokio::test]
async fn user_strongidentification_history_get() {
    let h = harness().await;
    mock("GET", "/user/u1/strongidentification/history/e42")
        .respond_with(json_response(200, strong_identification_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let entry = h
        .api
        .user_strongidentification_history_get()
        .user_id("u1")
        .entry_id("e42")
        .send()
        .await
        .unwrap();
    assert_eq!(entry.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(entry.identifier.as_deref(), Some("management-client-7"));
    assert_eq!(entry.count, Some(2));
    assert_eq!(entry.other_explanation, None);

    mock("GET", "/user/u1/strongidentification/history/e404")
        .respond_with(error_response(404, "History entry not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_strongidentification_history_get()
        .user_id("u1")
        .entry_id("e404")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "History entry not found",
        "user_strongidentification_history_get",
    );
}

// ---------------------------------------------------------------------------------------------
// users: permissions and roles (bare id arrays)
// ---------------------------------------------------------------------------------------------

/// user_permissions_custom_get: GET /user/{userId}/permissions/custom
#[tokio::test]
async fn user_permissions_custom_get() {
    let h = harness().await;
    mock("GET", "/user/u1/permissions/custom")
        .respond_with(json_response(200, json!(["ACCOUNT_VIEW", "GROUP_VIEW"])))
        .expect(1)
        .mount(&h.server)
        .await;
    let permissions = h
        .api
        .user_permissions_custom_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(permissions.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(permissions.into_inner().0, ["ACCOUNT_VIEW", "GROUP_VIEW"]);

    mock("GET", "/user/u2/permissions/custom")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCOUNT_VIEW_PERMISSIONS.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_permissions_custom_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission ACCOUNT_VIEW_PERMISSIONS.",
        "user_permissions_custom_get",
    );
}

/// user_permissions_custom_update: PUT /user/{userId}/permissions/custom
#[tokio::test]
async fn user_permissions_custom_update() {
    let h = harness().await;
    mock("PUT", "/user/u1/permissions/custom")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(
            200,
            json!(["ACCOUNT_VIEW", "ACCOUNT_MODIFY"]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let changes = types::IdChanges {
        add: vec!["ACCOUNT_MODIFY".into()],
        remove: vec!["GROUP_VIEW".into()],
    };
    let permissions = h
        .api
        .user_permissions_custom_update()
        .user_id("u1")
        .body(changes)
        .send()
        .await
        .unwrap();
    assert_eq!(permissions.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({"add": ["ACCOUNT_MODIFY"], "remove": ["GROUP_VIEW"]})
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(
        permissions.into_inner().0,
        ["ACCOUNT_VIEW", "ACCOUNT_MODIFY"]
    );

    mock("PUT", "/user/u2/permissions/custom")
        .respond_with(error_response(400, "Unknown permission NO_SUCH_PERMISSION"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_permissions_custom_update()
        .user_id("u2")
        .body(types::IdChanges {
            add: vec!["NO_SUCH_PERMISSION".into()],
            remove: vec![],
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "Unknown permission NO_SUCH_PERMISSION",
        "user_permissions_custom_update",
    );
}

/// user_permissions_effective_get: GET /user/{userId}/permissions/effective
#[tokio::test]
async fn user_permissions_effective_get() {
    let h = harness().await;
    mock("GET", "/user/u1/permissions/effective")
        .respond_with(json_response(
            200,
            json!(["ACCOUNT_VIEW", "GROUP_VIEW", "DATA_STORAGE_CREATE"]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let permissions = h
        .api
        .user_permissions_effective_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(permissions.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(
        permissions.into_inner().0,
        ["ACCOUNT_VIEW", "GROUP_VIEW", "DATA_STORAGE_CREATE"]
    );

    mock("GET", "/user/u2/permissions/effective")
        .respond_with(error_response(500, "Permission service unavailable"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_permissions_effective_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        500,
        "Permission service unavailable",
        "user_permissions_effective_get",
    );
}

/// user_roles_builtin_get: GET /user/{userId}/roles/builtin
#[tokio::test]
async fn user_roles_builtin_get() {
    let h = harness().await;
    mock("GET", "/user/u1/roles/builtin")
        .respond_with(json_response(200, json!(["USER", "NAMESPACE_ADMIN"])))
        .expect(1)
        .mount(&h.server)
        .await;
    let roles = h
        .api
        .user_roles_builtin_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(roles.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(roles.into_inner().0, ["USER", "NAMESPACE_ADMIN"]);

    mock("GET", "/user/u2/roles/builtin")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_roles_builtin_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_roles_builtin_get",
    );
}

/// user_roles_builtin_update: PUT /user/{userId}/roles/builtin
#[tokio::test]
async fn user_roles_builtin_update() {
    let h = harness().await;
    mock("PUT", "/user/u1/roles/builtin")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(
            200,
            json!(["USER", "NAMESPACE_ADMIN", "GROUP_ADMIN"]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let roles = h
        .api
        .user_roles_builtin_update()
        .user_id("u1")
        .body(types::IdChanges {
            add: vec!["GROUP_ADMIN".into()],
            remove: vec![],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(roles.status().as_u16(), 200);
    // An empty list is left out, not sent as null or [].
    assert_eq!(
        only_request_json(&h.server).await,
        json!({"add": ["GROUP_ADMIN"]})
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(
        roles.into_inner().0,
        ["USER", "NAMESPACE_ADMIN", "GROUP_ADMIN"]
    );

    mock("PUT", "/user/u2/roles/builtin")
        .respond_with(error_response(403, "Client cannot grant role SUPERVISOR"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_roles_builtin_update()
        .user_id("u2")
        .body(types::IdChanges {
            add: vec!["SUPERVISOR".into()],
            remove: vec![],
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client cannot grant role SUPERVISOR",
        "user_roles_builtin_update",
    );
}

/// user_roles_custom_get: GET /user/{userId}/roles/custom
#[tokio::test]
async fn user_roles_custom_get() {
    let h = harness().await;
    mock("GET", "/user/u1/roles/custom")
        .respond_with(json_response(
            200,
            json!(["5f0000000000000000000001", "5f0000000000000000000002"]),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let roles = h
        .api
        .user_roles_custom_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(roles.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(
        roles.into_inner().0,
        ["5f0000000000000000000001", "5f0000000000000000000002"]
    );

    mock("GET", "/user/u2/roles/custom")
        .respond_with(error_response(
            403,
            "Client does not have required permission ACCOUNT_VIEW_ROLES.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_roles_custom_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        403,
        "Client does not have required permission ACCOUNT_VIEW_ROLES.",
        "user_roles_custom_get",
    );
}

/// user_roles_custom_update: PUT /user/{userId}/roles/custom
#[tokio::test]
async fn user_roles_custom_update() {
    let h = harness().await;
    mock("PUT", "/user/u1/roles/custom")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(200, json!(["5f0000000000000000000001"])))
        .expect(1)
        .mount(&h.server)
        .await;
    let roles = h
        .api
        .user_roles_custom_update()
        .user_id("u1")
        .body(types::IdChanges {
            add: vec![],
            remove: vec!["5f0000000000000000000002".into()],
        })
        .send()
        .await
        .unwrap();
    assert_eq!(roles.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({"remove": ["5f0000000000000000000002"]})
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(roles.into_inner().0, ["5f0000000000000000000001"]);

    mock("PUT", "/user/u2/roles/custom")
        .respond_with(error_response(404, "Role not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_roles_custom_update()
        .user_id("u2")
        .body(types::IdChanges {
            add: vec!["missing-role".into()],
            remove: vec![],
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "Role not found",
        "user_roles_custom_update",
    );
}

// ---------------------------------------------------------------------------------------------
// users: namespace migration, student state
// ---------------------------------------------------------------------------------------------

/// user_namespace_migrate: POST /user/{userId}/migratenamespace
#[tokio::test]
async fn user_namespace_migrate() {
    let h = harness().await;
    let mut migrated = user_json("u1");
    migrated["nsCode"] = json!("beta");
    migrated["username"] = json!("ada.l");
    mock("POST", "/user/u1/migratenamespace")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(200, migrated))
        .expect(1)
        .mount(&h.server)
        .await;
    let options = types::NamespaceMigrationOptions {
        target_ns_code: Some("beta".into()),
        keep_user_id: Some(true),
        keep_emails: Some(true),
        keep_groups: Some(false),
        keep_password: Some(false),
        username: Some("ada.l".into()),
        user_password: Some("Fresh-Start-2020".into()),
        ..Default::default()
    };
    let user = h
        .api
        .user_namespace_migrate()
        .user_id("u1")
        .body(options)
        .send()
        .await
        .unwrap();
    assert_eq!(user.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "targetNsCode": "beta",
            "keepUserId": true,
            "keepEmails": true,
            "keepGroups": false,
            "keepPassword": false,
            "username": "ada.l",
            "userPassword": "Fresh-Start-2020"
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(user.id.as_deref(), Some("u1"));
    assert_eq!(user.ns_code.as_deref(), Some("beta"));
    assert_eq!(user.username.as_deref(), Some("ada.l"));

    mock("POST", "/user/u2/migratenamespace")
        .respond_with(error_response(
            409,
            "Username ada.l already exists in namespace beta",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_namespace_migrate()
        .user_id("u2")
        .body(types::NamespaceMigrationOptions {
            target_ns_code: Some("beta".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        409,
        "Username ada.l already exists in namespace beta",
        "user_namespace_migrate",
    );
}

/// user_student_state_get: GET /user/{userId}/student/state
#[tokio::test]
async fn user_student_state_get() {
    let h = harness().await;
    mock("GET", "/user/u1/student/state")
        .respond_with(json_response(
            200,
            json!({
                "state": "FULL_TIME",
                "studentFrom": "2019-09-01",
                "studentTo": "2023-06-30",
                "updated": "2020-02-03T04:05:06.789Z",
                "lastQuerySuccess": false,
                "lastQueryError": "Upstream register timed out",
                "source": "CACHE",
                "ttlSeconds": 3600
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let state = h
        .api
        .user_student_state_get()
        .user_id("u1")
        .send()
        .await
        .unwrap();
    assert_eq!(state.status().as_u16(), 200);
    assert_bare(&only_request(&h.server).await);
    assert_eq!(state.state.as_deref(), Some("FULL_TIME"));
    assert_eq!(state.student_from, Some(date(2019, 9, 1)));
    assert_eq!(state.student_to, Some(date(2023, 6, 30)));
    assert_eq!(state.updated, Some(instant("2020-02-03T04:05:06.789Z")));
    assert_eq!(state.last_query_success, Some(false));
    assert_eq!(
        state.last_query_error.as_deref(),
        Some("Upstream register timed out")
    );
    assert_eq!(state.source.as_deref(), Some("CACHE"));

    mock("GET", "/user/u2/student/state")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_student_state_get()
        .user_id("u2")
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        404,
        "User not found",
        "user_student_state_get",
    );
}

/// user_student_state_update: POST /user/{userId}/student/state
#[tokio::test]
async fn user_student_state_update() {
    let h = harness().await;
    mock("POST", "/user/u1/student/state")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(
            200,
            json!({
                "state": "PART_TIME",
                "studentFrom": "2020-01-01",
                "studentTo": "2020-12-31",
                "updated": "2020-01-02T00:00:00.000Z",
                "lastQuerySuccess": true,
                "lastQueryError": null,
                "source": "USER_API",
                "ttlSeconds": 3600
            }),
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let state = types::StudentState {
        state: Some("PART_TIME".into()),
        student_from: Some(date(2020, 1, 1)),
        student_to: Some(date(2020, 12, 31)),
        ..Default::default()
    };
    let response = h
        .api
        .user_student_state_update()
        .user_id("u1")
        .body(state)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "state": "PART_TIME",
            "studentFrom": "2020-01-01",
            "studentTo": "2020-12-31"
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);
    assert_eq!(response.state.as_deref(), Some("PART_TIME"));
    assert_eq!(response.last_query_success, Some(true));
    assert_eq!(response.last_query_error, None);
    assert_eq!(response.updated, Some(instant("2020-01-02T00:00:00Z")));

    mock("POST", "/user/u2/student/state")
        .respond_with(error_response(400, "Unknown student state"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_student_state_update()
        .user_id("u2")
        .body(types::StudentState {
            state: Some("ALWAYS".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "Unknown student state",
        "user_student_state_update",
    );
}

// ---------------------------------------------------------------------------------------------
// invites
// ---------------------------------------------------------------------------------------------

/// invite_send: POST /invite/user -> 200
#[tokio::test]
async fn invite_send() {
    let h = harness().await;
    mock("POST", "/invite/user")
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let invite = types::Invite {
        emails: Some(vec!["ada@example.com".into(), "grace@example.com".into()]),
        ns_code: "acme".into(),
        groups: Some(vec!["staff".into()]),
        locale: Some("fi".into()),
        subject: Some("Welcome to Acme".into()),
        body_text: None,
    };
    let response = h.api.invite_send().body(invite).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        only_request_json(&h.server).await,
        json!({
            "emails": ["ada@example.com", "grace@example.com"],
            "nsCode": "acme",
            "groups": ["staff"],
            "locale": "fi",
            "subject": "Welcome to Acme"
        })
    );
    assert_eq!(only_request(&h.server).await.url.query(), None);

    // The required fields are checked before anything is sent.
    let err = h.api.invite_send().send().await.unwrap_err();
    assert!(
        matches!(
            trivoreid::Error::from(err),
            trivoreid::Error::Sdk(trivoreid::SdkError::InvalidRequest(_))
        ),
        "an invite without emails and nsCode must not be sent"
    );
    assert_eq!(h.server.received_requests().await.unwrap().len(), 1);

    mock("POST", "/invite/user")
        .respond_with(error_response(400, "Invalid email address: not-an-email"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .invite_send()
        .body(types::Invite {
            emails: Some(vec!["not-an-email".into()]),
            ns_code: "acme".into(),
            groups: None,
            locale: None,
            subject: None,
            body_text: None,
        })
        .send()
        .await
        .unwrap_err();
    assert_api_error(
        trivoreid::Error::from(err),
        400,
        "Invalid email address: not-an-email",
        "invite_send",
    );
    let requests = h.server.received_requests().await.unwrap();
    let sent: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(sent, json!({"emails": ["not-an-email"], "nsCode": "acme"}));
}

// ---------------------------------------------------------------------------------------------
// Cross-cutting behaviour
// ---------------------------------------------------------------------------------------------

/// Reserved characters in an id stay inside their one path segment.
#[tokio::test]
async fn path_ids_are_percent_encoded_into_one_segment() {
    let h = harness().await;
    let id = "a/b?c#d e%f";
    let encoded = "a%2Fb%3Fc%23d%20e%25f";
    mock("GET", &format!("/user/{encoded}"))
        .respond_with(json_response(200, user_json(id)))
        .expect(1)
        .mount(&h.server)
        .await;
    let user = h.api.user_get().user_id(id).send().await.unwrap();
    assert_eq!(user.id.as_deref(), Some(id));
    let request = only_request(&h.server).await;
    assert_eq!(request.url.path(), format!("/api/rest/v1/user/{encoded}"));
    assert_eq!(request.url.query(), None);
    assert_eq!(request.url.fragment(), None);

    // Both ids of a two-id path, independently.
    mock(
        "POST",
        &format!("/user/{encoded}/sms/verify/check/12%2F34%2056"),
    )
    .respond_with(ResponseTemplate::new(200))
    .expect(1)
    .mount(&h.server)
    .await;
    h.api
        .user_sms_verify_check()
        .user_id(id)
        .code("12/34 56")
        .send()
        .await
        .unwrap();
    let requests = h.server.received_requests().await.unwrap();
    assert_eq!(
        requests[1].url.path(),
        format!("/api/rest/v1/user/{encoded}/sms/verify/check/12%2F34%2056")
    );
    assert_eq!(requests[1].url.query(), None);
}

/// `""`, `.` and `..` as user ids are refused before any request goes out.
#[tokio::test]
async fn user_get_rejects_empty_and_dot_ids() {
    let h = harness().await;
    for id in ["", ".", ".."] {
        let err = h.api.user_get().user_id(id).send().await.unwrap_err();
        assert_invalid_id(trivoreid::Error::from(err), "user_get", "userId");
    }
    assert!(h.server.received_requests().await.unwrap().is_empty());
}

/// `""`, `.` and `..` as the user id or the code are refused before any request goes out.
#[tokio::test]
async fn user_sms_verify_check_rejects_empty_and_dot_ids() {
    let h = harness().await;
    for bad in ["", ".", ".."] {
        let err = h
            .api
            .user_sms_verify_check()
            .user_id(bad)
            .code("123456")
            .send()
            .await
            .unwrap_err();
        assert_invalid_id(
            trivoreid::Error::from(err),
            "user_sms_verify_check",
            "userId, code",
        );
        let err = h
            .api
            .user_sms_verify_check()
            .user_id("u1")
            .code(bad)
            .send()
            .await
            .unwrap_err();
        assert_invalid_id(
            trivoreid::Error::from(err),
            "user_sms_verify_check",
            "userId, code",
        );
        // The helper refuses them the same way, instead of answering `false`.
        let err = h
            .api
            .check_sms_verification_code("u1", bad)
            .await
            .unwrap_err();
        assert_invalid_id(err, "user_sms_verify_check", "userId, code");
    }
    assert!(h.server.received_requests().await.unwrap().is_empty());
}

/// A 4xx/5xx whose body is not JSON (a proxy's HTML page) keeps the status and the raw body.
#[tokio::test]
async fn html_error_body_keeps_status_and_raw_body() {
    let h = harness().await;
    let html = "<html><head><title>403 Forbidden</title></head>\
                <body><h1>Forbidden</h1><p>nginx</p></body></html>";
    mock("GET", "/user/u1")
        .respond_with(
            ResponseTemplate::new(403)
                .insert_header("content-type", "text/html")
                .set_body_string(html),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let err = trivoreid::Error::from(h.api.user_get().user_id("u1").send().await.unwrap_err());
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), trivoreid::ApiErrorKind::Status);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(api.message(), None);
    assert_eq!(api.body(), Some(html.as_bytes()));
    assert_eq!(api.operation(), Some("user_get"));

    // The same for an operation without a response body.
    let gateway = "<html><body>502 Bad Gateway</body></html>";
    mock("DELETE", "/user/u1")
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string(gateway),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let err = trivoreid::Error::from(h.api.user_delete().user_id("u1").send().await.unwrap_err());
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(api.message(), None);
    assert_eq!(api.body(), Some(gateway.as_bytes()));
    assert_eq!(api.operation(), Some("user_delete"));
    assert!(api.is_retryable());
}

/// A success status the operation does not document is not taken for success.
#[tokio::test]
async fn undocumented_success_status_is_a_protocol_error() {
    let h = harness().await;
    mock("POST", "/user")
        .respond_with(json_response(200, user_json("u1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .user_create()
        .body(types::User {
            username: Some("ada".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    let err = trivoreid::Error::from(err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), trivoreid::ApiErrorKind::Protocol);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(api.operation(), Some("user_create"));
}

/// `check_sms_verification_code`: 200 is `true`, 404 is `false`, anything else an error.
#[tokio::test]
async fn check_sms_verification_code_helper() {
    let h = harness().await;
    mock("POST", "/user/u1/sms/verify/check/123456")
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("POST", "/user/u1/sms/verify/check/999999")
        .respond_with(error_response(404, "Invalid verification code"))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("POST", "/user/u1/sms/verify/check/500500")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;

    assert!(
        h.api
            .check_sms_verification_code("u1", "123456")
            .await
            .unwrap()
    );
    assert!(
        !h.api
            .check_sms_verification_code("u1", "999999")
            .await
            .unwrap()
    );
    let err = h
        .api
        .check_sms_verification_code("u1", "500500")
        .await
        .unwrap_err();
    assert_api_error(err, 500, "Internal server error", "user_sms_verify_check");
    for request in h.server.received_requests().await.unwrap() {
        assert_bare(&request);
    }
}

/// `create_user` without a password generates one (20 characters by default), sends it and hands
/// it back.
#[tokio::test]
async fn create_user_generates_and_returns_a_password() {
    let h = harness().await;
    mock("POST", "/user")
        .and(header("content-type", "application/json"))
        .respond_with(json_response(201, user_json("u-new")))
        .expect(1)
        .mount(&h.server)
        .await;
    let user = types::User {
        username: Some("ada".into()),
        ns_code: Some("acme".into()),
        ..Default::default()
    };
    let created = h
        .api
        .create_user(user, trivoreid::password::PasswordPolicy::default())
        .await
        .unwrap();
    let password = created.password.expose().to_owned();
    assert_eq!(password.chars().count(), 20, "{password:?}");
    assert!(password.chars().any(|c| c.is_ascii_lowercase()));
    assert!(password.chars().any(|c| c.is_ascii_uppercase()));
    assert!(password.chars().any(|c| c.is_ascii_digit()));
    assert_eq!(
        only_request_json(&h.server).await,
        json!({"username": "ada", "nsCode": "acme", "password": password})
    );
    assert_eq!(created.user.id.as_deref(), Some("u-new"));
    assert_eq!(created.user.password, None);
    // The password never shows in Debug output.
    assert!(!format!("{created:?}").contains(&password));
}

/// `create_user` with a password sends that password and hands it back unchanged.
#[tokio::test]
async fn create_user_keeps_a_given_password() {
    let h = harness().await;
    mock("POST", "/user")
        .respond_with(json_response(201, user_json("u-new")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let user = types::User {
        username: Some("ada".into()),
        password: Some("My-Own-Secret-1".into()),
        ..Default::default()
    };
    let created = h
        .api
        .create_user(user, trivoreid::password::PasswordPolicy::default())
        .await
        .unwrap();
    assert_eq!(created.password.expose(), "My-Own-Secret-1");
    assert_eq!(
        only_request_json(&h.server).await,
        json!({"username": "ada", "password": "My-Own-Secret-1"})
    );
    assert_eq!(created.user.id.as_deref(), Some("u-new"));

    mock("POST", "/user")
        .respond_with(error_response(400, "Password is too weak"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .create_user(
            types::User {
                password: Some("weak".into()),
                ..Default::default()
            },
            trivoreid::password::PasswordPolicy::default(),
        )
        .await
        .unwrap_err();
    assert_api_error(err, 400, "Password is too weak", "user_create");
}

/// The server may send `null` instead of an empty list or map: such a field decodes to `None`,
/// while a list that is present still decodes to `Some`.
#[tokio::test]
async fn null_lists_and_maps_decode_as_none() {
    let h = harness().await;
    let mut strong = strong_identification_json();
    strong["identificationDocuments"] = Value::Null;
    mock("GET", "/user/u1/strongidentification")
        .respond_with(json_response(200, strong))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut enterprise = enterprise_json();
    enterprise["parallelTradeNames"] = Value::Null;
    enterprise["auxiliaryTradeNames"] = Value::Null;
    mock("GET", "/user/u1/enterprise")
        .respond_with(json_response(200, enterprise))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut user = user_json("u1");
    for field in ["emails", "mobiles", "memberOf", "tags"] {
        user[field] = Value::Null;
    }
    user["addresses"] = json!([{"type": "PERMANENT", "postalCode": "00100"}]);
    mock("GET", "/user/u1")
        .respond_with(json_response(200, user))
        .expect(1)
        .mount(&h.server)
        .await;

    let strong = h
        .api
        .user_strongidentification_get()
        .user_id("u1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(strong.identification_documents, None);
    assert_eq!(strong.identified, Some(true));

    let enterprise = h
        .api
        .user_enterprise_get()
        .user_id("u1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(enterprise.parallel_trade_names, None);
    assert_eq!(enterprise.auxiliary_trade_names, None);
    assert_eq!(enterprise.business_id.as_deref(), Some("1234567-8"));

    let user = h
        .api
        .user_get()
        .user_id("u1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(user.emails, None);
    assert_eq!(user.mobiles, None);
    assert_eq!(user.member_of, None);
    assert_eq!(user.tags, None);
    assert_eq!(
        user.addresses,
        Some(vec![types::Address {
            type_: Some("PERMANENT".into()),
            postal_code: Some("00100".into()),
            ..Default::default()
        }])
    );
    assert_eq!(user.id.as_deref(), Some("u1"));
    assert_eq!(h.server.received_requests().await.unwrap().len(), 3);
}
