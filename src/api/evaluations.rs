//! `/evaluations`: the periodic evaluation in the office meeting — a snapshot of the
//! anonymised overview of the period, and an assessment of each improvement action that can
//! start a further measure.

use std::collections::BTreeSet;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::actions::{FollowUp, create_follow_up};
use super::complaints::StaffRef;
use super::extract::{ApiJson, ApiQuery, IdempotencyKey, IfMatch};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{Forbidden, NotFound, PreconditionFailed, Unprocessable};
use super::overview::{Overview, PeriodView, Question, compute};
use super::pagination::{self, Page, PageQuery};
use super::state::AppState;
use super::{changes, versioned};
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::domain::evaluation::{self, Effect};
use crate::domain::events::EventType;
use crate::domain::overview::Period;
use crate::domain::validation::{FieldError, Text, ValidationErrors, check_day};
use crate::error::ApiError;
use crate::store::evaluations::{self as store, Assessment, EvaluationRow, NewEvaluation};
use crate::store::events::{self, NewEvent};
use crate::store::{actions as actions_store, from_db, staff};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ActionRef {
    #[schema(example = 4)]
    pub id: i64,
    #[schema(example = "Vier-ogencontrole op declaraties")]
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AssessmentView {
    pub action: ActionRef,
    pub effect: Effect,
    #[schema(example = "Minder fouten, maar de controle kost veel tijd.")]
    pub note: String,
    /// The further measure this assessment started.
    pub follow_up_action: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvaluationView {
    #[schema(example = 2)]
    pub id: i64,
    #[schema(example = "2027-01-12")]
    pub meeting_on: NaiveDate,
    pub period: PeriodView,
    #[schema(example = "Declaratieklachten gehalveerd; bejegening blijft aandachtspunt.")]
    pub summary: String,
    pub decisions: String,
    /// The anonymised overview of the period as it stood when the evaluation was recorded;
    /// later changes to complaints do not alter it.
    pub snapshot: Overview,
    pub assessments: Vec<AssessmentView>,
    pub created_by: StaffRef,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn views(
    conn: &mut AnyConnection,
    rows: Vec<EvaluationRow>,
) -> Result<Vec<EvaluationView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut assessments = store::assessments(conn, &ids)?;
    let creators: Vec<i64> = rows.iter().map(|r| r.created_by_id).collect();
    let people = staff::people(conn, &creators)?;
    rows.into_iter()
        .map(|row| {
            let snapshot = serde_json::from_str(&row.snapshot).map_err(|_| ApiError::internal())?;
            Ok(EvaluationView {
                snapshot,
                assessments: assessments
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|a: Assessment| AssessmentView {
                        action: ActionRef { id: a.action_id, title: a.action_title },
                        effect: a.effect,
                        note: a.note,
                        follow_up_action: a.follow_up_action_id,
                    })
                    .collect(),
                created_by: StaffRef::of(&people, row.created_by_id),
                id: row.id,
                meeting_on: row.meeting_on,
                period: PeriodView { from: row.period_from, to: row.period_to },
                summary: row.summary,
                decisions: row.decisions,
                version: row.version,
                created_at: from_db(row.created_at),
                updated_at: from_db(row.updated_at),
            })
        })
        .collect()
}

fn view_one(conn: &mut AnyConnection, row: EvaluationRow) -> Result<EvaluationView, ApiError> {
    views(conn, vec![row])?.pop().ok_or_else(ApiError::internal)
}

/// An assessment of one action's effect.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    pub action_id: i64,
    pub effect: Effect,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
    /// A further measure supplementing the action; only when it was `not_effective` or
    /// `partially_effective`.
    #[serde(default)]
    pub follow_up: Option<FollowUp>,
}

/// An evaluation of the office meeting.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "meeting_on": "2027-01-12",
    "period_from": "2026-07-01",
    "period_to": "2026-12-31",
    "summary": "Declaratieklachten gehalveerd; bejegening blijft aandachtspunt.",
    "decisions": "Controle uitbreiden naar alle declaraties.",
    "assessments": [
        {"action_id": 4, "effect": "partially_effective", "note": "Minder fouten, veel werk.",
         "follow_up": {"title": "Controle ook onder EUR 1.000", "due_on": "2027-03-01"}}
    ]
}))]
pub struct CreateEvaluation {
    pub meeting_on: NaiveDate,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    #[schema(max_length = 20000)]
    pub summary: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub decisions: String,
    #[serde(default)]
    pub assessments: Vec<AssessmentRequest>,
}

struct CheckedEvaluation {
    meeting_on: NaiveDate,
    period: Period,
    summary: String,
    decisions: String,
}

fn check_meeting_on(meeting_on: NaiveDate) -> Result<NaiveDate, FieldError> {
    check_day("meeting_on", meeting_on)
}

fn check_texts(
    errors: &mut ValidationErrors,
    summary: &str,
    decisions: &str,
) -> (Option<Text>, Option<Option<Text>>) {
    (
        errors.check(Text::parse("summary", summary, evaluation::TEXT_MAX)),
        errors.check(Text::parse_optional("decisions", Some(decisions), evaluation::TEXT_MAX)),
    )
}

impl CreateEvaluation {
    fn check(&self) -> Result<CheckedEvaluation, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let meeting_on = errors.check(check_meeting_on(self.meeting_on));
        let period = errors.check(Period::check(
            ["period_from", "period_to"],
            self.period_from,
            self.period_to,
        ));
        let (summary, decisions) = check_texts(&mut errors, &self.summary, &self.decisions);
        let mut seen = BTreeSet::new();
        for (i, a) in self.assessments.iter().enumerate() {
            let field = |name: &str| format!("assessments[{i}].{name}");
            if !seen.insert(a.action_id) {
                errors
                    .push(FieldError::new(field("action_id"), "assesses an action a second time"));
            }
            if a.note.chars().count() > evaluation::NOTE_MAX {
                errors.push(FieldError::new(
                    field("note"),
                    format!("is longer than {} characters", evaluation::NOTE_MAX),
                ));
            }
            if let Some(follow_up) = &a.follow_up {
                errors.check(evaluation::check_follow_up(a.effect, &field("follow_up")));
                errors.0.extend(follow_up.check(&field("follow_up")));
            }
        }
        errors.into_result()?;
        let (Some(meeting_on), Some(period), Some(summary), Some(decisions)) =
            (meeting_on, period, summary, decisions)
        else {
            return Err(ValidationErrors::default());
        };
        Ok(CheckedEvaluation {
            meeting_on,
            period,
            summary: summary.into_string(),
            decisions: decisions.map(Text::into_string).unwrap_or_default(),
        })
    }
}

#[utoipa::path(
    post,
    operation_id = "create_evaluation",
    path = "/evaluations",
    tag = "evaluations",
    summary = "Record an evaluation of the office meeting",
    description = "Takes a snapshot of the anonymised overview of the period (later changes to \
        complaints do not alter it) and records how well each action worked. An assessment of \
        `not_effective` or `partially_effective` may start a further measure in the same call: \
        an improvement action that supplements the assessed one.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CreateEvaluation,
    responses(
        (status = 201, description = "Recorded", body = EvaluationView, headers(("ETag" = String), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/evaluations")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateEvaluation>,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let now = state.clock.now();
    let body = body.0;
    let checked = body.check()?;
    let fingerprint = fingerprint("POST /evaluations", &body);
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let question =
                    Question { organisation_id: principal.organisation_id, period: checked.period, anonymised: true, now };
                let snapshot = compute(conn, question)?;
                let row = store::insert(
                    conn,
                    NewEvaluation {
                        organisation_id: principal.organisation_id,
                        meeting_on: checked.meeting_on,
                        period: checked.period,
                        summary: &checked.summary,
                        decisions: &checked.decisions,
                        snapshot: &serde_json::to_string(&snapshot).map_err(|_| ApiError::internal())?,
                        created_by_id: principal.staff_id,
                        now,
                    },
                )?;
                for (i, a) in body.assessments.iter().enumerate() {
                    let action = actions_store::find(conn, principal.organisation_id, a.action_id, crate::store::Lock::None)?.ok_or_else(|| {
                        ApiError::validation(vec![FieldError::new(format!("assessments[{i}].action_id"), "no such action")])
                    })?;
                    let follow_up = match &a.follow_up {
                        Some(measure) => Some(create_follow_up(conn, &principal, &action, measure, now)?.id),
                        None => None,
                    };
                    store::add_assessment(conn, row.id, action.id, a.effect, a.note.trim(), follow_up)?;
                }
                let view = view_one(conn, row)?;
                events::append(
                    conn,
                    NewEvent {
                        organisation_id: principal.organisation_id,
                        complaint_id: None,
                        event_type: EventType::EvaluationRecorded,
                        actor_id: Some(principal.staff_id),
                        occurred_at: now,
                        data: json!({"evaluation": view.id, "period": view.period, "assessments": view.assessments.len()}),
                    },
                )?;
                Answer::created(&view, format!("/api/v1/evaluations/{}", view.id))
            })
        })
        .await?;
    Ok(answer.into_response())
}

#[utoipa::path(
    get,
    operation_id = "list_evaluations",
    path = "/evaluations",
    tag = "evaluations",
    summary = "List evaluations",
    description = "Newest first. Everyone in the organisation reads them.",
    params(PageQuery),
    responses((status = 200, description = "A page of evaluations", body = Page<EvaluationView>)),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<EvaluationView>>, ApiError> {
    let (limit, before) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            let rows = store::list(conn, principal.organisation_id, before, limit + 1)?;
            let page = pagination::page(rows, limit, |r| r.id, |r| r);
            Ok::<_, ApiError>(Page {
                items: views(conn, page.items)?,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(page))
}

#[utoipa::path(
    get,
    operation_id = "get_evaluation",
    path = "/evaluations/{id}",
    tag = "evaluations",
    summary = "Read an evaluation",
    params(("id" = i64, Path, description = "The evaluation's id")),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationView, headers(("ETag" = String))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/evaluations/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |conn| {
            let row = store::find(conn, principal.organisation_id, id)?
                .ok_or_else(|| ApiError::not_found("evaluation"))?;
            view_one(conn, row)
        })
        .await?;
    Ok(versioned(&view, view.version))
}

/// Changes to an evaluation's texts; its snapshot and assessments stand as recorded.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decisions": "Controle uitbreiden; evaluatie in april."}))]
pub struct EvaluationPatch {
    pub meeting_on: Option<NaiveDate>,
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    #[schema(max_length = 20000)]
    pub decisions: Option<String>,
}

#[utoipa::path(
    patch,
    operation_id = "update_evaluation",
    path = "/evaluations/{id}",
    tag = "evaluations",
    summary = "Edit an evaluation's texts",
    params(("id" = i64, Path, description = "The evaluation's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag this change is based on")),
    request_body(content((EvaluationPatch = "application/json"), (EvaluationPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationView, headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[patch("/evaluations/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<EvaluationPatch>,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let id = id.into_inner();
    let now = state.clock.now();
    let patch = body.0;
    let view = state
        .db
        .write(move |conn| {
            let row = store::find(conn, principal.organisation_id, id)?
                .ok_or_else(|| ApiError::not_found("evaluation"))?;
            if_match.check(row.version)?;
            let mut errors = ValidationErrors::default();
            let meeting_on =
                errors.check(check_meeting_on(patch.meeting_on.unwrap_or(row.meeting_on)));
            let (summary, decisions) = check_texts(
                &mut errors,
                patch.summary.as_deref().unwrap_or(&row.summary),
                patch.decisions.as_deref().unwrap_or(&row.decisions),
            );
            errors.into_result()?;
            let (Some(meeting_on), Some(summary), Some(decisions)) =
                (meeting_on, summary, decisions)
            else {
                return Err(ApiError::internal());
            };
            let decisions = decisions.map(Text::into_string).unwrap_or_default();
            if (meeting_on, summary.as_str(), decisions.as_str())
                == (row.meeting_on, row.summary.as_str(), row.decisions.as_str())
            {
                return view_one(conn, row);
            }
            let before = view_one(conn, row.clone())?;
            let saved = store::save(
                conn,
                id,
                row.version,
                (meeting_on, summary.as_str(), &decisions),
                now,
            )?
            .ok_or_else(|| ApiError::precondition_failed("the evaluation changed meanwhile"))?;
            let after = view_one(conn, saved)?;
            let mut data = changes(&before, &after, &["meeting_on", "summary", "decisions"]);
            data["evaluation"] = json!(id);
            events::append(
                conn,
                NewEvent {
                    organisation_id: principal.organisation_id,
                    complaint_id: None,
                    event_type: EventType::EvaluationUpdated,
                    actor_id: Some(principal.staff_id),
                    occurred_at: now,
                    data,
                },
            )?;
            Ok(after)
        })
        .await?;
    Ok(versioned(&view, view.version))
}
