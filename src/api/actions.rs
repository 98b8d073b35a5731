//! `/actions`: corrective and improvement actions, their approval, progress and side
//! effects, and the follow-up measures that supplement them.

use std::collections::BTreeSet;

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::complaints::{StaffRef, readable};
use super::extract::{ApiJson, ApiQuery, IdempotencyKey, IfMatch};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{
    ActionCommandParams, ActionCommandResponses, Conflict, Forbidden, NotFound, PreconditionFailed,
    Unprocessable,
};
use super::pagination::{self, Page};
use super::state::AppState;
use super::{changes, versioned};
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::domain::access::{self, Denied, Parties};
use crate::domain::actions::{
    self, ActionAct, ActionKind, ActionParties, ActionStatus, NoteKind, Transition,
};
use crate::domain::events::EventType;
use crate::domain::validation::{ExternalId, FieldError, Text, ValidationErrors, check_day};
use crate::error::ApiError;
use crate::store::actions::{self as store, ActionFilter, ActionRow, NewAction};
use crate::store::complaints as complaints_store;
use crate::store::events::{self, NewEvent};
use crate::store::staff;
use crate::store::{from_db, to_db};

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];

/// A complaint an action concerns.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ComplaintLink {
    #[schema(example = 17)]
    pub id: i64,
    #[schema(example = "KL-2026-0007")]
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Note {
    #[schema(example = "Nieuwe controlestap voor declaraties ingevoerd.")]
    pub note: String,
    pub recorded_by: StaffRef,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
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

/// Views of actions as `principal` may see them, with everything they name looked up in a
/// few queries.
fn views(
    conn: &mut AnyConnection,
    principal: &Principal,
    rows: Vec<ActionRow>,
    today: NaiveDate,
) -> Result<Vec<ActionView>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut linked = store::linked_complaints(conn, &ids)?;
    let mut notes = store::notes(conn, &ids)?;
    let mut follow_ups = store::follow_ups(conn, &ids)?;
    let mut people_ids: Vec<i64> = rows.iter().flat_map(ActionRow::people).collect();
    people_ids.extend(notes.values().flatten().map(|n| n.recorded_by_id));
    let people = staff::people(conn, &people_ids)?;
    let actor = principal.actor();
    Ok(rows
        .into_iter()
        .map(|row| {
            let complaints = linked.remove(&row.id).unwrap_or_default();
            let (visible, hidden): (Vec<_>, Vec<_>) =
                complaints.into_iter().partition(|c| access::standing(&actor, &c.parties).may_read);
            let (progress_notes, side_effects): (Vec<_>, Vec<_>) = notes
                .remove(&row.id)
                .unwrap_or_default()
                .into_iter()
                .partition(|n| n.kind() == NoteKind::Progress);
            let note = |n: store::NoteRow| Note {
                recorded_at: n.recorded_at(),
                recorded_by: StaffRef::of(&people, n.recorded_by_id),
                note: n.note,
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
                follow_ups: follow_ups.remove(&row.id).unwrap_or_default(),
                progress: progress_notes.into_iter().map(note).collect(),
                side_effects: side_effects.into_iter().map(note).collect(),
                id: row.id,
                title: row.title,
                description: row.description,
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
    principal: &Principal,
    row: ActionRow,
    today: NaiveDate,
) -> Result<ActionView, ApiError> {
    views(conn, principal, vec![row], today)?.pop().ok_or_else(ApiError::internal)
}

fn parties(conn: &mut AnyConnection, row: &ActionRow) -> Result<ActionParties, ApiError> {
    let complaints = store::linked_complaints(conn, &[row.id])?.remove(&row.id).unwrap_or_default();
    Ok(ActionParties {
        owner: row.owner_id,
        proposed_by: row.proposed_by_id,
        complaints: complaints.into_iter().map(|c| c.parties).collect(),
    })
}

fn not_found(denied: Denied) -> ApiError {
    match denied {
        Denied::NotVisible => ApiError::not_found("action"),
        forbidden => forbidden.into(),
    }
}

/// Finds an action the caller may act on this way, locked for the change.
fn authorised_for_update(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: i64,
    act: ActionAct,
) -> Result<ActionRow, ApiError> {
    let row = store::find(conn, principal.organisation_id, id, crate::store::Lock::ForUpdate)?
        .ok_or_else(|| ApiError::not_found("action"))?;
    let parties = parties(conn, &row)?;
    actions::authorise(&principal.actor(), &parties, row.status(), act).map_err(not_found)?;
    Ok(row)
}

fn readable_action(
    conn: &mut AnyConnection,
    principal: &Principal,
    id: i64,
) -> Result<ActionRow, ApiError> {
    let row = store::find(conn, principal.organisation_id, id, crate::store::Lock::None)?
        .ok_or_else(|| ApiError::not_found("action"))?;
    let parties = parties(conn, &row)?;
    actions::authorise(&principal.actor(), &parties, row.status(), ActionAct::Read)
        .map_err(not_found)?;
    Ok(row)
}

fn check_due_on(due_on: Option<NaiveDate>) -> Result<Option<NaiveDate>, FieldError> {
    due_on.map(|d| check_day("due_on", d)).transpose()
}

fn record_event(
    conn: &mut AnyConnection,
    principal: &Principal,
    action: &ActionView,
    event_type: EventType,
    now: DateTime<Utc>,
    mut data: serde_json::Value,
) -> Result<(), ApiError> {
    data["action"] = json!(action.id);
    // A corrective action belongs to its complaint's dossier.
    let complaint_id = (action.kind == ActionKind::Corrective)
        .then(|| action.complaints.first().map(|c| c.id))
        .flatten();
    events::append(
        conn,
        NewEvent {
            organisation_id: principal.organisation_id,
            complaint_id,
            event_type,
            actor_id: Some(principal.staff_id),
            occurred_at: now,
            data,
        },
    )?;
    Ok(())
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

/// Checks a new action's own fields.
fn checked_fields(body: &CreateAction) -> Result<(Text, String, Option<NaiveDate>), ApiError> {
    let mut errors = ValidationErrors::default();
    let title = errors.check(Text::parse("title", &body.title, actions::TITLE_MAX));
    let description = errors.check(Text::parse_optional(
        "description",
        Some(&body.description),
        actions::DESCRIPTION_MAX,
    ));
    let due_on = errors.check(check_due_on(body.due_on));
    errors.check(actions::check_links(body.kind, body.complaint_ids.len()));
    if body.complaint_ids.iter().collect::<BTreeSet<_>>().len() != body.complaint_ids.len() {
        errors.push(FieldError::new("complaint_ids", "names a complaint more than once"));
    }
    if let Some(owner) = &body.owner_id {
        errors.check(ExternalId::parse("owner_id", owner));
    }
    errors.into_result()?;
    let (Some(title), Some(description), Some(due_on)) = (title, description, due_on) else {
        return Err(ApiError::internal());
    };
    Ok((title, description.map(Text::into_string).unwrap_or_default(), due_on))
}

/// Parameters of a new action that point at other things: each must exist and be the
/// caller's to point at. Returns the parties of the complaints it concerns.
fn check_references(
    conn: &mut AnyConnection,
    principal: &Principal,
    body: &CreateAction,
) -> Result<Vec<Parties>, ApiError> {
    let mut parties = Vec::with_capacity(body.complaint_ids.len());
    let act = actions::act_on_complaints(body.kind);
    for (i, id) in body.complaint_ids.iter().enumerate() {
        let field = format!("complaint_ids[{i}]");
        let row =
            complaints_store::find(conn, principal.organisation_id, *id, crate::store::Lock::None)?;
        let outcome = match &row {
            None => Err(Denied::NotVisible),
            Some(row) => {
                access::authorise(&principal.actor(), &row.parties(), act).map(|_| row.parties())
            }
        };
        match outcome {
            Ok(found) => parties.push(found),
            Err(Denied::NotVisible) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    field,
                    "no such complaint",
                )]));
            }
            Err(forbidden) => return Err(forbidden.into()),
        }
    }
    if let Some(of) = body.follow_up_of
        && readable_action(conn, principal, of).is_err()
    {
        return Err(ApiError::validation(vec![FieldError::new("follow_up_of", "no such action")]));
    }
    Ok(parties)
}

#[utoipa::path(
    post,
    operation_id = "create_action",
    path = "/actions",
    tag = "actions",
    summary = "Record an action",
    description = "A corrective action on one complaint (its handler, in consultation with the \
        coordinator, or a coordinator) or an improvement action linked to any number of \
        complaints (a coordinator). A dienstverlener's action is a proposal until a \
        coordinator approves it; a coordinator's starts approved, unless it concerns a \
        complaint about that coordinator (then the deputy approves it). `follow_up_of` makes \
        it a further measure supplementing an earlier action.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = CreateAction,
    responses(
        (status = 201, description = "Recorded", body = ActionView, headers(("ETag" = String), ("Location" = String))),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/actions")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    key: IdempotencyKey,
    body: ApiJson<CreateAction>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let body = body.0;
    actions::may_create(&principal.actor(), body.kind)?;
    let (title, description, due_on) = checked_fields(&body)?;
    let fingerprint = fingerprint("POST /actions", &body);
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let concerned = check_references(conn, &principal, &body)?;
                let owner_id = match &body.owner_id {
                    Some(owner) => {
                        staff::ensure(conn, principal.organisation_id, owner.trim(), now)?
                    }
                    None => principal.staff_id,
                };
                let row = store::insert(
                    conn,
                    NewAction {
                        organisation_id: principal.organisation_id,
                        kind: body.kind,
                        title: title.as_str(),
                        description: &description,
                        owner_id,
                        due_on,
                        status: actions::initial_status(&principal.actor(), &concerned),
                        proposed_by_id: principal.staff_id,
                        follow_up_of_id: body.follow_up_of,
                        complaint_ids: &body.complaint_ids,
                        now,
                    },
                )?;
                let view = view_one(conn, &principal, row, now.date_naive())?;
                record_event(
                    conn,
                    &principal,
                    &view,
                    EventType::ActionCreated,
                    now,
                    json!({
                        "kind": view.kind, "status": view.status, "follow_up_of": view.follow_up_of,
                    }),
                )?;
                Answer::created(&view, format!("/api/v1/actions/{}", view.id))
            })
        })
        .await?;
    Ok(answer.into_response())
}

/// Filters of the action list; all optional, combined with AND.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// Only actions in this status.
    pub status: Option<ActionStatus>,
    /// Only corrective or only improvement actions.
    pub kind: Option<ActionKind>,
    /// The owner's staff id.
    pub owner: Option<String>,
    /// Only actions concerning this complaint.
    pub complaint: Option<i64>,
    /// Only actions that are (`true`) or are not (`false`) overdue today.
    pub overdue: Option<bool>,
    /// Page size, 1 to 200; default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[utoipa::path(
    get,
    operation_id = "list_actions",
    path = "/actions",
    tag = "actions",
    summary = "List actions",
    description = "Newest first. A dienstverlener sees the actions they own or proposed and \
        those of complaints they may see; a coordinator sees all.",
    params(ActionQuery),
    responses((status = 200, description = "A page of actions", body = Page<ActionView>)),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/actions")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<ActionQuery>,
) -> Result<web::Json<Page<ActionView>>, ApiError> {
    let query = query.0;
    let today = state.clock.now().date_naive();
    let limit = pagination::limit(query.limit)?;
    let before_id = pagination::parse_cursor(query.cursor.as_deref())?;
    let owner = query
        .owner
        .as_deref()
        .map(|o| ExternalId::parse("owner", o))
        .transpose()
        .map_err(|e| ApiError::invalid_parameter("owner", e.message))?;
    let page = state
        .db
        .read(move |conn| {
            let owner_id = match owner {
                Some(owner) => {
                    match staff::find_by_subject(conn, principal.organisation_id, owner.as_str())? {
                        Some(member) => Some(member.id),
                        None => {
                            return Ok::<_, ApiError>(Page {
                                items: Vec::new(),
                                next_cursor: None,
                            });
                        }
                    }
                }
                None => None,
            };
            let filter = ActionFilter {
                status: query.status,
                kind: query.kind,
                owner_id,
                complaint_id: query.complaint,
                overdue: query.overdue.map(|wanted| (wanted, today)),
                before_id,
                limit: limit + 1,
            };
            let rows = store::list(
                conn,
                principal.organisation_id,
                access::complaint_scope(&principal.actor()),
                &filter,
            )?;
            let page = pagination::page(rows, limit, |r| r.id, |r| r);
            Ok(Page {
                items: views(conn, &principal, page.items, today)?,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(page))
}

#[utoipa::path(
    get,
    operation_id = "list_complaint_actions",
    path = "/complaints/{id}/actions",
    tag = "actions",
    summary = "A complaint's actions",
    description = "The corrective and improvement actions that concern this complaint, newest first.",
    params(("id" = i64, Path, description = "The complaint's id"), pagination::PageQuery),
    responses(
        (status = 200, description = "A page of actions", body = Page<ActionView>),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints/{id}/actions")]
pub async fn of_complaint(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: ApiQuery<pagination::PageQuery>,
) -> Result<web::Json<Page<ActionView>>, ApiError> {
    let id = id.into_inner();
    let today = state.clock.now().date_naive();
    let (limit, before_id) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            readable(conn, &principal, id)?;
            // Whoever sees the complaint sees the actions that concern it.
            let filter = ActionFilter {
                complaint_id: Some(id),
                before_id,
                limit: limit + 1,
                ..ActionFilter::default()
            };
            let rows =
                store::list(conn, principal.organisation_id, access::Scope::Organisation, &filter)?;
            let page = pagination::page(rows, limit, |r| r.id, |r| r);
            Ok::<_, ApiError>(Page {
                items: views(conn, &principal, page.items, today)?,
                next_cursor: page.next_cursor,
            })
        })
        .await?;
    Ok(web::Json(page))
}

#[utoipa::path(
    get,
    operation_id = "get_action",
    path = "/actions/{id}",
    tag = "actions",
    summary = "Read an action",
    params(("id" = i64, Path, description = "The action's id")),
    responses(
        (status = 200, description = "The action", body = ActionView, headers(("ETag" = String))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/actions/{id}")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let today = state.clock.now().date_naive();
    let view = state
        .db
        .read(move |conn| {
            let row = readable_action(conn, &principal, id)?;
            view_one(conn, &principal, row, today)
        })
        .await?;
    Ok(versioned(&view, view.version))
}

/// Changes to an action. `status` moves it on: `in_progress`, `done` or `cancelled`
/// (approval has its own operation).
#[derive(Debug, Default, Deserialize, ToSchema)]
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

fn requested_transition(status: ActionStatus) -> Result<Transition, ApiError> {
    match status {
        ActionStatus::InProgress => Ok(Transition::Start),
        ActionStatus::Done => Ok(Transition::Complete),
        ActionStatus::Cancelled => Ok(Transition::Cancel),
        ActionStatus::Approved | ActionStatus::Proposed => {
            Err(ApiError::validation(vec![FieldError::new(
                "status",
                "an action moves on to in_progress, done or cancelled; approval is POST /actions/{id}/approval",
            )]))
        }
    }
}

const ACTION_FIELDS: [&str; 6] =
    ["title", "description", "owner", "due_on", "status", "completed_at"];

#[utoipa::path(
    patch,
    operation_id = "update_action",
    path = "/actions/{id}",
    tag = "actions",
    summary = "Edit an action or move it on",
    description = "A coordinator edits any field; while an action is a proposal, its proposer \
        may edit or cancel it. The owner (or a coordinator) starts and completes the work — \
        only once the action is approved (`approval_required`).",
    params(("id" = i64, Path, description = "The action's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag this change is based on")),
    request_body(content((ActionPatch = "application/json"), (ActionPatch = "application/merge-patch+json"))),
    responses(
        (status = 200, description = "The action", body = ActionView, headers(("ETag" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[patch("/actions/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: ApiJson<ActionPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.clock.now();
    let patch = body.0;
    let mut errors = ValidationErrors::default();
    let title =
        patch.title.as_deref().map(|t| errors.check(Text::parse("title", t, actions::TITLE_MAX)));
    let description = patch.description.as_deref().map(|d| {
        errors.check(Text::parse_optional("description", Some(d), actions::DESCRIPTION_MAX))
    });
    let due_on = patch.due_on.map(|d| errors.check(check_due_on(d)));
    let owner =
        patch.owner_id.as_deref().map(|o| errors.check(ExternalId::parse("owner_id", o.trim())));
    let transition = patch.status.map(requested_transition).transpose()?;
    errors.into_result()?;
    let view = state
        .db
        .write(move |conn| {
            let row = authorised_for_update(conn, &principal, id, ActionAct::Read)?;
            if_match.check(row.version)?;
            let mut next = row.changes();
            if let Some(Some(title)) = title {
                next.title = title.into_string();
            }
            if let Some(Some(description)) = description {
                next.description = description.map(Text::into_string).unwrap_or_default();
            }
            if let Some(Some(due_on)) = due_on {
                next.due_on = due_on;
            }
            if let Some(Some(owner)) = owner {
                next.owner_id =
                    staff::ensure(conn, principal.organisation_id, owner.as_str(), now)?;
            }
            let parties = parties(conn, &row)?;
            let authorise = |act| {
                actions::authorise(&principal.actor(), &parties, row.status(), act)
                    .map_err(not_found)
            };
            if fields_edited(&row.changes(), &next) {
                authorise(ActionAct::Edit)?;
            }
            if let Some(step) = transition {
                authorise(step.act())?;
                next.status = actions::transition(row.status(), step)?.as_str();
                let before = row.completed_at.map(from_db);
                next.completed_at = actions::completed_at(step, before, now).map(to_db);
            }
            if next == row.changes() {
                return view_one(conn, &principal, row, now.date_naive());
            }
            let before = view_one(conn, &principal, row.clone(), now.date_naive())?;
            let saved = store::save(conn, id, row.version, &next, now)?
                .ok_or_else(|| ApiError::precondition_failed("the action changed meanwhile"))?;
            let after = view_one(conn, &principal, saved, now.date_naive())?;
            record_event(
                conn,
                &principal,
                &after,
                EventType::ActionUpdated,
                now,
                changes(&before, &after, &ACTION_FIELDS),
            )?;
            Ok(after)
        })
        .await?;
    Ok(versioned(&view, view.version))
}

/// Did an edit touch the action's fields (title, description, owner, due date), as opposed
/// to only moving its status?
fn fields_edited(before: &store::ActionChanges, after: &store::ActionChanges) -> bool {
    before.title != after.title
        || before.description != after.description
        || before.owner_id != after.owner_id
        || before.due_on != after.due_on
}

/// Runs one command on an action inside a write transaction, once per `Idempotency-Key`.
async fn action_command<B: Serialize + Send + 'static>(
    state: web::Data<AppState>,
    principal: Principal,
    (id, name): (i64, &'static str),
    body: B,
    (if_match, key): (IfMatch, IdempotencyKey),
    act: ActionAct,
    apply: impl FnOnce(
        &mut AnyConnection,
        &ActionRow,
        &B,
        &Principal,
        DateTime<Utc>,
    ) -> Result<(store::ActionChanges, EventType, serde_json::Value), ApiError>
    + Send
    + 'static,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let fingerprint = fingerprint(&format!("POST /actions/{id}/{name}"), &body);
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let row = authorised_for_update(conn, &principal, id, act)?;
                if_match.check(row.version)?;
                let (next, event, data) = apply(conn, &row, &body, &principal, now)?;
                let saved = store::save(conn, id, row.version, &next, now)?
                    .ok_or_else(|| ApiError::precondition_failed("the action changed meanwhile"))?;
                let view = view_one(conn, &principal, saved, now.date_naive())?;
                record_event(conn, &principal, &view, event, now, data)?;
                Answer::ok(&view)
            })
        })
        .await?;
    Ok(answer.into_response())
}

#[utoipa::path(
    post,
    operation_id = "approve_action",
    path = "/actions/{id}/approval",
    tag = "actions",
    summary = "Approve a proposed action",
    description = "The coordinator's consent (\"in overleg met de klachtencoördinator\"): a \
        proposal becomes approved and work may start. Not for an action on a complaint about \
        the approving coordinator.",
    params(ActionCommandParams),
    responses(ActionCommandResponses),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/actions/{id}/approval")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    preconditions: (IfMatch, IdempotencyKey),
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "approval");
    action_command(
        state,
        principal,
        target,
        (),
        preconditions,
        ActionAct::Approve,
        |_, row, _, principal, now| {
            let status = actions::transition(row.status(), Transition::Approve)?;
            let next = store::ActionChanges {
                status: status.as_str(),
                approved_by_id: Some(principal.staff_id),
                approved_at: Some(to_db(now)),
                ..row.changes()
            };
            Ok((next, EventType::ActionApproved, json!({})))
        },
    )
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

fn add_note(
    conn: &mut AnyConnection,
    row: &ActionRow,
    body: &NoteRequest,
    principal: &Principal,
    now: DateTime<Utc>,
    kind: NoteKind,
) -> Result<(store::ActionChanges, EventType, serde_json::Value), ApiError> {
    actions::may_note(kind, row.status())?;
    let note = Text::parse("note", &body.note, actions::NOTE_MAX)
        .map_err(|e| ApiError::validation(vec![e]))?;
    store::add_note(conn, row.id, kind, note.as_str(), principal.staff_id, now)?;
    // The row itself is unchanged, but its representation gained a note: a new version.
    Ok((row.changes(), EventType::ActionNoteRecorded, json!({"kind": kind})))
}

#[utoipa::path(
    post,
    operation_id = "report_action_progress",
    path = "/actions/{id}/progress",
    tag = "actions",
    summary = "Report progress",
    description = "The owner (or a coordinator) reports how the work is going; on open actions.",
    params(ActionCommandParams),
    request_body = NoteRequest,
    responses(ActionCommandResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/actions/{id}/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "progress");
    action_command(
        state,
        principal,
        target,
        body.0,
        preconditions,
        ActionAct::Work,
        |conn, row, body, principal, now| {
            add_note(conn, row, body, principal, now, NoteKind::Progress)
        },
    )
    .await
}

#[utoipa::path(
    post,
    operation_id = "record_action_side_effect",
    path = "/actions/{id}/side-effects",
    tag = "actions",
    summary = "Record an observed side effect",
    description = "An effect of the measure besides the one intended (neveneffect), also after \
        the action is done: the coordinator keeps an eye on them.",
    params(ActionCommandParams),
    request_body = NoteRequest,
    responses(ActionCommandResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/actions/{id}/side-effects")]
pub async fn side_effect(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    preconditions: (IfMatch, IdempotencyKey),
    body: ApiJson<NoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let target = (id.into_inner(), "side-effects");
    action_command(
        state,
        principal,
        target,
        body.0,
        preconditions,
        ActionAct::Work,
        |conn, row, body, principal, now| {
            add_note(conn, row, body, principal, now, NoteKind::SideEffect)
        },
    )
    .await
}

/// Used by the evaluations: a follow-up measure started from an assessment.
pub fn create_follow_up(
    conn: &mut AnyConnection,
    principal: &Principal,
    of: &ActionRow,
    measure: &FollowUp,
    now: DateTime<Utc>,
) -> Result<ActionRow, ApiError> {
    let linked = store::linked_complaints(conn, &[of.id])?.remove(&of.id).unwrap_or_default();
    let complaint_ids: Vec<i64> = linked.iter().map(|c| c.id).collect();
    let concerned: Vec<Parties> = linked.into_iter().map(|c| c.parties).collect();
    let owner_id = match &measure.owner_id {
        Some(owner) => staff::ensure(conn, principal.organisation_id, owner.trim(), now)?,
        None => of.owner_id,
    };
    // `FollowUp::check` has passed: these are the normalised texts.
    let title = measure.title.trim();
    let description = measure.description.trim();
    let row = store::insert(
        conn,
        NewAction {
            organisation_id: principal.organisation_id,
            kind: ActionKind::Improvement,
            title,
            description,
            owner_id,
            due_on: measure.due_on,
            status: actions::initial_status(&principal.actor(), &concerned),
            proposed_by_id: principal.staff_id,
            follow_up_of_id: Some(of.id),
            complaint_ids: &complaint_ids,
            now,
        },
    )?;
    let view = view_one(conn, principal, row.clone(), now.date_naive())?;
    record_event(
        conn,
        principal,
        &view,
        EventType::ActionCreated,
        now,
        json!({
            "kind": view.kind, "status": view.status, "follow_up_of": view.follow_up_of,
        }),
    )?;
    Ok(row)
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
    /// Checks the measure's fields, reporting them under `field`.
    pub fn check(&self, field: &str) -> Vec<FieldError> {
        let prefixed = |e: FieldError| FieldError::new(format!("{field}.{}", e.field), e.message);
        let mut errors = Vec::new();
        if let Err(e) = Text::parse("title", &self.title, actions::TITLE_MAX) {
            errors.push(prefixed(e));
        }
        if let Err(e) =
            Text::parse_optional("description", Some(&self.description), actions::DESCRIPTION_MAX)
        {
            errors.push(prefixed(e));
        }
        if let Err(e) = check_due_on(self.due_on) {
            errors.push(prefixed(e));
        }
        if let Some(Err(e)) =
            self.owner_id.as_deref().map(|o| ExternalId::parse("owner_id", o.trim()))
        {
            errors.push(prefixed(e));
        }
        errors
    }
}
