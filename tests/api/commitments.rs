//! Events commit to free text; they do not hold it (DESIGN.md §9): a complaint's texts are
//! kept beside its events, where they can be erased without breaking the chain, and the
//! timeline joins them back, checked against their commitments.

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use serde_json::{Value, json};

use crate::dossier::upload;
use crate::on_both_databases;
use crate::support::{DANA, KEES, TestApp, complaint_body};
use klachtenregister::db::AnyConnection;
use klachtenregister::store::event_texts;

on_both_databases!(events_hold_no_text, an_erased_text_leaves_the_chain_whole);

/// Lower case, so that it can stand in an e-mail address too.
const MARKER: &str = "merkteken7f3a";

fn marked(text: &str) -> String {
    format!("{text} {MARKER}")
}

#[derive(QueryableByName)]
struct Data {
    #[diesel(sql_type = Text)]
    data: String,
}

/// Every event's data as stored.
fn stored_data(conn: &mut AnyConnection) -> Vec<String> {
    let rows: Vec<Data> = diesel::sql_query("SELECT data FROM events").load(conn).unwrap();
    rows.into_iter().map(|r| r.data).collect()
}

async fn timeline(app: &TestApp, complaint: i64) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/complaints/{complaint}/timeline?limit=200"), KEES).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    reply.json["items"].as_array().unwrap().clone()
}

fn of_type<'a>(events: &'a [Value], event_type: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["type"] == event_type)
        .unwrap_or_else(|| panic!("no {event_type} in {events:?}"))
}

async fn succeeds(reply: crate::support::Reply) -> Value {
    assert!(reply.status.is_success(), "{}: {}", reply.status, reply.text);
    reply.json
}

async fn verified(app: &TestApp) {
    let verification = app.get("/api/v1/events/verification", KEES).await;
    assert_eq!(verification.json["intact"], true, "{}", verification.text);
}

async fn events_hold_no_text(app: TestApp) {
    let mut body = complaint_body();
    body["complainant"] = json!({
        "name": marked("J. de Vries"),
        "email": format!("{MARKER}@example.nl"),
        "phone": "+31 20 123 4567",
    });
    body["client"] = json!({"id": format!("REL-{MARKER}"), "name": marked("De Vries B.V.")});
    body["matter_reference"] = json!(format!("Z-{MARKER}"));
    body["description"] = json!(marked("De declaratie is te hoog"));
    let id = app.register(DANA, &body).await["id"].as_i64().unwrap();
    let path = |rest: &str| format!("/api/v1/complaints/{id}{rest}");
    succeeds(
        app.patch(
            &path(""),
            DANA,
            &json!({
                "description": marked("De declaratie van oktober is te hoog"),
                "root_cause": marked("Uren dubbel geboekt"),
                "complainant": {"name": marked("Jan de Vries"), "address": {
                    "street": marked("Dam"), "postal_code": "1012 JS", "city": marked("Amsterdam")
                }},
                "client": {"id": format!("REL2-{MARKER}"), "name": marked("De Vries Holding")},
                "matter_reference": format!("Z2-{MARKER}"),
            }),
        )
        .await,
    )
    .await;
    let contact = json!({"channel": "phone", "summary": marked("Gebeld")});
    succeeds(app.post(&path("/contacts"), DANA, &contact).await).await;
    let reason = marked("Geen oplossing");
    succeeds(app.post(&path("/escalation"), DANA, &json!({"reason": reason})).await).await;
    let summary = marked("Creditnota verstuurd");
    let decision =
        json!({"summary": summary, "resolution": "unresolved", "judgement": "unfounded"});
    succeeds(app.post(&path("/decision"), DANA, &decision).await).await;
    let satisfaction = json!({"score": 2, "remark": marked("Te traag")});
    succeeds(app.post(&path("/satisfaction"), DANA, &satisfaction).await).await;
    let filename = format!("{MARKER}.txt");
    let document = upload(&app, DANA, id, &filename, b"Gesprek met de client\n").await;
    assert_eq!(document.status.as_u16(), 201, "{}", document.text);
    let action = json!({
        "kind": "corrective", "title": marked("Excuses"), "description": marked("Bellen"),
        "complaint_ids": [id],
    });
    let action = succeeds(app.post("/api/v1/actions", DANA, &action).await).await;
    let action_path = format!("/api/v1/actions/{}", action["id"]);
    let retitled = json!({"title": marked("Excuses per brief")});
    succeeds(app.patch(&action_path, DANA, &retitled).await).await;
    let withdrawal = json!({"reason": marked("Dubbel")});
    succeeds(app.post(&path("/withdrawal"), KEES, &withdrawal).await).await;

    let mut conn = app.db.connection().unwrap();
    let data = stored_data(&mut conn);
    assert!(data.len() >= 9, "{data:?}");
    for data in &data {
        assert!(!data.to_lowercase().contains(MARKER), "an event holds text: {data}");
    }

    // The timeline shows each text, checked against its commitment.
    let events = timeline(&app, id).await;
    let escalated = &of_type(&events, "complaint.escalated")["data"]["reason"];
    assert_eq!(
        (escalated["text"].as_str(), escalated["state"].as_str()),
        (Some(&*reason), Some("intact"))
    );
    assert_eq!(escalated["sha256"].as_str().map(str::len), Some(64), "{escalated}");
    let decided = &of_type(&events, "complaint.decided")["data"];
    assert_eq!(decided["summary"]["text"], summary);
    assert_eq!(decided["resolution"], "unresolved", "what is not text stays as it was");
    assert_eq!(decided["judgement"], "unfounded");
    let satisfied = &of_type(&events, "complaint.satisfaction_recorded")["data"];
    assert_eq!(
        (&satisfied["remark"]["text"], &satisfied["score"]),
        (&json!(marked("Te traag")), &json!(2))
    );
    let changes = &of_type(&events, "complaint.updated")["data"]["changes"];
    assert_eq!(changes["description"]["before"]["text"], marked("De declaratie is te hoog"));
    assert_eq!(changes["complainant"]["after"]["name"]["text"], marked("Jan de Vries"));
    assert_eq!(changes["root_cause"]["before"], Value::Null);
    assert_eq!(changes["root_cause"]["after"]["state"], "intact");
    let added = &of_type(&events, "complaint.document_added")["data"];
    assert_eq!(added["filename"]["text"], filename);
    let retitled = &of_type(&events, "action.updated")["data"]["changes"]["title"];
    assert_eq!(retitled["after"]["text"], marked("Excuses per brief"));
    let withdrawn = &of_type(&events, "complaint.withdrawn")["data"]["reason"];
    assert_eq!(withdrawn["text"], marked("Dubbel"));
    verified(&app).await;
}

async fn an_erased_text_leaves_the_chain_whole(app: TestApp) {
    let mut ids = Vec::new();
    for reason in ["Geen oplossing", "Cliënt wil de coördinator"] {
        let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
        let escalation = format!("/api/v1/complaints/{id}/escalation");
        succeeds(app.post(&escalation, DANA, &json!({"reason": reason})).await).await;
        ids.push(id);
    }
    let (erased, kept) = (ids[0], ids[1]);
    let before = timeline(&app, erased).await;
    let commitment = of_type(&before, "complaint.escalated")["data"]["reason"]["sha256"].clone();

    let mut conn = app.db.connection().unwrap();
    assert_eq!(event_texts::erase_of_complaint(&mut conn, erased).unwrap(), 1);
    verified(&app).await;
    let after = timeline(&app, erased).await;
    assert_eq!(after.len(), before.len(), "every event is still there");
    assert_eq!(
        of_type(&after, "complaint.escalated")["data"]["reason"],
        json!({"sha256": commitment, "text": null, "state": "erased"})
    );
    let other = timeline(&app, kept).await;
    assert_eq!(of_type(&other, "complaint.escalated")["data"]["reason"]["state"], "intact");

    // A text changed behind the service's back no longer matches its commitment; the chain,
    // which covers the commitment, still holds.
    conn.batch_execute("UPDATE event_texts SET text = 'Anders'").unwrap();
    let other = timeline(&app, kept).await;
    let reason = &of_type(&other, "complaint.escalated")["data"]["reason"];
    assert_eq!(
        (reason["text"].as_str(), reason["state"].as_str()),
        (Some("Anders"), Some("altered"))
    );
    verified(&app).await;
}
