//! Builds the service: its shared state, the actix `App` with routes, middleware, OpenAPI
//! document and Swagger UI, and the HTTP server.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, Service, ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Condition, ErrorHandlerResponse, ErrorHandlers, Next, from_fn};
use actix_web::{App, HttpMessage, HttpResponse, ResponseError, web};
use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use tokio_util::sync::CancellationToken;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa::openapi::OpenApi as Document;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::state::AppState;
use crate::api::write_limit::{RateLimit, WriteLimit, limit_writes};
use crate::api::{self, KnownRoutes, cors};
use crate::auth::dev::{DEV_COORDINATOR, DEV_ORGANISATION};
use crate::auth::{Sightings, Verifier};
use crate::clock::SharedClock;
use crate::config::Config;
use crate::db::Db;
use crate::domain::codes::ProblemCode;
use crate::domain::moment::DEFAULT_CLOCK_SKEW;
use crate::error::{ApiError, PROBLEM_CONTENT_TYPE};
use crate::operations;
use crate::render::typeset::Typesetter;
use crate::shutdown::{self, Stopping};
use crate::telemetry::RequestSpan;
use crate::workers::delivery::Delivery;
use crate::workers::read_log::ReadLog;
use crate::workers::{self, deadlines};

/// Requests one client address may make to the public pages a minute.
const PUBLIC_REQUESTS_PER_MINUTE: u32 = 30;

/// The background work started with the service. Finishing it after the server stopped
/// lets queued work (the read log) be written and rounds in progress (deliveries, the
/// deadline sweep) be recorded before the process exits.
pub struct Workers {
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    pub async fn finish(self, within: std::time::Duration) {
        self.stop.cancel();
        for worker in self.tasks {
            if tokio::time::timeout(within, worker).await.is_err() {
                tracing::warn!("a background worker did not finish in time");
            }
        }
    }

    /// Stops every worker where it stands, as a crash would: what they claimed and did not
    /// record is left to the leases.
    pub fn abort(self) {
        for worker in self.tasks {
            worker.abort();
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Database(String),
    #[error("identity settings: {0}")]
    Identity(String),
    #[error("development mode: {0}")]
    Development(String),
    #[error("{0}")]
    Delivery(String),
}

/// Connects, migrates, and — in development mode — makes sure the `default` organisation
/// and its demo coordinator exist and the generated secret is in place.
pub async fn prepare(
    config: &Config,
    clock: SharedClock,
) -> Result<(AppState, Workers), StartError> {
    let db = Db::new(config.database.clone(), &config.pool);
    let migrate_db = db.clone();
    actix_web::rt::task::spawn_blocking(move || migrate_db.migrate())
        .await
        .map_err(|e| StartError::Database(e.to_string()))?
        .map_err(|e| {
            StartError::Database(format!("{} database: {e}", config.database.backend_name()))
        })?;
    let dev_secret = if config.identity.is_development() {
        let secret = crate::auth::dev::load_or_create_secret(&config.data_dir).map_err(|e| {
            StartError::Development(format!(
                "cannot keep the secret in {}: {e}",
                config.data_dir.display()
            ))
        })?;
        let organisation = (DEV_ORGANISATION, "Ontwikkelkantoor");
        operations::organisation::ensure_development(
            &db,
            organisation,
            DEV_COORDINATOR,
            clock.now(),
        )
        .await
        .map_err(|e| StartError::Development(e.to_string()))?;
        Some(secret)
    } else {
        None
    };
    let verifier = Verifier::new(&config.identity, dev_secret.as_deref())
        .await
        .map_err(StartError::Identity)?;
    let (read_log, read_log_writer) = ReadLog::start(db.clone(), config.read_log_flush);
    let stop = CancellationToken::new();
    let watcher = tokio::spawn(deadlines::watch(
        db.clone(),
        clock.clone(),
        (config.deadline_sweep, config.idempotency_ttl),
        stop.clone(),
    ));
    let delivery = Delivery::new(db.clone(), clock.clone(), config.delivery.clone())
        .map_err(StartError::Delivery)?;
    let (interval, stopped) = (config.delivery.interval, stop.clone());
    let deliverer =
        tokio::spawn(async move { workers::repeat(interval, stopped, || delivery.round()).await });
    let state = AppState {
        db,
        clock,
        verifier,
        sightings: Sightings::default(),
        write_limit: WriteLimit::per_minute(config.writes_per_minute),
        public_limit: RateLimit::per_minute(PUBLIC_REQUESTS_PER_MINUTE),
        read_log,
        typesetter: Typesetter::new(
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        ),
        max_json_bytes: config.max_json_bytes,
        max_document_bytes: config.max_document_bytes,
        overview_min_cell: config.overview_min_cell,
        metrics_token: config.metrics_token.clone(),
        stopping: Stopping::default(),
        webhook_allowed_hosts: config.delivery.webhook_allowed_hosts.clone(),
        clock_skew: chrono::Duration::from_std(config.clock_skew).unwrap_or(DEFAULT_CLOCK_SKEW),
        idempotency_ttl: config.idempotency_ttl,
        public_url: config.public_url.clone(),
    };
    Ok((state, Workers { stop, tasks: vec![read_log_writer, watcher, deliverer] }))
}

/// The pieces every worker's `App` shares.
#[derive(Clone)]
pub struct Shared {
    state: web::Data<AppState>,
    document: Document,
    routes: web::Data<KnownRoutes>,
    metrics: PrometheusMetrics,
}

impl Shared {
    pub fn new(state: AppState) -> Shared {
        let document = api::openapi();
        let routes = web::Data::new(KnownRoutes::from_document(&document));
        let metrics = PrometheusMetricsBuilder::new("klachtenregister")
            .endpoint("/metrics")
            .mask_unmatched_patterns("UNMATCHED")
            .build()
            .expect("the metrics registry is created once per process");
        Shared { state: web::Data::new(state), document, routes, metrics }
    }
}

/// Starts the HTTP server on `listener`. It stops gracefully on SIGTERM or SIGINT (see
/// [`shutdown`]): after the drain, requests in flight complete and new connections are refused.
pub fn serve(shared: Shared, listener: TcpListener, config: &Config) -> std::io::Result<Server> {
    let stopping = shared.state.stopping.clone();
    let (cors_origins, cors_enabled) =
        (config.cors_origins.clone(), !config.cors_origins.is_empty());
    let mut server = actix_web::HttpServer::new(move || {
        let shared = shared.clone();
        let stopping = shared.state.stopping.clone();
        let (app, _) = App::new()
            .into_utoipa_app()
            .app_data(shared.state.clone())
            .app_data(shared.routes.clone())
            .app_data(web::PathConfig::default().error_handler(|_, _| {
                ApiError::invalid_parameter("path", "ids in the path are 64-bit integers").into()
            }))
            .configure(api::configure)
            .split_for_parts();
        app.service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .url("/api-docs/openapi.json", shared.document.clone()),
        )
        .route(
            "/",
            web::get().to(|| async {
                HttpResponse::SeeOther().insert_header((header::LOCATION, "/swagger-ui/")).finish()
            }),
        )
        // The metrics middleware answers this path itself; the route only keeps the request
        // from being treated as unknown on its way there.
        .route("/metrics", web::get().to(HttpResponse::Ok))
        .default_service(web::to(api::fallback))
        .wrap(from_fn(limit_writes))
        .wrap(from_fn(refuse_large_headers))
        .wrap(ErrorHandlers::new().default_handler(problem_for_plain_errors))
        // Outside the problem mapping, so that problems carry the CORS headers too.
        .wrap(Condition::new(cors_enabled, cors::middleware(&cors_origins)))
        .wrap(Condition::new(cors_enabled, from_fn(cors::preflight_answers)))
        .wrap(shared.metrics.clone())
        .wrap(from_fn(guard_metrics))
        .wrap_fn(move |request, service| {
            let request_id = request.extensions().get::<RequestId>().map(ToString::to_string);
            let closing = stopping.is_set();
            // Swagger UI's files may be cached; nothing else the service answers may be.
            let cacheable = request.path().starts_with("/swagger-ui/");
            let response = service.call(request);
            async move {
                let mut response = response.await?;
                if closing {
                    // Clients reconnect for their next request, and so reach another instance
                    // instead of holding this one open past its stop.
                    response.response_mut().head_mut().set_connection_type(ConnectionType::Close);
                }
                if !cacheable && !response.headers().contains_key(header::CACHE_CONTROL) {
                    response
                        .headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                }
                if let Some(value) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
                    response
                        .headers_mut()
                        .insert(header::HeaderName::from_static("x-request-id"), value);
                }
                Ok(response)
            }
        })
        .wrap(TracingLogger::<RequestSpan>::new())
    })
    .disable_signals()
    .listen(listener)?;
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }
    let server = server.run();
    actix_web::rt::spawn(shutdown::on_signal(server.handle(), stopping, config.shutdown_drain));
    Ok(server)
}

/// With `KLACHTEN_METRICS_TOKEN` set, `/metrics` answers only a request that carries it as
/// a bearer token (Prometheus: `authorization` or `bearer_token_file` in the scrape config).
async fn guard_metrics(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if request.path() == "/metrics" {
        let expected =
            request.app_data::<web::Data<AppState>>().and_then(|state| state.metrics_token.clone());
        if let Some(expected) = expected {
            let given = request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim().to_owned())
                .unwrap_or_default();
            // Compared as digests: the time taken says nothing about the secret's characters.
            use sha2::{Digest, Sha256};
            if Sha256::digest(given.as_bytes()) != Sha256::digest(expected.as_bytes()) {
                return Err(ApiError::unauthorized(
                    "the metrics need the bearer token KLACHTEN_METRICS_TOKEN names",
                )
                .into());
            }
        }
    }
    next.call(request).await
}

/// The most header bytes a request may carry: room for a large token (8 KiB) and the usual
/// headers. Beyond it the answer is a problem document; beyond actix's own limit (128 KiB)
/// the connection is closed with a bare 431.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

async fn refuse_large_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let size: usize =
        request.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if size > MAX_HEADER_BYTES {
        return Err(ApiError::headers_too_large(size, MAX_HEADER_BYTES).into());
    }
    next.call(request).await
}

/// Error responses that did not come from [`ApiError`] (a panic, a static file not found)
/// get a problem body too.
fn problem_for_plain_errors<B: MessageBody>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_CONTENT_TYPE.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(response.map_into_left_body()));
    }
    let status = response.status();
    let code = match status.as_u16() {
        404 => ProblemCode::NotFound,
        405 => ProblemCode::MethodNotAllowed,
        413 => ProblemCode::PayloadTooLarge,
        500..=599 => ProblemCode::InternalError,
        _ => ProblemCode::BadRequest,
    };
    let detail = status.canonical_reason().unwrap_or("error").to_lowercase();
    let problem = ApiError::new(status, code, detail).error_response();
    let (request, _) = response.into_parts();
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(request, problem).map_into_right_body()))
}
