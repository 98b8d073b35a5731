//! Access to personal data, also after the first answer: every answer that shows a
//! complaint's details is in its read log; what a caller may not see does not leak through
//! actions, evaluations or filters; an idempotent replay is checked again.

use std::time::Duration;

use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, Person, TestApp, complaint_body};

on_both_databases!(
    every_answer_showing_a_complaint_is_a_logged_read,
    a_corrective_action_tells_of_its_complaint_only_to_who_sees_it,
    a_replay_is_checked_again_and_expires,
);

/// Who read complaint `id` (as `(staff, document)`, newest first), once `expected` reads are
/// written — and no more arrive shortly after.
async fn reads_of(app: &TestApp, id: i64, expected: usize) -> Vec<(String, Value)> {
    let fetch = || async {
        let reads = app.get(&format!("/api/v1/complaints/{id}/reads"), KEES).await;
        reads.json["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| (r["staff"]["id"].as_str().unwrap().to_owned(), r["document_id"].clone()))
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if fetch().await.len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    fetch().await
}

async fn ok(app: &TestApp, path: &str, person: Person) -> Value {
    let reply = app.get(path, person).await;
    assert_eq!(reply.status.as_u16(), 200, "{path}: {}", reply.text);
    reply.json
}

async fn every_answer_showing_a_complaint_is_a_logged_read(app: TestApp) {
    let danas = app.register(DANA, &complaint_body()).await;
    let id = danas["id"].as_i64().unwrap();
    let mut for_eva = complaint_body();
    for_eva["handler_id"] = json!("eva");
    let evas = app.register(KEES, &for_eva).await["id"].as_i64().unwrap();
    let contact = app
        .post(
            &format!("/api/v1/complaints/{id}/contacts"),
            DANA,
            &json!({"channel": "phone", "summary": "Gebeld."}),
        )
        .await;
    assert_eq!(contact.status.as_u16(), 201, "{}", contact.text);
    let contact = contact.json["id"].as_i64().unwrap();
    // Writing is not reading.
    assert_eq!(reads_of(&app, id, 0).await, []);

    let reference = danas["reference"].as_str().unwrap();
    let found = ok(&app, &format!("/api/v1/complaints?q={reference}"), DANA).await;
    assert_eq!(found["items"][0]["complainant"]["name"], "J. de Vries");
    for view in ["timeline", "contacts", &format!("contacts/{contact}"), "documents"] {
        ok(&app, &format!("/api/v1/complaints/{id}/{view}"), DANA).await;
    }
    // A refusal shows nothing, and is no read.
    app.get(&format!("/api/v1/complaints/{id}/timeline"), EVA)
        .await
        .assert_problem(404, "not_found");
    // The coordinator's list shows both complaints: a read of each.
    assert_eq!(ok(&app, "/api/v1/complaints", KEES).await["items"].as_array().unwrap().len(), 2);

    let dana = ("dana".to_owned(), Value::Null);
    let kees = ("kees".to_owned(), Value::Null);
    let mut expected = vec![dana; 5];
    expected.insert(0, kees.clone());
    assert_eq!(reads_of(&app, id, 6).await, expected);
    assert_eq!(reads_of(&app, evas, 1).await, [kees]);
}

async fn created(reply: crate::support::Reply) -> Value {
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.text);
    reply.json
}

async fn a_corrective_action_tells_of_its_complaint_only_to_who_sees_it(app: TestApp) {
    // Eva handles the complaint; Dana is to carry out its corrective action.
    let mut for_eva = complaint_body();
    for_eva["handler_id"] = json!("eva");
    let complaint = app.register(KEES, &for_eva).await["id"].as_i64().unwrap();
    let title = "Excuses aan J. de Vries";
    let action = created(
        app.post(
            "/api/v1/actions",
            KEES,
            &json!({
                "kind": "corrective", "title": title, "description": "Bellen, dan brief.",
                "owner_id": "dana", "complaint_ids": [complaint]
            }),
        )
        .await,
    )
    .await;
    let action = action["id"].as_i64().unwrap();
    let progress = format!("/api/v1/actions/{action}/progress");
    assert!(
        app.post(&progress, KEES, &json!({"note": "J. de Vries gebeld."}))
            .await
            .status
            .is_success()
    );
    let note = "Excuses door J. de Vries aanvaard.";
    let evaluation = json!({
        "meeting_on": "2026-11-02", "period_from": "2026-01-01", "period_to": "2026-10-31",
        "summary": "Rustig jaar.",
        "assessments": [{"action_id": action, "effect": "effective", "note": note}]
    });
    created(app.post("/api/v1/evaluations", KEES, &evaluation).await).await;

    // Those who see the complaint see the action's text.
    for person in [KEES, EVA] {
        let evaluations = ok(&app, "/api/v1/evaluations", person).await;
        let assessment = &evaluations["items"][0]["assessments"][0];
        assert_eq!(assessment["action"]["title"], title);
        assert_eq!(assessment["note"], note);
        assert_eq!(assessment["text_withheld"], false);
        let listed = ok(&app, &format!("/api/v1/actions?complaint={complaint}"), person).await;
        assert_eq!(listed["items"][0]["title"], title);
        assert_eq!(listed["items"][0]["text_withheld"], false);
    }

    // Dana does not: the action and its assessment are shown without their text.
    let evaluations = ok(&app, "/api/v1/evaluations", DANA).await;
    let assessment = &evaluations["items"][0]["assessments"][0];
    assert_eq!(assessment["action"], json!({"id": action, "title": ""}));
    assert_eq!(assessment["note"], "");
    assert_eq!(assessment["text_withheld"], true);
    assert_eq!(assessment["effect"], "effective");
    let evaluation_id = evaluations["items"][0]["id"].as_i64().unwrap();
    let one = ok(&app, &format!("/api/v1/evaluations/{evaluation_id}"), DANA).await;
    assert_eq!(one["assessments"][0]["action"]["title"], "");
    for shown in [
        ok(&app, "/api/v1/actions", DANA).await["items"][0].clone(),
        ok(&app, &format!("/api/v1/actions/{action}"), DANA).await,
    ] {
        assert_eq!(shown["id"], action);
        assert_eq!(shown["text_withheld"], true, "{shown}");
        assert_eq!((&shown["title"], &shown["description"]), (&json!(""), &json!("")));
        assert_eq!(shown["progress"][0]["note"], "");
        assert_eq!((&shown["complaints"], &shown["other_complaints"]), (&json!([]), &json!(1)));
        let text = shown.to_string();
        assert!(!text.contains("Vries") && !text.contains("Bellen"), "{text}");
    }
    // Filtering on the complaint she may not see does not confirm it exists.
    app.get(&format!("/api/v1/actions?complaint={complaint}"), DANA)
        .await
        .assert_problem(404, "not_found");
    app.get("/api/v1/actions?complaint=999999", DANA).await.assert_problem(404, "not_found");
}

async fn with_key(
    app: &TestApp,
    path: &str,
    person: Person,
    key: &str,
    body: &Value,
) -> crate::support::Reply {
    let request = app
        .client
        .post(app.url(path))
        .bearer_auth(app.token(person))
        .header("Idempotency-Key", key)
        .json(body);
    crate::support::Reply::from(request.send().await.unwrap()).await
}

async fn a_replay_is_checked_again_and_expires(app: TestApp) {
    // Kees registers a complaint about Eva for Dana to handle; Dana escalates it with a key.
    let mut body = complaint_body();
    body["handler_id"] = json!("dana");
    body["subject_id"] = json!("eva");
    let complaint = app.register(KEES, &body).await;
    let id = complaint["id"].as_i64().unwrap();
    let escalate = format!("/api/v1/complaints/{id}/escalation");
    let reason = json!({"reason": "Geen oplossing met de cliënt."});
    let first = with_key(&app, &escalate, DANA, "k", &reason).await;
    assert_eq!(first.status.as_u16(), 200, "{}", first.text);
    assert_eq!(with_key(&app, &escalate, DANA, "k", &reason).await.json, first.json);
    // The coordinator hands it to Eva: Dana's replay is answered as a fresh request would be.
    let path = format!("/api/v1/complaints/{id}");
    let etag = app.get(&path, KEES).await.header("etag").unwrap().to_owned();
    let reassigned = app
        .client
        .patch(app.url(&path))
        .bearer_auth(app.token(KEES))
        .header("If-Match", etag)
        .json(&json!({"handler_id": "eva"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reassigned.status().as_u16(), 200);
    app.get(&path, DANA).await.assert_problem(404, "not_found");
    let replay = with_key(&app, &escalate, DANA, "k", &reason).await;
    replay.assert_problem(404, "not_found");
    assert!(!replay.text.contains("Vries"), "{}", replay.text);

    // A stored answer is replayed for 24 hours; then the key is new.
    let contacts = format!("/api/v1/complaints/{id}/contacts");
    let contact = json!({"channel": "phone", "summary": "Gebeld."});
    let first = with_key(&app, &contacts, EVA, "c", &contact).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.text);
    app.clock.advance(chrono::Duration::hours(23));
    assert_eq!(with_key(&app, &contacts, EVA, "c", &contact).await.json["id"], first.json["id"]);
    app.clock.advance(chrono::Duration::hours(2));
    let later = with_key(&app, &contacts, EVA, "c", &contact).await;
    assert_eq!(later.status.as_u16(), 201, "{}", later.text);
    assert_ne!(later.json["id"], first.json["id"], "an expired key replayed its answer");
}
