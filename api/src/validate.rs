//! Field rules shared by the apps, for `#[validate(custom(function = ...))]`.
//!
//! Lengths count characters (as JSON Schema does), not bytes; NUL is refused
//! everywhere because PostgreSQL text cannot store it.
//!
//! The documented schema must say the same, or schemathesis finds "valid"
//! input that is refused: beside `min_length`/`max_length`, a field checked by
//! `text` or `password` carries `pattern = r"^[^\u0000]*$"`, and one checked by
//! `login` carries `pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$"` (Unicode Cc).
//! Likewise an integer in a JSON body is read with `whole`/`whole_opt`, since
//! JSON Schema's `integer` takes `5.0` as well as `5`.

use std::{borrow::Cow, fmt};

use serde::{
    Deserialize, Deserializer,
    de::{self, Unexpected, Visitor},
};
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

/// An integer body field as JSON Schema reads `integer`: `5` and `5.0` alike (a
/// number with no fraction); `5.5`, strings and out-of-range values are refused.
/// For `#[serde(deserialize_with = "crate::validate::whole")]`.
pub fn whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(de: D) -> Result<T, D::Error> {
    let n = de.deserialize_any(WholeVisitor)?;
    T::try_from(n).map_err(|_| de::Error::invalid_value(Unexpected::Signed(n), &"an integer in range"))
}

/// `whole` for an optional field (with `#[serde(default)]`): absent or null is `None`.
pub fn whole_opt<'de, D: Deserializer<'de>, T: TryFrom<i64>>(de: D) -> Result<Option<T>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole")] i64);
    Option::<Whole>::deserialize(de)?
        .map(|Whole(n)| {
            T::try_from(n)
                .map_err(|_| de::Error::invalid_value(Unexpected::Signed(n), &"an integer in range"))
        })
        .transpose()
}

struct WholeVisitor;

impl Visitor<'_> for WholeVisitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        // Exactly the floats with no fraction that i64 holds (2^63 itself does not fit).
        if v.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v) {
            #[expect(clippy::cast_possible_truncation, reason = "whole and in range, checked above")]
            Ok(v as i64)
        } else {
            Err(E::invalid_type(Unexpected::Float(v), &self))
        }
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

    #[test]
    fn whole_reads_integers_spelled_as_floats() {
        #[derive(Debug, serde::Deserialize)]
        struct Body {
            #[serde(deserialize_with = "super::whole")]
            n: i32,
            #[serde(default, deserialize_with = "super::whole_opt")]
            m: Option<i64>,
        }
        let read = |s: &str| serde_json::from_str::<Body>(s).map(|b| (b.n, b.m));
        assert_eq!(read(r#"{"n": 5}"#).ok(), Some((5, None)));
        assert_eq!(read(r#"{"n": 452.0, "m": -3.0}"#).ok(), Some((452, Some(-3))));
        assert_eq!(read(r#"{"n": 1, "m": null}"#).ok(), Some((1, None)));
        assert!(read(r#"{"n": 5.5}"#).is_err());
        assert!(read(r#"{"n": "5"}"#).is_err());
        assert!(read(r#"{"n": 3000000000}"#).is_err());
        assert!(read(r#"{"n": 1, "m": 1e300}"#).is_err());
    }
}
