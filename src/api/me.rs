//! `GET /me`: the caller as the service sees them.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::state::AppState;
use crate::auth::Principal;
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::organisations;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationRef {
    /// The organisation's id as tokens name it (the `org` claim).
    #[schema(example = "default")]
    pub id: String,
    #[schema(example = "Kantoor Vuijst")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The identity provider's id for the caller.
    #[schema(example = "auth0|dana")]
    pub id: String,
    #[schema(example = "Dana de Wit")]
    pub name: Option<String>,
    pub organisation: OrganisationRef,
    pub roles: Vec<Role>,
}

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
    let organisation_id = principal.organisation_id;
    let organisation = state
        .db
        .read(move |conn| organisations::get(conn, organisation_id).map_err(ApiError::from))
        .await?;
    Ok(web::Json(Me {
        id: principal.subject,
        name: principal.name,
        organisation: OrganisationRef { id: organisation.slug, name: organisation.name },
        roles: principal.roles.to_vec(),
    }))
}
