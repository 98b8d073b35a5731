//! Queries, one module per aggregate. Functions take a connection (inside the caller's
//! transaction where they write) and plain values; they hold no rules — those are in
//! `crate::domain` — only the SQL that stores and finds what the rules decided.

pub mod actions;
pub mod complaints;
pub mod contacts;
pub mod deadlines;
pub mod deliveries;
pub mod documents;
pub mod erasure;
pub mod evaluations;
pub mod event_texts;
pub mod events;
pub mod idempotency;
pub mod letter_templates;
pub mod organisations;
pub mod outbox;
pub mod overview;
pub mod read_log;
pub mod rewrites;
pub mod staff;
pub mod webhooks;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::db::AnyConnection;

/// Both databases store UTC timestamps without a zone.
pub(crate) fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

pub(crate) fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// How a row is read: plainly, or to change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    None,
    /// For a change about to be made: on PostgreSQL the row stays locked until the
    /// transaction ends, so that concurrent commands on one row take turns and each sees the
    /// state the one before it left. (SQLite's write transactions are serial already.)
    ForUpdate,
}

/// The first row of `$query`, if any, read as `$lock` says.
macro_rules! first_row {
    ($conn:expr, $query:expr, $lock:expr) => {
        match ($conn, $lock) {
            ($crate::db::AnyConnection::Postgresql(c), $crate::store::Lock::ForUpdate) => {
                $query.for_update().first(c).optional()
            }
            (c, _) => $query.first(c).optional(),
        }
    };
}
use first_row;

/// The SQL that differs between the two databases.
pub(crate) enum Dialect {
    Postgres,
    Sqlite,
}

impl Dialect {
    pub(crate) fn of(conn: &AnyConnection) -> Dialect {
        match conn {
            AnyConnection::Postgresql(_) => Dialect::Postgres,
            AnyConnection::Sqlite(_) => Dialect::Sqlite,
        }
    }

    /// `YYYY-MM` of a timestamp column.
    pub(crate) fn month(&self, column: &str) -> String {
        match self {
            Dialect::Postgres => format!("to_char(date_trunc('month', {column}), 'YYYY-MM')"),
            Dialect::Sqlite => format!("strftime('%Y-%m', {column})"),
        }
    }

    /// A query whose placeholders are written `$n`: PostgreSQL's form. SQLite reads `$n` as
    /// a *named* parameter numbered by first appearance, so there it becomes `?n`, which is
    /// numbered as written.
    pub(crate) fn query(&self, sql: &str) -> diesel::query_builder::SqlQuery {
        match self {
            Dialect::Postgres => diesel::sql_query(sql),
            Dialect::Sqlite => diesel::sql_query(sql.replace('$', "?")),
        }
    }

    /// An empty byte string, as a literal.
    pub(crate) fn empty_bytes(&self) -> &'static str {
        match self {
            Dialect::Postgres => "'\\x'::bytea",
            Dialect::Sqlite => "X''",
        }
    }

    /// Whether the timestamp `later` lies at most `hours` (an integer expression) after the
    /// timestamp `from`.
    pub(crate) fn at_most_hours_after(&self, from: &str, later: &str, hours: &str) -> String {
        match self {
            Dialect::Postgres => format!("{later} <= {from} + make_interval(hours => {hours})"),
            // Timestamps are text here, in diesel's form; SQLite's date functions read it, and
            // `%f` writes both sides in one form (to the millisecond), so they compare as text.
            Dialect::Sqlite => format!(
                "strftime('%Y-%m-%d %H:%M:%f', {later}) \
                 <= strftime('%Y-%m-%d %H:%M:%f', {from}, '+' || {hours} || ' hours')"
            ),
        }
    }

    /// Seconds from one timestamp column to another.
    pub(crate) fn seconds(&self, from: &str, to: &str) -> String {
        match self {
            Dialect::Postgres => {
                format!("CAST(EXTRACT(EPOCH FROM ({to} - {from})) AS DOUBLE PRECISION)")
            }
            Dialect::Sqlite => format!("((julianday({to}) - julianday({from})) * 86400.0)"),
        }
    }
}
