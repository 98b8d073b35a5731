//! `GET /overview`: the figures of a period for the office meeting — as JSON, as CSV, and
//! anonymised for the meeting and for dienstverleners.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use strum::VariantArray;
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::db::Db;
use crate::domain::classification::{self, Category, Channel};
use crate::domain::complaint::{ComplaintKind, ComplaintStatus, ReportedBy};
use crate::domain::lifecycle::Resolution;
use crate::domain::overview::{self, Period, TermOutcome};
use crate::domain::roles::Role;
use crate::error::ApiError;
use crate::store::overview as store;
use crate::store::staff::{self, Person};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PeriodView {
    #[schema(example = "2026-07-01")]
    pub from: NaiveDate,
    #[schema(example = "2026-12-31")]
    pub to: NaiveDate,
}

impl From<Period> for PeriodView {
    fn from(p: Period) -> Self {
        PeriodView { from: p.from, to: p.to }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionFigures {
    /// Open now.
    pub open: i64,
    /// Open now and past their due day.
    pub overdue: i64,
    /// Completed within the period.
    pub done: i64,
}

/// A category's count in this period against the period of equal length before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recurrence {
    pub category: Category,
    pub current: i64,
    pub previous: i64,
    pub change: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MonthFigures {
    #[schema(example = "2026-11")]
    pub month: String,
    pub total: i64,
    /// Per category, every category present.
    pub by_category: BTreeMap<String, i64>,
}

/// A handler or client and their number of complaints. In the anonymised form `name` is a
/// pseudonym, stable within one overview, and `id` is null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attributed {
    #[schema(example = "Medewerker A")]
    pub name: String,
    pub id: Option<String>,
    pub count: i64,
}

/// The overview of a period's complaints, errors and improvement opportunities, with the
/// improvement actions, for the office meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Overview {
    /// Complaints received in this period (both days included) are counted.
    pub period: PeriodView,
    /// The period of equal length before it, for recurrence.
    pub previous_period: PeriodView,
    /// Names no client and no staff member.
    pub anonymised: bool,
    pub generated_at: DateTime<Utc>,
    #[schema(example = 42)]
    pub total: i64,
    /// Keys: `complaint`, `error`, `improvement`.
    pub by_kind: BTreeMap<String, i64>,
    /// Keys: the complaint statuses.
    pub by_status: BTreeMap<String, i64>,
    /// Keys: `oral` (A), `written` (B), `unclassified`.
    pub by_channel: BTreeMap<String, i64>,
    /// Keys: `conduct` (I), `legal` (II), `financial` (III), `practice` (IV); a complaint
    /// counts in each of its categories.
    pub by_category: BTreeMap<String, i64>,
    /// Keys: `client`, `representative`, `contact`, `employee`.
    pub by_reporter: BTreeMap<String, i64>,
    /// Response-term compliance. Keys: `answered_within_term`, `answered_late`,
    /// `open_overdue`, `open_within_term`, `not_applicable`.
    pub response_term: BTreeMap<String, i64>,
    /// Keys: `resolved`, `unresolved`, `undecided`.
    pub outcome: BTreeMap<String, i64>,
    #[schema(example = 20.5)]
    pub median_hours_to_first_response: Option<f64>,
    #[schema(example = 9.5)]
    pub median_days_to_closure: Option<f64>,
    pub actions: ActionFigures,
    pub recurrence: Vec<Recurrence>,
    pub per_month: Vec<MonthFigures>,
    /// Complaints per handler, most first; those to be discussed anonymously are left out.
    pub by_handler: Vec<Attributed>,
    /// The clients with the most complaints (at most 20); likewise.
    pub by_client: Vec<Attributed>,
    /// Complaints marked to be discussed anonymously (`anonymize_in_meeting`).
    pub discussed_anonymously: i64,
}

/// A count per value of a vocabulary, every value present.
fn zeros<'a>(keys: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, i64> {
    keys.into_iter().map(|k| (k.to_owned(), 0)).collect()
}

fn vocabulary<T: VariantArray + Copy + Into<&'static str>>() -> BTreeMap<String, i64> {
    zeros(T::VARIANTS.iter().map(|v| (*v).into()))
}

fn round(value: f64, decimals: i32) -> f64 {
    let factor = 10f64.powi(decimals);
    (value * factor).round() / factor
}

/// What the database counts for an overview; each part is one or two queries on one
/// connection, so that the parts can run side by side.
pub struct Parts {
    profiles: Vec<store::Profile>,
    people: HashMap<i64, Person>,
    months: Vec<store::MonthCount>,
    medians: store::Medians,
    actions: store::ActionCounts,
    clients: Vec<store::Attribution>,
}

/// The questions behind an overview.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub organisation_id: i64,
    pub period: Period,
    pub anonymised: bool,
    pub now: DateTime<Utc>,
}

type Counts = (Vec<store::Profile>, HashMap<i64, Person>);

fn counts(conn: &mut AnyConnection, q: Question) -> Result<Counts, ApiError> {
    let profiles = store::profiles(conn, q.organisation_id, &q.period, q.now)?;
    let handlers: Vec<i64> = profiles.iter().map(|p| p.handler_id).collect();
    Ok((profiles, staff::people(conn, &handlers)?))
}

fn months(conn: &mut AnyConnection, q: Question) -> Result<Vec<store::MonthCount>, ApiError> {
    Ok(store::months(conn, q.organisation_id, &q.period)?)
}

fn timing(
    conn: &mut AnyConnection,
    q: Question,
) -> Result<(store::Medians, store::ActionCounts), ApiError> {
    Ok((
        store::medians(conn, q.organisation_id, &q.period)?,
        store::actions(conn, q.organisation_id, &q.period, q.now.date_naive())?,
    ))
}

fn clients(conn: &mut AnyConnection, q: Question) -> Result<Vec<store::Attribution>, ApiError> {
    Ok(store::by_client(conn, q.organisation_id, &q.period)?)
}

/// The overview, counted on one connection — inside a transaction when an evaluation takes
/// its snapshot.
pub fn compute(conn: &mut AnyConnection, q: Question) -> Result<Overview, ApiError> {
    let (profiles, people) = counts(conn, q)?;
    let months = months(conn, q)?;
    let (medians, actions) = timing(conn, q)?;
    let clients = clients(conn, q)?;
    Ok(assemble(q, Parts { profiles, people, months, medians, actions, clients }))
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
    Ok(assemble(q, Parts { profiles, people, months, medians, actions, clients }))
}

fn assemble(q: Question, parts: Parts) -> Overview {
    let Question { period, anonymised, now, .. } = q;
    let mut by_kind = vocabulary::<ComplaintKind>();
    let mut by_status = vocabulary::<ComplaintStatus>();
    let mut by_channel = vocabulary::<Channel>();
    by_channel.insert("unclassified".into(), 0);
    let mut by_reporter = vocabulary::<ReportedBy>();
    let mut response_term = vocabulary::<TermOutcome>();
    let mut outcome = vocabulary::<Resolution>();
    outcome.insert("undecided".into(), 0);
    let mut per_handler: BTreeMap<i64, i64> = BTreeMap::new();
    let (mut total, mut discussed_anonymously) = (0, 0);
    for p in parts.profiles {
        total += p.count;
        for (map, key) in [
            (&mut by_kind, &p.kind),
            (&mut by_status, &p.status),
            (&mut by_channel, &p.channel),
            (&mut by_reporter, &p.reported_by),
            (&mut response_term, &p.term),
            (&mut outcome, &p.outcome),
        ] {
            *map.entry(key.clone()).or_default() += p.count;
        }
        if p.anonymised {
            discussed_anonymously += p.count;
        } else {
            *per_handler.entry(p.handler_id).or_default() += p.count;
        }
    }

    let mut by_category = vocabulary::<Category>();
    let mut previous = vocabulary::<Category>();
    let mut per_month: Vec<MonthFigures> = period
        .months()
        .into_iter()
        .map(|month| MonthFigures { month, total: 0, by_category: vocabulary::<Category>() })
        .collect();
    for row in parts.months {
        let categories = classification::from_mask(row.categories);
        if !row.current {
            for c in categories {
                *previous.entry(c.as_str().to_owned()).or_default() += row.count;
            }
            continue;
        }
        let month = per_month.iter_mut().find(|m| m.month == row.month);
        if let Some(month) = month {
            month.total += row.count;
            for c in &categories {
                *month.by_category.entry(c.as_str().to_owned()).or_default() += row.count;
            }
        }
        for c in categories {
            *by_category.entry(c.as_str().to_owned()).or_default() += row.count;
        }
    }
    let recurrence = Category::VARIANTS
        .iter()
        .map(|c| {
            let (current, previous) = (by_category[c.as_str()], previous[c.as_str()]);
            Recurrence { category: *c, current, previous, change: current - previous }
        })
        .collect();

    // Most complaints first; ties in a fixed order, so that pseudonyms are stable.
    let mut handlers: Vec<(i64, i64)> = per_handler.into_iter().collect();
    handlers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let by_handler = handlers
        .into_iter()
        .take(20)
        .enumerate()
        .map(|(i, (id, count))| match (anonymised, parts.people.get(&id)) {
            (false, Some(p)) => Attributed {
                name: p.name.clone().unwrap_or_else(|| p.subject.clone()),
                id: Some(p.subject.clone()),
                count,
            },
            _ => Attributed { name: overview::staff_pseudonym(i), id: None, count },
        })
        .collect();
    let by_client = parts
        .clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| match anonymised {
            false => Attributed {
                name: c.name.unwrap_or_else(|| c.key.clone()),
                id: Some(c.key),
                count: c.count,
            },
            true => Attributed { name: overview::client_pseudonym(i), id: None, count: c.count },
        })
        .collect();

    Overview {
        period: period.into(),
        previous_period: period.previous().into(),
        anonymised,
        generated_at: now,
        total,
        by_kind,
        by_status,
        by_channel,
        by_category,
        by_reporter,
        response_term,
        outcome,
        median_hours_to_first_response: parts
            .medians
            .to_first_response
            .map(|s| round(s / 3600.0, 1)),
        median_days_to_closure: parts.medians.to_closure.map(|s| round(s / 86_400.0, 1)),
        actions: ActionFigures {
            open: parts.actions.open,
            overdue: parts.actions.overdue,
            done: parts.actions.done,
        },
        recurrence,
        per_month,
        by_handler,
        by_client,
        discussed_anonymously,
    }
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
        let to = self.to.unwrap_or(today);
        let from = self.from.unwrap_or_else(|| Period::last_year(to).from);
        let period = Period::check(from, to)
            .map_err(|e| ApiError::invalid_parameter(&e.field, e.message))?;
        let coordinator = principal.roles.has(Role::Klachtencoordinator);
        Ok((period, !coordinator || self.anonymised.unwrap_or(default_anonymised)))
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
