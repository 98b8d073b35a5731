//! What every request can reach. `app` builds it at start; handlers, extractors and the
//! middleware of `src/api` read it.

use crate::auth::{Principal, Sightings, Verifier};
use crate::clock::SharedClock;
use crate::db::Db;
use crate::domain::outbound::AllowedHosts;
use crate::operations::Context;
use crate::render::typeset::Typesetter;
use crate::shutdown::Stopping;
use crate::workers::read_log::ReadLog;

use super::write_limit::{RateLimit, WriteLimit};

pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub verifier: Verifier,
    pub sightings: Sightings,
    pub write_limit: WriteLimit,
    /// Requests to the public pages per client address.
    pub public_limit: RateLimit<std::net::IpAddr>,
    pub read_log: ReadLog,
    /// Lays out the paperwork's PDFs.
    pub typesetter: Typesetter,
    pub max_json_bytes: usize,
    pub max_document_bytes: usize,
    /// The anonymised overview shows no figure of fewer complaints than this.
    pub overview_min_cell: i64,
    /// `/metrics` answers only this bearer token, when set.
    pub metrics_token: Option<String>,
    /// Set once SIGTERM or SIGINT came: readiness fails and connections close after answering.
    pub stopping: Stopping,
    /// `KLACHTEN_WEBHOOK_ALLOWED_HOSTS`.
    pub webhook_allowed_hosts: AllowedHosts,
    /// `KLACHTEN_CLOCK_SKEW_SECS`.
    pub clock_skew: chrono::Duration,
    /// `KLACHTEN_PUBLIC_URL`: where clients reach the service.
    pub public_url: String,
    /// How long an idempotency key's answer is replayed.
    pub idempotency_ttl: std::time::Duration,
}

impl AppState {
    /// The context of an operation `principal` performs now.
    pub fn context(&self, principal: Principal) -> Context {
        Context::new(principal, self.clock.now())
            .with_skew(self.clock_skew)
            .keeping_keys_for(self.idempotency_ttl)
    }
}
