//! Erasure and retention (DESIGN.md §9): when a complaint's personal data may be erased, what
//! takes its place, and when the retention term has passed. Who may erase is in
//! `access` (`ComplaintAct::Erase`); which columns are personal is in `personal`.

use chrono::{DateTime, Months, Utc};

use super::codes::ProblemCode;
use super::complaint::ComplaintStatus;
use super::lifecycle::{REASON_MAX, Refused};
use super::validation::{FieldError, Text};

/// What a personal text that may not be empty reads after an erasure. Fixed, so that a
/// reader sees that something was there and nothing of what it was.
pub const MARKER: &str = "[gewist]";

/// The reason the retention sweep gives.
pub const RETENTION_REASON: &str = "retention";

/// The shortest retention term a firm may set: a complaint register under the Wft keeps a
/// complaint at least a year.
pub const RETENTION_MIN_MONTHS: i32 = 12;
pub const RETENTION_MAX_MONTHS: i32 = 1_200;

/// Only a finished complaint is erased — its procedure can no longer need what it held —
/// and only once.
pub fn may_erase(status: ComplaintStatus, erased: bool) -> Result<(), Refused> {
    if erased {
        return Err(Refused::new(
            ProblemCode::AlreadyErased,
            "this complaint's personal data was erased already",
        ));
    }
    if status.is_open() {
        return Err(Refused::new(
            ProblemCode::ErasureOfOpenComplaint,
            "only a closed or withdrawn complaint is erased: close or withdraw it first",
        ));
    }
    Ok(())
}

/// Complaints that ended before this moment are past a term of `months`; `None` when the
/// term reaches before the calendar begins.
pub fn retention_cutoff(now: DateTime<Utc>, months: i32) -> Option<DateTime<Utc>> {
    let months = u32::try_from(months).ok()?;
    now.checked_sub_months(Months::new(months))
}

/// A retention term as an organisation sets it: a number of months (at least
/// [`RETENTION_MIN_MONTHS`]), or none — kept without end — which needs a reason.
pub fn check_retention(
    months: Option<i32>,
    reason: Option<&str>,
) -> Result<(Option<i32>, Option<String>), FieldError> {
    match (months, reason) {
        (Some(m), _) if !(RETENTION_MIN_MONTHS..=RETENTION_MAX_MONTHS).contains(&m) => {
            Err(FieldError::new(
                "retention_months",
                format!(
                    "must be between {RETENTION_MIN_MONTHS} and {RETENTION_MAX_MONTHS} months: \
                     complaints are kept at least a year"
                ),
            ))
        }
        (Some(_), Some(_)) => Err(FieldError::new(
            "retention_reason",
            "is given only with `retention_months: null`, to say why complaints are kept",
        )),
        (Some(m), None) => Ok((Some(m), None)),
        (None, reason) => {
            let reason = Text::parse("retention_reason", reason.unwrap_or(""), REASON_MAX)
                .map_err(|_| {
                    FieldError::new(
                        "retention_reason",
                        format!(
                            "keeping complaints without a term needs a reason (1 to \
                             {REASON_MAX} characters)"
                        ),
                    )
                })?;
            Ok((None, Some(reason.into_string())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_a_finished_complaint_is_erased_once() {
        use ComplaintStatus::*;
        for open in [Registered, InProgress, Escalated, Decided] {
            assert_eq!(
                may_erase(open, false).unwrap_err().code,
                ProblemCode::ErasureOfOpenComplaint
            );
        }
        assert!(may_erase(Closed, false).is_ok() && may_erase(Withdrawn, false).is_ok());
        assert_eq!(may_erase(Closed, true).unwrap_err().code, ProblemCode::AlreadyErased);
    }

    #[test]
    fn the_term_counts_calendar_months_back() {
        let now = Utc.with_ymd_and_hms(2028, 3, 31, 12, 0, 0).unwrap();
        assert_eq!(
            retention_cutoff(now, 24),
            Some(Utc.with_ymd_and_hms(2026, 3, 31, 12, 0, 0).unwrap())
        );
        assert_eq!(
            retention_cutoff(now, 13),
            Some(Utc.with_ymd_and_hms(2027, 2, 28, 12, 0, 0).unwrap())
        );
    }

    #[test]
    fn a_term_is_a_year_or_more_or_none_with_a_reason() {
        assert_eq!(check_retention(Some(24), None), Ok((Some(24), None)));
        assert_eq!(check_retention(Some(12), None), Ok((Some(12), None)));
        for field in [
            check_retention(Some(11), None),
            check_retention(Some(0), None),
            check_retention(Some(1_201), None),
        ] {
            assert_eq!(field.unwrap_err().field, "retention_months");
        }
        assert_eq!(check_retention(Some(24), Some("x")).unwrap_err().field, "retention_reason");
        assert_eq!(check_retention(None, None).unwrap_err().field, "retention_reason");
        assert_eq!(check_retention(None, Some("  ")).unwrap_err().field, "retention_reason");
        assert_eq!(
            check_retention(None, Some(" Lopende procedure bij het Kifid ")),
            Ok((None, Some("Lopende procedure bij het Kifid".into())))
        );
    }
}
