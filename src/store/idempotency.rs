//! Answers to commands sent with an idempotency key, so that a retry gets the first answer
//! instead of doing the work twice. The answer is the operation's result, as JSON.
//!
//! (`response_status` is no longer written: an answer's HTTP status follows from its
//! operation. Keys stored by versions before the operations layer carry fingerprints of
//! another form, so a retry that spans the upgrade is answered as a reused key.)

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::schema::idempotency_keys as keys;
use crate::db::{AnyConnection, FixedSql};
use crate::per_backend;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: the caller does the work and then [`complete`]s the key.
    Fresh,
    /// The key was used before for the same request: here is the answer it got.
    Replay { answer: String },
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
    (now, expired_before): (DateTime<Utc>, DateTime<Utc>),
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
    // A key older than its lifetime is new again, whatever it was used for.
    let renewed = diesel::update(
        keys::table.find((staff_id, key)).filter(keys::created_at.lt(to_db(expired_before))),
    )
    .set((
        keys::request_fingerprint.eq(fingerprint),
        keys::response_body.eq(""),
        keys::created_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    if renewed == 1 {
        return Ok(Claim::Fresh);
    }
    let (stored_fingerprint, stored): (String, String) = keys::table
        .find((staff_id, key))
        .select((keys::request_fingerprint, keys::response_body))
        .first(conn)?;
    Ok(if stored_fingerprint == fingerprint {
        Claim::Replay { answer: stored }
    } else {
        Claim::Mismatch
    })
}

/// Stores the answer to a freshly claimed key, in the same transaction as the work, filed
/// under the complaint it is about.
pub fn complete(
    conn: &mut AnyConnection,
    (staff_id, key): (i64, &str),
    answer: &str,
    complaint_id: Option<i64>,
) -> QueryResult<()> {
    FixedSql(
        diesel::update(keys::table.find((staff_id, key)))
            .set((keys::response_body.eq(answer), keys::complaint_id.eq(complaint_id)))
            .returning(keys::staff_id),
    )
    .get_result::<i64>(conn)
    .map(drop)
}

/// Deletes the keys claimed before `before`, with their answers.
pub fn delete_before(conn: &mut AnyConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(keys::table.filter(keys::created_at.lt(to_db(before)))).execute(conn)
}
