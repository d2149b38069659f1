//! The tables printed after a run: what the load's clients saw in each fault
//! window, what the probes and `/ready` saw, how the writes ended, and the
//! violations, grouped by invariant.

use std::{collections::BTreeMap, fmt::Write as _, time::Duration};

use super::{
    client::{Answer, Call, WriteKind},
    verdict::{Evidence, Outcome, READY_WITHIN, Violation, outcome},
};

/// Examples shown per broken invariant (the count says how many there were).
const EXAMPLES: usize = 6;

pub fn print(e: &Evidence, skipped: &[Duration], violations: &[Violation]) {
    println!("{}", load_table(e, skipped));
    println!("{}", side_table(e));
    println!("{}", probe_table(e));
    println!("{}", writes_table(e));
    println!("{}", violations_text(violations));
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn load_table(e: &Evidence, skipped: &[Duration]) -> String {
    let t = e.timeline;
    let mut out = String::from("what the load's clients saw (calls by when they were sent)\n");
    let _ = writeln!(
        out,
        "{:<14} {:>5} {:>6} {:>6} {:>5} {:>5} {:>5} {:>6} {:>5} {:>7} {:>8} {:>8} {:>8}",
        "window",
        "secs",
        "calls",
        "2xx",
        "4xx",
        "503",
        "5xx",
        "unsent",
        "lost",
        "skipped",
        "p50 ms",
        "p99 ms",
        "max ms"
    );
    let calls: Vec<&Call> = e.writes.iter().flat_map(|w| &w.attempts).chain(e.reads).collect();
    let mut errors = Vec::new();
    for (i, window) in t.windows.iter().enumerate() {
        let mine: Vec<&Call> = calls.iter().copied().filter(|c| t.window_of(c.at) == i).collect();
        let count = |f: &dyn Fn(u16) -> bool| mine.iter().filter(|c| c.status().is_some_and(f)).count();
        let unsent = mine.iter().filter(|c| matches!(c.answer, Answer::NotSent(_))).count();
        let lost = mine.iter().filter(|c| matches!(c.answer, Answer::Lost(_))).count();
        let mut took: Vec<Duration> =
            mine.iter().filter(|c| !matches!(c.answer, Answer::NotSent(_))).map(|c| c.took).collect();
        took.sort_unstable();
        let _ = writeln!(
            out,
            "{:<14} {:>5.1} {:>6} {:>6} {:>5} {:>5} {:>5} {:>6} {:>5} {:>7} {:>8.1} {:>8.1} {:>8.1}",
            window.name,
            t.window_length(i).as_secs_f64(),
            mine.len(),
            count(&|s| (200..300).contains(&s)),
            count(&|s| (400..500).contains(&s)),
            count(&|s| s == 503),
            count(&|s| s >= 500 && s != 503),
            unsent,
            lost,
            skipped.iter().filter(|at| t.window_of(**at) == i).count(),
            percentile(&took, 0.50),
            percentile(&took, 0.99),
            took.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        );
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for c in &mine {
            let text = match &c.answer {
                Answer::Reply(r) if r.status >= 400 => {
                    format!(
                        "{} {}{}",
                        c.label,
                        r.status,
                        r.detail.as_ref().map(|d| format!(": {}", d.trim())).unwrap_or_default()
                    )
                }
                Answer::Reply(_) => continue,
                Answer::NotSent(why) => format!("{} not sent: {why}", c.label),
                Answer::Lost(why) => format!("{} lost: {why}", c.label),
            };
            *kinds.entry(text).or_default() += 1;
        }
        for (text, n) in kinds {
            errors.push(format!("  {:<14} {n:>5} × {text}", window.name));
        }
    }
    if !errors.is_empty() {
        let _ = writeln!(out, "errors seen:\n{}", errors.join("\n"));
    }
    out
}

fn side_table(e: &Evidence) -> String {
    let t = e.timeline;
    let mut out = String::from("refused credentials and /ready, on every live replica\n");
    let _ = writeln!(
        out,
        "{:<14} {:>7} {:>8} {:>8} {:>7} {:>6} {:>6} {:>9} {:>8}",
        "window", "probes", "refused", "passed", "/ready", "200", "503", "slow/none", "max ms"
    );
    for (i, window) in t.windows.iter().enumerate() {
        let probes: Vec<&Call> =
            e.probes.iter().map(|p| &p.call).filter(|c| t.window_of(c.at) == i).collect();
        let passed = probes
            .iter()
            .filter(|c| c.status().is_some_and(|s| !matches!(s, 401 | 403 | 429) && s < 500))
            .count();
        let refused = probes.iter().filter(|c| c.status().is_some_and(|s| matches!(s, 401 | 403))).count();
        let ready: Vec<&Call> = e.ready.iter().filter(|c| t.window_of(c.at) == i).collect();
        let status = |s: u16| ready.iter().filter(|c| c.status() == Some(s)).count();
        let slow = ready.iter().filter(|c| c.reply().is_none() || c.took > READY_WITHIN).count();
        let max = ready.iter().map(|c| c.took).max().unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<14} {:>7} {:>8} {:>8} {:>7} {:>6} {:>6} {:>9} {:>8.1}",
            window.name,
            probes.len(),
            refused,
            passed,
            ready.len(),
            status(200),
            status(503),
            slow,
            max.as_secs_f64() * 1000.0
        );
    }
    out
}

/// Per refused credential and replica: calls that passed / calls answered.
fn probe_table(e: &Evidence) -> String {
    let t = e.timeline;
    let ports: Vec<u16> = t.started.iter().map(|(p, _)| *p).collect();
    let mut out = String::from("refused credentials that passed / were answered, per replica");
    out.push_str(" (* started after the Redis restart, † killed)\n");
    let _ = write!(out, "{:<26}", "credential");
    let redis_up = t.outage(super::verdict::REDIS_STOPPED).map(|o| o.up);
    for (port, at) in &t.started {
        let new = if redis_up.is_some_and(|up| *at > up) { "*" } else { "" };
        let gone = if t.killed_at(*port).is_some() { "†" } else { "" };
        let _ = write!(out, " {:>12}", format!("{port}{new}{gone}"));
    }
    out.push('\n');
    let mut names: Vec<&str> = e.probes.iter().map(|p| p.probe).collect();
    names.dedup();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let _ = write!(out, "{name:<26}");
        for port in &ports {
            let mine = e.probes.iter().filter(|p| p.probe == name && p.call.replica == *port);
            let answered: Vec<u16> = mine.filter_map(|p| p.call.status()).collect();
            let passed = answered.iter().filter(|s| !matches!(s, 401 | 403 | 429) && **s < 500).count();
            let _ = write!(out, " {:>12}", format!("{passed}/{}", answered.len()));
        }
        out.push('\n');
    }
    out
}

fn writes_table(e: &Evidence) -> String {
    let mut out = String::from("how the writes ended (stored: rows found afterwards)\n");
    let _ = writeln!(
        out,
        "{:<9} {:>6} {:>7} {:>9} {:>9} {:>8} {:>7}",
        "write", "sent", "2xx", "error", "unknown", "stored", "unsent"
    );
    for kind in [WriteKind::Task, WriteKind::Credit, WriteKind::Purchase] {
        let mine: Vec<_> = e.writes.iter().filter(|w| w.kind == kind).collect();
        let of = |want: fn(&Outcome) -> bool| mine.iter().filter(|w| want(&outcome(&w.attempts))).count();
        let unknown_stored = mine
            .iter()
            .filter(|w| outcome(&w.attempts) == Outcome::Unknown)
            .filter(|w| e.stored.rows.get(&(kind, w.key.clone())).is_some_and(|n| *n > 0))
            .count();
        let unknown = of(|o| *o == Outcome::Unknown);
        let unknown_text = if kind == WriteKind::Purchase {
            unknown.to_string()
        } else {
            format!("{unknown} ({unknown_stored} stored)")
        };
        let stored = match kind {
            WriteKind::Purchase => e.stored.purchases.len(),
            _ => e.stored.rows.iter().filter(|((k, _), _)| *k == kind).map(|(_, n)| *n as usize).sum(),
        };
        let _ = writeln!(
            out,
            "{:<9} {:>6} {:>7} {:>9} {:>9} {:>8} {:>7}",
            format!("{kind:?}"),
            mine.len(),
            of(|o| matches!(o, Outcome::Acked(_))),
            of(|o| matches!(o, Outcome::Refused(_))),
            unknown_text,
            stored,
            of(|o| *o == Outcome::NotSent),
        );
    }
    out
}

fn violations_text(violations: &[Violation]) -> String {
    if violations.is_empty() {
        return "every invariant held".into();
    }
    let mut by_rule: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for v in violations {
        by_rule.entry(v.rule).or_default().push(&v.what);
    }
    let mut out = format!("{} violations of {} invariants:\n", violations.len(), by_rule.len());
    for (rule, whats) in by_rule {
        let _ = writeln!(out, "✗ {rule} ({} times)", whats.len());
        for what in whats.iter().take(EXAMPLES) {
            let _ = writeln!(out, "    {what}");
        }
        if whats.len() > EXAMPLES {
            let _ = writeln!(out, "    … and {} more", whats.len() - EXAMPLES);
        }
    }
    out
}
