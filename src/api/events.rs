//! `GET /events/verification`: the organisation's event chain recomputed — proof that the
//! register's history was not altered behind its back.

use actix_web::{get, web};

use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::events::{self, Verification};

#[utoipa::path(
    get,
    path = "/events/verification",
    operation_id = "verify_event_chain",
    tag = "events",
    summary = "Verify the tamper-evident timeline",
    description = "Recomputes the hash chain over all of the organisation's events, oldest \
        first, and reports the first event where it breaks. The database itself refuses to \
        update or delete events; this shows when something went around that.",
    responses((status = 200, description = "The verification", body = Verification)),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[get("/events/verification")]
pub async fn verify(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Verification>, ApiError> {
    Ok(web::Json(events::verify(&state.db, state.context(principal)).await?))
}
