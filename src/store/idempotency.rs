//! Stored answers to creating requests sent with an `Idempotency-Key`, so that a retry gets
//! the first answer instead of creating a second thing.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::idempotency_keys as keys;
use crate::per_backend;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: the caller does the work and then [`complete`]s the key.
    Fresh,
    /// The key was used before for the same request: here is the answer it got.
    Replay { status: u16, body: String },
    /// The key was used before for a different request.
    Mismatch,
}

/// Claims a key inside the caller's transaction. On PostgreSQL a concurrent claim of the same
/// key waits here until the first transaction ends, and then sees its stored answer.
pub fn claim(
    conn: &mut AnyConnection,
    staff_id: i64,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> QueryResult<Claim> {
    let inserted = per_backend!(conn, |c| {
        diesel::insert_into(keys::table)
            .values((
                keys::staff_id.eq(staff_id),
                keys::idempotency_key.eq(key),
                keys::request_fingerprint.eq(fingerprint),
                keys::response_status.eq(0),
                keys::response_body.eq(""),
                keys::created_at.eq(to_db(now)),
            ))
            .on_conflict((keys::staff_id, keys::idempotency_key))
            .do_nothing()
            .execute(c)
    })?;
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (stored_fingerprint, status, body): (String, i32, String) = keys::table
        .find((staff_id, key))
        .select((keys::request_fingerprint, keys::response_status, keys::response_body))
        .first(conn)?;
    Ok(if stored_fingerprint != fingerprint {
        Claim::Mismatch
    } else {
        Claim::Replay { status: u16::try_from(status).unwrap_or(500), body }
    })
}

/// Stores the answer to a freshly claimed key, in the same transaction as the work.
pub fn complete(
    conn: &mut AnyConnection,
    staff_id: i64,
    key: &str,
    status: u16,
    body: &str,
) -> QueryResult<()> {
    diesel::update(keys::table.find((staff_id, key)))
        .set((keys::response_status.eq(i32::from(status)), keys::response_body.eq(body)))
        .execute(conn)
        .map(drop)
}
