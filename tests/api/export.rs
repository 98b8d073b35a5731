//! The register as CSV and XLSX (`GET /complaints` with `Accept`), read back by independent
//! readers: Python's `csv` and openpyxl.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::on_both_databases;
use crate::spreadsheets::{download, read_csv, read_xlsx};
use crate::support::{Backend, DANA, EVA, KEES, Person, TestApp, complaint_body, reader_installed};

on_both_databases!(
    spawn = super::with_openpyxl;
    the_csv_and_the_xlsx_hold_the_lists_complaints,
    filters_language_and_scope_apply,
    formula_shaped_names_come_out_inert
);

/// The service, for tests that read its spreadsheets back: `None` (skipped) outside CI
/// without Python's openpyxl.
async fn with_openpyxl(backend: Backend) -> Option<TestApp> {
    if !reader_installed("python3", &["-c", "import openpyxl"], "python3 -m pip install openpyxl") {
        return None;
    }
    TestApp::spawn(backend).await
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const FORMULA: &str = "=HYPERLINK(\"http://127.0.0.1/?x=\"&A1,\"Klik\")";

/// Every complaint of the list as `person` sees it, following the cursor.
async fn whole_list(app: &TestApp, person: Person, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = format!("/api/v1/complaints?limit=200&{query}");
    loop {
        let page = app.get(&path, person).await;
        items.extend(page.json["items"].as_array().unwrap().iter().cloned());
        match page.json["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/complaints?limit=200&{query}&cursor={cursor}"),
            None => return items,
        }
    }
}

async fn csv_of(app: &TestApp, query: &str, person: Person, language: &str) -> Vec<Vec<String>> {
    let path = format!("/api/v1/complaints?{query}");
    let headers = [("accept", "text/csv"), ("accept-language", language)];
    let (answer, body) = download(app, &path, person, &headers).await;
    assert_eq!(answer["content-type"], "text/csv; charset=utf-8");
    let disposition = answer["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment; filename=\"klachtenregister-2026-11-02.csv\""));
    read_csv(&body)
}

fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let at = rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("{header}"));
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

/// A complaint with an address, a first reaction, a classification, `decision` and the
/// client's satisfaction: every column of the register filled.
pub async fn decided_complaint(app: &TestApp, decision: &Value) -> i64 {
    let mut body = complaint_body();
    body["complainant"]["address"] =
        json!({"street": "Dam 1", "postal_code": "1012js", "city": "Amsterdam"});
    let decided = app.register(DANA, &body).await["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{decided}{tail}");
    let contact = json!({"channel": "phone", "summary": "Cliënt gebeld."});
    assert!(app.post(&path("/contacts"), DANA, &contact).await.status.is_success());
    let classification = json!({"channel": "written", "categories": ["financial", "conduct"]});
    assert!(app.put(&path("/classification"), KEES, &classification).await.status.is_success());
    assert!(app.post(&path("/decision"), KEES, decision).await.status.is_success());
    let satisfaction = json!({"score": 4, "remark": "Snel opgelost."});
    assert!(app.post(&path("/satisfaction"), DANA, &satisfaction).await.status.is_success());
    decided
}

/// [`decided_complaint`] and 201 plain ones: more than one of the export's pages.
async fn seed(app: &TestApp) -> i64 {
    let decision = json!({"summary": "Creditnota verstuurd.", "resolution": "resolved", "judgement": "well_founded"});
    let decided = decided_complaint(app, &decision).await;
    for i in 0..201 {
        let mut body = complaint_body();
        body["matter_reference"] = json!(format!("Z-{i}"));
        if i % 3 == 0 {
            body["handler_id"] = json!("eva");
        }
        app.register(KEES, &body).await;
    }
    decided
}

async fn the_csv_and_the_xlsx_hold_the_lists_complaints(app: TestApp) {
    let decided = seed(&app).await;
    let list = whole_list(&app, KEES, "").await;
    assert_eq!(list.len(), 202);
    let field = |name: &str| -> Vec<String> {
        list.iter().map(|c| c[name].as_str().unwrap_or_default().to_owned()).collect()
    };

    let csv = csv_of(&app, "", KEES, "nl").await;
    assert_eq!(csv[0][..4], ["Kenmerk", "Soort", "Status", "Ontvangen"]);
    assert_eq!(column(&csv, "Kenmerk"), field("reference"));
    assert_eq!(column(&csv, "Status"), field("status"));
    assert_eq!(column(&csv, "Ontvangen"), field("received_at"));
    assert_eq!(column(&csv, "Zaak"), field("matter_reference"));
    assert_eq!(
        column(&csv, "Behandelaar"),
        list.iter().map(|c| c["handler"]["id"].as_str().unwrap()).collect::<Vec<_>>()
    );
    let last = csv.last().unwrap();
    let cell = |header: &str| last[csv[0].iter().position(|h| h == header).unwrap()].as_str();
    assert_eq!(cell("Wijze van indiening"), "written");
    assert_eq!(cell("Categorieën"), "conduct;financial");
    assert_eq!(cell("Eerste reactie"), "2026-11-02T09:00:00Z");
    assert_eq!(cell("Reactietermijn"), "answered_within_term");
    assert_eq!(cell("Uitkomst"), "resolved");
    assert_eq!(cell("Oordeel"), "well_founded");
    assert_eq!(cell("Adres klager"), "Dam 1");
    assert_eq!(cell("Postcode klager"), "1012 JS");
    assert_eq!(cell("Woonplaats klager"), "Amsterdam");
    assert_eq!(cell("Land klager"), "NL");
    assert_eq!(cell("Tevredenheid cliënt"), "4");
    // The plain ones have no judgement, address or satisfaction yet.
    for header in ["Oordeel", "Adres klager", "Land klager", "Tevredenheid cliënt"] {
        assert_eq!(column(&csv, header)[0], "", "{header}");
    }
    assert_eq!(cell("Besluit"), "Creditnota verstuurd.");
    assert_eq!(cell("Besloten"), "2026-11-02T09:00:00Z");
    assert_eq!(cell("Status"), "decided");
    assert_eq!(column(&csv, "Reactietermijn")[0], "open_within_term");

    let (answer, body) = download(&app, "/api/v1/complaints", KEES, &[("accept", XLSX)]).await;
    assert_eq!(answer["content-type"], XLSX);
    assert!(
        answer["content-disposition"]
            .to_str()
            .unwrap()
            .contains("klachtenregister-2026-11-02.xlsx")
    );
    let book = read_xlsx(&body);
    assert_eq!(book["freeze"], "A2");
    assert!(book["filter"].as_str().unwrap().starts_with("A1:"), "{}", book["filter"]);
    assert!(book["filter"].as_str().unwrap().ends_with("203"), "{}", book["filter"]);
    let rows = book["rows"].as_array().unwrap();
    let values = |row: &Value| -> Vec<Value> {
        row.as_array().unwrap().iter().map(|c| c["value"].clone()).collect()
    };
    let header: Vec<String> =
        values(&rows[0]).iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(header, csv[0]);
    assert_eq!(rows.len(), csv.len());
    let received = header.iter().position(|h| h == "Ontvangen").unwrap();
    for (row, text) in rows[1..].iter().zip(&csv[1..]) {
        let cells = row.as_array().unwrap();
        assert_eq!(cells[0]["value"], text[0]);
        // A moment is a date cell, equal to the CSV's ISO text.
        assert_eq!(cells[received]["type"], "d");
        assert_eq!(format!("{}Z", cells[received]["value"].as_str().unwrap()), text[received]);
    }
    let decided_row = rows.last().unwrap().as_array().unwrap();
    let decided_at = header.iter().position(|h| h == "Besloten").unwrap();
    assert_eq!(decided_row[decided_at]["value"], "2026-11-02T09:00:00");
    assert_eq!(decided_row[decided_at]["type"], "d");

    // Each exported complaint is a logged read.
    let read_by_kees = || async {
        let reads = app.get(&format!("/api/v1/complaints/{decided}/reads"), KEES).await;
        reads.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["staff"]["id"] == "kees")
            .count()
    };
    let before = read_by_kees().await;
    csv_of(&app, "kind=complaint", KEES, "nl").await;
    let mut logged = false;
    for _ in 0..100 {
        if read_by_kees().await > before {
            logged = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(logged, "the export was not logged as a read");
}

async fn filters_language_and_scope_apply(app: TestApp) {
    app.register(DANA, &complaint_body()).await;
    let mut for_eva = complaint_body();
    for_eva["handler_id"] = json!("eva");
    app.register(KEES, &for_eva).await;
    app.register(
        EVA,
        &json!({"kind": "improvement", "reported_by": "employee", "description": "Sjabloon"}),
    )
    .await;

    let english = csv_of(&app, "kind=improvement", KEES, "en-GB,en;q=0.9,nl;q=0.5").await;
    assert_eq!(english[0][..4], ["Reference", "Kind", "Status", "Received"]);
    assert_eq!(column(&english, "Reference"), ["KL-2026-0003"]);
    assert_eq!(column(&english, "Response term"), ["not_applicable"]);
    assert_eq!(column(&english, "Judgement"), [""]);
    assert_eq!(column(&english, "Client satisfaction"), [""]);

    // A dienstverlener exports what they may see, and nothing else.
    for person in [DANA, EVA] {
        let theirs: BTreeSet<String> = whole_list(&app, person, "")
            .await
            .iter()
            .map(|c| c["reference"].as_str().unwrap().to_owned())
            .collect();
        let exported: BTreeSet<String> =
            column(&csv_of(&app, "", person, "nl").await, "Kenmerk").into_iter().collect();
        assert_eq!(exported, theirs, "{}", person.id);
    }
    let dana = column(&csv_of(&app, "", DANA, "nl").await, "Kenmerk");
    assert_eq!(dana, ["KL-2026-0001"]);

    // A bad filter is a problem, not a spreadsheet.
    let refused = app.get_accepting("/api/v1/complaints?kind=klacht", KEES, "text/csv").await;
    refused.assert_problem(400, "invalid_parameter");
}

async fn formula_shaped_names_come_out_inert(app: TestApp) {
    let mut body = complaint_body();
    body["complainant"]["name"] = json!(FORMULA);
    body["description"] = json!("@SUM(1+1)*cmd|' /C calc'!A0");
    app.register(DANA, &body).await;

    let csv = csv_of(&app, "", KEES, "nl").await;
    assert_eq!(column(&csv, "Klager"), [format!("'{FORMULA}")]);
    assert_eq!(column(&csv, "Omschrijving"), ["'@SUM(1+1)*cmd|' /C calc'!A0"]);

    // In the workbook a name is a text cell, which a spreadsheet shows and never evaluates.
    let (_, file) = download(&app, "/api/v1/complaints", KEES, &[("accept", XLSX)]).await;
    let book = read_xlsx(&file);
    let rows = book["rows"].as_array().unwrap();
    let name = rows[0].as_array().unwrap().iter().position(|h| h["value"] == "Klager").unwrap();
    assert_eq!(rows[1][name], json!({"value": FORMULA, "type": "s"}));
}
