//! Lost database connections: when PostgreSQL ends the service's connections (a restart, a
//! failover, an administrator), each lost connection fails at most one request with a 503
//! and is replaced; the service recovers by itself.

use diesel::{Connection, PgConnection, RunQueryDsl};
use futures_util::future::join_all;
use reqwest::StatusCode;

use crate::support::{Backend, DANA, TestApp};
use klachtenregister::db::DbTarget;

#[actix_web::test]
async fn lost_connections_are_replaced() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else { return };
    // Fill the pool: concurrent requests each hold a connection.
    let warm = (0..16).map(|_| app.get("/api/v1/complaints", DANA));
    assert!(join_all(warm).await.iter().all(|r| r.status == StatusCode::OK));

    let DbTarget::Postgres { url } = app.db.target() else { unreachable!() };
    let database = url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
    let mut admin = PgConnection::establish(&admin_url).unwrap();
    let ended = diesel::sql_query(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    ))
    .execute(&mut admin)
    .unwrap();
    assert!(ended > 0, "the service had connections to end");

    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(app.get("/api/v1/complaints", DANA).await.status.as_u16());
    }
    let lost = statuses.iter().filter(|s| **s == 503).count();
    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "{statuses:?}");
    assert!(lost <= 8, "at most one failed request per pooled connection: {statuses:?}");
    assert!(statuses[statuses.len() - 10..].iter().all(|s| *s == 200), "{statuses:?}");
}
