//! The one way a command runs, inside the caller's write transaction: find what it acts on
//! and authorise the caller, replay the stored answer of a key sent before (or refuse a key
//! reused for something else), check the precondition, do the work, record its event, and
//! keep the answer with the key.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::{Caller, Context, Event, OperationError};
use crate::db::AnyConnection;
use crate::store::idempotency::{self, Claim};

/// The commands of the register, as their idempotency keys tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum CommandKind {
    RegisterComplaint,
    EditComplaint,
    Classify,
    RecordContact,
    Escalate,
    Decide,
    ConfirmInWriting,
    Sign,
    Close,
    RecordSatisfaction,
    Reopen,
    Withdraw,
    Erase,
    AddDocument,
    CreateAction,
    EditAction,
    ApproveAction,
    ReportProgress,
    RecordSideEffect,
    CreateEvaluation,
    EditEvaluation,
    EditOrganisation,
    EditLetterTemplate,
    CreateWebhook,
    EditWebhook,
    DeleteWebhook,
}

/// What a command acts on.
pub trait Target {
    /// What the command's work gets: the row (locked where it changes), and what the
    /// authorisation found out.
    type Found;

    /// The id the command names, part of its idempotency fingerprint.
    fn id(&self) -> Option<i64>;

    /// Finds it and checks that the caller may act on it this way: not found for what the
    /// caller may not see, forbidden for what they see but may not do.
    fn find(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> Result<Self::Found, OperationError>;

    /// Its version, which the precondition is checked against.
    fn version(&self, found: &Self::Found) -> Option<i32>;

    /// The complaint it is, or belongs to, if any: an answer kept with an idempotency key is
    /// filed under it, so that erasing the complaint deletes the answers that repeat it.
    fn complaint(&self) -> Option<i64> {
        None
    }
}

/// The target of a command that creates something: there is nothing to find first.
pub struct Nothing;

impl Target for Nothing {
    type Found = ();

    fn id(&self) -> Option<i64> {
        None
    }

    fn find(&self, _: &mut AnyConnection, _: &Caller) -> Result<(), OperationError> {
        Ok(())
    }

    fn version(&self, _: &()) -> Option<i32> {
        None
    }
}

/// What a command's work produced: its answer, and the event that records the change (none
/// when nothing changed).
pub struct Done<A> {
    pub answer: A,
    pub event: Option<Event>,
}

impl<A> Done<A> {
    pub fn recorded(answer: A, event: Event) -> Done<A> {
        Done { answer, event: Some(event) }
    }

    pub fn unchanged(answer: A) -> Done<A> {
        Done { answer, event: None }
    }
}

/// Runs a command of `kind` with `input` on `target`, inside the caller's transaction.
///
/// The target is found and the caller authorised *before* a stored answer is replayed, so
/// that a replay shows the answer only to whoever may still act on the target. The
/// precondition is checked for a fresh run only: a retry names the version its first run was
/// based on, and gets that run's answer.
pub fn run<T, A>(
    conn: &mut AnyConnection,
    ctx: &Context,
    (kind, target): (CommandKind, T),
    input: &impl Serialize,
    work: impl FnOnce(&mut AnyConnection, T::Found) -> Result<Done<A>, OperationError>,
) -> Result<A, OperationError>
where
    T: Target,
    A: Serialize + DeserializeOwned,
{
    let found = target.find(conn, &ctx.caller)?;
    let Some(key) = &ctx.conditions.key else {
        return Ok(perform(conn, ctx, (&target, found), work)?.0);
    };
    // Keys are the sender's own; the service itself sends none.
    let staff_id = ctx
        .caller
        .staff_id()
        .ok_or(OperationError::Internal("the service sent an idempotency key"))?;
    let fingerprint = fingerprint(kind, target.id(), input);
    let when = (ctx.now, ctx.keys_expired_before());
    match idempotency::claim(conn, staff_id, key.as_str(), &fingerprint, when)? {
        Claim::Fresh => {
            let (answer, about) = perform(conn, ctx, (&target, found), work)?;
            let stored = serde_json::to_string(&answer)
                .map_err(|_| OperationError::Internal("an answer does not serialise"))?;
            let about = about.or(target.complaint());
            idempotency::complete(conn, (staff_id, key.as_str()), &stored, about)?;
            Ok(answer)
        }
        Claim::Replay { answer } => serde_json::from_str(&answer)
            .map_err(|_| OperationError::Internal("a stored answer does not read back")),
        Claim::Mismatch => Err(OperationError::KeyReused),
    }
}

/// Does the work and records its event; answers with the work's answer and the complaint
/// its event belongs to.
fn perform<T: Target, A>(
    conn: &mut AnyConnection,
    ctx: &Context,
    (target, found): (&T, T::Found),
    work: impl FnOnce(&mut AnyConnection, T::Found) -> Result<Done<A>, OperationError>,
) -> Result<(A, Option<i64>), OperationError> {
    if let Some(version) = target.version(&found) {
        ctx.conditions.precondition.check(version)?;
    }
    let done = work(conn, found)?;
    let about = done.event.as_ref().and_then(|event| event.complaint_id);
    if let Some(event) = done.event {
        ctx.record(conn, event)?;
    }
    Ok((done.answer, about))
}

/// Deletes the answers kept with idempotency keys claimed before `before`: they are no
/// longer replayed. Answers how many were deleted.
pub async fn forget_keys(
    db: &crate::db::Db,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<usize, OperationError> {
    db.write(move |conn| Ok(idempotency::delete_before(conn, before)?)).await
}

/// Identifies a request by what it asks: the command, its target and its parsed input — so
/// that the same input formatted differently is still the same request.
fn fingerprint(kind: CommandKind, target: Option<i64>, input: &impl Serialize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(<&str>::from(kind).as_bytes());
    hasher.update([0]);
    hasher.update(target.map(|id| id.to_string()).unwrap_or_default().as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(input).unwrap_or_default());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_fingerprint_is_the_command_its_target_and_its_input() {
        let reason = json!({"reason": "geen oplossing"});
        let once = fingerprint(CommandKind::Escalate, Some(7), &reason);
        assert_eq!(once, fingerprint(CommandKind::Escalate, Some(7), &reason));
        assert_ne!(once, fingerprint(CommandKind::Withdraw, Some(7), &reason));
        assert_ne!(once, fingerprint(CommandKind::Escalate, Some(8), &reason));
        assert_ne!(once, fingerprint(CommandKind::Escalate, Some(7), &json!({"reason": "x"})));
    }
}
