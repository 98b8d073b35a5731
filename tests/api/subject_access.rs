//! Subject access (AVG art. 15, DESIGN.md §9): a coordinator gets everything the register
//! holds about a complainant or a client — as JSON, or as a ZIP with the documents — and the
//! request is recorded without the terms in clear.

use std::io::{Cursor, Read};
use std::time::Duration;

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use klachtenregister::db::AnyConnection;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::dossier::{BOUNDARY, PDF, multipart};
use crate::on_both_databases;
use crate::support::{DANA, DIRK, KEES, Person, Reply, TestApp, complaint_body};

on_both_databases!(
    everything_held_is_handed_over_by_email_name_or_client_id,
    the_zip_holds_the_answer_and_the_documents,
    only_a_coordinator_asks_and_for_exactly_one_term,
    the_request_is_recorded_without_its_terms,
);

const EMAIL: &str = "Marieke.Zondervan@Example.nl";
const NAME: &str = "Marieke Zondervan";
const CLIENT: &str = "REL-77001";
const CLIENT_NAME: &str = "Zondervan Beheer B.V.";

async fn ask(app: &TestApp, person: Person, body: &Value) -> Reply {
    app.post("/api/v1/subject-access", person, body).await
}

/// A complaint about Marieke's client with one of everything: a contact, a document, a
/// decision and its written confirmation; and one of someone else.
async fn dossier(app: &TestApp) -> (i64, i64) {
    let mut body = complaint_body();
    body["complainant"] = json!({"name": NAME, "email": EMAIL, "phone": "+31 6 1234 5678"});
    body["client"] = json!({"id": CLIENT, "name": CLIENT_NAME});
    let id = app.register(DANA, &body).await["id"].as_i64().unwrap();
    let base = format!("/api/v1/complaints/{id}");
    let contact = json!({"channel": "phone", "summary": "Mevrouw Zondervan gebeld."});
    assert_eq!(app.post(&format!("{base}/contacts"), DANA, &contact).await.status, 201);
    let response = app
        .client
        .post(app.url(&format!("{base}/documents")))
        .bearer_auth(app.token(DANA))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&[("file", "brief.pdf", PDF)]))
        .send()
        .await
        .unwrap();
    let document = Reply::from(response).await;
    assert_eq!(document.status, 201, "{}", document.text);
    let decision = json!({"summary": "Excuses aangeboden aan mevrouw Zondervan.", "resolution": "resolved", "judgement": "well_founded"});
    assert_eq!(app.post(&format!("{base}/decision"), DANA, &decision).await.status, 200);
    let confirmation = json!({"channel": "letter", "document_id": document.json["id"]});
    let confirmed = app.post(&format!("{base}/written-confirmation"), DANA, &confirmation).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let action = json!({"kind": "corrective", "title": "Excuses aan mevrouw Zondervan", "complaint_ids": [id]});
    assert_eq!(app.post("/api/v1/actions", DANA, &action).await.status, 201);
    // Someone else's complaint stays out of her answer.
    app.register(DANA, &complaint_body()).await;
    // A read for the read log.
    assert_eq!(app.get(&base, KEES).await.status, 200);
    reads_until(app, id, |reads| !reads.is_empty()).await;
    (id, document.json["id"].as_i64().unwrap())
}

/// The complaint's read log once `done` holds (reads are written in batches).
async fn reads_until(app: &TestApp, id: i64, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let reads = app.get(&format!("/api/v1/complaints/{id}/reads"), DIRK).await;
        let items = reads.json["items"].as_array().cloned().unwrap_or_default();
        if done(items.as_slice()) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the reads were not logged");
}

async fn everything_held_is_handed_over_by_email_name_or_client_id(app: TestApp) {
    let (id, document) = dossier(&app).await;

    let answer = ask(&app, KEES, &json!({"email": " marieke.zondervan@EXAMPLE.nl "})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json["searched_by"], "email");
    assert_eq!(answer.json["term"], "marieke.zondervan@example.nl");
    assert_eq!(answer.json["requested_by"]["id"], "kees");
    let complaints = answer.json["complaints"].as_array().unwrap();
    assert_eq!(complaints.len(), 1, "{}", answer.text);
    let held = &complaints[0];
    assert_eq!(held["complaint"]["id"], id);
    assert_eq!(held["complaint"]["complainant"]["email"], EMAIL);
    assert_eq!(held["complaint"]["client"]["name"], CLIENT_NAME);
    assert_eq!(
        held["complaint"]["decision"]["summary"],
        "Excuses aangeboden aan mevrouw Zondervan."
    );
    assert_eq!(held["complaint"]["written_confirmation"]["document_id"], document);
    assert_eq!(held["contacts"][0]["summary"], "Mevrouw Zondervan gebeld.");
    assert_eq!(held["actions"][0]["title"], "Excuses aan mevrouw Zondervan");
    assert_eq!(held["documents"][0]["id"], document);
    assert_eq!(held["documents"][0]["filename"], "brief.pdf");
    assert_eq!(held["documents"][0]["size_bytes"], PDF.len());
    let timeline: Vec<&str> =
        held["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        timeline,
        [
            "complaint.registered",
            "complaint.contact_recorded",
            "complaint.document_added",
            "complaint.decided",
            "complaint.written_confirmation_recorded",
            "action.created",
        ]
    );
    // The timeline as GET /timeline shows it.
    let shown = app.get(&format!("/api/v1/complaints/{id}/timeline"), KEES).await;
    assert_eq!(held["timeline"], shown.json["items"]);
    let readers: Vec<&str> = held["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["staff"]["id"].as_str().unwrap())
        .collect();
    assert!(readers.contains(&"kees"), "{readers:?}");

    // The same complaint by her name, her client's name (case and spaces aside) and the id.
    for body in [
        json!({"name": " marieke   ZONDERVAN"}),
        json!({"name": "zondervan beheer b.v."}),
        json!({"client_id": CLIENT}),
    ] {
        let found = ask(&app, DIRK, &body).await;
        assert_eq!(found.status, StatusCode::OK, "{body}: {}", found.text);
        let ids: Vec<&Value> = found.json["complaints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["complaint"]["id"])
            .collect();
        assert_eq!(ids, [&json!(id)], "{body}");
    }
    // Nothing fuzzier, and nobody else's.
    for body in [
        json!({"name": "M. Zondervan"}),
        json!({"client_id": "rel-77001"}),
        json!({"email": "zondervan@example.nl"}),
    ] {
        let found = ask(&app, DIRK, &body).await;
        assert_eq!(found.status, StatusCode::OK, "{}", found.text);
        assert_eq!(found.json["complaints"], json!([]), "{body}");
    }

    // Handing it out was a read of the complaint, by whoever asked.
    reads_until(&app, id, |reads| reads.iter().any(|r| r["staff"]["id"] == "dirk")).await;
}

async fn the_zip_holds_the_answer_and_the_documents(app: TestApp) {
    let (id, document) = dossier(&app).await;
    let response = app
        .client
        .post(app.url("/api/v1/subject-access"))
        .bearer_auth(app.token(DIRK))
        .header("accept", "application/zip")
        .json(&json!({"email": EMAIL}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let bytes = response.bytes().await.unwrap();

    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a ZIP");
    let mut json = String::new();
    zip.by_name("subject-access.json").unwrap().read_to_string(&mut json).unwrap();
    let answer: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(answer["complaints"][0]["complaint"]["id"], id);
    assert_eq!(answer["complaints"][0]["contacts"][0]["summary"], "Mevrouw Zondervan gebeld.");
    let reference = answer["complaints"][0]["complaint"]["reference"].as_str().unwrap();
    let mut content = Vec::new();
    zip.by_name(&format!("documents/{reference}/{document}-brief.pdf"))
        .expect("the document in the ZIP")
        .read_to_end(&mut content)
        .unwrap();
    assert_eq!(content, PDF);
    assert_eq!(zip.len(), 2);

    // The document handed out is a read of that document.
    reads_until(&app, id, |reads| {
        reads.iter().any(|r| r["staff"]["id"] == "dirk" && r["document_id"] == document)
    })
    .await;
}

async fn only_a_coordinator_asks_and_for_exactly_one_term(app: TestApp) {
    dossier(&app).await;
    ask(&app, DANA, &json!({"email": EMAIL}))
        .await
        .assert_problem(403, "coordinator_role_required");

    let none = ask(&app, KEES, &json!({})).await;
    none.assert_problem(422, "validation_failed");
    assert_eq!(none.error_fields(), ["email", "name", "client_id"]);
    let two = ask(&app, KEES, &json!({"email": EMAIL, "client_id": CLIENT})).await;
    two.assert_problem(422, "validation_failed");
    assert_eq!(two.error_fields(), ["email", "client_id"]);
    let bad = ask(&app, KEES, &json!({"email": "geen adres"})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["email"]);
    let unknown = ask(&app, KEES, &json!({"phone": "+31 6 1234 5678"})).await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["phone"]);

    // A complaint about Kees is his to read, not to hand out: Dirk, the deputy, answers.
    let mut about_kees = complaint_body();
    about_kees["complainant"] = json!({"name": "Piet Kritisch"});
    about_kees["subject_id"] = json!("kees");
    app.register(DANA, &about_kees).await;
    let refused = ask(&app, KEES, &json!({"name": "Piet Kritisch"})).await;
    refused.assert_problem(403, "coordinator_is_subject");
    let answered = ask(&app, DIRK, &json!({"name": "Piet Kritisch"})).await;
    assert_eq!(answered.json["complaints"].as_array().map(Vec::len), Some(1), "{}", answered.text);
}

#[derive(QueryableByName)]
struct Recorded {
    #[diesel(sql_type = Nullable<BigInt>)]
    actor_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    complaint_id: Option<i64>,
    #[diesel(sql_type = Text)]
    data: String,
}

#[derive(QueryableByName)]
struct Staff {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

async fn the_request_is_recorded_without_its_terms(app: TestApp) {
    let (id, _) = dossier(&app).await;
    for body in [json!({"email": EMAIL}), json!({"name": NAME}), json!({"client_id": CLIENT})] {
        assert_eq!(ask(&app, KEES, &body).await.status, StatusCode::OK);
    }
    let mut pooled = app.db.connection().unwrap();
    let conn: &mut AnyConnection = &mut pooled;
    let recorded: Vec<Recorded> = diesel::sql_query(
        "SELECT actor_id, complaint_id, data FROM events \
         WHERE event_type = 'subject_access.requested' ORDER BY id",
    )
    .load(conn)
    .unwrap();
    assert_eq!(recorded.len(), 3);
    let kees: Staff =
        diesel::sql_query("SELECT id FROM staff WHERE subject = 'kees'").get_result(conn).unwrap();
    for (event, field) in recorded.iter().zip(["email", "name", "client_id"]) {
        assert_eq!(event.actor_id, Some(kees.id));
        assert_eq!(event.complaint_id, None);
        let data: Value = serde_json::from_str(&event.data).unwrap();
        assert_eq!(data["complaints"], json!([id]));
        let commitment = data[field]["sha256"].as_str().unwrap_or_default();
        assert!(
            commitment.len() == 64 && commitment.bytes().all(|b| b.is_ascii_hexdigit()),
            "{data}"
        );
        let lower = event.data.to_lowercase();
        for term in [EMAIL, NAME, CLIENT, "zondervan", "marieke", "77001"] {
            assert!(!lower.contains(&term.to_lowercase()), "{term} in {data}");
        }
    }
    // The same term twice commits differently: the salt keeps guesses from being tested.
    assert_eq!(ask(&app, KEES, &json!({"email": EMAIL})).await.status, StatusCode::OK);
    let again: Vec<Recorded> = diesel::sql_query(
        "SELECT actor_id, complaint_id, data FROM events \
         WHERE event_type = 'subject_access.requested' ORDER BY id",
    )
    .load(conn)
    .unwrap();
    let commitment =
        |r: &Recorded| serde_json::from_str::<Value>(&r.data).unwrap()["email"].clone();
    assert_ne!(commitment(&again[0]), commitment(&again[3]));
    // The chain holds with the new events in it.
    let verified = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(verified.json["intact"], true, "{}", verified.text);
}
