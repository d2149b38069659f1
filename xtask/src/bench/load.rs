//! A closed-loop HTTP/1.1 load generator: N keep-alive connections, each
//! sending its next request as soon as the previous answer arrives, for a
//! fixed time. Every answer's status is checked; latencies go into an HDR
//! histogram. Written here (not wrk) because the money and transfer scenarios
//! need per-request bodies, signatures and follow-up requests.
//!
//! `run_paced` is the open-loop variant (what wrk2 does): requests are sent
//! on a fixed schedule, and each latency counts from when its request was
//! due, so a stalled server shows up in the percentiles instead of slowing
//! the load down (no coordinated omission).

use std::{
    future::Future,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, client::conn::http1::SendRequest};
use hyper_util::rt::TokioIo;
use serde::Serialize;

/// One request of a scenario, with the status it must answer.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub token: Option<String>,
    pub body: Option<String>,
    pub expect: u16,
    /// Sent as `Idempotency-Key`.
    pub key: Option<String>,
}

impl Req {
    pub fn get(path: impl Into<String>, token: Option<&str>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            token: token.map(str::to_owned),
            body: None,
            expect: 200,
            key: None,
        }
    }
    pub fn send(
        method: Method,
        path: impl Into<String>,
        token: Option<&str>,
        body: String,
        expect: u16,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            token: token.map(str::to_owned),
            body: Some(body),
            expect,
            key: None,
        }
    }

    /// The same request with an `Idempotency-Key`.
    pub fn keyed(mut self, key: String) -> Self {
        self.key = Some(key);
        self
    }
}

/// A worker's connection: sends requests and records their latency.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: String,
    histogram: Histogram<u64>,
    /// When the next request was due (paced runs): its latency counts from then.
    due: Option<Instant>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await.context("connect")?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            host: addr.to_string(),
            histogram: Histogram::new_with_bounds(1, 60_000_000, 3)?,
            due: None,
            errors: 0,
            first_error: None,
        })
    }

    /// Sends one request; `Some(body)` when it answered the expected status.
    pub async fn call(&mut self, req: Req) -> Option<Bytes> {
        let mut builder = Request::builder().method(req.method).uri(&req.path).header("host", &self.host);
        if let Some(token) = &req.token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        if let Some(key) = &req.key {
            builder = builder.header("idempotency-key", key);
        }
        let body = match req.body {
            Some(body) => {
                builder = builder.header("content-type", "application/json");
                Full::new(Bytes::from(body))
            }
            None => Full::new(Bytes::new()),
        };
        let started = self.due.take().unwrap_or_else(Instant::now);
        let result = async {
            let request = builder.body(body)?;
            self.sender.ready().await?;
            let response = self.sender.send_request(request).await?;
            let status = response.status().as_u16();
            let bytes = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, bytes))
        }
        .await;
        let micros = started.elapsed().as_micros().max(1) as u64;
        let _ = self.histogram.record(micros);
        match result {
            Ok((status, bytes)) if status == req.expect => Some(bytes),
            Ok((status, bytes)) => {
                self.fail(format!(
                    "{} answered {status}, expected {}: {}",
                    req.path,
                    req.expect,
                    String::from_utf8_lossy(&bytes)
                ));
                None
            }
            Err(e) => {
                self.fail(format!("{}: {e}", req.path));
                None
            }
        }
    }

    fn fail(&mut self, message: String) {
        self.errors += 1;
        self.first_error.get_or_insert(message);
    }
}

/// One iteration of a scenario: takes the worker's connection and gives it back.
pub type Step = Arc<dyn Fn(u64, Conn) -> Pin<Box<dyn Future<Output = Conn> + Send>> + Send + Sync>;

/// Wraps an async closure as a scenario step.
pub fn step<F, Fut>(f: F) -> Step
where
    F: Fn(u64, Conn) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Conn> + Send + 'static,
{
    Arc::new(move |i, conn| Box::pin(f(i, conn)))
}

/// What one load run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// CPU per request of the server and its PostgreSQL backends (`cpu.rs`).
    #[serde(flatten)]
    pub cpu: Option<super::cpu::Cpu>,
}

/// Runs `step` on `connections` connections for `duration` (or until `limit`
/// iterations in all, when given).
pub async fn run(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    limit: Option<u64>,
    step: Step,
) -> anyhow::Result<Stats> {
    let counter = Arc::new(AtomicU64::new(0));
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::open(addr).await?);
    }
    let cpu = super::cpu::sample();
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::with_capacity(connections);
    for mut conn in conns {
        let (step, counter) = (step.clone(), counter.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                if limit.is_some_and(|l| i >= l) {
                    break;
                }
                conn = step(i, conn).await;
            }
            conn
        }));
    }
    collect(workers, started, cpu).await
}

/// Runs `step` on `connections` connections for `duration`, starting
/// `rate` iterations a second in all, evenly spread: each connection sends
/// on its own schedule, and a late answer delays its next request without
/// excusing it (that request's latency counts from when it was due).
pub async fn run_paced(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    rate: f64,
    step: Step,
) -> anyhow::Result<Stats> {
    let counter = Arc::new(AtomicU64::new(0));
    let interval = Duration::from_secs_f64(connections as f64 / rate);
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(Conn::open(addr).await?);
    }
    let cpu = super::cpu::sample();
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::with_capacity(connections);
    for (w, mut conn) in conns.into_iter().enumerate() {
        let (step, counter) = (step.clone(), counter.clone());
        let mut due = started + interval.mul_f64(w as f64 / connections as f64);
        workers.push(tokio::spawn(async move {
            while due < deadline {
                tokio::time::sleep_until(due.into()).await;
                conn.due = Some(due);
                conn = step(counter.fetch_add(1, Ordering::Relaxed), conn).await;
                due += interval;
            }
            conn
        }));
    }
    collect(workers, started, cpu).await
}

/// Merges the workers' histograms and errors into one run's figures.
async fn collect(
    workers: Vec<tokio::task::JoinHandle<Conn>>,
    started: Instant,
    cpu: Option<super::cpu::Sample>,
) -> anyhow::Result<Stats> {
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut errors, mut first_error) = (0, None);
    for worker in workers {
        let conn = worker.await?;
        histogram.add(&conn.histogram)?;
        errors += conn.errors;
        first_error = first_error.or(conn.first_error);
    }
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu.and_then(|before| before.cost(histogram.len()));
    let ms = |v: u64| v as f64 / 1000.0;
    Ok(Stats {
        requests: histogram.len(),
        errors,
        seconds,
        rps: histogram.len() as f64 / seconds,
        p50_ms: ms(histogram.value_at_quantile(0.50)),
        p99_ms: ms(histogram.value_at_quantile(0.99)),
        max_ms: ms(histogram.max()),
        first_error,
        cpu,
    })
}
