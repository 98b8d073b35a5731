//! One error type for the whole API, rendered as RFC 9457 `application/problem+json` by the
//! `http-api-problem` crate. Every error has a stable snake_case `code` an integrator can
//! switch on; validation errors add `errors: [{field, message}]`.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use http_api_problem::HttpApiProblem;
use strum::VariantArray;
use utoipa::openapi::Ref;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::db::DbError;
use crate::domain::codes::ProblemCode;
use crate::domain::import::RowError;
use crate::domain::lifecycle::Refused;
use crate::domain::validation::{FieldError, ValidationErrors};
use crate::operations::OperationError;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";
const TYPE_PREFIX: &str = "urn:klachtenregister:problem:";

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: ProblemCode,
    detail: String,
    errors: Vec<FieldError>,
    /// The faults of an imported file, by row and column.
    rows: Vec<RowError>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ProblemCode, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            rows: Vec::new(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn bad_request(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// No usable credentials. Always carries `WWW-Authenticate: Bearer`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ProblemCode::Unauthorized, detail).with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"klachtenregister\""),
        )
    }

    /// The token is valid but says something the service refuses ("invalid_token" in the
    /// sense of RFC 6750 is the client's cue to get a new one).
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ProblemCode::InvalidToken, detail).with_header(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"klachtenregister\", error=\"invalid_token\""),
        )
    }

    pub fn forbidden(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, ProblemCode::NotFound, format!("{what} not found"))
    }

    pub fn method_not_allowed(allow: HeaderValue) -> Self {
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ProblemCode::MethodNotAllowed,
            format!("this resource allows {}", allow.to_str().unwrap_or("other methods")),
        );
        e.headers.push((header::ALLOW, allow));
        e
    }

    /// An illegal step in the procedure; `code` names the rule.
    pub fn conflict(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, ProblemCode::PreconditionFailed, detail)
    }

    /// A change that did not say which version it is based on (`If-Match`).
    pub fn precondition_required() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            ProblemCode::PreconditionRequired,
            "send If-Match with the ETag of the version you read (GET), or \"*\" to overwrite \
             whatever is current, so that no one else's change is lost",
        )
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, ProblemCode::PayloadTooLarge, detail)
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, ProblemCode::UnsupportedMediaType, detail)
    }

    pub fn unprocessable(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("the request has invalid fields: {}", fields.join(", "));
        ApiError { errors, ..Self::unprocessable(ProblemCode::ValidationFailed, detail) }
    }

    /// An imported file's faults: nothing was imported.
    pub fn import_refused(rows: Vec<RowError>) -> Self {
        let detail = format!(
            "the file has {} fault(s); nothing was imported: correct the rows listed and send it again",
            rows.len()
        );
        ApiError { rows, ..Self::unprocessable(ProblemCode::ImportRefused, detail) }
    }

    /// A single bad query or header value, reported like a field.
    pub fn invalid_parameter(field: &str, message: impl Into<String>) -> Self {
        let error = FieldError::new(field, message);
        ApiError {
            detail: format!("invalid parameter '{field}': {}", error.message),
            errors: vec![error],
            ..Self::bad_request(ProblemCode::InvalidParameter, "")
        }
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, ProblemCode::ServiceUnavailable, detail)
            .with_header(header::RETRY_AFTER, HeaderValue::from_static("5"))
    }

    pub fn headers_too_large(size: usize, limit: usize) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProblemCode::HeadersTooLarge,
            format!("the request's headers take {size} bytes; at most {limit} are accepted"),
        )
    }

    /// The caller's writes exceed their rate; they may write again in `retry_after`.
    pub fn too_many_requests(retry_after: std::time::Duration) -> Self {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ProblemCode::RateLimited,
            format!("too many writes; retry in {seconds} s"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(seconds))
    }

    /// A fault of the service itself. The cause is logged (without personal data) by the
    /// caller; the client only learns that it was not their fault.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemCode::InternalError,
            "the service failed; the failure has been logged",
        )
    }

    pub fn code(&self) -> ProblemCode {
        self.code
    }

    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    fn problem(&self) -> HttpApiProblem {
        let status = http_api_problem::StatusCode::from_u16(self.status.as_u16())
            .unwrap_or(http_api_problem::StatusCode::INTERNAL_SERVER_ERROR);
        let mut problem = HttpApiProblem::with_title(status)
            .type_url(format!("{TYPE_PREFIX}{}", self.code.as_str()))
            .detail(self.detail.clone())
            .value("code", &self.code);
        if !self.errors.is_empty() {
            problem.set_value("errors", &self.errors);
        }
        if !self.rows.is_empty() {
            problem.set_value("errors", &self.rows);
        }
        problem
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code.as_str(), self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        // Only the status and the code are logged: details may echo what the client sent.
        if self.status.is_server_error() {
            tracing::error!(
                status = self.status.as_u16(),
                code = self.code.as_str(),
                "request failed"
            );
        } else {
            tracing::info!(
                status = self.status.as_u16(),
                code = self.code.as_str(),
                "request refused"
            );
        }
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.body(self.problem().json_bytes())
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(reason) => {
                tracing::warn!(%reason, "database unavailable");
                ApiError::unavailable("the database is not reachable right now; try again shortly")
            }
            DbError::Query(e) => e.into(),
            DbError::TaskFailed => ApiError::internal(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => {
                ApiError::unavailable("the database connection was lost; try again shortly")
            }
            Error::DatabaseError(
                DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ReadOnlyTransaction,
                _,
            ) => ApiError::unavailable("the database is busy; try again"),
            // Contention the database resolved by giving up on this transaction: nothing was
            // written, and a retry will do.
            Error::DatabaseError(_, info)
                if ["deadlock detected", "database is locked"]
                    .iter()
                    .any(|m| info.message().contains(m)) =>
            {
                tracing::warn!("database contention: transaction abandoned");
                ApiError::unavailable("the database is busy; try again")
            }
            // Constraint names and kinds are safe to log; messages and details may hold values.
            Error::DatabaseError(kind, info) => {
                tracing::error!(?kind, constraint = info.constraint_name(), "database error");
                ApiError::internal()
            }
            other => {
                // The kind only: some errors' messages quote stored values.
                let kind = match other {
                    Error::NotFound => "not_found",
                    Error::DeserializationError(_) => "deserialization",
                    Error::SerializationError(_) => "serialization",
                    Error::QueryBuilderError(_) => "query_builder",
                    Error::RollbackErrorOnCommit { .. } => "rollback_on_commit",
                    _ => "other",
                };
                tracing::error!(kind, "query failed");
                ApiError::internal()
            }
        }
    }
}

/// How the API answers an operation that did not happen.
impl From<OperationError> for ApiError {
    fn from(e: OperationError) -> Self {
        match e {
            OperationError::NotFound(what) => ApiError::not_found(what),
            OperationError::Forbidden { code, message } => ApiError::forbidden(code, message),
            OperationError::Refused(refused) => refused.into(),
            OperationError::Invalid(errors) => errors.into(),
            OperationError::PreconditionFailed(detail) => ApiError::precondition_failed(detail),
            OperationError::KeyReused => ApiError::unprocessable(
                ProblemCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request; use a new key",
            ),
            OperationError::UnsupportedContent(detail) => ApiError::unsupported_media_type(detail),
            OperationError::Database(e) => e.into(),
            OperationError::Internal(reason) => {
                tracing::error!(reason, "operation failed");
                ApiError::internal()
            }
            OperationError::Unprocessable(r) => ApiError::unprocessable(r.code, r.message),
            OperationError::ImportRefused(rows) => ApiError::import_refused(rows),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::validation(e.0)
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        ApiError::conflict(r.code, r.message)
    }
}

/// The problem document as the OpenAPI contract describes it. It wraps the crate's type so
/// that the schema is declared on the very thing that is rendered.
pub struct Problem(pub HttpApiProblem);

impl PartialSchema for Problem {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str, example: serde_json::Value| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description))
                .examples([example])
        };
        ObjectBuilder::new()
            .description(Some(
                "RFC 9457 problem details. `code` is stable and names the rule or failure; \
                 `errors` lists the fields at fault for a validation failure.",
            ))
            .property(
                "type",
                text(
                    "URI naming the problem type",
                    "urn:klachtenregister:problem:not_found".into(),
                ),
            )
            .required("type")
            .property("title", text("Short summary of the problem type", "Not Found".into()))
            .required("title")
            .property(
                "status",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .description(Some("The HTTP status code"))
                    .examples([404]),
            )
            .required("status")
            .property(
                "detail",
                text("What went wrong in this occurrence", "complaint not found".into()),
            )
            .property(
                "code",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("Stable machine-readable code"))
                    .enum_values(Some(ProblemCode::VARIANTS.iter().map(|c| c.as_str())))
                    .examples([ProblemCode::NotFound.as_str()]),
            )
            .required("code")
            .property(
                "errors",
                ArrayBuilder::new()
                    .items(
                        OneOfBuilder::new()
                            .item(Ref::from_schema_name(FieldError::name()))
                            .item(Ref::from_schema_name(RowError::name())),
                    )
                    .description(Some(
                        "The fields at fault (validation failures), or the rows and columns at \
                         fault (an import refused)",
                    )),
            )
            .into()
    }
}

impl ToSchema for Problem {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((FieldError::name().into(), FieldError::schema()));
        schemas.push((RowError::name().into(), RowError::schema()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn problems_are_rendered_with_code_and_field_errors() {
        let error = ApiError::validation(vec![FieldError::new("client.name", "must not be empty")]);
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(response.headers().get(header::CONTENT_TYPE).unwrap(), PROBLEM_CONTENT_TYPE);
        let body: serde_json::Value =
            serde_json::from_slice(&to_bytes(response.into_body()).await.unwrap()).unwrap();
        assert_eq!(body["status"], 422);
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["type"], "urn:klachtenregister:problem:validation_failed");
        assert_eq!(body["title"], "Unprocessable Entity");
        assert_eq!(body["errors"][0]["field"], "client.name");
    }

    #[actix_web::test]
    async fn unauthorized_carries_the_bearer_challenge() {
        let response = ApiError::unauthorized("no token").error_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
    }
}
