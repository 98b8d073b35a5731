//! Organisations (tenants) and their complaint-procedure settings.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::AnyConnection;
use crate::db::schema::organisations;
use crate::domain::complaint::ProcedureSettings;
use crate::domain::deadlines::DEFAULT_RESPONSE_TERM_DAYS;
use crate::domain::organisation::{DEFAULT_DUE_SOON_HOURS, DisputeBody, Settings};

#[derive(Debug, Clone, Queryable)]
pub struct Organisation {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub response_term_days: i32,
    pub coordinator_id: Option<i64>,
    pub deputy_coordinator_id: Option<i64>,
    pub regulation_text: String,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub retention_months: Option<i32>,
    pub retention_reason: Option<String>,
    pub dispute_body_name: Option<String>,
    pub dispute_body_address: Option<String>,
    pub dispute_body_url: Option<String>,
    pub due_soon_hours: i32,
}

impl Organisation {
    pub fn settings(&self) -> Settings {
        Settings {
            name: self.name.clone(),
            response_term_days: self.response_term_days,
            coordinator_id: self.coordinator_id,
            deputy_coordinator_id: self.deputy_coordinator_id,
            regulation_text: self.regulation_text.clone(),
            retention_months: self.retention_months,
            retention_reason: self.retention_reason.clone(),
            dispute_body: self.dispute_body(),
            due_soon_hours: self.due_soon_hours,
        }
    }

    /// Where its clients can turn when not satisfied, if it names a body.
    pub fn dispute_body(&self) -> Option<DisputeBody> {
        self.dispute_body_name.clone().map(|name| DisputeBody {
            name,
            address: self.dispute_body_address.clone(),
            url: self.dispute_body_url.clone(),
        })
    }

    pub fn procedure(&self) -> ProcedureSettings {
        ProcedureSettings {
            response_term_days: self.response_term_days,
            coordinator_id: self.coordinator_id,
            deputy_coordinator_id: self.deputy_coordinator_id,
        }
    }
}

/// The organisations that erase finished complaints after a term, with that term in months.
pub fn retention_terms(conn: &mut AnyConnection) -> QueryResult<Vec<(i64, i32)>> {
    organisations::table
        .filter(organisations::retention_months.is_not_null())
        .select((organisations::id, organisations::retention_months.assume_not_null()))
        .order(organisations::id)
        .load(conn)
}

pub fn get(conn: &mut AnyConnection, id: i64) -> QueryResult<Organisation> {
    organisations::table.find(id).select(organisations::all_columns).first(conn)
}

pub fn find_by_slug(conn: &mut AnyConnection, slug: &str) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(organisations::all_columns)
        .first(conn)
        .optional()
}

pub fn create(
    conn: &mut AnyConnection,
    slug: &str,
    name: &str,
    now: DateTime<Utc>,
) -> QueryResult<Organisation> {
    diesel::insert_into(organisations::table)
        .values((
            organisations::slug.eq(slug),
            organisations::name.eq(name),
            organisations::response_term_days.eq(DEFAULT_RESPONSE_TERM_DAYS),
            organisations::due_soon_hours.eq(DEFAULT_DUE_SOON_HOURS),
            organisations::created_at.eq(to_db(now)),
            organisations::updated_at.eq(to_db(now)),
        ))
        .returning(organisations::all_columns)
        .get_result(conn)
}

/// Writes new settings if the row still has the version they were based on; `None` means it
/// did not.
pub fn save_settings(
    conn: &mut AnyConnection,
    organisation_id: i64,
    based_on_version: i32,
    settings: &Settings,
    now: DateTime<Utc>,
) -> QueryResult<Option<Organisation>> {
    let dispute_body = settings.dispute_body.as_ref();
    diesel::update(
        organisations::table
            .filter(organisations::id.eq(organisation_id))
            .filter(organisations::version.eq(based_on_version)),
    )
    .set((
        organisations::name.eq(&settings.name),
        organisations::response_term_days.eq(settings.response_term_days),
        organisations::coordinator_id.eq(settings.coordinator_id),
        organisations::deputy_coordinator_id.eq(settings.deputy_coordinator_id),
        organisations::regulation_text.eq(&settings.regulation_text),
        organisations::retention_months.eq(settings.retention_months),
        organisations::retention_reason.eq(&settings.retention_reason),
        organisations::dispute_body_name.eq(dispute_body.map(|b| &b.name)),
        organisations::dispute_body_address.eq(dispute_body.and_then(|b| b.address.as_ref())),
        organisations::dispute_body_url.eq(dispute_body.and_then(|b| b.url.as_ref())),
        organisations::due_soon_hours.eq(settings.due_soon_hours),
        organisations::version.eq(organisations::version + 1),
        organisations::updated_at.eq(to_db(now)),
    ))
    .returning(organisations::all_columns)
    .get_result(conn)
    .optional()
}
