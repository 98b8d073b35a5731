//! `GET /staff`: the staff the service knows.

use actix_web::{get, web};

use super::extract::ApiQuery;
use super::pagination::PageQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::page::Page;
use crate::operations::staff::{self, StaffMember};

#[utoipa::path(
    get,
    operation_id = "list_staff",
    path = "/staff",
    tag = "organisation",
    summary = "Staff known to the organisation",
    params(PageQuery),
    responses((status = 200, description = "A page of staff", body = Page<StaffMember>)),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/staff")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<StaffMember>>, ApiError> {
    let page = query.0.checked()?;
    Ok(web::Json(staff::list(&state.db, state.context(principal), page).await?))
}
