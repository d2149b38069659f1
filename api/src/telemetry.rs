//! Logging: the subscriber (pretty or JSON lines, written out in batches by
//! `log_writer.rs`) and the one-line-per-request layer. Only the matched route
//! is logged, never the raw URI: /exchange takes tokens in the query string.

use std::{io::IsTerminal, time::Duration};

use axum::{
    body::Body,
    extract::MatchedPath,
    http::{Request, Response},
};
use tower_http::{
    classify::{ServerErrorsAsFailures, SharedClassifier},
    trace::TraceLayer,
};
use tracing::Span;
use tracing_subscriber::{EnvFilter, layer::SubscriberExt, util::SubscriberInitExt};

use crate::{
    config::LogFormat,
    log_writer::{self, Flush},
};

/// Installs the subscriber; the guard writes the last buffered lines when dropped.
pub fn init(format: LogFormat) -> Flush {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,tokio_cron_scheduler=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let (writer, flush) = log_writer::batched();
    let result = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Pretty => registry
            .with(tracing_subscriber::fmt::layer().with_writer(writer).compact().with_ansi(colour(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            )))
            .try_init(),
    };
    // A second init (tests start several servers in one process) keeps the first.
    match result {
        Ok(()) => flush,
        Err(_) => Flush::none(),
    }
}

/// Colours only on a terminal: redirected to a file or a pipe, escape codes
/// would be noise in it. `NO_COLOR` (<https://no-color.org>) turns them off.
fn colour(stdout_is_terminal: bool, no_color: bool) -> bool {
    stdout_is_terminal && !no_color
}

type Classifier = SharedClassifier<ServerErrorsAsFailures>;

/// One line per request: method, matched route, status, latency, request id.
#[expect(clippy::type_complexity, reason = "the layer's type names its closures")]
pub fn request_log() -> TraceLayer<
    Classifier,
    impl Fn(&Request<Body>) -> Span + Clone,
    (),
    impl Fn(&Response<Body>, Duration, &Span) + Clone,
    (),
    (),
    (),
> {
    TraceLayer::new_for_http()
        .make_span_with(|req: &Request<Body>| {
            let route = req.extensions().get::<MatchedPath>().map_or("(unmatched)", MatchedPath::as_str);
            let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), route, request_id)
        })
        .on_request(())
        .on_response(|res: &Response<Body>, latency: Duration, _span: &Span| {
            tracing::info!(
                status = res.status().as_u16(),
                latency_ms = latency.as_secs_f64() * 1000.0,
                "answered"
            );
        })
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Self;
        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, false));
        assert!(!colour(false, false), "a file or a pipe gets plain text");
        assert!(!colour(true, true), "NO_COLOR wins");
    }

    #[test]
    fn the_pretty_format_written_to_a_file_has_no_escape_codes() {
        let out = Captured::default();
        let layer = tracing_subscriber::fmt::layer()
            .compact()
            .with_ansi(colour(false, false))
            .with_writer(out.clone());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || tracing::warn!(status = 503, "answered"));
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("WARN") && text.contains("answered") && text.contains("status=503"), "{text}");
        assert!(!text.contains('\u{1b}'), "no ANSI escape codes: {text:?}");
    }
}
