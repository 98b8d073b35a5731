//! Cross-origin requests from browser frontends (DESIGN.md §11). Off unless
//! `KLACHTEN_CORS_ORIGINS` lists origins: the API carries personal data, so only frontends the
//! firm names may read its answers in a browser, and `*` is refused at start (`config`).

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use super::KnownRoutes;
use crate::domain::codes::ProblemCode;
use crate::error::ApiError;

/// How long a browser may keep a preflight's answer.
const MAX_AGE_SECS: usize = 3600;

/// The headers a frontend sends: the token, the body's type, the version it edits, the key
/// that makes a retry safe, and what it accepts.
const REQUEST_HEADERS: [HeaderName; 6] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    header::IF_MATCH,
    HeaderName::from_static("idempotency-key"),
    header::ACCEPT,
    header::ACCEPT_LANGUAGE,
];

/// The answer's headers a frontend needs to read: the version to send back, where a created
/// resource is, the id to quote to support, when to retry, and a download's file name.
const EXPOSED_HEADERS: [HeaderName; 5] = [
    header::ETAG,
    header::LOCATION,
    HeaderName::from_static("x-request-id"),
    header::RETRY_AFTER,
    header::CONTENT_DISPOSITION,
];

/// actix-cors for `origins` (exact origins, checked at start). A request from another origin
/// is served without CORS headers, so the browser keeps the answer from the page.
pub fn middleware(origins: &[String]) -> Cors {
    let methods = [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(methods)
        .allowed_headers(REQUEST_HEADERS)
        .expose_headers(EXPOSED_HEADERS)
        .max_age(MAX_AGE_SECS)
        .block_on_origin_mismatch(false)
}

/// Around [`middleware`]: a preflight that passed is told only the methods its route has; one
/// that did not (an origin, method or header not allowed) is answered as a problem, not with
/// actix-cors' plain text.
pub async fn preflight_answers(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if !is_preflight(&request) {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let methods = request
        .app_data::<web::Data<KnownRoutes>>()
        .and_then(|routes| routes.methods(request.path()))
        .map(|methods| methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", "));
    let mut response = next.call(request).await?.map_into_boxed_body();
    if response.status() != StatusCode::OK {
        let refused = ApiError::new(
            StatusCode::FORBIDDEN,
            ProblemCode::CrossOriginRefused,
            "this cross-origin request is not allowed: the origin is not listed in \
             KLACHTEN_CORS_ORIGINS, or the method or a header is not one the API takes",
        );
        let (request, _) = response.into_parts();
        return Ok(ServiceResponse::new(request, refused.error_response()));
    }
    if let Some(value) = methods.and_then(|m| HeaderValue::from_str(&m).ok()) {
        response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_METHODS, value);
    }
    Ok(response)
}

fn is_preflight(request: &ServiceRequest) -> bool {
    request.method() == Method::OPTIONS
        && request.headers().contains_key(header::ORIGIN)
        && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}
