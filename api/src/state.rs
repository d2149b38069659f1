//! `AppState`: everything a handler needs, cheap to clone (one `Arc`).

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    ops::Deref,
    sync::{Arc, PoisonError, RwLock, Weak},
    time::Duration,
};

use anyhow::Context;
use diesel::PgConnection;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::{
    auth::{password::Passwords, revoked::Revocations, token::TokenKeys},
    config::Config,
    db::{self, DbPool},
    error::ApiError,
    image_budget::ImageBudget,
    pubsub::Bus,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: DbPool,
    pub redis: ConnectionManager,
    pub tokens: TokenKeys,
    /// Revoked tokens, mirrored from PostgreSQL (`auth/revocations.rs`).
    pub revocations: Arc<Revocations>,
    /// Redis pub/sub between replicas (`pubsub.rs`).
    pub bus: Bus,
    /// Password hashing behind its bounded queue (`auth/password.rs`).
    pub passwords: Passwords,
    /// In-flight image bytes and decodes (`image_budget.rs`).
    pub images: ImageBudget,
    /// What apps keep per server (core cannot name their types).
    pub app_data: AppData,
}

/// A handle that does not keep the state alive (for background tasks that
/// should end with the server).
pub struct WeakState(Weak<Inner>);

impl WeakState {
    pub fn upgrade(&self) -> Option<AppState> {
        self.0.upgrade().map(AppState)
    }
}

/// Values an app keeps for the life of a server, one per type: set by its
/// start-up hook, read by its extractors (e.g. /shop's disabled users).
#[derive(Default)]
pub struct AppData(RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl AppData {
    pub fn insert<T: Send + Sync + 'static>(&self, value: Arc<T>) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).insert(TypeId::of::<T>(), value);
    }

    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let values = self.0.read().unwrap_or_else(PoisonError::into_inner);
        values.get(&TypeId::of::<T>()).cloned().and_then(|v| v.downcast().ok())
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Connects to PostgreSQL and Redis; fails fast when either is unreachable.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        let db = {
            let (url, timeouts) = (config.database_url.clone(), config.timeouts);
            let (size, read_size) = (config.db_pool_size, config.db_read_pool_size);
            tokio::task::spawn_blocking(move || db::pool(&url, size, read_size, &timeouts)).await??
        };
        Self::connect_with_pool(config, db).await
    }

    /// Like [`AppState::connect`] on a pool that already exists: the test
    /// harness's replicas of one test share their first server's pool, so a
    /// test's connections stay within what it reserved.
    pub async fn connect_with_pool(config: Config, db: DbPool) -> anyhow::Result<Self> {
        let client = redis::Client::open(config.redis_url.as_str()).context("invalid REDIS_URL")?;
        let redis_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        let redis = ConnectionManager::new_with_config(client.clone(), redis_config)
            .await
            // Said once: the error's own text already carries its cause.
            .map_err(|e| anyhow::anyhow!("cannot connect to REDIS_URL: {e}"))?;
        // Unset: a random key (`api serve` warns about it; `migrate` and
        // `purge` sign nothing and stay quiet).
        let secret = match &config.jwt_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => rand::random::<[u8; 64]>().to_vec(),
        };
        let revocations = Revocations::new(&config);
        let bus = Bus::new(client, &config.redis_key_prefix);
        let tokens = TokenKeys::new(&secret);
        let limits = config.hashing;
        let passwords = tokio::task::spawn_blocking(move || Passwords::start(limits)).await??;
        let images = ImageBudget::new(config.image_memory_budget);
        Ok(Self(Arc::new(Inner {
            passwords,
            images,
            tokens,
            config,
            db,
            redis,
            revocations,
            bus,
            app_data: AppData::default(),
        })))
    }

    pub fn downgrade(&self) -> WeakState {
        WeakState(Arc::downgrade(&self.0))
    }

    /// Runs database work off the async workers (see [`db::run`]): as it is
    /// under a GET, in a transaction under a request that may write.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db::run(&self.db, db::Work::AsIs, f).await
    }

    /// Like [`AppState::db`], always inside one transaction (a GET that writes).
    pub async fn db_tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        db::run(&self.db, db::Work::Transaction, f).await
    }

    /// Runs a hot GET read on the async read pool (see [`db::reads`]): no
    /// blocking thread, read-only at the server.
    pub async fn read<T>(
        &self,
        f: impl AsyncFnOnce(&mut db::reads::ReadConn) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        db::reads::read(&self.db.reads, f).await
    }

    /// A Redis key under this deployment's prefix.
    pub fn redis_key(&self, rest: &str) -> String {
        format!("{}{rest}", self.config.redis_key_prefix)
    }
}
