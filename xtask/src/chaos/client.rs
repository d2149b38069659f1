//! The client side: one HTTP call to one replica, recorded as what a client
//! saw (status, problem body, `Retry-After`, latency, or that no answer came),
//! and writes as intents with a key of their own.
//!
//! A write is an [`Intent`] (a unique key plus the request) and its record
//! keeps every attempt. [`submit`] sends it with `Idempotency-Key: <key>` and,
//! as the SDKs' retry layers do, sends it again with the same key after no
//! answer, a 503, a 429 or a 409 with `Retry-After` (its first attempt still
//! running), at most [`RETRIES`] times; the verdict judges a write by all its
//! attempts, and the key is what keeps a retried write from being stored twice.

use std::time::Duration;

use reqwest::{Method, header};
use serde_json::Value;

use super::{fleet::Fleet, timeline::Recorder};

/// How long a client waits for an answer: past the server's own 30 s request
/// timeout, so that a server giving up is seen as its answer, not as ours.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(35);

/// A request, without the replica it goes to.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub path: String,
    /// What the table calls it (`POST /todo/tasks`): no ids, no tokens.
    pub label: &'static str,
    pub token: Option<String>,
    pub body: Option<Value>,
}

impl Request {
    pub fn get(label: &'static str, path: impl Into<String>, token: Option<&str>) -> Self {
        Self { method: Method::GET, path: path.into(), label, token: token.map(str::to_owned), body: None }
    }

    pub fn post(label: &'static str, path: impl Into<String>, token: Option<&str>, body: Value) -> Self {
        Self {
            method: Method::POST,
            path: path.into(),
            label,
            token: token.map(str::to_owned),
            body: Some(body),
        }
    }

    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }
}

/// An answer's status and what the verdict reads from it.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    /// A problem document (`{"Error": ..}` under /dealer, its spec's shape).
    pub problem: bool,
    pub retry_after: bool,
    /// The problem's `detail` (or /dealer's `Error`).
    pub detail: Option<String>,
    /// `id` or `purchase_id` of a 2xx body.
    pub id: Option<i64>,
    pub body: Value,
}

/// What came back.
#[derive(Clone, Debug)]
pub enum Answer {
    Reply(Reply),
    /// The connection could not be made: the server cannot have acted on it.
    NotSent(String),
    /// Sent, but no answer (reset, timeout): the outcome is unknown.
    Lost(String),
}

/// One call as a client saw it.
#[derive(Clone, Debug)]
pub struct Call {
    pub label: &'static str,
    pub replica: u16,
    /// When it was sent, on the run's clock.
    pub at: Duration,
    pub took: Duration,
    pub answer: Answer,
}

impl Call {
    pub fn status(&self) -> Option<u16> {
        match &self.answer {
            Answer::Reply(r) => Some(r.status),
            _ => None,
        }
    }

    pub fn reply(&self) -> Option<&Reply> {
        match &self.answer {
            Answer::Reply(r) => Some(r),
            _ => None,
        }
    }

    pub fn until(&self) -> Duration {
        self.at + self.took
    }
}

/// The HTTP client every part of the run shares.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    pub clock: Recorder,
}

impl Http {
    pub fn new(clock: Recorder) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(CALL_TIMEOUT)
            .pool_max_idle_per_host(32)
            .build()?;
        Ok(Self { client, clock })
    }

    /// Sends `request` to the replica on `port`, waiting at most `timeout`.
    pub async fn call_within(&self, port: u16, request: &Request, timeout: Duration) -> Call {
        self.send(port, request, timeout, None).await
    }

    /// Sends `request` with `Idempotency-Key: <key>` (a write, by [`submit`]).
    pub async fn call_keyed(&self, port: u16, request: &Request, key: &str) -> Call {
        self.send(port, request, CALL_TIMEOUT, Some(key)).await
    }

    async fn send(&self, port: u16, request: &Request, timeout: Duration, key: Option<&str>) -> Call {
        let mut builder = self
            .client
            .request(request.method.clone(), format!("http://127.0.0.1:{port}{}", request.path))
            .timeout(timeout);
        if let Some(token) = &request.token {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        if let Some(key) = key {
            builder = builder.header("Idempotency-Key", key);
        }
        let at = self.clock.now();
        let answer = match builder.send().await {
            Ok(response) => read_reply(response, request.path.starts_with("/dealer")).await,
            Err(e) if e.is_connect() => Answer::NotSent(error_text(&e)),
            Err(e) => Answer::Lost(error_text(&e)),
        };
        Call { label: request.label, replica: port, at, took: self.clock.now() - at, answer }
    }

    pub async fn call(&self, port: u16, request: &Request) -> Call {
        self.call_within(port, request, CALL_TIMEOUT).await
    }
}

async fn read_reply(response: reqwest::Response, dealer: bool) -> Answer {
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key(header::RETRY_AFTER);
    let problem_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(e) => return Answer::Lost(format!("{status}, then the body broke off: {}", error_text(&e))),
    };
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let (problem, detail) = if dealer {
        (body["Error"].is_string(), body["Error"].as_str().map(str::to_owned))
    } else {
        (problem_type && body["status"] == status, body["detail"].as_str().map(str::to_owned))
    };
    let id = if (200..300).contains(&status) {
        body["id"].as_i64().or(body["purchase_id"].as_i64())
    } else {
        None
    };
    Answer::Reply(Reply { status, problem, retry_after, detail, id, body })
}

/// The innermost cause: "connection refused" rather than reqwest's outer words.
fn error_text(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(inner) = source.source() {
        source = inner;
    }
    let text = source.to_string();
    if e.is_timeout() { format!("timed out ({text})") } else { text }
}

/// What a write does, for the verdict's lookup of what was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WriteKind {
    /// `POST /todo/tasks`; the key is the task's title.
    Task,
    /// `POST /shop/payment/webhook`; the key is the transaction id.
    Credit,
    /// `POST /shop/products/{id}/buy`; no key of its own in what is stored.
    Purchase,
}

/// A write the client means to make once, whatever it takes.
#[derive(Clone, Debug)]
pub struct Intent {
    pub kind: WriteKind,
    /// Unique per intent: what the stored row is found by (and, with issue 16,
    /// the `Idempotency-Key`).
    pub key: String,
    pub request: Request,
}

/// An intent and every attempt made for it.
#[derive(Clone, Debug)]
pub struct WriteRecord {
    pub kind: WriteKind,
    pub key: String,
    pub attempts: Vec<Call>,
}

/// Retries of a write after its first attempt (the SDKs' default).
pub const RETRIES: u32 = 3;

/// Sends the intent to a live replica with its key, and again (to any live
/// replica) while the answer says the write did not happen or may be retried.
pub async fn submit(http: &Http, fleet: &Fleet, intent: Intent) -> WriteRecord {
    let key = idempotency_key(intent.kind, &intent.key);
    let mut attempts = Vec::with_capacity(1);
    for attempt in 0..=RETRIES {
        let Some(port) = fleet.pick() else { break };
        let call = http.call_keyed(port, &intent.request, &key).await;
        let wait = retry_wait(&call, attempt);
        attempts.push(call);
        match wait {
            Some(wait) if attempt < RETRIES => tokio::time::sleep(wait).await,
            _ => break,
        }
    }
    WriteRecord { kind: intent.kind, key: intent.key, attempts }
}

/// The intent's `Idempotency-Key`: its kind and key, hex-encoded, as keys
/// must be visible ASCII (titles hold spaces).
pub fn idempotency_key(kind: WriteKind, key: &str) -> String {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("chaos-{kind:?}-{hex}")
}

/// How long to wait before sending a keyed write again, or `None` when its
/// answer is final: `Retry-After` when given, else 200 ms doubled per attempt.
pub fn retry_wait(call: &Call, attempt: u32) -> Option<Duration> {
    let backoff = Duration::from_millis(200 * 2u64.pow(attempt));
    match &call.answer {
        Answer::NotSent(_) | Answer::Lost(_) => Some(backoff),
        Answer::Reply(r) if matches!(r.status, 503 | 429) || (r.status == 409 && r.retry_after) => {
            Some(if r.retry_after { Duration::from_secs(1) } else { backoff })
        }
        Answer::Reply(_) => None,
    }
}
