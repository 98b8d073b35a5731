//! The outbox: every event is queued here in its own transaction, and handed on to
//! webhook and mail deliveries by the dispatcher.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::{events, outbox};
use crate::store::events::EventRow;

pub fn enqueue(
    conn: &mut AnyConnection,
    organisation_id: i64,
    event_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(outbox::table)
        .values((
            outbox::organisation_id.eq(organisation_id),
            outbox::event_id.eq(event_id),
            outbox::created_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map(drop)
}

/// The oldest undispatched entries, locked (PostgreSQL: entries another instance holds are
/// skipped, not waited for).
pub fn claim(conn: &mut AnyConnection, limit: i64) -> QueryResult<Vec<(i64, EventRow)>> {
    let query = outbox::table
        .filter(outbox::dispatched_at.is_null())
        .order(outbox::id)
        .limit(limit)
        .select((outbox::id, outbox::event_id));
    let entries: Vec<(i64, i64)> = match conn {
        AnyConnection::Postgresql(c) => query.for_update().skip_locked().load(c)?,
        AnyConnection::Sqlite(c) => query.load(c)?,
    };
    let ids: Vec<i64> = entries.iter().map(|(_, event)| *event).collect();
    let rows: Vec<EventRow> =
        events::table.filter(events::id.eq_any(&ids)).select(events::all_columns).load(conn)?;
    Ok(entries
        .into_iter()
        .filter_map(|(entry, event)| {
            rows.iter().find(|r| r.id == event).map(|r| (entry, r.clone()))
        })
        .collect())
}

pub fn dispatched(
    conn: &mut AnyConnection,
    entries: &[i64],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(outbox::table.filter(outbox::id.eq_any(entries)))
        .set(outbox::dispatched_at.eq(to_db(now)))
        .execute(conn)
        .map(drop)
}
