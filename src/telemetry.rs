//! Logging. Every request runs in one span carrying its method, route *pattern* (never the
//! concrete URL with its query string), request id and — once authenticated — the caller's
//! staff id (the service's own number, never the token's subject). Names, descriptions,
//! contact details and query strings are never logged.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing::field::Empty;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    // actix-web-prom warns on every Swagger UI file: it cannot turn the route's regex
    // segment (`/swagger-ui/{_:.*}`) into a metrics label, and counts the route as is.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn,actix_web_prom=error"));
    // Colours only for a person at a terminal, not in files and log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(ansi);
    // A second initialisation (tests, embedding) keeps the first subscriber.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// The root span of every request, built from safe fields only.
pub struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let route = request.match_pattern().unwrap_or_else(|| "unmatched".to_owned());
        let request_id = request.extensions().get::<RequestId>().map(ToString::to_string);
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %route,
            request_id = request_id.as_deref().unwrap_or(""),
            staff_id = Empty,
            complaint_id = Empty,
            status = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        let status = match outcome {
            Ok(response) => response.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
        tracing::info!(parent: &span, status, "request finished");
    }
}

/// Notes the complaint a request is about in the request's span.
pub fn record_complaint(id: i64) {
    Span::current().record("complaint_id", id);
}
