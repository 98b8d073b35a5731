//! Nobody sees a complaint they have no part in (DESIGN.md §3): to them it does not exist.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, OTTO, TestApp, complaint_body};

on_both_databases!(
    a_dienstverlener_sees_only_complaints_they_are_party_to,
    another_organisation_sees_nothing,
);

fn ids(reply: &crate::support::Reply) -> Vec<i64> {
    reply.json["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

async fn a_dienstverlener_sees_only_complaints_they_are_party_to(app: TestApp) {
    let danas = app.register(DANA, &complaint_body()).await;
    let mut about_eva = complaint_body();
    about_eva["subject_id"] = json!("eva");
    let registered_by_dana_about_eva = app.register(DANA, &about_eva).await;
    let mut for_kees = complaint_body();
    for_kees["handler_id"] = json!("kees");
    let keeses = app.register(KEES, &for_kees).await;

    let path = |c: &serde_json::Value| format!("/api/v1/complaints/{}", c["id"]);
    // Eva is not party to Dana's own complaint.
    app.get(&path(&danas), EVA).await.assert_problem(404, "not_found");
    app.patch(&path(&danas), EVA, &json!({"description": "x"}))
        .await
        .assert_problem(404, "not_found");
    // As its subject she sees the one about her, but cannot edit it: she does not handle it.
    assert_eq!(app.get(&path(&registered_by_dana_about_eva), EVA).await.status, StatusCode::OK);
    app.patch(&path(&registered_by_dana_about_eva), EVA, &json!({"description": "x"}))
        .await
        .assert_problem(403, "handler_or_coordinator_required");
    // Dana registered Kees's and handles neither: invisible to her.
    app.get(&path(&keeses), DANA).await.assert_problem(404, "not_found");

    let eva_list = app.get("/api/v1/complaints", EVA).await;
    assert_eq!(ids(&eva_list), [registered_by_dana_about_eva["id"].as_i64().unwrap()]);
    let dana_list = app.get("/api/v1/complaints", DANA).await;
    assert_eq!(dana_list.json["items"].as_array().unwrap().len(), 2);
    let kees_list = app.get("/api/v1/complaints", KEES).await;
    assert_eq!(kees_list.json["items"].as_array().unwrap().len(), 3, "the coordinator sees all");
    // Filtering by handler does not widen the scope.
    let by_handler = app.get("/api/v1/complaints?handler=kees", EVA).await;
    assert_eq!(ids(&by_handler), Vec::<i64>::new());
}

async fn another_organisation_sees_nothing(app: TestApp) {
    let danas = app.register(DANA, &complaint_body()).await;
    let path = format!("/api/v1/complaints/{}", danas["id"]);
    app.get(&path, OTTO).await.assert_problem(404, "not_found");
    app.patch(&path, OTTO, &json!({"description": "x"})).await.assert_problem(404, "not_found");
    let list = app.get("/api/v1/complaints", OTTO).await;
    assert_eq!(list.json["items"], json!([]));
    let otto_own = app
        .register(OTTO, &{
            let mut body = complaint_body();
            body["handler_id"] = json!("otto");
            body
        })
        .await;
    assert_eq!(otto_own["reference"], "KL-2026-0001", "references count per organisation");
    app.get(&format!("/api/v1/complaints/{}", otto_own["id"]), KEES)
        .await
        .assert_problem(404, "not_found");
}
