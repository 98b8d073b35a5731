//! The import of an existing register (`klachtenregister import`, `POST /imports`): CSV and
//! XLSX with Dutch headers and both date forms, all or nothing, nothing twice, and a round
//! trip export → import that reproduces the register.

use std::process::Command;

use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::dossier::{BOUNDARY, multipart};
use crate::export::decided_complaint;
use crate::on_both_databases;
use crate::spreadsheets::{download, read_csv};
use crate::support::{DANA, KEES, OTTO, Person, Reply, TestApp, complaint_body};

on_both_databases!(
    a_csv_through_the_command_line_and_an_xlsx_through_http_import_500_rows,
    a_bad_row_is_reported_with_its_column_and_nothing_is_written,
    a_second_import_creates_nothing_twice,
    a_dry_run_writes_nothing_and_a_dienstverlener_is_refused,
    an_exported_register_imports_into_another_organisation_unchanged
);

const HEADERS: [&str; 12] = [
    "Kenmerk",
    "Soort",
    "Status",
    "Ontvangen",
    "Klager",
    "Cliëntnummer",
    "Cliënt",
    "Zaak",
    "Omschrijving",
    "Behandelaar",
    "Besluit",
    "Besloten",
];
const CLOSED_AT: &str = "Afgesloten";

/// Row `i` of a register kept in a spreadsheet: received in 2025, its dates written as
/// `dd-mm-jjjj` on even rows and ISO on odd ones; every other complaint closed; one in five
/// without a reference.
fn historical_row(prefix: &str, i: usize) -> Vec<String> {
    let (day, month) = (i % 28 + 1, i % 12 + 1);
    let date = |d: usize| {
        if i.is_multiple_of(2) {
            format!("{d:02}-{month:02}-2025")
        } else {
            format!("2025-{month:02}-{d:02}")
        }
    };
    let closed = i.is_multiple_of(2);
    let reference = if i.is_multiple_of(5) { String::new() } else { format!("{prefix}-{i}") };
    vec![
        reference,
        "complaint".into(),
        if closed { "closed" } else { "registered" }.into(),
        date(day),
        format!("Klager {i}"),
        format!("REL-{i}"),
        format!("Cliënt {i} B.V."),
        format!("Z-{i}"),
        format!("Declaratie {i} te hoog"),
        if i.is_multiple_of(3) { "eva" } else { "dana" }.into(),
        if closed { format!("Creditnota {i}") } else { String::new() },
        if closed { date(day) } else { String::new() },
        if closed { date((day + 1).min(28)) } else { String::new() },
    ]
}

fn header_row() -> Vec<String> {
    HEADERS.iter().chain([&CLOSED_AT]).map(|h| (*h).to_owned()).collect()
}

fn csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header_row()).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.into_inner().unwrap()
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in std::iter::once(header_row()).chain(rows.iter().cloned()).enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, cell).unwrap();
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// `POST /imports` of `file` as `person`.
async fn post_import(app: &TestApp, person: Person, file: &[u8], query: &str) -> Reply {
    let response = app
        .client
        .post(app.url(&format!("/api/v1/imports{query}")))
        .bearer_auth(app.token(person))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&[("file", "register.csv", file)]))
        .send()
        .await
        .expect("the service answers");
    Reply::from(response).await
}

/// `klachtenregister import --organisation ORG FILE` on the test's database: its exit status,
/// stdout and stderr.
fn command_line(app: &TestApp, organisation: &str, file: &[u8]) -> (bool, String, String) {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("register.csv");
    std::fs::write(&path, file).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_klachtenregister"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KLACHTEN_DATA_DIR", folder.path())
        .env("KLACHTEN_DATABASE_URL", app.database_url())
        .args(["import", "--organisation", organisation])
        .arg(&path)
        .output()
        .expect("the binary runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

async fn total(app: &TestApp, person: Person) -> i64 {
    let overview = app.get("/api/v1/overview?from=2025-01-01&to=2025-12-31", person).await;
    assert_eq!(overview.status, 200, "{}", overview.text);
    overview.json["total"].as_i64().unwrap()
}

async fn listed(app: &TestApp, person: Person) -> Vec<Value> {
    let page = app.get("/api/v1/complaints?limit=200", person).await;
    page.json["items"].as_array().unwrap().clone()
}

async fn a_csv_through_the_command_line_and_an_xlsx_through_http_import_500_rows(app: TestApp) {
    let rows: Vec<Vec<String>> = (0..500).map(|i| historical_row("OUD", i)).collect();
    let (ok, stdout, stderr) = command_line(&app, "kantoor-a", &csv(&rows));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("500 rows: 500 complaints created"), "{stdout}");
    // The overview of the imported year counts them all.
    assert_eq!(total(&app, KEES).await, 500);

    let one = app.get("/api/v1/complaints?q=Declaratie%2012%20te", KEES).await;
    let item = &one.json["items"][0];
    assert_eq!(item["reference"], "OUD-12");
    assert_eq!(item["imported"], true);
    assert_eq!(item["status"], "closed");
    assert_eq!(item["received_at"], "2025-01-13T00:00:00Z", "dd-mm-jjjj, as that day");
    assert_eq!(item["decision"]["summary"], "Creditnota 12");
    assert_eq!(item["closed_at"], "2025-01-14T00:00:00Z");
    assert_eq!(item["handler"]["id"], "eva");
    let odd = app.get("/api/v1/complaints?q=Declaratie%2013%20te", KEES).await;
    assert_eq!(odd.json["items"][0]["received_at"], "2025-02-14T00:00:00Z", "ISO");
    // A row without a reference got the register's next one for its year.
    let fresh = app.get("/api/v1/complaints?q=Declaratie%2010%20te", KEES).await;
    assert!(fresh.json["items"][0]["reference"].as_str().unwrap().starts_with("KL-2025-"));
    // Each has its event in the chain, and the chain holds.
    let id = item["id"].as_i64().unwrap();
    let timeline = app.get(&format!("/api/v1/complaints/{id}/timeline"), KEES).await;
    assert!(timeline.text.contains("complaint.imported"), "{}", timeline.text);
    let verification = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(verification.json["intact"], true, "{}", verification.text);

    // The same register as a workbook, into the other organisation over HTTP.
    let rows: Vec<Vec<String>> = (0..500).map(|i| historical_row("WB", i)).collect();
    let imported = post_import(&app, OTTO, &xlsx(&rows), "").await;
    assert_eq!(imported.status, 200, "{}", imported.text);
    assert_eq!(imported.json["created"], 500);
    assert_eq!(total(&app, OTTO).await, 500);
    let found = app.get("/api/v1/complaints?q=Declaratie%2013%20te", OTTO).await;
    assert_eq!(found.json["items"][0]["reference"], "WB-13");
    assert_eq!(found.json["items"][0]["received_at"], "2025-02-14T00:00:00Z");
}

async fn a_bad_row_is_reported_with_its_column_and_nothing_is_written(app: TestApp) {
    let mut rows: Vec<Vec<String>> = (0..4).map(|i| historical_row("OUD", i)).collect();
    rows[1][3] = "31-02-2025".into();
    rows[2][1] = "klacht".into();
    let refused = post_import(&app, KEES, &csv(&rows), "").await;
    let problem = refused.assert_problem(422, "import_refused");
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    // Row 1 is the header: the second complaint is row 3.
    assert_eq!(
        (errors[0]["row"].as_i64(), errors[0]["column"].as_str()),
        (Some(3), Some("Ontvangen"))
    );
    assert!(errors[0]["message"].as_str().unwrap().contains("31-02-2025"));
    assert_eq!((errors[1]["row"].as_i64(), errors[1]["column"].as_str()), (Some(4), Some("Soort")));
    assert_eq!(listed(&app, KEES).await, Vec::<Value>::new());

    let (ok, _, stderr) = command_line(&app, "kantoor-a", &csv(&rows));
    assert!(!ok);
    assert!(stderr.contains("row 3, Ontvangen: '31-02-2025' is not a date"), "{stderr}");
    assert!(stderr.contains("row 4, Soort:"), "{stderr}");
    assert_eq!(listed(&app, KEES).await, Vec::<Value>::new());
}

async fn a_second_import_creates_nothing_twice(app: TestApp) {
    let rows: Vec<Vec<String>> = (0..10).map(|i| historical_row("OUD", i)).collect();
    let first = post_import(&app, KEES, &csv(&rows), "").await;
    assert_eq!(first.json["created"], 10, "{}", first.text);
    let again = post_import(&app, KEES, &csv(&rows), "").await;
    assert_eq!(
        (again.json["created"].as_i64(), again.json["already_imported"].as_i64()),
        (Some(0), Some(10))
    );
    let (ok, stdout, stderr) = command_line(&app, "kantoor-a", &csv(&rows));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("0 complaints created, 10 imported before"), "{stdout}");
    assert_eq!(listed(&app, KEES).await.len(), 10);

    // A reference a complaint registered here has is a fault, not a match.
    let here = app.register(DANA, &complaint_body()).await;
    let mut clash = historical_row("OUD", 1);
    clash[0] = here["reference"].as_str().unwrap().to_owned();
    let refused = post_import(&app, KEES, &csv(&[clash]), "").await;
    let problem = refused.assert_problem(422, "import_refused");
    assert_eq!(problem["errors"][0]["column"], "Kenmerk");
    // And the counter goes on after an imported reference of the register's own form.
    let mut own = historical_row("OUD", 3);
    own[0] = "KL-2026-0040".into();
    assert_eq!(post_import(&app, KEES, &csv(&[own]), "").await.json["created"], 1);
    let next = app.register(DANA, &complaint_body()).await;
    assert_eq!(next["reference"], "KL-2026-0041");
}

async fn a_dry_run_writes_nothing_and_a_dienstverlener_is_refused(app: TestApp) {
    let rows: Vec<Vec<String>> = (0..5).map(|i| historical_row("OUD", i)).collect();
    let checked = post_import(&app, KEES, &csv(&rows), "?dry_run=true").await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert_eq!(
        checked.json,
        json!({"rows": 5, "created": 5, "already_imported": 0, "dry_run": true})
    );
    assert_eq!(listed(&app, KEES).await, Vec::<Value>::new());
    post_import(&app, DANA, &csv(&rows), "").await.assert_problem(403, "coordinator_role_required");
    assert_eq!(listed(&app, KEES).await, Vec::<Value>::new());
}

/// The register as the export writes it, its rows in reference order.
async fn exported(app: &TestApp, person: Person) -> Vec<Vec<String>> {
    let headers = [("accept", "text/csv")];
    let (_, body) = download(app, "/api/v1/complaints", person, &headers).await;
    let mut rows = read_csv(&body);
    rows[1..].sort();
    rows
}

async fn an_exported_register_imports_into_another_organisation_unchanged(app: TestApp) {
    // A formula-shaped decision: the export's guard is undone on the way in.
    let decision = json!({"summary": "=Creditnota verstuurd.", "resolution": "unresolved", "judgement": "partly_well_founded"});
    decided_complaint(&app, &decision).await;
    app.register(KEES, &json!({"kind": "improvement", "reported_by": "employee", "description": "Sjabloon", "handler_id": "eva"})).await;
    app.register(DANA, &complaint_body()).await;

    let before = exported(&app, KEES).await;
    assert_eq!(before.len(), 4);
    let file = {
        let (_, body) = download(&app, "/api/v1/complaints", KEES, &[("accept", "text/csv")]).await;
        body
    };
    let imported = post_import(&app, OTTO, &file, "").await;
    assert_eq!(imported.json["created"], 3, "{}", imported.text);
    assert_eq!(exported(&app, OTTO).await, before);
}
