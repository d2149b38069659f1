//! The OpenAPI document's frame: info, tags and security schemes. Paths and
//! schemas come from the handlers' annotations through `utoipa-axum`.

use utoipa::{
    Modify, OpenApi,
    openapi::security::{
        ApiKey, ApiKeyValue, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes, SecurityScheme,
    },
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Five apps API",
        description = "One server, five small API apps, each the contract of one spec under its own prefix. \
            Errors are RFC 9457 problem details (`application/problem+json`), except under `/dealer`, \
            which answers its spec's own `{\"Error\": ...}` bodies.",
    ),
    // Relative: wherever the server runs, its routes start at the root of its host.
    servers((url = "/", description = "This server")),
    modifiers(&SecuritySchemes),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags(
        (name = "platform", description = "Health, readiness and this document"),
        (name = "exchange", description = "`/exchange`: items handed between users by a one-time confirmation link (seed 000)"),
        (name = "todo", description = "`/todo`: tasks of a user, JWT logout, 100 requests/min (seed 001)"),
        (name = "dealer", description = "`/dealer`: a car dealer's stock, answering `{\"Message\"}` / `{\"Error\"}` bodies (seed 002)"),
        (name = "shop", description = "`/shop`: products, bills, purchases, a signed payment webhook, admins (seed 003)"),
        (name = "ar", description = "`/ar`: AR projects, image targets, per-project app tokens, soft delete (seed 004)"),
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
        // /exchange also takes its token as a `token` query parameter: declared as
        // an alternative scheme, so tools know a request carrying it is authenticated.
        components.add_security_scheme(
            "exchange_query",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "An /exchange token from `POST /exchange/login`, as the `token` query parameter",
            ))),
        );
    }
}

/// utoipa 5.5 writes a link's `operationId`/`operationRef` in snake case
/// (`operation_id`), which no tool reads: this moves them to their OpenAPI names
/// (through the link's flattened extensions map) so the links work in
/// schemathesis' stateful phase and in Swagger UI.
pub fn fix_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, extensions::Extensions};
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            for response in op.responses.responses.values_mut() {
                let RefOr::T(response) = response else { continue };
                for link in response.links.values_mut() {
                    let RefOr::T(link) = link else { continue };
                    let extensions = link.extensions.get_or_insert_with(Extensions::default);
                    for (name, value) in [
                        ("operationId", std::mem::take(&mut link.operation_id)),
                        ("operationRef", std::mem::take(&mut link.operation_ref)),
                    ] {
                        if !value.is_empty() {
                            extensions.insert(name.into(), value.into());
                        }
                    }
                }
            }
        }
    }
}
