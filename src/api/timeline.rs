//! A complaint's timeline: every event, oldest first, with who and when.

use actix_web::{get, web};

use super::extract::{ApiQuery, complaint};
use super::openapi::NotFound;
use super::pagination::PageQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::events::{self, TimelineEvent};
use crate::operations::page::Page;

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
    let page = query.0.checked()?;
    Ok(web::Json(
        events::timeline(&state.db, &state.read_log, state.context(principal), complaint(id), page)
            .await?,
    ))
}
