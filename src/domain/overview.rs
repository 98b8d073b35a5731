//! The office meeting's overview (DESIGN.md §1 rule 8): the period it covers and the one it
//! is compared with, how a complaint fared against its response term, medians, and the
//! pseudonyms of the anonymised form. The counting itself happens in the database.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::validation::FieldError;

/// The calendar days an overview covers, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// At most this many days in one overview.
const LONGEST: i64 = 5 * 366;

impl Period {
    pub fn check(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
        if !(1990..=9999).contains(&from.year()) || !(1990..=9999).contains(&to.year()) {
            return Err(FieldError::new("from", "dates lie between 1990 and 9999"));
        }
        if from > to {
            return Err(FieldError::new("to", "is before from"));
        }
        if (to - from).num_days() >= LONGEST {
            return Err(FieldError::new("to", "an overview covers at most five years"));
        }
        Ok(Period { from, to })
    }

    /// The default: the twelve months up to and including `today`.
    pub fn last_year(today: NaiveDate) -> Period {
        let from =
            today.checked_sub_months(chrono::Months::new(12)).unwrap_or(today) + Duration::days(1);
        Period { from, to: today }
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period of equal length just before this one: what recurrence is measured against.
    pub fn previous(&self) -> Period {
        let to = self.from - Duration::days(1);
        Period { from: to - Duration::days(self.days() - 1), to }
    }

    /// Every month the period touches, as `YYYY-MM`, in order: a chart's axis.
    pub fn months(&self) -> Vec<String> {
        let mut months = Vec::new();
        let mut month = self.from.with_day(1).unwrap_or(self.from);
        while month <= self.to {
            months.push(month.format("%Y-%m").to_string());
            month = month
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.to.succ_opt().unwrap_or(self.to));
        }
        months
    }
}

vocabulary! {
    /// How a complaint fared against its response term (the regulation: a reaction within
    /// one week).
    pub enum TermOutcome {
        AnsweredWithinTerm,
        AnsweredLate,
        /// No reaction yet, and the term has passed.
        OpenOverdue,
        /// No reaction yet, but still within the term.
        OpenWithinTerm,
        /// Raised by an employee: no client awaits a reaction.
        NotApplicable,
    }
}

/// The rule the overview's SQL counts by (`store::overview` holds its SQL form; the HTTP
/// tests hold the two to the same data set). A complaint withdrawn before any reaction no
/// longer awaits one.
pub fn term_outcome(
    response_due_at: Option<DateTime<Utc>>,
    first_response_at: Option<DateTime<Utc>>,
    withdrawn: bool,
    now: DateTime<Utc>,
) -> TermOutcome {
    match (response_due_at, first_response_at) {
        (None, _) => TermOutcome::NotApplicable,
        (Some(_), None) if withdrawn => TermOutcome::NotApplicable,
        (Some(due), Some(answered)) if answered <= due => TermOutcome::AnsweredWithinTerm,
        (Some(_), Some(_)) => TermOutcome::AnsweredLate,
        (Some(due), None) if now > due => TermOutcome::OpenOverdue,
        (Some(_), None) => TermOutcome::OpenWithinTerm,
    }
}

/// Where the median of `count` sorted values lies: the offset of the first middle value and
/// how many values to average (one for an odd count, two for an even one).
pub fn median_window(count: i64) -> Option<(i64, i64)> {
    match count {
        0 => None,
        n if n % 2 == 1 => Some((n / 2, 1)),
        n => Some((n / 2 - 1, 2)),
    }
}

/// "Medewerker A", "Medewerker B", …, "Medewerker AA": a staff member's stand-in name
/// within one anonymised overview.
pub fn staff_pseudonym(index: usize) -> String {
    let mut letters = String::new();
    let mut n = index + 1;
    while n > 0 {
        let rest = (n - 1) % 26;
        letters.insert(0, char::from(b'A' + u8::try_from(rest).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    format!("Medewerker {letters}")
}

/// "Cliënt 1", "Cliënt 2", …: a client's stand-in name within one anonymised overview.
pub fn client_pseudonym(index: usize) -> String {
    format!("Cliënt {}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_is_compared_with_the_one_before_it() {
        let q4 = Period::check(day(2026, 10, 1), day(2026, 12, 31)).unwrap();
        assert_eq!(q4.days(), 92);
        assert_eq!(q4.previous(), Period { from: day(2026, 7, 1), to: day(2026, 9, 30) });
        assert_eq!(q4.months(), ["2026-10", "2026-11", "2026-12"]);
        let one_day = Period::check(day(2026, 11, 2), day(2026, 11, 2)).unwrap();
        assert_eq!(one_day.previous(), Period { from: day(2026, 11, 1), to: day(2026, 11, 1) });
        assert_eq!(
            Period::last_year(day(2026, 11, 24)),
            Period { from: day(2025, 11, 25), to: day(2026, 11, 24) }
        );
        assert_eq!(Period::check(day(2026, 2, 1), day(2026, 1, 1)).unwrap_err().field, "to");
        assert!(Period::check(day(2020, 1, 1), day(2026, 1, 1)).is_err());
        assert!(Period::check(day(1980, 1, 1), day(1980, 2, 1)).is_err());
    }

    #[test]
    fn the_term_outcome_follows_the_first_reaction() {
        let due = Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap();
        let before = due - Duration::hours(1);
        let after = due + Duration::hours(1);
        assert_eq!(
            term_outcome(Some(due), Some(due), false, after),
            TermOutcome::AnsweredWithinTerm
        );
        assert_eq!(term_outcome(Some(due), Some(after), false, after), TermOutcome::AnsweredLate);
        assert_eq!(term_outcome(Some(due), None, false, after), TermOutcome::OpenOverdue);
        assert_eq!(term_outcome(Some(due), None, false, before), TermOutcome::OpenWithinTerm);
        assert_eq!(term_outcome(None, None, false, after), TermOutcome::NotApplicable);
        assert_eq!(term_outcome(Some(due), None, true, after), TermOutcome::NotApplicable);
        assert_eq!(term_outcome(Some(due), Some(after), true, after), TermOutcome::AnsweredLate);
    }

    #[test]
    fn medians_and_pseudonyms() {
        assert_eq!(median_window(0), None);
        assert_eq!(median_window(1), Some((0, 1)));
        assert_eq!(median_window(5), Some((2, 1)));
        assert_eq!(median_window(4), Some((1, 2)));
        assert_eq!(staff_pseudonym(0), "Medewerker A");
        assert_eq!(staff_pseudonym(25), "Medewerker Z");
        assert_eq!(staff_pseudonym(26), "Medewerker AA");
        assert_eq!(client_pseudonym(0), "Cliënt 1");
    }
}
