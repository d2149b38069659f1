//! Configuration: every variable of the contract's table, read once at start-up.
//!
//! `Config::from_lookup` takes any key lookup so tests build a config from a map
//! instead of mutating the process environment.

use std::{net::SocketAddr, str::FromStr, time::Duration};

use ipnet::IpNet;

/// A variable that is present but unusable; start-up stops with this one line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

/// Where the server runs (`APP_ENV`). Development fills in what a bare
/// `cargo run` lacks (see `devmode.rs`); production never gets those defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppEnv {
    /// `APP_ENV=development`, or `APP_ENV` unset with `BIND_ADDR` on loopback
    /// (a developer's machine: nothing outside it can reach the server).
    Development,
    /// `APP_ENV=production`, or `APP_ENV` unset with `BIND_ADDR` reachable
    /// from outside: a forgotten variable never turns development defaults on.
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// The web admin's credentials, applied to the /shop admin at start-up.
#[derive(Clone)]
pub struct AdminSeed {
    pub login: String,
    pub password: String,
}

impl std::fmt::Debug for AdminSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSeed").field("login", &self.login).finish_non_exhaustive()
    }
}

/// How long each kind of wait may last. Every database bound sits below the
/// request's, so that a request answering 503 has not committed anything
/// (see `deadline.rs` and `db/mod.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// `REQUEST_TIMEOUT_MS`: after it a request answers 503, unless its
    /// COMMIT is already on its way (then it gets the commit's answer).
    pub request: Duration,
    /// `DB_CHECKOUT_TIMEOUT_MS`: the longest wait for a pooled connection.
    pub db_checkout: Duration,
    /// `DB_STATEMENT_TIMEOUT_MS`: PostgreSQL's `statement_timeout` on every
    /// pooled connection; also how long a COMMIT sent before the request's
    /// deadline is waited for.
    pub db_statement: Duration,
    /// `DB_LOCK_TIMEOUT_MS`: PostgreSQL's `lock_timeout`.
    pub db_lock: Duration,
    /// `DB_IDLE_IN_TRANSACTION_TIMEOUT_MS`: PostgreSQL's
    /// `idle_in_transaction_session_timeout`, for a transaction whose thread stalled.
    pub db_idle_in_transaction: Duration,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub app_env: AppEnv,
    /// `APP_ENV` was set (else `app_env` was inferred from `BIND_ADDR`).
    pub app_env_explicit: bool,
    pub database_url: String,
    /// Connections in the r2d2 pool (`DB_POOL_SIZE`, not in the contract table).
    pub db_pool_size: u32,
    /// Connections of the async pool that serves the hot GET reads
    /// (`DB_READ_POOL_SIZE`, made on first use; see `db/reads.rs`).
    pub db_read_pool_size: u32,
    pub timeouts: Timeouts,
    pub redis_url: String,
    /// Prefix of every Redis key (`REDIS_KEY_PREFIX`): isolates tests and deployments sharing a Redis.
    pub redis_key_prefix: String,
    pub bind_addr: SocketAddr,
    /// Base of the absolute links handed out, without a trailing slash.
    pub public_url: String,
    /// `None` when unset: a random key is made at start with a warning.
    pub jwt_secret: Option<String>,
    pub access_token_ttl: Duration,
    /// How often each replica rereads revocations and disabled users from
    /// PostgreSQL whatever pub/sub says (`SECURITY_RESYNC_MS`): the bound on
    /// how stale a replica can be when a hint is lost (see `mirror/`).
    pub security_resync: Duration,
    /// Most entries each of those in-memory mirrors holds
    /// (`SECURITY_MIRROR_MAX_ENTRIES`); past it, PostgreSQL is asked per request.
    pub security_mirror_max_entries: usize,
    pub rate_limit_per_minute: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub payment_private_key: Option<String>,
    pub admin: Option<AdminSeed>,
    pub transfer_link_ttl: Duration,
    /// How long the first answer to a keyed write is replayed
    /// (`IDEMPOTENCY_KEY_TTL_SECONDS`); the purge job removes it after.
    pub idempotency_key_ttl: Duration,
    pub ar_token_ttl: Duration,
    pub purge_schedule: String,
    pub soft_delete_retention_days: u32,
    pub max_image_bytes: usize,
    /// The password hashing queue's bounds (`HASH_*`, see `auth/hash_queue.rs`).
    pub hashing: HashLimits,
    /// Bounds on connections (`HTTP_*`, see `listener.rs`).
    pub http: HttpLimits,
    /// The image memory budget (`IMAGE_MEMORY_BUDGET_BYTES`, see `image_budget.rs`).
    pub image_memory_budget: usize,
    pub sentry_dsn: Option<String>,
    pub log_format: LogFormat,
}

/// The password-hash queue's bounds (`HASH_THREADS`, `HASH_QUEUE_MAX`,
/// `HASH_QUEUE_PER_SOURCE`, `HASH_QUEUE_PER_CLIENT`; see `auth/hash_queue.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashLimits {
    pub threads: usize,
    pub max_waiting: usize,
    pub per_source: usize,
    pub per_client: usize,
}

impl Config {
    /// Reads the process environment (after `.env`, which `main` loads).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// The configuration of an empty environment: what the exported OpenAPI
    /// document describes (a token lifetime in a scheme's text, say).
    #[allow(clippy::expect_used)] // every variable has a default: tested by `an_empty_environment_is_a_valid_configuration`
    pub fn defaults() -> Self {
        Self::from_lookup(|_| None).expect("an empty environment is a valid configuration")
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        // An empty value counts as unset, as docker-compose passes `VAR=` for blanks.
        let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        let bind_addr: SocketAddr = parse(&get, "BIND_ADDR", "127.0.0.1:8080".parse().ok())?;
        let public_url = get("PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                var: "PUBLIC_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        let admin = match (get("ADMIN_LOGIN"), get("ADMIN_PASSWORD")) {
            (Some(login), Some(password)) => Some(admin_seed(login, password)?),
            (None, None) => None,
            (Some(_), None) => return Err(missing("ADMIN_PASSWORD", "is required with ADMIN_LOGIN")),
            (None, Some(_)) => return Err(missing("ADMIN_LOGIN", "is required with ADMIN_PASSWORD")),
        };
        let log_format = match get("LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    var: "LOG_FORMAT",
                    reason: format!("expected `pretty` or `json`, got `{other}`"),
                });
            }
        };
        let trusted_proxies = match get("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(parse_cidr)
                .collect::<Result<_, _>>()
                .map_err(|reason| ConfigError { var: "TRUSTED_PROXIES", reason })?,
        };
        let (app_env, app_env_explicit) = match get("APP_ENV").as_deref().map(str::trim) {
            Some("development") => (AppEnv::Development, true),
            Some("production") => (AppEnv::Production, true),
            Some(other) => {
                return Err(ConfigError {
                    var: "APP_ENV",
                    reason: format!("expected `development` or `production`, got `{other}`"),
                });
            }
            None if bind_addr.ip().is_loopback() => (AppEnv::Development, false),
            None => (AppEnv::Production, false),
        };
        let purge_schedule = get("PURGE_SCHEDULE").unwrap_or_else(|| "0 0 * * * *".into());
        check_schedule(&purge_schedule)?;
        let jwt_secret = get("JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(ConfigError { var: "JWT_SECRET", reason: "must be at least 32 bytes".into() });
        }
        Ok(Self {
            app_env,
            app_env_explicit,
            database_url: get("DATABASE_URL")
                .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/api".into()),
            db_pool_size: parse(&get, "DB_POOL_SIZE", Some(16u32))?.max(1),
            db_read_pool_size: parse(&get, "DB_READ_POOL_SIZE", Some(8u32))?.max(1),
            timeouts: timeouts(&get)?,
            redis_url: get("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            redis_key_prefix: get("REDIS_KEY_PREFIX").unwrap_or_else(|| "api:".into()),
            bind_addr,
            public_url,
            jwt_secret,
            access_token_ttl: seconds(&get, "ACCESS_TOKEN_TTL_SECONDS", 3600, (1, YEAR))?,
            security_resync: millis(&get, "SECURITY_RESYNC_MS", 1000, (1, 3_600_000), "1 ms to 1 h")?,
            security_mirror_max_entries: at_least(
                parse(&get, "SECURITY_MIRROR_MAX_ENTRIES", Some(100_000))?,
                1,
                "SECURITY_MIRROR_MAX_ENTRIES",
            )?,
            rate_limit_per_minute: parse(&get, "RATE_LIMIT_PER_MINUTE", Some(100))?,
            trusted_proxies,
            payment_private_key: get("PAYMENT_PRIVATE_KEY"),
            admin,
            transfer_link_ttl: seconds(&get, "TRANSFER_LINK_TTL_SECONDS", 86_400, (1, YEAR))?,
            idempotency_key_ttl: seconds(&get, "IDEMPOTENCY_KEY_TTL_SECONDS", 86_400, (1, YEAR))?,
            ar_token_ttl: seconds(&get, "AR_TOKEN_TTL_SECONDS", 1_209_600, (1, YEAR))?,
            purge_schedule,
            soft_delete_retention_days: within(
                parse(&get, "SOFT_DELETE_RETENTION_DAYS", Some(30))?,
                (0, 3650),
                "SOFT_DELETE_RETENTION_DAYS",
                "days: 0 purges at the next run, at most 10 years",
            )?,
            max_image_bytes: parse(&get, "MAX_IMAGE_BYTES", Some(10 * 1024 * 1024))?,
            hashing: hashing(&get)?,
            http: http_limits(&get)?,
            image_memory_budget: at_least(
                parse(&get, "IMAGE_MEMORY_BUDGET_BYTES", Some(256 * 1024 * 1024))?,
                16 * 1024 * 1024,
                "IMAGE_MEMORY_BUDGET_BYTES",
            )?,
            sentry_dsn: get("SENTRY_DSN"),
            log_format,
        })
    }
}

/// `PURGE_SCHEDULE` is read as the scheduler reads it (six fields, seconds
/// first), so a typo stops start-up naming the field that is wrong rather
/// than failing later with the scheduler's bare `ParseSchedule`.
fn check_schedule(schedule: &str) -> Result<(), ConfigError> {
    croner::parser::CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(schedule)
        .map(drop)
        .map_err(|e| ConfigError {
            var: "PURGE_SCHEDULE",
            reason: format!(
                "`{schedule}` is not a cron schedule ({e}); expected six fields, seconds first: \
                 second minute hour day-of-month month day-of-week, e.g. `0 0 * * * *` for hourly"
            ),
        })
}

fn at_least<T: PartialOrd + std::fmt::Display>(
    value: T,
    min: T,
    var: &'static str,
) -> Result<T, ConfigError> {
    if value < min {
        return Err(ConfigError { var, reason: format!("must be at least {min}") });
    }
    Ok(value)
}

/// The start-up admin obeys the same rules as any account: a weak password
/// here would open the admin panel and `/shop/admin`.
fn admin_seed(login: String, password: String) -> Result<AdminSeed, ConfigError> {
    let rule = |var, result: Result<(), validator::ValidationError>| {
        result.map_err(|e| ConfigError {
            var,
            reason: e.message.map_or_else(|| e.code.to_string(), |m| m.to_string()),
        })
    };
    rule("ADMIN_LOGIN", crate::validate::login(&login))?;
    rule("ADMIN_PASSWORD", crate::validate::password(&password))?;
    Ok(AdminSeed { login, password })
}

/// `var` in milliseconds, within `min..=max`.
fn millis(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    (min, max): (u64, u64),
    bound: &str,
) -> Result<Duration, ConfigError> {
    let ms: u64 = parse(get, var, Some(default))?;
    if !(min..=max).contains(&ms) {
        return Err(ConfigError { var, reason: format!("must be {min} to {max} ms ({bound}), got {ms}") });
    }
    Ok(Duration::from_millis(ms))
}

/// The request's bound first, then each database bound below it. A bound left
/// unset defaults to its usual value, or lower when the request's is short.
fn timeouts(get: &impl Fn(&str) -> Option<String>) -> Result<Timeouts, ConfigError> {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let request = millis(get, "REQUEST_TIMEOUT_MS", 30_000, (1_000, 600_000), "1 s to 10 min")?;
    let below_request = (ms(request) - 1).max(100);
    let db_statement = millis(
        get,
        "DB_STATEMENT_TIMEOUT_MS",
        5_000.min(ms(request) / 2),
        (100, below_request),
        "below REQUEST_TIMEOUT_MS",
    )?;
    let db_lock = millis(
        get,
        "DB_LOCK_TIMEOUT_MS",
        2_000.min(ms(db_statement)),
        (10, ms(db_statement)),
        "at most DB_STATEMENT_TIMEOUT_MS",
    )?;
    let db_idle_in_transaction = millis(
        get,
        "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
        ms(db_statement),
        (100, below_request),
        "below REQUEST_TIMEOUT_MS",
    )?;
    let db_checkout = millis(
        get,
        "DB_CHECKOUT_TIMEOUT_MS",
        1_000.min(ms(request) / 2),
        (10, below_request),
        "below REQUEST_TIMEOUT_MS",
    )?;
    Ok(Timeouts { request, db_checkout, db_statement, db_lock, db_idle_in_transaction })
}

/// `HASH_THREADS` (default: one per core), `HASH_QUEUE_MAX` (64),
/// `HASH_QUEUE_PER_SOURCE` (16, at most the queue) and `HASH_QUEUE_PER_CLIENT`
/// (default and at most: a source's share).
fn hashing(get: &impl Fn(&str) -> Option<String>) -> Result<HashLimits, ConfigError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = at_least(parse(get, "HASH_THREADS", Some(cores))?, 1, "HASH_THREADS")?;
    let max_waiting = at_least(parse(get, "HASH_QUEUE_MAX", Some(64))?, 1, "HASH_QUEUE_MAX")?;
    let per_source = at_least(
        parse(get, "HASH_QUEUE_PER_SOURCE", Some(16.min(max_waiting)))?,
        1,
        "HASH_QUEUE_PER_SOURCE",
    )?;
    if per_source > max_waiting {
        return Err(ConfigError {
            var: "HASH_QUEUE_PER_SOURCE",
            reason: "must be at most HASH_QUEUE_MAX".into(),
        });
    }
    let per_client =
        at_least(parse(get, "HASH_QUEUE_PER_CLIENT", Some(per_source))?, 1, "HASH_QUEUE_PER_CLIENT")?;
    if per_client > per_source {
        return Err(ConfigError {
            var: "HASH_QUEUE_PER_CLIENT",
            reason: "must be at most HASH_QUEUE_PER_SOURCE".into(),
        });
    }
    Ok(HashLimits { threads, max_waiting, per_source, per_client })
}

/// How long a client may take and how many may be connected (`listener.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpLimits {
    /// `HTTP_HEADER_TIMEOUT_MS`: a request head must arrive whole within it,
    /// counted from when the connection opened or its previous answer went
    /// out; so it is also the idle keep-alive timeout (hyper runs one timer).
    pub header_timeout: Duration,
    /// `HTTP_MAX_CONNECTIONS`: connections served at once by this process.
    pub max_connections: usize,
}

fn http_limits(get: &impl Fn(&str) -> Option<String>) -> Result<HttpLimits, ConfigError> {
    Ok(HttpLimits {
        header_timeout: millis(get, "HTTP_HEADER_TIMEOUT_MS", 20_000, (100, 600_000), "100 ms to 10 min")?,
        max_connections: at_least(
            parse(get, "HTTP_MAX_CONNECTIONS", Some(10_000))?,
            1,
            "HTTP_MAX_CONNECTIONS",
        )?,
    })
}

fn missing(var: &'static str, reason: &str) -> ConfigError {
    ConfigError { var, reason: reason.into() }
}

fn parse<T: FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Option<T>,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match get(var) {
        Some(raw) => {
            raw.trim().parse().map_err(|e: T::Err| ConfigError { var, reason: format!("`{raw}`: {e}") })
        }
        None => default.ok_or_else(|| missing(var, "is required")),
    }
}

/// A year in seconds: the longest lifetime a token, link or idempotency key
/// may be given (also the most `POST /ar/.../token` accepts in its body).
const YEAR: u64 = 365 * 24 * 3600;

/// `var` in seconds, within `min..=max`. Every lifetime is bounded here so
/// that `now + ttl` (chrono panics on overflow) cannot fail on a request
/// path: `ACCESS_TOKEN_TTL_SECONDS=1000000000000000000` stops start-up
/// instead of the first login.
fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: u64,
    range: (u64, u64),
) -> Result<Duration, ConfigError> {
    let secs = within(parse(get, var, Some(default))?, range, var, "seconds")?;
    Ok(Duration::from_secs(secs))
}

/// `value` within `min..=max`, or an error naming `var` and the range.
fn within<T: PartialOrd + std::fmt::Display>(
    value: T,
    (min, max): (T, T),
    var: &'static str,
    unit: &str,
) -> Result<T, ConfigError> {
    if value < min || value > max {
        return Err(ConfigError { var, reason: format!("must be {min} to {max} {unit}, got {value}") });
    }
    Ok(value)
}

/// Accepts a CIDR or a bare address (taken as a single host).
fn parse_cidr(raw: &str) -> Result<IpNet, String> {
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(IpNet::from))
        .map_err(|_| format!("`{raw}` is not a CIDR or an IP address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_environment_is_a_valid_configuration() {
        let config = Config::from_lookup(|_| None).unwrap();
        assert_eq!(config.ar_token_ttl.as_secs(), Config::defaults().ar_token_ttl.as_secs());
    }
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_follow_the_contract_table() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.rate_limit_per_minute, 100);
        assert_eq!(c.access_token_ttl.as_secs(), 3600);
        assert_eq!(c.ar_token_ttl.as_secs(), 1_209_600);
        assert_eq!(c.max_image_bytes, 10_485_760);
        assert_eq!(c.purge_schedule, "0 0 * * * *");
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.security_resync.as_millis(), 1000);
        assert_eq!(c.security_mirror_max_entries, 100_000);
        assert_eq!(c.timeouts.request, Duration::from_secs(30));
        assert_eq!(c.timeouts.db_statement, Duration::from_secs(5));
        assert_eq!(c.timeouts.db_lock, Duration::from_secs(2));
        assert_eq!(c.timeouts.db_idle_in_transaction, Duration::from_secs(5));
        assert_eq!(c.timeouts.db_checkout, Duration::from_secs(1));
    }

    #[test]
    fn flood_bounds_have_defaults_and_refuse_inconsistent_values_by_name() {
        let c = config(&[]).unwrap();
        assert_eq!((c.hashing.max_waiting, c.hashing.per_source, c.hashing.per_client), (64, 16, 16));
        assert_eq!(c.image_memory_budget, 256 * 1024 * 1024);
        assert_eq!(c.http.header_timeout, Duration::from_secs(20));
        assert_eq!(c.http.max_connections, 10_000);
        let small = config(&[("HASH_QUEUE_MAX", "4")]).unwrap();
        assert_eq!(
            (small.hashing.per_source, small.hashing.per_client),
            (4, 4),
            "shares shrink with the queue"
        );
        for (var, value) in [
            ("HASH_QUEUE_PER_SOURCE", "65"),
            ("HASH_QUEUE_PER_CLIENT", "17"),
            ("HASH_THREADS", "0"),
            ("IMAGE_MEMORY_BUDGET_BYTES", "1024"),
            ("HTTP_HEADER_TIMEOUT_MS", "10"),
            ("HTTP_MAX_CONNECTIONS", "0"),
        ] {
            assert_eq!(config(&[(var, value)]).unwrap_err().var, var, "{var}={value}");
        }
    }

    #[test]
    fn a_weak_admin_password_or_bad_login_is_refused_by_name() {
        for password in ["x", "seven77", &"p".repeat(129), "nul\0in password"] {
            let err = config(&[("ADMIN_LOGIN", "root"), ("ADMIN_PASSWORD", password)]).unwrap_err();
            assert_eq!(err.var, "ADMIN_PASSWORD", "{password:?}");
            if password.len() > 3 {
                assert!(!err.to_string().contains(password), "the password is not echoed: {err}");
            }
            assert_eq!(err.to_string().lines().count(), 1);
        }
        let err = config(&[("ADMIN_LOGIN", "ro\u{7}ot"), ("ADMIN_PASSWORD", "long enough")]).unwrap_err();
        assert_eq!(err.var, "ADMIN_LOGIN");
        let ok = config(&[("ADMIN_LOGIN", "root"), ("ADMIN_PASSWORD", "eight ch")]).unwrap();
        assert_eq!(ok.admin.unwrap().password, "eight ch");
    }

    #[test]
    fn database_bounds_sit_below_the_request_timeout() {
        let c = config(&[("REQUEST_TIMEOUT_MS", "2000")]).unwrap();
        assert_eq!(
            c.timeouts.db_statement,
            Duration::from_millis(1000),
            "defaults follow a short request bound"
        );
        assert_eq!(c.timeouts.db_checkout, Duration::from_millis(1000));
        let err = config(&[("REQUEST_TIMEOUT_MS", "2000"), ("DB_STATEMENT_TIMEOUT_MS", "2000")]).unwrap_err();
        assert_eq!(err.var, "DB_STATEMENT_TIMEOUT_MS");
        let err = config(&[("DB_STATEMENT_TIMEOUT_MS", "500"), ("DB_LOCK_TIMEOUT_MS", "600")]).unwrap_err();
        assert_eq!(err.var, "DB_LOCK_TIMEOUT_MS");
        let err = config(&[("REQUEST_TIMEOUT_MS", "10")]).unwrap_err();
        assert_eq!(err.var, "REQUEST_TIMEOUT_MS");
        let err = config(&[("DB_CHECKOUT_TIMEOUT_MS", "0")]).unwrap_err();
        assert_eq!(err.var, "DB_CHECKOUT_TIMEOUT_MS");
        let err = config(&[("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "forever")]).unwrap_err();
        assert_eq!(err.var, "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS");
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = config(&[("RATE_LIMIT_PER_MINUTE", "many")]).unwrap_err();
        assert_eq!(err.var, "RATE_LIMIT_PER_MINUTE");
        let err = config(&[("TRUSTED_PROXIES", "10.0.0.0/8, nope")]).unwrap_err();
        assert_eq!(err.var, "TRUSTED_PROXIES");
        let err = config(&[("ADMIN_LOGIN", "root")]).unwrap_err();
        assert_eq!(err.var, "ADMIN_PASSWORD");
        let err = config(&[("LOG_FORMAT", "xml")]).unwrap_err();
        assert!(err.to_string().contains("LOG_FORMAT"));
        let err = config(&[("SECURITY_RESYNC_MS", "0")]).unwrap_err();
        assert_eq!(err.var, "SECURITY_RESYNC_MS");
        let err = config(&[("SECURITY_MIRROR_MAX_ENTRIES", "0")]).unwrap_err();
        assert_eq!(err.var, "SECURITY_MIRROR_MAX_ENTRIES");
        let err = config(&[("APP_ENV", "prod")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration: APP_ENV: expected `development` or `production`, got `prod`"
        );
    }

    #[test]
    fn every_lifetime_is_bounded_by_name_and_range() {
        for var in [
            "ACCESS_TOKEN_TTL_SECONDS",
            "TRANSFER_LINK_TTL_SECONDS",
            "IDEMPOTENCY_KEY_TTL_SECONDS",
            "AR_TOKEN_TTL_SECONDS",
        ] {
            for absurd in ["0", "31536001", "1000000000000000000"] {
                let err = config(&[(var, absurd)]).unwrap_err();
                assert_eq!(
                    err.to_string(),
                    format!("invalid configuration: {var}: must be 1 to 31536000 seconds, got {absurd}")
                );
            }
            let err = config(&[(var, "99999999999999999999")]).unwrap_err();
            assert_eq!(err.var, var, "beyond u64 is a parse error, still by name");
            assert_eq!(config(&[(var, "31536000")]).map(|_| ()).map_err(|e| e.to_string()), Ok(()));
        }
        let err = config(&[("SOFT_DELETE_RETENTION_DAYS", "3651")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration: SOFT_DELETE_RETENTION_DAYS: \
             must be 0 to 3650 days: 0 purges at the next run, at most 10 years, got 3651"
        );
        assert_eq!(config(&[("SOFT_DELETE_RETENTION_DAYS", "0")]).unwrap().soft_delete_retention_days, 0);
        let err = config(&[("SECURITY_RESYNC_MS", "1000000000000000000")]).unwrap_err();
        assert_eq!(err.var, "SECURITY_RESYNC_MS");
        assert!(err.to_string().contains("must be 1 to 3600000 ms"), "{err}");
        let c =
            config(&[("ACCESS_TOKEN_TTL_SECONDS", "31536000"), ("SECURITY_RESYNC_MS", "600000")]).unwrap();
        assert_eq!(c.access_token_ttl, Duration::from_secs(31_536_000));
        assert_eq!(c.security_resync, Duration::from_secs(600));
    }

    #[test]
    fn a_bad_purge_schedule_says_what_a_schedule_looks_like() {
        for bad in ["0 * * * *", "every hour", "61 0 * * * *"] {
            let err = config(&[("PURGE_SCHEDULE", bad)]).unwrap_err();
            assert_eq!(err.var, "PURGE_SCHEDULE");
            let text = err.to_string();
            assert!(text.contains(&format!("`{bad}` is not a cron schedule")), "{text}");
            assert!(text.contains("six fields, seconds first"), "{text}");
            assert!(!text.contains("ParseSchedule"), "{text}");
            assert_eq!(text.lines().count(), 1);
        }
        assert_eq!(config(&[("PURGE_SCHEDULE", "0 */5 * * * *")]).unwrap().purge_schedule, "0 */5 * * * *");
    }

    #[test]
    fn development_is_never_inferred_for_a_reachable_address() {
        let c = config(&[]).unwrap();
        assert_eq!((c.app_env, c.app_env_explicit), (AppEnv::Development, false), "loopback, APP_ENV unset");
        let c = config(&[("BIND_ADDR", "0.0.0.0:8080")]).unwrap();
        assert_eq!((c.app_env, c.app_env_explicit), (AppEnv::Production, false), "reachable, APP_ENV unset");
        let c = config(&[("APP_ENV", "production")]).unwrap();
        assert_eq!((c.app_env, c.app_env_explicit), (AppEnv::Production, true));
        let c = config(&[("APP_ENV", "development"), ("BIND_ADDR", "0.0.0.0:8080")]).unwrap();
        assert_eq!((c.app_env, c.app_env_explicit), (AppEnv::Development, true), "asked for explicitly");
    }

    #[test]
    fn public_url_drops_its_trailing_slash_and_proxies_accept_bare_ips() {
        let c = config(&[
            ("PUBLIC_URL", "https://api.example.com/"),
            ("TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
        ])
        .unwrap();
        assert_eq!(c.public_url, "https://api.example.com");
        assert_eq!(c.trusted_proxies.len(), 2);
    }
}
