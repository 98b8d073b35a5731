//! `POST /imports`: an existing register brought in from a spreadsheet (DESIGN.md §11).

use actix_multipart::Multipart;
use actix_web::{HttpRequest, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extract::ApiQuery;
use super::openapi::{Forbidden, Unprocessable};
use super::state::AppState;
use super::upload::{declared_within, read_upload};
use crate::auth::Principal;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::import;
use crate::operations::import::{self as operation, ImportReport};

/// The form of an import (the body is streamed, not deserialised into this type).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RegisterFile {
    /// The register as CSV (UTF-8, comma or semicolon separated) or XLSX (its first sheet):
    /// a header row, then a row per complaint.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check the file and tell what would be created, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[utoipa::path(
    post,
    path = "/imports",
    operation_id = "import_register",
    tag = "complaints",
    summary = "Import an existing register",
    description = "Multipart upload of a CSV or XLSX register in the field `file`. The columns \
        are the export's (`GET /complaints` with `Accept: text/csv`), with Dutch or English \
        headers; received, kind, description and handler are required, and complainant, \
        client, matter, status, decision and its date and the closing date are enough for a \
        finished complaint. Dates as `dd-mm-jjjj`, `jjjj-mm-dd` or ISO 8601. Staff by id or by \
        the e-mail address the service knows. Every row is checked first: a file with any \
        fault is refused with `import_refused`, whose `errors` list each fault's row, column \
        and message, and nothing is written. Otherwise all complaints are written in one \
        transaction, marked `imported`, each with a `complaint.imported` event; a row imported \
        before (its reference, or without one the hash of its cells) is passed over. \
        `dry_run=true` checks only.",
    params(ImportQuery),
    request_body(content = RegisterFile, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Imported, or (dry run) what would be", body = ImportReport),
        (status = 403, response = Forbidden), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/imports")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    query: ApiQuery<ImportQuery>,
    request: HttpRequest,
    form: Multipart,
) -> Result<web::Json<ImportReport>, ApiError> {
    let ctx = state.context(principal);
    // A dienstverlener is refused before a byte of the file is read.
    ctx.caller.require_coordinator().map_err(|d| ApiError::from(d.hidden_as("import")))?;
    declared_within(&request, state.max_document_bytes)?;
    let upload = read_upload(&request, form, state.max_document_bytes).await?;
    // Unzipping and parsing a workbook is CPU work: off the async worker that serves requests.
    let content = upload.content;
    let table = web::block(move || import::read(&content))
        .await
        .map_err(|_| ApiError::internal())?
        .map_err(|message| ApiError::validation(vec![FieldError::new("file", message)]))?;
    let report = operation::import(&state.db, ctx, table, query.0.dry_run, |_| {}).await?;
    Ok(web::Json(report))
}
