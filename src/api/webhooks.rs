//! `/webhooks`: the coordinator's subscriptions of practice-management software to the
//! register's events, and each subscription's delivery log.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::answer::{created, versioned};
use super::extract::{ApiJson, ApiQuery, Idempotency, IfMatch};
use super::openapi::{
    Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use super::pagination::PageQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::Precondition;
use crate::operations::page::Page;
use crate::operations::webhooks::{self, CreateWebhook, DeliveryView, WebhookPatch, WebhookView};

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
        the event id, order by `occurred_at`. A receiver whose host is or resolves to a \
        loopback, private, link-local, unique-local, multicast or unspecified address is refused \
        (`422 webhook_target_refused`), here and again at every delivery, unless the operator \
        lists the host in `KLACHTEN_WEBHOOK_ALLOWED_HOSTS`.",
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
    key: Idempotency,
    body: ApiJson<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(key.into());
    let view = webhooks::create(&state.db, ctx, body.0, &state.webhook_allowed_hosts).await?;
    Ok(created(&view, &format!("/webhooks/{}", view.id), Some(view.version)))
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
    let page = query.0.checked()?;
    Ok(web::Json(webhooks::list(&state.db, state.context(principal), page).await?))
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
    let view = webhooks::read(&state.db, state.context(principal), id.into_inner()).await?;
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
        ("If-Match" = String, Header, description = "The ETag this change is based on: required (`428` without it)", example = "\"1\""),
    ),
    request_body(content(
        (WebhookPatch = "application/json"),
        (WebhookPatch = "application/merge-patch+json"),
    )),
    responses(
        (status = 200, description = "The subscription as changed", body = WebhookView,
            headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!([ROLES]))),
)]
#[patch("/webhooks/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    IfMatch(precondition): IfMatch,
    body: ApiJson<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let allowed = &state.webhook_allowed_hosts;
    let view = webhooks::edit(&state.db, ctx, id.into_inner(), body.0, allowed).await?;
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
    precondition: Precondition,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    webhooks::remove(&state.db, ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
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
    let page = query.0.checked()?;
    let ctx = state.context(principal);
    Ok(web::Json(webhooks::deliveries(&state.db, ctx, id.into_inner(), page).await?))
}
