//! When things happened during a run, on one clock: the fault windows the
//! table is cut into, the spans when PostgreSQL or Redis was down (what
//! `/ready` had to say), and when replicas were killed or started.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// A named stretch of the run; it lasts until the next one begins.
#[derive(Clone, Debug)]
pub struct Window {
    pub name: &'static str,
    pub from: Duration,
}

/// A backing service out of reach from `down` until `restart` (when it was
/// started or resumed: it may answer from then on), and surely back at `up`
/// (when it answered the harness, which learns it a poll and a thread hop late).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outage {
    pub what: &'static str,
    pub down: Duration,
    pub restart: Duration,
    pub up: Duration,
}

/// Everything the verdict needs to know about the run's course.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub windows: Vec<Window>,
    pub outages: Vec<Outage>,
    /// Replicas killed (port, when the signal went).
    pub killed: Vec<(u16, Duration)>,
    /// Replicas started during the run (port, when they first answered).
    pub started: Vec<(u16, Duration)>,
    pub end: Duration,
}

impl Timeline {
    /// The index of the window `at` falls in.
    pub fn window_of(&self, at: Duration) -> usize {
        self.windows.iter().rposition(|w| w.from <= at).unwrap_or(0)
    }

    /// How long window `i` lasted.
    pub fn window_length(&self, i: usize) -> Duration {
        let until = self.windows.get(i + 1).map_or(self.end, |w| w.from);
        until.saturating_sub(self.windows[i].from)
    }

    /// When the replica on `port` was killed, if it was.
    pub fn killed_at(&self, port: u16) -> Option<Duration> {
        self.killed.iter().find(|(p, _)| *p == port).map(|(_, at)| *at)
    }

    /// The first outage of this kind.
    pub fn outage(&self, what: &str) -> Option<&Outage> {
        self.outages.iter().find(|o| o.what == what)
    }
}

/// The run's clock and its timeline as it is written (cheap to clone).
#[derive(Clone)]
pub struct Recorder {
    t0: Instant,
    timeline: Arc<Mutex<Timeline>>,
}

impl Recorder {
    pub fn new() -> Self {
        Self { t0: Instant::now(), timeline: Arc::default() }
    }

    /// Time since the run began.
    pub fn now(&self) -> Duration {
        self.t0.elapsed()
    }

    fn edit<T>(&self, f: impl FnOnce(&mut Timeline) -> T) -> T {
        f(&mut self.timeline.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn begin(&self, name: &'static str) {
        let from = self.now();
        println!("{:>6.1} s  {name}", from.as_secs_f64());
        self.edit(|t| t.windows.push(Window { name, from }));
    }

    /// Marks `what` down from now; the returned value marks it up again.
    pub fn down(&self, what: &'static str) -> OutageMark {
        OutageMark { what, down: self.now(), restart: None }
    }

    /// Marks the moment the service is started or resumed: from now it may answer.
    pub fn restarting(&self, mark: OutageMark) -> OutageMark {
        OutageMark { restart: Some(self.now()), ..mark }
    }

    pub fn up(&self, mark: OutageMark) {
        let up = self.now();
        println!(
            "{:>6.1} s    {} back after {:.1} s",
            up.as_secs_f64(),
            mark.what,
            (up - mark.down).as_secs_f64()
        );
        let restart = mark.restart.unwrap_or(up);
        self.edit(|t| t.outages.push(Outage { what: mark.what, down: mark.down, restart, up }));
    }

    pub fn killed(&self, port: u16) {
        let at = self.now();
        self.edit(|t| t.killed.push((port, at)));
    }

    pub fn started(&self, port: u16) {
        let at = self.now();
        self.edit(|t| t.started.push((port, at)));
    }

    /// The timeline, closed now.
    pub fn finish(&self) -> Timeline {
        let end = self.now();
        self.edit(|t| {
            t.end = end;
            t.clone()
        })
    }
}

/// An outage begun and not yet over.
pub struct OutageMark {
    what: &'static str,
    down: Duration,
    restart: Option<Duration>,
}
