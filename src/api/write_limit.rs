//! The limit on how fast one staff member may write: a runaway integration or a stolen token
//! cannot flood the register. A middleware, ahead of every handler: it authenticates a write
//! (keeping the outcome for the handler's `Principal` extractor) and counts it per staff
//! member (whatever token they use) and per instance. A request without a valid token is not
//! counted — a forged token never reaches the counters, so they only grow with real staff —
//! and gets its 401 from the handler. Reads are not limited.

use std::hash::Hash;
use std::num::NonZeroU32;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::authentication::{Authenticated, authenticate};
use super::state::AppState;
use crate::error::ApiError;

/// A limit on how fast one key — a staff member, a client address — may call.
pub struct RateLimit<K: Hash + Eq + Clone>(Option<DefaultKeyedRateLimiter<K>>);

/// Writes per staff member.
pub type WriteLimit = RateLimit<i64>;

/// Keys kept before those that are no longer limited are dropped: the public pages are
/// called from any number of addresses.
const KEYS_KEPT: usize = 10_000;

impl<K: Hash + Eq + Clone> RateLimit<K> {
    /// `per_minute` calls a minute, in bursts of as many; 0 for no limit.
    pub fn per_minute(per_minute: u32) -> RateLimit<K> {
        RateLimit(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Counts a call of `key`; one beyond the rate is refused with 429.
    pub fn check(&self, key: K) -> Result<(), ApiError> {
        let Some(limiter) = &self.0 else { return Ok(()) };
        if limiter.len() > KEYS_KEPT {
            limiter.retain_recent();
        }
        limiter.check_key(&key).map_err(|not_until| {
            ApiError::too_many_requests(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }
}

/// The middleware: counts each authenticated write against its staff member's rate.
pub async fn limit_writes(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let reads = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let state = request.app_data::<web::Data<AppState>>().cloned();
    if let Some(state) = state.filter(|s| s.write_limit.0.is_some() && !reads) {
        let outcome = authenticate(request.request()).await;
        if let Ok(principal) = &outcome {
            state.write_limit.check(principal.staff_id)?;
        }
        request.extensions_mut().insert(Authenticated(outcome));
    }
    next.call(request).await
}
