//! The operations without HTTP, as the command line, the workers and an import call them:
//! the same rules, rows and events as through the API, on a real database.

use klachtenregister::auth::Principal;
use klachtenregister::domain::codes::ProblemCode;
use klachtenregister::domain::complaint::ComplaintStatus;
use klachtenregister::domain::roles::Roles;
use klachtenregister::operations::complaints::{self, RegisterComplaint};
use klachtenregister::operations::procedure::{self, DecisionRequest, Reason};
use klachtenregister::operations::{
    Caller, Conditions, Context, IdempotencyKey, OperationError, Precondition, Process,
};
use klachtenregister::store::staff;

use crate::on_both_databases;
use crate::support::{DANA, KEES, Person, TestApp, complaint_body};

on_both_databases!(a_complaint_is_registered_and_taken_a_step_without_http);

/// The principal a token of `person` would give.
fn principal(app: &TestApp, person: Person) -> Principal {
    let roles = person.roles.iter().fold(Roles::default(), |roles, role| roles.with(*role));
    let mut conn = app.db.connection().unwrap();
    let (organisation_id, staff_id) = staff::record_sighting(
        &mut conn,
        person.org,
        person.id,
        (Some(person.name), None),
        roles,
        app.clock_now(),
    )
    .unwrap()
    .unwrap();
    Principal {
        organisation_id,
        organisation: person.org.into(),
        staff_id,
        subject: person.id.into(),
        name: Some(person.name.into()),
        roles,
    }
}

async fn a_complaint_is_registered_and_taken_a_step_without_http(app: TestApp) {
    let dana = principal(&app, DANA);
    let ctx = || Context::new(dana.clone(), app.clock_now());
    let registration: RegisterComplaint = serde_json::from_value(complaint_body()).unwrap();
    let registered = complaints::register(&app.db, ctx(), registration).await.unwrap();
    assert_eq!((registered.reference.as_str(), registered.version), ("KL-2026-0001", 1));
    assert_eq!(registered.handler.name.as_deref(), Some(DANA.name), "the caller handles it");
    assert_eq!(registered.coordinator.as_ref().map(|c| c.id.as_str()), Some(KEES.id));

    // A step with what a client sends along: the version it saw, and a key for retries.
    let id = registered.id;
    let conditions = Conditions {
        precondition: Precondition::Versions(vec![1]),
        key: Some(IdempotencyKey::parse("key", "import-row-7").unwrap()),
    };
    let reason = || Reason { reason: "Geen oplossing met de cliënt".into() };
    let escalate = || procedure::escalate(&app.db, ctx().with(conditions.clone()), id, reason());
    let escalated = escalate().await.unwrap();
    assert_eq!((escalated.status, escalated.version), (ComplaintStatus::Escalated, 2));
    assert_eq!(escalate().await.unwrap(), escalated, "a retry gets the first answer");
    let other = Reason { reason: "Een andere reden".into() };
    let reused = procedure::escalate(&app.db, ctx().with(conditions.clone()), id, other).await;
    assert!(matches!(reused, Err(OperationError::KeyReused)), "{reused:?}");

    // Refusals are the domain's, named by their codes: no HTTP in sight.
    let again = procedure::escalate(&app.db, ctx(), id, reason()).await.unwrap_err();
    assert!(
        matches!(&again, OperationError::Refused(r) if r.code == ProblemCode::AlreadyEscalated),
        "{again:?}"
    );
    let decision = DecisionRequest {
        summary: "Declaratie gecorrigeerd".into(),
        resolution: klachtenregister::domain::lifecycle::Resolution::Resolved,
        judgement: Some(klachtenregister::domain::lifecycle::Judgement::WellFounded),
        decided_at: None,
    };
    let stale = ctx().with(Precondition::Versions(vec![1]).into());
    let refused = procedure::decide(&app.db, stale, id, decision).await.unwrap_err();
    assert!(matches!(refused, OperationError::PreconditionFailed(_)), "{refused:?}");

    // The service itself registers nothing: a complaint is registered by a person.
    let watcher =
        Caller::System { organisation_id: dana.organisation_id, process: Process::DeadlineWatcher };
    let registration: RegisterComplaint = serde_json::from_value(complaint_body()).unwrap();
    let by_the_service =
        complaints::register(&app.db, Context::new(watcher, app.clock_now()), registration).await;
    assert!(matches!(by_the_service, Err(OperationError::Internal(_))), "{by_the_service:?}");

    // What the operations did is what the API shows: the step once, by Dana.
    let timeline = app.get(&format!("/api/v1/complaints/{id}/timeline"), KEES).await;
    let events: Vec<(&str, &str)> = timeline.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["actor"]["id"].as_str().unwrap()))
        .collect();
    assert_eq!(events, [("complaint.registered", "dana"), ("complaint.escalated", "dana")]);
    let complaint = app.get(&format!("/api/v1/complaints/{id}"), DANA).await;
    assert_eq!(complaint.json["status"], "escalated");
    assert_eq!(complaint.header("etag"), Some("\"2\""));
}
