//! The graceful stop on SIGTERM or SIGINT.
//!
//! actix closes the listener the moment it is told to stop. A connection a client opened just
//! before the signal may then still wait in the kernel's accept queue, or in actix's hand-off
//! to a worker, and is reset although its request was sent before the stop. So the service
//! first *drains*: for a short while it keeps accepting, tells every client to close its
//! connection after the answer (`Connection: close`), and reports itself not ready, so that a
//! load balancer stops sending. Then it stops accepting and *settles*: a connection the
//! acceptor has already handed to a busy worker waits in that worker's queue, and actix's
//! graceful stop drops queued connections without an answer (only connections a worker has
//! taken up are finished). Only then does actix stop: the listener closes, new connections are
//! refused, and requests in flight complete.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;

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

/// How long the workers get, after accepting has stopped, to take up the connections already
/// handed to them. A worker on a saturated machine was seen to leave them queued for more than
/// 100 ms.
const SETTLE: Duration = Duration::from_millis(250);

/// Stops `server` gracefully after SIGTERM or SIGINT: drain, stop accepting, settle, stop.
pub async fn on_signal(server: ServerHandle, stopping: Stopping, drain: Duration) {
    received().await;
    stopping.set();
    tracing::info!(
        drain_ms = drain.as_millis() as u64,
        "stopping: draining, then finishing requests"
    );
    actix_web::rt::time::sleep(drain).await;
    server.pause().await;
    actix_web::rt::time::sleep(SETTLE).await;
    server.stop(true).await;
}

/// SIGTERM or SIGINT. A signal that cannot be listened for is warned about and never comes:
/// failing to register must not stop a service that was just started.
async fn received() {
    use actix_web::rt::signal;
    let interrupt = async {
        if let Err(error) = signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match signal::unix::signal(signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
