//! The dossier's documents, kept in the database: a document and the event that records it
//! commit together or not at all.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::documents;

/// A document without its content.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DocumentRow {
    pub id: i64,
    pub complaint_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by_id: i64,
    pub uploaded_at: NaiveDateTime,
}

const DESCRIPTION: (
    documents::id,
    documents::complaint_id,
    documents::filename,
    documents::content_type,
    documents::size_bytes,
    documents::sha256,
    documents::uploaded_by_id,
    documents::uploaded_at,
) = (
    documents::id,
    documents::complaint_id,
    documents::filename,
    documents::content_type,
    documents::size_bytes,
    documents::sha256,
    documents::uploaded_by_id,
    documents::uploaded_at,
);

pub struct NewDocument<'a> {
    pub organisation_id: i64,
    pub complaint_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub content: &'a [u8],
    pub uploaded_by_id: i64,
    pub now: DateTime<Utc>,
}

pub fn insert(conn: &mut AnyConnection, new: NewDocument<'_>) -> QueryResult<DocumentRow> {
    diesel::insert_into(documents::table)
        .values((
            documents::organisation_id.eq(new.organisation_id),
            documents::complaint_id.eq(new.complaint_id),
            documents::filename.eq(new.filename),
            documents::content_type.eq(new.content_type),
            documents::size_bytes.eq(i64::try_from(new.content.len()).unwrap_or(i64::MAX)),
            documents::sha256.eq(new.sha256),
            documents::content.eq(new.content),
            documents::uploaded_by_id.eq(new.uploaded_by_id),
            documents::uploaded_at.eq(to_db(new.now)),
        ))
        .returning(DESCRIPTION)
        .get_result(conn)
}

/// A complaint's documents, oldest first.
pub fn for_complaint(conn: &mut AnyConnection, complaint_id: i64) -> QueryResult<Vec<DocumentRow>> {
    documents::table
        .filter(documents::complaint_id.eq(complaint_id))
        .order(documents::id.asc())
        .select(DESCRIPTION)
        .load(conn)
}

/// One document of a complaint, with its content.
pub fn find_with_content(
    conn: &mut AnyConnection,
    complaint_id: i64,
    id: i64,
) -> QueryResult<Option<(DocumentRow, Vec<u8>)>> {
    documents::table
        .filter(documents::complaint_id.eq(complaint_id))
        .filter(documents::id.eq(id))
        .select((DESCRIPTION, documents::content))
        .first(conn)
        .optional()
}

/// Does this document belong to this complaint?
pub fn belongs_to(conn: &mut AnyConnection, complaint_id: i64, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        documents::table
            .filter(documents::complaint_id.eq(complaint_id))
            .filter(documents::id.eq(id)),
    ))
    .get_result(conn)
}
