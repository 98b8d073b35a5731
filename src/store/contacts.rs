//! Contact moments with the client.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::contacts;
use crate::domain::lifecycle::{Contact, ContactChannel};

#[derive(Debug, Clone, Queryable)]
pub struct ContactRow {
    pub id: i64,
    pub complaint_id: i64,
    pub at: NaiveDateTime,
    pub channel: String,
    pub summary: String,
    pub still_handling: bool,
    pub follow_up_due_at: Option<NaiveDateTime>,
    pub recorded_by_id: i64,
    pub created_at: NaiveDateTime,
}

pub struct NewContact<'a> {
    pub complaint_id: i64,
    pub contact: Contact,
    pub channel: ContactChannel,
    pub summary: &'a str,
    pub still_handling: bool,
    pub recorded_by_id: i64,
    pub now: DateTime<Utc>,
}

pub fn insert(conn: &mut AnyConnection, new: NewContact<'_>) -> QueryResult<ContactRow> {
    diesel::insert_into(contacts::table)
        .values((
            contacts::complaint_id.eq(new.complaint_id),
            contacts::at.eq(to_db(new.contact.at)),
            contacts::channel.eq(new.channel.as_str()),
            contacts::summary.eq(new.summary),
            contacts::still_handling.eq(new.still_handling),
            contacts::follow_up_due_at.eq(new.contact.follow_up_due_at.map(to_db)),
            contacts::recorded_by_id.eq(new.recorded_by_id),
            contacts::created_at.eq(to_db(new.now)),
        ))
        .returning(contacts::all_columns)
        .get_result(conn)
}

/// A complaint's contacts in the order they took place.
pub fn for_complaint(conn: &mut AnyConnection, complaint_id: i64) -> QueryResult<Vec<ContactRow>> {
    contacts::table
        .filter(contacts::complaint_id.eq(complaint_id))
        .order((contacts::at.asc(), contacts::id.asc()))
        .select(contacts::all_columns)
        .load(conn)
}
