//! The register's events: a complaint's timeline, and the verification of the organisation's
//! tamper-evident chain.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::page::{Page, PageRequest};
use super::people::StaffRef;
use super::reads;
use super::targets::readable_complaint;
use super::{Context, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::chain::{Break, Walk};
use crate::domain::commitment;
use crate::domain::events::EventType;
use crate::store::events::{self, EventRow, chained_time};
use crate::store::{event_texts, from_db, staff};
use crate::workers::read_log::ReadLog;

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEvent {
    #[schema(example = 41)]
    pub id: i64,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    /// Who did it; `null` for what the service did by itself.
    pub actor: Option<StaffRef>,
    /// What happened: the step's details, before/after values of an edit, and for the
    /// moments someone must be told of, `recipients`. Each free text (a reason, a summary, a
    /// description, …) is recorded in the event as a salted commitment and shown here as
    /// `{"sha256", "text", "state"}`: `state` is `intact` when the text kept beside the
    /// event still matches its commitment, `altered` when it does not, and `erased` (with
    /// `text` null) once the text was erased.
    #[schema(value_type = Object, example = json!({"reason": {"sha256": "5d0c2bb7e1b64d0a4e6d8e5b3f1c7a9e0f2d4b6a8c0e2f4a6b8d0f2e4c6a8b0d", "text": "Geen oplossing met de cliënt", "state": "intact"}, "recipients": [{"id": "kees", "reason": "escalated"}]}))]
    pub data: Value,
}

/// Every event of a complaint the caller may read, oldest first; recorded as a read.
pub async fn timeline(
    db: &Db,
    read_log: &ReadLog,
    ctx: Context,
    complaint: i64,
    page: PageRequest,
) -> Result<Page<TimelineEvent>, OperationError> {
    let caller = ctx.caller.clone();
    let events = db
        .read::<_, OperationError, _>(move |conn| {
            readable_complaint(conn, &caller, complaint)?;
            events_of(conn, complaint, page)
        })
        .await?;
    reads::record(read_log, &ctx, [complaint], None).await?;
    Ok(events)
}

/// A page of a complaint's events, oldest first, for a caller already allowed to read it:
/// the timeline, and the timelines a subject-access answer holds.
pub(super) fn events_of(
    conn: &mut AnyConnection,
    complaint: i64,
    page: PageRequest,
) -> Result<Page<TimelineEvent>, OperationError> {
    let rows = events::for_complaint(conn, complaint, page.after, page.fetch())?;
    let ids: Vec<i64> = rows.iter().filter_map(|e| e.actor_id).collect();
    let people = staff::people(conn, &ids)?;
    let events: Vec<i64> = rows.iter().map(|e| e.id).collect();
    let texts = event_texts::of_events(conn, &events)?;
    let erased = HashMap::new();
    Ok(page.cut(
        rows,
        |e| e.id,
        |e: EventRow| {
            let event_type = EventType::parse(&e.event_type).unwrap_or(EventType::ComplaintUpdated);
            let mut data = serde_json::from_str(&e.data).unwrap_or(Value::Null);
            let kept = texts.get(&e.id).unwrap_or(&erased);
            commitment::open(&mut data, event_type.texts(), kept);
            TimelineEvent {
                id: e.id,
                event_type,
                occurred_at: from_db(e.occurred_at),
                actor: e.actor_id.map(|a| StaffRef::of(&people, a)),
                data,
            }
        },
    ))
}

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

/// Recomputes the organisation's event chain, oldest first, and reports the first event
/// where it breaks: a coordinator's.
pub async fn verify(db: &Db, ctx: Context) -> Result<Verification, OperationError> {
    ctx.caller.require_coordinator()?;
    db.read(move |conn| {
        let mut walk = Walk::default();
        let mut after = 0;
        loop {
            let batch = events::for_organisation(conn, ctx.organisation_id(), after, BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            for event in &batch {
                let occurred_at = chained_time(event.occurred_at);
                let stored = (event.prev_hash.as_deref(), event.hash.as_deref());
                if let Err(broken) = walk.step(event.id, stored, &event.linked(&occurred_at)) {
                    return Ok(report(walk, Some(broken), ctx.now));
                }
            }
        }
        Ok(report(walk, None, ctx.now))
    })
    .await
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
