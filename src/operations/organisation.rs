//! The organisation: its procedure settings, and its creation (from the command line, and
//! the development organisation at start).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::command::{self, CommandKind, Done, Target};
use super::people::StaffRef;
use super::{Caller, Context, Event, OperationError, changes};
use crate::db::{AnyConnection, Db};
use crate::domain::events::EventType;
use crate::domain::organisation::{DisputeBody, Named, Retention, Settings, check_settings};
use crate::domain::validation::{ExternalId, Text};
use crate::store::organisations::{self, Organisation};
use crate::store::{from_db, staff};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
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
    /// Months after which a closed or withdrawn complaint's personal data is erased by the
    /// retention sweep (at least 12; default 24). `null`: kept without a term, for the reason
    /// `retention_reason` gives.
    #[schema(example = 24, minimum = 12, maximum = 1200)]
    pub retention_months: Option<i32>,
    /// Why complaints are kept without a term; only when `retention_months` is `null`.
    pub retention_reason: Option<String>,
    /// Where a client can turn when not satisfied, named in the confirmation letter and the
    /// public regulation; `null`: they refer to the regulation instead.
    pub dispute_body: Option<DisputeBody>,
    /// Hours before a response term or follow-up date that the handler is warned
    /// (`complaint.response_due_soon`, by e-mail and to webhooks); default 24.
    #[schema(example = 24, minimum = 1, maximum = 168)]
    pub due_soon_hours: i32,
    #[schema(example = 3)]
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

fn view(conn: &mut AnyConnection, org: Organisation) -> Result<OrganisationView, OperationError> {
    let ids: Vec<i64> =
        [org.coordinator_id, org.deputy_coordinator_id].into_iter().flatten().collect();
    let people = staff::people(conn, &ids)?;
    Ok(OrganisationView {
        dispute_body: org.dispute_body(),
        coordinator: org.coordinator_id.map(|id| StaffRef::of(&people, id)),
        deputy_coordinator: org.deputy_coordinator_id.map(|id| StaffRef::of(&people, id)),
        id: org.slug,
        name: org.name,
        response_term_days: org.response_term_days,
        regulation_text: org.regulation_text,
        retention_months: org.retention_months,
        retention_reason: org.retention_reason,
        due_soon_hours: org.due_soon_hours,
        version: org.version,
        updated_at: from_db(org.updated_at),
    })
}

/// The caller's organisation and its procedure settings.
pub async fn read(db: &Db, ctx: Context) -> Result<OrganisationView, OperationError> {
    db.read(move |conn| {
        let org = organisations::get(conn, ctx.organisation_id())?;
        view(conn, org)
    })
    .await
}

/// Changes to the settings. Absent fields stay; `null` clears a coordinator.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
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
    /// Months after which finished complaints are erased (12 to 1200); `null` keeps them
    /// without a term, and then needs `retention_reason`.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<i32>, minimum = 12, maximum = 1200)]
    pub retention_months: Option<Option<i32>>,
    /// Why complaints are kept without a term: required with `retention_months: null`.
    #[schema(max_length = 2000)]
    pub retention_reason: Option<String>,
    /// The external body a client can turn to when not satisfied; `null` names none.
    #[serde(default, with = "::serde_with::rust::double_option")]
    #[schema(value_type = Option<DisputeBody>)]
    pub dispute_body: Option<Option<DisputeBody>>,
    /// Hours before a term that the handler is warned (1 to 168).
    #[schema(minimum = 1, maximum = 168)]
    pub due_soon_hours: Option<i32>,
}

/// Who a patch names for a coordinator setting, as far as the service knows them.
fn named(
    conn: &mut AnyConnection,
    organisation_id: i64,
    (field, requested): (&str, &Option<Option<String>>),
    current: Option<i64>,
) -> Result<Named, OperationError> {
    let Some(requested) = requested else { return Ok(Named::Current(current)) };
    let Some(subject) = requested else { return Ok(Named::Nobody) };
    let subject = ExternalId::parse(field, subject.trim())?;
    Ok(match staff::find_by_subject(conn, organisation_id, subject.as_str())? {
        Some(member) => Named::Known { id: member.id, roles: member.roles() },
        None => Named::Unknown,
    })
}

/// The retention term a patch leaves: a new term drops the reason kept for having none; a
/// patch that leaves the term alone keeps its reason unless it gives another.
fn retention<'a>(patch: &'a OrganisationPatch, org: &'a Organisation) -> Retention<'a> {
    match patch.retention_months {
        Some(months) => (months, patch.retention_reason.as_deref()),
        None => (
            org.retention_months,
            patch.retention_reason.as_deref().or(org.retention_reason.as_deref()),
        ),
    }
}

/// The organisation, for a coordinator to change.
struct Own;

impl Target for Own {
    type Found = Organisation;

    fn id(&self) -> Option<i64> {
        None
    }

    fn find(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> Result<Organisation, OperationError> {
        caller.require_coordinator()?;
        Ok(organisations::get(conn, caller.organisation_id())?)
    }

    fn version(&self, org: &Organisation) -> Option<i32> {
        Some(org.version)
    }
}

const SETTINGS: [&str; 9] = [
    "name",
    "response_term_days",
    "coordinator",
    "deputy_coordinator",
    "regulation_text",
    "retention_months",
    "retention_reason",
    "dispute_body",
    "due_soon_hours",
];

/// Changes the procedure settings: a coordinator's. A changed term applies to complaints
/// received from then on.
pub async fn edit(
    db: &Db,
    ctx: Context,
    patch: OrganisationPatch,
) -> Result<OrganisationView, OperationError> {
    db.write(move |conn| {
        command::run(conn, &ctx, (CommandKind::EditOrganisation, Own), &patch, |conn, org| {
            let coordinator =
                named(conn, org.id, ("coordinator_id", &patch.coordinator_id), org.coordinator_id)?;
            let deputy = named(
                conn,
                org.id,
                ("deputy_coordinator_id", &patch.deputy_coordinator_id),
                org.deputy_coordinator_id,
            )?;
            let dispute_body = org.dispute_body();
            let settings = check_settings(
                patch.name.as_deref().unwrap_or(&org.name),
                patch.response_term_days.unwrap_or(org.response_term_days),
                (coordinator, deputy),
                (
                    patch.regulation_text.as_deref().unwrap_or(&org.regulation_text),
                    patch.dispute_body.as_ref().map_or(dispute_body.as_ref(), Option::as_ref),
                ),
                retention(&patch, &org),
                patch.due_soon_hours.unwrap_or(org.due_soon_hours),
            )?;
            if settings == org.settings() {
                return Ok(Done::unchanged(view(conn, org)?));
            }
            let before = view(conn, org.clone())?;
            let saved =
                organisations::save_settings(conn, org.id, org.version, &settings, ctx.now)?
                    .ok_or_else(|| OperationError::changed_meanwhile("organisation"))?;
            let after = view(conn, saved)?;
            let data = changes(&before, &after, &SETTINGS);
            Ok(Done::recorded(
                after,
                Event { complaint_id: None, event_type: EventType::OrganisationUpdated, data },
            ))
        })
    })
    .await
}

/// Registers an organisation (its id is what tokens carry in the organisation claim), unless
/// one with that id exists: then `None`. Done by the service for an administrator.
pub async fn create(
    db: &Db,
    id: ExternalId,
    name: Text,
    now: DateTime<Utc>,
) -> Result<Option<Organisation>, OperationError> {
    db.write(move |conn| {
        if organisations::find_by_slug(conn, id.as_str())?.is_some() {
            return Ok(None);
        }
        Ok(Some(organisations::create(conn, id.as_str(), name.as_str(), now)?))
    })
    .await
}

/// Makes sure the development mode's organisation exists, with its coordinator appointed.
pub async fn ensure_development(
    db: &Db,
    (slug, name): (&'static str, &'static str),
    coordinator: &'static str,
    now: DateTime<Utc>,
) -> Result<(), OperationError> {
    db.write(move |conn| {
        if organisations::find_by_slug(conn, slug)?.is_some() {
            return Ok(());
        }
        let organisation = organisations::create(conn, slug, name, now)?;
        let coordinator_id = staff::ensure(conn, organisation.id, coordinator, now)?;
        let settings = Settings { coordinator_id: Some(coordinator_id), ..organisation.settings() };
        organisations::save_settings(conn, organisation.id, organisation.version, &settings, now)?;
        Ok(())
    })
    .await
}
