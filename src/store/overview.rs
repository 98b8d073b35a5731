//! The overview's figures, counted by the database: grouped counts and a few picks, never
//! the complaints themselves. The counts by attribute and month are sums of the per-day
//! tallies the database keeps in step with the complaints (`overview_tallies`); the rest
//! reads one organisation's complaints of one period through its indexes.
//!
//! The SQL is written once for both databases; where their dialects differ (a month of a
//! timestamp, seconds between two, numbered placeholders) `store::Dialect` fills it in.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, QueryableByName};
use diesel::prelude::*;
use diesel::row::NamedRow;
use diesel::sql_types::{BigInt, Bool, Date, Double, Integer, Nullable, Text, Timestamp};

use super::Dialect;
use super::to_db;
use crate::db::AnyConnection;
use crate::domain::actions::ActionStatus;
use crate::domain::overview::{
    ActionCounts, Attribution, Medians, MonthCount, Period, Profile, Tally, median_of,
};

/// Reads one of `domain::overview`'s counts from a row of named columns, as
/// `#[derive(QueryableByName)]` would: the domain's types carry no database derives.
macro_rules! by_name {
    ($type:ty { $($field:ident: $rust:ty = $sql:ty),+ $(,)? }) => {
        impl<DB: Backend> QueryableByName<DB> for $type
        where
            $($rust: FromSql<$sql, DB>),+
        {
            fn build<'a>(row: &impl NamedRow<'a, DB>) -> deserialize::Result<Self> {
                Ok(Self { $($field: NamedRow::get::<$sql, $rust>(row, stringify!($field))?),+ })
            }
        }
    };
}

by_name!(Profile {
    kind: String = Text,
    status: String = Text,
    reported_by: String = Text,
    channel: String = Text,
    term: String = Text,
    outcome: String = Text,
    judgement: String = Text,
    satisfaction: Option<i32> = Nullable<Integer>,
    anonymised: bool = Bool,
    handler_id: i64 = BigInt,
    count: i64 = BigInt,
});
by_name!(Tally { attribute: String = Text, value: String = Text, count: i64 = BigInt });
by_name!(MonthCount {
    current: bool = Bool,
    month: String = Text,
    categories: i32 = Integer,
    count: i64 = BigInt
});
by_name!(Medians {
    to_first_response: Option<f64> = Nullable<Double>,
    to_closure: Option<f64> = Nullable<Double>,
    responded: i64 = BigInt,
    closed: i64 = BigInt,
});
by_name!(ActionCounts { open: i64 = BigInt, overdue: i64 = BigInt, done: i64 = BigInt });
by_name!(Attribution { key: String = Text, name: Option<String> = Nullable<Text>, count: i64 = BigInt });

/// Complaints of organisation `$1` received in the period `[$2, $3)`.
const IN_PERIOD: &str = "organisation_id = $1 AND received_at >= $2 AND received_at < $3";

fn bounds(period: &Period) -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
    let start = period.from.and_time(NaiveTime::MIN);
    let end = period.to.succ_opt().unwrap_or(period.to).and_time(NaiveTime::MIN);
    (start, end)
}

/// The days `[from, to]` of a period, as `overview_tallies` keys them.
fn days(period: &Period) -> (NaiveDate, NaiveDate) {
    (period.from, period.to.succ_opt().unwrap_or(period.to))
}

/// The period's complaints counted per attribute value: the sums of the days' tallies, and
/// the response term of the complaints still open — which depends on `now`, so the tallies
/// leave it out — counted from those complaints through `complaints_open_in_term`.
/// Equal to `domain::overview::tallies` of [`profiles`].
pub fn tallies(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Tally>> {
    let (first_day, end_day) = days(period);
    let (start, end) = bounds(period);
    let mut tallies: Vec<Tally> = Dialect::of(conn)
        .query(
            "SELECT attribute, value, CAST(SUM(count) AS BIGINT) AS count FROM overview_tallies
             WHERE organisation_id = $1 AND attribute <> 'categories' AND day >= $2 AND day < $3
             GROUP BY attribute, value HAVING SUM(count) <> 0
             UNION ALL
             SELECT 'term' AS attribute,
                    CASE WHEN response_due_at < $4 THEN 'open_overdue' ELSE 'open_within_term' END AS value,
                    COUNT(*) AS count
             FROM complaints
             WHERE organisation_id = $1 AND received_at >= $5 AND received_at < $6
               AND response_due_at IS NOT NULL AND first_response_at IS NULL AND status <> 'withdrawn'
             GROUP BY 1, 2",
        )
        .bind::<BigInt, _>(organisation_id)
        .bind::<Date, _>(first_day)
        .bind::<Date, _>(end_day)
        .bind::<Timestamp, _>(to_db(now))
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .load(conn)?;
    tallies.sort();
    Ok(tallies)
}

/// The period's complaints grouped by every attribute the overview counts by, handler
/// included: one pass over the complaints. The term column is the SQL form of
/// `domain::overview::term_outcome`. What [`tallies`] and [`months`] sum up without that
/// pass; kept as their reference.
pub fn profiles(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Profile>> {
    let (start, end) = bounds(period);
    let sql = format!(
        "SELECT kind, status, reported_by, COALESCE(channel, 'unclassified') AS channel,
                CASE
                    WHEN response_due_at IS NULL THEN 'not_applicable'
                    WHEN first_response_at IS NULL AND status = 'withdrawn' THEN 'not_applicable'
                    WHEN first_response_at IS NOT NULL AND first_response_at <= response_due_at
                         AND COALESCE(first_response_recorded_at, first_response_at) <= response_due_at
                        THEN 'answered_within_term'
                    WHEN first_response_at IS NOT NULL THEN 'answered_late'
                    WHEN response_due_at < $4 THEN 'open_overdue'
                    ELSE 'open_within_term'
                END AS term,
                COALESCE(decision_resolution, 'undecided') AS outcome,
                COALESCE(decision_judgement, 'not_judged') AS judgement,
                satisfaction_score AS satisfaction,
                anonymize_in_meeting AS anonymised, handler_id,
                COUNT(*) AS count
         FROM complaints WHERE {IN_PERIOD}
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10"
    );
    Dialect::of(conn)
        .query(&sql)
        .bind::<BigInt, _>(organisation_id)
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .bind::<Timestamp, _>(to_db(now))
        .load(conn)
}

/// Complaints per month of receipt and set of categories, in the period and in the one
/// before it (which recurrence compares with): the sums of the days' tallies. Equal to
/// [`months_of_complaints`].
pub fn months(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
) -> QueryResult<Vec<MonthCount>> {
    let (first_day, end_day) = days(period);
    let (previous_first_day, _) = days(&period.previous());
    let dialect = Dialect::of(conn);
    let sql = format!(
        "SELECT day >= $2 AS current, {month} AS month, CAST(value AS INTEGER) AS categories,
                CAST(SUM(count) AS BIGINT) AS count
         FROM overview_tallies
         WHERE organisation_id = $1 AND attribute = 'categories' AND day >= $4 AND day < $3
         GROUP BY 1, 2, 3 HAVING SUM(count) <> 0",
        month = dialect.month("day"),
    );
    dialect
        .query(&sql)
        .bind::<BigInt, _>(organisation_id)
        .bind::<Date, _>(first_day)
        .bind::<Date, _>(end_day)
        .bind::<Date, _>(previous_first_day)
        .load(conn)
}

/// [`months`] counted from the complaints themselves: one pass over both periods; kept as
/// its reference.
pub fn months_of_complaints(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
) -> QueryResult<Vec<MonthCount>> {
    let (start, end) = bounds(period);
    let (previous_start, _) = bounds(&period.previous());
    let dialect = Dialect::of(conn);
    let sql = format!(
        "SELECT received_at >= $2 AS current, {month} AS month, category_mask AS categories, COUNT(*) AS count
         FROM complaints
         WHERE organisation_id = $1 AND received_at >= $4 AND received_at < $3
         GROUP BY 1, 2, 3",
        month = dialect.month("received_at"),
    );
    dialect
        .query(&sql)
        .bind::<BigInt, _>(organisation_id)
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .bind::<Timestamp, _>(previous_start)
        .load(conn)
}

/// A complaint's seconds to its first response and to its closure, where it has them.
#[derive(QueryableByName)]
struct Spans {
    #[diesel(sql_type = Nullable<Double>)]
    first: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    closure: Option<f64>,
}

/// Both medians: on PostgreSQL with `percentile_cont` in one pass; on SQLite from one pass
/// over both spans, the middle values picked by `domain::overview::median_of`.
pub fn medians(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
) -> QueryResult<Medians> {
    let (start, end) = bounds(period);
    let dialect = Dialect::of(conn);
    let first = dialect.seconds("received_at", "first_response_at");
    let closure = format!(
        "CASE WHEN status = 'closed' THEN {} END",
        dialect.seconds("received_at", "closed_at")
    );
    if let Dialect::Postgres = dialect {
        return dialect
            .query(&format!(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {first}) AS to_first_response,
                        percentile_cont(0.5) WITHIN GROUP (ORDER BY {closure}) AS to_closure,
                        COUNT({first}) AS responded, COUNT({closure}) AS closed
                 FROM complaints WHERE {IN_PERIOD}"
            ))
            .bind::<BigInt, _>(organisation_id)
            .bind::<Timestamp, _>(start)
            .bind::<Timestamp, _>(end)
            .get_result(conn);
    }
    // SQLite has no ordered-set aggregates, and picking the middle values by `ORDER BY …
    // LIMIT … OFFSET` sorts all of them in a temporary B-tree, after a pass to count them,
    // for each span. One pass reads both spans instead; the middle values are picked here.
    let spans: Vec<Spans> = dialect
        .query(&format!(
            "SELECT {first} AS first, {closure} AS closure FROM complaints
             WHERE {IN_PERIOD} AND (first_response_at IS NOT NULL OR status = 'closed')"
        ))
        .bind::<BigInt, _>(organisation_id)
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .load(conn)?;
    let mut first: Vec<f64> = spans.iter().filter_map(|s| s.first).collect();
    let mut closure: Vec<f64> = spans.iter().filter_map(|s| s.closure).collect();
    drop(spans);
    Ok(Medians {
        responded: first.len() as i64,
        closed: closure.len() as i64,
        to_first_response: median_of(&mut first),
        to_closure: median_of(&mut closure),
    })
}

/// The clients with the most complaints in the period (at most 20), leaving out those to be
/// discussed anonymously. A client is named as their latest counted complaint names them:
/// not by `MAX(client_name)`, which whoever registers a complaint for the same client id
/// with a name late in the alphabet would set. The names are looked up for the 20 only
/// (SQLite would otherwise look one up for every client before the limit), each through
/// `complaints_org_client_received`.
pub fn by_client(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
) -> QueryResult<Vec<Attribution>> {
    let (start, end) = bounds(period);
    let counted = "organisation_id = $1 AND received_at >= $2 AND received_at < $3 \
                   AND anonymize_in_meeting = $4";
    Dialect::of(conn)
        .query(&format!(
            "SELECT t.key,
                    (SELECT l.client_name FROM complaints l
                     WHERE {counted} AND l.client_id = t.key
                     ORDER BY l.received_at DESC, l.id DESC LIMIT 1) AS name,
                    t.count
             FROM (SELECT c.client_id AS key, COUNT(*) AS count
                   FROM complaints c WHERE {counted} AND c.client_id IS NOT NULL
                   GROUP BY c.client_id ORDER BY 2 DESC, 1 LIMIT 20) t
             ORDER BY t.count DESC, t.key"
        ))
        .bind::<BigInt, _>(organisation_id)
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .bind::<Bool, _>(false)
        .load(conn)
}

/// The organisation's actions: open and overdue as of `today`, done within the period.
pub fn actions(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
    today: NaiveDate,
) -> QueryResult<ActionCounts> {
    let (start, end) = bounds(period);
    let open: Vec<String> =
        ActionStatus::open().iter().map(|s| format!("'{}'", s.as_str())).collect();
    let open = open.join(", ");
    Dialect::of(conn).query(&format!(
        "SELECT COALESCE(SUM(CASE WHEN status IN ({open}) THEN 1 ELSE 0 END), 0) AS open,
                COALESCE(SUM(CASE WHEN status IN ({open}) AND due_on < $4 THEN 1 ELSE 0 END), 0) AS overdue,
                COALESCE(SUM(CASE WHEN status = 'done' AND completed_at >= $2 AND completed_at < $3
                                  THEN 1 ELSE 0 END), 0) AS done
         FROM actions WHERE organisation_id = $1"
    ))
    .bind::<BigInt, _>(organisation_id)
    .bind::<Timestamp, _>(start)
    .bind::<Timestamp, _>(end)
    .bind::<Date, _>(today)
    .get_result(conn)
}
