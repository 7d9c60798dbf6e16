//! Shared by the bench binaries: a minimal HTTP/1.1 keep-alive server on loopback, the ~2 KB user
//! JSON, the SDK client and the raw reqwest client with the same settings, timing statistics and
//! per-thread CPU time.
//!
//! The server runs on its own OS thread with a current-thread tokio runtime, so that it costs
//! little, is identical for both clients, and its CPU time can be read apart from the client's.
#![allow(dead_code)] // each bench binary uses a different part of this module

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use trivoreid::TrivoreId;
use trivoreid::types;

pub const CLIENT_ID: &str = "bench-client";
pub const CLIENT_SECRET: &str = "bench-secret";
/// The id `user_get` asks for (the server answers any id with the same user).
pub const USER_ID: &str = "5e4a9c1f2b3d4e5f60718293";

const USER_PATH: &str = "/api/rest/v1/user/";
const LIST_PATH: &str = "/api/rest/v1/user?";
/// Replaced by the user's index in generated users.
const MARK: &str = "@N@";

/// A realistic user as the Management API returns it: every section filled in (names, two
/// emails, a mobile, an address, consents, strong identification, customer groups, meta),
/// ~2 KB of JSON. `@N@` marks where the index of a generated user goes.
fn user_template() -> String {
    let pretty = r#"{
        "id": "5e4a9c1f2b3d4e5f607@N@",
        "username": "matti.meikalainen.@N@",
        "userAccountType": "PERSON",
        "nsCode": "acme-corporation",
        "memberOf": ["5e4a9c1f2b3d4e5f60718301", "5e4a9c1f2b3d4e5f60718302", "5e4a9c1f2b3d4e5f60718303"],
        "locale": "fi_FI",
        "preferredLanguage": "fi",
        "timeZone": "Europe/Helsinki",
        "mfaMethod": "TOTP",
        "nickName": "Masa",
        "locked": false,
        "minor": false,
        "websiteMain": "https://www.example.com/~user@N@",
        "websiteAux": "https://blog.example.com/user@N@",
        "domicileCode": "091",
        "domicileClasses": ["URBAN", "CAPITAL_REGION"],
        "dateOfBirth": "1984-06-15",
        "gender": "MALE",
        "sex": "1",
        "nationality": "FI",
        "salutation": "Mr",
        "title": "Senior Systems Engineer",
        "birthFirstName": "Matti",
        "birthMiddleName": "Johannes",
        "birthLastName": "Meikäläinen",
        "tags": ["employee", "engineering", "vpn-access", "building-a", "on-call"],
        "name": {"givenName": "Matti", "middleName": "Johannes", "familyName": "Meikäläinen"},
        "emails": [
            {"address": "matti.meikalainen.@N@@acme.example.com", "name": "work", "verified": true,
             "verifiedBy": "LINK", "verifiedDateTime": "2023-02-01T10:15:30.000Z", "tags": ["primary", "work"]},
            {"address": "masa@N@@mail.example.org", "name": "personal", "verified": false,
             "tags": ["personal"]}
        ],
        "mobiles": [
            {"name": "work", "number": "+358401234567", "verified": true, "tags": ["primary"]}
        ],
        "addresses": [
            {"addressName": "home", "name": "Matti Meikäläinen", "country": "FI", "locality": "Helsinki",
             "region": "Uusimaa", "postalCode": "00100", "streetAddress": "Mannerheimintie 12 B 34",
             "type": "HOME", "organisation": "", "verified": true, "source": "DVV", "language": "fi"}
        ],
        "consents": {
            "marketingPost": false, "marketingEmail": true, "marketingPhone": false,
            "marketingMobileMessage": false, "marketingPushNotification": true, "marketingOther": false,
            "locationing": false, "profiling": true
        },
        "strongIdentification": {
            "method": "BANK", "identificationDocuments": ["PASSPORT"], "otherExplanation": "",
            "personalId": "150684-123X", "remarks": "identified at onboarding", "identifier": "bank-ftn",
            "time": "2022-09-14T07:08:09.000Z", "firstTime": "2021-03-04T08:09:10.000Z",
            "count": 3, "identified": true
        },
        "customerGroupInfo": {
            "student": false, "senior": false, "disabilities": false, "studentValidNow": false,
            "seniorUpdated": "2024-01-02T03:04:05.000Z"
        },
        "meta": {
            "created": "2021-03-04T08:09:10.123Z", "lastModified": "2024-11-12T13:14:15.678Z",
            "location": "https://id.example.com/api/rest/v1/user/5e4a9c1f2b3d4e5f607@N@"
        },
        "place_of_birth": {"country": "FI", "locality": "Tampere", "region": "Pirkanmaa"}
    }"#;
    let value: serde_json::Value = serde_json::from_str(pretty).expect("the user template is JSON");
    value.to_string()
}

/// The user `user_get` answers with, as JSON.
pub fn user_json() -> String {
    user_template().replace(MARK, "18293")
}

/// The generated users of the list pages: the template cut at the `@N@` marks.
struct UserParts(Vec<Vec<u8>>);

impl UserParts {
    fn new() -> Self {
        UserParts(
            user_template()
                .split(MARK)
                .map(|s| s.as_bytes().to_vec())
                .collect(),
        )
    }

    fn write(&self, out: &mut Vec<u8>, index: u64) {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                write!(out, "{index:05}").expect("writing to a Vec");
            }
            out.extend_from_slice(part);
        }
    }
}

/// Knobs and counters of a running server, shared with the bench.
#[derive(Default)]
pub struct ServerState {
    /// `totalResults` of the user list.
    pub total: AtomicU64,
    /// Delay before each list page is answered, in microseconds (a stand-in for the network and
    /// the database of a real server).
    pub page_delay_us: AtomicU64,
    /// Requests answered.
    pub requests: AtomicU64,
}

/// A running loopback server (it lives as long as the process).
pub struct Server {
    pub addr: SocketAddr,
    /// The OS thread id of the server thread (for its CPU time).
    pub tid: u32,
    pub state: Arc<ServerState>,
}

impl Server {
    /// The service address to give the clients.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// CPU time the server thread has used so far.
    pub fn cpu(&self) -> Duration {
        thread_cpu(self.tid)
    }
}

/// Starts the server on its own thread; `on_thread_start` runs first on that thread (the paging
/// bench uses it to leave the server's allocations out of the client's heap count).
pub fn start_server(on_thread_start: fn()) -> Server {
    let (tx, rx) = std::sync::mpsc::channel();
    let state = Arc::new(ServerState::default());
    let shared = state.clone();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            on_thread_start();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                // Also the blocking threads of the page delay.
                .on_thread_start(on_thread_start)
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let addr = listener.local_addr().expect("local addr");
                tx.send((addr, current_tid())).expect("report the address");
                let ctx = Arc::new(Ctx {
                    user_response: user_response(),
                    parts: UserParts::new(),
                    state: shared,
                });
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(serve_connection(stream, ctx.clone()));
                }
            });
        })
        .expect("server thread");
    let (addr, tid) = rx.recv().expect("server started");
    Server { addr, tid, state }
}

struct Ctx {
    user_response: Vec<u8>,
    parts: UserParts,
    state: Arc<ServerState>,
}

fn user_response() -> Vec<u8> {
    let body = user_json();
    let mut out = Vec::new();
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("writing to a Vec");
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn query_value(query: &str, name: &str) -> Option<u64> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

async fn serve_connection(mut stream: TcpStream, ctx: Arc<Ctx>) {
    let _ = stream.set_nodelay(true);
    let mut input: Vec<u8> = Vec::with_capacity(4096);
    let mut body: Vec<u8> = Vec::new();
    let mut out: Vec<u8> = Vec::new();
    loop {
        let end = loop {
            if let Some(at) = find(&input, b"\r\n\r\n") {
                break at + 4;
            }
            input.reserve(4096);
            match stream.read_buf(&mut input).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        let head = &input[..end];
        let line = &head[..find(head, b"\r\n").unwrap_or(end)];
        let target = std::str::from_utf8(line)
            .ok()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or("");
        // Both clients are hyper: header names go out in lowercase.
        let authorized = find(head, b"\r\nauthorization: Basic ").is_some();
        ctx.state.requests.fetch_add(1, Ordering::Relaxed);
        let written = if !authorized {
            stream
                .write_all(b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n")
                .await
        } else if let Some(query) = target.strip_prefix(LIST_PATH) {
            let total = ctx.state.total.load(Ordering::Relaxed);
            let start = query_value(query, "startIndex").unwrap_or(0);
            let count = query_value(query, "count").unwrap_or(100);
            let end = start.saturating_add(count).min(total);
            body.clear();
            write!(
                body,
                r#"{{"totalResults":{total},"startIndex":{start},"itemsPerPage":{},"resources":["#,
                end.saturating_sub(start)
            )
            .expect("writing to a Vec");
            for i in start..end {
                if i > start {
                    body.push(b',');
                }
                ctx.parts.write(&mut body, i);
            }
            body.extend_from_slice(b"]}");
            out.clear();
            write!(
                out,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .expect("writing to a Vec");
            out.extend_from_slice(&body);
            let delay = ctx.state.page_delay_us.load(Ordering::Relaxed);
            if delay > 0 {
                // Idle, as if waiting on a network and a database: a precise sleep on a blocking
                // thread (tokio's timer would round it up to whole milliseconds).
                let delay = Duration::from_micros(delay);
                let _ = tokio::task::spawn_blocking(move || std::thread::sleep(delay)).await;
            }
            stream.write_all(&out).await
        } else if target.starts_with(USER_PATH) {
            stream.write_all(&ctx.user_response).await
        } else {
            stream
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await
        };
        if written.is_err() {
            return;
        }
        // GETs only: no request body to skip.
        input.drain(..end);
    }
}

/// The SDK client, as the README builds it (explicit default timeouts, so that the raw client
/// can copy them).
pub fn sdk_client(base: &str) -> TrivoreId {
    sdk_client_with(base, trivoreid::RetryPolicy::default())
}

/// [`sdk_client`] with another retry policy (`RetryPolicy::none()` shows what retries cost).
pub fn sdk_client_with(base: &str, retry: trivoreid::RetryPolicy) -> TrivoreId {
    TrivoreId::builder()
        .server(base)
        .management_api(CLIENT_ID, CLIENT_SECRET)
        .connect_timeout(trivoreid::config::DEFAULT_CONNECT_TIMEOUT)
        .timeout(trivoreid::config::DEFAULT_TIMEOUT)
        .retry(retry)
        .build()
        .expect("SDK client")
}

/// The baseline: a `reqwest::Client` with the settings `TrivoreId::with_auth` uses, sending the
/// same request (same headers) and decoding into the same type.
pub struct Raw {
    pub client: reqwest::Client,
    base: String,
    auth: HeaderValue,
}

impl Raw {
    pub fn new(api: &TrivoreId) -> Self {
        let client = reqwest::Client::builder()
            .user_agent(trivoreid::client::USER_AGENT)
            .connect_timeout(api.config().connect_timeout())
            .timeout(api.config().timeout())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("reqwest client");
        let credentials = format!("{CLIENT_ID}:{CLIENT_SECRET}");
        let mut auth = HeaderValue::from_str(&format!("Basic {}", BASE64.encode(credentials)))
            .expect("a header value");
        auth.set_sensitive(true);
        Raw {
            client,
            base: api
                .config()
                .server()
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            auth,
        }
    }

    fn get(&self, url: String) -> reqwest::RequestBuilder {
        self.client
            .get(url)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            // The header progenitor adds to every request.
            .header("api-version", HeaderValue::from_static("1"))
            .header(AUTHORIZATION, self.auth.clone())
    }

    /// `GET /user/{id}`, decoded into the SDK's `User`.
    pub async fn user_get(&self, id: &str) -> reqwest::Result<types::User> {
        self.get(format!("{}/api/rest/v1/user/{id}", self.base))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }

    /// One page of `GET /user`, decoded into the SDK's `UserPage`.
    pub async fn user_page(&self, start: i64, count: i64) -> reqwest::Result<types::UserPage> {
        self.get(format!(
            "{}/api/rest/v1/user?count={count}&startIndex={start}",
            self.base
        ))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
    }
}

/// `api.user_get().user_id(id).send()`, into a `User`.
pub async fn sdk_user_get(api: &TrivoreId, id: &str) -> trivoreid::Result<types::User> {
    use trivoreid::prelude::*;
    Ok(api.user_get().user_id(id).send().await?.into_inner())
}

/// The OS id of the calling thread.
pub fn current_tid() -> u32 {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|p| p.file_name()?.to_str()?.parse().ok())
        .unwrap_or(0)
}

/// CPU time a thread of this process has used (from `/proc/self/task/<tid>/schedstat`).
pub fn thread_cpu(tid: u32) -> Duration {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// Busy-waits, standing in for per-item work of a consumer.
pub fn spin(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// Sorted samples.
pub struct Stats(Vec<Duration>);

impl Stats {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Stats(samples)
    }

    pub fn quantile(&self, q: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let at = ((self.0.len() - 1) as f64 * q).round() as usize;
        self.0[at]
    }

    pub fn median(&self) -> Duration {
        self.quantile(0.5)
    }
}

/// The median of some numbers.
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// One row of the results table: benchmark, measure, SDK, baseline, SDK / baseline.
pub fn row(bench: &str, measure: &str, sdk: &str, baseline: &str, ratio: Option<f64>) {
    let ratio = ratio.map_or_else(String::new, |r| format!("{r:.3}"));
    println!("| {bench} | {measure} | {sdk} | {baseline} | {ratio} |");
}

pub fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

pub fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

pub fn kib(bytes: usize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}
