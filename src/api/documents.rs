//! The klachtendossier's documents (upload, list, download) and the read log of a
//! complaint.

use std::collections::BTreeMap;

use actix_multipart::{Field, Multipart};
use actix_web::http::header::{self, DispositionType};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

use super::answer::{created, named};
use super::extract::{ApiQuery, Idempotency, complaint};
use super::openapi::{Conflict, Forbidden, NotFound, Unprocessable};
use super::pagination::PageQuery;
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::codes::ProblemCode;
use crate::domain::documents::{ALLOWED, sanitize_filename};
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::operations::documents::{self, DocumentView, ReadView, Upload};
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

fn unreadable<E>(_: E) -> ApiError {
    ApiError::bad_request(ProblemCode::MalformedMultipart, "the multipart body could not be read")
}

/// What a multipart body may add to the document it carries: boundaries and part headers.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// Refuses a body whose declared `Content-Length` is over the limit, without reading it.
fn declared_within(request: &HttpRequest, limit: usize) -> Result<(), ApiError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > (limit + MULTIPART_OVERHEAD) as u64 => {
            Err(ApiError::payload_too_large(format!("a document is at most {limit} bytes")))
        }
        _ => Ok(()),
    }
}

/// The uploaded file, read whole within the size limit and hashed on the way.
async fn read_upload(
    request: &HttpRequest,
    mut form: Multipart,
    limit: usize,
) -> Result<Upload, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return Err(ApiError::unsupported_media_type(
            "upload the document as multipart/form-data with a field 'file'",
        ));
    }
    let mut received: Option<Upload> = None;
    while let Some(field) = form.next().await {
        let field = field.map_err(unreadable)?;
        let (name, filename) = match field.content_disposition() {
            Some(d) => {
                (d.get_name().unwrap_or_default().to_owned(), d.get_filename().map(str::to_owned))
            }
            None => (String::new(), None),
        };
        if name != "file" || received.is_some() {
            let field = if name.is_empty() { "file".to_owned() } else { name };
            let error = FieldError::new(field, "the upload has exactly one field, 'file'");
            return Err(ApiError::validation(vec![error]));
        }
        let (content, sha256) = read_file(field, limit).await?;
        received =
            Some(Upload { filename: sanitize_filename(filename.as_deref()), content, sha256 });
    }
    let received = received
        .ok_or_else(|| ApiError::validation(vec![FieldError::new("file", "is required")]))?;
    if received.content.is_empty() {
        return Err(ApiError::validation(vec![FieldError::new("file", "is empty")]));
    }
    Ok(received)
}

/// The file's content, at most `limit` bytes, and its hex SHA-256.
async fn read_file(mut field: Field, limit: usize) -> Result<(Vec<u8>, String), ApiError> {
    let mut content = Vec::new();
    let mut hasher = Sha256::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(unreadable)?;
        if content.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(format!(
                "a document is at most {limit} bytes"
            )));
        }
        hasher.update(&chunk);
        content.extend_from_slice(&chunk);
    }
    Ok((content, hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()))
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
