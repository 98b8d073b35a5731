//! Moments a client gives (`received_at`, a contact's `at`, `decided_at`, …): RFC 3339 as
//! chrono reads it, but never a second 60. chrono keeps `23:59:60` as a leap second, which
//! PostgreSQL turns into the next minute and SQLite stores as text its own date functions
//! cannot read — one such value broke every overview of the organisation.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Deserializer};

/// How far a client's clock may be off the service's unless `KLACHTEN_CLOCK_SKEW_SECS` says
/// otherwise: a clock a little slow, or times sent without their seconds.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::seconds(120);

/// A moment a client gives that may not lie after `bound` (now, a later step): up to `skew`
/// after it, it is taken as `bound`; further is `None`.
pub fn not_after(
    moment: DateTime<Utc>,
    bound: DateTime<Utc>,
    skew: Duration,
) -> Option<DateTime<Utc>> {
    (moment <= bound + skew).then(|| moment.min(bound))
}

/// A moment a client gives that may not lie before `bound` (the receipt, the decision): up
/// to `skew` before it, it is taken as `bound`; further is `None`.
pub fn not_before(
    moment: DateTime<Utc>,
    bound: DateTime<Utc>,
    skew: Duration,
) -> Option<DateTime<Utc>> {
    (moment >= bound - skew).then(|| moment.max(bound))
}

/// Whether a moment is one no clock of the register shows: a leap second.
pub fn is_leap_second(moment: &DateTime<Utc>) -> bool {
    moment.nanosecond() >= 1_000_000_000
}

/// An optional date-time field of a request body:
/// `#[serde(default, deserialize_with = "moment::optional")]`.
pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let moment = Option::<DateTime<Utc>>::deserialize(d)?;
    match moment {
        Some(m) if is_leap_second(&m) => Err(serde::de::Error::custom(
            "second 60 is not a time the register records; give 59 or the next minute",
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Option<DateTime<Utc>>, serde_json::Error> {
        optional(&mut serde_json::Deserializer::from_str(json))
    }

    #[test]
    fn a_little_skew_is_taken_as_the_bound_both_ways() {
        let bound = "2026-11-02T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let s = |n| Duration::seconds(n);
        assert_eq!(not_after(bound + s(120), bound, s(120)), Some(bound));
        assert_eq!(not_after(bound - s(5), bound, s(120)), Some(bound - s(5)));
        assert_eq!(not_after(bound + s(121), bound, s(120)), None);
        assert_eq!(not_before(bound - s(1), bound, s(120)), Some(bound));
        assert_eq!(not_before(bound + s(5), bound, s(120)), Some(bound + s(5)));
        assert_eq!(not_before(bound - s(121), bound, s(120)), None);
        assert_eq!(not_before(bound - s(1), bound, s(0)), None);
    }

    #[test]
    fn second_60_is_refused_anywhere_in_the_day() {
        for leap in [
            "\"2026-11-15T23:59:60Z\"",
            "\"2026-11-15T10:00:60Z\"",
            "\"2026-11-15T10:00:60.5+01:00\"",
        ] {
            assert!(read(leap).is_err(), "{leap}");
        }
        assert!(read("\"2026-11-15T23:59:59.999999999Z\"").unwrap().is_some());
        assert_eq!(read("null").unwrap(), None);
    }
}
