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
