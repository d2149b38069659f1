//! Timestamps on the wire: chrono's own RFC 3339 text (`Z`, and 0, 3, 6 or 9
//! fraction digits, as many as the value needs), written without its cost.
//!
//! chrono serialises through `collect_str`, so serde_json escapes what it
//! writes character by character: on a page of 50 tasks (100 timestamps),
//! that was 10% of the server's CPU. Here the text is formatted on the stack
//! and handed over once. Use as `#[serde(serialize_with = "crate::wire_time::rfc3339")]`.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `2026-11-30T16:31:02.123456Z`, exactly as chrono's `Serialize` writes it.
pub fn rfc3339<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    match Text::of(t) {
        Some(text) => serializer.serialize_str(text.as_str()),
        // Years beyond four digits, and leap seconds: chrono's own way.
        None => t.serialize(serializer),
    }
}

/// The longest text: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
struct Text {
    bytes: [u8; 30],
    len: usize,
}

impl Text {
    fn of(t: &DateTime<Utc>) -> Option<Self> {
        let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
        let nanos = t.nanosecond();
        if nanos >= 1_000_000_000 {
            return None;
        }
        let mut text = Self { bytes: [0; 30], len: 0 };
        text.digits(year, 4);
        text.push(b'-');
        text.digits(t.month(), 2);
        text.push(b'-');
        text.digits(t.day(), 2);
        text.push(b'T');
        text.digits(t.hour(), 2);
        text.push(b':');
        text.digits(t.minute(), 2);
        text.push(b':');
        text.digits(t.second(), 2);
        if nanos != 0 {
            text.push(b'.');
            if nanos.is_multiple_of(1_000_000) {
                text.digits(nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                text.digits(nanos / 1_000, 6);
            } else {
                text.digits(nanos, 9);
            }
        }
        text.push(b'Z');
        Some(text)
    }

    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// `value` zero-padded to `width` digits (it never has more).
    fn digits(&mut self, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            self.bytes[self.len + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += width;
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and punctuation were written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "rfc3339")] DateTime<Utc>);

    fn same_as_chrono(t: DateTime<Utc>) {
        let ours = serde_json::to_string(&Ours(t)).unwrap();
        let chrono = serde_json::to_string(&t).unwrap();
        assert_eq!(ours, chrono, "{t:?}");
    }

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc.with_ymd_and_hms(2026, 11, 30, 16, 31, 2).unwrap();
        for nanos in
            [0, 1, 7, 999, 1_000, 123_000, 123_456_000, 100_000_000, 120_000_000, 999_999_999, 5_000_000]
        {
            same_as_chrono(base + chrono::Duration::nanoseconds(nanos));
        }
        for (y, m, d) in [(1, 1, 1), (0, 1, 1), (999, 12, 31), (1970, 1, 1), (2024, 2, 29), (9999, 12, 31)] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            same_as_chrono(Utc.from_utc_datetime(&day.and_hms_micro_opt(23, 59, 59, 999_999).unwrap()));
        }
        // Beyond four-digit years, and a leap second: chrono's own text.
        for (y, m, d) in [(10_000, 1, 1), (-1, 6, 15), (-44, 3, 15)] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            same_as_chrono(Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap()));
        }
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, 1_500_000_000);
        same_as_chrono(Utc.from_utc_datetime(&leap.unwrap()));
        // A sweep of microsecond timestamps, as PostgreSQL stores them.
        let mut t = 1_700_000_000_123_457_i64;
        for _ in 0..10_000 {
            t = t
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
                .rem_euclid(253_402_300_799_000_000);
            same_as_chrono(DateTime::from_timestamp_micros(t).unwrap());
        }
    }
}
