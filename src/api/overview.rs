//! `GET /overview` and `GET /overview/report`: the figures of a period for the office meeting
//! — as JSON, as CSV, or as a printable page — anonymised for the meeting and for
//! dienstverleners.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::answer::PAGE_POLICY;
use super::extract::ApiQuery;
use super::negotiate::quality;
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::overview::{Overview, Period};
use crate::error::ApiError;
use crate::operations::overview::{self, Asked};
use crate::render::overview_csv::to_csv;
use crate::render::report::render;

/// The period and form of an overview.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OverviewQuery {
    /// First day of the period; default: twelve months before `to`.
    #[param(example = "2026-07-01")]
    pub from: Option<NaiveDate>,
    /// Last day of the period; default: today.
    #[param(example = "2026-12-31")]
    pub to: Option<NaiveDate>,
    /// The anonymised form, as it goes to the meeting. Always so for a dienstverlener; a
    /// coordinator's overview is named unless this is `true`.
    pub anonymised: Option<bool>,
}

impl OverviewQuery {
    /// The period asked for, checked.
    fn period(&self, today: NaiveDate) -> Result<Period, ApiError> {
        Period::requested(self.from, self.to, today)
            .map_err(|e| ApiError::invalid_parameter(&e.field, e.message))
    }

    /// The form asked for, with the form's default and the service's minimum cell.
    fn asked(&self, default_anonymised: bool, state: &AppState) -> Asked {
        Asked {
            anonymised: self.anonymised,
            default_anonymised,
            minimum_cell: state.overview_min_cell,
        }
    }
}

/// Does the client prefer CSV? Only when it rates `text/csv` above JSON (q-values honoured;
/// `text/csv;q=0` refuses it); on a tie, when `text/csv` is what it names first.
fn wants_csv(accept: Option<&str>) -> bool {
    let Some(accept) = accept else { return false };
    let (csv, json) = (quality(accept, "text/csv"), quality(accept, "application/json"));
    let first = accept.split(',').next().and_then(|r| r.split(';').next()).map(str::trim);
    csv > 0.0 && (csv > json || (csv == json && first == Some("text/csv")))
}

#[utoipa::path(
    get,
    operation_id = "get_overview",
    path = "/overview",
    tag = "overview",
    summary = "The overview for the office meeting",
    description = "Counts by kind, status, channel, category and reporter; response-term \
        compliance; median times to first response and to closure; resolved versus \
        unresolved; actions open, overdue and done; recurrence per category against the \
        previous period of equal length; complaints per month, per handler and per client. \
        `Accept: text/csv` gives the same figures as CSV rows `section,key,value` (a cell \
        that would start with `=`, `+`, `-`, `@`, tab or CR gets a leading `'`). A \
        dienstverlener gets the anonymised form: no names and no rows per handler or client, \
        and no figure of fewer complaints than the minimum (`KLACHTEN_OVERVIEW_MIN_CELL`, \
        default 5): such a figure is the string `\"< 5\"` instead of a number (see `Figure`). \
        Complaints marked `anonymize_in_meeting` are never attributed.",
    params(OverviewQuery),
    responses((status = 200, description = "The overview", content(
        (Overview = "application/json"),
        (String = "text/csv", example = "section,key,value\ntotal,,42\nby_kind,complaint,30\n"),
    ))),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/overview")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<OverviewQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal);
    let period = query.0.period(ctx.now.date_naive())?;
    let asked = query.0.asked(false, &state);
    let figures = overview::read(&state.db, &ctx, period, asked).await?;
    let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok());
    if wants_csv(accept) {
        return Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .body(to_csv(&figures).map_err(|_| ApiError::internal())?));
    }
    Ok(HttpResponse::Ok().json(figures))
}

#[utoipa::path(
    get,
    operation_id = "get_overview_report",
    path = "/overview/report",
    tag = "overview",
    summary = "The printable report for the office meeting",
    description = "One self-contained HTML page (no external assets; prints on A4) with the \
        overview's figures and two charts as inline SVG: complaints per category per month, \
        and response-term compliance. Anonymised by default, as it goes to the meeting (no \
        rows per person; a figure of fewer complaints than the minimum reads `< 5`); a \
        coordinator may ask for `anonymised=false`.",
    params(OverviewQuery),
    responses((status = 200, description = "The report", content_type = "text/html", body = String,
        example = "<!DOCTYPE html><html lang=\"nl\">…</html>")),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/overview/report")]
pub async fn report(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<OverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal);
    let period = query.0.period(ctx.now.date_naive())?;
    let asked = query.0.asked(true, &state);
    let (figures, organisation) = overview::report(&state.db, &ctx, period, asked).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        // The page is self-contained: no scripts, nothing loaded from elsewhere, not framed.
        .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .body(render(&figures, &organisation).into_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_only_when_preferred() {
        for (accept, csv) in [
            (None, false),
            (Some("text/csv"), true),
            (Some("text/csv, application/json"), true),
            (Some("application/json, text/csv"), false),
            (Some("text/csv;q=0, application/json"), false),
            (Some("application/json;q=0.5, text/csv;q=0.9"), true),
            (Some("text/*, application/json;q=0.1"), true),
            (Some("text/csv;q=0"), false),
            (Some("*/*"), false),
            (Some("*/*;q=0.1, text/csv"), true),
        ] {
            assert_eq!(wants_csv(accept), csv, "{accept:?}");
        }
    }
}
