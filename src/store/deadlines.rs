//! Deadlines to announce — due soon or passed — and whether they were announced.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use strum::VariantArray;

use super::{Dialect, to_db};
use crate::db::AnyConnection;
use crate::db::schema::{complaints, deadline_notices};
use crate::domain::complaint::ComplaintStatus;
use crate::domain::deadlines::{Deadline, Notice};
use crate::per_backend;

/// A deadline of a complaint with a notice due that was not announced yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unannounced {
    pub complaint_id: i64,
    pub organisation_id: i64,
    pub reference: String,
    pub deadline: Deadline,
    pub notice: Notice,
    pub due_at: NaiveDateTime,
    pub handler_id: i64,
    pub subject_id: i64,
    pub coordinator_id: Option<i64>,
}

/// [`Unannounced`] as the query answers it: the deadline and the notice by name.
#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    complaint_id: i64,
    #[diesel(sql_type = BigInt)]
    organisation_id: i64,
    #[diesel(sql_type = Text)]
    reference: String,
    #[diesel(sql_type = Text)]
    deadline: String,
    #[diesel(sql_type = Text)]
    notice: String,
    #[diesel(sql_type = Timestamp)]
    due_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    handler_id: i64,
    #[diesel(sql_type = BigInt)]
    subject_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    coordinator_id: Option<i64>,
}

impl TryFrom<Row> for Unannounced {
    type Error = diesel::result::Error;

    fn try_from(row: Row) -> QueryResult<Unannounced> {
        let unknown = |e: String| diesel::result::Error::DeserializationError(e.into());
        Ok(Unannounced {
            deadline: Deadline::parse(&row.deadline).map_err(unknown)?,
            notice: Notice::parse(&row.notice).map_err(unknown)?,
            complaint_id: row.complaint_id,
            organisation_id: row.organisation_id,
            reference: row.reference,
            due_at: row.due_at,
            handler_id: row.handler_id,
            subject_id: row.subject_id,
            coordinator_id: row.coordinator_id,
        })
    }
}

/// Open complaints, of every organisation, with a deadline that is due soon or passed at
/// `now` and was not announced as such.
pub fn unannounced(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<Unannounced>> {
    let dialect = Dialect::of(conn);
    let rows: Vec<Row> = dialect
        .query(&format!("{} LIMIT $2", unannounced_sql(&dialect)))
        .bind::<Timestamp, _>(to_db(now))
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    rows.into_iter().map(Unannounced::try_from).collect()
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

/// Records every notice due at `now` — a deadline that passed, or runs out soon — as
/// announced then, without announcing it: for a generated history (`seed`), whose deadlines
/// a running service would have announced as they came near and passed. Returns how many.
pub fn mark_due_as_announced(conn: &mut AnyConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    let dialect = Dialect::of(conn);
    dialect
        .query(&format!(
            "INSERT INTO deadline_notices (complaint_id, deadline, due_at, notice, noticed_at) \
             SELECT complaint_id, deadline, due_at, notice, $1 FROM ({}) AS due",
            unannounced_sql(&dialect)
        ))
        .bind::<Timestamp, _>(to_db(now))
        .execute(conn)
}

/// The SQL form of the notices' rules (`domain::deadlines::Notice`), per deadline, for
/// deadlines not yet announced so; `$1` is now. Overdue is `domain::deadlines::is_overdue`;
/// due soon is from the organisation's `due_soon_hours` before the deadline until the
/// deadline itself, while it is not met.
fn unannounced_sql(dialect: &Dialect) -> String {
    let open: Vec<String> = ComplaintStatus::VARIANTS
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let open = open.join(", ");
    let select = |notice: Notice, deadline: Deadline| {
        let (column, unmet) = match deadline {
            Deadline::Response => ("c.response_due_at", "c.first_response_at IS NULL"),
            // A later contact or the decision clears the date.
            Deadline::FollowUp => ("c.follow_up_due_at", "TRUE"),
        };
        let when = match notice {
            Notice::Overdue => format!("{column} < $1"),
            Notice::DueSoon => format!(
                "{column} >= $1 AND {}",
                dialect.at_most_hours_after("$1", column, "o.due_soon_hours")
            ),
        };
        let (deadline, notice) = (deadline.as_str(), notice.as_str());
        format!(
            "SELECT c.id AS complaint_id, c.organisation_id, c.reference,
                    '{deadline}' AS deadline, '{notice}' AS notice, {column} AS due_at,
                    c.handler_id, c.subject_id, c.coordinator_id
             FROM complaints c JOIN organisations o ON o.id = c.organisation_id
             WHERE c.status IN ({open}) AND {column} IS NOT NULL AND {unmet} AND {when}
               AND NOT EXISTS (SELECT 1 FROM deadline_notices n
                               WHERE n.complaint_id = c.id AND n.deadline = '{deadline}'
                                 AND n.due_at = {column} AND n.notice = '{notice}')"
        )
    };
    let selects: Vec<String> = Notice::VARIANTS
        .iter()
        .flat_map(|notice| Deadline::VARIANTS.iter().map(|deadline| select(*notice, *deadline)))
        .collect();
    selects.join(" UNION ALL ")
}

/// Records that a notice of a deadline was announced; `false` if it already was (by this or
/// another instance), in which case nothing may be announced again.
pub fn announce(
    conn: &mut AnyConnection,
    due: &Unannounced,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let inserted = per_backend!(conn, |c| {
        diesel::insert_into(deadline_notices::table)
            .values((
                deadline_notices::complaint_id.eq(due.complaint_id),
                deadline_notices::deadline.eq(due.deadline.as_str()),
                deadline_notices::due_at.eq(due.due_at),
                deadline_notices::notice.eq(due.notice.as_str()),
                deadline_notices::noticed_at.eq(to_db(now)),
            ))
            .on_conflict((
                deadline_notices::complaint_id,
                deadline_notices::deadline,
                deadline_notices::due_at,
                deadline_notices::notice,
            ))
            .do_nothing()
            .execute(c)
    })?;
    Ok(inserted == 1)
}
