//! Deliveries: what goes out about an event — to a webhook subscription, or by e-mail to a
//! staff member — one row per event and receiver, tried until delivered or given up.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::{deliveries, events, webhook_subscriptions as subscriptions};
use crate::per_backend;
use crate::store::events::EventRow;

/// Where a delivery goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver<'a> {
    Webhook { subscription_id: i64 },
    Mail { recipient_id: i64, reason: &'a str },
}

/// Schedules a delivery (once, however often asked).
pub fn schedule(
    conn: &mut AnyConnection,
    event_id: i64,
    to: Receiver,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let common = (
        deliveries::event_id.eq(event_id),
        deliveries::status.eq("pending"),
        deliveries::next_attempt_at.eq(to_db(now)),
        deliveries::created_at.eq(to_db(now)),
    );
    per_backend!(conn, |c| match to {
        Receiver::Webhook { subscription_id } => diesel::insert_into(deliveries::table)
            .values((common, deliveries::subscription_id.eq(subscription_id)))
            .on_conflict((deliveries::event_id, deliveries::subscription_id))
            .do_nothing()
            .execute(c),
        Receiver::Mail { recipient_id, reason } => diesel::insert_into(deliveries::table)
            .values((
                common,
                deliveries::recipient_id.eq(recipient_id),
                deliveries::reason.eq(reason)
            ))
            .on_conflict((deliveries::event_id, deliveries::recipient_id))
            .do_nothing()
            .execute(c),
    })
    .map(drop)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Webhooks,
    Mail,
}

/// A delivery to attempt now.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    /// Attempts made before this one.
    pub attempts: i32,
    pub subscription_id: Option<i64>,
    pub recipient_id: Option<i64>,
    pub reason: Option<String>,
    pub event: EventRow,
}

/// Claims a channel's deliveries due at `now`: they are not due again before `lease_until`,
/// so that another worker (or instance) does not attempt them meanwhile. A worker that dies
/// holding a claim only delays the delivery until the lease runs out. A paused
/// subscription's deliveries wait until it is active again.
pub fn claim_due(
    conn: &mut AnyConnection,
    channel: Channel,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let active = subscriptions::table
        .filter(subscriptions::active.eq(true))
        .select(subscriptions::id.nullable());
    let mail = channel == Channel::Mail;
    let of_channel = mail
        .into_sql::<Bool>()
        .and(deliveries::recipient_id.is_not_null())
        .or((!mail).into_sql::<Bool>().and(deliveries::subscription_id.eq_any(active)));
    let due = deliveries::table
        .filter(deliveries::status.eq("pending"))
        .filter(deliveries::next_attempt_at.le(to_db(now)))
        .filter(of_channel)
        .order((deliveries::next_attempt_at, deliveries::id))
        .limit(limit)
        .select((
            deliveries::id,
            deliveries::attempts,
            deliveries::subscription_id,
            deliveries::recipient_id,
            deliveries::reason,
            deliveries::event_id,
        ));
    type Row = (i64, i32, Option<i64>, Option<i64>, Option<String>, i64);
    let claimed: Vec<Row> = match conn {
        AnyConnection::Postgresql(c) => due.for_update().skip_locked().load(c)?,
        AnyConnection::Sqlite(c) => due.load(c)?,
    };
    let ids: Vec<i64> = claimed.iter().map(|c| c.0).collect();
    diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
        .set(deliveries::next_attempt_at.eq(to_db(lease_until)))
        .execute(conn)?;
    let event_ids: Vec<i64> = claimed.iter().map(|c| c.5).collect();
    let rows: Vec<EventRow> = events::table
        .filter(events::id.eq_any(&event_ids))
        .select(events::all_columns)
        .load(conn)?;
    Ok(claimed
        .into_iter()
        .filter_map(|(id, attempts, subscription_id, recipient_id, reason, event)| {
            Some(Claimed {
                id,
                attempts,
                subscription_id,
                recipient_id,
                reason,
                event: rows.iter().find(|e| e.id == event)?.clone(),
            })
        })
        .collect())
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `status`: the receiver's HTTP status (webhooks).
    Delivered { status: Option<u16> },
    /// Try again at `next_attempt_at`.
    Retry { status: Option<u16>, error: String, next_attempt_at: DateTime<Utc> },
    /// Given up.
    Failed { status: Option<u16>, error: String },
}

pub fn record(
    conn: &mut AnyConnection,
    id: i64,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let code = |s: &Option<u16>| s.map(i32::from);
    let target = deliveries::table.find(id);
    let attempted = deliveries::attempts.eq(deliveries::attempts + 1);
    match outcome {
        Outcome::Delivered { status } => diesel::update(target)
            .set((
                attempted,
                deliveries::status.eq("delivered"),
                deliveries::last_status.eq(code(status)),
                deliveries::last_error.eq(None::<String>),
                deliveries::delivered_at.eq(to_db(now)),
            ))
            .execute(conn),
        Outcome::Retry { status, error, next_attempt_at } => diesel::update(target)
            .set((
                attempted,
                deliveries::last_status.eq(code(status)),
                deliveries::last_error.eq(error),
                deliveries::next_attempt_at.eq(to_db(*next_attempt_at)),
            ))
            .execute(conn),
        Outcome::Failed { status, error } => diesel::update(target)
            .set((
                attempted,
                deliveries::status.eq("failed"),
                deliveries::last_status.eq(code(status)),
                deliveries::last_error.eq(error),
            ))
            .execute(conn),
    }
    .map(drop)
}

#[derive(Debug, Clone, Queryable)]
pub struct LogRow {
    pub id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A subscription's delivery log, newest first, before the id `before`.
pub fn log(
    conn: &mut AnyConnection,
    subscription_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<LogRow>> {
    deliveries::table
        .inner_join(events::table)
        .filter(deliveries::subscription_id.eq(subscription_id))
        .filter(deliveries::id.lt(before.unwrap_or(i64::MAX)))
        .order(deliveries::id.desc())
        .limit(limit)
        .select((
            deliveries::id,
            deliveries::event_id,
            events::event_type,
            deliveries::status,
            deliveries::attempts,
            deliveries::next_attempt_at,
            deliveries::last_status,
            deliveries::last_error,
            deliveries::delivered_at,
            deliveries::created_at,
        ))
        .load(conn)
}
