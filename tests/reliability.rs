//! Reliability: retries (backoff, cap, `Retry-After`, budget, which methods), timeouts, the
//! tracing span, transport safety (plain http, redirects) and the properties-file warning,
//! proven against a fault-injecting server on loopback (`fault_server`).
//!
//! Every test is bounded in time: calls run under `tokio::time::timeout`, client timeouts are
//! a few hundred milliseconds and backoffs a few milliseconds. No test asserts an exact
//! duration; lower bounds are only asserted where the SDK must wait (`Retry-After`), upper
//! bounds are generous.
mod common;
mod fault_server;

use std::future::Future;
use std::time::{Duration, Instant};

use common::{BASIC, CLIENT_ID, CLIENT_SECRET};
use fault_server::{Fault, FaultServer, Plan, RetryAfter};
use futures::stream::{self, StreamExt as _};
use trivoreid::prelude::*;
use trivoreid::{ApiError, ApiErrorKind, Error, RetryPolicy, SdkError, TrivoreId, types};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Captures what the SDK emits through `tracing` on the current thread.
///
/// One global subscriber (fmt, TRACE, span close events, no timestamps) writes into a
/// thread-local sink that a test switches on with [`capture::start`]. A global subscriber,
/// rather than a scoped `set_default`, because `tracing` caches each callsite's interest
/// process-wide: a sibling test that reaches a callsite first from a thread without a
/// subscriber would cache `never` and blind a scoped subscriber (a known source of flaky
/// tracing tests). `#[tokio::test]` runs a test's futures on its own thread, so the SDK's
/// events land in that test's sink.
mod capture {
    use std::cell::RefCell;
    use std::io;
    use std::sync::{Arc, Mutex, Once};

    use tracing_subscriber::fmt::format::FmtSpan;

    thread_local! {
        static SINK: RefCell<Option<Arc<Mutex<Vec<u8>>>>> = const { RefCell::new(None) };
    }

    struct ThreadWriter;

    impl io::Write for ThreadWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            SINK.with(|sink| {
                if let Some(sink) = &*sink.borrow() {
                    sink.lock().unwrap().extend_from_slice(buf);
                }
            });
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_span_events(FmtSpan::CLOSE)
                .without_time()
                .with_ansi(false)
                .with_writer(|| ThreadWriter)
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber in this test binary");
        });
    }

    /// Output captured on this thread since [`start`]; stops capturing when dropped.
    pub struct Capture {
        sink: Arc<Mutex<Vec<u8>>>,
    }

    pub fn start() -> Capture {
        install();
        let sink = Arc::new(Mutex::new(Vec::new()));
        SINK.with(|s| *s.borrow_mut() = Some(Arc::clone(&sink)));
        Capture { sink }
    }

    impl Capture {
        pub fn text(&self) -> String {
            String::from_utf8_lossy(&self.sink.lock().unwrap()).into_owned()
        }
    }

    impl Drop for Capture {
        fn drop(&mut self) {
            SINK.with(|s| *s.borrow_mut() = None);
        }
    }
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// The documented policy with test-sized backoffs.
fn fast_policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: ms(1),
        max_backoff: ms(20),
        ..RetryPolicy::default()
    }
}

/// A client with Management API credentials, `retry` and a short request timeout.
fn client(server: &str, retry: RetryPolicy, timeout: Duration) -> TrivoreId {
    TrivoreId::builder()
        .server(server)
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .retry(retry)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(2))
        .build()
        .expect("client")
}

/// Runs `f`, failing the test if it takes longer than `limit` (a hang).
async fn bounded<T>(limit: Duration, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, f)
        .await
        .unwrap_or_else(|_| panic!("no answer within {limit:?}: the call hangs"))
}

/// The per-call bound: far above any timeout and backoff used here.
const CALL_BOUND: Duration = Duration::from_secs(10);

async fn get_user(api: &TrivoreId, id: &str) -> Result<types::User, Error> {
    api.user_get()
        .user_id(id)
        .send()
        .await
        .map(|r| r.into_inner())
        .map_err(Error::from)
}

async fn create_group(api: &TrivoreId, name: &str) -> Result<types::Group, Error> {
    let group = types::Group {
        name: Some(name.to_owned()),
        ns_code: Some("acme".to_owned()),
        ..Default::default()
    };
    api.group_create()
        .body(group)
        .send()
        .await
        .map(|r| r.into_inner())
        .map_err(Error::from)
}

async fn update_group(api: &TrivoreId, id: &str) -> Result<types::Group, Error> {
    let group = types::Group {
        name: Some("renamed".to_owned()),
        ..Default::default()
    };
    api.group_update()
        .group_id(id)
        .body(group)
        .send()
        .await
        .map(|r| r.into_inner())
        .map_err(Error::from)
}

async fn delete_group(api: &TrivoreId, id: &str) -> Result<(), Error> {
    api.group_delete()
        .group_id(id)
        .send()
        .await
        .map(|_| ())
        .map_err(Error::from)
}

fn user_path(id: &str) -> String {
    format!("/api/rest/v1/user/{id}")
}

fn group_path(id: &str) -> String {
    format!("/api/rest/v1/group/{id}")
}

const GROUPS: &str = "/api/rest/v1/group";

fn api_error(err: &Error) -> &ApiError {
    err.as_api()
        .unwrap_or_else(|| panic!("expected Error::Api, got {err:?}"))
}

fn status_of(err: &Error) -> Option<u16> {
    err.status().map(|s| s.as_u16())
}

/// The transient faults: each must be retried for an idempotent call.
fn transient_faults() -> Vec<Fault> {
    vec![
        Fault::Drop,
        Fault::Stall,
        Fault::RetryAfter(429, RetryAfter::Seconds(0)),
        Fault::RetryAfter(503, RetryAfter::DateIn(0)),
        Fault::Status(503),
        Fault::Html(502),
        Fault::Status(504),
    ]
}

/// A loopback port with nothing listening (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().unwrap().port()
}

// ---------------------------------------------------------------------------------------------
// (a), (b): idempotent calls through a 30% fault rate
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn idempotent_calls_all_succeed_through_a_30_percent_transient_fault_rate() {
    let server = FaultServer::start(Plan::Random {
        seed: 0x5EED_000A,
        percent: 30,
        faults: transient_faults(),
    })
    .await;
    let api = client(&server.url(), fast_policy(8), ms(300));
    let started = Instant::now();
    let results: Vec<(String, Result<types::User, Error>)> = bounded(
        Duration::from_secs(25),
        stream::iter(0..200)
            .map(|i| {
                let api = &api;
                async move {
                    let id = format!("u{i}");
                    let result = get_user(api, &id).await;
                    (id, result)
                }
            })
            .buffer_unordered(10)
            .collect(),
    )
    .await;
    assert_eq!(results.len(), 200);
    for (id, result) in &results {
        let user = result
            .as_ref()
            .unwrap_or_else(|e| panic!("{id} failed through transient faults: {e:?}"));
        assert_eq!(user.id.as_deref(), Some(id.as_str()));
    }
    // The faults really happened, and every kind of them.
    let faulty = server.total() - 200;
    assert!(
        faulty >= 30,
        "only {faulty} faulty answers among {} requests",
        server.total()
    );
    for name in ["drop", "stall", "retry-after", "status", "html"] {
        assert!(server.injected(name) > 0, "no `{name}` fault was injected");
    }
    eprintln!(
        "200 calls, {} requests, {faulty} faults, {:?}",
        server.total(),
        started.elapsed()
    );
}

#[tokio::test]
async fn with_the_default_policy_most_calls_succeed_and_every_failure_is_typed() {
    assert_eq!(
        RetryPolicy::default(),
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: ms(200),
            max_backoff: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        },
        "the documented defaults"
    );
    let server = FaultServer::start(Plan::Random {
        seed: 0x5EED_000B,
        percent: 30,
        faults: transient_faults(),
    })
    .await;
    // The default policy as documented; only the request timeout is short, for the stalls.
    let api = client(&server.url(), RetryPolicy::default(), ms(300));
    let results: Vec<Result<types::User, Error>> = bounded(
        Duration::from_secs(25),
        stream::iter(0..200)
            .map(|i| {
                let api = &api;
                async move { get_user(api, &format!("u{i}")).await }
            })
            .buffer_unordered(25)
            .collect(),
    )
    .await;
    let failures: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failures.len() <= 40,
        "{} of 200 failed with 3 attempts at a 30% fault rate",
        failures.len()
    );
    for err in &failures {
        let api = api_error(err);
        assert!(
            matches!(
                api.kind(),
                ApiErrorKind::Timeout
                    | ApiErrorKind::Transport
                    | ApiErrorKind::Status
                    | ApiErrorKind::Decode
                    | ApiErrorKind::Connect
            ),
            "{err:?}"
        );
        if api.kind() == ApiErrorKind::Status {
            assert!(
                matches!(status_of(err), Some(429 | 502 | 503 | 504)),
                "{err:?}"
            );
            assert_eq!(api.operation(), Some("user_get"), "{err:?}");
        }
        assert!(api.is_retryable(), "a transient failure: {err:?}");
    }
    // No call made more than three attempts.
    for i in 0..200 {
        let path = user_path(&format!("u{i}"));
        let count = server.count("GET", &path);
        assert!((1..=3).contains(&count), "{path}: {count} requests");
    }
}

#[tokio::test]
async fn every_fault_of_the_full_mix_ends_in_a_value_or_a_typed_error() {
    let mut faults = transient_faults();
    faults.extend([Fault::Truncated, Fault::Garbage, Fault::StallBody]);
    let server = FaultServer::start(Plan::Random {
        seed: 0x5EED_000C,
        percent: 50,
        faults,
    })
    .await;
    let api = client(&server.url(), fast_policy(3), ms(300));
    let results: Vec<Result<types::User, Error>> = bounded(
        Duration::from_secs(25),
        stream::iter(0..100)
            .map(|i| {
                let api = &api;
                async move { get_user(api, &format!("u{i}")).await }
            })
            .buffer_unordered(20)
            .collect(),
    )
    .await;
    let mut kinds = std::collections::BTreeSet::new();
    for result in &results {
        if let Err(err) = result {
            let api = api_error(err);
            kinds.insert(format!("{:?}", api.kind()));
            match api.kind() {
                // A success whose body broke off or is not JSON: the status is kept.
                ApiErrorKind::Decode => assert_eq!(status_of(err), Some(200), "{err:?}"),
                ApiErrorKind::Transport | ApiErrorKind::Timeout | ApiErrorKind::Status => {}
                other => panic!("unexpected kind {other:?}: {err:?}"),
            }
        }
    }
    assert!(results.iter().any(Result::is_ok));
    assert!(
        kinds.contains("Decode"),
        "garbage JSON surfaced as Decode: {kinds:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// (c): a POST that reached the server is never sent twice
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_post_answered_with_a_transient_status_is_not_sent_again() {
    for fault in [
        Fault::Status(503),
        Fault::Html(502),
        Fault::Status(504),
        Fault::RetryAfter(429, RetryAfter::Seconds(0)),
        Fault::RetryAfter(503, RetryAfter::Seconds(0)),
    ] {
        let server = FaultServer::start(Plan::Always(fault.clone())).await;
        let api = client(&server.url(), fast_policy(5), ms(300));
        let err = bounded(CALL_BOUND, create_group(&api, "admins"))
            .await
            .expect_err("the server failed the POST");
        assert_eq!(server.count("POST", GROUPS), 1, "{fault:?} → sent again");
        let api_err = api_error(&err);
        assert_eq!(api_err.kind(), ApiErrorKind::Status, "{err:?}");
        assert_eq!(api_err.operation(), Some("group_create"), "{err:?}");
        assert!(matches!(status_of(&err), Some(429 | 502 | 503 | 504)));
    }
}

#[tokio::test]
async fn a_post_the_server_read_and_then_dropped_or_stalled_is_not_sent_again() {
    for (fault, kind) in [
        (Fault::Drop, ApiErrorKind::Transport),
        (Fault::Stall, ApiErrorKind::Timeout),
    ] {
        let server = FaultServer::start(Plan::Always(fault.clone())).await;
        let api = client(&server.url(), fast_policy(5), ms(300));
        let err = bounded(CALL_BOUND, create_group(&api, "admins"))
            .await
            .expect_err("the POST was never answered");
        assert_eq!(server.count("POST", GROUPS), 1, "{fault:?} → sent again");
        assert_eq!(api_error(&err).kind(), kind, "{fault:?}: {err:?}");
        assert_eq!(status_of(&err), None);
    }
}

#[tokio::test]
async fn posts_through_the_full_fault_mix_each_arrive_exactly_once() {
    let mut faults = transient_faults();
    faults.extend([Fault::Truncated, Fault::Garbage]);
    let server = FaultServer::start(Plan::Random {
        seed: 0x5EED_000D,
        percent: 50,
        faults,
    })
    .await;
    let api = client(&server.url(), fast_policy(8), ms(300));
    let results: Vec<(String, Result<types::Group, Error>)> = bounded(
        Duration::from_secs(25),
        stream::iter(0..60)
            .map(|i| {
                let api = &api;
                async move {
                    let name = format!("group-{i}");
                    let result = create_group(api, &name).await;
                    (name, result)
                }
            })
            .buffer_unordered(10)
            .collect(),
    )
    .await;
    let requests = server.requests();
    assert_eq!(requests.len(), 60, "one request per POST, none repeated");
    for (name, result) in &results {
        let arrived = requests
            .iter()
            .filter(|r| {
                serde_json::from_slice::<serde_json::Value>(&r.body)
                    .is_ok_and(|body| body["name"] == name.as_str())
            })
            .count();
        assert_eq!(arrived, 1, "{name} arrived {arrived} times");
        if let Err(err) = result {
            // A failed POST is a typed error, not a panic.
            let _ = api_error(err);
        }
    }
    assert!(results.iter().any(|(_, r)| r.is_err()), "faults happened");
    assert!(results.iter().any(|(_, r)| r.is_ok()));
}

#[tokio::test]
async fn a_post_that_cannot_connect_is_retried_up_to_max_attempts() {
    let port = closed_port();
    let api = client(&format!("http://127.0.0.1:{port}"), fast_policy(4), ms(300));
    let capture = capture::start();
    let err = bounded(CALL_BOUND, create_group(&api, "admins"))
        .await
        .expect_err("nothing listens");
    let output = capture.text();
    drop(capture);
    assert_eq!(api_error(&err).kind(), ApiErrorKind::Connect, "{err:?}");
    assert!(api_error(&err).is_retryable());
    assert!(output.contains("attempts=4"), "{output}");
    assert_eq!(
        output.matches("transient failure; retrying").count(),
        3,
        "{output}"
    );
    assert!(output.contains("group_create"), "{output}");
    assert!(output.contains("method=POST"), "{output}");
}

#[tokio::test]
async fn a_post_that_cannot_connect_with_retries_off_is_tried_once() {
    let port = closed_port();
    let api = client(
        &format!("http://127.0.0.1:{port}"),
        RetryPolicy::none(),
        ms(300),
    );
    let capture = capture::start();
    let err = bounded(CALL_BOUND, create_group(&api, "admins"))
        .await
        .expect_err("nothing listens");
    let output = capture.text();
    drop(capture);
    assert_eq!(api_error(&err).kind(), ApiErrorKind::Connect, "{err:?}");
    assert!(output.contains("attempts=1"), "{output}");
    assert!(!output.contains("retrying"), "{output}");
}

// ---------------------------------------------------------------------------------------------
// (d): Retry-After, the cap, the budget, retries off
// ---------------------------------------------------------------------------------------------

/// The documented policy with a 1 ms first backoff: any wait near a second comes from
/// `Retry-After`.
fn retry_after_policy() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: ms(1),
        ..RetryPolicy::default()
    }
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = FaultServer::start(Plan::Script(vec![Fault::RetryAfter(
        503,
        RetryAfter::Seconds(1),
    )]))
    .await;
    let api = client(&server.url(), retry_after_policy(), ms(2000));
    let started = Instant::now();
    let user = bounded(CALL_BOUND, get_user(&api, "u1"))
        .await
        .expect("succeeds after the wait");
    let took = started.elapsed();
    assert_eq!(user.id.as_deref(), Some("u1"));
    assert_eq!(server.count("GET", &user_path("u1")), 2);
    assert!(took >= ms(900), "waited only {took:?} for Retry-After: 1");
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // Two seconds ahead, cut to whole seconds by the format: a wait of more than one second.
    let server = FaultServer::start(Plan::Script(vec![Fault::RetryAfter(
        429,
        RetryAfter::DateIn(2),
    )]))
    .await;
    let api = client(&server.url(), retry_after_policy(), ms(2000));
    let started = Instant::now();
    bounded(CALL_BOUND, get_user(&api, "u1"))
        .await
        .expect("succeeds after the wait");
    let took = started.elapsed();
    assert_eq!(server.count("GET", &user_path("u1")), 2);
    assert!(
        took >= ms(900),
        "waited only {took:?} for a date 1-2 s ahead"
    );
}

#[tokio::test]
async fn retry_after_in_the_obsolete_http_date_forms_is_honoured() {
    let mut ignored_headers = Vec::new();
    for retry_after in [RetryAfter::Rfc850In(2), RetryAfter::AsctimeIn(2)] {
        let server = FaultServer::start(Plan::Script(vec![Fault::RetryAfter(
            503,
            retry_after.clone(),
        )]))
        .await;
        let api = client(&server.url(), retry_after_policy(), ms(2000));
        let started = Instant::now();
        bounded(CALL_BOUND, get_user(&api, "u1"))
            .await
            .expect("succeeds after the wait");
        let took = started.elapsed();
        assert_eq!(server.count("GET", &user_path("u1")), 2);
        if took < ms(900) {
            ignored_headers.push(format!("{retry_after:?}: waited only {took:?}"));
        }
    }
    assert!(
        ignored_headers.is_empty(),
        "Retry-After not honoured: {ignored_headers:#?}"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_max_backoff_is_capped() {
    for retry_after in [RetryAfter::Seconds(3600), RetryAfter::DateIn(3600)] {
        let server = FaultServer::start(Plan::Script(vec![Fault::RetryAfter(
            503,
            retry_after.clone(),
        )]))
        .await;
        let policy = RetryPolicy {
            initial_backoff: ms(1),
            max_backoff: ms(50),
            ..RetryPolicy::default()
        };
        let api = client(&server.url(), policy, ms(2000));
        let started = Instant::now();
        bounded(CALL_BOUND, get_user(&api, "u1"))
            .await
            .unwrap_or_else(|e| panic!("{retry_after:?}: {e:?}"));
        assert_eq!(server.count("GET", &user_path("u1")), 2);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{retry_after:?}: waited {:?} despite a 50 ms cap",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn the_exponential_backoff_is_capped_by_max_backoff() {
    // Without the cap, the waits would be drawn from up to 10 s, 20 s and 40 s.
    let server = FaultServer::start(Plan::Always(Fault::Status(503))).await;
    let policy = RetryPolicy {
        max_attempts: 4,
        initial_backoff: Duration::from_secs(10),
        max_backoff: ms(20),
        ..RetryPolicy::default()
    };
    let api = client(&server.url(), policy, ms(2000));
    let started = Instant::now();
    let err = bounded(CALL_BOUND, get_user(&api, "u1"))
        .await
        .expect_err("always 503");
    assert_eq!(status_of(&err), Some(503));
    assert_eq!(server.count("GET", &user_path("u1")), 4);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn no_retry_starts_when_retry_after_exceeds_the_budget() {
    let server =
        FaultServer::start(Plan::Always(Fault::RetryAfter(503, RetryAfter::Seconds(5)))).await;
    let policy = RetryPolicy {
        initial_backoff: ms(1),
        budget: ms(50),
        ..RetryPolicy::default()
    };
    let api = client(&server.url(), policy, ms(2000));
    let started = Instant::now();
    let err = bounded(CALL_BOUND, get_user(&api, "u1"))
        .await
        .expect_err("the 503 is returned");
    let took = started.elapsed();
    assert_eq!(api_error(&err).kind(), ApiErrorKind::Status);
    assert_eq!(status_of(&err), Some(503));
    assert_eq!(api_error(&err).message(), Some("injected 503, retry later"));
    assert_eq!(server.count("GET", &user_path("u1")), 1);
    assert!(
        took < Duration::from_secs(4),
        "waited {took:?} for a retry the budget forbids"
    );
}

#[tokio::test]
async fn the_budget_bounds_retries_of_stalled_requests() {
    let server = FaultServer::start(Plan::Always(Fault::Stall)).await;
    let policy = RetryPolicy {
        max_attempts: 100,
        initial_backoff: ms(1),
        max_backoff: ms(20),
        budget: ms(700),
    };
    let api = client(&server.url(), policy, ms(200));
    let started = Instant::now();
    let err = bounded(CALL_BOUND, get_user(&api, "u1"))
        .await
        .expect_err("always stalls");
    let took = started.elapsed();
    assert_eq!(api_error(&err).kind(), ApiErrorKind::Timeout, "{err:?}");
    let count = server.count("GET", &user_path("u1"));
    assert!((2..100).contains(&count), "{count} attempts");
    // No retry starts after the budget: at most the budget plus one attempt (and slack).
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn with_retries_off_a_transient_failure_is_tried_exactly_once() {
    for fault in [
        Fault::Status(503),
        Fault::RetryAfter(429, RetryAfter::Seconds(0)),
        Fault::Html(502),
        Fault::Drop,
        Fault::Stall,
    ] {
        let server = FaultServer::start(Plan::Always(fault.clone())).await;
        let api = client(&server.url(), RetryPolicy::none(), ms(300));
        let err = bounded(CALL_BOUND, get_user(&api, "u1"))
            .await
            .expect_err("failed once, not retried");
        assert_eq!(server.count("GET", &user_path("u1")), 1, "{fault:?}");
        let _ = api_error(&err);
    }
}

// ---------------------------------------------------------------------------------------------
// (e): PUT and DELETE are retried; 4xx and 500 never
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn put_and_delete_are_retried_on_transient_statuses() {
    for fault in [
        Fault::Status(503),
        Fault::Html(502),
        Fault::Status(504),
        Fault::RetryAfter(429, RetryAfter::Seconds(0)),
        Fault::Drop,
    ] {
        let server = FaultServer::start(Plan::Script(vec![fault.clone(), fault.clone()])).await;
        let api = client(&server.url(), fast_policy(3), ms(300));
        let group = bounded(CALL_BOUND, update_group(&api, "g1"))
            .await
            .unwrap_or_else(|e| panic!("PUT through {fault:?}: {e:?}"));
        assert_eq!(group.id.as_deref(), Some("g1"));
        assert_eq!(group.name.as_deref(), Some("renamed"));
        assert_eq!(server.count("PUT", &group_path("g1")), 3, "{fault:?}");
        // The body went out whole each time.
        for request in server.requests() {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(body["name"], "renamed");
        }
        bounded(CALL_BOUND, delete_group(&api, "g1"))
            .await
            .unwrap_or_else(|e| panic!("DELETE through {fault:?}: {e:?}"));
        assert_eq!(server.count("DELETE", &group_path("g1")), 3, "{fault:?}");
    }
}

#[tokio::test]
async fn client_errors_and_500_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 500, 501] {
        let server = FaultServer::start(Plan::Always(Fault::Status(status))).await;
        let api = client(&server.url(), fast_policy(5), ms(300));
        let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
        assert_eq!(status_of(&err), Some(status));
        assert_eq!(api_error(&err).kind(), ApiErrorKind::Status);
        assert_eq!(
            api_error(&err).message(),
            Some(format!("injected {status}").as_str())
        );
        let err = bounded(CALL_BOUND, update_group(&api, "g1"))
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), Some(status));
        let err = bounded(CALL_BOUND, delete_group(&api, "g1"))
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), Some(status));
        let err = bounded(CALL_BOUND, create_group(&api, "g"))
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), Some(status));
        for (method, path) in [
            ("GET", user_path("u1")),
            ("PUT", group_path("g1")),
            ("DELETE", group_path("g1")),
            ("POST", GROUPS.to_owned()),
        ] {
            assert_eq!(server.count(method, &path), 1, "{status} {method} {path}");
        }
    }
}

#[tokio::test]
async fn a_get_is_retried_after_429_502_503_504_until_it_succeeds() {
    let server = FaultServer::start(Plan::Script(vec![
        Fault::RetryAfter(429, RetryAfter::Seconds(0)),
        Fault::Html(502),
        Fault::Status(503),
        Fault::Status(504),
    ]))
    .await;
    let api = client(&server.url(), fast_policy(5), ms(300));
    let user = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap();
    assert_eq!(user.id.as_deref(), Some("u1"));
    assert_eq!(server.count("GET", &user_path("u1")), 5);
}

#[tokio::test]
async fn after_max_attempts_the_last_error_is_returned() {
    let server = FaultServer::start(Plan::Script(vec![
        Fault::Status(503),
        Fault::Status(503),
        Fault::Html(502),
    ]))
    .await;
    let api = client(&server.url(), fast_policy(3), ms(300));
    let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
    assert_eq!(server.count("GET", &user_path("u1")), 3);
    assert_eq!(status_of(&err), Some(502));
    assert_eq!(
        api_error(&err).body(),
        Some(fault_server::html_page(502).as_bytes())
    );
}

// ---------------------------------------------------------------------------------------------
// (f): every fault alone, retries off: the right typed error within the timeout
// ---------------------------------------------------------------------------------------------

/// One call of `user_get` against a server that always answers with `fault`, retries off and a
/// 300 ms timeout; the error and how long it took.
async fn single_fault(fault: Fault) -> (Error, Duration) {
    let server = FaultServer::start(Plan::Always(fault.clone())).await;
    let api = client(&server.url(), RetryPolicy::none(), ms(300));
    let started = Instant::now();
    let err = bounded(CALL_BOUND, get_user(&api, "u1"))
        .await
        .expect_err("the fault fails the call");
    let took = started.elapsed();
    assert_eq!(server.count("GET", &user_path("u1")), 1, "{fault:?}");
    assert!(
        took < Duration::from_secs(3),
        "{fault:?}: {took:?} with a 300 ms timeout"
    );
    (err, took)
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let (err, _) = single_fault(Fault::Drop).await;
    let api = api_error(&err);
    assert!(
        matches!(api.kind(), ApiErrorKind::Transport | ApiErrorKind::Connect),
        "{err:?}"
    );
    assert_eq!(api.status(), None);
    assert!(api.is_retryable());
}

#[tokio::test]
async fn a_stalled_answer_is_a_timeout() {
    let (err, took) = single_fault(Fault::Stall).await;
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Timeout, "{err:?}");
    assert!(api.is_timeout());
    assert_eq!(api.status(), None);
    assert!(
        took >= ms(250),
        "timed out after {took:?} with a 300 ms timeout"
    );
}

#[tokio::test]
async fn a_body_that_stalls_is_a_timeout_with_the_status() {
    let (err, _) = single_fault(Fault::StallBody).await;
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Timeout, "{err:?}");
    assert_eq!(status_of(&err), Some(200), "{err:?}");
    assert_eq!(api.operation(), Some("user_get"), "{err:?}");
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_with_status_200() {
    let (err, _) = single_fault(Fault::Truncated).await;
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Transport, "{err:?}");
    assert_eq!(status_of(&err), Some(200), "{err:?}");
    assert_eq!(api.operation(), Some("user_get"), "{err:?}");
}

#[tokio::test]
async fn garbage_json_is_a_decode_error_with_status_200_and_the_body() {
    let (err, _) = single_fault(Fault::Garbage).await;
    let api = api_error(&err);
    assert_eq!(api.kind(), ApiErrorKind::Decode, "{err:?}");
    assert_eq!(status_of(&err), Some(200), "{err:?}");
    assert_eq!(api.operation(), Some("user_get"), "{err:?}");
    assert_eq!(api.body(), Some(fault_server::GARBAGE.as_bytes()));
    assert!(!api.is_retryable());
}

#[tokio::test]
async fn an_html_502_is_a_status_error_that_keeps_the_page() {
    let (err, _) = single_fault(Fault::Html(502)).await;
    let api = api_error(&err);
    let page = fault_server::html_page(502);
    assert_eq!(api.kind(), ApiErrorKind::Status, "{err:?}");
    assert_eq!(status_of(&err), Some(502));
    assert_eq!(api.body(), Some(page.as_bytes()));
    assert_eq!(api.message(), None);
    assert_eq!(api.operation(), Some("user_get"));
    assert!(api.is_retryable());
}

/// The README promises the operation "for every failure, including ... timeouts".
#[tokio::test]
async fn a_call_that_fails_without_an_answer_names_its_operation() {
    for fault in [Fault::Drop, Fault::Stall] {
        let server = FaultServer::start(Plan::Always(fault.clone())).await;
        let api = client(&server.url(), RetryPolicy::none(), ms(300));
        let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
        assert_eq!(
            api_error(&err).operation(),
            Some("user_get"),
            "{fault:?}: {err:?}"
        );
    }
    let api = client(
        &format!("http://127.0.0.1:{}", closed_port()),
        RetryPolicy::none(),
        ms(300),
    );
    let err = bounded(CALL_BOUND, create_group(&api, "g"))
        .await
        .unwrap_err();
    assert_eq!(api_error(&err).operation(), Some("group_create"), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Timeouts: on by default, configurable
// ---------------------------------------------------------------------------------------------

#[test]
fn timeouts_and_retries_are_on_by_default_and_configurable() {
    let api = TrivoreId::builder()
        .server("https://id.example.com")
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    assert_eq!(api.config().timeout(), Duration::from_secs(30));
    assert_eq!(api.config().connect_timeout(), Duration::from_secs(10));
    assert_eq!(api.config().retry(), RetryPolicy::default());

    let api = client("https://id.example.com", RetryPolicy::none(), ms(1234));
    assert_eq!(api.config().timeout(), ms(1234));
    assert_eq!(api.config().connect_timeout(), Duration::from_secs(2));
    assert_eq!(api.config().retry().max_attempts, 1);

    for builder in [
        TrivoreId::builder().timeout(Duration::ZERO),
        TrivoreId::builder().connect_timeout(Duration::ZERO),
        TrivoreId::builder().retry(RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        }),
    ] {
        let err = builder
            .server("https://id.example.com")
            .management_api(CLIENT_ID, CLIENT_SECRET)
            .build()
            .unwrap_err();
        assert!(
            matches!(err, Error::Sdk(SdkError::InvalidConfig { .. })),
            "{err:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// (g): tracing
// ---------------------------------------------------------------------------------------------

/// The base64 part of the Basic credentials.
fn basic_token() -> &'static str {
    BASIC.strip_prefix("Basic ").unwrap()
}

#[tokio::test]
async fn the_request_span_names_operation_method_status_and_attempts_and_never_a_secret() {
    let server = FaultServer::start(Plan::Script(vec![Fault::Status(503)])).await;
    let api = client(&server.url(), fast_policy(3), ms(2000));
    let capture = capture::start();
    bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap();
    let output = capture.text();
    drop(capture);

    let close = output
        .lines()
        .find(|line| line.contains("trivoreid.request") && line.contains("close"))
        .unwrap_or_else(|| panic!("no span close event:\n{output}"));
    for field in [
        "operation=",
        "user_get",
        "method=GET",
        "status=200",
        "attempts=2",
        "duration_ms=",
    ] {
        assert!(close.contains(field), "{field} missing from: {close}");
    }
    assert!(close.trim_start().starts_with("INFO"), "{close}");
    assert_eq!(
        output.matches("transient failure; retrying").count(),
        1,
        "{output}"
    );
    for secret in [CLIENT_SECRET, basic_token(), "Basic "] {
        assert!(!output.contains(secret), "{secret} in:\n{output}");
    }
    // Success bodies are never logged.
    assert!(!output.contains("Lovelace"), "{output}");
}

#[tokio::test]
async fn error_bodies_are_logged_only_at_debug_and_truncated() {
    let body = format!("BODY-START-{}-BODY-END-MARKER", "y".repeat(3000));
    let server =
        FaultServer::start(Plan::Always(Fault::Raw(500, "text/plain", body.clone()))).await;
    let api = client(&server.url(), fast_policy(3), ms(2000));
    let capture = capture::start();
    let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
    let output = capture.text();
    drop(capture);
    // The error keeps the whole body; the log does not.
    assert_eq!(api_error(&err).body(), Some(body.as_bytes()));
    assert!(output.contains("BODY-START-"), "{output}");
    assert!(!output.contains("BODY-END-MARKER"), "whole body logged");
    assert!(output.contains("bytes in all"), "{output}");
    for line in output.lines().filter(|l| l.contains("BODY-START-")) {
        assert!(
            line.trim_start().starts_with("DEBUG") || line.trim_start().starts_with("TRACE"),
            "a body above debug level: {line}"
        );
        assert!(line.len() < 1024 + 512, "{} bytes", line.len());
    }
    let close = output
        .lines()
        .find(|line| line.contains("trivoreid.request") && line.contains("close"))
        .unwrap_or_else(|| panic!("no span close event:\n{output}"));
    assert!(close.contains("status=500"), "{close}");
    assert!(close.contains("attempts=1"), "{close}");
    for secret in [CLIENT_SECRET, basic_token()] {
        assert!(!output.contains(secret), "{secret} in:\n{output}");
    }
}

#[tokio::test]
async fn failed_requests_are_traced_without_secrets() {
    let server = FaultServer::start(Plan::Always(Fault::Stall)).await;
    let api = client(&server.url(), fast_policy(2), ms(200));
    let capture = capture::start();
    let err = bounded(CALL_BOUND, create_group(&api, "admins"))
        .await
        .unwrap_err();
    let err2 = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
    let output = capture.text();
    drop(capture);
    assert!(api_error(&err).is_timeout());
    assert!(api_error(&err2).is_timeout());
    let closes: Vec<&str> = output
        .lines()
        .filter(|line| line.contains("trivoreid.request") && line.contains("close"))
        .collect();
    assert_eq!(closes.len(), 2, "{output}");
    assert!(closes[0].contains("group_create") && closes[0].contains("attempts=1"));
    assert!(closes[1].contains("user_get") && closes[1].contains("attempts=2"));
    assert!(output.contains("request failed"), "{output}");
    for secret in [CLIENT_SECRET, basic_token(), "admins"] {
        assert!(!output.contains(secret), "{secret} in:\n{output}");
    }

    // A Bearer token never shows either.
    let api = TrivoreId::builder()
        .server(server.url())
        .access_token("access-token-MARKER-77")
        .retry(fast_policy(2))
        .timeout(ms(200))
        .build()
        .unwrap();
    let capture = capture::start();
    let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
    let output = capture.text();
    drop(capture);
    assert!(api_error(&err).is_timeout());
    assert!(output.contains("attempts=2"), "{output}");
    assert!(!output.contains("access-token-MARKER-77"), "{output}");
    assert!(!output.contains("Bearer"), "{output}");
}

// ---------------------------------------------------------------------------------------------
// (h): transport safety
// ---------------------------------------------------------------------------------------------

#[test]
fn credentials_never_go_over_plain_http_to_a_host_that_is_not_loopback() {
    let refused = |server: &str, builder: trivoreid::TrivoreIdBuilder| {
        let err = builder.server(server).build().unwrap_err();
        match &err {
            Error::Sdk(SdkError::InvalidConfig { key, reason }) => {
                assert_eq!(*key, "service.address", "{server}");
                assert!(reason.contains("http"), "{reason}");
            }
            other => panic!("{server}: expected InvalidConfig, got {other:?}"),
        }
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    };
    for server in [
        "http://id.example.com",
        "http://id.example.com:8080/idp",
        "http://10.0.0.1",
        "http://0.0.0.0:8080",
        "http://localhost.example.com",
        "http://[::ffff:10.0.0.1]",
    ] {
        refused(
            server,
            TrivoreId::builder().management_api(CLIENT_ID, CLIENT_SECRET),
        );
        refused(server, TrivoreId::builder().access_token("token-MARKER"));
    }
    let allowed = |server: &str, builder: trivoreid::TrivoreIdBuilder| {
        builder
            .server(server)
            .build()
            .unwrap_or_else(|e| panic!("{server}: {e:?}"));
    };
    for server in [
        "https://id.example.com",
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://localhost",
        "http://LOCALHOST:9000/idp",
        "http://[::1]:8080",
    ] {
        allowed(
            server,
            TrivoreId::builder().management_api(CLIENT_ID, CLIENT_SECRET),
        );
    }
    allowed(
        "http://id.example.com",
        TrivoreId::builder()
            .management_api(CLIENT_ID, CLIENT_SECRET)
            .allow_insecure_http(true),
    );
}

#[test]
fn a_properties_file_with_plain_http_to_a_remote_host_is_refused() {
    let path = temp_properties(
        "insecure",
        "service.address = http://id.example.com\nmgmtapi.id = the-id\nmgmtapi.secret = s3cret-MARKER==\n",
        0o600,
    );
    let err = TrivoreId::from_properties_file(&path).unwrap_err();
    let _ = std::fs::remove_file(&path);
    assert!(
        matches!(
            err,
            Error::Sdk(SdkError::InvalidConfig {
                key: "service.address",
                ..
            })
        ),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains("s3cret-MARKER"));
}

#[tokio::test]
async fn redirects_are_never_followed_to_another_host() {
    let other = FaultServer::start(Plan::Always(Fault::Ok)).await;
    let other_port = other.addr().port();
    for status in [301, 302, 303, 307, 308] {
        let location = format!("http://localhost:{other_port}/api/rest/v1/user/u1");
        let server = FaultServer::start(Plan::Always(Fault::Redirect(status, location))).await;
        let api = client(&server.url(), fast_policy(3), ms(2000));
        let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
        assert_eq!(status_of(&err), Some(status), "{err:?}");
        assert_eq!(api_error(&err).operation(), Some("user_get"));
        assert_eq!(server.count("GET", &user_path("u1")), 1);
        // A POST (307/308 would repeat it with its body) is not followed either.
        let err = bounded(CALL_BOUND, create_group(&api, "g"))
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), Some(status), "{err:?}");
        assert_eq!(server.count("POST", GROUPS), 1);
    }
    assert_eq!(other.total(), 0, "the other host received a request");
    assert_eq!(other.connections(), 0, "the other host was contacted");
}

#[tokio::test]
async fn a_redirect_to_the_same_host_is_not_followed_either() {
    let server = FaultServer::start(Plan::Script(vec![Fault::Redirect(
        302,
        "/api/rest/v1/user/u2".into(),
    )]))
    .await;
    let api = client(&server.url(), fast_policy(3), ms(2000));
    let err = bounded(CALL_BOUND, get_user(&api, "u1")).await.unwrap_err();
    assert_eq!(status_of(&err), Some(302));
    assert_eq!(api_error(&err).kind(), ApiErrorKind::Protocol);
    assert_eq!(server.count("GET", &user_path("u2")), 0);
    // The credentials went only to the configured server.
    for request in server.requests() {
        assert_eq!(request.header("authorization"), Some(BASIC));
    }
}

// ---------------------------------------------------------------------------------------------
// (i): the properties-file warning
// ---------------------------------------------------------------------------------------------

fn temp_properties(name: &str, text: &str, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = std::env::temp_dir().join(format!(
        "trivoreid-reliability-{}-{name}.properties",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

const WITH_SECRET: &str = "service.address = https://id.example.com\nmgmtapi.id = the-id\nmgmtapi.secret = s3cret-MARKER==\n";

/// What loading the file emits through tracing.
fn load_and_capture(name: &str, text: &str, mode: u32) -> (std::path::PathBuf, String) {
    let path = temp_properties(name, text, mode);
    let capture = capture::start();
    trivoreid::config::Properties::load(&path).expect("readable");
    let output = capture.text();
    drop(capture);
    (path, output)
}

#[test]
fn a_properties_file_with_secrets_readable_by_others_is_warned_about() {
    for (name, mode) in [("world", 0o644), ("group", 0o640), ("others", 0o604)] {
        let (path, output) = load_and_capture(name, WITH_SECRET, mode);
        let _ = std::fs::remove_file(&path);
        let warning = output
            .lines()
            .find(|line| line.trim_start().starts_with("WARN"))
            .unwrap_or_else(|| panic!("{mode:o}: no warning in {output:?}"));
        assert!(warning.contains(&path.display().to_string()), "{warning}");
        assert!(warning.contains("chmod 600"), "{warning}");
        assert!(!output.contains("s3cret-MARKER"), "{output}");
    }
}

#[test]
fn other_secret_keys_count_too() {
    for (name, text) in [
        (
            "oidc",
            "service.address = https://id.example.com\noidc.client.id = c\noidc.client.secret = s3cret-MARKER\n",
        ),
        (
            "grant",
            "service.address = https://id.example.com\npassword.grant.username = u\npassword.grant.password = s3cret-MARKER\n",
        ),
    ] {
        let (path, output) = load_and_capture(name, text, 0o644);
        let _ = std::fs::remove_file(&path);
        assert!(output.contains("chmod 600"), "{name}: {output:?}");
        assert!(!output.contains("s3cret-MARKER"), "{output}");
    }
}

#[test]
fn no_warning_for_a_private_file_or_one_without_secrets() {
    let (path, output) = load_and_capture("private", WITH_SECRET, 0o600);
    let _ = std::fs::remove_file(&path);
    assert!(!output.contains("WARN"), "{output}");
    let (path, output) = load_and_capture(
        "public",
        "service.address = https://id.example.com\nmgmtapi.id = the-id\n",
        0o644,
    );
    let _ = std::fs::remove_file(&path);
    assert!(!output.contains("WARN"), "{output}");
}

#[test]
fn building_a_client_from_a_readable_file_warns_too() {
    let path = temp_properties("client", WITH_SECRET, 0o644);
    let capture = capture::start();
    let api = TrivoreId::from_properties_file(&path);
    let output = capture.text();
    drop(capture);
    let _ = std::fs::remove_file(&path);
    api.expect("a valid file");
    assert!(output.contains("chmod 600"), "{output:?}");
    assert!(!output.contains("s3cret-MARKER"), "{output}");
}
