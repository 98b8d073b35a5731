//! `GET /overview`: the figures of a period for the office meeting — as JSON, as CSV, and
//! anonymised for the meeting and for dienstverleners.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::ApiQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::db::Db;
use crate::domain::overview::{
    self, ActionCounts, Attribution, Counts, Form, Medians, MonthCount, Period, Profile,
};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::overview as store;
use crate::store::staff::{self, Person};

pub use crate::domain::overview::{Attributed, Overview, PeriodView};

/// The questions behind an overview.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub organisation_id: i64,
    pub period: Period,
    pub anonymised: bool,
    pub now: DateTime<Utc>,
}

impl Question {
    fn form(&self) -> Form {
        Form { period: self.period, anonymised: self.anonymised, now: self.now }
    }
}

fn counts(
    conn: &mut AnyConnection,
    q: Question,
) -> Result<(Vec<Profile>, HashMap<i64, Person>), ApiError> {
    let profiles = store::profiles(conn, q.organisation_id, &q.period, q.now)?;
    let handlers: Vec<i64> = profiles.iter().map(|p| p.handler_id).collect();
    Ok((profiles, staff::people(conn, &handlers)?))
}

fn months(conn: &mut AnyConnection, q: Question) -> Result<Vec<MonthCount>, ApiError> {
    Ok(store::months(conn, q.organisation_id, &q.period)?)
}

fn timing(conn: &mut AnyConnection, q: Question) -> Result<(Medians, ActionCounts), ApiError> {
    Ok((
        store::medians(conn, q.organisation_id, &q.period)?,
        store::actions(conn, q.organisation_id, &q.period, q.now.date_naive())?,
    ))
}

fn clients(conn: &mut AnyConnection, q: Question) -> Result<Vec<Attribution>, ApiError> {
    Ok(store::by_client(conn, q.organisation_id, &q.period)?)
}

/// The overview, counted on one connection — inside a transaction when an evaluation takes
/// its snapshot.
pub fn compute(conn: &mut AnyConnection, q: Question) -> Result<Overview, ApiError> {
    let (profiles, people) = counts(conn, q)?;
    let months = months(conn, q)?;
    let (medians, actions) = timing(conn, q)?;
    let clients = clients(conn, q)?;
    Ok(overview::assemble(q.form(), Counts { profiles, people, months, medians, actions, clients }))
}

/// The overview, its parts counted side by side on several pooled connections: what an
/// interactive request waits for is the slowest part, not the sum.
pub async fn compute_concurrently(db: &Db, q: Question) -> Result<Overview, ApiError> {
    let ((profiles, people), months, (medians, actions), clients) = tokio::try_join!(
        db.read(move |conn| counts(conn, q)),
        db.read(move |conn| months(conn, q)),
        db.read(move |conn| timing(conn, q)),
        db.read(move |conn| clients(conn, q)),
    )?;
    Ok(overview::assemble(q.form(), Counts { profiles, people, months, medians, actions, clients }))
}

/// The overview as CSV rows `section,key,value`: the same figures as the JSON, flattened.
pub fn to_csv(o: &Overview) -> Result<Vec<u8>, ApiError> {
    let mut rows: Vec<(String, String, String)> = vec![
        ("period".into(), "from".into(), o.period.from.to_string()),
        ("period".into(), "to".into(), o.period.to.to_string()),
        ("previous_period".into(), "from".into(), o.previous_period.from.to_string()),
        ("previous_period".into(), "to".into(), o.previous_period.to.to_string()),
        ("anonymised".into(), String::new(), o.anonymised.to_string()),
        ("total".into(), String::new(), o.total.to_string()),
    ];
    for (section, map) in [
        ("by_kind", &o.by_kind),
        ("by_status", &o.by_status),
        ("by_channel", &o.by_channel),
        ("by_category", &o.by_category),
        ("by_reporter", &o.by_reporter),
        ("response_term", &o.response_term),
        ("outcome", &o.outcome),
    ] {
        rows.extend(map.iter().map(|(k, v)| (section.to_owned(), k.clone(), v.to_string())));
    }
    let optional = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    rows.push((
        "median".into(),
        "hours_to_first_response".into(),
        optional(o.median_hours_to_first_response),
    ));
    rows.push(("median".into(), "days_to_closure".into(), optional(o.median_days_to_closure)));
    for (key, value) in
        [("open", o.actions.open), ("overdue", o.actions.overdue), ("done", o.actions.done)]
    {
        rows.push(("actions".into(), key.into(), value.to_string()));
    }
    for r in &o.recurrence {
        for (part, value) in
            [("current", r.current), ("previous", r.previous), ("change", r.change)]
        {
            rows.push((
                format!("recurrence.{part}"),
                r.category.as_str().into(),
                value.to_string(),
            ));
        }
    }
    for m in &o.per_month {
        rows.push(("per_month.total".into(), m.month.clone(), m.total.to_string()));
        for (category, count) in &m.by_category {
            rows.push((format!("per_month.{category}"), m.month.clone(), count.to_string()));
        }
    }
    for (section, list) in [("by_handler", &o.by_handler), ("by_client", &o.by_client)] {
        rows.extend(list.iter().map(|a| (section.to_owned(), a.name.clone(), a.count.to_string())));
    }
    rows.push(("discussed_anonymously".into(), String::new(), o.discussed_anonymously.to_string()));

    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["section", "key", "value"]).map_err(|_| ApiError::internal())?;
    for (section, key, value) in rows {
        writer.write_record([section, key, value]).map_err(|_| ApiError::internal())?;
    }
    writer.into_inner().map_err(|_| ApiError::internal())
}

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
    /// The checked period and whether the form is anonymised for this caller.
    pub fn resolve(
        &self,
        principal: &Principal,
        today: NaiveDate,
        default_anonymised: bool,
    ) -> Result<(Period, bool), ApiError> {
        let period = Period::requested(self.from, self.to, today)
            .map_err(|e| ApiError::invalid_parameter(&e.field, e.message))?;
        let coordinator = principal.roles.has(Role::Klachtencoordinator);
        Ok((period, overview::anonymised(coordinator, self.anonymised, default_anonymised)))
    }
}

/// Does the client prefer CSV?
fn wants_csv(request: &HttpRequest) -> bool {
    request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| {
        accept.split(',').map(|m| m.split(';').next().unwrap_or("").trim()).next()
            == Some("text/csv")
    })
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
        `Accept: text/csv` gives the same figures as CSV rows `section,key,value`. A \
        dienstverlener gets the anonymised form (no client or staff names; pseudonyms stable \
        within one overview); complaints marked `anonymize_in_meeting` are never attributed.",
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
    let now = state.clock.now();
    let (period, anonymised) = query.0.resolve(&principal, now.date_naive(), false)?;
    let question = Question { organisation_id: principal.organisation_id, period, anonymised, now };
    let figures = compute_concurrently(&state.db, question).await?;
    if wants_csv(&request) {
        return Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .body(to_csv(&figures)?));
    }
    Ok(HttpResponse::Ok().json(figures))
}
