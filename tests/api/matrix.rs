//! The authorization matrix (DESIGN.md §3): every operation of the OpenAPI document, called
//! by each kind of caller, gets the answer the rules give that caller. The operations come
//! from the document itself, so an endpoint added without its row here fails this test.
//!
//! The complaint of the matrix is about Kees, the coordinator, and handled by Dana; Dirk, the
//! deputy, coordinates it; Eva has no part in it; Otto coordinates another organisation.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::dossier::{BOUNDARY, PDF, multipart};
use crate::on_both_databases;
use crate::support::{DANA, DIRK, EVA, KEES, OTTO, Person, Reply, TestApp, complaint_body};

/// What a caller gets. `Passes`: authorised — the procedure may still refuse the step in the
/// fixture's state (409) or a value in it (422). `Refused`: the body names something the
/// caller cannot see, answered as if it did not exist (422).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Passes,
    Refused,
    Denied,
    Hidden,
    Unauthenticated,
}
use Expect::*;

/// The columns: the complaint's handler, an unrelated dienstverlener, the coordinator in
/// charge, the coordinator who is the complaint's subject, another organisation's
/// coordinator, and no token at all.
const CALLERS: [(&str, Option<Person>); 6] = [
    ("handler", Some(DANA)),
    ("unrelated dienstverlener", Some(EVA)),
    ("coordinator", Some(DIRK)),
    ("coordinator who is the subject", Some(KEES)),
    ("other organisation's coordinator", Some(OTTO)),
    ("no token", None),
];

const READ_BY_ALL: [Expect; 6] = [Ok, Ok, Ok, Ok, Ok, Unauthenticated];
const READ_COMPLAINT: [Expect; 6] = [Ok, Hidden, Ok, Ok, Hidden, Unauthenticated];
const HANDLE_COMPLAINT: [Expect; 6] = [Ok, Hidden, Ok, Denied, Hidden, Unauthenticated];
const STEP_ON_COMPLAINT: [Expect; 6] = [Passes, Hidden, Passes, Denied, Hidden, Unauthenticated];
const COORDINATE_COMPLAINT: [Expect; 6] = [Denied, Hidden, Passes, Denied, Hidden, Unauthenticated];
const COORDINATE_ORGANISATION: [Expect; 6] = [Denied, Denied, Ok, Ok, Ok, Unauthenticated];
const COORDINATE_RESOURCE: [Expect; 6] = [Denied, Denied, Ok, Ok, Hidden, Unauthenticated];
const READ_ORGANISATION_RESOURCE: [Expect; 6] = [Ok, Ok, Ok, Ok, Hidden, Unauthenticated];
const PUBLIC: [Expect; 6] = [Ok, Ok, Ok, Ok, Ok, Ok];

/// How each operation is called and what each caller gets.
fn rows(f: &Fixture) -> BTreeMap<&'static str, (Request, [Expect; 6])> {
    let none = || Request::default();
    let query = |q: &str| Request { query: q.to_owned(), ..Request::default() };
    let json = |body: Value| Request { body: Body::Json(body), ..Request::default() };
    let mut about_dana = complaint_body();
    about_dana["handler_id"] = json!("dana");
    let period = "from=2026-01-01&to=2026-12-31";
    BTreeMap::from([
        ("health_live", (none(), PUBLIC)),
        ("health_ready", (none(), PUBLIC)),
        ("get_public_regulation", (none(), PUBLIC)),
        ("get_me", (none(), READ_BY_ALL)),
        ("list_classifications", (none(), READ_BY_ALL)),
        ("list_complaints", (none(), READ_BY_ALL)),
        // Otto's organisation has no Dana: the handler named is refused (422), after
        // authorisation.
        ("register_complaint", (json(about_dana), [Ok, Ok, Ok, Ok, Passes, Unauthenticated])),
        ("get_complaint", (none(), READ_COMPLAINT)),
        (
            "update_complaint",
            (json(json!({"root_cause": "Uren dubbel geboekt"})), HANDLE_COMPLAINT),
        ),
        ("get_classification", (none(), READ_COMPLAINT)),
        (
            "set_classification",
            (
                json(json!({"channel": "oral", "categories": ["legal"]})),
                [Denied, Hidden, Ok, Denied, Hidden, Unauthenticated],
            ),
        ),
        ("list_contacts", (none(), READ_COMPLAINT)),
        (
            "record_contact",
            (json(json!({"channel": "phone", "summary": "Gebeld."})), HANDLE_COMPLAINT),
        ),
        ("get_contact", (none(), READ_COMPLAINT)),
        ("escalate_complaint", (json(json!({"reason": "Geen oplossing."})), STEP_ON_COMPLAINT)),
        (
            "decide_complaint",
            (
                json(
                    json!({"summary": "Opgelost.", "resolution": "resolved", "judgement": "well_founded"}),
                ),
                STEP_ON_COMPLAINT,
            ),
        ),
        ("record_written_confirmation", (json(json!({"channel": "letter"})), STEP_ON_COMPLAINT)),
        // Kees is no handler of it and may not sign as its coordinator.
        ("sign_complaint", (json(json!({})), STEP_ON_COMPLAINT)),
        ("close_complaint", (none(), COORDINATE_COMPLAINT)),
        ("record_satisfaction", (json(json!({"score": 4})), STEP_ON_COMPLAINT)),
        ("reopen_complaint", (json(json!({"reason": "Nieuwe informatie."})), COORDINATE_COMPLAINT)),
        ("withdraw_complaint", (json(json!({"reason": "Ingetrokken."})), HANDLE_COMPLAINT)),
        // The fixture's complaint is open: the coordinator in charge passes and is refused 409.
        (
            "erase_complaint",
            (json(json!({"reason": "Verzoek van de klager."})), COORDINATE_COMPLAINT),
        ),
        ("get_timeline", (none(), READ_COMPLAINT)),
        ("get_complaint_form", (none(), READ_COMPLAINT)),
        ("write_letter", (json(json!({"kind": "acknowledgement"})), HANDLE_COMPLAINT)),
        ("list_documents", (none(), READ_COMPLAINT)),
        ("upload_document", (Request { body: Body::Document, ..none() }, HANDLE_COMPLAINT)),
        ("download_document", (none(), READ_COMPLAINT)),
        ("list_reads", (none(), [Denied, Hidden, Ok, Denied, Hidden, Unauthenticated])),
        ("list_complaint_actions", (none(), READ_COMPLAINT)),
        ("list_actions", (none(), READ_BY_ALL)),
        (
            "create_action",
            (
                json(
                    json!({"kind": "corrective", "title": "Dubbele boekingen voorkomen", "complaint_ids": [f.complaint]}),
                ),
                [Ok, Refused, Ok, Denied, Refused, Unauthenticated],
            ),
        ),
        ("get_action", (none(), READ_COMPLAINT)),
        (
            "update_action",
            (json(json!({"due_on": "2027-01-15"})), [Ok, Hidden, Ok, Ok, Hidden, Unauthenticated]),
        ),
        ("approve_action", (none(), [Denied, Hidden, Ok, Denied, Hidden, Unauthenticated])),
        (
            "report_action_progress",
            (
                json(json!({"note": "Begonnen."})),
                [Passes, Hidden, Passes, Passes, Hidden, Unauthenticated],
            ),
        ),
        (
            "record_action_side_effect",
            (
                json(json!({"note": "Meer werk."})),
                [Passes, Hidden, Passes, Passes, Hidden, Unauthenticated],
            ),
        ),
        ("get_overview", (query(period), READ_BY_ALL)),
        ("get_overview_report", (query(period), READ_BY_ALL)),
        ("list_evaluations", (none(), READ_BY_ALL)),
        (
            "create_evaluation",
            (
                json(
                    json!({"meeting_on": "2026-11-02", "period_from": "2026-01-01", "period_to": "2026-10-31", "summary": "Rustig jaar."}),
                ),
                COORDINATE_ORGANISATION,
            ),
        ),
        ("get_evaluation", (none(), READ_ORGANISATION_RESOURCE)),
        ("update_evaluation", (json(json!({"decisions": "Doorgaan."})), COORDINATE_RESOURCE)),
        ("verify_event_chain", (none(), COORDINATE_ORGANISATION)),
        ("list_webhooks", (none(), COORDINATE_ORGANISATION)),
        (
            "create_webhook",
            (
                json(
                    json!({"url": "http://127.0.0.1:9/hooks", "event_types": ["*"], "secret": "receiver-secret-of-kantoor-a-0123"}),
                ),
                COORDINATE_ORGANISATION,
            ),
        ),
        ("get_webhook", (none(), COORDINATE_RESOURCE)),
        ("update_webhook", (json(json!({"active": false})), COORDINATE_RESOURCE)),
        ("delete_webhook", (none(), COORDINATE_RESOURCE)),
        ("list_webhook_deliveries", (none(), COORDINATE_RESOURCE)),
        ("get_organisation", (none(), READ_BY_ALL)),
        ("update_organisation", (json(json!({"response_term_days": 7})), COORDINATE_ORGANISATION)),
        ("list_staff", (none(), READ_BY_ALL)),
        ("get_letter_template", (none(), READ_BY_ALL)),
        (
            "put_letter_template",
            (
                json(json!({"body": "Geachte {{ complainant }}, {{ reference }}"})),
                COORDINATE_ORGANISATION,
            ),
        ),
        // A PDF is no register: a coordinator's dry run is refused by the rules (422), after
        // authorisation; a dienstverlener's before a byte is read.
        (
            "import_register",
            (
                Request { body: Body::Document, ..query("dry_run=true") },
                [Denied, Denied, Passes, Passes, Passes, Unauthenticated],
            ),
        ),
        // The complaints found are about Kees: the deputy hands them out. Otto's
        // organisation holds nothing about the person.
        (
            "subject_access",
            (
                json(json!({"email": "j.devries@example.nl"})),
                [Denied, Denied, Ok, Denied, Ok, Unauthenticated],
            ),
        ),
    ])
}

#[derive(Default)]
struct Request {
    query: String,
    body: Body,
}

#[derive(Default)]
enum Body {
    #[default]
    None,
    Json(Value),
    /// A PDF for the dossier, as multipart/form-data.
    Document,
}

/// One of everything the operations name, in kantoor A.
struct Fixture {
    complaint: i64,
    contact: i64,
    document: i64,
    action: i64,
    evaluation: i64,
    webhook: i64,
}

async fn created(app: &TestApp, person: Person, path: &str, body: Value) -> i64 {
    let reply = app.post(path, person, &body).await;
    assert!(reply.status.is_success(), "{path}: {}", reply.text);
    reply.json["id"].as_i64().unwrap()
}

async fn fixture(app: &TestApp) -> Fixture {
    let mut about_kees = complaint_body();
    about_kees["subject_id"] = json!("kees");
    let complaint = created(app, DANA, "/api/v1/complaints", about_kees).await;
    let base = format!("/api/v1/complaints/{complaint}");
    let contact = json!({"channel": "phone", "summary": "Gebeld."});
    let contact = created(app, DANA, &format!("{base}/contacts"), contact).await;
    let document =
        send(app, Some(DANA), Method::POST, &format!("{base}/documents"), &Body::Document).await;
    assert_eq!(document.status, 201, "{}", document.text);
    let action = json!({"kind": "corrective", "title": "Urenregistratie nakijken", "complaint_ids": [complaint]});
    let action = created(app, DANA, "/api/v1/actions", action).await;
    let evaluation = json!({"meeting_on": "2026-11-02", "period_from": "2026-01-01", "period_to": "2026-10-31", "summary": "Eerste evaluatie."});
    let evaluation = created(app, DIRK, "/api/v1/evaluations", evaluation).await;
    let webhook = json!({"url": "http://127.0.0.1:9/hooks", "event_types": ["*"], "secret": "receiver-secret-of-kantoor-a-0123"});
    let webhook = created(app, DIRK, "/api/v1/webhooks", webhook).await;
    Fixture {
        complaint,
        contact,
        document: document.json["id"].as_i64().unwrap(),
        action,
        evaluation,
        webhook,
    }
}

async fn send(
    app: &TestApp,
    person: Option<Person>,
    method: Method,
    path: &str,
    body: &Body,
) -> Reply {
    // Every edit names a version (`428` without); this table is about who may, not which.
    let edit = method == Method::PATCH;
    let mut request = app.client.request(method, app.url(path));
    if edit {
        request = request.header("if-match", "*");
    }
    if let Some(person) = person {
        request = request.bearer_auth(app.token(person));
    }
    request = match body {
        Body::None => request,
        Body::Json(value) => request.json(value),
        Body::Document => request
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(multipart(&[("file", "brief.pdf", PDF)])),
    };
    Reply::from(request.send().await.unwrap()).await
}

/// The path of an operation with the fixture's ids in it.
fn concrete(template: &str, f: &Fixture) -> String {
    let collection_id = if template.contains("/actions/{id}") {
        f.action
    } else if template.contains("/evaluations/{id}") {
        f.evaluation
    } else if template.contains("/webhooks/{id}") {
        f.webhook
    } else {
        f.complaint
    };
    template
        .replace("{id}", &collection_id.to_string())
        .replace("{contact}", &f.contact.to_string())
        .replace("{document}", &f.document.to_string())
        .replace("{slug}", "kantoor-a")
        .replace("{kind}", "acknowledgement")
}

fn matches(expected: Expect, status: u16) -> bool {
    match expected {
        Ok => (200..300).contains(&status),
        Passes => (200..300).contains(&status) || status == 409 || status == 422,
        Refused => status == 422,
        Denied => status == 403,
        Hidden => status == 404,
        Unauthenticated => status == 401,
    }
}

/// Every documented operation, as (operation id, method, path template).
fn operations() -> Vec<(String, Method, String)> {
    let document = serde_json::to_value(klachtenregister::api::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            operations.push((
                operation["operationId"].as_str().unwrap().to_owned(),
                method,
                path.clone(),
            ));
        }
    }
    operations
}

async fn every_operation_answers_every_caller_by_the_rules(app: TestApp) {
    // Everyone has signed in once, so that the service knows them by name.
    for (_, person) in CALLERS {
        if let Some(person) = person {
            assert_eq!(app.get("/api/v1/me", person).await.status, 200);
        }
    }
    // Reads share one fixture; each write gets its own, so that no caller's change decides
    // another caller's answer.
    let shared = fixture(&app).await;
    let operations = operations();
    let documented: Vec<&str> = operations.iter().map(|(id, _, _)| id.as_str()).collect();
    let listed = rows(&shared);
    let missing: Vec<&&str> = documented.iter().filter(|id| !listed.contains_key(**id)).collect();
    assert!(missing.is_empty(), "operations without a row in the matrix: {missing:?}");
    let stale: Vec<&&str> = listed.keys().filter(|id| !documented.contains(id)).collect();
    assert!(stale.is_empty(), "rows for operations the document does not have: {stale:?}");

    let mut wrong = Vec::new();
    for (id, method, template) in &operations {
        for (column, (caller, person)) in CALLERS.iter().enumerate() {
            let own;
            let f = if *method == Method::GET {
                &shared
            } else {
                own = fixture(&app).await;
                &own
            };
            let (request, expected) = rows(f).remove(id.as_str()).unwrap();
            let mut path = concrete(template, f);
            if !request.query.is_empty() {
                path = format!("{path}?{}", request.query);
            }
            let reply = send(&app, *person, method.clone(), &path, &request.body).await;
            let status = reply.status.as_u16();
            if !matches(expected[column], status) {
                wrong.push(format!(
                    "{id} by the {caller}: expected {:?}, got {status} {}",
                    expected[column], reply.json["code"]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells differ:\n{}", wrong.len(), wrong.join("\n"));
}

on_both_databases!(every_operation_answers_every_caller_by_the_rules);
