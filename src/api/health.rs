//! Liveness and readiness, for orchestrators and load balancers. Public: no token needed.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::openapi::ServiceUnavailable;
use super::state::AppState;
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[utoipa::path(
    get,
    operation_id = "health_live",
    path = "/health/live",
    tag = "health",
    summary = "Is the process up",
    security(()),
    responses((status = 200, description = "The process answers", body = Health)),
    extensions(("x-roles" = json!([]))),
)]
#[get("/health/live")]
pub async fn live() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

#[utoipa::path(
    get,
    operation_id = "health_ready",
    path = "/health/ready",
    tag = "health",
    summary = "Can the service take requests",
    description = "Ready when the database answers and the service is not stopping.",
    security(()),
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 503, response = ServiceUnavailable),
    ),
    extensions(("x-roles" = json!([]))),
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    if state.stopping.is_set() {
        return Err(ApiError::unavailable("the service is stopping"));
    }
    state.db.ping().await?;
    Ok(web::Json(Health { status: "ok" }))
}
