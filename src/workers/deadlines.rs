//! The deadline watcher: announces each passed response term and follow-up date of an open
//! complaint once — as `complaint.response_overdue` / `complaint.follow_up_overdue`, naming
//! the coordinator and the handler as the ones to tell — also across restarts and with
//! several instances on one PostgreSQL. The announcement's row has a primary key over
//! complaint, deadline and due moment, so a second announcement cannot be written; a
//! transaction-scoped advisory lock keeps instances from doing the same sweep at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::RunQueryDsl;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::db::{AnyConnection, Db, DbError, write_transaction};
use crate::domain::complaint::Assignment;
use crate::domain::events::EventType;
use crate::domain::notifications;
use crate::store::deadlines::{self, Overdue};
use crate::store::events::{self, NewEvent};
use crate::store::{from_db, staff};

/// Arbitrary but fixed: the advisory lock the sweeping instance holds.
const SWEEP_LOCK_KEY: i64 = 0x6b6c_6465_6164_6c6e;
const BATCH: i64 = 500;

pub async fn watch(db: Db, clock: SharedClock, every: Duration, stop: CancellationToken) {
    super::repeat(every, stop, || async {
        if let Err(error) = sweep(&db, clock.now()).await {
            tracing::warn!(%error, "the deadline sweep failed; trying again later");
        }
    })
    .await
}

/// One sweep: announces what passed by `now`, in batches; returns how many.
pub async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<usize, DbError> {
    let mut announced = 0;
    loop {
        let batch =
            db.read(move |conn| write_transaction(conn, |conn| sweep_batch(conn, now))).await?;
        announced += batch.announced;
        if batch.found < BATCH as usize {
            return Ok(announced);
        }
    }
}

struct Batch {
    found: usize,
    announced: usize,
}

fn sweep_batch(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<Batch, DbError> {
    if !holds_sweep_lock(conn)? {
        return Ok(Batch { found: 0, announced: 0 });
    }
    let overdue = deadlines::unannounced(conn, now, BATCH)?;
    let mut announced = 0;
    for item in &overdue {
        if deadlines::announce(conn, item, now)? {
            announce(conn, item, now)?;
            announced += 1;
        }
    }
    Ok(Batch { found: overdue.len(), announced })
}

/// PostgreSQL: one instance sweeps at a time (the lock ends with the transaction). SQLite's
/// write transactions are serial already.
fn holds_sweep_lock(conn: &mut AnyConnection) -> Result<bool, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    match conn {
        AnyConnection::Postgresql(_) => {
            let lock: Locked = diesel::sql_query(format!(
                "SELECT pg_try_advisory_xact_lock({SWEEP_LOCK_KEY}) AS locked"
            ))
            .get_result(conn)?;
            Ok(lock.locked)
        }
        AnyConnection::Sqlite(_) => Ok(true),
    }
}

fn announce(conn: &mut AnyConnection, item: &Overdue, now: DateTime<Utc>) -> Result<(), DbError> {
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
    events::append(
        conn,
        NewEvent {
            organisation_id: item.organisation_id,
            complaint_id: Some(item.complaint_id),
            event_type,
            actor_id: None,
            occurred_at: now,
            data: json!({
                "reference": item.reference,
                "due_at": from_db(item.due_at),
                "recipients": recipients,
            }),
        },
    )?;
    Ok(())
}
