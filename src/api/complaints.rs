//! `/complaints`: register, read, list and edit the registration form.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::answer::{created, versioned};
use super::export;
use super::extract::{ApiJson, ApiQuery, Idempotency, IfMatch, complaint};
use super::negotiate::{CSV, JSON, XLSX, preferred};
use super::openapi::{
    Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable,
};
use super::pagination;
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::classification::{Category, Channel};
use crate::domain::complaint::{ComplaintKind, ComplaintStatus};
use crate::domain::register::Language;
use crate::domain::validation::{ExternalId, Text, check_days};
use crate::error::ApiError;
use crate::operations::complaints::{
    self, ComplaintPatch, ComplaintView, Filter, RegisterComplaint,
};
use crate::operations::page::Page;
use crate::telemetry::record_complaint;

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];

#[utoipa::path(
    post,
    operation_id = "register_complaint",
    path = "/complaints",
    tag = "complaints",
    summary = "Register a complaint, error or improvement opportunity",
    description = "Records the registration form. The reference is assigned per organisation \
        and year; the response term starts at `received_at`; the coordinator in charge is the \
        organisation's klachtencoördinator, or the deputy when the complaint is about the \
        coordinator. A retry with the same `Idempotency-Key` returns the first answer.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: the same key and body return the first answer")),
    request_body = RegisterComplaint,
    responses(
        (status = 201, description = "Registered", body = ComplaintView,
            headers(("ETag" = String, description = "The version, quoted"), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints")]
pub async fn register(
    state: web::Data<AppState>,
    principal: Principal,
    key: Idempotency,
    body: ApiJson<RegisterComplaint>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(key.into());
    let view = complaints::register(&state.db, ctx, body.0).await?;
    record_complaint(view.id);
    Ok(created(&view, &format!("/complaints/{}", view.id), Some(view.version)))
}

#[utoipa::path(
    get,
    operation_id = "get_complaint",
    path = "/complaints/{id}",
    tag = "complaints",
    summary = "Read a complaint",
    description = "A dienstverlener sees complaints they handle, are the subject of, or \
        registered; a klachtencoördinator sees all of the organisation's.",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses(
        (status = 200, description = "The complaint", body = ComplaintView,
            headers(("ETag" = String, description = "The version, quoted"))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let view =
        complaints::read(&state.db, &state.read_log, state.context(principal), complaint(id))
            .await?;
    Ok(versioned(&view, view.version))
}

/// Filters of the complaint list; all are optional and combine with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    /// Only complaints in this status.
    pub status: Option<ComplaintStatus>,
    /// Only complaints, errors or improvement opportunities.
    pub kind: Option<ComplaintKind>,
    /// The handler's identity-provider id.
    #[param(example = "auth0|dana")]
    pub handler: Option<String>,
    /// Classified in this category (I–IV).
    pub category: Option<Category>,
    /// Lodged through this channel (A oral, B written).
    pub channel: Option<Channel>,
    /// Text to find in the reference, description, client, complainant or matter.
    #[param(example = "declaratie", max_length = 200)]
    pub q: Option<String>,
    /// Received on or after this date (UTC).
    #[param(example = "2026-01-01")]
    pub received_from: Option<NaiveDate>,
    /// Received on or before this date (UTC).
    #[param(example = "2026-12-31")]
    pub received_to: Option<NaiveDate>,
    /// Only complaints that are (`true`) or are not (`false`) overdue now.
    pub overdue: Option<bool>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ComplaintQuery {
    /// The filters, checked; the first parameter at fault is named.
    fn filter(self) -> Result<Filter, ApiError> {
        let invalid = |e: crate::domain::validation::FieldError| {
            ApiError::invalid_parameter(&e.field, e.message)
        };
        let received =
            check_days(("received_from", self.received_from), ("received_to", self.received_to));
        let (received_from, received_to) = received.map_err(invalid)?;
        let handler = self.handler.as_deref().map(|h| ExternalId::parse("handler", h.trim()));
        // Checked as any text is: PostgreSQL refuses a NUL byte outright.
        let text = Text::parse_optional("q", self.q.as_deref(), 200);
        Ok(Filter {
            status: self.status,
            kind: self.kind,
            handler: handler.transpose().map_err(invalid)?,
            category: self.category,
            channel: self.channel,
            text: text.map_err(invalid)?,
            received_from,
            received_to,
            overdue: self.overdue,
        })
    }
}

#[utoipa::path(
    get,
    operation_id = "list_complaints",
    path = "/complaints",
    tag = "complaints",
    summary = "List complaints, or export the register",
    description = "Newest registration first, in the caller's scope (see `GET \
        /complaints/{id}`). Pages are cut by keyset: follow `next_cursor`.\n\n\
        `Accept: text/csv` or `Accept: \
        application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` exports the whole \
        register with the same filters instead — no pages (`limit` and `cursor` do not \
        apply), one row per complaint with its classification, dates, response-term outcome, \
        decision and closure — as an attachment. Column headers are Dutch, English with \
        `Accept-Language: en`; moments are UTC (ISO 8601 in CSV, date-and-time cells in \
        XLSX). A CSV cell that would start with `=`, `+`, `-`, `@`, tab or CR gets a leading \
        `'`. Every complaint listed or exported is recorded in its read log.",
    params(ComplaintQuery),
    responses(
        (status = 200, description = "A page of complaints, or the register as a spreadsheet",
            content(
                (Page<ComplaintView> = "application/json"),
                (String = "text/csv", example = "Kenmerk,Soort,Status,Ontvangen\nKL-2026-0001,complaint,registered,2026-11-02T08:30:00Z\n"),
                (inline(export::Workbook) = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            headers(("Content-Disposition" = String, description = "For a spreadsheet: `attachment` with its file name"))),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<ComplaintQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let page = pagination::page(query.0.limit, query.0.cursor.as_deref())?;
    let filter = query.0.filter()?;
    let ctx = state.context(principal);
    let (today, heard) = (ctx.now.date_naive(), request.headers());
    let accept = heard.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let language = heard.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let language = Language::preferred(language);
    let (db, read_log) = (state.db.clone(), state.read_log.clone());
    match preferred(accept, &[JSON, CSV, XLSX]) {
        CSV => export::csv(complaints::export(db, read_log, ctx, filter), language, today).await,
        XLSX => export::xlsx(complaints::export(db, read_log, ctx, filter), language, today).await,
        _ => {
            Ok(HttpResponse::Ok().json(complaints::list(&db, &read_log, ctx, filter, page).await?))
        }
    }
}

#[utoipa::path(
    patch,
    operation_id = "update_complaint",
    path = "/complaints/{id}",
    tag = "complaints",
    summary = "Edit a complaint's registration details",
    description = "JSON merge patch of the registration details (`application/json` or \
        `application/merge-patch+json`). The handler or a klachtencoördinator may edit; \
        only a klachtencoördinator who is not the subject may change `handler_id` or \
        `subject_id`, and not once the registration form is signed (`complaint_signed`: a \
        revised decision clears the signatures). Send `If-Match` with the ETag you read to \
        be sure no one else's change is overwritten. A closed or withdrawn complaint cannot \
        be edited.",
    params(
        ("id" = i64, Path, description = "The complaint's id"),
        ("If-Match" = String, Header, description = "The ETag this edit is based on: required (`428` without it)", example = "\"1\""),
    ),
    request_body(content(
        (ComplaintPatch = "application/json"),
        (ComplaintPatch = "application/merge-patch+json"),
    )),
    responses(
        (status = 200, description = "The edited complaint", body = ComplaintView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[patch("/complaints/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    IfMatch(precondition): IfMatch,
    body: ApiJson<ComplaintPatch>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let view = complaints::edit(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&view, view.version))
}
