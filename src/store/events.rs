//! The append-only event log: every change writes its event in the same transaction. The
//! database refuses UPDATE and DELETE on this table (see the migrations), and each event
//! carries the hash of the one before it in its organisation (`domain::chain`).

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use diesel::prelude::*;

use super::{from_db, to_db};
use crate::db::schema::{event_chain_heads as heads, event_texts as texts, events};
use crate::db::{AnyConnection, FixedSql};
use crate::domain::chain::{self, Linked};
use crate::domain::commitment;
use crate::domain::events::EventType;
use crate::store::{event_texts, outbox};

#[derive(Debug, Clone)]
pub struct NewEvent {
    pub organisation_id: i64,
    pub complaint_id: Option<i64>,
    pub event_type: EventType,
    pub actor_id: Option<i64>,
    pub occurred_at: DateTime<Utc>,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub id: i64,
    pub organisation_id: i64,
    pub complaint_id: Option<i64>,
    pub event_type: String,
    pub actor_id: Option<i64>,
    pub occurred_at: NaiveDateTime,
    pub data: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// The form of a timestamp the chain's hashes cover.
pub fn chained_time(at: NaiveDateTime) -> String {
    from_db(at).to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl EventRow {
    /// The fields the chain covers; `occurred_at` is [`chained_time`] of the row's time.
    pub fn linked<'a>(&'a self, occurred_at: &'a str) -> Linked<'a> {
        Linked {
            organisation_id: self.organisation_id,
            complaint_id: self.complaint_id,
            event_type: &self.event_type,
            actor_id: self.actor_id,
            occurred_at,
            data: &self.data,
        }
    }
}

/// The organisation's chain head, locked until the caller's transaction ends (on
/// PostgreSQL; SQLite's write transactions are serial already), created at the genesis
/// hash on first use. One statement: the upsert's no-op update takes the row lock and
/// returns the hash the last committed event left, so the lock is held one round trip
/// shorter than with a separate `SELECT … FOR UPDATE`.
fn lock_head(conn: &mut AnyConnection, organisation_id: i64) -> QueryResult<String> {
    FixedSql(
        diesel::insert_into(heads::table)
            .values((
                heads::organisation_id.eq(organisation_id),
                heads::last_hash.eq(chain::GENESIS),
            ))
            .on_conflict(heads::organisation_id)
            .do_update()
            .set(heads::last_hash.eq(heads::last_hash))
            .returning(heads::last_hash),
    )
    .get_result(conn)
}

/// Appends an event to its organisation's chain. Its free text (what
/// [`EventType::texts`] names) is taken out of its data first: the event holds a commitment
/// to each text, and the texts are kept beside it in `event_texts`, in this same transaction.
pub fn append(conn: &mut AnyConnection, event: NewEvent) -> QueryResult<i64> {
    let prev = lock_head(conn, event.organisation_id)?;
    let occurred_at = to_db(event.occurred_at);
    let mut data = event.data;
    let sealed = commitment::seal(&mut data, event.event_type.texts(), rand::random);
    let data = data.to_string();
    let hash = chain::hash(
        &prev,
        &Linked {
            organisation_id: event.organisation_id,
            complaint_id: event.complaint_id,
            event_type: event.event_type.as_str(),
            actor_id: event.actor_id,
            occurred_at: &chained_time(occurred_at),
            data: &data,
        },
    );
    let id = diesel::insert_into(events::table)
        .values((
            events::organisation_id.eq(event.organisation_id),
            events::complaint_id.eq(event.complaint_id),
            events::event_type.eq(event.event_type.as_str()),
            events::actor_id.eq(event.actor_id),
            events::occurred_at.eq(occurred_at),
            events::data.eq(&data),
            events::prev_hash.eq(&prev),
            events::hash.eq(&hash),
        ))
        .returning(events::id)
        .get_result(conn)?;
    FixedSql(
        diesel::update(heads::table.find(event.organisation_id))
            .set((heads::last_event_id.eq(id), heads::last_hash.eq(&hash)))
            .returning(heads::organisation_id),
    )
    .get_result::<i64>(conn)?;
    event_texts::insert(conn, id, &sealed)?;
    // Webhooks and mail learn of the event from the outbox, written in the same transaction.
    outbox::enqueue(conn, event.organisation_id, id, event.occurred_at)?;
    Ok(id)
}

/// A complaint's events, oldest first, after the event id `after` (keyset pagination).
pub fn for_complaint(
    conn: &mut AnyConnection,
    complaint_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::complaint_id.eq(complaint_id))
        .filter(events::id.gt(after.unwrap_or(0)))
        .order(events::id.asc())
        .limit(limit)
        .select(events::all_columns)
        .load(conn)
}

/// An organisation's events in chain order, after the event id `after`: the verification
/// reads the chain a batch at a time.
pub fn for_organisation(
    conn: &mut AnyConnection,
    organisation_id: i64,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::organisation_id.eq(organisation_id))
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select(events::all_columns)
        .load(conn)
}

/// An organisation's events of one type whose texts are still kept (`event_texts`), those
/// that occurred before `before` when it is given: `(id, data)`, oldest first.
pub fn with_texts(
    conn: &mut AnyConnection,
    organisation_id: i64,
    event_type: EventType,
    before: Option<DateTime<Utc>>,
) -> QueryResult<Vec<(i64, String)>> {
    let mut query = events::table
        .filter(events::organisation_id.eq(organisation_id))
        .filter(events::event_type.eq(event_type.as_str()))
        .filter(events::id.eq_any(texts::table.select(texts::event_id)))
        .order(events::id.asc())
        .select((events::id, events::data))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(events::occurred_at.lt(to_db(before)));
    }
    query.load(conn)
}
