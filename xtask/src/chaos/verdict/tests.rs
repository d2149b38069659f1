//! The verdict on made-up runs: a run where everything held passes, and each
//! way of breaking an invariant is named by its rule (and by no other).

use std::{collections::BTreeSet, time::Duration};

use serde_json::Value;

use super::{Evidence, Outcome, PG_PAUSED, PG_STOPPED, REDIS_STOPPED, judge, outcome};
use crate::chaos::{
    client::{Answer, Call, Reply, WriteKind, WriteRecord},
    probes::ProbeCall,
    store::Stored,
    timeline::{Outage, Timeline, Window},
};

fn s(secs: f64) -> Duration {
    Duration::from_secs_f64(secs)
}

fn reply(status: u16) -> Answer {
    Answer::Reply(Reply {
        status,
        problem: true,
        retry_after: true,
        detail: None,
        id: None,
        body: Value::Null,
    })
}

fn acked(id: i64) -> Answer {
    Answer::Reply(Reply {
        status: 201,
        problem: false,
        retry_after: false,
        detail: None,
        id: Some(id),
        body: Value::Null,
    })
}

fn call(label: &'static str, replica: u16, at: f64, answer: Answer) -> Call {
    Call { label, replica, at: s(at), took: s(0.01), answer }
}

fn write(kind: WriteKind, key: &str, attempts: Vec<Call>) -> WriteRecord {
    WriteRecord { kind, key: key.into(), attempts }
}

/// Replicas 1-3 from the start, 2 killed at 30 s, 4 started at 31 s.
fn timeline() -> Timeline {
    let window = |name, from: f64| Window { name, from: s(from) };
    let outage = |what, down: f64, up: f64| Outage { what, down: s(down), restart: s(up), up: s(up) };
    Timeline {
        windows: vec![
            window("steady", 0.0),
            window("pg-restart", 10.0),
            window("redis-restart", 20.0),
            window("replica-kill", 30.0),
            window("pg-pause", 40.0),
            window("after", 60.0),
        ],
        outages: vec![
            outage(PG_STOPPED, 10.0, 13.0),
            outage(REDIS_STOPPED, 20.0, 23.0),
            outage(PG_PAUSED, 40.0, 50.0),
        ],
        killed: vec![(2, s(30.0))],
        started: vec![(1, s(0.0)), (2, s(0.0)), (3, s(0.0)), (4, s(31.0))],
        end: s(66.0),
    }
}

/// A run in which every invariant held.
struct Run {
    timeline: Timeline,
    writes: Vec<WriteRecord>,
    reads: Vec<Call>,
    probes: Vec<ProbeCall>,
    ready: Vec<Call>,
    stored: Stored,
}

impl Run {
    fn clean() -> Self {
        let writes = vec![
            write(WriteKind::Task, "chaos 1", vec![call("POST /todo/tasks", 1, 1.0, acked(10))]),
            write(WriteKind::Task, "chaos 2", vec![call("POST /todo/tasks", 3, 11.0, reply(503))]),
            write(WriteKind::Credit, "1001", vec![call("POST /shop/payment/webhook", 1, 2.0, reply(200))]),
            write(WriteKind::Purchase, "purchase 3", vec![call("POST /shop/…/buy", 3, 3.0, acked(7))]),
        ];
        let reads =
            vec![call("GET /todo/tasks", 1, 5.0, reply(200)), call("GET /todo/tasks", 4, 62.0, reply(200))];
        let mut probes = Vec::new();
        for (port, at) in [(1, 24.0), (2, 25.0), (3, 26.0), (4, 32.0)] {
            probes.push(ProbeCall {
                probe: "todo logout",
                call: call("GET /todo/tasks", port, at, reply(401)),
            });
        }
        let mut ready = Vec::new();
        for (at, status) in [(5.0, 200), (11.5, 503), (21.5, 503), (45.0, 503), (62.0, 200)] {
            ready.push(call("GET /ready", 1, at, reply(status)));
        }
        let mut stored = Stored::default();
        stored.rows.insert((WriteKind::Task, "chaos 1".into()), 1);
        stored.rows.insert((WriteKind::Credit, "1001".into()), 1);
        stored.purchases.insert(7);
        Self { timeline: timeline(), writes, reads, probes, ready, stored }
    }

    /// The rules broken.
    fn broken(&self) -> BTreeSet<&'static str> {
        let evidence = Evidence {
            timeline: &self.timeline,
            writes: &self.writes,
            reads: &self.reads,
            probes: &self.probes,
            ready: &self.ready,
            stored: &self.stored,
        };
        judge(&evidence).into_iter().map(|v| v.rule).collect()
    }
}

fn only(rule: &'static str) -> BTreeSet<&'static str> {
    BTreeSet::from([rule])
}

#[test]
fn a_run_where_everything_held_passes() {
    assert_eq!(Run::clean().broken(), BTreeSet::new());
}

#[test]
fn an_acknowledged_write_missing_from_the_database_is_caught() {
    let mut run = Run::clean();
    run.stored.rows.clear();
    run.stored.purchases.clear();
    assert_eq!(run.broken(), BTreeSet::from(["every acknowledged write is stored"]));
}

#[test]
fn a_write_stored_twice_is_caught() {
    let mut run = Run::clean();
    run.stored.rows.insert((WriteKind::Task, "chaos 1".into()), 2);
    assert_eq!(run.broken(), only("every acknowledged write is stored once"));
}

#[test]
fn a_write_answered_503_yet_stored_is_caught() {
    let mut run = Run::clean();
    run.stored.rows.insert((WriteKind::Task, "chaos 2".into()), 1);
    assert_eq!(run.broken(), only("no write answered with an error is stored"));
}

#[test]
fn a_write_that_lost_its_answer_may_be_stored_or_not() {
    let mut run = Run::clean();
    run.writes[1].attempts[0].answer = Answer::Lost("connection reset".into());
    assert_eq!(run.broken(), BTreeSet::new());
    run.stored.rows.insert((WriteKind::Task, "chaos 2".into()), 1);
    assert_eq!(run.broken(), BTreeSet::new());
}

#[test]
fn rows_no_client_wrote_are_caught() {
    let mut run = Run::clean();
    run.stored.rows.insert((WriteKind::Credit, "999999".into()), 1);
    assert_eq!(run.broken(), only("nothing is stored that was not sent"));
}

#[test]
fn purchases_beyond_the_acknowledged_and_the_unknown_are_caught() {
    let mut run = Run::clean();
    run.stored.purchases.insert(8);
    assert_eq!(run.broken(), only("no write answered with an error is stored"));
    run.writes.push(write(
        WriteKind::Purchase,
        "purchase 4",
        vec![call("POST /shop/…/buy", 1, 4.0, Answer::Lost("timed out".into()))],
    ));
    assert_eq!(run.broken(), BTreeSet::new(), "one unanswered purchase may be the extra one");
}

#[test]
fn money_that_does_not_add_up_is_caught() {
    let mut run = Run::clean();
    run.stored.money = Some("bill 1: balance 3.00, but ...".into());
    assert_eq!(run.broken(), only("the money adds up"));
}

#[test]
fn a_500_and_a_bare_503_are_caught() {
    let mut run = Run::clean();
    run.writes[1].attempts[0].answer = reply(500);
    assert_eq!(run.broken(), only("no 500 is answered"));
    let mut run = Run::clean();
    run.writes[1].attempts[0].answer = Answer::Reply(Reply {
        status: 503,
        problem: false,
        retry_after: false,
        detail: None,
        id: None,
        body: Value::Null,
    });
    assert_eq!(
        run.broken(),
        BTreeSet::from(["a 429 or 503 carries Retry-After", "a 429 or 503 carries a problem body"])
    );
}

#[test]
fn a_backend_error_text_in_a_503_is_caught() {
    let mut run = Run::clean();
    if let Answer::Reply(r) = &mut run.ready[1].answer {
        r.detail = Some("Redis: Connection refused (os error 111)".into());
    }
    assert_eq!(run.broken(), only("a 5xx shows no backend's own words"));
}

#[test]
fn a_valid_request_refused_is_caught() {
    let mut run = Run::clean();
    run.reads[0].answer = reply(401);
    assert_eq!(run.broken(), only("no valid request is refused"));
    // Shedding load (429 with Retry-After) refuses nothing that was valid.
    run.reads[0].answer = reply(429);
    assert_eq!(run.broken(), BTreeSet::new());
}

#[test]
fn an_error_after_the_faults_is_caught() {
    let mut run = Run::clean();
    run.reads[1].answer = reply(503);
    assert_eq!(run.broken(), only("the service recovers"));
}

#[test]
fn a_revoked_token_accepted_by_the_new_replica_is_caught() {
    let mut run = Run::clean();
    run.probes[3].call.answer = reply(200);
    assert_eq!(run.broken(), only("revoked tokens and disabled users stay refused"));
    // A refusal that is a 503 (Redis down) or any 4xx of authentication is a refusal.
    let mut run = Run::clean();
    run.probes[3].call.answer = reply(503);
    run.probes[2].call.answer = reply(403);
    assert_eq!(run.broken(), BTreeSet::new());
    // A 404 or 402 means authentication passed.
    run.probes[2].call.answer = reply(402);
    assert_eq!(run.broken(), only("revoked tokens and disabled users stay refused"));
}

#[test]
fn ready_answering_200_while_postgres_is_paused_is_caught() {
    let mut run = Run::clean();
    run.ready[3].answer = reply(200);
    assert_eq!(run.broken(), only("/ready tells the truth"));
}

#[test]
fn ready_answering_503_with_everything_up_is_caught() {
    let mut run = Run::clean();
    run.ready[4].answer = reply(503);
    assert_eq!(run.broken(), only("/ready tells the truth"));
}

#[test]
fn ready_may_say_either_within_a_second_of_a_change() {
    let mut run = Run::clean();
    run.ready.push(call("GET /ready", 1, 10.5, reply(200)));
    run.ready.push(call("GET /ready", 1, 13.5, reply(503)));
    run.ready.push(call("GET /ready", 1, 9.995, reply(503)));
    assert_eq!(run.broken(), BTreeSet::new());
}

#[test]
fn a_slow_or_silent_ready_is_caught_but_not_on_a_replica_being_killed() {
    let mut run = Run::clean();
    run.ready[3].took = s(1.5);
    assert_eq!(run.broken(), only("/ready answers within a second"));
    let mut run = Run::clean();
    run.ready[3].answer = Answer::Lost("timed out".into());
    assert_eq!(run.broken(), only("/ready answers within a second"));
    let mut run = Run::clean();
    run.ready.push(call("GET /ready", 2, 29.5, Answer::Lost("connection reset".into())));
    assert_eq!(run.broken(), BTreeSet::new());
}

#[test]
fn a_run_that_did_not_exercise_a_check_fails() {
    let mut run = Run::clean();
    run.probes.retain(|p| p.call.replica != 4);
    assert_eq!(run.broken(), only("the run exercised every check"));
    let mut run = Run::clean();
    run.ready.retain(|c| c.at != s(45.0));
    assert_eq!(run.broken(), only("the run exercised every check"));
    let mut run = Run::clean();
    run.timeline.started.retain(|(port, _)| *port != 4);
    run.probes.retain(|p| p.call.replica != 4);
    run.reads.clear();
    assert_eq!(run.broken(), only("the run exercised every check"));
}

#[test]
fn a_write_is_judged_by_all_its_attempts() {
    let at = |answer| call("POST /todo/tasks", 1, 1.0, answer);
    let lost = || Answer::Lost("reset".into());
    let not_sent = || Answer::NotSent("refused".into());
    assert_eq!(outcome(&[at(lost()), at(acked(3))]), Outcome::Acked(Some(3)));
    assert_eq!(outcome(&[at(reply(503)), at(lost())]), Outcome::Unknown);
    assert_eq!(outcome(&[at(not_sent()), at(reply(503))]), Outcome::Refused(503));
    assert_eq!(outcome(&[at(not_sent())]), Outcome::NotSent);
    assert_eq!(outcome(&[]), Outcome::NotSent);
}

#[test]
fn a_keyed_retry_that_was_busy_then_replayed_passes_and_a_second_purchase_is_caught() {
    let mut run = Run::clean();
    // Lost, then 409 while the first attempt still ran, then the replayed 201.
    run.writes[3].attempts = vec![
        call("POST /shop/…/buy", 3, 3.0, Answer::Lost("reset".into())),
        call("POST /shop/…/buy", 1, 3.5, reply(409)),
        call("POST /shop/…/buy", 1, 4.5, acked(7)),
    ];
    assert_eq!(run.broken(), BTreeSet::new());
    // Had the retry run the purchase again, the database would hold two.
    run.stored.purchases.insert(8);
    assert_eq!(run.broken(), only("no write answered with an error is stored"));
}

#[test]
fn retries_follow_the_answer() {
    use crate::chaos::client::retry_wait;
    let at = |answer| call("POST /todo/tasks", 1, 1.0, answer);
    assert_eq!(retry_wait(&at(reply(503)), 0), Some(Duration::from_secs(1)), "Retry-After honoured");
    assert_eq!(retry_wait(&at(Answer::Lost("reset".into())), 2), Some(Duration::from_millis(800)));
    assert_eq!(retry_wait(&at(acked(1)), 0), None);
    assert_eq!(retry_wait(&at(reply(422)), 0), None);
}

#[test]
fn intent_keys_are_valid_idempotency_keys() {
    let key = crate::chaos::client::idempotency_key(WriteKind::Task, "chaos 1 é");
    assert!(key.len() <= 255 && key.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{key}");
    assert_ne!(key, crate::chaos::client::idempotency_key(WriteKind::Purchase, "chaos 1 é"));
}

/// Once a service is started again it may answer before the harness hears it
/// (a poll and a thread hop later): a 200 then is not a lie; before it is.
#[test]
fn ready_may_say_up_once_the_restart_began() {
    let mut run = Run::clean();
    run.timeline.outages[1].restart = s(22.0);
    run.ready.push(call("GET /ready", 1, 22.5, reply(200)));
    assert_eq!(run.broken(), BTreeSet::new());
    run.ready.push(call("GET /ready", 1, 21.5, reply(200)));
    assert_eq!(run.broken(), only("/ready tells the truth"));
}
