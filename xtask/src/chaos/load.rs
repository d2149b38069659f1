//! The load: a fixed rate of writes (tasks with unique titles, webhook credits
//! with unique transaction ids, purchases) and authenticated reads, spread
//! over the live replicas, sent on schedule whatever the answers (open loop)
//! with a bound on calls in flight: past it a call is not sent but counted
//! as skipped, so a hung server costs no memory and no time.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use serde_json::json;
use tokio::{sync::Semaphore, task::JoinSet, time::MissedTickBehavior};

use super::{
    client::{Call, Http, Intent, Request, WriteKind, WriteRecord, submit},
    fleet::Fleet,
    setup::{FIRST_LOAD_TRANSACTION, LOAD_BILL, Seeded, credit},
};

/// Calls in flight at most; the rest of a stall is skipped.
const MAX_IN_FLIGHT: usize = 64;

/// The prefix of every title the load writes.
pub const TITLE_PREFIX: &str = "chaos ";

pub struct Load {
    pub writes: Vec<WriteRecord>,
    pub reads: Vec<Call>,
    /// When calls were due but not sent (too many in flight).
    pub skipped: Vec<Duration>,
}

enum Done {
    Write(WriteRecord),
    Read(Call),
}

/// What the `i`th call of the load is: 40% tasks, 15% credits, 10% purchases,
/// 35% reads.
fn nth(i: u64, seeded: &Seeded) -> Result<Intent, Request> {
    let todo = &seeded.todo_tokens[i as usize % seeded.todo_tokens.len()];
    match i % 20 {
        0..8 => {
            let title = format!("{TITLE_PREFIX}{i}");
            let request =
                Request::post("POST /todo/tasks", "/todo/tasks", Some(todo), json!({"title": title}));
            Ok(Intent { kind: WriteKind::Task, key: title, request })
        }
        8..11 => {
            let transaction = FIRST_LOAD_TRANSACTION + i as i64;
            let body = credit(transaction, seeded.shop_user, LOAD_BILL, "1.50");
            let request = Request::post("POST /shop/payment/webhook", "/shop/payment/webhook", None, body);
            Ok(Intent { kind: WriteKind::Credit, key: transaction.to_string(), request })
        }
        11..13 => {
            let path = format!("/shop/products/{}/buy", seeded.product);
            let body = json!({"bill_id": LOAD_BILL});
            let request = Request::post("POST /shop/…/buy", path, Some(&seeded.shop_token), body);
            Ok(Intent { kind: WriteKind::Purchase, key: format!("purchase {i}"), request })
        }
        13..17 => Err(Request::get("GET /todo/tasks", "/todo/tasks?limit=20", Some(todo))),
        _ => Err(Request::get("GET /shop/bills", "/shop/bills", Some(&seeded.shop_token))),
    }
}

/// Sends `rate` calls a second until `stop`, then waits for those in flight.
pub async fn drive(
    http: Http,
    fleet: Arc<Fleet>,
    seeded: Arc<Seeded>,
    rate: f64,
    stop: Arc<AtomicBool>,
) -> Load {
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut running = JoinSet::new();
    let mut load = Load { writes: Vec::new(), reads: Vec::new(), skipped: Vec::new() };
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        ticker.tick().await;
        while let Some(done) = running.try_join_next() {
            keep(&mut load, done);
        }
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            load.skipped.push(http.clock.now());
            continue;
        };
        let (http, fleet, call) = (http.clone(), fleet.clone(), nth(i, &seeded));
        i += 1;
        running.spawn(async move {
            let done = match call {
                Ok(intent) => Done::Write(submit(&http, &fleet, intent).await),
                Err(read) => match fleet.pick() {
                    Some(port) => Done::Read(http.call(port, &read).await),
                    None => return None,
                },
            };
            drop(permit);
            Some(done)
        });
    }
    while let Some(done) = running.join_next().await {
        keep(&mut load, done);
    }
    load
}

fn keep(load: &mut Load, done: Result<Option<Done>, tokio::task::JoinError>) {
    match done {
        Ok(Some(Done::Write(w))) => load.writes.push(w),
        Ok(Some(Done::Read(r))) => load.reads.push(r),
        _ => {}
    }
}
