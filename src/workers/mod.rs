//! Work the service does beside answering requests: writing the read log in batches,
//! watching deadlines, delivering webhooks and e-mail. Each runs as a task on the async
//! runtime and reaches the database through the blocking pool like a handler does.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub mod deadlines;
pub mod delivery;
pub mod mail;
pub mod outbox;
pub mod read_log;
pub mod webhooks;

/// Runs `round` every `interval`, the first time one interval after the start, until `stop`
/// is cancelled; a round that has begun is finished first, so that what it claimed is also
/// recorded.
pub async fn repeat<F, R>(interval: Duration, stop: CancellationToken, mut round: F)
where
    F: FnMut() -> R,
    R: Future<Output = ()>,
{
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        round().await;
    }
}
