//! Erasing one complaint's personal data, driven by the one list of what is personal
//! (`domain::personal::COLUMNS`): every column listed as personal is erased in the rows of
//! the complaint — so a personal column added to a table here is erased without a change to
//! this file, and a table of personal data this file does not know of fails its test.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use super::{Dialect, to_db};
use crate::db::AnyConnection;
use crate::db::schema::complaints;
use crate::domain::complaint::ComplaintStatus;
use crate::domain::erasure::MARKER;
use crate::domain::events::EventType;
use crate::domain::personal::{COLUMNS, Holds};
use crate::store::complaints::ComplaintRow;
use crate::store::event_texts;

/// Where a table's rows of one complaint are (`$1` is the complaint's id), and what becomes
/// of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rows {
    /// Their personal columns are blanked; the rows stay, with what is procedural in them.
    Blank(&'static str),
    /// They are deleted: nothing in them is worth keeping once their text is gone.
    Delete(&'static str),
    /// Erased by the store of their own: the events' texts (`event_texts`), whose events are
    /// append-only and keep their commitments.
    Elsewhere,
}

/// The complaint's corrective actions (improvement actions are the firm's, about many).
macro_rules! corrective_actions {
    () => {
        "SELECT a.id FROM actions a JOIN action_complaints l ON l.action_id = a.id \
         WHERE l.complaint_id = $1 AND a.kind = 'corrective'"
    };
}

fn rows_of(table: &str) -> Option<Rows> {
    Some(match table {
        "complaints" => Rows::Blank("id = $1"),
        "contacts" | "documents" => Rows::Blank("complaint_id = $1"),
        "actions" => Rows::Blank(concat!("id IN (", corrective_actions!(), ")")),
        "action_notes" | "evaluation_assessments" => {
            Rows::Blank(concat!("action_id IN (", corrective_actions!(), ")"))
        }
        "idempotency_keys" => Rows::Delete("complaint_id = $1"),
        "event_texts" => Rows::Elsewhere,
        _ => return None,
    })
}

/// Personal columns that are emptied (`NULL`) rather than marked: the contact details, the
/// identifiers and the root cause, all optional, which an erasure leaves as if never filled in
/// — a marker would make a value of them (the overview would count a client called
/// `[gewist]`). Every other personal text reads [`MARKER`] where it held something.
const EMPTIED: &[(&str, &str)] = &[
    ("complaints", "complainant_name"),
    ("complaints", "complainant_email"),
    ("complaints", "complainant_phone"),
    ("complaints", "complainant_street"),
    ("complaints", "complainant_postal_code"),
    ("complaints", "complainant_city"),
    ("complaints", "complainant_country"),
    ("complaints", "client_id"),
    ("complaints", "client_name"),
    ("complaints", "matter_reference"),
    ("complaints", "root_cause"),
];

/// Binary personal columns: their bytes are deleted (the document keeps its size and sha256).
const BINARY: &[(&str, &str)] = &[("documents", "content")];

/// Erases every personal column of the complaint's rows (one UPDATE per table), deletes what
/// holds nothing else and the texts of its events, deletes its read log up to `now`, and
/// marks it erased. Inside the caller's transaction; `None` if the complaint's row no longer
/// has `version`.
pub fn erase(
    conn: &mut AnyConnection,
    (complaint_id, version): (i64, i32),
    now: DateTime<Utc>,
) -> QueryResult<Option<ComplaintRow>> {
    let dialect = Dialect::of(conn);
    // A constant of ours, quoted as SQL: only the complaint's id is bound.
    let marker = format!("'{}'", MARKER.replace('\'', "''"));
    let mut blanked: Vec<(&str, &str, Vec<String>)> = Vec::new();
    let mut deleted: Vec<(&str, &str)> = Vec::new();
    for &(table, column, holds) in COLUMNS {
        if holds != Holds::Personal {
            continue;
        }
        let scope = match rows_of(table) {
            Some(Rows::Blank(scope)) => scope,
            Some(Rows::Delete(scope)) => {
                if !deleted.contains(&(table, scope)) {
                    deleted.push((table, scope));
                }
                continue;
            }
            Some(Rows::Elsewhere) => continue,
            // The test below keeps this from happening.
            None => {
                let unknown = format!("no rows of a complaint are known in {table}");
                return Err(diesel::result::Error::QueryBuilderError(unknown.into()));
            }
        };
        let value = if EMPTIED.contains(&(table, column)) {
            "NULL".to_owned()
        } else if BINARY.contains(&(table, column)) {
            dialect.empty_bytes().to_owned()
        } else {
            format!("CASE WHEN {column} IS NULL THEN NULL ELSE {marker} END")
        };
        let set = format!("{column} = {value}");
        match blanked.iter_mut().find(|(t, _, _)| *t == table) {
            Some((_, _, sets)) => sets.push(set),
            None => blanked.push((table, scope, vec![set])),
        }
    }
    for (table, scope) in deleted {
        let delete = format!("DELETE FROM {table} WHERE {scope}");
        dialect.query(&delete).bind::<BigInt, _>(complaint_id).execute(conn)?;
    }
    for (table, scope, sets) in blanked {
        let update = format!("UPDATE {table} SET {} WHERE {scope}", sets.join(", "));
        dialect.query(&update).bind::<BigInt, _>(complaint_id).execute(conn)?;
    }
    event_texts::erase_of_complaint(conn, complaint_id)?;
    // Who read the complaint, and when, is about the complainant's file too.
    dialect
        .query("DELETE FROM reads WHERE complaint_id = $1 AND read_at <= $2")
        .bind::<BigInt, _>(complaint_id)
        .bind::<Timestamp, _>(to_db(now))
        .execute(conn)?;
    diesel::update(
        complaints::table
            .filter(complaints::id.eq(complaint_id))
            .filter(complaints::version.eq(version)),
    )
    .set((
        complaints::erased_at.eq(Some(to_db(now))),
        complaints::version.eq(complaints::version + 1),
        complaints::updated_at.eq(to_db(now)),
    ))
    .returning(complaints::all_columns)
    .get_result(conn)
    .optional()
}

/// The finished complaints of one organisation past its retention term — closed, or
/// withdrawn, before `ended_before` — that are not erased yet, oldest id first.
pub fn past_retention(
    conn: &mut AnyConnection,
    organisation_id: i64,
    ended_before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let (closed, withdrawn, withdrawal) = (
        ComplaintStatus::Closed.as_str(),
        ComplaintStatus::Withdrawn.as_str(),
        EventType::ComplaintWithdrawn.as_str(),
    );
    // A withdrawal sets no column of its own: its moment is its event's.
    let ids: Vec<Id> = Dialect::of(conn)
        .query(&format!(
            "SELECT c.id FROM complaints c
             WHERE c.organisation_id = $1 AND c.erased_at IS NULL
               AND ((c.status = '{closed}' AND c.closed_at < $2)
                    OR (c.status = '{withdrawn}'
                        AND (SELECT MAX(e.occurred_at) FROM events e
                             WHERE e.complaint_id = c.id AND e.event_type = '{withdrawal}') < $2))
             ORDER BY c.id LIMIT $3"
        ))
        .bind::<BigInt, _>(organisation_id)
        .bind::<Timestamp, _>(to_db(ended_before))
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    Ok(ids.into_iter().map(|row| row.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_with_personal_data_is_known_here() {
        for (table, column, holds) in COLUMNS {
            if *holds == Holds::Personal {
                assert!(rows_of(table).is_some(), "{table}.{column}: where are its rows?");
            }
        }
        for (table, column) in EMPTIED.iter().chain(BINARY) {
            assert!(
                COLUMNS.contains(&(table, column, Holds::Personal)),
                "{table}.{column} is not listed as personal"
            );
        }
    }
}
