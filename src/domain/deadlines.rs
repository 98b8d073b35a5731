//! The one-week term and other deadlines (DESIGN.md §1 rule 2, §4).

use chrono::{DateTime, Duration, Utc};

use super::complaint::{ComplaintStatus, ReportedBy};
use super::events::EventType;

pub const DEFAULT_RESPONSE_TERM_DAYS: i32 = 7;

vocabulary! {
    /// The terms the deadline watcher keeps.
    pub enum Deadline {
        /// `response_due_at`, met by the first response.
        Response,
        /// `follow_up_due_at`, met by a later contact or the decision (which clear it).
        FollowUp,
    }
}

vocabulary! {
    /// What the deadline watcher announces of a term of an open complaint: each once per
    /// complaint, term and due moment (`store::deadlines` holds these rules in SQL).
    pub enum Notice {
        /// From the organisation's `due_soon_hours` before the term until the term itself,
        /// while it is not met: a warning to the handler.
        DueSoon,
        /// The term passed unmet ([`is_overdue`]).
        Overdue,
    }
}

impl Notice {
    /// The event that announces this notice of `deadline`. One warning type serves both
    /// terms (its data names the term); the overdue notices were two types from the start.
    pub fn event_type(self, deadline: Deadline) -> EventType {
        match (self, deadline) {
            (Notice::DueSoon, _) => EventType::ResponseDueSoon,
            (Notice::Overdue, Deadline::Response) => EventType::ResponseOverdue,
            (Notice::Overdue, Deadline::FollowUp) => EventType::FollowUpOverdue,
        }
    }
}

/// When the client must have had a reaction: `received_at` plus the organisation's term.
/// Errors and improvements raised by employees have no client waiting, hence no term.
pub fn response_due_at(
    received_at: DateTime<Utc>,
    reported_by: ReportedBy,
    response_term_days: i32,
) -> Option<DateTime<Utc>> {
    reported_by.is_external().then(|| received_at + Duration::days(i64::from(response_term_days)))
}

/// The clock-relevant facts of a complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clockwork {
    pub status: ComplaintStatus,
    pub response_due_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub follow_up_due_at: Option<DateTime<Utc>>,
}

/// DESIGN.md §4: an open complaint is overdue while it has had no first response after its
/// response term ended, or while its promised follow-up date has passed with no contact or
/// decision since (a later contact or the decision clears `follow_up_due_at`).
///
/// `store::complaints::list` holds the same rule in SQL for the `overdue` filter.
pub fn is_overdue(c: &Clockwork, now: DateTime<Utc>) -> bool {
    let unanswered =
        c.first_response_at.is_none() && c.response_due_at.is_some_and(|due| now > due);
    let follow_up_missed = c.follow_up_due_at.is_some_and(|due| now > due);
    c.status.is_open() && (unanswered || follow_up_missed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use strum::VariantArray;

    #[test]
    fn the_term_runs_from_receipt_for_outside_reports_only() {
        let received = Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap();
        assert_eq!(
            response_due_at(received, ReportedBy::Client, 7),
            Some(Utc.with_ymd_and_hms(2026, 11, 9, 9, 30, 0).unwrap())
        );
        assert_eq!(
            response_due_at(received, ReportedBy::Representative, 3),
            Some(Utc.with_ymd_and_hms(2026, 11, 5, 9, 30, 0).unwrap())
        );
        assert_eq!(response_due_at(received, ReportedBy::Employee, 7), None);
    }

    #[test]
    fn overdue_means_unanswered_after_the_term_or_a_missed_follow_up() {
        let due = Utc.with_ymd_and_hms(2026, 11, 9, 9, 30, 0).unwrap();
        let registered = Clockwork {
            status: ComplaintStatus::Registered,
            response_due_at: Some(due),
            first_response_at: None,
            follow_up_due_at: None,
        };
        assert!(!is_overdue(&registered, due));
        assert!(is_overdue(&registered, due + Duration::seconds(1)));

        let answered = Clockwork {
            status: ComplaintStatus::InProgress,
            first_response_at: Some(due - Duration::days(2)),
            follow_up_due_at: Some(due + Duration::days(3)),
            ..registered
        };
        assert!(!is_overdue(&answered, due + Duration::days(3)));
        assert!(is_overdue(&answered, due + Duration::days(4)));

        let closed = Clockwork { status: ComplaintStatus::Closed, ..registered };
        assert!(!is_overdue(&closed, due + Duration::days(30)));
        let internal = Clockwork { response_due_at: None, ..registered };
        assert!(!is_overdue(&internal, due + Duration::days(30)));
    }

    #[test]
    fn a_warning_comes_for_either_term_as_one_event_type() {
        for deadline in Deadline::VARIANTS {
            assert_eq!(Notice::DueSoon.event_type(*deadline), EventType::ResponseDueSoon);
        }
        assert_eq!(Notice::Overdue.event_type(Deadline::Response), EventType::ResponseOverdue);
        assert_eq!(Notice::Overdue.event_type(Deadline::FollowUp), EventType::FollowUpOverdue);
        // The names the store writes in `deadline_notices` (its CHECK constraints).
        assert_eq!(Deadline::FollowUp.as_str(), "follow_up");
        assert_eq!(Notice::DueSoon.as_str(), "due_soon");
    }
}
