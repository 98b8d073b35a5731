//! The deadline watcher: a response term or follow-up date of an open complaint that runs
//! out soon is announced once to its handler, and once more when it passed — also after a
//! crash, and with two instances on one PostgreSQL.

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

/// The complaint's events, oldest first.
async fn timeline(app: &TestApp, id: i64) -> Vec<Value> {
    let timeline = app.get(&format!("/api/v1/complaints/{id}/timeline?limit=200"), KEES).await;
    assert_eq!(timeline.status, StatusCode::OK, "{}", timeline.text);
    timeline.json["items"].as_array().unwrap().clone()
}

async fn announcements(app: &TestApp, id: i64, event_type: &str) -> Vec<Value> {
    timeline(app, id).await.into_iter().filter(|e| e["type"] == event_type).collect()
}

/// Waits for the watcher to announce the `times`th `event_type`, then gives it time to
/// (wrongly) announce again; answers the announcements, asserting there are `times`.
async fn announced(app: &TestApp, id: i64, event_type: &str, times: usize) -> Vec<Value> {
    for _ in 0..250 {
        if announcements(app, id, event_type).await.len() >= times {
            break;
        }
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
    tokio::time::sleep(Wait::from_millis(200)).await;
    let found = announcements(app, id, event_type).await;
    assert_eq!(found.len(), times, "{event_type} of complaint {id}: {found:?}");
    found
}

async fn announced_once(app: &TestApp, id: i64, event_type: &str) -> Value {
    announced(app, id, event_type, 1).await.remove(0)
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
    announced(&app, id, "complaint.follow_up_overdue", 2).await;
    assert_eq!(announcements(&app, id, "complaint.response_overdue").await.len(), 1);
}

const DUE_SOON: &str = "complaint.response_due_soon";

/// A quiet pass of the watcher: time for it to (wrongly) announce, then how many warnings
/// the complaint has.
async fn warnings_after_a_pass(app: &TestApp, id: i64) -> usize {
    tokio::time::sleep(Wait::from_millis(200)).await;
    announcements(app, id, DUE_SOON).await.len()
}

async fn a_term_running_out_is_announced_once_before_it_passes(app: TestApp) {
    let receiver = WebhookReceiver::start();
    let subscribed = json!({
        "url": receiver.url, "event_types": [DUE_SOON],
        "secret": "receiver-secret-of-kantoor-a-0123",
    });
    assert_eq!(app.post("/api/v1/webhooks", KEES, &subscribed).await.status, 201);
    // Received 2 November 08:30, to be answered by 9 November 08:30; the test starts at 09:00.
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/complaints/{id}");

    // 24 and a half hours before the term: not yet (the default is 24 hours).
    app.clock.advance(Duration::days(5) + Duration::hours(23));
    assert_eq!(warnings_after_a_pass(&app, id).await, 0);
    // 23 and a half hours before: the handler is warned, once.
    app.clock.advance(Duration::hours(1));
    let warning = announced_once(&app, id, DUE_SOON).await;
    assert_eq!(warning["actor"], Value::Null, "the service announces it by itself");
    assert_eq!(warning["data"]["deadline"], "response");
    assert_eq!(warning["data"]["due_at"], "2026-11-09T08:30:00Z");
    assert_eq!(warning["data"]["recipients"], json!([{"id": "dana", "reason": "due_soon"}]));
    app.clock.advance(Duration::hours(1));
    assert_eq!(warnings_after_a_pass(&app, id).await, 1, "a later pass warns no more");

    // The term passes: the overdue notice follows the warning, which does not come again.
    app.clock.advance(Duration::days(1));
    announced_once(&app, id, "complaint.response_overdue").await;
    let told: Vec<Value> = timeline(&app, id)
        .await
        .into_iter()
        .map(|e| e["type"].clone())
        .filter(|t| t == DUE_SOON || t == "complaint.response_overdue")
        .collect();
    assert_eq!(told, [DUE_SOON, "complaint.response_overdue"]);

    // Dana reacts and promises news in three days: that date is warned of on its own.
    let promise = app.clock_now() + Duration::days(3);
    let contact = json!({
        "channel": "phone", "summary": "Gebeld.", "still_handling": true,
        "follow_up_due_at": promise.to_rfc3339(),
    });
    assert_eq!(app.post(&format!("{path}/contacts"), DANA, &contact).await.status, 201);
    app.clock.advance(Duration::days(1) + Duration::hours(23));
    assert_eq!(warnings_after_a_pass(&app, id).await, 1, "25 hours before the date");
    app.clock.advance(Duration::hours(2));
    let follow_up = &announced(&app, id, DUE_SOON, 2).await[1];
    assert_eq!(follow_up["data"]["deadline"], "follow_up");
    assert_eq!(
        follow_up["data"]["due_at"],
        promise.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );

    // Webhooks get each warning, by event id and complaint only.
    let delivered = receiver.wait_for(2).await;
    for request in &delivered {
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(
            (body["type"].as_str(), body["complaint_id"].as_i64()),
            (Some(DUE_SOON), Some(id))
        );
    }
    tokio::time::sleep(Wait::from_millis(200)).await;
    assert_eq!(receiver.requests().len(), 2, "each warning is delivered once");
}

/// A term that was met is not warned of: the response term by the first response, the
/// follow-up date by the decision.
async fn a_term_met_is_not_warned_of(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/complaints/{id}");
    let promise = app.clock_now() + Duration::days(3);
    let contact = json!({
        "channel": "phone", "summary": "Gebeld.", "still_handling": true,
        "follow_up_due_at": promise.to_rfc3339(),
    });
    assert_eq!(app.post(&format!("{path}/contacts"), DANA, &contact).await.status, 201);
    let decision =
        json!({"summary": "Opgelost.", "resolution": "resolved", "judgement": "well_founded"});
    let decided = app.post(&format!("{path}/decision"), DANA, &decision).await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.text);
    // Within a day of the promised date, and then of the response term.
    app.clock.advance(Duration::days(2) + Duration::hours(12));
    assert_eq!(warnings_after_a_pass(&app, id).await, 0);
    app.clock.advance(Duration::days(4));
    assert_eq!(warnings_after_a_pass(&app, id).await, 0);
}

/// The organisation's `due_soon_hours` sets how long before a term the warning comes.
async fn the_organisation_sets_how_early_the_warning_comes(app: TestApp) {
    let changed = app.patch("/api/v1/organisation", KEES, &json!({"due_soon_hours": 72})).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    assert_eq!(changed.json["due_soon_hours"], 72);
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    // 73 and a half hours before the term: not yet; 71 and a half: warned.
    app.clock.advance(Duration::days(3) + Duration::hours(23));
    assert_eq!(warnings_after_a_pass(&app, id).await, 0);
    app.clock.advance(Duration::hours(2));
    let warning = announced_once(&app, id, DUE_SOON).await;
    assert_eq!(warning["data"]["deadline"], "response");
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
    // Neither warned of when its term is near, nor announced when it passed.
    app.clock.advance(Duration::days(6) + Duration::hours(12));
    assert_eq!(warnings_after_a_pass(&app, id).await, 0);
    app.clock.advance(Duration::days(30));
    tokio::time::sleep(Wait::from_millis(300)).await;
    assert!(announcements(&app, id, "complaint.response_overdue").await.is_empty());
}

on_both_databases!(
    spawn = super::watched;
    passed_deadlines_are_announced_once,
    a_term_running_out_is_announced_once_before_it_passes,
    a_term_met_is_not_warned_of,
    the_organisation_sets_how_early_the_warning_comes,
    closed_complaints_are_not_announced,
);

/// Two instances sweep the same PostgreSQL database at once: each deadline is announced by
/// one of them, and each event delivered to the receiver by one.
#[actix_web::test]
async fn two_instances_on_postgres_announce_and_deliver_once() {
    // Eight days on, the response terms have passed.
    announced_and_delivered_once_by_two_instances("complaint.response_overdue", Duration::days(8))
        .await;
}

/// The same for the warning: six days and an hour on, the terms run out within the day.
#[actix_web::test]
async fn two_instances_on_postgres_warn_and_deliver_once() {
    let nearly = Duration::days(6) + Duration::hours(1);
    announced_and_delivered_once_by_two_instances(DUE_SOON, nearly).await;
}

/// Ten complaints, registered through two instances on one PostgreSQL, each announced as
/// `event_type` once and delivered once when the clock moves `on`.
async fn announced_and_delivered_once_by_two_instances(event_type: &str, on: Duration) {
    let Some(first) = watched(Backend::Postgres).await else { return };
    let second = first.another_instance().await;
    let receiver = WebhookReceiver::start();
    let subscribed = json!({
        "url": receiver.url, "event_types": [event_type],
        "secret": "receiver-secret-of-kantoor-a-0123",
    });
    assert_eq!(first.post("/api/v1/webhooks", KEES, &subscribed).await.status, 201);
    let mut ids = Vec::new();
    for i in 0..10 {
        let app = if i % 2 == 0 { &first } else { &second };
        ids.push(app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap());
    }
    first.clock.advance(on);
    for id in &ids {
        announced_once(&second, *id, event_type).await;
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
