//! Complaints: register, read, list and edit the registration form.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::{Stream, stream};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::classification::Classification;
use super::command::{self, CommandKind, Done, Nothing};
use super::page::{Page, PageRequest};
use super::people::{self, StaffRef};
use super::reads;
use super::targets::{OnComplaint, readable_complaint_with_people};
use super::{Caller, Context, Event, OperationError, changes};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::classification::{Category, Channel};
use crate::domain::complaint::{
    self, CheckedDetails, Client, Complainant, ComplaintKind, ComplaintStatus, Details, ReportedBy,
};
use crate::domain::deadlines::is_overdue;
use crate::domain::events::EventType;
use crate::domain::lifecycle::{self, ConfirmationChannel, Judgement, Resolution, Signature};
use crate::domain::moment;
use crate::domain::notifications;
use crate::domain::overview::TermOutcome;
use crate::domain::reference;
use crate::domain::validation::{AllValid, ExternalId, FieldError, Text};
use crate::store::complaints::{self as store, ComplaintRow, ListFilter, NewComplaint};
use crate::store::staff::{self, Person};
use crate::store::{from_db, organisations};
use crate::workers::read_log::ReadLog;

/// The complaint registration form (klachtenregistratieformulier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintView {
    #[schema(example = 17)]
    pub id: i64,
    /// The id people quote, per organisation and year.
    #[schema(example = "KL-2026-0007")]
    pub reference: String,
    pub kind: ComplaintKind,
    pub status: ComplaintStatus,
    #[schema(example = "2026-11-20T09:30:00Z")]
    pub received_at: DateTime<Utc>,
    pub reported_by: ReportedBy,
    pub complainant: Option<Complainant>,
    pub client: Option<Client>,
    #[schema(example = "Z-2026-114")]
    pub matter_reference: Option<String>,
    #[schema(example = "De cliënt vindt de declaratie van oktober te hoog.")]
    pub description: String,
    /// The dienstverlener who handles the complaint directly.
    pub handler: StaffRef,
    /// The person the complaint is about; by default the handler.
    pub subject: StaffRef,
    /// The coordinator in charge: the organisation's klachtencoördinator, or the deputy when
    /// the complaint is about the coordinator.
    pub coordinator: Option<StaffRef>,
    pub registered_by: StaffRef,
    /// Channel (A/B) and categories (I–IV), set by the coordinator; `null` until then.
    pub classification: Option<Classification>,
    /// `received_at` plus the organisation's response term; `null` for internal reports.
    #[schema(example = "2026-11-27T09:30:00Z")]
    pub response_due_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    /// When the client was told we would come back to them.
    pub follow_up_due_at: Option<DateTime<Utc>>,
    /// No reaction within the term, or a promised follow-up date has passed.
    pub overdue: bool,
    pub escalated_at: Option<DateTime<Utc>>,
    /// The solution or decision communicated to the client.
    pub decision: Option<DecisionView>,
    /// When the solution was confirmed to the client in writing.
    pub written_confirmation_at: Option<DateTime<Utc>>,
    pub written_confirmation: Option<ConfirmationView>,
    /// The two signatures on the registration form.
    pub signatures: Signatures,
    /// The client's satisfaction with the decision, once recorded.
    pub satisfaction: Option<SatisfactionView>,
    pub root_cause: Option<String>,
    /// Bring this complaint to the office meeting without names.
    pub anonymize_in_meeting: bool,
    pub closed_at: Option<DateTime<Utc>>,
    /// When its personal data was erased (`POST /complaints/{id}/erasure`, or the retention
    /// sweep): its texts then read `[gewist]`, its contact details are gone.
    pub erased_at: Option<DateTime<Utc>>,
    /// Brought in from an existing register (`POST /imports`), with the dates, status and
    /// reference it had there; its procedure did not run here.
    pub imported: bool,
    /// Increases with every change; the `ETag` is this number quoted.
    #[schema(example = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionView {
    #[schema(example = "Declaratie gecorrigeerd; creditnota van EUR 340 verstuurd.")]
    pub summary: String,
    pub resolution: Resolution,
    /// Whether the complaint was well-founded; absent on what an employee raised when the
    /// decider gave none, and on decisions recorded before it was asked.
    pub judgement: Option<Judgement>,
    pub decided_at: DateTime<Utc>,
    pub decided_by: StaffRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfirmationView {
    pub sent_at: DateTime<Utc>,
    pub channel: ConfirmationChannel,
    /// The letter or e-mail in the dossier, when it was added there.
    pub document_id: Option<i64>,
    pub recorded_by: StaffRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SignatureView {
    pub signed_by: StaffRef,
    pub signed_at: DateTime<Utc>,
}

/// The client's satisfaction with the decision, as they gave it at closure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SatisfactionView {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[schema(example = 4)]
    pub score: i32,
    #[schema(example = "Snel opgelost.")]
    pub remark: Option<String>,
    pub recorded_by: StaffRef,
    pub recorded_at: DateTime<Utc>,
}

/// The registration form's two signatures: the dienstverlener's and the coordinator's,
/// always two different people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signatures {
    pub dienstverlener: Option<SignatureView>,
    pub coordinator: Option<SignatureView>,
}

fn view(row: ComplaintRow, people: &HashMap<i64, Person>, now: DateTime<Utc>) -> ComplaintView {
    let procedure = row.procedure();
    let signature = |s: Option<Signature>| {
        s.map(|s| SignatureView {
            signed_by: StaffRef::of(people, s.signed_by),
            signed_at: s.signed_at,
        })
    };
    ComplaintView {
        overdue: is_overdue(&row.clockwork(), now),
        classification: Some(Classification::of(&row, people)).filter(Classification::is_set),
        escalated_at: procedure.escalated_at,
        decision: procedure.decision.map(|d| DecisionView {
            summary: d.summary,
            resolution: d.resolution,
            judgement: d.judgement,
            decided_at: d.decided_at,
            decided_by: StaffRef::of(people, d.decided_by),
        }),
        written_confirmation_at: procedure.confirmation.as_ref().map(|c| c.sent_at),
        written_confirmation: procedure.confirmation.map(|c| ConfirmationView {
            sent_at: c.sent_at,
            channel: c.channel,
            document_id: c.document_id,
            recorded_by: StaffRef::of(people, c.recorded_by),
        }),
        signatures: Signatures {
            dienstverlener: signature(procedure.dienstverlener_signature),
            coordinator: signature(procedure.coordinator_signature),
        },
        satisfaction: procedure.satisfaction.map(|s| SatisfactionView {
            score: s.score,
            remark: s.remark,
            recorded_by: StaffRef::of(people, s.recorded_by),
            recorded_at: s.recorded_at,
        }),
        kind: row.kind(),
        status: row.status(),
        reported_by: row.reported_by(),
        complainant: row.complainant(),
        client: row.client(),
        handler: StaffRef::of(people, row.handler_id),
        subject: StaffRef::of(people, row.subject_id),
        coordinator: row.coordinator_id.map(|id| StaffRef::of(people, id)),
        registered_by: StaffRef::of(people, row.registered_by_id),
        id: row.id,
        reference: row.reference,
        received_at: from_db(row.received_at),
        matter_reference: row.matter_reference,
        description: row.description,
        response_due_at: row.response_due_at.map(from_db),
        first_response_at: row.first_response_at.map(from_db),
        follow_up_due_at: row.follow_up_due_at.map(from_db),
        root_cause: row.root_cause,
        anonymize_in_meeting: row.anonymize_in_meeting,
        closed_at: row.closed_at.map(from_db),
        erased_at: row.erased_at.map(from_db),
        imported: row.imported,
        version: row.version,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
    }
}

/// Views of complaints, with the people they name looked up in one query.
fn views(
    conn: &mut AnyConnection,
    rows: Vec<ComplaintRow>,
    now: DateTime<Utc>,
) -> Result<Vec<ComplaintView>, OperationError> {
    let mut ids: Vec<i64> = rows.iter().flat_map(ComplaintRow::people).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = staff::people(conn, &ids)?;
    Ok(rows.into_iter().map(|row| view(row, &people, now)).collect())
}

/// The view of one complaint.
pub fn view_one(
    conn: &mut AnyConnection,
    row: ComplaintRow,
    now: DateTime<Utc>,
) -> Result<ComplaintView, OperationError> {
    let people = staff::people(conn, &row.people())?;
    Ok(view(row, &people, now))
}

/// A new complaint, error or improvement opportunity.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "complaint",
    "received_at": "2026-11-20T09:30:00Z",
    "reported_by": "client",
    "complainant": {"name": "J. de Vries", "email": "j.devries@example.nl", "phone": "+31 20 123 4567"},
    "client": {"id": "REL-10442", "name": "De Vries Holding B.V."},
    "matter_reference": "Z-2026-114",
    "description": "De cliënt vindt de declaratie van oktober te hoog.",
    "anonymize_in_meeting": false
}))]
pub struct RegisterComplaint {
    pub kind: ComplaintKind,
    /// When the firm received it; defaults to now. Not in the future.
    #[serde(default, deserialize_with = "moment::optional")]
    pub received_at: Option<DateTime<Utc>>,
    pub reported_by: ReportedBy,
    /// Required when the report comes from outside the firm.
    #[serde(default)]
    pub complainant: Option<Complainant>,
    /// Required for a complaint.
    #[serde(default)]
    pub client: Option<Client>,
    /// The matter (zaak) in the practice-management system. Required for a complaint.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub matter_reference: Option<String>,
    #[schema(max_length = 10000)]
    pub description: String,
    /// The dienstverlener who handles it (their identity-provider id). Defaults to the
    /// caller, who must then be a dienstverlener.
    #[serde(default)]
    #[schema(example = "auth0|dana")]
    pub handler_id: Option<String>,
    /// The person it is about; defaults to the handler.
    #[serde(default)]
    pub subject_id: Option<String>,
    #[serde(default)]
    pub anonymize_in_meeting: bool,
}

/// A staff id named in a request, if any.
fn staff_id(field: &str, value: Option<&str>) -> Result<Option<ExternalId>, FieldError> {
    value.map(|v| ExternalId::parse(field, v.trim())).transpose()
}

impl RegisterComplaint {
    fn details(&self, now: DateTime<Utc>) -> Details {
        Details {
            kind: self.kind,
            received_at: self.received_at.unwrap_or(now),
            reported_by: self.reported_by,
            complainant: self.complainant.clone(),
            client: self.client.clone(),
            matter_reference: self.matter_reference.clone(),
            description: self.description.clone(),
            root_cause: None,
            anonymize_in_meeting: self.anonymize_in_meeting,
        }
    }
}

/// Registers a complaint: as `POST /complaints` does, and as an import will. The reference
/// is the organisation's next of the year; the coordinator in charge, the response term and
/// who is told follow from the organisation's settings.
pub async fn register(
    db: &Db,
    ctx: Context,
    input: RegisterComplaint,
) -> Result<ComplaintView, OperationError> {
    let registration = Registration::check(&ctx, input)?;
    db.write(move |conn| registration.record(conn, &ctx)).await
}

/// A registration whose form has been checked, to be recorded in the caller's write
/// transaction.
pub struct Registration {
    input: RegisterComplaint,
    handler: ExternalId,
    subject: ExternalId,
    details: CheckedDetails,
}

impl Registration {
    /// Checks the form and who it names, before any connection is taken.
    pub fn check(ctx: &Context, input: RegisterComplaint) -> Result<Registration, OperationError> {
        let registrant = ctx.caller.person()?;
        let registrant_id = ExternalId::parse("handler_id", &registrant.subject);
        let handler = (staff_id("handler_id", input.handler_id.as_deref()), registrant_id)
            .all_valid()
            .and_then(|(named, me)| Ok(complaint::handler(named, &registrant.actor(), &me)?));
        let (handler, subject, details) = (
            handler,
            staff_id("subject_id", input.subject_id.as_deref()),
            input.details(ctx.now).check(ctx.now, ctx.skew),
        )
            .all_valid()?;
        let subject = complaint::subject(subject, &handler);
        Ok(Registration { input, handler, subject, details })
    }

    /// Records it, in the caller's write transaction. The statements, each needed once:
    /// the idempotency key's claim; the organisation (its coordinators and term); the
    /// people the form names and is told about, in one query (recorded first only when new);
    /// the reference counter; the complaint; its event (chain head, event, new head, outbox);
    /// the key's answer.
    pub fn record(
        self,
        conn: &mut AnyConnection,
        ctx: &Context,
    ) -> Result<ComplaintView, OperationError> {
        let Registration { input, handler, subject, details } = self;
        let registrant = ctx.caller.person()?.staff_id;
        let now = ctx.now;
        command::run(conn, ctx, (CommandKind::RegisterComplaint, Nothing), &input, |conn, ()| {
            let org = organisations::get(conn, ctx.organisation_id())?;
            let settings = org.procedure();
            let named = [handler.as_str(), subject.as_str()];
            let also = [Some(registrant), settings.coordinator_id, settings.deputy_coordinator_id];
            let mut people = staff::among(conn, org.id, named, also)?;
            let [handler_id, subject_id] = match named.map(|s| staff::id_of(&people, s)) {
                [Some(handler_id), Some(subject_id)] => [handler_id, subject_id],
                _ => {
                    // Someone not seen before: recorded now, and everyone read again, so
                    // that a name a concurrent sign-in just gave is shown.
                    let ids = staff::ensure_all(conn, org.id, named, now)?;
                    let all: Vec<i64> = ids.into_iter().chain(also.into_iter().flatten()).collect();
                    people = staff::people(conn, &all)?;
                    ids
                }
            };
            let assignment = complaint::assign(&settings, details.get(), handler_id, subject_id);
            // What needs no reference number is worked out before the counter is taken:
            // from there on the organisation's registrations take turns until this commits.
            let told = notifications::of_registration(&assignment, registrant);
            let recipients = staff::recipients_among(&people, told);
            let year = reference::counter_year(now);
            let number = store::next_reference_number(conn, org.id, year)?;
            let row = store::insert(
                conn,
                NewComplaint {
                    organisation_id: org.id,
                    reference: reference::format(year, number),
                    details: &details,
                    assignment,
                    registered_by_id: registrant,
                    now,
                },
            )?;
            let view = view(row, &people, now);
            let event = Event {
                complaint_id: Some(view.id),
                event_type: EventType::ComplaintRegistered,
                data: json!({
                    "reference": view.reference,
                    "kind": view.kind,
                    "handler": view.handler.id,
                    "subject": view.subject.id,
                    "coordinator": view.coordinator.as_ref().map(|c| &c.id),
                    "recipients": recipients,
                }),
            };
            Ok(Done::recorded(view, event))
        })
    }
}

/// Reads a complaint the caller may see, and records the read in the read log.
pub async fn read(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    id: i64,
) -> Result<ComplaintView, OperationError> {
    let (caller, now) = (ctx.caller.clone(), ctx.now);
    let view = db.read(move |conn| readable_view(conn, &caller, id, now)).await?;
    reads::record(read_log, &ctx, [id], None).await?;
    Ok(view)
}

/// The view of a complaint the caller may read: the row and the names it shows in one
/// round trip.
pub fn readable_view(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ComplaintView, OperationError> {
    let (row, people) = readable_complaint_with_people(conn, caller, id)?;
    Ok(view(row, &people, now))
}

/// The filters of the complaint list, checked; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<ComplaintStatus>,
    pub kind: Option<ComplaintKind>,
    /// The handler's identity-provider id.
    pub handler: Option<ExternalId>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub text: Option<Text>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub overdue: Option<bool>,
}

/// The complaints in the caller's scope, newest registration first; each one shown is
/// recorded as read.
pub async fn list(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    filter: Filter,
    page: PageRequest,
) -> Result<Page<ComplaintView>, OperationError> {
    let found = entries(db, read_log, &ctx, filter, page).await?;
    let items = found.items.into_iter().map(|e| e.complaint).collect();
    Ok(Page { items, next_cursor: found.next_cursor })
}

/// A complaint as a row of the register: its view, and how it fared against its response
/// term (by the overview's rule, which needs more than the view shows).
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    pub complaint: ComplaintView,
    pub term: TermOutcome,
}

/// How many complaints the export reads at a time: its memory is that of one such page.
const EXPORT_PAGE: i64 = 200;

/// The whole register in the caller's scope with the list's filters, page by page as the
/// list's keyset pages are cut (so memory stays that of one page, however long the
/// register); each page's complaints are recorded as read when it is fetched.
pub fn export(
    db: Db,
    read_log: ReadLog,
    ctx: Context,
    filter: Filter,
) -> impl Stream<Item = Result<Vec<RegisterEntry>, OperationError>> {
    let first = Some(PageRequest { limit: EXPORT_PAGE, after: None });
    stream::try_unfold(first, move |next| {
        let (db, read_log, ctx, filter) =
            (db.clone(), read_log.clone(), ctx.clone(), filter.clone());
        async move {
            let Some(page) = next else { return Ok(None) };
            let found = entries(&db, &read_log, &ctx, filter, page).await?;
            let after = found.next_cursor.and(found.items.last().map(|e| e.complaint.id));
            let next = after.map(|after| PageRequest { after: Some(after), ..page });
            Ok((!found.items.is_empty()).then_some((found.items, next)))
        }
    })
}

/// One page of the list, as register entries, recorded as read.
async fn entries(
    db: &Db,
    read_log: &ReadLog,
    ctx: &Context,
    filter: Filter,
    page: PageRequest,
) -> Result<Page<RegisterEntry>, OperationError> {
    let (caller, now) = (ctx.caller.clone(), ctx.now);
    let page = db
        .read::<_, OperationError, _>(move |conn| {
            let organisation_id = caller.organisation_id();
            let Some(handler_id) = people::filter(conn, organisation_id, filter.handler.as_ref())?
            else {
                return Ok(Page::whole(Vec::new()));
            };
            let query = ListFilter {
                status: filter.status,
                kind: filter.kind,
                handler_id,
                category: filter.category,
                channel: filter.channel,
                text: filter.text.map(Text::into_string),
                received_from: filter.received_from,
                received_to: filter.received_to,
                overdue: filter.overdue.map(|wanted| (wanted, now)),
                before_id: page.after,
                limit: page.fetch(),
            };
            let rows = store::list(conn, organisation_id, caller.scope(), &query)?;
            let rows = page.cut(rows, |r| r.id, |r| r);
            let terms: Vec<TermOutcome> = rows.items.iter().map(|r| r.term_outcome(now)).collect();
            let items = views(conn, rows.items, now)?
                .into_iter()
                .zip(terms)
                .map(|(complaint, term)| RegisterEntry { complaint, term })
                .collect();
            Ok(Page { items, next_cursor: rows.next_cursor })
        })
        .await?;
    reads::record(read_log, ctx, page.items.iter().map(|e| e.complaint.id), None).await?;
    Ok(page)
}

/// Changes to the registration details. Absent fields stay as they are; `null` clears an
/// optional field. `complainant` and `client` are replaced as a whole.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "De cliënt betwist de declaratie van oktober.", "root_cause": "Uren dubbel geboekt"}))]
pub struct ComplaintPatch {
    pub kind: Option<ComplaintKind>,
    #[serde(default, deserialize_with = "moment::optional")]
    pub received_at: Option<DateTime<Utc>>,
    pub reported_by: Option<ReportedBy>,
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<Complainant>)]
    pub complainant: Option<Option<Complainant>>,
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<Client>)]
    pub client: Option<Option<Client>>,
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub matter_reference: Option<Option<String>>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub root_cause: Option<Option<String>>,
    pub anonymize_in_meeting: Option<bool>,
    /// Reassign the handler (klachtencoördinator only).
    pub handler_id: Option<String>,
    /// Change whom the complaint is about (klachtencoördinator only).
    pub subject_id: Option<String>,
}

impl ComplaintPatch {
    fn reassigns(&self) -> bool {
        self.handler_id.is_some() || self.subject_id.is_some()
    }

    fn apply(&self, current: Details) -> Details {
        let patch = self.clone();
        Details {
            kind: patch.kind.unwrap_or(current.kind),
            received_at: patch.received_at.unwrap_or(current.received_at),
            reported_by: patch.reported_by.unwrap_or(current.reported_by),
            complainant: patch.complainant.unwrap_or(current.complainant),
            client: patch.client.unwrap_or(current.client),
            matter_reference: patch.matter_reference.unwrap_or(current.matter_reference),
            description: patch.description.unwrap_or(current.description),
            root_cause: patch.root_cause.unwrap_or(current.root_cause),
            anonymize_in_meeting: patch
                .anonymize_in_meeting
                .unwrap_or(current.anonymize_in_meeting),
        }
    }
}

/// The fields of a complaint's view whose changes an edit records.
const EDITABLE: [&str; 13] = [
    "kind",
    "received_at",
    "reported_by",
    "complainant",
    "client",
    "matter_reference",
    "description",
    "root_cause",
    "anonymize_in_meeting",
    "handler",
    "subject",
    "coordinator",
    "response_due_at",
];

/// Edits a complaint's registration details, and reassigns it when the patch names other
/// people (a coordinator's, and not once the form is signed).
pub async fn edit(
    db: &Db,
    ctx: Context,
    id: i64,
    patch: ComplaintPatch,
) -> Result<ComplaintView, OperationError> {
    db.write(move |conn| {
        let target = OnComplaint { id, act: ComplaintAct::Handle };
        command::run(conn, &ctx, (CommandKind::EditComplaint, target), &patch, |conn, found| {
            let row = found.row;
            lifecycle::ensure_editable(row.status())?;
            let before_details = row.details();
            let (handler, subject, details) = (
                staff_id("handler_id", patch.handler_id.as_deref()),
                staff_id("subject_id", patch.subject_id.as_deref()),
                patch.apply(before_details.clone()).check(ctx.now, ctx.skew),
            )
                .all_valid()?;
            if patch.reassigns() || complaint::term_basis_changed(&before_details, details.get()) {
                ctx.caller.authorise(&row.parties(), ComplaintAct::Reassign)?;
            }
            if details.get().anonymize_in_meeting != before_details.anonymize_in_meeting {
                ctx.caller.authorise(&row.parties(), ComplaintAct::WithdrawOrAnonymise)?;
            }
            let org = organisations::get(conn, ctx.organisation_id())?;
            let mut ensure = |named: Option<ExternalId>, current: i64| match named {
                Some(person) => staff::ensure(conn, org.id, person.as_str(), ctx.now),
                None => Ok(current),
            };
            let handler_id = ensure(handler, row.handler_id)?;
            let subject_id = ensure(subject, row.subject_id)?;
            let assignment = complaint::reassign(
                &org.procedure(),
                (&before_details, row.assignment()),
                details.get(),
                handler_id,
                subject_id,
            );
            if details.get() == &before_details && assignment == row.assignment() {
                return Ok(Done::unchanged(view_one(conn, row, ctx.now)?));
            }
            if !assignment.names_the_same_people(&row.assignment()) {
                row.procedure().ensure_reassignable()?;
            }
            let before = view_one(conn, row.clone(), ctx.now)?;
            let saved = store::save_details(conn, id, row.version, &details, assignment, ctx.now)?
                .ok_or_else(|| OperationError::changed_meanwhile("complaint"))?;
            let after = view_one(conn, saved, ctx.now)?;
            let event = Event {
                complaint_id: Some(id),
                event_type: EventType::ComplaintUpdated,
                data: changes(&before, &after, &EDITABLE),
            };
            Ok(Done::recorded(after, event))
        })
    })
    .await
}
