//! The steps of the complaint procedure: escalation, decision, written confirmation,
//! signatures, closure, reopening and withdrawal — and, through [`take_step`], recording a
//! contact and classifying, which are steps too. Each runs as a command: the complaint found
//! and authorised, the precondition checked, the domain asked to take the step (or refuse it
//! with the rule's code), the new state saved with its event.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done};
use super::complaints::{ComplaintView, view_one};
use super::targets::{FoundComplaint, OnComplaint};
use super::{Context, Event, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::access::{self, ComplaintAct};
use crate::domain::events::EventType;
use crate::domain::lifecycle::{
    self, Confirmation, ConfirmationChannel, Decision, Judgement, Resolution, Satisfaction,
    Signature, Step,
};
use crate::domain::moment;
use crate::domain::notifications;
use crate::domain::roles::Role;
use crate::domain::validation::{AllValid, FieldError, Text};
use crate::store::complaints::{self as complaints_store, ComplaintRow};
use crate::store::{documents, from_db, staff};

/// A step as an operation plans it: what the domain is asked to do, and the event that
/// records it.
pub(super) struct Taking {
    pub step: Step,
    pub event: EventType,
    pub data: Value,
}

/// Takes one step on one complaint, as a command. `plan` sees the complaint and the caller's
/// standing on it, may write what belongs to the step beside the complaint (categories, a
/// contact), and says which step it is, with whatever else the answer needs; `answer` makes
/// the command's answer of the complaint as it now stands. If the domain refuses the step,
/// the transaction — with whatever `plan` wrote — is rolled back.
pub(super) fn take_step<P, A: Serialize + DeserializeOwned>(
    conn: &mut AnyConnection,
    ctx: &Context,
    command: (CommandKind, OnComplaint),
    input: &impl Serialize,
    plan: impl FnOnce(&mut AnyConnection, &FoundComplaint) -> Result<(Taking, P), OperationError>,
    answer: impl FnOnce(&mut AnyConnection, ComplaintRow, P) -> Result<A, OperationError>,
) -> Result<A, OperationError> {
    command::run(conn, ctx, command, input, |conn, found| {
        let (taking, planned) = plan(conn, &found)?;
        let row = found.row;
        let next = row.procedure().apply(taking.step)?;
        let recorded = lifecycle::first_response_recorded(
            row.first_response_at.map(from_db),
            row.first_response_recorded_at.map(from_db),
            next.first_response_at,
            ctx.now,
        );
        let saved =
            complaints_store::save_procedure(conn, row.id, row.version, &next, recorded, ctx.now)?
                .ok_or_else(|| OperationError::changed_meanwhile("complaint"))?;
        let event =
            Event { complaint_id: Some(row.id), event_type: taking.event, data: taking.data };
        Ok(Done::recorded(answer(conn, saved, planned)?, event))
    })
}

/// A step of the procedure proper, answered with the complaint as it now stands.
async fn step<I: Serialize + Send + 'static>(
    db: &Db,
    ctx: Context,
    (kind, id, act): (CommandKind, i64, ComplaintAct),
    input: I,
    plan: impl FnOnce(
        &mut AnyConnection,
        &Context,
        &FoundComplaint,
        &I,
    ) -> Result<Taking, OperationError>
    + Send
    + 'static,
) -> Result<ComplaintView, OperationError> {
    db.write(move |conn| {
        let now = ctx.now;
        let target = OnComplaint { id, act };
        take_step(
            conn,
            &ctx,
            (kind, target),
            &input,
            |conn, found| Ok((plan(conn, &ctx, found, &input)?, ())),
            |conn, row, ()| view_one(conn, row, now),
        )
    })
    .await
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
    fn checked(&self) -> Result<Text, FieldError> {
        lifecycle::check_reason(&self.reason)
    }
}

/// Hands the complaint to the coordinator in charge, who is told.
pub async fn escalate(
    db: &Db,
    ctx: Context,
    id: i64,
    input: Reason,
) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::Escalate, id, ComplaintAct::Handle);
    step(db, ctx, command, input, |conn, ctx, found, input| {
        let reason = input.checked()?;
        let recipients =
            staff::recipients(conn, notifications::of_escalation(&found.row.assignment()))?;
        Ok(Taking {
            step: Step::Escalate { at: ctx.now },
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
    "resolution": "resolved",
    "judgement": "partly_well_founded"
}))]
pub struct DecisionRequest {
    #[schema(max_length = 5000)]
    pub summary: String,
    /// `resolved`: settled to the client's satisfaction (the form is then signed).
    pub resolution: Resolution,
    /// Whether the complaint was well-founded. Required when it comes from outside the firm
    /// (`reported_by` other than `employee`).
    #[serde(default)]
    pub judgement: Option<Judgement>,
    /// When it was decided and told to the client; defaults to now.
    #[serde(default, deserialize_with = "moment::optional")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// Records the decision (or replaces it: its confirmation and signatures are then given
/// afresh).
pub async fn decide(
    db: &Db,
    ctx: Context,
    id: i64,
    input: DecisionRequest,
) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::Decide, id, ComplaintAct::Handle);
    step(db, ctx, command, input, |_, ctx, found, input| {
        let procedure = found.row.procedure();
        let (summary, judgement, decided_at) = (
            Text::parse("summary", &input.summary, lifecycle::SUMMARY_MAX),
            lifecycle::check_judgement(procedure.external, input.judgement),
            lifecycle::check_moment(
                "decided_at",
                input.decided_at.unwrap_or(ctx.now),
                procedure.received_at,
                (ctx.now, ctx.skew),
            ),
        )
            .all_valid()?;
        Ok(Taking {
            step: Step::Decide(Decision {
                summary: summary.as_str().to_owned(),
                resolution: input.resolution,
                judgement,
                decided_at,
                decided_by: ctx.caller.person()?.staff_id,
            }),
            event: EventType::ComplaintDecided,
            data: json!({
                "summary": summary.as_str(),
                "resolution": input.resolution,
                "judgement": judgement,
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
    #[serde(default, deserialize_with = "moment::optional")]
    pub sent_at: Option<DateTime<Utc>>,
    pub channel: ConfirmationChannel,
    /// The letter or e-mail as added to this complaint's dossier.
    #[serde(default)]
    pub document_id: Option<i64>,
}

/// Records that the solution was confirmed to the client in writing.
pub async fn confirm_in_writing(
    db: &Db,
    ctx: Context,
    id: i64,
    input: WrittenConfirmationRequest,
) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::ConfirmInWriting, id, ComplaintAct::Handle);
    step(db, ctx, command, input, |conn, ctx, found, input| {
        if let Some(document) = input.document_id
            && !documents::belongs_to(conn, found.row.id, document)?
        {
            let message = "no such document in this complaint's dossier";
            return Err(FieldError::new("document_id", message).into());
        }
        let procedure = found.row.procedure();
        let sent_at = input.sent_at.unwrap_or(ctx.now);
        let sent_at =
            lifecycle::check_moment("sent_at", sent_at, procedure.received_at, (ctx.now, ctx.skew))?;
        let decided_at = procedure.decision.map(|d| d.decided_at);
        let sent_at = lifecycle::confirmation_moment(sent_at, decided_at, ctx.skew);
        Ok(Taking {
            step: Step::ConfirmInWriting(Confirmation {
                sent_at,
                channel: input.channel,
                document_id: input.document_id,
                recorded_by: ctx.caller.person()?.staff_id,
            }),
            event: EventType::WrittenConfirmationRecorded,
            data: json!({"sent_at": sent_at, "channel": input.channel, "document": input.document_id}),
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

/// Signs the form in the caller's own capacity on this complaint.
pub async fn sign(
    db: &Db,
    ctx: Context,
    id: i64,
    input: SignatureRequest,
) -> Result<ComplaintView, OperationError> {
    // Which capacity is meant depends on the caller's standing on this very complaint, so the
    // complaint is found as readable and the signature itself authorised once it is known.
    let command = (CommandKind::Sign, id, ComplaintAct::Read);
    step(db, ctx, command, input, |_, ctx, found, input| {
        let capacity = access::signing_capacity(&found.standing, input.capacity)?;
        ctx.caller.authorise(&found.row.parties(), ComplaintAct::Sign(capacity))?;
        let signed_by = ctx.caller.person()?.staff_id;
        Ok(Taking {
            step: Step::Sign { capacity, signature: Signature { signed_by, signed_at: ctx.now } },
            event: EventType::ComplaintSigned,
            data: json!({"capacity": capacity}),
        })
    })
    .await
}

/// Closes the complaint, when what closure needs is there.
pub async fn close(db: &Db, ctx: Context, id: i64) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::Close, id, ComplaintAct::Close);
    step(db, ctx, command, (), |_, ctx, _, ()| {
        Ok(Taking {
            step: Step::Close { at: ctx.now },
            event: EventType::ComplaintClosed,
            data: json!({}),
        })
    })
    .await
}

/// How satisfied the client is with the decision, as they said it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"score": 4, "remark": "Snel opgelost, maar de eerste reactie liet op zich wachten."}))]
pub struct SatisfactionRequest {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    #[schema(minimum = 1, maximum = 5, example = 4)]
    pub score: i32,
    /// The client's own words, if they gave any.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub remark: Option<String>,
}

/// Records the client's satisfaction with the decision, once it is decided or at closure;
/// recording it again replaces it.
pub async fn record_satisfaction(
    db: &Db,
    ctx: Context,
    id: i64,
    input: SatisfactionRequest,
) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::RecordSatisfaction, id, ComplaintAct::Handle);
    step(db, ctx, command, input, |_, ctx, _, input| {
        let (score, remark) = lifecycle::check_satisfaction(input.score, input.remark.as_deref())?;
        let remark = remark.map(Text::into_string);
        Ok(Taking {
            event: EventType::SatisfactionRecorded,
            data: json!({"score": score, "remark": remark}),
            step: Step::RecordSatisfaction(Satisfaction {
                score,
                remark,
                recorded_by: ctx.caller.person()?.staff_id,
                recorded_at: ctx.now,
            }),
        })
    })
    .await
}

/// Takes a closed complaint back to `in_progress`, with a reason.
pub async fn reopen(
    db: &Db,
    ctx: Context,
    id: i64,
    input: Reason,
) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::Reopen, id, ComplaintAct::Reopen);
    step(db, ctx, command, input, for_reason(Step::Reopen, EventType::ComplaintReopened)).await
}

/// Withdraws an open complaint, with a reason.
pub async fn withdraw(
    db: &Db,
    ctx: Context,
    id: i64,
    input: Reason,
) -> Result<ComplaintView, OperationError> {
    let command = (CommandKind::Withdraw, id, ComplaintAct::WithdrawOrAnonymise);
    step(db, ctx, command, input, for_reason(Step::Withdraw, EventType::ComplaintWithdrawn)).await
}

/// The plan of a step that records nothing but its reason.
fn for_reason(
    step: Step,
    event: EventType,
) -> impl FnOnce(
    &mut AnyConnection,
    &Context,
    &FoundComplaint,
    &Reason,
) -> Result<Taking, OperationError>
+ Send
+ 'static {
    move |_, _, _, input| {
        let reason = input.checked()?;
        Ok(Taking { step, event, data: json!({"reason": reason.as_str()}) })
    }
}
