//! What the answers themselves must be: no 500, a 503 that says so properly
//! and leaks nothing, no valid request refused, no refused credential let
//! through, `/ready` quick and truthful, and everything well again at the end.

use std::time::Duration;

use super::{Evidence, READY_WITHIN, Violation};
use crate::chaos::{
    client::{Answer, Call},
    timeline::{Outage, Timeline},
};

/// Words of a backend's own errors that must not reach a client.
const BACKEND_WORDS: &[&str] = &[
    "os error",
    "broken pipe",
    "connection refused",
    "connection reset",
    "terminating connection",
    "could not connect",
    "server closed the connection",
    "redis:",
    "postgresql:",
    "i/o error",
];

pub fn judge(e: &Evidence) -> Vec<Violation> {
    let mut found = server_errors(e);
    found.extend(valid_requests(e));
    found.extend(refusals(e));
    found.extend(readiness(e));
    found
}

fn server_errors(e: &Evidence) -> Vec<Violation> {
    let mut found = Vec::new();
    for call in e.calls() {
        let Some(reply) = call.reply() else { continue };
        let what = || format!("{} ({})", call.label, e.when(call));
        if reply.status >= 500 && reply.status != 503 {
            found.push(Violation::new("no 500 is answered", format!("{} answered {}", what(), reply.status)));
        }
        if matches!(reply.status, 429 | 503) {
            let status = reply.status;
            if !reply.problem {
                found.push(Violation::new(
                    "a 429 or 503 carries a problem body",
                    format!("{} answered {status} without one", what()),
                ));
            }
            if !reply.retry_after {
                found.push(Violation::new(
                    "a 429 or 503 carries Retry-After",
                    format!("{} answered {status} without Retry-After", what()),
                ));
            }
        }
        if reply.status >= 500
            && let Some(detail) = &reply.detail
        {
            let lower = detail.to_lowercase();
            if BACKEND_WORDS.iter().any(|w| lower.contains(w)) {
                found.push(Violation::new(
                    "a 5xx shows no backend's own words",
                    format!("{} answered {}: {detail:?}", what(), reply.status),
                ));
            }
        }
    }
    found
}

/// The load sends only valid requests with live tokens: a 4xx refuses one
/// (429 aside: shedding load is an answer a fault may earn; and a 409 with
/// `Retry-After`: a retried write whose first attempt is still running).
fn valid_requests(e: &Evidence) -> Vec<Violation> {
    let attempts = e.writes.iter().flat_map(|w| &w.attempts).chain(e.reads);
    let mut found = Vec::new();
    for call in attempts {
        let busy = call.reply().is_some_and(|r| r.status == 409 && r.retry_after);
        if let Some(status @ 400..500) = call.status()
            && status != 429
            && !busy
        {
            found.push(Violation::new(
                "no valid request is refused",
                format!("{} ({}) answered {status}", call.label, e.when(call)),
            ));
        }
    }
    let last = e.timeline.windows.len().saturating_sub(1);
    for call in e.writes.iter().flat_map(|w| &w.attempts).chain(e.reads) {
        if e.timeline.window_of(call.at) == last && !call.status().is_some_and(|s| (200..300).contains(&s)) {
            found.push(Violation::new(
                "the service recovers",
                format!("{} ({}) was answered {}", call.label, e.when(call), describe(call)),
            ));
        }
    }
    found
}

/// A refused credential passed authentication when the answer is anything
/// but 401, 403, 429 or a 5xx.
fn refusals(e: &Evidence) -> Vec<Violation> {
    e.probes
        .iter()
        .filter_map(|p| {
            let status = p.call.status()?;
            let refused = matches!(status, 401 | 403 | 429) || status >= 500;
            (!refused).then(|| {
                Violation::new(
                    "revoked tokens and disabled users stay refused",
                    format!("{}: {} ({}) answered {status}", p.probe, p.call.label, e.when(&p.call)),
                )
            })
        })
        .collect()
}

/// What `/ready` had to answer for a call sent at `at` and answered at `until`.
#[derive(Debug, PartialEq, Eq)]
pub enum Truth<'a> {
    /// Everything reachable, and had been for a second.
    Up,
    /// This outage had lasted a second and lasted until the answer.
    Down(&'a Outage),
    /// Near a change: either answer is true.
    Either,
}

pub fn truth(timeline: &Timeline, at: Duration, until: Duration) -> Truth<'_> {
    if let Some(o) = timeline.outages.iter().find(|o| at >= o.down + READY_WITHIN && until <= o.restart) {
        return Truth::Down(o);
    }
    let clear = |o: &Outage| until < o.down || at >= o.up + READY_WITHIN;
    if timeline.outages.iter().all(clear) { Truth::Up } else { Truth::Either }
}

fn readiness(e: &Evidence) -> Vec<Violation> {
    let mut found = Vec::new();
    for call in e.ready {
        // Calls to a replica being killed say nothing about /ready.
        if e.timeline.killed_at(call.replica).is_some_and(|k| call.until() + READY_WITHIN >= k) {
            continue;
        }
        let Answer::Reply(reply) = &call.answer else {
            found.push(Violation::new(
                "/ready answers within a second",
                format!("{} ({}): {}", call.label, e.when(call), describe(call)),
            ));
            continue;
        };
        if call.took > READY_WITHIN {
            found.push(Violation::new(
                "/ready answers within a second",
                format!(
                    "{} ({}) answered {} after {:.1} s",
                    call.label,
                    e.when(call),
                    reply.status,
                    call.took.as_secs_f64()
                ),
            ));
            continue;
        }
        match truth(e.timeline, call.at, call.until()) {
            Truth::Down(o) if reply.status != 503 => found.push(Violation::new(
                "/ready tells the truth",
                format!(
                    "{} ({}) answered {} while {} ({:.1}-{:.1} s)",
                    call.label,
                    e.when(call),
                    reply.status,
                    o.what,
                    secs(o.down),
                    secs(o.restart)
                ),
            )),
            Truth::Up if reply.status != 200 => found.push(Violation::new(
                "/ready tells the truth",
                format!(
                    "{} ({}) answered {} with everything up for a second",
                    call.label,
                    e.when(call),
                    reply.status
                ),
            )),
            _ => {}
        }
    }
    found
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// A call's end in a few words: its status, or why none came.
pub fn describe(call: &Call) -> String {
    match &call.answer {
        Answer::Reply(r) => r.status.to_string(),
        Answer::NotSent(why) => format!("not sent ({why})"),
        Answer::Lost(why) => format!("no answer after {:.1} s ({why})", call.took.as_secs_f64()),
    }
}
