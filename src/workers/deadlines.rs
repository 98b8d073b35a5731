//! The deadline watcher: sweeps for response terms and follow-up dates that run out soon or
//! passed (`operations::deadlines::sweep`) every interval, until the service stops; erases the
//! complaints past their retention term (`operations::erasure::sweep`); and deletes the
//! idempotency keys past their lifetime (`operations::command::forget_keys`).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::SharedClock;
use crate::db::Db;
use crate::operations::command::forget_keys;
use crate::operations::deadlines::sweep;
use crate::operations::erasure;

/// Every `every`, also deletes the idempotency keys older than `keys_kept`.
pub async fn watch(
    db: Db,
    clock: SharedClock,
    (every, keys_kept): (Duration, Duration),
    stop: CancellationToken,
) {
    super::repeat(every, stop, || async {
        let now = clock.now();
        if let Err(error) = sweep(&db, now).await {
            tracing::warn!(%error, "the deadline sweep failed; trying again later");
        }
        match erasure::sweep(&db, now).await {
            Ok(0) => {}
            Ok(erased) => tracing::info!(erased, "complaints past their retention term erased"),
            Err(error) => {
                tracing::warn!(%error, "the retention sweep failed; trying again later");
            }
        }
        let before =
            now - chrono::Duration::from_std(keys_kept).unwrap_or(chrono::Duration::days(1));
        if let Err(error) = forget_keys(&db, before).await {
            tracing::warn!(%error, "deleting expired idempotency keys failed; trying again later");
        }
    })
    .await
}
