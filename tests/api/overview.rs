//! The office meeting's overview, report and evaluations, against a fixed data set whose
//! figures are worked out by hand below.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, Person, Reply, TestApp};

on_both_databases!(
    the_figures_are_right,
    the_anonymised_forms_name_nobody,
    the_csv_holds_the_same_figures,
    the_report_is_one_printable_page_with_charts,
    an_evaluation_keeps_its_snapshot_and_starts_follow_ups,
);

const PERIOD: &str = "from=2026-10-01&to=2026-11-30";
const NAMES: [&str; 7] = [
    "Dana de Wit",
    "Eva Jansen",
    "Kees Vuijst",
    "Bakkerij Jansen",
    "Garage De Vries",
    "Kapsalon Mooi",
    "Jansen Bouw",
];

fn at(app: &TestApp, moment: &str) {
    app.clock.set(moment.parse::<DateTime<Utc>>().unwrap());
}

async fn ok(reply: Reply) -> Value {
    assert!(reply.status.is_success(), "{}: {}", reply.status, reply.text);
    reply.json
}

/// Registers a complaint at its receipt time and returns its id.
async fn register(app: &TestApp, person: Person, received: &str, body: Value) -> i64 {
    at(app, received);
    let mut body = body;
    body["received_at"] = json!(received);
    app.register(person, &body).await["id"].as_i64().unwrap()
}

fn external(reported_by: &str, client: (&str, &str), handler: &str, anonymize: bool) -> Value {
    json!({
        "kind": "complaint", "reported_by": reported_by,
        "complainant": {"name": "Klager"},
        "client": {"id": client.0, "name": client.1},
        "matter_reference": "Z-1", "description": "Klacht", "handler_id": handler,
        "anonymize_in_meeting": anonymize
    })
}

fn internal(kind: &str, handler: &str) -> Value {
    json!({"kind": kind, "reported_by": "employee", "description": "Intern", "handler_id": handler})
}

async fn classify(app: &TestApp, id: i64, channel: &str, categories: Value) {
    ok(app
        .put(
            &format!("/api/v1/complaints/{id}/classification"),
            KEES,
            &json!({"channel": channel, "categories": categories}),
        )
        .await)
    .await;
}

async fn post(app: &TestApp, person: Person, path: String, body: Value) -> Value {
    ok(app.post(&path, person, &body).await).await
}

async fn contact(app: &TestApp, person: Person, id: i64, moment: &str) {
    at(app, moment);
    post(
        app,
        person,
        format!("/api/v1/complaints/{id}/contacts"),
        json!({"channel": "phone", "summary": "Gesproken"}),
    )
    .await;
}

/// Decides (a resolved complaint well-founded, an unresolved one unfounded), confirms, signs
/// (when resolved) and closes a complaint at `moment`.
async fn settle(app: &TestApp, handler: Person, id: i64, resolution: &str, moment: &str) {
    at(app, moment);
    let path = |tail: &str| format!("/api/v1/complaints/{id}{tail}");
    let judgement = if resolution == "resolved" { "well_founded" } else { "unfounded" };
    let decision = json!({"summary": "Besluit", "resolution": resolution, "judgement": judgement});
    post(app, handler, path("/decision"), decision).await;
    post(app, handler, path("/written-confirmation"), json!({"channel": "letter"})).await;
    if resolution == "resolved" {
        post(app, handler, path("/signatures"), json!({})).await;
        post(app, KEES, path("/signatures"), json!({})).await;
    }
    post(app, KEES, path("/closure"), json!({})).await;
}

struct DataSet {
    c3: i64,
    improvement: i64,
}

/// The data set:
///
/// | | received | kind, reporter | handler | client | class | what happened |
/// |---|---|---|---|---|---|---|
/// | C1 | 5 Oct 10:00 | complaint, client | Dana | Bakkerij Jansen | A; II, III | reaction +24 h; resolved, well-founded, closed 15 Oct (+10 d); client satisfied: 5 |
/// | C2 | 10 Oct 09:00 | complaint, representative | Eva | Garage De Vries | B; I | reaction +240 h (late); unresolved, unfounded, closed 25 Oct (+15 d); anonymously; client satisfied: 2 |
/// | C3 | 1 Nov 08:00 | complaint, client | Dana | Bakkerij Jansen | — | no reaction: overdue since 8 Nov |
/// | C4 | 5 Nov 12:00 | complaint, contact | Eva | Kapsalon Mooi | B; III | reaction +2 h |
/// | C5 | 20 Oct 10:00 | error, employee | Dana | — | A; IV | — |
/// | C6 | 8 Nov 09:00 | improvement, employee | Kees | — | — | — |
/// | C7 | 8 Nov 10:00 | complaint, client | Dana | Jansen Bouw | — | no reaction, due 15 Nov |
/// | P1 | 10 Sep | complaint | Eva | Bakkerij Jansen | A; II | previous period |
/// | P2 | 15 Aug | complaint | Dana | Bouwbedrijf X | A; I, II | previous period |
/// | X1 | 20 Jul | complaint | Dana | Y | A; III | before both periods |
///
/// Actions: A1 corrective on C1, proposed by Dana, approved, done 3 Nov; A2 improvement on
/// C1 and C2, due 5 Nov, approved, open; A3 corrective on C4, proposed by Eva, open. The
/// overview is taken on 9 Nov 12:00.
async fn data_set(app: &TestApp) -> DataSet {
    let c1 = register(
        app,
        DANA,
        "2026-10-05T10:00:00Z",
        external("client", ("REL-1", "Bakkerij Jansen"), "dana", false),
    )
    .await;
    classify(app, c1, "oral", json!(["legal", "financial"])).await;
    contact(app, DANA, c1, "2026-10-06T10:00:00Z").await;
    settle(app, DANA, c1, "resolved", "2026-10-15T10:00:00Z").await;
    let satisfaction = format!("/api/v1/complaints/{c1}/satisfaction");
    post(app, DANA, satisfaction, json!({"score": 5, "remark": "Netjes opgelost"})).await;

    let c2 = register(
        app,
        EVA,
        "2026-10-10T09:00:00Z",
        external("representative", ("REL-2", "Garage De Vries"), "eva", true),
    )
    .await;
    classify(app, c2, "written", json!(["conduct"])).await;
    contact(app, EVA, c2, "2026-10-20T09:00:00Z").await;
    settle(app, EVA, c2, "unresolved", "2026-10-25T09:00:00Z").await;
    post(app, KEES, format!("/api/v1/complaints/{c2}/satisfaction"), json!({"score": 2})).await;

    let c3 = register(
        app,
        DANA,
        "2026-11-01T08:00:00Z",
        external("client", ("REL-1", "Bakkerij Jansen"), "dana", false),
    )
    .await;
    let c4 = register(
        app,
        EVA,
        "2026-11-05T12:00:00Z",
        external("contact", ("REL-3", "Kapsalon Mooi"), "eva", false),
    )
    .await;
    classify(app, c4, "written", json!(["financial"])).await;
    contact(app, EVA, c4, "2026-11-05T14:00:00Z").await;
    let c5 = register(app, DANA, "2026-10-20T10:00:00Z", internal("error", "dana")).await;
    classify(app, c5, "oral", json!(["practice"])).await;
    register(app, KEES, "2026-11-08T09:00:00Z", internal("improvement", "kees")).await;
    register(
        app,
        DANA,
        "2026-11-08T10:00:00Z",
        external("client", ("REL-4", "Jansen Bouw"), "dana", false),
    )
    .await;

    let p1 = register(
        app,
        EVA,
        "2026-09-10T10:00:00Z",
        external("client", ("REL-1", "Bakkerij Jansen"), "eva", false),
    )
    .await;
    classify(app, p1, "oral", json!(["legal"])).await;
    let p2 = register(
        app,
        DANA,
        "2026-08-15T10:00:00Z",
        external("client", ("REL-5", "Bouwbedrijf X"), "dana", false),
    )
    .await;
    classify(app, p2, "oral", json!(["conduct", "legal"])).await;
    let x1 = register(
        app,
        DANA,
        "2026-07-20T10:00:00Z",
        external("client", ("REL-6", "Y"), "dana", false),
    )
    .await;
    classify(app, x1, "oral", json!(["financial"])).await;

    at(app, "2026-11-01T09:00:00Z");
    let a1 = post(
        app,
        DANA,
        "/api/v1/actions".into(),
        json!({"kind": "corrective", "title": "Creditnota", "complaint_ids": [c1]}),
    )
    .await;
    let a1 = a1["id"].as_i64().unwrap();
    post(app, KEES, format!("/api/v1/actions/{a1}/approval"), json!({})).await;
    at(app, "2026-11-03T09:00:00Z");
    ok(app.patch(&format!("/api/v1/actions/{a1}"), DANA, &json!({"status": "done"})).await).await;
    let a2 = post(app, KEES, "/api/v1/actions".into(), json!({
        "kind": "improvement", "title": "Vier-ogencontrole", "owner_id": "dana", "due_on": "2026-11-05", "complaint_ids": [c1, c2]
    }))
    .await;
    post(
        app,
        EVA,
        "/api/v1/actions".into(),
        json!({"kind": "corrective", "title": "Excuses", "complaint_ids": [c4]}),
    )
    .await;

    at(app, "2026-11-09T12:00:00Z");
    DataSet { c3, improvement: a2["id"].as_i64().unwrap() }
}

async fn the_figures_are_right(app: TestApp) {
    data_set(&app).await;
    let o = ok(app.get(&format!("/api/v1/overview?{PERIOD}"), KEES).await).await;
    assert_eq!(o["period"], json!({"from": "2026-10-01", "to": "2026-11-30"}));
    assert_eq!(o["previous_period"], json!({"from": "2026-08-01", "to": "2026-09-30"}));
    assert_eq!(o["anonymised"], false);
    assert_eq!(o["total"], 7);
    assert_eq!(o["by_kind"], json!({"complaint": 5, "error": 1, "improvement": 1}));
    assert_eq!(
        o["by_status"],
        json!({"closed": 2, "decided": 0, "escalated": 0, "in_progress": 1, "registered": 4, "withdrawn": 0})
    );
    assert_eq!(o["by_channel"], json!({"oral": 2, "unclassified": 3, "written": 2}));
    assert_eq!(o["by_category"], json!({"conduct": 1, "financial": 2, "legal": 1, "practice": 1}));
    assert_eq!(
        o["by_reporter"],
        json!({"client": 3, "contact": 1, "employee": 2, "representative": 1})
    );
    assert_eq!(
        o["response_term"],
        json!({
            "answered_late": 1, "answered_within_term": 2, "not_applicable": 2,
            "open_overdue": 1, "open_within_term": 1
        })
    );
    assert_eq!(o["outcome"], json!({"resolved": 1, "undecided": 5, "unresolved": 1}));
    assert_eq!(
        o["by_judgement"],
        json!({"well_founded": 1, "partly_well_founded": 0, "unfounded": 1, "not_judged": 5})
    );
    assert_eq!(
        o["satisfaction"],
        json!({"given": 2, "average": 3.5, "by_score": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}})
    );
    // First reactions after 2 h, 24 h and 240 h; closures after 10 and 15 days.
    assert_eq!(o["median_hours_to_first_response"], 24.0);
    assert_eq!(o["median_days_to_closure"], 12.5);
    assert_eq!(o["actions"], json!({"open": 2, "overdue": 1, "done": 1}));
    assert_eq!(
        o["recurrence"],
        json!([
            {"category": "conduct", "current": 1, "previous": 1, "change": 0},
            {"category": "legal", "current": 1, "previous": 2, "change": -1},
            {"category": "financial", "current": 2, "previous": 0, "change": 2},
            {"category": "practice", "current": 1, "previous": 0, "change": 1}
        ])
    );
    assert_eq!(
        o["per_month"],
        json!([
            {"month": "2026-10", "total": 3, "by_category": {"conduct": 1, "financial": 1, "legal": 1, "practice": 1}},
            {"month": "2026-11", "total": 4, "by_category": {"conduct": 0, "financial": 1, "legal": 0, "practice": 0}}
        ])
    );
    // C2 is discussed anonymously: it is attributed to nobody.
    assert_eq!(o["discussed_anonymously"], 1);
    assert_eq!(o["by_handler"][0], json!({"name": "Dana de Wit", "id": "dana", "count": 4}));
    let others: Vec<(&str, i64)> = o["by_handler"].as_array().unwrap()[1..]
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), h["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(others.len(), 2);
    assert!(
        others.contains(&("Eva Jansen", 1)) && others.contains(&("Kees Vuijst", 1)),
        "{others:?}"
    );
    assert_eq!(o["by_client"][0], json!({"name": "Bakkerij Jansen", "id": "REL-1", "count": 2}));
    assert_eq!(o["by_client"].as_array().unwrap().len(), 3);
    assert!(
        !o.to_string().contains("Garage De Vries"),
        "an anonymous complaint's client is never named"
    );

    // A period without complaints has zeros, not gaps.
    let empty = ok(app.get("/api/v1/overview?from=2025-01-01&to=2025-01-31", KEES).await).await;
    assert_eq!(empty["total"], 0);
    assert_eq!(empty["by_kind"], json!({"complaint": 0, "error": 0, "improvement": 0}));
    assert_eq!(empty["median_hours_to_first_response"], Value::Null);
    for (query, field) in [
        ("from=2026-12-01&to=2026-11-01", "to"),
        ("from=2026-13-01", "from"),
        ("to=2031-01-01&from=2020-01-01", "to"),
        ("period=q4", "period"),
    ] {
        let refused = app.get(&format!("/api/v1/overview?{query}"), KEES).await;
        refused.assert_problem(400, "invalid_parameter");
        assert_eq!(refused.error_fields(), [field], "{query}");
    }
}

async fn the_anonymised_forms_name_nobody(app: TestApp) {
    data_set(&app).await;
    let paths = [
        format!("/api/v1/overview?{PERIOD}"),
        format!("/api/v1/overview/report?{PERIOD}"),
        format!("/api/v1/overview?{PERIOD}&anonymised=true"),
    ];
    for (person, path) in [
        (DANA, &paths[0]),
        (DANA, &paths[1]),
        (KEES, &paths[1]),
        (KEES, &paths[2]),
        (DANA, &paths[2]),
    ] {
        for accept in ["application/json", "text/csv"] {
            let reply = app.get_accepting(path, person, accept).await;
            assert!(reply.status.is_success());
            let body = reply.text;
            for name in NAMES {
                assert!(
                    !body.contains(name),
                    "{} found in {path} ({accept}) for {}",
                    name,
                    person.id
                );
            }
            for id in ["REL-1", "REL-3", "\"dana\"", "\"eva\"", "\"kees\""] {
                assert!(!body.contains(id), "{id} found in {path} for {}", person.id);
            }
        }
    }
    // No rows per person; figures of fewer than five complaints read "< 5".
    let anonymised = ok(app.get(&paths[0], DANA).await).await;
    assert_eq!(anonymised["anonymised"], true);
    assert_eq!((&anonymised["by_handler"], &anonymised["by_client"]), (&json!([]), &json!([])));
    assert_eq!(anonymised["total"], 7, "the figures are the same");
    assert_eq!(
        anonymised["by_kind"],
        json!({"complaint": 5, "error": "< 5", "improvement": "< 5"})
    );
    // A coordinator may ask for the named report.
    let named = app.get(&format!("/api/v1/overview/report?{PERIOD}&anonymised=false"), KEES).await;
    assert!(named.text.contains("Dana de Wit"));
    let still_anonymous =
        app.get(&format!("/api/v1/overview/report?{PERIOD}&anonymised=false"), DANA).await;
    assert!(!still_anonymous.text.contains("Dana de Wit"), "a dienstverlener never gets names");
}

async fn the_csv_holds_the_same_figures(app: TestApp) {
    data_set(&app).await;
    let json = ok(app.get(&format!("/api/v1/overview?{PERIOD}"), KEES).await).await;
    let response = app
        .client
        .get(app.url(&format!("/api/v1/overview?{PERIOD}")))
        .bearer_auth(app.token(KEES))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap(), vec!["section", "key", "value"]);
    let rows: Vec<(String, String, String)> = reader
        .records()
        .map(|r| r.unwrap())
        .map(|r| (r[0].to_owned(), r[1].to_owned(), r[2].to_owned()))
        .collect();
    let value = |section: &str, key: &str| -> String {
        rows.iter()
            .find(|r| r.0 == section && r.1 == key)
            .unwrap_or_else(|| panic!("{section},{key} in CSV"))
            .2
            .clone()
    };
    assert_eq!(value("total", ""), json["total"].to_string());
    for section in [
        "by_kind",
        "by_status",
        "by_channel",
        "by_category",
        "by_reporter",
        "response_term",
        "outcome",
        "by_judgement",
    ] {
        let map = json[section].as_object().unwrap();
        assert_eq!(rows.iter().filter(|r| r.0 == section).count(), map.len(), "{section}");
        for (key, count) in map {
            assert_eq!(value(section, key), count.to_string(), "{section},{key}");
        }
    }
    assert_eq!(value("median", "hours_to_first_response"), "24");
    assert_eq!(value("median", "days_to_closure"), "12.5");
    assert_eq!(value("actions", "overdue"), json["actions"]["overdue"].to_string());
    assert_eq!(value("recurrence.change", "legal"), "-1");
    assert_eq!(value("per_month.total", "2026-11"), "4");
    assert_eq!(value("per_month.financial", "2026-10"), "1");
    assert_eq!(value("by_handler", "Dana de Wit"), "4");
    assert_eq!(value("by_client", "Bakkerij Jansen"), "2");
    assert_eq!(value("discussed_anonymously", ""), "1");
    assert_eq!(value("by_judgement", "unfounded"), "1");
    assert_eq!(value("satisfaction", "given"), "2");
    assert_eq!(value("satisfaction", "average"), "3.5");
    assert_eq!(value("satisfaction.by_score", "5"), "1");
    assert_eq!(value("period", "from"), "2026-10-01");
}

async fn the_report_is_one_printable_page_with_charts(app: TestApp) {
    data_set(&app).await;
    let reply = app.get(&format!("/api/v1/overview/report?{PERIOD}"), KEES).await;
    assert_eq!(reply.header("content-type"), Some("text/html; charset=utf-8"));
    let html = &reply.text;
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 2, "two charts");
    assert!(html.contains("aria-label=\"Klachten per categorie per maand\""));
    assert!(html.contains("aria-label=\"Reactietermijn\""));
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("2026-10") && html.contains("2026-11"), "a bar group per month");
    // One bar per month and category, one per response-term outcome, and the legend.
    assert_eq!(html.matches("<rect").count(), 2 * 4 + 4 + 5);
    for external in ["http://", "https://", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(external), "no external assets: found {external}");
    }
    assert!(html.contains("Binnen termijn gereageerd"));
    assert!(html.contains("Kantoor Vuijst"));
    // Anonymised by default: two scores are too few to show their average; named, they are.
    assert!(
        html.contains("Tevredenheid cliënt (1–5)") && html.contains("(&lt; 5 klachten) · &lt; 5")
    );
    let named = app.get(&format!("/api/v1/overview/report?{PERIOD}&anonymised=false"), KEES).await;
    assert!(named.text.contains("3.5 van 5 · 2"), "{}", named.text);
    assert!(html.contains("Gegrond · deels gegrond · ongegrond"));
}

async fn an_evaluation_keeps_its_snapshot_and_starts_follow_ups(app: TestApp) {
    let data = data_set(&app).await;
    let body = json!({
        "meeting_on": "2026-11-10",
        "period_from": "2026-10-01",
        "period_to": "2026-11-30",
        "summary": "Declaratieklachten besproken.",
        "decisions": "Controle uitbreiden.",
        "assessments": [
            {"action_id": data.improvement, "effect": "partially_effective", "note": "Helpt deels",
             "follow_up": {"title": "Controle ook onder EUR 1.000", "due_on": "2027-01-31"}}
        ]
    });
    app.post("/api/v1/evaluations", DANA, &body)
        .await
        .assert_problem(403, "coordinator_role_required");
    let mut effective = body.clone();
    effective["assessments"][0]["effect"] = json!("effective");
    let refused = app.post("/api/v1/evaluations", KEES, &effective).await;
    refused.assert_problem(422, "validation_failed");
    assert_eq!(refused.error_fields(), ["assessments[0].follow_up"]);
    let mut unknown = body.clone();
    unknown["assessments"][0]["action_id"] = json!(999_999);
    let refused = app.post("/api/v1/evaluations", KEES, &unknown).await;
    assert_eq!(refused.error_fields(), ["assessments[0].action_id"]);

    let created = app.post("/api/v1/evaluations", KEES, &body).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text);
    let evaluation = created.json.clone();
    assert_eq!(evaluation["snapshot"]["anonymised"], true);
    assert_eq!(evaluation["snapshot"]["total"], 7);
    let follow_up = evaluation["assessments"][0]["follow_up_action"].as_i64().unwrap();
    assert_eq!(evaluation["assessments"][0]["action"]["id"], data.improvement);

    // The further measure supplements the assessed action, for the same complaints.
    let measure = ok(app.get(&format!("/api/v1/actions/{follow_up}"), KEES).await).await;
    assert_eq!(measure["follow_up_of"], data.improvement);
    assert_eq!(measure["kind"], "improvement");
    assert_eq!(measure["status"], "approved");
    assert_eq!(measure["owner"]["id"], "dana");
    assert_eq!(measure["complaints"].as_array().unwrap().len(), 2);
    let original = ok(app.get(&format!("/api/v1/actions/{}", data.improvement), KEES).await).await;
    assert_eq!(original["follow_ups"], json!([follow_up]));

    // Later changes to complaints do not alter the snapshot; the live overview moves on.
    let path = format!("/api/v1/evaluations/{}", evaluation["id"]);
    classify(&app, data.c3, "written", json!(["conduct"])).await;
    contact(&app, DANA, data.c3, "2026-11-09T13:00:00Z").await;
    let live = ok(app.get(&format!("/api/v1/overview?{PERIOD}"), KEES).await).await;
    assert_eq!(live["by_category"]["conduct"], 2);
    let later = ok(app.get(&path, EVA).await).await;
    assert_eq!(later["snapshot"], evaluation["snapshot"]);
    assert_eq!(later["snapshot"]["by_category"]["conduct"], "< 5");

    // The texts can be edited; the snapshot stays.
    let edited = app
        .patch(&path, KEES, &json!({"decisions": "Controle uitbreiden; evaluatie in april."}))
        .await;
    assert_eq!(ok(edited).await["snapshot"], evaluation["snapshot"]);
    let list = ok(app.get("/api/v1/evaluations", DANA).await).await;
    assert_eq!(list["items"][0]["decisions"], "Controle uitbreiden; evaluatie in april.");
    app.patch(&path, DANA, &json!({"summary": "x"}))
        .await
        .assert_problem(403, "coordinator_role_required");
}
