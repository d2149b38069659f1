//! Start-up and the three commands: `serve`, `migrate`, `purge`.

use anyhow::Context;
use diesel::{Connection, PgConnection};
use tokio::net::TcpListener;

use crate::{config::Config, db, jobs, state::AppState};

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
    migrate(&config).await?;
    let state = AppState::connect(config).await?;
    crate::auth::revocations::start(&state).await?;
    // Each app's start-up work adds one line here: `apps::<app>::on_startup(&state).await?;`
    crate::apps::shop::on_startup(&state).await?;
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

/// `api serve`: prepare, start the purge scheduler, listen on `BIND_ADDR`.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let bind_addr = config.bind_addr;
    let state = prepare(config).await?;
    let mut scheduler = jobs::start_scheduler(state.clone()).await?;
    let listener = TcpListener::bind(bind_addr)
        .await
        .with_context(|| format!("cannot listen on BIND_ADDR {bind_addr}"))?;
    tracing::info!(addr = %bind_addr, docs = %format!("{}/docs", state.config.public_url), "listening");
    let served = serve_on(listener, state).await;
    let _ = scheduler.shutdown().await;
    tracing::info!("stopped");
    served
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
