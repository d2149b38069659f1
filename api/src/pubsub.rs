//! Redis pub/sub between replicas: one subscription per process, fanned out
//! to in-process receivers by channel.
//!
//! A message is only a hint that something changed in PostgreSQL, where the
//! truth is: Redis delivers it at most once (a message published while a
//! subscriber is disconnected is lost, and a publish fails while Redis is
//! down). So receivers also hear when the subscription is (re)established and
//! when they fell behind, and then read PostgreSQL themselves (`mirror/`).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, PoisonError, Weak,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use futures_util::StreamExt;
use tokio::{sync::broadcast, time::timeout};

use redis::aio::ConnectionManager;

/// What a receiver hears on its channel.
#[derive(Clone, Debug)]
pub enum Event {
    /// A message another replica (or this one) published.
    Message(Arc<str>),
    /// The subscription was (re)established: whatever was published while it
    /// was down is lost.
    Subscribed,
}

/// Events buffered per channel: a receiver further behind hears
/// `RecvError::Lagged` and must read PostgreSQL instead.
const BUFFER: usize = 1024;
/// An idle subscription is checked this often with a PING, which must answer
/// within `REPLY_TIMEOUT`: a connection that died silently is replaced.
const PING_EVERY: Duration = Duration::from_secs(5);
const REPLY_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest a publish may hold up the request that makes it.
const PUBLISH_TIMEOUT: Duration = Duration::from_millis(500);

/// The process's subscription (cheap to clone: one `Arc`).
#[derive(Clone)]
pub struct Bus(Arc<Inner>);

struct Inner {
    client: redis::Client,
    prefix: String,
    channels: Mutex<HashMap<String, broadcast::Sender<Event>>>,
    started: AtomicBool,
    listening: AtomicBool,
    subscriptions: AtomicU64,
}

impl Bus {
    /// Channels live under `prefix` (`REDIS_KEY_PREFIX`).
    pub fn new(client: redis::Client, prefix: &str) -> Self {
        Self(Arc::new(Inner {
            client,
            prefix: prefix.to_owned(),
            channels: Mutex::default(),
            started: AtomicBool::new(false),
            listening: AtomicBool::new(false),
            subscriptions: AtomicU64::new(0),
        }))
    }

    /// A receiver of `channel`'s events. Channels taken after [`Bus::start`]
    /// are subscribed from the next reconnection only.
    pub fn receiver(&self, channel: &str) -> broadcast::Receiver<Event> {
        let name = format!("{}{channel}", self.0.prefix);
        let mut channels = self.0.channels.lock().unwrap_or_else(PoisonError::into_inner);
        channels.entry(name).or_insert_with(|| broadcast::channel(BUFFER).0).subscribe()
    }

    /// Starts listening, once, for as long as a handle to the bus remains;
    /// reconnects with a growing pause (100 ms to 5 s) when Redis goes away.
    pub fn start(&self) {
        if self.0.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let bus = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut pause = Duration::from_millis(100);
            while let Some(inner) = bus.upgrade() {
                let client = inner.client.clone();
                drop(inner);
                let result = listen(&bus, &client).await;
                if let Some(inner) = bus.upgrade() {
                    inner.listening.store(false, Ordering::Release);
                }
                match result {
                    Ok(()) => pause = Duration::from_millis(100),
                    Err(e) => {
                        crate::metrics::redis_error("pubsub");
                        tracing::warn!(error = %e, "Redis subscription lost; reconnecting");
                    }
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        });
    }

    /// Whether the subscription is up.
    pub fn is_listening(&self) -> bool {
        self.0.listening.load(Ordering::Acquire)
    }

    /// How many times the subscription has been established.
    pub fn subscriptions(&self) -> u64 {
        self.0.subscriptions.load(Ordering::Acquire)
    }

    fn dispatch(&self, channel: &str, event: Event) {
        let channels = self.0.channels.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = channels.get(channel) {
            // No receiver left is not an error.
            let _ = sender.send(event);
        }
    }

    fn announce_subscribed(&self) {
        let channels = self.0.channels.lock().unwrap_or_else(PoisonError::into_inner);
        for sender in channels.values() {
            let _ = sender.send(Event::Subscribed);
        }
    }
}

/// One subscription, until its connection ends or stops answering.
async fn listen(bus: &Weak<Inner>, client: &redis::Client) -> redis::RedisResult<()> {
    let pubsub = timeout(REPLY_TIMEOUT, client.get_async_pubsub()).await.map_err(timed_out)??;
    let (mut sink, mut stream) = pubsub.split();
    let Some(handle) = bus.upgrade().map(Bus) else { return Ok(()) };
    let names: Vec<String> =
        handle.0.channels.lock().unwrap_or_else(PoisonError::into_inner).keys().cloned().collect();
    if names.is_empty() {
        // Nothing to hear yet: check again later.
        return Ok(());
    }
    timeout(REPLY_TIMEOUT, sink.subscribe(&names)).await.map_err(timed_out)??;
    handle.0.listening.store(true, Ordering::Release);
    handle.0.subscriptions.fetch_add(1, Ordering::AcqRel);
    handle.announce_subscribed();
    drop(handle);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(message) = message else { return Ok(()) };
                let Some(handle) = bus.upgrade().map(Bus) else { return Ok(()) };
                let payload: String = message.get_payload()?;
                handle.dispatch(message.get_channel_name(), Event::Message(payload.into()));
            }
            _ = ping.tick() => {
                if bus.strong_count() == 0 {
                    return Ok(());
                }
                // While subscribed, Redis answers PING with an array, not PONG.
                let _: redis::Value = timeout(REPLY_TIMEOUT, sink.ping()).await.map_err(timed_out)??;
            }
        }
    }
}

fn timed_out(_: tokio::time::error::Elapsed) -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, "Redis did not answer in time"))
}

impl Bus {
    /// Publishes `payload` on `channel` for the other replicas, waiting at most
    /// `PUBLISH_TIMEOUT`. Never fails the caller: what it announces is already
    /// committed in PostgreSQL, and replicas that miss it read it there at their
    /// next resync (`SECURITY_RESYNC_MS`). Sent on `redis`, the server's
    /// shared connection.
    pub async fn publish(&self, redis: &ConnectionManager, channel: &str, payload: &str) {
        let mut redis = redis.clone();
        let channel = format!("{}{channel}", self.0.prefix);
        let command = redis::cmd("PUBLISH").arg(&channel).arg(payload).clone();
        let sent = timeout(PUBLISH_TIMEOUT, async {
            // The first command after Redis restarted fails on the dead connection
            // and makes the manager reconnect: one more try then usually goes through.
            match command.query_async::<i64>(&mut redis).await {
                Err(e) if e.is_io_error() || e.is_connection_dropped() => {
                    command.query_async::<i64>(&mut redis).await
                }
                sent => sent,
            }
        })
        .await;
        let failure = match sent {
            Ok(Ok(_)) => return,
            Ok(Err(e)) => e.to_string(),
            Err(_) => "timed out".to_owned(),
        };
        crate::metrics::redis_error("pubsub");
        tracing::warn!(%channel, error = %failure, "publish failed; other replicas learn of it at their next resync");
    }
}
