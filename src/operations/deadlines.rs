//! The deadline watcher's operation (`workers::deadlines` runs it on a timer): announcing,
//! once each, that a response term or follow-up date of an open complaint runs out soon
//! (naming the handler as the one to tell) and that it passed (naming the coordinator and
//! the handler), as the service itself (`Process::DeadlineWatcher`). The announcement's row
//! has a primary key over complaint, deadline, due moment and notice, so a second
//! announcement cannot be written, also across restarts; with several instances on one
//! PostgreSQL, a transaction-scoped advisory lock keeps them from sweeping at once.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::sweep::{Batch, in_batches};
use super::{Caller, Context, Event, OperationError, Process};
use crate::db::{AnyConnection, Db};
use crate::domain::complaint::Assignment;
use crate::domain::deadlines::Notice;
use crate::domain::notifications;
use crate::store::deadlines::{self, Unannounced};
use crate::store::{from_db, staff};

/// Arbitrary but fixed: the advisory lock the sweeping instance holds.
const SWEEP_LOCK_KEY: i64 = 0x6b6c_6465_6164_6c6e;
const BATCH: i64 = 500;

/// One sweep: announces what is due soon or passed at `now`, in batches; returns how many.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, OperationError> {
    in_batches(db, (SWEEP_LOCK_KEY, BATCH as usize), move |conn| sweep_batch(conn, now)).await
}

fn sweep_batch(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<Batch, OperationError> {
    let found = deadlines::unannounced(conn, now, BATCH)?;
    // Lock order as in every command: the complaints' rows, then (when announcing) the chain
    // head. Read again once locked: a response recorded meanwhile meets the term.
    let ids: BTreeSet<i64> = found.iter().map(|item| item.complaint_id).collect();
    deadlines::lock_complaints(conn, &ids.iter().copied().collect::<Vec<_>>())?;
    let due: Vec<Unannounced> = deadlines::unannounced(conn, now, BATCH)?
        .into_iter()
        .filter(|item| ids.contains(&item.complaint_id))
        .collect();
    let announced = announce(conn, &due, now)?;
    Ok(Batch { found: found.len(), done: announced })
}

/// Announces what of `due` is not announced yet, inside the caller's transaction; returns
/// how many were.
fn announce(
    conn: &mut AnyConnection,
    due: &[Unannounced],
    now: DateTime<Utc>,
) -> Result<usize, OperationError> {
    let mut announced = 0;
    for item in due {
        // The row keyed on complaint, deadline, due moment and notice makes a second
        // announcement impossible.
        if deadlines::announce(conn, item, now)? {
            let watcher = Caller::System {
                organisation_id: item.organisation_id,
                process: Process::DeadlineWatcher,
            };
            let event = event(conn, item)?;
            Context::new(watcher, now).record(conn, event)?;
            announced += 1;
        }
    }
    Ok(announced)
}

fn event(conn: &mut AnyConnection, item: &Unannounced) -> Result<Event, OperationError> {
    let assignment = Assignment {
        handler_id: item.handler_id,
        subject_id: item.subject_id,
        coordinator_id: item.coordinator_id,
        response_due_at: None,
    };
    let told = match item.notice {
        Notice::DueSoon => notifications::of_due_soon(&assignment),
        Notice::Overdue => notifications::of_overdue(&assignment),
    };
    let recipients = staff::recipients(conn, told)?;
    Ok(Event {
        complaint_id: Some(item.complaint_id),
        event_type: item.notice.event_type(item.deadline),
        data: json!({
            "reference": item.reference,
            "deadline": item.deadline,
            "due_at": from_db(item.due_at),
            "recipients": recipients,
        }),
    })
}
