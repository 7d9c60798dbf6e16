#![cfg(feature = "extension")]
mod common;

// Contract tests for every operation tagged `contracts` (built with `--features extension`):
// contracts and their actions, parties, party signers, party contacts, appendices (and their
// order), the contract body, and the body and appendix files.
//
// Each operation test checks the method and exact path (with the Basic header), the exact query
// string, the exact JSON body (or the exact bytes of a file upload), the decoded response (from
// JSON with fields the SDK does not know) and its status, and the mapping of an error response
// to an `ApiError`. Cross-cutting tests check that path ids are encoded into one segment and that
// dot-segment ids are refused before any request goes out.

use common::*;
use serde_json::{Value, json};
use trivoreid::generated::{ByteStream, ResponseValue};
use trivoreid::prelude::*;
use trivoreid::types;
use trivoreid::{ApiErrorKind, Filter};
use wiremock::matchers::{body_bytes, body_json, header, query_param};
use wiremock::{MockServer, Request, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A contract id as the server generates them.
const C: &str = "5e8c1b2a9f1d4c0001a1b2c3";
/// A party id.
const P: &str = "5e8c1b2a9f1d4c0001a1b2d4";
/// A signer id.
const S: &str = "5e8c1b2a9f1d4c0001a1b2e5";
/// A party contact id.
const K: &str = "5e8c1b2a9f1d4c0001a1b2f6";
/// An appendix id.
const A: &str = "5e8c1b2a9f1d4c0001a1b307";
/// A second appendix id.
const A2: &str = "5e8c1b2a9f1d4c0001a1b318";
/// The user id that owns things.
const OWNER: &str = "5b9f0a1c2d3e4f5a6b7c8d9e";

/// The only request the server received, after checking its query string is exactly `query`.
async fn only_raw_request(server: &MockServer, query: &[(&str, &str)]) -> Request {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
    let request = all.remove(0);
    assert_query(&request, query);
    request
}

/// Asserts `err` is the SDK's refusal of a path id for `operation`, naming `param`.
fn assert_invalid_id(err: trivoreid::Error, operation: &str, param: &str) {
    match err {
        trivoreid::Error::Sdk(trivoreid::SdkError::InvalidId {
            operation: op,
            ref params,
        }) => {
            assert_eq!(op, operation);
            assert!(params.contains(param), "{operation}: params {params:?}");
        }
        other => panic!("{operation}: expected SdkError::InvalidId, got {other:?}"),
    }
}

/// Reads a binary download to the end.
async fn collect(response: ResponseValue<ByteStream>) -> Vec<u8> {
    let mut stream = response.into_inner();
    let mut got = Vec::new();
    while let Some(chunk) = stream.try_next().await.expect("body chunk") {
        got.extend_from_slice(&chunk);
    }
    got
}

/// A small PDF-like file: not UTF-8, with NUL bytes, ending in JSON whitespace.
fn pdf_bytes() -> Vec<u8> {
    let mut bytes =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n\x00\xff\xfe\x80\x81"
            .to_vec();
    bytes.extend_from_slice(b"stream\n\x89PNG\r\n\x1a\n\x00\x00endstream\n%%EOF\r\n \t");
    bytes
}

/// A larger binary file holding every byte value, so that it arrives in several chunks.
fn big_bytes() -> Vec<u8> {
    (0..256 * 1024).map(|i: u32| (i * 31 % 256) as u8).collect()
}

fn signer_json(id: &str) -> Value {
    json!({
        "id": id,
        "userId": OWNER,
        "externalId": "crm-signer-17",
        "name": "Ada Lovelace",
        "address": "Kotikatu 1, 00100 Helsinki",
        "mobile": "+358401234567",
        "email": "ada@example.com",
        "signature": {"signedAt": "2020-04-02T09:15:00.000Z", "method": "STRONG_IDENTIFICATION"},
        "termination": null,
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn signer_value(id: &str) -> types::Signer {
    types::Signer {
        id: Some(id.into()),
        user_id: Some(OWNER.into()),
        external_id: Some("crm-signer-17".into()),
        name: Some("Ada Lovelace".into()),
        address: Some("Kotikatu 1, 00100 Helsinki".into()),
        mobile: Some("+358401234567".into()),
        email: Some("ada@example.com".into()),
        signature: Some(
            json!({"signedAt": "2020-04-02T09:15:00.000Z", "method": "STRONG_IDENTIFICATION"}),
        ),
        termination: None,
    }
}

fn contact_json(id: &str) -> Value {
    json!({
        "id": id,
        "userId": null,
        "externalId": "crm-contact-3",
        "name": "Billing Department",
        "address": "PL 100, 00101 Helsinki",
        "mobile": "+358501112223",
        "email": "billing@example.com",
        "role": "BILLING",
        "unknownFieldTheServerAdded": [1, 2]
    })
}

fn contact_value(id: &str) -> types::PartyContact {
    types::PartyContact {
        id: Some(id.into()),
        user_id: None,
        external_id: Some("crm-contact-3".into()),
        name: Some("Billing Department".into()),
        address: Some("PL 100, 00101 Helsinki".into()),
        mobile: Some("+358501112223".into()),
        email: Some("billing@example.com".into()),
        role: Some("BILLING".into()),
    }
}

fn party_json(id: &str) -> Value {
    json!({
        "id": id,
        "userId": OWNER,
        "externalId": "crm-party-9",
        "name": "Acme Oy",
        "address": "Teollisuuskatu 5, 00510 Helsinki",
        "mobile": "+358401234567",
        "email": "contracts@acme.example.com",
        "functionalReference": "Provider",
        "terminationMode": "AFTER_ALL_SIGNERS_TERMINATE",
        "signers": [signer_json(S)],
        "contacts": [contact_json(K)],
        "unknownFieldTheServerAdded": true
    })
}

fn party_value(id: &str) -> types::Party {
    types::Party {
        id: Some(id.into()),
        user_id: Some(OWNER.into()),
        external_id: Some("crm-party-9".into()),
        name: Some("Acme Oy".into()),
        address: Some("Teollisuuskatu 5, 00510 Helsinki".into()),
        mobile: Some("+358401234567".into()),
        email: Some("contracts@acme.example.com".into()),
        functional_reference: Some("Provider".into()),
        termination_mode: Some("AFTER_ALL_SIGNERS_TERMINATE".into()),
        signers: Some(vec![signer_value(S)]),
        contacts: Some(vec![contact_value(K)]),
    }
}

fn appendix_json(id: &str, title: &str) -> Value {
    json!({
        "id": id,
        "title": title,
        "text": "Prices are valid for 2020.",
        "externalFileRef": null,
        "hasInternalFile": true,
        "internalFileType": "application/pdf",
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn appendix_value(id: &str, title: &str) -> types::Appendix {
    types::Appendix {
        id: Some(id.into()),
        title: Some(title.into()),
        text: Some("Prices are valid for 2020.".into()),
        external_file_ref: None,
        has_internal_file: Some(true),
        internal_file_type: Some("application/pdf".into()),
    }
}

fn content_json() -> Value {
    json!({
        "text": "The Provider shall deliver the Service as described in Appendix 1.",
        "externalFileRef": "https://files.example.com/contracts/sa-2020.pdf",
        "hasInternalFile": false,
        "internalFileType": null,
        "unknownFieldTheServerAdded": 7
    })
}

fn content_value() -> types::ContractContent {
    types::ContractContent {
        text: Some("The Provider shall deliver the Service as described in Appendix 1.".into()),
        external_file_ref: Some("https://files.example.com/contracts/sa-2020.pdf".into()),
        has_internal_file: Some(false),
        internal_file_type: None,
    }
}

/// A contract as the server sends it (nulls included, plus fields the SDK does not know).
fn contract_json(id: &str, state: &str) -> Value {
    json!({
        "id": id,
        "title": "Service agreement",
        "version": "2",
        "code": "SA-2020-001",
        "scope": "Hosting of the customer portal",
        "termsOfDelivery": "Delivered electronically",
        "validFrom": "2020-04-01T00:00:00.000Z",
        "validTo": "2021-03-31T23:59:59.999Z",
        "termOfNoticeDays": 30,
        "terminationMode": "AFTER_ALL_PARTIES_TERMINATE",
        "currentState": state,
        "currentStateChanged": "2020-03-20T11:04:21.534Z",
        "stateEvents": [{"state": "DRAFT", "time": "2020-03-20T11:04:21.534Z", "userId": OWNER}],
        "links": [{"rel": "framework", "href": "https://id.example.com/api/rest/v1/contract/fa-7"}],
        "termination": null,
        "addendumFor": null,
        "contractRefs": {"erp": "PO-1234"},
        "frameworkAgreementRef": "FA-7",
        "ownerId": OWNER,
        "notes": "Renewed yearly",
        "parties": [party_json(P)],
        "appendices": [appendix_json(A, "Price list")],
        "body": content_json(),
        "financialTerms": {"paymentTerms": "14 days net", "billingTerms": "Monthly in arrears",
                           "penaltyInterest": "8 %", "aTermAddedLater": "x"},
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn contract_value(id: &str, state: &str) -> types::Contract {
    types::Contract {
        id: Some(id.into()),
        title: Some("Service agreement".into()),
        version: Some("2".into()),
        code: Some("SA-2020-001".into()),
        scope: Some("Hosting of the customer portal".into()),
        terms_of_delivery: Some("Delivered electronically".into()),
        valid_from: Some("2020-04-01T00:00:00.000Z".parse().unwrap()),
        valid_to: Some("2021-03-31T23:59:59.999Z".parse().unwrap()),
        term_of_notice_days: Some(30),
        termination_mode: Some("AFTER_ALL_PARTIES_TERMINATE".into()),
        current_state: Some(state.into()),
        current_state_changed: Some("2020-03-20T11:04:21.534Z".parse().unwrap()),
        state_events: Some(vec![
            json!({"state": "DRAFT", "time": "2020-03-20T11:04:21.534Z", "userId": OWNER}),
        ]),
        links: Some(vec![
            json!({"rel": "framework", "href": "https://id.example.com/api/rest/v1/contract/fa-7"}),
        ]),
        termination: None,
        addendum_for: None,
        contract_refs: Some(json!({"erp": "PO-1234"})),
        framework_agreement_ref: Some("FA-7".into()),
        owner_id: Some(OWNER.into()),
        notes: Some("Renewed yearly".into()),
        parties: Some(vec![party_value(P)]),
        appendices: Some(vec![appendix_value(A, "Price list")]),
        body: Some(content_value()),
        financial_terms: Some(types::FinancialTerms {
            payment_terms: Some("14 days net".into()),
            billing_terms: Some("Monthly in arrears".into()),
            penalty_interest: Some("8 %".into()),
        }),
    }
}

/// A new contract as a caller builds it (only some fields set).
fn new_contract() -> types::Contract {
    types::Contract {
        title: Some("Service agreement".into()),
        version: Some("1".into()),
        code: Some("SA-2020-001".into()),
        valid_from: Some("2020-04-01T08:30:00.250Z".parse().unwrap()),
        term_of_notice_days: Some(30),
        termination_mode: Some("AFTER_SINGLE_PARTY_LEFT".into()),
        contract_refs: Some(json!({"erp": "PO-1234"})),
        owner_id: Some(OWNER.into()),
        parties: Some(vec![types::Party {
            name: Some("Acme Oy".into()),
            functional_reference: Some("Provider".into()),
            ..Default::default()
        }]),
        body: Some(types::ContractContent {
            text: Some("The Provider shall deliver the Service.".into()),
            ..Default::default()
        }),
        financial_terms: Some(types::FinancialTerms {
            payment_terms: Some("14 days net".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The JSON of [`new_contract`]: camelCase keys, nothing that was not set.
fn new_contract_json() -> Value {
    json!({
        "title": "Service agreement",
        "version": "1",
        "code": "SA-2020-001",
        "validFrom": "2020-04-01T08:30:00.250Z",
        "termOfNoticeDays": 30,
        "terminationMode": "AFTER_SINGLE_PARTY_LEFT",
        "contractRefs": {"erp": "PO-1234"},
        "ownerId": OWNER,
        "parties": [{"name": "Acme Oy", "functionalReference": "Provider"}],
        "body": {"text": "The Provider shall deliver the Service."},
        "financialTerms": {"paymentTerms": "14 days net"}
    })
}

// ---------------------------------------------------------------------------------------------
// contracts
// ---------------------------------------------------------------------------------------------

/// contract_list: GET /contract?filter&startIndex&count
#[tokio::test]
async fn contract_list() {
    let h = harness().await;
    let filter = r#"currentState eq "DRAFT" and title sw "Serv\"ice""#;
    mock("GET", "/contract")
        .and(query_param("filter", filter))
        .and(query_param("startIndex", "100"))
        .and(query_param("count", "50"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 101, "startIndex": 100, "itemsPerPage": 1,
            "resources": [contract_json(C, "DRAFT")],
            "unknownFieldTheServerAdded": 1
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .contract_list()
        .filter(Filter::eq("currentState", "DRAFT").and(Filter::sw("title", "Serv\"ice")))
        .start_index(100)
        .count(50)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[("filter", filter), ("startIndex", "100"), ("count", "50")],
    )
    .await;
    assert_no_body(&request);
    let page = page.into_inner();
    assert_eq!(page.total_results, Some(101));
    assert_eq!(page.start_index, Some(100));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources, vec![contract_value(C, "DRAFT")]);

    // Nothing set: no query parameters at all.
    next_phase(&h.server).await;
    mock("GET", "/contract")
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.contract_list().send().await.unwrap_err();
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_VIEW.",
        "contract_list",
    );
}

/// contract_create: POST /contract -> 201
#[tokio::test]
async fn contract_create() {
    let h = harness().await;
    let expected_body = new_contract_json();
    mock("POST", "/contract")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(contract_json(C, "DRAFT")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .contract_create()
        .body(new_contract())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(created.into_inner(), contract_value(C, "DRAFT"));

    next_phase(&h.server).await;
    mock("POST", "/contract")
        .and(body_json(&expected_body))
        .respond_with(error_response(400, "validFrom must be before validTo"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_create()
        .body(new_contract())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "validFrom must be before validTo",
        "contract_create",
    );
}

/// contract_get: GET /contract/{contractId}
#[tokio::test]
async fn contract_get() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contract_json(C, "SIGNED")))
        .expect(1)
        .mount(&h.server)
        .await;
    let contract = h.api.contract_get().contract_id(C).send().await.unwrap();
    assert_eq!(contract.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(contract.into_inner(), contract_value(C, "SIGNED"));

    next_phase(&h.server).await;
    mock("GET", "/contract/nope")
        .respond_with(error_response(404, "Contract not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_get()
        .contract_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Contract not found", "contract_get");
}

/// contract_update: PUT /contract/{contractId}
#[tokio::test]
async fn contract_update() {
    let h = harness().await;
    let update = types::Contract {
        id: Some(C.into()),
        title: Some("Service agreement (amended)".into()),
        valid_to: Some("2022-03-31T23:59:59.999Z".parse().unwrap()),
        scope: Some("Hosting and support".into()),
        terms_of_delivery: Some("Delivered electronically".into()),
        addendum_for: Some("5e8c1b2a9f1d4c0001a1b000".into()),
        framework_agreement_ref: Some("FA-7".into()),
        notes: Some("Second year".into()),
        links: Some(vec![json!({"rel": "previous", "href": "urn:contract:1"})]),
        financial_terms: Some(types::FinancialTerms {
            billing_terms: Some("Quarterly".into()),
            penalty_interest: Some("7.5 %".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let expected_body = json!({
        "id": C,
        "title": "Service agreement (amended)",
        "validTo": "2022-03-31T23:59:59.999Z",
        "scope": "Hosting and support",
        "termsOfDelivery": "Delivered electronically",
        "addendumFor": "5e8c1b2a9f1d4c0001a1b000",
        "frameworkAgreementRef": "FA-7",
        "notes": "Second year",
        "links": [{"rel": "previous", "href": "urn:contract:1"}],
        "financialTerms": {"billingTerms": "Quarterly", "penaltyInterest": "7.5 %"}
    });
    mock("PUT", &format!("/contract/{C}"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(contract_json(C, "DRAFT")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .contract_update()
        .contract_id(C)
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.into_inner(), contract_value(C, "DRAFT"));

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}"))
        .respond_with(error_response(
            409,
            "Contract can only be edited while in DRAFT state",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_update()
        .contract_id(C)
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Contract can only be edited while in DRAFT state",
        "contract_update",
    );
}

/// contract_delete: DELETE /contract/{contractId} -> 204
#[tokio::test]
async fn contract_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h.api.contract_delete().contract_id(C).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}"))
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_DELETE.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_delete()
        .contract_id(C)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_DELETE.",
        "contract_delete",
    );
}

/// contract_actions_get: GET /contract/{contractId}/actions
#[tokio::test]
async fn contract_actions_get() {
    let h = harness().await;
    let actions = json!({
        "edit": true,
        "finalise": true,
        "sign": false,
        "terminate": false,
        "delete": true,
        "anActionAddedLater": {"allowed": false, "reason": "not yet"}
    });
    mock("GET", &format!("/contract/{C}/actions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&actions))
        .expect(1)
        .mount(&h.server)
        .await;
    let got = h
        .api
        .contract_actions_get()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(got["finalise"], json!(true));
    assert_eq!(got["sign"], json!(false));
    // A free-form object: everything the server sent is kept, unknown keys included.
    let got: serde_json::Map<String, Value> = got.into_inner().into();
    assert_eq!(Value::Object(got), actions);

    next_phase(&h.server).await;
    mock("GET", "/contract/gone/actions")
        .respond_with(error_response(404, "Contract not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_actions_get()
        .contract_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Contract not found",
        "contract_actions_get",
    );
}

/// contract_finalise: POST /contract/{contractId}/actions/finalise (no body) -> 200 Contract
#[tokio::test]
async fn contract_finalise() {
    let h = harness().await;
    mock("POST", &format!("/contract/{C}/actions/finalise"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contract_json(C, "SIGNABLE")))
        .expect(1)
        .mount(&h.server)
        .await;
    let contract = h
        .api
        .contract_finalise()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(contract.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(contract.into_inner(), contract_value(C, "SIGNABLE"));

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/actions/finalise"))
        .respond_with(error_response(409, "Contract is not in DRAFT state"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_finalise()
        .contract_id(C)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Contract is not in DRAFT state",
        "contract_finalise",
    );
}

/// contract_terminate: POST /contract/{contractId}/actions/terminate?reason (no body) -> 200 Contract
#[tokio::test]
async fn contract_terminate() {
    let h = harness().await;
    let reason = "Customer moved & closed the account: 100% done?";
    mock("POST", &format!("/contract/{C}/actions/terminate"))
        .and(query_param("reason", reason))
        .respond_with(ResponseTemplate::new(200).set_body_json(contract_json(C, "UNDER_NOTICE")))
        .expect(1)
        .mount(&h.server)
        .await;
    let contract = h
        .api
        .contract_terminate()
        .contract_id(C)
        .reason(reason)
        .send()
        .await
        .unwrap();
    assert_eq!(contract.status().as_u16(), 200);
    // The reason is a query parameter of the POST, never a body.
    assert_no_body(&only_request(&h.server, &[("reason", reason)]).await);
    assert_eq!(contract.into_inner(), contract_value(C, "UNDER_NOTICE"));

    // Without a reason: no query parameter at all.
    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/actions/terminate"))
        .respond_with(error_response(400, "Contract is not signed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_terminate()
        .contract_id(C)
        .send()
        .await
        .unwrap_err();
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_error(
        err.into(),
        400,
        "Contract is not signed",
        "contract_terminate",
    );
}

/// contract_sign: POST /contract/{contractId}/actions/sign (no body) -> 200 Contract
#[tokio::test]
async fn contract_sign() {
    let h = harness().await;
    mock("POST", &format!("/contract/{C}/actions/sign"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contract_json(C, "SIGNED")))
        .expect(1)
        .mount(&h.server)
        .await;
    let contract = h.api.contract_sign().contract_id(C).send().await.unwrap();
    assert_eq!(contract.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(contract.into_inner(), contract_value(C, "SIGNED"));

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/actions/sign"))
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_SIGN.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_sign()
        .contract_id(C)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_SIGN.",
        "contract_sign",
    );
}

// ---------------------------------------------------------------------------------------------
// parties
// ---------------------------------------------------------------------------------------------

/// contract_party_list: GET /contract/{contractId}/party (a bare array)
#[tokio::test]
async fn contract_party_list() {
    let h = harness().await;
    let mut second = party_json("5e8c1b2a9f1d4c0001a1b2d5");
    second["signers"] = json!([]);
    second["contacts"] = Value::Null;
    mock("GET", &format!("/contract/{C}/party"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([party_json(P), second])))
        .expect(1)
        .mount(&h.server)
        .await;
    let parties = h
        .api
        .contract_party_list()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(parties.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let second = types::Party {
        id: Some("5e8c1b2a9f1d4c0001a1b2d5".into()),
        signers: Some(vec![]),
        contacts: None,
        ..party_value(P)
    };
    assert_eq!(parties.into_inner(), vec![party_value(P), second]);

    next_phase(&h.server).await;
    mock("GET", "/contract/gone/party")
        .respond_with(error_response(404, "Contract not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_list()
        .contract_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Contract not found", "contract_party_list");
}

/// contract_party_create: POST /contract/{contractId}/party -> 200
#[tokio::test]
async fn contract_party_create() {
    let h = harness().await;
    let party = types::Party {
        user_id: Some(OWNER.into()),
        external_id: Some("crm-party-9".into()),
        name: Some("Acme Oy".into()),
        address: Some("Teollisuuskatu 5, 00510 Helsinki".into()),
        mobile: Some("+358401234567".into()),
        email: Some("contracts@acme.example.com".into()),
        functional_reference: Some("Provider".into()),
        termination_mode: Some("AFTER_SINGLE_SIGNER_TERMINATES".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "userId": OWNER,
        "externalId": "crm-party-9",
        "name": "Acme Oy",
        "address": "Teollisuuskatu 5, 00510 Helsinki",
        "mobile": "+358401234567",
        "email": "contracts@acme.example.com",
        "functionalReference": "Provider",
        "terminationMode": "AFTER_SINGLE_SIGNER_TERMINATES"
    });
    mock("POST", &format!("/contract/{C}/party"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(party_json(P)))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .contract_party_create()
        .contract_id(C)
        .body(party.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(created.into_inner(), party_value(P));

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/party"))
        .and(body_json(&expected_body))
        .respond_with(error_response(400, "Party must have a name or a userId"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_create()
        .contract_id(C)
        .body(party)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Party must have a name or a userId",
        "contract_party_create",
    );
}

/// contract_party_get: GET /contract/{contractId}/party/{partyId}
#[tokio::test]
async fn contract_party_get() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/party/{P}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(party_json(P)))
        .expect(1)
        .mount(&h.server)
        .await;
    let party = h
        .api
        .contract_party_get()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap();
    assert_eq!(party.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(party.into_inner(), party_value(P));

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/party/nope"))
        .respond_with(error_response(404, "Party not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_get()
        .contract_id(C)
        .party_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Party not found", "contract_party_get");
}

/// contract_party_update: PUT /contract/{contractId}/party/{partyId}
#[tokio::test]
async fn contract_party_update() {
    let h = harness().await;
    let party = types::Party {
        id: Some(P.into()),
        name: Some("Acme Group Oy".into()),
        email: Some("legal@acme.example.com".into()),
        termination_mode: Some("AFTER_ALL_SIGNERS_TERMINATE".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "id": P,
        "name": "Acme Group Oy",
        "email": "legal@acme.example.com",
        "terminationMode": "AFTER_ALL_SIGNERS_TERMINATE"
    });
    mock("PUT", &format!("/contract/{C}/party/{P}"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(party_json(P)))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .contract_party_update()
        .contract_id(C)
        .party_id(P)
        .body(party.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.into_inner(), party_value(P));

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/party/{P}"))
        .respond_with(error_response(
            409,
            "Parties cannot be changed after the contract is finalised",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_update()
        .contract_id(C)
        .party_id(P)
        .body(party)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Parties cannot be changed after the contract is finalised",
        "contract_party_update",
    );
}

/// contract_party_delete: DELETE /contract/{contractId}/party/{partyId} -> 204
#[tokio::test]
async fn contract_party_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}/party/{P}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contract_party_delete()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}/party/{P}"))
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_delete()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "contract_party_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// party signers
// ---------------------------------------------------------------------------------------------

/// contract_party_signer_list: GET /contract/{contractId}/party/{partyId}/signer (a bare array)
#[tokio::test]
async fn contract_party_signer_list() {
    let h = harness().await;
    let mut second = signer_json("5e8c1b2a9f1d4c0001a1b2e6");
    second["signature"] = Value::Null;
    second["termination"] = json!({"terminatedAt": "2021-01-01T00:00:00.000Z"});
    mock("GET", &format!("/contract/{C}/party/{P}/signer"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([signer_json(S), second])))
        .expect(1)
        .mount(&h.server)
        .await;
    let signers = h
        .api
        .contract_party_signer_list()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap();
    assert_eq!(signers.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let second = types::Signer {
        id: Some("5e8c1b2a9f1d4c0001a1b2e6".into()),
        signature: None,
        termination: Some(json!({"terminatedAt": "2021-01-01T00:00:00.000Z"})),
        ..signer_value(S)
    };
    assert_eq!(signers.into_inner(), vec![signer_value(S), second]);

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/party/{P}/signer"))
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_signer_list()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "contract_party_signer_list",
    );
}

/// contract_party_signer_create: POST /contract/{contractId}/party/{partyId}/signer -> 200
#[tokio::test]
async fn contract_party_signer_create() {
    let h = harness().await;
    let signer = types::Signer {
        user_id: Some(OWNER.into()),
        external_id: Some("crm-signer-17".into()),
        name: Some("Ada Lovelace".into()),
        mobile: Some("+358401234567".into()),
        email: Some("ada@example.com".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "userId": OWNER,
        "externalId": "crm-signer-17",
        "name": "Ada Lovelace",
        "mobile": "+358401234567",
        "email": "ada@example.com"
    });
    mock("POST", &format!("/contract/{C}/party/{P}/signer"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(signer_json(S)))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .contract_party_signer_create()
        .contract_id(C)
        .party_id(P)
        .body(signer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(created.into_inner(), signer_value(S));

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/party/{P}/signer"))
        .and(body_json(&expected_body))
        .respond_with(error_response(400, "Invalid mobile number"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_signer_create()
        .contract_id(C)
        .party_id(P)
        .body(signer)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Invalid mobile number",
        "contract_party_signer_create",
    );
}

/// contract_party_signer_get: GET /contract/{contractId}/party/{partyId}/signer/{signerId}
#[tokio::test]
async fn contract_party_signer_get() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/party/{P}/signer/{S}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(signer_json(S)))
        .expect(1)
        .mount(&h.server)
        .await;
    let signer = h
        .api
        .contract_party_signer_get()
        .contract_id(C)
        .party_id(P)
        .signer_id(S)
        .send()
        .await
        .unwrap();
    assert_eq!(signer.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(signer.into_inner(), signer_value(S));

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/party/{P}/signer/nope"))
        .respond_with(error_response(404, "Signer not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_signer_get()
        .contract_id(C)
        .party_id(P)
        .signer_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Signer not found",
        "contract_party_signer_get",
    );
}

/// contract_party_signer_update: PUT /contract/{contractId}/party/{partyId}/signer/{signerId}
#[tokio::test]
async fn contract_party_signer_update() {
    let h = harness().await;
    let signer = types::Signer {
        id: Some(S.into()),
        name: Some("Ada King".into()),
        address: Some("Uusikatu 2, 00100 Helsinki".into()),
        signature: Some(json!({"method": "STRONG_IDENTIFICATION"})),
        ..Default::default()
    };
    let expected_body = json!({
        "id": S,
        "name": "Ada King",
        "address": "Uusikatu 2, 00100 Helsinki",
        "signature": {"method": "STRONG_IDENTIFICATION"}
    });
    mock("PUT", &format!("/contract/{C}/party/{P}/signer/{S}"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(signer_json(S)))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .contract_party_signer_update()
        .contract_id(C)
        .party_id(P)
        .signer_id(S)
        .body(signer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.into_inner(), signer_value(S));

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/party/{P}/signer/{S}"))
        .respond_with(error_response(409, "Signer has already signed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_signer_update()
        .contract_id(C)
        .party_id(P)
        .signer_id(S)
        .body(signer)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Signer has already signed",
        "contract_party_signer_update",
    );
}

/// contract_party_signer_delete: DELETE /contract/{contractId}/party/{partyId}/signer/{signerId} -> 204
#[tokio::test]
async fn contract_party_signer_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}/party/{P}/signer/{S}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contract_party_signer_delete()
        .contract_id(C)
        .party_id(P)
        .signer_id(S)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}/party/{P}/signer/{S}"))
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_EDIT.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_signer_delete()
        .contract_id(C)
        .party_id(P)
        .signer_id(S)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_EDIT.",
        "contract_party_signer_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// party contacts
// ---------------------------------------------------------------------------------------------

/// contract_party_contact_list: GET /contract/{contractId}/party/{partyId}/contact (a bare array)
#[tokio::test]
async fn contract_party_contact_list() {
    let h = harness().await;
    let mut second = contact_json("5e8c1b2a9f1d4c0001a1b2f7");
    second["role"] = json!("A_ROLE_ADDED_LATER");
    second["userId"] = json!(OWNER);
    mock("GET", &format!("/contract/{C}/party/{P}/contact"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([contact_json(K), second])))
        .expect(1)
        .mount(&h.server)
        .await;
    let contacts = h
        .api
        .contract_party_contact_list()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap();
    assert_eq!(contacts.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    // A role the SDK does not know still decodes.
    let second = types::PartyContact {
        id: Some("5e8c1b2a9f1d4c0001a1b2f7".into()),
        role: Some("A_ROLE_ADDED_LATER".into()),
        user_id: Some(OWNER.into()),
        ..contact_value(K)
    };
    assert_eq!(contacts.into_inner(), vec![contact_value(K), second]);

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/party/{P}/contact"))
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_contact_list()
        .contract_id(C)
        .party_id(P)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_VIEW.",
        "contract_party_contact_list",
    );
}

/// contract_party_contact_create: POST /contract/{contractId}/party/{partyId}/contact -> 200
#[tokio::test]
async fn contract_party_contact_create() {
    let h = harness().await;
    let contact = types::PartyContact {
        external_id: Some("crm-contact-3".into()),
        name: Some("Billing Department".into()),
        address: Some("PL 100, 00101 Helsinki".into()),
        email: Some("billing@example.com".into()),
        role: Some("BILLING".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "externalId": "crm-contact-3",
        "name": "Billing Department",
        "address": "PL 100, 00101 Helsinki",
        "email": "billing@example.com",
        "role": "BILLING"
    });
    mock("POST", &format!("/contract/{C}/party/{P}/contact"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(K)))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .contract_party_contact_create()
        .contract_id(C)
        .party_id(P)
        .body(contact.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(created.into_inner(), contact_value(K));

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/party/{P}/contact"))
        .and(body_json(&expected_body))
        .respond_with(error_response(400, "Invalid role"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_contact_create()
        .contract_id(C)
        .party_id(P)
        .body(contact)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Invalid role",
        "contract_party_contact_create",
    );
}

/// contract_party_contact_get: GET /contract/{contractId}/party/{partyId}/contact/{contactId}
#[tokio::test]
async fn contract_party_contact_get() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/party/{P}/contact/{K}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(K)))
        .expect(1)
        .mount(&h.server)
        .await;
    let contact = h
        .api
        .contract_party_contact_get()
        .contract_id(C)
        .party_id(P)
        .contact_id(K)
        .send()
        .await
        .unwrap();
    assert_eq!(contact.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(contact.into_inner(), contact_value(K));

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/party/{P}/contact/nope"))
        .respond_with(error_response(404, "Contact not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_contact_get()
        .contract_id(C)
        .party_id(P)
        .contact_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Contact not found",
        "contract_party_contact_get",
    );
}

/// contract_party_contact_update: PUT /contract/{contractId}/party/{partyId}/contact/{contactId}
#[tokio::test]
async fn contract_party_contact_update() {
    let h = harness().await;
    let contact = types::PartyContact {
        id: Some(K.into()),
        user_id: Some(OWNER.into()),
        mobile: Some("+358501112223".into()),
        role: Some("ESCALATION".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "id": K,
        "userId": OWNER,
        "mobile": "+358501112223",
        "role": "ESCALATION"
    });
    mock("PUT", &format!("/contract/{C}/party/{P}/contact/{K}"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(contact_json(K)))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .contract_party_contact_update()
        .contract_id(C)
        .party_id(P)
        .contact_id(K)
        .body(contact.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.into_inner(), contact_value(K));

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/party/{P}/contact/{K}"))
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_contact_update()
        .contract_id(C)
        .party_id(P)
        .contact_id(K)
        .body(contact)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "contract_party_contact_update",
    );
}

/// contract_party_contact_delete: DELETE /contract/{contractId}/party/{partyId}/contact/{contactId} -> 204
#[tokio::test]
async fn contract_party_contact_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}/party/{P}/contact/{K}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contract_party_contact_delete()
        .contract_id(C)
        .party_id(P)
        .contact_id(K)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}/party/{P}/contact/gone"))
        .respond_with(error_response(404, "Contact not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_party_contact_delete()
        .contract_id(C)
        .party_id(P)
        .contact_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Contact not found",
        "contract_party_contact_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// appendices
// ---------------------------------------------------------------------------------------------

/// contract_appendix_list: GET /contract/{contractId}/appendix (a bare array)
#[tokio::test]
async fn contract_appendix_list() {
    let h = harness().await;
    let mut second = appendix_json(A2, "Service levels");
    second["hasInternalFile"] = json!(false);
    second["internalFileType"] = Value::Null;
    second["externalFileRef"] = json!("https://files.example.com/sla.pdf");
    mock("GET", &format!("/contract/{C}/appendix"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([appendix_json(A, "Price list"), second])),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let appendices = h
        .api
        .contract_appendix_list()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(appendices.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    let second = types::Appendix {
        has_internal_file: Some(false),
        internal_file_type: None,
        external_file_ref: Some("https://files.example.com/sla.pdf".into()),
        ..appendix_value(A2, "Service levels")
    };
    assert_eq!(
        appendices.into_inner(),
        vec![appendix_value(A, "Price list"), second]
    );

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/appendix"))
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_list()
        .contract_id(C)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "contract_appendix_list",
    );
}

/// contract_appendix_create: POST /contract/{contractId}/appendix -> 201
#[tokio::test]
async fn contract_appendix_create() {
    let h = harness().await;
    let appendix = types::Appendix {
        title: Some("Price list".into()),
        text: Some("Prices are valid for 2020.".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "title": "Price list",
        "text": "Prices are valid for 2020."
    });
    mock("POST", &format!("/contract/{C}/appendix"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(201).set_body_json(appendix_json(A, "Price list")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .contract_appendix_create()
        .contract_id(C)
        .body(appendix.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(created.into_inner(), appendix_value(A, "Price list"));

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/appendix"))
        .and(body_json(&expected_body))
        .respond_with(error_response(
            409,
            "Appendices cannot be added after the contract is finalised",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_create()
        .contract_id(C)
        .body(appendix)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Appendices cannot be added after the contract is finalised",
        "contract_appendix_create",
    );
}

/// contract_appendix_get: GET /contract/{contractId}/appendix/{appendixId}
#[tokio::test]
async fn contract_appendix_get() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/appendix/{A}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(appendix_json(A, "Price list")))
        .expect(1)
        .mount(&h.server)
        .await;
    let appendix = h
        .api
        .contract_appendix_get()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
        .unwrap();
    assert_eq!(appendix.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(appendix.into_inner(), appendix_value(A, "Price list"));

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/appendix/nope"))
        .respond_with(error_response(404, "Appendix not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_get()
        .contract_id(C)
        .appendix_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Appendix not found",
        "contract_appendix_get",
    );
}

/// contract_appendix_update: PUT /contract/{contractId}/appendix/{appendixId}
#[tokio::test]
async fn contract_appendix_update() {
    let h = harness().await;
    let appendix = types::Appendix {
        id: Some(A.into()),
        title: Some("Price list 2021".into()),
        external_file_ref: Some("https://files.example.com/prices-2021.pdf".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "id": A,
        "title": "Price list 2021",
        "externalFileRef": "https://files.example.com/prices-2021.pdf"
    });
    mock("PUT", &format!("/contract/{C}/appendix/{A}"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(appendix_json(A, "Price list")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .contract_appendix_update()
        .contract_id(C)
        .appendix_id(A)
        .body(appendix.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.into_inner(), appendix_value(A, "Price list"));

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/appendix/{A}"))
        .respond_with(error_response(400, "title must not be empty"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_update()
        .contract_id(C)
        .appendix_id(A)
        .body(appendix)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "title must not be empty",
        "contract_appendix_update",
    );
}

/// contract_appendix_delete: DELETE /contract/{contractId}/appendix/{appendixId} -> 204
#[tokio::test]
async fn contract_appendix_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}/appendix/{A}"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contract_appendix_delete()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}/appendix/{A}"))
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_EDIT.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_delete()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_EDIT.",
        "contract_appendix_delete",
    );
}

/// contract_appendix_order_update: POST /contract/{contractId}/appendix/order (JSON array of ids)
#[tokio::test]
async fn contract_appendix_order_update() {
    let h = harness().await;
    let order = json!([A2, A]);
    mock("POST", &format!("/contract/{C}/appendix/order"))
        .and(body_json(&order))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            appendix_json(A2, "Service levels"),
            appendix_json(A, "Price list")
        ])))
        .expect(1)
        .mount(&h.server)
        .await;
    let reordered = h
        .api
        .contract_appendix_order_update()
        .contract_id(C)
        .body(types::IdOrder::from(vec![A2.to_owned(), A.to_owned()]))
        .send()
        .await
        .unwrap();
    assert_eq!(reordered.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    // A bare JSON array of the ids, in the wanted order.
    assert_eq!(json_of(&request), order);
    assert_eq!(
        reordered.into_inner(),
        vec![
            appendix_value(A2, "Service levels"),
            appendix_value(A, "Price list")
        ]
    );

    next_phase(&h.server).await;
    mock("POST", &format!("/contract/{C}/appendix/order"))
        .and(body_json(json!([A])))
        .respond_with(error_response(
            400,
            "The order must list every appendix of the contract",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_order_update()
        .contract_id(C)
        .body(types::IdOrder::from(vec![A.to_owned()]))
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "The order must list every appendix of the contract",
        "contract_appendix_order_update",
    );
}

// ---------------------------------------------------------------------------------------------
// contract body
// ---------------------------------------------------------------------------------------------

/// contract_body_get: GET /contract/{contractId}/body
#[tokio::test]
async fn contract_body_get() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/body"))
        .respond_with(ResponseTemplate::new(200).set_body_json(content_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let content = h
        .api
        .contract_body_get()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(content.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_eq!(content.into_inner(), content_value());

    next_phase(&h.server).await;
    mock("GET", "/contract/gone/body")
        .respond_with(error_response(404, "Contract not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_body_get()
        .contract_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Contract not found", "contract_body_get");
}

/// contract_body_update: PUT /contract/{contractId}/body
#[tokio::test]
async fn contract_body_update() {
    let h = harness().await;
    let content = types::ContractContent {
        text: Some("The Provider shall deliver the Service as described in Appendix 1.".into()),
        external_file_ref: Some("https://files.example.com/contracts/sa-2020.pdf".into()),
        ..Default::default()
    };
    let expected_body = json!({
        "text": "The Provider shall deliver the Service as described in Appendix 1.",
        "externalFileRef": "https://files.example.com/contracts/sa-2020.pdf"
    });
    mock("PUT", &format!("/contract/{C}/body"))
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(content_json()))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .contract_body_update()
        .contract_id(C)
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(json_of(&request), expected_body);
    assert_eq!(updated.into_inner(), content_value());

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/body"))
        .respond_with(error_response(
            409,
            "Contract can only be edited while in DRAFT state",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_body_update()
        .contract_id(C)
        .body(content)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Contract can only be edited while in DRAFT state",
        "contract_body_update",
    );
}

// ---------------------------------------------------------------------------------------------
// files
// ---------------------------------------------------------------------------------------------

/// contract_appendix_file_get: GET /contract/{contractId}/appendix/{appendixId}/file (raw bytes)
#[tokio::test]
async fn contract_appendix_file_get() {
    let h = harness().await;
    let bytes = pdf_bytes();
    mock("GET", &format!("/contract/{C}/appendix/{A}/file"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/pdf"))
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h
        .api
        .contract_appendix_file_get()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/pdf"
    );
    assert_no_body(&only_raw_request(&h.server, &[]).await);
    assert_eq!(collect(response).await, bytes);

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/appendix/{A}/file"))
        .respond_with(error_response(404, "Appendix has no internal file"))
        .expect(1)
        .mount(&h.server)
        .await;
    let Err(err) = h
        .api
        .contract_appendix_file_get()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
    else {
        panic!("expected an error for a 404");
    };
    assert_error(
        err.into(),
        404,
        "Appendix has no internal file",
        "contract_appendix_file_get",
    );
}

/// contract_appendix_file_upload: PUT /contract/{contractId}/appendix/{appendixId}/file (raw bytes) -> 204
#[tokio::test]
async fn contract_appendix_file_upload() {
    let h = harness().await;
    let bytes = pdf_bytes();
    mock("PUT", &format!("/contract/{C}/appendix/{A}/file"))
        .and(header("content-type", "application/octet-stream"))
        .and(body_bytes(bytes.clone()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let uploaded = h
        .api
        .contract_appendix_file_upload()
        .contract_id(C)
        .appendix_id(A)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 204);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(
        header_of(&request, "content-type"),
        "application/octet-stream"
    );
    assert_eq!(request.body, bytes);

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/appendix/{A}/file"))
        .and(body_bytes(bytes.clone()))
        .respond_with(error_response(400, "Unsupported file type"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_file_upload()
        .contract_id(C)
        .appendix_id(A)
        .body(bytes)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Unsupported file type",
        "contract_appendix_file_upload",
    );
}

/// contract_appendix_file_delete: DELETE /contract/{contractId}/appendix/{appendixId}/file -> 204
#[tokio::test]
async fn contract_appendix_file_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}/appendix/{A}/file"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contract_appendix_file_delete()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}/appendix/{A}/file"))
        .respond_with(error_response(404, "Appendix has no internal file"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_appendix_file_delete()
        .contract_id(C)
        .appendix_id(A)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Appendix has no internal file",
        "contract_appendix_file_delete",
    );
}

/// contract_body_file_get: GET /contract/{contractId}/body/file (raw bytes)
#[tokio::test]
async fn contract_body_file_get() {
    let h = harness().await;
    // Large enough to arrive in several chunks.
    let bytes = big_bytes();
    mock("GET", &format!("/contract/{C}/body/file"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/octet-stream"),
        )
        .expect(1)
        .mount(&h.server)
        .await;
    let response = h
        .api
        .contract_body_file_get()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_no_body(&only_raw_request(&h.server, &[]).await);
    let got = collect(response).await;
    assert_eq!(got.len(), bytes.len());
    assert!(got == bytes, "the downloaded body differs from the file");

    next_phase(&h.server).await;
    mock("GET", &format!("/contract/{C}/body/file"))
        .respond_with(error_response(
            403,
            "Client does not have required permission CONTRACT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let Err(err) = h.api.contract_body_file_get().contract_id(C).send().await else {
        panic!("expected an error for a 403");
    };
    assert_error(
        err.into(),
        403,
        "Client does not have required permission CONTRACT_VIEW.",
        "contract_body_file_get",
    );
}

/// contract_body_file_upload: PUT /contract/{contractId}/body/file (raw bytes) -> 204
#[tokio::test]
async fn contract_body_file_upload() {
    let h = harness().await;
    let bytes = pdf_bytes();
    mock("PUT", &format!("/contract/{C}/body/file"))
        .and(header("content-type", "application/octet-stream"))
        .and(body_bytes(bytes.clone()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let uploaded = h
        .api
        .contract_body_file_upload()
        .contract_id(C)
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 204);
    let request = only_request(&h.server, &[]).await;
    assert_eq!(
        header_of(&request, "content-type"),
        "application/octet-stream"
    );
    assert_eq!(request.body, bytes);

    next_phase(&h.server).await;
    mock("PUT", &format!("/contract/{C}/body/file"))
        .and(body_bytes(bytes.clone()))
        .respond_with(error_response(500, "File storage unavailable"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_body_file_upload()
        .contract_id(C)
        .body(bytes)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "File storage unavailable",
        "contract_body_file_upload",
    );
}

/// contract_body_file_delete: DELETE /contract/{contractId}/body/file -> 204
#[tokio::test]
async fn contract_body_file_delete() {
    let h = harness().await;
    mock("DELETE", &format!("/contract/{C}/body/file"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .contract_body_file_delete()
        .contract_id(C)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", &format!("/contract/{C}/body/file"))
        .respond_with(error_response(
            409,
            "The body file of a signed contract cannot be deleted",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_body_file_delete()
        .contract_id(C)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "The body file of a signed contract cannot be deleted",
        "contract_body_file_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// Cross-cutting: path ids and statuses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dot_segment_party_ids_are_rejected_before_sending() {
    let h = harness().await;
    for id in ["..", ".", ""] {
        let err = h
            .api
            .contract_party_get()
            .contract_id(C)
            .party_id(id)
            .send()
            .await
            .unwrap_err();
        assert_invalid_id(err.into(), "contract_party_get", "partyId");
    }
    let err = h
        .api
        .contract_party_update()
        .contract_id(C)
        .party_id("..")
        .body(types::Party::default())
        .send()
        .await
        .unwrap_err();
    assert_invalid_id(err.into(), "contract_party_update", "partyId");
    let err = h
        .api
        .contract_party_delete()
        .contract_id(C)
        .party_id("..")
        .send()
        .await
        .unwrap_err();
    assert_invalid_id(err.into(), "contract_party_delete", "partyId");
    // `/contract/C/party/../signer` would otherwise climb to `/contract/C/signer`.
    let err = h
        .api
        .contract_party_signer_list()
        .contract_id(C)
        .party_id("..")
        .send()
        .await
        .unwrap_err();
    assert_invalid_id(err.into(), "contract_party_signer_list", "partyId");
    let err = h
        .api
        .contract_party_signer_delete()
        .contract_id(C)
        .party_id("..")
        .signer_id(S)
        .send()
        .await
        .unwrap_err();
    assert_invalid_id(err.into(), "contract_party_signer_delete", "partyId");
    let err = h
        .api
        .contract_party_contact_create()
        .contract_id(C)
        .party_id("..")
        .body(types::PartyContact::default())
        .send()
        .await
        .unwrap_err();
    assert_invalid_id(err.into(), "contract_party_contact_create", "partyId");
    let Err(err) = h
        .api
        .contract_appendix_file_get()
        .contract_id(C)
        .appendix_id("..")
        .send()
        .await
    else {
        panic!("an appendix id `..` was accepted");
    };
    assert_invalid_id(err.into(), "contract_appendix_file_get", "appendixId");
    assert!(
        requests(&h.server).await.is_empty(),
        "a request went out for a dot-segment id"
    );
}

#[tokio::test]
async fn ids_with_slashes_are_one_encoded_segment() {
    let h = harness().await;
    mock("GET", "/contract/c%2F1/party/p%2F..%2Fx%3Fy%23z%20w/signer")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([signer_json(S)])))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("DELETE", "/contract/c%2F1/party/a%2Fb/contact/..%2F..")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("PUT", "/contract/c%2F1/appendix/a%2F%25%2F/file")
        .and(body_bytes(pdf_bytes()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let signers = h
        .api
        .contract_party_signer_list()
        .contract_id("c/1")
        .party_id("p/../x?y#z w")
        .send()
        .await
        .unwrap();
    assert_eq!(signers.into_inner(), vec![signer_value(S)]);
    let deleted = h
        .api
        .contract_party_contact_delete()
        .contract_id("c/1")
        .party_id("a/b")
        .contact_id("../..")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let uploaded = h
        .api
        .contract_appendix_file_upload()
        .contract_id("c/1")
        .appendix_id("a/%/")
        .body(pdf_bytes())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 204);
    let all = requests(&h.server).await;
    assert_eq!(all.len(), 3);
    for request in &all {
        assert_query(request, &[]);
    }
}

#[tokio::test]
async fn ids_with_backslashes_are_one_encoded_segment() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/party/acme%5Cfinance"))
        .respond_with(ResponseTemplate::new(200).set_body_json(party_json(P)))
        .expect(1)
        .mount(&h.server)
        .await;
    let party = h
        .api
        .contract_party_get()
        .contract_id(C)
        .party_id(r"acme\finance")
        .send()
        .await
        .unwrap();
    assert_eq!(party.into_inner(), party_value(P));
    only_request(&h.server, &[]).await;
}

#[tokio::test]
async fn an_undocumented_success_status_is_a_protocol_error() {
    let h = harness().await;
    // contract_create documents 201; party creation documents 200.
    mock("POST", "/contract")
        .respond_with(ResponseTemplate::new(200).set_body_json(contract_json(C, "DRAFT")))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("POST", &format!("/contract/{C}/party"))
        .respond_with(ResponseTemplate::new(201).set_body_json(party_json(P)))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .contract_create()
        .body(new_contract())
        .send()
        .await
        .unwrap_err();
    let err = trivoreid::Error::from(err);
    assert_no_secret(&err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Protocol);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(api.operation(), Some("contract_create"));
    let err = h
        .api
        .contract_party_create()
        .contract_id(C)
        .body(types::Party::default())
        .send()
        .await
        .unwrap_err();
    let err = trivoreid::Error::from(err);
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Protocol);
    assert_eq!(api.status().map(|s| s.as_u16()), Some(201));
    assert_eq!(api.operation(), Some("contract_party_create"));
}

#[tokio::test]
async fn ids_with_backslashes_and_dots_do_not_reach_another_resource() {
    let h = harness().await;
    mock("GET", &format!("/contract/{C}/party/evil%5C..%5C{P}"))
        .respond_with(error_response(404, "Party not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let result = h
        .api
        .contract_party_get()
        .contract_id(C)
        .party_id(format!(r"evil\..\{P}"))
        .send()
        .await;
    let paths: Vec<String> = requests(&h.server)
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        paths,
        vec![format!(
            "GET /api/rest/v1/contract/{C}/party/evil%5C..%5C{P}"
        )]
    );
    assert_error(
        result.unwrap_err().into(),
        404,
        "Party not found",
        "contract_party_get",
    );
}
