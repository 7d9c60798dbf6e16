//! Paging: one page, every page, every item; stops on totalResults, empty and short pages; never
//! loops on a server that ignores startIndex.
mod common;

use common::*;
use trivoreid::prelude::*;
use trivoreid::{ApiErrorKind, Error, SdkError};
use wiremock::matchers::query_param;
use wiremock::{Request, Respond, ResponseTemplate};

/// Serves `total` users in pages, honouring startIndex/count (or not).
struct Users {
    total: usize,
    report_total: bool,
    honour_start: bool,
    report_start: bool,
}

impl Respond for Users {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.parse::<usize>().unwrap())
        };
        let start = if self.honour_start {
            q("startIndex").unwrap_or(0)
        } else {
            0
        };
        let count = q("count").unwrap_or(100);
        let end = (start + count).min(self.total);
        let resources: Vec<_> = (start.min(end)..end)
            .map(|i| user_json(&format!("u{i}")))
            .collect();
        let mut body = serde_json::json!({"itemsPerPage": resources.len(), "resources": resources});
        if self.report_total {
            body["totalResults"] = self.total.into();
        }
        if self.report_start {
            body["startIndex"] = start.into();
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn serve(h: &Harness, users: Users) {
    mock("GET", "/user")
        .respond_with(users)
        .mount(&h.server)
        .await;
}

async fn request_starts(h: &Harness) -> Vec<(String, String)> {
    h.server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let get = |k: &str| {
                r.url
                    .query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (get("startIndex"), get("count"))
        })
        .collect()
}

#[tokio::test]
async fn items_stream_across_pages_and_stop_at_total() {
    for prefetch in [false, true] {
        let h = harness().await;
        serve(
            &h,
            Users {
                total: 250,
                report_total: true,
                honour_start: true,
                report_start: true,
            },
        )
        .await;
        let users: Vec<_> = h
            .api
            .user_list()
            .paginate()
            .prefetch(prefetch)
            .items()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(users.len(), 250);
        let ids: Vec<_> = users.iter().map(|u| u.id.clone().unwrap()).collect();
        let expected: Vec<_> = (0..250).map(|i| format!("u{i}")).collect();
        assert_eq!(ids, expected, "in order, once each (prefetch {prefetch})");
        // 100 + 100 + 50: the short third page ends it, no fourth request.
        assert_eq!(
            request_starts(&h).await,
            vec![
                ("0".into(), "100".into()),
                ("100".into(), "100".into()),
                ("200".into(), "100".into())
            ],
            "prefetch {prefetch}"
        );
    }
}

/// With `prefetch(true)` the next page is requested while the current one is consumed; without
/// it, only when the current one is used up. Pages, in either mode, arrive whole and in order.
#[tokio::test]
async fn prefetch_requests_the_next_page_while_the_current_one_is_consumed() {
    for prefetch in [false, true] {
        let h = harness().await;
        serve(
            &h,
            Users {
                total: 25,
                report_total: true,
                honour_start: true,
                report_start: true,
            },
        )
        .await;
        let mut items = h
            .api
            .user_list()
            .paginate()
            .page_size(10)
            .prefetch(prefetch)
            .items();
        // The first page, consumed slowly: the stream is polled once per item.
        for i in 0..10 {
            let user = items.try_next().await.unwrap().unwrap();
            assert_eq!(user.id, Some(format!("u{i}")));
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let sent = request_starts(&h).await;
        if prefetch {
            assert_eq!(sent.len(), 2, "page 2 asked for during page 1: {sent:?}");
            assert_eq!(sent[1], ("10".into(), "10".into()));
        } else {
            assert_eq!(sent.len(), 1, "page 2 only when asked for: {sent:?}");
        }
        let rest: Vec<_> = items.try_collect().await.unwrap();
        assert_eq!(rest.len(), 15);
        assert_eq!(rest[14].id.as_deref(), Some("u24"));
        assert_eq!(request_starts(&h).await.len(), 3, "prefetch {prefetch}");
    }
}

/// Dropping a prefetching stream early costs at most the one page it asked for ahead.
#[tokio::test]
async fn a_dropped_prefetching_stream_asks_for_at_most_one_page_ahead() {
    let h = harness().await;
    serve(
        &h,
        Users {
            total: 1000,
            report_total: true,
            honour_start: true,
            report_start: true,
        },
    )
    .await;
    let first: Vec<_> = h
        .api
        .user_list()
        .paginate()
        .page_size(10)
        .prefetch(true)
        .items()
        .take(15)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 15);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let sent = request_starts(&h).await;
    assert!(sent.len() <= 3, "{sent:?}");
}

#[tokio::test]
async fn exact_multiple_stops_on_total_without_an_extra_request() {
    for prefetch in [false, true] {
        let h = harness().await;
        serve(
            &h,
            Users {
                total: 40,
                report_total: true,
                honour_start: true,
                report_start: true,
            },
        )
        .await;
        let pages: Vec<_> = h
            .api
            .user_list()
            .paginate()
            .page_size(20)
            .prefetch(prefetch)
            .pages()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(request_starts(&h).await.len(), 2, "prefetch {prefetch}");
    }
}

#[tokio::test]
async fn without_total_an_empty_page_ends_the_stream() {
    let h = harness().await;
    serve(
        &h,
        Users {
            total: 40,
            report_total: false,
            honour_start: true,
            report_start: false,
        },
    )
    .await;
    let users: Vec<_> = h
        .api
        .user_list()
        .paginate()
        .page_size(20)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 40);
    // 20, 20, then an empty page: three requests.
    assert_eq!(request_starts(&h).await.len(), 3);
}

#[tokio::test]
async fn filter_and_start_index_are_kept_on_every_page() {
    let h = harness().await;
    mock("GET", "/user")
        .and(query_param("filter", r#"nsCode eq "acme""#))
        .respond_with(Users {
            total: 30,
            report_total: true,
            honour_start: true,
            report_start: true,
        })
        .expect(2)
        .mount(&h.server)
        .await;
    let users: Vec<_> = h
        .api
        .user_list()
        .filter(trivoreid::Filter::eq("nsCode", "acme"))
        .paginate()
        .start_index(10)
        .page_size(10)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 20);
    assert_eq!(users[0].id.as_deref(), Some("u10"));
}

#[tokio::test]
async fn a_server_that_ignores_start_index_is_an_error_not_a_loop() {
    for (report_start, prefetch) in [(true, false), (false, false), (true, true), (false, true)] {
        let h = harness().await;
        serve(
            &h,
            Users {
                total: 1000,
                report_total: true,
                honour_start: false,
                report_start,
            },
        )
        .await;
        let mut items = h
            .api
            .user_list()
            .paginate()
            .page_size(10)
            .prefetch(prefetch)
            .items();
        let mut seen = 0;
        let err = loop {
            match items.try_next().await {
                Ok(Some(_)) => seen += 1,
                Ok(None) => panic!("the stream ended as if complete"),
                Err(e) => break e,
            }
        };
        assert_eq!(seen, 10, "the first page is served, no duplicates");
        let api = err.as_api().expect("an ApiError");
        assert_eq!(api.kind(), ApiErrorKind::Protocol);
        assert_eq!(api.operation(), Some("user_list"));
        assert!(err.to_string().contains("startIndex"), "{err}");
        assert_eq!(request_starts(&h).await.len(), 2);
    }
}

#[tokio::test]
async fn an_error_page_ends_the_stream_with_the_error() {
    for prefetch in [false, true] {
        let h = harness().await;
        mock("GET", "/user")
            .and(query_param("startIndex", "0"))
            .respond_with(Users {
                total: 30,
                report_total: true,
                honour_start: true,
                report_start: true,
            })
            .mount(&h.server)
            .await;
        mock("GET", "/user")
            .and(query_param("startIndex", "10"))
            .respond_with(error_response(503, "Maintenance"))
            .mount(&h.server)
            .await;
        let results: Vec<Result<_, Error>> = h
            .api
            .user_list()
            .paginate()
            .page_size(10)
            .prefetch(prefetch)
            .items()
            .collect()
            .await;
        assert_eq!(results.len(), 11, "prefetch {prefetch}");
        assert!(results[..10].iter().all(Result::is_ok));
        let err = results.into_iter().last().unwrap().unwrap_err();
        assert_api_error(err, 503, "Maintenance", "user_list");
    }
}

#[tokio::test]
async fn page_sizes_outside_1_to_500_are_sdk_errors_before_any_request() {
    let h = harness().await;
    for size in [0, -1, 501] {
        let first = h
            .api
            .user_list()
            .paginate()
            .page_size(size)
            .items()
            .next()
            .await
            .unwrap();
        match first {
            Err(Error::Sdk(SdkError::InvalidArgument { name, .. })) => {
                assert_eq!(name, "page_size")
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }
    assert!(h.server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn page_fetches_one_page_with_the_builder_range() {
    let h = harness().await;
    serve(
        &h,
        Users {
            total: 30,
            report_total: true,
            honour_start: true,
            report_start: true,
        },
    )
    .await;
    let page = h
        .api
        .user_list()
        .start_index(5)
        .count(3)
        .page()
        .await
        .unwrap();
    assert_eq!(page.total_results, Some(30));
    assert_eq!(page.start_index, Some(5));
    assert_eq!(
        page.resources
            .iter()
            .map(|u| u.id.clone().unwrap())
            .collect::<Vec<_>>(),
        ["u5", "u6", "u7"]
    );
}

#[tokio::test]
async fn every_list_operation_pages() {
    // The paging glue is derived from the spec: each list operation streams.
    let h = harness().await;
    for (path, item) in [
        ("/group", serde_json::json!({"id": "g"})),
        ("/namespace", serde_json::json!({"id": "n", "code": "c"})),
        ("/datastorage", serde_json::json!({"id": "d"})),
        ("/emailtemplate", serde_json::json!({"id": "e"})),
        (
            "/user/u1/strongidentification/history",
            serde_json::json!({"personalId": "x"}),
        ),
    ] {
        mock("GET", path)
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "totalResults": 1, "startIndex": 0, "itemsPerPage": 1, "resources": [item]
            })))
            .mount(&h.server)
            .await;
    }
    assert_eq!(
        h.api
            .group_list()
            .items()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.api
            .namespace_list()
            .items()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.api
            .datastorage_list()
            .items()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        h.api
            .emailtemplate_list()
            .items()
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .len(),
        1
    );
    let history = h
        .api
        .user_strongidentification_history_list()
        .user_id("u1")
        .items();
    assert_eq!(history.try_collect::<Vec<_>>().await.unwrap().len(), 1);
}
