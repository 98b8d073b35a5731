//! The staff the service knows — recorded from the tokens they present, or named as a
//! complaint's handler or subject before they signed in — and the caller as it sees them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::page::{Page, PageRequest};
use super::{Context, OperationError};
use crate::auth::Principal;
use crate::db::Db;
use crate::domain::roles::Role;
use crate::store::{from_db, organisations, staff};

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationRef {
    /// The organisation's id as tokens name it (the `org` claim).
    #[schema(example = "default")]
    pub id: String,
    #[schema(example = "Kantoor Vuijst")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The identity provider's id for the caller.
    #[schema(example = "auth0|dana")]
    pub id: String,
    #[schema(example = "Dana de Wit")]
    pub name: Option<String>,
    pub organisation: OrganisationRef,
    pub roles: Vec<Role>,
}

/// The caller as the service sees them: staff id, name, organisation and roles.
pub async fn me(db: &Db, principal: Principal) -> Result<Me, OperationError> {
    let organisation_id = principal.organisation_id;
    let organisation = db
        .read(move |conn| Ok::<_, OperationError>(organisations::get(conn, organisation_id)?))
        .await?;
    Ok(Me {
        id: principal.subject,
        name: principal.name,
        organisation: OrganisationRef { id: organisation.slug, name: organisation.name },
        roles: principal.roles.to_vec(),
    })
}

/// A staff member: a dienstverlener sees the id and name only; a coordinator also the
/// roles and when they were last seen.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffMember {
    #[schema(example = "auth0|dana")]
    pub id: String,
    #[schema(example = "Dana de Wit")]
    pub name: Option<String>,
    /// The roles their last token gave them (shown to a coordinator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<Role>>,
    /// `null` for someone named on a complaint who has not signed in yet (shown to a
    /// coordinator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub last_seen_at: Option<Option<DateTime<Utc>>>,
}

/// The organisation's staff, in the order the service first recorded them: ids and names
/// only for a dienstverlener.
pub async fn list(
    db: &Db,
    ctx: Context,
    page: PageRequest,
) -> Result<Page<StaffMember>, OperationError> {
    let coordinator = ctx.caller.is_coordinator();
    db.read(move |conn| {
        let rows = staff::list(conn, ctx.organisation_id(), page.after, page.fetch())?;
        Ok(page.cut(
            rows,
            |m| m.id,
            |m| StaffMember {
                roles: coordinator.then(|| m.roles().to_vec()),
                last_seen_at: coordinator.then(|| m.last_seen_at.map(from_db)),
                id: m.subject,
                name: m.name,
            },
        ))
    })
    .await
}
