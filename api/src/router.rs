//! The one place that mounts the apps, the platform routes and the layers
//! every request goes through.

use std::sync::Arc;

use axum::{Router, extract::DefaultBodyLimit, middleware};
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{PropagateRequestIdLayer, SetRequestIdLayer},
};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    apps, deadline,
    error::ApiError,
    idempotency, metrics, monitoring,
    openapi::ApiDoc,
    platform,
    rate_limit::{self, Limit},
    state::AppState,
    telemetry,
};

/// Largest request body outside the routes that raise it (/ar images).
pub const BODY_LIMIT: usize = 64 * 1024;

/// The bearer security schemes, by name, besides /todo's OAuth2 one.
pub const BEARER_SCHEMES: &[(&str, &str)] = &[
    (
        "exchange_auth",
        "An /exchange token from `POST /exchange/login` (also accepted as a `token` query parameter or body field)",
    ),
    ("dealer_auth", "A /dealer token from `POST /dealer/auth` (`Bearer` or `JWT` before it)"),
    ("shop_auth", "A /shop token from `POST /shop/login`"),
    (
        "ar_user",
        "An /ar user token from `POST /ar/api/login/`: for the user and project routes, and the owner's image targets",
    ),
    (
        "ar_app",
        "An /ar app token from `POST /ar/api/project/{id}/jwt`: a JWT scoped to that one project, for its image \
         targets only (project and user routes answer 403). Lives 14 days unless `PUT .../jwt/{token_id}` renews \
         it; revoked at once by `DELETE`.",
    ),
];

/// An app as mounted under `/{name}`.
struct App {
    /// The prefix without its slash; also the rate limit's budget name.
    name: &'static str,
    /// Routes behind the per-client rate limit.
    routes: OpenApiRouter<AppState>,
    /// Routes outside it (the payment webhook is not limited per client).
    unlimited: Option<OpenApiRouter<AppState>>,
    /// Rewrites every error answer of the app, rate limit included (/dealer's bodies).
    map_errors: Option<fn(Router<AppState>) -> Router<AppState>>,
    /// The `aud` of the app's tokens: a key belongs to the token's user.
    audiences: &'static [&'static str],
    /// Writes that take no `Idempotency-Key` (logins and logouts).
    unkeyed: &'static [&'static str],
}

impl App {
    fn new(name: &'static str, routes: OpenApiRouter<AppState>) -> Self {
        Self { name, routes, unlimited: None, map_errors: None, audiences: &[], unkeyed: &[] }
    }

    /// Its token audiences and the writes that take no `Idempotency-Key`.
    fn keys(mut self, audiences: &'static [&'static str], unkeyed: &'static [&'static str]) -> Self {
        self.audiences = audiences;
        self.unkeyed = unkeyed;
        self
    }

    fn unlimited(mut self, routes: OpenApiRouter<AppState>) -> Self {
        self.unlimited = Some(routes);
        self
    }

    fn map_errors(mut self, layer: fn(Router<AppState>) -> Router<AppState>) -> Self {
        self.map_errors = Some(layer);
        self
    }

    /// The app's routes in one router, for the document only.
    fn all_routes(self) -> OpenApiRouter<AppState> {
        match self.unlimited {
            Some(unlimited) => self.routes.merge(unlimited),
            None => self.routes,
        }
    }
}

/// Every app. Adding an app is one line here.
fn apps() -> Vec<App> {
    use crate::auth::Audience;
    use apps::{ar::Ar, dealer::Dealer, exchange::Exchange, shop::Shop, todo::Todo};
    vec![
        App::new("exchange", apps::exchange::router())
            .keys(&[Exchange::AUD], &["exchange_login", "exchange_logout"]),
        App::new("todo", apps::todo::router()).keys(&[Todo::AUD], &["todo_login", "todo_logout"]),
        App::new("dealer", apps::dealer::router())
            .map_errors(apps::dealer::shape_errors)
            .keys(&[Dealer::AUD], &["dealer_auth", "dealer_logout"]),
        App::new("shop", apps::shop::router())
            .unlimited(apps::shop::webhook_router())
            .keys(&[Shop::AUD], &["shop_login", "shop_logout"]),
        App::new("ar", apps::ar::router())
            .keys(&[Ar::AUD, apps::ar::APP_AUD], &["ar_login", "ar_login_no_slash", "ar_logout"]),
    ]
}

fn platform_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(platform::health))
        .routes(routes!(platform::ready))
        .routes(routes!(metrics::render))
}

/// The whole OpenAPI document, built from the code without a server.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(platform_routes());
    for app in apps() {
        router = router.nest(&format!("/{}", app.name), app.all_routes());
    }
    let mut doc = router.into_openapi();
    crate::openapi::fix_links(&mut doc);
    let unkeyed: Vec<&str> = apps().iter().flat_map(|app| app.unkeyed.iter().copied()).collect();
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
    // timeout answers in the app's shape (/dealer's `{"Error"}`).
    let deadline = middleware::from_fn_with_state(state.clone(), deadline::bound);
    let client = middleware::from_fn_with_state(state.clone(), crate::client::scope);
    let doc = openapi();
    let keyed = Arc::new(idempotency::keyed_routes(&doc));
    let max_body = BODY_LIMIT.max(apps::ar::image_body_limit(state.config.max_image_bytes));
    let mut router = Router::new();
    for app in apps() {
        let limit = Limit { state: state.clone(), app: app.name };
        // Inside the rate limit (a 429 is never stored) and the deadline
        // (the stored answer commits with the deadline's permission).
        let keys = middleware::from_fn_with_state(
            idempotency::Keys {
                state: state.clone(),
                app: app.name,
                audiences: app.audiences,
                keyed: Arc::clone(&keyed),
                max_body,
            },
            idempotency::guard,
        );
        let mut mounted: Router<AppState> = app
            .routes
            .layer(keys.clone())
            .layer(middleware::from_fn_with_state(limit, rate_limit::limit))
            .into();
        if let Some(unlimited) = app.unlimited {
            mounted = mounted.merge(Router::from(unlimited.layer(keys)));
        }
        mounted = mounted.layer(deadline.clone()).layer(client.clone());
        if let Some(map_errors) = app.map_errors {
            mounted = map_errors(mounted);
        }
        router = router.nest(&format!("/{}", app.name), mounted);
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
