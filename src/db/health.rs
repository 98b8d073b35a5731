//! How the pool learns that the database is away, without asking it on every checkout:
//! a connection whose query failed because the connection is gone is discarded when it is
//! returned, and while new connections cannot be opened, requests give up on waiting quickly
//! — a refused connection is not worth the full acquire timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::r2d2;
use diesel::result::{DatabaseErrorKind, Error};

/// Watches a connection's queries for the error that says the connection is lost.
#[derive(Debug, Default)]
pub struct LostConnection {
    pub lost: bool,
}

impl Instrumentation for LostConnection {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery {
            error:
                Some(Error::DatabaseError(
                    DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                    _,
                )),
            ..
        } = event
        {
            self.lost = true;
        }
    }
}

/// How long after a failed attempt to connect a request waits for a connection at most.
pub const FAIL_FAST: Duration = Duration::from_millis(250);
/// How long a failed attempt to connect counts as recent.
const RECENT: Duration = Duration::from_secs(2);
/// At most one log line per this long about failing connections.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// When the pool last failed to open a connection, shared with its error handler.
#[derive(Debug, Default, Clone)]
pub struct Outage {
    failed_at_ms: Arc<AtomicU64>,
    logged_at_ms: Arc<AtomicU64>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Outage {
    pub fn failed_recently(&self) -> bool {
        let failed = self.failed_at_ms.load(Ordering::Relaxed);
        failed != 0 && now_ms().saturating_sub(failed) < RECENT.as_millis() as u64
    }
}

impl r2d2::HandleError<r2d2::Error> for Outage {
    fn handle_error(&self, error: r2d2::Error) {
        let now = now_ms();
        self.failed_at_ms.store(now, Ordering::Relaxed);
        let logged = self.logged_at_ms.load(Ordering::Relaxed);
        if now.saturating_sub(logged) >= LOG_EVERY.as_millis() as u64 {
            self.logged_at_ms.store(now, Ordering::Relaxed);
            tracing::error!(%error, "cannot connect to the database");
        }
    }
}
