//! A server timestamp that keeps exactly what was sent and, when it can, the instant it names.

use chrono::{DateTime, TimeZone, Utc};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// A date-time as the server sent it.
///
/// Wegly's two spec generations disagree: v1 types `meta_timestamp` as ISO-8601, v2 as a plain
/// string that in practice carries epoch seconds (Meta's format). Both decode; anything else that
/// is still a string or a number is kept as-is (so `--json` and round trips stay faithful) with
/// no instant, instead of failing the whole chat.
#[derive(Debug, Clone, PartialEq)]
pub struct Timestamp {
    raw: Value,
    at: Option<DateTime<Utc>>,
}

/// Epoch values above this are taken as milliseconds (year 2286 in seconds).
const EPOCH_MILLIS_THRESHOLD: i64 = 9_999_999_999;

impl Timestamp {
    /// A timestamp for an instant, written as RFC 3339 with a `Z` suffix, like the API does.
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        Self {
            raw: Value::String(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            at: Some(at),
        }
    }

    /// A timestamp written as epoch seconds in a string, the v2 `meta_timestamp` form.
    pub fn epoch_string(at: DateTime<Utc>) -> Self {
        Self {
            raw: Value::String(at.timestamp().to_string()),
            at: Some(at),
        }
    }

    /// The instant, when the text could be read as one.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.at
    }

    /// The value exactly as it was received.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Reads a timestamp from a JSON value; `None` when the value is neither a string nor a number.
    pub fn from_value(raw: Value) -> Option<Self> {
        let at = match &raw {
            Value::String(text) => parse_text(text),
            Value::Number(n) => n.as_i64().and_then(from_epoch),
            _ => return None,
        };
        Some(Self { raw, at })
    }
}

fn parse_text(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().ok().and_then(from_epoch);
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    // Some servers omit the offset; the API's examples are all UTC.
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

fn from_epoch(value: i64) -> Option<DateTime<Utc>> {
    if value > EPOCH_MILLIS_THRESHOLD {
        Utc.timestamp_millis_opt(value).single()
    } else {
        Utc.timestamp_opt(value, 0).single()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(deserializer)?;
        Self::from_value(raw)
            .ok_or_else(|| de::Error::custom("expected a date-time string or an epoch number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iso_epoch_seconds_and_millis() {
        let iso = Timestamp::from_value(Value::from("2025-03-14T13:05:22Z")).and_then(|t| t.at());
        let secs = Timestamp::from_value(Value::from("1741957522")).and_then(|t| t.at());
        let millis = Timestamp::from_value(Value::from(1_741_957_522_000_i64)).and_then(|t| t.at());
        assert_eq!(iso, secs);
        assert_eq!(secs, millis);
        assert!(iso.is_some());
    }

    #[test]
    fn keeps_unreadable_text_verbatim() {
        let stamp = Timestamp::from_value(Value::from("<string>"));
        assert_eq!(stamp.as_ref().and_then(Timestamp::at), None);
        assert_eq!(
            stamp.map(|t| t.raw().clone()),
            Some(Value::from("<string>"))
        );
    }

    #[test]
    fn refuses_other_types() {
        assert!(Timestamp::from_value(Value::Bool(true)).is_none());
    }
}
