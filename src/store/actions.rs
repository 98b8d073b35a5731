//! Actions, the complaints they concern, and their progress notes and side effects.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Lock, first_row, from_db, to_db};
use crate::db::AnyConnection;
use crate::db::schema::{action_complaints, action_notes, actions, complaints};
use crate::domain::access::{Parties, Scope};
use crate::domain::actions::{ActionKind, ActionStatus, NoteKind};

#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct ActionRow {
    pub id: i64,
    pub organisation_id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub owner_id: i64,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub proposed_by_id: i64,
    pub approved_by_id: Option<i64>,
    pub approved_at: Option<NaiveDateTime>,
    pub follow_up_of_id: Option<i64>,
    pub completed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ActionRow {
    /// The database's CHECK constraints admit only known values.
    pub fn kind(&self) -> ActionKind {
        ActionKind::parse(&self.kind).unwrap_or(ActionKind::Improvement)
    }

    pub fn status(&self) -> ActionStatus {
        ActionStatus::parse(&self.status).unwrap_or(ActionStatus::Proposed)
    }

    pub fn people(&self) -> Vec<i64> {
        [Some(self.owner_id), Some(self.proposed_by_id), self.approved_by_id]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// The fields of an action that change after it is created.
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = actions, treat_none_as_null = true)]
pub struct ActionChanges {
    pub title: String,
    pub description: String,
    pub owner_id: i64,
    pub due_on: Option<NaiveDate>,
    pub status: &'static str,
    pub approved_by_id: Option<i64>,
    pub approved_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
}

impl ActionRow {
    pub fn changes(&self) -> ActionChanges {
        ActionChanges {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: self.owner_id,
            due_on: self.due_on,
            status: self.status().as_str(),
            approved_by_id: self.approved_by_id,
            approved_at: self.approved_at,
            completed_at: self.completed_at,
        }
    }
}

pub struct NewAction<'a> {
    pub organisation_id: i64,
    pub kind: ActionKind,
    pub title: &'a str,
    pub description: &'a str,
    pub owner_id: i64,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
    pub proposed_by_id: i64,
    pub follow_up_of_id: Option<i64>,
    pub complaint_ids: &'a [i64],
    pub now: DateTime<Utc>,
}

/// Stores a new action and the complaints it concerns. An action that starts approved
/// carries its proposer's consent.
pub fn insert(conn: &mut AnyConnection, new: NewAction<'_>) -> QueryResult<ActionRow> {
    let approved = new.status != ActionStatus::Proposed;
    let row: ActionRow = diesel::insert_into(actions::table)
        .values((
            actions::organisation_id.eq(new.organisation_id),
            actions::kind.eq(new.kind.as_str()),
            actions::title.eq(new.title),
            actions::description.eq(new.description),
            actions::owner_id.eq(new.owner_id),
            actions::due_on.eq(new.due_on),
            actions::status.eq(new.status.as_str()),
            actions::proposed_by_id.eq(new.proposed_by_id),
            actions::approved_by_id.eq(approved.then_some(new.proposed_by_id)),
            actions::approved_at.eq(approved.then(|| to_db(new.now))),
            actions::follow_up_of_id.eq(new.follow_up_of_id),
            actions::created_at.eq(to_db(new.now)),
            actions::updated_at.eq(to_db(new.now)),
        ))
        .returning(actions::all_columns)
        .get_result(conn)?;
    link(conn, row.id, new.complaint_ids)?;
    Ok(row)
}

/// Links an action to complaints, one row each (the multi-backend has no batch insert).
pub fn link(conn: &mut AnyConnection, action_id: i64, complaint_ids: &[i64]) -> QueryResult<()> {
    for complaint_id in complaint_ids {
        diesel::insert_into(action_complaints::table)
            .values((
                action_complaints::action_id.eq(action_id),
                action_complaints::complaint_id.eq(complaint_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One of the organisation's actions.
pub fn find(
    conn: &mut AnyConnection,
    organisation_id: i64,
    id: i64,
    lock: Lock,
) -> QueryResult<Option<ActionRow>> {
    let query = actions::table
        .filter(actions::organisation_id.eq(organisation_id))
        .filter(actions::id.eq(id))
        .select(actions::all_columns);
    first_row!(conn, query, lock)
}

/// Writes changes if the row still has the version they were based on; `None` if not.
pub fn save(
    conn: &mut AnyConnection,
    id: i64,
    based_on_version: i32,
    changes: &ActionChanges,
    now: DateTime<Utc>,
) -> QueryResult<Option<ActionRow>> {
    diesel::update(
        actions::table.filter(actions::id.eq(id)).filter(actions::version.eq(based_on_version)),
    )
    .set((changes, actions::version.eq(actions::version + 1), actions::updated_at.eq(to_db(now))))
    .returning(actions::all_columns)
    .get_result(conn)
    .optional()
}

/// A complaint an action concerns: its id, reference and parties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedComplaint {
    pub id: i64,
    pub reference: String,
    pub parties: Parties,
    /// Its personal data was erased (DESIGN.md §9).
    pub erased: bool,
}

/// The complaints each of these actions concerns.
pub fn linked_complaints(
    conn: &mut AnyConnection,
    action_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<LinkedComplaint>>> {
    let rows: Vec<(i64, i64, String, i64, i64, i64, bool)> = action_complaints::table
        .inner_join(complaints::table)
        .filter(action_complaints::action_id.eq_any(action_ids))
        .order((action_complaints::action_id, complaints::id))
        .select((
            action_complaints::action_id,
            complaints::id,
            complaints::reference,
            complaints::handler_id,
            complaints::subject_id,
            complaints::registered_by_id,
            complaints::erased_at.is_not_null(),
        ))
        .load(conn)?;
    let mut linked: HashMap<i64, Vec<LinkedComplaint>> = HashMap::new();
    for (action, id, reference, handler, subject, registered_by, erased) in rows {
        linked.entry(action).or_default().push(LinkedComplaint {
            id,
            reference,
            parties: Parties { handler, subject, registered_by },
            erased,
        });
    }
    Ok(linked)
}

/// The follow-up measures of each of these actions, by id.
pub fn follow_ups(
    conn: &mut AnyConnection,
    action_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(Option<i64>, i64)> = actions::table
        .filter(actions::follow_up_of_id.eq_any(action_ids))
        .order(actions::id)
        .select((actions::follow_up_of_id, actions::id))
        .load(conn)?;
    let mut by_action: HashMap<i64, Vec<i64>> = HashMap::new();
    for (of, id) in rows {
        if let Some(of) = of {
            by_action.entry(of).or_default().push(id);
        }
    }
    Ok(by_action)
}

#[derive(Debug, Clone, Queryable)]
pub struct NoteRow {
    pub id: i64,
    pub action_id: i64,
    pub kind: String,
    pub note: String,
    pub recorded_by_id: i64,
    pub recorded_at: NaiveDateTime,
}

impl NoteRow {
    pub fn kind(&self) -> NoteKind {
        NoteKind::parse(&self.kind).unwrap_or(NoteKind::Progress)
    }

    pub fn recorded_at(&self) -> DateTime<Utc> {
        from_db(self.recorded_at)
    }
}

pub fn add_note(
    conn: &mut AnyConnection,
    action_id: i64,
    kind: NoteKind,
    note: &str,
    recorded_by: i64,
    now: DateTime<Utc>,
) -> QueryResult<NoteRow> {
    diesel::insert_into(action_notes::table)
        .values((
            action_notes::action_id.eq(action_id),
            action_notes::kind.eq(kind.as_str()),
            action_notes::note.eq(note),
            action_notes::recorded_by_id.eq(recorded_by),
            action_notes::recorded_at.eq(to_db(now)),
        ))
        .returning(action_notes::all_columns)
        .get_result(conn)
}

/// The notes of each of these actions, oldest first.
pub fn notes(
    conn: &mut AnyConnection,
    action_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<NoteRow>>> {
    let rows: Vec<NoteRow> = action_notes::table
        .filter(action_notes::action_id.eq_any(action_ids))
        .order(action_notes::id)
        .select(action_notes::all_columns)
        .load(conn)?;
    let mut by_action: HashMap<i64, Vec<NoteRow>> = HashMap::new();
    for row in rows {
        by_action.entry(row.action_id).or_default().push(row);
    }
    Ok(by_action)
}

#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub status: Option<ActionStatus>,
    pub kind: Option<ActionKind>,
    pub owner_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// `Some((wanted, today))`: only actions that are (or are not) overdue on `today`.
    pub overdue: Option<(bool, NaiveDate)>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Actions in the caller's scope, newest first. A dienstverlener's scope: the actions they
/// own or proposed, and those of complaints they are party to (`domain::actions::authorise`
/// says the same for one action).
pub fn list(
    conn: &mut AnyConnection,
    organisation_id: i64,
    scope: Scope,
    filter: &ActionFilter,
) -> QueryResult<Vec<ActionRow>> {
    use actions::dsl as a;
    let mut query = a::actions
        .filter(a::organisation_id.eq(organisation_id))
        .order(a::id.desc())
        .limit(filter.limit)
        .select(actions::all_columns)
        .into_boxed();
    if let Scope::PartyTo(me) = scope {
        let of_my_complaints = action_complaints::table
            .inner_join(complaints::table)
            .filter(
                complaints::handler_id
                    .eq(me)
                    .or(complaints::subject_id.eq(me))
                    .or(complaints::registered_by_id.eq(me)),
            )
            .select(action_complaints::action_id);
        query = query.filter(
            a::owner_id.eq(me).or(a::proposed_by_id.eq(me)).or(a::id.eq_any(of_my_complaints)),
        );
    }
    if let Some(status) = filter.status {
        query = query.filter(a::status.eq(status.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(a::kind.eq(kind.as_str()));
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(a::owner_id.eq(owner));
    }
    if let Some(complaint) = filter.complaint_id {
        query = query.filter(
            a::id.eq_any(
                action_complaints::table
                    .filter(action_complaints::complaint_id.eq(complaint))
                    .select(action_complaints::action_id),
            ),
        );
    }
    if let Some((wanted, today)) = filter.overdue {
        // The SQL form of `domain::actions::is_overdue`.
        let open: Vec<&str> = ActionStatus::open().iter().map(|s| s.as_str()).collect();
        let overdue = a::status.eq_any(open).and(a::due_on.is_not_null()).and(a::due_on.lt(today));
        query =
            if wanted { query.filter(overdue) } else { query.filter(diesel::dsl::not(overdue)) };
    }
    if let Some(before) = filter.before_id {
        query = query.filter(a::id.lt(before));
    }
    query.load(conn)
}
