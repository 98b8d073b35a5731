//! The HTTP API: handlers per resource with their request and response types, and the
//! OpenAPI document generated from them.

mod actions;
pub mod authentication;
mod classification;
pub mod complaints;
mod contacts;
mod documents;
mod evaluations;
mod events;
pub mod extract;
mod health;
mod idempotency;
mod me;
pub mod openapi;
mod organisation;
mod overview;
pub mod pagination;
mod procedure;
mod report;
mod staff;
pub mod state;
mod timeline;
mod webhooks;
pub mod write_limit;

pub use openapi::openapi;

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use utoipa::openapi::OpenApi as Document;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::codes::ProblemCode;
use crate::error::ApiError;
use extract::etag;

pub const BASE_PATH: &str = "/api/v1";

/// Registers every documented route. The same function feeds the running app and the
/// generated document, so the two cannot disagree.
pub fn configure(config: &mut ServiceConfig) {
    config.service(health::live).service(health::ready).service(
        scope::scope(BASE_PATH)
            .service(me::me)
            .service(classification::catalogue)
            .service(complaints::register)
            .service(complaints::list)
            .service(complaints::read)
            .service(complaints::edit)
            .service(classification::read)
            .service(classification::set)
            .service(contacts::list)
            .service(contacts::record)
            .service(contacts::read)
            .service(procedure::escalate)
            .service(procedure::decide)
            .service(procedure::confirm_in_writing)
            .service(procedure::sign)
            .service(procedure::close)
            .service(procedure::reopen)
            .service(procedure::withdraw)
            .service(timeline::timeline)
            .service(documents::upload)
            .service(documents::list)
            .service(documents::download)
            .service(documents::reads_of)
            .service(actions::of_complaint)
            .service(actions::create)
            .service(actions::list)
            .service(actions::read)
            .service(actions::edit)
            .service(actions::approve)
            .service(actions::progress)
            .service(actions::side_effect)
            .service(overview::read)
            .service(report::report)
            .service(evaluations::create)
            .service(evaluations::list)
            .service(evaluations::read)
            .service(evaluations::edit)
            .service(events::verify)
            .service(webhooks::create)
            .service(webhooks::list)
            .service(webhooks::read)
            .service(webhooks::edit)
            .service(webhooks::remove)
            .service(webhooks::delivery_log)
            .service(organisation::read)
            .service(organisation::edit)
            .service(staff::list),
    );
}

/// What an edit changed, as its event records it: the named fields of the resource's view
/// that differ, `{"changes": {field: {"before": …, "after": …}}}`.
pub fn changes<T: Serialize>(before: &T, after: &T, fields: &[&str]) -> serde_json::Value {
    let (before, after) = (serde_json::json!(before), serde_json::json!(after));
    let changed: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter(|field| before[**field] != after[**field])
        .map(|field| {
            (
                (*field).to_owned(),
                serde_json::json!({"before": before[*field], "after": after[*field]}),
            )
        })
        .collect();
    serde_json::json!({ "changes": changed })
}

/// A JSON body with the `ETag` of the version it shows.
pub fn versioned<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

/// The documented routes and their methods, to tell "no such resource" (404) from "no such
/// method on this resource" (405) for requests no route took.
pub struct KnownRoutes(Vec<(ResourceDef, Vec<Method>)>);

impl KnownRoutes {
    pub fn from_document(document: &Document) -> KnownRoutes {
        KnownRoutes(
            document
                .paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let methods = [
                        (&item.get, Method::GET),
                        (&item.put, Method::PUT),
                        (&item.post, Method::POST),
                        (&item.patch, Method::PATCH),
                        (&item.delete, Method::DELETE),
                    ]
                    .into_iter()
                    .filter(|(operation, _)| operation.is_some())
                    .map(|(_, method)| method)
                    .collect();
                    (ResourceDef::new(path.as_str()), methods)
                })
                .collect(),
        )
    }
}

/// Answers requests no route took.
pub async fn fallback(
    request: HttpRequest,
    routes: web::Data<KnownRoutes>,
) -> Result<HttpResponse, ApiError> {
    let allowed = routes
        .0
        .iter()
        .find(|(def, _)| def.is_match(request.path()))
        .map(|(_, methods)| methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", "));
    Err(match allowed {
        Some(allow) => ApiError::method_not_allowed(
            HeaderValue::from_str(&allow).unwrap_or(HeaderValue::from_static("GET")),
        ),
        None => ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            ProblemCode::NoSuchRoute,
            format!("there is no resource at {}; see /swagger-ui/", request.path()),
        ),
    })
}
