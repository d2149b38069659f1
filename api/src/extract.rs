//! Json, Path and Query extractors whose rejections are `ApiError`, so a bad
//! request is answered in the app's error shape (never axum's plain text).
//! `Json` also runs the body's `validator` rules: no handler can forget them.

use axum::{
    extract::{FromRequest, FromRequestParts, Request, rejection::*},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::{Serialize, de::DeserializeOwned};
use validator::Validate;

use crate::error::ApiError;

/// Largest request body outside the routes that raise it (an app's
/// `body_limit`, /ar's images).
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body: 415 without a JSON content type, 400 when not JSON, 422 when a
/// field is missing, of the wrong type, or fails validation.
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType(
                "expected a request with `Content-Type: application/json`".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("the request body is too large".into())
            } else {
                ApiError::BadRequest("the request body could not be read".into())
            }
        })?;
        Ok(Self(from_object_bytes(&bytes)?))
    }
}

/// Parses a JSON object body and runs its rules. serde also builds a struct
/// from a JSON array of its fields in order (`["Buy milk"]` would be a task):
/// every body of this API is an object, so an array is 422.
pub fn from_object_bytes<T: DeserializeOwned + Validate>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(data_error("invalid type: sequence, expected a JSON object"));
    }
    let axum::Json(value) = axum::Json::<T>::from_bytes(bytes).map_err(json_rejection)?;
    value.validate()?;
    Ok(value)
}

/// `application/json` or any `application/*+json`, parameters aside.
pub fn is_json(headers: &header::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Serialised into a `Vec` rather than axum's `BytesMut` writer: serde_json
/// writes many small pieces, and the list benchmark spent 12% of the server's
/// CPU copying them through `BytesMut::put_slice` and its regrowth.
impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => {
                ApiError::internal(anyhow::anyhow!("serialising the answer failed: {e}")).into_response()
            }
        }
    }
}

pub fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => data_error(&e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(e.body_text()),
        JsonRejection::MissingJsonContentType(e) => ApiError::UnsupportedMediaType(e.body_text()),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge("the request body is too large".into())
        }
        other => ApiError::BadRequest(other.body_text()),
    }
}

/// A body whose JSON (or form) is well formed but does not fit the type: 422
/// naming the field and what is wrong with it, from the deserializer's
/// message (`title: invalid type: integer `5`, expected a string at line 1
/// column 11`, `missing field `title``) without axum's preamble and the
/// position. A body of the wrong shape as a whole is named `body`.
pub fn data_error(text: &str) -> ApiError {
    let inner = match text.split_once(": ") {
        Some((preamble, rest)) if preamble.starts_with("Failed to deserialize") => rest,
        _ => text,
    };
    let inner = match inner.rfind(" at line ") {
        Some(at) if inner[at..].contains(" column ") => &inner[..at],
        _ => inner,
    };
    // serde_path_to_error writes `path: message`; a path has no spaces.
    let (path, message) = match inner.split_once(": ") {
        Some((path, message)) if !path.contains(' ') && !path.is_empty() => (Some(path), message),
        _ => (None, inner),
    };
    let (field, message) = match message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        Some(name) => {
            (path.map_or_else(|| name.to_owned(), |p| format!("{p}.{name}")), "is required".to_owned())
        }
        None => (path.unwrap_or("body").to_owned(), message.to_owned()),
    };
    ApiError::invalid(&field, message)
}

/// Path parameters; a value of the wrong type is a 400.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Self(v))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// Query parameters; a malformed one is a 400.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        value.validate()?;
        Ok(Self(value))
    }
}

/// A body sent either as JSON or as an HTML/OAuth2 form
/// (`application/x-www-form-urlencoded`), validated the same way.
pub struct JsonOrForm<T>(pub T);

impl<T, S> FromRequest<S> for JsonOrForm<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Json::from_request(req, state).await.map(|Json(v)| Self(v));
        }
        let axum::Form(value) = axum::Form::<T>::from_request(req, state).await.map_err(|e| match e {
            FormRejection::FailedToDeserializeFormBody(e) => data_error(&e.body_text()),
            other => ApiError::BadRequest(other.body_text()),
        })?;
        value.validate()?;
        Ok(Self(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

    fn fields(err: ApiError) -> (String, Vec<FieldError>) {
        let problem = err.problem();
        (problem.detail, problem.errors)
    }

    fn one(field: &str, message: &str) -> (String, Vec<FieldError>) {
        (format!("{field}: {message}"), vec![FieldError { field: field.into(), message: message.into() }])
    }

    #[test]
    fn a_missing_field_is_named_in_errors() {
        let text = "Failed to deserialize the JSON body into the target type: missing field `title` at line 1 column 2";
        assert_eq!(fields(data_error(text)), one("title", "is required"));
        let nested = "Failed to deserialize the JSON body into the target type: b[0]: missing field `y` at line 1 column 23";
        assert_eq!(fields(data_error(nested)), one("b[0].y", "is required"));
        let form = "Failed to deserialize form body: missing field `password`";
        assert_eq!(fields(data_error(form)), one("password", "is required"));
    }

    #[test]
    fn a_mistyped_field_is_named_with_what_was_expected() {
        let text = "Failed to deserialize the JSON body into the target type: title: invalid type: integer `5`, expected a string at line 1 column 11";
        assert_eq!(fields(data_error(text)), one("title", "invalid type: integer `5`, expected a string"));
        let whole = "Failed to deserialize the JSON body into the target type: invalid type: integer `5`, expected struct TaskIn at line 1 column 1";
        assert_eq!(
            fields(data_error(whole)),
            one("body", "invalid type: integer `5`, expected struct TaskIn")
        );
    }
}
