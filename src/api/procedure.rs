//! The steps of the complaint procedure as commands on a complaint: escalation, decision,
//! written confirmation, signatures, closure, reopening and withdrawal. Each is one
//! transaction: find and authorise the complaint, check `If-Match`, let the domain take the
//! step (or refuse it with 409 and the rule's code), save the new state with its event.

use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::complaints::{ComplaintView, authorised_for_update, view_one};
use super::extract::{ApiJson, IdempotencyKey, IfMatch};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{StepParams, StepResponses};
use super::state::AppState;
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::domain::access::{self, ComplaintAct, Standing};
use crate::domain::events::EventType;
use crate::domain::lifecycle::{
    self, Confirmation, ConfirmationChannel, Decision, Resolution, Signature, Step,
};
use crate::domain::notifications;
use crate::domain::roles::Role;
use crate::domain::validation::{FieldError, Text};
use crate::error::ApiError;
use crate::store::complaints::{self as complaints_store, ComplaintRow};
use crate::store::events::{self, NewEvent};
use crate::store::{documents, staff};
use crate::telemetry::record_complaint;

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];
const COORDINATOR: [&str; 1] = ["klachtencoordinator"];

/// A step as a handler plans it: what the domain is asked to do, and the event that
/// records it.
pub struct Taking {
    pub step: Step,
    pub event: EventType,
    pub data: Value,
}

/// Takes one step on one complaint inside the caller's transaction. `plan` sees the
/// complaint and the caller's standing on it, may write what belongs to the step beside the
/// complaint (categories, a contact), and says which step it is; `T` is whatever else the
/// handler answers with. If the domain refuses the step, the transaction — with whatever
/// `plan` wrote — is rolled back.
pub fn take_step<T>(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: i64,
    act: ComplaintAct,
    if_match: &IfMatch,
    now: DateTime<Utc>,
    plan: impl FnOnce(&mut AnyConnection, &ComplaintRow, &Standing) -> Result<(Taking, T), ApiError>,
) -> Result<(ComplaintView, T), ApiError> {
    let (row, standing) = authorised_for_update(conn, principal, id, act)?;
    if_match.check(row.version)?;
    let (taking, extra) = plan(conn, &row, &standing)?;
    let next = row.procedure().apply(taking.step)?;
    let saved = complaints_store::save_procedure(conn, id, row.version, &next, now)?
        .ok_or_else(|| ApiError::precondition_failed("the complaint changed meanwhile"))?;
    events::append(
        conn,
        NewEvent {
            organisation_id: principal.organisation_id,
            complaint_id: Some(id),
            event_type: taking.event,
            actor_id: Some(principal.staff_id),
            occurred_at: now,
            data: taking.data,
        },
    )?;
    Ok((view_one(conn, saved, now)?, extra))
}

/// What a command's `plan` gets to work with.
pub struct Context<'a, B> {
    pub row: &'a ComplaintRow,
    pub standing: &'a Standing,
    pub principal: &'a Principal,
    pub body: &'a B,
    pub now: DateTime<Utc>,
}

/// Runs a command: the step in a write transaction, once per `Idempotency-Key`, answered
/// with the complaint as it now stands.
async fn command<B: Serialize + Send + 'static>(
    state: web::Data<AppState>,
    principal: Principal,
    (id, name): (i64, &'static str),
    body: B,
    (if_match, key): (IfMatch, IdempotencyKey),
    act: ComplaintAct,
    plan: impl FnOnce(&mut AnyConnection, Context<'_, B>) -> Result<Taking, ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    record_complaint(id);
    let now = state.clock.now();
    let fingerprint = fingerprint(&format!("POST /complaints/{id}/{name}"), &body);
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let (view, ()) =
                    take_step(conn, &principal, id, act, &if_match, now, |conn, row, standing| {
                        let context =
                            Context { row, standing, principal: &principal, body: &body, now };
                        Ok((plan(conn, context)?, ()))
                    })?;
                Answer::ok(&view)
            })
        })
        .await?;
    Ok(answer.into_response())
}

fn invalid(error: FieldError) -> ApiError {
    ApiError::validation(vec![error])
}

/// Why a complaint is escalated, reopened or withdrawn.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "De cliënt en ik komen er samen niet uit."}))]
pub struct Reason {
    #[schema(max_length = 2000)]
    pub reason: String,
}

impl Reason {
    fn checked(&self) -> Result<Text, ApiError> {
        lifecycle::check_reason(&self.reason).map_err(invalid)
    }
}

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
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<Reason>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "escalation");
    command(state, principal, target, body.0, preconditions, ComplaintAct::Handle, |conn, c| {
        let reason = c.body.checked()?;
        let recipients =
            staff::recipients(conn, notifications::of_escalation(&c.row.assignment()))?;
        Ok(Taking {
            step: Step::Escalate { at: c.now },
            event: EventType::ComplaintEscalated,
            data: json!({"reason": reason.as_str(), "recipients": recipients}),
        })
    })
    .await
}

/// The solution or decision on the complaint, as communicated to the client.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "summary": "Declaratie gecorrigeerd; creditnota van EUR 340 verstuurd.",
    "resolution": "resolved"
}))]
pub struct DecisionRequest {
    #[schema(max_length = 5000)]
    pub summary: String,
    /// `resolved`: settled to the client's satisfaction (the form is then signed).
    pub resolution: Resolution,
    /// When it was decided and told to the client; defaults to now.
    #[serde(default)]
    pub decided_at: Option<DateTime<Utc>>,
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
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "decision");
    command(state, principal, target, body.0, preconditions, ComplaintAct::Handle, |_, c| {
        let summary = Text::parse("summary", &c.body.summary, lifecycle::SUMMARY_MAX);
        let received_at = c.row.procedure().received_at;
        let at = lifecycle::check_moment(
            "decided_at",
            c.body.decided_at.unwrap_or(c.now),
            received_at,
            c.now,
        );
        let (summary, decided_at) = match (summary, at) {
            (Ok(s), Ok(a)) => (s, a),
            (s, a) => {
                return Err(ApiError::validation(
                    [s.err(), a.err()].into_iter().flatten().collect(),
                ));
            }
        };
        Ok(Taking {
            step: Step::Decide(Decision {
                summary: summary.as_str().to_owned(),
                resolution: c.body.resolution,
                decided_at,
                decided_by: c.principal.staff_id,
            }),
            event: EventType::ComplaintDecided,
            data: json!({
                "summary": summary.as_str(),
                "resolution": c.body.resolution,
                "decided_at": decided_at,
            }),
        })
    })
    .await
}

/// The written confirmation of the solution, sent to the client.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"sent_at": "2026-11-06T14:00:00Z", "channel": "letter"}))]
pub struct WrittenConfirmationRequest {
    /// When it was sent; defaults to now.
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    pub channel: ConfirmationChannel,
    /// The letter or e-mail as added to this complaint's dossier.
    #[serde(default)]
    pub document_id: Option<i64>,
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
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<WrittenConfirmationRequest>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "written-confirmation");
    command(state, principal, target, body.0, preconditions, ComplaintAct::Handle, |conn, c| {
        let received_at = c.row.procedure().received_at;
        if let Some(document) = c.body.document_id
            && !documents::belongs_to(conn, c.row.id, document)?
        {
            let error = FieldError::new("document_id", "no such document in this complaint's dossier");
            return Err(invalid(error));
        }
        let sent_at =
            lifecycle::check_moment("sent_at", c.body.sent_at.unwrap_or(c.now), received_at, c.now)
                .map_err(invalid)?;
        Ok(Taking {
            step: Step::ConfirmInWriting(Confirmation {
                sent_at,
                channel: c.body.channel,
                document_id: c.body.document_id,
                recorded_by: c.principal.staff_id,
            }),
            event: EventType::WrittenConfirmationRecorded,
            data: json!({"sent_at": sent_at, "channel": c.body.channel, "document": c.body.document_id}),
        })
    })
    .await
}

/// Sign the registration form.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"capacity": "dienstverlener"}))]
pub struct SignatureRequest {
    /// The capacity you sign in: `dienstverlener` (the handler) or `klachtencoordinator`.
    /// Needed only when you are both on this complaint.
    #[serde(default)]
    pub capacity: Option<Role>,
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
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<SignatureRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let requested = body.0.capacity;
    // Which capacity is meant depends on the caller's standing on this very complaint, so the
    // capacity is settled inside the transaction, before authorising the signature itself.
    command(
        state,
        principal,
        (id, "signatures"),
        body.0,
        preconditions,
        ComplaintAct::Read,
        move |_, c| {
            let capacity = access::signing_capacity(c.standing, requested).map_err(invalid)?;
            access::authorise(
                &c.principal.actor(),
                &c.row.parties(),
                ComplaintAct::Sign(capacity),
            )?;
            Ok(Taking {
                step: Step::Sign {
                    capacity,
                    signature: Signature { signed_by: c.principal.staff_id, signed_at: c.now },
                },
                event: EventType::ComplaintSigned,
                data: json!({"capacity": capacity}),
            })
        },
    )
    .await
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
    preconditions: (IfMatch, IdempotencyKey),
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "closure");
    command(state, principal, target, (), preconditions, ComplaintAct::Close, |_, c| {
        Ok(Taking {
            step: Step::Close { at: c.now },
            event: EventType::ComplaintClosed,
            data: json!({}),
        })
    })
    .await
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
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<Reason>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "reopening");
    command(state, principal, target, body.0, preconditions, ComplaintAct::Reopen, |_, c| {
        let reason = c.body.checked()?;
        Ok(Taking {
            step: Step::Reopen,
            event: EventType::ComplaintReopened,
            data: json!({"reason": reason.as_str()}),
        })
    })
    .await
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
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<Reason>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "withdrawal");
    command(state, principal, target, body.0, preconditions, ComplaintAct::Handle, |_, c| {
        let reason = c.body.checked()?;
        Ok(Taking {
            step: Step::Withdraw,
            event: EventType::ComplaintWithdrawn,
            data: json!({"reason": reason.as_str()}),
        })
    })
    .await
}
