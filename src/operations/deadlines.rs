//! The deadline watcher's operation (`workers::deadlines` runs it on a timer): announcing each
//! passed response term and follow-up date of an open complaint once, as the service itself
//! (`Process::DeadlineWatcher`), naming the coordinator and the handler as the ones to tell.
//! The announcement's row has a primary key over complaint, deadline and due moment, so a
//! second announcement cannot be written, also across restarts; with several instances on
//! one PostgreSQL, a transaction-scoped advisory lock keeps them from sweeping at once.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::json;

use super::sweep::{Batch, in_batches};
use super::{Caller, Context, Event, OperationError, Process};
use crate::db::{AnyConnection, Db};
use crate::domain::complaint::Assignment;
use crate::domain::events::EventType;
use crate::domain::notifications;
use crate::store::deadlines::{self, Overdue};
use crate::store::{from_db, staff};

/// Arbitrary but fixed: the advisory lock the sweeping instance holds.
const SWEEP_LOCK_KEY: i64 = 0x6b6c_6465_6164_6c6e;
const BATCH: i64 = 500;

/// One sweep: announces what passed by `now`, in batches; returns how many.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, OperationError> {
    in_batches(db, (SWEEP_LOCK_KEY, BATCH as usize), move |conn| sweep_batch(conn, now)).await
}

fn sweep_batch(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<Batch, OperationError> {
    let found = deadlines::unannounced(conn, now, BATCH)?;
    // Lock order as in every command: the complaints' rows, then (when announcing) the chain
    // head. Read again once locked: a response recorded meanwhile ends the overdue state.
    let ids: BTreeSet<i64> = found.iter().map(|item| item.complaint_id).collect();
    deadlines::lock_complaints(conn, &ids.iter().copied().collect::<Vec<_>>())?;
    let overdue: Vec<Overdue> = deadlines::unannounced(conn, now, BATCH)?
        .into_iter()
        .filter(|item| ids.contains(&item.complaint_id))
        .collect();
    let announced = announce(conn, &overdue, now)?;
    Ok(Batch { found: found.len(), done: announced })
}

/// Announces what of `overdue` is not announced yet, inside the caller's transaction;
/// returns how many were.
fn announce(
    conn: &mut AnyConnection,
    overdue: &[Overdue],
    now: DateTime<Utc>,
) -> Result<usize, OperationError> {
    let mut announced = 0;
    for item in overdue {
        // The row keyed on complaint, deadline and due moment makes a second announcement
        // impossible.
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

fn event(conn: &mut AnyConnection, item: &Overdue) -> Result<Event, OperationError> {
    let assignment = Assignment {
        handler_id: item.handler_id,
        subject_id: item.subject_id,
        coordinator_id: item.coordinator_id,
        response_due_at: None,
    };
    let recipients = staff::recipients(conn, notifications::of_overdue(&assignment))?;
    let event_type = if item.deadline == "response" {
        EventType::ResponseOverdue
    } else {
        EventType::FollowUpOverdue
    };
    Ok(Event {
        complaint_id: Some(item.complaint_id),
        event_type,
        data: json!({
            "reference": item.reference,
            "due_at": from_db(item.due_at),
            "recipients": recipients,
        }),
    })
}
