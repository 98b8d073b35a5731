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

/// The `If-Match` precondition of a write, if the client sent one.
pub struct IfMatch(Option<header::IfMatch>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if req.headers().get(header::IF_MATCH).is_none() {
            return ready(Ok(IfMatch(None)));
        }
        let invalid =
            || ApiError::invalid_parameter("If-Match", "must be \"*\" or a list of quoted ETags");
        ready(match header::IfMatch::parse(req) {
            // actix skips items it cannot parse; a header with none left was not an ETag list.
            Ok(header::IfMatch::Items(tags)) if tags.is_empty() => Err(invalid()),
            Ok(parsed) => Ok(IfMatch(Some(parsed))),
            Err(_) => Err(invalid()),
        })
    }
}

impl IfMatch {
    /// `412` unless the current version is one the client named.
    pub fn check(&self, current_version: i32) -> Result<(), ApiError> {
        let current = etag(current_version);
        match &self.0 {
            None | Some(header::IfMatch::Any) => Ok(()),
            Some(header::IfMatch::Items(tags)) if tags.iter().any(|t| t.strong_eq(&current)) => {
                Ok(())
            }
            Some(_) => Err(ApiError::precondition_failed(format!(
                "the resource has changed: its current ETag is {current}; read it again and \
                 reapply your change"
            ))),
        }
    }
}

/// The strong ETag of a versioned resource.
pub fn etag(version: i32) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

/// The `Idempotency-Key` of a creating request, if the client sent one.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get("idempotency-key") else {
            return ready(Ok(IdempotencyKey(None)));
        };
        let key =
            value.to_str().ok().map(str::trim).filter(|k| {
                (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic())
            });
        ready(match key {
            Some(k) => Ok(IdempotencyKey(Some(k.to_owned()))),
            None => Err(ApiError::invalid_parameter(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            )),
        })
    }
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
    fn if_match_compares_strong_etags() {
        let given =
            |value: &str| IfMatch(Some(header::IfMatch::Items(vec![value.parse().unwrap()])));
        assert!(given("\"3\"").check(3).is_ok());
        assert_eq!(given("\"2\"").check(3).unwrap_err().code(), ProblemCode::PreconditionFailed);
        assert!(given("W/\"3\"").check(3).is_err());
        assert!(IfMatch(None).check(3).is_ok());
        assert!(IfMatch(Some(header::IfMatch::Any)).check(3).is_ok());
    }
}
