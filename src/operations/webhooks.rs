//! The coordinator's subscriptions of practice-management software to the register's events,
//! and each subscription's delivery log. The secret is write-only: it signs deliveries and
//! is never shown again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done, Nothing, Target};
use super::page::{Page, PageRequest};
use super::people::StaffRef;
use super::targets::Coordinated;
use super::{Context, Event, OperationError};
use crate::db::{AnyConnection, Db};
use crate::domain::codes::ProblemCode;
use crate::domain::events::EventType;
use crate::domain::lifecycle::Refused;
use crate::domain::outbound::AllowedHosts;
use crate::domain::validation::{AllValid, ValidationErrors};
use crate::domain::webhooks::{EventTypes, check_secret, check_url};
use crate::outbound;
use crate::store::deliveries::{self as delivery_store, LogRow};
use crate::store::webhooks::{self as store, Subscription, Terms};
use crate::store::{from_db, staff};

/// A subscription, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "https://pms.kantoor.nl/hooks/klachten")]
    pub url: String,
    /// The event types delivered, or `["*"]` for all.
    #[schema(example = json!(["complaint.registered", "complaint.closed"]))]
    pub event_types: Vec<String>,
    /// A paused subscription keeps what happens meanwhile and delivers it when it is active
    /// again.
    pub active: bool,
    pub created_by: StaffRef,
    #[schema(example = 1)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(conn: &mut AnyConnection, row: Subscription) -> Result<WebhookView, OperationError> {
    let people = staff::people(conn, &[row.created_by_id])?;
    Ok(WebhookView {
        event_types: EventTypes::from_stored(&row.event_types).names(),
        created_by: StaffRef::of(&people, row.created_by_id),
        id: row.id,
        url: row.url,
        active: row.active,
        version: row.version,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
    })
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://pms.kantoor.nl/hooks/klachten",
    "event_types": ["complaint.registered", "complaint.response_overdue"],
    "secret": "een-lang-geheim-van-minstens-24-tekens"
}))]
pub struct CreateWebhook {
    /// Where deliveries go: `https://`, or `http://` to this machine only. Its host must be,
    /// and resolve to, public addresses only (`webhook_target_refused` otherwise), unless the
    /// operator lists it in `KLACHTEN_WEBHOOK_ALLOWED_HOSTS`.
    #[schema(max_length = 2000)]
    pub url: String,
    /// Event types to deliver, or `["*"]` for all.
    pub event_types: Vec<String>,
    /// Signs each delivery (HMAC-SHA256); 24 to 200 visible ASCII characters. Write-only.
    #[schema(min_length = 24, max_length = 200, write_only)]
    pub secret: String,
    /// Default `true`.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Changes to a subscription; absent fields stay.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct WebhookPatch {
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    /// A new secret: deliveries from now on are signed with it.
    #[schema(min_length = 24, max_length = 200, write_only)]
    pub secret: Option<String>,
    pub active: Option<bool>,
}

/// The terms as checked, every problem at once.
fn checked(
    url: &str,
    event_types: &[String],
    secret: &str,
    active: bool,
    allowed: &AllowedHosts,
) -> Result<Terms, ValidationErrors> {
    let (url, types, ()) =
        (check_url(url.trim(), allowed), EventTypes::check(event_types), check_secret(secret))
            .all_valid()?;
    Ok(Terms { url, event_types: types.to_stored(), secret: secret.to_owned(), active })
}

/// The event recording a change to the subscriptions: where the register's events go is
/// part of the audit trail.
fn event(event_type: EventType, row: &Subscription) -> Event {
    Event {
        complaint_id: None,
        event_type,
        data: json!({
            "subscription": row.id,
            "url": row.url,
            "event_types": EventTypes::from_stored(&row.event_types).names(),
            "active": row.active,
        }),
    }
}

/// A subscription of the organisation, for a coordinator.
fn subscription(id: i64) -> Coordinated<Subscription> {
    Coordinated { id, what: "webhook", find: store::find, version: |row| row.version }
}

/// Refuses a receiver at an address that is not public, unless the operator allows its
/// host: before anything is written or sent (the delivery checks again).
async fn reachable(url: &str, allowed: &AllowedHosts) -> Result<(), OperationError> {
    let Ok(parsed) = url::Url::parse(url) else { return Ok(()) };
    outbound::check(&parsed, allowed).await.map(drop).map_err(|refusal| {
        OperationError::Unprocessable(Refused::new(
            ProblemCode::WebhookTargetRefused,
            refusal.to_string(),
        ))
    })
}

/// Subscribes a receiver to events.
pub async fn create(
    db: &Db,
    ctx: Context,
    input: CreateWebhook,
    allowed: &AllowedHosts,
) -> Result<WebhookView, OperationError> {
    ctx.caller.require_coordinator()?;
    let active = input.active.unwrap_or(true);
    let terms = checked(&input.url, &input.event_types, &input.secret, active, allowed)?;
    reachable(&terms.url, allowed).await?;
    db.write(move |conn| {
        let created_by = ctx.caller.person()?.staff_id;
        command::run(conn, &ctx, (CommandKind::CreateWebhook, Nothing), &input, |conn, ()| {
            let row = store::create(conn, ctx.organisation_id(), &terms, created_by, ctx.now)?;
            let event = event(EventType::WebhookCreated, &row);
            Ok(Done::recorded(view(conn, row)?, event))
        })
    })
    .await
}

/// The organisation's subscriptions, oldest first.
pub async fn list(
    db: &Db,
    ctx: Context,
    page: PageRequest,
) -> Result<Page<WebhookView>, OperationError> {
    ctx.caller.require_coordinator()?;
    db.read(move |conn| {
        let rows = store::list(conn, ctx.organisation_id(), page.after, page.fetch())?;
        let rows = page.cut(rows, |r| r.id, |r| r);
        let items = rows.items.into_iter().map(|r| view(conn, r)).collect::<Result<_, _>>()?;
        Ok(Page { items, next_cursor: rows.next_cursor })
    })
    .await
}

/// One subscription.
pub async fn read(db: &Db, ctx: Context, id: i64) -> Result<WebhookView, OperationError> {
    db.read(move |conn| {
        let row = subscription(id).find(conn, &ctx.caller)?;
        view(conn, row)
    })
    .await
}

/// Changes or pauses a subscription.
pub async fn edit(
    db: &Db,
    ctx: Context,
    id: i64,
    patch: WebhookPatch,
    allowed: &AllowedHosts,
) -> Result<WebhookView, OperationError> {
    if let Some(Ok(url)) = patch.url.as_deref().map(|url| check_url(url.trim(), allowed)) {
        reachable(&url, allowed).await?;
    }
    let allowed = allowed.clone();
    db.write(move |conn| {
        command::run(
            conn,
            &ctx,
            (CommandKind::EditWebhook, subscription(id)),
            &patch,
            |conn, row| {
                let current = row.terms();
                let event_types = patch
                    .event_types
                    .clone()
                    .unwrap_or_else(|| EventTypes::from_stored(&current.event_types).names());
                let terms = checked(
                    patch.url.as_deref().unwrap_or(&current.url),
                    &event_types,
                    patch.secret.as_deref().unwrap_or(&current.secret),
                    patch.active.unwrap_or(current.active),
                    &allowed,
                )?;
                if terms == current {
                    return Ok(Done::unchanged(view(conn, row)?));
                }
                let saved = store::save(conn, id, row.version, &terms, ctx.now)?
                    .ok_or_else(|| OperationError::changed_meanwhile("subscription"))?;
                let event = event(EventType::WebhookUpdated, &saved);
                Ok(Done::recorded(view(conn, saved)?, event))
            },
        )
    })
    .await
}

/// Ends a subscription with its delivery log; pending deliveries are not sent.
pub async fn remove(db: &Db, ctx: Context, id: i64) -> Result<(), OperationError> {
    db.write(move |conn| {
        command::run(
            conn,
            &ctx,
            (CommandKind::DeleteWebhook, subscription(id)),
            &(),
            |conn, row| {
                store::delete(conn, id)?;
                Ok(Done::recorded((), event(EventType::WebhookDeleted, &row)))
            },
        )
    })
    .await
}

/// One delivery of an event to a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DeliveryView {
    #[schema(example = 88)]
    pub id: i64,
    /// The event delivered; receivers see it as `Klachten-Event-Id`.
    #[schema(example = 41)]
    pub event_id: i64,
    pub event_type: EventType,
    /// `pending` (to be tried, again), `delivered`, or `failed` (given up).
    #[schema(example = "delivered")]
    pub status: String,
    #[schema(example = 1)]
    pub attempts: i32,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer, if there was one.
    #[schema(example = 200)]
    pub last_status: Option<i32>,
    /// Why the last attempt failed.
    #[schema(example = "the receiver answered 503 Service Unavailable")]
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<LogRow> for DeliveryView {
    fn from(row: LogRow) -> DeliveryView {
        DeliveryView {
            event_type: EventType::parse(&row.event_type).unwrap_or(EventType::ComplaintUpdated),
            next_attempt_at: (row.status == "pending").then(|| from_db(row.next_attempt_at)),
            id: row.id,
            event_id: row.event_id,
            status: row.status,
            attempts: row.attempts,
            last_status: row.last_status,
            last_error: row.last_error,
            delivered_at: row.delivered_at.map(from_db),
            created_at: from_db(row.created_at),
        }
    }
}

/// A subscription's delivery log, newest first.
pub async fn deliveries(
    db: &Db,
    ctx: Context,
    id: i64,
    page: PageRequest,
) -> Result<Page<DeliveryView>, OperationError> {
    db.read(move |conn| {
        subscription(id).find(conn, &ctx.caller)?;
        let rows = delivery_store::log(conn, id, page.after, page.fetch())?;
        Ok(page.cut(rows, |r| r.id, DeliveryView::from))
    })
    .await
}
