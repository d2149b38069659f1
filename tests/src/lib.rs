//! Test harness: each test gets its own database (cloned from a migrated
//! template), its own Redis key prefix, and a real server on `127.0.0.1:0`,
//! driven through the generated client like any outside user.

pub mod budget;
pub mod held_lock;
pub mod leftovers;
pub mod pg_cluster;
mod services;
mod users;

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use api::{config::Config, state::AppState};
use diesel::{Connection, PgConnection, RunQueryDsl};
use tokio::{net::TcpListener, task::JoinHandle};

pub use api_client::{Client, types};
pub use held_lock::{HeldLock, MAX_QUEUED, RACE_VARS};
pub use redis_server::OwnRedis;
pub use users::{App, PASSWORD, User, sub_of};

mod redis_server;

/// The server all test databases live on.
pub fn pg_server() -> String {
    std::env::var("TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The signing key of test servers, so tests can forge tokens.
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The migrated template, made once per migration set (guarded by an advisory
/// lock, as test binaries or processes may race to make it). First checks
/// that PostgreSQL and Redis answer (see [`services::check`]) and sweeps the
/// databases of test runs that were killed (see [`leftovers::sweep`]).
fn template() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        services::check();
        leftovers::sweep();
        let name = format!("api_test_tpl_{:016x}", migrations_fingerprint());
        let mut admin =
            PgConnection::establish(&format!("{}/postgres", pg_server())).expect("connect to postgres");
        api::db::with_advisory_lock(&mut admin, 0x7465_7374, |admin| {
            if database_exists(admin, &name) {
                return Ok(());
            }
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(admin)?;
            let mut conn = PgConnection::establish(&format!("{}/{name}", pg_server()))?;
            api::db::migrate(&mut conn)?;
            Ok(())
        })
        .expect("make the template database");
        name
    })
}

fn migrations_fingerprint() -> u64 {
    use std::hash::{Hash, Hasher};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in files {
        file.file_name().hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    hasher.finish()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] })
        .collect()
}

fn database_exists(conn: &mut PgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        #[expect(dead_code, reason = "only its presence matters")]
        one: i32,
    }
    diesel::sql_query(format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"))
        .load::<Found>(conn)
        .map(|rows| !rows.is_empty())
        .unwrap_or(false)
}

/// What one test holds on the shared services, released when its last
/// server goes (replicas share it): its share of the connection budget, its
/// database (dropped) and its Redis keys (deleted), whether the test passed
/// or panicked.
struct TestResources {
    database: Option<String>,
    redis: (String, String),
    /// The pool its servers share (see [`TestApp::replica`]).
    pool: OnceLock<api::db::DbPool>,
    /// Dropped last, once the connections are gone.
    _budget: Option<budget::Reservation>,
}

impl Drop for TestResources {
    fn drop(&mut self) {
        // Its connections close first, so nothing reconnects to a dropped database.
        drop(self.pool.take());
        let database = self.database.clone();
        let (redis_url, prefix) = self.redis.clone();
        // Drop runs inside the test's runtime: do the blocking work on a thread.
        let _ = std::thread::spawn(move || {
            if let Some(name) = database
                && let Ok(mut admin) = PgConnection::establish(&format!("{}/postgres", pg_server()))
            {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin);
            }
            leftovers::delete_keys(&redis_url, &prefix);
        })
        .join();
    }
}

/// The Redis URL tests use (`TEST_REDIS`).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A running server with its own database and Redis prefix.
pub struct TestApp {
    pub base_url: String,
    pub config: Config,
    pub state: AppState,
    /// A plain HTTP client, for what the typed client cannot send.
    pub http: reqwest::Client,
    /// The test's database, Redis keys and connection budget, shared with its replicas.
    resources: Arc<TestResources>,
    server: JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// A server with the test defaults (rate limit off, fixed JWT secret).
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server with some configuration variables set (`("RATE_LIMIT_PER_MINUTE", "100")`;
    /// an empty value unsets a default, as `("PAYMENT_PRIVATE_KEY", "")`).
    pub async fn spawn_with(vars: &[(&str, &str)]) -> Self {
        Self::spawn_adjusted(vars, |_| {}).await
    }

    /// [`TestApp::spawn_with`], then `adjust` changes the configuration
    /// before the server starts (as `api serve` does for development mode).
    pub async fn spawn_adjusted(vars: &[(&str, &str)], adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Self::config("", vars);
        adjust(&mut config);
        // Reserved before anything is opened on the shared server.
        let reservation = budget::reserve(config.db_pool_size + config.db_read_pool_size).await;
        let template = tokio::task::spawn_blocking(template).await.expect("the template database");
        let db_name = leftovers::database_name();
        config.database_url = format!("{}/{db_name}", pg_server());
        let create = format!("CREATE DATABASE {db_name} TEMPLATE {template}");
        tokio::task::spawn_blocking(move || {
            let mut admin =
                PgConnection::establish(&format!("{}/postgres", pg_server())).expect("connect to postgres");
            diesel::sql_query(create).execute(&mut admin).expect("clone the template database");
        })
        .await
        .expect("create the test database");
        let resources = TestResources {
            database: Some(db_name),
            redis: (config.redis_url.clone(), config.redis_key_prefix.clone()),
            pool: OnceLock::new(),
            _budget: Some(reservation),
        };
        Self::start(config, Arc::new(resources)).await
    }

    /// A server on a database the test brought itself (a cluster of its own,
    /// see [`pg_cluster`]); the server creates and migrates it.
    pub async fn spawn_on(database_url: &str, vars: &[(&str, &str)]) -> Self {
        let config = Self::config(database_url, vars);
        let resources = TestResources {
            database: None,
            redis: (config.redis_url.clone(), config.redis_key_prefix.clone()),
            pool: OnceLock::new(),
            _budget: None,
        };
        Self::start(config, Arc::new(resources)).await
    }

    fn config(database_url: &str, vars: &[(&str, &str)]) -> Config {
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), database_url.to_owned()),
            ("REDIS_KEY_PREFIX".into(), format!("test:{}:", uuid::Uuid::new_v4().simple())),
            ("JWT_SECRET".into(), JWT_SECRET.into()),
            ("RATE_LIMIT_PER_MINUTE".into(), "0".into()),
            ("DB_POOL_SIZE".into(), "8".into()),
            ("DB_READ_POOL_SIZE".into(), "2".into()),
            ("PAYMENT_PRIVATE_KEY".into(), "test-payment-key".into()),
        ]);
        env.insert("REDIS_URL".into(), redis_url());
        for (k, v) in vars {
            env.insert((*k).into(), (*v).into());
        }
        Config::from_lookup(|k| env.get(k).cloned()).expect("test config")
    }

    /// A second replica: same database and Redis, its own listener and
    /// state. It shares the first server's connection pool, so that a test's
    /// connections stay within its reservation (PostgreSQL is the one truth
    /// both read, as with a connection pooler in front of it).
    pub async fn replica(&self) -> Self {
        Self::start(self.config.clone(), self.resources.clone()).await
    }

    /// A second replica with some configuration changed (`("MAX_IMAGE_BYTES", "100")`),
    /// on the same database, Redis prefix and connection pool.
    pub async fn replica_with(&self, vars: &[(&str, &str)]) -> Self {
        let mut config = Self::config(&self.config.database_url, vars);
        config.redis_key_prefix = self.config.redis_key_prefix.clone();
        Self::start(config, self.resources.clone()).await
    }

    async fn start(mut config: Config, resources: Arc<TestResources>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        config.bind_addr = addr;
        if config.public_url.contains("127.0.0.1:8080") {
            config.public_url = format!("http://{addr}");
        }
        let state = api::server::prepare_on(config.clone(), resources.pool.get().cloned())
            .await
            .expect("prepare the server");
        let _ = resources.pool.set(state.db.clone());
        let server_state = state.clone();
        let server = tokio::spawn(async move {
            let _ = api::server::serve_on(listener, server_state).await;
        });
        Self {
            base_url: format!("http://{addr}"),
            config,
            state,
            http: reqwest::Client::new(),
            resources,
            server,
        }
    }

    /// The generated client without a token.
    pub fn client(&self) -> Client {
        Client::new(&self.base_url)
    }

    /// The generated client sending `Authorization: Bearer <token>`.
    pub fn client_as(&self, token: &str) -> Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers
            .insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().expect("header value"));
        let http = reqwest::Client::builder().default_headers(headers).build().expect("client");
        Client::new_with_client(&self.base_url, http)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// A direct connection to this test's database, to check state afterwards.
    pub fn db(&self) -> PgConnection {
        PgConnection::establish(&self.config.database_url).expect("connect to the test database")
    }

    /// Runs a query against this test's database off the async workers.
    pub async fn query<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut PgConnection) -> T + Send + 'static,
    ) -> T {
        let url = self.config.database_url.clone();
        tokio::task::spawn_blocking(move || f(&mut PgConnection::establish(&url).expect("connect")))
            .await
            .expect("query task")
    }
}

/// The status of a client error, for asserting refusals.
pub fn status_of<E: std::fmt::Debug>(err: &api_client::Error<E>) -> u16 {
    err.status().map_or(0, |s| s.as_u16())
}

/// The problem body of a client error.
pub fn problem_of(err: api_client::Error<types::Problem>) -> types::Problem {
    match err {
        api_client::Error::ErrorResponse(r) => r.into_inner(),
        other => panic!("expected a problem response, got {other:?}"),
    }
}

/// Signs arbitrary claims with the test key (for forged-token tests).
pub fn sign(claims: &serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
