//! Who must be told (DESIGN.md §1 rules 1 and 3): the coordinator of every new complaint,
//! the dienstverlener concerned when someone else registered a complaint about their
//! service, the coordinator of an escalation. The events that record these moments name
//! their recipients; delivering them (e-mail, webhooks) is a separate concern.

use super::complaint::Assignment;

vocabulary! {
    pub enum Reason {
        /// The coordinator learns of every new complaint.
        NewComplaint,
        /// Someone else registered a complaint about the service this person gives, and
        /// they handle it (the regulation's usual case).
        RegisteredAboutYourService,
        /// Someone else registered a complaint this person handles, about a colleague's
        /// service.
        AssignedToYou,
        /// Someone else registered a complaint about the service this person gives, and a
        /// colleague handles it.
        ConcernsYourService,
        /// The complaint was escalated to this coordinator.
        Escalated,
        /// A deadline of a complaint this person handles or coordinates has passed.
        Overdue,
        /// A deadline of a complaint this person handles runs out soon.
        DueSoon,
    }
}

/// The people told of a registration by `registered_by`: nobody is told of what they did
/// themselves.
pub fn of_registration(assignment: &Assignment, registered_by: i64) -> Vec<(i64, Reason)> {
    let mut told = Vec::new();
    if let Some(coordinator) = assignment.coordinator_id.filter(|c| *c != registered_by) {
        told.push((coordinator, Reason::NewComplaint));
    }
    let (handler, subject) = (assignment.handler_id, assignment.subject_id);
    let involved = if handler == subject {
        vec![(handler, Reason::RegisteredAboutYourService)]
    } else {
        vec![(handler, Reason::AssignedToYou), (subject, Reason::ConcernsYourService)]
    };
    for (person, reason) in involved {
        if person != registered_by && told.iter().all(|(id, _)| *id != person) {
            told.push((person, reason));
        }
    }
    told
}

pub fn of_escalation(assignment: &Assignment) -> Vec<(i64, Reason)> {
    assignment.coordinator_id.map(|c| (c, Reason::Escalated)).into_iter().collect()
}

/// The people told that a deadline passed: the coordinator in charge and the handler.
pub fn of_overdue(assignment: &Assignment) -> Vec<(i64, Reason)> {
    let mut told: Vec<(i64, Reason)> =
        assignment.coordinator_id.map(|c| (c, Reason::Overdue)).into_iter().collect();
    if told.iter().all(|(id, _)| *id != assignment.handler_id) {
        told.push((assignment.handler_id, Reason::Overdue));
    }
    told
}

/// The one told that a deadline runs out soon: the handler, who can still meet it.
pub fn of_due_soon(assignment: &Assignment) -> Vec<(i64, Reason)> {
    vec![(assignment.handler_id, Reason::DueSoon)]
}

/// An e-mail telling someone of a complaint. It names the complaint by its reference and
/// nothing else: no client, no description — the recipient reads those in the register,
/// where access is checked, and mail may pass through hands the register's data may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub subject: String,
    pub body: String,
}

/// What `reason` tells about the complaint `reference`; `due_at` is the deadline that passed
/// or runs out (only for [`Reason::Overdue`] and [`Reason::DueSoon`]).
pub fn message(reason: Reason, reference: &str, due_at: Option<&str>) -> Message {
    let by = due_at.map(|at| format!(" (uiterlijk {at})")).unwrap_or_default();
    let (subject, what) = match reason {
        Reason::NewComplaint => (
            format!("Nieuwe klacht {reference}"),
            format!("Er is een nieuwe klacht geregistreerd met kenmerk {reference}."),
        ),
        Reason::RegisteredAboutYourService => (
            format!("Klacht {reference} over uw dienstverlening"),
            format!(
                "Een collega heeft klacht {reference} geregistreerd over de dienstverlening \
                 die u verzorgt. U behandelt de klacht binnen een week."
            ),
        ),
        Reason::AssignedToYou => (
            format!("Klacht {reference} is aan u toegewezen"),
            format!(
                "Een collega heeft klacht {reference} over de dienstverlening van een collega \
                 geregistreerd en aan u toegewezen. U behandelt de klacht binnen een week."
            ),
        ),
        Reason::ConcernsYourService => (
            format!("Klacht {reference} over uw dienstverlening"),
            format!(
                "Een collega heeft klacht {reference} geregistreerd over de dienstverlening \
                 die u verzorgt. Een collega behandelt de klacht."
            ),
        ),
        Reason::Escalated => (
            format!("Klacht {reference} is aan u voorgelegd"),
            format!(
                "Klacht {reference} is niet met de cliënt opgelost en aan u als \
                 klachtencoördinator voorgelegd."
            ),
        ),
        Reason::Overdue => (
            format!("Termijn verstreken voor klacht {reference}"),
            format!("De termijn van klacht {reference} is verstreken{by}."),
        ),
        Reason::DueSoon => (
            format!("Termijn loopt bijna af voor klacht {reference}"),
            format!(
                "De termijn van klacht {reference} loopt bijna af{by}: de cliënt wacht op \
                 bericht van u."
            ),
        ),
    };
    Message {
        subject,
        body: format!(
            "{what}\n\nDe gegevens van de klacht leest u in het klachtenregister.\n\n\
             — klachtenregister (dit bericht is automatisch verstuurd)\n"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(handler: i64, subject: i64, coordinator: Option<i64>) -> Assignment {
        Assignment {
            handler_id: handler,
            subject_id: subject,
            coordinator_id: coordinator,
            response_due_at: None,
        }
    }

    #[test]
    fn the_coordinator_and_the_people_concerned_are_told() {
        assert_eq!(of_registration(&assignment(1, 1, Some(5)), 1), [(5, Reason::NewComplaint)]);
        assert_eq!(
            of_registration(&assignment(1, 2, Some(5)), 3),
            [
                (5, Reason::NewComplaint),
                (1, Reason::AssignedToYou),
                (2, Reason::ConcernsYourService)
            ]
        );
        // Only the one who handles is told to react within the week.
        assert!(message(Reason::AssignedToYou, "KL-1", None).body.contains("U behandelt"));
        assert!(!message(Reason::ConcernsYourService, "KL-1", None).body.contains("U behandelt"));
        // The coordinator registering for a handler is not told of it, the handler is.
        assert_eq!(
            of_registration(&assignment(1, 1, Some(5)), 5),
            [(1, Reason::RegisteredAboutYourService)]
        );
        assert_eq!(of_escalation(&assignment(1, 1, Some(6))), [(6, Reason::Escalated)]);
        assert!(of_escalation(&assignment(1, 1, None)).is_empty());
        assert_eq!(
            of_overdue(&assignment(1, 1, Some(6))),
            [(6, Reason::Overdue), (1, Reason::Overdue)]
        );
        assert_eq!(of_overdue(&assignment(6, 1, Some(6))), [(6, Reason::Overdue)]);
        // A warning goes to the handler only: the coordinator hears if the term passes.
        assert_eq!(of_due_soon(&assignment(1, 2, Some(6))), [(1, Reason::DueSoon)]);
    }

    #[test]
    fn messages_name_the_complaint_by_its_reference_only() {
        for reason in <Reason as strum::VariantArray>::VARIANTS {
            let message = message(*reason, "K-2026-0007", Some("2026-11-09"));
            assert!(message.subject.contains("K-2026-0007"), "{reason:?}");
            assert!(message.body.contains("K-2026-0007"), "{reason:?}");
        }
        for reason in [Reason::Overdue, Reason::DueSoon] {
            assert!(message(reason, "K-1", Some("2026-11-09")).body.contains("2026-11-09"));
        }
    }
}
