//! The database: one connection type over PostgreSQL (production) and SQLite (the embedded
//! default), a pool, the embedded migrations, and the two ways a handler reaches it —
//! [`Db::read`] and [`Db::write`] — both of which run on actix's blocking pool so that
//! diesel's synchronous calls never stall an async worker.

mod fixed_sql;
mod health;
pub mod schema;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
pub use fixed_sql::FixedSql;
use health::{FAIL_FAST, LostConnection, Outage};

/// The migrations of each database; public so that tests can build a database as an earlier
/// release left it.
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Arbitrary but fixed: serialises migrations when several instances start against one
/// PostgreSQL at the same moment.
const MIGRATION_LOCK_KEY: i64 = 0x6b6c_6163_6874_656e;

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression against whichever backend `conn` is, so that features the
/// multi-backend lacks (`ON CONFLICT`, chiefly) can still be written once.
#[macro_export]
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::AnyConnection::Postgresql($c) => $body,
            $crate::db::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// Where the data lives, decided once from the database URL's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Postgres { url: String },
    Sqlite { path: String },
}

impl DbTarget {
    pub fn backend_name(&self) -> &'static str {
        match self {
            DbTarget::Postgres { .. } => "postgresql",
            DbTarget::Sqlite { .. } => "sqlite",
        }
    }
}

/// The bytes SQLite's allocations of the whole process should stay under: past it SQLite
/// gives back page cache before it takes more (issue 15: with the glibc arenas capped,
/// src/main.rs, 95 MiB after an export and the overview instead of 98–106 MiB).
const SOFT_HEAP_LIMIT: u64 = 16 * 1024 * 1024;

/// Opens connections for the pool. Written out rather than using `AnyConnection::establish`
/// because that hides the real connection error, and because SQLite needs its pragmas on
/// every new connection.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DbTarget,
    sqlite_busy_timeout: Duration,
}

impl ConnectionManager {
    fn establish(&self) -> Result<AnyConnection, r2d2::Error> {
        match &self.target {
            DbTarget::Postgres { url } => {
                let mut conn =
                    PgConnection::establish(url).map_err(r2d2::Error::ConnectionError)?;
                conn.set_instrumentation(LostConnection::default());
                // Room for the overview's grouping to stay in memory: with the default 4 MB
                // PostgreSQL sorts the period's complaints on disk instead of hashing them.
                conn.batch_execute("SET work_mem = '16MB'").map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Postgresql(conn))
            }
            DbTarget::Sqlite { path } => {
                // A fresh machine has no data folder yet.
                if let Some(folder) = std::path::Path::new(path).parent() {
                    std::fs::create_dir_all(folder).map_err(|e| {
                        r2d2::Error::ConnectionError(ConnectionError::BadConnection(format!(
                            "cannot create {}: {e}",
                            folder.display()
                        )))
                    })?;
                }
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the single writer; the busy timeout makes a
                // writer wait for the lock instead of failing with "database is locked";
                // synchronous=FULL because an acknowledged write must survive a crash;
                // secure_delete overwrites what is deleted or replaced with zeros, so that
                // erased personal data does not linger in the file's free space (DESIGN.md
                // §9). It is a setting of each connection, hence here. The soft heap limit
                // is the process's, not the connection's: SQLite's page caches share
                // SOFT_HEAP_LIMIT instead of each of the pool's connections and the writer
                // filling 2 MB of its own.
                conn.batch_execute(&format!(
                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                     PRAGMA busy_timeout = {}; PRAGMA synchronous = FULL; \
                     PRAGMA secure_delete = ON; PRAGMA soft_heap_limit = {SOFT_HEAP_LIMIT};",
                    self.sqlite_busy_timeout.as_millis()
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// Not checked on every checkout (a round trip per request): a connection is discarded
    /// when it comes back from a query that found it lost, or from a broken transaction.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        let lost = conn.instrumentation().downcast_ref::<LostConnection>().is_some_and(|l| l.lost);
        lost || AnyConnection::is_broken_transaction_manager(conn)
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: u32,
    /// How long a request waits for a connection before it is answered 503.
    pub acquire_timeout: Duration,
    pub sqlite_busy_timeout: Duration,
}

/// The three ways reaching the database can fail, as the API layer needs to tell them apart.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had in time: the database is down or saturated.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// The blocking task was cancelled or panicked.
    #[error("database task failed")]
    TaskFailed,
}

impl From<r2d2::PoolError> for DbError {
    fn from(e: r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

#[derive(Clone)]
pub struct Db {
    pool: Pool,
    target: DbTarget,
    outage: Outage,
    acquire_timeout: Duration,
    /// SQLite only: the one connection every write of this process is queued to.
    writer: Option<Writer>,
}

/// SQLite lets one transaction write at a time. Writers that each take a pooled connection
/// and race for the lock wait in SQLite's busy handler, which sleeps in growing steps, so a
/// few of them wait a second or more while the lock is free most of the time. Queued in
/// arrival order to one connection (tokio's mutex is fair), each write waits only for those
/// before it, and the connection keeps its prepared statements from write to write. The
/// busy timeout stays on it for writers in other processes (a second instance, the CLI).
#[derive(Clone)]
struct Writer {
    connection: Arc<tokio::sync::Mutex<Option<AnyConnection>>>,
    manager: ConnectionManager,
    /// How long a write waits for its turn before it is answered 503, as it would have
    /// waited for the lock under the busy timeout.
    wait: Duration,
}

/// A write's turn at the writer. Ends the turn on every way out of it — a panic included:
/// a connection left inside a transaction is closed, which rolls back what it wrote, and
/// the next turn opens a fresh one.
struct Turn(tokio::sync::OwnedMutexGuard<Option<AnyConnection>>);

impl Turn {
    fn connection(&mut self, manager: &ConnectionManager) -> Result<&mut AnyConnection, DbError> {
        let slot = &mut *self.0;
        if slot.is_none() {
            *slot = Some(manager.establish().map_err(|e| DbError::Unavailable(e.to_string()))?);
        }
        slot.as_mut().ok_or_else(|| DbError::Unavailable("no writer connection".into()))
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if self.0.as_mut().is_some_and(AnyConnection::is_broken_transaction_manager) {
            *self.0 = None;
        }
    }
}

impl Db {
    /// Builds the pool without insisting on a first connection, so that the service can start
    /// (and report not-ready) while the database is still coming up.
    pub fn new(target: DbTarget, settings: &PoolSettings) -> Self {
        let manager = ConnectionManager {
            target: target.clone(),
            sqlite_busy_timeout: settings.sqlite_busy_timeout,
        };
        let outage = Outage::default();
        let writer = matches!(target, DbTarget::Sqlite { .. }).then(|| Writer {
            connection: Arc::new(tokio::sync::Mutex::new(None)),
            manager: manager.clone(),
            wait: settings.sqlite_busy_timeout,
        });
        let pool = r2d2::Pool::builder()
            .max_size(settings.max_size)
            .min_idle(Some(0))
            .connection_timeout(settings.acquire_timeout)
            .test_on_check_out(false)
            .error_handler(Box::new(outage.clone()))
            .build_unchecked(manager);
        Db { pool, target, outage, acquire_timeout: settings.acquire_timeout, writer }
    }

    /// A pooled connection, waiting at most the acquire timeout — or briefly, while the
    /// database refuses new connections.
    fn checkout(
        pool: &Pool,
        outage: &Outage,
        timeout: Duration,
    ) -> Result<PooledConnection, DbError> {
        let timeout = if outage.failed_recently() { timeout.min(FAIL_FAST) } else { timeout };
        Ok(pool.get_timeout(timeout)?)
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    /// A connection for synchronous code (the command line, start-up, tests).
    pub fn connection(&self) -> Result<PooledConnection, DbError> {
        Self::checkout(&self.pool, &self.outage, self.acquire_timeout)
    }

    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (pool, outage, timeout) =
            (self.pool.clone(), self.outage.clone(), self.acquire_timeout);
        actix_web::web::block(move || {
            let mut conn = Self::checkout(&pool, &outage, timeout)?;
            f(&mut conn)
        })
        .await
        .map_err(|_| E::from(DbError::TaskFailed))?
    }

    /// Runs `f` inside one write transaction on the blocking pool: everything `f` writes —
    /// the change and its events — commits together or not at all. On SQLite the writes of
    /// this process take turns at one connection, in the order they arrive ([`Writer`]);
    /// PostgreSQL locks rows, so its writes run side by side on pooled connections.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let Some(writer) = &self.writer else {
            return self.read(move |conn| write_transaction(conn, f)).await;
        };
        let turn = tokio::time::timeout(writer.wait, writer.connection.clone().lock_owned())
            .await
            .map_err(|_| E::from(DbError::Unavailable("writes are queued too long".into())))?;
        let manager = writer.manager.clone();
        // The turn moves into the blocking task: it ends when the write does, also when the
        // request that asked for it has gone away meanwhile.
        actix_web::web::block(move || {
            let mut turn = Turn(turn);
            write_transaction(turn.connection(&manager)?, f)
        })
        .await
        .map_err(|_| E::from(DbError::TaskFailed))?
    }

    /// Is the database reachable right now?
    pub async fn ping(&self) -> Result<(), DbError> {
        self.read(|conn| {
            conn.batch_execute("SELECT 1").map_err(|e| DbError::Unavailable(e.to_string()))
        })
        .await
    }

    /// Applies the pending embedded migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, MigrationError> {
        let mut conn = self.pool.get().map_err(|e| MigrationError(e.to_string()))?;
        run_migrations(&mut conn)
    }
}

/// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`: a deferred transaction
/// that reads before it writes could otherwise fail with "database is locked" at its first
/// write instead of waiting its turn under the busy timeout.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<DbError>,
{
    let begun = match conn {
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
    };
    begun.map_err(DbError::from)?;
    match f(conn) {
        Ok(value) => {
            AnyConnection::commit_transaction(conn).map_err(DbError::from)?;
            Ok(value)
        }
        Err(e) => {
            // The original error is what the caller needs; a failed rollback marks the
            // connection broken and the pool discards it.
            let _ = AnyConnection::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Whether this instance holds the sweep lock `key` for the rest of the caller's
/// transaction: on PostgreSQL one instance sweeps at a time (a transaction-scoped advisory
/// lock, taken without waiting; `false` while another holds it). SQLite's write transactions
/// are serial already.
pub fn holds_sweep_lock(conn: &mut AnyConnection, key: i64) -> Result<bool, DbError> {
    #[derive(diesel::QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    match conn {
        AnyConnection::Postgresql(_) => {
            let lock: Locked = diesel::RunQueryDsl::get_result(
                diesel::sql_query(format!("SELECT pg_try_advisory_xact_lock({key}) AS locked")),
                conn,
            )?;
            Ok(lock.locked)
        }
        AnyConnection::Sqlite(_) => Ok(true),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("migrations failed: {0}")]
pub struct MigrationError(String);

fn run_migrations(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    let fail = |e: &dyn std::fmt::Display| MigrationError(e.to_string());
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    if postgres {
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .map_err(|e| fail(&e))?;
    }
    let applied = migrate_and_rewrite(conn);
    if postgres {
        conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            .map_err(|e| fail(&e))?;
    }
    applied
}

/// The SQL migrations, then the rewrites of data some of them leave to the service
/// (`store::rewrites`).
fn migrate_and_rewrite(conn: &mut AnyConnection) -> Result<usize, MigrationError> {
    let fail = |e: &dyn std::fmt::Display| MigrationError(e.to_string());
    let applied = match conn {
        AnyConnection::Postgresql(c) => {
            c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len())
        }
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| fail(&e))?;
    crate::store::rewrites::run_pending(conn, chrono::Utc::now()).map_err(|e| fail(&e))?;
    Ok(applied)
}

/// Parses a database URL into a target, naming what is accepted when the scheme is unknown.
pub fn parse_database_url(url: &str) -> Result<DbTarget, String> {
    let (scheme, rest) = url.split_once(':').ok_or_else(|| {
        format!("'{url}' is not a URL; accepted: postgres://…, postgresql://…, sqlite://<path>")
    })?;
    match scheme.to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" => Ok(DbTarget::Postgres { url: url.to_owned() }),
        "sqlite" => {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(
                    "sqlite URL has no path; example: sqlite://./data/klachten.sqlite3".into()
                );
            }
            Ok(DbTarget::Sqlite { path: path.to_owned() })
        }
        other => Err(format!(
            "unknown database URL scheme '{other}'; accepted: postgres://, postgresql://, sqlite://"
        )),
    }
}

impl From<ConnectionError> for DbError {
    fn from(e: ConnectionError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_are_parsed_by_scheme() {
        assert_eq!(
            parse_database_url("postgres://u@h/db").unwrap(),
            DbTarget::Postgres { url: "postgres://u@h/db".into() }
        );
        assert_eq!(parse_database_url("postgresql://h/db").unwrap().backend_name(), "postgresql");
        assert_eq!(
            parse_database_url("sqlite://./data/k.sqlite3").unwrap(),
            DbTarget::Sqlite { path: "./data/k.sqlite3".into() }
        );
        assert_eq!(
            parse_database_url("sqlite:/tmp/k.db").unwrap(),
            DbTarget::Sqlite { path: "/tmp/k.db".into() }
        );
        let err = parse_database_url("mysql://h/db").unwrap_err();
        assert!(err.contains("unknown database URL scheme 'mysql'"), "{err}");
        assert!(parse_database_url("no-scheme").unwrap_err().contains("accepted"));
        assert!(parse_database_url("sqlite://").is_err());
    }
}
