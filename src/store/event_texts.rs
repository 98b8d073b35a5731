//! The texts events commit to (`domain::commitment`), with their salts: unlike the events
//! themselves, these rows can be deleted, which is how a complaint's texts are erased
//! without touching its timeline's hashes.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{event_texts, events};
use crate::domain::commitment::Sealed;
use crate::per_backend;

/// Keeps the texts taken out of event `event_id`, in the transaction that appends it.
pub fn insert(conn: &mut AnyConnection, event_id: i64, sealed: &[Sealed]) -> QueryResult<()> {
    if sealed.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = sealed
        .iter()
        .map(|s| {
            (
                event_texts::event_id.eq(event_id),
                event_texts::field.eq(&s.field),
                event_texts::salt.eq(s.salt.as_slice()),
                event_texts::text.eq(&s.text),
            )
        })
        .collect();
    // One statement for all of them; the multi-backend has no batch insert of its own.
    per_backend!(conn, |c| diesel::insert_into(event_texts::table).values(&rows).execute(c))?;
    Ok(())
}

/// What is left of the events' texts: `(salt, text)` by field, by event.
pub type Texts = HashMap<i64, HashMap<String, (Vec<u8>, String)>>;

/// The texts still kept for these events.
pub fn of_events(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<Texts> {
    let rows: Vec<(i64, String, Vec<u8>, String)> = event_texts::table
        .filter(event_texts::event_id.eq_any(ids))
        .select((event_texts::event_id, event_texts::field, event_texts::salt, event_texts::text))
        .load(conn)?;
    let mut texts = Texts::new();
    for (event_id, field, salt, text) in rows {
        texts.entry(event_id).or_default().insert(field, (salt, text));
    }
    Ok(texts)
}

/// Erases the texts, with their salts, of every event of a complaint's timeline; answers
/// how many were deleted. The events keep their commitments, so the chain still verifies
/// and the timeline shows each text as erased.
pub fn erase_of_complaint(conn: &mut AnyConnection, complaint_id: i64) -> QueryResult<usize> {
    let of_complaint =
        events::table.filter(events::complaint_id.eq(complaint_id)).select(events::id);
    diesel::delete(event_texts::table.filter(event_texts::event_id.eq_any(of_complaint)))
        .execute(conn)
}

/// Erases the texts, with their salts, of these events; answers how many were deleted. The
/// events keep their commitments.
pub fn erase_of_events(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::delete(event_texts::table.filter(event_texts::event_id.eq_any(ids))).execute(conn)
}
