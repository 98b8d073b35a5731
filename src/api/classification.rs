//! Classification: the catalogue of channels (A/B) and categories (I–IV), and a complaint's
//! classification, which the coordinator sets.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use strum::VariantArray;
use utoipa::ToSchema;

use super::complaints::{StaffRef, readable};
use super::extract::{ApiJson, IfMatch};
use super::openapi::{Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable};
use super::procedure::{Taking, take_step};
use super::state::AppState;
use super::versioned;
use crate::auth::Principal;
use crate::domain::access::ComplaintAct;
use crate::domain::classification::{Category, Channel, Label, check_categories};
use crate::domain::events::EventType;
use crate::domain::lifecycle::Step;
use crate::error::ApiError;
use crate::store::complaints::{self as complaints_store, ComplaintRow};
use crate::store::from_db;
use crate::store::staff::{self, Person};
use crate::telemetry::record_complaint;

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

/// A complaint's classification. All fields are empty until the coordinator classifies it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Classification {
    pub channel: Option<Channel>,
    pub categories: Vec<Category>,
    pub classified_at: Option<DateTime<Utc>>,
    pub classified_by: Option<StaffRef>,
}

impl Classification {
    /// The classification of a complaint, or `None` before it is classified.
    pub fn of(row: &ComplaintRow, people: &HashMap<i64, Person>) -> Option<Classification> {
        Some(Classification {
            channel: Some(row.channel()?),
            categories: row.categories(),
            classified_at: row.classified_at.map(from_db),
            classified_by: row.classified_by_id.map(|id| StaffRef::of(people, id)),
        })
    }

    fn unclassified() -> Classification {
        Classification {
            channel: None,
            categories: Vec::new(),
            classified_at: None,
            classified_by: None,
        }
    }
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
    let id = id.into_inner();
    record_complaint(id);
    let (classification, version) = state
        .db
        .read(move |conn| {
            let row = readable(conn, &principal, id)?;
            let people = staff::people(conn, &row.people())?;
            let classification = Classification::of(&row, &people);
            Ok::<_, ApiError>((
                classification.unwrap_or_else(Classification::unclassified),
                row.version,
            ))
        })
        .await?;
    Ok(versioned(&classification, version))
}

/// A classification to set: the channel and one or more categories.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel": "oral", "categories": ["legal", "financial"]}))]
pub struct SetClassification {
    pub channel: Channel,
    #[schema(min_items = 1, max_items = 4)]
    pub categories: Vec<Category>,
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
    if_match: IfMatch,
    body: ApiJson<SetClassification>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let now = state.clock.now();
    let body = body.0;
    let view = state
        .db
        .write(move |conn| {
            let (view, ()) = take_step(
                conn,
                &principal,
                id,
                ComplaintAct::Classify,
                &if_match,
                now,
                |conn, row, _| {
                    let categories = check_categories(&body.categories)
                        .map_err(|e| ApiError::validation(vec![e]))?;
                    let before = row.categories();
                    complaints_store::save_classification(
                        conn,
                        id,
                        body.channel,
                        &categories,
                        principal.staff_id,
                        now,
                    )?;
                    let taking = Taking {
                        step: Step::Classify,
                        event: EventType::ComplaintClassified,
                        data: json!({
                            "before": {"channel": row.channel(), "categories": before},
                            "after": {"channel": body.channel, "categories": categories},
                        }),
                    };
                    Ok((taking, ()))
                },
            )?;
            Ok::<_, ApiError>(view)
        })
        .await?;
    let classification = view.classification.ok_or_else(ApiError::internal)?;
    Ok(versioned(&classification, view.version))
}
