//! Erasure of a finished complaint's personal data (DESIGN.md §9), on request
//! (`POST /complaints/{id}/erasure`) and by the retention sweep, which erases exactly as the
//! request does: one command, in one transaction, recorded as `complaint.erased`.
//!
//! A second erasure of the same complaint is refused (`409 already_erased`): there is
//! nothing left to erase, and a second event would announce an erasure that did not happen.
//! A retry sent with the same `Idempotency-Key` gets the first answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done};
use super::complaints::{ComplaintView, view_one};
use super::subject_access;
use super::sweep::{Batch, in_batches};
use super::targets::OnComplaint;
use super::{Caller, Context, Event, OperationError, Process};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::erasure::{self, RETENTION_REASON, retention_cutoff};
use crate::domain::events::EventType;
use crate::domain::lifecycle;
use crate::store::erasure as store;
use crate::store::{deadlines, organisations};

/// Why the complaint's personal data is erased: the complainant's request (AVG art. 17),
/// or the end of the retention term (`retention`, given by the sweep).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Verzoek van de klager om verwijdering (AVG art. 17)."}))]
pub struct ErasureRequest {
    /// Not personal data: it stays in the timeline.
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// Erases the personal data of a closed or withdrawn complaint; answers with the complaint
/// as it now stands.
pub async fn erase(
    db: &Db,
    ctx: Context,
    id: i64,
    input: ErasureRequest,
) -> Result<ComplaintView, OperationError> {
    db.write(move |conn| erase_in(conn, &ctx, id, &input)).await
}

/// The erasure, inside the caller's transaction.
fn erase_in(
    conn: &mut AnyConnection,
    ctx: &Context,
    id: i64,
    input: &ErasureRequest,
) -> Result<ComplaintView, OperationError> {
    let target = OnComplaint { id, act: ComplaintAct::Erase };
    command::run(conn, ctx, (CommandKind::Erase, target), input, |conn, found| {
        let reason = lifecycle::check_reason(&input.reason)?;
        let row = found.row;
        erasure::may_erase(row.status(), row.erased_at.is_some())?;
        let erased = store::erase(conn, (row.id, row.version), ctx.now)?
            .ok_or_else(|| OperationError::changed_meanwhile("complaint"))?;
        // A subject-access request that handed the complaint out named its complainant or
        // client: its term would outlive them.
        subject_access::erase_terms_about(conn, ctx.organisation_id(), row.id)?;
        let event = Event {
            complaint_id: Some(row.id),
            event_type: EventType::ComplaintErased,
            data: json!({"reason": reason.as_str()}),
        };
        Ok(Done::recorded(view_one(conn, erased, ctx.now)?, event))
    })
}

/// Arbitrary but fixed: the advisory lock the instance running the retention sweep holds.
const SWEEP_LOCK_KEY: i64 = 0x6b6c_7265_7465_6e74;
const BATCH: usize = 100;

/// One retention sweep: erases, as the service itself, every complaint that ended longer
/// ago than its organisation's `retention_months`, in batches; returns how many.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, OperationError> {
    in_batches(db, (SWEEP_LOCK_KEY, BATCH), move |conn| sweep_batch(conn, now)).await
}

fn sweep_batch(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<Batch, OperationError> {
    let mut batch = Batch::default();
    let reason = ErasureRequest { reason: RETENTION_REASON.to_owned() };
    for (organisation_id, months) in organisations::retention_terms(conn)? {
        let Some(ended_before) = retention_cutoff(now, months) else { continue };
        subject_access::erase_terms_that_found_nothing(conn, organisation_id, ended_before)?;
        let room = (BATCH - batch.found) as i64;
        let due = store::past_retention(conn, organisation_id, ended_before, room)?;
        // Lock order as in every command: the complaints' rows, then the chain head.
        deadlines::lock_complaints(conn, &due)?;
        let sweeper =
            Context::new(Caller::System { organisation_id, process: Process::RetentionSweep }, now);
        for id in due {
            batch.found += 1;
            match erase_in(conn, &sweeper, id, &reason) {
                Ok(_) => batch.done += 1,
                // Reopened or erased meanwhile: not this sweep's to erase.
                Err(OperationError::Refused(_)) => {}
                Err(error) => return Err(error),
            }
        }
        if batch.found == BATCH {
            break;
        }
    }
    Ok(batch)
}
