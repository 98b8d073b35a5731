//! The read log's writer. Reading a complaint or a document must stay a read: instead of a
//! write transaction per request, reads are queued and written in batches, shortly after.
//! The queue is bounded, so a database that cannot keep up slows readers down rather than
//! losing entries, and a reader that cannot queue its read within [`WAIT`] (the database is
//! away) is answered 503 instead of being shown what it could not be logged as reading; on
//! a graceful stop the queue is drained. A crash loses at most the reads
//! of the last flush interval.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::db::{Db, DbError};
use crate::store::read_log::{self, Read};

const QUEUE: usize = 10_000;
const BATCH: usize = 500;
/// How long a reader waits for room in a full queue before its request fails.
pub const WAIT: Duration = Duration::from_secs(1);

/// The queue stayed full for [`WAIT`]: the log cannot be written now.
#[derive(Debug, thiserror::Error)]
#[error("the read log is not being written (its queue is full)")]
pub struct Full;

#[derive(Clone)]
pub struct ReadLog {
    queue: mpsc::Sender<Read>,
}

impl ReadLog {
    /// Starts the writer. It ends once every `ReadLog` handle is dropped and the queue is
    /// written; await the handle to be sure of that.
    pub fn start(db: Db, flush_every: Duration) -> (ReadLog, JoinHandle<()>) {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let writer = tokio::spawn(write(db, receiver, flush_every));
        (ReadLog { queue }, writer)
    }

    /// Queues the reads of one answer together, waiting at most [`WAIT`] in all (a page of
    /// the list is up to 200 reads: one wait per read could hold a request for minutes).
    pub async fn record(&self, reads: Vec<Read>) -> Result<(), Full> {
        if reads.is_empty() {
            return Ok(());
        }
        match tokio::time::timeout(WAIT, self.queue.reserve_many(reads.len())).await {
            Err(_) => Err(Full),
            Ok(Ok(permits)) => {
                permits.zip(reads).for_each(|(permit, read)| permit.send(read));
                Ok(())
            }
            Ok(Err(_)) => {
                tracing::warn!("the read log's writer has stopped; reads went unrecorded");
                Ok(())
            }
        }
    }
}

async fn write(db: Db, mut receiver: mpsc::Receiver<Read>, flush_every: Duration) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        // Wait for the first read, then collect for one interval (or a full batch).
        match receiver.recv().await {
            Some(read) => batch.push(read),
            None => return,
        }
        let deadline = tokio::time::Instant::now() + flush_every;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(deadline, receiver.recv()).await {
                Ok(Some(read)) => batch.push(read),
                Ok(None) | Err(_) => break,
            }
        }
        // The database may be away for a while: keep the batch and try again.
        let mut delay = Duration::from_millis(100);
        loop {
            let rows = batch.clone();
            let written =
                db.write(move |conn| Ok::<_, DbError>(read_log::insert_all(conn, &rows)?)).await;
            match written {
                Ok(()) => break,
                Err(error) => {
                    tracing::warn!(%error, entries = batch.len(), "writing the read log failed; retrying");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
        batch.clear();
    }
}
