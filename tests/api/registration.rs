//! Registering complaints: the form, its defaults, the reference, the term, the coordinator
//! in charge, idempotent retries and the events written with it.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, DIRK, EVA, KEES, TestApp, complaint_body};
use klachtenregister::store::events;

on_both_databases!(
    a_registration_is_stored_and_read_back,
    a_coordinator_registers_for_a_named_handler,
    a_complaint_about_the_coordinator_goes_to_the_deputy,
    an_employee_reports_an_error_without_a_term,
    a_retried_registration_creates_one_complaint,
    an_idempotency_key_is_bound_to_its_body,
    registration_and_edit_write_their_events,
);

async fn a_registration_is_stored_and_read_back(app: TestApp) {
    let reply = app.post("/api/v1/complaints", DANA, &complaint_body()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let created = &reply.json;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(reply.header("location"), Some(format!("/api/v1/complaints/{id}").as_str()));
    assert_eq!(reply.header("etag"), Some("\"1\""));
    assert_eq!(created["reference"], "KL-2026-0001");
    assert_eq!(created["status"], "registered");
    assert_eq!(created["kind"], "complaint");
    assert_eq!(created["received_at"], "2026-11-02T08:30:00Z");
    // The one-week term runs from receipt.
    assert_eq!(created["response_due_at"], "2026-11-09T08:30:00Z");
    assert_eq!(created["overdue"], false);
    assert_eq!(created["handler"], json!({"id": "dana", "name": "Dana de Wit"}));
    assert_eq!(created["subject"], created["handler"]);
    assert_eq!(created["registered_by"], created["handler"]);
    assert_eq!(created["coordinator"]["id"], "kees");
    assert_eq!(created["complainant"]["name"], "J. de Vries");
    assert_eq!(created["client"], json!({"id": "REL-10442", "name": "De Vries Holding B.V."}));
    assert_eq!(created["version"], 1);

    let read = app.get(&format!("/api/v1/complaints/{id}"), DANA).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(&read.json, created);

    let second = app.register(DANA, &complaint_body()).await;
    assert_eq!(second["reference"], "KL-2026-0002");
}

async fn a_coordinator_registers_for_a_named_handler(app: TestApp) {
    let mut body = complaint_body();
    body["handler_id"] = json!("eva");
    let created = app.register(DIRK, &body).await;
    assert_eq!(created["handler"]["id"], "eva");
    assert_eq!(created["subject"]["id"], "eva");
    assert_eq!(created["registered_by"]["id"], "dirk");
    // Eva has not signed in yet: she is known by id, her name comes with her first token.
    assert_eq!(created["handler"]["name"], json!(null));
    app.get("/api/v1/me", EVA).await;
    let read = app.get(&format!("/api/v1/complaints/{}", created["id"]), EVA).await;
    assert_eq!(read.json["handler"]["name"], "Eva Jansen");

    // A coordinator who is not a dienstverlener must name the handler.
    let unnamed = app.post("/api/v1/complaints", DIRK, &complaint_body()).await;
    unnamed.assert_problem(422, "validation_failed");
    assert_eq!(unnamed.error_fields(), ["handler_id"]);
}

async fn a_complaint_about_the_coordinator_goes_to_the_deputy(app: TestApp) {
    let mut body = complaint_body();
    body["subject_id"] = json!("kees");
    let created = app.register(DANA, &body).await;
    assert_eq!(created["subject"]["id"], "kees");
    assert_eq!(created["handler"]["id"], "dana");
    assert_eq!(created["coordinator"]["id"], "dirk");
}

async fn an_employee_reports_an_error_without_a_term(app: TestApp) {
    let created = app
        .register(
            EVA,
            &json!({
                "kind": "error",
                "reported_by": "employee",
                "description": "Verkeerde termijn in de conceptbrief gebruikt."
            }),
        )
        .await;
    assert_eq!(created["kind"], "error");
    assert_eq!(created["received_at"], "2026-11-02T09:00:00Z", "defaults to now");
    assert_eq!(created["response_due_at"], json!(null));
    assert_eq!(created["complainant"], json!(null));
    app.clock.advance(chrono::Duration::days(30));
    let later = app.get(&format!("/api/v1/complaints/{}", created["id"]), EVA).await;
    assert_eq!(later.json["overdue"], false);
}

async fn a_retried_registration_creates_one_complaint(app: TestApp) {
    let send = || {
        app.client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(app.token(DANA))
            .header("Idempotency-Key", "pms-42-register")
            .json(&complaint_body())
            .send()
    };
    let first = crate::support::Reply::from(send().await.unwrap()).await;
    let retry = crate::support::Reply::from(send().await.unwrap()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.text, first.text);
    assert_eq!(retry.header("location"), first.header("location"));
    assert_eq!(retry.header("etag"), first.header("etag"));
    let all = app.get("/api/v1/complaints", KEES).await;
    assert_eq!(all.json["items"].as_array().unwrap().len(), 1);

    // The key belongs to its sender: Eva's request with the same key is her own.
    let evas = app
        .client
        .post(app.url("/api/v1/complaints"))
        .bearer_auth(app.token(EVA))
        .header("Idempotency-Key", "pms-42-register")
        .json(&complaint_body())
        .send()
        .await
        .unwrap();
    let evas = crate::support::Reply::from(evas).await;
    assert_eq!(evas.status, StatusCode::CREATED);
    assert_ne!(evas.json["id"], first.json["id"]);
}

async fn an_idempotency_key_is_bound_to_its_body(app: TestApp) {
    let send = |body: serde_json::Value, key: &'static str| {
        app.client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(app.token(DANA))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = crate::support::Reply::from(send(complaint_body(), "k-1").await.unwrap()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let mut other = complaint_body();
    other["description"] = json!("Een andere klacht.");
    let reused = crate::support::Reply::from(send(other, "k-1").await.unwrap()).await;
    reused.assert_problem(422, "idempotency_key_reused");
    let bad_key =
        crate::support::Reply::from(send(complaint_body(), "with space").await.unwrap()).await;
    bad_key.assert_problem(400, "invalid_parameter");
    assert_eq!(bad_key.error_fields(), ["Idempotency-Key"]);
    let all = app.get("/api/v1/complaints", KEES).await;
    assert_eq!(all.json["items"].as_array().unwrap().len(), 1);
}

async fn registration_and_edit_write_their_events(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let id = created["id"].as_i64().unwrap();
    let edited = app
        .patch(
            &format!("/api/v1/complaints/{id}"),
            DANA,
            &json!({"description": "Declaratie oktober te hoog."}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);

    let mut conn = app.db.connection().unwrap();
    let log = events::for_complaint(&mut conn, id, None, 100).unwrap();
    let types: Vec<&str> = log.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["complaint.registered", "complaint.updated"]);
    let registered: serde_json::Value = serde_json::from_str(&log[0].data).unwrap();
    assert_eq!(registered["reference"], "KL-2026-0001");
    assert_eq!(registered["coordinator"], "kees");
    // The event commits to the texts it changed (DESIGN.md §9); the timeline shows them.
    let updated: serde_json::Value = serde_json::from_str(&log[1].data).unwrap();
    for side in ["before", "after"] {
        let digest = updated["changes"]["description"][side]["sha256"].as_str().unwrap();
        assert_eq!(digest.len(), 64, "{updated}");
    }
    assert!(!log[1].data.contains("Declaratie"), "{}", log[1].data);
    assert!(log.iter().all(|e| e.actor_id.is_some()));

    let timeline = app.get(&format!("/api/v1/complaints/{id}/timeline"), KEES).await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.text);
    let shown = &timeline.json["items"][1]["data"]["changes"]["description"];
    assert_eq!(shown["before"]["text"], "De cliënt vindt de declaratie van oktober te hoog.");
    assert_eq!(shown["after"]["text"], "Declaratie oktober te hoog.");
    assert_eq!(shown["after"]["state"], "intact");
}
