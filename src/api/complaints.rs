//! `/complaints`: register, read, list and edit the registration form.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::classification::Classification;
use super::extract::{ApiJson, ApiQuery, IdempotencyKey, IfMatch};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable};
use super::pagination::{self, Page};
use super::state::AppState;
use super::{changes, versioned};
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::domain::access::{self, ComplaintAct, Standing};
use crate::domain::classification::{Category, Channel};
use crate::domain::complaint::{
    self, Client, Complainant, ComplaintKind, ComplaintStatus, Details, ReportedBy,
};
use crate::domain::deadlines::is_overdue;
use crate::domain::events::EventType;
use crate::domain::lifecycle::{self, ConfirmationChannel, Resolution, Signature};
use crate::domain::notifications;
use crate::domain::reference;
use crate::domain::validation::{ExternalId, FieldError, Text, ValidationErrors, check_days};
use crate::error::ApiError;
use crate::store::complaints::{self as complaints_store, ComplaintRow, ListFilter, NewComplaint};
use crate::store::events::{self, NewEvent};
use crate::store::read_log::Read;
use crate::store::staff::{self, Person};
use crate::store::{from_db, organisations};
use crate::telemetry::record_complaint;

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];

/// A staff member as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StaffRef {
    /// The identity provider's id for this person (the token's `sub`).
    #[schema(example = "auth0|dana")]
    pub id: String,
    /// The name their token last gave; `null` until they have signed in once.
    #[schema(example = "Dana de Wit")]
    pub name: Option<String>,
}

impl StaffRef {
    pub fn of(people: &HashMap<i64, Person>, id: i64) -> StaffRef {
        people.get(&id).map_or_else(
            || StaffRef { id: format!("staff-{id}"), name: None },
            |p| StaffRef { id: p.subject.clone(), name: p.name.clone() },
        )
    }
}

/// The complaint registration form (klachtenregistratieformulier).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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
    pub root_cause: Option<String>,
    /// Bring this complaint to the office meeting without names.
    pub anonymize_in_meeting: bool,
    pub closed_at: Option<DateTime<Utc>>,
    /// Increases with every change; the `ETag` is this number quoted.
    #[schema(example = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DecisionView {
    #[schema(example = "Declaratie gecorrigeerd; creditnota van EUR 340 verstuurd.")]
    pub summary: String,
    pub resolution: Resolution,
    pub decided_at: DateTime<Utc>,
    pub decided_by: StaffRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConfirmationView {
    pub sent_at: DateTime<Utc>,
    pub channel: ConfirmationChannel,
    /// The letter or e-mail in the dossier, when it was added there.
    pub document_id: Option<i64>,
    pub recorded_by: StaffRef,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SignatureView {
    pub signed_by: StaffRef,
    pub signed_at: DateTime<Utc>,
}

/// The registration form's two signatures: the dienstverlener's and the coordinator's,
/// always two different people.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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
        classification: Classification::of(&row, people),
        escalated_at: procedure.escalated_at,
        decision: procedure.decision.map(|d| DecisionView {
            summary: d.summary,
            resolution: d.resolution,
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
        version: row.version,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
    }
}

/// Views of complaints, with the people they name looked up in one query.
pub fn views(
    conn: &mut AnyConnection,
    rows: Vec<ComplaintRow>,
    now: DateTime<Utc>,
) -> Result<Vec<ComplaintView>, ApiError> {
    let mut ids: Vec<i64> = rows.iter().flat_map(ComplaintRow::people).collect();
    ids.sort_unstable();
    ids.dedup();
    let people = staff::people(conn, &ids)?;
    Ok(rows.into_iter().map(|row| view(row, &people, now)).collect())
}

pub fn view_one(
    conn: &mut AnyConnection,
    row: ComplaintRow,
    now: DateTime<Utc>,
) -> Result<ComplaintView, ApiError> {
    views(conn, vec![row], now)?.pop().ok_or_else(ApiError::internal)
}

/// Finds a complaint the caller may act on this way, locked for the change: 404 if they may
/// not see it, 403 if they see it but may not do this.
pub fn authorised_for_update(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: i64,
    act: ComplaintAct,
) -> Result<(ComplaintRow, Standing), ApiError> {
    let row =
        complaints_store::find(conn, principal.organisation_id, id, crate::store::Lock::ForUpdate)?
            .ok_or_else(|| ApiError::not_found("complaint"))?;
    let standing = access::authorise(&principal.actor(), &row.parties(), act)?;
    Ok((row, standing))
}

/// Finds a complaint the caller may read: 404 otherwise.
pub fn readable(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: i64,
) -> Result<ComplaintRow, ApiError> {
    let row =
        complaints_store::find(conn, principal.organisation_id, id, crate::store::Lock::None)?
            .ok_or_else(|| ApiError::not_found("complaint"))?;
    access::authorise(&principal.actor(), &row.parties(), ComplaintAct::Read)?;
    Ok(row)
}

fn parse_staff_id(field: &str, value: Option<&str>) -> Result<Option<ExternalId>, FieldError> {
    value.map(|v| ExternalId::parse(field, v.trim())).transpose()
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
    #[serde(default)]
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

    /// The handler and subject ids, with their defaults applied.
    fn people(&self, principal: &Principal) -> Result<(ExternalId, ExternalId), FieldError> {
        let named = parse_staff_id("handler_id", self.handler_id.as_deref())?;
        let me = ExternalId::parse("handler_id", &principal.subject)?;
        let handler = complaint::handler(named, &principal.actor(), &me)?;
        let subject = parse_staff_id("subject_id", self.subject_id.as_deref())?;
        Ok((handler.clone(), complaint::subject(subject, &handler)))
    }
}

#[utoipa::path(
    post,
    operation_id = "register_complaint",
    path = "/complaints",
    tag = "complaints",
    summary = "Register a complaint, error or improvement opportunity",
    description = "Records the registration form. The reference is assigned per organisation \
        and year; the response term starts at `received_at`; the coordinator in charge is the \
        organisation's klachtencoördinator, or the deputy when the complaint is about the \
        coordinator. A retry with the same `Idempotency-Key` returns the first answer.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first answer")),
    request_body = RegisterComplaint,
    responses(
        (status = 201, description = "Registered", body = ComplaintView,
            headers(("ETag" = String, description = "The version, quoted"), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints")]
pub async fn register(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    body: ApiJson<RegisterComplaint>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let request = body.0;
    let fingerprint = fingerprint("POST /complaints", &request);
    let mut errors = ValidationErrors::default();
    let people = errors.check(request.people(&principal));
    let details = match request.details(now).check(now) {
        Ok(details) => Some(details),
        Err(more) => {
            errors.0.extend(more.0);
            None
        }
    };
    errors.into_result()?;
    let (Some((handler, subject)), Some(details)) = (people, details) else {
        return Err(ApiError::internal());
    };

    let created = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let org = organisations::get(conn, principal.organisation_id)?;
                let [handler_id, subject_id] =
                    staff::ensure_all(conn, org.id, [handler.as_str(), subject.as_str()], now)?;
                let assignment =
                    complaint::assign(&org.procedure(), details.get(), handler_id, subject_id);
                // What needs no reference number is read before the counter is taken: from
                // there on the organisation's registrations take turns until this commits.
                let told = notifications::of_registration(&assignment, principal.staff_id);
                let named = [handler_id, subject_id, principal.staff_id];
                let ids: Vec<i64> = named
                    .into_iter()
                    .chain(assignment.coordinator_id)
                    .chain(told.iter().map(|(id, _)| *id))
                    .collect();
                let people = staff::people(conn, &ids)?;
                let recipients = staff::recipients_among(&people, told);
                let number = complaints_store::next_reference_number(
                    conn,
                    org.id,
                    reference::counter_year(now),
                )?;
                let row = complaints_store::insert(
                    conn,
                    NewComplaint {
                        organisation_id: org.id,
                        reference: reference::format(reference::counter_year(now), number),
                        details: &details,
                        assignment,
                        registered_by_id: principal.staff_id,
                        now,
                    },
                )?;
                record_complaint(row.id);
                let complaint_id = row.id;
                let view = view(row, &people, now);
                events::append(
                    conn,
                    NewEvent {
                        organisation_id: org.id,
                        complaint_id: Some(complaint_id),
                        event_type: EventType::ComplaintRegistered,
                        actor_id: Some(principal.staff_id),
                        occurred_at: now,
                        data: json!({
                            "reference": view.reference,
                            "kind": view.kind,
                            "handler": view.handler.id,
                            "subject": view.subject.id,
                            "coordinator": view.coordinator.as_ref().map(|c| &c.id),
                            "recipients": recipients,
                        }),
                    },
                )?;
                Answer::created(&view, format!("/api/v1/complaints/{complaint_id}"))
            })
        })
        .await?;
    Ok(created.into_response())
}

#[utoipa::path(
    get,
    operation_id = "get_complaint",
    path = "/complaints/{id}",
    tag = "complaints",
    summary = "Read a complaint",
    description = "A dienstverlener sees complaints they handle, are the subject of, or \
        registered; a klachtencoördinator sees all of the organisation's.",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses(
        (status = 200, description = "The complaint", body = ComplaintView,
            headers(("ETag" = String, description = "The version, quoted"))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let now = state.clock.now();
    let (organisation_id, staff_id) = (principal.organisation_id, principal.staff_id);
    let view = state
        .db
        .read(move |conn| {
            let row = readable(conn, &principal, id)?;
            view_one(conn, row, now)
        })
        .await?;
    let read =
        Read { organisation_id, complaint_id: id, document_id: None, staff_id, read_at: now };
    state.read_log.record(read).await;
    Ok(versioned(&view, view.version))
}

/// Filters of the complaint list; all are optional and combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    /// Only complaints in this status.
    pub status: Option<ComplaintStatus>,
    /// Only complaints, errors or improvement opportunities.
    pub kind: Option<ComplaintKind>,
    /// The handler's identity-provider id.
    #[param(example = "auth0|dana")]
    pub handler: Option<String>,
    /// Classified in this category (I–IV).
    pub category: Option<Category>,
    /// Lodged through this channel (A oral, B written).
    pub channel: Option<Channel>,
    /// Text to find in the reference, description, client, complainant or matter.
    #[param(example = "declaratie", max_length = 200)]
    pub q: Option<String>,
    /// Received on or after this date (UTC).
    #[param(example = "2026-01-01")]
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date (UTC).
    #[param(example = "2026-12-31")]
    pub received_to: Option<NaiveDate>,
    /// Only complaints that are (`true`) or are not (`false`) overdue now.
    pub overdue: Option<bool>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[utoipa::path(
    get,
    operation_id = "list_complaints",
    path = "/complaints",
    tag = "complaints",
    summary = "List complaints",
    description = "Newest registration first, in the caller's scope (see `GET \
        /complaints/{id}`). Pages are cut by keyset: follow `next_cursor`.",
    params(ComplaintQuery),
    responses(
        (status = 200, description = "A page of complaints", body = Page<ComplaintView>),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<ComplaintQuery>,
) -> Result<web::Json<Page<ComplaintView>>, ApiError> {
    let query = query.0;
    let now = state.clock.now();
    let limit = pagination::limit(query.limit)?;
    let before_id = pagination::parse_cursor(query.cursor.as_deref())?;
    check_days(("received_from", query.received_from), ("received_to", query.received_to))
        .map_err(|e| ApiError::invalid_parameter(&e.field, e.message))?;
    let handler = parse_staff_id("handler", query.handler.as_deref())
        .map_err(|e| ApiError::invalid_parameter("handler", e.message))?;
    // Checked as any text is: PostgreSQL refuses a NUL byte outright.
    let text = Text::parse_optional("q", query.q.as_deref(), 200)
        .map_err(|e| ApiError::invalid_parameter("q", e.message))?
        .map(Text::into_string);
    let page = state
        .db
        .read(move |conn| {
            let handler_id = match handler {
                Some(subject) => {
                    match staff::find_by_subject(conn, principal.organisation_id, subject.as_str())?
                    {
                        Some(member) => Some(member.id),
                        None => {
                            return Ok::<_, ApiError>(Page {
                                items: Vec::new(),
                                next_cursor: None,
                            });
                        }
                    }
                }
                None => None,
            };
            let filter = ListFilter {
                status: query.status,
                kind: query.kind,
                handler_id,
                category: query.category,
                channel: query.channel,
                text,
                received_from: query.received_from,
                received_to: query.received_to,
                overdue: query.overdue.map(|wanted| (wanted, now)),
                before_id,
                limit: limit + 1,
            };
            let scope = access::complaint_scope(&principal.actor());
            let rows = complaints_store::list(conn, principal.organisation_id, scope, &filter)?;
            let ids_page = pagination::page(rows, limit, |r| r.id, |r| r);
            Ok(Page { items: views(conn, ids_page.items, now)?, next_cursor: ids_page.next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}

/// Changes to the registration details. Absent fields stay as they are; `null` clears an
/// optional field. `complainant` and `client` are replaced as a whole.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "De cliënt betwist de declaratie van oktober.", "root_cause": "Uren dubbel geboekt"}))]
pub struct ComplaintPatch {
    pub kind: Option<ComplaintKind>,
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

    fn apply(self, current: Details) -> Details {
        Details {
            kind: self.kind.unwrap_or(current.kind),
            received_at: self.received_at.unwrap_or(current.received_at),
            reported_by: self.reported_by.unwrap_or(current.reported_by),
            complainant: self.complainant.unwrap_or(current.complainant),
            client: self.client.unwrap_or(current.client),
            matter_reference: self.matter_reference.unwrap_or(current.matter_reference),
            description: self.description.unwrap_or(current.description),
            root_cause: self.root_cause.unwrap_or(current.root_cause),
            anonymize_in_meeting: self.anonymize_in_meeting.unwrap_or(current.anonymize_in_meeting),
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

#[utoipa::path(
    patch,
    operation_id = "update_complaint",
    path = "/complaints/{id}",
    tag = "complaints",
    summary = "Edit a complaint's registration details",
    description = "JSON merge patch of the registration details (`application/json` or \
        `application/merge-patch+json`). The handler or a klachtencoördinator may edit; \
        only a klachtencoördinator who is not the subject may change `handler_id` or \
        `subject_id`, and not once the registration form is signed (`complaint_signed`: a \
        revised decision clears the signatures). Send `If-Match` with the ETag you read to \
        be sure no one else's change is overwritten. A closed or withdrawn complaint cannot \
        be edited.",
    params(
        ("id" = i64, Path, description = "The complaint's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag this edit is based on"),
    ),
    request_body(content(
        (ComplaintPatch = "application/json"),
        (ComplaintPatch = "application/merge-patch+json"),
    )),
    responses(
        (status = 200, description = "The edited complaint", body = ComplaintView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[patch("/complaints/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<ComplaintPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let now = state.clock.now();
    let patch = body.0;
    let handler = parse_staff_id("handler_id", patch.handler_id.as_deref());
    let subject = parse_staff_id("subject_id", patch.subject_id.as_deref());
    let view = state
        .db
        .write(move |conn| {
            let (row, _) = authorised_for_update(conn, &principal, id, ComplaintAct::Handle)?;
            if_match.check(row.version)?;
            lifecycle::ensure_editable(row.status())?;

            let reassigns = patch.reassigns();
            let mut errors = ValidationErrors::default();
            let handler = errors.check(handler);
            let subject = errors.check(subject);
            let before_details = row.details();
            let details = match patch.apply(before_details.clone()).check(now) {
                Ok(d) => Some(d),
                Err(more) => {
                    errors.0.extend(more.0);
                    None
                }
            };
            errors.into_result()?;
            let (Some(handler), Some(subject), Some(details)) = (handler, subject, details) else {
                return Err(ApiError::internal());
            };
            if reassigns || complaint::term_basis_changed(&before_details, details.get()) {
                access::authorise(&principal.actor(), &row.parties(), ComplaintAct::Reassign)?;
            }
            let org = organisations::get(conn, principal.organisation_id)?;
            let handler_id = match handler {
                Some(h) => staff::ensure(conn, org.id, h.as_str(), now)?,
                None => row.handler_id,
            };
            let subject_id = match subject {
                Some(s) => staff::ensure(conn, org.id, s.as_str(), now)?,
                None => row.subject_id,
            };
            let assignment = complaint::reassign(
                &org.procedure(),
                (&before_details, row.assignment()),
                details.get(),
                handler_id,
                subject_id,
            );
            if details.get() == &before_details && assignment == row.assignment() {
                return view_one(conn, row, now);
            }
            if !assignment.names_the_same_people(&row.assignment()) {
                row.procedure().ensure_reassignable()?;
            }
            let before = view_one(conn, row.clone(), now)?;
            let saved = complaints_store::save_details(
                conn,
                id,
                row.version,
                &details,
                assignment,
                now,
            )?
            .ok_or_else(|| ApiError::precondition_failed("the complaint changed meanwhile"))?;
            let after = view_one(conn, saved, now)?;
            events::append(
                conn,
                NewEvent {
                    organisation_id: org.id,
                    complaint_id: Some(id),
                    event_type: EventType::ComplaintUpdated,
                    actor_id: Some(principal.staff_id),
                    occurred_at: now,
                    data: changes(&before, &after, &EDITABLE),
                },
            )?;
            Ok(after)
        })
        .await?;
    Ok(versioned(&view, view.version))
}
