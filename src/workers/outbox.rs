//! Hands each event in the outbox on: a webhook delivery for every subscription of its
//! organisation that wants its type (a paused one gets it when it resumes), and an e-mail for every recipient the event names
//! (when e-mail is configured). Entries are marked dispatched in the same transaction, so an
//! event is handed on once, also when several instances share a PostgreSQL database.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::db::{AnyConnection, DbError};
use crate::domain::notifications::Reason;
use crate::domain::webhooks::EventTypes;
use crate::store::deliveries::{self, Receiver};
use crate::store::events::EventRow;
use crate::store::webhooks::Subscription;
use crate::store::{outbox, staff, webhooks};

pub const BATCH: usize = 500;

/// One batch; returns how many events it handed on.
pub fn dispatch(
    conn: &mut AnyConnection,
    now: DateTime<Utc>,
    with_mail: bool,
) -> Result<usize, DbError> {
    let entries = outbox::claim(conn, BATCH as i64)?;
    let mut subscriptions: HashMap<i64, Vec<Subscription>> = HashMap::new();
    for (_, event) in &entries {
        let of_organisation = match subscriptions.entry(event.organisation_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(webhooks::of_organisation(conn, event.organisation_id)?)
            }
        };
        for subscription in of_organisation.iter() {
            if EventTypes::from_stored(&subscription.event_types).matches(&event.event_type) {
                let to = Receiver::Webhook { subscription_id: subscription.id };
                deliveries::schedule(conn, event.id, to, now)?;
            }
        }
        if with_mail {
            schedule_mail(conn, event, now)?;
        }
    }
    let ids: Vec<i64> = entries.iter().map(|(entry, _)| *entry).collect();
    outbox::dispatched(conn, &ids, now)?;
    Ok(entries.len())
}

/// The `recipients` an event's data names (see `store::staff::recipients`).
#[derive(Deserialize)]
struct Told {
    #[serde(default)]
    recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
struct Recipient {
    id: String,
    reason: Reason,
}

fn schedule_mail(
    conn: &mut AnyConnection,
    event: &EventRow,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let Ok(told) = serde_json::from_str::<Told>(&event.data) else {
        return Ok(());
    };
    for recipient in told.recipients {
        if let Some(member) = staff::find_by_subject(conn, event.organisation_id, &recipient.id)? {
            let to = Receiver::Mail { recipient_id: member.id, reason: recipient.reason.as_str() };
            deliveries::schedule(conn, event.id, to, now)?;
        }
    }
    Ok(())
}
