//! `/actions`: corrective and improvement actions, their approval, progress and side
//! effects, and the follow-up measures that supplement them.

use actix_web::{HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::answer::{created, versioned};
use super::extract::{ApiJson, ApiQuery, Idempotency, IfMatch, complaint};
use super::openapi::{
    ActionCommandParams, ActionCommandResponses, Conflict, Forbidden, NotFound, PreconditionFailed,
    PreconditionRequired, Unprocessable,
};
use super::pagination::{self, PageQuery};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::actions::{ActionKind, ActionStatus};
use crate::domain::validation::ExternalId;
use crate::error::ApiError;
use crate::operations::Conditions;
use crate::operations::actions::{
    self, ActionPatch, ActionView, CreateAction, Filter, NoteRequest,
};
use crate::operations::page::Page;

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];

#[utoipa::path(
    post,
    operation_id = "create_action",
    path = "/actions",
    tag = "actions",
    summary = "Record an action",
    description = "A corrective action on one complaint (its handler, in consultation with the \
        coordinator, or a coordinator) or an improvement action linked to any number of \
        complaints (a coordinator). A dienstverlener's action is a proposal until a \
        coordinator approves it; a coordinator's starts approved, unless it concerns a \
        complaint about that coordinator (then the deputy approves it). `follow_up_of` makes \
        it a further measure supplementing an earlier action.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CreateAction,
    responses(
        (status = 201, description = "Recorded", body = ActionView, headers(("ETag" = String), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/actions")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    key: Idempotency,
    body: ApiJson<CreateAction>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(key.into());
    let view = actions::create(&state.db, ctx, body.0).await?;
    Ok(created(&view, &format!("/actions/{}", view.id), Some(view.version)))
}

/// Filters of the action list; all optional, combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Only actions in this status.
    pub status: Option<ActionStatus>,
    /// Only corrective or only improvement actions.
    pub kind: Option<ActionKind>,
    /// The owner's staff id.
    pub owner: Option<String>,
    /// Only actions concerning this complaint (one the caller may see).
    pub complaint: Option<i64>,
    /// Only actions that are (`true`) or are not (`false`) overdue today.
    pub overdue: Option<bool>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ActionQuery {
    fn filter(self) -> Result<Filter, ApiError> {
        let owner = self.owner.as_deref().map(|o| ExternalId::parse("owner", o)).transpose();
        Ok(Filter {
            status: self.status,
            kind: self.kind,
            owner: owner.map_err(|e| ApiError::invalid_parameter("owner", e.message))?,
            complaint: self.complaint,
            overdue: self.overdue,
        })
    }
}

#[utoipa::path(
    get,
    operation_id = "list_actions",
    path = "/actions",
    tag = "actions",
    summary = "List actions",
    description = "Newest first. A dienstverlener sees the actions they own or proposed and \
        those of complaints they may see; a coordinator sees all. A corrective action of a \
        complaint the caller may not see is shown without its text (`text_withheld`). \
        `complaint` naming a complaint the caller may not see is `404`, as the complaint is.",
    params(ActionQuery),
    responses(
        (status = 200, description = "A page of actions", body = Page<ActionView>),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/actions")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<ActionQuery>,
) -> Result<web::Json<Page<ActionView>>, ApiError> {
    let page = pagination::page(query.0.limit, query.0.cursor.as_deref())?;
    let filter = query.0.filter()?;
    Ok(web::Json(actions::list(&state.db, state.context(principal), filter, page).await?))
}

#[utoipa::path(
    get,
    operation_id = "list_complaint_actions",
    path = "/complaints/{id}/actions",
    tag = "actions",
    summary = "A complaint's actions",
    description = "The corrective and improvement actions that concern this complaint, newest first.",
    params(("id" = i64, Path, description = "The complaint's id"), pagination::PageQuery),
    responses(
        (status = 200, description = "A page of actions", body = Page<ActionView>),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints/{id}/actions")]
pub async fn of_complaint(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<ActionView>>, ApiError> {
    let page = query.0.checked()?;
    Ok(web::Json(
        actions::of_complaint(&state.db, state.context(principal), complaint(id), page).await?,
    ))
}

#[utoipa::path(
    get,
    operation_id = "get_action",
    path = "/actions/{id}",
    tag = "actions",
    summary = "Read an action",
    params(("id" = i64, Path, description = "The action's id")),
    responses(
        (status = 200, description = "The action", body = ActionView, headers(("ETag" = String))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/actions/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let view = actions::read(&state.db, state.context(principal), id.into_inner()).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    patch,
    operation_id = "update_action",
    path = "/actions/{id}",
    tag = "actions",
    summary = "Edit an action or move it on",
    description = "A coordinator edits any field; while an action is a proposal, its proposer \
        may edit or cancel it. The owner (or a coordinator) starts and completes the work — \
        only once the action is approved (`approval_required`).",
    params(("id" = i64, Path, description = "The action's id"),
        ("If-Match" = String, Header, description = "The ETag this change is based on: required (`428` without it)", example = "\"1\"")),
    request_body(content((ActionPatch = "application/json"), (ActionPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = "The action", body = ActionView, headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[patch("/actions/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    IfMatch(precondition): IfMatch,
    body: ApiJson<ActionPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let view = actions::edit(&state.db, ctx, id.into_inner(), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "approve_action",
    path = "/actions/{id}/approval",
    tag = "actions",
    summary = "Approve a proposed action",
    description = "The coordinator's consent (\"in overleg met de klachtencoördinator\"): a \
        proposal becomes approved and work may start. Not for an action on a complaint about \
        the approving coordinator.",
    params(ActionCommandParams),
    responses(ActionCommandResponses),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/actions/{id}/approval")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = actions::approve(&state.db, ctx, id.into_inner()).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "report_action_progress",
    path = "/actions/{id}/progress",
    tag = "actions",
    summary = "Report progress",
    description = "The owner (or a coordinator) reports how the work is going; on open actions.",
    params(ActionCommandParams),
    request_body = NoteRequest,
    responses(ActionCommandResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/actions/{id}/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = actions::report_progress(&state.db, ctx, id.into_inner(), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "record_action_side_effect",
    path = "/actions/{id}/side-effects",
    tag = "actions",
    summary = "Record an observed side effect",
    description = "An effect of the measure besides the one intended (neveneffect), also after \
        the action is done: the coordinator keeps an eye on them.",
    params(ActionCommandParams),
    request_body = NoteRequest,
    responses(ActionCommandResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/actions/{id}/side-effects")]
pub async fn side_effect(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = actions::record_side_effect(&state.db, ctx, id.into_inner(), body.0).await?;
    Ok(versioned(&view, view.version))
}
