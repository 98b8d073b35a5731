//! The HTTP API: a handler per operation — extract, call one operation of
//! `crate::operations`, answer — with its `#[utoipa::path]`, the extractors and middleware
//! they share, and the OpenAPI document generated from them. The bodies handlers take and
//! answer with are the operations' own input and view types. No handler module uses
//! another's: what they share has a module of its own (`extract`, `answer`, `pagination`,
//! `openapi`, `state`).

mod actions;
pub mod answer;
pub mod authentication;
mod classification;
mod complaints;
mod contacts;
pub mod cors;
mod documents;
mod erasure;
mod evaluations;
mod events;
mod export;
pub mod extract;
mod form;
mod health;
mod imports;
mod letters;
mod me;
pub mod negotiate;
pub mod openapi;
mod organisation;
mod overview;
pub mod pagination;
mod procedure;
mod public;
mod staff;
pub mod state;
mod subject_access;
mod timeline;
mod upload;
mod webhooks;
pub mod write_limit;

pub use openapi::openapi;

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi as Document;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::domain::codes::ProblemCode;
use crate::error::ApiError;

pub const BASE_PATH: &str = "/api/v1";

/// Registers every documented route. The same function feeds the running app and the
/// generated document, so the two cannot disagree; the document lists the paths in this
/// order.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::live)
        .service(health::ready)
        .service(public::klachtenregeling)
        .service(scope::scope(BASE_PATH).configure(procedure_routes).configure(improvement_routes));
}

/// The caller, and the complaint procedure with its dossier.
fn procedure_routes(config: &mut ServiceConfig) {
    config
        .service(me::me)
        .service(classification::catalogue)
        .service(complaints::register)
        .service(complaints::list)
        .service(imports::create)
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
        .service(procedure::record_satisfaction)
        .service(procedure::reopen)
        .service(procedure::withdraw)
        .service(erasure::erase)
        .service(timeline::timeline)
        .service(form::read)
        .service(documents::upload)
        .service(documents::list)
        .service(documents::download)
        .service(documents::reads_of)
        .service(letters::write);
}

/// The improvement cycle, the events, and the organisation's settings.
fn improvement_routes(config: &mut ServiceConfig) {
    config
        .service(actions::of_complaint)
        .service(actions::create)
        .service(actions::list)
        .service(actions::read)
        .service(actions::edit)
        .service(actions::approve)
        .service(actions::progress)
        .service(actions::side_effect)
        .service(overview::read)
        .service(overview::report)
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
        .service(letters::template)
        .service(letters::save_template)
        .service(staff::list)
        .service(subject_access::answer);
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

    /// The methods of the route `path` matches, if any.
    pub fn methods(&self, path: &str) -> Option<&[Method]> {
        self.0.iter().find(|(def, _)| def.is_match(path)).map(|(_, methods)| methods.as_slice())
    }
}

/// Answers requests no route took.
pub async fn fallback(
    request: HttpRequest,
    routes: web::Data<KnownRoutes>,
) -> Result<HttpResponse, ApiError> {
    let allowed = routes
        .methods(request.path())
        .map(|methods| methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", "));
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
