//! `AppState`: everything a handler needs, cheap to clone (one `Arc`).

use std::{ops::Deref, sync::Arc, time::Duration};

use anyhow::Context;
use diesel::PgConnection;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::{
    auth::{
        TokenKeys,
        revocations::{self, Revocations},
    },
    config::Config,
    db::{self, DbPool},
    error::ApiError,
};

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: DbPool,
    pub redis: ConnectionManager,
    pub tokens: TokenKeys,
    pub revocations: Revocations,
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
            let (url, size, timeouts) = (config.database_url.clone(), config.db_pool_size, config.timeouts);
            tokio::task::spawn_blocking(move || db::pool(&url, size, &timeouts)).await??
        };
        let client = redis::Client::open(config.redis_url.as_str()).context("invalid REDIS_URL")?;
        let redis_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        let redis = ConnectionManager::new_with_config(client.clone(), redis_config)
            .await
            .context("cannot connect to REDIS_URL")?;
        let secret = match &config.jwt_secret {
            Some(secret) => secret.as_bytes().to_vec(),
            None => {
                tracing::warn!(
                    "JWT_SECRET is not set: using a random key, tokens die with this process and replicas will not share them"
                );
                rand::random::<[u8; 64]>().to_vec()
            }
        };
        let revocations = Revocations::new(config.revocation_cache_ttl);
        let state = Self(Arc::new(Inner { tokens: TokenKeys::new(&secret), config, db, redis, revocations }));
        revocations::spawn_listener(&state, client);
        Ok(state)
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

    /// A Redis key under this deployment's prefix.
    pub fn redis_key(&self, rest: &str) -> String {
        format!("{}{rest}", self.config.redis_key_prefix)
    }
}
