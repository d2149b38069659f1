//! Logging: the subscriber (pretty or JSON lines) and the one-line-per-request
//! layer. Only the matched route is logged, never the raw URI: /exchange takes
//! tokens in the query string.

use std::time::Duration;

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

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn,tokio_cron_scheduler=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(tracing_subscriber::fmt::layer().compact()).try_init(),
    };
    // A second init (tests start several servers in one process) keeps the first.
    let _ = result;
}

/// Sentry's `before_send`: drops the query string of an event's request, as
/// /exchange takes tokens and transfer codes there (the request log never has it).
pub fn scrub_event(mut event: sentry::protocol::Event<'static>) -> Option<sentry::protocol::Event<'static>> {
    if let Some(request) = event.request.as_mut() {
        request.query_string = None;
        if let Some(url) = request.url.as_mut() {
            url.set_query(None);
        }
    }
    Some(event)
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
    use sentry::protocol::{Event, Request};

    #[test]
    fn sentry_events_never_carry_the_query_string() {
        let event = Event {
            request: Some(Request {
                url: "http://h/exchange/get?transfer=code&token=secret".parse().ok(),
                query_string: Some("transfer=code&token=secret".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let request = super::scrub_event(event).and_then(|e| e.request).unwrap();
        assert_eq!(request.url.unwrap().as_str(), "http://h/exchange/get");
        assert_eq!(request.query_string, None);
    }
}
