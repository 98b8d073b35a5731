//! `Idempotency-Key` on every POST: a retry with the same key and body gets the first
//! answer and changes nothing; the same key with another body is 422.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::extract::{IdempotencyKey, etag};
use crate::db::AnyConnection;
use crate::domain::codes::ProblemCode;
use crate::error::ApiError;
use crate::store::idempotency::{self, Claim};

/// A successful answer to a POST, as first given and as replayed.
pub struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

impl Answer {
    /// `201 Created` for a new resource at `location`.
    pub fn created<T: Serialize>(view: &T, location: String) -> Result<Answer, ApiError> {
        Self::new(StatusCode::CREATED, view, Some(location))
    }

    /// `200 OK` for a command that changed an existing resource.
    pub fn ok<T: Serialize>(view: &T) -> Result<Answer, ApiError> {
        Self::new(StatusCode::OK, view, None)
    }

    fn new<T: Serialize>(
        status: StatusCode,
        view: &T,
        location: Option<String>,
    ) -> Result<Answer, ApiError> {
        let body = serde_json::to_string(view).map_err(|_| ApiError::internal())?;
        Ok(Answer { status, location, body })
    }

    /// The resource's `ETag`, when it is versioned.
    fn version(&self) -> Option<i32> {
        let value: serde_json::Value = serde_json::from_str(&self.body).ok()?;
        value.get("version")?.as_i64()?.try_into().ok()
    }

    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, "application/json"));
        if let Some(version) = self.version() {
            response.insert_header((header::ETAG, etag(version)));
        }
        if let Some(location) = self.location {
            response.insert_header((header::LOCATION, location));
        }
        response.body(self.body)
    }

    /// What is stored for a replay: the location (or nothing) on the first line, the body
    /// after it.
    fn stored(&self) -> String {
        format!("{}\n{}", self.location.as_deref().unwrap_or(""), self.body)
    }

    fn from_stored(status: u16, stored: &str) -> Answer {
        let (location, body) = stored.split_once('\n').unwrap_or(("", stored));
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            location: Some(location.to_owned()).filter(|l| !l.is_empty()),
            body: body.to_owned(),
        }
    }
}

/// Identifies a request by what it asks: the operation and its parsed body, so that the
/// same JSON formatted differently is still the same request.
pub fn fingerprint<T: Serialize>(operation: &str, body: &T) -> String {
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(body).unwrap_or_default());
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs `work` once per idempotency key, inside the caller's write transaction: a fresh key
/// runs it and stores its answer with it; a known key replays the stored answer.
pub fn answer_once(
    conn: &mut AnyConnection,
    staff_id: i64,
    key: &IdempotencyKey,
    fingerprint: &str,
    now: DateTime<Utc>,
    work: impl FnOnce(&mut AnyConnection) -> Result<Answer, ApiError>,
) -> Result<Answer, ApiError> {
    let Some(key) = &key.0 else { return work(conn) };
    match idempotency::claim(conn, staff_id, key, fingerprint, now)? {
        Claim::Fresh => {
            let answer = work(conn)?;
            idempotency::complete(conn, staff_id, key, answer.status.as_u16(), &answer.stored())?;
            Ok(answer)
        }
        Claim::Replay { status, body } => Ok(Answer::from_stored(status, &body)),
        Claim::Mismatch => Err(ApiError::unprocessable(
            ProblemCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request; use a new key",
        )),
    }
}
