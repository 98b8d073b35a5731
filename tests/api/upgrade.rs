//! Upgrading a database whose events hold free text, as every release before issue 12 wrote
//! them: at the first start the texts move out of the events, the chain is rebuilt once and
//! the rebuild recorded, and everything verifies and reads as before.

use chrono::{DateTime, Duration};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{Value, json};

use crate::on_both_databases;
use crate::support::{
    Backend, DANA, KEES, ORG_A, ORG_B, OTTO, Person, TestApp, complaint_body, start_of_test,
};
use klachtenregister::db::AnyConnection;
use klachtenregister::db::schema::{
    complaints, event_chain_heads, events, organisations, reference_counters,
};
use klachtenregister::domain::chain::{self, GENESIS, Linked};
use klachtenregister::store::events::chained_time;
use klachtenregister::store::staff;

/// The migration that takes the texts out of the events.
const EVENT_TEXTS: &str = "2026-12-02-141500";

const MARKER: &str = "merkteken";

on_both_databases!(spawn = super::upgraded; events_written_with_text_are_migrated);

async fn upgraded(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_upgraded(backend, EVENT_TEXTS, write_history).await
}

/// The ids the history names.
struct Ids {
    org_a: i64,
    org_b: i64,
    dana: i64,
    complaint: i64,
}

fn ids(conn: &mut AnyConnection) -> Ids {
    let (org_a, org_b) = (organisation_id(conn, ORG_A), organisation_id(conn, ORG_B));
    let dana = staff::find_by_subject(conn, org_a, DANA.id).unwrap().expect("dana").id;
    let complaint = complaints::table.select(complaints::id).first(conn).unwrap();
    Ids { org_a, org_b, dana, complaint }
}

/// By the columns every release had: the store reads today's.
fn organisation_id(conn: &mut AnyConnection, slug: &str) -> i64 {
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(organisations::id)
        .first(conn)
        .expect("seeded")
}

/// Kantoor A's events as the releases before wrote them: the texts inside the data.
fn history_of_a(ids: &Ids) -> Vec<(Option<i64>, &'static str, Value)> {
    let complaint = Some(ids.complaint);
    let text = |t: &str| format!("{t} {MARKER}");
    vec![
        (
            complaint,
            "complaint.registered",
            json!({"reference": "KL-2026-0001", "kind": "complaint", "handler": "dana", "subject": "dana", "coordinator": "kees", "recipients": [{"id": "kees", "reason": "registered"}]}),
        ),
        (
            complaint,
            "complaint.updated",
            json!({"changes": {
                "description": {"before": text("De declaratie"), "after": text("De declaratie van oktober")},
                "complainant": {"before": {"name": text("J."), "email": null, "phone": null}, "after": {"name": text("Jan"), "email": null, "phone": null}},
            }}),
        ),
        (
            complaint,
            "complaint.escalated",
            json!({"reason": text("Geen oplossing"), "recipients": []}),
        ),
        (
            complaint,
            "complaint.decided",
            json!({"summary": text("Creditnota"), "resolution": "resolved", "decided_at": "2026-11-03T10:00:00Z"}),
        ),
        (
            None,
            "organisation.updated",
            json!({"changes": {"regulation_text": {"before": "", "after": text("Regeling")}}}),
        ),
    ]
}

/// The moment of the `n`th event of the history.
fn moment(n: usize) -> DateTime<chrono::Utc> {
    start_of_test() + Duration::minutes(n as i64)
}

/// The hashes a chain of these events has, as `store::events::append` computed them.
fn old_chain(
    organisation_id: i64,
    actor: Option<i64>,
    history: &[(Option<i64>, &str, Value)],
) -> Vec<(String, String)> {
    let mut prev = GENESIS.to_owned();
    history
        .iter()
        .enumerate()
        .map(|(n, (complaint_id, event_type, data))| {
            let occurred_at = chained_time(moment(n).naive_utc());
            let data = data.to_string();
            let linked = Linked {
                organisation_id,
                complaint_id: *complaint_id,
                event_type,
                actor_id: actor,
                occurred_at: &occurred_at,
                data: &data,
            };
            let hash = chain::hash(&prev, &linked);
            let link = (prev.clone(), hash.clone());
            prev = hash;
            link
        })
        .collect()
}

/// Writes events as the releases before did: text in the data, chained, the head moved on.
/// `stored` may differ from what was hashed, as an event altered afterwards would.
fn append_as_before(
    conn: &mut AnyConnection,
    (organisation_id, actor): (i64, Option<i64>),
    history: &[(Option<i64>, &str, Value)],
    stored: impl Fn(usize, &Value) -> Value,
) {
    let links = old_chain(organisation_id, actor, history);
    for (n, ((complaint_id, event_type, data), (prev, hash))) in
        history.iter().zip(&links).enumerate()
    {
        diesel::insert_into(events::table)
            .values((
                events::organisation_id.eq(organisation_id),
                events::complaint_id.eq(complaint_id),
                events::event_type.eq(event_type),
                events::actor_id.eq(actor),
                events::occurred_at.eq(moment(n).naive_utc()),
                events::data.eq(stored(n, data).to_string()),
                events::prev_hash.eq(prev),
                events::hash.eq(hash),
            ))
            .execute(conn)
            .unwrap();
    }
    let head = &links.last().unwrap().1;
    diesel::insert_into(event_chain_heads::table)
        .values((
            event_chain_heads::organisation_id.eq(organisation_id),
            event_chain_heads::last_hash.eq(head),
        ))
        .execute(conn)
        .unwrap();
}

/// Kantoor B's chain was altered before the upgrade: its second event no longer matches.
fn history_of_b() -> Vec<(Option<i64>, &'static str, Value)> {
    let change =
        |after: &str| json!({"changes": {"regulation_text": {"before": "", "after": after}}});
    vec![
        (None, "organisation.updated", change("Eerste")),
        (None, "organisation.updated", change("Tweede")),
    ]
}

fn write_history(conn: &mut AnyConnection) {
    let now = start_of_test();
    let org_a = organisation_id(conn, ORG_A);
    let dana = staff::ensure(conn, org_a, DANA.id, now).unwrap();
    let body = complaint_body();
    diesel::insert_into(complaints::table)
        .values((
            complaints::organisation_id.eq(org_a),
            complaints::reference.eq("KL-2026-0001"),
            complaints::kind.eq("complaint"),
            complaints::status.eq("decided"),
            complaints::received_at.eq(now.naive_utc()),
            complaints::reported_by.eq("client"),
            complaints::complainant_name.eq(format!("Jan {MARKER}")),
            complaints::client_id.eq(body["client"]["id"].as_str().unwrap()),
            complaints::client_name.eq(body["client"]["name"].as_str().unwrap()),
            complaints::matter_reference.eq(body["matter_reference"].as_str().unwrap()),
            complaints::description.eq(format!("De declaratie van oktober {MARKER}")),
            complaints::handler_id.eq(dana),
            complaints::subject_id.eq(dana),
            complaints::registered_by_id.eq(dana),
            complaints::created_at.eq(now.naive_utc()),
            complaints::updated_at.eq(now.naive_utc()),
        ))
        .execute(conn)
        .unwrap();
    diesel::insert_into(reference_counters::table)
        .values((
            reference_counters::organisation_id.eq(org_a),
            reference_counters::year.eq(2026),
            reference_counters::last_number.eq(1),
        ))
        .execute(conn)
        .unwrap();
    let ids = ids(conn);
    append_as_before(conn, (ids.org_a, Some(ids.dana)), &history_of_a(&ids), |_, data| {
        data.clone()
    });
    let altered =
        |n: usize, data: &Value| if n == 1 { json!({"changes": {}}) } else { data.clone() };
    append_as_before(conn, (ids.org_b, None), &history_of_b(), altered);
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = BigInt)]
    organisation_id: i64,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Text)]
    data: String,
    #[diesel(sql_type = Text)]
    hash: String,
}

fn stored(conn: &mut AnyConnection) -> Vec<Stored> {
    diesel::sql_query("SELECT organisation_id, event_type, data, hash FROM events ORDER BY id")
        .load(conn)
        .unwrap()
}

fn rebuilds(events: &[Stored], organisation_id: i64) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e.organisation_id == organisation_id && e.event_type == "chain.rebuilt")
        .map(|e| serde_json::from_str(&e.data).unwrap())
        .collect()
}

/// The organisation of `coordinator` has an intact chain of `events` events.
async fn verifies(app: &TestApp, coordinator: Person, events: i64) {
    let reply = app.get("/api/v1/events/verification", coordinator).await;
    let verification = (reply.json["intact"].as_bool(), reply.json["events_checked"].as_i64());
    assert_eq!(verification, (Some(true), Some(events)), "{}", reply.text);
}

async fn events_written_with_text_are_migrated(app: TestApp) {
    let mut conn = app.db.connection().unwrap();
    let ids = ids(&mut conn);
    let old_a = old_chain(ids.org_a, Some(ids.dana), &history_of_a(&ids));
    let after = stored(&mut conn);

    // No event holds text any more. The first event had none and keeps its hash; from the
    // first one that held text on, every hash is new.
    for event in &after {
        assert!(!event.data.contains(MARKER), "an event still holds text: {}", event.data);
    }
    let hashes_a: Vec<&str> =
        after.iter().filter(|e| e.organisation_id == ids.org_a).map(|e| e.hash.as_str()).collect();
    assert_eq!(hashes_a[0], old_a[0].1);
    for hash in &hashes_a[1..] {
        assert!(old_a.iter().all(|(_, old)| old != hash), "a hash was kept: {hash}");
    }
    // The rebuild is an event on each new chain, naming the head it replaced.
    let [rebuilt_a] = &rebuilds(&after, ids.org_a)[..] else { panic!("one rebuild of A") };
    let head_a = &after
        .iter()
        .rfind(|e| e.organisation_id == ids.org_a && e.event_type != "chain.rebuilt")
        .unwrap()
        .hash;
    assert_eq!(
        *rebuilt_a,
        json!({
            "reason": "texts moved out of the events",
            "before": {"head": old_a.last().unwrap().1, "intact": true, "first_break": null},
            "after": {"head": head_a},
            "events": 5,
            "texts": 8,
        })
    );
    // Kantoor B's chain was broken before: the rebuild says where, and does not hide it.
    let [rebuilt_b] = &rebuilds(&after, ids.org_b)[..] else { panic!("one rebuild of B") };
    assert_eq!(rebuilt_b["before"]["intact"], false, "{rebuilt_b}");
    assert!(rebuilt_b["before"]["first_break"].is_i64(), "{rebuilt_b}");

    // Both chains verify, the rebuild included.
    verifies(&app, KEES, 6).await;
    verifies(&app, OTTO, 3).await;

    // The timeline still shows the texts, checked against their commitments.
    let timeline = app.get(&format!("/api/v1/complaints/{}/timeline", ids.complaint), KEES).await;
    let items = timeline.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{}", timeline.text);
    let changes = &items[1]["data"]["changes"];
    assert_eq!(
        changes["description"]["after"]["text"],
        format!("De declaratie van oktober {MARKER}")
    );
    assert_eq!(changes["complainant"]["before"]["name"]["state"], "intact");
    assert_eq!(changes["complainant"]["after"]["email"], Value::Null);
    assert_eq!(items[2]["data"]["reason"]["text"], format!("Geen oplossing {MARKER}"));
    assert_eq!(items[3]["data"]["summary"]["state"], "intact");
    assert_eq!(items[3]["data"]["resolution"], "resolved");

    // The protection is back, new events follow on the rebuilt chain, and a restart does not
    // rebuild again.
    let refused = conn.batch_execute("UPDATE events SET data = '{}'").unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
    drop(conn);
    app.register(DANA, &complaint_body()).await;
    let app = app.crash_and_restart().await;
    let mut conn = app.db.connection().unwrap();
    assert_eq!(rebuilds(&stored(&mut conn), ids.org_a).len(), 1);
    verifies(&app, KEES, 7).await;
}
