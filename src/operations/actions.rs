//! Actions: corrective and improvement actions, their approval, progress and side effects,
//! and the follow-up measures that supplement them.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done, Nothing};
use super::page::{Page, PageRequest};
use super::people::{self, StaffRef};
use super::targets::{
    FoundAction, OnAction, authorise_action, readable_action, readable_complaint,
};
use super::{Caller, Context, Event, OperationError, changes};
use crate::db::{AnyConnection, Db};
use crate::domain::access::{ComplaintAct, Denied, Parties, Scope};
use crate::domain::actions::{self, ActionAct, ActionKind, ActionStatus, NoteKind, Transition};
use crate::domain::events::EventType;
use crate::domain::validation::{
    AllValid, ExternalId, FieldError, Text, ValidationErrors, check_day, ensure,
};
use crate::store::actions::{self as store, ActionChanges, ActionFilter, ActionRow, NewAction};
use crate::store::complaints as complaints_store;
use crate::store::{Lock, from_db, staff, to_db};

/// A complaint an action concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComplaintLink {
    #[schema(example = 17)]
    pub id: i64,
    #[schema(example = "KL-2026-0007")]
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Note {
    #[schema(example = "Nieuwe controlestap voor declaraties ingevoerd.")]
    pub note: String,
    pub recorded_by: StaffRef,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionView {
    #[schema(example = 4)]
    pub id: i64,
    pub kind: ActionKind,
    #[schema(example = "Vier-ogencontrole op declaraties")]
    pub title: String,
    pub description: String,
    pub owner: StaffRef,
    /// The day by which it is to be done.
    #[schema(example = "2026-12-15")]
    pub due_on: Option<NaiveDate>,
    /// Open, and its due day has passed.
    pub overdue: bool,
    pub status: ActionStatus,
    /// The complaints it concerns that the caller may see.
    pub complaints: Vec<ComplaintLink>,
    /// How many more complaints it concerns that the caller may not see.
    pub other_complaints: usize,
    /// A corrective action of a complaint the caller may not see: its title, description
    /// and notes are withheld (empty), as they tell of that complaint.
    #[serde(default)]
    pub text_withheld: bool,
    pub proposed_by: StaffRef,
    pub approved_by: Option<StaffRef>,
    pub approved_at: Option<DateTime<Utc>>,
    /// The action this one supplements as a further measure.
    pub follow_up_of: Option<i64>,
    /// Further measures that supplement this one.
    pub follow_ups: Vec<i64>,
    pub progress: Vec<Note>,
    /// Effects besides the intended one (neveneffecten).
    pub side_effects: Vec<Note>,
    pub completed_at: Option<DateTime<Utc>>,
    #[schema(example = 2)]
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Views of actions as `caller` may see them, with everything they name looked up in a few
/// queries.
fn views(
    conn: &mut AnyConnection,
    caller: &Caller,
    rows: Vec<ActionRow>,
    today: NaiveDate,
) -> Result<Vec<ActionView>, OperationError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut linked = store::linked_complaints(conn, &ids)?;
    let mut notes = store::notes(conn, &ids)?;
    let mut follow_ups = store::follow_ups(conn, &ids)?;
    let mut people_ids: Vec<i64> = rows.iter().flat_map(ActionRow::people).collect();
    people_ids.extend(notes.values().flatten().map(|n| n.recorded_by_id));
    let people = staff::people(conn, &people_ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let complaints = linked.remove(&row.id).unwrap_or_default();
            let (visible, hidden): (Vec<_>, Vec<_>) = complaints
                .into_iter()
                .partition(|c| caller.authorise(&c.parties, ComplaintAct::Read).is_ok());
            let (progress_notes, side_effects): (Vec<_>, Vec<_>) = notes
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .partition(|n| n.kind() == NoteKind::Progress);
            let shown = actions::shows_text(row.kind(), visible.len(), hidden.len());
            let text = |t: String| if shown { t } else { String::new() };
            let note = |n: store::NoteRow| Note {
                recorded_at: n.recorded_at(),
                recorded_by: StaffRef::of(&people, n.recorded_by_id),
                note: text(n.note),
            };
            ActionView {
                overdue: actions::is_overdue(row.status(), row.due_on, today),
                kind: row.kind(),
                status: row.status(),
                owner: StaffRef::of(&people, row.owner_id),
                proposed_by: StaffRef::of(&people, row.proposed_by_id),
                approved_by: row.approved_by_id.map(|id| StaffRef::of(&people, id)),
                complaints: visible
                    .into_iter()
                    .map(|c| ComplaintLink { id: c.id, reference: c.reference })
                    .collect(),
                other_complaints: hidden.len(),
                text_withheld: !shown,
                follow_ups: follow_ups.remove(&row.id).unwrap_or_default(),
                progress: progress_notes.into_iter().map(note).collect(),
                side_effects: side_effects.into_iter().map(note).collect(),
                id: row.id,
                title: text(row.title),
                description: text(row.description),
                due_on: row.due_on,
                approved_at: row.approved_at.map(from_db),
                follow_up_of: row.follow_up_of_id,
                completed_at: row.completed_at.map(from_db),
                version: row.version,
                created_at: from_db(row.created_at),
                updated_at: from_db(row.updated_at),
            }
        })
        .collect())
}

fn view_one(
    conn: &mut AnyConnection,
    ctx: &Context,
    row: ActionRow,
) -> Result<ActionView, OperationError> {
    let mut views = views(conn, &ctx.caller, vec![row], ctx.now.date_naive())?;
    views.pop().ok_or(OperationError::Internal("a view of one action is missing"))
}

/// The event that records a change to an action. A corrective action belongs to its
/// complaint's dossier.
fn action_event(view: &ActionView, event_type: EventType, mut data: Value) -> Event {
    data["action"] = json!(view.id);
    let complaint_id = (view.kind == ActionKind::Corrective)
        .then(|| view.complaints.first().map(|c| c.id))
        .flatten();
    Event { complaint_id, event_type, data }
}

/// The answer of a command on an action, with the event that records it.
fn recorded(view: ActionView, event_type: EventType, data: Value) -> Done<ActionView> {
    let event = action_event(&view, event_type, data);
    Done::recorded(view, event)
}

/// The day an action is due, if any: a day of the register's years.
fn check_due_on(due_on: Option<NaiveDate>) -> Result<Option<NaiveDate>, FieldError> {
    due_on.map(|d| check_day("due_on", d)).transpose()
}

/// A new action.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "improvement",
    "title": "Vier-ogencontrole op declaraties",
    "description": "Elke declaratie boven EUR 1.000 wordt door een tweede medewerker gecontroleerd.",
    "owner_id": "auth0|dana",
    "due_on": "2026-12-15",
    "complaint_ids": [17, 21]
}))]
pub struct CreateAction {
    pub kind: ActionKind,
    #[schema(max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Who carries it out; defaults to the caller.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
    /// The complaints it concerns: exactly one for a corrective action.
    #[serde(default)]
    pub complaint_ids: Vec<i64>,
    /// The action this one supplements as a further measure.
    #[serde(default)]
    pub follow_up_of: Option<i64>,
}

/// A new action's own fields, checked.
struct Checked {
    title: Text,
    description: String,
    owner: Option<ExternalId>,
    due_on: Option<NaiveDate>,
}

impl CreateAction {
    fn check(&self) -> Result<Checked, ValidationErrors> {
        let distinct = self.complaint_ids.iter().collect::<BTreeSet<_>>().len();
        let (title, description, due_on, (), (), owner) = (
            Text::parse("title", &self.title, actions::TITLE_MAX),
            Text::parse_optional("description", Some(&self.description), actions::DESCRIPTION_MAX),
            check_due_on(self.due_on),
            actions::check_links(self.kind, self.complaint_ids.len()),
            ensure(
                distinct == self.complaint_ids.len(),
                "complaint_ids",
                "names a complaint more than once",
            ),
            self.owner_id.as_deref().map(|o| ExternalId::parse("owner_id", o.trim())).transpose(),
        )
            .all_valid()?;
        let description = description.map(Text::into_string).unwrap_or_default();
        Ok(Checked { title, description, owner, due_on })
    }

    /// What the action points at must exist and be the caller's to point at. Returns the
    /// parties of the complaints it concerns.
    fn check_references(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> Result<Vec<Parties>, OperationError> {
        let act = actions::act_on_complaints(self.kind);
        let mut parties = Vec::with_capacity(self.complaint_ids.len());
        for (i, id) in self.complaint_ids.iter().enumerate() {
            let row = complaints_store::find(conn, caller.organisation_id(), *id, Lock::None)?;
            let authorised = row.ok_or(Denied::NotVisible).and_then(|row| {
                caller.authorise(&row.parties(), act).map(|_| (row.parties(), row.erased_at))
            });
            match authorised {
                Ok((found, erased_at)) => {
                    actions::ensure_not_erased(self.kind, erased_at.is_some())?;
                    parties.push(found);
                }
                Err(Denied::NotVisible) => {
                    return Err(FieldError::new(
                        format!("complaint_ids[{i}]"),
                        "no such complaint",
                    )
                    .into());
                }
                Err(forbidden) => return Err(forbidden.into()),
            }
        }
        if let Some(of) = self.follow_up_of
            && readable_action(conn, caller, of).is_err()
        {
            return Err(FieldError::new("follow_up_of", "no such action").into());
        }
        Ok(parties)
    }
}

/// Records an action: a coordinator's starts approved, a dienstverlener's is a proposal.
pub async fn create(
    db: &Db,
    ctx: Context,
    input: CreateAction,
) -> Result<ActionView, OperationError> {
    let proposer = ctx.caller.person()?.clone();
    actions::may_create(&proposer.actor(), input.kind)?;
    let checked = input.check()?;
    db.write(move |conn| {
        command::run(conn, &ctx, (CommandKind::CreateAction, Nothing), &input, |conn, ()| {
            let concerned = input.check_references(conn, &ctx.caller)?;
            let owner_id = match &checked.owner {
                Some(owner) => staff::ensure(conn, ctx.organisation_id(), owner.as_str(), ctx.now)?,
                None => proposer.staff_id,
            };
            let row = store::insert(
                conn,
                NewAction {
                    organisation_id: ctx.organisation_id(),
                    kind: input.kind,
                    title: checked.title.as_str(),
                    description: &checked.description,
                    owner_id,
                    due_on: checked.due_on,
                    status: actions::initial_status(&proposer.actor(), &concerned),
                    proposed_by_id: proposer.staff_id,
                    follow_up_of_id: input.follow_up_of,
                    complaint_ids: &input.complaint_ids,
                    now: ctx.now,
                },
            )?;
            let view = view_one(conn, &ctx, row)?;
            let data = json!({"kind": view.kind, "status": view.status, "follow_up_of": view.follow_up_of});
            Ok(recorded(view, EventType::ActionCreated, data))
        })
    })
    .await
}

/// The filters of the action list, checked; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<ActionStatus>,
    pub kind: Option<ActionKind>,
    /// The owner's identity-provider id.
    pub owner: Option<ExternalId>,
    pub complaint: Option<i64>,
    pub overdue: Option<bool>,
}

/// The actions in the caller's scope, newest first: a dienstverlener's own, those they
/// proposed and those of complaints they may see; a coordinator's organisation's. A filter on
/// a complaint the caller may not see is not found, as the complaint is.
pub async fn list(
    db: &Db,
    ctx: Context,
    filter: Filter,
    page: PageRequest,
) -> Result<Page<ActionView>, OperationError> {
    db.read(move |conn| {
        if let Some(complaint) = filter.complaint {
            readable_complaint(conn, &ctx.caller, complaint)?;
        }
        let Some(owner_id) = people::filter(conn, ctx.organisation_id(), filter.owner.as_ref())?
        else {
            return Ok(Page::whole(Vec::new()));
        };
        let today = ctx.now.date_naive();
        let query = ActionFilter {
            status: filter.status,
            kind: filter.kind,
            owner_id,
            complaint_id: filter.complaint,
            overdue: filter.overdue.map(|wanted| (wanted, today)),
            before_id: page.after,
            limit: page.fetch(),
        };
        let rows = store::list(conn, ctx.organisation_id(), ctx.caller.scope(), &query)?;
        let rows = page.cut(rows, |r| r.id, |r| r);
        Ok(Page {
            items: views(conn, &ctx.caller, rows.items, today)?,
            next_cursor: rows.next_cursor,
        })
    })
    .await
}

/// The actions that concern a complaint, newest first: whoever sees the complaint sees them.
pub async fn of_complaint(
    db: &Db,
    ctx: Context,
    complaint: i64,
    page: PageRequest,
) -> Result<Page<ActionView>, OperationError> {
    db.read(move |conn| {
        readable_complaint(conn, &ctx.caller, complaint)?;
        actions_of(conn, &ctx, complaint, page)
    })
    .await
}

/// The corrective actions of a complaint the caller was found to see, oldest first: the
/// action taken or to be taken, as the registration form lists it.
pub(super) fn corrective_of(
    conn: &mut AnyConnection,
    caller: &Caller,
    complaint: i64,
    today: NaiveDate,
) -> Result<Vec<ActionView>, OperationError> {
    let query = ActionFilter {
        complaint_id: Some(complaint),
        kind: Some(ActionKind::Corrective),
        limit: i64::MAX,
        ..ActionFilter::default()
    };
    let mut rows = store::list(conn, caller.organisation_id(), Scope::Organisation, &query)?;
    rows.reverse();
    views(conn, caller, rows, today)
}

/// A page of the actions that concern a complaint, newest first, for a caller already allowed
/// to read it: its action list, and the actions a subject-access answer holds.
pub(super) fn actions_of(
    conn: &mut AnyConnection,
    ctx: &Context,
    complaint: i64,
    page: PageRequest,
) -> Result<Page<ActionView>, OperationError> {
    let query = ActionFilter {
        complaint_id: Some(complaint),
        before_id: page.after,
        limit: page.fetch(),
        ..ActionFilter::default()
    };
    let rows = store::list(conn, ctx.organisation_id(), Scope::Organisation, &query)?;
    let rows = page.cut(rows, |r| r.id, |r| r);
    let items = views(conn, &ctx.caller, rows.items, ctx.now.date_naive())?;
    Ok(Page { items, next_cursor: rows.next_cursor })
}

/// An action the caller may see.
pub async fn read(db: &Db, ctx: Context, id: i64) -> Result<ActionView, OperationError> {
    db.read(move |conn| {
        let row = readable_action(conn, &ctx.caller, id)?;
        view_one(conn, &ctx, row)
    })
    .await
}

/// Changes to an action. `status` moves it on: `in_progress`, `done` or `cancelled`
/// (approval has its own operation).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "in_progress", "due_on": "2027-01-15"}))]
pub struct ActionPatch {
    #[schema(max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    pub owner_id: Option<String>,
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
    pub status: Option<ActionStatus>,
}

/// An edit of an action, checked: for each field, `None` leaves it as it is.
struct Edit {
    title: Option<Text>,
    description: Option<Option<Text>>,
    due_on: Option<Option<NaiveDate>>,
    owner: Option<ExternalId>,
    transition: Option<Transition>,
}

impl ActionPatch {
    fn check(&self) -> Result<Edit, ValidationErrors> {
        let transition = self.status.map(requested_transition).transpose()?;
        let (title, description, due_on, owner) = (
            self.title.as_deref().map(|t| Text::parse("title", t, actions::TITLE_MAX)).transpose(),
            self.description
                .as_deref()
                .map(|d| Text::parse_optional("description", Some(d), actions::DESCRIPTION_MAX))
                .transpose(),
            self.due_on.map(check_due_on).transpose(),
            self.owner_id.as_deref().map(|o| ExternalId::parse("owner_id", o.trim())).transpose(),
        )
            .all_valid()?;
        Ok(Edit { title, description, due_on, owner, transition })
    }
}

fn requested_transition(status: ActionStatus) -> Result<Transition, FieldError> {
    match status {
        ActionStatus::InProgress => Ok(Transition::Start),
        ActionStatus::Done => Ok(Transition::Complete),
        ActionStatus::Cancelled => Ok(Transition::Cancel),
        ActionStatus::Approved | ActionStatus::Proposed => Err(FieldError::new(
            "status",
            "an action moves on to in_progress, done or cancelled; approval is POST /actions/{id}/approval",
        )),
    }
}

const ACTION_FIELDS: [&str; 6] =
    ["title", "description", "owner", "due_on", "status", "completed_at"];

/// Edits an action or moves it on. A coordinator edits any field; the proposer edits their
/// proposal; the owner (or a coordinator) starts and completes the work.
pub async fn edit(
    db: &Db,
    ctx: Context,
    id: i64,
    patch: ActionPatch,
) -> Result<ActionView, OperationError> {
    let edit = patch.check()?;
    db.write(move |conn| {
        let target = OnAction { id, act: ActionAct::Read };
        command::run(conn, &ctx, (CommandKind::EditAction, target), &patch, |conn, found| {
            let FoundAction { row, parties } = found;
            let current = row.changes();
            let mut next = current.clone();
            if let Some(title) = edit.title {
                next.title = title.into_string();
            }
            if let Some(description) = edit.description {
                next.description = description.map(Text::into_string).unwrap_or_default();
            }
            if let Some(due_on) = edit.due_on {
                next.due_on = due_on;
            }
            if let Some(owner) = &edit.owner {
                next.owner_id =
                    staff::ensure(conn, ctx.organisation_id(), owner.as_str(), ctx.now)?;
            }
            if fields_edited(&current, &next) {
                authorise_action(&ctx.caller, &parties, &row, ActionAct::Edit)?;
            }
            if let Some(step) = edit.transition {
                authorise_action(&ctx.caller, &parties, &row, step.act())?;
                next.status = actions::transition(row.status(), step)?.as_str();
                let before = row.completed_at.map(from_db);
                next.completed_at = actions::completed_at(step, before, ctx.now).map(to_db);
            }
            if next == current {
                return Ok(Done::unchanged(view_one(conn, &ctx, row)?));
            }
            let before = with_text(view_one(conn, &ctx, row.clone())?, &row);
            let saved = store::save(conn, id, row.version, &next, ctx.now)?
                .ok_or_else(|| OperationError::changed_meanwhile("action"))?;
            let after = view_one(conn, &ctx, saved.clone())?;
            let data = changes(&before, &with_text(after.clone(), &saved), &ACTION_FIELDS);
            Ok(recorded(after, EventType::ActionUpdated, data))
        })
    })
    .await
}

/// A view with the action's text, also where the caller's is withheld: the event records
/// the change as it was made (the timeline shows it to whoever may see the complaint).
fn with_text(view: ActionView, row: &ActionRow) -> ActionView {
    ActionView { title: row.title.clone(), description: row.description.clone(), ..view }
}

/// Did an edit touch the action's fields (title, description, owner, due date), as opposed
/// to only moving its status?
fn fields_edited(before: &ActionChanges, after: &ActionChanges) -> bool {
    before.title != after.title
        || before.description != after.description
        || before.owner_id != after.owner_id
        || before.due_on != after.due_on
}

/// A command on an action that `change` turns into the action's new fields and the event
/// recording it; answered with the action as it now stands.
async fn on_action<I: Serialize + Send + 'static>(
    db: &Db,
    ctx: Context,
    (kind, id, act): (CommandKind, i64, ActionAct),
    input: I,
    change: impl FnOnce(
        &mut AnyConnection,
        &Context,
        &ActionRow,
        &I,
    ) -> Result<(ActionChanges, EventType, Value), OperationError>
    + Send
    + 'static,
) -> Result<ActionView, OperationError> {
    db.write(move |conn| {
        command::run(conn, &ctx, (kind, OnAction { id, act }), &input, |conn, found| {
            let row = found.row;
            let (next, event, data) = change(conn, &ctx, &row, &input)?;
            let saved = store::save(conn, id, row.version, &next, ctx.now)?
                .ok_or_else(|| OperationError::changed_meanwhile("action"))?;
            Ok(recorded(view_one(conn, &ctx, saved)?, event, data))
        })
    })
    .await
}

/// The coordinator's consent to a proposal: work may start.
pub async fn approve(db: &Db, ctx: Context, id: i64) -> Result<ActionView, OperationError> {
    let command = (CommandKind::ApproveAction, id, ActionAct::Approve);
    on_action(db, ctx, command, (), |_, ctx, row, ()| {
        let status = actions::transition(row.status(), Transition::Approve)?;
        let next = ActionChanges {
            status: status.as_str(),
            approved_by_id: Some(ctx.caller.person()?.staff_id),
            approved_at: Some(to_db(ctx.now)),
            ..row.changes()
        };
        Ok((next, EventType::ActionApproved, json!({})))
    })
    .await
}

/// A progress note or an observed side effect.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Controle loopt; eerste week 3 fouten voorkomen."}))]
pub struct NoteRequest {
    #[schema(max_length = 5000)]
    pub note: String,
}

/// Reports how the work is going.
pub async fn report_progress(
    db: &Db,
    ctx: Context,
    id: i64,
    input: NoteRequest,
) -> Result<ActionView, OperationError> {
    add_note(db, ctx, (CommandKind::ReportProgress, id), input, NoteKind::Progress).await
}

/// Records an effect of the measure besides the one intended (neveneffect).
pub async fn record_side_effect(
    db: &Db,
    ctx: Context,
    id: i64,
    input: NoteRequest,
) -> Result<ActionView, OperationError> {
    add_note(db, ctx, (CommandKind::RecordSideEffect, id), input, NoteKind::SideEffect).await
}

async fn add_note(
    db: &Db,
    ctx: Context,
    (kind, id): (CommandKind, i64),
    input: NoteRequest,
    note_kind: NoteKind,
) -> Result<ActionView, OperationError> {
    on_action(db, ctx, (kind, id, ActionAct::Work), input, move |conn, ctx, row, input| {
        actions::may_note(note_kind, row.status())?;
        let note = Text::parse("note", &input.note, actions::NOTE_MAX)?;
        let by = ctx.caller.person()?.staff_id;
        store::add_note(conn, row.id, note_kind, note.as_str(), by, ctx.now)?;
        // The row itself is unchanged, but its representation gained a note: a new version.
        Ok((row.changes(), EventType::ActionNoteRecorded, json!({"kind": note_kind})))
    })
    .await
}

/// A further measure, started from an evaluation's assessment of an action.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Controle ook onder EUR 1.000", "due_on": "2027-02-01"}))]
pub struct FollowUp {
    #[schema(max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub description: String,
    /// Defaults to the assessed action's owner.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub due_on: Option<NaiveDate>,
}

impl FollowUp {
    /// Checks the measure's fields, reporting them as fields of `within`.
    pub fn check(&self, within: &str) -> Result<(), ValidationErrors> {
        (
            Text::parse("title", &self.title, actions::TITLE_MAX),
            Text::parse_optional("description", Some(&self.description), actions::DESCRIPTION_MAX),
            check_due_on(self.due_on),
            self.owner_id.as_deref().map(|o| ExternalId::parse("owner_id", o.trim())).transpose(),
        )
            .all_valid()
            .map(drop)
            .map_err(|e| e.within(within))
    }
}

/// Starts a further measure supplementing `of`, inside the evaluation's transaction: an
/// improvement action on the same complaints, with its own event.
pub(super) fn create_follow_up(
    conn: &mut AnyConnection,
    ctx: &Context,
    of: &ActionRow,
    measure: &FollowUp,
) -> Result<ActionRow, OperationError> {
    let proposer = ctx.caller.person()?;
    let linked = store::linked_complaints(conn, &[of.id])?.remove(&of.id).unwrap_or_default();
    let complaint_ids: Vec<i64> = linked.iter().map(|c| c.id).collect();
    let concerned: Vec<Parties> = linked.into_iter().map(|c| c.parties).collect();
    let owner_id = match &measure.owner_id {
        Some(owner) => staff::ensure(conn, ctx.organisation_id(), owner.trim(), ctx.now)?,
        None => of.owner_id,
    };
    // `FollowUp::check` has passed: these are the normalised texts.
    let row = store::insert(
        conn,
        NewAction {
            organisation_id: ctx.organisation_id(),
            kind: ActionKind::Improvement,
            title: measure.title.trim(),
            description: measure.description.trim(),
            owner_id,
            due_on: measure.due_on,
            status: actions::initial_status(&proposer.actor(), &concerned),
            proposed_by_id: proposer.staff_id,
            follow_up_of_id: Some(of.id),
            complaint_ids: &complaint_ids,
            now: ctx.now,
        },
    )?;
    let view = view_one(conn, ctx, row.clone())?;
    let data = json!({"kind": view.kind, "status": view.status, "follow_up_of": view.follow_up_of});
    ctx.record(conn, action_event(&view, EventType::ActionCreated, data))?;
    Ok(row)
}
