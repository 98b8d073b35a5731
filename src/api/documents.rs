//! The klachtendossier's documents (upload, list, download) and the read log of a
//! complaint.

use actix_multipart::Multipart;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, RefOr};
use utoipa::{IntoResponses, PartialSchema, ToSchema};

use super::complaints::{StaffRef, authorised_for_update, readable};
use super::extract::{ApiQuery, IdempotencyKey};
use super::idempotency::{Answer, answer_once, fingerprint};
use super::openapi::{Conflict, Forbidden, NotFound, Unprocessable};
use super::pagination::{self, Page, PageQuery};
use super::state::AppState;
use crate::auth::Principal;
use crate::domain::access::ComplaintAct;
use crate::domain::codes::ProblemCode;
use crate::domain::documents::{ALLOWED, detect, sanitize_filename};
use crate::domain::events::EventType;
use crate::domain::lifecycle;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::store::documents::{self, DocumentRow, NewDocument};
use crate::store::events::{self, NewEvent};
use crate::store::read_log::{self, Read};
use crate::store::{from_db, staff};
use crate::telemetry::record_complaint;

const BOTH_ROLES: [&str; 2] = ["dienstverlener", "klachtencoordinator"];

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DocumentView {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = "Brief aan cliënt 2026-11-06.pdf")]
    pub filename: String,
    /// Determined from the content.
    #[schema(example = "application/pdf")]
    pub content_type: String,
    #[schema(example = 48213)]
    pub size_bytes: i64,
    /// Hex-encoded SHA-256 of the content.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    pub uploaded_by: StaffRef,
    pub uploaded_at: DateTime<Utc>,
}

fn view(row: DocumentRow, people: &std::collections::HashMap<i64, staff::Person>) -> DocumentView {
    DocumentView {
        uploaded_by: StaffRef::of(people, row.uploaded_by_id),
        uploaded_at: from_db(row.uploaded_at),
        id: row.id,
        filename: row.filename,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
    }
}

/// The form of an upload (the body is streamed, not deserialised into this type).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The document: PDF, an image, an e-mail (.eml or .msg), an Office document or plain
    /// text — judged by its content. At most `KLACHTEN_MAX_DOCUMENT_BYTES` (20 MiB).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The uploaded file, read whole within the size limit and hashed on the way.
struct Upload {
    filename: String,
    content: Vec<u8>,
    sha256: String,
}

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
    let unreadable = |_| {
        ApiError::bad_request(
            ProblemCode::MalformedMultipart,
            "the multipart body could not be read",
        )
    };
    let mut received: Option<Upload> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let (name, filename) = match field.content_disposition() {
            Some(d) => {
                (d.get_name().unwrap_or_default().to_owned(), d.get_filename().map(str::to_owned))
            }
            None => (String::new(), None),
        };
        if name != "file" || received.is_some() {
            return Err(ApiError::validation(vec![FieldError::new(
                if name.is_empty() { "file".to_owned() } else { name },
                "the upload has exactly one field, 'file'",
            )]));
        }
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
        let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
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

#[utoipa::path(
    post,
    path = "/complaints/{id}/documents",
    operation_id = "upload_document",
    tag = "documents",
    summary = "Add a document to the dossier",
    description = "Multipart upload of one file in the field `file`. Its type is determined from \
        its content (PDF, images, e-mail `.eml`/`.msg`, Office documents, plain text; anything \
        else is 415); its name is made safe; its SHA-256 is recorded. The document and the event \
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
    key: IdempotencyKey,
    request: HttpRequest,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    record_complaint(id);
    let now = state.clock.now();
    let file = read_upload(&request, form, state.max_document_bytes).await?;
    let content_type = detect(&file.content, &file.filename).map_err(|found| {
        ApiError::unsupported_media_type(format!(
            "the dossier takes PDF, images, e-mail, Office documents and plain text; this is {found}"
        ))
    })?;
    let fingerprint =
        fingerprint(&format!("POST /complaints/{id}/documents"), &(&file.filename, &file.sha256));
    let answer = state
        .db
        .write(move |conn| {
            answer_once(conn, principal.staff_id, &key, &fingerprint, now, |conn| {
                let (row, _) = authorised_for_update(conn, &principal, id, ComplaintAct::Handle)?;
                lifecycle::ensure_editable(row.status())?;
                let document = documents::insert(
                    conn,
                    NewDocument {
                        organisation_id: principal.organisation_id,
                        complaint_id: id,
                        filename: &file.filename,
                        content_type,
                        sha256: &file.sha256,
                        content: &file.content,
                        uploaded_by_id: principal.staff_id,
                        now,
                    },
                )?;
                events::append(
                    conn,
                    NewEvent {
                        organisation_id: principal.organisation_id,
                        complaint_id: Some(id),
                        event_type: EventType::DocumentAdded,
                        actor_id: Some(principal.staff_id),
                        occurred_at: now,
                        data: json!({
                            "document": document.id, "filename": document.filename,
                            "content_type": document.content_type, "size_bytes": document.size_bytes,
                            "sha256": document.sha256,
                        }),
                    },
                )?;
                let people = staff::people(conn, &[document.uploaded_by_id])?;
                let location = format!("/api/v1/complaints/{id}/documents/{}", document.id);
                Answer::created(&view(document, &people), location)
            })
        })
        .await?;
    Ok(answer.into_response())
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
    let id = id.into_inner();
    record_complaint(id);
    let page = state
        .db
        .read(move |conn| {
            readable(conn, &principal, id)?;
            let rows = documents::for_complaint(conn, id)?;
            let uploaders: Vec<i64> = rows.iter().map(|r| r.uploaded_by_id).collect();
            let people = staff::people(conn, &uploaders)?;
            Ok::<_, ApiError>(Page {
                items: rows.into_iter().map(|r| view(r, &people)).collect(),
                next_cursor: None,
            })
        })
        .await?;
    Ok(web::Json(page))
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
    let now = state.clock.now();
    let (organisation_id, staff_id) = (principal.organisation_id, principal.staff_id);
    let (row, content) = state
        .db
        .read(move |conn| {
            readable(conn, &principal, id)?;
            documents::find_with_content(conn, id, document)?
                .ok_or_else(|| ApiError::not_found("document"))
        })
        .await?;
    state
        .read_log
        .record(Read {
            organisation_id,
            complaint_id: id,
            document_id: Some(row.id),
            staff_id,
            read_at: now,
        })
        .await;
    let ascii: String = row
        .filename
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' })
        .collect();
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: row.filename.into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, row.content_type))
        .insert_header(disposition)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .insert_header(("X-Content-SHA256", row.sha256))
        .body(content))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadView {
    pub staff: StaffRef,
    pub read_at: DateTime<Utc>,
    /// The document read; `null` for the complaint's details.
    pub document_id: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/complaints/{id}/reads",
    operation_id = "list_reads",
    tag = "documents",
    summary = "Who read the complaint and its documents",
    description = "The read log, newest first: every read of the complaint's details or of one \
        of its documents. Reads are written in batches shortly after they happen.",
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
    let id = id.into_inner();
    record_complaint(id);
    let (limit, before) = query.0.checked()?;
    let page = state
        .db
        .read(move |conn| {
            let row = readable(conn, &principal, id)?;
            crate::domain::access::authorise(
                &principal.actor(),
                &row.parties(),
                ComplaintAct::Audit,
            )?;
            let rows = read_log::for_complaint(conn, id, before, limit + 1)?;
            let readers: Vec<i64> = rows.iter().map(|r| r.staff_id).collect();
            let people = staff::people(conn, &readers)?;
            Ok::<_, ApiError>(pagination::page(
                rows,
                limit,
                |r| r.id,
                |r| ReadView {
                    staff: StaffRef::of(&people, r.staff_id),
                    read_at: from_db(r.read_at),
                    document_id: r.document_id,
                },
            ))
        })
        .await?;
    Ok(web::Json(page))
}
