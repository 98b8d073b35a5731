//! Bad input of every kind gets a problem document that says what was wrong — never a 500.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, TestApp, complaint_body};

on_both_databases!(
    every_invalid_field_is_named,
    all_invalid_fields_are_reported_together,
    malformed_bodies_are_refused_with_problems,
    bad_paths_and_methods_are_problems,
    bad_query_parameters_are_named,
);

fn with(changes: Value) -> Value {
    let mut body = complaint_body();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    body
}

async fn every_invalid_field_is_named(app: TestApp) {
    let cases = [
        (with(json!({"description": null})), "description"),
        (with(json!({"description": "   "})), "description"),
        (with(json!({"description": "x".repeat(10_001)})), "description"),
        (with(json!({"description": 42})), "description"),
        (with(json!({"kind": "klacht"})), "kind"),
        (with(json!({"kind": null})), "kind"),
        (with(json!({"reported_by": "neighbour"})), "reported_by"),
        (with(json!({"reported_by": "employee"})), "reported_by"),
        (with(json!({"client": null})), "client"),
        (with(json!({"client": {"id": "REL 1", "name": "X"}})), "client.id"),
        (with(json!({"client": {"id": "REL-1"}})), "client.name"),
        (with(json!({"matter_reference": null})), "matter_reference"),
        (with(json!({"matter_reference": "m".repeat(101)})), "matter_reference"),
        (with(json!({"complainant": null})), "complainant"),
        (with(json!({"complainant": {"name": "J", "email": "geen-adres"}})), "complainant.email"),
        (with(json!({"complainant": {"name": "J", "phone": "bel maar"}})), "complainant.phone"),
        (with(json!({"complainant": {"name": "", "email": "a@b.nl"}})), "complainant.name"),
        // Each text at one past its documented maximum.
        (with(json!({"complainant": {"name": "n".repeat(201)}})), "complainant.name"),
        (with(json!({"client": {"id": "R".repeat(256), "name": "X"}})), "client.id"),
        (with(json!({"client": {"id": "REL-1", "name": "n".repeat(201)}})), "client.name"),
        (
            with(
                json!({"complainant": {"name": "J", "email": format!("{}@b.nl", "a".repeat(250))}}),
            ),
            "complainant.email",
        ),
        (
            with(json!({"complainant": {"name": "J", "phone": "1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6"}})),
            "complainant.phone",
        ),
        (with(json!({"received_at": "2026-12-01T00:00:00Z"})), "received_at"),
        (with(json!({"received_at": "gisteren"})), "received_at"),
        (with(json!({"received_at": "2026-11-31T08:00:00Z"})), "received_at"),
        (with(json!({"handler_id": ""})), "handler_id"),
        (with(json!({"subject_id": "two words"})), "subject_id"),
        (with(json!({"anonymize_in_meeting": "ja"})), "anonymize_in_meeting"),
        (with(json!({"colour": "red"})), "colour"),
        (with(json!({"complainant": {"name": "J", "age": 40}})), "complainant.age"),
    ];
    for (body, field) in cases {
        let reply = app.post("/api/v1/complaints", DANA, &body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_fields(), [field], "for {field}: {}", reply.text);
    }
    let none = app.get("/api/v1/complaints", DANA).await;
    assert_eq!(none.json["items"], json!([]), "nothing invalid was stored");
}

async fn all_invalid_fields_are_reported_together(app: TestApp) {
    let body = with(json!({
        "client": null,
        "complainant": {"name": "J", "email": "x"},
        "received_at": "2030-01-01T00:00:00Z",
        "handler_id": "a b"
    }));
    let reply = app.post("/api/v1/complaints", DANA, &body).await;
    reply.assert_problem(422, "validation_failed");
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["client", "complainant.email", "handler_id", "received_at"]);
}

async fn malformed_bodies_are_refused_with_problems(app: TestApp) {
    let send = |content_type: Option<&'static str>, body: Vec<u8>| {
        let mut request =
            app.client.post(app.url("/api/v1/complaints")).bearer_auth(app.token(DANA)).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send()
    };
    let reply = |r| crate::support::Reply::from(r);
    let json_type = Some("application/json");

    reply(send(json_type, b"{\"kind\": \"complaint\",".to_vec()).await.unwrap())
        .await
        .assert_problem(400, "malformed_json");
    reply(send(json_type, b"not json at all".to_vec()).await.unwrap())
        .await
        .assert_problem(400, "malformed_json");
    reply(send(json_type, Vec::new()).await.unwrap()).await.assert_problem(400, "body_required");
    let array = reply(send(json_type, b"[1, 2]".to_vec()).await.unwrap()).await;
    array.assert_problem(422, "validation_failed");
    assert_eq!(array.error_fields(), ["body"]);
    let body = serde_json::to_vec(&complaint_body()).unwrap();
    reply(send(Some("text/plain"), body.clone()).await.unwrap())
        .await
        .assert_problem(415, "unsupported_media_type");
    reply(send(None, body.clone()).await.unwrap())
        .await
        .assert_problem(415, "unsupported_media_type");
    reply(send(Some("application/json; charset=utf-8"), body).await.unwrap()).await;

    let huge = serde_json::to_vec(&with(json!({"description": "x".repeat(70 * 1024)}))).unwrap();
    reply(send(json_type, huge).await.unwrap()).await.assert_problem(413, "payload_too_large");
}

async fn bad_paths_and_methods_are_problems(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let id = created["id"].as_i64().unwrap();

    let unknown = app.get("/api/v1/nothing-here", DANA).await;
    unknown.assert_problem(404, "no_such_route");
    let missing = app.get("/api/v1/complaints/999999", DANA).await;
    missing.assert_problem(404, "not_found");
    for bad in ["abc", "1.5", "99999999999999999999999"] {
        let reply = app.get(&format!("/api/v1/complaints/{bad}"), DANA).await;
        reply.assert_problem(400, "invalid_parameter");
    }
    let delete =
        app.call(Method::DELETE, &format!("/api/v1/complaints/{id}"), Some(DANA), None).await;
    delete.assert_problem(405, "method_not_allowed");
    assert_eq!(delete.header("allow"), Some("GET, PATCH"));
    let put = app.call(Method::PUT, "/api/v1/complaints", Some(DANA), Some(&json!({}))).await;
    put.assert_problem(405, "method_not_allowed");
    assert_eq!(put.header("allow"), Some("GET, POST"));
    let still_there = app.get(&format!("/api/v1/complaints/{id}"), DANA).await;
    assert_eq!(still_there.status, StatusCode::OK);
}

async fn bad_query_parameters_are_named(app: TestApp) {
    let cases = [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("status=open", "status"),
        ("kind=klacht", "kind"),
        ("overdue=maybe", "overdue"),
        ("received_from=2026-13-01", "received_from"),
        ("received_to=yesterday", "received_to"),
        ("received_from=2026-11-10&received_to=2026-11-01", "received_to"),
        ("cursor=not-a-cursor", "cursor"),
        ("handler=two%20words", "handler"),
        ("colour=red", "colour"),
    ];
    for (query, field) in cases {
        let reply = app.get(&format!("/api/v1/complaints?{query}"), DANA).await;
        reply.assert_problem(400, "invalid_parameter");
        assert_eq!(reply.error_fields(), [field], "for {query}: {}", reply.text);
    }
}
