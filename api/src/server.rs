//! Start-up and the three commands: `serve`, `migrate`, `purge`.

use anyhow::Context;
use diesel::{Connection, PgConnection};
use tokio::net::TcpListener;

use crate::{
    config::{AppEnv, Config},
    db,
    devmode::{self, DevDefaults},
    jobs,
    state::AppState,
};

/// Creates the database if missing and applies pending migrations.
pub async fn migrate(config: &Config) -> anyhow::Result<usize> {
    let url = config.database_url.clone();
    tokio::task::spawn_blocking(move || {
        db::ensure_database(&url)?;
        let mut conn = PgConnection::establish(&url).context("cannot connect to DATABASE_URL")?;
        db::migrate(&mut conn)
    })
    .await?
}

/// Everything a server needs before it answers: migrations, connections, and
/// the start-up work of the apps.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    prepare_on(config, None).await
}

/// [`prepare`], on `pool` when given (the test harness's replicas share one).
pub async fn prepare_on(config: Config, pool: Option<db::DbPool>) -> anyhow::Result<AppState> {
    migrate(&config).await?;
    let state = match pool {
        Some(pool) => AppState::connect_with_pool(config, pool).await?,
        None => AppState::connect(config).await?,
    };
    crate::auth::revocations::start(&state).await?;
    for start in crate::apps::ALL.iter().filter_map(|app| app.on_startup) {
        start(&state).await?;
    }
    // Last: every mirror has taken its channel (`mirror::start`).
    state.bus.start();
    Ok(state)
}

/// Serves on `listener` until SIGTERM or Ctrl-C; in-flight requests finish.
pub async fn serve_on(listener: TcpListener, state: AppState) -> anyhow::Result<()> {
    let limits = state.config.http;
    let app = crate::app(state);
    crate::listener::serve(listener, app, limits, shutdown_signal()).await.context("server failed")
}

/// `api serve`: prepare, start the purge scheduler, listen on `BIND_ADDR`;
/// a development server (`dev`) then prints its banner.
pub async fn serve(config: Config, dev: Option<DevDefaults>) -> anyhow::Result<()> {
    let bind_addr = config.bind_addr;
    warn_production_gaps(&config);
    let state = prepare(config).await?;
    let mut scheduler = jobs::start_scheduler(state.clone()).await?;
    let listener = TcpListener::bind(bind_addr)
        .await
        .with_context(|| format!("cannot listen on BIND_ADDR {bind_addr}"))?;
    tracing::info!(addr = %bind_addr, docs = %format!("{}/docs", state.config.public_url), "listening");
    if let Some(dev) = &dev {
        // After the start-up log lines, which the log writer may still hold.
        crate::log_writer::write_out();
        println!("{}", devmode::banner(dev, &state.config.public_url));
    }
    let served = serve_on(listener, state).await;
    let _ = scheduler.shutdown().await;
    tracing::info!("stopped");
    served
}

/// What a production server runs without, said once at start.
fn warn_production_gaps(config: &Config) {
    for gap in production_gaps(config) {
        tracing::warn!("{gap}");
    }
}

/// The warnings [`warn_production_gaps`] logs (none in development).
fn production_gaps(config: &Config) -> Vec<String> {
    let mut gaps = Vec::new();
    if config.app_env != AppEnv::Production {
        return gaps;
    }
    if !config.app_env_explicit {
        gaps.push(format!(
            "APP_ENV is unset and BIND_ADDR {} is not loopback: running as production, without development defaults",
            config.bind_addr
        ));
    }
    if config.jwt_secret.is_none() {
        gaps.push(
            "JWT_SECRET is not set: using a random key, tokens die with this process and replicas will not share them"
                .into(),
        );
    }
    gaps.extend(crate::apps::ALL.iter().filter_map(|app| app.production_gap?(config)).map(String::from));
    gaps
}

/// `api purge`: one purge run, then exit.
pub async fn purge(config: Config) -> anyhow::Result<()> {
    let state = prepare(config).await?;
    jobs::run_logged(&state).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const SECRET: &str = "a-secret-of-at-least-thirty-two-bytes!!";

    fn config(pairs: &[(&str, &str)]) -> Config {
        let map: HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| map.get(k).cloned()).unwrap()
    }

    #[test]
    fn production_without_a_payment_key_is_warned_about() {
        let gaps = production_gaps(&config(&[("APP_ENV", "production"), ("JWT_SECRET", SECRET)]));
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        // The app that needs the key says so through its descriptor.
        assert!(gaps[0].starts_with("PAYMENT_PRIVATE_KEY is not set: POST /"), "{gaps:?}");
        let gaps = production_gaps(&config(&[
            ("BIND_ADDR", "0.0.0.0:8080"),
            ("PAYMENT_PRIVATE_KEY", "k"),
            ("JWT_SECRET", SECRET),
        ]));
        assert_eq!(
            gaps,
            [
                "APP_ENV is unset and BIND_ADDR 0.0.0.0:8080 is not loopback: running as production, without development defaults"
            ]
        );
        assert!(
            production_gaps(&config(&[
                ("APP_ENV", "production"),
                ("PAYMENT_PRIVATE_KEY", "k"),
                ("JWT_SECRET", SECRET)
            ]))
            .is_empty()
        );
        assert!(production_gaps(&config(&[])).is_empty(), "development fills the key in instead");
    }

    #[test]
    fn production_without_a_jwt_secret_is_warned_about_by_serve_only() {
        let gaps = production_gaps(&config(&[("APP_ENV", "production"), ("PAYMENT_PRIVATE_KEY", "k")]));
        assert_eq!(
            gaps,
            [
                "JWT_SECRET is not set: using a random key, tokens die with this process and replicas will not share them"
            ]
        );
    }
}
