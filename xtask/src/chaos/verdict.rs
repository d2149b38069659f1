//! The invariants, judged after the run from what clients saw, what the
//! database holds and when each fault happened. Pure functions of that
//! evidence, so the tests below can feed them a broken run and see each
//! violation named.
//!
//! Besides the invariants, coverage: a check that had nothing to judge (no
//! `/ready` call while PostgreSQL was paused, no probe on the replica started
//! after the Redis restart, no acknowledged write) is a violation too, so a
//! run that tested nothing cannot pass.

mod answers;
#[cfg(test)]
mod tests;
mod writes;

use std::time::Duration;

use super::{
    client::{Call, WriteRecord},
    probes::ProbeCall,
    store::Stored,
    timeline::Timeline,
};

pub use writes::{Outcome, outcome};

/// What `/ready` had to say, and how soon.
pub const READY_WITHIN: Duration = Duration::from_secs(1);

/// Outage names, as the timeline records them.
pub const PG_STOPPED: &str = "PostgreSQL stopped";
pub const PG_PAUSED: &str = "PostgreSQL paused";
pub const REDIS_STOPPED: &str = "Redis stopped";

/// Everything the run left behind.
pub struct Evidence<'a> {
    pub timeline: &'a Timeline,
    pub writes: &'a [WriteRecord],
    pub reads: &'a [Call],
    pub probes: &'a [ProbeCall],
    pub ready: &'a [Call],
    pub stored: &'a Stored,
}

impl Evidence<'_> {
    /// Every call any client made.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.writes
            .iter()
            .flat_map(|w| &w.attempts)
            .chain(self.reads)
            .chain(self.probes.iter().map(|p| &p.call))
            .chain(self.ready)
    }

    /// A call's place on the timeline, for messages.
    pub fn when(&self, call: &Call) -> String {
        let window = self.timeline.windows.get(self.timeline.window_of(call.at)).map_or("", |w| w.name);
        format!("sent at {:.1} s ({window}) to port {}", call.at.as_secs_f64(), call.replica)
    }
}

/// One invariant broken, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    pub what: String,
}

impl Violation {
    pub fn new(rule: &'static str, what: impl Into<String>) -> Self {
        Self { rule, what: what.into() }
    }
}

pub fn judge(e: &Evidence) -> Vec<Violation> {
    let mut found = writes::judge(e);
    found.extend(answers::judge(e));
    found.extend(coverage(e));
    found
}

/// What the run must have exercised for its other verdicts to mean anything.
fn coverage(e: &Evidence) -> Vec<Violation> {
    let mut found = Vec::new();
    let rule = "the run exercised every check";
    for outage in [PG_STOPPED, REDIS_STOPPED, PG_PAUSED] {
        let Some(o) = e.timeline.outage(outage) else {
            found.push(Violation::new(rule, format!("no `{outage}` happened")));
            continue;
        };
        // Asked, not answered: a /ready that hangs is judged by its own rule.
        if !e.ready.iter().any(|c| c.at >= o.down + READY_WITHIN && c.at < o.up) {
            found.push(Violation::new(
                rule,
                format!("/ready was not asked while `{outage}` (after its first second)"),
            ));
        }
    }
    if let Some(redis) = e.timeline.outage(REDIS_STOPPED) {
        if !e.timeline.started.iter().any(|(_, at)| *at > redis.up) {
            found.push(Violation::new(rule, "no replica was started after the Redis restart"));
        }
        let mut names: Vec<&str> = e.probes.iter().map(|p| p.probe).collect();
        names.sort_unstable();
        names.dedup();
        for &(port, _) in &e.timeline.started {
            for &name in &names {
                let tried = e.probes.iter().any(|p| {
                    p.probe == name
                        && p.call.replica == port
                        && p.call.at > redis.up
                        && p.call.reply().is_some()
                });
                if !tried {
                    found.push(Violation::new(
                        rule,
                        format!("`{name}` was not answered by port {port} after the Redis restart"),
                    ));
                }
            }
        }
    }
    if e.probes.is_empty() {
        found.push(Violation::new(rule, "no refused credential was tried"));
    }
    for kind in
        [super::client::WriteKind::Task, super::client::WriteKind::Credit, super::client::WriteKind::Purchase]
    {
        let acked =
            e.writes.iter().any(|w| w.kind == kind && matches!(outcome(&w.attempts), Outcome::Acked(_)));
        if !acked {
            found.push(Violation::new(rule, format!("no {kind:?} write was acknowledged")));
        }
    }
    found
}
