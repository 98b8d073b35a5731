//! What lingers (DESIGN.md §9): SQLite runs with `secure_delete`, so a deleted row's text is
//! overwritten in the database file, not left in its free space. SQLite only: PostgreSQL keeps
//! old row versions until VACUUM reuses their space, which the README states instead.

use diesel::connection::SimpleConnection;
use diesel::sql_types::Integer;
use diesel::{QueryableByName, RunQueryDsl};
use klachtenregister::db::{AnyConnection, DbTarget};
use reqwest::StatusCode;

use crate::dossier::{BOUNDARY, multipart};
use crate::support::{Backend, DANA, TestApp, complaint_body};

const MARKER: &[u8] = b"LINGER-4c1d-e8f2-marker";

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = Integer)]
    busy: i32,
}

/// Moves every page from the write-ahead log into the database file and empties the log.
fn checkpoint(conn: &mut AnyConnection) {
    let done: Checkpoint =
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result(conn).unwrap();
    assert_eq!(done.busy, 0, "the checkpoint could not complete");
}

/// Does the database file, or its write-ahead log, hold the marker anywhere?
fn on_disk(path: &str) -> bool {
    [path.to_owned(), format!("{path}-wal")].iter().any(|file| {
        std::fs::read(file).unwrap_or_default().windows(MARKER.len()).any(|w| w == MARKER)
    })
}

#[actix_web::test]
async fn a_deleted_text_does_not_linger_in_the_sqlite_file() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let DbTarget::Sqlite { path } = app.db.target().clone() else { unreachable!() };
    let id = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let mut note = b"Gespreksnotitie: ".to_vec();
    note.extend_from_slice(MARKER);
    let uploaded = app
        .client
        .post(app.url(&format!("/api/v1/complaints/{id}/documents")))
        .bearer_auth(app.token(DANA))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(&[("file", "notitie.txt", &note)]))
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), StatusCode::CREATED);
    let document = uploaded.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();

    // Through the service's own pool, so with the connections' settings.
    let mut conn = app.db.connection().unwrap();
    checkpoint(&mut conn);
    assert!(on_disk(&path), "the test must see the text in the file before it is deleted");

    conn.batch_execute(&format!("DELETE FROM documents WHERE id = {document}")).unwrap();
    checkpoint(&mut conn);
    assert!(!on_disk(&path), "the deleted text lingers in the database file");
}
