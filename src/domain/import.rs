//! A row of an existing register, read for the import (DESIGN.md §11): the export's own
//! columns (`register::Column`, Dutch or English headers), of which a few are enough. Every
//! cell is checked here, and every fault is reported with its row and column, so that the
//! whole file can be judged before anything is written.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::address::{DEFAULT_COUNTRY, PostalAddress};
use super::classification::{Category, Channel};
use super::complaint::{
    CheckedDetails, Client, Complainant, ComplaintKind, ComplaintStatus, Details, ReportedBy,
};
use super::lifecycle::{
    Confirmation, ConfirmationChannel, Decision, Judgement, Procedure, Resolution,
    SATISFACTION_SCORES, Satisfaction,
};
use super::register::{Column, LIST_SEPARATOR, Language};

/// A fault in a file: its row as a spreadsheet numbers it (the header row is 1), the
/// column's header as the file writes it, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    #[schema(example = 12)]
    pub row: usize,
    #[schema(example = "Ontvangen")]
    pub column: String,
    #[schema(example = "'31-02-2024' is not a date: write dd-mm-jjjj or 2024-02-29")]
    pub message: String,
}

/// The columns without which a row is no complaint: the rest of the minimal set (complainant,
/// client, matter, status, decision, its date, closure) may be absent from a file whose
/// complaints do not need them.
const REQUIRED: [Column; 4] =
    [Column::ReceivedAt, Column::Kind, Column::Description, Column::Handler];

/// The header row, read: which column each position holds.
#[derive(Debug, Clone)]
pub struct Header {
    columns: Vec<Column>,
    /// Each column's header as the file writes it, for the faults' report.
    names: HashMap<Column, String>,
}

impl Header {
    /// Reads the header row: every header must name a column of the register, once, and the
    /// required ones must be there.
    pub fn read(cells: &[String]) -> Result<Header, Vec<RowError>> {
        let mut errors = Vec::new();
        let mut columns = Vec::new();
        let mut names = HashMap::new();
        for cell in cells {
            let fault = |message: String| RowError { row: 1, column: cell.clone(), message };
            match Column::named(cell) {
                Some(column) if names.contains_key(&column) => {
                    errors.push(fault("appears twice".into()));
                }
                Some(column) => {
                    names.insert(column, cell.trim().to_owned());
                    columns.push(column);
                }
                None => errors.push(fault(
                    "is not a column of the register: use the export's headers (README, \
                     \"Importing a register\")"
                        .into(),
                )),
            }
        }
        for column in REQUIRED.iter().filter(|c| !names.contains_key(c)) {
            errors.push(RowError {
                row: 1,
                column: column.header(Language::Dutch).to_owned(),
                message: format!(
                    "is missing: every file needs {}",
                    REQUIRED.map(|c| c.header(Language::Dutch)).join(", ")
                ),
            });
        }
        if errors.is_empty() { Ok(Header { columns, names }) } else { Err(errors) }
    }

    fn name(&self, column: Column) -> String {
        self.names.get(&column).cloned().unwrap_or_else(|| column.header(Language::Dutch).into())
    }
}

/// A decision as the register recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricalDecision {
    pub summary: String,
    pub resolution: Resolution,
    pub judgement: Option<Judgement>,
    pub decided_at: DateTime<Utc>,
    /// Staff id or e-mail address; the handler when the file names nobody.
    pub decided_by: Option<String>,
}

/// A complaint of an existing register, checked, as it will be recorded.
#[derive(Debug, Clone)]
pub struct Historical {
    /// Its row in the file.
    pub row: usize,
    /// The reference it had; a new one is issued when it had none.
    pub reference: Option<String>,
    pub details: CheckedDetails,
    /// Staff id or e-mail address.
    pub handler: String,
    pub subject: Option<String>,
    pub status: ComplaintStatus,
    pub response_due_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub channel: Option<Channel>,
    pub categories: BTreeSet<Category>,
    pub decision: Option<HistoricalDecision>,
    pub written_confirmation_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub satisfaction: Option<i32>,
    /// What recognises the row when the same file comes again: a hash of its cells.
    pub key: String,
}

/// A moment as a register writes it: `dd-mm-jjjj`, an ISO date, or an ISO date and time
/// (`2026-11-02T09:00:00Z`, or without zone as a spreadsheet cell reads: taken as UTC, as the
/// export writes it). A date alone is that day's start, UTC.
pub fn moment(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for form in
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M"]
    {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, form) {
            return Ok(at.and_utc());
        }
    }
    for form in ["%d-%m-%Y", "%Y-%m-%d"] {
        if let Ok(day) = NaiveDate::parse_from_str(text, form) {
            return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
        }
    }
    Err(format!("'{text}' is not a date: write dd-mm-jjjj, jjjj-mm-dd or 2026-11-02T09:00:00Z"))
}

/// The cells of one row, and the faults found in them so far.
struct Cells<'a> {
    header: &'a Header,
    row: usize,
    values: HashMap<Column, &'a str>,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn text(&self, column: Column) -> Option<String> {
        self.values.get(&column).map(|v| (*v).to_owned())
    }

    fn fault(&mut self, column: Column, message: impl Into<String>) {
        let column = self.header.name(column);
        self.errors.push(RowError { row: self.row, column, message: message.into() });
    }

    /// The column's value parsed, if it has one; a value that does not parse is a fault.
    fn parse<T>(&mut self, column: Column, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
        let value = self.values.get(&column)?;
        match parse(value) {
            Ok(parsed) => Some(parsed),
            Err(message) => {
                self.fault(column, message);
                None
            }
        }
    }
}

/// Which column a field of the registration form is reported under.
fn column_of(field: &str) -> Column {
    match field {
        "kind" => Column::Kind,
        "received_at" => Column::ReceivedAt,
        "reported_by" => Column::ReportedBy,
        "complainant.email" => Column::ComplainantEmail,
        "complainant.phone" => Column::ComplainantPhone,
        "complainant.address.street" => Column::ComplainantStreet,
        "complainant.address.postal_code" => Column::ComplainantPostalCode,
        "complainant.address.city" => Column::ComplainantCity,
        "complainant.address.country" => Column::ComplainantCountry,
        f if f.starts_with("complainant") => Column::ComplainantName,
        "client.id" => Column::ClientId,
        f if f.starts_with("client") => Column::ClientName,
        "matter_reference" => Column::MatterReference,
        "root_cause" => Column::RootCause,
        _ => Column::Description,
    }
}

/// Reads one row (`row` as the spreadsheet numbers it) under `header`: its values parsed, the
/// registration form checked as `POST /complaints` checks it, and the procedure's dates and
/// status checked against each other.
pub fn read(
    header: &Header,
    row: usize,
    cells: &[String],
    now: DateTime<Utc>,
    skew: Duration,
) -> Result<Historical, Vec<RowError>> {
    let values = header
        .columns
        .iter()
        .zip(cells)
        .map(|(c, v)| (*c, v.trim()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let mut c = Cells { header, row, values, errors: Vec::new() };
    let kind = c.parse(Column::Kind, ComplaintKind::parse);
    let status = c.parse(Column::Status, ComplaintStatus::parse);
    let reported_by = c.parse(Column::ReportedBy, ReportedBy::parse);
    let channel = c.parse(Column::Channel, Channel::parse);
    let resolution = c.parse(Column::Resolution, Resolution::parse);
    let judgement = c.parse(Column::Judgement, Judgement::parse);
    let anonymize_in_meeting = c.parse(Column::AnonymizeInMeeting, boolean).unwrap_or(false);
    let satisfaction = c.parse(Column::Satisfaction, score);
    let categories = c.parse(Column::Categories, categories).unwrap_or_default();
    let received_at = c.parse(Column::ReceivedAt, moment);
    let response_due_at = c.parse(Column::ResponseDueAt, moment);
    let first_response_at = c.parse(Column::FirstResponseAt, moment);
    let escalated_at = c.parse(Column::EscalatedAt, moment);
    let decided_at = c.parse(Column::DecidedAt, moment);
    let written_confirmation_at = c.parse(Column::WrittenConfirmationAt, moment);
    let closed_at = c.parse(Column::ClosedAt, moment);
    // A register that kept no status: the furthest step its dates show.
    let status = status.unwrap_or(match (closed_at, decided_at, first_response_at) {
        (Some(_), _, _) => ComplaintStatus::Closed,
        (None, Some(_), _) => ComplaintStatus::Decided,
        (None, None, Some(_)) => ComplaintStatus::InProgress,
        (None, None, None) => ComplaintStatus::Registered,
    });
    if satisfaction.is_some() && decided_at.is_none() {
        c.fault(Column::Satisfaction, "is given, but there is no decision to be satisfied with");
    }
    let handler = c.text(Column::Handler);
    if handler.is_none() {
        c.fault(Column::Handler, "is required: the handler's staff id or e-mail address");
    }
    let summary = c.text(Column::Decision);
    let decision = match (summary, decided_at) {
        (Some(summary), Some(decided_at)) => Some(HistoricalDecision {
            summary,
            // A register that kept no outcome is read as settled to the client's satisfaction.
            resolution: resolution.unwrap_or(Resolution::Resolved),
            judgement,
            decided_at,
            decided_by: c.text(Column::DecidedBy),
        }),
        (Some(_), None) => {
            c.fault(Column::DecidedAt, "is required with a decision");
            None
        }
        (None, Some(_)) => {
            c.fault(Column::Decision, "is required with a decision date");
            None
        }
        (None, None) => None,
    };
    if matches!(status, ComplaintStatus::Decided | ComplaintStatus::Closed) && decided_at.is_none()
    {
        c.fault(
            Column::DecidedAt,
            format!("is required for a complaint that is {}", status.as_str()),
        );
    }
    if status == ComplaintStatus::Closed && closed_at.is_none() {
        c.fault(Column::ClosedAt, "is required for a closed complaint");
    }
    if closed_at.is_some()
        && !matches!(status, ComplaintStatus::Closed | ComplaintStatus::Withdrawn)
    {
        c.fault(Column::ClosedAt, format!("is given, but the complaint is {}", status.as_str()));
    }
    for (column, later) in [
        (Column::FirstResponseAt, first_response_at),
        (Column::EscalatedAt, escalated_at),
        (Column::DecidedAt, decided_at),
        (Column::WrittenConfirmationAt, written_confirmation_at),
        (Column::ClosedAt, closed_at),
    ] {
        if let (Some(received), Some(later)) = (received_at, later) {
            if later < received {
                c.fault(column, "is before the complaint was received");
            } else if later > now + skew {
                c.fault(column, "must not be in the future");
            }
        }
    }
    let complainant = c.text(Column::ComplainantName).map(|name| Complainant {
        name,
        email: c.text(Column::ComplainantEmail),
        phone: c.text(Column::ComplainantPhone),
        address: address(&c),
    });
    let client = match (c.text(Column::ClientId), c.text(Column::ClientName)) {
        (Some(id), Some(name)) => Some(Client { id, name }),
        // A register that kept no client numbers names the client: the name stands for both.
        (None, Some(name)) => {
            Some(Client { id: name.split_whitespace().collect::<Vec<_>>().join("_"), name })
        }
        (Some(_), None) => {
            c.fault(Column::ClientName, "is required with a client id");
            None
        }
        (None, None) => None,
    };
    let details = match (kind, received_at) {
        (Some(kind), Some(received_at)) => {
            let details = Details {
                kind,
                received_at,
                // A register that kept no reporter: a complaint came from the client, the
                // rest from the firm's own people.
                reported_by: reported_by.unwrap_or(if kind == ComplaintKind::Complaint {
                    ReportedBy::Client
                } else {
                    ReportedBy::Employee
                }),
                complainant,
                client,
                matter_reference: c.text(Column::MatterReference),
                description: c.text(Column::Description).unwrap_or_default(),
                root_cause: c.text(Column::RootCause),
                anonymize_in_meeting,
            };
            match details.check(now, skew) {
                Ok(checked) => Some(checked),
                Err(invalid) => {
                    for e in invalid.0 {
                        c.fault(column_of(&e.field), e.message);
                    }
                    None
                }
            }
        }
        (None, _) if !c.values.contains_key(&Column::Kind) => {
            c.fault(Column::Kind, "is required: complaint, error or improvement");
            None
        }
        (_, None) if !c.values.contains_key(&Column::ReceivedAt) => {
            c.fault(Column::ReceivedAt, "is required");
            None
        }
        _ => None,
    };
    let key = key(cells);
    match (details, handler) {
        (Some(details), Some(handler)) if c.errors.is_empty() => Ok(Historical {
            row,
            reference: c.text(Column::Reference),
            details,
            handler,
            subject: c.text(Column::Subject),
            status,
            response_due_at,
            first_response_at,
            escalated_at,
            channel,
            categories,
            decision,
            written_confirmation_at,
            closed_at,
            satisfaction,
            key,
        }),
        _ => Err(c.errors),
    }
}

impl Historical {
    /// The procedure's state as the old register left it: its dates and status as they were,
    /// without the signatures it did not keep. `handler` (the row id of its handler) stands
    /// for whoever the file does not name: who confirmed and who recorded the client's
    /// satisfaction. A written confirmation is taken as a letter.
    pub fn procedure(&self, has_coordinator: bool, decided_by: i64, handler: i64) -> Procedure {
        let details = self.details.get();
        let answered_at = self.decision.as_ref().map(|d| d.decided_at).or(self.closed_at);
        Procedure {
            status: self.status,
            external: details.reported_by.is_external(),
            received_at: details.received_at,
            has_coordinator,
            classified: self.is_classified(),
            first_response_at: self.first_response_at,
            follow_up_due_at: None,
            last_contact_at: self.first_response_at,
            escalated_at: self.escalated_at,
            decision: self.decision.as_ref().map(|d| Decision {
                summary: d.summary.clone(),
                resolution: d.resolution,
                judgement: d.judgement,
                decided_at: d.decided_at,
                decided_by,
            }),
            confirmation: self.written_confirmation_at.map(|sent_at| Confirmation {
                sent_at,
                channel: ConfirmationChannel::Letter,
                document_id: None,
                recorded_by: handler,
            }),
            dienstverlener_signature: None,
            coordinator_signature: None,
            closed_at: self.closed_at,
            satisfaction: self.satisfaction.zip(answered_at).map(|(score, recorded_at)| {
                Satisfaction { score, remark: None, recorded_by: handler, recorded_at }
            }),
            erased: false,
        }
    }

    /// A complaint counts as classified when the file classifies it, and when it was closed:
    /// the procedure closes only what was classified.
    pub fn is_classified(&self) -> bool {
        self.channel.is_some()
            || !self.categories.is_empty()
            || self.status == ComplaintStatus::Closed
    }

    /// When it was classified, for the record: at its first step after receipt.
    pub fn classified_at(&self) -> DateTime<Utc> {
        [self.first_response_at, self.decision.as_ref().map(|d| d.decided_at), self.closed_at]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.details.get().received_at)
    }
}

/// The complainant's address, when the row gives one; its parts are checked with the rest
/// of the registration form.
fn address(c: &Cells<'_>) -> Option<PostalAddress> {
    let parts = [Column::ComplainantStreet, Column::ComplainantPostalCode, Column::ComplainantCity];
    if parts.iter().all(|p| c.text(*p).is_none()) {
        return None;
    }
    Some(PostalAddress {
        street: c.text(Column::ComplainantStreet).unwrap_or_default(),
        postal_code: c.text(Column::ComplainantPostalCode).unwrap_or_default(),
        city: c.text(Column::ComplainantCity).unwrap_or_default(),
        country: c.text(Column::ComplainantCountry).unwrap_or_else(|| DEFAULT_COUNTRY.into()),
    })
}

/// A row's fingerprint: the hash of its cells, trimmed, each ended by a separator.
fn key(cells: &[String]) -> String {
    let mut hasher = Sha256::new();
    for cell in cells {
        hasher.update(cell.trim().as_bytes());
        hasher.update([0x1f]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn categories(value: &str) -> Result<BTreeSet<Category>, String> {
    value
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Category::parse)
        .collect()
}

fn boolean(value: &str) -> Result<bool, String> {
    match value.to_lowercase().as_str() {
        "true" | "ja" | "yes" | "1" => Ok(true),
        "false" | "nee" | "no" | "0" => Ok(false),
        _ => Err(format!("'{value}' is not one of: true, false (ja, nee)")),
    }
}

fn score(value: &str) -> Result<i32, String> {
    value.parse::<i32>().ok().filter(|s| SATISFACTION_SCORES.contains(s)).ok_or_else(|| {
        let scores: Vec<String> = SATISFACTION_SCORES.map(|s| s.to_string()).collect();
        format!("'{value}' is not a score: {}", scores.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn now() -> DateTime<Utc> {
        moment("2026-11-02T09:00:00Z").unwrap()
    }

    #[test]
    fn dates_are_read_in_the_registers_forms() {
        let day = |s| moment(s).map(|m| m.to_rfc3339());
        assert_eq!(day("02-11-2026"), Ok("2026-11-02T00:00:00+00:00".into()));
        assert_eq!(day("2026-11-02"), Ok("2026-11-02T00:00:00+00:00".into()));
        assert_eq!(day("2026-11-02T09:30:00Z"), Ok("2026-11-02T09:30:00+00:00".into()));
        assert_eq!(day("2026-11-02T10:30:00+01:00"), Ok("2026-11-02T09:30:00+00:00".into()));
        // As a spreadsheet's date cell reads: no zone, taken as UTC as the export writes.
        assert_eq!(day("2026-11-02T09:30:00"), Ok("2026-11-02T09:30:00+00:00".into()));
        for bad in ["31-02-2026", "2026/11/02", "gisteren", "11-2026"] {
            assert!(moment(bad).unwrap_err().contains(bad), "{bad}");
        }
    }

    #[test]
    fn a_header_names_known_columns_once_and_the_required_ones() {
        let minimal = cells(&["Ontvangen", "soort", "Description", "Behandelaar"]);
        assert!(Header::read(&minimal).is_ok());
        let errors =
            Header::read(&cells(&["Ontvangen", "Soort", "Soort", "Opmerking"])).unwrap_err();
        let faults: Vec<(&str, usize)> =
            errors.iter().map(|e| (e.column.as_str(), e.row)).collect();
        assert_eq!(
            faults,
            [("Soort", 1), ("Opmerking", 1), ("Omschrijving", 1), ("Behandelaar", 1)]
        );
    }

    #[test]
    fn a_row_reports_each_fault_under_its_column() {
        let header = Header::read(&cells(&[
            "Ontvangen",
            "Soort",
            "Omschrijving",
            "Behandelaar",
            "Status",
            "Tevredenheid cliënt",
            "E-mail klager",
            "Klager",
            "Cliënt",
            "Zaak",
        ]))
        .unwrap();
        let row = cells(&[
            "01-10-2026",
            "complaint",
            "Te hoog",
            "dana",
            "closed",
            "9",
            "geen-adres",
            "J. Jansen",
            "Jansen B.V.",
            "Z-1",
        ]);
        let errors = read(&header, 7, &row, now(), Duration::zero()).unwrap_err();
        let faults: Vec<(usize, &str)> =
            errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(
            faults,
            [(7, "Tevredenheid cliënt"), (7, "Besloten"), (7, "Afgesloten"), (7, "E-mail klager"),],
            "{errors:?}"
        );
    }

    #[test]
    fn a_minimal_row_reads_with_the_registers_defaults() {
        let header = Header::read(&cells(&[
            "Ontvangen",
            "Soort",
            "Omschrijving",
            "Behandelaar",
            "Klager",
            "Cliënt",
            "Zaak",
            "Besluit",
            "Besloten",
            "Afgesloten",
        ]))
        .unwrap();
        let row = cells(&[
            "01-10-2026",
            "complaint",
            "Te hoog",
            "dana@kantoor.nl",
            "J. Jansen",
            "Jansen B.V.",
            "Z-1",
            "Gecrediteerd",
            "2026-10-03",
            "04-10-2026",
        ]);
        let read = read(&header, 2, &row, now(), Duration::zero()).unwrap();
        assert_eq!(read.status, ComplaintStatus::Closed, "the furthest step its dates show");
        assert_eq!(read.details.get().reported_by, ReportedBy::Client);
        assert_eq!(read.details.get().client.as_ref().unwrap().id, "Jansen_B.V.");
        assert_eq!(read.decision.as_ref().unwrap().resolution, Resolution::Resolved);
        assert_eq!(read.handler, "dana@kantoor.nl");
        assert!(read.is_classified(), "closed, so classified");
        assert_eq!(read.reference, None);
        let again = super::read(&header, 9, &row, now(), Duration::zero()).unwrap();
        assert_eq!(read.key, again.key, "the same cells, the same key");
    }
}
