//! The benchmark's data set: generated in bulk, it must still obey the procedure's rules
//! and be what the service reads.

use klachtenregister::db::write_transaction;
use klachtenregister::domain::access::Scope;
use klachtenregister::domain::complaint::ComplaintStatus;
use klachtenregister::domain::roles::Role;
use klachtenregister::seed::{Plan, seed};
use klachtenregister::store::complaints::{self, ListFilter};

use crate::on_both_databases;
use crate::support::{Person, TestApp};

on_both_databases!(a_seeded_data_set_obeys_the_rules);

async fn a_seeded_data_set_obeys_the_rules(app: TestApp) {
    let plan = Plan { organisations: 2, complaints: 400, staff: 6, years: 2, seed: 7 };
    let mut conn = app.db.connection().unwrap();
    let seeded = write_transaction(&mut conn, |conn| seed(conn, plan, app.clock_now())).unwrap();
    assert_eq!(seeded.complaints, 800);
    // Its passed and nearing deadlines count as announced: the watcher has nothing to catch
    // up on.
    assert!(seeded.announced > 0, "the history has passed deadlines");
    let unannounced =
        klachtenregister::store::deadlines::unannounced(&mut conn, app.clock_now(), 10);
    assert_eq!(unannounced.unwrap(), Vec::new());

    let organisation =
        klachtenregister::store::organisations::find_by_slug(&mut conn, "seed-1").unwrap().unwrap();
    let filter = ListFilter { limit: 1_000, ..ListFilter::default() };
    let rows = complaints::list(&mut conn, organisation.id, Scope::Organisation, &filter).unwrap();
    assert_eq!(rows.len(), 400);
    let closed: Vec<_> = rows.iter().filter(|r| r.status() == ComplaintStatus::Closed).collect();
    assert!(closed.len() > 100, "most of two years' complaints are closed: {}", closed.len());
    for row in &closed {
        let mut procedure = row.procedure();
        // Closed as the rules would have let it close: reopen the question and ask them.
        procedure.status = ComplaintStatus::Decided;
        assert_eq!(procedure.closure_unmet(), Vec::new(), "{}", row.reference);
    }
    for status in
        [ComplaintStatus::Registered, ComplaintStatus::InProgress, ComplaintStatus::Decided]
    {
        assert!(rows.iter().any(|r| r.status() == status), "{status:?} is represented");
    }

    // The service reads it: the coordinator's list and overview see all 400.
    let coordinator = Person {
        org: "seed-1",
        id: "seed-1-staff-0",
        name: "Coördinator",
        roles: &[Role::Klachtencoordinator],
    };
    let page = app.get("/api/v1/complaints?limit=200", coordinator).await;
    assert_eq!(page.json["items"].as_array().unwrap().len(), 200);
    let overview = app.get("/api/v1/overview?from=2024-01-01&to=2026-11-02", coordinator).await;
    assert_eq!(overview.json["total"], 400, "{}", overview.text);
    // The seeded events are chained, and new ones continue the chain.
    let verification = app.get("/api/v1/events/verification", coordinator).await;
    assert_eq!(verification.json["intact"], true, "{}", verification.text);
    assert_eq!(verification.json["events_checked"], 400);
    // Ids continue after the seeded ones.
    let created = app
        .register(coordinator, &{
            let mut body = crate::support::complaint_body();
            body["handler_id"] = serde_json::json!("seed-1-staff-2");
            body
        })
        .await;
    assert!(created["id"].as_i64().unwrap() > 800);
    let verification = app.get("/api/v1/events/verification", coordinator).await;
    assert_eq!(
        (verification.json["intact"].as_bool(), verification.json["events_checked"].as_i64()),
        (Some(true), Some(401))
    );
}
