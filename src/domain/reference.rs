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

/// The year and number of a reference in the register's own form, if it is one: an import
/// keeps references, and the counter must not issue one of them again.
pub fn parse(reference: &str) -> Option<(i32, i32)> {
    let rest = reference.strip_prefix(PREFIX)?.strip_prefix('-')?;
    let (year, number) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(year) && digits(number)).then_some(())?;
    Some((year.parse().ok()?, number.parse().ok()?))
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

    #[test]
    fn a_reference_of_the_registers_form_reads_back() {
        assert_eq!(parse(&format(2026, 7)), Some((2026, 7)));
        assert_eq!(parse("KL-2026-12345"), Some((2026, 12345)));
        for other in ["2019/12", "KL-2026", "KL-20x6-0001", "XX-2026-0001", "KL-2026-"] {
            assert_eq!(parse(other), None, "{other}");
        }
    }
}
