//! The periodic evaluation in the office meeting: a snapshot of the anonymised overview of
//! the period, and an assessment of each improvement action that can start a further
//! measure.

mod snapshot;

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub use snapshot::Snapshot;

use super::actions::{FollowUp, create_follow_up};
use super::command::{self, CommandKind, Done, Nothing};
use super::overview::{Question, compute};
use super::page::{Page, PageRequest};
use super::people::StaffRef;
use super::targets::Coordinated;
use super::{Caller, Context, Event, OperationError, changes};
use crate::db::{AnyConnection, Db};
use crate::domain::access::ComplaintAct;
use crate::domain::actions::{self, ActionKind};
use crate::domain::evaluation::{self, Effect};
use crate::domain::events::EventType;
use crate::domain::overview::{Period, PeriodView};
use crate::domain::validation::{AllValid, FieldError, Text, ValidationErrors, check_day, ensure};
use crate::store::evaluations::{self as store, Assessment, EvaluationRow, NewEvaluation};
use crate::store::staff::{self, Person};
use crate::store::{Lock, actions as actions_store, from_db};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionRef {
    #[schema(example = 4)]
    pub id: i64,
    /// Empty when withheld (see `text_withheld` of the assessment).
    #[schema(example = "Vier-ogencontrole op declaraties")]
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssessmentView {
    pub action: ActionRef,
    pub effect: Effect,
    #[schema(example = "Minder fouten, maar de controle kost veel tijd.")]
    pub note: String,
    /// The further measure this assessment started.
    pub follow_up_action: Option<i64>,
    /// The assessed action is a corrective action of a complaint the caller may not see:
    /// its title and the assessment's note are withheld (empty), as they tell of that
    /// complaint.
    #[serde(default)]
    pub text_withheld: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
    #[schema(value_type = crate::domain::overview::Overview)]
    pub snapshot: Snapshot,
    pub assessments: Vec<AssessmentView>,
    pub created_by: StaffRef,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn view(
    row: EvaluationRow,
    assessments: Vec<Assessment>,
    people: &HashMap<i64, Person>,
    withheld: &HashSet<i64>,
) -> Result<EvaluationView, OperationError> {
    let snapshot = Snapshot::load(&row.snapshot).map_err(|e| {
        tracing::error!(evaluation = row.id, error = %e, "a stored snapshot does not load");
        OperationError::Internal("a stored snapshot does not load")
    })?;
    Ok(EvaluationView {
        snapshot,
        assessments: assessments
            .into_iter()
            .map(|a| {
                let hidden = withheld.contains(&a.action_id);
                let text = |t: String| if hidden { String::new() } else { t };
                AssessmentView {
                    action: ActionRef { id: a.action_id, title: text(a.action_title) },
                    effect: a.effect,
                    note: text(a.note),
                    follow_up_action: a.follow_up_action_id,
                    text_withheld: hidden,
                }
            })
            .collect(),
        created_by: StaffRef::of(people, row.created_by_id),
        id: row.id,
        meeting_on: row.meeting_on,
        period: PeriodView { from: row.period_from, to: row.period_to },
        summary: row.summary,
        decisions: row.decisions,
        version: row.version,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
    })
}

fn views(
    conn: &mut AnyConnection,
    caller: &Caller,
    rows: Vec<EvaluationRow>,
) -> Result<Vec<EvaluationView>, OperationError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut assessments = store::assessments(conn, &ids)?;
    let withheld = withheld_actions(conn, caller, assessments.values().flatten())?;
    let creators: Vec<i64> = rows.iter().map(|r| r.created_by_id).collect();
    let people = staff::people(conn, &creators)?;
    rows.into_iter()
        .map(|row| {
            let assessed = assessments.remove(&row.id).unwrap_or_default();
            view(row, assessed, &people, &withheld)
        })
        .collect()
}

/// The assessed actions whose text the caller may not see: corrective actions of complaints
/// hidden from them.
fn withheld_actions<'a>(
    conn: &mut AnyConnection,
    caller: &Caller,
    assessed: impl Iterator<Item = &'a Assessment>,
) -> Result<HashSet<i64>, OperationError> {
    let corrective: Vec<i64> =
        assessed.filter(|a| a.action_kind == ActionKind::Corrective).map(|a| a.action_id).collect();
    let linked = actions_store::linked_complaints(conn, &corrective)?;
    Ok(corrective
        .into_iter()
        .filter(|id| {
            let complaints = linked.get(id).map(Vec::as_slice).unwrap_or_default();
            let visible = complaints
                .iter()
                .filter(|c| caller.authorise(&c.parties, ComplaintAct::Read).is_ok())
                .count();
            !actions::shows_text(ActionKind::Corrective, visible, complaints.len() - visible)
        })
        .collect())
}

fn view_one(
    conn: &mut AnyConnection,
    caller: &Caller,
    row: EvaluationRow,
) -> Result<EvaluationView, OperationError> {
    let mut views = views(conn, caller, vec![row])?;
    views.pop().ok_or(OperationError::Internal("a view of one evaluation is missing"))
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

/// A field's check.
type Checked<T> = Result<T, FieldError>;

/// An evaluation's texts, checked.
struct Texts {
    meeting_on: NaiveDate,
    summary: Text,
    decisions: String,
}

fn check_texts(
    meeting_on: NaiveDate,
    summary: &str,
    decisions: &str,
) -> (Checked<NaiveDate>, Checked<Text>, Checked<Option<Text>>) {
    (
        check_day("meeting_on", meeting_on),
        Text::parse("summary", summary, evaluation::TEXT_MAX),
        Text::parse_optional("decisions", Some(decisions), evaluation::TEXT_MAX),
    )
}

impl CreateEvaluation {
    fn check(&self) -> Result<(Texts, Period), ValidationErrors> {
        let (meeting_on, summary, decisions) =
            check_texts(self.meeting_on, &self.summary, &self.decisions);
        let (meeting_on, period, summary, decisions, _) = (
            meeting_on,
            Period::check(["period_from", "period_to"], self.period_from, self.period_to),
            summary,
            decisions,
            self.check_assessments().all_valid(),
        )
            .all_valid()?;
        let decisions = decisions.map(Text::into_string).unwrap_or_default();
        Ok((Texts { meeting_on, summary, decisions }, period))
    }

    fn check_assessments(&self) -> Vec<Result<(), ValidationErrors>> {
        let mut seen = BTreeSet::new();
        let assessed = self.assessments.iter().enumerate();
        assessed
            .map(|(i, a)| {
                let field = |name: &str| format!("assessments[{i}].{name}");
                let follow_up = a.follow_up.as_ref().map_or(Ok(()), |measure| {
                    let field = field("follow_up");
                    (evaluation::check_follow_up(a.effect, &field), measure.check(&field))
                        .all_valid()
                        .map(drop)
                });
                (
                    ensure(
                        seen.insert(a.action_id),
                        &field("action_id"),
                        "assesses an action a second time",
                    ),
                    Text::parse_may_be_empty(&field("note"), &a.note, evaluation::NOTE_MAX),
                    follow_up,
                )
                    .all_valid()
                    .map(drop)
            })
            .collect()
    }
}

/// Records an evaluation: takes a snapshot of the anonymised overview of the period (no
/// figure of fewer than `minimum_cell` complaints), and records each assessment, starting
/// the further measures it asks for.
pub async fn create(
    db: &Db,
    ctx: Context,
    input: CreateEvaluation,
    minimum_cell: i64,
) -> Result<EvaluationView, OperationError> {
    ctx.caller.require_coordinator()?;
    let (texts, period) = input.check()?;
    db.write(move |conn| {
        let created_by = ctx.caller.person()?.staff_id;
        command::run(conn, &ctx, (CommandKind::CreateEvaluation, Nothing), &input, |conn, ()| {
            let question = Question {
                organisation_id: ctx.organisation_id(),
                period,
                anonymised: true,
                now: ctx.now,
                minimum_cell,
            };
            let snapshot = Snapshot::from(&compute(conn, question)?);
            let row = store::insert(
                conn,
                NewEvaluation {
                    organisation_id: ctx.organisation_id(),
                    meeting_on: texts.meeting_on,
                    period,
                    summary: texts.summary.as_str(),
                    decisions: &texts.decisions,
                    snapshot: &snapshot.to_stored(),
                    created_by_id: created_by,
                    now: ctx.now,
                },
            )?;
            for (i, a) in input.assessments.iter().enumerate() {
                assess(conn, &ctx, row.id, (i, a))?;
            }
            let view = view_one(conn, &ctx.caller, row)?;
            let event = Event {
                complaint_id: None,
                event_type: EventType::EvaluationRecorded,
                data: json!({"evaluation": view.id, "period": view.period, "assessments": view.assessments.len()}),
            };
            Ok(Done::recorded(view, event))
        })
    })
    .await
}

/// Records one assessment of an evaluation, starting its further measure if it asks for one.
fn assess(
    conn: &mut AnyConnection,
    ctx: &Context,
    evaluation: i64,
    (i, a): (usize, &AssessmentRequest),
) -> Result<(), OperationError> {
    let action = actions_store::find(conn, ctx.organisation_id(), a.action_id, Lock::None)?
        .ok_or_else(|| FieldError::new(format!("assessments[{i}].action_id"), "no such action"))?;
    let follow_up = match &a.follow_up {
        Some(measure) => Some(create_follow_up(conn, ctx, &action, measure)?.id),
        None => None,
    };
    store::add_assessment(conn, evaluation, action.id, a.effect, a.note.trim(), follow_up)?;
    Ok(())
}

/// The organisation's evaluations, newest first: everyone in it reads them.
pub async fn list(
    db: &Db,
    ctx: Context,
    page: PageRequest,
) -> Result<Page<EvaluationView>, OperationError> {
    db.read(move |conn| {
        let rows = store::list(conn, ctx.organisation_id(), page.after, page.fetch())?;
        let rows = page.cut(rows, |r| r.id, |r| r);
        Ok(Page { items: views(conn, &ctx.caller, rows.items)?, next_cursor: rows.next_cursor })
    })
    .await
}

/// One of the organisation's evaluations.
pub async fn read(db: &Db, ctx: Context, id: i64) -> Result<EvaluationView, OperationError> {
    db.read(move |conn| {
        let row = store::find(conn, ctx.organisation_id(), id)?
            .ok_or(OperationError::NotFound("evaluation"))?;
        view_one(conn, &ctx.caller, row)
    })
    .await
}

/// Changes to an evaluation's texts; its snapshot and assessments stand as recorded.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decisions": "Controle uitbreiden; evaluatie in april."}))]
pub struct EvaluationPatch {
    pub meeting_on: Option<NaiveDate>,
    #[schema(max_length = 20000)]
    pub summary: Option<String>,
    #[schema(max_length = 20000)]
    pub decisions: Option<String>,
}

/// An evaluation, for a coordinator to change.
fn evaluation(id: i64) -> Coordinated<EvaluationRow> {
    Coordinated { id, what: "evaluation", find: store::find, version: |row| row.version }
}

/// Edits an evaluation's meeting date and texts.
pub async fn edit(
    db: &Db,
    ctx: Context,
    id: i64,
    patch: EvaluationPatch,
) -> Result<EvaluationView, OperationError> {
    db.write(move |conn| {
        command::run(
            conn,
            &ctx,
            (CommandKind::EditEvaluation, evaluation(id)),
            &patch,
            |conn, row| {
                let (meeting_on, summary, decisions) = check_texts(
                    patch.meeting_on.unwrap_or(row.meeting_on),
                    patch.summary.as_deref().unwrap_or(&row.summary),
                    patch.decisions.as_deref().unwrap_or(&row.decisions),
                )
                .all_valid()?;
                let decisions = decisions.map(Text::into_string).unwrap_or_default();
                if (meeting_on, summary.as_str(), decisions.as_str())
                    == (row.meeting_on, row.summary.as_str(), row.decisions.as_str())
                {
                    return Ok(Done::unchanged(view_one(conn, &ctx.caller, row)?));
                }
                let before = view_one(conn, &ctx.caller, row.clone())?;
                let saved = store::save(
                    conn,
                    id,
                    row.version,
                    (meeting_on, summary.as_str(), &decisions),
                    ctx.now,
                )?
                .ok_or_else(|| OperationError::changed_meanwhile("evaluation"))?;
                let after = view_one(conn, &ctx.caller, saved)?;
                let mut data = changes(&before, &after, &["meeting_on", "summary", "decisions"]);
                data["evaluation"] = json!(id);
                let event =
                    Event { complaint_id: None, event_type: EventType::EvaluationUpdated, data };
                Ok(Done::recorded(after, event))
            },
        )
    })
    .await
}
