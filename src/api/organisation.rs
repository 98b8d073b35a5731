//! The organisation's settings for its complaint procedure.

use actix_web::{HttpResponse, get, patch, web};

use super::answer::versioned;
use super::extract::{ApiJson, IfMatch};
use super::openapi::{Forbidden, PreconditionFailed, PreconditionRequired, Unprocessable};
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::organisation::{self, OrganisationPatch, OrganisationView};

#[utoipa::path(
    get,
    operation_id = "get_organisation",
    path = "/organisation",
    tag = "organisation",
    summary = "The caller's organisation and its procedure settings",
    responses((status = 200, description = "The organisation", body = OrganisationView,
        headers(("ETag" = String, description = "The version, quoted")))),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/organisation")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let view = organisation::read(&state.db, state.context(principal)).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    patch,
    operation_id = "update_organisation",
    path = "/organisation",
    tag = "organisation",
    summary = "Change the procedure settings",
    description = "Name, response term, coordinator and deputy (both must have signed in with \
        the klachtencoordinator role, and be two people), the regulation text handed to \
        clients, the external dispute body a client can turn to (`dispute_body`: a name, an \
        address, an http(s) website; null names none), the retention term, and how many hours \
        before a term its handler is warned (`due_soon_hours`). A changed term applies to \
        complaints received from now on.",
    params(("If-Match" = String, Header, description = "The ETag this change is based on: required (`428` without it)", example = "\"1\"")),
    request_body(content(
        (OrganisationPatch = "application/json"),
        (OrganisationPatch = "application/merge-patch+json"),
    )),
    responses(
        (status = 200, description = "The new settings", body = OrganisationView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 403, response = Forbidden),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[patch("/organisation")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    IfMatch(precondition): IfMatch,
    body: ApiJson<OrganisationPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let view = organisation::edit(&state.db, ctx, body.0).await?;
    Ok(versioned(&view, view.version))
}
