//! The header in the OpenAPI document: `components.parameters.IdempotencyKey`
//! referenced by every operation that takes it, and `Idempotent-Replayed` on
//! their answers that may be replayed. utoipa 5.5 has neither
//! `components.parameters` nor references in an operation's parameter list,
//! so the parameter is written through the (flattened) extension maps; the
//! document is the same JSON either way.
//! The layer reads back which operations take a key ([`keyed_routes`]).

use std::collections::HashSet;

use axum::http::Method;
use serde_json::{Value, json};
use utoipa::openapi::{OpenApi, RefOr, extensions::Extensions, path::Operation};

const PARAMETER_REF: &str = "#/components/parameters/IdempotencyKey";

/// Adds the parameter to every POST, PUT, PATCH and DELETE whose operation id
/// is not in `unkeyed` (logins and logouts), and the header to their answers
/// below 500 but 429.
pub fn document(doc: &mut OpenApi, unkeyed: &[&str]) {
    for item in doc.paths.paths.values_mut() {
        for op in [&mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten() {
            if !op.operation_id.as_deref().is_some_and(|id| unkeyed.contains(&id)) {
                add_to(op);
            }
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    let extensions = components.extensions.get_or_insert_with(Extensions::default);
    // One key only: the map is a HashMap, and two keys would serialise in a
    // random order (the committed document must not change between runs).
    extensions.insert("parameters".into(), json!({ "IdempotencyKey": parameter() }));
}

fn parameter() -> Value {
    json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Makes a retry of this write safe. Send a fresh unique value (a UUID) per intended \
            write and the same value on every retry of it. The first answer (any status below 500 but \
            429) is stored with the write, for the caller (the token's user, else the client address) \
            and this app, for `IDEMPOTENCY_KEY_TTL_SECONDS` (24 h by default): the same key with the same \
            request (method, path, body) answers it again with `Idempotent-Replayed: true`, without \
            running the request again; with another request it is 422; while the first request is \
            still running it is 409 with `Retry-After`. A 5xx or 429 is not stored: retry it with the \
            same key. Logins and logouts do not take a key (nothing to duplicate, and a stored \
            answer would hold a token).",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$"},
        "example": "5f0c8a9e-3b1d-4c55-9a43-1d2e6f7a8b90"
    })
}

/// `Idempotent-Replayed`, written on each answer that can be replayed.
fn replayed_header() -> utoipa::openapi::Header {
    utoipa::openapi::HeaderBuilder::new()
        .schema(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .enum_values(Some(["true"])),
        )
        .description(Some(
            "`true` when this answer is the stored first answer to an earlier request with the same \
             `Idempotency-Key` (nothing was run again); absent otherwise.",
        ))
        .build()
}

fn add_to(op: &mut Operation) {
    let mut parameters: Vec<Value> =
        op.parameters.take().into_iter().flatten().filter_map(|p| serde_json::to_value(p).ok()).collect();
    parameters.push(json!({ "$ref": PARAMETER_REF }));
    op.extensions
        .get_or_insert_with(Extensions::default)
        .insert("parameters".into(), Value::Array(parameters));
    document_refusals(op);
    for (status, response) in op.responses.responses.iter_mut() {
        let replayable = status.parse::<u16>().is_ok_and(|s| s < 500 && s != 429);
        let RefOr::T(response) = response else { continue };
        // An answer that says "try again" (a busy key's 409) is never a replay.
        if !replayable || response.headers.contains_key("Retry-After") {
            continue;
        }
        response.headers.insert("Idempotent-Replayed".into(), replayed_header());
    }
}

/// What a key can make any write answer, in the app's error shape (the
/// content of the operation's own 401, 404 or 400): 400 for a malformed key,
/// 409 while its first request runs, 422 for a key used for another request.
fn document_refusals(op: &mut Operation) {
    let shape =
        ["401", "404", "400", "422"].iter().find_map(|status| match op.responses.responses.get(*status) {
            Some(RefOr::T(response)) if !response.content.is_empty() => Some(response.content.clone()),
            _ => None,
        });
    let Some(content) = shape else { return };
    let refusals = [
        ("400", "Malformed JSON or parameters, or a malformed `Idempotency-Key`"),
        ("409", "A request with this `Idempotency-Key` is still being processed; retry after `Retry-After`"),
        ("422", "A field is invalid, or this `Idempotency-Key` was used for another request"),
    ];
    for (status, description) in refusals {
        if op.responses.responses.contains_key(status) {
            continue;
        }
        let mut response = utoipa::openapi::ResponseBuilder::new().description(description).build();
        response.content = content.clone();
        if status == "409" {
            response.headers.insert(
                "Retry-After".into(),
                utoipa::openapi::HeaderBuilder::new()
                    .schema(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::Type::Integer)
                            .minimum(Some(1)),
                    )
                    .description(Some("Seconds to wait before trying again"))
                    .build(),
            );
        }
        op.responses.responses.insert(status.into(), RefOr::T(response));
    }
}

/// `(method, path)` of every operation the document gives the parameter.
pub fn keyed_routes(doc: &OpenApi) -> HashSet<(Method, String)> {
    let mut keyed = HashSet::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ];
        for (method, op) in ops {
            let takes_key = op
                .as_ref()
                .and_then(|op| op.extensions.as_ref()?.get("parameters")?.as_array().cloned())
                .is_some_and(|list| {
                    list.iter().any(|p| p.get("$ref").and_then(Value::as_str) == Some(PARAMETER_REF))
                });
            if takes_key {
                keyed.insert((method, path.clone()));
            }
        }
    }
    keyed
}
