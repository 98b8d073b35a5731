//! Contact moments with the client: the first one (or the decision) is the reaction within
//! the response term.

use actix_web::{HttpResponse, get, post, web};

use super::answer::created;
use super::extract::{ApiJson, complaint};
use super::openapi::{
    Conflict, Forbidden, NotFound, PreconditionFailed, StepParams, Unprocessable,
};
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::Conditions;
use crate::operations::contacts::{self, ContactView, RecordContact};
use crate::operations::page::Page;
use crate::telemetry::record_complaint;

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
    Ok(web::Json(
        contacts::list(&state.db, &state.read_log, state.context(principal), complaint(id)).await?,
    ))
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
    Ok(web::Json(
        contacts::read(&state.db, &state.read_log, state.context(principal), id, contact).await?,
    ))
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
    conditions: Conditions,
    body: ApiJson<RecordContact>,
) -> Result<HttpResponse, ApiError> {
    let id = complaint(id);
    let ctx = state.context(principal).with(conditions);
    let contact = contacts::record(&state.db, ctx, id, body.0).await?;
    Ok(created(&contact, &format!("/complaints/{}/contacts/{}", id, contact.id), None))
}
