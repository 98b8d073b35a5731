//! Actions: corrective and improvement, the coordinator's consent before work starts,
//! progress and side effects, who sees what, and follow-up measures.

use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, DIRK, EVA, KEES, OTTO, Person, Reply, TestApp, complaint_body};

on_both_databases!(
    a_proposal_needs_consent_before_work,
    only_the_right_people_record_actions,
    actions_are_seen_by_those_concerned,
    actions_are_filtered_and_followed_up,
);

async fn created(reply: Reply) -> Value {
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.text);
    reply.json
}

async fn ok(reply: Reply) -> Value {
    assert!(reply.status.is_success(), "{}: {}", reply.status, reply.text);
    reply.json
}

async fn complaint(app: &TestApp, by: Person, changes: Value) -> i64 {
    let mut body = complaint_body();
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.register(by, &body).await["id"].as_i64().unwrap()
}

async fn a_proposal_needs_consent_before_work(app: TestApp) {
    let c = complaint(&app, DANA, json!({})).await;
    let action = created(
        app.post(
            "/api/v1/actions",
            DANA,
            &json!({
                "kind": "corrective", "title": "Creditnota sturen", "description": "Te veel uren",
                "due_on": "2026-11-20", "complaint_ids": [c]
            }),
        )
        .await,
    )
    .await;
    let path = format!("/api/v1/actions/{}", action["id"]);
    assert_eq!(action["status"], "proposed");
    assert_eq!(action["owner"]["id"], "dana");
    assert_eq!(action["complaints"], json!([{"id": c, "reference": "KL-2026-0001"}]));
    assert_eq!(action["approved_by"], Value::Null);

    app.patch(&path, DANA, &json!({"status": "in_progress"}))
        .await
        .assert_problem(409, "approval_required");
    app.post(&format!("{path}/progress"), DANA, &json!({"note": "x"}))
        .await
        .assert_problem(409, "approval_required");
    app.post(&format!("{path}/approval"), DANA, &json!({}))
        .await
        .assert_problem(403, "coordinator_role_required");
    // The proposer still shapes the proposal.
    let reshaped =
        ok(app.patch(&path, DANA, &json!({"title": "Creditnota en excuses"})).await).await;
    assert_eq!(reshaped["title"], "Creditnota en excuses");

    let approved = ok(app.post(&format!("{path}/approval"), KEES, &json!({})).await).await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_by"]["id"], "kees");
    app.post(&format!("{path}/approval"), KEES, &json!({}))
        .await
        .assert_problem(409, "already_approved");
    app.patch(&path, DANA, &json!({"title": "Anders"}))
        .await
        .assert_problem(403, "coordinator_role_required");

    let started = ok(app.patch(&path, DANA, &json!({"status": "in_progress"})).await).await;
    assert_eq!(started["status"], "in_progress");
    let noted = ok(app
        .post(&format!("{path}/progress"), DANA, &json!({"note": "Creditnota opgesteld"}))
        .await)
    .await;
    assert_eq!(noted["progress"][0]["note"], "Creditnota opgesteld");
    assert_eq!(noted["progress"][0]["recorded_by"]["id"], "dana");
    let done = ok(app.patch(&path, DANA, &json!({"status": "done"})).await).await;
    assert_eq!(done["status"], "done");
    assert!(done["completed_at"].is_string());
    app.post(&format!("{path}/progress"), DANA, &json!({"note": "na afloop"}))
        .await
        .assert_problem(409, "action_not_open");
    let side = ok(app
        .post(
            &format!("{path}/side-effects"),
            KEES,
            &json!({"note": "Cliënt vraagt nu bij elke factuur na"}),
        )
        .await)
    .await;
    assert_eq!(side["side_effects"][0]["note"], "Cliënt vraagt nu bij elke factuur na");
    app.patch(&path, KEES, &json!({"status": "cancelled"}))
        .await
        .assert_problem(409, "action_not_open");
    app.patch(&path, KEES, &json!({"status": "approved"}))
        .await
        .assert_problem(422, "validation_failed");

    // Every step is in the complaint's dossier.
    let timeline = app.get(&format!("/api/v1/complaints/{c}/timeline"), DANA).await;
    let action_events = timeline.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_str().unwrap().starts_with("action."))
        .count();
    assert_eq!(action_events, 7);
}

async fn only_the_right_people_record_actions(app: TestApp) {
    let danas = complaint(&app, DANA, json!({})).await;
    let evas = complaint(&app, EVA, json!({})).await;
    let about_dana = complaint(&app, EVA, json!({"subject_id": "dana"})).await;
    let body =
        |kind: &str, ids: Value| json!({"kind": kind, "title": "Maatregel", "complaint_ids": ids});

    app.post("/api/v1/actions", DANA, &body("improvement", json!([danas])))
        .await
        .assert_problem(403, "coordinator_role_required");
    for (ids, field) in [
        (json!([]), "complaint_ids"),
        (json!([danas, about_dana]), "complaint_ids"),
        (json!([evas]), "complaint_ids[0]"),
        (json!([999_999]), "complaint_ids[0]"),
    ] {
        let refused = app.post("/api/v1/actions", DANA, &body("corrective", ids)).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{}", refused.text);
    }
    // Dana sees the complaint about her, but it is Eva's to handle.
    app.post("/api/v1/actions", DANA, &body("corrective", json!([about_dana])))
        .await
        .assert_problem(403, "handler_or_coordinator_required");
    let refused = app
        .post("/api/v1/actions", KEES, &json!({"kind": "improvement", "title": " ", "due_on": "1980-01-01", "complaint_ids": [danas, danas]}))
        .await;
    let mut fields = refused.error_fields();
    fields.sort();
    assert_eq!(fields, ["complaint_ids", "due_on", "title"]);
    let improvement = created(
        app.post("/api/v1/actions", KEES, &body("improvement", json!([danas, evas]))).await,
    )
    .await;
    assert_eq!(improvement["status"], "approved", "a coordinator's action starts approved");

    // An action on a complaint about the coordinator is approved by the deputy.
    let about_kees = complaint(&app, DANA, json!({"subject_id": "kees"})).await;
    let proposal =
        created(app.post("/api/v1/actions", DANA, &body("corrective", json!([about_kees]))).await)
            .await;
    let approval = format!("/api/v1/actions/{}/approval", proposal["id"]);
    app.post(&approval, KEES, &json!({})).await.assert_problem(403, "coordinator_is_subject");
    assert_eq!(ok(app.post(&approval, DIRK, &json!({})).await).await["approved_by"]["id"], "dirk");
    // So is one Kees records himself: it does not start approved by his own hand.
    let his_own =
        created(app.post("/api/v1/actions", KEES, &body("improvement", json!([about_kees]))).await)
            .await;
    assert_eq!(his_own["status"], "proposed");
    let approval = format!("/api/v1/actions/{}/approval", his_own["id"]);
    app.post(&approval, KEES, &json!({})).await.assert_problem(403, "coordinator_is_subject");
    assert_eq!(ok(app.post(&approval, DIRK, &json!({})).await).await["status"], "approved");
}

async fn actions_are_seen_by_those_concerned(app: TestApp) {
    let danas = complaint(&app, DANA, json!({})).await;
    let evas = complaint(&app, EVA, json!({})).await;
    let corrective = created(
        app.post(
            "/api/v1/actions",
            DANA,
            &json!({"kind": "corrective", "title": "Bellen", "complaint_ids": [danas]}),
        )
        .await,
    )
    .await;
    let shared = created(
        app.post(
            "/api/v1/actions",
            KEES,
            &json!({"kind": "improvement", "title": "Sjabloon", "complaint_ids": [danas, evas]}),
        )
        .await,
    )
    .await;
    let owned_by_eva = created(
        app.post(
            "/api/v1/actions",
            KEES,
            &json!({"kind": "improvement", "title": "Training", "owner_id": "eva"}),
        )
        .await,
    )
    .await;

    let path = |a: &Value| format!("/api/v1/actions/{}", a["id"]);
    app.get(&path(&corrective), EVA).await.assert_problem(404, "not_found");
    app.patch(&path(&corrective), EVA, &json!({"title": "x"}))
        .await
        .assert_problem(404, "not_found");
    app.get(&path(&corrective), OTTO).await.assert_problem(404, "not_found");
    // Eva sees the shared action through her complaint, but not Dana's complaint in it.
    let seen_by_eva = ok(app.get(&path(&shared), EVA).await).await;
    assert_eq!(seen_by_eva["complaints"].as_array().unwrap().len(), 1);
    assert_eq!(seen_by_eva["complaints"][0]["id"], evas);
    assert_eq!(seen_by_eva["other_complaints"], 1);
    let seen_by_kees = ok(app.get(&path(&shared), KEES).await).await;
    assert_eq!(
        (
            seen_by_kees["complaints"].as_array().unwrap().len(),
            seen_by_kees["other_complaints"].as_i64()
        ),
        (2, Some(0))
    );
    // Eva works on what she owns, not on what she only sees.
    ok(app
        .post(&format!("{}/progress", path(&owned_by_eva)), EVA, &json!({"note": "Gepland"}))
        .await)
    .await;
    app.post(&format!("{}/progress", path(&shared)), EVA, &json!({"note": "x"}))
        .await
        .assert_problem(403, "owner_or_coordinator_required");

    let ids = |reply: Reply| -> Vec<i64> {
        reply.json["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
    };
    let id = |a: &Value| a["id"].as_i64().unwrap();
    assert_eq!(ids(app.get("/api/v1/actions", EVA).await), [id(&owned_by_eva), id(&shared)]);
    assert_eq!(ids(app.get("/api/v1/actions", DANA).await), [id(&shared), id(&corrective)]);
    assert_eq!(ids(app.get("/api/v1/actions", KEES).await).len(), 3);
    assert_eq!(
        ids(app.get(&format!("/api/v1/complaints/{danas}/actions"), DANA).await),
        [id(&shared), id(&corrective)]
    );
    app.get(&format!("/api/v1/complaints/{danas}/actions"), EVA)
        .await
        .assert_problem(404, "not_found");
}

async fn actions_are_filtered_and_followed_up(app: TestApp) {
    let c = complaint(&app, DANA, json!({})).await;
    let late = created(
        app.post("/api/v1/actions", KEES, &json!({"kind": "improvement", "title": "Laat", "owner_id": "dana", "due_on": "2026-11-01", "complaint_ids": [c]})).await,
    )
    .await;
    let proposal = created(
        app.post(
            "/api/v1/actions",
            DANA,
            &json!({"kind": "corrective", "title": "Voorstel", "complaint_ids": [c]}),
        )
        .await,
    )
    .await;
    let follow_up = created(
        app.post("/api/v1/actions", KEES, &json!({"kind": "improvement", "title": "Aanvulling", "follow_up_of": late["id"], "due_on": "2026-12-01"})).await,
    )
    .await;
    assert_eq!(late["overdue"], true);
    assert_eq!(follow_up["follow_up_of"], late["id"]);
    assert_eq!(
        ok(app.get(&format!("/api/v1/actions/{}", late["id"]), KEES).await).await["follow_ups"],
        json!([follow_up["id"]])
    );
    let refused = app
        .post(
            "/api/v1/actions",
            KEES,
            &json!({"kind": "improvement", "title": "x", "follow_up_of": 999_999}),
        )
        .await;
    assert_eq!(refused.error_fields(), ["follow_up_of"]);

    let ids = |query: &'static str| {
        let app = &app;
        async move {
            let list = app.get(&format!("/api/v1/actions?{query}"), KEES).await;
            list.json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids("overdue=true").await, [late["id"].clone()]);
    assert_eq!(ids("status=proposed").await, [proposal["id"].clone()]);
    assert_eq!(ids("kind=corrective").await, [proposal["id"].clone()]);
    assert_eq!(ids("owner=dana").await, [proposal["id"].clone(), late["id"].clone()]);
    assert_eq!(ids("owner=nobody").await, Vec::<Value>::new());
    assert_eq!(ids("limit=1").await.len(), 1);
    // A complaint that does not exist is not found, as one the caller may not see is.
    app.get("/api/v1/actions?complaint=999", KEES).await.assert_problem(404, "not_found");
    app.get("/api/v1/actions?status=busy", KEES).await.assert_problem(400, "invalid_parameter");
}
