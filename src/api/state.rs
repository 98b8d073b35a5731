//! What every request can reach. `app` builds it at start; handlers, extractors and the
//! middleware of `src/api` read it.

use crate::auth::{Principal, Sightings, Verifier};
use crate::clock::SharedClock;
use crate::db::Db;
use crate::operations::Context;
use crate::shutdown::Stopping;
use crate::workers::read_log::ReadLog;

use super::write_limit::WriteLimit;

pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub verifier: Verifier,
    pub sightings: Sightings,
    pub write_limit: WriteLimit,
    pub read_log: ReadLog,
    pub max_json_bytes: usize,
    pub max_document_bytes: usize,
    /// Set once SIGTERM or SIGINT came: readiness fails and connections close after answering.
    pub stopping: Stopping,
    /// How long an idempotency key's answer is replayed.
    pub idempotency_ttl: std::time::Duration,
}

impl AppState {
    /// The context of an operation `principal` performs now.
    pub fn context(&self, principal: Principal) -> Context {
        Context::new(principal, self.clock.now()).keeping_keys_for(self.idempotency_ttl)
    }
}
