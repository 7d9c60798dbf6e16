//! The SDK against the embedded fake's extension operations (features `fake` and `extension`):
//! a full CRUD cycle per resource family, their actions (revoking, contract states, wallet
//! transactions, subscription termination, priced offers), paging and sorting, 404 for unknown
//! ids and 400 for bad bodies with nothing changed. Every reply of the fake is checked against
//! the spec by the fake itself (a reply that breaks it would be a 500 and fail these tests).
#![cfg(all(feature = "fake", feature = "extension"))]
mod common;

use serde_json::{Value, json};
use trivoreid::fake::FakeTrivoreId;
use trivoreid::generated::{ByteStream, ResponseValue};
use trivoreid::prelude::*;
use trivoreid::{Error, Filter, types};

/// The HTTP status of a failed call.
fn status(err: impl Into<Error>) -> u16 {
    let err: Error = err.into();
    err.status().map_or(0, |s| s.as_u16())
}

/// The error message of a failed call.
fn message(err: impl Into<Error>) -> String {
    let err: Error = err.into();
    err.as_api()
        .and_then(|e| e.message())
        .unwrap_or_default()
        .to_owned()
}

/// [`common::fake_request`] under `/api/rest/v1`.
async fn raw(fake: &FakeTrivoreId, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    common::fake_request(fake, method, &format!("/api/rest/v1{path}"), body).await
}

/// A downloaded file.
async fn bytes_of(response: ResponseValue<ByteStream>) -> Vec<u8> {
    let mut stream = response.into_inner();
    let mut got = Vec::new();
    while let Some(chunk) = stream.try_next().await.unwrap() {
        got.extend_from_slice(&chunk);
    }
    got
}

/// An id that names nothing.
const UNKNOWN: &str = "000000000000000000000000";

#[tokio::test]
async fn access_control_crud_paging_sorting_and_filtering() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    for title in ["delta", "alpha", "echo", "charlie", "bravo"] {
        let created = api
            .accesscontrol_create()
            .body(types::AccessControl {
                title: Some(title.into()),
                user_id_read: Some(vec![fake.user_id().to_owned()]),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(created.status().as_u16(), 201);
        let id = created.id.clone().unwrap();
        assert_eq!(id.len(), 24);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }

    // Paging through every item, two at a time.
    let mut pages = api.accesscontrol_list().paginate().page_size(2).pages();
    let mut titles = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        count += 1;
        assert_eq!(page.total_results, Some(5));
        titles.extend(page.resources.into_iter().filter_map(|a| a.title));
    }
    assert_eq!(count, 3);
    assert_eq!(titles, ["delta", "alpha", "echo", "charlie", "bravo"]);

    // Sorting and filtering on the server.
    let sorted = api
        .accesscontrol_list()
        .sort_by("title")
        .ascending(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    let sorted: Vec<_> = sorted
        .resources
        .iter()
        .filter_map(|a| a.title.clone())
        .collect();
    assert_eq!(sorted, ["echo", "delta", "charlie", "bravo", "alpha"]);
    let page = api
        .accesscontrol_list()
        .sort_by("title")
        .start_index(1)
        .count(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.start_index, Some(1));
    assert_eq!(page.items_per_page, Some(2));
    let titles: Vec<_> = page
        .resources
        .iter()
        .filter_map(|a| a.title.clone())
        .collect();
    assert_eq!(titles, ["bravo", "charlie"]);
    let matched: Vec<_> = api
        .accesscontrol_list()
        .filter(Filter::sw("title", "ch").or(Filter::eq("title", "echo")))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(matched.len(), 2);

    // Get, update (the id stays), delete.
    let first = page.resources[0].clone();
    let id = first.id.clone().unwrap();
    let got = api
        .accesscontrol_get()
        .accesscontrol_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.into_inner(), first);
    let updated = api
        .accesscontrol_update()
        .accesscontrol_id(&id)
        .body(types::AccessControl {
            id: Some("someone-elses-id".into()),
            title: Some("bravo2".into()),
            description: Some("changed".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.id.as_deref(), Some(id.as_str()));
    assert_eq!(updated.description.as_deref(), Some("changed"));
    let deleted = api
        .accesscontrol_delete()
        .accesscontrol_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    let err = api
        .accesscontrol_get()
        .accesscontrol_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 404);
    let err = api
        .accesscontrol_delete()
        .accesscontrol_id(&id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 404);
    assert_eq!(
        api.accesscontrol_list().send().await.unwrap().total_results,
        Some(4)
    );
}

#[tokio::test]
async fn permissions_built_in_and_custom_roles() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let permissions = api.permission_list().send().await.unwrap().into_inner();
    let ids: Vec<_> = permissions.iter().filter_map(|p| p.id.clone()).collect();
    assert!(ids.contains(&"ACCOUNT_VIEW".to_owned()), "{ids:?}");
    let view = api
        .permission_get()
        .permission_id("ACCOUNT_VIEW")
        .send()
        .await
        .unwrap();
    assert_eq!(
        view.dependencies.as_deref(),
        Some(&["ACCOUNT_LIST".to_owned()][..])
    );
    assert_eq!(
        status(
            api.permission_get()
                .permission_id("NOPE")
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    let roles = api.role_builtin_list().send().await.unwrap().into_inner();
    let admin = roles
        .iter()
        .find(|r| r.id.as_deref() == Some("NS_ADMIN"))
        .unwrap();
    assert_eq!(admin.permissions.as_ref().map(Vec::len), Some(ids.len()));

    let role = api
        .role_custom_create()
        .body(types::CustomRole {
            name: Some("Auditor".into()),
            permissions: Some(vec!["ACCOUNT_VIEW".into(), "GROUP_VIEW".into()]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(role.status().as_u16(), 201);
    assert_eq!(role.ns_code.as_deref(), Some(trivoreid::fake::NAMESPACE));
    assert!(role.meta.as_ref().and_then(|m| m.created).is_some());
    let id = role.id.clone().unwrap();
    let err = api
        .role_custom_update()
        .role_id(&id)
        .body(types::CustomRole {
            name: Some("Auditor".into()),
            permissions: Some(vec!["EVERYTHING".into()]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400);
    let updated = api
        .role_custom_update()
        .role_id(&id)
        .body(types::CustomRole {
            name: Some("Senior auditor".into()),
            permissions: Some(vec!["ACCOUNT_MODIFY".into()]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Senior auditor"));
    assert_eq!(
        updated.meta.as_ref().and_then(|m| m.created),
        role.meta.as_ref().and_then(|m| m.created),
        "meta.created is kept"
    );
    let list = api.role_custom_list().send().await.unwrap();
    assert_eq!(list.total_results, Some(1));
    assert_eq!(list.resources[0].name.as_deref(), Some("Senior auditor"));
    api.role_custom_delete().role_id(&id).send().await.unwrap();
    assert_eq!(
        status(api.role_custom_get().role_id(&id).send().await.unwrap_err()),
        404
    );
}

#[tokio::test]
async fn authorisations_types_sources_grant_rights_and_revoking() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let kind = api
        .authorisation_type_create()
        .body(types::AuthorisationType {
            code: Some("GUARDIAN".into()),
            names: Some(vec![types::LocalisedValue {
                locale: Some("en".into()),
                value: Some("Guardian".into()),
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert!(kind.metadata.is_some(), "the type's metadata is set");
    let type_id = kind.id.clone().unwrap();
    let source = api
        .authorisation_source_create()
        .body(types::AuthorisationType {
            code: Some("REGISTRY".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let source_id = source.id.clone().unwrap();
    let renamed = api
        .authorisation_type_update()
        .type_id(&type_id)
        .body(types::AuthorisationType {
            code: Some("GUARDIAN".into()),
            description: Some("A guardian".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.description.as_deref(), Some("A guardian"));
    assert_eq!(
        api.authorisation_type_list()
            .send()
            .await
            .unwrap()
            .total_results,
        Some(1)
    );
    assert_eq!(
        api.authorisation_source_get()
            .source_id(&source_id)
            .send()
            .await
            .unwrap()
            .code
            .as_deref(),
        Some("REGISTRY")
    );

    // An authorisation needs a known type.
    let authorisation = |auth_type: &str| types::Authorisation {
        auth_type: Some(auth_type.into()),
        auth_source: Some("REGISTRY".into()),
        subject: Some(types::AuthorisationSubject {
            type_: Some("User".into()),
            value: Some(fake.user_id().into()),
        }),
        object: Some(types::AuthorisationObject {
            type_: Some("String".into()),
            value: Some("child".into()),
        }),
        ..Default::default()
    };
    let err = api
        .authorisation_create()
        .body(authorisation("UNKNOWN"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400);
    let created = api
        .authorisation_create()
        .body(authorisation("GUARDIAN"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.revoked, Some(false));
    assert!(created.created_at.is_some());
    let id = created.id.clone().unwrap();
    let revoked = api
        .authorisation_revoke()
        .auth_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    let got = api.authorisation_get().auth_id(&id).send().await.unwrap();
    assert_eq!(got.revoked, Some(true));
    assert!(got.revoked_at.is_some());
    // An update cannot un-revoke.
    let updated = api
        .authorisation_update()
        .auth_id(&id)
        .body(types::Authorisation {
            author: Some("admin".into()),
            ..authorisation("GUARDIAN")
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.revoked, Some(true));
    assert_eq!(updated.author.as_deref(), Some("admin"));
    assert_eq!(
        status(
            api.authorisation_revoke()
                .auth_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );

    // Grant rights.
    let grant = api
        .authorisation_grant_right_create()
        .body(types::AuthorisationGrantRight {
            authorisation_types: Some(vec!["GUARDIAN".into()]),
            principal: Some(types::Principal {
                type_: Some("User".into()),
                value: Some(fake.user_id().into()),
            }),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let grant_id = grant.id.clone().unwrap();
    assert!(grant.valid_from.is_some() && grant.valid_to.is_some());
    assert_eq!(
        grant.authorisation_grant.as_ref().and_then(|g| g.revoked),
        Some(false)
    );
    api.authorisation_grant_right_revoke()
        .grant_id(&grant_id)
        .send()
        .await
        .unwrap();
    let grant = api
        .authorisation_grant_right_get()
        .grant_id(&grant_id)
        .send()
        .await
        .unwrap();
    let state = grant.authorisation_grant.clone().unwrap();
    assert_eq!(state.revoked, Some(true));
    assert!(state.revoked_at.is_some());
    assert_eq!(
        api.authorisation_grant_right_list()
            .send()
            .await
            .unwrap()
            .total_results,
        Some(1)
    );

    // Deletes.
    api.authorisation_delete()
        .auth_id(&id)
        .send()
        .await
        .unwrap();
    api.authorisation_type_delete()
        .type_id(&type_id)
        .send()
        .await
        .unwrap();
    api.authorisation_source_delete()
        .source_id(&source_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.authorisation_list().send().await.unwrap().total_results,
        Some(0)
    );
    assert_eq!(
        status(
            api.authorisation_type_get()
                .type_id(&type_id)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn contacts_and_their_enterprise_info() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let contact = api
        .contact_create()
        .body(types::Contact {
            first_name: Some("Carl".into()),
            last_name: Some("Contact".into()),
            type_: Some("LEGAL_ENTITY".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let id = contact.id.clone().unwrap();
    let empty = api
        .contact_enterprise_get()
        .contact_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.into_inner(), types::Enterprise::default());
    let info = api
        .contact_enterprise_update()
        .contact_id(&id)
        .body(types::Enterprise {
            business_id: Some("1234567-8".into()),
            trade_name: Some("Contact Oy".into()),
            general: Some(types::EnterpriseContactInfo {
                email: Some("info@example.com".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(info.business_id.as_deref(), Some("1234567-8"));
    assert!(info.meta.is_some());
    let got = api
        .contact_enterprise_get()
        .contact_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.trade_name.as_deref(), Some("Contact Oy"));
    assert_eq!(
        status(
            api.contact_enterprise_get()
                .contact_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    let updated = api
        .contact_update()
        .contact_id(&id)
        .body(types::Contact {
            first_name: Some("Carla".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.first_name.as_deref(), Some("Carla"));
    assert_eq!(updated.last_name, None, "an update replaces");
    let listed = api
        .contact_list()
        .filter(Filter::eq("firstName", "Carla"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.total_results, Some(1));
    api.contact_delete().contact_id(&id).send().await.unwrap();
    assert_eq!(
        status(
            api.contact_enterprise_get()
                .contact_id(&id)
                .send()
                .await
                .unwrap_err()
        ),
        404,
        "the enterprise info went with the contact"
    );
}

#[tokio::test]
async fn contracts_with_parties_appendices_body_files_and_states() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let contract = api
        .contract_create()
        .body(types::Contract {
            title: Some("Service agreement".into()),
            owner_id: Some(fake.user_id().into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(contract.status().as_u16(), 201);
    assert_eq!(contract.current_state.as_deref(), Some("DRAFT"));
    let c = contract.id.clone().unwrap();

    // Parties, their signers and contacts.
    let party = api
        .contract_party_create()
        .contract_id(&c)
        .body(types::Party {
            name: Some("Acme".into()),
            functional_reference: Some("Provider".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(party.status().as_u16(), 200);
    let p = party.id.clone().unwrap();
    let signer = api
        .contract_party_signer_create()
        .contract_id(&c)
        .party_id(&p)
        .body(types::Signer {
            name: Some("Sam Signer".into()),
            user_id: Some(fake.user_id().into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let s = signer.id.clone().unwrap();
    let contact = api
        .contract_party_contact_create()
        .contract_id(&c)
        .party_id(&p)
        .body(types::PartyContact {
            name: Some("Bill Billing".into()),
            role: Some("BILLING".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let k = contact.id.clone().unwrap();
    let signer = api
        .contract_party_signer_update()
        .contract_id(&c)
        .party_id(&p)
        .signer_id(&s)
        .body(types::Signer {
            name: Some("Samantha Signer".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(signer.name.as_deref(), Some("Samantha Signer"));
    let contact = api
        .contract_party_contact_update()
        .contract_id(&c)
        .party_id(&p)
        .contact_id(&k)
        .body(types::PartyContact {
            name: Some("Bill".into()),
            role: Some("SUPPORT".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(contact.role.as_deref(), Some("SUPPORT"));
    let party = api
        .contract_party_get()
        .contract_id(&c)
        .party_id(&p)
        .send()
        .await
        .unwrap();
    assert_eq!(party.signers.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        party.contacts.as_ref().unwrap()[0].name.as_deref(),
        Some("Bill")
    );
    let updated = api
        .contract_party_update()
        .contract_id(&c)
        .party_id(&p)
        .body(types::Party {
            name: Some("Acme Inc".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Acme Inc"));
    assert_eq!(
        updated.signers.as_ref().map(Vec::len),
        Some(1),
        "children stay"
    );
    let second = api
        .contract_party_create()
        .contract_id(&c)
        .body(types::Party {
            name: Some("Customer".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let parties = api
        .contract_party_list()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(parties.len(), 2);
    assert_eq!(
        api.contract_party_signer_list()
            .contract_id(&c)
            .party_id(&p)
            .send()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        api.contract_party_contact_list()
            .contract_id(&c)
            .party_id(&p)
            .send()
            .await
            .unwrap()
            .len(),
        1
    );
    api.contract_party_delete()
        .contract_id(&c)
        .party_id(second.id.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    api.contract_party_contact_delete()
        .contract_id(&c)
        .party_id(&p)
        .contact_id(&k)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(
            api.contract_party_contact_get()
                .contract_id(&c)
                .party_id(&p)
                .contact_id(&k)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    assert!(
        api.contract_party_signer_get()
            .contract_id(&c)
            .party_id(&p)
            .signer_id(&s)
            .send()
            .await
            .is_ok()
    );

    // Appendices, their order and files.
    let mut appendix_ids = Vec::new();
    for title in ["Price list", "Service levels", "Contacts"] {
        let appendix = api
            .contract_appendix_create()
            .contract_id(&c)
            .body(types::Appendix {
                title: Some(title.into()),
                text: Some(format!("{title} text")),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(appendix.status().as_u16(), 201);
        assert_eq!(appendix.has_internal_file, Some(false));
        appendix_ids.push(appendix.id.clone().unwrap());
    }
    let reversed: Vec<String> = appendix_ids.iter().rev().cloned().collect();
    let reordered = api
        .contract_appendix_order_update()
        .contract_id(&c)
        .body(types::IdOrder::from(reversed.clone()))
        .send()
        .await
        .unwrap();
    let order: Vec<_> = reordered.iter().filter_map(|a| a.id.clone()).collect();
    assert_eq!(order, reversed);
    let listed = api
        .contract_appendix_list()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .filter_map(|a| a.id.clone())
            .collect::<Vec<_>>(),
        reversed
    );
    let err = api
        .contract_appendix_order_update()
        .contract_id(&c)
        .body(types::IdOrder::from(vec![appendix_ids[0].clone()]))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "the order must name every appendix");
    let a = appendix_ids[0].clone();
    let file = b"%PDF-1.7\n\x00\xff binary".to_vec();
    let uploaded = api
        .contract_appendix_file_upload()
        .contract_id(&c)
        .appendix_id(&a)
        .body(file.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 204);
    let appendix = api
        .contract_appendix_get()
        .contract_id(&c)
        .appendix_id(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(appendix.has_internal_file, Some(true));
    assert_eq!(
        appendix.internal_file_type.as_deref(),
        Some("application/pdf")
    );
    let downloaded = api
        .contract_appendix_file_get()
        .contract_id(&c)
        .appendix_id(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(bytes_of(downloaded).await, file);
    api.contract_appendix_file_delete()
        .contract_id(&c)
        .appendix_id(&a)
        .send()
        .await
        .unwrap();
    let Err(err) = api
        .contract_appendix_file_get()
        .contract_id(&c)
        .appendix_id(&a)
        .send()
        .await
    else {
        panic!("the file is gone");
    };
    assert_eq!(status(err), 404);
    let appendix = api
        .contract_appendix_update()
        .contract_id(&c)
        .appendix_id(&a)
        .body(types::Appendix {
            title: Some("Prices".into()),
            has_internal_file: Some(true),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(appendix.title.as_deref(), Some("Prices"));
    assert_eq!(appendix.has_internal_file, Some(false), "read-only");
    api.contract_appendix_delete()
        .contract_id(&c)
        .appendix_id(&appendix_ids[2])
        .send()
        .await
        .unwrap();

    // The body and its file.
    let body = api
        .contract_body_get()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(body.text, None);
    let body = api
        .contract_body_update()
        .contract_id(&c)
        .body(types::ContractContent {
            text: Some("The parties agree.".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(body.text.as_deref(), Some("The parties agree."));
    api.contract_body_file_upload()
        .contract_id(&c)
        .body(b"plain bytes".to_vec())
        .send()
        .await
        .unwrap();
    let downloaded = api
        .contract_body_file_get()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(bytes_of(downloaded).await, b"plain bytes");
    let body = api
        .contract_body_get()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(body.has_internal_file, Some(true));
    assert_eq!(body.text.as_deref(), Some("The parties agree."));
    api.contract_body_file_delete()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(
            api.contract_body_file_delete()
                .contract_id(&c)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );

    // The contract shows its children.
    let full = api.contract_get().contract_id(&c).send().await.unwrap();
    assert_eq!(full.parties.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        full.parties.as_ref().unwrap()[0]
            .signers
            .as_ref()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(full.appendices.as_ref().map(Vec::len), Some(2));
    assert_eq!(
        full.body.as_ref().and_then(|b| b.text.as_deref()),
        Some("The parties agree.")
    );
    let edited = api
        .contract_update()
        .contract_id(&c)
        .body(types::Contract {
            title: Some("Service agreement v2".into()),
            term_of_notice_days: Some(30),
            current_state: Some("SIGNED".into()),
            ..(*full).clone()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(edited.title.as_deref(), Some("Service agreement v2"));
    assert_eq!(edited.current_state.as_deref(), Some("DRAFT"), "read-only");
    assert_eq!(
        edited.parties.as_ref().map(Vec::len),
        Some(1),
        "not duplicated"
    );

    // States and actions.
    let actions = api
        .contract_actions_get()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(actions.get("finalise"), Some(&json!(true)));
    assert_eq!(actions.get("sign"), Some(&json!(false)));
    let err = api
        .contract_sign()
        .contract_id(&c)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400);
    let finalised = api
        .contract_finalise()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(finalised.current_state.as_deref(), Some("SIGNABLE"));
    let err = api
        .contract_party_create()
        .contract_id(&c)
        .body(types::Party::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "only a draft changes");
    assert!(message(err_of_update(&api, &c).await).contains("DRAFT"));
    let signed = api.contract_sign().contract_id(&c).send().await.unwrap();
    assert_eq!(signed.current_state.as_deref(), Some("SIGNED"));
    let actions = api
        .contract_actions_get()
        .contract_id(&c)
        .send()
        .await
        .unwrap();
    assert_eq!(actions.get("terminate"), Some(&json!(true)));
    assert_eq!(actions.get("delete"), Some(&json!(false)));
    let err = api
        .contract_delete()
        .contract_id(&c)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "a signed contract stays");
    let terminated = api
        .contract_terminate()
        .contract_id(&c)
        .reason("Moving on")
        .send()
        .await
        .unwrap();
    assert_eq!(terminated.current_state.as_deref(), Some("UNDER_NOTICE"));
    assert_eq!(
        terminated
            .termination
            .as_ref()
            .and_then(|t| t.get("reason")),
        Some(&json!("Moving on"))
    );
    assert_eq!(terminated.state_events.as_ref().map(Vec::len), Some(4));
    assert!(terminated.current_state_changed.is_some());
    assert_eq!(
        status(
            api.contract_finalise()
                .contract_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );

    // A draft is deleted with everything below it.
    let draft = api
        .contract_create()
        .body(types::Contract {
            title: Some("Draft".into()),
            parties: Some(vec![types::Party {
                name: Some("Inline party".into()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let d = draft.id.clone().unwrap();
    assert_eq!(
        draft.parties.as_ref().unwrap()[0].name.as_deref(),
        Some("Inline party")
    );
    api.contract_delete().contract_id(&d).send().await.unwrap();
    assert_eq!(
        status(
            api.contract_party_list()
                .contract_id(&d)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    let contracts = api.contract_list().send().await.unwrap();
    assert_eq!(contracts.total_results, Some(1));
}

/// An update of a contract that is no longer a draft.
async fn err_of_update(api: &trivoreid::TrivoreId, id: &str) -> Error {
    api.contract_update()
        .contract_id(id)
        .body(types::Contract::default())
        .send()
        .await
        .unwrap_err()
        .into()
}

#[tokio::test]
async fn location_sites_and_targets() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let mut sites = Vec::new();
    for name in ["HQ", "Annex"] {
        let site = api
            .locationsite_create()
            .body(types::LocationSite {
                name: Some(name.into()),
                city: Some("Turku".into()),
                ..Default::default()
            })
            .send()
            .await
            .unwrap();
        assert_eq!(site.ns_code.as_deref(), Some(trivoreid::fake::NAMESPACE));
        sites.push(site.id.clone().unwrap());
    }
    let listed = api
        .locationsite_list()
        .sort_by("name")
        .flat(true)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = listed
        .resources
        .iter()
        .filter_map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["Annex", "HQ"]);
    let site = api
        .locationsite_update()
        .locationsite_id(&sites[0])
        .body(types::LocationSite {
            name: Some("Headquarters".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(site.name.as_deref(), Some("Headquarters"));

    let target = api
        .target_create()
        .body(types::Target {
            name: Some("Door 1".into()),
            location_site: Some(sites[0].clone()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let t = target.id.clone().unwrap();
    assert!(target.meta.is_some());
    let target = api
        .target_update()
        .target_id(&t)
        .body(types::Target {
            name: Some("Door 2".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(target.name.as_deref(), Some("Door 2"));
    assert_eq!(
        api.target_get()
            .target_id(&t)
            .send()
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Door 2")
    );
    assert_eq!(
        api.target_list().send().await.unwrap().total_results,
        Some(1)
    );
    api.target_delete().target_id(&t).send().await.unwrap();
    assert_eq!(
        status(api.target_get().target_id(&t).send().await.unwrap_err()),
        404
    );
    api.locationsite_delete()
        .locationsite_id(&sites[1])
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(
            api.locationsite_get()
                .locationsite_id(&sites[1])
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    assert!(
        api.locationsite_get()
            .locationsite_id(&sites[0])
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn paycards_and_their_pan_tokens() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let user = fake.user_id().to_owned();
    let card = types::Paycard {
        name: Some("Work card".into()),
        card_type: Some("credit".into()),
        last_digits: Some("4242".into()),
        ..Default::default()
    };
    let err = api
        .paycard_create()
        .user_id(UNKNOWN)
        .body(card.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 404, "the user must exist");
    let created = api
        .paycard_create()
        .user_id(&user)
        .body(card)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(created.user_id.as_deref(), Some(user.as_str()));
    let card_id = created.id.clone().unwrap();
    let token = api
        .paycard_pantoken_create()
        .user_id(&user)
        .card_id(&card_id)
        .body(types::PanToken {
            token: Some("tok_123".into()),
            issuer: Some("bank".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(token.paycard_id.as_deref(), Some(card_id.as_str()));
    let token_id = token.id.clone().unwrap();
    let token = api
        .paycard_pantoken_update()
        .user_id(&user)
        .card_id(&card_id)
        .token_id(&token_id)
        .body(types::PanToken {
            token: Some("tok_456".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(token.token.as_deref(), Some("tok_456"));
    assert_eq!(token.paycard_id.as_deref(), Some(card_id.as_str()));
    let tokens = api
        .paycard_pantoken_list()
        .user_id(&user)
        .card_id(&card_id)
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.total_results, Some(1));
    let updated = api
        .paycard_update()
        .user_id(&user)
        .card_id(&card_id)
        .body(types::Paycard {
            name: Some("Private card".into()),
            state: Some("INACTIVE".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.state.as_deref(), Some("INACTIVE"));
    assert_eq!(updated.user_id.as_deref(), Some(user.as_str()));
    assert_eq!(
        api.paycard_list()
            .user_id(&user)
            .send()
            .await
            .unwrap()
            .total_results,
        Some(1)
    );
    assert_eq!(
        status(
            api.paycard_get()
                .user_id(fake.user_id())
                .card_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    api.paycard_pantoken_delete()
        .user_id(&user)
        .card_id(&card_id)
        .token_id(&token_id)
        .send()
        .await
        .unwrap();
    api.paycard_delete()
        .user_id(&user)
        .card_id(&card_id)
        .send()
        .await
        .unwrap();
    let err = api
        .paycard_pantoken_list()
        .user_id(&user)
        .card_id(&card_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 404, "the paycard is gone");
}

#[tokio::test]
async fn products_catalogs_pricing_plans_and_priced_offers() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let plan = api
        .pricingplan_create()
        .body(types::PricingPlan {
            title: Some("Standard".into()),
            enabled: Some(true),
            pricings: Some(vec![types::Pricing {
                currency: Some("EUR".into()),
                price: Some(12.4),
                vat_percent: Some(24.0),
                vat_included: Some(true),
                enabled: Some(true),
                volume_discounts: Some(vec![types::VolumeDiscount {
                    range_start: Some(10),
                    discount_percentage: Some(10.0),
                    title: Some("Ten or more".into()),
                    ..Default::default()
                }]),
                code_discounts: Some(vec![types::CodeDiscount {
                    code: Some("WELCOME".into()),
                    discount_amount_per_item: Some(2.4),
                    title: Some("Welcome".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let plan_id = plan.id.clone().unwrap();
    let product = api
        .product_create()
        .body(types::Product {
            sku: Some("TICKET-1".into()),
            pricing_plans: Some(vec![plan_id.clone()]),
            translations: Some(vec![
                types::LocalisedDescription {
                    locale: Some("en".into()),
                    name: Some("Ticket".into()),
                    ..Default::default()
                },
                types::LocalisedDescription {
                    locale: Some("fi".into()),
                    name: Some("Lippu".into()),
                    ..Default::default()
                },
            ]),
            validity_length: Some(3600),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let product_id = product.id.clone().unwrap();
    let hidden = api
        .product_create()
        .body(types::Product {
            sku: Some("OLD".into()),
            sellable: Some(vec![types::Validity {
                valid_until: Some("2000-01-01T00:00:00Z".parse().unwrap()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();

    let err = api
        .catalog_create()
        .body(types::Catalog {
            name: Some("Broken".into()),
            products: Some(vec![types::CatalogItem {
                product_id: Some(UNKNOWN.into()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400);
    let catalog = api
        .catalog_create()
        .body(types::Catalog {
            name: Some("Shop".into()),
            products: Some(vec![
                types::CatalogItem {
                    product_id: Some(product_id.clone()),
                    ..Default::default()
                },
                types::CatalogItem {
                    product_id: hidden.id.clone(),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let catalog_id = catalog.id.clone().unwrap();
    let item = catalog.products.as_ref().unwrap()[0].clone();
    assert_eq!(item.product_sku.as_deref(), Some("TICKET-1"));
    let item_id = item.id.clone().unwrap();
    let merged = api
        .catalog_list()
        .merge_product_details(true)
        .send()
        .await
        .unwrap();
    let merged_item = &merged.resources[0].products.as_ref().unwrap()[0];
    assert_eq!(merged_item.validity_length, Some(3600));
    assert_eq!(
        merged_item.pricing_plans.as_deref(),
        Some(&[plan_id.clone()][..])
    );
    let plain = api.catalog_list().send().await.unwrap();
    assert_eq!(
        plain.resources[0].products.as_ref().unwrap()[0].validity_length,
        None
    );

    // The priced offers.
    let all = api
        .sales_products_get()
        .currency("EUR")
        .send()
        .await
        .unwrap();
    let catalogs = all.catalogs.clone().unwrap();
    assert_eq!(catalogs.len(), 1);
    let offered = catalogs[0].products.clone().unwrap();
    assert_eq!(
        offered.len(),
        1,
        "the product that is no longer sellable is left out"
    );
    let price = offered[0].price.clone().unwrap();
    assert_eq!(price.total_price_with_vat, Some(12.4));
    assert_eq!(price.base_price_without_vat, Some(10.0));
    assert_eq!(offered[0].name.as_deref(), Some("Ticket"));
    assert!(offered[0].price_token.is_some());
    assert_eq!(
        offered[0].pricing_plan_id.as_deref(),
        Some(plan_id.as_str())
    );
    let details = api
        .sales_products_catalog_get()
        .catalog_id(&catalog_id)
        .locale("fi_FI")
        .volume(10)
        .send()
        .await
        .unwrap();
    let offered = &details.products.as_ref().unwrap()[0];
    assert_eq!(offered.name.as_deref(), Some("Lippu"));
    let price = offered.price.clone().unwrap();
    assert_eq!(price.price_per_unit_with_vat, Some(11.16));
    assert_eq!(price.total_price_with_vat, Some(111.6));
    let item = api
        .sales_products_item_get()
        .catalog_id(&catalog_id)
        .item_id(&item_id)
        .code(vec!["WELCOME".to_owned()])
        .send()
        .await
        .unwrap();
    assert_eq!(item.product_sku.as_deref(), Some("TICKET-1"));
    assert_eq!(
        item.price.as_ref().unwrap().total_price_with_vat,
        Some(10.0)
    );
    assert_eq!(
        item.price
            .as_ref()
            .unwrap()
            .discounts
            .as_ref()
            .map(Vec::len),
        Some(1)
    );
    let none = api
        .sales_products_get()
        .currency("USD")
        .send()
        .await
        .unwrap();
    assert_eq!(
        none.catalogs.as_ref().unwrap()[0]
            .products
            .as_ref()
            .unwrap()[0]
            .price,
        None
    );
    assert_eq!(
        status(
            api.sales_products_item_get()
                .catalog_id(&catalog_id)
                .item_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    assert_eq!(
        status(
            api.sales_products_catalog_get()
                .catalog_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );

    // Updates, sorting and deletes.
    let plan = api
        .pricingplan_update()
        .plan_id(&plan_id)
        .body(types::PricingPlan {
            title: Some("Premium".into()),
            enabled: Some(false),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(plan.title.as_deref(), Some("Premium"));
    let offered = api
        .sales_products_item_get()
        .catalog_id(&catalog_id)
        .item_id(&item_id)
        .send()
        .await
        .unwrap();
    assert_eq!(offered.price, None, "a disabled plan prices nothing");
    let products = api
        .product_list()
        .sort_by("sku")
        .sort_order(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    let skus: Vec<_> = products
        .resources
        .iter()
        .filter_map(|p| p.sku.clone())
        .collect();
    assert_eq!(skus, ["TICKET-1", "OLD"]);
    let renamed = api
        .catalog_update()
        .catalog_id(&catalog_id)
        .body(types::Catalog {
            name: Some("Web shop".into()),
            products: catalog.products.clone(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        renamed.products.as_ref().unwrap()[0].id.as_deref(),
        Some(item_id.as_str())
    );
    assert_eq!(
        api.catalog_get()
            .catalog_id(&catalog_id)
            .send()
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Web shop")
    );
    assert_eq!(
        api.pricingplan_list().send().await.unwrap().total_results,
        Some(1)
    );
    assert_eq!(
        api.product_get()
            .product_id(&product_id)
            .send()
            .await
            .unwrap()
            .sku
            .as_deref(),
        Some("TICKET-1")
    );
    let updated = api
        .product_update()
        .product_id(&product_id)
        .body(types::Product {
            sku: Some("TICKET-2".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.sku.as_deref(), Some("TICKET-2"));
    api.catalog_delete()
        .catalog_id(&catalog_id)
        .send()
        .await
        .unwrap();
    api.product_delete()
        .product_id(&product_id)
        .send()
        .await
        .unwrap();
    api.pricingplan_delete()
        .plan_id(&plan_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.catalog_list().send().await.unwrap().total_results,
        Some(0)
    );
    assert_eq!(
        status(
            api.product_get()
                .product_id(&product_id)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn sales_catalogs_pricing_plans_and_products() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let plan = api
        .sales_pricingplan_create()
        .body(types::SalesPricingPlan {
            title: Some("Basic".into()),
            pricings: Some(vec![types::SalesPricing {
                currency: Some("EUR".into()),
                price: Some(5.0),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let plan_id = plan.id.clone().unwrap();
    let product = api
        .sales_product_create()
        .body(types::SalesProduct {
            sku: Some("S-1".into()),
            provider: Some("Acme".into()),
            pricing_plans: Some(vec![plan_id.clone()]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let product_id = product.id.clone().unwrap();
    let catalog = api
        .sales_catalog_create()
        .body(types::SalesCatalog {
            name: Some("Sales".into()),
            products: Some(vec![types::SalesCatalogItem {
                product_id: Some(product_id.clone()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let catalog_id = catalog.id.clone().unwrap();
    assert_eq!(
        catalog.products.as_ref().unwrap()[0].product_sku.as_deref(),
        Some("S-1")
    );
    let merged = api
        .sales_catalog_list()
        .merge_product_details(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        merged.resources[0].products.as_ref().unwrap()[0]
            .provider
            .as_deref(),
        Some("Acme")
    );
    let err = api
        .sales_catalog_update()
        .catalog_id(&catalog_id)
        .body(types::SalesCatalog {
            products: Some(vec![types::SalesCatalogItem {
                product_id: Some(UNKNOWN.into()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400);
    assert_eq!(
        api.sales_catalog_get()
            .catalog_id(&catalog_id)
            .send()
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Sales"),
        "a refused update changes nothing"
    );
    let plan = api
        .sales_pricingplan_update()
        .plan_id(&plan_id)
        .body(types::SalesPricingPlan {
            title: Some("Basic+".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(plan.title.as_deref(), Some("Basic+"));
    let product = api
        .sales_product_update()
        .product_id(&product_id)
        .body(types::SalesProduct {
            sku: Some("S-2".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(product.sku.as_deref(), Some("S-2"));
    assert_eq!(
        api.sales_pricingplan_get()
            .plan_id(&plan_id)
            .send()
            .await
            .unwrap()
            .title
            .as_deref(),
        Some("Basic+")
    );
    assert_eq!(
        api.sales_product_get()
            .product_id(&product_id)
            .send()
            .await
            .unwrap()
            .sku
            .as_deref(),
        Some("S-2")
    );
    assert_eq!(
        api.sales_product_list().send().await.unwrap().total_results,
        Some(1)
    );
    assert_eq!(
        api.sales_pricingplan_list()
            .send()
            .await
            .unwrap()
            .total_results,
        Some(1)
    );
    api.sales_catalog_delete()
        .catalog_id(&catalog_id)
        .send()
        .await
        .unwrap();
    api.sales_product_delete()
        .product_id(&product_id)
        .send()
        .await
        .unwrap();
    api.sales_pricingplan_delete()
        .plan_id(&plan_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status(
            api.sales_catalog_get()
                .catalog_id(&catalog_id)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    assert_eq!(
        status(
            api.sales_product_get()
                .product_id(&product_id)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    assert_eq!(
        status(
            api.sales_pricingplan_get()
                .plan_id(&plan_id)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn subscriptions_periods_and_termination() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let subscription = api
        .subscription_create()
        .body(types::Subscription {
            subscriber_id: Some(fake.user_id().into()),
            type_: Some("monthly".into()),
            periods: Some(vec![types::Period {
                from: Some("2024-01-01T00:00:00Z".parse().unwrap()),
                until: Some("2024-02-01T00:00:00Z".parse().unwrap()),
                ..Default::default()
            }]),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(subscription.status().as_u16(), 201);
    assert_eq!(subscription.active, Some(true));
    assert_eq!(subscription.periods.as_ref().map(Vec::len), Some(1));
    let id = subscription.id.clone().unwrap();
    let period = api
        .subscription_period_create()
        .subscription_id(&id)
        .body(types::Period {
            external_id: Some("order-2".into()),
            from: Some("2024-02-01T00:00:00Z".parse().unwrap()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert!(period.created.is_some());
    let period_id = period.id.clone().unwrap();
    let period = api
        .subscription_period_update()
        .subscription_id(&id)
        .period_id(&period_id)
        .body(types::Period {
            external_id: Some("order-2b".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(period.external_id.as_deref(), Some("order-2b"));
    let got = api
        .subscription_period_get()
        .subscription_id(&id)
        .period_id(&period_id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.into_inner(), period.into_inner());
    assert_eq!(
        status(
            api.subscription_period_get()
                .subscription_id(&id)
                .period_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
    let updated = api
        .subscription_update()
        .subscription_id(&id)
        .body(types::Subscription {
            type_: Some("yearly".into()),
            subscriber_id: Some("someone-else".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(updated.type_.as_deref(), Some("yearly"));
    assert_eq!(
        updated.subscriber_id.as_deref(),
        Some(fake.user_id()),
        "fixed at creation"
    );
    assert_eq!(updated.periods.as_ref().map(Vec::len), Some(2));

    let later = api
        .subscription_terminate()
        .subscription_id(&id)
        .when("2999-12-31T22:00:00Z")
        .send()
        .await
        .unwrap();
    assert_eq!(later.active, Some(true), "active until the termination");
    assert_eq!(
        later.terminated,
        Some("2999-12-31T22:00:00Z".parse().unwrap())
    );
    let err = api
        .subscription_terminate()
        .subscription_id(&id)
        .when("tomorrow")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400);
    let now = api
        .subscription_terminate()
        .subscription_id(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(now.active, Some(false));
    let listed = api
        .subscription_list()
        .filter(Filter::eq("type", "yearly"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.total_results, Some(1));
    assert_eq!(listed.resources[0].active, Some(false));
    assert_eq!(
        status(
            api.subscription_get()
                .subscription_id(UNKNOWN)
                .send()
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn wallets_deposit_withdraw_and_transfer() {
    let fake = FakeTrivoreId::start().await;
    let api = fake.client();
    let wallet = |name: &str, currency: &str| types::Wallet {
        name: Some(name.into()),
        currency: Some(currency.into()),
        balance: Some("1000000".into()),
        ..Default::default()
    };
    let a = api
        .wallet_create()
        .body(wallet("A", "EUR"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        a.balance.as_deref(),
        Some("0"),
        "the balance is the server's"
    );
    let a = a.id.clone().unwrap();
    let b = api
        .wallet_create()
        .body(wallet("B", "EUR"))
        .send()
        .await
        .unwrap()
        .id
        .clone()
        .unwrap();
    let usd = api
        .wallet_create()
        .body(wallet("C", "USD"))
        .send()
        .await
        .unwrap()
        .id
        .clone()
        .unwrap();
    let tx = |amount: &str| types::Transaction {
        amount: Some(amount.into()),
        currency: Some("EUR".into()),
        message: Some("test".into()),
        ..Default::default()
    };
    let done = api
        .wallet_deposit()
        .wallet_id(&a)
        .body(tx("20.00"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    api.wallet_withdraw()
        .wallet_id(&a)
        .body(tx("5.5"))
        .send()
        .await
        .unwrap();
    let err = api
        .wallet_withdraw()
        .wallet_id(&a)
        .body(tx("100"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "insufficient funds");
    let err = api
        .wallet_deposit()
        .wallet_id(&a)
        .body(tx("-1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "a negative amount");
    let err = api
        .wallet_deposit()
        .wallet_id(&usd)
        .body(tx("1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "another currency");
    let transfer = |to: &str, amount: &str| types::Transaction {
        transfer_to: Some(to.into()),
        ..tx(amount)
    };
    api.wallet_transfer()
        .wallet_id(&a)
        .body(transfer(&b, "4.25"))
        .send()
        .await
        .unwrap();
    let err = api
        .wallet_transfer()
        .wallet_id(&a)
        .body(transfer(&usd, "1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "a wallet in another currency");
    let err = api
        .wallet_transfer()
        .wallet_id(&a)
        .body(transfer(UNKNOWN, "1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 404);
    let err = api
        .wallet_transfer()
        .wallet_id(&a)
        .body(tx("1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 400, "a transfer needs transferTo");
    let err = api
        .wallet_deposit()
        .wallet_id(UNKNOWN)
        .body(tx("1"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(err), 404);

    let got_a = api.wallet_get().wallet_id(&a).send().await.unwrap();
    assert_eq!(got_a.balance.as_deref(), Some("10.25"));
    let events = got_a.events.clone().unwrap();
    let changes: Vec<_> = events.iter().filter_map(|e| e.balance_change).collect();
    assert_eq!(changes, [20.0, -5.5, -4.25]);
    assert_eq!(events[2].transfer_to.as_deref(), Some(b.as_str()));
    let got_b = api.wallet_get().wallet_id(&b).send().await.unwrap();
    assert_eq!(got_b.balance.as_deref(), Some("4.25"));
    assert_eq!(
        got_b.events.as_ref().unwrap()[0].transfer_from.as_deref(),
        Some(a.as_str())
    );

    // An update keeps the money.
    let renamed = api
        .wallet_update()
        .wallet_id(&a)
        .body(types::Wallet {
            name: Some("Renamed".into()),
            balance: Some("999".into()),
            currency: Some("USD".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("Renamed"));
    assert_eq!(renamed.balance.as_deref(), Some("10.25"));
    assert_eq!(renamed.currency.as_deref(), Some("EUR"));
    let rich_first = api
        .wallet_list()
        .sort_by("name")
        .ascending(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = rich_first
        .resources
        .iter()
        .filter_map(|w| w.name.clone())
        .collect();
    assert_eq!(names, ["B", "C", "Renamed"]);
    api.wallet_delete().wallet_id(&usd).send().await.unwrap();
    assert_eq!(
        status(api.wallet_get().wallet_id(&usd).send().await.unwrap_err()),
        404
    );
}

#[tokio::test]
async fn bad_bodies_are_400_and_change_nothing() {
    let fake = FakeTrivoreId::start().await;
    let user = fake.user_id().to_owned();
    let (status, created) = raw(
        &fake,
        "POST",
        "/wallet",
        Some(r#"{"name": "W", "currency": "EUR"}"#),
    )
    .await;
    assert_eq!(status, 201);
    let wallet = created["id"].as_str().unwrap().to_owned();
    let (status, created) = raw(&fake, "POST", "/contract", Some(r#"{"title": "C"}"#)).await;
    assert_eq!(status, 201);
    let contract = created["id"].as_str().unwrap().to_owned();
    let cases = [
        ("POST", "/accesscontrol".to_owned(), r#"{"title": 5}"#),
        (
            "POST",
            "/contract".to_owned(),
            r#"{"validFrom": "yesterday"}"#,
        ),
        (
            "POST",
            "/contract".to_owned(),
            r#"{"parties": [{"name": ["x"]}]}"#,
        ),
        (
            "POST",
            format!("/contract/{contract}/party"),
            r#"{"name": 1}"#,
        ),
        (
            "POST",
            format!("/contract/{contract}/appendix/order"),
            r#"{"not": "an array"}"#,
        ),
        (
            "PUT",
            format!("/contract/{contract}"),
            r#"["not", "an", "object"]"#,
        ),
        (
            "PUT",
            format!("/contract/{contract}/body"),
            r#"{"text": false}"#,
        ),
        (
            "POST",
            format!("/user/{user}/paycard"),
            r#"{"priority": "high"}"#,
        ),
        ("POST", "/wallet".to_owned(), "{not json"),
        ("POST", "/wallet".to_owned(), ""),
        (
            "POST",
            format!("/wallet/{wallet}/deposit"),
            r#"{"amount": 5}"#,
        ),
        (
            "POST",
            format!("/wallet/{wallet}/deposit"),
            r#"{"amount": "five"}"#,
        ),
        (
            "POST",
            "/subscription".to_owned(),
            r#"{"periods": [{"from": 1}]}"#,
        ),
        (
            "POST",
            "/role/custom".to_owned(),
            r#"{"permissions": "ACCOUNT_VIEW"}"#,
        ),
        (
            "POST",
            "/products/catalog".to_owned(),
            r#"{"products": {}}"#,
        ),
        ("PUT", format!("/wallet/{wallet}"), r#"{"name": null}"#),
    ];
    let before = snapshot(&fake, &contract, &wallet, &user).await;
    for (method, path, body) in &cases {
        let (status, error) = raw(&fake, method, path, Some(body)).await;
        assert_eq!(status, 400, "{method} {path} {body}: {error}");
        assert_eq!(error["statusCode"], 400);
        assert!(
            error["errorMessage"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    assert_eq!(snapshot(&fake, &contract, &wallet, &user).await, before);
}

/// What the bad bodies of [`bad_bodies_are_400_and_change_nothing`] could have changed.
async fn snapshot(fake: &FakeTrivoreId, contract: &str, wallet: &str, user: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        "/accesscontrol".to_owned(),
        "/contract".to_owned(),
        format!("/contract/{contract}"),
        format!("/contract/{contract}/party"),
        format!("/contract/{contract}/appendix"),
        format!("/contract/{contract}/body"),
        format!("/user/{user}/paycard"),
        "/wallet".to_owned(),
        format!("/wallet/{wallet}"),
        "/subscription".to_owned(),
        "/role/custom".to_owned(),
        "/products/catalog".to_owned(),
    ] {
        let (status, body) = raw(fake, "GET", &path, None).await;
        assert_eq!(status, 200, "{path}");
        seen.push(body);
    }
    seen
}

#[tokio::test]
async fn unknown_ids_are_404_in_every_family() {
    let fake = FakeTrivoreId::start().await;
    let user = fake.user_id();
    let u = UNKNOWN;
    for (method, path) in [
        ("GET", format!("/accesscontrol/{u}")),
        ("GET", format!("/role/custom/{u}")),
        ("PUT", format!("/authorisation/{u}")),
        ("DELETE", format!("/authorisation_type/{u}")),
        ("GET", format!("/authorisation_source/{u}")),
        ("POST", format!("/authorisation_grant_right/{u}/revoke")),
        ("PUT", format!("/contact/{u}/enterpriseinfo")),
        ("GET", format!("/contract/{u}/actions")),
        ("POST", format!("/contract/{u}/party")),
        ("GET", format!("/contract/{u}/party/{u}/signer")),
        ("PUT", format!("/contract/{u}/appendix/{u}/file")),
        ("GET", format!("/contract/{u}/body/file")),
        ("GET", format!("/locationsite/{u}")),
        ("GET", format!("/user/{user}/paycard/{u}/pantoken")),
        ("GET", format!("/user/{u}/paycard")),
        ("DELETE", format!("/products/catalog/{u}")),
        ("GET", format!("/products/pricingplan/{u}")),
        ("PUT", format!("/sales/product/{u}")),
        ("POST", format!("/subscription/{u}/period")),
        ("POST", format!("/subscription/{u}/terminate")),
        ("DELETE", format!("/target/{u}")),
        ("POST", format!("/wallet/{u}/withdraw")),
    ] {
        let (status, error) = raw(&fake, method, &path, Some("{}")).await;
        assert_eq!(status, 404, "{method} {path}: {error}");
        assert!(
            error["errorMessage"]
                .as_str()
                .is_some_and(|m| m.contains(u)),
            "{method} {path}: {error}"
        );
    }
}
