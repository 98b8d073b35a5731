//! `/webhooks`: the coordinator's subscriptions of practice-management software to the
//! register's events, and each subscription's delivery log. The secret is write-only: it
//! signs deliveries and is never shown again.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::complaints::StaffRef;
use super::extract::{ApiJson, ApiQuery, IdempotencyKey, IfMatch};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{Forbidden, NotFound, PreconditionFailed, Unprocessable};
use super::pagination::{self, Page, PageQuery};
use super::state::AppState;
use super::versioned;
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::domain::events::EventType;
use crate::domain::validation::FieldError;
use crate::domain::webhooks::{EventTypes, check_secret, check_url};
use crate::error::ApiError;
use crate::store::deliveries::{self as delivery_store, LogRow};
use crate::store::events::{self, NewEvent};
use crate::store::webhooks::{self as store, Subscription, Terms};
use crate::store::{from_db, staff};

/// A subscription, without its secret.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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

fn view(conn: &mut AnyConnection, row: Subscription) -> Result<WebhookView, ApiError> {
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
    /// Where deliveries go: `https://`, or `http://` to this machine only.
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
#[derive(Debug, Default, Deserialize, ToSchema)]
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
) -> Result<Terms, ApiError> {
    let url = check_url(url.trim());
    let types = EventTypes::check(event_types);
    let secret_ok = check_secret(secret);
    match (url, types, secret_ok) {
        (Ok(url), Ok(types), Ok(())) => {
            Ok(Terms { url, event_types: types.to_stored(), secret: secret.to_owned(), active })
        }
        (url, types, secret) => {
            let errors: Vec<FieldError> =
                [url.err(), types.err(), secret.err()].into_iter().flatten().collect();
            Err(ApiError::validation(errors))
        }
    }
}

/// The event recording a change to the subscriptions: where the register's events go is
/// part of the audit trail.
fn record(
    conn: &mut AnyConnection,
    principal: &Principal,
    event_type: EventType,
    row: &Subscription,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    events::append(
        conn,
        NewEvent {
            organisation_id: principal.organisation_id,
            complaint_id: None,
            event_type,
            actor_id: Some(principal.staff_id),
            occurred_at: now,
            data: json!({
                "subscription": row.id,
                "url": row.url,
                "event_types": EventTypes::from_stored(&row.event_types).names(),
                "active": row.active,
            }),
        },
    )?;
    Ok(())
}

fn found(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: i64,
) -> Result<Subscription, ApiError> {
    store::find(conn, principal.organisation_id, id)?.ok_or_else(|| ApiError::not_found("webhook"))
}

const ROLES: &str = "klachtencoordinator";

#[utoipa::path(
    post,
    operation_id = "create_webhook",
    path = "/webhooks",
    tag = "webhooks",
    summary = "Subscribe a receiver to events",
    description = "Every event of the chosen types is POSTed to `url` as a `WebhookEvent`, \
        with the headers `Klachten-Event-Id`, `Klachten-Timestamp` (Unix seconds) and \
        `Klachten-Signature: v1=<hex HMAC-SHA256 of \"{timestamp}.{body}\" with the secret>`. \
        Any 2xx answer is a delivery; otherwise it is tried again with a doubling wait, ten \
        times in all. Delivery is at least once and not necessarily in order: de-duplicate by \
        the event id, order by `occurred_at`.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "Subscribed", body = WebhookView,
            headers(("ETag" = String), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[post("/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let now = state.clock.now();
    let body = body.0;
    let terms = checked(&body.url, &body.event_types, &body.secret, body.active.unwrap_or(true))?;
    let fingerprint = fingerprint("POST /webhooks", &body);
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let row = store::create(
                    conn,
                    principal.organisation_id,
                    &terms,
                    principal.staff_id,
                    now,
                )?;
                record(conn, &principal, EventType::WebhookCreated, &row, now)?;
                let location = format!("/api/v1/webhooks/{}", row.id);
                Answer::created(&view(conn, row)?, location)
            })
        })
        .await?;
    Ok(answer.into_response())
}

#[utoipa::path(
    get,
    operation_id = "list_webhooks",
    path = "/webhooks",
    tag = "webhooks",
    summary = "The organisation's subscriptions",
    params(PageQuery),
    responses((status = 200, description = "Oldest first", body = Page<WebhookView>),
        (status = 403, response = Forbidden)),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[get("/webhooks")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<WebhookView>>, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let (limit, after) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            let rows = store::list(conn, principal.organisation_id, after, limit + 1)?;
            let page = pagination::page(rows, limit, |r| r.id, |r| r);
            let items = page.items.into_iter().map(|r| view(conn, r)).collect::<Result<_, _>>()?;
            Ok::<_, ApiError>(Page { items, next_cursor: page.next_cursor })
        })
        .await?;
    Ok(web::Json(page))
}

#[utoipa::path(
    get,
    operation_id = "get_webhook",
    path = "/webhooks/{id}",
    tag = "webhooks",
    summary = "A subscription",
    params(("id" = i64, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = WebhookView, headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[get("/webhooks/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let row = found(conn, &principal, id)?;
            view(conn, row)
        })
        .await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    patch,
    operation_id = "update_webhook",
    path = "/webhooks/{id}",
    tag = "webhooks",
    summary = "Change or pause a subscription",
    params(
        ("id" = i64, Path, description = "The subscription's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag this change is based on"),
    ),
    request_body(content(
        (WebhookPatch = "application/json"),
        (WebhookPatch = "application/merge-patch+json"),
    )),
    responses(
        (status = 200, description = "The subscription as changed", body = WebhookView,
            headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[patch("/webhooks/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let patch = body.0;
    let view = state
        .db
        .write(move |conn| {
            let row = found(conn, &principal, id)?;
            if_match.check(row.version)?;
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
            )?;
            if terms == current {
                return view(conn, row);
            }
            let saved = store::save(conn, id, row.version, &terms, now)?.ok_or_else(|| {
                ApiError::precondition_failed("the subscription changed meanwhile")
            })?;
            record(conn, &principal, EventType::WebhookUpdated, &saved, now)?;
            view(conn, saved)
        })
        .await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    delete,
    operation_id = "delete_webhook",
    path = "/webhooks/{id}",
    tag = "webhooks",
    summary = "End a subscription",
    description = "Ends the subscription with its delivery log; pending deliveries are not sent.",
    params(
        ("id" = i64, Path, description = "The subscription's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag this is based on"),
    ),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
    ),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[delete("/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let id = id.into_inner();
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let row = found(conn, &principal, id)?;
            if_match.check(row.version)?;
            store::delete(conn, id)?;
            record(conn, &principal, EventType::WebhookDeleted, &row, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
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

#[utoipa::path(
    get,
    operation_id = "list_webhook_deliveries",
    path = "/webhooks/{id}/deliveries",
    tag = "webhooks",
    summary = "A subscription's delivery log",
    params(("id" = i64, Path, description = "The subscription's id"), PageQuery),
    responses(
        (status = 200, description = "Newest first", body = Page<DeliveryView>),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn delivery_log(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<DeliveryView>>, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let id = id.into_inner();
    let (limit, before) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            found(conn, &principal, id)?;
            let rows = delivery_store::log(conn, id, before, limit + 1)?;
            Ok::<_, ApiError>(pagination::page(rows, limit, |r| r.id, DeliveryView::from))
        })
        .await?;
    Ok(web::Json(page))
}
