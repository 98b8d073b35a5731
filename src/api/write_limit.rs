//! The limit on how fast one staff member may write: a runaway integration or a stolen token
//! cannot flood the register. A middleware, ahead of every handler: it authenticates a write
//! (keeping the outcome for the handler's `Principal` extractor) and counts it per staff
//! member (whatever token they use) and per instance. A request without a valid token is not
//! counted — a forged token never reaches the counters, so they only grow with real staff —
//! and gets its 401 from the handler. Reads are not limited.

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

pub struct WriteLimit(Option<DefaultKeyedRateLimiter<i64>>);

impl WriteLimit {
    /// `per_minute` writes a minute, in bursts of as many; 0 for no limit.
    pub fn per_minute(per_minute: u32) -> WriteLimit {
        WriteLimit(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Counts a write of `staff_id`; one beyond the rate is refused with 429.
    fn check(&self, staff_id: i64) -> Result<(), ApiError> {
        let Some(limiter) = &self.0 else { return Ok(()) };
        limiter.check_key(&staff_id).map_err(|not_until| {
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
