//! Extractors for request bodies, query strings and headers whose failures are problems
//! that name the field at fault — never actix's plain-text errors, never a 500.

use actix_web::dev::Payload;
use actix_web::http::header::{self, Header as _};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::{LocalBoxFuture, Ready, ready};
use serde::de::DeserializeOwned;

use super::state::AppState;
use crate::domain::codes::ProblemCode;
use crate::domain::validation::FieldError;
use crate::error::ApiError;
use crate::operations::{Conditions, IdempotencyKey, Precondition};
use crate::telemetry::record_complaint;

/// A JSON request body: `application/json` (or another `+json` type), at most the configured
/// size, well-formed, and of the right shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<web::Data<AppState>>().map_or(64 * 1024, |s| s.max_json_bytes);
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json(content_type.as_ref().and_then(|v| v.to_str().ok())) {
                return Err(ApiError::unsupported_media_type("send the body as application/json"));
            }
            let too_large = || {
                ApiError::payload_too_large(format!("the body exceeds the limit of {limit} bytes"))
            };
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|_| {
                    ApiError::bad_request(ProblemCode::UnreadableBody, "the body could not be read")
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(ApiError::bad_request(
                    ProblemCode::BodyRequired,
                    "this request needs a JSON body",
                ));
            }
            parse_json(&body).map(ApiJson)
        })
    }
}

fn is_json(content_type: Option<&str>) -> bool {
    let Some(essence) = content_type.and_then(|c| c.split(';').next()) else { return false };
    let essence = essence.trim().to_ascii_lowercase();
    essence == "application/json" || essence == "application/merge-patch+json"
}

/// Deserialises JSON, reporting where it went wrong: malformed JSON is a 400, JSON of the
/// wrong shape a 422 naming the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Every request body of this API is an object; serde would try to read other JSON as a
    // struct's fields in order and report something confusing.
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') && serde_json::from_slice::<serde_json::Value>(body).is_ok() {
        return Err(ApiError::validation(vec![FieldError::new("body", "must be a JSON object")]));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = without_position(&inner.to_string());
        match inner.classify() {
            serde_json::error::Category::Data => {
                ApiError::validation(vec![field_error(&path, message)])
            }
            _ => ApiError::bad_request(
                ProblemCode::MalformedJson,
                format!("the body is not valid JSON: {message}"),
            ),
        }
    })
}

/// serde reports a missing or unknown field at the object that should (not) hold it; the
/// field's own path is more useful to a client.
fn field_error(path: &str, message: String) -> FieldError {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    let field = match (named, path) {
        (Some(name), "." | "") => name.to_owned(),
        (Some(name), parent) if !parent.ends_with(name) => format!("{parent}.{name}"),
        // Every body is an object; a path into a top-level array means the body itself was
        // of the wrong type.
        (_, path) if path.is_empty() || path == "." || path.starts_with('[') => "body".to_owned(),
        (_, path) => path.to_owned(),
    };
    FieldError::new(field, message)
}

fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// A query string of the right shape; unknown parameters are refused, so that a mistyped
/// filter is not silently ignored.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        ready(serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            let error = field_error(&path, message);
            let field = if error.field == "body" { "query".to_owned() } else { error.field };
            ApiError::invalid_parameter(&field, error.message)
        }))
    }
}

/// `If-Match`, as the precondition of a write: the versions (strong ETags) the client
/// based it on.
impl FromRequest for Precondition {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(precondition(req))
    }
}

fn precondition(req: &HttpRequest) -> Result<Precondition, ApiError> {
    if req.headers().get(header::IF_MATCH).is_none() {
        return Ok(Precondition::None);
    }
    let invalid =
        || ApiError::invalid_parameter("If-Match", "must be \"*\" or a list of quoted ETags");
    match header::IfMatch::parse(req) {
        Ok(header::IfMatch::Any) => Ok(Precondition::Any),
        // actix skips items it cannot parse; a header with none left was not an ETag list.
        Ok(header::IfMatch::Items(tags)) if tags.is_empty() => Err(invalid()),
        // A version's ETag is strong and its number as written; any other tag names none.
        Ok(header::IfMatch::Items(tags)) => Ok(Precondition::Versions(
            tags.iter()
                .filter(|t| !t.weak)
                .filter_map(|t| t.tag().parse::<i32>().ok().filter(|v| v.to_string() == t.tag()))
                .collect(),
        )),
        Err(_) => Err(invalid()),
    }
}

/// The `If-Match` of an edit (`PATCH`), which must be sent: an edit without it would
/// overwrite a newer version unseen (`428 Precondition Required`).
pub struct IfMatch(pub Precondition);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match precondition(req) {
            Ok(Precondition::None) => Err(ApiError::precondition_required()),
            other => other.map(IfMatch),
        })
    }
}

/// The strong ETag of a versioned resource.
pub fn etag(version: i32) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

/// The `Idempotency-Key` of a creating request, if the client sent one.
pub struct Idempotency(pub Option<IdempotencyKey>);

impl FromRequest for Idempotency {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(idempotency_key(req).map(Idempotency))
    }
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("idempotency-key") else { return Ok(None) };
    let field = "Idempotency-Key";
    IdempotencyKey::parse(field, value.to_str().unwrap_or("\u{0}"))
        .map(Some)
        .map_err(|e| ApiError::invalid_parameter(field, e.message))
}

impl From<Idempotency> for Conditions {
    fn from(key: Idempotency) -> Conditions {
        Conditions { precondition: Precondition::None, key: key.0 }
    }
}

/// What a command on an existing resource may carry: `If-Match` and `Idempotency-Key`.
impl FromRequest for Conditions {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            precondition(req).and_then(|precondition| {
                Ok(Conditions { precondition, key: idempotency_key(req)? })
            }),
        )
    }
}

/// The complaint a request's path names (`/complaints/{id}…`), noted in the request's span.
/// (Handlers take the id as `web::Path<i64>`, which the OpenAPI document lists.)
pub fn complaint(id: web::Path<i64>) -> i64 {
    let id = id.into_inner();
    record_complaint(id);
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u8,
    }

    fn fields(body: &str) -> (u16, Vec<String>) {
        let err = parse_json::<Body>(body.as_bytes()).unwrap_err();
        let response = actix_web::ResponseError::status_code(&err).as_u16();
        (response, err.field_errors().iter().map(|e| e.field.clone()).collect())
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(
            fields(r#"{"name": "x", "inner": {"count": 300}}"#),
            (422, vec!["inner.count".into()])
        );
        assert_eq!(fields(r#"{"inner": {"count": 3}}"#), (422, vec!["name".into()]));
        assert_eq!(fields(r#"{"name": "x", "inner": {}}"#), (422, vec!["inner.count".into()]));
        assert_eq!(
            fields(r#"{"name": "x", "inner": {"count": 1}, "extra": 1}"#),
            (422, vec!["extra".into()])
        );
        assert_eq!(fields(r#"{"name": "x", "#).0, 400);
        assert_eq!(fields(r#"[1, 2]"#), (422, vec!["body".into()]));
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("application/jsonx")));
        assert!(!is_json(Some("application/vnd.other+json")));
        assert!(!is_json(None));
    }

    #[test]
    fn if_match_names_versions_by_strong_etags() {
        let given = |value: &str| {
            let request = actix_web::test::TestRequest::default()
                .insert_header((header::IF_MATCH, value))
                .to_http_request();
            precondition(&request)
        };
        assert_eq!(given("\"3\", \"4\"").unwrap(), Precondition::Versions(vec![3, 4]));
        assert_eq!(given("*").unwrap(), Precondition::Any);
        for names_no_version in ["W/\"3\"", "\"03\"", "\"drie\""] {
            assert_eq!(given(names_no_version).unwrap(), Precondition::Versions(Vec::new()));
        }
        assert_eq!(given("3").unwrap_err().code(), ProblemCode::InvalidParameter);
        let none = actix_web::test::TestRequest::default().to_http_request();
        assert_eq!(precondition(&none).unwrap(), Precondition::None);
    }
}
