//! The read log: who read which complaint's details or document, and when.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::reads;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    pub organisation_id: i64,
    pub complaint_id: i64,
    pub document_id: Option<i64>,
    pub staff_id: i64,
    pub read_at: DateTime<Utc>,
}

/// Writes a batch of reads (one row each: the multi-backend has no batch insert).
pub fn insert_all(conn: &mut AnyConnection, batch: &[Read]) -> QueryResult<()> {
    for read in batch {
        diesel::insert_into(reads::table)
            .values((
                reads::organisation_id.eq(read.organisation_id),
                reads::complaint_id.eq(read.complaint_id),
                reads::document_id.eq(read.document_id),
                reads::staff_id.eq(read.staff_id),
                reads::read_at.eq(to_db(read.read_at)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct ReadRow {
    pub id: i64,
    pub document_id: Option<i64>,
    pub staff_id: i64,
    pub read_at: NaiveDateTime,
}

/// A complaint's reads, newest first, before the id `before` (keyset pagination).
pub fn for_complaint(
    conn: &mut AnyConnection,
    complaint_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<ReadRow>> {
    reads::table
        .filter(reads::complaint_id.eq(complaint_id))
        .filter(reads::id.lt(before.unwrap_or(i64::MAX)))
        .order(reads::id.desc())
        .limit(limit)
        .select((reads::id, reads::document_id, reads::staff_id, reads::read_at))
        .load(conn)
}
