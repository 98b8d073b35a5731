//! Staff as the service knows them: recorded from the tokens they present, or named (by id)
//! as a complaint's handler or subject before they ever sign in.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::{organisations, staff};
pub use crate::domain::roles::Person;
use crate::domain::roles::Roles;
use crate::per_backend;

#[derive(Debug, Clone, Queryable)]
pub struct Member {
    pub id: i64,
    pub subject: String,
    pub name: Option<String>,
    pub roles: String,
    pub last_seen_at: Option<chrono::NaiveDateTime>,
}

const MEMBER_COLUMNS: (staff::id, staff::subject, staff::name, staff::roles, staff::last_seen_at) =
    (staff::id, staff::subject, staff::name, staff::roles, staff::last_seen_at);

impl Member {
    pub fn roles(&self) -> Roles {
        Roles::from_stored(&self.roles)
    }
}

/// Records that the holder of a valid token was seen: creates the staff row on first sight,
/// keeps name and roles current. Returns `(organisation id, staff id)`, or `None` if the
/// organisation is unknown.
pub fn record_sighting(
    conn: &mut AnyConnection,
    organisation: &str,
    subject: &str,
    (name, email): (Option<&str>, Option<&str>),
    roles: Roles,
    now: DateTime<Utc>,
) -> QueryResult<Option<(i64, i64)>> {
    let Some(organisation_id) = organisations::table
        .filter(organisations::slug.eq(organisation))
        .select(organisations::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let roles = roles.to_stored();
    let staff_id = per_backend!(conn, |c| {
        diesel::insert_into(staff::table)
            .values((
                staff::organisation_id.eq(organisation_id),
                staff::subject.eq(subject),
                staff::name.eq(name),
                staff::email.eq(email),
                staff::roles.eq(&roles),
                staff::last_seen_at.eq(to_db(now)),
                staff::created_at.eq(to_db(now)),
            ))
            .on_conflict((staff::organisation_id, staff::subject))
            .do_update()
            .set((
                // A token without a name or address keeps what an earlier token gave.
                staff::name.eq(sql::<Nullable<Text>>("COALESCE(excluded.name, staff.name)")),
                staff::email.eq(sql::<Nullable<Text>>("COALESCE(excluded.email, staff.email)")),
                staff::roles.eq(&roles),
                staff::last_seen_at.eq(to_db(now)),
            ))
            .returning(staff::id)
            .get_result::<i64>(c)
    })?;
    Ok(Some((organisation_id, staff_id)))
}

/// The row id of a staff member named by their identity-provider id, recorded (without a
/// name, until they sign in) if the service has not seen them yet.
pub fn ensure(
    conn: &mut AnyConnection,
    organisation_id: i64,
    subject: &str,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    per_backend!(conn, |c| {
        diesel::insert_into(staff::table)
            .values((
                staff::organisation_id.eq(organisation_id),
                staff::subject.eq(subject),
                staff::created_at.eq(to_db(now)),
            ))
            .on_conflict((staff::organisation_id, staff::subject))
            .do_nothing()
            .execute(c)
    })?;
    staff::table
        .filter(staff::organisation_id.eq(organisation_id))
        .filter(staff::subject.eq(subject))
        .select(staff::id)
        .first(conn)
}

/// Like [`ensure`] for several people at once. They are recorded in a fixed order, so that
/// two registrations naming the same new people the other way round cannot deadlock.
pub fn ensure_all<const N: usize>(
    conn: &mut AnyConnection,
    organisation_id: i64,
    subjects: [&str; N],
    now: DateTime<Utc>,
) -> QueryResult<[i64; N]> {
    let mut order: Vec<&str> = subjects.to_vec();
    order.sort_unstable();
    order.dedup();
    let mut ids = HashMap::new();
    for subject in order {
        ids.insert(subject, ensure(conn, organisation_id, subject, now)?);
    }
    Ok(subjects.map(|s| ids[s]))
}

/// The row id of the staff member the service knows by this e-mail address (as their token
/// gave it), if exactly one has it.
pub fn find_by_email(
    conn: &mut AnyConnection,
    organisation_id: i64,
    email: &str,
) -> QueryResult<Option<i64>> {
    let ids: Vec<i64> = staff::table
        .filter(staff::organisation_id.eq(organisation_id))
        .filter(staff::email.eq(email))
        .select(staff::id)
        .limit(2)
        .load(conn)?;
    Ok(match ids[..] {
        [id] => Some(id),
        _ => None,
    })
}

/// The staff member with this identity-provider id, if the service knows them.
pub fn find_by_subject(
    conn: &mut AnyConnection,
    organisation_id: i64,
    subject: &str,
) -> QueryResult<Option<Member>> {
    staff::table
        .filter(staff::organisation_id.eq(organisation_id))
        .filter(staff::subject.eq(subject))
        .select(MEMBER_COLUMNS)
        .first(conn)
        .optional()
}

/// The organisation's staff in the order the service first recorded them, after the row id
/// `after` (keyset pagination).
pub fn list(
    conn: &mut AnyConnection,
    organisation_id: i64,
    after: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Member>> {
    let mut query = staff::table
        .filter(staff::organisation_id.eq(organisation_id))
        .order(staff::id.asc())
        .limit(limit)
        .select(MEMBER_COLUMNS)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(staff::id.gt(after));
    }
    query.load(conn)
}

/// The recipients of an event, as its data names them: `[{"id": …, "reason": …}]`, by the
/// identity provider's ids.
pub fn recipients(
    conn: &mut AnyConnection,
    told: Vec<(i64, crate::domain::notifications::Reason)>,
) -> QueryResult<serde_json::Value> {
    let ids: Vec<i64> = told.iter().map(|(id, _)| *id).collect();
    Ok(recipients_among(&people(conn, &ids)?, told))
}

/// [`recipients`], for a caller that has looked the people up already.
pub fn recipients_among(
    people: &HashMap<i64, Person>,
    told: Vec<(i64, crate::domain::notifications::Reason)>,
) -> serde_json::Value {
    told.into_iter()
        .filter_map(|(id, reason)| {
            people.get(&id).map(|p| serde_json::json!({"id": p.subject, "reason": reason}))
        })
        .collect()
}

/// How to show the organisation's staff members named by identity-provider id (two) or by
/// row id (up to three), by row id, in one query. Its parameters are as many whatever they
/// name, so it is prepared once per connection on both databases (`eq_any` is not, on
/// SQLite). Someone the service does not know is left out.
pub fn among(
    conn: &mut AnyConnection,
    organisation_id: i64,
    [first, second]: [&str; 2],
    [a, b, c]: [Option<i64>; 3],
) -> QueryResult<HashMap<i64, Person>> {
    let rows: Vec<(i64, String, Option<String>)> = staff::table
        .filter(staff::organisation_id.eq(organisation_id))
        .filter(
            staff::subject
                .eq(first)
                .or(staff::subject.eq(second))
                .or(staff::id.nullable().eq(a))
                .or(staff::id.nullable().eq(b))
                .or(staff::id.nullable().eq(c)),
        )
        .select((staff::id, staff::subject, staff::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, subject, name)| (id, Person { subject, name })).collect())
}

/// The row id of the person with this identity-provider id among `people`.
pub fn id_of(people: &HashMap<i64, Person>, subject: &str) -> Option<i64> {
    people.iter().find(|(_, p)| p.subject == subject).map(|(id, _)| *id)
}

/// How to show each of these staff members, by row id.
pub fn people(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Person>> {
    let rows: Vec<(i64, String, Option<String>)> = staff::table
        .filter(staff::id.eq_any(ids))
        .select((staff::id, staff::subject, staff::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, subject, name)| (id, Person { subject, name })).collect())
}

/// The e-mail addresses the service knows of these staff members, by row id.
pub fn addresses(conn: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    let rows: Vec<(i64, Option<String>)> =
        staff::table.filter(staff::id.eq_any(ids)).select((staff::id, staff::email)).load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, email)| Some((id, email?))).collect())
}
