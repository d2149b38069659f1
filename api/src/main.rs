//! `api [serve | migrate | purge]`: the server binary.

use std::process::ExitCode;

use api::{config::Config, server, telemetry};

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if !matches!(command.as_str(), "serve" | "migrate" | "purge") {
        eprintln!("usage: api [serve | migrate | purge]");
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Sentry starts before the runtime so that it sees every thread.
    let _sentry = config.sentry_dsn.as_deref().map(|dsn| {
        sentry::init(
            sentry::ClientOptions::new()
                .dsn(dsn)
                .release(sentry::release_name!().unwrap_or_default())
                .send_default_pii(false)
                .before_send(telemetry::scrub_event),
        )
    });
    telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        match command.as_str() {
            "migrate" => {
                server::migrate(&config).await.map(|n| tracing::info!(applied = n, "migrations done"))
            }
            "purge" => server::purge(config).await,
            _ => server::serve(config).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped on an error");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
