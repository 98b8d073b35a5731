//! Actions (verbeteracties, maatregelen): corrective actions on one complaint, recorded by the
//! dienstverlener in consultation with the coordinator, and structural improvement actions
//! linked to any number of complaints. Work starts only with the coordinator's consent; the
//! coordinator tracks progress and side effects and proposes further measures.

use chrono::{DateTime, NaiveDate, Utc};

use super::access::{ComplaintAct, Denied, Parties};
use super::codes::ProblemCode;
use super::lifecycle::Refused;
use super::roles::Actor;
use super::validation::FieldError;

vocabulary! {
    pub enum ActionKind {
        /// The action taken or to be taken on one complaint.
        Corrective,
        /// A structural improvement, for any number of complaints.
        Improvement,
    }
}

vocabulary! {
    /// `proposed` → `approved` → `in_progress` → `done`; `cancelled` from any open state.
    pub enum ActionStatus {
        Proposed,
        Approved,
        InProgress,
        Done,
        Cancelled,
    }
}

vocabulary! {
    pub enum NoteKind {
        /// How the work is going.
        Progress,
        /// An effect of the measure besides the one intended (neveneffect).
        SideEffect,
    }
}

impl ActionStatus {
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Proposed | ActionStatus::Approved | ActionStatus::InProgress)
    }

    /// The statuses an action can be in while still to be done.
    pub fn open() -> [ActionStatus; 3] {
        [ActionStatus::Proposed, ActionStatus::Approved, ActionStatus::InProgress]
    }
}

/// An open action whose due date has passed. Due dates are whole days: due on the 5th means
/// done by the end of the 5th.
pub fn is_overdue(status: ActionStatus, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.is_open() && due_on.is_some_and(|due| today > due)
}

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5_000;
pub const NOTE_MAX: usize = 5_000;

/// A corrective action concerns exactly one complaint; an improvement any number.
pub fn check_links(kind: ActionKind, complaints: usize) -> Result<(), FieldError> {
    match (kind, complaints) {
        (ActionKind::Corrective, 1) | (ActionKind::Improvement, _) => Ok(()),
        (ActionKind::Corrective, _) => Err(FieldError::new(
            "complaint_ids",
            "a corrective action concerns exactly one complaint",
        )),
    }
}

/// What a caller must be allowed on each complaint an action of this kind concerns: a
/// corrective action is part of handling the complaint, an improvement only draws on it.
pub fn act_on_complaints(kind: ActionKind) -> ComplaintAct {
    match kind {
        ActionKind::Corrective => ComplaintAct::Handle,
        ActionKind::Improvement => ComplaintAct::Read,
    }
}

/// Who may create an action of this kind: improvements are the coordinator's; a corrective
/// action may be recorded by the complaint's handler or a coordinator (checked against the
/// complaint with `access::ComplaintAct::Handle`).
pub fn may_create(actor: &Actor, kind: ActionKind) -> Result<(), Denied> {
    match kind {
        ActionKind::Improvement if !actor.is_coordinator() => Err(Denied::Forbidden {
            code: ProblemCode::CoordinatorRoleRequired,
            message: "improvement actions are the klachtencoördinator's to create",
        }),
        _ => Ok(()),
    }
}

/// A coordinator's action starts approved: the consent is theirs to give — unless it
/// concerns a complaint about them, whose actions the deputy approves (as [`authorise`]
/// has it for `Approve`). A dienstverlener's is a proposal.
pub fn initial_status(actor: &Actor, complaints: &[Parties]) -> ActionStatus {
    let about_me = complaints.iter().any(|p| p.subject == actor.staff_id);
    if actor.is_coordinator() && !about_me {
        ActionStatus::Approved
    } else {
        ActionStatus::Proposed
    }
}

/// The people an action involves, and the parties of the complaints it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionParties {
    pub owner: i64,
    pub proposed_by: i64,
    pub complaints: Vec<Parties>,
    /// One of its complaints had its personal data erased.
    pub complaint_erased: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionAct {
    Read,
    /// Edit title, description, owner or due date.
    Edit,
    Approve,
    /// Start or complete the work; record progress or side effects.
    Work,
    Cancel,
}

const COORDINATOR_REQUIRED: Denied = Denied::Forbidden {
    code: ProblemCode::CoordinatorRoleRequired,
    message: "only a klachtencoördinator may do this",
};
const OWNER_OR_COORDINATOR: Denied = Denied::Forbidden {
    code: ProblemCode::OwnerOrCoordinatorRequired,
    message: "only the action's owner or a klachtencoördinator may do this",
};
const COORDINATOR_IS_SUBJECT: Denied = Denied::Forbidden {
    code: ProblemCode::CoordinatorIsSubject,
    message: "this action concerns a complaint about you: the deputy coordinator approves it",
};

/// Who may do what with an action. A dienstverlener sees actions they own or proposed, and
/// those of complaints they may see; a coordinator sees all. While an action is a proposal,
/// its proposer may still edit or withdraw (cancel) it.
pub fn authorise(
    actor: &Actor,
    parties: &ActionParties,
    status: ActionStatus,
    act: ActionAct,
) -> Result<(), Denied> {
    let me = actor.staff_id;
    let coordinator = actor.is_coordinator();
    let sees_a_complaint =
        parties.complaints.iter().any(|p| super::access::standing(actor, p).may_read);
    if !(coordinator || parties.owner == me || parties.proposed_by == me || sees_a_complaint) {
        return Err(Denied::NotVisible);
    }
    let own_proposal = status == ActionStatus::Proposed && parties.proposed_by == me;
    match act {
        ActionAct::Read => Ok(()),
        ActionAct::Edit | ActionAct::Cancel if coordinator || own_proposal => Ok(()),
        ActionAct::Edit | ActionAct::Cancel => Err(COORDINATOR_REQUIRED),
        ActionAct::Work if coordinator || parties.owner == me => Ok(()),
        ActionAct::Work => Err(OWNER_OR_COORDINATOR),
        ActionAct::Approve if !coordinator => Err(COORDINATOR_REQUIRED),
        ActionAct::Approve if parties.complaints.iter().any(|p| p.subject == me) => {
            Err(COORDINATOR_IS_SUBJECT)
        }
        ActionAct::Approve => Ok(()),
    }
}

/// Whether an action's text (title, description, notes) may be shown to someone who may see
/// `visible` of the complaints it concerns and not `hidden` others. A corrective action's text
/// tells of its one complaint ("Excuses aan J. de Vries"): it is shown only to whoever may see
/// that complaint — also in a list, an evaluation, or to the action's own owner. An
/// improvement's text is about the office, not a complaint.
pub fn shows_text(kind: ActionKind, visible: usize, hidden: usize) -> bool {
    kind != ActionKind::Corrective || visible > 0 || hidden == 0
}

/// A change of an action's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Approve,
    Start,
    Complete,
    Cancel,
}

impl Transition {
    pub fn act(self) -> ActionAct {
        match self {
            Transition::Approve => ActionAct::Approve,
            Transition::Start | Transition::Complete => ActionAct::Work,
            Transition::Cancel => ActionAct::Cancel,
        }
    }
}

/// The status after a transition, or the rule that refuses it.
pub fn transition(current: ActionStatus, step: Transition) -> Result<ActionStatus, Refused> {
    use ActionStatus::*;
    if !current.is_open() {
        return Err(Refused::new(
            ProblemCode::ActionNotOpen,
            format!("the action is {}", current.as_str()),
        ));
    }
    match (step, current) {
        (Transition::Approve, Proposed) => Ok(Approved),
        (Transition::Approve, _) => {
            Err(Refused::new(ProblemCode::AlreadyApproved, "the action was approved already"))
        }
        (Transition::Start | Transition::Complete, Proposed) => Err(Refused::new(
            ProblemCode::ApprovalRequired,
            "work starts with the klachtencoördinator's consent: approve the proposal first",
        )),
        (Transition::Start, Approved) => Ok(InProgress),
        (Transition::Start, _) => {
            Err(Refused::new(ProblemCode::AlreadyStarted, "the work has started already"))
        }
        (Transition::Complete, _) => Ok(Done),
        (Transition::Cancel, _) => Ok(Cancelled),
    }
}

/// When an action was completed: now, if this transition completes it; otherwise as it was.
pub fn completed_at(
    step: Transition,
    before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if step == Transition::Complete { Some(now) } else { before }
}

/// Progress is reported on work under way (approved, not yet finished); side effects can
/// show long after a measure was completed, so they may be recorded at any time.
/// A corrective action is erased with its complaint (DESIGN.md §9) and stays as it is: what
/// was written to it afterwards would outlive the erasure. Improvement actions are the firm's.
pub fn ensure_not_erased(kind: ActionKind, complaint_erased: bool) -> Result<(), Refused> {
    if kind == ActionKind::Corrective && complaint_erased {
        return Err(Refused::new(
            ProblemCode::AlreadyErased,
            "the complaint of this corrective action was erased: the action stays as it is",
        ));
    }
    Ok(())
}

pub fn may_note(kind: NoteKind, status: ActionStatus) -> Result<(), Refused> {
    match kind {
        NoteKind::Progress if status == ActionStatus::Proposed => Err(Refused::new(
            ProblemCode::ApprovalRequired,
            "work, and so its progress, starts with the klachtencoördinator's consent",
        )),
        NoteKind::Progress if !status.is_open() => Err(Refused::new(
            ProblemCode::ActionNotOpen,
            format!("the action is {}: progress is reported on open actions", status.as_str()),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::roles::{Role, Roles};
    use super::*;

    fn dienstverlener(id: i64) -> Actor {
        Actor { staff_id: id, roles: Roles::default().with(Role::Dienstverlener) }
    }

    fn coordinator(id: i64) -> Actor {
        Actor { staff_id: id, roles: Roles::default().with(Role::Klachtencoordinator) }
    }

    #[test]
    fn a_corrective_actions_text_is_for_whoever_sees_its_complaint() {
        assert!(shows_text(ActionKind::Corrective, 1, 0));
        assert!(!shows_text(ActionKind::Corrective, 0, 1));
        assert!(shows_text(ActionKind::Improvement, 0, 3));
        assert!(shows_text(ActionKind::Improvement, 0, 0));
    }

    fn parties() -> ActionParties {
        ActionParties {
            owner: 1,
            proposed_by: 2,
            complaints: vec![Parties { handler: 3, subject: 4, registered_by: 3 }],
            complaint_erased: false,
        }
    }

    #[test]
    fn an_erased_complaint_s_corrective_action_stays_as_it_is() {
        assert_eq!(
            ensure_not_erased(ActionKind::Corrective, true).unwrap_err().code,
            ProblemCode::AlreadyErased
        );
        assert!(ensure_not_erased(ActionKind::Corrective, false).is_ok());
        assert!(ensure_not_erased(ActionKind::Improvement, true).is_ok());
    }

    #[test]
    fn the_lifecycle_needs_consent_before_work() {
        use ActionStatus::*;
        assert_eq!(transition(Proposed, Transition::Approve), Ok(Approved));
        assert_eq!(
            transition(Proposed, Transition::Start).unwrap_err().code,
            ProblemCode::ApprovalRequired
        );
        assert_eq!(
            transition(Proposed, Transition::Complete).unwrap_err().code,
            ProblemCode::ApprovalRequired
        );
        assert_eq!(transition(Approved, Transition::Start), Ok(InProgress));
        assert_eq!(transition(Approved, Transition::Complete), Ok(Done));
        assert_eq!(transition(InProgress, Transition::Complete), Ok(Done));
        assert_eq!(
            transition(InProgress, Transition::Approve).unwrap_err().code,
            ProblemCode::AlreadyApproved
        );
        assert_eq!(transition(Proposed, Transition::Cancel), Ok(Cancelled));
        assert_eq!(
            transition(Done, Transition::Cancel).unwrap_err().code,
            ProblemCode::ActionNotOpen
        );
        assert_eq!(
            transition(Cancelled, Transition::Start).unwrap_err().code,
            ProblemCode::ActionNotOpen
        );
    }

    #[test]
    fn completing_an_action_dates_it() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        let earlier = Some(now - chrono::Duration::days(3));
        assert_eq!(completed_at(Transition::Complete, None, now), Some(now));
        assert_eq!(completed_at(Transition::Start, None, now), None);
        assert_eq!(completed_at(Transition::Cancel, earlier, now), earlier);
    }

    #[test]
    fn a_corrective_action_is_part_of_handling_its_complaint() {
        assert_eq!(act_on_complaints(ActionKind::Corrective), ComplaintAct::Handle);
        assert_eq!(act_on_complaints(ActionKind::Improvement), ComplaintAct::Read);
    }

    #[test]
    fn side_effects_outlive_the_work() {
        assert!(may_note(NoteKind::Progress, ActionStatus::InProgress).is_ok());
        assert_eq!(
            may_note(NoteKind::Progress, ActionStatus::Proposed).unwrap_err().code,
            ProblemCode::ApprovalRequired
        );
        assert_eq!(
            may_note(NoteKind::Progress, ActionStatus::Done).unwrap_err().code,
            ProblemCode::ActionNotOpen
        );
        assert!(may_note(NoteKind::SideEffect, ActionStatus::Done).is_ok());
    }

    #[test]
    fn overdue_after_the_due_day() {
        let due = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        assert!(!is_overdue(ActionStatus::InProgress, Some(due), due));
        assert!(is_overdue(ActionStatus::Approved, Some(due), due.succ_opt().unwrap()));
        assert!(!is_overdue(ActionStatus::Done, Some(due), due.succ_opt().unwrap()));
        assert!(!is_overdue(ActionStatus::Approved, None, due));
    }

    #[test]
    fn corrective_actions_concern_one_complaint() {
        assert!(check_links(ActionKind::Corrective, 1).is_ok());
        assert!(
            check_links(ActionKind::Corrective, 0).is_err()
                && check_links(ActionKind::Corrective, 2).is_err()
        );
        assert!(
            check_links(ActionKind::Improvement, 0).is_ok()
                && check_links(ActionKind::Improvement, 7).is_ok()
        );
        assert!(may_create(&dienstverlener(1), ActionKind::Corrective).is_ok());
        assert!(may_create(&dienstverlener(1), ActionKind::Improvement).is_err());
        assert!(may_create(&coordinator(9), ActionKind::Improvement).is_ok());
        let complaints = parties().complaints;
        assert_eq!(initial_status(&dienstverlener(1), &complaints), ActionStatus::Proposed);
        assert_eq!(initial_status(&coordinator(9), &complaints), ActionStatus::Approved);
        assert_eq!(initial_status(&coordinator(9), &[]), ActionStatus::Approved);
        // A complaint about the coordinator: the deputy consents, not they themselves.
        assert_eq!(initial_status(&coordinator(4), &complaints), ActionStatus::Proposed);
    }

    #[test]
    fn who_may_do_what_with_an_action() {
        use ActionAct::*;
        let p = parties();
        let open = ActionStatus::Approved;
        // Owner, proposer, the complaint's parties and coordinators see it; others do not.
        for who in [1, 2, 3, 4] {
            assert!(authorise(&dienstverlener(who), &p, open, Read).is_ok(), "{who}");
        }
        assert_eq!(authorise(&dienstverlener(5), &p, open, Read), Err(Denied::NotVisible));
        assert!(authorise(&coordinator(9), &p, open, Read).is_ok());
        // The owner works on it; the complaint's handler does not, unless owner.
        assert!(authorise(&dienstverlener(1), &p, open, Work).is_ok());
        assert_eq!(authorise(&dienstverlener(3), &p, open, Work), Err(OWNER_OR_COORDINATOR));
        // The proposer edits and withdraws their proposal, not the approved action.
        assert!(authorise(&dienstverlener(2), &p, ActionStatus::Proposed, Edit).is_ok());
        assert!(authorise(&dienstverlener(2), &p, ActionStatus::Proposed, Cancel).is_ok());
        assert_eq!(authorise(&dienstverlener(2), &p, open, Edit), Err(COORDINATOR_REQUIRED));
        // Approval is a coordinator's, but not of a complaint about themselves.
        assert_eq!(
            authorise(&dienstverlener(1), &p, ActionStatus::Proposed, Approve),
            Err(COORDINATOR_REQUIRED)
        );
        assert!(authorise(&coordinator(9), &p, ActionStatus::Proposed, Approve).is_ok());
        let about_nine = ActionParties {
            complaints: vec![Parties { handler: 3, subject: 9, registered_by: 3 }],
            ..parties()
        };
        assert_eq!(
            authorise(&coordinator(9), &about_nine, ActionStatus::Proposed, Approve),
            Err(COORDINATOR_IS_SUBJECT)
        );
    }
}
