//! A file uploaded as `multipart/form-data` in the field `file`, read whole within a size
//! limit: a document for the dossier, a register to import.

use actix_multipart::{Field, Multipart};
use actix_web::HttpRequest;
use actix_web::http::header;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use crate::domain::codes::ProblemCode;
use crate::domain::documents::sanitize_filename;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::operations::documents::Upload;

fn unreadable<E>(_: E) -> ApiError {
    ApiError::bad_request(ProblemCode::MalformedMultipart, "the multipart body could not be read")
}

/// What a multipart body may add to the document it carries: boundaries and part headers.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// Refuses a body whose declared `Content-Length` is over the limit, without reading it.
pub fn declared_within(request: &HttpRequest, limit: usize) -> Result<(), ApiError> {
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
pub async fn read_upload(
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
