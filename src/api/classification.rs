//! Classification: the catalogue of channels (A/B) and categories (I–IV), and a complaint's
//! classification, which the coordinator sets.

use actix_web::{HttpResponse, get, put, web};
use serde::Serialize;
use strum::VariantArray;
use utoipa::ToSchema;

use super::answer::versioned;
use super::extract::{ApiJson, complaint};
use super::openapi::{Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::classification::{Category, Channel, Label};
use crate::error::ApiError;
use crate::operations::Precondition;
use crate::operations::classification::{self, Classification, SetClassification};

/// An entry of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Entry<T> {
    /// The value the API uses.
    pub value: T,
    /// The regulation's code.
    #[schema(example = "II")]
    pub code: &'static str,
    #[schema(example = "Klachten over juridisch-inhoudelijke aspecten van de dienstverlening")]
    pub label_nl: &'static str,
    #[schema(example = "Complaints about the legal substance of the service")]
    pub label_en: &'static str,
}

impl<T> Entry<T> {
    fn of(value: T, label: Label) -> Entry<T> {
        Entry { value, code: label.code, label_nl: label.nl, label_en: label.en }
    }
}

/// How complaints are classified under the regulation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Catalogue {
    /// Wijze van indiening: A mondeling, B schriftelijk.
    pub channels: Vec<Entry<Channel>>,
    /// Aard van de klacht, I–IV; a complaint may be in several.
    pub categories: Vec<Entry<Category>>,
}

#[utoipa::path(
    get,
    operation_id = "list_classifications",
    path = "/classifications",
    tag = "classification",
    summary = "The classification catalogue",
    description = "Channels A/B and categories I–IV with their codes and their Dutch (the \
        regulation's own words) and English labels.",
    responses((status = 200, description = "The catalogue", body = Catalogue)),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/classifications")]
pub async fn catalogue(_: Principal) -> web::Json<Catalogue> {
    web::Json(Catalogue {
        channels: Channel::VARIANTS.iter().map(|c| Entry::of(*c, c.label())).collect(),
        categories: Category::VARIANTS.iter().map(|c| Entry::of(*c, c.label())).collect(),
    })
}

#[utoipa::path(
    get,
    operation_id = "get_classification",
    path = "/complaints/{id}/classification",
    tag = "classification",
    summary = "Read a complaint's classification",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses(
        (status = 200, description = "The classification", body = Classification,
            headers(("ETag" = String, description = "The complaint's version, quoted"))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/complaints/{id}/classification")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (classification, version) =
        classification::read(&state.db, state.context(principal), complaint(id)).await?;
    Ok(versioned(&classification, version))
}

#[utoipa::path(
    put,
    operation_id = "set_classification",
    path = "/complaints/{id}/classification",
    tag = "classification",
    summary = "Classify a complaint",
    description = "The coordinator classifies: channel A (oral) or B (written), and one or \
        more of categories I–IV. Every change is kept in the timeline. Not on a complaint \
        about oneself (the deputy classifies it), nor on a closed or withdrawn one.",
    params(("id" = i64, Path, description = "The complaint's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag this change is based on")),
    request_body = SetClassification,
    responses(
        (status = 200, description = "Classified", body = Classification,
            headers(("ETag" = String, description = "The complaint's new version, quoted"))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 412, response = PreconditionFailed),
        (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[put("/complaints/{id}/classification")]
pub async fn set(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    precondition: Precondition,
    body: ApiJson<SetClassification>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let (classification, version) =
        classification::set(&state.db, ctx, complaint(id), body.0).await?;
    Ok(versioned(&classification, version))
}
