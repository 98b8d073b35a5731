//! `POST /subject-access`: everything the register holds about a complainant or a client
//! (AVG art. 15), as JSON or, with `Accept: application/zip`, as a ZIP with the documents.

use actix_web::http::header::{self, DispositionType};
use actix_web::{HttpRequest, HttpResponse, post, web};
use utoipa::ToSchema;

use super::answer::named;
use super::extract::ApiJson;
use super::negotiate::{JSON, ZIP, preferred};
use super::openapi::{Forbidden, Unprocessable};
use super::state::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::operations::subject_access::{self, SubjectAccess, SubjectAccessRequest};
use crate::render::subject_access_zip::{ANSWER, to_zip};

/// The ZIP's bytes, as the document describes them (the body is written by `render`).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct SubjectAccessZip(#[allow(dead_code)] Vec<u8>);

#[utoipa::path(
    post,
    path = "/subject-access",
    operation_id = "subject_access",
    tag = "privacy",
    summary = "Everything held about a complainant or a client",
    description = "For a request under AVG art. 15: every complaint where the person named is \
        the complainant or the client, each with its registration form (complainant, client, \
        description, decision, written confirmation, signatures), contacts, documents, \
        timeline and read log. Search by exactly one of `email` (the complainant's, case \
        ignored), `name` (the complainant's or the client's, exactly as registered but for case \
        and spaces) or `client_id` (exactly); anything else is 422. `Accept: application/zip` \
        gives a ZIP holding the same JSON as `subject-access.json` and every document under \
        `documents/{reference}/{id}-{name}`. A POST so that the terms stay out of addresses \
        and access logs; it changes nothing and takes no `Idempotency-Key`. The request is \
        recorded as the event `subject_access.requested` (who asked, which complaints were \
        handed out, the term only as a salted SHA-256 commitment), and as a read of each \
        complaint (and of each document the ZIP holds). A coordinator who is the subject of a \
        complaint found is refused (`coordinator_is_subject`): the deputy answers.",
    request_body = SubjectAccessRequest,
    responses(
        (status = 200, description = "What the register holds about them", content(
            (SubjectAccess = "application/json"),
            (SubjectAccessZip = "application/zip"),
        ), headers(("Content-Disposition" = String, description = "For the ZIP: an attachment"))),
        (status = 403, response = Forbidden), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[post("/subject-access")]
pub async fn answer(
    state: web::Data<AppState>,
    principal: Principal,
    body: ApiJson<SubjectAccessRequest>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let accept = request.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok());
    // JSON unless the client rates the ZIP higher: a tie goes to JSON.
    let zipped = preferred(accept, &[JSON, ZIP]) == ZIP;
    let ctx = state.context(principal);
    let answer = subject_access::answer(&state.db, &state.read_log, ctx, body.0, zipped).await?;
    if !zipped {
        return Ok(HttpResponse::Ok().json(answer.document));
    }
    let bytes = web::block(move || to_zip(&answer)).await.map_err(|_| ApiError::internal())?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, ZIP))
        .insert_header(named(DispositionType::Attachment, &ANSWER.replace(".json", ".zip")))
        .body(bytes.map_err(|_| ApiError::internal())?))
}
