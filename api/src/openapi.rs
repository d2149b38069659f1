//! The OpenAPI document's frame: info, tags and security schemes. Paths and
//! schemas come from the handlers' annotations through `utoipa-axum`.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme},
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Five apps API",
        description = "One server, five small API apps, each the contract of one spec under its own prefix. \
            Errors are RFC 9457 problem details (`application/problem+json`), except under `/dealer`, \
            which answers its spec's own `{\"Error\": ...}` bodies.",
    ),
    modifiers(&SecuritySchemes),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags(
        (name = "platform", description = "Health, readiness and this document"),
        (name = "todo", description = "`/todo`: tasks of a user, JWT logout, 100 requests/min (seed 001)"),
        (name = "shop", description = "`/shop`: products, bills, purchases, a signed payment webhook, admins (seed 003)"),
    )
)]
pub struct ApiDoc;

/// The bearer scheme of each app, so Swagger UI can hold one token per app.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "todo_auth",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::Password(Password::new("/todo/login", Scopes::new()))],
                "A /todo token from `POST /todo/login` (the Authorize button logs in with the password form)",
            )),
        );
        for (name, description) in crate::router::BEARER_SCHEMES {
            components.add_security_scheme(*name, bearer(description));
        }
    }
}
