//! The reference people quote: `KL-<year>-<number>`, numbered per organisation and calendar
//! year of registration, without gaps (the counter advances in the registering transaction).

use chrono::{DateTime, Datelike, Utc};

pub const PREFIX: &str = "KL";

/// The year whose counter a registration at `registered_at` draws from.
pub fn counter_year(registered_at: DateTime<Utc>) -> i32 {
    registered_at.year()
}

pub fn format(year: i32, number: i32) -> String {
    format!("{PREFIX}-{year}-{number:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn references_are_prefixed_and_zero_padded() {
        assert_eq!(format(2026, 7), "KL-2026-0007");
        assert_eq!(format(2026, 12345), "KL-2026-12345");
        let new_year = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(counter_year(new_year), 2027);
    }
}
