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
    median_window,
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
             WHERE organisation_id = $1 AND received_on >= $2 AND received_on < $3
               AND attribute NOT IN ('categories', 'first_response_days', 'closure_days')
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
        "SELECT received_on >= $2 AS current, {month} AS month, CAST(value AS INTEGER) AS categories,
                CAST(SUM(count) AS BIGINT) AS count
         FROM overview_tallies
         WHERE organisation_id = $1 AND attribute = 'categories' AND received_on >= $4 AND received_on < $3
         GROUP BY 1, 2, 3 HAVING SUM(count) <> 0",
        month = dialect.month("received_on"),
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

/// A span the overview takes the median of: seconds from receipt to `to`, for the complaints
/// `only` holds for, tallied per whole day it lasts under `attribute` (the
/// `overview_span_buckets` migration writes the same expressions; the partial indexes
/// `complaints_<to>_span` hold `only` and the seconds).
struct Span {
    attribute: &'static str,
    to: &'static str,
    only: &'static str,
}

const TO_FIRST_RESPONSE: Span = Span {
    attribute: "first_response_days",
    to: "first_response_at",
    only: "first_response_at IS NOT NULL",
};
const TO_CLOSURE: Span =
    Span { attribute: "closure_days", to: "closed_at", only: "status = 'closed'" };

/// The width of a bucket, in seconds: a day.
const BUCKET_SECONDS: i64 = 86_400;

/// The number of a span's bucket from its seconds: truncated towards zero, as the triggers
/// compute it.
fn bucket_of(dialect: &Dialect, seconds: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("CAST(trunc({seconds} / {BUCKET_SECONDS}) AS BIGINT)"),
        Dialect::Sqlite => format!("CAST({seconds} / {BUCKET_SECONDS} AS INTEGER)"),
    }
}

/// Seconds every span of buckets `[first, last]` lies strictly between (truncation puts
/// spans of both signs in bucket 0), with a second to spare: the index range to read, the
/// bucket itself is checked on each row.
fn seconds_around(first: i64, last: i64) -> (f64, f64) {
    let low = if first > 0 { first } else { first - 1 };
    let high = if last >= 0 { last + 1 } else { last };
    ((low * BUCKET_SECONDS - 1) as f64, (high * BUCKET_SECONDS + 1) as f64)
}

/// The period's spans counted per bucket, as the tallies keep them.
#[derive(QueryableByName)]
struct Bucket {
    #[diesel(sql_type = Text)]
    attribute: String,
    #[diesel(sql_type = BigInt)]
    bucket: i64,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(QueryableByName)]
struct Seconds {
    #[diesel(sql_type = Double)]
    seconds: f64,
}

/// Both medians, exactly as [`medians_of_complaints`] gives them, without sorting every
/// span of the period (at a million complaints that took seconds): the tallies say how many
/// spans each bucket holds, so which bucket holds the middle position(s) and where in it;
/// only that bucket's spans are read, in order, through their index.
pub fn medians(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
) -> QueryResult<Medians> {
    let (first_day, end_day) = days(period);
    let mut buckets: Vec<Bucket> = Dialect::of(conn)
        .query(
            "SELECT attribute, CAST(value AS BIGINT) AS bucket, CAST(SUM(count) AS BIGINT) AS count
             FROM overview_tallies
             WHERE organisation_id = $1 AND attribute IN ($2, $3) AND received_on >= $4 AND received_on < $5
             GROUP BY attribute, value HAVING SUM(count) <> 0",
        )
        .bind::<BigInt, _>(organisation_id)
        .bind::<Text, _>(TO_FIRST_RESPONSE.attribute)
        .bind::<Text, _>(TO_CLOSURE.attribute)
        .bind::<Date, _>(first_day)
        .bind::<Date, _>(end_day)
        .load(conn)?;
    buckets.sort_by_key(|b| b.bucket);
    let mut median = |span: &Span| -> QueryResult<(Option<Option<f64>>, i64)> {
        let counts: Vec<(i64, i64)> = buckets
            .iter()
            .filter(|b| b.attribute == span.attribute)
            .map(|b| (b.bucket, b.count))
            .collect();
        let total = counts.iter().map(|(_, count)| count).sum();
        Ok((median_in_buckets(conn, organisation_id, period, span, &counts, total)?, total))
    };
    let ((first, responded), (closure, closed)) =
        (median(&TO_FIRST_RESPONSE)?, median(&TO_CLOSURE)?);
    match (first, closure) {
        (Some(to_first_response), Some(to_closure)) => {
            Ok(Medians { to_first_response, to_closure, responded, closed })
        }
        // A complaint changed between the tallies' sum and the read of the middle bucket:
        // the positions no longer hold, the spans themselves still give the answer.
        _ => medians_of_complaints(conn, organisation_id, period),
    }
}

/// The median of a span from its counts per bucket (ascending): the middle value(s) read
/// from the bucket(s) holding them, averaged as the reference's database does. `None` when
/// the bucket no longer holds the positions the counts promise.
fn median_in_buckets(
    conn: &mut AnyConnection,
    organisation_id: i64,
    period: &Period,
    span: &Span,
    counts: &[(i64, i64)],
    total: i64,
) -> QueryResult<Option<Option<f64>>> {
    let Some((offset, take)) = median_window(total) else {
        return Ok(Some(None));
    };
    let (first, before) = bucket_at(counts, offset);
    let (last, _) = bucket_at(counts, offset + take - 1);
    let (low, high) = seconds_around(first, last);
    let (start, end) = bounds(period);
    let dialect = Dialect::of(conn);
    let seconds = dialect.seconds("received_at", span.to);
    let bucket = bucket_of(&dialect, &seconds);
    let middle: Vec<Seconds> = dialect
        .query(&format!(
            "SELECT {seconds} AS seconds FROM complaints
             WHERE organisation_id = $1 AND {only} AND {seconds} > $2 AND {seconds} < $3
               AND {bucket} >= $4 AND {bucket} <= $5 AND received_at >= $6 AND received_at < $7
             ORDER BY 1 LIMIT {take} OFFSET {skip}",
            only = span.only,
            skip = offset - before,
        ))
        .bind::<BigInt, _>(organisation_id)
        .bind::<Double, _>(low)
        .bind::<Double, _>(high)
        .bind::<BigInt, _>(first)
        .bind::<BigInt, _>(last)
        .bind::<Timestamp, _>(start)
        .bind::<Timestamp, _>(end)
        .load(conn)?;
    let middle: Vec<f64> = middle.into_iter().map(|m| m.seconds).collect();
    Ok(match (dialect, middle.as_slice()) {
        (_, [one]) if take == 1 => Some(Some(*one)),
        // `percentile_cont`'s interpolation between the two middle values.
        (Dialect::Postgres, [low, high]) => Some(Some(low + (high - low) * 0.5)),
        (Dialect::Sqlite, [low, high]) => Some(median_of(&mut [*low, *high])),
        _ => None,
    })
}

/// The bucket holding position `at` (0-based, in ascending order) and how many spans the
/// buckets before it hold.
fn bucket_at(counts: &[(i64, i64)], at: i64) -> (i64, i64) {
    let mut before = 0;
    for &(bucket, count) in counts {
        if at < before + count {
            return (bucket, before);
        }
        before += count;
    }
    (counts.last().map_or(0, |&(bucket, _)| bucket), before)
}

/// A complaint's seconds to its first response and to its closure, where it has them.
#[derive(QueryableByName)]
struct Spans {
    #[diesel(sql_type = Nullable<Double>)]
    first: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    closure: Option<f64>,
}

/// Both medians from every span of the period: on PostgreSQL with `percentile_cont` in one
/// pass; on SQLite from one pass over both spans, the middle values picked by
/// `domain::overview::median_of`. What [`medians`] finds without reading them all; kept as
/// its reference.
pub fn medians_of_complaints(
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
