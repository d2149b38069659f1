//! One error type for every app, rendered as RFC 9457 problem details.
//!
//! Handlers return `Result<_, ApiError>`; database, pool and Redis failures are
//! mapped here once. A 5xx is logged with its cause and answered with a generic
//! detail, so internals never reach a client.

use std::collections::BTreeMap;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::{
    IntoResponses, ToSchema,
    openapi::{
        ObjectBuilder, RefOr, ResponseBuilder, Type, content::ContentBuilder, header::HeaderBuilder,
        response::Response as OaResponse,
    },
};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// `Retry-After` of a 503: the faults behind it (a lost connection, a
/// timeout, a busy pool) usually pass within a second or two.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the request (`title`, `login`, ...).
    #[schema(example = "title")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must be 1 to 200 characters")]
    pub message: String,
}

/// An RFC 9457 problem details object.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank", "title": "Unprocessable Entity", "status": 422,
    "detail": "the request is invalid",
    "errors": [{"field": "title", "message": "must be 1 to 200 characters"}]
}))]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The status code's reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Per-field reasons, on validation failures only.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    PaymentRequired(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("this method is not allowed on this route")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation { detail: String, errors: Vec<FieldError> },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// A validation failure of one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Validation {
            detail: format!("{field}: {message}"),
            errors: vec![FieldError { field: field.into(), message }],
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Gone(_) => StatusCode::GONE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document a client sees; 5xx causes stay in the log.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (detail, errors) = match self {
            Self::Internal(_) => ("the server failed to answer; it has been logged".to_owned(), vec![]),
            Self::Validation { detail, errors } => (detail.clone(), errors.clone()),
            other => (other.to_string(), vec![]),
        };
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                sentry::integrations::anyhow::capture_anyhow(cause);
            }
            Self::Unavailable(reason) => tracing::warn!(%reason, "service unavailable"),
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        if matches!(self, Self::Internal(_)) {
            response.extensions_mut().insert(Reported);
        }
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        match self {
            Self::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyRequests { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
            }
            Self::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS));
            }
            _ => {}
        }
        response
    }
}

/// Marks a 5xx response whose cause was already sent to Sentry (with its
/// error chain), so the 5xx layer (`monitoring.rs`) does not send it a second time.
#[derive(Clone, Copy, Debug)]
pub struct Reported;

/// A fault of the moment (connection lost, timeout, deadlock, ...; see
/// `db::classify`) is 503 with its cause logged; anything else a 500.
impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        if let diesel::result::Error::NotFound = err {
            return Self::NotFound("not found".into());
        }
        match crate::db::fault::classify(&err) {
            Some(fault) => {
                tracing::warn!(error = %err, ?fault, "database unavailable");
                Self::Unavailable(fault.detail().into())
            }
            None => Self::Internal(err.into()),
        }
    }
}

impl From<redis::RedisError> for ApiError {
    fn from(err: redis::RedisError) -> Self {
        tracing::warn!(error = %err, "redis failed");
        crate::metrics::redis_error("request");
        Self::Unavailable("a backing service is unavailable, try again".into())
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut errors: Vec<FieldError> = errs
            .field_errors()
            .into_iter()
            .flat_map(|(field, list)| {
                list.iter().map(move |e| FieldError {
                    field: field.to_string(),
                    message: e.message.as_ref().map_or_else(|| rule_broken(e), ToString::to_string),
                })
            })
            .collect();
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        let detail =
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
        Self::Validation { detail, errors }
    }
}

/// A rule without its own message, said from its parameters (`range` with
/// `min` 1 and `max` 1000: "must be 1 to 1000"), never as its bare code.
fn rule_broken(e: &validator::ValidationError) -> String {
    let param = |name: &str| e.params.get(name).map(ToString::to_string);
    let (min, max) = (param("min"), param("max"));
    let bounds = |unit: &str| match (&min, &max) {
        (Some(min), Some(max)) => format!("must be {min} to {max}{unit}"),
        (Some(min), None) => format!("must be at least {min}{unit}"),
        (None, Some(max)) => format!("must be at most {max}{unit}"),
        (None, None) => format!("is out of range{unit}"),
    };
    match e.code.as_ref() {
        "range" => bounds(""),
        "length" => bounds(" characters"),
        "required" => "is required".into(),
        "email" => "must be an email address".into(),
        "url" => "must be a URL".into(),
        code => format!("breaks the rule `{code}`"),
    }
}

/// Documents a fixed set of problem responses in one place (no tuples pasted into handlers).
macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident => [$($status:literal: $desc:expr),+ $(,)?];)+) => {$(
        $(#[$doc])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<OaResponse>> {
                problems(&[$(($status, $desc)),+])
            }
        }
    )+};
}

problem_responses! {
    /// What any body-taking operation without a token can answer.
    PublicWrite => [
        400: "Malformed JSON or parameters", 413: "Body too large",
        415: "Body is not `application/json`", 422: "A field is missing, of the wrong type or invalid",
        429: "Rate limit reached; see `Retry-After`", 503: UNAVAILABLE,
    ];
    /// What any operation reading with a token can answer.
    AuthedRead => [
        400: "Malformed parameters", 401: "Missing, invalid, expired or revoked token",
        422: "A parameter is invalid",
        429: "Rate limit reached; see `Retry-After`", 503: UNAVAILABLE,
    ];
    /// What any body-taking operation with a token can answer.
    AuthedWrite => [
        400: "Malformed JSON or parameters", 401: "Missing, invalid, expired or revoked token",
        413: "Body too large", 415: "Body is not `application/json`",
        422: "A field is missing, of the wrong type or invalid",
        429: "Rate limit reached; see `Retry-After`", 503: UNAVAILABLE,
    ];
    /// A login refused: unknown login or wrong password (indistinguishable).
    WrongCredentials => [401: "Wrong login or password"];
    NotFound => [404: "Not found (or not yours)"];
    Conflict => [409: "Conflicts with an existing resource"];
    Forbidden => [403: "Not allowed"];
    Gone => [410: "No longer valid"];
    PaymentRequired => [402: "Not enough funds"];
}

/// What every documented 503 says.
pub const UNAVAILABLE: &str = "A backing service is unavailable or slow, or the request ran out of time: \
     nothing was changed; try again after `Retry-After`";

/// Adds the `Retry-After` header to a documented 429 or 503.
pub fn with_retry_after(status: u16, response: ResponseBuilder) -> ResponseBuilder {
    if !matches!(status, 429 | 503) {
        return response;
    }
    let header = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)))
        .description(Some("Seconds to wait before trying again"))
        .build();
    response.header("Retry-After", header)
}

fn problems(list: &[(u16, &str)]) -> BTreeMap<String, RefOr<OaResponse>> {
    list.iter()
        .map(|(status, desc)| {
            let content =
                ContentBuilder::new().schema(Some(utoipa::openapi::Ref::from_schema_name("Problem"))).build();
            let response = ResponseBuilder::new().description(*desc).content(PROBLEM_JSON, content);
            (status.to_string(), RefOr::T(with_retry_after(*status, response).build()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use validator::Validate;

    use super::*;

    #[derive(Validate)]
    struct Rules {
        #[validate(range(min = 1, max = 1000))]
        limit: i64,
        #[validate(range(min = 0))]
        offset: i64,
        #[validate(length(min = 1, max = 200))]
        title: String,
    }

    #[test]
    fn a_rule_without_a_message_is_said_from_its_bounds() {
        let err =
            ApiError::from(Rules { limit: 0, offset: -1, title: String::new() }.validate().unwrap_err());
        let problem = err.problem();
        assert_eq!(
            problem.detail,
            "limit: must be 1 to 1000; offset: must be at least 0; title: must be 1 to 200 characters"
        );
        assert_eq!(
            problem.errors,
            vec![
                FieldError { field: "limit".into(), message: "must be 1 to 1000".into() },
                FieldError { field: "offset".into(), message: "must be at least 0".into() },
                FieldError { field: "title".into(), message: "must be 1 to 200 characters".into() },
            ]
        );
    }
}
