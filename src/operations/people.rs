//! People as every view shows them: `{id, name}` by the identity provider's id.

use std::collections::HashMap;

use diesel::QueryResult;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::domain::validation::ExternalId;
use crate::store::staff::{self, Person};

/// A staff member as the API shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StaffRef {
    /// The identity provider's id for this person (the token's `sub`).
    #[schema(example = "auth0|dana")]
    pub id: String,
    /// The name their token last gave; `null` until they have signed in once.
    #[schema(example = "Dana de Wit")]
    pub name: Option<String>,
}

impl StaffRef {
    /// The staff member with row id `id`, as looked up in `people`.
    pub fn of(people: &HashMap<i64, Person>, id: i64) -> StaffRef {
        people.get(&id).map_or_else(
            || StaffRef { id: format!("staff-{id}"), name: None },
            |p| StaffRef { id: p.subject.clone(), name: p.name.clone() },
        )
    }
}

/// The staff row a list's filter names by identity-provider id: `Some(None)` when the
/// filter names nobody, `None` when it names someone the service does not know — then
/// nothing can match it.
pub(super) fn filter(
    conn: &mut AnyConnection,
    organisation_id: i64,
    person: Option<&ExternalId>,
) -> QueryResult<Option<Option<i64>>> {
    let Some(person) = person else { return Ok(Some(None)) };
    Ok(staff::find_by_subject(conn, organisation_id, person.as_str())?.map(|m| Some(m.id)))
}
