//! The organisations' own letter templates.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::letter_templates;
use crate::per_backend;

#[derive(Debug, Clone, Queryable)]
pub struct LetterTemplateRow {
    pub organisation_id: i64,
    pub kind: String,
    pub body: String,
    pub version: i32,
    pub updated_by_id: i64,
    pub updated_at: chrono::NaiveDateTime,
}

pub fn find(
    conn: &mut AnyConnection,
    organisation_id: i64,
    kind: &str,
) -> QueryResult<Option<LetterTemplateRow>> {
    letter_templates::table
        .find((organisation_id, kind))
        .select(letter_templates::all_columns)
        .first(conn)
        .optional()
}

/// A template's new text. The first is written as version 1 unless another first was written
/// meanwhile (two coordinators at once); a later one only over the version it was based on.
/// `None` when the row changed meanwhile, either way.
pub fn save(
    conn: &mut AnyConnection,
    (organisation_id, kind): (i64, &str),
    based_on: Option<i32>,
    (body, by): (&str, i64),
    now: DateTime<Utc>,
) -> QueryResult<Option<LetterTemplateRow>> {
    let Some(version) = based_on else {
        let first = (
            letter_templates::organisation_id.eq(organisation_id),
            letter_templates::kind.eq(kind),
            letter_templates::body.eq(body),
            letter_templates::version.eq(1),
            letter_templates::updated_by_id.eq(by),
            letter_templates::updated_at.eq(to_db(now)),
        );
        // The loser of the race writes nothing and gets no row back, as a stale version does.
        return per_backend!(conn, |c| diesel::insert_into(letter_templates::table)
            .values(first)
            .on_conflict((letter_templates::organisation_id, letter_templates::kind))
            .do_nothing()
            .returning(letter_templates::all_columns)
            .get_result(c)
            .optional());
    };
    diesel::update(
        letter_templates::table
            .find((organisation_id, kind))
            .filter(letter_templates::version.eq(version)),
    )
    .set((
        letter_templates::body.eq(body),
        letter_templates::version.eq(version + 1),
        letter_templates::updated_by_id.eq(by),
        letter_templates::updated_at.eq(to_db(now)),
    ))
    .returning(letter_templates::all_columns)
    .get_result(conn)
    .optional()
}
