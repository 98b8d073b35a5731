//! The register's vocabulary and dates as the firm's paperwork writes them, in Dutch.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::domain::actions::ActionStatus;
use crate::domain::complaint::{ComplaintKind, ComplaintStatus, ReportedBy};
use crate::domain::lifecycle::{ConfirmationChannel, ContactChannel, Judgement, Resolution};

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// `2 december 2026`.
pub fn date(day: NaiveDate) -> String {
    format!("{} {} {}", day.day(), MONTHS[day.month0() as usize], day.year())
}

/// `2 december 2026, 14:05 UTC`: the register keeps moments in UTC and says so.
pub fn moment(at: DateTime<Utc>) -> String {
    format!("{}, {} UTC", date(at.date_naive()), at.format("%H:%M"))
}

pub fn kind(kind: ComplaintKind) -> &'static str {
    match kind {
        ComplaintKind::Complaint => "Klacht",
        ComplaintKind::Error => "Fout",
        ComplaintKind::Improvement => "Verbetermogelijkheid",
    }
}

pub fn status(status: ComplaintStatus) -> &'static str {
    match status {
        ComplaintStatus::Registered => "Geregistreerd",
        ComplaintStatus::InProgress => "In behandeling",
        ComplaintStatus::Escalated => "Voorgelegd aan de klachtencoördinator",
        ComplaintStatus::Decided => "Besloten",
        ComplaintStatus::Closed => "Afgesloten",
        ComplaintStatus::Withdrawn => "Ingetrokken",
    }
}

pub fn reporter(reported_by: ReportedBy) -> &'static str {
    match reported_by {
        ReportedBy::Client => "Cliënt",
        ReportedBy::Representative => "Vertegenwoordiger van de cliënt",
        ReportedBy::Contact => "Andere contactpersoon",
        ReportedBy::Employee => "Medewerker",
    }
}

pub fn contact_channel(channel: ContactChannel) -> &'static str {
    match channel {
        ContactChannel::Phone => "telefoon",
        ContactChannel::Email => "e-mail",
        ContactChannel::Letter => "brief",
        ContactChannel::Meeting => "gesprek",
        ContactChannel::Video => "videogesprek",
    }
}

pub fn confirmation_channel(channel: ConfirmationChannel) -> &'static str {
    match channel {
        ConfirmationChannel::Letter => "brief",
        ConfirmationChannel::Email => "e-mail",
        ConfirmationChannel::Portal => "portaal",
    }
}

pub fn resolution(resolution: Resolution) -> &'static str {
    match resolution {
        Resolution::Resolved => "Naar tevredenheid opgelost",
        Resolution::Unresolved => "Niet naar tevredenheid opgelost",
    }
}

pub fn judgement(judgement: Judgement) -> &'static str {
    match judgement {
        Judgement::WellFounded => "Gegrond",
        Judgement::PartlyWellFounded => "Deels gegrond",
        Judgement::Unfounded => "Ongegrond",
    }
}

pub fn action_status(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Proposed => "voorgesteld",
        ActionStatus::Approved => "goedgekeurd",
        ActionStatus::InProgress => "in uitvoering",
        ActionStatus::Done => "uitgevoerd",
        ActionStatus::Cancelled => "vervallen",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_out_in_dutch() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(date(day), "9 maart 2026");
        let at = day.and_hms_opt(14, 5, 0).unwrap().and_utc();
        assert_eq!(moment(at), "9 maart 2026, 14:05 UTC");
    }
}
