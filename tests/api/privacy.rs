//! Privacy by design (DESIGN.md §9): every text and binary column the database has is
//! classified in `domain::personal`, so erasure and subject access cannot miss a new one.

use std::collections::BTreeSet;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use klachtenregister::db::AnyConnection;
use klachtenregister::domain::personal::COLUMNS;

use crate::on_both_databases;
use crate::support::TestApp;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The text and binary columns of the migrated database, from its own catalogue.
fn text_columns(conn: &mut AnyConnection) -> BTreeSet<(String, String)> {
    let sql = match conn {
        AnyConnection::Postgresql(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND data_type IN ('text', 'character varying', 'bytea', 'json', 'jsonb') \
             AND table_name NOT LIKE '__diesel%'"
        }
        // SQLite declares its dates TEXT too; they are named `*_at`, `*_on` or `period_*` (the
        // PostgreSQL half checks by type).
        AnyConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, c.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE '__diesel%' AND m.name NOT LIKE 'sqlite_%' \
             AND (upper(c.type) LIKE '%TEXT%' OR upper(c.type) LIKE '%CHAR%' \
                  OR upper(c.type) LIKE '%BLOB%' OR upper(c.type) LIKE '%BINARY%') \
             AND NOT (c.name = 'at' OR c.name LIKE '%\\_at' ESCAPE '\\' \
                      OR c.name LIKE '%\\_on' ESCAPE '\\' OR c.name LIKE 'period\\_%' ESCAPE '\\')"
        }
    };
    let columns: Vec<Column> = diesel::sql_query(sql).load(conn).unwrap();
    columns.into_iter().map(|c| (c.table_name, c.column_name)).collect()
}

async fn every_text_column_is_classified(app: TestApp) {
    let mut conn = app.db.connection().unwrap();
    let actual = text_columns(&mut conn);
    assert!(actual.contains(&("complaints".into(), "description".into())), "{actual:?}");
    let classified: BTreeSet<(String, String)> =
        COLUMNS.iter().map(|(t, c, _)| (t.to_string(), c.to_string())).collect();
    let unclassified: Vec<_> = actual.difference(&classified).collect();
    assert!(
        unclassified.is_empty(),
        "classify these in src/domain/personal.rs (personal, procedural or the firm's): \
         {unclassified:?}"
    );
    let gone: Vec<_> = classified.difference(&actual).collect();
    assert!(gone.is_empty(), "listed in src/domain/personal.rs but not in the database: {gone:?}");
}

on_both_databases!(every_text_column_is_classified);
