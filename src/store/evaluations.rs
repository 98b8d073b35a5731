//! The office meeting's evaluations and their assessments of actions.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::{actions, evaluation_assessments, evaluations};
use crate::domain::actions::ActionKind;
use crate::domain::evaluation::Effect;
use crate::domain::overview::Period;

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct EvaluationRow {
    pub id: i64,
    pub organisation_id: i64,
    pub meeting_on: NaiveDate,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub summary: String,
    pub decisions: String,
    pub snapshot: String,
    pub created_by_id: i64,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewEvaluation<'a> {
    pub organisation_id: i64,
    pub meeting_on: NaiveDate,
    pub period: Period,
    pub summary: &'a str,
    pub decisions: &'a str,
    pub snapshot: &'a str,
    pub created_by_id: i64,
    pub now: DateTime<Utc>,
}

pub fn insert(conn: &mut AnyConnection, new: NewEvaluation<'_>) -> QueryResult<EvaluationRow> {
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::organisation_id.eq(new.organisation_id),
            evaluations::meeting_on.eq(new.meeting_on),
            evaluations::period_from.eq(new.period.from),
            evaluations::period_to.eq(new.period.to),
            evaluations::summary.eq(new.summary),
            evaluations::decisions.eq(new.decisions),
            evaluations::snapshot.eq(new.snapshot),
            evaluations::created_by_id.eq(new.created_by_id),
            evaluations::created_at.eq(to_db(new.now)),
            evaluations::updated_at.eq(to_db(new.now)),
        ))
        .returning(evaluations::all_columns)
        .get_result(conn)
}

pub fn add_assessment(
    conn: &mut AnyConnection,
    evaluation_id: i64,
    action_id: i64,
    effect: Effect,
    note: &str,
    follow_up_action_id: Option<i64>,
) -> QueryResult<()> {
    diesel::insert_into(evaluation_assessments::table)
        .values((
            evaluation_assessments::evaluation_id.eq(evaluation_id),
            evaluation_assessments::action_id.eq(action_id),
            evaluation_assessments::effect.eq(effect.as_str()),
            evaluation_assessments::note.eq(note),
            evaluation_assessments::follow_up_action_id.eq(follow_up_action_id),
        ))
        .execute(conn)
        .map(drop)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub action_id: i64,
    pub action_kind: ActionKind,
    pub action_title: String,
    pub effect: Effect,
    pub note: String,
    pub follow_up_action_id: Option<i64>,
}

/// An assessment as loaded: evaluation, action, its kind and title, effect, note, follow-up.
type AssessmentTuple = (i64, i64, String, String, String, String, Option<i64>);

/// The assessments of each of these evaluations, in the order of their actions.
pub fn assessments(
    conn: &mut AnyConnection,
    evaluation_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<Assessment>>> {
    let rows: Vec<AssessmentTuple> = evaluation_assessments::table
        .inner_join(actions::table.on(actions::id.eq(evaluation_assessments::action_id)))
        .filter(evaluation_assessments::evaluation_id.eq_any(evaluation_ids))
        .order((evaluation_assessments::evaluation_id, evaluation_assessments::action_id))
        .select((
            evaluation_assessments::evaluation_id,
            evaluation_assessments::action_id,
            actions::kind,
            actions::title,
            evaluation_assessments::effect,
            evaluation_assessments::note,
            evaluation_assessments::follow_up_action_id,
        ))
        .load(conn)?;
    let mut by_evaluation: HashMap<i64, Vec<Assessment>> = HashMap::new();
    for (evaluation, action_id, action_kind, action_title, effect, note, follow_up_action_id) in
        rows
    {
        by_evaluation.entry(evaluation).or_default().push(Assessment {
            action_id,
            action_kind: ActionKind::parse(&action_kind).unwrap_or(ActionKind::Corrective),
            action_title,
            effect: Effect::parse(&effect).unwrap_or(Effect::TooEarly),
            note,
            follow_up_action_id,
        });
    }
    Ok(by_evaluation)
}

pub fn find(
    conn: &mut AnyConnection,
    organisation_id: i64,
    id: i64,
) -> QueryResult<Option<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::organisation_id.eq(organisation_id))
        .filter(evaluations::id.eq(id))
        .select(evaluations::all_columns)
        .first(conn)
        .optional()
}

/// The organisation's evaluations, newest first, before the id `before` (keyset pagination).
pub fn list(
    conn: &mut AnyConnection,
    organisation_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::organisation_id.eq(organisation_id))
        .filter(evaluations::id.lt(before.unwrap_or(i64::MAX)))
        .order(evaluations::id.desc())
        .limit(limit)
        .select(evaluations::all_columns)
        .load(conn)
}

/// Writes the editable texts if the row still has the version they were based on.
pub fn save(
    conn: &mut AnyConnection,
    id: i64,
    based_on_version: i32,
    (meeting_on, summary, decisions): (NaiveDate, &str, &str),
    now: DateTime<Utc>,
) -> QueryResult<Option<EvaluationRow>> {
    diesel::update(
        evaluations::table
            .filter(evaluations::id.eq(id))
            .filter(evaluations::version.eq(based_on_version)),
    )
    .set((
        evaluations::meeting_on.eq(meeting_on),
        evaluations::summary.eq(summary),
        evaluations::decisions.eq(decisions),
        evaluations::version.eq(evaluations::version + 1),
        evaluations::updated_at.eq(to_db(now)),
    ))
    .returning(evaluations::all_columns)
    .get_result(conn)
    .optional()
}
