//! The replicas: `api serve` processes on spare ports sharing one database,
//! one Redis and one `JWT_SECRET`. Clients spread calls over the live ones,
//! as a load balancer with health checks would; a killed replica leaves the
//! rotation the moment it is signalled, a new one joins once it answers.

use std::{
    path::{Path, PathBuf},
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use anyhow::Context;

use super::timeline::Recorder;
use crate::local_api::{Replica, free_port, wait_healthy};

pub struct Fleet {
    binary: PathBuf,
    env: Vec<(&'static str, String)>,
    dir: PathBuf,
    replicas: Mutex<Vec<Replica>>,
    /// Ports in rotation.
    live: Mutex<Vec<u16>>,
    next: AtomicUsize,
    started: AtomicUsize,
}

impl Fleet {
    pub fn new(binary: &Path, env: Vec<(&'static str, String)>, dir: &Path) -> Self {
        Self {
            binary: binary.to_owned(),
            env,
            dir: dir.to_owned(),
            replicas: Mutex::default(),
            live: Mutex::default(),
            next: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
        }
    }

    /// Starts one more replica and puts it in rotation once `/health` answers.
    pub async fn start(&self, clock: &Recorder) -> anyhow::Result<u16> {
        let n = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let port = free_port()?;
        let log = self.dir.join(format!("api-{n}.log"));
        let replica = Replica::spawn(&self.binary, &self.env, port, &self.dir, &log)?;
        self.replicas.lock().unwrap_or_else(PoisonError::into_inner).push(replica);
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        wait_healthy(&http, &format!("http://127.0.0.1:{port}/health"), Duration::from_secs(60))
            .await
            .with_context(|| format!("replica {n} did not start; see {}", log.display()))?;
        clock.started(port);
        self.live.lock().unwrap_or_else(PoisonError::into_inner).push(port);
        Ok(port)
    }

    /// `SIGKILL`s the replica on `port`, out of rotation first.
    pub fn kill(&self, port: u16, clock: &Recorder) {
        self.live.lock().unwrap_or_else(PoisonError::into_inner).retain(|p| *p != port);
        let mut replicas = self.replicas.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(mut child) = replicas.iter_mut().find(|r| r.port == port).and_then(Replica::take_child) {
            clock.killed(port);
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The next live replica, round robin.
    pub fn pick(&self) -> Option<u16> {
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        (!live.is_empty()).then(|| live[self.next.fetch_add(1, Ordering::Relaxed) % live.len()])
    }

    pub fn live(&self) -> Vec<u16> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}
