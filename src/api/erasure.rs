//! Erasure of a finished complaint's personal data (DESIGN.md §9).

use actix_web::{HttpResponse, post, web};

use super::answer::versioned;
use super::extract::{ApiJson, complaint};
use super::openapi::{StepParams, StepResponses};
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::Conditions;
use crate::operations::erasure::{self, ErasureRequest};

#[utoipa::path(
    post,
    operation_id = "erase_complaint",
    path = "/complaints/{id}/erasure",
    tag = "privacy",
    summary = "Erase the complaint's personal data",
    description = "Erases, in one transaction, every personal field of a closed or withdrawn \
        complaint and its dossier (AVG art. 17): the complainant's and client's details and the \
        matter reference are emptied; the description, decision, contact summaries, the \
        corrective actions' texts and notes and the documents' names read `[gewist]`; the \
        documents' bytes are deleted (their size and sha256 stay); the idempotency answers about \
        it, its read log and the search terms of the subject-access requests that handed it out \
        are deleted. Kind, dates, statuses, classification, resolution, \
        signatures (staff) and every count stay, so overviews and evaluations of past periods \
        are unchanged. Recorded as `complaint.erased` with the reason, which is not personal \
        and stays. A klachtencoördinator's, never on a complaint about themselves \
        (`coordinator_is_subject`). An open complaint is `409 erasure_of_open_complaint`; an erased \
        one is `409 already_erased` (a retry with the same `Idempotency-Key` gets the first \
        answer). The retention sweep erases the same way, with the reason retention.",
    params(StepParams),
    request_body = ErasureRequest,
    responses(StepResponses),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/complaints/{id}/erasure")]
pub async fn erase(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    conditions: Conditions,
    body: ApiJson<ErasureRequest>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(conditions);
    let view = erasure::erase(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}
