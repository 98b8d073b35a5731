//! Deadlines that passed, and whether they were announced.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use strum::VariantArray;

use super::{Dialect, to_db};
use crate::db::AnyConnection;
use crate::db::schema::{complaints, deadline_notices};
use crate::domain::complaint::ComplaintStatus;
use crate::per_backend;

/// A complaint whose deadline passed without an announcement yet.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Overdue {
    #[diesel(sql_type = BigInt)]
    pub complaint_id: i64,
    #[diesel(sql_type = BigInt)]
    pub organisation_id: i64,
    #[diesel(sql_type = Text)]
    pub reference: String,
    /// `response` or `follow_up`.
    #[diesel(sql_type = Text)]
    pub deadline: String,
    #[diesel(sql_type = Timestamp)]
    pub due_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub handler_id: i64,
    #[diesel(sql_type = BigInt)]
    pub subject_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub coordinator_id: Option<i64>,
}

/// Open complaints, of every organisation, with a deadline that passed before `now` and was
/// not announced.
pub fn unannounced(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Overdue>> {
    Dialect::of(conn)
        .query(&format!("{} LIMIT $2", unannounced_sql()))
        .bind::<Timestamp, _>(to_db(now))
        .bind::<BigInt, _>(limit)
        .load(conn)
}

/// Locks the rows of the complaints `ids`, in id order, until the transaction ends (on
/// PostgreSQL; SQLite's write transactions are serial already). Every command locks its
/// complaint's row before the chain head; a sweep that announced one complaint (holding the
/// head) and then touched the next one's row would deadlock with a command on that one.
pub fn lock_complaints(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<()> {
    if let AnyConnection::Postgresql(c) = conn {
        complaints::table
            .filter(complaints::id.eq_any(ids))
            .order(complaints::id)
            .select(complaints::id)
            .for_update()
            .load::<i64>(c)?;
    }
    Ok(())
}

/// Records every deadline that passed before `now` as announced then, without announcing it:
/// for a generated history (`seed`), whose deadlines a running service would have announced
/// as they passed. Returns how many.
pub fn mark_passed_as_announced(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    Dialect::of(conn)
        .query(&format!(
            "INSERT INTO deadline_notices (complaint_id, deadline, due_at, noticed_at) \
             SELECT complaint_id, deadline, due_at, $1 FROM ({}) AS passed",
            unannounced_sql()
        ))
        .bind::<Timestamp, _>(to_db(now))
        .execute(conn)
}

/// The SQL form of `domain::deadlines::is_overdue`, per deadline, for deadlines not yet
/// announced; `$1` is now.
fn unannounced_sql() -> String {
    let open: Vec<String> = ComplaintStatus::VARIANTS
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let open = open.join(", ");
    let select = |deadline: &str, column: &str, condition: &str| {
        format!(
            "SELECT c.id AS complaint_id, c.organisation_id, c.reference, '{deadline}' AS deadline,
                    c.{column} AS due_at, c.handler_id, c.subject_id, c.coordinator_id
             FROM complaints c
             WHERE c.status IN ({open}) AND c.{column} IS NOT NULL AND c.{column} < $1 AND {condition}
               AND NOT EXISTS (SELECT 1 FROM deadline_notices n
                               WHERE n.complaint_id = c.id AND n.deadline = '{deadline}' AND n.due_at = c.{column})"
        )
    };
    format!(
        "{} UNION ALL {}",
        select("response", "response_due_at", "c.first_response_at IS NULL"),
        select("follow_up", "follow_up_due_at", "TRUE"),
    )
}

/// Records that a deadline was announced; `false` if it already was (by this or another
/// instance), in which case nothing may be announced again.
pub fn announce(
    conn: &mut AnyConnection,
    overdue: &Overdue,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let inserted = per_backend!(conn, |c| {
        diesel::insert_into(deadline_notices::table)
            .values((
                deadline_notices::complaint_id.eq(overdue.complaint_id),
                deadline_notices::deadline.eq(&overdue.deadline),
                deadline_notices::due_at.eq(overdue.due_at),
                deadline_notices::noticed_at.eq(to_db(now)),
            ))
            .on_conflict((
                deadline_notices::complaint_id,
                deadline_notices::deadline,
                deadline_notices::due_at,
            ))
            .do_nothing()
            .execute(c)
    })?;
    Ok(inserted == 1)
}
