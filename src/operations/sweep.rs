//! How the service's sweeps (the deadline watcher's announcements, the retention sweep's
//! erasures) go through the database: in batches, each a write transaction of its own, and —
//! with several instances on one PostgreSQL — by one instance at a time.

use super::OperationError;
use crate::db::{AnyConnection, Db, holds_sweep_lock};

/// What one batch of a sweep found, and how much of it it did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Batch {
    pub found: usize,
    pub done: usize,
}

/// Runs `batch` in write transactions holding the sweep lock `key` until one finds fewer than
/// `size` items; answers how many were done. While another instance holds the lock, this one
/// does nothing: the other sweeps.
pub async fn in_batches<F>(
    db: &Db,
    (key, size): (i64, usize),
    batch: F,
) -> Result<usize, OperationError>
where
    F: Fn(&mut AnyConnection) -> Result<Batch, OperationError> + Clone + Send + 'static,
{
    let mut done = 0;
    loop {
        let round = batch.clone();
        let Batch { found, done: now_done } = db
            .write(move |conn| {
                if !holds_sweep_lock(conn, key)? {
                    return Ok(Batch::default());
                }
                round(conn)
            })
            .await?;
        done += now_done;
        if found < size {
            return Ok(done);
        }
    }
}
