//! A fault-injecting HTTP/1.1 server on loopback for the reliability tests.
//!
//! Hand-written on raw tokio TCP so that it can misbehave in ways a well-behaved HTTP library
//! never would: drop a connection after reading a request, stall, promise more body than it
//! sends. It is keep-alive aware (several requests per connection, `Connection: close`
//! honoured) and closes the connection after every fault.
//!
//! What each request gets is decided by a [`Plan`]. The decision is a pure function of the
//! plan's seed, the request's method and path and how many requests with that method and path
//! came before (a seeded SplitMix64), so a run is deterministic even when calls run
//! concurrently, as long as each call uses its own path.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The longest a stalled connection is held open when the client never gives up.
const STALL_CAP: Duration = Duration::from_secs(10);
/// Requests whose head is larger than this are refused (the connection is closed).
const MAX_HEAD: usize = 64 * 1024;

/// A `Retry-After` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <n>` (delay-seconds).
    Seconds(u64),
    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) this many seconds from now.
    DateIn(i64),
    /// The obsolete RFC 850 date format (`Sunday, 06-Nov-94 08:49:37 GMT`), seconds from now.
    Rfc850In(i64),
    /// The obsolete ANSI C `asctime()` format (`Sun Nov  6 08:49:37 1994`), seconds from now.
    AsctimeIn(i64),
}

impl RetryAfter {
    fn header_value(&self) -> String {
        let at = |secs: i64| chrono::Utc::now() + chrono::Duration::seconds(secs);
        match self {
            RetryAfter::Seconds(n) => n.to_string(),
            RetryAfter::DateIn(s) => at(*s).format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            RetryAfter::Rfc850In(s) => at(*s).format("%A, %d-%b-%y %H:%M:%S GMT").to_string(),
            RetryAfter::AsctimeIn(s) => at(*s).format("%a %b %e %H:%M:%S %Y").to_string(),
        }
    }
}

/// What the server does with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A valid answer for the operation (JSON, with the operation's success status).
    Ok,
    /// Read the request, then close the connection without answering.
    Drop,
    /// Read the request, then answer nothing until the client goes away.
    Stall,
    /// Send the head and part of the body, then nothing until the client goes away.
    StallBody,
    /// A 200 whose `Content-Length` promises more than is sent; then the connection closes.
    Truncated,
    /// A Trivore JSON error with this status.
    Status(u16),
    /// A Trivore JSON error with this status and a `Retry-After` header.
    RetryAfter(u16, RetryAfter),
    /// An HTML error page with this status (as a proxy sends it).
    Html(u16),
    /// A 200 with `Content-Type: application/json` and a body that is not JSON.
    Garbage,
    /// Any status, content type and body.
    Raw(u16, &'static str, String),
    /// A redirect with this status to `Location`.
    Redirect(u16, String),
}

impl Fault {
    /// A short name, for the per-fault injection counts.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Ok => "ok",
            Fault::Drop => "drop",
            Fault::Stall => "stall",
            Fault::StallBody => "stall-body",
            Fault::Truncated => "truncated",
            Fault::Status(_) => "status",
            Fault::RetryAfter(..) => "retry-after",
            Fault::Html(_) => "html",
            Fault::Garbage => "garbage",
            Fault::Raw(..) => "raw",
            Fault::Redirect(..) => "redirect",
        }
    }
}

/// How the server picks what each request gets.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Every request gets this.
    Always(Fault),
    /// The n-th request (from 0) to each method and path gets `script[n]`; later ones `Ok`.
    Script(Vec<Fault>),
    /// Each request gets one of `faults` (uniformly) with probability `percent`/100, else `Ok`.
    Random {
        seed: u64,
        percent: u64,
        faults: Vec<Fault>,
    },
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Log {
    requests: Vec<Request>,
    counts: HashMap<(String, String), usize>,
    injected: HashMap<&'static str, usize>,
    connections: usize,
}

struct State {
    plan: Mutex<Plan>,
    log: Mutex<Log>,
}

/// The running server; stops when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl FaultServer {
    /// Starts a server on `127.0.0.1:0`.
    pub async fn start(plan: Plan) -> FaultServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::on(listener, plan)
    }

    /// Starts a server on a bound listener.
    pub fn on(listener: TcpListener, plan: Plan) -> FaultServer {
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            plan: Mutex::new(plan),
            log: Mutex::new(Log::default()),
        });
        let accept_state = Arc::clone(&state);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accept_state.log.lock().unwrap().connections += 1;
                tokio::spawn(serve(stream, Arc::clone(&accept_state)));
            }
        });
        FaultServer {
            addr,
            state,
            accept,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the plan (request counts are kept).
    pub fn set_plan(&self, plan: Plan) {
        *self.state.plan.lock().unwrap() = plan;
    }

    /// How many requests with this method and path arrived (read whole, body included).
    pub fn count(&self, method: &str, path: &str) -> usize {
        let log = self.state.log.lock().unwrap();
        log.counts
            .get(&(method.to_owned(), path.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// How many requests arrived in all.
    pub fn total(&self) -> usize {
        self.state.log.lock().unwrap().requests.len()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.log.lock().unwrap().connections
    }

    /// Every request, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.state.log.lock().unwrap().requests.clone()
    }

    /// How many times each fault (by [`Fault::name`]) was injected.
    pub fn injected(&self, name: &str) -> usize {
        let log = self.state.log.lock().unwrap();
        log.injected.get(name).copied().unwrap_or(0)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// SplitMix64: a tiny, well-mixed, seedable generator.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// FNV-1a, to fold a method and path into the generator's input.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    hash
}

impl Plan {
    fn decide(&self, method: &str, path: &str, nth: usize) -> Fault {
        match self {
            Plan::Always(fault) => fault.clone(),
            Plan::Script(script) => script.get(nth).cloned().unwrap_or(Fault::Ok),
            Plan::Random {
                seed,
                percent,
                faults,
            } => {
                let r = splitmix64(seed ^ fnv1a(&[method, path]) ^ splitmix64(nth as u64));
                if faults.is_empty() || r % 100 >= *percent {
                    Fault::Ok
                } else {
                    faults[((r >> 32) % faults.len() as u64) as usize].clone()
                }
            }
        }
    }
}

/// Serves one connection: requests one after another until the client closes it or a fault
/// does.
async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        let fault = {
            let mut log = state.log.lock().unwrap();
            let key = (request.method.clone(), request.path.clone());
            let nth = *log.counts.get(&key).unwrap_or(&0);
            *log.counts.entry(key).or_insert(0) += 1;
            log.requests.push(request.clone());
            let fault = state
                .plan
                .lock()
                .unwrap()
                .decide(&request.method, &request.path, nth);
            *log.injected.entry(fault.name()).or_insert(0) += 1;
            fault
        };
        let close = request
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if !answer(&mut stream, &request, fault, close).await || close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// Reads one request (head and `Content-Length` body); `None` when the connection ends.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?;
    let path = target.split('?').next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"))
    {
        // Not needed by the SDK's requests; refuse rather than misread the stream.
        return None;
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn head(
    status: u16,
    content_type: Option<&str>,
    length: Option<usize>,
    extra: &[(&str, String)],
) -> String {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    if let Some(content_type) = content_type {
        out.push_str(&format!("content-type: {content_type}\r\n"));
    }
    if let Some(length) = length {
        out.push_str(&format!("content-length: {length}\r\n"));
    }
    for (name, value) in extra {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out
}

/// A Trivore error object.
fn error_json(status: u16, message: &str) -> String {
    serde_json::json!({"errorMessage": message, "statusCode": status}).to_string()
}

/// The valid answer for the operations the tests use.
fn ok_answer(request: &Request) -> (u16, Option<String>) {
    let path = request
        .path
        .strip_prefix("/api/rest/v1")
        .unwrap_or(&request.path);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let echo = |id: &str| {
        let mut value: serde_json::Value =
            serde_json::from_slice(&request.body).unwrap_or_else(|_| serde_json::json!({}));
        if !value.is_object() {
            value = serde_json::json!({});
        }
        value["id"] = serde_json::Value::String(id.to_owned());
        value.to_string()
    };
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["user", id]) => (
            200,
            Some(
                serde_json::json!({
                    "id": id,
                    "username": format!("user-{id}"),
                    "nsCode": "acme",
                    "name": {"givenName": "Ada", "familyName": "Lovelace"},
                    "emails": [{"address": "ada@example.com", "verified": true}],
                    "locked": false
                })
                .to_string(),
            ),
        ),
        ("GET", ["group", id]) => (
            200,
            Some(
                serde_json::json!({"id": id, "name": format!("group-{id}"), "nsCode": "acme"})
                    .to_string(),
            ),
        ),
        ("POST", ["group"]) => (201, Some(echo("g-created"))),
        ("PUT", ["group", id]) | ("PUT", ["user", id]) => (200, Some(echo(id))),
        ("DELETE", ["group", _]) | ("DELETE", ["user", _]) => (204, None),
        _ => (
            404,
            Some(error_json(404, "no such resource in the fault server")),
        ),
    }
}

/// Waits until the client closes the connection (or the cap passes).
async fn wait_for_close(stream: &mut TcpStream) {
    let _ = tokio::time::timeout(STALL_CAP, async {
        let mut chunk = [0u8; 1024];
        while let Ok(n) = stream.read(&mut chunk).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

/// A complete answer: status, content type, body and extra headers.
struct Answer {
    status: u16,
    content_type: Option<&'static str>,
    body: Option<String>,
    extra: Vec<(&'static str, String)>,
}

impl Answer {
    fn new(status: u16, content_type: &'static str, body: String) -> Answer {
        Answer {
            status,
            content_type: Some(content_type),
            body: Some(body),
            extra: Vec::new(),
        }
    }
}

/// Answers one request; false when the connection must be closed.
///
/// A connection is kept only after a 2xx answer to a request that did not ask for `close`;
/// otherwise the answer says `Connection: close`, so the client never sends another request
/// on a connection the server is closing (that request would be lost unread).
async fn answer(stream: &mut TcpStream, request: &Request, fault: Fault, close: bool) -> bool {
    let answer = match fault {
        Fault::Ok => {
            let (status, body) = ok_answer(request);
            Answer {
                status,
                content_type: body.is_some().then_some("application/json"),
                body,
                extra: Vec::new(),
            }
        }
        Fault::Drop => return false,
        Fault::Stall => {
            wait_for_close(stream).await;
            return false;
        }
        Fault::StallBody | Fault::Truncated => {
            let (status, body) = ok_answer(request);
            let body = body.unwrap_or_default();
            let part = &body.as_bytes()[..body.len() / 2];
            // Promises the whole body (StallBody) or more (Truncated), sends half.
            let promised = if fault == Fault::Truncated {
                body.len() + 100
            } else {
                body.len()
            };
            let mut out = head(
                status,
                Some("application/json"),
                Some(promised),
                &[("connection", "close".to_owned())],
            )
            .into_bytes();
            out.extend_from_slice(part);
            if stream.write_all(&out).await.is_ok()
                && stream.flush().await.is_ok()
                && fault == Fault::StallBody
            {
                wait_for_close(stream).await;
            }
            return false;
        }
        Fault::Status(status) => Answer::new(
            status,
            "application/json",
            error_json(status, &format!("injected {status}")),
        ),
        Fault::RetryAfter(status, retry_after) => {
            let mut answer = Answer::new(
                status,
                "application/json",
                error_json(status, &format!("injected {status}, retry later")),
            );
            answer
                .extra
                .push(("retry-after", retry_after.header_value()));
            answer
        }
        Fault::Html(status) => Answer::new(status, "text/html", html_page(status)),
        Fault::Garbage => Answer::new(200, "application/json", GARBAGE.to_owned()),
        Fault::Raw(status, content_type, body) => Answer::new(status, content_type, body),
        Fault::Redirect(status, location) => {
            let mut answer = Answer::new(status, "text/plain", String::new());
            answer.extra.push(("location", location));
            answer
        }
    };
    let keep = !close && (200..300).contains(&answer.status);
    let mut extra = answer.extra;
    if !keep {
        extra.push(("connection", "close".to_owned()));
    }
    let length = answer.body.as_ref().map(String::len);
    let mut out = head(answer.status, answer.content_type, length, &extra).into_bytes();
    if let Some(body) = &answer.body {
        out.extend_from_slice(body.as_bytes());
    }
    if stream.write_all(&out).await.is_err() || stream.flush().await.is_err() {
        return false;
    }
    keep
}

/// The body of [`Fault::Garbage`].
pub const GARBAGE: &str = "{\"id\": \"u1\", \"username\": tru]]} <not json";

/// The page of [`Fault::Html`].
pub fn html_page(status: u16) -> String {
    format!(
        "<html><head><title>{status} {reason}</title></head><body><center><h1>{status} {reason}</h1></center><hr><center>nginx</center></body></html>",
        reason = reason(status)
    )
}
