//! `user_get` through the SDK vs the same request with raw reqwest: per-call latency, and
//! throughput with 1, 8 and 64 requests in flight. Same server, same connection settings, same
//! run; the two clients take turns (the order alternates each round) so that drift and noise
//! from other processes hit both alike, and each ratio is the median of the per-round ratios.
//!
//! The client runs on a current-thread tokio runtime (one core), the server on its own thread:
//! throughput in flight is then bound by the client's CPU per request, which is where an SDK's
//! overhead shows. Rows go to stdout as markdown (see `benches/run.sh`), progress to stderr.
//!
//! ```text
//! cargo bench --bench user_get                    # the full run
//! cargo bench --bench user_get -- --quick         # fewer rounds
//! cargo bench --bench user_get -- --only sdk --calls 2000   # for callgrind: N sequential calls
//! cargo bench --bench user_get -- --only raw --calls 2000 --in-flight 8   # ... or 8 at a time
//! cargo bench --bench user_get -- --only sdk --calls 2000 --no-retries     # SDK, retries off
//! ```

mod common;

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use common::*;
use futures::StreamExt as _;
use trivoreid::TrivoreId;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Which {
    Sdk,
    Raw,
}

struct Args {
    quick: bool,
    only: Option<Which>,
    calls: usize,
    in_flight: usize,
    no_retries: bool,
}

fn args() -> Args {
    let mut args = Args {
        quick: false,
        only: None,
        calls: 1000,
        in_flight: 0,
        no_retries: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--only" => {
                args.only = match it.next().as_deref() {
                    Some("sdk") => Some(Which::Sdk),
                    Some("raw") => Some(Which::Raw),
                    other => panic!("--only sdk|raw, not {other:?}"),
                }
            }
            "--calls" => {
                args.calls = it.next().and_then(|n| n.parse().ok()).expect("--calls N");
            }
            "--in-flight" => {
                args.in_flight = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--in-flight N");
            }
            "--no-retries" => args.no_retries = true,
            // `cargo bench` passes `--bench`; filters are not supported.
            _ => {}
        }
    }
    args
}

fn main() {
    let args = args();
    let server = start_server(|| {});
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let client_tid = current_tid();
    let api = if args.no_retries {
        sdk_client_with(&server.base(), trivoreid::RetryPolicy::none())
    } else {
        sdk_client(&server.base())
    };
    let raw = Raw::new(&api);
    rt.block_on(async {
        if let Some(which) = args.only {
            profile(&api, &raw, which, args.calls, args.in_flight).await;
        } else {
            bench(&api, &raw, &server, client_tid, args.quick).await;
        }
    });
}

/// Warm-up, then `calls` calls of one client, one after another or `in_flight` at a time (for
/// `valgrind --tool=callgrind`: the difference of two call counts is the per-call cost, free of
/// start-up).
async fn profile(api: &TrivoreId, raw: &Raw, which: Which, calls: usize, in_flight: usize) {
    for _ in 0..100 {
        one(api, raw, which).await;
    }
    if in_flight > 0 {
        match which {
            Which::Sdk => concurrent(in_flight, calls, || sdk_user_get(api, USER_ID)).await,
            Which::Raw => concurrent(in_flight, calls, || raw.user_get(USER_ID)).await,
        }
    } else {
        for _ in 0..calls {
            one(api, raw, which).await;
        }
    }
    eprintln!("{which:?}: {calls} calls done");
}

async fn one(api: &TrivoreId, raw: &Raw, which: Which) {
    match which {
        Which::Sdk => {
            black_box(sdk_user_get(api, USER_ID).await.expect("SDK user_get"));
        }
        Which::Raw => {
            black_box(raw.user_get(USER_ID).await.expect("raw user_get"));
        }
    }
}

/// Calls one after another; returns each call's latency.
async fn sequential<F, Fut, T, E>(calls: usize, f: F) -> Vec<Duration>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        black_box(f().await.expect("request"));
        samples.push(start.elapsed());
    }
    samples
}

/// `total` calls with `in_flight` of them outstanding at any time.
async fn concurrent<F, Fut, T, E>(in_flight: usize, total: usize, f: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Debug,
{
    futures::stream::iter(0..total)
        .map(|_| f())
        .buffer_unordered(in_flight)
        .for_each(|result| {
            black_box(result.expect("request"));
            async {}
        })
        .await;
}

/// What one timed run cost.
#[derive(Default, Clone, Copy)]
struct Run {
    wall: Duration,
    client_cpu: Duration,
    server_cpu: Duration,
}

async fn timed<Fut: Future<Output = ()>>(server: &Server, client_tid: u32, work: Fut) -> Run {
    let (cpu0, server0) = (thread_cpu(client_tid), server.cpu());
    let start = Instant::now();
    work.await;
    let wall = start.elapsed();
    Run {
        wall,
        client_cpu: thread_cpu(client_tid) - cpu0,
        server_cpu: server.cpu() - server0,
    }
}

fn order(round: usize) -> [Which; 2] {
    if round.is_multiple_of(2) {
        [Which::Sdk, Which::Raw]
    } else {
        [Which::Raw, Which::Sdk]
    }
}

async fn bench(api: &TrivoreId, raw: &Raw, server: &Server, client_tid: u32, quick: bool) {
    // Both clients get the same user, equal to the JSON the server sends.
    let expected: trivoreid::types::User =
        serde_json::from_str(&user_json()).expect("the bench user is a valid User");
    let via_sdk = sdk_user_get(api, USER_ID).await.expect("SDK user_get");
    let via_raw = raw.user_get(USER_ID).await.expect("raw user_get");
    assert_eq!(via_sdk, expected);
    assert_eq!(via_raw, expected);
    row(
        "user_get response",
        "JSON body",
        &format!("{} bytes", user_json().len()),
        "same",
        None,
    );
    // What each call in flight holds: the future's size (moved when spawned or boxed).
    let sdk_future = std::mem::size_of_val(&sdk_user_get(api, USER_ID));
    let raw_future = std::mem::size_of_val(&raw.user_get(USER_ID));
    row(
        "user_get future",
        "size",
        &format!("{sdk_future} bytes"),
        &format!("{raw_future} bytes"),
        Some(sdk_future as f64 / raw_future as f64),
    );

    // Warm-up: 64 pooled connections per client, caches, allocator.
    let warm = if quick { 500 } else { 3000 };
    concurrent(64, warm, || sdk_user_get(api, USER_ID)).await;
    concurrent(64, warm, || raw.user_get(USER_ID)).await;
    sequential(warm, || sdk_user_get(api, USER_ID)).await;
    sequential(warm, || raw.user_get(USER_ID)).await;

    // Per-call latency, one call at a time.
    let (rounds, batch) = if quick { (4, 300) } else { (30, 300) };
    let mut latencies = [Vec::new(), Vec::new()];
    let mut cpu = [Vec::new(), Vec::new()];
    let mut ratios = Vec::new();
    let mut cpu_ratios = Vec::new();
    for round in 0..rounds {
        let mut medians = [0.0; 2];
        let mut cpus = [0.0; 2];
        for which in order(round) {
            let i = which as usize;
            let cpu0 = thread_cpu(client_tid);
            let samples = match which {
                Which::Sdk => sequential(batch, || sdk_user_get(api, USER_ID)).await,
                Which::Raw => sequential(batch, || raw.user_get(USER_ID)).await,
            };
            let per_call = (thread_cpu(client_tid) - cpu0).as_secs_f64() / batch as f64;
            cpus[i] = per_call;
            cpu[i].push(per_call);
            medians[i] = Stats::new(samples.clone()).median().as_secs_f64();
            latencies[i].extend(samples);
        }
        ratios.push(medians[0] / medians[1]);
        cpu_ratios.push(cpus[0] / cpus[1]);
        eprintln!(
            "latency round {round}: sdk {:.1} µs, raw {:.1} µs",
            medians[0] * 1e6,
            medians[1] * 1e6
        );
    }
    let [sdk, raw_samples] = latencies.map(Stats::new);
    let name = "user_get, 1 in flight, latency";
    row(
        name,
        "median",
        &micros(sdk.median()),
        &micros(raw_samples.median()),
        Some(median(&ratios)),
    );
    row(
        name,
        "p99",
        &micros(sdk.quantile(0.99)),
        &micros(raw_samples.quantile(0.99)),
        Some(sdk.quantile(0.99).as_secs_f64() / raw_samples.quantile(0.99).as_secs_f64()),
    );
    row(
        name,
        "client CPU per call",
        &format!("{:.1} µs", median(&cpu[0]) * 1e6),
        &format!("{:.1} µs", median(&cpu[1]) * 1e6),
        Some(median(&cpu_ratios)),
    );

    // Throughput with 1, 8 and 64 requests in flight.
    let (rounds, total) = if quick { (3, 2000) } else { (21, 2000) };
    for in_flight in [1, 8, 64] {
        let mut runs = [Vec::new(), Vec::new()];
        let mut ratios = Vec::new();
        let mut cpu_ratios = Vec::new();
        for round in 0..rounds {
            let mut pair = [Run::default(); 2];
            for which in order(round) {
                let run = match which {
                    Which::Sdk => {
                        let work = concurrent(in_flight, total, || sdk_user_get(api, USER_ID));
                        timed(server, client_tid, work).await
                    }
                    Which::Raw => {
                        let work = concurrent(in_flight, total, || raw.user_get(USER_ID));
                        timed(server, client_tid, work).await
                    }
                };
                pair[which as usize] = run;
                runs[which as usize].push(run);
            }
            // Cost ratio: time per request, SDK over raw.
            ratios.push(pair[0].wall.as_secs_f64() / pair[1].wall.as_secs_f64());
            cpu_ratios.push(pair[0].client_cpu.as_secs_f64() / pair[1].client_cpu.as_secs_f64());
            eprintln!(
                "{in_flight} in flight, round {round}: sdk {:.0} req/s, raw {:.0} req/s",
                total as f64 / pair[0].wall.as_secs_f64(),
                total as f64 / pair[1].wall.as_secs_f64()
            );
        }
        let per_second = |runs: &[Run]| {
            median(
                &runs
                    .iter()
                    .map(|r| total as f64 / r.wall.as_secs_f64())
                    .collect::<Vec<_>>(),
            )
        };
        let cpu_per_request = |runs: &[Run]| {
            median(
                &runs
                    .iter()
                    .map(|r| r.client_cpu.as_secs_f64() / total as f64 * 1e6)
                    .collect::<Vec<_>>(),
            )
        };
        let busy = |runs: &[Run]| {
            let share = |f: fn(&Run) -> Duration| {
                median(
                    &runs
                        .iter()
                        .map(|r| f(r).as_secs_f64() / r.wall.as_secs_f64() * 100.0)
                        .collect::<Vec<_>>(),
                )
            };
            format!(
                "client {:.0}%, server {:.0}%",
                share(|r| r.client_cpu),
                share(|r| r.server_cpu)
            )
        };
        let name = format!("user_get, {in_flight} in flight");
        row(
            &name,
            "throughput",
            &format!("{:.0} req/s", per_second(&runs[0])),
            &format!("{:.0} req/s", per_second(&runs[1])),
            Some(median(&ratios)),
        );
        row(
            &name,
            "client CPU per request",
            &format!("{:.1} µs", cpu_per_request(&runs[0])),
            &format!("{:.1} µs", cpu_per_request(&runs[1])),
            Some(median(&cpu_ratios)),
        );
        row(
            &name,
            "CPU busy (of wall time)",
            &busy(&runs[0]),
            &busy(&runs[1]),
            None,
        );
        eprintln!("{in_flight} in flight: done");
    }
}
