//! Data integrity (issue 11, items 1–5): no input can store a value that breaks a read,
//! no text can break a database, no update is lost, the clocks of client and service may
//! differ a little, and the term figures cannot be gamed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, KEES, Reply, TestApp, complaint_body};

on_both_databases!(
    second_60_is_refused_in_every_moment,
    the_worst_accepted_moments_break_no_read,
    control_characters_are_refused_in_every_text,
    every_patch_without_if_match_is_refused,
    a_client_clock_a_little_off_is_tolerated_both_ways,
    nobody_withdraws_or_anonymises_a_complaint_about_themselves,
    a_response_recorded_after_the_term_counts_late,
);

#[track_caller]
fn ok(reply: &Reply) -> &Value {
    assert!(reply.status.is_success(), "{}: {}", reply.status, reply.text);
    &reply.json
}

async fn registered(app: &TestApp, received_at: &str) -> i64 {
    let mut body = complaint_body();
    body["received_at"] = json!(received_at);
    app.register(DANA, &body).await["id"].as_i64().unwrap()
}

async fn second_60_is_refused_in_every_moment(app: TestApp) {
    for leap in ["2026-11-01T23:59:60Z", "2026-11-02T08:00:60Z", "2026-11-02T08:00:60.5+01:00"] {
        let mut body = complaint_body();
        body["received_at"] = json!(leap);
        let refused = app.post("/api/v1/complaints", DANA, &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), ["received_at"], "{leap}");
    }
    let id = registered(&app, "2026-11-02T08:00:00Z").await;
    let complaint = format!("/api/v1/complaints/{id}");
    let leap = "2026-11-02T08:30:60Z";
    let edit = app.patch(&complaint, DANA, &json!({"received_at": leap})).await;
    edit.assert_problem(422, "validation_failed");
    assert_eq!(edit.error_fields(), ["received_at"]);
    for (path, body, field) in [
        ("contacts", json!({"at": leap, "channel": "phone", "summary": "Gebeld"}), "at"),
        (
            "contacts",
            json!({"channel": "phone", "summary": "Gebeld", "still_handling": true,
                   "follow_up_due_at": "2026-11-05T16:59:60Z"}),
            "follow_up_due_at",
        ),
        (
            "decision",
            json!({"summary": "Korting", "resolution": "resolved", "judgement": "well_founded", "decided_at": leap}),
            "decided_at",
        ),
        ("written-confirmation", json!({"channel": "letter", "sent_at": leap}), "sent_at"),
    ] {
        let refused = app.post(&format!("{complaint}/{path}"), DANA, &body).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), [field], "{path}");
    }
    let stored = app.get(&complaint, DANA).await;
    assert_eq!(stored.json["status"], "registered", "nothing was recorded: {}", stored.text);
}

/// The extreme values the parser does accept — the first moment of the register's years,
/// nanoseconds at the end of a minute, offsets that move the day — stored and read back
/// through every view that reads them.
async fn the_worst_accepted_moments_break_no_read(app: TestApp) {
    let mut ids = Vec::new();
    for received_at in [
        "1990-01-01T00:00:00Z",
        "1990-12-31T23:59:59.999999999Z",
        "2026-11-01T23:59:59.999999999Z",
        "2026-11-02T00:30:00+14:00",
        "2026-10-31T23:59:59.999999999-01:00",
    ] {
        ids.push(registered(&app, received_at).await);
    }
    let id = ids[2];
    let complaint = format!("/api/v1/complaints/{id}");
    ok(&app
        .post(
            &format!("{complaint}/contacts"),
            DANA,
            &json!({"at": "2026-11-02T08:59:59.999999999Z", "channel": "phone", "summary": "Gebeld",
                    "still_handling": true, "follow_up_due_at": "2026-11-04T23:59:59.999999999Z"}),
        )
        .await);
    ok(&app
        .post(
            &format!("{complaint}/decision"),
            DANA,
            &json!({"summary": "Korting", "resolution": "unresolved", "judgement": "unfounded",
                    "decided_at": "2026-11-02T08:59:59.999999999+00:00"}),
        )
        .await);
    ok(&app
        .post(
            &format!("{complaint}/written-confirmation"),
            DANA,
            &json!({"channel": "letter", "sent_at": "2026-11-02T09:59:59.999999999+01:00"}),
        )
        .await);
    for id in &ids {
        for path in ["", "/timeline", "/contacts"] {
            ok(&app.get(&format!("/api/v1/complaints/{id}{path}"), KEES).await);
        }
    }
    let list = app.get("/api/v1/complaints?limit=200", KEES).await;
    assert_eq!(ok(&list)["items"].as_array().unwrap().len(), ids.len());
    for period in [
        "from=1990-01-01&to=1990-12-31",
        "from=2026-10-01&to=2026-11-30",
        "from=2024-01-01&to=2026-12-31",
    ] {
        for path in ["/api/v1/overview", "/api/v1/overview/report"] {
            for accept in ["application/json", "text/csv", "text/html"] {
                let reply = app
                    .client
                    .request(Method::GET, app.url(&format!("{path}?{period}")))
                    .bearer_auth(app.token(KEES))
                    .header("accept", accept)
                    .send()
                    .await
                    .unwrap();
                let reply = Reply::from(reply).await;
                assert!(
                    reply.status.is_success() || reply.status.as_u16() == 406,
                    "{path}?{period} as {accept}: {} {}",
                    reply.status,
                    reply.text
                );
            }
        }
    }
    // The snapshot is the anonymised overview: two or three complaints show as "< 5".
    for (from, to) in [("1990-01-01", "1994-12-31"), ("2026-10-01", "2026-11-30")] {
        let body = json!({"meeting_on": "2026-11-02", "period_from": from, "period_to": to,
                          "summary": "Overleg"});
        let evaluation = app.post("/api/v1/evaluations", KEES, &body).await;
        assert_eq!(ok(&evaluation)["snapshot"]["total"], "< 5", "{}", evaluation.text);
        assert_eq!(evaluation.json["snapshot"]["period"]["from"], from);
    }
}

/// NUL made PostgreSQL answer 500 and SQLite store it; escape sequences and other control
/// characters are refused alike. Line breaks (also `\r\n`) and tabs stay.
async fn control_characters_are_refused_in_every_text(app: TestApp) {
    let id = registered(&app, "2026-11-02T08:00:00Z").await;
    let complaint = format!("/api/v1/complaints/{id}");
    let action = app
        .post(
            "/api/v1/actions",
            KEES,
            &json!({"kind": "improvement", "title": "Controle", "due_on": "2026-11-20",
                    "complaint_ids": [id]}),
        )
        .await;
    let action = ok(&action)["id"].as_i64().unwrap();
    for bad in ["a\u{0}b", "a\u{1b}[2Jb", "a\rb", "a\u{7f}b", "a\u{9b}b"] {
        let organisation =
            app.patch("/api/v1/organisation", KEES, &json!({"regulation_text": bad})).await;
        organisation.assert_problem(422, "validation_failed");
        assert_eq!(organisation.error_fields(), ["regulation_text"], "{bad:?}");
        let evaluation = app
            .post(
                "/api/v1/evaluations",
                KEES,
                &json!({"meeting_on": "2026-11-02", "period_from": "2026-10-01",
                        "period_to": "2026-11-30", "summary": "Overleg",
                        "assessments": [{"action_id": action, "effect": "too_early", "note": bad}]}),
            )
            .await;
        evaluation.assert_problem(422, "validation_failed");
        assert_eq!(evaluation.error_fields(), ["assessments[0].note"], "{bad:?}");
        let mut body = complaint_body();
        body["description"] = json!(bad);
        body["client"]["name"] = json!(bad);
        let registration = app.post("/api/v1/complaints", DANA, &body).await;
        registration.assert_problem(422, "validation_failed");
        assert_eq!(registration.error_fields(), ["description", "client.name"], "{bad:?}");
        for (path, body) in [
            ("contacts", json!({"channel": "phone", "summary": bad})),
            ("escalation", json!({"reason": bad})),
        ] {
            let refused = app.post(&format!("{complaint}/{path}"), DANA, &body).await;
            refused.assert_problem(422, "validation_failed");
        }
        let edit = app.patch(&complaint, DANA, &json!({"root_cause": bad})).await;
        edit.assert_problem(422, "validation_failed");
        let query = format!("/api/v1/complaints?q={}", urlencode(bad));
        app.get(&query, KEES).await.assert_problem(400, "invalid_parameter");
    }
    let kept = "Artikel 1\r\nDe klacht\tde termijn\nArtikel 2";
    let organisation =
        app.patch("/api/v1/organisation", KEES, &json!({"regulation_text": kept})).await;
    assert_eq!(ok(&organisation)["regulation_text"], kept);
    let cleared = app.patch("/api/v1/organisation", KEES, &json!({"regulation_text": ""})).await;
    assert_eq!(ok(&cleared)["regulation_text"], "");
    let evaluation = app
        .post(
            "/api/v1/evaluations",
            KEES,
            &json!({"meeting_on": "2026-11-02", "period_from": "2026-10-01",
                    "period_to": "2026-11-30", "summary": "Overleg",
                    "assessments": [{"action_id": action, "effect": "too_early", "note": "regel\nregel"}]}),
        )
        .await;
    assert_eq!(ok(&evaluation)["assessments"][0]["note"], "regel\nregel");
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// An edit that does not say which version it is based on would overwrite a newer one
/// unseen (a coordinator's `root_cause`, lost): every `PATCH` needs `If-Match`.
async fn every_patch_without_if_match_is_refused(app: TestApp) {
    let id = registered(&app, "2026-11-02T08:00:00Z").await;
    let action = app
        .post(
            "/api/v1/actions",
            KEES,
            &json!({"kind": "improvement", "title": "Controle", "complaint_ids": [id]}),
        )
        .await;
    let action = ok(&action)["id"].as_i64().unwrap();
    let evaluation = app
        .post(
            "/api/v1/evaluations",
            KEES,
            &json!({"meeting_on": "2026-11-02", "period_from": "2026-10-01",
                    "period_to": "2026-11-30", "summary": "Overleg"}),
        )
        .await;
    let evaluation = ok(&evaluation)["id"].as_i64().unwrap();
    let webhook = app
        .post(
            "/api/v1/webhooks",
            KEES,
            &json!({"url": "http://127.0.0.1:9/hooks", "event_types": ["complaint.closed"],
                    "secret": "receiver-secret-of-kantoor-a-0123", "active": false}),
        )
        .await;
    let webhook = ok(&webhook)["id"].as_i64().unwrap();
    for (path, body) in [
        (format!("/api/v1/complaints/{id}"), json!({"root_cause": "Uren dubbel geboekt"})),
        (format!("/api/v1/actions/{action}"), json!({"title": "Andere controle"})),
        (format!("/api/v1/evaluations/{evaluation}"), json!({"summary": "Ander overleg"})),
        ("/api/v1/organisation".to_owned(), json!({"name": "Ander kantoor"})),
        (format!("/api/v1/webhooks/{webhook}"), json!({"active": true})),
    ] {
        let before = app.get(&path, KEES).await;
        let refused = app.patch_blindly(&path, KEES, &body).await;
        let problem = refused.assert_problem(428, "precondition_required");
        assert!(problem["detail"].as_str().unwrap().contains("If-Match"), "{}", refused.text);
        let after = app.get(&path, KEES).await;
        assert_eq!(after.json, before.json, "{path} is unchanged");
        // With the ETag just read, the same edit goes through.
        let edited = app.patch(&path, KEES, &body).await;
        assert_eq!(ok(&edited)["version"], before.json["version"].as_i64().unwrap() + 1, "{path}");
    }
}

/// Registers a complaint received now (the default `received_at`).
async fn received_now(app: &TestApp) -> String {
    let mut body = complaint_body();
    body.as_object_mut().unwrap().remove("received_at");
    format!("/api/v1/complaints/{}", app.register(DANA, &body).await["id"])
}

fn seconds_from_now(app: &TestApp, seconds: i64) -> String {
    (app.clock_now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

/// A client clock a second slow, or times sent without their fractions, made a confirmation
/// "precede" the decision it confirms (409) and a contact "precede" the receipt (422).
async fn a_client_clock_a_little_off_is_tolerated_both_ways(app: TestApp) {
    let complaint = received_now(&app).await;
    let received_at = app.get(&complaint, DANA).await.json["received_at"].clone();
    let contact = |at: String| json!({"at": at, "channel": "phone", "summary": "Gebeld"});
    let early = app
        .post(&format!("{complaint}/contacts"), DANA, &contact(seconds_from_now(&app, -121)))
        .await;
    early.assert_problem(422, "validation_failed");
    let late = app
        .post(&format!("{complaint}/contacts"), DANA, &contact(seconds_from_now(&app, 121)))
        .await;
    late.assert_problem(422, "validation_failed");
    let slow = app
        .post(&format!("{complaint}/contacts"), DANA, &contact(seconds_from_now(&app, -1)))
        .await;
    assert_eq!(ok(&slow)["at"], received_at, "taken as the moment of receipt");
    let fast = app
        .post(&format!("{complaint}/contacts"), DANA, &contact(seconds_from_now(&app, 120)))
        .await;
    assert_eq!(ok(&fast)["at"], received_at, "taken as now");

    app.clock.advance(chrono::Duration::hours(1));
    let decided = app
        .post(
            &format!("{complaint}/decision"),
            DANA,
            &json!({"summary": "Korting", "resolution": "unresolved", "judgement": "unfounded"}),
        )
        .await;
    let decided_at = ok(&decided)["decision"]["decided_at"].clone();
    let confirm = |sent_at: String| json!({"channel": "letter", "sent_at": sent_at});
    let path = format!("{complaint}/written-confirmation");
    let before = app.post(&path, DANA, &confirm(seconds_from_now(&app, -121))).await;
    before.assert_problem(409, "confirmation_before_decision");
    let confirmed = app.post(&path, DANA, &confirm(seconds_from_now(&app, -1))).await;
    assert_eq!(ok(&confirmed)["written_confirmation_at"], decided_at);
}

/// Dana handles a complaint about herself (the default subject is the handler): she may not
/// make it disappear from the figures or hide her name in the meeting; the coordinator may.
async fn nobody_withdraws_or_anonymises_a_complaint_about_themselves(app: TestApp) {
    let about_dana = registered(&app, "2026-11-02T08:00:00Z").await;
    let path = format!("/api/v1/complaints/{about_dana}");
    let withdraw = json!({"reason": "Cliënt trekt de klacht in"});
    let refused = app.post(&format!("{path}/withdrawal"), DANA, &withdraw).await;
    refused.assert_problem(403, "caller_is_subject");
    let refused = app.patch(&path, DANA, &json!({"anonymize_in_meeting": true})).await;
    refused.assert_problem(403, "caller_is_subject");
    let unchanged = app.get(&path, DANA).await;
    assert_eq!(
        (&unchanged.json["status"], &unchanged.json["anonymize_in_meeting"]),
        (&json!("registered"), &json!(false))
    );
    // The rest of the handling stays hers.
    ok(&app.patch(&path, DANA, &json!({"root_cause": "Uren dubbel geboekt"})).await);
    ok(&app.patch(&path, KEES, &json!({"anonymize_in_meeting": true})).await);
    let withdrawn = app.post(&format!("{path}/withdrawal"), KEES, &withdraw).await;
    assert_eq!(ok(&withdrawn)["status"], "withdrawn");

    // On a complaint about someone else, the handler may do both.
    let mut about_eva = complaint_body();
    about_eva["subject_id"] = json!("eva");
    let path = format!("/api/v1/complaints/{}", app.register(DANA, &about_eva).await["id"]);
    ok(&app.patch(&path, DANA, &json!({"anonymize_in_meeting": true})).await);
    let withdrawn = app.post(&format!("{path}/withdrawal"), DANA, &withdraw).await;
    assert_eq!(ok(&withdrawn)["status"], "withdrawn");
}

mod without_skew {
    use super::*;

    on_both_databases!(spawn = super::spawn; the_tolerance_is_a_setting);

    async fn spawn(backend: crate::support::Backend) -> Option<TestApp> {
        TestApp::spawn_with(backend, |c| c.clock_skew = std::time::Duration::ZERO).await
    }

    async fn the_tolerance_is_a_setting(app: TestApp) {
        let complaint = received_now(&app).await;
        let contact =
            json!({"at": seconds_from_now(&app, -1), "channel": "phone", "summary": "Gebeld"});
        let refused = app.post(&format!("{complaint}/contacts"), DANA, &contact).await;
        refused.assert_problem(422, "validation_failed");
        let mut body = complaint_body();
        body["received_at"] = json!(seconds_from_now(&app, 1));
        app.post("/api/v1/complaints", DANA, &body).await.assert_problem(422, "validation_failed");
    }
}

/// A complaint announced overdue gets a contact dated back inside the term: the overview counts
/// it answered late (it was recorded late), and the timeline shows both moments. One recorded
/// within the term counts within it.
async fn a_response_recorded_after_the_term_counts_late(app: TestApp) {
    let late = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let in_time = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let contact = |claimed: &str| json!({"at": claimed, "channel": "phone", "summary": "Gebeld"});
    let answered = app
        .post(
            &format!("/api/v1/complaints/{in_time}/contacts"),
            DANA,
            &contact("2026-11-02T08:45:00Z"),
        )
        .await;
    ok(&answered);
    app.clock.advance(chrono::Duration::days(8));
    let recorded_at = app.clock_now();
    let backdated = app
        .post(
            &format!("/api/v1/complaints/{late}/contacts"),
            DANA,
            &contact("2026-11-02T08:45:00Z"),
        )
        .await;
    ok(&backdated);

    let overview = app.get("/api/v1/overview?from=2026-11-01&to=2026-11-30", KEES).await;
    let term = &ok(&overview)["response_term"];
    assert_eq!(
        (term["answered_late"].as_i64(), term["answered_within_term"].as_i64()),
        (Some(1), Some(1)),
        "{}",
        overview.text
    );

    let timeline = app.get(&format!("/api/v1/complaints/{late}/timeline"), KEES).await;
    let recorded = ok(&timeline)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "complaint.contact_recorded")
        .cloned()
        .unwrap_or_else(|| panic!("no contact in {}", timeline.text));
    assert_eq!(recorded["data"]["at"], "2026-11-02T08:45:00Z", "the claimed moment");
    let occurred: chrono::DateTime<chrono::Utc> =
        recorded["occurred_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(occurred, recorded_at, "the recorded moment");
}
