//! Field rules shared by the apps, for `#[validate(custom(function = ...))]`.
//!
//! Lengths count characters (as JSON Schema does), not bytes; NUL is refused
//! everywhere because PostgreSQL text cannot store it.
//!
//! The documented schema must say the same, or schemathesis finds "valid"
//! input that is refused: beside `min_length`/`max_length`, a field checked by
//! `text` or `password` carries `pattern = r"^[^\u0000]*$"`, and one checked by
//! `login` carries `pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"` (Unicode Cc).

use std::borrow::Cow;

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// Any stored text: no NUL character.
pub fn text(value: &str) -> Result<(), ValidationError> {
    if value.contains('\0') {
        return Err(error("nul", "must not contain the NUL character"));
    }
    Ok(())
}

/// A login: 1-64 characters, none of them a control character.
pub fn login(value: &str) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if !(1..=64).contains(&len) {
        return Err(error("length", "must be 1 to 64 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(error("control", "must not contain control characters"));
    }
    Ok(())
}

/// A password: 8-128 characters, no NUL.
pub fn password(value: &str) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if !(8..=128).contains(&len) {
        return Err(error("length", "must be 8 to 128 characters"));
    }
    text(value)
}

/// Largest page any list answers.
pub const MAX_PAGE: i64 = 1000;

/// `limit` and `offset` of every list, ordered by id.
#[derive(Debug, Clone, Copy, Default, Deserialize, Validate, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// How many rows at most (1-1000, default 1000).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// How many rows to skip (default 0).
    #[validate(range(min = 0))]
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

impl Page {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(MAX_PAGE)
    }
    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(login(&"я".repeat(64)).is_ok());
        assert!(login(&"я".repeat(65)).is_err());
        assert!(password("пароль12").is_ok());
        assert!(password("short").is_err());
    }

    #[test]
    fn nul_and_control_characters_are_refused() {
        assert!(text("a\0b").is_err());
        assert!(login("bad\nlogin").is_err());
        assert!(password("password\0x").is_err());
        assert!(login("").is_err());
    }
}
