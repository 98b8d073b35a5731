//! Delivers due webhook deliveries: a POST of the event as JSON, signed with the
//! subscription's secret. Any 2xx answer counts as delivered; anything else (including a
//! redirect or no answer in time) is tried again later with a doubling wait, until
//! `domain::webhooks::MAX_ATTEMPTS`. Receivers de-duplicate by the event id: delivery is at
//! least once, so the same event may arrive twice after a crash between sending and
//! recording.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::delivery::{claim, failed, record};
use crate::config::DeliverySettings;
use crate::db::{Db, DbError};
use crate::domain::outbound::{AllowedHosts, Destination, Refusal};
use crate::domain::webhooks::signature;
use crate::outbound;
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
    clients: &Clients,
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
    let attempts = due.iter().map(|d| attempt(clients, d, now, settings));
    let outcomes = futures_util::future::join_all(attempts).await;
    record(db, outcomes, now).await
}

async fn attempt(
    clients: &Clients,
    due: &Due,
    now: DateTime<Utc>,
    settings: &DeliverySettings,
) -> (i64, Outcome) {
    let refused = |refusal: &Refusal| {
        let error = format!("refused: {refusal}");
        (due.id, failed(due.attempts, None, error, true, now, settings))
    };
    let client = match clients.for_receiver(&due.subscription.url).await {
        Ok(client) => client,
        Err(refusal) => return refused(&refusal),
    };
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
        Err(error) => match outbound::refusal_in(&error) {
            // The name resolved to an internal address since it was checked.
            Some(refusal) => return refused(refusal),
            // Without the URL: it is in the subscription already.
            None => (None, error.without_url().to_string()),
        },
    };
    (due.id, failed(due.attempts, status, error, false, now, settings))
}

/// The clients deliveries go out with: no redirects (a receiver that moved must be
/// re-subscribed by the coordinator, not followed blindly), no proxy (the connection goes to
/// the address that was checked). Hosts the operator allows are resolved as the system does;
/// every other name through `outbound::GuardedResolver`.
pub struct Clients {
    allowed: AllowedHosts,
    open: reqwest::Client,
    guarded: reqwest::Client,
}

impl Clients {
    pub fn new(allowed: AllowedHosts) -> Clients {
        let builder = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("klachtenregister/", env!("CARGO_PKG_VERSION")))
        };
        let guarded = builder().dns_resolver(Arc::new(outbound::GuardedResolver));
        Clients {
            allowed,
            open: builder().build().expect("the HTTP client builds with static settings"),
            guarded: guarded.build().expect("the HTTP client builds with static settings"),
        }
    }

    /// The client to reach `url` with, once where it points was checked.
    async fn for_receiver(&self, url: &str) -> Result<&reqwest::Client, Refusal> {
        let parsed =
            url::Url::parse(url).map_err(|_| Refusal::Unresolvable { host: String::new() })?;
        match outbound::check(&parsed, &self.allowed).await? {
            Destination::Allowed => Ok(&self.open),
            Destination::Address(_) | Destination::Name(_) => Ok(&self.guarded),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The guard on the connection itself: a name that resolves to loopback (as a rebound
    /// name would) is refused by the resolver, and nothing connects.
    #[tokio::test]
    async fn the_guarded_client_connects_only_to_checked_addresses() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let clients = Clients::new(AllowedHosts::default());
        let sent = clients.guarded.post(format!("http://localhost:{port}/")).send().await;
        let error = sent.expect_err("refused");
        let refusal = outbound::refusal_in(&error).expect("the refusal is the cause");
        assert!(refusal.to_string().contains("loopback"), "{refusal}");
        assert!(listener.accept().is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock));
        assert!(clients.for_receiver(&format!("http://localhost:{port}/")).await.is_err());
    }
}
