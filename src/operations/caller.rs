//! Who performs an operation: a staff member through a token, or the service itself — the
//! deadline watcher, the retention sweep and an import from the command line.

use crate::auth::Principal;
use crate::domain::access::{self, ComplaintAct, Denied, Parties, Scope, Standing};

use super::OperationError;

/// The parts of the service that act by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Process {
    /// Announces passed deadlines (`workers::deadlines`).
    DeadlineWatcher,
    /// Erases complaints past their organisation's retention term (`operations::erasure`,
    /// run by `workers::deadlines`).
    RetentionSweep,
    /// Brings in an existing register (`klachtenregister import`, `operations::import`).
    Import,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Staff(Principal),
    /// The service itself, on behalf of one organisation. Its events name no actor.
    System {
        organisation_id: i64,
        process: Process,
    },
}

impl From<Principal> for Caller {
    fn from(principal: Principal) -> Caller {
        Caller::Staff(principal)
    }
}

impl Caller {
    pub fn organisation_id(&self) -> i64 {
        match self {
            Caller::Staff(p) => p.organisation_id,
            Caller::System { organisation_id, .. } => *organisation_id,
        }
    }

    /// The staff member acting, as events record them; `None` for the service itself.
    pub fn staff_id(&self) -> Option<i64> {
        match self {
            Caller::Staff(p) => Some(p.staff_id),
            Caller::System { .. } => None,
        }
    }

    /// The staff member acting, for what only a person can do: register, decide, sign, own.
    pub fn person(&self) -> Result<&Principal, OperationError> {
        match self {
            Caller::Staff(p) => Ok(p),
            Caller::System { .. } => {
                Err(OperationError::Internal("an operation for a person was run by the service"))
            }
        }
    }

    /// The caller's standing on a complaint, if they may act on it this way.
    pub fn authorise(&self, parties: &Parties, act: ComplaintAct) -> Result<Standing, Denied> {
        match self {
            Caller::Staff(p) => access::authorise(&p.actor(), parties, act),
            Caller::System { .. } => access::permit(access::SERVICE, act),
        }
    }

    /// Which complaints the caller may list.
    pub fn scope(&self) -> Scope {
        match self {
            Caller::Staff(p) => access::complaint_scope(&p.actor()),
            Caller::System { .. } => Scope::Organisation,
        }
    }

    /// Does the caller act with the klachtencoördinator's role?
    pub fn is_coordinator(&self) -> bool {
        match self {
            Caller::Staff(p) => p.actor().is_coordinator(),
            Caller::System { .. } => true,
        }
    }

    /// What only a klachtencoördinator may do, whatever the complaint.
    pub fn require_coordinator(&self) -> Result<(), Denied> {
        match self {
            Caller::Staff(p) => access::require_coordinator(p.roles),
            Caller::System { .. } => Ok(()),
        }
    }
}
