//! Editing the registration details: merge-patch semantics, optimistic concurrency, who may
//! change what, and the deadlines that follow.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, DIRK, EVA, KEES, Reply, TestApp, complaint_body};

on_both_databases!(
    an_edit_changes_only_what_it_names,
    a_stale_if_match_is_refused,
    only_a_coordinator_reassigns,
    an_edit_is_validated_like_a_registration,
);

async fn patch_if_match(app: &TestApp, path: &str, etag: &str, body: serde_json::Value) -> Reply {
    let response = app
        .client
        .patch(app.url(path))
        .bearer_auth(app.token(DANA))
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap();
    Reply::from(response).await
}

async fn an_edit_changes_only_what_it_names(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let path = format!("/api/v1/complaints/{}", created["id"]);
    let edited = app
        .patch(
            &path,
            DANA,
            &json!({"root_cause": "Uren dubbel geboekt", "complainant": {"name": "Jan de Vries"}}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    assert_eq!(edited.header("etag"), Some("\"2\""));
    assert_eq!(edited.json["version"], 2);
    assert_eq!(edited.json["root_cause"], "Uren dubbel geboekt");
    assert_eq!(
        edited.json["complainant"],
        json!({"name": "Jan de Vries", "email": null, "phone": null, "address": null})
    );
    assert_eq!(edited.json["description"], created["description"]);
    assert_eq!(edited.json["reference"], created["reference"]);

    let cleared = app.patch(&path, DANA, &json!({"root_cause": null})).await;
    assert_eq!(cleared.json["root_cause"], json!(null));
    assert_eq!(cleared.json["version"], 3);

    // Nothing changes, nothing is written.
    let same = app.patch(&path, DANA, &json!({"description": created["description"]})).await;
    assert_eq!(same.json["version"], 3);

    // What the response term rests on is for a coordinator to change — the handler is
    // usually the person complained about — and a new receipt time moves the term with it.
    for change in [
        json!({"received_at": "2026-11-01T10:00:00Z"}),
        json!({"kind": "error"}),
        json!({"kind": "improvement", "reported_by": "employee"}),
    ] {
        app.patch(&path, DANA, &change).await.assert_problem(403, "coordinator_role_required");
    }
    let earlier = app.patch(&path, KEES, &json!({"received_at": "2026-11-01T10:00:00Z"})).await;
    assert_eq!(earlier.json["response_due_at"], "2026-11-08T10:00:00Z");

    // merge-patch+json is accepted too.
    let merge = app
        .client
        .patch(app.url(&path))
        // Whether the meeting sees it anonymised is not Dana's to decide: it is about her.
        .bearer_auth(app.token(KEES))
        .header("content-type", "application/merge-patch+json")
        .header("if-match", "*")
        .body(r#"{"anonymize_in_meeting": true}"#)
        .send()
        .await
        .unwrap();
    let merge = Reply::from(merge).await;
    assert_eq!(merge.status, StatusCode::OK, "{}", merge.text);
    assert_eq!(merge.json["anonymize_in_meeting"], true);
}

async fn a_stale_if_match_is_refused(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let path = format!("/api/v1/complaints/{}", created["id"]);
    let first = patch_if_match(&app, &path, "\"1\"", json!({"root_cause": "a"})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let stale = patch_if_match(&app, &path, "\"1\"", json!({"root_cause": "b"})).await;
    stale.assert_problem(412, "precondition_failed");
    let any = patch_if_match(&app, &path, "*", json!({"root_cause": "c"})).await;
    assert_eq!(any.json["root_cause"], "c");
    let unparsable = patch_if_match(&app, &path, "version-3", json!({"root_cause": "d"})).await;
    unparsable.assert_problem(400, "invalid_parameter");
    let stored = app.get(&path, DANA).await;
    assert_eq!(stored.json["root_cause"], "c");
    assert_eq!(stored.json["version"], 3);
}

async fn only_a_coordinator_reassigns(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let path = format!("/api/v1/complaints/{}", created["id"]);
    app.patch(&path, DANA, &json!({"handler_id": "eva"}))
        .await
        .assert_problem(403, "coordinator_role_required");

    let reassigned = app.patch(&path, KEES, &json!({"handler_id": "eva"})).await;
    assert_eq!(reassigned.status, StatusCode::OK, "{}", reassigned.text);
    assert_eq!(reassigned.json["handler"]["id"], "eva");
    assert_eq!(reassigned.json["subject"]["id"], "dana", "the subject stays who it was");
    assert_eq!(app.get(&path, EVA).await.status, StatusCode::OK);

    // Made about the coordinator, the complaint passes to the deputy — and the coordinator
    // can no longer reassign it.
    let about_kees = app.patch(&path, DIRK, &json!({"subject_id": "kees"})).await;
    assert_eq!(about_kees.json["coordinator"]["id"], "dirk");
    app.patch(&path, KEES, &json!({"subject_id": "dana"}))
        .await
        .assert_problem(403, "coordinator_is_subject");
}

async fn an_edit_is_validated_like_a_registration(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let path = format!("/api/v1/complaints/{}", created["id"]);
    let cases = [
        (json!({"description": ""}), "description"),
        (json!({"client": null}), "client"),
        (json!({"kind": "complaint", "reported_by": "employee"}), "reported_by"),
        (json!({"received_at": "2027-01-01T00:00:00Z"}), "received_at"),
        (json!({"root_cause": "r".repeat(5001)}), "root_cause"),
        (json!({"handler_id": "a b"}), "handler_id"),
        (json!({"version": 3}), "version"),
    ];
    for (body, field) in cases {
        let reply = app.patch(&path, KEES, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_fields(), [field], "{}", reply.text);
    }
    let unchanged = app.get(&path, DANA).await;
    assert_eq!(unchanged.json["version"], 1);
}
