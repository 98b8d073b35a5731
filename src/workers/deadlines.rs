//! The deadline watcher: sweeps for passed response terms and follow-up dates
//! (`operations::deadlines::sweep`) every interval, until the service stops.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::db::Db;
use crate::operations::deadlines::sweep;

pub async fn watch(db: Db, clock: SharedClock, every: Duration, stop: CancellationToken) {
    super::repeat(every, stop, || async {
        if let Err(error) = sweep(&db, clock.now()).await {
            tracing::warn!(%error, "the deadline sweep failed; trying again later");
        }
    })
    .await
}
