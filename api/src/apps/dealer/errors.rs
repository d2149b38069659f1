//! /dealer's error shape: every problem+json answer of the app (extractor
//! rejections, 401, 404, 405, 429 from the rate limit, 5xx) becomes the spec's
//! `{"Error": "<reason>"}` with `application/json`, keeping status and headers.
//! Handlers return the shared `ApiError` with the spec's wording as its detail.
//! The documented responses use the same shape (not the shared problem sets).

use std::collections::BTreeMap;

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, header},
    response::Response,
};
use serde_json::{Value, json};
use utoipa::{
    IntoResponses,
    openapi::{RefOr, ResponseBuilder, content::ContentBuilder, response::Response as OaResponse},
};

use super::json::ErrorOut;
use crate::{
    error::{ApiError, PROBLEM_JSON},
    state::AppState,
};

/// Wraps the mounted /dealer router (rate limit included) so that every error
/// it answers, unknown routes and methods too, is in the spec's shape.
pub fn shape_errors(router: Router<AppState>) -> Router<AppState> {
    router
        .fallback(|| async { ApiError::NotFound("no such route under /dealer".into()) })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::map_response(to_dealer_error))
}

/// A problem document's `detail` is the reason; other responses pass untouched.
async fn to_dealer_error(response: Response) -> Response {
    let is_problem = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == PROBLEM_JSON);
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 64 * 1024)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|problem| problem.get("detail").and_then(Value::as_str).map(str::to_owned));
    let error = detail.unwrap_or_else(|| parts.status.canonical_reason().unwrap_or("Error").to_owned());
    let body = serde_json::to_vec(&ErrorOut { error }).unwrap_or_default();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// Documents a fixed set of `{"Error"}` responses, each with an example.
macro_rules! dealer_responses {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal: $desc:literal => $example:literal),+ $(,)?];)+) => {$(
        $(#[$doc])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<OaResponse>> {
                errors(&[$(($status, $desc, $example)),+])
            }
        }
    )+};
}

dealer_responses! {
    /// What a body-taking operation without a token can answer (besides its own 400).
    PublicBody => [
        413: "Body too large" => "the request body is too large",
        415: "Body is not `application/json`" => "Expected request with `Content-Type: application/json`",
        422: "A field is missing, of the wrong type or invalid" => "password: must be 8 to 128 characters",
        429: "Rate limit reached; see `Retry-After`" => "too many requests",
        503: "A backing service is unavailable or slow, or the request ran out of time: nothing was changed; try again after `Retry-After`" => "the database is busy or unavailable; nothing was changed, try again",
    ];
    /// What an operation with a token and no body can answer.
    TokenRead => [
        401: "Missing, invalid, expired or revoked token" => "a bearer token is required",
        429: "Rate limit reached; see `Retry-After`" => "too many requests",
        503: "A backing service is unavailable or slow, or the request ran out of time: nothing was changed; try again after `Retry-After`" => "the database is busy or unavailable; nothing was changed, try again",
    ];
    /// What an operation with a token and a body can answer (besides its own 400).
    TokenBody => [
        401: "Missing, invalid, expired or revoked token" => "a bearer token is required",
        413: "Body too large" => "the request body is too large",
        415: "Body is not `application/json`" => "Expected request with `Content-Type: application/json`",
        422: "A field is missing, of the wrong type or invalid" => "max_speed: must be 0 or more",
        429: "Rate limit reached; see `Retry-After`" => "too many requests",
        503: "A backing service is unavailable or slow, or the request ran out of time: nothing was changed; try again after `Retry-After`" => "the database is busy or unavailable; nothing was changed, try again",
    ];
}

fn errors(list: &[(u16, &str, &str)]) -> BTreeMap<String, RefOr<OaResponse>> {
    list.iter()
        .map(|(status, desc, example)| {
            let content = ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("DealerError")))
                .example(Some(json!({ "Error": example })))
                .build();
            let response = ResponseBuilder::new().description(*desc).content("application/json", content);
            (status.to_string(), RefOr::T(crate::error::with_retry_after(*status, response).build()))
        })
        .collect()
}
