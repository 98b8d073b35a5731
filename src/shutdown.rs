//! The graceful stop on SIGTERM or SIGINT.
//!
//! actix closes the listener the moment it is told to stop. A connection a client opened just
//! before the signal may then still wait in the kernel's accept queue, or in actix's hand-off
//! to a worker, and is reset although its request was sent before the stop. So the service
//! first *drains*: for a short while it keeps accepting, tells every client to close its
//! connection after the answer (`Connection: close`), and reports itself not ready, so that a
//! load balancer stops sending. Then actix stops: the listener closes, new connections are
//! refused, and requests in flight complete.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Whether the service is stopping; shared by the signal handler, the readiness probe and the
/// middleware that closes connections.
#[derive(Debug, Clone, Default)]
pub struct Stopping(Arc<AtomicBool>);

impl Stopping {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Completes when the server should stop: after the signal and the drain that follows it.
pub async fn signal(stopping: Stopping, drain: Duration) {
    received().await;
    stopping.set();
    tracing::info!(
        drain_ms = drain.as_millis() as u64,
        "stopping: draining, then finishing requests"
    );
    actix_web::rt::time::sleep(drain).await;
}

#[cfg(unix)]
async fn received() {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = actix_web::rt::signal::ctrl_c() => {}
            }
        }
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM; only SIGINT stops the service");
            let _ = actix_web::rt::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn received() {
    let _ = actix_web::rt::signal::ctrl_c().await;
}
