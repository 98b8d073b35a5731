//! The test harness: every test gets the real service on a real port with its own fresh
//! database — a temporary SQLite file, or a PostgreSQL database copied from a template that
//! has the migrations applied once (`TEST_DATABASE_URL`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use jsonwebtoken::Algorithm;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use actix_web::dev::ServerHandle;
use klachtenregister::app::{self, Shared, Workers};
use klachtenregister::auth::dev::{self, TokenRequest};
use klachtenregister::clock::ManualClock;
use klachtenregister::config::{
    ClaimNames, Config, DeliverySettings, IdentityConfig, KeySource, LogFormat,
};
use klachtenregister::db::{
    AnyConnection, Db, DbTarget, POSTGRES_MIGRATIONS, PoolSettings, SQLITE_MIGRATIONS,
    write_transaction,
};
use klachtenregister::domain::organisation::Settings;
use klachtenregister::domain::roles::Role;
use klachtenregister::store::{organisations, staff};

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";
pub const ORG_A: &str = "kantoor-a";
pub const ORG_B: &str = "kantoor-b";

/// The people of the tests. Dana and Eva are dienstverleners at kantoor A; Kees is its
/// klachtencoördinator, Dirk his deputy; Otto coordinates kantoor B.
#[derive(Debug, Clone, Copy)]
pub struct Person {
    pub org: &'static str,
    pub id: &'static str,
    pub name: &'static str,
    pub roles: &'static [Role],
}

pub const DANA: Person =
    Person { org: ORG_A, id: "dana", name: "Dana de Wit", roles: &[Role::Dienstverlener] };
pub const EVA: Person =
    Person { org: ORG_A, id: "eva", name: "Eva Jansen", roles: &[Role::Dienstverlener] };
pub const KEES: Person = Person {
    org: ORG_A,
    id: "kees",
    name: "Kees Vuijst",
    roles: &[Role::Klachtencoordinator, Role::Dienstverlener],
};
pub const DIRK: Person = Person {
    org: ORG_A,
    id: "dirk",
    name: "Dirk Plaatsvervanger",
    roles: &[Role::Klachtencoordinator],
};
pub const OTTO: Person =
    Person { org: ORG_B, id: "otto", name: "Otto Anders", roles: &[Role::Klachtencoordinator] };

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The moment every test starts at: a Monday morning.
pub fn start_of_test() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub db: Db,
    config: Config,
    server: ServerHandle,
    workers: Option<Workers>,
    database: Arc<TestDatabase>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Spawns the service with settings adjusted by `adjust`. `None` when the PostgreSQL
    /// half is asked for outside CI without `TEST_DATABASE_URL`.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let database = TestDatabase::new(backend)?;
        let mut config = test_config(&database);
        adjust(&mut config);
        let clock = ManualClock::new(start_of_test());
        let app = TestApp::start(config, clock, Arc::new(database)).await;
        seed_organisations(&app.db);
        Some(app)
    }

    /// Spawns the service on a database as an earlier release left it: migrated up to, not
    /// including, the migration `until` (e.g. `2026-12-02-141500`), with the organisations
    /// and what `history` wrote as that release wrote it. Starting the service migrates it.
    pub async fn spawn_upgraded(
        backend: Backend,
        until: &str,
        history: impl FnOnce(&mut AnyConnection),
    ) -> Option<TestApp> {
        let database = TestDatabase::new(backend)?;
        let config = test_config(&database);
        let db = Db::new(database.target.clone(), &config.pool);
        db.migrate().expect("migrations apply");
        // Seeded through today's store, before the revert: the store knows today's columns
        // only, and the down migrations keep the rows.
        seed_organisations(&db);
        let mut conn = db.connection().unwrap();
        revert_to_before(&mut conn, until);
        history(&mut conn);
        drop(conn);
        let clock = ManualClock::new(start_of_test());
        Some(TestApp::start(config, clock, Arc::new(database)).await)
    }

    async fn start(config: Config, clock: ManualClock, database: Arc<TestDatabase>) -> TestApp {
        let (state, workers) =
            app::prepare(&config, Arc::new(clock.clone())).await.expect("service prepares");
        let db = state.db.clone();
        let listener = TcpListener::bind(config.bind).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = app::serve(Shared::new(state), listener, &config).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        TestApp {
            base,
            client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
            clock,
            db,
            config,
            server: handle,
            workers: Some(workers),
            database,
        }
    }

    /// A second instance of the service on the same database, with the same clock.
    pub async fn another_instance(&self) -> TestApp {
        TestApp::start(self.config.clone(), self.clock.clone(), self.database.clone()).await
    }

    /// Ends this instance as a crash would — the server and its workers stop where they
    /// stand — and starts the service again on the same database.
    pub async fn crash_and_restart(mut self) -> TestApp {
        if let Some(workers) = self.workers.take() {
            workers.abort();
        }
        self.server.stop(false).await;
        TestApp::start(self.config.clone(), self.clock.clone(), self.database.clone()).await
    }

    /// The database as the command line names it (`KLACHTEN_DATABASE_URL`).
    pub fn database_url(&self) -> String {
        match &self.config.database {
            DbTarget::Postgres { url } => url.clone(),
            DbTarget::Sqlite { path } => format!("sqlite://{path}"),
        }
    }

    /// Now, as the service's clock has it.
    pub fn clock_now(&self) -> DateTime<Utc> {
        klachtenregister::clock::Clock::now(&self.clock)
    }

    pub fn token(&self, person: Person) -> String {
        token_for(person, Utc::now(), chrono::Duration::hours(1))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request as `person` (or anonymously) with an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        person: Option<Person>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(person) = person {
            request = request.bearer_auth(self.token(person));
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Reply::from(request.send().await.expect("the service answers")).await
    }

    pub async fn get(&self, path: &str, person: Person) -> Reply {
        self.call(Method::GET, path, Some(person), None).await
    }

    /// `GET` as `person`, asking for `accept` (CSV, the printable report, q-values).
    pub async fn get_accepting(&self, path: &str, person: Person, accept: &str) -> Reply {
        let request = self.client.get(self.url(path)).bearer_auth(self.token(person));
        Reply::from(request.header("accept", accept).send().await.expect("the service answers"))
            .await
    }

    pub async fn post(&self, path: &str, person: Person, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(person), Some(body)).await
    }

    /// A `PATCH` based on the version `person` reads now (its `ETag` as `If-Match`; `*`
    /// where they may not read it), as a client that read before it edits sends it.
    pub async fn patch(&self, path: &str, person: Person, body: &Value) -> Reply {
        let read = self.get(path, person).await;
        let etag = read.header("etag").filter(|_| read.status.is_success()).unwrap_or("*");
        let request = self.client.patch(self.url(path)).bearer_auth(self.token(person));
        Reply::from(request.header("if-match", etag).json(body).send().await.expect("answers"))
            .await
    }

    /// A `PATCH` without `If-Match`.
    pub async fn patch_blindly(&self, path: &str, person: Person, body: &Value) -> Reply {
        self.call(Method::PATCH, path, Some(person), Some(body)).await
    }

    pub async fn put(&self, path: &str, person: Person, body: &Value) -> Reply {
        self.call(Method::PUT, path, Some(person), Some(body)).await
    }

    /// Registers a complaint as `person` and returns its JSON, asserting it was created.
    pub async fn register(&self, person: Person, body: &Value) -> Value {
        let reply = self.post("/api/v1/complaints", person, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "registration failed: {}", reply.text);
        reply.json
    }
}

pub fn token_for(person: Person, issued_at: DateTime<Utc>, valid_for: chrono::Duration) -> String {
    dev::mint(
        SECRET,
        &ClaimNames::default(),
        &TokenRequest {
            staff_id: person.id.into(),
            name: Some(person.name.into()),
            email: Some(format!("{}@{}.example", person.id, person.org)),
            organisation: person.org.into(),
            roles: person.roles.to_vec(),
            issued_at,
            valid_for,
            issuer: None,
            audience: None,
        },
    )
}

/// A complaint as an oral report of Dana's client would be registered.
pub fn complaint_body() -> Value {
    serde_json::json!({
        "kind": "complaint",
        "received_at": "2026-11-02T08:30:00Z",
        "reported_by": "client",
        "complainant": {"name": "J. de Vries", "email": "j.devries@example.nl"},
        "client": {"id": "REL-10442", "name": "De Vries Holding B.V."},
        "matter_reference": "Z-2026-114",
        "description": "De cliënt vindt de declaratie van oktober te hoog."
    })
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub async fn from(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, text, json }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and code, and returns it.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "{}", self.text);
        assert_eq!(self.json["status"], status, "{}", self.text);
        assert_eq!(self.json["code"], code, "{}", self.text);
        assert!(self.json["title"].is_string() && self.json["detail"].is_string(), "{}", self.text);
        &self.json
    }

    /// The fields a validation problem names.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect()
            })
            .unwrap_or_default()
    }
}

/// The settings every test starts from, on its own database.
fn test_config(database: &TestDatabase) -> Config {
    Config {
        database: database.target.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: database.folder.path().to_path_buf(),
        pool: PoolSettings {
            max_size: 8,
            acquire_timeout: Duration::from_secs(10),
            sqlite_busy_timeout: Duration::from_secs(30),
        },
        identity: IdentityConfig {
            keys: KeySource::Secret(SECRET.into()),
            algorithms: vec![Algorithm::HS256],
            issuer: None,
            audience: None,
            leeway: Duration::from_secs(0),
            jwks_min_refresh: Duration::from_secs(0),
            claims: ClaimNames::default(),
        },
        max_json_bytes: 64 * 1024,
        max_document_bytes: 1024 * 1024,
        read_log_flush: Duration::from_millis(20),
        // Tests write fast; `limits.rs` tests the limit itself.
        writes_per_minute: 0,
        // Never within a test: tests that move the clock past deadlines see no
        // announcements unless they ask for the watcher (`deadlines.rs`).
        deadline_sweep: Duration::from_secs(86_400),
        delivery: DeliverySettings {
            interval: Duration::from_millis(20),
            first_retry: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
            mail: None,
            // The tests' receivers listen on loopback; `outbound.rs` tests the refusals.
            webhook_allowed_hosts: "127.0.0.1".parse().unwrap(),
        },
        log_format: LogFormat::Text,
        workers: Some(2),
        shutdown_drain: Duration::ZERO,
        cors_origins: Vec::new(),
        overview_min_cell: 5,
        metrics_token: None,
        clock_skew: Duration::from_secs(120),
        idempotency_ttl: Duration::from_secs(24 * 3600),
        public_url: "https://klachten.example.nl".into(),
    }
}

/// Whether an independent reader the tests check output with is installed: `program`
/// started with `args` succeeds. Outside CI a missing one skips the test, as a missing
/// PostgreSQL does (`false`, with a note how to install it); under `CI` it fails the test.
pub fn reader_installed(program: &str, args: &[&str], install: &str) -> bool {
    let runs = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !runs {
        assert!(std::env::var_os("CI").is_none(), "CI needs {program}: {install}");
        eprintln!("skipped: {program} cannot read the output ({install})");
    }
    runs
}

/// Kantoor A with Kees as coordinator and Dirk as deputy; kantoor B with Otto.
fn seed_organisations(db: &Db) {
    let mut conn = db.connection().unwrap();
    let now = start_of_test();
    write_transaction(&mut conn, |conn| {
        let a = organisations::create(conn, ORG_A, "Kantoor Vuijst", now)?;
        let kees = staff::ensure(conn, a.id, KEES.id, now)?;
        let dirk = staff::ensure(conn, a.id, DIRK.id, now)?;
        let settings = Settings {
            coordinator_id: Some(kees),
            deputy_coordinator_id: Some(dirk),
            ..a.settings()
        };
        organisations::save_settings(conn, a.id, a.version, &settings, now)?;
        let b = organisations::create(conn, ORG_B, "Kantoor Anders", now)?;
        let otto = staff::ensure(conn, b.id, OTTO.id, now)?;
        let settings = Settings { coordinator_id: Some(otto), ..b.settings() };
        organisations::save_settings(conn, b.id, b.version, &settings, now)?;
        Ok::<_, klachtenregister::db::DbError>(())
    })
    .unwrap();
}

/// Reverts the newest migrations down to and including `until` (its version, as its folder
/// name begins).
fn revert_to_before(conn: &mut AnyConnection, until: &str) {
    use diesel_migrations::MigrationHarness;
    let until = until.replace('-', "");
    loop {
        let reverted = match conn {
            AnyConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
            AnyConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        }
        .expect("the migration reverts");
        if reverted.to_string().replace('-', "") == until {
            return;
        }
    }
}

/// A database that lives as long as its test.
struct TestDatabase {
    target: DbTarget,
    folder: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// `None` for PostgreSQL without `TEST_DATABASE_URL` outside CI.
    fn new(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase::sqlite()),
            Backend::Postgres => TestDatabase::postgres(),
        }
    }

    fn sqlite() -> TestDatabase {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("test.sqlite3").to_string_lossy().into_owned();
        TestDatabase { target: DbTarget::Sqlite { path }, folder, postgres: None }
    }

    fn postgres() -> Option<TestDatabase> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "TEST_DATABASE_URL must be set in CI: the PostgreSQL half of the tests must run"
            );
            eprintln!("TEST_DATABASE_URL is not set: skipping the PostgreSQL half of this test");
            return None;
        };
        let template = template_database(&admin_url);
        let name = format!("klachten_test_{}", uuid_like());
        let mut admin = PgConnection::establish(&admin_url).expect("TEST_DATABASE_URL connects");
        admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}")).unwrap();
        let url = with_database(&admin_url, &name);
        Some(TestDatabase {
            target: DbTarget::Postgres { url },
            folder: tempfile::tempdir().unwrap(),
            postgres: Some((admin_url, name)),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.postgres
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// The template database for this set of migrations, created (once, under an advisory lock
/// shared by all test processes) if it does not exist yet.
fn template_database(admin_url: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = format!("klachten_template_{}", migrations_fingerprint());
            let mut admin = PgConnection::establish(admin_url).expect("TEST_DATABASE_URL connects");
            admin.batch_execute("SELECT pg_advisory_lock(75917)").unwrap();
            let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
                &format!("EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"),
            ))
            .get_result(&mut admin)
            .unwrap();
            if !exists {
                admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                let db = Db::new(
                    DbTarget::Postgres { url: with_database(admin_url, &name) },
                    &PoolSettings {
                        max_size: 1,
                        acquire_timeout: Duration::from_secs(10),
                        sqlite_busy_timeout: Duration::from_secs(1),
                    },
                );
                db.migrate().expect("migrations apply to the template");
            }
            admin.batch_execute("SELECT pg_advisory_unlock(75917)").unwrap();
            name
        })
        .clone()
}

fn migrations_fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flat_map(|dir| std::fs::read_dir(dir.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        file.file_name().hash(&mut hasher);
        std::fs::read(&file).unwrap().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..16).map(|_| format!("{:x}", rng.random_range(0..16u8))).collect()
}

/// Declares each listed test twice: once on SQLite, once on PostgreSQL. With
/// `spawn = f;` first, each instance is started by `f(backend)` (for adjusted settings)
/// instead of `TestApp::spawn`. A `None` from it skips the test: PostgreSQL without
/// `TEST_DATABASE_URL`, or an independent reader not installed, outside CI.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        $crate::on_both_databases!(spawn = $crate::support::TestApp::spawn; $($name),+);
    };
    (spawn = $spawn:path; $($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    // `None`: skipped outside CI (`reader_installed`).
                    if let Some(app) = $spawn($crate::support::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )+
        }

        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(app) = $spawn($crate::support::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )+
        }
    };
}
