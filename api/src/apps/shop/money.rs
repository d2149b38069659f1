//! Exact money. Amounts are read from their JSON text (a number, or a string
//! holding one) without ever going through a float, must have at most two
//! decimal places, and are written back as strings with exactly two
//! (`"100.00"`), so no client parses them into a float either.

use std::{borrow::Cow, str::FromStr};

use bigdecimal::{BigDecimal, Zero};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use serde_json::{json, value::RawValue};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{ObjectBuilder, OneOfBuilder, RefOr, Schema, Type},
};

/// Digits before the point that `NUMERIC(14, 2)` holds.
const MAX_INT_DIGITS: usize = 12;

/// The largest balance or amount a column holds.
pub fn max() -> BigDecimal {
    BigDecimal::from_str("999999999999.99").unwrap_or_default()
}

/// An amount exactly as the sender wrote it: the text of a JSON number, or the
/// content of a JSON string. The webhook signs this text, so it is kept as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountText(pub String);

impl<'de> Deserialize<'de> for AmountText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get();
        if text.starts_with('"') {
            return serde_json::from_str::<String>(text).map(Self).map_err(D::Error::custom);
        }
        if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return Ok(Self(text.to_owned()));
        }
        Err(D::Error::custom("expected a number, or a string holding one"))
    }
}

/// As its text (validator reports the rejected value with it).
impl Serialize for AmountText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl AmountText {
    /// The amount's exact value, or why it is not a valid amount.
    pub fn parse(&self) -> Result<BigDecimal, &'static str> {
        parse(&self.0)
    }
}

impl ToSchema for AmountText {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ShopAmountIn")
    }
}

impl PartialSchema for AmountText {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .minimum(Some(0.01))
                    .maximum(Some(999_999_999_999.99))
                    .multiple_of(Some(0.01))
                    .examples([json!(100.5)]),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(PATTERN_IN))
                    .examples([json!("100.50")]),
            )
            .description(Some(
                "An exact amount > 0 with at most 2 decimal places (at most 999999999999.99): a JSON \
                 number written in plain decimal (`100`, `100.5`), or a string holding one (`\"100.50\"`). \
                 It is read from its text, never through a float.",
            ))
            .into()
    }
}

/// Plain decimals the server takes, zero excluded (`0`, `0.00` are refused as not > 0).
const PATTERN_IN: &str = r"^(0{0,12}[1-9][0-9]{0,11}(\.[0-9]{1,2})?|0{1,12}\.(0[1-9]|[1-9][0-9]?))$";

/// Why a text is not an amount; `Err` carries a message for the client.
pub fn parse(text: &str) -> Result<BigDecimal, &'static str> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (unsigned.contains('.') && frac.is_empty()) {
        return Err("must be a plain decimal number such as 100 or 100.50");
    }
    if frac.trim_end_matches('0').len() > 2 {
        return Err("must have at most 2 decimal places");
    }
    if int.trim_start_matches('0').len() > MAX_INT_DIGITS {
        return Err("must be at most 999999999999.99");
    }
    let value = BigDecimal::from_str(text).map_err(|_| "must be a decimal number")?.with_scale(2);
    if value <= BigDecimal::zero() {
        return Err("must be greater than 0");
    }
    Ok(value)
}

/// An exact amount written as a string with two decimals (`"100.00"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money(pub BigDecimal);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0.with_scale(2).to_plain_string())
    }
}

impl From<BigDecimal> for Money {
    fn from(value: BigDecimal) -> Self {
        Self(value)
    }
}

impl ToSchema for Money {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ShopMoney")
    }
}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[0-9]+\.[0-9]{2}$"))
            .examples([json!("100.00")])
            .description(Some("An exact amount as a string with exactly 2 decimal places"))
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_with_two_places_at_most_are_amounts() {
        assert_eq!(parse("100").unwrap().to_plain_string(), "100.00");
        assert_eq!(parse("100.5").unwrap().to_plain_string(), "100.50");
        assert_eq!(parse("0.01").unwrap().to_plain_string(), "0.01");
        assert_eq!(parse("1.230").unwrap().to_plain_string(), "1.23");
        assert_eq!(parse("999999999999.99").unwrap(), max());
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "0",
            "0.00",
            "-5",
            "1.005",
            "1e2",
            "NaN",
            "inf",
            "",
            ".5",
            "5.",
            "1 000",
            "1000000000000",
            "+5",
            "0x10",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn amounts_keep_the_text_the_sender_wrote() {
        #[derive(Deserialize)]
        struct Body {
            amount: AmountText,
        }
        let read = |s: &str| serde_json::from_str::<Body>(s).map(|b| b.amount.0);
        assert_eq!(read(r#"{"amount": 100.50}"#).unwrap(), "100.50");
        assert_eq!(read(r#"{"amount": "100.5"}"#).unwrap(), "100.5");
        assert_eq!(read(r#"{"amount": 1e2}"#).unwrap(), "1e2");
        assert!(read(r#"{"amount": true}"#).is_err());
        assert!(read(r#"{"amount": null}"#).is_err());
        assert_eq!(
            Money(parse("7").unwrap()).serialize(serde_json::value::Serializer).unwrap(),
            json!("7.00")
        );
    }
}
