//! Concurrent requests: references stay unique and gap-free, no edit is lost silently, a
//! retried creation creates once, and racing signatures and closures never close a complaint
//! the rules would keep open.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, KEES, Person, Reply, TestApp, complaint_body};

on_both_databases!(
    concurrent_registrations_get_consecutive_references,
    concurrent_edits_with_one_if_match_have_one_winner,
    concurrent_retries_with_one_idempotency_key_create_once,
    racing_signatures_and_closures_keep_the_rules,
);

const RACERS: usize = 50;

/// Enough registrations at once that, on SQLite, most wait for the writer (issue 15): each
/// gets its turn, none is answered "database is locked" or 503.
const REGISTRARS: usize = 40;

async fn concurrent_registrations_get_consecutive_references(app: TestApp) {
    let token = app.token(DANA);
    let requests = (0..REGISTRARS).map(|_| {
        app.client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(&token)
            .json(&complaint_body())
            .send()
    });
    let mut references = Vec::new();
    for response in join_all(requests).await {
        let reply = Reply::from(response.unwrap()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        references.push(reply.json["reference"].as_str().unwrap().to_owned());
    }
    references.sort();
    let expected: Vec<String> = (1..=REGISTRARS).map(|n| format!("KL-2026-{n:04}")).collect();
    assert_eq!(references, expected);
    let verification = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(verification.json["intact"], true, "{}", verification.text);
}

async fn concurrent_edits_with_one_if_match_have_one_winner(app: TestApp) {
    let created = app.register(DANA, &complaint_body()).await;
    let path = format!("/api/v1/complaints/{}", created["id"]);
    let token = app.token(KEES);
    let edits = (0..RACERS).map(|n| {
        app.client
            .patch(app.url(&path))
            .bearer_auth(&token)
            .header("If-Match", "\"1\"")
            .json(&json!({"root_cause": format!("oorzaak {n}")}))
            .send()
    });
    let mut winners = Vec::new();
    for response in join_all(edits).await {
        let reply = Reply::from(response.unwrap()).await;
        match reply.status.as_u16() {
            200 => winners.push(reply.json),
            412 => {
                reply.assert_problem(412, "precondition_failed");
            }
            other => panic!("unexpected {other}: {}", reply.text),
        }
    }
    assert_eq!(winners.len(), 1);
    let stored = app.get(&path, KEES).await;
    assert_eq!(stored.json, winners[0]);
    assert_eq!(stored.json["version"], 2);
}

async fn concurrent_retries_with_one_idempotency_key_create_once(app: TestApp) {
    let token = app.token(DANA);
    let requests = (0..RACERS).map(|_| {
        app.client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(&token)
            .header("Idempotency-Key", "registratie-7f3c")
            .json(&complaint_body())
            .send()
    });
    let mut answers = Vec::new();
    for response in join_all(requests).await {
        let reply = Reply::from(response.unwrap()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        answers.push((reply.header("location").map(str::to_owned), reply.text));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "50 identical answers");
    let listed = app.get("/api/v1/complaints", DANA).await;
    assert_eq!(listed.json["items"].as_array().unwrap().len(), 1, "one complaint");
}

async fn post(app: &TestApp, person: Person, path: &str, body: serde_json::Value) -> Reply {
    let reply = app.post(path, person, &body).await;
    assert!(reply.status.is_success(), "{path}: {}", reply.text);
    reply
}

/// Closing a resolved complaint needs both signatures (DESIGN.md §4). The handler's and the
/// coordinator's signatures race the coordinator's repeated attempts to close: whatever
/// order the database sees, a closed complaint carries both, from two people, and is closed
/// once.
async fn racing_signatures_and_closures_keep_the_rules(app: TestApp) {
    for _ in 0..5 {
        let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
        let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
        post(&app, DANA, &path("/contacts"), json!({"channel": "phone", "summary": "Gebeld."}))
            .await;
        let classified = app
            .put(
                &path("/classification"),
                KEES,
                &json!({"channel": "oral", "categories": ["legal"]}),
            )
            .await;
        assert_eq!(classified.status, StatusCode::OK, "{}", classified.text);
        let decision =
            json!({"summary": "Opgelost.", "resolution": "resolved", "judgement": "well_founded"});
        post(&app, DANA, &path("/decision"), decision).await;
        post(&app, DANA, &path("/written-confirmation"), json!({"channel": "letter"})).await;

        let signatures = [(DANA, path("/signatures")), (KEES, path("/signatures"))];
        let closures = (0..8).map(|_| (KEES, path("/closure")));
        let race = signatures.into_iter().chain(closures).map(|(person, target)| {
            app.client.post(app.url(&target)).bearer_auth(app.token(person)).json(&json!({})).send()
        });
        let mut closed = 0;
        for response in join_all(race).await {
            let reply = Reply::from(response.unwrap()).await;
            match reply.status.as_u16() {
                200 => closed += usize::from(reply.json["status"] == "closed"),
                409 => assert!(
                    ["signatures_required", "complaint_not_open"]
                        .contains(&reply.json["code"].as_str().unwrap_or("")),
                    "{}",
                    reply.text
                ),
                other => panic!("unexpected {other}: {}", reply.text),
            }
        }
        // Both signatures are in now: if no closure won the race, the next one does.
        if closed == 0 {
            post(&app, KEES, &path("/closure"), json!({})).await;
        } else {
            assert_eq!(closed, 1, "closed once");
        }
        let stored = app.get(&path(""), KEES).await.json;
        assert_eq!(stored["status"], "closed");
        let signatures = &stored["signatures"];
        assert_eq!(signatures["dienstverlener"]["signed_by"]["id"], "dana", "{stored}");
        assert_eq!(signatures["coordinator"]["signed_by"]["id"], "kees", "{stored}");
        let timeline = app.get(&path("/timeline"), KEES).await.json;
        let closures = timeline["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "complaint.closed")
            .count();
        assert_eq!(closures, 1);
    }
}
