//! The organisation's settings and its staff.

use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, DIRK, EVA, KEES, OTTO, Reply, TestApp, complaint_body};

on_both_databases!(
    the_settings_are_the_coordinators_to_change,
    the_dispute_body_is_named_by_the_coordinator,
    coordinators_are_two_people_with_the_role,
    staff_are_known_from_their_tokens,
    complaints_are_found_by_text,
);

async fn the_settings_are_the_coordinators_to_change(app: TestApp) {
    let read = app.get("/api/v1/organisation", DANA).await;
    assert_eq!(read.json["id"], "kantoor-a");
    assert_eq!(read.json["response_term_days"], 7);
    assert_eq!(read.json["coordinator"]["id"], "kees");
    assert_eq!(read.json["deputy_coordinator"]["id"], "dirk");
    assert_eq!(read.json["due_soon_hours"], 24);
    let etag = read.header("etag").unwrap().to_owned();

    app.patch("/api/v1/organisation", DANA, &json!({"response_term_days": 5}))
        .await
        .assert_problem(403, "coordinator_role_required");
    let changed = app
        .patch(
            "/api/v1/organisation",
            KEES,
            &json!({"response_term_days": 14, "regulation_text": "Klachtenregeling\nAlgemeen …"}),
        )
        .await;
    assert_eq!(changed.json["response_term_days"], 14);
    assert_eq!(changed.json["regulation_text"], "Klachtenregeling\nAlgemeen …");
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
    let stale = app
        .client
        .patch(app.url("/api/v1/organisation"))
        .bearer_auth(app.token(KEES))
        .header("If-Match", etag)
        .json(&json!({"name": "Nieuw"}))
        .send()
        .await
        .unwrap();
    Reply::from(stale).await.assert_problem(412, "precondition_failed");
    for (body, field) in [
        (json!({"response_term_days": 0}), "response_term_days"),
        (json!({"response_term_days": 91}), "response_term_days"),
        (json!({"due_soon_hours": 0}), "due_soon_hours"),
        (json!({"due_soon_hours": 169}), "due_soon_hours"),
        (json!({"name": " "}), "name"),
        (json!({"regulation_text": "x".repeat(50_001)}), "regulation_text"),
        (json!({"term": 7}), "term"),
    ] {
        let refused = app.patch("/api/v1/organisation", KEES, &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }

    // The new term applies to complaints received from now on.
    let complaint = app.register(DANA, &complaint_body()).await;
    assert_eq!(complaint["response_due_at"], "2026-11-16T08:30:00Z");
    // Kantoor B's settings are its own.
    assert_eq!(app.get("/api/v1/organisation", OTTO).await.json["response_term_days"], 7);
}

async fn the_dispute_body_is_named_by_the_coordinator(app: TestApp) {
    let path = "/api/v1/organisation";
    assert_eq!(app.get(path, DANA).await.json["dispute_body"], json!(null));
    let kifid = json!({
        "name": " Kifid ", "address": "Postbus 93257\n2509 AG Den Haag", "url": "https://www.kifid.nl"
    });
    app.patch(path, DANA, &json!({"dispute_body": kifid}))
        .await
        .assert_problem(403, "coordinator_role_required");
    let named = app.patch(path, KEES, &json!({"dispute_body": kifid})).await;
    assert!(named.status.is_success(), "{}", named.text);
    let expected = json!({
        "name": "Kifid", "address": "Postbus 93257\n2509 AG Den Haag", "url": "https://www.kifid.nl"
    });
    assert_eq!(named.json["dispute_body"], expected);
    assert_eq!(app.get(path, DANA).await.json["dispute_body"], expected);
    // Only the name is needed; a patch that leaves it out keeps it.
    let renamed = app.patch(path, KEES, &json!({"name": "Kantoor Vuijst B.V."})).await;
    assert_eq!(renamed.json["dispute_body"], expected);

    for (body, field) in [
        (json!({"name": " "}), "dispute_body.name"),
        (json!({"name": "x".repeat(201)}), "dispute_body.name"),
        (json!({"name": "Kifid", "address": "x".repeat(501)}), "dispute_body.address"),
        (json!({"name": "Kifid", "url": "javascript:alert(1)"}), "dispute_body.url"),
        (json!({"name": "Kifid", "url": "ftp://kifid.nl"}), "dispute_body.url"),
        (json!({"name": "Kifid", "url": "www.kifid.nl"}), "dispute_body.url"),
    ] {
        let refused = app.patch(path, KEES, &json!({ "dispute_body": body })).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }
    assert_eq!(app.get(path, KEES).await.json["dispute_body"], expected);
    let cleared = app.patch(path, KEES, &json!({"dispute_body": null})).await;
    assert_eq!(cleared.json["dispute_body"], json!(null));
    // Kantoor B's setting is its own.
    assert_eq!(app.get(path, OTTO).await.json["dispute_body"], json!(null));
}

async fn coordinators_are_two_people_with_the_role(app: TestApp) {
    // Dirk and Eva sign in, so the service knows their roles.
    app.get("/api/v1/me", DIRK).await;
    app.get("/api/v1/me", EVA).await;
    for (body, field) in [
        (json!({"coordinator_id": "eva"}), "coordinator_id"),
        (json!({"deputy_coordinator_id": "someone-new"}), "deputy_coordinator_id"),
        (json!({"deputy_coordinator_id": "kees"}), "deputy_coordinator_id"),
        (json!({"coordinator_id": "a b"}), "coordinator_id"),
    ] {
        let refused = app.patch("/api/v1/organisation", KEES, &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }
    // Kees hands over to Dirk and has no deputy for now.
    let handed_over = app
        .patch(
            "/api/v1/organisation",
            KEES,
            &json!({"coordinator_id": "dirk", "deputy_coordinator_id": null}),
        )
        .await;
    assert_eq!(handed_over.json["coordinator"]["id"], "dirk");
    assert_eq!(handed_over.json["deputy_coordinator"], json!(null));
    let mut about_dirk = complaint_body();
    about_dirk["subject_id"] = json!("dirk");
    assert_eq!(app.register(DANA, &about_dirk).await["coordinator"], json!(null));
    assert_eq!(app.register(DANA, &complaint_body()).await["coordinator"]["id"], "dirk");
}

async fn staff_are_known_from_their_tokens(app: TestApp) {
    app.get("/api/v1/me", DANA).await;
    app.get("/api/v1/me", KEES).await;
    app.get("/api/v1/me", EVA).await;
    // The coordinator sees the roles; a dienstverlener ids and names only (confidentiality.rs).
    let staff = app.get("/api/v1/staff", KEES).await;
    let people: Vec<(String, serde_json::Value)> = staff.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_owned(), p["roles"].clone()))
        .collect();
    assert!(people.contains(&("dana".into(), json!(["dienstverlener"]))), "{people:?}");
    assert!(
        people.contains(&("kees".into(), json!(["dienstverlener", "klachtencoordinator"]))),
        "{people:?}"
    );
    assert!(people.contains(&("eva".into(), json!(["dienstverlener"]))), "{people:?}");
    let dirk = staff.json["items"].as_array().unwrap().iter().find(|p| p["id"] == "dirk").unwrap();
    assert_eq!(dirk["last_seen_at"], json!(null), "named, not yet signed in");
    assert!(!people.iter().any(|(id, _)| id == "otto"), "another organisation's staff");
    let paged = app.get("/api/v1/staff?limit=2", EVA).await;
    assert_eq!(paged.json["items"].as_array().unwrap().len(), 2);
    assert!(paged.json["next_cursor"].is_string());
}

async fn complaints_are_found_by_text(app: TestApp) {
    app.register(DANA, &complaint_body()).await;
    let mut other = complaint_body();
    other["description"] = json!("Afspraak 100% vergeten");
    other["client"] = json!({"id": "REL-2", "name": "Bakkerij Jansen"});
    app.register(DANA, &other).await;
    let found = |q: &'static str| {
        let app = &app;
        async move {
            let list = app.get(&format!("/api/v1/complaints?q={q}"), KEES).await;
            list.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["reference"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found("DECLARATIE").await, ["KL-2026-0001"]);
    assert_eq!(found("bakkerij").await, ["KL-2026-0002"]);
    assert_eq!(found("rel-10442").await, ["KL-2026-0001"]);
    assert_eq!(found("KL-2026-0002").await, ["KL-2026-0002"]);
    assert_eq!(found("100%25").await, ["KL-2026-0002"]);
    assert!(found("%25%25").await.is_empty(), "% matches itself, not anything");
    assert_eq!(found("z-2026-114").await.len(), 2);
    app.get(&format!("/api/v1/complaints?q={}", "x".repeat(201)), KEES)
        .await
        .assert_problem(400, "invalid_parameter");
    // PostgreSQL refuses a NUL byte in text: it is the caller's mistake, not a server error.
    app.get("/api/v1/complaints?q=ab%00cd", KEES).await.assert_problem(400, "invalid_parameter");
}
