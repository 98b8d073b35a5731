//! What commands act on and reads look at, found with the caller's right to it checked: a
//! complaint or an action the caller may not see is not found; one they see but may not act
//! on this way is forbidden, naming the rule.

use super::command::Target;
use super::{Caller, OperationError};
use diesel::QueryResult;
use std::collections::HashMap;

use crate::db::AnyConnection;
use crate::domain::access::{ComplaintAct, Standing};
use crate::domain::actions::{self, ActionAct, ActionParties};
use crate::store::Lock;
use crate::store::actions::{self as actions_store, ActionRow};
use crate::store::complaints::{self as complaints_store, ComplaintRow};
use crate::store::staff::Person;

/// A complaint to act on this way, locked for the change.
pub struct OnComplaint {
    pub id: i64,
    pub act: ComplaintAct,
}

pub struct FoundComplaint {
    pub row: ComplaintRow,
    /// The caller's standing on it.
    pub standing: Standing,
}

impl Target for OnComplaint {
    type Found = FoundComplaint;

    fn id(&self) -> Option<i64> {
        Some(self.id)
    }

    fn find(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> Result<FoundComplaint, OperationError> {
        let row = complaint(conn, caller, self.id, Lock::ForUpdate)?;
        let standing = caller.authorise(&row.parties(), self.act)?;
        Ok(FoundComplaint { row, standing })
    }

    fn version(&self, found: &FoundComplaint) -> Option<i32> {
        Some(found.row.version)
    }

    fn complaint(&self) -> Option<i64> {
        Some(self.id)
    }
}

/// A complaint the caller may read.
pub fn readable_complaint(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> Result<ComplaintRow, OperationError> {
    let row = complaint(conn, caller, id, Lock::None)?;
    caller.authorise(&row.parties(), ComplaintAct::Read)?;
    Ok(row)
}

/// A complaint the caller may read, with everyone its view names, in one query.
pub fn readable_complaint_with_people(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> Result<(ComplaintRow, HashMap<i64, Person>), OperationError> {
    let (row, people) = complaints_store::find_with_people(conn, caller.organisation_id(), id)?
        .ok_or(OperationError::NotFound("complaint"))?;
    caller.authorise(&row.parties(), ComplaintAct::Read)?;
    Ok((row, people))
}

fn complaint(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    lock: Lock,
) -> Result<ComplaintRow, OperationError> {
    complaints_store::find(conn, caller.organisation_id(), id, lock)?
        .ok_or(OperationError::NotFound("complaint"))
}

/// Something of the organisation that only a coordinator changes — an evaluation, a webhook
/// subscription — found by its store's `find`.
pub struct Coordinated<R> {
    pub id: i64,
    /// What it is, for "not found".
    pub what: &'static str,
    pub find: fn(&mut AnyConnection, i64, i64) -> QueryResult<Option<R>>,
    pub version: fn(&R) -> i32,
}

impl<R> Target for Coordinated<R> {
    type Found = R;

    fn id(&self) -> Option<i64> {
        Some(self.id)
    }

    fn find(&self, conn: &mut AnyConnection, caller: &Caller) -> Result<R, OperationError> {
        caller.require_coordinator()?;
        (self.find)(conn, caller.organisation_id(), self.id)?
            .ok_or(OperationError::NotFound(self.what))
    }

    fn version(&self, found: &R) -> Option<i32> {
        Some((self.version)(found))
    }
}

/// An action to act on this way, locked for the change.
pub struct OnAction {
    pub id: i64,
    pub act: ActionAct,
}

pub struct FoundAction {
    pub row: ActionRow,
    /// Who it involves: what a second authorisation (of what an edit turns out to change)
    /// is checked against.
    pub parties: ActionParties,
}

impl Target for OnAction {
    type Found = FoundAction;

    fn id(&self) -> Option<i64> {
        Some(self.id)
    }

    fn find(
        &self,
        conn: &mut AnyConnection,
        caller: &Caller,
    ) -> Result<FoundAction, OperationError> {
        action(conn, caller, self.id, self.act, Lock::ForUpdate)
    }

    fn version(&self, found: &FoundAction) -> Option<i32> {
        Some(found.row.version)
    }
}

/// An action the caller may read.
pub fn readable_action(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
) -> Result<ActionRow, OperationError> {
    Ok(action(conn, caller, id, ActionAct::Read, Lock::None)?.row)
}

fn action(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: i64,
    act: ActionAct,
    lock: Lock,
) -> Result<FoundAction, OperationError> {
    let row = actions_store::find(conn, caller.organisation_id(), id, lock)?
        .ok_or(OperationError::NotFound("action"))?;
    let parties = action_parties(conn, &row)?;
    authorise_action(caller, &parties, &row, act)?;
    if act != ActionAct::Read {
        actions::ensure_not_erased(row.kind(), parties.complaint_erased)?;
    }
    Ok(FoundAction { row, parties })
}

/// Whether the caller may act on an action this way.
pub fn authorise_action(
    caller: &Caller,
    parties: &ActionParties,
    row: &ActionRow,
    act: ActionAct,
) -> Result<(), OperationError> {
    let actor = caller.person()?.actor();
    actions::authorise(&actor, parties, row.status(), act).map_err(|d| d.hidden_as("action"))
}

fn action_parties(
    conn: &mut AnyConnection,
    row: &ActionRow,
) -> Result<ActionParties, OperationError> {
    let complaints =
        actions_store::linked_complaints(conn, &[row.id])?.remove(&row.id).unwrap_or_default();
    Ok(ActionParties {
        owner: row.owner_id,
        proposed_by: row.proposed_by_id,
        complaint_erased: complaints.iter().any(|c| c.erased),
        complaints: complaints.into_iter().map(|c| c.parties).collect(),
    })
}
