//! Delivers due webhook deliveries: a POST of the event as JSON, signed with the
//! subscription's secret. Any 2xx answer counts as delivered; anything else (including a
//! redirect or no answer in time) is tried again later with a doubling wait, until
//! `domain::webhooks::MAX_ATTEMPTS`. Receivers de-duplicate by the event id: delivery is at
//! least once, so the same event may arrive twice after a crash between sending and
//! recording.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::delivery::{claim, failed, record};
use crate::config::DeliverySettings;
use crate::db::{Db, DbError};
use crate::domain::webhooks::signature;
use crate::store::deliveries::{Channel, Outcome};
use crate::store::events::EventRow;
use crate::store::from_db;
use crate::store::webhooks::{self, Subscription};

const BATCH: i64 = 100;

pub const EVENT_ID_HEADER: &str = "Klachten-Event-Id";
pub const TIMESTAMP_HEADER: &str = "Klachten-Timestamp";
pub const SIGNATURE_HEADER: &str = "Klachten-Signature";

/// What a receiver gets. It tells what happened to which complaint, and nothing of the
/// complaint itself: the receiver reads that through the API with its own token, where
/// organisation, role and ownership are checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEvent {
    /// The event's id: the same in every attempt, for de-duplication.
    #[schema(example = 41)]
    pub id: i64,
    #[serde(rename = "type")]
    #[schema(example = "complaint.registered")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    #[schema(example = 12)]
    pub complaint_id: Option<i64>,
    /// Where to read the complaint.
    #[schema(example = "/api/v1/complaints/12")]
    pub complaint_path: Option<String>,
}

impl WebhookEvent {
    fn of(event: &EventRow) -> WebhookEvent {
        WebhookEvent {
            id: event.id,
            event_type: event.event_type.clone(),
            occurred_at: from_db(event.occurred_at),
            complaint_id: event.complaint_id,
            complaint_path: event.complaint_id.map(|id| format!("/api/v1/complaints/{id}")),
        }
    }
}

/// A claimed delivery with its subscription.
struct Due {
    id: i64,
    attempts: i32,
    subscription: Subscription,
    event: EventRow,
}

/// One round: claims what is due, sends it (all at once), records how it went.
pub async fn deliver_due(
    db: &Db,
    client: &reqwest::Client,
    now: DateTime<Utc>,
    settings: &DeliverySettings,
) -> Result<(), DbError> {
    let due = claim(db, Channel::Webhooks, now, settings, BATCH, |conn, claimed| {
        let ids: Vec<i64> = claimed.iter().filter_map(|c| c.subscription_id).collect();
        let subscriptions = webhooks::by_ids(conn, &ids)?;
        Ok(claimed
            .into_iter()
            .filter_map(|c| {
                let subscription =
                    subscriptions.iter().find(|s| Some(s.id) == c.subscription_id)?;
                Some(Due {
                    id: c.id,
                    attempts: c.attempts,
                    subscription: subscription.clone(),
                    event: c.event,
                })
            })
            .collect())
    })
    .await?;
    let attempts = due.iter().map(|d| attempt(client, d, now, settings));
    let outcomes = futures_util::future::join_all(attempts).await;
    record(db, outcomes, now).await
}

async fn attempt(
    client: &reqwest::Client,
    due: &Due,
    now: DateTime<Utc>,
    settings: &DeliverySettings,
) -> (i64, Outcome) {
    let body =
        serde_json::to_string(&WebhookEvent::of(&due.event)).expect("the payload serialises");
    let timestamp = now.timestamp();
    let signed = signature(&due.subscription.secret, timestamp, &body);
    let sent = client
        .post(&due.subscription.url)
        .timeout(settings.timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_ID_HEADER, due.event.id)
        .header(TIMESTAMP_HEADER, timestamp)
        .header(SIGNATURE_HEADER, format!("v1={signed}"))
        .body(body)
        .send()
        .await;
    let (status, error) = match sent {
        Ok(answer) if answer.status().is_success() => {
            return (due.id, Outcome::Delivered { status: Some(answer.status().as_u16()) });
        }
        Ok(answer) => {
            (Some(answer.status().as_u16()), format!("the receiver answered {}", answer.status()))
        }
        // Without the URL: it is in the subscription already.
        Err(error) => (None, error.without_url().to_string()),
    };
    (due.id, failed(due.attempts, status, error, false, now, settings))
}

/// The client deliveries go out with: no redirects (a receiver that moved must be
/// re-subscribed by the coordinator, not followed blindly).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("klachtenregister/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client builds with static settings")
}
