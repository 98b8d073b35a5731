//! Webhooks: the coordinator's subscriptions, deliveries to a real HTTP receiver with a
//! signature the receiver can check, retries with backoff on the service's clock, the
//! delivery log, and deliveries that survive a crash.

use chrono::Duration;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::on_both_databases;
use crate::receivers::{Request, WebhookReceiver};
use crate::support::{DANA, KEES, OTTO, TestApp, complaint_body};

const SECRET: &str = "receiver-secret-of-kantoor-a-0123";

async fn subscribe(app: &TestApp, url: &str, types: &[&str], active: bool) -> Value {
    let reply = app
        .post(
            "/api/v1/webhooks",
            KEES,
            &json!({"url": url, "event_types": types, "secret": SECRET, "active": active}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json
}

/// Checks the signature as a receiver would, with nothing but the secret and the request.
fn assert_signed(request: &Request) -> Value {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{}.{}", request.timestamp, request.body).as_bytes());
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(request.signature, format!("v1={expected}"), "signature of {}", request.body);
    assert_eq!(request.content_type, "application/json");
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body["id"].to_string(), request.event_id);
    body
}

async fn log(app: &TestApp, subscription: i64) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/webhooks/{subscription}/deliveries"), KEES).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["items"].as_array().unwrap().clone()
}

/// The subscription's delivery log once `recorded` holds of it (at most five seconds on).
async fn log_once(
    app: &TestApp,
    subscription: i64,
    recorded: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..100 {
        let deliveries = log(app, subscription).await;
        if !deliveries.is_empty() && recorded(&deliveries) {
            return deliveries;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    log(app, subscription).await
}

async fn subscriptions_are_the_coordinators(app: TestApp) {
    let body = json!({"url": "http://127.0.0.1:9/hooks", "event_types": ["*"], "secret": SECRET});
    app.post("/api/v1/webhooks", DANA, &body)
        .await
        .assert_problem(403, "coordinator_role_required");
    app.get("/api/v1/webhooks", DANA).await.assert_problem(403, "coordinator_role_required");

    let bad = json!({"url": "http://pms.example.nl/hooks", "event_types": ["complaint.eaten"], "secret": "kort"});
    let refused = app.post("/api/v1/webhooks", KEES, &bad).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["url", "event_types", "secret"]);

    let created = app.post("/api/v1/webhooks", KEES, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert!(created.json.get("secret").is_none(), "the secret is write-only: {}", created.text);
    assert!(!created.text.contains(SECRET));
    assert_eq!(created.json["event_types"], json!(["*"]));
    assert_eq!(created.json["active"], true);
    assert_eq!(created.json["created_by"]["id"], "kees");
    let location = created.header("location").unwrap().to_owned();
    assert_eq!(app.get(&location, KEES).await.json, created.json);
    // Another organisation's coordinator does not see it.
    app.get(&location, OTTO).await.assert_problem(404, "not_found");
    assert_eq!(app.get("/api/v1/webhooks", OTTO).await.json["items"], json!([]));
    assert_eq!(app.get("/api/v1/webhooks", KEES).await.json["items"], json!([created.json]));

    let paused = app
        .client
        .patch(app.url(&location))
        .bearer_auth(app.token(KEES))
        .header("If-Match", "\"1\"")
        .json(&json!({"active": false, "event_types": ["complaint.closed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status(), StatusCode::OK);
    let paused: Value = paused.json().await.unwrap();
    assert_eq!((paused["active"].clone(), paused["version"].clone()), (json!(false), json!(2)));
    assert_eq!(paused["event_types"], json!(["complaint.closed"]));

    let stale = app
        .client
        .delete(app.url(&location))
        .bearer_auth(app.token(KEES))
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(app.call(Method::DELETE, &location, Some(OTTO), None).await.status, 404);
    assert_eq!(app.call(Method::DELETE, &location, Some(KEES), None).await.status, 204);
    app.get(&location, KEES).await.assert_problem(404, "not_found");
}

async fn events_arrive_signed_and_failed_ones_are_retried(app: TestApp) {
    let receiver = WebhookReceiver::start();
    let subscription =
        subscribe(&app, &receiver.url, &["complaint.registered", "complaint.escalated"], true)
            .await["id"]
            .as_i64()
            .unwrap();
    receiver.refuse_next(1);
    let complaint = app.register(DANA, &complaint_body()).await;
    let id = complaint["id"].as_i64().unwrap();

    // The first attempt is refused; it waits for the service's clock to pass the backoff.
    let first = receiver.wait_for(1).await;
    let body = assert_signed(&first[0]);
    assert_eq!(body["type"], "complaint.registered");
    assert_eq!(body["complaint_id"], id);
    assert_eq!(body["complaint_path"], format!("/api/v1/complaints/{id}"));
    // Nothing of the complaint itself travels: the receiver reads it with its own token.
    for private in ["De Vries", "declaratie", "REL-10442", "Z-2026-114"] {
        assert!(!first[0].body.contains(private), "{private} in {}", first[0].body);
    }
    // The receiver has the request before the worker records the attempt's answer.
    let pending = log_once(&app, subscription, |d| d[0]["attempts"] != 0).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["status"], "pending");
    assert_eq!(pending[0]["attempts"], 1);
    assert_eq!(pending[0]["last_status"], 503);
    let retry_at = (app.clock_now() + Duration::seconds(10))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(pending[0]["next_attempt_at"], retry_at);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(receiver.requests().len(), 1, "not retried before the backoff passed");

    app.clock.advance(Duration::seconds(11));
    let retried = receiver.wait_for(2).await;
    assert_eq!(retried[1].event_id, retried[0].event_id, "the same event id for de-duplication");
    assert_eq!(assert_signed(&retried[1])["type"], "complaint.registered");

    // A contact is not subscribed to; the escalation is.
    let path = format!("/api/v1/complaints/{id}");
    let contact = json!({"channel": "phone", "summary": "Gebeld."});
    assert_eq!(app.post(&format!("{path}/contacts"), DANA, &contact).await.status, 201);
    let escalation = json!({"reason": "Geen oplossing."});
    assert_eq!(app.post(&format!("{path}/escalation"), DANA, &escalation).await.status, 200);
    let all = receiver.wait_for(3).await;
    assert_eq!(assert_signed(&all[2])["type"], "complaint.escalated");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(receiver.requests().len(), 3, "each delivered event arrives once");

    let delivered =
        log_once(&app, subscription, |d| d.iter().all(|d| d["status"] == "delivered")).await;
    let summary: Vec<(Value, Value, Value)> = delivered
        .iter()
        .map(|d| (d["event_type"].clone(), d["status"].clone(), d["attempts"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (json!("complaint.escalated"), json!("delivered"), json!(1)),
            (json!("complaint.registered"), json!("delivered"), json!(2)),
        ]
    );
    assert_eq!(delivered[0]["next_attempt_at"], Value::Null);
}

async fn deliveries_survive_a_crash(app: TestApp) {
    let receiver = WebhookReceiver::start();
    // Paused: the delivery is scheduled and kept, not sent.
    let paused = subscribe(&app, &receiver.url, &["*"], false).await;
    let subscription = paused["id"].as_i64().unwrap();
    let complaint = app.register(DANA, &complaint_body()).await;
    // Wait until the outbox was handed on, then crash.
    for _ in 0..250 {
        if !log(&app, subscription).await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(log(&app, subscription).await[0]["status"], "pending");
    let app = app.crash_and_restart().await;

    let resumed = app
        .patch(&format!("/api/v1/webhooks/{subscription}"), KEES, &json!({"active": true}))
        .await;
    assert_eq!(resumed.status, StatusCode::OK, "{}", resumed.text);
    // What happened before the crash while it was paused, and its own resumption after.
    let requests = receiver.wait_for(3).await;
    let mut types: Vec<String> =
        requests.iter().map(|r| assert_signed(r)["type"].as_str().unwrap().to_owned()).collect();
    types.sort();
    assert_eq!(types, ["complaint.registered", "webhook.created", "webhook.updated"]);
    let registration = requests.iter().find(|r| r.body.contains("complaint.registered")).unwrap();
    assert_eq!(assert_signed(registration)["complaint_id"], complaint["id"]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(receiver.requests().len(), 3);
}

on_both_databases!(
    subscriptions_are_the_coordinators,
    events_arrive_signed_and_failed_ones_are_retried,
    deliveries_survive_a_crash,
);
