//! Statements that diesel would prepare anew on every call, kept in the connection's statement
//! cache instead.
//!
//! Diesel refuses to cache its updates and its upserts that update: a changeset may leave out
//! a column whose value is `None`, so one such query can render different SQL from one call to
//! the next. Wrapped in [`FixedSql`], the statement is cached by the SQL it renders — correct
//! whatever it renders, since a different text is a different cache entry. Wrap only a
//! statement whose text has one shape (or a few): each distinct text stays in the cache for
//! the connection's life.

use diesel::backend::Backend;
use diesel::pg::PgConnection;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, RunQueryDsl};

use super::AnyConnection;

/// A statement whose SQL text is the same on every call: prepared once per connection.
#[derive(Debug, Clone, Copy)]
pub struct FixedSql<Q>(pub Q);

impl<Q> FixedSql<Q> {
    /// Runs the statement and answers its one row (an update returns a column for it).
    ///
    /// Diesel asks the wrapper whether to cache only when it is handed the wrapper itself:
    /// through the multi-connection, and by `execute`, it gets a reference and asks the
    /// statement's parts instead. So the statement is loaded, on the backend's own connection.
    pub fn get_result<'q, U>(self, conn: &mut AnyConnection) -> QueryResult<U>
    where
        Self: LoadQuery<'q, PgConnection, U> + LoadQuery<'q, SqliteConnection, U>,
    {
        match conn {
            AnyConnection::Postgresql(c) => RunQueryDsl::get_result(self, c),
            AnyConnection::Sqlite(c) => RunQueryDsl::get_result(self, c),
        }
    }
}

impl<Q, DB> QueryFragment<DB> for FixedSql<Q>
where
    Q: QueryFragment<DB>,
    DB: Backend,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

/// No static id: the cache keys the statement by its SQL text (and its binds' types), which
/// is what makes caching it safe.
impl<Q> QueryId for FixedSql<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for FixedSql<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> RunQueryDsl<Conn> for FixedSql<Q> {}
