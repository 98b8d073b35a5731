//! The staff the service knows: recorded from the tokens they present, or named as a
//! complaint's handler or subject before they signed in.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;

use utoipa::ToSchema;

use super::extract::ApiQuery;
use super::pagination::{self, Page, PageQuery};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::{from_db, staff};

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMember {
    #[schema(example = "auth0|dana")]
    pub id: String,
    #[schema(example = "Dana de Wit")]
    pub name: Option<String>,
    /// The roles their last token gave them.
    pub roles: Vec<Role>,
    /// `null` for someone named on a complaint who has not signed in yet.
    pub last_seen_at: Option<DateTime<Utc>>,
}

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
    let (limit, after) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            let rows = staff::list(conn, principal.organisation_id, after, limit + 1)?;
            Ok::<_, ApiError>(pagination::page(
                rows,
                limit,
                |m| m.id,
                |m| StaffMember {
                    roles: m.roles().to_vec(),
                    id: m.subject,
                    name: m.name,
                    last_seen_at: m.last_seen_at.map(from_db),
                },
            ))
        })
        .await?;
    Ok(web::Json(page))
}
