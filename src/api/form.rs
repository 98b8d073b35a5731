//! `GET /complaints/{id}/form`: the klachtenregistratieformulier, as PDF or printable HTML.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::answer::rendered;
use super::extract::{ApiQuery, complaint};
use super::negotiate::paper_format;
use super::openapi::NotFound;
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::form as forms;
use crate::render::Format;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FormQuery {
    /// The version for the office meeting: no complainant, client, matter or staff names.
    pub anonymised: Option<bool>,
}

#[utoipa::path(
    get,
    operation_id = "get_complaint_form",
    path = "/complaints/{id}/form",
    tag = "complaints",
    summary = "The klachtenregistratieformulier",
    description = "The registration form of the complaint, filled in from the register, on A4: \
        the organisation, reference, kind, when and how it was received (A mondeling / B \
        schriftelijk), categories I–IV as ticked boxes, who reported it, complainant (with \
        their postal address), client and matter, the nature of the complaint, the contacts \
        with the terms given to the client, the corrective actions, escalation, the decision \
        and its judgement (gegrond, deels gegrond, ongegrond), the written confirmation, the \
        client's satisfaction, and the two signatures — name, capacity and moment, or an empty line naming who must \
        still sign. PDF by default; `Accept: text/html` gives a printable page. \
        `anonymised=true` gives the version for the office meeting. Whoever may read the \
        complaint may fetch its form; the fetch is recorded in the read log.",
    params(("id" = i64, Path, description = "The complaint's id"), FormQuery),
    responses(
        (status = 200, description = "The form", content(
            (String = "application/pdf", example = "%PDF-1.7 …"),
            (String = "text/html", example = "<!DOCTYPE html><html lang=\"nl\">…</html>"),
        ), headers(("Content-Disposition" = String, description = "inline, with the form's name"))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/complaints/{id}/form")]
pub async fn read(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: ApiQuery<FormQuery>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let services = (&state.db, &state.read_log, &state.typesetter);
    let anonymised = query.0.anonymised.unwrap_or(false);
    let ctx = state.context(principal);
    let form =
        forms::form(services, ctx, complaint(id), anonymised, paper_format(&request, Format::Pdf))
            .await?;
    Ok(rendered(form))
}
