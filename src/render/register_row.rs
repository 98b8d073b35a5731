//! A complaint as a row of the exported register: one cell per `domain::register::Column`,
//! typed, for the CSV and the XLSX writer alike.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::domain::register::{Column, LIST_SEPARATOR};
use crate::operations::complaints::RegisterEntry;

/// A cell of the register.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Moment(DateTime<Utc>),
}

impl Cell {
    fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    fn optional_text(value: Option<impl Into<String>>) -> Cell {
        value.map_or(Cell::Empty, Cell::text)
    }

    fn moment(value: Option<DateTime<Utc>>) -> Cell {
        value.map_or(Cell::Empty, Cell::Moment)
    }

    /// The cell as CSV text: moments in ISO 8601 (UTC, whole seconds unless there are
    /// fractions), which the import reads back.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Moment(moment) => moment.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }
    }
}

/// The cell of `column` for `entry`.
fn cell(entry: &RegisterEntry, column: Column) -> Cell {
    let c = &entry.complaint;
    let complainant = c.complainant.as_ref();
    let address = complainant.and_then(|p| p.address.as_ref());
    let decision = c.decision.as_ref();
    let classification = c.classification.as_ref();
    match column {
        Column::Reference => Cell::text(&c.reference),
        Column::Kind => Cell::text(c.kind.as_str()),
        Column::Status => Cell::text(c.status.as_str()),
        Column::ReceivedAt => Cell::Moment(c.received_at),
        Column::ReportedBy => Cell::text(c.reported_by.as_str()),
        Column::ComplainantName => Cell::optional_text(complainant.map(|p| &p.name)),
        Column::ComplainantEmail => Cell::optional_text(complainant.and_then(|p| p.email.as_ref())),
        Column::ComplainantPhone => Cell::optional_text(complainant.and_then(|p| p.phone.as_ref())),
        Column::ComplainantStreet => Cell::optional_text(address.map(|a| &a.street)),
        Column::ComplainantPostalCode => Cell::optional_text(address.map(|a| &a.postal_code)),
        Column::ComplainantCity => Cell::optional_text(address.map(|a| &a.city)),
        Column::ComplainantCountry => Cell::optional_text(address.map(|a| &a.country)),
        Column::ClientId => Cell::optional_text(c.client.as_ref().map(|k| &k.id)),
        Column::ClientName => Cell::optional_text(c.client.as_ref().map(|k| &k.name)),
        Column::MatterReference => Cell::optional_text(c.matter_reference.as_ref()),
        Column::Description => Cell::text(&c.description),
        Column::Handler => Cell::text(&c.handler.id),
        Column::Subject => Cell::text(&c.subject.id),
        Column::Channel => {
            Cell::optional_text(classification.and_then(|k| k.channel).map(|ch| ch.as_str()))
        }
        Column::Categories => Cell::optional_text(classification.map(|k| {
            let names: Vec<&str> = k.categories.iter().map(|cat| cat.as_str()).collect();
            names.join(&LIST_SEPARATOR.to_string())
        })),
        Column::ResponseDueAt => Cell::moment(c.response_due_at),
        Column::FirstResponseAt => Cell::moment(c.first_response_at),
        Column::TermOutcome => Cell::text(entry.term.as_str()),
        Column::EscalatedAt => Cell::moment(c.escalated_at),
        Column::Resolution => Cell::optional_text(decision.map(|d| d.resolution.as_str())),
        Column::Judgement => {
            Cell::optional_text(decision.and_then(|d| d.judgement).map(|j| j.as_str()))
        }
        Column::Decision => Cell::optional_text(decision.map(|d| &d.summary)),
        Column::DecidedAt => Cell::moment(decision.map(|d| d.decided_at)),
        Column::DecidedBy => Cell::optional_text(decision.map(|d| &d.decided_by.id)),
        Column::WrittenConfirmationAt => Cell::moment(c.written_confirmation_at),
        Column::RootCause => Cell::optional_text(c.root_cause.as_ref()),
        Column::AnonymizeInMeeting => Cell::text(c.anonymize_in_meeting.to_string()),
        Column::ClosedAt => Cell::moment(c.closed_at),
        Column::Satisfaction => {
            Cell::optional_text(c.satisfaction.as_ref().map(|s| s.score.to_string()))
        }
    }
}

/// The row of `entry`: its cells in the columns' order.
pub fn cells(entry: &RegisterEntry) -> Vec<Cell> {
    Column::all().iter().map(|column| cell(entry, *column)).collect()
}
