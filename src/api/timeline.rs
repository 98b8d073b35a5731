//! A complaint's timeline: every event, oldest first, with who and when.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::complaints::{StaffRef, readable};
use super::extract::ApiQuery;
use super::openapi::NotFound;
use super::pagination::{self, Page, PageQuery};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::events::EventType;
use crate::error::ApiError;
use crate::store::events::{self, EventRow};
use crate::store::from_db;
use crate::store::staff;
use crate::telemetry::record_complaint;

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEvent {
    #[schema(example = 41)]
    pub id: i64,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    /// Who did it; `null` for what the service did by itself.
    pub actor: Option<StaffRef>,
    /// What happened: the step's details, before/after values of an edit, and for the
    /// moments someone must be told of, `recipients`.
    #[schema(value_type = Object, example = json!({"reason": "Geen oplossing met de cliënt", "recipients": [{"id": "kees", "reason": "escalated"}]}))]
    pub data: Value,
}

#[utoipa::path(
    get,
    operation_id = "get_timeline",
    path = "/complaints/{id}/timeline",
    tag = "complaints",
    summary = "A complaint's timeline",
    description = "Every event of the complaint, oldest first: registration, edits, \
        classification, contacts, escalation, decision, confirmation, signatures, closure.",
    params(("id" = i64, Path, description = "The complaint's id"), PageQuery),
    responses(
        (status = 200, description = "The events", body = Page<TimelineEvent>),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/complaints/{id}/timeline")]
pub async fn timeline(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<TimelineEvent>>, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let (limit, after) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            readable(conn, &principal, id)?;
            let rows = events::for_complaint(conn, id, after, limit + 1)?;
            let ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
            let people = staff::people(conn, &ids)?;
            Ok::<_, ApiError>(pagination::page(
                rows,
                limit,
                |e| e.id,
                |e: EventRow| TimelineEvent {
                    id: e.id,
                    event_type: EventType::parse(&e.event_type)
                        .unwrap_or(EventType::ComplaintUpdated),
                    occurred_at: from_db(e.occurred_at),
                    actor: e.actor_id.map(|a| StaffRef::of(&people, a)),
                    data: serde_json::from_str(&e.data).unwrap_or(Value::Null),
                },
            ))
        })
        .await?;
    Ok(web::Json(page))
}
