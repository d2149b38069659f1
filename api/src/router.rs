//! The one place that mounts the apps, the platform routes and the layers
//! every request goes through.

use std::time::Duration;

use axum::{Router, extract::DefaultBodyLimit, middleware};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    apps,
    error::ApiError,
    openapi::ApiDoc,
    platform,
    rate_limit::{self, Limit},
    state::AppState,
    telemetry,
};

/// Largest request body outside the routes that raise it (/ar images).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The bearer security schemes, by name, besides /todo's OAuth2 one.
pub const BEARER_SCHEMES: &[(&str, &str)] = &[];

/// Each app's prefix, its rate-limit name and its routes.
fn apps() -> Vec<(&'static str, OpenApiRouter<AppState>)> {
    vec![("todo", apps::todo::router())]
}

fn platform_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(platform::health)).routes(routes!(platform::ready))
}

/// The whole OpenAPI document, built from the code without a server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(platform_routes());
    for (name, app) in apps() {
        router = router.nest(&format!("/{name}"), app);
    }
    router.into_openapi()
}

/// The server's router: every app under its prefix with its rate limit, the
/// platform routes, Swagger UI, and the request-wide layers.
pub fn app(state: AppState) -> Router {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(platform_routes());
    for (name, app) in apps() {
        let limited = app.layer(middleware::from_fn_with_state(
            Limit { state: state.clone(), app: name },
            rate_limit::limit,
        ));
        router = router.nest(&format!("/{name}"), limited);
    }
    let (router, openapi) = router.split_for_parts();
    router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(sentry::integrations::tower::SentryHttpLayer::new())
        .layer(sentry::integrations::tower::NewSentryLayer::new_from_top())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(telemetry::request_log())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
