//! Reads of complaints' personal data, recorded in each complaint's read log: every answer
//! that shows a complaint's details — the complaint itself, a page of the list, its
//! timeline, contacts and documents — records who saw it. The entries are queued and written
//! in batches (`crate::workers::read_log`), so a read stays a read.

use super::{Context, OperationError};
use crate::db::DbError;
use crate::store::read_log::Read;
use crate::workers::read_log::ReadLog;

/// Records that the caller saw these complaints (or, with `document`, that document of the
/// one complaint). The service itself reads without a trace: it is no one. A read that
/// cannot be logged (the database is away and the queue full) is not shown: the request
/// fails as the database's absence would fail it.
pub async fn record(
    read_log: &ReadLog,
    ctx: &Context,
    complaints: impl IntoIterator<Item = i64>,
    document: Option<i64>,
) -> Result<(), OperationError> {
    let Some(staff_id) = ctx.caller.staff_id() else { return Ok(()) };
    let organisation_id = ctx.organisation_id();
    let reads = complaints
        .into_iter()
        .map(|complaint_id| Read {
            organisation_id,
            complaint_id,
            document_id: document,
            staff_id,
            read_at: ctx.now,
        })
        .collect();
    read_log
        .record(reads)
        .await
        .map_err(|full| OperationError::Database(DbError::Unavailable(full.to_string())))
}
