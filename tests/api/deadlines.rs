//! The deadline watcher: a passed response term or follow-up date of an open complaint is
//! announced once — also after a crash, and with two instances on one PostgreSQL.

use std::time::Duration as Wait;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use klachtenregister::operations::deadlines;

use crate::on_both_databases;
use crate::receivers::WebhookReceiver;
use crate::support::{Backend, DANA, KEES, TestApp, complaint_body};

pub async fn watched(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |config| config.deadline_sweep = Wait::from_millis(20)).await
}

async fn announcements(app: &TestApp, id: i64, event_type: &str) -> Vec<Value> {
    let timeline = app.get(&format!("/api/v1/complaints/{id}/timeline?limit=200"), KEES).await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.text);
    timeline.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == event_type)
        .cloned()
        .collect()
}

/// Waits for the watcher to announce, then gives it time to (wrongly) announce again.
async fn announced_once(app: &TestApp, id: i64, event_type: &str) -> Value {
    for _ in 0..250 {
        if !announcements(app, id, event_type).await.is_empty() {
            break;
        }
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
    tokio::time::sleep(Wait::from_millis(200)).await;
    let found = announcements(app, id, event_type).await;
    assert_eq!(found.len(), 1, "{event_type} of complaint {id}: {found:?}");
    found[0].clone()
}

async fn passed_deadlines_are_announced_once(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/complaints/{id}");
    // Not before the week has passed.
    app.clock.advance(Duration::days(6));
    tokio::time::sleep(Wait::from_millis(200)).await;
    assert!(announcements(&app, id, "complaint.response_overdue").await.is_empty());

    app.clock.advance(Duration::days(2));
    let overdue = announced_once(&app, id, "complaint.response_overdue").await;
    assert_eq!(overdue["actor"], Value::Null, "the service announces it by itself");
    assert_eq!(
        overdue["data"]["recipients"],
        json!([{"id": "kees", "reason": "overdue"}, {"id": "dana", "reason": "overdue"}])
    );
    assert_eq!(overdue["data"]["due_at"], "2026-11-09T08:30:00Z");

    // A crash and a restart do not announce it again.
    let app = app.crash_and_restart().await;
    announced_once(&app, id, "complaint.response_overdue").await;

    // Dana reacts late and promises news in two days; that date passes too.
    let promise = app.clock_now() + Duration::days(2);
    let contact = json!({
        "channel": "phone", "summary": "Gebeld.", "still_handling": true,
        "follow_up_due_at": promise.to_rfc3339(),
    });
    assert_eq!(app.post(&format!("{path}/contacts"), DANA, &contact).await.status, 201);
    app.clock.advance(Duration::days(3));
    let late = announced_once(&app, id, "complaint.follow_up_overdue").await;
    assert_eq!(late["data"]["due_at"], promise.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));

    // A new date is a new deadline; a closed complaint has none.
    let again = json!({
        "channel": "email", "summary": "Nieuwe datum.", "still_handling": true,
        "follow_up_due_at": (app.clock_now() + Duration::days(1)).to_rfc3339(),
    });
    assert_eq!(app.post(&format!("{path}/contacts"), DANA, &again).await.status, 201);
    app.clock.advance(Duration::days(2));
    for _ in 0..250 {
        if announcements(&app, id, "complaint.follow_up_overdue").await.len() == 2 {
            break;
        }
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
    assert_eq!(announcements(&app, id, "complaint.follow_up_overdue").await.len(), 2);
    assert_eq!(announcements(&app, id, "complaint.response_overdue").await.len(), 1);
}

async fn closed_complaints_are_not_announced(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let withdrawn = app
        .post(
            &format!("/api/v1/complaints/{id}/withdrawal"),
            // The complaint is about Dana: the coordinator withdraws it.
            KEES,
            &json!({"reason": "Ingetrokken."}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.text);
    app.clock.advance(Duration::days(30));
    tokio::time::sleep(Wait::from_millis(300)).await;
    assert!(announcements(&app, id, "complaint.response_overdue").await.is_empty());
}

on_both_databases!(
    spawn = super::watched;
    passed_deadlines_are_announced_once,
    closed_complaints_are_not_announced,
);

/// Two instances sweep the same PostgreSQL database at once: each deadline is announced by
/// one of them, and each event delivered to the receiver by one.
#[actix_web::test]
async fn two_instances_on_postgres_announce_and_deliver_once() {
    let Some(first) = watched(Backend::Postgres).await else { return };
    let second = first.another_instance().await;
    let receiver = WebhookReceiver::start();
    let subscribed = json!({
        "url": receiver.url, "event_types": ["complaint.response_overdue"],
        "secret": "receiver-secret-of-kantoor-a-0123",
    });
    assert_eq!(first.post("/api/v1/webhooks", KEES, &subscribed).await.status, 201);
    let mut ids = Vec::new();
    for i in 0..10 {
        let app = if i % 2 == 0 { &first } else { &second };
        ids.push(app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap());
    }
    first.clock.advance(Duration::days(8));
    for id in &ids {
        announced_once(&second, *id, "complaint.response_overdue").await;
    }
    receiver.wait_for(ids.len()).await;
    tokio::time::sleep(Wait::from_millis(300)).await;
    let requests = receiver.requests();
    let mut delivered: Vec<&str> = requests.iter().map(|r| r.event_id.as_str()).collect();
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), ids.len());
    assert_eq!(requests.len(), ids.len(), "no event was delivered twice");
}

/// A sweep and a command on PostgreSQL take their locks in the same order — the complaint's
/// row, then the chain head — so they cannot deadlock. Here a command holds complaint B's row
/// while the sweep has two announcements to make (A, then B); the command then appends its
/// event. A sweep that took the chain head for A before B's row waited for the command while
/// the command waited for the head: PostgreSQL broke the deadlock by failing one of them (an
/// upload answered 503 in the conformance run).
#[actix_web::test]
async fn a_sweep_and_a_command_on_postgres_do_not_deadlock() {
    use diesel::connection::SimpleConnection;
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    let a = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let b = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    app.clock.advance(Duration::days(8));

    let mut command = app.db.connection().unwrap();
    command
        .batch_execute(&format!("BEGIN; SELECT id FROM complaints WHERE id = {b} FOR UPDATE"))
        .unwrap();
    let (db, now) = (app.db.clone(), app.clock_now());
    let sweep = actix_web::rt::spawn(async move { deadlines::sweep(&db, now).await });
    tokio::time::sleep(Wait::from_millis(500)).await;
    let appended = actix_web::web::block(move || {
        // What appending an event does first: lock the organisation's chain head.
        let result = command.batch_execute(
            "UPDATE event_chain_heads SET last_hash = last_hash; \
             SELECT pg_sleep(0.2); COMMIT",
        );
        (result, command)
    })
    .await
    .unwrap();
    let (result, mut command) = appended;
    if result.is_err() {
        command.batch_execute("ROLLBACK").unwrap();
    }
    assert!(result.is_ok(), "the command failed: {result:?}");
    let announced = sweep.await.unwrap();
    assert!(matches!(announced, Ok(2)), "the sweep: {announced:?}");
    announced_once(&app, a, "complaint.response_overdue").await;
    announced_once(&app, b, "complaint.response_overdue").await;
}
