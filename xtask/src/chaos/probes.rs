//! What runs beside the load, on every live replica: the refused credentials
//! are tried again and again (a replica that joins is tried at once), and
//! `/ready` is asked four times a second with a client that waits 3 s, so a
//! hang shows as a slow answer rather than as silence.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use tokio::{sync::Semaphore, task::JoinSet, time::MissedTickBehavior};

use super::{
    client::{Call, Http, Request},
    fleet::Fleet,
    setup::Probe,
};

const PROBE_EVERY: Duration = Duration::from_millis(500);
const READY_EVERY: Duration = Duration::from_millis(250);
/// Longer than `/ready` may take (1 s), short enough to see a hang early.
const READY_TIMEOUT: Duration = Duration::from_secs(3);
/// Probe calls in flight at most (hung ones included).
const MAX_IN_FLIGHT: usize = 64;

/// A refused credential tried once.
#[derive(Clone, Debug)]
pub struct ProbeCall {
    pub probe: &'static str,
    pub call: Call,
}

/// Tries every probe on every live replica each round, until `stop`; a call
/// that hangs delays no other (at most [`MAX_IN_FLIGHT`] at once).
pub async fn refusals(
    http: Http,
    fleet: Arc<Fleet>,
    probes: Vec<Probe>,
    stop: Arc<AtomicBool>,
) -> Vec<ProbeCall> {
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut seen = Vec::new();
    let mut running = JoinSet::new();
    let mut ticker = tokio::time::interval(PROBE_EVERY);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    while !stop.load(Ordering::Relaxed) {
        ticker.tick().await;
        for port in fleet.live() {
            for probe in &probes {
                let Ok(permit) = permits.clone().try_acquire_owned() else { continue };
                let (http, probe) = (http.clone(), probe.clone());
                running.spawn(async move {
                    let call = http.call(port, &probe.request).await;
                    drop(permit);
                    ProbeCall { probe: probe.name, call }
                });
            }
        }
        while let Some(Ok(call)) = running.try_join_next() {
            seen.push(call);
        }
    }
    while let Some(Ok(call)) = running.join_next().await {
        seen.push(call);
    }
    seen
}

/// Asks every live replica `/ready` each round, until `stop`. Each replica is
/// asked on its own schedule, so one that hangs delays no other.
pub async fn readiness(http: Http, fleet: Arc<Fleet>, stop: Arc<AtomicBool>) -> Vec<Call> {
    let request = Request::get("GET /ready", "/ready", None);
    let mut asked = Vec::new();
    let mut running = JoinSet::new();
    let mut ticker = tokio::time::interval(READY_EVERY);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    while !stop.load(Ordering::Relaxed) {
        ticker.tick().await;
        for port in fleet.live() {
            let (http, request) = (http.clone(), request.clone());
            running.spawn(async move { http.call_within(port, &request, READY_TIMEOUT).await });
        }
        while let Some(Ok(call)) = running.try_join_next() {
            asked.push(call);
        }
    }
    while let Some(Ok(call)) = running.join_next().await {
        asked.push(call);
    }
    asked
}
