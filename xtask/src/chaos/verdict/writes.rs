//! Writes against the database: every acknowledged write stored exactly
//! once, no write answered with an error stored, and the money adds up.
//! A write whose answer never came (reset, timeout) may go either way: it is
//! counted, not judged.

use std::collections::BTreeSet;

use super::{Evidence, Violation};
use crate::chaos::client::{Answer, Call, WriteKind};

/// How a write ended, over all its attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Some attempt answered 2xx (with the id it gave, if any).
    Acked(Option<i64>),
    /// Every attempt answered an error (the last one's status) or was never
    /// sent: nothing may be stored.
    Refused(u16),
    /// No answer to some attempt and no 2xx: stored or not, either is right.
    Unknown,
    /// No attempt reached a server.
    NotSent,
}

pub fn outcome(attempts: &[Call]) -> Outcome {
    if let Some(reply) = attempts.iter().filter_map(Call::reply).find(|r| (200..300).contains(&r.status)) {
        return Outcome::Acked(reply.id);
    }
    if attempts.iter().any(|a| matches!(a.answer, Answer::Lost(_))) {
        return Outcome::Unknown;
    }
    attempts.iter().rev().find_map(Call::status).map_or(Outcome::NotSent, Outcome::Refused)
}

pub fn judge(e: &Evidence) -> Vec<Violation> {
    let mut found = keyed(e);
    found.extend(purchases(e));
    if let Some(money) = &e.stored.money {
        found.push(Violation::new("the money adds up", money.clone()));
    }
    found
}

/// Tasks (by title) and credits (by transaction id).
fn keyed(e: &Evidence) -> Vec<Violation> {
    let mut found = Vec::new();
    let mut asked = BTreeSet::new();
    for w in e.writes.iter().filter(|w| w.kind != WriteKind::Purchase) {
        asked.insert((w.kind, w.key.clone()));
        let rows = e.stored.rows.get(&(w.kind, w.key.clone())).copied().unwrap_or(0);
        let last = w.attempts.last();
        let when = last.map(|c| e.when(c)).unwrap_or_default();
        match outcome(&w.attempts) {
            Outcome::Acked(_) if rows == 0 => found.push(Violation::new(
                "every acknowledged write is stored",
                format!("{:?} `{}` ({when}) was acknowledged but is not stored", w.kind, w.key),
            )),
            Outcome::Refused(status) if rows > 0 => found.push(Violation::new(
                "no write answered with an error is stored",
                format!("{:?} `{}` ({when}) was answered {status}, yet it is stored", w.kind, w.key),
            )),
            Outcome::NotSent if rows > 0 => found.push(Violation::new(
                "nothing is stored that was not sent",
                format!("{:?} `{}` never reached a server, yet it is stored", w.kind, w.key),
            )),
            _ => {}
        }
        if rows > 1 {
            found.push(Violation::new(
                "every acknowledged write is stored once",
                format!("{:?} `{}` is stored {rows} times", w.kind, w.key),
            ));
        }
    }
    for (kind, key) in e.stored.rows.keys().filter(|k| !asked.contains(*k)) {
        found.push(Violation::new(
            "nothing is stored that was not sent",
            format!("{kind:?} `{key}` is stored but no client wrote it"),
        ));
    }
    found
}

/// Purchases carry no key in what is stored: every acknowledged id must be
/// there, and no more purchases than acknowledged ones and unknown ones.
fn purchases(e: &Evidence) -> Vec<Violation> {
    let mut found = Vec::new();
    let (mut acked, mut unknown) = (BTreeSet::new(), 0usize);
    for w in e.writes.iter().filter(|w| w.kind == WriteKind::Purchase) {
        match outcome(&w.attempts) {
            Outcome::Acked(Some(id)) => {
                acked.insert(id);
            }
            Outcome::Acked(None) => found.push(Violation::new(
                "every acknowledged write is stored",
                format!("purchase `{}` was acknowledged without a purchase_id", w.key),
            )),
            Outcome::Unknown => unknown += 1,
            _ => {}
        }
    }
    for id in acked.difference(&e.stored.purchases) {
        found.push(Violation::new(
            "every acknowledged write is stored",
            format!("purchase {id} was acknowledged but is not stored"),
        ));
    }
    let extra = e.stored.purchases.difference(&acked).count();
    if extra > unknown {
        found.push(Violation::new(
            "no write answered with an error is stored",
            format!(
                "{extra} purchases are stored that no 2xx acknowledged, but only {unknown} purchases went unanswered"
            ),
        ));
    }
    found
}
