//! The complaint's lifecycle (DESIGN.md §4) and the steps of the procedure (§1 rules 2–6):
//! which step is legal in which state, and what it changes. An illegal step is refused with
//! a code that names the rule. Who may take a step is `access`'s business, not this module's.
//!
//! `registered` → `in_progress` (first contact) → `escalated` (optional) → `decided` →
//! `closed`; `withdrawn` from any open state; reopening takes `closed` back to `in_progress`.

use chrono::{DateTime, Duration, Utc};

use super::codes::ProblemCode;
use super::complaint::ComplaintStatus;
use super::moment::{not_after, not_before};
use super::roles::Role;
use super::validation::{AllValid, FieldError, Text, ValidationErrors, ensure};

vocabulary! {
    /// How the complaint was settled: to the client's satisfaction, or not.
    pub enum Resolution {
        Resolved,
        Unresolved,
    }
}

vocabulary! {
    /// Whether the complaint was well-founded (gegrond, deels gegrond, ongegrond): the
    /// reasoned judgement the Bar's model regulation asks of a decision.
    pub enum Judgement {
        WellFounded,
        PartlyWellFounded,
        Unfounded,
    }
}

/// The judgement a decision carries: required on a complaint from outside the firm, whose
/// client is owed a reasoned answer; optional on what an employee raised.
pub fn check_judgement(
    external: bool,
    judgement: Option<Judgement>,
) -> Result<Option<Judgement>, FieldError> {
    ensure(
        judgement.is_some() || !external,
        "judgement",
        "is required when the complaint comes from outside the firm: well_founded, \
         partly_well_founded or unfounded",
    )?;
    Ok(judgement)
}

vocabulary! {
    /// How a contact with the client took place.
    pub enum ContactChannel {
        Phone,
        Email,
        Letter,
        Meeting,
        Video,
    }
}

vocabulary! {
    /// How the written confirmation was sent.
    pub enum ConfirmationChannel {
        Letter,
        Email,
        Portal,
    }
}

/// A step the procedure does not allow now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// What an integrator switches on.
    pub code: ProblemCode,
    pub message: String,
}

impl Refused {
    pub fn new(code: ProblemCode, message: impl Into<String>) -> Self {
        Refused { code, message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub summary: String,
    pub resolution: Resolution,
    pub judgement: Option<Judgement>,
    pub decided_at: DateTime<Utc>,
    pub decided_by: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    pub sent_at: DateTime<Utc>,
    pub channel: ConfirmationChannel,
    /// The letter or e-mail in the dossier.
    pub document_id: Option<i64>,
    pub recorded_by: i64,
}

/// How satisfied the client said they were with the outcome, as they gave it at closure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Satisfaction {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: i32,
    pub remark: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

/// The scores a client may give.
pub const SATISFACTION_SCORES: std::ops::RangeInclusive<i32> = 1..=5;
pub const SATISFACTION_REMARK_MAX: usize = 2_000;

/// Checks a satisfaction as the client gave it: a score of 1 to 5, and an optional remark.
pub fn check_satisfaction(
    score: i32,
    remark: Option<&str>,
) -> Result<(i32, Option<Text>), ValidationErrors> {
    (
        ensure(SATISFACTION_SCORES.contains(&score), "score", "must be 1, 2, 3, 4 or 5")
            .map(|()| score),
        Text::parse_optional("remark", remark, SATISFACTION_REMARK_MAX),
    )
        .all_valid()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub signed_by: i64,
    pub signed_at: DateTime<Utc>,
}

/// Where a complaint stands in the procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    pub status: ComplaintStatus,
    /// Reported from outside the firm: the solution must be confirmed in writing.
    pub external: bool,
    pub received_at: DateTime<Utc>,
    /// A coordinator (or deputy) is in charge, so there is someone to escalate to.
    pub has_coordinator: bool,
    pub classified: bool,
    pub first_response_at: Option<DateTime<Utc>>,
    pub follow_up_due_at: Option<DateTime<Utc>>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub decision: Option<Decision>,
    pub confirmation: Option<Confirmation>,
    pub dienstverlener_signature: Option<Signature>,
    pub coordinator_signature: Option<Signature>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The client's satisfaction with the decision, when asked.
    pub satisfaction: Option<Satisfaction>,
    /// Its personal data was erased (DESIGN.md §9): it stays as it is, so that neither a
    /// reopening nor a client's remark writes to it again.
    pub erased: bool,
}

/// A contact moment with the client, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contact {
    pub at: DateTime<Utc>,
    pub follow_up_due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Classify,
    Contact(Contact),
    Escalate {
        at: DateTime<Utc>,
    },
    Decide(Decision),
    ConfirmInWriting(Confirmation),
    Sign {
        capacity: Role,
        signature: Signature,
    },
    Close {
        at: DateTime<Utc>,
    },
    /// The client's satisfaction with the decision: once it is decided, and at closure.
    RecordSatisfaction(Satisfaction),
    Reopen,
    Withdraw,
}

fn not_open(status: ComplaintStatus) -> Refused {
    Refused::new(
        ProblemCode::ComplaintNotOpen,
        format!("the complaint is {}; reopen it first if it must change", status.as_str()),
    )
}

/// Registration details can be edited while the complaint is open.
pub fn ensure_editable(status: ComplaintStatus) -> Result<(), Refused> {
    if status.is_open() { Ok(()) } else { Err(not_open(status)) }
}

impl Procedure {
    /// Whether the people the complaint names may change. Not once the registration form is
    /// signed: a signature vouches for the form as it names its handler, subject and
    /// coordinator, and reassigning under it could leave, say, the coordinator's signature on
    /// a complaint now about that coordinator. A revised decision clears the signatures.
    pub fn ensure_reassignable(&self) -> Result<(), Refused> {
        if self.dienstverlener_signature.is_some() || self.coordinator_signature.is_some() {
            return Err(Refused::new(
                ProblemCode::ComplaintSigned,
                "the registration form is signed for the people it names; revise the \
                 decision (which clears the signatures) before reassigning",
            ));
        }
        Ok(())
    }

    /// The state after `step`, or why the step is not allowed now.
    pub fn apply(&self, step: Step) -> Result<Procedure, Refused> {
        use ComplaintStatus::*;
        if self.erased {
            return Err(Refused::new(
                ProblemCode::AlreadyErased,
                "this complaint's personal data was erased: it stays as it is",
            ));
        }
        let status = self.status;
        // Reopening says for itself what it takes back; the client may say how satisfied
        // they are at closure. Nothing else changes a closed or withdrawn complaint.
        let exempt = match step {
            Step::Reopen => true,
            Step::RecordSatisfaction(_) => status == Closed,
            _ => false,
        };
        ensure_editable(status).or_else(|refused| if exempt { Ok(()) } else { Err(refused) })?;
        let mut next = self.clone();
        match step {
            Step::Classify => next.classified = true,
            Step::Contact(contact) => {
                next.first_response_at = Some(earliest(self.first_response_at, contact.at));
                // The latest contact says when we come back; an earlier one recorded late
                // does not overrule it.
                if self.last_contact_at.is_none_or(|last| contact.at >= last) {
                    next.last_contact_at = Some(contact.at);
                    next.follow_up_due_at = contact.follow_up_due_at;
                }
                if status == Registered {
                    next.status = InProgress;
                }
            }
            Step::Escalate { at } => {
                match status {
                    Registered | InProgress => {}
                    Escalated => {
                        return Err(Refused::new(
                            ProblemCode::AlreadyEscalated,
                            "the complaint is with the coordinator already",
                        ));
                    }
                    _ => {
                        return Err(Refused::new(
                            ProblemCode::AlreadyDecided,
                            "a decided complaint is not escalated; reopen or revise the decision",
                        ));
                    }
                }
                if !self.has_coordinator {
                    return Err(Refused::new(
                        ProblemCode::NoCoordinator,
                        "no klachtencoördinator (or deputy, when the complaint concerns the \
                         coordinator) is appointed to escalate to; set one in the organisation",
                    ));
                }
                next.status = Escalated;
                next.escalated_at = Some(at);
            }
            Step::Decide(decision) => {
                next.first_response_at =
                    Some(earliest(self.first_response_at, decision.decided_at));
                next.follow_up_due_at = None;
                // A revised decision needs its own confirmation and signatures.
                next.confirmation = None;
                next.dienstverlener_signature = None;
                next.coordinator_signature = None;
                // The client's satisfaction was with the decision it replaces.
                next.satisfaction = None;
                next.decision = Some(decision);
                next.status = Decided;
            }
            Step::ConfirmInWriting(confirmation) => {
                let decision = self.decided()?;
                if confirmation.sent_at < decision.decided_at {
                    return Err(Refused::new(
                        ProblemCode::ConfirmationBeforeDecision,
                        "the written confirmation cannot precede the decision it confirms",
                    ));
                }
                next.confirmation = Some(confirmation);
            }
            Step::Sign { capacity, signature } => {
                let decision = self.decided()?;
                if decision.resolution != Resolution::Resolved {
                    return Err(Refused::new(
                        ProblemCode::NotResolved,
                        "the form is signed when the complaint is settled to the client's \
                         satisfaction; this decision leaves it unresolved",
                    ));
                }
                let (mine, other) = match capacity {
                    Role::Dienstverlener => {
                        (&mut next.dienstverlener_signature, self.coordinator_signature)
                    }
                    Role::Klachtencoordinator => {
                        (&mut next.coordinator_signature, self.dienstverlener_signature)
                    }
                };
                if mine.is_some() {
                    return Err(Refused::new(
                        ProblemCode::AlreadySigned,
                        format!("the {} has signed already", capacity.as_str()),
                    ));
                }
                if other.is_some_and(|o| o.signed_by == signature.signed_by) {
                    return Err(Refused::new(
                        ProblemCode::SamePersonSignatures,
                        "the dienstverlener and the klachtencoördinator are two different people: \
                         you signed the other capacity already",
                    ));
                }
                *mine = Some(signature);
            }
            Step::Close { at } => {
                let unmet = self.closure_unmet();
                if let Some((code, _)) = unmet.first() {
                    let all: Vec<&str> = unmet.iter().map(|(_, m)| *m).collect();
                    return Err(Refused::new(
                        *code,
                        format!("cannot close yet: {}", all.join("; ")),
                    ));
                }
                next.status = Closed;
                next.closed_at = Some(at);
            }
            Step::RecordSatisfaction(satisfaction) => {
                if !matches!(status, Decided | Closed) {
                    return Err(Refused::new(
                        ProblemCode::DecisionRequired,
                        "the client's satisfaction is with the decision: record the decision first",
                    ));
                }
                next.satisfaction = Some(satisfaction);
            }
            Step::Reopen => {
                if status != Closed {
                    return Err(Refused::new(
                        ProblemCode::NotClosed,
                        "only a closed complaint is reopened",
                    ));
                }
                next.status = InProgress;
                next.closed_at = None;
                next.decision = None;
                next.confirmation = None;
                next.dienstverlener_signature = None;
                next.coordinator_signature = None;
                next.satisfaction = None;
            }
            Step::Withdraw => next.status = Withdrawn,
        }
        Ok(next)
    }

    fn decided(&self) -> Result<&Decision, Refused> {
        match (&self.decision, self.status) {
            (Some(decision), ComplaintStatus::Decided) => Ok(decision),
            _ => Err(Refused::new(ProblemCode::DecisionRequired, "record the decision first")),
        }
    }

    /// What closure still needs (§4), each as its rule's code and a sentence.
    pub fn closure_unmet(&self) -> Vec<(ProblemCode, &'static str)> {
        let mut unmet = Vec::new();
        if !self.classified {
            unmet.push((
                ProblemCode::ClassificationRequired,
                "the coordinator classifies the complaint",
            ));
        }
        let Some(decision) =
            self.decision.as_ref().filter(|_| self.status == ComplaintStatus::Decided)
        else {
            unmet.push((ProblemCode::DecisionRequired, "the decision is recorded"));
            return unmet;
        };
        if self.external && self.confirmation.is_none() {
            unmet.push((
                ProblemCode::WrittenConfirmationRequired,
                "the solution is confirmed to the client in writing",
            ));
        }
        if decision.resolution == Resolution::Resolved
            && (self.dienstverlener_signature.is_none() || self.coordinator_signature.is_none())
        {
            unmet.push((
                ProblemCode::SignaturesRequired,
                "the dienstverlener and the coordinator sign the form",
            ));
        }
        unmet
    }
}

fn earliest(current: Option<DateTime<Utc>>, candidate: DateTime<Utc>) -> DateTime<Utc> {
    current.map_or(candidate, |c| c.min(candidate))
}

/// Checks a contact moment: it happened (not in the future, not before the complaint was
/// received), and a client told the complaint is still being handled is told when we come
/// back (the regulation: "tevens wordt aangegeven op welke termijn men terugkomt").
pub fn check_contact(
    at: DateTime<Utc>,
    still_handling: bool,
    follow_up_due_at: Option<DateTime<Utc>>,
    received_at: DateTime<Utc>,
    (now, skew): (DateTime<Utc>, Duration),
) -> Result<Contact, ValidationErrors> {
    let follow_up = match follow_up_due_at {
        None => ensure(
            !still_handling,
            "follow_up_due_at",
            "is required when the client is told the complaint is still being handled",
        ),
        Some(due) => {
            ensure(due > at, "follow_up_due_at", "must be after the contact").and_then(|()| {
                ensure(
                    due <= at + chrono::Duration::days(366),
                    "follow_up_due_at",
                    "must be within a year of the contact",
                )
            })
        }
    };
    let (at, ()) = (check_moment("at", at, received_at, (now, skew)), follow_up).all_valid()?;
    Ok(Contact { at, follow_up_due_at })
}

/// A moment that has happened, during the complaint's life. Up to `skew` past either end
/// (a client's clock a little off ours), it is taken as that end.
pub fn check_moment(
    field: &str,
    at: DateTime<Utc>,
    received_at: DateTime<Utc>,
    (now, skew): (DateTime<Utc>, Duration),
) -> Result<DateTime<Utc>, FieldError> {
    let at = not_after(at, now, skew)
        .ok_or_else(|| FieldError::new(field, "must not be in the future"))?;
    not_before(at, received_at, skew)
        .ok_or_else(|| FieldError::new(field, "must not be before the complaint was received"))
}

/// The moment a written confirmation was sent, which cannot precede the decision it
/// confirms: up to `skew` before it, it is taken as the decision's moment. Further before
/// is left for the procedure to refuse (`confirmation_before_decision`).
pub fn confirmation_moment(
    sent_at: DateTime<Utc>,
    decided_at: Option<DateTime<Utc>>,
    skew: Duration,
) -> DateTime<Utc> {
    decided_at.and_then(|d| not_before(sent_at, d, skew)).unwrap_or(sent_at)
}

pub const SUMMARY_MAX: usize = 5_000;
pub const REASON_MAX: usize = 2_000;

/// The reason an escalation, reopening, withdrawal or erasure gives (an erasure's is not
/// personal, DESIGN.md §9: it stays in its event).
pub fn check_reason(reason: &str) -> Result<Text, FieldError> {
    Text::parse("reason", reason, REASON_MAX)
}

/// When the first response was recorded, after a step that leaves the first response at
/// `first_response`: the moment a first response was first recorded, kept from then on, so that
/// a response recorded after the term counts as late whatever moment it claims. A response
/// recorded before this was kept (a first response without a recording moment) keeps none:
/// its claimed moment counts, as it did.
pub fn first_response_recorded(
    before: Option<DateTime<Utc>>,
    recorded_before: Option<DateTime<Utc>>,
    first_response: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match (before, recorded_before) {
        (_, Some(recorded)) => Some(recorded),
        (Some(_), None) => None,
        (None, None) => first_response.map(|_| now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::moment::DEFAULT_CLOCK_SKEW;
    use chrono::{Duration, TimeZone};

    fn t(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::hours(hours)
    }

    pub(super) fn registered() -> Procedure {
        Procedure {
            status: ComplaintStatus::Registered,
            external: true,
            received_at: t(0),
            has_coordinator: true,
            classified: false,
            first_response_at: None,
            follow_up_due_at: None,
            last_contact_at: None,
            escalated_at: None,
            decision: None,
            confirmation: None,
            dienstverlener_signature: None,
            coordinator_signature: None,
            closed_at: None,
            satisfaction: None,
            erased: false,
        }
    }

    #[test]
    fn an_erased_complaint_takes_no_step() {
        let erased = Procedure { status: ComplaintStatus::Closed, erased: true, ..registered() };
        for step in [Step::Reopen, Step::Classify] {
            assert_eq!(erased.apply(step).unwrap_err().code, ProblemCode::AlreadyErased);
        }
        let closed = Procedure { erased: false, ..erased };
        assert!(closed.apply(Step::Reopen).is_ok());
    }

    fn decide(resolution: Resolution) -> Step {
        Step::Decide(Decision {
            summary: "x".into(),
            resolution,
            judgement: Some(Judgement::Unfounded),
            decided_at: t(10),
            decided_by: 1,
        })
    }

    fn sign(capacity: Role, by: i64) -> Step {
        Step::Sign { capacity, signature: Signature { signed_by: by, signed_at: t(12) } }
    }

    fn confirm() -> Step {
        Step::ConfirmInWriting(Confirmation {
            sent_at: t(11),
            channel: ConfirmationChannel::Letter,
            document_id: None,
            recorded_by: 1,
        })
    }

    fn run(steps: Vec<Step>) -> Result<Procedure, Refused> {
        steps.into_iter().try_fold(registered(), |p, s| p.apply(s))
    }

    fn refused(steps: Vec<Step>) -> &'static str {
        run(steps).unwrap_err().code.as_str()
    }

    #[test]
    fn the_first_contact_starts_handling_and_sets_the_follow_up() {
        let contact = Contact { at: t(2), follow_up_due_at: Some(t(50)) };
        let p = registered().apply(Step::Contact(contact)).unwrap();
        assert_eq!(p.status, ComplaintStatus::InProgress);
        assert_eq!((p.first_response_at, p.follow_up_due_at), (Some(t(2)), Some(t(50))));
        // A later contact without a new date clears it; an earlier one recorded late does not.
        let later = p.apply(Step::Contact(Contact { at: t(5), follow_up_due_at: None })).unwrap();
        assert_eq!(later.follow_up_due_at, None);
        let late_record =
            p.apply(Step::Contact(Contact { at: t(1), follow_up_due_at: None })).unwrap();
        assert_eq!(
            (late_record.first_response_at, late_record.follow_up_due_at),
            (Some(t(1)), Some(t(50)))
        );
    }

    #[test]
    fn the_full_procedure_closes() {
        let closed = run(vec![
            Step::Contact(Contact { at: t(1), follow_up_due_at: Some(t(48)) }),
            Step::Escalate { at: t(3) },
            Step::Classify,
            decide(Resolution::Resolved),
            confirm(),
            sign(Role::Dienstverlener, 1),
            sign(Role::Klachtencoordinator, 2),
            Step::Close { at: t(13) },
        ])
        .unwrap();
        assert_eq!(closed.status, ComplaintStatus::Closed);
        assert_eq!(closed.follow_up_due_at, None);
        assert_eq!(closed.closed_at, Some(t(13)));
    }

    #[test]
    fn a_signed_form_keeps_its_people_until_a_revised_decision() {
        let decided = run(vec![decide(Resolution::Resolved)]).unwrap();
        assert_eq!(decided.ensure_reassignable(), Ok(()));
        let signed = decided.apply(sign(Role::Klachtencoordinator, 2)).unwrap();
        assert_eq!(signed.ensure_reassignable().unwrap_err().code, ProblemCode::ComplaintSigned);
        let revised = signed.apply(decide(Resolution::Resolved)).unwrap();
        assert_eq!(revised.ensure_reassignable(), Ok(()));
    }

    #[test]
    fn a_complaint_from_outside_is_judged() {
        assert_eq!(check_judgement(true, None).unwrap_err().field, "judgement");
        assert_eq!(
            check_judgement(true, Some(Judgement::WellFounded)),
            Ok(Some(Judgement::WellFounded))
        );
        assert_eq!(check_judgement(false, None), Ok(None));
        assert_eq!(Judgement::PartlyWellFounded.as_str(), "partly_well_founded");
    }

    #[test]
    fn closure_names_what_is_missing() {
        assert_eq!(refused(vec![Step::Close { at: t(1) }]), "classification_required");
        assert_eq!(refused(vec![Step::Classify, Step::Close { at: t(1) }]), "decision_required");
        assert_eq!(
            refused(vec![Step::Classify, decide(Resolution::Resolved), Step::Close { at: t(11) }]),
            "written_confirmation_required"
        );
        assert_eq!(
            refused(vec![
                Step::Classify,
                decide(Resolution::Resolved),
                confirm(),
                sign(Role::Dienstverlener, 1),
                Step::Close { at: t(13) }
            ]),
            "signatures_required"
        );
        // Unresolved: no signatures; internal: no written confirmation.
        assert!(
            run(vec![
                Step::Classify,
                decide(Resolution::Unresolved),
                confirm(),
                Step::Close { at: t(13) }
            ])
            .is_ok()
        );
        let internal = Procedure { external: false, ..registered() };
        let closed = [Step::Classify, decide(Resolution::Unresolved), Step::Close { at: t(13) }]
            .into_iter()
            .try_fold(internal, |p, s| p.apply(s));
        assert!(closed.is_ok());
    }

    #[test]
    fn the_client_is_asked_about_the_decision_until_closure() {
        let satisfied = |score| {
            Step::RecordSatisfaction(Satisfaction {
                score,
                remark: None,
                recorded_by: 1,
                recorded_at: t(12),
            })
        };
        assert_eq!(refused(vec![satisfied(4)]), "decision_required");
        let unresolved = [Step::Classify, decide(Resolution::Unresolved), confirm()];
        let closed =
            run([&unresolved[..], &[Step::Close { at: t(13) }, satisfied(2)]].concat()).unwrap();
        assert_eq!(closed.satisfaction.as_ref().map(|s| s.score), Some(2));
        assert_eq!(closed.status, ComplaintStatus::Closed);
        // A revised decision and a reopening ask again; a withdrawn complaint is not asked.
        let revised = closed.apply(Step::Reopen).unwrap();
        assert_eq!(revised.satisfaction, None);
        let decided =
            run([&unresolved[..], &[satisfied(5), decide(Resolution::Resolved)]].concat());
        assert_eq!(decided.unwrap().satisfaction, None);
        assert_eq!(refused(vec![Step::Withdraw, satisfied(3)]), "complaint_not_open");
        assert_eq!(check_satisfaction(0, None).unwrap_err().0[0].field, "score");
        assert_eq!(check_satisfaction(5, Some("  ")).unwrap(), (5, None));
    }

    #[test]
    fn two_different_people_sign_a_resolved_complaint() {
        assert_eq!(
            refused(vec![decide(Resolution::Unresolved), sign(Role::Dienstverlener, 1)]),
            "not_resolved"
        );
        assert_eq!(refused(vec![sign(Role::Dienstverlener, 1)]), "decision_required");
        assert_eq!(
            refused(vec![
                decide(Resolution::Resolved),
                sign(Role::Dienstverlener, 1),
                sign(Role::Klachtencoordinator, 1)
            ]),
            "same_person_signatures"
        );
        assert_eq!(
            refused(vec![
                decide(Resolution::Resolved),
                sign(Role::Dienstverlener, 1),
                sign(Role::Dienstverlener, 3)
            ]),
            "already_signed"
        );
    }

    #[test]
    fn escalation_goes_once_to_an_appointed_coordinator() {
        assert_eq!(
            refused(vec![Step::Escalate { at: t(1) }, Step::Escalate { at: t(2) }]),
            "already_escalated"
        );
        assert_eq!(
            refused(vec![decide(Resolution::Resolved), Step::Escalate { at: t(11) }]),
            "already_decided"
        );
        let alone = Procedure { has_coordinator: false, ..registered() };
        assert_eq!(
            alone.apply(Step::Escalate { at: t(1) }).unwrap_err().code,
            ProblemCode::NoCoordinator
        );
    }

    #[test]
    fn a_revised_decision_needs_new_confirmation_and_signatures() {
        let p = run(vec![
            decide(Resolution::Resolved),
            confirm(),
            sign(Role::Dienstverlener, 1),
            decide(Resolution::Unresolved),
        ])
        .unwrap();
        assert_eq!((p.confirmation, p.dienstverlener_signature), (None, None));
        assert_eq!(p.decision.unwrap().resolution, Resolution::Unresolved);
    }

    #[test]
    fn reopening_takes_a_closed_complaint_back_and_nothing_else() {
        assert_eq!(refused(vec![Step::Reopen]), "not_closed");
        let reopened = run(vec![
            Step::Classify,
            decide(Resolution::Unresolved),
            confirm(),
            Step::Close { at: t(13) },
            Step::Reopen,
        ])
        .unwrap();
        assert_eq!(reopened.status, ComplaintStatus::InProgress);
        assert!(reopened.classified && reopened.decision.is_none() && reopened.closed_at.is_none());
    }

    #[test]
    fn finished_complaints_take_no_steps() {
        assert_eq!(
            refused(vec![
                Step::Withdraw,
                Step::Contact(Contact { at: t(1), follow_up_due_at: None })
            ]),
            "complaint_not_open"
        );
        assert_eq!(refused(vec![Step::Withdraw, Step::Withdraw]), "complaint_not_open");
        assert_eq!(refused(vec![Step::Withdraw, Step::Reopen]), "not_closed");
        assert_eq!(
            refused(vec![
                Step::Classify,
                decide(Resolution::Unresolved),
                confirm(),
                Step::Close { at: t(13) },
                Step::Classify
            ]),
            "complaint_not_open"
        );
        assert_eq!(refused(vec![confirm()]), "decision_required");
    }

    #[test]
    fn contacts_are_checked() {
        let now = t(24);
        assert!(check_contact(t(2), true, Some(t(30)), t(0), (now, DEFAULT_CLOCK_SKEW)).is_ok());
        let fields = |r: Result<Contact, ValidationErrors>| -> Vec<String> {
            r.unwrap_err().0.into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(check_contact(t(2), true, None, t(0), (now, DEFAULT_CLOCK_SKEW))),
            ["follow_up_due_at"]
        );
        assert_eq!(
            fields(check_contact(t(2), false, Some(t(1)), t(0), (now, DEFAULT_CLOCK_SKEW))),
            ["follow_up_due_at"]
        );
        assert_eq!(
            fields(check_contact(
                t(2),
                true,
                Some(t(2 + 24 * 367)),
                t(0),
                (now, DEFAULT_CLOCK_SKEW)
            )),
            ["follow_up_due_at"]
        );
        assert_eq!(
            fields(check_contact(t(30), false, None, t(0), (now, DEFAULT_CLOCK_SKEW))),
            ["at"]
        );
        assert_eq!(
            fields(check_contact(t(-1), false, None, t(0), (now, DEFAULT_CLOCK_SKEW))),
            ["at"]
        );
        assert!(check_reason(" ").is_err() && check_reason("geen oplossing").is_ok());
    }
}

/// Random sequences of steps, taken by random people, never reach a state that breaks §4.
#[cfg(test)]
mod properties {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn step(kind: u8, person: i64, minute: i64, resolved: bool) -> Step {
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::minutes(minute);
        match kind % 9 {
            0 => Step::Classify,
            1 => Step::Contact(Contact {
                at,
                follow_up_due_at: resolved.then(|| at + Duration::days(2)),
            }),
            2 => Step::Escalate { at },
            3 => Step::Decide(Decision {
                summary: "besluit".into(),
                resolution: if resolved { Resolution::Resolved } else { Resolution::Unresolved },
                judgement: None,
                decided_at: at,
                decided_by: person,
            }),
            4 => Step::ConfirmInWriting(Confirmation {
                sent_at: at,
                channel: ConfirmationChannel::Email,
                document_id: None,
                recorded_by: person,
            }),
            5 => Step::Sign {
                capacity: if resolved { Role::Dienstverlener } else { Role::Klachtencoordinator },
                signature: Signature { signed_by: person, signed_at: at },
            },
            6 => Step::Close { at },
            7 => Step::Reopen,
            _ => Step::Withdraw,
        }
    }

    fn holds_the_rules(p: &Procedure) -> Result<(), String> {
        if let (Some(a), Some(b)) = (p.dienstverlener_signature, p.coordinator_signature)
            && a.signed_by == b.signed_by
        {
            return Err("one person holds both signatures".into());
        }
        if p.status == ComplaintStatus::Decided && p.decision.is_none() {
            return Err("decided without a decision".into());
        }
        if p.status == ComplaintStatus::Closed {
            let decision = p.decision.as_ref().ok_or("closed without a decision")?;
            if !p.classified {
                return Err("closed without a classification".into());
            }
            if p.external && p.confirmation.is_none() {
                return Err("closed without the written confirmation".into());
            }
            let signed = p.dienstverlener_signature.is_some() && p.coordinator_signature.is_some();
            if decision.resolution == Resolution::Resolved && !signed {
                return Err("closed as resolved without both signatures".into());
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        #[test]
        fn no_sequence_of_steps_breaks_the_closure_rules(
            external in any::<bool>(),
            steps in proptest::collection::vec((any::<u8>(), 1i64..=3, 0i64..600, any::<bool>()), 0..40),
        ) {
            let mut procedure = Procedure { external, ..super::tests::registered() };
            for (kind, person, minute, resolved) in steps {
                if let Ok(next) = procedure.apply(step(kind, person, minute, resolved)) {
                    prop_assert_eq!(holds_the_rules(&next), Ok(()));
                    procedure = next;
                }
            }
        }
    }
}
