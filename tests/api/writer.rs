//! The writes of one process: on SQLite they take turns at one connection (issue 15), so
//! that many writers at once all get their turn without meeting "database is locked"; a
//! write that fails or panics gives up its turn and leaves nothing behind; and a process
//! killed in the middle of writing keeps every write it acknowledged.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use reqwest::StatusCode;
use serde_json::{Value, json};

use klachtenregister::db::{DbError, write_transaction};
use klachtenregister::store::organisations;

use crate::binary::{DevService, klachtenregister};
use crate::on_both_databases;
use crate::support::{DANA, TestApp, complaint_body, start_of_test};

// Many writers at once: `concurrency::concurrent_registrations_get_consecutive_references`.
on_both_databases!(a_failed_or_panicking_write_gives_up_its_turn_and_leaves_nothing);

const WRITERS: usize = 40;

async fn a_failed_or_panicking_write_gives_up_its_turn_and_leaves_nothing(app: TestApp) {
    let failed = app
        .db
        .write(|conn| {
            organisations::create(conn, "half-failed", "Half", start_of_test())?;
            Err::<(), _>(DbError::Query(diesel::result::Error::RollbackTransaction))
        })
        .await;
    assert!(matches!(failed, Err(DbError::Query(_))), "{failed:?}");
    let panicked = app
        .db
        .write(|conn| -> Result<(), DbError> {
            organisations::create(conn, "half-panicked", "Half", start_of_test())?;
            panic!("a write panics in the middle of its transaction");
        })
        .await;
    assert!(matches!(panicked, Err(DbError::TaskFailed)), "{panicked:?}");

    // The next write through the service gets its turn.
    let created = app.post("/api/v1/complaints", DANA, &complaint_body()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    // A write on another connection is not kept waiting by a transaction left open: on
    // SQLite it would wait out the busy timeout and fail with "database is locked".
    let mut other = app.db.connection().unwrap();
    write_transaction(&mut other, |conn| {
        organisations::create(conn, "after-the-panic", "Erna", start_of_test())
            .map_err(DbError::from)
    })
    .unwrap();
    drop(other);
    let left = app
        .db
        .read(|conn| {
            let mut found = Vec::new();
            for slug in ["half-failed", "half-panicked", "after-the-panic"] {
                found.push(organisations::find_by_slug(conn, slug)?.is_some());
            }
            Ok::<_, DbError>(found)
        })
        .await
        .unwrap();
    assert_eq!(left, [false, false, true], "only the write that committed is there");
}

#[derive(diesel::QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    found: i64,
}

/// SQLite's alone: a write that arrives while another holds the writer waits for it and is
/// then made on the same connection — it finds the temporary table the first one left there,
/// which only that connection sees. Without the one writer it would have taken another
/// pooled connection (the first one's is busy) and raced for SQLite's lock.
#[actix_web::test]
async fn a_write_queued_behind_another_is_made_on_its_connection() {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await.unwrap();
    let (holding, held) = std::sync::mpsc::channel::<()>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let db = app.db.clone();
    let first = actix_web::rt::spawn(async move {
        db.write(move |conn| {
            conn.batch_execute("CREATE TEMP TABLE left_by_the_first_write (x INTEGER)")?;
            holding.send(()).unwrap();
            released.recv().unwrap();
            Ok::<_, DbError>(())
        })
        .await
    });
    actix_web::web::block(move || held.recv()).await.unwrap().unwrap();
    let db = app.db.clone();
    let second = actix_web::rt::spawn(async move {
        db.write(|conn| {
            let found: Found = diesel::sql_query(
                "SELECT COUNT(*) AS found FROM sqlite_temp_master \
                 WHERE name = 'left_by_the_first_write'",
            )
            .get_result(conn)?;
            conn.batch_execute("DROP TABLE IF EXISTS temp.left_by_the_first_write")?;
            Ok::<_, DbError>(found.found)
        })
        .await
    });
    // Time for the second write to reach the database, were it not queued behind the first.
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    release.send(()).unwrap();
    first.await.unwrap().unwrap();
    assert_eq!(
        second.await.unwrap().unwrap(),
        1,
        "the second write ran on the first one's connection"
    );
}

/// SQLite's alone: PostgreSQL's durability is the server's, not the service's.
#[actix_web::test]
async fn a_process_killed_while_writing_keeps_every_acknowledged_write() {
    let data = tempfile::tempdir().unwrap();
    let mut service = DevService::start(klachtenregister(data.path()));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
    let body = json!({"kind": "improvement", "reported_by": "employee", "description": "Sjabloon"});
    let mut pending: FuturesUnordered<_> = (0..WRITERS)
        .map(|_| {
            client
                .post(format!("{}/api/v1/complaints", service.base))
                .bearer_auth(&service.dienstverlener)
                .json(&body)
                .send()
        })
        .collect();
    let mut acknowledged = Vec::new();
    let mut unanswered = 0;
    while let Some(response) = pending.next().await {
        let Ok(response) = response else {
            unanswered += 1;
            continue;
        };
        let status = response.status();
        let Ok(answer) = response.json::<Value>().await else {
            unanswered += 1;
            continue;
        };
        assert_eq!(status, StatusCode::CREATED, "{answer}");
        acknowledged.push(answer["id"].clone());
        // Killed with the rest of the writes still queued or in flight.
        if acknowledged.len() == WRITERS / 4 {
            service.child.kill().unwrap();
            service.child.wait().unwrap();
        }
    }
    assert!(acknowledged.len() >= WRITERS / 4, "{} acknowledged", acknowledged.len());
    eprintln!("{} acknowledged, {unanswered} unanswered by the killed process", acknowledged.len());
    drop(service);

    let service = DevService::start(klachtenregister(data.path()));
    for id in &acknowledged {
        let seen = client
            .get(format!("{}/api/v1/complaints/{id}", service.base))
            .bearer_auth(&service.coordinator)
            .send()
            .await
            .unwrap();
        assert_eq!(seen.status(), StatusCode::OK, "acknowledged complaint {id} is there");
    }
    let verification: Value = client
        .get(format!("{}/api/v1/events/verification", service.base))
        .bearer_auth(&service.coordinator)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verification["intact"], true, "{verification}");
    let after = client
        .post(format!("{}/api/v1/complaints", service.base))
        .bearer_auth(&service.dienstverlener)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::CREATED, "the restarted process writes");
}
