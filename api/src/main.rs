//! `api [serve | migrate | purge]`: the server binary.

use std::process::ExitCode;

use api::{config::Config, devmode, monitoring, server, telemetry};

/// jemalloc rather than glibc's malloc: the benchmark spent 16% of the
/// server's CPU in glibc's malloc and free, and glibc's per-thread arenas
/// (one per blocking thread) held memory long after a burst.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Two arenas for two cores' worth of threads; freed pages go back to the
/// system within 100 ms (a background thread purges them, so an idle server
/// shrinks too). The benchmark's lists at 256 connections peaked 4.6 MiB
/// lower than with 1 s.
#[unsafe(export_name = "_rjem_malloc_conf")]
#[allow(non_upper_case_globals, reason = "jemalloc reads this symbol by name")]
pub static malloc_conf: &[u8] = b"narenas:2,background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0\0";

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let command = std::env::args().nth(1).unwrap_or_else(|| "serve".into());
    if !matches!(command.as_str(), "serve" | "migrate" | "purge") {
        eprintln!("usage: api [serve | migrate | purge]");
        return ExitCode::from(2);
    }
    let mut config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Development mode fills in what `serve` lacks on a developer's machine.
    let dev = match command.as_str() {
        "serve" => match devmode::apply(&mut config, &devmode::secrets_file()) {
            Ok(dev) => dev,
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    // Sentry starts before the runtime so that it sees every thread.
    let _sentry = match monitoring::init(config.sentry_dsn.as_deref()) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Held to the end: its drop writes the last buffered log lines.
    let _logs = telemetry::init(config.log_format);
    // Blocking threads run database work (one pooled connection each) and
    // image decoding: beyond the pool's size they would only wait for a
    // connection, each with its stack and malloc arena (the benchmark's 256
    // connections otherwise start ~256 of them). Extra work queues in tokio.
    let blocking_threads = config.db_pool_size as usize + 8;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(blocking_threads)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let development = dev.is_some();
    let result = runtime.block_on(async move {
        match command.as_str() {
            "migrate" => {
                server::migrate(&config).await.map(|n| tracing::info!(applied = n, "migrations done"))
            }
            "purge" => server::purge(config).await,
            _ => server::serve(config, dev).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "stopped on an error");
            // One line: libpq's messages carry their own line breaks.
            let text = format!("{e:#}").split_whitespace().collect::<Vec<_>>().join(" ");
            eprintln!("error: {text}");
            if let Some(hint) = devmode::start_hint(&text).filter(|_| development) {
                eprintln!("{hint}");
            }
            ExitCode::FAILURE
        }
    }
}
