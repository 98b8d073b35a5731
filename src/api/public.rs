//! What is public, without a token: an organisation's klachtenregeling, for its website and
//! its clients — and nothing else of it. Limited per client address.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::answer::rendered;
use super::negotiate::paper_format;
use super::openapi::{NotFound, TooManyRequests};
use super::state::AppState;
use crate::error::ApiError;
use crate::operations::regulation;
use crate::render::Format;

#[utoipa::path(
    get,
    operation_id = "get_public_regulation",
    path = "/public/organisations/{slug}/klachtenregeling",
    tag = "public",
    summary = "The klachtenregeling handed to clients",
    description = "No token needed: the organisation's name, its regulation text, the \
        coordinator's role (not the person) and where a client can turn when not satisfied, \
        as an HTML page for the firm's website, or as PDF with `Accept: application/pdf`. An \
        unknown organisation is `404`. Limited to 30 requests a \
        minute per client address; beyond it `429` with \
        `Retry-After`.",
    security(()),
    params(("slug" = String, Path, description = "The organisation's id", example = "kantoor-vuijst")),
    responses(
        (status = 200, description = "The regulation", content(
            (String = "text/html", example = "<!DOCTYPE html><html lang=\"nl\">…</html>"),
            (String = "application/pdf", example = "%PDF-1.7 …"),
        )),
        (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests),
    ),
    extensions(("x-roles" = json!([]))),
)]
#[get("/public/organisations/{slug}/klachtenregeling")]
pub async fn klachtenregeling(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(address) = request.peer_addr() {
        state.public_limit.check(address.ip())?;
    }
    let format = paper_format(&request, Format::Html);
    let page = regulation::public(&state.db, &state.typesetter, slug.into_inner(), format).await?;
    Ok(rendered(page))
}
