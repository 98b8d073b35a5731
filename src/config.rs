//! Settings: environment variables prefixed `KLACHTEN_` over an optional TOML file named by
//! `KLACHTEN_CONFIG`, read once and validated at start. Every problem is reported at once,
//! each naming the variable, what is wrong and what is accepted.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use jsonwebtoken::Algorithm;
use serde::Deserialize;

use crate::db::{DbTarget, PoolSettings, parse_database_url};
use crate::domain::outbound::AllowedHosts;
use crate::domain::validation::is_this_machine;

/// The settings as they arrive, before validation. Field names are the variable names
/// without the `KLACHTEN_` prefix, in lower case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    database_url: Option<String>,
    #[serde(default = "default_bind")]
    bind: String,
    #[serde(default = "default_data_dir")]
    data_dir: PathBuf,
    #[serde(default = "default_pool_size")]
    db_pool_size: u32,
    #[serde(default = "default_db_timeout_ms")]
    db_timeout_ms: u64,
    jwt_secret: Option<String>,
    jwks_url: Option<String>,
    jwks_file: Option<PathBuf>,
    jwt_algorithms: Option<String>,
    jwt_issuer: Option<String>,
    jwt_audience: Option<String>,
    #[serde(default = "default_leeway")]
    jwt_leeway_secs: u64,
    #[serde(default = "default_jwks_min_refresh")]
    jwks_min_refresh_secs: u64,
    #[serde(default = "default_claim_staff_id")]
    claim_staff_id: String,
    #[serde(default = "default_claim_name")]
    claim_name: String,
    #[serde(default = "default_claim_email")]
    claim_email: String,
    #[serde(default = "default_claim_organisation")]
    claim_organisation: String,
    #[serde(default = "default_claim_roles")]
    claim_roles: String,
    #[serde(default = "default_max_json_bytes")]
    max_json_bytes: usize,
    #[serde(default = "default_max_document_bytes")]
    max_document_bytes: usize,
    #[serde(default = "default_read_log_flush_ms")]
    read_log_flush_ms: u64,
    #[serde(default = "default_writes_per_minute")]
    writes_per_minute: u32,
    #[serde(default = "default_deadline_sweep_ms")]
    deadline_sweep_ms: u64,
    #[serde(default = "default_idempotency_ttl_hours")]
    idempotency_ttl_hours: u64,
    #[serde(default = "default_delivery_interval_ms")]
    delivery_interval_ms: u64,
    #[serde(default = "default_webhook_retry_ms")]
    webhook_retry_ms: u64,
    #[serde(default = "default_webhook_timeout_ms")]
    webhook_timeout_ms: u64,
    smtp_url: Option<String>,
    #[serde(default = "default_mail_from")]
    mail_from: String,
    #[serde(default = "default_log_format")]
    log_format: String,
    workers: Option<usize>,
    #[serde(default = "default_shutdown_drain_ms")]
    shutdown_drain_ms: u64,
    cors_origins: Option<String>,
    webhook_allowed_hosts: Option<String>,
    #[serde(default = "default_overview_min_cell")]
    overview_min_cell: i64,
    metrics_token: Option<String>,
    public_url: Option<String>,
    #[serde(default = "default_clock_skew_secs")]
    clock_skew_secs: u64,
}

fn default_overview_min_cell() -> i64 {
    crate::domain::overview::DEFAULT_MINIMUM_CELL
}

/// A client's clock a little off the service's, or times sent without their seconds.
fn default_clock_skew_secs() -> u64 {
    120
}

/// Long enough for connections opened just before SIGTERM to be accepted on a busy machine,
/// short enough that the stop is prompt.
fn default_shutdown_drain_ms() -> u64 {
    100
}

/// `origin` as a browser sends it (`scheme://host[:port]`, no path), or why it is not one.
fn exact_origin(origin: &str) -> Result<String, &'static str> {
    if origin == "*" {
        return Err("is refused: the API carries personal data, so list the origins of the \
                    frontends that may call it, e.g. https://app.kantoor.nl");
    }
    let not_an_origin =
        "is not an origin; example: https://app.kantoor.nl or http://127.0.0.1:5173";
    let url = url::Url::parse(origin).map_err(|_| not_an_origin)?;
    let serialized = url.origin().ascii_serialization();
    let bare = matches!(url.scheme(), "http" | "https")
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !bare || origin.trim_end_matches('/') != serialized {
        return Err(not_an_origin);
    }
    Ok(serialized)
}

fn default_bind() -> String {
    "127.0.0.1:8080".into()
}
fn default_data_dir() -> PathBuf {
    PathBuf::from("./data")
}
fn default_pool_size() -> u32 {
    10
}
fn default_db_timeout_ms() -> u64 {
    3_000
}
fn default_leeway() -> u64 {
    30
}
fn default_jwks_min_refresh() -> u64 {
    60
}
fn default_claim_staff_id() -> String {
    "sub".into()
}
fn default_claim_name() -> String {
    "name".into()
}
fn default_claim_email() -> String {
    "email".into()
}
fn default_claim_organisation() -> String {
    "org".into()
}
fn default_claim_roles() -> String {
    "roles".into()
}
/// Room for the largest field (the regulation text, 50,000 characters of up to four bytes).
fn default_max_json_bytes() -> usize {
    256 * 1024
}
fn default_max_document_bytes() -> usize {
    20 * 1024 * 1024
}
fn default_read_log_flush_ms() -> u64 {
    250
}
fn default_writes_per_minute() -> u32 {
    120
}
fn default_deadline_sweep_ms() -> u64 {
    60_000
}
fn default_idempotency_ttl_hours() -> u64 {
    24
}
fn default_delivery_interval_ms() -> u64 {
    1_000
}
fn default_webhook_retry_ms() -> u64 {
    10_000
}
fn default_webhook_timeout_ms() -> u64 {
    10_000
}
fn default_mail_from() -> String {
    "klachtenregister <klachtenregister@localhost>".into()
}
fn default_log_format() -> String {
    "text".into()
}

/// Which claim of the token holds which value. A dotted name reaches into nested objects
/// (`realm_access.roles`), so that an existing identity provider's tokens work as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    pub staff_id: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub roles: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        ClaimNames {
            staff_id: default_claim_staff_id(),
            name: default_claim_name(),
            email: default_claim_email(),
            organisation: default_claim_organisation(),
            roles: default_claim_roles(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A shared HS256/384/512 secret.
    Secret(String),
    JwksUrl(String),
    JwksFile(PathBuf),
    /// No identity settings: a secret generated under the data folder, loopback only.
    Development,
}

#[derive(Debug, Clone)]
pub struct IdentityConfig {
    pub keys: KeySource,
    pub algorithms: Vec<Algorithm>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub leeway: Duration,
    /// An unknown `kid` makes the service fetch the key set again, but not more often than
    /// this, so that made-up key ids cannot turn it into a load generator.
    pub jwks_min_refresh: Duration,
    pub claims: ClaimNames,
}

impl IdentityConfig {
    pub fn is_development(&self) -> bool {
        self.keys == KeySource::Development
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DbTarget,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub pool: PoolSettings,
    pub identity: IdentityConfig,
    pub max_json_bytes: usize,
    pub max_document_bytes: usize,
    /// How long reads wait in the read log's queue before they are written.
    pub read_log_flush: Duration,
    /// Writes one staff member may make a minute (per instance); 0 for no limit.
    pub writes_per_minute: u32,
    /// How often the deadline watcher looks for deadlines that passed.
    pub deadline_sweep: Duration,
    /// How long an idempotency key's stored answer is replayed; the deadline watcher deletes
    /// older ones.
    pub idempotency_ttl: Duration,
    pub delivery: DeliverySettings,
    pub log_format: LogFormat,
    pub workers: Option<usize>,
    /// How long the service keeps accepting after SIGTERM before it closes its listener.
    pub shutdown_drain: Duration,
    /// The origins of browser frontends that may call the API (`https://app.kantoor.nl`);
    /// empty: no CORS headers at all.
    pub cors_origins: Vec<String>,
    /// The anonymised overview shows no figure of fewer complaints than this (1: all).
    pub overview_min_cell: i64,
    /// When set, `/metrics` answers only a request with `Authorization: Bearer <this>`.
    pub metrics_token: Option<String>,
    /// How far a moment a client gives may lie on the wrong side of one the service set
    /// (now, the default receipt, the decision) and still be taken, as that moment.
    pub clock_skew: Duration,
    /// Where clients reach the service (`https://klachten.kantoor.nl`), without a trailing
    /// slash: the acknowledgement letter names the public regulation's address under it.
    pub public_url: String,
}

/// How webhooks and e-mail go out.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// How often the outbox and the due deliveries are looked at.
    pub interval: Duration,
    /// The wait before the first retry of a failed webhook delivery; it doubles each time.
    pub first_retry: Duration,
    /// How long a receiver may take to answer.
    pub timeout: Duration,
    /// Where e-mail goes; without it no e-mail is sent.
    pub mail: Option<MailSettings>,
    /// Hosts webhooks may go to although their address is not a public one.
    pub webhook_allowed_hosts: AllowedHosts,
}

#[derive(Debug, Clone)]
pub struct MailSettings {
    /// lettre's URL form: `smtps://user:password@host` (TLS), `smtp://host:587?tls=required`
    /// (STARTTLS), or plain `smtp://127.0.0.1:25` to a relay on this machine.
    pub smtp_url: String,
    pub from: lettre::message::Mailbox,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid settings:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

impl Config {
    /// Reads the process environment (and the file `KLACHTEN_CONFIG` names, if any).
    pub fn from_env() -> Result<Config, ConfigError> {
        let mut figment = Figment::new();
        if let Ok(file) = std::env::var("KLACHTEN_CONFIG") {
            if !std::path::Path::new(&file).is_file() {
                return Err(ConfigError(vec![format!(
                    "KLACHTEN_CONFIG: '{file}' is not a readable file"
                )]));
            }
            figment = figment.merge(Toml::file(file));
        }
        figment = figment.merge(Env::prefixed("KLACHTEN_").ignore(&["config"]));
        if std::env::var_os("KLACHTEN_DATABASE_URL").is_none()
            && let Ok(url) = std::env::var("DATABASE_URL")
        {
            figment = figment.merge(("database_url", url));
        }
        let raw: RawSettings = figment.extract().map_err(|e| {
            ConfigError(
                e.into_iter()
                    .map(|e| {
                        let key = e.path.join("_").to_uppercase();
                        format!("KLACHTEN_{key}: {}", e.kind)
                    })
                    .collect(),
            )
        })?;
        raw.validate()
    }
}

/// Where clients reach the service, as letters name it: the given http(s) address without
/// a trailing slash, or — only when the service listens on loopback, for a developer — the
/// bound address. A letter to a client never names `http://0.0.0.0:8080`.
fn public_url(given: Option<&str>, bind: SocketAddr) -> Result<String, String> {
    let Some(given) = given else {
        if bind.ip().is_loopback() {
            return Ok(format!("http://{bind}"));
        }
        return Err(format!(
            "required when KLACHTEN_BIND ({bind}) is not a loopback address: letters to clients \
             name the public regulation under it, and http://{bind} is not where they reach \
             the service; example: https://klachten.kantoor.nl"
        ));
    };
    let url = url::Url::parse(given)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        .ok_or_else(|| {
            format!("'{given}' is not an http(s) address; example: https://klachten.kantoor.nl")
        })?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "'{given}' has a query or fragment; addresses are made by adding paths to it"
        ));
    }
    Ok(given.trim_end_matches('/').to_owned())
}

impl RawSettings {
    fn validate(self) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();

        let database = match &self.database_url {
            None => DbTarget::Sqlite {
                path: self.data_dir.join("klachtenregister.sqlite3").to_string_lossy().into_owned(),
            },
            Some(url) => parse_database_url(url).unwrap_or_else(|e| {
                problems.push(format!("KLACHTEN_DATABASE_URL: {e}"));
                DbTarget::Sqlite { path: String::new() }
            }),
        };

        let bind = self.bind.parse::<SocketAddr>().unwrap_or_else(|_| {
            problems.push(format!(
                "KLACHTEN_BIND: '{}' is not a socket address; example: 127.0.0.1:8080",
                self.bind
            ));
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });

        if !(1..=100).contains(&self.db_pool_size) {
            problems.push(format!(
                "KLACHTEN_DB_POOL_SIZE: {} is out of range; accepted: 1 to 100",
                self.db_pool_size
            ));
        }
        if !(100..=60_000).contains(&self.db_timeout_ms) {
            problems.push(format!(
                "KLACHTEN_DB_TIMEOUT_MS: {} is out of range; accepted: 100 to 60000",
                self.db_timeout_ms
            ));
        }
        if !(1024..=16 * 1024 * 1024).contains(&self.max_json_bytes) {
            problems.push(format!(
                "KLACHTEN_MAX_JSON_BYTES: {} is out of range; accepted: 1024 to 16777216",
                self.max_json_bytes
            ));
        }
        if !(1024..=512 * 1024 * 1024).contains(&self.max_document_bytes) {
            problems.push(format!(
                "KLACHTEN_MAX_DOCUMENT_BYTES: {} is out of range; accepted: 1024 to 536870912",
                self.max_document_bytes
            ));
        }
        if !(10..=60_000).contains(&self.read_log_flush_ms) {
            problems.push(format!(
                "KLACHTEN_READ_LOG_FLUSH_MS: {} is out of range; accepted: 10 to 60000",
                self.read_log_flush_ms
            ));
        }
        let ranges: [(&str, u64, std::ops::RangeInclusive<u64>); 7] = [
            ("KLACHTEN_DEADLINE_SWEEP_MS", self.deadline_sweep_ms, 10..=86_400_000),
            ("KLACHTEN_IDEMPOTENCY_TTL_HOURS", self.idempotency_ttl_hours, 1..=720),
            ("KLACHTEN_DELIVERY_INTERVAL_MS", self.delivery_interval_ms, 10..=60_000),
            ("KLACHTEN_WEBHOOK_RETRY_MS", self.webhook_retry_ms, 10..=3_600_000),
            ("KLACHTEN_WEBHOOK_TIMEOUT_MS", self.webhook_timeout_ms, 100..=60_000),
            ("KLACHTEN_SHUTDOWN_DRAIN_MS", self.shutdown_drain_ms, 0..=60_000),
            ("KLACHTEN_CLOCK_SKEW_SECS", self.clock_skew_secs, 0..=3_600),
        ];
        for (variable, value, range) in ranges {
            if !range.contains(&value) {
                problems.push(format!(
                    "{variable}: {value} is out of range; accepted: {} to {}",
                    range.start(),
                    range.end()
                ));
            }
        }
        let mail = self.mail(&mut problems);
        let webhook_allowed_hosts = self
            .webhook_allowed_hosts
            .as_deref()
            .unwrap_or_default()
            .parse::<AllowedHosts>()
            .unwrap_or_else(|e| {
                problems.push(format!(
                    "KLACHTEN_WEBHOOK_ALLOWED_HOSTS: {e}; example: 127.0.0.1:9000,relay.intern"
                ));
                AllowedHosts::default()
            });
        let log_format = match self.log_format.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                problems.push(format!("KLACHTEN_LOG_FORMAT: '{other}'; accepted: text, json"));
                LogFormat::Text
            }
        };
        if !(1..=1000).contains(&self.overview_min_cell) {
            problems.push(format!(
                "KLACHTEN_OVERVIEW_MIN_CELL: {} is out of range; accepted: 1 to 1000",
                self.overview_min_cell
            ));
        }
        if let Some(token) = &self.metrics_token
            && (token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()))
        {
            problems.push(
                "KLACHTEN_METRICS_TOKEN: at least 16 visible ASCII characters; example: \
                 $(openssl rand -hex 32)"
                    .into(),
            );
        }
        let public_url = public_url(self.public_url.as_deref(), bind).unwrap_or_else(|problem| {
            problems.push(format!("KLACHTEN_PUBLIC_URL: {problem}"));
            String::new()
        });
        if self.workers == Some(0) {
            problems.push("KLACHTEN_WORKERS: must be at least 1".into());
        }

        let cors_origins = self.cors_origins(&mut problems);
        let identity = self.identity(&mut problems);
        if identity.is_development() && !bind.ip().is_loopback() {
            problems.push(format!(
                "KLACHTEN_BIND: {bind} is not a loopback address, and no identity settings are \
                 given. Without KLACHTEN_JWT_SECRET, KLACHTEN_JWKS_URL or KLACHTEN_JWKS_FILE the \
                 service runs in development mode with a generated secret, which it only serves \
                 on 127.0.0.1 or ::1. Configure an identity provider to listen on {bind}."
            ));
        }

        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Config {
            database,
            bind,
            data_dir: self.data_dir,
            pool: PoolSettings {
                max_size: self.db_pool_size,
                acquire_timeout: Duration::from_millis(self.db_timeout_ms),
                sqlite_busy_timeout: Duration::from_secs(30),
            },
            identity,
            max_json_bytes: self.max_json_bytes,
            max_document_bytes: self.max_document_bytes,
            read_log_flush: Duration::from_millis(self.read_log_flush_ms),
            writes_per_minute: self.writes_per_minute,
            deadline_sweep: Duration::from_millis(self.deadline_sweep_ms),
            idempotency_ttl: Duration::from_secs(self.idempotency_ttl_hours * 3600),
            delivery: DeliverySettings {
                interval: Duration::from_millis(self.delivery_interval_ms),
                first_retry: Duration::from_millis(self.webhook_retry_ms),
                timeout: Duration::from_millis(self.webhook_timeout_ms),
                mail,
                webhook_allowed_hosts,
            },
            log_format,
            workers: self.workers,
            shutdown_drain: Duration::from_millis(self.shutdown_drain_ms),
            cors_origins,
            overview_min_cell: self.overview_min_cell,
            metrics_token: self.metrics_token,
            clock_skew: Duration::from_secs(self.clock_skew_secs),
            public_url,
        })
    }

    /// Exact origins only: a browser sends its page's origin and CORS compares it as a string.
    fn cors_origins(&self, problems: &mut Vec<String>) -> Vec<String> {
        let listed = self.cors_origins.as_deref().unwrap_or_default();
        let mut origins = Vec::new();
        for origin in listed.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            match exact_origin(origin) {
                Ok(origin) => origins.push(origin),
                Err(why) => problems.push(format!("KLACHTEN_CORS_ORIGINS: '{origin}' {why}")),
            }
        }
        origins
    }

    fn mail(&self, problems: &mut Vec<String>) -> Option<MailSettings> {
        let from = self.mail_from.parse::<lettre::message::Mailbox>().map_err(|e| {
            problems.push(format!(
                "KLACHTEN_MAIL_FROM: '{}' is not an address ({e}); example: \
                 klachtenregister <klachten@kantoor.nl>",
                self.mail_from
            ))
        });
        let url = self.smtp_url.as_ref()?;
        if let Err(e) = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url) {
            problems.push(format!(
                "KLACHTEN_SMTP_URL: not a usable SMTP URL ({e}); examples: \
                 smtps://user:password@mail.kantoor.nl, smtp://mail.kantoor.nl:587?tls=required"
            ));
        } else if let Ok(parsed) = url::Url::parse(url)
            && parsed.scheme() == "smtp"
            && !parsed.query_pairs().any(|(k, v)| k == "tls" && v == "required")
            && !is_this_machine(&parsed)
        {
            problems.push(
                "KLACHTEN_SMTP_URL: mail leaves this machine only encrypted: use smtps://, or \
                 add ?tls=required (plain smtp:// is for a relay on this machine)"
                    .into(),
            );
        }
        Some(MailSettings { smtp_url: url.clone(), from: from.ok()? })
    }

    fn identity(&self, problems: &mut Vec<String>) -> IdentityConfig {
        let given = [self.jwt_secret.is_some(), self.jwks_url.is_some(), self.jwks_file.is_some()];
        if given.iter().filter(|g| **g).count() > 1 {
            problems.push(
                "KLACHTEN_JWT_SECRET, KLACHTEN_JWKS_URL and KLACHTEN_JWKS_FILE: set only one"
                    .into(),
            );
        }
        let keys = if let Some(secret) = &self.jwt_secret {
            if secret.len() < 32 {
                problems.push(format!(
                    "KLACHTEN_JWT_SECRET: {} bytes is too short; at least 32 are required",
                    secret.len()
                ));
            }
            KeySource::Secret(secret.clone())
        } else if let Some(url) = &self.jwks_url {
            if let Err(e) = check_jwks_url(url) {
                problems.push(format!("KLACHTEN_JWKS_URL: {e}"));
            }
            KeySource::JwksUrl(url.clone())
        } else if let Some(file) = &self.jwks_file {
            KeySource::JwksFile(file.clone())
        } else {
            KeySource::Development
        };

        let symmetric = matches!(keys, KeySource::Secret(_) | KeySource::Development);
        if !symmetric {
            // An identity provider signs tokens for many applications; only those issued by it
            // for this one are accepted.
            if self.jwt_issuer.is_none() {
                problems.push(
                    "KLACHTEN_JWT_ISSUER: required with a JWKS: the identity provider's issuer"
                        .into(),
                );
            }
            if self.jwt_audience.is_none() {
                problems.push(
                    "KLACHTEN_JWT_AUDIENCE: required with a JWKS: the audience tokens for this service carry".into(),
                );
            }
            if self.jwks_min_refresh_secs < 5 {
                problems.push(format!(
                    "KLACHTEN_JWKS_MIN_REFRESH_SECS: {} is too short; at least 5",
                    self.jwks_min_refresh_secs
                ));
            }
        }
        let algorithms = match &self.jwt_algorithms {
            None if symmetric => vec![Algorithm::HS256],
            None => vec![Algorithm::RS256, Algorithm::ES256],
            Some(list) => parse_algorithms(list, symmetric).unwrap_or_else(|e| {
                problems.push(format!("KLACHTEN_JWT_ALGORITHMS: {e}"));
                Vec::new()
            }),
        };

        let claims = ClaimNames {
            staff_id: self.claim_staff_id.clone(),
            name: self.claim_name.clone(),
            email: self.claim_email.clone(),
            organisation: self.claim_organisation.clone(),
            roles: self.claim_roles.clone(),
        };
        for (var, name) in [
            ("KLACHTEN_CLAIM_STAFF_ID", &claims.staff_id),
            ("KLACHTEN_CLAIM_NAME", &claims.name),
            ("KLACHTEN_CLAIM_EMAIL", &claims.email),
            ("KLACHTEN_CLAIM_ORGANISATION", &claims.organisation),
            ("KLACHTEN_CLAIM_ROLES", &claims.roles),
        ] {
            if name.is_empty() || name.split('.').any(str::is_empty) {
                problems.push(format!("{var}: '{name}' is not a claim name"));
            }
        }

        IdentityConfig {
            keys,
            algorithms,
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            leeway: Duration::from_secs(self.jwt_leeway_secs),
            jwks_min_refresh: Duration::from_secs(self.jwks_min_refresh_secs),
            claims,
        }
    }
}

/// Keys are fetched over https; plain http only from this machine itself.
fn check_jwks_url(url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("'{url}' is not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_this_machine(&parsed) && parsed.username().is_empty() => Ok(()),
        _ => Err(format!("'{url}' must be an https:// URL (http:// only on localhost)")),
    }
}

fn parse_algorithms(list: &str, symmetric: bool) -> Result<Vec<Algorithm>, String> {
    let (accepted, kind): (&[&str], &str) = if symmetric {
        (&["HS256", "HS384", "HS512"], "a shared secret")
    } else {
        (&["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"], "public keys")
    };
    let algorithms = list
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            if accepted.contains(&a) {
                a.parse::<Algorithm>().map_err(|_| a.to_owned())
            } else {
                Err(a.to_owned())
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|bad| {
            format!("'{bad}' cannot be used with {kind}; accepted: {}", accepted.join(", "))
        })?;
    if algorithms.is_empty() {
        return Err(format!("name at least one of: {}", accepted.join(", ")));
    }
    Ok(algorithms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawSettings {
        serde_json::from_value(serde_json::json!({})).unwrap()
    }

    #[test]
    fn defaults_give_development_mode_on_sqlite_and_loopback() {
        let config = raw().validate().unwrap();
        assert!(config.identity.is_development());
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.database,
            DbTarget::Sqlite { path: "./data/klachtenregister.sqlite3".into() }
        );
        assert_eq!(config.identity.algorithms, vec![Algorithm::HS256]);
        assert!(config.delivery.webhook_allowed_hosts.is_empty());
        let listed = RawSettings { webhook_allowed_hosts: Some("127.0.0.1:9000".into()), ..raw() };
        let allowed = listed.validate().unwrap().delivery.webhook_allowed_hosts;
        assert!(allowed.allows(&url::Url::parse("http://127.0.0.1:9000/hook").unwrap()));
    }

    #[test]
    fn development_mode_refuses_a_public_address() {
        let public = |raw: RawSettings| RawSettings {
            public_url: Some("https://klachten.kantoor.nl".into()),
            ..raw
        };
        let err =
            public(RawSettings { bind: "0.0.0.0:8080".into(), ..raw() }).validate().unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert!(err.0[0].contains("not a loopback address"), "{}", err.0[0]);
        let with_secret =
            RawSettings { bind: "0.0.0.0:8080".into(), jwt_secret: Some("x".repeat(32)), ..raw() };
        assert!(public(with_secret).validate().is_ok());
    }

    #[test]
    fn every_problem_is_reported_with_what_is_accepted() {
        let err = RawSettings {
            database_url: Some("mysql://h/db".into()),
            bind: "here".into(),
            jwt_secret: Some("short".into()),
            jwt_algorithms: Some("RS256".into()),
            log_format: "xml".into(),
            delivery_interval_ms: 0,
            shutdown_drain_ms: 60_001,
            clock_skew_secs: 3_601,
            mail_from: "nobody".into(),
            smtp_url: Some("smtp://mail.kantoor.nl:25".into()),
            webhook_allowed_hosts: Some("127.0.0.1:9000, http://relay".into()),
            ..raw()
        }
        .validate()
        .unwrap_err();
        let all = err.0.join("\n");
        for expected in [
            "KLACHTEN_DATABASE_URL: unknown database URL scheme 'mysql'; accepted: postgres://",
            "KLACHTEN_BIND: 'here' is not a socket address",
            "KLACHTEN_JWT_SECRET: 5 bytes is too short",
            "KLACHTEN_JWT_ALGORITHMS: 'RS256' cannot be used with a shared secret",
            "KLACHTEN_LOG_FORMAT: 'xml'; accepted: text, json",
            "KLACHTEN_DELIVERY_INTERVAL_MS: 0 is out of range; accepted: 10 to 60000",
            "KLACHTEN_SHUTDOWN_DRAIN_MS: 60001 is out of range; accepted: 0 to 60000",
            "KLACHTEN_CLOCK_SKEW_SECS: 3601 is out of range; accepted: 0 to 3600",
            "KLACHTEN_MAIL_FROM: 'nobody' is not an address",
            "KLACHTEN_SMTP_URL: mail leaves this machine only encrypted",
            "KLACHTEN_WEBHOOK_ALLOWED_HOSTS: 'http://relay' is not a host or host:port",
        ] {
            assert!(all.contains(expected), "missing «{expected}» in:\n{all}");
        }
    }

    #[test]
    fn cors_takes_exact_origins_only() {
        let cors = |list: &str| RawSettings { cors_origins: Some(list.into()), ..raw() }.validate();
        let config = cors(" https://app.kantoor.nl, http://127.0.0.1:5173/ ,").unwrap();
        assert_eq!(config.cors_origins, ["https://app.kantoor.nl", "http://127.0.0.1:5173"]);
        assert!(raw().validate().unwrap().cors_origins.is_empty());
        let err = cors("*").unwrap_err().0.join("\n");
        assert!(err.contains("KLACHTEN_CORS_ORIGINS: '*' is refused"), "{err}");
        for refused in
            ["app.kantoor.nl", "https://app.kantoor.nl/app", "ftp://x.nl", "https://a@x.nl"]
        {
            let err = cors(refused).unwrap_err().0.join("\n");
            assert!(err.contains("is not an origin"), "{refused}: {err}");
        }
    }

    #[test]
    fn mail_goes_out_encrypted_or_to_a_local_relay() {
        let mail = |url: &str| RawSettings { smtp_url: Some(url.into()), ..raw() }.validate();
        for accepted in [
            "smtps://user:pw@mail.kantoor.nl",
            "smtp://mail.kantoor.nl:587?tls=required",
            "smtp://127.0.0.1:2525",
        ] {
            let config = mail(accepted).unwrap_or_else(|e| panic!("{accepted}: {e}"));
            assert_eq!(config.delivery.mail.unwrap().smtp_url, accepted);
        }
        assert!(mail("smtp://mail.kantoor.nl?tls=opportunistic").is_err());
        assert!(mail("imap://mail.kantoor.nl").is_err());
        assert!(raw().validate().unwrap().delivery.mail.is_none());
    }

    #[test]
    fn key_sources_exclude_each_other_and_pick_asymmetric_algorithms() {
        let both = RawSettings {
            jwt_secret: Some("x".repeat(32)),
            jwks_file: Some("keys.json".into()),
            ..raw()
        };
        assert!(both.validate().unwrap_err().0[0].contains("set only one"));
        let provider = |url: &str| RawSettings {
            jwks_url: Some(url.into()),
            jwt_issuer: Some("https://idp.example".into()),
            jwt_audience: Some("klachtenregister".into()),
            ..raw()
        };
        let config = provider("https://idp.example/jwks").validate().unwrap();
        assert_eq!(config.identity.algorithms, vec![Algorithm::RS256, Algorithm::ES256]);
        assert!(provider("http://127.0.0.1:9000/jwks").validate().is_ok());
        for plain in [
            "http://idp.example/jwks",
            "http://localhost.evil.example/jwks",
            "http://localhost@evil.example/jwks",
            "ftp://idp.example/jwks",
        ] {
            let err = provider(plain).validate().unwrap_err();
            assert!(err.0[0].contains("https://"), "{plain}: {err}");
        }
        let bad = RawSettings {
            jwt_algorithms: Some("HS256".into()),
            ..provider("https://idp.example/jwks")
        };
        assert!(bad.validate().unwrap_err().0[0].contains("cannot be used with public keys"));
        let unbound =
            RawSettings { jwks_file: Some("k".into()), jwks_min_refresh_secs: 0, ..raw() };
        let all = unbound.validate().unwrap_err().0.join("\n");
        for expected in [
            "KLACHTEN_JWT_ISSUER: required",
            "KLACHTEN_JWT_AUDIENCE: required",
            "KLACHTEN_JWKS_MIN_REFRESH_SECS",
        ] {
            assert!(all.contains(expected), "{expected} in {all}");
        }
    }

    #[test]
    fn the_overview_minimum_cell_defaults_to_five() {
        assert_eq!(raw().validate().unwrap().overview_min_cell, 5);
        for (value, ok) in [(0, false), (1, true), (20, true), (1001, false)] {
            let result = RawSettings { overview_min_cell: value, ..raw() }.validate();
            assert_eq!(result.is_ok(), ok, "{value}");
        }
        let err = RawSettings { overview_min_cell: 0, ..raw() }.validate().unwrap_err();
        assert!(err.0[0].contains("KLACHTEN_OVERVIEW_MIN_CELL: 0 is out of range"), "{:?}", err.0);
    }

    #[test]
    fn the_public_url_is_an_http_address_and_defaults_to_the_bound_one() {
        assert_eq!(raw().validate().unwrap().public_url, "http://127.0.0.1:8080");
        let url = |u: &str| RawSettings { public_url: Some(u.into()), ..raw() }.validate();
        assert_eq!(
            url("https://klachten.kantoor.nl/").unwrap().public_url,
            "https://klachten.kantoor.nl"
        );
        assert!(url("ftp://kantoor.nl").is_err());
        assert!(url("klachten.kantoor.nl").is_err());
        for appended in ["https://klachten.kantoor.nl/?lang=nl", "https://klachten.kantoor.nl/#top"]
        {
            let err = url(appended).unwrap_err().0.join("\n");
            assert!(err.contains("has a query or fragment"), "{appended}: {err}");
        }
    }

    #[test]
    fn a_service_that_clients_reach_elsewhere_is_told_where() {
        let listening = |bind: &str, url: Option<&str>| RawSettings {
            bind: bind.into(),
            jwt_secret: Some("x".repeat(32)),
            public_url: url.map(Into::into),
            ..raw()
        };
        for bind in ["0.0.0.0:8080", "[::]:8080", "192.0.2.10:8080"] {
            let err = listening(bind, None).validate().unwrap_err().0.join("\n");
            assert!(err.contains("KLACHTEN_PUBLIC_URL: required when KLACHTEN_BIND"), "{err}");
            let given = listening(bind, Some("https://klachten.kantoor.nl")).validate().unwrap();
            assert_eq!(given.public_url, "https://klachten.kantoor.nl");
        }
        let local = listening("[::1]:8080", None).validate().unwrap();
        assert_eq!(local.public_url, "http://[::1]:8080");
    }

    #[test]
    fn a_metrics_token_is_long_and_visible() {
        assert_eq!(raw().validate().unwrap().metrics_token, None);
        let token = |t: &str| RawSettings { metrics_token: Some(t.into()), ..raw() }.validate();
        assert!(token(&"a".repeat(16)).is_ok());
        for bad in ["short", "with a space in it!", ""] {
            let err = token(bad).unwrap_err();
            assert!(err.0[0].starts_with("KLACHTEN_METRICS_TOKEN"), "{bad}: {:?}", err.0);
        }
    }
}
