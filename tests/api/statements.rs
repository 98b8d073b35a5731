//! What a request costs the database, counted on the connection (diesel's instrumentation):
//! a read of a complaint is one statement that shows what reading its names apart shows; a
//! registration is a fixed list of statements, each prepared once per connection. These fail
//! when a change makes either grow back.

use std::collections::HashSet;
use std::time::Duration;

use diesel::Connection;
use diesel::connection::{Instrumentation, InstrumentationEvent};
use serde_json::json;

use crate::on_both_databases;
use crate::support::{DANA, EVA, KEES, Person, TestApp, complaint_body};
use klachtenregister::auth::Principal;
use klachtenregister::db::{AnyConnection, Db, PoolSettings, write_transaction};
use klachtenregister::domain::roles::Roles;
use klachtenregister::operations::complaints::{
    self, ComplaintView, RegisterComplaint, Registration,
};
use klachtenregister::operations::{
    Caller, Conditions, Context, IdempotencyKey, OperationError, Precondition,
};
use klachtenregister::store::{Lock, complaints as store, organisations, staff};

on_both_databases!(
    a_read_is_one_statement_showing_what_reading_the_names_apart_shows,
    a_registration_is_these_statements_each_prepared_once,
);

/// The statements a connection sent, and the ones it prepared into its statement cache.
#[derive(Debug, Default)]
struct Recorder {
    statements: Vec<String>,
    prepared: HashSet<String>,
    newly_prepared: usize,
}

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                let text = query.to_string();
                let sql = text.split(" -- binds: ").next().unwrap_or_default();
                self.statements.push(sql.to_owned());
            }
            InstrumentationEvent::CacheQuery { sql, .. } => {
                self.prepared.insert(sql.to_owned());
                self.newly_prepared += 1;
            }
            _ => {}
        }
    }
}

fn recorder(conn: &mut AnyConnection) -> &mut Recorder {
    conn.instrumentation().downcast_mut::<Recorder>().expect("the recorder is installed")
}

/// Forgets what was sent so far; keeps what was prepared.
fn restart(conn: &mut AnyConnection) {
    let r = recorder(conn);
    r.statements.clear();
    r.newly_prepared = 0;
}

/// `person` as the operations see them once their token was verified.
fn caller(conn: &mut AnyConnection, person: Person) -> Caller {
    let organisation = organisations::find_by_slug(conn, person.org).unwrap().unwrap();
    let member = staff::find_by_subject(conn, organisation.id, person.id).unwrap().unwrap();
    Caller::from(Principal {
        organisation_id: organisation.id,
        organisation: person.org.into(),
        staff_id: member.id,
        subject: person.id.into(),
        name: Some(person.name.into()),
        roles: Roles::from_names(person.roles.iter().map(|r| r.as_str())),
    })
}

async fn a_read_is_one_statement_showing_what_reading_the_names_apart_shows(app: TestApp) {
    // One complaint naming all ten roles but the satisfaction's recorder; one naming
    // someone who never signed in (no name); a plain one.
    let full = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    let path = |tail: &str| format!("/api/v1/complaints/{full}{tail}");
    let steps = [
        (DANA, "/contacts", json!({"channel": "phone", "summary": "Cliënt gebeld."})),
        (
            KEES,
            "/decision",
            json!({"summary": "Gecorrigeerd.", "resolution": "resolved", "judgement": "well_founded"}),
        ),
        (KEES, "/satisfaction", json!({"score": 4})),
        (DANA, "/written-confirmation", json!({"channel": "letter"})),
        (DANA, "/signatures", json!({})),
        (KEES, "/signatures", json!({})),
    ];
    let classification = json!({"channel": "written", "categories": ["financial"]});
    assert!(app.put(&path("/classification"), KEES, &classification).await.status.is_success());
    for (person, step, body) in steps {
        let reply = app.post(&path(step), person, &body).await;
        assert!(reply.status.is_success(), "{step}: {}", reply.text);
    }
    let mut body = complaint_body();
    body["handler_id"] = json!("nieuw");
    let stranger = app.register(KEES, &body).await["id"].as_i64().unwrap();
    let plain = app.register(DANA, &complaint_body()).await["id"].as_i64().unwrap();
    app.get("/api/v1/me", EVA).await;

    let now = app.clock_now();
    let mut conn = app.db.connection().unwrap();
    conn.set_instrumentation(Recorder::default());
    for (id, person) in [(full, KEES), (full, DANA), (stranger, KEES), (plain, DANA)] {
        let caller = caller(&mut conn, person);
        restart(&mut conn);
        let fast = complaints::readable_view(&mut conn, &caller, id, now).unwrap();
        assert_eq!(recorder(&mut conn).statements.len(), 1, "{:#?}", recorder(&mut conn));
        let row = store::find(&mut conn, caller.organisation_id(), id, Lock::None).unwrap();
        let apart: ComplaintView = complaints::view_one(&mut conn, row.unwrap(), now).unwrap();
        assert_eq!(fast, apart);
        // Everyone shown has a name where the service knows one.
        let shown = serde_json::to_value(&fast).unwrap();
        assert!(shown["handler"]["name"].is_string() || id == stranger, "{shown}");
    }
    let kees = caller(&mut conn, KEES);
    let full_view =
        serde_json::to_value(complaints::readable_view(&mut conn, &kees, full, now).unwrap())
            .unwrap();
    for (field, who) in [
        ("/decision/decided_by/name", "Kees Vuijst"),
        ("/written_confirmation/recorded_by/name", "Dana de Wit"),
        ("/signatures/dienstverlener/signed_by/name", "Dana de Wit"),
        ("/signatures/coordinator/signed_by/name", "Kees Vuijst"),
        ("/satisfaction/recorded_by/name", "Kees Vuijst"),
        ("/classification/classified_by/name", "Kees Vuijst"),
    ] {
        assert_eq!(full_view.pointer(field), Some(&json!(who)), "{field}");
    }
    // Not seen, as before: the complaint is not Eva's.
    let eva = caller(&mut conn, EVA);
    let hidden = complaints::readable_view(&mut conn, &eva, plain, now);
    assert!(matches!(hidden, Err(OperationError::NotFound(_))), "{hidden:?}");
}

/// Registers `body` as `person` with an idempotency key, on `conn`, as `POST /complaints`
/// does; answers the statements it took.
fn register(
    conn: &mut AnyConnection,
    person: Person,
    body: serde_json::Value,
    key: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<String> {
    let key = IdempotencyKey::parse("Idempotency-Key", key).unwrap();
    let conditions = Conditions { precondition: Precondition::None, key: Some(key) };
    let ctx = Context::new(caller(conn, person), now).with(conditions);
    let input: RegisterComplaint = serde_json::from_value(body).unwrap();
    let registration = Registration::check(&ctx, input).unwrap();
    restart(conn);
    write_transaction(conn, |conn| registration.record(conn, &ctx)).unwrap();
    recorder(conn).statements.clone()
}

async fn a_registration_is_these_statements_each_prepared_once(app: TestApp) {
    app.get("/api/v1/me", DANA).await;
    let now = app.clock_now();
    // A connection of its own, so that the recorder sees every statement it prepares.
    let settings = PoolSettings {
        max_size: 1,
        acquire_timeout: Duration::from_secs(10),
        sqlite_busy_timeout: Duration::from_secs(10),
    };
    let mut conn = Db::new(app.db.target().clone(), &settings).connection().unwrap();
    conn.set_instrumentation(Recorder::default());
    register(&mut conn, DANA, complaint_body(), "first", now);
    let statements = register(&mut conn, DANA, complaint_body(), "second", now);
    let r = recorder(&mut conn);
    // BEGIN; the key's claim; the organisation; the people; the counter; the complaint;
    // the chain head, the event, the new head, the outbox; the key's answer; COMMIT.
    assert_eq!(statements.len(), 12, "{statements:#?}");
    assert_eq!(r.newly_prepared, 0, "prepared again: {statements:#?}");
    let transaction = ["BEGIN", "BEGIN IMMEDIATE", "COMMIT"];
    let uncached: Vec<&String> = statements
        .iter()
        .filter(|sql| !transaction.contains(&sql.as_str()) && !r.prepared.contains(*sql))
        .collect();
    // Diesel would prepare four of them on every call (its upserts that update, and its
    // updates: the counter, the chain head taken and moved on, the key's answer); they are
    // cached by their SQL (`db::FixedSql`).
    assert!(uncached.is_empty(), "prepared on every call: {uncached:#?}");
    // A handler the service has not seen yet costs the registration more, once.
    let mut body = complaint_body();
    body["handler_id"] = json!("nieuw");
    let first = register(&mut conn, KEES, body.clone(), "third", now);
    let again = register(&mut conn, KEES, body, "fourth", now);
    assert!(first.len() > again.len(), "{first:#?}");
    assert_eq!(again.len(), 12, "{again:#?}");
}
