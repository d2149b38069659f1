//! Prometheus metrics at `GET /metrics`: requests by matched route and status,
//! their latency, the database pool, Redis errors and purge runs.
//!
//! One process-wide recorder (the `metrics` facade with its Prometheus
//! exporter), installed on first use; the pool gauges are read at scrape time.
//! Routes are labelled by their template (`/todo/tasks/{task_id}`), never the
//! raw path, so the label set stays small and holds no ids or tokens.

use std::{
    collections::HashMap,
    sync::{LazyLock, OnceLock, PoisonError, RwLock},
    time::{Duration, Instant},
};

use ::metrics::{Counter, Histogram};
use axum::{
    extract::{MatchedPath, Request},
    http::Method,
    middleware::Next,
    response::Response,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets in seconds, from a cache hit to a slow argon2 login.
const LATENCY_BUCKETS: &[f64] =
    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's recorder, installed once (tests start many servers in one process).
fn handle() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("http_request_duration_seconds".into()),
                    LATENCY_BUCKETS,
                )
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    describe();
                    upkeep(handle.clone());
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// How often histogram samples are folded into their buckets. The exporter
/// keeps every sample until then (or until a scrape): without this, a server
/// nobody scrapes grows by 8 bytes per request.
const UPKEEP: Duration = Duration::from_secs(5);

fn upkeep(handle: PrometheusHandle) {
    let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
        loop {
            std::thread::sleep(UPKEEP);
            handle.run_upkeep();
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "metrics upkeep thread not started");
    }
}

fn describe() {
    use ::metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!("http_requests_total", "Requests answered, by method, matched route and status");
    describe_histogram!(
        "http_request_duration_seconds",
        ::metrics::Unit::Seconds,
        "Time to answer, by method, matched route and status"
    );
    describe_gauge!("db_pool_connections", "Database pool connections, by state (in_use, idle)");
    describe_gauge!(
        "db_read_pool_connections",
        "Connections of the async pool of hot GET reads, by state (in_use, idle)"
    );
    describe_counter!("redis_errors_total", "Failed Redis calls, by where they failed");
    describe_counter!("purge_runs_total", "Purge job runs, by outcome (done, skipped, failed)");
    describe_counter!(
        "password_hash_jobs_total",
        "Password hashing jobs, by source and outcome (done, abandoned: the request had gone, refused: queue full)"
    );
    describe_counter!(
        "image_budget_refusals_total",
        "Image work refused because the image memory budget was spent"
    );
}

/// Installs the recorder; called when the router is built, before any request.
pub fn init() {
    let _ = handle();
}

/// Middleware: counts and times every answer under its matched route.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let route = route.as_ref().map_or("(unmatched)", MatchedPath::as_str);
    let elapsed = started.elapsed().as_secs_f64();
    with_series(method, route, response.status().as_u16(), |s| {
        s.count.increment(1);
        s.duration.record(elapsed);
    });
    response
}

/// The counter and histogram of one method, route and status.
struct Series {
    method: &'static str,
    status: u16,
    count: Counter,
    duration: Histogram,
}

/// Every series met so far, by route: `counter!` with owned labels builds a
/// key and looks it up in the recorder's registry on every call (a metric
/// registration per request in the first profile); here it is one read lock
/// and a short scan. Bounded like the labels: routes are templates or
/// `(unmatched)`, methods fold into `(other)`, statuses are three digits.
static SERIES: LazyLock<RwLock<HashMap<Box<str>, Vec<Series>>>> = LazyLock::new(RwLock::default);

fn with_series(method: &'static str, route: &str, status: u16, f: impl FnOnce(&Series)) {
    let matches = |s: &&Series| s.method == method && s.status == status;
    {
        let known = SERIES.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(series) = known.get(route).and_then(|all| all.iter().find(matches)) {
            return f(series);
        }
    }
    let mut known = SERIES.write().unwrap_or_else(PoisonError::into_inner);
    let all = known.entry(route.into()).or_default();
    if !all.iter().any(|s| matches(&s)) {
        let labels =
            [("method", method.to_owned()), ("route", route.to_owned()), ("status", status.to_string())];
        all.push(Series {
            method,
            status,
            count: ::metrics::counter!("http_requests_total", &labels),
            duration: ::metrics::histogram!("http_request_duration_seconds", &labels),
        });
    }
    if let Some(series) = all.iter().find(matches) {
        f(series);
    }
}

/// The standard methods by name; any other token a client invents
/// (`MFOO /health`) folds into one value, so labels cannot grow without bound
/// (20,000 invented methods once made `/metrics` 46.8 MB). Unmatched routes
/// fold likewise into `(unmatched)`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "(other)",
    }
}

/// A Redis call failed (`source`: `rate_limit`, `request`, ...).
pub fn redis_error(source: &'static str) {
    ::metrics::counter!("redis_errors_total", "source" => source).increment(1);
}

/// A purge run ended (`outcome`: `done`, `skipped`, `failed`).
pub fn purge_run(outcome: &'static str) {
    ::metrics::counter!("purge_runs_total", "outcome" => outcome).increment(1);
}

/// Every metric in the Prometheus text format, the pool gauges set first from
/// the pools' connections (`in_use`, `idle`) at scrape time.
pub fn exposition(pool: (u32, u32), reads: (u32, u32)) -> String {
    for (name, (in_use, idle)) in [("db_pool_connections", pool), ("db_read_pool_connections", reads)] {
        ::metrics::gauge!(name, "state" => "in_use").set(f64::from(in_use));
        ::metrics::gauge!(name, "state" => "idle").set(f64::from(idle));
    }
    handle().map_or_else(String::new, |handle| {
        handle.run_upkeep();
        handle.render()
    })
}
