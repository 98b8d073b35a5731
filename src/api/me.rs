//! `GET /me`: the caller as the service sees them.

use actix_web::{get, web};

use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::staff::{self, Me};

#[utoipa::path(
    get,
    operation_id = "get_me",
    path = "/me",
    tag = "me",
    summary = "Who am I",
    description = "The caller as the service sees them: staff id, name, organisation and roles.",
    responses((status = 200, description = "The caller", body = Me)),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/me")]
pub async fn me(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Me>, ApiError> {
    Ok(web::Json(staff::me(&state.db, principal).await?))
}
