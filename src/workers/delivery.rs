//! The delivery round: hand the outbox's new events on, then send the webhooks and e-mail
//! that are due. One round at a time per instance; instances share the work through the
//! database (claims with a lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL).

use chrono::{DateTime, Utc};
use diesel::QueryResult;

use crate::clock::SharedClock;
use crate::config::DeliverySettings;
use crate::db::{AnyConnection, Db, DbError};
use crate::domain::webhooks::retry_after;
use crate::store::deliveries::{self, Channel, Claimed, Outcome};

use super::mail::Mailer;
use super::{outbox, webhooks};

pub struct Delivery {
    db: Db,
    clock: SharedClock,
    settings: DeliverySettings,
    clients: webhooks::Clients,
    mailer: Option<Mailer>,
}

impl Delivery {
    pub fn new(db: Db, clock: SharedClock, settings: DeliverySettings) -> Result<Delivery, String> {
        let mailer =
            settings.mail.as_ref().map(|mail| Mailer::new(mail, settings.timeout)).transpose()?;
        let clients = webhooks::Clients::new(settings.webhook_allowed_hosts.clone());
        Ok(Delivery { db, clock, settings, clients, mailer })
    }

    pub async fn round(&self) {
        if let Err(error) = self.try_round().await {
            tracing::warn!(%error, "a delivery round failed; trying again later");
        }
    }

    async fn try_round(&self) -> Result<(), DbError> {
        let now = self.clock.now();
        let with_mail = self.mailer.is_some();
        // Until the outbox is empty, so that a burst of events is not spread over rounds.
        loop {
            let handed_on =
                self.db.write(move |conn| outbox::dispatch(conn, now, with_mail)).await?;
            if handed_on < outbox::BATCH {
                break;
            }
        }
        webhooks::deliver_due(&self.db, &self.clients, now, &self.settings).await?;
        if let Some(mailer) = &self.mailer {
            mailer.send_due(&self.db, now, &self.settings).await?;
        }
        Ok(())
    }
}

/// Claims up to `limit` of a channel's due deliveries, with what `look_up` adds to them
/// (the subscription, the address), in a transaction of their own.
pub(super) async fn claim<T, F>(
    db: &Db,
    channel: Channel,
    now: DateTime<Utc>,
    settings: &DeliverySettings,
    limit: i64,
    look_up: F,
) -> Result<Vec<T>, DbError>
where
    F: FnOnce(&mut AnyConnection, Vec<Claimed>) -> QueryResult<Vec<T>> + Send + 'static,
    T: Send + 'static,
{
    // Long enough for every attempt of the round to time out before anyone tries again.
    let lease_until = now + settings.timeout * 2 + chrono::Duration::seconds(30);
    db.write(move |conn| {
        let claimed = deliveries::claim_due(conn, channel, now, lease_until, limit)?;
        Ok::<_, DbError>(look_up(conn, claimed)?)
    })
    .await
}

/// Records how the attempts went.
pub(super) async fn record(
    db: &Db,
    outcomes: Vec<(i64, Outcome)>,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    db.write(move |conn| {
        for (id, outcome) in &outcomes {
            deliveries::record(conn, *id, outcome, now)?;
        }
        Ok::<_, DbError>(())
    })
    .await
}

/// A failed attempt, the `attempts`th before this one: tried again after the backoff, or
/// given up when that ran out or the failure is `permanent`.
pub(super) fn failed(
    attempts: i32,
    status: Option<u16>,
    error: String,
    permanent: bool,
    now: DateTime<Utc>,
    settings: &DeliverySettings,
) -> Outcome {
    match retry_after(attempts + 1, settings.first_retry).filter(|_| !permanent) {
        Some(wait) => Outcome::Retry { status, error, next_attempt_at: now + wait },
        None => Outcome::Failed { status, error },
    }
}
