//! Streaming 10,000 and 100,000 users through the SDK's auto-paging (`user_list().items()`):
//! time and peak heap (which must not grow with N), against the sum of fetching the same pages
//! one by one (SDK `.page()` and raw reqwest); then what a consumer that works on each item pays
//! for fetching pages only when the previous one is used up, against the SDK's
//! `.paginate().prefetch(true)` (the next page's request sent early and driven by the consumer's
//! own polls) and, for reference, a prefetch written here on a `tokio::spawn`ed task (which the
//! SDK cannot do for a request builder that borrows its client).
//!
//! The server generates the pages on the fly (it holds no list of users) on its own thread, and
//! its allocations are left out of the heap count. The client runs on a two-worker tokio runtime,
//! as `#[tokio::main]` sets it up on this machine. Rows go to stdout as markdown (see
//! `benches/run.sh`), progress to stderr.
//!
//! ```text
//! cargo bench --bench paging              # the full run
//! cargo bench --bench paging -- --quick   # one round
//! ```

#[path = "common/alloc.rs"]
mod alloc;
mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::*;
use trivoreid::TrivoreId;
use trivoreid::paging::DEFAULT_PAGE_SIZE;
use trivoreid::prelude::*;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// Per-item work of the consumer in the prefetch comparison.
const WORK: Duration = Duration::from_micros(20);
/// Page delay of the server standing in for a network and a database.
const REMOTE_DELAY_US: u64 = 2000;

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let server = start_server(alloc::exclude_this_thread);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let api = Arc::new(sdk_client(&server.base()));
    let raw = Raw::new(&api);
    rt.block_on(bench(api, &raw, &server, quick));
}

/// Time and peak heap of some work.
struct Measured<T> {
    time: Duration,
    peak: usize,
    value: T,
}

async fn measure<T>(work: impl Future<Output = T>) -> Measured<T> {
    let base = alloc::reset_peak();
    let start = Instant::now();
    let value = work.await;
    let time = start.elapsed();
    Measured {
        time,
        peak: alloc::peak().saturating_sub(base),
        value,
    }
}

/// What streaming every user cost: the users seen, and the time spent waiting in `try_next`
/// (fetching and decoding pages: the time not spent in the consumer's own work).
struct Streamed {
    users: i64,
    waiting: Duration,
}

/// Every user through `items()`, with `work` per item, with or without the SDK's prefetch.
async fn stream(api: &TrivoreId, work: Duration, prefetch: bool) -> Streamed {
    let mut users = api.user_list().paginate().prefetch(prefetch).items();
    let mut seen = 0;
    let mut waiting = Duration::ZERO;
    loop {
        let asked = Instant::now();
        let Some(user) = users.try_next().await.expect("stream") else {
            break;
        };
        waiting += asked.elapsed();
        if !work.is_zero() {
            spin(work);
        }
        black_box(user);
        seen += 1;
    }
    Streamed {
        users: seen,
        waiting,
    }
}

/// The same pages, one `.page()` call after another (each page dropped before the next is
/// fetched, as a consumer would): the summed time of the calls.
async fn sdk_pages(api: &TrivoreId, total: i64) -> Duration {
    let mut sum = Duration::ZERO;
    let mut start = 0;
    while start < total {
        let began = Instant::now();
        let page = api
            .user_list()
            .start_index(start)
            .count(DEFAULT_PAGE_SIZE)
            .page()
            .await
            .expect("page");
        sum += began.elapsed();
        start += page.resources.len() as i64;
        drop(black_box(page));
    }
    sum
}

/// The same pages with raw reqwest, decoded into the SDK's `UserPage`.
async fn raw_pages(raw: &Raw, total: i64) -> Duration {
    let mut sum = Duration::ZERO;
    let mut start = 0;
    while start < total {
        let began = Instant::now();
        let page = raw
            .user_page(start, DEFAULT_PAGE_SIZE)
            .await
            .expect("raw page");
        sum += began.elapsed();
        start += page.resources.len() as i64;
        drop(black_box(page));
    }
    sum
}

/// Like `stream`, but the next page is fetched (on another task) while the current one is
/// consumed: at most one page ahead, as a `prefetch` option in `paging::next_page` would.
async fn prefetching(api: &Arc<TrivoreId>, work: Duration) -> Streamed {
    let fetch = |start: i64| {
        let api = api.clone();
        tokio::spawn(async move {
            api.user_list()
                .start_index(start)
                .count(DEFAULT_PAGE_SIZE)
                .page()
                .await
        })
    };
    let mut next = Some(fetch(0));
    let mut seen = 0;
    let mut waiting = Duration::ZERO;
    while let Some(pending) = next.take() {
        let asked = Instant::now();
        let page = pending.await.expect("task").expect("page");
        waiting += asked.elapsed();
        let len = page.resources.len() as i64;
        let following = page.start_index.unwrap_or(seen) + len;
        let done = len < DEFAULT_PAGE_SIZE || page.total_results.is_some_and(|t| following >= t);
        if !done {
            next = Some(fetch(following));
            // Let the fetch start before the consumer takes this thread.
            tokio::task::yield_now().await;
        }
        for user in page.resources {
            spin(work);
            black_box(user);
            seen += 1;
        }
    }
    Streamed {
        users: seen,
        waiting,
    }
}

fn median_of(values: impl IntoIterator<Item = Duration>) -> Duration {
    let v: Vec<f64> = values.into_iter().map(|d| d.as_secs_f64()).collect();
    Duration::from_secs_f64(median(&v))
}

fn max_of(values: impl IntoIterator<Item = usize>) -> usize {
    values.into_iter().max().unwrap_or(0)
}

async fn bench(api: Arc<TrivoreId>, raw: &Raw, server: &Server, quick: bool) {
    let state = &server.state;
    // Warm-up: connections, caches, allocator.
    state.total.store(3000, Ordering::Relaxed);
    for _ in 0..3 {
        assert_eq!(stream(&api, Duration::ZERO, false).await.users, 3000);
        sdk_pages(&api, 3000).await;
        raw_pages(raw, 3000).await;
    }

    row(
        "user_list page",
        "JSON body of a page",
        &format!(
            "~{} KiB ({DEFAULT_PAGE_SIZE} users of ~{} bytes)",
            user_json().len() * DEFAULT_PAGE_SIZE as usize / 1024,
            user_json().len()
        ),
        "same",
        None,
    );
    let mut peaks = Vec::new();
    for n in [10_000i64, 100_000] {
        state.total.store(n as u64, Ordering::Relaxed);
        let rounds = match (quick, n) {
            (true, _) => 1,
            (false, 10_000) => 7,
            (false, _) => 3,
        };
        let mut streamed = Vec::new();
        let mut paged = Vec::new();
        let mut raw_paged = Vec::new();
        for round in 0..rounds {
            // The order alternates, so that drift hits all three alike.
            for step in 0..3 {
                match if round % 2 == 0 { step } else { 2 - step } {
                    0 => {
                        let s = measure(stream(&api, Duration::ZERO, false)).await;
                        assert_eq!(s.value.users, n, "every user, once");
                        streamed.push(s);
                    }
                    1 => paged.push(measure(sdk_pages(&api, n)).await),
                    _ => raw_paged.push(measure(raw_pages(raw, n)).await),
                }
            }
        }
        let stream_time = median_of(streamed.iter().map(|m| m.time));
        let stream_wait = median_of(streamed.iter().map(|m| m.value.waiting));
        let loop_time = median_of(paged.iter().map(|m| m.time));
        let page_sum = median_of(paged.iter().map(|m| m.value));
        let raw_sum = median_of(raw_paged.iter().map(|m| m.value));
        let stream_peak = max_of(streamed.iter().map(|m| m.peak));
        let page_peak = max_of(paged.iter().map(|m| m.peak));
        peaks.push(stream_peak);
        let name = format!(
            "stream {n} users, {} pages of {DEFAULT_PAGE_SIZE}",
            n / DEFAULT_PAGE_SIZE
        );
        row(
            &name,
            "time: items() vs a .page() loop (fetch, drop)",
            &millis(stream_time),
            &millis(loop_time),
            Some(stream_time.as_secs_f64() / loop_time.as_secs_f64()),
        );
        row(
            &name,
            "waiting in items() vs Σ .page() fetches",
            &millis(stream_wait),
            &millis(page_sum),
            Some(stream_wait.as_secs_f64() / page_sum.as_secs_f64()),
        );
        row(
            &name,
            "Σ page fetches: SDK .page() vs raw reqwest",
            &millis(page_sum),
            &millis(raw_sum),
            Some(page_sum.as_secs_f64() / raw_sum.as_secs_f64()),
        );
        row(
            &name,
            "peak heap: items() vs a .page() loop",
            &kib(stream_peak),
            &kib(page_peak),
            Some(stream_peak as f64 / page_peak as f64),
        );
        eprintln!("N = {n}: done");
    }
    row(
        "stream 100000 vs 10000 users",
        "peak heap (flat in N: ratio ≈ 1)",
        &kib(peaks[1]),
        &kib(peaks[0]),
        Some(peaks[1] as f64 / peaks[0] as f64),
    );

    // Fetching the next page while the current one is consumed.
    let rounds = if quick { 1 } else { 5 };
    let n = 10_000i64;
    state.total.store(n as u64, Ordering::Relaxed);
    let work_alone = {
        let start = Instant::now();
        for _ in 0..n {
            spin(WORK);
        }
        start.elapsed()
    };
    for (label, delay) in [("loopback", 0), ("+2 ms per page", REMOTE_DELAY_US)] {
        state.page_delay_us.store(delay, Ordering::Relaxed);
        let mut plain = Vec::new();
        let mut spawned = Vec::new();
        let mut inline = Vec::new();
        let mut fetches = Vec::new();
        for round in 0..rounds {
            for step in 0..4 {
                match if round % 2 == 0 { step } else { 3 - step } {
                    0 => plain.push(measure(stream(&api, WORK, false)).await),
                    1 => spawned.push(measure(prefetching(&api, WORK)).await),
                    2 => inline.push(measure(stream(&api, WORK, true)).await),
                    _ => fetches.push(sdk_pages(&api, n).await),
                }
            }
        }
        for m in plain.iter().chain(&spawned).chain(&inline) {
            assert_eq!(m.value.users, n, "every user, once");
        }
        let time = |runs: &[Measured<Streamed>]| median_of(runs.iter().map(|m| m.time));
        let waiting = |runs: &[Measured<Streamed>]| median_of(runs.iter().map(|m| m.value.waiting));
        let peak = |runs: &[Measured<Streamed>]| max_of(runs.iter().map(|m| m.peak));
        let fetch_sum = median_of(fetches);
        let name = format!("stream {n} users, 20 µs work per item, {label}");
        row(
            &name,
            "time: items() vs items() with .prefetch(true) (ratio = speed-up)",
            &millis(time(&plain)),
            &millis(time(&inline)),
            Some(time(&plain).as_secs_f64() / time(&inline).as_secs_f64()),
        );
        row(
            &name,
            "time: items() vs a prefetch on a spawned task, written in the bench (speed-up)",
            &millis(time(&plain)),
            &millis(time(&spawned)),
            Some(time(&plain).as_secs_f64() / time(&spawned).as_secs_f64()),
        );
        row(
            &name,
            "waiting for pages: items() vs .prefetch(true) / spawned",
            &millis(waiting(&plain)),
            &format!(
                "{} / {}",
                millis(waiting(&inline)),
                millis(waiting(&spawned))
            ),
            None,
        );
        row(
            &name,
            "bounds: Σ fetches + work (serial) vs max(Σ fetches, work) (overlapped)",
            &millis(fetch_sum + work_alone),
            &millis(fetch_sum.max(work_alone)),
            None,
        );
        row(
            &name,
            "peak heap: items() vs .prefetch(true) / spawned",
            &kib(peak(&plain)),
            &format!("{} / {}", kib(peak(&inline)), kib(peak(&spawned))),
            None,
        );
        eprintln!("prefetch, {label}: done");
    }
    state.page_delay_us.store(0, Ordering::Relaxed);
}
