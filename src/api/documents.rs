//! The klachtendossier's documents (upload, list, download) and the read log of a
//! complaint.

use std::collections::BTreeMap;

use actix_multipart::Multipart;
use actix_web::http::header::{self, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde_json::json;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

use super::answer::{created, named};
use super::extract::{ApiQuery, Idempotency, complaint};
use super::openapi::{Conflict, Forbidden, NotFound, Unprocessable};
use super::pagination::PageQuery;
use super::state::AppState;
use super::upload::{declared_within, read_upload};
use crate::auth::Principal;
use crate::domain::documents::ALLOWED;
use crate::error::ApiError;
use crate::operations::documents::{self, DocumentView, ReadView};
use crate::operations::page::Page;
use crate::telemetry::record_complaint;

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];

/// The form of an upload (the body is streamed, not deserialised into this type).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The document: PDF, an image, an e-mail (.eml or .msg), an Office document or plain
    /// text — judged by its content. At most `KLACHTEN_MAX_DOCUMENT_BYTES` (20 MiB).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

#[utoipa::path(
    post,
    path = "/complaints/{id}/documents",
    operation_id = "upload_document",
    tag = "documents",
    summary = "Add a document to the dossier",
    description = "Multipart upload of one file in the field `file`. Its type is determined from \
        its content (PDF, images, e-mail `.eml`/`.msg`, Office documents, plain text; anything \
        else is 415, and so is HTML or SVG markup anywhere in anything but e-mail, and a name \
        ending in a program's or script's extension such as `.exe`, `.bat`, `.hta`, `.js`); its \
        name is made safe (invisible formatting characters removed) and ends in the detected \
        type's extension (appended when it does not); its SHA-256 is recorded. The complaint, \
        the caller's right to it and the declared `Content-Length` are checked before the body \
        is read. The document and the event \
        recording it are written in one transaction. While the complaint is open.",
    params(("id" = i64, Path, description = "The complaint's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Added", body = DocumentView, headers(("Location" = String))),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
        (status = 409, response = Conflict), (status = 422, response = Unprocessable),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[post("/complaints/{id}/documents")]
pub async fn upload(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    key: Idempotency,
    request: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = complaint(id);
    let ctx = state.context(principal).with(key.into());
    // Before a byte of the body is read: the complaint, the caller's right, the size.
    documents::may_add(&state.db, &ctx, id).await?;
    declared_within(&request, state.max_document_bytes)?;
    let file = read_upload(&request, form, state.max_document_bytes).await?;
    let document = documents::add(&state.db, ctx, id, file).await?;
    Ok(created(&document, &format!("/complaints/{}/documents/{}", id, document.id), None))
}

#[utoipa::path(
    get,
    path = "/complaints/{id}/documents",
    operation_id = "list_documents",
    tag = "documents",
    summary = "List the dossier's documents",
    description = "All of the complaint's documents, oldest first (always one page).",
    params(("id" = i64, Path, description = "The complaint's id")),
    responses(
        (status = 200, description = "The documents", body = Page<DocumentView>),
        (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints/{id}/documents")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Page<DocumentView>>, ApiError> {
    Ok(web::Json(
        documents::list(&state.db, &state.read_log, state.context(principal), complaint(id))
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/complaints/{id}/documents/{document}",
    operation_id = "download_document",
    tag = "documents",
    summary = "Download a document",
    description = "The content, with its content type, as an attachment under its safe name. \
        The download is recorded in the read log.",
    params(("id" = i64, Path, description = "The complaint's id"), ("document" = i64, Path, description = "The document's id")),
    responses(DownloadResponses),
    extensions(("x-roles" = json!(BOTH_ROLES))),
)]
#[get("/complaints/{id}/documents/{document}")]
pub async fn download(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, document) = path.into_inner();
    record_complaint(id);
    let ctx = state.context(principal);
    let file = documents::download(&state.db, &state.read_log, ctx, id, document).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.content_type.clone()))
        .insert_header(named(DispositionType::Attachment, &file.filename))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .insert_header(("X-Content-SHA256", file.sha256))
        .body(file.content))
}

/// A download answers with the type the document was found to have: one of the allowlist's.
pub struct DownloadResponses;

impl IntoResponses for DownloadResponses {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let binary = || {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        };
        let mut document = ResponseBuilder::new()
            .description(
                "The document, as an attachment, with the content type it was found to have",
            )
            .header(
                "Content-Disposition",
                HeaderBuilder::new().schema(Some(String::schema())).build(),
            )
            .header(
                "X-Content-SHA256",
                HeaderBuilder::new()
                    .schema(Some(String::schema()))
                    .description(Some("Hex SHA-256 of the content"))
                    .build(),
            );
        for media_type in ALLOWED {
            document = document.content(
                media_type,
                ContentBuilder::new().schema(Some(binary())).example(Some(json!("…"))).build(),
            );
        }
        BTreeMap::from([
            ("200".to_owned(), RefOr::T(document.build())),
            ("404".to_owned(), RefOr::Ref(Ref::from_response_name("NotFound"))),
        ])
    }
}

#[utoipa::path(
    get,
    path = "/complaints/{id}/reads",
    operation_id = "list_reads",
    tag = "documents",
    summary = "Who read the complaint and its documents",
    description = "The read log, newest first: every answer that showed the complaint's details \
        (the complaint, a page of the list, its timeline, contacts or document list) and every \
        download of one of its documents. Reads are written in batches shortly after they happen.",
    params(("id" = i64, Path, description = "The complaint's id"), PageQuery),
    responses(
        (status = 200, description = "A page of reads", body = Page<ReadView>),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    ),
    extensions(("x-roles" = json!(["klachtencoordinator"]))),
)]
#[get("/complaints/{id}/reads")]
pub async fn reads_of(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<i64>,
    query: ApiQuery<PageQuery>,
) -> Result<web::Json<Page<ReadView>>, ApiError> {
    let page = query.0.checked()?;
    Ok(web::Json(documents::reads(&state.db, state.context(principal), complaint(id), page).await?))
}
