//! Webhook subscriptions: where practice-management software wants to hear of which events.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::{deliveries, webhook_subscriptions as subscriptions};

#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Subscription {
    pub id: i64,
    pub organisation_id: i64,
    pub url: String,
    pub event_types: String,
    pub secret: String,
    pub active: bool,
    pub created_by_id: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a subscription says, as written.
#[derive(Debug, Clone, PartialEq, Eq, Insertable, AsChangeset)]
#[diesel(table_name = subscriptions)]
pub struct Terms {
    pub url: String,
    pub event_types: String,
    pub secret: String,
    pub active: bool,
}

impl Subscription {
    pub fn terms(&self) -> Terms {
        Terms {
            url: self.url.clone(),
            event_types: self.event_types.clone(),
            secret: self.secret.clone(),
            active: self.active,
        }
    }
}

pub fn create(
    conn: &mut AnyConnection,
    organisation_id: i64,
    terms: &Terms,
    created_by: i64,
    now: DateTime<Utc>,
) -> QueryResult<Subscription> {
    diesel::insert_into(subscriptions::table)
        .values((
            subscriptions::organisation_id.eq(organisation_id),
            terms,
            subscriptions::created_by_id.eq(created_by),
            subscriptions::created_at.eq(to_db(now)),
            subscriptions::updated_at.eq(to_db(now)),
        ))
        .returning(subscriptions::all_columns)
        .get_result(conn)
}

/// The organisation's subscriptions after the id `after`, oldest first.
pub fn list(
    conn: &mut AnyConnection,
    organisation_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Subscription>> {
    subscriptions::table
        .filter(subscriptions::organisation_id.eq(organisation_id))
        .filter(subscriptions::id.gt(after.unwrap_or(0)))
        .order(subscriptions::id)
        .limit(limit)
        .select(subscriptions::all_columns)
        .load(conn)
}

pub fn find(
    conn: &mut AnyConnection,
    organisation_id: i64,
    id: i64,
) -> QueryResult<Option<Subscription>> {
    subscriptions::table
        .filter(subscriptions::organisation_id.eq(organisation_id))
        .filter(subscriptions::id.eq(id))
        .select(subscriptions::all_columns)
        .first(conn)
        .optional()
}

pub fn save(
    conn: &mut AnyConnection,
    id: i64,
    based_on_version: i32,
    terms: &Terms,
    now: DateTime<Utc>,
) -> QueryResult<Option<Subscription>> {
    diesel::update(
        subscriptions::table
            .filter(subscriptions::id.eq(id))
            .filter(subscriptions::version.eq(based_on_version)),
    )
    .set((
        terms,
        subscriptions::version.eq(subscriptions::version + 1),
        subscriptions::updated_at.eq(to_db(now)),
    ))
    .returning(subscriptions::all_columns)
    .get_result(conn)
    .optional()
}

/// Removes a subscription with its delivery log.
pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    diesel::delete(deliveries::table.filter(deliveries::subscription_id.eq(id))).execute(conn)?;
    diesel::delete(subscriptions::table.find(id)).execute(conn).map(drop)
}

/// Every subscription of the organisation, paused ones included: what happens while a
/// subscription is paused is delivered when it is active again.
pub fn of_organisation(
    conn: &mut AnyConnection,
    organisation_id: i64,
) -> QueryResult<Vec<Subscription>> {
    subscriptions::table
        .filter(subscriptions::organisation_id.eq(organisation_id))
        .select(subscriptions::all_columns)
        .load(conn)
}

/// The subscriptions with these ids.
pub fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<Subscription>> {
    subscriptions::table
        .filter(subscriptions::id.eq_any(ids))
        .select(subscriptions::all_columns)
        .load(conn)
}
