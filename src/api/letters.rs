//! Letters to the client: the organisation's templates, and a letter written into a
//! complaint's dossier.

use actix_web::{HttpResponse, get, post, put, web};

use super::answer::{created, versioned};
use super::extract::{ApiJson, Idempotency, complaint};
use super::openapi::{Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::letters::LetterKind;
use crate::error::ApiError;
use crate::operations::Precondition;
use crate::operations::documents::DocumentView;
use crate::operations::letters::{self, LetterTemplateInput, LetterTemplateView, WriteLetter};

/// The letter a path names: there are two, and no other is found.
fn letter_kind(kind: web::Path<String>) -> Result<LetterKind, ApiError> {
    LetterKind::parse(&kind).map_err(|_| ApiError::not_found("letter template"))
}

#[utoipa::path(
    get,
    operation_id = "get_letter_template",
    path = "/organisation/letter-templates/{kind}",
    tag = "organisation",
    summary = "A letter template",
    description = "The organisation's wording of a letter to the client — `acknowledgement` \
        (the complaint is being handled; when we come back) or `confirmation` (the solution \
        in writing, and where the client can turn) — or the Dutch default until it has its \
        own, with the placeholders a template may use.",
    params(("kind" = LetterKind, Path, description = "Which letter")),
    responses(
        (status = 200, description = "The template", body = LetterTemplateView,
            headers(("ETag" = String, description = "The version, quoted (\"0\" for the default)"))),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[get("/organisation/letter-templates/{kind}")]
pub async fn template(
    state: web::Data<AppState>,
    principal: Principal,
    kind: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = letters::template(&state.db, state.context(principal), letter_kind(kind)?).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    put,
    operation_id = "put_letter_template",
    path = "/organisation/letter-templates/{kind}",
    tag = "organisation",
    summary = "Word a letter template",
    description = "Sets the organisation's text of a letter. Placeholders are written \
        `{{ name }}`; the template is checked when saved, by filling it with a sample of \
        every placeholder: one that does not parse, uses a placeholder the register does not \
        fill, or fails when filled (`{{ complainant.name }}`: a placeholder holds text, with \
        no parts; an unknown filter) is `422`, naming the problem. `If-Match` (optional) \
        names the version this text replaces (`\"0\"`: the default); of two first wordings \
        at once, the second is `412`.",
    params(("kind" = LetterKind, Path, description = "Which letter"),
        ("If-Match" = Option<String>, Header, description = "The ETag this text replaces", example = "\"0\"")),
    request_body = LetterTemplateInput,
    responses(
        (status = 200, description = "The saved template", body = LetterTemplateView,
            headers(("ETag" = String, description = "The new version, quoted"))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[put("/organisation/letter-templates/{kind}")]
pub async fn save_template(
    state: web::Data<AppState>,
    principal: Principal,
    kind: web::Path<String>,
    precondition: Precondition,
    body: ApiJson<LetterTemplateInput>,
) -> Result<HttpResponse, ApiError> {
    let ctx = state.context(principal).with(precondition.into());
    let view = letters::save_template(&state.db, ctx, letter_kind(kind)?, body.0).await?;
    Ok(versioned(&view, view.version))
}

#[utoipa::path(
    post,
    operation_id = "write_letter",
    path = "/complaints/{id}/letters",
    tag = "documents",
    summary = "Write a letter to the complainant into the dossier",
    description = "Fills the organisation's template of the letter with the complaint's \
        facts — organisation, date, the complainant's name, the reference, the term within \
        which we come back or the decision, where the regulation can be read, the dispute \
        body — lays it out as a PDF addressed to the complainant (name and postal address \
        above the text) and adds it to the dossier as a document, exactly as an upload is (its event \
        and SHA-256). `POST …/written-confirmation` can name the document. A `confirmation` \
        needs the decision (`409 decision_required`); an internal report names no \
        complainant to write to (`422 complainant_required`). While the complaint is open.",
    params(("id" = i64, Path, description = "The complaint's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body = WriteLetter,
    responses(
        (status = 201, description = "The letter, in the dossier", body = DocumentView, headers(("Location" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(["dienstverlener", "klachtencoordinator"]))),
)]
#[post("/complaints/{id}/letters")]
pub async fn write(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    key: Idempotency,
    body: ApiJson<WriteLetter>,
) -> Result<HttpResponse, ApiError> {
    let id = complaint(id);
    let ctx = state.context(principal).with(key.into());
    let services = (&state.db, &state.typesetter, state.public_url.as_str());
    let document = letters::write(services, ctx, id, body.0).await?;
    Ok(created(&document, &format!("/complaints/{}/documents/{}", id, document.id), None))
}
