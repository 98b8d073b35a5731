//! The organisation's settings for its complaint procedure.

use actix_web::{HttpResponse, get, patch, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::complaints::StaffRef;
use super::extract::{ApiJson, IfMatch};
use super::openapi::{Forbidden, PreconditionFailed, Unprocessable};
use super::state::AppState;
use super::{changes, versioned};
use crate::auth::Principal;
use crate::db::AnyConnection;
use crate::domain::events::EventType;
use crate::domain::organisation::{Named, check_settings};
use crate::domain::validation::ExternalId;
use crate::error::ApiError;
use crate::store::events::{self, NewEvent};
use crate::store::organisations::{self, Organisation};
use crate::store::{from_db, staff};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrganisationView {
    /// The organisation's id as tokens name it.
    #[schema(example = "kantoor-vuijst")]
    pub id: String,
    #[schema(example = "Kantoor Vuijst")]
    pub name: String,
    /// Days within which a client gets a reaction (the regulation: one week).
    #[schema(example = 7, minimum = 1, maximum = 90)]
    pub response_term_days: i32,
    /// The klachtencoördinator.
    pub coordinator: Option<StaffRef>,
    /// Takes complaints that concern the coordinator.
    pub deputy_coordinator: Option<StaffRef>,
    /// The klachtenregeling as handed to clients.
    #[schema(example = "Klachtenregeling\nAlgemeen\nWij streven naar effectiviteit …")]
    pub regulation_text: String,
    #[schema(example = 3)]
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

fn view(conn: &mut AnyConnection, org: Organisation) -> Result<OrganisationView, ApiError> {
    let ids: Vec<i64> =
        [org.coordinator_id, org.deputy_coordinator_id].into_iter().flatten().collect();
    let people = staff::people(conn, &ids)?;
    Ok(OrganisationView {
        coordinator: org.coordinator_id.map(|id| StaffRef::of(&people, id)),
        deputy_coordinator: org.deputy_coordinator_id.map(|id| StaffRef::of(&people, id)),
        id: org.slug,
        name: org.name,
        response_term_days: org.response_term_days,
        regulation_text: org.regulation_text,
        version: org.version,
        updated_at: from_db(org.updated_at),
    })
}

#[utoipa::path(
    get,
    operation_id = "get_organisation",
    path = "/organisation",
    tag = "organisation",
    summary = "The caller's organisation and its procedure settings",
    responses((status = 200, description = "The organisation", body = OrganisationView,
        headers(("ETag" = String, description = "The version, quoted")))),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/organisation")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    let id = principal.organisation_id;
    let view = state
        .db
        .read(move |conn| {
            let org = organisations::get(conn, id)?;
            view(conn, org)
        })
        .await?;
    Ok(versioned(&view, view.version))
}

/// Changes to the settings. Absent fields stay; `null` clears a coordinator.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"response_term_days": 7, "coordinator_id": "kees", "deputy_coordinator_id": "dirk"}))]
pub struct OrganisationPatch {
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[schema(minimum = 1, maximum = 90)]
    pub response_term_days: Option<i32>,
    /// Staff id of the klachtencoördinator: someone who signed in with that role.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub coordinator_id: Option<Option<String>>,
    /// Staff id of the deputy; not the coordinator.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<String>)]
    pub deputy_coordinator_id: Option<Option<String>>,
    #[schema(max_length = 50000)]
    pub regulation_text: Option<String>,
}

/// Who a patch names for a coordinator setting, as far as the service knows them.
fn named(
    conn: &mut AnyConnection,
    organisation_id: i64,
    field: &str,
    requested: Option<Option<String>>,
    current: Option<i64>,
) -> Result<Named, ApiError> {
    let Some(requested) = requested else { return Ok(Named::Current(current)) };
    let Some(subject) = requested else { return Ok(Named::Nobody) };
    let subject =
        ExternalId::parse(field, subject.trim()).map_err(|e| ApiError::validation(vec![e]))?;
    Ok(match staff::find_by_subject(conn, organisation_id, subject.as_str())? {
        Some(member) => Named::Known { id: member.id, roles: member.roles() },
        None => Named::Unknown,
    })
}

#[utoipa::path(
    patch,
    operation_id = "update_organisation",
    path = "/organisation",
    tag = "organisation",
    summary = "Change the procedure settings",
    description = "Name, response term, coordinator and deputy (both must have signed in with \
        the klachtencoordinator role, and be two people), and the regulation text handed to \
        clients. A changed term applies to complaints received from now on.",
    params(("If-Match" = Option<String>, Header, description = "The ETag this change is based on")),
    request_body(content(
        (OrganisationPatch = "application/json"),
        (OrganisationPatch = "application/merge-patch+json"),
    )),
    responses(
        (status = 200, description = "The new settings", body = OrganisationView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 403, response = Forbidden),
        (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[patch("/organisation")]
pub async fn edit(
    state: web::Data<AppState>,
    principal: Principal,
    if_match: IfMatch,
    body: ApiJson<OrganisationPatch>,
) -> Result<HttpResponse, ApiError> {
    crate::domain::access::require_coordinator(principal.roles)?;
    let now = state.clock.now();
    let patch = body.0;
    let view = state
        .db
        .write(move |conn| {
            let org = organisations::get(conn, principal.organisation_id)?;
            if_match.check(org.version)?;
            let coordinator =
                named(conn, org.id, "coordinator_id", patch.coordinator_id, org.coordinator_id)?;
            let deputy = named(
                conn,
                org.id,
                "deputy_coordinator_id",
                patch.deputy_coordinator_id,
                org.deputy_coordinator_id,
            )?;
            let settings = check_settings(
                patch.name.as_deref().unwrap_or(&org.name),
                patch.response_term_days.unwrap_or(org.response_term_days),
                coordinator,
                deputy,
                patch.regulation_text.as_deref().unwrap_or(&org.regulation_text),
            )?;
            if settings == org.settings() {
                return view(conn, org);
            }
            let before = view(conn, org.clone())?;
            let saved = organisations::save_settings(conn, org.id, org.version, &settings, now)?
                .ok_or_else(|| {
                    ApiError::precondition_failed("the organisation changed meanwhile")
                })?;
            let after = view(conn, saved)?;
            let data = changes(
                &before,
                &after,
                &[
                    "name",
                    "response_term_days",
                    "coordinator",
                    "deputy_coordinator",
                    "regulation_text",
                ],
            );
            events::append(
                conn,
                NewEvent {
                    organisation_id: principal.organisation_id,
                    complaint_id: None,
                    event_type: EventType::OrganisationUpdated,
                    actor_id: Some(principal.staff_id),
                    occurred_at: now,
                    data,
                },
            )?;
            Ok::<_, ApiError>(after)
        })
        .await?;
    Ok(versioned(&view, view.version))
}
