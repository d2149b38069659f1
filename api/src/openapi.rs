//! The OpenAPI document's frame: info, tags and security schemes, the apps'
//! from their descriptors. Paths and schemas come from the handlers'
//! annotations through `utoipa-axum`.

use utoipa::{OpenApi, openapi::tag::TagBuilder};

use crate::{config::Config, registry::App};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Five apps API",
        description = "One server, five small API apps, each the contract of one spec under its own prefix. \
            Errors are RFC 9457 problem details (`application/problem+json`), except where an app's tag \
            says its spec has bodies of its own.",
    ),
    // Relative: wherever the server runs, its routes start at the root of its host.
    servers((url = "/", description = "This server")),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags((name = "platform", description = "Health, readiness and this document")),
)]
struct ApiDoc;

/// The document before its paths: info, the platform tag, then each app's
/// tag and security schemes (one scheme per token kind, so Swagger UI can
/// hold one token per app), in the order of `apps`.
pub fn frame(apps: &[&App], config: &Config) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let tags = doc.tags.get_or_insert_with(Vec::new);
    let components = doc.components.get_or_insert_with(Default::default);
    for app in apps {
        tags.push(TagBuilder::new().name(app.prefix).description(Some(app.description)).build());
        for (name, scheme) in (app.schemes)(config) {
            components.add_security_scheme(name, scheme);
        }
    }
    doc
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
