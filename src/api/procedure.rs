//! The steps of the complaint procedure as commands on a complaint: escalation, decision,
//! written confirmation, signatures, closure, reopening and withdrawal.

use actix_web::{HttpResponse, post, web};

use super::answer::versioned;
use super::extract::{ApiJson, complaint};
use super::openapi::{StepParams, StepResponses};
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::Conditions;
use crate::operations::procedure::{
    self, DecisionRequest, Reason, SatisfactionRequest, SignatureRequest,
    WrittenConfirmationRequest,
};

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];
const COORDINATOR: [&str; 1] = ["klachtencoordinator"];

#[utoipa::path(
    post,
    operation_id = "escalate_complaint",
    path = "/complaints/{id}/escalation",
    tag = "procedure",
    summary = "Escalate to the klachtencoördinator",
    description = "Without a solution between client and dienstverlener, the complaint goes to \
        the coordinator — or to the deputy when it concerns the coordinator. The event names \
        the coordinator as the one to be told. Allowed while the complaint is registered or \
        in progress (`already_escalated`, `already_decided`, `no_coordinator`).",
    params(StepParams),
    request_body = Reason,
    responses(StepResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/escalation")]
pub async fn escalate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<Reason>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::escalate(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "decide_complaint",
    path = "/complaints/{id}/decision",
    tag = "procedure",
    summary = "Record the decision",
    description = "The solution or decision, communicated to the client. It counts as a \
        reaction for the response term and clears a pending follow-up date. Recording a new \
        decision on a decided complaint replaces it; its written confirmation and signatures \
        must then be given again.",
    params(StepParams),
    request_body = DecisionRequest,
    responses(StepResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::decide(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "record_written_confirmation",
    path = "/complaints/{id}/written-confirmation",
    tag = "procedure",
    summary = "Record the written confirmation",
    description = "The regulation confirms every solution in writing. Needs a decision \
        (`decision_required`) and is not dated before it (`confirmation_before_decision`).",
    params(StepParams),
    request_body = WrittenConfirmationRequest,
    responses(StepResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/written-confirmation")]
pub async fn confirm_in_writing(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<WrittenConfirmationRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::confirm_in_writing(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "sign_complaint",
    path = "/complaints/{id}/signatures",
    tag = "procedure",
    summary = "Sign the registration form",
    description = "When the complaint is settled to the client's satisfaction, the \
        dienstverlener (the handler) and a klachtencoördinator each sign — two different \
        people, each for themselves. A coordinator never signs a complaint about themselves. \
        Refusals: `decision_required`, `not_resolved`, `already_signed`, \
        `same_person_signatures`.",
    params(StepParams),
    request_body = SignatureRequest,
    responses(StepResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/signatures")]
pub async fn sign(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<SignatureRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::sign(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "close_complaint",
    path = "/complaints/{id}/closure",
    tag = "procedure",
    summary = "Close the complaint",
    description = "Closing needs a classification, a decision, for a complaint from outside \
        the firm the written confirmation, and — when resolved — both signatures. A refusal's \
        `code` names the first rule unmet (`classification_required`, `decision_required`, \
        `written_confirmation_required`, `signatures_required`); `detail` lists all.",
    params(StepParams),
    responses(StepResponses),
    extensions(("x-roles" = json!(COORDINATOR))),
)]
#[post("/complaints/{id}/closure")]
pub async fn close(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::close(&state.db, ctx, complaint(id)).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "record_satisfaction",
    path = "/complaints/{id}/satisfaction",
    tag = "procedure",
    summary = "Record the client's satisfaction",
    description = "How satisfied the client is with the decision (1–5, with their remark if \
        they gave one), as they said it when the complaint was decided or closed. Recording it \
        again replaces it; a new decision or a reopening clears it. Averaged and counted in the \
        overview. Before a decision: `decision_required`.",
    params(StepParams),
    request_body = SatisfactionRequest,
    responses(StepResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/satisfaction")]
pub async fn record_satisfaction(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<SatisfactionRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::record_satisfaction(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "reopen_complaint",
    path = "/complaints/{id}/reopening",
    tag = "procedure",
    summary = "Reopen a closed complaint",
    description = "Takes a closed complaint back to `in_progress`, with a reason. Its decision, \
        written confirmation and signatures are cleared (the timeline keeps them): the new \
        outcome is decided, confirmed and signed afresh. The classification stays.",
    params(StepParams),
    request_body = Reason,
    responses(StepResponses),
    extensions(("x-roles" = json!(COORDINATOR))),
)]
#[post("/complaints/{id}/reopening")]
pub async fn reopen(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<Reason>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::reopen(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "withdraw_complaint",
    path = "/complaints/{id}/withdrawal",
    tag = "procedure",
    summary = "Withdraw the complaint",
    description = "The complainant withdraws it, or it was registered in error. Allowed from \
        any open state, with a reason.",
    params(StepParams),
    request_body = Reason,
    responses(StepResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/withdrawal")]
pub async fn withdraw(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<Reason>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = procedure::withdraw(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}
