//! Erasure of a finished complaint's personal data (issue 12 item 3) and the retention sweep
//! that erases the same way (item 4): who may, when, what is left — nothing personal in any
//! table, every count, an intact chain — and that the sweep erases once, also across two
//! instances on PostgreSQL.

use std::io::{Cursor, Read};
use std::time::Duration as Wait;

use chrono::Duration;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::{QueryableByName, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::{Value, json};

use klachtenregister::db::AnyConnection;
use klachtenregister::operations::erasure;

use crate::deadlines::watched;
use crate::dossier::{BOUNDARY, multipart};
use crate::on_both_databases;
use crate::receivers::WebhookReceiver;
use crate::support::{Backend, DANA, DIRK, KEES, OTTO, Person, Reply, TestApp, complaint_body};

/// What the complainant's file says, in every field that takes text.
const MARK: &str = "zqx7merkteken";
/// The complainant's telephone number, which takes only digits.
const PHONE: &str = "+31 6 9182 7364";

#[track_caller]
fn ok(reply: &Reply) -> &Value {
    assert!(reply.status.is_success(), "expected success, got {}: {}", reply.status, reply.text);
    &reply.json
}

fn path(id: i64, tail: &str) -> String {
    format!("/api/v1/complaints/{id}{tail}")
}

async fn erase(app: &TestApp, person: Person, id: i64, reason: &str) -> Reply {
    app.post(&path(id, "/erasure"), person, &json!({"reason": reason})).await
}

/// A complaint of Dana's client, withdrawn by the coordinator in charge of it.
async fn withdrawn(app: &TestApp, body: &Value, coordinator: Person) -> i64 {
    let id = app.register(DANA, body).await["id"].as_i64().unwrap();
    let reason = json!({"reason": "Ingetrokken door de cliënt."});
    ok(&app.post(&path(id, "/withdrawal"), coordinator, &reason).await);
    id
}

async fn refusals_name_their_rule(app: TestApp) {
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    erase(&app, KEES, id, "Verzoek van de klager")
        .await
        .assert_problem(409, "erasure_of_open_complaint");
    ok(&app.post(&path(id, "/withdrawal"), KEES, &json!({"reason": "Ingetrokken."})).await);

    erase(&app, DANA, id, "Verzoek").await.assert_problem(403, "coordinator_role_required");
    erase(&app, OTTO, id, "Verzoek").await.assert_problem(404, "not_found");
    erase(&app, KEES, id, " ").await.assert_problem(422, "validation_failed");
    let mut body = complaint_body();
    body["subject_id"] = json!("kees");
    let about_kees = withdrawn(&app, &body, DIRK).await;
    erase(&app, KEES, about_kees, "Verzoek").await.assert_problem(403, "coordinator_is_subject");
    ok(&erase(&app, DIRK, about_kees, "Verzoek van de klager").await);

    let erased = erase(&app, KEES, id, "Verzoek van de klager (AVG art. 17)").await;
    let view = ok(&erased);
    assert_eq!(view["erased_at"], "2026-11-02T09:00:00Z");
    assert_eq!((&view["complainant"], &view["client"]), (&Value::Null, &Value::Null));
    assert_eq!(view["description"], "[gewist]");
    assert_eq!(view["status"], "withdrawn");
    // Once: a second erasure has nothing to erase.
    erase(&app, KEES, id, "Nogmaals").await.assert_problem(409, "already_erased");
    let timeline = app.get(&path(id, "/timeline"), KEES).await;
    let erasures: Vec<&Value> = ok(&timeline)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "complaint.erased")
        .collect();
    assert_eq!(erasures.len(), 1);
    assert_eq!(erasures[0]["actor"]["id"], "kees");
    assert_eq!(erasures[0]["data"]["reason"], "Verzoek van de klager (AVG art. 17)");
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    binary: bool,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every column of every table of the database, from its own catalogue, whatever its type.
fn every_column(conn: &mut AnyConnection) -> Vec<Column> {
    let sql = match conn {
        AnyConnection::Postgresql(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             data_type = 'bytea' AS binary FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
        AnyConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, c.name AS column_name, \
             upper(c.type) LIKE '%BLOB%' OR upper(c.type) LIKE '%BINARY%' AS binary \
             FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table'"
        }
    };
    diesel::sql_query(sql).load(conn).unwrap()
}

/// A full dump of the database searched for `needle`: where (table and column) it occurs.
fn found_in_dump(app: &TestApp, needle: &str) -> Vec<String> {
    let mut conn = app.db.connection().unwrap();
    let mut found = Vec::new();
    for Column { table_name: t, column_name: c, binary } in every_column(&mut conn) {
        let condition = match (&mut *conn, binary) {
            (AnyConnection::Postgresql(_), true) => {
                format!("position(convert_to($1, 'UTF8') in \"{c}\") > 0")
            }
            (AnyConnection::Postgresql(_), false) => {
                format!("strpos(CAST(\"{c}\" AS TEXT), $1) > 0")
            }
            (AnyConnection::Sqlite(_), _) => {
                format!("instr(CAST(\"{c}\" AS BLOB), CAST(?1 AS BLOB)) > 0")
            }
        };
        let count: Count =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{t}\" WHERE {condition}"))
                .bind::<Text, _>(needle)
                .get_result(&mut *conn)
                .unwrap();
        if count.n > 0 {
            found.push(format!("{t}.{c}"));
        }
    }
    found
}

/// The overview of November as `person` asks it, without the moment it was made.
async fn overview(app: &TestApp, query: &str, person: Person) -> Value {
    let reply =
        app.get(&format!("/api/v1/overview?from=2026-11-01&to=2026-11-30{query}"), person).await;
    let mut overview = ok(&reply).clone();
    overview.as_object_mut().unwrap().remove("generated_at");
    overview
}

/// Registers a complaint whose every text carries [`MARK`], takes it through the whole
/// procedure with a dossier and a corrective action, and closes it.
async fn marked_and_closed(app: &TestApp) -> i64 {
    let registered = app
        .register(
            DANA,
            &json!({
                "kind": "complaint",
                "received_at": "2026-11-02T08:30:00Z",
                "reported_by": "client",
                "complainant": {
                    "name": format!("J. {MARK}"), "email": format!("{MARK}@example.nl"), "phone": PHONE,
                    "address": {"street": format!("{MARK}straat 1"), "postal_code": "1012 JS", "city": format!("{MARK}dam")},
                },
                "client": {"id": format!("REL-{MARK}"), "name": format!("{MARK} Holding B.V.")},
                "matter_reference": format!("Z-{MARK}"),
                "description": format!("De cliënt {MARK} vindt de declaratie te hoog."),
            }),
        )
        .await;
    let id = registered["id"].as_i64().unwrap();
    ok(&app.patch(&path(id, ""), DANA, &json!({"root_cause": format!("Uren van {MARK}")})).await);
    let contact = json!({"channel": "phone", "summary": format!("Gebeld met {MARK}.")});
    ok(&app.post(&path(id, "/contacts"), DANA, &contact).await);
    let escalation = json!({"reason": format!("{MARK} wil de coördinator spreken.")});
    ok(&app.post(&path(id, "/escalation"), DANA, &escalation).await);
    let upload = app
        .client
        .post(app.url(&path(id, "/documents")))
        .bearer_auth(app.token(DANA))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&[(
            "file",
            &format!("brief-{MARK}.txt"),
            format!("Geachte heer {MARK},\n").as_bytes(),
        )]))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), StatusCode::CREATED, "{}", upload.text().await.unwrap());
    let action = json!({
        "kind": "corrective", "title": format!("Excuses aan {MARK}"),
        "description": format!("Creditnota voor {MARK}"), "due_on": "2026-11-20",
        "complaint_ids": [id],
    });
    let action = ok(&app.post("/api/v1/actions", DANA, &action).await)["id"].clone();
    ok(&app.post(&format!("/api/v1/actions/{action}/approval"), KEES, &json!({})).await);
    let note = json!({"note": format!("Gebeld met {MARK}")});
    ok(&app.post(&format!("/api/v1/actions/{action}/progress"), DANA, &note).await);
    let classification = json!({"channel": "oral", "categories": ["financial"]});
    ok(&app.put(&path(id, "/classification"), KEES, &classification).await);
    // Sent with a key: the answer kept for a retry repeats the complaint.
    let decision = app
        .client
        .post(app.url(&path(id, "/decision")))
        .bearer_auth(app.token(KEES))
        .header("Idempotency-Key", "besluit-1")
        .json(&json!({"summary": format!("Creditnota aan {MARK}."), "resolution": "resolved", "judgement": "well_founded"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decision.status(), StatusCode::OK);
    ok(&app.post(&path(id, "/written-confirmation"), DANA, &json!({"channel": "letter"})).await);
    ok(&app.post(&path(id, "/signatures"), DANA, &json!({})).await);
    ok(&app.post(&path(id, "/signatures"), KEES, &json!({})).await);
    ok(&app.post(&path(id, "/closure"), KEES, &json!({})).await);
    id
}

/// The text a subject-access answer holds at `pointer`, which must carry [`MARK`].
#[track_caller]
fn marked<'a>(answer: &'a Value, pointer: &str) -> &'a str {
    let text = answer.pointer(pointer).and_then(Value::as_str).unwrap_or_default();
    assert!(text.contains(MARK), "{pointer}: {text:?}");
    text
}

/// Everything the register holds about the complainant of [`marked_and_closed`], asked by
/// her e-mail address, as JSON and as a ZIP: her marker in every field, the document's bytes.
async fn handed_over_by_email(app: &TestApp, id: i64) {
    let email = json!({"email": format!("{MARK}@example.nl")});
    let answer = ok(&app.post("/api/v1/subject-access", KEES, &email).await).clone();
    assert_eq!(answer["complaints"].as_array().map(Vec::len), Some(1), "{answer}");
    let held = &answer["complaints"][0];
    assert_eq!(held["complaint"]["id"], id);
    for pointer in [
        "/complaint/complainant/name",
        "/complaint/complainant/email",
        "/complaint/complainant/address/street",
        "/complaint/complainant/address/city",
        "/complaint/client/id",
        "/complaint/client/name",
        "/complaint/matter_reference",
        "/complaint/description",
        "/complaint/root_cause",
        "/complaint/decision/summary",
        "/contacts/0/summary",
        "/documents/0/filename",
        "/actions/0/title",
    ] {
        marked(held, pointer);
    }
    assert_eq!(held["complaint"]["complainant"]["phone"], PHONE);
    let escalation =
        held["timeline"].as_array().unwrap().iter().find(|e| e["type"] == "complaint.escalated");
    marked(escalation.expect("the escalation in the timeline"), "/data/reason/text");

    let zipped = app
        .client
        .post(app.url("/api/v1/subject-access"))
        .bearer_auth(app.token(KEES))
        .header("accept", "application/zip")
        .json(&email)
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.status(), StatusCode::OK);
    let bytes = zipped.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    let mut json = String::new();
    zip.by_name("subject-access.json").unwrap().read_to_string(&mut json).unwrap();
    let in_zip: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(in_zip["complaints"][0]["complaint"], held["complaint"]);
    let reference = held["complaint"]["reference"].as_str().unwrap();
    let document = &held["documents"][0]["id"];
    let mut content = Vec::new();
    zip.by_name(&format!("documents/{reference}/{document}-brief-{MARK}.txt"))
        .expect("the document in the ZIP")
        .read_to_end(&mut content)
        .unwrap();
    assert_eq!(content, format!("Geachte heer {MARK},\n").as_bytes());
}

/// A number the database answers (`SELECT … AS n`).
fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.db.connection().unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut *conn).unwrap().n
}

/// Issue 12's scenario: a complaint whose every personal field carries one marker is handed
/// over in full by subject access, then erased — after which the marker is nowhere in the
/// database, the subject-access requests' terms included, while the chain, every count and
/// the timeline stay.
async fn erasure_leaves_nothing_personal_and_every_count(app: TestApp) {
    let id = marked_and_closed(&app).await;
    ok(&app.get(&path(id, ""), KEES).await);
    handed_over_by_email(&app, id).await;
    // Reads are written in the background, in the order they were made: the ZIP's read of
    // the document comes last.
    let reads = format!("FROM reads WHERE complaint_id = {id}");
    for _ in 0..100 {
        if count(&app, &format!("SELECT COUNT(*) AS n {reads} AND document_id IS NOT NULL")) > 0 {
            break;
        }
        tokio::time::sleep(Wait::from_millis(50)).await;
    }
    let last_read = count(&app, &format!("SELECT COALESCE(MAX(id), 0) AS n {reads}"));
    assert!(count(&app, &format!("SELECT COUNT(*) AS n {reads}")) >= 4, "reads not logged");
    let before = found_in_dump(&app, MARK);
    for place in [
        "complaints.description",
        "complaints.complainant_street",
        "documents.content",
        "idempotency_keys.response_body",
        "event_texts.text",
    ] {
        assert!(before.contains(&place.to_owned()), "{place} not in {before:?}");
    }
    assert!(!found_in_dump(&app, PHONE).is_empty());
    let named = overview(&app, "", KEES).await;
    let anonymised = overview(&app, "&anonymised=true", KEES).await;
    assert!(named["by_client"].to_string().contains(MARK), "{}", named["by_client"]);

    ok(&erase(&app, KEES, id, "Verzoek van de klager (AVG art. 17)").await);

    assert_eq!(found_in_dump(&app, MARK), Vec::<String>::new());
    let left = count(&app, &format!("SELECT COUNT(*) AS n {reads} AND id <= {last_read}"));
    assert_eq!(left, 0, "reads from before the erasure are left");
    assert_eq!(found_in_dump(&app, PHONE), Vec::<String>::new());
    let verification = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(ok(&verification)["intact"], true, "{}", verification.text);
    // Every count stays; only the client the named form listed is gone with the complaint.
    assert_eq!(overview(&app, "&anonymised=true", KEES).await, anonymised);
    let mut after = overview(&app, "", KEES).await;
    assert_eq!(after["by_client"], json!([]));
    after["by_client"] = named["by_client"].clone();
    assert_eq!(after, named);

    let timeline = ok(&app.get(&path(id, "/timeline?limit=200"), KEES).await).clone();
    let last = timeline["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "complaint.erased");
    assert_eq!(last["actor"]["id"], "kees");
    let view = ok(&app.get(&path(id, ""), KEES).await).clone();
    assert_eq!(view["status"], "closed");
    assert_eq!(view["classification"]["categories"], json!(["financial"]));
    assert_eq!(view["decision"]["resolution"], "resolved");
    assert_eq!(view["signatures"]["coordinator"]["signed_by"]["id"], "kees");
    let documents = ok(&app.get(&path(id, "/documents"), KEES).await).clone();
    assert_eq!(documents["items"][0]["size_bytes"], format!("Geachte heer {MARK},\n").len());
    // An erased complaint is not taken up again.
    app.post(&path(id, "/reopening"), KEES, &json!({"reason": "Nieuwe feiten"}))
        .await
        .assert_problem(409, "already_erased");
}

/// What is written to an erased complaint would outlive its erasure (the sweep passes it by):
/// neither the client's remark nor its corrective action takes anything new.
async fn an_erased_complaint_takes_nothing_new(app: TestApp) {
    let id = marked_and_closed(&app).await;
    let actions = ok(&app.get("/api/v1/actions", KEES).await).clone();
    let corrective = actions["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "corrective")
        .expect("the complaint's corrective action")["id"]
        .clone();
    let note = json!({"note": "Nog eens gebeld"});
    let satisfaction = json!({"score": 2, "remark": "Toch niet tevreden"});
    // Before the erasure both are taken.
    ok(&app.post(&format!("/api/v1/actions/{corrective}/progress"), DANA, &note).await);
    ok(&app.post(&path(id, "/satisfaction"), DANA, &satisfaction).await);

    ok(&erase(&app, KEES, id, "Verzoek van de klager (AVG art. 17)").await);

    app.post(&path(id, "/satisfaction"), DANA, &satisfaction)
        .await
        .assert_problem(409, "already_erased");
    app.post(&format!("/api/v1/actions/{corrective}/progress"), DANA, &note)
        .await
        .assert_problem(409, "already_erased");
    let action = |kind: &str| {
        json!({"kind": kind, "title": "Excuses", "description": "Nogmaals", "due_on": "2026-12-20",
               "complaint_ids": [id]})
    };
    app.post("/api/v1/actions", KEES, &action("corrective"))
        .await
        .assert_problem(409, "already_erased");
    // An improvement is the firm's, about many complaints: an erased one may be among them.
    assert_eq!(app.post("/api/v1/actions", KEES, &action("improvement")).await.status, 201);
}

async fn the_retention_term_is_a_setting(app: TestApp) {
    let org = ok(&app.get("/api/v1/organisation", KEES).await).clone();
    assert_eq!((&org["retention_months"], &org["retention_reason"]), (&json!(24), &Value::Null));
    let app = &app;
    let edit = |body: Value| async move { app.patch("/api/v1/organisation", KEES, &body).await };
    assert_eq!(edit(json!({"retention_months": 11})).await.error_fields(), ["retention_months"]);
    assert_eq!(edit(json!({"retention_months": null})).await.error_fields(), ["retention_reason"]);
    assert_eq!(
        edit(json!({"retention_reason": "Wij bewaren langer"})).await.error_fields(),
        ["retention_reason"]
    );
    let kept =
        edit(json!({"retention_months": null, "retention_reason": "Lopende zaak bij het Kifid"}))
            .await;
    assert_eq!(ok(&kept)["retention_months"], Value::Null);
    assert_eq!(kept.json["retention_reason"], "Lopende zaak bij het Kifid");
    app.patch("/api/v1/organisation", DANA, &json!({"retention_months": 12}))
        .await
        .assert_problem(403, "coordinator_role_required");

    // Kept without a term: the sweep leaves a complaint that ended long ago.
    let id = withdrawn(app, &complaint_body(), KEES).await;
    app.clock.advance(Duration::days(365 * 30));
    assert_eq!(erasure::sweep(&app.db, app.clock_now()).await.unwrap(), 0);
    assert_eq!(ok(&app.get(&path(id, ""), KEES).await)["erased_at"], Value::Null);

    let term = ok(&edit(json!({"retention_months": 36})).await).clone();
    assert_eq!((&term["retention_months"], &term["retention_reason"]), (&json!(36), &Value::Null));
    // The reason was free text: its events hold it only as a commitment, beside them.
    assert_eq!(found_in_dump(app, "Kifid"), ["event_texts.text"]);
    assert_eq!(erasure::sweep(&app.db, app.clock_now()).await.unwrap(), 1);
}

/// A subject-access request that found nothing concerns no complaint: its term is kept as long
/// as a finished complaint would be, and the retention sweep erases it after that.
async fn a_request_that_found_nothing_is_kept_for_the_term(app: TestApp) {
    let asked = json!({"email": format!("niemand-{MARK}@example.nl")});
    let answer = ok(&app.post("/api/v1/subject-access", KEES, &asked).await).clone();
    assert_eq!(answer["complaints"], json!([]));
    assert_eq!(found_in_dump(&app, MARK), ["event_texts.text"]);

    // 2 November 2026 + 730 days is 1 November 2028: not yet 24 months.
    app.clock.advance(Duration::days(730));
    assert_eq!(erasure::sweep(&app.db, app.clock_now()).await.unwrap(), 0);
    assert_eq!(found_in_dump(&app, MARK), ["event_texts.text"]);
    app.clock.advance(Duration::days(2));
    assert_eq!(erasure::sweep(&app.db, app.clock_now()).await.unwrap(), 0);
    assert_eq!(found_in_dump(&app, MARK), Vec::<String>::new());
    let verification = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(ok(&verification)["intact"], true, "{}", verification.text);
}

/// Whether the complaint's personal data is erased, once the watcher had time to erase it.
async fn erased_by_sweep(app: &TestApp, id: i64) -> bool {
    for _ in 0..250 {
        if !ok(&app.get(&path(id, ""), KEES).await)["erased_at"].is_null() {
            return true;
        }
        tokio::time::sleep(Wait::from_millis(20)).await;
    }
    false
}

async fn erasures(app: &TestApp, id: i64) -> Vec<Value> {
    let timeline = app.get(&path(id, "/timeline?limit=200"), KEES).await;
    ok(&timeline)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "complaint.erased")
        .cloned()
        .collect()
}

async fn the_sweep_erases_what_ended_before_the_term(app: TestApp) {
    let receiver = WebhookReceiver::start();
    let subscribed = json!({
        "url": receiver.url, "event_types": ["complaint.erased"],
        "secret": "receiver-secret-of-kantoor-a-0123",
    });
    assert_eq!(app.post("/api/v1/webhooks", KEES, &subscribed).await.status, 201);
    let withdrawn_early = withdrawn(&app, &complaint_body(), KEES).await;
    let improvement = json!({
        "kind": "improvement", "reported_by": "employee",
        "description": "Het sjabloon van de opdrachtbevestiging is verouderd.",
    });
    let closed_early = app.register(DANA, &improvement).await["id"].as_i64().unwrap();
    let classification = json!({"channel": "written", "categories": ["practice"]});
    ok(&app.put(&path(closed_early, "/classification"), KEES, &classification).await);
    let decision = json!({"summary": "Nog niet aangepast.", "resolution": "unresolved"});
    ok(&app.post(&path(closed_early, "/decision"), KEES, &decision).await);
    ok(&app.post(&path(closed_early, "/closure"), KEES, &json!({})).await);
    let open = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();

    // 2 November 2026 + 730 days is 1 November 2028: not yet 24 months.
    app.clock.advance(Duration::days(730));
    let withdrawn_late = withdrawn(&app, &complaint_body(), KEES).await;
    tokio::time::sleep(Wait::from_millis(300)).await;
    for id in [withdrawn_early, closed_early] {
        assert!(erasures(&app, id).await.is_empty(), "complaint {id} erased before its term");
    }

    app.clock.advance(Duration::days(2));
    for id in [withdrawn_early, closed_early] {
        assert!(erased_by_sweep(&app, id).await, "complaint {id} was not erased");
    }
    receiver.wait_for(2).await;
    // Idempotent: more rounds of the watcher, and one more sweep, erase nothing again.
    tokio::time::sleep(Wait::from_millis(300)).await;
    assert_eq!(erasure::sweep(&app.db, app.clock_now()).await.unwrap(), 0);
    for id in [withdrawn_early, closed_early] {
        let found = erasures(&app, id).await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["actor"], Value::Null, "the service erases by itself");
        assert_eq!(found[0]["data"]["reason"], "retention");
    }
    for id in [open, withdrawn_late] {
        assert_eq!(ok(&app.get(&path(id, ""), KEES).await)["erased_at"], Value::Null);
    }
    assert_eq!(receiver.requests().len(), 2, "each erasure is announced once");
    for request in receiver.requests() {
        let event: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(event["type"], "complaint.erased", "{event}");
    }
}

on_both_databases!(
    refusals_name_their_rule,
    erasure_leaves_nothing_personal_and_every_count,
    an_erased_complaint_takes_nothing_new,
    the_retention_term_is_a_setting,
    a_request_that_found_nothing_is_kept_for_the_term,
);

mod swept {
    use crate::on_both_databases;
    on_both_databases!(spawn = crate::deadlines::watched; the_sweep_erases_what_ended_before_the_term);
    use super::the_sweep_erases_what_ended_before_the_term;
}

/// Two instances run the retention sweep on one PostgreSQL database: each complaint is
/// erased, and its erasure announced, once.
#[actix_web::test]
async fn two_instances_on_postgres_erase_once() {
    let Some(first) = watched(Backend::Postgres).await else { return };
    let second = first.another_instance().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &first } else { &second };
        ids.push(withdrawn(app, &complaint_body(), KEES).await);
    }
    first.clock.advance(Duration::days(800));
    for id in &ids {
        assert!(erased_by_sweep(&second, *id).await, "complaint {id} was not erased");
    }
    tokio::time::sleep(Wait::from_millis(300)).await;
    for id in &ids {
        assert_eq!(erasures(&first, *id).await.len(), 1, "complaint {id}");
    }
    let verification = first.get("/api/v1/events/verification", KEES).await;
    assert_eq!(ok(&verification)["intact"], true, "{}", verification.text);
}
