//! Limits, each answered with a problem document: the write rate per staff member, header
//! size, and the length of lists in bodies. (Body size, string lengths and page `limit` are
//! in `inputs.rs`; the document size in `dossier.rs`.)

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{Backend, DANA, EVA, KEES, TestApp, complaint_body};

pub async fn three_writes_a_minute(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| config.writes_per_minute = 3).await
}

async fn writes_beyond_the_rate_are_refused(app: TestApp) {
    for _ in 0..3 {
        app.register(DANA, &complaint_body()).await;
    }
    let refused = app.post("/api/v1/complaints", DANA, &complaint_body()).await;
    refused.assert_problem(429, "rate_limited");
    let wait: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    // Reads are not limited, and the limit is Dana's alone.
    assert_eq!(app.get("/api/v1/complaints", DANA).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/complaints", EVA, &complaint_body()).await.status, 201);
    // Without a valid token there is nobody to count: 401.
    let anonymous =
        app.call(Method::POST, "/api/v1/complaints", None, Some(&complaint_body())).await;
    anonymous.assert_problem(401, "unauthorized");
}

async fn oversized_headers_are_refused(app: TestApp) {
    let padded = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(app.token(DANA))
        .header("x-padding", "p".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    let reply = crate::support::Reply::from(padded).await;
    reply.assert_problem(431, "headers_too_large");
    // Far beyond: actix closes the connection with a bare 431; the service lives on. A client
    // of its own keeps that closed connection out of the pool the last request draws from.
    let huge = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("x-padding", "p".repeat(200 * 1024))
        .send()
        .await;
    if let Ok(response) = huge {
        assert_eq!(response.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    assert_eq!(app.get("/api/v1/me", DANA).await.status, StatusCode::OK);
}

async fn lists_in_bodies_are_bounded(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let categories = json!({"channel": "oral", "categories": vec!["legal"; 1_000]});
    let refused =
        app.put(&format!("/api/v1/complaints/{id}/classification"), KEES, &categories).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["categories"]);

    let webhook = json!({
        "url": "http://127.0.0.1:9/hooks",
        "event_types": vec!["complaint.closed"; 1_000],
        "secret": "receiver-secret-of-kantoor-a-0123",
    });
    let refused = app.post("/api/v1/webhooks", KEES, &webhook).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["event_types"]);
}

on_both_databases!(oversized_headers_are_refused, lists_in_bodies_are_bounded);

mod rate {
    crate::on_both_databases!(spawn = super::super::three_writes_a_minute; writes_beyond_the_rate_are_refused);

    use super::writes_beyond_the_rate_are_refused;
}
