//! `/evaluations`: the periodic evaluation in the office meeting.

use actix_web::{HttpResponse, get, patch, post, web};

use super::answer::{created, versioned};
use super::extract::{ApiJson, ApiQuery, Idempotency, IfMatch};
use super::openapi::{
    Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use super::pagination::PageQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::evaluations::{self, CreateEvaluation, EvaluationPatch, EvaluationView};
use crate::operations::page::Page;

#[utoipa::path(
    post,
    operation_id = "create_evaluation",
    path = "/evaluations",
    tag = "evaluations",
    summary = "Record an evaluation of the office meeting",
    description = "Takes a snapshot of the anonymised overview of the period (later changes to \
        complaints do not alter it) and records how well each action worked. An assessment of \
        `not_effective` or `partially_effective` may start a further measure in the same call: \
        an improvement action that supplements the assessed one.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CreateEvaluation,
    responses(
        (status = 201, description = "Recorded", body = EvaluationView, headers(("ETag" = String), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/evaluations")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    key: Idempotency,
    body: ApiJson<CreateEvaluation>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(key.into());
    let view = evaluations::create(&state.db, ctx, body.0, state.overview_min_cell).await?;
    Ok(created(&view, &format!("/evaluations/{}", view.id), Some(view.version)))
}

#[utoipa::path(
    get,
    operation_id = "list_evaluations",
    path = "/evaluations",
    tag = "evaluations",
    summary = "List evaluations",
    description = "Newest first. Everyone in the organisation reads them.",
    params(PageQuery),
    responses((status = 200, description = "A page of evaluations", body = Page<EvaluationView>)),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<EvaluationView>>, ApiError> {
    let page = query.0.checked()?;
    Ok(web::Json(evaluations::list(&state.db, state.context(principal), page).await?))
}

#[utoipa::path(
    get,
    operation_id = "get_evaluation",
    path = "/evaluations/{id}",
    tag = "evaluations",
    summary = "Read an evaluation",
    params(("id" = i64, Path, description = "The evaluation's id")),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationView, headers(("ETag" = String))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/evaluations/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let view = evaluations::read(&state.db, state.context(principal), id.into_inner()).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    patch,
    operation_id = "update_evaluation",
    path = "/evaluations/{id}",
    tag = "evaluations",
    summary = "Edit an evaluation's texts",
    params(("id" = i64, Path, description = "The evaluation's id"),
        ("If-Match" = String, Header, description = "The ETag this change is based on: required (`428` without it)", example = "\"1\"")),
    request_body(content((EvaluationPatch = "application/json"), (EvaluationPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationView, headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[patch("/evaluations/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    IfMatch(precondition): IfMatch,
    body: ApiJson<EvaluationPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let view = evaluations::edit(&state.db, ctx, id.into_inner(), body.0).await?;
    Ok(versioned(&view, view.version))
}
