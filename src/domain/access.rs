//! Who may do what with a complaint (DESIGN.md §3), in one place.
//!
//! A caller's *standing* on a complaint follows from their roles and their part in it. A
//! complaint the caller has no part in is invisible (404, so that existence does not leak);
//! a visible complaint the caller may not act on in this way is a 403 naming the rule.

use super::codes::ProblemCode;
use super::roles::{Actor, Role, Roles};
use super::validation::FieldError;

/// The people a complaint is about and with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties {
    pub handler: i64,
    pub subject: i64,
    pub registered_by: i64,
}

/// Which complaints a caller may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every complaint of the organisation (a klachtencoördinator).
    Organisation,
    /// Only those where this staff member is handler, subject or registrant.
    PartyTo(i64),
}

pub fn complaint_scope(actor: &Actor) -> Scope {
    if actor.is_coordinator() { Scope::Organisation } else { Scope::PartyTo(actor.staff_id) }
}

/// What a caller may do on one complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub may_read: bool,
    /// The caller is the complaint's handler and acts as its dienstverlener.
    pub as_handler: bool,
    /// The caller holds the coordinator role and the complaint is not about them.
    pub as_coordinator: bool,
    /// The caller holds the coordinator role but is the complaint's subject.
    pub coordinator_is_subject: bool,
    /// The complaint is about the caller.
    pub is_subject: bool,
}

pub fn standing(actor: &Actor, parties: &Parties) -> Standing {
    let me = actor.staff_id;
    let is_party = me == parties.handler || me == parties.subject || me == parties.registered_by;
    Standing {
        may_read: actor.is_coordinator() || is_party,
        as_handler: me == parties.handler,
        as_coordinator: actor.is_coordinator() && me != parties.subject,
        coordinator_is_subject: actor.is_coordinator() && me == parties.subject,
        is_subject: me == parties.subject,
    }
}

/// The acts on a complaint that need authorisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintAct {
    Read,
    /// The handling itself: edit the registration details, record contacts, escalate,
    /// decide, record the written confirmation, withdraw.
    Handle,
    /// Change the handler or the subject, or what the response term rests on (kind,
    /// receipt, reporter).
    Reassign,
    Classify,
    Close,
    Reopen,
    /// Sign the form in this capacity.
    Sign(Role),
    /// See who read the complaint.
    Audit,
    /// Withdraw the complaint, or change whether the office meeting sees it anonymised: a
    /// handling act the person it is about may not do for themselves (the coordinator does).
    WithdrawOrAnonymise,
    /// Erase the complaint's personal data: a coordinator's, never on a complaint about
    /// themselves.
    Erase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The caller may not know the complaint exists.
    NotVisible,
    /// The caller sees the complaint but may not do this; `code` names the rule.
    Forbidden { code: ProblemCode, message: &'static str },
}

const HANDLER_OR_COORDINATOR: Denied = Denied::Forbidden {
    code: ProblemCode::HandlerOrCoordinatorRequired,
    message: "only the complaint's handler or a klachtencoördinator may do this",
};
const COORDINATOR_IS_SUBJECT: Denied = Denied::Forbidden {
    code: ProblemCode::CoordinatorIsSubject,
    message: "this complaint is about you: the deputy coordinator handles it",
};
const CALLER_IS_SUBJECT: Denied = Denied::Forbidden {
    code: ProblemCode::CallerIsSubject,
    message: "this complaint is about you: its withdrawal and whether the office meeting sees \
              it anonymised are for the klachtencoördinator to decide",
};
const HANDLER_REQUIRED: Denied = Denied::Forbidden {
    code: ProblemCode::HandlerRequired,
    message: "only the complaint's handler signs as its dienstverlener",
};
const COORDINATOR_REQUIRED: Denied = Denied::Forbidden {
    code: ProblemCode::CoordinatorRoleRequired,
    message: "only a klachtencoördinator may do this",
};

/// Wrong role (DESIGN.md §3): what only a klachtencoördinator may do, whatever the complaint.
pub fn require_coordinator(roles: Roles) -> Result<(), Denied> {
    if roles.has(Role::Klachtencoordinator) {
        Ok(())
    } else {
        Err(Denied::Forbidden {
            code: ProblemCode::CoordinatorRoleRequired,
            message: "this needs the klachtencoordinator role",
        })
    }
}

pub fn authorise(actor: &Actor, parties: &Parties, act: ComplaintAct) -> Result<Standing, Denied> {
    permit(standing(actor, parties), act)
}

/// The service itself — the deadline watcher, the command line, and what runs by itself
/// later (the retention sweep, an import) — acts for the organisation: it sees every
/// complaint and, being nobody's subject, may do what a coordinator does; it never handles or
/// signs as a dienstverlener.
pub const SERVICE: Standing = Standing {
    may_read: true,
    as_handler: false,
    as_coordinator: true,
    coordinator_is_subject: false,
    is_subject: false,
};

/// Whether a standing allows the act: the rule behind [`authorise`].
pub fn permit(s: Standing, act: ComplaintAct) -> Result<Standing, Denied> {
    if !s.may_read {
        return Err(Denied::NotVisible);
    }
    let allowed = match act {
        ComplaintAct::Read => Ok(()),
        ComplaintAct::Handle if s.as_handler || s.as_coordinator => Ok(()),
        ComplaintAct::Handle if s.coordinator_is_subject => Err(COORDINATOR_IS_SUBJECT),
        ComplaintAct::Handle => Err(HANDLER_OR_COORDINATOR),
        ComplaintAct::WithdrawOrAnonymise if s.is_subject => Err(CALLER_IS_SUBJECT),
        ComplaintAct::WithdrawOrAnonymise => return permit(s, ComplaintAct::Handle),
        ComplaintAct::Sign(Role::Dienstverlener) if s.as_handler => Ok(()),
        ComplaintAct::Sign(Role::Dienstverlener) => Err(HANDLER_REQUIRED),
        ComplaintAct::Reassign
        | ComplaintAct::Classify
        | ComplaintAct::Close
        | ComplaintAct::Reopen
        | ComplaintAct::Audit
        | ComplaintAct::Erase
        | ComplaintAct::Sign(Role::Klachtencoordinator) => coordinator_only(&s),
    };
    allowed.map(|()| s)
}

/// The capacity a caller signs in when they do not say: the only one they have on this
/// complaint. Someone who is both its handler and a coordinator must choose.
pub fn signing_capacity(s: &Standing, requested: Option<Role>) -> Result<Role, FieldError> {
    match (requested, s.as_handler, s.as_coordinator) {
        (Some(role), _, _) => Ok(role),
        (None, true, true) => Err(FieldError::new(
            "capacity",
            "you are both the handler and a coordinator here: say in which capacity you sign",
        )),
        (None, false, true) => Ok(Role::Klachtencoordinator),
        (None, _, false) => Ok(Role::Dienstverlener),
    }
}

fn coordinator_only(s: &Standing) -> Result<(), Denied> {
    if s.as_coordinator {
        Ok(())
    } else if s.coordinator_is_subject {
        Err(COORDINATOR_IS_SUBJECT)
    } else {
        Err(COORDINATOR_REQUIRED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANDLER: i64 = 1;
    const SUBJECT: i64 = 2;
    const REGISTRANT: i64 = 3;
    const OTHER: i64 = 4;
    const COORDINATOR: i64 = 5;

    fn parties() -> Parties {
        Parties { handler: HANDLER, subject: SUBJECT, registered_by: REGISTRANT }
    }

    fn dienstverlener(id: i64) -> Actor {
        Actor { staff_id: id, roles: Roles::default().with(Role::Dienstverlener) }
    }

    fn coordinator(id: i64) -> Actor {
        Actor { staff_id: id, roles: Roles::default().with(Role::Klachtencoordinator) }
    }

    #[test]
    fn a_dienstverlener_sees_only_complaints_they_are_party_to() {
        for id in [HANDLER, SUBJECT, REGISTRANT] {
            assert!(authorise(&dienstverlener(id), &parties(), ComplaintAct::Read).is_ok());
        }
        assert_eq!(
            authorise(&dienstverlener(OTHER), &parties(), ComplaintAct::Read),
            Err(Denied::NotVisible)
        );
        assert_eq!(complaint_scope(&dienstverlener(OTHER)), Scope::PartyTo(OTHER));
        assert_eq!(complaint_scope(&coordinator(COORDINATOR)), Scope::Organisation);
    }

    #[test]
    fn only_handler_or_coordinator_handle() {
        assert!(authorise(&dienstverlener(HANDLER), &parties(), ComplaintAct::Handle).is_ok());
        assert!(authorise(&coordinator(COORDINATOR), &parties(), ComplaintAct::Handle).is_ok());
        for id in [SUBJECT, REGISTRANT] {
            assert_eq!(
                authorise(&dienstverlener(id), &parties(), ComplaintAct::Handle),
                Err(HANDLER_OR_COORDINATOR)
            );
        }
    }

    #[test]
    fn erasure_is_for_a_coordinator_who_is_not_the_subject() {
        assert!(authorise(&coordinator(COORDINATOR), &parties(), ComplaintAct::Erase).is_ok());
        assert!(permit(SERVICE, ComplaintAct::Erase).is_ok());
        assert_eq!(
            authorise(&dienstverlener(HANDLER), &parties(), ComplaintAct::Erase),
            Err(COORDINATOR_REQUIRED)
        );
        assert_eq!(
            authorise(&coordinator(SUBJECT), &parties(), ComplaintAct::Erase),
            Err(COORDINATOR_IS_SUBJECT)
        );
    }

    #[test]
    fn reassignment_is_for_a_coordinator_who_is_not_the_subject() {
        assert!(authorise(&coordinator(COORDINATOR), &parties(), ComplaintAct::Reassign).is_ok());
        assert_eq!(
            authorise(&dienstverlener(HANDLER), &parties(), ComplaintAct::Reassign),
            Err(COORDINATOR_REQUIRED)
        );
        assert_eq!(
            authorise(&coordinator(SUBJECT), &parties(), ComplaintAct::Reassign),
            Err(COORDINATOR_IS_SUBJECT)
        );
    }

    #[test]
    fn each_signs_in_their_own_capacity() {
        let p = parties();
        assert!(
            authorise(&dienstverlener(HANDLER), &p, ComplaintAct::Sign(Role::Dienstverlener))
                .is_ok()
        );
        assert_eq!(
            authorise(&dienstverlener(SUBJECT), &p, ComplaintAct::Sign(Role::Dienstverlener)),
            Err(HANDLER_REQUIRED)
        );
        assert_eq!(
            authorise(&dienstverlener(HANDLER), &p, ComplaintAct::Sign(Role::Klachtencoordinator)),
            Err(COORDINATOR_REQUIRED)
        );
        assert!(
            authorise(&coordinator(COORDINATOR), &p, ComplaintAct::Sign(Role::Klachtencoordinator))
                .is_ok()
        );
        for act in [ComplaintAct::Classify, ComplaintAct::Close, ComplaintAct::Reopen] {
            assert_eq!(authorise(&dienstverlener(HANDLER), &p, act), Err(COORDINATOR_REQUIRED));
            assert!(authorise(&coordinator(COORDINATOR), &p, act).is_ok());
        }

        let both = Actor {
            staff_id: HANDLER,
            roles: Roles::default().with(Role::Dienstverlener).with(Role::Klachtencoordinator),
        };
        let s = standing(&both, &p);
        assert_eq!(signing_capacity(&s, None).unwrap_err().field, "capacity");
        assert_eq!(
            signing_capacity(&s, Some(Role::Klachtencoordinator)),
            Ok(Role::Klachtencoordinator)
        );
        assert_eq!(
            signing_capacity(&standing(&coordinator(COORDINATOR), &p), None),
            Ok(Role::Klachtencoordinator)
        );
        assert_eq!(
            signing_capacity(&standing(&dienstverlener(HANDLER), &p), None),
            Ok(Role::Dienstverlener)
        );
    }

    #[test]
    fn the_service_coordinates_but_never_handles() {
        for act in [ComplaintAct::Read, ComplaintAct::Handle, ComplaintAct::Close] {
            assert_eq!(permit(SERVICE, act), Ok(SERVICE));
        }
        assert_eq!(
            permit(SERVICE, ComplaintAct::Sign(Role::Dienstverlener)),
            Err(HANDLER_REQUIRED)
        );
    }

    #[test]
    fn only_coordinators_pass_a_role_check() {
        assert!(require_coordinator(Roles::default().with(Role::Klachtencoordinator)).is_ok());
        let refused = require_coordinator(Roles::default().with(Role::Dienstverlener));
        assert!(matches!(
            refused,
            Err(Denied::Forbidden { code: ProblemCode::CoordinatorRoleRequired, .. })
        ));
    }

    #[test]
    fn a_coordinator_who_is_the_subject_may_read_and_act_as_handler_only() {
        let about_coordinator =
            Parties { handler: COORDINATOR, subject: COORDINATOR, registered_by: REGISTRANT };
        let me = coordinator(COORDINATOR);
        let s = authorise(&me, &about_coordinator, ComplaintAct::Read).unwrap();
        assert!(s.as_handler && !s.as_coordinator && s.coordinator_is_subject);
        assert!(authorise(&me, &about_coordinator, ComplaintAct::Handle).is_ok());
        for act in [
            ComplaintAct::Classify,
            ComplaintAct::Close,
            ComplaintAct::Reopen,
            ComplaintAct::Sign(Role::Klachtencoordinator),
        ] {
            assert_eq!(authorise(&me, &about_coordinator, act), Err(COORDINATOR_IS_SUBJECT));
        }
        assert!(
            authorise(&me, &about_coordinator, ComplaintAct::Sign(Role::Dienstverlener)).is_ok()
        );
        let not_handler = Parties { handler: HANDLER, ..about_coordinator };
        assert_eq!(authorise(&me, &not_handler, ComplaintAct::Handle), Err(COORDINATOR_IS_SUBJECT));
    }

    #[test]
    fn nobody_withdraws_or_anonymises_a_complaint_about_themselves() {
        let act = ComplaintAct::WithdrawOrAnonymise;
        let about_handler = Parties { handler: HANDLER, subject: HANDLER, registered_by: HANDLER };
        let handler = dienstverlener(HANDLER);
        assert_eq!(authorise(&handler, &about_handler, act), Err(CALLER_IS_SUBJECT));
        assert!(authorise(&handler, &about_handler, ComplaintAct::Handle).is_ok());
        assert!(authorise(&coordinator(COORDINATOR), &about_handler, act).is_ok());
        assert!(authorise(&handler, &parties(), act).is_ok());
        assert!(permit(SERVICE, act).is_ok());
    }
}
