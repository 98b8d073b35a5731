//! What a complaint is: its vocabulary and the rules its registration details obey.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::address::PostalAddress;
use super::deadlines::response_due_at;
use super::moment::not_after;
use super::roles::Actor;
use super::validation::{
    AllValid, Email, ExternalId, FieldError, Phone, Text, ValidationErrors, YEARS, ensure,
};

vocabulary! {
    /// What was registered: a complaint (klacht), an error (fout) or an improvement
    /// opportunity (verbetermogelijkheid). All three use the same registration form.
    pub enum ComplaintKind {
        Complaint,
        Error,
        Improvement,
    }
}

vocabulary! {
    /// Where a complaint stands in the procedure (DESIGN.md §4).
    pub enum ComplaintStatus {
        Registered,
        InProgress,
        Escalated,
        Decided,
        Closed,
        Withdrawn,
    }
}

impl ComplaintStatus {
    /// Open complaints still need work; closed and withdrawn ones are finished.
    pub fn is_open(self) -> bool {
        !matches!(self, ComplaintStatus::Closed | ComplaintStatus::Withdrawn)
    }
}

vocabulary! {
    /// Who raised it (klager): the client, their representative, another contact of the
    /// firm's, or an employee (errors and improvement opportunities only).
    pub enum ReportedBy {
        Client,
        Representative,
        Contact,
        Employee,
    }
}

impl ReportedBy {
    /// Raised from outside the firm: a client is waiting for a reaction and a written
    /// confirmation.
    pub fn is_external(self) -> bool {
        self != ReportedBy::Employee
    }
}

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 10_000;
pub const MATTER_REFERENCE_MAX: usize = 100;
pub const ROOT_CAUSE_MAX: usize = 5_000;

/// The first moment of the register's years (`validation::YEARS`): older receipts are typing
/// errors (and some are beyond what the databases store).
pub fn earliest_receipt() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1)
        .unwrap_or_default()
        .and_time(NaiveTime::MIN)
        .and_utc()
}

/// The person who complains (klager).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Complainant {
    #[schema(example = "J. de Vries", max_length = 200)]
    pub name: String,
    #[schema(example = "j.devries@example.nl", max_length = 254)]
    #[serde(default)]
    pub email: Option<String>,
    #[schema(example = "+31 20 123 4567", max_length = 30)]
    #[serde(default)]
    pub phone: Option<String>,
    /// The postal address (Bgfo art. 41), where the letters go.
    #[serde(default)]
    pub address: Option<PostalAddress>,
}

/// The client the complaint is about, by the practice-management system's own id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Client {
    #[schema(example = "REL-10442", max_length = 255)]
    pub id: String,
    #[schema(example = "De Vries Holding B.V.", max_length = 200)]
    pub name: String,
}

/// The registration details of a complaint: what the registration form records about the
/// complaint itself, as received or as edited, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub kind: ComplaintKind,
    pub received_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    pub complainant: Option<Complainant>,
    pub client: Option<Client>,
    pub matter_reference: Option<String>,
    pub description: String,
    pub root_cause: Option<String>,
    pub anonymize_in_meeting: bool,
}

/// Registration details that passed [`Details::check`]: texts trimmed and bounded, blanks
/// turned into absences, and the rules between fields satisfied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedDetails(Details);

impl CheckedDetails {
    pub fn get(&self) -> &Details {
        &self.0
    }
}

impl Details {
    /// Checks every field and the rules between them (DESIGN.md §1 rule 1):
    /// - a complaint comes from outside the firm and names the client and the matter;
    /// - whoever reports from outside is named, so that the firm can come back to them;
    /// - nothing is received in the future.
    ///
    /// A receipt up to `skew` ahead of `now` is taken as now.
    pub fn check(
        self,
        now: DateTime<Utc>,
        skew: Duration,
    ) -> Result<CheckedDetails, ValidationErrors> {
        let matter_reference = Text::parse_optional(
            "matter_reference",
            self.matter_reference.as_deref(),
            MATTER_REFERENCE_MAX,
        );
        let complaint = self.kind == ComplaintKind::Complaint;
        let matter_missing = matches!(matter_reference, Ok(None));
        let (description, matter_reference, root_cause, complainant, client, received_at, ..) = (
            Text::parse("description", &self.description, DESCRIPTION_MAX),
            matter_reference,
            Text::parse_optional("root_cause", self.root_cause.as_deref(), ROOT_CAUSE_MAX),
            self.complainant.as_ref().map(check_complainant).transpose(),
            self.client.as_ref().map(check_client).transpose(),
            check_receipt(self.received_at, now, skew),
            ensure(
                !(complaint && self.reported_by == ReportedBy::Employee),
                "reported_by",
                "a complaint comes from a client, representative or contact; register what an \
                 employee raises as an error or improvement",
            ),
            ensure(!(complaint && self.client.is_none()), "client", "is required for a complaint"),
            ensure(
                !(complaint && matter_missing),
                "matter_reference",
                "is required for a complaint",
            ),
            ensure(
                !(self.reported_by.is_external() && self.complainant.is_none()),
                "complainant",
                "is required when the report comes from outside the firm",
            ),
        )
            .all_valid()?;
        Ok(CheckedDetails(Details {
            received_at,
            description: description.into_string(),
            matter_reference: matter_reference.map(Text::into_string),
            root_cause: root_cause.map(Text::into_string),
            complainant,
            client,
            ..self
        }))
    }
}

/// When a complaint was received: not in the future (beyond a little clock skew), not before
/// the register's first day. Both databases keep microseconds, and what is stored must read
/// back equal.
fn check_receipt(
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
    skew: Duration,
) -> Result<DateTime<Utc>, FieldError> {
    let received_at = not_after(received_at, now, skew)
        .ok_or_else(|| FieldError::new("received_at", "must not be in the future"))?;
    ensure(received_at >= earliest_receipt(), "received_at", "must not be before 1990-01-01")?;
    Ok(received_at.trunc_subsecs(6))
}

fn check_complainant(c: &Complainant) -> Result<Complainant, ValidationErrors> {
    let (name, email, phone, address) = (
        Text::parse("complainant.name", &c.name, NAME_MAX),
        match c.email.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(e) => Email::parse("complainant.email", e).map(Some),
        },
        match c.phone.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(p) => Phone::parse("complainant.phone", p).map(Some),
        },
        c.address.as_ref().map(|a| a.check("complainant.address")).transpose(),
    )
        .all_valid()?;
    Ok(Complainant {
        name: name.into_string(),
        email: email.map(|e| e.as_str().to_owned()),
        phone: phone.map(|p| p.as_str().to_owned()),
        address,
    })
}

fn check_client(c: &Client) -> Result<Client, FieldError> {
    let id = ExternalId::parse("client.id", c.id.trim())?;
    let name = Text::parse("client.name", &c.name, NAME_MAX)?;
    Ok(Client { id: id.as_str().to_owned(), name: name.into_string() })
}

/// Who handles a new complaint (DESIGN.md §2): the person named, or else the dienstverlener
/// who registers it. Whoever registers in no other capacity names the handler.
pub fn handler(
    named: Option<ExternalId>,
    registrant: &Actor,
    registrant_id: &ExternalId,
) -> Result<ExternalId, FieldError> {
    match named {
        Some(handler) => Ok(handler),
        None if registrant.is_dienstverlener() => Ok(registrant_id.clone()),
        None => Err(FieldError::new(
            "handler_id",
            "is required when the caller is not a dienstverlener",
        )),
    }
}

/// Whom a new complaint is about: the person named, or else its handler.
pub fn subject(named: Option<ExternalId>, handler: &ExternalId) -> ExternalId {
    named.unwrap_or_else(|| handler.clone())
}

/// What the organisation's procedure settings contribute to a complaint's assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcedureSettings {
    pub response_term_days: i32,
    pub coordinator_id: Option<i64>,
    pub deputy_coordinator_id: Option<i64>,
}

/// Who is involved in a complaint and by when the client must have a reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub handler_id: i64,
    pub subject_id: i64,
    pub coordinator_id: Option<i64>,
    pub response_due_at: Option<DateTime<Utc>>,
}

impl Assignment {
    /// Whether it names the same handler, subject and coordinator as `other`, whatever the
    /// term: what a signature vouches for (`Procedure::ensure_reassignable`).
    pub fn names_the_same_people(&self, other: &Assignment) -> bool {
        (self.handler_id, self.subject_id, self.coordinator_id)
            == (other.handler_id, other.subject_id, other.coordinator_id)
    }
}

/// The assignment of a newly registered complaint.
pub fn assign(
    settings: &ProcedureSettings,
    details: &Details,
    handler_id: i64,
    subject_id: i64,
) -> Assignment {
    Assignment {
        handler_id,
        subject_id,
        coordinator_id: assigned_coordinator(
            settings.coordinator_id,
            settings.deputy_coordinator_id,
            subject_id,
        ),
        response_due_at: response_due_at(
            details.received_at,
            details.reported_by,
            settings.response_term_days,
        ),
    }
}

/// The assignment after an edit. The coordinator follows the subject; the response term is
/// recomputed only when what it depends on (receipt, reporter) changed, so that a later
/// change of the organisation's term does not move deadlines already communicated.
pub fn reassign(
    settings: &ProcedureSettings,
    before: (&Details, Assignment),
    after: &Details,
    handler_id: i64,
    subject_id: i64,
) -> Assignment {
    let (before_details, before_assignment) = before;
    let fresh = assign(settings, after, handler_id, subject_id);
    let term_basis_changed = before_details.received_at != after.received_at
        || before_details.reported_by != after.reported_by;
    Assignment {
        response_due_at: if term_basis_changed {
            fresh.response_due_at
        } else {
            before_assignment.response_due_at
        },
        coordinator_id: if subject_id == before_assignment.subject_id {
            before_assignment.coordinator_id
        } else {
            fresh.coordinator_id
        },
        ..fresh
    }
}

/// Does an edit touch what the complaint's weight and response term rest on — its kind,
/// receipt or reporter? The person complained about must not move their own deadline or
/// turn a complaint into something else, so such edits are for a coordinator.
pub fn term_basis_changed(before: &Details, after: &Details) -> bool {
    before.kind != after.kind
        || before.received_at != after.received_at
        || before.reported_by != after.reported_by
}

/// The coordinator in charge of a complaint: the organisation's coordinator, or the deputy
/// when the complaint is about the coordinator (the klachtencoördinator is never the person
/// the complaint is directed against).
pub fn assigned_coordinator(
    coordinator: Option<i64>,
    deputy: Option<i64>,
    subject: i64,
) -> Option<i64> {
    match coordinator {
        Some(c) if c == subject => deputy.filter(|d| *d != subject),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()
    }

    fn complaint() -> Details {
        Details {
            kind: ComplaintKind::Complaint,
            received_at: now() - Duration::hours(3),
            reported_by: ReportedBy::Client,
            complainant: Some(Complainant {
                name: " J. de Vries ".into(),
                email: Some("j.devries@example.nl".into()),
                phone: Some("".into()),
                address: None,
            }),
            client: Some(Client { id: "REL-1".into(), name: "De Vries B.V.".into() }),
            matter_reference: Some("Z-2026-114".into()),
            description: "  Factuur te hoog  ".into(),
            root_cause: Some("   ".into()),
            anonymize_in_meeting: false,
        }
    }

    fn fields(err: ValidationErrors) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    use crate::domain::moment::DEFAULT_CLOCK_SKEW;

    #[test]
    fn a_complete_complaint_is_normalised() {
        let checked = complaint().check(now(), DEFAULT_CLOCK_SKEW).unwrap();
        let d = checked.get();
        assert_eq!(d.description, "Factuur te hoog");
        assert_eq!(d.complainant.as_ref().unwrap().name, "J. de Vries");
        assert_eq!(d.complainant.as_ref().unwrap().phone, None);
        assert_eq!(d.root_cause, None);
    }

    #[test]
    fn a_complaint_names_client_matter_and_complainant() {
        let d = Details { client: None, matter_reference: None, complainant: None, ..complaint() };
        assert_eq!(
            fields(d.check(now(), DEFAULT_CLOCK_SKEW).unwrap_err()),
            ["client", "matter_reference", "complainant"]
        );
    }

    #[test]
    fn a_complaint_does_not_come_from_an_employee() {
        let d = Details { reported_by: ReportedBy::Employee, ..complaint() };
        assert_eq!(fields(d.check(now(), DEFAULT_CLOCK_SKEW).unwrap_err()), ["reported_by"]);
        let error = Details {
            kind: ComplaintKind::Error,
            reported_by: ReportedBy::Employee,
            complainant: None,
            client: None,
            matter_reference: None,
            ..complaint()
        };
        assert!(error.check(now(), DEFAULT_CLOCK_SKEW).is_ok());
    }

    #[test]
    fn nothing_is_received_in_the_future_and_fields_are_checked() {
        let d = Details {
            received_at: now() + Duration::hours(1),
            description: "".into(),
            complainant: Some(Complainant {
                name: "x".into(),
                email: Some("nope".into()),
                phone: None,
                address: None,
            }),
            client: Some(Client { id: "a b".into(), name: "y".into() }),
            ..complaint()
        };
        assert_eq!(
            fields(d.check(now(), DEFAULT_CLOCK_SKEW).unwrap_err()),
            ["description", "complainant.email", "client.id", "received_at"]
        );
        let skewed = Details { received_at: now() + Duration::seconds(30), ..complaint() };
        assert!(skewed.check(now(), DEFAULT_CLOCK_SKEW).is_ok());
        let ancient =
            Details { received_at: earliest_receipt() - Duration::seconds(1), ..complaint() };
        assert_eq!(fields(ancient.check(now(), DEFAULT_CLOCK_SKEW).unwrap_err()), ["received_at"]);
    }

    #[test]
    fn a_complaint_about_the_coordinator_goes_to_the_deputy() {
        assert_eq!(assigned_coordinator(Some(5), Some(6), 1), Some(5));
        assert_eq!(assigned_coordinator(Some(5), Some(6), 5), Some(6));
        assert_eq!(assigned_coordinator(Some(5), None, 5), None);
        assert_eq!(assigned_coordinator(Some(5), Some(5), 5), None);
        assert_eq!(assigned_coordinator(None, Some(6), 1), None);
    }

    #[test]
    fn assignment_follows_subject_and_keeps_communicated_deadlines() {
        let settings = ProcedureSettings {
            response_term_days: 7,
            coordinator_id: Some(5),
            deputy_coordinator_id: Some(6),
        };
        let before = complaint();
        let first = assign(&settings, &before, 1, 1);
        assert_eq!(first.coordinator_id, Some(5));
        assert_eq!(first.response_due_at, Some(before.received_at + Duration::days(7)));

        let longer_term = ProcedureSettings { response_term_days: 14, ..settings };
        let edited = Details { description: "anders".into(), ..before.clone() };
        let kept = reassign(&longer_term, (&before, first), &edited, 2, 5);
        assert_eq!(kept.response_due_at, first.response_due_at);
        assert_eq!((kept.handler_id, kept.subject_id, kept.coordinator_id), (2, 5, Some(6)));

        let received_earlier =
            Details { received_at: before.received_at - Duration::days(1), ..before.clone() };
        let moved = reassign(&longer_term, (&before, first), &received_earlier, 1, 1);
        assert_eq!(moved.response_due_at, Some(received_earlier.received_at + Duration::days(14)));
        assert_eq!(moved.coordinator_id, Some(5));
    }

    #[test]
    fn the_registering_dienstverlener_handles_unless_another_is_named() {
        use super::super::roles::{Role, Roles};
        let id = |v: &str| ExternalId::parse("handler_id", v).unwrap();
        let dienstverlener =
            Actor { staff_id: 1, roles: Roles::default().with(Role::Dienstverlener) };
        let coordinator =
            Actor { staff_id: 2, roles: Roles::default().with(Role::Klachtencoordinator) };
        assert_eq!(handler(None, &dienstverlener, &id("dana")), Ok(id("dana")));
        assert_eq!(handler(Some(id("eva")), &dienstverlener, &id("dana")), Ok(id("eva")));
        assert_eq!(handler(Some(id("eva")), &coordinator, &id("kees")), Ok(id("eva")));
        assert_eq!(handler(None, &coordinator, &id("kees")).unwrap_err().field, "handler_id");
        assert_eq!(subject(None, &id("eva")), id("eva"));
        assert_eq!(subject(Some(id("kees")), &id("eva")), id("kees"));
    }

    #[test]
    fn vocabularies_parse_with_a_helpful_message() {
        assert_eq!(ComplaintStatus::parse("in_progress"), Ok(ComplaintStatus::InProgress));
        let err = ComplaintKind::parse("klacht").unwrap_err();
        assert_eq!(err, "'klacht' is not one of: complaint, error, improvement");
        assert!(!ComplaintStatus::Withdrawn.is_open() && ComplaintStatus::Decided.is_open());
    }
}
