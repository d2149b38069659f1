//! The one place that mounts the apps (each from its descriptor in
//! `apps::ALL`), the platform routes and the layers every request goes through.

use std::sync::Arc;

use axum::{Router, extract::DefaultBodyLimit, middleware};
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
};
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    apps::ALL,
    config::Config,
    deadline,
    error::ApiError,
    extract::BODY_LIMIT,
    idempotency, metrics, monitoring, platform,
    rate_limit::{self, Limit},
    registry,
    state::AppState,
    telemetry,
};

fn platform_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(platform::health))
        .routes(routes!(platform::ready))
        .routes(routes!(platform::metrics))
}

/// The whole OpenAPI document, built from the code without a server (texts
/// that depend on configuration say the defaults).
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi_for(&Config::defaults())
}

/// The document a server with `config` serves.
fn openapi_for(config: &Config) -> utoipa::openapi::OpenApi {
    let mut router = OpenApiRouter::with_openapi(crate::openapi::frame(ALL, config)).merge(platform_routes());
    for app in ALL {
        let mut routes = (app.routes)();
        if let Some(unlimited) = app.unlimited {
            routes = routes.merge(unlimited());
        }
        router = router.nest(&registry::mount(app), routes);
    }
    let mut doc = router.into_openapi();
    crate::openapi::fix_links(&mut doc);
    let unkeyed: Vec<&str> = ALL.iter().flat_map(|app| app.unkeyed.iter().copied()).collect();
    idempotency::document(&mut doc, &unkeyed);
    doc
}

/// The server's router: every app under its prefix with its rate limit, the
/// platform routes, Swagger UI, and the request-wide layers.
pub fn app(state: AppState) -> Router {
    layers(routes(state))
}

/// Every route, without the request-wide layers (tests add a route before them).
pub fn routes(state: AppState) -> Router {
    // The request deadline sits inside each app's error mapping, so that a
    // timeout answers in the app's shape (its `shape_errors`).
    let deadline = middleware::from_fn_with_state(state.config.timeouts, deadline::bound);
    let trusted: Arc<[ipnet::IpNet]> = state.config.trusted_proxies.clone().into();
    let client = middleware::from_fn_with_state(trusted, crate::client::scope);
    let doc = openapi_for(&state.config);
    let keyed = Arc::new(idempotency::keyed_routes(&doc));
    let max_body = ALL
        .iter()
        .filter_map(|app| app.body_limit.map(|limit| limit(&state.config)))
        .fold(BODY_LIMIT, usize::max);
    let mut router = Router::new();
    for app in ALL {
        let limit = Limit { state: state.clone(), app: app.prefix };
        // Inside the rate limit (a 429 is never stored) and the deadline
        // (the stored answer commits with the deadline's permission).
        let keys = middleware::from_fn_with_state(
            idempotency::Keys {
                state: state.clone(),
                app: app.prefix,
                audiences: app.audiences,
                keyed: Arc::clone(&keyed),
                max_body,
            },
            idempotency::guard,
        );
        let mut mounted: Router<AppState> = (app.routes)()
            .layer(keys.clone())
            .layer(middleware::from_fn_with_state(limit, rate_limit::limit))
            .into();
        if let Some(unlimited) = app.unlimited {
            mounted = mounted.merge(Router::from(unlimited().layer(keys)));
        }
        mounted = mounted.layer(deadline.clone()).layer(client.clone());
        if let Some(shape_errors) = app.shape_errors {
            mounted = shape_errors(mounted);
        }
        router = router.nest(&registry::mount(app), mounted);
    }
    let platform = Router::from(platform_routes())
        .merge(SwaggerUi::new("/docs").url("/openapi.json", doc))
        .nest("/admin", crate::admin::router())
        .layer(deadline)
        .layer(client);
    router
        .merge(platform)
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
}

/// The layers every request goes through, innermost first: body limit, panic
/// to 500, Sentry (5xx report, request data, per-request hub), metrics,
/// request id, request log. The request deadline is applied per mount in
/// [`routes`].
pub fn layers(router: Router) -> Router {
    metrics::init();
    let router = router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(monitoring::panic_response));
    sentry_layers(router)
        .layer(middleware::from_fn(metrics::track))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(telemetry::request_log())
        .layer(SetRequestIdLayer::x_request_id(crate::request_id::MakeRequestUuid))
}

/// Sentry's layers, only when a Sentry client is bound (`SENTRY_DSN` set, or
/// a test's capturing client): without one they would only build and drop a
/// hub and a scope per request.
fn sentry_layers(router: Router) -> Router {
    if sentry::Hub::current().client().is_none() {
        return router;
    }
    router
        .layer(middleware::from_fn(monitoring::report))
        .layer(sentry::integrations::tower::SentryHttpLayer::new())
        .layer(sentry::integrations::tower::NewSentryLayer::new_from_top())
}
