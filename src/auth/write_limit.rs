//! The limit on how fast one staff member may write: a runaway integration or a stolen token
//! cannot flood the register. Counted per staff member (whatever token they use) and per
//! instance, after the token is verified — a forged token never reaches the counters, so
//! they only grow with real staff. Reads are not limited.

use std::num::NonZeroU32;

use actix_web::http::Method;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

pub struct WriteLimit(Option<DefaultKeyedRateLimiter<i64>>);

impl WriteLimit {
    /// `per_minute` writes a minute, in bursts of as many; 0 for no limit.
    pub fn per_minute(per_minute: u32) -> WriteLimit {
        WriteLimit(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Counts a request of `staff_id`; a write beyond the rate is refused with 429.
    pub fn check(&self, method: &Method, staff_id: i64) -> Result<(), ApiError> {
        let Some(limiter) = &self.0 else { return Ok(()) };
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return Ok(());
        }
        limiter.check_key(&staff_id).map_err(|not_until| {
            ApiError::too_many_requests(not_until.wait_time_from(DefaultClock::default().now()))
        })
    }
}
