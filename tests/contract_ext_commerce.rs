#![cfg(feature = "extension")]
//! Contract tests for the commerce part of the `extension` feature: every operation tagged
//! `products`, `sales`, `paycards`, `subscriptions` or `wallets` in the spec (59 operations),
//! streaming of each of their list operations across pages, and the paycard number round trip.
//!
//! Each operation test checks the method and exact path (with the Basic header), the exact query
//! string, the exact JSON body (real camelCase keys, unset fields left out), the decoded response
//! (with fields the SDK does not know) and its status, and the mapping of an error response to an
//! `ApiError` naming the operation.
//!
//! The Python reference SDK gets several of these models wrong (`accessControlIds` read from
//! `id`, `Validity.timeOfDayFrom/Until` sent with the value of `exceptions`, `PricingPlan`
//! `availability` sent as copies of a `Pricing`, `Product.productId` never sent); the tests
//! below prove the bodies and decoded values use the right keys.
mod common;

use common::*;
use serde_json::{Value, json};
use trivoreid::paging::PagedRequest;
use trivoreid::prelude::*;
use trivoreid::types;
use trivoreid::{ApiErrorKind, Filter};
use wiremock::matchers::{body_json, query_param};
use wiremock::{Request, Respond, ResponseTemplate};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The query pairs of a request, in wire order.
fn query_pairs(request: &Request) -> Vec<(String, String)> {
    request
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The values of a repeated query key, in wire order.
fn query_values(request: &Request, key: &str) -> Vec<String> {
    query_pairs(request)
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect()
}

fn ts(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().expect("RFC 3339 date-time")
}

fn rfc3339(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.expect("a date-time").to_rfc3339()
}

fn map(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// `base` with the keys of `extra` added (or replaced).
fn with(base: Value, extra: Value) -> Value {
    let mut base = map(base);
    base.extend(map(extra));
    Value::Object(base)
}

/// A `{totalResults, startIndex, itemsPerPage, resources}` page.
fn page_json(total: usize, start: usize, resources: Vec<Value>) -> Value {
    json!({
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": resources.len(),
        "resources": resources,
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

// ---------------------------------------------------------------------------------------------
// Fixtures: products (products.*) models
// ---------------------------------------------------------------------------------------------

const OWNER: &str = "5b9f0a1c2d3e4f5a6b7c8d9e";

/// A products `Validity` with every writable field, including `timeOfDayFrom`/`timeOfDayUntil`
/// and `exceptions` with different values (the reference SDK sends `exceptions` under the
/// time-of-day keys).
fn validity() -> types::Validity {
    types::Validity {
        title: Some("Weekday evenings".into()),
        valid_from: Some(ts("2024-01-01T00:00:00Z")),
        valid_until: Some(ts("2024-12-31T23:59:59.999Z")),
        days_of_week: Some(vec!["MONDAY".into(), "FRIDAY".into()]),
        zone_id: Some("Europe/Helsinki".into()),
        exceptions: Some(vec![
            json!({"title": "Midsummer", "validFrom": "2024-06-21T00:00:00Z"}),
        ]),
        time_of_day_from: Some("16:00:00.000".into()),
        time_of_day_until: Some("22:30:00.000".into()),
        valid_now: None,
    }
}

/// `validity()` as it must be on the wire.
fn validity_request_json() -> Value {
    json!({
        "title": "Weekday evenings",
        "validFrom": "2024-01-01T00:00:00Z",
        "validUntil": "2024-12-31T23:59:59.999Z",
        "daysOfWeek": ["MONDAY", "FRIDAY"],
        "zoneId": "Europe/Helsinki",
        "exceptions": [{"title": "Midsummer", "validFrom": "2024-06-21T00:00:00Z"}],
        "timeOfDayFrom": "16:00:00.000",
        "timeOfDayUntil": "22:30:00.000"
    })
}

/// A products `Validity` as the server sends it.
fn validity_json() -> Value {
    json!({
        "title": "Weekday evenings",
        "validFrom": "2024-01-01T00:00:00.000Z",
        "validUntil": "2024-12-31T23:59:59.999Z",
        "daysOfWeek": ["MONDAY", "FRIDAY"],
        "zoneId": "Europe/Helsinki",
        "exceptions": [{"title": "Midsummer", "validFrom": "2024-06-21T00:00:00.000Z"}],
        "validNow": true,
        "timeOfDayFrom": "16:00:00.000",
        "timeOfDayUntil": "22:30:00.000",
        "aValidityFieldAddedLater": 1
    })
}

fn assert_validity(v: &types::Validity) {
    assert_eq!(v.title.as_deref(), Some("Weekday evenings"));
    assert_eq!(rfc3339(v.valid_from), "2024-01-01T00:00:00+00:00");
    assert_eq!(rfc3339(v.valid_until), "2024-12-31T23:59:59.999+00:00");
    assert_eq!(
        v.days_of_week,
        Some(vec!["MONDAY".to_owned(), "FRIDAY".to_owned()])
    );
    assert_eq!(v.zone_id.as_deref(), Some("Europe/Helsinki"));
    assert_eq!(v.valid_now, Some(true));
    assert_eq!(v.time_of_day_from.as_deref(), Some("16:00:00.000"));
    assert_eq!(v.time_of_day_until.as_deref(), Some("22:30:00.000"));
    assert_eq!(
        v.exceptions,
        Some(vec![
            json!({"title": "Midsummer", "validFrom": "2024-06-21T00:00:00.000Z"})
        ])
    );
}

fn translation() -> types::LocalisedDescription {
    types::LocalisedDescription {
        locale: Some("fi".into()),
        name: Some("Päivälippu".into()),
        short_name: Some("Päivä".into()),
        description: Some("Voimassa 24 tuntia".into()),
    }
}

fn translation_json() -> Value {
    json!({"locale": "fi", "name": "Päivälippu", "shortName": "Päivä", "description": "Voimassa 24 tuntia"})
}

fn catalog_item_json() -> Value {
    json!({
        "id": "item-1",
        "productId": "p1",
        "productSku": "TICKET-24H",
        "productValuesInherited": true,
        "pricingPlans": ["pp1"],
        "validityLength": 86400,
        "validityStartFrom": "FIRST_USE",
        "customFields": {"shelf": "A3"},
        "translations": [translation_json()],
        "sellable": [validity_json()],
        "usable": null,
        "anItemFieldAddedLater": "x"
    })
}

/// A catalog as the server sends it; `accessControlIds` differ from `id`.
fn catalog_json(id: &str) -> Value {
    json!({
        "id": id,
        "ownerId": OWNER,
        "name": "Summer 2024",
        "customFields": {"season": "summer", "rank": 2},
        "accessControlIds": ["ac-1", "ac-2"],
        "products": [catalog_item_json()],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_catalog(c: &types::Catalog, id: &str) {
    assert_eq!(c.id.as_deref(), Some(id));
    assert_eq!(c.owner_id.as_deref(), Some(OWNER));
    assert_eq!(c.name.as_deref(), Some("Summer 2024"));
    assert_eq!(
        c.access_control_ids,
        Some(vec!["ac-1".to_owned(), "ac-2".to_owned()])
    );
    assert_eq!(
        c.custom_fields,
        Some(map(json!({"season": "summer", "rank": 2})))
    );
    let items = c.products.as_ref().expect("products");
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.id.as_deref(), Some("item-1"));
    assert_eq!(item.product_id.as_deref(), Some("p1"));
    assert_eq!(item.product_sku.as_deref(), Some("TICKET-24H"));
    assert_eq!(item.product_values_inherited, Some(true));
    assert_eq!(item.pricing_plans, Some(vec!["pp1".to_owned()]));
    assert_eq!(item.validity_length, Some(86400));
    assert_eq!(item.validity_start_from.as_deref(), Some("FIRST_USE"));
    assert_eq!(item.translations, Some(vec![translation()]));
    assert_eq!(item.usable, None);
    assert_validity(&item.sellable.as_ref().expect("sellable")[0]);
}

fn new_catalog() -> types::Catalog {
    types::Catalog {
        name: Some("Summer 2024".into()),
        owner_id: Some(OWNER.into()),
        custom_fields: Some(map(json!({"season": "summer", "rank": 2}))),
        access_control_ids: Some(vec!["ac-1".into(), "ac-2".into()]),
        products: Some(vec![types::CatalogItem {
            product_id: Some("p1".into()),
            product_values_inherited: Some(true),
            pricing_plans: Some(vec!["pp1".into()]),
            validity_length: Some(86400),
            validity_start_from: Some("FIRST_USE".into()),
            custom_fields: Some(map(json!({"shelf": "A3"}))),
            translations: Some(vec![translation()]),
            sellable: Some(vec![validity()]),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn new_catalog_json() -> Value {
    json!({
        "name": "Summer 2024",
        "ownerId": OWNER,
        "customFields": {"season": "summer", "rank": 2},
        "accessControlIds": ["ac-1", "ac-2"],
        "products": [{
            "productId": "p1",
            "productValuesInherited": true,
            "pricingPlans": ["pp1"],
            "validityLength": 86400,
            "validityStartFrom": "FIRST_USE",
            "customFields": {"shelf": "A3"},
            "translations": [translation_json()],
            "sellable": [validity_request_json()]
        }]
    })
}

fn pricing() -> types::Pricing {
    types::Pricing {
        title: Some("Adult".into()),
        description: Some("Adult ticket".into()),
        enabled: Some(true),
        price: Some(12.5),
        currency: Some("EUR".into()),
        vat_included: Some(true),
        vat_percent: Some(10.0),
        code_discount_stacking: Some(false),
        volume_discount_stacking: Some(true),
        customer_segment_discount_stacking: Some(false),
        variable_discount_stacking: Some(false),
        code_discounts: Some(vec![types::CodeDiscount {
            title: Some("Spring".into()),
            code: Some("SPRING".into()),
            discount_percentage: Some(15.0),
            limited_to_users: Some(vec!["u1".into()]),
            ..Default::default()
        }]),
        volume_discounts: Some(vec![types::VolumeDiscount {
            title: Some("Ten or more".into()),
            range_start: Some(10),
            range_end: Some(99),
            discount_amount_per_item: Some(1.5),
            ..Default::default()
        }]),
        customer_segment_discounts: Some(vec![types::CustomerSegmentDiscount {
            title: Some("Students".into()),
            customer_segment: Some("student".into()),
            discount_percentage: Some(30.0),
            ..Default::default()
        }]),
        payment_method_discounts: Some(vec![types::PaymentMethodDiscount {
            title: Some("Wallet".into()),
            payment_method: Some("wallet".into()),
            discount_amount: Some(0.5),
            limited_to_api_clients: Some(vec!["c1".into()]),
            limited_to_user_groups: Some(vec!["g1".into()]),
            ..Default::default()
        }]),
        variable_discounts: Some(vec![types::VariableDiscount {
            title: Some("Happy hour".into()),
            discount_percentage_eval: Some("hour >= 16 ? 10 : 0".into()),
            discount_amount_eval: Some("0".into()),
            discount_amount_per_item_eval: Some("0".into()),
        }]),
    }
}

fn pricing_json() -> Value {
    json!({
        "title": "Adult",
        "description": "Adult ticket",
        "enabled": true,
        "price": 12.5,
        "currency": "EUR",
        "vatIncluded": true,
        "vatPercent": 10.0,
        "codeDiscountStacking": false,
        "volumeDiscountStacking": true,
        "customerSegmentDiscountStacking": false,
        "variableDiscountStacking": false,
        "codeDiscounts": [{"title": "Spring", "code": "SPRING", "discountPercentage": 15.0, "limitedToUsers": ["u1"]}],
        "volumeDiscounts": [{"title": "Ten or more", "rangeStart": 10, "rangeEnd": 99, "discountAmountPerItem": 1.5}],
        "customerSegmentDiscounts": [{"title": "Students", "customerSegment": "student", "discountPercentage": 30.0}],
        "paymentMethodDiscounts": [{"title": "Wallet", "paymentMethod": "wallet", "discountAmount": 0.5,
                                    "limitedToApiClients": ["c1"], "limitedToUserGroups": ["g1"]}],
        "variableDiscounts": [{"title": "Happy hour", "discountPercentageEval": "hour >= 16 ? 10 : 0",
                               "discountAmountEval": "0", "discountAmountPerItemEval": "0"}]
    })
}

fn pricing_plan_json(id: &str) -> Value {
    json!({
        "id": id,
        "ownerId": OWNER,
        "title": "Standard",
        "description": "Standard prices",
        "enabled": true,
        "publishDate": "2024-01-01T00:00:00.000Z",
        "unpublishDate": "2024-12-31T23:59:59.999Z",
        "customFields": {"tier": "standard"},
        "accessControlIds": ["ac-7"],
        "pricings": [with(pricing_json(), json!({"aPricingFieldAddedLater": true}))],
        "availability": [validity_json()],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_pricing_plan(p: &types::PricingPlan, id: &str) {
    assert_eq!(p.id.as_deref(), Some(id));
    assert_eq!(p.owner_id.as_deref(), Some(OWNER));
    assert_eq!(p.title.as_deref(), Some("Standard"));
    assert_eq!(p.enabled, Some(true));
    assert_eq!(rfc3339(p.publish_date), "2024-01-01T00:00:00+00:00");
    assert_eq!(rfc3339(p.unpublish_date), "2024-12-31T23:59:59.999+00:00");
    assert_eq!(p.access_control_ids, Some(vec!["ac-7".to_owned()]));
    assert_eq!(p.custom_fields, Some(map(json!({"tier": "standard"}))));
    assert_eq!(p.pricings, Some(vec![pricing()]));
    let availability = p.availability.as_ref().expect("availability");
    assert_eq!(availability.len(), 1);
    assert_validity(&availability[0]);
}

fn new_pricing_plan() -> types::PricingPlan {
    types::PricingPlan {
        owner_id: Some(OWNER.into()),
        title: Some("Standard".into()),
        description: Some("Standard prices".into()),
        enabled: Some(true),
        publish_date: Some(ts("2024-01-01T00:00:00Z")),
        unpublish_date: Some(ts("2024-12-31T23:59:59.999Z")),
        custom_fields: Some(map(json!({"tier": "standard"}))),
        access_control_ids: Some(vec!["ac-7".into()]),
        pricings: Some(vec![pricing()]),
        availability: Some(vec![validity()]),
        ..Default::default()
    }
}

/// `availability` is a list of `Validity` (the reference SDK sends copies of the last
/// `Pricing` there).
fn new_pricing_plan_json() -> Value {
    json!({
        "ownerId": OWNER,
        "title": "Standard",
        "description": "Standard prices",
        "enabled": true,
        "publishDate": "2024-01-01T00:00:00Z",
        "unpublishDate": "2024-12-31T23:59:59.999Z",
        "customFields": {"tier": "standard"},
        "accessControlIds": ["ac-7"],
        "pricings": [pricing_json()],
        "availability": [validity_request_json()]
    })
}

fn product_json(id: &str) -> Value {
    json!({
        "id": id,
        "ownerId": OWNER,
        "productId": "ext-p1",
        "sku": "TICKET-24H",
        "descriptions": {"fi": {"name": "Päivälippu"}, "en": {"name": "Day ticket", "lines": 2}},
        "customFields": {"zone": "AB"},
        "pricingPlans": ["pp1", "pp2"],
        "validityLength": 86400,
        "validityStartFrom": "PURCHASE",
        "accessControlIds": ["ac-9"],
        "translations": [translation_json()],
        "sellable": [validity_json()],
        "usable": [],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn product_descriptions() -> std::collections::HashMap<String, serde_json::Map<String, Value>> {
    [
        ("fi".to_owned(), map(json!({"name": "Päivälippu"}))),
        (
            "en".to_owned(),
            map(json!({"name": "Day ticket", "lines": 2})),
        ),
    ]
    .into_iter()
    .collect()
}

fn assert_product(p: &types::Product, id: &str) {
    assert_eq!(p.id.as_deref(), Some(id));
    assert_eq!(p.owner_id.as_deref(), Some(OWNER));
    assert_eq!(p.product_id.as_deref(), Some("ext-p1"));
    assert_eq!(p.sku.as_deref(), Some("TICKET-24H"));
    assert_eq!(p.descriptions, Some(product_descriptions()));
    assert_eq!(p.custom_fields, Some(map(json!({"zone": "AB"}))));
    assert_eq!(
        p.pricing_plans,
        Some(vec!["pp1".to_owned(), "pp2".to_owned()])
    );
    assert_eq!(p.validity_length, Some(86400));
    assert_eq!(p.validity_start_from.as_deref(), Some("PURCHASE"));
    assert_eq!(p.access_control_ids, Some(vec!["ac-9".to_owned()]));
    assert_eq!(p.translations, Some(vec![translation()]));
    assert_validity(&p.sellable.as_ref().expect("sellable")[0]);
    assert_eq!(p.usable, Some(vec![]));
}

/// A product with `productId` set (the reference SDK never sends it).
fn new_product() -> types::Product {
    types::Product {
        owner_id: Some(OWNER.into()),
        product_id: Some("ext-p1".into()),
        sku: Some("TICKET-24H".into()),
        descriptions: Some(product_descriptions()),
        custom_fields: Some(map(json!({"zone": "AB"}))),
        pricing_plans: Some(vec!["pp1".into(), "pp2".into()]),
        validity_length: Some(86400),
        validity_start_from: Some("PURCHASE".into()),
        access_control_ids: Some(vec!["ac-9".into()]),
        translations: Some(vec![translation()]),
        sellable: Some(vec![validity()]),
        ..Default::default()
    }
}

fn new_product_json() -> Value {
    json!({
        "ownerId": OWNER,
        "productId": "ext-p1",
        "sku": "TICKET-24H",
        "descriptions": {"fi": {"name": "Päivälippu"}, "en": {"name": "Day ticket", "lines": 2}},
        "customFields": {"zone": "AB"},
        "pricingPlans": ["pp1", "pp2"],
        "validityLength": 86400,
        "validityStartFrom": "PURCHASE",
        "accessControlIds": ["ac-9"],
        "translations": [translation_json()],
        "sellable": [validity_request_json()]
    })
}

fn product_details_json(item_id: &str) -> Value {
    json!({
        "productId": "p1",
        "productSku": "TICKET-24H",
        "catalogId": "cat1",
        "pricingPlanId": "pp1",
        "priceToken": format!("eyJ0b2tlbiI6Ii4uLiJ9.{item_id}"),
        "priceTokenExpires": "2024-05-01T12:15:00.000Z",
        "name": "Päivälippu",
        "shortName": "Päivä",
        "description": "Voimassa 24 tuntia",
        "customFields": {"zone": "AB"},
        "validityLength": 86400,
        "validityStartFrom": "FIRST_USE",
        "translations": [translation_json()],
        "usable": [validity_json()],
        "price": {
            "basePriceWithVat": 12.5,
            "basePriceWithoutVat": 11.36,
            "baseVatAmount": 1.14,
            "totalPriceWithVat": 31.88,
            "totalPriceWithoutVat": 28.98,
            "totalVatAmount": 2.9,
            "pricePerUnitWithVat": 10.63,
            "pricePerUnitWithoutVat": 9.66,
            "pricePerUnitVatAmount": 0.97,
            "vatPercent": 10.0,
            "currency": "EUR",
            "discounts": [{"title": "Spring", "amount": 5.62, "vatIncluded": true, "aDiscountFieldAddedLater": 0}],
            "aPriceFieldAddedLater": "x"
        },
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_product_details(d: &types::ProductDetails, item_id: &str) {
    assert_eq!(d.product_id.as_deref(), Some("p1"));
    assert_eq!(d.product_sku.as_deref(), Some("TICKET-24H"));
    assert_eq!(d.catalog_id.as_deref(), Some("cat1"));
    assert_eq!(d.pricing_plan_id.as_deref(), Some("pp1"));
    assert_eq!(
        d.price_token.as_deref(),
        Some(format!("eyJ0b2tlbiI6Ii4uLiJ9.{item_id}").as_str())
    );
    assert_eq!(rfc3339(d.price_token_expires), "2024-05-01T12:15:00+00:00");
    assert_eq!(d.name.as_deref(), Some("Päivälippu"));
    assert_eq!(d.short_name.as_deref(), Some("Päivä"));
    assert_eq!(d.description.as_deref(), Some("Voimassa 24 tuntia"));
    assert_eq!(d.custom_fields, Some(map(json!({"zone": "AB"}))));
    assert_eq!(d.validity_length, Some(86400));
    assert_eq!(d.validity_start_from.as_deref(), Some("FIRST_USE"));
    assert_eq!(d.translations, Some(vec![translation()]));
    assert_validity(&d.usable.as_ref().expect("usable")[0]);
    let price = d.price.as_ref().expect("price");
    assert_eq!(price.base_price_with_vat, Some(12.5));
    assert_eq!(price.base_price_without_vat, Some(11.36));
    assert_eq!(price.base_vat_amount, Some(1.14));
    assert_eq!(price.total_price_with_vat, Some(31.88));
    assert_eq!(price.total_price_without_vat, Some(28.98));
    assert_eq!(price.total_vat_amount, Some(2.9));
    assert_eq!(price.price_per_unit_with_vat, Some(10.63));
    assert_eq!(price.price_per_unit_without_vat, Some(9.66));
    assert_eq!(price.price_per_unit_vat_amount, Some(0.97));
    assert_eq!(price.vat_percent, Some(10.0));
    assert_eq!(price.currency.as_deref(), Some("EUR"));
    let discounts = price.discounts.as_ref().expect("discounts");
    assert_eq!(discounts.len(), 1);
    assert_eq!(discounts[0].title.as_deref(), Some("Spring"));
    assert_eq!(discounts[0].amount, Some(5.62));
    assert_eq!(discounts[0].vat_included, Some(true));
}

fn catalog_details_json(catalog_id: &str) -> Value {
    json!({
        "catalogId": catalog_id,
        "name": "Summer 2024",
        "customFields": {"season": "summer"},
        "products": [product_details_json("item-1"), product_details_json("item-2")],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_catalog_details(c: &types::CatalogDetails, catalog_id: &str) {
    assert_eq!(c.catalog_id.as_deref(), Some(catalog_id));
    assert_eq!(c.name.as_deref(), Some("Summer 2024"));
    assert_eq!(c.custom_fields, Some(map(json!({"season": "summer"}))));
    let products = c.products.as_ref().expect("products");
    assert_eq!(products.len(), 2);
    assert_product_details(&products[0], "item-1");
    assert_product_details(&products[1], "item-2");
}

// ---------------------------------------------------------------------------------------------
// Fixtures: sales (sales.*) models
// ---------------------------------------------------------------------------------------------

fn sales_validity() -> types::SalesValidity {
    types::SalesValidity {
        title: Some("Weekends".into()),
        valid_from: Some(ts("2024-03-01T00:00:00Z")),
        valid_until: Some(ts("2024-09-30T21:00:00Z")),
        days_of_week: Some(vec!["SATURDAY".into(), "SUNDAY".into()]),
        zone_id: Some("Europe/Helsinki".into()),
        exceptions: Some(vec![json!({"title": "Easter"})]),
        valid_now: None,
    }
}

fn sales_validity_request_json() -> Value {
    json!({
        "title": "Weekends",
        "validFrom": "2024-03-01T00:00:00Z",
        "validUntil": "2024-09-30T21:00:00Z",
        "daysOfWeek": ["SATURDAY", "SUNDAY"],
        "zoneId": "Europe/Helsinki",
        "exceptions": [{"title": "Easter"}]
    })
}

fn sales_validity_json() -> Value {
    json!({
        "title": "Weekends",
        "validFrom": "2024-03-01T00:00:00.000Z",
        "validUntil": "2024-09-30T21:00:00.000Z",
        "daysOfWeek": ["SATURDAY", "SUNDAY"],
        "zoneId": "Europe/Helsinki",
        "exceptions": [{"title": "Easter"}],
        "validNow": false,
        "aValidityFieldAddedLater": 1
    })
}

fn assert_sales_validity(v: &types::SalesValidity) {
    assert_eq!(v.title.as_deref(), Some("Weekends"));
    assert_eq!(rfc3339(v.valid_from), "2024-03-01T00:00:00+00:00");
    assert_eq!(rfc3339(v.valid_until), "2024-09-30T21:00:00+00:00");
    assert_eq!(
        v.days_of_week,
        Some(vec!["SATURDAY".to_owned(), "SUNDAY".to_owned()])
    );
    assert_eq!(v.zone_id.as_deref(), Some("Europe/Helsinki"));
    assert_eq!(v.exceptions, Some(vec![json!({"title": "Easter"})]));
    assert_eq!(v.valid_now, Some(false));
}

fn sales_catalog_json(id: &str) -> Value {
    json!({
        "id": id,
        "ownerId": OWNER,
        "name": "Legacy catalog",
        "customFields": {"legacy": true},
        "accessControlIds": ["ac-3"],
        "products": [{
            "productId": "sp1",
            "productSku": "LEGACY-1",
            "productValuesInherited": false,
            "descriptions": {"en": {"name": "Legacy ticket"}},
            "customFields": {"k": "v"},
            "provider": "Acme Transit",
            "pricingPlans": ["spp1"],
            "validityLength": 3600,
            "validityStartFrom": "PURCHASE",
            "sellable": [sales_validity_json()],
            "usable": [sales_validity_json()],
            "anItemFieldAddedLater": 1
        }],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_sales_catalog(c: &types::SalesCatalog, id: &str) {
    assert_eq!(c.id.as_deref(), Some(id));
    assert_eq!(c.owner_id.as_deref(), Some(OWNER));
    assert_eq!(c.name.as_deref(), Some("Legacy catalog"));
    assert_eq!(c.custom_fields, Some(map(json!({"legacy": true}))));
    assert_eq!(c.access_control_ids, Some(vec!["ac-3".to_owned()]));
    let items = c.products.as_ref().expect("products");
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item.product_id.as_deref(), Some("sp1"));
    assert_eq!(item.product_sku.as_deref(), Some("LEGACY-1"));
    assert_eq!(item.product_values_inherited, Some(false));
    assert_eq!(
        item.descriptions.as_ref().expect("descriptions")["en"],
        map(json!({"name": "Legacy ticket"}))
    );
    assert_eq!(item.custom_fields, Some(map(json!({"k": "v"}))));
    assert_eq!(item.provider.as_deref(), Some("Acme Transit"));
    assert_eq!(item.pricing_plans, Some(vec!["spp1".to_owned()]));
    assert_eq!(item.validity_length, Some(3600));
    assert_eq!(item.validity_start_from.as_deref(), Some("PURCHASE"));
    assert_sales_validity(&item.sellable.as_ref().expect("sellable")[0]);
    assert_sales_validity(&item.usable.as_ref().expect("usable")[0]);
}

fn new_sales_catalog() -> types::SalesCatalog {
    types::SalesCatalog {
        owner_id: Some(OWNER.into()),
        name: Some("Legacy catalog".into()),
        custom_fields: Some(map(json!({"legacy": true}))),
        access_control_ids: Some(vec!["ac-3".into()]),
        products: Some(vec![types::SalesCatalogItem {
            product_id: Some("sp1".into()),
            product_values_inherited: Some(false),
            descriptions: Some(
                [("en".to_owned(), map(json!({"name": "Legacy ticket"})))]
                    .into_iter()
                    .collect(),
            ),
            provider: Some("Acme Transit".into()),
            pricing_plans: Some(vec!["spp1".into()]),
            validity_length: Some(3600),
            validity_start_from: Some("PURCHASE".into()),
            sellable: Some(vec![sales_validity()]),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn new_sales_catalog_json() -> Value {
    json!({
        "ownerId": OWNER,
        "name": "Legacy catalog",
        "customFields": {"legacy": true},
        "accessControlIds": ["ac-3"],
        "products": [{
            "productId": "sp1",
            "productValuesInherited": false,
            "descriptions": {"en": {"name": "Legacy ticket"}},
            "provider": "Acme Transit",
            "pricingPlans": ["spp1"],
            "validityLength": 3600,
            "validityStartFrom": "PURCHASE",
            "sellable": [sales_validity_request_json()]
        }]
    })
}

fn sales_pricing() -> types::SalesPricing {
    types::SalesPricing {
        title: Some("Child".into()),
        enabled: Some(true),
        price: Some(4.25),
        currency: Some("EUR".into()),
        vat_included: Some(false),
        vat_percent: Some(24.0),
        code_discount_stacking: Some(true),
        code_discounts: Some(vec![types::SalesCodeDiscount {
            title: Some("Family".into()),
            code: Some("FAMILY".into()),
            discount_amount: Some(1.0),
            ..Default::default()
        }]),
        volume_discounts: Some(vec![types::SalesVolumeDiscount {
            title: Some("Group".into()),
            range_start: Some(5),
            discount_percentage: Some(5.0),
            ..Default::default()
        }]),
        customer_segment_discounts: Some(vec![types::SalesCustomerSegmentDiscount {
            title: Some("Seniors".into()),
            customer_segment: Some("senior".into()),
            discount_percentage: Some(50.0),
            limited_to_user_groups: Some(vec!["g-seniors".into()]),
            ..Default::default()
        }]),
        payment_method_discounts: Some(vec![types::SalesPaymentMethodDiscount {
            title: Some("Card".into()),
            payment_method: Some("creditcard".into()),
            discount_amount_per_item: Some(0.1),
            ..Default::default()
        }]),
        variable_discounts: Some(vec![types::SalesVariableDiscount {
            title: Some("Late".into()),
            discount_amount_eval: Some("0.5".into()),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn sales_pricing_json() -> Value {
    json!({
        "title": "Child",
        "enabled": true,
        "price": 4.25,
        "currency": "EUR",
        "vatIncluded": false,
        "vatPercent": 24.0,
        "codeDiscountStacking": true,
        "codeDiscounts": [{"title": "Family", "code": "FAMILY", "discountAmount": 1.0}],
        "volumeDiscounts": [{"title": "Group", "rangeStart": 5, "discountPercentage": 5.0}],
        "customerSegmentDiscounts": [{"title": "Seniors", "customerSegment": "senior", "discountPercentage": 50.0,
                                      "limitedToUserGroups": ["g-seniors"]}],
        "paymentMethodDiscounts": [{"title": "Card", "paymentMethod": "creditcard", "discountAmountPerItem": 0.1}],
        "variableDiscounts": [{"title": "Late", "discountAmountEval": "0.5"}]
    })
}

fn sales_pricing_plan_json(id: &str) -> Value {
    json!({
        "id": id,
        "ownerId": OWNER,
        "title": "Legacy plan",
        "description": "Old prices",
        "enabled": false,
        "publishDate": "2023-01-01T00:00:00.000Z",
        "unpublishDate": null,
        "customFields": {},
        "accessControlIds": ["ac-4", "ac-5"],
        "pricings": [sales_pricing_json()],
        "availability": [sales_validity_json()],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_sales_pricing_plan(p: &types::SalesPricingPlan, id: &str) {
    assert_eq!(p.id.as_deref(), Some(id));
    assert_eq!(p.owner_id.as_deref(), Some(OWNER));
    assert_eq!(p.title.as_deref(), Some("Legacy plan"));
    assert_eq!(p.description.as_deref(), Some("Old prices"));
    assert_eq!(p.enabled, Some(false));
    assert_eq!(rfc3339(p.publish_date), "2023-01-01T00:00:00+00:00");
    assert_eq!(p.unpublish_date, None);
    assert_eq!(p.custom_fields, Some(serde_json::Map::new()));
    assert_eq!(
        p.access_control_ids,
        Some(vec!["ac-4".to_owned(), "ac-5".to_owned()])
    );
    assert_eq!(p.pricings, Some(vec![sales_pricing()]));
    assert_sales_validity(&p.availability.as_ref().expect("availability")[0]);
}

fn new_sales_pricing_plan() -> types::SalesPricingPlan {
    types::SalesPricingPlan {
        owner_id: Some(OWNER.into()),
        title: Some("Legacy plan".into()),
        description: Some("Old prices".into()),
        enabled: Some(false),
        publish_date: Some(ts("2023-01-01T00:00:00Z")),
        access_control_ids: Some(vec!["ac-4".into(), "ac-5".into()]),
        pricings: Some(vec![sales_pricing()]),
        availability: Some(vec![sales_validity()]),
        ..Default::default()
    }
}

fn new_sales_pricing_plan_json() -> Value {
    json!({
        "ownerId": OWNER,
        "title": "Legacy plan",
        "description": "Old prices",
        "enabled": false,
        "publishDate": "2023-01-01T00:00:00Z",
        "accessControlIds": ["ac-4", "ac-5"],
        "pricings": [sales_pricing_json()],
        "availability": [sales_validity_request_json()]
    })
}

fn sales_product_json(id: &str) -> Value {
    json!({
        "id": id,
        "ownerId": OWNER,
        "productId": "legacy-ext-1",
        "sku": "LEGACY-1",
        "descriptions": {"sv": {"name": "Dagsbiljett"}},
        "customFields": {"zone": "C"},
        "provider": "Acme Transit",
        "pricingPlans": ["spp1"],
        "validityLength": 3600,
        "validityStartFrom": "FIRST_USE",
        "accessControlIds": ["ac-6"],
        "sellable": [sales_validity_json()],
        "usable": null,
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_sales_product(p: &types::SalesProduct, id: &str) {
    assert_eq!(p.id.as_deref(), Some(id));
    assert_eq!(p.owner_id.as_deref(), Some(OWNER));
    assert_eq!(p.product_id.as_deref(), Some("legacy-ext-1"));
    assert_eq!(p.sku.as_deref(), Some("LEGACY-1"));
    assert_eq!(
        p.descriptions.as_ref().expect("descriptions")["sv"],
        map(json!({"name": "Dagsbiljett"}))
    );
    assert_eq!(p.custom_fields, Some(map(json!({"zone": "C"}))));
    assert_eq!(p.provider.as_deref(), Some("Acme Transit"));
    assert_eq!(p.pricing_plans, Some(vec!["spp1".to_owned()]));
    assert_eq!(p.validity_length, Some(3600));
    assert_eq!(p.validity_start_from.as_deref(), Some("FIRST_USE"));
    assert_eq!(p.access_control_ids, Some(vec!["ac-6".to_owned()]));
    assert_sales_validity(&p.sellable.as_ref().expect("sellable")[0]);
    assert_eq!(p.usable, None);
}

fn new_sales_product() -> types::SalesProduct {
    types::SalesProduct {
        owner_id: Some(OWNER.into()),
        product_id: Some("legacy-ext-1".into()),
        sku: Some("LEGACY-1".into()),
        descriptions: Some(
            [("sv".to_owned(), map(json!({"name": "Dagsbiljett"})))]
                .into_iter()
                .collect(),
        ),
        custom_fields: Some(map(json!({"zone": "C"}))),
        provider: Some("Acme Transit".into()),
        pricing_plans: Some(vec!["spp1".into()]),
        validity_length: Some(3600),
        validity_start_from: Some("FIRST_USE".into()),
        access_control_ids: Some(vec!["ac-6".into()]),
        sellable: Some(vec![sales_validity()]),
        ..Default::default()
    }
}

fn new_sales_product_json() -> Value {
    json!({
        "ownerId": OWNER,
        "productId": "legacy-ext-1",
        "sku": "LEGACY-1",
        "descriptions": {"sv": {"name": "Dagsbiljett"}},
        "customFields": {"zone": "C"},
        "provider": "Acme Transit",
        "pricingPlans": ["spp1"],
        "validityLength": 3600,
        "validityStartFrom": "FIRST_USE",
        "accessControlIds": ["ac-6"],
        "sellable": [sales_validity_request_json()]
    })
}

// ---------------------------------------------------------------------------------------------
// Fixtures: paycards, subscriptions, wallets
// ---------------------------------------------------------------------------------------------

/// A test PAN (Visa's test number), never a real one.
const PAN: &str = "4111111111111111";

fn paycard_json(id: &str) -> Value {
    json!({
        "id": id,
        "userId": "u1",
        "namespaceId": "ns1",
        "name": "Work card",
        "state": "ACTIVE",
        "priority": 1,
        "method": "creditcard",
        "cardBrand": "Visa",
        "cardSubBrand": "Gold",
        "cardIssuer": "Acme Bank",
        "cardIssuerCode": "ACMEFIHH",
        "cardType": "credit",
        "validFrom": "2024-01-01T00:00:00.000Z",
        "validTo": "2027-09-30T23:59:59.000Z",
        "leadingDigits": "411111",
        "lastDigits": "1111",
        "expirationYear": 2027,
        "expirationMonth": 9,
        "externalCode": "ext-code",
        "externalRef": "ext-ref",
        "internalRef": "int-ref",
        "nameOnCard": "ADA LOVELACE",
        "cardValidUntil": "09/27",
        "cardNumber": PAN,
        "cardValidToISODate": "2027-09-30T23:59:59",
        "cardData": [{"key": "color", "value": "blue"}],
        "cardCapabilities": [{"key": "contactless", "value": "true"}],
        "meta": meta_json(&format!("user/u1/paycard/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_paycard(c: &types::Paycard, id: &str) {
    assert_eq!(c.id.as_deref(), Some(id));
    assert_eq!(c.user_id.as_deref(), Some("u1"));
    assert_eq!(c.namespace_id.as_deref(), Some("ns1"));
    assert_eq!(c.name.as_deref(), Some("Work card"));
    assert_eq!(c.state.as_deref(), Some("ACTIVE"));
    assert_eq!(c.priority, Some(1));
    assert_eq!(c.method.as_deref(), Some("creditcard"));
    assert_eq!(c.card_brand.as_deref(), Some("Visa"));
    assert_eq!(c.card_sub_brand.as_deref(), Some("Gold"));
    assert_eq!(c.card_issuer.as_deref(), Some("Acme Bank"));
    assert_eq!(c.card_issuer_code.as_deref(), Some("ACMEFIHH"));
    assert_eq!(c.card_type.as_deref(), Some("credit"));
    assert_eq!(rfc3339(c.valid_from), "2024-01-01T00:00:00+00:00");
    assert_eq!(rfc3339(c.valid_to), "2027-09-30T23:59:59+00:00");
    assert_eq!(c.leading_digits.as_deref(), Some("411111"));
    assert_eq!(c.last_digits.as_deref(), Some("1111"));
    assert_eq!(c.expiration_year, Some(json!(2027)));
    assert_eq!(c.expiration_month, Some(json!(9)));
    assert_eq!(c.external_code.as_deref(), Some("ext-code"));
    assert_eq!(c.external_ref.as_deref(), Some("ext-ref"));
    assert_eq!(c.internal_ref.as_deref(), Some("int-ref"));
    assert_eq!(c.name_on_card.as_deref(), Some("ADA LOVELACE"));
    assert_eq!(c.card_valid_until.as_deref(), Some("09/27"));
    assert_eq!(c.card_number.as_deref(), Some(PAN));
    assert_eq!(
        c.card_valid_to_iso_date.as_deref(),
        Some("2027-09-30T23:59:59")
    );
    assert_eq!(
        c.card_data,
        Some(vec![types::CardDataEntry {
            key: Some("color".into()),
            value: Some("blue".into()),
        }])
    );
    assert_eq!(
        c.card_capabilities,
        Some(vec![types::CardDataEntry {
            key: Some("contactless".into()),
            value: Some("true".into()),
        }])
    );
    assert_eq!(
        c.meta.as_ref().and_then(|m| m.location.as_deref()),
        Some(format!("https://id.example.com/api/rest/v1/user/u1/paycard/{id}").as_str())
    );
}

fn new_paycard() -> types::Paycard {
    types::Paycard {
        name: Some("Work card".into()),
        state: Some("ACTIVE".into()),
        priority: Some(1),
        method: Some("creditcard".into()),
        card_brand: Some("Visa".into()),
        card_sub_brand: Some("Gold".into()),
        card_issuer: Some("Acme Bank".into()),
        card_issuer_code: Some("ACMEFIHH".into()),
        card_type: Some("credit".into()),
        valid_from: Some(ts("2024-01-01T00:00:00Z")),
        valid_to: Some(ts("2027-09-30T23:59:59Z")),
        leading_digits: Some("411111".into()),
        last_digits: Some("1111".into()),
        expiration_year: Some(json!(2027)),
        expiration_month: Some(json!(9)),
        external_code: Some("ext-code".into()),
        external_ref: Some("ext-ref".into()),
        internal_ref: Some("int-ref".into()),
        name_on_card: Some("ADA LOVELACE".into()),
        card_valid_until: Some("09/27".into()),
        card_number: Some(PAN.into()),
        card_data: Some(vec![types::CardDataEntry {
            key: Some("color".into()),
            value: Some("blue".into()),
        }]),
        card_capabilities: Some(vec![types::CardDataEntry {
            key: Some("contactless".into()),
            value: Some("true".into()),
        }]),
        ..Default::default()
    }
}

fn new_paycard_json() -> Value {
    json!({
        "name": "Work card",
        "state": "ACTIVE",
        "priority": 1,
        "method": "creditcard",
        "cardBrand": "Visa",
        "cardSubBrand": "Gold",
        "cardIssuer": "Acme Bank",
        "cardIssuerCode": "ACMEFIHH",
        "cardType": "credit",
        "validFrom": "2024-01-01T00:00:00Z",
        "validTo": "2027-09-30T23:59:59Z",
        "leadingDigits": "411111",
        "lastDigits": "1111",
        "expirationYear": 2027,
        "expirationMonth": 9,
        "externalCode": "ext-code",
        "externalRef": "ext-ref",
        "internalRef": "int-ref",
        "nameOnCard": "ADA LOVELACE",
        "cardValidUntil": "09/27",
        "cardNumber": PAN,
        "cardData": [{"key": "color", "value": "blue"}],
        "cardCapabilities": [{"key": "contactless", "value": "true"}]
    })
}

fn pantoken_json(id: &str) -> Value {
    json!({
        "id": id,
        "paycardId": "card1",
        "token": "tok_4f9a0c2e7b",
        "issuer": "VisaTokenService",
        "timestamp": "2024-03-01T12:00:00.250Z",
        "meta": meta_json(&format!("user/u1/paycard/card1/pantoken/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_pantoken(t: &types::PanToken, id: &str) {
    assert_eq!(t.id.as_deref(), Some(id));
    assert_eq!(t.paycard_id.as_deref(), Some("card1"));
    assert_eq!(t.token.as_deref(), Some("tok_4f9a0c2e7b"));
    assert_eq!(t.issuer.as_deref(), Some("VisaTokenService"));
    assert_eq!(rfc3339(t.timestamp), "2024-03-01T12:00:00.250+00:00");
    assert_eq!(
        rfc3339(t.meta.as_ref().and_then(|m| m.created)),
        "2017-03-20T11:04:21.534+00:00"
    );
}

fn new_pantoken() -> types::PanToken {
    types::PanToken {
        paycard_id: Some("card1".into()),
        token: Some("tok_4f9a0c2e7b".into()),
        issuer: Some("VisaTokenService".into()),
        timestamp: Some(ts("2024-03-01T12:00:00.250Z")),
        ..Default::default()
    }
}

fn new_pantoken_json() -> Value {
    json!({
        "paycardId": "card1",
        "token": "tok_4f9a0c2e7b",
        "issuer": "VisaTokenService",
        "timestamp": "2024-03-01T12:00:00.250Z"
    })
}

fn period_json(id: &str) -> Value {
    json!({
        "id": id,
        "created": "2024-01-01T08:30:00.000Z",
        "externalId": "invoice-7",
        "from": "2024-01-01T00:00:00.000Z",
        "until": "2024-02-01T00:00:00.000Z",
        "customFields": {"paid": true},
        "aPeriodFieldAddedLater": 1
    })
}

fn assert_period(p: &types::Period, id: &str) {
    assert_eq!(p.id.as_deref(), Some(id));
    assert_eq!(rfc3339(p.created), "2024-01-01T08:30:00+00:00");
    assert_eq!(p.external_id.as_deref(), Some("invoice-7"));
    assert_eq!(rfc3339(p.from), "2024-01-01T00:00:00+00:00");
    assert_eq!(rfc3339(p.until), "2024-02-01T00:00:00+00:00");
    assert_eq!(p.custom_fields, Some(map(json!({"paid": true}))));
}

/// A period; `from` is the JSON key (the reference SDK's attribute is `startTime`).
fn new_period() -> types::Period {
    types::Period {
        external_id: Some("invoice-7".into()),
        from: Some(ts("2024-01-01T00:00:00Z")),
        until: Some(ts("2024-02-01T00:00:00Z")),
        custom_fields: Some(map(json!({"paid": true}))),
        ..Default::default()
    }
}

fn new_period_json() -> Value {
    json!({
        "externalId": "invoice-7",
        "from": "2024-01-01T00:00:00Z",
        "until": "2024-02-01T00:00:00Z",
        "customFields": {"paid": true}
    })
}

fn subscription_json(id: &str) -> Value {
    json!({
        "id": id,
        "subscriberId": "u1",
        "nsCode": "acme",
        "externalId": "order-42",
        "type": "monthly",
        "customFields": {"plan": "gold"},
        "terminated": null,
        "active": true,
        "periods": [period_json("per1")],
        "meta": meta_json(&format!("subscription/{id}")),
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_subscription(s: &types::Subscription, id: &str) {
    assert_eq!(s.id.as_deref(), Some(id));
    assert_eq!(s.subscriber_id.as_deref(), Some("u1"));
    assert_eq!(s.ns_code.as_deref(), Some("acme"));
    assert_eq!(s.external_id.as_deref(), Some("order-42"));
    assert_eq!(s.type_.as_deref(), Some("monthly"));
    assert_eq!(s.custom_fields, Some(map(json!({"plan": "gold"}))));
    assert_eq!(s.active, Some(true));
    let periods = s.periods.as_ref().expect("periods");
    assert_eq!(periods.len(), 1);
    assert_period(&periods[0], "per1");
    assert_eq!(
        s.meta.as_ref().and_then(|m| m.location.as_deref()),
        Some(format!("https://id.example.com/api/rest/v1/subscription/{id}").as_str())
    );
}

fn new_subscription() -> types::Subscription {
    types::Subscription {
        subscriber_id: Some("u1".into()),
        external_id: Some("order-42".into()),
        type_: Some("monthly".into()),
        custom_fields: Some(map(json!({"plan": "gold"}))),
        periods: Some(vec![new_period()]),
        ..Default::default()
    }
}

fn new_subscription_json() -> Value {
    json!({
        "subscriberId": "u1",
        "externalId": "order-42",
        "type": "monthly",
        "customFields": {"plan": "gold"},
        "periods": [new_period_json()]
    })
}

fn wallet_json(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Travel money",
        "balance": "12.50",
        "currency": "EUR",
        "ownerId": "u1",
        "holderIds": ["u1", "u2"],
        "accessControlIds": ["ac-8"],
        "identifiableNamespaceId": "ns1",
        "identifiableNamespace": "acme",
        "identifiableName": "travel",
        "events": [
            {"id": "e1", "time": "2024-04-01T09:00:00.000Z", "balanceChange": 20.0, "message": "Top-up"},
            {"id": "e2", "time": "2024-04-02T10:30:00.000Z", "balanceChange": -7.5, "message": "Ticket",
             "transferTo": "w9", "transferFrom": id, "anEventFieldAddedLater": 1}
        ],
        "unknownFieldTheServerAdded": {"x": 1}
    })
}

fn assert_wallet(w: &types::Wallet, id: &str) {
    assert_eq!(w.id.as_deref(), Some(id));
    assert_eq!(w.name.as_deref(), Some("Travel money"));
    assert_eq!(w.balance.as_deref(), Some("12.50"));
    assert_eq!(w.currency.as_deref(), Some("EUR"));
    assert_eq!(w.owner_id.as_deref(), Some("u1"));
    assert_eq!(w.holder_ids, Some(vec!["u1".to_owned(), "u2".to_owned()]));
    assert_eq!(w.access_control_ids, Some(vec!["ac-8".to_owned()]));
    assert_eq!(w.identifiable_namespace_id.as_deref(), Some("ns1"));
    assert_eq!(w.identifiable_namespace.as_deref(), Some("acme"));
    assert_eq!(w.identifiable_name.as_deref(), Some("travel"));
    let events = w.events.as_ref().expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].id.as_deref(), Some("e1"));
    assert_eq!(rfc3339(events[0].time), "2024-04-01T09:00:00+00:00");
    assert_eq!(events[0].balance_change, Some(20.0));
    assert_eq!(events[0].message.as_deref(), Some("Top-up"));
    assert_eq!(events[0].transfer_to, None);
    assert_eq!(events[1].balance_change, Some(-7.5));
    assert_eq!(events[1].transfer_to.as_deref(), Some("w9"));
    assert_eq!(events[1].transfer_from.as_deref(), Some(id));
}

fn new_wallet() -> types::Wallet {
    types::Wallet {
        name: Some("Travel money".into()),
        currency: Some("EUR".into()),
        owner_id: Some("u1".into()),
        holder_ids: Some(vec!["u1".into(), "u2".into()]),
        access_control_ids: Some(vec!["ac-8".into()]),
        identifiable_namespace_id: Some("ns1".into()),
        identifiable_name: Some("travel".into()),
        ..Default::default()
    }
}

fn new_wallet_json() -> Value {
    json!({
        "name": "Travel money",
        "currency": "EUR",
        "ownerId": "u1",
        "holderIds": ["u1", "u2"],
        "accessControlIds": ["ac-8"],
        "identifiableNamespaceId": "ns1",
        "identifiableName": "travel"
    })
}

// ---------------------------------------------------------------------------------------------
// products: catalogs
// ---------------------------------------------------------------------------------------------

/// catalog_list: GET /products/catalog?filter&startIndex&count&mergeProductDetails&sortBy&sortOrder
#[tokio::test]
async fn catalog_list() {
    let h = harness().await;
    let filter = r#"name co "Sum\"mer""#;
    mock("GET", "/products/catalog")
        .and(query_param("filter", filter))
        .and(query_param("mergeProductDetails", "true"))
        .and(query_param("sortOrder", "descending"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            41,
            20,
            vec![catalog_json("cat1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .catalog_list()
        .filter(Filter::co("name", "Sum\"mer"))
        .start_index(20)
        .count(20)
        .merge_product_details(true)
        .sort_by("name")
        .sort_order(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("startIndex", "20"),
            ("count", "20"),
            ("mergeProductDetails", "true"),
            ("sortBy", "name"),
            ("sortOrder", "descending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(41));
    assert_eq!(page.start_index, Some(20));
    assert_eq!(page.items_per_page, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_catalog(&page.resources[0], "cat1");

    next_phase(&h.server).await;
    mock("GET", "/products/catalog")
        .respond_with(error_response(
            403,
            "Client does not have required permission PRODUCT_CATALOG_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .catalog_list()
        .merge_product_details(false)
        .sort_order(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap_err();
    only_request(
        &h.server,
        &[("mergeProductDetails", "false"), ("sortOrder", "ascending")],
    )
    .await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission PRODUCT_CATALOG_VIEW.",
        "catalog_list",
    );
}

/// catalog_create: POST /products/catalog -> 201
#[tokio::test]
async fn catalog_create() {
    let h = harness().await;
    mock("POST", "/products/catalog")
        .and(body_json(new_catalog_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(catalog_json("cat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .catalog_create()
        .body(new_catalog())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_catalog_json());
    // accessControlIds are their own key, not the id; time-of-day keys carry time-of-day values.
    assert_eq!(sent["accessControlIds"], json!(["ac-1", "ac-2"]));
    let sellable = &sent["products"][0]["sellable"][0];
    assert_eq!(sellable["timeOfDayFrom"], "16:00:00.000");
    assert_eq!(sellable["timeOfDayUntil"], "22:30:00.000");
    assert_catalog(&created, "cat1");

    next_phase(&h.server).await;
    mock("POST", "/products/catalog")
        .respond_with(error_response(400, "Catalog name is required"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .catalog_create()
        .body(types::Catalog::default())
        .send()
        .await
        .unwrap_err();
    assert_eq!(json_of(&only_request(&h.server, &[]).await), json!({}));
    assert_error(
        err.into(),
        400,
        "Catalog name is required",
        "catalog_create",
    );
}

/// catalog_get: GET /products/catalog/{catalogId}
#[tokio::test]
async fn catalog_get() {
    let h = harness().await;
    mock("GET", "/products/catalog/cat1")
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog_json("cat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let catalog = h.api.catalog_get().catalog_id("cat1").send().await.unwrap();
    assert_eq!(catalog.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_catalog(&catalog, "cat1");

    next_phase(&h.server).await;
    mock("GET", "/products/catalog/nope")
        .respond_with(error_response(404, "Catalog not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .catalog_get()
        .catalog_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Catalog not found", "catalog_get");
}

/// catalog_update: PUT /products/catalog/{catalogId}
#[tokio::test]
async fn catalog_update() {
    let h = harness().await;
    let expected_body = with(
        new_catalog_json(),
        json!({"id": "cat1", "accessControlIds": ["ac-2"]}),
    );
    mock("PUT", "/products/catalog/cat1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog_json("cat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let update = types::Catalog {
        id: Some("cat1".into()),
        access_control_ids: Some(vec!["ac-2".into()]),
        ..new_catalog()
    };
    let updated = h
        .api
        .catalog_update()
        .catalog_id("cat1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_catalog(&updated, "cat1");

    next_phase(&h.server).await;
    mock("PUT", "/products/catalog/cat1")
        .respond_with(error_response(409, "Catalog was modified concurrently"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .catalog_update()
        .catalog_id("cat1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Catalog was modified concurrently",
        "catalog_update",
    );
}

/// catalog_delete: DELETE /products/catalog/{catalogId} -> 204
#[tokio::test]
async fn catalog_delete() {
    let h = harness().await;
    mock("DELETE", "/products/catalog/cat1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .catalog_delete()
        .catalog_id("cat1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/products/catalog/cat1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .catalog_delete()
        .catalog_id("cat1")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 500, "Internal server error", "catalog_delete");
}

// ---------------------------------------------------------------------------------------------
// products: pricing plans
// ---------------------------------------------------------------------------------------------

/// pricingplan_list: GET /products/pricingplan?filter&startIndex&count&sortBy&sortOrder
#[tokio::test]
async fn pricingplan_list() {
    let h = harness().await;
    mock("GET", "/products/pricingplan")
        .and(query_param("filter", "enabled eq true"))
        .and(query_param("sortBy", "title"))
        .and(query_param("sortOrder", "ascending"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            6,
            5,
            vec![pricing_plan_json("pp1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .pricingplan_list()
        .filter(Filter::eq("enabled", true))
        .start_index(5)
        .count(5)
        .sort_by("title")
        .sort_order(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", "enabled eq true"),
            ("startIndex", "5"),
            ("count", "5"),
            ("sortBy", "title"),
            ("sortOrder", "ascending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(6));
    assert_eq!(page.start_index, Some(5));
    assert_eq!(page.resources.len(), 1);
    assert_pricing_plan(&page.resources[0], "pp1");

    next_phase(&h.server).await;
    mock("GET", "/products/pricingplan")
        .respond_with(error_response(400, "Unknown sort attribute"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .pricingplan_list()
        .sort_by("nope")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("sortBy", "nope")]).await;
    assert_error(
        err.into(),
        400,
        "Unknown sort attribute",
        "pricingplan_list",
    );
}

/// pricingplan_create: POST /products/pricingplan -> 201
#[tokio::test]
async fn pricingplan_create() {
    let h = harness().await;
    mock("POST", "/products/pricingplan")
        .and(body_json(new_pricing_plan_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pricing_plan_json("pp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .pricingplan_create()
        .body(new_pricing_plan())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_pricing_plan_json());
    // availability holds Validity objects, not copies of a Pricing.
    assert_eq!(sent["availability"], json!([validity_request_json()]));
    assert!(sent["availability"][0].get("price").is_none());
    assert_eq!(sent["accessControlIds"], json!(["ac-7"]));
    assert_pricing_plan(&created, "pp1");

    next_phase(&h.server).await;
    mock("POST", "/products/pricingplan")
        .respond_with(error_response(
            403,
            "Client does not have required permission PRICING_PLAN_MODIFY.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .pricingplan_create()
        .body(new_pricing_plan())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission PRICING_PLAN_MODIFY.",
        "pricingplan_create",
    );
}

/// pricingplan_get: GET /products/pricingplan/{planId}
#[tokio::test]
async fn pricingplan_get() {
    let h = harness().await;
    mock("GET", "/products/pricingplan/pp1")
        .respond_with(ResponseTemplate::new(200).set_body_json(pricing_plan_json("pp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let plan = h.api.pricingplan_get().plan_id("pp1").send().await.unwrap();
    assert_eq!(plan.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_pricing_plan(&plan, "pp1");

    next_phase(&h.server).await;
    mock("GET", "/products/pricingplan/gone")
        .respond_with(error_response(404, "Pricing plan not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .pricingplan_get()
        .plan_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Pricing plan not found", "pricingplan_get");
}

/// pricingplan_update: PUT /products/pricingplan/{planId}
#[tokio::test]
async fn pricingplan_update() {
    let h = harness().await;
    let update = types::PricingPlan {
        id: Some("pp1".into()),
        enabled: Some(false),
        pricings: None,
        ..new_pricing_plan()
    };
    let mut expected_body = with(
        new_pricing_plan_json(),
        json!({"id": "pp1", "enabled": false}),
    );
    expected_body.as_object_mut().unwrap().remove("pricings");
    mock("PUT", "/products/pricingplan/pp1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(pricing_plan_json("pp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .pricingplan_update()
        .plan_id("pp1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, expected_body);
    // Without pricings, availability is still sent (the reference SDK fails here).
    assert_eq!(sent["availability"], json!([validity_request_json()]));
    assert_pricing_plan(&updated, "pp1");

    next_phase(&h.server).await;
    mock("PUT", "/products/pricingplan/pp1")
        .respond_with(error_response(409, "Pricing plan is in use"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .pricingplan_update()
        .plan_id("pp1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Pricing plan is in use",
        "pricingplan_update",
    );
}

/// pricingplan_delete: DELETE /products/pricingplan/{planId} -> 204
#[tokio::test]
async fn pricingplan_delete() {
    let h = harness().await;
    mock("DELETE", "/products/pricingplan/pp1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .pricingplan_delete()
        .plan_id("pp1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/products/pricingplan/pp1")
        .respond_with(error_response(
            409,
            "Pricing plan is referenced by products",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .pricingplan_delete()
        .plan_id("pp1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Pricing plan is referenced by products",
        "pricingplan_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// products: products
// ---------------------------------------------------------------------------------------------

/// product_list: GET /products/product?filter&startIndex&count&sortBy&sortOrder
#[tokio::test]
async fn product_list() {
    let h = harness().await;
    let filter = r#"sku sw "TICKET" and not (validityLength gt 86400)"#;
    mock("GET", "/products/product")
        .and(query_param("filter", filter))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            2,
            0,
            vec![product_json("prod1"), product_json("prod2")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .product_list()
        .filter(Filter::sw("sku", "TICKET").and(Filter::gt("validityLength", 86400).not()))
        .start_index(0)
        .count(100)
        .sort_by("sku")
        .sort_order(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("startIndex", "0"),
            ("count", "100"),
            ("sortBy", "sku"),
            ("sortOrder", "descending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.resources.len(), 2);
    assert_product(&page.resources[0], "prod1");
    assert_product(&page.resources[1], "prod2");

    next_phase(&h.server).await;
    mock("GET", "/products/product")
        .respond_with(error_response(500, "Product search failed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.product_list().send().await.unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(err.into(), 500, "Product search failed", "product_list");
}

/// product_create: POST /products/product -> 201
#[tokio::test]
async fn product_create() {
    let h = harness().await;
    mock("POST", "/products/product")
        .and(body_json(new_product_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(product_json("prod1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .product_create()
        .body(new_product())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_product_json());
    // productId and accessControlIds are sent (the reference SDK drops the one, empties the other).
    assert_eq!(sent["productId"], "ext-p1");
    assert_eq!(sent["accessControlIds"], json!(["ac-9"]));
    assert_product(&created, "prod1");

    next_phase(&h.server).await;
    mock("POST", "/products/product")
        .respond_with(error_response(409, "SKU TICKET-24H already exists"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .product_create()
        .body(new_product())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "SKU TICKET-24H already exists",
        "product_create",
    );
}

/// product_get: GET /products/product/{productId}
#[tokio::test]
async fn product_get() {
    let h = harness().await;
    mock("GET", "/products/product/prod1")
        .respond_with(ResponseTemplate::new(200).set_body_json(product_json("prod1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let product = h
        .api
        .product_get()
        .product_id("prod1")
        .send()
        .await
        .unwrap();
    assert_eq!(product.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_product(&product, "prod1");

    next_phase(&h.server).await;
    mock("GET", "/products/product/prod1")
        .respond_with(error_response(
            403,
            "Client does not have required permission PRODUCT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .product_get()
        .product_id("prod1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission PRODUCT_VIEW.",
        "product_get",
    );
}

/// product_update: PUT /products/product/{productId}
#[tokio::test]
async fn product_update() {
    let h = harness().await;
    let update = types::Product {
        id: Some("prod1".into()),
        usable: Some(vec![validity()]),
        ..new_product()
    };
    let expected_body = with(
        new_product_json(),
        json!({"id": "prod1", "usable": [validity_request_json()]}),
    );
    mock("PUT", "/products/product/prod1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(product_json("prod1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .product_update()
        .product_id("prod1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_product(&updated, "prod1");

    next_phase(&h.server).await;
    mock("PUT", "/products/product/prod1")
        .respond_with(error_response(
            400,
            "validityStartFrom must be PURCHASE or FIRST_USE",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .product_update()
        .product_id("prod1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "validityStartFrom must be PURCHASE or FIRST_USE",
        "product_update",
    );
}

/// product_delete: DELETE /products/product/{productId} -> 204
#[tokio::test]
async fn product_delete() {
    let h = harness().await;
    mock("DELETE", "/products/product/prod1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .product_delete()
        .product_id("prod1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/products/product/missing")
        .respond_with(error_response(404, "Product not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .product_delete()
        .product_id("missing")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Product not found", "product_delete");
}

// ---------------------------------------------------------------------------------------------
// products: priced offers (sales/products)
// ---------------------------------------------------------------------------------------------

/// sales_products_get: GET /sales/products?locale&currency&paymentMethod&customerSegment*&atTime
#[tokio::test]
async fn sales_products_get() {
    let h = harness().await;
    mock("GET", "/sales/products")
        .and(query_param("atTime", "2007-12-03T10:15:30Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "catalogs": [catalog_details_json("cat1"), catalog_details_json("cat2")],
            "unknownFieldTheServerAdded": {"x": 1}
        })))
        .expect(1)
        .mount(&h.server)
        .await;
    let all = h
        .api
        .sales_products_get()
        .locale("fi")
        .currency("EUR")
        .payment_method("wallet")
        .customer_segment(vec!["student".to_owned(), "senior".to_owned()])
        .at_time(ts("2007-12-03T10:15:30Z"))
        .send()
        .await
        .unwrap();
    assert_eq!(all.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("locale", "fi"),
            ("currency", "EUR"),
            ("paymentMethod", "wallet"),
            ("customerSegment", "student"),
            ("customerSegment", "senior"),
            ("atTime", "2007-12-03T10:15:30Z"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(
        query_values(&request, "customerSegment"),
        vec!["student", "senior"]
    );
    let catalogs = all.catalogs.as_ref().expect("catalogs");
    assert_eq!(catalogs.len(), 2);
    assert_catalog_details(&catalogs[0], "cat1");
    assert_catalog_details(&catalogs[1], "cat2");

    next_phase(&h.server).await;
    mock("GET", "/sales/products")
        .respond_with(error_response(400, "Unknown currency XXX"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_products_get()
        .currency("XXX")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("currency", "XXX")]).await;
    assert_error(
        err.into(),
        400,
        "Unknown currency XXX",
        "sales_products_get",
    );
}

/// sales_products_catalog_get: GET /sales/products/catalog/{catalogId}?...&code*&volume
#[tokio::test]
async fn sales_products_catalog_get() {
    let h = harness().await;
    mock("GET", "/sales/products/catalog/cat1")
        .and(query_param("volume", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog_details_json("cat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let details = h
        .api
        .sales_products_catalog_get()
        .catalog_id("cat1")
        .locale("en")
        .currency("EUR")
        .payment_method("creditcard")
        .customer_segment(vec!["student".to_owned()])
        .code(vec!["SPRING".to_owned(), "VIP 10%".to_owned()])
        .at_time(ts("2024-05-01T12:00:00.500Z"))
        .volume(3)
        .send()
        .await
        .unwrap();
    assert_eq!(details.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("locale", "en"),
            ("currency", "EUR"),
            ("paymentMethod", "creditcard"),
            ("customerSegment", "student"),
            ("code", "SPRING"),
            ("code", "VIP 10%"),
            ("atTime", "2024-05-01T12:00:00.500Z"),
            ("volume", "3"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(query_values(&request, "code"), vec!["SPRING", "VIP 10%"]);
    assert_catalog_details(&details, "cat1");

    next_phase(&h.server).await;
    mock("GET", "/sales/products/catalog/cat9")
        .respond_with(error_response(404, "Catalog not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_products_catalog_get()
        .catalog_id("cat9")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        404,
        "Catalog not found",
        "sales_products_catalog_get",
    );
}

/// sales_products_item_get: GET /sales/products/catalog/{catalogId}/item/{itemId}?...
#[tokio::test]
async fn sales_products_item_get() {
    let h = harness().await;
    mock("GET", "/sales/products/catalog/cat1/item/item-1")
        .and(query_param("code", "SPRING"))
        .respond_with(ResponseTemplate::new(200).set_body_json(product_details_json("item-1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let details = h
        .api
        .sales_products_item_get()
        .catalog_id("cat1")
        .item_id("item-1")
        .locale("fi_FI")
        .currency("EUR")
        .payment_method("wallet")
        .customer_segment(vec!["student".to_owned(), "employee".to_owned()])
        .code(vec!["SPRING".to_owned()])
        .at_time(ts("2024-05-01T12:00:00Z"))
        .volume(12)
        .send()
        .await
        .unwrap();
    assert_eq!(details.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("locale", "fi_FI"),
            ("currency", "EUR"),
            ("paymentMethod", "wallet"),
            ("customerSegment", "student"),
            ("customerSegment", "employee"),
            ("code", "SPRING"),
            ("atTime", "2024-05-01T12:00:00Z"),
            ("volume", "12"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(
        query_values(&request, "customerSegment"),
        vec!["student", "employee"]
    );
    assert_product_details(&details, "item-1");

    next_phase(&h.server).await;
    mock("GET", "/sales/products/catalog/cat1/item/item-1")
        .respond_with(error_response(
            402,
            "Item is not sellable at the given time",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_products_item_get()
        .catalog_id("cat1")
        .item_id("item-1")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        402,
        "Item is not sellable at the given time",
        "sales_products_item_get",
    );
}

// ---------------------------------------------------------------------------------------------
// sales: catalogs
// ---------------------------------------------------------------------------------------------

/// sales_catalog_list: GET /sales/catalog?filter&startIndex&count&mergeProductDetails&sortBy&sortOrder
#[tokio::test]
async fn sales_catalog_list() {
    let h = harness().await;
    let filter = r#"ownerId eq "5b9f0a1c2d3e4f5a6b7c8d9e""#;
    mock("GET", "/sales/catalog")
        .and(query_param("mergeProductDetails", "false"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            1,
            0,
            vec![sales_catalog_json("scat1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .sales_catalog_list()
        .filter(Filter::eq("ownerId", OWNER))
        .start_index(0)
        .count(10)
        .merge_product_details(false)
        .sort_by("name")
        .sort_order(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("startIndex", "0"),
            ("count", "10"),
            ("mergeProductDetails", "false"),
            ("sortBy", "name"),
            ("sortOrder", "ascending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_sales_catalog(&page.resources[0], "scat1");

    next_phase(&h.server).await;
    mock("GET", "/sales/catalog")
        .respond_with(error_response(
            403,
            "Client does not have required permission SALES_CATALOG_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_catalog_list()
        .merge_product_details(true)
        .sort_order(types::SortDirection::Descending)
        .send()
        .await
        .unwrap_err();
    only_request(
        &h.server,
        &[("mergeProductDetails", "true"), ("sortOrder", "descending")],
    )
    .await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission SALES_CATALOG_VIEW.",
        "sales_catalog_list",
    );
}

/// sales_catalog_create: POST /sales/catalog -> 201
#[tokio::test]
async fn sales_catalog_create() {
    let h = harness().await;
    mock("POST", "/sales/catalog")
        .and(body_json(new_sales_catalog_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(sales_catalog_json("scat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .sales_catalog_create()
        .body(new_sales_catalog())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_sales_catalog_json());
    assert_eq!(sent["accessControlIds"], json!(["ac-3"]));
    assert_sales_catalog(&created, "scat1");

    next_phase(&h.server).await;
    mock("POST", "/sales/catalog")
        .respond_with(error_response(400, "Catalog item productId is required"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_catalog_create()
        .body(new_sales_catalog())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Catalog item productId is required",
        "sales_catalog_create",
    );
}

/// sales_catalog_get: GET /sales/catalog/{catalogId}
#[tokio::test]
async fn sales_catalog_get() {
    let h = harness().await;
    mock("GET", "/sales/catalog/scat1")
        .respond_with(ResponseTemplate::new(200).set_body_json(sales_catalog_json("scat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let catalog = h
        .api
        .sales_catalog_get()
        .catalog_id("scat1")
        .send()
        .await
        .unwrap();
    assert_eq!(catalog.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_sales_catalog(&catalog, "scat1");

    next_phase(&h.server).await;
    mock("GET", "/sales/catalog/none")
        .respond_with(error_response(404, "Catalog not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_catalog_get()
        .catalog_id("none")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Catalog not found", "sales_catalog_get");
}

/// sales_catalog_update: PUT /sales/catalog/{catalogId}
#[tokio::test]
async fn sales_catalog_update() {
    let h = harness().await;
    let update = types::SalesCatalog {
        id: Some("scat1".into()),
        name: Some("Legacy catalog (closing)".into()),
        products: Some(vec![]),
        ..new_sales_catalog()
    };
    let expected_body = with(
        new_sales_catalog_json(),
        json!({"id": "scat1", "name": "Legacy catalog (closing)", "products": []}),
    );
    mock("PUT", "/sales/catalog/scat1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(sales_catalog_json("scat1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .sales_catalog_update()
        .catalog_id("scat1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_sales_catalog(&updated, "scat1");

    next_phase(&h.server).await;
    mock("PUT", "/sales/catalog/scat1")
        .respond_with(error_response(409, "Catalog was modified concurrently"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_catalog_update()
        .catalog_id("scat1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Catalog was modified concurrently",
        "sales_catalog_update",
    );
}

/// sales_catalog_delete: DELETE /sales/catalog/{catalogId} -> 204
#[tokio::test]
async fn sales_catalog_delete() {
    let h = harness().await;
    mock("DELETE", "/sales/catalog/scat1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .sales_catalog_delete()
        .catalog_id("scat1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/sales/catalog/scat1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_catalog_delete()
        .catalog_id("scat1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "sales_catalog_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// sales: pricing plans
// ---------------------------------------------------------------------------------------------

/// sales_pricingplan_list: GET /sales/pricingplan?filter&startIndex&count&sortBy&sortOrder
#[tokio::test]
async fn sales_pricingplan_list() {
    let h = harness().await;
    let filter = r#"title eq "Legacy plan" or enabled eq false"#;
    mock("GET", "/sales/pricingplan")
        .and(query_param("filter", filter))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            3,
            2,
            vec![sales_pricing_plan_json("spp1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .sales_pricingplan_list()
        .filter(Filter::eq("title", "Legacy plan").or(Filter::eq("enabled", false)))
        .start_index(2)
        .count(1)
        .sort_by("publishDate")
        .sort_order(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("startIndex", "2"),
            ("count", "1"),
            ("sortBy", "publishDate"),
            ("sortOrder", "descending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(3));
    assert_eq!(page.start_index, Some(2));
    assert_sales_pricing_plan(&page.resources[0], "spp1");

    next_phase(&h.server).await;
    mock("GET", "/sales/pricingplan")
        .respond_with(error_response(400, "Invalid filter"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_pricingplan_list()
        .count(0)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("count", "0")]).await;
    assert_error(err.into(), 400, "Invalid filter", "sales_pricingplan_list");
}

/// sales_pricingplan_create: POST /sales/pricingplan -> 201
#[tokio::test]
async fn sales_pricingplan_create() {
    let h = harness().await;
    mock("POST", "/sales/pricingplan")
        .and(body_json(new_sales_pricing_plan_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(sales_pricing_plan_json("spp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .sales_pricingplan_create()
        .body(new_sales_pricing_plan())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_sales_pricing_plan_json());
    assert_eq!(sent["availability"], json!([sales_validity_request_json()]));
    assert_sales_pricing_plan(&created, "spp1");

    next_phase(&h.server).await;
    mock("POST", "/sales/pricingplan")
        .respond_with(error_response(
            403,
            "Client does not have required permission SALES_PRICING_PLAN_MODIFY.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_pricingplan_create()
        .body(new_sales_pricing_plan())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission SALES_PRICING_PLAN_MODIFY.",
        "sales_pricingplan_create",
    );
}

/// sales_pricingplan_get: GET /sales/pricingplan/{planId}
#[tokio::test]
async fn sales_pricingplan_get() {
    let h = harness().await;
    mock("GET", "/sales/pricingplan/spp1")
        .respond_with(ResponseTemplate::new(200).set_body_json(sales_pricing_plan_json("spp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let plan = h
        .api
        .sales_pricingplan_get()
        .plan_id("spp1")
        .send()
        .await
        .unwrap();
    assert_eq!(plan.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_sales_pricing_plan(&plan, "spp1");

    next_phase(&h.server).await;
    mock("GET", "/sales/pricingplan/nope")
        .respond_with(error_response(404, "Pricing plan not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_pricingplan_get()
        .plan_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Pricing plan not found",
        "sales_pricingplan_get",
    );
}

/// sales_pricingplan_update: PUT /sales/pricingplan/{planId}
#[tokio::test]
async fn sales_pricingplan_update() {
    let h = harness().await;
    let update = types::SalesPricingPlan {
        id: Some("spp1".into()),
        unpublish_date: Some(ts("2025-06-30T21:00:00Z")),
        ..new_sales_pricing_plan()
    };
    let expected_body = with(
        new_sales_pricing_plan_json(),
        json!({"id": "spp1", "unpublishDate": "2025-06-30T21:00:00Z"}),
    );
    mock("PUT", "/sales/pricingplan/spp1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(sales_pricing_plan_json("spp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .sales_pricingplan_update()
        .plan_id("spp1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_sales_pricing_plan(&updated, "spp1");

    next_phase(&h.server).await;
    mock("PUT", "/sales/pricingplan/spp1")
        .respond_with(error_response(400, "unpublishDate is before publishDate"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_pricingplan_update()
        .plan_id("spp1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "unpublishDate is before publishDate",
        "sales_pricingplan_update",
    );
}

/// sales_pricingplan_delete: DELETE /sales/pricingplan/{planId} -> 204
#[tokio::test]
async fn sales_pricingplan_delete() {
    let h = harness().await;
    mock("DELETE", "/sales/pricingplan/spp1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .sales_pricingplan_delete()
        .plan_id("spp1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/sales/pricingplan/spp1")
        .respond_with(error_response(
            409,
            "Pricing plan is referenced by products",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_pricingplan_delete()
        .plan_id("spp1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Pricing plan is referenced by products",
        "sales_pricingplan_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// sales: products
// ---------------------------------------------------------------------------------------------

/// sales_product_list: GET /sales/product?filter&startIndex&count&sortBy&sortOrder
#[tokio::test]
async fn sales_product_list() {
    let h = harness().await;
    let filter = r#"provider eq "Acme Transit""#;
    mock("GET", "/sales/product")
        .and(query_param("filter", filter))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            2,
            0,
            vec![sales_product_json("sp1"), sales_product_json("sp2")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .sales_product_list()
        .filter(Filter::eq("provider", "Acme Transit"))
        .count(2)
        .sort_by("sku")
        .sort_order(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("count", "2"),
            ("sortBy", "sku"),
            ("sortOrder", "ascending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.resources.len(), 2);
    assert_sales_product(&page.resources[0], "sp1");
    assert_sales_product(&page.resources[1], "sp2");

    next_phase(&h.server).await;
    mock("GET", "/sales/product")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_product_list()
        .start_index(7)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("startIndex", "7")]).await;
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "sales_product_list",
    );
}

/// sales_product_create: POST /sales/product -> 201
#[tokio::test]
async fn sales_product_create() {
    let h = harness().await;
    mock("POST", "/sales/product")
        .and(body_json(new_sales_product_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(sales_product_json("sp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .sales_product_create()
        .body(new_sales_product())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_sales_product_json());
    // productId and accessControlIds are sent (the reference SDK drops the one, empties the other).
    assert_eq!(sent["productId"], "legacy-ext-1");
    assert_eq!(sent["accessControlIds"], json!(["ac-6"]));
    assert_sales_product(&created, "sp1");

    next_phase(&h.server).await;
    mock("POST", "/sales/product")
        .respond_with(error_response(409, "SKU LEGACY-1 already exists"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_product_create()
        .body(new_sales_product())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "SKU LEGACY-1 already exists",
        "sales_product_create",
    );
}

/// sales_product_get: GET /sales/product/{productId}
#[tokio::test]
async fn sales_product_get() {
    let h = harness().await;
    mock("GET", "/sales/product/sp1")
        .respond_with(ResponseTemplate::new(200).set_body_json(sales_product_json("sp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let product = h
        .api
        .sales_product_get()
        .product_id("sp1")
        .send()
        .await
        .unwrap();
    assert_eq!(product.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_sales_product(&product, "sp1");

    next_phase(&h.server).await;
    mock("GET", "/sales/product/sp1")
        .respond_with(error_response(
            403,
            "Client does not have required permission SALES_PRODUCT_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_product_get()
        .product_id("sp1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission SALES_PRODUCT_VIEW.",
        "sales_product_get",
    );
}

/// sales_product_update: PUT /sales/product/{productId}
#[tokio::test]
async fn sales_product_update() {
    let h = harness().await;
    let update = types::SalesProduct {
        id: Some("sp1".into()),
        usable: Some(vec![sales_validity()]),
        sellable: None,
        ..new_sales_product()
    };
    let mut expected_body = with(
        new_sales_product_json(),
        json!({"id": "sp1", "usable": [sales_validity_request_json()]}),
    );
    expected_body.as_object_mut().unwrap().remove("sellable");
    mock("PUT", "/sales/product/sp1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(sales_product_json("sp1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .sales_product_update()
        .product_id("sp1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_sales_product(&updated, "sp1");

    next_phase(&h.server).await;
    mock("PUT", "/sales/product/sp1")
        .respond_with(error_response(402, "Commerce module is not licensed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_product_update()
        .product_id("sp1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        402,
        "Commerce module is not licensed",
        "sales_product_update",
    );
}

/// sales_product_delete: DELETE /sales/product/{productId} -> 204
#[tokio::test]
async fn sales_product_delete() {
    let h = harness().await;
    mock("DELETE", "/sales/product/sp1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .sales_product_delete()
        .product_id("sp1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/sales/product/gone")
        .respond_with(error_response(404, "Product not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .sales_product_delete()
        .product_id("gone")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Product not found", "sales_product_delete");
}

// ---------------------------------------------------------------------------------------------
// paycards
// ---------------------------------------------------------------------------------------------

/// paycard_list: GET /user/{userId}/paycard?filter&startIndex&count
#[tokio::test]
async fn paycard_list() {
    let h = harness().await;
    let filter = r#"state eq "ACTIVE" and priority le 3"#;
    mock("GET", "/user/u1/paycard")
        .and(query_param("filter", filter))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            2,
            0,
            vec![paycard_json("card1"), paycard_json("card2")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .paycard_list()
        .user_id("u1")
        .filter(Filter::eq("state", "ACTIVE").and(Filter::le("priority", 3)))
        .start_index(0)
        .count(50)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[("filter", filter), ("startIndex", "0"), ("count", "50")],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.resources.len(), 2);
    assert_paycard(&page.resources[0], "card1");
    assert_paycard(&page.resources[1], "card2");

    next_phase(&h.server).await;
    mock("GET", "/user/ghost/paycard")
        .respond_with(error_response(404, "User not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_list()
        .user_id("ghost")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(err.into(), 404, "User not found", "paycard_list");
}

/// paycard_create: POST /user/{userId}/paycard -> 201
#[tokio::test]
async fn paycard_create() {
    let h = harness().await;
    mock("POST", "/user/u1/paycard")
        .and(body_json(new_paycard_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(paycard_json("card1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .paycard_create()
        .user_id("u1")
        .body(new_paycard())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_paycard_json());
    assert_eq!(sent["cardNumber"], json!(PAN));
    assert_paycard(&created, "card1");

    next_phase(&h.server).await;
    mock("POST", "/user/u1/paycard")
        .respond_with(error_response(
            403,
            "Client does not have required permission PAYCARD_NUMBER_MODIFY.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_create()
        .user_id("u1")
        .body(new_paycard())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission PAYCARD_NUMBER_MODIFY.",
        "paycard_create",
    );
}

/// paycard_get: GET /user/{userId}/paycard/{cardId}
#[tokio::test]
async fn paycard_get() {
    let h = harness().await;
    mock("GET", "/user/u1/paycard/card1")
        .respond_with(ResponseTemplate::new(200).set_body_json(paycard_json("card1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let card = h
        .api
        .paycard_get()
        .user_id("u1")
        .card_id("card1")
        .send()
        .await
        .unwrap();
    assert_eq!(card.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_paycard(&card, "card1");

    next_phase(&h.server).await;
    mock("GET", "/user/u1/paycard/card9")
        .respond_with(error_response(404, "Paycard not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_get()
        .user_id("u1")
        .card_id("card9")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 404, "Paycard not found", "paycard_get");
}

/// paycard_update: PUT /user/{userId}/paycard/{cardId}
#[tokio::test]
async fn paycard_update() {
    let h = harness().await;
    let update = types::Paycard {
        id: Some("card1".into()),
        user_id: Some("u1".into()),
        state: Some("INACTIVE".into()),
        card_number: None,
        ..new_paycard()
    };
    let mut expected_body = with(
        new_paycard_json(),
        json!({"id": "card1", "userId": "u1", "state": "INACTIVE"}),
    );
    expected_body.as_object_mut().unwrap().remove("cardNumber");
    mock("PUT", "/user/u1/paycard/card1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(paycard_json("card1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .paycard_update()
        .user_id("u1")
        .card_id("card1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, expected_body);
    // An unset card number is left out, not sent as null.
    assert!(sent.get("cardNumber").is_none(), "{sent}");
    assert_paycard(&updated, "card1");

    next_phase(&h.server).await;
    mock("PUT", "/user/u1/paycard/card1")
        .respond_with(error_response(400, "priority must be from 0 to 8"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_update()
        .user_id("u1")
        .card_id("card1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "priority must be from 0 to 8",
        "paycard_update",
    );
}

/// paycard_delete: DELETE /user/{userId}/paycard/{cardId} -> 204
#[tokio::test]
async fn paycard_delete() {
    let h = harness().await;
    mock("DELETE", "/user/u1/paycard/card1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .paycard_delete()
        .user_id("u1")
        .card_id("card1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/user/u1/paycard/card1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_delete()
        .user_id("u1")
        .card_id("card1")
        .send()
        .await
        .unwrap_err();
    assert_error(err.into(), 500, "Internal server error", "paycard_delete");
}

/// paycard_pantoken_list: GET /user/{userId}/paycard/{cardId}/pantoken?filter&startIndex&count
#[tokio::test]
async fn paycard_pantoken_list() {
    let h = harness().await;
    let filter = r#"issuer eq "VisaTokenService""#;
    mock("GET", "/user/u1/paycard/card1/pantoken")
        .and(query_param("filter", filter))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            11,
            10,
            vec![pantoken_json("tok1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .paycard_pantoken_list()
        .user_id("u1")
        .card_id("card1")
        .filter(Filter::eq("issuer", "VisaTokenService"))
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
    assert_eq!(page.total_results, Some(11));
    assert_eq!(page.start_index, Some(10));
    assert_eq!(page.resources.len(), 1);
    assert_pantoken(&page.resources[0], "tok1");

    next_phase(&h.server).await;
    mock("GET", "/user/u1/paycard/card9/pantoken")
        .respond_with(error_response(404, "Paycard not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_pantoken_list()
        .user_id("u1")
        .card_id("card9")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        404,
        "Paycard not found",
        "paycard_pantoken_list",
    );
}

/// paycard_pantoken_create: POST /user/{userId}/paycard/{cardId}/pantoken -> 201
#[tokio::test]
async fn paycard_pantoken_create() {
    let h = harness().await;
    mock("POST", "/user/u1/paycard/card1/pantoken")
        .and(body_json(new_pantoken_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(pantoken_json("tok1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .paycard_pantoken_create()
        .user_id("u1")
        .card_id("card1")
        .body(new_pantoken())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        new_pantoken_json()
    );
    assert_pantoken(&created, "tok1");

    next_phase(&h.server).await;
    mock("POST", "/user/u1/paycard/card1/pantoken")
        .respond_with(error_response(409, "PAN token already exists"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_pantoken_create()
        .user_id("u1")
        .card_id("card1")
        .body(new_pantoken())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "PAN token already exists",
        "paycard_pantoken_create",
    );
}

/// paycard_pantoken_get: GET /user/{userId}/paycard/{cardId}/pantoken/{tokenId}
#[tokio::test]
async fn paycard_pantoken_get() {
    let h = harness().await;
    mock("GET", "/user/u1/paycard/card1/pantoken/tok1")
        .respond_with(ResponseTemplate::new(200).set_body_json(pantoken_json("tok1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let token = h
        .api
        .paycard_pantoken_get()
        .user_id("u1")
        .card_id("card1")
        .token_id("tok1")
        .send()
        .await
        .unwrap();
    assert_eq!(token.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_pantoken(&token, "tok1");

    next_phase(&h.server).await;
    mock("GET", "/user/u1/paycard/card1/pantoken/tok1")
        .respond_with(error_response(
            403,
            "Client does not have required permission PAYCARD_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_pantoken_get()
        .user_id("u1")
        .card_id("card1")
        .token_id("tok1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission PAYCARD_VIEW.",
        "paycard_pantoken_get",
    );
}

/// paycard_pantoken_update: PUT /user/{userId}/paycard/{cardId}/pantoken/{tokenId}
#[tokio::test]
async fn paycard_pantoken_update() {
    let h = harness().await;
    let update = types::PanToken {
        id: Some("tok1".into()),
        token: Some("tok_rotated_77".into()),
        ..new_pantoken()
    };
    let expected_body = with(
        new_pantoken_json(),
        json!({"id": "tok1", "token": "tok_rotated_77"}),
    );
    mock("PUT", "/user/u1/paycard/card1/pantoken/tok1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(pantoken_json("tok1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .paycard_pantoken_update()
        .user_id("u1")
        .card_id("card1")
        .token_id("tok1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_pantoken(&updated, "tok1");

    next_phase(&h.server).await;
    mock("PUT", "/user/u1/paycard/card1/pantoken/tok1")
        .respond_with(error_response(400, "token must not be empty"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_pantoken_update()
        .user_id("u1")
        .card_id("card1")
        .token_id("tok1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "token must not be empty",
        "paycard_pantoken_update",
    );
}

/// paycard_pantoken_delete: DELETE /user/{userId}/paycard/{cardId}/pantoken/{tokenId} -> 204
#[tokio::test]
async fn paycard_pantoken_delete() {
    let h = harness().await;
    mock("DELETE", "/user/u1/paycard/card1/pantoken/tok1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .paycard_pantoken_delete()
        .user_id("u1")
        .card_id("card1")
        .token_id("tok1")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/user/u1/paycard/card1/pantoken/tok9")
        .respond_with(error_response(404, "PAN token not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .paycard_pantoken_delete()
        .user_id("u1")
        .card_id("card1")
        .token_id("tok9")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "PAN token not found",
        "paycard_pantoken_delete",
    );
}

// ---------------------------------------------------------------------------------------------
// subscriptions
// ---------------------------------------------------------------------------------------------

/// subscription_list: GET /subscription?filter&startIndex&count&sortBy&sortOrder
#[tokio::test]
async fn subscription_list() {
    let h = harness().await;
    let filter = r#"subscriberId eq "u1" and active eq true"#;
    mock("GET", "/subscription")
        .and(query_param("filter", filter))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            1,
            0,
            vec![subscription_json("sub1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .subscription_list()
        .filter(Filter::eq("subscriberId", "u1").and(Filter::eq("active", true)))
        .start_index(0)
        .count(25)
        .sort_by("externalId")
        .sort_order(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("startIndex", "0"),
            ("count", "25"),
            ("sortBy", "externalId"),
            ("sortOrder", "descending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_subscription(&page.resources[0], "sub1");

    next_phase(&h.server).await;
    mock("GET", "/subscription")
        .respond_with(error_response(
            403,
            "Client does not have required permission SUBSCRIPTION_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_list()
        .sort_order(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("sortOrder", "ascending")]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission SUBSCRIPTION_VIEW.",
        "subscription_list",
    );
}

/// subscription_create: POST /subscription -> 201
#[tokio::test]
async fn subscription_create() {
    let h = harness().await;
    mock("POST", "/subscription")
        .and(body_json(new_subscription_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(subscription_json("sub1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .subscription_create()
        .body(new_subscription())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_subscription_json());
    // Period start is the JSON key "from"; read-only fields are not sent.
    assert_eq!(sent["periods"][0]["from"], "2024-01-01T00:00:00Z");
    assert!(sent.get("active").is_none() && sent.get("nsCode").is_none());
    assert_subscription(&created, "sub1");

    next_phase(&h.server).await;
    mock("POST", "/subscription")
        .respond_with(error_response(400, "subscriberId is required"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_create()
        .body(types::Subscription {
            type_: Some("monthly".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        json!({"type": "monthly"})
    );
    assert_error(
        err.into(),
        400,
        "subscriberId is required",
        "subscription_create",
    );
}

/// subscription_get: GET /subscription/{subscriptionId}
#[tokio::test]
async fn subscription_get() {
    let h = harness().await;
    mock("GET", "/subscription/sub1")
        .respond_with(ResponseTemplate::new(200).set_body_json(subscription_json("sub1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let subscription = h
        .api
        .subscription_get()
        .subscription_id("sub1")
        .send()
        .await
        .unwrap();
    assert_eq!(subscription.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_subscription(&subscription, "sub1");
    assert_eq!(subscription.terminated, None);

    next_phase(&h.server).await;
    mock("GET", "/subscription/nope")
        .respond_with(error_response(404, "Subscription not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_get()
        .subscription_id("nope")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Subscription not found",
        "subscription_get",
    );
}

/// subscription_update: PUT /subscription/{subscriptionId}
#[tokio::test]
async fn subscription_update() {
    let h = harness().await;
    let update = types::Subscription {
        id: Some("sub1".into()),
        terminated: Some(ts("2024-12-31T22:00:00Z")),
        periods: None,
        ..new_subscription()
    };
    let mut expected_body = with(
        new_subscription_json(),
        json!({"id": "sub1", "terminated": "2024-12-31T22:00:00Z"}),
    );
    expected_body.as_object_mut().unwrap().remove("periods");
    mock("PUT", "/subscription/sub1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(subscription_json("sub1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .subscription_update()
        .subscription_id("sub1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_subscription(&updated, "sub1");

    next_phase(&h.server).await;
    mock("PUT", "/subscription/sub1")
        .respond_with(error_response(409, "subscriberId cannot be changed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_update()
        .subscription_id("sub1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "subscriberId cannot be changed",
        "subscription_update",
    );
}

/// subscription_period_create: POST /subscription/{subscriptionId}/period -> 201
#[tokio::test]
async fn subscription_period_create() {
    let h = harness().await;
    mock("POST", "/subscription/sub1/period")
        .and(body_json(new_period_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(period_json("per1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .subscription_period_create()
        .subscription_id("sub1")
        .body(new_period())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_period_json());
    assert!(sent.get("startTime").is_none(), "{sent}");
    assert_period(&created, "per1");

    next_phase(&h.server).await;
    mock("POST", "/subscription/sub1/period")
        .respond_with(error_response(400, "Period until is before from"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_period_create()
        .subscription_id("sub1")
        .body(new_period())
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        400,
        "Period until is before from",
        "subscription_period_create",
    );
}

/// subscription_period_get: GET /subscription/{subscriptionId}/period/{periodId}
#[tokio::test]
async fn subscription_period_get() {
    let h = harness().await;
    mock("GET", "/subscription/sub1/period/per1")
        .respond_with(ResponseTemplate::new(200).set_body_json(period_json("per1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let period = h
        .api
        .subscription_period_get()
        .subscription_id("sub1")
        .period_id("per1")
        .send()
        .await
        .unwrap();
    assert_eq!(period.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_period(&period, "per1");

    next_phase(&h.server).await;
    mock("GET", "/subscription/sub1/period/per9")
        .respond_with(error_response(404, "Period not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_period_get()
        .subscription_id("sub1")
        .period_id("per9")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        404,
        "Period not found",
        "subscription_period_get",
    );
}

/// subscription_period_update: PUT /subscription/{subscriptionId}/period/{periodId}
#[tokio::test]
async fn subscription_period_update() {
    let h = harness().await;
    let update = types::Period {
        id: Some("per1".into()),
        until: Some(ts("2024-03-01T00:00:00Z")),
        ..new_period()
    };
    let expected_body = with(
        new_period_json(),
        json!({"id": "per1", "until": "2024-03-01T00:00:00Z"}),
    );
    mock("PUT", "/subscription/sub1/period/per1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(period_json("per1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .subscription_period_update()
        .subscription_id("sub1")
        .period_id("per1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_period(&updated, "per1");

    next_phase(&h.server).await;
    mock("PUT", "/subscription/sub1/period/per1")
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_period_update()
        .subscription_id("sub1")
        .period_id("per1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        500,
        "Internal server error",
        "subscription_period_update",
    );
}

/// subscription_terminate: POST /subscription/{subscriptionId}/terminate?WHEN (set with `.when`)
#[tokio::test]
async fn subscription_terminate() {
    let h = harness().await;
    let terminated = with(
        subscription_json("sub1"),
        json!({"terminated": "2024-12-31T22:00:00.000Z", "active": false}),
    );
    mock("POST", "/subscription/sub1/terminate")
        .and(query_param("WHEN", "2024-12-31T22:00:00Z"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&terminated))
        .expect(1)
        .mount(&h.server)
        .await;
    let subscription = h
        .api
        .subscription_terminate()
        .subscription_id("sub1")
        .when("2024-12-31T22:00:00Z")
        .send()
        .await
        .unwrap();
    assert_eq!(subscription.status().as_u16(), 200);
    let request = only_request(&h.server, &[("WHEN", "2024-12-31T22:00:00Z")]).await;
    assert_no_body(&request);
    assert!(request.url.query_pairs().all(|(k, _)| k != "when"));
    assert_eq!(subscription.id.as_deref(), Some("sub1"));
    assert_eq!(subscription.active, Some(false));
    assert_eq!(
        rfc3339(subscription.terminated),
        "2024-12-31T22:00:00+00:00"
    );
    assert_eq!(subscription.periods.as_ref().map(Vec::len), Some(1));

    // Without a time: no query at all (the server terminates now).
    next_phase(&h.server).await;
    mock("POST", "/subscription/sub1/terminate")
        .respond_with(error_response(409, "Subscription is already terminated"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .subscription_terminate()
        .subscription_id("sub1")
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[]).await;
    assert_error(
        err.into(),
        409,
        "Subscription is already terminated",
        "subscription_terminate",
    );
}

// ---------------------------------------------------------------------------------------------
// wallets
// ---------------------------------------------------------------------------------------------

/// wallet_list: GET /wallet?filter&startIndex&count&sortBy&ascending (wallets take `ascending`)
#[tokio::test]
async fn wallet_list() {
    let h = harness().await;
    let filter = r#"currency eq "EUR""#;
    mock("GET", "/wallet")
        .and(query_param("ascending", "descending"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            1,
            0,
            vec![wallet_json("w1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    let page = h
        .api
        .wallet_list()
        .filter(Filter::eq("currency", "EUR"))
        .start_index(0)
        .count(30)
        .sort_by("name")
        .ascending(types::SortDirection::Descending)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let request = only_request(
        &h.server,
        &[
            ("filter", filter),
            ("startIndex", "0"),
            ("count", "30"),
            ("sortBy", "name"),
            ("ascending", "descending"),
        ],
    )
    .await;
    assert_no_body(&request);
    assert_eq!(page.total_results, Some(1));
    assert_eq!(page.resources.len(), 1);
    assert_wallet(&page.resources[0], "w1");

    next_phase(&h.server).await;
    mock("GET", "/wallet")
        .respond_with(error_response(
            403,
            "Client does not have required permission WALLET_VIEW.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .wallet_list()
        .ascending(types::SortDirection::Ascending)
        .send()
        .await
        .unwrap_err();
    only_request(&h.server, &[("ascending", "ascending")]).await;
    assert_error(
        err.into(),
        403,
        "Client does not have required permission WALLET_VIEW.",
        "wallet_list",
    );
}

/// wallet_create: POST /wallet -> 201
#[tokio::test]
async fn wallet_create() {
    let h = harness().await;
    mock("POST", "/wallet")
        .and(body_json(new_wallet_json()))
        .respond_with(ResponseTemplate::new(201).set_body_json(wallet_json("w1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let created = h
        .api
        .wallet_create()
        .body(new_wallet())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, new_wallet_json());
    // Balance and events are the server's; an unset balance is not sent.
    assert!(sent.get("balance").is_none() && sent.get("events").is_none());
    assert_wallet(&created, "w1");

    next_phase(&h.server).await;
    mock("POST", "/wallet")
        .respond_with(error_response(400, "Unknown currency XXX"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .wallet_create()
        .body(types::Wallet {
            currency: Some("XXX".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        json!({"currency": "XXX"})
    );
    assert_error(err.into(), 400, "Unknown currency XXX", "wallet_create");
}

/// wallet_get: GET /wallet/{walletId}
#[tokio::test]
async fn wallet_get() {
    let h = harness().await;
    mock("GET", "/wallet/w1")
        .respond_with(ResponseTemplate::new(200).set_body_json(wallet_json("w1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let wallet = h.api.wallet_get().wallet_id("w1").send().await.unwrap();
    assert_eq!(wallet.status().as_u16(), 200);
    assert_no_body(&only_request(&h.server, &[]).await);
    assert_wallet(&wallet, "w1");

    next_phase(&h.server).await;
    mock("GET", "/wallet/w9")
        .respond_with(error_response(404, "Wallet not found"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h.api.wallet_get().wallet_id("w9").send().await.unwrap_err();
    assert_error(err.into(), 404, "Wallet not found", "wallet_get");
}

/// wallet_update: PUT /wallet/{walletId}
#[tokio::test]
async fn wallet_update() {
    let h = harness().await;
    let update = types::Wallet {
        id: Some("w1".into()),
        name: Some("Holiday money".into()),
        holder_ids: Some(vec!["u1".into()]),
        ..new_wallet()
    };
    let expected_body = with(
        new_wallet_json(),
        json!({"id": "w1", "name": "Holiday money", "holderIds": ["u1"]}),
    );
    mock("PUT", "/wallet/w1")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(200).set_body_json(wallet_json("w1")))
        .expect(1)
        .mount(&h.server)
        .await;
    let updated = h
        .api
        .wallet_update()
        .wallet_id("w1")
        .body(update.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);
    assert_wallet(&updated, "w1");

    next_phase(&h.server).await;
    mock("PUT", "/wallet/w1")
        .respond_with(error_response(409, "Wallet currency cannot be changed"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .wallet_update()
        .wallet_id("w1")
        .body(update)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Wallet currency cannot be changed",
        "wallet_update",
    );
}

/// wallet_delete: DELETE /wallet/{walletId} -> 204
#[tokio::test]
async fn wallet_delete() {
    let h = harness().await;
    mock("DELETE", "/wallet/w1")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h.api.wallet_delete().wallet_id("w1").send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_no_body(&only_request(&h.server, &[]).await);

    next_phase(&h.server).await;
    mock("DELETE", "/wallet/w1")
        .respond_with(error_response(409, "Wallet balance is not zero"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .wallet_delete()
        .wallet_id("w1")
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Wallet balance is not zero",
        "wallet_delete",
    );
}

/// wallet_deposit: POST /wallet/{walletId}/deposit with a Transaction -> 204
#[tokio::test]
async fn wallet_deposit() {
    let h = harness().await;
    let expected_body = json!({"amount": "20.00", "currency": "EUR", "message": "Top-up"});
    mock("POST", "/wallet/w1/deposit")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deposit = types::Transaction {
        amount: Some("20.00".into()),
        currency: Some("EUR".into()),
        message: Some("Top-up".into()),
        transfer_to: None,
    };
    let done = h
        .api
        .wallet_deposit()
        .wallet_id("w1")
        .body(deposit.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent, expected_body);
    // The amount stays a decimal string, exactly as given.
    assert_eq!(sent["amount"], json!("20.00"));

    next_phase(&h.server).await;
    mock("POST", "/wallet/w1/deposit")
        .respond_with(error_response(
            403,
            "Client does not have required permission WALLET_DEPOSIT.",
        ))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .wallet_deposit()
        .wallet_id("w1")
        .body(deposit)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        403,
        "Client does not have required permission WALLET_DEPOSIT.",
        "wallet_deposit",
    );
}

/// wallet_transfer: POST /wallet/{walletId}/transfer with a Transaction (transferTo) -> 204
#[tokio::test]
async fn wallet_transfer() {
    let h = harness().await;
    let expected_body = json!({
        "amount": "7.50",
        "currency": "EUR",
        "message": "Ticket share",
        "transferTo": "w2"
    });
    mock("POST", "/wallet/w1/transfer")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let transfer = types::Transaction {
        amount: Some("7.50".into()),
        currency: Some("EUR".into()),
        message: Some("Ticket share".into()),
        transfer_to: Some("w2".into()),
    };
    let done = h
        .api
        .wallet_transfer()
        .wallet_id("w1")
        .body(transfer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("POST", "/wallet/w1/transfer")
        .respond_with(error_response(409, "Target wallet currency does not match"))
        .expect(1)
        .mount(&h.server)
        .await;
    let err = h
        .api
        .wallet_transfer()
        .wallet_id("w1")
        .body(transfer)
        .send()
        .await
        .unwrap_err();
    assert_error(
        err.into(),
        409,
        "Target wallet currency does not match",
        "wallet_transfer",
    );
}

/// wallet_withdraw: POST /wallet/{walletId}/withdraw with a Transaction -> 204
#[tokio::test]
async fn wallet_withdraw() {
    let h = harness().await;
    let expected_body = json!({"amount": "5", "currency": "EUR", "message": "Cash out"});
    mock("POST", "/wallet/w1/withdraw")
        .and(body_json(&expected_body))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let withdrawal = types::Transaction {
        amount: Some("5".into()),
        currency: Some("EUR".into()),
        message: Some("Cash out".into()),
        transfer_to: None,
    };
    let done = h
        .api
        .wallet_withdraw()
        .wallet_id("w1")
        .body(withdrawal)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status().as_u16(), 204);
    assert_eq!(json_of(&only_request(&h.server, &[]).await), expected_body);

    next_phase(&h.server).await;
    mock("POST", "/wallet/w1/withdraw")
        .respond_with(error_response(402, "Insufficient funds"))
        .expect(1)
        .mount(&h.server)
        .await;
    let too_much = types::Transaction {
        amount: Some("1000000.00".into()),
        currency: Some("EUR".into()),
        ..Default::default()
    };
    let err = h
        .api
        .wallet_withdraw()
        .wallet_id("w1")
        .body(too_much)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        json_of(&only_request(&h.server, &[]).await),
        json!({"amount": "1000000.00", "currency": "EUR"})
    );
    assert_error(err.into(), 402, "Insufficient funds", "wallet_withdraw");
}

// ---------------------------------------------------------------------------------------------
// Paging: every list operation of these tags streams across pages
// ---------------------------------------------------------------------------------------------

/// Serves `total` items made by `item` (ids `{prefix}{i}`), honouring startIndex/count.
struct Pages {
    total: usize,
    prefix: &'static str,
    item: fn(&str) -> Value,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.parse::<usize>().expect("a number"))
        };
        let start = q("startIndex").unwrap_or(0);
        let count = q("count").unwrap_or(100);
        let end = (start + count).min(self.total);
        let resources = (start.min(end)..end)
            .map(|i| (self.item)(&format!("{}{i}", self.prefix)))
            .collect();
        ResponseTemplate::new(200).set_body_json(page_json(self.total, start, resources))
    }
}

/// Streams `request` (a list builder with its parameters set) over a server holding three
/// items: with `page_size(2)` it takes two requests, `startIndex=0&count=2` then
/// `startIndex=2&count=2`, each still carrying `query`; with the default `.items()` one request
/// with `count=100`. Items come back in order, none twice.
async fn streams_across_pages<'a, R>(
    h: &Harness,
    operation: &str,
    api_path: &str,
    pages: Pages,
    request: R,
    query: &[(&str, &str)],
) where
    R: PagedRequest + 'a,
    R::Item: serde::Serialize,
{
    let (prefix, item) = (pages.prefix, pages.item);
    let expected_ids: Vec<String> = (0..3).map(|i| format!("{prefix}{i}")).collect();
    let id_of = |item: R::Item| {
        serde_json::to_value(&item).expect("serializable")["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    };
    mock("GET", api_path)
        .respond_with(pages)
        .mount(&h.server)
        .await;

    let ids: Vec<String> = request
        .clone()
        .paginate()
        .page_size(2)
        .items()
        .map_ok(id_of)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"));
    assert_eq!(ids, expected_ids, "{operation}: items of two pages");
    let all = requests(&h.server).await;
    assert_eq!(all.len(), 2, "{operation}: two requests");
    for (request, start) in all.iter().zip(["0", "2"]) {
        assert_eq!(request.url.path(), format!("/api/rest/v1{api_path}"));
        let mut expected = query.to_vec();
        expected.extend([("startIndex", start), ("count", "2")]);
        assert_query(request, &expected);
    }

    // The default page size: one short page ends the stream.
    h.server.reset().await;
    mock("GET", api_path)
        .respond_with(Pages {
            total: 3,
            prefix,
            item,
        })
        .mount(&h.server)
        .await;
    let ids: Vec<String> = request
        .items()
        .map_ok(id_of)
        .try_collect()
        .await
        .unwrap_or_else(|e| panic!("{operation}: {e}"));
    assert_eq!(ids, expected_ids, "{operation}: items of one page");
    let all = requests(&h.server).await;
    assert_eq!(all.len(), 1, "{operation}: one request");
    let mut expected = query.to_vec();
    expected.extend([("startIndex", "0"), ("count", "100")]);
    assert_query(&all[0], &expected);
}

/// The item fixture served at `api_path`.
fn pages_item(api_path: &str) -> fn(&str) -> Value {
    match api_path {
        "/products/catalog" => catalog_json,
        "/products/pricingplan" => pricing_plan_json,
        "/products/product" => product_json,
        "/sales/catalog" => sales_catalog_json,
        "/sales/pricingplan" => sales_pricing_plan_json,
        "/sales/product" => sales_product_json,
        "/subscription" => subscription_json,
        "/wallet" => wallet_json,
        "/user/u1/paycard" => paycard_json,
        "/user/u1/paycard/card1/pantoken" => pantoken_json,
        other => panic!("no fixture for {other}"),
    }
}

fn three(api_path: &str, prefix: &'static str) -> Pages {
    Pages {
        total: 3,
        prefix,
        item: pages_item(api_path),
    }
}

#[tokio::test]
async fn catalog_list_streams_across_pages() {
    let h = harness().await;
    let request = h
        .api
        .catalog_list()
        .merge_product_details(true)
        .sort_by("name")
        .sort_order(types::SortDirection::Ascending);
    streams_across_pages(
        &h,
        "catalog_list",
        "/products/catalog",
        three("/products/catalog", "cat"),
        request,
        &[
            ("mergeProductDetails", "true"),
            ("sortBy", "name"),
            ("sortOrder", "ascending"),
        ],
    )
    .await;
}

#[tokio::test]
async fn pricingplan_list_streams_across_pages() {
    let h = harness().await;
    let request = h.api.pricingplan_list().filter(Filter::eq("enabled", true));
    streams_across_pages(
        &h,
        "pricingplan_list",
        "/products/pricingplan",
        three("/products/pricingplan", "pp"),
        request,
        &[("filter", "enabled eq true")],
    )
    .await;
}

#[tokio::test]
async fn product_list_streams_across_pages() {
    let h = harness().await;
    let request = h
        .api
        .product_list()
        .sort_by("sku")
        .sort_order(types::SortDirection::Descending);
    streams_across_pages(
        &h,
        "product_list",
        "/products/product",
        three("/products/product", "prod"),
        request,
        &[("sortBy", "sku"), ("sortOrder", "descending")],
    )
    .await;
}

#[tokio::test]
async fn sales_catalog_list_streams_across_pages() {
    let h = harness().await;
    let request = h.api.sales_catalog_list().merge_product_details(false);
    streams_across_pages(
        &h,
        "sales_catalog_list",
        "/sales/catalog",
        three("/sales/catalog", "scat"),
        request,
        &[("mergeProductDetails", "false")],
    )
    .await;
}

#[tokio::test]
async fn sales_pricingplan_list_streams_across_pages() {
    let h = harness().await;
    let request = h.api.sales_pricingplan_list();
    streams_across_pages(
        &h,
        "sales_pricingplan_list",
        "/sales/pricingplan",
        three("/sales/pricingplan", "spp"),
        request,
        &[],
    )
    .await;
}

#[tokio::test]
async fn sales_product_list_streams_across_pages() {
    let h = harness().await;
    let request = h
        .api
        .sales_product_list()
        .filter(Filter::eq("provider", "Acme Transit"));
    streams_across_pages(
        &h,
        "sales_product_list",
        "/sales/product",
        three("/sales/product", "sp"),
        request,
        &[("filter", r#"provider eq "Acme Transit""#)],
    )
    .await;
}

#[tokio::test]
async fn subscription_list_streams_across_pages() {
    let h = harness().await;
    let request = h
        .api
        .subscription_list()
        .filter(Filter::eq("subscriberId", "u1"))
        .sort_order(types::SortDirection::Descending);
    streams_across_pages(
        &h,
        "subscription_list",
        "/subscription",
        three("/subscription", "sub"),
        request,
        &[
            ("filter", r#"subscriberId eq "u1""#),
            ("sortOrder", "descending"),
        ],
    )
    .await;
}

#[tokio::test]
async fn wallet_list_streams_across_pages() {
    let h = harness().await;
    let request = h
        .api
        .wallet_list()
        .sort_by("name")
        .ascending(types::SortDirection::Ascending);
    streams_across_pages(
        &h,
        "wallet_list",
        "/wallet",
        three("/wallet", "w"),
        request,
        &[("sortBy", "name"), ("ascending", "ascending")],
    )
    .await;
}

#[tokio::test]
async fn paycard_list_streams_across_pages() {
    let h = harness().await;
    let request = h
        .api
        .paycard_list()
        .user_id("u1")
        .filter(Filter::eq("state", "ACTIVE"));
    streams_across_pages(
        &h,
        "paycard_list",
        "/user/u1/paycard",
        three("/user/u1/paycard", "card"),
        request,
        &[("filter", r#"state eq "ACTIVE""#)],
    )
    .await;
}

#[tokio::test]
async fn paycard_pantoken_list_streams_across_pages() {
    let h = harness().await;
    let request = h.api.paycard_pantoken_list().user_id("u1").card_id("card1");
    streams_across_pages(
        &h,
        "paycard_pantoken_list",
        "/user/u1/paycard/card1/pantoken",
        three("/user/u1/paycard/card1/pantoken", "tok"),
        request,
        &[],
    )
    .await;
}

#[tokio::test]
async fn a_failing_second_page_ends_the_stream_with_that_error() {
    let h = harness().await;
    mock("GET", "/wallet")
        .and(query_param("startIndex", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page_json(
            4,
            0,
            vec![wallet_json("w0"), wallet_json("w1")],
        )))
        .expect(1)
        .mount(&h.server)
        .await;
    mock("GET", "/wallet")
        .and(query_param("startIndex", "2"))
        .respond_with(error_response(500, "Internal server error"))
        .expect(1)
        .mount(&h.server)
        .await;
    let mut stream = h.api.wallet_list().paginate().page_size(2).items();
    let first = stream.try_next().await.unwrap().expect("w0");
    assert_eq!(first.id.as_deref(), Some("w0"));
    let second = stream.try_next().await.unwrap().expect("w1");
    assert_eq!(second.id.as_deref(), Some("w1"));
    let err = stream.try_next().await.unwrap_err();
    assert_error(err, 500, "Internal server error", "wallet_list");
}

#[tokio::test]
async fn a_list_that_ignores_start_index_is_stopped_not_repeated() {
    let h = harness().await;
    // The server answers every request with the first page.
    mock("GET", "/subscription")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "totalResults": 4,
            "itemsPerPage": 2,
            "resources": [subscription_json("sub0"), subscription_json("sub1")]
        })))
        .mount(&h.server)
        .await;
    let results: Vec<_> = h
        .api
        .subscription_list()
        .paginate()
        .page_size(2)
        .items()
        .collect()
        .await;
    assert_eq!(results.len(), 3, "two items, then the error: {results:?}");
    assert!(results[0].is_ok() && results[1].is_ok());
    let err = results.into_iter().nth(2).unwrap().unwrap_err();
    let api = err.as_api().expect("an ApiError");
    assert_eq!(api.kind(), ApiErrorKind::Protocol);
    assert_eq!(api.operation(), Some("subscription_list"));
    assert_eq!(requests(&h.server).await.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Paycard numbers
// ---------------------------------------------------------------------------------------------

/// A paycard's number (PAN) is model data: it decodes exactly as the server sent it and a
/// read-modify-write sends it back exactly, as a JSON string.
#[tokio::test]
async fn paycard_number_round_trips_exactly() {
    let h = harness().await;
    // A 19-digit number with a leading zero would not survive any numeric handling.
    let pan = "0604123456789012345";
    let served = with(paycard_json("card1"), json!({"cardNumber": pan}));
    mock("GET", "/user/u1/paycard/card1")
        .respond_with(ResponseTemplate::new(200).set_body_json(&served))
        .expect(1)
        .mount(&h.server)
        .await;
    let card = h
        .api
        .paycard_get()
        .user_id("u1")
        .card_id("card1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(card.card_number.as_deref(), Some(pan));

    next_phase(&h.server).await;
    mock("PUT", "/user/u1/paycard/card1")
        .respond_with(ResponseTemplate::new(200).set_body_json(&served))
        .expect(1)
        .mount(&h.server)
        .await;
    let renamed = types::Paycard {
        name: Some("Renamed".into()),
        ..card
    };
    let updated = h
        .api
        .paycard_update()
        .user_id("u1")
        .card_id("card1")
        .body(renamed)
        .send()
        .await
        .unwrap();
    let sent = json_of(&only_request(&h.server, &[]).await);
    assert_eq!(sent["cardNumber"], Value::String(pan.to_owned()));
    assert_eq!(sent["leadingDigits"], "411111");
    assert_eq!(sent["lastDigits"], "1111");
    assert_eq!(sent["name"], "Renamed");
    assert_eq!(updated.card_number.as_deref(), Some(pan));

    // And the fixture's number through list paging.
    next_phase(&h.server).await;
    mock("GET", "/user/u1/paycard")
        .respond_with(three("/user/u1/paycard", "card"))
        .mount(&h.server)
        .await;
    let cards: Vec<types::Paycard> = h
        .api
        .paycard_list()
        .user_id("u1")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(cards.len(), 3);
    assert!(cards.iter().all(|c| c.card_number.as_deref() == Some(PAN)));
}

// ---------------------------------------------------------------------------------------------
// Cross-cutting: array query values, nested path ids, money movements are sent once
// ---------------------------------------------------------------------------------------------

/// Array parameters are one key per value, each value encoded whole (a comma or `&` does not
/// split it); an empty array sends no key at all.
#[tokio::test]
async fn array_query_values_are_repeated_keys_encoded_whole() {
    let h = harness().await;
    mock("GET", "/sales/products/catalog/cat1")
        .respond_with(ResponseTemplate::new(200).set_body_json(catalog_details_json("cat1")))
        .expect(2)
        .mount(&h.server)
        .await;
    h.api
        .sales_products_catalog_get()
        .catalog_id("cat1")
        .customer_segment(vec![
            "a,b".to_owned(),
            "students & staff".to_owned(),
            "x=y#z".to_owned(),
        ])
        .code(vec!["C+1".to_owned()])
        .send()
        .await
        .unwrap();
    h.api
        .sales_products_catalog_get()
        .catalog_id("cat1")
        .customer_segment(Vec::<String>::new())
        .code(Vec::<String>::new())
        .send()
        .await
        .unwrap();
    let all = requests(&h.server).await;
    assert_eq!(all.len(), 2);
    assert_query(
        &all[0],
        &[
            ("customerSegment", "a,b"),
            ("customerSegment", "students & staff"),
            ("customerSegment", "x=y#z"),
            ("code", "C+1"),
        ],
    );
    assert_eq!(
        query_values(&all[0], "customerSegment"),
        vec!["a,b", "students & staff", "x=y#z"]
    );
    assert_query(&all[1], &[]);
}

/// Every id of a nested paycard path is one encoded segment; `.`/`..`/empty ids are refused
/// before anything is sent.
#[tokio::test]
async fn nested_paycard_ids_are_encoded_segments_and_dot_ids_are_refused() {
    let h = harness().await;
    mock("DELETE", "/user/a%2Fb/paycard/..%2Fc%3Fd/pantoken/t%20%23")
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&h.server)
        .await;
    let deleted = h
        .api
        .paycard_pantoken_delete()
        .user_id("a/b")
        .card_id("../c?d")
        .token_id("t #")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    assert_query(&only_request(&h.server, &[]).await, &[]);

    next_phase(&h.server).await;
    for (user, card) in [("u1", ".."), ("..", "card1"), ("u1", "."), ("", "card1")] {
        let err = h
            .api
            .paycard_get()
            .user_id(user)
            .card_id(card)
            .send()
            .await
            .unwrap_err();
        let err = trivoreid::Error::from(err);
        assert!(
            matches!(err, trivoreid::Error::Sdk(_)),
            "{user:?}/{card:?}: expected an SdkError, got {err:?}"
        );
        assert!(err.to_string().contains("paycard_get"), "{err}");
    }
    assert!(requests(&h.server).await.is_empty());
}

/// A deposit, withdrawal or transfer that reached the server is never sent again, even on a
/// status other requests are retried on: there are no idempotency keys, it may have moved money.
#[tokio::test]
async fn money_movements_are_not_resent_after_a_transient_status() {
    let h = harness().await;
    for action in ["deposit", "withdraw", "transfer"] {
        mock("POST", &format!("/wallet/w1/{action}"))
            .respond_with(error_response(503, "Service unavailable"))
            .expect(1)
            .mount(&h.server)
            .await;
    }
    let transaction = types::Transaction {
        amount: Some("1.00".into()),
        currency: Some("EUR".into()),
        transfer_to: Some("w2".into()),
        ..Default::default()
    };
    let deposit = h
        .api
        .wallet_deposit()
        .wallet_id("w1")
        .body(transaction.clone())
        .send()
        .await
        .unwrap_err();
    assert_error(deposit.into(), 503, "Service unavailable", "wallet_deposit");
    let withdraw = h
        .api
        .wallet_withdraw()
        .wallet_id("w1")
        .body(transaction.clone())
        .send()
        .await
        .unwrap_err();
    assert_error(
        withdraw.into(),
        503,
        "Service unavailable",
        "wallet_withdraw",
    );
    let transfer = h
        .api
        .wallet_transfer()
        .wallet_id("w1")
        .body(transaction)
        .send()
        .await
        .unwrap_err();
    assert_error(
        transfer.into(),
        503,
        "Service unavailable",
        "wallet_transfer",
    );
    assert_eq!(requests(&h.server).await.len(), 3, "each sent once");
}
