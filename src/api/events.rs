//! `GET /events/verification`: recomputes the organisation's event chain and reports the
//! first break — proof that the register's history was not altered behind its back.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::state::AppState;
use crate::auth::Principal;
use crate::domain::chain::{Break, Walk};
use crate::error::ApiError;
use crate::store::events::{self, chained_time};

/// How many events are read at a time: the walk keeps only the last hash, so memory stays
/// flat however long the chain.
const BATCH: i64 = 1_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct ChainBreak {
    /// The first event at which the chain does not hold.
    #[schema(example = 1207)]
    pub event_id: i64,
    /// `link`: it does not follow from the event before it (an event was removed or
    /// inserted); `content`: its contents do not match its hash (it was altered);
    /// `unhashed`: it carries no hash although the chain had begun.
    #[schema(example = "content")]
    pub kind: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// Every chained event holds.
    pub intact: bool,
    #[schema(example = 1206)]
    pub events_checked: u64,
    /// Events from before the chain was introduced; they carry no hash.
    pub unchained_events: u64,
    pub first_break: Option<ChainBreak>,
    pub verified_at: DateTime<Utc>,
}

#[utoipa::path(
    get,
    path = "/events/verification",
    operation_id = "verify_event_chain",
    tag = "events",
    summary = "Verify the tamper-evident timeline",
    description = "Recomputes the hash chain over all of the organisation's events, oldest \
        first, and reports the first event where it breaks. The database itself refuses to \
        update or delete events; this shows when something went around that.",
    responses((status = 200, description = "The verification", body = Verification)),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[get("/events/verification")]
pub async fn verify(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Verification>, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let now = state.clock.now();
    let organisation_id = principal.organisation_id;
    let verification = state
        .db
        .read(move |conn| {
            let mut walk = Walk::default();
            let mut after = 0;
            loop {
                let batch = events::for_organisation(conn, organisation_id, after, BATCH)?;
                let Some(last) = batch.last() else { break };
                after = last.id;
                for event in &batch {
                    let occurred_at = chained_time(event.occurred_at);
                    let stored = (event.prev_hash.as_deref(), event.hash.as_deref());
                    if let Err(broken) = walk.step(event.id, stored, &event.linked(&occurred_at)) {
                        return Ok::<_, ApiError>(report(walk, Some(broken), now));
                    }
                }
            }
            Ok(report(walk, None, now))
        })
        .await?;
    Ok(web::Json(verification))
}

fn report(walk: Walk, broken: Option<Break>, verified_at: DateTime<Utc>) -> Verification {
    let first_break = broken.map(|b| match b {
        Break::Link { event_id } => ChainBreak { event_id, kind: "link" },
        Break::Content { event_id } => ChainBreak { event_id, kind: "content" },
        Break::Unhashed { event_id } => ChainBreak { event_id, kind: "unhashed" },
    });
    Verification {
        intact: first_break.is_none(),
        events_checked: walk.checked,
        unchained_events: walk.unchained,
        first_break,
        verified_at,
    }
}
