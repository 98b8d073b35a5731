//! The complaint procedure of the klachtenregeling, step by step and as one walk-through:
//! contacts and the one-week term, escalation, classification, decision, written
//! confirmation, the two signatures, closure, reopening and withdrawal.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, DIRK, EVA, KEES, OTTO, Person, Reply, TestApp, complaint_body};

on_both_databases!(
    the_regulation_walked_through,
    a_complaint_about_the_coordinator_is_the_deputys,
    closure_names_the_rule_it_misses,
    two_different_people_sign,
    a_signed_form_keeps_its_people,
    the_one_week_term_and_follow_up_dates,
    escalation_goes_once_to_an_appointed_coordinator,
    reopening_and_withdrawal,
    commands_are_idempotent_and_honour_if_match,
);

async fn step(app: &TestApp, person: Person, path: &str, body: Value) -> Reply {
    app.post(path, person, &body).await
}

#[track_caller]
fn ok(reply: &Reply) -> &Value {
    assert!(reply.status.is_success(), "expected success, got {}: {}", reply.status, reply.text);
    &reply.json
}

fn types(timeline: &Value) -> Vec<&str> {
    timeline["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// The regulation as one story: an oral complaint about Dana's service is registered, the
/// coordinator is informed, within the week Dana contacts the client and gives a follow-up
/// date, there is no solution so she escalates, the coordinator classifies it as II and III,
/// the decision is taken and confirmed in writing, Dana and the coordinator sign, and the
/// coordinator closes it.
async fn the_regulation_walked_through(app: TestApp) {
    let complaint = app.register(DANA, &complaint_body()).await;
    let id = complaint["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");

    // The coordinator is told of the new complaint.
    let timeline = app.get(&path("/timeline"), KEES).await;
    assert_eq!(types(&timeline.json), ["complaint.registered"]);
    assert_eq!(
        timeline.json["items"][0]["data"]["recipients"],
        json!([{"id": "kees", "reason": "new_complaint"}])
    );
    assert_eq!(timeline.json["items"][0]["actor"]["id"], "dana");

    // The next day Dana calls the client: it is being handled, she comes back by Friday.
    app.clock.advance(Duration::days(1));
    let contact = step(
        &app,
        DANA,
        &path("/contacts"),
        json!({
            "channel": "phone",
            "summary": "Cliënt gebeld: klacht in behandeling, vrijdag uitsluitsel.",
            "still_handling": true,
            "follow_up_due_at": "2026-11-06T17:00:00Z"
        }),
    )
    .await;
    assert_eq!(contact.status, StatusCode::CREATED, "{}", contact.text);
    assert_eq!(contact.json["recorded_by"]["id"], "dana");
    let location = contact.header("location").unwrap().to_owned();
    assert_eq!(app.get(&location, KEES).await.json, contact.json);
    let after_contact = app.get(&path(""), DANA).await;
    assert_eq!(after_contact.json["status"], "in_progress");
    assert_eq!(after_contact.json["first_response_at"], "2026-11-03T09:00:00Z");
    assert_eq!(after_contact.json["follow_up_due_at"], "2026-11-06T17:00:00Z");
    assert_eq!(after_contact.json["overdue"], false);

    // No solution: Dana escalates to the coordinator, who is told.
    let escalated =
        step(&app, DANA, &path("/escalation"), json!({"reason": "Geen oplossing met de cliënt."}))
            .await;
    assert_eq!(ok(&escalated)["status"], "escalated");

    // The coordinator classifies: oral (A), legal (II) and financial (III).
    let classified = app
        .put(
            &path("/classification"),
            KEES,
            &json!({"channel": "oral", "categories": ["financial", "legal"]}),
        )
        .await;
    assert_eq!(ok(&classified)["channel"], "oral");
    assert_eq!(classified.json["categories"], json!(["legal", "financial"]));
    assert_eq!(classified.json["classified_by"]["id"], "kees");

    // A complaint from outside the firm is judged: well-founded or not.
    let unjudged = json!({"summary": "Declaratie gecorrigeerd.", "resolution": "resolved"});
    let refused = step(&app, KEES, &path("/decision"), unjudged).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["judgement"]);
    let decided = step(
        &app,
        KEES,
        &path("/decision"),
        json!({
            "summary": "Declaratie gecorrigeerd; creditnota verstuurd.",
            "resolution": "resolved",
            "judgement": "partly_well_founded"
        }),
    )
    .await;
    assert_eq!(decided.json["decision"]["judgement"], "partly_well_founded");
    assert_eq!(ok(&decided)["status"], "decided");
    assert_eq!(decided.json["decision"]["resolution"], "resolved");
    assert_eq!(decided.json["follow_up_due_at"], Value::Null);

    let confirmed =
        step(&app, DANA, &path("/written-confirmation"), json!({"channel": "letter"})).await;
    assert_eq!(ok(&confirmed)["written_confirmation_at"], "2026-11-03T09:00:00Z");
    assert_eq!(confirmed.json["written_confirmation"]["channel"], "letter");

    ok(&step(&app, DANA, &path("/signatures"), json!({})).await);
    let signed = step(&app, KEES, &path("/signatures"), json!({})).await;
    assert_eq!(ok(&signed)["signatures"]["dienstverlener"]["signed_by"]["id"], "dana");
    assert_eq!(signed.json["signatures"]["coordinator"]["signed_by"]["id"], "kees");

    let closed = step(&app, KEES, &path("/closure"), json!({})).await;
    assert_eq!(ok(&closed)["status"], "closed");
    assert_eq!(closed.json["closed_at"], "2026-11-03T09:00:00Z");
    assert_eq!(closed.json["version"], 9);
    // Read alone it names everyone the command's answer named: handler, subject, registrar,
    // coordinator, classifier, decider, confirmer and both signatories.
    assert_eq!(app.get(&path(""), DANA).await.json, closed.json);

    let timeline = app.get(&path("/timeline"), DANA).await;
    assert_eq!(
        types(&timeline.json),
        [
            "complaint.registered",
            "complaint.contact_recorded",
            "complaint.escalated",
            "complaint.classified",
            "complaint.decided",
            "complaint.written_confirmation_recorded",
            "complaint.signed",
            "complaint.signed",
            "complaint.closed",
        ]
    );
    let escalation = &timeline.json["items"][2];
    assert_eq!(escalation["data"]["recipients"], json!([{"id": "kees", "reason": "escalated"}]));
    assert_eq!(escalation["data"]["reason"]["text"], "Geen oplossing met de cliënt.");
    assert_eq!(escalation["data"]["reason"]["state"], "intact");
    let classification = &timeline.json["items"][3]["data"];
    assert_eq!(classification["before"], json!({"channel": null, "categories": []}));
    assert_eq!(
        classification["after"],
        json!({"channel": "oral", "categories": ["legal", "financial"]})
    );
    // Paging through the timeline gives the same events.
    let first = app.get(&path("/timeline?limit=5"), DANA).await;
    let cursor = first.json["next_cursor"].as_str().unwrap().to_owned();
    let rest = app.get(&path(&format!("/timeline?limit=5&cursor={cursor}")), DANA).await;
    assert_eq!(types(&first.json).len() + types(&rest.json).len(), 9);
    assert_eq!(rest.json["next_cursor"], Value::Null);

    // A closed complaint takes no more steps and no edits.
    step(&app, DANA, &path("/contacts"), json!({"channel": "email", "summary": "na"}))
        .await
        .assert_problem(409, "complaint_not_open");
    app.patch(&path(""), KEES, &json!({"description": "x"}))
        .await
        .assert_problem(409, "complaint_not_open");
}

async fn a_complaint_about_the_coordinator_is_the_deputys(app: TestApp) {
    let mut body = complaint_body();
    body["subject_id"] = json!("kees");
    let complaint = app.register(DANA, &body).await;
    assert_eq!(complaint["coordinator"]["id"], "dirk");
    let id = complaint["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");

    // The deputy, not the coordinator, is told of it.
    let timeline = app.get(&path("/timeline"), KEES).await;
    assert_eq!(
        timeline.json["items"][0]["data"]["recipients"],
        json!([
            {"id": "dirk", "reason": "new_complaint"},
            {"id": "kees", "reason": "concerns_your_service"}
        ])
    );

    // The coordinator may read it, but not classify, sign as coordinator or close it.
    assert_eq!(app.get(&path(""), KEES).await.status, StatusCode::OK);
    let classification = path("/classification");
    let conduct = json!({"channel": "written", "categories": ["conduct"]});
    let classify = |person: Person| app.put(&classification, person, &conduct);
    classify(KEES).await.assert_problem(403, "coordinator_is_subject");
    ok(&classify(DIRK).await);
    ok(&step(
        &app,
        DANA,
        &path("/decision"),
        json!({"summary": "Excuses aangeboden.", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await);
    ok(&step(&app, DANA, &path("/written-confirmation"), json!({"channel": "email"})).await);
    ok(&step(&app, DANA, &path("/signatures"), json!({})).await);
    step(&app, KEES, &path("/signatures"), json!({"capacity": "klachtencoordinator"}))
        .await
        .assert_problem(403, "coordinator_is_subject");
    step(&app, KEES, &path("/closure"), json!({}))
        .await
        .assert_problem(403, "coordinator_is_subject");
    ok(&step(&app, DIRK, &path("/signatures"), json!({})).await);
    let closed = step(&app, DIRK, &path("/closure"), json!({})).await;
    assert_eq!(ok(&closed)["status"], "closed");
    step(&app, KEES, &path("/reopening"), json!({"reason": "nee"}))
        .await
        .assert_problem(403, "coordinator_is_subject");

    // A dienstverlener with no part in it cannot see it at all.
    for tail in ["", "/timeline", "/contacts", "/classification"] {
        app.get(&path(tail), EVA).await.assert_problem(404, "not_found");
    }
    step(&app, EVA, &path("/contacts"), json!({"channel": "email", "summary": "x"}))
        .await
        .assert_problem(404, "not_found");
    let eva_list = app.get("/api/v1/complaints", EVA).await;
    assert_eq!(eva_list.json["items"], json!([]));
    // Nor can another organisation.
    app.get(&path(""), OTTO).await.assert_problem(404, "not_found");
}

async fn closure_names_the_rule_it_misses(app: TestApp) {
    let complaint = app.register(DANA, &complaint_body()).await;
    let id = complaint["id"].as_i64().unwrap();
    let received_at: chrono::DateTime<chrono::Utc> =
        complaint["received_at"].as_str().unwrap().parse().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let closure = path("/closure");
    let close = || step(&app, KEES, &closure, json!({}));

    step(&app, DANA, &path("/closure"), json!({}))
        .await
        .assert_problem(403, "coordinator_role_required");
    let refused = close().await;
    refused.assert_problem(409, "classification_required");
    assert!(
        refused.json["detail"].as_str().unwrap().contains("decision"),
        "detail lists all: {}",
        refused.text
    );
    let classified = app
        .put(
            &path("/classification"),
            KEES,
            &json!({"channel": "written", "categories": ["practice"]}),
        )
        .await;
    assert_eq!(classified.status, StatusCode::OK);
    close().await.assert_problem(409, "decision_required");
    // The confirmation confirms a decision: not before there is one, nor dated before it.
    step(&app, DANA, &path("/written-confirmation"), json!({"channel": "letter"}))
        .await
        .assert_problem(409, "decision_required");
    app.clock.advance(Duration::hours(2));
    ok(&step(
        &app,
        DANA,
        &path("/decision"),
        json!({"summary": "Opgelost", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await);
    let before_the_decision = (received_at + Duration::hours(1)).to_rfc3339();
    step(
        &app,
        DANA,
        &path("/written-confirmation"),
        json!({"channel": "letter", "sent_at": before_the_decision}),
    )
    .await
    .assert_problem(409, "confirmation_before_decision");
    close().await.assert_problem(409, "written_confirmation_required");
    ok(&step(&app, DANA, &path("/written-confirmation"), json!({"channel": "portal"})).await);
    close().await.assert_problem(409, "signatures_required");
    ok(&step(&app, DANA, &path("/signatures"), json!({})).await);
    close().await.assert_problem(409, "signatures_required");
    ok(&step(&app, KEES, &path("/signatures"), json!({})).await);
    assert_eq!(ok(&close().await)["status"], "closed");
    close().await.assert_problem(409, "complaint_not_open");

    // An unresolved internal error closes with classification and decision alone.
    let error = app
        .register(
            EVA,
            &json!({"kind": "error", "reported_by": "employee", "description": "Termijn gemist"}),
        )
        .await;
    let epath = |tail: &str| format!("/api/v1/complaints/{}{tail}", error["id"]);
    app.put(
        &epath("/classification"),
        KEES,
        &json!({"channel": "oral", "categories": ["practice"]}),
    )
    .await;
    // What an employee raised needs no judgement.
    let decided = step(
        &app,
        EVA,
        &epath("/decision"),
        json!({"summary": "Werkinstructie aangepast", "resolution": "unresolved"}),
    )
    .await;
    assert_eq!(ok(&decided)["decision"]["judgement"], Value::Null);
    assert_eq!(ok(&step(&app, KEES, &epath("/closure"), json!({})).await)["status"], "closed");
}

async fn a_signed_form_keeps_its_people(app: TestApp) {
    let complaint = app.register(DANA, &complaint_body()).await;
    let id = complaint["id"].as_i64().unwrap();
    let received_at: chrono::DateTime<chrono::Utc> =
        complaint["received_at"].as_str().unwrap().parse().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let resolved =
        json!({"summary": "Opgelost", "resolution": "resolved", "judgement": "well_founded"});
    ok(&step(&app, KEES, &path("/decision"), resolved.clone()).await);
    ok(&step(&app, KEES, &path("/signatures"), json!({})).await);

    // Making Kees the subject would leave his coordinator's signature on a complaint about him.
    let about_kees = json!({"subject_id": "kees"});
    app.patch(&path(""), DIRK, &about_kees).await.assert_problem(409, "complaint_signed");
    app.patch(&path(""), DIRK, &json!({"handler_id": "eva"}))
        .await
        .assert_problem(409, "complaint_signed");
    // The details themselves may still be corrected.
    let corrected = app.patch(&path(""), DIRK, &json!({"matter_reference": "Z-2026-115"})).await;
    assert_eq!(ok(&corrected)["signatures"]["coordinator"]["signed_by"]["id"], "kees");
    // So may the receipt, though it moves the term: the people stay who they were.
    let earlier = (received_at - Duration::hours(1)).to_rfc3339();
    let moved = app.patch(&path(""), DIRK, &json!({"received_at": earlier})).await;
    assert_eq!(ok(&moved)["signatures"]["coordinator"]["signed_by"]["id"], "kees");

    // A revised decision clears the signatures; then the people may change.
    ok(&step(&app, KEES, &path("/decision"), resolved).await);
    let reassigned = app.patch(&path(""), DIRK, &about_kees).await;
    assert_eq!(ok(&reassigned)["subject"]["id"], "kees");
    assert_eq!(reassigned.json["coordinator"]["id"], "dirk");
    assert_eq!(reassigned.json["signatures"]["coordinator"], Value::Null);
}

async fn two_different_people_sign(app: TestApp) {
    // Kees handles this one himself; it is about Eva's work.
    let mut body = complaint_body();
    body["handler_id"] = json!("kees");
    body["subject_id"] = json!("eva");
    let id = app.register(KEES, &body).await["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");

    step(&app, KEES, &path("/signatures"), json!({"capacity": "dienstverlener"}))
        .await
        .assert_problem(409, "decision_required");
    ok(&step(
        &app,
        KEES,
        &path("/decision"),
        json!({"summary": "Niet opgelost", "resolution": "unresolved", "judgement": "unfounded"}),
    )
    .await);
    step(&app, KEES, &path("/signatures"), json!({"capacity": "dienstverlener"}))
        .await
        .assert_problem(409, "not_resolved");
    ok(&step(
        &app,
        KEES,
        &path("/decision"),
        json!({"summary": "Toch opgelost", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await);

    // Kees is handler and coordinator here: he must say which capacity he signs in.
    let ambiguous = step(&app, KEES, &path("/signatures"), json!({})).await;
    ambiguous.assert_problem(422, "validation_failed");
    assert_eq!(ambiguous.error_fields(), ["capacity"]);
    // Eva is the subject, not the handler: she does not sign as dienstverlener.
    step(&app, EVA, &path("/signatures"), json!({})).await.assert_problem(403, "handler_required");
    step(&app, EVA, &path("/signatures"), json!({"capacity": "klachtencoordinator"}))
        .await
        .assert_problem(403, "coordinator_role_required");

    ok(&step(&app, KEES, &path("/signatures"), json!({"capacity": "dienstverlener"})).await);
    step(&app, KEES, &path("/signatures"), json!({"capacity": "dienstverlener"}))
        .await
        .assert_problem(409, "already_signed");
    step(&app, KEES, &path("/signatures"), json!({"capacity": "klachtencoordinator"}))
        .await
        .assert_problem(409, "same_person_signatures");
    let signed = step(&app, DIRK, &path("/signatures"), json!({})).await;
    assert_eq!(ok(&signed)["signatures"]["coordinator"]["signed_by"]["id"], "dirk");
    assert_eq!(signed.json["signatures"]["dienstverlener"]["signed_by"]["id"], "kees");

    // A revised decision needs new signatures.
    let revised = step(
        &app,
        KEES,
        &path("/decision"),
        json!({"summary": "Herzien", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await;
    assert_eq!(ok(&revised)["signatures"], json!({"dienstverlener": null, "coordinator": null}));
}

async fn the_one_week_term_and_follow_up_dates(app: TestApp) {
    // Received Monday 08:30; the reaction is due the next Monday 08:30.
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let complaint = path("");
    let overdue = || overdue_of(&app, &complaint);
    let overdue_ids = || overdue_list(&app);
    app.clock.advance(Duration::days(7) - Duration::minutes(31));
    assert_eq!(overdue().await, json!(false));
    app.clock.advance(Duration::minutes(2));
    assert_eq!(overdue().await, json!(true));
    assert_eq!(overdue_ids().await, [id]);

    // A contact that says it is still being handled must say when we come back, and a
    // contact happened, during the complaint's life.
    for (body, field) in [
        (json!({"channel": "phone", "summary": "x", "still_handling": true}), "follow_up_due_at"),
        (json!({"channel": "phone", "summary": "x", "at": "2026-11-01T10:00:00Z"}), "at"),
        (json!({"channel": "phone", "summary": "x", "at": "2026-12-31T10:00:00Z"}), "at"),
        (json!({"channel": "fax", "summary": "x"}), "channel"),
        (json!({"channel": "phone", "summary": ""}), "summary"),
    ] {
        let refused = step(&app, DANA, &path("/contacts"), body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }

    // A late first reaction ends the overdue state; it is recorded as it happened.
    let follow_up = app.clock_now() + Duration::days(2);
    ok(&step(&app, DANA, &path("/contacts"), json!({
        "channel": "email", "summary": "In behandeling", "still_handling": true, "follow_up_due_at": follow_up
    }))
    .await);
    assert_eq!(overdue().await, json!(false));
    assert_eq!(overdue_ids().await, Vec::<i64>::new());

    // The promised follow-up date passes without contact: overdue again.
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    assert_eq!(overdue().await, json!(true));
    assert_eq!(overdue_ids().await, [id]);
    // A contact (without a new date) is the follow-up.
    ok(&step(
        &app,
        DANA,
        &path("/contacts"),
        json!({"channel": "phone", "summary": "Teruggebeld"}),
    )
    .await);
    assert_eq!(overdue().await, json!(false));
    let contacts = app.get(&path("/contacts"), KEES).await;
    assert_eq!(contacts.json["items"].as_array().unwrap().len(), 2);

    // A new follow-up date, then the decision clears it for good.
    let follow_up = app.clock_now() + Duration::days(1);
    ok(&step(&app, DANA, &path("/contacts"), json!({
        "channel": "phone", "summary": "Nog even", "still_handling": true, "follow_up_due_at": follow_up
    }))
    .await);
    ok(&step(
        &app,
        DANA,
        &path("/decision"),
        json!({"summary": "Opgelost", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await);
    app.clock.advance(Duration::days(30));
    assert_eq!(overdue().await, json!(false));
}

async fn overdue_of(app: &TestApp, path: &str) -> Value {
    app.get(path, DANA).await.json["overdue"].clone()
}

async fn overdue_list(app: &TestApp) -> Vec<i64> {
    let list = app.get("/api/v1/complaints?overdue=true", KEES).await;
    list.json["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn escalation_goes_once_to_an_appointed_coordinator(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/complaints/{id}/escalation");
    let reason = json!({"reason": "Geen oplossing"});
    step(&app, DANA, &path, json!({"reason": " "})).await.assert_problem(422, "validation_failed");
    step(&app, EVA, &path, reason.clone()).await.assert_problem(404, "not_found");
    ok(&step(&app, DANA, &path, reason.clone()).await);
    step(&app, DANA, &path, reason.clone()).await.assert_problem(409, "already_escalated");

    let decided = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    ok(&step(
        &app,
        DANA,
        &format!("/api/v1/complaints/{decided}/decision"),
        json!({"summary": "Klaar", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await);
    step(&app, DANA, &format!("/api/v1/complaints/{decided}/escalation"), reason.clone())
        .await
        .assert_problem(409, "already_decided");

    // Kantoor B has no deputy: a complaint about its coordinator has no one to go to.
    let mut about_otto = complaint_body();
    about_otto["handler_id"] = json!("otto");
    let orphan = app.register(OTTO, &about_otto).await;
    assert_eq!(orphan["coordinator"], Value::Null);
    step(&app, OTTO, &format!("/api/v1/complaints/{}/escalation", orphan["id"]), reason)
        .await
        .assert_problem(409, "no_coordinator");
}

async fn reopening_and_withdrawal(app: TestApp) {
    let id = app
        .register(
            EVA,
            &json!({"kind": "improvement", "reported_by": "employee", "description": "Checklist"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    app.put(
        &path("/classification"),
        KEES,
        &json!({"channel": "written", "categories": ["practice"]}),
    )
    .await;
    ok(&step(
        &app,
        EVA,
        &path("/decision"),
        json!({"summary": "Ingevoerd", "resolution": "unresolved"}),
    )
    .await);
    ok(&step(&app, KEES, &path("/closure"), json!({})).await);

    step(&app, KEES, &path("/reopening"), json!({})).await.assert_problem(422, "validation_failed");
    step(&app, EVA, &path("/reopening"), json!({"reason": "Werkt niet"}))
        .await
        .assert_problem(403, "coordinator_role_required");
    let reopened = step(&app, KEES, &path("/reopening"), json!({"reason": "Werkt niet"})).await;
    assert_eq!(ok(&reopened)["status"], "in_progress");
    assert_eq!(reopened.json["decision"], Value::Null);
    assert_eq!(reopened.json["closed_at"], Value::Null);
    assert_eq!(
        reopened.json["classification"]["categories"],
        json!(["practice"]),
        "the classification stays"
    );
    step(&app, KEES, &path("/reopening"), json!({"reason": "nog eens"}))
        .await
        .assert_problem(409, "not_closed");

    // The complaint is about Eva, its handler: she may not withdraw it; the coordinator may.
    step(&app, EVA, &path("/withdrawal"), json!({"reason": "Dubbel geregistreerd"}))
        .await
        .assert_problem(403, "caller_is_subject");
    let withdrawn =
        step(&app, KEES, &path("/withdrawal"), json!({"reason": "Dubbel geregistreerd"})).await;
    assert_eq!(ok(&withdrawn)["status"], "withdrawn");
    step(&app, KEES, &path("/withdrawal"), json!({"reason": "x"}))
        .await
        .assert_problem(409, "complaint_not_open");
    step(&app, KEES, &path("/reopening"), json!({"reason": "x"}))
        .await
        .assert_problem(409, "not_closed");
    step(
        &app,
        EVA,
        &path("/decision"),
        json!({"summary": "x", "resolution": "resolved", "judgement": "well_founded"}),
    )
    .await
    .assert_problem(409, "complaint_not_open");
    let timeline = app.get(&path("/timeline"), KEES).await;
    let last = timeline.json["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["type"].as_str(), last["data"]["reason"]["text"].as_str()),
        (Some("complaint.withdrawn"), Some("Dubbel geregistreerd"))
    );
}

async fn commands_are_idempotent_and_honour_if_match(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let send = |key: &'static str, if_match: Option<&'static str>, reason: &'static str| {
        let mut request = app
            .client
            .post(app.url(&path("/escalation")))
            .bearer_auth(app.token(DANA))
            .header("Idempotency-Key", key)
            .json(&json!({"reason": reason}));
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send()
    };
    Reply::from(send("e-1", Some("\"7\""), "x").await.unwrap())
        .await
        .assert_problem(412, "precondition_failed");
    let first = Reply::from(send("e-2", Some("\"1\""), "Geen oplossing").await.unwrap()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.header("etag"), Some("\"2\""));
    let retry = Reply::from(send("e-2", Some("\"1\""), "Geen oplossing").await.unwrap()).await;
    assert_eq!((retry.status, &retry.text), (StatusCode::OK, &first.text));
    assert_eq!(retry.header("etag"), Some("\"2\""));
    Reply::from(send("e-2", None, "Andere reden").await.unwrap())
        .await
        .assert_problem(422, "idempotency_key_reused");
    let timeline = app.get(&path("/timeline"), DANA).await;
    assert_eq!(types(&timeline.json), ["complaint.registered", "complaint.escalated"]);

    // Contacts are created once per key too.
    let contact = |key: &'static str| {
        app.client
            .post(app.url(&path("/contacts")))
            .bearer_auth(app.token(DANA))
            .header("Idempotency-Key", key)
            .json(&json!({"channel": "phone", "summary": "Gebeld"}))
            .send()
    };
    let once = Reply::from(contact("c-1").await.unwrap()).await;
    let twice = Reply::from(contact("c-1").await.unwrap()).await;
    assert_eq!((once.status, twice.status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(once.json, twice.json);
    assert_eq!(twice.header("location"), once.header("location"));
    assert_eq!(app.get(&path("/contacts"), DANA).await.json["items"].as_array().unwrap().len(), 1);
}
