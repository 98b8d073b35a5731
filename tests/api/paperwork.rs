//! The paperwork of the regulation: the klachtenregistratieformulier as PDF and HTML, the
//! letters to the client into the dossier, their templates, and the regulation handed to
//! clients. PDFs are read back with an independent reader, poppler's `pdftotext`.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use klachtenregister::store::{letter_templates, organisations, staff};

use crate::support::{
    Backend, DANA, EVA, KEES, ORG_A, OTTO, Person, TestApp, complaint_body, reader_installed,
};

on_both_databases!(
    spawn = super::with_pdftotext;
    the_form_of_a_signed_closed_complaint,
    an_unsigned_form_names_who_must_still_sign,
    letters_land_in_the_dossier_as_pdfs,
    letters_follow_the_organisations_wording,
    the_regulation_is_public_and_nothing_else,
    names_are_text_never_markup,
);

/// What needs no PDF reader: it runs wherever the service does.
mod without_reader {
    crate::on_both_databases!(
        templates_are_checked_when_saved,
        a_template_that_fails_when_filled_is_refused_on_save,
        two_first_wordings_at_once_leave_one,
        the_public_page_is_limited_per_client_address,
    );

    use super::{
        a_template_that_fails_when_filled_is_refused_on_save, templates_are_checked_when_saved,
        the_public_page_is_limited_per_client_address, two_first_wordings_at_once_leave_one,
    };
}

/// The service, for tests that read its PDFs back: `None` (skipped) outside CI without poppler.
async fn with_pdftotext(backend: Backend) -> Option<TestApp> {
    if !reader_installed("pdftotext", &["-v"], "apt-get install poppler-utils") {
        return None;
    }
    TestApp::spawn(backend).await
}

/// A `GET` as `person` (or without a token) accepting `accept`: status, content type and
/// the body's bytes.
async fn fetch(
    app: &TestApp,
    path: &str,
    person: Option<Person>,
    accept: Option<&str>,
) -> (StatusCode, String, Vec<u8>) {
    let mut request = app.client.get(app.url(path));
    if let Some(person) = person {
        request = request.bearer_auth(app.token(person));
    }
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("the service answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.bytes().await.unwrap().to_vec())
}

/// The HTML page at `path` as `person` (or without a token) reads it.
async fn page(app: &TestApp, path: &str, person: Option<Person>) -> String {
    let (status, content_type, body) = fetch(app, path, person, Some("text/html")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "text/html; charset=utf-8");
    String::from_utf8(body).unwrap()
}

/// The text of a PDF as poppler reads it, its whitespace folded to single spaces.
fn pdf_text(pdf: &[u8]) -> String {
    assert!(
        pdf.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        String::from_utf8_lossy(&pdf[..pdf.len().min(60)])
    );
    let mut reader = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext runs (with_pdftotext checked it)");
    reader.stdin.take().unwrap().write_all(pdf).unwrap();
    let output = reader.wait_with_output().unwrap();
    assert!(output.status.success(), "pdftotext failed");
    String::from_utf8(output.stdout).unwrap().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The form of complaint `id` as `person` reads it: its PDF's text.
async fn form_text(app: &TestApp, id: i64, query: &str, person: Person) -> String {
    let (status, content_type, body) =
        fetch(app, &format!("/api/v1/complaints/{id}/form{query}"), Some(person), None).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, "application/pdf");
    pdf_text(&body)
}

/// Asserts that `text` (of `what`) holds each of `expected`.
#[track_caller]
fn holds(text: &str, what: &str, expected: &[&str]) {
    for expected in expected {
        assert!(text.contains(expected), "{what} lacks {expected:?}: {text}");
    }
}

#[track_caller]
fn ok(reply: &crate::support::Reply) -> &Value {
    assert!(reply.status.is_success(), "expected success, got {}: {}", reply.status, reply.text);
    &reply.json
}

/// The usual complaint, with the complainant's postal address.
fn addressed_complaint() -> Value {
    let mut body = complaint_body();
    body["complainant"]["address"] =
        json!({"street": "Keizersgracht 123", "postal_code": "1015cj", "city": "Amsterdam"});
    body
}

/// Dana's complaint taken through the whole procedure: a contact with a term, a corrective
/// action, classification II and III, a decision, the written confirmation, both signatures
/// and closure.
async fn closed_complaint(app: &TestApp) -> (i64, String) {
    let complaint = app.register(DANA, &addressed_complaint()).await;
    let id = complaint["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let contact = json!({
        "channel": "phone", "summary": "Cliënt gebeld: in behandeling.",
        "still_handling": true, "follow_up_due_at": "2026-11-06T17:00:00Z"
    });
    ok(&app.post(&path("/contacts"), DANA, &contact).await);
    let action = json!({
        "kind": "corrective", "title": "Creditnota sturen", "description": "Te veel uren",
        "due_on": "2026-11-20", "complaint_ids": [id]
    });
    ok(&app.post("/api/v1/actions", DANA, &action).await);
    let classification = json!({"channel": "oral", "categories": ["legal", "financial"]});
    ok(&app.put(&path("/classification"), KEES, &classification).await);
    let decision = json!({"summary": "Declaratie gecorrigeerd.", "resolution": "resolved", "judgement": "well_founded"});
    ok(&app.post(&path("/decision"), KEES, &decision).await);
    let satisfaction = json!({"score": 4, "remark": "Netjes rechtgezet."});
    ok(&app.post(&path("/satisfaction"), DANA, &satisfaction).await);
    ok(&app.post(&path("/written-confirmation"), DANA, &json!({"channel": "letter"})).await);
    ok(&app.post(&path("/signatures"), DANA, &json!({})).await);
    ok(&app.post(&path("/signatures"), KEES, &json!({})).await);
    ok(&app.post(&path("/closure"), KEES, &json!({})).await);
    (id, complaint["reference"].as_str().unwrap().to_owned())
}

async fn the_form_of_a_signed_closed_complaint(app: TestApp) {
    let (id, reference) = closed_complaint(&app).await;

    let text = form_text(&app, id, "", KEES).await;
    holds(
        &text,
        "the form",
        &[
            "Klachtenregistratieformulier",
            "Kantoor Vuijst",
            reference.as_str(),
            "Klacht",
            "Afgesloten",
            // The channel and the categories, ticked where they apply.
            "X A. mondeling",
            "X II. Klachten over juridisch-inhoudelijke aspecten",
            "X III. Klachten over financiële aspecten",
            "J. de Vries",
            "De Vries Holding B.V.",
            "Z-2026-114",
            "De cliënt vindt de declaratie van oktober te hoog.",
            "Cliënt gebeld: in behandeling.",
            "Termijn gegeven: uiterlijk 6 november 2026, 17:00 UTC",
            "Creditnota sturen",
            "Declaratie gecorrigeerd.",
            "Naar tevredenheid opgelost",
            // What the Wft and the Bar ask to be recorded: the address, the judgement, and
            // the client's satisfaction at closure.
            "Keizersgracht 123 1015 CJ Amsterdam",
            "Gegrond",
            "Tevredenheid van de cliënt",
            "4 van 5",
            "Netjes rechtgezet.",
            // Both signatures: capacity, name and moment.
            "Betrokken dienstverlener",
            "Dana de Wit, getekend 2 november 2026, 09:00 UTC",
            "Klachtencoördinator",
            "Kees Vuijst, getekend 2 november 2026, 09:00 UTC",
        ],
    );
    // Categories that do not apply are not ticked.
    assert!(!text.contains("X I. Klachten"), "{text}");
    assert!(!text.contains("X B. schriftelijk"), "{text}");
    assert!(!text.contains("Nog te tekenen"), "{text}");

    // The printable page says the same, escaped for HTML.
    let html = page(&app, &format!("/api/v1/complaints/{id}/form"), Some(DANA)).await;
    holds(
        &html,
        "the page",
        &[
            reference.as_str(),
            "J. de Vries",
            "Keizersgracht 123\n1015 CJ  Amsterdam",
            "Gegrond",
            "4 van 5",
            "Dana de Wit",
            "Kees Vuijst",
            "@page { size: A4",
        ],
    );

    // For the office meeting: nobody is named.
    let anonymised = form_text(&app, id, "?anonymised=true", KEES).await;
    assert!(
        anonymised.contains(&reference) && anonymised.contains("Geanonimiseerd"),
        "{anonymised}"
    );
    assert!(anonymised.contains("X II. Klachten over juridisch-inhoudelijke aspecten"));
    for name in [
        "J. de Vries",
        "j.devries@example.nl",
        "De Vries Holding",
        "Keizersgracht",
        "1015 CJ",
        "REL-10442",
        "Z-2026-114",
        "Dana",
        "Kees",
    ] {
        assert!(!anonymised.contains(name), "the anonymised form names {name:?}: {anonymised}");
    }

    // Whoever may not read the complaint gets no form; each fetch is a logged read.
    let hidden = app.get(&format!("/api/v1/complaints/{id}/form"), EVA).await;
    hidden.assert_problem(404, "not_found");
    app.get(&format!("/api/v1/complaints/{id}/form"), OTTO).await.assert_problem(404, "not_found");
    let expected = [json!("kees"), json!("dana"), json!("kees")];
    let mut readers = Vec::new();
    for _ in 0..100 {
        let reads = app.get(&format!("/api/v1/complaints/{id}/reads"), KEES).await;
        readers = reads.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["staff"]["id"].clone())
            .collect();
        if readers.starts_with(&expected) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(readers.starts_with(&expected), "the form's reads were not logged: {readers:?}");
}

async fn an_unsigned_form_names_who_must_still_sign(app: TestApp) {
    // The coordinator has signed in once: the service knows his name.
    ok(&app.get("/api/v1/me", KEES).await);
    let complaint = app.register(DANA, &complaint_body()).await;
    let id = complaint["id"].as_i64().unwrap();
    let text = form_text(&app, id, "", DANA).await;
    assert!(text.contains("Betrokken dienstverlener"), "{text}");
    assert!(text.contains("Nog te tekenen door Dana de Wit"), "{text}");
    assert!(text.contains("Nog te tekenen door Kees Vuijst"), "{text}");
    assert!(text.contains("Nog geen beslissing") && text.contains("Geregistreerd"), "{text}");
    // Nothing is ticked before the coordinator classifies.
    assert!(!text.contains("X "), "{text}");
    let anonymised = form_text(&app, id, "?anonymised=true", DANA).await;
    assert!(anonymised.contains("Nog te tekenen"), "{anonymised}");
    assert!(!anonymised.contains("Dana de Wit") && !anonymised.contains("Kees"), "{anonymised}");
}

/// The text of the dossier's document `document` of complaint `id`.
async fn document_text(app: &TestApp, id: i64, document: &Value) -> String {
    let path = format!("/api/v1/complaints/{id}/documents/{}", document["id"]);
    let (status, content_type, body) = fetch(app, &path, Some(KEES), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    assert_eq!(body.len() as i64, document["size_bytes"].as_i64().unwrap());
    pdf_text(&body)
}

/// Writes a letter of `kind` into complaint `id`'s dossier as `person`: the document and
/// its text.
async fn letter(app: &TestApp, id: i64, kind: &str, person: Person) -> (Value, String) {
    let path = format!("/api/v1/complaints/{id}/letters");
    let written = app.post(&path, person, &json!({ "kind": kind })).await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.text);
    let text = document_text(app, id, &written.json).await;
    (written.json, text)
}

async fn letters_land_in_the_dossier_as_pdfs(app: TestApp) {
    let complaint = app.register(DANA, &addressed_complaint()).await;
    let id = complaint["id"].as_i64().unwrap();
    let reference = complaint["reference"].as_str().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let contact = json!({
        "channel": "phone", "summary": "Cliënt gebeld.", "still_handling": true,
        "follow_up_due_at": "2026-11-06T17:00:00Z"
    });
    ok(&app.post(&path("/contacts"), DANA, &contact).await);

    let written = app.post(&path("/letters"), DANA, &json!({"kind": "acknowledgement"})).await;
    assert_eq!(written.status, StatusCode::CREATED, "{}", written.text);
    let acknowledgement = written.json.clone();
    assert_eq!(acknowledgement["content_type"], "application/pdf");
    assert_eq!(acknowledgement["filename"], format!("Ontvangstbevestiging {reference}.pdf"));
    assert_eq!(acknowledgement["uploaded_by"]["id"], "dana");
    assert_eq!(acknowledgement["sha256"].as_str().unwrap().len(), 64);
    let location = written.header("location").unwrap().to_owned();
    assert!(location.ends_with(&format!("/documents/{}", acknowledgement["id"])), "{location}");
    let text = document_text(&app, id, &acknowledgement).await;
    holds(
        &text,
        "the acknowledgement",
        &[
            "Kantoor Vuijst",
            reference,
            "J. de Vries",
            "2 november 2026",
            "Uiterlijk op 6 november 2026 komen wij bij u terug",
            "Dana de Wit",
        ],
    );
    // Addressed: the complainant's name and postal address above the text.
    let block = "J. de Vries Keizersgracht 123 1015 CJ Amsterdam";
    let (above, salutation) = (text.find(block), text.find("Geachte J. de Vries,"));
    assert!(above.is_some() && above < salutation, "no address block above the text: {text}");
    // The address may be broken over two lines.
    let url = "https://klachten.example.nl/public/organisations/kantoor-a/klachtenregeling";
    assert!(text.replace(' ', "").contains(url), "the acknowledgement lacks {url}: {text}");
    // It is in the dossier as an upload is: listed, with its event and hash.
    let documents = app.get(&path("/documents"), DANA).await;
    assert_eq!(documents.json["items"][0], acknowledgement);
    let timeline = app.get(&path("/timeline"), DANA).await;
    let added = timeline.json["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(added["type"], "complaint.document_added");
    assert_eq!(added["data"]["sha256"], acknowledgement["sha256"]);

    // The confirmation confirms a decision: there is none yet.
    app.post(&path("/letters"), DANA, &json!({"kind": "confirmation"}))
        .await
        .assert_problem(409, "decision_required");
    let decision = json!({"summary": "Creditnota van EUR 340 verstuurd.", "resolution": "resolved", "judgement": "partly_well_founded"});
    ok(&app.post(&path("/decision"), DANA, &decision).await);
    let (_, text) = letter(&app, id, "confirmation", KEES).await;
    holds(
        &text,
        "the confirmation",
        &[
            reference,
            "J. de Vries",
            "Keizersgracht 123",
            "Creditnota van EUR 340 verstuurd.",
            "Kantoor Vuijst",
            // No dispute body set: the regulation names it.
            "dan kunt u zich wenden tot de instantie die in onze klachtenregeling wordt genoemd.",
        ],
    );
    // Once the organisation names its dispute body, the confirmation does.
    ok(&app.patch("/api/v1/organisation", KEES, &json!({"dispute_body": kifid()})).await);
    let (confirmation, text) = letter(&app, id, "confirmation", KEES).await;
    let named = "dan kunt u zich wenden tot Kifid, Postbus 93257, 2509 AG Den Haag,";
    holds(&text, "the confirmation", &[named]);
    // The address may be broken over two lines.
    assert!(text.replace(' ', "").contains("DenHaag,https://www.kifid.nl."), "{text}");
    // The written confirmation names the letter, as it names an upload.
    let confirmed = app
        .post(
            &path("/written-confirmation"),
            DANA,
            &json!({"channel": "letter", "document_id": confirmation["id"]}),
        )
        .await;
    assert_eq!(ok(&confirmed)["written_confirmation"]["document_id"], confirmation["id"]);

    // Who may not handle the complaint writes no letter; an unknown kind is refused.
    app.post(&path("/letters"), EVA, &json!({"kind": "acknowledgement"}))
        .await
        .assert_problem(404, "not_found");
    let unknown = app.post(&path("/letters"), DANA, &json!({"kind": "aanmaning"})).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.text);
    // An internal report names no complainant to write to.
    let internal = app
        .register(
            DANA,
            &json!({"kind": "error", "reported_by": "employee", "description": "Fout."}),
        )
        .await;
    app.post(
        &format!("/api/v1/complaints/{}/letters", internal["id"]),
        DANA,
        &json!({"kind": "acknowledgement"}),
    )
    .await
    .assert_problem(422, "complainant_required");
}

async fn templates_are_checked_when_saved(app: TestApp) {
    let path = "/api/v1/organisation/letter-templates/acknowledgement";
    let default = app.get(path, DANA).await;
    assert_eq!(ok(&default)["is_default"], true);
    assert_eq!(default.json["version"], 0);
    assert_eq!(default.header("etag"), Some("\"0\""));
    assert!(default.json["body"].as_str().unwrap().contains("{{ follow_up_on }}"));
    let names: Vec<&str> = default.json["placeholders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"reference") && names.contains(&"complainant"), "{names:?}");

    let wording = json!({ "body": WORDING });
    app.put(path, DANA, &wording).await.assert_problem(403, "coordinator_role_required");
    let unknown = app.put(path, KEES, &json!({"body": "Beste {{ klant }}, {{ reference }}"})).await;
    unknown.assert_problem(422, "validation_failed");
    assert_eq!(unknown.error_fields(), ["body"]);
    assert!(
        unknown.json["errors"][0]["message"].as_str().unwrap().contains("'klant'"),
        "{}",
        unknown.text
    );
    app.put(path, KEES, &json!({"body": "Beste {{ complainant "}))
        .await
        .assert_problem(422, "validation_failed");
    app.get("/api/v1/organisation/letter-templates/aanmaning", KEES)
        .await
        .assert_problem(404, "not_found");

    let saved = app.put(path, KEES, &wording).await;
    assert_eq!(ok(&saved)["is_default"], false);
    assert_eq!(saved.json["version"], 1);
    assert_eq!(saved.json["updated_by"]["id"], "kees");
    assert_eq!(app.get(path, EVA).await.json, saved.json);
    // A change based on the default, after it was replaced, is refused.
    let stale = app
        .client
        .put(app.url(path))
        .bearer_auth(app.token(KEES))
        .header("if-match", "\"0\"")
        .json(&json!({"body": "{{ reference }}"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    // Another organisation still has the default.
    assert_eq!(app.get(path, OTTO).await.json["is_default"], true);
}

/// The organisation's own wording of the acknowledgement.
const WORDING: &str = "Beste {{ complainant }},\n\nUw klacht {{ reference }} loopt; wij bellen u vóór {{ follow_up_on }}.\n\n{{ organisation }}";

async fn letters_follow_the_organisations_wording(app: TestApp) {
    let path = "/api/v1/organisation/letter-templates/acknowledgement";
    ok(&app.put(path, KEES, &json!({ "body": WORDING })).await);
    let complaint = app.register(DANA, &complaint_body()).await;
    let id = complaint["id"].as_i64().unwrap();
    let (_, text) = letter(&app, id, "acknowledgement", DANA).await;
    assert!(text.contains("Beste J. de Vries,"), "{text}");
    assert!(text.contains("wij bellen u vóór 9 november 2026"), "{text}");
}

async fn a_template_that_fails_when_filled_is_refused_on_save(app: TestApp) {
    let path = "/api/v1/organisation/letter-templates/confirmation";
    for (body, problem) in [
        // A placeholder holds text: a name has no parts.
        ("Geachte {{ complainant.name }},\n\n{{ decision }}", "undefined value"),
        ("Geachte {{ complainant | aanhef }},", "unknown filter"),
        ("Kenmerk {{ reference + 1 }}", "cannot be filled"),
    ] {
        let refused = app.put(path, KEES, &json!({ "body": body })).await;
        refused.assert_problem(422, "validation_failed");
        assert_eq!(refused.error_fields(), ["body"]);
        let message = refused.json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(problem), "{body}: {}", refused.text);
    }
    // Nothing was saved: the default still stands.
    assert_eq!(app.get(path, KEES).await.json["is_default"], true);
}

async fn two_first_wordings_at_once_leave_one(app: TestApp) {
    let path = "/api/v1/organisation/letter-templates/acknowledgement";
    let put = |n: usize| {
        let request = app.client.put(app.url(path)).bearer_auth(app.token(KEES));
        let body = json!({"body": format!("Wording {n}: {{{{ reference }}}}")});
        async move { request.header("if-match", "\"0\"").json(&body).send().await.unwrap() }
    };
    let answers = futures_util::future::join_all((0..4).map(put)).await;
    let mut winners = Vec::new();
    for (n, answer) in answers.into_iter().enumerate() {
        match answer.status() {
            StatusCode::OK => winners.push(n),
            status => assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{n}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let kept = app.get(path, KEES).await;
    assert_eq!(kept.json["version"], 1);
    assert_eq!(kept.json["body"], format!("Wording {}: {{{{ reference }}}}", winners[0]));

    // The race, step by step: a second first save finds the row the first wrote, writes
    // nothing and gets no row back, as a stale version does.
    let mut conn = app.db.connection().unwrap();
    let org = organisations::find_by_slug(&mut conn, ORG_A).unwrap().unwrap();
    let kees = staff::find_by_subject(&mut conn, org.id, KEES.id).unwrap().unwrap().id;
    let key = (org.id, "confirmation");
    let now = chrono::Utc::now();
    let first = letter_templates::save(&mut conn, key, None, ("Eerste", kees), now).unwrap();
    assert_eq!(first.map(|row| row.version), Some(1));
    let second = letter_templates::save(&mut conn, key, None, ("Tweede", kees), now).unwrap();
    assert!(second.is_none(), "the second first save wrote: {second:?}");
    let kept = letter_templates::find(&mut conn, org.id, "confirmation").unwrap().unwrap();
    assert_eq!((kept.body.as_str(), kept.version), ("Eerste", 1));
}

async fn the_regulation_is_public_and_nothing_else(app: TestApp) {
    let text = "Klachtenregeling\nWij streven naar effectiviteit en efficiëntie.\nDe termijn is maximaal 1 week.";
    ok(&app.patch("/api/v1/organisation", KEES, &json!({"regulation_text": text})).await);
    let path = REGULATION;

    let html = page(&app, path, None).await;
    holds(
        &html,
        "the page",
        &[
            "Kantoor Vuijst",
            "Wij streven naar effectiviteit en efficiëntie.",
            "klachtencoördinator",
            "Niet tevreden?",
            // No dispute body set: the regulation names it.
            "de instantie die in onze klachtenregeling wordt genoemd",
        ],
    );
    // The coordinator's role, not the person.
    assert!(!html.contains("Kees"), "{html}");
    // The dispute body the organisation names, on the page and in its PDF.
    ok(&app.patch("/api/v1/organisation", KEES, &json!({"dispute_body": kifid()})).await);
    let html = page(&app, path, None).await;
    holds(&html, "the page", &["Kifid, Postbus 93257, 2509 AG  Den Haag, https://www.kifid.nl"]);
    assert!(!html.contains("de instantie die in onze klachtenregeling"), "{html}");

    let (status, content_type, pdf) = fetch(&app, path, None, Some("application/pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/pdf");
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Kantoor Vuijst") && text.contains("De termijn is maximaal 1 week."),
        "{text}"
    );
    assert!(text.contains("Niet tevreden?"), "{text}");
    assert!(text.contains("Kifid, Postbus 93257, 2509 AG Den Haag,"), "{text}");
    assert!(text.replace(' ', "").contains("DenHaag,https://www.kifid.nl."), "{text}");

    let (status, content_type, _) =
        fetch(&app, "/public/organisations/kantoor-x/klachtenregeling", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(content_type, "application/problem+json");
    // Nothing else of the organisation is public.
    let (status, _, _) = fetch(&app, "/api/v1/organisation", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = fetch(&app, "/public/organisations/kantoor-a", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

const REGULATION: &str = "/public/organisations/kantoor-a/klachtenregeling";

/// Kifid, as an organisation under the Wft names it.
fn kifid() -> Value {
    json!({
        "name": "Kifid",
        "address": "Postbus 93257\n2509 AG  Den Haag",
        "url": "https://www.kifid.nl"
    })
}

async fn the_public_page_is_limited_per_client_address(app: TestApp) {
    // 30 a minute, in a burst of as many, one more every two seconds: all 30 now, and the
    // 31st refused unless two seconds passed meanwhile (a slow machine).
    let started = Instant::now();
    let mut allowed = 0;
    let refused = loop {
        let response = app.client.get(app.url(REGULATION)).send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            break response;
        }
        assert_eq!(response.status(), StatusCode::OK);
        allowed += 1;
        assert!(allowed <= 60, "the public page is not limited");
    };
    let refilled = (started.elapsed().as_secs_f64() / 2.0).floor() as usize;
    assert!((30..=30 + refilled).contains(&allowed), "{allowed} allowed, {refilled} refilled");
    let retry = refused.headers().get("retry-after").and_then(|v| v.to_str().ok());
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&retry), "retry after {retry} s");
    // A token does not lift it: the limit is the client address's.
    let (status, _, _) = fetch(&app, REGULATION, Some(DANA), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn names_are_text_never_markup(app: TestApp) {
    let name = "#set page(width: 1cm) <script>alert(1)</script> )]} {{ reference }}";
    let mut body = complaint_body();
    body["complainant"]["name"] = json!(name);
    body["description"] = json!("#text(size: 0pt)[verborgen] $x^2$ \\ *vet*");
    let complaint = app.register(DANA, &body).await;
    let id = complaint["id"].as_i64().unwrap();

    let text = form_text(&app, id, "", KEES).await;
    assert!(text.contains(name), "the name is not shown as written: {text}");
    assert!(text.contains("#text(size: 0pt)[verborgen] $x^2$ \\ *vet*"), "{text}");

    let html = page(&app, &format!("/api/v1/complaints/{id}/form"), Some(KEES)).await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; )]} {{ reference }}"), "{html}");

    let (_, text) = letter(&app, id, "acknowledgement", DANA).await;
    assert!(text.contains(&format!("Geachte {name},")), "{text}");
}
