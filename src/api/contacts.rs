//! Contact moments with the client. The first one (or the decision, if that comes first) is
//! the reaction that stops the one-week clock; a client told the complaint is still being
//! handled is told when we come back.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::complaints::{StaffRef, readable};
use super::extract::{ApiJson, IdempotencyKey, IfMatch};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{
    Conflict, Forbidden, NotFound, PreconditionFailed, StepParams, Unprocessable,
};
use super::pagination::Page;
use super::procedure::{Taking, take_step};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::access::ComplaintAct;
use crate::domain::events::EventType;
use crate::domain::lifecycle::{self, ContactChannel, Step};
use crate::domain::validation::Text;
use crate::error::ApiError;
use crate::store::contacts::{self, ContactRow, NewContact};
use crate::store::from_db;
use crate::store::staff::{self, Person};
use crate::telemetry::record_complaint;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ContactView {
    #[schema(example = 3)]
    pub id: i64,
    pub at: DateTime<Utc>,
    pub channel: ContactChannel,
    #[schema(example = "Cliënt gebeld: klacht is in behandeling, uiterlijk vrijdag uitsluitsel.")]
    pub summary: String,
    /// The client was told the complaint is still being handled.
    pub still_handling: bool,
    /// When we said we would come back to the client.
    pub follow_up_due_at: Option<DateTime<Utc>>,
    pub recorded_by: StaffRef,
    pub created_at: DateTime<Utc>,
}

fn view(row: ContactRow, people: &std::collections::HashMap<i64, Person>) -> ContactView {
    ContactView {
        id: row.id,
        at: from_db(row.at),
        channel: ContactChannel::parse(&row.channel).unwrap_or(ContactChannel::Phone),
        summary: row.summary,
        still_handling: row.still_handling,
        follow_up_due_at: row.follow_up_due_at.map(from_db),
        recorded_by: StaffRef::of(people, row.recorded_by_id),
        created_at: from_db(row.created_at),
    }
}

const COMPLAINT_ID: &str = "The complaint's id";

#[utoipa::path(
    get,
    operation_id = "list_contacts",
    path = "/complaints/{id}/contacts",
    tag = "contacts",
    summary = "List a complaint's contacts with the client",
    description = "All contacts, in the order they took place (always one page).",
    params(("id" = i64, Path, description = COMPLAINT_ID)),
    responses(
        (status = 200, description = "The contacts", body = Page<ContactView>),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/complaints/{id}/contacts")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Page<ContactView>>, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let page = state
        .db
        .read(move |conn| {
            readable(conn, &principal, id)?;
            let rows = contacts::for_complaint(conn, id)?;
            let ids: Vec<i64> = rows.iter().map(|r| r.recorded_by_id).collect();
            let people = staff::people(conn, &ids)?;
            let items = rows.into_iter().map(|r| view(r, &people)).collect();
            Ok::<_, ApiError>(Page { items, next_cursor: None })
        })
        .await?;
    Ok(web::Json(page))
}

#[utoipa::path(
    get,
    operation_id = "get_contact",
    path = "/complaints/{id}/contacts/{contact}",
    tag = "contacts",
    summary = "Read one contact",
    params(("id" = i64, Path, description = COMPLAINT_ID), ("contact" = i64, Path, description = "The contact's id")),
    responses(
        (status = 200, description = "The contact", body = ContactView),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/complaints/{id}/contacts/{contact}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<web::Json<ContactView>, ApiError> {
    let (id, contact) = path.into_inner();
    record_complaint(id);
    let found = state
        .db
        .read(move |conn| {
            readable(conn, &principal, id)?;
            let row = contacts::for_complaint(conn, id)?
                .into_iter()
                .find(|c| c.id == contact)
                .ok_or_else(|| ApiError::not_found("contact"))?;
            let people = staff::people(conn, &[row.recorded_by_id])?;
            Ok::<_, ApiError>(view(row, &people))
        })
        .await?;
    Ok(web::Json(found))
}

/// A contact moment with the client.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "at": "2026-11-03T10:15:00Z",
    "channel": "phone",
    "summary": "Cliënt gebeld: klacht is in behandeling, uiterlijk vrijdag uitsluitsel.",
    "still_handling": true,
    "follow_up_due_at": "2026-11-06T17:00:00Z"
}))]
pub struct RecordContact {
    /// When the contact took place; defaults to now.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    pub channel: ContactChannel,
    #[schema(max_length = 5000)]
    pub summary: String,
    /// The client was told the complaint is still being handled; then `follow_up_due_at`
    /// is required.
    #[serde(default)]
    pub still_handling: bool,
    #[serde(default)]
    pub follow_up_due_at: Option<DateTime<Utc>>,
}

#[utoipa::path(
    post,
    operation_id = "record_contact",
    path = "/complaints/{id}/contacts",
    tag = "contacts",
    summary = "Record a contact with the client",
    description = "The first contact moves a registered complaint to `in_progress` and is the \
        reaction within the response term. The latest contact's `follow_up_due_at` is the \
        complaint's; a later contact without one clears it.",
    params(StepParams),
    request_body = RecordContact,
    responses(
        (status = 201, description = "Recorded", body = ContactView, headers(("Location" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[post("/complaints/{id}/contacts")]
pub async fn record(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    (if_match, key): (IfMatch, IdempotencyKey),
    body: ApiJson<RecordContact>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let now = state.clock.now();
    let body = body.0;
    let fingerprint = fingerprint(&format!("POST /complaints/{id}/contacts"), &body);
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let (_, contact) = take_step(
                    conn,
                    &principal,
                    id,
                    ComplaintAct::Handle,
                    &if_match,
                    now,
                    |conn, row, _| {
                        let summary = Text::parse("summary", &body.summary, lifecycle::SUMMARY_MAX);
                        let contact = lifecycle::check_contact(
                            body.at.unwrap_or(now),
                            body.still_handling,
                            body.follow_up_due_at,
                            row.procedure().received_at,
                            now,
                        );
                        let (summary, contact) = match (summary, contact) {
                            (Ok(s), Ok(c)) => (s, c),
                            (s, c) => {
                                let mut errors: Vec<_> = s.err().into_iter().collect();
                                errors.extend(c.err().map(|e| e.0).unwrap_or_default());
                                return Err(ApiError::validation(errors));
                            }
                        };
                        let saved = contacts::insert(
                            conn,
                            NewContact {
                                complaint_id: id,
                                contact,
                                channel: body.channel,
                                summary: summary.as_str(),
                                still_handling: body.still_handling,
                                recorded_by_id: principal.staff_id,
                                now,
                            },
                        )?;
                        let taking = Taking {
                            step: Step::Contact(contact),
                            event: EventType::ContactRecorded,
                            data: json!({
                                "contact": saved.id,
                                "at": contact.at,
                                "channel": body.channel,
                                "still_handling": body.still_handling,
                                "follow_up_due_at": contact.follow_up_due_at,
                            }),
                        };
                        Ok((taking, saved))
                    },
                )?;
                let people = staff::people(conn, &[contact.recorded_by_id])?;
                let location = format!("/api/v1/complaints/{id}/contacts/{}", contact.id);
                Answer::created(&view(contact, &people), location)
            })
        })
        .await?;
    Ok(answer.into_response())
}
