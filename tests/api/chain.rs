//! The tamper-evident timeline: the database refuses to rewrite events, and a chain broken
//! by other means is reported at the first event where it breaks.

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, KEES, OTTO, TestApp, complaint_body};
use klachtenregister::db::AnyConnection;

on_both_databases!(the_database_refuses_to_rewrite_events, a_broken_chain_is_reported);

async fn some_history(app: &TestApp) -> i64 {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/complaints/{id}/contacts"),
        DANA,
        &json!({"channel": "phone", "summary": "Gebeld"}),
    )
    .await;
    app.patch(&format!("/api/v1/complaints/{id}"), DANA, &json!({"root_cause": "Uren dubbel"}))
        .await;
    app.register(DANA, &complaint_body()).await;
    id
}

async fn the_database_refuses_to_rewrite_events(app: TestApp) {
    some_history(&app).await;
    let mut conn = app.db.connection().unwrap();
    for statement in [
        "UPDATE events SET data = '{}'",
        "DELETE FROM events",
        "UPDATE events SET hash = NULL WHERE id = 1",
    ] {
        let refused = diesel::sql_query(statement).execute(&mut *conn);
        let message = refused.expect_err(statement).to_string();
        assert!(message.contains("append-only"), "{statement}: {message}");
    }
    if let AnyConnection::Postgresql(_) = &mut *conn {
        let refused = conn.batch_execute("TRUNCATE events CASCADE");
        assert!(refused.unwrap_err().to_string().contains("append-only"));
    }
    let verification = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(verification.json["intact"], true, "{}", verification.text);
    assert_eq!(verification.json["events_checked"], 4);
    assert_eq!(verification.json["first_break"], json!(null));
    app.get("/api/v1/events/verification", DANA)
        .await
        .assert_problem(403, "coordinator_role_required");
    // Another organisation's chain is its own, and intact.
    let other = app.get("/api/v1/events/verification", OTTO).await;
    assert_eq!(
        (other.json["intact"].as_bool(), other.json["events_checked"].as_i64()),
        (Some(true), Some(0))
    );
}

/// Goes around the database's refusal, as only someone with its owner's rights could.
fn without_the_guard(conn: &mut AnyConnection, statement: &str) {
    let sql = match conn {
        AnyConnection::Postgresql(_) => format!(
            "ALTER TABLE events DISABLE TRIGGER events_no_update_or_delete; {statement}; \
             ALTER TABLE events ENABLE TRIGGER events_no_update_or_delete;"
        ),
        AnyConnection::Sqlite(_) => format!(
            "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; {statement}; \
             CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END; \
             CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END;"
        ),
    };
    conn.batch_execute(&sql).unwrap();
}

async fn a_broken_chain_is_reported(app: TestApp) {
    let complaint = some_history(&app).await;
    let events = app.get(&format!("/api/v1/complaints/{complaint}/timeline"), KEES).await;
    let second = events.json["items"][1]["id"].as_i64().unwrap();
    let third = events.json["items"][2]["id"].as_i64().unwrap();
    let mut conn = app.db.connection().unwrap();

    without_the_guard(
        &mut conn,
        &format!("UPDATE events SET data = '{{\"summary\": \"anders\"}}' WHERE id = {second}"),
    );
    let altered = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(altered.json["intact"], false);
    assert_eq!(altered.json["first_break"], json!({"event_id": second, "kind": "content"}));
    assert_eq!(altered.json["events_checked"], 1);

    without_the_guard(
        &mut conn,
        &format!(
            "DELETE FROM outbox WHERE event_id = {second}; DELETE FROM events WHERE id = {second}"
        ),
    );
    let removed = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(removed.json["first_break"], json!({"event_id": third, "kind": "link"}));
}
